/**
 * How the client talks to Nomad: one request with a timeout, retried with
 * jittered exponential backoff while Nomad is unreachable or has no leader.
 *
 * Serialized with the providers: Node built-ins only (`http`, `https`,
 * `AbortSignal`, `setTimeout`), no module-level values the code reads, and
 * the token, a client key, header values or a variable's items never reach a message.
 */
import type { Agent } from "http";
import { NomadError } from "./errors";
import { NomadTls, agentFor, exchange } from "./transport";

export type { NomadTls } from "./transport";

export interface NomadClientOptions {
    /** e.g. "http://100.64.0.1:4646". */
    address: string;
    /** ACL token, sent as `X-Nomad-Token`. Never logged, never in an error. */
    token?: string;
    /** Default namespace for every call (`?namespace=`); a per-call namespace wins. */
    namespace?: string;
    /** Default region for every call (`?region=`). */
    region?: string;
    /** CA, client certificate and key, server name, skip-verify: for an `https://` address. */
    tls?: NomadTls;
    /** Extra headers on every request (e.g. for a proxy in front of Nomad); their values are kept out of messages. */
    headers?: Record<string, string>;
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
    headers: Record<string, string>;
    /** Whether a client certificate is presented (for the hint when Nomad asks for one). */
    clientCert: boolean;
    agent: Agent;
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
    const address = options.address.replace(/\/+$/, "");
    const log = options.log ?? (() => undefined);
    if (options.tls?.skipVerify && /^https:/i.test(address)) {
        // Once per address and process (a process-wide record: module values are not serialized with the providers).
        const g = globalThis as { __nomadSkipVerifyWarned?: Set<string> };
        const warned = (g.__nomadSkipVerifyWarned ??= new Set());
        if (!warned.has(address)) {
            warned.add(address);
            log(`TLS certificate verification is off (skipVerify) for ${address}: whoever sits between here and Nomad can read the token`);
        }
    }
    return {
        address,
        token: options.token || undefined,
        headers: { ...(options.headers ?? {}) },
        clientCert: !!options.tls?.clientCert,
        agent: agentFor(address, options.tls),
        retryTimeoutSeconds: options.retryTimeoutSeconds ?? 600,
        requestTimeoutMs: (options.requestTimeoutSeconds ?? 30) * 1000,
        initialBackoffMs: options.initialBackoffMs ?? 500,
        maxBackoffMs: options.maxBackoffMs ?? 10000,
        log,
    };
}

/** 500 messages Nomad returns while it is not ready; worth retrying. */
function isTransientMessage(status: number, text: string): boolean {
    return status === 500 && /No cluster leader|Not ready to serve consistent reads|No path to region/.test(text);
}

/** TLS failures: never transient, each with what to change. */
function describeTlsError(code: string, raw: string, conn: Connection): string | undefined {
    // OpenSSL's text is a line of internals around the alert it names ("tlsv13 alert certificate required").
    const alert = raw.match(/(?:tlsv1\d?|sslv3) alert [a-z ]+|wrong version number|packet length too long|unknown protocol/i);
    const reason = alert ? `TLS handshake failed (${alert[0].trim()})` : raw;
    const untrusted = [
        "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
        "UNABLE_TO_GET_ISSUER_CERT",
        "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
        "SELF_SIGNED_CERT_IN_CHAIN",
        "DEPTH_ZERO_SELF_SIGNED_CERT",
        "CERT_SIGNATURE_FAILURE",
    ];
    if (untrusted.indexOf(code) >= 0) {
        return `${reason}: the server's certificate is not signed by a CA this client trusts (give Nomad's CA certificate: tls.caCert, or NOMAD_CACERT)`;
    }
    if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
        return `${reason} (give the name the server's certificate carries, e.g. "server.global.nomad": tls.serverName, or NOMAD_TLS_SERVER_NAME)`;
    }
    if (code === "CERT_HAS_EXPIRED" || code === "CERT_NOT_YET_VALID") {
        return `${reason}: renew it with \`nomad tls cert create\``;
    }
    if (/certificate required|bad certificate|unknown ca|handshake failure|certificate unknown/i.test(reason)) {
        return conn.clientCert
            ? `${reason}: Nomad refused this client certificate (is it signed by the agent's CA, and made with \`nomad tls cert create -cli\` or -client?)`
            : `${reason}: Nomad asks for a client certificate (mTLS, verify_https_client): give tls.clientCert and tls.clientKey, or NOMAD_CLIENT_CERT and NOMAD_CLIENT_KEY`;
    }
    if (/wrong version number|packet length too long|unknown protocol/i.test(reason)) {
        return `${reason}: the address answers plain HTTP, not TLS (use http://, or turn TLS on in the agent)`;
    }
    return code.startsWith("ERR_SSL_") || code.startsWith("ERR_TLS_") || code === "EPROTO" ? reason : undefined;
}

