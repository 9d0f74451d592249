// The script that makes a machine you already run (a Raspberry Pi at home) a client of the
// cluster: `pulumi stack output --show-secrets joinScripts.<node> | ssh <node> sudo bash`.
// Pure: the keys and configs come in as text; the script is a secret output because it holds them.
import { Arch } from "../vocabulary";
import { CLUSTER_CONFIG_FILE } from "./clusterAgentConfig";
import { NOMAD_CONFIG_DIR, nomadUnit, WAIT_TAILNET_SCRIPT, waitForTailnetScript } from "./nodeUnits";
import { AUTH_KEY_FILE, tailnetJoinScript } from "./tailnetJoin";
import { APT_OPTIONS, HASHICORP_APT } from "./vendorPackages";

export interface JoinScriptOptions {
    node: string;
    arch: Arch;
    /** Nomad's package version (the one the droplets install). */
    nomadVersion: string;
    /** The base agent config (client only) and the cluster's drop-in. */
    agentConfig: string;
    clusterConfig: string;
    /** A one-off key, or the pasted reusable one. */
    tailnetAuthKey: string;
    tailnetTags: string[];
    /** Where apps placed here keep their data, when any. */
    dataDir?: string;
}

/** A file written by the script, its text in a quoted here-document (no expansion), mode set after. */
function writeFile(path: string, content: string, mode: string): string {
    const end = "HYDRA_EOF";
    if (content.split("\n").includes(end)) {
        throw new Error(`${path}: its text contains the here-document delimiter ${end}`);
    }
    const body = content.endsWith("\n") ? content : content + "\n";
    return `install -d -m 0755 "$(dirname ${path})"\n(umask 077 && cat > ${path} <<'${end}'\n${body}${end}\n)\nchmod ${mode} ${path}`;
}

/** Joins the node: checks the machine, installs Docker, Tailscale and Nomad, writes the agent config, joins the tailnet, starts Nomad. */
export function renderJoinScript(o: JoinScriptOptions): string {
    const tailscaleApt = "https://pkgs.tailscale.com/stable";
    return `#!/bin/bash
# Hydra: makes this machine the Nomad client "${o.node}" of the estate's cluster.
# Run once as root: pulumi stack output --show-secrets joinScripts.${o.node} | ssh ${o.node} sudo bash
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
log() { echo "hydra-join: $*" >&2; }
trap 'log "FAILED at line $LINENO (exit $?)"' ERR
if [ "$(id -u)" != 0 ]; then
  log "run me as root (sudo bash)"
  exit 1
fi

# Debian, Ubuntu or Raspberry Pi OS, on the architecture config declares.
# shellcheck source=/dev/null
. /etc/os-release
case "\${ID}:\${ID_LIKE:-}" in
  ubuntu:*) distro=ubuntu ;;
  debian:* | raspbian:*) distro=debian ;;
  *) log "\${PRETTY_NAME:-this system} is not Debian, Ubuntu or Raspberry Pi OS"; exit 1 ;;
esac
codename="\${VERSION_CODENAME:?/etc/os-release names no release codename}"
arch="$(dpkg --print-architecture)"
if [ "$arch" != "${o.arch}" ]; then
  log "this machine is $arch, but config says nodes.${o.node}.arch is ${o.arch}: fix the config first (jobs are placed by it)"
  exit 1
fi
log "joining as ${o.node}: $distro $codename on $arch"

apt-get ${APT_OPTIONS} update
apt-get ${APT_OPTIONS} install -y ca-certificates curl gnupg docker.io restic
keyrings=/usr/share/keyrings
curl -fsSL --retry 5 "${tailscaleApt}/$distro/$codename.noarmor.gpg" -o "$keyrings/tailscale-archive-keyring.gpg"
echo "deb [signed-by=$keyrings/tailscale-archive-keyring.gpg] ${tailscaleApt}/$distro $codename main" > /etc/apt/sources.list.d/tailscale.list
curl -fsSL --retry 5 ${HASHICORP_APT}/gpg | gpg --dearmor --yes -o "$keyrings/hashicorp-archive-keyring.gpg"
echo "deb [arch=$arch signed-by=$keyrings/hashicorp-archive-keyring.gpg] ${HASHICORP_APT} $codename main" > /etc/apt/sources.list.d/hashicorp.list
apt-get ${APT_OPTIONS} update
apt-get ${APT_OPTIONS} install -y tailscale nomad=${o.nomadVersion}-1
apt-mark hold nomad

${writeFile(`${NOMAD_CONFIG_DIR}/nomad.hcl`, o.agentConfig, "0640")}
${writeFile(`${NOMAD_CONFIG_DIR}/${CLUSTER_CONFIG_FILE}`, o.clusterConfig, "0640")}
${writeFile("/etc/systemd/system/nomad.service", nomadUnit(false, o.dataDir ?? "/"), "0644")}
${writeFile(WAIT_TAILNET_SCRIPT, waitForTailnetScript(), "0755")}
${o.dataDir ? `install -d -m 0755 ${o.dataDir}` : "# No data folder: no app keeps its data here."}

${writeFile(AUTH_KEY_FILE, o.tailnetAuthKey, "0600")}
${tailnetJoinScript({ hostname: o.node, tags: o.tailnetTags })}

systemctl daemon-reload
systemctl enable --now docker nomad
log "done: nomad node status should list ${o.node} as ready within a minute"
`;
}

/** For the primary, which booted before the cluster existed: adds the cluster's drop-in and restarts Nomad. */
export function renderPrimaryJoinScript(node: string, clusterConfig: string): string {
    return `#!/bin/bash
# Hydra: makes "${node}", the first node, a member of the estate's cluster (run once, as root):
# pulumi stack output --show-secrets joinScripts.${node} | ssh ${node} sudo bash
set -euo pipefail
${writeFile(`${NOMAD_CONFIG_DIR}/${CLUSTER_CONFIG_FILE}`, clusterConfig, "0640")}
systemctl restart nomad
echo "hydra-join: ${node} restarted with the cluster's config" >&2
`;
}
