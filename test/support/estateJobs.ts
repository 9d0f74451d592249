// The Nomad jobs the full estate registers (every app on, and the proxy), sorted by ID.
export const ESTATE_JOBS = [
    "caddy",
    "doggo",
    "gitea",
    "monitoring",
    "pihole",
    "restic",
    "restic-check",
    "restic-drill",
    "restic-restore",
    "shynet-app",
    "shynet-db",
    "syncthing",
];

/** The jobs with a Nomad Variable: all but those that read no secret (the proxy on Caddy's internal CA, doggo). */
export const ESTATE_JOBS_WITH_SECRETS = ESTATE_JOBS.filter((j) => !["caddy", "doggo"].includes(j));
