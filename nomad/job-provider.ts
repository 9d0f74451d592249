/**
 * The dynamic provider behind NomadJob: create, read, update, delete. What
 * a change means (check, diff) is in ./job-check, plan summaries in
 * ./job-plan, deployment waiting in ./job-deploy.
 *
 * This object is serialized (with everything it references) into the Pulumi
 * state and run by the engine in a separate Node process. It may only use
 * Node built-ins and local modules, must not import @pulumi/pulumi at runtime,
 * and must not capture any secret: the Nomad address and token arrive as
 * resource inputs on every call.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { NomadClient } from "./client";
import type { Job } from "./job-types";
import { checkJob, diffJob } from "./job-check";
import { expectsDeployment, followRegistration, recheckIndex } from "./job-deploy";
import { adoptionNote, findAdoptable } from "./job-adopt";
import { ServerFacts, serverFacts, submissionOf, withCountsOf } from "./job-outputs";
import { describeDiff } from "./job-plan";
import {
    NomadJobInputs,
    NomadJobOutputs,
    effectiveNamespace,
    inputKeys,
    jobError,
    jobForApi,
    jobLabel,
    jobName,
    needsDeploymentCheck,
    progressLabel,
    resolveJob,
    specOf,
} from "./job-spec";
import { jobsEquivalent } from "./normalize";
import { clean, clientFor, guard, initFailure, log, progress } from "./provider-common";

export type { NomadJobInputs, NomadJobOutputs } from "./job-spec";
export { summarizePlan } from "./job-plan";

/** The outputs for the job as Nomad holds it now. */
function outputsOf(
    inputs: NomadJobInputs,
    job: Job,
    parsedJob: Job | undefined,
    facts: ServerFacts,
    extra: { deploymentId?: string; deploymentStatus?: string; adopted?: string } = {},
): NomadJobOutputs {
    return clean({ ...inputs, parsedJob, namespace: effectiveNamespace(inputs), drift: undefined, jobId: job.ID, ...facts, ...extra });
}

/**
 * Register (with the job's source as its Submission), then read back the
 * server's job to fill the outputs; when `detach` is false, follow the
 * deployment this registration started (or the one still current for an
 * unchanged job) until it is terminal.
 */
async function registerAndDescribe(
    client: NomadClient,
    inputs: NomadJobInputs,
    job: Job,
    parsedJob: Job | undefined,
    enforceIndex: number | undefined,
    resourceId: string,
    adopted?: string,
): Promise<NomadJobOutputs> {
    const namespace = effectiveNamespace(inputs);
    const scope = { namespace, region: inputs.region || undefined };
    const sent = jobForApi(job, inputs);
    const reg = await client.registerJob(sent, { ...scope, enforceIndex, preserveCounts: !!inputs.preserveCounts, submission: submissionOf(inputs, sent) });
    let server = await client.readJob(job.ID, scope);
    if (!server) {
        throw new Error(`job "${job.ID}" was registered but is not readable afterwards`);
    }
    if (inputs.detach !== false || !expectsDeployment(server)) {
        const facts = await serverFacts(client, server, job, scope);
        return outputsOf(inputs, job, parsedJob, { ...facts, modifyIndex: server.JobModifyIndex ?? reg.JobModifyIndex }, { adopted });
    }
    const label = jobLabel(job.ID, inputs);
    const outcome = await followRegistration(
        {
            client,
            jobId: job.ID,
            scope,
            deadline: Date.now() + (inputs.deploymentTimeoutSeconds ?? 300) * 1000,
            progress,
            label: progressLabel(job.ID, inputs),
        },
        reg,
    );
    // Read again: a rollback may have changed the job's version and index meanwhile.
    server = (await client.readJob(job.ID, scope)) ?? server;
    const facts = await serverFacts(client, server, job, scope);
    const o = outputsOf(
        inputs,
        job,
        parsedJob,
        { ...facts, modifyIndex: server.JobModifyIndex ?? reg.JobModifyIndex },
        { deploymentId: outcome.deployment?.ID, deploymentStatus: outcome.status, adopted },
    );
    if (outcome.failure) {
        throw initFailure(`${label}: ${outcome.failure}`, resourceId, o);
    }
    return o;
}

