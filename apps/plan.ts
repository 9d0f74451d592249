// Plans the enabled apps without creating anything: each app's jobs (computed
// exactly once), the routes, backup paths and scrape targets, and every problem across them.
import { HydraConfig, isMultiNode } from "../config";
import { jobSpecProblems } from "../components/jobSpecProblems";
import { registrations, resolveRoutes, scrapeTargets } from "../components/registrations";
import { AdminRoute, JobSpec, Route } from "../vocabulary";
import { AppDefinition, EstateFacts } from "./app";
import { AppDeclarationError, makeContext } from "./context";
import { appNode, placeJob, placementProblems } from "./placement";

export interface PlannedApp {
    app: AppDefinition;
    jobs: JobSpec[];
    routes: Route[];
}

export interface AppPlan {
    /** In the order of APPS. */
    apps: PlannedApp[];
    routes: Route[];
    /** Admin sites on the internal proxy (with the proxy on). */
    adminRoutes: AdminRoute[];
    problems: string[];
}

/** Ports the proxies hold on each host network. */
const PROXY_PORTS = [
    { network: "public", port: 80 },
    { network: "public", port: 443 },
    { network: "tailscale", port: 80 },
    { network: "tailscale", port: 443 },
];

/**
 * Admin sites on the internal proxy: the Nomad UI, and Consul's when it runs. With nomad.tls the
 * Nomad UI is not proxied (Nomad asks every client for a certificate): open it at the agent's
 * https address with the CLI certificate in the browser.
 */
export function adminRoutes(cfg: HydraConfig): AdminRoute[] {
    const site = (hostname: string, port: number): AdminRoute => ({ hostname, fqdn: `${hostname}.${cfg.domain}`, port });
    return [...(cfg.nomad.tls ? [] : [site("nomad", 4646)]), ...(cfg.consul.enabled ? [site("consul", 8500)] : [])];
}

/** Host names the estate uses itself: the node, the admin sites, the extra records. */
export function reservedHostnames(cfg: HydraConfig): string[] {
    return [cfg.node.name, ...adminRoutes(cfg).map((a) => a.hostname), ...cfg.cloudflare.records.map((r) => r.name)];
}

/** Apps that gather from the others come after them; otherwise the order of `apps`. */
function planningOrder(apps: AppDefinition[]): AppDefinition[] {
    return [...apps.filter((a) => !a.aggregates), ...apps.filter((a) => a.aggregates)];
}

export function planApps(cfg: HydraConfig, apps: AppDefinition[]): AppPlan {
    const enabled = apps.filter((a) => cfg.apps[a.name]?.enabled ?? true);
    const problems: string[] = [];
    const facts: EstateFacts = {
        backupPaths: cfg.proxy.enabled ? [`${cfg.node.dataDir}/caddy`] : [],
        backupDumps: [],
        scrapeTargets: [],
        serviceJobs: [],
        apps: [],
        ...(isMultiNode(cfg.cluster) ? { backupNodes: cfg.proxy.enabled ? { [`${cfg.node.dataDir}/caddy`]: cfg.node.name } : {} } : {}),
    };
    const planned = new Map<string, PlannedApp>();
    for (const app of planningOrder(enabled)) {
        // Each app sees a snapshot of what the apps before it declared.
        const seen: EstateFacts = {
            backupPaths: [...new Set(facts.backupPaths)].sort(),
            backupDumps: [...facts.backupDumps],
            scrapeTargets: [...facts.scrapeTargets],
            serviceJobs: [...facts.serviceJobs],
            apps: [...facts.apps],
            ...(facts.backupNodes ? { backupNodes: { ...facts.backupNodes } } : {}),
        };
        let jobs: JobSpec[];
        try {
            jobs = app.jobs(makeContext(cfg, app, seen));
        } catch (e) {
            if (!(e instanceof AppDeclarationError)) {
                throw e;
            }
            problems.push(e.message);
            continue;
        }
        for (const job of jobs) {
            problems.push(...jobSpecProblems(job).map((m) => `app ${app.name}: ${m}`));
        }
        problems.push(...placementProblems(cfg, app, jobs));
        jobs = jobs.map((job) => placeJob(cfg, app, job));
        const node = appNode(cfg, app.name);
        if (facts.backupNodes && node) {
            for (const file of jobs.flatMap((j) => [...(j.backupPaths ?? []), ...(j.backupDumps ?? []).map((d) => d.file)])) {
                facts.backupNodes[file] = node.name;
            }
        }
        facts.backupPaths.push(...jobs.flatMap((j) => j.backupPaths ?? []));
        facts.backupDumps.push(...jobs.flatMap((j) => (j.backupDumps ?? []).map((d) => ({ ...d, job: j.name }))));
        facts.scrapeTargets.push(...jobs.flatMap((j) => scrapeTargets(j)));
        facts.serviceJobs.push(...jobs.filter((j) => (j.type ?? "service") === "service").map((j) => j.name));
        facts.apps.push({ name: app.name, jobs: jobs.map((j) => j.name), scrapeJobs: jobs.flatMap((j) => scrapeTargets(j)).map((t) => t.job) });
        planned.set(app.name, { app, jobs, routes: [] });
    }
    const ordered = enabled.flatMap((a) => planned.get(a.name) ?? []);
    const specs = ordered.flatMap((p) => p.jobs.map((spec) => ({ app: p.app.name, spec })));

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

    for (const p of ordered) {
        p.routes = p.jobs.flatMap((spec) => resolveRoutes(spec, cfg.domain, cfg.cloudflare.proxied, p.app.name));
    }
    const routes = ordered.flatMap((p) => p.routes);
    const hosts = new Map<string, string>(reservedHostnames(cfg).map((h) => [h, "the estate itself"]));
    for (const r of routes) {
        if (hosts.has(r.hostname)) {
            problems.push(`app ${r.app}: host name ${JSON.stringify(r.hostname)} is already used by ${hosts.get(r.hostname)}`);
        }
        hosts.set(r.hostname, `app ${r.app}`);
    }
    const publicRoutes = routes.filter((r) => r.visibility === "public");
    if (isMultiNode(cfg.cluster) && publicRoutes.length && !cfg.cluster.nodes.some((n) => n.public)) {
        const names = publicRoutes.map((r) => r.fqdn).join(", ");
        problems.push(`the estate has public routes (${names}) and no public node to serve them: set nodes.<name>.public true on one`);
    }
    return { apps: ordered, routes, adminRoutes: cfg.proxy.enabled && routes.length ? adminRoutes(cfg) : [], problems };
}
