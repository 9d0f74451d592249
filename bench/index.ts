// `npm run bench`: render and an unchanged preview/up of the estate, side by side with the floors
// they are held to, interleaved (the machine is shared and noisy: ratios within a round are what
// count), with medians, ratios and the cost per synthetic app.
//
//   render floor   a program that only loads @pulumi/pulumi and the four provider SDKs (ts-node)
//   preview floor  the same engine on a one-resource program (bench/floor/one-resource.ts), compiled to
//                  JavaScript (the ratios) and as TypeScript through ts-node (as `pulumi new` sets it up)
//
// Everything runs in a throwaway folder: its own file backend, a Nomad dev agent on free ports
// (no Docker: jobs registered, not started). Usage:
//   npm run bench -- [--runs 5] [--sizes 0,50,100,200] [--preview-sizes 0,50,100,200]
//                    [--no-render] [--no-preview] [--root DIR (another checkout, e.g. an older commit)]
//                    [--no-build (measure the checkout as it is: without a build, the sources via ts-node)]
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { estateStacks, floorStack } from "./preview-estate";
import { median, seconds, timed, Timed } from "./timing";

const HERE = path.resolve(__dirname, "..");

function options(argv: string[]) {
    const o = { runs: 5, sizes: [0, 50, 100, 200], previewSizes: [0, 50, 100, 200], render: true, preview: true, build: true, root: HERE };
    const list = (v: string) => v.split(",").map(Number);
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === "--runs") {
            o.runs = Number(argv[++i]);
        } else if (a === "--sizes") {
            o.sizes = list(argv[++i]);
        } else if (a === "--preview-sizes") {
            o.previewSizes = list(argv[++i]);
        } else if (a === "--no-render") {
            o.render = false;
        } else if (a === "--no-build") {
            o.build = false;
        } else if (a === "--no-preview") {
            o.preview = false;
        } else if (a === "--root") {
            o.root = path.resolve(argv[++i]);
        } else {
            throw new Error(`unknown argument ${a}`);
        }
    }
    return o;
}

/** Named measurements (wall and CPU time of each run), in the order first seen. */
class Samples {
    readonly all = new Map<string, Timed[]>();
    add(name: string, t: Timed): void {
        this.all.set(name, [...(this.all.get(name) ?? []), t]);
    }
    median(name: string, of: "ms" | "cpuMs" = "ms"): number {
        return median((this.all.get(name) ?? []).map((t) => t[of]));
    }
}

function report(title: string, samples: Samples, floor: string): void {
    console.log(`\n${title}: medians of wall and CPU time; ratios to "${floor}"`);
    const ratio = (name: string, of: "ms" | "cpuMs") => (name === floor ? "" : `${(samples.median(name, of) / samples.median(floor, of)).toFixed(2)}×`);
    for (const [name, ts] of samples.all) {
        const wall = `wall ${seconds(samples.median(name)).padStart(8)} ${ratio(name, "ms").padEnd(6)}`;
        const cpu = `CPU ${seconds(samples.median(name, "cpuMs")).padStart(8)} ${ratio(name, "cpuMs").padEnd(6)}`;
        console.log(`  ${name.padEnd(36)} ${wall}  ${cpu}  (wall: ${ts.map((t) => seconds(t.ms)).join(", ")})`);
    }
}

/** Least-squares slope of median time over the number of synthetic apps, and each step's own slope. */
function perApp(samples: Samples, label: (n: number) => string, sizes: number[]): void {
    for (const of of ["ms", "cpuMs"] as const) {
        perAppOf(samples, label, sizes, of);
    }
}

function perAppOf(samples: Samples, label: (n: number) => string, sizes: number[], of: "ms" | "cpuMs"): void {
    const pts = sizes.map((n) => [n, samples.median(label(n), of)]);
    if (pts.length < 2) {
        return;
    }
    const mx = pts.reduce((a, [x]) => a + x, 0) / pts.length;
    const my = pts.reduce((a, [, y]) => a + y, 0) / pts.length;
    const slope = pts.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / pts.reduce((a, [x]) => a + (x - mx) ** 2, 0);
    const steps = pts.slice(1).map(([x, y], i) => `${pts[i][0]}→${x}: ${((y - pts[i][1]) / (x - pts[i][0])).toFixed(1)} ms`);
    console.log(`  ${of === "ms" ? "wall" : "CPU"} cost per app: ${slope.toFixed(1)} ms (least squares); per step ${steps.join(", ")}`);
}

