// The image-pin rule, one function for config validation, job checks and the policy pack.

/** The image's tag, or its digest when it has one, or undefined when it has neither. */
export function imageVersion(image: string): string | undefined {
    const [name, digest] = image.split("@");
    if (digest !== undefined) {
        return digest;
    }
    const slash = name.lastIndexOf("/");
    const colon = name.lastIndexOf(":");
    return colon > slash ? name.slice(colon + 1) : undefined;
}

const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

/**
 * Why an image reference is not pinned, or undefined when it is: a version tag
 * other than `latest` (in any case), or a sha256/sha512 digest.
 */
export function imageProblem(image: string | undefined): string | undefined {
    if (!image) {
        return "has no image";
    }
    const shown = JSON.stringify(image);
    if (/\s/.test(image)) {
        return `image ${shown} contains whitespace`;
    }
    if (image.includes("${") || image.includes("{{")) {
        return `image ${shown} is interpolated at run time: pin a literal version tag or digest`;
    }
    const version = imageVersion(image);
    if (image.includes("@")) {
        return version !== undefined && DIGEST.test(version) ? undefined : `image ${shown} has a malformed digest`;
    }
    if (!version) {
        return `image ${shown} has no version tag, which means "latest": pin one, e.g. ${JSON.stringify(image + ":1.2.3")}`;
    }
    if (version.toLowerCase() === "latest") {
        return `image ${shown} uses "latest": pin a version tag or digest`;
    }
    return undefined;
}
