import { strict as assert } from "assert";
import { nomadJobProvider } from "../../nomad/job-provider";
import type { Job } from "../../nomad/types";
import { MiniEngine, Obj } from "../../testkit/engine";
import type { FakeNomad } from "../../testkit/fake-nomad";
import { PLANTED_TOKEN, Target, client, purgeJobs, rejection, sleepJob, startTarget, uniqueId } from "./helpers";

/** Progress lines (console.log) while a test runs; the reporter's own output is left alone. */
function captureProgress(): { lines: string[]; restore(): void } {
    const original = console.log;
    const lines: string[] = [];
    console.log = (...a: unknown[]) => void lines.push(a.map(String).join(" "));
    return { lines, restore: () => void (console.log = original) };
}

describe(`NomadJob deployments against ${process.env.NOMAD_ADDR ? "a real Nomad" : "the fake Nomad"}`, function () {
    this.timeout(120_000);
    let target: Target;
    const created: string[] = [];

    before(async () => {
        target = await startTarget();
    });
    after(async () => {
        await purgeJobs(target, created);
        await target.stop();
    });

    function args(job: Job, extra: Obj = {}): Obj {
        return { job, address: target.address, token: PLANTED_TOKEN, retryTimeoutSeconds: 10, ...extra };
    }

    function newJob(prefix: string, opts: Parameters<typeof sleepJob>[1] = {}): Job {
        const id = uniqueId(prefix);
        created.push(id);
        return sleepJob(id, opts);
    }

    it("waits for the deployment when detach is false", async () => {
        const job = newJob("deploy", { update: true });
        const engine = new MiniEngine(nomadJobProvider);
        const progress = captureProgress();
        try {
            await engine.up(args(job, { detach: false, deploymentTimeoutSeconds: 90 }));
        } finally {
            progress.restore();
        }
        assert.equal(engine.state!.outputs.deploymentStatus, "successful");
        assert.equal(typeof engine.state!.outputs.deploymentId, "string");
        assert.match(progress.lines[progress.lines.length - 1], new RegExp(`^nomad: job "${job.ID}": main 1/1 healthy \\(deployment \\w{8} successful\\)`));
        await engine.destroy();
    });
});

