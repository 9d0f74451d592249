import { JobSpec } from "../vocabulary";
import { defineApp } from "./app";

export const shynet = defineApp({
    name: "shynet",
    description: "Privacy-friendly web analytics (Shynet) with its own Postgres; public",
    settings: { hostname: "shynet", image: "milesmcc/shynet:v0.13.1" },
    secrets: [
        { key: "shynetDbPassword", description: "Shynet's Postgres password", generate: { length: 40 } },
        { key: "shynetDjangoSecretKey", description: "Shynet's DJANGO_SECRET_KEY", generate: { length: 50 } },
    ],
    jobs(ctx): JobSpec[] {
        const host = ctx.hostname();
        const fqdn = `${host}.${ctx.cfg.domain}`;
        // One password, written to both jobs' variables: the database's and the app's.
        const dbPassword = ctx.secret("shynetDbPassword");
        const dbDump = ctx.data("dumps/shynet-db.sql");
        return [
            {
                name: "shynet-db",
                group: "db",
                tasks: [
                    {
                        name: "db",
                        // 13 is past end of life. A major's data directory does not open in another,
                        // so 17 starts in its own directory and is filled from the nightly dump
                        // (README, Apps: "Upgrading Shynet's Postgres").
                        image: "postgres:17.6",
                        env: { POSTGRES_DB: "shynet", POSTGRES_USER: "shynet" },
                        secretEnv: { POSTGRES_PASSWORD: "db_password" },
                        mounts: [{ source: ctx.data("shynet/db17"), target: "/var/lib/postgresql/data" }],
                        resources: { cpu: 200, memoryMb: 256 },
                    },
                ],
                ports: [{ label: "db", to: 5432 }],
                services: [{ name: "shynet-db", port: "db", check: { type: "tcp" } }],
                secrets: { db_password: dbPassword },
                // A dump, not the data directory copied while Postgres writes it. The image's
                // initdb trusts local socket connections (docker-library/postgres:
                // docker-entrypoint.sh adds only "host" lines), so pg_dump needs no password.
                backupPaths: [dbDump, ctx.data("secrets/shynet-db.env")],
                // POSTGRES_PASSWORD is applied when the data directory is first made only.
                keepSecrets: { items: ["db_password"], file: ctx.data("secrets/shynet-db.env") },
                backupDumps: [{ file: dbDump, task: "db", command: ["pg_dump", "--username=shynet", "--clean", "--if-exists", "shynet"] }],
            },
            {
                name: "shynet-app",
                tasks: [
                    {
                        name: "web",
                        image: ctx.image(),
                        env: {
                            DB_NAME: "shynet",
                            DB_USER: "shynet",
                            TIME_ZONE: ctx.cfg.node.timezone,
                            ACCOUNT_SIGNUPS_ENABLED: "False",
                            SCRIPT_USE_HTTPS: "True",
                            ALLOWED_HOSTS: fqdn,
                            CSRF_TRUSTED_ORIGINS: `https://${fqdn}`,
                            PORT: "8080",
                            // Without Redis, Django's cache is per process; upstream runs one
                            // gunicorn worker by default (milesmcc/shynet: shynet/webserver.sh).
                            NUM_WORKERS: "1",
                        },
                        secretEnv: { DB_PASSWORD: "db_password", DJANGO_SECRET_KEY: "django_secret_key" },
                        files: [
                            {
                                // Where the database is now: re-rendered (and the app restarted) when it moves.
                                name: "db.env",
                                content: '{{ range nomadService "shynet-db" }}DB_HOST={{ .Address }}\nDB_PORT={{ .Port }}\n{{ end }}',
                                env: true,
                            },
                        ],
                        resources: { cpu: 200, memoryMb: 384 },
                    },
                ],
                ports: [{ label: "http", to: 8080 }],
                services: [
                    {
                        name: "shynet-web",
                        port: "http",
                        // Django refuses a Host outside ALLOWED_HOSTS with 400 (shynet/shynet/settings.py
                        // reads ALLOWED_HOSTS from the environment), so the check sends the public one.
                        check: { type: "http", path: "/healthz/", headers: { Host: fqdn } },
                    },
                ],
                routes: [{ hostname: host, visibility: "public", port: "http" }],
                secrets: { db_password: dbPassword, django_secret_key: ctx.secret("shynetDjangoSecretKey") },
                // The app starts only once its database is registered.
                dependsOn: ["shynet-db"],
            },
        ];
    },
});
