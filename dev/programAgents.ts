// After `pulumi up`, each agent of a dev cluster takes the files the program rendered for its
// node (the secret stack output joinScripts), as the machine that runs its join script would:
// the cluster's drop-in verbatim, and the role and bootstrap_expect of the program's base config
// (the rest of the base is this machine's: addresses, folders, the private Docker daemon). So a
// cluster that grows here grows on the program's own config.
import * as path from "path";
import { CLUSTER_CONFIG_FILE } from "../components/clusterAgentConfig";
import { hasLocalAgentFiles, LocalAgent, localAgentConfig, pidFile, startLocalAgentWith, stopLocalAgent } from "./clusterAgents";
import { DevCluster, devClusterAgents, waitForCluster, writeLayout } from "./devCluster";
import { programAgentFiles } from "./joinScriptFiles";
import { livePid } from "./pids";
import { nomadGet } from "./nomadApi";

type RaftConfiguration = { Servers: { Node: string; Voter: boolean; Leader: boolean }[] };

/** The agent's files from its node's join script; refuses a role other than the one npm run dev declared. */
export function programFiles(a: LocalAgent, script: string | undefined): Record<string, string> {
    if (script === undefined) {
        throw new Error(`the stack output joinScripts has no script for ${a.node.name}`);
    }
    const p = programAgentFiles(a.node.name, script);
    if (p.role && p.role.role !== a.node.role) {
        throw new Error(`the program renders ${a.node.name} as a ${p.role.role} agent, but npm run dev declared it ${a.node.role}`);
    }
    return { "nomad.hcl": localAgentConfig(a, p.role?.bootstrapExpect ?? 1), [CLUSTER_CONFIG_FILE]: p.dropIn };
}

/** The Raft voters (node names, sorted) and the leader, as any agent that answers sees them. */
export async function raftVoters(agents: LocalAgent[]): Promise<{ voters: string[]; leader?: string }> {
    for (const a of agents) {
        try {
            const servers = (await nomadGet<RaftConfiguration>(`http://${a.address}:${a.httpPort}`, "/v1/operator/raft/configuration", {}, 2)).Servers;
            const name = (node: string) => node.replace(/\.[^.]+$/, "");
            return {
                voters: servers
                    .filter((s) => s.Voter)
                    .map((s) => name(s.Node))
                    .sort(),
                leader: servers.filter((s) => s.Leader).map((s) => name(s.Node))[0],
            };
        } catch {
            // not answering: ask the next one
        }
    }
    return { voters: [] };
}

async function waitForVoters(agents: LocalAgent[], expected: string[], timeoutMs: number): Promise<{ voters: string[]; leader?: string }> {
    const deadline = Date.now() + timeoutMs;
    let seen: { voters: string[]; leader?: string } = { voters: [] };
    while (Date.now() < deadline) {
        seen = await raftVoters(agents);
        if (seen.leader && JSON.stringify(seen.voters) === JSON.stringify(expected)) {
            return seen;
        }
        await new Promise((r) => setTimeout(r, 1000));
    }
    const logs = agents.map((a) => path.join(a.dir, "agent.log")).join(", ");
    throw new Error(
        `the dev cluster's Raft voters are ${seen.voters.join(", ") || "none"}, not ${expected.join(", ")}, after ${timeoutMs / 1000}s (logs: ${logs})`,
    );
}

async function restart(agents: LocalAgent[], files: Map<LocalAgent, Record<string, string>>, nomad: string): Promise<void> {
    await Promise.all(agents.map((a) => stopLocalAgent(a)));
    for (const a of agents) {
        startLocalAgentWith(a, nomad, files.get(a)!);
    }
}

/**
 * Gives every agent the files of its node's join script. An agent whose files change restarts
 * with its data: the other nodes first (new servers join the primary, which leads alone until
 * they are voters), then the primary, so the cluster keeps a quorum throughout. Waits for every
 * server to be a voter and every node ready; records the layout as it now runs.
 */
export async function applyProgramFiles(
    c: DevCluster,
    scripts: Record<string, string>,
    o: { agentDir: string; dockerEndpoint: string; nomad: string },
): Promise<{ restarted: string[]; voters: string[]; leader?: string }> {
    const agents = devClusterAgents(c, o);
    const files = new Map(agents.map((a) => [a, programFiles(a, scripts[a.node.name])]));
    const changed = agents.filter((a) => !hasLocalAgentFiles(a, files.get(a)!) || livePid(pidFile(a)) === undefined);
    const servers = c.nodes
        .filter((n) => n.server)
        .map((n) => n.name)
        .sort();
    const others = changed.filter((a) => !a.node.primary);
    if (others.length) {
        await restart(others, files, o.nomad);
        await waitForVoters(agents, servers, 180_000);
    }
    if (changed.some((a) => a.node.primary)) {
        await restart([agents[0]], files, o.nomad);
    }
    const seen = await waitForVoters(agents, servers, 180_000);
    if (changed.length) {
        await waitForCluster(agents, 120_000);
    }
    writeLayout(o.agentDir, c);
    return { restarted: changed.map((a) => a.node.name), ...seen };
}
