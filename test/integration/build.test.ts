// `npm run build` and launch.js: the compiled program is used only while it is current, renders
// exactly what the sources render, and its serialized providers are what the sources serialize to
// (so the round trip in test/nomad/serialization.test.ts covers the build's texts too).
import { strict as assert } from "assert";
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { nomadJobProvider, nomadVariableProvider } from "../../nomad";
import { providerText } from "../../nomad/provider-code";
import { renderStack } from "../../render/renderStack";

const ROOT = path.resolve(__dirname, "..", "..");

/** Runs an entry point through launch.js; returns which program ran and what it printed. */
function launch(args: string[]): { from: string; stdout: string } {
    const r = spawnSync(process.execPath, [path.join(ROOT, "launch.js"), ...args], {
        cwd: ROOT,
        env: { ...process.env, HYDRA_LAUNCH_DEBUG: "1" },
        encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stderr);
    return { from: /launch\.js: \S+ from (.*)/.exec(r.stderr)?.[1] ?? "?", stdout: r.stdout };
}

describe("npm run build and launch.js", function () {
    this.timeout(600_000);
    let out: string;

    before(() => {
        execFileSync("npm", ["run", "--silent", "build"], { cwd: ROOT, stdio: "pipe" });
        out = fs.mkdtempSync(path.join(os.tmpdir(), "hydra-build-"));
    });
    after(() => fs.rmSync(out, { recursive: true, force: true }));

    it("serializes each provider once, to the same text the sources serialize to", async () => {
        const built = JSON.parse(fs.readFileSync(path.join(ROOT, "bin", "nomad", "provider-code.json"), "utf8")).providers;
        assert.equal(built.job.text, (await providerText("NomadJob", nomadJobProvider)).text);
        assert.equal(built.variable.text, (await providerText("NomadVariable", nomadVariableProvider)).text);
        assert.equal(built.job.containsSecrets, false);
    });

    it("renders from the build exactly what the sources render", async () => {
        const dest = path.join(out, "render");
        const run = launch(["render/cli", "--out", dest, "--synthetic-apps", "2"]);
        assert.equal(run.from, "the build in bin/");
        const expected = (await renderStack({ projectDir: ROOT, stack: "hydra", syntheticApps: 2 })).files;
        for (const [rel, content] of expected) {
            assert.equal(fs.readFileSync(path.join(dest, rel), "utf8"), content, rel);
        }
        assert.ok(expected.has("jobs/synth-1.json"));
    });

    it("exits 1 with the problem and nothing written when a stack's config is wrong", () => {
        const project = path.join(out, "broken-project");
        fs.mkdirSync(project);
        const stack = fs.readFileSync(path.join(ROOT, "Pulumi.hydra.yaml"), "utf8").replace(/^(\s*)region: \S+$/m, "$1region: blr-1");
        fs.writeFileSync(path.join(project, "Pulumi.broken.yaml"), stack);
        const r = spawnSync(
            process.execPath,
            [path.join(ROOT, "launch.js"), "render/cli", "--project", project, "--stack", "broken", "--out", path.join(project, "out")],
            {
                cwd: ROOT,
                encoding: "utf8",
            },
        );
        assert.equal(r.status, 1, r.stdout + r.stderr);
        assert.match(r.stderr, /hydra:node\.region: "blr-1" is not a DigitalOcean region slug/);
        assert.ok(!fs.existsSync(path.join(project, "out")), "nothing is written");
    });

    it("falls back to the sources while any of them is newer than the build, and back again", () => {
        const source = path.join(ROOT, "estate.ts");
        const { atime, mtime } = fs.statSync(source);
        const built = fs.statSync(path.join(ROOT, "bin", ".built")).mtime;
        try {
            fs.utimesSync(source, atime, new Date(built.getTime() + 60_000));
            assert.equal(launch(["render/cli", "--out", path.join(out, "stale")]).from, "the sources (ts-node)");
        } finally {
            fs.utimesSync(source, atime, mtime);
        }
        assert.equal(launch(["render/cli", "--out", path.join(out, "fresh")]).from, "the build in bin/");
    });

    it("keeps source-mapped stacks for real errors, and skips the mapping for the SDK's anonymous captures", () => {
        // The engine's runner installs source-map-support before it loads the program: so does this run.
        const probe = path.join(out, "probe.js");
        fs.writeFileSync(
            probe,
            `const { duration } = require(${JSON.stringify(path.join(ROOT, "bin", "nomad", "durations.js"))});
            let real = "";
            try { duration("soon"); } catch (e) { real = e.stack; }
            const anonymous = new Error().stack;
            process.stdout.write(JSON.stringify({ real, anonymous }));`,
        );
        const entry = path.relative(path.join(ROOT, "bin"), probe).replace(/\.js$/, "");
        const r = spawnSync(process.execPath, ["-r", require.resolve("source-map-support/register"), path.join(ROOT, "launch.js"), entry], {
            encoding: "utf8",
        });
        assert.equal(r.status, 0, r.stderr);
        const { real, anonymous } = JSON.parse(r.stdout);
        assert.match(real, /^Error: invalid duration "soon"/);
        assert.match(real, /nomad[/\\]durations\.ts:\d+:\d+/, "the real error points into the TypeScript source");
        assert.match(anonymous, /^Error\n {4}at /);
        assert.match(anonymous, /probe\.js:\d+:\d+/);
        assert.doesNotMatch(anonymous, /\.ts:\d+/, "no source map consulted for an anonymous capture");
    });
});
