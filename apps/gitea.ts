import { secretTemplate } from "../vocabulary";
import { defineApp } from "./app";

const JOB = "gitea";

/** Gitea's app.ini: the five secrets are template references, read from the job's variable at render time. */
function appIni(o: { domain: string; host: string; sshHost: string }): string {
    const ref = (item: string) => secretTemplate(JOB, item);
    return `APP_NAME = Gitea
RUN_MODE = prod
RUN_USER = git
WORK_PATH = /data/gitea

[server]
DOMAIN           = ${o.host}.${o.domain}
ROOT_URL         = https://${o.host}.${o.domain}/
HTTP_PORT        = 3000
SSH_DOMAIN       = ${o.sshHost}.${o.domain}
SSH_PORT         = 4222
SSH_LISTEN_PORT  = 22
START_SSH_SERVER = false
LFS_START_SERVER = true
LFS_JWT_SECRET   = ${ref("lfs_jwt_secret")}
OFFLINE_MODE     = true

[database]
DB_TYPE = sqlite3
PATH    = /data/gitea/gitea.db

[security]
INSTALL_LOCK   = true
SECRET_KEY     = ${ref("secret_key")}
INTERNAL_TOKEN = ${ref("internal_token")}

[oauth2]
JWT_SECRET = ${ref("oauth2_jwt_secret")}

[service]
DISABLE_REGISTRATION = true

[metrics]
ENABLED = true
TOKEN   = ${ref("metrics_token")}

[log]
MODE  = console
LEVEL = info
`;
}

export const gitea = defineApp({
    name: "gitea",
    description: "Git hosting: web public, SSH on the tailnet at port 4222",
    settings: { hostname: "git", image: "gitea/gitea:1.24.6" },
    archs: ["amd64", "arm64"],
    secrets: [
        { key: "giteaSecretKey", description: "Gitea SECRET_KEY", generate: { length: 64 } },
        { key: "giteaInternalToken", description: "Gitea INTERNAL_TOKEN", generate: { length: 64 } },
        // Gitea decodes these as 32 bytes of raw base64url: 43 characters.
        { key: "giteaLfsJwtSecret", description: "Gitea LFS_JWT_SECRET (43 base64url characters)", generate: { length: 43 } },
        { key: "giteaOauth2JwtSecret", description: "Gitea oauth2 JWT_SECRET (43 base64url characters)", generate: { length: 43 } },
        // /metrics is on the public route: without a token anyone could read it.
        { key: "giteaMetricsToken", description: "Gitea's metrics TOKEN (Prometheus sends it as a bearer token)", generate: { length: 48 } },
    ],
    jobs(ctx) {
        const host = ctx.hostname();
        const sshHost = `${host}-ssh`;
        return [
            {
                name: JOB,
                tasks: [
                    {
                        name: "web",
                        image: ctx.image(),
                        env: { USER_UID: "1000", USER_GID: "1000" },
                        mounts: [{ source: ctx.data("gitea"), target: "/data" }],
                        files: [{ name: "app.ini", content: appIni({ domain: ctx.cfg.domain, host, sshHost }), mountAt: "/data/gitea/conf/app.ini" }],
                        resources: { cpu: 300, memoryMb: 512, memoryMaxMb: 1024 },
                    },
                ],
                ports: [
                    { label: "http", to: 3000 },
                    // Git over SSH: a fixed port, on the tailnet only.
                    { label: "ssh", to: 22, static: 4222, hostNetwork: "tailscale" },
                ],
                services: [
                    { name: "gitea-web", port: "http", check: { type: "http", path: "/api/healthz" } },
                    { name: "gitea-ssh", port: "ssh", check: { type: "tcp" } },
                ],
                routes: [
                    { hostname: host, visibility: "public", port: "http" },
                    { hostname: sshHost, visibility: "internal", port: "ssh", dnsOnly: true },
                ],
                secrets: {
                    secret_key: ctx.secret("giteaSecretKey"),
                    internal_token: ctx.secret("giteaInternalToken"),
                    lfs_jwt_secret: ctx.secret("giteaLfsJwtSecret"),
                    oauth2_jwt_secret: ctx.secret("giteaOauth2JwtSecret"),
                    metrics_token: ctx.secret("giteaMetricsToken"),
                },
                backupPaths: [ctx.data("gitea"), ctx.data("secrets/gitea.env")],
                // SECRET_KEY encrypts what Gitea stores (2FA secrets, among others): a restore needs it.
                keepSecrets: { items: ["secret_key"], file: ctx.data("secrets/gitea.env") },
                // The live SQLite file is left out for a dump made by the image's own sqlite3
                // (go-gitea/gitea: Dockerfile installs it).
                backupDumps: [
                    {
                        file: ctx.data("dumps/gitea.sql"),
                        task: "web",
                        command: ["sqlite3", "/data/gitea/gitea.db", ".dump"],
                        excludes: [`${ctx.data("gitea")}/gitea/gitea.db*`],
                    },
                ],
                // Gitea answers /metrics only to "Authorization: Bearer <TOKEN>" once TOKEN is set
                // (go-gitea/gitea: routers/web/metrics.go), on every path to it, the public route included.
                metrics: { port: "http", path: "/metrics", token: ctx.secret("giteaMetricsToken") },
            },
        ];
    },
});
