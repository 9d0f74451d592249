// `npm run dev`: the whole estate on this machine in one command.
// `npm run dev -- --down`: destroy the dev stack and stop the agent.
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { startAgent, stopAgent } from "./agent";
import { Engine } from "./engine";
import { DEV_STACK, prepareDevStack } from "./stack";

const ROOT = path.resolve(__dirname, "..");
const LOCAL = path.join(ROOT, ".pulumi-local");
const AGENT_DIR = path.join(ROOT, ".nomad-dev");
const TOOLS_BIN = path.join(ROOT, ".tools", "bin");
const HTTP_PORT = Number(process.env.HYDRA_DEV_NOMAD_PORT ?? 4646);

/** A passphrase for the dev stack's secrets, made once and kept next to its state. */
function passphrase(): string {
    const file = path.join(LOCAL, "passphrase");
    if (!fs.existsSync(file)) {
        fs.mkdirSync(LOCAL, { recursive: true });
        fs.writeFileSync(file, crypto.randomBytes(24).toString("hex"), { mode: 0o600 });
    }
    return fs.readFileSync(file, "utf8").trim();
}

function engine(): Engine {
    return new Engine({
        projectDir: ROOT,
        backendDir: path.join(LOCAL, "state"),
        configFile: path.join(LOCAL, `Pulumi.${DEV_STACK}.yaml`),
        toolsBin: TOOLS_BIN,
        passphrase: passphrase(),
    });
}

function tools(): void {
    const r = spawnSync(
        path.join(ROOT, "scripts", "tools.sh"),
        ["pulumi", "pulumi-language-nodejs", "pulumi-resource-pulumi-nodejs", "pulumi-analyzer-policy", "nomad"],
        {
            cwd: ROOT,
            stdio: "inherit",
        },
    );
    if (r.status !== 0) {
        throw new Error("scripts/tools.sh could not provide pulumi and nomad (see above)");
    }
}

async function json<T>(url: string): Promise<T> {
    const res = await fetch(url);
    if (!res.ok) {
        throw new Error(`${url}: ${res.status} ${await res.text()}`);
    }
    return (await res.json()) as T;
}

/** What is deployed, as Nomad sees it, and whether Docker tasks can run here. */
async function report(address: string): Promise<void> {
    type Stub = { ID: string; Type: string; Status: string; Periodic: boolean; JobSummary?: { Summary: Record<string, Record<string, number>> } };
    const jobs = await json<Stub[]>(`${address}/v1/jobs?meta=true`);
    const vars = await json<{ Path: string }[]>(`${address}/v1/vars?prefix=nomad/jobs`);
    const nodes = await json<{ ID: string }[]>(`${address}/v1/nodes`);
    const node = await json<{ Drivers: Record<string, { Detected: boolean }> }>(`${address}/v1/node/${nodes[0].ID}`);
    console.log(`\nNomad UI: ${address}/ui/jobs`);
    console.log("\nJOB            TYPE                 STATUS     ALLOCATIONS");
    for (const j of jobs.sort((a, b) => a.ID.localeCompare(b.ID))) {
        const counts: Record<string, number> = {};
        for (const g of Object.values(j.JobSummary?.Summary ?? {})) {
            for (const [k, n] of Object.entries(g)) {
                if (n) {
                    counts[k] = (counts[k] ?? 0) + n;
                }
            }
        }
        const allocs =
            Object.entries(counts)
                .map(([k, n]) => `${n} ${k.toLowerCase()}`)
                .join(", ") || "-";
        console.log(`${j.ID.padEnd(15)}${(j.Periodic ? "batch (periodic)" : j.Type).padEnd(21)}${j.Status.padEnd(11)}${allocs}`);
    }
    console.log(`\nVariables: ${vars.map((v) => v.Path).join(", ")}`);
    if (!node.Drivers.docker?.Detected) {
        console.log(
            "\nNo Docker engine here: the docker tasks are registered and evaluated but cannot be placed (queued)." +
                "\nEverything else is real: the jobs, the variables, raw_exec tasks and the periodic backup jobs." +
                "\nOn a machine with Docker the same command runs the apps.",
        );
    }
    console.log("\nForce a backup run: nomad job periodic force restic   (NOMAD_ADDR=" + address + ")");
    console.log("Tear down:          npm run dev -- --down");
}

async function up(): Promise<void> {
    tools();
    const agent = await startAgent({ dir: AGENT_DIR, nomad: path.join(TOOLS_BIN, "nomad"), httpPort: HTTP_PORT });
    console.log(`Nomad dev agent: ${agent.address} (log ${path.relative(ROOT, agent.logFile)})`);
    const e = engine();
    fs.mkdirSync(path.join(AGENT_DIR, "hydra-data"), { recursive: true });
    prepareDevStack(e, {
        dataDir: path.join(AGENT_DIR, "hydra-data"),
        nomadAddress: agent.address,
        resticRepository: path.join(AGENT_DIR, "restic-repo"),
    });
    const r = spawnSync(path.join(TOOLS_BIN, "pulumi"), ["up", "--yes", "--skip-preview", "--stack", DEV_STACK, "--config-file", e.o.configFile], {
        cwd: ROOT,
        env: e.env,
        stdio: "inherit",
    });
    if (r.status !== 0) {
        throw new Error("pulumi up failed (see above)");
    }
    await report(agent.address);
}

async function down(): Promise<void> {
    const e = engine();
    const stacks = JSON.parse(e.must(["stack", "ls", "--json"], { withConfigFile: false })) as { name: string }[];
    if (stacks.some((s) => s.name === DEV_STACK)) {
        const r = spawnSync(path.join(TOOLS_BIN, "pulumi"), ["destroy", "--yes", "--stack", DEV_STACK, "--config-file", e.o.configFile], {
            cwd: ROOT,
            env: e.env,
            stdio: "inherit",
        });
        if (r.status !== 0) {
            throw new Error("pulumi destroy failed (see above); the agent is left running");
        }
    }
    console.log((await stopAgent(AGENT_DIR)) ? "Nomad dev agent stopped." : "No Nomad dev agent was running.");
}

(process.argv.includes("--down") ? down() : up()).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
});
