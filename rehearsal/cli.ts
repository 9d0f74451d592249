// `npm run rehearse [-- --stack NAME] [--control none|conffile|dpkgLock|missingSuite]`:
// boots the stack's rendered user-data in a systemd container and prints what held.
// `--user-data FILE` boots that file instead (with the stack's checks), to try a change by hand.
// `--tls` turns nomad.tls on, with certificates `nomad tls ca create` / `cert create` make for the run.
// Run it as root.
import * as fs from "fs";
import * as path from "path";
import { Control, CONTROLS } from "./controls";
import { describeRehearsal, nomadBinary, rehearsalCacheDir, rehearse } from "./rehearse";
import { rehearsalCertificates, stackInput } from "./stackInput";

async function main(): Promise<void> {
    let stack = "hydra";
    let control: Control = "none";
    let userDataFile: string | undefined;
    let tls = false;
    const argv = process.argv.slice(2);
    for (let i = 0; i < argv.length; i++) {
        if (argv[i] === "--stack") {
            stack = argv[++i];
        } else if (argv[i] === "--user-data") {
            userDataFile = argv[++i];
        } else if (argv[i] === "--tls") {
            tls = true;
        } else if (argv[i] === "--control" && argv[i + 1] in CONTROLS) {
            control = argv[++i] as Control;
        } else {
            throw new Error(`unknown argument ${argv[i]} (use --stack NAME, --control ${Object.keys(CONTROLS).join("|")}, --user-data FILE, --tls)`);
        }
    }
    const projectDir = path.resolve(__dirname, "..");
    const input = await stackInput(projectDir, stack, tls ? rehearsalCertificates(nomadBinary(projectDir)) : undefined);
    if (userDataFile) {
        input.userData = fs.readFileSync(userDataFile, "utf8");
    }
    const r = await rehearse({
        input,
        control,
        cacheDir: rehearsalCacheDir(),
        projectDir,
        log: (l) => console.log(`rehearsal: ${l}`),
    });
    console.log(describeRehearsal(r));
    console.log(`\nLast lines of the boot log:\n${r.outputTail}`);
    process.exit(r.ok ? 0 : 1);
}

if (require.main === module) {
    main().catch((e: unknown) => {
        console.error(e);
        process.exit(2);
    });
}
