/**
 * The engine stores each dynamic provider's code in the state and runs it in
 * its own Node process: serialize the providers the way
 * `pulumi.dynamic.Resource` does, load the text in a separate process the way
 * the dynamic-provider host does (`requireFromString(text).handler()`), pass
 * every value through google.protobuf.Struct as the gRPC layer does, and drive
 * create/read/update/delete against the target Nomad.
 */
import { strict as assert } from "assert";
import { execFile } from "child_process";
import * as fs from "fs";
import { builtinModules } from "module";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { nomadJobProvider } from "../../nomad/job-provider";
import { providerText } from "../../nomad/provider-code";
import { nomadVariableProvider } from "../../nomad/variable-provider";
import { PLANTED_ITEMS, PLANTED_TOKEN, Target, client, deleteVars, purgeJobs, sleepJob, startTarget, uniqueId } from "./helpers";
import { MiniEngine } from "../../testkit/engine";

const REPO_ROOT = path.resolve(__dirname, "..", "..");

/** Plain JS run in the child process; it only uses what the engine's provider host has. */
const DRIVER = String.raw`
const path = require("path");
const cfg = JSON.parse(process.env.ROUNDTRIP_CONFIG);
const requireFromString = require(path.join(cfg.repoRoot, "node_modules/require-from-string"));
const { Struct } = require(path.join(cfg.repoRoot, "node_modules/google-protobuf/google/protobuf/struct_pb.js"));
const fs = require("fs");
const wire = (x) => Struct.fromJavaScript(x).toJavaScript();
const load = (file) => requireFromString(fs.readFileSync(file, "utf8")).handler();
const describe = (e) => ({ isError: e instanceof Error, message: String(e && e.message), hasStack: typeof (e && e.stack) === "string" });

(async () => {
    const out = {};
    const job = load(cfg.jobFile);
    const base = { address: cfg.address, token: cfg.token, retryTimeoutSeconds: 10 };

    const c1 = await job.check({}, wire({ ...base, job: cfg.job }));
    const created = await job.create(wire(c1.inputs));
    const outs1 = wire(created.outs);
    out.jobCreate = { id: created.id, planSummary: c1.inputs.planSummary, outs: outs1 };

    const read = await job.read(created.id, outs1);
    out.jobRead = { id: read.id, drift: read.props.drift === undefined ? null : read.props.drift, hasInputs: !!read.inputs };
    const props = wire(read.props);

    const same = await job.check(wire(c1.inputs), wire({ ...base, job: cfg.job }));
    out.jobSameDiff = await job.diff(created.id, props, wire(same.inputs));

    const c2 = await job.check(wire(c1.inputs), wire({ ...base, job: cfg.job2 }));
    const d2 = await job.diff(created.id, props, wire(c2.inputs));
    const updated = await job.update(created.id, props, wire(c2.inputs));
    out.jobUpdate = { diff: d2, planSummary: c2.inputs.planSummary, outs: wire(updated.outs) };

    // Stale state (the outputs from before the update): EnforceIndex refuses.
    try {
        await job.update(created.id, outs1, wire({ ...c1.inputs, job: cfg.job3 }));
        out.jobConflict = { unexpected: "succeeded" };
    } catch (e) {
        out.jobConflict = describe(e);
    }

    await job.delete(created.id, wire(updated.outs));
    await job.delete(created.id, wire(updated.outs));
    out.jobDeleted = true;

    const variable = load(cfg.varFile);
    const vbase = { ...base, path: cfg.varPath };
    const vc = await variable.check({}, wire({ ...vbase, items: cfg.items }));
    const vcreated = await variable.create(wire(vc.inputs));
    const vouts = wire(vcreated.outs);
    out.varCreate = { id: vcreated.id, modifyIndex: vouts.modifyIndex };
    const vread = await variable.read(vcreated.id, vouts);
    const sorted = (o) => JSON.stringify(Object.keys(o).sort().map((k) => [k, o[k]]));
    out.varRead = { same: sorted(vread.props.items) === sorted(cfg.items) };
    const vnews = wire({ ...vc.inputs, items: { ...cfg.items, added: "another value" } });
    out.varDiff = await variable.diff(vcreated.id, vouts, vnews);
    const vupdated = await variable.update(vcreated.id, vouts, vnews);
    out.varUpdate = { modifyIndex: wire(vupdated.outs).modifyIndex };
    try {
        await variable.update(vcreated.id, vouts, wire({ ...vc.inputs, items: { only: "stale write" } }));
        out.varConflict = { unexpected: "succeeded" };
    } catch (e) {
        out.varConflict = describe(e);
    }
    await variable.delete(vcreated.id, wire(vupdated.outs));
    await variable.delete(vcreated.id, wire(vupdated.outs));
    out.varDeleted = true;

    process.stdout.write(JSON.stringify(out));
})().catch((e) => {
    process.stderr.write("driver failed: " + (e && e.stack ? e.stack : String(e)) + "\n");
    process.exit(1);
});
`;

