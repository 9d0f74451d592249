import { APPS } from "../../apps";
// Stack configs for tests, built from the committed fixtures with small overrides.
import * as path from "path";
import { HydraConfig, validateConfig } from "../../config";
import { loadStackFile, toRawConfig } from "./fixtures";

export function fixtureConfig(name: string): Record<string, unknown> {
    const file = path.join(__dirname, "..", "fixtures", "config", "good", `${name}.yaml`);
    const { raw } = loadStackFile(file);
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(raw.values)) {
        out[k] = raw.secretKeys.has(k) ? { secure: v } : safeParse(v);
    }
    return out;
}

function safeParse(v: string): unknown {
    try {
        const parsed = JSON.parse(v);
        return typeof parsed === "object" ? parsed : v;
    } catch {
        return v;
    }
}

/** Deep-merges `patch` into a fixture's config objects (one level of objects). */
export function withOverrides(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
    const out = { ...base };
    for (const [k, v] of Object.entries(patch)) {
        const cur = out[k];
        out[k] =
            v && typeof v === "object" && !Array.isArray(v) && !("secure" in v) && cur && typeof cur === "object"
                ? { ...(cur as object), ...(v as object) }
                : v;
    }
    return out;
}

/** The raw config map and secret keys the mock runtime takes, plus the validated config. */
export function stackConfig(config: Record<string, unknown>): { values: Record<string, string>; secretKeys: string[]; cfg: HydraConfig } {
    const raw = toRawConfig(config);
    return { values: raw.values, secretKeys: [...raw.secretKeys], cfg: validateConfig(raw, APPS) };
}
