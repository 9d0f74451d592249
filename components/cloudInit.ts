// The node's cloud-init user-data: what the old Ansible run and manual steps did,
// as one document built from typed pieces (no string-concatenated YAML). Pure: every
// fact it needs (keys, folders, versions) comes in as data.
import * as YAML from "yaml";
import { DataFolder, dataFoldersScript } from "./dataFolders";
import { METADATA_BLOCK_SCRIPT, METADATA_BLOCK_UNIT, metadataBlockScript, metadataBlockUnit } from "./metadataBlock";
import { NOMAD_TLS_FILES } from "../vocabulary/nomadTls";
import { CLUSTER_CONFIG_FILE } from "./clusterAgentConfig";
import { NomadAgentOptions, renderConsulAgentConfig, renderNomadAgentConfig } from "./nomadAgentConfig";
import { CONSUL_CONFIG_DIR, consulUnit, NOMAD_CONFIG_DIR, nomadUnit, WAIT_TAILNET_SCRIPT, waitForTailnetScript } from "./nodeUnits";
import { AUTH_KEY_FILE, tailnetJoinScript } from "./tailnetJoin";
import { APT_CONF, vendorInstallScript, vendorSuiteFunction } from "./vendorPackages";

export interface UserDataOptions {
    hostname: string;
    domain: string;
    adminUser: string;
    sshPublicKeys: string[];
    timezone: string;
    locale: string;
    tailscale: {
        authKey: string;
        hostname: string;
        /** ACL tags to advertise (must match the key's tags when the key is tagged). */
        tags: string[];
    };
    nomad: {
        version: string;
        datacenter: string;
        region: string;
        acl: boolean;
        /** With ACLs: the management token the boot bootstraps Nomad's ACLs with (a UUID). */
        bootstrapToken?: string;
        /** Memory kept for the host (Docker, Tailscale, the agents) outside Nomad's scheduling. */
        reservedMemoryMb: number;
        /** Some job sets memory_max: the scheduler must allow oversubscription, or Nomad ignores it. */
        memoryOversubscription: boolean;
        /** A node of a cluster: its agent's role, and the cluster's drop-in (the primary's comes later, by its join script). */
        cluster?: Pick<NomadAgentOptions, "role" | "publicNetwork"> & { dropIn?: string };
        /** With nomad.tls: the CA and the agent's certificate and key, PEM. */
        tls?: { caCert: string; serverCert: string; serverKey: string; serverName: string };
    };
    consul?: {
        version: string;
        gossipKey: string;
    };
    publicInterface: string;
    /** Where the data volume is mounted and the apps keep their data. */
    dataDir: string;
    /** Block device holding the data (DigitalOcean volume by id); none keeps it on the root disk. */
    dataDevice?: string;
    /** The apps' data folders (every mount source, the proxy's included), made at first boot. */
    dataFolders: DataFolder[];
}

export const BOOTSTRAP_SCRIPT = "/usr/local/sbin/hydra-bootstrap";
const NOMAD_TOKEN_FILE = "/etc/hydra/nomad-bootstrap-token";

export interface WriteFile {
    path: string;
    content: string;
    permissions: string;
    owner?: string;
}

/** The CLI on the node over mTLS: the agent's own certificate doubles as a client one. */
function nomadCliTls(serverName: string): string {
    return `  export NOMAD_CACERT=${NOMAD_TLS_FILES.ca} NOMAD_CLIENT_CERT=${NOMAD_TLS_FILES.cert} NOMAD_CLIENT_KEY=${NOMAD_TLS_FILES.key}
  export NOMAD_TLS_SERVER_NAME=${serverName}
`;
}

