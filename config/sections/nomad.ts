// hydra:nomad: the Nomad agent on the node and how the program talks to it.
import { z } from "zod";
import { flag, text, wholeNumber } from "../fields";
import { fullKey } from "../keys";
import { version, word } from "../names";
import { show } from "../problems";
import { readSection, strictObject } from "../readSection";
import { ConfigSource, Secret } from "../source";
import { Target } from "./estate";
import { misplacedSecret } from "./secrets";
import { TailscaleConfig } from "./tailscale";

/** An http(s) URL of a host and port only: the Nomad API's base address. */
function apiAddress(s: string): string | undefined {
    const wrong = `${show(s)} is not an http(s) URL such as "http://100.101.102.103:4646"`;
    if (!URL.canParse(s) || /\s/.test(s)) {
        return wrong;
    }
    const url = new URL(s);
    const baseOnly = url.pathname === "/" && !url.search && !url.hash && !url.username && !url.password;
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "" && baseOnly ? undefined : wrong;
}

/**
 * The Nomad release a droplet installs: a supported one (HashiCorp supports the latest three
 * minor releases; 1.6.x is end of life with published advisories). The tests run their own
 * Nomad build (see README), which stays at 1.6.3.
 */
export const NOMAD_VERSION = "1.11.2";

export const nomadSchema = strictObject(
    {
        datacenter: text(word('a Nomad datacenter name (letters, digits, "-", "_")', /^[a-zA-Z0-9_-]+$/))
            .prefault("hydra")
            .describe("Nomad datacenter."),
        region: text(word("a Nomad region name", /^[a-zA-Z0-9_-]+$/))
            .prefault("global")
            .describe("Nomad region."),
        namespace: text(word("a Nomad namespace name", /^[a-zA-Z0-9-]{1,128}$/))
            .prefault("default")
            .describe("Nomad namespace of the jobs."),
        address: text(apiAddress).optional().describe("The Nomad API the Nomad resources call (default http://<tailscale.address or hostname>:4646)."),
        version: text(version(NOMAD_VERSION))
            .prefault(NOMAD_VERSION)
            .describe(`Nomad package version installed on the node (default ${NOMAD_VERSION}, a supported release).`),
        acl: flag().optional().describe("Nomad ACLs; on by default for a droplet (its first boot bootstraps them with nomadToken), off for target existing."),
        reservedMemoryMb: wholeNumber(0, 65536).prefault(512).describe("Memory (MB) the Nomad client keeps for the host, outside scheduling."),
        waitForHealthy: flag().prefault(true).describe("pulumi up waits until each service job's deployment is healthy."),
        adopt: flag()
            .prefault(false)
            .describe("Take over the jobs and variables that already run under the estate's IDs (MIGRATING.md): identical ones are recorded without a write."),
        overwriteAdoptedVariables: flag().prefault(false).describe("With adopt: a variable that exists with other items is overwritten (refused otherwise)."),
    },
    { hints: { token: misplacedSecret("nomadToken") } },
);

export type NomadConfig = Omit<z.output<typeof nomadSchema>, "address" | "acl"> & {
    acl: boolean;
    /** HTTP address the Nomad resources talk to, without a trailing slash. */
    address: string;
    token?: Secret;
};

export function readNomad(src: ConfigSource, target: Target, tailscale: TailscaleConfig, secrets: ReadonlyMap<string, Secret>): NomadConfig {
    const p = src.problems;
    const nomad = readSection(p, fullKey("nomad"), nomadSchema, src.object("nomad"));
    const token = secrets.get("nomadToken");
    // A droplet's Nomad API is on the tailnet with raw_exec on: without ACLs, any tailnet peer runs commands as root.
    const acl = nomad.acl ?? target === "digitalocean";
    if (acl && !token && !p.has(fullKey("nomadToken"))) {
        const how =
            target === "digitalocean"
                ? "pulumi config set --secret nomadToken \"$(uuidgen)\" (a UUID: the droplet's first boot bootstraps Nomad's ACLs with it), or set nomad.acl false"
                : "after `nomad acl bootstrap`, pulumi config set --secret nomadToken <secret id>";
        p.add(fullKey("nomadToken"), "secret-required", `is required with nomad.acl (on by default for a droplet): ${how}`);
    }
    const address = (nomad.address ?? `http://${tailscale.address ?? tailscale.hostname}:4646`).replace(/\/$/, "");
    return { ...nomad, acl, address, token };
}
