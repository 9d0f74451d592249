// hydra:firewall: who may reach SSH from the internet.
import { z } from "zod";
import { parseCidr } from "../addresses";
import { text, textList } from "../fields";
import { fullKey } from "../keys";
import { show } from "../problems";
import { readSection, strictObject } from "../readSection";
import { ConfigSource } from "../source";

function sshSource(cidr: string): string | undefined {
    return parseCidr(cidr) ? undefined : `${show(cidr)} is not a CIDR such as "203.0.113.7/32" or "2001:db8::/64"`;
}

/** The recovery door is for one admin's address range, never the whole internet. */
function recoverySource(cidr: string): string | undefined {
    const wrong = sshSource(cidr);
    if (wrong) {
        return wrong;
    }
    return parseCidr(cidr)!.prefix === 0 ? `${show(cidr)} opens SSH to the whole internet; give your own address, e.g. "203.0.113.7/32"` : undefined;
}

export const firewallSchema = strictObject({
    sshFrom: textList(sshSource).prefault([]).describe("CIDRs allowed to reach SSH from the internet; empty means SSH over Tailscale only."),
    recoverySshFrom: text(recoverySource)
        .optional()
        .describe("Recovery switch: one CIDR that may reach SSH for the next up (when the tailnet join failed); unset it after."),
});

export type FirewallConfig = z.output<typeof firewallSchema>;

export function readFirewall(src: ConfigSource): FirewallConfig {
    return readSection(src.problems, fullKey("firewall"), firewallSchema, src.object("firewall"));
}
