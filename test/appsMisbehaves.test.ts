// Smaller fixes to apps against their upstream images (sources cited in the app files).
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { APPS } from "../apps";
import { makeContext } from "../apps/context";
import { buildJob } from "../components/buildJob";
import { jobSpecProblems } from "../components/jobSpecProblems";
import { Job, Task } from "../nomad";
import { fixtureConfig, stackConfig, withOverrides } from "./support/estateConfig";

function appJob(app: string, id = app, patch: Record<string, unknown> = {}): Job {
    const cfg = stackConfig(withOverrides(fixtureConfig("full-digitalocean"), { "hydra:consul": { enabled: false }, ...patch })).cfg;
    const def = APPS.find((a) => a.name === app)!;
    const spec = def
        .jobs(makeContext(cfg, def, { backupPaths: ["/data/gitea"], backupDumps: [], scrapeTargets: [], serviceJobs: [] }))
        .find((s) => s.name === id)!;
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

    it("monitoring: Grafana and Prometheus run as their images' users, on host paths handed to them first", () => {
        const j = appJob("monitoring");
        assert.strictEqual(task(j, "grafana").User, undefined, "grafana runs as the image's 472");
        assert.strictEqual(task(j, "prometheus").User, undefined, "prometheus runs as the image's nobody");
        assert.ok(!(task(j, "prometheus").Config!.args as string[]).includes("--web.enable-lifecycle"), "no HTTP reload/quit API");
        const own = task(j, "own-data");
        assert.deepStrictEqual(own.Lifecycle, { Hook: "prestart", Sidecar: false });
        assert.deepStrictEqual((own.Config!.args as string[]).slice(3), ["/data/grafana", "472:0", "/data/prometheus/data", "65534:65534"]);
        assert.deepStrictEqual((task(appJob("syncthing"), "own-data").Config!.args as string[]).slice(3), ["/data/syncthing", "1000:1000"]);
    });

    it("own-data: makes each path and chowns it only when its top is not already the owner's", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hydra-own-"));
        try {
            const own = task(appJob("syncthing"), "own-data");
            const [flag, script, name] = own.Config!.args as string[];
            const me = `${process.getuid!()}:${process.getgid!()}`;
            const target = path.join(dir, "a", "b");
            // Under a fake chown and id (always root), the call says what would be chowned.
            fs.mkdirSync(path.join(dir, "bin"));
            fs.writeFileSync(path.join(dir, "bin", "id"), "#!/bin/sh\necho 0\n", { mode: 0o755 });
            fs.writeFileSync(path.join(dir, "bin", "chown"), `#!/bin/sh\necho "chown $*" >>"${dir}/calls"\n`, { mode: 0o755 });
            const env = { ...process.env, PATH: `${dir}/bin:${process.env.PATH}` };
            execFileSync("/bin/sh", [flag, script, name, target, me, path.join(dir, "c"), "4242:4242"], { env });
            assert.ok(fs.statSync(target).isDirectory());
            assert.strictEqual(fs.readFileSync(path.join(dir, "calls"), "utf8"), `chown -R 4242:4242 ${path.join(dir, "c")}\n`);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("own-data: an owner must be numeric", () => {
        const problems = jobSpecProblems({
            name: "app",
            tasks: [{ name: "web", image: "traefik/whoami:v1.10.4", mounts: [{ source: "/d", target: "/d", owner: "grafana" }] }],
        });
        assert.deepStrictEqual(problems, ['job "app": task "web" mount "/d" owner must be numeric "uid:gid"']);
    });

    it("pihole: the web password comes from a secret, through the job's variable, with more memory", () => {
        const app = task(appJob("pihole"), "app");
        const env = app.Templates!.find((t) => t.DestPath === "secrets/app.env")!;
        assert.match(env.EmbeddedTmpl!, /^FTLCONF_webserver_api_password=\{\{ \.web_password\.Value \| toJSON \}\}$/m);
        assert.strictEqual(app.Resources!.MemoryMB, 512);
        const declared = APPS.find((a) => a.name === "pihole")!.secrets!.find((s) => s.key === "piholeWebPassword");
        assert.deepStrictEqual(declared?.generate, { length: 32 });
    });

    it("shynet-db: a supported Postgres major, in a data directory of its own (13's does not open in 17)", () => {
        const db = task(appJob("shynet", "shynet-db"), "db");
        const major = Number(/^postgres:(\d+)\./.exec(db.Config!.image as string)![1]);
        assert.ok(major >= 14, `postgres ${major} is past end of life`);
        const mounts = db.Config!.mount as { source: string; target: string }[];
        assert.deepStrictEqual(mounts, [{ type: "bind", source: `/data/shynet/db${major}`, target: "/var/lib/postgresql/data", readonly: false }]);
    });

    const script = (j: Job) => task(j, "backup").Templates!.find((t) => t.DestPath.endsWith(".sh"))!.EmbeddedTmpl!;

    it("restic: forgets nightly and prunes weekly, before the check", () => {
        const nightly = script(appJob("backup", "restic"));
        assert.match(nightly, /^restic forget --tag nomad/m);
        assert.doesNotMatch(nightly, /restic prune/);
        const weekly = script(appJob("backup", "restic-check"));
        assert.match(weekly, /^restic unlock\nrestic prune\nrestic check\n/m);
    });

    it("restic: an s3: repository (Backblaze B2's S3-compatible API, restic's advice) gets its keys through the job's variable", () => {
        const s3 = {
            "hydra:resticRepository": { secure: "s3:https://s3.us-west-004.backblazeb2.com/bucket/hydra" },
            "hydra:b2AccountId": undefined,
            "hydra:b2AccountKey": undefined,
            "hydra:s3AccessKeyId": { secure: "SENTINEL-s3-id" },
            "hydra:s3SecretAccessKey": { secure: "SENTINEL-s3-key" },
        };
        const env = task(appJob("backup", "restic", s3), "backup").Templates!.find((t) => t.DestPath === "secrets/app.env")!.EmbeddedTmpl!;
        assert.match(env, /^AWS_ACCESS_KEY_ID=\{\{ \.s3_access_key_id\.Value \| toJSON \}\}$/m);
        assert.match(env, /^AWS_SECRET_ACCESS_KEY=\{\{ \.s3_secret_access_key\.Value \| toJSON \}\}$/m);
        assert.doesNotMatch(env, /B2_ACCOUNT/);
        const repo = APPS.find((a) => a.name === "backup")!.secrets!.find((s) => s.key === "resticRepository")!;
        assert.match(repo.example!, /^s3:https:\/\/s3\.[a-z0-9-]+\.backblazeb2\.com\//);
    });

    it("restic: an s3: repository without its keys is refused before anything is deployed", () => {
        const raw = withOverrides(fixtureConfig("full-digitalocean"), {
            "hydra:resticRepository": { secure: "s3:https://s3.us-west-004.backblazeb2.com/bucket/hydra" },
        });
        assert.throws(() => stackConfig(raw), /s3AccessKeyId: is required for an s3: repository[\s\S]*s3SecretAccessKey: is required for an s3: repository/);
    });
});
