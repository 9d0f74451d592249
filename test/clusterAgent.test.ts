// The cluster's pure pieces: each node's agent config (parsed as HCL), the join scripts
// (shellchecked), the proxies' split, and what planning refuses.
import * as assert from "assert";
import * as path from "path";
import { APPS } from "../apps";
import { planApps } from "../apps/plan";
import { validateConfig } from "../config";
import { clusterDropIn, joinAddresses } from "../components/HydraCluster";
import { caddySpecs } from "../components/CaddyProxy";
import { renderJoinScript, renderPrimaryJoinScript } from "../components/joinScript";
import { base, CLUSTER, KEY } from "./support/clusterFixtures";
import { FIXTURES, loadStackFile } from "./support/fixtures";
import { debianTool, run } from "./support/tools";
import { withOverrides, fixtureConfig, stackConfig } from "./support/estateConfig";

const hcl2json: { parse(file: string, text: string): Promise<Record<string, any>> } = require("@cdktf/hcl2json");

const [floyd, gilmour, , pi] = CLUSTER.nodes;

describe("cluster: agent configs", () => {
    it("joins the primary and the home servers at their tailnet addresses (a new droplet's is not known yet)", () => {
        assert.deepStrictEqual(joinAddresses(CLUSTER), ["100.101.102.103", "100.101.102.111"]);
    });

    it("gives a new server bootstrap_expect = the server count, the gossip key and the join list; the primary keeps 1", async () => {
        const server = await hcl2json.parse("nomad.hcl", base(gilmour));
        assert.strictEqual(server.server[0].bootstrap_expect, 3);
        assert.strictEqual(server.client, undefined, "a server only runs no tasks");
        assert.strictEqual((await hcl2json.parse("nomad.hcl", base(floyd))).server[0].bootstrap_expect, 1);
        const drop = await hcl2json.parse("cluster.hcl", clusterDropIn(gilmour, CLUSTER, KEY));
        assert.strictEqual(drop.name, "gilmour");
        assert.strictEqual(drop.server[0].encrypt, KEY);
        assert.deepStrictEqual(drop.server[0].server_join[0].retry_join, ["100.101.102.103", "100.101.102.111"]);
        assert.deepStrictEqual(drop.client[0].meta[0], { node: "gilmour", public: "false" });
    });

    it("gives a client only its servers and meta, no key, and a public host network only where the node is public", async () => {
        const client = await hcl2json.parse("nomad.hcl", base(pi));
        assert.strictEqual(client.server, undefined);
        assert.deepStrictEqual(Object.keys(client.client[0].host_network), ["tailscale"]);
        assert.deepStrictEqual(Object.keys((await hcl2json.parse("nomad.hcl", base(floyd))).client[0].host_network).sort(), ["public", "tailscale"]);
        const drop = clusterDropIn(pi, CLUSTER, KEY);
        assert.ok(!drop.includes(KEY), "the gossip key is the servers' only");
        const parsed = await hcl2json.parse("cluster.hcl", drop);
        assert.deepStrictEqual(parsed.client[0].servers, ["100.101.102.103:4647", "100.101.102.111:4647"]);
        assert.deepStrictEqual(parsed.client[0].meta[0], { node: "pi", public: "false", data: "/srv/hydra" });
    });

    it("writes join scripts that shellcheck passes", () => {
        const shellcheck = debianTool("shellcheck");
        const scripts = {
            pi: renderJoinScript({
                node: "pi",
                arch: "arm64",
                nomadVersion: "1.11.2",
                agentConfig: base(pi),
                clusterConfig: clusterDropIn(pi, CLUSTER, KEY),
                tailnetAuthKey: "tskey-auth-test",
                tailnetTags: ["tag:hydra"],
                dataDir: "/srv/hydra",
            }),
            floyd: renderPrimaryJoinScript("floyd", clusterDropIn(floyd, CLUSTER, KEY)),
        };
        for (const [name, text] of Object.entries(scripts)) {
            const r = run(shellcheck, ["-"], { input: text });
            assert.strictEqual(r.status, 0, `${name}:\n${r.output}`);
        }
        assert.match(scripts.pi, /apt-get .* install -y tailscale nomad=1\.11\.2-1/);
        assert.match(scripts.pi, /tailscale up --auth-key="file:\/etc\/hydra\/tailscale-authkey" --hostname=pi --advertise-tags=tag:hydra/);
        assert.throws(() => renderPrimaryJoinScript("floyd", "HYDRA_EOF\n"), /here-document delimiter/);
    });
});

