/**
 * `adopt`: taking over a job that already runs (registered by Terraform, the
 * CLI, another stack). Pulumi cannot import a dynamic provider's resource, so
 * `create` does it: it reads the job, asks Nomad's plan whether ours is the
 * same, and records it without a write when it is. Serialized with the job
 * provider.
 */
import type { JobPlanResponse, ServerJob } from "./api-types";
import type { NomadClient } from "./client";
import type { Job } from "./job-types";
import { describeDiff } from "./job-plan";
import { NomadJobInputs, jobForApi } from "./job-spec";
import { withCountsOf } from "./job-outputs";

export interface Adoption {
    /** The job as Nomad runs it. */
    server: ServerJob;
    /** Nomad's plan sees no change (and the job is not stopped): nothing to write. */
    identical: boolean;
    /** What differs, in a few words (for the note and the log). */
    difference?: string;
}

/** The running job under our ID and whether ours is the same, or undefined when there is none. */
export async function findAdoptable(
    client: NomadClient,
    inputs: NomadJobInputs,
    job: Job,
    scope: { namespace: string; region?: string },
): Promise<Adoption | undefined> {
    const server = await client.readJob(job.ID, scope);
    if (!server) {
        return undefined;
    }
    if (server.Stop) {
        return { server, identical: false, difference: "it is stopped" };
    }
    const spec = inputs.preserveCounts ? withCountsOf(job, server) : job;
    const plan: JobPlanResponse = await client.planJob(jobForApi(spec, inputs), { ...scope, diff: true });
    const identical = !!plan.Diff && plan.Diff.Type === "None";
    return { server, identical, difference: identical ? undefined : describeDiff(plan) };
}

/** The `adopted` output: which version was taken over, and whether it was written. */
export function adoptionNote(jobId: string, a: Adoption): string {
    const at = `version ${a.server.Version ?? 0}, job modify index ${a.server.JobModifyIndex ?? 0}`;
    return a.identical
        ? `adopted job "${jobId}" (${at}) as it runs: identical after normalisation, recorded without a write`
        : `adopted job "${jobId}" (${at}) and registered ours over it (${a.difference ?? "changed"})`;
}

/**
 * The preview's words for a create with `adopt`, from Nomad's plan of our job
 * against what runs: the plan's own summary stays, prefixed with what adopting means.
 */
export function adoptPreview(jobId: string, planType: string | undefined, summary: string): string {
    if (planType === "None") {
        return `Adopting job "${jobId}": identical to the job Nomad runs; recorded without a write (${summary})`;
    }
    if (planType === "Added") {
        return `Adopting job "${jobId}": no such job in Nomad, so it is registered; ${summary}`;
    }
    return `Adopting job "${jobId}": it differs from the job Nomad runs, which ours replaces; ${summary}`;
}
