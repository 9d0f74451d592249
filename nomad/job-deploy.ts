/**
 * Waiting for the deployment a registration started (`detach: false`).
 *
 * Only that deployment counts: register reply → EvalID → the evaluation's
 * DeploymentID. The job's *latest* deployment is not good enough: after an
 * auto-revert it is the revert's, which succeeds while ours failed.
 * Serialized with the provider.
 */
import type { Deployment, Evaluation, JobRegisterResponse, ServerJob } from "./api-types";
import type { NomadClient } from "./client";
import { describeFailure, groupProgress, rolledBackTo, short, unplaceable, unplaced } from "./job-health";

/** Whether registering this (server-side) job starts a deployment worth waiting for. */
export function expectsDeployment(job: ServerJob): boolean {
    if ((job.Type ?? "service") !== "service" || job.Stop || job.Periodic || job.ParameterizedJob) {
        return false;
    }
    const groups = job.TaskGroups ?? [];
    return groups.some((g) => (g.Count ?? 1) > 0 && !!(g.Update ?? job.Update) && ((g.Update ?? job.Update)?.MaxParallel ?? 1) > 0);
}

export interface Watch {
    client: NomadClient;
    jobId: string;
    scope: { namespace: string; region?: string };
    /** Epoch ms after which we stop waiting. */
    deadline: number;
    /** Where progress lines go (one per change). */
    progress: (line: string) => void;
    /** Label for progress lines, e.g. `job "gitea"`. */
    label: string;
    pollMs?: number;
}

export interface DeployOutcome {
    /** The deployment followed, if the registration started (or kept) one. */
    deployment?: Deployment;
    /** What to record as `deploymentStatus`: Nomad's status, or "pending" when not known in time. */
    status?: string;
    /** Why this is not a success, in Nomad's words; undefined when healthy or nothing to wait for. */
    failure?: string;
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

function active(status: string): boolean {
    return ["running", "paused", "pending", "blocked", "unblocking", "initializing"].indexOf(status) >= 0;
}

function elapsed(since: number): number {
    return Math.round((Date.now() - since) / 1000);
}

/** Poll the evaluation until the scheduler has processed it. */
async function awaitEval(w: Watch, evalId: string): Promise<Evaluation | undefined> {
    for (;;) {
        const e = await w.client.readEvaluation(evalId, w.scope);
        if (e && e.Status !== "pending") {
            return e;
        }
        if (Date.now() > w.deadline) {
            return e;
        }
        await sleep(Math.min(w.pollMs ?? 1000, 500));
    }
}

/** A successful deployment that a later rollback undid (the job moved back below it). */
async function undoneBy(w: Watch, d: Deployment): Promise<string | undefined> {
    const job = await w.client.readJob(w.jobId, w.scope);
    if (!job || (job.Version ?? 0) <= d.JobVersion) {
        return undefined;
    }
    for (const later of await w.client.jobDeployments(w.jobId, w.scope)) {
        const back = later.JobVersion > d.JobVersion ? rolledBackTo(later) : undefined;
        if (back !== undefined && back < d.JobVersion) {
            return `deployment ${short(d.ID)} succeeded, but a later one failed and Nomad rolled the job back to version ${back}: ${later.StatusDescription}`;
        }
    }
    return undefined;
}

async function failure(w: Watch, d: Deployment): Promise<string> {
    let allocs = await w.client.deploymentAllocations(d.ID, w.scope);
    if (allocs.length === 0) {
        allocs = await w.client.jobAllocations(w.jobId, w.scope);
    }
    const job = await w.client.readJob(w.jobId, w.scope);
    return describeFailure(d, allocs, job?.Version);
}

/** Follow the deployment this registration started until it is terminal or the deadline passes. */
export async function followRegistration(w: Watch, reg: JobRegisterResponse): Promise<DeployOutcome> {
    const started = Date.now();
    if (!reg.EvalID) {
        return {};
    }
    const e = await awaitEval(w, reg.EvalID);
    if (!e || e.Status === "pending") {
        return { status: "pending", failure: `Nomad did not process evaluation ${short(reg.EvalID)} within ${elapsed(started)}s` };
    }
    if (e.Status === "failed" || e.Status === "canceled") {
        return { status: "failed", failure: `evaluation ${short(e.ID)} ${e.Status}: ${e.StatusDescription || "no description"}` };
    }
    // The eval names the job's latest deployment even when this registration started none.
    const first = e.DeploymentID ? await w.client.readDeployment(e.DeploymentID, w.scope) : undefined;
    if (!first || (first.JobSpecModifyIndex ?? first.JobModifyIndex) !== reg.JobModifyIndex) {
        w.progress(`${w.label}: this registration started no deployment; nothing to wait for`);
        return {};
    }
    const blocked = unplaced(e);
    const hopeless = unplaceable(e);
    if (hopeless) {
        return { deployment: first, status: first.Status, failure: `no node may run it: ${hopeless}` };
    }
    let d = first;
    let last = "";
    for (;;) {
        const line = `${w.label}: ${groupProgress(d)}${blocked ? `; ${blocked}` : ""} (deployment ${short(d.ID)} ${d.Status})`;
        if (line !== last) {
            w.progress(line);
            last = line;
        }
        if (!active(d.Status)) {
            break;
        }
        if (Date.now() > w.deadline) {
            const why = await failure(w, d);
            return {
                deployment: d,
                status: d.Status,
                failure: `deployment did not finish within ${elapsed(started)}s; ${why}${blocked ? `; ${blocked}` : ""}`,
            };
        }
        await sleep(w.pollMs ?? 1000);
        d = (await w.client.readDeployment(d.ID, w.scope)) ?? d;
    }
    if (d.Status === "successful") {
        const undone = await undoneBy(w, d);
        return undone ? { deployment: d, status: "failed", failure: undone } : { deployment: d, status: d.Status };
    }
    return { deployment: d, status: d.Status, failure: await failure(w, d) };
}

/**
 * The index to enforce when checking again after a failure: ours, unless the
 * only change since is Nomad's own rollback of our deployment.
 */
export async function recheckIndex(client: NomadClient, scope: Watch["scope"], jobId: string, ours: number, deploymentId?: string): Promise<number> {
    if (!deploymentId) {
        return ours;
    }
    const [d, job] = await Promise.all([client.readDeployment(deploymentId, scope), client.readJob(jobId, scope)]);
    if (d && job && rolledBackTo(d) !== undefined && job.JobModifyIndex !== ours && job.Version === d.JobVersion + 1) {
        return job.JobModifyIndex ?? ours;
    }
    return ours;
}
