// The estate's wiring: config → node → apps → proxies → DNS, all from one set of declarations.
import * as pulumi from "@pulumi/pulumi";
import { APPS, AppDefinition } from "./apps";
import { AppPlan, planApps } from "./apps/plan";
import { HydraConfig, isMultiNode, Secret, Target } from "./config";
import { NomadConnection } from "./components/AppJob";
import { NomadAccess } from "./components/NomadAccess";
import { JobEnvironment } from "./components/buildJob";
import { CaddyProxy, CaddyProxyArgs, caddySpecs } from "./components/CaddyProxy";
import { dataFolders } from "./components/dataFolders";
import { HydraApp } from "./components/HydraApp";
import { HydraCluster } from "./components/HydraCluster";
import { HydraDns, RouteRecord, recordKeys } from "./components/HydraDns";
import { HydraNode } from "./components/HydraNode";
import { existingNode, NodeEndpoints } from "./components/nodeEndpoints";
import { NomadJob } from "./nomad";
import { AppOutputName, JobSpec, Route } from "./vocabulary";

/** The stack outputs, each exported by index.ts. */
export interface EstateOutputs extends Partial<Record<AppOutputName, Secret>> {
    target: Target;
    publicIpv4: pulumi.Output<string>;
    /** The droplet's IPv6 (target digitalocean with node.ipv6 only). */
    publicIpv6?: pulumi.Output<string | undefined>;
    /** The droplet's reserved IP (target digitalocean only). */
    reservedIp?: pulumi.Output<string>;
    tailnetHostname: pulumi.Output<string>;
    /** With tailscale.address set (after the first deploy on a droplet). */
    tailnetAddress?: pulumi.Output<string | undefined>;
    nomadAddress: pulumi.Output<string>;
    /** With nomad.acl: the read-only operator's Nomad token (a secret). */
    nomadOperatorToken?: pulumi.Output<string>;
    /** Undefined when the stack manages no DNS. */
    zoneId?: pulumi.Output<string>;
    /** Every URL, by app. */
    urls: Record<string, string[]>;
    /** With hydra:nodes, secret: by node, the script that joins it to the cluster. */
    joinScripts?: pulumi.Output<Record<string, string>>;
}

export interface Estate {
    node: NodeEndpoints;
    /** With hydra:nodes: every node of the cluster. */
    cluster?: HydraCluster;
    /** Undefined when the stack manages no DNS (cloudflare.enabled false). */
    dns?: HydraDns;
    apps: HydraApp[];
    /** With nomad.acl: the namespace, policies and operator token. */
    access?: NomadAccess;
    proxy?: CaddyProxy;
    routes: Route[];
    outputs: EstateOutputs;
}

