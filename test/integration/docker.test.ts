// The dev estate's Docker for real: a private daemon and a Nomad dev agent in a temp folder,
// the stand-in image under a registry name nobody can pull, and a service job with a dynamic
// port, an Envvars template, a bind mount, a prestart command and an HTTP check.
import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startAgent, stopAgent } from "../../dev/agent";
import { deploymentStates, waitForDeployments } from "../../dev/deployments";
import { busyboxBinary, STANDIN_TAG, standinSpec } from "../../dev/devImages";
import { dockerCli } from "../../dev/docker";
import { buildImage } from "../../dev/imageBuild";
import { mountsUnder } from "../../dev/mounts";
import { tailnetAddress } from "../../dev/network";
import { alive } from "../../dev/pids";
import { seconds } from "../../nomad";
import { projectTool } from "../support/tools";
import { dockerPackages, startTestDocker, stopTestDocker, TestDocker } from "./devDocker";

// Away from `npm run dev` (4646) and the estate test (14646).
const HTTP_PORT = 14656;
// .invalid never resolves: the job runs only if Nomad takes the local image without pulling.
const IMAGE = "registry.invalid/hydra/probe:1.0.0";

const sha256 = (s: string | Buffer) => crypto.createHash("sha256").update(s).digest("hex");

async function api<T>(address: string, method: string, p: string, body?: unknown): Promise<T> {
    const res = await fetch(`${address}${p}`, { signal: AbortSignal.timeout(10_000), method, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) {
        throw new Error(`${method} ${p}: ${res.status} ${text}`);
    }
    return (text ? JSON.parse(text) : undefined) as T;
}

/** The probe job: what the estate's jobs use of the docker driver, in one group. */
function probeJob(secret: string, hostFile: string) {
    return {
        ID: "probe",
        Name: "probe",
        Type: "service",
        Datacenters: ["hydra"],
        Update: { MaxParallel: 1, HealthCheck: "checks", MinHealthyTime: seconds(2), HealthyDeadline: seconds(90), ProgressDeadline: seconds(120) },
        TaskGroups: [
            {
                Name: "web",
                Count: 1,
                RestartPolicy: { Attempts: 0, Mode: "fail" },
                Networks: [{ Mode: "host", DynamicPorts: [{ Label: "http", To: 8080, HostNetwork: "tailscale" }] }],
                Services: [
                    {
                        Name: "probe-web",
                        PortLabel: "http",
                        Provider: "nomad",
                        Checks: [{ Type: "http", Path: "/healthz", Interval: seconds(1), Timeout: seconds(1) }],
                    },
                ],
                Tasks: [
                    {
                        // A job's own command: busybox has sh, so the stand-in runs it and exits with it.
                        Name: "prepare",
                        Driver: "docker",
                        Lifecycle: { Hook: "prestart", Sidecar: false },
                        Config: { image: IMAGE, command: "sh", args: ["-c", "echo prepared > /alloc/data/prepared"] },
                        Resources: { CPU: 50, MemoryMB: 32 },
                    },
                    {
                        Name: "app",
                        Driver: "docker",
                        // Arguments for the real program (like prometheus' --config.file): the stand-in still serves.
                        Config: {
                            image: IMAGE,
                            args: ["--config.file=/local/app.conf"],
                            ports: ["http"],
                            mount: [{ type: "bind", source: hostFile, target: "/etc/probe/host.txt", readonly: true }],
                        },
                        Templates: [
                            { EmbeddedTmpl: `PROBE_SECRET=${secret}\n`, DestPath: "secrets/probe.env", Envvars: true, ChangeMode: "restart", Perms: "0600" },
                            { EmbeddedTmpl: "listen = 8080\n", DestPath: "local/app.conf", ChangeMode: "restart" },
                        ],
                        Resources: { CPU: 100, MemoryMB: 64 },
                    },
                ],
            },
        ],
    };
}

describe("integration: Nomad's docker driver on the dev Docker daemon, with the stand-in image", function () {
    this.timeout(600_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hydra-docker-"));
    const agentDir = path.join(dir, "agent");
    const dockerDir = path.join(dir, "docker");
    const secret = crypto.randomBytes(12).toString("hex");
    const hostFile = path.join(dir, "host.txt");
    const timings: Record<string, number> = {};
    let t: TestDocker;
    let address: string;
    let pids: { agent: number; dockerd: number };

    before(async () => {
        dockerPackages();
        const nomad = projectTool("nomad");
        fs.writeFileSync(hostFile, "bind-mounted from the host\n");
        t = await startTestDocker(dockerDir);
        timings.daemonStart = t.daemon.ms;
        const spec = standinSpec([IMAGE], busyboxBinary());
        const cold = buildImage(t.daemon.endpoint, spec);
        const cached = buildImage(t.daemon.endpoint, spec);
        assert.ok(cold.built && !cached.built, "the second build is a cache hit");
        timings.standinCold = cold.ms;
        timings.standinCached = cached.ms;
        const agent = await startAgent({
            dir: agentDir,
            nomad,
            httpPort: HTTP_PORT,
            network: { tailnetAddress: tailnetAddress(t.network), publicAddress: t.network.publicAddress },
            dockerEndpoint: t.daemon.endpoint,
        });
        address = agent.address;
        pids = { agent: agent.pid, dockerd: t.daemon.pid };
    });

    after(async () => {
        // Safety net; the last test does the same and checks it.
        await stopAgent(agentDir).catch(() => undefined);
        await stopTestDocker(dockerDir).catch((e: Error) => console.log(`      teardown: ${e.message}`));
        console.log(`      timings (ms): ${JSON.stringify(timings)}`);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("Nomad finds the private daemon, and the tailnet stand-in on the test's own bridge", async () => {
        const [node] = await api<{ ID: string }[]>(address, "GET", "/v1/nodes");
        type Node = {
            Drivers: Record<string, { Healthy: boolean }>;
            NodeResources: { NodeNetworks: { Device: string; Addresses: { Alias: string; Address: string }[] | null }[] };
        };
        const full = await api<Node>(address, "GET", `/v1/node/${node.ID}`);
        assert.ok(full.Drivers.docker?.Healthy, JSON.stringify(full.Drivers.docker));
        const aliases = full.NodeResources.NodeNetworks.flatMap((n) => (n.Addresses ?? []).map((a) => `${a.Alias} ${a.Address} ${n.Device}`));
        assert.ok(aliases.includes(`tailscale ${tailnetAddress(t.network)} ${t.network.bridge}`), aliases.join("; "));
        assert.ok(aliases.includes(`public ${t.network.publicAddress} lo`), aliases.join("; "));
        // The internal proxy's Nomad route: the API answers on the tailnet stand-in too.
        assert.ok(await api<string>(`http://${tailnetAddress(t.network)}:${HTTP_PORT}`, "GET", "/v1/status/leader"));
    });

    it("a service job with a dynamic port, an Envvars template and an HTTP check deploys healthy, without a pull", async () => {
        const start = Date.now();
        await api(address, "PUT", "/v1/jobs", { Job: probeJob(secret, hostFile) });
        // The scheduler makes the deployment a moment after the registration: until then there is nothing to wait for.
        while (!(await api<object | null>(address, "GET", "/v1/job/probe/deployment")) && Date.now() - start < 30_000) {
            await new Promise((r) => setTimeout(r, 200));
        }
        const states = await waitForDeployments(address, 180_000);
        timings.deployHealthy = Date.now() - start;
        const allocs = await api<{ ID: string }[]>(address, "GET", "/v1/job/probe/allocations");
        type Alloc = { TaskStates: Record<string, { State: string; Failed: boolean; Events: { Type: string; DisplayMessage: string }[] }> };
        const alloc = await api<Alloc>(address, "GET", `/v1/allocation/${allocs[0].ID}`);
        const events = Object.entries(alloc.TaskStates).flatMap(([task, s]) => s.Events.map((e) => `${task}: ${e.Type}: ${e.DisplayMessage}`));
        assert.deepStrictEqual(
            states.find((s) => s.job === "probe"),
            { job: "probe", status: "successful", description: "Deployment completed successfully" },
            events.join("\n"),
        );
        assert.ok(!events.some((e) => /Downloading image|pull/i.test(e)), events.join("\n"));
        assert.strictEqual(alloc.TaskStates.prepare.State, "dead");
        assert.strictEqual(alloc.TaskStates.prepare.Failed, false, "the prestart command ran and succeeded");
    });

    it("the stand-in answers any path on the host port with its job, group and task", async () => {
        const [svc] = await api<{ Address: string; Port: number }[]>(address, "GET", "/v1/service/probe-web");
        assert.strictEqual(svc.Address, tailnetAddress(t.network), "registered on the tailnet stand-in");
        const res = await fetch(`http://${svc.Address}:${svc.Port}/any/path?x=1`, { signal: AbortSignal.timeout(10_000) });
        assert.strictEqual(res.status, 200);
        assert.deepStrictEqual(await res.json(), { standin: true, job: "probe", group: "web", task: "app", method: "GET", path: "/any/path?x=1" });
    });

    it("reports digests of the templated env value and of the rendered and mounted files, never a value", async () => {
        const [svc] = await api<{ Address: string; Port: number }[]>(address, "GET", "/v1/service/probe-web");
        const text = await (await fetch(`http://${svc.Address}:${svc.Port}/.hydra/digests`, { signal: AbortSignal.timeout(10_000) })).text();
        assert.ok(!text.includes(secret), "no value in the answer");
        const d = JSON.parse(text) as { job: string; env: Record<string, string>; files: Record<string, string> };
        assert.strictEqual(d.job, "probe");
        assert.strictEqual(d.env.PROBE_SECRET, sha256(secret));
        assert.strictEqual(d.env.NOMAD_TASK_NAME, sha256("app"));
        assert.strictEqual(d.files["/secrets/probe.env"], sha256(`PROBE_SECRET=${secret}\n`));
        assert.strictEqual(d.files["/local/app.conf"], sha256("listen = 8080\n"));
        assert.strictEqual(d.files["/etc/probe/host.txt"], sha256(fs.readFileSync(hostFile)));
    });

    it("a container reaches the app on the tailnet stand-in, as the proxies do", async () => {
        const [svc] = await api<{ Address: string; Port: number }[]>(address, "GET", "/v1/service/probe-web");
        const out = t.docker(["run", "--rm", STANDIN_TAG, "sh", "-c", `printf 'GET /from-a-container HTTP/1.0\\r\\n\\r\\n' | nc ${svc.Address} ${svc.Port}`]);
        assert.match(out, /"task": "app", "method": "GET", "path": "\/from-a-container"/);
    });

    it("a pull, should anything ask for one, fails on this machine: no lookup, no packet out", () => {
        const r = dockerCli(t.daemon.endpoint, ["pull", "registry.invalid/hydra/missing:1.0.0"]);
        assert.notStrictEqual(r.status, 0);
        assert.match(r.stderr, /proxyconnect tcp: dial tcp 127\.0\.0\.1:9/, r.stderr);
    });

    it("teardown: the job stops, the agent and the daemon stop by PID, and no mount is left", async () => {
        await api(address, "DELETE", "/v1/job/probe?purge=true");
        for (let i = 0; i < 60 && t.docker(["ps", "--quiet"]).trim(); i++) {
            await new Promise((r) => setTimeout(r, 500));
        }
        assert.strictEqual(t.docker(["ps", "--quiet"]).trim(), "", "no container left running");
        assert.deepStrictEqual(await deploymentStates(address), []);
        assert.ok(await stopAgent(agentDir));
        await stopTestDocker(dockerDir);
        assert.ok(!alive(pids.agent), "the agent is gone");
        assert.ok(!alive(pids.dockerd), "dockerd is gone");
        assert.deepStrictEqual(mountsUnder(dir), []);
    });
});
