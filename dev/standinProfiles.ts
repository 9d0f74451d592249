// What each real app image demands, so that its stand-in fails the way the app would: the user
// it runs as, what its entrypoint does as root before dropping to the app's user, the folders
// the app writes, the environment it cannot start without, and the Host names it answers.
// Each profile is written from the upstream image's Dockerfile and entrypoint, named in `source`.

export interface WritablePath {
    /** A folder in the container; `$NAME` is taken from the task's environment. */
    path: string;
    /** How the real app fails there: its own message where its source has one, else a description. */
    failure: string;
}

export interface StandinProfile {
    /** The image's repository (any tag). */
    repository: string;
    /** The upstream files this profile was read from. */
    source: string;
    /** The image's USER ("uid:gid"): who the container starts as when the job sets no user. */
    user: string;
    /**
     * Started as root, the entrypoint hands `chown` to the app's user ("uid:gid", `$NAME` from
     * the environment with a default) and runs the app as that user (gosu, su-exec, s6, capsh).
     */
    dropsTo?: { user: string; chown: string[] };
    /** Folders the app writes as the user it runs as; it exits when it cannot. */
    writable: WritablePath[];
    /** Variables the app cannot start without (set and not empty). */
    requiredEnv: { name: string; failure: string }[];
    /** A variable holding Django's ALLOWED_HOSTS: a request with any other Host gets 400. */
    allowedHostsEnv?: string;
    /** The image's own ENV that the job or the app relies on. */
    env: Record<string, string>;
}

export const STANDIN_PROFILES: StandinProfile[] = [
    {
        repository: "gitea/gitea",
        source: "go-gitea/gitea: Dockerfile (rootful: ENV USER=git, GITEA_CUSTOM=/data/gitea), docker/root/usr/bin/entrypoint, docker/root/etc/s6/gitea/setup",
        user: "0:0",
        // s6's setup chowns /data/gitea and /data/git to USER_UID:USER_GID unless already theirs, then Gitea runs as git.
        dropsTo: { user: "${USER_UID:-1000}:${USER_GID:-1000}", chown: ["/data/gitea", "/data/git"] },
        writable: [{ path: "/data/gitea", failure: "Gitea cannot create its folders under /data/gitea: permission denied" }],
        requiredEnv: [],
        env: { USER: "git", GITEA_CUSTOM: "/data/gitea" },
    },
    {
        repository: "pihole/pihole",
        source: "pi-hole/docker-pi-hole: src/Dockerfile (PIHOLE_UID/PIHOLE_GID 1000, DNSMASQ_USER=pihole), src/start.sh; pi-hole/pi-hole: advanced/Templates/pihole-FTL-prestart.sh",
        user: "0:0",
        // The prestart script chowns /etc/pihole to pihole; start.sh runs FTL as pihole through capsh.
        dropsTo: { user: "${PIHOLE_UID:-1000}:${PIHOLE_GID:-1000}", chown: ["/etc/pihole"] },
        writable: [{ path: "/etc/pihole", failure: "pihole-FTL cannot write its configuration in /etc/pihole: permission denied" }],
        requiredEnv: [],
        env: { DNSMASQ_USER: "pihole", FTL_CMD: "no-daemon" },
    },
    {
        repository: "milesmcc/shynet",
        source: "milesmcc/shynet: Dockerfile (USER appuser, uid and gid 500; HEALTHCHECK sends Host), shynet/shynet/settings.py (ALLOWED_HOSTS, DATABASES)",
        user: "500:500",
        writable: [],
        // settings.py builds its Postgres connection from these (SQLITE=True is not used by Hydra).
        requiredEnv: ["DB_NAME", "DB_USER", "DB_PASSWORD", "DB_HOST"].map((name) => ({
            name,
            failure: `Shynet cannot connect to its database: ${name} is not set`,
        })),
        allowedHostsEnv: "ALLOWED_HOSTS",
        env: {},
    },
    {
        repository: "grafana/grafana",
        source: "grafana/grafana: packaging/docker/Dockerfile (USER 472, group 0; GF_PATHS_*), packaging/docker/run.sh",
        user: "472:0",
        writable: [{ path: "$GF_PATHS_DATA", failure: "GF_PATHS_DATA='/var/lib/grafana' is not writable." }],
        requiredEnv: [],
        env: {
            GF_PATHS_CONFIG: "/etc/grafana/grafana.ini",
            GF_PATHS_DATA: "/var/lib/grafana",
            GF_PATHS_HOME: "/usr/share/grafana",
            GF_PATHS_LOGS: "/var/log/grafana",
            GF_PATHS_PLUGINS: "/var/lib/grafana/plugins",
            GF_PATHS_PROVISIONING: "/etc/grafana/provisioning",
        },
    },
    {
        repository: "syncthing/syncthing",
        source: "syncthing/syncthing: Dockerfile (ENV PUID=1000 PGID=1000 HOME=/var/syncthing, VOLUME /var/syncthing), script/docker-entrypoint.sh",
        user: "0:0",
        // The entrypoint chowns $HOME (only) and runs Syncthing as PUID:PGID through su-exec/chpst.
        dropsTo: { user: "${PUID:-1000}:${PGID:-1000}", chown: ["$HOME"] },
        writable: [{ path: "$STHOMEDIR", failure: "Syncthing cannot create its config folder /var/syncthing/config: permission denied" }],
        requiredEnv: [],
        env: { PUID: "1000", PGID: "1000", HOME: "/var/syncthing", STHOMEDIR: "/var/syncthing/config", STGUIADDRESS: "0.0.0.0:8384" },
    },
    {
        repository: "ghcr.io/mr-karan/doggo-api",
        source: "mr-karan/doggo: web.Dockerfile (alpine, no USER: root; reads config.toml from its WORKDIR)",
        user: "0:0",
        writable: [],
        requiredEnv: [],
        env: {},
    },
];

