import { discoveryFunction, FileSpec, ScrapeTarget, secretTemplate, ServiceProvider } from "../vocabulary";
import { renderAlertRules } from "./alertRules";
import { defineApp } from "./app";
import { BACKUP_JOBS } from "./backup";
import { DASHBOARD_DIR, renderDashboardProvider, renderEstateDashboard } from "./grafanaDashboard";

/** A pinned sqlite3 for dumping Grafana's database (its own image has none). */
const SQLITE_IMAGE = "keinos/sqlite3:3.47.2";

/** The node's tailnet address, as Nomad sets it for the Prometheus port. */
const NODE_IP = '{{ env "NOMAD_IP_prometheus_http" }}';

/** Where the task finds the alert rules. */
const ALERT_RULES_PATH = "/local/alerts.yml";

/** Fixed addresses in place of Nomad's template code: a file promtool can check as it stands. */
export interface SampleAddresses {
    node: string;
    /** Every service's address, "host:port". */
    service: string;
}

const JOB = "monitoring";

/** The job and task that run Prometheus (the dev estate builds a real Prometheus image for it). */
export const PROMETHEUS_TASK = { job: JOB, task: "prometheus" } as const;

/** The monitoring job's variable item holding a target's bearer token. */
export function scrapeTokenItem(target: ScrapeTarget): string {
    return `scrape_token_${target.job.replace(/[^A-Za-z0-9_]/g, "_")}`;
}

/** The file in the task's secrets/ directory Prometheus reads a target's bearer token from. */
function scrapeTokenFile(target: ScrapeTarget): string {
    return `scrape-${target.job}.token`;
}

/** With nomad.tls, the files Prometheus shows Nomad (from this job's variable), by item. */
const NOMAD_TLS_ITEMS = { nomad_ca_cert: "nomad-ca.pem", nomad_client_cert: "nomad-client.pem", nomad_client_key: "nomad-client-key.pem" } as const;

/** Nomad's metrics over mTLS: the estate's client certificate, checked against the region's server name. */
function nomadTlsScrape(serverName: string): string[] {
    return [
        "    scheme: https",
        "    tls_config:",
        `      ca_file: /secrets/${NOMAD_TLS_ITEMS.nomad_ca_cert}`,
        `      cert_file: /secrets/${NOMAD_TLS_ITEMS.nomad_client_cert}`,
        `      key_file: /secrets/${NOMAD_TLS_ITEMS.nomad_client_key}`,
        `      server_name: ${serverName}`,
    ];
}

/** A YAML flow list of the service's instances, filled in by Nomad's template engine. */
function discovered(service: string, provider: ServiceProvider, sample?: SampleAddresses): string {
    if (sample) {
        return `["${sample.service}"]`;
    }
    return `[{{ range $i, $s := ${discoveryFunction(provider)} "${service}" }}{{ if $i }}, {{ end }}"{{ $s.Address }}:{{ $s.Port }}"{{ end }}]`;
}

/**
 * prometheus.yml: Prometheus itself, node-exporter, Nomad's own metrics, and
 * every app's scrape target found through service discovery. Pure.
 */
export function renderPrometheusConfig(
    targets: ScrapeTarget[],
    provider: ServiceProvider,
    sample?: SampleAddresses,
    nomadTls?: { serverName: string },
): string {
    const node = sample?.node ?? NODE_IP;
    const lines = [
        "# Managed by Hydra. Nomad re-renders this when a target moves; Prometheus reloads on SIGHUP.",
        "global:",
        "  scrape_interval: 30s",
        "  evaluation_interval: 30s",
        "rule_files:",
        `  - ${ALERT_RULES_PATH}`,
        "scrape_configs:",
        "  - job_name: prometheus",
        "    static_configs:",
        '      - targets: ["localhost:9090"]',
        "  - job_name: node-exporter",
        "    static_configs:",
        `      - targets: ["${node}:9100"]`,
        "  - job_name: nomad",
        "    metrics_path: /v1/metrics",
        "    params:",
        "      format: [prometheus]",
        ...(nomadTls ? nomadTlsScrape(nomadTls.serverName) : []),
        "    static_configs:",
        `      - targets: ["${node}:4646"]`,
    ];
    for (const t of [...targets].sort((a, b) => a.job.localeCompare(b.job))) {
        lines.push(`  - job_name: ${t.job}`, `    metrics_path: ${t.path}`);
        if (t.token) {
            // A file, not the token itself: the config holds no secret, and Prometheus reads the file per scrape.
            lines.push("    authorization:", `      credentials_file: /secrets/${scrapeTokenFile(t)}`);
        }
        lines.push("    static_configs:", `      - targets: ${discovered(t.service, provider, sample)}`);
    }
    return lines.join("\n") + "\n";
}

