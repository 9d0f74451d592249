// `npm run render [-- --stack NAME] [--out DIR]`: what a stack would deploy, as files, without credentials.
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../config";
import { renderStack, writeRendering } from "./renderStack";

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

async function main(): Promise<void> {
    const args = parseArgs(process.argv.slice(2));
    const r = await renderStack({ projectDir: args.project, stack: args.stack, syntheticApps: args.syntheticApps });
    const out = path.resolve(args.out);
    writeRendering(out, r.files);
    console.log(r.summary);
    console.log(`\nWrote ${r.files.size} files to ${path.relative(process.cwd(), out) || "."}/ (secrets shown as <secret:…> placeholders).`);
    if (r.unsetSecrets.length) {
        console.log(`Not set in Pulumi.${args.stack}.yaml, rendered as placeholders; \`pulumi preview\` requires them: ${r.unsetSecrets.join(", ")}`);
    }
}

main().catch((e: unknown) => {
    // Config problems print exactly as `pulumi preview` shows them; anything else with its stack.
    console.error(e instanceof ConfigError || pulumi.RunError.isInstance(e) ? (e as Error).message : e);
    process.exit(1);
});
