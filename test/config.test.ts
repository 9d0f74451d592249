import { APPS } from "../apps";
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { ConfigError, SECRET_KEYS, validateConfig } from "../config";
import { OBJECT_KEYS, SCALAR_KEYS } from "../config/validate";
import { fixtureFiles, loadStackFile, toRawConfig } from "./support/fixtures";

function problemsOf(file: string): string[] {
    const { raw } = loadStackFile(file);
    try {
        validateConfig(raw, APPS);
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e}`);
        return e.problems;
    }
    assert.fail(`${path.basename(file)} was accepted`);
}

describe("config: good fixtures", () => {
    for (const file of fixtureFiles("good")) {
        it(`accepts ${path.basename(file)}`, () => {
            const cfg = validateConfig(loadStackFile(file).raw, APPS);
            assert.ok(cfg.domain.includes("."));
        });
    }

    it("fills the old estate's defaults", () => {
        const cfg = validateConfig(loadStackFile(path.join(__dirname, "fixtures/config/good/minimal-digitalocean.yaml")).raw, APPS);
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
    });

    it("reads numbers and booleans typed as strings by `pulumi config set --path`", () => {
        const cfg = validateConfig(loadStackFile(path.join(__dirname, "fixtures/config/good/full-digitalocean.yaml")).raw, APPS);
        assert.strictEqual(cfg.node.volumeSizeGb, 100);
        assert.strictEqual(cfg.node.monitoring, true);
        assert.strictEqual(cfg.nomad.address, "http://100.101.102.103:4646");
        assert.strictEqual(cfg.cloudflare.records.length, 5);
    });

    it("accepts the committed production stack once its secrets are set", () => {
        const doc = YAML.parse(fs.readFileSync(path.join(__dirname, "..", "Pulumi.hydra.yaml"), "utf8"));
        const placeholders = Object.fromEntries(
            ["tailscaleAuthKey", "cloudflareDnsToken", "resticPassword", "resticRepository", "b2AccountId", "b2AccountKey"].map((k) => [
                `hydra:${k}`,
                { secure: `${k}-placeholder` },
            ]),
        );
        const raw = toRawConfig({ ...doc.config, ...placeholders });
        const cfg = validateConfig(raw, APPS);
        assert.strictEqual(cfg.node.image, "ubuntu-26-04-x64");
    });
});

describe("config: bad fixtures", () => {
    const bad = fixtureFiles("bad");

    it("has at least 15 bad fixtures", () => {
        assert.ok(bad.length >= 15, `only ${bad.length}`);
    });

    for (const file of bad) {
        it(`rejects ${path.basename(file)} with a message naming its key`, () => {
            const { expect, forbid } = loadStackFile(file);
            assert.ok(expect.length > 0, "a bad fixture lists the messages it expects");
            const problems = problemsOf(file);
            for (const want of expect) {
                assert.ok(
                    problems.some((p) => p.includes(want)),
                    `missing ${JSON.stringify(want)} in:\n${problems.join("\n")}`,
                );
            }
            for (const p of problems) {
                assert.match(p, /^(hydra|digitalocean|cloudflare|tailscale):[A-Za-z]+[^ ]*: /, `problem without its key: ${p}`);
            }
            const message = new ConfigError(problems).message;
            for (const secret of forbid) {
                assert.ok(!message.includes(secret), "a secret typed in the clear is never echoed");
            }
        });
    }

    it("reports several problems together", () => {
        const problems = problemsOf(path.join(__dirname, "fixtures/config/bad/many-problems.yaml"));
        assert.ok(problems.length >= 10, problems.join("\n"));
        const message = new ConfigError(problems).message;
        assert.match(message, /has \d+ problems:/);
    });
});

describe("config: declarations in Pulumi.yaml", () => {
    const project = YAML.parse(fs.readFileSync(path.join(__dirname, "..", "Pulumi.yaml"), "utf8"));
    const declared = project.config as Record<string, { type?: string; secret?: boolean; description?: string }>;
    const keys = [...SCALAR_KEYS, ...OBJECT_KEYS, ...Object.keys(SECRET_KEYS)];

    it("declares every key the program reads, with a description", () => {
        for (const key of keys) {
            assert.ok(declared[key], `Pulumi.yaml does not declare ${key}`);
            assert.ok((declared[key].description ?? "").length > 10, `${key} has no description`);
        }
        assert.deepStrictEqual(Object.keys(declared).sort(), [...keys].sort());
    });

    it("declares the secrets as strings that say how to set them", () => {
        for (const key of Object.keys(SECRET_KEYS)) {
            assert.strictEqual(declared[key].type, "string", key);
            assert.ok(declared[key].description?.startsWith(`Secret (pulumi config set --secret ${key} `), key);
        }
    });
});
