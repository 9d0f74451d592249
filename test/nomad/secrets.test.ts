import { strict as assert } from "assert";
import * as pulumi from "@pulumi/pulumi";
import { NomadJob, NomadVariable } from "../../nomad";
import { nomadJobProvider } from "../../nomad/job-provider";
import { nomadVariableProvider } from "../../nomad/variable-provider";
import { MiniEngine, Obj } from "../../testkit/engine";
import { PLANTED_ITEMS, PLANTED_TOKEN, Target, captureOutput, client, deleteVars, purgeJobs, rejection, sleepJob, startTarget, uniqueId } from "./helpers";

const PLANTED = [PLANTED_TOKEN, ...Object.values(PLANTED_ITEMS)];

function assertClean(texts: string[]): void {
    for (const t of texts) {
        for (const secret of PLANTED) {
            assert.ok(!t.includes(secret), `a secret leaked into: ${t.slice(0, 300)}`);
        }
    }
}

function errorTexts(e: unknown): string[] {
    const err = e as Error;
    return [String(err.message), String(err.stack ?? ""), String(e), JSON.stringify(e)];
}

describe("secrets stay out of errors and logs", function () {
    this.timeout(60_000);
    let target: Target;
    const jobs: string[] = [];
    const vars: string[] = [];

    before(async () => {
        target = await startTarget();
    });
    after(async () => {
        await purgeJobs(target, jobs);
        await deleteVars(target, vars);
        await target.stop();
    });

    it("never shows the token or item values in any error message or log line", async () => {
        const texts: string[] = [];
        const out = captureOutput();
        try {
            // Jobs: a create, an EnforceIndex conflict, a rejected job at preview, an unreachable preview.
            const id = uniqueId("leak");
            jobs.push(id);
            const a = (job: Obj, extra: Obj = {}) => ({ job, address: target.address, token: PLANTED_TOKEN, retryTimeoutSeconds: 10, ...extra });
            const engine = new MiniEngine(nomadJobProvider);
            await engine.up(a(sleepJob(id)));
            await client(target).registerJob(sleepJob(id, { env: { GREETING: "elsewhere" } }));
            texts.push(...errorTexts(await rejection(engine.up(a(sleepJob(id, { env: { GREETING: "mine" } }))))));
            const bad = sleepJob(uniqueId("leakbad"));
            bad.TaskGroups[0].Tasks[0].Driver = "";
            const rejected = await new MiniEngine(nomadJobProvider).preview(a(bad));
            assert.equal(rejected.failures.length, 1);
            texts.push(...rejected.failures.map((f) => f.reason));
            const nowhere = await new MiniEngine(nomadJobProvider).preview(a(sleepJob("nowhere"), { address: "http://127.0.0.1:9" }));
            texts.push(String(nowhere.checked.planSummary));
            texts.push(
                ...errorTexts(
                    await rejection(nomadJobProvider.create(a(sleepJob("nowhere"), { address: "http://127.0.0.1:9", retryTimeoutSeconds: 1 }) as never)),
                ),
            );

            // Variables: create, conflicts at create and update, a 400 from Nomad, check failures.
            const path = `nomad/jobs/${uniqueId("leakvar")}`;
            vars.push(path);
            const v = (items: Obj, extra: Obj = {}) => ({ path, items, address: target.address, token: PLANTED_TOKEN, retryTimeoutSeconds: 10, ...extra });
            const venv = new MiniEngine(nomadVariableProvider);
            await venv.up(v(PLANTED_ITEMS));
            texts.push(...errorTexts(await rejection(nomadVariableProvider.create(v({ db_password: PLANTED_ITEMS.db_password + "-other" }) as never))));
            const cur = await client(target).getVariable(path);
            await client(target).putVariable(path, { ...PLANTED_ITEMS, api_key: "rotated" }, { cas: cur!.ModifyIndex });
            texts.push(...errorTexts(await rejection(venv.up(v({ ...PLANTED_ITEMS, extra: "x-value" })))));
            texts.push(...errorTexts(await rejection(nomadVariableProvider.create(v({}) as never))));
            const failures = await nomadVariableProvider.check!({} as never, v({ count: 5, ...PLANTED_ITEMS }, { path: "bad path" }) as never);
            texts.push(...(failures.failures ?? []).map((f) => f.reason));
            await venv.destroy();

            if (target.fake) {
                // Retries log what they wait for: make sure those lines are clean too.
                target.fake.failNext(2, "No cluster leader");
                await nomadVariableProvider.create(v(PLANTED_ITEMS) as never);
                await nomadVariableProvider.delete!(path, { ...v(PLANTED_ITEMS), namespace: "default" } as never);
                // A wrong token: Nomad's 403 text, not the token.
                texts.push(
                    ...errorTexts(
                        await rejection(nomadVariableProvider.create(v(PLANTED_ITEMS, { token: PLANTED_TOKEN.replace(/^7f3a9c2e/, "00000000") }) as never)),
                    ),
                );
            }
        } finally {
            out.restore();
        }
        if (target.fake) {
            assert.ok(
                out.lines.some((l) => /No cluster leader; retrying/.test(l)),
                "retry notices were captured",
            );
        }
        assert.ok(texts.length > 10);
        assertClean(texts);
        assertClean(out.lines);
    });
});

