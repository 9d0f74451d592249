import * as pulumi from "@pulumi/pulumi";
import { CONNECTION_SECRETS, NomadConnectionArgs, connectionInputs, envFallback } from "./connection";
import { nomadJobProvider } from "./job-provider";
import { providerCode } from "./provider-code";
import { setInputs } from "./resource-inputs";
import type { Hcl2Value } from "./hcl2-variables";
import type { TaskGroupSummary } from "./job-spec";
import type { Job } from "./types";

/** Like pulumi.Input, applied at every level of a plain object type (so Outputs can sit inside a job). */
export type DeepInput<T> = unknown extends T
    ? T
    : [T] extends [string | number | boolean | null | undefined]
      ? pulumi.Input<T>
      : [T] extends [readonly (infer U)[]]
        ? pulumi.Input<DeepInput<U>[]>
        : pulumi.Input<{ [K in keyof T]: DeepInput<T[K]> }>;

/** Address, token, region, TLS and headers: see NomadConnectionArgs (each falls back to the Nomad CLI's environment). */
export interface NomadJobArgs extends NomadConnectionArgs {
    /** The job as an object in Nomad's JSON API form. Exactly one of `job` and `jobspec`. */
    job?: DeepInput<Job>;
    /** HCL jobspec text, parsed by the Nomad server (`PUT /v1/jobs/parse`). */
    jobspec?: pulumi.Input<string>;
    /**
     * HCL2 variables for `jobspec`, of any HCL type (string, number, bool, list, map): sent to Nomad's
     * parse as a var file, and with the registration as the `-var` flags of its Submission. Like
     * `nomad job run -var`, the values are stored in Nomad with the job: never pass a secret here
     * (use a NomadVariable and a template).
     */
    hcl2Variables?: pulumi.Input<Record<string, pulumi.Input<Hcl2Value>>>;
    /** Namespace; wins over `job.Namespace`, which wins over NOMAD_NAMESPACE (not read for a jobspec). Default "default". A change replaces the job. */
    namespace?: pulumi.Input<string>;
    /** Region (`?region=`); wins over `job.Region`, which wins over NOMAD_REGION (not read for a jobspec). */
    region?: pulumi.Input<string>;
    /** Purge the job on destroy instead of only stopping it. Default false. */
    purgeOnDestroy?: pulumi.Input<boolean>;
    /**
     * Default true. When false, `up` follows the deployment this registration
     * started and fails (naming group, Nomad's reason and task events) when it
     * fails, is rolled back or does not finish in time; a later `up` checks again.
     * Batch and periodic jobs never wait.
     */
    detach?: pulumi.Input<boolean>;
    /** How long to wait for a deployment when `detach` is false. Default 300. */
    deploymentTimeoutSeconds?: pulumi.Input<number>;
    /**
     * Default true: a changed job ID replaces the resource (new job registered,
     * old one deregistered). False: the new ID is registered by an update and the
     * old job is left running (as Terraform's `nomad_job` does).
     */
    deregisterOnIdChange?: pulumi.Input<boolean>;
    /** How long to retry while Nomad is unreachable or has no leader. Default 600. */
    retryTimeoutSeconds?: pulumi.Input<number>;
    /**
     * Register with `PreserveCounts`: Nomad keeps the count of each group it already runs (set by
     * hand or by an autoscaler); such a count is neither drift on refresh nor a change in the preview.
     */
    preserveCounts?: pulumi.Input<boolean>;
    /** Default true. False: destroying the resource leaves the job running in Nomad. */
    deregisterOnDestroy?: pulumi.Input<boolean>;
    /**
     * Take over a job that already runs under this ID (Pulumi cannot import a dynamic resource):
     * `create` reads it and, when Nomad's plan sees no change, records it without a write; otherwise
     * the preview shows Nomad's plan and `up` registers ours over exactly the version it read.
     */
    adopt?: pulumi.Input<boolean>;
    /** The app the job belongs to; only named in messages. */
    app?: pulumi.Input<string>;
}

/**
 * A Nomad job managed over Nomad's HTTP API by a dynamic provider (no plugin).
 * Type token: `pulumi-nodejs:dynamic/nomad:NomadJob`.
 */
