// The dynamic providers' code, serialized once per build (nomad/provider-code.ts): NomadJob and
// NomadVariable register exactly what pulumi.dynamic.Resource would, and a build's texts are only
// used for the compiled modules they were made from.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { NomadJob, NomadVariable, nomadJobProvider, nomadVariableProvider } from "../../nomad";
import { readProviderCode, serializeProvider, writeProviderCode } from "../../nomad/provider-code";
import { runMocked } from "../../render/mockRuntime";

/** What the SDK registers for a dynamic provider (its Resource class is abstract only in its types). */
class SdkDynamic extends pulumi.dynamic.Resource {}

describe("dynamic provider code, serialized once", function () {
    this.timeout(60_000);

    it("NomadJob and NomadVariable register what pulumi.dynamic.Resource registers for their providers", async () => {
        const run = await runMocked(
            () => {
                const address = "http://127.0.0.1:4646";
                new NomadJob("ours", { job: { ID: "j", TaskGroups: [] } as never, address });
                new NomadVariable("ours-var", { path: "nomad/jobs/j", items: { a: "b" }, address });
                new SdkDynamic(nomadJobProvider, "sdk", { job: { ID: "k" }, address }, undefined, "nomad", "NomadJob");
                new SdkDynamic(nomadVariableProvider, "sdk-var", { path: "nomad/jobs/k", address }, undefined, "nomad", "NomadVariable");
            },
            { config: {} },
        );
        const byName = (name: string) => run.resources.find((r) => r.name === name)!;
        for (const [ours, sdk] of [
            ["ours", "sdk"],
            ["ours-var", "sdk-var"],
        ]) {
            assert.equal(byName(ours).type, byName(sdk).type);
            assert.equal(typeof byName(ours).inputs.__provider, "string");
            assert.equal(byName(ours).inputs.__provider, byName(sdk).inputs.__provider, `${ours}: the same provider code`);
            assert.ok(!byName(ours).secretInputs.includes("__provider"));
        }
    });

    it("reads a build's texts back only while the modules they came from are unchanged", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "provider-code-"));
        try {
            fs.writeFileSync(path.join(dir, "job-provider.js"), "// compiled provider\n");
            await writeProviderCode(dir, { job: nomadJobProvider });
            const built = readProviderCode(dir);
            assert.deepEqual(built, { job: await serializeProvider(nomadJobProvider) });
            fs.writeFileSync(path.join(dir, "job-provider.js"), "// compiled provider, edited\n");
            assert.equal(readProviderCode(dir), undefined, "a changed module makes the texts unusable");
            fs.writeFileSync(path.join(dir, "job-provider.js"), "// compiled provider\n");
            assert.ok(readProviderCode(dir), "the same modules again");
            fs.writeFileSync(path.join(dir, "another.js"), "// a new module\n");
            assert.equal(readProviderCode(dir), undefined, "a new module too");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("has no build's texts next to the sources: run from TypeScript, the providers are serialized live", () => {
        assert.equal(readProviderCode(path.resolve(__dirname, "..", "..", "nomad")), undefined);
    });
});
