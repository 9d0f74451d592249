// `npm run dev -- --tls`: the dev agent serves Nomad's API and RPC over mutual TLS, with a CA and
// certificates made by `nomad tls ca create` and `nomad tls cert create`, as the README tells an
// operator to make them. They stay in the agent folder across runs (and `--down`).
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { AgentTls } from "./agent";
import type { AgentReach } from "./nomadApi";

export interface DevCertificates {
    dir: string;
    ca: string;
    /** The agent's own (`-server`). */
    serverCert: string;
    serverKey: string;
    /** What the stack, Prometheus and the CLI show Nomad (`-cli`). */
    cliCert: string;
    cliKey: string;
    /** The name every server certificate of the region carries. */
    serverName: string;
}

export function devCertificateFiles(agentDir: string, region: string): DevCertificates {
    const dir = path.join(agentDir, "tls");
    const f = (name: string) => path.join(dir, name);
    return {
        dir,
        ca: f("nomad-agent-ca.pem"),
        serverCert: f(`${region}-server-nomad.pem`),
        serverKey: f(`${region}-server-nomad-key.pem`),
        cliCert: f(`${region}-cli-nomad.pem`),
        cliKey: f(`${region}-cli-nomad-key.pem`),
        serverName: `server.${region}.nomad`,
    };
}

/** Whether an earlier run's certificates are all there. */
export function hasDevCertificates(agentDir: string, region: string): boolean {
    const c = devCertificateFiles(agentDir, region);
    return [c.ca, c.serverCert, c.serverKey, c.cliCert, c.cliKey].every((x) => fs.existsSync(x));
}

/** The certificates of an earlier run, or new ones (a new CA too, when any file is missing). */
export function ensureDevCertificates(nomad: string, agentDir: string, region: string): { certs: DevCertificates; created: boolean } {
    const certs = devCertificateFiles(agentDir, region);
    if (hasDevCertificates(agentDir, region)) {
        return { certs, created: false };
    }
    fs.rmSync(certs.dir, { recursive: true, force: true });
    fs.mkdirSync(certs.dir, { recursive: true, mode: 0o700 });
    for (const args of [
        ["ca", "create"],
        ["cert", "create", "-server", "-region", region],
        ["cert", "create", "-cli", "-region", region],
    ]) {
        execFileSync(nomad, ["tls", ...args], { cwd: certs.dir, stdio: "pipe" });
    }
    return { certs, created: true };
}

export const agentTls = (c: DevCertificates): AgentTls => ({ caFile: c.ca, certFile: c.serverCert, keyFile: c.serverKey, serverName: c.serverName });

const pem = (file: string) => fs.readFileSync(file, "utf8");

/** How the dev tools reach the agent: as the CLI does, with the CLI certificate. */
export const cliReach = (c: DevCertificates): AgentReach => ({
    tls: { caCert: pem(c.ca), clientCert: pem(c.cliCert), clientKey: pem(c.cliKey), serverName: c.serverName },
});

/** The stack's TLS secrets (nomad.tls), PEM, by key. */
export function devTlsSecrets(c: DevCertificates): Record<string, string> {
    return {
        nomadCaCert: pem(c.ca),
        nomadClientCert: pem(c.cliCert),
        nomadClientKey: pem(c.cliKey),
        nomadServerCert: pem(c.serverCert),
        nomadServerKey: pem(c.serverKey),
    };
}

/** What a shell needs for the nomad CLI to reach the agent. */
export function cliEnv(c: DevCertificates, address: string): Record<string, string> {
    return { NOMAD_ADDR: address, NOMAD_CACERT: c.ca, NOMAD_CLIENT_CERT: c.cliCert, NOMAD_CLIENT_KEY: c.cliKey, NOMAD_TLS_SERVER_NAME: c.serverName };
}

/**
 * Why this run may not go on, when an estate that is up was deployed the other way (with or without
 * --tls): its resources record the old address and TLS settings, which the new agent would refuse
 * on the first refresh. Undefined when the mode is the same or nothing is deployed.
 */
export function modeSwitchProblem(wasTls: boolean, tls: boolean, resources: number): string | undefined {
    if (wasTls === tls || resources === 0) {
        return undefined;
    }
    const [now, then] = tls ? ["with --tls", "without TLS"] : ["without --tls", "with TLS (--tls)"];
    return (
        `the dev estate is up ${then}, and its ${resources} resources record how they reach Nomad; it cannot be switched in place.\n` +
        `Tear it down first, then start it ${now}: npm run dev -- --down && npm run dev${tls ? " -- --tls" : ""}\n` +
        `(or keep it as it is: npm run dev${wasTls ? " -- --tls" : ""})`
    );
}
