// Advisory: things worth fixing that do not endanger the estate by themselves.
import { describe, field, isRecord, isUnknown, list, ResourceView, str } from "./common";
import { groupsOf, jobLabel, jobSource, tasksOf } from "./jobs";

/** A droplet without DigitalOcean's monitoring agent: no CPU, disk or memory graphs or alerts. */
export function dropletMonitoringViolations(r: ResourceView): string[] {
    const m = r.props.monitoring;
    if (m === true || isUnknown(m)) {
        return [];
    }
    const name = str(r.props.name);
    return [
        `${describe(r)}${name ? ` (${name})` : ""} has monitoring ${m === false ? "off" : "unset (off)"}; set monitoring: true for DigitalOcean's metrics and alerts`,
    ];
}

/** Services (group or task level) without a health check: Nomad deploys and keeps them blind. */
export function healthCheckViolations(r: ResourceView): string[] {
    const job = jobSource(r.props).job;
    if (!job) {
        return [];
    }
    const out: string[] = [];
    const at = jobLabel(r, job);
    const check = (services: unknown, where: string) => {
        for (const s of list(services).filter(isRecord)) {
            const checks = field(s, "Checks");
            if (isUnknown(checks) || list(checks).length) {
                continue;
            }
            out.push(
                `${at} ${where} service "${str(field(s, "Name")) ?? "?"}" has no health check; add one so deployments and restarts notice when it is down`,
            );
        }
    };
    for (const g of groupsOf(job)) {
        check(field(g, "Services"), `group "${str(field(g, "Name")) ?? "?"}"`);
    }
    for (const t of tasksOf(job)) {
        check(field(t.task, "Services"), t.label);
    }
    return out;
}

function positive(v: unknown): boolean {
    return typeof v === "number" && v > 0;
}

/** Tasks that leave CPU or memory to Nomad's defaults (100 MHz, 300 MB). */
export function resourceLimitViolations(r: ResourceView): string[] {
    const job = jobSource(r.props).job;
    if (!job) {
        return [];
    }
    const out: string[] = [];
    for (const t of tasksOf(job)) {
        const res = field(t.task, "Resources");
        if (isUnknown(res)) {
            continue;
        }
        const missing: string[] = [];
        const cpu = field(res, "CPU");
        const cores = field(res, "Cores");
        const mem = field(res, "MemoryMB");
        if (!positive(cpu) && !positive(cores) && !isUnknown(cpu)) {
            missing.push("Resources.CPU");
        }
        if (!positive(mem) && !isUnknown(mem)) {
            missing.push("Resources.MemoryMB");
        }
        if (missing.length) {
            out.push(`${jobLabel(r, job)} ${t.label} sets no ${missing.join(" or ")}; Nomad's defaults (100 MHz, 300 MB) rarely fit`);
        }
    }
    return out;
}
