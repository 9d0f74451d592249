// Small builders for policy tests: resources as the pack sees them.
import { ResourceView, TYPES } from "../../policy/rules/common";

export function view(type: string, name: string, props: Record<string, unknown>, protect = false): ResourceView {
    return { type, name, urn: `urn:pulumi:test::hydra::${type}::${name}`, props, protect };
}

export interface TaskOptions {
    name?: string;
    driver?: string;
    image?: string;
    env?: Record<string, unknown>;
    args?: unknown[];
    templates?: { text: string; dest: string }[];
    resources?: Record<string, unknown> | null;
    config?: Record<string, unknown>;
}

export function task(o: TaskOptions = {}): Record<string, unknown> {
    const driver = o.driver ?? "docker";
    const config: Record<string, unknown> = { ...(driver === "docker" ? { image: o.image ?? "nginx:1.27.2" } : { command: "/bin/true" }), ...(o.config ?? {}) };
    if (o.args) {
        config.args = o.args;
    }
    const t: Record<string, unknown> = { Name: o.name ?? "web", Driver: driver, Config: config };
    if (o.resources !== null) {
        t.Resources = o.resources ?? { CPU: 100, MemoryMB: 128 };
    }
    if (o.env) {
        t.Env = o.env;
    }
    if (o.templates) {
        t.Templates = o.templates.map((x) => ({ EmbeddedTmpl: x.text, DestPath: x.dest }));
    }
    return t;
}

export function job(
    id: string,
    tasks: Record<string, unknown>[] = [task()],
    extra: Record<string, unknown> = {},
    group: Record<string, unknown> = {},
): Record<string, unknown> {
    return { ID: id, Name: id, Type: "service", Datacenters: ["hydra"], TaskGroups: [{ Name: "app", Count: 1, Tasks: tasks, ...group }], ...extra };
}

export function jobView(j: Record<string, unknown>, name = `${j.ID}-job`): ResourceView {
    return view(TYPES.nomadJob, name, { job: j, address: "http://100.64.0.1:4646" });
}

export function variableView(path: string, items: Record<string, unknown>): ResourceView {
    return view(TYPES.nomadVariable, `${path.split("/").pop()}-secrets`, { path, items, address: "http://100.64.0.1:4646" });
}

export function firewallView(rules: Record<string, unknown>[]): ResourceView {
    return view(TYPES.firewall, "node-firewall", { name: "floyd-firewall", inboundRules: rules, outboundRules: [] });
}

export function recordView(name: string, content: unknown, proxied: unknown, type = "A"): ResourceView {
    return view(TYPES.dnsRecord, `dns-record-${name.split(".")[0]}`, { zoneId: "zone", name, type, content, proxied, ttl: 1 });
}

/** A Caddyfile template in the shape the estate renders (site blocks with Nomad template actions inside). */
export function caddyfile(sites: string[]): string {
    const lines = [
        "# Managed",
        "{",
        "\tadmin localhost:2019",
        "}",
        "",
        "(tls_cloudflare) {",
        "\ttls {",
        "\t\tdns cloudflare {env.CLOUDFLARE_API_TOKEN}",
        "\t}",
        "}",
    ];
    for (const s of sites) {
        lines.push(
            "",
            `${s} {`,
            "\timport tls_cloudflare",
            '\t{{- $up := nomadService "svc" }}',
            "\t{{- if $up }}",
            "\treverse_proxy{{ range $up }} {{ .Address }}:{{ .Port }}{{ end }}",
            "\t{{- end }}",
            "}",
        );
    }
    return lines.join("\n") + "\n";
}

/** A `caddy` job with an internal and a public Caddy, as the estate builds it. */
export function caddyJob(internalSites: string[], publicSites: string[]): Record<string, unknown> {
    const proxyTask = (name: "internal" | "public", sites: string[]) =>
        task({
            name,
            image: "ghcr.io/example/caddy:2.11.9",
            templates: [{ text: caddyfile(sites), dest: "local/Caddyfile" }],
            config: { ports: [`${name}_http`, `${name}_https`] },
        });
    const port = (label: string, net: string) => ({ Label: label, HostNetwork: net });
    return job(
        "caddy",
        [proxyTask("public", publicSites), proxyTask("internal", internalSites)],
        {},
        {
            Networks: [
                {
                    Mode: "host",
                    ReservedPorts: [
                        port("public_http", "public"),
                        port("public_https", "public"),
                        port("internal_http", "tailscale"),
                        port("internal_https", "tailscale"),
                    ],
                },
            ],
        },
    );
}

/** A backup job like the estate's: periodic, raw_exec, a script that runs restic backup over `paths`. */
export function backupJob(
    paths: string[],
    periodic: Record<string, unknown> = { Enabled: true, Spec: "0 3 * * *", SpecType: "cron", ProhibitOverlap: true },
    driver = "raw_exec",
): Record<string, unknown> {
    const script = `#!/bin/bash\nset -euo pipefail\nfor p in ${paths.map((p) => `'${p}'`).join(" ")}; do\n  paths+=("$p")\ndone\nrestic backup --one-file-system --tag nomad "\${paths[@]}"\n`;
    return job(
        "restic",
        [
            task({
                name: "backup",
                driver,
                templates: [{ text: script, dest: "local/restic.sh" }],
                config: { command: "/bin/bash", args: ["${NOMAD_TASK_DIR}/restic.sh"] },
            }),
        ],
        { Type: "batch", Periodic: periodic },
    );
}

export function withBackupPaths(j: Record<string, unknown>, paths: string[]): Record<string, unknown> {
    return { ...j, Meta: { "managed-by": "hydra", "hydra.backup-paths": paths.join(",") } };
}
