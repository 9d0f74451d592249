import { strict as assert } from "assert";
import { NomadError, isNomadError } from "../../nomad/client";
import { duration, hours, milliseconds, minutes, seconds } from "../../nomad/types";
import { PLANTED_TOKEN, Target, client, purgeJobs, rejection, sleepJob, startTarget, uniqueId } from "./helpers";

describe("nomad/types duration helpers", () => {
    it("produce int64 nanoseconds", () => {
        assert.equal(seconds(10), 10_000_000_000);
        assert.equal(minutes(2), 120_000_000_000);
        assert.equal(hours(1), 3_600_000_000_000);
        assert.equal(milliseconds(250), 250_000_000);
        assert.equal(duration("30s"), 30_000_000_000);
        assert.equal(duration("1h30m"), 5_400_000_000_000);
        assert.equal(duration("1.5h"), 5_400_000_000_000);
        assert.equal(duration("250ms"), 250_000_000);
        assert.equal(duration("10us"), 10_000);
        assert.equal(duration("0"), 0);
        assert.throws(() => duration("30"), /invalid duration/);
        assert.throws(() => duration("5 minutes"), /invalid duration/);
    });
});

describe(`NomadClient against ${process.env.NOMAD_ADDR ? "a real Nomad" : "the fake Nomad"}`, () => {
    let target: Target;
    const jobs: string[] = [];

    before(async () => {
        target = await startTarget();
    });
    after(async () => {
        await purgeJobs(target, jobs);
        await target.stop();
    });

    it("reads the leader", async () => {
        const leader = await client(target).leader();
        assert.match(leader, /:\d+$/);
    });

    it("registers, reads (server defaults filled in), plans, validates and deregisters a job", async () => {
        const id = uniqueId("client");
        jobs.push(id);
        const c = client(target);
        const sent = sleepJob(id);
        const reg = await c.registerJob(sent);
        assert.ok(reg.JobModifyIndex > 0);
        assert.equal(typeof reg.EvalID, "string");

        const got = await c.readJob(id);
        assert.ok(got);
        assert.equal(got.ID, id);
        assert.equal(got.Name, id);
        assert.equal(got.Namespace, "default");
        assert.equal(got.Priority, 50);
        assert.equal(got.JobModifyIndex, reg.JobModifyIndex);
        assert.equal(got.Version, 0);
        assert.equal(got.Stop, false);
        assert.notDeepEqual(got, sent, "GET returns the defaulted job, not what was sent");

        // Registering the same spec again makes no new version.
        const again = await c.registerJob(sent);
        assert.equal(again.JobModifyIndex, reg.JobModifyIndex);
        assert.equal((await c.readJob(id))?.Version, 0);

        const same = await c.planJob(sent, { diff: true });
        assert.equal(same.Diff?.Type, "None");
        const changed = await c.planJob(sleepJob(id, { env: { GREETING: "bye" } }), { diff: true });
        assert.equal(changed.Diff?.Type, "Edited");
        assert.ok(changed.Annotations?.DesiredTGUpdates?.main);
        assert.equal(changed.Annotations?.DesiredTGUpdates?.main.DestructiveUpdate, 1);

        const valid = await c.validateJob(sent);
        assert.deepEqual(valid.ValidationErrors ?? [], []);

        const stop = await c.deregisterJob(id);
        assert.ok(stop);
        const stopped = await c.readJob(id);
        assert.equal(stopped?.Stop, true);
        // Status follows the allocations (a real agent may still say "pending" or "running"); Stop is set at once.
        assert.ok(["pending", "running", "dead"].includes(String(stopped?.Status)));

        await c.deregisterJob(id, { purge: true });
        assert.equal(await c.readJob(id), undefined);
        // Deregistering an absent job is fine.
        await c.deregisterJob(id, { purge: true });
    });

    it("parses HCL with HCL2 variables on the server", async () => {
        const id = uniqueId("parsed");
        const hcl = `
variable "greeting" {
  type = string
}
job "${id}" {
  datacenters = ["*"]
  group "main" {
    count = 1
    task "sleep" {
      driver = "raw_exec"
      config {
        command = "/bin/sleep"
        args    = ["3600"]
      }
      env {
        GREETING = "\${var.greeting}"
      }
    }
  }
}`;
        const job = await client(target).parseJob(hcl, { variables: 'greeting = "hi there"' });
        assert.equal(job.ID, id);
        assert.equal(job.TaskGroups[0].Tasks[0].Env?.GREETING, "hi there");
        const bad = await rejection(client(target).parseJob("job {", {}));
        assert.ok(isNomadError(bad));
        assert.equal((bad as NomadError).status, 400);
    });

    it("does not retry a 400 and carries Nomad's plain-text message", async () => {
        const c = client(target, { retryTimeoutSeconds: 30 });
        const before = target.fake?.count();
        const started = Date.now();
        const e = await rejection(c.registerJob({ TaskGroups: [] } as never));
        assert.ok(e instanceof NomadError);
        assert.equal(e.status, 400);
        assert.equal(e.method, "PUT");
        assert.equal(e.path, "/v1/jobs");
        assert.match(e.nomadMessage, /Job ID/);
        assert.match(e.message, /Nomad PUT \/v1\/jobs returned 400: .*Job ID/);
        assert.ok(!e.message.includes(PLANTED_TOKEN));
        assert.ok(Date.now() - started < 5000, "no backoff on 4xx");
        if (target.fake && before !== undefined) {
            assert.equal(target.fake.count() - before, 1);
        }
    });

    it("reports an EnforceIndex race as an index conflict", async () => {
        const id = uniqueId("enforce");
        jobs.push(id);
        const c = client(target);
        const reg = await c.registerJob(sleepJob(id));
        await c.registerJob(sleepJob(id, { env: { GREETING: "changed elsewhere" } }));
        const e = await rejection(c.registerJob(sleepJob(id, { env: { GREETING: "mine" } }), { enforceIndex: reg.JobModifyIndex }));
        assert.ok(e instanceof NomadError);
        assert.equal(e.status, 500);
        assert.equal(e.indexConflict, true);
        assert.match(e.nomadMessage, new RegExp(`^Enforcing job modify index ${reg.JobModifyIndex}: job exists with conflicting job modify index: \\d+`));
        const absent = await rejection(c.registerJob(sleepJob(uniqueId("absent")), { enforceIndex: 5 }));
        assert.match((absent as NomadError).nomadMessage, /^Enforcing job modify index 5: job does not exist/);
    });

    it("handles variables: create-only (cas=0), cas update, 409 conflict without items, delete", async () => {
        const path = `nomad/jobs/${uniqueId("clientvar")}`;
        const c = client(target);
        const v = await c.putVariable(path, { a: "1111" }, { cas: 0 });
        assert.equal(v.Path, path);
        assert.ok(v.ModifyIndex > 0);
        const got = await c.getVariable(path);
        assert.deepEqual(got?.Items, { a: "1111" });

        const conflict = await rejection(c.putVariable(path, { a: "conflicting-value" }, { cas: 0 }));
        assert.ok(conflict instanceof NomadError);
        assert.equal(conflict.status, 409);
        assert.equal(conflict.conflict?.ModifyIndex, v.ModifyIndex);
        assert.ok(!conflict.message.includes("1111"));
        assert.ok(!conflict.message.includes("conflicting-value"));

        const v2 = await c.putVariable(path, { a: "2222" }, { cas: v.ModifyIndex });
        assert.ok(v2.ModifyIndex > v.ModifyIndex);
        await c.deleteVariable(path);
        assert.equal(await c.getVariable(path), undefined);
        await c.deleteVariable(path);

        const empty = await rejection(c.putVariable(path, {}));
        assert.equal((empty as NomadError).status, 400);
    });
});

