// The dynamic providers' code, serialized once per build (nomad/provider-code.ts): NomadJob and
// NomadVariable register what pulumi.dynamic.Resource would, compressed (the same module once
// inflated), and a build's texts are only used for the compiled modules they were made from.
import { strict as assert } from "assert";
import * as fs from "fs";
import Module from "module";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { NomadJob, NomadVariable, nomadJobProvider, nomadVariableProvider } from "../../nomad";
import { packProvider, providerText, readProviderCode, unpackProvider, writeProviderCode } from "../../nomad/provider-code";
import { runMocked } from "../../render/mockRuntime";

/** What the SDK registers for a dynamic provider (its Resource class is abstract only in its types). */
class SdkDynamic extends pulumi.dynamic.Resource {}

describe("dynamic provider code, serialized once", function () {
    this.timeout(60_000);

    it("NomadJob and NomadVariable register, compressed, what pulumi.dynamic.Resource registers for their providers", async () => {
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
            const text = byName(ours).inputs.__provider as string;
            const sdkText = byName(sdk).inputs.__provider as string;
            assert.equal(unpackProvider(text), sdkText, `${ours}: the same module once inflated`);
            assert.ok(text.length * 4 < sdkText.length, `${ours}: ${text.length} characters stored for ${sdkText.length}`);
            assert.ok(!byName(ours).secretInputs.includes("__provider"));
        }
    });

    it("reads a build's texts back only while the modules they came from are unchanged", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "provider-code-"));
        try {
            fs.writeFileSync(path.join(dir, "job-provider.js"), "// compiled provider\n");
            await writeProviderCode(dir, { job: ["NomadJob", nomadJobProvider] });
            const built = readProviderCode(dir);
            assert.deepEqual(built, { job: await providerText("NomadJob", nomadJobProvider) });
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

    it("packs a module into one that runs it in its own place, with nothing but Node's zlib", () => {
        const serialized = 'exports.handler = __f0;\nfunction __f0() { return { kind: "probe", dir: typeof __dirname, text: "\\u00e9 \u00e9 ${x}" }; }\n';
        const packed = packProvider("Probe", serialized);
        assert.equal(packProvider("Probe", serialized), packed, "the same text packs to the same bytes");
        assert.match(packed, /^\/\/ Hydra's Probe dynamic provider: the module pulumi\.runtime\.serializeFunction made \(\d+ characters\)/);
        assert.deepEqual(packed.match(/require\("[^"]*"\)/g), ['require("zlib")']);
        assert.equal(unpackProvider(packed), serialized);
        assert.equal(unpackProvider(serialized), serialized, "a text that is not packed is itself");
        // As the dynamic-provider host loads it: a module compiled from the text.
        const file = path.join(os.tmpdir(), "probe.js");
        const m = new Module(file) as Module & { _compile(text: string, file: string): void };
        m._compile(packed, file);
        assert.deepEqual(m.exports.handler(), { kind: "probe", dir: "string", text: "\u00e9 \u00e9 ${x}" });
    });

    it("has no build's texts next to the sources: run from TypeScript, the providers are serialized live", () => {
        assert.equal(readProviderCode(path.resolve(__dirname, "..", "..", "nomad")), undefined);
    });
});
