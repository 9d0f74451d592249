// Each app's job against what its upstream image demands (cited in the app files).
import * as assert from "assert";
import { AppDefinition, APPS, EstateFacts } from "../apps";
import { makeContext } from "../apps/context";
import { buildJob } from "../components/buildJob";
import { jobSpecProblems } from "../components/jobSpecProblems";
import { Job, Task } from "../nomad";
import { fixtureConfig, stackConfig, withOverrides } from "./support/estateConfig";

const cfg = () => stackConfig(withOverrides(fixtureConfig("full-digitalocean"), { "hydra:consul": { enabled: false } })).cfg;
const app = (name: string): AppDefinition => APPS.find((a) => a.name === name)!;

/** The Nomad job `id` of app `name`, built as the estate would (no other app planned before it). */
export function appJob(name: string, id = name, estate: EstateFacts = { backupPaths: [], backupDumps: [], scrapeTargets: [], serviceJobs: [] }): Job {
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

    it("shynet: the health check sends the Host Django allows (else 400 DisallowedHost)", () => {
        const j = appJob("shynet", "shynet-app");
        const check = j.TaskGroups[0].Services!.find((s) => s.Name === "shynet-web")!.Checks![0];
        const allowed = task(j, "web").Env!.ALLOWED_HOSTS.split(",");
        assert.strictEqual(check.Path, "/healthz/");
        assert.deepStrictEqual(check.Header, { Host: ["shynet.example.org"] });
        assert.ok(allowed.includes(check.Header!.Host[0]), `${check.Header!.Host} not in ALLOWED_HOSTS ${allowed}`);
    });
});

describe("check headers", () => {
    const spec = (type: "http" | "tcp") => ({
        name: "web",
        tasks: [{ name: "web", image: "traefik/whoami:v1.10.4" }],
        ports: [{ label: "http", to: 80 }],
        services: [{ name: "web", port: "http", check: { type, headers: { Host: "web.example.org", "X-Probe": "1" } } }],
    });
    const env = { datacenter: "hydra", namespace: "default", region: "global", serviceProvider: "nomad" as const };

    it("renders as Nomad's check Header map (one value per name)", () => {
        const check = buildJob(spec("http"), env).TaskGroups[0].Services![0].Checks![0];
        assert.deepStrictEqual(check.Header, { Host: ["web.example.org"], "X-Probe": ["1"] });
        assert.strictEqual(
            buildJob({ ...spec("http"), services: [{ name: "web", port: "http", check: { type: "http" } }] }, env).TaskGroups[0].Services![0].Checks![0].Header,
            undefined,
        );
    });

    it("is refused on a tcp check, which sends none", () => {
        assert.deepStrictEqual(jobSpecProblems(spec("tcp")), ['job "web": service "web" has a tcp check with headers (only http checks send them)']);
        assert.deepStrictEqual(jobSpecProblems(spec("http")), []);
    });
});
