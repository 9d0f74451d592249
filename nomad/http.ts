/**
 * How the client talks to Nomad: one request with a timeout, retried with
 * jittered exponential backoff while Nomad is unreachable or has no leader.
 *
 * Serialized with the providers: Node built-ins only (global `fetch`,
 * `AbortSignal`, `setTimeout`), no module-level values the code reads, and
 * the token or a variable's items never reach a message.
 */
import { NomadError } from "./errors";

export interface NomadClientOptions {
    /** e.g. "http://100.64.0.1:4646". */
    address: string;
    /** ACL token, sent as `X-Nomad-Token`. Never logged, never in an error. */
    token?: string;
    /** Default namespace for every call (`?namespace=`); a per-call namespace wins. */
    namespace?: string;
    /** Default region for every call (`?region=`). */
    region?: string;
    /**
     * How long to keep retrying transient failures (connection refused/reset,
     * timeouts, `No cluster leader`, ...). Default 600 s. 0 = one attempt.
     */
    retryTimeoutSeconds?: number;
    /** Per-request timeout. Default 30 s. */
    requestTimeoutSeconds?: number;
    /** First backoff delay; doubles on each retry. Default 500 ms. */
    initialBackoffMs?: number;
    /** Backoff ceiling. Default 10 s. */
    maxBackoffMs?: number;
    /** Where retry notices go (default: nowhere). Never receives secrets. */
    log?: (message: string) => void;
}

export interface CallOptions {
    namespace?: string;
    region?: string;
}

export type Query = Record<string, string | number | boolean | undefined>;

export interface RequestSpec {
    method: "GET" | "PUT" | "POST" | "DELETE";
    path: string;
    query?: Query;
    body?: unknown;
    /** Statuses handed back to the caller instead of thrown. */
    accept?: number[];
    /** Extra strings to keep out of any message (e.g. variable item values). */
    secrets?: string[];
    /** Override the retry window for this call (seconds). */
    retryTimeoutSeconds?: number;
}

export interface RawResponse {
    status: number;
    text: string;
}

/** The options with defaults applied. */
export interface Connection {
    address: string;
    token: string | undefined;
    retryTimeoutSeconds: number;
    requestTimeoutMs: number;
    initialBackoffMs: number;
    maxBackoffMs: number;
    log: (message: string) => void;
}

export function connection(options: NomadClientOptions): Connection {
    if (!options || typeof options.address !== "string" || options.address === "") {
        throw new Error("NomadClient: address is required (e.g. http://127.0.0.1:4646)");
    }
    return {
        address: options.address.replace(/\/+$/, ""),
        token: options.token || undefined,
        retryTimeoutSeconds: options.retryTimeoutSeconds ?? 600,
        requestTimeoutMs: (options.requestTimeoutSeconds ?? 30) * 1000,
        initialBackoffMs: options.initialBackoffMs ?? 500,
        maxBackoffMs: options.maxBackoffMs ?? 10000,
        log: options.log ?? (() => undefined),
    };
}

/** 500 messages Nomad returns while it is not ready; worth retrying. */
function isTransientMessage(status: number, text: string): boolean {
    return status === 500 && /No cluster leader|Not ready to serve consistent reads|No path to region/.test(text);
}

/** Network-level failures worth retrying (the agent is still booting or restarting). */
function describeNetworkError(e: unknown): { reason: string; transient: boolean } {
    const err = e as { name?: string; message?: string; code?: string; cause?: { code?: string; message?: string; name?: string } };
    if (err && (err.name === "TimeoutError" || err.name === "AbortError")) {
        return { reason: "request timed out", transient: true };
    }
    const cause = err?.cause;
    const code = cause?.code ?? err?.code;
    const transientCodes = [
        "ECONNREFUSED",
        "ECONNRESET",
        "ETIMEDOUT",
        "EPIPE",
        "EHOSTUNREACH",
        "ENETUNREACH",
        "EAI_AGAIN",
        "UND_ERR_SOCKET",
        "UND_ERR_CONNECT_TIMEOUT",
        "UND_ERR_HEADERS_TIMEOUT",
        "UND_ERR_BODY_TIMEOUT",
        "UND_ERR_CLOSED",
    ];
    const reason = cause?.message || err?.message || String(e);
    if (code && transientCodes.indexOf(code) >= 0) {
        return { reason, transient: true };
    }
    if (cause && (cause.name === "TimeoutError" || cause.name === "ConnectTimeoutError")) {
        return { reason: "connect timeout", transient: true };
    }
    // "other side closed" and friends carry no code on some undici versions.
    if (/other side closed|socket hang up|ECONNRESET|ECONNREFUSED/i.test(reason)) {
        return { reason, transient: true };
    }
    return { reason, transient: false };
}

