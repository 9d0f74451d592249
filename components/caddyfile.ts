// The Caddyfiles of the two proxies, as a pure function of the routes.
// "template" mode is what Nomad renders on the node (upstreams from service
// discovery); "concrete" mode fills in fixed upstreams so `caddy adapt` can check it.
import { AdminRoute, discoveryFunction, Route, ServiceProvider, Visibility } from "../vocabulary";

/** Where the Cloudflare token reaches Caddy: an env var filled from the proxy's Nomad Variable. */
export const CLOUDFLARE_TOKEN_ENV = "CLOUDFLARE_API_TOKEN";

export interface CaddyfileOptions {
    visibility: Visibility;
    routes: Route[];
    adminRoutes?: AdminRoute[];
    provider: ServiceProvider;
    acmeEmail?: string;
    mode: "template" | "concrete";
    /** Concrete mode: service name → upstreams ("host:port"); missing ones get a 503 site. */
    upstreams?: Record<string, string[]>;
    /** Concrete mode: the node's tailnet address standing in for the admin routes' host. */
    nodeAddress?: string;
    /** "cloudflare" (default): certificates by DNS-01; "internal": Caddy's own local CA, for estates no ACME server can see. */
    tls?: TlsMode;
}

/** The TLS line every site imports: DNS-01 through Cloudflare, which also works for tailnet-only names. */
export function dnsChallengeLine(): string {
    return `dns cloudflare {env.${CLOUDFLARE_TOKEN_ENV}}`;
}

/** The host-port env var Nomad sets for the proxy's HTTPS port on the tailnet: the node's tailnet address. */
const NODE_TAILNET_IP = '{{ env "NOMAD_IP_internal_https" }}';

function upstreamBlock(route: Route, o: CaddyfileOptions): string[] {
    if (o.mode === "concrete") {
        const ups = o.upstreams?.[route.service] ?? [];
        return ups.length ? [`\treverse_proxy ${ups.join(" ")}`] : [`\trespond "${route.service} is not running" 503`];
    }
    const fn = discoveryFunction(o.provider);
    // No instance yet (first deploy, or the app is restarting): answer 503 instead of failing the whole config.
    return [
        `\t{{- $up := ${fn} "${route.service}" }}`,
        "\t{{- if $up }}",
        "\treverse_proxy{{ range $up }} {{ .Address }}:{{ .Port }}{{ end }}",
        "\t{{- else }}",
        `\trespond "${route.service} is not running" 503`,
        "\t{{- end }}",
    ];
}

/** How the proxies get certificates. */
export type TlsMode = "cloudflare" | "internal";

export function renderCaddyfile(o: CaddyfileOptions): string {
    const internalCa = o.tls === "internal";
    const snippet = internalCa ? "tls_internal" : "tls_cloudflare";
    const routes = o.routes.filter((r) => r.visibility === o.visibility && !r.dnsOnly).sort((a, b) => a.fqdn.localeCompare(b.fqdn));
    const admin = o.visibility === "internal" ? [...(o.adminRoutes ?? [])].sort((a, b) => a.fqdn.localeCompare(b.fqdn)) : [];
    const lines: string[] = [
        `# Managed by Hydra: the ${o.visibility} proxy. Rendered by Nomad; upstreams come from service discovery.`,
        "{",
        "\tadmin localhost:2019",
        ...(o.acmeEmail ? [`\temail ${o.acmeEmail}`] : []),
        "}",
        "",
        `(${snippet}) {`,
        "\ttls {",
        ...(internalCa ? ["\t\tissuer internal"] : [`\t\t${dnsChallengeLine()}`]),
        "\t}",
        "}",
    ];
    for (const r of routes) {
        lines.push("", `${r.fqdn} {`, `\timport ${snippet}`, "\tencode zstd gzip", ...upstreamBlock(r, o), "}");
    }
    for (const a of admin) {
        const host = o.mode === "concrete" ? (o.nodeAddress ?? "100.64.0.1") : NODE_TAILNET_IP;
        lines.push("", `${a.fqdn} {`, `\timport ${snippet}`, `\treverse_proxy ${host}:${a.port}`, "}");
    }
    return lines.join("\n") + "\n";
}
