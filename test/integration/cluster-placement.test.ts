/**
 * The estate's placement on a real Nomad 1.6 cluster on this machine: one server (floyd, also a
 * client) and two clients (gilmour, public; pi, with data), each with the estate's own cluster
 * drop-in (name, meta, gossip key, join list, servers). Apps run host programs (raw_exec, no
 * Docker); their jobs are planned by the program's own planning (apps/plan.ts), which adds the
 * constraints, and the backup is the estate's backup app with a local restic repository.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AppDefinition, defineApp } from "../../apps";
import { backup } from "../../apps/backup";
import { planApps } from "../../apps/plan";
import { validateConfig } from "../../config";
import { buildJob, JobEnvironment } from "../../components/buildJob";
import { caddySpecs } from "../../components/CaddyProxy";
import { httpAddress, LocalAgent, startLocalAgent, stopLocalCluster } from "../../dev/clusterAgents";
import { nomadJobProvider } from "../../nomad/job-provider";
import { MiniEngine } from "../../testkit/engine";
import { onNode } from "../../vocabulary";
import { rejection } from "../nomad/helpers";
import { toRawConfig } from "../support/fixtures";
import { spawnSync } from "child_process";
import { debianTool, projectTool } from "../support/tools";
import { allocations, allocReport, api, placeAgents, until } from "./localCluster";

const GOSSIP_KEY = Buffer.alloc(32, 0x5a).toString("base64");
const RESTIC_PASSWORD = "cluster-test-password";
/** Host programs (raw_exec) run on any architecture. */
const ANY = ["amd64", "arm64"] as const;
const sleep = (seconds: number) => ({ driver: "raw_exec" as const, command: "/bin/sh", args: ["-c", `exec sleep ${seconds}`] });

