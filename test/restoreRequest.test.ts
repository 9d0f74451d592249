// `npm run restore`'s request: which paths and jobs an app's restore touches, and the refusals that
// come before anything is stopped.
import * as assert from "assert";
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
});
