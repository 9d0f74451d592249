/**
 * TypeScript shapes of the Nomad job JSON we produce (the HTTP API form:
 * Go field names in PascalCase, acronyms upper-case, durations in int64
 * nanoseconds), plus the API replies the client reads.
 *
 * Only the subset this project uses is typed; driver `Config` stays free-form
 * because its keys belong to the driver (lower-case: `image`, `ports`, ...).
 */

/** A duration in nanoseconds, as Nomad's JSON API expects. */
export type Duration = number;

const NS_PER = {
    ns: 1,
    us: 1e3,
    µs: 1e3,
    ms: 1e6,
    s: 1e9,
    m: 60e9,
    h: 3600e9,
} as const;

/** `n` nanoseconds. */
export function nanoseconds(n: number): Duration {
    return Math.round(n);
}

/** `n` milliseconds in nanoseconds. */
export function milliseconds(n: number): Duration {
    return Math.round(n * NS_PER.ms);
}

/** `n` seconds in nanoseconds. */
export function seconds(n: number): Duration {
    return Math.round(n * NS_PER.s);
}

/** `n` minutes in nanoseconds. */
export function minutes(n: number): Duration {
    return Math.round(n * NS_PER.m);
}

/** `n` hours in nanoseconds. */
export function hours(n: number): Duration {
    return Math.round(n * NS_PER.h);
}

/**
 * Parse a Go-style duration string ("30s", "1h30m", "1.5h", "250ms", "10us")
 * into nanoseconds. Throws on anything else, so typos fail at program time.
 */
export function duration(text: string): Duration {
    const s = text.trim();
    if (s === "0") {
        return 0;
    }
    const re = /(\d+(?:\.\d+)?|\.\d+)(ns|us|µs|ms|s|m|h)/gy;
    let total = 0;
    let pos = 0;
    let matched = false;
    let m: RegExpExecArray | null;
    while ((m = re.exec(s)) !== null) {
        total += parseFloat(m[1]) * NS_PER[m[2] as keyof typeof NS_PER];
        pos = re.lastIndex;
        matched = true;
    }
    if (!matched || pos !== s.length) {
        throw new Error(`invalid duration ${JSON.stringify(text)} (expected e.g. "30s", "1h30m", "250ms")`);
    }
    return Math.round(total);
}

// ---------------------------------------------------------------------------
// Job specification
// ---------------------------------------------------------------------------

export type JobType = "service" | "batch" | "system" | "sysbatch";

export interface Job {
    ID: string;
    /** Defaults to ID. */
    Name?: string;
    /** Defaults to "service". */
    Type?: JobType;
    /** Defaults to "default". The NomadJob `namespace` input wins when set. */
    Namespace?: string;
    /** Defaults to the agent's region (usually "global"). */
    Region?: string;
    /** Defaults to ["*"] (every datacenter). */
    Datacenters?: string[];
    NodePool?: string;
    /** 1..100, default 50. */
    Priority?: number;
    AllAtOnce?: boolean;
    Meta?: Record<string, string>;
    Constraints?: Constraint[];
    Affinities?: Affinity[];
    Spreads?: Spread[];
    Update?: UpdateStrategy;
    Periodic?: Periodic;
    ParameterizedJob?: ParameterizedJob;
    TaskGroups: TaskGroup[];
    /** Set by `nomad job stop`; never set it in a spec you manage. */
    Stop?: boolean;
}

export interface Constraint {
    LTarget?: string;
    RTarget?: string;
    Operand?: string;
}

export interface Affinity {
    LTarget?: string;
    RTarget?: string;
    Operand?: string;
    Weight?: number;
}

export interface Spread {
    Attribute: string;
    Weight?: number;
    SpreadTarget?: { Value: string; Percent: number }[];
}

export interface UpdateStrategy {
    Stagger?: Duration;
    /** Default 1; 0 disables deployments for the group. */
    MaxParallel?: number;
    /** "checks" (default), "task_states" or "manual". */
    HealthCheck?: "checks" | "task_states" | "manual";
    MinHealthyTime?: Duration;
    HealthyDeadline?: Duration;
    ProgressDeadline?: Duration;
    AutoRevert?: boolean;
    AutoPromote?: boolean;
    Canary?: number;
}

export interface Periodic {
    Enabled?: boolean;
    Spec: string;
    /** Only "cron". */
    SpecType?: "cron";
    ProhibitOverlap?: boolean;
    TimeZone?: string;
}

export interface ParameterizedJob {
    Payload?: "optional" | "required" | "forbidden";
    MetaRequired?: string[];
    MetaOptional?: string[];
}

