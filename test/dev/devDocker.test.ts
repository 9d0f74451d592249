// The pieces of the dev estate's Docker that need no daemon: the agent's config, the address
// rules, which images the rendered dev stack needs, and the image cache key.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { devAgentConfig } from "../../dev/agent";
import { busyboxBinary, glibcLibraries, jobBindSources, jobImages, planDevImages, STANDIN_TAG, standinSpec } from "../../dev/devImages";
import { localAgentFiles } from "../../dev/clusterAgents";
import { devClusterAgents, devClusterConfig, devClusterLayout, seedFiles } from "../../dev/devCluster";
import { programFiles } from "../../dev/programAgents";
import { clusterDropIn } from "../../components/HydraCluster";
import { renderJoinScript, renderPrimaryJoinScript } from "../../components/joinScript";
import { renderNomadAgentConfig } from "../../components/nomadAgentConfig";
import { dockerdArgs } from "../../dev/docker";
import { isStaticElf } from "../../dev/elf";
import { failedStep, inputsHash } from "../../dev/imageBuild";
import { DEFAULT_DEV_NETWORK, devNetworkFromEnv, devNetworkProblems, devNodeAddresses, dockerFixedCidr, inSubnet } from "../../dev/network";
import { DEFAULT_CADDY_IMAGE } from "../../config";
import * as YAML from "yaml";
import { promtool } from "../support/tools";

const ROOT = path.resolve(__dirname, "..", "..");

