import * as assert from "assert";
import { APPS, defineApp } from "../apps";
import { imageProblem } from "../vocabulary";
import { Job } from "../nomad";
import { loadConfig } from "../config";
import { buildEstate } from "../estate";
import { runMocked, RunResult } from "../render/mockRuntime";
import { fixtureConfig, stackConfig, withOverrides } from "./support/estateConfig";
import { ESTATE_JOBS } from "./support/estateJobs";
import { mockedEstate } from "./support/mockedEstate";

const JOB = "pulumi-nodejs:dynamic/nomad:NomadJob";
const VARIABLE = "pulumi-nodejs:dynamic/nomad:NomadVariable";
const RECORD = "cloudflare:index/dnsRecord:DnsRecord";

const deploy = (config: Record<string, unknown>, apps = APPS): Promise<RunResult> => mockedEstate(config, apps);

const jobs = (run: RunResult): Job[] => run.ofType(JOB).map((r) => r.inputs.job as Job);
const job = (run: RunResult, id: string): Job => {
    const found = jobs(run).find((j) => j.ID === id);
    assert.ok(found, `no job ${id}; jobs: ${jobs(run).map((j) => j.ID)}`);
    return found;
};
const caddyfile = (run: RunResult, task: "public" | "internal"): string =>
    job(run, "caddy")
        .TaskGroups[0].Tasks.find((t) => t.Name === task)!
        .Templates!.find((t) => t.DestPath.endsWith("Caddyfile"))!.EmbeddedTmpl!;
