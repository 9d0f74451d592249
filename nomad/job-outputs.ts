/**
 * What NomadJob reports about the job as Nomad holds it (status, groups and
 * their counts, allocations), and the counts rule of `preserveCounts`.
 * Serialized with the job provider: pure functions and one client call.
 */
import type { AllocationStub, JobSubmission, ServerJob } from "./api-types";
import type { NomadClient } from "./client";
import { variableFlags } from "./hcl2-variables";
import type { Job } from "./job-types";
import type { NomadJobInputs, TaskGroupSummary } from "./job-spec";

/** The outputs read off the server's job and its allocations. */
export interface ServerFacts {
    modifyIndex: number;
    version: number;
    status: string;
    statusDescription: string;
    stable: boolean;
    type: string;
    datacenters: string[];
    stopped: boolean;
    taskGroups: TaskGroupSummary[];
    allocationIds: string[];
}

export function taskGroupsOf(job: Job): TaskGroupSummary[] {
    return (job.TaskGroups ?? []).map((g) => ({
        name: g.Name,
        count: g.Count ?? 1,
        tasks: (g.Tasks ?? []).map((t) => ({ name: t.Name, driver: t.Driver })),
    }));
}

/** The allocations Nomad wants running (not those it stopped or replaced), oldest first. */
export function wantedAllocationIds(allocs: AllocationStub[]): string[] {
    return allocs
        .filter((a) => (a.DesiredStatus ?? "run") === "run")
        .sort((a, b) => (a.CreateIndex ?? 0) - (b.CreateIndex ?? 0) || a.ID.localeCompare(b.ID))
        .map((a) => a.ID);
}

/** Read the job's allocations and put everything together. */
export async function serverFacts(client: NomadClient, server: ServerJob, fallback: Job, scope: { namespace: string; region?: string }): Promise<ServerFacts> {
    const allocs = await client.jobAllocations(server.ID ?? fallback.ID, scope);
    return {
        modifyIndex: server.JobModifyIndex ?? 0,
        version: server.Version ?? 0,
        status: server.Status ?? "pending",
        statusDescription: server.StatusDescription ?? "",
        stable: !!server.Stable,
        type: server.Type ?? fallback.Type ?? "service",
        datacenters: server.Datacenters ?? fallback.Datacenters ?? [],
        stopped: !!server.Stop,
        taskGroups: taskGroupsOf(server),
        allocationIds: wantedAllocationIds(allocs),
    };
}

/**
 * With `preserveCounts`, Nomad keeps the count of each group it already runs
 * (an autoscaler's or an operator's), so plans (preview, drift) are asked with
 * those counts: a count changed outside Pulumi is then neither drift nor a change.
 */
export function withCountsOf(job: Job, server: Job | undefined): Job {
    if (!server || server.Stop) {
        return job;
    }
    const counts = new Map((server.TaskGroups ?? []).map((g) => [g.Name, g.Count]));
    return {
        ...job,
        TaskGroups: (job.TaskGroups ?? []).map((g) => (counts.get(g.Name) === undefined ? g : { ...g, Count: counts.get(g.Name) })),
    };
}

/** The registration's Submission: the HCL (with its variables as `-var` flags) or the job's JSON, as the Nomad CLI sends it. */
export function submissionOf(inputs: NomadJobInputs, sent: Job): JobSubmission {
    if (typeof inputs.jobspec === "string") {
        const flags = variableFlags(inputs.hcl2Variables);
        return { Source: inputs.jobspec, Format: "hcl2", ...(Object.keys(flags).length ? { VariableFlags: flags } : {}) };
    }
    return { Source: JSON.stringify(sent, null, 2), Format: "json" };
}