async function renderRounds(o: ReturnType<typeof options>, out: string): Promise<void> {
    const node = process.execPath;
    const tsNode = path.join(HERE, "node_modules", "ts-node", "dist", "bin.js");
    const compiled = fs.existsSync(path.join(o.root, "launch.js"));
    const samples = new Samples();
    const label = (n: number) => `render, ${n} synthetic apps`;
    for (let r = 0; r < o.runs; r++) {
        samples.add("floor: SDK load (ts-node)", await timed(node, [tsNode, "--transpile-only", path.join("bench", "floor", "sdk-load.ts")], { cwd: HERE }));
        for (const n of o.sizes) {
            const args = ["--out", path.join(out, `render-${n}`), "--synthetic-apps", String(n)];
            const cmd = compiled ? [path.join(o.root, "launch.js"), "render/cli", ...args] : [tsNode, "--transpile-only", "render/cli.ts", ...args];
            samples.add(label(n), await timed(node, cmd, { cwd: o.root }));
        }
        if (compiled) {
            // What a fresh clone (no build) or an edited source gets: the sources through ts-node.
            const args = ["--transpile-only", "render/cli.ts", "--out", path.join(out, "render-src")];
            samples.add("render from sources (ts-node)", await timed(node, [tsNode, ...args], { cwd: o.root }));
        }
        process.stdout.write(`  render round ${r + 1}/${o.runs} done\n`);
    }
    report("npm run render", samples, "floor: SDK load (ts-node)");
    perApp(samples, label, o.sizes);
}

async function previewRounds(o: ReturnType<typeof options>, dir: string): Promise<void> {
    const toolsBin = path.join(HERE, ".tools", "bin");
    console.log("Setting up: a Nomad dev agent, one stack per size, each brought up once");
    const estate = await estateStacks({ root: o.root, toolsBin, dir, sizes: o.previewSizes, log: console.log });
    try {
        const floors = [await floorStack({ root: HERE, toolsBin, dir, compiled: true }), await floorStack({ root: HERE, toolsBin, dir, compiled: false })];
        const samples = new Samples();
        const callsBefore = estate.proxy.calls;
        const smallest = o.previewSizes[0];
        const floorLabel = (stack: string, what: string) => `${stack === "floor-js" ? "floor (compiled)" : "floor (ts-node)"}: ${what}`;
        for (let r = 0; r < o.runs; r++) {
            for (const f of floors) {
                samples.add(floorLabel(f.stack, "preview"), await f.pulumi.run(["preview", "--stack", f.stack]));
            }
            for (const [n, stack] of estate.stacks) {
                const p = await estate.pulumi.run(["preview", "--stack", stack], { HYDRA_SYNTHETIC_APPS: String(n) });
                if (!/\b\d+ unchanged\b/.test(p.stdout) || /\bto (create|update|delete|replace)\b/.test(p.stdout)) {
                    throw new Error(`the preview of ${stack} is not unchanged:\n${p.stdout.slice(-2000)}`);
                }
                samples.add(`preview, ${n} synthetic apps`, p);
            }
            for (const f of floors) {
                samples.add(floorLabel(f.stack, "up"), await f.pulumi.run(["up", "--yes", "--skip-preview", "--stack", f.stack]));
            }
            const up = ["up", "--yes", "--skip-preview", "--stack", estate.stacks.get(smallest)!];
            samples.add(`up --skip-preview, ${smallest} synthetic apps`, await estate.pulumi.run(up, { HYDRA_SYNTHETIC_APPS: String(smallest) }));
            process.stdout.write(`  preview round ${r + 1}/${o.runs} done\n`);
        }
        report("unchanged pulumi preview / up", samples, floorLabel("floor-js", "preview"));
        console.log(
            `  up ratio to its floor: ${(samples.median(`up --skip-preview, ${smallest} synthetic apps`) / samples.median(floorLabel("floor-js", "up"))).toFixed(2)}×`,
        );
        perApp(samples, (n) => `preview, ${n} synthetic apps`, o.previewSizes);
        const calls = estate.proxy.calls - callsBefore;
        console.log(`  Nomad HTTP calls during all unchanged previews and ups above: ${calls}`);
        if (calls !== 0) {
            throw new Error(`an unchanged preview or up called Nomad ${calls} times`);
        }
    } finally {
        await estate.stop();
    }
}

async function main(): Promise<void> {
    const o = options(process.argv.slice(2));
    if (o.build && fs.existsSync(path.join(o.root, "launch.js"))) {
        // Measure the current sources: build them first (not timed).
        const b = spawnSync("npm", ["run", "--silent", "build"], { cwd: o.root, stdio: "inherit" });
        if (b.status !== 0) {
            throw new Error("npm run build failed");
        }
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hydra-bench-"));
    console.log(`${o.runs} interleaved rounds, ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}, checkout ${o.root}`);
    try {
        if (o.render) {
            await renderRounds(o, dir);
        }
        if (o.preview) {
            await previewRounds(o, dir);
        }
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
        // Other work on the machine moves wall time most, CPU time less: say how busy it was.
        console.log(
            `\nload average at the end: ${os
                .loadavg()
                .map((l) => l.toFixed(1))
                .join(", ")} (1, 5, 15 min)`,
        );
    }
}

main().catch((e) => {
    console.error(e);
    process.exit(1);
});
