// IP addresses and CIDR blocks, read by node:net rather than by patterns.
import { BlockList, isIPv4, isIPv6 } from "node:net";
import { TAILNET_RANGES } from "../vocabulary/ranges";

export type Family = "ipv4" | "ipv6";

export interface Cidr {
    address: string;
    prefix: number;
    family: Family;
}

/** `203.0.113.7/32` or `2001:db8::/64`: an address and a prefix length that fits its family; undefined otherwise. */
export function parseCidr(s: string): Cidr | undefined {
    const slash = s.indexOf("/");
    const address = s.slice(0, slash);
    const bits = s.slice(slash + 1);
    // A zone index (fe80::1%eth0) names an interface of one host; it has no place in a firewall rule.
    if (slash < 0 || !/^\d{1,3}$/.test(bits) || address.includes("%")) {
        return undefined;
    }
    const family: Family | undefined = isIPv4(address) ? "ipv4" : isIPv6(address) ? "ipv6" : undefined;
    const prefix = Number(bits);
    if (family === undefined || prefix > (family === "ipv4" ? 32 : 128)) {
        return undefined;
    }
    return { address, prefix, family };
}

/** A BlockList holding the given CIDR blocks. */
export function blockList(cidrs: readonly string[]): BlockList {
    const list = new BlockList();
    for (const cidr of cidrs) {
        const c = parseCidr(cidr);
        if (!c) {
            throw new Error(`${cidr} is not a CIDR block`);
        }
        list.addSubnet(c.address, c.prefix, c.family);
    }
    return list;
}

const TAILNET = blockList(TAILNET_RANGES);

/** An IPv4 address Tailscale hands out (100.64.0.0/10). */
export function isTailnetIpv4(s: string): boolean {
    return isIPv4(s) && TAILNET.check(s, "ipv4");
}

export { isIPv4, isIPv6 };
