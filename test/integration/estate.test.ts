// The estate end to end on this machine: the whole dev estate (a private Docker daemon, a real
// Nomad dev agent with the docker driver) and the real Pulumi engine. estate-routes and
// estate-changes run on an estate of their own, set up the same way (devEstate.ts).
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { Engine } from "../../dev/engine";
import { DEV_STACK } from "../../dev/stack";
import { Job } from "../../nomad";
import { renderStack } from "../../render/renderStack";
import { previewWithPolicyPack } from "../policy/cli";
import { ESTATE_JOBS, ESTATE_JOBS_WITH_SECRETS } from "../support/estateJobs";
import { projectTool, run } from "../support/tools";
import { api, DevEstate, newEstateDir, startDevEstate, stopDevEstate } from "./devEstate";

const ROOT = path.resolve(__dirname, "..", "..");
const EXPECTED_JOBS = ESTATE_JOBS;
// The proxy has none: with Caddy's internal CA (the dev stack's proxy.tls) it needs no token.
const EXPECTED_VARIABLES = ESTATE_JOBS_WITH_SECRETS.map((j) => `nomad/jobs/${j}`);

/** The steps of a `pulumi preview --json` that change something. */
function changes(previewJson: string): { op: string; urn: string }[] {
    const steps = (JSON.parse(previewJson).steps ?? []) as { op: string; urn: string }[];
    return steps.filter((s) => s.op !== "same");
}

