import * as pulumi from "@pulumi/pulumi";
import { fullKey } from "./keys";
import { Problems, show } from "./problems";

/** Config as Pulumi hands it to a program: strings by full key, plus which keys are secret. */
export interface RawConfig {
    values: Record<string, string>;
    secretKeys: ReadonlySet<string>;
    /** The secrets' values are stand-ins (a rendering reads the stack file, where they are encrypted): a secret's form is not checked. */
    secretsUnread?: boolean;
}

/** A value that came from `pulumi config set --secret`; stays an Output so it is never printed. */
export type Secret = pulumi.Output<string>;

/** YAML's empty value (`region:`) means "not set", as it always has; drops such fields at every depth. */
function withoutEmptyFields(v: unknown): unknown {
    if (Array.isArray(v)) {
        return v.map(withoutEmptyFields);
    }
    if (v !== null && typeof v === "object") {
        return Object.fromEntries(
            Object.entries(v)
                .filter(([, field]) => field !== null)
                .map(([k, field]) => [k, withoutEmptyFields(field)]),
        );
    }
    return v;
}

/** Reads the raw config by short key, reporting values stored the wrong way (not an object, a secret in the clear). */
export class ConfigSource {
    constructor(
        readonly raw: RawConfig,
        readonly problems: Problems,
    ) {}

    /** The string under `hydra:<short>`; "" (the engine's empty default) counts as unset. */
    text(short: string): string | undefined {
        const v = this.raw.values[fullKey(short)];
        return v === "" ? undefined : v;
    }

    /** The object under `hydra:<short>`, or {} when unset or not an object (then also a problem). */
    object(short: string): Record<string, unknown> {
        const text = this.text(short);
        if (text === undefined) {
            return {};
        }
        let v: unknown;
        try {
            v = JSON.parse(text);
        } catch {
            v = text;
        }
        if (v === null) {
            return {};
        }
        if (typeof v !== "object" || Array.isArray(v)) {
            const how = `set its fields with pulumi config set --path ${short}.<field> <value>`;
            this.problems.add(fullKey(short), "invalid", `expected an object (${how}), got ${show(v)}`);
            return {};
        }
        return withoutEmptyFields(v) as Record<string, unknown>;
    }

    /** A secret as an Output, or undefined when unset. One stored in plain text is a problem whose message never holds the value. */
    secret(short: string): Secret | undefined {
        const value = this.text(short);
        if (value === undefined) {
            return undefined;
        }
        if (!this.raw.secretKeys.has(fullKey(short))) {
            this.problems.add(fullKey(short), "plain-text-secret", plainTextMessage(short));
            return undefined;
        }
        return pulumi.secret(value);
    }
}

/** What to do about a secret typed without --secret; `key` as the user types it (`tailscaleAuthKey`, `digitalocean:token`). */
export function plainTextMessage(key: string): string {
    return `is stored in plain text; store it encrypted with: pulumi config set --secret ${key} <value>`;
}
