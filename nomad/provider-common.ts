/**
 * What both dynamic providers share. Serialized with them (see job-provider.ts):
 * Node built-ins and local modules only, nothing captured from config.
 */
import { NomadClient, NomadClientOptions } from "./client";
import { isNomadError } from "./errors";
import { canonicalJson } from "./normalize";
import type { NomadTls } from "./transport";

/** Pulumi's marker for a value not known during preview. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function hasUnknown(v: unknown): boolean {
    if (v === UNKNOWN) {
        return true;
    }
    if (Array.isArray(v)) {
        return v.some(hasUnknown);
    }
    if (typeof v === "object" && v !== null) {
        return Object.keys(v).some((k) => hasUnknown((v as Record<string, unknown>)[k]));
    }
    return false;
}

/** Provider diagnostics: stderr of the provider process, which the engine logs. */
export function log(message: string): void {
    console.error(`nomad: ${message}`);
}

/**
 * Progress lines while waiting. The engine shows a dynamic provider's stdout
 * live, attributed to the stack (pulumi.log from the provider process ends up
 * there too, with nothing more), so each line names its job.
 */
export function progress(message: string): void {
    console.log(`nomad: ${message}`);
}

/** Where to reach Nomad: the inputs of every resource. `tls` and `headers` are stored as secrets. */
export interface Reach {
    address: string;
    token?: string;
    region?: string;
    retryTimeoutSeconds?: number;
    tls?: NomadTls;
    headers?: Record<string, string>;
}

/** Whether the TLS settings or headers differ (an update that makes no call, so later calls use the new ones). */
export function connectionChanged(olds: Reach, news: Reach): boolean {
    return canonicalJson(olds.tls ?? {}) !== canonicalJson(news.tls ?? {}) || canonicalJson(olds.headers ?? {}) !== canonicalJson(news.headers ?? {});
}

/** A client for one call; `quick` = one attempt, 10 s (preview must not hang on a booting node). */
export function clientFor(inputs: Reach, quick?: boolean): NomadClient {
    return new NomadClient(clientOptions(inputs, quick));
}

/** How a provider reaches Nomad from its inputs, for NomadClient and the ACL client alike. */
export function clientOptions(inputs: Reach, quick?: boolean): NomadClientOptions {
    return {
        address: inputs.address,
        token: inputs.token,
        region: inputs.region || undefined,
        tls: inputs.tls,
        headers: inputs.headers,
        retryTimeoutSeconds: quick ? 0 : inputs.retryTimeoutSeconds,
        requestTimeoutSeconds: quick ? 10 : undefined,
        log,
    };
}

/** Drop undefined values (the engine's protobuf conversion rejects them). */
export function clean<T extends object>(o: T): T {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) {
        if (v !== undefined) {
            out[k] = v;
        }
    }
    return out as T;
}

/** A created-but-unhealthy resource: the engine records `id`/`properties` and reports `reasons`. */
export type InitFailure = Error & { id: string; properties: unknown; reasons: string[] };

export function initFailure(message: string, id: string, properties: unknown): InitFailure {
    const e = new Error(message) as InitFailure;
    e.id = id;
    e.properties = properties;
    e.reasons = [message];
    return e;
}

function isInitFailure(e: unknown): e is InitFailure {
    const err = e as Partial<InitFailure>;
    return !!err && typeof err === "object" && err.id !== undefined && err.properties !== undefined;
}

/** A plain Error named after the resource, carrying Nomad's words. */
export function resourceError(kind: string, name: string, action: string, e: unknown): Error {
    if (isNomadError(e)) {
        return new Error(`${kind} "${name}": ${action} failed: ${e.message}`);
    }
    const message = typeof e === "object" && e !== null && "message" in e ? String((e as Error).message) : String(e);
    return new Error(message.startsWith(`${kind} `) ? message : `${kind} "${name}": ${action} failed: ${message}`);
}

/**
 * Errors leaving a provider are plain Errors (a serialized NomadError is not an
 * Error subclass); an init failure is rebuilt with its id/properties kept.
 */
export async function guard<T>(toError: (e: unknown) => Error, fn: () => Promise<T>): Promise<T> {
    try {
        return await fn();
    } catch (e) {
        if (isInitFailure(e)) {
            const out = new Error(String(e.message)) as InitFailure;
            out.id = e.id;
            out.properties = e.properties;
            out.reasons = e.reasons;
            throw out;
        }
        throw toError(e);
    }
}
