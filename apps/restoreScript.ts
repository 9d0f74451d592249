// The restore job's script: one app's paths back from a snapshot, dispatched by `npm run restore`.
// Pure. It refuses before it changes anything: a wrong password, an unknown snapshot, a snapshot
// without the paths, or a target folder that is not empty.
import { shellQuote } from "./shellQuote";

/** The meta keys `npm run restore` dispatches the restore job with. */
export const RESTORE_META = {
    /** The paths to restore, one per line (absolute, as backed up). */
    paths: "paths",
    /** A snapshot ID, or "latest" (the newest snapshot of the backup's tag). */
    snapshot: "snapshot",
    /** "check" (only the refusals above) or "restore". */
    mode: "mode",
    /** Restore under this empty folder instead of in place. */
    target: "target",
} as const;

/** Exit codes the CLI turns into messages. */
export const RESTORE_EXIT = { repository: 3, snapshot: 4, target: 5, restore: 6 } as const;

export function renderRestoreScript(host?: string): string {
    const m = RESTORE_META;
    const x = RESTORE_EXIT;
    return `#!/bin/bash
# Hydra's restore of one app's paths (dispatched by npm run restore; never on a schedule).
set -euo pipefail
mapfile -t paths <<<"\${NOMAD_META_${m.paths}:?the paths to restore}"
snapshot=\${NOMAD_META_${m.snapshot}:-latest}
mode=\${NOMAD_META_${m.mode}:-check}
target=\${NOMAD_META_${m.target}:-}

if ! restic cat config >/dev/null 2>"\${NOMAD_TASK_DIR}/restic.err"; then
  echo "restore: the repository does not open with this password (or is unreachable): $(tail -n 1 "\${NOMAD_TASK_DIR}/restic.err")" >&2
  exit ${x.repository}
fi
if [ "$snapshot" = latest ]; then
  id=$(restic snapshots --json --tag nomad${host ? ` --host ${shellQuote(host)}` : ""} | jq -r 'sort_by(.time) | last | .short_id // empty')
else
  id=$(restic snapshots --json "$snapshot" 2>/dev/null | jq -r '.[0].short_id // empty')
fi
if [ -z "$id" ]; then
  echo "restore: no snapshot $snapshot in the repository (restic snapshots lists them)" >&2
  exit ${x.snapshot}
fi
# The backup names each app path as one of the snapshot's own paths.
mapfile -t roots < <(restic snapshots --json "$id" | jq -r '.[0].paths[]')
held=()
for p in "\${paths[@]}"; do
  if printf '%s\n' "\${roots[@]}" | grep -qxF -- "$p"; then
    held+=("$p")
  else
    echo "restore: snapshot $id does not hold $p (it did not exist at that backup); skipped" >&2
  fi
done
if [ "\${#held[@]}" -eq 0 ]; then
  echo "restore: snapshot $id holds none of \${paths[*]}" >&2
  exit ${x.snapshot}
fi
if [ -n "$target" ] && [ -e "$target" ] && [ -n "$(ls -A "$target")" ]; then
  echo "restore: $target is not empty; restore into an empty or new folder" >&2
  exit ${x.target}
fi
echo "restore: snapshot $id holds \${held[*]}"
if [ "$mode" = check ]; then
  exit 0
fi

includes=()
for p in "\${held[@]}"; do
  includes+=(--include "$p")
done
if [ -n "$target" ]; then
  mkdir -p "$target"
  restic restore "$id" --target "$target" "\${includes[@]}" || exit ${x.restore}
  echo "restore: snapshot $id restored under $target"
  exit 0
fi
# In place: what is there now is kept beside it, never deleted.
stamp=$(date -u +%Y%m%dT%H%M%SZ)
for p in "\${held[@]}"; do
  if [ -e "$p" ]; then
    mv "$p" "$p.pre-restore-$stamp"
    echo "restore: kept the current $p as $p.pre-restore-$stamp"
  fi
done
restic restore "$id" --target / "\${includes[@]}" || exit ${x.restore}
echo "restore: snapshot $id restored in place"
`;
}
