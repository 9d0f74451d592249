// The dev estate held to what the real images demand: each stand-in carries its image's
// profile (dev/standinProfiles.ts: user, folders written, required env, Django's Host check)
// and Shynet's database is the real PostgreSQL. The estate passes; copies of its jobs with one
// deliberate fault each (a root-owned data folder, a missing variable, a check without Host)
// fail as the real apps would. And a row written to Postgres comes back from the nightly
// dump, restored into a fresh database task.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { dockerCli } from "../../dev/docker";
import { STANDIN_PROFILES } from "../../dev/standinProfiles";
import { debianTool } from "../support/tools";
import { Control, controlAlloc, controlJob, registerControl, removeControl, taskOutput } from "./controlJob";
import { api, DevEstate, forceBackup, newEstateDir, startDevEstate, stopDevEstate } from "./devEstate";

/** The profiled stand-ins of the estate: job/task → image repository and the user its profile checks as. */
const PROFILED: Record<string, { repository: string; checkedAs: string }> = {
    "gitea/web": { repository: "gitea/gitea", checkedAs: "1000:1000 (dropped from root" },
    "pihole/app": { repository: "pihole/pihole", checkedAs: "1000:1000 (dropped from root" },
    "shynet-app/web": { repository: "milesmcc/shynet", checkedAs: "500:500" },
    "monitoring/grafana": { repository: "grafana/grafana", checkedAs: "472:0" },
    // The job runs it as 1000:1000 through its own start script.
    "syncthing/web": { repository: "syncthing/syncthing", checkedAs: "1000:1000" },
    "doggo/web": { repository: "ghcr.io/mr-karan/doggo-api", checkedAs: "0:0" },
};

type Check = { Status: string; StatusCode?: number; Output?: string };

