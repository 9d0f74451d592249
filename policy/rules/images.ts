// Mandatory: every container image is pinned to a version tag or a digest.
import { imageProblem } from "../../vocabulary/image";
import { isUnknown, ResourceView } from "./common";
import { configOf, driverOf, jobLabel, jobSource, tasksOf } from "./jobs";

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
            const problem = typeof image === "string" ? imageProblem(image) : "image is not a string";
            if (problem) {
                out.push(`${at} ${t.label} ${problem}`);
            }
        }
    } else if (src.jobspec !== undefined) {
        for (const image of jobspecImages(src.jobspec)) {
            const problem = imageProblem(image);
            if (problem) {
                out.push(`${at} jobspec ${problem}`);
            }
        }
    }
    return out;
}
