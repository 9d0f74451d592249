import { strict as assert } from "assert";
import { nomadVariableProvider } from "../../nomad/variable-provider";
import { MiniEngine, Obj } from "../../testkit/engine";
import { PLANTED_ITEMS, PLANTED_TOKEN, Target, client, countFetches, deleteVars, rejection, startTarget, uniqueId } from "./helpers";

describe(`NomadVariable provider against ${process.env.NOMAD_ADDR ? "a real Nomad" : "the fake Nomad"}`, function () {
    this.timeout(60_000);
    let target: Target;
    const paths: string[] = [];

    before(async () => {
        target = await startTarget();
    });
    after(async () => {
        await deleteVars(target, paths);
        await target.stop();
    });

    function newPath(): string {
        const p = `nomad/jobs/${uniqueId("var")}`;
        paths.push(p);
        return p;
    }

    function args(path: string, items: Record<string, string>, extra: Obj = {}): Obj {
        return { path, items, address: target.address, token: PLANTED_TOKEN, retryTimeoutSeconds: 10, ...extra };
    }

    it("creates (cas=0), reads, updates (cas=ModifyIndex) and deletes a variable", async () => {
        const path = newPath();
        const engine = new MiniEngine(nomadVariableProvider);
        const created = await engine.up(args(path, PLANTED_ITEMS));
        assert.equal(created.op, "create");
        const outs = engine.state!.outputs;
        assert.equal(engine.state!.id, `default/${path}`);
        assert.equal(outs.path, path);
        assert.equal(outs.namespace, "default");
        assert.deepEqual(outs.items, PLANTED_ITEMS);
        assert.ok(outs.modifyIndex > 0);
        assert.ok(outs.createIndex > 0);
        assert.deepEqual((await client(target).getVariable(path))?.Items, PLANTED_ITEMS);

        assert.equal(await engine.refresh(), true);
        assert.deepEqual(engine.state!.outputs.items, PLANTED_ITEMS);

        const next = { ...PLANTED_ITEMS, extra: "one more value" };
        const upd = await engine.up(args(path, next));
        assert.equal(upd.op, "update");
        assert.ok(engine.state!.outputs.modifyIndex > outs.modifyIndex);
        assert.equal(engine.state!.outputs.createIndex, outs.createIndex);
        assert.deepEqual((await client(target).getVariable(path))?.Items, next);

        await engine.destroy();
        assert.equal(await client(target).getVariable(path), undefined);
        // Deleting an absent variable is success.
        await nomadVariableProvider.delete!(`default/${path}`, outs as never);
    });

    it("previews an unchanged variable (keys in another order) with no HTTP call", async () => {
        const path = newPath();
        const engine = new MiniEngine(nomadVariableProvider);
        await engine.up(args(path, { a: "first value", b: "second value" }));
        const fetches = countFetches();
        try {
            const p = await engine.preview(args(path, { b: "second value", a: "first value" }));
            assert.equal(p.op, "same");
        } finally {
            fetches.restore();
        }
        assert.equal(fetches.count, 0);
    });

    it("replaces on a path or namespace change", async () => {
        const path = newPath();
        const engine = new MiniEngine(nomadVariableProvider);
        await engine.up(args(path, { a: "value one" }));
        const moved = newPath();
        const p = await engine.preview(args(moved, { a: "value one" }));
        assert.equal(p.op, "replace");
        assert.deepEqual(p.replaces, ["path"]);
        const ns = await engine.preview(args(path, { a: "value one" }, { namespace: "other" }));
        assert.deepEqual(ns.replaces, ["namespace"]);

        await engine.up(args(moved, { a: "value one" }));
        assert.ok(await client(target).getVariable(moved));
        assert.equal(await client(target).getVariable(path), undefined, "old path deleted after the new one was created");
    });

    it("drops a variable deleted outside Pulumi on refresh, and sees items changed outside", async () => {
        const path = newPath();
        const engine = new MiniEngine(nomadVariableProvider);
        await engine.up(args(path, { a: "value one" }));
        const current = await client(target).getVariable(path);
        await client(target).putVariable(path, { a: "changed by hand" }, { cas: current!.ModifyIndex });
        await engine.refresh();
        assert.deepEqual(engine.state!.outputs.items, { a: "changed by hand" });
        const p = await engine.up(args(path, { a: "value one" }));
        assert.equal(p.op, "update", "the program's items are restored");
        assert.deepEqual((await client(target).getVariable(path))?.Items, { a: "value one" });

        await client(target).deleteVariable(path);
        assert.equal(await engine.refresh(), false);
    });

    it("refuses to create over an existing variable with other items (cas=0 conflict), naming the path", async () => {
        const path = newPath();
        await client(target).putVariable(path, { a: "someone else's value" });
        const e = await rejection(nomadVariableProvider.create(args(path, PLANTED_ITEMS) as never));
        assert.match(e.message, new RegExp(`^NomadVariable "${path}" \\(namespace "default"\\) already exists in Nomad`));
        assert.ok(!e.message.includes("someone else's value"));
        for (const v of Object.values(PLANTED_ITEMS)) {
            assert.ok(!e.message.includes(v));
        }
        assert.deepEqual((await client(target).getVariable(path))?.Items, { a: "someone else's value" }, "not overwritten");
    });

    it("adopts an existing variable whose items already match (a retried create)", async () => {
        const path = newPath();
        await client(target).putVariable(path, { a: "same value" });
        const res = await nomadVariableProvider.create(args(path, { a: "same value" }) as never);
        assert.equal(res.outs?.path, path);
    });

    it("refuses to overwrite a variable changed since the last refresh (cas conflict) and says to refresh", async () => {
        const path = newPath();
        const engine = new MiniEngine(nomadVariableProvider);
        await engine.up(args(path, PLANTED_ITEMS));
        const current = await client(target).getVariable(path);
        await client(target).putVariable(path, { db_password: "rotated by hand" }, { cas: current!.ModifyIndex });

        const e = await rejection(engine.up(args(path, { ...PLANTED_ITEMS, db_password: "item-PLANTED-next-password" })));
        assert.match(e.message, new RegExp(`^NomadVariable "${path}" \\(namespace "default"\\) was changed in Nomad since Pulumi last read it`));
        assert.match(e.message, /pulumi refresh/);
        for (const v of [...Object.values(PLANTED_ITEMS), "rotated by hand", "item-PLANTED-next-password", PLANTED_TOKEN]) {
            assert.ok(!e.message.includes(v), `message leaks ${v}`);
        }
        assert.deepEqual((await client(target).getVariable(path))?.Items, { db_password: "rotated by hand" });
    });

    it("validates path and items in check without calling Nomad or echoing values", async () => {
        const fetches = countFetches();
        try {
            const bad = await nomadVariableProvider.check!({} as never, args("nomad/jobs/has space", PLANTED_ITEMS) as never);
            assert.equal(bad.failures![0].property, "path");
            const empty = await nomadVariableProvider.check!({} as never, args("nomad/jobs/x", {}) as never);
            assert.match(empty.failures![0].reason, /must not be empty/);
            const nonString = await nomadVariableProvider.check!({} as never, args("nomad/jobs/x", { n: 5 as never, s: PLANTED_ITEMS.api_key }) as never);
            assert.match(nonString.failures![0].reason, /item "n" must be a string/);
            const huge = await nomadVariableProvider.check!({} as never, args("nomad/jobs/x", { big: "x".repeat(70 * 1024) }) as never);
            assert.match(huge.failures![0].reason, /64 KiB/);
            for (const f of [...bad.failures!, ...empty.failures!, ...nonString.failures!, ...huge.failures!]) {
                for (const v of Object.values(PLANTED_ITEMS)) {
                    assert.ok(!f.reason.includes(v));
                }
            }
            const ok = await nomadVariableProvider.check!({} as never, args("nomad/jobs/x", PLANTED_ITEMS) as never);
            assert.equal(ok.failures, undefined);
            assert.equal(ok.inputs?.namespace, "default");
        } finally {
            fetches.restore();
        }
        assert.equal(fetches.count, 0);
    });
});
