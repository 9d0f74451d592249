// scripts/tools.sh on a build that cannot succeed: the message a newcomer sees.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { run } from "./support/tools";

const ROOT = path.resolve(__dirname, "..");

describe("scripts/tools.sh: a failed build", function () {
    this.timeout(120_000);

    it("names the tool, shows the end of Go's error, and says how to retry", () => {
        // A copy of the script pinned to a Caddy release that does not exist.
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hydra-tools-"));
        fs.mkdirSync(path.join(dir, "scripts"));
        fs.copyFileSync(path.join(ROOT, "scripts", "tools.sh"), path.join(dir, "scripts", "tools.sh"));
        const versions = fs.readFileSync(path.join(ROOT, "scripts", "tool-versions.env"), "utf8").replace(/^CADDY_VERSION=.*$/m, "CADDY_VERSION=2.99.1");
        fs.writeFileSync(path.join(dir, "scripts", "tool-versions.env"), versions);
        const r = run("bash", [path.join(dir, "scripts", "tools.sh"), "caddy"], {
            env: { HYDRA_TOOLS_CACHE: path.join(dir, "cache"), PATH: process.env.PATH },
        });
        assert.strictEqual(r.status, 1, r.output);
        assert.match(r.output, /caddy: build FAILED after \dm\d\ds; last lines of .*build\.log:/);
        assert.match(r.output, /github\.com\/caddyserver\/caddy\/v2@v2\.99\.1/, "Go's own error is shown");
        assert.match(r.output, /caddy: fix the cause above, then retry with: scripts\/tools\.sh caddy/);
        assert.ok(fs.existsSync(path.join(dir, "cache")) && !fs.existsSync(path.join(dir, "cache", "caddy-2.99.1")), "nothing half-built is cached");
        fs.rmSync(dir, { recursive: true, force: true });
    });
});
