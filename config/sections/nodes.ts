// hydra:nodes: more than one machine in one Nomad cluster. Unset, the estate is the one node of hydra:node.
import { z } from "zod";
import { Arch, ARCHS } from "../../vocabulary/app";
import { isIPv4, isTailnetIpv4 } from "../addresses";
import { flag, oneOf, text } from "../fields";
import { fullKey } from "../keys";
import { hostnameLabel, isHostnameLabel, word } from "../names";
import { show } from "../problems";
import { readSection, strictObject } from "../readSection";
import { DIGITALOCEAN_REGIONS, regionProblem } from "../regions";
import { ConfigSource, Secret } from "../source";
import { Target, TARGETS } from "./estate";
import { NodeConfig } from "./node";
import { TailscaleConfig } from "./tailscale";

export const ROLES = ["server", "client", "both"] as const;
/** What a node's Nomad agent is: a server (schedules), a client (runs tasks), or both. */
export type Role = (typeof ROLES)[number];

export const nodeEntrySchema = strictObject({
    role: oneOf(ROLES, (v) => `${show(v)} is not "server", "client" or "both"`)
        .optional()
        .describe('"server", "client" or "both"; "both" for the primary node (node.name), "client" for the others.'),
    target: oneOf(TARGETS, (v) => `${show(v)} is not "digitalocean" (a droplet) or "existing" (a machine you run, e.g. at home)`)
        .optional()
        .describe("digitalocean (a droplet Hydra creates) or existing (a machine you run); the stack's target by default."),
    public: flag().optional().describe("Has a public address and runs the public proxy (the primary by default; no other node unless set)."),
    arch: oneOf(ARCHS, (v) => `${show(v)} is not "amd64" or "arm64" (a Raspberry Pi 4 or 5 is arm64)`)
        .prefault("amd64")
        .describe("CPU architecture: amd64 or arm64."),
    dataDir: text(word('an absolute directory path such as "/data"', /^\/[A-Za-z0-9._/-]*[A-Za-z0-9._-]$/))
        .optional()
        .describe("Where apps placed here keep their data; node.dataDir for a droplet (it gets its own volume), none for an existing node unless set."),
    tailnetAddress: text((a) => (isTailnetIpv4(a) ? undefined : `${show(a)} is not a tailnet address in 100.64.0.0/10 such as "100.101.102.104"`))
        .optional()
        .describe("An existing node's tailnet IPv4 (tailscale ip -4). The primary's is tailscale.address."),
    publicAddress: text((a) => (isIPv4(a) ? undefined : `${show(a)} is not an IPv4 address`))
        .optional()
        .describe("An existing public node's public IPv4."),
    region: z
        .enum(DIGITALOCEAN_REGIONS, { error: (issue) => regionProblem(issue.input) })
        .optional()
        .describe("A droplet's region (node.region by default)."),
    size: text(word('a DigitalOcean size slug such as "s-2vcpu-4gb"', /^[a-z0-9]+(-[a-z0-9]+)+$/))
        .optional()
        .describe("A droplet's size (node.size by default)."),
});

/** One machine of the cluster, its defaults filled in from hydra:node. */
export interface ClusterNode {
    name: string;
    /** The node of hydra:node: it keeps the estate's state (the Nomad address, the internal proxy, the backup's upkeep). */
    primary: boolean;
    role: Role;
    target: Target;
    public: boolean;
    arch: Arch;
    /** Where apps placed on this node keep their data; undefined: no app may keep data here. */
    dataDir?: string;
    /** Its tailnet address: tailscale.address for the primary (maybe unknown yet), required for an existing node. */
    tailnetAddress?: string;
    /** An existing public node's public IPv4 (node.publicAddress for an existing primary). */
    publicAddress?: string;
    region: NodeConfig["region"];
    size: string;
}

export interface ClusterConfig {
    /** Primary first, then by name. Empty when hydra:nodes is unset: the estate is one node, as it always was. */
    nodes: ClusterNode[];
    /** Encrypts the servers' gossip (standard base64); generated when unset. */
    gossipKey?: Secret;
    /** What is allowed but unwise (a server on a home machine); `pulumi up` prints each. */
    warnings: string[];
}

