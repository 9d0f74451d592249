/**
 * Adopting what already runs (`adopt` on NomadJob and NomadVariable): the
 * same cases against the fake (test/nomad/adopt.test.ts) and a real Nomad
 * 1.6 agent (test/integration/nomad-operators.test.ts). Writes are counted on
 * the wire (every fetch the providers make), so "zero writes" holds for both.
 */
import { strict as assert } from "assert";
import { nomadJobProvider } from "../../nomad/job-provider";
import { nomadVariableProvider } from "../../nomad/variable-provider";
import { MiniEngine, Obj } from "../../testkit/engine";
import { PLANTED_ITEMS, PLANTED_TOKEN, Target, client, countCalls, rejection, sleepJob, uniqueId } from "./helpers";

export function adoptCases(target: () => Target, cleanup: { jobs: string[]; paths: string[] }): void {
    const jobArgs = (job: unknown, extra: Obj = {}): Obj => ({ job, address: target().address, token: PLANTED_TOKEN, retryTimeoutSeconds: 10, ...extra });
    const varArgs = (path: string, items: Record<string, string>, extra: Obj = {}): Obj => ({
        path,
        items,
        address: target().address,
        token: PLANTED_TOKEN,
        retryTimeoutSeconds: 10,
        ...extra,
    });
    const jobId = (prefix: string) => {
        const id = uniqueId(prefix);
        cleanup.jobs.push(id);
        return id;
    };
    const varPath = () => {
        const p = `nomad/jobs/${uniqueId("adopt")}`;
        cleanup.paths.push(p);
        return p;
    };
    const writes = (calls: { method: string; url: string }[]) =>
        calls.filter((c) => c.method !== "GET" && !/\/plan$|\/jobs\/parse$/.test(new URL(c.url).pathname));

    it("adopts an identical running job with zero writes, and refresh then sees no drift", async () => {
        const id = jobId("adopt-same");
        const running = sleepJob(id);
        await client(target()).registerJob(running);
        const before = (await client(target()).readJob(id))!;

        const engine = new MiniEngine(nomadJobProvider);
        const preview = await engine.preview(jobArgs(sleepJob(id), { adopt: true }));
        assert.equal(preview.op, "create");
        assert.match(String(preview.checked.planSummary), new RegExp(`^Adopting job "${id}": identical to the job Nomad runs; recorded without a write`));

        const calls = countCalls();
        try {
            await engine.up(jobArgs(sleepJob(id), { adopt: true }));
        } finally {
            calls.restore();
        }
        assert.deepEqual(writes(calls.calls), [], "no register, deregister or variable write");
        const after = (await client(target()).readJob(id))!;
        assert.equal(after.Version, before.Version);
        assert.equal(after.JobModifyIndex, before.JobModifyIndex);
        const outs = engine.state!.outputs;
        assert.equal(outs.modifyIndex, before.JobModifyIndex);
        assert.match(outs.adopted, /identical after normalisation, recorded without a write/);
        assert.deepEqual(
            outs.taskGroups.map((g: Obj) => [g.name, g.count]),
            [["main", 1]],
        );

        assert.equal(await engine.refresh(), true);
        assert.equal(engine.state!.outputs.drift, undefined);
        const again = await engine.preview(jobArgs(sleepJob(id), { adopt: true }));
        assert.equal(again.op, "same");
    });

    it("shows Nomad's plan for a different running job, and up registers ours over exactly the version it read", async () => {
        const id = jobId("adopt-diff");
        await client(target()).registerJob(sleepJob(id, { env: { GREETING: "from terraform" } }));
        // The plan reads "destructive update" only once the old job has an allocation to replace.
        for (let i = 0; i < 100 && !(await client(target()).jobAllocations(id)).length; i++) {
            await new Promise((r) => setTimeout(r, 100));
        }
        const ours = sleepJob(id, { env: { GREETING: "from pulumi" } });

        const engine = new MiniEngine(nomadJobProvider);
        const preview = await engine.preview(jobArgs(ours, { adopt: true }));
        assert.match(
            String(preview.checked.planSummary),
            new RegExp(
                `^Adopting job "${id}": it differs from the job Nomad runs, which ours replaces; Nomad plan for "${id}" \\(job changes\\): main: 1 destructive update`,
            ),
        );

        // Without adopt the preview still says that a job runs there and is overwritten.
        const plain = await new MiniEngine(nomadJobProvider).preview(jobArgs(ours));
        assert.match(String(plain.checked.planSummary), /already exists in Nomad and is overwritten \(set adopt to take it over\)/);

        await engine.up(jobArgs(ours, { adopt: true }));
        const server = (await client(target()).readJob(id))!;
        assert.equal(server.Version, 1);
        assert.equal(server.TaskGroups[0].Tasks[0].Env?.GREETING, "from pulumi");
        assert.match(engine.state!.outputs.adopted, /version 0, job modify index \d+\) and registered ours over it/);
    });

    it("adopts a variable with the same items with zero writes", async () => {
        const path = varPath();
        const existing = await client(target()).putVariable(path, PLANTED_ITEMS);
        const engine = new MiniEngine(nomadVariableProvider);
        const calls = countCalls();
        let preview;
        try {
            preview = await engine.up(varArgs(path, { ...PLANTED_ITEMS }, { adopt: true }));
        } finally {
            calls.restore();
        }
        assert.match(String(preview.checked.adopted), /exists with the same items \(api_key, db_password\); recorded without a write/);
        assert.deepEqual(writes(calls.calls), []);
        assert.equal(engine.state!.outputs.modifyIndex, existing.ModifyIndex);
        assert.match(engine.state!.outputs.adopted, new RegExp(`adopted at modify index ${existing.ModifyIndex} with the same items`));
        assert.equal((await client(target()).getVariable(path))!.ModifyIndex, existing.ModifyIndex);
    });

    it("refuses a variable with other items without overwriteAdopted (naming keys, never values), and overwrites it with the flag", async () => {
        const path = varPath();
        const theirs = { db_password: "item-PLANTED-theirs-value", legacy: "item-PLANTED-legacy-value" };
        const existing = await client(target()).putVariable(path, theirs);
        const ours = { ...PLANTED_ITEMS };

        const engine = new MiniEngine(nomadVariableProvider);
        const preview = await engine.preview(varArgs(path, ours, { adopt: true }));
        assert.equal(preview.failures.length, 1);
        const reason = preview.failures[0].reason;
        assert.match(reason, /adopt found it in Nomad with other items \(changed: db_password; only in Nomad: legacy; only in ours: api_key;/);
        assert.match(reason, /set overwriteAdopted/);
        // A create that skipped the preview (Nomad unreachable then) refuses too.
        const err = await rejection(nomadVariableProvider.create!({ ...varArgs(path, ours, { adopt: true }) } as never));
        assert.match(err.message, /not overwritten/);
        for (const text of [reason, err.message]) {
            for (const value of [...Object.values(theirs), ...Object.values(ours), PLANTED_TOKEN]) {
                assert.ok(!text.includes(value), "no item value or token in the message");
            }
        }
        assert.equal((await client(target()).getVariable(path))!.ModifyIndex, existing.ModifyIndex, "nothing was written");

        const confirmed = await engine.up(varArgs(path, ours, { adopt: true, overwriteAdopted: true }));
        assert.match(
            String(confirmed.checked.adopted),
            /exists with other items \(changed: db_password; only in Nomad: legacy; only in ours: api_key\); overwriteAdopted replaces them/,
        );
        const now = (await client(target()).getVariable(path))!;
        assert.deepEqual(now.Items, ours);
        assert.ok(now.ModifyIndex > existing.ModifyIndex);
        assert.match(engine.state!.outputs.adopted, new RegExp(`adopted at modify index ${existing.ModifyIndex} and overwritten`));
    });
}
