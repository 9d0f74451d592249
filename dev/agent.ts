// A Nomad dev agent on this machine: the seed's favourite feature, wired like the node.
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { NOMAD_TELEMETRY, nomadTlsBlock } from "../components/nomadAgentConfig";
import { connection, send } from "../nomad/http";
import { unmountUnder } from "./mounts";
import { AgentReach, nomadGet } from "./nomadApi";
import { livePid, stopPid } from "./pids";

export interface AgentOptions {
    /** Folder for the agent's config, data, log and pid file (project-local). */
    dir: string;
    nomad: string;
    /** HTTP port; RPC and Serf use the next two unless `rpcPort`/`serfPort` say otherwise. */
    httpPort: number;
    rpcPort?: number;
    serfPort?: number;
    /**
     * Serve the HTTP API on the tailnet stand-in only, not on 127.0.0.1: a second estate on this
     * machine can then keep the node's port 4646 (the internal proxy's Nomad route) on its own bridge.
     */
    httpOnTailnetOnly?: boolean;
    datacenter?: string;
    /**
     * The node's two addresses on this machine (see dev/network.ts). Without them the
     * tailnet is the loopback interface and the public network 127.0.0.1, which only
     * suits an agent without Docker.
     */
    network?: { tailnetAddress: string; publicAddress: string };
    /** The private Docker daemon (unix://…) for the docker driver. */
    dockerEndpoint?: string;
    /** Serve the API over mTLS (`verify_https_client`), with certificates from `nomad tls ca/cert create`. */
    tls?: AgentTls;
    /** Turn ACLs on and bootstrap them with this secret (a UUID), as the node's first boot does. */
    aclBootstrapToken?: string;
}

/** PEM files: the CA, and a server certificate (`nomad tls cert create -server`) and its key. */
export interface AgentTls {
    caFile: string;
    certFile: string;
    keyFile: string;
    /** The name the certificate carries (server.<region>.nomad), for callers that reach the agent by another address. */
    serverName?: string;
}

export type { AgentReach } from "./nomadApi";

export interface Agent {
    address: string;
    pid: number;
    logFile: string;
    /** False when the agent of an earlier run, with the same config, is reused. */
    started: boolean;
}

/**
 * The docker plugin on the private daemon. `sharedDaemon`: several clients use one daemon (a dev
 * cluster), so none may reap the others' containers as dangling (each knows only its own).
 */
export function dockerPlugin(endpoint: string, sharedDaemon = false): string {
    const dangling = sharedDaemon ? "\n    dangling_containers {\n      enabled = false\n    }" : "";
    return `
plugin "docker" {
  config {
    endpoint = "${endpoint}"
    volumes {
      enabled = true
    }
    extra_labels = ["job_name", "task_group_name", "task_name", "node_name"]
    # The images are built here and cannot be pulled again: never garbage-collect them.
    gc {
      image = false${dangling}
    }
  }
}
`;
}

/** The agent's HCL: the node's host networks mapped to local addresses, raw_exec and docker on, no update check. */
export function devAgentConfig(o: AgentOptions): string {
    const net = o.network;
    const tailnet = net ? `cidr = "${net.tailnetAddress}/32"` : `interface = "lo"`;
    return `# Written by npm run dev: a single dev agent shaped like the Hydra node.
datacenter           = "${o.datacenter ?? "hydra"}"
data_dir             = "${path.join(o.dir, "data")}"
disable_update_check = true
${
    net
        ? `
# As on the node, the API answers on the tailnet address (the internal proxy's Nomad route).
addresses {
  http = "${o.httpOnTailnetOnly ? "" : "127.0.0.1 "}${net.tailnetAddress}"
}
`
        : ""
}
ports {
  http = ${o.httpPort}
  rpc  = ${o.rpcPort ?? o.httpPort + 1}
  serf = ${o.serfPort ?? o.httpPort + 2}
}

client {
  # The tailnet and the public interface, played by local addresses (dev/network.ts).
  host_network "tailscale" {
    ${tailnet}
  }
  host_network "public" {
    cidr = "${net?.publicAddress ?? "127.0.0.1"}/32"
  }
  options {
    # Not a cloud machine: no fingerprinter may probe a metadata address.
    "fingerprint.denylist" = "env_aws,env_azure,env_digitalocean,env_gce"
  }
}

plugin "raw_exec" {
  config {
    enabled = true
  }
}

# The node's metrics, which the estate's Prometheus scrapes and its alert rules read.
${NOMAD_TELEMETRY.join("\n")}
${o.dockerEndpoint ? dockerPlugin(o.dockerEndpoint) : ""}${o.tls ? `\n${nomadTlsBlock({ ca: o.tls.caFile, cert: o.tls.certFile, key: o.tls.keyFile }).join("\n")}\n` : ""}${o.aclBootstrapToken ? "\nacl {\n  enabled = true\n}\n" : ""}`;
}

/** The agent's own certificate as a client one (a -server certificate is valid for client auth too). */
export function agentReach(o: AgentOptions): AgentReach {
    return {
        token: o.aclBootstrapToken,
        tls: o.tls
            ? {
                  caCert: fs.readFileSync(o.tls.caFile, "utf8"),
                  clientCert: fs.readFileSync(o.tls.certFile, "utf8"),
                  clientKey: fs.readFileSync(o.tls.keyFile, "utf8"),
                  serverName: o.tls.serverName,
              }
            : undefined,
    };
}

