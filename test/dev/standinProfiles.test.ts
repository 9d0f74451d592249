// The stand-in profiles without a daemon: every image the stacks render is covered, the
// profile renders to what the stand-in's profile.sh reads, and profile.sh (run by busybox, as
// in the image) refuses a missing variable, an unwritable folder and a foreign Host.
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { isRealPostgres, jobImages } from "../../dev/devImages";
import { imageRepository, profiledDockerfile, profileFor, renderProfile, STANDIN_PROFILES } from "../../dev/standinProfiles";
import { Job } from "../../nomad";

const ROOT = path.resolve(__dirname, "..", "..");
const PROFILE_SH = path.join(ROOT, "dev", "images", "standin", "profile.sh");
/** Images with no profile, and why. */
const UNPROFILED: Record<string, string> = {
    // The backup runs it as root (docker run --user 0) for one dump, never as a task.
    "keinos/sqlite3": "dump only",
};

/** Runs `script` in busybox's sh after sourcing profile.sh with `profile`. */
function inProfile(profile: string, script: string, env: Record<string, string> = {}) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hydra-profile-"));
    try {
        fs.writeFileSync(path.join(dir, "profile"), profile);
        const r = spawnSync("busybox", ["sh", "-c", `. ${PROFILE_SH}; ${script}`], {
            env: { PATH: process.env.PATH, HYDRA_PROFILE_FILE: path.join(dir, "profile"), ...env },
            encoding: "utf8",
        });
        return { status: r.status, out: `${r.stdout}${r.stderr}`, dir };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

describe("dev estate: the stand-ins' profiles of the real images", () => {
    it("covers every app image of the rendered stack; PostgreSQL 17, Prometheus and the proxy are real", () => {
        // The render snapshot is the rendered stack (test/artifacts.test.ts holds them equal).
        const jobsDir = path.join(ROOT, "test", "snapshots", "render-hydra", "jobs");
        const jobs = fs.readdirSync(jobsDir).map((f) => (JSON.parse(fs.readFileSync(path.join(jobsDir, f), "utf8")) as { Job: Job }).Job);
        const images = new Set([...jobImages(jobs), "keinos/sqlite3:3.47.2"]);
        assert.ok(images.size >= 9, [...images].join(", "));
        const uncovered = [...images].filter((i) => !isRealPostgres(i) && !/caddy|prometheus/.test(i) && !profileFor(i) && !(imageRepository(i) in UNPROFILED));
        assert.deepStrictEqual(uncovered, []);
        assert.ok([...images].some(isRealPostgres), "Shynet's database is the real PostgreSQL");
        assert.deepStrictEqual(
            ["postgres:17.6", "postgres:17", "docker.io/library/postgres:17.6-trixie", "postgres:16.4", "postgres:latest", "bitnami/postgresql:17"].map(
                isRealPostgres,
            ),
            [true, true, true, false, false, false],
        );
    });

    it("names its upstream source and a numeric user; drops only from root", () => {
        for (const p of STANDIN_PROFILES) {
            assert.match(p.source, /^[\w.-]+\/[\w.-]+: /, p.repository);
            assert.match(p.user, /^\d+:\d+$/, p.repository);
            if (p.dropsTo) {
                assert.strictEqual(p.user, "0:0", `${p.repository}: only a root entrypoint drops to another user`);
            }
        }
        assert.strictEqual(imageRepository("ghcr.io/mr-karan/doggo-api:v0.3.7"), "ghcr.io/mr-karan/doggo-api");
        assert.strictEqual(imageRepository("localhost:5000/x@sha256:ab"), "localhost:5000/x");
    });

    it("builds on the stand-in with the profile file, the image's own env in one step and its user", () => {
        const grafana = profileFor("grafana/grafana:12.1.1")!;
        const text = profiledDockerfile("hydra-dev/standin:dev", "sha256:abc", grafana);
        assert.match(text, /^FROM hydra-dev\/standin:dev$/m);
        assert.match(text, /^COPY profile \/hydra\/profile$/m);
        assert.strictEqual(text.match(/^ENV /gm)?.length, 1);
        assert.match(text, /GF_PATHS_DATA="\/var\/lib\/grafana"/);
        assert.match(text, /^USER 472:0$/m);
        assert.match(text, /sha256:abc/, "a new stand-in means a new build");
    });

    it("profile.sh: a missing required variable fails with the app's reason; set, it passes", () => {
        const shynet = renderProfile(profileFor("milesmcc/shynet:v0.13.1")!);
        const missing = inProfile(shynet, "profile_check", { DB_NAME: "shynet", DB_USER: "shynet", DB_PASSWORD: "x" });
        assert.strictEqual(missing.status, 1, missing.out);
        assert.match(missing.out, /hydra stand-in for milesmcc\/shynet: Shynet cannot connect to its database: DB_HOST is not set/);
        assert.doesNotMatch(missing.out, /DB_NAME/);
        const set = inProfile(shynet, "profile_check", { DB_NAME: "shynet", DB_USER: "shynet", DB_PASSWORD: "x", DB_HOST: "10.0.0.1" });
        assert.strictEqual(set.status, 0, set.out);
    });

    it("profile.sh: a folder the app cannot make or write fails with the app's own message (Grafana's run.sh)", () => {
        const grafana = renderProfile(profileFor("grafana/grafana:12.1.1")!);
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hydra-profile-data-"));
        try {
            // A file where the folder's parent should be: not even root can make it.
            fs.writeFileSync(path.join(dir, "file"), "");
            const bad = inProfile(grafana, "profile_check", { GF_PATHS_DATA: path.join(dir, "file", "grafana") });
            assert.strictEqual(bad.status, 1, bad.out);
            assert.match(bad.out, /GF_PATHS_DATA='\/var\/lib\/grafana' is not writable\./);
            const good = inProfile(grafana, "profile_check", { GF_PATHS_DATA: path.join(dir, "grafana") });
            assert.strictEqual(good.status, 0, good.out);
            assert.deepStrictEqual(fs.readdirSync(path.join(dir, "grafana")), [], "the probe leaves nothing behind");
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("profile.sh: Django's ALLOWED_HOSTS check (ports ignored, case-folded, .domain, *; no Host refused)", () => {
        const shynet = renderProfile(profileFor("milesmcc/shynet:v0.13.1")!);
        const answer = (allowed: string | undefined, host: string) =>
            inProfile(shynet, `host_allowed '${host}'`, allowed === undefined ? {} : { ALLOWED_HOSTS: allowed }).status === 0;
        assert.deepStrictEqual(
            ["shynet.example.com", "Shynet.Example.COM:8080", "", "10.0.0.7:8080", "example.com"].map((h) => answer("shynet.example.com", h)),
            [true, true, false, false, false],
        );
        assert.deepStrictEqual(
            ["a.example.com", "example.com", "badexample.com"].map((h) => answer("x.test,.example.com", h)),
            [true, true, false],
        );
        assert.strictEqual(answer(undefined, "anything"), true, "settings.py's default is *");
        // An image without the check answers every Host.
        assert.strictEqual(inProfile(renderProfile(profileFor("grafana/grafana:1")!), "host_allowed ''").status, 0);
    });
});
