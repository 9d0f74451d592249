// The rehearsal's droplet: a systemd container booted from the Debian root filesystem,
// with a NoCloud seed, the data volume as a loop device at its by-id path, the vendors'
// host names pointing at the repository server, and our CA trusted only inside it.
import { execFileSync, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { METADATA_BLOCK_SCRIPT, METADATA_BLOCK_UNIT, NOMAD_CGROUP } from "../components/metadataBlock";

/** What each control adds to the container (files copied in before it boots). */
export interface NodeOptions {
    /** The Docker endpoint (unix://…) of the daemon the container runs on. */
    endpoint: string;
    image: string;
    name: string;
    hostname: string;
    userData: string;
    /** Where the user-data expects the volume, e.g. /dev/disk/by-id/scsi-0DO_Volume_floyd-data. */
    volumeDevice?: string;
    /** The address the vendor host names resolve to. */
    repoAddress: string;
    vendorHosts: string[];
    caCert: string;
    /** Scratch folder for the seed, the volume image and the staged files. */
    dir: string;
    /** Hold dpkg's lock once the bootstrap writes its first vendor source list. */
    holdDpkgLock?: boolean;
}

export interface Node {
    name: string;
    /** `docker exec` in the node; never throws. */
    exec(cmd: string[], timeoutMs?: number): Promise<{ status: number; out: string }>;
    remove(): void;
}

// systemd as PID 1 in a container with the capabilities this machine allows (no --privileged:
// the bounding set lacks CAP_SYS_RESOURCE), tun for tailscale0, the cgroup tree read-only.
const SYSTEMD_FLAGS = [
    "--cap-add=SYS_ADMIN",
    "--cap-add=NET_ADMIN",
    "--cap-add=SYS_PTRACE",
    "--cap-add=MKNOD",
    "--security-opt=seccomp=unconfined",
    "--security-opt=apparmor=unconfined",
    "--tmpfs=/run",
    "--tmpfs=/run/lock",
    "--volume=/sys/fs/cgroup:/sys/fs/cgroup:ro",
    "--env=container=docker",
    "--stop-signal=SIGRTMIN+3",
    "--device=/dev/net/tun",
    // /proc/sys is read-only here: set what dockerd would write (it writes only when not 1).
    "--sysctl=net.ipv4.ip_forward=1",
];

// Holds dpkg's fcntl locks (apt's kind, not flock) for two minutes, as unattended-upgrades
// does at first boot; started when the bootstrap writes its first vendor source list (the
// image has none), so it meets the bootstrap's apt-get rather than cloud-init's own.
const LOCK_PATH_UNIT = `[Unit]
Description=Rehearsal: hold the dpkg lock when the bootstrap adds a vendor repository
[Path]
PathExistsGlob=/etc/apt/sources.list.d/*.list
PathExistsGlob=/etc/apt/sources.list.d/*.sources
[Install]
WantedBy=multi-user.target
`;
const LOCK_SERVICE_UNIT = `[Unit]
Description=Rehearsal: dpkg lock holder (stands in for unattended-upgrades)
[Service]
Type=simple
# Stays active after the two minutes, so the path unit does not start it again.
RemainAfterExit=yes
ExecStart=/usr/bin/python3 -c "import fcntl, time; fs = [open(p, 'w') for p in ('/var/lib/dpkg/lock-frontend', '/var/lib/dpkg/lock')]; [fcntl.lockf(f, fcntl.LOCK_EX) for f in fs]; time.sleep(120)"
`;

// The metadata block's cgroup rule needs Nomad's cgroup in the cgroup v2 tree, and its script
// makes it under /sys/fs/cgroup, as on a droplet (pure cgroup v2, writable by root). Here that
// tree is read-only (no --privileged), so the unit alone gets a cgroup2 mount there, in its own
// mount namespace, in the same process that then runs the script (a mount made by ExecStartPre
// is not seen by ExecStart): the script and its rules are the user-data's, unchanged.
const METADATA_BLOCK_DROPIN = `[Service]
PrivateMounts=yes
ExecStart=
ExecStart=/bin/sh -c 'mount -t cgroup2 cgroup2 /sys/fs/cgroup && exec ${METADATA_BLOCK_SCRIPT}'
`;

/** Where this host mounts the cgroup v2 tree (the container shares it): the rehearsal removes the cgroup it left there. */
export function hostCgroup2Mount(mountinfo: string): string | undefined {
    return mountinfo
        .split("\n")
        .map((l) => l.split(" "))
        .find((f) => f[f.indexOf("-") + 1] === "cgroup2")?.[4];
}

function hostsTemplate(o: NodeOptions): string {
    return [
        "## template:jinja",
        "127.0.1.1 {{fqdn}} {{hostname}}",
        "127.0.0.1 localhost",
        "::1 localhost ip6-localhost ip6-loopback",
        "# Rehearsal: the vendors' repositories are served by the host.",
        `${o.repoAddress} ${o.vendorHosts.join(" ")}`,
        "",
    ].join("\n");
}

/** The files copied into the container before it boots, as a folder tree. */
function stage(o: NodeOptions): string {
    const root = path.join(o.dir, "stage");
    fs.rmSync(root, { recursive: true, force: true });
    const put = (rel: string, content: string, mode = 0o644) => {
        const file = path.join(root, rel);
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, content, { mode });
    };
    put("var/lib/cloud/seed/nocloud/user-data", o.userData, 0o600);
    put("var/lib/cloud/seed/nocloud/meta-data", `instance-id: ${o.name}\nlocal-hostname: ${o.hostname}\n`);
    put("etc/cloud/templates/hosts.debian.tmpl", hostsTemplate(o));
    put("usr/local/share/ca-certificates/hydra-rehearsal.crt", fs.readFileSync(o.caCert, "utf8"));
    put(`etc/systemd/system/${METADATA_BLOCK_UNIT}.d/rehearsal-cgroup.conf`, METADATA_BLOCK_DROPIN);
    if (o.holdDpkgLock) {
        put("etc/systemd/system/hydra-rehearsal-dpkg-lock.path", LOCK_PATH_UNIT);
        put("etc/systemd/system/hydra-rehearsal-dpkg-lock.service", LOCK_SERVICE_UNIT);
        const wants = path.join(root, "etc/systemd/system/multi-user.target.wants");
        fs.mkdirSync(wants, { recursive: true });
        fs.symlinkSync("/etc/systemd/system/hydra-rehearsal-dpkg-lock.path", path.join(wants, "hydra-rehearsal-dpkg-lock.path"));
    }
    return root;
}

