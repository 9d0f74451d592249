// What a job spec registers and exposes: its services, routes and scrape targets. Pure.
import { JobSpec, Route, ScrapeTarget, ServiceSpec } from "../vocabulary";

/** The spec's services, plus one for every routed or scraped port that has none. */
export function registrations(spec: JobSpec): ServiceSpec[] {
    const regs = [...(spec.services ?? [])];
    const needed = [...(spec.routes ?? []).map((r) => r.port), ...(spec.metrics ? [spec.metrics.port] : [])];
    for (const port of needed) {
        if (!regs.some((r) => r.port === port)) {
            regs.push({ name: `${spec.name}-${port}`, port });
        }
    }
    return regs;
}

/**
 * The spec's routes with their zone name and the service the proxy sends them to.
 * A route on an unknown port has no service; jobSpecProblems reports it, and it is left out here.
 */
export function resolveRoutes(spec: JobSpec, domain: string, defaultProxied: boolean, app: string): Route[] {
    const regs = registrations(spec);
    const ports = new Set((spec.ports ?? []).map((p) => p.label));
    return (spec.routes ?? [])
        .filter((r) => ports.has(r.port))
        .map((r) => ({
            app,
            hostname: r.hostname,
            fqdn: `${r.hostname}.${domain}`,
            visibility: r.visibility,
            service: regs.find((s) => s.port === r.port)!.name,
            proxied: r.visibility === "internal" ? false : (r.proxied ?? defaultProxied),
            dnsOnly: r.dnsOnly ?? false,
        }));
}

export function scrapeTargets(spec: JobSpec): ScrapeTarget[] {
    if (!spec.metrics || !(spec.ports ?? []).some((p) => p.label === spec.metrics!.port)) {
        return [];
    }
    const service = registrations(spec).find((s) => s.port === spec.metrics!.port)!.name;
    const token = spec.metrics.token;
    return [{ job: spec.name, service, path: spec.metrics.path ?? "/metrics", ...(token ? { token } : {}) }];
}
