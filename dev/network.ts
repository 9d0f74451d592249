// The dev estate's two addresses. On the droplet the tailnet address (100.x) carries the
// internal proxy, internal routes and Gitea's SSH, and containers reach apps on it; the public
// interface carries the public proxy. Here the tailnet stand-in is the gateway of a bridge made
// for the private Docker daemon (real on this machine, reachable from containers, and never
// routed anywhere), and the public stand-in is a loopback address.
import { spawnSync } from "child_process";

export interface DevNetwork {
    /** The Linux bridge the private Docker daemon puts containers on (at most 15 characters). */
    bridge: string;
    /** The tailnet stand-in with the bridge's prefix, e.g. 100.127.0.1/24: the bridge's own address. */
    tailnetCidr: string;
    /** The public stand-in: an address in 127.0.0.0/8. */
    publicAddress: string;
}

export const DEFAULT_DEV_NETWORK: DevNetwork = { bridge: "hydra0", tailnetCidr: "100.127.0.1/24", publicAddress: "127.0.0.1" };

/** The dev network, each part overridable (HYDRA_DEV_BRIDGE, HYDRA_DEV_TAILNET, HYDRA_DEV_PUBLIC). */
export function devNetworkFromEnv(env: NodeJS.ProcessEnv = process.env): DevNetwork {
    return {
        bridge: env.HYDRA_DEV_BRIDGE || DEFAULT_DEV_NETWORK.bridge,
        tailnetCidr: env.HYDRA_DEV_TAILNET || DEFAULT_DEV_NETWORK.tailnetCidr,
        publicAddress: env.HYDRA_DEV_PUBLIC || DEFAULT_DEV_NETWORK.publicAddress,
    };
}

export const tailnetAddress = (n: DevNetwork): string => n.tailnetCidr.split("/")[0];

function ipv4(text: string): number | undefined {
    const parts = text.split(".");
    if (parts.length !== 4 || parts.some((p) => !/^\d{1,3}$/.test(p) || Number(p) > 255)) {
        return undefined;
    }
    return parts.reduce((n, p) => n * 256 + Number(p), 0);
}

/** Whether `address` is inside `base/prefix`. */
export function inSubnet(address: string, base: string, prefix: number): boolean {
    const a = ipv4(address);
    const b = ipv4(base);
    if (a === undefined || b === undefined) {
        return false;
    }
    const size = 2 ** (32 - prefix);
    return Math.floor(a / size) === Math.floor(b / size);
}

/** Every problem with a dev network, so that all are reported at once. */
export function devNetworkProblems(n: DevNetwork): string[] {
    const out: string[] = [];
    if (!/^[a-zA-Z0-9][a-zA-Z0-9_-]{0,14}$/.test(n.bridge)) {
        out.push(`bridge ${JSON.stringify(n.bridge)}: at most 15 letters, digits, "-" or "_"`);
    }
    const [address, prefixText] = n.tailnetCidr.split("/");
    const prefix = Number(prefixText);
    if (ipv4(address) === undefined || !Number.isInteger(prefix) || prefix < 16 || prefix > 30) {
        out.push(`tailnet stand-in ${JSON.stringify(n.tailnetCidr)}: write it as an address with a prefix of 16 to 30, e.g. 100.127.0.1/24`);
    } else if (!inSubnet(address, "100.64.0.0", 10)) {
        out.push(`tailnet stand-in ${n.tailnetCidr}: must be in Tailscale's range 100.64.0.0/10`);
    }
    if (!inSubnet(n.publicAddress, "127.0.0.0", 8)) {
        out.push(`public stand-in ${JSON.stringify(n.publicAddress)}: must be a loopback address (127.0.0.0/8)`);
    }
    return out;
}

interface Interface {
    ifname: string;
    flags?: string[];
    addr_info?: { family: string; local: string; prefixlen: number }[];
}

function ip(args: string[]): string {
    const r = spawnSync("ip", args, { encoding: "utf8" });
    if (r.error || r.status !== 0) {
        throw new Error(`ip ${args.join(" ")} failed: ${r.error?.message ?? r.stderr.trim()}`);
    }
    return r.stdout;
}

function interfaces(): Interface[] {
    return JSON.parse(ip(["-j", "addr", "show"]) || "[]") as Interface[];
}

const hasAddress = (i: Interface, address: string) => (i.addr_info ?? []).some((a) => a.family === "inet" && a.local === address);

/** A free /24 for a test's bridge (100.126.N.1/24): none of this machine's addresses is in it. */
export function freeTailnetCidr(): string {
    const used = interfaces().flatMap((i) => (i.addr_info ?? []).filter((a) => a.family === "inet").map((a) => a.local));
    for (let k = 0; k < 254; k++) {
        const n = ((process.pid + k) % 254) + 1;
        if (!used.some((a) => inSubnet(a, `100.126.${n}.0`, 24))) {
            return `100.126.${n}.1/24`;
        }
    }
    throw new Error("no free /24 in 100.126.0.0/16 for a test bridge");
}

