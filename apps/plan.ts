// Plans the enabled apps without creating anything: their job specs, routes,
// backup paths and scrape targets, and every problem across them.
import { HydraConfig } from "../config";
import { registrations, resolveRoutes, scrapeTargets, serviceSpecProblems } from "../components/buildJob";
import { ResolvedRoute, ServiceSpec } from "../components/serviceSpec";
import { AppDefinition, EstateFacts } from "./app";
import { makeContext } from "./context";

export interface PlannedApp {
    app: AppDefinition;
    specs: ServiceSpec[];
}

export interface AppPlan {
    apps: PlannedApp[];
    routes: ResolvedRoute[];
    /** What the aggregating apps saw. */
    facts: EstateFacts;
    problems: string[];
}

/** Ports the proxies hold on each host network. */
const PROXY_PORTS = [
    { network: "public", port: 80 },
    { network: "public", port: 443 },
    { network: "tailscale", port: 80 },
    { network: "tailscale", port: 443 },
];

/** Host names the estate uses itself: the node, the admin sites, the extra records. */
export function reservedHostnames(cfg: HydraConfig): string[] {
    return [cfg.node.name, "nomad", ...(cfg.consul.enabled ? ["consul"] : []), ...cfg.cloudflare.records.map((r) => r.name)];
}

function facts(planned: PlannedApp[], extraBackupPaths: string[]): EstateFacts {
    const specs = planned.flatMap((p) => p.specs);
    return {
        backupPaths: [...new Set([...extraBackupPaths, ...specs.flatMap((s) => s.backupPaths ?? [])])].sort(),
        scrapeTargets: specs.flatMap((s) => scrapeTargets(s)),
    };
}

export function planApps(cfg: HydraConfig, apps: AppDefinition[]): AppPlan {
    const enabled = apps.filter((a) => cfg.apps[a.name]?.enabled ?? true);
    // Secrets are not needed to plan: placeholders stand in (and never reach a job).
    const placeholder = () => "planning-placeholder";
    const plan = (a: AppDefinition, estate: EstateFacts): PlannedApp => ({ app: a, specs: a.services(makeContext(cfg, a, estate, placeholder)) });

    // Backup paths and scrape targets never depend on what an app is told, so a first pass
    // over every app gathers them; the aggregating apps are then planned again, seeing all of it.
    const first = enabled.map((a) => plan(a, { backupPaths: [], scrapeTargets: [] }));
    const seen = facts(first, cfg.proxy.enabled ? [`${cfg.node.dataDir}/caddy`] : []);
    const planned = first.map((p) => (p.app.aggregates ? plan(p.app, seen) : p));

    const problems: string[] = [];
    const specs = planned.flatMap((p) => p.specs.map((s) => ({ app: p.app.name, spec: s })));
    for (const { app, spec } of specs) {
        problems.push(...serviceSpecProblems(spec).map((m) => `app ${app}: ${m}`));
    }

    const jobs = new Map<string, string>();
    if (cfg.proxy.enabled) {
        jobs.set("caddy", "the proxy");
    }
    for (const { app, spec } of specs) {
        if (jobs.has(spec.name)) {
            problems.push(`app ${app}: job ${JSON.stringify(spec.name)} is already declared by ${jobs.get(spec.name)}`);
        }
        jobs.set(spec.name, `app ${app}`);
    }

    const ports = new Map<string, string>(cfg.proxy.enabled ? PROXY_PORTS.map((p) => [`${p.network}:${p.port}`, "the proxy"]) : []);
    for (const { app, spec } of specs) {
        for (const p of spec.ports ?? []) {
            if (p.static === undefined) {
                continue;
            }
            const key = `${p.hostNetwork ?? "tailscale"}:${p.static}`;
            if (ports.has(key)) {
                problems.push(`app ${app}: static port ${p.static} on ${p.hostNetwork ?? "tailscale"} is already used by ${ports.get(key)}`);
            }
            ports.set(key, `app ${app}`);
        }
    }

    const services = new Set(specs.flatMap(({ spec }) => registrations(spec).map((r) => r.name)));
    for (const { app, spec } of specs) {
        for (const dep of spec.dependsOn ?? []) {
            if (!services.has(dep)) {
                problems.push(`app ${app}: job ${JSON.stringify(spec.name)} waits for service ${JSON.stringify(dep)}, which no enabled app declares`);
            }
        }
    }

    const routes = planned.flatMap((p) => p.specs.flatMap((s) => resolveRoutes(s, cfg.domain, cfg.cloudflare.proxied, p.app.name)));
    const hosts = new Map<string, string>(reservedHostnames(cfg).map((h) => [h, "the estate itself"]));
    for (const r of routes) {
        if (hosts.has(r.hostname)) {
            problems.push(`app ${r.app}: host name ${JSON.stringify(r.hostname)} is already used by ${hosts.get(r.hostname)}`);
        }
        hosts.set(r.hostname, `app ${r.app}`);
    }
    return { apps: planned, routes, facts: seen, problems };
}