/** Bootstraps Nomad's ACLs with the operator's token, once; the token file is removed after. */
function nomadAclBootstrap(tls?: { serverName: string }): string {
    return `if [ -f "${NOMAD_TOKEN_FILE}" ]; then
  NOMAD_ADDR="${tls ? "https" : "http"}://$(tailscale ip -4 | head -n 1):4646"
  export NOMAD_ADDR
${tls ? nomadCliTls(tls.serverName) : ""}  deadline=$(( $(date +%s) + 300 ))
  # Retried until the server has a leader (every second: until this succeeds, a call with the
  # token is refused); a cluster bootstrapped before needs no second one.
  until out="$(nomad acl bootstrap "${NOMAD_TOKEN_FILE}" 2>&1 >/dev/null)" || grep -q "bootstrap already done" <<<"$out"; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      log "Nomad ACL bootstrap failed: $out"
      exit 1
    fi
    sleep 1
  done
  shred -u "${NOMAD_TOKEN_FILE}"
  log "Nomad ACLs bootstrapped with the configured nomadToken"
fi`;
}

/** Installs the vendors' packages, joins the tailnet, makes the data folders, starts the services. */
export function bootstrapScript(o: UserDataOptions): string {
    const packages = ["tailscale", `nomad=${o.nomad.version}-1`, ...(o.consul ? [`consul=${o.consul.version}-1`] : [])];
    const services = ["docker", "prometheus-node-exporter", METADATA_BLOCK_UNIT, ...(o.consul ? ["consul"] : []), "nomad"];
    const sections = [
        `#!/bin/bash
# Hydra node bootstrap, run once by cloud-init after its packages are installed.
# Everything it says goes to the boot log (/var/log/cloud-init-output.log and the console).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
log() { echo "hydra-bootstrap: $*" >&2; }
trap 'log "FAILED at line $LINENO (exit $?)"' ERR
# shellcheck source=/dev/null
codename="$(. /etc/os-release && echo "$VERSION_CODENAME")"`,
        vendorSuiteFunction(),
        vendorInstallScript(packages),
        "# The hardened sshd config first: the recovery path (SSH from one CIDR) must work even if the join fails.\nsystemctl restart ssh",
        tailnetJoinScript({ hostname: o.tailscale.hostname, tags: o.tailscale.tags }),
        dataFoldersScript(o.dataFolders, o.dataDir, o.dataDevice),
        `systemctl daemon-reload\nsystemctl enable --now ${services.join(" ")}`,
        ...(o.nomad.acl && o.nomad.bootstrapToken ? [nomadAclBootstrap(o.nomad.tls)] : []),
        'log "done"',
    ];
    return sections.filter((s) => s !== "").join("\n\n") + "\n";
}

function sshdHardening(adminUser: string): string {
    return [
        "# Managed by Hydra: keys only, no root, only the admin user.",
        "PermitRootLogin no",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "PermitEmptyPasswords no",
        "X11Forwarding no",
        "StrictModes yes",
        `AllowUsers ${adminUser}`,
        "",
    ].join("\n");
}

