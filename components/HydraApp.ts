import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Secret } from "../config";
import { JobSpec, SecretDeclaration, TYPE_TOKENS } from "../vocabulary";
import { NomadJob } from "../nomad";
import { AppJob, NomadConnection } from "./AppJob";
import { JobEnvironment } from "./buildJob";
import { registrations } from "./registrations";

export interface HydraAppArgs {
    /** The app's jobs, planned once. Their secrets are references to `secrets`. */
    jobs: JobSpec[];
    /** The app's secret declarations. */
    secrets: SecretDeclaration[];
    /** The secrets config sets, by key. */
    configured: Readonly<Record<string, Secret | undefined>>;
    environment: JobEnvironment;
    connection: NomadConnection;
    /** `pulumi up` waits until each service job's deployment is healthy. */
    waitForHealthy?: boolean;
    /**
     * The job registering each service, shared by the estate's apps (created providers first):
     * a job that waits for a service is registered after the job behind it.
     */
    serviceJobs: Map<string, NomadJob>;
    /**
     * The value of each secret an app has resolved, shared by the estate's apps: a job may
     * carry another app's secret (Prometheus holds Gitea's metrics token), and both must
     * get the one value its declaring app made. The declaring app is created first.
     */
    sharedSecrets: Map<string, pulumi.Input<string>>;
}

/** One app of the estate: its generated secrets and its jobs (one AppJob each). */
export class HydraApp extends pulumi.ComponentResource {
    readonly jobs: AppJob[];

    constructor(name: string, args: HydraAppArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE_TOKENS.app, name, {}, opts);
        // One value per key, even when several jobs read it (shynet's database password).
        const values = new Map<string, pulumi.Input<string>>();
        const declared = new Set(args.secrets.map((s) => s.key));
        const resolve = (key: string): pulumi.Input<string> => {
            if (!values.has(key)) {
                const value = declared.has(key) ? this.secretValue(name, key, args) : args.sharedSecrets.get(key);
                if (value === undefined) {
                    // Planning puts apps that gather from others after them; reaching this is a bug.
                    throw new Error(`app ${name}: secret ${key} belongs to an app that is not created yet`);
                }
                values.set(key, value);
                if (declared.has(key)) {
                    args.sharedSecrets.set(key, value);
                }
            }
            return values.get(key)!;
        };
        this.jobs = args.jobs.map((spec) => {
            const job = new AppJob(
                spec.name,
                {
                    app: name,
                    spec,
                    secrets: Object.fromEntries(Object.entries(spec.secrets ?? {}).map(([item, ref]) => [item, resolve(ref.secret)])),
                    environment: args.environment,
                    connection: args.connection,
                    waitForHealthy: args.waitForHealthy,
                    after: (spec.dependsOn ?? []).flatMap((service) => args.serviceJobs.get(service) ?? []),
                },
                { parent: this },
            );
            for (const service of registrations(spec)) {
                args.serviceJobs.set(service.name, job.job);
            }
            return job;
        });
        this.registerOutputs({ jobs: this.jobs.map((j) => j.job.jobId) });
    }

    /** A secret from config or, for a generated one, made once and kept (encrypted) in the state. */
    private secretValue(app: string, key: string, args: HydraAppArgs): pulumi.Input<string> {
        const configured = args.configured[key];
        if (configured) {
            return configured;
        }
        const declaration = args.secrets.find((s) => s.key === key);
        if (!declaration?.generate) {
            // Config validation reports missing required secrets first; reaching this is a bug.
            throw new Error(`app ${app}: secret ${key} is not set: pulumi config set --secret ${key} <value>`);
        }
        return new random.RandomPassword(`${app}-${key}`, { length: declaration.generate.length, special: false }, { parent: this }).result;
    }
}
