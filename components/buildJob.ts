// Turns one ServiceSpec into the Nomad job (JSON API form). Pure: tests call it directly.
import { Job, minutes, Port, seconds, Service, Task, Template } from "../nomad";
import { FileSpec, ResolvedRoute, ScrapeTarget, ServiceRegistration, ServiceSpec, TaskSpec } from "./serviceSpec";
import { waitForServiceScript, waitForServiceTemplate } from "./waitForService";

export interface JobEnvironment {
    datacenter: string;
    namespace: string;
    region: string;
    /** "nomad" (native discovery, the default) or "consul". */
    serviceProvider: "nomad" | "consul";
}

/** The Nomad Variable a job's tasks may read without any ACL policy. */
export function variablePath(job: string): string {
    return `nomad/jobs/${job}`;
}

const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A template expression that reads one of the job's secrets at render time (never its value). */
export function secretRef(job: string, key: string): string {
    if (!SECRET_NAME.test(key)) {
        throw new Error(`secret name ${JSON.stringify(key)} must be a template identifier`);
    }
    return `{{ with nomadVar "${variablePath(job)}" }}{{ .${key}.Value }}{{ end }}`;
}

/** The docker image's tag or digest, or undefined when it has neither. */
export function imageVersion(image: string): string | undefined {
    const [name, digest] = image.split("@");
    if (digest) {
        return digest;
    }
    const slash = name.lastIndexOf("/");
    const colon = name.lastIndexOf(":");
    return colon > slash ? name.slice(colon + 1) : undefined;
}

/** Problems with an image reference: untagged or `latest` images are refused. */
export function imageProblem(image: string | undefined): string | undefined {
    if (!image) {
        return "has no image";
    }
    if (/\s/.test(image)) {
        return `image ${JSON.stringify(image)} contains whitespace`;
    }
    const version = imageVersion(image);
    if (!version) {
        return `image ${JSON.stringify(image)} has no version tag: pin one, e.g. ${JSON.stringify(image + ":1.2.3")}`;
    }
    if (version === "latest") {
        return `image ${JSON.stringify(image)} uses "latest": pin a version tag or digest`;
    }
    if (image.includes("@") && !/^sha256:[a-f0-9]{64}$/.test(version)) {
        return `image ${JSON.stringify(image)} has a malformed digest`;
    }
    return undefined;
}

/** Every problem with a spec, each naming the job (and task), so all are reported together. */
export function serviceSpecProblems(spec: ServiceSpec): string[] {
    const out: string[] = [];
    const at = `job ${JSON.stringify(spec.name)}`;
    if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(spec.name)) {
        out.push(`${at}: name must be lower-case letters, digits and "-"`);
    }
    if (spec.tasks.length === 0) {
        out.push(`${at}: has no task`);
    }
    const labels = new Set((spec.ports ?? []).map((p) => p.label));
    if (labels.size !== (spec.ports ?? []).length) {
        out.push(`${at}: port labels must be unique`);
    }
    for (const t of spec.tasks) {
        const driver = t.driver ?? "docker";
        if (driver === "docker") {
            const problem = imageProblem(t.image);
            if (problem) {
                out.push(`${at}: task ${JSON.stringify(t.name)} ${problem}`);
            }
            for (const f of t.files ?? []) {
                if (f.changeMode === "script" && !f.script) {
                    out.push(`${at}: file ${JSON.stringify(f.name)} has change mode "script" but no script`);
                }
            }
        } else if (!t.command) {
            out.push(`${at}: task ${JSON.stringify(t.name)} uses raw_exec and needs a command`);
        }
        for (const label of t.ports ?? []) {
            if (!labels.has(label)) {
                out.push(`${at}: task ${JSON.stringify(t.name)} publishes unknown port ${JSON.stringify(label)}`);
            }
        }
        for (const secret of Object.values(t.secretEnv ?? {})) {
            if (!spec.secrets || !(secret in spec.secrets)) {
                out.push(`${at}: task ${JSON.stringify(t.name)} reads undeclared secret ${JSON.stringify(secret)}`);
            }
        }
    }
    for (const key of Object.keys(spec.secrets ?? {})) {
        if (!SECRET_NAME.test(key)) {
            out.push(`${at}: secret name ${JSON.stringify(key)} must be a template identifier`);
        }
    }
    for (const s of spec.services ?? []) {
        if (!labels.has(s.port)) {
            out.push(`${at}: service ${JSON.stringify(s.name)} uses unknown port ${JSON.stringify(s.port)}`);
        }
    }
    for (const r of spec.routes ?? []) {
        if (!labels.has(r.port)) {
            out.push(`${at}: route ${JSON.stringify(r.hostname)} uses unknown port ${JSON.stringify(r.port)}`);
        }
        const port = spec.ports?.find((p) => p.label === r.port);
        if (r.visibility === "internal" && port && (port.hostNetwork ?? "tailscale") !== "tailscale") {
            out.push(`${at}: internal route ${JSON.stringify(r.hostname)} uses port ${JSON.stringify(r.port)} on the public network`);
        }
    }
    if (spec.metrics && !labels.has(spec.metrics.port)) {
        out.push(`${at}: metrics use unknown port ${JSON.stringify(spec.metrics.port)}`);
    }
    if (spec.periodic && spec.type !== "batch") {
        out.push(`${at}: a periodic job must be of type "batch"`);
    }
    for (const p of spec.backupPaths ?? []) {
        if (!p.startsWith("/")) {
            out.push(`${at}: backup path ${JSON.stringify(p)} is not absolute`);
        }
    }
    return out;
}

