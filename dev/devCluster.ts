// `npm run dev -- --nodes N [--servers S]`: the dev estate as a Nomad cluster on this machine.
// The primary (node.name, server and client), the next S-1 nodes servers and clients, the rest
// clients, each agent on its own tailnet stand-in with Nomad's own RPC and Serf ports and the
// estate's cluster drop-in (dev/clusterAgents.ts, dev/programAgents.ts), all clients on the one
// private Docker daemon. The stack declares the others as `existing` nodes with these addresses.
import * as fs from "fs";
import * as path from "path";
import { CLUSTER_CONFIG_FILE, NOMAD_RPC_PORT, NOMAD_SERF_PORT, renderClusterAgentConfig } from "../components/clusterAgentConfig";
import { NOMAD_TELEMETRY } from "../components/nomadAgentConfig";
import { ClusterNode } from "../config";
import { dockerPlugin } from "./agent";
import { endOrphanedTasks, LocalAgent, localAgentConfig, pidFile, processesUnder, startLocalAgentWith, stopLocalCluster } from "./clusterAgents";
import { livePid } from "./pids";
import { DevNodeAddresses } from "./network";
import { nomadGet } from "./nomadApi";

export interface DevClusterNode {
    name: string;
    primary: boolean;
    /** A Nomad server (and client); the primary always is. */
    server: boolean;
    public: boolean;
    /** Where apps placed here keep their data; the primary's is the dev data folder. */
    dataDir?: string;
    addresses: DevNodeAddresses;
}

export interface DevCluster {
    nodes: DevClusterNode[];
    /** Every agent's HTTP port, each on its own address (RPC and Serf on Nomad's own ports there, as the program's drop-ins say). */
    httpPort: number;
}

/**
 * The layout of `addresses.length` nodes: the primary; the second, public, so that the public
 * proxy runs twice; from the third on, nodes with a data folder of their own and no public address.
 * The first `servers` (1 unless set) are servers.
 */
export function devClusterLayout(
    primaryName: string,
    addresses: DevNodeAddresses[],
    o: { agentDir: string; dataDir: string; httpPort: number; servers?: number },
): DevCluster {
    const nodes = addresses.map((a, k) => {
        const name = k === 0 ? primaryName : `${primaryName}${k + 1}`;
        return {
            name,
            primary: k === 0,
            server: k < (o.servers ?? 1),
            public: k < 2,
            dataDir: k === 0 ? o.dataDir : k >= 2 ? path.join(nodesDir(o.agentDir), name, "hydra-data") : undefined,
            addresses: a,
        };
    });
    return { nodes, httpPort: o.httpPort };
}

export const nodesDir = (agentDir: string): string => path.join(agentDir, "nodes");
const layoutFile = (agentDir: string) => path.join(nodesDir(agentDir), "layout.json");

/** The layout the running agents were started with. */
export function readLayout(agentDir: string): DevCluster | undefined {
    return fs.existsSync(layoutFile(agentDir)) ? (JSON.parse(fs.readFileSync(layoutFile(agentDir), "utf8")) as DevCluster) : undefined;
}

export function writeLayout(agentDir: string, c: DevCluster): void {
    fs.mkdirSync(nodesDir(agentDir), { recursive: true });
    fs.writeFileSync(layoutFile(agentDir), JSON.stringify(c, null, 2));
}

/** The stack's config for the cluster: the other nodes as `existing` machines, and Syncthing's data on the first node that has its own. */
export function devClusterConfig(c: DevCluster): Record<string, unknown> {
    const others = c.nodes.filter((n) => !n.primary);
    const nodes = Object.fromEntries(
        others.map((n) => [
            n.name,
            {
                ...(n.server ? { role: "both" } : {}),
                target: "existing",
                public: n.public,
                tailnetAddress: n.addresses.tailnet,
                ...(n.public ? { publicAddress: n.addresses.public } : {}),
                ...(n.dataDir ? { dataDir: n.dataDir } : {}),
            },
        ]),
    );
    const dataNode = others.find((n) => n.dataDir);
    return { "hydra:nodes": nodes, ...(dataNode ? { "hydra:apps": { syncthing: { node: dataNode.name } } } : {}) };
}

function clusterNode(n: DevClusterNode): ClusterNode {
    return {
        name: n.name,
        primary: n.primary,
        role: n.server ? "both" : "client",
        target: "existing",
        public: n.public,
        arch: "amd64",
        dataDir: n.dataDir,
        tailnetAddress: n.addresses.tailnet,
        publicAddress: n.addresses.public,
        region: "blr1",
        size: "s-1vcpu-1gb",
    };
}

