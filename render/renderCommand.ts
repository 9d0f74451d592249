// What `npm run render` does with its arguments, as a function the tests call in-process: it
// returns the exit status and writes only through `io`, so no test pays for a second ts-node.
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../config";
import { renderStack, writeRendering } from "./renderStack";

export interface CommandOutput {
    log(line: string): void;
    error(text: unknown): void;
}

/** The folder with Pulumi.yaml above this file: render/ runs from the sources or from bin/render/. */
function projectRoot(): string {
    let dir = __dirname;
    while (!fs.existsSync(path.join(dir, "Pulumi.yaml")) && path.dirname(dir) !== dir) {
        dir = path.dirname(dir);
    }
    return dir;
}

function parseArgs(argv: string[]): { stack: string; out: string; project: string; syntheticApps: number } {
    const o = { stack: "hydra", out: "out", project: projectRoot(), syntheticApps: 0 };
    for (let i = 0; i < argv.length; i++) {
        const [flag, inline] = argv[i].split("=", 2);
        const value = () => inline ?? argv[++i];
        if (flag === "--stack") {
            o.stack = value();
        } else if (flag === "--out") {
            o.out = value();
        } else if (flag === "--project") {
            o.project = path.resolve(value());
        } else if (flag === "--synthetic-apps") {
            o.syntheticApps = Number(value());
        } else {
            throw new Error(`unknown argument ${argv[i]} (use --stack NAME, --out DIR, --project DIR)`);
        }
    }
    return o;
}

async function render(argv: string[], io: CommandOutput): Promise<void> {
    const args = parseArgs(argv);
    const r = await renderStack({ projectDir: args.project, stack: args.stack, syntheticApps: args.syntheticApps });
    const out = path.resolve(args.out);
    writeRendering(out, r.files);
    io.log(r.summary);
    io.log(`\nWrote ${r.files.size} files to ${path.relative(process.cwd(), out) || "."}/ (secrets shown as <secret:…> placeholders).`);
    if (r.unsetSecrets.length) {
        io.log(`Not set in Pulumi.${args.stack}.yaml, rendered as placeholders; \`pulumi preview\` requires them: ${r.unsetSecrets.join(", ")}`);
    }
}

/** Runs `npm run render` with `argv`; resolves to the exit status (1 after printing why). */
export async function renderCommand(argv: string[], io: CommandOutput): Promise<number> {
    try {
        await render(argv, io);
        return 0;
    } catch (e) {
        // Config problems print exactly as `pulumi preview` shows them; anything else with its stack.
        io.error(e instanceof ConfigError || pulumi.RunError.isInstance(e) ? (e as Error).message : e);
        return 1;
    }
}
