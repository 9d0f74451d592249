// Background processes of the dev estate, known by the PID files they leave in the dev folder.
import * as fs from "fs";

export function alive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

/** The live PID recorded in `file`, or undefined (no file, or the process is gone). */
export function livePid(file: string): number | undefined {
    if (!fs.existsSync(file)) {
        return undefined;
    }
    const pid = Number(fs.readFileSync(file, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 && alive(pid) ? pid : undefined;
}

/** Sends `signal` to the process, waits up to `graceMs` for it to exit, then kills it. */
export async function stopPid(pid: number, signal: NodeJS.Signals, graceMs = 10_000): Promise<void> {
    try {
        process.kill(pid, signal);
    } catch {
        return;
    }
    const deadline = Date.now() + graceMs;
    while (alive(pid) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
    }
    if (alive(pid)) {
        process.kill(pid, "SIGKILL");
        for (let i = 0; i < 50 && alive(pid); i++) {
            await new Promise((r) => setTimeout(r, 100));
        }
    }
}
