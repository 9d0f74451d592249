import { SecretRef } from "./secrets";
import { Visibility } from "./visibility";

/** A route once its app and zone are known: what DNS and the proxies consume. */
export interface Route {
    app: string;
    /** Relative to the zone, e.g. "git". */
    hostname: string;
    fqdn: string;
    visibility: Visibility;
    /** The Nomad service the proxy sends traffic to. */
    service: string;
    proxied: boolean;
    /** A name only (e.g. SSH on a static port): a DNS record but no proxy site. */
    dnsOnly: boolean;
}

/** A site that is not an app: the Nomad (or Consul) UI on the node itself. Always internal. */
export interface AdminRoute {
    /** Relative to the zone, e.g. "nomad". */
    hostname: string;
    fqdn: string;
    /** The agent's port on the node's tailnet address. */
    port: number;
}

/** A metrics endpoint Prometheus finds through service discovery. */
export interface ScrapeTarget {
    job: string;
    service: string;
    path: string;
    /** The bearer token the endpoint demands, as a reference to the declaring app's secret. */
    token?: SecretRef;
}
