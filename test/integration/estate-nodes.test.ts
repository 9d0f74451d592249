/**
 * `npm run dev -- --nodes 3`, run as a developer runs it, in a home of its own (HYDRA_DEV_HOME,
 * its own bridge, stand-ins and Nomad port): one server (also a client) and two clients on one
 * private Docker daemon, the stack declaring them as existing nodes, deployed by the real
 * `pulumi up`. Then what the cluster does with the estate, seen through Nomad's API, and
 * `npm run dev -- --down`.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { processesUnder } from "../../dev/clusterAgents";
import { mountsUnder } from "../../dev/mounts";
import { alive } from "../../dev/pids";
import { DEV_STACK } from "../../dev/stack";
import { freePorts } from "../support/nomadAgent";
import { api, curl } from "./devEstate";
import { devHome } from "./devHome";
import { forcePeriodic, taskLog } from "./periodicRun";

const ROOT = path.resolve(__dirname, "..", "..");

type Alloc = { ID: string; JobID: string; NodeName: string; ClientStatus: string };

describe("integration: npm run dev -- --nodes 3 (a server and two clients, the real engine)", function () {
    this.timeout(900_000);
    const h = devHome("nodes", { bridge: "hyn", publicNet: "127.123" });
    const { home, env, tailnet, dev, timings, engine } = h;
    const nodesDir = path.join(home, ".nomad-dev", "nodes");
    let address = "";
    let upOutput = "";

    const allocations = async (job: string) => (await api<Alloc[]>(address, "GET", `/v1/job/${job}/allocations`)).filter((a) => a.ClientStatus === "running");

    before(async () => {
        const port = await freePorts();
        env.HYDRA_DEV_NOMAD_PORT = String(port);
        address = `http://127.0.0.1:${port}`;
        const r = dev(["--nodes", "3"]);
        upOutput = r.output;
        assert.strictEqual(r.status, 0, r.output.slice(-6000));
    });

    it("starts one server and two clients, each on its own tailnet stand-in, and says where each job runs", async () => {
        const nodes = await api<{ ID: string; Name: string; Status: string }[]>(address, "GET", "/v1/nodes");
        const seen = [];
        for (const n of nodes) {
            const full = await api<{ HTTPAddr: string }>(address, "GET", `/v1/node/${n.ID}`);
            seen.push([n.Name, n.Status, full.HTTPAddr.split(":")[0]]);
        }
        assert.deepStrictEqual(seen.sort(), [
            ["dev", "ready", tailnet(1)],
            ["dev2", "ready", tailnet(2)],
            ["dev3", "ready", tailnet(3)],
        ]);
        const raft = await api<{ Servers: { Node: string; Voter: boolean }[] }>(address, "GET", "/v1/operator/raft/configuration");
        assert.deepStrictEqual(
            raft.Servers.map((s) => [s.Node.replace(/\.global$/, ""), s.Voter]),
            [["dev", true]],
        );
        assert.match(upOutput, /Nomad cluster, started: dev /);
        assert.match(upOutput, new RegExp(`dev3 +${tailnet(3).replace(/\./g, "\\.")} +- +yes +.*syncthing`));
    });

    it("puts a stateful app (Syncthing, apps.syncthing.node dev3) on its node, its data in that node's folder", async () => {
        const [alloc] = await allocations("syncthing");
        assert.strictEqual(alloc?.NodeName, "dev3", JSON.stringify(alloc));
        assert.ok(fs.existsSync(path.join(nodesDir, "dev3", "hydra-data", "syncthing")), "the folder it mounts is under dev3's data folder");
        const [svc] = await api<{ Address: string }[]>(address, "GET", "/v1/service/syncthing-web");
        assert.strictEqual(svc.Address, tailnet(3));
    });

    it("runs the public proxy once on each public node (dev, dev2) and the internal one on the primary", async () => {
        assert.deepStrictEqual((await allocations("caddy")).map((a) => a.NodeName).sort(), ["dev", "dev2"]);
        assert.deepStrictEqual(
            (await allocations("caddy-internal")).map((a) => a.NodeName),
            ["dev"],
        );
    });

    it("lets the internal proxy's template on dev reach Syncthing on dev3 (its printed curl line answers 200)", async () => {
        const line = upOutput.split("\n").find((l) => /curl .*--resolve syncthing\./.test(l));
        assert.ok(line, `no curl line for syncthing in:\n${upOutput.slice(-3000)}`);
        const r = curl(line.trim());
        assert.strictEqual(r.code, 200, `${r.stderr}\n${r.body}`);
        assert.match(r.body, /"job": ?"syncthing"/);
    });

    const syncthingData = () => path.join(nodesDir, "dev3", "hydra-data", "syncthing");
    const marker = () => path.join(syncthingData(), "hydra-restore-marker");

    it("backs up each data node (dev, dev3) as its own restic host, from one forced run of the periodic sysbatch", async () => {
        // What the restore below must bring back on dev3.
        fs.writeFileSync(marker(), "saved on dev3\n");
        const start = Date.now();
        await api(address, "POST", "/v1/job/restic/periodic/force");
        type Child = { ID: string; ParentID: string };
        let done: Alloc[] = [];
        while (Date.now() - start < 240_000 && done.length < 2) {
            await new Promise((r) => setTimeout(r, 2000));
            const [child] = (await api<Child[]>(address, "GET", "/v1/jobs?prefix=restic%2Fperiodic")).filter((j) => j.ParentID === "restic");
            const allocs = child ? await api<Alloc[]>(address, "GET", `/v1/job/${encodeURIComponent(child.ID)}/allocations`) : [];
            done = allocs.filter((a) => a.ClientStatus === "complete" || a.ClientStatus === "failed");
        }
        timings.backup = Date.now() - start;
        assert.deepStrictEqual(done.map((a) => [a.NodeName, a.ClientStatus]).sort(), [
            ["dev", "complete"],
            ["dev3", "complete"],
        ]);
        const restic = spawnSync("restic", ["snapshots", "--json"], {
            encoding: "utf8",
            env: {
                ...process.env,
                RESTIC_REPOSITORY: path.join(home, ".nomad-dev", "restic-repo"),
                RESTIC_PASSWORD: engine().must(["config", "get", "hydra:resticPassword"]).trim(),
            },
        });
        assert.strictEqual(restic.status, 0, restic.stderr);
        const byHost: Record<string, string[]> = {};
        for (const snap of JSON.parse(restic.stdout) as { hostname: string; paths: string[] }[]) {
            byHost[snap.hostname] = [...(byHost[snap.hostname] ?? []), ...snap.paths];
        }
        const dev3Data = path.join(nodesDir, "dev3", "hydra-data");
        assert.deepStrictEqual(Object.keys(byHost).sort(), ["dev", "dev3"]);
        assert.ok(
            byHost.dev3.some((p) => p.startsWith(path.join(dev3Data, "syncthing"))),
            JSON.stringify(byHost),
        );
        assert.ok(!byHost.dev.some((p) => p.startsWith(dev3Data)), "dev saves none of dev3's paths");
    });

    it("the drill on dev checks dev's snapshot against the originals and dev3's latest with restic's --verify", async () => {
        const drill = await forcePeriodic(address, "restic-drill");
        timings.drill = drill.ms;
        const out = await taskLog(address, drill.allocId, "backup", "stdout");
        assert.strictEqual(drill.status, "complete", `${out}\n${await taskLog(address, drill.allocId, "backup", "stderr")}`);
        assert.match(out, /drill: snapshot \w+ \(0 h old\) restored the canary and \d+ unchanged files, byte for byte/);
        assert.match(out, /drill: snapshot \w+ of dev3 \(0 h old\) restored [1-9]\d* files, verified against the snapshot/);
    });

    it("npm run restore syncthing runs on dev3, from dev3's snapshots, and brings its data back in dev3's folder", async () => {
        fs.rmSync(marker());
        const start = Date.now();
        const r = spawnSync("npm", ["run", "--silent", "restore", "--", "syncthing", "--stack", DEV_STACK, "--project", path.join(home, ".pulumi-local")], {
            cwd: ROOT,
            env: { ...env, NOMAD_ADDR: address, NOMAD_TOKEN: "" },
            encoding: "utf8",
        });
        timings.restore = Date.now() - start;
        const out = `${r.stdout}\n${r.stderr}`;
        assert.strictEqual(r.status, 0, out);
        assert.match(out, /checking snapshot latest for .*syncthing on dev3, from its own snapshots \(job restic-restore-dev3\)/);
        assert.match(out, /restore: stopping job syncthing/);
        assert.strictEqual(fs.readFileSync(marker(), "utf8"), "saved on dev3\n", "the marker is back in dev3's folder");
        const kept = fs.readdirSync(path.dirname(syncthingData())).filter((f) => f.startsWith("syncthing.pre-restore-"));
        assert.strictEqual(kept.length, 1, "what was there is kept beside it");
        const stack = YAML.parse(fs.readFileSync(path.join(home, ".pulumi-local", `Pulumi.${DEV_STACK}.yaml`), "utf8"));
        const devData = fs.readdirSync(stack.config["hydra:node"].dataDir as string);
        assert.deepStrictEqual(
            devData.filter((f) => f.includes("pre-restore")),
            [],
            "nothing restored on the primary",
        );
        type Child = { ID: string; ParentID: string };
        const runs = (await api<Child[]>(address, "GET", "/v1/jobs?prefix=restic-restore")).filter((j) => j.ParentID);
        const where = new Set<string>();
        for (const run of runs) {
            for (const a of await api<Alloc[]>(address, "GET", `/v1/job/${encodeURIComponent(run.ID)}/allocations`)) {
                where.add(`${run.ParentID} ${a.NodeName}`);
            }
        }
        assert.deepStrictEqual([...where], ["restic-restore-dev3 dev3"], "the check and the restore ran on dev3 only");
        let running: Alloc[] = [];
        for (const until = Date.now() + 120_000; running.length === 0 && Date.now() < until;) {
            await new Promise((r) => setTimeout(r, 1000));
            running = await allocations("syncthing");
        }
        assert.deepStrictEqual(
            running.map((a) => a.NodeName),
            ["dev3"],
            "Syncthing runs again, on dev3",
        );
    });

    it("refuses an arm64-only app at once, with Nomad's reason in up's output", () => {
        const e = engine();
        // The config check passes (dev3 is declared arm64, as a Pi would be); Nomad sees every CPU is amd64.
        e.must(["config", "set", "--path", "hydra:nodes.dev3.arch", "arm64"]);
        e.must(["config", "set", "--path", "hydra:apps.doggo.archs[0]", "arm64"]);
        const start = Date.now();
        const r = e.run(["up", "--yes", "--skip-preview", "--stack", DEV_STACK]);
        timings.armUp = Date.now() - start;
        const out = `${r.stdout}\n${r.stderr}`;
        assert.notStrictEqual(r.status, 0, out);
        assert.match(out, /NomadJob "doggo"/, out.slice(-3000));
        assert.match(out, /\$\{attr\.cpu\.arch\} = arm64/, out.slice(-3000));
        console.log(
            `      up says: ${out
                .split("\n")
                .find((l) => l.includes("attr.cpu.arch"))
                ?.trim()}`,
        );
    });

    it("npm run dev -- --down stops every agent by its own PID and unmounts the tasks' secrets", async () => {
        const pids = ["dev", "dev2", "dev3"].map((n) => Number(fs.readFileSync(path.join(nodesDir, n, "agent.pid"), "utf8")));
        assert.ok(pids.every(alive));
        const secrets = mountsUnder(nodesDir).filter((m) => m.endsWith("/secrets"));
        assert.ok(secrets.length > 0, "the tasks have secrets mounts before");
        h.downRan = true;
        const r = dev(["--down"]);
        assert.strictEqual(r.status, 0, r.output.slice(-4000));
        assert.match(r.output, /Nomad cluster stopped, each agent by its PID: dev, dev2, dev3\./);
        assert.deepStrictEqual(pids.filter(alive), []);
        assert.deepStrictEqual(mountsUnder(nodesDir), []);
        assert.deepStrictEqual(processesUnder(nodesDir), []);
        const lo = spawnSync("ip", ["-br", "addr", "show", "lo"], { encoding: "utf8" }).stdout;
        assert.ok(!lo.includes(h.publicAddress(2)), lo);
        console.log(`      ${secrets.length} secrets mounts before, none after`);
    });
});
