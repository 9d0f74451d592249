// Secrets: each its own top-level key, so that Pulumi can tell it was set with --secret.
// The estate's own are declared here; each app declares its own (vocabulary/app.ts).
import { AppDeclaration } from "../../vocabulary/app";
import { SecretDeclaration, SecretLookup } from "../../vocabulary/secrets";
import { fullKey } from "../keys";
import { FieldHint } from "../readSection";
import { ConfigSource, Secret } from "../source";
import { AppSettings } from "./apps";

/** The secrets the estate itself reads (no app's); when each is required is decided with the section that uses it. */
export const ESTATE_SECRETS: readonly SecretDeclaration[] = [
    {
        key: "tailscaleAuthKey",
        description: "Tailscale auth key the node joins with; required on DigitalOcean unless tailscaleApiKey is set",
        example: "tskey-auth-…",
    },
    {
        key: "tailscaleApiKey",
        description: "Tailscale API key, used to mint the node's one-off, pre-authorised auth key (needs tailscale.tailnet)",
        example: "tskey-api-…",
    },
    {
        key: "nomadToken",
        description:
            "Nomad ACL token the Nomad resources use; required with nomad.acl (on by default on DigitalOcean, where the first boot bootstraps the ACLs with it, so it must be a UUID)",
        example: '"$(uuidgen)"',
    },
    {
        key: "nomadGossipKey",
        description: "Encrypts the Nomad servers' gossip when the estate has more than one node (standard base64 of 32 bytes); generated when unset",
        example: '"$(openssl rand -base64 32)"',
    },
    {
        key: "nomadCaCert",
        description: "With nomad.tls: the CA certificate (PEM) of Nomad's TLS, from `nomad tls ca create` (nomad-agent-ca.pem)",
        example: "< nomad-agent-ca.pem",
    },
    {
        key: "nomadClientCert",
        description: "With nomad.tls: the certificate (PEM) the program and Prometheus present to Nomad, from `nomad tls cert create -cli`",
        example: "< global-cli-nomad.pem",
    },
    { key: "nomadClientKey", description: "With nomad.tls: that certificate's private key (PEM)", example: "< global-cli-nomad-key.pem" },
    {
        key: "nomadServerCert",
        description: "With nomad.tls on DigitalOcean: the agent's certificate (PEM), from `nomad tls cert create -server`, written by the first boot",
        example: "< global-server-nomad.pem",
    },
    { key: "nomadServerKey", description: "With nomad.tls on DigitalOcean: the agent's private key (PEM)", example: "< global-server-nomad-key.pem" },
    { key: "consulGossipKey", description: "Consul gossip encryption key (consul keygen); generated when unset", example: '"$(consul keygen)"' },
    {
        key: "cloudflareDnsToken",
        description: "Cloudflare API token (Zone:DNS:Edit) the proxies use for DNS-01 certificates; required when any app runs and proxy.tls is cloudflare",
        example: "…",
    },
];

/** Every secret the estate and the given apps declare, each key once: for generators (README, Pulumi.yaml, the stack schema). */
export function allSecretDeclarations(apps: readonly AppDeclaration[]): SecretDeclaration[] {
    const all = [...ESTATE_SECRETS, ...apps.flatMap((app) => app.secrets ?? [])];
    return all.filter((d, i) => all.findIndex((other) => other.key === d.key) === i);
}

/** What to say about a secret typed into an object (`tailscale.authKey`). */
export function misplacedSecret(key: string): FieldHint {
    return { code: "misplaced-secret", message: `secrets are top-level keys: pulumi config set --secret ${key} <key>` };
}

/** Reads every declared secret config sets, by key; one in plain text is a problem instead. */
export function readSecrets(src: ConfigSource, declarations: readonly SecretDeclaration[]): Map<string, Secret> {
    const secrets = new Map<string, Secret>();
    for (const { key } of declarations) {
        const value = src.secret(key);
        if (value) {
            secrets.set(key, value);
        }
    }
    return secrets;
}

/** A required secret of an enabled app that config lacks is a problem (unless `when` says it is not needed). */
export function requireAppSecrets(
    src: ConfigSource,
    apps: readonly AppDeclaration[],
    settings: Record<string, AppSettings>,
    secrets: Map<string, Secret>,
): void {
    // `when` reads other secrets' values to decide, e.g. B2 keys only for a b2: repository.
    const lookup: SecretLookup = (key) => src.text(key);
    for (const app of apps.filter((a) => settings[a.name]?.enabled)) {
        for (const { key, required } of app.secrets ?? []) {
            if (!required || secrets.has(key) || src.problems.has(fullKey(key)) || (required.when && !required.when(lookup))) {
                continue;
            }
            src.problems.add(fullKey(key), "secret-required", `is required ${required.why}: pulumi config set --secret ${key} <value>`);
        }
    }
}
