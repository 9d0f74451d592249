// The Nomad agent's HCL, rendered from typed options so tests can read it directly.
import { NOMAD_TLS_FILES } from "../vocabulary/nomadTls";

export interface NomadAgentOptions {
    datacenter: string;
    region: string;
    dataDir?: string;
    /** The interface Nomad binds to; its API is never on the public interface. */
    tailnetInterface?: string;
    publicInterface: string;
    acl: boolean;
    consul: boolean;
    /** Memory (MB) kept for the host outside Nomad's scheduling; none when unset. */
    reservedMemoryMb?: number;
    /** Lets tasks use their memory_max: off, Nomad schedules and limits by memory alone. */
    memoryOversubscription?: boolean;
    /** A node of a cluster: what its agent is, and how many servers the first election waits for. Unset: server and client, alone. */
    role?: { server: boolean; client: boolean; bootstrapExpect: number };
    /** Whether the node has a public address (the "public" host network); true when unset. */
    publicNetwork?: boolean;
    /** API and RPC over mutual TLS, with the files in NOMAD_TLS_FILES. */
    tls?: boolean;
}

/**
 * The agent's tls block: mutual TLS on the API and RPC, so every HTTP client (the program, the
 * CLI, Prometheus) must show a certificate of the CA. The node's files by default; the dev agent passes its own.
 */
export function nomadTlsBlock(files: { ca: string; cert: string; key: string } = NOMAD_TLS_FILES): string[] {
    return [
        "# Mutual TLS on the API and RPC: a client without a certificate of this CA is refused.",
        "tls {",
        "  http = true",
        "  rpc  = true",
        "",
        `  ca_file   = ${hclString(files.ca)}`,
        `  cert_file = ${hclString(files.cert)}`,
        `  key_file  = ${hclString(files.key)}`,
        "",
        "  verify_server_hostname = true",
        "  verify_https_client    = true",
        "}",
    ];
}

/** An HCL string literal: JSON's escapes, plus HCL's own `${` and `%{` sequences. */
export function hclString(s: string): string {
    return JSON.stringify(s)
        .replace(/\$\{/g, () => "$${")
        .replace(/%\{/g, () => "%%{");
}

/** go-sockaddr template Nomad and Consul resolve at start: the interface's IPv4. */
export function interfaceAddress(iface: string): string {
    return `{{ GetInterfaceIP "${iface}" }}`;
}

/** Nomad's metrics in Prometheus's format, per allocation and node: what the alert rules read. */
export const NOMAD_TELEMETRY: readonly string[] = [
    "telemetry {",
    '  collection_interval        = "15s"',
    "  disable_hostname           = true",
    "  prometheus_metrics         = true",
    "  publish_allocation_metrics = true",
    "  publish_node_metrics       = true",
    "}",
];

export function renderNomadAgentConfig(o: NomadAgentOptions): string {
    const tailnet = o.tailnetInterface ?? "tailscale0";
    const role = o.role ?? { server: true, client: true, bootstrapExpect: 1 };
    const server = [
        "server {",
        "  enabled          = true",
        `  bootstrap_expect = ${role.bootstrapExpect}`,
        ...(o.memoryOversubscription
            ? [
                  "",
                  "  # Read once, when the cluster first elects a leader; on a running cluster use",
                  "  # `nomad operator scheduler set-config -memory-oversubscription=true`.",
                  "  default_scheduler_config {",
                  "    memory_oversubscription_enabled = true",
                  "  }",
              ]
            : []),
        "}",
        "",
    ];
    const publicNetwork = o.publicNetwork ?? true;
    const client = [
        "client {",
        "  enabled = true",
        "",
        "  # Host networks by interface, so no address is hard-coded; they are",
        "  # fingerprinted at client start, hence Nomad starts after tailscale0 is up.",
        '  host_network "tailscale" {',
        `    interface = ${hclString(tailnet)}`,
        "  }",
        ...(publicNetwork ? ["", '  host_network "public" {', `    interface = ${hclString(o.publicInterface)}`, "  }"] : []),
        ...(o.reservedMemoryMb
            ? [
                  "",
                  "  # Kept for the host (Docker, Tailscale, the agents): tasks are never placed into it.",
                  "  reserved {",
                  `    memory = ${o.reservedMemoryMb}`,
                  "  }",
              ]
            : []),
        "}",
        "",
    ];
    const lines = [
        "# Managed by Hydra (Pulumi). Agent config changes need a restart;",
        "# changing bind_addr on a bootstrapped server needs its data dir wiped.",
        `datacenter = ${hclString(o.datacenter)}`,
        `region     = ${hclString(o.region)}`,
        `data_dir   = ${hclString(o.dataDir ?? "/opt/nomad/data")}`,
        "",
        "# Bind only to the tailnet address: the API and RPC are never public.",
        `bind_addr = ${hclString(interfaceAddress(tailnet))}`,
        "",
        "disable_update_check = true",
        "leave_on_terminate   = false",
        "",
        ...(role.server ? server : []),
        ...(role.client ? client : []),
        'plugin "docker" {',
        "  config {",
        "    volumes {",
        "      enabled = true",
        "    }",
        '    extra_labels = ["job_name", "task_group_name", "task_name", "node_name"]',
        "  }",
        "}",
        "",
        "# The backup job runs restic on the host with raw_exec.",
        'plugin "raw_exec" {',
        "  config {",
        "    enabled = true",
        "  }",
        "}",
        "",
        ...NOMAD_TELEMETRY,
    ];
    if (o.acl) {
        lines.push("", "acl {", "  enabled = true", "}");
    }
    if (o.tls) {
        lines.push("", ...nomadTlsBlock());
    }
    if (o.consul) {
        lines.push("", "consul {", '  address = "127.0.0.1:8500"', "}");
    }
    return lines.join("\n") + "\n";
}

export interface ConsulAgentOptions {
    datacenter: string;
    tailnetInterface?: string;
    gossipKey: string;
}

/** Single-server Consul on the tailnet (optional: Nomad's own discovery is the default). */
export function renderConsulAgentConfig(o: ConsulAgentOptions): string {
    const tailnet = interfaceAddress(o.tailnetInterface ?? "tailscale0");
    return [
        "# Managed by Hydra (Pulumi).",
        `datacenter       = ${hclString(o.datacenter)}`,
        'data_dir         = "/opt/consul"',
        "server           = true",
        "bootstrap_expect = 1",
        `bind_addr        = ${hclString(tailnet)}`,
        `client_addr      = ${hclString(`127.0.0.1 ${tailnet}`)}`,
        `encrypt          = ${hclString(o.gossipKey)}`,
        "disable_update_check = true",
        "",
        "ui_config {",
        "  enabled = true",
        "}",
        "",
    ].join("\n");
}
