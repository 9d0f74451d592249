/** What the fake server does to a submitted job before storing it: validation and defaults. */
import { HttpError, NS, Obj, clone } from "./util";

export function validate(job: Obj): string[] {
    const errs: string[] = [];
    if (!job.TaskGroups || !Array.isArray(job.TaskGroups) || job.TaskGroups.length === 0) {
        errs.push("Missing job task groups");
    }
    const type = job.Type ?? "service";
    if (["service", "batch", "system", "sysbatch"].indexOf(type) < 0) {
        errs.push(`Invalid job type: "${type}"`);
    }
    if (job.Priority !== undefined && (job.Priority < 1 || job.Priority > 100)) {
        errs.push("Job priority must be between [1, 100]");
    }
    for (const tg of job.TaskGroups ?? []) {
        const tgErrs: string[] = [];
        if (!tg.Name) {
            tgErrs.push("Missing task group name");
        }
        if (!Array.isArray(tg.Tasks) || tg.Tasks.length === 0) {
            tgErrs.push("Missing tasks for task group");
        }
        for (const t of tg.Tasks ?? []) {
            if (!t.Name) {
                tgErrs.push("Task missing name");
            }
            if (!t.Driver) {
                tgErrs.push(`Task ${t.Name ?? "?"} validation failed: Missing task driver`);
            }
        }
        const providers = new Set((tg.Services ?? []).concat(...(tg.Tasks ?? []).map((t: Obj) => t.Services ?? [])).map((s: Obj) => s.Provider ?? "consul"));
        if (providers.size > 1) {
            tgErrs.push("Multiple service providers used: task group services must use the same provider");
        }
        if (tgErrs.length) {
            errs.push(`Task group ${tg.Name ?? "?"} validation failed: ${tgErrs.join("; ")}`);
        }
    }
    return errs;
}

export function validationError(errs: string[]): HttpError {
    // Admission-controller errors are plain RPC errors: HTTP 500, multierror text.
    return new HttpError(500, `${errs.length} error${errs.length > 1 ? "s" : ""} occurred:\n${errs.map((e) => `\t* ${e}`).join("\n")}\n\n`);
}

/** Server-side defaults, roughly as Nomad's canonicalisation fills them. */
export function canonicalize(input: Obj, namespace: string): Obj {
    const job = clone(input);
    job.Namespace = namespace;
    job.Region = job.Region || "global";
    job.Name = job.Name || job.ID;
    job.Type = job.Type || "service";
    job.Priority = job.Priority ?? 50;
    job.AllAtOnce = job.AllAtOnce ?? false;
    job.Datacenters = job.Datacenters && job.Datacenters.length ? job.Datacenters : ["*"];
    job.NodePool = job.NodePool || "default";
    job.Stop = job.Stop ?? false;
    job.Meta = job.Meta ?? null;
    job.Constraints = job.Constraints ?? null;
    const updateDefaults = {
        Stagger: 30 * NS,
        MaxParallel: 1,
        HealthCheck: "checks",
        MinHealthyTime: 10 * NS,
        HealthyDeadline: 300 * NS,
        ProgressDeadline: 600 * NS,
        AutoRevert: false,
        AutoPromote: false,
        Canary: 0,
    };
    if (job.Update) {
        job.Update = { ...updateDefaults, ...job.Update };
    }
    if (job.Periodic) {
        job.Periodic = { Enabled: true, SpecType: "cron", ProhibitOverlap: false, TimeZone: "UTC", ...job.Periodic };
    }
    for (const tg of job.TaskGroups ?? []) {
        tg.Count = tg.Count ?? 1;
        tg.RestartPolicy = {
            ...(job.Type === "batch"
                ? { Attempts: 3, Interval: 86400 * NS, Delay: 15 * NS, Mode: "fail" }
                : { Attempts: 2, Interval: 1800 * NS, Delay: 15 * NS, Mode: "fail" }),
            RenderTemplates: false,
            ...(tg.RestartPolicy ?? {}),
        };
        if (job.Type === "service" || job.Type === "batch") {
            tg.ReschedulePolicy = {
                ...(job.Type === "batch"
                    ? { Attempts: 1, Interval: 86400 * NS, Delay: 5 * NS, DelayFunction: "constant", MaxDelay: 0, Unlimited: false }
                    : { Attempts: 0, Interval: 0, Delay: 30 * NS, DelayFunction: "exponential", MaxDelay: 3600 * NS, Unlimited: true }),
                ...(tg.ReschedulePolicy ?? {}),
            };
        }
        tg.EphemeralDisk = { SizeMB: 300, Sticky: false, Migrate: false, ...(tg.EphemeralDisk ?? {}) };
        if (job.Type === "service" && (tg.Update || job.Update)) {
            tg.Update = { ...updateDefaults, ...(job.Update ?? {}), ...(tg.Update ?? {}) };
        }
        for (const n of tg.Networks ?? []) {
            n.Mode = n.Mode || "host";
            for (const p of (n.ReservedPorts ?? []).concat(n.DynamicPorts ?? [])) {
                p.HostNetwork = p.HostNetwork || "default";
                p.To = p.To ?? 0;
            }
        }
        for (const s of tg.Services ?? []) {
            s.Provider = s.Provider || "consul";
            s.AddressMode = s.AddressMode || "auto";
        }
        for (const t of tg.Tasks ?? []) {
            t.Resources = { CPU: 100, MemoryMB: 300, MemoryMaxMB: 0, Cores: 0, ...(t.Resources ?? {}) };
            t.KillTimeout = t.KillTimeout ?? 5 * NS;
            t.LogConfig = { MaxFiles: 10, MaxFileSizeMB: 10, Disabled: false, ...(t.LogConfig ?? {}) };
            t.Leader = t.Leader ?? false;
            t.Env = t.Env ?? null;
            for (const tmpl of t.Templates ?? []) {
                tmpl.ChangeMode = tmpl.ChangeMode || "restart";
                tmpl.Perms = tmpl.Perms || "0644";
                tmpl.Splay = tmpl.Splay ?? 5 * NS;
                tmpl.LeftDelim = tmpl.LeftDelim || "{{";
                tmpl.RightDelim = tmpl.RightDelim || "}}";
                tmpl.Envvars = tmpl.Envvars ?? false;
            }
            for (const s of t.Services ?? []) {
                s.Provider = s.Provider || "consul";
                s.AddressMode = s.AddressMode || "auto";
            }
        }
    }
    return job;
}

export function checkBody(body: Obj, pathId: string | undefined): Obj {
    if (!body.Job || typeof body.Job !== "object") {
        throw new HttpError(400, "Job must be specified");
    }
    if (!body.Job.ID) {
        throw new HttpError(400, "Job ID hasn't been provided");
    }
    if (pathId !== undefined && body.Job.ID !== pathId) {
        throw new HttpError(400, "Job ID does not match name");
    }
    return body.Job;
}
