import * as assert from "assert";
import { TYPES } from "../../policy/rules/common";
import { POLICIES } from "../../policy/policies";
import { RunningPack, SECRET, startPolicyPack, UNKNOWN_VALUE } from "./analyzer";

describe("policy pack: loaded and called like the Pulumi engine does (run-policy-pack over gRPC)", function () {
    this.timeout(180_000);
    let pack: RunningPack;
    before(async () => {
        pack = await startPolicyPack();
    });
    after(() => pack?.stop());

    it("loads as hydra@0.1.0 with every policy at its level", async () => {
        const info = await pack.info();
        assert.strictEqual(info.name, "hydra");
        assert.strictEqual(info.version, "0.1.0");
        const levels = Object.fromEntries(info.policies.map((p) => [p.name, p.enforcementLevel]));
        assert.deepStrictEqual(levels, Object.fromEntries(POLICIES.map((p) => [p.name, p.enforcementLevel])));
    });

    it("reports a firewall opening SSH to the internet as mandatory, against that resource", async () => {
        const d = await pack.analyze({
            type: TYPES.firewall,
            name: "floyd-firewall",
            props: { name: "floyd-firewall", dropletIds: UNKNOWN_VALUE, inboundRules: [{ protocol: "tcp", portRange: "22", sourceAddresses: ["0.0.0.0/0"] }] },
        });
        assert.deepStrictEqual(
            d.map((x) => [x.policy, x.enforcementLevel]),
            [["no-admin-ports-from-internet", "mandatory"]],
        );
        assert.match(d[0].message, /inbound rule #1 \(tcp 22 from 0\.0\.0\.0\/0\) opens SSH \(22\) to the internet/);
    });

    it("sees the protect option", async () => {
        const volume = { type: TYPES.volume, name: "floyd-data", props: { name: "floyd-data", size: 50 } };
        assert.deepStrictEqual(await pack.analyze({ ...volume, protect: true }), []);
        const d = await pack.analyze(volume);
        assert.deepStrictEqual(
            d.map((x) => x.policy),
            ["stateful-resources-protected"],
        );
    });

    it("sees secret values decrypted (and never prints them), and skips values unknown during preview", async () => {
        const planted = "planted-secret-0123456789";
        const variable = { type: TYPES.nomadVariable, name: "app-secrets", props: { path: "nomad/jobs/app", items: SECRET({ token: planted }) } };
        const job = {
            type: TYPES.nomadJob,
            name: "app-job",
            props: {
                address: UNKNOWN_VALUE,
                token: SECRET("acl-token-value"),
                job: {
                    ID: "app",
                    TaskGroups: [
                        {
                            Name: "g",
                            Tasks: [
                                {
                                    Name: "t",
                                    Driver: "docker",
                                    Config: { image: UNKNOWN_VALUE },
                                    Env: { UPSTREAM: planted },
                                    Resources: { CPU: 100, MemoryMB: 64 },
                                },
                            ],
                        },
                    ],
                },
            },
        };
        assert.deepStrictEqual(await pack.analyze(job), []);
        const d = await pack.analyzeStack([variable, job]);
        assert.deepStrictEqual(
            d.map((x) => [x.policy, x.urn]),
            [["no-secret-values-in-jobs", "urn:pulumi:dev::hydra::pulumi-nodejs:dynamic/nomad:NomadJob::app-job"]],
        );
        assert.match(d[0].message, /contains the value of Nomad Variable "nomad\/jobs\/app" item "token" at job\.TaskGroups\[0\]\.Tasks\[0\]\.Env\.UPSTREAM/);
        assert.ok(!d[0].message.includes(planted));
    });

    it("reports advisory findings as advisory", async () => {
        const d = await pack.analyze({ type: TYPES.droplet, name: "floyd", props: { name: "floyd", monitoring: false } });
        assert.deepStrictEqual(
            d.map((x) => [x.policy, x.enforcementLevel]),
            [["droplet-monitoring", "advisory"]],
        );
        assert.strictEqual(pack.stderr().trim(), "");
    });
});
