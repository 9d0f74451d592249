import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { allSecretDeclarations, ConfigError, OBJECT_KEYS, Problem, problemLine, SCALAR_KEYS, validateConfig } from "../config";
import { FIXTURE_APPS } from "./fixtures/config/apps";
import { FIXTURES, fixtureFiles, loadStackFile, toRawConfig } from "./support/fixtures";

const CODES = ["unknown-key", "misplaced-secret", "plain-text-secret", "secret-required", "required", "conflict", "invalid"];

function problemsOf(file: string): Problem[] {
    const { raw } = loadStackFile(file);
    try {
        validateConfig(raw, FIXTURE_APPS);
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e}`);
        return e.problems;
    }
    assert.fail(`${path.basename(file)} was accepted`);
}

const fixture = (kind: "good" | "bad", name: string) => path.join(FIXTURES, kind, `${name}.yaml`);

describe("config: good fixtures", () => {
    for (const file of fixtureFiles("good")) {
        it(`accepts ${path.basename(file)}`, () => {
            const cfg = validateConfig(loadStackFile(file).raw, FIXTURE_APPS);
            assert.ok(cfg.domain.includes("."));
        });
    }

    it("fills the old estate's defaults", () => {
        const cfg = validateConfig(loadStackFile(fixture("good", "minimal-digitalocean")).raw, FIXTURE_APPS);
        assert.strictEqual(cfg.target, "digitalocean");
        assert.strictEqual(cfg.node.name, "floyd");
        assert.strictEqual(cfg.node.region, "blr1");
        assert.strictEqual(cfg.node.size, "s-2vcpu-4gb");
        assert.deepStrictEqual(cfg.node.tags, ["nomad", "control-plane"]);
        assert.strictEqual(cfg.node.monitoring, true);
        assert.strictEqual(cfg.node.ipv6, true);
        assert.strictEqual(cfg.nomad.datacenter, "hydra");
        assert.deepStrictEqual(cfg.firewall.sshFrom, [], "public SSH is off by default");
        assert.strictEqual(cfg.consul.enabled, false);
        assert.strictEqual(cfg.tailscale.hostname, "floyd");
        assert.strictEqual(cfg.nomad.address, "http://floyd:4646");
        assert.strictEqual(cfg.nomad.waitForHealthy, true);
        assert.strictEqual(cfg.proxy.tls, "cloudflare");
        assert.deepStrictEqual(cfg.backup, {
            schedule: "0 3 * * *",
            checkSchedule: "0 5 * * 0",
            drillSchedule: "0 6 * * 0",
            maxAgeHours: 26,
            metricsDir: "/var/lib/prometheus/node-exporter",
            keepDaily: 7,
            keepWeekly: 4,
            keepMonthly: 12,
            keepYearly: 3,
        });
        assert.deepStrictEqual(cfg.alerts, { downFor: "5m" });
    });

    it("fills each app's declared settings, and only those", () => {
        const cfg = validateConfig(loadStackFile(fixture("good", "existing-node")).raw, FIXTURE_APPS);
        assert.deepStrictEqual(cfg.apps.gitea, { enabled: true, hostname: "code", image: "gitea/gitea:1.24.6" });
        assert.deepStrictEqual(cfg.apps.monitoring, { enabled: true, hostname: "grafana" });
        assert.deepStrictEqual(cfg.apps.backup, { enabled: false });
        assert.deepStrictEqual(cfg.apps.syncthing, { enabled: false, hostname: "syncthing", image: "syncthing/syncthing:1.30.0" });
        assert.deepStrictEqual(Object.keys(cfg.apps).sort(), FIXTURE_APPS.map((a) => a.name).sort());
    });

    it("reads numbers and booleans typed as strings by `pulumi config set --path`", () => {
        const cfg = validateConfig(loadStackFile(fixture("good", "full-digitalocean")).raw, FIXTURE_APPS);
        assert.strictEqual(cfg.node.volumeSizeGb, 100);
        assert.strictEqual(cfg.node.monitoring, true);
        assert.strictEqual(cfg.nomad.address, "http://100.101.102.103:4646");
        assert.strictEqual(cfg.nomad.waitForHealthy, true);
        assert.strictEqual(cfg.cloudflare.records.length, 5);
        assert.strictEqual(cfg.cloudflare.records[3].priority, 10);
    });

    it("keeps estate secrets in their sections and app secrets by key", () => {
        const cfg = validateConfig(loadStackFile(fixture("good", "full-digitalocean")).raw, FIXTURE_APPS);
        assert.ok(cfg.tailscale.apiKey && cfg.nomad.token && cfg.proxy.cloudflareToken);
        assert.deepStrictEqual(Object.keys(cfg.secrets).sort(), ["b2AccountId", "b2AccountKey", "resticPassword", "resticRepository"]);
    });

    it("needs no DNS token with the proxies' own CA (proxy.tls internal)", () => {
        const cfg = validateConfig(loadStackFile(fixture("good", "lan-only-internal-tls")).raw, FIXTURE_APPS);
        assert.strictEqual(cfg.proxy.tls, "internal");
        assert.strictEqual(cfg.proxy.cloudflareToken, undefined);
        assert.strictEqual(cfg.nomad.waitForHealthy, false);
    });

    it("accepts the committed production stack once its secrets are set", () => {
        const doc = YAML.parse(fs.readFileSync(path.join(__dirname, "..", "Pulumi.hydra.yaml"), "utf8"));
        const placeholders = Object.fromEntries(
            ["tailscaleAuthKey", "nomadToken", "cloudflareDnsToken", "resticPassword", "resticRepository", "b2AccountId", "b2AccountKey"].map((k) => [
                `hydra:${k}`,
                { secure: `${k}-placeholder` },
            ]),
        );
        const cfg = validateConfig(toRawConfig({ ...doc.config, ...placeholders }), FIXTURE_APPS);
        assert.strictEqual(cfg.node.image, "ubuntu-26-04-x64");
        assert.strictEqual(cfg.nomad.acl, true, "ACLs on by default for a droplet");
        assert.deepStrictEqual(cfg.tailscale.tags, ["tag:hydra"]);
    });
});

describe("config: bad fixtures", () => {
    const bad = fixtureFiles("bad");

    it("has at least 15 bad fixtures", () => {
        assert.ok(bad.length >= 15, `only ${bad.length}`);
    });

    for (const file of bad) {
        it(`rejects ${path.basename(file)} with a message naming its key`, () => {
            assert.match(fs.readFileSync(file, "utf8"), /^# Rule: \S.*\n/, "a bad fixture starts with the rule it trips");
            const { expect, forbid } = loadStackFile(file);
            assert.ok(expect.length > 0, "a bad fixture lists the messages it expects");
            const problems = problemsOf(file);
            const lines = problems.map(problemLine);
            for (const want of expect) {
                assert.ok(
                    lines.some((p) => p.includes(want)),
                    `missing ${JSON.stringify(want)} in:\n${lines.join("\n")}`,
                );
            }
            for (const p of problems) {
                assert.match(problemLine(p), /^(hydra|digitalocean|cloudflare|tailscale):[A-Za-z]+[^ ]*: /, `problem without its key: ${problemLine(p)}`);
                assert.ok(CODES.includes(p.code), `unknown code ${p.code}`);
            }
            const message = new ConfigError(problems).message;
            assert.ok(!/\n\s+at /.test(message), "no stack trace");
            for (const secret of forbid) {
                assert.ok(!message.includes(secret), "a secret typed in the clear is never echoed");
            }
        });
    }

    it("reports several problems together", () => {
        const problems = problemsOf(fixture("bad", "many-problems"));
        assert.ok(problems.length >= 10, problems.map(problemLine).join("\n"));
        assert.match(new ConfigError(problems).message, /has \d+ problems:\n {2}- hydra:/);
    });

    it("codes the problems, so that no program parses messages", () => {
        const codes = (name: string) => Object.fromEntries(problemsOf(fixture("bad", name)).map((p) => [p.key, p.code]));
        assert.strictEqual(codes("many-problems")["hydra:colour"], "unknown-key");
        assert.strictEqual(codes("many-problems")["hydra:nomadToken"], "plain-text-secret");
        assert.strictEqual(codes("many-problems")["hydra:tailscaleAuthKey"], "secret-required");
        assert.strictEqual(codes("many-problems")["hydra:node.region"], "invalid");
        assert.strictEqual(codes("secret-inside-object")["hydra:tailscale.authKey"], "misplaced-secret");
        assert.strictEqual(codes("zone-without-account")["hydra:cloudflare.accountId"], "required");
        assert.strictEqual(codes("public-address-on-droplet")["hydra:node.publicAddress"], "conflict");
        assert.strictEqual(codes("app-secret-required")["hydra:b2AccountKey"], "secret-required");
    });
});

describe("config: declarations in Pulumi.yaml", () => {
    const project = YAML.parse(fs.readFileSync(path.join(__dirname, "..", "Pulumi.yaml"), "utf8"));
    const declared = project.config as Record<string, { type?: string; secret?: boolean; description?: string }>;
    const secretKeys = allSecretDeclarations(FIXTURE_APPS).map((d) => d.key);
    const keys = [...SCALAR_KEYS, ...OBJECT_KEYS, ...secretKeys];

    it("declares every key the program reads, with a description", () => {
        for (const key of keys) {
            assert.ok(declared[key], `Pulumi.yaml does not declare ${key}`);
            assert.ok((declared[key].description ?? "").length > 10, `${key} has no description`);
        }
        assert.deepStrictEqual(Object.keys(declared).sort(), [...keys].sort());
    });

    it("declares the secrets as strings that say how to set them", () => {
        for (const key of secretKeys) {
            assert.strictEqual(declared[key].type, "string", key);
            assert.ok(declared[key].description?.startsWith(`Secret (pulumi config set --secret ${key} `), key);
        }
    });
});
