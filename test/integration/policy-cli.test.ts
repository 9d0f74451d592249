import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { spawnSync } from "child_process";
import { previewWithPolicyPack } from "../policy/cli";
import { projectTool } from "../support/tools";

const REPO = path.resolve(__dirname, "..", "..");

/** A throwaway project: dynamic resources typed like Hydra's Nomad resources, doing nothing. */
const PROGRAM = `import * as pulumi from "@pulumi/pulumi";
const provider: pulumi.dynamic.ResourceProvider = { async create(inputs: any) { return { id: "x", outs: inputs }; } };
class Fake extends pulumi.dynamic.Resource {
    constructor(type: string, name: string, props: any) { super(provider, name, props, {}, "nomad", type); }
}
new Fake("NomadVariable", "app-secrets", { path: "nomad/jobs/app", items: pulumi.secret({ api_token: "planted-token-0123456789" }) });
new Fake("NomadJob", "app", { job: { ID: "app", TaskGroups: [{ Name: "g", Tasks: [{ Name: "web", Driver: "docker",
    Config: { image: "nginx:latest" }, Env: { UPSTREAM: "https://api.example.net/?t=planted-token-0123456789" }, Resources: { CPU: 100, MemoryMB: 64 } }] }] } });
new Fake("NomadJob", "fine", { job: { ID: "fine", TaskGroups: [{ Name: "g", Tasks: [{ Name: "web", Driver: "docker",
    Config: { image: "nginx:1.27.2" }, Resources: { CPU: 100, MemoryMB: 64 } }] }] } });
`;

describe("policy pack under the real Pulumi CLI", function () {
    this.timeout(300_000);
    let root: string | undefined;
    let project: string;
    let env: NodeJS.ProcessEnv;

    before(function () {
        // The project's CLI, built by scripts/tools.sh when missing (never skipped).
        for (const tool of ["pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs"]) {
            projectTool(tool);
        }
        const TOOLS = path.dirname(projectTool("pulumi"));
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hydra-policy-cli-"));
        root = dir;
        project = path.join(dir, "project");
        fs.mkdirSync(project);
        fs.mkdirSync(path.join(dir, "state"));
        fs.symlinkSync(path.join(REPO, "node_modules"), path.join(project, "node_modules"));
        fs.writeFileSync(path.join(project, "Pulumi.yaml"), "name: policy-check\nruntime: nodejs\n");
        fs.writeFileSync(path.join(project, "index.ts"), PROGRAM);
        env = {
            PATH: `${TOOLS}${path.delimiter}${process.env.PATH}`,
            PULUMI_BACKEND_URL: `file://${path.join(dir, "state")}`,
            PULUMI_CONFIG_PASSPHRASE: "x",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_HOME: path.join(dir, "home"),
        };
        const init = spawnSync("pulumi", ["stack", "init", "dev", "--non-interactive"], { cwd: project, env: { ...process.env, ...env }, encoding: "utf8" });
        assert.strictEqual(init.status, 0, init.stderr);
    });
    after(() => {
        if (root) {
            fs.rmSync(root, { recursive: true, force: true });
        }
    });

    it("loads the pack and fails the preview on the mandatory violations, naming resource and rule", async () => {
        const r = await previewWithPolicyPack({ cwd: project, env });
        assert.ok(r.loaded, `the pack did not load:\n${r.stdout.slice(-2000)}\n${r.stderr}`);
        assert.notStrictEqual(r.code, 0);
        const found = r.violations.map((v) => `${v.policy} ${v.enforcementLevel} ${v.urn.split("::").pop()}: ${v.message}`).sort();
        assert.strictEqual(found.length, 2, found.join("\n"));
        assert.match(
            found[0],
            /^images-pinned mandatory app: Nomad job "app" \(NomadJob "app"\) group "g" task "web" image "nginx:latest" uses the "latest" tag/,
        );
        assert.match(
            found[1],
            /^no-secret-values-in-jobs mandatory app: .*contains the value of Nomad Variable "nomad\/jobs\/app" item "api_token" at job\.TaskGroups\[0\]\.Tasks\[0\]\.Env\.UPSTREAM/,
        );
        for (const v of r.violations) {
            assert.ok(!v.message.includes("planted-token"), v.message);
        }
    });
});
