/**
 * NomadJob's inputs and outputs, and the small pure helpers every operation
 * needs: which spec the inputs describe, its name, its namespace, the job as
 * sent. Serialized with the provider.
 */
import type { NomadClient } from "./client";
import { isNomadError } from "./errors";
import { Hcl2Variables, varFile } from "./hcl2-variables";
import type { Job } from "./job-types";
import { canonicalJson } from "./normalize";
import { Reach, UNKNOWN, resourceError } from "./provider-common";

/** The inputs as the engine hands them to the provider (plain values, secrets unwrapped). */
export interface NomadJobInputs extends Reach {
    job?: Job;
    jobspec?: string;
    /** HCL2 variables for `jobspec`, of any HCL type. */
    hcl2Variables?: Hcl2Variables;
    address: string;
    token?: string;
    namespace?: string;
    region?: string;
    purgeOnDestroy?: boolean;
    detach?: boolean;
    deploymentTimeoutSeconds?: number;
    deregisterOnIdChange?: boolean;
    retryTimeoutSeconds?: number;
    /** Register with PreserveCounts: a group's count in Nomad (set by hand or an autoscaler) is kept, and is not drift. */
    preserveCounts?: boolean;
    /** Default true; false leaves the job running in Nomad when the resource is destroyed. */
    deregisterOnDestroy?: boolean;
    /** Create takes over a job that already runs under this ID: recorded without a write when Nomad's plan sees no change. */
    adopt?: boolean;
    /** The app the job belongs to, for messages only. */
    app?: string;
    /** Set by check: the server's parse of `jobspec`. */
    parsedJob?: Job;
    /** Set by check when the job changes: a one-line summary of Nomad's plan. */
    planSummary?: string;
    /** Set by read (refresh) when the job was stopped or changed outside Pulumi. */
    drift?: string;
}

export interface NomadJobOutputs extends NomadJobInputs {
    jobId: string;
    modifyIndex: number;
    version: number;
    status: string;
    type: string;
    datacenters: string[];
    stopped: boolean;
    /** The deployment followed by the last create/update with `detach: false`. */
    deploymentId?: string;
    /** Its status as last seen ("successful", "failed", "running", ...); anything but "successful" is checked again. */
    deploymentStatus?: string;
    /** Nomad's StatusDescription of the job ("" mostly). */
    statusDescription: string;
    /** Whether Nomad marked the job's version stable (a deployment of it succeeded). */
    stable: boolean;
    /** Each group with its count in Nomad (with `preserveCounts`, the count Nomad keeps). */
    taskGroups: TaskGroupSummary[];
    /** The job's allocations Nomad wants running, as last seen. */
    allocationIds: string[];
    /** Set when create took over a job that was already running. */
    adopted?: string;
}

/** A task group as the `taskGroups` output lists it. */
export interface TaskGroupSummary {
    name: string;
    count: number;
    tasks: { name: string; driver: string }[];
}

/** Keys of NomadJobInputs, i.e. what `read` may hand back as refreshed inputs. */
export function inputKeys(): (keyof NomadJobInputs)[] {
    return [
        "job",
        "jobspec",
        "hcl2Variables",
        "address",
        "token",
        "tls",
        "headers",
        "namespace",
        "region",
        "purgeOnDestroy",
        "detach",
        "deploymentTimeoutSeconds",
        "deregisterOnIdChange",
        "retryTimeoutSeconds",
        "preserveCounts",
        "deregisterOnDestroy",
        "adopt",
        "app",
        "parsedJob",
        "planSummary",
        "drift",
    ];
}

/** The spec a set of inputs/outputs describes: `job`, or the parse of `jobspec`. */
export function specOf(p: NomadJobInputs | undefined): Job | undefined {
    if (!p) {
        return undefined;
    }
    return p.job ?? p.parsedJob;
}

export function jobName(p: NomadJobInputs | undefined, fallback?: string): string {
    const spec = specOf(p);
    const id = spec && typeof spec.ID === "string" && spec.ID !== UNKNOWN ? spec.ID : undefined;
    return id ?? fallback ?? "(unnamed job)";
}

/** How messages name the job: `NomadJob "gitea"`, or `NomadJob "gitea" (app "gitea")`. */
export function jobLabel(name: string, p: NomadJobInputs | undefined): string {
    const app = p && typeof p.app === "string" && p.app !== "" && p.app !== UNKNOWN ? p.app : undefined;
    return `NomadJob "${name}"` + (app ? ` (app "${app}")` : "");
}

/** How progress lines name the job: `job "gitea" (app "gitea")`. */
export function progressLabel(name: string, p: NomadJobInputs | undefined): string {
    return jobLabel(name, p).replace(/^NomadJob /, "job ");
}

/**
 * Whether `up` must look at the deployment again although nothing changed: the
 * last one followed for these inputs was not successful, or waiting was just
 * turned on.
 */
export function needsDeploymentCheck(olds: NomadJobOutputs, news: NomadJobInputs): boolean {
    if (news.detach !== false || olds.deploymentStatus === "successful") {
        return false;
    }
    return olds.deploymentStatus !== undefined || (olds.detach ?? true) !== false;
}

export function effectiveNamespace(p: NomadJobInputs): string {
    return p.namespace || specOf(p)?.Namespace || "default";
}

export function sameVars(a: Hcl2Variables | undefined, b: Hcl2Variables | undefined): boolean {
    return canonicalJson(a ?? {}) === canonicalJson(b ?? {});
}

/** The job exactly as we send it: namespace and region from the inputs win. */
export function jobForApi(job: Job, inputs: NomadJobInputs): Job {
    const out: Job = { ...job, Namespace: effectiveNamespace(inputs) };
    if (inputs.region) {
        out.Region = inputs.region;
    }
    return out;
}

/** The job to send: the `job` input, or the parse of `jobspec` (re-parsed when check could not). */
export async function resolveJob(client: NomadClient, inputs: NomadJobInputs): Promise<{ job: Job; parsedJob?: Job }> {
    if (inputs.job) {
        return { job: inputs.job };
    }
    if (typeof inputs.jobspec !== "string") {
        throw new Error("set exactly one of `job` or `jobspec`");
    }
    const parsed =
        inputs.parsedJob ?? (await client.parseJob(inputs.jobspec, { variables: varFile(inputs.hcl2Variables), namespace: inputs.namespace || undefined }));
    return { job: parsed, parsedJob: parsed };
}

/** Turn any failure into a plain Error whose message names the job and carries Nomad's words. */
export function jobError(name: string, action: string, e: unknown, p?: NomadJobInputs): Error {
    if (isNomadError(e) && e.indexConflict) {
        return new Error(
            `${jobLabel(name, p)}: the job was changed in Nomad since Pulumi last read it, so it was not overwritten ` +
                `(Nomad: ${e.nomadMessage}). Run \`pulumi refresh\` to pick up the job as it is now, then \`pulumi up\` again.`,
        );
    }
    const err = resourceError("NomadJob", name, action, e);
    const plain = `NomadJob "${name}"`;
    const label = jobLabel(name, p);
    if (label === plain || err.message.startsWith(label) || !err.message.startsWith(plain)) {
        return err;
    }
    return new Error(label + err.message.slice(plain.length));
}
