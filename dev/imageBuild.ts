// Builds an image for the dev daemon from a folder of this repository plus files of this
// machine (binaries), once: the image carries a hash of every input as a label, and an image
// with the same hash is only re-tagged. No registry is involved at any point.
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { dockerCli } from "./docker";

export interface ImageSpec {
    /** What the image is, for messages ("stand-in", "proxy"). */
    name: string;
    /** Folder with the Dockerfile and the rest of the context (none: a context of generated files only). */
    sourceDir?: string;
    /** Files copied into the context from elsewhere: name in the context → path on this machine. */
    extraFiles: Record<string, string>;
    /** Files written into the context: name → content (they replace same-named files of sourceDir). */
    generated?: Record<string, string>;
    /** Every name the image gets; the first is used in messages. */
    tags: string[];
}

export interface BuildResult {
    name: string;
    tags: string[];
    id: string;
    /** False when an image with the same inputs was there already (only tags were set). */
    built: boolean;
    ms: number;
}

const INPUTS_LABEL = "org.hydra.dev.inputs";

/** The context's files copied from this machine: relative name → source path. */
function contextFiles(spec: ImageSpec): [string, string][] {
    const generated = spec.generated ?? {};
    const dir = spec.sourceDir;
    const own = dir
        ? fs
              .readdirSync(dir)
              .filter((f) => !(f in generated))
              .map((f): [string, string] => [f, path.join(dir, f)])
        : [];
    return [...own, ...Object.entries(spec.extraFiles)].sort(([a], [b]) => a.localeCompare(b));
}

/** sha256 over each context file's name, mode and content. */
export function inputsHash(spec: ImageSpec): string {
    const h = crypto.createHash("sha256");
    for (const [name, file] of contextFiles(spec)) {
        h.update(`${name}\0${fs.statSync(file).mode & 0o777}\0`);
        h.update(fs.readFileSync(file));
        h.update("\0");
    }
    for (const [name, content] of Object.entries(spec.generated ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
        h.update(`${name}\0generated\0${content}\0`);
    }
    return h.digest("hex");
}

function must(endpoint: string, spec: ImageSpec, step: string, args: string[]): string {
    const r = dockerCli(endpoint, args);
    if (r.error || r.status !== 0) {
        throw new Error(`image ${spec.name} (${spec.tags[0]}): ${step} failed: ${r.error?.message ?? `${r.stdout}${r.stderr}`.trim().slice(-2000)}`);
    }
    return r.stdout.trim();
}

/** The classic builder's "Step N/M : INSTRUCTION" that was running when the build stopped. */
export function failedStep(output: string): string | undefined {
    const steps = output.split("\n").filter((l) => /^Step \d+\/\d+ : /.test(l));
    return steps.length ? steps[steps.length - 1].trim() : undefined;
}

/** Builds the image unless one with the same inputs exists, then points every tag at it. */
export function buildImage(endpoint: string, spec: ImageSpec): BuildResult {
    const t0 = Date.now();
    for (const [name, file] of Object.entries(spec.extraFiles)) {
        if (!fs.existsSync(file)) {
            throw new Error(`image ${spec.name} (${spec.tags[0]}): preparing the context failed: ${name} (${file}) does not exist`);
        }
    }
    const hash = inputsHash(spec);
    let id = must(endpoint, spec, "looking for a cached build", ["image", "ls", "--quiet", "--no-trunc", "--filter", `label=${INPUTS_LABEL}=${hash}`]).split(
        "\n",
    )[0];
    const built = !id;
    if (built) {
        const context = fs.mkdtempSync(path.join(os.tmpdir(), "hydra-image-"));
        try {
            for (const [name, file] of contextFiles(spec)) {
                fs.copyFileSync(file, path.join(context, name));
                fs.chmodSync(path.join(context, name), fs.statSync(file).mode & 0o777);
            }
            for (const [name, content] of Object.entries(spec.generated ?? {})) {
                fs.writeFileSync(path.join(context, name), content, { mode: 0o644 });
            }
            const args = ["build", "--force-rm", "--label", `${INPUTS_LABEL}=${hash}`, ...spec.tags.flatMap((t) => ["--tag", t]), context];
            const r = dockerCli(endpoint, args);
            if (r.error || r.status !== 0) {
                const output = `${r.stdout ?? ""}${r.stderr ?? ""}`;
                const step = failedStep(output) ?? "before its first step";
                throw new Error(
                    `image ${spec.name} (${spec.tags[0]}): docker build failed at ${step}:\n${r.error?.message ?? output.trim().split("\n").slice(-12).join("\n")}`,
                );
            }
        } finally {
            fs.rmSync(context, { recursive: true, force: true });
        }
        id = must(endpoint, spec, "reading the built image", ["image", "inspect", "--format", "{{.Id}}", spec.tags[0]]);
    }
    for (const tag of spec.tags) {
        const current = dockerCli(endpoint, ["image", "inspect", "--format", "{{.Id}}", tag]);
        if (current.status !== 0 || current.stdout.trim() !== id) {
            must(endpoint, spec, `tagging ${tag}`, ["tag", id, tag]);
        }
    }
    return { name: spec.name, tags: spec.tags, id, built, ms: Date.now() - t0 };
}
