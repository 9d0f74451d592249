// The pack's policies as plain data: a name, a level, and pure rule functions
// over ResourceViews. index.ts hands them to the policy SDK; tests call them directly.
import { backupCoverageViolations, backupOverlapViolations } from "./rules/backup";
import { dropletMonitoringViolations, healthCheckViolations, resourceLimitViolations } from "./rules/advisory";
import { ResourceView, TYPES, Violation } from "./rules/common";
import { internalRouteViolations, tailnetRecordViolations } from "./rules/dns";
import { firewallViolations } from "./rules/firewall";
import { imageViolations } from "./rules/images";
import { protectViolations } from "./rules/protect";
import { jobLiteralSecretViolations, jobSecretValueViolations } from "./rules/secrets";

export type Level = "mandatory" | "advisory";

export interface HydraPolicy {
    name: string;
    description: string;
    enforcementLevel: Level;
    /** Resource types `resource` applies to. */
    types?: readonly string[];
    /** Checked for each resource before it is created or updated (blocks the step when mandatory). */
    resource?: (r: ResourceView) => string[];
    /** Checked once over the whole stack, at the end of a preview or update. */
    stack?: (resources: ResourceView[]) => Violation[];
}

export const POLICIES: readonly HydraPolicy[] = [
    {
        name: "no-admin-ports-from-internet",
        description: "No firewall rule opens SSH (22), Nomad (4646-4648) or Consul (8300-8302, 8500-8502, 8600) to 0.0.0.0/0 or ::/0.",
        enforcementLevel: "mandatory",
        types: [TYPES.firewall],
        resource: firewallViolations,
    },
    {
        name: "no-literal-secrets-in-jobs",
        description:
            "Nomad jobs carry no literal secret: no secret-named env var, template line, flag or HCL variable with a literal value, no known token format. Jobs read secrets through nomadVar templates.",
        enforcementLevel: "mandatory",
        types: [TYPES.nomadJob],
        resource: jobLiteralSecretViolations,
    },
    {
        name: "no-secret-values-in-jobs",
        description: "No Nomad job contains the value of a Nomad Variable item, a generated password, a minted Tailscale key or a provider token.",
        enforcementLevel: "mandatory",
        stack: jobSecretValueViolations,
    },
    {
        name: "images-pinned",
        description: "Every container image is pinned to a version tag or a digest (never latest, never untagged).",
        enforcementLevel: "mandatory",
        types: [TYPES.nomadJob],
        resource: imageViolations,
    },
    {
        name: "tailnet-records-not-proxied",
        description: "A DNS record pointing into the tailnet (100.64.0.0/10, fd7a:115c:a1e0::/48) is never Cloudflare-proxied.",
        enforcementLevel: "mandatory",
        types: [TYPES.dnsRecord],
        resource: tailnetRecordViolations,
    },
    {
        name: "internal-routes-stay-internal",
        description:
            "A DNS record for a site of the internal Caddy is not proxied and points at a tailnet address; no site is served by both the internal and the public Caddy.",
        enforcementLevel: "mandatory",
        stack: internalRouteViolations,
    },
    {
        name: "stateful-resources-protected",
        description: "The data volume and the DNS zone carry the protect resource option.",
        enforcementLevel: "mandatory",
        types: [TYPES.volume, TYPES.zone],
        resource: protectViolations,
    },
    {
        name: "backup-overlap-prohibited",
        description: "A periodic job that runs restic backup sets Periodic.ProhibitOverlap.",
        enforcementLevel: "mandatory",
        types: [TYPES.nomadJob],
        resource: backupOverlapViolations,
    },
    {
        name: "backups-cover-declared-paths",
        description: 'When a job declares backup paths (Meta "hydra.backup-paths"), a periodic raw_exec restic backup job exists and backs up each of them.',
        enforcementLevel: "mandatory",
        stack: backupCoverageViolations,
    },
    {
        name: "droplet-monitoring",
        description: "Droplets run DigitalOcean's monitoring agent.",
        enforcementLevel: "advisory",
        types: [TYPES.droplet],
        resource: dropletMonitoringViolations,
    },
    {
        name: "services-health-checked",
        description: "Every service a Nomad job registers has a health check.",
        enforcementLevel: "advisory",
        types: [TYPES.nomadJob],
        resource: healthCheckViolations,
    },
    {
        name: "tasks-resource-limits",
        description: "Every task sets Resources.CPU (or Cores) and Resources.MemoryMB.",
        enforcementLevel: "advisory",
        types: [TYPES.nomadJob],
        resource: resourceLimitViolations,
    },
];

export interface Finding {
    policy: string;
    enforcementLevel: Level;
    message: string;
    /** The resource to blame; unset for the stack as a whole. */
    urn?: string;
}

/** Runs every policy over a stack's resources as the engine would (each resource, then the stack). */
export function evaluate(resources: ResourceView[], policies: readonly HydraPolicy[] = POLICIES): Finding[] {
    const out: Finding[] = [];
    for (const p of policies) {
        if (p.resource) {
            for (const r of resources) {
                if (p.types && !p.types.includes(r.type)) {
                    continue;
                }
                for (const message of p.resource(r)) {
                    out.push({ policy: p.name, enforcementLevel: p.enforcementLevel, message, urn: r.urn });
                }
            }
        }
        if (p.stack) {
            for (const v of p.stack(resources)) {
                out.push({ policy: p.name, enforcementLevel: p.enforcementLevel, message: v.message, urn: v.urn });
            }
        }
    }
    return out;
}
