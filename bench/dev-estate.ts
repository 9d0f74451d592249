// Wall time of `npm run dev`, from nothing to every app healthy, with the images cold (a new
// Docker daemon folder) and cached (the daemon's folder kept, everything else new), and of a
// `pulumi up` that changes one app (doggo's image). Runs interleave; medians are printed.
// Each estate is a second one (HYDRA_DEV_HOME, its own bridge, addresses and Nomad port), so a
// developer's `npm run dev` is left alone. Usage: npm run bench:dev -- [runs]   (default 3)
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { dockerCli } from "../dev/docker";
import { freeTailnetCidr } from "../dev/network";
import { DEV_STACK } from "../dev/stack";

const runs = Number(process.argv[2] ?? 3);
const root = path.resolve(__dirname, "..");
const tailnetCidr = freeTailnetCidr();
const n = tailnetCidr.split(".")[2];
const env: NodeJS.ProcessEnv = {
    ...process.env,
    HYDRA_DEV_BRIDGE: `hybench${n}`,
    HYDRA_DEV_TAILNET: tailnetCidr,
    HYDRA_DEV_PUBLIC: `127.125.${n}.1`,
    HYDRA_DEV_NOMAD_PORT: String(25000 + Number(n) * 3),
};
const IMAGES = ["ghcr.io/mr-karan/doggo-api:v0.3.7", "ghcr.io/mr-karan/doggo-api:v0.3.6"];

function npmDev(home: string, args: string[] = []): number {
    const start = Date.now();
    const r = spawnSync("npm", ["run", "--silent", "dev", "--", ...args], { cwd: root, env: { ...env, HYDRA_DEV_HOME: home }, encoding: "utf8" });
    if (r.status !== 0) {
        throw new Error(`npm run dev ${args.join(" ")} failed:\n${(r.stdout + r.stderr).slice(-4000)}`);
    }
    return Date.now() - start;
}

/** `pulumi up` after switching doggo's image, as a person would with pulumi config set. */
function oneAppChange(home: string, i: number): number {
    const local = path.join(home, ".pulumi-local");
    const configFile = path.join(local, `Pulumi.${DEV_STACK}.yaml`);
    const penv = {
        ...env,
        PATH: `${path.join(root, ".tools", "bin")}${path.delimiter}${env.PATH}`,
        PULUMI_BACKEND_URL: `file://${path.join(local, "state")}`,
        PULUMI_CONFIG_PASSPHRASE: fs.readFileSync(path.join(local, "passphrase"), "utf8").trim(),
        PULUMI_SKIP_UPDATE_CHECK: "true",
    };
    const pulumi = (args: string[]) => {
        const r = spawnSync("pulumi", [...args, "--stack", DEV_STACK, "--config-file", configFile], { cwd: root, env: penv, encoding: "utf8" });
        if (r.status !== 0) {
            throw new Error(`pulumi ${args.join(" ")} failed:\n${(r.stdout + r.stderr).slice(-4000)}`);
        }
    };
    // The other tag names the same stand-in: Nomad needs no pull.
    const socket = `unix://${path.join(home, ".nomad-dev", "docker", "docker.sock")}`;
    dockerCli(socket, ["tag", IMAGES[0], IMAGES[1]]);
    pulumi(["config", "set", "--path", "hydra:apps.doggo.image", IMAGES[(i + 1) % 2]]);
    const start = Date.now();
    pulumi(["up", "--yes", "--skip-preview"]);
    return Date.now() - start;
}

/** Down, then everything but the daemon's data (its images) removed. */
function keepImagesOnly(home: string): void {
    npmDev(home, ["--down"]);
    fs.rmSync(path.join(home, ".pulumi-local"), { recursive: true, force: true });
    for (const entry of fs.readdirSync(path.join(home, ".nomad-dev"))) {
        if (entry !== "docker") {
            fs.rmSync(path.join(home, ".nomad-dev", entry), { recursive: true, force: true });
        }
    }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const times = { cold: [] as number[], cached: [] as number[], change: [] as number[] };

console.log(`npm run dev, ${runs} interleaved runs each, ${os.cpus().length} cores, bridge ${env.HYDRA_DEV_BRIDGE} ${tailnetCidr}`);
for (let i = 0; i < runs; i++) {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), `hydra-bench-${crypto.randomBytes(3).toString("hex")}-`));
    try {
        times.cold.push(npmDev(home));
        times.change.push(oneAppChange(home, i));
        keepImagesOnly(home);
        times.cached.push(npmDev(home));
        console.log(`  run ${i + 1}: cold ${s(times.cold[i])}, one-app up ${s(times.change[i])}, images cached ${s(times.cached[i])}`);
    } finally {
        spawnSync("npm", ["run", "--silent", "dev", "--", "--down"], { cwd: root, env: { ...env, HYDRA_DEV_HOME: home } });
        fs.rmSync(home, { recursive: true, force: true });
    }
}
for (const [name, xs] of Object.entries(times)) {
    console.log(`${name.padEnd(7)} median ${s(median(xs))}  (runs: ${xs.map(s).join(", ")})`);
}
