/** The Nomad API replies the client reads (only the fields we use are typed). */
import type { Job } from "./job-types";

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
    Submission?: JobSubmission;
}

/** The source a job was registered with (Nomad ≥ 1.6), shown by the UI and `nomad job inspect`. */
export interface JobSubmission {
    Source: string;
    /** "hcl2", "hcl1" or "json". */
    Format: string;
    /** The `-var name=value` flags (HCL2 only). */
    VariableFlags?: Record<string, string> | null;
    /** Var-file text (HCL2 only). */
    Variables?: string;
    /** Set by the server on read. */
    Namespace?: string;
    JobID?: string;
    Version?: number;
    JobModifyIndex?: number;
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
    /** The job's JobModifyIndex at the version deployed: matches a register reply's JobModifyIndex. */
    JobSpecModifyIndex?: number;
    JobCreateIndex?: number;
    /** running, paused, successful, failed, cancelled, pending, blocked, unblocking, initializing. */
    Status: string;
    /** e.g. "Failed due to unhealthy allocations - rolling back to job version 0". */
    StatusDescription: string;
    TaskGroups?: Record<string, DeploymentState> | null;
    CreateIndex?: number;
    ModifyIndex?: number;
}

/** A task group's progress within a deployment. */
export interface DeploymentState {
    AutoRevert?: boolean;
    DesiredTotal?: number;
    DesiredCanaries?: number;
    PlacedAllocs?: number;
    HealthyAllocs?: number;
    UnhealthyAllocs?: number;
    ProgressDeadline?: number;
    RequireProgressBy?: string;
}

/** `GET /v1/evaluation/:id`. The scheduler sets DeploymentID when it completes the eval. */
export interface Evaluation {
    ID: string;
    JobID: string;
    /** pending, blocked, complete, failed, canceled. */
    Status: string;
    StatusDescription?: string;
    /** The job's latest deployment when the eval completed ("" when it has none). */
    DeploymentID?: string;
    JobModifyIndex?: number;
    TriggeredBy?: string;
    FailedTGAllocs?: Record<string, AllocMetric> | null;
    BlockedEval?: string;
    CreateIndex?: number;
    ModifyIndex?: number;
}

export interface TaskEvent {
    Type: string;
    /** ns since the epoch. */
    Time?: number;
    /** Nomad's human text, e.g. "Exit Code: 3" or "Task not running for min_healthy_time of 2s by healthy_deadline of 6s". */
    DisplayMessage?: string;
}

export interface TaskState {
    /** pending, running, dead. */
    State: string;
    Failed?: boolean;
    Restarts?: number;
    Events?: TaskEvent[] | null;
}

/** An allocation as the list endpoints return it (`/v1/deployment/allocations/:id`, `/v1/job/:id/allocations`). */
export interface AllocationStub {
    ID: string;
    Name?: string;
    JobID?: string;
    JobVersion?: number;
    TaskGroup: string;
    /** run, stop, evict. */
    DesiredStatus?: string;
    DesiredDescription?: string;
    /** pending, running, complete, failed, lost. */
    ClientStatus?: string;
    ClientDescription?: string;
    DeploymentStatus?: { Healthy?: boolean | null; Timestamp?: string | null; Canary?: boolean } | null;
    TaskStates?: Record<string, TaskState> | null;
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
