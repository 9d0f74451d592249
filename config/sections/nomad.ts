// hydra:nomad: the Nomad agent on the node and how the program talks to it.
import { z } from "zod";
import { flag, text } from "../fields";
import { fullKey } from "../keys";
import { version, word } from "../names";
import { show } from "../problems";
import { readSection, strictObject } from "../readSection";
import { ConfigSource, Secret } from "../source";
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
        version: text(version("1.6.3")).prefault("1.6.3").describe("Nomad package version installed on the node."),
        acl: flag().prefault(false).describe("Turn on Nomad ACLs (bootstrap once, then set nomadToken)."),
        waitForHealthy: flag().prefault(true).describe("pulumi up waits until each service job's deployment is healthy."),
    },
    { hints: { token: misplacedSecret("nomadToken") } },
);

export type NomadConfig = Omit<z.output<typeof nomadSchema>, "address"> & {
    /** HTTP address the Nomad resources talk to, without a trailing slash. */
    address: string;
    token?: Secret;
};

export function readNomad(src: ConfigSource, tailscale: TailscaleConfig, secrets: ReadonlyMap<string, Secret>): NomadConfig {
    const p = src.problems;
    const nomad = readSection(p, fullKey("nomad"), nomadSchema, src.object("nomad"));
    const token = secrets.get("nomadToken");
    if (nomad.acl && !token && !p.has(fullKey("nomadToken"))) {
        p.add(
            fullKey("nomadToken"),
            "secret-required",
            "is required with nomad.acl: after `nomad acl bootstrap`, pulumi config set --secret nomadToken <secret id>",
        );
    }
    const address = (nomad.address ?? `http://${tailscale.address ?? tailscale.hostname}:4646`).replace(/\/$/, "");
    return { ...nomad, address, token };
}
