// What an app declares about itself to config: its settings and its secrets.
// The rest of an app (its jobs) is declared in apps/, which builds on this.
import { SecretDeclaration, SecretRef } from "./secrets";

/** The settings under `apps.<name>` an app honours beyond `enabled`, each with the app's default. */
/** CPU architectures, as Nomad names them in `${attr.cpu.arch}`. */
export const ARCHS = ["amd64", "arm64"] as const;
export type Arch = (typeof ARCHS)[number];

export interface AppSettingDefaults {
    /** Host name of the app's main route, relative to the zone. */
    hostname?: string;
    /** The app's main image, pinned. */
    image?: string;
}

export interface AppDeclaration {
    name: string;
    /** One line for the README and `npm run render`. */
    description: string;
    settings?: AppSettingDefaults;
    secrets?: SecretDeclaration[];
    /** The architectures every image of the app is published for (amd64 when unset). */
    archs?: readonly Arch[];
    /** Stack outputs the app adds, each one of its secrets (so always a secret output). */
    outputs?: Partial<Record<AppOutputName, SecretRef>>;
}

/** The stack outputs apps may add; index.ts exports each by name. */
export type AppOutputName = "backupRepository" | "resticPassword";
