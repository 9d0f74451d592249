// Several Nomad agents side by side on this machine, as the nodes of a cluster: each on its own
// loopback address and ports, with its own name, data_dir and cgroup_parent, and `advertise` set
// (without it an agent refuses to start). The cluster's part of each config is the estate's own
// drop-in (components/clusterAgentConfig.ts), so what is tested is what a node gets.
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ClusterNode, isClient, isServer } from "../config";
import { CLUSTER_CONFIG_FILE, renderClusterAgentConfig } from "../components/clusterAgentConfig";
import { unmountUnder } from "./mounts";
import { livePid, stopPid } from "./pids";

export interface LocalAgent {
    node: ClusterNode;
    /** Its own address (127.0.0.x, or a tailnet stand-in) and HTTP port; RPC and Serf are the next two unless set. */
    address: string;
    httpPort: number;
    rpcPort?: number;
    serfPort?: number;
    /** Its folder: config, data, log and pid file. */
    dir: string;
    /** Where its tasks listen: the tailscale and public host networks (127.0.0.1 for both unless set). */
    hostNetworks?: { tailnet: string; public: string };
    /** Another address its HTTP API answers on (the dev estate's primary: 127.0.0.1, where nomad.address points). */
    alsoHttpOn?: string;
    /** More of the agent's config: the docker plugin, telemetry. */
    extraConfig?: string;
    /** Its environment, which raw_exec tasks inherit (DOCKER_HOST for the backup's dumps). */
    env?: NodeJS.ProcessEnv;
}

export const httpAddress = (a: LocalAgent) => `http://${a.address}:${a.httpPort}`;
export const rpcPort = (a: LocalAgent) => a.rpcPort ?? a.httpPort + 1;
export const serfPort = (a: LocalAgent) => a.serfPort ?? a.httpPort + 2;
export const rpcAddress = (a: LocalAgent) => `${a.address}:${rpcPort(a)}`;
export const serfAddress = (a: LocalAgent) => `${a.address}:${serfPort(a)}`;

/** The base config of a local agent: its role, addresses, host networks on its own address, raw_exec. */
export function localAgentConfig(a: LocalAgent, bootstrapExpect: number): string {
    const lines = [
        "# Written by a local Hydra cluster: one node of it on this machine.",
        'datacenter           = "hydra"',
        `data_dir             = "${path.join(a.dir, "data")}"`,
        `bind_addr            = "${a.address}"`,
        "disable_update_check = true",
        "leave_on_terminate   = false",
        "",
        "# Every agent says where it is; on one machine they refuse to start otherwise.",
        `advertise {\n  http = "${a.address}"\n  rpc  = "${a.address}"\n  serf = "${a.address}"\n}`,
        ...(a.alsoHttpOn ? [`addresses {\n  http = "${a.alsoHttpOn} ${a.address}"\n}`] : []),
        `ports {\n  http = ${a.httpPort}\n  rpc  = ${rpcPort(a)}\n  serf = ${serfPort(a)}\n}`,
    ];
    if (isServer(a.node)) {
        lines.push("", `server {\n  enabled          = true\n  bootstrap_expect = ${bootstrapExpect}\n}`);
    }
    if (isClient(a.node)) {
        // A host network is an address an interface has: lo has 127.0.0.1 only (the agents' own
        // addresses are reached through lo's 127/8 route), so every client's tasks listen there.
        const nets = a.hostNetworks ?? { tailnet: "127.0.0.1", public: "127.0.0.1" };
        const hostNetworks = [`  host_network "tailscale" {\n    cidr = "${nets.tailnet}/32"\n  }`];
        if (a.node.public) {
            hostNetworks.push(`  host_network "public" {\n    cidr = "${nets.public}/32"\n  }`);
        }
        lines.push(
            "",
            "client {",
            "  enabled       = true",
            "  # Each client's tasks in their own cgroup tree: two clients on one machine must not share one.",
            `  cgroup_parent = "hydra-${a.node.name}"`,
            `  state_dir     = "${path.join(a.dir, "data", "client")}"`,
            `  alloc_dir     = "${path.join(a.dir, "data", "alloc")}"`,
            ...hostNetworks,
            "  options {",
            '    "fingerprint.denylist" = "env_aws,env_azure,env_digitalocean,env_gce"',
            "  }",
            "}",
            "",
            'plugin "raw_exec" {\n  config {\n    enabled = true\n  }\n}',
        );
    }
    if (a.extraConfig) {
        lines.push("", a.extraConfig.trim());
    }
    return lines.join("\n") + "\n";
}

export const pidFile = (a: LocalAgent): string => path.join(a.dir, "agent.pid");

export interface LocalAgentStart {
    nomad: string;
    servers: LocalAgent[];
    gossipKey?: string;
    bootstrapExpect: number;
}

/** The agent's two config files by name: its base and the estate's cluster drop-in. */
export function localAgentFiles(a: LocalAgent, o: Omit<LocalAgentStart, "nomad">): Record<string, string> {
    const dropIn = renderClusterAgentConfig({
        node: a.node,
        serverAddresses: o.servers.map(serfAddress),
        clientServerAddresses: o.servers.map(rpcAddress),
        gossipKey: o.gossipKey,
    });
    return { "nomad.hcl": localAgentConfig(a, o.bootstrapExpect), [CLUSTER_CONFIG_FILE]: dropIn };
}