/** Thrown before any resource exists when the apps, taken together, do not fit. */
export class EstateError extends pulumi.RunError {
    constructor(readonly problems: string[]) {
        super(`The estate's apps have ${problems.length} problem${problems.length === 1 ? "" : "s"}:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "EstateError";
    }
}

function urls(plan: AppPlan): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const r of plan.routes) {
        (out[r.app] ??= []).push(r.dnsOnly ? r.fqdn : `https://${r.fqdn}/`);
    }
    if (plan.adminRoutes.length) {
        out.nomad = plan.adminRoutes.map((a) => `https://${a.fqdn}/`);
    }
    return out;
}

/** The outputs apps declare, each one of their (required, so configured) secrets. */
function appOutputs(plan: AppPlan, cfg: HydraConfig): Partial<Record<AppOutputName, Secret>> {
    const out: Partial<Record<AppOutputName, Secret>> = {};
    for (const { app } of plan.apps) {
        for (const [name, ref] of Object.entries(app.outputs ?? {}) as [AppOutputName, { secret: string }][]) {
            out[name] = cfg.secrets[ref.secret];
        }
    }
    return out;
}

/**
 * How the estate's Nomad resources reach Nomad: its config only (no NOMAD_* variable of the shell
 * that runs `pulumi up`), with mTLS when nomad.tls is on.
 */
export function nomadConnection(cfg: HydraConfig): NomadConnection {
    const tls = cfg.nomad.tls;
    return {
        address: cfg.nomad.address,
        token: cfg.nomad.token,
        tls: tls ? { caCert: tls.caCert, clientCert: tls.clientCert, clientKey: tls.clientKey, serverName: tls.serverName } : undefined,
        ignoreEnv: true,
    };
}

export function buildEstate(cfg: HydraConfig, apps: AppDefinition[] = APPS): Estate {
    // Every app is planned (pure, once) and checked before the first resource is registered.
    const plan = planApps(cfg, apps);
    if (plan.problems.length) {
        throw new EstateError(plan.problems);
    }

    const environment: JobEnvironment = {
        datacenter: cfg.nomad.datacenter,
        namespace: cfg.nomad.namespace,
        region: cfg.nomad.region,
        serviceProvider: cfg.consul.enabled ? "consul" : "nomad",
    };
    const connection: NomadConnection = { ...nomadConnection(cfg), adopt: cfg.nomad.adopt, overwriteAdoptedVariables: cfg.nomad.overwriteAdoptedVariables };
    const proxyArgs: CaddyProxyArgs | undefined =
        cfg.proxy.enabled && plan.routes.length
            ? {
                  routes: plan.routes,
                  domain: cfg.domain,
                  image: cfg.proxy.image,
                  tls: cfg.proxy.tls,
                  cloudflareToken: cfg.proxy.cloudflareToken,
                  waitForHealthy: cfg.nomad.waitForHealthy,
                  acmeEmail: cfg.proxy.acmeEmail,
                  adminRoutes: plan.adminRoutes,
                  environment,
                  connection,
                  dataDir: cfg.node.dataDir,
                  ...(isMultiNode(cfg.cluster)
                      ? { placement: { publicNodes: cfg.cluster.nodes.filter((n) => n.public).map((n) => n.name), primary: cfg.node.name } }
                      : {}),
              }
            : undefined;
    const dnsRoutes: RouteRecord[] = [
        ...plan.routes.map((r) => ({ hostname: r.hostname, visibility: r.visibility, proxied: r.proxied })),
        ...(proxyArgs ? plan.adminRoutes.map((a) => ({ hostname: a.hostname, visibility: "internal" as const })) : []),
    ];
    if (cfg.cloudflare.enabled) {
        // An import id for a record the estate does not declare would be silently ignored: refuse it first.
        const keys = recordKeys(cfg.node.name, cfg.cloudflare.records, dnsRoutes, cfg.tailscale.address);
        const stray = Object.keys(cfg.cloudflare.imports).filter((k) => k !== "zone" && !keys.includes(k));
        if (stray.length) {
            throw new EstateError(stray.map((k) => `hydra:cloudflare.imports.${k}: the estate declares no such record (it declares ${keys.join(", ")})`));
        }
    }
    // Every job the node will run: its data folders are made at first boot.
    const jobs: JobSpec[] = [...plan.apps.flatMap((p) => p.jobs), ...(proxyArgs ? caddySpecs(proxyArgs) : [])];

    const nodeArgs = {
        domain: cfg.domain,
        node: cfg.node,
        tailscale: cfg.tailscale,
        firewall: cfg.firewall,
        nomad: cfg.nomad,
        consul: cfg.consul,
        // Web traffic only from Cloudflare when every public route goes through it.
        webBehindCloudflare: cfg.cloudflare.enabled && plan.routes.every((r) => r.visibility === "internal" || r.proxied),
        dataFolders: dataFolders(jobs, cfg.node.dataDir),
        memoryOversubscription: jobs.some((j) => j.tasks.some((t) => t.resources?.memoryMaxMb !== undefined)),
    };
    cfg.cluster.warnings.forEach((w) => pulumi.log.warn(w));
    const cluster = cfg.cluster.nodes.length ? new HydraCluster("cluster", { ...nodeArgs, target: cfg.target, cluster: cfg.cluster }) : undefined;
    const node: NodeEndpoints = cluster ? cluster.primary : cfg.target === "digitalocean" ? new HydraNode(cfg.node.name, nodeArgs) : existingNode(cfg);
    const nodeResources = cluster ? [cluster] : node instanceof HydraNode ? [node] : [];
    // With ACLs, the namespace, policies and operator token (written with the management token nomadToken).
    const access = cfg.nomad.acl ? new NomadAccess("nomad-access", { namespace: cfg.nomad.namespace, connection }, { dependsOn: nodeResources }) : undefined;
    const dependsOn = [...nodeResources, ...(access?.namespace ? [access.namespace] : [])];

    const serviceJobs = new Map<string, NomadJob>();
    const sharedSecrets = new Map<string, pulumi.Input<string>>();
    const hydraApps = plan.apps.map(
        (p) =>
            new HydraApp(
                p.app.name,
                {
                    jobs: p.jobs,
                    secrets: p.app.secrets ?? [],
                    configured: cfg.secrets,
                    environment,
                    connection,
                    waitForHealthy: cfg.nomad.waitForHealthy,
                    serviceJobs,
                    sharedSecrets,
                },
                { dependsOn },
            ),
    );

    const proxy = proxyArgs ? new CaddyProxy("proxy", proxyArgs, { dependsOn }) : undefined;

    const dns = cfg.cloudflare.enabled
        ? new HydraDns("dns", {
              domain: cfg.domain,
              manageZone: cfg.cloudflare.manageZone,
              // Caddy's own CA is not one Cloudflare trusts: still encrypted, but unverified.
              sslMode: cfg.proxy.tls === "internal" ? "full" : "strict",
              accountId: cfg.cloudflare.accountId,
              node: { name: cfg.node.name, address: node.nodeAddress },
              publicAddress: node.publicIpv4,
              ...(cluster
                  ? {
                        publicAddresses: cluster.publicAddresses,
                        otherNodes: cluster.nodeRecords.map((n) => ({ name: n.node, address: n.address })),
                    }
                  : {}),
              tailnetAddress: cfg.tailscale.address,
              records: cfg.cloudflare.records,
              routes: dnsRoutes,
              imports: cfg.cloudflare.imports,
          })
        : undefined;

    return {
        node,
        cluster,
        dns,
        apps: hydraApps,
        access,
        proxy,
        routes: plan.routes,
        outputs: {
            target: cfg.target,
            publicIpv4: node.publicIpv4,
            publicIpv6: cfg.target === "digitalocean" && cfg.node.ipv6 ? node.publicIpv6 : undefined,
            reservedIp: cfg.target === "digitalocean" ? node.nodeAddress : undefined,
            tailnetHostname: node.tailnetHostname,
            tailnetAddress: cfg.tailscale.address !== undefined ? node.tailnetAddress : undefined,
            nomadAddress: node.nomadAddress,
            nomadOperatorToken: access?.operatorToken.secretId,
            zoneId: dns?.zoneId,
            urls: urls(plan),
            joinScripts: cluster?.joinScripts,
            ...appOutputs(plan, cfg),
        },
    };
}

/**
 * The stack's outputs: those this stack has. One exported empty (no IPv6, no DNS zone, ACLs off...)
 * would make the engine warn on every preview that it "will not show as a stack output".
 */
export function stackOutputs(outputs: EstateOutputs): Partial<EstateOutputs> {
    return Object.fromEntries(Object.entries(outputs).filter(([, value]) => value !== undefined));
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
