// The restore job's script, run by bash with the real restic on a local repository: it refuses
// before changing anything, and restores in place (keeping what was there) or under a new folder.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { RESTORE_EXIT, renderRestoreScript } from "../apps/restoreScript";
import { Job } from "../nomad";
import { debianTool } from "./support/tools";

describe("the restore script, with the real restic", function () {
    this.timeout(60_000);
    let root: string;
    let env: NodeJS.ProcessEnv;
    let script: string;
    const data = () => path.join(root, "data");
    const app = () => path.join(data(), "app");

    const restore = (meta: Record<string, string>, extra: NodeJS.ProcessEnv = {}) => {
        const metaEnv = Object.fromEntries(Object.entries(meta).map(([k, v]) => [`NOMAD_META_${k}`, v]));
        const r = spawnSync("bash", [script], { env: { ...env, ...metaEnv, ...extra }, encoding: "utf8" });
        return { status: r.status, output: `${r.stdout}${r.stderr}` };
    };
    const tree = (dir: string): string[] =>
        fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? tree(path.join(dir, e.name)).map((f) => `${e.name}/${f}`) : [e.name]));

    before(() => {
        const restic = debianTool("restic");
        debianTool("jq");
        root = fs.mkdtempSync(path.join(os.tmpdir(), "hydra-restore-"));
        fs.mkdirSync(path.join(app(), "sub"), { recursive: true });
        fs.writeFileSync(path.join(app(), "a.txt"), "first\n");
        fs.writeFileSync(path.join(app(), "sub", "b.bin"), Buffer.from([0, 1, 2, 255]));
        fs.mkdirSync(path.join(root, "task"));
        script = path.join(root, "restore.sh");
        fs.writeFileSync(script, renderRestoreScript());
        env = { PATH: process.env.PATH, NOMAD_TASK_DIR: path.join(root, "task"), RESTIC_REPOSITORY: path.join(root, "repo"), RESTIC_PASSWORD: "pw" };
        for (const args of [["init"], ["backup", "--tag", "nomad", app()]]) {
            const r = spawnSync(restic, ["-q", ...args], { env, encoding: "utf8" });
            assert.strictEqual(r.status, 0, r.stderr);
        }
        fs.writeFileSync(path.join(app(), "a.txt"), "changed since\n");
    });

    it("refuses a wrong password, an unknown snapshot and a non-empty target, changing nothing", () => {
        const before = tree(data());
        const wrong = restore({ paths: app(), mode: "restore" }, { RESTIC_PASSWORD: "not-it" });
        assert.strictEqual(wrong.status, RESTORE_EXIT.repository, wrong.output);
        assert.match(wrong.output, /does not open with this password.*wrong password/);
        const unknown = restore({ paths: app(), mode: "restore", snapshot: "deadbeef" });
        assert.strictEqual(unknown.status, RESTORE_EXIT.snapshot, unknown.output);
        const full = restore({ paths: app(), mode: "restore", target: data() });
        assert.strictEqual(full.status, RESTORE_EXIT.target, full.output);
        assert.match(full.output, /is not empty/);
        const none = restore({ paths: path.join(data(), "never-backed-up"), mode: "restore" });
        assert.strictEqual(none.status, RESTORE_EXIT.snapshot, none.output);
        assert.deepStrictEqual(tree(data()), before);
        assert.strictEqual(fs.readFileSync(path.join(app(), "a.txt"), "utf8"), "changed since\n");
    });

    it("checks without changing anything in check mode", () => {
        const r = restore({ paths: app() });
        assert.strictEqual(r.status, 0, r.output);
        assert.match(r.output, /holds .*\/data\/app/);
        assert.strictEqual(fs.readFileSync(path.join(app(), "a.txt"), "utf8"), "changed since\n");
    });

    it("restores under a new folder", () => {
        const target = path.join(root, "elsewhere");
        const r = restore({ paths: app(), mode: "restore", target });
        assert.strictEqual(r.status, 0, r.output);
        const restored = path.join(target, app());
        assert.strictEqual(fs.readFileSync(path.join(restored, "a.txt"), "utf8"), "first\n");
        assert.deepStrictEqual(fs.readFileSync(path.join(restored, "sub", "b.bin")), Buffer.from([0, 1, 2, 255]));
    });

    it("restores in place, byte for byte, keeping what was there beside it", () => {
        const r = restore({ paths: `${app()}\n${path.join(data(), "never-backed-up")}`, mode: "restore" });
        assert.strictEqual(r.status, 0, r.output);
        assert.match(r.output, /never-backed-up.*skipped/);
        assert.strictEqual(fs.readFileSync(path.join(app(), "a.txt"), "utf8"), "first\n");
        assert.deepStrictEqual(fs.readFileSync(path.join(app(), "sub", "b.bin")), Buffer.from([0, 1, 2, 255]));
        const kept = fs.readdirSync(data()).filter((f) => f.startsWith("app.pre-restore-"));
        assert.strictEqual(kept.length, 1);
        assert.strictEqual(fs.readFileSync(path.join(data(), kept[0], "a.txt"), "utf8"), "changed since\n");
    });
});

describe("the restore job", () => {
    it("runs only when dispatched, once, with the script and the restic secrets", async () => {
        const { mockedEstate } = await import("./support/mockedEstate");
        const { fixtureConfig } = await import("./support/estateConfig");
        const run = await mockedEstate(fixtureConfig("full-digitalocean"));
        const jobs = run.ofType("pulumi-nodejs:dynamic/nomad:NomadJob").map((r) => r.inputs.job as Job);
        const job = jobs.find((j) => j.ID === "restic-restore")!;
        assert.ok(job, `jobs: ${jobs.map((j) => j.ID)}`);
        assert.strictEqual(job.Periodic, undefined);
        assert.deepStrictEqual(job.ParameterizedJob, { Payload: "forbidden", MetaRequired: ["paths"], MetaOptional: ["snapshot", "mode", "target"] });
        const group = job.TaskGroups[0];
        assert.deepStrictEqual(group.ReschedulePolicy, { Attempts: 0, Unlimited: false }, "a failed restore is not run again elsewhere");
        const task = group.Tasks.find((t) => t.Name === "restore")!;
        assert.strictEqual(task.Templates!.find((t) => t.DestPath === "local/restic-restore.sh")!.EmbeddedTmpl, renderRestoreScript());
        assert.match(task.Templates!.find((t) => t.DestPath === "secrets/app.env")!.EmbeddedTmpl!, /RESTIC_PASSWORD=.*RESTIC_REPOSITORY=/s);
    });
});
