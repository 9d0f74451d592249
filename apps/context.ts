import { HydraConfig } from "../config";
import { secretRef } from "../vocabulary";
import { AppContext, AppDefinition, EstateFacts } from "./app";
import { appDataDir } from "./placement";

/** Thrown while planning when an app file contradicts its own declaration. */
export class AppDeclarationError extends Error {}

export function makeContext(cfg: HydraConfig, app: AppDefinition, estate: EstateFacts): AppContext {
    const settings = cfg.apps[app.name] ?? { enabled: true };
    const declared = (setting: "hostname" | "image"): string => {
        const fallback = app.settings?.[setting];
        if (fallback === undefined) {
            throw new AppDeclarationError(`app ${app.name} uses its ${setting} setting but declares no default for it (settings.${setting})`);
        }
        return settings[setting] ?? fallback;
    };
    const secretKeys = new Set((app.secrets ?? []).map((s) => s.key));
    return {
        cfg,
        estate,
        hostname: () => declared("hostname"),
        image: () => declared("image"),
        // On the node that keeps the app's data (node.dataDir on one node).
        data: (sub) => `${appDataDir(cfg, app.name)}/${sub}`,
        secret(key) {
            if (!secretKeys.has(key)) {
                throw new AppDeclarationError(`app ${app.name} reads secret ${JSON.stringify(key)}, which it does not declare in secrets`);
            }
            return secretRef(key);
        },
        hasSecret: (key) => cfg.secrets[key] !== undefined,
    };
}
