// A private Docker daemon for one test file, on a bridge and subnet of its own, so that a
// developer's `npm run dev` (hydra0, 100.127.0.1) is never touched; and the Debian packages
// it needs, installed when missing (a test never skips silently).
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { DockerDaemon, dockerCli, startDocker, stopDocker } from "../../dev/docker";
import { mountsUnder } from "../../dev/mounts";
import { DevNetwork, ensureDevNetwork, freeTailnetCidr, removeDevNetwork, tailnetAddress } from "../../dev/network";
import { alive } from "../../dev/pids";

/** Installs a Debian package unless dpkg has it (a command on PATH is not enough: busybox may be the dynamic one). */
export function debianPackage(pkg: string): void {
    const q = spawnSync("dpkg-query", ["-W", "-f=${Status}", pkg], { encoding: "utf8" });
    if (q.stdout?.includes("install ok installed")) {
        return;
    }
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    try {
        execFileSync("apt-get", ["update", "-qq"], { stdio: "pipe", env });
        execFileSync("apt-get", ["install", "-y", "-qq", pkg], { stdio: "pipe", env });
    } catch (e) {
        throw new Error(`${pkg} is missing and apt-get install ${pkg} failed (run as root, or install it): ${(e as Error).message}`, { cause: e });
    }
}

/** Docker's packages: any dockerd will do, as in scripts/setup.sh. */
export function dockerPackages(): void {
    if (spawnSync("sh", ["-c", "PATH=$PATH:/usr/sbin:/sbin command -v dockerd"]).status !== 0) {
        debianPackage("docker.io");
    }
    debianPackage("busybox-static");
}

export interface TestDocker {
    network: DevNetwork;
    daemon: DockerDaemon;
    dir: string;
    docker(args: string[]): string;
}

/** Bridge names of at most 15 characters, one per test file in this process. */
let bridges = 0;

/**
 * A network and a daemon in `dir`. Call stopTestDocker in `after`, even when this failed.
 * `ownPublicAddress` gives the file a public stand-in of its own (127.126.N.1, N from its
 * tailnet /24), for suites whose public proxy binds :80/:443 next to a developer's estate.
 */
export async function startTestDocker(dir: string, o: { ownPublicAddress?: boolean } = {}): Promise<TestDocker> {
    const tailnetCidr = freeTailnetCidr();
    const publicAddress = o.ownPublicAddress ? `127.126.${tailnetCidr.split(".")[2]}.1` : "127.0.0.1";
    const network: DevNetwork = { bridge: `hyt${process.pid % 100000}x${bridges++}`, tailnetCidr, publicAddress };
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "network.json"), JSON.stringify(network));
    ensureDevNetwork(network);
    const daemon = await startDocker({ dir, bridge: network.bridge, dns: tailnetAddress(network) });
    const docker = (args: string[]) => {
        const r = dockerCli(daemon.endpoint, args);
        if (r.status !== 0) {
            throw new Error(`docker ${args.join(" ")}: ${r.error?.message ?? r.stderr}`);
        }
        return r.stdout;
    };
    return { network, daemon, dir, docker };
}

/** Stops the daemon by its PID, removes the bridge; throws if the daemon survives or a mount is left. */
export async function stopTestDocker(dir: string): Promise<void> {
    const pidFile = path.join(dir, "docker.pid");
    const pid = fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, "utf8")) : undefined;
    await stopDocker(dir);
    const networkFile = path.join(dir, "network.json");
    if (fs.existsSync(networkFile)) {
        removeDevNetwork(JSON.parse(fs.readFileSync(networkFile, "utf8")) as DevNetwork);
    }
    if (pid !== undefined && alive(pid)) {
        throw new Error(`dockerd (pid ${pid}) is still running`);
    }
    const left = mountsUnder(dir);
    if (left.length) {
        throw new Error(`mounts left under ${dir}: ${left.join(", ")}`);
    }
}
