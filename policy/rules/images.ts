// Mandatory: every container image is pinned to a version tag or a digest.
import { isUnknown, ResourceView } from "./common";
import { configOf, driverOf, jobLabel, jobSource, tasksOf } from "./jobs";

/**
 * What is wrong with an image reference, or undefined when it is pinned:
 * `name@sha256:<64 hex>` (a digest, with or without a tag), or `name:<tag>`
 * where the tag is not `latest`.
 */
export function imagePinProblem(image: string): string | undefined {
    const shown = JSON.stringify(image);
    if (image.trim() === "") {
        return "is empty";
    }
    if (/\s/.test(image)) {
        return `${shown} contains whitespace`;
    }
    if (/\$\{|\{\{/.test(image)) {
        return `${shown} is interpolated when the job runs, so its version cannot be checked; write the pinned reference out`;
    }
    const at = image.indexOf("@");
    if (at >= 0) {
        const digest = image.slice(at + 1);
        return /^sha256:[a-f0-9]{64}$/.test(digest) || /^sha512:[a-f0-9]{128}$/.test(digest) ? undefined : `${shown} has a malformed digest`;
    }
    const slash = image.lastIndexOf("/");
    const colon = image.lastIndexOf(":");
    if (colon <= slash) {
        return `${shown} has no tag, which means "latest"; pin a version tag or a digest`;
    }
    const tag = image.slice(colon + 1);
    if (tag.toLowerCase() === "latest") {
        return `${shown} uses the "latest" tag; pin a version tag or a digest`;
    }
    if (!/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/.test(tag)) {
        return `${shown} has a malformed tag`;
    }
    return undefined;
}

/** Literal `image = "…"` attributes of an HCL jobspec (interpolated ones cannot be resolved here). */
export function jobspecImages(jobspec: string): string[] {
    return [...jobspec.matchAll(/\bimage\s*=\s*"([^"]*)"/g)].map((m) => m[1]).filter((i) => !/\$\{/.test(i));
}

export function imageViolations(r: ResourceView): string[] {
    const out: string[] = [];
    const src = jobSource(r.props);
    const at = jobLabel(r, src.job);
    if (src.job) {
        for (const t of tasksOf(src.job)) {
            const config = configOf(t.task);
            if (!("image" in config)) {
                if (driverOf(t.task) === "docker") {
                    out.push(`${at} ${t.label} (docker) has no Config.image`);
                }
                continue;
            }
            const image = config.image;
            if (isUnknown(image)) {
                continue;
            }
            const problem = typeof image === "string" ? imagePinProblem(image) : "is not a string";
            if (problem) {
                out.push(`${at} ${t.label} image ${problem}`);
            }
        }
    } else if (src.jobspec !== undefined) {
        for (const image of jobspecImages(src.jobspec)) {
            const problem = imagePinProblem(image);
            if (problem) {
                out.push(`${at} jobspec image ${problem}`);
            }
        }
    }
    return out;
}