/**
 * Grafana's datasource provisioning file (Grafana reads every YAML file in
 * provisioning/datasources at start): Prometheus, at the address discovery has
 * for its service. Nomad re-renders it when Prometheus moves. Pure.
 */
export function renderGrafanaDatasources(provider: ServiceProvider): string {
    // Until Prometheus (same group, so same address) is registered, its port's own address: the first
    // render then already matches the later one, and Grafana is not restarted by the registration.
    const first = `{{ range $i, $s := ${discoveryFunction(provider)} "prometheus" }}{{ if eq $i 0 }}http://{{ $s.Address }}:{{ $s.Port }}{{ end }}{{ else }}http://{{ env "NOMAD_ADDR_prometheus_http" }}{{ end }}`;
    return (
        [
            "# Managed by Hydra.",
            "apiVersion: 1",
            "datasources:",
            "  - name: Prometheus",
            "    uid: prometheus",
            "    type: prometheus",
            "    access: proxy",
            "    isDefault: true",
            "    editable: false",
            `    url: "${first}"`,
        ].join("\n") + "\n"
    );
}

export const monitoring = defineApp({
    name: "monitoring",
    description: "Grafana and Prometheus (scraping the node, Nomad and every app's metrics); internal",
    settings: { hostname: "grafana" },
    secrets: [
        { key: "grafanaAdminPassword", description: "Grafana's admin password", generate: { length: 32 } },
        // The estate's own, declared here too so that Prometheus may show Nomad the client certificate (nomad.tls).
        { key: "nomadCaCert", description: "Nomad's CA certificate, for scraping Nomad over mTLS" },
        { key: "nomadClientCert", description: "The client certificate Prometheus shows Nomad" },
        { key: "nomadClientKey", description: "Its private key" },
    ],
    aggregates: true,
    jobs(ctx) {
        // Each token a target demands, copied into this job's variable (the only one its templates may read).
        const tokened = ctx.estate.scrapeTargets.filter((t) => t.token);
        const tokenFiles: FileSpec[] = tokened.map((t) => ({
            name: scrapeTokenFile(t),
            content: secretTemplate(JOB, scrapeTokenItem(t)),
            changeMode: "noop",
        }));
        const provider = ctx.cfg.consul.enabled ? "consul" : "nomad";
        const nomadTls = ctx.cfg.nomad.tls;
        const tlsFiles: FileSpec[] = nomadTls
            ? Object.entries(NOMAD_TLS_ITEMS).map(([item, name]) => ({ name, content: secretTemplate(JOB, item), changeMode: "restart" }))
            : [];
        const grafanaHost = ctx.hostname();
        const backupOn = ctx.cfg.apps.backup?.enabled ?? false;
        return [
            {
                name: JOB,
                group: "apps",
                tasks: [
                    {
                        name: "grafana",
                        image: "grafana/grafana:12.1.1",
                        // The image's own user, 472 with group 0 (grafana/grafana: Dockerfile, GF_UID/GF_GID).
                        ports: ["grafana_http"],
                        env: {
                            GF_SERVER_ROOT_URL: `https://${grafanaHost}.${ctx.cfg.domain}/`,
                            GF_USERS_ALLOW_SIGN_UP: "false",
                            GF_ANALYTICS_REPORTING_ENABLED: "false",
                        },
                        secretEnv: { GF_SECURITY_ADMIN_PASSWORD: "grafana_admin_password" },
                        // The image's provisioning folder is /etc/grafana/provisioning (GF_PATHS_PROVISIONING
                        // in grafana/grafana: Dockerfile). Grafana reads it only at start, hence a restart.
                        files: [
                            {
                                name: "datasources.yaml",
                                content: renderGrafanaDatasources(provider),
                                mountAt: "/etc/grafana/provisioning/datasources/hydra.yaml",
                            },
                            { name: "dashboards.yaml", content: renderDashboardProvider(), mountAt: "/etc/grafana/provisioning/dashboards/hydra.yaml" },
                            {
                                name: "estate-dashboard.json",
                                // The apps planned before this one, and this one (monitoring is planned among the last).
                                content: renderEstateDashboard(
                                    [
                                        ...ctx.estate.apps,
                                        { name: "proxy", jobs: ctx.cfg.proxy.enabled ? ["caddy"] : [], scrapeJobs: [] },
                                        { name: "monitoring", jobs: ["monitoring"], scrapeJobs: ["prometheus", "node-exporter", "nomad"] },
                                        { name: "backup", jobs: backupOn ? [BACKUP_JOBS.backup, BACKUP_JOBS.check, BACKUP_JOBS.drill] : [], scrapeJobs: [] },
                                    ].filter((a) => a.jobs.length),
                                ),
                                mountAt: `${DASHBOARD_DIR}/hydra-estate.json`,
                                // Grafana's legends use {{ }} too.
                                literal: true,
                            },
                        ],
                        mounts: [{ source: ctx.data("grafana"), target: "/var/lib/grafana", owner: "472:0" }],
                        resources: { cpu: 200, memoryMb: 256 },
                    },
                    {
                        name: PROMETHEUS_TASK.task,
                        image: "prom/prometheus:v3.5.0",
                        // The image's own user, nobody (prometheus/prometheus: Dockerfile). Config reloads
                        // come from Nomad's SIGHUP, so the HTTP lifecycle API (reload, quit) stays off.
                        ports: ["prometheus_http"],
                        args: ["--config.file=/local/prometheus.yml", "--storage.tsdb.path=/prometheus", "--storage.tsdb.retention.time=30d"],
                        mounts: [{ source: ctx.data("prometheus/data"), target: "/prometheus", owner: "65534:65534" }],
                        files: [
                            {
                                name: "prometheus.yml",
                                content: renderPrometheusConfig(ctx.estate.scrapeTargets, provider, undefined, nomadTls),
                                changeMode: "signal",
                                signal: "SIGHUP",
                            },
                            {
                                name: "alerts.yml",
                                content: renderAlertRules({
                                    // The proxy is the estate's own job, not an app's.
                                    serviceJobs: [...ctx.estate.serviceJobs, ...(ctx.cfg.proxy.enabled ? ["caddy"] : []), "monitoring"],
                                    // A failed restore is reported to whoever ran npm run restore.
                                    batchJobs: backupOn ? [BACKUP_JOBS.backup, BACKUP_JOBS.check, BACKUP_JOBS.drill] : [],
                                    dataDir: ctx.cfg.node.dataDir,
                                    backupMaxAgeHours: ctx.cfg.backup.maxAgeHours,
                                    backup: backupOn,
                                    downFor: ctx.cfg.alerts.downFor,
                                }),
                                literal: true,
                                changeMode: "signal",
                                signal: "SIGHUP",
                            },
                            ...tokenFiles,
                            ...tlsFiles,
                        ],
                        resources: { cpu: 300, memoryMb: 512 },
                    },
                ],
                ports: [
                    { label: "grafana_http", to: 3000 },
                    { label: "prometheus_http", to: 9090 },
                ],
                services: [
                    { name: "grafana", port: "grafana_http", check: { type: "http", path: "/api/health" } },
                    { name: "prometheus", port: "prometheus_http", check: { type: "http", path: "/-/healthy" } },
                ],
                routes: [
                    { hostname: grafanaHost, visibility: "internal", port: "grafana_http" },
                    { hostname: "prometheus", visibility: "internal", port: "prometheus_http" },
                ],
                secrets: {
                    grafana_admin_password: ctx.secret("grafanaAdminPassword"),
                    ...Object.fromEntries(tokened.map((t) => [scrapeTokenItem(t), t.token!])),
                    ...(nomadTls
                        ? {
                              nomad_ca_cert: ctx.secret("nomadCaCert"),
                              nomad_client_cert: ctx.secret("nomadClientCert"),
                              nomad_client_key: ctx.secret("nomadClientKey"),
                          }
                        : {}),
                },
                backupPaths: [ctx.data("grafana"), ctx.data("secrets/monitoring.env")],
                // The admin password is set in grafana.db on the first run only; keep it with the data.
                keepSecrets: { items: ["grafana_admin_password"], file: ctx.data("secrets/monitoring.env") },
                // Grafana's image has no sqlite3 (grafana/grafana: Dockerfile), so the dump runs in a
                // one-off SQLite image (KEINOS/Dockerfile_of_SQLite3) on the same file; SQLite's
                // file locks hold across containers on one host.
                backupDumps: [
                    {
                        file: ctx.data("dumps/grafana.sql"),
                        task: "grafana",
                        command: ["sqlite3", "/var/lib/grafana/grafana.db", ".dump"],
                        run: { image: SQLITE_IMAGE, mounts: [{ source: ctx.data("grafana"), target: "/var/lib/grafana" }] },
                        excludes: [`${ctx.data("grafana")}/grafana.db*`],
                    },
                ],
            },
        ];
    },
});
