import { strict as assert } from "assert";
import { nomadJobProvider } from "../../nomad/job-provider";
import { seconds } from "../../nomad/types";
import type { Job } from "../../nomad/types";
import { MiniEngine, Obj } from "../../testkit/engine";
import { PLANTED_TOKEN, Target, client, countFetches, purgeJobs, rejection, sleepJob, startTarget, uniqueId } from "./helpers";

describe(`NomadJob provider against ${process.env.NOMAD_ADDR ? "a real Nomad" : "the fake Nomad"}`, function () {
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

    it("creates, reads, updates and deletes a job", async () => {
        const job = newJob("crud");
        const engine = new MiniEngine(nomadJobProvider);

        const first = await engine.up(args(job));
        assert.equal(first.op, "create");
        assert.match(String(first.checked.planSummary), new RegExp(`Nomad plan for "${job.ID}" \\(new job\\): main: 1 place`));
        const outs = engine.state!.outputs;
        assert.equal(engine.state!.id, job.ID);
        assert.equal(outs.jobId, job.ID);
        assert.equal(outs.type, "service");
        assert.deepEqual(outs.datacenters, ["*"]);
        assert.equal(outs.namespace, "default");
        assert.equal(outs.version, 0);
        assert.equal(outs.stopped, false);
        assert.equal(typeof outs.modifyIndex, "number");
        assert.ok(["pending", "running"].includes(outs.status));
        const server = await client(target).readJob(job.ID);
        assert.equal(server?.JobModifyIndex, outs.modifyIndex);

        assert.equal(await engine.refresh(), true);
        assert.equal(engine.state!.outputs.drift, undefined);
        assert.equal(engine.state!.outputs.modifyIndex, outs.modifyIndex);

        const changed = sleepJob(job.ID, { env: { GREETING: "bye" } });
        const update = await engine.up(args(changed));
        assert.equal(update.op, "update");
        assert.match(String(update.checked.planSummary), /main: 1 destructive update/);
        assert.equal(engine.state!.outputs.version, 1);
        assert.ok(engine.state!.outputs.modifyIndex > outs.modifyIndex);
        assert.equal(engine.state!.outputs.planSummary, update.checked.planSummary);
        assert.equal((await client(target).readJob(job.ID))?.TaskGroups[0].Tasks[0].Env?.GREETING, "bye");

        await engine.destroy();
        const after = await client(target).readJob(job.ID);
        assert.ok(!after || after.Stop, "deregistered");
    });

    it("previews an unchanged job (reordered keys, omitted or explicit defaults) with no HTTP call at all", async () => {
        const job = newJob("same");
        const engine = new MiniEngine(nomadJobProvider);
        await engine.up(args(job));
        const t = job.TaskGroups[0].Tasks[0];
        const sameMeaning: Obj = {
            TaskGroups: [
                {
                    Tasks: [
                        {
                            Resources: t.Resources,
                            Name: t.Name,
                            Env: t.Env,
                            Config: { args: ["3600"], command: "/bin/sleep" },
                            Driver: t.Driver,
                            KillTimeout: seconds(5),
                        },
                    ],
                    Name: "main",
                    Count: 1,
                },
            ],
            Priority: 50,
            Namespace: "default",
            Datacenters: ["*"],
            ID: job.ID,
        };
        const fetches = countFetches();
        const before = target.fake?.count();
        try {
            const p = await engine.preview(args(sameMeaning as Job));
            assert.equal(p.op, "same");
            assert.equal(p.checked.planSummary, undefined, "an unchanged job gets no plan summary");
            const p2 = await engine.up(args(sameMeaning as Job));
            assert.equal(p2.op, "same");
        } finally {
            fetches.restore();
        }
        assert.equal(fetches.count, 0, fetches.urls.join("\n"));
        if (target.fake && before !== undefined) {
            assert.equal(target.fake.count(), before);
        }
    });

    it("shows Nomad's plan for a changed job in the preview's diff (check puts planSummary in the inputs)", async () => {
        const job = newJob("plan");
        const engine = new MiniEngine(nomadJobProvider);
        await engine.up(args(job));
        const p = await engine.preview(args(sleepJob(job.ID, { count: 2 })));
        assert.equal(p.op, "update");
        assert.ok(p.shownDiff.planSummary, "planSummary is among the changed inputs the CLI shows");
        // A real agent evaluates asynchronously: until the first allocation is placed, the plan places both.
        assert.match(String(p.shownDiff.planSummary.new), new RegExp(`Nomad plan for "${job.ID}" \\(job changes\\): main: [12] place`));
        assert.ok(p.shownDiff.job, "the job itself shows as changed too");
    });

    it("says so in the summary, and does not fail, when Nomad is unreachable at preview", async () => {
        const engine = new MiniEngine(nomadJobProvider);
        const started = Date.now();
        const p = await engine.preview({ ...args(sleepJob(uniqueId("nowhere"))), address: "http://127.0.0.1:9" });
        assert.equal(p.failures.length, 0);
        assert.equal(p.op, "create");
        assert.match(String(p.checked.planSummary), /Nomad plan unavailable: Nomad at http:\/\/127\.0\.0\.1:9 not reachable/);
        assert.ok(Date.now() - started < 15_000);
    });

    it("says the plan is unavailable when the address or job is not known yet (preview of a first deploy)", async () => {
        const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        const fetches = countFetches();
        try {
            const engine = new MiniEngine(nomadJobProvider);
            const p = await engine.preview({ ...args(sleepJob(uniqueId("unknown"))), address: unknown });
            assert.equal(p.failures.length, 0);
            assert.match(String(p.checked.planSummary), /not known yet/);
        } finally {
            fetches.restore();
        }
        assert.equal(fetches.count, 0);
    });

    it("fails the preview with Nomad's own message when Nomad rejects the job", async () => {
        const bad = sleepJob(uniqueId("bad"));
        bad.TaskGroups[0].Tasks[0].Driver = "";
        const engine = new MiniEngine(nomadJobProvider);
        const p = await engine.preview(args(bad));
        assert.equal(p.failures.length, 1);
        assert.equal(p.failures[0].property, "job");
        assert.match(p.failures[0].reason, new RegExp(`Nomad rejected job "${bad.ID}": .*driver`, "i"));
    });

    it("validates inputs in check without calling Nomad", async () => {
        const fetches = countFetches();
        try {
            const none = await nomadJobProvider.check!({} as never, { address: target.address } as never);
            assert.match(none.failures![0].reason, /exactly one of `job`/);
            const both = await nomadJobProvider.check!({} as never, { ...args(sleepJob("x")), jobspec: "job {}" } as never);
            assert.match(both.failures![0].reason, /exactly one/);
            const noId = await nomadJobProvider.check!({} as never, args({ TaskGroups: [] } as unknown as Job) as never);
            assert.match(noId.failures![0].reason, /job.ID is required/);
            const badAddr = await nomadJobProvider.check!({} as never, { ...args(sleepJob("x")), address: "nomad:4646" } as never);
            assert.equal(badAddr.failures![0].property, "address");
        } finally {
            fetches.restore();
        }
        assert.equal(fetches.count, 0);
    });

    it("replaces the job when its ID changes, unless deregisterOnIdChange is false", async () => {
        const job = newJob("rename");
        const engine = new MiniEngine(nomadJobProvider);
        await engine.up(args(job));

        const renamed = { ...job, ID: `${job.ID}-v2` };
        created.push(renamed.ID);
        const p = await engine.preview(args(renamed));
        assert.equal(p.op, "replace");
        assert.deepEqual(p.replaces, ["job"]);

        const keepOld = await engine.preview(args(renamed, { deregisterOnIdChange: false }));
        assert.equal(keepOld.op, "update");

        await engine.up(args(renamed));
        assert.equal(engine.state!.id, renamed.ID);
        assert.ok((await client(target).readJob(renamed.ID)) !== undefined);
        const old = await client(target).readJob(job.ID);
        assert.ok(!old || old.Stop, "the old job was deregistered after the new one was created");

        // deregisterOnIdChange: false registers the new ID in an update and leaves the old job alone (as Terraform does).
        const third = { ...job, ID: `${job.ID}-v3` };
        created.push(third.ID);
        const up = await engine.up(args(third, { deregisterOnIdChange: false }));
        assert.equal(up.op, "update");
        assert.equal(engine.state!.outputs.jobId, third.ID);
        const v2 = await client(target).readJob(renamed.ID);
        assert.ok(v2 && !v2.Stop, "the previous job is left running");
        // Delete uses the job ID in the outputs, not the resource ID.
        await engine.destroy();
        const gone = await client(target).readJob(third.ID);
        assert.ok(!gone || gone.Stop);
    });

    it("replaces the job when its namespace changes", async () => {
        const job = newJob("ns");
        const engine = new MiniEngine(nomadJobProvider);
        await engine.up(args(job));
        const fetches = countFetches();
        let p;
        try {
            // Only the diff is looked at here (a dev agent has only the default namespace).
            const checked = (await nomadJobProvider.check!(engine.state!.inputs as never, args(job, { namespace: "apps" }) as never)).inputs!;
            p = await nomadJobProvider.diff!(engine.state!.id, engine.state!.outputs as never, checked);
        } finally {
            fetches.restore();
        }
        assert.deepEqual(p.replaces, ["namespace"]);
    });

    it("refuses to overwrite a job changed in Nomad since the last refresh (EnforceIndex) and says to refresh", async () => {
        const job = newJob("enforce");
        const engine = new MiniEngine(nomadJobProvider);
        await engine.up(args(job));
        await client(target).registerJob(sleepJob(job.ID, { env: { GREETING: "edited by hand" } }));

        const e = await rejection(engine.up(args(sleepJob(job.ID, { env: { GREETING: "from pulumi" } }))));
        assert.match(e.message, new RegExp(`^NomadJob "${job.ID}": the job was changed in Nomad since Pulumi last read it`));
        assert.match(e.message, /Enforcing job modify index \d+: job exists with conflicting job modify index: \d+/);
        assert.match(e.message, /pulumi refresh/);
        assert.equal((await client(target).readJob(job.ID))?.TaskGroups[0].Tasks[0].Env?.GREETING, "edited by hand", "not overwritten");

        // After a refresh the drift is known and the next up applies the program's version.
        await engine.refresh();
        assert.match(String(engine.state!.outputs.drift), /changed outside Pulumi/);
        await engine.up(args(sleepJob(job.ID, { env: { GREETING: "from pulumi" } })));
        assert.equal((await client(target).readJob(job.ID))?.TaskGroups[0].Tasks[0].Env?.GREETING, "from pulumi");
        assert.equal(engine.state!.outputs.drift, undefined);
    });

    it("notices a job stopped outside Pulumi on refresh, shows it in the next preview and restores it", async () => {
        const job = newJob("stopped");
        const engine = new MiniEngine(nomadJobProvider);
        await engine.up(args(job));
        await client(target).deregisterJob(job.ID); // `nomad job stop`

        assert.equal(await engine.refresh(), true);
        assert.equal(engine.state!.outputs.stopped, true);
        assert.match(String(engine.state!.outputs.drift), /stopped outside Pulumi/);
        assert.match(String(engine.state!.inputs.drift), /stopped outside Pulumi/, "recorded in the inputs too");

        const p = await engine.preview(args(job));
        assert.equal(p.op, "update");
        assert.ok(p.shownDiff.drift, "the preview shows the drift going away");
        // On a real agent the stopped allocation may not have stopped yet: then the plan updates it in place.
        assert.match(String(p.checked.planSummary), /main: 1 (place|in-place update)/);

        await engine.up(args(job));
        const server = await client(target).readJob(job.ID);
        assert.equal(server?.Stop, false);
        assert.equal(engine.state!.outputs.stopped, false);
        assert.equal(engine.state!.outputs.drift, undefined);
        assert.equal(engine.state!.inputs.drift, undefined);

        // And a clean refresh afterwards reports no drift.
        await engine.refresh();
        assert.equal(engine.state!.outputs.drift, undefined);
        assert.equal((await engine.preview(args(job))).op, "same");
    });

    it("drops a job purged outside Pulumi from the state on refresh", async () => {
        const job = newJob("purged");
        const engine = new MiniEngine(nomadJobProvider);
        await engine.up(args(job));
        await client(target).deregisterJob(job.ID, { purge: true });
        assert.equal(await engine.refresh(), false);
        assert.equal(engine.state, undefined);
    });

    it("deletes: stops by default, purges with purgeOnDestroy, and an absent job is success", async () => {
        const kept = newJob("stopdel");
        const e1 = new MiniEngine(nomadJobProvider);
        await e1.up(args(kept));
        const outs1 = e1.state!.outputs;
        await e1.destroy();
        const stopped = await client(target).readJob(kept.ID);
        assert.equal(stopped?.Stop, true);

        const purged = newJob("purgedel");
        const e2 = new MiniEngine(nomadJobProvider);
        await e2.up(args(purged, { purgeOnDestroy: true }));
        const outs2 = e2.state!.outputs;
        await e2.destroy();
        assert.equal(await client(target).readJob(purged.ID), undefined);

        // Deleting again (already gone / already stopped) succeeds.
        await nomadJobProvider.delete!(purged.ID, outs2 as never);
        await nomadJobProvider.delete!(kept.ID, { ...outs1, purgeOnDestroy: true } as never);
        await nomadJobProvider.delete!(kept.ID, { ...outs1, purgeOnDestroy: true } as never);
    });
});
