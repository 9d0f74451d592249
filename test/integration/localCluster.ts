// A local Nomad cluster for the cluster tests: agents on free loopback addresses and ports, the
// Nomad API, and waiting for what a cluster takes a moment to do.
import * as net from "net";
import { ClusterNode } from "../../config";
import { agentLogTail, httpAddress, LocalAgent } from "../../dev/clusterAgents";

/** A node of a test cluster, its unset fields as a droplet would have them. */
export function testNode(name: string, o: Partial<ClusterNode> = {}): ClusterNode {
    return { name, primary: false, role: "client", target: "existing", public: false, arch: "amd64", region: "blr1", size: "s-1vcpu-1gb", ...o };
}

async function free(address: string, port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const s = net.createServer();
        s.once("error", () => resolve(false));
        s.listen(port, address, () => s.close(() => resolve(true)));
    });
}

/** A loopback address of its own and three free ports from it (HTTP, RPC, Serf), for each node. */
export async function placeAgents(dir: string, nodes: ClusterNode[]): Promise<LocalAgent[]> {
    // A random third octet keeps parallel runs of this file apart.
    const octet = 100 + Math.floor(Math.random() * 150);
    const agents: LocalAgent[] = [];
    for (const [i, node] of nodes.entries()) {
        const address = `127.0.${octet}.${10 + i}`;
        for (let tries = 0; ; tries++) {
            const port = 20000 + Math.floor(Math.random() * 20000);
            if ((await free(address, port)) && (await free(address, port + 1)) && (await free(address, port + 2))) {
                agents.push({ node, address, httpPort: port, dir: `${dir}/${node.name}` });
                break;
            }
            if (tries > 50) {
                throw new Error(`no free ports for ${node.name} on ${address}`);
            }
        }
    }
    return agents;
}

/** A call to the agent's HTTP API; throws Nomad's own message on an error status. */
export async function api<T = any>(agent: LocalAgent, route: string, method = "GET", body?: unknown): Promise<T> {
    const res = await fetch(`${httpAddress(agent)}${route}`, {
        method,
        ...(body !== undefined ? { body: JSON.stringify(body), headers: { "Content-Type": "application/json" } } : {}),
        signal: AbortSignal.timeout(10_000),
    });
    const text = await res.text();
    if (!res.ok) {
        throw new Error(`${method} ${route}: ${res.status} ${text}`);
    }
    try {
        return JSON.parse(text) as T;
    } catch {
        // Log and file contents come as plain text.
        return text as T;
    }
}

/** Polls `check` until it returns a value (not undefined), or fails with the last thing it saw and the agents' logs. */
export async function until<T>(what: string, check: () => Promise<T | undefined>, agents: LocalAgent[], timeoutMs = 90_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < deadline) {
        try {
            const v = await check();
            if (v !== undefined) {
                return v;
            }
        } catch (e) {
            last = (e as Error).message;
        }
        await new Promise((r) => setTimeout(r, 500));
    }
    const logs = agents.map((a) => `--- ${a.node.name}:\n${agentLogTail(a, 8)}`).join("\n");
    throw new Error(`${what}: not within ${timeoutMs / 1000}s${last ? ` (last: ${last})` : ""}\n${logs}`);
}

/** The allocations of a job, with the node each runs on. */
export async function allocations(agent: LocalAgent, job: string): Promise<{ ID: string; NodeName: string; ClientStatus: string; TaskGroup: string }[]> {
    return api(agent, `/v1/job/${encodeURIComponent(job)}/allocations`);
}

/** What happened to a job's allocations: node, status, each task's events and the end of its stderr (for failure messages). */
export async function allocReport(agent: LocalAgent, job: string): Promise<string> {
    const lines: string[] = [];
    for (const a of await allocations(agent, job)) {
        const full = await api(agent, `/v1/allocation/${a.ID}`);
        lines.push(`${job} on ${a.NodeName}: ${a.ClientStatus}`);
        for (const [task, state] of Object.entries<any>(full.TaskStates ?? {})) {
            const events = (state.Events ?? []).map((e: { Type: string; DisplayMessage: string }) => `${e.Type}: ${e.DisplayMessage}`).join(" | ");
            const stderr = await api<string>(agent, `/v1/client/fs/logs/${a.ID}?task=${task}&type=stderr&plain=true&origin=end&offset=600`).catch((e) =>
                String(e),
            );
            lines.push(`  ${task} ${state.State}: ${events}\n  stderr: ${String(stderr).trim()}`);
        }
    }
    return lines.join("\n");
}