/** Replace every secret (token, variable item values) in `text`. */
export function scrub(text: string, secrets: string[]): string {
    let out = text;
    for (const s of secrets) {
        if (s && s.length >= 4) {
            out = out.split(s).join("[redacted]");
        }
    }
    return out;
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The path with its query string (empty values left out); never holds secrets. */
export function describePath(path: string, query?: Query): string {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) {
        if (v !== undefined && v !== "") {
            q.set(k, String(v));
        }
    }
    const qs = q.toString();
    return qs ? `${path}?${qs}` : path;
}

/** Encode a variable path segment by segment (slashes stay path separators). */
export function encodeVarPath(path: string): string {
    return path
        .split("/")
        .map((s) => encodeURIComponent(s))
        .join("/");
}

/** One call, retried while the failure is transient and the window lasts. */
export async function send(conn: Connection, spec: RequestSpec): Promise<RawResponse> {
    const pathWithQuery = describePath(spec.path, spec.query);
    const url = conn.address + pathWithQuery;
    const secrets = (spec.secrets ?? []).concat(conn.token ? [conn.token] : []);
    const headers: Record<string, string> = { Accept: "application/json" };
    if (conn.token) {
        headers["X-Nomad-Token"] = conn.token;
    }
    let payload: string | undefined;
    if (spec.body !== undefined) {
        headers["Content-Type"] = "application/json";
        payload = JSON.stringify(spec.body);
    }
    const windowSeconds = spec.retryTimeoutSeconds ?? conn.retryTimeoutSeconds;
    const started = Date.now();
    const deadline = started + windowSeconds * 1000;
    let delay = conn.initialBackoffMs;
    let attempt = 0;
    for (;;) {
        attempt++;
        let failure: NomadError;
        try {
            const res = await fetch(url, {
                method: spec.method,
                headers,
                body: payload,
                signal: AbortSignal.timeout(conn.requestTimeoutMs),
            });
            const text = await res.text();
            if (res.ok || (spec.accept && spec.accept.indexOf(res.status) >= 0)) {
                return { status: res.status, text };
            }
            const message = scrub(text.trim() || res.statusText || "(empty body)", secrets);
            failure = new NomadError(spec.method, pathWithQuery, res.status, message, isTransientMessage(res.status, text));
        } catch (e) {
            const { reason, transient } = describeNetworkError(e);
            failure = new NomadError(spec.method, pathWithQuery, undefined, scrub(reason, secrets), transient);
        }
        if (!failure.transient) {
            throw failure;
        }
        const jitter = 0.8 + Math.random() * 0.4;
        const wait = Math.min(Math.round(delay * jitter), conn.maxBackoffMs);
        if (Date.now() + wait > deadline) {
            const waited = Math.round((Date.now() - started) / 1000);
            throw new NomadError(
                failure.method,
                failure.path,
                failure.status,
                failure.nomadMessage,
                true,
                undefined,
                attempt > 1 ? `(gave up after ${attempt} attempts over ${waited}s)` : undefined,
            );
        }
        conn.log(
            `Nomad ${spec.method} ${pathWithQuery} at ${conn.address}: ${failure.nomadMessage}; retrying in ${(wait / 1000).toFixed(1)}s (attempt ${attempt})`,
        );
        await sleep(wait);
        delay = Math.min(delay * 2, conn.maxBackoffMs);
    }
}
