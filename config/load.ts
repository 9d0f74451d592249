import * as pulumi from "@pulumi/pulumi";
import { HydraConfig } from "./types";
import { RawConfig, validateConfig } from "./validate";

// `isConfigSecret` is exported by the runtime but left out of its typings.
type RuntimeWithSecrets = { isConfigSecret?: (key: string) => boolean };

/** The running stack's config as the engine handed it to this program. */
export function readRawConfig(): RawConfig {
    const values = pulumi.runtime.allConfig();
    const isSecret = (pulumi.runtime as unknown as RuntimeWithSecrets).isConfigSecret ?? (() => false);
    return { values, secretKeys: new Set(Object.keys(values).filter((k) => isSecret(k))) };
}

/**
 * Loads and validates the stack's config. Throws a RunError listing every
 * problem before the program registers a single resource.
 */
export function loadConfig(knownApps: readonly string[]): HydraConfig {
    try {
        return validateConfig(readRawConfig(), knownApps);
    } catch (e) {
        // RunError prints just the message, without a stack trace.
        if (e instanceof Error && e.name === "ConfigError") throw new pulumi.RunError(e.message);
        throw e;
    }
}