/** Whether the agent's config folder holds exactly these files' contents (a running agent with them may be kept). */
export function hasLocalAgentFiles(a: LocalAgent, files: Record<string, string>): boolean {
    return Object.entries(files).every(([name, text]) => {
        const file = path.join(a.dir, "config", name);
        return fs.existsSync(file) && fs.readFileSync(file, "utf8") === text;
    });
}

/** Writes the agent's two files (base and the estate's cluster drop-in) and starts it; returns its PID. */
export function startLocalAgent(a: LocalAgent, o: LocalAgentStart): number {
    return startLocalAgentWith(a, o.nomad, localAgentFiles(a, o));
}

/** Writes these config files (the only ones in its config folder) and starts the agent, keeping its data; returns its PID. */
export function startLocalAgentWith(a: LocalAgent, nomad: string, files: Record<string, string>): number {
    const configDir = path.join(a.dir, "config");
    fs.rmSync(configDir, { recursive: true, force: true });
    fs.mkdirSync(configDir, { recursive: true });
    for (const [name, text] of Object.entries(files)) {
        // The drop-in holds the gossip key.
        fs.writeFileSync(path.join(configDir, name), text, { mode: 0o600 });
    }
    const log = fs.openSync(path.join(a.dir, "agent.log"), "a");
    const child = spawn(nomad, ["agent", `-config=${configDir}`], { detached: true, stdio: ["ignore", log, log], env: a.env ?? process.env });
    child.unref();
    fs.closeSync(log);
    fs.writeFileSync(pidFile(a), String(child.pid));
    return child.pid!;
}

/** Stops the agent by its own PID, and unmounts the secrets/ and private/ mounts its tasks leave. */
export async function stopLocalAgent(a: LocalAgent, signal: NodeJS.Signals = "SIGINT"): Promise<void> {
    const pid = livePid(pidFile(a));
    if (pid !== undefined) {
        await stopPid(pid, signal, 15_000);
    }
    fs.rmSync(pidFile(a), { force: true });
    const left = unmountUnder(path.join(a.dir, "data"));
    if (left.length) {
        throw new Error(`the Nomad agent ${a.node.name} left mounts that could not be unmounted: ${left.join(", ")}`);
    }
}

/** The agent's last log lines, for a failure's message. */
export function agentLogTail(a: LocalAgent, lines = 15): string {
    const file = path.join(a.dir, "agent.log");
    return fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").slice(-lines).join("\n") : "(no log)";
}

async function call(a: LocalAgent, route: string, method = "GET"): Promise<unknown> {
    const res = await fetch(`${httpAddress(a)}${route}`, { method, signal: AbortSignal.timeout(10_000) });
    return res.ok ? res.json() : undefined;
}

/** Processes whose command line names `dir`: the task executors and tasks a stopped client leaves running. */
export function processesUnder(dir: string): number[] {
    return fs
        .readdirSync("/proc")
        .filter((p) => /^\d+$/.test(p))
        .filter((p) => {
            try {
                return fs.readFileSync(`/proc/${p}/cmdline`, "utf8").includes(dir);
            } catch {
                return false;
            }
        })
        .map(Number)
        .filter((pid) => pid !== process.pid);
}

/** A process and everything it started (from /proc/<pid>/task/<tid>/children). */
function withDescendants(pid: number): number[] {
    let children: number[] = [];
    try {
        for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
            children = children.concat(fs.readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").split(" ").filter(Boolean).map(Number));
        }
    } catch {
        // gone already
    }
    return [pid, ...children.flatMap(withDescendants)];
}

/**
 * Ends the tasks of an agent that was killed (SIGKILL, as on a machine that crashed): it never
 * stopped them, so their executors and processes under its folder run on. Then its mounts go.
 */
export async function endOrphanedTasks(a: LocalAgent): Promise<void> {
    for (const pid of processesUnder(a.dir + path.sep).flatMap(withDescendants)) {
        await stopPid(pid, "SIGKILL", 0);
    }
    unmountUnder(path.join(a.dir, "data"));
}

/**
 * Stops a local cluster: every job first (a client leaves its tasks running when it stops, by
 * design), then every agent by its own PID, its mounts unmounted. Returns the PIDs still running under `dir` afterwards.
 */
export async function stopLocalCluster(agents: LocalAgent[], dir: string): Promise<number[]> {
    const alive = [];
    for (const a of agents) {
        if ((await call(a, "/v1/status/leader").catch(() => undefined)) !== undefined) {
            alive.push(a);
        }
    }
    const api = alive[0];
    if (api) {
        for (const job of ((await call(api, "/v1/jobs").catch(() => [])) ?? []) as { ID: string }[]) {
            await call(api, `/v1/job/${encodeURIComponent(job.ID)}?purge=true`, "DELETE").catch(() => undefined);
        }
        const deadline = Date.now() + 30_000;
        while (Date.now() < deadline) {
            const allocs = ((await call(api, "/v1/allocations").catch(() => [])) ?? []) as { ClientStatus: string }[];
            if (!allocs.some((x) => x.ClientStatus === "running" || x.ClientStatus === "pending")) {
                break;
            }
            await new Promise((r) => setTimeout(r, 500));
        }
    }
    for (const a of agents) {
        await stopLocalAgent(a);
    }
    return processesUnder(dir);
}