describe("dev estate: Docker without a daemon", () => {
    describe("the dev agent's config", () => {
        const hcl = devAgentConfig({
            dir: "/x/.nomad-dev",
            nomad: "nomad",
            httpPort: 4646,
            network: { tailnetAddress: "100.127.0.1", publicAddress: "127.0.0.1" },
            dockerEndpoint: "unix:///x/.nomad-dev/docker/docker.sock",
        });

        it("points the docker plugin at the private daemon, with volumes on and image GC off", () => {
            assert.match(
                hcl,
                /plugin "docker" \{\s+config \{\s+endpoint = "unix:\/\/\/x\/\.nomad-dev\/docker\/docker\.sock"\s+volumes \{\s+enabled = true\s+\}/,
            );
            assert.match(hcl, /gc \{\s+image = false\s+\}/);
        });

        it("maps the tailscale host network to the stand-in address and public to loopback", () => {
            assert.match(hcl, /host_network "tailscale" \{\s+cidr = "100\.127\.0\.1\/32"\s+\}/);
            assert.match(hcl, /host_network "public" \{\s+cidr = "127\.0\.0\.1\/32"\s+\}/);
        });

        it("serves the HTTP API on the tailnet stand-in too, and probes no cloud metadata address", () => {
            assert.match(hcl, /addresses \{\s+http = "127\.0\.0\.1 100\.127\.0\.1"\s+\}/);
            assert.match(hcl, /"fingerprint\.denylist" = "env_aws,env_azure,env_digitalocean,env_gce"/);
        });

        it("publishes Nomad's metrics in Prometheus's format, per allocation, as the node does", () => {
            assert.match(hcl, /telemetry \{[^}]*prometheus_metrics\s+= true[^}]*publish_allocation_metrics = true/);
        });

        it("has no docker plugin block without a daemon", () => {
            assert.doesNotMatch(devAgentConfig({ dir: "/x", nomad: "nomad", httpPort: 4646 }), /plugin "docker"/);
        });
    });

    describe("the dev network", () => {
        it("defaults to bridge hydra0 at 100.127.0.1/24 and 127.0.0.1, each overridable", () => {
            assert.deepStrictEqual(devNetworkFromEnv({}), DEFAULT_DEV_NETWORK);
            assert.deepStrictEqual(devNetworkFromEnv({ HYDRA_DEV_BRIDGE: "hy1", HYDRA_DEV_TAILNET: "100.100.5.1/24", HYDRA_DEV_PUBLIC: "127.0.0.9" }), {
                bridge: "hy1",
                tailnetCidr: "100.100.5.1/24",
                publicAddress: "127.0.0.9",
            });
        });

        it("keeps the tailnet stand-in in 100.64.0.0/10 and the public one on loopback", () => {
            assert.deepStrictEqual(devNetworkProblems(DEFAULT_DEV_NETWORK), []);
            const problems = devNetworkProblems({ bridge: "a-bridge-name-too-long", tailnetCidr: "172.17.0.1/16", publicAddress: "192.0.2.2" });
            assert.strictEqual(problems.length, 3, problems.join("\n"));
            assert.ok(inSubnet("100.127.255.254", "100.64.0.0", 10));
            assert.ok(!inSubnet("100.128.0.1", "100.64.0.0", 10));
        });

        it("gives a dev cluster's nodes the next stand-ins, and Docker's containers the upper half of the bridge", () => {
            assert.deepStrictEqual(devNodeAddresses(DEFAULT_DEV_NETWORK, 3), [
                { tailnet: "100.127.0.1", public: "127.0.0.1" },
                { tailnet: "100.127.0.2", public: "127.0.0.2" },
                { tailnet: "100.127.0.3", public: "127.0.0.3" },
            ]);
            assert.strictEqual(dockerFixedCidr(DEFAULT_DEV_NETWORK), "100.127.0.128/25");
            assert.strictEqual(dockerFixedCidr({ ...DEFAULT_DEV_NETWORK, tailnetCidr: "100.100.4.1/22" }), "100.100.6.0/23");
            // Node addresses never reach Docker's half.
            assert.throws(() => devNodeAddresses({ ...DEFAULT_DEV_NETWORK, tailnetCidr: "100.127.0.126/24" }, 3), /no room for 3 nodes/);
            const args = dockerdArgs({ dir: "/d", bridge: "hydra0", dns: "100.127.0.1", fixedCidr: "100.127.0.128/25" });
            assert.ok(args.includes("--fixed-cidr=100.127.0.128/25"));
            assert.ok(!dockerdArgs({ dir: "/d", bridge: "hydra0", dns: "100.127.0.1" }).some((a) => a.startsWith("--fixed-cidr")), "one node: as before");
        });

        it("writes each dev cluster agent on its own stand-ins, the clients' docker plugin never reaping the others' containers", () => {
            const layout = devClusterLayout("dev", devNodeAddresses(DEFAULT_DEV_NETWORK, 3), { agentDir: "/a", dataDir: "/a/hydra-data", httpPort: 4646 });
            assert.deepStrictEqual(devClusterConfig(layout), {
                "hydra:nodes": {
                    dev2: { target: "existing", public: true, tailnetAddress: "100.127.0.2", publicAddress: "127.0.0.2" },
                    dev3: { target: "existing", public: false, tailnetAddress: "100.127.0.3", dataDir: "/a/nodes/dev3/hydra-data" },
                },
                "hydra:apps": { syncthing: { node: "dev3" } },
            });
            const agents = devClusterAgents(layout, { agentDir: "/a", dockerEndpoint: "unix:///a/docker/docker.sock" });
            const files = agents.map((a) => localAgentFiles(a, { servers: [agents[0]], gossipKey: "k", bootstrapExpect: 1 }));
            assert.match(files[0]["nomad.hcl"], /addresses \{\n {2}http = "127\.0\.0\.1 100\.127\.0\.1"/);
            assert.match(files[1]["nomad.hcl"], /host_network "public" \{\n {4}cidr = "127\.0\.0\.2\/32"/);
            assert.ok(!files[2]["nomad.hcl"].includes('host_network "public"'), "dev3 is not public");
            assert.match(files[2]["nomad.hcl"], /cgroup_parent = "hydra-dev3"/);
            assert.match(files[2]["nomad.hcl"], /dangling_containers \{\n {6}enabled = false/);
            assert.match(files[2]["cluster.hcl"], /servers = \["100\.127\.0\.1:4647"\]/);
            assert.ok(!devAgentConfig({ dir: "/a", nomad: "nomad", httpPort: 4646, dockerEndpoint: "unix:///s" }).includes("dangling"), "one agent: as before");
        });

        it("starts a dev cluster agent on its node's join script (the drop-in verbatim, the program's role), a fresh one as the program renders it", () => {
            const opts = { agentDir: "/a", dataDir: "/a/hydra-data", httpPort: 4646 };
            const agents = devClusterAgents(devClusterLayout("dev", devNodeAddresses(DEFAULT_DEV_NETWORK, 3), { ...opts, servers: 3 }), {
                agentDir: "/a",
                dockerEndpoint: "unix:///d.sock",
            });
            assert.deepStrictEqual(
                devClusterConfig(devClusterLayout("dev", devNodeAddresses(DEFAULT_DEV_NETWORK, 3), { ...opts, servers: 3 }))["hydra:nodes"],
                {
                    dev2: { role: "both", target: "existing", public: true, tailnetAddress: "100.127.0.2", publicAddress: "127.0.0.2" },
                    dev3: { role: "both", target: "existing", public: false, tailnetAddress: "100.127.0.3", dataDir: "/a/nodes/dev3/hydra-data" },
                },
            );
            const cluster = { nodes: agents.map((a) => a.node), warnings: [] };
            const base = (server: boolean, client: boolean, bootstrapExpect: number) =>
                renderNomadAgentConfig({
                    datacenter: "hydra",
                    region: "global",
                    publicInterface: "eth0",
                    acl: false,
                    consul: false,
                    role: { server, client, bootstrapExpect },
                });
            const join = (node: string, agentConfig: string, clusterConfig: string) =>
                renderJoinScript({ node, arch: "amd64", nomadVersion: "1.6.3", agentConfig, clusterConfig, tailnetAuthKey: "tskey-auth-x", tailnetTags: [] });
            const dropIn = clusterDropIn(agents[1].node, cluster, "k");
            const dev2 = programFiles(agents[1], join("dev2", base(true, true, 3), dropIn));
            assert.strictEqual(dev2["cluster.hcl"], dropIn);
            assert.match(dev2["cluster.hcl"], /retry_join = \["100\.127\.0\.1", "100\.127\.0\.2", "100\.127\.0\.3"\]/);
            assert.match(dev2["nomad.hcl"], /server \{\n {2}enabled {10}= true\n {2}bootstrap_expect = 3\n\}/);
            assert.match(
                dev2["nomad.hcl"],
                /ports \{\n {2}http = 4646\n {2}rpc {2}= 4647\n {2}serf = 4648\n\}/,
                "Nomad's own RPC and Serf ports, which the drop-in names",
            );
            // The primary's script only adds the drop-in: it stays as it booted, bootstrapped alone.
            const dev = programFiles(agents[0], renderPrimaryJoinScript("dev", clusterDropIn(agents[0].node, cluster, "k")));
            assert.match(dev["nomad.hcl"], /bootstrap_expect = 1/);
            assert.throws(
                () => programFiles(agents[2], join("dev3", base(false, true, 1), dropIn)),
                /renders dev3 as a client agent, but npm run dev declared it both/,
            );
            assert.throws(() => programFiles(agents[2], undefined), /joinScripts has no script for dev3/);
            // A fresh cluster (the primary the one server) starts on what the program renders for it.
            const seed = devClusterAgents(devClusterLayout("dev", devNodeAddresses(DEFAULT_DEV_NETWORK, 3), opts), { agentDir: "/a", dockerEndpoint: "" });
            const seedCluster = { nodes: seed.map((a) => a.node), warnings: [] };
            for (const a of seed) {
                assert.strictEqual(seedFiles(a, seed[0], "k")["cluster.hcl"], clusterDropIn(a.node, seedCluster, "k"), a.node.name);
            }
        });

        it("runs dockerd with its own paths and socket, vfs, and nothing done to iptables or forwarding", () => {
            const args = dockerdArgs({ dir: "/d", bridge: "hydra0", dns: "100.127.0.1" });
            for (const a of ["--data-root=/d/data", "--exec-root=/d/exec", "--pidfile=/d/docker.pid", "unix:///d/docker.sock", "--storage-driver=vfs"]) {
                assert.ok(args.includes(a), a);
            }
            for (const a of ["--iptables=false", "--ip-masq=false", "--ip-forward=false", "--bridge=hydra0", "--dns=100.127.0.1"]) {
                assert.ok(args.includes(a), a);
            }
        });
    });

    describe("the images of the dev stack", () => {
        it("come from the rendered jobs: the proxy image, Prometheus's, a stand-in for every other, and the bind sources", async function () {
            this.timeout(120_000);
            // The dev stack as `npm run dev` writes it: the committed file plus a data folder.
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hydra-dev-images-"));
            try {
                const doc = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8"));
                doc.config["hydra:node"].dataDir = "/dev-data";
                fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), YAML.stringify(doc));
                const plan = await planDevImages(dir, "dev");
                assert.strictEqual(plan.proxyImage, DEFAULT_CADDY_IMAGE);
                assert.ok(!plan.standinImages.includes(DEFAULT_CADDY_IMAGE));
                assert.match(plan.prometheusImage ?? "", /^prom\/prometheus:v\d/, "monitoring's Prometheus task");
                assert.ok(!plan.standinImages.includes(plan.prometheusImage!), "a real Prometheus, not a stand-in");
                assert.ok(plan.standinImages.includes("ghcr.io/mr-karan/doggo-api:v0.3.7"), plan.standinImages.join(", "));
                assert.ok(plan.standinImages.length >= 7, plan.standinImages.join(", "));
                assert.ok(plan.bindSources.includes("/dev-data/gitea"), plan.bindSources.join(", "));
                assert.ok(
                    plan.bindSources.every((s) => s.startsWith("/dev-data/")),
                    plan.bindSources.join(", "),
                );
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });

        it("skip raw_exec tasks and relative mounts", () => {
            const jobs = [
                {
                    ID: "a",
                    TaskGroups: [
                        {
                            Name: "g",
                            Tasks: [
                                {
                                    Name: "x",
                                    Driver: "docker",
                                    Config: {
                                        image: "b:1",
                                        mount: [
                                            { type: "bind", source: "/data/a", target: "/d" },
                                            { type: "bind", source: "secrets/f", target: "/f" },
                                        ],
                                    },
                                },
                                { Name: "y", Driver: "raw_exec", Config: { command: "/bin/sh" } },
                                { Name: "z", Driver: "docker", Config: { image: "a:1" } },
                            ],
                        },
                    ],
                },
            ];
            assert.deepStrictEqual(jobImages(jobs as never), ["a:1", "b:1"]);
            assert.deepStrictEqual(jobBindSources(jobs as never), ["/data/a"]);
        });
    });

    describe("image builds", () => {
        it("are keyed by every input: a changed script means a new build, new tags do not", () => {
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hydra-image-inputs-"));
            try {
                const busybox = path.join(dir, "busybox");
                fs.writeFileSync(busybox, "not really busybox");
                const a = standinSpec(["x:1"], busybox);
                assert.strictEqual(a.tags[0], STANDIN_TAG);
                const before = inputsHash(a);
                assert.strictEqual(inputsHash(standinSpec(["x:1", "y:2"], busybox)), before);
                fs.writeFileSync(busybox, "another busybox");
                assert.notStrictEqual(inputsHash(a), before);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });

        it("name the step a failed build stopped at", () => {
            const out =
                'Step 1/4 : FROM scratch\n ---> \nStep 2/4 : COPY busybox /bin/busybox\n ---> abc\nStep 3/4 : RUN ["/bin/busybox", "false"]\n ---> Running in 123\n';
            assert.strictEqual(failedStep(out), 'Step 3/4 : RUN ["/bin/busybox", "false"]');
            assert.strictEqual(failedStep("Sending build context"), undefined);
        });

        it("carry Debian's prometheus with exactly the loader and libc ldd lists, and refuse a binary that is not glibc's", () => {
            const libs = glibcLibraries("prometheus", promtool("prometheus"));
            assert.deepStrictEqual(Object.keys(libs).sort(), ["ld-linux-x86-64.so.2", "libc.so.6"]);
            assert.ok(Object.values(libs).every((f) => fs.existsSync(f)));
            assert.throws(() => glibcLibraries("x", busyboxBinary()), /image x: preparing the context failed: .* is not an x86-64 glibc binary/);
        });

        it("tell a static binary (usable FROM scratch) from a dynamic one", () => {
            assert.strictEqual(isStaticElf(process.execPath), false, "node is dynamically linked");
            const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hydra-elf-"));
            try {
                fs.writeFileSync(path.join(dir, "script"), "#!/bin/sh\n");
                assert.strictEqual(isStaticElf(path.join(dir, "script")), false);
            } finally {
                fs.rmSync(dir, { recursive: true, force: true });
            }
        });
    });
});
