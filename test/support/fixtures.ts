// Reads Pulumi stack files (and fixtures in the same shape) into what the program sees.
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { rawFromStackConfig, RawConfig } from "../../config";

export interface StackFile {
    raw: RawConfig;
    /** Messages a bad fixture must produce. */
    expect: string[];
    /** Strings that must never appear in the error (secrets typed in the clear). */
    forbid: string[];
}

/**
 * Like the engine: scalars become strings, objects JSON, and `secure:` values are
 * secret (in fixtures the `secure:` text stands for the decrypted value).
 */
export function toRawConfig(config: Record<string, unknown>): RawConfig {
    return rawFromStackConfig(config, (_key, value) => value);
}

export function loadStackFile(file: string): StackFile {
    const doc = YAML.parse(fs.readFileSync(file, "utf8")) ?? {};
    return { raw: toRawConfig(doc.config ?? {}), expect: doc.expect ?? [], forbid: doc.forbid ?? [] };
}

export const FIXTURES = path.join(__dirname, "..", "fixtures", "config");

export function fixtureFiles(kind: "good" | "bad"): string[] {
    const dir = path.join(FIXTURES, kind);
    return fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".yaml"))
        .sort()
        .map((f) => path.join(dir, f));
}
