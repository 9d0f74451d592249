// A Nomad dev agent on this machine: the seed's favourite feature, wired like the node.
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

export interface AgentOptions {
    /** Folder for the agent's config, data, log and pid file (project-local). */
    dir: string;
    nomad: string;
    /** HTTP port; RPC and Serf use the next two. */
    httpPort: number;
    datacenter?: string;
}

export interface Agent {
    address: string;
    pid: number;
    logFile: string;
}

/** The interface of the default route, standing in for the node's public interface. */
export function defaultRouteInterface(): string {
    const r = spawnSync("ip", ["-o", "route", "show", "default"], { encoding: "utf8" });
    return /\bdev (\S+)/.exec(r.stdout ?? "")?.[1] ?? "lo";
}

/** The agent's HCL: the node's host networks mapped to local interfaces, raw_exec on, no update check. */
export function devAgentConfig(o: AgentOptions): string {
    return `# Written by npm run dev: a single dev agent shaped like the Hydra node.
datacenter           = "${o.datacenter ?? "hydra"}"
data_dir             = "${path.join(o.dir, "data")}"
disable_update_check = true

ports {
  http = ${o.httpPort}
  rpc  = ${o.httpPort + 1}
  serf = ${o.httpPort + 2}
}

client {
  # The tailnet is played by the loopback interface, the public network by the default route's.
  host_network "tailscale" {
    interface = "lo"
  }
  host_network "public" {
    interface = "${defaultRouteInterface()}"
  }
}

plugin "raw_exec" {
  config {
    enabled = true
  }
}
`;
}

const pidFile = (dir: string) => path.join(dir, "agent.pid");

function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

async function get(url: string): Promise<unknown> {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    if (!res.ok) {
        throw new Error(`${res.status} ${await res.text()}`);
    }
    return res.json();
}

/** Waits until the agent has a leader and its client node is ready (host networks fingerprinted). */
export async function waitForAgent(address: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < deadline) {
        try {
            const leader = await get(`${address}/v1/status/leader`);
            const nodes = (await get(`${address}/v1/nodes`)) as { Status: string }[];
            if (leader && nodes.some((n) => n.Status === "ready")) {
                return;
            }
            last = `leader ${JSON.stringify(leader)}, nodes ${JSON.stringify(nodes.map((n) => n.Status))}`;
        } catch (e) {
            last = (e as Error).message;
        }
        await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`the Nomad dev agent at ${address} is not ready after ${timeoutMs / 1000}s (${last})`);
}

/** Starts the agent in the background (or finds the one already running from `dir`). */
export async function startAgent(o: AgentOptions): Promise<Agent> {
    fs.mkdirSync(o.dir, { recursive: true });
    const address = `http://127.0.0.1:${o.httpPort}`;
    const logFile = path.join(o.dir, "agent.log");
    if (fs.existsSync(pidFile(o.dir))) {
        const pid = Number(fs.readFileSync(pidFile(o.dir), "utf8"));
        if (alive(pid)) {
            await waitForAgent(address);
            return { address, pid, logFile };
        }
    }
    const config = path.join(o.dir, "agent.hcl");
    fs.writeFileSync(config, devAgentConfig(o));
    const log = fs.openSync(logFile, "a");
    const child = spawn(o.nomad, ["agent", "-dev", "-bind=127.0.0.1", `-config=${config}`], { detached: true, stdio: ["ignore", log, log] });
    child.unref();
    fs.writeFileSync(pidFile(o.dir), String(child.pid));
    try {
        await waitForAgent(address);
    } catch (e) {
        throw new Error(`${(e as Error).message}\nagent log: ${logFile}\n${fs.readFileSync(logFile, "utf8").split("\n").slice(-15).join("\n")}`);
    }
    return { address, pid: child.pid!, logFile };
}

/** Stops the agent started from `dir` and waits for it to exit. */
export async function stopAgent(dir: string): Promise<boolean> {
    if (!fs.existsSync(pidFile(dir))) {
        return false;
    }
    const pid = Number(fs.readFileSync(pidFile(dir), "utf8"));
    fs.rmSync(pidFile(dir));
    if (!alive(pid)) {
        return false;
    }
    process.kill(pid, "SIGINT");
    for (let i = 0; i < 100 && alive(pid); i++) {
        await new Promise((r) => setTimeout(r, 100));
    }
    if (alive(pid)) {
        process.kill(pid, "SIGKILL");
    }
    return true;
}