export class NomadJob extends pulumi.CustomResource {
    /** The job's ID in Nomad. */
    declare public readonly jobId: pulumi.Output<string>;
    /** The job's JobModifyIndex as last seen (used for EnforceIndex on update). */
    declare public readonly modifyIndex: pulumi.Output<number>;
    /** The job version Nomad holds. */
    declare public readonly version: pulumi.Output<number>;
    /** "pending", "running" or "dead". */
    declare public readonly status: pulumi.Output<string>;
    /** "service", "batch", "system" or "sysbatch". */
    declare public readonly type: pulumi.Output<string>;
    declare public readonly datacenters: pulumi.Output<string[]>;
    /** The effective namespace. */
    declare public readonly namespace: pulumi.Output<string>;
    /** One line from Nomad's plan for the last change (what the scheduler does). */
    declare public readonly planSummary: pulumi.Output<string | undefined>;
    /** Whether the job is stopped in Nomad. */
    declare public readonly stopped: pulumi.Output<boolean>;
    /** Set by refresh when the job was stopped or changed outside Pulumi. */
    declare public readonly drift: pulumi.Output<string | undefined>;
    /** The deployment followed by the last `up` (when `detach` is false). */
    declare public readonly deploymentId: pulumi.Output<string | undefined>;
    /** Its status as last seen; anything but "successful" makes the next `up` check again. */
    declare public readonly deploymentStatus: pulumi.Output<string | undefined>;
    /** Nomad's StatusDescription of the job. */
    declare public readonly statusDescription: pulumi.Output<string>;
    /** Whether Nomad marked this version stable (its deployment succeeded). */
    declare public readonly stable: pulumi.Output<boolean>;
    /** Each group with its count as Nomad runs it, and its tasks. */
    declare public readonly taskGroups: pulumi.Output<TaskGroupSummary[]>;
    /** The allocations Nomad wants running, as of the last create, update or refresh. */
    declare public readonly allocationIds: pulumi.Output<string[]>;
    /** Set when `create` took over a running job (`adopt`). */
    declare public readonly adopted: pulumi.Output<string | undefined>;
    declare public readonly token: pulumi.Output<string | undefined>;

    constructor(name: string, args: NomadJobArgs, opts?: pulumi.CustomResourceOptions) {
        const env = args.ignoreEnv ? {} : process.env;
        const own = (field: "Namespace" | "Region") => (args.job === undefined ? undefined : pulumi.output(args.job).apply((j) => j[field]));
        const fromEnv = (explicit: pulumi.Input<string> | undefined, field: "Namespace" | "Region", name: string) =>
            args.jobspec !== undefined ? explicit : envFallback(explicit, own(field), env[name]);
        const { token, ...connection } = connectionInputs(args);
        super(
            // What pulumi.dynamic.Resource registers, with the provider's code serialized once per build.
            "pulumi-nodejs:dynamic/nomad:NomadJob",
            name,
            {
                ...setInputs({
                    __provider: providerCode("job", "NomadJob", nomadJobProvider),
                    job: args.job,
                    jobspec: args.jobspec,
                    hcl2Variables: args.hcl2Variables,
                    ...connection,
                    region: fromEnv(args.region, "Region", "NOMAD_REGION"),
                    purgeOnDestroy: args.purgeOnDestroy,
                    detach: args.detach,
                    deploymentTimeoutSeconds: args.deploymentTimeoutSeconds,
                    deregisterOnIdChange: args.deregisterOnIdChange,
                    retryTimeoutSeconds: args.retryTimeoutSeconds,
                    preserveCounts: args.preserveCounts,
                    deregisterOnDestroy: args.deregisterOnDestroy,
                    adopt: args.adopt,
                    app: args.app,
                }),
                // Inputs that are also declared outputs: always keys.
                token,
                namespace: fromEnv(args.namespace, "Namespace", "NOMAD_NAMESPACE"),
                jobId: undefined,
                modifyIndex: undefined,
                version: undefined,
                status: undefined,
                type: undefined,
                datacenters: undefined,
                planSummary: undefined,
                stopped: undefined,
                drift: undefined,
                deploymentId: undefined,
                deploymentStatus: undefined,
                statusDescription: undefined,
                stable: undefined,
                taskGroups: undefined,
                allocationIds: undefined,
                adopted: undefined,
            },
            pulumi.mergeOptions(opts, { additionalSecretOutputs: CONNECTION_SECRETS }),
        );
    }
}
