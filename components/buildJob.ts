// Turns one job spec into the Nomad job (JSON API form). Pure: tests call it directly.
// Specs are checked once, when the apps are planned (jobSpecProblems), not here.
import { Constraint, Job, minutes, Port, seconds, Service, Task, Template } from "../nomad";
import { ConstraintSpec, FileSpec, JobSpec, ServiceProvider, ServiceSpec, TaskSpec, variablePath } from "../vocabulary";
import { registrations } from "./registrations";
import { waitForServiceScript, waitForServiceTemplate } from "./waitForService";

export interface JobEnvironment {
    datacenter: string;
    namespace: string;
    region: string;
    /** "nomad" (native discovery, the default) or "consul". */
    serviceProvider: ServiceProvider;
}

/** Files that read secrets go to the in-memory secrets/ directory, others to local/. */
function fileDir(f: FileSpec): string {
    return f.content.includes("nomadVar") ? "secrets" : "local";
}

function fileTemplate(f: FileSpec): Template {
    return {
        EmbeddedTmpl: f.content,
        DestPath: `${fileDir(f)}/${f.name}`,
        ChangeMode: f.changeMode ?? "restart",
        ...(f.changeMode === "signal" ? { ChangeSignal: f.signal ?? "SIGHUP" } : {}),
        ...(f.changeMode === "script" && f.script
            ? { ChangeScript: { Command: f.script.command, Args: f.script.args ?? [], Timeout: seconds(f.script.timeoutSeconds ?? 20), FailOnError: false } }
            : {}),
        Perms: f.perms ?? "0644",
        ...(f.env ? { Envvars: true } : {}),
        // Delimiters no file of ours contains, so Nomad's template engine copies every byte.
        ...(f.literal ? LITERAL_DELIMITERS : {}),
    };
}

export const LITERAL_DELIMITERS = { LeftDelim: "[[hydra:", RightDelim: ":hydra]]" } as const;

/** An env file read from the job's variable: values JSON-quoted, which Nomad's env parser accepts. */
function secretEnvTemplate(job: string, env: Record<string, string>): Template {
    const lines = Object.entries(env).map(([name, key]) => `${name}={{ .${key}.Value | toJSON }}`);
    return {
        EmbeddedTmpl: `{{ with nomadVar "${variablePath(job)}" }}\n${lines.join("\n")}\n{{ end }}\n`,
        DestPath: "secrets/app.env",
        ChangeMode: "restart",
        Envvars: true,
        Perms: "0600",
    };
}

function buildTask(spec: JobSpec, t: TaskSpec): Task {
    const driver = t.driver ?? "docker";
    const templates = (t.files ?? []).map(fileTemplate);
    if (t.secretEnv && Object.keys(t.secretEnv).length) {
        templates.push(secretEnvTemplate(spec.name, t.secretEnv));
    }
    let config: Record<string, unknown>;
    if (driver === "docker") {
        const mounts = [
            ...(t.mounts ?? []).map((m) => ({ type: "bind", source: m.source, target: m.target, readonly: m.readOnly ?? false })),
            ...(t.files ?? []).filter((f) => f.mountAt).map((f) => ({ type: "bind", source: `${fileDir(f)}/${f.name}`, target: f.mountAt, readonly: true })),
        ];
        config = {
            image: t.image,
            ...(t.entrypoint ? { entrypoint: t.entrypoint } : {}),
            ...(t.command ? { command: t.command } : {}),
            ...(t.args ? { args: t.args } : {}),
            ports: t.ports ?? (spec.ports ?? []).map((p) => p.label),
            ...(mounts.length ? { mount: mounts } : {}),
            // Nomad's JSON form of the HCL block: a list of one map.
            ...(t.sysctls ? { sysctl: [t.sysctls] } : {}),
        };
    } else {
        config = { command: t.command, ...(t.args ? { args: t.args } : {}) };
    }
    const task: Task = {
        Name: t.name,
        Driver: driver,
        Config: config,
        Resources: {
            CPU: t.resources?.cpu ?? 100,
            MemoryMB: t.resources?.memoryMb ?? 128,
            ...(t.resources?.memoryMaxMb ? { MemoryMaxMB: t.resources.memoryMaxMb } : {}),
        },
    };
    if (t.user) {
        task.User = t.user;
    }
    if (t.env && Object.keys(t.env).length) {
        task.Env = t.env;
    }
    if (templates.length) {
        task.Templates = templates;
    }
    return task;
}

