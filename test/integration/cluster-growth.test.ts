/**
 * Growing the cluster from 1 server to 3 on a real Nomad 1.6 on this machine, the way the estate
 * does it: the first server, bootstrapped alone and holding a job and a variable, gets the
 * cluster's drop-in (its join script: the gossip key, the join list) and restarts; two new
 * servers with bootstrap_expect = 3 join it. Nothing may be lost, and the cluster must still
 * answer when the leader is killed.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { endOrphanedTasks, LocalAgent, rpcAddress, startLocalAgent, stopLocalAgent, stopLocalCluster } from "../../dev/clusterAgents";
import { livePid } from "../../dev/pids";
import { projectTool } from "../support/tools";
import { api, placeAgents, testNode, until } from "./localCluster";

const GOSSIP_KEY = Buffer.alloc(32, 0x33).toString("base64");

describe("a Nomad cluster on this machine: growing from 1 server to 3", function () {
    this.timeout(600_000);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "hydra-cluster-growth-"));
    const nomad = projectTool("nomad");
    let agents: LocalAgent[] = [];
    let floyd: LocalAgent;
    const timings: Record<string, number> = {};
    const job = {
        ID: "kept",
        Name: "kept",
        Type: "service",
        Datacenters: ["hydra"],
        TaskGroups: [{ Name: "app", Count: 1, Tasks: [{ Name: "run", Driver: "raw_exec", Config: { command: "/bin/sh", args: ["-c", "exec sleep 3600"] } }] }],
    };

    before(async () => {
        agents = await placeAgents(root, [
            testNode("floyd", { primary: true, role: "both", target: "digitalocean" }),
            testNode("gilmour", { role: "server", target: "digitalocean" }),
            testNode("waters", { role: "server", target: "digitalocean" }),
        ]);
        floyd = agents[0];
    });

    after(async () => {
        // The agent killed with SIGKILL never stopped its tasks, as on a machine that crashed: end them here.
        for (const a of agents.filter((x) => livePid(path.join(x.dir, "agent.pid")) === undefined)) {
            await endOrphanedTasks(a);
        }
        const left = await stopLocalCluster(agents, root);
        assert.deepStrictEqual(left, [], "no task or executor outlives the cluster");
        fs.rmSync(root, { recursive: true, force: true });
        console.log(`      timings (ms): ${JSON.stringify(timings)}`);
    });

    const voters = async (a: LocalAgent) =>
        ((await api(a, "/v1/operator/raft/configuration")).Servers as { Node: string; Voter: boolean }[])
            .filter((s) => s.Voter)
            .map((s) => s.Node.replace(/\.global$/, ""))
            .sort();

    it("starts with one server, bootstrapped alone, holding a job and a variable", async () => {
        startLocalAgent(floyd, { nomad, servers: [floyd], bootstrapExpect: 1 });
        await until("floyd's leader and client", async () => ((await api(floyd, "/v1/nodes")).length === 1 ? true : undefined), agents);
        await api(floyd, "/v1/jobs", "PUT", { Job: job });
        await api(floyd, "/v1/var/nomad/jobs/kept", "PUT", { Namespace: "default", Path: "nomad/jobs/kept", Items: { answer: "42" } });
        await until("the job running", async () => ((await api(floyd, "/v1/job/kept")).Status === "running" ? true : undefined), agents);
        assert.deepStrictEqual(await voters(floyd), ["floyd"]);
    });

    it("grows to three voters when the first restarts with the cluster's drop-in and two servers join it", async () => {
        const started = Date.now();
        // The primary's join script: the drop-in (with the gossip key) and a restart.
        await stopLocalAgent(floyd);
        startLocalAgent(floyd, { nomad, servers: [floyd], gossipKey: GOSSIP_KEY, bootstrapExpect: 1 });
        // Both new servers in one `up`, each with bootstrap_expect = 3 and the primary to join.
        for (const a of agents.slice(1)) {
            startLocalAgent(a, { nomad, servers: [floyd], gossipKey: GOSSIP_KEY, bootstrapExpect: 3 });
        }
        const three = await until(
            "three voters",
            async () => {
                const v = await voters(agents[1]);
                return v.length === 3 ? v : undefined;
            },
            agents,
            120_000,
        );
        timings.grow = Date.now() - started;
        assert.deepStrictEqual(three, ["floyd", "gilmour", "waters"]);
    });

    it("kept the job and the variable, readable from a new server", async () => {
        const gilmour = agents[1];
        assert.strictEqual((await api(gilmour, "/v1/job/kept")).ID, "kept");
        assert.deepStrictEqual((await api(gilmour, "/v1/var/nomad/jobs/kept")).Items, { answer: "42" });
    });

    it("still answers when the leader is killed", async () => {
        const leader = await api<string>(floyd, "/v1/status/leader");
        const dead = agents.find((a) => leader === rpcAddress(a));
        assert.ok(dead, `the leader ${leader} is one of ours`);
        const pid = livePid(path.join(dead.dir, "agent.pid"));
        assert.ok(pid, "the leader's agent is running");
        const started = Date.now();
        process.kill(pid, "SIGKILL");
        const survivor = agents.find((a) => a !== dead)!;
        const next = await until(
            "a new leader",
            async () => {
                const l = await api<string>(survivor, "/v1/status/leader");
                return l && l !== leader ? l : undefined;
            },
            agents,
            60_000,
        );
        timings.failover = Date.now() - started;
        assert.notStrictEqual(next, leader);
        assert.strictEqual((await api(survivor, "/v1/job/kept")).ID, "kept");
        assert.deepStrictEqual((await api(survivor, "/v1/var/nomad/jobs/kept")).Items, { answer: "42" });
    });
});
