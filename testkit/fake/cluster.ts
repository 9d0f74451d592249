/** The fake server's state: jobs, versions, deployments, variables and the raft-like index. */
import type { Health } from "./deployments";
import { HttpError, Obj } from "./util";

export interface FakeNomadOptions {
    /** Drivers the single fake client node "has". Default raw_exec, exec, docker. */
    drivers?: string[];
    /** Namespaces that exist. Default ["default"]. */
    namespaces?: string[];
    /** When set, every request must carry this X-Nomad-Token (403 otherwise). */
    requireToken?: string;
    /** How long a deployment stays "running" (after its evaluation) before it finishes. Default 150 ms. */
    deploymentDelayMs?: number;
    /** How long an evaluation stays "pending". Default 30 ms. */
    evalDelayMs?: number;
}

export interface StoredJob {
    job: Obj;
    versions: Obj[];
    /** The Submission (source) each version was registered with, by version. */
    submissions?: Map<number, Obj>;
}

export class FakeCluster {
    drivers: string[];
    namespaces: string[];
    requireToken: string | undefined;
    deploymentDelayMs: number;
    evalDelayMs: number;
    /** How long the deployment of an auto-revert takes (default: deploymentDelayMs). */
    revertDelayMs: number | undefined = undefined;
    /** Every deployment fails (as unhealthy) unless healthOf says otherwise. */
    failDeployments = false;
    /** How a deployment of this job version ends. */
    healthOf: (job: Obj) => Health = () => (this.failDeployments ? "unhealthy" : "healthy");
    /** Raft-like index: every write bumps it. */
    index = 100;
    readonly jobs = new Map<string, StoredJob>();
    readonly vars = new Map<string, Obj>();
    readonly deployments = new Map<string, Obj[]>();
    readonly evals = new Map<string, Obj>();
    /** Allocations by job key ("namespace/id"). */
    readonly allocs = new Map<string, Obj[]>();

    constructor(opts: FakeNomadOptions = {}) {
        this.drivers = opts.drivers ?? ["raw_exec", "exec", "docker"];
        this.namespaces = opts.namespaces ?? ["default"];
        this.requireToken = opts.requireToken;
        this.deploymentDelayMs = opts.deploymentDelayMs ?? 150;
        this.evalDelayMs = opts.evalDelayMs ?? 30;
    }

    namespaceOf(query: Record<string, string>, body?: Obj): string {
        const ns = query.namespace || body?.Namespace || "default";
        if (this.namespaces.indexOf(ns) < 0) {
            throw new HttpError(400, `nonexistent namespace "${ns}"`);
        }
        return ns;
    }

    placeable(job: Obj): boolean {
        return (job.TaskGroups ?? []).every((tg: Obj) => (tg.Tasks ?? []).every((t: Obj) => this.drivers.indexOf(t.Driver) >= 0));
    }

    status(job: Obj): string {
        if (job.Stop) {
            return "dead";
        }
        return this.placeable(job) ? "running" : "pending";
    }
}