describe("a Nomad cluster on this machine: placement from the declarations (1 server + 2 clients, raw_exec)", function () {
    this.timeout(600_000);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "hydra-cluster-"));
    const data = { floyd: path.join(root, "floyd-data"), pi: path.join(root, "pi-data") };
    const repository = path.join(root, "restic-repo");
    const python = fs.existsSync("/usr/bin/python3") ? "/usr/bin/python3" : debianTool("python3");
    let agents: LocalAgent[] = [];
    let floyd: LocalAgent;
    const timings: Record<string, number> = {};

    /** The apps, as an app file declares them: data on pi, a web service, a reader of it, an arm64-only one, a public edge. */
    const apps: AppDefinition[] = [
        defineApp({
            name: "vault",
            description: "keeps data (on pi)",
            archs: ANY,
            jobs: (ctx) => [
                {
                    name: "vault",
                    tasks: [
                        {
                            name: "keep",
                            driver: "raw_exec",
                            command: "/bin/sh",
                            args: ["-c", `mkdir -p ${ctx.data("vault")} && date > ${ctx.data("vault")}/kept && exec sleep 3600`],
                        },
                    ],
                    backupPaths: [ctx.data("vault")],
                },
            ],
        }),
        defineApp({
            name: "web",
            description: "a service on gilmour",
            archs: ANY,
            jobs: () => [
                {
                    name: "web",
                    tasks: [
                        { name: "serve", driver: "raw_exec", command: python, args: ["-m", "http.server", "${NOMAD_PORT_http}", "--bind", "${NOMAD_IP_http}"] },
                    ],
                    ports: [{ label: "http" }],
                    services: [{ name: "web", port: "http", check: { type: "http", path: "/" } }],
                    constraints: [onNode("gilmour")],
                },
            ],
        }),
        defineApp({
            name: "reader",
            description: "reads the web service from pi through a template",
            archs: ANY,
            jobs: () => [
                {
                    name: "reader",
                    tasks: [
                        {
                            name: "read",
                            driver: "raw_exec",
                            command: "/bin/sh",
                            args: ["-c", 'curl -fsS "http://$(cat ${NOMAD_TASK_DIR}/web.addr)/" | grep -m 1 -o "Directory listing[^<]*"; exec sleep 3600'],
                            files: [{ name: "web.addr", content: '{{ range nomadService "web" }}{{ .Address }}:{{ .Port }}{{ end }}', changeMode: "noop" }],
                        },
                    ],
                    dependsOn: ["web"],
                    constraints: [onNode("pi")],
                },
            ],
        }),
        defineApp({
            name: "armonly",
            description: "published for arm64 only",
            archs: ["arm64"],
            jobs: () => [{ name: "armonly", tasks: [{ name: "run", ...sleep(3600) }] }],
        }),
        backup,
    ];

    const config = () =>
        validateConfig(
            toRawConfig({
                "hydra:domain": "example.com",
                "hydra:target": "existing",
                "hydra:node": { name: "floyd", publicAddress: "198.51.100.7", dataDir: data.floyd },
                "hydra:tailscale": { address: "100.101.102.103" },
                "hydra:cloudflare": { enabled: false },
                "hydra:proxy": { enabled: false },
                "hydra:backup": { metricsDir: path.join(root, "metrics") },
                "hydra:nodes": {
                    gilmour: { target: "existing", public: true, publicAddress: "198.51.100.8", tailnetAddress: "100.101.102.104" },
                    // Declared arm64 (so that config takes the arm64-only app), though every agent here is amd64.
                    pi: { target: "existing", arch: "arm64", dataDir: data.pi, tailnetAddress: "100.101.102.110" },
                },
                "hydra:apps": { vault: { node: "pi" } },
                "hydra:tailscaleAuthKey": { secure: "tskey-auth-unused" },
                "hydra:resticPassword": { secure: RESTIC_PASSWORD },
                "hydra:resticRepository": { secure: repository },
            }),
            apps,
        );
    const env: JobEnvironment = { datacenter: "hydra", namespace: "default", region: "global", serviceProvider: "nomad" };

    before(async () => {
        const start = Date.now();
        const cfg = config();
        agents = await placeAgents(root, cfg.cluster.nodes);
        floyd = agents[0];
        for (const a of agents) {
            startLocalAgent(a, { nomad: projectTool("nomad"), servers: [floyd], gossipKey: GOSSIP_KEY, bootstrapExpect: 1 });
        }
        await until(
            "three ready nodes",
            async () => {
                const nodes = await api<{ Name: string; Status: string }[]>(floyd, "/v1/nodes");
                return nodes.filter((n) => n.Status === "ready").length === 3 ? nodes : undefined;
            },
            agents,
        );
        timings.start = Date.now() - start;
    });

    after(async () => {
        const left = await stopLocalCluster(agents, root);
        assert.deepStrictEqual(left, [], "no task or executor outlives the cluster");
        fs.rmSync(root, { recursive: true, force: true });
        console.log(`      timings (ms): ${JSON.stringify(timings)}`);
    });

    /** Plans the apps with the program's planning and registers every job (the arm64-only one aside). */
    async function deploy(): Promise<Map<string, ReturnType<typeof buildJob>>> {
        const plan = planApps(config(), apps);
        assert.deepStrictEqual(plan.problems, []);
        const jobs = new Map(plan.apps.flatMap((p) => p.jobs).map((s) => [s.name, buildJob(s, env)]));
        for (const [name, job] of jobs) {
            if (name !== "armonly") {
                await api(floyd, "/v1/jobs", "PUT", { Job: job });
            }
        }
        return jobs;
    }

    let jobs: Map<string, ReturnType<typeof buildJob>>;

    it("starts every agent with the estate's drop-in: its name, its meta, the gossip key", async () => {
        const nodes = await api<{ ID: string; Name: string }[]>(floyd, "/v1/nodes");
        const meta = async (name: string) => (await api(floyd, `/v1/node/${nodes.find((n) => n.Name === name)!.ID}`)).Meta;
        assert.deepStrictEqual(nodes.map((n) => n.Name).sort(), ["floyd", "gilmour", "pi"]);
        assert.deepStrictEqual([(await meta("gilmour")).public, (await meta("gilmour")).data], ["true", undefined]);
        assert.deepStrictEqual([(await meta("pi")).public, (await meta("pi")).data, (await meta("pi")).node], ["false", data.pi, "pi"]);
        const keyring = await api(floyd, "/v1/agent/keyring/list");
        assert.deepStrictEqual(Object.keys(keyring.Keys ?? keyring[0]?.Keys ?? {}), [GOSSIP_KEY], "the servers' gossip is encrypted with the key");
    });

    it("puts a stateful app on its node", async () => {
        await api(floyd, "/v1/var/nomad/jobs/restic", "PUT", {
            Namespace: "default",
            Path: "nomad/jobs/restic",
            Items: { restic_password: RESTIC_PASSWORD, restic_repository: repository },
        });
        jobs = await deploy();
        const vault = await until("vault running", async () => (await allocations(floyd, "vault")).find((a) => a.ClientStatus === "running"), agents);
        assert.strictEqual(vault.NodeName, "pi");
        assert.ok(fs.existsSync(path.join(data.pi, "vault", "kept")), "its data is in pi's data folder");
    });

    it("runs the public proxy once on every public node and nowhere else", async () => {
        const [pub] = caddySpecs({
            routes: [],
            adminRoutes: [],
            domain: "example.com",
            image: "unused:1",
            dataDir: data.floyd,
            environment: env,
            placement: { publicNodes: ["floyd", "gilmour"], primary: "floyd" },
        });
        const edge = buildJob({ name: "edge", tasks: [{ name: "proxy", ...sleep(3600) }], count: pub.count, constraints: pub.constraints }, env);
        await api(floyd, "/v1/jobs", "PUT", { Job: edge });
        const placed = await until(
            "two edge allocations running",
            async () => {
                const running = (await allocations(floyd, "edge")).filter((a) => a.ClientStatus === "running");
                return running.length === 2 ? running : undefined;
            },
            agents,
        );
        assert.deepStrictEqual(placed.map((a) => a.NodeName).sort(), ["floyd", "gilmour"]);
    });

    it("refuses an arm64-only app with Nomad's reason, shown by the deployment", async () => {
        const engine = new MiniEngine(nomadJobProvider);
        const started = Date.now();
        const e = await rejection(
            engine.up({
                job: jobs.get("armonly"),
                address: httpAddress(floyd),
                retryTimeoutSeconds: 10,
                detach: false,
                deploymentTimeoutSeconds: 30,
                app: "armonly",
            }),
        );
        timings.armonly = Date.now() - started;
        console.log(`      up says: ${e.message}`);
        assert.match(e.message, /NomadJob "armonly"/);
        assert.match(e.message, /\$\{attr\.cpu\.arch\} = arm64/, e.message);
        await engine.destroy().catch(() => undefined);
    });

    it("lets a template on one node reach a service on another", async () => {
        const web = await until("web running", async () => (await allocations(floyd, "web")).find((a) => a.ClientStatus === "running"), agents).catch(
            async (e) => assert.fail(`${e.message}\n${await allocReport(floyd, "web")}`),
        );
        assert.strictEqual(web.NodeName, "gilmour");
        const reader = await until("reader running", async () => (await allocations(floyd, "reader")).find((a) => a.ClientStatus === "running"), agents);
        assert.strictEqual(reader.NodeName, "pi");
        const out = await until(
            "the reader's output",
            async () => {
                const text = await api<string>(floyd, `/v1/client/fs/logs/${reader.ID}?task=read&type=stdout&plain=true&origin=start`);
                return text.includes("Directory listing") ? text : undefined;
            },
            agents,
        ).catch(async (e) => assert.fail(`${e.message}\n${await allocReport(floyd, "reader")}`));
        assert.match(out, /Directory listing/);
    });

    it("backs up each data node as its own restic host, from a sysbatch on the data nodes only", async () => {
        const started = Date.now();
        const { EvalID } = await api(floyd, "/v1/job/restic/periodic/force", "POST");
        assert.ok(EvalID);
        const runs = await until(
            "the backup on every data node",
            async () => {
                const children = (await api<{ ID: string; ParentID: string }[]>(floyd, "/v1/jobs?prefix=restic/periodic")).filter(
                    (j) => j.ParentID === "restic",
                );
                const allocs = children.length ? await allocations(floyd, children[0].ID) : [];
                const done = allocs.filter((a) => a.ClientStatus === "complete" || a.ClientStatus === "failed");
                return done.length === 2 ? done : undefined;
            },
            agents,
            180_000,
        );
        timings.backup = Date.now() - started;
        const children = (await api<{ ID: string; ParentID: string }[]>(floyd, "/v1/jobs?prefix=restic/periodic")).filter((j) => j.ParentID === "restic");
        assert.deepStrictEqual(
            runs.map((a) => [a.NodeName, a.ClientStatus]).sort(),
            [
                ["floyd", "complete"],
                ["pi", "complete"],
            ],
            await allocReport(floyd, children[0].ID),
        );
        const restic = spawnSync("restic", ["snapshots", "--json"], {
            encoding: "utf8",
            env: { ...process.env, RESTIC_REPOSITORY: repository, RESTIC_PASSWORD },
        });
        assert.strictEqual(restic.status, 0, restic.stderr);
        const snapshots = JSON.parse(restic.stdout) as { hostname: string; paths: string[] }[];
        const byHost = Object.fromEntries(snapshots.map((s) => [s.hostname, s.paths]));
        assert.deepStrictEqual(Object.keys(byHost).sort(), ["floyd", "pi"]);
        assert.ok(byHost.pi.includes(path.join(data.pi, "vault")), JSON.stringify(byHost));
        assert.ok(!byHost.floyd.some((p) => p.startsWith(data.pi)), "floyd saves none of pi's paths");
    });
});
