/**
 * Data-source style reads of objects the stack does not own: `getJob` and
 * `getVariable`, like `@pulumi/nomad`'s `getJob`/`getVariable`. They run in
 * the program (not in a provider), during preview too, so each is one or two
 * GETs; a variable's items come back as a Pulumi secret, never plain.
 */
import * as pulumi from "@pulumi/pulumi";
import type { JobSubmission } from "./api-types";
import { NomadClient } from "./client";
import { tlsFrom } from "./connection";
import { isNomadError } from "./errors";
import { taskGroupsOf, wantedAllocationIds } from "./job-outputs";
import type { TaskGroupSummary } from "./job-spec";
import type { NomadTls } from "./transport";

export interface NomadLookupArgs {
    /** Nomad's HTTP(S) address, e.g. "http://100.64.0.1:4646". Else NOMAD_ADDR, else http://127.0.0.1:4646. */
    address?: string;
    /** ACL token (needs read-job / variables read in the namespace). Else NOMAD_TOKEN. */
    token?: string;
    /** Else NOMAD_NAMESPACE, else "default". */
    namespace?: string;
    /** Else NOMAD_REGION. */
    region?: string;
    /** CA, client certificate and key (PEM), server name, skip-verify. Else NOMAD_CACERT, NOMAD_CLIENT_CERT, ... (see ./connection). */
    tls?: NomadTls;
    headers?: Record<string, string>;
    /** Read no NOMAD_* environment variable. */
    ignoreEnv?: boolean;
    /** How long to retry while Nomad is unreachable or has no leader. Default 30. */
    retryTimeoutSeconds?: number;
}

export interface GetJobArgs extends NomadLookupArgs {
    jobId: string;
    /** Also read the source the current version was registered with (Nomad ≥ 1.6). Default false. */
    withSubmission?: boolean;
}

/** A job as Nomad holds it now. */
export interface NomadJobInfo {
    jobId: string;
    name: string;
    namespace: string;
    type: string;
    status: string;
    statusDescription: string;
    stable: boolean;
    stopped: boolean;
    version: number;
    modifyIndex: number;
    datacenters: string[];
    taskGroups: TaskGroupSummary[];
    allocationIds: string[];
    /** With `withSubmission`: the source, when the version was registered with one. */
    submission?: { format: string; source: string; variableFlags: Record<string, string> };
}

export interface GetVariableArgs extends NomadLookupArgs {
    path: string;
}

export interface NomadVariableInfo {
    path: string;
    namespace: string;
    createIndex: number;
    modifyIndex: number;
    /** The item keys (not secret). */
    keys: string[];
    /** The items, as a secret. */
    items: pulumi.Output<Record<string, string>>;
}

function clientOf(args: NomadLookupArgs): NomadClient {
    const env = args.ignoreEnv ? {} : process.env;
    return new NomadClient({
        address: args.address ?? (env.NOMAD_ADDR || "http://127.0.0.1:4646"),
        token: args.token ?? (env.NOMAD_TOKEN || undefined),
        namespace: args.namespace || env.NOMAD_NAMESPACE || undefined,
        region: args.region || env.NOMAD_REGION || undefined,
        tls: tlsFrom(args.tls, env) as NomadTls | undefined,
        headers: args.headers,
        retryTimeoutSeconds: args.retryTimeoutSeconds ?? 30,
    });
}

function lookupError(what: string, e: unknown): Error {
    return new Error(`${what}: ${isNomadError(e) ? e.message : e instanceof Error ? e.message : String(e)}`);
}

/** Read a job the stack does not own; fails (naming it) when there is none. */
export async function getJob(args: GetJobArgs): Promise<NomadJobInfo> {
    const namespace = args.namespace || "default";
    const what = `getJob "${args.jobId}" (namespace "${namespace}")`;
    const client = clientOf(args);
    try {
        const job = await client.readJob(args.jobId);
        if (!job) {
            throw new Error(`no such job in Nomad at ${client.address}`);
        }
        const allocs = await client.jobAllocations(args.jobId);
        let submission: JobSubmission | undefined;
        if (args.withSubmission) {
            submission = await client.jobSubmission(args.jobId, job.Version ?? 0);
        }
        return {
            jobId: job.ID,
            name: job.Name ?? job.ID,
            namespace: job.Namespace ?? namespace,
            type: job.Type ?? "service",
            status: job.Status ?? "pending",
            statusDescription: job.StatusDescription ?? "",
            stable: !!job.Stable,
            stopped: !!job.Stop,
            version: job.Version ?? 0,
            modifyIndex: job.JobModifyIndex ?? 0,
            datacenters: job.Datacenters ?? [],
            taskGroups: taskGroupsOf(job),
            allocationIds: wantedAllocationIds(allocs),
            ...(submission ? { submission: { format: submission.Format, source: submission.Source, variableFlags: submission.VariableFlags ?? {} } } : {}),
        };
    } catch (e) {
        throw lookupError(what, e);
    }
}

/** Read a variable the stack does not own; its items only as a secret. Fails (naming it) when there is none. */
export async function getVariable(args: GetVariableArgs): Promise<NomadVariableInfo> {
    const namespace = args.namespace || "default";
    const what = `getVariable "${args.path}" (namespace "${namespace}")`;
    const client = clientOf(args);
    try {
        const v = await client.getVariable(args.path);
        if (!v) {
            throw new Error(`no such variable in Nomad at ${client.address}`);
        }
        return {
            path: v.Path,
            namespace: v.Namespace || namespace,
            createIndex: v.CreateIndex,
            modifyIndex: v.ModifyIndex,
            keys: Object.keys(v.Items ?? {}).sort(),
            items: pulumi.secret(v.Items ?? {}),
        };
    } catch (e) {
        throw lookupError(what, e);
    }
}
