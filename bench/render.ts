// Median wall time of `npm run render` for the estate, and with synthetic apps added.
// Usage: npx ts-node --transpile-only bench/render.ts [runs] [synthetic counts...]
import { spawnSync } from "child_process";
import * as os from "os";
import * as path from "path";

const runs = Number(process.argv[2] ?? 5);
const sizes = process.argv.length > 3 ? process.argv.slice(3).map(Number) : [0, 50, 100, 200];
const root = path.resolve(__dirname, "..");

function once(synthetic: number): number {
    const out = path.join(os.tmpdir(), `hydra-bench-${synthetic}`);
    const start = process.hrtime.bigint();
    const r = spawnSync("npm", ["run", "--silent", "render", "--", "--out", out, "--synthetic-apps", String(synthetic)], { cwd: root, encoding: "utf8" });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (r.status !== 0) {
        throw new Error(`render failed:\n${r.stdout}${r.stderr}`);
    }
    return ms;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`npm run render, median of ${runs} runs (${os.cpus().length} cores)`);
for (const n of sizes) {
    const times = Array.from({ length: runs }, () => once(n));
    console.log(
        `  estate + ${String(n).padStart(3)} synthetic apps: ${(median(times) / 1000).toFixed(2)} s  (runs: ${times.map((t) => (t / 1000).toFixed(2)).join(", ")})`,
    );
}
