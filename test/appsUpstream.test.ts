// Each app's job against what its upstream image demands (cited in the app files).
import * as assert from "assert";
import { AppDefinition, APPS } from "../apps";
import { makeContext } from "../apps/context";
import { buildJob } from "../components/buildJob";
import { Job, Task } from "../nomad";
import { fixtureConfig, stackConfig, withOverrides } from "./support/estateConfig";

const cfg = () => stackConfig(withOverrides(fixtureConfig("full-digitalocean"), { "hydra:consul": { enabled: false } })).cfg;
const app = (name: string): AppDefinition => APPS.find((a) => a.name === name)!;

/** The Nomad job `id` of app `name`, built as the estate would (no other app planned before it). */
export function appJob(name: string, id = name, estate = { backupPaths: [] as string[], scrapeTargets: [] }): Job {
    const c = cfg();
    const spec = app(name)
        .jobs(makeContext(c, app(name), estate))
        .find((s) => s.name === id);
    assert.ok(spec, `app ${name} has no job ${id}`);
    return buildJob(spec, { datacenter: "hydra", namespace: "default", region: "global", serviceProvider: "nomad" });
}
export const task = (j: Job, name: string): Task => j.TaskGroups[0].Tasks.find((t) => t.Name === name)!;
const mounts = (t: Task) => (t.Config!.mount ?? []) as { source: string; target: string }[];

describe("apps against their upstream images", () => {
    it("syncthing: mounts the whole home (/var/syncthing), the one path the entrypoint chowns", () => {
        const t = task(appJob("syncthing"), "web");
        assert.deepStrictEqual(
            mounts(t).map((m) => `${m.source}:${m.target}`),
            ["/data/syncthing:/var/syncthing"],
        );
    });
});