/** Makes the bridge (with the tailnet stand-in) and the public stand-in real; refuses to take an address in use. */
export function ensureDevNetwork(n: DevNetwork): void {
    const problems = devNetworkProblems(n);
    if (problems.length) {
        throw new Error(`dev network: ${problems.join("; ")}`);
    }
    const [address, prefixText] = n.tailnetCidr.split("/");
    const prefix = Number(prefixText);
    const all = interfaces();
    const clash = all.find((i) => i.ifname !== n.bridge && (i.addr_info ?? []).some((a) => a.family === "inet" && inSubnet(a.local, address, prefix)));
    if (clash) {
        throw new Error(
            `dev network: ${n.tailnetCidr} overlaps ${clash.ifname}'s address (a real tailnet, or another dev agent's bridge); ` +
                `choose another with HYDRA_DEV_TAILNET=100.x.y.1/24 and set hydra:tailscale.address to match`,
        );
    }
    const bridge = all.find((i) => i.ifname === n.bridge);
    const had = (bridge?.addr_info ?? []).filter((a) => a.family === "inet").map((a) => `${a.local}/${a.prefixlen}`);
    if (had.length && !had.includes(n.tailnetCidr)) {
        throw new Error(
            `dev network: bridge ${n.bridge} already has ${had.join(", ")}, not ${n.tailnetCidr}: remove it (ip link del ${n.bridge}) or choose another bridge`,
        );
    }
    // Nomad matches host networks against interface addresses: another loopback address must be on lo.
    const steps = [
        ...(bridge ? [] : [["link", "add", "name", n.bridge, "type", "bridge"]]),
        ...(had.length ? [] : [["addr", "add", n.tailnetCidr, "dev", n.bridge]]),
        ...(bridge?.flags?.includes("UP") ? [] : [["link", "set", n.bridge, "up"]]),
        ...(all.some((i) => hasAddress(i, n.publicAddress)) ? [] : [["addr", "add", `${n.publicAddress}/32`, "dev", "lo"]]),
    ];
    if (process.getuid?.() !== 0 && steps.length > 0) {
        throw new Error(`dev network: needs root; run as root, or once: ${steps.map((s) => `sudo ip ${s.join(" ")}`).join(" && ")}`);
    }
    for (const step of steps) {
        ip(step);
    }
}

/** Removes the bridge and a loopback address that ensureDevNetwork added; returns whether the bridge was there. */
export function removeDevNetwork(n: DevNetwork): boolean {
    const all = interfaces();
    const had = all.some((i) => i.ifname === n.bridge);
    if (had) {
        ip(["link", "del", n.bridge]);
    }
    const lo = all.find((i) => i.ifname === "lo");
    if (lo && (lo.addr_info ?? []).some((a) => a.local === n.publicAddress && a.prefixlen === 32)) {
        ip(["addr", "del", `${n.publicAddress}/32`, "dev", "lo"]);
    }
    return had;
}

/** An IPv4 address `k` further on (the next nodes' stand-ins); undefined past the last octet's .254. */
function offset(address: string, k: number): string | undefined {
    const parts = address.split(".").map(Number);
    return parts[3] + k > 254 ? undefined : [...parts.slice(0, 3), parts[3] + k].join(".");
}

/** The stand-ins of one node of a dev cluster: its tailnet address (on the bridge) and its public one (on lo). */
export interface DevNodeAddresses {
    tailnet: string;
    public: string;
}

/**
 * The addresses of `count` dev nodes: the first has the dev network's own, node k the tailnet
 * stand-in and the public stand-in k further on (100.127.0.2, 127.0.0.2 …). The tailnet ones stay
 * in the lower half of the bridge's subnet; Docker gives containers the upper half (dockerFixedCidr).
 */
export function devNodeAddresses(n: DevNetwork, count: number): DevNodeAddresses[] {
    const [base, prefixText] = n.tailnetCidr.split("/");
    const [containers, upper] = dockerFixedCidr(n).split("/");
    const out: DevNodeAddresses[] = [];
    for (let k = 0; k < count; k++) {
        const tailnet = offset(base, k);
        const pub = offset(n.publicAddress, k);
        if (!tailnet || !pub || !inSubnet(tailnet, base, Number(prefixText)) || inSubnet(tailnet, containers, Number(upper))) {
            throw new Error(`dev network: no room for ${count} nodes after ${n.tailnetCidr} and ${n.publicAddress}; choose lower addresses or a larger subnet`);
        }
        out.push({ tailnet, public: pub });
    }
    return out;
}

/** The upper half of the bridge's subnet, where Docker places containers when the lower half holds the nodes' addresses. */
export function dockerFixedCidr(n: DevNetwork): string {
    const [base, prefixText] = n.tailnetCidr.split("/");
    const prefix = Number(prefixText);
    const size = 2 ** (32 - prefix);
    const start = Math.floor(ipv4(base)! / size) * size + size / 2;
    return `${[24, 16, 8, 0].map((s) => (start >>> s) & 255).join(".")}/${prefix + 1}`;
}

/** Adds the other nodes' stand-ins (after ensureDevNetwork): each tailnet one on the bridge, each public one on lo. */
export function ensureNodeAddresses(n: DevNetwork, nodes: DevNodeAddresses[]): void {
    const all = interfaces();
    for (const node of nodes.slice(1)) {
        if (!all.some((i) => hasAddress(i, node.tailnet))) {
            ip(["addr", "add", `${node.tailnet}/32`, "dev", n.bridge]);
        }
        if (!all.some((i) => hasAddress(i, node.public))) {
            ip(["addr", "add", `${node.public}/32`, "dev", "lo"]);
        }
    }
}

/** Removes the other nodes' public stand-ins from lo (their tailnet ones go with the bridge). */
export function removeNodeAddresses(nodes: DevNodeAddresses[]): void {
    const lo = interfaces().find((i) => i.ifname === "lo");
    for (const node of nodes.slice(1)) {
        if (lo && (lo.addr_info ?? []).some((a) => a.local === node.public && a.prefixlen === 32)) {
            ip(["addr", "del", `${node.public}/32`, "dev", "lo"]);
        }
    }
}
