// Grafana's estate dashboard, provisioned from the declarations: one row per app, with its jobs'
// running allocations, restarts and (where it exports metrics) its scrape status. Pure.

export interface DashboardApp {
    name: string;
    /** The app's Nomad jobs. */
    jobs: string[];
    /** The app's Prometheus scrape jobs (its metrics endpoints), if any. */
    scrapeJobs: string[];
}

/** Where Grafana finds the dashboard file (the provider below points at this folder). */
export const DASHBOARD_DIR = "/etc/grafana/dashboards";

const DATASOURCE = { type: "prometheus", uid: "prometheus" };

interface Panel {
    type: string;
    title: string;
    gridPos: { x: number; y: number; w: number; h: number };
    [k: string]: unknown;
}

const jobMatcher = (jobs: string[]) => `exported_job=~"(${[...jobs].sort().join("|")})(/.+)?"`;

/** Red below 1, green from 1: a count of running things, or Prometheus's `up`. */
const UP_THRESHOLDS = {
    defaults: {
        thresholds: {
            mode: "absolute",
            steps: [
                { color: "red", value: null },
                { color: "green", value: 1 },
            ],
        },
    },
    overrides: [],
};

/** One panel with one query. */
function panel(
    id: number,
    type: "stat" | "timeseries",
    title: string,
    gridPos: Panel["gridPos"],
    expr: string,
    legendFormat: string,
    fieldConfig?: object,
): Panel {
    return {
        type,
        id,
        title,
        datasource: DATASOURCE,
        gridPos,
        targets: [{ refId: "A", datasource: DATASOURCE, expr, legendFormat }],
        ...(fieldConfig ? { fieldConfig } : {}),
    };
}

function appRow(app: DashboardApp, y: number, id: () => number): Panel[] {
    const jobs = jobMatcher(app.jobs);
    const scraped = app.scrapeJobs.length > 0;
    const row = y + 1;
    const panels: Panel[] = [
        { type: "row", title: app.name, id: id(), collapsed: false, gridPos: { x: 0, y, w: 24, h: 1 }, panels: [] },
        panel(
            id(),
            "stat",
            "Running allocations",
            { x: 0, y: row, w: scraped ? 3 : 6, h: 5 },
            `sum by (exported_job) (nomad_nomad_job_summary_running{${jobs}})`,
            "{{exported_job}}",
            UP_THRESHOLDS,
        ),
        panel(
            id(),
            "timeseries",
            "Task restarts (15 min)",
            { x: 6, y: row, w: 9, h: 5 },
            `sum by (task) (increase(nomad_client_allocs_restart{${jobs}}[15m]))`,
            "{{task}}",
        ),
        panel(id(), "timeseries", "Memory used", { x: 15, y: row, w: 9, h: 5 }, `sum by (task) (nomad_client_allocs_memory_usage{${jobs}})`, "{{task}}", {
            defaults: { unit: "bytes" },
            overrides: [],
        }),
    ];
    if (scraped) {
        panels.push(
            panel(id(), "stat", "Metrics scrape", { x: 3, y: row, w: 3, h: 5 }, `min(up{job=~"${[...app.scrapeJobs].sort().join("|")}"})`, "up", UP_THRESHOLDS),
        );
    }
    return panels;
}

/** The dashboard's JSON model, apps in the order given. */
export function renderEstateDashboard(apps: DashboardApp[]): string {
    let next = 0;
    const id = () => ++next;
    const panels = apps.flatMap((app, i) => appRow(app, i * 6, id));
    const dashboard = {
        uid: "hydra-estate",
        title: "Hydra estate",
        tags: ["hydra"],
        editable: false,
        schemaVersion: 39,
        time: { from: "now-6h", to: "now" },
        refresh: "1m",
        panels,
    };
    return JSON.stringify(dashboard, null, 2) + "\n";
}

/** The provisioning file that makes Grafana load the dashboards in DASHBOARD_DIR. */
export function renderDashboardProvider(): string {
    return [
        "# Managed by Hydra.",
        "apiVersion: 1",
        "providers:",
        "  - name: hydra",
        "    folder: Hydra",
        "    type: file",
        "    disableDeletion: true",
        "    allowUiUpdates: false",
        "    options:",
        `      path: ${DASHBOARD_DIR}`,
        "",
    ].join("\n");
}
