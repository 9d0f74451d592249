// Changes to a running dev estate: an app that never gets healthy fails `pulumi up` (and a
// rolled-back deployment does too), an app switched off leaves no container and no route,
// and a forced backup saves what a container wrote, which restic restores byte for byte.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { Engine } from "../../dev/engine";
import { STANDIN_TAG } from "../../dev/devImages";
import { Restore, RestoreError } from "../../ops/restore";
import { restoreRequest } from "../../ops/restoreRequest";
import { DEV_STACK } from "../../dev/stack";
import { debianTool, projectTool } from "../support/tools";
import { api, curl, curlUntil, DevEstate, forceBackup, newEstateDir, startDevEstate, stopDevEstate } from "./devEstate";

const ROOT = path.resolve(__dirname, "..", "..");
const TEST_IMAGE = "hydra-test/never-healthy:1.0.0";
const STACK = "fixture";

/**
 * A test-only app, built by the estate's own buildJob and deployed by NomadJob as an app is,
 * with short deadlines (the production jobs keep theirs). Unhealthy, its task runs but never
 * listens, so its HTTP check never passes.
 */
const program = (root: string) => `import * as pulumi from "@pulumi/pulumi";
import { buildJob } from "${root}/components/buildJob";
import { NomadJob, seconds } from "${root}/nomad";

const cfg = new pulumi.Config();
const job = buildJob(
    {
        name: "never-healthy",
        tasks: [{ name: "web", image: "${TEST_IMAGE}", resources: { cpu: 50, memoryMb: 32 } }],
        ports: [{ label: "http", to: 8080 }],
        services: [{ name: "never-healthy-web", port: "http", check: { type: "http", path: "/healthz", intervalSeconds: 1, timeoutSeconds: 1 } }],
    },
    { datacenter: "hydra", namespace: "default", region: "global", serviceProvider: "nomad" },
);
job.Update = { ...job.Update, MinHealthyTime: seconds(2), HealthyDeadline: seconds(15), ProgressDeadline: seconds(30) };
if (!cfg.requireBoolean("healthy")) {
    const task = job.TaskGroups![0].Tasks![0];
    task.Config = { ...task.Config, entrypoint: ["/bin/sleep"], args: ["3600"] };
}
new NomadJob("never-healthy", { job, address: cfg.require("address"), app: "never-healthy", detach: false, deploymentTimeoutSeconds: 90, purgeOnDestroy: true });
`;

