// Real Nomad dev agents for integration suites: on free ports, so parallel suites do not meet; and certificates made by `nomad tls` itself.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as net from "net";
import * as path from "path";
import type { AgentTls } from "../../dev/agent";

/** Three free consecutive ports (HTTP, RPC, Serf), so parallel runs on one machine do not meet. */
export async function freePorts(): Promise<number> {
    const free = (port: number) =>
        new Promise<boolean>((resolve) => {
            const s = net.createServer();
            s.once("error", () => resolve(false));
            s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
        });
    for (let i = 0; i < 50; i++) {
        const base = 20000 + Math.floor(Math.random() * 20000);
        if ((await free(base)) && (await free(base + 1)) && (await free(base + 2))) {
            return base;
        }
    }
    throw new Error("no three free consecutive ports found for a Nomad dev agent");
}

export interface Certificates {
    /** The agent's: CA, server certificate and key. */
    agent: AgentTls;
    /** PEM files of a CLI certificate (`nomad tls cert create -cli`). */
    cli: { certFile: string; keyFile: string };
    /** A CA the agent does not trust, and a CLI certificate it signed. */
    foreign: { caFile: string; certFile: string; keyFile: string };
}

/** What the README tells operators to run: `nomad tls ca create`, then `nomad tls cert create -server` and `-cli`. */
export function makeCertificates(nomad: string, dir: string, region = "global"): Certificates {
    const run = (cwd: string, args: string[]) => execFileSync(nomad, args, { cwd, stdio: "pipe" });
    const ours = path.join(dir, "ours");
    const theirs = path.join(dir, "foreign");
    for (const d of [ours, theirs]) {
        fs.mkdirSync(d, { recursive: true });
        run(d, ["tls", "ca", "create"]);
        run(d, ["tls", "cert", "create", "-cli", "-region", region]);
    }
    run(ours, ["tls", "cert", "create", "-server", "-region", region]);
    const f = (d: string, name: string) => path.join(d, name);
    return {
        agent: { caFile: f(ours, "nomad-agent-ca.pem"), certFile: f(ours, `${region}-server-nomad.pem`), keyFile: f(ours, `${region}-server-nomad-key.pem`) },
        cli: { certFile: f(ours, `${region}-cli-nomad.pem`), keyFile: f(ours, `${region}-cli-nomad-key.pem`) },
        foreign: { caFile: f(theirs, "nomad-agent-ca.pem"), certFile: f(theirs, `${region}-cli-nomad.pem`), keyFile: f(theirs, `${region}-cli-nomad-key.pem`) },
    };
}
