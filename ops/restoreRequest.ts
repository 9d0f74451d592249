// What `npm run restore` restores for one app of a stack: its backed-up paths and its jobs.
import * as path from "path";
import { APPS } from "../apps";
import { planApps } from "../apps/plan";
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
    return { app, paths, jobs: planned.jobs.map((j) => j.name), snapshot, target, address: cfg.nomad.address };
}