/** Every file the node needs, in the order cloud-init writes them. */
export function nodeFiles(o: UserDataOptions): WriteFile[] {
    const files: WriteFile[] = [
        { path: "/etc/ssh/sshd_config.d/10-hydra.conf", content: sshdHardening(o.adminUser), permissions: "0644" },
        { path: "/etc/apt/apt.conf.d/90hydra-lock-timeout", content: APT_CONF, permissions: "0644" },
        {
            path: "/etc/docker/daemon.json",
            content: JSON.stringify({ "log-driver": "json-file", "log-opts": { "max-size": "10m", "max-file": "10" } }, null, 2) + "\n",
            permissions: "0644",
        },
        { path: AUTH_KEY_FILE, content: o.tailscale.authKey + "\n", permissions: "0600", owner: "root:root" },
        ...(o.nomad.acl && o.nomad.bootstrapToken
            ? [{ path: NOMAD_TOKEN_FILE, content: o.nomad.bootstrapToken + "\n", permissions: "0600", owner: "root:root" }]
            : []),
        {
            path: `${NOMAD_CONFIG_DIR}/nomad.hcl`,
            content: renderNomadAgentConfig({
                datacenter: o.nomad.datacenter,
                region: o.nomad.region,
                publicInterface: o.publicInterface,
                acl: o.nomad.acl,
                consul: o.consul !== undefined,
                reservedMemoryMb: o.nomad.reservedMemoryMb,
                memoryOversubscription: o.nomad.memoryOversubscription,
                ...(o.nomad.cluster ? { role: o.nomad.cluster.role, publicNetwork: o.nomad.cluster.publicNetwork } : {}),
                tls: o.nomad.tls !== undefined,
            }),
            permissions: "0640",
        },
        ...(o.nomad.cluster?.dropIn ? [{ path: `${NOMAD_CONFIG_DIR}/${CLUSTER_CONFIG_FILE}`, content: o.nomad.cluster.dropIn, permissions: "0640" }] : []),
        ...(o.nomad.tls
            ? [
                  { path: NOMAD_TLS_FILES.ca, content: o.nomad.tls.caCert, permissions: "0644", owner: "root:root" },
                  { path: NOMAD_TLS_FILES.cert, content: o.nomad.tls.serverCert, permissions: "0644", owner: "root:root" },
                  { path: NOMAD_TLS_FILES.key, content: o.nomad.tls.serverKey, permissions: "0600", owner: "root:root" },
              ]
            : []),
        { path: "/etc/systemd/system/nomad.service", content: nomadUnit(o.consul !== undefined, o.dataDir), permissions: "0644" },
        { path: WAIT_TAILNET_SCRIPT, content: waitForTailnetScript(), permissions: "0755" },
        { path: METADATA_BLOCK_SCRIPT, content: metadataBlockScript(), permissions: "0755" },
        { path: `/etc/systemd/system/${METADATA_BLOCK_UNIT}`, content: metadataBlockUnit(), permissions: "0644" },
        { path: BOOTSTRAP_SCRIPT, content: bootstrapScript(o), permissions: "0700" },
    ];
    if (o.consul) {
        files.push(
            {
                path: `${CONSUL_CONFIG_DIR}/consul.hcl`,
                content: renderConsulAgentConfig({ datacenter: o.nomad.datacenter, gossipKey: o.consul.gossipKey }),
                permissions: "0640",
            },
            { path: "/etc/systemd/system/consul.service", content: consulUnit(), permissions: "0644" },
        );
    }
    return files;
}

/** The `#cloud-config` document, as an object (for tests) and as text (for the droplet). */
export function userDataDocument(o: UserDataOptions): Record<string, unknown> {
    const doc: Record<string, unknown> = {
        hostname: o.hostname,
        fqdn: `${o.hostname}.${o.domain}`,
        manage_etc_hosts: true,
        timezone: o.timezone,
        locale: o.locale,
        package_update: true,
        package_upgrade: true,
        packages: ["ca-certificates", "curl", "gnupg", "iptables", "docker.io", "prometheus-node-exporter", "restic", "jq"],
        // Created before packages, so docker.io adopts it and the admin can use Docker.
        groups: ["docker"],
        users: [
            {
                name: o.adminUser,
                groups: ["sudo", "docker"],
                shell: "/bin/bash",
                sudo: "ALL=(ALL) NOPASSWD:ALL",
                lock_passwd: true,
                ssh_authorized_keys: o.sshPublicKeys,
            },
        ],
        disable_root: true,
        ssh_pwauth: false,
        write_files: nodeFiles(o).map((f) => ({
            path: f.path,
            content: f.content,
            permissions: f.permissions,
            ...(f.owner ? { owner: f.owner } : {}),
        })),
        runcmd: [[BOOTSTRAP_SCRIPT]],
    };
    if (o.dataDevice) {
        // nofail: a missing volume must not stop the node from booting; Nomad waits for /data.
        doc.mounts = [[o.dataDevice, o.dataDir, "ext4", "defaults,nofail,discard,noatime,x-systemd.device-timeout=5min", "0", "2"]];
    }
    return doc;
}

export function renderUserData(o: UserDataOptions): string {
    return "#cloud-config\n" + YAML.stringify(userDataDocument(o), { lineWidth: 0 });
}
