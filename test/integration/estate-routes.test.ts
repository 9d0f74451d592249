// The running dev estate, from outside: every URL through its proxy (the curl lines
// `npm run dev` prints), visibility kept apart, the secrets each task received (as the
// stand-in's digests; Prometheus is the real one, read with docker exec), Shynet's start order (after its database is healthy), and Gitea's SSH port.
import * as assert from "assert";
import * as crypto from "crypto";
import * as net from "net";
import { Job } from "../../nomad";
import { secretTemplate } from "../../vocabulary";
import { api, curl, DevEstate, newEstateDir, service, startDevEstate, stopDevEstate } from "./devEstate";

const sha256 = (s: string | Buffer) => crypto.createHash("sha256").update(s).digest("hex");

/** Host → the stand-in task that must answer it (job, group, task). */
const BACKENDS: Record<string, [string, string, string]> = {
    "doggo.hydra.test": ["doggo", "app", "web"],
    "git.hydra.test": ["gitea", "app", "web"],
    "grafana.hydra.test": ["monitoring", "apps", "grafana"],
    "pihole.hydra.test": ["pihole", "web", "app"],
    "shynet.hydra.test": ["shynet-app", "app", "web"],
    "syncthing.hydra.test": ["syncthing", "app", "web"],
};

/** Every stand-in task with a port, by the service it registers. */
const STANDIN_SERVICES: Record<string, string> = {
    "doggo-web": "doggo/web",
    "gitea-web": "gitea/web",
    grafana: "monitoring/grafana",
    "pihole-web": "pihole/app",
    "shynet-db": "shynet-db/db",
    "shynet-web": "shynet-app/web",
    "syncthing-web": "syncthing/web",
};

interface Digests {
    job: string;
    task: string;
    env: Record<string, string>;
    files: Record<string, string>;
}

type TaskEvent = { Type: string; Time: number; DisplayMessage: string; ExitCode?: number };
type Alloc = {
    ID: string;
    ClientStatus: string;
    TaskStates: Record<string, { Events: TaskEvent[] }>;
    DeploymentStatus?: { Healthy: boolean; Timestamp: string };
};

function tcpConnects(host: string, port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const s = net.connect({ host, port, timeout: 5000 });
        s.once("connect", () => {
            s.destroy();
            resolve(true);
        });
        s.once("error", () => resolve(false));
        s.once("timeout", () => {
            s.destroy();
            resolve(false);
        });
    });
}