export interface TaskGroup {
    Name: string;
    /** Default 1. */
    Count?: number;
    Constraints?: Constraint[];
    Affinities?: Affinity[];
    Spreads?: Spread[];
    Tasks: Task[];
    Networks?: Network[];
    Services?: Service[];
    RestartPolicy?: RestartPolicy;
    ReschedulePolicy?: ReschedulePolicy;
    Update?: UpdateStrategy;
    Migrate?: { MaxParallel?: number; HealthCheck?: string; MinHealthyTime?: Duration; HealthyDeadline?: Duration };
    EphemeralDisk?: EphemeralDisk;
    Volumes?: Record<string, VolumeRequest>;
    Meta?: Record<string, string>;
    ShutdownDelay?: Duration;
    StopAfterClientDisconnect?: Duration;
    MaxClientDisconnect?: Duration;
}

export interface Network {
    /** "host" (default), "bridge", "none", "cni/<name>". */
    Mode?: string;
    /** Static ports: `{ Label, Value }`. */
    ReservedPorts?: Port[];
    /** Dynamic ports: `{ Label }` (optionally `To`). */
    DynamicPorts?: Port[];
    DNS?: { Servers?: string[]; Searches?: string[]; Options?: string[] };
    Hostname?: string;
}

export interface Port {
    Label: string;
    /** The static host port (ReservedPorts only). */
    Value?: number;
    /** The port inside the task (bridge mode / docker port mapping). */
    To?: number;
    /** A client `host_network` name, e.g. "tailscale". */
    HostNetwork?: string;
}

export interface RestartPolicy {
    Attempts?: number;
    Interval?: Duration;
    Delay?: Duration;
    /** "fail" or "delay". */
    Mode?: "fail" | "delay";
    RenderTemplates?: boolean;
}

export interface ReschedulePolicy {
    Attempts?: number;
    Interval?: Duration;
    Delay?: Duration;
    /** "constant", "exponential" or "fibonacci". */
    DelayFunction?: "constant" | "exponential" | "fibonacci";
    MaxDelay?: Duration;
    Unlimited?: boolean;
}

export interface EphemeralDisk {
    Sticky?: boolean;
    Migrate?: boolean;
    SizeMB?: number;
}

export interface VolumeRequest {
    Name?: string;
    /** "host" or "csi". */
    Type: "host" | "csi";
    Source: string;
    ReadOnly?: boolean;
    AccessMode?: string;
    AttachmentMode?: string;
    PerAlloc?: boolean;
}

export interface VolumeMount {
    Volume: string;
    Destination: string;
    ReadOnly?: boolean;
    PropagationMode?: string;
}

export interface Task {
    Name: string;
    /** "docker", "raw_exec", "exec", ... */
    Driver: string;
    User?: string;
    /** Driver-specific, lower-case keys (docker `image`, `ports`, `args`; raw_exec `command`, `args`). */
    Config?: Record<string, unknown>;
    Env?: Record<string, string>;
    Services?: Service[];
    Resources?: Resources;
    Lifecycle?: Lifecycle;
    Templates?: Template[];
    Artifacts?: Artifact[];
    VolumeMounts?: VolumeMount[];
    Constraints?: Constraint[];
    Affinities?: Affinity[];
    Meta?: Record<string, string>;
    /** Default 5s. */
    KillTimeout?: Duration;
    KillSignal?: string;
    ShutdownDelay?: Duration;
    LogConfig?: LogConfig;
    Leader?: boolean;
    RestartPolicy?: RestartPolicy;
}

export interface Resources {
    /** MHz, default 100. */
    CPU?: number;
    Cores?: number;
    /** Default 300. */
    MemoryMB?: number;
    MemoryMaxMB?: number;
}

export interface Lifecycle {
    /** "prestart", "poststart" or "poststop". */
    Hook: "prestart" | "poststart" | "poststop";
    Sidecar?: boolean;
}

export interface LogConfig {
    MaxFiles?: number;
    MaxFileSizeMB?: number;
    Disabled?: boolean;
}

export interface Artifact {
    GetterSource: string;
    GetterOptions?: Record<string, string>;
    GetterMode?: string;
    RelativeDest?: string;
}

export interface Template {
    /** The template text (Go template with Nomad functions: `nomadVar`, `nomadService`, ...). */
    EmbeddedTmpl?: string;
    SourcePath?: string;
    DestPath: string;
    /** "restart" (default), "noop", "signal", "script". */
    ChangeMode?: "restart" | "noop" | "signal" | "script";
    /** With ChangeMode "script": a command run inside the task on re-render (Nomad >= 1.5). */
    ChangeScript?: { Command: string; Args?: string[]; Timeout?: Duration; FailOnError?: boolean };
    ChangeSignal?: string;
    /** Render as environment variables for the task. */
    Envvars?: boolean;
    /** File mode as an octal string, e.g. "0644" (default) or "0600". */
    Perms?: string;
    Uid?: number;
    Gid?: number;
    LeftDelim?: string;
    RightDelim?: string;
    Splay?: Duration;
    ErrMissingKey?: boolean;
}

export interface Service {
    Name: string;
    Tags?: string[];
    CanaryTags?: string[];
    PortLabel?: string;
    /** "nomad" or "consul" (Nomad's default). All services of one group must agree. */
    Provider?: "nomad" | "consul";
    AddressMode?: "auto" | "host" | "driver" | "alloc";
    Address?: string;
    TaskName?: string;
    Checks?: Check[];
    Meta?: Record<string, string>;
}

