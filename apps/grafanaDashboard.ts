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

function appRow(app: DashboardApp, y: number, id: () => number): Panel[] {
    const panels: Panel[] = [{ type: "row", title: app.name, id: id(), collapsed: false, gridPos: { x: 0, y, w: 24, h: 1 }, panels: [] }];
    panels.push({
        type: "stat",
        id: id(),
        title: "Running allocations",
        datasource: DATASOURCE,
        gridPos: { x: 0, y: y + 1, w: 6, h: 5 },
        targets: [
            {
                refId: "A",
                datasource: DATASOURCE,
                expr: `sum by (exported_job) (nomad_nomad_job_summary_running{${jobMatcher(app.jobs)}})`,
                legendFormat: "{{exported_job}}",
            },
        ],
        fieldConfig: {
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
        },
    });
    panels.push({
        type: "timeseries",
        id: id(),
        title: "Task restarts (15 min)",
        datasource: DATASOURCE,
        gridPos: { x: 6, y: y + 1, w: 9, h: 5 },
        targets: [
            {
                refId: "A",
                datasource: DATASOURCE,
                expr: `sum by (task) (increase(nomad_client_allocs_restart{${jobMatcher(app.jobs)}}[15m]))`,
                legendFormat: "{{task}}",
            },
        ],
    });
    panels.push({
        type: "timeseries",
        id: id(),
        title: "Memory used",
        datasource: DATASOURCE,
        gridPos: { x: 15, y: y + 1, w: 9, h: 5 },
        targets: [
            { refId: "A", datasource: DATASOURCE, expr: `sum by (task) (nomad_client_allocs_memory_usage{${jobMatcher(app.jobs)}})`, legendFormat: "{{task}}" },
        ],
        fieldConfig: { defaults: { unit: "bytes" }, overrides: [] },
    });
    if (app.scrapeJobs.length) {
        panels[1].gridPos.w = 3;
        panels.push({
            type: "stat",
            id: id(),
            title: "Metrics scrape",
            datasource: DATASOURCE,
            gridPos: { x: 3, y: y + 1, w: 3, h: 5 },
            targets: [{ refId: "A", datasource: DATASOURCE, expr: `min(up{job=~"${[...app.scrapeJobs].sort().join("|")}"})`, legendFormat: "up" }],
            fieldConfig: {
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
            },
        });
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
