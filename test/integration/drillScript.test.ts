// The weekly restore drill's script, run by bash with the real restic: it passes on a good
// snapshot and fails, with its metric at 0, on each thing it is there to catch.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { renderDrillScript } from "../../apps/drillScript";
import { debianTool } from "../support/tools";

describe("the restore drill script, with the real restic", function () {
    this.timeout(60_000);
    let root: string;
    let env: NodeJS.ProcessEnv;
    const canary = () => path.join(root, "data", ".hydra-canary");
    const file = (n: number) => path.join(root, "data", "app", `f${n}`);
    const metric = () => fs.readFileSync(path.join(root, "metrics", "hydra_restore_drill.prom"), "utf8");

    const drill = (maxAgeHours = 48, hosts: { host?: string; otherHosts?: string[] } = {}) => {
        const script = path.join(root, `drill-${maxAgeHours}.sh`);
        fs.writeFileSync(script, renderDrillScript({ canary: canary(), maxAgeHours, sample: 50, metricsDir: path.join(root, "metrics"), ...hosts }));
        const r = spawnSync("bash", [script], { env, encoding: "utf8" });
        return { status: r.status, output: `${r.stdout}${r.stderr}` };
    };

    let restic = "";
    before(() => {
        restic = debianTool("restic");
        debianTool("jq");
        root = fs.mkdtempSync(path.join(os.tmpdir(), "hydra-drill-"));
        fs.mkdirSync(path.join(root, "data", "app"), { recursive: true });
        for (let i = 1; i <= 4; i++) {
            fs.writeFileSync(file(i), `file ${i} `.repeat(100));
        }
        fs.writeFileSync(canary(), "canary 1\n");
        env = { PATH: process.env.PATH, RESTIC_REPOSITORY: path.join(root, "repo"), RESTIC_PASSWORD: "pw" };
        for (const args of [["init"], ["backup", "--tag", "nomad", path.join(root, "data", "app"), canary()]]) {
            const r = spawnSync(restic, ["-q", ...args], { env, encoding: "utf8" });
            assert.strictEqual(r.status, 0, r.stderr);
        }
    });

    it("passes on a fresh snapshot, comparing the canary and the unchanged files", () => {
        fs.appendFileSync(file(4), "changed since the backup");
        const r = drill();
        assert.strictEqual(r.status, 0, r.output);
        assert.match(r.output, /restored the canary and 3 unchanged files, byte for byte/);
        assert.strictEqual(metric(), "hydra_restore_drill_success 1\n");
    });

    it("fails when a restored file differs from an original that looks unchanged (same size and time)", () => {
        const stat = fs.statSync(file(2));
        fs.writeFileSync(file(2), fs.readFileSync(file(2), "utf8").replace("file 2", "FILE 2"));
        fs.utimesSync(file(2), stat.atime, stat.mtime);
        const r = drill();
        assert.strictEqual(r.status, 1, r.output);
        assert.match(r.output, /drill FAILED: .*f2 restored from snapshot \w+ differs from the original/);
        assert.strictEqual(metric(), "hydra_restore_drill_success 0\n");
        fs.writeFileSync(file(2), `file 2 `.repeat(100));
        fs.utimesSync(file(2), stat.atime, stat.mtime);
    });

    it("fails when the canary the last backup wrote is not in the snapshot", () => {
        fs.writeFileSync(canary(), "canary 2\n");
        const r = drill();
        assert.strictEqual(r.status, 1, r.output);
        assert.match(r.output, /the canary in snapshot \w+ differs/);
        fs.writeFileSync(canary(), "canary 1\n");
    });

    it("fails when the latest snapshot is too old", () => {
        const r = drill(0);
        assert.strictEqual(r.status, 1, r.output);
        assert.match(r.output, /the latest snapshot \w+ is 0 hours old \(at most 0\)/);
    });

    it("with more than one node, checks each other node's latest snapshot too: fresh, and a sample restored with --verify", () => {
        // Another node's files, saved as its own restic host; its originals are elsewhere, so only restic's hashes judge them.
        const other = path.join(root, "other");
        fs.mkdirSync(other);
        fs.writeFileSync(path.join(other, "a"), "on the other node\n");
        fs.writeFileSync(path.join(other, "b"), "and another file\n");
        const b = spawnSync(restic, ["-q", "backup", "--tag", "nomad", "--host", "dev3", other], { env, encoding: "utf8" });
        assert.strictEqual(b.status, 0, b.stderr);
        const hosts = { host: os.hostname(), otherHosts: ["dev3"] };
        const r = drill(48, hosts);
        assert.strictEqual(r.status, 0, r.output);
        assert.match(r.output, /restored the canary and \d+ unchanged files, byte for byte/);
        assert.match(r.output, /drill: snapshot \w+ of dev3 \(0 h old\) restored 2 files, verified against the snapshot/);
        assert.strictEqual(metric(), "hydra_restore_drill_success 1\n");
        const missing = drill(48, { ...hosts, otherHosts: ["dev3", "dev9"] });
        assert.strictEqual(missing.status, 1, missing.output);
        assert.match(missing.output, /drill FAILED: the repository has no snapshot of dev9/);
        assert.strictEqual(metric(), "hydra_restore_drill_success 0\n");
        // The cases after this one drill the newest snapshot of any host: dev3's goes.
        const ids = (JSON.parse(spawnSync(restic, ["snapshots", "--json", "--host", "dev3"], { env, encoding: "utf8" }).stdout) as { id: string }[]).map(
            (x) => x.id,
        );
        assert.strictEqual(spawnSync(restic, ["-q", "forget", ...ids], { env, encoding: "utf8" }).status, 0);
    });

    it("fails, with its metric at 0, when the repository's packs are damaged (no cache holds their trees here)", () => {
        assert.strictEqual(drill().status, 0, "passes before the damage");
        assert.strictEqual(metric(), "hydra_restore_drill_success 1\n");
        const packs = path.join(root, "repo", "data");
        for (const sub of fs.readdirSync(packs)) {
            for (const f of fs.readdirSync(path.join(packs, sub))) {
                const p = path.join(packs, sub, f);
                fs.chmodSync(p, 0o600);
                fs.writeFileSync(p, crypto.randomBytes(fs.statSync(p).size));
            }
        }
        const r = drill();
        assert.strictEqual(r.status, 1, r.output);
        assert.match(r.output, /drill FAILED: /);
        assert.strictEqual(metric(), "hydra_restore_drill_success 0\n");
    });
});
