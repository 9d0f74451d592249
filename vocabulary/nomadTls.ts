// Where a node keeps Nomad's TLS material (nomad.tls): written by the first boot, read by the agent,
// the CLI on the host (ACL bootstrap, the backup's snapshot).
export const NOMAD_TLS_FILES = {
    dir: "/etc/hydra/nomad-tls",
    ca: "/etc/hydra/nomad-tls/ca.pem",
    cert: "/etc/hydra/nomad-tls/server.pem",
    key: "/etc/hydra/nomad-tls/server-key.pem",
} as const;
