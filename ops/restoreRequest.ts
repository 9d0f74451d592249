// What `npm run restore` restores for one app of a stack: its backed-up paths and its jobs.
import * as path from "path";
import { APPS } from "../apps";
import { BACKUP_JOBS } from "../apps/backup";
import { dataNodes, nodeJob } from "../apps/backupNodes";
import { appNode } from "../apps/placement";
import { planApps } from "../apps/plan";
import { isMultiNode } from "../config";
import { stackRawConfig, validateForRender } from "../render/renderStack";
import { RestoreError, RestoreRequest } from "./restore";

/** What to restore for `app` in the stack: its paths and jobs, or an error naming the apps that have backups. */
export function restoreRequest(
    projectDir: string,
    stack: string,
    app: string | undefined,
    snapshot: string,
    target?: string,
): RestoreRequest & { address: string } {
    const { cfg } = validateForRender(stackRawConfig(path.join(projectDir, `Pulumi.${stack}.yaml`)), APPS);
    const plan = planApps(cfg, APPS);
    const withBackups = plan.apps.filter((p) => p.jobs.some((j) => j.backupPaths?.length)).map((p) => p.app.name);
    const planned = plan.apps.find((p) => p.app.name === app);
    if (!app || !planned || !withBackups.includes(app)) {
        const what = !app ? "name an app" : !planned ? `${app} is not an enabled app of stack ${stack}` : `${app} has no backup paths`;
        throw new RestoreError(`${what}; apps with backups: ${withBackups.join(", ") || "none"}; nothing was changed`);
    }
    if (!(cfg.apps.backup?.enabled ?? false)) {
        throw new RestoreError(`the backup app is off in stack ${stack}, so nothing was backed up; nothing was changed`);
    }
    const paths = [...new Set(planned.jobs.flatMap((j) => j.backupPaths ?? []))].sort();
    const request = { app, paths, jobs: planned.jobs.map((j) => j.name), snapshot, target, address: cfg.nomad.address };
    if (!isMultiNode(cfg.cluster)) {
        return { ...request, restoreJob: BACKUP_JOBS.restore };
    }
    // The node the program pins the app's data to (apps.<app>.node, else the primary): its own snapshots, restored there.
    const node = appNode(cfg, app);
    if (!node || !dataNodes(cfg).some((n) => n.name === node.name)) {
        throw new RestoreError(`${app}'s node ${node?.name ?? "(none)"} keeps no data, so it has no restore job; nothing was changed`);
    }
    return { ...request, node: node.name, restoreJob: nodeJob(BACKUP_JOBS.restore, node.name) };
}
