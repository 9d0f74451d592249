// The `curl` lines `npm run dev` prints: one per URL of the `urls` output, resolved to the
// proxy that serves it (public names → the public stand-in, internal ones → the tailnet
// stand-in) and trusting that proxy's own local CA, since the dev stack uses proxy.tls internal.
import * as fs from "fs";
import * as path from "path";
import { APPS } from "../apps";
import { planApps } from "../apps/plan";
import { stackRawConfig, validateForRender } from "../render/renderStack";
import { Visibility } from "../vocabulary";

export interface CurlTarget {
    app: string;
    url: string;
    host: string;
    visibility: Visibility;
    /** The address the proxy of that visibility listens on. */
    address: string;
    /** That proxy's local CA root. */
    caCert: string;
    /** The command, ready for a shell. */
    line: string;
}

/** Where Caddy keeps its local CA's root under the proxy's data folder (its /data, XDG_DATA_HOME). */
export function caRoot(dataDir: string, visibility: Visibility): string {
    return path.join(dataDir, "caddy", visibility, "caddy", "pki", "authorities", "local", "root.crt");
}

/** Host name → the proxy that serves it, from the stack file's config (the same plan `pulumi up` makes). */
export function siteVisibilities(stackFile: string): Map<string, Visibility> {
    const { cfg } = validateForRender(stackRawConfig(stackFile), APPS);
    const plan = planApps(cfg, APPS);
    const out = new Map<string, Visibility>();
    for (const r of plan.routes.filter((x) => !x.dnsOnly)) {
        out.set(r.fqdn, r.visibility);
    }
    for (const a of plan.adminRoutes) {
        out.set(a.fqdn, "internal");
    }
    return out;
}

const quote = (s: string) => (/^[\w./:@%+=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/** One line per https URL; a URL whose host no proxy serves is an error (the output and the plan disagree). */
export function curlTargets(
    urls: Record<string, string[]>,
    sites: Map<string, Visibility>,
    o: { publicAddress: string; tailnetAddress: string; dataDir: string },
): CurlTarget[] {
    const out: CurlTarget[] = [];
    for (const app of Object.keys(urls).sort()) {
        for (const url of urls[app].filter((u) => u.startsWith("https://"))) {
            const u = new URL(url);
            const visibility = sites.get(u.hostname);
            if (!visibility) {
                throw new Error(`${url} (app ${app}): no proxy site serves ${u.hostname}`);
            }
            const address = visibility === "public" ? o.publicAddress : o.tailnetAddress;
            const caCert = caRoot(o.dataDir, visibility);
            const port = u.port || "443";
            // -L: the Nomad UI route answers / with a redirect to /ui/.
            const line = ["curl", "-L", "--resolve", `${u.hostname}:${port}:${address}`, "--cacert", caCert, url].map(quote).join(" ");
            out.push({ app, url, host: u.hostname, visibility, address, caCert, line });
        }
    }
    return out;
}

/** Waits until each proxy has made its local CA (Caddy does it when it first issues a certificate). */
export async function waitForCaRoots(files: string[], timeoutMs: number): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    let missing = [...new Set(files)];
    while (missing.length && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 500));
        missing = missing.filter((f) => !fs.existsSync(f));
    }
    return missing;
}
