// The top-level keys of the stack's config, in Hydra's namespace and in the providers'.

export const NAMESPACE = "hydra";

/** `node` → `hydra:node`. */
export function fullKey(short: string): string {
    return `${NAMESPACE}:${short}`;
}

/** Keys holding one string each. */
export const SCALAR_KEYS = ["domain", "target"] as const;

/** Keys holding an object, each read by its own section reader. */
export const OBJECT_KEYS = ["node", "tailscale", "firewall", "nomad", "consul", "cloudflare", "apps", "proxy", "backup", "alerts"] as const;
export type ObjectKey = (typeof OBJECT_KEYS)[number];

/** Provider credentials that live in the providers' own namespaces; they too must be secret. */
export const PROVIDER_SECRETS = {
    "digitalocean:token": "The DigitalOcean provider's API token (or DIGITALOCEAN_TOKEN)",
    "cloudflare:apiToken": "The Cloudflare provider's API token (or CLOUDFLARE_API_TOKEN)",
    "tailscale:apiKey": "The Tailscale provider's API key",
    "tailscale:oauthClientSecret": "The Tailscale provider's OAuth client secret",
} as const;
