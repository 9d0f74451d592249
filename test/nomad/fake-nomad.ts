/**
 * A fake Nomad HTTP API for tests, following the facts our resources rely on
 * (see the Nomad API notes): plain-text errors with Nomad's status codes, raft
 * style indexes, EnforceIndex conflicts as 500 `Enforcing job modify index N:
 * ...`, server defaults filled in on GET (so GET != what was sent), plan with
 * Diff and Annotations.DesiredTGUpdates, `Stop` on stopped jobs, purge,
 * deployments, variables with check-and-set (409 with the current variable),
 * a tiny HCL subset for /v1/jobs/parse, request counting and fault injection.
 *
 * It is deliberately independent of the code under test (no imports from
 * nomad/), so that it checks our understanding rather than repeating it.
 */
import * as http from "http";
import type { AddressInfo, Socket } from "net";
import { randomUUID } from "crypto";

type Obj = Record<string, any>;

export interface RecordedRequest {
    method: string;
    path: string;
    query: Record<string, string>;
    /** Whether an X-Nomad-Token header was present (its value is never recorded). */
    hadToken: boolean;
}

export interface FakeNomadOptions {
    /** Drivers the single fake client node "has". Default raw_exec, exec, docker. */
    drivers?: string[];
    /** Namespaces that exist. Default ["default"]. */
    namespaces?: string[];
    /** When set, every request must carry this X-Nomad-Token (403 otherwise). */
    requireToken?: string;
    /** How long a deployment stays "running" before it finishes. Default 150 ms. */
    deploymentDelayMs?: number;
}

interface StoredJob {
    job: Obj;
    versions: Obj[];
}

interface Injected {
    remaining: number;
    status: number;
    message: string;
    match?: RegExp;
}

const NS = 1e9;

function clone<T>(v: T): T {
    return v === undefined ? v : JSON.parse(JSON.stringify(v));
}

/** Stable JSON (sorted keys) for spec comparison. */
function stable(v: unknown): string {
    if (Array.isArray(v)) {
        return "[" + v.map(stable).join(",") + "]";
    }
    if (v && typeof v === "object") {
        const o = v as Obj;
        return (
            "{" +
            Object.keys(o)
                .filter((k) => o[k] !== undefined)
                .sort()
                .map((k) => JSON.stringify(k) + ":" + stable(o[k]))
                .join(",") +
            "}"
        );
    }
    return JSON.stringify(v ?? null);
}

const SERVER_FIELDS = ["Status", "StatusDescription", "Version", "Stable", "SubmitTime", "CreateIndex", "ModifyIndex", "JobModifyIndex"];

function specOf(job: Obj): Obj {
    const s = clone(job);
    for (const f of SERVER_FIELDS) {
        delete s[f];
    }
    return s;
}

function specEqual(a: Obj, b: Obj): boolean {
    return stable(specOf(a)) === stable(specOf(b));
}

class HttpError extends Error {
    constructor(
        readonly status: number,
        message: string,
        readonly body?: unknown,
    ) {
        super(message);
    }
}

export class FakeNomad {
    address = "";
    port = 0;
    drivers: string[];
    namespaces: string[];
    requireToken: string | undefined;
    deploymentDelayMs: number;
    failDeployments = false;
    readonly requests: RecordedRequest[] = [];
    /** Raft-like index: every write bumps it. */
    index = 100;

    private server: http.Server | undefined;
    private sockets = new Set<Socket>();
    private jobs = new Map<string, StoredJob>();
    private vars = new Map<string, Obj>();
    private deployments = new Map<string, Obj[]>();
    private injected: Injected[] = [];
    private resetNext = 0;
    private reopenTimer: NodeJS.Timeout | undefined;

    constructor(opts: FakeNomadOptions = {}) {
        this.drivers = opts.drivers ?? ["raw_exec", "exec", "docker"];
        this.namespaces = opts.namespaces ?? ["default"];
        this.requireToken = opts.requireToken;
        this.deploymentDelayMs = opts.deploymentDelayMs ?? 150;
    }

    // ---- lifecycle ---------------------------------------------------------

    async start(port = 0): Promise<void> {
        await this.listen(port);
        this.address = `http://127.0.0.1:${this.port}`;
    }

