import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import { ExtraRecord } from "../config";
import { TYPE_TOKENS, Visibility } from "../vocabulary";

export interface HydraDnsArgs {
    /** The zone, e.g. "example.com". */
    domain: string;
    /** Create the zone (protected) or look it up by name. */
    manageZone: boolean;
    /**
     * Cloudflare's SSL mode for a managed zone (its "ssl" setting): "strict" (Full, strict)
     * when the origin has publicly trusted certificates, "full" when its CA is its own.
     * Never "flexible": Cloudflare would talk HTTP to the origin, and the proxy's HTTPS
     * redirect would loop.
     */
    sslMode?: "strict" | "full";
    accountId?: string;
    /** The node's own record, e.g. floyd → reserved IP (never proxied: SSH and admin use it). */
    node: { name: string; address: pulumi.Input<string> };
    /** Where public routes point. */
    publicAddress: pulumi.Input<string>;
    /** Where internal routes point; without it internal records are skipped with a warning. */
    tailnetAddress?: string;
    /** Unrelated records kept in the same zone (apex CNAME, …). */
    records: ExtraRecord[];
    /** One record per host name the estate serves: the apps' routes and the admin sites. */
    routes: RouteRecord[];
    /**
     * Cloudflare import ids of what already exists, so it is adopted rather than conflicting:
     * "zone" → the zone's id; "<name>/<type>" (name relative to the zone) → "<zone id>/<record id>".
     */
    imports?: Record<string, string>;
}

/** The DNS side of a route. */
export interface RouteRecord {
    /** Relative to the zone, e.g. "git". */
    hostname: string;
    visibility: Visibility;
    /** Cloudflare-proxied; ignored (always false) for internal routes, which Cloudflare cannot reach. */
    proxied?: boolean;
}

/** The fully-qualified name of a record given relative to the zone ("@" is the apex). */
export function fqdn(name: string, domain: string): string {
    return name === "@" || name === domain ? domain : `${name}.${domain}`;
}

/**
 * The records the component declares, as import keys `<name>/<type>` (name relative to the
 * zone): the node, the extra records, and each route (internal ones only with a tailnet address).
 */
export function recordKeys(nodeName: string, records: { name: string; type: string }[], routes: RouteRecord[], tailnetAddress?: string): string[] {
    return [
        `${nodeName}/A`,
        ...records.map((r) => `${r.name}/${r.type}`),
        ...routes.filter((r) => r.visibility === "public" || tailnetAddress).map((r) => `${r.hostname}/A`),
    ];
}

/**
 * Options for a resource that may be imported: while its import id is set, the comment we add is not
 * compared (records made elsewhere have none; Pulumi refuses an import whose inputs differ), and the
 * first `up` after the import id is removed writes it.
 */
function importing(id: string | undefined, ignore: string[]): pulumi.CustomResourceOptions {
    return id ? { import: id, ignoreChanges: ignore } : {};
}

/**
 * The Cloudflare zone and its records: the node, the user's extra records,
 * and one record per route, public or internal.
 */
export class HydraDns extends pulumi.ComponentResource {
    readonly zoneId: pulumi.Output<string>;
    readonly zone?: cloudflare.Zone;
    /** Host names whose internal record could not be made yet (tailnet address unknown). */
    readonly skippedInternal: readonly string[];
    private readonly args: HydraDnsArgs;
    private readonly resourceName: string;
    private readonly made = new Map<string, cloudflare.DnsRecord>();

    constructor(name: string, args: HydraDnsArgs, opts?: pulumi.ComponentResourceOptions) {
        super(TYPE_TOKENS.dns, name, {}, opts);
        this.args = args;
        this.resourceName = name;
        if (args.manageZone) {
            if (!args.accountId) {
                throw new Error(`${name}: managing the zone needs an account id`);
            }
            // Deleting a zone deletes every record in it, ours or not.
            this.zone = new cloudflare.Zone(
                `${name}-zone`,
                { account: { id: args.accountId }, name: args.domain, type: "full" },
                { parent: this, protect: true, ...importing(args.imports?.zone, []) },
            );
            this.zoneId = this.zone.id;
            new cloudflare.ZoneSetting(`${name}-ssl`, { zoneId: this.zoneId, settingId: "ssl", value: args.sslMode ?? "strict" }, { parent: this });
        } else {
            this.zoneId = cloudflare.getZoneOutput({ filter: { name: args.domain } }, { parent: this }).apply((z) => z.id);
        }

        this.add(args.node.name, { type: "A", content: args.node.address, proxied: false });
        for (const r of args.records) {
            this.add(r.name, { type: r.type, content: r.content, proxied: r.proxied, ttl: r.ttl, priority: r.priority }, `extra-${r.type.toLowerCase()}`);
        }
        // Public names point at the public address (proxied as asked); internal names at the tailnet address, never proxied.
        const skipped: string[] = [];
        for (const r of args.routes) {
            if (r.visibility === "public") {
                this.add(r.hostname, { type: "A", content: args.publicAddress, proxied: r.proxied ?? true });
            } else if (args.tailnetAddress) {
                this.add(r.hostname, { type: "A", content: args.tailnetAddress, proxied: false });
            } else {
                skipped.push(fqdn(r.hostname, args.domain));
            }
        }
        this.skippedInternal = skipped;
        this.registerOutputs({ zoneId: this.zoneId });
    }

    private add(
        name: string,
        r: { type: string; content: pulumi.Input<string>; proxied: boolean; ttl?: number; priority?: number },
        prefix = "record",
    ): cloudflare.DnsRecord {
        const full = fqdn(name, this.args.domain);
        const id = `${full}/${r.type}`;
        if (this.made.has(id)) {
            throw new Error(`DNS record ${full} (${r.type}) is declared twice`);
        }
        const sameName = [...this.made.keys()].filter((k) => k.startsWith(`${full}/`));
        if (sameName.length && (r.type === "CNAME" || sameName.some((k) => k.endsWith("/CNAME")))) {
            throw new Error(`DNS record ${full} is a CNAME, which cannot share its name with another record`);
        }
        const label = name === "@" ? "apex" : name;
        const importId = this.args.imports?.[`${name}/${r.type}`];
        const record = new cloudflare.DnsRecord(
            `${this.resourceName}-${prefix}-${label}`,
            {
                zoneId: this.zoneId,
                name: full,
                type: r.type,
                content: r.content,
                proxied: r.proxied,
                // 1 = automatic; proxied records must use it.
                ttl: r.proxied ? 1 : (r.ttl ?? 1),
                priority: r.priority,
                comment: "managed by hydra",
            },
            { parent: this, ...importing(importId, ["comment"]) },
        );
        this.made.set(id, record);
        return record;
    }
}