/** Each node's agent: on its tailnet stand-in, its tasks on its own two stand-ins, docker on the shared daemon, the node's telemetry. */
export function devClusterAgents(c: DevCluster, o: { agentDir: string; dockerEndpoint: string }): LocalAgent[] {
    const extraConfig = [...NOMAD_TELEMETRY, dockerPlugin(o.dockerEndpoint, true)].join("\n");
    return c.nodes.map((n) => ({
        node: clusterNode(n),
        address: n.addresses.tailnet,
        httpPort: c.httpPort,
        rpcPort: NOMAD_RPC_PORT,
        serfPort: NOMAD_SERF_PORT,
        dir: path.join(nodesDir(o.agentDir), n.name),
        hostNetworks: { tailnet: n.addresses.tailnet, public: n.addresses.public },
        ...(n.primary ? { alsoHttpOn: "127.0.0.1" } : {}),
        extraConfig,
        // raw_exec tasks inherit it: the backup's `docker exec` dumps reach the private daemon.
        env: { ...process.env, DOCKER_HOST: o.dockerEndpoint },
    }));
}

/** Waits for a leader, every node ready, and the docker driver healthy on each (so that no job is placed before). */
export async function waitForCluster(agents: LocalAgent[], timeoutMs: number): Promise<void> {
    const api = `http://${agents[0].address}:${agents[0].httpPort}`;
    const deadline = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < deadline) {
        try {
            const nodes = await nomadGet<{ ID: string; Name: string; Status: string }[]>(api, "/v1/nodes", {}, 2);
            const states = await Promise.all(
                agents.map(async (a) => {
                    const n = nodes.find((x) => x.Name === a.node.name && x.Status === "ready");
                    type Drivers = { Drivers: Record<string, { Healthy: boolean; HealthDescription: string }> };
                    const docker = n ? (await nomadGet<Drivers>(api, `/v1/node/${n.ID}`, {}, 2)).Drivers.docker : undefined;
                    return { name: a.node.name, ready: !!n, docker: docker?.Healthy ? "healthy" : (docker?.HealthDescription ?? "not detected") };
                }),
            );
            if (states.every((s) => s.ready && s.docker === "healthy")) {
                return;
            }
            last = states.map((s) => `${s.name}: ${s.ready ? "ready" : "not ready"}, docker ${s.docker}`).join("; ");
        } catch (e) {
            last = (e as Error).message;
        }
        await new Promise((r) => setTimeout(r, 500));
    }
    const logs = agents.map((a) => `--- ${a.node.name} (${path.join(a.dir, "agent.log")})`).join("\n");
    throw new Error(`the dev cluster is not ready after ${timeoutMs / 1000}s (${last})\n${logs}`);
}

/** The files a node's agent starts with in a fresh cluster: what the program renders while the primary is the one server (its joinAddresses). */
export function seedFiles(a: LocalAgent, primary: LocalAgent, gossipKey: string): Record<string, string> {
    const dropIn = renderClusterAgentConfig({
        node: a.node,
        serverAddresses: [primary.address],
        clientServerAddresses: [`${primary.address}:${NOMAD_RPC_PORT}`],
        gossipKey,
    });
    return { "nomad.hcl": localAgentConfig(a, 1), [CLUSTER_CONFIG_FILE]: dropIn };
}

/** What a layout is apart from the nodes' roles: names, addresses, data folders, the HTTP port. */
const placesOf = (c: DevCluster) =>
    JSON.stringify([c.httpPort, c.nodes.map((n) => [n.name, n.primary, n.public, n.dataDir ?? null, n.addresses.tailnet, n.addresses.public])]);

/** Refuses a layout with fewer servers than the running cluster of the same nodes has (before anything is touched). */
export function refuseFewerServers(agentDir: string, c: DevCluster): void {
    const running = readLayout(agentDir);
    if (!running || placesOf(running) !== placesOf(c)) {
        return;
    }
    const lost = running.nodes.filter((n, k) => n.server && !c.nodes[k].server).map((n) => n.name);
    if (lost.length) {
        throw new Error(
            `${lost.join(", ")} run as Nomad servers: taking servers out of a cluster needs nomad operator raft remove-peer, which npm run dev does not do; ` +
                `keep --servers ${running.nodes.filter((n) => n.server).length}, or npm run dev -- --down first`,
        );
    }
}

