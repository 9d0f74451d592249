// NomadJob and NomadVariable for operators coming from Terraform's nomad_job: adopting what runs,
// preserveCounts, deregisterOnDestroy, the Submission, typed HCL2 variables, outputs and lookups,
// against the fake (or NOMAD_ADDR). test/integration/nomad-operators.test.ts runs the same cases
// against a real agent it starts.
import { strict as assert } from "assert";
import { hcl2VariableProblems, hclLiteral, variableFlags, varFile } from "../../nomad/hcl2-variables";
import { nomadJobProvider } from "../../nomad/job-provider";
import { MiniEngine } from "../../testkit/engine";
import { FakeNomad } from "../../testkit/fake-nomad";
import { adoptCases } from "./adopt-cases";
import { Target, deleteVars, purgeJobs, startTarget } from "./helpers";
import { operatorCases, typedJobspec } from "./operator-cases";

describe(`NomadJob / NomadVariable for operators, against ${process.env.NOMAD_ADDR ? "a real Nomad" : "the fake Nomad"}`, function () {
    this.timeout(120_000);
    let target: Target;
    const cleanup = { jobs: [] as string[], paths: [] as string[] };

    before(async () => {
        target = await startTarget();
    });
    after(async () => {
        await purgeJobs(target, cleanup.jobs);
        await deleteVars(target, cleanup.paths);
        await target.stop();
    });

    describe("adopt", () => adoptCases(() => target, cleanup));
    describe("nomad_job conventions", () => operatorCases(() => target, cleanup));
});

describe("NomadJob parses in the job's namespace", () => {
    // Against the fake, which records each request's query (where ACLs look for parse-job).
    it("sends ?namespace= with every parse of a jobspec", async () => {
        const fake = new FakeNomad({ namespaces: ["default", "apps"] });
        await fake.start();
        try {
            await new MiniEngine(nomadJobProvider).up({
                jobspec: typedJobspec("ns-parse"),
                hcl2Variables: { n: 1, args: ["3600"], greeting: "hi" },
                namespace: "apps",
                address: fake.address,
            });
            const parses = fake.requests.filter((r) => r.path === "/v1/jobs/parse");
            assert.ok(parses.length >= 1);
            assert.deepEqual(
                parses.map((r) => r.query.namespace),
                parses.map(() => "apps"),
            );
            assert.ok(fake.storedJob("ns-parse", "apps"));
        } finally {
            await fake.stop();
        }
    });
});

describe("HCL2 variables of any type", () => {
    it("writes each value as an HCL literal, escaping templates, and as -var flags", () => {
        const vars = { s: 'a "${b}" %{c}', n: 3, f: 1.5, b: false, z: null, l: ["x", 2], m: { "a.b": [true], k: "v" } };
        assert.equal(
            varFile(vars),
            ["b = false", "f = 1.5", 'l = ["x", 2]', 'm = { "a.b" = [true], "k" = "v" }', "n = 3", 's = "a \\"$${b}\\" %%{c}"', "z = null"].join("\n"),
        );
        assert.deepEqual(variableFlags(vars), {
            b: "false",
            f: "1.5",
            l: '["x", 2]',
            m: '{ "a.b" = [true], "k" = "v" }',
            n: "3",
            s: 'a "${b}" %{c}',
            z: "null",
        });
        assert.equal(hclLiteral({}), "{}");
    });

    it("names every variable HCL cannot take: bad names and values with no literal", () => {
        assert.deepEqual(
            hcl2VariableProblems({ ok: [1, { a: "b" }], "bad name": "x", inf: Infinity, deep: { list: [NaN] }, f: (() => 1) as never }, "UNKNOWN"),
            [
                '"bad name" is not a valid HCL variable name',
                "inf is Infinity, which HCL cannot write",
                "deep.list[0] is NaN, which HCL cannot write",
                "f is a function; use a string, number, bool, list, map or null",
            ],
        );
    });
});
