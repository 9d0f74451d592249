// What apps declare to config, how config is loaded, what config/ may import, and bad input of every shape.
import * as pulumi from "@pulumi/pulumi";
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { allSecretDeclarations, ConfigError, ESTATE_SECRETS, loadConfig, OBJECT_KEYS, Problem, problemLine, validateConfig } from "../config";
import { AppDeclaration } from "../vocabulary/app";
import { FIXTURE_APPS } from "./fixtures/config/apps";
import { FIXTURES, loadStackFile, toRawConfig } from "./support/fixtures";

/** The full-digitalocean fixture as a stack file's config map, to vary one key at a time. */
function fullStack(): Record<string, unknown> {
    const { raw } = loadStackFile(path.join(FIXTURES, "good", "full-digitalocean.yaml"));
    return Object.fromEntries(
        Object.entries(raw.values).map(([k, v]) => {
            if (raw.secretKeys.has(k)) {
                return [k, { secure: v }];
            }
            return [k, v.startsWith("{") || v.startsWith("[") ? JSON.parse(v) : v];
        }),
    );
}

function problems(config: Record<string, unknown>, apps: readonly AppDeclaration[] = FIXTURE_APPS): Problem[] {
    try {
        validateConfig(toRawConfig(config), apps);
        return [];
    } catch (e) {
        assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e}`);
        return e.problems;
    }
}

describe("config: apps declare their settings and secrets", () => {
    it("knows an app's secret keys only from its declaration", () => {
        const config = { ...fullStack(), "hydra:giteaSecretKey": { secure: "s" } };
        assert.deepStrictEqual(problems(config), []);
        const without = FIXTURE_APPS.filter((a) => a.name !== "gitea");
        assert.deepStrictEqual(problems(config, without).map(problemLine), [
            "hydra:giteaSecretKey: is not a known setting (see the configuration table in README.md)",
        ]);
    });

    it("requires an enabled app's required secrets, and only when their condition holds", () => {
        const config = fullStack();
        delete config["hydra:b2AccountKey"];
        assert.deepStrictEqual(problems(config).map(problemLine), [
            "hydra:b2AccountKey: is required for a b2: repository: pulumi config set --secret b2AccountKey <value>",
        ]);
        assert.deepStrictEqual(problems({ ...config, "hydra:resticRepository": { secure: "/srv/restic" } }), []);
        assert.deepStrictEqual(problems({ ...config, "hydra:apps": { backup: false } }), [], "a disabled app requires nothing");
    });

    it("lists every secret declaration, the estate's first, each key once", () => {
        const twice: AppDeclaration = {
            name: "twice",
            description: "declares a key another app has",
            secrets: [{ key: "resticPassword", description: "shared" }],
        };
        const keys = allSecretDeclarations([...FIXTURE_APPS, twice]).map((d) => d.key);
        assert.deepStrictEqual(keys.slice(0, ESTATE_SECRETS.length), [
            "tailscaleAuthKey",
            "tailscaleApiKey",
            "nomadToken",
            "nomadGossipKey",
            "nomadCaCert",
            "nomadClientCert",
            "nomadClientKey",
            "nomadServerCert",
            "nomadServerKey",
            "consulGossipKey",
            "cloudflareDnsToken",
        ]);
        assert.strictEqual(keys.filter((k) => k === "resticPassword").length, 1);
        assert.strictEqual(keys.length, 28);
    });

    it("gives an app without settings none, and refuses them by name", () => {
        const config = { ...fullStack(), "hydra:apps": { backup: { enabled: true, hostname: "restic", image: "restic/restic:0.16.4" } } };
        assert.deepStrictEqual(problems(config).map(problemLine), [
            "hydra:apps.backup.hostname: backup has no hostname setting",
            "hydra:apps.backup.image: backup has no image setting",
        ]);
    });

    it("turns the DNS token's requirement off with proxy.tls internal, or with no app running", () => {
        const config = fullStack();
        delete config["hydra:cloudflareDnsToken"];
        assert.deepStrictEqual(
            problems(config).map((p) => [p.key, p.code]),
            [["hydra:cloudflareDnsToken", "secret-required"]],
        );
        assert.deepStrictEqual(problems({ ...config, "hydra:proxy": { tls: "internal" } }), []);
        const allOff = Object.fromEntries(FIXTURE_APPS.map((a) => [a.name, false]));
        assert.deepStrictEqual(problems({ ...config, "hydra:apps": allOff }), []);
    });
});

describe("config: loading the running stack's config", () => {
    afterEach(() => pulumi.runtime.setAllConfig({}, []));

    it("turns a ConfigError into a RunError, which Pulumi prints without a stack trace", () => {
        pulumi.runtime.setAllConfig({ "hydra:domain": "Example", "hydra:tailscaleAuthKey": "tskey-auth-clear" }, []);
        assert.throws(
            () => loadConfig(FIXTURE_APPS),
            (e: Error) => pulumi.RunError.isInstance(e) && /hydra:domain: "Example"/.test(e.message) && !e.message.includes("tskey-auth-clear"),
        );
    });

    it("reads secrets as secret when the engine says so", () => {
        const config = toRawConfig(fullStack());
        pulumi.runtime.setAllConfig(config.values, [...config.secretKeys]);
        const cfg = loadConfig(FIXTURE_APPS);
        assert.ok(pulumi.Output.isInstance(cfg.secrets.resticPassword));
    });
});

describe("config: bad input of every shape", () => {
    const weird: unknown[] = [0, -1, 2.5, 1e21, "", " ", "x".repeat(3000), true, "false", [], [null], [1, "a"], {}, JSON.parse('{"__proto__": 1}')];
    weird.push({ constructor: 1 }, { toString: "x" }, "\u0000", "💥", "{", { secure: "s" }, [{}], [[]]);
    const base = fullStack();
    const fieldsOf = (v: unknown) => (v && typeof v === "object" && !Array.isArray(v) ? Object.keys(v) : []);

    for (const section of [...OBJECT_KEYS, "domain", "target", "resticPassword"]) {
        it(`hydra:${section}: only ConfigErrors, each problem under its key, never a stack trace or a placeholder`, () => {
            const current = base[`hydra:${section}`];
            const variants = weird.map((w) => w as unknown);
            for (const field of [...fieldsOf(current), "unknownField", "gitea", "records", "__proto__"]) {
                variants.push(...weird.map((w) => ({ ...(current as object), [field]: w })));
            }
            for (const value of variants) {
                for (const p of problems({ ...base, [`hydra:${section}`]: value })) {
                    const line = problemLine(p);
                    assert.match(line, /^hydra:[A-Za-z]/);
                    assert.ok(!/\n\s+at |undefined|\[object |Invalid input|could not be checked/.test(line), line);
                    assert.ok(line.length < 400, line);
                }
            }
        });
    }
});

describe("config: what config/ builds on", () => {
    it("imports only vocabulary/ and npm packages from outside config/", () => {
        const dir = path.join(__dirname, "..", "config");
        const files = fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts"));
        for (const file of files) {
            const text = fs.readFileSync(path.join(dir, file), "utf8");
            for (const [, spec] of text.matchAll(/from "(\.[^"]+)"/g)) {
                const target = path.relative(path.join(__dirname, ".."), path.resolve(path.dirname(path.join(dir, file)), spec));
                assert.match(target, /^(config|vocabulary)\//, `${file} imports ${spec}`);
            }
        }
    });
});