// Fault injection needs the fake; these cases are only registered against it.
if (!process.env.NOMAD_ADDR) {
    describe("NomadClient retries (fake Nomad only: fault injection)", () => {
        let target: Target;
        beforeEach(async () => {
            target = await startTarget();
        });
        afterEach(async () => {
            await target.stop();
        });

        it("retries while connections are refused, then succeeds", async () => {
            const fake = target.fake!;
            await fake.refuseConnectionsFor(800);
            const notes: string[] = [];
            const c = client(target, { retryTimeoutSeconds: 20, initialBackoffMs: 200, log: (m) => notes.push(m) });
            const started = Date.now();
            const leader = await c.leader();
            assert.match(leader, /:4647$/);
            assert.ok(Date.now() - started >= 600, "waited for the agent to come up");
            assert.ok(notes.length >= 1 && notes.every((n) => /ECONNREFUSED/.test(n)), notes.join("\n"));
            assert.ok(notes.every((n) => !n.includes(PLANTED_TOKEN)));
        });

        it("retries 500 No cluster leader with backoff", async () => {
            const fake = target.fake!;
            fake.failNext(3, "No cluster leader");
            const c = client(target, { retryTimeoutSeconds: 20, initialBackoffMs: 50 });
            const reg = await c.registerJob(sleepJob("leaderless"));
            assert.ok(reg.JobModifyIndex > 0);
            assert.equal(
                fake.count((r) => r.path === "/v1/jobs"),
                4,
            );
        });

        it("retries the other transient 500s and connection resets", async () => {
            const fake = target.fake!;
            fake.failNext(1, "Not ready to serve consistent reads");
            fake.failNext(1, "No path to region");
            const c = client(target, { retryTimeoutSeconds: 20, initialBackoffMs: 20 });
            await c.leader();
            assert.equal(fake.count(), 3);
            fake.resetCounts();
            fake.resetNextConnections(2);
            await c.leader();
            assert.equal(fake.count(), 3);
        });

        it("never retries an index conflict or an ordinary 500", async () => {
            const fake = target.fake!;
            fake.failNext(1, "Enforcing job modify index 7: job exists with conflicting job modify index: 9");
            const c = client(target, { retryTimeoutSeconds: 20, initialBackoffMs: 20 });
            const e = (await rejection(c.registerJob(sleepJob("x")))) as NomadError;
            assert.equal(e.indexConflict, true);
            assert.equal(fake.count(), 1);
            fake.failNext(1, "rpc error: something broke");
            const e2 = (await rejection(c.leader())) as NomadError;
            assert.equal(e2.status, 500);
            assert.equal(e2.transient, false);
            assert.equal(fake.count(), 2);
        });

        it("gives up at the deadline with the last error", async () => {
            const fake = target.fake!;
            fake.failNext(1000, "No cluster leader");
            const c = client(target, { retryTimeoutSeconds: 1, initialBackoffMs: 100 });
            const e = (await rejection(c.leader())) as NomadError;
            assert.equal(e.status, 500);
            assert.match(e.message, /No cluster leader .*gave up after \d+ attempts/);
            assert.ok(fake.count() >= 3);
        });

        it("sends the token header and keeps a wrong token out of the message", async () => {
            const fake = target.fake!;
            await client(target).leader();
            assert.ok(fake.requests.every((r) => r.hadToken));
            const wrong = "0badc0de-0000-4000-8000-" + PLANTED_TOKEN.slice(-12).split("").reverse().join("");
            const e = (await rejection(client(target, { token: wrong }).leader())) as NomadError;
            assert.equal(e.status, 403);
            assert.equal(e.nomadMessage, "ACL token not found");
            assert.ok(!e.message.includes(wrong));
        });
    });
}
