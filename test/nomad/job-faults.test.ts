import { strict as assert } from "assert";
import { nomadJobProvider } from "../../nomad/job-provider";
import type { Job } from "../../nomad/types";
import { MiniEngine, Obj } from "../../testkit/engine";
import { PLANTED_TOKEN, Target, rejection, sleepJob, startTarget } from "./helpers";

// Fault injection and scheduler scenarios the dev agent cannot produce on demand.
if (!process.env.NOMAD_ADDR) {
    describe("NomadJob provider (fake Nomad only: fault injection)", () => {
        let target: Target;
        beforeEach(async () => {
            target = await startTarget();
        });
        afterEach(async () => {
            await target.stop();
        });

        function args(job: Job, extra: Obj = {}): Obj {
            return { job, address: target.address, token: PLANTED_TOKEN, retryTimeoutSeconds: 20, ...extra };
        }

        it("keeps retrying a create while the node is still booting (connection refused)", async () => {
            const engine = new MiniEngine(nomadJobProvider);
            await target.fake!.refuseConnectionsFor(1200);
            const p = await engine.up(args(sleepJob("booting")));
            // The preview-time plan did not wait; the create did.
            assert.match(String(p.checked.planSummary), /not reachable/);
            assert.equal(engine.state!.outputs.jobId, "booting");
        });

        it("retries 500 No cluster leader during create", async () => {
            const engine = new MiniEngine(nomadJobProvider);
            target.fake!.failNext(2, "No cluster leader", 500, /^PUT \/v1\/jobs$/);
            await engine.up(args(sleepJob("leader")));
            assert.equal(
                target.fake!.count((r) => r.path === "/v1/jobs"),
                3,
            );
        });

        it("does not retry a rejected register and shows Nomad's message with the job's name", async () => {
            const engine = new MiniEngine(nomadJobProvider);
            target.fake!.failNext(1, "1 error occurred:\n\t* Task group main validation failed: bad\n\n", 500, /^PUT \/v1\/jobs$/);
            const e = await rejection(engine.up(args(sleepJob("rejected"))));
            assert.match(e.message, /^NomadJob "rejected": register failed: Nomad PUT \/v1\/jobs\?namespace=default returned 500: 1 error occurred/);
            assert.equal(
                target.fake!.count((r) => r.path === "/v1/jobs"),
                1,
            );
        });

        it("reports failed placements in the plan summary", async () => {
            target.fake!.drivers = ["raw_exec"];
            const engine = new MiniEngine(nomadJobProvider);
            const p = await engine.preview(args(sleepJob("dockerless", { driver: "docker", count: 2 })));
            assert.match(String(p.checked.planSummary), /FAILED placements: main \(2 unplaced: missing drivers\)/);
        });

        it("summarises a transient error at preview instead of failing or waiting", async () => {
            target.fake!.failNext(5, "No cluster leader");
            const engine = new MiniEngine(nomadJobProvider);
            const p = await engine.preview(args(sleepJob("noleader")));
            assert.equal(p.failures.length, 0);
            assert.match(String(p.checked.planSummary), /Nomad plan unavailable: .*No cluster leader/);
            assert.equal(target.fake!.count(), 1);
        });

        it("fails a non-detached create whose deployment fails, keeping the job in the state", async () => {
            target.fake!.failDeployments = true;
            const log = console.log;
            console.log = () => undefined; // progress lines
            const e = (await rejection(nomadJobProvider.create(args(sleepJob("failing", { update: true }), { detach: false }) as never)).finally(
                () => (console.log = log),
            )) as Error & { id?: string; properties?: Obj };
            assert.match(e.message, /^NomadJob "failing": deployment .* failed: Failed due to unhealthy allocations/);
            assert.equal(e.id, "failing");
            assert.equal(e.properties?.jobId, "failing");
            assert.equal(e.properties?.deploymentStatus, "failed");
        });

        it("only records new inputs (no HTTP) when just the token or flags change", async () => {
            const engine = new MiniEngine(nomadJobProvider);
            await engine.up(args(sleepJob("flags")));
            target.fake!.resetCounts();
            const p = await engine.up(args(sleepJob("flags"), { purgeOnDestroy: true, retryTimeoutSeconds: 30 }));
            assert.equal(p.op, "update");
            assert.equal(target.fake!.count(), 0);
            assert.equal(engine.state!.outputs.purgeOnDestroy, true);
            await engine.destroy();
            assert.equal(target.fake!.storedJob("flags"), undefined, "purged with the recorded flag");
        });
    });
}
