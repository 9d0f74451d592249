// The connection layer without an agent: custom headers on the wire (and out of messages), and the
// resources' fallbacks to the Nomad CLI's environment, read when a resource is declared.
import { strict as assert } from "assert";
import * as http from "http";
import type { AddressInfo } from "net";
import * as pulumi from "@pulumi/pulumi";
import { NomadClient, NomadError } from "../../nomad/client";
import { NomadJob, NomadVariable } from "../../nomad";
import { rejection, sleepJob } from "./helpers";

describe("custom headers", () => {
    let server: http.Server;
    let address: string;
    const seen: http.IncomingHttpHeaders[] = [];

    before(async () => {
        server = http.createServer((req, res) => {
            seen.push(req.headers);
            // A proxy that echoes its credential back in a refusal: the message must not carry it.
            res.writeHead(req.url?.startsWith("/v1/status/leader") ? 200 : 401, { "Content-Type": "text/plain" });
            res.end(req.url?.startsWith("/v1/status/leader") ? '"127.0.0.1:4647"' : `bad credential ${req.headers["x-proxy-auth"]}`);
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    after(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it("sends them on every request, keeps the token header ours, and keeps their values out of messages", async () => {
        const token = "7f3a9c2e-5b1d-4e8f-a6c4-0d9e8b7a6f51";
        const c = new NomadClient({ address, token, headers: { "X-Proxy-Auth": "proxy-secret-1234", "X-Nomad-Token": "not-this" }, retryTimeoutSeconds: 0 });
        await c.leader();
        assert.equal(seen[0]["x-proxy-auth"], "proxy-secret-1234");
        assert.equal(seen[0]["x-nomad-token"], token);
        const e = (await rejection(c.readJob("web"))) as NomadError;
        assert.equal(e.status, 401);
        assert.equal(e.nomadMessage, "bad credential [redacted]");
    });
});

describe("NomadJob and NomadVariable fall back to NOMAD_* (under mocks)", () => {
    const registered: Record<string, Record<string, unknown>> = {};
    const saved = { ...process.env };
    const env = {
        NOMAD_ADDR: "https://nomad.example:4646",
        NOMAD_TOKEN: "7f3a9c2e-5b1d-4e8f-a6c4-0d9e8b7a6f51",
        NOMAD_NAMESPACE: "apps",
        NOMAD_REGION: "home",
    };

    before(() => {
        Object.assign(process.env, env);
        pulumi.runtime.setMocks(
            {
                newResource: (args: pulumi.runtime.MockResourceArgs) => {
                    registered[args.name] = args.inputs;
                    return { id: `${args.name}-id`, state: args.inputs };
                },
                call: () => ({}),
            },
            "hydra",
            "test",
            false,
        );
    });
    after(() => {
        for (const k of Object.keys(env)) {
            if (saved[k] === undefined) {
                delete process.env[k];
            } else {
                process.env[k] = saved[k];
            }
        }
    });

    const settled = (r: pulumi.CustomResource) => new Promise<void>((resolve) => r.urn.apply(() => resolve()));
    /** A secret input reaches the mocks wrapped (Pulumi's secret signature and its value). */
    const secret = (v: unknown) => (v && typeof v === "object" && "value" in v ? (v as { value: unknown }).value : `not a secret: ${JSON.stringify(v)}`);

    it("takes address, token, namespace and region from the environment when unset, and keeps the token secret", async () => {
        const job = new NomadJob("env-job", { job: sleepJob("web") });
        const own = new NomadJob("own-job", { job: { ...sleepJob("web"), Namespace: "mine", Region: "there" } });
        const given = new NomadJob("given-job", {
            job: sleepJob("web"),
            address: "http://10.0.0.1:4646",
            namespace: "given",
            token: "11111111-2222-4333-8444-555555555555",
        });
        const ignoring = new NomadJob("ignoring-job", { job: sleepJob("web"), address: "http://10.0.0.1:4646", ignoreEnv: true });
        const variable = new NomadVariable("env-var", { path: "nomad/jobs/web", items: { k: "v" } });
        await Promise.all([job, own, given, ignoring, variable].map(settled));
        assert.deepEqual(
            [registered["env-job"].address, secret(registered["env-job"].token), registered["env-job"].namespace, registered["env-job"].region],
            [env.NOMAD_ADDR, env.NOMAD_TOKEN, "apps", "home"],
        );
        // The job's own Namespace and Region win over the environment (the provider reads them from the job).
        assert.deepEqual([registered["own-job"].namespace, registered["own-job"].region], [undefined, undefined]);
        assert.deepEqual([registered["given-job"].address, registered["given-job"].namespace], ["http://10.0.0.1:4646", "given"]);
        assert.equal(secret(registered["given-job"].token), "11111111-2222-4333-8444-555555555555");
        assert.deepEqual([registered["ignoring-job"].token, registered["ignoring-job"].namespace], [undefined, undefined]);
        assert.deepEqual([registered["env-var"].address, registered["env-var"].namespace], [env.NOMAD_ADDR, "apps"]);
    });
});
