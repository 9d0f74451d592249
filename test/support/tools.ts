// Finds the command-line tools the tests use, installing or building them when missing:
// a test that needs a tool never skips silently.
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

const ROOT = path.resolve(__dirname, "..", "..");
export const TOOLS_BIN = path.join(ROOT, ".tools", "bin");
let aptUpdated = false;

function onPath(cmd: string): string | undefined {
    const r = spawnSync("sh", ["-c", `command -v ${cmd}`], { encoding: "utf8" });
    return r.status === 0 ? r.stdout.trim() : undefined;
}

/** A Debian-packaged tool: found on PATH, or installed with apt-get. */
export function debianTool(cmd: string, pkg = cmd): string {
    const found = onPath(cmd);
    if (found) {
        return found;
    }
    const apt = (args: string[]) => execFileSync("apt-get", args, { stdio: "pipe", env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    try {
        if (!aptUpdated) {
            apt(["update", "-qq"]);
        }
        aptUpdated = true;
        apt(["install", "-y", "-qq", pkg]);
    } catch (e) {
        throw new Error(`${cmd} is missing and apt-get install ${pkg} failed: ${(e as Error).message}`, { cause: e });
    }
    const installed = onPath(cmd);
    if (!installed) {
        throw new Error(`${cmd} is still missing after apt-get install ${pkg}`);
    }
    return installed;
}

/** A tool scripts/tools.sh provides (pinned, built from Go modules and cached). */
export function projectTool(name: string): string {
    const bin = path.join(TOOLS_BIN, name);
    if (!fs.existsSync(bin)) {
        const r = spawnSync(path.join(ROOT, "scripts", "tools.sh"), [name], { cwd: ROOT, encoding: "utf8", stdio: "pipe" });
        if (r.status !== 0 || !fs.existsSync(bin)) {
            throw new Error(`scripts/tools.sh ${name} failed:\n${r.stdout}\n${r.stderr}`);
        }
    }
    return bin;
}

/** promtool (or prometheus), unpacked from Debian's prometheus package by scripts/promtool.sh when missing. */
export function promtool(name: "promtool" | "prometheus" = "promtool"): string {
    const bin = path.join(TOOLS_BIN, name);
    if (!fs.existsSync(bin)) {
        const r = spawnSync(path.join(ROOT, "scripts", "promtool.sh"), [], { cwd: ROOT, encoding: "utf8", stdio: "pipe" });
        if (r.status !== 0 || !fs.existsSync(bin)) {
            throw new Error(`scripts/promtool.sh failed:\n${r.stdout}\n${r.stderr}`);
        }
    }
    return bin;
}

/** Runs a tool and returns its status and combined output. */
export function run(cmd: string, args: string[], opts: { cwd?: string; input?: string; env?: NodeJS.ProcessEnv } = {}): { status: number; output: string } {
    const r = spawnSync(cmd, args, { cwd: opts.cwd, input: opts.input, encoding: "utf8", env: { ...process.env, ...opts.env }, maxBuffer: 64 * 1024 * 1024 });
    return { status: r.status ?? -1, output: `${r.stdout ?? ""}${r.stderr ?? ""}` };
}