describe("cluster: planning", () => {
    const cfgOf = (patch: Record<string, unknown>) => stackConfig(withOverrides(fixtureConfig("cluster-droplet-and-pi"), patch)).cfg;

    it("splits the proxy in two: the public one on every public node, the internal one on the primary", () => {
        const cfg = cfgOf({});
        const plan = planApps(cfg, APPS);
        const args = { routes: plan.routes, adminRoutes: plan.adminRoutes, domain: cfg.domain, image: cfg.proxy.image, dataDir: "/data" };
        const env = { datacenter: "hydra", namespace: "default", region: "global", serviceProvider: "nomad" as const };
        const [pub, internal] = caddySpecs({ ...args, environment: env, placement: { publicNodes: ["floyd", "gilmour"], primary: "floyd" } });
        assert.deepStrictEqual(
            [pub.name, pub.count, pub.tasks.map((t) => t.name), pub.ports?.map((p) => p.label)],
            ["caddy", 2, ["public"], ["public_http", "public_https"]],
        );
        assert.deepStrictEqual(
            [internal.name, internal.tasks.map((t) => t.name), internal.constraints],
            ["caddy-internal", ["internal"], [{ attribute: "${node.unique.name}", operator: "=", value: "floyd" }]],
        );
        assert.strictEqual(caddySpecs({ ...args, environment: env }).length, 1, "one job on one node");
    });

    it("refuses public routes when no node is public", () => {
        const raw = loadStackFile(path.join(FIXTURES, "good", "cluster-droplet-and-pi.yaml")).raw;
        const values = { ...raw.values, "hydra:nodes": JSON.stringify({ floyd: { public: false }, ...JSON.parse(raw.values["hydra:nodes"]) }) };
        const plan = planApps(validateConfig({ ...raw, values }, APPS), APPS);
        assert.ok(
            plan.problems.some((p) => /^the estate has public routes \(git\.example\.com, .*\) and no public node to serve them/.test(p)),
            plan.problems.join("\n"),
        );
    });

    it("refuses an app whose data stays on a primary of an architecture its images lack", () => {
        // gilmour (amd64) may run doggo, which keeps no data; shynet's database stays on floyd.
        const plan = planApps(cfgOf({ "hydra:nodes": { floyd: { arch: "arm64" }, gilmour: {} } }), APPS);
        const shynet = plan.problems.filter((p) => p.startsWith("app shynet: "));
        assert.deepStrictEqual(shynet, [
            'app shynet: job "shynet-db" keeps its data on floyd (arm64), and its images are published for amd64 only; set apps.shynet.node to a node of those',
        ]);
        assert.ok(!plan.problems.some((p) => p.startsWith("app doggo")), "doggo keeps no data: it runs on gilmour");
    });

    it("takes an app's architectures from apps.<name>.archs: an arm64-only image is constrained to arm64", () => {
        const plan = planApps(cfgOf({ "hydra:apps": { doggo: { archs: ["arm64"] }, syncthing: { node: "pi" } } }), APPS);
        assert.deepStrictEqual(plan.problems, []);
        const doggo = plan.apps.find((a) => a.app.name === "doggo")!.jobs[0];
        assert.deepStrictEqual(doggo.constraints, [{ attribute: "${attr.cpu.arch}", operator: "=", value: "arm64" }]);
        const shynet = planApps(cfgOf({ "hydra:apps": { shynet: { archs: ["arm64"] }, syncthing: { node: "pi" } } }), APPS);
        assert.ok(
            shynet.problems.some((p) =>
                p.startsWith('app shynet: job "shynet-db" keeps its data on floyd (amd64), and its images are published for arm64 only'),
            ),
            shynet.problems.join("\n"),
        );
    });
});