/** Network-level failures worth retrying (the agent is still booting or restarting); TLS failures are not. */
function describeNetworkError(e: unknown, conn: Connection): { reason: string; transient: boolean } {
    const err = e as { name?: string; message?: string; code?: string; cause?: { code?: string; message?: string; name?: string } };
    if (err && (err.name === "TimeoutError" || err.name === "AbortError")) {
        return { reason: "request timed out", transient: true };
    }
    const cause = err?.cause;
    const code = cause?.code ?? err?.code ?? "";
    const reason = cause?.message || err?.message || String(e);
    const tls = describeTlsError(code, reason, conn);
    if (tls) {
        return { reason: tls, transient: false };
    }
    const transientCodes = ["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"];
    if (code && transientCodes.indexOf(code) >= 0) {
        return { reason, transient: true };
    }
    if (/other side closed|socket hang up|ECONNRESET|ECONNREFUSED/i.test(reason)) {
        return { reason, transient: true };
    }
    return { reason, transient: false };
}

/**
 * Nomad answers "Permission denied" both to a token it does not know and to one without the
 * policy: one look at `/v1/acl/token/self` tells them apart (only after a refusal).
 */
async function whoseToken(conn: Connection): Promise<string> {
    try {
        const res = await exchange(conn.agent, {
            method: "GET",
            url: `${conn.address}/v1/acl/token/self`,
            headers: { ...conn.headers, Accept: "application/json", "X-Nomad-Token": conn.token ?? "" },
            timeoutMs: conn.requestTimeoutMs,
        });
        if (res.status === 200) {
            const self = JSON.parse(res.text) as { Name?: string; Policies?: string[] | null };
            const policies = (self.Policies ?? []).join(", ") || "none";
            return `(the ACL token${self.Name ? ` "${self.Name}"` : ""} has no policy that allows this call; its policies: ${policies})`;
        }
        if (res.status === 403 || res.status === 404) {
            return "(the ACL token is not one this cluster knows: bootstrapped again, or a token of another cluster?)";
        }
    } catch {
        // The refusal itself is what matters; the look-up was a courtesy.
    }
    return "(the ACL token has no policy that allows this call)";
}

/** What to do about a refusal Nomad's own words do not explain: ACL tokens, HTTP to an HTTPS agent. */
function refusalNote(status: number, text: string, conn: Connection): string | undefined {
    if (status === 403 && !conn.token) {
        return "(no ACL token was sent and Nomad's ACLs are on: give the token, e.g. NOMAD_TOKEN, or the stack's nomadToken)";
    }
    if (status === 403 && /ACL token not found/i.test(text)) {
        return "(the ACL token is not one this cluster knows: bootstrapped again, or a token of another cluster?)";
    }
    if (status === 403 && /Permission denied/i.test(text)) {
        return "(the ACL token has no policy that allows this call)";
    }
    if (status === 400 && /HTTP request to an HTTPS server/i.test(text)) {
        return "(the agent serves TLS: use an https:// address)";
    }
    return undefined;
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
    const secrets = (spec.secrets ?? []).concat(conn.token ? [conn.token] : [], Object.values(conn.headers));
    const headers: Record<string, string> = { ...conn.headers, Accept: "application/json" };
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
            const res = await exchange(conn.agent, { method: spec.method, url, headers, body: payload, timeoutMs: conn.requestTimeoutMs });
            if ((res.status >= 200 && res.status < 300) || (spec.accept && spec.accept.indexOf(res.status) >= 0)) {
                return { status: res.status, text: res.text };
            }
            const message = scrub(res.text.trim() || res.statusText || "(empty body)", secrets);
            const note =
                res.status === 403 && conn.token && /Permission denied/i.test(res.text) ? await whoseToken(conn) : refusalNote(res.status, res.text, conn);
            failure = new NomadError(spec.method, pathWithQuery, res.status, message, isTransientMessage(res.status, res.text), undefined, note);
        } catch (e) {
            const { reason, transient } = describeNetworkError(e, conn);
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
