// What every rule works on: a resource as plain data (type, name, inputs or
// outputs, protect), with values the engine does not know yet marked UNKNOWN.
// Rules are pure functions of these views; index.ts adapts the policy SDK to them.
import { RESOURCE_TYPES } from "../../vocabulary/typeTokens";

/** Stands for a value that is not known yet (during preview, one computed by another resource). */
export const UNKNOWN: unique symbol = Symbol("unknown");
export type Unknown = typeof UNKNOWN;

export function isUnknown(v: unknown): v is Unknown {
    return v === UNKNOWN;
}

export interface ResourceView {
    /** Type token, e.g. "digitalocean:index/firewall:Firewall". */
    type: string;
    /** The Pulumi resource name (the first argument of its constructor). */
    name: string;
    urn: string;
    /** Inputs (resource policies) or outputs (stack policies), plain data. */
    props: Record<string, unknown>;
    /** The `protect` resource option. */
    protect: boolean;
}

/** A violation found by a stack-wide rule, attached to a resource when one is to blame. */
export interface Violation {
    message: string;
    urn?: string;
}

export const TYPES = RESOURCE_TYPES;

export function isRecord(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * A field of an object, matched the way Nomad's JSON decoder matches struct
 * fields: exactly, or else case-insensitively ("taskGroups" is "TaskGroups").
 */
export function field(obj: unknown, key: string): unknown {
    if (!isRecord(obj)) {
        return undefined;
    }
    if (key in obj) {
        return obj[key];
    }
    const lower = key.toLowerCase();
    for (const k of Object.keys(obj)) {
        if (k.toLowerCase() === lower) {
            return obj[k];
        }
    }
    return undefined;
}

export function list(v: unknown): unknown[] {
    return Array.isArray(v) ? v : [];
}

export function str(v: unknown): string | undefined {
    return typeof v === "string" ? v : undefined;
}

/** A name for messages: `Firewall "hydra-firewall"`. */
export function describe(r: Pick<ResourceView, "type" | "name">): string {
    const kind = r.type.split(":").pop() || r.type;
    return `${kind} "${r.name}"`;
}

/** Every string inside a value, with the path it was found at ("TaskGroups[0].Tasks[1].Env.FOO"). */
export function* strings(v: unknown, path = ""): Generator<{ path: string; value: string }> {
    if (typeof v === "string") {
        yield { path, value: v };
    } else if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) {
            yield* strings(v[i], `${path}[${i}]`);
        }
    } else if (isRecord(v)) {
        for (const [k, x] of Object.entries(v)) {
            yield* strings(x, path ? `${path}.${k}` : k);
        }
    }
}

/** "a", "a and b", "a, b and c". */
export function joinAnd(items: string[]): string {
    if (items.length <= 1) {
        return items.join("");
    }
    return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
