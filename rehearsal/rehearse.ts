// One first-boot rehearsal: the rendered user-data booted in a systemd container on a
// private Docker daemon, against stand-ins for the vendors' apt repositories; then the
// checks a droplet's first boot must pass. Needs root (loop devices, a bridge, dockerd).
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { tailnetAddress } from "../dev/network";
import { debianPackage, dockerPackages, startTestDocker, stopTestDocker } from "../test/integration/devDocker";
import { UBUNTU_LTS } from "../config/ubuntu";
import { NOMAD_CONFIG_DIR } from "../components/nodeUnits";
import { Check, causeLines, runChecks } from "./checks";
import { Control, CONTROLS, controlledUserData } from "./controls";
import { Node, startNode } from "./node";
import { startRepoServer } from "./repoServer";
import { RehearsalInput } from "./stackInput";

/** The stand-in tailscale's address (rehearsal/standin/tailscale). */
export const STANDIN_TAILNET_ADDRESS = "100.101.102.103";
/** The release the root filesystem is (rehearsal/image.sh), so the suite the user-data asks for. */
const CODENAME = "bookworm";
/**
 * The conffile control's extra nomad conffile: our agent config lives where no vendor package
 * puts a file, so the answers only matter if a package ever ships one there. The control makes
 * the stand-in package do so, and removes the answers.
 */
export const CONFFILE_CONTROL_PATH = `${NOMAD_CONFIG_DIR}/nomad.hcl`;
/** Every suite the bootstrap's probe may pick: this release's and each LTS it may fall back to. */
const ALL_SUITES = [CODENAME, ...UBUNTU_LTS.map((l) => l.codename)];
const VENDOR_HOSTS = ["apt.releases.hashicorp.com", "pkgs.tailscale.com", "download.docker.com"];
const HERE = __dirname;

/** Image, repositories and Docker data kept between rehearsals. */
export const rehearsalCacheDir = (): string => process.env.HYDRA_REHEARSAL_CACHE ?? path.join(os.homedir(), ".cache", "hydra-rehearsal");

export interface RehearsalOptions {
    input: RehearsalInput;
    control: Control;
    /** Image, repository and Docker data kept between runs. */
    cacheDir: string;
    /** The project's checkout (for its tools script). */
    projectDir: string;
    bootTimeoutSeconds?: number;
    log?: (line: string) => void;
}

export interface Rehearsal {
    control: Control;
    /** How many safeguards the control removed from the user-data. */
    removed: number;
    checks: Check[];
    ok: boolean;
    /** The boot log's lines that say what went wrong. */
    cause: string[];
    /** `cloud-init status --long`. */
    status: string;
    /** The last lines of /var/log/cloud-init-output.log. */
    outputTail: string;
    /** The flags the bootstrap gave `tailscale up` (names only). */
    tailscaleUpFlags: string[];
    requests: string[];
    ms: { image: number; repository: number; boot: number; checks: number; total: number };
}

const since = (t: number) => Date.now() - t;

/** The pinned nomad binary our tools script built (cached: this links it, never rebuilds). */
export function nomadBinary(projectDir: string): string {
    execFileSync(path.join(projectDir, "scripts/tools.sh"), ["nomad"], { stdio: "pipe" });
    return fs.realpathSync(path.join(projectDir, ".tools/bin/nomad"));
}

