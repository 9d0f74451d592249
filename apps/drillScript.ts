// The weekly restore drill: proves the latest snapshot restores, by restoring the canary the
// backup wrote and a sample of real files into a scratch folder and comparing them. Pure.
import { BACKUP_METRICS } from "./alertRules";
import { shellQuote } from "./shellQuote";

export interface DrillOptions {
    /** The canary file each backup run writes (and backs up) first. */
    canary: string;
    /** A snapshot older than this fails the drill. */
    maxAgeHours: number;
    /** How many unchanged files to compare, besides the canary. */
    sample: number;
    /** node-exporter's textfile folder, for the drill's metrics. */
    metricsDir: string;
    /** With more than one node: the restic host whose snapshots hold the canary. */
    host?: string;
    /**
     * With more than one node: the other nodes' restic hosts. Their originals are on other
     * machines, so each one's latest snapshot is checked for its age and a sample of its files
     * is restored with restic's --verify (the restored bytes against the snapshot's hashes).
     */
    otherHosts?: string[];
}

/** Shell lines that write one textfile metric atomically (node-exporter may read at any time). */
export function metricWriterLines(metricsDir: string): string {
    return `metrics_dir=${shellQuote(metricsDir)}
write_metric() {
  mkdir -p "$metrics_dir"
  printf '%s %s\\n' "$2" "$3" >"$metrics_dir/$1.prom.tmp"
  mv "$metrics_dir/$1.prom.tmp" "$metrics_dir/$1.prom"
}`;
}

export function renderDrillScript(o: DrillOptions): string {
    return `#!/bin/bash
# Hydra's weekly restore drill (rendered): restore the canary and a sample of unchanged files from
# the latest snapshot into a scratch folder, and compare them with the originals.
set -euo pipefail
${metricWriterLines(o.metricsDir)}
fail() {
  echo "drill FAILED: $*" >&2
  write_metric hydra_restore_drill "${BACKUP_METRICS.drillOk}" 0
  exit 1
}
# Anything else that stops the script is a failed drill too, reported before the job fails.
trap 'fail "a command failed at line $LINENO"' ERR
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

latest=$(restic snapshots --json --tag nomad${o.host ? ` --host ${shellQuote(o.host)}` : ""} | jq -c 'sort_by(.time) | last // empty') || fail "the repository does not open"
[ -n "$latest" ] || fail "the repository has no snapshot"
id=$(jq -r .short_id <<<"$latest")
age=$(( $(date +%s) - $(date -d "$(jq -r .time <<<"$latest")" +%s) ))
if [ "$age" -gt $(( ${o.maxAgeHours} * 3600 )) ]; then
  fail "the latest snapshot $id is $(( age / 3600 )) hours old (at most ${o.maxAgeHours})"
fi

# Files whose size and modification time still match the snapshot's, so their bytes must too.
restic ls --json "$id" | jq -r 'select(.type == "file") | [.path, .size, .mtime] | @tsv' >"$scratch/files.tsv" ||
  fail "restic ls of snapshot $id failed: its trees do not read back"
mapfile -t sample < <(
  while IFS=$'\\t' read -r path size mtime; do
    [ "$path" = ${shellQuote(o.canary)} ] && continue
    [ -f "$path" ] || continue
    [ "$(stat -c %s "$path")" = "$size" ] || continue
    [ "$(date -d "$(stat -c %y "$path")" +%s)" = "$(date -d "$mtime" +%s)" ] || continue
    printf '%s\\n' "$path"
  done <"$scratch/files.tsv" | awk -v n=${o.sample} 'BEGIN { srand() } { if (NR <= n) s[NR] = $0; else if (int(rand() * NR) < n) s[int(rand() * n) + 1] = $0 } END { for (i in s) print s[i] }'
)
includes=(--include ${shellQuote(o.canary)})
for p in "\${sample[@]}"; do
  includes+=(--include "$p")
done
restic restore "$id" --target "$scratch/restore" "\${includes[@]}" >/dev/null || fail "restic restore of snapshot $id failed"

cmp -s ${shellQuote(o.canary)} "$scratch/restore"${shellQuote(o.canary)} || fail "the canary in snapshot $id differs from the one the last backup wrote"
for p in "\${sample[@]}"; do
  cmp -s "$p" "$scratch/restore$p" || fail "$p restored from snapshot $id differs from the original"
done
echo "drill: snapshot $id ($(( age / 3600 )) h old) restored the canary and \${#sample[@]} unchanged files, byte for byte"
${o.otherHosts?.length ? otherHostLines(o) : ""}write_metric hydra_restore_drill "${BACKUP_METRICS.drillOk}" 1
`;
}

/** The drill of the other nodes' latest snapshots (see DrillOptions.otherHosts). */
function otherHostLines(o: DrillOptions): string {
    return `for host in ${o.otherHosts!.map(shellQuote).join(" ")}; do
  latest=$(restic snapshots --json --tag nomad --host "$host" | jq -c 'sort_by(.time) | last // empty') || fail "the repository does not open"
  [ -n "$latest" ] || fail "the repository has no snapshot of $host"
  id=$(jq -r .short_id <<<"$latest")
  age=$(( $(date +%s) - $(date -d "$(jq -r .time <<<"$latest")" +%s) ))
  if [ "$age" -gt $(( ${o.maxAgeHours} * 3600 )) ]; then
    fail "the latest snapshot $id of $host is $(( age / 3600 )) hours old (at most ${o.maxAgeHours})"
  fi
  restic ls --json "$id" | jq -r 'select(.type == "file") | .path' >"$scratch/$host.files" ||
    fail "restic ls of snapshot $id ($host) failed: its trees do not read back"
  mapfile -t sample < <(shuf -n ${o.sample} "$scratch/$host.files")
  includes=()
  for p in "\${sample[@]}"; do
    includes+=(--include "$p")
  done
  if [ "\${#sample[@]}" -gt 0 ]; then
    restic restore "$id" --verify --target "$scratch/$host" "\${includes[@]}" >/dev/null || fail "restic restore --verify of snapshot $id ($host) failed"
  fi
  echo "drill: snapshot $id of $host ($(( age / 3600 )) h old) restored \${#sample[@]} files, verified against the snapshot"
done
`;
}