    async stop(): Promise<void> {
        if (this.reopenTimer) {
            clearTimeout(this.reopenTimer);
            this.reopenTimer = undefined;
        }
        await this.close();
    }

    private listen(port: number): Promise<void> {
        const server = http.createServer((req, res) => void this.handle(req, res));
        server.keepAliveTimeout = 1000;
        server.on("connection", (s: Socket) => {
            this.sockets.add(s);
            s.on("close", () => this.sockets.delete(s));
        });
        this.server = server;
        return new Promise((resolve, reject) => {
            server.once("error", reject);
            server.listen(port, "127.0.0.1", () => {
                this.port = (server.address() as AddressInfo).port;
                resolve();
            });
        });
    }

    private close(): Promise<void> {
        const server = this.server;
        this.server = undefined;
        if (!server) {
            return Promise.resolve();
        }
        for (const s of this.sockets) {
            s.destroy();
        }
        this.sockets.clear();
        return new Promise((resolve) => server.close(() => resolve()));
    }

    // ---- fault injection & counting -----------------------------------------

    /** The next `n` requests (matching `match`, if given) get `status` with `message`. */
    failNext(n: number, message = "No cluster leader", status = 500, match?: RegExp): void {
        this.injected.push({ remaining: n, status, message, match });
    }

    /** The next `n` requests have their connection destroyed (ECONNRESET / "other side closed"). */
    resetNextConnections(n: number): void {
        this.resetNext = n;
    }

    /** Stop listening (connections are refused) and listen again on the same port after `ms`. */
    async refuseConnectionsFor(ms: number): Promise<void> {
        const port = this.port;
        await this.close();
        this.reopenTimer = setTimeout(() => {
            this.reopenTimer = undefined;
            void this.listen(port);
        }, ms);
    }

    /** Requests seen so far, optionally filtered. */
    count(filter?: (r: RecordedRequest) => boolean): number {
        return filter ? this.requests.filter(filter).length : this.requests.length;
    }

    resetCounts(): void {
        this.requests.length = 0;
    }

    /** Test helper: the stored (server-side) job, or undefined. */
    storedJob(id: string, namespace = "default"): Obj | undefined {
        return clone(this.jobs.get(`${namespace}/${id}`)?.job);
    }

    // ---- HTTP plumbing -----------------------------------------------------

    private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
        const url = new URL(req.url ?? "/", "http://fake");
        const query: Record<string, string> = {};
        url.searchParams.forEach((v, k) => (query[k] = v));
        const method = req.method ?? "GET";
        const token = req.headers["x-nomad-token"];
        this.requests.push({ method, path: url.pathname, query, hadToken: typeof token === "string" && token !== "" });

        const chunks: Buffer[] = [];
        for await (const c of req) {
            chunks.push(c as Buffer);
        }
        const raw = Buffer.concat(chunks).toString("utf8");

