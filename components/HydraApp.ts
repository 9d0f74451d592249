import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { HydraConfig } from "../config";
import { AppDefinition, EstateFacts } from "../apps/app";
import { makeContext } from "../apps/context";
import { JobEnvironment } from "./buildJob";
import { NomadConnection, NomadService } from "./NomadService";
import { ResolvedRoute } from "./serviceSpec";

export interface HydraAppArgs {
    definition: AppDefinition;
    config: HydraConfig;
    estate: EstateFacts;
    environment: JobEnvironment;
    connection: NomadConnection;
}

/** One app of the estate: its generated secrets and its jobs (one NomadService each). */
export class HydraApp extends pulumi.ComponentResource {
    readonly services: NomadService[];
    readonly routes: ResolvedRoute[];

    constructor(name: string, args: HydraAppArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hydra:app:HydraApp", name, {}, opts);
        const cfg = args.config;
        const ctx = makeContext(cfg, args.definition, args.estate, (key, generate) => {
            const configured = cfg.secrets[key];
            if (configured) {
                return configured;
            }
            if (!generate) {
                throw new Error(`app ${name}: secret ${key} is required: pulumi config set --secret ${key} <value>`);
            }
            // Machine-to-machine only; kept in the state (encrypted) so it stays stable across runs.
            return new random.RandomPassword(`${name}-${key}`, { length: generate.length, special: false }, { parent: this }).result;
        });
        this.services = args.definition.services(ctx).map(
            (spec) =>
                new NomadService(
                    spec.name,
                    {
                        spec,
                        app: name,
                        environment: args.environment,
                        connection: args.connection,
                        domain: cfg.domain,
                        defaultProxied: cfg.cloudflare.proxied,
                    },
                    { parent: this },
                ),
        );
        this.routes = this.services.flatMap((s) => s.routes);
        this.registerOutputs({ jobs: this.services.map((s) => s.job.jobId) });
    }
}
