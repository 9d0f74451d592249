// Mandatory: when any job declares backup paths (Meta "hydra.backup-paths"),
// a backup job exists, never overlaps itself, and backs up every declared path.
//
// The backup job is a periodic job with a raw_exec task (it reads host paths
// as root) whose script runs `restic backup`.
import { field, isRecord, ResourceView, str, Violation } from "./common";
import { configOf, driverOf, isJob, jobLabel, jobSource, periodicOf, tasksOf, templatesOf } from "./jobs";

export const BACKUP_PATHS_META = "hydra.backup-paths";

const RESTIC_BACKUP = /\brestic\b[^\n]*\bbackup\b/;

/** The comma-separated host paths a job declares for backup. */
export function declaredBackupPaths(job: Record<string, unknown>): string[] {
    const meta = field(job, "Meta");
    const value = isRecord(meta) ? meta[BACKUP_PATHS_META] : undefined;
    return typeof value === "string"
        ? value
              .split(",")
              .map((p) => p.trim())
              .filter(Boolean)
        : [];
}

/** The text of a task that runs something: its inline templates, command and args. */
function taskText(task: Record<string, unknown>): string {
    const config = configOf(task);
    const args = Array.isArray(config.args) ? config.args.filter((a): a is string => typeof a === "string") : [];
    return [...templatesOf(task).map((t) => t.text), [str(config.command) ?? "", ...args].join(" ")].join("\n");
}

/** The scripts of a job's tasks that run `restic backup`, with whether the task is raw_exec. */
export function resticBackupTasks(job: Record<string, unknown>): { label: string; rawExec: boolean; text: string }[] {
    return tasksOf(job)
        .map((t) => ({ label: t.label, rawExec: driverOf(t.task) === "raw_exec", text: taskText(t.task) }))
        .filter((t) => RESTIC_BACKUP.test(t.text));
}

/** Resource level: a job that runs `restic backup` on a schedule prohibits overlapping runs. */
export function backupOverlapViolations(r: ResourceView): string[] {
    const job = jobSource(r.props).job;
    if (!job) {
        return [];
    }
    const periodic = periodicOf(job);
    if (!periodic || !resticBackupTasks(job).length) {
        return [];
    }
    const overlap = field(periodic, "ProhibitOverlap");
    if (overlap === true) {
        return [];
    }
    return [
        `${jobLabel(r, job)} runs restic backup periodically with Periodic.ProhibitOverlap ${overlap === undefined ? "unset" : `= ${JSON.stringify(overlap)}`}; ` +
            "a run still going when the next starts contends for the repository lock: set it to true",
    ];
}

/** Absolute paths named in a script, as words (quoted or not), without trailing slashes. */
export function scriptPaths(text: string): Set<string> {
    const out = new Set<string>();
    for (const m of text.matchAll(/(?:^|[\s'"=(:])(\/[^\s'"();|&<>]*)/g)) {
        const p = m[1].replace(/\/+$/, "");
        if (p) {
            out.add(p);
        }
    }
    return out;
}

/** A path is covered when the script names it or one of its parent directories (never just "/"). */
export function covers(paths: Set<string>, path: string): boolean {
    const p = path.replace(/\/+$/, "");
    for (const q of paths) {
        if (p === q || p.startsWith(`${q}/`)) {
            return true;
        }
    }
    return false;
}

/** Stack level: declared backup paths have a backup job that covers them. */
export function backupCoverageViolations(resources: ResourceView[]): Violation[] {
    const out: Violation[] = [];
    const jobs = resources
        .filter(isJob)
        .map((r) => ({ r, job: jobSource(r.props).job }))
        .filter((j): j is { r: ResourceView; job: Record<string, unknown> } => !!j.job);
    const declaring = jobs.map((j) => ({ ...j, paths: declaredBackupPaths(j.job) })).filter((j) => j.paths.length);
    if (!declaring.length) {
        return out;
    }

    const backups = jobs
        .filter((j) => periodicOf(j.job))
        .map((j) => ({ ...j, tasks: resticBackupTasks(j.job).filter((t) => t.rawExec) }))
        .filter((j) => j.tasks.length);
    if (!backups.length) {
        const list = declaring.map((d) => `${jobLabel(d.r, d.job)}: ${d.paths.join(", ")}`).join("; ");
        const near = jobs.filter((j) => resticBackupTasks(j.job).length).map((j) => jobLabel(j.r, j.job));
        out.push({
            message:
                `no backup job exists, but jobs declare backup paths in Meta "${BACKUP_PATHS_META}" (${list}); ` +
                "add a periodic job with a raw_exec task whose script runs `restic backup` over them (the backup app)" +
                (near.length
                    ? `. ${near.join(", ")} run${near.length === 1 ? "s" : ""} restic backup but ${near.length === 1 ? "is" : "are"} not periodic raw_exec jobs`
                    : ""),
        });
        return out;
    }
    const covered = scriptPaths(backups.flatMap((b) => b.tasks.map((t) => t.text)).join("\n"));
    const names = backups.map((b) => jobLabel(b.r, b.job)).join(", ");
    for (const d of declaring) {
        for (const p of d.paths) {
            if (!covers(covered, p)) {
                out.push({
                    urn: d.r.urn,
                    message: `${jobLabel(d.r, d.job)} declares backup path ${p} (Meta "${BACKUP_PATHS_META}"), but the backup job (${names}) does not back it up`,
                });
            }
        }
    }
    return out;
}
