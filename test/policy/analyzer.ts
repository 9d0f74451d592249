// Runs the policy pack as the Pulumi engine does, without the engine: Node
// starts @pulumi/pulumi's run-policy-pack in the pack's directory (TypeScript
// through ts-node, type-checked), the pack prints its gRPC port, and the
// Analyzer service is called with resources the way the engine sends them.
import { ChildProcess, spawn } from "child_process";
import * as path from "path";

const protoDir = path.dirname(require.resolve("@pulumi/pulumi/proto/analyzer_grpc_pb"));
const fromProto = (m: string) => require(require.resolve(m, { paths: [protoDir] }));
const grpc = fromProto("@grpc/grpc-js");
const analyzerGrpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
const analyzerPb = require("@pulumi/pulumi/proto/analyzer_pb");
const { Struct } = fromProto("google-protobuf/google/protobuf/struct_pb");
const { Empty } = fromProto("google-protobuf/google/protobuf/empty_pb");

export const POLICY_DIR = path.resolve(__dirname, "..", "..", "policy");

/** How the engine marks values: a secret wraps its value; an unknown is this string. */
export const SECRET = (value: unknown) => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value });
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface AnalyzedResource {
    type: string;
    name: string;
    props: Record<string, unknown>;
    protect?: boolean;
    urn?: string;
}

export interface Diagnostic {
    policy: string;
    enforcementLevel: "advisory" | "mandatory" | "disabled" | "remediate";
    message: string;
    urn: string;
}

export interface RunningPack {
    info(): Promise<{ name: string; version: string; policies: { name: string; enforcementLevel: string }[] }>;
    analyze(r: AnalyzedResource): Promise<Diagnostic[]>;
    analyzeStack(rs: AnalyzedResource[]): Promise<Diagnostic[]>;
    stop(): void;
    /** What the pack printed on stderr. */
    stderr(): string;
}

const LEVELS = ["advisory", "mandatory", "disabled", "remediate"] as const;

function urnOf(r: AnalyzedResource): string {
    return r.urn ?? `urn:pulumi:dev::hydra::${r.type}::${r.name}`;
}

function options(r: AnalyzedResource): any {
    const o = new analyzerPb.AnalyzerResourceOptions();
    o.setProtect(r.protect === true);
    return o;
}

function diagnostics(resp: any): Diagnostic[] {
    return resp.getDiagnosticsList().map((d: any) => ({
        policy: d.getPolicyname(),
        enforcementLevel: LEVELS[d.getEnforcementlevel()],
        message: d.getMessage(),
        urn: d.getUrn(),
    }));
}

/** Starts the pack in `dir` (default: this repository's policy/) and connects to it. */
export async function startPolicyPack(dir = POLICY_DIR, timeoutMs = 120_000): Promise<RunningPack> {
    const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");
    // The first argument stands for the engine's address; the pack only needs it to log through the engine.
    const child: ChildProcess = spawn(process.execPath, [runner, "127.0.0.1:1", "."], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    child.stderr!.on("data", (b) => (err += b.toString()));
    const port = await new Promise<string>((resolve, reject) => {
        let out = "";
        const timer = setTimeout(() => reject(new Error(`the policy pack printed no port within ${timeoutMs} ms; stderr:\n${err}`)), timeoutMs);
        child.stdout!.on("data", (b) => {
            out += b.toString();
            const line = out.split("\n")[0];
            if (out.includes("\n")) {
                clearTimeout(timer);
                if (/^\d+$/.test(line.trim())) {
                    resolve(line.trim());
                } else {
                    reject(new Error(`the policy pack printed ${JSON.stringify(line)} instead of a port; stderr:\n${err}`));
                }
            }
        });
        child.on("exit", (code) => {
            clearTimeout(timer);
            reject(new Error(`the policy pack exited with ${code}; stderr:\n${err}`));
        });
    });
    const client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    const call = <T>(method: string, req: unknown, map: (resp: any) => T) =>
        new Promise<T>((resolve, reject) => client[method](req, (e: Error | null, resp: any) => (e ? reject(e) : resolve(map(resp)))));
    return {
        info: () =>
            call("getAnalyzerInfo", new Empty(), (resp) => ({
                name: resp.getName(),
                version: resp.getVersion(),
                policies: resp.getPoliciesList().map((p: any) => ({ name: p.getName(), enforcementLevel: LEVELS[p.getEnforcementlevel()] })),
            })),
        analyze: (r) => {
            const req = new analyzerPb.AnalyzeRequest();
            req.setType(r.type);
            req.setName(r.name);
            req.setUrn(urnOf(r));
            req.setProperties(Struct.fromJavaScript(r.props));
            req.setOptions(options(r));
            return call("analyze", req, diagnostics);
        },
        analyzeStack: (rs) => {
            const req = new analyzerPb.AnalyzeStackRequest();
            req.setResourcesList(
                rs.map((r) => {
                    const x = new analyzerPb.AnalyzerResource();
                    x.setType(r.type);
                    x.setName(r.name);
                    x.setUrn(urnOf(r));
                    x.setProperties(Struct.fromJavaScript(r.props));
                    x.setOptions(options(r));
                    return x;
                }),
            );
            return call("analyzeStack", req, diagnostics);
        },
        stop: () => {
            client.close();
            child.kill();
        },
        stderr: () => err,
    };
}
