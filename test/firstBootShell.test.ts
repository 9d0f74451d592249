// The bootstrap's shell pieces run for real with bash: the vendor-suite probe against a local
// HTTP server standing in for a vendor's apt repository, and the data folders in a temp dir.
import * as assert from "assert";
import { spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";
import { dataFoldersScript } from "../components/dataFolders";
import { vendorSuiteFunction } from "../components/vendorPackages";

const LOG = 'log() { echo "hydra-bootstrap: $*" >&2; }';

function bash(script: string): Promise<{ code: number; stdout: string; stderr: string }> {
    // stdin closed: bash sources the system bashrc when its stdin is a socket (as under a remote shell).
    const child = spawn("bash", ["-euo", "pipefail", "-c", script], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    return new Promise((resolve) => child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr })));
}

describe("first boot, run by bash: the vendor suite probe", () => {
    let server: http.Server;
    let base: string;
    before(async () => {
        // A repository that has the noble suite only, as HashiCorp's had before it published a new LTS.
        server = http.createServer((req, res) => {
            res.statusCode = req.url === "/dists/noble/Release" ? 200 : 404;
            res.end(res.statusCode === 200 ? "Suite: noble\n" : "");
        });
        await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
        base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => server.close());

    const probe = (codename: string, under = "") => bash(`${LOG}\ncodename=${codename}\n${vendorSuiteFunction()}\nvendor_suite HashiCorp ${base}${under}`);

    it("uses this release's suite when the vendor has it, quietly", async () => {
        const r = await probe("noble");
        assert.deepStrictEqual([r.code, r.stdout.trim(), r.stderr], [0, "noble", ""]);
    });

    it("falls back to the previous LTS's suite and says so in the boot log", async () => {
        const r = await probe("resolute");
        assert.strictEqual(r.code, 0, r.stderr);
        assert.strictEqual(r.stdout.trim(), "noble");
        assert.match(r.stderr, /^hydra-bootstrap: HashiCorp has no apt suite for resolute yet: using noble \(the previous LTS\)$/m);
    });

    it("fails, saying why, when neither suite exists", async () => {
        const none = await probe("resolute", "/empty");
        assert.notStrictEqual(none.code, 0);
        assert.match(none.stderr, /HashiCorp has no apt suite for resolute nor for noble/);
        const oldest = await probe("jammy");
        assert.notStrictEqual(oldest.code, 0);
        assert.match(oldest.stderr, /HashiCorp has no apt suite for jammy and no earlier LTS is known/);
    });
});

describe("first boot, run by bash: the data folders", function () {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "hydra-data-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("makes each missing folder with its owner and leaves existing ones alone", async function () {
        if (process.getuid?.() !== 0) {
            // chown needs root; say so rather than pass quietly.
            throw new Error("this test needs root (it chowns the folders it makes)");
        }
        fs.mkdirSync(path.join(dir, "grafana"), { mode: 0o700 });
        const folders = [
            { path: `${dir}/grafana`, owner: "472:0" },
            { path: `${dir}/prometheus/data`, owner: "65534:65534" },
            { path: `${dir}/caddy/public`, owner: "0:0" },
        ];
        const r = await bash(`${LOG}\n${dataFoldersScript(folders, dir)}`);
        assert.strictEqual(r.code, 0, r.stderr);
        const owner = (p: string) => `${fs.statSync(p).uid}:${fs.statSync(p).gid}`;
        assert.strictEqual(owner(`${dir}/prometheus/data`), "65534:65534");
        assert.strictEqual(owner(`${dir}/prometheus`), "0:0", "parents stay root's");
        assert.strictEqual(owner(`${dir}/caddy/public`), "0:0");
        assert.strictEqual(owner(`${dir}/grafana`), "0:0", "an existing folder is left as it is (the own-data task owns it)");
        assert.strictEqual(fs.statSync(`${dir}/grafana`).mode & 0o777, 0o700);
    });

    it("makes none when the volume is not mounted at the data dir, and says so", async () => {
        const r = await bash(`${LOG}\n${dataFoldersScript([{ path: `${dir}/gitea`, owner: "0:0" }], dir, "/dev/disk/by-id/none")}`);
        assert.strictEqual(r.code, 0, r.stderr);
        assert.ok(!fs.existsSync(`${dir}/gitea`));
        assert.match(r.stderr, /is not mounted \(is the volume attached\?\): app data folders NOT made/);
    });
});
