// The whole dev estate for one test file, as `npm run dev` builds it, but on a bridge, a
// public stand-in, ports and folders of the file's own: a private Docker daemon, the dev
// images, a Nomad dev agent with the docker driver, and the real engine on the dev stack.
// A developer's `npm run dev` (hydra0, 100.127.0.1, 127.0.0.1, port 4646) is never touched.
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { startAgent, stopAgent } from "../../dev/agent";
import { curlTargets, CurlTarget, siteVisibilities } from "../../dev/curl";
import { buildDevImages, planDevImages } from "../../dev/devImages";
import { Engine } from "../../dev/engine";
import { tailnetAddress } from "../../dev/network";
import { DEV_STACK, devSecretValues, prepareDevStack } from "../../dev/stack";
import { projectTool, promtool } from "../support/tools";
import { dockerPackages, startTestDocker, stopTestDocker, TestDocker } from "./devDocker";

const ROOT = path.resolve(__dirname, "..", "..");
const TOOLS = ["pulumi", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs", "pulumi-analyzer-policy", "nomad", "caddy"];

export interface DevEstate {
    dir: string;
    dataDir: string;
    resticRepo: string;
    /** Nomad's API on the file's tailnet stand-in, port 4646 as on the node (the internal proxy's Nomad route). */
    address: string;
    tailnet: string;
    publicAddress: string;
    t: TestDocker;
    engine: Engine;
    /** The stack's secret values by full key (hydra:giteaSecretKey, …). */
    secrets: Record<string, string>;
    timings: Record<string, number>;
    /** When the set-up began (epoch ms): a file's wall time, for its report. */
    startedAt: number;
    /** Rewrites the stack's config file: the committed settings, this estate's, and `extra` by full key. */
    prepare(extra?: Record<string, unknown>): void;
    /** `pulumi up`, which waits for every service job's deployment (nomad.waitForHealthy). */
    up(): void;
    /** The `urls` output as curl lines (dev/curl.ts), what `npm run dev` prints. */
    curlTargets(): CurlTarget[];
}

const isFree = (port: number, host: string) =>
    new Promise<boolean>((resolve) => {
        const s = net.createServer();
        s.once("error", () => resolve(false));
        s.listen(port, host, () => s.close(() => resolve(true)));
    });

/** Two free loopback ports for the agent's RPC and Serf. */
async function freePortPair(): Promise<[number, number]> {
    for (let i = 0; i < 50; i++) {
        const base = 20000 + Math.floor(Math.random() * 20000);
        if ((await isFree(base, "127.0.0.1")) && (await isFree(base + 1, "127.0.0.1"))) {
            return [base, base + 1];
        }
    }
    throw new Error("no two free consecutive ports for the Nomad agent's RPC and Serf");
}

/** Starts everything and prepares the stack; `up` is the caller's. Call stopDevEstate in `after`, even when this failed. */
export async function startDevEstate(dir: string): Promise<DevEstate> {
    const timings: Record<string, number> = {};
    const t0 = Date.now();
    dockerPackages();
    for (const tool of TOOLS) {
        projectTool(tool);
    }
    const bin = path.dirname(projectTool("pulumi"));
    const dataDir = path.join(dir, "data");
    const resticRepo = path.join(dir, "restic-repo");
    fs.mkdirSync(dataDir, { recursive: true });
    const t = await startTestDocker(path.join(dir, "docker"), { ownPublicAddress: true });
    const tailnet = tailnetAddress(t.network);
    const address = `http://${tailnet}:4646`;
    const engine = new Engine({
        projectDir: ROOT,
        backendDir: path.join(dir, "state"),
        configFile: path.join(dir, `Pulumi.${DEV_STACK}.yaml`),
        toolsBin: bin,
        passphrase: crypto.randomBytes(16).toString("hex"),
    });
    const prepare = (extra?: Record<string, unknown>) =>
        prepareDevStack(engine, {
            dataDir,
            nomadAddress: address,
            resticRepository: resticRepo,
            // The tailnet stand-in is the file's own bridge address.
            extraConfig: { "hydra:tailscale": { address: tailnet }, ...(extra ?? {}) },
        });
    prepare();

    const t1 = Date.now();
    const plan = await planDevImages(dir, DEV_STACK);
    for (const s of plan.bindSources.filter((x) => x.startsWith(dataDir + path.sep))) {
        fs.mkdirSync(s, { recursive: true });
    }
    buildDevImages(t.daemon.endpoint, plan, { caddy: path.join(bin, "caddy"), prometheus: promtool("prometheus") });
    timings.images = Date.now() - t1;

    const [rpcPort, serfPort] = await freePortPair();
    await startAgent({
        dir: path.join(dir, "agent"),
        nomad: path.join(bin, "nomad"),
        httpPort: 4646,
        rpcPort,
        serfPort,
        httpOnTailnetOnly: true,
        network: { tailnetAddress: tailnet, publicAddress: t.network.publicAddress },
        dockerEndpoint: t.daemon.endpoint,
    });
    timings.setup = Date.now() - t0;
    return {
        dir,
        dataDir,
        resticRepo,
        address,
        tailnet,
        publicAddress: t.network.publicAddress,
        t,
        engine,
        secrets: devSecretValues(engine),
        timings,
        startedAt: t0,
        prepare,
        up() {
            const start = Date.now();
            engine.must(["up", "--yes", "--skip-preview", "--stack", DEV_STACK]);
            timings.up = (timings.up ?? 0) + Date.now() - start;
        },
        curlTargets() {
            const out = engine.must(["stack", "output", "urls", "--json", "--stack", DEV_STACK], { withConfigFile: false });
            return curlTargets(JSON.parse(out) as Record<string, string[]>, siteVisibilities(engine.o.configFile), {
                publicAddress: t.network.publicAddress,
                tailnetAddress: tailnet,
                dataDir,
            });
        },
    };
}

/** Stops the agent and the daemon by PID, removes the bridge and the folder. */
export async function stopDevEstate(dir: string): Promise<void> {
    try {
        await stopAgent(path.join(dir, "agent"));
    } finally {
        await stopTestDocker(path.join(dir, "docker"));
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

export const newEstateDir = (name: string): string => fs.mkdtempSync(path.join(os.tmpdir(), `hydra-${name}-`));

export async function api<T>(address: string, method: string, p: string, body?: unknown): Promise<T> {
    const res = await fetch(`${address}${p}`, {
        method,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
    });
    const text = await res.text();
    if (!res.ok) {
        throw new Error(`${method} ${p}: ${res.status} ${text}`);
    }
    return (text ? JSON.parse(text) : undefined) as T;
}

type Registration = { Address: string; Port: number; JobID: string };

/**
 * Where a service is registered, waiting up to `timeoutMs` (a task restarted by a template change
 * is briefly deregistered); on timeout, the error carries the job's allocations and last task events.
 */
export async function service(address: string, name: string, timeoutMs = 60_000): Promise<Registration> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const [svc] = await api<Registration[]>(address, "GET", `/v1/service/${name}`);
        if (svc) {
            return svc;
        }
        if (Date.now() > deadline) {
            type Alloc = {
                ID: string;
                JobID: string;
                ClientStatus: string;
                TaskStates?: Record<string, { State: string; Events: { Type: string; DisplayMessage: string }[] }>;
            };
            const allocs = await api<Alloc[]>(address, "GET", "/v1/allocations");
            const lines = allocs.map(
                (a) =>
                    `${a.JobID} ${a.ID.slice(0, 8)} ${a.ClientStatus}: ` +
                    Object.entries(a.TaskStates ?? {})
                        .map(
                            ([t, st]) =>
                                `${t} ${st.State} [${st.Events.slice(-3)
                                    .map((ev) => `${ev.Type}: ${ev.DisplayMessage}`)
                                    .join("; ")}]`,
                        )
                        .join(" | "),
            );
            throw new Error(`service ${name} is not registered after ${timeoutMs / 1000}s; allocations:\n${lines.join("\n")}`);
        }
        await new Promise((r) => setTimeout(r, 1000));
    }
}

export interface CurlResult {
    /** curl's exit status (0 even for a 404; 35, 60 … for TLS failures). */
    status: number;
    code: number;
    body: string;
    stderr: string;
}

/** Runs a printed curl line as a person would, in a shell, adding only a timeout and the status code. */
export function curl(line: string): CurlResult {
    const r = spawnSync("sh", ["-c", `${line} --silent --show-error --max-time 10 --write-out '\\n%{http_code}'`], { encoding: "utf8" });
    const lines = (r.stdout ?? "").split("\n");
    return { status: r.status ?? -1, code: Number(lines.pop()), body: lines.join("\n"), stderr: r.stderr ?? "" };
}

/** `curl` after a change: polls until `ok` holds (Caddy reloads a re-rendered Caddyfile within seconds). */
export async function curlUntil(line: string, ok: (r: CurlResult) => boolean, timeoutMs = 60_000): Promise<CurlResult> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
        const r = curl(line);
        if (ok(r) || Date.now() > deadline) {
            return r;
        }
        await new Promise((res) => setTimeout(res, 1000));
    }
}