/** A fresh ext4 volume labelled like DigitalOcean's, on a loop device; returns the device. */
function loopVolume(dir: string): string {
    const file = path.join(dir, "volume.img");
    fs.rmSync(file, { force: true });
    execFileSync("truncate", ["-s", "1G", file]);
    execFileSync("mkfs.ext4", ["-q", "-F", "-L", "data", file]);
    return execFileSync("losetup", ["--find", "--show", file], { encoding: "utf8" }).trim();
}

export function startNode(o: NodeOptions): Node {
    fs.mkdirSync(o.dir, { recursive: true });
    const docker = (args: string[], input?: Buffer) => {
        const r = spawnSync("docker", ["-H", o.endpoint, ...args], { input, encoding: "buffer", maxBuffer: 64 << 20 });
        if (r.status !== 0) {
            throw new Error(`docker ${args.slice(0, 2).join(" ")}: ${r.error?.message ?? r.stderr.toString()}`);
        }
        return r.stdout.toString();
    };
    spawnSync("docker", ["-H", o.endpoint, "rm", "-f", o.name], { stdio: "ignore" });
    const loop = o.volumeDevice ? loopVolume(o.dir) : undefined;
    const cgroup2 = hostCgroup2Mount(fs.readFileSync("/proc/self/mountinfo", "utf8"));
    const nomadCgroup = cgroup2 ? path.join(cgroup2, NOMAD_CGROUP) : undefined;
    const hadNomadCgroup = nomadCgroup !== undefined && fs.existsSync(nomadCgroup);
    const remove = () => {
        spawnSync("docker", ["-H", o.endpoint, "rm", "-f", o.name], { stdio: "ignore" });
        if (loop) {
            spawnSync("losetup", ["-d", loop], { stdio: "ignore" });
        }
        // The metadata block made it in the shared tree; an empty cgroup, removed only if it was not there before.
        if (nomadCgroup && !hadNomadCgroup) {
            spawnSync("rmdir", [nomadCgroup], { stdio: "ignore" });
        }
    };
    try {
        docker([
            "create",
            `--name=${o.name}`,
            `--hostname=${o.hostname}`,
            ...SYSTEMD_FLAGS,
            ...(loop ? [`--device=${loop}:${o.volumeDevice}`] : []),
            ...o.vendorHosts.map((h) => `--add-host=${h}:${o.repoAddress}`),
            "--entrypoint=/bin/sh",
            o.image,
            "-c",
            // Our CA joins the container's trust store before systemd starts.
            "update-ca-certificates >/dev/null 2>&1; exec /sbin/init",
        ]);
        const tar = execFileSync("tar", ["-C", stage(o), "-c", "."], { maxBuffer: 64 << 20 });
        docker(["cp", "-", `${o.name}:/`], tar);
        docker(["start", o.name]);
    } catch (e) {
        remove();
        throw e;
    }
    const exec = (cmd: string[], timeoutMs = 60_000) =>
        new Promise<{ status: number; out: string }>((resolve) => {
            const p = spawn("docker", ["-H", o.endpoint, "exec", o.name, ...cmd]);
            let out = "";
            p.stdout.on("data", (c: Buffer) => (out += c.toString()));
            p.stderr.on("data", (c: Buffer) => (out += c.toString()));
            const timer = setTimeout(() => p.kill("SIGKILL"), timeoutMs);
            p.on("close", (code) => {
                clearTimeout(timer);
                resolve({ status: code ?? -1, out });
            });
        });
    return { name: o.name, exec, remove };
}
