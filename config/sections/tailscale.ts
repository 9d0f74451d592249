// hydra:tailscale: the node on the tailnet.
import { z } from "zod";
import { isTailnetIpv4 } from "../addresses";
import { text, textList } from "../fields";
import { fullKey } from "../keys";
import { hostnameLabel, word } from "../names";
import { show } from "../problems";
import { readSection, strictObject } from "../readSection";
import { ConfigSource, Secret } from "../source";
import { Target } from "./estate";
import { NodeConfig } from "./node";
import { misplacedSecret } from "./secrets";

export const tailscaleSchema = strictObject(
    {
        hostname: text(hostnameLabel("floyd")).optional().describe("The node's tailnet host name (default: node.name)."),
        address: text((a) => (isTailnetIpv4(a) ? undefined : `${show(a)} is not a tailnet address in 100.64.0.0/10 such as "100.101.102.103"`))
            .optional()
            .describe("The node's tailnet IPv4; internal DNS records point here. Required for target existing."),
        tailnet: text().optional().describe("Tailnet name, needed to mint an auth key with tailscaleApiKey."),
        tags: textList(word('a Tailscale ACL tag such as "tag:server"', /^tag:[a-z0-9-]+$/))
            .prefault([])
            .describe("ACL tags for the minted key and the node; at least one on a droplet (an untagged node's key expires)."),
    },
    { hints: { authKey: misplacedSecret("tailscaleAuthKey"), apiKey: misplacedSecret("tailscaleApiKey") } },
);

export type TailscaleConfig = Omit<z.output<typeof tailscaleSchema>, "hostname"> & {
    hostname: string;
    authKey?: Secret;
    apiKey?: Secret;
};

export function readTailscale(src: ConfigSource, target: Target, node: NodeConfig, secrets: ReadonlyMap<string, Secret>): TailscaleConfig {
    const p = src.problems;
    const key = fullKey("tailscale");
    const ts = readSection(p, key, tailscaleSchema, src.object("tailscale"));
    const authKey = secrets.get("tailscaleAuthKey");
    const apiKey = secrets.get("tailscaleApiKey");
    const onDroplet = target === "digitalocean";
    if (!onDroplet && ts.address === undefined && !p.has(`${key}.address`)) {
        p.add(`${key}.address`, "required", 'is required with target "existing": the node\'s tailnet IPv4 (tailscale ip -4)');
    }
    if (onDroplet && !authKey && !apiKey && !p.has(fullKey("tailscaleAuthKey")) && !p.has(fullKey("tailscaleApiKey"))) {
        const how = "pulumi config set --secret tailscaleAuthKey tskey-auth-… (or set tailscaleApiKey and tailscale.tailnet to mint one)";
        p.add(fullKey("tailscaleAuthKey"), "secret-required", `is required to join the tailnet: ${how}`);
    }
    if (onDroplet && ts.tags.length === 0 && !p.has(`${key}.tags`)) {
        const why = "an untagged node's key expires after 180 days and the node drops off the tailnet, its only way in";
        const how = `pulumi config set --path "tailscale.tags[0]" tag:hydra (a tag your tailnet policy's tagOwners lets the key's owner use)`;
        p.add(`${key}.tags`, "required", `needs at least one ACL tag on a droplet: ${why}. ${how}`);
    }
    if (apiKey && ts.tailnet === undefined && !p.has(`${key}.tailnet`)) {
        const what = 'your tailnet name, e.g. "example.com" or "-" for the default';
        p.add(`${key}.tailnet`, "required", `is required to mint an auth key with tailscaleApiKey: ${what}`);
    }
    return { ...ts, hostname: ts.hostname ?? node.name, authKey, apiKey };
}
