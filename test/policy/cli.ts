// Runs `pulumi preview --policy-pack` on a project and returns the policy
// violations the engine reported (from its streaming JSON events).
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { POLICY_DIR } from "./analyzer";

export interface ReportedViolation {
    policy: string;
    enforcementLevel: string;
    /** The violation's own message (the engine prefixes it with the policy's description; that is stripped). */
    message: string;
    /** The resource blamed; the stack's URN for stack-wide violations. */
    urn: string;
}

export interface PolicyPreviewOptions {
    /** The Pulumi project directory. */
    cwd: string;
    stack?: string;
    /** Added to process.env: PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE, PATH… */
    env?: NodeJS.ProcessEnv;
    /** Default: this repository's policy/. */
    policyPack?: string;
    /** Default: `pulumi` from PATH. */
    pulumi?: string;
    /**
     * Start the pack through a `pulumi-analyzer-policy-<runtime>` launcher on
     * PATH (the engine's fallback when no language host has the pack's
     * runtime) instead of the Node.js language host's RunPlugin, which the
     * v3.68 host built by scripts/tools.sh does not implement. Works with any
     * CLI. Default true.
     */
    launcher?: boolean;
    args?: string[];
    timeoutMs?: number;
}

export interface PolicyPreviewResult {
    /** pulumi's exit status: non-zero when a mandatory policy failed (or anything else did). */
    code: number;
    violations: ReportedViolation[];
    /** Whether the engine loaded the pack. */
    loaded: boolean;
    stdout: string;
    stderr: string;
}

const LAUNCHER_RUNTIME = "hydra-policy-launcher";

/**
 * A directory that stands in for the pack: the same files (symlinked), with a
 * PulumiPolicy.yaml whose runtime no language host claims, and a bin directory
 * holding the matching analyzer launcher. Put `bin` first on PATH.
 */
export function policyLauncher(policyDir = POLICY_DIR): { packDir: string; binDir: string; cleanup(): void } {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "hydra-policy-"));
    const packDir = path.join(root, "pack");
    const binDir = path.join(root, "bin");
    fs.mkdirSync(packDir);
    fs.mkdirSync(binDir);
    for (const f of fs.readdirSync(policyDir)) {
        if (f !== "PulumiPolicy.yaml") fs.symlinkSync(path.join(policyDir, f), path.join(packDir, f));
    }
    // run-policy-pack is resolved from the pack's directory: give it the repository's node_modules.
    const modules = path.dirname(path.dirname(path.dirname(require.resolve("@pulumi/pulumi/package.json"))));
    if (!fs.existsSync(path.join(packDir, "node_modules"))) fs.symlinkSync(modules, path.join(packDir, "node_modules"));
    const yaml = fs.readFileSync(path.join(policyDir, "PulumiPolicy.yaml"), "utf8").replace(/^runtime:.*$/m, `runtime: ${LAUNCHER_RUNTIME}`);
    fs.writeFileSync(path.join(packDir, "PulumiPolicy.yaml"), yaml);
    const launcher = path.join(binDir, `pulumi-analyzer-policy-${LAUNCHER_RUNTIME}`);
    fs.writeFileSync(launcher, `#!/bin/sh\nexec node "$(node -e "console.log(require.resolve('@pulumi/pulumi/cmd/run-policy-pack'))")" "$@"\n`, { mode: 0o755 });
    return { packDir, binDir, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}

/** Parses the engine's streaming JSON events (PULUMI_ENABLE_STREAMING_JSON_PREVIEW) for policy events. */
export function policyEvents(stdout: string): { violations: ReportedViolation[]; loaded: boolean } {
    const violations: ReportedViolation[] = [];
    let loaded = false;
    for (const line of stdout.split("\n")) {
        if (!line.startsWith("{")) continue;
        let e: any;
        try {
            e = JSON.parse(line);
        } catch {
            continue;
        }
        if (e.policyLoadEvent) loaded = true;
        const p = e.policyEvent;
        if (!p) continue;
        const lines = String(p.message ?? "").replace(/\n$/, "").split("\n");
        violations.push({ policy: p.policyName, enforcementLevel: p.enforcementLevel, message: lines.slice(1).join("\n") || lines[0], urn: p.resourceUrn ?? "" });
    }
    return { violations, loaded };
}

export async function previewWithPolicyPack(o: PolicyPreviewOptions): Promise<PolicyPreviewResult> {
    const useLauncher = o.launcher ?? true;
    const shim = useLauncher ? policyLauncher(o.policyPack ?? POLICY_DIR) : undefined;
    const env: NodeJS.ProcessEnv = { ...process.env, ...o.env, PULUMI_ENABLE_STREAMING_JSON_PREVIEW: "true" };
    if (shim) env.PATH = `${shim.binDir}${path.delimiter}${env.PATH ?? ""}`;
    const args = [
        "preview",
        "--non-interactive",
        "--json",
        "--policy-pack",
        shim ? shim.packDir : path.resolve(o.policyPack ?? POLICY_DIR),
        ...(o.stack ? ["--stack", o.stack] : []),
        ...(o.args ?? []),
    ];
    try {
        const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
            const child = spawn(o.pulumi ?? "pulumi", args, { cwd: o.cwd, env, stdio: ["ignore", "pipe", "pipe"] });
            let stdout = "";
            let stderr = "";
            child.stdout.on("data", (b) => (stdout += b.toString()));
            child.stderr.on("data", (b) => (stderr += b.toString()));
            const timer = setTimeout(() => child.kill(), o.timeoutMs ?? 300_000);
            child.on("error", reject);
            child.on("close", (c) => {
                clearTimeout(timer);
                resolve({ code: c ?? 1, stdout, stderr });
            });
        });
        return { code, stdout, stderr, ...policyEvents(stdout) };
    } finally {
        shim?.cleanup();
    }
}