export const isServer = (n: ClusterNode): boolean => n.role !== "client";
export const isClient = (n: ClusterNode): boolean => n.role !== "server";

/** More than one machine: only then do jobs say where they run. */
export function isMultiNode(cluster: ClusterConfig): boolean {
    return cluster.nodes.length > 1;
}

/** Why a server count does not work, or undefined when it does. */
export function serverCountProblem(count: number): string | undefined {
    if (count === 1 || count === 3 || count === 5) {
        return undefined;
    }
    const use = "use 1, 3 or 5";
    if (count === 0) {
        return `has no server (role "server" or "both"): a cluster needs 1, 3 or 5`;
    }
    if (count === 2 || count === 4) {
        const why =
            count === 2
                ? "with 2 servers, losing either one loses the leader (Raft needs a majority, 2 of 2), so 2 are worse than 1"
                : "4 servers survive the loss of one, like 3, but need 3 for every write";
        return `has ${count} servers: ${why}; ${use}`;
    }
    return `has ${count} servers: every write waits for a majority of them, and more than 5 only slow it; ${use}`;
}

/** Nomad's gossip key: standard base64 of 16, 24 or 32 bytes. Says why not without showing the key. */
export function gossipKeyProblem(key: string): string | undefined {
    const how = "generate one with: openssl rand -base64 32";
    if (/[-_]/.test(key)) {
        return `is URL-safe base64 ("-" or "_"); Nomad accepts only standard base64 ("+" and "/") and refuses to start: ${how}`;
    }
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key) || key.length % 4 !== 0) {
        return `is not standard base64: ${how}`;
    }
    const bytes = Buffer.from(key, "base64").length;
    return [16, 24, 32].includes(bytes) ? undefined : `decodes to ${bytes} bytes; Nomad needs 16, 24 or 32: ${how}`;
}

type Entry = z.output<typeof nodeEntrySchema>;

function fillDefaults(name: string, e: Entry, primary: boolean, target: Target, node: NodeConfig, ts: TailscaleConfig): ClusterNode {
    const t = e.target ?? target;
    return {
        name,
        primary,
        role: e.role ?? (primary ? "both" : "client"),
        target: t,
        public: e.public ?? primary,
        arch: e.arch,
        // A droplet gets its own volume; a machine at home keeps data only where it is told to.
        dataDir: e.dataDir ?? (primary || t === "digitalocean" ? node.dataDir : undefined),
        tailnetAddress: primary ? ts.address : e.tailnetAddress,
        publicAddress: primary ? node.publicAddress : e.publicAddress,
        region: e.region ?? node.region,
        size: e.size ?? node.size,
    };
}

function checkEntry(src: ConfigSource, key: string, e: Entry, n: ClusterNode, target: Target): void {
    const p = src.problems;
    if (n.primary && e.target !== undefined && e.target !== target) {
        p.add(`${key}.target`, "conflict", `is the primary node's (node.name), whose target is the stack's: ${show(target)}`);
    }
    if (n.primary && (e.tailnetAddress !== undefined || e.publicAddress !== undefined)) {
        const field = e.tailnetAddress !== undefined ? "tailnetAddress" : "publicAddress";
        const own = field === "tailnetAddress" ? "tailscale.address" : "node.publicAddress";
        p.add(`${key}.${field}`, "conflict", `is the primary node's (node.name): set ${own} instead`);
    }
    if (n.primary) {
        return;
    }
    const home = n.target === "existing";
    if (home && n.tailnetAddress === undefined && !p.has(`${key}.tailnetAddress`)) {
        p.add(`${key}.tailnetAddress`, "required", 'is required with target "existing": the node\'s tailnet IPv4 (tailscale ip -4 on it)');
    }
    if (home && n.public && n.publicAddress === undefined && !p.has(`${key}.publicAddress`)) {
        p.add(`${key}.publicAddress`, "required", "is required for a public existing node: the public IPv4 its routes resolve to");
    }
    if (!home && (e.publicAddress !== undefined || e.tailnetAddress !== undefined)) {
        const field = e.publicAddress !== undefined ? "publicAddress" : "tailnetAddress";
        p.add(`${key}.${field}`, "conflict", 'is only for target "existing"; a droplet gets its addresses when it is made');
    }
    if (home && (e.region !== undefined || e.size !== undefined)) {
        p.add(`${key}.${e.region !== undefined ? "region" : "size"}`, "conflict", "is only for a droplet (target digitalocean)");
    }
}