/** The service registrations of a spec, plus one for every routed or scraped port that has none. */
export function registrations(spec: ServiceSpec): ServiceRegistration[] {
    const regs = [...(spec.services ?? [])];
    const needed = [...(spec.routes ?? []).map((r) => r.port), ...(spec.metrics ? [spec.metrics.port] : [])];
    for (const port of needed) {
        if (!regs.some((r) => r.port === port)) {
            regs.push({ name: `${spec.name}-${port}`, port });
        }
    }
    return regs;
}

/** The spec's routes with their zone name and the service the proxy sends them to. */
export function resolveRoutes(spec: ServiceSpec, domain: string, defaultProxied: boolean, app = spec.name): ResolvedRoute[] {
    const regs = registrations(spec);
    return (spec.routes ?? []).map((r) => ({
        app,
        hostname: r.hostname,
        fqdn: `${r.hostname}.${domain}`,
        visibility: r.visibility,
        service: regs.find((s) => s.port === r.port)!.name,
        proxied: r.visibility === "internal" ? false : (r.proxied ?? defaultProxied),
        dnsOnly: r.dnsOnly ?? false,
    }));
}

export function scrapeTargets(spec: ServiceSpec): ScrapeTarget[] {
    if (!spec.metrics) {
        return [];
    }
    const service = registrations(spec).find((s) => s.port === spec.metrics!.port)!.name;
    return [{ job: spec.name, service, path: spec.metrics.path ?? "/metrics" }];
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
    };
}

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

function buildTask(spec: ServiceSpec, t: TaskSpec): Task {
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
            ...(t.command ? { command: t.command } : {}),
            ...(t.args ? { args: t.args } : {}),
            ports: t.ports ?? (spec.ports ?? []).map((p) => p.label),
            ...(mounts.length ? { mount: mounts } : {}),
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
function waitTask(service: string, provider: "nomad" | "consul"): Task {
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

function service(reg: ServiceRegistration, provider: "nomad" | "consul"): Service {
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
                Interval: seconds(reg.check.intervalSeconds ?? 10),
                Timeout: seconds(reg.check.timeoutSeconds ?? 3),
            },
        ];
    }
    return s;
}

/** The Nomad job for a spec. Secrets appear only as template references, never as values. */
export function buildJob(spec: ServiceSpec, env: JobEnvironment): Job {
    const problems = serviceSpecProblems(spec);
    if (problems.length) {
        throw new Error(problems.join("\n"));
    }
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
                Count: 1,
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
                Tasks: [...(spec.dependsOn ?? []).map((s) => waitTask(s, env.serviceProvider)), ...spec.tasks.map((t) => buildTask(spec, t))],
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
    return job;
}
