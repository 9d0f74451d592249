// The dev proxy image: the Caddy of scripts/tools.sh under the production image name, and
// shaped like the published image, so that the caddy job's args (`caddy run --config
// /local/Caddyfile …`) run it as they do on the node.
import * as assert from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DEFAULT_CADDY_IMAGE } from "../../config";
import { busyboxBinary, proxySpec } from "../../dev/devImages";
import { buildImage } from "../../dev/imageBuild";
import { tailnetAddress } from "../../dev/network";
import { projectTool } from "../support/tools";
import { dockerPackages, startTestDocker, stopTestDocker, TestDocker } from "./devDocker";

const versions = fs.readFileSync(path.resolve(__dirname, "..", "..", "scripts", "tool-versions.env"), "utf8");
const CADDY_VERSION = /^CADDY_VERSION=(\S+)/m.exec(versions)![1];

describe("integration: the dev proxy image", function () {
    this.timeout(600_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "hydra-proxy-image-"));
    const timings: Record<string, number> = {};
    let t: TestDocker;

    before(async () => {
        dockerPackages();
        const caddy = projectTool("caddy");
        t = await startTestDocker(path.join(dir, "docker"));
        const spec = proxySpec(DEFAULT_CADDY_IMAGE, caddy, busyboxBinary());
        const cold = buildImage(t.daemon.endpoint, spec);
        const cached = buildImage(t.daemon.endpoint, spec);
        assert.ok(cold.built && !cached.built, "the second build is a cache hit");
        timings.proxyCold = cold.ms;
        timings.proxyCached = cached.ms;
    });

    after(async () => {
        await stopTestDocker(path.join(dir, "docker")).catch((e: Error) => console.log(`      teardown: ${e.message}`));
        console.log(`      timings (ms): ${JSON.stringify(timings)}`);
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("runs `caddy version` and has the Cloudflare DNS module", () => {
        assert.match(t.docker(["run", "--rm", DEFAULT_CADDY_IMAGE, "caddy", "version"]), new RegExp(`^v${CADDY_VERSION.replace(/\./g, "\\.")} `));
        assert.match(t.docker(["run", "--rm", DEFAULT_CADDY_IMAGE, "caddy", "list-modules"]), /^dns\.providers\.cloudflare$/m);
    });

    it("names the image and the step when a build fails", () => {
        const source = path.join(dir, "broken");
        fs.mkdirSync(source);
        fs.writeFileSync(path.join(source, "Dockerfile"), 'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "false"]\n');
        assert.throws(
            () =>
                buildImage(t.daemon.endpoint, { name: "broken", sourceDir: source, extraFiles: { busybox: busyboxBinary() }, tags: ["hydra-dev/broken:dev"] }),
            /^Error: image broken \(hydra-dev\/broken:dev\): docker build failed at Step 3\/\d : RUN \["\/bin\/busybox", "false"\]/,
        );
    });

    it("has no entrypoint and caddy's default command, so the job's args replace the command", () => {
        const config = JSON.parse(t.docker(["image", "inspect", "--format", "{{json .Config}}", DEFAULT_CADDY_IMAGE])) as {
            Entrypoint?: string[] | null;
            Cmd: string[];
        };
        assert.ok(!config.Entrypoint?.length, `entrypoint ${JSON.stringify(config.Entrypoint)}`);
        assert.deepStrictEqual(config.Cmd, ["caddy", "run", "--config", "/etc/caddy/Caddyfile", "--adapter", "caddyfile"]);
    });

    it("serves a Caddyfile from /local with the job's args, and reloads it as the job's change script does", async () => {
        const local = path.join(dir, "local");
        fs.mkdirSync(local);
        fs.writeFileSync(path.join(local, "Caddyfile"), ':80 {\n\trespond "hello from the dev proxy" 200\n}\n');
        const host = tailnetAddress(t.network);
        const id = t
            .docker([
                "run",
                "--detach",
                "--volume",
                `${local}:/local`,
                "--publish",
                `${host}::80`,
                DEFAULT_CADDY_IMAGE,
                "caddy",
                "run",
                "--config",
                "/local/Caddyfile",
                "--adapter",
                "caddyfile",
            ])
            .trim();
        try {
            const port = t.docker(["port", id, "80/tcp"]).trim().split(":").pop();
            const get = async () => {
                for (let i = 0; ; i++) {
                    try {
                        return await (await fetch(`http://${host}:${port}/`, { signal: AbortSignal.timeout(2000) })).text();
                    } catch (e) {
                        if (i > 50) {
                            throw e;
                        }
                        await new Promise((r) => setTimeout(r, 200));
                    }
                }
            };
            assert.strictEqual(await get(), "hello from the dev proxy");
            fs.writeFileSync(path.join(local, "Caddyfile"), ':80 {\n\trespond "reloaded" 200\n}\n');
            t.docker(["exec", id, "caddy", "reload", "--config", "/local/Caddyfile", "--adapter", "caddyfile"]);
            assert.strictEqual(await get(), "reloaded");
        } finally {
            t.docker(["rm", "--force", id]);
        }
    });
});