/**
 * Reads hydra:nodes: each node with its defaults from hydra:node, the primary (node.name)
 * always among them, and the rules that hold across the nodes (the server count).
 */
export function readNodes(src: ConfigSource, target: Target, node: NodeConfig, ts: TailscaleConfig, secrets: ReadonlyMap<string, Secret>): ClusterConfig {
    const p = src.problems;
    const key = fullKey("nodes");
    const raw = src.object("nodes");
    const names = Object.keys(raw);
    if (names.length === 0) {
        return { nodes: [], warnings: [] };
    }
    const entries = new Map<string, Entry>();
    for (const name of names) {
        if (!isHostnameLabel(name)) {
            p.add(`${key}.${name}`, "invalid", `${hostnameLabel("pi")(name)}: a node's name is its host name`);
            continue;
        }
        entries.set(name, readSection(p, `${key}.${name}`, nodeEntrySchema, raw[name]));
    }
    // The primary is hydra:node, named or not: adding nodes never changes what the first one is.
    const ordered = [node.name, ...[...entries.keys()].filter((n) => n !== node.name).sort()];
    const nodes = ordered.map((name) => fillDefaults(name, entries.get(name) ?? { arch: "amd64" }, name === node.name, target, node, ts));
    for (const n of nodes) {
        checkEntry(src, `${key}.${n.name}`, entries.get(n.name) ?? { arch: "amd64" }, n, target);
    }
    // The other nodes find the cluster at the primary's tailnet address; the nodes resolve no MagicDNS names (Pi-hole owns DNS).
    if (!isServer(nodes[0]) && !p.has(`${key}.${node.name}`)) {
        p.add(`${key}.${node.name}.role`, "invalid", 'is the primary node\'s (node.name), which the others join: "server" or "both"');
    }
    if (ts.address === undefined && !p.has(fullKey("tailscale.address"))) {
        p.add(fullKey("tailscale.address"), "required", "is required with nodes: the other nodes join the primary at its tailnet IPv4 (tailscale ip -4 on it)");
    }
    const joining = nodes.filter((n) => !n.primary && n.target === "existing");
    if (joining.length && !ts.authKey && !ts.apiKey && !p.has(fullKey("tailscaleAuthKey")) && !p.has(fullKey("tailscaleApiKey"))) {
        const how =
            "pulumi config set --secret tailscaleApiKey tskey-api-… (with tailscale.tailnet) to mint a one-off key per node, or a reusable tailscaleAuthKey";
        p.add(fullKey("tailscaleApiKey"), "secret-required", `is required to join ${joining.map((n) => n.name).join(", ")} to the tailnet: ${how}`);
    }
    const countProblem = serverCountProblem(nodes.filter(isServer).length);
    if (countProblem) {
        p.add(key, "invalid", countProblem);
    }
    if (!nodes.some(isClient)) {
        p.add(key, "invalid", 'has no client (role "client" or "both"): no node would run the apps');
    }
    const gossip = src.text("nomadGossipKey");
    const readable = src.raw.secretKeys.has(fullKey("nomadGossipKey")) && !src.raw.secretsUnread;
    const gossipProblem = gossip !== undefined && readable ? gossipKeyProblem(gossip) : undefined;
    if (gossipProblem) {
        p.add(fullKey("nomadGossipKey"), "invalid", gossipProblem);
    }
    const warnings = nodes
        .filter((n) => n.target === "existing" && isServer(n))
        .map(
            (n) =>
                `nodes.${n.name} is a Nomad server on a machine you run yourself: a home connection or power cut then costs the cluster a voter; prefer servers on droplets and home machines as clients`,
        );
    return { nodes, gossipKey: secrets.get("nomadGossipKey"), warnings };
}