/** A prestart task that holds the group until `service` is registered (the app-before-its-database race). */
function waitTask(service: string, provider: ServiceProvider): Task {
    return {
        Name: `wait-for-${service}`,
        Driver: "raw_exec",
        Lifecycle: { Hook: "prestart", Sidecar: false },
        Config: { command: "/bin/sh", args: [`\${NOMAD_TASK_DIR}/wait-for-${service}.sh`] },
        Templates: [
            { EmbeddedTmpl: waitForServiceTemplate(service, provider), DestPath: `local/${service}.addr`, ChangeMode: "noop", Perms: "0644" },
            { EmbeddedTmpl: waitForServiceScript(service), DestPath: `local/wait-for-${service}.sh`, ChangeMode: "noop", Perms: "0755" },
        ],
        Resources: { CPU: 20, MemoryMB: 16 },
    };
}

/** The script of the own-data task: for each (path, owner) pair, make the path and hand it over. */
const OWN_DATA_SCRIPT = [
    // Only root can chown; a non-root agent (a local dev run) leaves the paths as they are.
    'if [ "$(id -u)" != 0 ]; then echo "not root: leaving data owners as they are"; exit 0; fi',
    'while [ "$#" -gt 1 ]; do mkdir -p "$1"; [ "$(stat -c %u:%g "$1")" = "$2" ] || chown -R "$2" "$1"; shift 2; done',
].join("\n");

/** A prestart task that gives the app's non-root user its host paths (Docker makes missing ones as root). */
function ownDataTask(owned: { source: string; owner: string }[]): Task {
    return {
        Name: "own-data",
        Driver: "raw_exec",
        Lifecycle: { Hook: "prestart", Sidecar: false },
        Config: { command: "/bin/sh", args: ["-c", OWN_DATA_SCRIPT, "own-data", ...owned.flatMap((m) => [m.source, m.owner])] },
        Resources: { CPU: 20, MemoryMB: 16 },
    };
}

/**
 * A prestart task that copies the secrets the job's data depends on next to the data
 * (root only), so the backup keeps them together. Lines are `<config key>=<JSON string>`.
 */
function keepSecretsTask(spec: JobSpec, keep: NonNullable<JobSpec["keepSecrets"]>): Task {
    const lines = keep.items.map((item) => `${spec.secrets?.[item]?.secret ?? item}={{ .${item}.Value | toJSON }}`);
    return {
        Name: "keep-secrets",
        Driver: "raw_exec",
        Lifecycle: { Hook: "prestart", Sidecar: false },
        Config: { command: "/bin/sh", args: ["-c", 'mkdir -p "$(dirname "$1")" && install -m 0600 "$0" "$1"', "${NOMAD_SECRETS_DIR}/kept.env", keep.file] },
        Templates: [
            {
                EmbeddedTmpl: `{{ with nomadVar "${variablePath(spec.name)}" }}\n${lines.join("\n")}\n{{ end }}\n`,
                DestPath: "secrets/kept.env",
                ChangeMode: "noop",
                Perms: "0600",
            },
        ],
        Resources: { CPU: 20, MemoryMB: 16 },
    };
}

function service(reg: ServiceSpec, provider: ServiceProvider): Service {
    const s: Service = { Name: reg.name, PortLabel: reg.port, Provider: provider };
    if (reg.tags?.length) {
        s.Tags = reg.tags;
    }
    if (reg.check) {
        s.Checks = [
            {
                Name: `${reg.name}-${reg.check.type}`,
                Type: reg.check.type,
                ...(reg.check.type === "http" ? { Path: reg.check.path ?? "/" } : {}),
                ...(reg.check.headers && Object.keys(reg.check.headers).length
                    ? { Header: Object.fromEntries(Object.entries(reg.check.headers).map(([k, v]) => [k, [v]])) }
                    : {}),
                Interval: seconds(reg.check.intervalSeconds ?? 10),
                Timeout: seconds(reg.check.timeoutSeconds ?? 3),
            },
        ];
    }
    return s;
}

