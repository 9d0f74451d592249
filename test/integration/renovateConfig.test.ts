// renovate.json checked by Renovate's own validator (pinned in scripts/tool-versions.env, installed
// by scripts/setup.sh before the tests start), with a broken copy as the negative control.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { run } from "../support/tools";

const ROOT = path.resolve(__dirname, "..", "..");
const SCRIPT = path.join(ROOT, "scripts", "renovate.sh");

describe("renovate.json, by Renovate's validator", function () {
    this.timeout(600_000);

    it("is valid, strictly (no option Renovate would migrate)", () => {
        const r = run(SCRIPT, ["validate"]);
        assert.strictEqual(r.status, 0, r.output);
        assert.match(r.output, /Config validated successfully/);
    });

    it("refuses a misspelt option, naming it (the check can fail)", () => {
        const config = JSON.parse(fs.readFileSync(path.join(ROOT, "renovate.json"), "utf8"));
        config.packageRules[0].matchPackageNamez = config.packageRules[0].matchPackageNames;
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "hydra-renovate-")), "renovate.json");
        fs.writeFileSync(file, JSON.stringify(config));
        const r = run(SCRIPT, ["validate", file]);
        assert.notStrictEqual(r.status, 0, r.output);
        assert.match(r.output, /Invalid configuration option: packageRules\[0\]\.matchPackageNamez/);
    });
});
