import { defineApp } from "./app";

/** Syncthing's sync port, in the container and on the node's tailnet address. */
const SYNC_PORT = 22000;

/**
 * The task's start script, run as the app's user before Syncthing (syncthing/syncthing
 * v1.30.0 reads no GUI login from its environment or flags, only from config.xml):
 * - `syncthing generate` keeps an existing config and keys and sets the GUI user and
 *   password (stored hashed); the password comes on stdin, never in a process's arguments
 *   (cmd/syncthing/generate: `--gui-password=-`).
 * - Listen addresses: the defaults (where Docker forwards the port) plus the node's tailnet
 *   address, which Syncthing then announces for discovery: inside a Docker bridge it sees only
 *   the container's address (upstream README-Docker.md, "Discovery"). The tailnet address is
 *   bindable thanks to the container's `ip_nonlocal_bind`; Syncthing's listeners share the port
 *   (SO_REUSEPORT).
 */
export const SYNCTHING_START = `#!/bin/sh
set -eu
printf '%s\\n' "$GUI_PASSWORD" | syncthing generate --gui-user="$GUI_USER" --gui-password=- >/dev/null
unset GUI_PASSWORD GUI_USER
config="\${STHOMEDIR:-/var/syncthing/config}/config.xml"
if [ -f "$config" ]; then
    tailnet="\${NOMAD_IP_listen:?}:${SYNC_PORT}"
    sed -i -e '/<listenAddress>/d' -e "s|<options>|<options><listenAddress>default</listenAddress><listenAddress>tcp://$tailnet</listenAddress><listenAddress>quic://$tailnet</listenAddress>|" "$config"
fi
exec syncthing
`;

export const syncthing = defineApp({
    name: "syncthing",
    description: "File sync between your devices, over the tailnet; UI internal",
    settings: { hostname: "syncthing", image: "syncthing/syncthing:1.30.0" },
    archs: ["amd64", "arm64"],
    secrets: [
        { key: "syncthingGuiUser", description: "Syncthing's GUI user name", generate: { length: 12 } },
        { key: "syncthingGuiPassword", description: "Syncthing's GUI password", generate: { length: 32 } },
    ],
    jobs(ctx) {
        return [
            {
                name: "syncthing",
                tasks: [
                    {
                        name: "web",
                        image: ctx.image(),
                        // The image's entrypoint would chown $HOME and drop to PUID 1000 (syncthing/syncthing:
                        // script/docker-entrypoint.sh); the start script runs as that user from the start,
                        // on a home the own-data task has handed over.
                        entrypoint: ["/bin/sh", "/local/start.sh"],
                        user: "1000:1000",
                        env: { TZ: ctx.cfg.node.timezone, STGUIADDRESS: "0.0.0.0:8384" },
                        secretEnv: { GUI_USER: "gui_user", GUI_PASSWORD: "gui_password" },
                        sysctls: { "net.ipv4.ip_nonlocal_bind": "1" },
                        files: [{ name: "start.sh", content: SYNCTHING_START, perms: "0755" }],
                        // The image's $HOME (/var/syncthing, also an image VOLUME) holds the config
                        // (STHOMEDIR=/var/syncthing/config) and the default folder (syncthing/syncthing:
                        // Dockerfile). So the whole home is one bind mount: nothing lands in an anonymous
                        // volume. Owned by 1000:1000 throughout, also what an earlier root-owned config mount left.
                        mounts: [{ source: ctx.data("syncthing"), target: "/var/syncthing", owner: "1000:1000" }],
                        resources: { cpu: 200, memoryMb: 256 },
                    },
                ],
                ports: [
                    { label: "http", to: 8384 },
                    // Peers connect to fixed ports.
                    { label: "listen", to: SYNC_PORT, static: SYNC_PORT },
                    { label: "discovery", to: 21027, static: 21027 },
                ],
                services: [{ name: "syncthing-web", port: "http", check: { type: "http", path: "/rest/noauth/health" } }],
                routes: [{ hostname: ctx.hostname(), visibility: "internal", port: "http" }],
                secrets: { gui_user: ctx.secret("syncthingGuiUser"), gui_password: ctx.secret("syncthingGuiPassword") },
                backupPaths: [ctx.data("syncthing")],
            },
        ];
    },
});