export const nomadJobProvider: dynamic.ResourceProvider<NomadJobInputs, NomadJobOutputs> = {
    /**
     * Validate, fill the effective namespace, and, only when the job changes,
     * ask Nomad's plan endpoint what the scheduler will do (`planSummary`, shown
     * in the preview's diff). An unchanged job returns without any HTTP call.
     */
    check: checkJob,

    /** Pure comparison of the stored outputs with the checked inputs: never calls Nomad. */
    diff: diffJob,

    async create(inputs: NomadJobInputs): Promise<dynamic.CreateResult<NomadJobOutputs>> {
        return guard(
            (e) => jobError(jobName(inputs), "register", e, inputs),
            async () => {
                const client = clientFor(inputs);
                const { job, parsedJob } = await resolveJob(client, inputs);
                if (!inputs.adopt) {
                    return { id: job.ID, outs: await registerAndDescribe(client, inputs, job, parsedJob, undefined, job.ID) };
                }
                const scope = { namespace: effectiveNamespace(inputs), region: inputs.region || undefined };
                const found = await findAdoptable(client, inputs, job, scope);
                if (!found) {
                    return { id: job.ID, outs: await registerAndDescribe(client, inputs, job, parsedJob, undefined, job.ID) };
                }
                const adopted = adoptionNote(job.ID, found);
                log(adopted);
                if (found.identical) {
                    const facts = await serverFacts(client, found.server, job, scope);
                    return { id: job.ID, outs: outputsOf(inputs, job, parsedJob, facts, { adopted }) };
                }
                // Registered over the job we read, and only over that one: EnforceIndex on its index.
                const enforce = found.server.JobModifyIndex;
                return { id: job.ID, outs: await registerAndDescribe(client, inputs, job, parsedJob, enforce, job.ID, adopted) };
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
            (e) => jobError(jobName(props, id), "refresh", e, props),
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
                    const ours = specOf(props);
                    // With preserveCounts, a count Nomad runs (set by hand or an autoscaler) is not drift.
                    const spec = ours && props.preserveCounts ? withCountsOf(ours, server) : ours;
                    if (spec) {
                        const plan = await client.planJob(jobForApi(spec, props), { ...scope, diff: true });
                        if (plan.Diff && plan.Diff.Type !== "None") {
                            drift = `job "${jobId}" was changed outside Pulumi (${describeDiff(plan)})`;
                        }
                    }
                }
                // A deployment left unfinished or failed: record how it ended (a later one is up's business).
                let deploymentStatus = props.deploymentStatus;
                if (props.deploymentId && deploymentStatus !== "successful") {
                    deploymentStatus = (await client.readDeployment(props.deploymentId, scope))?.Status ?? deploymentStatus;
                }
                const facts = await serverFacts(client, server, specOf(props) ?? { ID: jobId, TaskGroups: [] }, scope);
                const outs: NomadJobOutputs = clean({
                    ...props,
                    jobId,
                    namespace,
                    deploymentStatus,
                    ...facts,
                    modifyIndex: server.JobModifyIndex ?? props.modifyIndex,
                    version: server.Version ?? props.version,
                    status: server.Status ?? props.status,
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
            (e) => jobError(jobName(news, id), "update", e, news),
            async () => {
                const client = clientFor(news);
                const { job, parsedJob } = await resolveJob(client, news);
                const oldId = olds.jobId ?? id;
                const identityChanged = job.ID !== oldId || effectiveNamespace(news) !== (olds.namespace || "default");
                const locationChanged = olds.address !== news.address || (news.region ?? "") !== (olds.region ?? "");
                const specChanged = !jobsEquivalent(specOf(olds), job);
                const recheck = needsDeploymentCheck(olds, news);
                if (!identityChanged && !locationChanged && !specChanged && !olds.drift && !recheck) {
                    const computed = {
                        jobId: olds.jobId,
                        modifyIndex: olds.modifyIndex,
                        version: olds.version,
                        status: olds.status,
                        statusDescription: olds.statusDescription,
                        stable: olds.stable,
                        type: olds.type,
                        datacenters: olds.datacenters,
                        stopped: olds.stopped,
                        taskGroups: olds.taskGroups,
                        allocationIds: olds.allocationIds,
                        deploymentId: olds.deploymentId,
                        deploymentStatus: olds.deploymentStatus,
                        adopted: olds.adopted,
                    };
                    return { outs: clean({ ...news, parsedJob: parsedJob ?? news.parsedJob, ...computed, drift: undefined }) };
                }
                let enforceIndex: number | undefined;
                if (identityChanged) {
                    log(`job "${oldId}" now registers as "${job.ID}"; "${oldId}" is left as it is (deregisterOnIdChange is false)`);
                } else if (!locationChanged && typeof olds.modifyIndex === "number") {
                    const scope = { namespace: effectiveNamespace(news), region: news.region || undefined };
                    const unsettled = olds.deploymentId !== undefined && olds.deploymentStatus !== "successful";
                    enforceIndex = unsettled ? await recheckIndex(client, scope, oldId, olds.modifyIndex, olds.deploymentId) : olds.modifyIndex;
                }
                if (recheck && !specChanged && !olds.drift) {
                    // Registering the unchanged job makes no new version; its evaluation names the current deployment.
                    progress(
                        `${progressLabel(job.ID, news)}: the last deployment followed was ${olds.deploymentStatus ?? "not checked"}` +
                            `${olds.deploymentId ? ` (${olds.deploymentId.slice(0, 8)})` : ""}; checking again`,
                    );
                }
                const outs = await registerAndDescribe(client, news, job, parsedJob, enforceIndex, id, olds.adopted);
                return { outs };
            },
        );
    },

    /** Deregister (purge when `purgeOnDestroy`); an already-absent job is success; `deregisterOnDestroy: false` leaves it. */
    async delete(id: string, props: NomadJobOutputs): Promise<void> {
        if (props.deregisterOnDestroy === false) {
            log(`job "${props.jobId ?? id}" is left running in Nomad (deregisterOnDestroy is false)`);
            return;
        }
        await guard(
            (e) => jobError(jobName(props, id), "deregister", e, props),
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
