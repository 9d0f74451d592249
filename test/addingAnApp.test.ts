// Adding an app with its own secrets is one file plus one line in apps/index.ts
// (here: the list passed to the estate). Everything else follows from the file.
import * as assert from "assert";
import * as path from "path";
import { APPS } from "../apps";
import { allSecretDeclarations } from "../config";
import { Job } from "../nomad";
import { generatedFiles } from "../render/declarationFiles";
import { whoami } from "./fixtures/apps/whoami";
import { fixtureConfig, withOverrides } from "./support/estateConfig";
import { mockedEstate } from "./support/mockedEstate";

const apps = [...APPS, whoami];
const ROOT = path.resolve(__dirname, "..");

const deploy = (config: Record<string, unknown>) => mockedEstate(config, apps);

describe("adding an app with a generated and a required secret", () => {
    const base = () => withOverrides(fixtureConfig("full-digitalocean"), { "hydra:consul": { enabled: false } });

    it("gets a variable holding both secrets and a job that reads them by reference", async () => {
        const run = await deploy({ ...base(), "hydra:whoamiUpstreamToken": { secure: "upstream-token-from-config" } });
        const variable = run.ofType("pulumi-nodejs:dynamic/nomad:NomadVariable").find((v) => v.inputs.path === "nomad/jobs/whoami");
        assert.ok(variable, "no variable nomad/jobs/whoami");
        assert.deepStrictEqual(Object.keys(variable.inputs.items).sort(), ["session_key", "upstream_token"]);
        assert.strictEqual(variable.inputs.items.upstream_token, "upstream-token-from-config");
        assert.strictEqual(variable.inputs.items.session_key, "generated-whoami-whoamiSessionKey", "the session key is generated once, per app");
        const job = run.ofType("pulumi-nodejs:dynamic/nomad:NomadJob").find((j) => (j.inputs.job as Job).ID === "whoami")!.inputs.job as Job;
        const text = JSON.stringify(job);
        assert.ok(!text.includes("upstream-token-from-config") && !text.includes("generated-whoami"), "the job holds no secret value");
        const env = job.TaskGroups[0].Tasks[0].Templates!.find((t) => t.Envvars)!.EmbeddedTmpl!;
        assert.match(env, /nomadVar "nomad\/jobs\/whoami"/);
        assert.match(env, /UPSTREAM_TOKEN=\{\{ \.upstream_token\.Value \| toJSON \}\}/);
        const random = run.ofType("random:index/randomPassword:RandomPassword").find((r) => r.name === "whoami-whoamiSessionKey");
        assert.strictEqual(random?.inputs.length, 32);
    });

    it("enforces the required secret before any resource is registered", async () => {
        let registered = -1;
        await assert.rejects(
            deploy(base()).then((r) => (registered = r.resources.length)),
            /hydra:whoamiUpstreamToken: is required to reach the upstream API: pulumi config set --secret whoamiUpstreamToken <value>/,
        );
        assert.strictEqual(registered, -1);
    });

    it("honours only the settings it declares", async () => {
        const run = await deploy({
            ...base(),
            "hydra:whoamiUpstreamToken": { secure: "t" },
            "hydra:apps": { whoami: { hostname: "echo", image: "traefik/whoami:v1.11.0" } },
        });
        const job = run.ofType("pulumi-nodejs:dynamic/nomad:NomadJob").find((j) => (j.inputs.job as Job).ID === "whoami")!.inputs.job as Job;
        assert.strictEqual(job.TaskGroups[0].Tasks[0].Config!.image, "traefik/whoami:v1.11.0");
        assert.ok(run.ofType("cloudflare:index/dnsRecord:DnsRecord").some((r) => r.inputs.name === "echo.example.org"));
    });

    it("is covered by Pulumi.yaml and the README's secrets table without writing either by hand", () => {
        const files = generatedFiles(ROOT, apps, allSecretDeclarations(apps));
        for (const key of ["whoamiSessionKey", "whoamiUpstreamToken"]) {
            assert.match(files.get("Pulumi.yaml")!, new RegExp(`^  ${key}:\\n    type: string`, "m"));
            assert.match(files.get("README.md")!, new RegExp(`^\\| \`${key}\` \\| whoami \\| \`pulumi config set --secret ${key} `, "m"));
        }
        assert.match(files.get("README.md")!, /whoamiUpstreamToken.*Required to reach the upstream API; never generated/);
    });
});
