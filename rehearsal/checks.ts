// What a first boot must have done, asked of the booted node, and the boot log's cause when not.
import { NOMAD_TLS_FILES } from "../vocabulary/nomadTls";
import { METADATA_BLOCK_UNIT } from "../components/metadataBlock";
import { Node } from "./node";

export interface Check {
    name: string;
    ok: boolean;
    detail: string;
}

export interface DataFolder {
    path: string;
    /** "uid:gid" the app runs as, when the app declares one. */
    owner?: string;
}

// Lines of the boot log that say why a boot stopped.
const CAUSE =
    /^Configuration file '|no apt suite|conffile|end of file on stdin|could not get lock|lock-frontend|does not have a release file|no longer has a release file|^E: |^W: |dpkg: error|errors were encountered|failed|error|not found|Traceback/i;

/** The lines of cloud-init's output log that explain a failure (at most `max`, the last ones). */
export function causeLines(outputLog: string, max = 12): string[] {
    return (
        outputLog
            .split("\n")
            // apt's "Waiting for cache lock" progress repeats every few seconds: not a cause.
            .filter((l) => CAUSE.test(l) && !/^\s*$/.test(l) && !l.startsWith("Waiting for cache lock"))
            .slice(-max)
    );
}

/** Nomad's listeners: every local address a nomad process listens on (from `ss -ltnpH`). */
export function nomadListenAddresses(ss: string): string[] {
    return ss
        .split("\n")
        .filter((l) => l.includes('"nomad"'))
        .map((l) => l.trim().split(/\s+/)[3] ?? "")
        .filter((a) => a);
}

/** Whether `iptables -S` shows the metadata block's two REJECT rules (it prints the cgroup path quoted). */
export function metadataBlockRules(iptablesS: string): { docker: boolean; nomad: boolean } {
    const lines = iptablesS.split("\n").filter((l) => l.includes("-d 169.254.169.254/32") && l.includes("-j REJECT"));
    return {
        docker: lines.some((l) => l.startsWith("-A DOCKER-USER")),
        nomad: lines.some((l) => l.startsWith("-A OUTPUT") && /--path "?nomad\.slice"?(\s|$)/.test(l)),
    };
}

const cloudInitResult = async (node: Node) => {
    const r = await node.exec(["cat", "/run/cloud-init/result.json"]);
    try {
        return (JSON.parse(r.out) as { v1: { errors: string[] } }).v1.errors;
    } catch {
        return [`no /run/cloud-init/result.json (${r.out.trim().slice(0, 200)})`];
    }
};

/**
 * curl's arguments for Nomad's API at `address`: plain HTTP, or (nomad.tls) HTTPS with the node's
 * own certificate (`withCert`), checked against the region's server name as the program does.
 */
function nomadUrl(address: string, p: string, tls: NomadTlsCheck | undefined, withCert = true): string[] {
    if (!tls) {
        return [`http://${address}:4646${p}`];
    }
    const cert = withCert ? ["--cert", NOMAD_TLS_FILES.cert, "--key", NOMAD_TLS_FILES.key] : [];
    return ["--cacert", NOMAD_TLS_FILES.ca, ...cert, "--connect-to", `${tls.serverName}:4646:${address}:4646`, `https://${tls.serverName}:4646${p}`];
}

async function nomadApi(node: Node, address: string, p: string, token?: string, tls?: NomadTlsCheck): Promise<unknown> {
    const headers = token ? ["-H", `X-Nomad-Token: ${token}`] : [];
    const r = await node.exec(["curl", "-sf", "--max-time", "5", ...headers, ...nomadUrl(address, p, tls)]);
    if (r.status !== 0) {
        throw new Error(`GET ${p}: curl exit ${r.status} ${r.out.trim()}`);
    }
    return JSON.parse(r.out);
}

interface NomadNode {
    ID: string;
    Status: string;
    HostNetworks?: Record<string, unknown>;
    NodeResources?: { NodeNetworks?: { Addresses?: { Alias: string; Address: string }[] }[] };
}

