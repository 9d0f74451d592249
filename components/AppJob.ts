import * as pulumi from "@pulumi/pulumi";
import { NomadConnectionArgs, NomadJob, NomadVariable } from "../nomad";
import { JobSpec, TYPE_TOKENS, variablePath } from "../vocabulary";
import { buildJob, JobEnvironment } from "./buildJob";

/** How the Nomad resources reach the cluster (address, token, TLS), and whether to adopt what runs. */
export interface NomadConnection extends NomadConnectionArgs {
    /** Take over jobs and variables that already run (`nomad.adopt`). */
    adopt?: boolean;
    /** With adopt: overwrite a variable whose items differ (`nomad.overwriteAdoptedVariables`). */
    overwriteAdoptedVariables?: boolean;
}

export interface AppJobArgs {
    /** The app the job belongs to, for messages. */
    app: string;
    /** The job as planned (checked already). */
    spec: JobSpec;
    /** The values of the spec's secrets, by variable item; each a secret Output. */
    secrets: Record<string, pulumi.Input<string>>;
    environment: JobEnvironment;
    connection: NomadConnection;
    /** `pulumi up` waits until a service job's deployment is healthy, and fails when it is not. */
    waitForHealthy?: boolean;
    /**
     * The jobs providing the services this job waits for (`dependsOn`): it is registered after them,
     * so with waitForHealthy its tasks first start once they are healthy, not merely registered.
     */
    after?: pulumi.Resource[];
}

/** One job of an app: its secrets in the Nomad Variable `nomad/jobs/<job>`, and the job after it. */
export class AppJob extends pulumi.ComponentResource {
    readonly job: NomadJob;
    readonly variable?: NomadVariable;

    constructor(name: string, args: AppJobArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE_TOKENS.job, name, {}, opts);
        const { spec, environment, connection } = args;
        const { adopt: _adopt, overwriteAdoptedVariables: _overwrite, ...reach } = connection;

        if (Object.keys(args.secrets).length) {
            this.variable = new NomadVariable(
                `${name}-secrets`,
                {
                    path: variablePath(spec.name),
                    namespace: environment.namespace,
                    items: args.secrets,
                    ...reach,
                    ...(connection.adopt ? { adopt: true, overwriteAdopted: !!connection.overwriteAdoptedVariables } : {}),
                },
                { parent: this },
            );
        }

        this.job = new NomadJob(
            `${name}-job`,
            {
                // A plain object (no Outputs inside): the job carries no secret.
                job: buildJob(spec, environment),
                ...reach,
                namespace: environment.namespace,
                purgeOnDestroy: true,
                app: args.app,
                ...(connection.adopt ? { adopt: true } : {}),
                // Batch and periodic jobs have no deployment to wait for.
                ...(args.waitForHealthy && (spec.type ?? "service") === "service" ? { detach: false } : {}),
            },
            // The job's templates read the variable: it must exist first.
            { parent: this, dependsOn: [...(this.variable ? [this.variable] : []), ...(args.after ?? [])] },
        );
        this.registerOutputs({ jobId: this.job.jobId });
    }
}
