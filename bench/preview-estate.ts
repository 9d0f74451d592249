// A throwaway copy of the project for measuring `pulumi preview` and `pulumi up`: a folder of
// links to a checkout (so its stacks and file backend are its own), one stack per estate size,
// a Nomad dev agent on free ports, and a counter of every HTTP call that reaches that agent.
// No Docker: the jobs are registered, not started (nomad.waitForHealthy false, so `up` does
// not wait for them), which is all an unchanged preview or up looks at. All stacks share the
// agent: after their first `up`, nothing measured here may call Nomad at all (the counter says).
import * as crypto from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as path from "path";
import * as ts from "typescript";
import * as YAML from "yaml";
import { startAgent, stopAgent } from "../dev/agent";
import { devSecrets } from "../dev/stack";
import { APPS } from "../apps";
import { timed, Timed } from "./timing";

export async function freePort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    return port;
}

/** Forwards to Nomad and counts the requests: how the benchmark sees that a preview made no Nomad call. */
export class CountingProxy {
    calls = 0;
    private server?: http.Server;
    address = "";

    constructor(private readonly target: string) {}

    async start(): Promise<void> {
        const target = new URL(this.target);
        this.server = http.createServer((req, res) => {
            this.calls++;
            const upstream = http.request({ host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers }, (up) => {
                res.writeHead(up.statusCode ?? 502, up.headers);
                up.pipe(res);
            });
            upstream.on("error", () => res.writeHead(502).end());
            req.pipe(upstream);
        });
        await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
        this.address = `http://127.0.0.1:${(this.server.address() as net.AddressInfo).port}`;
    }

    async stop(): Promise<void> {
        this.server?.closeAllConnections();
        await new Promise((resolve) => this.server?.close(resolve));
    }
}

/** A folder that links every top-level entry of `root` except its stacks, state and local runs. */
export function linkProject(root: string, dir: string): void {
    const skip = /^(Pulumi\..+\.yaml|\.git|\.pulumi-local|\.nomad-dev|out)$/;
    fs.mkdirSync(dir, { recursive: true });
    for (const entry of fs.readdirSync(root)) {
        if (!skip.test(entry)) {
            fs.symlinkSync(path.join(root, entry), path.join(dir, entry));
        }
    }
}

/** The pulumi CLI against a project folder with its own file backend and passphrase. */
export class BenchPulumi {
    readonly env: NodeJS.ProcessEnv;

    constructor(
        readonly projectDir: string,
        toolsBin: string,
        backendDir: string,
    ) {
        fs.mkdirSync(backendDir, { recursive: true });
        this.env = {
            ...process.env,
            PATH: `${toolsBin}${path.delimiter}${process.env.PATH ?? ""}`,
            PULUMI_BACKEND_URL: `file://${backendDir}`,
            // A passphrase made for this run only, for the throwaway secrets below.
            PULUMI_CONFIG_PASSPHRASE: crypto.randomBytes(16).toString("hex"),
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_SKIP_CONFIRMATIONS: "true",
        };
        delete this.env.PULUMI_CONFIG_PASSPHRASE_FILE;
    }

    run(args: string[], env: NodeJS.ProcessEnv = {}, input?: string): Promise<Timed> {
        return timed("pulumi", args, { cwd: this.projectDir, env: { ...this.env, ...env }, input });
    }
}

export interface EstateStacks {
    pulumi: BenchPulumi;
    proxy: CountingProxy;
    /** Stack name per number of synthetic apps. */
    stacks: Map<number, string>;
    stop(): Promise<void>;
}

/**
 * The dev stack's settings (Pulumi.dev.yaml of `root`) pointed at a new agent, as one stack per
 * size, each brought up once. HYDRA_SYNTHETIC_APPS makes the program add that many apps.
 */
