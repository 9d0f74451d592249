// Small helpers shared by the benchmarks: timed child processes, medians, formatting.
import { spawn } from "child_process";

export interface Timed {
    /** Wall time. */
    ms: number;
    /** User + system CPU time of the command and the processes it waited for (GNU time). */
    cpuMs: number;
    stdout: string;
    stderr: string;
}

const CPU_LINE = /__cpu ([\d.]+) ([\d.]+)\s*$/;

/**
 * Runs a command under GNU time without blocking the event loop (the Nomad call counter answers
 * meanwhile); throws on failure. CPU time moves less than wall time when other work shares the cores.
 */
export function timed(cmd: string, args: string[], o: { cwd: string; env?: NodeJS.ProcessEnv; input?: string }): Promise<Timed> {
    return new Promise((resolve, reject) => {
        const start = process.hrtime.bigint();
        const child = spawn("/usr/bin/time", ["-f", "__cpu %U %S", cmd, ...args], { cwd: o.cwd, env: o.env ?? process.env });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (d) => (stdout += d));
        child.stderr.on("data", (d) => (stderr += d));
        child.on("error", reject);
        child.stdin.end(o.input ?? "");
        child.on("close", (code) => {
            const ms = Number(process.hrtime.bigint() - start) / 1e6;
            if (code !== 0) {
                reject(new Error(`${cmd} ${args.join(" ")} failed (${code}):\n${(stdout + stderr).slice(-4000)}`));
            } else {
                const cpu = CPU_LINE.exec(stderr);
                resolve({ ms, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : NaN, stdout, stderr: stderr.replace(CPU_LINE, "") });
            }
        });
    });
}

export const median = (xs: number[]): number => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
export const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