describe("integration: changing the dev estate (failed deployments, an app switched off, backup and restore)", function () {
    this.timeout(600_000);
    const dir = newEstateDir("changes");
    let e: DevEstate;
    let fixture: Engine;

    before(async () => {
        e = await startDevEstate(dir);
        e.up();
        const project = path.join(dir, "never-healthy");
        fs.mkdirSync(project);
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(project, "node_modules"));
        fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: never-healthy\nruntime: nodejs\n");
        fs.writeFileSync(path.join(project, "index.ts"), program(ROOT));
        // Type-checked as the repository's own code is (ts-node's defaults lack ES2022's lib).
        fs.writeFileSync(
            path.join(project, "tsconfig.json"),
            JSON.stringify({ extends: path.join(ROOT, "tsconfig.json"), compilerOptions: { types: ["node"] }, include: ["index.ts"] }),
        );
        fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "never-healthy", private: true }));
        fixture = new Engine({
            projectDir: project,
            backendDir: path.join(dir, "fixture-state"),
            configFile: path.join(project, `Pulumi.${STACK}.yaml`),
            toolsBin: path.dirname(projectTool("pulumi")),
            passphrase: "fixture",
        });
        fixture.must(["stack", "init", STACK, "--secrets-provider", "passphrase"], { withConfigFile: false });
        fixture.must(["config", "set", "address", e.address, "--stack", STACK]);
        e.t.docker(["tag", STANDIN_TAG, TEST_IMAGE]);
    });

    after(async () => {
        await stopDevEstate(dir);
        console.log(`      timings (ms): ${JSON.stringify({ ...e?.timings, file: e ? Date.now() - e.startedAt : undefined })}`);
    });

    const upFixture = (healthy: boolean) => {
        fixture.must(["config", "set", "healthy", String(healthy), "--stack", STACK]);
        const start = Date.now();
        const r = fixture.run(["up", "--yes", "--skip-preview", "--stack", STACK]);
        return { ...r, output: `${r.stdout}\n${r.stderr}`, ms: Date.now() - start };
    };

    it("an app whose check never passes fails pulumi up within its deadline, naming the app and Nomad's reason", () => {
        const r = upFixture(false);
        e.timings.neverHealthyUp = r.ms;
        assert.notStrictEqual(r.status, 0, r.output);
        assert.match(
            r.output,
            /NomadJob "never-healthy" \(app "never-healthy"\): deployment \w+ \(job version 0\) failed: Failed due to (unhealthy allocations|progress deadline)/,
        );
        assert.match(r.output, /task "web"/, "the failing task's events are quoted");
        assert.ok(r.ms < 120_000, `failed after ${r.ms} ms`);
    });

    it("after the fix, up succeeds", async () => {
        const r = upFixture(true);
        assert.strictEqual(r.status, 0, r.output);
        const d = await api<{ Status: string; JobVersion: number }>(e.address, "GET", "/v1/job/never-healthy/deployment");
        assert.strictEqual(d.Status, "successful");
    });

    it("a deployment Nomad rolls back is reported as a failure; the next fix succeeds again", async () => {
        const r = upFixture(false);
        e.timings.rolledBackUp = r.ms;
        assert.notStrictEqual(r.status, 0, r.output);
        assert.match(
            r.output,
            /app "never-healthy"\): deployment \w+ \(job version 2\) failed: .*rolling back to job version 1; Nomad rolled the job back to version 1/,
        );
        const job = await api<{ Version: number; TaskGroups: { Tasks: { Config: Record<string, unknown> }[] }[] }>(e.address, "GET", "/v1/job/never-healthy");
        assert.strictEqual(job.TaskGroups[0].Tasks[0].Config.entrypoint, undefined, "Nomad runs the healthy version again");
        const fixed = upFixture(true);
        assert.strictEqual(fixed.status, 0, fixed.output);
        fixture.must(["destroy", "--yes", "--skip-preview", "--stack", STACK]);
    });

    it("turning an app off (hydra:apps.syncthing: false) removes its container and its route", async () => {
        const before = e.curlTargets().find((x) => x.host === "syncthing.hydra.test")!;
        assert.strictEqual(curl(before.line).code, 200);
        const containers = () => e.t.docker(["ps", "--quiet", "--filter", "label=com.hashicorp.nomad.job_name=syncthing"]).trim();
        assert.ok(containers(), "syncthing runs before");
        e.prepare({ "hydra:apps": { syncthing: false } });
        e.up();
        assert.ok(!e.curlTargets().some((x) => x.app === "syncthing"), "no longer in the urls output");
        for (let i = 0; i < 60 && containers(); i++) {
            await new Promise((r) => setTimeout(r, 500));
        }
        assert.strictEqual(containers(), "", "no syncthing container left");
        assert.ok(!(await api<{ ID: string }[]>(e.address, "GET", "/v1/jobs")).some((j) => j.ID === "syncthing"), "job purged");
        const after = await curlUntil(before.line, (r) => r.code !== 200);
        assert.notStrictEqual(after.code, 200, `the route still answers: ${after.body}`);
        assert.ok(!after.body.includes("standin"), after.body);
    });

    it("a forced backup saves what a container wrote to its data folder, and restic restores it byte for byte", async () => {
        const restic = debianTool("restic");
        const [gitea] = e.t.docker(["ps", "--quiet", "--filter", "label=com.hashicorp.nomad.job_name=gitea"]).trim().split("\n");
        assert.ok(gitea, "gitea's container");
        // Written inside the container, into its mounted /data (the host's <dataDir>/gitea).
        const inContainer = e.t.docker(["exec", gitea, "sh", "-c", "head -c 65536 /dev/urandom > /data/canary.bin && sha256sum /data/canary.bin"]);
        const onHost = path.join(e.dataDir, "gitea", "canary.bin");
        const written = fs.readFileSync(onHost);
        assert.strictEqual(inContainer.split(" ")[0], crypto.createHash("sha256").update(written).digest("hex"));

        const status = await forceBackup(e);
        assert.strictEqual(status, "complete", `the backup run ended as ${status || "nothing"}`);

        // The repository and password the job got from its variable, as a person restoring would use them.
        const env = { ...process.env, RESTIC_REPOSITORY: e.resticRepo, RESTIC_PASSWORD: e.secrets["hydra:resticPassword"] };
        const target = path.join(e.dir, "restore");
        const r = spawnSync(restic, ["restore", "latest", "--target", target, "--include", onHost], { env, encoding: "utf8" });
        assert.strictEqual(r.status, 0, r.stderr);
        const restored = fs.readFileSync(path.join(target, onHost));
        assert.ok(restored.equals(written), "restored byte for byte");
        const snaps = JSON.parse(spawnSync(restic, ["snapshots", "--json"], { env, encoding: "utf8" }).stdout) as { tags?: string[]; paths: string[] }[];
        assert.ok(snaps.some((s) => s.tags?.includes("nomad") && s.paths.includes(path.join(e.dataDir, "gitea"))));
        canary = { onHost, written };
    });

    let canary: { onHost: string; written: Buffer } | undefined;
    const restoreLog: string[] = [];
    const restore = (snapshot = "latest") => {
        const request = restoreRequest(e.dir, DEV_STACK, "gitea", snapshot);
        return new Restore({ address: e.address }, (line) => restoreLog.push(line), 300).run(request);
    };
    const giteaContainer = () => e.t.docker(["ps", "--quiet", "--filter", "label=com.hashicorp.nomad.job_name=gitea"]).trim().split("\n")[0];

    it("npm run restore refuses an unknown snapshot without stopping the app or touching its data", async () => {
        assert.ok(canary, "the backup test ran first");
        const before = giteaContainer();
        await assert.rejects(restore("deadbeef"), (err: Error) => {
            assert.ok(err instanceof RestoreError, String(err));
            assert.match(err.message, /restore gitea \(check\): the snapshot is not usable: .*no snapshot deadbeef.*nothing was changed/);
            return true;
        });
        assert.strictEqual(giteaContainer(), before, "the same container still runs");
        assert.ok(fs.readFileSync(canary.onHost).equals(canary.written));
    });

    it("npm run restore brings an app's deleted data back in place, keeps what was there, and starts the app again", async () => {
        assert.ok(canary, "the backup test ran first");
        const { onHost, written } = canary;
        const before = giteaContainer();
        e.t.docker(["exec", before, "rm", "/data/canary.bin"]);
        fs.writeFileSync(path.join(e.dataDir, "gitea", "after-backup.txt"), "written after the backup\n");
        await restore();
        assert.ok(fs.readFileSync(onHost).equals(written), "the canary is back, byte for byte");
        const kept = fs.readdirSync(e.dataDir).filter((f) => f.startsWith("gitea.pre-restore-"));
        assert.strictEqual(kept.length, 1, `the data before the restore is kept: ${fs.readdirSync(e.dataDir)}`);
        assert.ok(fs.existsSync(path.join(e.dataDir, kept[0], "after-backup.txt")));
        // The job is registered again and runs a new container that sees the restored file.
        const deadline = Date.now() + 180_000;
        let after = "";
        while (Date.now() < deadline && (!after || after === before)) {
            await new Promise((r) => setTimeout(r, 2000));
            after = giteaContainer();
        }
        assert.ok(after && after !== before, `a new gitea container runs (log: ${restoreLog.join(" | ")})`);
        const sum = e.t.docker(["exec", after, "sha256sum", "/data/canary.bin"]).split(" ")[0];
        assert.strictEqual(sum, crypto.createHash("sha256").update(written).digest("hex"));
    });
});
