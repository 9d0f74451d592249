// The images the dev estate runs, without a registry: the proxy image from the Caddy that
// scripts/tools.sh builds; the Prometheus image from the prometheus of Debian's package; a real
// PostgreSQL 17 (Debian's, images/postgres); and one busybox stand-in for every other image the
// rendered jobs use, with the profile of the real image (standinProfiles.ts) where there is one.
// All carry the production names, so the jobs are the production jobs.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { APPS } from "../apps";
import { PROMETHEUS_TASK } from "../apps/monitoring";
import { planApps } from "../apps/plan";
import { Job } from "../nomad";
import { renderStack, stackRawConfig, validateForRender } from "../render/renderStack";
import { dockerCli } from "./docker";
import { isStaticElf } from "./elf";
import { BuildResult, buildImage, ImageSpec } from "./imageBuild";
import { imageRepository, profiledDockerfile, profileFor, renderProfile } from "./standinProfiles";

const IMAGES_DIR = path.join(__dirname, "images");
/** Names of our own, besides the production ones. */
export const STANDIN_TAG = "hydra-dev/standin:dev";
export const PROXY_TAG = "hydra-dev/proxy:dev";
export const PROMETHEUS_TAG = "hydra-dev/prometheus:dev";

export interface DevImagePlan {
    /** The configured proxy.image. */
    proxyImage: string;
    /** The image of monitoring's Prometheus task, when monitoring is on: a real Prometheus. */
    prometheusImage?: string;
    /** Every other docker image of the rendered jobs. */
    standinImages: string[];
    /** Absolute host paths the jobs bind-mount. */
    bindSources: string[];
}

const dockerTasks = (jobs: Job[]) => jobs.flatMap((j) => j.TaskGroups.flatMap((g) => g.Tasks)).filter((t) => t.Driver === "docker");

/** The docker images of the jobs, sorted, each once. */
export function jobImages(jobs: Job[]): string[] {
    return [...new Set(dockerTasks(jobs).map((t) => String(t.Config?.image)))].sort();
}

/** Absolute host paths the jobs' docker tasks bind-mount (relative ones are in the task's own folders). */
export function jobBindSources(jobs: Job[]): string[] {
    const mounts = dockerTasks(jobs).flatMap((t) => (t.Config?.mount ?? []) as { type?: string; source?: string }[]);
    return [...new Set(mounts.filter((m) => (m.type ?? "bind") === "bind" && m.source?.startsWith("/")).map((m) => m.source!))].sort();
}

/** What the stack in `configDir` (its Pulumi.<stack>.yaml) needs, from its rendered jobs. */
export async function planDevImages(configDir: string, stack: string): Promise<DevImagePlan> {
    const { cfg } = validateForRender(stackRawConfig(path.join(configDir, `Pulumi.${stack}.yaml`)), APPS);
    const rendering = await renderStack({ projectDir: configDir, stack });
    const jobs = [...rendering.files].filter(([f]) => f.startsWith("jobs/")).map(([, text]) => (JSON.parse(text) as { Job: Job }).Job);
    // One-off containers the backup runs for dumps (not a task's image) need a stand-in too.
    const prometheus = jobs
        .find((j) => j.ID === PROMETHEUS_TASK.job)
        ?.TaskGroups.flatMap((g) => g.Tasks)
        .find((t) => t.Name === PROMETHEUS_TASK.task && t.Driver === "docker");
    const prometheusImage = prometheus ? String(prometheus.Config?.image) : undefined;
    const dumpImages = planApps(cfg, APPS).apps.flatMap((p) => p.jobs.flatMap((j) => (j.backupDumps ?? []).flatMap((d) => (d.run ? [d.run.image] : []))));
    return {
        proxyImage: cfg.proxy.image,
        prometheusImage,
        standinImages: [...new Set([...jobImages(jobs), ...dumpImages])].filter((i) => i !== cfg.proxy.image && i !== prometheusImage).sort(),
        bindSources: jobBindSources(jobs),
    };
}

/** A static binary from PATH (or the given path), checked to run in a FROM scratch image. */
export function staticBinary(image: string, name: string, hint: string, file?: string): string {
    const found = file ?? spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).stdout.trim();
    if (!found || !fs.existsSync(found)) {
        throw new Error(`image ${image}: preparing the context failed: ${name} is missing (${hint})`);
    }
    const real = fs.realpathSync(found);
    if (!isStaticElf(real)) {
        throw new Error(`image ${image}: preparing the context failed: ${real} is not a static binary, and the image has no libraries (${hint})`);
    }
    return real;
}

export function standinSpec(tags: string[], busybox: string): ImageSpec {
    return { name: "stand-in", sourceDir: path.join(IMAGES_DIR, "standin"), extraFiles: { busybox }, tags: [STANDIN_TAG, ...tags] };
}

/** The stand-in with the profile of `image` (which must have one), on the stand-in built as `baseId`. */
export function profiledSpec(image: string, baseId: string): ImageSpec {
    const profile = profileFor(image)!;
    return {
        name: `stand-in ${profile.repository}`,
        extraFiles: {},
        generated: { Dockerfile: profiledDockerfile(STANDIN_TAG, baseId, profile), profile: renderProfile(profile) },
        tags: [image],
    };
}

/** The PostgreSQL major the dev estate runs for real (images/postgres/rootfs.sh installs Debian's). */
export const REAL_POSTGRES_MAJOR = "17";

