// What an app is: its declaration to config (settings, secrets, outputs) and a
// function from context to its Nomad jobs. An app is one file; nothing else lists its parts.
import { HydraConfig } from "../config";
import { AppDeclaration, BackupDumpSpec, JobSpec, ScrapeTarget, SecretRef } from "../vocabulary";

/** A job's dump, as the backup job sees it. */
export interface BackupDump extends BackupDumpSpec {
    job: string;
}

/** What the apps that gather from the others (backup, monitoring) get to see. */
export interface EstateFacts {
    /** The backup paths of every app planned before this one (and the proxy's). */
    backupPaths: string[];
    /** The database dumps of every app planned before this one, to make before backing up. */
    backupDumps: BackupDump[];
    /** The metrics endpoints of every app planned before this one. */
    scrapeTargets: ScrapeTarget[];
    /** The service jobs (always running) of every app planned before this one. */
    serviceJobs: string[];
    /** Every app planned before this one: its jobs and its scrape jobs. */
    apps: { name: string; jobs: string[]; scrapeJobs: string[] }[];
    /** With more than one node: by backup path and dump file, the node that holds it. */
    backupNodes?: Record<string, string>;
}

export interface AppContext {
    cfg: HydraConfig;
    /** The main route's host name: `apps.<name>.hostname`, or the app's declared default. */
    hostname(): string;
    /** The main image: `apps.<name>.image`, or the app's declared default. */
    image(): string;
    /** A path under the node's data directory (`node.dataDir`, "/data" on a droplet), e.g. data("gitea"). */
    data(sub: string): string;
    /** A reference to one of the app's declared secrets; the app's component resolves it. */
    secret(key: string): SecretRef;
    /** Whether config sets a secret (some jobs change shape with optional secrets). */
    hasSecret(key: string): boolean;
    estate: EstateFacts;
}

export interface AppDefinition extends AppDeclaration {
    /**
     * Gathers from the other apps (sees `ctx.estate`). Planned after every app
     * that does not, in the order of APPS: each sees the apps planned before it.
     */
    aggregates?: boolean;
    /** The app's Nomad jobs. Called once per deployment. */
    jobs(ctx: AppContext): JobSpec[];
}

/** Identity helper that gives an app file its types. */
export function defineApp(app: AppDefinition): AppDefinition {
    return app;
}
