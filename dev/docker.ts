// The dev estate's own Docker daemon: Debian's dockerd with its data, exec root, socket and
// pid file in the dev folder, containers on the dev bridge, and no changes to the host's
// firewall, NAT or forwarding. A system Docker, if any, is left alone.
import { spawn, spawnSync, SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as path from "path";
import { mountsUnder, unmountUnder } from "./mounts";
import { livePid, stopPid } from "./pids";

export interface DockerOptions {
    /** Folder for everything the daemon keeps: data, exec root, socket, pid file, log. */
    dir: string;
    /** The bridge containers go on (ensureDevNetwork makes it). */
    bridge: string;
    /** The only DNS server containers get: the tailnet stand-in, so no lookup leaves the machine. */
    dns: string;
    /** Where on the bridge containers get their addresses (a dev cluster keeps the lower half for its nodes); the whole subnet unless set. */
    fixedCidr?: string;
}

export interface DockerDaemon {
    /** For Nomad's docker plugin and `docker -H`. */
    endpoint: string;
    pid: number;
    version: string;
    logFile: string;
    /** False when the daemon of an earlier run, started with the same arguments, is reused. */
    started: boolean;
    /** How long the start (or the check of the running daemon) took. */
    ms: number;
}

const SYSTEM_SOCKET = "/var/run/docker.sock";
const paths = (dir: string) => ({
    socket: path.join(dir, "docker.sock"),
    pidFile: path.join(dir, "docker.pid"),
    argsFile: path.join(dir, "dockerd.args"),
    logFile: path.join(dir, "docker.log"),
    data: path.join(dir, "data"),
    exec: path.join(dir, "exec"),
    config: path.join(dir, "daemon.json"),
    client: path.join(dir, "client"),
});

/** dockerd from Debian's docker.io, or an error that says what to install. */
export function dockerdPath(): string {
    const r = spawnSync("sh", ["-c", "command -v dockerd"], { encoding: "utf8" });
    const found = r.status === 0 ? r.stdout.trim() : ["/usr/sbin/dockerd", "/usr/bin/dockerd"].find((p) => fs.existsSync(p));
    if (!found) {
        throw new Error("dockerd is missing: install Debian's docker.io (sudo apt-get install -y docker.io, or scripts/setup.sh dev as root)");
    }
    return found;
}

/** The daemon's arguments: vfs storage (works on any file system), nothing done to iptables or forwarding. */
export function dockerdArgs(o: DockerOptions): string[] {
    const p = paths(o.dir);
    return [
        `--data-root=${p.data}`,
        `--exec-root=${p.exec}`,
        `--pidfile=${p.pidFile}`,
        `-H`,
        `unix://${p.socket}`,
        // Its own (empty) config file: a system daemon.json (hosts, bip, …) must not apply here.
        `--config-file=${p.config}`,
        "--storage-driver=vfs",
        "--iptables=false",
        "--ip-masq=false",
        "--ip-forward=false",
        `--bridge=${o.bridge}`,
        ...(o.fixedCidr ? [`--fixed-cidr=${o.fixedCidr}`] : []),
        `--dns=${o.dns}`,
        // Apart from a system containerd's namespaces, should dockerd find and share one.
        "--containerd-namespace=hydra-dev",
        "--containerd-plugins-namespace=hydra-dev-plugins",
        // As on the node: json-file logs, capped.
        "--log-opt=max-size=10m",
        "--log-opt=max-file=10",
    ];
}

/** A closed loopback port: the address every registry request goes to. */
export const NO_REGISTRY_PROXY = "http://127.0.0.1:9";

/**
 * The daemon's environment. Every image is built here; a pull would be a mistake, and
 * through this proxy it fails at once, without a DNS lookup or a packet leaving the machine.
 */
function daemonEnv(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, HTTP_PROXY: NO_REGISTRY_PROXY, HTTPS_PROXY: NO_REGISTRY_PROXY };
    for (const k of ["http_proxy", "https_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"]) {
        delete env[k];
    }
    return env;
}

