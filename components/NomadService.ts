import * as pulumi from "@pulumi/pulumi";
import { NomadJob, NomadVariable } from "../nomad";
import { buildJob, JobEnvironment, resolveRoutes, scrapeTargets, variablePath } from "./buildJob";
import { ResolvedRoute, ScrapeTarget, ServiceSpec } from "./serviceSpec";

/** How the Nomad resources reach the cluster. */
export interface NomadConnection {
    address: pulumi.Input<string>;
    token?: pulumi.Input<string>;
}

export interface NomadServiceArgs {
    spec: ServiceSpec;
    /** The app this job belongs to (an app may have several jobs). */
    app?: string;
    environment: JobEnvironment;
    connection: NomadConnection;
    domain: string;
    /** Whether public routes are Cloudflare-proxied when a route does not say. */
    defaultProxied: boolean;
}

/**
 * One app job: its secrets in the Nomad Variable `nomad/jobs/<job>` and the job
 * after it. Hands back its routes, backup paths and scrape targets.
 */
export class NomadService extends pulumi.ComponentResource {
    readonly job: NomadJob;
    readonly variable?: NomadVariable;
    readonly routes: ResolvedRoute[];
    readonly backupPaths: string[];
    readonly scrapeTargets: ScrapeTarget[];

    constructor(name: string, args: NomadServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hydra:app:NomadService", name, {}, opts);
        const { spec, environment, connection } = args;
        const job = buildJob(spec, environment);

        if (spec.secrets && Object.keys(spec.secrets).length) {
            this.variable = new NomadVariable(
                `${name}-secrets`,
                {
                    path: variablePath(spec.name),
                    namespace: environment.namespace,
                    items: spec.secrets,
                    address: connection.address,
                    token: connection.token,
                },
                { parent: this },
            );
        }

        this.job = new NomadJob(
            `${name}-job`,
            {
                // A plain object (no Outputs inside): the job carries no secret.
                job,
                address: connection.address,
                token: connection.token,
                namespace: environment.namespace,
                purgeOnDestroy: true,
            },
            // The job's templates read the variable: it must exist first.
            { parent: this, dependsOn: this.variable ? [this.variable] : [] },
        );

        this.routes = resolveRoutes(spec, args.domain, args.defaultProxied, args.app ?? spec.name);
        this.backupPaths = spec.backupPaths ?? [];
        this.scrapeTargets = scrapeTargets(spec);
        this.registerOutputs({ jobId: this.job.jobId, routes: this.routes.map((r) => r.fqdn) });
    }
}
