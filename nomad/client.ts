/**
 * A small typed client for the parts of Nomad's HTTP API our resources use:
 * one method per endpoint. Retries and the wire live in ./http, the error in
 * ./errors.
 *
 * Serialized into the Pulumi state with the dynamic providers and run in the
 * engine's provider process, so: imports of local modules and types only, no
 * class field initializers (the closure serializer drops field declarations),
 * and never the token or a variable's items in a message.
 */
import type {
    AllocationStub,
    Deployment,
    Evaluation,
    JobDeregisterResponse,
    JobPlanResponse,
    JobRegisterResponse,
    JobSubmission,
    JobValidateResponse,
    ServerJob,
    Variable,
    VariableMetadata,
} from "./api-types";
import type { Job } from "./job-types";
import { NomadError } from "./errors";
import { CallOptions, Connection, NomadClientOptions, connection, describePath, encodeVarPath, scrub, send } from "./http";

export { NomadError, isNomadError } from "./errors";
export type { CallOptions, NomadClientOptions } from "./http";

export class NomadClient {
    readonly address: string;
    readonly namespace: string | undefined;
    readonly region: string | undefined;
    readonly retryTimeoutSeconds: number;
    private readonly conn: Connection;

    constructor(options: NomadClientOptions) {
        this.conn = connection(options);
        this.address = this.conn.address;
        this.namespace = options.namespace || undefined;
        this.region = options.region || undefined;
        this.retryTimeoutSeconds = this.conn.retryTimeoutSeconds;
    }

    // ---- jobs --------------------------------------------------------------

    /**
     * `PUT /v1/jobs`: create or update. `enforceIndex` makes it fail if the job changed since that index;
     * `preserveCounts` keeps the counts of groups Nomad already runs; `submission` is the job's source (Nomad ≥ 1.6).
     */
    async registerJob(
        job: Job,
        opts: CallOptions & { enforceIndex?: number; policyOverride?: boolean; preserveCounts?: boolean; submission?: JobSubmission } = {},
    ): Promise<JobRegisterResponse> {
        const body: Record<string, unknown> = { Job: job };
        if (opts.enforceIndex !== undefined) {
            body.EnforceIndex = true;
            body.JobModifyIndex = opts.enforceIndex;
        }
        if (opts.policyOverride) {
            body.PolicyOverride = true;
        }
        if (opts.preserveCounts) {
            body.PreserveCounts = true;
        }
        if (opts.submission) {
            body.Submission = opts.submission;
        }
        const res = await send(this.conn, { method: "PUT", path: "/v1/jobs", query: this.scope(opts), body });
        return JSON.parse(res.text) as JobRegisterResponse;
    }

    /** `GET /v1/job/:id`: the server's defaulted job, or undefined when absent. */
    async readJob(id: string, opts: CallOptions = {}): Promise<ServerJob | undefined> {
        const res = await send(this.conn, {
            method: "GET",
            path: `/v1/job/${encodeURIComponent(id)}`,
            query: this.scope(opts),
            accept: [404],
        });
        return res.status === 404 ? undefined : (JSON.parse(res.text) as ServerJob);
    }

