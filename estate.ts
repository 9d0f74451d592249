// The estate's wiring: config → node → apps → proxies → DNS, all from one set of declarations.
import * as pulumi from "@pulumi/pulumi";
import { APPS, AppDefinition } from "./apps";
import { planApps } from "./apps/plan";
import { HydraConfig } from "./config";
import { JobEnvironment } from "./components/buildJob";
import { AdminRoute } from "./components/caddyfile";
import { CaddyProxy } from "./components/CaddyProxy";
import { HydraApp } from "./components/HydraApp";
import { HydraDns } from "./components/HydraDns";
import { HydraNode } from "./components/HydraNode";
import { existingNode, NodeEndpoints } from "./components/nodeEndpoints";
import { NomadConnection } from "./components/NomadService";
import { ResolvedRoute } from "./components/serviceSpec";

export interface Estate {
    node: NodeEndpoints;
    /** Undefined when the stack manages no DNS (cloudflare.enabled false). */
    dns?: HydraDns;
    apps: HydraApp[];
    proxy?: CaddyProxy;
    routes: ResolvedRoute[];
    outputs: Record<string, pulumi.Input<unknown>>;
}

/** Thrown before any resource exists when the apps, taken together, do not fit. */
export class EstateError extends pulumi.RunError {
    constructor(readonly problems: string[]) {
        super(`The estate's apps have ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    }
}

/** Admin sites on the internal proxy: the Nomad UI, and Consul's when it runs. */
export function adminRoutes(cfg: HydraConfig): AdminRoute[] {
    return [{ fqdn: `nomad.${cfg.domain}`, port: 4646 }, ...(cfg.consul.enabled ? [{ fqdn: `consul.${cfg.domain}`, port: 8500 }] : [])];
}

export function buildEstate(cfg: HydraConfig, apps: AppDefinition[] = APPS): Estate {
    // Every app is planned (pure) and checked before the first resource is registered.
    const plan = planApps(cfg, apps);
    if (plan.problems.length) {
        throw new EstateError(plan.problems);
    }

    const node: NodeEndpoints =
        cfg.target === "digitalocean"
            ? new HydraNode(cfg.node.name, {
                  domain: cfg.domain,
                  node: cfg.node,
                  tailscale: cfg.tailscale,
                  firewall: cfg.firewall,
                  nomad: cfg.nomad,
                  consul: cfg.consul,
                  // Web traffic only from Cloudflare when every public route goes through it.
                  webBehindCloudflare: cfg.cloudflare.enabled && plan.routes.every((r) => r.visibility === "internal" || r.proxied),
              })
            : existingNode(cfg);

    const environment: JobEnvironment = {
        datacenter: cfg.nomad.datacenter,
        namespace: cfg.nomad.namespace,
        region: cfg.nomad.region,
        serviceProvider: cfg.consul.enabled ? "consul" : "nomad",
    };
    const connection: NomadConnection = { address: cfg.nomad.address, token: cfg.nomad.token };
    const dependsOn = node instanceof HydraNode ? [node] : [];

    const hydraApps = plan.apps.map(
        (p) => new HydraApp(p.app.name, { definition: p.app, config: cfg, estate: plan.facts, environment, connection }, { dependsOn }),
    );
    const routes = hydraApps.flatMap((a) => a.routes);

    const proxy =
        cfg.proxy.enabled && routes.length
            ? new CaddyProxy(
                  "proxy",
                  {
                      routes,
                      domain: cfg.domain,
                      image: cfg.proxy.image,
                      cloudflareToken: cfg.proxy.cloudflareToken!,
                      acmeEmail: cfg.proxy.acmeEmail,
                      adminRoutes: adminRoutes(cfg),
                      environment,
                      connection,
                      dataDir: cfg.node.dataDir,
                  },
                  { dependsOn },
              )
            : undefined;

    const dns = cfg.cloudflare.enabled
        ? new HydraDns("dns", {
              domain: cfg.domain,
              manageZone: cfg.cloudflare.manageZone,
              accountId: cfg.cloudflare.accountId,
              node: { name: cfg.node.name, address: node.nodeAddress },
              publicAddress: node.publicIpv4,
              tailnetAddress: cfg.tailscale.address,
              records: cfg.cloudflare.records,
          })
        : undefined;
    if (dns) {
        for (const r of routes) {
            dns.record(r.hostname, { visibility: r.visibility, proxied: r.proxied });
        }
        if (proxy) {
            for (const a of adminRoutes(cfg)) {
                dns.record(a.fqdn.slice(0, -cfg.domain.length - 1), { visibility: "internal" });
            }
        }
    }

    const urls: Record<string, string[]> = {};
    for (const r of routes) {
        (urls[r.app] ??= []).push(r.dnsOnly ? r.fqdn : `https://${r.fqdn}/`);
    }
    if (proxy) {
        urls.nomad = adminRoutes(cfg).map((a) => `https://${a.fqdn}/`);
    }
    const backupOn = plan.apps.some((p) => p.app.name === "backup");

    return {
        node,
        dns,
        apps: hydraApps,
        proxy,
        routes,
        outputs: {
            target: cfg.target,
            publicIpv4: node.publicIpv4,
            publicIpv6: node.publicIpv6,
            reservedIp: cfg.target === "digitalocean" ? node.nodeAddress : undefined,
            tailnetHostname: node.tailnetHostname,
            tailnetAddress: node.tailnetAddress,
            nomadAddress: node.nomadAddress,
            zoneId: dns?.zoneId,
            urls,
            backupRepository: backupOn ? cfg.secrets.resticRepository : undefined,
            // The one secret a person must keep: without it no backup can be restored.
            resticPassword: backupOn ? cfg.secrets.resticPassword : undefined,
        },
    };
}

/** Warns about what could not be made yet, once everything has been declared. */
export function reportPending(estate: Estate): void {
    const skipped = estate.dns?.skippedInternal ?? [];
    if (skipped.length) {
        pulumi.log.warn(
            `internal DNS records not created yet (${skipped.join(", ")}): the node's tailnet address is unknown. ` +
                "After the first deploy run `tailscale ip -4` on the node, then " +
                "`pulumi config set --path tailscale.address <ip>` and `pulumi up` again.",
        );
    }
}
