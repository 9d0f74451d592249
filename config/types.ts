import * as pulumi from "@pulumi/pulumi";

/** A value that came from `pulumi config set --secret`; stays an Output so it is never printed. */
export type Secret = pulumi.Output<string>;

/** Where the estate runs: a droplet we create, or a node someone already has. */
export type Target = "digitalocean" | "existing";

export interface NodeConfig {
    /** Droplet name and the default tailnet hostname, e.g. "floyd". */
    name: string;
    region: string;
    size: string;
    image: string;
    sshPublicKeys: string[];
    adminUser: string;
    timezone: string;
    locale: string;
    volumeSizeGb: number;
    tags: string[];
    monitoring: boolean;
    ipv6: boolean;
    /** Where apps keep their data on the node: the volume's mount point on a droplet. */
    dataDir: string;
    /** The interface that carries the public address (Nomad's "public" host network). */
    publicInterface: string;
    /** Public IPv4 of an existing node (target "existing" only). */
    publicAddress?: string;
}

export interface TailscaleConfig {
    hostname: string;
    /** The node's tailnet IPv4 (100.x.y.z); internal DNS records point here. */
    address?: string;
    /** Tailnet name, needed to mint an auth key with the API key. */
    tailnet?: string;
    /** ACL tags the minted key gives the node. */
    tags: string[];
    authKey?: Secret;
    apiKey?: Secret;
}

export interface FirewallConfig {
    /** CIDRs allowed to reach SSH from the internet; empty means SSH only over Tailscale. */
    sshFrom: string[];
}

export interface NomadConfig {
    datacenter: string;
    region: string;
    namespace: string;
    /** HTTP address the Nomad resources talk to. */
    address: string;
    /** Nomad package version installed on the node. */
    version: string;
    /** Turn on Nomad's ACL system in the agent config (bootstrap it once by hand). */
    acl: boolean;
    token?: Secret;
}

export interface ConsulConfig {
    enabled: boolean;
    version: string;
    /** Gossip encryption key (`consul keygen`); generated when unset. */
    gossipKey?: Secret;
}

export type RecordType = "A" | "AAAA" | "CNAME" | "TXT" | "MX";

export interface ExtraRecord {
    /** Relative name ("talks", "@" for the apex). */
    name: string;
    type: RecordType;
    content: string;
    proxied: boolean;
    ttl: number;
    priority?: number;
}

export interface CloudflareConfig {
    /** Manage DNS at all (off for a local dev stack). */
    enabled: boolean;
    /** Create the zone (true) or look up an existing one by name (false). */
    manageZone: boolean;
    accountId?: string;
    /** Default for public routes that do not say. */
    proxied: boolean;
    records: ExtraRecord[];
}

/** Per-app switches: on or off, and optional overrides of its host name and image. */
export interface AppSettings {
    enabled: boolean;
    /** Host name relative to the zone, for apps with one main route. */
    hostname?: string;
    /** Image override (must be pinned), for apps with one main image. */
    image?: string;
}

export interface ProxyConfig {
    enabled: boolean;
    /** Caddy image with the Cloudflare DNS module. */
    image: string;
    acmeEmail?: string;
    /** Token Caddy uses for DNS-01 (Zone:DNS:Edit). */
    cloudflareToken?: Secret;
}

export interface BackupConfig {
    /** Cron spec of the nightly restic backup (in node.timezone). */
    schedule: string;
    /** Cron spec of the weekly `restic check`. */
    checkSchedule: string;
    keepDaily: number;
    keepWeekly: number;
    keepMonthly: number;
    keepYearly: number;
}

/** Every setting of the estate, validated. */
export interface HydraConfig {
    /** The DNS zone, e.g. "example.com". */
    domain: string;
    target: Target;
    node: NodeConfig;
    tailscale: TailscaleConfig;
    firewall: FirewallConfig;
    nomad: NomadConfig;
    consul: ConsulConfig;
    cloudflare: CloudflareConfig;
    /** By app name; every app the program knows has an entry. */
    apps: Record<string, AppSettings>;
    proxy: ProxyConfig;
    backup: BackupConfig;
    /** App secrets that config provides (the rest are generated, or required by validation). */
    secrets: Partial<Record<string, Secret>>;
}
