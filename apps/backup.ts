import * as path from "path";
import { BackupConfig } from "../config";
import { JobSpec, NOMAD_TLS_FILES, secretRef, SecretRef } from "../vocabulary";
import { AppContext, BackupDump, defineApp } from "./app";
import { BACKUP_METRICS } from "./alertRules";
import { dataNodes, nodeJob, nodeShare, onEveryDataNode, onPrimary, pinned } from "./backupNodes";
import { metricWriterLines, renderDrillScript } from "./drillScript";
import { RESTORE_META, renderRestoreScript } from "./restoreScript";
import { shellQuote } from "./shellQuote";

/** One dump as a script line: `docker exec` in the job's running task, or a one-off `docker run`. */
function dumpLine(d: BackupDump): string {
    const cmd = d.command.map(shellQuote).join(" ");
    if (d.run) {
        const mounts = d.run.mounts.map((m) => `-v ${shellQuote(`${m.source}:${m.target}${m.readOnly ? ":ro" : ""}`)}`).join(" ");
        return `dump ${shellQuote(d.file)} docker run --rm --network none --user 0 ${mounts} ${shellQuote(d.run.image)} ${cmd}`;
    }
    return `dump_exec ${shellQuote(d.file)} ${shellQuote(d.job)} ${shellQuote(d.task)} ${cmd}`;
}

/** Files the backup makes itself and saves with the apps' data. */
export interface BackupOwnFiles {
    /** Written fresh each run, for the restore drill to compare. */
    canary?: string;
    /** `nomad operator snapshot save` output. */
    schedulerSnapshot?: string;
}

/**
 * The nightly script: dump the live databases, unlock, back up every app's paths
 * and dumps on this file system (without the live files the dumps stand for), apply
 * the retention (forget only: pruning rewrites packs and holds an exclusive lock, so
 * it is weekly, in the check job). Paths that do not exist yet are skipped with a note. A
 * failed dump keeps the previous one, is reported, and fails the run after the
 * backup. Pure.
 */