describe(`serialized providers in a separate process (${process.env.NOMAD_ADDR ? "real Nomad" : "fake Nomad"})`, function () {
    this.timeout(120_000);
    let target: Target;
    let dir: string;
    const jobs: string[] = [];
    const vars: string[] = [];

    before(async () => {
        target = await startTarget();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "nomad-provider-"));
    });
    after(async () => {
        await purgeJobs(target, jobs);
        await deleteVars(target, vars);
        await target.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    async function serialize(provider: object): Promise<pulumi.runtime.SerializedFunction> {
        // Exactly what pulumi.dynamic.Resource does with a provider.
        return pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
    }

    it("serializes small, self-contained text with no secret in it, even after use with a token", async () => {
        // Use the providers with the planted token first, so any caching of it would show.
        const id = uniqueId("ser-warm");
        jobs.push(id);
        const e = new MiniEngine(nomadJobProvider);
        await e.up({ job: sleepJob(id), address: target.address, token: PLANTED_TOKEN });
        const vpath = `nomad/jobs/${uniqueId("ser-warm")}`;
        vars.push(vpath);
        const v = new MiniEngine(nomadVariableProvider);
        await v.up({ path: vpath, items: PLANTED_ITEMS, address: target.address, token: PLANTED_TOKEN });

        for (const provider of [nomadJobProvider, nomadVariableProvider]) {
            const sf = await serialize(provider);
            assert.equal(sf.containsSecrets, false);
            assert.equal(sf.exportName, "handler");
            assert.ok(!sf.text.includes(PLANTED_TOKEN), "no token in the serialized provider");
            for (const item of Object.values(PLANTED_ITEMS)) {
                assert.ok(!sf.text.includes(item));
            }
            // Node's http/https carry the TLS options; nothing from node_modules.
            const required = [...sf.text.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
            assert.deepEqual(
                required.filter((m) => !builtinModules.includes(m.replace(/^node:/, ""))),
                [],
                `only Node built-ins are required, not ${required.join(", ")}`,
            );
            assert.ok(sf.text.length < 120_000, `serialized provider is ${sf.text.length} characters`);
        }
        for (const [label, provider] of [
            ["NomadJob", nomadJobProvider],
            ["NomadVariable", nomadVariableProvider],
        ] as const) {
            // What the resources store: the same module, compressed; Node's zlib is all it requires.
            const stored = await providerText(label, provider);
            assert.equal(stored.containsSecrets, false);
            assert.deepEqual(stored.text.match(/require\("[^"]*"\)/g), ['require("zlib")']);
            assert.ok(stored.text.length < 25_000, `stored provider is ${stored.text.length} characters`);
        }
    });

    it("runs check/create/read/diff/update/delete from the serialized text in another Node process", async () => {
        const jobFile = path.join(dir, "job-provider.js");
        const varFile = path.join(dir, "variable-provider.js");
        // The text NomadJob and NomadVariable register, live or from the build (test/build.test.ts,
        // test/nomad/provider-code.test.ts show that both are this, and, inflated, what
        // pulumi.dynamic.Resource makes).
        fs.writeFileSync(jobFile, (await providerText("NomadJob", nomadJobProvider)).text);
        fs.writeFileSync(varFile, (await providerText("NomadVariable", nomadVariableProvider)).text);
        const driver = path.join(dir, "driver.js");
        fs.writeFileSync(driver, DRIVER);

        const jobId = uniqueId("ser");
        jobs.push(jobId);
        const varPath = `nomad/jobs/${uniqueId("ser")}`;
        vars.push(varPath);
        const config = {
            repoRoot: REPO_ROOT,
            jobFile,
            varFile,
            address: target.address,
            token: PLANTED_TOKEN,
            job: sleepJob(jobId),
            job2: sleepJob(jobId, { env: { GREETING: "updated" } }),
            job3: sleepJob(jobId, { env: { GREETING: "stale" } }),
            varPath,
            items: PLANTED_ITEMS,
        };
        const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
            execFile(
                process.execPath,
                [driver],
                { env: { PATH: process.env.PATH ?? "", ROUNDTRIP_CONFIG: JSON.stringify(config) }, cwd: dir, timeout: 90_000 },
                (err, so, se) => (err ? reject(new Error(`${err.message}\n${se}`)) : resolve({ stdout: so, stderr: se })),
            );
        });
        const out = JSON.parse(stdout);

        assert.equal(out.jobCreate.id, jobId);
        assert.equal(out.jobCreate.outs.jobId, jobId);
        assert.match(out.jobCreate.planSummary, /\(new job\): main: 1 place/);
        assert.equal(out.jobRead.id, jobId);
        assert.equal(out.jobRead.drift, null);
        assert.equal(out.jobRead.hasInputs, false);
        assert.equal(out.jobSameDiff.changes, false);
        assert.equal(out.jobUpdate.diff.changes, true);
        assert.deepEqual(out.jobUpdate.diff.replaces, []);
        assert.match(out.jobUpdate.planSummary, /main: 1 destructive update/);
        assert.equal(out.jobUpdate.outs.version, 1);
        assert.equal(out.jobConflict.isError, true, "errors leaving the provider are real Errors");
        assert.equal(out.jobConflict.hasStack, true);
        assert.match(
            out.jobConflict.message,
            new RegExp(`^NomadJob "${jobId}": the job was changed in Nomad .*Enforcing job modify index \\d+.*pulumi refresh`),
        );
        assert.equal(out.jobDeleted, true);
        const after = await client(target).readJob(jobId);
        assert.ok(!after || after.Stop);

        assert.equal(out.varCreate.id, `default/${varPath}`);
        assert.equal(out.varRead.same, true);
        assert.equal(out.varDiff.changes, true);
        assert.ok(out.varUpdate.modifyIndex > out.varCreate.modifyIndex);
        assert.equal(out.varConflict.isError, true);
        assert.match(out.varConflict.message, new RegExp(`^NomadVariable "${varPath}" .*changed in Nomad since Pulumi last read it.*pulumi refresh`));
        assert.equal(out.varDeleted, true);
        assert.equal(await client(target).getVariable(varPath), undefined);

        // (stdout carries the outputs, which keep the token as the state does, marked secret by the resource.)
        for (const text of [stderr, out.jobConflict.message, out.varConflict.message]) {
            assert.ok(!text.includes(PLANTED_TOKEN));
        }
        for (const item of Object.values(PLANTED_ITEMS)) {
            assert.ok(!stderr.includes(item) && !out.varConflict.message.includes(item));
        }
    });
});