/** The repository of an image reference: without its tag or digest. */
export function imageRepository(image: string): string {
    const noDigest = image.split("@")[0];
    const slash = noDigest.lastIndexOf("/");
    const colon = noDigest.lastIndexOf(":");
    return colon > slash ? noDigest.slice(0, colon) : noDigest;
}

export function profileFor(image: string): StandinProfile | undefined {
    const repo = imageRepository(image);
    return STANDIN_PROFILES.find((p) => p.repository === repo);
}

const shellWord = (s: string) => `'${s.replace(/'/g, "'\\''")}'`;

/**
 * The profile as the shell variables the stand-in's profile.sh reads (PROFILE_*): lists are
 * newline-separated; `$NAME` references stay for the container's shell to expand. Pure.
 */
export function renderProfile(p: StandinProfile): string {
    const lines = [
        `# The stand-in's profile of ${p.repository}, from ${p.source}.`,
        `PROFILE_IMAGE=${shellWord(p.repository)}`,
        `PROFILE_DROP_TO=${shellWord(p.dropsTo?.user ?? "")}`,
        `PROFILE_CHOWN=${shellWord((p.dropsTo?.chown ?? []).join("\n"))}`,
        `PROFILE_WRITABLE=${shellWord(p.writable.map((w) => `${w.path}|${w.failure}`).join("\n"))}`,
        `PROFILE_REQUIRED_ENV=${shellWord(p.requiredEnv.map((e) => `${e.name}|${e.failure}`).join("\n"))}`,
        `PROFILE_ALLOWED_HOSTS_ENV=${shellWord(p.allowedHostsEnv ?? "")}`,
    ];
    return lines.join("\n") + "\n";
}

/** The Dockerfile of an image that is the stand-in `base` with a profile (`profile` in its context). Pure. */
export function profiledDockerfile(base: string, baseId: string, p: StandinProfile): string {
    // One ENV instruction: each instruction is a build step of its own.
    const env = Object.entries(p.env).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
    return [
        `# The stand-in with the profile of ${p.repository}; built on ${baseId}.`,
        `FROM ${base}`,
        "COPY profile /hydra/profile",
        ...(env.length ? [`ENV ${env.join(" ")}`] : []),
        `USER ${p.user}`,
        "",
    ].join("\n");
}
