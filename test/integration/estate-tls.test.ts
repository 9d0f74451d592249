/**
 * `npm run dev -- --tls`, run as a developer runs it, in a home of its own (HYDRA_DEV_HOME, its own
 * bridge, stand-ins and ports; the API on its tailnet stand-in's 4646, as on the node): the dev
 * agent with mutual TLS (verify_https_client) and certificates from `nomad tls`, the stack with
 * nomad.tls and the five PEM secrets, every app deployed by the real `pulumi up`. Then, through
 * Nomad's API with the CLI certificate: every job runs; a client without a certificate is refused;
 * Prometheus scrapes Nomad over mTLS; no key or secret is in the state or the config file; the
 * estate is not switched to plain HTTP in place; `npm run dev -- --down` cleans up.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { deploymentStates } from "../../dev/deployments";
import { cliReach, devCertificateFiles } from "../../dev/devTls";
import { mountsUnder } from "../../dev/mounts";
import { AgentReach, nomadGet } from "../../dev/nomadApi";
import { alive } from "../../dev/pids";
import { devSecretValues } from "../../dev/stack";
import { freePorts } from "../support/nomadAgent";
import { devHome } from "./devHome";
import { prom, until } from "./prometheusApi";

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? filesUnder(path.join(dir, d.name)) : [path.join(dir, d.name)]));
}

describe("integration: npm run dev -- --tls (the whole estate against a Nomad agent that requires mTLS)", function () {
    this.timeout(900_000);
    const h = devHome("tls", { bridge: "hyt", publicNet: "127.124", env: { HYDRA_DEV_NOMAD_ON_TAILNET: "1" } });
    const { home, env, dev, timings } = h;
    const tailnet = h.tailnet(1);
    const agentDir = path.join(home, ".nomad-dev");
    const local = path.join(home, ".pulumi-local");
    const certs = devCertificateFiles(agentDir, "global");
    const address = `https://${tailnet}:4646`;
    let reach: AgentReach;
    let upOutput = "";
    const get = <T>(p: string) => nomadGet<T>(address, p, reach, 15);

    before(async () => {
        // RPC and Serf on these two; the API on the tailnet stand-in's 4646.
        env.HYDRA_DEV_NOMAD_PORT = String((await freePorts()) - 1);
        const r = dev(["--tls"]);
        upOutput = r.output;
        assert.strictEqual(r.status, 0, r.output.slice(-6000));
        reach = cliReach(certs);
    });

    it("makes the certificates with nomad tls and deploys every app: each service job's deployment successful, every job running", async () => {
        assert.match(upOutput, /Nomad TLS: made \.nomad-dev\/tls \(nomad tls ca create, nomad tls cert create -server, -cli\)/);
        const hcl = fs.readFileSync(path.join(agentDir, "agent.hcl"), "utf8");
        assert.match(hcl, /verify_https_client\s*=\s*true/);
        const jobs = await get<{ ID: string; Type: string; Status: string; Periodic: boolean }[]>("/v1/jobs");
        const services = jobs.filter((j) => j.Type === "service");
        assert.ok(services.length >= 8, `service jobs: ${services.map((j) => j.ID).join(", ")}`);
        assert.deepStrictEqual(
            services.filter((j) => j.Status !== "running").map((j) => `${j.ID}: ${j.Status}`),
            [],
        );
        const states = await deploymentStates(address, reach);
        assert.deepStrictEqual(
            states.filter((s) => s.status !== "successful").map((s) => `${s.job}: ${s.status} ${s.description}`),
            [],
        );
        console.log(`      ${services.length} service jobs healthy over mTLS: ${services.map((j) => j.ID).join(", ")}`);
    });

    it("refuses a request without a client certificate (and answers the same request with one)", () => {
        const base = ["-sS", "--max-time", "10", "--cacert", certs.ca, "--resolve", `${certs.serverName}:4646:${tailnet}`];
        const url = `https://${certs.serverName}:4646/v1/status/leader`;
        const bare = spawnSync("curl", [...base, url], { encoding: "utf8" });
        assert.notStrictEqual(bare.status, 0, `answered without a certificate: ${bare.stdout}`);
        assert.match(bare.stderr, /certificate required|handshake failure|bad certificate/i, bare.stderr);
        const withCert = spawnSync("curl", [...base, "--cert", certs.cliCert, "--key", certs.cliKey, url], { encoding: "utf8" });
        assert.strictEqual(withCert.status, 0, withCert.stderr);
        assert.match(withCert.stdout, /:\d+"$/);
        console.log(`      without a certificate, curl (exit ${bare.status}): ${bare.stderr.trim()}`);
    });

    it("Prometheus scrapes Nomad over mTLS: its nomad target is up, at https", async () => {
        const [svc] = await get<{ Address: string; Port: number }[]>("/v1/service/prometheus");
        assert.ok(svc, "prometheus is registered");
        const base = `http://${svc.Address}:${svc.Port}`;
        type Target = { labels: Record<string, string>; health: string; lastError: string; scrapeUrl: string };
        const start = Date.now();
        const target = await until("Prometheus' nomad target up", 120_000, async () => {
            const t = (await prom<{ activeTargets: Target[] }>(base, "/api/v1/targets")).activeTargets.find((x) => x.labels.job === "nomad");
            return t?.health === "up" ? t : undefined;
        });
        timings.nomadTargetUp = Date.now() - start;
        assert.match(target.scrapeUrl, new RegExp(`^https://${tailnet.replace(/\./g, "\\.")}:4646/v1/metrics`));
    });

    it("keeps the client key and every secret out of the state, the config file and the job specs", async () => {
        const engine = h.engine();
        const secrets = devSecretValues(engine);
        const key = fs.readFileSync(certs.cliKey, "utf8");
        // (pulumi config set drops the final newline; assert.ok, so that a failure prints no key.)
        assert.ok(secrets["hydra:nomadClientKey"] === key.trim(), "the stack's client key is the -cli certificate's");
        assert.ok(secrets["hydra:nomadCaCert"] === fs.readFileSync(certs.ca, "utf8").trim(), "the stack's CA is nomad tls ca create's");
        // A PEM's base64 body, and each secret value: none may appear in any of these files.
        const needles = [...Object.values(secrets), key.split("\n")[1]].filter((v) => v.length >= 12);
        const files = [...filesUnder(path.join(local, "state")), engine.o.configFile];
        const leaks = files.flatMap((f) => {
            const text = fs.readFileSync(f, "utf8");
            return Object.entries(secrets)
                .filter(([, v]) => needles.includes(v) && text.includes(v))
                .map(([k]) => `${k} in ${path.relative(home, f)}`)
                .concat(text.includes(key.split("\n")[1]) ? [`the client key's body in ${path.relative(home, f)}`] : []);
        });
        assert.deepStrictEqual(leaks, []);
        const jobs = await get<{ ID: string }[]>("/v1/jobs");
        for (const j of jobs) {
            const spec = JSON.stringify(await get(`/v1/job/${encodeURIComponent(j.ID)}`));
            assert.ok(!spec.includes(key.split("\n")[1]), `job ${j.ID} carries the client key`);
        }
        console.log(`      ${Object.keys(secrets).length} secrets, ${files.length} files, ${jobs.length} job specs checked`);
    });

    it("refuses to switch the running estate to plain HTTP in place, touching nothing", async () => {
        const pid = Number(fs.readFileSync(path.join(agentDir, "agent.pid"), "utf8"));
        const r = dev([]);
        assert.notStrictEqual(r.status, 0, r.output.slice(-3000));
        assert.match(r.output, /the dev estate is up with TLS \(--tls\), and its \d+ resources record how they reach Nomad/);
        assert.match(r.output, /npm run dev -- --down && npm run dev\n/);
        assert.ok(alive(pid), "the agent still runs");
        assert.match(await get<string>("/v1/status/leader"), /:\d+$/);
    });

    it("npm run dev -- --down destroys the stack, stops the agent and the daemon, and keeps the certificates", () => {
        const pid = Number(fs.readFileSync(path.join(agentDir, "agent.pid"), "utf8"));
        h.downRan = true;
        const r = dev(["--down"]);
        assert.strictEqual(r.status, 0, r.output.slice(-4000));
        assert.match(r.output, /Nomad dev agent stopped\./);
        assert.match(r.output, /Dev Docker daemon stopped\./);
        assert.match(r.output, new RegExp(`Bridge ${env.HYDRA_DEV_BRIDGE} removed\\.`));
        assert.ok(!alive(pid), "the agent is gone");
        assert.deepStrictEqual(mountsUnder(agentDir), []);
        assert.ok(fs.existsSync(certs.cliKey), "the certificates stay for the next --tls run");
    });
});
