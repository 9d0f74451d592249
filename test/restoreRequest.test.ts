// `npm run restore`'s request: which paths and jobs an app's restore touches, and the refusals that
// come before anything is stopped.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { RestoreError } from "../ops/restore";
import { restoreRequest } from "../ops/restoreRequest";

const ROOT = path.resolve(__dirname, "..");

describe("npm run restore: the request", () => {
    it("names an app's backed-up paths and its jobs", () => {
        const r = restoreRequest(ROOT, "hydra", "gitea", "latest");
        assert.deepStrictEqual(r.paths, ["/data/gitea", "/data/secrets/gitea.env"]);
        assert.deepStrictEqual(r.jobs, ["gitea"]);
        assert.strictEqual(r.snapshot, "latest");
    });

    for (const [app, reason] of [
        ["doggo", /^doggo has no backup paths; apps with backups: .*gitea.*; nothing was changed$/],
        ["nextcloud", /^nextcloud is not an enabled app of stack hydra; apps with backups: .*gitea.*; nothing was changed$/],
        [undefined, /^name an app; apps with backups: /],
    ] as const) {
        it(`refuses ${app ?? "no app"} with the apps that have backups`, () => {
            assert.throws(
                () => restoreRequest(ROOT, "hydra", app, "latest"),
                (e: Error) => e instanceof RestoreError && reason.test(e.message),
            );
        });
    }

    describe("with more than one node (the README's droplet and Pi, Syncthing on the Pi)", () => {
        let dir = "";
        before(() => {
            dir = fs.mkdtempSync(path.join(os.tmpdir(), "hydra-restore-request-"));
            fs.copyFileSync(path.join(ROOT, "test", "fixtures", "config", "good", "cluster-droplet-and-pi.yaml"), path.join(dir, "Pulumi.cluster.yaml"));
        });
        after(() => fs.rmSync(dir, { recursive: true, force: true }));

        it("dispatches the restore job of the node that holds the app's data", () => {
            const r = restoreRequest(dir, "cluster", "syncthing", "latest");
            assert.deepStrictEqual([r.node, r.restoreJob], ["pi", "restic-restore-pi"]);
            assert.ok(
                r.paths.every((p) => p.startsWith("/srv/hydra/")),
                r.paths.join(", "),
            );
        });

        it("dispatches the primary's for an app without a node of its own", () => {
            const r = restoreRequest(dir, "cluster", "gitea", "latest");
            assert.deepStrictEqual([r.node, r.restoreJob], ["floyd", "restic-restore-floyd"]);
        });
    });

    it("dispatches the one restore job with one node", () => {
        const r = restoreRequest(ROOT, "hydra", "gitea", "latest");
        assert.deepStrictEqual([r.node, r.restoreJob], [undefined, "restic-restore"]);
    });
});
