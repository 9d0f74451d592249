/**
 * Waiting for a job's deployment when `detach` is false. Serialized with the
 * provider.
 */
import type { Deployment, ServerJob } from "./api-types";
import type { NomadClient } from "./client";

function terminalDeployment(status: string): boolean {
    return status === "successful" || status === "failed" || status === "cancelled";
}

/** Whether registering this (server-side) job starts a deployment worth waiting for. */
export function expectsDeployment(job: ServerJob): boolean {
    if ((job.Type ?? "service") !== "service" || job.Stop) {
        return false;
    }
    const groups = job.TaskGroups ?? [];
    return groups.some((g) => (g.Count ?? 1) > 0 && !!(g.Update ?? job.Update) && ((g.Update ?? job.Update)?.MaxParallel ?? 1) > 0);
}

function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Poll the job's latest deployment at or above `version` until it finishes or the deadline passes. */
export async function awaitDeployment(
    client: NomadClient,
    jobId: string,
    scope: { namespace: string; region?: string },
    version: number,
    timeoutMs: number,
): Promise<{ deployment?: Deployment; timedOut: boolean }> {
    const deadline = Date.now() + timeoutMs;
    let last: Deployment | undefined;
    for (;;) {
        const d = await client.latestDeployment(jobId, scope);
        if (d && d.JobVersion >= version) {
            last = d;
            if (terminalDeployment(d.Status)) {
                return { deployment: d, timedOut: false };
            }
        }
        if (Date.now() > deadline) {
            return { deployment: last, timedOut: true };
        }
        await sleep(1000);
    }
}
