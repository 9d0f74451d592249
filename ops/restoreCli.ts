// `npm run restore -- <app> [--snapshot ID] [--target DIR] [--stack NAME]`: one app's data back
// from the backups. Nomad is reached like the nomad CLI does: NOMAD_ADDR (else the stack's
// nomad.address) and NOMAD_TOKEN.
import * as path from "path";
import { ConfigError } from "../config";
import { Restore, RestoreError } from "./restore";
import { restoreRequest } from "./restoreRequest";

interface Args {
    app?: string;
    snapshot: string;
    target?: string;
    stack: string;
    project: string;
}

function parseArgs(argv: string[]): Args {
    const o: Args = { snapshot: "latest", stack: "hydra", project: path.resolve(__dirname, "..") };
    for (let i = 0; i < argv.length; i++) {
        const [flag, inline] = argv[i].split("=", 2);
        const value = () => inline ?? argv[++i];
        if (flag === "--snapshot") {
            o.snapshot = value();
        } else if (flag === "--target") {
            o.target = path.resolve(value());
        } else if (flag === "--stack") {
            o.stack = value();
        } else if (flag === "--project") {
            o.project = path.resolve(value());
        } else if (!flag.startsWith("-") && !o.app) {
            o.app = flag;
        } else {
            throw new RestoreError(`unknown argument ${argv[i]} (usage: npm run restore -- <app> [--snapshot ID] [--target DIR] [--stack NAME])`);
        }
    }
    return o;
}

async function main(): Promise<void> {
    const args = parseArgs(process.argv.slice(2));
    const { address, ...request } = restoreRequest(args.project, args.stack, args.app, args.snapshot, args.target);
    const restore = new Restore({ address: process.env.NOMAD_ADDR || address, token: process.env.NOMAD_TOKEN || undefined }, (line) => console.log(line));
    await restore.run(request);
}

main().catch((e: unknown) => {
    if (e instanceof RestoreError || e instanceof ConfigError) {
        console.error(`error: ${e.message}`);
    } else {
        console.error(e);
    }
    process.exit(1);
});
