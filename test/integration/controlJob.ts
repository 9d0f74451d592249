// Negative controls on a running dev estate: a copy of a production job, registered under a
// name of its own with one deliberate fault, that must fail the way the real app would. The
// copy keeps one task, never restarts or reschedules, registers its services under new names
// (so no proxy routes to it), and reads a copy of the job's variable (workload identities
// reach only their own job's path).
import { Job, Task } from "../../nomad";
import { api, DevEstate } from "./devEstate";

export interface Control {
    id: string;
    job: Job;
}

type TaskState = { State: string; Failed: boolean; Events: { Type: string; DisplayMessage: string }[] };
export type ControlAlloc = { ID: string; ClientStatus: string; TaskStates?: Record<string, TaskState> };

/** A copy of `source` as job `id` with only `task`, changed by `fault`; its variable copied. Not registered yet. */
export async function controlJob(e: DevEstate, source: string, id: string, task: string, fault: (job: Job, task: Task) => void): Promise<Control> {
    const original = await api<Job>(e.address, "GET", `/v1/job/${source}`);
    const job = JSON.parse(JSON.stringify(original).split(`nomad/jobs/${source}`).join(`nomad/jobs/${id}`)) as Job;
    job.ID = id;
    job.Name = id;
    delete job.Periodic;
    const group = job.TaskGroups![0];
    group.Tasks = group.Tasks!.filter((t) => t.Name === task);
    group.RestartPolicy = { Attempts: 0, Interval: 60e9, Delay: 1e9, Mode: "fail" };
    group.ReschedulePolicy = { Attempts: 0, Interval: 0, Unlimited: false };
    for (const s of group.Services ?? []) {
        s.Name = `${s.Name}-control`;
    }
    // Only the kept task's services: another task's port label would not resolve.
    group.Services = (group.Services ?? []).filter((s) => !s.TaskName || s.TaskName === task);
    fault(job, group.Tasks[0]);
    const vars = await api<{ Path: string }[]>(e.address, "GET", `/v1/vars?prefix=nomad/jobs/${source}`);
    if (vars.some((v) => v.Path === `nomad/jobs/${source}`)) {
        const v = await api<{ Items: Record<string, string> }>(e.address, "GET", `/v1/var/nomad/jobs/${source}`);
        await api(e.address, "PUT", `/v1/var/nomad/jobs/${id}`, { Namespace: "default", Path: `nomad/jobs/${id}`, Items: v.Items });
    }
    return { id, job };
}

export async function registerControl(e: DevEstate, c: Control): Promise<void> {
    await api(e.address, "POST", "/v1/jobs", { Job: c.job });
}

/** The control's allocation once `done` holds for it, or throws with what it saw after `timeoutMs`. */
export async function controlAlloc(e: DevEstate, c: Control, done: (a: ControlAlloc) => boolean, timeoutMs = 120_000): Promise<ControlAlloc> {
    const deadline = Date.now() + timeoutMs;
    let last: ControlAlloc | undefined;
    for (;;) {
        const [stub] = await api<{ ID: string }[]>(e.address, "GET", `/v1/job/${c.id}/allocations`);
        if (stub) {
            last = await api<ControlAlloc>(e.address, "GET", `/v1/allocation/${stub.ID}`);
            if (done(last)) {
                return last;
            }
        }
        if (Date.now() > deadline) {
            throw new Error(`control ${c.id}: not there after ${timeoutMs / 1000}s: ${JSON.stringify(last?.TaskStates ?? last ?? null).slice(0, 3000)}`);
        }
        await new Promise((r) => setTimeout(r, 1000));
    }
}

/** What a task of an allocation printed (stdout and stderr), as Nomad keeps it. */
export async function taskOutput(e: DevEstate, allocId: string, task: string): Promise<string> {
    const read = async (type: string) => {
        const res = await fetch(`${e.address}/v1/client/fs/logs/${allocId}?task=${task}&type=${type}&plain=true&origin=start`, {
            signal: AbortSignal.timeout(15_000),
        });
        return res.ok ? res.text() : "";
    };
    return `${await read("stdout")}\n${await read("stderr")}`;
}

/** Stops and purges the control and drops its variable. */
export async function removeControl(e: DevEstate, c: Control): Promise<void> {
    await api(e.address, "DELETE", `/v1/job/${c.id}?purge=true`).catch(() => undefined);
    await api(e.address, "DELETE", `/v1/var/nomad/jobs/${c.id}`).catch(() => undefined);
}