/** The node's host networks as Nomad fingerprinted them: alias → address. */
async function hostNetworks(node: Node, address: string, deadline: number, token?: string, tls?: NomadTlsCheck): Promise<Record<string, string>> {
    let last = "";
    while (Date.now() < deadline) {
        try {
            const nodes = (await nomadApi(node, address, "/v1/nodes", token, tls)) as { ID: string; Status: string }[];
            const ready = nodes.find((n) => n.Status === "ready");
            if (ready) {
                const n = (await nomadApi(node, address, `/v1/node/${ready.ID}`, token, tls)) as NomadNode;
                const found: Record<string, string> = {};
                for (const net of n.NodeResources?.NodeNetworks ?? []) {
                    for (const a of net.Addresses ?? []) {
                        found[a.Alias] = a.Address;
                    }
                }
                return found;
            }
            last = `nodes: ${JSON.stringify(nodes.map((x) => x.Status))}`;
        } catch (e) {
            last = (e as Error).message;
        }
        await new Promise((r) => setTimeout(r, 3000));
    }
    throw new Error(`no ready Nomad node: ${last}`);
}

export interface CheckOptions {
    tailnetAddress: string;
    /** Host networks the agent config names (e.g. tailscale, public). */
    hostNetworks: string[];
    dataFolders: DataFolder[];
    /** The volume the user-data mounts (by-id path) and where; none when it mounts none. */
    volume?: { device: string; dir: string };
    /** How long Nomad may take to register its node, from now. */
    nomadWaitMs?: number;
    /** The token the first boot bootstrapped Nomad's ACLs with; none when ACLs are off. */
    nomadToken?: string;
    /** With nomad.tls: the API speaks mutual TLS. */
    tls?: NomadTlsCheck;
}

/** What the checks need to call an agent with nomad.tls: the name its certificate carries. */
export interface NomadTlsCheck {
    serverName: string;
}

