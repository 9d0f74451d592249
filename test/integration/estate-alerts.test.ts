// The estate's day two, in the dev estate: the real Prometheus (Debian's build) loads the rendered
// rules and scrapes Nomad, and an app's job stopped by hand makes JobNotRunning fire for it; the
// restore drill passes after a backup, and fails, with its metric, when the canary or the
// repository is tampered with.
import * as assert from "assert";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { BACKUP_JOBS } from "../../apps/backup";
import { api, DevEstate, newEstateDir, service, startDevEstate, stopDevEstate } from "./devEstate";
import { forcePeriodic, taskLog } from "./periodicRun";
import { alerts, prom, PromAlert, query, until } from "./prometheusApi";

/** Shortened for this estate only (hydra:alerts.downFor; the default is 5m), so that a test waits seconds, not minutes. */
const DOWN_FOR = "30s";
const APP_JOB = "doggo";

describe("integration: the dev estate's alerts (real Prometheus) and restore drill", function () {
    this.timeout(600_000);
    const dir = newEstateDir("day-two");
    let e: DevEstate;
    let base = "";
    const notRunning = (list: PromAlert[]) => list.filter((a) => a.labels.alertname === "JobNotRunning");

    before(async () => {
        e = await startDevEstate(dir);
        e.prepare({ "hydra:alerts": { downFor: DOWN_FOR } });
        e.up();
        const svc = await service(e.address, "prometheus");
        base = `http://${svc.Address}:${svc.Port}`;
    });

    after(async () => {
        await stopDevEstate(dir);
        console.log(`      timings (ms): ${JSON.stringify({ ...e?.timings, file: e ? Date.now() - e.startedAt : undefined })}`);
    });

    it("runs Debian's Prometheus with the rendered rules, scraping Nomad's metrics, and no job is reported down", async () => {
        const build = await prom<{ version: string }>(base, "/api/v1/status/buildinfo");
        assert.match(build.version, /^2\.\d+\.\d+/, "Debian's build, not a stand-in");
        type Rule = { name: string; duration: number; labels?: Record<string, string> };
        const groups = (await prom<{ groups: { name: string; rules: Rule[] }[] }>(base, "/api/v1/rules")).groups;
        const rule = groups.flatMap((g) => g.rules).find((r) => r.name === "JobNotRunning" && r.labels?.nomad_job === APP_JOB);
        assert.ok(rule, `JobNotRunning for ${APP_JOB} is loaded: ${groups.map((g) => g.name).join(", ")}`);
        assert.strictEqual(rule.duration, 30, "alerts.downFor reached the rule");
        const t0 = Date.now();
        await until(`Nomad's job summary for ${APP_JOB} in Prometheus`, 120_000, async () => {
            const [s] = await query(base, `nomad_nomad_job_summary_running{exported_job="${APP_JOB}"}`);
            return s && Number(s.value[1]) >= 1 ? s : undefined;
        });
        // Until the first scrape of Nomad, `or vector(0)` makes every job look down: wait until that has passed.
        await until("no JobNotRunning alert", 120_000, async () => (notRunning(await alerts(base)).length === 0 ? true : undefined));
        e.timings.firstScrape = Date.now() - t0;
    });

    it(`stopping ${APP_JOB}'s job makes JobNotRunning fire for it (pending, then firing after alerts.downFor), and for no other job`, async () => {
        const registered = await api<Record<string, unknown>>(e.address, "GET", `/v1/job/${APP_JOB}`);
        const t0 = Date.now();
        await api(e.address, "DELETE", `/v1/job/${APP_JOB}`);
        const mine = (list: PromAlert[]) => notRunning(list).find((a) => a.labels.nomad_job === APP_JOB);
        await until(`JobNotRunning for ${APP_JOB} pending`, 180_000, async () => mine(await alerts(base)));
        const pendingMs = Date.now() - t0;
        const firing = await until(`JobNotRunning for ${APP_JOB} firing`, 180_000, async () => {
            const a = mine(await alerts(base));
            return a?.state === "firing" ? a : undefined;
        });
        const firingMs = Date.now() - t0;
        e.timings.alertPending = pendingMs;
        e.timings.alertFiring = firingMs;
        assert.strictEqual(firing.labels.severity, "critical");
        assert.deepStrictEqual(
            notRunning(await alerts(base)).map((a) => a.labels.nomad_job),
            [APP_JOB],
            "only the stopped job",
        );
        assert.ok(firingMs - pendingMs >= 25_000, `firing ${firingMs - pendingMs} ms after pending: the rule's for: held it`);

        // Registered again as it was, the job runs and the alert goes away.
        await api(e.address, "POST", "/v1/jobs", { Job: { ...registered, Stop: false } });
        const t1 = Date.now();
        await until(`JobNotRunning for ${APP_JOB} resolved`, 180_000, async () => (mine(await alerts(base)) ? undefined : true));
        e.timings.alertResolved = Date.now() - t1;
    });

    const metricsFile = () => path.join(path.dirname(e.dataDir), "metrics", "hydra_restore_drill.prom");
    const canary = () => path.join(e.dataDir, ".hydra-canary");

    it("after a backup, the restore drill's allocation completes and its metric says 1", async () => {
        const backup = await forcePeriodic(e.address, BACKUP_JOBS.backup);
        assert.strictEqual(backup.status, "complete", await taskLog(e.address, backup.allocId, "backup", "stderr"));
        assert.ok(fs.existsSync(canary()), "the backup wrote its canary");
        const drill = await forcePeriodic(e.address, BACKUP_JOBS.drill);
        e.timings.drill = drill.ms;
        const out = await taskLog(e.address, drill.allocId, "backup", "stdout");
        assert.strictEqual(drill.status, "complete", `${out}\n${await taskLog(e.address, drill.allocId, "backup", "stderr")}`);
        assert.match(out, /drill: snapshot \w+ \(0 h old\) restored the canary and \d+ unchanged files, byte for byte/);
        assert.strictEqual(fs.readFileSync(metricsFile(), "utf8"), "hydra_restore_drill_success 1\n");
    });

    /** A drill that must fail: its first allocation fails (after the job's restarts), the metric is 0, and stderr says why. */
    async function failingDrill(why: RegExp): Promise<void> {
        const drill = await forcePeriodic(e.address, BACKUP_JOBS.drill, 420_000);
        const err = await taskLog(e.address, drill.allocId, "backup", "stderr");
        assert.strictEqual(drill.status, "failed", err);
        assert.match(err, why);
        assert.strictEqual(fs.readFileSync(metricsFile(), "utf8"), "hydra_restore_drill_success 0\n");
        const alloc = await api<{ TaskStates: Record<string, { Restarts: number; Failed: boolean }> }>(e.address, "GET", `/v1/allocation/${drill.allocId}`);
        assert.ok(alloc.TaskStates.backup.Failed, "Nomad marks the task failed");
        e.timings[`drillFailed${alloc.TaskStates.backup.Restarts}Restarts`] = drill.ms;
    }

    it("a canary changed after the backup fails the drill: allocation failed, metric 0, the reason in its log", async () => {
        fs.writeFileSync(canary(), "not what the backup saved\n");
        await failingDrill(/drill FAILED: the canary in snapshot \w+ differs from the one the last backup wrote/);
    });

    it("a damaged repository fails the drill the same way", async () => {
        const backup = await forcePeriodic(e.address, BACKUP_JOBS.backup);
        assert.strictEqual(backup.status, "complete", await taskLog(e.address, backup.allocId, "backup", "stderr"));
        // Every pack file overwritten with random bytes of its size: no blob decrypts. (Flipping 64 bytes in the
        // middle of each pack was not enough here: the drill's sample missed the damaged blobs, and the trees
        // came from restic's local cache.)
        const packs: string[] = [];
        const walk = (d: string) => {
            for (const f of fs.readdirSync(d, { withFileTypes: true })) {
                const p = path.join(d, f.name);
                if (f.isDirectory()) {
                    walk(p);
                } else {
                    packs.push(p);
                }
            }
        };
        walk(path.join(e.resticRepo, "data"));
        assert.ok(packs.length > 0, "the repository has packs");
        for (const p of packs) {
            fs.chmodSync(p, 0o600);
            fs.writeFileSync(p, crypto.randomBytes(fs.statSync(p).size));
        }
        await failingDrill(/drill FAILED: /);
    });
});
