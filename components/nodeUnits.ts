// The systemd units and helper scripts the node's services run with.
import { TAILNET_INTERFACE } from "./tailnetJoin";

/** Our agents' configs live outside the vendors' packages (their /etc/nomad.d, /etc/consul.d are conffiles). */
export const NOMAD_CONFIG_DIR = "/etc/hydra/nomad.d";
export const CONSUL_CONFIG_DIR = "/etc/hydra/consul.d";
export const WAIT_TAILNET_SCRIPT = "/usr/local/sbin/hydra-wait-tailnet";

/** Waits for tailscale0 to have its tailnet address: Nomad fingerprints host networks only at start. */
export function waitForTailnetScript(timeoutSeconds = 600): string {
    return `#!/bin/bash
# Blocks until ${TAILNET_INTERFACE} has a tailnet IPv4 address (100.64.0.0/10).
set -euo pipefail
deadline=$(( $(date +%s) + ${timeoutSeconds} ))
until ip -4 -o addr show dev ${TAILNET_INTERFACE} 2>/dev/null | grep -q ' inet 100\\.'; do
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "${TAILNET_INTERFACE} has no tailnet address after ${timeoutSeconds}s" >&2
    exit 1
  fi
  sleep 2
done
`;
}

export function nomadUnit(consul: boolean, dataDir: string): string {
    const after = ["network-online.target", "tailscaled.service", "docker.service", ...(consul ? ["consul.service"] : [])].join(" ");
    return `[Unit]
Description=Nomad agent (Hydra)
Documentation=https://developer.hashicorp.com/nomad/docs
Wants=${after}
After=${after}
RequiresMountsFor=${dataDir}

[Service]
# Host networks are fingerprinted at start: wait for the tailnet address first.
ExecStartPre=${WAIT_TAILNET_SCRIPT}
ExecStart=/usr/bin/nomad agent -config ${NOMAD_CONFIG_DIR}
ExecReload=/bin/kill -HUP $MAINPID
KillMode=process
KillSignal=SIGINT
LimitNOFILE=65536
LimitNPROC=infinity
TasksMax=infinity
OOMScoreAdjust=-1000
Restart=on-failure
RestartSec=5
TimeoutStartSec=15min

[Install]
WantedBy=multi-user.target
`;
}

export function consulUnit(): string {
    return `[Unit]
Description=Consul agent (Hydra)
Wants=network-online.target tailscaled.service
After=network-online.target tailscaled.service

[Service]
ExecStartPre=${WAIT_TAILNET_SCRIPT}
ExecStart=/usr/bin/consul agent -config-dir=${CONSUL_CONFIG_DIR}
ExecReload=/bin/kill -HUP $MAINPID
KillMode=process
Restart=on-failure
LimitNOFILE=65536

[Install]
WantedBy=multi-user.target
`;
}