    /** `PUT /v1/job/:id/plan`: a dry run; with `diff` the reply says what changes. */
    async planJob(job: Job, opts: CallOptions & { diff?: boolean; retryTimeoutSeconds?: number } = {}): Promise<JobPlanResponse> {
        const res = await send(this.conn, {
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
        const res = await send(this.conn, {
            method: "DELETE",
            path: `/v1/job/${encodeURIComponent(id)}`,
            query: { ...this.scope(opts), purge: opts.purge ? "true" : undefined },
            accept: [404],
        });
        return res.status === 404 ? undefined : (JSON.parse(res.text) as JobDeregisterResponse);
    }

    /** `GET /v1/jobs?prefix=`: job stubs whose ID starts with `prefix`. */
    async listJobs(prefix: string, opts: CallOptions = {}): Promise<{ ID: string; ParentID?: string }[]> {
        const res = await send(this.conn, { method: "GET", path: "/v1/jobs", query: { ...this.scope(opts), prefix } });
        return JSON.parse(res.text) as { ID: string; ParentID?: string }[];
    }

    /** `PUT /v1/validate/job` (body wrapped as `{Job}`). */
    async validateJob(job: Job, opts: CallOptions = {}): Promise<JobValidateResponse> {
        const res = await send(this.conn, { method: "PUT", path: "/v1/validate/job", query: this.scope(opts), body: { Job: job } });
        return JSON.parse(res.text) as JobValidateResponse;
    }

    /**
     * `PUT /v1/jobs/parse`: HCL (with an HCL2 var-file text) to job JSON, by the server. The namespace
     * is where ACLs look for the `parse-job` (or `submit-job`) capability.
     */
    async parseJob(hcl: string, opts: { variables?: string; canonicalize?: boolean; retryTimeoutSeconds?: number; namespace?: string } = {}): Promise<Job> {
        const res = await send(this.conn, {
            method: "PUT",
            path: "/v1/jobs/parse",
            query: { namespace: opts.namespace || this.namespace },
            body: { JobHCL: hcl, Variables: opts.variables ?? "", Canonicalize: opts.canonicalize ?? false },
            retryTimeoutSeconds: opts.retryTimeoutSeconds,
        });
        return JSON.parse(res.text) as Job;
    }

    /** `GET /v1/job/:id/submission?version=`: the source a version was registered with, or undefined. */
    async jobSubmission(id: string, version: number, opts: CallOptions = {}): Promise<JobSubmission | undefined> {
        const res = await send(this.conn, {
            method: "GET",
            path: `/v1/job/${encodeURIComponent(id)}/submission`,
            query: { ...this.scope(opts), version: String(version) },
            accept: [404],
        });
        return res.status === 404 ? undefined : (JSON.parse(res.text) as JobSubmission);
    }

    /** `GET /v1/job/:id/deployment`: the most recent deployment, or undefined. */
    async latestDeployment(id: string, opts: CallOptions = {}): Promise<Deployment | undefined> {
        const res = await send(this.conn, {
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

    /** `GET /v1/job/:id/deployments`: every deployment of the job, newest first. */
    async jobDeployments(id: string, opts: CallOptions = {}): Promise<Deployment[]> {
        return this.getList<Deployment>(`/v1/job/${encodeURIComponent(id)}/deployments`, opts);
    }

    /** `GET /v1/job/:id/allocations`: the job's allocations (stubs with task states). */
    async jobAllocations(id: string, opts: CallOptions = {}): Promise<AllocationStub[]> {
        return this.getList<AllocationStub>(`/v1/job/${encodeURIComponent(id)}/allocations`, opts);
    }

    /** `GET /v1/evaluation/:id`, or undefined when absent (garbage-collected). */
    async readEvaluation(id: string, opts: CallOptions = {}): Promise<Evaluation | undefined> {
        return this.getOptional<Evaluation>(`/v1/evaluation/${encodeURIComponent(id)}`, opts);
    }

    /** `GET /v1/deployment/:id`, or undefined when absent. */
    async readDeployment(id: string, opts: CallOptions = {}): Promise<Deployment | undefined> {
        return this.getOptional<Deployment>(`/v1/deployment/${encodeURIComponent(id)}`, opts);
    }

    /** `GET /v1/deployment/allocations/:id`: the allocations a deployment placed. */
    async deploymentAllocations(id: string, opts: CallOptions = {}): Promise<AllocationStub[]> {
        return this.getList<AllocationStub>(`/v1/deployment/allocations/${encodeURIComponent(id)}`, opts);
    }

    // ---- variables ---------------------------------------------------------

    /** `GET /v1/var/:path`, or undefined when absent. */
    async getVariable(path: string, opts: CallOptions = {}): Promise<Variable | undefined> {
        const res = await send(this.conn, {
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
        const res = await send(this.conn, {
            method: "PUT",
            path: `/v1/var/${encodeVarPath(path)}`,
            query: { ...scope, cas: opts.cas },
            body: { Namespace: scope.namespace, Path: path, Items: items },
            accept: [409],
            secrets,
        });
        if (res.status === 409) {
            throw casConflict("PUT", path, scope, opts.cas, res.text, secrets);
        }
        return JSON.parse(res.text) as Variable;
    }

    /** `DELETE /v1/var/:path` (optionally with `cas`). An absent variable is success. */
    async deleteVariable(path: string, opts: CallOptions & { cas?: number } = {}): Promise<void> {
        const scope = this.scope(opts);
        const res = await send(this.conn, {
            method: "DELETE",
            path: `/v1/var/${encodeVarPath(path)}`,
            query: { ...scope, cas: opts.cas },
            accept: [404, 409],
        });
        if (res.status === 409) {
            throw casConflict("DELETE", path, scope, opts.cas, res.text, []);
        }
    }

    // ---- status ------------------------------------------------------------

    /** `GET /v1/status/leader`: the leader's RPC address ("" when none). */
    async leader(opts: { retryTimeoutSeconds?: number } = {}): Promise<string> {
        const res = await send(this.conn, {
            method: "GET",
            path: "/v1/status/leader",
            query: this.scope({}),
            retryTimeoutSeconds: opts.retryTimeoutSeconds,
        });
        return JSON.parse(res.text) as string;
    }

    private async getOptional<T>(path: string, opts: CallOptions): Promise<T | undefined> {
        const res = await send(this.conn, { method: "GET", path, query: this.scope(opts), accept: [404] });
        return res.status === 404 ? undefined : ((JSON.parse(res.text) as T | null) ?? undefined);
    }

    private async getList<T>(path: string, opts: CallOptions): Promise<T[]> {
        const res = await send(this.conn, { method: "GET", path, query: this.scope(opts) });
        return (JSON.parse(res.text) as T[] | null) ?? [];
    }

    private scope(opts: CallOptions): { namespace?: string; region?: string } {
        return { namespace: opts.namespace || this.namespace, region: opts.region || this.region };
    }
}

/** A variable check-and-set conflict as a NomadError carrying the current metadata (never the items). */
function casConflict(method: string, path: string, scope: { namespace?: string }, cas: number | undefined, text: string, secrets: string[]): NomadError {
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
        describePath(`/v1/var/${encodeVarPath(path)}`, { ...scope, cas }),
        409,
        scrub(`check-and-set conflict (cas=${cas ?? "none"}, ${now})`, secrets),
        false,
        current,
    );
}