/** The root filesystem as a Docker image on `docker` (imported once per content hash). */
function nodeImage(cacheDir: string, locale: string, packages: string[], docker: (args: string[]) => string): string {
    const tar = execFileSync(path.join(HERE, "image.sh"), [cacheDir, locale, ...packages], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
    const name = `hydra-rehearsal-node:${path.basename(tar, ".tar").replace(/^rootfs-/, "")}`;
    if (!docker(["image", "ls", "-q", name]).trim()) {
        docker(["import", tar, name]);
        // Older builds take gigabytes in the vfs store.
        for (const old of docker(["image", "ls", "hydra-rehearsal-node", "--format", "{{.Repository}}:{{.Tag}}"]).split("\n")) {
            if (old.trim() && old.trim() !== name) {
                docker(["rmi", old.trim()]);
            }
        }
    }
    return name;
}

/**
 * Waits for cloud-final.service (a oneshot that stays active) to be done: `cloud-init status
 * --wait` returns as soon as an earlier stage reported an error, with the bootstrap still running.
 */
async function waitForFinalStage(node: Node, deadline: number): Promise<string> {
    let state = "";
    while (Date.now() < deadline) {
        state = (await node.exec(["systemctl", "show", "-p", "ActiveState", "--value", "cloud-final.service"])).out.trim();
        if (state === "active" || state === "failed") {
            return state;
        }
        await new Promise((r) => setTimeout(r, 2000));
    }
    return `still ${state || "not started"} (timed out)`;
}

export function requireRehearsalHost(): void {
    if (process.getuid?.() !== 0) {
        throw new Error("the first-boot rehearsal needs root (debootstrap, loop devices, a bridge and a private dockerd): run npm test as root");
    }
    for (const dev of ["/dev/loop-control", "/dev/net/tun"]) {
        if (!fs.existsSync(dev)) {
            throw new Error(`the first-boot rehearsal needs ${dev}, which this machine lacks`);
        }
    }
    dockerPackages();
    for (const pkg of ["debootstrap", "apt-utils", "e2fsprogs", "gnupg", "openssl"]) {
        debianPackage(pkg);
    }
}

export async function rehearse(o: RehearsalOptions): Promise<Rehearsal> {
    const t0 = Date.now();
    const log = o.log ?? (() => undefined);
    const { userData, removed } = controlledUserData(o.control, o.input.userData);
    const doc = YAML.parse(userData) as { packages?: string[]; mounts?: string[][]; locale?: string };
    const nomadVersion = /nomad=([0-9][0-9A-Za-z.+~-]*)-1\b/.exec(userData)?.[1];
    if (!nomadVersion) {
        throw new Error("the user-data pins no nomad=<version>-1 package: the rehearsal's stand-in nomad package needs its version");
    }
    requireRehearsalHost();

    const dockerDir = path.join(o.cacheDir, "docker");
    const td = await startTestDocker(dockerDir);
    const ms = { image: 0, repository: 0, boot: 0, checks: 0, total: 0 };
    let node: ReturnType<typeof startNode> | undefined;
    let server: Awaited<ReturnType<typeof startRepoServer>> | undefined;
    try {
        let t = Date.now();
        const image = nodeImage(o.cacheDir, doc.locale ?? "C.UTF-8", doc.packages ?? [], td.docker);
        ms.image = since(t);
        log(`image ${image} in ${ms.image} ms`);

        t = Date.now();
        const extraConffile = o.control === "conffile" ? [CONFFILE_CONTROL_PATH] : [];
        const repoDir = execFileSync(path.join(HERE, "vendorRepo.sh"), [o.cacheDir, nomadBinary(o.projectDir), nomadVersion, CODENAME, ...extraConffile], {
            encoding: "utf8",
        }).trim();
        ms.repository = since(t);
        const gateway = tailnetAddress(td.network);
        server = await startRepoServer({ repoDir, address: gateway, missingSuites: o.control === "missingSuite" ? ALL_SUITES : [] });
        log(`vendor repositories on https://${gateway} in ${ms.repository} ms (${CONTROLS[o.control]})`);

        t = Date.now();
        node = startNode({
            endpoint: td.daemon.endpoint,
            image,
            name: `hydra-rehearsal-${o.control}`,
            hostname: "rehearsal",
            userData,
            volumeDevice: doc.mounts?.[0]?.[0],
            repoAddress: gateway,
            vendorHosts: VENDOR_HOSTS,
            caCert: path.join(repoDir, "tls/ca.crt"),
            dir: path.join(o.cacheDir, "run", o.control),
            holdDpkgLock: o.control === "dpkgLock" || o.control === "lockHeld",
        });
        const timeout = o.bootTimeoutSeconds ?? 900;
        const finished = await waitForFinalStage(node, t + timeout * 1000);
        ms.boot = since(t);
        log(`cloud-init's final stage ${finished} after ${ms.boot} ms`);

        t = Date.now();
        const checks = await runChecks(node, {
            tailnetAddress: STANDIN_TAILNET_ADDRESS,
            hostNetworks: o.input.hostNetworks,
            dataFolders: o.input.dataFolders,
            volume: doc.mounts?.[0] ? { device: doc.mounts[0][0], dir: doc.mounts[0][1] } : undefined,
            nomadWaitMs: finished === "active" ? 90_000 : 5_000,
            nomadToken: o.input.nomadToken,
            tls: o.input.tls,
        });
        ms.checks = since(t);
        const output = (await node.exec(["cat", "/var/log/cloud-init-output.log"])).out;
        const status = (await node.exec(["cloud-init", "status", "--long"])).out.trim();
        const flags = (await node.exec(["cat", "/var/lib/tailscale/up-flags"])).out;
        ms.total = since(t0);
        return {
            control: o.control,
            removed,
            checks,
            ok: checks.every((c) => c.ok),
            cause: causeLines(output),
            status,
            outputTail: output.split("\n").slice(-40).join("\n"),
            tailscaleUpFlags: flags.includes("No such file") ? [] : flags.split("\n").filter((l) => l.startsWith("--")),
            requests: server.requests,
            ms,
        };
    } finally {
        node?.remove();
        await server?.close();
        await stopTestDocker(dockerDir);
    }
}

/** A rehearsal as text, for a test's failure message and the CLI. */
export function describeRehearsal(r: Rehearsal): string {
    const lines = [
        `Rehearsal (${CONTROLS[r.control]}${r.control !== "none" ? `; safeguards removed: ${r.removed}` : ""}): ${r.ok ? "PASSED" : "FAILED"}`,
        `  times: image ${r.ms.image} ms, repositories ${r.ms.repository} ms, boot ${r.ms.boot} ms, checks ${r.ms.checks} ms, total ${r.ms.total} ms`,
        ...r.checks.map((c) => `  ${c.ok ? "ok  " : "FAIL"} ${c.name}: ${c.detail}`),
        `  cloud-init: ${r.status.replace(/\n/g, "\n    ")}`,
        `  tailscale up flags: ${r.tailscaleUpFlags.join(" ") || "(tailscale up did not run)"}`,
    ];
    if (r.cause.length) {
        lines.push("  cause, from /var/log/cloud-init-output.log:", ...r.cause.map((l) => `    ${l}`));
    }
    return lines.join("\n");
}