describe("integration: the dev estate on a real Nomad with the real engine", function () {
    this.timeout(600_000);
    const dir = newEstateDir("estate");
    let e: DevEstate;
    let address: string;
    let engine: Engine;
    let secrets: Record<string, string>;
    const timings: Record<string, number> = {};
    const timed = <T>(name: string, f: () => T): T => {
        const start = Date.now();
        try {
            return f();
        } finally {
            timings[name] = Date.now() - start;
        }
    };
    const prepare = (extraConfig?: Record<string, unknown>) => e.prepare(extraConfig);

    before(async () => {
        e = await startDevEstate(dir);
        ({ address, engine, secrets } = e);
        Object.assign(timings, e.timings);
    });

    after(async () => {
        await stopDevEstate(dir);
        if (e) {
            timings.file = Date.now() - e.startedAt;
        }
        if (Object.keys(timings).length) {
            console.log(`      timings (ms): ${JSON.stringify(timings)}`);
        }
    });

    it("leaves the committed Pulumi.dev.yaml untouched while creating the stack", () => {
        const committed = fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8");
        assert.ok(!committed.includes("encryptionsalt"));
        // Every app secret, set with --secret; no Cloudflare token, since the proxies use Caddy's internal CA.
        const keys = ["giteaSecretKey", "giteaInternalToken", "giteaLfsJwtSecret", "giteaOauth2JwtSecret", "shynetDbPassword", "shynetDjangoSecretKey"];
        keys.push(
            "giteaMetricsToken",
            "grafanaAdminPassword",
            "piholeWebPassword",
            "syncthingGuiUser",
            "syncthingGuiPassword",
            "resticPassword",
            "resticRepository",
        );
        assert.deepStrictEqual(Object.keys(secrets).sort(), keys.map((k) => `hydra:${k}`).sort());
        assert.match(fs.readFileSync(engine.o.configFile, "utf8"), /secure: v1:/);
    });

    it("pulumi up creates every job and variable", async () => {
        timed("up", () => e.up());
        const jobs = await api<{ ID: string }[]>(address, "GET", "/v1/jobs");
        for (const id of EXPECTED_JOBS) {
            assert.ok(
                jobs.some((j) => j.ID === id),
                `job ${id} missing`,
            );
        }
        const vars = await api<{ Path: string }[]>(address, "GET", "/v1/vars?prefix=nomad/jobs");
        assert.deepStrictEqual(vars.map((v) => v.Path).sort(), EXPECTED_VARIABLES);
        const gitea = await api<{ Items: Record<string, string> }>(address, "GET", "/v1/var/nomad/jobs/gitea");
        assert.strictEqual(gitea.Items.secret_key, secrets["hydra:giteaSecretKey"], "the variable holds the configured secret");
    });

    it("no job Nomad returns, and nothing in the state file, contains a secret value", async () => {
        const values = Object.values(secrets).filter((v) => v.length >= 8);
        for (const id of EXPECTED_JOBS) {
            const text = JSON.stringify(await api<Job>(address, "GET", `/v1/job/${id}`));
            for (const v of values) {
                assert.ok(!text.includes(v), `job ${id} contains a secret`);
            }
        }
        const stateFiles = fs
            .readdirSync(path.join(e.dir, "state"), { recursive: true, withFileTypes: true })
            .filter((e) => e.isFile() && e.name.endsWith(".json"));
        assert.ok(stateFiles.length > 0);
        for (const f of stateFiles) {
            const text = fs.readFileSync(path.join(f.parentPath ?? (f as any).path, f.name), "utf8");
            for (const v of values) {
                assert.ok(!text.includes(v), `${f.name} contains a secret in plain text`);
            }
        }
    });

    it("pulumi preview --expect-no-changes passes straight after up", () => {
        timed("preview", () => engine.must(["preview", "--expect-no-changes", "--stack", DEV_STACK]));
    });

    it("pulumi preview --policy-pack policy passes on the dev stack, and a variant without backups fails with the policy's message", async () => {
        const preview = () =>
            previewWithPolicyPack({
                cwd: ROOT,
                env: engine.env,
                pulumi: path.join(engine.o.toolsBin, "pulumi"),
                stack: DEV_STACK,
                args: ["--config-file", engine.o.configFile],
            });
        const ok = await preview();
        assert.ok(ok.loaded, ok.stderr.slice(-2000));
        assert.strictEqual(ok.code, 0, `${ok.stdout.slice(-3000)}\n${ok.stderr}`);
        assert.deepStrictEqual(
            ok.violations.filter((v) => v.enforcementLevel === "mandatory"),
            [],
        );
        prepare({ "hydra:apps": { backup: false } });
        try {
            const bad = await preview();
            assert.notStrictEqual(bad.code, 0);
            const v = bad.violations.find((x) => x.policy === "backups-cover-declared-paths");
            assert.ok(v, JSON.stringify(bad.violations));
            assert.strictEqual(v.enforcementLevel, "mandatory");
            assert.match(v.message, /gitea/);
        } finally {
            prepare();
        }
    });

    it("changing one app's config previews exactly one update, with Nomad's plan", () => {
        prepare({ "hydra:apps": { doggo: { image: "ghcr.io/mr-karan/doggo-api:v0.3.6" } } });
        try {
            const out = engine.must(["preview", "--json", "--stack", DEV_STACK]);
            const changed = changes(out);
            assert.deepStrictEqual(
                changed.map((s) => s.op),
                ["update"],
                JSON.stringify(changed),
            );
            assert.match(changed[0].urn, /NomadJob::doggo-job$/);
            assert.match(out, /Nomad plan for \\"doggo\\"/, "the preview carries the scheduler's plan");
        } finally {
            prepare();
        }
    });

    it("a job stopped by hand shows up as drift on refresh, and the next up restores it", async () => {
        await api(address, "DELETE", "/v1/job/doggo");
        assert.strictEqual((await api<Job>(address, "GET", "/v1/job/doggo")).Stop, true);
        engine.must(["refresh", "--yes", "--skip-preview", "--stack", DEV_STACK]);
        const changed = changes(engine.must(["preview", "--json", "--stack", DEV_STACK]));
        assert.deepStrictEqual(
            changed.map((s) => `${s.op} ${s.urn.split("::").pop()}`),
            ["update doggo-job"],
        );
        engine.must(["up", "--yes", "--skip-preview", "--stack", DEV_STACK]);
        assert.strictEqual((await api<Job>(address, "GET", "/v1/job/doggo")).Stop, false, "restored");
        engine.must(["preview", "--expect-no-changes", "--stack", DEV_STACK]);
    });

    it("every job the program renders passes Nomad's validate endpoint, and the agent config passes nomad config validate", async () => {
        const renderings = [await renderStack({ projectDir: ROOT, stack: "hydra" }), await renderStack({ projectDir: ROOT, stack: "dev" })];
        let count = 0;
        for (const r of renderings) {
            for (const [file, text] of r.files) {
                if (!file.startsWith("jobs/")) {
                    continue;
                }
                const reply = await api<{ ValidationErrors: string[] | null; Error: string }>(address, "PUT", "/v1/validate/job", JSON.parse(text));
                assert.deepStrictEqual(reply.ValidationErrors ?? [], [], `${file}: ${reply.Error}`);
                count++;
            }
        }
        assert.ok(count >= 20, `validated ${count} jobs`);
        const hcl = path.join(e.dir, "nomad.hcl");
        fs.writeFileSync(hcl, renderings[0].files.get("node/nomad.hcl")!);
        const v = run(projectTool("nomad"), ["config", "validate", hcl]);
        assert.strictEqual(v.status, 0, v.output);
        assert.match(v.output, /Configuration is valid/);
    });

    it("pulumi destroy leaves no job and no variable", async () => {
        timed("destroy", () => engine.must(["destroy", "--yes", "--skip-preview", "--stack", DEV_STACK]));
        const jobs = await api<{ ID: string }[]>(address, "GET", "/v1/jobs");
        assert.deepStrictEqual(
            jobs.filter((j) => EXPECTED_JOBS.includes(j.ID.split("/")[0])).map((j) => j.ID),
            [],
        );
        assert.deepStrictEqual(await api<unknown[]>(address, "GET", "/v1/vars?prefix=nomad/jobs"), []);
    });

    // Last: the suite expects an agent with nothing else on it.
    it("the NomadJob/NomadVariable suite passes against this agent", () => {
        const r = run(
            path.join(ROOT, "node_modules", ".bin", "mocha"),
            [
                "--no-config",
                "--require",
                "ts-node/register/transpile-only",
                "--extension",
                "ts",
                "--timeout",
                "120000",
                path.join(ROOT, "test", "nomad", "*.test.ts"),
            ],
            { cwd: ROOT, env: { NOMAD_ADDR: address } },
        );
        assert.strictEqual(r.status, 0, r.output.slice(-4000));
        const passing = Number(/(\d+) passing/.exec(r.output)?.[1] ?? 0);
        assert.ok(passing >= 30, `only ${passing} passing against the real agent`);
        assert.ok(!/failing/.test(r.output));
    });
});
