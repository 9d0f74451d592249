/**
 * Structural normalisation of job specs, so that diffs compare meaning, not
 * text or key order. Used by the NomadJob provider (and serialized with it, so:
 * no imports, no exported constants read by the code).
 *
 * Rules (kept deliberately small and documented in nomad/README.md):
 *  1. null, undefined and "" are dropped; empty arrays and empty maps are
 *     dropped, except the blocks whose mere presence changes behaviour
 *     (Update, Periodic, Lifecycle, ParameterizedJob, Migrate), which stay `{}`.
 *  2. Object keys are sorted; TaskGroups and Tasks are ordered by Name (Nomad
 *     keys them by name). Other arrays keep their order.
 *  3. A field equal to Nomad's documented default is dropped (see DEFAULTS).
 *  4. `Name` equal to `ID` is dropped; Namespace and Region are not part of the
 *     spec comparison (the provider compares the effective values itself).
 *  5. Fields only the server sets (Status, Version, indexes, SubmitTime, ...)
 *     are ignored.
 */

type Kind =
    | "Job"
    | "TaskGroup"
    | "Task"
    | "Resources"
    | "Service"
    | "Check"
    | "Template"
    | "Network"
    | "Port"
    | "Periodic"
    | "Lifecycle"
    | "Update"
    | "LogConfig"
    | "EphemeralDisk"
    | "Presence"
    | "Any";

function childKinds(kind: Kind): Record<string, Kind> {
    switch (kind) {
        case "Job":
            return { TaskGroups: "TaskGroup", Update: "Update", Periodic: "Periodic", ParameterizedJob: "Presence" };
        case "TaskGroup":
            return {
                Tasks: "Task",
                Services: "Service",
                Networks: "Network",
                Update: "Update",
                EphemeralDisk: "EphemeralDisk",
                Migrate: "Presence",
            };
        case "Task":
            return { Resources: "Resources", Services: "Service", Templates: "Template", Lifecycle: "Lifecycle", LogConfig: "LogConfig" };
        case "Service":
            return { Checks: "Check" };
        case "Network":
            return { ReservedPorts: "Port", DynamicPorts: "Port" };
        default:
            return {};
    }
}

/** Nomad's documented defaults (API canonicalisation), per object kind. */
function defaultsOf(kind: Kind): Record<string, unknown> {
    const s = 1e9;
    switch (kind) {
        case "Job":
            return { Type: "service", Priority: 50, AllAtOnce: false, Stop: false, Datacenters: ["*"], NodePool: "default" };
        case "TaskGroup":
            return { Count: 1 };
        case "Task":
            return { KillTimeout: 5 * s, Leader: false };
        case "Resources":
            return { CPU: 100, MemoryMB: 300 };
        case "Service":
            return { Provider: "consul", AddressMode: "auto", EnableTagOverride: false };
        case "Check":
            return { Expose: false, SuccessBeforePassing: 0, FailuresBeforeCritical: 0, OnUpdate: "require_healthy" };
        case "Template":
            return { ChangeMode: "restart", Perms: "0644", LeftDelim: "{{", RightDelim: "}}", Envvars: false, Splay: 5 * s, ErrMissingKey: false };
        case "Network":
            return { Mode: "host" };
        case "Port":
            return { HostNetwork: "default" };
        case "Periodic":
            return { Enabled: true, SpecType: "cron", ProhibitOverlap: false };
        case "Lifecycle":
            return { Sidecar: false };
        case "Update":
            return {
                Stagger: 30 * s,
                MaxParallel: 1,
                HealthCheck: "checks",
                MinHealthyTime: 10 * s,
                HealthyDeadline: 300 * s,
                ProgressDeadline: 600 * s,
                AutoRevert: false,
                AutoPromote: false,
                Canary: 0,
            };
        case "LogConfig":
            return { MaxFiles: 10, MaxFileSizeMB: 10, Disabled: false };
        case "EphemeralDisk":
            return { SizeMB: 300, Sticky: false, Migrate: false };
        default:
            return {};
    }
}

function keepsEmpty(kind: Kind): boolean {
    return kind === "Update" || kind === "Periodic" || kind === "Lifecycle" || kind === "Presence";
}

function serverOnlyJobFields(): string[] {
    return [
        "Status",
        "StatusDescription",
        "Version",
        "Stable",
        "SubmitTime",
        "CreateIndex",
        "ModifyIndex",
        "JobModifyIndex",
        "Namespace",
        "Region",
        "ParentID",
        "Dispatched",
        "DispatchIdempotencyToken",
        "VaultToken",
        "ConsulToken",
    ];
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
    return typeof v === "object" && v !== null && !Array.isArray(v);
}

function sameValue(a: unknown, b: unknown): boolean {
    return canonicalJson(a) === canonicalJson(b);
}

function normalizeValue(value: unknown, kind: Kind): unknown {
    if (value === null || value === undefined || value === "") {
        return undefined;
    }
    if (Array.isArray(value)) {
        const items = value.map((v) => normalizeValue(v, kind)).filter((v) => v !== undefined);
        if (items.length === 0) {
            return undefined;
        }
        if (kind === "TaskGroup" || kind === "Task") {
            items.sort((a, b) => {
                const an = isPlainObject(a) ? String(a.Name ?? "") : "";
                const bn = isPlainObject(b) ? String(b.Name ?? "") : "";
                return an < bn ? -1 : an > bn ? 1 : 0;
            });
        }
        return items;
    }
    if (isPlainObject(value)) {
        const children = childKinds(kind);
        const defaults = defaultsOf(kind);
        const out: Record<string, unknown> = {};
        const dropped = kind === "Job" ? serverOnlyJobFields() : [];
        for (const key of Object.keys(value).sort()) {
            if (dropped.indexOf(key) >= 0) {
                continue;
            }
            const childKind: Kind = children[key] ?? "Any";
            const v = normalizeValue(value[key], childKind);
            if (v === undefined) {
                continue;
            }
            if (key in defaults && sameValue(v, defaults[key])) {
                continue;
            }
            out[key] = v;
        }
        if (kind === "Job" && out.Name !== undefined && out.Name === out.ID) {
            delete out.Name;
        }
        if (Object.keys(out).length === 0 && !keepsEmpty(kind)) {
            return undefined;
        }
        return out;
    }
    return value;
}

/** The job reduced to what matters for "did the spec change?". */
export function normalizeJob(job: unknown): unknown {
    return normalizeValue(job, "Job") ?? {};
}

/** JSON with object keys sorted at every level (arrays keep their order). */
export function canonicalJson(value: unknown): string {
    if (value === undefined) {
        return "null";
    }
    if (Array.isArray(value)) {
        return "[" + value.map((v) => canonicalJson(v)).join(",") + "]";
    }
    if (isPlainObject(value)) {
        const keys = Object.keys(value)
            .filter((k) => value[k] !== undefined)
            .sort();
        return "{" + keys.map((k) => JSON.stringify(k) + ":" + canonicalJson(value[k])).join(",") + "}";
    }
    return JSON.stringify(value);
}

/** Whether two job specs mean the same thing (see the rules above). */
export function jobsEquivalent(a: unknown, b: unknown): boolean {
    // The usual case, an unchanged job with its keys in the same order, without normalizing both
    // (a tenth of the time: this runs in check and in diff of every job on every preview).
    if (JSON.stringify(a) === JSON.stringify(b)) {
        return true;
    }
    return canonicalJson(normalizeJob(a)) === canonicalJson(normalizeJob(b));
}