export interface Check {
    Name?: string;
    /** "http" or "tcp" (native service discovery supports both from 1.4). */
    Type: "http" | "tcp" | "script" | "grpc";
    Path?: string;
    Protocol?: string;
    Method?: string;
    Header?: Record<string, string[]>;
    PortLabel?: string;
    Interval: Duration;
    Timeout: Duration;
    Expose?: boolean;
    TaskName?: string;
    OnUpdate?: string;
    SuccessBeforePassing?: number;
    FailuresBeforeCritical?: number;
}

// ---------------------------------------------------------------------------
// API replies
// ---------------------------------------------------------------------------

/** A job as `GET /v1/job/:id` returns it: the spec, defaulted, plus server fields. */
export interface ServerJob extends Job {
    Status?: "pending" | "running" | "dead";
    StatusDescription?: string;
    Version?: number;
    Stable?: boolean;
    SubmitTime?: number;
    CreateIndex?: number;
    ModifyIndex?: number;
    JobModifyIndex?: number;
}

export interface JobRegisterRequest {
    Job: Job;
    EnforceIndex?: boolean;
    JobModifyIndex?: number;
    PolicyOverride?: boolean;
    PreserveCounts?: boolean;
}

export interface JobRegisterResponse {
    EvalID: string;
    EvalCreateIndex: number;
    JobModifyIndex: number;
    Warnings?: string;
    Index?: number;
}

export interface JobDeregisterResponse {
    EvalID: string;
    EvalCreateIndex: number;
    JobModifyIndex: number;
}

export type DiffType = "None" | "Added" | "Deleted" | "Edited";

export interface FieldDiff {
    Type: DiffType;
    Name: string;
    Old?: string;
    New?: string;
    Annotations?: string[] | null;
}

export interface ObjectDiff {
    Type: DiffType;
    Name: string;
    Fields?: FieldDiff[] | null;
    Objects?: ObjectDiff[] | null;
}

export interface TaskDiff {
    Type: DiffType;
    Name: string;
    Fields?: FieldDiff[] | null;
    Objects?: ObjectDiff[] | null;
    Annotations?: string[] | null;
}

export interface TaskGroupDiff {
    Type: DiffType;
    Name: string;
    Fields?: FieldDiff[] | null;
    Objects?: ObjectDiff[] | null;
    Tasks?: TaskDiff[] | null;
    /** e.g. `{ "create": 1, "in-place update": 2, "create/destroy update": 1, "ignore": 3 }` */
    Updates?: Record<string, number> | null;
}

export interface JobDiff {
    Type: DiffType;
    ID: string;
    Fields?: FieldDiff[] | null;
    Objects?: ObjectDiff[] | null;
    TaskGroups?: TaskGroupDiff[] | null;
}

export interface DesiredUpdates {
    Ignore?: number;
    Place?: number;
    Migrate?: number;
    Stop?: number;
    InPlaceUpdate?: number;
    DestructiveUpdate?: number;
    Canary?: number;
    Preemptions?: number;
}

export interface AllocMetric {
    NodesEvaluated?: number;
    NodesFiltered?: number;
    NodesAvailable?: Record<string, number> | null;
    ClassFiltered?: Record<string, number> | null;
    ConstraintFiltered?: Record<string, number> | null;
    NodesExhausted?: number;
    ClassExhausted?: Record<string, number> | null;
    DimensionExhausted?: Record<string, number> | null;
    QuotaExhausted?: string[] | null;
    CoalescedFailures?: number;
}

export interface JobPlanResponse {
    JobModifyIndex: number;
    Diff?: JobDiff | null;
    Annotations?: { DesiredTGUpdates?: Record<string, DesiredUpdates> | null; PreemptedAllocs?: unknown[] | null } | null;
    FailedTGAllocs?: Record<string, AllocMetric> | null;
    CreatedEvals?: unknown[] | null;
    NextPeriodicLaunch?: string;
    Warnings?: string;
}

export interface JobValidateResponse {
    DriverConfigValidated: boolean;
    ValidationErrors: string[] | null;
    Error: string;
    Warnings: string;
}

export interface Deployment {
    ID: string;
    Namespace: string;
    JobID: string;
    JobVersion: number;
    JobModifyIndex: number;
    JobSpecModifyIndex?: number;
    JobCreateIndex?: number;
    Status: string;
    StatusDescription: string;
    CreateIndex?: number;
    ModifyIndex?: number;
}

export interface Variable {
    Namespace: string;
    Path: string;
    CreateIndex: number;
    ModifyIndex: number;
    CreateTime?: number;
    ModifyTime?: number;
    Items: Record<string, string>;
}

/** A variable without its items (what we keep around for messages and indexes). */
export type VariableMetadata = Omit<Variable, "Items">;