/** Whether the dev estate runs `image` as the real server rather than a stand-in. */
export function isRealPostgres(image: string): boolean {
    const repo = imageRepository(image);
    const tag = image.split("@")[0].slice(repo.length + 1);
    return ["postgres", "library/postgres", "docker.io/library/postgres"].includes(repo) && tag.split(/[.-]/)[0] === REAL_POSTGRES_MAJOR;
}

/** The root filesystem of the real PostgreSQL, built once per version of its script into the tools cache. */
export function postgresRootfs(): string {
    const cache = process.env.HYDRA_TOOLS_CACHE ?? path.join(os.homedir(), ".cache", "hydra-tools");
    const r = spawnSync(path.join(IMAGES_DIR, "postgres", "rootfs.sh"), [cache], { encoding: "utf8" });
    if (r.status !== 0) {
        throw new Error(`image postgres: preparing the context failed: rootfs.sh exited with ${r.status ?? r.signal}: ${(r.stderr ?? "").trim().slice(-2000)}`);
    }
    return r.stdout.trim().split("\n").pop()!;
}

export function postgresSpec(tags: string[], rootfs: string): ImageSpec {
    return { name: "postgres", sourceDir: path.join(IMAGES_DIR, "postgres"), extraFiles: { "rootfs.tar": rootfs }, tags };
}

export function proxySpec(tag: string, caddy: string, busybox: string): ImageSpec {
    return { name: "proxy", sourceDir: path.join(IMAGES_DIR, "proxy"), extraFiles: { busybox, caddy }, tags: [PROXY_TAG, tag] };
}

/** The loader and libc a binary Debian built against glibc needs, read from ldd; nothing else is carried. */
export function glibcLibraries(image: string, binary: string): Record<string, string> {
    const r = spawnSync("ldd", [binary], { encoding: "utf8" });
    if (r.status !== 0) {
        throw new Error(`image ${image}: preparing the context failed: ${binary} is not an x86-64 glibc binary (ldd: ${(r.stderr || r.stdout).trim()})`);
    }
    const libs = r.stdout
        .split("\n")
        .map((l) => /(\S+) \(0x/.exec(l.replace(/^.*=> /, ""))?.[1])
        .filter((f): f is string => !!f && f.startsWith("/"));
    const wanted: Record<string, string> = {};
    for (const lib of libs) {
        const name = path.basename(lib);
        if (name !== "libc.so.6" && name !== "ld-linux-x86-64.so.2") {
            throw new Error(`image ${image}: preparing the context failed: ${binary} needs ${lib}, and the image carries only libc.so.6 and its loader`);
        }
        wanted[name] = fs.realpathSync(lib);
    }
    if (Object.keys(wanted).length !== 2) {
        throw new Error(`image ${image}: preparing the context failed: ${binary} is not an x86-64 glibc binary (ldd: ${r.stdout.trim()})`);
    }
    return wanted;
}

export function prometheusSpec(tag: string, prometheus: string, busybox: string): ImageSpec {
    const real = fs.realpathSync(prometheus);
    return {
        name: "prometheus",
        sourceDir: path.join(IMAGES_DIR, "prometheus"),
        // The UI's templates, packed by scripts/promtool.sh next to the binary.
        extraFiles: { busybox, prometheus: real, "web.tar": path.join(path.dirname(real), "web.tar"), ...glibcLibraries("prometheus", real) },
        tags: [PROMETHEUS_TAG, tag],
    };
}

export function busyboxBinary(): string {
    return staticBinary("stand-in", "busybox", "Debian: apt-get install busybox-static");
}

/** Builds (or finds cached) every image and drops the untagged leftovers of earlier builds. */
export function buildDevImages(endpoint: string, plan: DevImagePlan, tools: { caddy: string; prometheus: string }): BuildResult[] {
    const busybox = busyboxBinary();
    const results = [buildImage(endpoint, proxySpec(plan.proxyImage, staticBinary("proxy", "caddy", "scripts/tools.sh caddy", tools.caddy), busybox))];
    if (plan.prometheusImage) {
        if (!fs.existsSync(tools.prometheus)) {
            throw new Error(`image prometheus (${plan.prometheusImage}): preparing the context failed: ${tools.prometheus} is missing (scripts/promtool.sh)`);
        }
        results.push(buildImage(endpoint, prometheusSpec(plan.prometheusImage, tools.prometheus, busybox)));
    }
    const postgres = plan.standinImages.filter(isRealPostgres);
    if (postgres.length) {
        results.push(buildImage(endpoint, postgresSpec(postgres, postgresRootfs())));
    }
    const standins = plan.standinImages.filter((i) => !isRealPostgres(i));
    if (standins.length) {
        const base = buildImage(
            endpoint,
            standinSpec(
                standins.filter((i) => !profileFor(i)),
                busybox,
            ),
        );
        results.push(base);
        for (const image of standins.filter((i) => profileFor(i))) {
            results.push(buildImage(endpoint, profiledSpec(image, base.id)));
        }
    }
    // With vfs every layer is a full copy: replaced builds are worth removing.
    dockerCli(endpoint, ["image", "prune", "--force", "--filter", "label=org.hydra.dev.inputs"]);
    return results;
}

export function describeBuilds(results: BuildResult[]): string {
    const width = Math.max(...results.map((r) => r.name.length)) + 2;
    return results
        .map(
            (r) =>
                `  ${r.name.padEnd(width)}${r.built ? "built " : "cached"} in ${(r.ms / 1000).toFixed(1)}s  ${r.id.slice(7, 19)}  ${(r.tags.length > 1 ? r.tags.slice(1) : r.tags).join(", ")}`,
        )
        .join("\n");
}
