// hydra:apps: which apps run, and the settings each app declares it honours.
import { z } from "zod";
import { AppDeclaration, AppSettingDefaults, Arch, ARCHS } from "../../vocabulary/app";
import { imageProblem } from "../../vocabulary/image";
import { didYouMean } from "../closest";
import { expected, flag, oneOf, text } from "../fields";
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
    /** With hydra:nodes: the node that keeps the app's data (the primary when unset). */
    node?: string;
    /** The architectures the app's images are published for, when config says so (an image of your own); the app's declaration otherwise. */
    archs?: Arch[];
}

/** The architectures an app's images run on: apps.<name>.archs, else what the app declares, else amd64. */
export function appArchs(app: AppDeclaration, settings: AppSettings | undefined): readonly Arch[] {
    return settings?.archs ?? app.archs ?? ["amd64"];
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
    shape.node = text(hostnameLabel("pi"))
        .optional()
        .describe(`With nodes: the node that keeps the data of ${app.name} and runs it (the primary, node.name, when unset).`);
    shape.archs = z
        .array(oneOf(ARCHS, (v) => `${JSON.stringify(v)} is not "amd64" or "arm64"`))
        .min(1, "names at least one architecture")
        .optional()
        .describe(
            `With nodes: the architectures the images of ${app.name} are published for, when you set an image of your own (${(app.archs ?? ["amd64"]).join(", ")} by default).`,
        );
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

function buildAppsSchema(apps: readonly AppDeclaration[]) {
    const entries = Object.fromEntries(apps.map((app) => [app.name, appEntry(app, settingsObject(app)).optional()]));
    const unknown = (field: string, known: string[]) => `is not an app Hydra knows (${known.join(", ")})${didYouMean(field, known)}`;
    return strictObject(entries, { unknown }).describe("Which apps run (all by default): true/false, or an object with enabled and the app's settings.");
}

function buildDefaults(apps: readonly AppDeclaration[]): Record<string, AppSettings> {
    return Object.fromEntries(apps.map((app) => [app.name, (settingsObject(app).safeParse({}).data as AppSettings | undefined) ?? { enabled: true }]));
}

// Building zod schemas costs more than parsing with them, and one app list is checked many times in tests and tools.
const SCHEMAS = new WeakMap<readonly AppDeclaration[], { schema: ReturnType<typeof buildAppsSchema>; defaults: Record<string, AppSettings> }>();

function forApps(apps: readonly AppDeclaration[]) {
    let found = SCHEMAS.get(apps);
    if (!found) {
        found = { schema: buildAppsSchema(apps), defaults: buildDefaults(apps) };
        SCHEMAS.set(apps, found);
    }
    return found;
}

/** The `hydra:apps` object for these apps. */
export function appsSchema(apps: readonly AppDeclaration[]) {
    return forApps(apps).schema;
}

/** Every app's settings, each app present (on unless config turns it off). */
export function readApps(src: ConfigSource, apps: readonly AppDeclaration[]): Record<string, AppSettings> {
    const { schema, defaults: allDefaults } = forApps(apps);
    const parsed = readSection(src.problems, fullKey("apps"), schema, src.object("apps")) as Record<string, unknown>;
    const settings: Record<string, AppSettings> = {};
    for (const app of apps) {
        const defaults = allDefaults[app.name];
        const v = parsed[app.name];
        settings[app.name] = v === undefined ? { ...defaults } : typeof v === "boolean" ? { ...defaults, enabled: v } : (v as AppSettings);
    }
    return settings;
}
