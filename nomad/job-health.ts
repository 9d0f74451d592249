/**
 * Words for a deployment's progress and failure, from what Nomad reports:
 * the deployment's per-group counts and description, and the task events of
 * the allocations it placed. Never env or templates: only Nomad's own texts.
 */
import type { AllocationStub, Deployment, Evaluation, TaskEvent } from "./api-types";

export function short(id: string): string {
    return id.slice(0, 8);
}

/** `web 0/1 healthy, 1 unhealthy` for every group of the deployment. */
export function groupProgress(d: Deployment): string {
    const groups = d.TaskGroups ?? {};
    const parts = Object.keys(groups)
        .sort()
        .map((g) => {
            const s = groups[g] ?? {};
            const total = s.DesiredTotal ?? 0;
            let text = `${g} ${s.HealthyAllocs ?? 0}/${total} healthy`;
            if ((s.UnhealthyAllocs ?? 0) > 0) {
                text += `, ${s.UnhealthyAllocs} unhealthy`;
            }
            if ((s.PlacedAllocs ?? 0) < total) {
                text += `, ${s.PlacedAllocs ?? 0}/${total} placed`;
            }
            return text;
        });
    return parts.length ? parts.join("; ") : "no groups reported yet";
}

/** Why the scheduler could not place some allocations (from the evaluation), or "". */
export function unplaced(e: Evaluation | undefined): string {
    const failed = e?.FailedTGAllocs ?? {};
    return Object.keys(failed)
        .sort()
        .map((g) => {
            const m = failed[g] ?? {};
            const reasons = Object.keys({ ...(m.ConstraintFiltered ?? {}), ...(m.ClassFiltered ?? {}), ...(m.DimensionExhausted ?? {}) });
            return `${g} unplaced${reasons.length ? ` (${reasons.join(", ")})` : ""}`;
        })
        .join("; ");
}

/**
 * Groups no node may run: every node was filtered out (a constraint, a missing driver), none was
 * merely full. Waiting will not place them; only a node that fits joining the cluster would.
 */
export function unplaceable(e: Evaluation | undefined): string {
    const failed = e?.FailedTGAllocs ?? {};
    const hopeless = Object.keys(failed).filter(
        (g) => (failed[g]?.NodesExhausted ?? 0) === 0 && (failed[g]?.NodesEvaluated ?? 0) === (failed[g]?.NodesFiltered ?? 0),
    );
    return hopeless.length ? unplaced({ ...e, FailedTGAllocs: Object.fromEntries(hopeless.map((g) => [g, failed[g]])) } as Evaluation) : "";
}

/** The version a failed deployment's description says Nomad rolled back to. */
export function rolledBackTo(d: Deployment): number | undefined {
    const m = /rolling back to job version (\d+)/.exec(d.StatusDescription ?? "");
    return m ? Number(m[1]) : undefined;
}

/** The events that explain a task's trouble: setup noise and the shutdown after the verdict left out. */
function telling(events: TaskEvent[], stopping: boolean, keep: number): TaskEvent[] {
    let list = events;
    if (stopping) {
        const kill = list.findIndex((e) => e.Type === "Killing");
        if (kill > 0) {
            list = list.slice(0, kill);
        }
    }
    list = list.filter((e) => e.Type !== "Received" && e.Type !== "Task Setup");
    return list.slice(-keep);
}

function describeAllocation(a: AllocationStub): string {
    const head = `allocation ${short(a.ID)} (group "${a.TaskGroup}", ${a.ClientStatus ?? "unknown"}${a.ClientDescription ? `: ${a.ClientDescription}` : ""})`;
    const stopping = (a.DesiredStatus ?? "run") !== "run";
    const tasks = Object.keys(a.TaskStates ?? {})
        .sort()
        .map((t) => {
            const s = (a.TaskStates ?? {})[t];
            const events = telling(s?.Events ?? [], stopping, 4)
                .map((e) => (e.DisplayMessage ? `${e.Type}: ${e.DisplayMessage}` : e.Type))
                .join("; ");
            return `task "${t}"${s?.Restarts ? ` (${s.Restarts} restarts)` : ""}: ${events || "no events"}`;
        });
    return [head, ...tasks].join("\n    ");
}

/** The allocations worth showing: unhealthy or failed ones first, at most two. */
export function failingAllocations(allocs: AllocationStub[], version: number): AllocationStub[] {
    const ours = allocs.filter((a) => a.JobVersion === undefined || a.JobVersion === version);
    const bad = ours.filter((a) => a.DeploymentStatus?.Healthy === false || a.ClientStatus === "failed");
    return (bad.length ? bad : ours).slice(0, 2);
}

/** The failure in Nomad's words: the deployment's description, per-group counts, rollback, task events. */
export function describeFailure(d: Deployment, allocs: AllocationStub[], currentVersion: number | undefined): string {
    let text = `deployment ${short(d.ID)} (job version ${d.JobVersion}) ${d.Status}: ${d.StatusDescription || "no description"}`;
    const back = rolledBackTo(d);
    if (back !== undefined) {
        text += `; Nomad rolled the job back to version ${back}` + (currentVersion !== undefined ? ` (now version ${currentVersion})` : "");
    } else if (currentVersion !== undefined && currentVersion !== d.JobVersion) {
        text += `; the job is now at version ${currentVersion}`;
    }
    const lines = [text, `groups: ${groupProgress(d)}`, ...failingAllocations(allocs, d.JobVersion).map(describeAllocation)];
    const all = lines.join("\n  ");
    return all.length > 3000 ? all.slice(0, 2997) + "..." : all;
}