const pidFile = (dir: string) => path.join(dir, "agent.pid");

const get = (address: string, path: string, reach: AgentReach = {}): Promise<unknown> => nomadGet(address, path, reach, 2);

/**
 * Waits until the agent has a leader and its client node is ready (host networks fingerprinted),
 * and with `driver`, until that driver is healthy (so that no job is placed before it is).
 */
export async function waitForAgent(address: string, timeoutMs = 60_000, driver?: string, reach: AgentReach = {}): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < deadline) {
        try {
            const leader = await get(address, "/v1/status/leader", reach);
            if (leader && reach.token) {
                await bootstrapAcl(address, reach);
            }
            const nodes = (await get(address, "/v1/nodes", reach)) as { ID: string; Status: string }[];
            const ready = nodes.find((n) => n.Status === "ready");
            type Drivers = { Drivers: Record<string, { Healthy: boolean; HealthDescription: string }> };
            const d = ready && driver ? ((await get(address, `/v1/node/${ready.ID}`, reach)) as Drivers).Drivers[driver] : undefined;
            if (leader && ready && (!driver || d?.Healthy)) {
                return;
            }
            last = `leader ${JSON.stringify(leader)}, nodes ${JSON.stringify(nodes.map((n) => n.Status))}${driver ? `, ${driver}: ${d?.HealthDescription ?? "not detected"}` : ""}`;
        } catch (e) {
            last = (e as Error).message;
        }
        await new Promise((r) => setTimeout(r, 500));
    }
    throw new Error(`the Nomad dev agent at ${address} is not ready after ${timeoutMs / 1000}s (${last})`);
}

/** `POST /v1/acl/bootstrap` with a chosen secret; one bootstrapped before is left as it is. */
async function bootstrapAcl(address: string, reach: AgentReach): Promise<void> {
    const res = await send(connection({ address, tls: reach.tls, retryTimeoutSeconds: 0, requestTimeoutSeconds: 5 }), {
        method: "POST",
        path: "/v1/acl/bootstrap",
        body: { BootstrapSecret: reach.token },
        accept: [400],
    });
    if (res.status === 400 && !/already done/i.test(res.text)) {
        throw new Error(`ACL bootstrap: ${res.text}`);
    }
}

/** Starts the agent in the background, or reuses the one running from `dir` if its config is unchanged. */
export async function startAgent(o: AgentOptions): Promise<Agent> {
    fs.mkdirSync(o.dir, { recursive: true });
    const host = o.httpOnTailnetOnly && o.network ? o.network.tailnetAddress : "127.0.0.1";
    const address = `${o.tls ? "https" : "http"}://${host}:${o.httpPort}`;
    const reach = agentReach(o);
    const logFile = path.join(o.dir, "agent.log");
    const config = path.join(o.dir, "agent.hcl");
    const hcl = devAgentConfig(o);
    const running = livePid(pidFile(o.dir));
    if (running !== undefined) {
        if (fs.existsSync(config) && fs.readFileSync(config, "utf8") === hcl) {
            await waitForAgent(address, 60_000, o.dockerEndpoint ? "docker" : undefined, reach);
            return { address, pid: running, logFile, started: false };
        }
        // Agent config is read at start only: a changed one means a new agent (its jobs are redeployed).
        await stopAgent(o.dir);
    }
    fs.writeFileSync(config, hcl);
    const log = fs.openSync(logFile, "a");
    // raw_exec tasks inherit the agent's environment: the backup's `docker exec` dumps then reach the private daemon.
    const env = o.dockerEndpoint ? { ...process.env, DOCKER_HOST: o.dockerEndpoint } : process.env;
    const child = spawn(o.nomad, ["agent", "-dev", "-bind=127.0.0.1", `-config=${config}`], { detached: true, stdio: ["ignore", log, log], env });
    child.unref();
    fs.closeSync(log);
    fs.writeFileSync(pidFile(o.dir), String(child.pid));
    try {
        await waitForAgent(address, 60_000, o.dockerEndpoint ? "docker" : undefined, reach);
    } catch (e) {
        throw new Error(`${(e as Error).message}\nagent log: ${logFile}\n${fs.readFileSync(logFile, "utf8").split("\n").slice(-15).join("\n")}`, { cause: e });
    }
    return { address, pid: child.pid!, logFile, started: true };
}

/**
 * Stops the agent started from `dir`, waits for it to exit, and unmounts the secrets/ and
 * private/ mounts it leaves in its data folder (only there: a Docker daemon may share `dir`). Returns whether an agent was running.
 */
export async function stopAgent(dir: string): Promise<boolean> {
    const pid = livePid(pidFile(dir));
    fs.rmSync(pidFile(dir), { force: true });
    if (pid !== undefined) {
        await stopPid(pid, "SIGINT", 10_000);
    }
    const left = unmountUnder(path.join(dir, "data"));
    if (left.length) {
        throw new Error(`the Nomad dev agent left mounts that could not be unmounted: ${left.join(", ")}`);
    }
    return pid !== undefined;
}
