// Mandatory: no inbound firewall rule opens SSH, Nomad or Consul to the internet.
import { describe, field, isRecord, isUnknown, joinAnd, list, ResourceView, str } from "./common";

export interface AdminPort {
    service: "SSH" | "Nomad" | "Consul";
    from: number;
    to: number;
}

/** SSH; Nomad HTTP, RPC and Serf; Consul server RPC, Serf LAN/WAN, HTTP/HTTPS/gRPC and DNS. */
export const ADMIN_PORTS: readonly AdminPort[] = [
    { service: "SSH", from: 22, to: 22 },
    { service: "Nomad", from: 4646, to: 4648 },
    { service: "Consul", from: 8300, to: 8302 },
    { service: "Consul", from: 8500, to: 8502 },
    { service: "Consul", from: 8600, to: 8600 },
];

/**
 * The ports an inbound rule's `portRange` covers: "22", "8000-9000", or all of
 * them for "all", "0", "1-65535" and an empty or missing range (DigitalOcean's
 * ways of saying every port). Undefined when it cannot be read.
 */
export function parsePortRange(portRange: unknown): [number, number] | undefined {
    if (portRange === undefined || portRange === null) {
        return [1, 65535];
    }
    const s = String(portRange).trim().toLowerCase();
    if (s === "" || s === "all" || s === "0") {
        return [1, 65535];
    }
    const m = /^(\d+)\s*(?:-\s*(\d+))?$/.exec(s);
    if (!m) {
        return undefined;
    }
    const lo = Number(m[1]);
    const hi = m[2] === undefined ? lo : Number(m[2]);
    return lo <= hi ? [lo, hi] : [hi, lo];
}

/** A source that admits every address of its family: 0.0.0.0/0, ::/0 (any address with prefix length 0). */
export function isInternet(cidr: string): boolean {
    return /\/0+$/.test(cidr.trim());
}

function exposed(lo: number, hi: number): AdminPort[] {
    return ADMIN_PORTS.filter((p) => p.from <= hi && p.to >= lo);
}

function portText(p: AdminPort): string {
    return p.from === p.to ? `${p.from}` : `${p.from}-${p.to}`;
}

export function firewallViolations(r: ResourceView): string[] {
    const out: string[] = [];
    const rules = field(r.props, "inboundRules");
    if (isUnknown(rules)) {
        return out;
    }
    list(rules).forEach((rule, i) => {
        if (!isRecord(rule)) {
            return;
        }
        const protocol = field(rule, "protocol");
        const range = field(rule, "portRange");
        const sources = field(rule, "sourceAddresses");
        if (isUnknown(protocol) || isUnknown(range) || isUnknown(sources)) {
            return;
        }
        const proto = (str(protocol) ?? "").toLowerCase();
        if (proto !== "tcp" && proto !== "udp") {
            return;
        }
        const ports = parsePortRange(range);
        if (!ports) {
            return;
        }
        const open = list(sources).filter((s): s is string => typeof s === "string" && isInternet(s));
        if (!open.length) {
            return;
        }
        const hit = exposed(ports[0], ports[1]);
        if (!hit.length) {
            return;
        }
        const services = [...new Set(hit.map((p) => p.service))].map(
            (s) =>
                `${s} (${hit
                    .filter((p) => p.service === s)
                    .map(portText)
                    .join(", ")})`,
        );
        const shown = range === undefined || range === null || range === "" ? "all ports" : String(range);
        out.push(
            `${describe(r)} inbound rule #${i + 1} (${proto} ${shown} from ${open.join(", ")}) opens ${joinAnd(services)} to the internet; ` +
                "admit these ports only from the tailnet (100.64.0.0/10) or from specific addresses",
        );
    });
    return out;
}