describe("integration: the dev estate against the real images' demands (stand-in profiles, a real PostgreSQL)", function () {
    this.timeout(600_000);
    const dir = newEstateDir("upstream");
    let e: DevEstate;
    const controls: Control[] = [];
    const container = (job: string, task: string) =>
        e.t
            .docker(["ps", "--quiet", "--filter", `label=com.hashicorp.nomad.job_name=${job}`, "--filter", `label=com.hashicorp.nomad.task_name=${task}`])
            .trim()
            .split("\n")[0];
    const control = async (...args: Parameters<typeof controlJob> extends [unknown, ...infer R] ? R : never) => {
        const c = await controlJob(e, ...args);
        controls.push(c);
        await registerControl(e, c);
        return c;
    };
    const failed = (task: string) => (a: { ClientStatus: string; TaskStates?: Record<string, { State: string; Failed: boolean }> }) =>
        a.ClientStatus === "failed" || (a.TaskStates?.[task]?.State === "dead" && a.TaskStates[task].Failed);

    /**
     * A new data folder as the node's bootstrap makes one for a mount without an owner
     * (components/dataFolders.ts: root, 0755); Docker's bind mounts never make a missing source.
     */
    const rootFolder = (name: string) => {
        const p = path.join(e.dataDir, "controls", name);
        fs.mkdirSync(p, { recursive: true, mode: 0o755 });
        fs.chownSync(p, 0, 0);
        return p;
    };

    before(async () => {
        e = await startDevEstate(dir);
        e.up();
    });

    afterEach(async () => {
        for (const c of controls.splice(0)) {
            await removeControl(e, c);
        }
    });

    after(async () => {
        await stopDevEstate(dir);
        console.log(`      timings (ms): ${JSON.stringify({ ...e?.timings, file: e ? Date.now() - e.startedAt : undefined })}`);
    });

    it("every profiled stand-in checked its image's demands as its image's user, and up saw every app healthy", () => {
        assert.deepStrictEqual(
            Object.values(PROFILED)
                .map((p) => p.repository)
                .sort(),
            STANDIN_PROFILES.map((p) => p.repository).sort(),
            "each profile is exercised by the estate",
        );
        for (const [name, p] of Object.entries(PROFILED)) {
            const [job, task] = name.split("/");
            const id = container(job, task);
            assert.ok(id, `${name} runs`);
            const logs = dockerCli(e.t.daemon.endpoint, ["logs", id]);
            assert.ok(logs.stderr.includes(`hydra stand-in for ${p.repository}: checked as ${p.checkedAs}`), `${name}:\n${logs.stdout}${logs.stderr}`);
        }
        // The data folders as the real apps need them: handed over by the job (owner) or by the image's entrypoint.
        const owner = (p: string) => {
            const st = fs.statSync(path.join(e.dataDir, p));
            return `${st.uid}:${st.gid}`;
        };
        assert.strictEqual(owner("grafana"), "472:0");
        assert.strictEqual(owner("prometheus/data"), "65534:65534", "the real Prometheus writes its storage as nobody");
        assert.strictEqual(owner("syncthing"), "1000:1000");
        assert.strictEqual(owner("gitea/gitea"), "1000:1000", "Gitea's entrypoint hands /data/gitea over");
        assert.strictEqual(owner("shynet/db17").split(":")[0], "999", "Postgres's entrypoint hands its data folder to postgres");
    });

    it("Shynet's database is the real PostgreSQL 17, initialised by the official image's entrypoint contract", () => {
        const db = container("shynet-db", "db");
        const version = e.t.docker(["exec", db, "psql", "--username=shynet", "--dbname=shynet", "--tuples-only", "--command=SHOW server_version"]).trim();
        assert.match(version, /^17\.\d+/);
        assert.strictEqual(fs.readFileSync(path.join(e.dataDir, "shynet/db17/PG_VERSION"), "utf8").trim(), "17");
    });

    it("control: a Grafana whose data folder nobody handed over (no owner on the mount) fails as Grafana does", async () => {
        const fresh = rootFolder("grafana");
        const c = await control("monitoring", "grafana-control", "grafana", (_job, task) => {
            const mounts = task.Config!.mount as { source: string; target: string }[];
            mounts.find((m) => m.target === "/var/lib/grafana")!.source = fresh;
        });
        const a = await controlAlloc(e, c, failed("grafana"));
        const out = await taskOutput(e, a.ID, "grafana");
        assert.match(out, /GF_PATHS_DATA='\/var\/lib\/grafana' is not writable\./, out);
        assert.match(out, /not writable by 472:0 \(owner 0:0\)/, out);
    });

    it("control: a Shynet without its database's address (DB_HOST) fails; a Postgres on an empty folder without POSTGRES_PASSWORD fails with the official image's error", async () => {
        const app = await control("shynet-app", "shynet-app-control", "web", (_job, task) => {
            task.Templates = (task.Templates ?? []).filter((t) => !t.EmbeddedTmpl?.includes("DB_HOST"));
        });
        const db = await control("shynet-db", "shynet-db-control", "db", (_job, task) => {
            task.Templates = (task.Templates ?? []).filter((t) => !t.EmbeddedTmpl?.includes("POSTGRES_PASSWORD"));
            (task.Config!.mount as { source: string }[])[0].source = rootFolder("db-no-password");
        });
        const appOut = await taskOutput(e, (await controlAlloc(e, app, failed("web"))).ID, "web");
        assert.match(appOut, /Shynet cannot connect to its database: DB_HOST is not set/, appOut);
        const dbOut = await taskOutput(e, (await controlAlloc(e, db, failed("db"))).ID, "db");
        assert.match(dbOut, /Error: Database is uninitialized and superuser password is not specified\./, dbOut);
    });

    it("control: Shynet's check without its Host header fails with Django's 400, while the estate's, with it, passes", async () => {
        const c = await control("shynet-app", "shynet-hostless-control", "web", (job) => {
            for (const s of job.TaskGroups![0].Services ?? []) {
                for (const check of s.Checks ?? []) {
                    delete check.Header;
                    check.Interval = 2e9;
                }
            }
        });
        const checks = async (allocId: string) => Object.values(await api<Record<string, Check>>(e.address, "GET", `/v1/allocation/${allocId}/checks`));
        const deadline = Date.now() + 90_000;
        let seen: Check[] = [];
        while (Date.now() < deadline && !seen.some((x) => x.Status === "failure")) {
            await new Promise((r) => setTimeout(r, 2000));
            const [stub] = await api<{ ID: string }[]>(e.address, "GET", `/v1/job/${c.id}/allocations`);
            seen = stub ? await checks(stub.ID) : [];
        }
        assert.deepStrictEqual(
            seen.map((x) => [x.Status, x.StatusCode]),
            [["failure", 400]],
            JSON.stringify(seen),
        );
        const [estate] = await api<{ ID: string }[]>(e.address, "GET", "/v1/job/shynet-app/allocations");
        assert.deepStrictEqual(
            (await checks(estate.ID)).map((x) => [x.Status, x.StatusCode]),
            [["success", 200]],
        );
    });

    it("a row written to Shynet's Postgres comes back from the nightly dump, restored into a fresh database task", async () => {
        const value = crypto.randomBytes(12).toString("hex");
        const psql = (id: string, sql: string) =>
            e.t
                .docker([
                    "exec",
                    id,
                    "psql",
                    "-v",
                    "ON_ERROR_STOP=1",
                    "--username=shynet",
                    "--dbname=shynet",
                    "--tuples-only",
                    "--no-align",
                    `--command=${sql}`,
                ])
                .trim();
        psql(container("shynet-db", "db"), `CREATE TABLE hydra_canary (value text); INSERT INTO hydra_canary VALUES ('${value}')`);

        const status = await forceBackup(e);
        assert.strictEqual(status, "complete", `the backup run ended as ${status || "nothing"}`);
        // The dump as the repository holds it, not the file on this disk.
        const dumpFile = path.join(e.dataDir, "dumps", "shynet-db.sql");
        const target = path.join(e.dir, "restore-db");
        const env = { ...process.env, RESTIC_REPOSITORY: e.resticRepo, RESTIC_PASSWORD: e.secrets["hydra:resticPassword"] };
        const r = spawnSync(debianTool("restic"), ["restore", "latest", "--target", target, "--include", dumpFile], { env, encoding: "utf8" });
        assert.strictEqual(r.status, 0, r.stderr);
        const dump = fs.readFileSync(path.join(target, dumpFile), "utf8");
        assert.match(dump, /PostgreSQL database dump/);
        assert.ok(dump.includes(value), "the dump holds the row");

        // A fresh database task: the production job's copy on an empty data folder, with the same password.
        const fresh = rootFolder("db-restore");
        const c = await control("shynet-db", "shynet-db-restore", "db", (_job, task) => {
            (task.Config!.mount as { source: string }[])[0].source = fresh;
        });
        await controlAlloc(e, c, (a) => a.TaskStates?.db?.State === "running");
        const id = e.t.docker(["ps", "--quiet", "--filter", "label=com.hashicorp.nomad.job_name=shynet-db-restore"]).trim().split("\n")[0];
        for (let i = 0; i < 60 && dockerCli(e.t.daemon.endpoint, ["exec", id, "pg_isready", "--username=shynet"]).status !== 0; i++) {
            await new Promise((res) => setTimeout(res, 1000));
        }
        assert.throws(() => psql(id, "SELECT value FROM hydra_canary"), /does not exist/, "a fresh database has no canary");
        const restore = dockerCli(e.t.daemon.endpoint, ["exec", "-i", id, "psql", "-v", "ON_ERROR_STOP=1", "--username=shynet", "--dbname=shynet", "--quiet"], {
            input: dump,
        });
        assert.strictEqual(restore.status, 0, restore.stderr);
        assert.strictEqual(psql(id, "SELECT value FROM hydra_canary"), value);
    });
});
