// The two settings that are not objects: the DNS zone and where the estate runs.
import { oneOf, text } from "../fields";
import { fullKey } from "../keys";
import { isDomain } from "../names";
import { show } from "../problems";
import { readValue } from "../readSection";
import { ConfigSource } from "../source";

export const TARGETS = ["digitalocean", "existing"] as const;

/** Where the estate runs: a droplet we create, or a node someone already has. */
export type Target = (typeof TARGETS)[number];

export const domainSchema = text((s) => (isDomain(s) ? undefined : `${show(s)} is not a lower-case DNS zone name such as "example.com"`)).describe(
    'The DNS zone, e.g. "example.com". Apps get <host>.<domain>. Required.',
);

export const targetSchema = oneOf(TARGETS, (v) => `${show(v)} is not "digitalocean" (create the droplet) or "existing" (bring your own node)`)
    .prefault("digitalocean")
    .describe('"digitalocean" (default) creates the droplet; "existing" uses a node you already run: no droplet, no firewall, addresses from config.');

export function readDomain(src: ConfigSource): string {
    const key = fullKey("domain");
    const typed = src.text("domain");
    if (typed === undefined) {
        src.problems.add(key, "required", "is required: the DNS zone, e.g. pulumi config set domain example.com");
        return "example.invalid";
    }
    return readValue(src.problems, key, domainSchema, typed) ?? "example.invalid";
}

export function readTarget(src: ConfigSource): Target {
    return readValue(src.problems, fullKey("target"), targetSchema, src.text("target")) ?? "digitalocean";
}