/** Whether the first boot bootstrapped the ACLs with our token: it is a management token, and no token is refused. */
async function aclCheck(node: Node, address: string, token: string, tls?: NomadTlsCheck): Promise<{ ok: boolean; detail: string }> {
    let self: { Type?: string };
    try {
        self = (await nomadApi(node, address, "/v1/acl/token/self", token, tls)) as { Type?: string };
    } catch (e) {
        return { ok: false, detail: `the configured token is refused: ${(e as Error).message}` };
    }
    const anonymous = await node.exec(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5", ...nomadUrl(address, "/v1/nodes", tls)]);
    const ok = self.Type === "management" && anonymous.out.trim() === "403";
    return { ok, detail: `token type ${self.Type ?? "?"}; without a token /v1/nodes answers ${anonymous.out.trim()}` };
}

export async function runChecks(node: Node, o: CheckOptions): Promise<Check[]> {
    const checks: Check[] = [];
    const add = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail: detail.trim() });

    const status = await node.exec(["cloud-init", "status", "--long"]);
    const errors = await cloudInitResult(node);
    add(
        "cloud-init finished with status done and no errors",
        /status: done/.test(status.out) && errors.length === 0,
        `${status.out.split("\n").find((l) => l.startsWith("status:")) ?? status.out}; errors: ${JSON.stringify(errors)}`,
    );

    const sshd = await node.exec(["sh", "-c", "mkdir -p /run/sshd && sshd -t"]);
    add("sshd -t accepts the hardened config", sshd.status === 0, sshd.out || "sshd -t: ok");

    for (const unit of ["docker", METADATA_BLOCK_UNIT, "nomad"]) {
        const r = await node.exec(["systemctl", "is-active", unit]);
        const active = r.out.trim() === "active";
        // The unit's own error lines, not systemd's restart notices.
        const journal = active
            ? ""
            : (
                  await node.exec([
                      "sh",
                      "-c",
                      `journalctl -u ${unit} --no-pager -o cat | grep -iE 'error|fatal|failed to|refus|invalid|cannot|can.t|denied' | grep -v '^[a-z-]*\\.service' | tail -n 4`,
                  ])
              ).out;
        add(`${unit} is active`, active, `${r.out.trim()}${journal ? `; journal: ${journal.trim().split("\n").join(" | ")}` : ""}`);
    }

    try {
        const found = await hostNetworks(node, o.tailnetAddress, Date.now() + (o.nomadWaitMs ?? 90_000), o.nomadToken, o.tls);
        const missing = o.hostNetworks.filter((n) => !found[n]);
        const tailnetOk = found.tailscale === undefined || found.tailscale === o.tailnetAddress;
        add(`Nomad fingerprinted the host networks ${o.hostNetworks.join(", ")}`, missing.length === 0 && tailnetOk, JSON.stringify(found));
    } catch (e) {
        const journal = (await node.exec(["sh", "-c", "journalctl -u nomad --no-pager -o cat | grep -iE 'error|fatal|failed' | tail -n 3"])).out;
        add(
            `Nomad fingerprinted the host networks ${o.hostNetworks.join(", ")}`,
            false,
            `${(e as Error).message}; nomad's log: ${journal.trim().split("\n").join(" | ")}`,
        );
    }

    if (o.nomadToken) {
        const acl = await aclCheck(node, o.tailnetAddress, o.nomadToken, o.tls);
        add("Nomad's ACLs are bootstrapped with the configured nomadToken", acl.ok, acl.detail);
    }
    if (o.tls) {
        // The server's certificate is trusted, but this client shows none: the handshake must fail.
        const bare = await node.exec(["curl", "-s", "-o", "/dev/null", "--max-time", "5", ...nomadUrl(o.tailnetAddress, "/v1/status/leader", o.tls, false)]);
        const plain = await node.exec(["curl", "-s", "--max-time", "5", `http://${o.tailnetAddress}:4646/v1/status/leader`]);
        add(
            "Nomad's API speaks mutual TLS: a client without a certificate is refused, plain HTTP too",
            bare.status !== 0 && !plain.out.includes(":4647"),
            `without a certificate curl exits ${bare.status} ${bare.out.trim()}; over plain HTTP: ${plain.out.trim().slice(0, 80)}`,
        );
    }

    // The metadata block's rules: containers (DOCKER-USER) and Nomad's tasks (OUTPUT, by cgroup) refused.
    const rules = await node.exec(["sh", "-c", "iptables -w -S DOCKER-USER; iptables -w -S OUTPUT"]);
    const blocked = metadataBlockRules(rules.out);
    add(
        "the metadata service is blocked for containers and Nomad's tasks",
        blocked.docker && blocked.nomad,
        rules.out
            .split("\n")
            .filter((l) => l.includes("169.254"))
            .join(" | ") || rules.out,
    );

    const ss = await node.exec(["ss", "-ltnpH"]);
    const listens = nomadListenAddresses(ss.out);
    // Asked after the node registered, so the HTTP API (4646) is up too.
    const only = listens.includes(`${o.tailnetAddress}:4646`) && listens.every((a) => a.startsWith(`${o.tailnetAddress}:`));
    const httpLog = only ? "" : (await node.exec(["sh", "-c", "journalctl -u nomad --no-pager -o cat | grep -i 'http' | tail -n 3"])).out.trim();
    add(
        `Nomad listens only on the tailnet address ${o.tailnetAddress}`,
        only,
        `${listens.join(" ") || "nomad listens nowhere"}${httpLog ? `; nomad's log: ${httpLog.split("\n").join(" | ")}` : ""}`,
    );

    if (o.volume) {
        // `nofail` boots without the volume: the apps' data would land on the root disk unseen.
        const r = await node.exec(["findmnt", "-n", "-o", "SOURCE,FSTYPE", o.volume.dir]);
        const [source, fstype] = r.out.trim().split(/\s+/);
        const device = (await node.exec(["readlink", "-f", o.volume.device])).out.trim();
        add(
            `the volume ${o.volume.device} is mounted at ${o.volume.dir}`,
            r.status === 0 && (source === device || source === o.volume.device) && fstype === "ext4",
            r.out || `${o.volume.dir} is not a mount point`,
        );
    }

    for (const f of o.dataFolders) {
        const r = await node.exec(["stat", "-c", "%F %u:%g", f.path]);
        const [kind, owner] = r.out.trim().split(/ (?=\d+:\d+$)/);
        const ok = r.status === 0 && kind === "directory" && (f.owner === undefined || owner === f.owner);
        add(`${f.path} exists${f.owner ? ` owned by ${f.owner}` : ""}`, ok, r.status === 0 ? `${kind}, owner ${owner}` : r.out);
    }
    return checks;
}
