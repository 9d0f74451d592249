/**
 * The fake scheduler, as far as deployments go: evaluations that complete
 * after a moment and then name the job's latest deployment (even one this
 * registration did not start, as Nomad does), deployments that finish after
 * `deploymentDelayMs` as `healthOf(job)` says, allocations with task events,
 * and auto-revert to the last stable version (a new version, a new deployment).
 * Time moves on when a request arrives (`tick`).
 */
import { randomUUID } from "crypto";
import type { FakeCluster, StoredJob } from "./cluster";
import { HttpError, Obj, clone } from "./util";

/** How the fake decides a deployment ends: healthy, checks never pass, or the task crashes. */
export type Health = "healthy" | "unhealthy" | "crash";

function event(type: string, message: string): Obj {
    return { Type: type, Time: Date.now() * 1e6, DisplayMessage: message, Details: {} };
}

function secondsText(ns: number | undefined, fallback: string): string {
    return ns === undefined ? fallback : `${ns / 1e9}s`;
}

function wantsDeployment(job: Obj): boolean {
    return !job.Stop && job.Type === "service" && (job.TaskGroups ?? []).some((tg: Obj) => tg.Update && tg.Update.MaxParallel > 0 && tg.Count > 0);
}

/** Stop every allocation still meant to run (a newer version, or the job stopped). */
function stopAllocations(c: FakeCluster, key: string): void {
    for (const a of c.allocs.get(key) ?? []) {
        if (a.DesiredStatus === "run") {
            a.DesiredStatus = "stop";
            a.DesiredDescription = "alloc is being updated due to job update";
            if (a.ClientStatus === "running" || a.ClientStatus === "pending") {
                a.ClientStatus = "complete";
                a.ClientDescription = "All tasks have completed";
                for (const t of Object.values(a.TaskStates) as Obj[]) {
                    t.State = "dead";
                    t.Events.push(event("Killing", "Sent interrupt. Waiting 5s before force killing"), event("Killed", "Task successfully killed"));
                }
            }
        }
    }
}

function placeAllocations(c: FakeCluster, key: string, job: Obj, deploymentId: string | undefined): void {
    const list = c.allocs.get(key) ?? [];
    for (const tg of job.TaskGroups ?? []) {
        for (let i = 0; i < (tg.Count ?? 1); i++) {
            const states: Obj = {};
            for (const t of tg.Tasks ?? []) {
                states[t.Name] = {
                    State: "running",
                    Failed: false,
                    Restarts: 0,
                    Events: [
                        event("Received", "Task received by client"),
                        event("Task Setup", "Building Task Directory"),
                        event("Started", "Task started by client"),
                    ],
                };
            }
            list.push({
                ID: randomUUID(),
                Name: `${job.ID}.${tg.Name}[${i}]`,
                Namespace: job.Namespace,
                JobID: job.ID,
                JobVersion: job.Version,
                TaskGroup: tg.Name,
                DesiredStatus: "run",
                DesiredDescription: "",
                ClientStatus: "running",
                ClientDescription: "Tasks are running",
                DeploymentStatus: null,
                TaskStates: states,
                deploymentId,
                CreateIndex: c.index,
                ModifyIndex: c.index,
            });
        }
    }
    c.allocs.set(key, list);
}

/** A new version was stored: cancel what ran before, place the new allocations, start its deployment. */
export function rollOut(c: FakeCluster, key: string, job: Obj, delayMs = c.deploymentDelayMs): void {
    const list = c.deployments.get(key) ?? [];
    for (const d of list) {
        if (d.Status === "running") {
            d.Status = "cancelled";
            d.StatusDescription = job.Stop ? "Cancelled because job is stopped" : "Cancelled due to newer version of job";
        }
    }
    stopAllocations(c, key);
    if (job.Stop || job.Periodic || job.ParameterizedJob) {
        return;
    }
    const placeable = c.placeable(job);
    let deploymentId: string | undefined;
    if (wantsDeployment(job)) {
        deploymentId = randomUUID();
        const groups: Obj = {};
        for (const tg of job.TaskGroups) {
            groups[tg.Name] = {
                AutoRevert: !!tg.Update?.AutoRevert,
                AutoPromote: false,
                DesiredCanaries: 0,
                DesiredTotal: tg.Count,
                PlacedAllocs: placeable ? tg.Count : 0,
                HealthyAllocs: 0,
                UnhealthyAllocs: 0,
                ProgressDeadline: tg.Update?.ProgressDeadline ?? 0,
            };
        }
        list.push({
            ID: deploymentId,
            Namespace: job.Namespace,
            JobID: job.ID,
            JobVersion: job.Version,
            JobModifyIndex: job.JobModifyIndex,
            JobSpecModifyIndex: job.JobModifyIndex,
            JobCreateIndex: job.CreateIndex,
            Status: "running",
            StatusDescription: "Deployment is running",
            TaskGroups: groups,
            CreateIndex: c.index,
            ModifyIndex: c.index,
            // Not before the evaluation that started it has completed (as in Nomad).
            finishAt: Date.now() + c.evalDelayMs + delayMs,
            placeable,
            health: c.healthOf(job),
        });
        c.deployments.set(key, list);
    }
    if (placeable) {
        placeAllocations(c, key, job, deploymentId);
    }
}

