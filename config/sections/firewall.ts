// hydra:firewall: who may reach SSH from the internet.
import { z } from "zod";
import { parseCidr } from "../addresses";
import { textList } from "../fields";
import { fullKey } from "../keys";
import { show } from "../problems";
import { readSection, strictObject } from "../readSection";
import { ConfigSource } from "../source";

function sshSource(cidr: string): string | undefined {
    const block = parseCidr(cidr);
    if (!block) {
        return `${show(cidr)} is not a CIDR such as "203.0.113.7/32" or "2001:db8::/64"`;
    }
    // The policy pack refuses SSH from anywhere; say so before anything is made.
    return block.prefix === 0
        ? `${show(cidr)} opens SSH to the whole internet: list the addresses you connect from, or none for SSH over Tailscale only`
        : undefined;
}

export const firewallSchema = strictObject({
    sshFrom: textList(sshSource).prefault([]).describe("CIDRs allowed to reach SSH from the internet; empty means SSH over Tailscale only."),
});

export type FirewallConfig = z.output<typeof firewallSchema>;

export function readFirewall(src: ConfigSource): FirewallConfig {
    return readSection(src.problems, fullKey("firewall"), firewallSchema, src.object("firewall"));
}