describe("NomadJob / NomadVariable resources under Pulumi mocks", () => {
    const registered: { type: string; name: string; inputs: Obj }[] = [];

    before(() => {
        pulumi.runtime.setMocks(
            {
                newResource: (args: pulumi.runtime.MockResourceArgs) => {
                    registered.push({ type: args.type, name: args.name, inputs: args.inputs });
                    return { id: `${args.name}-id`, state: args.inputs };
                },
                call: () => ({}),
            },
            "hydra",
            "test",
            false,
        );
    });

    it("marks token and items as secret outputs and uses dynamic type tokens", async () => {
        const job = new NomadJob("web", { job: sleepJob("web"), address: "http://100.64.0.1:4646", token: PLANTED_TOKEN });
        // Outputs may sit anywhere inside a job (type-level check; e.g. an image digest from another resource).
        const base = sleepJob("web-2");
        const withOutputs = new NomadJob("web-2", {
            job: {
                ...base,
                Datacenters: pulumi.output(["dc1"]),
                TaskGroups: [
                    { ...base.TaskGroups[0], Count: pulumi.output(2), Tasks: [{ ...base.TaskGroups[0].Tasks[0], Env: { IMAGE: pulumi.output("x") } }] },
                ],
            },
            address: pulumi.output("http://100.64.0.1:4646"),
        });
        assert.deepEqual(
            await new Promise((resolve) => withOutputs.urn.apply(() => resolve(registered.find((r) => r.name === "web-2")?.inputs.job.TaskGroups[0].Count))),
            2,
        );
        const variable = new NomadVariable("web-secrets", {
            path: "nomad/jobs/web",
            items: PLANTED_ITEMS,
            address: "http://100.64.0.1:4646",
            token: PLANTED_TOKEN,
        });
        assert.equal(await pulumi.isSecret(job.token), true);
        assert.equal(await pulumi.isSecret(variable.token), true);
        assert.equal(await pulumi.isSecret(variable.items), true);
        assert.equal(await pulumi.isSecret(job.jobId), false);
        await new Promise<void>((resolve) => variable.urn.apply(() => resolve()));
        await new Promise<void>((resolve) => job.urn.apply(() => resolve()));

        const jobReg = registered.find((r) => r.name === "web");
        const varReg = registered.find((r) => r.name === "web-secrets");
        assert.equal(jobReg?.type, "pulumi-nodejs:dynamic/nomad:NomadJob");
        assert.equal(varReg?.type, "pulumi-nodejs:dynamic/nomad:NomadVariable");
        // The serialized provider travels with the inputs; it holds no secret.
        for (const r of [jobReg!, varReg!]) {
            assert.equal(typeof r.inputs.__provider, "string");
            assertClean([r.inputs.__provider]);
        }
    });
});
