// The app data folders the node makes at first boot: Docker's `mount` form refuses a missing
// bind source ("bind source path does not exist"), so every job with data needs them first.
import { JobSpec } from "../vocabulary";

export interface DataFolder {
    path: string;
    /** "uid:gid" the image runs as; root ("0:0") where the app declares none (it starts as root). */
    owner: string;
}

const ROOT = "0:0";

/**
 * Every host mount source under `dataDir` of the given jobs (the apps' and the proxy's), with
 * the owner the mount declares. Sorted, one per path; a path declared with two owners keeps
 * the non-root one (the app that runs unprivileged needs it).
 */
export function dataFolders(jobs: JobSpec[], dataDir: string): DataFolder[] {
    const owners = new Map<string, string>();
    for (const mount of jobs.flatMap((j) => j.tasks.flatMap((t) => t.mounts ?? []))) {
        if (mount.source !== dataDir && !mount.source.startsWith(`${dataDir}/`)) {
            continue;
        }
        const owner = mount.owner ?? ROOT;
        const known = owners.get(mount.source);
        owners.set(mount.source, known && known !== ROOT ? known : owner);
    }
    return [...owners.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([path, owner]) => ({ path, owner }));
}

/** Shell lines making each missing folder (parents root-owned) owned by its owner; existing ones are left as they are. */
export function dataFoldersScript(folders: DataFolder[], dataDir: string, dataDevice?: string): string {
    if (!folders.length) {
        return "";
    }
    const lines = folders.map((f) => {
        const [uid, gid] = f.owner.split(":");
        return `[ -d "${f.path}" ] || install -d -o ${uid} -g ${gid} "${f.path}"`;
    });
    const body = lines.map((l) => `  ${l}`).join("\n");
    if (!dataDevice) {
        return `mkdir -p "${dataDir}"\n${lines.join("\n")}\nlog "app data folders made under ${dataDir}"`;
    }
    // Folders on the root disk under an unmounted mount point would hide the volume's data later.
    return `if mountpoint -q "${dataDir}"; then
${body}
  log "app data folders made under ${dataDir}"
else
  log "${dataDir} is not mounted (is the volume attached?): app data folders NOT made; Nomad waits for the mount"
fi`;
}
