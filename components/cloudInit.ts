// The node's cloud-init user-data: what the old Ansible run and manual steps did,
// as one document built from typed pieces (no string-concatenated YAML).
import * as YAML from "yaml";
import { renderConsulAgentConfig, renderNomadAgentConfig } from "./nomadAgentConfig";

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
}

const TAILNET_INTERFACE = "tailscale0";
const AUTH_KEY_FILE = "/etc/hydra/tailscale-authkey";

export interface WriteFile {
    path: string;
    content: string;
    permissions: string;
    owner?: string;
}

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

/** Installs Tailscale and HashiCorp's packages from their apt repositories and joins the tailnet. */
export function bootstrapScript(o: UserDataOptions): string {
    const packages = [`nomad=${o.nomad.version}-1`, ...(o.consul ? [`consul=${o.consul.version}-1`] : [])];
    const services = ["docker", "prometheus-node-exporter", ...(o.consul ? ["consul"] : []), "nomad"];
    const tags = o.tailscale.tags.length ? ` --advertise-tags=${o.tailscale.tags.join(",")}` : "";
    return `#!/bin/bash
# Hydra node bootstrap, run once by cloud-init after its packages are installed.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
# shellcheck source=/dev/null
codename="$(. /etc/os-release && echo "$VERSION_CODENAME")"
keyrings=/usr/share/keyrings

curl -fsSL --retry 5 "https://pkgs.tailscale.com/stable/ubuntu/\${codename}.noarmor.gpg" -o "$keyrings/tailscale-archive-keyring.gpg"
echo "deb [signed-by=$keyrings/tailscale-archive-keyring.gpg] https://pkgs.tailscale.com/stable/ubuntu \${codename} main" > /etc/apt/sources.list.d/tailscale.list
curl -fsSL --retry 5 https://apt.releases.hashicorp.com/gpg | gpg --dearmor --yes -o "$keyrings/hashicorp-archive-keyring.gpg"
echo "deb [signed-by=$keyrings/hashicorp-archive-keyring.gpg] https://apt.releases.hashicorp.com \${codename} main" > /etc/apt/sources.list.d/hashicorp.list

apt-get update
apt-get install -y tailscale ${packages.join(" ")}
apt-mark hold ${packages.map((p) => p.split("=")[0]).join(" ")}

# Join the tailnet with the one-off key, then forget the key.
systemctl enable --now tailscaled
tailscale up --auth-key="file:${AUTH_KEY_FILE}" --hostname=${o.tailscale.hostname}${tags}
shred -u "${AUTH_KEY_FILE}"

systemctl daemon-reload
systemctl restart ssh
systemctl enable --now ${services.join(" ")}
`;
}

function nomadUnit(consul: boolean, dataDir: string): string {
    const after = ["network-online.target", "tailscaled.service", "docker.service", ...(consul ? ["consul.service"] : [])].join(" ");
    return `[Unit]
Description=Nomad agent (Hydra)
Documentation=https://developer.hashicorp.com/nomad/docs
Wants=${after}
After=${after}
RequiresMountsFor=${dataDir}

[Service]
# Host networks are fingerprinted at start: wait for the tailnet address first.
ExecStartPre=/usr/local/sbin/hydra-wait-tailnet
ExecStart=/usr/bin/nomad agent -config /etc/nomad.d
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

function consulUnit(): string {
    return `[Unit]
Description=Consul agent (Hydra)
Wants=network-online.target tailscaled.service
After=network-online.target tailscaled.service

[Service]
ExecStartPre=/usr/local/sbin/hydra-wait-tailnet
ExecStart=/usr/bin/consul agent -config-dir=/etc/consul.d
ExecReload=/bin/kill -HUP $MAINPID
KillMode=process
Restart=on-failure
LimitNOFILE=65536

[Install]
WantedBy=multi-user.target
`;
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
        {
            path: "/etc/docker/daemon.json",
            content: JSON.stringify({ "log-driver": "json-file", "log-opts": { "max-size": "10m", "max-file": "10" } }, null, 2) + "\n",
            permissions: "0644",
        },
        { path: AUTH_KEY_FILE, content: o.tailscale.authKey + "\n", permissions: "0600", owner: "root:root" },
        {
            path: "/etc/nomad.d/nomad.hcl",
            content: renderNomadAgentConfig({
                datacenter: o.nomad.datacenter,
                region: o.nomad.region,
                publicInterface: o.publicInterface,
                acl: o.nomad.acl,
                consul: o.consul !== undefined,
            }),
            permissions: "0640",
        },
        { path: "/etc/systemd/system/nomad.service", content: nomadUnit(o.consul !== undefined, o.dataDir), permissions: "0644" },
        { path: "/usr/local/sbin/hydra-wait-tailnet", content: waitForTailnetScript(), permissions: "0755" },
        { path: "/usr/local/sbin/hydra-bootstrap", content: bootstrapScript(o), permissions: "0700" },
    ];
    if (o.consul) {
        files.push(
            {
                path: "/etc/consul.d/consul.hcl",
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
        packages: ["ca-certificates", "curl", "gnupg", "docker.io", "prometheus-node-exporter", "restic", "jq"],
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
        runcmd: [["/usr/local/sbin/hydra-bootstrap"]],
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