export function renderBackupScript(
    paths: string[],
    b: BackupConfig,
    dumps: BackupDump[] = [],
    own: BackupOwnFiles = {},
    node?: { name: string; primary: boolean },
): string {
    const onNode = node?.name;
    const { canary, schedulerSnapshot } = own;
    const sorted = [...dumps].sort((x, y) => x.file.localeCompare(y.file));
    const list = [...new Set([...paths, ...sorted.map((d) => d.file), ...[canary, schedulerSnapshot].filter((f) => f !== undefined)])]
        .sort()
        .map(shellQuote)
        .join(" ");
    const excludes = [...new Set(sorted.flatMap((d) => d.excludes ?? []))].sort().map((e) => `--exclude ${shellQuote(e)}`);
    const dumpSection = sorted.length
        ? `
# Databases are saved as dumps made now, not as files copied mid-write.
# Nomad's docker driver labels containers with job and task (extra_labels).
failed=0
dump() {
  local file=$1
  shift
  # Dumps hold what the databases hold (password hashes, tokens): root only.
  mkdir -p "$(dirname "$file")"
  chmod 0700 "$(dirname "$file")"
  if (umask 077 && "$@" >"$file.partial"); then
    mv "$file.partial" "$file"
  else
    rm -f "$file.partial"
    echo "dump $file failed: the backup keeps the previous one" >&2
    failed=1
  fi
}
dump_exec() {
  local file=$1 id
  id=$(docker ps -q --filter "label=com.hashicorp.nomad.job_name=$2" --filter "label=com.hashicorp.nomad.task_name=$3" | head -n 1 || true)
  if [ -z "$id" ]; then
    echo "dump $file failed: no running container for $2/$3" >&2
    failed=1
    return 0
  fi
  shift 3
  dump "$file" docker exec "$id" "$@"
}
${sorted.map(dumpLine).join("\n")}
`
        : "";
    return `#!/bin/bash
# Hydra's nightly restic backup (rendered from every app's backup paths and dumps).
set -euo pipefail
${metricWriterLines(b.metricsDir)}
# Any failure from here on is reported to Prometheus (BackupFailed) before the job fails.
trap 'write_metric hydra_backup_result ${BACKUP_METRICS.lastRunOk} 0' ERR
${
    canary
        ? `# What the weekly restore drill compares: new each run, so a drill sees whether the last run reached the repository.
mkdir -p "$(dirname ${shellQuote(canary)})"
printf '%s %s\\n' "$(date -u +%FT%TZ)" "$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \\n')" >${shellQuote(canary)}
`
        : ""
}${dumpSection}
${
    node && !node.primary
        ? `# Only the primary's backup makes the repository: two restic init at once leave one that no key opens.
for _ in $(seq 1 60); do
  if restic cat config >/dev/null 2>&1; then
    break
  fi
  sleep 10
done
if ! restic cat config >/dev/null 2>&1; then
  echo "the repository does not exist yet: the primary's backup makes it" >&2
  write_metric hydra_backup_result ${BACKUP_METRICS.lastRunOk} 0
  exit 1
fi`
        : `# A new repository (first run) is initialised; an existing one is left alone.
if ! restic cat config >/dev/null 2>&1; then
  restic init
fi`
}
restic unlock

${
    schedulerSnapshot
        ? `# The scheduler's state (jobs, variables, ACLs) is saved with the data; a failure is a warning,
# because the apps' data matters more (a dev agent keeps its state in memory and has no snapshot).
if [ -n "\${NOMAD_ADDR:-}" ] && command -v nomad >/dev/null; then
  mkdir -p ${shellQuote(path.posix.dirname(schedulerSnapshot))}
  chmod 0700 ${shellQuote(path.posix.dirname(schedulerSnapshot))}
  if nomad operator snapshot save ${shellQuote(schedulerSnapshot)} >/dev/null 2>"\${NOMAD_TASK_DIR}/snapshot.err"; then
    write_metric hydra_scheduler_snapshot ${BACKUP_METRICS.schedulerSnapshotOk} 1
  else
    echo "warning: nomad operator snapshot save failed: $(tail -n 1 "\${NOMAD_TASK_DIR}/snapshot.err")" >&2
    write_metric hydra_scheduler_snapshot ${BACKUP_METRICS.schedulerSnapshotOk} 0
  fi
fi
`
        : ""
}
paths=()
for p in ${list}; do
  if [ -e "$p" ]; then
    paths+=("$p")
  else
    echo "skipping $p: it does not exist yet" >&2
  fi
done
if [ "\${#paths[@]}" -eq 0 ]; then
  echo "nothing to back up yet" >&2
  exit 0
fi

restic backup --one-file-system --tag nomad ${onNode ? `--host ${shellQuote(onNode)} ` : ""}${excludes.length ? excludes.join(" ") + " " : ""}"\${paths[@]}"
${onNode ? "# The retention is applied once for every node, by the weekly check job: concurrent forgets fight over the lock.\n" : forgetLines(b)}write_metric hydra_backup_time ${BACKUP_METRICS.lastSuccess} "$(date +%s)"
${sorted.length ? 'if [ "$failed" -ne 0 ]; then\n  write_metric hydra_backup_result ' + BACKUP_METRICS.lastRunOk + " 0\n  exit 1\nfi\n" : ""}write_metric hydra_backup_result ${BACKUP_METRICS.lastRunOk} 1
`;
}

/** The retention, grouped by host and tag, not by paths: a new app's folder does not start a new retention group. */
function forgetLines(b: BackupConfig): string {
    return `# Grouped by host and tag, not by paths: a new app's folder does not start a new retention group.
restic forget --tag nomad --group-by host,tags \\
  --keep-daily ${b.keepDaily} --keep-weekly ${b.keepWeekly} --keep-monthly ${b.keepMonthly} --keep-yearly ${b.keepYearly}
`;
}

/**
 * The weekly upkeep: drop the data no snapshot needs any more, then check the repository. With
 * `retention` (more than one node), it applies the retention first, for every node at once. Pure.
 */
export function renderCheckScript(retention?: BackupConfig): string {
    return `#!/bin/bash
# Hydra's weekly restic prune (of what the nightly forget left unreferenced) and repository check.
set -euo pipefail
restic unlock
${retention ? forgetLines(retention) : ""}restic prune
restic check
`;
}

