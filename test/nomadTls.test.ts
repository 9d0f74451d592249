// nomad.tls and the Nomad connection, without an agent: config checks, the rendered agent config
// and first-boot files, Prometheus's scrape (checked by promtool), and the NOMAD_* fallbacks.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { adminRoutes } from "../apps/plan";
import { renderPrometheusConfig } from "../apps/monitoring";
import { nodeFiles, UserDataOptions } from "../components/cloudInit";
import { renderNomadAgentConfig } from "../components/nomadAgentConfig";
import { ConfigError, Problem, problemLine, validateConfig } from "../config";
import { tlsFrom } from "../nomad/connection";
import { stackRawConfig, validateForRender } from "../render/renderStack";
import { NOMAD_TLS_FILES } from "../vocabulary";
import { FIXTURE_APPS } from "./fixtures/config/apps";
import { FIXTURES, loadStackFile, toRawConfig } from "./support/fixtures";
import { promtool, run } from "./support/tools";

const CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const KEY = "-----BEGIN EC PRIVATE KEY-----\nMHcC\n-----END EC PRIVATE KEY-----\n";
const TLS_SECRETS = {
    "hydra:nomadCaCert": { secure: CERT },
    "hydra:nomadClientCert": { secure: CERT },
    "hydra:nomadClientKey": { secure: KEY },
    "hydra:nomadServerCert": { secure: CERT },
    "hydra:nomadServerKey": { secure: KEY },
};

function stack(file: string): Record<string, unknown> {
    const { raw } = loadStackFile(path.join(FIXTURES, "good", file));
    return Object.fromEntries(
        Object.entries(raw.values).map(([k, v]) => [k, raw.secretKeys.has(k) ? { secure: v } : v.startsWith("{") || v.startsWith("[") ? JSON.parse(v) : v]),
    );
}

function load(config: Record<string, unknown>): { problems: Problem[]; cfg?: ReturnType<typeof validateConfig> } {
    try {
        return { problems: [], cfg: validateConfig(toRawConfig(config), FIXTURE_APPS) };
    } catch (e) {
        assert.ok(e instanceof ConfigError, String(e));
        return { problems: e.problems };
    }
}

const withTls = (over: Record<string, unknown> = {}) => {
    const s = stack("full-digitalocean.yaml");
    return { ...s, "hydra:nomad": { ...(s["hydra:nomad"] as object), tls: true, ...over } };
};

describe("nomad.tls: config", () => {
    it("is off by default, and then nothing changes: http, no TLS secrets needed, the Nomad UI proxied", () => {
        const { cfg } = load(stack("full-digitalocean.yaml"));
        assert.strictEqual(cfg!.nomad.tls, undefined);
        assert.match(cfg!.nomad.address, /^http:\/\//);
        assert.ok(adminRoutes(cfg!).some((a) => a.hostname === "nomad"));
    });

    it("requires every certificate and key, as PEM, naming each key and never its value", () => {
        const { problems } = load({ ...withTls(), "hydra:nomadClientKey": { secure: "not-a-key-value" }, "hydra:nomadServerCert": { secure: KEY } });
        assert.deepStrictEqual(problems.map(problemLine), [
            'hydra:nomadCaCert: is required with nomad.tls (see "Nomad over TLS" in the README): pulumi config set --secret nomadCaCert < <file>.pem',
            'hydra:nomadClientCert: is required with nomad.tls (see "Nomad over TLS" in the README): pulumi config set --secret nomadClientCert < <file>.pem',
            "hydra:nomadClientKey: is not a PEM private key (expected a -----BEGIN … PRIVATE KEY----- block)",
            "hydra:nomadServerCert: is not a PEM certificate (expected a -----BEGIN … CERTIFICATE----- block)",
            'hydra:nomadServerKey: is required with nomad.tls (see "Nomad over TLS" in the README): pulumi config set --secret nomadServerKey < <file>.pem',
        ]);
        assert.ok(problems.every((p) => !p.message.includes("not-a-key-value")));
    });

    it("renders a stack file with nomad.tls (npm run render): its unread secrets are placeholders, not checked as PEM", () => {
        const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "hydra-tls-render-")), "Pulumi.tls.yaml");
        const placeholders = Object.fromEntries(Object.keys(TLS_SECRETS).map((k) => [k, { secure: "v1:AAAA" }]));
        fs.writeFileSync(file, YAML.stringify({ config: { ...withTls(), ...placeholders } }));
        const { cfg, unsetSecrets } = validateForRender(stackRawConfig(file), FIXTURE_APPS);
        assert.strictEqual(cfg.nomad.tls?.serverName, "server.global.nomad");
        assert.ok(!unsetSecrets.some((k) => k.startsWith("nomad") && k !== "nomadToken"), unsetSecrets.join(", "));
        fs.rmSync(path.dirname(file), { recursive: true, force: true });
    });

    it("needs no server certificate for target existing (the agent is not ours to configure)", () => {
        const s = stack("existing-node.yaml");
        const { problems, cfg } = load({
            ...s,
            "hydra:nomad": { ...(s["hydra:nomad"] as object), tls: true },
            "hydra:nomadCaCert": { secure: CERT },
            "hydra:nomadClientCert": { secure: CERT },
            "hydra:nomadClientKey": { secure: KEY },
        });
        assert.deepStrictEqual(problems, []);
        assert.strictEqual(cfg!.nomad.tls?.serverCert, undefined);
    });

    it("defaults the address to https, refuses an http one, and checks the region's server name", () => {
        const { cfg } = load({ ...withTls({ region: "home" }), ...TLS_SECRETS });
        assert.strictEqual(cfg!.nomad.address, "https://100.101.102.103:4646");
        assert.strictEqual(cfg!.nomad.tls?.serverName, "server.home.nomad");
        assert.deepStrictEqual(
            adminRoutes(cfg!).map((a) => a.hostname),
            ["consul"],
            "the Nomad UI is not proxied: Nomad asks every client for a certificate",
        );
        const { problems } = load({ ...withTls({ address: "http://100.64.0.1:4646" }), ...TLS_SECRETS });
        assert.deepStrictEqual(problems.map(problemLine), ["hydra:nomad.address: must be an https:// address with nomad.tls on"]);
    });
});

