/**
 * Nomad's ACLs as part of the estate, on a real Nomad 1.6 dev agent with ACLs and mTLS on, with
 * the real Pulumi engine: `pulumi up` with the bootstrap token (from NOMAD_TOKEN, the certificates
 * from NOMAD_CACERT / NOMAD_CLIENT_CERT / NOMAD_CLIENT_KEY) makes the namespace, the deployer's and
 * the read-only operator's policies and tokens; a token without the deployer policy is refused;
 * no token, key or secret is in the state or the engine's output in plain text.
 */
import { strict as assert } from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startAgent, stopAgent } from "../../dev/agent";
import { Engine } from "../../dev/engine";
import { NomadAclClient } from "../../nomad/acl-client";
import { NomadClient, NomadError } from "../../nomad/client";
import type { NomadTls } from "../../nomad/transport";
import { ACL_NAMES, deployerPolicy, operatorReadOnlyPolicy } from "../../components/nomadAclPolicies";
import { rejection, sleepJob, uniqueId } from "../nomad/helpers";
import { Certificates, freePorts, makeCertificates } from "../support/nomadAgent";
import { projectTool } from "../support/tools";

const ROOT = path.resolve(__dirname, "..", "..");

describe("Nomad ACLs as part of the estate (real agent with ACLs and mTLS, real Pulumi engine)", function () {
    this.timeout(600_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hydra-nomad-acl-"));
    const bootstrapToken = crypto.randomUUID();
    const password = `pw-${crypto.randomBytes(12).toString("hex")}`;
    const namespace = "hydra-acl-test";
    const jobId = uniqueId("acl");
    let certs: Certificates;
    let address: string;
    let tls: NomadTls;
    let engine: Engine;
    const outputs: string[] = [];
    let tokens: { operatorToken: string; deployerToken: string };

    const client = (token: string | undefined) => new NomadClient({ address, token, tls, retryTimeoutSeconds: 5, initialBackoffMs: 100, namespace });
    const acl = (token: string) => new NomadAclClient({ address, token, tls, retryTimeoutSeconds: 5 });
    const pulumi = (args: string[], input?: string) => {
        const r = engine.run(args, { input });
        outputs.push(r.stdout, r.stderr);
        return r;
    };

    before(async () => {
        const nomad = projectTool("nomad");
        certs = makeCertificates(nomad, path.join(dir, "tls"));
        address = (await startAgent({ dir: path.join(dir, "agent"), nomad, httpPort: await freePorts(), tls: certs.agent, aclBootstrapToken: bootstrapToken }))
            .address;
        tls = {
            caCert: fs.readFileSync(certs.agent.caFile, "utf8"),
            clientCert: fs.readFileSync(certs.cli.certFile, "utf8"),
            clientKey: fs.readFileSync(certs.cli.keyFile, "utf8"),
        };

        // A project around test/fixtures/nomad-access/program.ts, sharing this repository's node_modules.
        const project = path.join(dir, "project");
        fs.mkdirSync(project);
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(project, "node_modules"));
        fs.writeFileSync(path.join(project, "package.json"), '{ "name": "nomad-access", "private": true }\n');
        fs.writeFileSync(
            path.join(project, "Pulumi.yaml"),
            "name: nomad-access\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n",
        );
        fs.writeFileSync(
            path.join(project, "index.js"),
            `require(${JSON.stringify(path.join(ROOT, "node_modules", "ts-node"))}).register({ transpileOnly: true, project: ${JSON.stringify(path.join(ROOT, "tsconfig.json"))} });\n` +
                `module.exports = require(${JSON.stringify(path.join(ROOT, "test", "fixtures", "nomad-access", "program.ts"))});\n`,
        );
        engine = new Engine({
            projectDir: project,
            backendDir: path.join(dir, "state"),
            configFile: path.join(project, "Pulumi.acl.yaml"),
            toolsBin: path.dirname(projectTool("pulumi")),
            passphrase: crypto.randomBytes(16).toString("hex"),
        });
        Object.assign(engine.env, {
            // The language host may register ts-node itself: the same settings either way.
            TS_NODE_TRANSPILE_ONLY: "true",
            TS_NODE_PROJECT: path.join(ROOT, "tsconfig.json"),
            NOMAD_ADDR: address,
            NOMAD_TOKEN: bootstrapToken,
            NOMAD_CACERT: certs.agent.caFile,
            NOMAD_CLIENT_CERT: certs.cli.certFile,
            NOMAD_CLIENT_KEY: certs.cli.keyFile,
        });
        engine.must(["stack", "init", "acl", "--secrets-provider", "passphrase"], { withConfigFile: false });
        engine.must(["config", "set", "namespace", namespace]);
        engine.must(["config", "set", "jobId", jobId]);
        engine.must(["config", "set", "--secret", "password"], { input: password });
    });
    after(async () => {
        await stopAgent(path.join(dir, "agent"));
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("pulumi up with the bootstrap token makes the namespace, the policies and the tokens, and deploys into the namespace", () => {
        const started = Date.now();
        const r = pulumi(["up", "--yes", "--skip-preview"]);
        assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
        console.log(`      pulumi up: ${Date.now() - started} ms`);
        tokens = JSON.parse(engine.must(["stack", "output", "--json", "--show-secrets"], { withConfigFile: false }));
        assert.match(tokens.operatorToken, /^[0-9a-f-]{36}$/);
        assert.match(tokens.deployerToken, /^[0-9a-f-]{36}$/);
    });

    it("holds the policies as declared, in Nomad", async () => {
        assert.equal((await acl(bootstrapToken).readPolicy(ACL_NAMES.deployer))?.Rules, deployerPolicy(namespace));
        assert.equal((await acl(bootstrapToken).readPolicy(ACL_NAMES.operatorReadOnly))?.Rules, operatorReadOnlyPolicy(namespace));
        assert.equal((await acl(bootstrapToken).readNamespace(namespace))?.Name, namespace);
        const operator = await acl(tokens.operatorToken).self();
        assert.deepEqual([operator.Type, operator.Policies], ["client", [ACL_NAMES.operatorReadOnly]]);
        assert.equal((await client(bootstrapToken).readJob(jobId))?.Namespace, namespace);
    });

    it("lets the read-only operator look, and refuses it any change or secret", async () => {
        const ro = client(tokens.operatorToken);
        assert.deepEqual(
            (await ro.listJobs("")).map((j) => j.ID),
            [jobId],
        );
        const write = (await rejection(ro.registerJob({ ...sleepJob(jobId), Namespace: namespace }))) as NomadError;
        assert.equal(write.status, 403);
        assert.match(
            write.message,
            /Permission denied \(the ACL token "hydra-operator-read-only" has no policy that allows this call; its policies: hydra-operator-read-only\)/,
        );
        const secret = (await rejection(ro.getVariable(`nomad/jobs/${jobId}`))) as NomadError;
        assert.equal(secret.status, 403);
        assert.ok(!secret.message.includes(tokens.operatorToken));
    });

    it("lets a deployer token deploy jobs and variables in the namespace, and nothing else", async () => {
        const d = client(tokens.deployerToken);
        const other = uniqueId("acl-deployer");
        await d.registerJob({ ...sleepJob(other), Namespace: namespace });
        await d.putVariable(`nomad/jobs/${other}`, { k: "v" }, { cas: 0 });
        await d.deleteVariable(`nomad/jobs/${other}`);
        await d.deregisterJob(other, { purge: true });
        const elsewhere = (await rejection(
            client(tokens.deployerToken).registerJob({ ...sleepJob(other), Namespace: "default" }, { namespace: "default" }),
        )) as NomadError;
        assert.equal(elsewhere.status, 403);
        const policy = (await rejection(acl(tokens.deployerToken).putPolicy({ Name: "escalate", Rules: 'namespace "*" { policy = "write" }' }))) as NomadError;
        assert.equal(policy.status, 403);
    });

    it("says what is wrong with a missing or unknown token", async () => {
        const none = (await rejection(client(undefined).listJobs(""))) as NomadError;
        assert.equal(none.status, 403);
        assert.match(none.message, /no ACL token was sent and Nomad's ACLs are on: give the token, e\.g\. NOMAD_TOKEN, or the stack's nomadToken/);
        const unknown = crypto.randomUUID();
        const stranger = (await rejection(client(unknown).listJobs(""))) as NomadError;
        // Nomad 1.6 says "Permission denied" to an unknown token too; the client asks whose token it is.
        assert.match(stranger.message, /\(the ACL token is not one this cluster knows: bootstrapped again, or a token of another cluster\?\)/);
        assert.ok(!stranger.message.includes(unknown));
    });

    it("keeps every token, the client key and the variable's value out of the state and the engine's output", () => {
        const state = engine.must(["stack", "export"], { withConfigFile: false });
        outputs.push(engine.must(["stack", "output", "--json"], { withConfigFile: false }));
        const keyBody = tls.clientKey!.split("\n")[1];
        const secrets = { bootstrapToken, operatorToken: tokens.operatorToken, deployerToken: tokens.deployerToken, password, clientKey: keyBody };
        for (const [name, value] of Object.entries(secrets)) {
            assert.ok(!state.includes(value), `${name} is in the state in plain text`);
            assert.ok(!outputs.some((o) => o.includes(value)), `${name} is in the engine's output`);
        }
        const resources = (JSON.parse(state) as { deployment: { resources: { type: string; outputs?: Record<string, unknown> }[] } }).deployment.resources;
        const token = resources.find((r) => r.type === "pulumi-nodejs:dynamic/nomad:NomadAclToken");
        for (const key of ["secretId", "token", "tls"]) {
            assert.equal(
                (token?.outputs?.[key] as Record<string, unknown>)?.["4dabf18193072939515e22adb298388d"],
                "1b47061264138c4ac30d75fd1eb44270",
                `${key} is a secret`,
            );
        }
    });

    it("pulumi destroy removes them, and an up without a token fails saying so", () => {
        const r = pulumi(["destroy", "--yes", "--skip-preview"]);
        assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
        return (async () => {
            assert.equal(await acl(bootstrapToken).readPolicy(ACL_NAMES.deployer), undefined);
            assert.equal(await acl(bootstrapToken).readNamespace(namespace), undefined);
            delete engine.env.NOMAD_TOKEN;
            const failed = pulumi(["up", "--yes", "--skip-preview"]);
            assert.notEqual(failed.status, 0);
            assert.match(failed.stdout + failed.stderr, /no ACL token was sent and Nomad's ACLs are on/);
        })();
    });
});