        if (this.resetNext > 0) {
            this.resetNext--;
            req.socket.destroy();
            return;
        }
        const inj = this.injected.find((i) => i.remaining > 0 && (!i.match || i.match.test(`${method} ${url.pathname}`)));
        if (inj) {
            inj.remaining--;
            return this.text(res, inj.status, inj.message);
        }
        if (this.requireToken !== undefined) {
            if (typeof token !== "string" || token === "") {
                return this.text(res, 403, "Permission denied");
            }
            if (token !== this.requireToken) {
                return this.text(res, 403, "ACL token not found");
            }
        }
        try {
            const result = this.route(method, url.pathname, query, raw);
            if (result === undefined) {
                res.writeHead(204);
                res.end();
                return;
            }
            res.writeHead(result.status ?? 200, { "Content-Type": "application/json", "X-Nomad-Index": String(this.index) });
            res.end(JSON.stringify(result.body));
        } catch (e) {
            if (e instanceof HttpError) {
                if (e.body !== undefined) {
                    res.writeHead(e.status, { "Content-Type": "application/json" });
                    res.end(JSON.stringify(e.body));
                    return;
                }
                return this.text(res, e.status, e.message);
            }
            return this.text(res, 500, String((e as Error).message ?? e));
        }
    }

    private text(res: http.ServerResponse, status: number, message: string): void {
        res.writeHead(status, { "Content-Type": "text/plain; charset=utf-8" });
        res.end(message);
    }

    private decode(raw: string): Obj {
        try {
            const v = JSON.parse(raw || "null");
            if (v === null || typeof v !== "object") {
                throw new Error("expected an object");
            }
            return v;
        } catch (e) {
            throw new HttpError(400, `Unable to decode request body: ${(e as Error).message}`);
        }
    }

    private namespaceOf(query: Record<string, string>, body?: Obj): string {
        const ns = query.namespace || body?.Namespace || "default";
        if (this.namespaces.indexOf(ns) < 0) {
            throw new HttpError(400, `nonexistent namespace "${ns}"`);
        }
        return ns;
    }

    private route(method: string, path: string, query: Record<string, string>, raw: string): { status?: number; body: unknown } | undefined {
        const allow = (...methods: string[]) => {
            if (methods.indexOf(method) < 0) {
                throw new HttpError(405, "Invalid method");
            }
        };
        let m: RegExpMatchArray | null;
        if (path === "/v1/status/leader") {
            allow("GET");
            return { body: "127.0.0.1:4647" };
        }
        if (path === "/v1/jobs") {
            allow("GET", "PUT", "POST");
            if (method === "GET") {
                return { body: this.listJobs(query) };
            }
            return { body: this.register(query, this.decode(raw), undefined) };
        }
        if (path === "/v1/jobs/parse") {
            allow("PUT", "POST");
            return { body: this.parse(this.decode(raw)) };
        }
        if (path === "/v1/validate/job") {
            allow("PUT", "POST");
            return { body: this.validateEndpoint(this.decode(raw)) };
        }
        if ((m = path.match(/^\/v1\/job\/([^/]+)\/plan$/))) {
            allow("PUT", "POST");
            return { body: this.plan(query, decodeURIComponent(m[1]), this.decode(raw)) };
        }
        if ((m = path.match(/^\/v1\/job\/([^/]+)\/deployment$/))) {
            allow("GET");
            return { body: this.latestDeployment(query, decodeURIComponent(m[1])) };
        }
        if ((m = path.match(/^\/v1\/job\/([^/]+)$/))) {
            const id = decodeURIComponent(m[1]);
            allow("GET", "PUT", "POST", "DELETE");
            if (method === "GET") {
                return { body: this.readJob(query, id) };
            }
            if (method === "DELETE") {
                return { body: this.deregister(query, id) };
            }
            return { body: this.register(query, this.decode(raw), id) };
        }
        if ((m = path.match(/^\/v1\/var\/(.+)$/))) {
            const varPath = m[1]
                .split("/")
                .map((s) => decodeURIComponent(s))
                .join("/");
            allow("GET", "PUT", "DELETE");
            if (method === "GET") {
                return { body: this.getVar(query, varPath) };
            }
            if (method === "PUT") {
                return { body: this.putVar(query, varPath, this.decode(raw)) };
            }
            this.deleteVar(query, varPath);
            return undefined;
        }
        throw new HttpError(404, "404 page not found");
    }

    // ---- jobs --------------------------------------------------------------

    private validate(job: Obj): string[] {
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
            const providers = new Set(
                (tg.Services ?? []).concat(...(tg.Tasks ?? []).map((t: Obj) => t.Services ?? [])).map((s: Obj) => s.Provider ?? "consul"),
            );
            if (providers.size > 1) {
                tgErrs.push("Multiple service providers used: task group services must use the same provider");
            }
            if (tgErrs.length) {
                errs.push(`Task group ${tg.Name ?? "?"} validation failed: ${tgErrs.join("; ")}`);
            }
        }
        return errs;
    }

    private validationError(errs: string[]): HttpError {
        // Admission-controller errors are plain RPC errors: HTTP 500, multierror text.
        return new HttpError(500, `${errs.length} error${errs.length > 1 ? "s" : ""} occurred:\n${errs.map((e) => `\t* ${e}`).join("\n")}\n\n`);
    }

    /** Server-side defaults, roughly as Nomad's canonicalisation fills them. */
    private canonicalize(input: Obj, namespace: string): Obj {
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

    private checkBody(body: Obj, pathId: string | undefined): Obj {
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

    private register(query: Record<string, string>, body: Obj, pathId: string | undefined): Obj {
        const submitted = this.checkBody(body, pathId);
        const namespace = this.namespaceOf(query, submitted);
        const errs = this.validate(submitted);
        if (errs.length) {
            throw this.validationError(errs);
        }
        const key = `${namespace}/${submitted.ID}`;
        const existing = this.jobs.get(key);
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
        const job = this.canonicalize(submitted, namespace);
        const periodic = !!job.Periodic || !!job.ParameterizedJob;
        const evalId = periodic ? "" : randomUUID();
        if (existing && specEqual(existing.job, job)) {
            // Unchanged spec: no new version, no new job modify index; just an eval.
            this.index++;
            return { EvalID: evalId, EvalCreateIndex: periodic ? 0 : this.index, JobModifyIndex: existing.job.JobModifyIndex, Warnings: "", Index: this.index };
        }
        this.index++;
        this.upsert(key, job, existing);
        return { EvalID: evalId, EvalCreateIndex: periodic ? 0 : this.index, JobModifyIndex: this.index, Warnings: "", Index: this.index };
    }

    private upsert(key: string, job: Obj, existing: StoredJob | undefined): void {
        const now = Date.now() * 1e6;
        job.Version = existing ? existing.job.Version + 1 : 0;
        job.CreateIndex = existing ? existing.job.CreateIndex : this.index;
        job.ModifyIndex = this.index;
        job.JobModifyIndex = this.index;
        job.SubmitTime = now;
        job.Stable = false;
        const stored: StoredJob = { job, versions: (existing?.versions ?? []).concat([clone(job)]) };
        this.jobs.set(key, stored);
        if (!job.Stop && job.Type === "service" && (job.TaskGroups ?? []).some((tg: Obj) => tg.Update && tg.Update.MaxParallel > 0 && tg.Count > 0)) {
            const list = this.deployments.get(key) ?? [];
            for (const d of list) {
                if (d.Status === "running") {
                    d.Status = "cancelled";
                    d.StatusDescription = "Cancelled due to newer version of job";
                }
            }
            list.push({
                ID: randomUUID(),
                Namespace: job.Namespace,
                JobID: job.ID,
                JobVersion: job.Version,
                JobModifyIndex: job.JobModifyIndex,
                JobSpecModifyIndex: job.JobModifyIndex,
                JobCreateIndex: job.CreateIndex,
                Status: "running",
                StatusDescription: "Deployment is running",
                CreateIndex: this.index,
                ModifyIndex: this.index,
                createdAt: Date.now(),
                placeable: this.placeable(job),
            });
            this.deployments.set(key, list);
        }
    }

    private placeable(job: Obj): boolean {
        return (job.TaskGroups ?? []).every((tg: Obj) => (tg.Tasks ?? []).every((t: Obj) => this.drivers.indexOf(t.Driver) >= 0));
    }

    private status(job: Obj): string {
        if (job.Stop) {
            return "dead";
        }
        return this.placeable(job) ? "running" : "pending";
    }

    private readJob(query: Record<string, string>, id: string): Obj {
        const ns = this.namespaceOf(query);
        const stored = this.jobs.get(`${ns}/${id}`);
        if (!stored) {
            throw new HttpError(404, "job not found");
        }
        const job = clone(stored.job);
        job.Status = this.status(job);
        job.StatusDescription = "";
        return job;
    }

    private listJobs(query: Record<string, string>): Obj[] {
        const ns = query.namespace || "default";
        const out: Obj[] = [];
        for (const [key, s] of this.jobs) {
            if (ns === "*" || key.startsWith(`${ns}/`)) {
                out.push({
                    ID: s.job.ID,
                    Name: s.job.Name,
                    Namespace: s.job.Namespace,
                    Type: s.job.Type,
                    Status: this.status(s.job),
                    Stop: s.job.Stop,
                    Version: s.job.Version,
                    JobModifyIndex: s.job.JobModifyIndex,
                });
            }
        }
        return out;
    }

    private deregister(query: Record<string, string>, id: string): Obj {
        const ns = this.namespaceOf(query);
        const key = `${ns}/${id}`;
        const stored = this.jobs.get(key);
        this.index++;
        if (!stored) {
            // Current servers accept deregistering a missing job.
            return { EvalID: "", EvalCreateIndex: 0, JobModifyIndex: 0, Index: this.index };
        }
        if (query.purge === "true") {
            this.jobs.delete(key);
            this.deployments.delete(key);
            return { EvalID: randomUUID(), EvalCreateIndex: this.index, JobModifyIndex: this.index, Index: this.index };
        }
        if (!stored.job.Stop) {
            const job = clone(stored.job);
            job.Stop = true;
            this.upsert(key, job, stored);
        }
        return { EvalID: randomUUID(), EvalCreateIndex: this.index, JobModifyIndex: this.index, Index: this.index };
    }

    private latestDeployment(query: Record<string, string>, id: string): Obj | null {
        const ns = this.namespaceOf(query);
        const list = this.deployments.get(`${ns}/${id}`);
        if (!list || list.length === 0) {
            return null;
        }
        const d = list[list.length - 1];
        if (d.Status === "running" && d.placeable && Date.now() - d.createdAt >= this.deploymentDelayMs) {
            if (this.failDeployments) {
                d.Status = "failed";
                d.StatusDescription = "Failed due to unhealthy allocations";
            } else {
                d.Status = "successful";
                d.StatusDescription = "Deployment completed successfully";
            }
        }
        const { createdAt: _c, placeable: _p, ...out } = d;
        return out;
    }

    private plan(query: Record<string, string>, pathId: string, body: Obj): Obj {
        if (!body.Job || typeof body.Job !== "object") {
            throw new HttpError(400, "Job must be specified");
        }
        if (!body.Job.ID) {
            throw new HttpError(400, "Job must have a valid ID");
        }
        if (body.Job.ID !== pathId) {
            throw new HttpError(400, "Job ID does not match");
        }
        const namespace = this.namespaceOf(query, body.Job);
        const errs = this.validate(body.Job);
        if (errs.length) {
            throw this.validationError(errs);
        }
        const next = this.canonicalize(body.Job, namespace);
        const existing = this.jobs.get(`${namespace}/${next.ID}`)?.job;
        const desired: Record<string, Obj> = {};
        const failed: Record<string, Obj> = {};
        const tgDiffs: Obj[] = [];
        const oldGroups = new Map<string, Obj>((existing?.TaskGroups ?? []).map((g: Obj) => [g.Name, g]));
        const wasRunning = existing && !existing.Stop;
        for (const tg of next.TaskGroups) {
            const old = wasRunning ? oldGroups.get(tg.Name) : undefined;
            const u: Obj = { Ignore: 0, Place: 0, Migrate: 0, Stop: 0, InPlaceUpdate: 0, DestructiveUpdate: 0, Canary: 0, Preemptions: 0 };
            let updates: Obj = {};
            let type = "None";
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
            if ((u.Place > 0 || u.DestructiveUpdate > 0) && !tg.Tasks.every((t: Obj) => this.drivers.indexOf(t.Driver) >= 0)) {
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
            Index: this.index,
        };
    }

    private validateEndpoint(body: Obj): Obj {
        if (!body.Job || typeof body.Job !== "object") {
            throw new HttpError(400, "Job must be specified");
        }
        const errs = body.Job.ID ? this.validate(body.Job) : ["Missing job ID"].concat(this.validate(body.Job));
        return {
            DriverConfigValidated: errs.length === 0,
            ValidationErrors: errs.length ? errs : null,
            Error: errs.length ? `${errs.length} error${errs.length > 1 ? "s" : ""} occurred:\n${errs.map((e) => `\t* ${e}`).join("\n")}\n\n` : "",
            Warnings: "",
        };
    }

    private parse(body: Obj): Obj {
        if (typeof body.JobHCL !== "string" || body.JobHCL === "") {
            throw new HttpError(400, "Job spec is empty");
        }
        try {
            return parseJobHcl(body.JobHCL, typeof body.Variables === "string" ? body.Variables : "");
        } catch (e) {
            throw new HttpError(400, `Failed to parse job: ${(e as Error).message}`);
        }
    }

    // ---- variables ---------------------------------------------------------

    private varKey(query: Record<string, string>, path: string): { key: string; ns: string } {
        const ns = this.namespaceOf(query);
        return { key: `${ns}/${path}`, ns };
    }

    private getVar(query: Record<string, string>, path: string): Obj {
        const { key } = this.varKey(query, path);
        const v = this.vars.get(key);
        if (!v) {
            throw new HttpError(404, "variable not found");
        }
        return clone(v);
    }

    private casCheck(query: Record<string, string>, current: Obj | undefined, ns: string, path: string): void {
        if (query.cas === undefined) {
            return;
        }
        const cas = Number(query.cas);
        if (!Number.isInteger(cas) || cas < 0) {
            throw new HttpError(400, `failed to parse cas value "${query.cas}"`);
        }
        const currentIndex = current ? current.ModifyIndex : 0;
        if (cas !== currentIndex) {
            const conflict = current ? clone(current) : { Namespace: ns, Path: path, CreateIndex: 0, ModifyIndex: 0, Items: null };
            throw new HttpError(409, "cas conflict", conflict);
        }
    }

    private putVar(query: Record<string, string>, path: string, body: Obj): Obj {
        const { key, ns } = this.varKey(query, path);
        if (!/^[a-zA-Z0-9\-_~/]{1,128}$/.test(path)) {
            throw new HttpError(400, `invalid path "${path}"`);
        }
        const items = body.Items;
        if (!items || typeof items !== "object" || Object.keys(items).length === 0) {
            throw new HttpError(400, "variable missing required Items object");
        }
        let size = 0;
        for (const [k, v] of Object.entries(items)) {
            if (typeof v !== "string") {
                throw new HttpError(400, `Unable to decode request body: item ${JSON.stringify(k)} is not a string`);
            }
            size += k.length + v.length;
        }
        if (size > 64 * 1024) {
            throw new HttpError(400, "variables are limited to 64KiB in total size");
        }
        const current = this.vars.get(key);
        this.casCheck(query, current, ns, path);
        this.index++;
        const now = Date.now() * 1e6;
        const v = {
            Namespace: ns,
            Path: path,
            CreateIndex: current ? current.CreateIndex : this.index,
            ModifyIndex: this.index,
            CreateTime: current ? current.CreateTime : now,
            ModifyTime: now,
            Items: clone(items),
        };
        this.vars.set(key, v);
        return clone(v);
    }

    private deleteVar(query: Record<string, string>, path: string): void {
        const { key, ns } = this.varKey(query, path);
        const current = this.vars.get(key);
        this.casCheck(query, current, ns, path);
        if (current) {
            this.index++;
            this.vars.delete(key);
        }
    }
}

/** The parts of a task whose change forces a destructive (create/destroy) update. */
function taskCore(t: Obj): Obj {
    return {
        Name: t.Name,
        Driver: t.Driver,
        User: t.User,
        Config: t.Config,
        Env: t.Env,
        Resources: t.Resources,
        Templates: t.Templates,
        Artifacts: t.Artifacts,
        VolumeMounts: t.VolumeMounts,
    };
}

// ---------------------------------------------------------------------------
// A tiny HCL subset (enough for tests): blocks with labels, attributes with
// strings ("${var.x}" interpolation), numbers, booleans, lists, maps and
// `var.x` references; `#` and `//` comments.
// ---------------------------------------------------------------------------

interface HclBlock {
    type: string;
    labels: string[];
    attrs: Obj;
    blocks: HclBlock[];
}

function parseJobHcl(text: string, varFileText: string): Obj {
    const varValues: Obj = varFileText.trim() ? parseBody(tokenize(varFileText), {}).attrs : {};
    const root = parseBody(tokenize(text), null);
    const declared: Obj = {};
    for (const b of root.blocks.filter((b) => b.type === "variable")) {
        declared[b.labels[0]] = b.attrs.default;
    }
    for (const k of Object.keys(varValues)) {
        if (!(k in declared)) {
            throw new Error(`Undefined variable: A variable named "${k}" was assigned a value, but the root module does not declare a variable of that name.`);
        }
    }
    const vars: Obj = {};
    for (const k of Object.keys(declared)) {
        vars[k] = k in varValues ? varValues[k] : declared[k];
    }
    const resolved = parseBody(tokenize(text), vars);
    const jobs = resolved.blocks.filter((b) => b.type === "job");
    if (jobs.length !== 1) {
        throw new Error(`expected exactly one job block, found ${jobs.length}`);
    }
    return toJob(jobs[0]);
}

function toJob(b: HclBlock): Obj {
    const job: Obj = { ID: b.labels[0], Name: b.labels[0], TaskGroups: [] };
    const map: Obj = {
        type: "Type",
        datacenters: "Datacenters",
        namespace: "Namespace",
        region: "Region",
        priority: "Priority",
        all_at_once: "AllAtOnce",
        node_pool: "NodePool",
    };
    copyAttrs(b, map, job);
    for (const c of b.blocks) {
        if (c.type === "group") {
            job.TaskGroups.push(toGroup(c));
        } else if (c.type === "meta") {
            job.Meta = c.attrs;
        } else {
            throw new Error(`Unsupported block type: Blocks of type "${c.type}" are not expected here (fake parser).`);
        }
    }
    return job;
}

function toGroup(b: HclBlock): Obj {
    const g: Obj = { Name: b.labels[0], Tasks: [] };
    copyAttrs(b, { count: "Count" }, g);
    for (const c of b.blocks) {
        if (c.type === "task") {
            g.Tasks.push(toTask(c));
        } else if (c.type === "meta") {
            g.Meta = c.attrs;
        } else {
            throw new Error(`Unsupported block type: Blocks of type "${c.type}" are not expected here (fake parser).`);
        }
    }
    return g;
}

function toTask(b: HclBlock): Obj {
    const t: Obj = { Name: b.labels[0] };
    copyAttrs(b, { driver: "Driver", user: "User", kill_timeout: "KillTimeout" }, t);
    if (typeof t.KillTimeout === "string") {
        t.KillTimeout = parseDuration(t.KillTimeout);
    }
    for (const c of b.blocks) {
        if (c.type === "config") {
            t.Config = blockToObject(c);
        } else if (c.type === "env") {
            t.Env = c.attrs;
        } else if (c.type === "meta") {
            t.Meta = c.attrs;
        } else if (c.type === "resources") {
            const r: Obj = {};
            copyAttrs(c, { cpu: "CPU", memory: "MemoryMB", memory_max: "MemoryMaxMB", cores: "Cores" }, r);
            t.Resources = r;
        } else {
            throw new Error(`Unsupported block type: Blocks of type "${c.type}" are not expected here (fake parser).`);
        }
    }
    return t;
}

function blockToObject(b: HclBlock): Obj {
    const o: Obj = { ...b.attrs };
    for (const c of b.blocks) {
        o[c.type] = (o[c.type] ?? []).concat([blockToObject(c)]);
    }
    return o;
}

function copyAttrs(b: HclBlock, map: Obj, into: Obj): void {
    for (const [k, v] of Object.entries(b.attrs)) {
        if (!(k in map)) {
            throw new Error(`Unsupported argument: An argument named "${k}" is not expected here (fake parser).`);
        }
        into[map[k]] = v;
    }
}

function parseDuration(s: string): number {
    const m = s.match(/^(\d+)(ms|s|m|h)$/);
    if (!m) {
        throw new Error(`invalid duration "${s}"`);
    }
    return Number(m[1]) * ({ ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 } as Obj)[m[2]];
}

type Tok = { k: "id" | "str" | "num" | "p"; v: string };

function tokenize(src: string): Tok[] {
    const toks: Tok[] = [];
    let i = 0;
    while (i < src.length) {
        const c = src[i];
        if (/\s/.test(c)) {
            i++;
        } else if (c === "#" || (c === "/" && src[i + 1] === "/")) {
            while (i < src.length && src[i] !== "\n") {
                i++;
            }
        } else if (c === '"') {
            let j = i + 1;
            let s = "";
            while (j < src.length && src[j] !== '"') {
                if (src[j] === "\\") {
                    const n = src[j + 1];
                    s += n === "n" ? "\n" : n === "t" ? "\t" : n;
                    j += 2;
                } else if (src[j] === "\n") {
                    throw new Error("unterminated string");
                } else {
                    s += src[j++];
                }
            }
            if (j >= src.length) {
                throw new Error("unterminated string");
            }
            toks.push({ k: "str", v: s });
            i = j + 1;
        } else if (/[0-9]/.test(c)) {
            let j = i;
            while (j < src.length && /[0-9.]/.test(src[j])) {
                j++;
            }
            toks.push({ k: "num", v: src.slice(i, j) });
            i = j;
        } else if (/[A-Za-z_]/.test(c)) {
            let j = i;
            while (j < src.length && /[A-Za-z0-9_\-.]/.test(src[j])) {
                j++;
            }
            toks.push({ k: "id", v: src.slice(i, j) });
            i = j;
        } else if ("{}[]=,".indexOf(c) >= 0) {
            toks.push({ k: "p", v: c });
            i++;
        } else {
            throw new Error(`Invalid character: ${JSON.stringify(c)} at offset ${i}`);
        }
    }
    return toks;
}

/** Parse a body; `vars` null = don't resolve references (first pass, for variable blocks only). */
function parseBody(toks: Tok[], vars: Obj | null): HclBlock {
    let pos = 0;
    const peek = () => toks[pos];
    const next = () => {
        const t = toks[pos++];
        if (!t) {
            throw new Error("unexpected end of input");
        }
        return t;
    };
    const expect = (v: string) => {
        const t = next();
        if (t.k !== "p" || t.v !== v) {
            throw new Error(`expected "${v}", got "${t.v}"`);
        }
    };
    const interpolate = (s: string): string =>
        s
            .replace(/\$\$\{/g, "\u0000")
            .replace(/\$\{\s*var\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}/g, (_m, name) => {
                if (vars === null) {
                    return "";
                }
                if (!(name in vars) || vars[name] === undefined) {
                    throw new Error(`Unknown variable: There is no variable named "${name}".`);
                }
                return String(vars[name]);
            })
            .replace(/\u0000/g, "${");
    const value = (): unknown => {
        const t = next();
        if (t.k === "str") {
            return interpolate(t.v);
        }
        if (t.k === "num") {
            return Number(t.v);
        }
        if (t.k === "id") {
            if (t.v === "true" || t.v === "false") {
                return t.v === "true";
            }
            if (t.v === "null") {
                return null;
            }
            const m = t.v.match(/^var\.([A-Za-z_][A-Za-z0-9_-]*)$/);
            if (m) {
                if (vars === null) {
                    return null;
                }
                if (!(m[1] in vars) || vars[m[1]] === undefined) {
                    throw new Error(`Unknown variable: There is no variable named "${m[1]}".`);
                }
                return vars[m[1]];
            }
            // `type = string` in variable blocks
            return t.v;
        }
        if (t.v === "[") {
            const list: unknown[] = [];
            while (!(peek() && peek().k === "p" && peek().v === "]")) {
                list.push(value());
                if (peek() && peek().k === "p" && peek().v === ",") {
                    next();
                }
            }
            expect("]");
            return list;
        }
        if (t.v === "{") {
            const o: Obj = {};
            while (!(peek() && peek().k === "p" && peek().v === "}")) {
                const k = next();
                expect("=");
                o[k.v] = value();
                if (peek() && peek().k === "p" && peek().v === ",") {
                    next();
                }
            }
            expect("}");
            return o;
        }
        throw new Error(`unexpected "${t.v}"`);
    };
    const body = (end: boolean): HclBlock => {
        const b: HclBlock = { type: "", labels: [], attrs: {}, blocks: [] };
        for (;;) {
            const t = peek();
            if (!t) {
                if (end) {
                    throw new Error("missing closing brace");
                }
                return b;
            }
            if (t.k === "p" && t.v === "}") {
                if (!end) {
                    throw new Error(`unexpected "}"`);
                }
                next();
                return b;
            }
            const name = next();
            if (name.k !== "id") {
                throw new Error(`expected an argument or block name, got "${name.v}"`);
            }
            const after = peek();
            if (after && after.k === "p" && after.v === "=") {
                next();
                b.attrs[name.v] = value();
                continue;
            }
            const labels: string[] = [];
            while (peek() && peek().k === "str") {
                labels.push(next().v);
            }
            expect("{");
            const child = body(true);
            child.type = name.v;
            child.labels = labels;
            b.blocks.push(child);
        }
    };
    return body(false);
}