describe("integration: the dev estate's routes, secrets, start order and SSH (real Docker, Nomad, engine)", function () {
    this.timeout(600_000);
    const dir = newEstateDir("routes");
    let e: DevEstate;
    const digests = new Map<string, Digests>();

    before(async () => {
        e = await startDevEstate(dir);
        e.up();
        for (const [name, task] of Object.entries(STANDIN_SERVICES)) {
            const svc = await service(e.address, name);
            const res = await fetch(`http://${svc.Address}:${svc.Port}/.hydra/digests`, { signal: AbortSignal.timeout(15_000) });
            digests.set(task, (await res.json()) as Digests);
        }
    });

    after(async () => {
        await stopDevEstate(dir);
        console.log(`      timings (ms): ${JSON.stringify({ ...e?.timings, file: e ? Date.now() - e.startedAt : undefined })}`);
    });

    it("every https URL of the urls output answers 200 through its proxy, from the right app's stand-in, with the printed curl line", () => {
        const targets = e.curlTargets();
        const hosts = targets.map((x) => x.host).sort();
        assert.deepStrictEqual(hosts, [...Object.keys(BACKENDS), "nomad.hydra.test", "prometheus.hydra.test"].sort());
        const started = Date.now();
        for (const x of targets) {
            const r = curl(x.line);
            assert.strictEqual(r.code, 200, `${x.line}\n${r.stderr}${r.body}`);
            if (x.host === "nomad.hydra.test") {
                // The agent's /ui/ page, after its redirect (a nomad built from Go modules serves a note instead of the UI).
                assert.match(r.body, /Nomad UI is not available in this binary|<title>Nomad<\/title>/, "the agent's UI page, after its redirect to /ui/");
                continue;
            }
            if (x.host === "prometheus.hydra.test") {
                // The real Prometheus (Debian's build): its classic UI, after the redirect from /.
                assert.match(r.body, /<title>Prometheus Time Series Collection and Processing Server<\/title>/, x.line);
                continue;
            }
            const [job, group, task] = BACKENDS[x.host];
            assert.deepStrictEqual(JSON.parse(r.body), { standin: true, job, group, task, method: "GET", path: "/" }, x.line);
            assert.strictEqual(x.address, x.visibility === "public" ? e.publicAddress : e.tailnet);
        }
        e.timings.routeChecks = Date.now() - started;
        e.timings.routes = targets.length;
    });

    it("the Nomad UI route reaches the agent's API on the tailnet stand-in", () => {
        const nomad = e.curlTargets().find((x) => x.host === "nomad.hydra.test")!;
        const r = curl(nomad.line.replace(/https:\/\/nomad\.hydra\.test\/$/, "https://nomad.hydra.test/v1/status/leader"));
        assert.strictEqual(r.code, 200, r.stderr);
        assert.match(JSON.parse(r.body) as string, /^127\.0\.0\.1:\d+$/);
    });

    it("an internal name is not served at the public address, nor a public name at the internal one", () => {
        const targets = e.curlTargets();
        const swapped = targets.map((x) => {
            const other = x.visibility === "public" ? e.tailnet : e.publicAddress;
            return { x, line: x.line.replace(`:443:${x.address} `, `:443:${other} `) };
        });
        assert.ok(swapped.some((s) => s.x.visibility === "public") && swapped.some((s) => s.x.visibility === "internal"));
        for (const { x, line } of swapped) {
            // Also with curl told to trust nothing it cannot check: the other proxy has no site, so no certificate.
            const r = curl(`${line} --insecure`);
            assert.notStrictEqual(r.code, 200, `${x.host} answered at the ${x.visibility === "public" ? "internal" : "public"} address: ${r.body}`);
            assert.ok(!r.body.includes("standin"), r.body);
        }
    });

    it("gitea's app.ini holds exactly the stack's five secrets, as rendered from the job's template", async () => {
        const job = await api<Job>(e.address, "GET", "/v1/job/gitea");
        const web = job.TaskGroups![0].Tasks!.find((t) => t.Name === "web")!;
        const template = web.Templates!.find((t) => t.DestPath === "secrets/app.ini")!;
        let expected = template.EmbeddedTmpl!;
        const items: Record<string, string> = {
            secret_key: "giteaSecretKey",
            internal_token: "giteaInternalToken",
            lfs_jwt_secret: "giteaLfsJwtSecret",
            oauth2_jwt_secret: "giteaOauth2JwtSecret",
            metrics_token: "giteaMetricsToken",
        };
        for (const [item, key] of Object.entries(items)) {
            const ref = secretTemplate("gitea", item);
            assert.ok(expected.includes(ref), `the template reads ${item}`);
            expected = expected.split(ref).join(e.secrets[`hydra:${key}`]);
        }
        assert.ok(!expected.includes("{{"), "nothing else is templated");
        const d = digests.get("gitea/web")!;
        assert.strictEqual(d.files["/secrets/app.ini"], sha256(expected), "rendered file");
        assert.strictEqual(d.files["/data/gitea/conf/app.ini"], sha256(expected), "where Gitea reads it");
    });

    it("prometheus reads Gitea's metrics token from its secrets directory, and Grafana gets Prometheus's address as its datasource", async () => {
        const [prometheus] = e.t.docker(["ps", "--quiet", "--filter", "label=com.hashicorp.nomad.task_name=prometheus"]).trim().split("\n");
        assert.ok(prometheus, "prometheus's container");
        const token = e.t.docker(["exec", prometheus, "sha256sum", "/secrets/scrape-gitea.token"]).split(" ")[0];
        assert.strictEqual(token, sha256(e.secrets["hydra:giteaMetricsToken"]), "the token file");
        const job = await api<Job>(e.address, "GET", "/v1/job/monitoring");
        const grafana = job.TaskGroups![0].Tasks!.find((t) => t.Name === "grafana")!;
        const template = grafana.Templates!.find((t) => t.DestPath === "local/datasources.yaml")!.EmbeddedTmpl!;
        const svc = await service(e.address, "prometheus");
        const rendered = template.replace(/\{\{ range .*\{\{ else \}\}.*\{\{ end \}\}/, `http://${svc.Address}:${svc.Port}`);
        assert.ok(!rendered.includes("{{"), rendered);
        assert.strictEqual(
            digests.get("monitoring/grafana")!.files["/etc/grafana/provisioning/datasources/hydra.yaml"],
            sha256(rendered),
            "the datasource file",
        );
    });

    it("each stand-in task's env holds exactly the secret values the stack gives it, and no other", () => {
        const byDigest = new Map(Object.entries(e.secrets).map(([k, v]) => [sha256(v), k]));
        const expected: Record<string, Record<string, string>> = {
            "shynet-db/db": { POSTGRES_PASSWORD: "hydra:shynetDbPassword" },
            "shynet-app/web": { DB_PASSWORD: "hydra:shynetDbPassword", DJANGO_SECRET_KEY: "hydra:shynetDjangoSecretKey" },
            "monitoring/grafana": { GF_SECURITY_ADMIN_PASSWORD: "hydra:grafanaAdminPassword" },
            "pihole/app": { FTLCONF_webserver_api_password: "hydra:piholeWebPassword" },
        };
        for (const task of Object.values(STANDIN_SERVICES)) {
            const env = digests.get(task)!.env;
            const found = Object.fromEntries(
                Object.entries(env)
                    .filter(([, digest]) => byDigest.has(digest))
                    .map(([name, digest]) => [name, byDigest.get(digest)!]),
            );
            assert.deepStrictEqual(found, expected[task] ?? {}, `${task}'s env`);
        }
        // One password, two jobs: the database's and the app's.
        assert.strictEqual(digests.get("shynet-db/db")!.env.POSTGRES_PASSWORD, digests.get("shynet-app/web")!.env.DB_PASSWORD);
    });

    it("the variables hold the stack's values; the proxy has none (Caddy's internal CA needs no token), and the restic jobs get theirs", async () => {
        const vars = await api<{ Path: string }[]>(e.address, "GET", "/v1/vars?prefix=nomad/jobs");
        assert.ok(!vars.some((v) => v.Path === "nomad/jobs/caddy"), "no variable for the proxy");
        const caddy = JSON.stringify(await api<Job>(e.address, "GET", "/v1/job/caddy"));
        assert.ok(!caddy.includes("nomadVar") && !caddy.includes("CLOUDFLARE"), "the proxy job reads no secret");
        for (const job of ["restic", "restic-check", "restic-restore"]) {
            const v = await api<{ Items: Record<string, string> }>(e.address, "GET", `/v1/var/nomad/jobs/${job}`);
            assert.deepStrictEqual(v.Items, { restic_password: e.secrets["hydra:resticPassword"], restic_repository: e.resticRepo });
        }
        const shynet = await api<{ Items: Record<string, string> }>(e.address, "GET", "/v1/var/nomad/jobs/shynet-app");
        assert.deepStrictEqual(shynet.Items, {
            db_password: e.secrets["hydra:shynetDbPassword"],
            django_secret_key: e.secrets["hydra:shynetDjangoSecretKey"],
        });
    });

    it("shynet's app task starts only after its database is healthy, judged by Nomad's own times", async () => {
        const alloc = async (job: string) => {
            const [stub] = await api<{ ID: string }[]>(e.address, "GET", `/v1/job/${job}/allocations`);
            return api<Alloc>(e.address, "GET", `/v1/allocation/${stub.ID}`);
        };
        const db = await alloc("shynet-db");
        const app = await alloc("shynet-app");
        const at = (a: Alloc, task: string, type: string) => {
            const ev = a.TaskStates[task]?.Events.find((x) => x.Type === type);
            assert.ok(ev, `${task}: no ${type} event in ${JSON.stringify(a.TaskStates[task]?.Events.map((x) => x.Type))}`);
            return ev;
        };
        const ms = (ns: number) => Math.round(ns / 1e6);
        const dbStarted = ms(at(db, "db", "Started").Time);
        assert.strictEqual(db.DeploymentStatus?.Healthy, true, "the database's allocation is healthy");
        // Nomad's time for "healthy": its check passed and held for min_healthy_time.
        const dbHealthy = Date.parse(db.DeploymentStatus!.Timestamp);
        const waited = at(app, "wait-for-shynet-db", "Terminated");
        const appStarted = ms(at(app, "web", "Started").Time);
        assert.strictEqual(waited.ExitCode ?? Number(/Exit Code: (\d+)/.exec(waited.DisplayMessage)?.[1]), 0, waited.DisplayMessage);
        assert.ok(ms(waited.Time) <= appStarted, "the app started after the wait");
        assert.ok(
            appStarted >= dbHealthy,
            `the app started ${((dbHealthy - appStarted) / 1000).toFixed(1)} s before the database was healthy (started ${new Date(appStarted).toISOString()}, healthy ${db.DeploymentStatus!.Timestamp})`,
        );
        assert.strictEqual(app.TaskStates.web.Events.filter((x) => x.Type === "Started").length, 1, "the app started once (no crash loop)");
        const checks = await api<Record<string, { Status: string }>>(e.address, "GET", `/v1/allocation/${db.ID}/checks`);
        assert.deepStrictEqual(
            Object.values(checks).map((c) => c.Status),
            ["success"],
        );
        e.timings.shynetDbHealthyAfterDbStartMs = dbHealthy - dbStarted;
        e.timings.shynetAppStartAfterDbHealthyMs = appStarted - dbHealthy;
    });

    it("gitea's SSH answers on 4222 at the tailnet stand-in, and not at the public one", async () => {
        const svc = await service(e.address, "gitea-ssh");
        assert.deepStrictEqual([svc.Address, svc.Port], [e.tailnet, 4222]);
        assert.ok(await tcpConnects(e.tailnet, 4222), "tailnet :4222");
        assert.ok(!(await tcpConnects(e.publicAddress, 4222)), "public :4222 is closed");
    });
});
