// The estate with hydra:nodes, run under mocks: a node component per droplet, the primary as it
// was, join scripts, DNS per node, and where each job may run.
import * as assert from "assert";
import * as YAML from "yaml";
import { Job } from "../nomad";
import { RESOURCE_TYPES, TYPE_TOKENS } from "../vocabulary";
import { fixtureConfig, withOverrides } from "./support/estateConfig";
import { EstateRun, mockedEstate } from "./support/mockedEstate";

/** The README's example (floyd plus a Pi at home) with a second public droplet and a third server. */
const CLUSTER = withOverrides(fixtureConfig("cluster-droplet-and-pi"), {
    "hydra:nodes": {
        pi: { target: "existing", arch: "arm64", dataDir: "/srv/hydra", tailnetAddress: "100.101.102.110" },
        gilmour: { role: "both", public: true },
        waters: { role: "server" },
    },
});
/** The same stack before it grew: one node. */
const SINGLE = Object.fromEntries(Object.entries(CLUSTER).filter(([k]) => k !== "hydra:nodes" && k !== "hydra:apps"));
/** The stack grown by nodes alone, its apps where they were. */
const GROWN = { ...SINGLE, "hydra:nodes": CLUSTER["hydra:nodes"] };

const droplets = (run: EstateRun) => run.ofType(RESOURCE_TYPES.droplet);
const droplet = (run: EstateRun, name: string) => droplets(run).find((d) => d.inputs.name === name)!;
const userData = (run: EstateRun, name: string) => YAML.parse(String(droplet(run, name).inputs.userData).replace(/^#cloud-config\n/, ""));
const file = (run: EstateRun, node: string, path: string): string | undefined =>
    userData(run, node).write_files.find((f: { path: string }) => f.path === path)?.content;
const jobs = (run: EstateRun): Map<string, Job> =>
    new Map(run.ofType(RESOURCE_TYPES.nomadJob).map((r) => [r.inputs.jobId ?? (r.inputs.job as Job).ID, r.inputs.job as Job]));
const constraints = (job: Job | undefined) => (job?.TaskGroups?.[0].Constraints ?? []).map((c) => [c.LTarget, c.Operand, c.RTarget].join(" "));

describe("cluster: the estate's nodes", function () {
    this.timeout(60_000);
    let run: EstateRun;
    let single: EstateRun;
    before(async () => {
        // One mocked run at a time: the mock runtime records into one list.
        run = await mockedEstate(CLUSTER);
        single = await mockedEstate(SINGLE);
    });

    it("makes a node component per droplet, all in one cluster component, and none for the machine at home", () => {
        const nodes = run.ofType(TYPE_TOKENS.node);
        assert.deepStrictEqual(nodes.map((n) => n.name).sort(), ["floyd", "gilmour", "waters"]);
        const cluster = run.one(TYPE_TOKENS.cluster);
        assert.ok(nodes.every((n) => n.parent === cluster.urn));
        assert.deepStrictEqual(
            droplets(run)
                .map((d) => d.inputs.name)
                .sort(),
            ["floyd", "gilmour", "waters"],
        );
        assert.strictEqual(run.ofType("digitalocean:index/project:Project").length, 1, "one project; the other droplets join it");
    });

    it("keeps the primary as it was: the same user-data, and an alias to its old place at the stack's root", async () => {
        const grown = await mockedEstate(GROWN);
        assert.strictEqual(droplet(grown, "floyd").inputs.userData, droplet(single, "floyd").inputs.userData);
        const primary = run.ofType(TYPE_TOKENS.node).find((n) => n.name === "floyd")!;
        assert.ok(primary.aliases.length > 0, "the primary's node component is aliased");
        assert.strictEqual(single.one(TYPE_TOKENS.node).aliases.length, 0);
    });

    it("gives each other droplet its role, the join address, the gossip key and its meta", () => {
        const base = file(run, "waters", "/etc/hydra/nomad.d/nomad.hcl")!;
        assert.match(base, /bootstrap_expect = 3/);
        assert.doesNotMatch(base, /^client \{/m, "a server only runs no tasks");
        const drop = file(run, "waters", "/etc/hydra/nomad.d/cluster.hcl")!;
        assert.match(drop, /^name = "waters"$/m);
        assert.match(drop, /retry_join = \["100\.101\.102\.103"\]/);
        assert.match(drop, /encrypt = "R0VORVJBVEVEQllNT0NL"/, "the generated key (the mocks' RandomId.b64Std)");
        const gilmour = file(run, "gilmour", "/etc/hydra/nomad.d/nomad.hcl")!;
        assert.match(gilmour, /host_network "public"/);
        assert.match(file(run, "gilmour", "/etc/hydra/nomad.d/cluster.hcl")!, /public = "true"/);
        assert.ok(run.ofType(RESOURCE_TYPES.randomId).some((r) => r.name === "cluster-nomad-gossip" && r.inputs.byteLength === 32));
    });

    it("joins the machine at home and the primary by scripts, a secret output", () => {
        const scripts = run.outputs.joinScripts as Record<string, string>;
        assert.deepStrictEqual(Object.keys(scripts).sort(), ["floyd", "pi"]);
        const pi = scripts.pi;
        assert.match(pi, /arch" != "arm64"/);
        assert.match(pi, /servers = \["100\.101\.102\.103:4647"\]/);
        assert.match(pi, /data += "\/srv\/hydra"/);
        assert.doesNotMatch(pi, /^server \{/m, "a client only");
        assert.doesNotMatch(pi, /host_network "public"/, "the Pi has no public address");
        assert.match(scripts.floyd, /cluster\.hcl/);
        assert.match(scripts.floyd, /systemctl restart nomad/);
        const key = run.ofType(RESOURCE_TYPES.tailnetKey).find((k) => k.name === "pi-auth-key");
        assert.ok(key && key.inputs.reusable === false && key.inputs.preauthorized === true, "a one-off key for the Pi");
    });

    it("gives every droplet its own record, and each public route one record per public node", () => {
        const records = run.ofType(RESOURCE_TYPES.dnsRecord);
        const names = (n: string) => records.filter((r) => r.inputs.name === n);
        for (const node of ["floyd", "gilmour", "waters"]) {
            assert.strictEqual(names(`${node}.example.com`).length, 1, node);
        }
        assert.strictEqual(names("pi.example.com").length, 0, "no record for a machine at home");
        assert.strictEqual(names("git.example.com").length, 2, "floyd and gilmour");
        assert.strictEqual(names("syncthing.example.com").length, 1, "an internal route points at the primary only");
    });

    it("pins data to its node, images to their archs, the proxies to public nodes and the primary", () => {
        const all = jobs(run);
        assert.deepStrictEqual(constraints(all.get("syncthing")), ["${node.unique.name} = pi"], "its image runs on every arch");
        assert.deepStrictEqual(constraints(all.get("gitea")).slice(0, 1), ["${node.unique.name} = floyd"]);
        assert.deepStrictEqual(constraints(all.get("doggo")), ["${attr.cpu.arch} = amd64"], "no data: anywhere its image runs");
        assert.deepStrictEqual(constraints(all.get("shynet-db")), ["${node.unique.name} = floyd", "${attr.cpu.arch} = amd64"]);
        assert.deepStrictEqual(constraints(all.get("caddy")), ["${node.unique.name} set_contains_any floyd,gilmour", " distinct_hosts true"]);
        assert.strictEqual(all.get("caddy")?.TaskGroups?.[0].Count, 2, "one per public node");
        assert.deepStrictEqual(constraints(all.get("caddy-internal")), ["${node.unique.name} = floyd"]);
        const syncthingMounts = JSON.stringify(all.get("syncthing"));
        assert.ok(syncthingMounts.includes("/srv/hydra/syncthing"), "the app's data folder is its node's");
    });

    it("backs up each data node's own paths as its own host, and prunes from the primary only", () => {
        const all = jobs(run);
        const restic = all.get("restic")!;
        assert.strictEqual(restic.Type, "sysbatch");
        assert.deepStrictEqual(constraints(restic), ["${node.unique.name} set_contains_any floyd,gilmour,pi"]);
        const templates = restic.TaskGroups![0].Tasks!.find((t) => t.Name === "backup")!.Templates!;
        const script = (node: string) => templates.find((t) => t.DestPath === `local/restic-${node}.sh`)?.EmbeddedTmpl ?? "";
        assert.deepStrictEqual(
            templates
                .map((t) => t.DestPath)
                .filter((p) => p.endsWith(".sh"))
                .sort(),
            ["local/restic-floyd.sh", "local/restic-gilmour.sh", "local/restic-pi.sh"],
            "waters is a server only: no data",
        );
        assert.match(script("pi"), /restic backup --one-file-system --tag nomad --host '?pi'? /);
        assert.match(script("pi"), /\/srv\/hydra\/syncthing/);
        assert.doesNotMatch(script("pi"), /\/data\/gitea/);
        assert.match(script("floyd"), /\/data\/gitea/);
        assert.ok(!script("pi").includes("restic forget") && !script("floyd").includes("restic forget"), "no node forgets on its own");
        const check = all.get("restic-check")!;
        assert.deepStrictEqual(constraints(check), ["${node.unique.name} = floyd"]);
        assert.match(check.TaskGroups![0].Tasks![0].Templates![0].EmbeddedTmpl!, /restic forget --tag nomad --group-by host,tags/);
    });

    it("restores on each data node from its own snapshots, and drills every node that saves anything", () => {
        const all = jobs(run);
        const restores = [...all.keys()].filter((id) => id.startsWith("restic-restore")).sort();
        assert.deepStrictEqual(restores, ["restic-restore-floyd", "restic-restore-gilmour", "restic-restore-pi"], "one per data node, none for waters");
        for (const node of ["floyd", "gilmour", "pi"]) {
            const job = all.get(`restic-restore-${node}`)!;
            assert.ok(job.ParameterizedJob, `${node}'s restore is dispatch-only`);
            assert.deepStrictEqual(constraints(job), [`\${node.unique.name} = ${node}`]);
            const script = job.TaskGroups![0].Tasks![0].Templates![0].EmbeddedTmpl!;
            assert.match(script, new RegExp(`restic snapshots --json --tag nomad --host '?${node}'? `));
        }
        const drill = all.get("restic-drill")!;
        assert.deepStrictEqual(constraints(drill), ["${node.unique.name} = floyd"]);
        const script = drill.TaskGroups![0].Tasks![0].Templates![0].EmbeddedTmpl!;
        assert.match(script, /--host '?floyd'? /, "the primary's own snapshot, compared with the originals");
        assert.match(script, /^for host in '?pi'?; do$/m, "gilmour saves nothing, so it makes no snapshot to drill");
        assert.match(script, /restic restore "\$id" --verify /);
        const one = jobs(single);
        assert.deepStrictEqual(
            [...one.keys()].filter((id) => id.startsWith("restic-restore")),
            ["restic-restore"],
            "one node: the one restore job",
        );
        assert.doesNotMatch(one.get("restic-restore")!.TaskGroups![0].Tasks![0].Templates![0].EmbeddedTmpl!, /--host/);
        assert.doesNotMatch(one.get("restic-drill")!.TaskGroups![0].Tasks![0].Templates![0].EmbeddedTmpl!, /for host in/);
    });

    it("adds no constraint, count or record with one node", () => {
        const all = jobs(single);
        assert.ok([...all.values()].every((j) => j.TaskGroups?.[0].Constraints === undefined && j.TaskGroups?.[0].Count === 1));
        assert.strictEqual(all.get("restic")?.Type, "batch");
        assert.strictEqual(single.outputs.joinScripts, undefined);
    });
});
