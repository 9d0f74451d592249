import * as pulumi from "@pulumi/pulumi";
import { AdminRoute, JobSpec, oncePerNode, onNode, Route, secretRef, TaskSpec, TYPE_TOKENS, Visibility } from "../vocabulary";
import { AppJob, NomadConnection } from "./AppJob";
import { JobEnvironment } from "./buildJob";
import { CLOUDFLARE_TOKEN_ENV, renderCaddyfile, TlsMode } from "./caddyfile";

/** The config key of the token Caddy uses for DNS-01. */
export const CLOUDFLARE_DNS_TOKEN = "cloudflareDnsToken";

export interface CaddyProxyArgs {
    routes: Route[];
    domain: string;
    /** Image with the Cloudflare DNS module (`dns.providers.cloudflare`). */
    image: string;
    /** "cloudflare": certificates by DNS-01 (the default); "internal": Caddy's local CA. */
    tls?: TlsMode;
    /** Cloudflare API token for DNS-01 (Zone:DNS:Edit); secret. Not used with the internal CA. */
    cloudflareToken?: pulumi.Input<string>;
    acmeEmail?: string;
    /** Admin sites on the internal proxy: Nomad's UI, and Consul's when it runs. */
    adminRoutes: AdminRoute[];
    environment: JobEnvironment;
    connection: NomadConnection;
    /** The node's data directory; certificates live in <dataDir>/caddy. */
    dataDir: string;
    /** `pulumi up` waits until the proxies' deployment is healthy. */
    waitForHealthy?: boolean;
    /** More than one node: the public proxy on each public node, the internal one on the primary. */
    placement?: { publicNodes: string[]; primary: string };
}

/** The proxy job as a spec: two Caddy tasks, one per visibility, in one group. Pure. */
export function caddySpec(a: Omit<CaddyProxyArgs, "connection" | "cloudflareToken">): JobSpec {
    const dns01 = (a.tls ?? "cloudflare") === "cloudflare";
    const task = (visibility: Visibility): TaskSpec => ({
        name: visibility,
        image: a.image,
        args: ["caddy", "run", "--config", "/local/Caddyfile", "--adapter", "caddyfile"],
        ports: [`${visibility}_http`, `${visibility}_https`],
        ...(dns01 ? { secretEnv: { [CLOUDFLARE_TOKEN_ENV]: "cloudflare_api_token" } } : {}),
        // Certificates survive restarts and redeploys; one directory per proxy so they never contend for locks.
        mounts: [{ source: `${a.dataDir}/caddy/${visibility}`, target: "/data" }],
        resources: { cpu: 100, memoryMb: 128, memoryMaxMb: 256 },
        files: [
            {
                name: "Caddyfile",
                content: renderCaddyfile({
                    visibility,
                    routes: a.routes,
                    adminRoutes: a.adminRoutes,
                    provider: a.environment.serviceProvider,
                    acmeEmail: a.acmeEmail,
                    tls: a.tls,
                    mode: "template",
                }),
                // A moved upstream re-renders the file; Caddy reloads it gracefully instead of restarting.
                changeMode: "script",
                script: { command: "caddy", args: ["reload", "--config", "/local/Caddyfile", "--adapter", "caddyfile"] },
            },
        ],
    });
    const port = (visibility: Visibility, scheme: "http" | "https") => ({
        label: `${visibility}_${scheme}`,
        static: scheme === "http" ? 80 : 443,
        to: scheme === "http" ? 80 : 443,
        hostNetwork: visibility === "public" ? ("public" as const) : ("tailscale" as const),
    });
    return {
        name: "caddy",
        group: "proxy",
        ports: [port("public", "http"), port("public", "https"), port("internal", "http"), port("internal", "https")],
        services: [
            { name: "caddy-public", port: "public_https", check: { type: "tcp" } },
            { name: "caddy-internal", port: "internal_https", check: { type: "tcp" } },
        ],
        ...(dns01 ? { secrets: { cloudflare_api_token: secretRef(CLOUDFLARE_DNS_TOKEN) } } : {}),
        tasks: [task("public"), task("internal")],
        backupPaths: [`${a.dataDir}/caddy`],
    };
}

/**
 * The proxy jobs: one job with both proxies on one node; with more than one node, `caddy` (the
 * public proxy, once on every public node) and `caddy-internal` (on the primary). Pure.
 */
export function caddySpecs(a: Omit<CaddyProxyArgs, "connection" | "cloudflareToken">): JobSpec[] {
    const both = caddySpec(a);
    if (!a.placement) {
        return [both];
    }
    const only = (visibility: Visibility): Pick<JobSpec, "tasks" | "ports" | "services"> => ({
        tasks: both.tasks.filter((t) => t.name === visibility),
        ports: both.ports?.filter((p) => p.label.startsWith(`${visibility}_`)),
        services: both.services?.filter((s) => s.name === `caddy-${visibility}`),
    });
    return [
        { ...both, ...only("public"), count: a.placement.publicNodes.length, constraints: oncePerNode(a.placement.publicNodes), backupPaths: undefined },
        { ...both, ...only("internal"), name: "caddy-internal", constraints: [onNode(a.placement.primary)] },
    ];
}

function tokenFor(name: string, args: CaddyProxyArgs): pulumi.Input<string> {
    if (args.cloudflareToken === undefined) {
        // Config validation requires the token for DNS-01; reaching this is a bug.
        throw new Error(`${name}: certificates by DNS-01 need the cloudflareDnsToken secret`);
    }
    return args.cloudflareToken;
}

/**
 * The `caddy` job: a public and an internal Caddy whose Caddyfiles are built
 * from every app's routes, with TLS by DNS-01 through Cloudflare.
 */
export class CaddyProxy extends pulumi.ComponentResource {
    /** The proxy job (the public one, with more than one node). */
    readonly job: AppJob;
    readonly spec: JobSpec;
    readonly jobs: AppJob[];

    constructor(name: string, args: CaddyProxyArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE_TOKENS.proxy, name, {}, opts);
        const specs = caddySpecs(args);
        this.spec = specs[0];
        this.jobs = specs.map(
            (spec, i) =>
                new AppJob(
                    i === 0 ? `${name}-job` : `${name}-internal-job`,
                    {
                        app: "caddy",
                        spec,
                        secrets: spec.secrets ? { cloudflare_api_token: tokenFor(name, args) } : {},
                        environment: args.environment,
                        connection: args.connection,
                        waitForHealthy: args.waitForHealthy,
                    },
                    { parent: this },
                ),
        );
        this.job = this.jobs[0];
        this.registerOutputs({ jobId: this.job.job.jobId });
    }
}
