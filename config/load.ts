import * as pulumi from "@pulumi/pulumi";
import { AppDeclaration } from "../vocabulary/app";
import { ConfigError } from "./configError";
import { RawConfig } from "./source";
import { HydraConfig } from "./types";
import { validateConfig } from "./validate";

// `isConfigSecret` is exported by the runtime but left out of its typings.
type RuntimeWithSecrets = { isConfigSecret?: (key: string) => boolean };

/**
 * A stack file's `config:` map as the engine hands it to a program: scalars as
 * strings, objects as JSON, and each `secure:` entry marked secret, its value
 * given by `secure` (the engine decrypts; a fixture or a rendering substitutes).
 */
export function rawFromStackConfig(config: Record<string, unknown>, secure: (key: string, ciphertext: string) => string): RawConfig {
    const values: Record<string, string> = {};
    const secretKeys = new Set<string>();
    for (const [key, v] of Object.entries(config ?? {})) {
        const ciphertext = v !== null && typeof v === "object" && !Array.isArray(v) ? (v as { secure?: unknown }).secure : undefined;
        if (typeof ciphertext === "string") {
            values[key] = secure(key, ciphertext);
            secretKeys.add(key);
        } else {
            values[key] = typeof v === "string" ? v : JSON.stringify(v);
        }
    }
    return { values, secretKeys };
}

/** The running stack's config as the engine handed it to this program. */
export function readRawConfig(): RawConfig {
    const values = pulumi.runtime.allConfig();
    const isSecret = (pulumi.runtime as unknown as RuntimeWithSecrets).isConfigSecret ?? (() => false);
    return { values, secretKeys: new Set(Object.keys(values).filter((k) => isSecret(k))) };
}

/**
 * Loads and validates the stack's config for these apps. Throws a RunError listing
 * every problem before the program registers a single resource.
 */
export function loadConfig(apps: readonly AppDeclaration[]): HydraConfig {
    try {
        return validateConfig(readRawConfig(), apps);
    } catch (e) {
        // RunError prints just the message, without a stack trace.
        if (e instanceof ConfigError || (e instanceof Error && e.name === "ConfigError")) {
            throw new pulumi.RunError(e.message);
        }
        throw e;
    }
}
