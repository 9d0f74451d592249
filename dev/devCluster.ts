// `npm run dev -- --nodes N`: the dev estate as a Nomad cluster on this machine. The primary
// (node.name, server and client) and N-1 clients, each agent on its own tailnet stand-in with
// the estate's own cluster drop-in (dev/clusterAgents.ts), all clients on the one private
// Docker daemon. The stack declares the others as `existing` nodes with these addresses.
import * as fs from "fs";
import * as path from "path";
import { NOMAD_TELEMETRY } from "../components/nomadAgentConfig";
import { ClusterNode } from "../config";
import { dockerPlugin } from "./agent";
import { hasLocalAgentFiles, LocalAgent, localAgentFiles, pidFile, startLocalAgent, stopLocalCluster } from "./clusterAgents";
import { livePid } from "./pids";
import { DevNodeAddresses } from "./network";

export interface DevClusterNode {
    name: string;
    primary: boolean;
    public: boolean;
    /** Where apps placed here keep their data; the primary's is the dev data folder. */
    dataDir?: string;
    addresses: DevNodeAddresses;
}

export interface DevCluster {
    nodes: DevClusterNode[];
    /** Every agent's HTTP port (RPC and Serf the next two), each on its own address. */
    httpPort: number;
}

/**
 * The layout of `addresses.length` nodes: the primary; the second, public, so that the public
 * proxy runs twice; from the third on, nodes with a data folder of their own and no public address.
 */
export function devClusterLayout(primaryName: string, addresses: DevNodeAddresses[], o: { agentDir: string; dataDir: string; httpPort: number }): DevCluster {
    const nodes = addresses.map((a, k) => {
        const name = k === 0 ? primaryName : `${primaryName}${k + 1}`;
        return {
            name,
            primary: k === 0,
            public: k < 2,
            dataDir: k === 0 ? o.dataDir : k >= 2 ? path.join(nodesDir(o.agentDir), name, "hydra-data") : undefined,
            addresses: a,
        };
    });
    return { nodes, httpPort: o.httpPort };
}

export const nodesDir = (agentDir: string): string => path.join(agentDir, "nodes");
const layoutFile = (agentDir: string) => path.join(nodesDir(agentDir), "layout.json");

/** The stack's config for the cluster: the other nodes as `existing` machines, and Syncthing's data on the first node that has its own. */
export function devClusterConfig(c: DevCluster): Record<string, unknown> {
    const others = c.nodes.filter((n) => !n.primary);
    const nodes = Object.fromEntries(
        others.map((n) => [
            n.name,
            {
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
        role: n.primary ? "both" : "client",
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
        dir: path.join(nodesDir(o.agentDir), n.name),
        hostNetworks: { tailnet: n.addresses.tailnet, public: n.addresses.public },
        ...(n.primary ? { alsoHttpOn: "127.0.0.1" } : {}),
        extraConfig,
        // raw_exec tasks inherit it: the backup's `docker exec` dumps reach the private daemon.
        env: { ...process.env, DOCKER_HOST: o.dockerEndpoint },
    }));
}

async function get<T>(url: string): Promise<T> {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    if (!res.ok) {
        throw new Error(`${url}: ${res.status} ${await res.text()}`);
    }
    return (await res.json()) as T;
}

/** Waits for a leader, every node ready, and the docker driver healthy on each (so that no job is placed before). */
async function waitForCluster(agents: LocalAgent[], timeoutMs: number): Promise<void> {
    const api = `http://${agents[0].address}:${agents[0].httpPort}`;
    const deadline = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < deadline) {
        try {
            const nodes = await get<{ ID: string; Name: string; Status: string }[]>(`${api}/v1/nodes`);
            const states = await Promise.all(
                agents.map(async (a) => {
                    const n = nodes.find((x) => x.Name === a.node.name && x.Status === "ready");
                    type Drivers = { Drivers: Record<string, { Healthy: boolean; HealthDescription: string }> };
                    const docker = n ? (await get<Drivers>(`${api}/v1/node/${n.ID}`)).Drivers.docker : undefined;
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

/**
 * Starts the cluster, or keeps the one running from `agentDir` when every agent runs with the same
 * config. A new cluster starts empty, like the dev agent: `pulumi up --refresh` recreates the jobs.
 */
export async function startDevCluster(
    c: DevCluster,
    o: { agentDir: string; dockerEndpoint: string; nomad: string; gossipKey: string },
): Promise<{ agents: LocalAgent[]; started: boolean }> {
    const agents = devClusterAgents(c, o);
    const start = { nomad: o.nomad, servers: agents.filter((a) => a.node.primary), gossipKey: o.gossipKey, bootstrapExpect: 1 };
    const same = JSON.stringify(readLayout(o.agentDir)) === JSON.stringify(c) && agents.every((a) => hasLocalAgentFiles(a, localAgentFiles(a, start)));
    if (same && agents.every((a) => livePid(pidFile(a)) !== undefined) && (await answers(agents))) {
        await waitForCluster(agents, 60_000);
        return { agents, started: false };
    }
    await stopDevCluster(o.agentDir);
    fs.mkdirSync(nodesDir(o.agentDir), { recursive: true });
    fs.writeFileSync(layoutFile(o.agentDir), JSON.stringify(c, null, 2));
    for (const a of agents) {
        fs.rmSync(path.join(a.dir, "data"), { recursive: true, force: true });
        startLocalAgent(a, start);
    }
    await waitForCluster(agents, 90_000);
    return { agents, started: true };
}

async function answers(agents: LocalAgent[]): Promise<boolean> {
    try {
        await get(`http://${agents[0].address}:${agents[0].httpPort}/v1/status/leader`);
        return true;
    } catch {
        return false;
    }
}

function readLayout(agentDir: string): DevCluster | undefined {
    return fs.existsSync(layoutFile(agentDir)) ? (JSON.parse(fs.readFileSync(layoutFile(agentDir), "utf8")) as DevCluster) : undefined;
}

/**
 * Stops the dev cluster of `agentDir`, if there is one: its jobs first (a stopped client leaves its
 * tasks running), then every agent by its own PID, the mounts its tasks left unmounted. Returns the
 * nodes it stopped, their addresses, and the PIDs still running under the nodes' folder (none, normally).
 */
export async function stopDevCluster(agentDir: string): Promise<{ nodes: DevClusterNode[]; left: number[] } | undefined> {
    const c = readLayout(agentDir);
    if (!c) {
        return undefined;
    }
    // The docker endpoint does not matter to stopping: only the agents' folders and addresses do.
    const agents = devClusterAgents(c, { agentDir, dockerEndpoint: "" });
    const left = await stopLocalCluster(agents, nodesDir(agentDir));
    fs.rmSync(layoutFile(agentDir), { force: true });
    return { nodes: c.nodes, left };
}

/** What `npm run dev -- --nodes N` prints: each node, its stand-ins, and the allocations running on it. */
export async function describeNodes(address: string, c: DevCluster): Promise<string> {
    const allocs = await get<{ JobID: string; NodeName: string; ClientStatus: string }[]>(`${address}/v1/allocations`);
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
