// The dynamic providers' host Pulumi.yaml points the engine at (provider-host/), and the deferral of
// the SDK's closure serializer it and launch.js use: nothing is lost, only loaded later.
import { strict as assert } from "assert";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as grpc from "@grpc/grpc-js";
import * as YAML from "yaml";

const ROOT = path.resolve(__dirname, "..");

/** Runs `script` in a fresh Node process from the project folder; returns what it printed. */
function node(script: string): string {
    const r = spawnSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
}

/** Which of the two loading the SDK compiled (a deferred module is compiled only when used), then a closure serialized. */
const PROBE = `
    const Module = require("module");
    const compiled = [];
    const compile = Module.prototype._compile;
    Module.prototype._compile = function (content, filename) {
        compiled.push(filename);
        return compile.apply(this, arguments);
    };
    const pulumi = require("@pulumi/pulumi");
    const has = (part) => compiled.some((f) => f.includes(part));
    const loaded = { typescript: has("/typescript/lib/typescript.js"), arborist: has("/@npmcli/arborist/lib/") };
    const answer = { value: 42 };
    pulumi.runtime.serializeFunction(() => answer.value).then((sf) => console.log(JSON.stringify({ loaded, text: sf.text })));`;

describe("provider-host: the engine's dynamic providers' host for this project", function () {
    this.timeout(60_000);

    it("is what Pulumi.yaml declares for pulumi-nodejs, an executable script and its Windows twin", () => {
        const project = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
        const entry = project.plugins.providers.find((p: { name: string }) => p.name === "pulumi-nodejs");
        assert.equal(entry.path, "provider-host");
        const script = path.join(ROOT, entry.path, "pulumi-resource-pulumi-nodejs");
        assert.ok(fs.statSync(script).mode & 0o111, "the script is executable");
        assert.match(fs.readFileSync(`${script}.cmd`, "utf8"), /host\.js/);
    });

    it("serves the SDK's ResourceProvider service over gRPC, as the engine starts it", async () => {
        const child = spawn(path.join(ROOT, "provider-host", "pulumi-resource-pulumi-nodejs"), ["127.0.0.1:1"], { cwd: ROOT });
        try {
            const port = await new Promise<string>((resolve, reject) => {
                let out = "";
                child.stdout.on("data", (d) => {
                    out += d;
                    if (out.includes("\n")) {
                        resolve(out.trim());
                    }
                });
                child.on("exit", (code) => reject(new Error(`the host exited (${code}) before printing its port`)));
            });
            assert.match(port, /^\d+$/);
            const { ResourceProviderClient } = require("@pulumi/pulumi/proto/provider_grpc_pb");
            const { Empty } = require("google-protobuf/google/protobuf/empty_pb");
            const client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
            const version = await new Promise<string>((resolve, reject) =>
                client.getPluginInfo(new Empty(), (err: Error | null, info: { getVersion(): string }) => (err ? reject(err) : resolve(info.getVersion()))),
            );
            client.close();
            assert.equal(version, require("@pulumi/pulumi/package.json").version);
        } finally {
            child.kill();
        }
    });

    it("loads the SDK without TypeScript or Arborist, and serializes a closure exactly as without the deferral", () => {
        const plain = JSON.parse(node(PROBE));
        const deferred = JSON.parse(node('require("./deferSdkModules").deferClosureSerializer();' + PROBE));
        assert.deepEqual(plain.loaded, { typescript: true, arborist: true });
        assert.deepEqual(deferred.loaded, { typescript: false, arborist: false });
        assert.match(plain.text, /exports\.handler/);
        assert.equal(deferred.text, plain.text);
    });
});
