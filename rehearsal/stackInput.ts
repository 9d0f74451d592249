// What the rehearsal boots and checks, taken from what the program renders for a stack:
// the user-data, the host networks the agent config names, and the apps' data folders.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { RawConfig } from "../config";
import { renderStack } from "../render/renderStack";
import { DataFolder, NomadTlsCheck } from "./checks";

export interface RehearsalInput {
    stack: string;
    userData: string;
    hostNetworks: string[];
    dataFolders: DataFolder[];
    /** The ACL token the first boot bootstraps Nomad with (when ACLs are on): the checks call the API with it. */
    nomadToken?: string;
    /** With nomad.tls: the checks call the API over mutual TLS. */
    tls?: NomadTlsCheck;
}

/** PEM text of certificates made with `nomad tls ca create` / `nomad tls cert create`, for a nomad.tls rehearsal. */
export interface RehearsalTls {
    caCert: string;
    serverCert: string;
    serverKey: string;
    clientCert: string;
    clientKey: string;
}

/**
 * The nomad version the stand-in package carries: the binary the tools script builds and caches.
 * The rehearsal pins it in the stack, so the package the user-data asks for is the binary it gets.
 */
export const REHEARSAL_NOMAD_VERSION = "1.6.3";
/** A fixed test value, never a real token: the first boot's `nomad acl bootstrap` takes it as the management token. */
export const REHEARSAL_NOMAD_TOKEN = "0e5a1d2c-7b3f-4c9e-8a61-5d4f3b2a1c0e";

/** The stack's config with the rehearsal's nomad version and bootstrap token (and, for a TLS rehearsal, nomad.tls). */
export function rehearsalConfig(raw: RawConfig, tls?: RehearsalTls): void {
    const nomad = raw.values["hydra:nomad"] ? (JSON.parse(raw.values["hydra:nomad"]) as Record<string, unknown>) : {};
    raw.values["hydra:nomad"] = JSON.stringify({ ...nomad, version: REHEARSAL_NOMAD_VERSION, ...(tls ? { tls: true } : {}) });
    raw.values["hydra:nomadToken"] = REHEARSAL_NOMAD_TOKEN;
    const secrets = ["hydra:nomadToken"];
    if (tls) {
        const pem = {
            nomadCaCert: tls.caCert,
            nomadServerCert: tls.serverCert,
            nomadServerKey: tls.serverKey,
            nomadClientCert: tls.clientCert,
            nomadClientKey: tls.clientKey,
        };
        for (const [key, value] of Object.entries(pem)) {
            raw.values[`hydra:${key}`] = value;
            secrets.push(`hydra:${key}`);
        }
    }
    raw.secretKeys = new Set([...raw.secretKeys, ...secrets]);
}

interface RenderedTask {
    Name: string;
    Driver: string;
    Config?: { mount?: { type: string; source: string }[]; args?: string[] };
}
interface RenderedJob {
    Job: { TaskGroups: { Tasks: RenderedTask[] }[] };
}

/**
 * Every host folder under `dataDir` a job binds into a container, with the owner its own-data
 * task gives it, else root (0:0): what the first boot makes (components/dataFolders.ts), read
 * back from the rendered jobs rather than from the same code.
 */
export function dataFolders(jobs: RenderedJob[], dataDir: string): DataFolder[] {
    const folders = new Map<string, DataFolder>();
    for (const task of jobs.flatMap((j) => j.Job.TaskGroups.flatMap((g) => g.Tasks))) {
        for (const m of task.Config?.mount ?? []) {
            if (m.type === "bind" && (m.source === dataDir || m.source.startsWith(`${dataDir}/`))) {
                folders.set(m.source, folders.get(m.source) ?? { path: m.source, owner: "0:0" });
            }
        }
        if (task.Name === "own-data") {
            // args: ["-c", script, "own-data", path, owner, path, owner, …]
            const pairs = (task.Config?.args ?? []).slice(3);
            for (let i = 0; i + 1 < pairs.length; i += 2) {
                folders.set(pairs[i], { path: pairs[i], owner: pairs[i + 1] });
            }
        }
    }
    return [...folders.values()].sort((a, b) => a.path.localeCompare(b.path));
}

export function hostNetworkNames(nomadHcl: string): string[] {
    return [...nomadHcl.matchAll(/host_network\s+"([^"]+)"/g)].map((m) => m[1]);
}

/**
 * Renders `stack` with the rehearsal's nomad version and test token; other secrets are
 * placeholders (the stand-in Tailscale takes any key).
 */
export async function stackInput(projectDir: string, stack: string, tls?: RehearsalTls): Promise<RehearsalInput> {
    const { files } = await renderStack({ projectDir, stack, adjustConfig: (raw) => rehearsalConfig(raw, tls) });
    const userData = files.get("node/user-data.yaml");
    const nomadHcl = files.get("node/nomad.hcl");
    if (!userData || !nomadHcl) {
        throw new Error(`the ${stack} stack renders no node user-data (is its target a droplet?)`);
    }
    // The data folder is where the user-data mounts the volume.
    const mounts = (YAML.parse(userData) as { mounts?: string[][] }).mounts;
    const dataDir = mounts?.[0]?.[1] ?? "/data";
    const jobs = [...files.entries()].filter(([f]) => f.startsWith("jobs/")).map(([, text]) => JSON.parse(text) as RenderedJob);
    const acl = /^\s*acl\s*\{[^}]*enabled\s*=\s*true/m.test(nomadHcl);
    return {
        stack,
        userData,
        hostNetworks: hostNetworkNames(nomadHcl),
        dataFolders: dataFolders(jobs, dataDir),
        nomadToken: acl ? REHEARSAL_NOMAD_TOKEN : undefined,
        tls: /^tls \{/m.test(nomadHcl) ? { serverName: `server.${/^region\s*=\s*"([^"]+)"/m.exec(nomadHcl)?.[1] ?? "global"}.nomad` } : undefined,
    };
}

/** Certificates for a nomad.tls rehearsal, made in a temp folder as the README says: CA, then -server and -cli. */
export function rehearsalCertificates(nomad: string, region = "global"): RehearsalTls {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hydra-rehearsal-tls-"));
    try {
        for (const args of [
            ["tls", "ca", "create"],
            ["tls", "cert", "create", "-server", "-region", region],
            ["tls", "cert", "create", "-cli", "-region", region],
        ]) {
            execFileSync(nomad, args, { cwd: dir, stdio: "pipe" });
        }
        const pem = (f: string) => fs.readFileSync(path.join(dir, f), "utf8");
        return {
            caCert: pem("nomad-agent-ca.pem"),
            serverCert: pem(`${region}-server-nomad.pem`),
            serverKey: pem(`${region}-server-nomad-key.pem`),
            clientCert: pem(`${region}-cli-nomad.pem`),
            clientKey: pem(`${region}-cli-nomad-key.pem`),
        };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}