describe("nomad.tls: the node", () => {
    const options = (tls?: NonNullable<UserDataOptions["nomad"]["tls"]>): UserDataOptions => ({
        hostname: "floyd",
        domain: "example.com",
        adminUser: "hydra",
        sshPublicKeys: ["ssh-ed25519 AAAA ops@example.com"],
        timezone: "UTC",
        locale: "en_US.UTF-8",
        tailscale: { authKey: "tskey-auth-x", hostname: "floyd", tags: [] },
        nomad: {
            version: "1.11.2",
            datacenter: "hydra",
            region: "global",
            acl: true,
            bootstrapToken: "t",
            reservedMemoryMb: 512,
            memoryOversubscription: false,
            tls,
        },
        publicInterface: "eth0",
        dataDir: "/data",
        dataFolders: [],
    });

    it("renders the agent's tls block only with nomad.tls: mutual TLS on the API and RPC", () => {
        const base = { datacenter: "hydra", region: "global", publicInterface: "eth0", acl: true, consul: false };
        assert.ok(!renderNomadAgentConfig(base).includes("tls {"));
        const hcl = renderNomadAgentConfig({ ...base, tls: true });
        assert.match(hcl, /\ntls \{\n {2}http = true\n {2}rpc {2}= true\n/);
        assert.match(hcl, /ca_file {3}= "\/etc\/hydra\/nomad-tls\/ca\.pem"/);
        assert.match(hcl, /verify_https_client {4}= true/);
        assert.match(hcl, /verify_server_hostname = true/);
    });

    it("writes the CA and the agent's certificate, its key readable by root only, and bootstraps ACLs over TLS", () => {
        const files = nodeFiles(options({ caCert: CERT, serverCert: CERT, serverKey: KEY, serverName: "server.global.nomad" }));
        const key = files.find((f) => f.path === NOMAD_TLS_FILES.key);
        assert.deepStrictEqual([key?.content, key?.permissions, key?.owner], [KEY, "0600", "root:root"]);
        assert.strictEqual(files.find((f) => f.path === NOMAD_TLS_FILES.ca)?.content, CERT);
        const boot = files.find((f) => f.path === "/usr/local/sbin/hydra-bootstrap")!.content;
        assert.match(boot, /NOMAD_ADDR="https:\/\/\$\(tailscale ip -4 \| head -n 1\):4646"/);
        assert.match(
            boot,
            /export NOMAD_CACERT=\/etc\/hydra\/nomad-tls\/ca\.pem NOMAD_CLIENT_CERT=\/etc\/hydra\/nomad-tls\/server\.pem NOMAD_CLIENT_KEY=\/etc\/hydra\/nomad-tls\/server-key\.pem/,
        );
        assert.match(boot, /export NOMAD_TLS_SERVER_NAME=server\.global\.nomad/);
        const plain = nodeFiles(options());
        assert.ok(!plain.some((f) => f.path.startsWith(NOMAD_TLS_FILES.dir)));
        assert.match(plain.find((f) => f.path === "/usr/local/sbin/hydra-bootstrap")!.content, /NOMAD_ADDR="http:\/\/.*\n {2}export NOMAD_ADDR\n {2}deadline=/);
    });
});

describe("nomad.tls: Prometheus scrapes Nomad with the client certificate", function () {
    this.timeout(120_000);
    it("is a config promtool accepts", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hydra-prom-tls-"));
        try {
            const config = renderPrometheusConfig([], "nomad", { node: "100.64.0.1", service: "100.64.0.1:20000" }, { serverName: "server.global.nomad" });
            assert.match(
                config,
                /job_name: nomad\n(?:.*\n)*? {4}scheme: https\n {4}tls_config:\n {6}ca_file: \/secrets\/nomad-ca\.pem\n {6}cert_file: \/secrets\/nomad-client\.pem\n {6}key_file: \/secrets\/nomad-client-key\.pem\n {6}server_name: server\.global\.nomad\n/,
            );
            // promtool opens the files a tls_config names: put stand-ins where the task's secrets/ would be.
            for (const f of ["nomad-ca.pem", "nomad-client.pem", "nomad-client-key.pem", "alerts.yml"]) {
                fs.writeFileSync(path.join(dir, f), f === "alerts.yml" ? "groups: []\n" : f.includes("key") ? KEY : CERT);
            }
            const file = path.join(dir, "prometheus.yml");
            fs.writeFileSync(file, config.split("/secrets/").join(`${dir}/`).replace("/local/alerts.yml", path.join(dir, "alerts.yml")));
            const r = run(promtool(), ["check", "config", "--syntax-only", file]);
            assert.strictEqual(r.status, 0, r.output);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("the Nomad connection falls back to the CLI's environment", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hydra-nomad-env-"));
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("reads NOMAD_CACERT, NOMAD_CLIENT_CERT, NOMAD_CLIENT_KEY as files, NOMAD_TLS_SERVER_NAME and NOMAD_SKIP_VERIFY as values", () => {
        fs.writeFileSync(path.join(dir, "ca.pem"), CERT);
        fs.writeFileSync(path.join(dir, "key.pem"), KEY);
        const env = {
            NOMAD_CACERT: path.join(dir, "ca.pem"),
            NOMAD_CLIENT_CERT: path.join(dir, "ca.pem"),
            NOMAD_CLIENT_KEY: path.join(dir, "key.pem"),
            NOMAD_TLS_SERVER_NAME: "server.global.nomad",
            NOMAD_SKIP_VERIFY: "true",
        };
        assert.deepStrictEqual(tlsFrom(undefined, env), {
            caCert: CERT,
            clientCert: CERT,
            clientKey: KEY,
            serverName: "server.global.nomad",
            skipVerify: true,
        });
        assert.deepStrictEqual(tlsFrom({ caCert: "given", skipVerify: false }, env)?.caCert, "given", "an argument wins over the environment");
        assert.strictEqual(tlsFrom({ skipVerify: false }, env)?.skipVerify, false);
        assert.strictEqual(tlsFrom(undefined, {}), undefined, "nothing set: no TLS settings at all");
        fs.mkdirSync(path.join(dir, "cas"));
        fs.writeFileSync(path.join(dir, "cas", "a.pem"), CERT);
        fs.writeFileSync(path.join(dir, "cas", "b.crt"), CERT);
        fs.writeFileSync(path.join(dir, "cas", "notes.txt"), "not a certificate");
        assert.strictEqual(
            tlsFrom(undefined, { NOMAD_CAPATH: path.join(dir, "cas") })?.caCert,
            `${CERT}\n${CERT}`,
            "NOMAD_CAPATH: every .pem and .crt of the folder",
        );
        assert.throws(() => tlsFrom(undefined, { NOMAD_CACERT: path.join(dir, "none.pem") }), /NOMAD_CACERT=.*none\.pem: cannot read the file \(ENOENT\)/);
    });
});
