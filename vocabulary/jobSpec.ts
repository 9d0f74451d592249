// What an app declares for each of its Nomad jobs. Pure data: the job builder
// turns it into Nomad's JSON, the components into resources.
import { SecretRef } from "./secrets";
import { HostNetwork, Visibility } from "./visibility";

export interface PortSpec {
    label: string;
    /** Port inside the container (docker) the host port maps to. */
    to?: number;
    /** A fixed host port; dynamic when unset. */
    static?: number;
    /** Default "tailscale": nothing is on the public interface unless asked. */
    hostNetwork?: HostNetwork;
}

export interface MountSpec {
    /** Host path, e.g. "/data/gitea". */
    source: string;
    /** Path in the container. */
    target: string;
    readOnly?: boolean;
    /**
     * "uid:gid" the app runs as and must own the host path: made and chowned (recursively,
     * only when its top differs) by a prestart task before the app starts.
     */
    owner?: string;
}

export interface FileSpec {
    /** File name in the task directory, e.g. "app.ini". */
    name: string;
    /**
     * A Nomad template. It may read the job's secrets with `secretTemplate(job, item)`;
     * a file that does is rendered into the in-memory `secrets/` directory.
     */
    content: string;
    /** Also bind it into the container at this path (docker). */
    mountAt?: string;
    /** "0644" by default; "0755" for scripts. */
    perms?: string;
    /** What a re-render does: "restart" (default), "noop", "signal" with `signal`, or "script" with `script`. */
    changeMode?: "restart" | "noop" | "signal" | "script";
    signal?: string;
    /** Load the rendered KEY=value lines into the task's environment (Nomad's `env = true`). */
    env?: boolean;
    /** Run inside the task on re-render, e.g. a config reload. */
    script?: { command: string; args?: string[]; timeoutSeconds?: number };
    /** Written as is: `{{` is the file's own syntax (Prometheus rule templates), not Nomad's. */
    literal?: boolean;
}

export interface ResourcesSpec {
    cpu: number;
    memoryMb: number;
    memoryMaxMb?: number;
}

export interface TaskSpec {
    name: string;
    /** "docker" (default) or "raw_exec" (runs on the host, as root). */
    driver?: "docker" | "raw_exec";
    /** Docker image with a pinned version tag or digest; `latest` and untagged images are refused. */
    image?: string;
    /** Command (raw_exec: the program; docker: overrides the entrypoint's command). */
    command?: string;
    /** Docker only: replaces the image's entrypoint (a start script that must run first). */
    entrypoint?: string[];
    /** Docker only: kernel settings of the container's own network namespace. */
    sysctls?: Record<string, string>;
    args?: string[];
    user?: string;
    env?: Record<string, string>;
    /** Environment variables read from the job's secrets: ENV_NAME → secret item. */
    secretEnv?: Record<string, string>;
    resources?: ResourcesSpec;
    mounts?: MountSpec[];
    files?: FileSpec[];
    /** Port labels this (docker) task publishes; default: all of the group's ports. */
    ports?: string[];
}

export interface CheckSpec {
    type: "http" | "tcp";
    path?: string;
    /** Request headers of an http check, e.g. the Host an app accepts (Nomad's check `header`). */
    headers?: Record<string, string>;
    intervalSeconds?: number;
    timeoutSeconds?: number;
}

/** A Nomad service: a registration of one port, optionally health-checked. */
export interface ServiceSpec {
    name: string;
    port: string;
    tags?: string[];
    check?: CheckSpec;
}

export interface RouteSpec {
    /** Host name relative to the zone, e.g. "git". */
    hostname: string;
    visibility: Visibility;
    /** The port label traffic goes to. */
    port: string;
    /** Cloudflare-proxied (public routes only); the stack's default when unset. */
    proxied?: boolean;
    /** A name only (e.g. SSH on a static port): a DNS record but no proxy site. */
    dnsOnly?: boolean;
}

export interface MetricsSpec {
    port: string;
    path?: string;
    /**
     * The bearer token the endpoint demands (one of the job's declared secrets): the
     * scraper gets it through its own job's variable, never in a job spec.
     */
    token?: SecretRef;
}

export interface PeriodicSpec {
    cron: string;
    timeZone?: string;
    /** Default true: never two runs at once. */
    prohibitOverlap?: boolean;
}

export interface RestartSpec {
    attempts: number;
    intervalSeconds: number;
    delaySeconds: number;
    mode?: "fail" | "delay";
}

/**
 * A consistent copy of a live database, made by the backup job just before it
 * runs restic: a command's stdout, saved to a host file that is backed up instead
 * of the live files it stands for.
 */
export interface BackupDumpSpec {
    /** Host path of the dump; the backup saves it. */
    file: string;
    /** The task whose running container runs the command (`docker exec`). */
    task: string;
    /** The command; its stdout is the dump. */
    command: string[];
    /**
     * Run the command in a one-off container of this image instead (as root,
     * no network), with these bind mounts: for a task whose image lacks the tool.
     */
    run?: { image: string; mounts: MountSpec[] };
    /** Host paths or restic patterns of the live files the dump stands for: left out of the backup. */
    excludes?: string[];
}

/**
 * Where a job's group may run, in Nomad's terms: an attribute (`${node.unique.name}`,
 * `${attr.cpu.arch}`, `${meta.public}`) compared with a value, or `distinct_hosts`.
 */
export interface ConstraintSpec {
    attribute?: string;
    operator: "=" | "set_contains_any" | "is_set" | "distinct_hosts";
    value?: string;
}

/** One Nomad job with one task group. */
export interface JobSpec {
    /** The Nomad job's ID and name. */
    name: string;
    /** "service" (default), a periodic "batch", or a periodic "sysbatch" (once on every node it may run on). */
    type?: "service" | "batch" | "sysbatch";
    /** How many allocations of the group run (1 when unset). */
    count?: number;
    /** Where the group may run (only set when the estate has more than one node). */
    constraints?: ConstraintSpec[];
    periodic?: PeriodicSpec;
    /** A batch job run on demand (`nomad job dispatch`) with these meta keys, instead of on a schedule. */
    dispatch?: { metaRequired: string[]; metaOptional?: string[] };
    /** Task group name (default "app"). */
    group?: string;
    tasks: TaskSpec[];
    ports?: PortSpec[];
    services?: ServiceSpec[];
    routes?: RouteSpec[];
    /** Item name → declared secret; stored in the Nomad Variable `nomad/jobs/<name>`. */
    secrets?: Record<string, SecretRef>;
    /** Service names that must be registered before this job's tasks start. */
    dependsOn?: string[];
    /** Host paths the backup job saves. */
    backupPaths?: string[];
    /**
     * Secret items the job's data depends on (a key that encrypts it, a password set
     * only on first run): copied, readable by root only, to `file` (under one of
     * `backupPaths`) each time the job starts, so a backup restores them with the data.
     * Each line is `<config key>=<JSON string>`.
     */
    keepSecrets?: { items: string[]; file: string };
    /** Dumps the backup job makes of this job's live databases before it runs. */
    backupDumps?: BackupDumpSpec[];
    metrics?: MetricsSpec;
    restart?: RestartSpec;
}