/** One Docker Engine API GET over the daemon's socket. */
function apiGet(socket: string, p: string, timeoutMs = 2000): Promise<string> {
    return new Promise((resolve, reject) => {
        const req = http.get({ socketPath: socket, path: p, timeout: timeoutMs }, (res) => {
            let body = "";
            res.setEncoding("utf8");
            res.on("data", (c: string) => (body += c));
            res.on("end", () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${p}: ${res.statusCode} ${body}`))));
        });
        req.on("timeout", () => req.destroy(new Error(`${p}: no answer in ${timeoutMs} ms`)));
        req.on("error", reject);
    });
}

async function waitForDaemon(socket: string, timeoutMs: number): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = "";
    while (Date.now() < deadline) {
        try {
            return (JSON.parse(await apiGet(socket, "/version")) as { Version: string }).Version;
        } catch (e) {
            last = (e as Error).message;
        }
        await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`the dev Docker daemon is not answering on ${socket} after ${timeoutMs / 1000}s (${last})`);
}

const tail = (file: string, lines = 15) => (fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n").slice(-lines).join("\n") : "");

/** Starts the private daemon (or reuses the one from `dir` if its arguments are unchanged). */
export async function startDocker(o: DockerOptions): Promise<DockerDaemon> {
    const t0 = Date.now();
    const p = paths(o.dir);
    const args = dockerdArgs(o);
    // What a running daemon must have been started with to be reused.
    const recorded = [...args, `HTTPS_PROXY=${NO_REGISTRY_PROXY}`].join("\n");
    // The kernel's limit for a socket path (108 bytes) also bounds containerd's socket in the exec root.
    if (Buffer.byteLength(path.join(p.exec, "containerd", "containerd.sock.ttrpc")) > 107) {
        throw new Error(`the dev folder ${o.dir} is too deep for Docker's sockets (limit 108 bytes): use a shorter checkout path`);
    }
    const running = livePid(p.pidFile);
    if (running !== undefined) {
        if (fs.existsSync(p.argsFile) && fs.readFileSync(p.argsFile, "utf8") === recorded) {
            const version = await waitForDaemon(p.socket, 30_000);
            return { endpoint: `unix://${p.socket}`, pid: running, version, logFile: p.logFile, started: false, ms: Date.now() - t0 };
        }
        // Started with other arguments (another bridge, an older version of this file): restart it.
        await stopDocker(o.dir);
    }
    const dockerd = dockerdPath();
    fs.mkdirSync(o.dir, { recursive: true });
    fs.writeFileSync(p.config, "{}\n");
    fs.writeFileSync(p.argsFile, recorded);
    fs.rmSync(p.pidFile, { force: true });
    const log = fs.openSync(p.logFile, "a");
    const child = spawn(dockerd, args, { detached: true, stdio: ["ignore", log, log], env: daemonEnv() });
    child.unref();
    fs.closeSync(log);
    try {
        const version = await waitForDaemon(p.socket, 60_000);
        return { endpoint: `unix://${p.socket}`, pid: child.pid!, version, logFile: p.logFile, started: true, ms: Date.now() - t0 };
    } catch (e) {
        throw new Error(`${(e as Error).message}\ndockerd log: ${p.logFile}\n${tail(p.logFile)}`, { cause: e });
    }
}

/**
 * Stops the daemon started from `dir` (its containers stop with it), then unmounts what it
 * left in `dir`. Returns whether a daemon was running.
 */
export async function stopDocker(dir: string): Promise<boolean> {
    const p = paths(dir);
    const pid = livePid(p.pidFile);
    if (pid !== undefined) {
        // dockerd gives running containers 15 s to stop, then kills them.
        await stopPid(pid, "SIGTERM", 30_000);
    }
    // Left only if dockerd had to be killed: its containerd.
    const containerd = livePid(path.join(p.exec, "containerd", "containerd.pid"));
    if (containerd !== undefined) {
        await stopPid(containerd, "SIGTERM", 5_000);
    }
    const left = mountsUnder(dir).length ? unmountUnder(dir) : [];
    if (left.length) {
        throw new Error(`the dev Docker daemon left mounts that could not be unmounted: ${left.join(", ")}`);
    }
    return pid !== undefined;
}

/** A line saying which daemon the dev estate uses, and that a system one is left alone. */
export function describeDocker(d: DockerDaemon, root: string): string {
    const where = path.relative(root, d.endpoint.replace(/^unix:\/\//, "")) || d.endpoint;
    const system = fs.existsSync(SYSTEM_SOCKET) ? `; the system daemon (${SYSTEM_SOCKET}) is not used` : "";
    return `Docker: private dockerd ${d.version} (pid ${d.pid}) on unix://${where}, ${d.started ? `started in ${(d.ms / 1000).toFixed(1)}s` : "already running"}${system}`;
}

/** Runs the docker client against the daemon, with a client config folder of its own. */
export function dockerCli(endpoint: string, args: string[], opts: { cwd?: string; input?: string } = {}): SpawnSyncReturns<string> {
    const dir = path.dirname(endpoint.replace(/^unix:\/\//, ""));
    return spawnSync("docker", ["-H", endpoint, ...args], {
        cwd: opts.cwd,
        input: opts.input,
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
        // The classic builder: BuildKit would need the buildx plugin, which docker.io does not ship.
        env: { ...process.env, DOCKER_CONFIG: paths(dir).client, DOCKER_BUILDKIT: "0" },
    });
}