function constraint(c: ConstraintSpec): Constraint {
    return { ...(c.attribute ? { LTarget: c.attribute } : {}), ...(c.value !== undefined ? { RTarget: c.value } : {}), Operand: c.operator };
}

/** The Nomad job for a spec. Secrets appear only as template references, never as values. */
export function buildJob(spec: JobSpec, env: JobEnvironment): Job {
    const type = spec.type ?? "service";
    const ports = spec.ports ?? [];
    const asPort = (p: (typeof ports)[number]): Port => ({
        Label: p.label,
        ...(p.static !== undefined ? { Value: p.static } : {}),
        ...(p.to !== undefined ? { To: p.to } : {}),
        HostNetwork: p.hostNetwork ?? "tailscale",
    });
    const reserved = ports.filter((p) => p.static !== undefined).map(asPort);
    const dynamic = ports.filter((p) => p.static === undefined).map(asPort);
    const restart = spec.restart ?? { attempts: 2, intervalSeconds: 120, delaySeconds: 30, mode: "fail" as const };
    const regs = registrations(spec);
    const owned = spec.tasks.flatMap((t) => (t.mounts ?? []).flatMap((m) => (m.owner ? [{ source: m.source, owner: m.owner }] : [])));

    const job: Job = {
        ID: spec.name,
        Name: spec.name,
        Type: type,
        Namespace: env.namespace,
        Region: env.region,
        Datacenters: [env.datacenter],
        // Visible to operators and to the policy pack: what this job keeps under /data.
        Meta: { "managed-by": "hydra", ...(spec.backupPaths?.length ? { "hydra.backup-paths": [...spec.backupPaths].sort().join(",") } : {}) },
        TaskGroups: [
            {
                Name: spec.group ?? "app",
                Count: spec.count ?? 1,
                ...(spec.constraints?.length ? { Constraints: spec.constraints.map(constraint) } : {}),
                ...(ports.length
                    ? {
                          Networks: [
                              { Mode: "host", ...(reserved.length ? { ReservedPorts: reserved } : {}), ...(dynamic.length ? { DynamicPorts: dynamic } : {}) },
                          ],
                      }
                    : {}),
                ...(regs.length ? { Services: regs.map((r) => service(r, env.serviceProvider)) } : {}),
                RestartPolicy: {
                    Attempts: restart.attempts,
                    Interval: seconds(restart.intervalSeconds),
                    Delay: seconds(restart.delaySeconds),
                    Mode: restart.mode ?? "fail",
                },
                // A dispatched run reports to whoever dispatched it: never run it again elsewhere.
                ...(spec.dispatch ? { ReschedulePolicy: { Attempts: 0, Unlimited: false } } : {}),
                Tasks: [
                    ...(owned.length ? [ownDataTask(owned)] : []),
                    ...(spec.keepSecrets ? [keepSecretsTask(spec, spec.keepSecrets)] : []),
                    ...(spec.dependsOn ?? []).map((s) => waitTask(s, env.serviceProvider)),
                    ...spec.tasks.map((t) => buildTask(spec, t)),
                ],
            },
        ],
    };
    if (type === "service") {
        // Health-checked rolling updates that roll back on their own.
        job.Update = {
            MaxParallel: 1,
            HealthCheck: "checks",
            MinHealthyTime: seconds(10),
            HealthyDeadline: minutes(5),
            ProgressDeadline: minutes(10),
            AutoRevert: true,
        };
    }
    if (spec.periodic) {
        job.Periodic = {
            Enabled: true,
            Spec: spec.periodic.cron,
            SpecType: "cron",
            ProhibitOverlap: spec.periodic.prohibitOverlap ?? true,
            ...(spec.periodic.timeZone ? { TimeZone: spec.periodic.timeZone } : {}),
        };
    }
    if (spec.dispatch) {
        job.ParameterizedJob = { Payload: "forbidden", MetaRequired: spec.dispatch.metaRequired, MetaOptional: spec.dispatch.metaOptional ?? [] };
    }
    return job;
}
