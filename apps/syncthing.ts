import { defineApp } from "./app";

export const syncthing = defineApp({
    name: "syncthing",
    description: "File sync between your devices, over the tailnet; UI internal",
    settings: { hostname: "syncthing", image: "syncthing/syncthing:1.30.0" },
    jobs(ctx) {
        return [
            {
                name: "syncthing",
                tasks: [
                    {
                        name: "web",
                        image: ctx.image(),
                        env: { PUID: "1000", PGID: "1000", TZ: ctx.cfg.node.timezone, STGUIADDRESS: "0.0.0.0:8384" },
                        // The image's entrypoint chowns only $HOME (/var/syncthing, also an image
                        // VOLUME) before dropping to PUID; config and the default folder live under it
                        // (syncthing/syncthing: Dockerfile, script/docker-entrypoint.sh). So the whole
                        // home is one bind mount: nothing lands in an anonymous volume.
                        // Owned by PUID:PGID throughout, also what an earlier root-owned config mount left.
                        mounts: [{ source: ctx.data("syncthing"), target: "/var/syncthing", owner: "1000:1000" }],
                        resources: { cpu: 200, memoryMb: 256 },
                    },
                ],
                ports: [
                    { label: "http", to: 8384 },
                    // Peers connect to fixed ports.
                    { label: "listen", to: 22000, static: 22000 },
                    { label: "discovery", to: 21027, static: 21027 },
                ],
                services: [{ name: "syncthing-web", port: "http", check: { type: "http", path: "/rest/noauth/health" } }],
                routes: [{ hostname: ctx.hostname(), visibility: "internal", port: "http" }],
                backupPaths: [ctx.data("syncthing")],
            },
        ];
    },
});
