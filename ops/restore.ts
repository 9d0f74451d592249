// `npm run restore`: one app's data back from a snapshot, through the backup app's dispatch-only
// restore job. The order keeps the data safe: check first (password, snapshot, target) while the
// app still runs, then stop the app's jobs, restore, and start them again.
import { BACKUP_JOBS } from "../apps/backup";
import { RESTORE_EXIT, RESTORE_META } from "../apps/restoreScript";
import { NomadClient } from "../nomad";
import { connection, send } from "../nomad/http";
import type { AllocationStub } from "../nomad/api-types";
import type { Job } from "../nomad/job-types";

/** The restore job's ID with one node (the backup app registers it). */
export const RESTORE_JOB = BACKUP_JOBS.restore;

export interface RestoreRequest {
    app: string;
    /** The restore job to dispatch: RESTORE_JOB, or with more than one node that of the app's node. */
    restoreJob: string;
    /** With more than one node: the node that holds the app's data, where the restore runs. */
    node?: string;
    /** The app's backed-up paths. */
    paths: string[];
    /** The app's Nomad jobs, stopped while their data is replaced. */
    jobs: string[];
    /** A snapshot ID or "latest". */
    snapshot: string;
    /** Restore under this empty folder instead of in place (the app keeps running). */
    target?: string;
}

export interface NomadAccess {
    address: string;
    token?: string;
    namespace?: string;
}

export class RestoreError extends Error {}

const TERMINAL = new Set(["complete", "failed", "lost"]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const WHY: Record<number, string> = {
    [RESTORE_EXIT.repository]: "the repository did not open",
    [RESTORE_EXIT.snapshot]: "the snapshot is not usable",
    [RESTORE_EXIT.target]: "the target folder is not empty",
    [RESTORE_EXIT.restore]: "restic restore failed",
};

export class Restore {
    private readonly client: NomadClient;
    private readonly conn: ReturnType<typeof connection>;

    constructor(
        access: NomadAccess,
        private readonly log: (line: string) => void,
        private readonly timeoutSeconds = 1800,
    ) {
        this.client = new NomadClient({ address: access.address, token: access.token, namespace: access.namespace, retryTimeoutSeconds: 30 });
        this.conn = connection({ address: access.address, token: access.token, retryTimeoutSeconds: 30 });
    }

    async run(r: RestoreRequest): Promise<void> {
        if (!(await this.client.readJob(r.restoreJob))) {
            throw new RestoreError(`Nomad has no job ${r.restoreJob}: turn the backup app on and run pulumi up first; nothing was changed`);
        }
        const where = r.node ? ` on ${r.node}, from its own snapshots (job ${r.restoreJob})` : "";
        this.log(`restore ${r.app}: checking snapshot ${r.snapshot} for ${r.paths.join(", ")}${where}`);
        await this.dispatch(r, "check", "nothing was changed");
        if (r.target) {
            await this.dispatch(r, "restore", "the app was not stopped and its data is untouched");
            this.log(`restore ${r.app}: done, under ${r.target}; the app kept running on its current data`);
            return;
        }
        const stopped = await this.stopJobs(r.jobs);
        await this.dispatch(
            r,
            "restore",
            `the app's jobs stay stopped (${stopped.join(", ")}); its previous data is kept beside it as <path>.pre-restore-<time>; ` +
                "move it back, or fix the cause and run npm run restore again, then pulumi up",
        );
        await this.startJobs(stopped);
        this.log(
            `restore ${r.app}: done; started ${stopped.join(", ") || "no job (none was running)"}; the previous data is kept as <path>.pre-restore-<time>`,
        );
    }

    /** Runs the restore job once and waits for it; a failure is thrown with the script's own words. */
    private async dispatch(r: RestoreRequest, mode: "check" | "restore", consequence: string): Promise<void> {
        const meta: Record<string, string> = { [RESTORE_META.paths]: r.paths.join("\n"), [RESTORE_META.snapshot]: r.snapshot, [RESTORE_META.mode]: mode };
        if (r.target) {
            meta[RESTORE_META.target] = r.target;
        }
        const res = await send(this.conn, { method: "POST", path: `/v1/job/${r.restoreJob}/dispatch`, body: { Meta: meta } });
        const { DispatchedJobID: id } = JSON.parse(res.text) as { DispatchedJobID: string };
        const alloc = await this.finished(id);
        if (alloc.ClientStatus === "complete") {
            return;
        }
        const stderr = (await this.logs(alloc.ID, "stderr")).trim();
        const exit = Number(/Exit Code: (\d+)/.exec(JSON.stringify(alloc.TaskStates ?? {}))?.[1] ?? -1);
        const why = WHY[exit] ?? `the ${mode} run ended ${alloc.ClientStatus}`;
        throw new RestoreError(`restore ${r.app} (${mode}): ${why}: ${stderr.split("\n").slice(-3).join(" / ") || "no output"}; ${consequence} (job ${id})`);
    }

    private async finished(jobId: string): Promise<AllocationStub> {
        const deadline = Date.now() + this.timeoutSeconds * 1000;
        while (Date.now() < deadline) {
            const allocs = await this.client.jobAllocations(jobId);
            const done = allocs.find((a) => TERMINAL.has(a.ClientStatus ?? ""));
            if (done) {
                return done;
            }
            await sleep(1000);
        }
        throw new RestoreError(`job ${jobId} did not finish within ${this.timeoutSeconds}s; see nomad job status ${jobId}`);
    }

    private async logs(allocId: string, type: "stdout" | "stderr"): Promise<string> {
        const res = await send(this.conn, {
            method: "GET",
            path: `/v1/client/fs/logs/${allocId}`,
            query: { task: "restore", type, plain: true, origin: "start" },
            accept: [404, 500],
        });
        return res.status === 200 ? res.text : "";
    }

    /** Stops the jobs that run (without purging them) and waits until their allocations have stopped. */
    private async stopJobs(ids: string[]): Promise<string[]> {
        const stopped: string[] = [];
        for (const id of ids) {
            const job = await this.client.readJob(id);
            if (!job || job.Stop) {
                continue;
            }
            this.log(`restore: stopping job ${id}`);
            await this.client.deregisterJob(id);
            stopped.push(id);
        }
        const deadline = Date.now() + 300_000;
        for (const id of stopped) {
            while ((await this.client.jobAllocations(id)).some((a) => !TERMINAL.has(a.ClientStatus ?? ""))) {
                if (Date.now() > deadline) {
                    throw new RestoreError(`job ${id} did not stop within 5 minutes; nothing was restored`);
                }
                await sleep(1000);
            }
        }
        return stopped;
    }

    /** Registers each job again as it was, running. */
    private async startJobs(ids: string[]): Promise<void> {
        for (const id of ids) {
            const job = await this.client.readJob(id);
            if (job) {
                this.log(`restore: starting job ${id}`);
                await this.client.registerJob({ ...(job as unknown as Job), Stop: false });
            }
        }
    }
}
