// Every role's agent config, the base and the cluster's drop-in together, as the real Nomad 1.6.3 reads them.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { clusterDropIn } from "../../components/HydraCluster";
import { base, CLUSTER, KEY } from "../support/clusterFixtures";
import { projectTool, run } from "../support/tools";

describe("cluster: agent configs, read by nomad config validate", () => {
    it("passes nomad config validate for every role, the drop-in next to the base config", () => {
        const nomad = projectTool("nomad");
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hydra-cluster-config-"));
        try {
            for (const n of CLUSTER.nodes) {
                fs.mkdirSync(path.join(dir, n.name));
                fs.writeFileSync(path.join(dir, n.name, "nomad.hcl"), base(n));
                fs.writeFileSync(path.join(dir, n.name, "cluster.hcl"), clusterDropIn(n, CLUSTER, KEY));
                const r = run(nomad, ["config", "validate", path.join(dir, n.name)]);
                assert.strictEqual(r.status, 0, `${n.name}:\n${r.output}`);
                assert.match(r.output, /Configuration is valid!/);
                assert.doesNotMatch(r.output, /odd number/, "3 servers");
            }
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
