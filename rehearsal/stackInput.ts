// What the rehearsal boots and checks, taken from what the program renders for a stack:
// the user-data, the host networks the agent config names, and the apps' data folders.
import * as YAML from "yaml";
import { renderStack } from "../render/renderStack";
import { DataFolder } from "./checks";

export interface RehearsalInput {
    stack: string;
    userData: string;
    hostNetworks: string[];
    dataFolders: DataFolder[];
}

interface RenderedTask {
    Name: string;
    Driver: string;
    Config?: { mount?: { type: string; source: string }[]; args?: string[] };
}
interface RenderedJob {
    Job: { TaskGroups: { Tasks: RenderedTask[] }[] };
}

/** Every host folder under `dataDir` a job binds into a container, with the owner its own-data task gives it. */
export function dataFolders(jobs: RenderedJob[], dataDir: string): DataFolder[] {
    const folders = new Map<string, DataFolder>();
    for (const task of jobs.flatMap((j) => j.Job.TaskGroups.flatMap((g) => g.Tasks))) {
        for (const m of task.Config?.mount ?? []) {
            if (m.type === "bind" && m.source.startsWith(`${dataDir}/`)) {
                folders.set(m.source, folders.get(m.source) ?? { path: m.source });
            }
        }
        if (task.Name === "own-data") {
            // args: ["-c", script, "own-data", path, owner, path, owner, …]
            const pairs = (task.Config?.args ?? []).slice(3);
            for (let i = 0; i + 1 < pairs.length; i += 2) {
                folders.set(pairs[i], { path: pairs[i], owner: pairs[i + 1] });
            }
        }
    }
    return [...folders.values()].sort((a, b) => a.path.localeCompare(b.path));
}

export function hostNetworkNames(nomadHcl: string): string[] {
    return [...nomadHcl.matchAll(/host_network\s+"([^"]+)"/g)].map((m) => m[1]);
}

/** Renders `stack` (secrets as placeholders: the stand-in Tailscale takes any key). */
export async function stackInput(projectDir: string, stack: string): Promise<RehearsalInput> {
    const { files } = await renderStack({ projectDir, stack });
    const userData = files.get("node/user-data.yaml");
    const nomadHcl = files.get("node/nomad.hcl");
    if (!userData || !nomadHcl) {
        throw new Error(`the ${stack} stack renders no node user-data (is its target a droplet?)`);
    }
    // The data folder is where the user-data mounts the volume.
    const mounts = (YAML.parse(userData) as { mounts?: string[][] }).mounts;
    const dataDir = mounts?.[0]?.[1] ?? "/data";
    const jobs = [...files.entries()].filter(([f]) => f.startsWith("jobs/")).map(([, text]) => JSON.parse(text) as RenderedJob);
    return { stack, userData, hostNetworks: hostNetworkNames(nomadHcl), dataFolders: dataFolders(jobs, dataDir) };
}
