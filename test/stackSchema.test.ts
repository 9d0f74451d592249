// The JSON Schema editors use for the stack files: committed, current, and in step with the validator.
import Ajv from "ajv";
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { stackSchema } from "../config";
import { currentStackSchema, STACK_SCHEMA_FILE } from "../scripts/stackSchema";
import { FIXTURE_APPS } from "./fixtures/config/apps";
import { fixtureFiles } from "./support/fixtures";

const ROOT = path.join(__dirname, "..");
const stackFile = (file: string) => YAML.parse(fs.readFileSync(file, "utf8"));

/** A validator for stack files; `errors` lists where a document breaks the schema. */
function validator(schema: object) {
    const validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    return (doc: unknown) => (validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`));
}

describe("config: the stack files' JSON Schema", () => {
    it("is committed and current (npm run schema writes it)", () => {
        assert.ok(fs.existsSync(STACK_SCHEMA_FILE), "no schema file: run npm run schema");
        assert.ok(fs.readFileSync(STACK_SCHEMA_FILE, "utf8") === currentStackSchema(), "the committed schema is stale: run npm run schema");
    });

    it("accepts the committed stack files", () => {
        const errors = validator(JSON.parse(fs.readFileSync(STACK_SCHEMA_FILE, "utf8")));
        for (const file of ["Pulumi.hydra.yaml", "Pulumi.dev.yaml"]) {
            assert.deepStrictEqual(errors(stackFile(path.join(ROOT, file))), [], file);
        }
    });

    const errors = validator(stackSchema(FIXTURE_APPS));

    for (const file of fixtureFiles("good")) {
        it(`accepts the good fixture ${path.basename(file)}`, () => {
            assert.deepStrictEqual(errors({ config: stackFile(file).config }), []);
        });
    }

    const refused: Record<string, Record<string, unknown>> = {
        "a secret in plain text": { "hydra:tailscaleAuthKey": "tskey-auth-clear" },
        "an unknown key in Hydra's namespace": { "hydra:colour": "blue" },
        "an unknown field": { "hydra:node": { regoin: "fra1" } },
        "an unknown region": { "hydra:node": { region: "blr-1" } },
        "a setting the app does not declare": { "hydra:apps": { backup: { image: "restic/restic:0.16.4" } } },
        "an unknown app": { "hydra:apps": { gitae: false } },
        "a word where a number goes": { "hydra:node": { volumeSizeGb: "fifty" } },
        "an unknown TLS mode": { "hydra:proxy": { tls: "letsencrypt" } },
        "a provider token in plain text": { "digitalocean:token": "dop_v1_clear" },
    };
    for (const [what, config] of Object.entries(refused)) {
        it(`refuses ${what}`, () => {
            assert.notDeepStrictEqual(errors({ config: { "hydra:domain": "example.com", ...config } }), []);
        });
    }

    it("leaves other namespaces and the file's other keys alone", () => {
        const doc = { secretsprovider: "passphrase", config: { "hydra:domain": "example.com", "aws:region": "eu-west-1", "pulumi:tags": { a: "b" } } };
        assert.deepStrictEqual(errors(doc), []);
    });

    it("shows editors each setting's default and meaning", () => {
        const config = (stackSchema(FIXTURE_APPS) as { properties: { config: { properties: Record<string, { properties?: Record<string, object> }> } } })
            .properties.config.properties;
        assert.deepStrictEqual(config["hydra:nomad"].properties?.waitForHealthy, {
            description: "pulumi up waits until each service job's deployment is healthy.",
            default: true,
            anyOf: [{ type: "boolean" }, { type: "string", enum: ["true", "false"] }],
        });
        assert.match(JSON.stringify(config["hydra:proxy"].properties?.tls), /"default":"cloudflare".*"enum":\["cloudflare","internal"\]/);
    });
});