/**
 * The evaluation a register (or deregister) creates; it completes `evalDelayMs`
 * later naming the job's latest deployment at creation (the one this
 * registration started, or an older one when it started none).
 */
export function createEval(c: FakeCluster, key: string, job: Obj, triggeredBy: string): string {
    const deployments = c.deployments.get(key) ?? [];
    const id = randomUUID();
    const failed: Obj = {};
    if (!job.Stop && !c.placeable(job)) {
        for (const tg of job.TaskGroups ?? []) {
            failed[tg.Name] = { NodesEvaluated: 1, NodesFiltered: 1, ConstraintFiltered: { "missing drivers": 1 }, CoalescedFailures: (tg.Count ?? 1) - 1 };
        }
    }
    c.evals.set(id, {
        ID: id,
        Namespace: job.Namespace,
        JobID: job.ID,
        Type: job.Type,
        TriggeredBy: triggeredBy,
        JobModifyIndex: job.JobModifyIndex,
        Status: "pending",
        StatusDescription: "",
        DeploymentID: "",
        FailedTGAllocs: Object.keys(failed).length ? failed : null,
        CreateIndex: c.index,
        ModifyIndex: c.index,
        key,
        deploymentId: deployments.length ? deployments[deployments.length - 1].ID : "",
        readyAt: Date.now() + c.evalDelayMs,
    });
    return id;
}

function lastStable(stored: StoredJob, below: number): Obj | undefined {
    return stored.versions.filter((v) => v.Stable && v.Version < below).pop();
}

function markStable(stored: StoredJob, version: number): void {
    for (const v of stored.versions) {
        if (v.Version === version) {
            v.Stable = true;
        }
    }
    if (stored.job.Version === version) {
        stored.job.Stable = true;
    }
}

function fail(c: FakeCluster, key: string, d: Obj, stored: StoredJob): void {
    const job = stored.versions.find((v) => v.Version === d.JobVersion) ?? stored.job;
    for (const a of (c.allocs.get(key) ?? []).filter((x) => x.deploymentId === d.ID)) {
        const tg = (job.TaskGroups ?? []).find((g: Obj) => g.Name === a.TaskGroup) ?? {};
        a.DeploymentStatus = { Healthy: false, Timestamp: new Date().toISOString(), Canary: false };
        for (const t of Object.values(a.TaskStates) as Obj[]) {
            if (d.health === "crash") {
                t.State = "dead";
                t.Failed = true;
                t.Restarts = 1;
                t.Events.push(
                    event("Terminated", "Exit Code: 3"),
                    event("Restarting", "Task restarting in 1s"),
                    event("Started", "Task started by client"),
                    event("Terminated", "Exit Code: 3"),
                    event("Not Restarting", 'Exceeded allowed attempts 1 in interval 1m0s and mode is "fail"'),
                );
                a.ClientStatus = "failed";
                a.ClientDescription = "Failed tasks";
            } else {
                const u = tg.Update ?? {};
                t.Events.push(
                    event(
                        "Alloc Unhealthy",
                        `Task not running for min_healthy_time of ${secondsText(u.MinHealthyTime, "10s")} by healthy_deadline of ${secondsText(u.HealthyDeadline, "5m0s")}`,
                    ),
                );
            }
        }
    }
    for (const g of Object.values(d.TaskGroups) as Obj[]) {
        g.UnhealthyAllocs = g.PlacedAllocs;
    }
    d.Status = "failed";
    d.StatusDescription = "Failed due to unhealthy allocations";
    const autoRevert = (Object.values(d.TaskGroups) as Obj[]).some((g) => g.AutoRevert);
    if (!autoRevert) {
        return;
    }
    const stable = lastStable(stored, d.JobVersion);
    if (!stable) {
        d.StatusDescription += " - no stable job version to auto revert to";
        return;
    }
    d.StatusDescription += ` - rolling back to job version ${stable.Version}`;
    // Nomad reverts in the same write: a new version, copied from the stable one.
    const reverted = clone(stable);
    reverted.Version = stored.job.Version + 1;
    reverted.JobModifyIndex = c.index;
    reverted.ModifyIndex = c.index;
    reverted.Stable = false;
    stored.job = reverted;
    stored.versions.push(clone(reverted));
    rollOut(c, key, reverted, c.revertDelayMs ?? c.deploymentDelayMs);
}

