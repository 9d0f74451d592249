// Prometheus alert rules derived from what the apps declare. Pure.
// Metric names as Nomad 1.6 publishes them with prometheus_metrics and publish_allocation_metrics
// (measured on a dev agent); their own `job` label arrives as `exported_job`, because Prometheus
// keeps `job` for the scrape job.
import YAML from "yaml";

/** The node-exporter textfile metrics the backup writes (Debian's node-exporter reads that folder). */
export const BACKUP_METRICS = {
    lastSuccess: "hydra_backup_last_success_timestamp_seconds",
    lastRunOk: "hydra_backup_last_run_success",
    /** 1 when the last restore drill restored and compared its files, 0 when it failed. */
    drillOk: "hydra_restore_drill_success",
    /** 1 when the backup saved Nomad's state with `nomad operator snapshot save`, 0 when that failed. */
    schedulerSnapshotOk: "hydra_scheduler_snapshot_success",
} as const;

export interface AlertRuleInputs {
    /** Nomad service jobs that should always have a running allocation. */
    serviceJobs: string[];
    /** Nomad batch and periodic jobs whose failures matter (the backups). */
    batchJobs: string[];
    /** Where the data volume is mounted. */
    dataDir: string;
    /** A backup older than this is stale (the schedule is nightly). */
    backupMaxAgeHours: number;
    /** Whether the backup app runs (its rules are left out otherwise). */
    backup: boolean;
    /** How long a target is down, or a service job not running, before the alert fires (a Prometheus duration). */
    downFor: string;
}

interface Rule {
    alert: string;
    expr: string;
    for: string;
    labels: { severity: "warning" | "critical"; nomad_job?: string };
    annotations: { summary: string };
}

const quoted = (v: string) => JSON.stringify(v);
/** The jobs, and the runs a periodic job launches (`restic/periodic-1733...`). */
const anyOf = (names: string[]) => quoted(`(${[...names].sort().join("|")})(/.+)?`);

function targetRules(downFor: string): Rule[] {
    // One rule for every scrape job prometheus.yml has: each alert carries the target's own labels.
    return [
        {
            alert: "ScrapeTargetDown",
            expr: "up == 0",
            for: downFor,
            labels: { severity: "warning" },
            annotations: { summary: "Prometheus cannot scrape {{ $labels.job }} ({{ $labels.instance }})." },
        },
    ];
}

function jobRules(i: AlertRuleInputs): Rule[] {
    const rules: Rule[] = [...new Set(i.serviceJobs)].sort().map((job) => ({
        alert: "JobNotRunning",
        // A stopped or purged job has no series at all: `or vector(0)` makes that count as zero.
        expr: `(sum(nomad_nomad_job_summary_running{exported_job=${quoted(job)}}) or vector(0)) < 1`,
        for: i.downFor,
        // The expression has no labels of its own (`vector(0)`): the rule names the job.
        labels: { severity: "critical", nomad_job: job },
        annotations: { summary: `Nomad job ${job} has no running allocation.` },
    }));
    const all = [...i.serviceJobs, ...i.batchJobs];
    if (all.length) {
        rules.push(
            {
                alert: "JobAllocationsFailed",
                expr: `sum by (exported_job, task_group) (delta(nomad_nomad_job_summary_failed{exported_job=~${anyOf(all)}}[15m])) > 0`,
                for: "0m",
                labels: { severity: "warning" },
                annotations: { summary: "Nomad job {{ $labels.exported_job }} ({{ $labels.task_group }}) had failed allocations in the last 15 minutes." },
            },
            {
                alert: "TaskRestarting",
                expr: `sum by (exported_job, task) (increase(nomad_client_allocs_restart{exported_job=~${anyOf(all)}}[15m])) > 2`,
                for: "0m",
                labels: { severity: "warning" },
                annotations: { summary: "Task {{ $labels.task }} of {{ $labels.exported_job }} restarted more than twice in 15 minutes." },
            },
        );
    }
    return rules;
}

function backupRules(i: AlertRuleInputs): Rule[] {
    const maxAge = i.backupMaxAgeHours * 3600;
    return [
        {
            alert: "BackupFailed",
            expr: `${BACKUP_METRICS.lastRunOk} == 0`,
            for: "0m",
            labels: { severity: "critical" },
            annotations: { summary: "The last restic backup failed; see the restic job's allocation in Nomad." },
        },
        {
            alert: "BackupStale",
            expr: `time() - ${BACKUP_METRICS.lastSuccess} > ${maxAge}`,
            for: "10m",
            labels: { severity: "critical" },
            annotations: { summary: `No successful restic backup for more than ${i.backupMaxAgeHours} hours.` },
        },
        {
            alert: "RestoreDrillFailed",
            expr: `${BACKUP_METRICS.drillOk} == 0`,
            for: "0m",
            labels: { severity: "critical" },
            annotations: { summary: "The weekly restore drill failed: the backups may not restore; see the restic-drill job in Nomad." },
        },
        {
            alert: "SchedulerSnapshotFailed",
            expr: `${BACKUP_METRICS.schedulerSnapshotOk} == 0`,
            for: "0m",
            labels: { severity: "warning" },
            annotations: { summary: "The backup could not save Nomad's state (nomad operator snapshot save); the apps' data was still backed up." },
        },
        {
            alert: "BackupNeverRan",
            // Waits a whole backup interval: a new estate has no backup yet.
            expr: `absent(${BACKUP_METRICS.lastSuccess})`,
            for: `${i.backupMaxAgeHours}h`,
            labels: { severity: "critical" },
            annotations: { summary: `No restic backup has succeeded on this node in ${i.backupMaxAgeHours} hours.` },
        },
    ];
}

function volumeRules(dataDir: string): Rule[] {
    const fs = `{mountpoint=${quoted(dataDir)}}`;
    return [
        {
            alert: "DataVolumeNearlyFull",
            expr: `node_filesystem_avail_bytes${fs} / node_filesystem_size_bytes${fs} < 0.10`,
            for: "15m",
            labels: { severity: "warning" },
            annotations: { summary: `Less than 10% of ${dataDir} is free ({{ $value | humanizePercentage }}).` },
        },
    ];
}

/** The rules file Prometheus loads (rule_files), one group per concern. */
export function renderAlertRules(i: AlertRuleInputs): string {
    const groups = [
        { name: "hydra-targets", rules: targetRules(i.downFor) },
        { name: "hydra-jobs", rules: jobRules(i) },
        ...(i.backup ? [{ name: "hydra-backup", rules: backupRules(i) }] : []),
        { name: "hydra-volume", rules: volumeRules(i.dataDir) },
    ].filter((g) => g.rules.length);
    return `# Managed by Hydra: derived from the apps' declarations.\n${YAML.stringify({ groups }, { lineWidth: 0 })}`;
}
