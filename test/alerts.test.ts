// The alert rules and the Prometheus config monitoring renders, checked by the real promtool:
// `check config`, `check rules`, each with a negative control, and `test rules`, which replays
// synthetic series through the rules and compares the alerts that fire.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import YAML from "yaml";
import { BACKUP_METRICS } from "../apps/alertRules";
import { renderPrometheusConfig } from "../apps/monitoring";
import { Job } from "../nomad";
import { fixtureConfig } from "./support/estateConfig";
import { mockedEstate } from "./support/mockedEstate";
import { promtool, run } from "./support/tools";

const JOB = "pulumi-nodejs:dynamic/nomad:NomadJob";

describe("alert rules, checked by promtool", function () {
    this.timeout(120_000);
    let dir: string;
    let rules: string;
    let job: Job;
    const tool = () => promtool();

    before(async () => {
        const estate = await mockedEstate(fixtureConfig("full-digitalocean"));
        job = estate
            .ofType(JOB)
            .map((r) => r.inputs.job as Job)
            .find((j) => j.ID === "monitoring")!;
        const prometheus = job.TaskGroups[0].Tasks.find((t) => t.Name === "prometheus")!;
        const template = prometheus.Templates!.find((t) => t.DestPath === "local/alerts.yml")!;
        assert.ok(template.LeftDelim && !template.EmbeddedTmpl!.includes(template.LeftDelim), "Nomad copies the rules as they are");
        rules = template.EmbeddedTmpl!;
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "hydra-alerts-"));
        fs.writeFileSync(path.join(dir, "alerts.yml"), rules);
    });

    const write = (name: string, text: string) => {
        fs.writeFileSync(path.join(dir, name), text);
        return path.join(dir, name);
    };

    it("check rules accepts the rendered rules, and refuses a broken expression", () => {
        const ok = run(tool(), ["check", "rules", path.join(dir, "alerts.yml")]);
        assert.strictEqual(ok.status, 0, ok.output);
        assert.match(ok.output, /SUCCESS: \d+ rules found/);
        const broken = run(tool(), ["check", "rules", write("broken.yml", rules.replace("== 0", "== ="))]);
        assert.notStrictEqual(broken.status, 0, broken.output);
    });

    it("check config accepts prometheus.yml with its rules, and refuses a broken one", () => {
        const config = renderPrometheusConfig([{ job: "gitea", service: "gitea-web", path: "/metrics" }], "nomad", {
            node: "100.64.0.1",
            service: "100.64.0.1:20000",
        }).replace("/local/alerts.yml", path.join(dir, "alerts.yml"));
        const ok = run(tool(), ["check", "config", write("prometheus.yml", config)]);
        assert.strictEqual(ok.status, 0, ok.output);
        const broken = run(tool(), ["check", "config", write("bad.yml", config.replace("scrape_interval: 30s", "scrape_interval: often"))]);
        assert.notStrictEqual(broken.status, 0, broken.output);
    });

    it("fires what it should when the series say so, and nothing else (promtool test rules)", () => {
        const serviceJobs = [...rules.matchAll(/exported_job="([a-z0-9-]+)"\}\) or vector\(0\)/g)].map((m) => m[1]);
        assert.ok(serviceJobs.includes("gitea") && serviceJobs.includes("caddy"), `every service job has a rule: ${serviceJobs}`);
        const running = serviceJobs
            .filter((j) => j !== "gitea")
            .map((j) => ({ series: `nomad_nomad_job_summary_running{exported_job="${j}",task_group="app"}`, values: "1x40" }));
        const tests = {
            rule_files: ["alerts.yml"],
            evaluation_interval: "4m",
            tests: [
                {
                    interval: "1m",
                    input_series: [
                        ...running,
                        { series: 'up{job="gitea",instance="100.64.0.1:20000"}', values: "0x40" },
                        { series: 'up{job="nomad",instance="100.64.0.1:4646"}', values: "1x40" },
                        { series: `${BACKUP_METRICS.lastRunOk}`, values: "0x40" },
                        { series: 'node_filesystem_avail_bytes{mountpoint="/data"}', values: "5x40" },
                        { series: 'node_filesystem_size_bytes{mountpoint="/data"}', values: "100x40" },
                    ],
                    alert_rule_test: [
                        {
                            eval_time: "30m",
                            alertname: "ScrapeTargetDown",
                            exp_alerts: [
                                {
                                    exp_labels: { severity: "warning", job: "gitea", instance: "100.64.0.1:20000" },
                                    exp_annotations: { summary: "Prometheus cannot scrape gitea (100.64.0.1:20000)." },
                                },
                            ],
                        },
                        {
                            eval_time: "30m",
                            alertname: "JobNotRunning",
                            exp_alerts: [
                                {
                                    exp_labels: { severity: "critical", nomad_job: "gitea" },
                                    exp_annotations: { summary: "Nomad job gitea has no running allocation." },
                                },
                            ],
                        },
                        {
                            eval_time: "30m",
                            alertname: "BackupFailed",
                            exp_alerts: [
                                {
                                    exp_labels: { severity: "critical" },
                                    exp_annotations: { summary: "The last restic backup failed; see the restic job's allocation in Nomad." },
                                },
                            ],
                        },
                        {
                            eval_time: "30m",
                            alertname: "DataVolumeNearlyFull",
                            exp_alerts: [
                                {
                                    exp_labels: { severity: "warning", mountpoint: "/data" },
                                    exp_annotations: { summary: "Less than 10% of /data is free (5%)." },
                                },
                            ],
                        },
                    ],
                },
                {
                    // Samples 4 minutes apart (inside Prometheus's 5-minute lookback) over 30 hours.
                    interval: "4m",
                    input_series: [{ series: `${BACKUP_METRICS.lastSuccess}`, values: "1000x450" }],
                    alert_rule_test: [
                        { eval_time: "25h", alertname: "BackupStale", exp_alerts: [] },
                        {
                            eval_time: "27h",
                            alertname: "BackupStale",
                            exp_alerts: [
                                { exp_labels: { severity: "critical" }, exp_annotations: { summary: "No successful restic backup for more than 26 hours." } },
                            ],
                        },
                        { eval_time: "27h", alertname: "BackupNeverRan", exp_alerts: [] },
                    ],
                },
            ],
        };
        const ok = run(tool(), ["test", "rules", write("tests.yml", YAML.stringify(tests))], { cwd: dir });
        assert.strictEqual(ok.status, 0, ok.output);
        assert.match(ok.output, /SUCCESS/);
        // The same replay with gitea running must fail the expectations above: the check can fail.
        const fixed = {
            ...tests,
            tests: [
                {
                    ...tests.tests[0],
                    input_series: [
                        ...tests.tests[0].input_series,
                        { series: 'nomad_nomad_job_summary_running{exported_job="gitea",task_group="app"}', values: "1x40" },
                    ],
                },
            ],
        };
        const bad = run(tool(), ["test", "rules", write("tests-fixed.yml", YAML.stringify(fixed))], { cwd: dir });
        assert.notStrictEqual(bad.status, 0, bad.output);
        assert.match(bad.output, /alertname: JobNotRunning/);
    });
});
