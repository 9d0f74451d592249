// hydra:apps: which apps run, and the settings each app declares it honours.
import { z } from "zod";
import { AppDeclaration, AppSettingDefaults } from "../../vocabulary/app";
import { imageProblem } from "../../vocabulary/image";
import { didYouMean } from "../closest";
import { expected, flag, text } from "../fields";
import { fullKey } from "../keys";
import { hostnameLabel } from "../names";
import { FieldHint, readSection, strictObject } from "../readSection";
import { ConfigSource } from "../source";

/** One app's switches: on or off, and its host name and image where the app has them (its defaults filled in). */
export interface AppSettings {
    enabled: boolean;
    /** Host name of the app's main route, relative to the zone. */
    hostname?: string;
    /** The app's main image, pinned. */
    image?: string;
}

const SETTINGS: readonly (keyof AppSettingDefaults)[] = ["hostname", "image"];

/** The object form of `apps.<name>`: `enabled`, and only the settings the app declares. */
function settingsObject(app: AppDeclaration) {
    const declared = app.settings ?? {};
    const shape: Record<string, z.ZodType> = { enabled: flag().prefault(true).describe(`Run ${app.name}.`) };
    if (declared.hostname !== undefined) {
        shape.hostname = text(hostnameLabel(declared.hostname)).prefault(declared.hostname).describe(`Host name of ${app.name}, relative to the zone.`);
    }
    if (declared.image !== undefined) {
        shape.image = text(imageProblem).prefault(declared.image).describe(`Image of ${app.name}, pinned to a version tag or digest.`);
    }
    const hints: Record<string, FieldHint> = {};
    for (const setting of SETTINGS.filter((s) => declared[s] === undefined)) {
        hints[setting] = { code: "unknown-key", message: `${app.name} has no ${setting} setting` };
    }
    return strictObject(shape, { hints });
}

/** `apps.<name>`: true or false, or the object form. */
function appEntry(app: AppDeclaration, object: z.ZodObject) {
    const fields = Object.keys(object.shape).join("/");
    return z.union([flag(), object], expected(`true, false or an object with ${fields}`)).describe(app.description);
}

/** The `hydra:apps` object for these apps. */
export function appsSchema(apps: readonly AppDeclaration[]) {
    const entries = Object.fromEntries(apps.map((app) => [app.name, appEntry(app, settingsObject(app)).optional()]));
    const unknown = (field: string, known: string[]) => `is not an app Hydra knows (${known.join(", ")})${didYouMean(field, known)}`;
    return strictObject(entries, { unknown }).describe("Which apps run (all by default): true/false, or an object with enabled and the app's settings.");
}

/** Every app's settings, each app present (on unless config turns it off). */
export function readApps(src: ConfigSource, apps: readonly AppDeclaration[]): Record<string, AppSettings> {
    const parsed = readSection(src.problems, fullKey("apps"), appsSchema(apps), src.object("apps")) as Record<string, unknown>;
    const settings: Record<string, AppSettings> = {};
    for (const app of apps) {
        const defaults = (settingsObject(app).safeParse({}).data as AppSettings | undefined) ?? { enabled: true };
        const v = parsed[app.name];
        settings[app.name] = v === undefined ? defaults : typeof v === "boolean" ? { ...defaults, enabled: v } : (v as AppSettings);
    }
    return settings;
}
