import * as pulumi from "@pulumi/pulumi";
import { HydraConfig } from "../config";
import { AppContext, AppDefinition, EstateFacts } from "./app";

/** Supplies a secret for a key: from config, generated, or (planning) a placeholder. */
export type SecretSource = (key: string, generate?: { length: number }) => pulumi.Input<string>;

export function makeContext(cfg: HydraConfig, app: AppDefinition, estate: EstateFacts, source: SecretSource): AppContext {
    const settings = cfg.apps[app.name] ?? { enabled: true };
    // One value per key, even when several jobs of the app ask (shynet's DB password).
    const memo = new Map<string, pulumi.Input<string>>();
    return {
        cfg,
        settings,
        estate,
        hostname: (fallback) => settings.hostname ?? fallback,
        image: (fallback) => settings.image ?? fallback,
        data: (sub) => `${cfg.node.dataDir}/${sub}`,
        secret(key, generate) {
            if (!memo.has(key)) {
                memo.set(key, source(key, generate));
            }
            return memo.get(key)!;
        },
    };
}
