// hydra:nodes: each node's defaults from hydra:node, the rules across nodes, the warnings.
import * as assert from "assert";
import * as path from "path";
import { gossipKeyProblem, serverCountProblem, validateConfig } from "../config";
import { FIXTURE_APPS } from "./fixtures/config/apps";
import { FIXTURES, loadStackFile } from "./support/fixtures";

const good = (name: string) => validateConfig(loadStackFile(path.join(FIXTURES, "good", `${name}.yaml`)).raw, FIXTURE_APPS);

describe("config: nodes", () => {
    it("lists no node without hydra:nodes (the one-node estate as it always was)", () => {
        const cfg = good("minimal-digitalocean");
        assert.deepStrictEqual(cfg.cluster, { nodes: [], warnings: [] });
    });

    it("puts the primary (node.name) first, with its defaults from hydra:node, and a home node's from its own fields", () => {
        const cfg = good("cluster-droplet-and-pi");
        assert.deepStrictEqual(
            cfg.cluster.nodes.map((n) => [n.name, n.primary, n.role, n.target, n.public, n.arch, n.dataDir, n.tailnetAddress]),
            [
                ["floyd", true, "both", "digitalocean", true, "amd64", "/data", "100.101.102.103"],
                ["pi", false, "client", "existing", false, "arm64", "/srv/hydra", "100.101.102.110"],
            ],
        );
        assert.strictEqual(cfg.apps.syncthing.node, "pi");
        assert.strictEqual(cfg.apps.gitea.node, undefined, "the primary when unset");
    });

    it("gives a droplet node the stack's region, size and data folder unless it sets its own", () => {
        const cfg = good("cluster-three-servers");
        const byName = Object.fromEntries(cfg.cluster.nodes.map((n) => [n.name, n]));
        assert.deepStrictEqual(Object.keys(byName), ["floyd", "gilmour", "waters"]);
        assert.strictEqual(byName.gilmour.region, "fra1");
        assert.strictEqual(byName.waters.region, cfg.node.region);
        assert.strictEqual(byName.waters.size, cfg.node.size);
        assert.strictEqual(byName.waters.dataDir, "/data");
        assert.strictEqual(byName.waters.public, false, "only the primary is public unless a node says so");
        assert.ok(cfg.cluster.gossipKey, "the configured gossip key is kept, as a secret");
        assert.deepStrictEqual(cfg.cluster.warnings, []);
    });

    it("warns, without refusing, when a server runs on a machine at home", () => {
        const raw = loadStackFile(path.join(FIXTURES, "good", "cluster-droplet-and-pi.yaml")).raw;
        const nodes = JSON.parse(raw.values["hydra:nodes"]);
        nodes.pi.role = "both";
        nodes.mason = { role: "server" };
        const cfg = validateConfig({ ...raw, values: { ...raw.values, "hydra:nodes": JSON.stringify(nodes) } }, FIXTURE_APPS);
        assert.strictEqual(cfg.cluster.warnings.length, 1);
        assert.match(cfg.cluster.warnings[0], /^nodes\.pi is a Nomad server on a machine you run yourself/);
    });

    it("takes 1, 3 or 5 servers and says why not the others", () => {
        assert.deepStrictEqual(
            [1, 3, 5].map((n) => serverCountProblem(n)),
            [undefined, undefined, undefined],
        );
        assert.match(serverCountProblem(0) ?? "", /has no server/);
        assert.match(serverCountProblem(2) ?? "", /losing either one loses the leader.*so 2 are worse than 1/);
        assert.match(serverCountProblem(4) ?? "", /has 4 servers/);
        assert.match(serverCountProblem(7) ?? "", /more than 5 only slow it/);
    });

    it("takes a gossip key in standard base64 of 16, 24 or 32 bytes, and never shows it", () => {
        const key = Buffer.alloc(32, 0xfb).toString("base64");
        assert.strictEqual(gossipKeyProblem(key), undefined);
        assert.strictEqual(gossipKeyProblem(Buffer.alloc(16, 7).toString("base64")), undefined);
        const urlSafe = Buffer.alloc(32, 0xfb).toString("base64url");
        assert.match(gossipKeyProblem(urlSafe) ?? "", /URL-safe base64/);
        assert.match(gossipKeyProblem(Buffer.alloc(20, 1).toString("base64")) ?? "", /decodes to 20 bytes/);
        assert.match(gossipKeyProblem("not base64!") ?? "", /is not standard base64/);
        for (const k of [urlSafe, "not base64!"]) {
            assert.ok(!(gossipKeyProblem(k) ?? "").includes(k));
        }
    });

    it("checks the gossip key's form only where its value is read: a rendering of the stack file sees a stand-in", () => {
        const raw = loadStackFile(path.join(FIXTURES, "good", "cluster-droplet-and-pi.yaml")).raw;
        const withKey = {
            values: { ...raw.values, "hydra:nomadGossipKey": "<secret:hydra:nomadGossipKey>" },
            secretKeys: new Set([...raw.secretKeys, "hydra:nomadGossipKey"]),
        };
        assert.throws(() => validateConfig(withKey, FIXTURE_APPS), /hydra:nomadGossipKey: is not standard base64/);
        assert.doesNotThrow(() => validateConfig({ ...withKey, secretsUnread: true }, FIXTURE_APPS));
    });
});
