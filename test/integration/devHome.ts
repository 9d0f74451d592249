// `npm run dev`, run as a developer runs it, in a home of its own: its own HYDRA_DEV_HOME, bridge,
// tailnet and public stand-ins, so a developer's estate (hydra0, 100.127.0.1, port 4646) is never
// touched. Each run of the command is timed; the after hook runs `--down` if the suite did not.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { Engine } from "../../dev/engine";
import { freeTailnetCidr } from "../../dev/network";
import { DEV_STACK } from "../../dev/stack";
import { projectTool } from "../support/tools";
import { newEstateDir } from "./devEstate";

const ROOT = path.resolve(__dirname, "..", "..");

export interface DevHome {
    home: string;
    env: NodeJS.ProcessEnv;
    tailnetCidr: string;
    /** The k-th address of the home's tailnet (1: the primary's stand-in). */
    tailnet(k: number): string;
    /** The k-th address of the home's public stand-ins (1: the primary's). */
    publicAddress(k: number): string;
    /** The engine on the home's dev stack, as `npm run dev` made it (after its first run). */
    engine(): Engine;
    /** `npm run dev -- <args>`; its time is kept under `label`. */
    dev(args: string[], label?: string): { status: number | null; output: string };
    /** Milliseconds per run of the command, printed when the suite ends. */
    timings: Record<string, number>;
    /** Set by a suite that ran `--down` itself and checked it. */
    downRan: boolean;
}

/**
 * A home for one suite. `bridge` is a short prefix (Linux caps a bridge's name at 15 characters);
 * `publicNet` the first two octets of the public stand-in; `env` anything else the suite needs.
 */
export function devHome(name: string, o: { bridge: string; publicNet: string; env?: NodeJS.ProcessEnv }): DevHome {
    const home = newEstateDir(name);
    const tailnetCidr = freeTailnetCidr();
    const octets = tailnetCidr.split("/")[0].split(".");
    const h: DevHome = {
        home,
        tailnetCidr,
        tailnet: (k) => `${octets.slice(0, 3).join(".")}.${k}`,
        publicAddress: (k) => `${o.publicNet}.${octets[2]}.${k}`,
        engine: () => {
            const local = path.join(home, ".pulumi-local");
            return new Engine({
                projectDir: ROOT,
                backendDir: path.join(local, "state"),
                configFile: path.join(local, `Pulumi.${DEV_STACK}.yaml`),
                toolsBin: path.dirname(projectTool("pulumi")),
                passphrase: fs.readFileSync(path.join(local, "passphrase"), "utf8").trim(),
            });
        },
        env: {
            ...process.env,
            HYDRA_DEV_HOME: home,
            HYDRA_DEV_BRIDGE: `${o.bridge}${process.pid % 100000}`,
            HYDRA_DEV_TAILNET: tailnetCidr,
            HYDRA_DEV_PUBLIC: `${o.publicNet}.${octets[2]}.1`,
            ...o.env,
        },
        timings: {},
        downRan: false,
        dev(args, label = args.join(" ") || "plain") {
            const start = Date.now();
            const r = spawnSync("npm", ["run", "--silent", "dev", "--", ...args], { cwd: ROOT, env: h.env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
            h.timings[label] = Date.now() - start;
            return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
        },
    };
    after(() => {
        if (!h.downRan) {
            h.dev(["--down"]);
        }
        fs.rmSync(home, { recursive: true, force: true });
        console.log(`      timings (ms): ${JSON.stringify(h.timings)}`);
    });
    return h;
}
