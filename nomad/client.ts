/**
 * A small typed client for the parts of Nomad's HTTP API our resources use.
 *
 * Node built-ins only (global `fetch`, `AbortSignal`, `setTimeout`): this code
 * is serialized into the Pulumi state together with the dynamic providers and
 * runs in the engine's provider process. Keep it that way:
 *   - no imports other than types,
 *   - no class field initializers and no module-level exported constants that
 *     the code reads (the closure serializer rewrites classes into functions
 *     and drops field declarations),
 *   - never put the token or a variable's items into a message.
 */
import type {
    Deployment,
    Job,
    JobDeregisterResponse,
    JobPlanResponse,
    JobRegisterResponse,
    JobValidateResponse,
    ServerJob,
    Variable,
    VariableMetadata,
} from "./types";

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

/**
 * An error from Nomad (an HTTP status with Nomad's plain-text message) or from
 * reaching it (no status). Carries the method and path, never the token.
 */
export class NomadError extends Error {
    /** HTTP status, or undefined when Nomad could not be reached. */
    readonly status: number | undefined;
    readonly method: string;
    /** Request path including the query string (which never holds secrets). */
    readonly path: string;
    /** Nomad's own message (plain-text body), or the network failure. */
    readonly nomadMessage: string;
    /** Whether the failure was a transient one (retried until the deadline). */
    readonly transient: boolean;
    /** Whether the failure is a lost `EnforceIndex` race. */
    readonly indexConflict: boolean;
    /** For a variable check-and-set conflict (409): the current variable, without items. */
    readonly conflict: VariableMetadata | undefined;

    constructor(
        method: string,
        path: string,
        status: number | undefined,
        nomadMessage: string,
        transient: boolean,
        conflict?: VariableMetadata,
        note?: string,
    ) {
        const where = `Nomad ${method} ${path}`;
        const message =
            status === undefined
                ? `${where} failed: ${nomadMessage}${note ? ` ${note}` : ""}`
                : `${where} returned ${status}: ${nomadMessage}${note ? ` ${note}` : ""}`;
        super(message);
        // Set explicitly: the closure serializer turns this class into a plain
        // function, where `super(message)` would not set them.
        this.message = message;
        this.name = "NomadError";
        this.status = status;
        this.method = method;
        this.path = path;
        this.nomadMessage = nomadMessage;
        this.transient = transient;
        this.indexConflict = status === 500 && /^Enforcing job modify index/.test(nomadMessage);
        this.conflict = conflict;
    }
}

