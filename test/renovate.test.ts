// renovate.json's own regex managers, run over the repository as Renovate would run them:
// they must find exactly the images `npm run render` deploys, and each pinned tool once.
import * as assert from "assert";
import * as fs from "fs";
import * as path from "path";
import { APPS } from "../apps";
import { planDevImages } from "../dev/devImages";

const ROOT = path.resolve(__dirname, "..");

interface RegexManager {
    customType: string;
    fileMatch: string[];
    matchStrings: string[];
    datasourceTemplate: string;
    depNameTemplate?: string;
}

const config = JSON.parse(fs.readFileSync(path.join(ROOT, "renovate.json"), "utf8")) as { customManagers: RegexManager[]; ignorePaths?: string[] };
const managers = config.customManagers;

/** Files tracked in the repository (as Renovate sees a clone), by repo-relative path. */
function repoFiles(dir = ROOT, prefix = ""): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const rel = prefix + e.name;
        if (e.isDirectory()) {
            return [".git", "node_modules", ".tools", ".dev"].includes(e.name) ? [] : repoFiles(path.join(dir, e.name), `${rel}/`);
        }
        return [rel];
    });
}

/** What one manager extracts: "depName:currentValue" (or its template's depName), per match. */
function extract(m: RegexManager, files: string[]): string[] {
    const matched = files.filter((f) => m.fileMatch.some((p) => new RegExp(p).test(f)));
    return matched.flatMap((f) => {
        const text = fs.readFileSync(path.join(ROOT, f), "utf8");
        return m.matchStrings.flatMap((s) =>
            [...text.matchAll(new RegExp(s, "g"))].map((hit) => `${m.depNameTemplate ?? hit.groups!.depName}:${hit.groups!.currentValue}`),
        );
    });
}

describe("renovate.json finds what Hydra pins", () => {
    // ignorePaths here are plain paths (the benchmark's synthetic apps, never deployed).
    const files = repoFiles().filter((f) => !(config.ignorePaths ?? []).includes(f));

    it("finds exactly the images `npm run render` deploys, each once, and nothing else", async () => {
        const rendered = await planDevImages(ROOT, "hydra");
        const deployed = [rendered.proxyImage, ...(rendered.prometheusImage ? [rendered.prometheusImage] : []), ...rendered.standinImages].sort();
        assert.ok(deployed.length >= APPS.length, `the sample stack renders every app's images: ${deployed.join(", ")}`);
        const images = managers.filter((m) => m.datasourceTemplate === "docker").flatMap((m) => extract(m, files));
        assert.deepStrictEqual([...images].sort(), deployed);
    });

    it("matches only pinned image literals, and no file outside the apps and the proxy default", () => {
        const docker = managers.find((m) => m.datasourceTemplate === "docker")!;
        const re = new RegExp(docker.matchStrings[0]);
        assert.ok(re.test('image: "ghcr.io/example/app:1.2.3"'));
        assert.ok(re.test('const BUSYBOX_IMAGE = "registry.example:5000/tools/busybox:1.36.1"'));
        assert.ok(!re.test('image: "nginx"'), "an image without a tag is not pinned, and is not tracked");
        assert.ok(!docker.fileMatch.some((p) => new RegExp(p).test("dev/devImages.ts")), "dev stand-ins are not deployed");
    });

    it("tracks each pinned tool version once", () => {
        const tools = managers.filter((m) => m.fileMatch.some((p) => new RegExp(p).test("scripts/tool-versions.env")));
        const env = fs.readFileSync(path.join(ROOT, "scripts", "tool-versions.env"), "utf8");
        const version = (key: string) => new RegExp(`^${key}=(\\S+)$`, "m").exec(env)![1];
        assert.deepStrictEqual(tools.map((m) => extract(m, files)).sort(), [
            [`@pulumi/pulumi:${version("PULUMI_VERSION")}`],
            [`github.com/caddy-dns/cloudflare:${version("CADDY_CLOUDFLARE_VERSION")}`],
            [`github.com/caddyserver/caddy/v2:${version("CADDY_VERSION")}`],
            [`hashicorp/nomad:${version("NOMAD_VERSION")}`],
        ]);
    });
});
