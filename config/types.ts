// The estate's settings, validated. Each section's type follows from its schema in sections/.
import { AlertsConfig } from "./sections/alerts";
import { AppSettings } from "./sections/apps";
import { BackupConfig } from "./sections/backup";
import { CloudflareConfig } from "./sections/cloudflare";
import { ConsulConfig } from "./sections/consul";
import { Target } from "./sections/estate";
import { FirewallConfig } from "./sections/firewall";
import { NodeConfig } from "./sections/node";
import { NomadConfig } from "./sections/nomad";
import { ProxyConfig } from "./sections/proxy";
import { TailscaleConfig } from "./sections/tailscale";
import { Secret } from "./source";

export type {
    AlertsConfig,
    AppSettings,
    BackupConfig,
    CloudflareConfig,
    ConsulConfig,
    FirewallConfig,
    NodeConfig,
    NomadConfig,
    ProxyConfig,
    Secret,
    TailscaleConfig,
    Target,
};
export type { ExtraRecord, RecordType } from "./sections/records";

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
    /** By app name; every app the program declares has an entry. */
    apps: Record<string, AppSettings>;
    proxy: ProxyConfig;
    backup: BackupConfig;
    alerts: AlertsConfig;
    /** The app secrets config sets, by key (the others are generated, or required by validation). */
    secrets: Record<string, Secret>;
}
