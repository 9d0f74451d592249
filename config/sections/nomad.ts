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
        tls: flag()
            .prefault(false)
            .describe(
                "Nomad's API and RPC over mutual TLS (the agent's tls block, verify_https_client); certificates from nomad tls ca/cert create, in the nomadCaCert, nomadClientCert/Key and nomadServerCert/Key secrets.",
            ),
        reservedMemoryMb: wholeNumber(0, 65536).prefault(512).describe("Memory (MB) the Nomad client keeps for the host, outside scheduling."),
        waitForHealthy: flag().prefault(true).describe("pulumi up waits until each service job's deployment is healthy."),
        adopt: flag()
            .prefault(false)
            .describe("Take over the jobs and variables that already run under the estate's IDs (MIGRATING.md): identical ones are recorded without a write."),
        overwriteAdoptedVariables: flag().prefault(false).describe("With adopt: a variable that exists with other items is overwritten (refused otherwise)."),
    },
    { hints: { token: misplacedSecret("nomadToken") } },
);

/** Nomad's TLS material, PEM, each a secret. */
export interface NomadTlsConfig {
    caCert: Secret;
    clientCert: Secret;
    clientKey: Secret;
    /** The agent's own (target digitalocean: the first boot writes them). */
    serverCert?: Secret;
    serverKey?: Secret;
    /** The name every server certificate of the region carries (`nomad tls cert create -server`). */
    serverName: string;
}

export type NomadConfig = Omit<z.output<typeof nomadSchema>, "address" | "acl" | "tls"> & {
    acl: boolean;
    /** HTTP(S) address the Nomad resources talk to, without a trailing slash. */
    address: string;
    token?: Secret;
    /** With nomad.tls. */
    tls?: NomadTlsConfig;
};

const PEM = {
    nomadCaCert: "CERTIFICATE",
    nomadClientCert: "CERTIFICATE",
    nomadServerCert: "CERTIFICATE",
    nomadClientKey: "PRIVATE KEY",
    nomadServerKey: "PRIVATE KEY",
} as const;

/** The TLS secrets nomad.tls needs, each present and PEM-shaped (checked without echoing a value). */
function readTls(src: ConfigSource, target: Target, region: string, secrets: ReadonlyMap<string, Secret>): NomadTlsConfig | undefined {
    const p = src.problems;
    const needed = [
        "nomadCaCert",
        "nomadClientCert",
        "nomadClientKey",
        ...(target === "digitalocean" ? ["nomadServerCert", "nomadServerKey"] : []),
    ] as (keyof typeof PEM)[];
    for (const key of needed) {
        if (p.has(fullKey(key))) {
            continue;
        }
        const value = src.text(key);
        if (!secrets.has(key) || value === undefined) {
            p.add(
                fullKey(key),
                "secret-required",
                `is required with nomad.tls (see "Nomad over TLS" in the README): pulumi config set --secret ${key} < <file>.pem`,
            );
        } else if (!src.raw.secretsUnread && (!value.includes(`-----BEGIN `) || !value.includes(`${PEM[key]}-----`))) {
            // (Unread secrets, as `npm run render` and the dev images' plan see them, are placeholders: no shape to check.)
            p.add(
                fullKey(key),
                "invalid",
                `is not a PEM ${PEM[key] === "CERTIFICATE" ? "certificate" : "private key"} (expected a -----BEGIN … ${PEM[key]}----- block)`,
            );
        }
    }
    const get = (key: string) => secrets.get(key)!;
    return needed.every((k) => secrets.has(k))
        ? {
              caCert: get("nomadCaCert"),
              clientCert: get("nomadClientCert"),
              clientKey: get("nomadClientKey"),
              serverCert: secrets.get("nomadServerCert"),
              serverKey: secrets.get("nomadServerKey"),
              serverName: `server.${region}.nomad`,
          }
        : undefined;
}

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
    const scheme = nomad.tls ? "https" : "http";
    const address = (nomad.address ?? `${scheme}://${tailscale.address ?? tailscale.hostname}:4646`).replace(/\/$/, "");
    if (nomad.tls && nomad.address && !nomad.address.startsWith("https://")) {
        p.add(fullKey("nomad.address"), "conflict", "must be an https:// address with nomad.tls on");
    }
    const tls = nomad.tls ? readTls(src, target, nomad.region, secrets) : undefined;
    return { ...nomad, acl, address, token, tls };
}
