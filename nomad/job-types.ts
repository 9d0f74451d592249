/**
 * TypeScript shapes of the Nomad job JSON we produce (the HTTP API form:
 * Go field names in PascalCase, acronyms upper-case, durations in int64
 * nanoseconds).
 *
 * Only the subset this project uses is typed; driver `Config` stays free-form
 * because its keys belong to the driver (lower-case: `image`, `ports`, ...).
 */
import type { Duration } from "./durations";

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
