/**
 * Nomad over mTLS, on a real Nomad 1.6 dev agent with `tls { http, rpc,
 * verify_https_client }` and certificates from `nomad tls ca create` /
 * `nomad tls cert create`: jobs and variables deploy with a CLI certificate
 * (given directly, or through NOMAD_CACERT / NOMAD_CLIENT_CERT / NOMAD_CLIENT_KEY),
 * and each way of getting TLS wrong is refused with a message that says what to change.
 */
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AgentOptions, startAgent, stopAgent } from "../../dev/agent";
import { NomadClient, NomadError } from "../../nomad/client";
import { tlsFrom } from "../../nomad/connection";
import { getJob } from "../../nomad/lookup";
import { nomadJobProvider } from "../../nomad/job-provider";
import type { NomadTls } from "../../nomad/transport";
import { nomadVariableProvider } from "../../nomad/variable-provider";
import { MiniEngine } from "../../testkit/engine";
import { PLANTED_ITEMS, rejection, sleepJob, uniqueId } from "../nomad/helpers";
import { Certificates, freePorts, makeCertificates } from "../support/nomadAgent";
import { projectTool } from "../support/tools";

describe("Nomad over mTLS (a real dev agent with verify_https_client)", function () {
    this.timeout(180_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hydra-nomad-tls-"));
    let certs: Certificates;
    let address: string;
    let cli: NomadTls;
    const pem = (f: string) => fs.readFileSync(f, "utf8");
    const quick = (tls: NomadTls | undefined, addr = address) => new NomadClient({ address: addr, tls, retryTimeoutSeconds: 5, initialBackoffMs: 100 });

    before(async () => {
        const nomad = projectTool("nomad");
        certs = makeCertificates(nomad, path.join(dir, "tls"));
        const options: AgentOptions = { dir: path.join(dir, "agent"), nomad, httpPort: await freePorts(), tls: certs.agent };
        address = (await startAgent(options)).address;
        cli = { caCert: pem(certs.agent.caFile), clientCert: pem(certs.cli.certFile), clientKey: pem(certs.cli.keyFile) };
    });
    after(async () => {
        await stopAgent(path.join(dir, "agent"));
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("serves only https, with a client certificate", async () => {
        assert.match(address, /^https:\/\/127\.0\.0\.1:\d+$/);
        assert.match(await quick(cli).leader(), /:\d+$/);
    });

    it("refuses a client without a certificate, at once and saying which settings give one", async () => {
        const started = Date.now();
        const e = (await rejection(quick({ caCert: cli.caCert }).leader())) as NomadError;
        assert.equal(e.status, undefined);
        assert.equal(e.transient, false, "not retried: a missing certificate does not fix itself");
        assert.match(e.message, /Nomad asks for a client certificate .*tls\.clientCert and tls\.clientKey, or NOMAD_CLIENT_CERT and NOMAD_CLIENT_KEY/);
        assert.ok(Date.now() - started < 3000, `refused in ${Date.now() - started} ms`);
    });

    it("refuses a certificate signed by another CA, and a server it cannot verify", async () => {
        const foreign = await rejection(quick({ caCert: cli.caCert, clientCert: pem(certs.foreign.certFile), clientKey: pem(certs.foreign.keyFile) }).leader());
        assert.match((foreign as Error).message, /Nomad refused this client certificate/);
        const untrusted = await rejection(quick({ clientCert: cli.clientCert, clientKey: cli.clientKey }).leader());
        assert.match((untrusted as Error).message, /not signed by a CA this client trusts \(give Nomad's CA certificate: tls\.caCert, or NOMAD_CACERT\)/);
        const otherCa = await rejection(quick({ ...cli, caCert: pem(certs.foreign.caFile) }).leader());
        assert.match((otherCa as Error).message, /not signed by a CA this client trusts/);
    });

    it("checks the certificate against serverName when given, and says so when the name is wrong", async () => {
        assert.ok(await quick({ ...cli, serverName: "server.global.nomad" }).leader());
        const e = await rejection(quick({ ...cli, serverName: "server.elsewhere.nomad" }).leader());
        assert.match((e as Error).message, /server\.elsewhere\.nomad.*tls\.serverName, or NOMAD_TLS_SERVER_NAME/s);
    });

    it("skipVerify trusts any server certificate and warns that it does", async () => {
        const notes: string[] = [];
        const c = new NomadClient({ address, tls: { ...cli, caCert: undefined, skipVerify: true }, retryTimeoutSeconds: 0, log: (m) => notes.push(m) });
        assert.ok(await c.leader());
        assert.equal(notes.length, 1);
        assert.match(notes[0], /TLS certificate verification is off \(skipVerify\) for https:\/\/127\.0\.0\.1:\d+/);
    });

    it("says to use https:// when plain HTTP reaches the TLS agent", async () => {
        const e = (await rejection(quick(undefined, address.replace(/^https/, "http")).leader())) as NomadError;
        assert.equal(e.status, 400);
        assert.match(e.message, /use an https:\/\/ address/);
    });

    it("deploys, refreshes and destroys a job and a variable over mTLS, with the certificates from NOMAD_* files", async () => {
        const env = { NOMAD_CACERT: certs.agent.caFile, NOMAD_CLIENT_CERT: certs.cli.certFile, NOMAD_CLIENT_KEY: certs.cli.keyFile };
        const tls = tlsFrom(undefined, env) as NomadTls;
        assert.deepEqual(tls, cli, "the files named by the environment, read as the CLI reads them");
        assert.throws(
            () => tlsFrom(undefined, { NOMAD_CLIENT_KEY: path.join(dir, "missing.pem") }),
            /NOMAD_CLIENT_KEY=.*missing\.pem: cannot read the file \(ENOENT\)/,
        );

        const id = uniqueId("tls");
        const jobs = new MiniEngine(nomadJobProvider);
        await jobs.up({ job: sleepJob(id), address, tls, retryTimeoutSeconds: 10 });
        assert.equal((await quick(cli).readJob(id))?.ID, id);
        assert.equal((await getJob({ address, jobId: id, tls, ignoreEnv: true })).jobId, id, "getJob reads over mTLS too");
        assert.equal(await jobs.refresh(), true);
        assert.equal(jobs.state?.outputs.drift, undefined);
        const vpath = `nomad/jobs/${id}`;
        const vars = new MiniEngine(nomadVariableProvider);
        await vars.up({ path: vpath, items: PLANTED_ITEMS, address, tls, retryTimeoutSeconds: 10 });
        assert.deepEqual((await quick(cli).getVariable(vpath))?.Items, PLANTED_ITEMS);

        // A changed certificate is an update that makes no call; later calls (here: destroy) use it.
        const rotated = { ...tls, clientCert: pem(certs.agent.certFile), clientKey: pem(certs.agent.keyFile) };
        const plan = await vars.preview({ path: vpath, items: PLANTED_ITEMS, address, tls: rotated, retryTimeoutSeconds: 10 });
        assert.equal(plan.op, "update");
        await vars.up({ path: vpath, items: PLANTED_ITEMS, address, tls: rotated, retryTimeoutSeconds: 10 });
        await vars.destroy();
        await jobs.destroy();
        assert.equal(await quick(cli).getVariable(vpath), undefined);
        assert.equal((await quick(cli).readJob(id))?.Stop, true);
        await quick(cli).deregisterJob(id, { purge: true });
    });
});
