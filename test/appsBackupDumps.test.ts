// Databases are backed up as dumps made just before restic runs, not as live files.
import * as assert from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { APPS } from "../apps";
import { renderBackupScript } from "../apps/backup";
import { jobSpecProblems } from "../components/jobSpecProblems";
import { planApps } from "../apps/plan";
import { fixtureConfig, stackConfig, withOverrides } from "./support/estateConfig";

const plan = () => planApps(stackConfig(withOverrides(fixtureConfig("full-digitalocean"), { "hydra:consul": { enabled: false } })).cfg, APPS);
const spec = (id: string) =>
    plan()
        .apps.flatMap((a) => a.jobs)
        .find((j) => j.name === id)!;
const retention = { keepDaily: 7, keepWeekly: 4, keepMonthly: 12, keepYearly: 3 } as Parameters<typeof renderBackupScript>[1];

describe("backup: database dumps", () => {
    it("dumps Postgres with pg_dump instead of copying its data directory", () => {
        const db = spec("shynet-db");
        assert.ok(!db.backupPaths!.some((p) => p.startsWith("/data/shynet/db")), "not the live data directory");
        assert.ok(db.backupPaths!.includes("/data/dumps/shynet-db.sql"), "the dump");
        assert.deepStrictEqual(db.backupDumps, [
            { file: "/data/dumps/shynet-db.sql", task: "db", command: ["pg_dump", "--username=shynet", "--clean", "--if-exists", "shynet"] },
        ]);
    });

    it("dumps each live SQLite database (Gitea, Pi-hole, Grafana) and leaves its files out", () => {
        const dumps = ["gitea", "pihole", "monitoring"].flatMap((id) => spec(id).backupDumps ?? []);
        assert.deepStrictEqual(
            dumps.map((d) => [d.file, d.command.join(" "), d.run?.image ?? "exec", (d.excludes ?? []).join(" ")]),
            [
                ["/data/dumps/gitea.sql", "sqlite3 /data/gitea/gitea.db .dump", "exec", "/data/gitea/gitea/gitea.db*"],
                [
                    "/data/dumps/pihole-gravity.sql",
                    "pihole-FTL sqlite3 -ni /etc/pihole/gravity.db .dump",
                    "exec",
                    "/data/pihole/conf/gravity.db* /data/pihole/conf/pihole-FTL.db*",
                ],
                ["/data/dumps/grafana.sql", "sqlite3 /var/lib/grafana/grafana.db .dump", "keinos/sqlite3:3.47.2", "/data/grafana/grafana.db*"],
            ],
        );
    });

    it("makes every dump before restic runs, and backs the dumps up without the live files", () => {
        const restic = spec("restic");
        const script = restic.tasks[0].files![0].content;
        execFileSync("bash", ["-n"], { input: script });
        const first = script.indexOf("restic init");
        for (const line of [
            "dump_exec '/data/dumps/shynet-db.sql' 'shynet-db' 'db' 'pg_dump' '--username=shynet' '--clean' '--if-exists' 'shynet'",
            "dump_exec '/data/dumps/gitea.sql' 'gitea' 'web' 'sqlite3' '/data/gitea/gitea.db' '.dump'",
            "dump '/data/dumps/grafana.sql' docker run --rm --network none --user 0 -v '/data/grafana:/var/lib/grafana' 'keinos/sqlite3:3.47.2' 'sqlite3'",
        ]) {
            const at = script.indexOf(line);
            assert.ok(at >= 0 && at < first, `${line} is not made before restic runs`);
        }
        assert.match(
            script,
            /restic backup --one-file-system --tag nomad --exclude '\/data\/gitea\/gitea\/gitea\.db\*' --exclude '\/data\/grafana\/grafana\.db\*'/,
        );
        assert.ok(script.includes("'/data/dumps/shynet-db.sql'"), "the dump is among the backed-up paths");
        assert.ok(!script.includes("'/data/shynet/db'"), "the live Postgres directory is not");
    });

    it("refuses a dump in an unknown task, with no command or an unpinned image", () => {
        const problems = jobSpecProblems({
            name: "app",
            tasks: [{ name: "web", image: "traefik/whoami:v1.10.4" }],
            backupDumps: [
                { file: "/data/dumps/a.sql", task: "db", command: ["pg_dump"] },
                { file: "dumps/b.sql", task: "web", command: [], run: { image: "alpine", mounts: [] } },
            ],
        });
        assert.deepStrictEqual(problems, [
            'job "app": dump "/data/dumps/a.sql" runs in "db", which is not a docker task of the job',
            'job "app": dump "dumps/b.sql" is not an absolute path',
            'job "app": dump "dumps/b.sql" has no command',
            'job "app": dump "dumps/b.sql" image "alpine" has no tag, which means "latest"; pin a version tag or a digest',
        ]);
    });

    describe("the rendered script, run with stand-ins for docker and restic", () => {
        let dir: string;
        beforeEach(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "hydra-dumps-"));
            fs.mkdirSync(path.join(dir, "bin"));
            // docker: "ps" finds a container only for job "app"; "exec" prints a dump, or fails for "broken".
            fs.writeFileSync(
                path.join(dir, "bin", "docker"),
                `#!/bin/bash\necho "docker $*" >>"${dir}/calls"\ncase $1 in\nps) [[ "$*" == *job_name=app* ]] && echo c0ffee ;;\nexec) [ "$3" = broken ] && exit 3; echo "dump of $*" ;;\nrun) echo "run dump" ;;\nesac\nexit 0\n`,
                { mode: 0o755 },
            );
            fs.writeFileSync(path.join(dir, "bin", "restic"), `#!/bin/bash\necho "restic $*" >>"${dir}/calls"\n`, { mode: 0o755 });
            fs.mkdirSync(path.join(dir, "data"));
        });
        afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

        const run = (dumps: Parameters<typeof renderBackupScript>[2]) => {
            const script = renderBackupScript([path.join(dir, "data")], { ...retention, metricsDir: path.join(dir, "metrics") }, dumps);
            const r = spawnSync("bash", ["-c", script], { env: { ...process.env, PATH: `${dir}/bin:${process.env.PATH}` }, encoding: "utf8" });
            return { status: r.status, stderr: r.stderr, calls: fs.readFileSync(path.join(dir, "calls"), "utf8") };
        };

        it("writes each dump, then backs it up", () => {
            const file = path.join(dir, "dumps", "app.sql");
            const r = run([{ job: "app", task: "db", file, command: ["pg_dump", "app"], excludes: [`${dir}/data/live*`] }]);
            assert.strictEqual(r.status, 0, r.stderr);
            assert.strictEqual(fs.readFileSync(file, "utf8"), "dump of exec c0ffee pg_dump app\n");
            assert.match(r.calls, new RegExp(`restic backup --one-file-system --tag nomad --exclude ${dir}/data/live\\* ${dir}/data ${file}\\n`));
            assert.strictEqual(fs.readFileSync(path.join(dir, "metrics", "hydra_backup_result.prom"), "utf8"), "hydra_backup_last_run_success 1\n");
            assert.match(
                fs.readFileSync(path.join(dir, "metrics", "hydra_backup_time.prom"), "utf8"),
                /^hydra_backup_last_success_timestamp_seconds \d{10}\n$/,
            );
        });

        it("keeps the previous dump when one fails, backs up anyway, and fails the run", () => {
            const file = path.join(dir, "dumps", "app.sql");
            fs.mkdirSync(path.dirname(file));
            fs.writeFileSync(file, "yesterday\n");
            const r = run([
                { job: "app", task: "db", file, command: ["broken"] },
                { job: "gone", task: "db", file: path.join(dir, "dumps", "gone.sql"), command: ["pg_dump"] },
            ]);
            assert.strictEqual(r.status, 1);
            assert.strictEqual(fs.readFileSync(file, "utf8"), "yesterday\n");
            assert.ok(!fs.existsSync(`${file}.partial`));
            assert.match(r.stderr, /no running container for gone\/db/);
            assert.match(r.calls, /restic backup /);
            assert.strictEqual(fs.readFileSync(path.join(dir, "metrics", "hydra_backup_result.prom"), "utf8"), "hydra_backup_last_run_success 0\n");
        });
    });
});
