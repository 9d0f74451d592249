// The Ubuntu LTS releases the node's bootstrap is written and checked for, newest first.
// A newer image is refused until it is added here (and its vendor apt suites are known to
// exist, or the bootstrap's fallback to the previous LTS suite is accepted).

export const UBUNTU_LTS = [
    { slug: "ubuntu-26-04-x64", codename: "resolute" },
    { slug: "ubuntu-24-04-x64", codename: "noble" },
    { slug: "ubuntu-22-04-x64", codename: "jammy" },
] as const;