/** Starts an agent that is not running again from its own folder: its config files and data as they were, like a machine that comes back. */
export function reviveAgent(a: LocalAgent, nomad: string): void {
    const dir = path.join(a.dir, "config");
    startLocalAgentWith(a, nomad, Object.fromEntries(fs.readdirSync(dir).map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")])));
}

/**
 * Starts the cluster, or keeps the one running from `agentDir` when it has the same nodes (an
 * agent that was killed comes back with its data). A cluster never loses a server here: fewer
 * servers than run is refused. A new cluster starts empty, like the dev agent (`pulumi up
 * --refresh` recreates the jobs), its primary the one server; after the up, each agent takes the
 * files the program rendered for its node (dev/programAgents.ts).
 */
export async function startDevCluster(
    c: DevCluster,
    o: { agentDir: string; dockerEndpoint: string; nomad: string; gossipKey: string },
): Promise<{ agents: LocalAgent[]; started: boolean }> {
    const running = readLayout(o.agentDir);
    if (running && placesOf(running) === placesOf(c)) {
        refuseFewerServers(o.agentDir, c);
        const agents = devClusterAgents(running, o);
        const dead = agents.filter((a) => livePid(pidFile(a)) === undefined);
        if (dead.length < agents.length) {
            for (const a of dead) {
                reviveAgent(a, o.nomad);
            }
            await waitForCluster(agents, 120_000);
            return { agents, started: false };
        }
    }
    await stopDevCluster(o.agentDir);
    const seed: DevCluster = { ...c, nodes: c.nodes.map((n) => ({ ...n, server: n.primary })) };
    writeLayout(o.agentDir, seed);
    const agents = devClusterAgents(seed, o);
    for (const a of agents) {
        fs.rmSync(path.join(a.dir, "data"), { recursive: true, force: true });
        startLocalAgentWith(a, o.nomad, seedFiles(a, agents[0], o.gossipKey));
    }
    await waitForCluster(agents, 90_000);
    return { agents, started: true };
}

/** Waits until the agent answers with a leader (the cluster has one, and this agent knows it); returns the leader's RPC address. */
export async function waitForLeader(a: LocalAgent, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < deadline) {
        try {
            const leader = await nomadGet<string>(`http://${a.address}:${a.httpPort}`, "/v1/status/leader", {}, 2);
            if (leader) {
                return leader;
            }
            last = "no leader";
        } catch (e) {
            last = (e as Error).message;
        }
        await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`${a.node.name} has no leader after ${timeoutMs / 1000}s (${last}); its log: ${path.join(a.dir, "agent.log")}`);
}

/**
 * Gets the dev cluster ready for `pulumi destroy`: a killed primary (where nomad.address points)
 * is started again from its folder, with its data, and must see a leader. Other killed agents
 * stay down; stopDevCluster ends their tasks.
 */
export async function reviveDevPrimary(agentDir: string, nomad: string): Promise<string | undefined> {
    const c = readLayout(agentDir);
    const primary = c ? devClusterAgents(c, { agentDir, dockerEndpoint: "" })[0] : undefined;
    if (!primary || livePid(pidFile(primary)) !== undefined) {
        return undefined;
    }
    reviveAgent(primary, nomad);
    await waitForLeader(primary, 120_000);
    return primary.node.name;
}

/**
 * Stops the dev cluster of `agentDir`, if there is one: its jobs first (a stopped client leaves its
 * tasks running), then every agent by its own PID, the mounts its tasks left unmounted; the tasks
 * of an agent that was killed (and so never stopped them) are ended. Returns the nodes it stopped,
 * their addresses, and the PIDs still running under the nodes' folder (none, normally).
 */
export async function stopDevCluster(agentDir: string): Promise<{ nodes: DevClusterNode[]; left: number[] } | undefined> {
    const c = readLayout(agentDir);
    if (!c) {
        return undefined;
    }
    // The docker endpoint does not matter to stopping: only the agents' folders and addresses do.
    const agents = devClusterAgents(c, { agentDir, dockerEndpoint: "" });
    const killed = agents.filter((a) => livePid(pidFile(a)) === undefined);
    let left = await stopLocalCluster(agents, nodesDir(agentDir));
    if (left.length && killed.length) {
        for (const a of killed) {
            await endOrphanedTasks(a);
        }
        left = processesUnder(nodesDir(agentDir));
    }
    fs.rmSync(layoutFile(agentDir), { force: true });
    return { nodes: c.nodes, left };
}

/** What `npm run dev -- --nodes N` prints: each node, its stand-ins, and the allocations running on it. */
export async function describeNodes(address: string, c: DevCluster): Promise<string> {
    const allocs = await nomadGet<{ JobID: string; NodeName: string; ClientStatus: string }[]>(address, "/v1/allocations", {}, 2);
    const lines = ["NODE      TAILNET          PUBLIC           DATA   RUNNING"];
    for (const n of c.nodes) {
        const running = allocs.filter((a) => a.NodeName === n.name && a.ClientStatus === "running").map((a) => a.JobID);
        const pub = n.public ? n.addresses.public : "-";
        lines.push(
            `${n.name.padEnd(10)}${n.addresses.tailnet.padEnd(17)}${pub.padEnd(17)}${(n.dataDir ? "yes" : "-").padEnd(7)}${[...new Set(running)].sort().join(", ") || "-"}`,
        );
    }
    return lines.join("\n");
}
