/**
 * The wire under ./http: one HTTP(S) exchange over Node's own `http`/`https`.
 *
 * Not `fetch`: Node's built-in fetch takes no CA, client certificate or
 * skip-verify per request unless handed an undici `Agent`, and undici is no
 * dependency of ours. An `https.Agent` takes them per connection, so nothing is
 * set process-wide (no NODE_EXTRA_CA_CERTS, no NODE_TLS_REJECT_UNAUTHORIZED).
 *
 * Serialized with the providers: Node built-ins only.
 */
import * as crypto from "crypto";
import * as http from "http";
import * as https from "https";

/** Connections per agent: well under Nomad's default of 100 per client address (limits.http_max_conns_per_client). */
const MAX_SOCKETS = 32;

/** How to speak TLS to Nomad, as the Nomad CLI's NOMAD_CACERT / NOMAD_CLIENT_CERT / ... do. */
export interface NomadTls {
    /** CA certificate(s) to trust, PEM. Default: Node's bundled public CAs. */
    caCert?: string;
    /** Client certificate, PEM (mTLS: an agent with `verify_https_client`). */
    clientCert?: string;
    /** Its private key, PEM. A secret: never logged. */
    clientKey?: string;
    /** The name the server's certificate must carry, when it is not the address's host (e.g. "server.global.nomad"). */
    serverName?: string;
    /** Accept any server certificate. Insecure: a warning is logged. */
    skipVerify?: boolean;
}

export interface Exchange {
    method: string;
    url: string;
    headers: Record<string, string>;
    body?: string;
    timeoutMs: number;
}

export interface Reply {
    status: number;
    statusText: string;
    text: string;
}

/**
 * One keep-alive agent per origin and TLS settings, shared by every client of the process (a
 * provider makes a client per call): connections are reused, as fetch's pool did. An agent per
 * client kept its idle sockets open until Nomad dropped them, and a busy `up` reached Nomad's
 * 100 connections per client (`429 Your IP is issuing too many concurrent connections`).
 * The map lives on globalThis: module values are not serialized with the providers.
 */
export function agentFor(address: string, tls: NomadTls | undefined): http.Agent {
    const secure = /^https:/i.test(address);
    const key = crypto
        .createHash("sha256")
        .update(`${new URL(address).origin}\0${secure ? JSON.stringify(tls ?? {}) : ""}`)
        .digest("hex");
    const g = globalThis as { __nomadAgents?: Map<string, http.Agent> };
    const agents = (g.__nomadAgents ??= new Map());
    let agent = agents.get(key);
    if (!agent) {
        agent = secure
            ? new https.Agent({
                  keepAlive: true,
                  maxSockets: MAX_SOCKETS,
                  ca: tls?.caCert || undefined,
                  cert: tls?.clientCert || undefined,
                  key: tls?.clientKey || undefined,
                  // SNI, and the name the certificate is checked against (instead of the address's host).
                  servername: tls?.serverName || undefined,
                  rejectUnauthorized: !tls?.skipVerify,
              })
            : new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS });
        agents.set(key, agent);
    }
    return agent;
}

/** Sends one request and reads the whole reply; rejects on network, TLS and timeout failures. */
export function exchange(agent: http.Agent, x: Exchange): Promise<Reply> {
    const url = new URL(x.url);
    const mod = url.protocol === "https:" ? https : http;
    return new Promise<Reply>((resolve, reject) => {
        const headers: Record<string, string> = { ...x.headers };
        if (x.body !== undefined) {
            headers["Content-Length"] = String(Buffer.byteLength(x.body));
        }
        const req = mod.request(url, { method: x.method, headers, agent, signal: AbortSignal.timeout(x.timeoutMs) }, (res) => {
            const chunks: Buffer[] = [];
            res.on("data", (c: Buffer) => chunks.push(c));
            res.on("error", reject);
            res.on("aborted", () => reject(Object.assign(new Error("the connection closed mid-reply"), { code: "ECONNRESET" })));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? "", text: Buffer.concat(chunks).toString("utf8") }));
        });
        req.on("error", reject);
        req.end(x.body);
    });
}