/** How the CLI on the host reaches the local agent; with nomad.tls, with the agent's own certificate (root reads it). */
function nomadCliEnv(ctx: AppContext): Record<string, string> {
    const tls = ctx.cfg.nomad.tls;
    if (!tls) {
        return { NOMAD_ADDR: "http://${attr.nomad.advertise.address}" };
    }
    return {
        NOMAD_ADDR: "https://${attr.nomad.advertise.address}",
        NOMAD_CACERT: NOMAD_TLS_FILES.ca,
        NOMAD_CLIENT_CERT: NOMAD_TLS_FILES.cert,
        NOMAD_CLIENT_KEY: NOMAD_TLS_FILES.key,
        NOMAD_TLS_SERVER_NAME: tls.serverName,
    };
}

/** When a restic job runs: on a schedule, or only when dispatched (the restore). */
type ResticRun = { cron: string } | { dispatch: NonNullable<JobSpec["dispatch"]> };

function resticJob(ctx: AppContext, name: string, when: ResticRun, script: string, task = "backup", nomadApi = false): JobSpec {
    const secretEnv: Record<string, string> = { RESTIC_PASSWORD: "restic_password", RESTIC_REPOSITORY: "restic_repository" };
    const secrets: Record<string, SecretRef> = { restic_password: ctx.secret("resticPassword"), restic_repository: ctx.secret("resticRepository") };
    if (nomadApi && ctx.hasSecret("nomadToken")) {
        // A snapshot needs a management token (Nomad's ACLs); it is the deployer's, kept in this job's variable.
        secretEnv.NOMAD_TOKEN = "nomad_token";
        secrets.nomad_token = ctx.secret("nomadToken");
    }
    if (ctx.hasSecret("s3AccessKeyId") && ctx.hasSecret("s3SecretAccessKey")) {
        secretEnv.AWS_ACCESS_KEY_ID = "s3_access_key_id";
        secretEnv.AWS_SECRET_ACCESS_KEY = "s3_secret_access_key";
        secrets.s3_access_key_id = ctx.secret("s3AccessKeyId");
        secrets.s3_secret_access_key = ctx.secret("s3SecretAccessKey");
    }
    if (ctx.hasSecret("b2AccountId") && ctx.hasSecret("b2AccountKey")) {
        secretEnv.B2_ACCOUNT_ID = "b2_account_id";
        secretEnv.B2_ACCOUNT_KEY = "b2_account_key";
        secrets.b2_account_id = ctx.secret("b2AccountId");
        secrets.b2_account_key = ctx.secret("b2AccountKey");
    }
    return {
        name,
        type: "batch",
        ...("cron" in when ? { periodic: { cron: when.cron, timeZone: ctx.cfg.node.timezone, prohibitOverlap: true } } : { dispatch: when.dispatch }),
        group: "script",
        tasks: [
            {
                name: task,
                // On the host, as root: it must read every app's files under /data.
                driver: "raw_exec",
                command: "/bin/bash",
                args: [`\${NOMAD_TASK_DIR}/${name}.sh`],
                // A raw_exec task has no HOME, so restic would run without its cache and fetch
                // every index from the repository each night (restic: doc/manual_rest.rst, "Caching").
                env: {
                    RESTIC_CACHE_DIR: "/var/cache/restic",
                    // The local agent, for `nomad operator snapshot save` (its address as the node advertises it).
                    ...(nomadApi ? nomadCliEnv(ctx) : {}),
                },
                secretEnv,
                files: [{ name: `${name}.sh`, content: script, perms: "0755", changeMode: "noop" }],
                resources: { cpu: 500, memoryMb: 512 },
            },
        ],
        secrets,
        // A dispatched run answers the person waiting for it: no retries, its failure is the answer.
        restart:
            "dispatch" in when
                ? { attempts: 0, intervalSeconds: 1800, delaySeconds: 60, mode: "fail" }
                : { attempts: 2, intervalSeconds: 1800, delaySeconds: 60, mode: "fail" },
    };
}

const forB2 = (value: (key: string) => string | undefined) => value("resticRepository")?.startsWith("b2:") ?? false;
const forS3 = (value: (key: string) => string | undefined) => value("resticRepository")?.startsWith("s3:") ?? false;

/** The backup app's periodic jobs, by what they do. */
export const BACKUP_JOBS = { backup: "restic", check: "restic-check", drill: "restic-drill", restore: "restic-restore" } as const;

