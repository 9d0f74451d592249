// Smaller fixes to apps against their upstream images (sources cited in the app files).
import * as assert from "assert";
import { APPS } from "../apps";
import { makeContext } from "../apps/context";
import { buildJob } from "../components/buildJob";
import { Job, Task } from "../nomad";
import { fixtureConfig, stackConfig, withOverrides } from "./support/estateConfig";

function appJob(app: string, id = app): Job {
    const cfg = stackConfig(withOverrides(fixtureConfig("full-digitalocean"), { "hydra:consul": { enabled: false } })).cfg;
    const def = APPS.find((a) => a.name === app)!;
    const spec = def.jobs(makeContext(cfg, def, { backupPaths: ["/data/gitea"], backupDumps: [], scrapeTargets: [] })).find((s) => s.name === id)!;
    return buildJob(spec, { datacenter: "hydra", namespace: "default", region: "global", serviceProvider: "nomad" });
}

const task = (j: Job, name: string): Task => j.TaskGroups[0].Tasks.find((t) => t.Name === name)!;

describe("apps: smaller upstream fixes", () => {
    it("doggo: checks the API's HTTP ping route, not just the port", () => {
        const check = appJob("doggo").TaskGroups[0].Services![0].Checks![0];
        assert.strictEqual(check.Type, "http");
        assert.strictEqual(check.Path, "/api/ping/");
    });

    it("shynet: one gunicorn worker (no Redis: the cache is per process) and no unused /config mount", () => {
        const j = appJob("shynet", "shynet-app");
        const web = task(j, "web");
        assert.strictEqual(web.Env!.NUM_WORKERS, "1");
        assert.strictEqual(web.Env!.REDIS_CACHE_LOCATION, undefined);
        assert.strictEqual(web.Config!.mount, undefined);
        assert.strictEqual(j.Meta!["hydra.backup-paths"], undefined, "nothing of its own to back up");
    });

    it("restic: keeps its cache in a fixed host directory (a raw_exec task has no HOME)", () => {
        for (const id of ["restic", "restic-check"]) {
            assert.strictEqual(task(appJob("backup", id), "backup").Env!.RESTIC_CACHE_DIR, "/var/cache/restic", id);
        }
    });
});
