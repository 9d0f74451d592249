// Smaller fixes to apps against their upstream images (sources cited in the app files).
import * as assert from "assert";
import { APPS } from "../apps";
import { makeContext } from "../apps/context";
import { buildJob } from "../components/buildJob";
import { Job } from "../nomad";
import { fixtureConfig, stackConfig, withOverrides } from "./support/estateConfig";

function appJob(app: string, id = app): Job {
    const cfg = stackConfig(withOverrides(fixtureConfig("full-digitalocean"), { "hydra:consul": { enabled: false } })).cfg;
    const def = APPS.find((a) => a.name === app)!;
    const spec = def.jobs(makeContext(cfg, def, { backupPaths: ["/data/gitea"], backupDumps: [], scrapeTargets: [] })).find((s) => s.name === id)!;
    return buildJob(spec, { datacenter: "hydra", namespace: "default", region: "global", serviceProvider: "nomad" });
}

describe("apps: smaller upstream fixes", () => {
    it("doggo: checks the API's HTTP ping route, not just the port", () => {
        const check = appJob("doggo").TaskGroups[0].Services![0].Checks![0];
        assert.strictEqual(check.Type, "http");
        assert.strictEqual(check.Path, "/api/ping/");
    });
});
