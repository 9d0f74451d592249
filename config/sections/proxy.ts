// hydra:proxy: the two Caddy proxies and where their certificates come from.
import { z } from "zod";
import { imageProblem } from "../../vocabulary/image";
import { flag, oneOf, text } from "../fields";
import { fullKey } from "../keys";
import { show } from "../problems";
import { readSection, strictObject } from "../readSection";
import { ConfigSource, Secret } from "../source";
import { AppSettings } from "./apps";

/** A Caddy build with the Cloudflare DNS module, pinned. */
export const DEFAULT_CADDY_IMAGE = "ghcr.io/caddybuilds/caddy-cloudflare:2.10.2";

export const TLS_MODES = ["cloudflare", "internal"] as const;

export const proxySchema = strictObject({
    enabled: flag().prefault(true).describe("Run the proxies."),
    image: text(imageProblem).prefault(DEFAULT_CADDY_IMAGE).describe("A Caddy image with the Cloudflare DNS module, pinned."),
    acmeEmail: text((e) => (/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/.test(e) ? undefined : `${show(e)} is not an e-mail address`))
        .optional()
        .describe("ACME account e-mail."),
    tls: oneOf(TLS_MODES, (v) => `${show(v)} is not "cloudflare" (public certificates through DNS-01) or "internal" (Caddy's own CA, no public DNS needed)`)
        .prefault("cloudflare")
        .describe(
            'Where certificates come from: "cloudflare" (default; DNS-01 with cloudflareDnsToken) or "internal" (Caddy\'s local CA, for LAN-only estates).',
        ),
});

export type ProxyConfig = z.output<typeof proxySchema> & {
    /** Token Caddy uses for DNS-01 (Zone:DNS:Edit); required with tls "cloudflare". */
    cloudflareToken?: Secret;
};

export function readProxy(src: ConfigSource, apps: Record<string, AppSettings>, secrets: ReadonlyMap<string, Secret>): ProxyConfig {
    const p = src.problems;
    const proxy = readSection(p, fullKey("proxy"), proxySchema, src.object("proxy"));
    const cloudflareToken = secrets.get("cloudflareDnsToken");
    const serving = proxy.enabled && Object.values(apps).some((a) => a.enabled);
    if (serving && proxy.tls === "cloudflare" && !cloudflareToken && !p.has(fullKey("cloudflareDnsToken"))) {
        const why = 'for the proxies\' DNS-01 certificates (or set proxy.tls "internal")';
        p.add(fullKey("cloudflareDnsToken"), "secret-required", `is required ${why}: pulumi config set --secret cloudflareDnsToken <value>`);
    }
    return { ...proxy, cloudflareToken };
}
