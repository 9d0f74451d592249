// The backup with more than one node: each node that keeps data backs up its own paths, as its own
// restic host, from a periodic sysbatch job, and restores on that node from its own snapshots
// (a dispatch-only job per node); the upkeep (forget, prune, check, drill) runs on the
// primary only, because concurrent prunes and forgets fight over the repository's lock.
import { ClusterNode, HydraConfig, isClient } from "../config";
import { JobSpec, NODE_NAME, onNode, onNodes } from "../vocabulary";
import { BackupDump } from "./app";

/** The nodes a backup runs on: those that run tasks and have a data folder. */
export function dataNodes(cfg: HydraConfig): ClusterNode[] {
    return cfg.cluster.nodes.filter((n) => isClient(n) && n.dataDir !== undefined);
}

/** A node's share of the paths and dumps (the primary's: whatever no other node holds). */
export function nodeShare(node: ClusterNode, byFile: Record<string, string>, paths: string[], dumps: BackupDump[]): { paths: string[]; dumps: BackupDump[] } {
    const mine = (file: string) => (byFile[file] ?? (node.primary ? node.name : undefined)) === node.name;
    return { paths: paths.filter(mine), dumps: dumps.filter((d) => mine(d.file)) };
}

/** The nightly job as a sysbatch on every data node (those `scripts` are written for), each running its own. */
export function onEveryDataNode(job: JobSpec, scripts: Record<string, string>): JobSpec {
    const [task] = job.tasks;
    const file = (node: string) => `${job.name}-${node}.sh`;
    return {
        ...job,
        type: "sysbatch",
        constraints: [onNodes(Object.keys(scripts))],
        tasks: [
            {
                ...task,
                args: [`\${NOMAD_TASK_DIR}/${file(NODE_NAME)}`],
                files: Object.entries(scripts).map(([node, content]) => ({ name: file(node), content, perms: "0755", changeMode: "noop" as const })),
            },
        ],
    };
}

/** The job on one node only. */
export function pinned(job: JobSpec, node: string): JobSpec {
    return { ...job, constraints: [...(job.constraints ?? []), onNode(node)] };
}

/** A job of the upkeep, on the primary only. */
export function onPrimary(cfg: HydraConfig, job: JobSpec): JobSpec {
    return pinned(job, cfg.node.name);
}

/** The name of a job's copy for one node (`restic-restore-pi`). */
export function nodeJob(job: string, node: string): string {
    return `${job}-${node}`;
}
