// Keeps the droplet's metadata service away from the tasks: the user-data there carries the
// tailnet auth key (and the Nomad bootstrap token), readable by anything that can reach it.

export const METADATA_ADDRESS = "169.254.169.254";
export const METADATA_BLOCK_SCRIPT = "/usr/local/sbin/hydra-block-metadata";
export const METADATA_BLOCK_UNIT = "hydra-block-metadata.service";
/** Nomad's parent cgroup for its tasks on cgroups v2 (client `cgroup_parent`'s default). */
export const NOMAD_CGROUP = "nomad.slice";

/**
 * Installs the rules, idempotently (each is checked before it is added):
 * - DOCKER-USER, which Docker evaluates first for traffic forwarded from its bridges: containers;
 * - OUTPUT for processes in Nomad's cgroup: raw_exec tasks and host-network containers.
 * raw_exec tasks run as root, so this stops accidents, not a task that means harm: root can
 * delete the rule. The README says so.
 */
export function metadataBlockScript(): string {
    return `#!/bin/bash
# Rejects traffic from containers and Nomad tasks to the droplet metadata service.
set -euo pipefail
meta=${METADATA_ADDRESS}
iptables -w -N DOCKER-USER 2>/dev/null || true
iptables -w -C DOCKER-USER -d "$meta" -j REJECT 2>/dev/null || iptables -w -I DOCKER-USER -d "$meta" -j REJECT
# The cgroup must exist for the match to load; Nomad creates it too, mkdir is a no-op then.
mkdir -p /sys/fs/cgroup/${NOMAD_CGROUP}
iptables -w -C OUTPUT -d "$meta" -m cgroup --path ${NOMAD_CGROUP} -j REJECT 2>/dev/null ||
  iptables -w -I OUTPUT -d "$meta" -m cgroup --path ${NOMAD_CGROUP} -j REJECT
echo "metadata service ${METADATA_ADDRESS} blocked for containers and Nomad tasks"
`;
}

/** Re-applies the rules at every boot and whenever Docker restarts (PartOf), before Nomad starts tasks. */
export function metadataBlockUnit(): string {
    return `[Unit]
Description=Block the droplet metadata service for containers and Nomad tasks (Hydra)
After=docker.service
Requires=docker.service
PartOf=docker.service
Before=nomad.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=${METADATA_BLOCK_SCRIPT}

[Install]
WantedBy=multi-user.target docker.service
`;
}
