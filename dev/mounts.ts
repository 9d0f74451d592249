// Mounts a stopped process leaves behind in the dev folder (Nomad's secrets/ and private/
// tmpfs, a daemon's shm or netns), so that the folder can be removed.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

/** Mount points at or below `dir`, deepest first; mountinfo escapes spaces and the like as octal. */
export function mountsUnder(dir: string): string[] {
    const root = path.resolve(dir);
    const points = fs
        .readFileSync("/proc/self/mountinfo", "utf8")
        .split("\n")
        .map((line) => line.split(" ")[4])
        .filter((p): p is string => !!p)
        .map((p) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
        .filter((p) => p === root || p.startsWith(root + "/"));
    return [...new Set(points)].sort((a, b) => b.length - a.length);
}

/** Unmounts everything at or below `dir`; returns what could not be unmounted. */
export function unmountUnder(dir: string): string[] {
    // Stacked mounts need one pass per layer.
    for (let pass = 0; pass < 3 && mountsUnder(dir).length; pass++) {
        for (const p of mountsUnder(dir)) {
            // Lazy: a mount still busy for a moment goes as soon as it is free.
            spawnSync("umount", ["-l", p], { stdio: "ignore" });
        }
    }
    return mountsUnder(dir);
}
