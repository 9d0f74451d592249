import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { APPS } from "../apps";
import { allSecretDeclarations } from "../config";
import { generatedFiles } from "../render/declarationFiles";

const ROOT = path.resolve(__dirname, "..");

describe("declarations: Pulumi.yaml and the README follow from config/ and apps/", () => {
    it("are up to date (run npm run declarations after changing a declaration)", () => {
        for (const [file, want] of generatedFiles(ROOT, APPS, allSecretDeclarations(APPS))) {
            assert.ok(fs.readFileSync(path.join(ROOT, file), "utf8") === want, `${file} is stale: run npm run declarations`);
        }
    });

    it("declare every secret of every app, once", () => {
        const keys = allSecretDeclarations(APPS).map((d) => d.key);
        assert.strictEqual(new Set(keys).size, keys.length);
        for (const app of APPS) {
            for (const d of app.secrets ?? []) {
                assert.ok(keys.includes(d.key), `${app.name}: ${d.key}`);
            }
        }
        const yaml = fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8");
        for (const key of keys) {
            assert.match(yaml, new RegExp(`^  ${key}:$`, "m"));
        }
    });
});
