// Secrets the data depends on are copied next to the data, so a backup restores both.
import * as assert from "assert";
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { APPS } from "../apps";
import { makeContext } from "../apps/context";
import { buildJob } from "../components/buildJob";
import { jobSpecProblems } from "../components/jobSpecProblems";
import { Job } from "../nomad";
import { fixtureConfig, stackConfig, withOverrides } from "./support/estateConfig";

const env = { datacenter: "hydra", namespace: "default", region: "global", serviceProvider: "nomad" as const };
function appJob(app: string, id: string): Job {
    const cfg = stackConfig(withOverrides(fixtureConfig("full-digitalocean"), { "hydra:consul": { enabled: false } })).cfg;
    const def = APPS.find((a) => a.name === app)!;
    const spec = def.jobs(makeContext(cfg, def, { backupPaths: [], backupDumps: [], scrapeTargets: [], serviceJobs: [] })).find((s) => s.name === id)!;
    assert.deepStrictEqual(jobSpecProblems(spec), []);
    return buildJob(spec, env);
}

describe("secrets kept with the data", () => {
    for (const [app, id, line, file] of [
        ["gitea", "gitea", "giteaSecretKey={{ .secret_key.Value | toJSON }}", "/data/secrets/gitea.env"],
        ["monitoring", "monitoring", "grafanaAdminPassword={{ .grafana_admin_password.Value | toJSON }}", "/data/secrets/monitoring.env"],
        ["shynet", "shynet-db", "shynetDbPassword={{ .db_password.Value | toJSON }}", "/data/secrets/shynet-db.env"],
    ]) {
        it(`${id}: copies ${line.split("=")[0]} to ${file} before the app starts, and backs it up`, () => {
            const j = appJob(app, id);
            const keep = j.TaskGroups[0].Tasks.find((t) => t.Name === "keep-secrets")!;
            assert.ok(keep, "a keep-secrets task");
            assert.deepStrictEqual(keep.Lifecycle, { Hook: "prestart", Sidecar: false });
            assert.strictEqual(keep.Driver, "raw_exec");
            assert.strictEqual(keep.Templates![0].EmbeddedTmpl, `{{ with nomadVar "nomad/jobs/${id}" }}\n${line}\n{{ end }}\n`);
            assert.strictEqual(keep.Templates![0].DestPath, "secrets/kept.env");
            assert.strictEqual(keep.Templates![0].Perms, "0600");
            assert.deepStrictEqual((keep.Config!.args as string[]).slice(2), ["${NOMAD_SECRETS_DIR}/kept.env", file]);
            assert.ok(j.Meta!["hydra.backup-paths"].split(",").includes(file), "the backup saves it");
        });
    }

    it("the copy command makes the directory and a root-only file", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hydra-keep-"));
        try {
            fs.writeFileSync(path.join(dir, "kept.env"), 'giteaSecretKey="k"\n');
            const task = appJob("gitea", "gitea").TaskGroups[0].Tasks.find((t) => t.Name === "keep-secrets")!;
            const script = (task.Config!.args as string[])[1];
            const dest = path.join(dir, "data", "secrets", "gitea.env");
            execFileSync(task.Config!.command as string, ["-c", script, path.join(dir, "kept.env"), dest]);
            assert.strictEqual(fs.readFileSync(dest, "utf8"), 'giteaSecretKey="k"\n');
            assert.strictEqual(fs.statSync(dest).mode & 0o777, 0o600);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("refuses an undeclared item or a file the backup does not save", () => {
        assert.deepStrictEqual(
            jobSpecProblems({
                name: "app",
                tasks: [{ name: "web", image: "traefik/whoami:v1.10.4" }],
                secrets: {},
                backupPaths: ["/data/app"],
                keepSecrets: { items: ["key"], file: "/data/secrets/app.env" },
            }),
            [
                'job "app": keeps undeclared secret "key" with its data',
                'job "app": kept secrets file "/data/secrets/app.env" is not under one of the job\'s backup paths',
            ],
        );
    });
});