const siteBlocks = (text: string): string[] => [...text.matchAll(/^([a-z0-9.-]+\.[a-z]+) \{$/gm)].map((m) => m[1]);

/** The full stack, with Nomad's own service discovery (the default). */
const full = () => withOverrides(fixtureConfig("full-digitalocean"), { "hydra:consul": { enabled: false } });

describe("apps: the estate from one declaration each", () => {
    let run: RunResult;
    before(async () => {
        run = await deploy(full());
    });

    it("registers every estate job", () => {
        assert.deepStrictEqual(
            jobs(run)
                .map((j) => j.ID)
                .sort(),
            ESTATE_JOBS,
        );
        for (const j of jobs(run)) {
            assert.deepStrictEqual(j.Datacenters, ["hydra"], j.ID);
        }
    });

    it("never puts a secret value in a job (config sentinels and generated ones)", () => {
        const generated = run.ofType("random:index/randomPassword:RandomPassword").map((r) => `generated-${r.name}`);
        assert.ok(generated.length >= 4, "some secrets are generated");
        const sentinels = [/SENTINEL/, /tskey-/, ...generated.map((g) => new RegExp(g))];
        for (const r of run.ofType(JOB)) {
            const text = JSON.stringify(r.inputs.job);
            for (const s of sentinels) {
                assert.ok(!s.test(text), `job ${r.inputs.job.ID} contains ${s}`);
            }
        }
        // ...while the variables do carry them, as secrets.
        const items = run
            .ofType(VARIABLE)
            .map((v) => JSON.stringify(v.inputs.items))
            .join("\n");
        for (const s of [/SENTINEL-cf-dns-token/, /SENTINEL-restic-password/, ...generated.map((g) => new RegExp(g))]) {
            assert.match(items, s);
        }
        for (const v of run.ofType(VARIABLE)) {
            assert.ok(v.secretInputs.includes("items"), `${v.name} items are not secret`);
            assert.match(v.inputs.path, /^nomad\/jobs\/[a-z0-9-]+$/);
        }
    });

    it("reads secrets only through templates of the job's own variable", () => {
        for (const j of jobs(run)) {
            for (const t of j.TaskGroups.flatMap((g) => g.Tasks)) {
                for (const tpl of t.Templates ?? []) {
                    for (const m of tpl.EmbeddedTmpl!.matchAll(/nomadVar "([^"]+)"/g)) {
                        assert.strictEqual(m[1], `nomad/jobs/${j.ID}`);
                    }
                    if (tpl.EmbeddedTmpl!.includes("nomadVar")) {
                        assert.match(tpl.DestPath, /^secrets\//, "secret files live in the in-memory secrets dir");
                    }
                }
            }
        }
    });

    it("gives every route exactly one DNS record and one site block", () => {
        const records = run.ofType(RECORD).map((r) => r.inputs.name as string);
        const blocks = [...siteBlocks(caddyfile(run, "public")), ...siteBlocks(caddyfile(run, "internal"))];
        const routes = ["git", "git-ssh", "pihole", "doggo", "shynet", "grafana", "prometheus", "syncthing"];
        for (const host of routes) {
            const fqdn = `${host}.example.org`;
            assert.strictEqual(records.filter((r) => r === fqdn).length, 1, `${fqdn} records`);
            assert.strictEqual(blocks.filter((b) => b === fqdn).length, host === "git-ssh" ? 0 : 1, `${fqdn} site blocks`);
        }
        assert.deepStrictEqual(siteBlocks(caddyfile(run, "public")).sort(), ["doggo.example.org", "git.example.org", "shynet.example.org"]);
        assert.ok(siteBlocks(caddyfile(run, "internal")).includes("nomad.example.org"), "Nomad's UI is an internal admin site");
    });

    it("keeps internal routes unproxied, on the tailnet address, with ports only on tailscale", () => {
        const internal = ["git-ssh", "pihole", "grafana", "prometheus", "syncthing", "nomad"].map((h) => `${h}.example.org`);
        for (const r of run.ofType(RECORD).filter((x) => internal.includes(x.inputs.name))) {
            assert.strictEqual(r.inputs.proxied, false, r.inputs.name);
            assert.strictEqual(r.inputs.content, "100.101.102.103", r.inputs.name);
        }
        for (const id of ["pihole", "monitoring", "syncthing"]) {
            const net = job(run, id).TaskGroups[0].Networks![0];
            for (const p of [...(net.DynamicPorts ?? []), ...(net.ReservedPorts ?? [])]) {
                assert.strictEqual(p.HostNetwork, "tailscale", `${id} ${p.Label}`);
            }
        }
        for (const r of run.ofType(RECORD).filter((x) => ["git.example.org", "doggo.example.org", "shynet.example.org"].includes(x.inputs.name))) {
            assert.strictEqual(r.inputs.content, "203.0.113.10");
            assert.strictEqual(r.inputs.proxied, true);
        }
    });

    it("puts Gitea's SSH on static port 4222 of the tailscale network", () => {
        const ports = job(run, "gitea").TaskGroups[0].Networks![0].ReservedPorts!;
        assert.deepStrictEqual(
            ports.find((p) => p.Label === "ssh"),
            { Label: "ssh", Value: 4222, To: 22, HostNetwork: "tailscale" },
        );
    });

    it("binds the proxies' 80/443 statically on the public and tailscale networks", () => {
        const ports = job(run, "caddy").TaskGroups[0].Networks![0].ReservedPorts!;
        assert.deepStrictEqual(ports.map((p) => `${p.Label}:${p.Value}:${p.HostNetwork}`).sort(), [
            "internal_http:80:tailscale",
            "internal_https:443:tailscale",
            "public_http:80:public",
            "public_https:443:public",
        ]);
    });

    it("pins every image to a version tag or digest", () => {
        for (const j of jobs(run)) {
            for (const t of j.TaskGroups.flatMap((g) => g.Tasks).filter((x) => x.Driver === "docker")) {
                assert.strictEqual(imageProblem(t.Config!.image as string), undefined, `${j.ID}/${t.Name}: ${t.Config!.image}`);
            }
        }
    });

    it("backs up every app's paths, with overlap prohibited", () => {
        const restic = job(run, "restic");
        assert.strictEqual(restic.Type, "batch");
        assert.strictEqual(restic.Periodic!.Spec, "0 3 * * *");
        assert.strictEqual(restic.Periodic!.ProhibitOverlap, true);
        assert.strictEqual(restic.Periodic!.TimeZone, "Asia/Kolkata");
        const task = restic.TaskGroups[0].Tasks[0];
        assert.strictEqual(task.Driver, "raw_exec");
        const script = task.Templates!.find((t) => t.DestPath.endsWith("restic.sh"))!.EmbeddedTmpl!;
        for (const p of ["/data/gitea", "/data/pihole", "/data/dumps/shynet-db.sql", "/data/grafana", "/data/syncthing", "/data/caddy"]) {
            assert.ok(script.includes(`'${p}'`), `${p} is not backed up`);
        }
        assert.match(script, /restic backup --one-file-system --tag nomad/);
        assert.match(script, /--keep-daily 7 --keep-weekly 4 --keep-monthly 12 --keep-yearly 3/);
        assert.strictEqual(job(run, "restic-check").Periodic!.ProhibitOverlap, true);
    });

    it("makes the shynet app wait for its database", () => {
        const tasks = job(run, "shynet-app").TaskGroups[0].Tasks;
        const wait = tasks.find((t) => t.Lifecycle?.Hook === "prestart");
        assert.ok(wait, "a prestart task");
        assert.strictEqual(wait.Name, "wait-for-shynet-db");
        assert.strictEqual(wait.Lifecycle!.Sidecar, false);
        assert.match(wait.Templates![0].EmbeddedTmpl!, /nomadService "shynet-db"/);
        // The DB password is one value in both variables.
        const items = (path: string) => run.ofType(VARIABLE).find((v) => v.inputs.path === path)!.inputs.items;
        assert.strictEqual(items("nomad/jobs/shynet-db").db_password, items("nomad/jobs/shynet-app").db_password);
    });

    it("registers the shynet app after its database's job, so `up` starts it once the database is healthy", () => {
        const nomadJob = (id: string) => run.ofType(JOB).find((r) => (r.inputs.job as Job).ID === id)!;
        const app = nomadJob("shynet-app");
        assert.ok(app.dependencies.includes(nomadJob("shynet-db").urn), `shynet-app depends on ${app.dependencies.join(", ")}`);
        assert.ok(!nomadJob("shynet-db").dependencies.includes(app.urn), "and not the other way round");
        assert.strictEqual(nomadJob("shynet-db").inputs.detach, false, "the database's registration waits for its health");
    });

    it("scrapes every app's metrics from Prometheus, with itself, node-exporter and Nomad", () => {
        const prom = job(run, "monitoring").TaskGroups[0].Tasks.find((t) => t.Name === "prometheus")!;
        const yml = prom.Templates!.find((t) => t.DestPath.endsWith("prometheus.yml"))!.EmbeddedTmpl!;
        for (const name of ["prometheus", "node-exporter", "nomad", "gitea"]) {
            assert.match(yml, new RegExp(`job_name: ${name}\\n`));
        }
        assert.match(
            yml,
            /job_name: gitea\n\s+metrics_path: \/metrics\n\s+authorization:\n\s+credentials_file: \/secrets\/scrape-gitea\.token\n\s+static_configs:\n\s+- targets: \[\{\{ range \$i, \$s := nomadService "gitea-web" \}\}/,
        );
        assert.match(yml, /metrics_path: \/v1\/metrics\n\s+params:\n\s+format: \[prometheus\]/);
    });

    it("exports every URL and the restic password as a secret", async () => {
        const urls = run.outputs.urls as Record<string, string[]>;
        assert.deepStrictEqual(urls.gitea, ["https://git.example.org/", "git-ssh.example.org"]);
        assert.deepStrictEqual(urls.nomad, ["https://nomad.example.org/"]);
        assert.strictEqual(run.outputs.resticPassword, "SENTINEL-restic-password");
    });
});

describe("apps: with Consul", () => {
    it("discovers upstreams through Consul and adds its admin site", async () => {
        const run = await deploy(fixtureConfig("full-digitalocean"));
        assert.ok(siteBlocks(caddyfile(run, "internal")).includes("consul.example.org"));
        assert.match(caddyfile(run, "public"), /\{\{- \$up := service "gitea-web" \}\}/);
        for (const j of jobs(run)) {
            for (const s of j.TaskGroups[0].Services ?? []) {
                assert.strictEqual(s.Provider, "consul", `${j.ID} ${s.Name}`);
            }
        }
        const wait = job(run, "shynet-app").TaskGroups[0].Tasks.find((t) => t.Lifecycle?.Hook === "prestart")!;
        assert.match(wait.Templates![0].EmbeddedTmpl!, /range service "shynet-db"/);
    });
});

describe("apps: switching one off", () => {
    it("removes its job, variable, DNS record and site block", async () => {
        const on = await deploy(full());
        const off = await deploy(withOverrides(full(), { "hydra:apps": { gitea: false } }));
        assert.ok(jobs(on).some((j) => j.ID === "gitea"));
        assert.ok(!jobs(off).some((j) => j.ID === "gitea"));
        assert.ok(on.ofType(VARIABLE).some((v) => v.inputs.path === "nomad/jobs/gitea"));
        assert.ok(!off.ofType(VARIABLE).some((v) => v.inputs.path === "nomad/jobs/gitea"));
        assert.ok(!off.ofType(RECORD).some((r) => r.inputs.name.startsWith("git")));
        assert.ok(!siteBlocks(caddyfile(off, "public")).includes("git.example.org"));
        assert.ok(!off.resources.some((r) => r.name.startsWith("gitea")), "nothing it brought is left");
        const script = job(off, "restic").TaskGroups[0].Tasks[0].Templates!.find((t) => t.DestPath.endsWith(".sh"))!.EmbeddedTmpl!;
        assert.ok(!script.includes("/data/gitea"), "nor its backup paths");
    });
});

describe("apps: adding one", () => {
    it("an app written here in 20 lines or fewer gets a job, a DNS record and a route", async () => {
        // ---- the whole app: 14 lines
        const whoami = defineApp({
            name: "whoami",
            description: "echoes the request",
            settings: { hostname: "whoami" },
            jobs: (ctx) => [
                {
                    name: "whoami",
                    tasks: [{ name: "web", image: "traefik/whoami:v1.10.4" }],
                    ports: [{ label: "http", to: 80 }],
                    routes: [{ hostname: ctx.hostname(), visibility: "public", port: "http" }],
                },
            ],
        });
        // ----
        const run = await deploy(full(), [...APPS, whoami]);
        const j = job(run, "whoami");
        assert.strictEqual(j.TaskGroups[0].Tasks[0].Config!.image, "traefik/whoami:v1.10.4");
        assert.deepStrictEqual(
            j.TaskGroups[0].Services!.map((s) => s.Name),
            ["whoami-http"],
        );
        const rec = run.ofType(RECORD).find((r) => r.inputs.name === "whoami.example.org");
        assert.ok(rec && rec.inputs.proxied === true);
        assert.ok(siteBlocks(caddyfile(run, "public")).includes("whoami.example.org"));
        assert.match(caddyfile(run, "public"), /nomadService "whoami-http"/);
    });

    it("refuses an unpinned image, a clash of ports or names, before any resource", async () => {
        const bad = defineApp({
            name: "bad",
            description: "everything wrong",
            jobs: () => [
                {
                    name: "gitea",
                    tasks: [
                        { name: "web", image: "nginx:latest" },
                        { name: "side", image: "redis" },
                    ],
                    ports: [{ label: "ssh", static: 4222 }],
                    routes: [{ hostname: "git", visibility: "public", port: "ssh" }],
                    dependsOn: ["no-such-service"],
                },
            ],
        });
        const { values, secretKeys } = stackConfig(full());
        let registered = -1;
        await assert.rejects(
            runMocked(() => buildEstate(loadConfig([...APPS, bad]), [...APPS, bad]).outputs, { config: values, secretKeys }).then((r) => {
                registered = r.resources.length;
            }),
            (e: Error) => {
                for (const want of [
                    'task "web" image "nginx:latest" uses the "latest" tag',
                    'task "side" image "redis" has no tag',
                    'job "gitea" is already declared by app gitea',
                    "static port 4222 on tailscale is already used by app gitea",
                    'waits for service "no-such-service"',
                    'host name "git" is already used by app gitea',
                ]) {
                    assert.ok(e.message.includes(want), `missing ${want} in ${e.message}`);
                }
                return true;
            },
        );
        assert.strictEqual(registered, -1);
    });

    it("refuses an image override from config that is not pinned", () => {
        assert.throws(
            () => stackConfig(withOverrides(full(), { "hydra:apps": { doggo: { image: "ghcr.io/mr-karan/doggo-api:latest" } } })),
            /hydra:apps\.doggo\.image: image "ghcr\.io\/mr-karan\/doggo-api:latest" uses the "latest" tag/,
        );
    });
});
