// Reading Nomad jobs out of NomadJob resources: the `job` input (JSON API form),
// or, for HCL jobspecs, `parsedJob` (Nomad's own parse, added by the provider's
// check when the server is reachable), or else only the jobspec text.
import { describe, field, isRecord, list, ResourceView, str, TYPES } from "./common";

export interface JobSource {
    /** The job in Nomad's JSON API form, when the policy can see one. */
    job?: Record<string, unknown>;
    /** Where `job` came from. */
    from?: "job" | "parsedJob";
    /** HCL jobspec text (with `hcl2Variables`), when the job was given that way. */
    jobspec?: string;
    hcl2Variables?: Record<string, unknown>;
}

export function jobSource(props: Record<string, unknown>): JobSource {
    const out: JobSource = {};
    if (isRecord(props.job)) {
        out.job = props.job;
        out.from = "job";
    } else if (isRecord(props.parsedJob)) {
        out.job = props.parsedJob;
        out.from = "parsedJob";
    }
    if (typeof props.jobspec === "string") {
        out.jobspec = props.jobspec;
    }
    if (isRecord(props.hcl2Variables)) {
        out.hcl2Variables = props.hcl2Variables;
    }
    return out;
}

export function isJob(r: ResourceView): boolean {
    return r.type === TYPES.nomadJob;
}

/** `Nomad job "gitea" (NomadJob "gitea-job-job")`. */
export function jobLabel(r: ResourceView, job?: Record<string, unknown>): string {
    const id = str(field(job, "ID")) ?? str(field(job, "Name"));
    return id ? `Nomad job "${id}" (${describe(r)})` : describe(r);
}

export interface TaskRef {
    group: Record<string, unknown>;
    task: Record<string, unknown>;
    groupName: string;
    taskName: string;
    /** `group "app" task "web"`, for messages. */
    label: string;
}

export function groupsOf(job: Record<string, unknown>): Record<string, unknown>[] {
    return list(field(job, "TaskGroups")).filter(isRecord);
}

export function tasksOf(job: Record<string, unknown>): TaskRef[] {
    const out: TaskRef[] = [];
    for (const group of groupsOf(job)) {
        const groupName = str(field(group, "Name")) ?? "?";
        for (const task of list(field(group, "Tasks")).filter(isRecord)) {
            const taskName = str(field(task, "Name")) ?? "?";
            out.push({ group, task, groupName, taskName, label: `group "${groupName}" task "${taskName}"` });
        }
    }
    return out;
}

export interface TemplateRef {
    text: string;
    dest: string;
    index: number;
}

/** A task's inline templates (`EmbeddedTmpl`); templates read from host files are invisible. */
export function templatesOf(task: Record<string, unknown>): TemplateRef[] {
    return list(field(task, "Templates"))
        .filter(isRecord)
        .map((t, index) => ({ text: str(field(t, "EmbeddedTmpl")) ?? "", dest: str(field(t, "DestPath")) ?? `template #${index + 1}`, index }))
        .filter((t) => t.text !== "");
}

export function driverOf(task: Record<string, unknown>): string | undefined {
    return str(field(task, "Driver"));
}

export function configOf(task: Record<string, unknown>): Record<string, unknown> {
    const c = field(task, "Config");
    return isRecord(c) ? c : {};
}

/** Host networks of the port labels a group declares (label → host network, "default" when unset). */
export function portNetworks(group: Record<string, unknown>): Map<string, string> {
    const out = new Map<string, string>();
    for (const net of list(field(group, "Networks")).filter(isRecord)) {
        for (const kind of ["ReservedPorts", "DynamicPorts"]) {
            for (const p of list(field(net, kind)).filter(isRecord)) {
                const label = str(field(p, "Label"));
                if (label) {
                    out.set(label, str(field(p, "HostNetwork")) || "default");
                }
            }
        }
    }
    return out;
}

/** The job's Periodic block, when it has one that is not switched off. */
export function periodicOf(job: Record<string, unknown>): Record<string, unknown> | undefined {
    const p = field(job, "Periodic");
    if (!isRecord(p)) {
        return undefined;
    }
    return field(p, "Enabled") === false ? undefined : p;
}
