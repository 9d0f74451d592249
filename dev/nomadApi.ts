// The dev tools' reads of Nomad's API go through the project's own client, so that an agent
// with mTLS (`npm run dev -- --tls`) or ACLs answers them as it answers `pulumi up`.
import { connection, send } from "../nomad/http";

/** How a caller reaches an agent that has TLS or ACLs on (PEM text, not file names). */
export interface AgentReach {
    token?: string;
    tls?: { caCert?: string; clientCert?: string; clientKey?: string; serverName?: string };
}

/** One GET, no retries (callers poll); Nomad's own message when it fails. */
export async function nomadGet<T>(address: string, path: string, reach: AgentReach = {}, timeoutSeconds = 5): Promise<T> {
    const res = await send(connection({ address, ...reach, retryTimeoutSeconds: 0, requestTimeoutSeconds: timeoutSeconds }), { method: "GET", path });
    return JSON.parse(res.text) as T;
}
