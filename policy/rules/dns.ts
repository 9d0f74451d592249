// Mandatory: internal routes stay internal. An internal name (a site of the
// internal Caddy, or any record pointing into the tailnet) is never
// Cloudflare-proxied and never points at a public address.
import { isTailnetAddress, TAILNET_RANGES } from "../../vocabulary/ranges";
import { describe, field, isUnknown, ResourceView, str, TYPES, Violation } from "./common";
import { configOf, isJob, jobLabel, jobSource, portNetworks, tasksOf, templatesOf } from "./jobs";

/**
 * The site addresses of a Caddyfile (or of Nomad's template of one): the
 * names before a top-level `{`, without scheme or port. The global options
 * block and snippets `(name) { … }` are not sites.
 */
export function caddySites(text: string): string[] {
    const sites: string[] = [];
    let depth = 0;
    for (const raw of text.split("\n")) {
        // Template actions and comments carry braces that are not Caddy's.
        const line = raw
            .replace(/\{\{.*?\}\}/g, "")
            .replace(/(^|\s)#.*$/, "")
            .trim();
        if (depth === 0 && line.endsWith("{")) {
            const head = line.slice(0, -1).trim();
            if (head && !head.startsWith("(")) {
                for (const addr of head.split(/[\s,]+/).filter(Boolean)) {
                    const host = addr
                        .replace(/^[a-z]+:\/\//i, "")
                        .replace(/\/.*$/, "")
                        .replace(/:\d+$/, "")
                        .toLowerCase();
                    if (host) {
                        sites.push(host);
                    }
                }
            }
        }
        for (const ch of line) {
            if (ch === "{") {
                depth++;
            } else if (ch === "}") {
                depth = Math.max(0, depth - 1);
            }
        }
    }
    return sites;
}

export interface ProxySite {
    site: string;
    /** The job whose Caddyfile serves it. */
    job: ResourceView;
    jobLabel: string;
}

/**
 * The sites of every Caddy running as a Nomad job, split by proxy: a
 * Caddyfile belongs to the internal proxy when its task is `internal` in the
 * `caddy` job, or when every port its task publishes is on the `tailscale`
 * host network; to the public proxy when it publishes on any other network.
 */
export function proxySites(resources: ResourceView[]): { internal: ProxySite[]; public: ProxySite[] } {
    const out = { internal: [] as ProxySite[], public: [] as ProxySite[] };
    for (const r of resources.filter(isJob)) {
        const job = jobSource(r.props).job;
        if (!job) {
            continue;
        }
        const id = str(field(job, "ID"));
        for (const t of tasksOf(job)) {
            const caddyfiles = templatesOf(t.task).filter((tpl) => /(^|\/)Caddyfile$/.test(tpl.dest));
            if (!caddyfiles.length) {
                continue;
            }
            const networks = portNetworks(t.group);
            const ports = configOf(t.task).ports;
            const labels = Array.isArray(ports) ? ports.filter((p): p is string => typeof p === "string") : [...networks.keys()];
            const nets = labels.map((l) => networks.get(l) ?? "default");
            const internal = (id === "caddy" && t.taskName === "internal") || (nets.length > 0 && nets.every((n) => n === "tailscale"));
            const isPublic = !internal && (t.taskName === "public" || nets.some((n) => n !== "tailscale"));
            if (!internal && !isPublic) {
                continue;
            }
            const into = internal ? out.internal : out.public;
            for (const tpl of caddyfiles) {
                for (const site of caddySites(tpl.text)) {
                    into.push({ site, job: r, jobLabel: `${jobLabel(r, job)} ${t.label}` });
                }
            }
        }
    }
    return out;
}

function recordName(r: ResourceView): string | undefined {
    const name = r.props.name;
    return typeof name === "string" ? name.toLowerCase().replace(/\.$/, "") : undefined;
}

/** Resource level: a record pointing into the tailnet is not proxied (Cloudflare cannot reach it). */
export function tailnetRecordViolations(r: ResourceView): string[] {
    const content = r.props.content;
    const proxied = r.props.proxied;
    if (typeof content !== "string" || isUnknown(proxied) || proxied !== true) {
        return [];
    }
    if (!isTailnetAddress(content)) {
        return [];
    }
    return [
        `${describe(r)} (${recordName(r) ?? "?"}) points into the tailnet (${content}) but is Cloudflare-proxied; ` +
            "Cloudflare cannot reach tailnet addresses and the name must stay internal: set proxied to false",
    ];
}

/** The names a record may stand for: itself, or relative to each zone the stack manages ("@" is the apex). */
function candidates(name: string, zones: string[]): string[] {
    if (name === "@") {
        return zones;
    }
    if (zones.some((z) => name === z || name.endsWith(`.${z}`))) {
        return [name];
    }
    return [name, ...zones.map((z) => `${name}.${z}`)];
}

/**
 * Stack level: every DNS record for a site of the internal Caddy is not
 * proxied and points at a tailnet address (A/AAAA) or a tailnet name (CNAME to
 * *.ts.net); and no site is served by the public Caddy as well.
 */
export function internalRouteViolations(resources: ResourceView[]): Violation[] {
    const out: Violation[] = [];
    const sites = proxySites(resources);
    const internal = new Map(sites.internal.map((s) => [s.site, s]));
    for (const p of sites.public) {
        const i = internal.get(p.site);
        if (i) {
            out.push({
                urn: p.job.urn,
                message: `${p.site} is a site of the internal proxy (${i.jobLabel}) and is also served by the public one (${p.jobLabel})`,
            });
        }
    }
    if (!internal.size) {
        return out;
    }
    const zones = resources
        .filter((r) => r.type === TYPES.zone)
        .map((r) => r.props.name)
        .filter((n): n is string => typeof n === "string")
        .map((n) => n.toLowerCase());
    for (const r of resources.filter((x) => x.type === TYPES.dnsRecord)) {
        const name = recordName(r);
        if (!name) {
            continue;
        }
        let site = candidates(name, zones)
            .map((c) => internal.get(c))
            .find((s) => s);
        if (!site && !zones.length && !name.includes(".")) {
            site = sites.internal.find((s) => s.site.startsWith(`${name}.`));
        }
        if (!site) {
            continue;
        }
        const at = `${describe(r)} (${name}) is an internal route (a site of ${site.jobLabel})`;
        const type = str(r.props.type)?.toUpperCase();
        const content = r.props.content;
        const tailnet = typeof content === "string" && isTailnetAddress(content);
        // A proxied record into the tailnet is reported by the resource policy already.
        if (r.props.proxied === true && !tailnet) {
            out.push({ urn: r.urn, message: `${at} but is Cloudflare-proxied; set proxied to false` });
        }
        if (typeof content !== "string") {
            continue;
        }
        if ((type === "A" || type === "AAAA") && !tailnet) {
            out.push({ urn: r.urn, message: `${at} but points at ${content}, which is not a tailnet address (${TAILNET_RANGES.join(", ")})` });
        } else if (type === "CNAME" && !/\.ts\.net\.?$/i.test(content)) {
            out.push({ urn: r.urn, message: `${at} but is a CNAME to ${content}, which is not a tailnet name (*.ts.net)` });
        }
    }
    return out;
}
