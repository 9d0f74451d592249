// What an app is: a name and a function from context to its Nomad job declarations.
import * as pulumi from "@pulumi/pulumi";
import { AppSettings, HydraConfig } from "../config";
import { ScrapeTarget, ServiceSpec } from "../components/serviceSpec";

/** What the apps that gather from the others (backup, monitoring) get to see. */
export interface EstateFacts {
    /** Every other enabled app's backup paths (and the proxy's). */
    backupPaths: string[];
    /** Every other enabled app's metrics endpoints. */
    scrapeTargets: ScrapeTarget[];
}

export interface AppContext {
    cfg: HydraConfig;
    /** This app's switches from `hydra:apps.<name>`. */
    settings: AppSettings;
    /** The host name to serve under: the config's override, or the app's default. */
    hostname(fallback: string): string;
    /** A path under the node's data directory (`node.dataDir`, "/data" on a droplet), e.g. data("gitea"). */
    data(sub: string): string;
    /** The image to run: the config's override, or the app's pinned default. */
    image(fallback: string): string;
    /**
     * A secret from config, or (with `generate`) a random one made once and kept
     * in the state. Secrets a person must keep are never generated.
     */
    secret(key: string, generate?: { length: number }): pulumi.Input<string>;
    estate: EstateFacts;
}

export interface AppDefinition {
    name: string;
    /** One line for the README and `npm run render`. */
    description: string;
    /** Gathers from the other apps (sees `ctx.estate`); built after them. */
    aggregates?: boolean;
    /** The app's jobs. Must be deterministic: it is called twice (check, then build). */
    services(ctx: AppContext): ServiceSpec[];
}

/** Identity helper that gives an app file its types. */
export function defineApp(app: AppDefinition): AppDefinition {
    return app;
}