/** Whether `e` is a NomadError (also across the serialization boundary). */
export function isNomadError(e: unknown): e is NomadError {
    return typeof e === "object" && e !== null && (e as { name?: unknown }).name === "NomadError" && "nomadMessage" in e;
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
function scrub(text: string, secrets: string[]): string {
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

interface RequestSpec {
    method: "GET" | "PUT" | "POST" | "DELETE";
    path: string;
    query?: Record<string, string | number | boolean | undefined>;
    body?: unknown;
    /** Statuses handed back to the caller instead of thrown. */
    accept?: number[];
    /** Extra strings to keep out of any message (e.g. variable item values). */
    secrets?: string[];
    /** Override the retry window for this call (seconds). */
    retryTimeoutSeconds?: number;
}

interface RawResponse {
    status: number;
    text: string;
}

export class NomadClient {
    readonly address: string;
    readonly namespace: string | undefined;
    readonly region: string | undefined;
    readonly retryTimeoutSeconds: number;
    private readonly token: string | undefined;
    private readonly requestTimeoutMs: number;
    private readonly initialBackoffMs: number;
    private readonly maxBackoffMs: number;
    private readonly log: (message: string) => void;

    constructor(options: NomadClientOptions) {
        if (!options || typeof options.address !== "string" || options.address === "") {
            throw new Error("NomadClient: address is required (e.g. http://127.0.0.1:4646)");
        }
        this.address = options.address.replace(/\/+$/, "");
        this.token = options.token || undefined;
        this.namespace = options.namespace || undefined;
        this.region = options.region || undefined;
        this.retryTimeoutSeconds = options.retryTimeoutSeconds ?? 600;
        this.requestTimeoutMs = (options.requestTimeoutSeconds ?? 30) * 1000;
        this.initialBackoffMs = options.initialBackoffMs ?? 500;
        this.maxBackoffMs = options.maxBackoffMs ?? 10000;
        this.log = options.log ?? (() => undefined);
    }

    // ---- jobs --------------------------------------------------------------

    /** `PUT /v1/jobs`: create or update. `enforceIndex` makes it fail if the job changed since that index. */
    async registerJob(job: Job, opts: CallOptions & { enforceIndex?: number; policyOverride?: boolean } = {}): Promise<JobRegisterResponse> {
        const body: Record<string, unknown> = { Job: job };
        if (opts.enforceIndex !== undefined) {
            body.EnforceIndex = true;
            body.JobModifyIndex = opts.enforceIndex;
        }
        if (opts.policyOverride) {
            body.PolicyOverride = true;
        }
        const res = await this.request({ method: "PUT", path: "/v1/jobs", query: this.scope(opts), body });
        return JSON.parse(res.text) as JobRegisterResponse;
    }

    /** `GET /v1/job/:id`: the server's defaulted job, or undefined when absent. */
    async readJob(id: string, opts: CallOptions = {}): Promise<ServerJob | undefined> {
        const res = await this.request({
            method: "GET",
            path: `/v1/job/${encodeURIComponent(id)}`,
            query: this.scope(opts),
            accept: [404],
        });
        return res.status === 404 ? undefined : (JSON.parse(res.text) as ServerJob);
    }

    /** `PUT /v1/job/:id/plan`: a dry run; with `diff` the reply says what changes. */
    async planJob(job: Job, opts: CallOptions & { diff?: boolean; retryTimeoutSeconds?: number } = {}): Promise<JobPlanResponse> {
        const res = await this.request({
            method: "PUT",
            path: `/v1/job/${encodeURIComponent(job.ID)}/plan`,
            query: this.scope(opts),
            body: { Job: job, Diff: opts.diff ?? true },
            retryTimeoutSeconds: opts.retryTimeoutSeconds,
        });
        return JSON.parse(res.text) as JobPlanResponse;
    }

    /** `DELETE /v1/job/:id`: stop (or purge) a job. An absent job is success (returns undefined). */
    async deregisterJob(id: string, opts: CallOptions & { purge?: boolean } = {}): Promise<JobDeregisterResponse | undefined> {
        const res = await this.request({
            method: "DELETE",
            path: `/v1/job/${encodeURIComponent(id)}`,
            query: { ...this.scope(opts), purge: opts.purge ? "true" : undefined },
            accept: [404],
        });
        return res.status === 404 ? undefined : (JSON.parse(res.text) as JobDeregisterResponse);
    }

    /** `GET /v1/jobs?prefix=`: job stubs whose ID starts with `prefix`. */
    async listJobs(prefix: string, opts: CallOptions = {}): Promise<{ ID: string; ParentID?: string }[]> {
        const res = await this.request({ method: "GET", path: "/v1/jobs", query: { ...this.scope(opts), prefix } });
        return JSON.parse(res.text) as { ID: string; ParentID?: string }[];
    }

    /** `PUT /v1/validate/job` (body wrapped as `{Job}`). */
    async validateJob(job: Job, opts: CallOptions = {}): Promise<JobValidateResponse> {
        const res = await this.request({ method: "PUT", path: "/v1/validate/job", query: this.scope(opts), body: { Job: job } });
        return JSON.parse(res.text) as JobValidateResponse;
    }

    /** `PUT /v1/jobs/parse`: HCL (with an HCL2 var-file text) to job JSON, by the server. */
    async parseJob(hcl: string, opts: { variables?: string; canonicalize?: boolean; retryTimeoutSeconds?: number } = {}): Promise<Job> {
        const res = await this.request({
            method: "PUT",
            path: "/v1/jobs/parse",
            body: { JobHCL: hcl, Variables: opts.variables ?? "", Canonicalize: opts.canonicalize ?? false },
            retryTimeoutSeconds: opts.retryTimeoutSeconds,
        });
        return JSON.parse(res.text) as Job;
    }

    /** `GET /v1/job/:id/deployment`: the most recent deployment, or undefined. */
    async latestDeployment(id: string, opts: CallOptions = {}): Promise<Deployment | undefined> {
        const res = await this.request({
            method: "GET",
            path: `/v1/job/${encodeURIComponent(id)}/deployment`,
            query: this.scope(opts),
            accept: [404],
        });
        if (res.status === 404) {
            return undefined;
        }
        const d = JSON.parse(res.text) as Deployment | null;
        return d ?? undefined;
    }

    // ---- variables ---------------------------------------------------------

    /** `GET /v1/var/:path`, or undefined when absent. */
    async getVariable(path: string, opts: CallOptions = {}): Promise<Variable | undefined> {
        const res = await this.request({
            method: "GET",
            path: `/v1/var/${encodeVarPath(path)}`,
            query: this.scope(opts),
            accept: [404],
        });
        return res.status === 404 ? undefined : (JSON.parse(res.text) as Variable);
    }

    /**
     * `PUT /v1/var/:path` with optional check-and-set (`cas: 0` = create only
     * if absent). A CAS conflict throws a NomadError with status 409 whose
     * `conflict` holds the current variable's metadata (never its items).
     */
    async putVariable(path: string, items: Record<string, string>, opts: CallOptions & { cas?: number } = {}): Promise<Variable> {
        const scope = this.scope(opts);
        const secrets = Object.values(items ?? {});
        const res = await this.request({
            method: "PUT",
            path: `/v1/var/${encodeVarPath(path)}`,
            query: { ...scope, cas: opts.cas },
            body: { Namespace: scope.namespace, Path: path, Items: items },
            accept: [409],
            secrets,
        });
        if (res.status === 409) {
            throw this.casConflict("PUT", path, scope, opts.cas, res.text, secrets);
        }
        return JSON.parse(res.text) as Variable;
    }

    /** `DELETE /v1/var/:path` (optionally with `cas`). An absent variable is success. */
    async deleteVariable(path: string, opts: CallOptions & { cas?: number } = {}): Promise<void> {
        const scope = this.scope(opts);
        const res = await this.request({
            method: "DELETE",
            path: `/v1/var/${encodeVarPath(path)}`,
            query: { ...scope, cas: opts.cas },
            accept: [404, 409],
        });
        if (res.status === 409) {
            throw this.casConflict("DELETE", path, scope, opts.cas, res.text, []);
        }
    }

    // ---- status ------------------------------------------------------------

    /** `GET /v1/status/leader`: the leader's RPC address ("" when none). */
    async leader(opts: { retryTimeoutSeconds?: number } = {}): Promise<string> {
        const res = await this.request({
            method: "GET",
            path: "/v1/status/leader",
            query: this.scope({}),
            retryTimeoutSeconds: opts.retryTimeoutSeconds,
        });
        return JSON.parse(res.text) as string;
    }

    // ---- plumbing ----------------------------------------------------------

    private scope(opts: CallOptions): { namespace?: string; region?: string } {
        return { namespace: opts.namespace || this.namespace, region: opts.region || this.region };
    }

    private casConflict(method: string, path: string, scope: { namespace?: string }, cas: number | undefined, text: string, secrets: string[]): NomadError {
        let current: VariableMetadata | undefined;
        try {
            const v = JSON.parse(text) as Partial<Variable> | null;
            if (v && typeof v === "object") {
                current = {
                    Namespace: v.Namespace ?? scope.namespace ?? "default",
                    Path: v.Path ?? path,
                    CreateIndex: v.CreateIndex ?? 0,
                    ModifyIndex: v.ModifyIndex ?? 0,
                };
            }
        } catch {
            current = undefined;
        }
        const now = current && current.ModifyIndex ? `current modify index ${current.ModifyIndex}` : "variable absent";
        return new NomadError(
            method,
            this.describePath(`/v1/var/${encodeVarPath(path)}`, { ...scope, cas }),
            409,
            scrub(`check-and-set conflict (cas=${cas ?? "none"}, ${now})`, secrets),
            false,
            current,
        );
    }

    private describePath(path: string, query?: RequestSpec["query"]): string {
        const q = new URLSearchParams();
        for (const [k, v] of Object.entries(query ?? {})) {
            if (v !== undefined && v !== "") {
                q.set(k, String(v));
            }
        }
        const qs = q.toString();
        return qs ? `${path}?${qs}` : path;
    }

    private async request(spec: RequestSpec): Promise<RawResponse> {
        const pathWithQuery = this.describePath(spec.path, spec.query);
        const url = this.address + pathWithQuery;
        const secrets = (spec.secrets ?? []).concat(this.token ? [this.token] : []);
        const headers: Record<string, string> = { Accept: "application/json" };
        if (this.token) {
            headers["X-Nomad-Token"] = this.token;
        }
        let payload: string | undefined;
        if (spec.body !== undefined) {
            headers["Content-Type"] = "application/json";
            payload = JSON.stringify(spec.body);
        }
        const windowSeconds = spec.retryTimeoutSeconds ?? this.retryTimeoutSeconds;
        const started = Date.now();
        const deadline = started + windowSeconds * 1000;
        let delay = this.initialBackoffMs;
        let attempt = 0;
        for (;;) {
            attempt++;
            let failure: NomadError;
            try {
                const res = await fetch(url, {
                    method: spec.method,
                    headers,
                    body: payload,
                    signal: AbortSignal.timeout(this.requestTimeoutMs),
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
            const wait = Math.min(Math.round(delay * jitter), this.maxBackoffMs);
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
            this.log(
                `Nomad ${spec.method} ${pathWithQuery} at ${this.address}: ${failure.nomadMessage}; retrying in ${(wait / 1000).toFixed(1)}s (attempt ${attempt})`,
            );
            await sleep(wait);
            delay = Math.min(delay * 2, this.maxBackoffMs);
        }
    }
}

/** Encode a variable path segment by segment (slashes stay path separators). */
function encodeVarPath(path: string): string {
    return path
        .split("/")
        .map((s) => encodeURIComponent(s))
        .join("/");
}
