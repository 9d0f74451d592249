// Runs a periodic job of the dev estate now (`nomad job periodic force`, through the API) and
// waits for the run's first allocation to end, as Nomad reports it.
import { api } from "./devEstate";

export interface PeriodicRun {
    /** The job the force launched (`restic-drill/periodic-1733…`). */
    child: string;
    allocId: string;
    /** The first allocation's end: complete, or failed (after its restarts). */
    status: string;
    ms: number;
}

type Alloc = { ID: string; ClientStatus: string; CreateIndex: number };

export async function forcePeriodic(address: string, job: string, timeoutMs = 300_000): Promise<PeriodicRun> {
    const start = Date.now();
    const forced = await api<{ EvalID: string }>(address, "POST", `/v1/job/${encodeURIComponent(job)}/periodic/force`);
    // The evaluation belongs to the job the force launched.
    const { JobID: child } = await api<{ JobID: string }>(address, "GET", `/v1/evaluation/${forced.EvalID}`);
    const deadline = start + timeoutMs;
    for (;;) {
        const allocs = await api<Alloc[]>(address, "GET", `/v1/job/${encodeURIComponent(child)}/allocations`);
        const first = [...allocs].sort((a, b) => a.CreateIndex - b.CreateIndex)[0];
        if (first && (first.ClientStatus === "complete" || first.ClientStatus === "failed")) {
            return { child, allocId: first.ID, status: first.ClientStatus, ms: Date.now() - start };
        }
        if (Date.now() > deadline) {
            throw new Error(`${child}: no allocation ended within ${timeoutMs / 1000}s (${allocs.map((a) => a.ClientStatus).join(", ") || "none placed"})`);
        }
        await new Promise((r) => setTimeout(r, 1000));
    }
}

/** A task's stdout or stderr in an allocation, every restart's output together. */
export async function taskLog(address: string, allocId: string, task: string, type: "stdout" | "stderr"): Promise<string> {
    const res = await fetch(`${address}/v1/client/fs/logs/${allocId}?task=${encodeURIComponent(task)}&type=${type}&origin=start&plain=true`, {
        signal: AbortSignal.timeout(15_000),
    });
    if (!res.ok) {
        throw new Error(`logs of ${allocId}/${task}: ${res.status} ${await res.text()}`);
    }
    return res.text();
}
