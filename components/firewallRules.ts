// The node's cloud firewall as data, so tests and the policy pack can read it.

import { ANYWHERE, TAILNET_RANGES } from "../vocabulary";

export const TAILSCALE_DIRECT_PORT = "41641";

export interface InboundRule {
    protocol: "tcp" | "udp" | "icmp";
    portRange?: string;
    sourceAddresses: string[];
}

export interface OutboundRule {
    protocol: "tcp" | "udp" | "icmp";
    portRange?: string;
    destinationAddresses: string[];
}

export interface FirewallRuleOptions {
    /** Cloudflare's published ranges: web traffic only from them when every public route is proxied. */
    cloudflareRanges?: string[];
    /** CIDRs allowed to SSH from the internet; empty keeps SSH on the tailnet only. */
    sshFrom: string[];
    /** One CIDR opened for SSH while the node cannot be reached over the tailnet (firewall.recoverySshFrom). */
    recoverySshFrom?: string;
}

export function firewallRules(o: FirewallRuleOptions): { inbound: InboundRule[]; outbound: OutboundRule[] } {
    const web = o.cloudflareRanges && o.cloudflareRanges.length ? o.cloudflareRanges : ANYWHERE;
    const inbound: InboundRule[] = [
        { protocol: "tcp", portRange: "80", sourceAddresses: web },
        { protocol: "tcp", portRange: "443", sourceAddresses: web },
        // Direct (non-relayed) WireGuard connections between tailnet peers.
        { protocol: "udp", portRange: TAILSCALE_DIRECT_PORT, sourceAddresses: ANYWHERE },
        { protocol: "icmp", sourceAddresses: ANYWHERE },
        { protocol: "tcp", portRange: "1-65535", sourceAddresses: TAILNET_RANGES },
        { protocol: "udp", portRange: "1-65535", sourceAddresses: TAILNET_RANGES },
    ];
    const ssh = [...o.sshFrom, ...(o.recoverySshFrom && !o.sshFrom.includes(o.recoverySshFrom) ? [o.recoverySshFrom] : [])];
    if (ssh.length) {
        inbound.push({ protocol: "tcp", portRange: "22", sourceAddresses: ssh });
    }
    const outbound: OutboundRule[] = [
        { protocol: "tcp", portRange: "1-65535", destinationAddresses: ANYWHERE },
        { protocol: "udp", portRange: "1-65535", destinationAddresses: ANYWHERE },
        { protocol: "icmp", destinationAddresses: ANYWHERE },
    ];
    return { inbound, outbound };
}
