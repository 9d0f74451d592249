// The estate's wiring: config → node → DNS (→ apps and proxies, which hang off these seams).
import * as pulumi from "@pulumi/pulumi";
import { HydraConfig } from "./config";
import { HydraDns } from "./components/HydraDns";
import { HydraNode } from "./components/HydraNode";
import { existingNode, NodeEndpoints } from "./components/nodeEndpoints";

export interface Estate {
    node: NodeEndpoints;
    /** Undefined when the stack manages no DNS (cloudflare.enabled false). */
    dns?: HydraDns;
    outputs: Record<string, pulumi.Input<unknown>>;
}

export function buildEstate(cfg: HydraConfig): Estate {
    const node: NodeEndpoints =
        cfg.target === "digitalocean"
            ? new HydraNode(cfg.node.name, {
                  domain: cfg.domain,
                  node: cfg.node,
                  tailscale: cfg.tailscale,
                  firewall: cfg.firewall,
                  nomad: cfg.nomad,
                  consul: cfg.consul,
                  webBehindCloudflare: cfg.cloudflare.enabled && cfg.cloudflare.proxied,
              })
            : existingNode(cfg);

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

    return {
        node,
        dns,
        outputs: {
            target: cfg.target,
            publicIpv4: node.publicIpv4,
            publicIpv6: node.publicIpv6,
            reservedIp: cfg.target === "digitalocean" ? node.nodeAddress : undefined,
            tailnetHostname: node.tailnetHostname,
            tailnetAddress: node.tailnetAddress,
            nomadAddress: node.nomadAddress,
            zoneId: dns?.zoneId,
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
