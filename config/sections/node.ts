// hydra:node: the machine the estate runs on.
import { z } from "zod";
import { isIPv4 } from "../addresses";
import { flag, text, textList, wholeNumber } from "../fields";
import { fullKey } from "../keys";
import { hostnameLabel, word } from "../names";
import { show } from "../problems";
import { readSection, strictObject } from "../readSection";
import { DEFAULT_REGION, DIGITALOCEAN_REGIONS, regionProblem } from "../regions";
import { ConfigSource } from "../source";
import { timeZoneProblem } from "../timeZone";
import { UBUNTU_LTS } from "../ubuntu";
import { Target } from "./estate";

const SSH_KEY = /^(ssh-(ed25519|rsa|dss)|ecdsa-sha2-nistp(256|384|521)|sk-(ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com) [A-Za-z0-9+/]+={0,3}( .*)?$/;
const UNIX_USER = /^[a-z_][a-z0-9_-]{0,31}$/;

const KNOWN_IMAGES: readonly string[] = UBUNTU_LTS.map((l) => l.slug);

function ubuntuLts(image: string): string | undefined {
    if (KNOWN_IMAGES.includes(image)) {
        return undefined;
    }
    const lts = /^ubuntu-(\d\d)-04-x64$/.exec(image);
    const known = KNOWN_IMAGES.map((s) => `"${s}"`).join(", ");
    return lts && Number(lts[1]) % 2 === 0
        ? `${show(image)} is an Ubuntu LTS image the bootstrap does not know (it knows ${known}); a new release's vendor apt suites lag it, so add it to config/ubuntu.ts once checked`
        : `${show(image)} is not an Ubuntu LTS image slug such as "ubuntu-24-04-x64" (the bootstrap is written for Ubuntu LTS: ${known})`;
}

export const nodeSchema = strictObject({
    name: text(hostnameLabel("floyd")).prefault("floyd").describe("Droplet name and the default tailnet host name."),
    region: z
        .enum(DIGITALOCEAN_REGIONS, { error: (issue) => regionProblem(issue.input) })
        .prefault(DEFAULT_REGION)
        .describe("DigitalOcean region slug."),
    size: text(word('a DigitalOcean size slug such as "s-2vcpu-4gb"', /^[a-z0-9]+(-[a-z0-9]+)+$/))
        .prefault("s-2vcpu-4gb")
        .describe("Droplet size slug."),
    image: text(ubuntuLts)
        .prefault("ubuntu-26-04-x64")
        .describe("An Ubuntu LTS image slug the bootstrap knows: ubuntu-26-04-x64, ubuntu-24-04-x64 or ubuntu-22-04-x64."),
    sshPublicKeys: textList((k) =>
        SSH_KEY.test(k.trim()) ? undefined : `is not an OpenSSH public key line ("ssh-ed25519 AAAA… comment"); paste the .pub file's content, not its path`,
    )
        .prefault([])
        .describe("OpenSSH public keys of the admin user; at least one on DigitalOcean."),
    adminUser: text((u) => (UNIX_USER.test(u) && u !== "root" ? undefined : `${show(u)} is not a valid non-root Unix user name`))
        .prefault("hydra")
        .describe("Non-root admin user, the only one SSH accepts."),
    timezone: text(timeZoneProblem).prefault("UTC").describe('IANA time zone, e.g. "Asia/Kolkata".'),
    locale: text(word('a UTF-8 locale such as "en_US.UTF-8"', /^[a-z]{2,3}_[A-Z]{2}\.UTF-8$/))
        .prefault("en_US.UTF-8")
        .describe("System locale."),
    volumeSizeGb: wholeNumber(1, 16384).prefault(50).describe("Size of the data volume in GB."),
    tags: textList(word('a DigitalOcean tag (letters, digits, ":", "-", "_")', /^[a-zA-Z0-9:_-]{1,255}$/))
        .prefault(["nomad", "control-plane"])
        .describe("Droplet tags."),
    monitoring: flag().prefault(true).describe("DigitalOcean monitoring agent."),
    ipv6: flag().prefault(true).describe("Give the droplet an IPv6 address."),
    dataDir: text(word('an absolute directory path such as "/data"', /^\/[A-Za-z0-9._/-]*[A-Za-z0-9._-]$/))
        .prefault("/data")
        .describe("Where the volume is mounted and the apps keep their data."),
    publicInterface: text(word("a network interface name", /^[a-zA-Z0-9._-]{1,15}$/))
        .prefault("eth0")
        .describe('The interface behind Nomad\'s "public" host network.'),
    publicAddress: text((a) => (isIPv4(a) ? undefined : `${show(a)} is not an IPv4 address`))
        .optional()
        .describe('Target "existing" only: the node\'s public IPv4.'),
});

export type NodeConfig = z.output<typeof nodeSchema>;

export function readNode(src: ConfigSource, target: Target): NodeConfig {
    const p = src.problems;
    const key = fullKey("node");
    const node = readSection(p, key, nodeSchema, src.object("node"));
    const onDroplet = target === "digitalocean";
    if (onDroplet && node.sshPublicKeys.length === 0 && !p.has(`${key}.sshPublicKeys`)) {
        const how = 'pulumi config set --path "node.sshPublicKeys[0]" "$(cat ~/.ssh/id_ed25519.pub)"';
        p.add(`${key}.sshPublicKeys`, "required", `needs at least one public key: ${how}`);
    }
    if (onDroplet && node.publicAddress !== undefined) {
        p.add(`${key}.publicAddress`, "conflict", 'is only for target "existing"; a droplet gets its address from DigitalOcean');
    }
    if (!onDroplet && node.publicAddress === undefined && !p.has(`${key}.publicAddress`)) {
        p.add(`${key}.publicAddress`, "required", 'is required with target "existing": the node\'s public IPv4');
    }
    return { ...node, sshPublicKeys: node.sshPublicKeys.map((k) => k.trim()) };
}
