/** The fake's plan endpoint: what the scheduler would do, as DesiredTGUpdates and a Diff. */
import type { FakeCluster } from "./cluster";
import { canonicalize, validate, validationError } from "./jobspec";
import { HttpError, Obj, specEqual, stable, taskCore } from "./util";

export function plan(c: FakeCluster, query: Record<string, string>, pathId: string, body: Obj): Obj {
    if (!body.Job || typeof body.Job !== "object") {
        throw new HttpError(400, "Job must be specified");
    }
    if (!body.Job.ID) {
        throw new HttpError(400, "Job must have a valid ID");
    }
    if (body.Job.ID !== pathId) {
        throw new HttpError(400, "Job ID does not match");
    }
    const namespace = c.namespaceOf(query, body.Job);
    const errs = validate(body.Job);
    if (errs.length) {
        throw validationError(errs);
    }
    const next = canonicalize(body.Job, namespace);
    const existing = c.jobs.get(`${namespace}/${next.ID}`)?.job;
    const desired: Record<string, Obj> = {};
    const failed: Record<string, Obj> = {};
    const tgDiffs: Obj[] = [];
    const oldGroups = new Map<string, Obj>((existing?.TaskGroups ?? []).map((g: Obj) => [g.Name, g]));
    const wasRunning = existing && !existing.Stop;
    for (const tg of next.TaskGroups) {
        const old = wasRunning ? oldGroups.get(tg.Name) : undefined;
        const u: Obj = { Ignore: 0, Place: 0, Migrate: 0, Stop: 0, InPlaceUpdate: 0, DestructiveUpdate: 0, Canary: 0, Preemptions: 0 };
        let updates: Obj = {};
        let type: string;
        if (next.Stop) {
            u.Stop = old ? old.Count : 0;
            updates = u.Stop ? { stop: u.Stop } : {};
            type = old ? "Edited" : "Added";
        } else if (!old) {
            u.Place = tg.Count;
            updates = { create: tg.Count };
            type = "Added";
        } else {
            const destructive = stable(tg.Tasks.map(taskCore)) !== stable(old.Tasks.map(taskCore));
            const inPlace = !destructive && stable({ ...tg, Count: 0 }) !== stable({ ...old, Count: 0 });
            const kept = Math.min(tg.Count, old.Count);
            if (tg.Count > old.Count) {
                u.Place = tg.Count - old.Count;
                updates.create = u.Place;
            } else if (tg.Count < old.Count) {
                u.Stop = old.Count - tg.Count;
                updates.destroy = u.Stop;
            }
            if (destructive) {
                u.DestructiveUpdate = kept;
                updates["create/destroy update"] = kept;
            } else if (inPlace) {
                u.InPlaceUpdate = kept;
                updates["in-place update"] = kept;
            } else {
                u.Ignore = kept;
                updates.ignore = kept;
            }
            type = destructive || inPlace || tg.Count !== old.Count ? "Edited" : "None";
        }
        desired[tg.Name] = u;
        tgDiffs.push({ Type: type, Name: tg.Name, Fields: null, Objects: null, Tasks: null, Updates: updates });
        if ((u.Place > 0 || u.DestructiveUpdate > 0) && !tg.Tasks.every((t: Obj) => c.drivers.indexOf(t.Driver) >= 0)) {
            const n = u.Place + u.DestructiveUpdate;
            failed[tg.Name] = {
                NodesEvaluated: 1,
                NodesFiltered: 1,
                NodesAvailable: { dc1: 1 },
                ClassFiltered: null,
                ConstraintFiltered: { "missing drivers": 1 },
                NodesExhausted: 0,
                ClassExhausted: null,
                DimensionExhausted: null,
                QuotaExhausted: null,
                CoalescedFailures: n - 1,
            };
        }
    }
    if (wasRunning) {
        for (const [name, old] of oldGroups) {
            if (!next.TaskGroups.some((g: Obj) => g.Name === name)) {
                desired[name] = { Ignore: 0, Place: 0, Migrate: 0, Stop: old.Count, InPlaceUpdate: 0, DestructiveUpdate: 0, Canary: 0, Preemptions: 0 };
                tgDiffs.push({ Type: "Deleted", Name: name, Fields: null, Objects: null, Tasks: null, Updates: { destroy: old.Count } });
            }
        }
    }
    const fields: Obj[] = [];
    if (existing) {
        for (const f of ["Stop", "Priority", "Type", "AllAtOnce", "NodePool"]) {
            if (stable(existing[f]) !== stable(next[f])) {
                fields.push({ Type: "Edited", Name: f, Old: String(existing[f]), New: String(next[f]), Annotations: null });
            }
        }
        if (stable(existing.Datacenters) !== stable(next.Datacenters)) {
            fields.push({ Type: "Edited", Name: "Datacenters", Old: String(existing.Datacenters), New: String(next.Datacenters), Annotations: null });
        }
    }
    const jobType = !existing ? "Added" : specEqual(existing, next) ? "None" : "Edited";
    return {
        JobModifyIndex: existing ? existing.JobModifyIndex : 0,
        Diff: { Type: jobType, ID: next.ID, Fields: fields.length ? fields : null, Objects: null, TaskGroups: tgDiffs },
        Annotations: { DesiredTGUpdates: desired, PreemptedAllocs: null },
        FailedTGAllocs: Object.keys(failed).length ? failed : null,
        CreatedEvals: null,
        NextPeriodicLaunch: "0001-01-01T00:00:00Z",
        Warnings: "",
        Index: c.index,
    };
}