// Deployment outcomes on demand: the fake decides how each version's deployment ends.
if (!process.env.NOMAD_ADDR) {
    describe("NomadJob deployments (fake Nomad: failures, auto-revert, re-runs)", function () {
        this.timeout(30_000);
        let target: Target;
        let fake: FakeNomad;
        let output: { lines: string[]; restore(): void } | undefined;

        beforeEach(async () => {
            target = await startTarget();
            fake = target.fake!;
            fake.deploymentDelayMs = 100;
            // The task's MODE says how the fake ends its deployment.
            fake.healthOf = (job) => job.TaskGroups[0].Tasks[0].Env?.MODE ?? "healthy";
            output = captureProgress();
        });
        afterEach(async () => {
            output?.restore();
            await target.stop();
        });

        function job(id: string, mode: string, extra: Parameters<typeof sleepJob>[1] = {}): Job {
            return sleepJob(id, { update: true, env: { MODE: mode }, ...extra });
        }

        function args(j: Job, extra: Obj = {}): Obj {
            return { job: j, address: target.address, token: PLANTED_TOKEN, retryTimeoutSeconds: 5, detach: false, deploymentTimeoutSeconds: 20, ...extra };
        }

        it("succeeds once the deployment this registration started is healthy, showing progress per job", async () => {
            const engine = new MiniEngine(nomadJobProvider);
            await engine.up(args(job("web", "healthy"), { app: "website" }));
            const outs = engine.state!.outputs;
            assert.equal(outs.deploymentStatus, "successful");
            const d = await client(target).latestDeployment("web");
            assert.equal(outs.deploymentId, d?.ID);
            assert.ok(
                output!.lines.some((l) => /^nomad: job "web" \(app "website"\): main 1\/1 healthy \(deployment \w{8} successful\)/.test(l)),
                output!.lines.join("\n"),
            );
            assert.equal(fake.count((r) => r.path.startsWith("/v1/evaluation/")) >= 1, true, "followed the evaluation");
        });

        it("fails a failed deployment naming job, app, group, Nomad's reason and the task events", async () => {
            const engine = new MiniEngine(nomadJobProvider);
            const e = (await rejection(engine.up(args(job("api", "crash"), { app: "backend" })))) as Error & { id?: string; properties?: Obj };
            assert.match(e.message, /^NomadJob "api" \(app "backend"\): deployment \w{8} \(job version 0\) failed: Failed due to unhealthy allocations/);
            assert.match(e.message, /groups: main 0\/1 healthy, 1 unhealthy/);
            assert.match(e.message, /allocation \w{8} \(group "main", failed: Failed tasks\)/);
            assert.match(e.message, /task "sleep" \(1 restarts\): .*Terminated: Exit Code: 3; Not Restarting: Exceeded allowed attempts/);
            assert.doesNotMatch(e.message, /Received|Task Setup|MODE|crash/, "no setup noise, no env");
            assert.equal(e.id, "api");
            assert.equal(e.properties?.deploymentStatus, "failed");
            // Recorded as the engine would: the next up is an update, not a no-op.
            assert.equal(engine.state!.outputs.deploymentStatus, "failed");
            assert.equal((await engine.preview(args(job("api", "crash"), { app: "backend" }))).op, "update");
        });

        it("reports an auto-revert as a failure although the job's latest deployment (the revert's) succeeded", async () => {
            const engine = new MiniEngine(nomadJobProvider);
            await engine.up(args(job("web", "healthy", { autoRevert: true })));
            assert.equal(engine.state!.outputs.version, 0);
            // Ours fails at once and the revert's deployment succeeds before the first poll.
            fake.deploymentDelayMs = 0;
            fake.revertDelayMs = 0;
            const e = await rejection(engine.up(args(job("web", "unhealthy", { autoRevert: true }))));
            assert.match(
                e.message,
                /^NomadJob "web": deployment \w{8} \(job version 1\) failed: Failed due to unhealthy allocations - rolling back to job version 0/,
            );
            assert.match(e.message, /Nomad rolled the job back to version 0 \(now version 2\)/);
            assert.match(e.message, /Alloc Unhealthy: Task not running for min_healthy_time of 1s by healthy_deadline of 60s/);
            let latest = await client(target).latestDeployment("web");
            for (let i = 0; i < 20 && latest?.Status === "running"; i++) {
                await new Promise((r) => setTimeout(r, 50));
                latest = await client(target).latestDeployment("web");
            }
            assert.equal(latest?.JobVersion, 2);
            assert.equal(latest?.Status, "successful", "what a poll of the latest deployment would have seen");
            const outs = engine.state!.outputs;
            assert.equal(outs.deploymentStatus, "failed");
            assert.equal(outs.version, 2, "the job as it is now: reverted");
            assert.equal(outs.modifyIndex, (await client(target).readJob("web"))?.JobModifyIndex);
        });

        it("checks again on a re-run after a failure instead of reporting success, and succeeds once fixed", async () => {
            const engine = new MiniEngine(nomadJobProvider);
            await rejection(engine.up(args(job("app", "crash"))));
            const version = fake.storedJob("app")?.Version;

            const again = await rejection(engine.up(args(job("app", "crash"))));
            assert.match(again.message, /^NomadJob "app": deployment \w{8} \(job version 0\) failed: Failed due to unhealthy allocations/);
            assert.equal(fake.storedJob("app")?.Version, version, "an unchanged job is not redeployed, only checked");
            assert.ok(output!.lines.some((l) => /job "app": the last deployment followed was failed \(\w{8}\); checking again/.test(l)));

            await engine.up(args(job("app", "healthy")));
            assert.equal(engine.state!.outputs.deploymentStatus, "successful");
            assert.equal((await engine.preview(args(job("app", "healthy")))).op, "same");
        });

        it("re-registers after an auto-revert on a re-run, so the program's version is deployed (and judged) again", async () => {
            const engine = new MiniEngine(nomadJobProvider);
            await engine.up(args(job("svc", "healthy", { autoRevert: true })));
            await rejection(engine.up(args(job("svc", "unhealthy", { autoRevert: true }))));
            assert.equal(fake.storedJob("svc")?.Version, 2);
            const e = await rejection(engine.up(args(job("svc", "unhealthy", { autoRevert: true }))));
            // Version 2 is the first revert (the healthy spec again); once its own deployment is stable, Nomad reverts to it rather than to 0.
            assert.match(e.message, /\(job version 3\) failed: .*rolling back to job version (0|2)\b/);
            assert.equal(fake.storedJob("svc")?.Version, 4);
            // Back to the healthy spec: Nomad already runs it (the revert), so this only confirms its deployment.
            await engine.up(args(job("svc", "healthy", { autoRevert: true })));
            assert.equal(engine.state!.outputs.deploymentStatus, "successful");
            assert.equal(fake.storedJob("svc")?.Version, 4);
        });

        it("waits for a deployment still running after a timeout on the next run, without registering a new version", async () => {
            fake.deploymentDelayMs = 2500;
            const engine = new MiniEngine(nomadJobProvider);
            const e = await rejection(engine.up(args(job("slow", "healthy"), { deploymentTimeoutSeconds: 1 })));
            assert.match(
                e.message,
                /^NomadJob "slow": deployment did not finish within \ds; deployment \w{8} \(job version 0\) running: Deployment is running/,
            );
            assert.equal(engine.state!.outputs.deploymentStatus, "running");
            await engine.up(args(job("slow", "healthy")));
            assert.equal(engine.state!.outputs.deploymentStatus, "successful");
            assert.equal(fake.storedJob("slow")?.Version, 0);
        });

        it("never waits for batch or periodic jobs", async () => {
            for (const [id, extra] of [
                ["nightly", { Type: "batch", Periodic: { Spec: "@daily" } }],
                ["once", { Type: "batch" }],
            ] as [string, Obj][]) {
                const j = { ...job(id, "crash"), ...extra } as Job;
                const engine = new MiniEngine(nomadJobProvider);
                fake.resetCounts();
                await engine.up(args(j));
                assert.equal(engine.state!.outputs.deploymentStatus, undefined);
                assert.equal(
                    fake.count((r) => /^\/v1\/(evaluation|deployment)/.test(r.path)),
                    0,
                    id,
                );
                assert.equal((await engine.preview(args(j))).op, "same", "nothing to check again");
            }
        });
    });
}
