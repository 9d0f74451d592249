// The image-pin rule: one function for config validation, job checks and the policy pack.

/** The image's digest when it has one, else its tag, or undefined when it has neither. */
export function imageVersion(image: string): string | undefined {
    const at = image.indexOf("@");
    if (at >= 0) {
        return image.slice(at + 1);
    }
    const slash = image.lastIndexOf("/");
    const colon = image.lastIndexOf(":");
    return colon > slash ? image.slice(colon + 1) : undefined;
}

const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;
// Docker's grammar for a tag.
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/**
 * Why an image reference is not pinned, or undefined when it is: a digest
 * (`@sha256:` or `@sha512:`, with or without a tag), or a tag other than
 * `latest` in any case. The message starts with "image" and names the reference.
 */
export function imageProblem(image: string | undefined): string | undefined {
    if (image === undefined || image.trim() === "") {
        return "has no image";
    }
    const shown = `image ${JSON.stringify(image)}`;
    if (/\s/.test(image)) {
        return `${shown} contains whitespace`;
    }
    if (/\$\{|\{\{/.test(image)) {
        return `${shown} is interpolated when the job runs, so its version cannot be checked; write the pinned reference out`;
    }
    const version = imageVersion(image);
    if (image.includes("@")) {
        return version !== undefined && DIGEST.test(version) ? undefined : `${shown} has a malformed digest`;
    }
    if (version === undefined) {
        return `${shown} has no tag, which means "latest"; pin a version tag or a digest`;
    }
    if (version.toLowerCase() === "latest") {
        return `${shown} uses the "latest" tag; pin a version tag or a digest`;
    }
    if (!TAG.test(version)) {
        return `${shown} has a malformed tag`;
    }
    return undefined;
}
