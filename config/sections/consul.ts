// hydra:consul: the optional single-server Consul.
import { z } from "zod";
import { flag, text } from "../fields";
import { fullKey } from "../keys";
import { version } from "../names";
import { readSection, strictObject } from "../readSection";
import { ConfigSource, Secret } from "../source";
import { misplacedSecret } from "./secrets";

export const consulSchema = strictObject(
    {
        enabled: flag().prefault(false).describe("Run a single-server Consul; Nomad's own service discovery is the default."),
        version: text(version("1.16.3")).prefault("1.16.3").describe("Consul package version installed on the node."),
    },
    { hints: { gossipKey: misplacedSecret("consulGossipKey") } },
);

export type ConsulConfig = z.output<typeof consulSchema> & {
    /** Gossip encryption key (`consul keygen`); generated when unset. */
    gossipKey?: Secret;
};

export function readConsul(src: ConfigSource, secrets: ReadonlyMap<string, Secret>): ConsulConfig {
    const consul = readSection(src.problems, fullKey("consul"), consulSchema, src.object("consul"));
    return { ...consul, gossipKey: secrets.get("consulGossipKey") };
}
