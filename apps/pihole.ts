import { defineApp } from "./app";

export const pihole = defineApp({
    name: "pihole",
    description: "DNS sinkhole for the tailnet: DNS on port 53 of the tailnet address, web UI internal",
    settings: { hostname: "pihole", image: "pihole/pihole:2025.08.0" },
    archs: ["amd64", "arm64"],
    // Unset, the image assigns a random web password on a fresh start and prints it to the log
    // (pi-hole/docker-pi-hole: test/tests/test_general.py; FTLCONF_webserver_api_password sets it).
    secrets: [{ key: "piholeWebPassword", description: "Pi-hole's web interface password", generate: { length: 32 } }],
    jobs(ctx) {
        return [
            {
                name: "pihole",
                group: "web",
                tasks: [
                    {
                        name: "app",
                        image: ctx.image(),
                        env: {
                            TZ: ctx.cfg.node.timezone,
                            // Queries arrive through Docker's port mapping, not from a local subnet.
                            FTLCONF_dns_listeningMode: "all",
                        },
                        secretEnv: { FTLCONF_webserver_api_password: "web_password" },
                        mounts: [
                            { source: ctx.data("pihole/dnsmasq.d"), target: "/etc/dnsmasq.d" },
                            { source: ctx.data("pihole/conf"), target: "/etc/pihole" },
                        ],
                        // FTL holds the gravity database and rebuilds it from the blocklists: 256 MB is tight.
                        resources: { cpu: 200, memoryMb: 512 },
                    },
                ],
                ports: [
                    { label: "dns", to: 53, static: 53, hostNetwork: "tailscale" },
                    { label: "http", to: 80 },
                    { label: "https", to: 443 },
                ],
                services: [
                    { name: "pihole-web", port: "http", check: { type: "http", path: "/admin/" } },
                    { name: "pihole-dns", port: "dns", check: { type: "tcp" } },
                ],
                routes: [{ hostname: ctx.hostname(), visibility: "internal", port: "http" }],
                secrets: { web_password: ctx.secret("piholeWebPassword") },
                backupPaths: [ctx.data("pihole")],
                // gravity.db (lists, groups, domains) is dumped with FTL's built-in SQLite shell
                // (pi-hole/docker-pi-hole: src/Dockerfile installs no sqlite3; pi-hole/pi-hole's
                // scripts use "pihole-FTL sqlite3 -ni"). The query log (pihole-FTL.db) is history,
                // rewritten all day: left out rather than copied half-written.
                backupDumps: [
                    {
                        file: ctx.data("dumps/pihole-gravity.sql"),
                        task: "app",
                        command: ["pihole-FTL", "sqlite3", "-ni", "/etc/pihole/gravity.db", ".dump"],
                        excludes: [`${ctx.data("pihole/conf")}/gravity.db*`, `${ctx.data("pihole/conf")}/pihole-FTL.db*`],
                    },
                ],
            },
        ];
    },
});