export const backup = defineApp({
    name: "backup",
    description: "Nightly restic backup of every app's data (retention from config), a weekly prune and check",
    secrets: [
        // The estate's own key, declared here too so that the backup job may read it.
        { key: "nomadToken", description: "Nomad ACL token, for the backup's snapshot of the scheduler's state" },
        {
            key: "resticPassword",
            description: "restic repository password, also a secret stack output: if the state is lost, the backups must still be readable",
            required: { why: "with backup (keep a copy outside Pulumi: without it no backup can be restored)" },
            example: '"$(openssl rand -hex 24)"',
        },
        {
            key: "resticRepository",
            description: "Where the backups go, a restic repository",
            // Backblaze B2 through its S3-compatible API, as restic's docs recommend over their b2
            // backend (restic: doc/030_preparing_a_new_repo.rst, "Backblaze B2").
            required: { why: "with backup (e.g. s3:https://s3.us-west-004.backblazeb2.com/my-bucket/hydra)" },
            example: "s3:https://s3.us-west-004.backblazeb2.com/my-bucket/hydra",
        },
        {
            key: "s3AccessKeyId",
            description: "S3 access key id (Backblaze B2: the application key's keyID)",
            required: { why: "for an s3: repository", when: forS3 },
        },
        {
            key: "s3SecretAccessKey",
            description: "S3 secret access key (Backblaze B2: the application key)",
            required: { why: "for an s3: repository", when: forS3 },
        },
        { key: "b2AccountId", description: "Backblaze B2 key id (restic's b2 backend)", required: { why: "for a b2: repository", when: forB2 } },
        { key: "b2AccountKey", description: "Backblaze B2 application key", required: { why: "for a b2: repository", when: forB2 } },
    ],
    // The one secret a person must keep: without it no backup can be restored.
    outputs: { backupRepository: secretRef("resticRepository"), resticPassword: secretRef("resticPassword") },
    // restic runs on the host (raw_exec), installed on every node: no image limits where.
    archs: ["amd64", "arm64"],
    aggregates: true,
    jobs(ctx) {
        const b = ctx.cfg.backup;
        const canary = ctx.data(".hydra-canary");
        const own = { canary, schedulerSnapshot: ctx.data("nomad/state.snap") };
        // More than one node: the snapshots are each node's own (restic's host), and so is each restore.
        const byFile = ctx.estate.backupNodes;
        const primary = byFile ? ctx.cfg.node.name : undefined;
        const shares = byFile ? dataNodes(ctx.cfg).map((n) => ({ node: n, ...nodeShare(n, byFile, ctx.estate.backupPaths, ctx.estate.backupDumps) })) : [];
        // Run only by npm run restore (ops/restore.ts), which waits for it and reads its output.
        const restore = (name: string, host?: string) =>
            resticJob(
                ctx,
                name,
                { dispatch: { metaRequired: [RESTORE_META.paths], metaOptional: [RESTORE_META.snapshot, RESTORE_META.mode, RESTORE_META.target] } },
                renderRestoreScript(host),
                "restore",
            );
        const jobs = [
            resticJob(
                ctx,
                BACKUP_JOBS.backup,
                { cron: b.schedule },
                byFile ? "" : renderBackupScript(ctx.estate.backupPaths, b, ctx.estate.backupDumps, own),
                "backup",
                true,
            ),
            resticJob(ctx, BACKUP_JOBS.check, { cron: b.checkSchedule }, renderCheckScript(byFile ? b : undefined)),
            resticJob(
                ctx,
                BACKUP_JOBS.drill,
                { cron: b.drillSchedule },
                renderDrillScript({
                    canary,
                    maxAgeHours: b.maxAgeHours,
                    sample: 20,
                    metricsDir: b.metricsDir,
                    host: primary,
                    // The other nodes that save anything: a node with nothing to save makes no snapshot.
                    otherHosts: shares.filter((s) => !s.node.primary && s.paths.length + s.dumps.length > 0).map((s) => s.node.name),
                }),
            ),
        ];
        if (!byFile) {
            return [...jobs, restore(BACKUP_JOBS.restore)];
        }
        const scripts = Object.fromEntries(shares.map((s) => [s.node.name, renderBackupScript(s.paths, b, s.dumps, s.node.primary ? own : {}, s.node)]));
        return [
            onEveryDataNode(jobs[0], scripts),
            ...jobs.slice(1).map((j) => onPrimary(ctx.cfg, j)),
            // One restore per data node, on it, reading its own snapshots: data never comes back on another machine.
            ...shares.map((s) => pinned(restore(nodeJob(BACKUP_JOBS.restore, s.node.name), s.node.name), s.node.name)),
        ];
    },
});