function finish(c: FakeCluster, key: string, d: Obj): void {
    const stored = c.jobs.get(key);
    if (!stored) {
        return;
    }
    c.index++;
    d.ModifyIndex = c.index;
    if (d.health !== "healthy") {
        fail(c, key, d, stored);
        return;
    }
    for (const a of (c.allocs.get(key) ?? []).filter((x) => x.deploymentId === d.ID)) {
        a.DeploymentStatus = { Healthy: true, Timestamp: new Date().toISOString(), Canary: false };
    }
    for (const g of Object.values(d.TaskGroups) as Obj[]) {
        g.HealthyAllocs = g.DesiredTotal;
    }
    d.Status = "successful";
    d.StatusDescription = "Deployment completed successfully";
    markStable(stored, d.JobVersion);
}

/** Let time pass: complete due evaluations, finish due deployments (a revert may start another). */
export function tick(c: FakeCluster): void {
    const now = Date.now();
    for (const e of c.evals.values()) {
        if (e.Status === "pending" && e.readyAt <= now) {
            e.Status = "complete";
            e.DeploymentID = e.deploymentId;
            c.index++;
            e.ModifyIndex = c.index;
        }
    }
    for (let round = 0; round < 5; round++) {
        let changed = false;
        for (const [key, list] of c.deployments) {
            for (const d of list.slice()) {
                if (d.Status === "running" && d.placeable && d.finishAt <= now) {
                    finish(c, key, d);
                    changed = true;
                }
            }
        }
        if (!changed) {
            break;
        }
    }
}

function visible(o: Obj): Obj {
    const out: Obj = {};
    for (const [k, v] of Object.entries(o)) {
        if (/^[A-Z]/.test(k)) {
            out[k] = clone(v);
        }
    }
    return out;
}

export function readEval(c: FakeCluster, id: string): Obj {
    const e = c.evals.get(id);
    if (!e) {
        throw new HttpError(404, "eval not found");
    }
    return visible(e);
}

function findDeployment(c: FakeCluster, id: string): Obj {
    for (const list of c.deployments.values()) {
        const d = list.find((x) => x.ID === id);
        if (d) {
            return d;
        }
    }
    throw new HttpError(404, "deployment not found");
}

export function readDeployment(c: FakeCluster, id: string): Obj {
    return visible(findDeployment(c, id));
}

export function deploymentAllocations(c: FakeCluster, id: string): Obj[] {
    const d = findDeployment(c, id);
    return (c.allocs.get(`${d.Namespace}/${d.JobID}`) ?? []).filter((a) => a.deploymentId === id).map(visible);
}

export function jobDeployments(c: FakeCluster, query: Record<string, string>, id: string): Obj[] {
    const ns = c.namespaceOf(query);
    return (c.deployments.get(`${ns}/${id}`) ?? []).map(visible).reverse();
}

export function latestDeployment(c: FakeCluster, query: Record<string, string>, id: string): Obj | null {
    const list = jobDeployments(c, query, id);
    return list.length ? list[0] : null;
}

export function jobAllocations(c: FakeCluster, query: Record<string, string>, id: string): Obj[] {
    const ns = c.namespaceOf(query);
    return (c.allocs.get(`${ns}/${id}`) ?? []).map(visible);
}
