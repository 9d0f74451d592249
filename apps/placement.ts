// Where each job runs when the estate has more than one node, derived from what the apps
// declare: a job with data stays on the node that holds it, and an image runs only on an
// architecture it is published for. Pure; with one node nothing is added.
import { appArchs, ClusterNode, HydraConfig, isMultiNode } from "../config";
import { AppDeclaration, Arch, ARCHS, ConstraintSpec, CPU_ARCH, JobSpec, onNode } from "../vocabulary";

/** With hydra:nodes, the node that keeps an app's data: apps.<name>.node, or the primary. */
export function appNode(cfg: HydraConfig, app: string): ClusterNode | undefined {
    const name = cfg.apps[app]?.node;
    return cfg.cluster.nodes.find((n) => (name === undefined ? n.primary : n.name === name));
}

/** Where an app keeps its data: its node's data folder (node.dataDir on one node). */
export function appDataDir(cfg: HydraConfig, app: string): string {
    return appNode(cfg, app)?.dataDir ?? cfg.node.dataDir;
}

export function onArchs(archs: readonly Arch[]): ConstraintSpec {
    return archs.length === 1
        ? { attribute: CPU_ARCH, operator: "=", value: archs[0] }
        : { attribute: CPU_ARCH, operator: "set_contains_any", value: [...archs].sort().join(",") };
}

/** A job keeps data: it declares backup paths, or mounts a folder of the app's data folder. */
export function keepsData(job: JobSpec, dataDir: string): boolean {
    const under = (p: string) => p === dataDir || p.startsWith(`${dataDir}/`);
    return (job.backupPaths?.length ?? 0) > 0 || job.tasks.some((t) => (t.mounts ?? []).some((m) => under(m.source)));
}

/**
 * The architectures a job runs on: what its app declares, else amd64 for a job with images and
 * any for one that runs host programs only (raw_exec).
 */
export function jobArchs(app: AppDeclaration, job: JobSpec, archs?: readonly Arch[]): readonly Arch[] {
    return archs ?? app.archs ?? (job.tasks.some((t) => (t.driver ?? "docker") === "docker") ? ["amd64"] : ARCHS);
}

/** The job with where it may run: pinned to its app's node when it keeps data, on its images' architectures (when not all). */
export function placeJob(cfg: HydraConfig, app: AppDeclaration, job: JobSpec): JobSpec {
    if (!isMultiNode(cfg.cluster)) {
        return job;
    }
    const node = appNode(cfg, app.name);
    const constraints: ConstraintSpec[] = [...(job.constraints ?? [])];
    if (node && keepsData(job, appDataDir(cfg, app.name))) {
        constraints.push(onNode(node.name));
    }
    const archs = jobArchs(app, job, cfg.apps[app.name]?.archs);
    if (!ARCHS.every((a) => archs.includes(a))) {
        constraints.push(onArchs(archs));
    }
    return constraints.length ? { ...job, constraints } : job;
}

/** What cannot be placed: a job with data on a node of an architecture its images lack. */
export function placementProblems(cfg: HydraConfig, app: AppDeclaration, jobs: JobSpec[]): string[] {
    const node = appNode(cfg, app.name);
    const archs = appArchs(app, cfg.apps[app.name]);
    if (!isMultiNode(cfg.cluster) || !node || archs.includes(node.arch)) {
        return [];
    }
    return jobs
        .filter((j) => keepsData(j, appDataDir(cfg, app.name)) && j.tasks.some((t) => (t.driver ?? "docker") === "docker"))
        .map(
            (j) =>
                `app ${app.name}: job ${JSON.stringify(j.name)} keeps its data on ${node.name} (${node.arch}), and its images are published for ${archs.join(", ")} only; set apps.${app.name}.node to a node of those`,
        );
}
