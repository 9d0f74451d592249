/**
 * Issue 15's growth through the program: an estate up with `npm run dev -- --nodes 3` (one
 * server, two clients), then `npm run dev -- --nodes 3 --servers 3`: one `pulumi up` declares
 * both new servers, each agent restarts on the files its node's join script (a stack output)
 * holds, and the cluster has three voters with every job and variable kept. Then the leader's
 * agent is killed and the cluster must still answer; `npm run dev -- --down` cleans up after it.
 * One estate for both phases, in a home of its own (HYDRA_DEV_HOME, bridge, stand-ins, port).
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { processesUnder } from "../../dev/clusterAgents";
import { mountsUnder } from "../../dev/mounts";
import { alive } from "../../dev/pids";
import { freePorts } from "../support/nomadAgent";
import { api } from "./devEstate";
import { devHome } from "./devHome";

const NODES = ["dev", "dev2", "dev3"];

type Raft = { Servers: { Node: string; Voter: boolean; Leader: boolean }[] };
type JobStub = { ID: string; Version: number; JobModifyIndex: number; Status: string };
type VarStub = { Path: string; ModifyIndex: number };

describe("integration: growing the dev estate from 1 Nomad server to 3 with one pulumi up", function () {
    this.timeout(1_200_000);
    const h = devHome("growth", { bridge: "hyg", publicNet: "127.125" });
    const { home, env, tailnet, dev, timings } = h;
    const nodesDir = path.join(home, ".nomad-dev", "nodes");
    let port = 0;
    /** Each node's API on its own tailnet stand-in (the primary's also on 127.0.0.1). */
    const nodeApi = (name: string) => `http://${tailnet(NODES.indexOf(name) + 1)}:${port}`;
    let growOutput = "";
    let killed = "";
    const before: { jobs: JobStub[]; vars: Record<string, { index: number; items: unknown }> } = { jobs: [], vars: {} };

    const raft = async (address: string) => {
        const servers = (await api<Raft>(address, "GET", "/v1/operator/raft/configuration")).Servers;
        const name = (s: { Node: string }) => s.Node.replace(/\.global$/, "");
        return {
            voters: servers
                .filter((s) => s.Voter)
                .map(name)
                .sort(),
            leader: servers.filter((s) => s.Leader).map(name)[0],
        };
    };
    const jobs = async (address: string) =>
        (await api<JobStub[]>(address, "GET", "/v1/jobs")).map((j) => ({ ID: j.ID, Version: j.Version, JobModifyIndex: j.JobModifyIndex, Status: j.Status }));
    /** Every variable's ModifyIndex and items (compared, never printed: they are the estate's secrets). */
    const variables = async (address: string) => {
        const out: Record<string, { index: number; items: unknown }> = {};
        for (const v of await api<VarStub[]>(address, "GET", "/v1/vars")) {
            const full = await api<{ ModifyIndex: number; Items: unknown }>(address, "GET", `/v1/var/${v.Path}`);
            out[v.Path] = { index: full.ModifyIndex, items: full.Items };
        }
        return out;
    };
    const pidOf = (name: string) => Number(fs.readFileSync(path.join(nodesDir, name, "agent.pid"), "utf8"));

    it("starts with one server (the primary) and two clients, the estate deployed by the real engine", async () => {
        port = await freePorts();
        env.HYDRA_DEV_NOMAD_PORT = String(port);
        const r = dev(["--nodes", "3"]);
        assert.strictEqual(r.status, 0, r.output.slice(-6000));
        assert.deepStrictEqual((await raft(nodeApi("dev"))).voters, ["dev"]);
        // A fresh cluster starts on what the join scripts then hold: nothing restarts after the up.
        assert.match(r.output, /Nomad servers \(Raft voters\): dev; leader dev; no agent restarted/);
        before.jobs = await jobs(nodeApi("dev"));
        before.vars = await variables(nodeApi("dev"));
        assert.ok(before.jobs.length >= 5, `jobs: ${before.jobs.map((j) => j.ID).join(", ")}`);
        assert.ok(Object.keys(before.vars).length >= 3, `variables: ${Object.keys(before.vars).join(", ")}`);
        console.log(`      ${before.jobs.length} jobs, ${Object.keys(before.vars).length} variables before`);
    });

    it("grows to three voters with npm run dev -- --nodes 3 --servers 3: one up, both new servers on their join scripts' files", async () => {
        const pids = Object.fromEntries(NODES.map((n) => [n, pidOf(n)]));
        const r = dev(["--nodes", "3", "--servers", "3"]);
        growOutput = r.output;
        assert.strictEqual(r.status, 0, r.output.slice(-6000));
        assert.match(r.output, /Nomad cluster, already running: dev /, "the running cluster is kept, not started afresh");
        assert.match(
            r.output,
            /Nomad servers \(Raft voters\): dev, dev2, dev3; leader (dev|dev2|dev3); restarted on the join scripts' files \([\d.]+s\): dev, dev2, dev3/,
        );
        assert.deepStrictEqual((await raft(nodeApi("dev2"))).voters, NODES);
        // Each agent restarted (a new PID), and runs exactly the drop-in its node's join script writes.
        for (const n of NODES) {
            assert.notStrictEqual(pidOf(n), pids[n], `${n} restarted`);
        }
        const dropIn = fs.readFileSync(path.join(nodesDir, "dev2", "config", "cluster.hcl"), "utf8");
        assert.match(dropIn, new RegExp(`retry_join = \\["${tailnet(1)}", "${tailnet(2)}", "${tailnet(3)}"\\]`.replace(/\./g, "\\.")));
        assert.match(fs.readFileSync(path.join(nodesDir, "dev2", "config", "nomad.hcl"), "utf8"), /bootstrap_expect = 3/);
        assert.match(fs.readFileSync(path.join(nodesDir, "dev", "config", "nomad.hcl"), "utf8"), /bootstrap_expect = 1/);
    });

    it("replaced no resource: the up's summary has nothing replaced or deleted", () => {
        const summary = growOutput.slice(growOutput.lastIndexOf("Resources:"));
        assert.ok(growOutput.includes("Resources:"), growOutput.slice(-4000));
        assert.doesNotMatch(summary.split("\n\n")[0], /replaced|deleted/, summary);
        const outputs = growOutput.slice(growOutput.lastIndexOf("Outputs:"), growOutput.lastIndexOf("Resources:"));
        console.log(
            `      up: ${summary.split("\n\n")[0].replace(/\s+/g, " ").trim()}; ${outputs
                .split("\n")
                .find((l) => l.includes("joinScripts"))
                ?.trim()}`,
        );
    });

    it("refuses to take a server out (npm run dev -- --nodes 3 again) before touching anything", async () => {
        const r = dev(["--nodes", "3"], "refused");
        assert.notStrictEqual(r.status, 0, r.output.slice(-3000));
        assert.match(r.output, /dev2, dev3 run as Nomad servers: taking servers out of a cluster needs nomad operator raft remove-peer/);
        assert.deepStrictEqual((await raft(nodeApi("dev"))).voters, NODES);
    });

    it("kept every job (same version, not re-registered) and every variable (same index and items)", async () => {
        const now = await jobs(nodeApi("dev3"));
        assert.deepStrictEqual(
            now.map(({ ID, Version, JobModifyIndex }) => ({ ID, Version, JobModifyIndex })).sort((a, b) => a.ID.localeCompare(b.ID)),
            before.jobs.map(({ ID, Version, JobModifyIndex }) => ({ ID, Version, JobModifyIndex })).sort((a, b) => a.ID.localeCompare(b.ID)),
        );
        assert.deepStrictEqual(await variables(nodeApi("dev3")), before.vars);
    });

    it("still answers when the leader's agent is killed: a new leader, the jobs and variables readable", async () => {
        const { leader } = await raft(nodeApi("dev"));
        assert.ok(leader && NODES.includes(leader), `leader ${leader}`);
        killed = leader;
        const pid = pidOf(leader);
        const start = Date.now();
        process.kill(pid, "SIGKILL");
        const survivor = NODES.find((n) => n !== leader)!;
        let next: string | undefined;
        while (Date.now() - start < 60_000) {
            next = await api<string>(nodeApi(survivor), "GET", "/v1/status/leader").catch(() => undefined);
            if (next && !next.startsWith(`${tailnet(NODES.indexOf(leader) + 1)}:`)) {
                break;
            }
            await new Promise((r) => setTimeout(r, 250));
        }
        timings.failover = Date.now() - start;
        assert.ok(next && !next.startsWith(`${tailnet(NODES.indexOf(leader) + 1)}:`), `no new leader within 60 s (last: ${next})`);
        assert.ok(timings.failover < 30_000, `a new leader after ${timings.failover} ms`);
        assert.deepStrictEqual((await jobs(nodeApi(survivor))).map((j) => j.ID).sort(), before.jobs.map((j) => j.ID).sort());
        assert.deepStrictEqual(await variables(nodeApi(survivor)), before.vars);
        console.log(`      killed ${leader} (${leader === "dev" ? "the primary" : "not the primary"}); new leader ${next} after ${timings.failover} ms`);
    });

    it("loses its quorum when a second server is killed, the primary one of the two", async () => {
        const second = killed === "dev" ? "dev2" : "dev";
        process.kill(pidOf(second), "SIGKILL");
        killed += `, ${second}`;
        const left = NODES.find((n) => !killed.split(", ").includes(n))!;
        // One voter of three: no leader, so nothing is written until a machine comes back.
        let seen = "";
        for (let i = 0; i < 30 && !seen.includes("No cluster leader"); i++) {
            seen = await api<string>(nodeApi(left), "GET", "/v1/status/leader").then(
                (l) => `leader ${l}`,
                (e: Error) => e.message,
            );
            await new Promise((r) => setTimeout(r, 500));
        }
        assert.match(seen, /500 No cluster leader/, `${left} still answers ${seen}`);
    });

    it("npm run dev -- --down then brings the primary back for destroy, stops every agent by its PID, ends the killed one's tasks, unmounts every secret", async () => {
        const pids = NODES.map(pidOf);
        h.downRan = true;
        const r = dev(["--down"]);
        assert.strictEqual(r.status, 0, r.output.slice(-4000));
        assert.match(r.output, /Nomad cluster stopped, each agent by its PID: dev, dev2, dev3\./);
        // The primary (where nomad.address points) comes back from its folder and, with the one left, makes a quorum again.
        assert.match(r.output, /Nomad agent dev was not running: started again from its folder, for pulumi destroy\./);
        assert.deepStrictEqual(pids.filter(alive), []);
        assert.deepStrictEqual(mountsUnder(nodesDir), []);
        assert.deepStrictEqual(processesUnder(nodesDir), []);
        const lo = spawnSync("ip", ["-br", "addr", "show", "lo"], { encoding: "utf8" }).stdout;
        assert.ok(!lo.includes(h.publicAddress(2)), lo);
    });
});
