// The real Pulumi engine, offline: a local file backend, no update check, no plugin downloads.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";

export interface EngineOptions {
    projectDir: string;
    /** Folder of the file backend (state). */
    backendDir: string;
    /** The stack config file the engine uses instead of Pulumi.<stack>.yaml. */
    configFile: string;
    /** Folder with pulumi, its language host and plugin scripts. */
    toolsBin: string;
    passphrase: string;
}

export interface EngineResult {
    status: number;
    stdout: string;
    stderr: string;
}

export class Engine {
    readonly env: NodeJS.ProcessEnv;

    constructor(readonly o: EngineOptions) {
        fs.mkdirSync(o.backendDir, { recursive: true });
        this.env = {
            ...process.env,
            PATH: `${o.toolsBin}${path.delimiter}${process.env.PATH ?? ""}`,
            PULUMI_BACKEND_URL: `file://${o.backendDir}`,
            PULUMI_CONFIG_PASSPHRASE: o.passphrase,
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_SKIP_CONFIRMATIONS: "true",
        };
        delete this.env.PULUMI_CONFIG_PASSPHRASE_FILE;
    }

    /** Runs `pulumi <args>` in the project; stack commands get the config file. */
    run(args: string[], opts: { input?: string; withConfigFile?: boolean } = {}): EngineResult {
        const full = opts.withConfigFile === false ? args : [...args, "--config-file", this.o.configFile];
        const r = spawnSync(path.join(this.o.toolsBin, "pulumi"), full, {
            cwd: this.o.projectDir,
            env: this.env,
            input: opts.input,
            encoding: "utf8",
            maxBuffer: 64 * 1024 * 1024,
        });
        return { status: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
    }

    /** Like run, but throws with pulumi's own output when it fails. */
    must(args: string[], opts: { input?: string; withConfigFile?: boolean } = {}): string {
        const r = this.run(args, opts);
        if (r.status !== 0) {
            throw new Error(`pulumi ${args.join(" ")} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
        }
        return r.stdout;
    }
}
