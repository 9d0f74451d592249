/**
 * What Nomad's plan says the scheduler will do, in one line: shown in the
 * preview (check puts it into the inputs) and kept as the `planSummary` output.
 */
import { isNomadError } from "./errors";
import type { JobPlanResponse } from "./api-types";
import type { Job } from "./job-types";
import { NomadJobInputs, effectiveNamespace, jobForApi } from "./job-spec";
import { withCountsOf } from "./job-outputs";
import { clientFor } from "./provider-common";

function describeCounts(u: Record<string, number | undefined>): string {
    const labels: [string, string][] = [
        ["Place", "place"],
        ["Stop", "stop"],
        ["InPlaceUpdate", "in-place update"],
        ["DestructiveUpdate", "destructive update"],
        ["Migrate", "migrate"],
        ["Canary", "canary"],
        ["Preemptions", "preemption"],
    ];
    const parts: string[] = [];
    for (const [key, label] of labels) {
        const n = u[key] ?? 0;
        if (n > 0) {
            parts.push(`${n} ${label}`);
        }
    }
    if (parts.length === 0) {
        const ignore = u.Ignore ?? 0;
        return ignore > 0 ? `${ignore} unchanged` : "nothing to do";
    }
    return parts.join(", ");
}

/** One line out of Nomad's plan reply: what the scheduler will do per group. */
export function summarizePlan(name: string, plan: JobPlanResponse): string {
    const diffType = plan.Diff?.Type ?? "Unknown";
    const what =
        diffType === "Added"
            ? "new job"
            : diffType === "Edited"
              ? "job changes"
              : diffType === "None"
                ? "no spec changes"
                : diffType === "Deleted"
                  ? "job removed"
                  : "changes unknown";
    const groups = plan.Annotations?.DesiredTGUpdates ?? {};
    const groupParts = Object.keys(groups)
        .sort()
        .map((g) => `${g}: ${describeCounts((groups[g] ?? {}) as Record<string, number | undefined>)}`);
    let text = `Nomad plan for "${name}" (${what})` + (groupParts.length ? `: ${groupParts.join("; ")}` : "");
    const failed = plan.FailedTGAllocs ?? {};
    const failedParts = Object.keys(failed)
        .sort()
        .map((g) => {
            const m = failed[g] ?? {};
            const reasons = Object.keys({
                ...(m.ConstraintFiltered ?? {}),
                ...(m.ClassFiltered ?? {}),
                ...(m.DimensionExhausted ?? {}),
            });
            const count = (m.CoalescedFailures ?? 0) + 1;
            return `${g} (${count} unplaced${reasons.length ? `: ${reasons.join(", ")}` : ""})`;
        });
    if (failedParts.length) {
        text += `; FAILED placements: ${failedParts.join("; ")}`;
    }
    const warnings = (plan.Warnings ?? "").trim();
    if (warnings) {
        text += `; warnings: ${warnings.split("\n").join(" ")}`;
    }
    text = text.replace(/\s+/g, " ");
    return text.length > 480 ? text.slice(0, 477) + "..." : text;
}

/** A short description of a non-empty plan diff (for drift notes). */
export function describeDiff(plan: JobPlanResponse): string {
    const d = plan.Diff;
    if (!d) {
        return "changed";
    }
    const fields = (d.Fields ?? []).filter((f) => f.Type !== "None").map((f) => f.Name);
    const objects = (d.Objects ?? []).filter((o) => o.Type !== "None").map((o) => o.Name);
    const groups = (d.TaskGroups ?? []).filter((g) => g.Type !== "None").map((g) => `group ${g.Name}`);
    const all = fields.concat(objects, groups);
    return all.length ? all.join(", ") : d.Type;
}

/**
 * Plan at preview time: never throws for reachability, only for a job Nomad rejects (400).
 * With `preserveCounts` the plan is asked with the counts Nomad runs (one read more).
 */
export async function previewPlan(inputs: NomadJobInputs, job: Job): Promise<{ summary?: string; rejected?: string; planType?: string }> {
    const client = clientFor(inputs, true);
    const scope = { namespace: effectiveNamespace(inputs), region: inputs.region || undefined };
    try {
        const spec = inputs.preserveCounts ? withCountsOf(job, await client.readJob(job.ID, scope)) : job;
        const plan = await client.planJob(jobForApi(spec, inputs), { ...scope, diff: true });
        return { summary: summarizePlan(job.ID, plan), planType: plan.Diff?.Type };
    } catch (e) {
        // Nomad answered and said no (400 bad job, or 500 from its admission
        // validators, e.g. "1 error occurred: ..."): fail the preview with its words.
        // Transient trouble, auth and anything unreachable only annotate the summary.
        if (isNomadError(e) && e.status !== undefined && !e.transient && [401, 403, 404, 405].indexOf(e.status) < 0) {
            return { rejected: `Nomad rejected job "${job.ID}": ${e.nomadMessage.replace(/\s+/g, " ").trim()}` };
        }
        const why = isNomadError(e) ? (e.status === undefined ? `not reachable (${e.nomadMessage})` : `answered ${e.status}: ${e.nomadMessage}`) : String(e);
        return { summary: `Nomad plan unavailable: Nomad at ${client.address} ${why}; the job will be registered when the change is applied` };
    }
}
