/**
 * The dynamic provider behind NomadJob.
 *
 * This object is serialized (with everything it references) into the Pulumi
 * state and run by the engine in a separate Node process. It may only use
 * Node built-ins and the local modules ./client and ./normalize, must not
 * import @pulumi/pulumi at runtime, and must not capture any secret: the Nomad
 * address and token arrive as resource inputs on every call.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { NomadClient, isNomadError } from "./client";
import { canonicalJson, jobsEquivalent } from "./normalize";
import type { Job, JobPlanResponse, ServerJob } from "./types";

/** The inputs as the engine hands them to the provider (plain values, secrets unwrapped). */
export interface NomadJobInputs {
    job?: Job;
    jobspec?: string;
    hcl2Variables?: Record<string, string>;
    address: string;
    token?: string;
    namespace?: string;
    region?: string;
    purgeOnDestroy?: boolean;
    detach?: boolean;
    deploymentTimeoutSeconds?: number;
    deregisterOnIdChange?: boolean;
    retryTimeoutSeconds?: number;
    /** Set by check: the server's parse of `jobspec`. */
    parsedJob?: Job;
    /** Set by check when the job changes: a one-line summary of Nomad's plan. */
    planSummary?: string;
    /** Set by read (refresh) when the job was stopped or changed outside Pulumi. */
    drift?: string;
}

export interface NomadJobOutputs extends NomadJobInputs {
    jobId: string;
    modifyIndex: number;
    version: number;
    status: string;
    type: string;
    datacenters: string[];
    stopped: boolean;
    deploymentId?: string;
    deploymentStatus?: string;
}

/** Pulumi's marker for a value not known during preview. */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Keys of NomadJobInputs, i.e. what `read` may hand back as refreshed inputs. */
function inputKeys(): (keyof NomadJobInputs)[] {
    return [
        "job",
        "jobspec",
        "hcl2Variables",
        "address",
        "token",
        "namespace",
        "region",
        "purgeOnDestroy",
        "detach",
        "deploymentTimeoutSeconds",
        "deregisterOnIdChange",
        "retryTimeoutSeconds",
        "parsedJob",
        "planSummary",
        "drift",
    ];
}

function hasUnknown(v: unknown): boolean {
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

function log(message: string): void {
    console.error(`nomad: ${message}`);
}

function clientFor(inputs: NomadJobInputs, quick?: boolean): NomadClient {
    return new NomadClient({
        address: inputs.address,
        token: inputs.token,
        region: inputs.region || undefined,
        retryTimeoutSeconds: quick ? 0 : inputs.retryTimeoutSeconds,
        requestTimeoutSeconds: quick ? 10 : undefined,
        log,
    });
}

/** Drop undefined values (the engine's protobuf conversion rejects them). */
function clean<T extends object>(o: T): T {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) {
        if (v !== undefined) {
            out[k] = v;
        }
    }
    return out as T;
}

/** The spec a set of inputs/outputs describes: `job`, or the parse of `jobspec`. */
function specOf(p: NomadJobInputs | undefined): Job | undefined {
    if (!p) {
        return undefined;
    }
    return p.job ?? p.parsedJob;
}

function jobName(p: NomadJobInputs | undefined, fallback?: string): string {
    const spec = specOf(p);
    const id = spec && typeof spec.ID === "string" && spec.ID !== UNKNOWN ? spec.ID : undefined;
    return id ?? fallback ?? "(unnamed job)";
}

function effectiveNamespace(p: NomadJobInputs): string {
    return p.namespace || specOf(p)?.Namespace || "default";
}

