import { BackupConfig } from "../config";
import { JobSpec, secretRef, SecretRef } from "../vocabulary";
import { AppContext, defineApp } from "./app";

/** Single-quotes a word for bash. */
function shellQuote(s: string): string {
    return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * The nightly script: unlock, back up every app's paths on this file system,
 * apply the retention, prune. Paths that do not exist yet are skipped with a note. Pure.
 */
export function renderBackupScript(paths: string[], b: BackupConfig): string {
    const list = [...new Set(paths)].sort().map(shellQuote).join(" ");
    return `#!/bin/bash
# Hydra's nightly restic backup (rendered from every app's backup paths).
set -euo pipefail

# A new repository (first run) is initialised; an existing one is left alone.
if ! restic cat config >/dev/null 2>&1; then
  restic init
fi
restic unlock

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

restic backup --one-file-system --tag nomad "\${paths[@]}"
restic forget --tag nomad --group-by paths,tags \\
  --keep-daily ${b.keepDaily} --keep-weekly ${b.keepWeekly} --keep-monthly ${b.keepMonthly} --keep-yearly ${b.keepYearly}
restic prune
`;
}

/** The weekly integrity check of the repository. Pure. */
export function renderCheckScript(): string {
    return `#!/bin/bash
# Hydra's weekly restic repository check.
set -euo pipefail
restic unlock
restic check
`;
}

function resticJob(ctx: AppContext, name: string, cron: string, script: string): JobSpec {
    const secretEnv: Record<string, string> = { RESTIC_PASSWORD: "restic_password", RESTIC_REPOSITORY: "restic_repository" };
    const secrets: Record<string, SecretRef> = { restic_password: ctx.secret("resticPassword"), restic_repository: ctx.secret("resticRepository") };
    if (ctx.hasSecret("b2AccountId") && ctx.hasSecret("b2AccountKey")) {
        secretEnv.B2_ACCOUNT_ID = "b2_account_id";
        secretEnv.B2_ACCOUNT_KEY = "b2_account_key";
        secrets.b2_account_id = ctx.secret("b2AccountId");
        secrets.b2_account_key = ctx.secret("b2AccountKey");
    }
    return {
        name,
        type: "batch",
        periodic: { cron, timeZone: ctx.cfg.node.timezone, prohibitOverlap: true },
        group: "script",
        tasks: [
            {
                name: "backup",
                // On the host, as root: it must read every app's files under /data.
                driver: "raw_exec",
                command: "/bin/bash",
                args: [`\${NOMAD_TASK_DIR}/${name}.sh`],
                secretEnv,
                files: [{ name: `${name}.sh`, content: script, perms: "0755", changeMode: "noop" }],
                resources: { cpu: 500, memoryMb: 512 },
            },
        ],
        secrets,
        restart: { attempts: 2, intervalSeconds: 1800, delaySeconds: 60, mode: "fail" },
    };
}

const forB2 = (value: (key: string) => string | undefined) => value("resticRepository")?.startsWith("b2:") ?? false;

export const backup = defineApp({
    name: "backup",
    description: "Nightly restic backup of every app's data (retention from config) and a weekly check",
    secrets: [
        {
            key: "resticPassword",
            description: "restic repository password, also a secret stack output: if the state is lost, the backups must still be readable",
            required: { why: "with backup (keep a copy outside Pulumi: without it no backup can be restored)" },
            example: '"$(openssl rand -hex 24)"',
        },
        {
            key: "resticRepository",
            description: "Where the backups go, a restic repository",
            required: { why: "with backup (e.g. b2:my-bucket:/hydra)" },
            example: "b2:my-bucket:/hydra",
        },
        { key: "b2AccountId", description: "Backblaze B2 key id", required: { why: "for a b2: repository", when: forB2 } },
        { key: "b2AccountKey", description: "Backblaze B2 application key", required: { why: "for a b2: repository", when: forB2 } },
    ],
    // The one secret a person must keep: without it no backup can be restored.
    outputs: { backupRepository: secretRef("resticRepository"), resticPassword: secretRef("resticPassword") },
    aggregates: true,
    jobs(ctx) {
        const b = ctx.cfg.backup;
        return [
            resticJob(ctx, "restic", b.schedule, renderBackupScript(ctx.estate.backupPaths, b)),
            resticJob(ctx, "restic-check", b.checkSchedule, renderCheckScript()),
        ];
    },
});
