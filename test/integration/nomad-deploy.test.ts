/**
 * NomadJob waiting for health on a real Nomad 1.6 dev agent (NOMAD_ADDR, or
 * one started here via dev/agent.ts; raw_exec only, no Docker): a python3
 * HTTP server with a Nomad-native HTTP check is healthy; a task that never
 * listens is not. Short MinHealthyTime/HealthyDeadline keep each case to seconds.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startAgent, stopAgent } from "../../dev/agent";
import { nomadJobProvider } from "../../nomad/job-provider";
import { seconds } from "../../nomad/types";
import type { Job } from "../../nomad/types";
import { freePorts } from "../support/nomadAgent";
import { debianTool, projectTool } from "../support/tools";
import { MiniEngine, Obj } from "../../testkit/engine";
import { rejection, uniqueId } from "../nomad/helpers";

describe("NomadJob deployments on a real Nomad dev agent (raw_exec, HTTP checks)", function () {
    this.timeout(240_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hydra-nomad-deploy-"));
    let address: string;
    let python: string;
    const timings: Record<string, number> = {};
    let progress: string[] = [];
    const log = console.log;

    before(async () => {
        // The pyenv shim on PATH needs a shell environment raw_exec does not give it.
        python = fs.existsSync("/usr/bin/python3") ? "/usr/bin/python3" : debianTool("python3");
        if (process.env.NOMAD_ADDR) {
            address = process.env.NOMAD_ADDR.replace(/\/+$/, "");
            return;
        }
        const agent = await startAgent({ dir: path.join(dir, "agent"), nomad: projectTool("nomad"), httpPort: await freePorts() });
        address = agent.address;
    });
    beforeEach(() => {
        progress = [];
        console.log = (...a: unknown[]) => void progress.push(a.map(String).join(" "));
    });
    afterEach(() => {
        console.log = log;
    });
    after(async () => {
        await stopAgent(path.join(dir, "agent")); // false when none was started here
        fs.rmSync(dir, { recursive: true, force: true });
        console.log(`      timings (ms): ${JSON.stringify(timings)}`);
    });

    /** One group "web": serves HTTP when healthy, otherwise runs without listening, so its check never passes. */
    function webJob(id: string, healthy: boolean, autoRevert = false): Job {
        const config = healthy
            ? { command: python, args: ["-m", "http.server", "${NOMAD_PORT_http}", "--bind", "127.0.0.1", "--directory", "${NOMAD_TASK_DIR}"] }
            : { command: "/bin/sh", args: ["-c", "exec sleep 3600"] };
        return {
            ID: id,
            Datacenters: ["*"],
            TaskGroups: [
                {
                    Name: "web",
                    Networks: [{ DynamicPorts: [{ Label: "http" }] }],
                    Services: [
                        {
                            Name: id,
                            PortLabel: "http",
                            Provider: "nomad",
                            Checks: [{ Name: "alive", Type: "http", Path: "/", Interval: seconds(1), Timeout: seconds(1) }],
                        },
                    ],
                    RestartPolicy: { Attempts: 0, Mode: "fail" },
                    Update: {
                        MaxParallel: 1,
                        HealthCheck: "checks",
                        MinHealthyTime: seconds(1),
                        HealthyDeadline: seconds(5),
                        ProgressDeadline: seconds(10),
                        AutoRevert: autoRevert,
                    },
                    Tasks: [{ Name: "server", Driver: "raw_exec", Config: config, Env: { HEALTHY: String(healthy) }, Resources: { CPU: 20, MemoryMB: 48 } }],
                },
            ],
        };
    }

    function args(job: Job, extra: Obj = {}): Obj {
        return { job, address, retryTimeoutSeconds: 10, detach: false, deploymentTimeoutSeconds: 60, app: "site", ...extra };
    }

    async function timed<T>(name: string, f: () => Promise<T>): Promise<T> {
        const start = Date.now();
        try {
            return await f();
        } finally {
            timings[name] = Date.now() - start;
        }
    }

    it("waits for a healthy job and succeeds", async () => {
        const id = uniqueId("healthy");
        const engine = new MiniEngine(nomadJobProvider);
        await timed("healthy", () => engine.up(args(webJob(id, true))));
        assert.equal(engine.state!.outputs.deploymentStatus, "successful");
        assert.match(progress[progress.length - 1], new RegExp(`^nomad: job "${id}" \\(app "site"\\): web 1/1 healthy \\(deployment \\w{8} successful\\)$`));
        await engine.destroy();
    });

    it("fails a job whose check never passes within Nomad's deadline, with Nomad's reason", async () => {
        const id = uniqueId("unhealthy");
        const engine = new MiniEngine(nomadJobProvider);
        const started = Date.now();
        const e = await timed("never healthy", () => rejection(engine.up(args(webJob(id, false)))));
        assert.ok(Date.now() - started < 40_000, "well before deploymentTimeoutSeconds");
        assert.match(
            e.message,
            new RegExp(
                `^NomadJob "${id}" \\(app "site"\\): deployment \\w{8} \\(job version 0\\) failed: Failed due to (unhealthy allocations|progress deadline)`,
            ),
        );
        assert.match(e.message, /groups: web 0\/1 healthy/);
        assert.match(e.message, /task "server": .*Alloc Unhealthy: /);
        assert.equal(engine.state!.outputs.deploymentStatus, "failed");

        // A re-run checks again (and fails again) without a new version.
        const again = await timed("re-run after failure", () => rejection(engine.up(args(webJob(id, false)))));
        assert.match(again.message, /\(job version 0\) failed: /);
        assert.equal(engine.state!.outputs.version, 0);
        await engine.destroy();
    });

    it("reports an auto-reverted deployment as a failure", async () => {
        const id = uniqueId("revert");
        const engine = new MiniEngine(nomadJobProvider);
        await timed("revert: good version", () => engine.up(args(webJob(id, true, true))));
        const e = await timed("revert: bad version", () => rejection(engine.up(args(webJob(id, false, true)))));
        assert.match(e.message, /\(job version 1\) failed: Failed due to (unhealthy allocations|progress deadline) - rolling back to job version 0/);
        assert.match(e.message, /Nomad rolled the job back to version 0 \(now version 2\)/);
        assert.equal(engine.state!.outputs.deploymentStatus, "failed");
        assert.equal(engine.state!.outputs.version, 2);
        await engine.destroy();
    });
});
