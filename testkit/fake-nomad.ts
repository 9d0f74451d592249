/**
 * A fake Nomad HTTP API for tests, following the facts our resources rely on
 * (see the Nomad API notes): plain-text errors with Nomad's status codes, raft
 * style indexes, EnforceIndex conflicts as 500 `Enforcing job modify index N:
 * ...`, server defaults filled in on GET (so GET != what was sent), plan with
 * Diff and Annotations.DesiredTGUpdates, `Stop` on stopped jobs, purge,
 * evaluations, deployments (health, auto-revert), allocations with task
 * events, variables with check-and-set (409 with the current variable),
 * a tiny HCL subset for /v1/jobs/parse, request counting and fault injection.
 *
 * This file is the HTTP side (listening, routing, faults, counting); the
 * endpoints live in ./fake/. It is deliberately independent of the code under
 * test (no imports from nomad/), so that it checks our understanding rather
 * than repeating it.
 */
import * as http from "http";
import type { AddressInfo, Socket } from "net";
import { FakeCluster } from "./fake/cluster";
import { deploymentAllocations, jobAllocations, jobDeployments, latestDeployment, readDeployment, readEval, tick } from "./fake/deployments";
import { deregister, listJobs, parse, readJob, readSubmission, register, validateEndpoint } from "./fake/jobs";
import { plan } from "./fake/plan";
import { HttpError, Obj, clone } from "./fake/util";
import { deleteVar, getVar, putVar } from "./fake/variables";

export type { FakeNomadOptions } from "./fake/cluster";

export interface RecordedRequest {
    method: string;
    path: string;
    query: Record<string, string>;
    /** Whether an X-Nomad-Token header was present (its value is never recorded). */
    hadToken: boolean;
}

interface Injected {
    remaining: number;
    status: number;
    message: string;
    match?: RegExp;
}

export class FakeNomad extends FakeCluster {
    address = "";
    port = 0;
    readonly requests: RecordedRequest[] = [];

    private server: http.Server | undefined;
    private sockets = new Set<Socket>();
    private injected: Injected[] = [];
    private resetNext = 0;
    private reopenTimer: NodeJS.Timeout | undefined;

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
        tick(this);
        return clone(this.jobs.get(`${namespace}/${id}`)?.job);
    }

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
            tick(this);
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
                return { body: listJobs(this, query) };
            }
            return { body: register(this, query, this.decode(raw), undefined) };
        }
        if (path === "/v1/jobs/parse") {
            allow("PUT", "POST");
            return { body: parse(this.decode(raw)) };
        }
        if (path === "/v1/validate/job") {
            allow("PUT", "POST");
            return { body: validateEndpoint(this.decode(raw)) };
        }
        if ((m = path.match(/^\/v1\/job\/([^/]+)\/plan$/))) {
            allow("PUT", "POST");
            return { body: plan(this, query, decodeURIComponent(m[1]), this.decode(raw)) };
        }
        if ((m = path.match(/^\/v1\/job\/([^/]+)\/deployments$/))) {
            allow("GET");
            return { body: jobDeployments(this, query, decodeURIComponent(m[1])) };
        }
        if ((m = path.match(/^\/v1\/job\/([^/]+)\/submission$/))) {
            allow("GET");
            return { body: readSubmission(this, query, decodeURIComponent(m[1])) };
        }
        if ((m = path.match(/^\/v1\/job\/([^/]+)\/allocations$/))) {
            allow("GET");
            return { body: jobAllocations(this, query, decodeURIComponent(m[1])) };
        }
        if ((m = path.match(/^\/v1\/evaluation\/([^/]+)$/))) {
            allow("GET");
            return { body: readEval(this, decodeURIComponent(m[1])) };
        }
        if ((m = path.match(/^\/v1\/deployment\/allocations\/([^/]+)$/))) {
            allow("GET");
            return { body: deploymentAllocations(this, decodeURIComponent(m[1])) };
        }
        if ((m = path.match(/^\/v1\/deployment\/([^/]+)$/))) {
            allow("GET");
            return { body: readDeployment(this, decodeURIComponent(m[1])) };
        }
        if ((m = path.match(/^\/v1\/job\/([^/]+)\/deployment$/))) {
            allow("GET");
            return { body: latestDeployment(this, query, decodeURIComponent(m[1])) };
        }
        if ((m = path.match(/^\/v1\/job\/([^/]+)$/))) {
            const id = decodeURIComponent(m[1]);
            allow("GET", "PUT", "POST", "DELETE");
            if (method === "GET") {
                return { body: readJob(this, query, id) };
            }
            if (method === "DELETE") {
                return { body: deregister(this, query, id) };
            }
            return { body: register(this, query, this.decode(raw), id) };
        }
        if ((m = path.match(/^\/v1\/var\/(.+)$/))) {
            const varPath = m[1]
                .split("/")
                .map((s) => decodeURIComponent(s))
                .join("/");
            allow("GET", "PUT", "DELETE");
            if (method === "GET") {
                return { body: getVar(this, query, varPath) };
            }
            if (method === "PUT") {
                return { body: putVar(this, query, varPath, this.decode(raw)) };
            }
            deleteVar(this, query, varPath);
            return undefined;
        }
        throw new HttpError(404, "404 page not found");
    }
}