/** HCL2 var-file text for `hcl2Variables`. */
function varFile(vars: Record<string, string> | undefined): string {
    if (!vars) {
        return "";
    }
    return Object.keys(vars)
        .sort()
        .map((k) => {
            const quoted = JSON.stringify(String(vars[k])).replace(/\$\{/g, "$${").replace(/%\{/g, "%%{");
            return `${k} = ${quoted}`;
        })
        .join("\n");
}

function sameVars(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
    return canonicalJson(a ?? {}) === canonicalJson(b ?? {});
}

/** The job exactly as we send it: namespace and region from the inputs win. */
function jobForApi(job: Job, inputs: NomadJobInputs): Job {
    const out: Job = { ...job, Namespace: effectiveNamespace(inputs) };
    if (inputs.region) {
        out.Region = inputs.region;
    }
    return out;
}

/** Turn any failure into a plain Error whose message names the job and carries Nomad's words. */
function jobError(name: string, action: string, e: unknown): Error {
    if (isNomadError(e)) {
        if (e.indexConflict) {
            return new Error(
                `NomadJob "${name}": the job was changed in Nomad since Pulumi last read it, so it was not overwritten ` +
                    `(Nomad: ${e.nomadMessage}). Run \`pulumi refresh\` to pick up the job as it is now, then \`pulumi up\` again.`,
            );
        }
        return new Error(`NomadJob "${name}": ${action} failed: ${e.message}`);
    }
    const message = e instanceof Error || (typeof e === "object" && e !== null && "message" in e) ? String((e as Error).message) : String(e);
    return new Error(message.startsWith("NomadJob ") ? message : `NomadJob "${name}": ${action} failed: ${message}`);
}

/** Errors leaving the provider are plain Errors (the serialized NomadError is not an Error subclass). */
async function guard<T>(name: () => string, action: string, fn: () => Promise<T>): Promise<T> {
    try {
        return await fn();
    } catch (e) {
        const err = e as { id?: string; properties?: unknown; reasons?: string[] };
        if (err && typeof err === "object" && err.id !== undefined && err.properties !== undefined) {
            // A resource created but not healthy: keep id/properties so the engine records it.
            const out = new Error(String((e as Error).message)) as Error & { id?: string; properties?: unknown; reasons?: string[] };
            out.id = err.id;
            out.properties = err.properties;
            out.reasons = err.reasons;
            throw out;
        }
        throw jobError(name(), action, e);
    }
}

function initFailure(message: string, id: string, properties: NomadJobOutputs): Error {
    const e = new Error(message) as Error & { id: string; properties: NomadJobOutputs; reasons: string[] };
    e.id = id;
    e.properties = properties;
    e.reasons = [message];
    return e;
}

// ---------------------------------------------------------------------------
// plan summaries
// ---------------------------------------------------------------------------

function describeCounts(u: Record<string, number | undefined>): string {
    const labels: [string, string][] = [
        ["Place", "place"],
        ["Stop", "stop"],
        ["InPlaceUpdate", "in-place update"],
        ["DestructiveUpdate", "destructive update"],
        ["Migrate", "migrate"],
        ["Canary", "canary"],
        ["Preemptions", "preemption"],
    ];
    const parts: string[] = [];
    for (const [key, label] of labels) {
        const n = u[key] ?? 0;
        if (n > 0) {
            parts.push(`${n} ${label}`);
        }
    }
    if (parts.length === 0) {
        const ignore = u.Ignore ?? 0;
        return ignore > 0 ? `${ignore} unchanged` : "nothing to do";
    }
    return parts.join(", ");
}

/** One line out of Nomad's plan reply: what the scheduler will do per group. */
export function summarizePlan(name: string, plan: JobPlanResponse): string {
    const diffType = plan.Diff?.Type ?? "Unknown";
    const what =
        diffType === "Added"
            ? "new job"
            : diffType === "Edited"
              ? "job changes"
              : diffType === "None"
                ? "no spec changes"
                : diffType === "Deleted"
                  ? "job removed"
                  : "changes unknown";
    const groups = plan.Annotations?.DesiredTGUpdates ?? {};
    const groupParts = Object.keys(groups)
        .sort()
        .map((g) => `${g}: ${describeCounts((groups[g] ?? {}) as Record<string, number | undefined>)}`);
    let text = `Nomad plan for "${name}" (${what})` + (groupParts.length ? `: ${groupParts.join("; ")}` : "");
    const failed = plan.FailedTGAllocs ?? {};
    const failedParts = Object.keys(failed)
        .sort()
        .map((g) => {
            const m = failed[g] ?? {};
            const reasons = Object.keys({
                ...(m.ConstraintFiltered ?? {}),
                ...(m.ClassFiltered ?? {}),
                ...(m.DimensionExhausted ?? {}),
            });
            const count = (m.CoalescedFailures ?? 0) + 1;
            return `${g} (${count} unplaced${reasons.length ? `: ${reasons.join(", ")}` : ""})`;
        });
    if (failedParts.length) {
        text += `; FAILED placements: ${failedParts.join("; ")}`;
    }
    const warnings = (plan.Warnings ?? "").trim();
    if (warnings) {
        text += `; warnings: ${warnings.split("\n").join(" ")}`;
    }
    text = text.replace(/\s+/g, " ");
    return text.length > 480 ? text.slice(0, 477) + "..." : text;
}

/** A short description of a non-empty plan diff (for drift notes). */
function describeDiff(plan: JobPlanResponse): string {
    const d = plan.Diff;
    if (!d) {
        return "changed";
    }
    const fields = (d.Fields ?? []).filter((f) => f.Type !== "None").map((f) => f.Name);
    const objects = (d.Objects ?? []).filter((o) => o.Type !== "None").map((o) => o.Name);
    const groups = (d.TaskGroups ?? []).filter((g) => g.Type !== "None").map((g) => `group ${g.Name}`);
    const all = fields.concat(objects, groups);
    return all.length ? all.join(", ") : d.Type;
}

// ---------------------------------------------------------------------------
// the operations
// ---------------------------------------------------------------------------

/** The job to send: the `job` input, or the parse of `jobspec` (re-parsed when check could not). */
async function resolveJob(client: NomadClient, inputs: NomadJobInputs): Promise<{ job: Job; parsedJob?: Job }> {
    if (inputs.job) {
        return { job: inputs.job };
    }
    if (typeof inputs.jobspec !== "string") {
        throw new Error("set exactly one of `job` or `jobspec`");
    }
    const parsed = inputs.parsedJob ?? (await client.parseJob(inputs.jobspec, { variables: varFile(inputs.hcl2Variables) }));
    return { job: parsed, parsedJob: parsed };
}

function terminalDeployment(status: string): boolean {
    return status === "successful" || status === "failed" || status === "cancelled";
}

/** Whether registering this (server-side) job starts a deployment worth waiting for. */
function expectsDeployment(job: ServerJob): boolean {
    if ((job.Type ?? "service") !== "service" || job.Stop) {
        return false;
    }
    const groups = job.TaskGroups ?? [];
    return groups.some((g) => (g.Count ?? 1) > 0 && !!(g.Update ?? job.Update) && ((g.Update ?? job.Update)?.MaxParallel ?? 1) > 0);
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Register, then read back the server's job to fill the outputs; when
 * `detach` is false, wait for the job's deployment of this version to finish.
 */
async function registerAndDescribe(
    client: NomadClient,
    inputs: NomadJobInputs,
    job: Job,
    parsedJob: Job | undefined,
    enforceIndex: number | undefined,
): Promise<NomadJobOutputs> {
    const namespace = effectiveNamespace(inputs);
    const scope = { namespace, region: inputs.region || undefined };
    const reg = await client.registerJob(jobForApi(job, inputs), { ...scope, enforceIndex });
    let server = await client.readJob(job.ID, scope);
    if (!server) {
        throw new Error(`job "${job.ID}" was registered but is not readable afterwards`);
    }
    const outs = (s: ServerJob, deployment?: { ID: string; Status: string }): NomadJobOutputs =>
        clean({
            ...inputs,
            parsedJob,
            namespace,
            drift: undefined,
            jobId: job.ID,
            modifyIndex: s.JobModifyIndex ?? reg.JobModifyIndex,
            version: s.Version ?? 0,
            status: s.Status ?? "pending",
            type: s.Type ?? job.Type ?? "service",
            datacenters: s.Datacenters ?? job.Datacenters ?? [],
            stopped: !!s.Stop,
            deploymentId: deployment?.ID,
            deploymentStatus: deployment?.Status,
        });
    if (inputs.detach === false && expectsDeployment(server)) {
        const timeoutMs = (inputs.deploymentTimeoutSeconds ?? 300) * 1000;
        const deadline = Date.now() + timeoutMs;
        const version = server.Version ?? 0;
        let last: { ID: string; Status: string; StatusDescription: string } | undefined;
        for (;;) {
            const d = await client.latestDeployment(job.ID, scope);
            if (d && d.JobVersion >= version) {
                last = d;
                if (terminalDeployment(d.Status)) {
                    break;
                }
            }
            if (Date.now() > deadline) {
                const o = outs(server, last);
                throw initFailure(
                    `NomadJob "${job.ID}": deployment did not finish within ${Math.round(timeoutMs / 1000)}s` +
                        (last ? ` (deployment ${last.ID} is ${last.Status}: ${last.StatusDescription})` : " (no deployment started)"),
                    job.ID,
                    o,
                );
            }
            await sleep(1000);
        }
        server = (await client.readJob(job.ID, scope)) ?? server;
        const o = outs(server, last);
        if (last.Status !== "successful") {
            throw initFailure(`NomadJob "${job.ID}": deployment ${last.ID} ${last.Status}: ${last.StatusDescription}`, job.ID, o);
        }
        return o;
    }
    return outs(server);
}

/** Plan at preview time: never throws for reachability, only for a job Nomad rejects (400). */
async function previewPlan(inputs: NomadJobInputs, job: Job): Promise<{ summary?: string; rejected?: string }> {
    const client = clientFor(inputs, true);
    try {
        const plan = await client.planJob(jobForApi(job, inputs), {
            namespace: effectiveNamespace(inputs),
            region: inputs.region || undefined,
            diff: true,
        });
        return { summary: summarizePlan(job.ID, plan) };
    } catch (e) {
        // Nomad answered and said no (400 bad job, or 500 from its admission
        // validators, e.g. "1 error occurred: ..."): fail the preview with its words.
        // Transient trouble, auth and anything unreachable only annotate the summary.
        if (isNomadError(e) && e.status !== undefined && !e.transient && [401, 403, 404, 405].indexOf(e.status) < 0) {
            return { rejected: `Nomad rejected job "${job.ID}": ${e.nomadMessage.replace(/\s+/g, " ").trim()}` };
        }
        const why = isNomadError(e) ? (e.status === undefined ? `not reachable (${e.nomadMessage})` : `answered ${e.status}: ${e.nomadMessage}`) : String(e);
        return { summary: `Nomad plan unavailable: Nomad at ${client.address} ${why}; the job will be registered when the change is applied` };
    }
}

export const nomadJobProvider: dynamic.ResourceProvider<NomadJobInputs, NomadJobOutputs> = {
    /**
     * Validate, fill the effective namespace, and, only when the job changes,
     * ask Nomad's plan endpoint what the scheduler will do (`planSummary`, shown
     * in the preview's diff). An unchanged job returns without any HTTP call.
     */
    async check(olds: NomadJobInputs, news: NomadJobInputs): Promise<dynamic.CheckResult<NomadJobInputs>> {
        const inputs: NomadJobInputs = { ...news };
        delete inputs.planSummary;
        delete inputs.parsedJob;
        delete inputs.drift;
        const failures: dynamic.CheckFailure[] = [];
        const hasJob = news.job !== undefined && news.job !== null;
        const hasSpec = news.jobspec !== undefined && news.jobspec !== null;
        if (hasJob === hasSpec) {
            failures.push({ property: hasJob ? "jobspec" : "job", reason: "set exactly one of `job` (an object) or `jobspec` (HCL text)" });
        }
        if (typeof news.address !== "string" || news.address === "") {
            failures.push({ property: "address", reason: "the Nomad address is required, e.g. http://127.0.0.1:4646" });
        } else if (news.address !== UNKNOWN && !/^https?:\/\/[^/]+/.test(news.address)) {
            failures.push({ property: "address", reason: `expected an http(s) URL such as http://127.0.0.1:4646, got ${JSON.stringify(news.address)}` });
        }
        if (hasJob && news.job !== (UNKNOWN as unknown)) {
            const id = (news.job as Job).ID;
            if (typeof id !== "string" || id === "") {
                failures.push({ property: "job", reason: "job.ID is required" });
            } else if (id !== UNKNOWN && !/^[^\s\0/?#%]+$/.test(id)) {
                failures.push({ property: "job", reason: `job.ID ${JSON.stringify(id)} may not contain spaces, slashes, '?', '#' or '%'` });
            }
            if (!Array.isArray((news.job as Job).TaskGroups) && (news.job as Job).TaskGroups !== (UNKNOWN as unknown)) {
                failures.push({ property: "job", reason: "job.TaskGroups must be an array" });
            }
        }
        for (const k of Object.keys(news.hcl2Variables ?? {})) {
            if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(k)) {
                failures.push({ property: "hcl2Variables", reason: `${JSON.stringify(k)} is not a valid HCL variable name` });
            }
        }
        if (failures.length) {
            return { inputs, failures };
        }

        const addressKnown = news.address !== UNKNOWN;
        let newSpec: Job | undefined;
        let specUnknown = false;
        if (hasJob) {
            newSpec = news.job;
            specUnknown = hasUnknown(news.job);
        } else {
            const same = olds?.jobspec === news.jobspec && sameVars(olds?.hcl2Variables, news.hcl2Variables) && !!olds?.parsedJob;
            if (same) {
                inputs.parsedJob = olds.parsedJob;
                newSpec = olds.parsedJob;
            } else if (hasUnknown(news.jobspec) || hasUnknown(news.hcl2Variables) || !addressKnown) {
                specUnknown = true;
            } else {
                try {
                    const parsed = await clientFor(news, true).parseJob(news.jobspec as string, {
                        variables: varFile(news.hcl2Variables),
                    });
                    inputs.parsedJob = parsed;
                    newSpec = parsed;
                } catch (e) {
                    if (isNomadError(e) && e.status === 400) {
                        return { inputs, failures: [{ property: "jobspec", reason: e.nomadMessage.replace(/\s+/g, " ").trim() }] };
                    }
                    specUnknown = true;
                    inputs.planSummary = `Nomad plan unavailable: could not parse the jobspec now (${isNomadError(e) ? e.nomadMessage : String(e)}); it will be parsed when the change is applied`;
                }
            }
        }
        if (newSpec && !specUnknown && typeof newSpec.ID === "string") {
            if (!news.namespace) {
                inputs.namespace = newSpec.Namespace || "default";
            }
        }

        const oldSpec = specOf(olds);
        const isCreate = !oldSpec;
        const changed =
            isCreate ||
            !!olds.drift ||
            specUnknown ||
            !jobsEquivalent(oldSpec, newSpec) ||
            (olds.namespace || oldSpec?.Namespace || "default") !== (inputs.namespace || "default") ||
            olds.address !== news.address ||
            (news.region !== undefined && olds.region !== news.region);
        if (!changed) {
            // Unchanged: no HTTP, nothing new in the inputs.
            return { inputs };
        }
        if (inputs.planSummary) {
            return { inputs };
        }
        if (specUnknown || !newSpec || !addressKnown || hasUnknown(news.namespace) || hasUnknown(news.region) || hasUnknown(news.token)) {
            inputs.planSummary = "Nomad plan unavailable until the change is applied: the job or the Nomad address is not known yet";
            return { inputs };
        }
        const { summary, rejected } = await previewPlan(inputs, newSpec);
        if (rejected) {
            return { inputs, failures: [{ property: hasJob ? "job" : "jobspec", reason: rejected }] };
        }
        inputs.planSummary = summary;
        return { inputs };
    },

    /** Pure comparison of the stored outputs with the checked inputs: never calls Nomad. */
    async diff(id: string, olds: NomadJobOutputs, news: NomadJobInputs): Promise<dynamic.DiffResult> {
        const replaces: string[] = [];
        const oldSpec = specOf(olds);
        const newSpec = specOf(news);
        const jobProp = news.job !== undefined ? "job" : "jobspec";
        const newKnown = !!newSpec && !hasUnknown(newSpec);

        const oldNamespace = olds.namespace || oldSpec?.Namespace || "default";
        const newNamespace = news.namespace || newSpec?.Namespace || "default";
        if (!hasUnknown(newNamespace) && newKnown && newNamespace !== oldNamespace) {
            replaces.push("namespace");
        }
        const oldId = olds.jobId ?? oldSpec?.ID ?? id;
        const newId = newSpec?.ID;
        if (typeof newId === "string" && newId !== UNKNOWN && newId !== oldId && news.deregisterOnIdChange !== false) {
            replaces.push(jobProp);
        }

        let specChanged: boolean;
        if (news.job !== undefined) {
            specChanged = !newKnown || !jobsEquivalent(oldSpec, newSpec);
        } else {
            const sameText = olds.jobspec === news.jobspec && sameVars(olds.hcl2Variables, news.hcl2Variables);
            specChanged = sameText ? false : !news.parsedJob || !newKnown || !jobsEquivalent(olds.parsedJob, news.parsedJob);
        }
        if (olds.job !== undefined && news.job === undefined) {
            specChanged = specChanged || !news.parsedJob || !jobsEquivalent(olds.job, news.parsedJob);
        }

        const settingChanged =
            olds.address !== news.address ||
            (olds.token ?? "") !== (news.token ?? "") ||
            (olds.region ?? "") !== (news.region ?? "") ||
            !!olds.purgeOnDestroy !== !!news.purgeOnDestroy ||
            (olds.detach ?? true) !== (news.detach ?? true) ||
            (olds.deregisterOnIdChange ?? true) !== (news.deregisterOnIdChange ?? true) ||
            (olds.deploymentTimeoutSeconds ?? 300) !== (news.deploymentTimeoutSeconds ?? 300) ||
            (olds.retryTimeoutSeconds ?? 600) !== (news.retryTimeoutSeconds ?? 600) ||
            (olds.jobspec === undefined) !== (news.jobspec === undefined);

        const changes = replaces.length > 0 || specChanged || settingChanged || !!olds.drift || hasUnknown(news.namespace);
        return { changes, replaces, deleteBeforeReplace: false };
    },

    async create(inputs: NomadJobInputs): Promise<dynamic.CreateResult<NomadJobOutputs>> {
        return guard(
            () => jobName(inputs),
            "register",
            async () => {
                const client = clientFor(inputs);
                const { job, parsedJob } = await resolveJob(client, inputs);
                const outs = await registerAndDescribe(client, inputs, job, parsedJob, undefined);
                return { id: job.ID, outs };
            },
        );
    },

    /**
     * Refresh: a purged job is reported gone; a job stopped or edited outside
     * Pulumi (seen through plan with Diff) is recorded in `drift`, in both the
     * outputs and the inputs, so the next `pulumi up` shows and restores it.
     */
    async read(id: string, props?: NomadJobOutputs): Promise<dynamic.ReadResult<NomadJobOutputs>> {
        if (!props || typeof props.address !== "string") {
            throw new Error(
                `NomadJob "${id}": cannot read without the stored address (importing is not supported; declare the job and let \`pulumi up\` adopt it)`,
            );
        }
        return guard(
            () => jobName(props, id),
            "refresh",
            async () => {
                const client = clientFor(props);
                const jobId = props.jobId ?? id;
                const namespace = props.namespace || "default";
                const scope = { namespace, region: props.region || undefined };
                const server = await client.readJob(jobId, scope);
                if (!server) {
                    return {};
                }
                let drift: string | undefined;
                if (server.Stop) {
                    drift = `job "${jobId}" was stopped outside Pulumi`;
                } else {
                    const spec = specOf(props);
                    if (spec) {
                        const plan = await client.planJob(jobForApi(spec, props), { ...scope, diff: true });
                        if (plan.Diff && plan.Diff.Type !== "None") {
                            drift = `job "${jobId}" was changed outside Pulumi (${describeDiff(plan)})`;
                        }
                    }
                }
                const outs: NomadJobOutputs = clean({
                    ...props,
                    jobId,
                    namespace,
                    modifyIndex: server.JobModifyIndex ?? props.modifyIndex,
                    version: server.Version ?? props.version,
                    status: server.Status ?? props.status,
                    type: server.Type ?? props.type,
                    datacenters: server.Datacenters ?? props.datacenters,
                    stopped: !!server.Stop,
                    drift,
                });
                if (!drift && !props.drift) {
                    return { id, props: outs };
                }
                const inputs: Record<string, unknown> = {};
                for (const k of inputKeys()) {
                    if (outs[k] !== undefined) {
                        inputs[k] = outs[k];
                    }
                }
                return { id, props: outs, inputs: inputs as unknown as NomadJobOutputs };
            },
        );
    },

    /**
     * Re-register when the spec, the drift, the address or the region changed;
     * otherwise (token, timeouts, flags) just record the new inputs. Same job:
     * `EnforceIndex` on the last known modify index, so a job edited in Nomad
     * since the last refresh is not overwritten silently.
     */
    async update(id: string, olds: NomadJobOutputs, news: NomadJobInputs): Promise<dynamic.UpdateResult<NomadJobOutputs>> {
        return guard(
            () => jobName(news, id),
            "update",
            async () => {
                const client = clientFor(news);
                const { job, parsedJob } = await resolveJob(client, news);
                const oldId = olds.jobId ?? id;
                const identityChanged = job.ID !== oldId || effectiveNamespace(news) !== (olds.namespace || "default");
                const locationChanged = olds.address !== news.address || (news.region ?? "") !== (olds.region ?? "");
                const specChanged = !jobsEquivalent(specOf(olds), job);
                if (!identityChanged && !locationChanged && !specChanged && !olds.drift) {
                    const computed = {
                        jobId: olds.jobId,
                        modifyIndex: olds.modifyIndex,
                        version: olds.version,
                        status: olds.status,
                        type: olds.type,
                        datacenters: olds.datacenters,
                        stopped: olds.stopped,
                        deploymentId: olds.deploymentId,
                        deploymentStatus: olds.deploymentStatus,
                    };
                    return { outs: clean({ ...news, parsedJob: parsedJob ?? news.parsedJob, ...computed, drift: undefined }) };
                }
                let enforceIndex: number | undefined;
                if (identityChanged) {
                    log(`job "${oldId}" now registers as "${job.ID}"; "${oldId}" is left as it is (deregisterOnIdChange is false)`);
                } else if (!locationChanged && typeof olds.modifyIndex === "number") {
                    enforceIndex = olds.modifyIndex;
                }
                const outs = await registerAndDescribe(client, news, job, parsedJob, enforceIndex);
                return { outs };
            },
        );
    },

    /** Deregister (purge when `purgeOnDestroy`); an already-absent job is success. */
    async delete(id: string, props: NomadJobOutputs): Promise<void> {
        await guard(
            () => jobName(props, id),
            "deregister",
            async () => {
                const client = clientFor(props);
                const scope = { namespace: props.namespace || "default", region: props.region || undefined };
                const jobId = props.jobId ?? id;
                await client.deregisterJob(jobId, { ...scope, purge: !!props.purgeOnDestroy });
                if (props.purgeOnDestroy) {
                    // A periodic (or parameterized) job leaves child jobs behind; purging means those too.
                    for (const child of await client.listJobs(`${jobId}/`, scope)) {
                        if (child.ParentID === jobId) {
                            await client.deregisterJob(child.ID, { ...scope, purge: true });
                        }
                    }
                }
            },
        );
    },
};