export async function estateStacks(o: { root: string; toolsBin: string; dir: string; sizes: number[]; log: (line: string) => void }): Promise<EstateStacks> {
    const [http, rpc, serf] = [await freePort(), await freePort(), await freePort()];
    const agentDir = path.join(o.dir, "nomad");
    const agent = await startAgent({ dir: agentDir, nomad: path.join(o.toolsBin, "nomad"), httpPort: http, rpcPort: rpc, serfPort: serf });
    const proxy = new CountingProxy(agent.address);
    await proxy.start();
    const projectDir = path.join(o.dir, "project");
    linkProject(o.root, projectDir);
    const pulumi = new BenchPulumi(projectDir, o.toolsBin, path.join(o.dir, "state"));
    const stop = async () => {
        await proxy.stop();
        await stopAgent(agentDir);
    };
    try {
        const committed = YAML.parse(fs.readFileSync(path.join(o.root, "Pulumi.dev.yaml"), "utf8")).config;
        const secrets = devSecrets(
            APPS.flatMap((a) => a.secrets ?? []),
            { resticRepository: path.join(o.dir, "restic") },
        );
        const stacks = new Map<number, string>();
        for (const n of o.sizes) {
            const stack = `bench-${n}`;
            stacks.set(n, stack);
            await pulumi.run(["stack", "init", stack, "--secrets-provider", "passphrase"]);
            if (n === o.sizes[0]) {
                const file = path.join(projectDir, `Pulumi.${stack}.yaml`);
                const salt = YAML.parse(fs.readFileSync(file, "utf8"))?.encryptionsalt;
                const config = {
                    ...committed,
                    "hydra:node": { ...committed["hydra:node"], dataDir: path.join(o.dir, "data") },
                    "hydra:nomad": { ...committed["hydra:nomad"], address: proxy.address, waitForHealthy: false },
                };
                fs.writeFileSync(file, YAML.stringify({ encryptionsalt: salt, config }));
                for (const [key, value] of Object.entries(secrets)) {
                    // Through stdin, as npm run dev does: never in a process listing.
                    await pulumi.run(["config", "set", "--secret", "--stack", stack, `hydra:${key}`], {}, value);
                }
            } else {
                // The same settings and secrets (re-encrypted for this stack); only the number of apps differs.
                await pulumi.run(["config", "cp", "--stack", stacks.get(o.sizes[0])!, "--dest", stack]);
            }
            const up = await pulumi.run(["up", "--yes", "--skip-preview", "--stack", stack], { HYDRA_SYNTHETIC_APPS: String(n) });
            o.log(`  ${stack}: first up ${(up.ms / 1000).toFixed(1)} s (${proxy.calls} Nomad calls so far)`);
        }
        return { pulumi, proxy, stacks, stop };
    } catch (e) {
        await stop();
        throw e;
    }
}

/**
 * A floor project: bench/floor/one-resource.ts as a Pulumi program with one stack, either as
 * TypeScript run by ts-node (what `pulumi new typescript` sets up) or compiled to JavaScript first.
 */
export async function floorStack(o: { root: string; toolsBin: string; dir: string; compiled: boolean }): Promise<{ pulumi: BenchPulumi; stack: string }> {
    const name = o.compiled ? "floor-js" : "floor-ts";
    const projectDir = path.join(o.dir, name);
    fs.mkdirSync(projectDir, { recursive: true });
    fs.symlinkSync(path.join(o.root, "node_modules"), path.join(projectDir, "node_modules"));
    const source = fs.readFileSync(path.join(o.root, "bench", "floor", "one-resource.ts"), "utf8");
    const main = o.compiled ? "index.js" : "index.ts";
    const text = o.compiled
        ? ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText
        : source;
    fs.writeFileSync(path.join(projectDir, main), text);
    fs.writeFileSync(path.join(projectDir, "package.json"), JSON.stringify({ name, main }));
    fs.writeFileSync(
        path.join(projectDir, "tsconfig.json"),
        JSON.stringify({ compilerOptions: { strict: true, target: "ES2022", module: "commonjs", skipLibCheck: true } }),
    );
    fs.writeFileSync(path.join(projectDir, "Pulumi.yaml"), `name: ${name}\nruntime:\n  name: nodejs\n  options:\n    typescript: ${!o.compiled}\n`);
    const pulumi = new BenchPulumi(projectDir, o.toolsBin, path.join(o.dir, `${name}-state`));
    await pulumi.run(["stack", "init", name, "--secrets-provider", "passphrase"]);
    await pulumi.run(["up", "--yes", "--skip-preview", "--stack", name]);
    return { pulumi, stack: name };
}
