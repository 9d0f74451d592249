// Address ranges the estate reasons about, each written down once.
import { BlockList, isIPv4, isIPv6 } from "node:net";

/** Tailscale hands out addresses from the CGNAT range and its own IPv6 ULA prefix. */
export const TAILNET_RANGES = ["100.64.0.0/10", "fd7a:115c:a1e0::/48"];

/** Every address. */
export const ANYWHERE = ["0.0.0.0/0", "::/0"];

function blockList(cidrs: readonly string[]): BlockList {
    const list = new BlockList();
    for (const cidr of cidrs) {
        const [address, bits] = cidr.split("/");
        list.addSubnet(address, Number(bits), isIPv4(address) ? "ipv4" : "ipv6");
    }
    return list;
}

const TAILNET = blockList(TAILNET_RANGES);

/** Whether an IPv4 or IPv6 address lies in the tailnet's ranges. */
export function isTailnetAddress(address: string): boolean {
    const a = address.trim();
    if (isIPv4(a)) {
        return TAILNET.check(a, "ipv4");
    }
    return isIPv6(a) && TAILNET.check(a, "ipv6");
}
