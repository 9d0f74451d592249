/** The fake's job endpoints: register, read, list, deregister, deployments, validate, parse. */
import type { FakeCluster, StoredJob } from "./cluster";
import { createEval, rollOut } from "./deployments";
import { parseJobHcl } from "./hcl";
import { canonicalize, checkBody, validate, validationError } from "./jobspec";
import { HttpError, Obj, clone, specEqual } from "./util";

export function register(c: FakeCluster, query: Record<string, string>, body: Obj, pathId: string | undefined): Obj {
    const submitted = checkBody(body, pathId);
    const namespace = c.namespaceOf(query, submitted);
    const errs = validate(submitted);
    if (errs.length) {
        throw validationError(errs);
    }
    const key = `${namespace}/${submitted.ID}`;
    const existing = c.jobs.get(key);
    if (body.EnforceIndex) {
        const jmi = Number(body.JobModifyIndex ?? 0);
        if (existing) {
            if (jmi === 0) {
                throw new HttpError(500, "Enforcing job modify index 0: job already exists");
            } else if (jmi !== existing.job.JobModifyIndex) {
                throw new HttpError(500, `Enforcing job modify index ${jmi}: job exists with conflicting job modify index: ${existing.job.JobModifyIndex}`);
            }
        } else if (jmi !== 0) {
            throw new HttpError(500, `Enforcing job modify index ${jmi}: job does not exist`);
        }
    }
    const job = canonicalize(submitted, namespace);
    if (body.PreserveCounts && existing && !existing.job.Stop) {
        // As Nomad: groups it already runs keep their count; new groups take the submitted one.
        for (const tg of job.TaskGroups) {
            const old = existing.job.TaskGroups.find((g: Obj) => g.Name === tg.Name);
            if (old) {
                tg.Count = old.Count;
            }
        }
    }
    const periodic = !!job.Periodic || !!job.ParameterizedJob;
    c.index++;
    if (existing && specEqual(existing.job, job)) {
        // Unchanged spec: no new version, no new job modify index; just an eval.
        const evalId = periodic ? "" : createEval(c, key, existing.job, "job-register");
        return { EvalID: evalId, EvalCreateIndex: periodic ? 0 : c.index, JobModifyIndex: existing.job.JobModifyIndex, Warnings: "", Index: c.index };
    }
    upsert(c, key, job, existing);
    if (body.Submission && typeof body.Submission === "object") {
        const stored = c.jobs.get(key)!;
        stored.submissions = stored.submissions ?? new Map();
        stored.submissions.set(job.Version, {
            ...clone(body.Submission),
            Namespace: namespace,
            JobID: job.ID,
            Version: job.Version,
            JobModifyIndex: job.JobModifyIndex,
        });
    }
    const evalId = periodic ? "" : createEval(c, key, job, "job-register");
    return { EvalID: evalId, EvalCreateIndex: periodic ? 0 : c.index, JobModifyIndex: c.index, Warnings: "", Index: c.index };
}

export function upsert(c: FakeCluster, key: string, job: Obj, existing: StoredJob | undefined): void {
    const now = Date.now() * 1e6;
    job.Version = existing ? existing.job.Version + 1 : 0;
    job.CreateIndex = existing ? existing.job.CreateIndex : c.index;
    job.ModifyIndex = c.index;
    job.JobModifyIndex = c.index;
    job.SubmitTime = now;
    job.Stable = false;
    const stored: StoredJob = { job, versions: (existing?.versions ?? []).concat([clone(job)]), submissions: existing?.submissions };
    c.jobs.set(key, stored);
    rollOut(c, key, job);
}

export function readJob(c: FakeCluster, query: Record<string, string>, id: string): Obj {
    const ns = c.namespaceOf(query);
    const stored = c.jobs.get(`${ns}/${id}`);
    if (!stored) {
        throw new HttpError(404, "job not found");
    }
    const job = clone(stored.job);
    job.Status = c.status(job);
    job.StatusDescription = "";
    return job;
}

/** `GET /v1/job/:id/submission?version=N`: the source that version was registered with. */
export function readSubmission(c: FakeCluster, query: Record<string, string>, id: string): Obj {
    if (!/^\d+$/.test(query.version ?? "")) {
        throw new HttpError(400, "Unable to parse job submission version parameter");
    }
    const stored = c.jobs.get(`${c.namespaceOf(query)}/${id}`);
    const sub = stored?.submissions?.get(Number(query.version));
    if (!sub) {
        throw new HttpError(404, "job source not found");
    }
    return clone(sub);
}

export function listJobs(c: FakeCluster, query: Record<string, string>): Obj[] {
    const ns = query.namespace || "default";
    const out: Obj[] = [];
    for (const [key, s] of c.jobs) {
        if (ns === "*" || key.startsWith(`${ns}/`)) {
            out.push({
                ID: s.job.ID,
                Name: s.job.Name,
                Namespace: s.job.Namespace,
                Type: s.job.Type,
                Status: c.status(s.job),
                Stop: s.job.Stop,
                Version: s.job.Version,
                JobModifyIndex: s.job.JobModifyIndex,
            });
        }
    }
    return out;
}

export function deregister(c: FakeCluster, query: Record<string, string>, id: string): Obj {
    const ns = c.namespaceOf(query);
    const key = `${ns}/${id}`;
    const stored = c.jobs.get(key);
    c.index++;
    if (!stored) {
        // Current servers accept deregistering a missing job.
        return { EvalID: "", EvalCreateIndex: 0, JobModifyIndex: 0, Index: c.index };
    }
    if (query.purge === "true") {
        const purgeEval = createEval(c, key, { ...stored.job, Stop: true }, "job-deregister");
        c.jobs.delete(key);
        c.deployments.delete(key);
        c.allocs.delete(key);
        return { EvalID: purgeEval, EvalCreateIndex: c.index, JobModifyIndex: c.index, Index: c.index };
    }
    if (!stored.job.Stop) {
        const job = clone(stored.job);
        job.Stop = true;
        upsert(c, key, job, stored);
    }
    const evalId = createEval(c, key, c.jobs.get(key)?.job ?? stored.job, "job-deregister");
    return { EvalID: evalId, EvalCreateIndex: c.index, JobModifyIndex: c.index, Index: c.index };
}

export function validateEndpoint(body: Obj): Obj {
    if (!body.Job || typeof body.Job !== "object") {
        throw new HttpError(400, "Job must be specified");
    }
    const errs = body.Job.ID ? validate(body.Job) : ["Missing job ID"].concat(validate(body.Job));
    return {
        DriverConfigValidated: errs.length === 0,
        ValidationErrors: errs.length ? errs : null,
        Error: errs.length ? `${errs.length} error${errs.length > 1 ? "s" : ""} occurred:\n${errs.map((e) => `\t* ${e}`).join("\n")}\n\n` : "",
        Warnings: "",
    };
}

export function parse(body: Obj): Obj {
    if (typeof body.JobHCL !== "string" || body.JobHCL === "") {
        throw new HttpError(400, "Job spec is empty");
    }
    try {
        return parseJobHcl(body.JobHCL, typeof body.Variables === "string" ? body.Variables : "");
    } catch (e) {
        throw new HttpError(400, `Failed to parse job: ${(e as Error).message}`);
    }
}
