// The estate's Nomad access under Pulumi's mocks: with nomad.acl the namespace, policies and
// operator token are declared (jobs wait for the namespace); with nomad.tls every Nomad resource
// carries the client certificate as a secret; and the estate ignores the shell's NOMAD_* variables.
import * as assert from "assert";
import { RESOURCE_TYPES, TYPE_TOKENS } from "../vocabulary";
import { ACL_NAMES, deployerPolicy, operatorReadOnlyPolicy } from "../components/nomadAclPolicies";
import { fixtureConfig, withOverrides } from "./support/estateConfig";
import { mockedEstate } from "./support/mockedEstate";

const CERT = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const KEY = "-----BEGIN EC PRIVATE KEY-----\nMHcC-planted-client-key\n-----END EC PRIVATE KEY-----\n";
const NOMAD_TYPES = [
    RESOURCE_TYPES.nomadJob,
    RESOURCE_TYPES.nomadVariable,
    RESOURCE_TYPES.nomadNamespace,
    RESOURCE_TYPES.nomadAclPolicy,
    RESOURCE_TYPES.nomadAclToken,
];

/** One run for both: ACLs (on by default on DigitalOcean) in a namespace of its own, and mTLS. */
const secured = () =>
    withOverrides(fixtureConfig("full-digitalocean"), {
        "hydra:nomad": { namespace: "estate", tls: true },
        "hydra:nomadCaCert": { secure: CERT },
        "hydra:nomadClientCert": { secure: CERT },
        "hydra:nomadClientKey": { secure: KEY },
        "hydra:nomadServerCert": { secure: CERT },
        "hydra:nomadServerKey": { secure: KEY },
    });

describe("the estate's Nomad access (mocked)", function () {
    this.timeout(60_000);
    const saved = { ...process.env };
    before(() => {
        // The shell's NOMAD_* must not reach the estate's resources.
        Object.assign(process.env, { NOMAD_ADDR: "http://elsewhere:4646", NOMAD_TOKEN: "00000000-dead-beef-0000-000000000000", NOMAD_NAMESPACE: "shell" });
    });
    after(() => {
        for (const k of ["NOMAD_ADDR", "NOMAD_TOKEN", "NOMAD_NAMESPACE"]) {
            if (saved[k] === undefined) {
                delete process.env[k];
            } else {
                process.env[k] = saved[k];
            }
        }
    });

    it("declares the namespace, both policies and the operator token with nomad.acl, and jobs wait for the namespace", async () => {
        const run = await mockedEstate(secured());
        const ns = run.ofType(RESOURCE_TYPES.nomadNamespace);
        assert.deepStrictEqual(
            ns.map((r) => r.inputs.name),
            ["estate"],
        );
        const policies = Object.fromEntries(run.ofType(RESOURCE_TYPES.nomadAclPolicy).map((r) => [r.inputs.name, r.inputs.rules]));
        assert.deepStrictEqual(policies, { [ACL_NAMES.deployer]: deployerPolicy("estate"), [ACL_NAMES.operatorReadOnly]: operatorReadOnlyPolicy("estate") });
        const [token] = run.ofType(RESOURCE_TYPES.nomadAclToken);
        assert.deepStrictEqual(token.inputs.policies, [ACL_NAMES.operatorReadOnly]);
        assert.ok(token.additionalSecretOutputs.includes("secretId"));
        assert.ok(token.parent.includes(TYPE_TOKENS.access));
        // The apps and the proxy wait for the namespace; their jobs register under them, so after it.
        const owners = run.resources.filter((r) => r.type === TYPE_TOKENS.app || r.type === TYPE_TOKENS.proxy);
        assert.ok(owners.length > 5);
        for (const owner of owners) {
            assert.ok(owner.dependencies.includes(ns[0].urn), `${owner.name} waits for the namespace`);
        }
        assert.ok("nomadOperatorToken" in run.outputs);
    });

    it('declares no namespace for "default", and nothing of it without ACLs', async () => {
        const acl = await mockedEstate(fixtureConfig("full-digitalocean"));
        assert.strictEqual(acl.ofType(RESOURCE_TYPES.nomadNamespace).length, 0);
        assert.strictEqual(acl.ofType(RESOURCE_TYPES.nomadAclPolicy).length, 2);
        const off = await mockedEstate(fixtureConfig("existing-node"));
        assert.strictEqual(off.resources.filter((r) => r.type.includes("NomadAcl") || r.type.includes("NomadNamespace")).length, 0);
    });

    it("connects every Nomad resource with the client certificate under nomad.tls, as a secret, ignoring NOMAD_*", async () => {
        const run = await mockedEstate(secured());
        const nomad = run.resources.filter((r) => (NOMAD_TYPES as string[]).includes(r.type));
        assert.ok(nomad.length > 10);
        for (const r of nomad) {
            assert.strictEqual(r.inputs.address, "https://100.101.102.103:4646", r.name);
            assert.deepStrictEqual(r.inputs.tls, { caCert: CERT, clientCert: CERT, clientKey: KEY, serverName: "server.global.nomad" }, r.name);
            assert.ok(r.secretInputs.includes("tls") && r.secretInputs.includes("token"), `${r.name}: ${r.secretInputs}`);
            assert.notStrictEqual(r.inputs.token, process.env.NOMAD_TOKEN);
            assert.notStrictEqual(r.inputs.namespace, "shell");
        }
        const monitoring = run.ofType(RESOURCE_TYPES.nomadVariable).find((r) => r.inputs.path === "nomad/jobs/monitoring");
        assert.strictEqual(monitoring?.inputs.items.nomad_client_key, KEY, "Prometheus's variable carries the client key");
        const droplet = run.ofType(RESOURCE_TYPES.droplet)[0];
        assert.match(droplet.inputs.userData, /path: \/etc\/hydra\/nomad-tls\/server-key\.pem/);
    });
});
