// Runs `pulumi preview --policy-pack` on a project and returns the policy
// violations the engine reported (from its streaming JSON events).
import { spawn } from "child_process";
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

/** Parses the engine's streaming JSON events (PULUMI_ENABLE_STREAMING_JSON_PREVIEW) for policy events. */
export function policyEvents(stdout: string): { violations: ReportedViolation[]; loaded: boolean } {
    const violations: ReportedViolation[] = [];
    let loaded = false;
    for (const line of stdout.split("\n")) {
        if (!line.startsWith("{")) {
            continue;
        }
        let e: any;
        try {
            e = JSON.parse(line);
        } catch {
            continue;
        }
        if (e.policyLoadEvent) {
            loaded = true;
        }
        const p = e.policyEvent;
        if (!p) {
            continue;
        }
        const lines = String(p.message ?? "")
            .replace(/\n$/, "")
            .split("\n");
        violations.push({
            policy: p.policyName,
            enforcementLevel: p.enforcementLevel,
            message: lines.slice(1).join("\n") || lines[0],
            urn: p.resourceUrn ?? "",
        });
    }
    return { violations, loaded };
}

export async function previewWithPolicyPack(o: PolicyPreviewOptions): Promise<PolicyPreviewResult> {
    const env: NodeJS.ProcessEnv = { ...process.env, ...o.env, PULUMI_ENABLE_STREAMING_JSON_PREVIEW: "true" };
    const args = [
        "preview",
        "--non-interactive",
        "--json",
        "--policy-pack",
        path.resolve(o.policyPack ?? POLICY_DIR),
        ...(o.stack ? ["--stack", o.stack] : []),
        ...(o.args ?? []),
    ];
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
}
