/**
 * What a change to a NomadJob means, decided before anything is applied:
 * `check` validates and (only when the job changes) asks Nomad's plan for the
 * preview; `diff` compares stored outputs with checked inputs without a call.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import { isNomadError } from "./errors";
import { hcl2VariableProblems, varFile } from "./hcl2-variables";
import { adoptPreview } from "./job-adopt";
import type { Job } from "./job-types";
import { previewPlan } from "./job-plan";
import { NomadJobInputs, NomadJobOutputs, needsDeploymentCheck, sameVars, specOf } from "./job-spec";
import { jobsEquivalent } from "./normalize";
import { UNKNOWN, clientFor, connectionChanged, hasUnknown } from "./provider-common";

/**
 * Validate, fill the effective namespace, and, only when the job changes,
 * ask Nomad's plan endpoint what the scheduler will do (`planSummary`, shown
 * in the preview's diff). An unchanged job returns without any HTTP call.
 */
export async function checkJob(olds: NomadJobInputs, news: NomadJobInputs): Promise<dynamic.CheckResult<NomadJobInputs>> {
    const inputs: NomadJobInputs = { ...news };
    delete inputs.planSummary;
    delete inputs.parsedJob;
    delete inputs.drift;
    const failures: dynamic.CheckFailure[] = [];
    const hasJob = news.job !== undefined && news.job !== null;
    const hasSpec = news.jobspec !== undefined && news.jobspec !== null;
    if (hasJob === hasSpec) {
        failures.push({ property: hasJob ? "jobspec" : "job", reason: "set exactly one of `job` (an object) or `jobspec` (HCL text)" });
    }
    if (typeof news.address !== "string" || news.address === "") {
        failures.push({ property: "address", reason: "the Nomad address is required, e.g. http://127.0.0.1:4646" });
    } else if (news.address !== UNKNOWN && !/^https?:\/\/[^/]+/.test(news.address)) {
        failures.push({ property: "address", reason: `expected an http(s) URL such as http://127.0.0.1:4646, got ${JSON.stringify(news.address)}` });
    }
    if (hasJob && news.job !== (UNKNOWN as unknown)) {
        const id = (news.job as Job).ID;
        if (typeof id !== "string" || id === "") {
            failures.push({ property: "job", reason: "job.ID is required" });
        } else if (id !== UNKNOWN && !/^[^\s\0/?#%]+$/.test(id)) {
            failures.push({ property: "job", reason: `job.ID ${JSON.stringify(id)} may not contain spaces, slashes, '?', '#' or '%'` });
        }
        if (!Array.isArray((news.job as Job).TaskGroups) && (news.job as Job).TaskGroups !== (UNKNOWN as unknown)) {
            failures.push({ property: "job", reason: "job.TaskGroups must be an array" });
        }
    }
    if (news.hcl2Variables !== (UNKNOWN as unknown)) {
        for (const reason of hcl2VariableProblems(news.hcl2Variables, UNKNOWN)) {
            failures.push({ property: "hcl2Variables", reason });
        }
    }
    if (failures.length) {
        return { inputs, failures };
    }

    const addressKnown = news.address !== UNKNOWN;
    let newSpec: Job | undefined;
    let specUnknown = false;
    if (hasJob) {
        newSpec = news.job;
        specUnknown = hasUnknown(news.job);
    } else {
        const same = olds?.jobspec === news.jobspec && sameVars(olds?.hcl2Variables, news.hcl2Variables) && !!olds?.parsedJob;
        if (same) {
            inputs.parsedJob = olds.parsedJob;
            newSpec = olds.parsedJob;
        } else if (hasUnknown(news.jobspec) || hasUnknown(news.hcl2Variables) || !addressKnown) {
            specUnknown = true;
        } else {
            try {
                const parsed = await clientFor(news, true).parseJob(news.jobspec as string, {
                    variables: varFile(news.hcl2Variables),
                    namespace: typeof news.namespace === "string" && news.namespace !== UNKNOWN ? news.namespace : undefined,
                });
                inputs.parsedJob = parsed;
                newSpec = parsed;
            } catch (e) {
                if (isNomadError(e) && e.status === 400) {
                    return { inputs, failures: [{ property: "jobspec", reason: e.nomadMessage.replace(/\s+/g, " ").trim() }] };
                }
                specUnknown = true;
                inputs.planSummary = `Nomad plan unavailable: could not parse the jobspec now (${isNomadError(e) ? e.nomadMessage : String(e)}); it will be parsed when the change is applied`;
            }
        }
    }
    if (newSpec && !specUnknown && typeof newSpec.ID === "string") {
        if (!news.namespace) {
            inputs.namespace = newSpec.Namespace || "default";
        }
    }

    const oldSpec = specOf(olds);
    const isCreate = !oldSpec;
    const changed =
        isCreate ||
        !!olds.drift ||
        specUnknown ||
        !jobsEquivalent(oldSpec, newSpec) ||
        (olds.namespace || oldSpec?.Namespace || "default") !== (inputs.namespace || "default") ||
        olds.address !== news.address ||
        (news.region !== undefined && olds.region !== news.region);
    if (!changed) {
        // Unchanged: no HTTP, nothing new in the inputs.
        return { inputs };
    }
    if (inputs.planSummary) {
        return { inputs };
    }
    if (specUnknown || !newSpec || !addressKnown || hasUnknown(news.namespace) || hasUnknown(news.region) || hasUnknown(news.token)) {
        inputs.planSummary = "Nomad plan unavailable until the change is applied: the job or the Nomad address is not known yet";
        return { inputs };
    }
    const { summary, rejected, planType } = await previewPlan(inputs, newSpec);
    if (rejected) {
        return { inputs, failures: [{ property: hasJob ? "job" : "jobspec", reason: rejected }] };
    }
    inputs.planSummary = summary;
    if (isCreate && summary && planType !== undefined) {
        if (news.adopt) {
            inputs.planSummary = adoptPreview(newSpec.ID, planType, summary);
        } else if (planType !== "Added") {
            // Without adopt, create registers over whatever runs under this ID: say so.
            inputs.planSummary = `${summary}; a job "${newSpec.ID}" already exists in Nomad and is overwritten (set adopt to take it over)`;
        }
    }
    return { inputs };
}

/** Pure comparison of the stored outputs with the checked inputs: never calls Nomad. */
export async function diffJob(id: string, olds: NomadJobOutputs, news: NomadJobInputs): Promise<dynamic.DiffResult> {
    const replaces: string[] = [];
    const oldSpec = specOf(olds);
    const newSpec = specOf(news);
    const jobProp = news.job !== undefined ? "job" : "jobspec";
    const newKnown = !!newSpec && !hasUnknown(newSpec);

    const oldNamespace = olds.namespace || oldSpec?.Namespace || "default";
    const newNamespace = news.namespace || newSpec?.Namespace || "default";
    if (!hasUnknown(newNamespace) && newKnown && newNamespace !== oldNamespace) {
        replaces.push("namespace");
    }
    const oldId = olds.jobId ?? oldSpec?.ID ?? id;
    const newId = newSpec?.ID;
    if (typeof newId === "string" && newId !== UNKNOWN && newId !== oldId && news.deregisterOnIdChange !== false) {
        replaces.push(jobProp);
    }

    let specChanged: boolean;
    if (news.job !== undefined) {
        specChanged = !newKnown || !jobsEquivalent(oldSpec, newSpec);
    } else {
        const sameText = olds.jobspec === news.jobspec && sameVars(olds.hcl2Variables, news.hcl2Variables);
        specChanged = sameText ? false : !news.parsedJob || !newKnown || !jobsEquivalent(olds.parsedJob, news.parsedJob);
    }
    if (olds.job !== undefined && news.job === undefined) {
        specChanged = specChanged || !news.parsedJob || !jobsEquivalent(olds.job, news.parsedJob);
    }

    const settingChanged =
        olds.address !== news.address ||
        (olds.token ?? "") !== (news.token ?? "") ||
        connectionChanged(olds, news) ||
        (olds.region ?? "") !== (news.region ?? "") ||
        !!olds.purgeOnDestroy !== !!news.purgeOnDestroy ||
        (olds.detach ?? true) !== (news.detach ?? true) ||
        (olds.deregisterOnIdChange ?? true) !== (news.deregisterOnIdChange ?? true) ||
        (olds.deploymentTimeoutSeconds ?? 300) !== (news.deploymentTimeoutSeconds ?? 300) ||
        (olds.retryTimeoutSeconds ?? 600) !== (news.retryTimeoutSeconds ?? 600) ||
        !!olds.preserveCounts !== !!news.preserveCounts ||
        (olds.deregisterOnDestroy ?? true) !== (news.deregisterOnDestroy ?? true) ||
        (olds.jobspec === undefined) !== (news.jobspec === undefined);

    // A deployment that was not seen to succeed is checked again by `up` (see needsDeploymentCheck).
    const changes = replaces.length > 0 || specChanged || settingChanged || !!olds.drift || hasUnknown(news.namespace) || needsDeploymentCheck(olds, news);
    return { changes, replaces, deleteBeforeReplace: false };
}
