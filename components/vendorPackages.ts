// The bootstrap's apt part: the vendors' repositories (Tailscale, HashiCorp) and the
// installs from them, written so first boot never waits on a prompt or a lock.
import { UBUNTU_LTS } from "../config";

/**
 * Options on every apt-get the bootstrap runs. cloud-init's runcmd has no stdin, so:
 * - DPkg::Lock::Timeout: wait for the dpkg lock (unattended-upgrades holds it at first boot)
 *   instead of failing at once;
 * - --force-confdef/--force-confold: HashiCorp's packages mark everything under etc/ as
 *   conffiles; a file already there would stop dpkg at its "keep or replace?" question.
 */
export const APT_OPTIONS = ["-o DPkg::Lock::Timeout=600", "-o Dpkg::Options::=--force-confdef", "-o Dpkg::Options::=--force-confold"].join(" ");

/** The same lock wait for every apt run on the node, cloud-init's own package installs included. */
export const APT_CONF = '// Managed by Hydra: wait for the dpkg lock instead of failing.\nDPkg::Lock::Timeout "600";\n';

/**
 * A shell function printing the suite to use from a vendor's apt repository: this release's
 * codename when the vendor publishes it, else the previous LTS's (vendors lag new releases
 * by months), said in the boot log. Fails when there is no earlier LTS to fall back to.
 */
export function vendorSuiteFunction(): string {
    const fallbacks = UBUNTU_LTS.slice(0, -1)
        .map((lts, i) => `    ${lts.codename}) previous=${UBUNTU_LTS[i + 1].codename} ;;`)
        .join("\n");
    return `# vendor_suite NAME BASE_URL: the suite of BASE_URL to use for this release.
vendor_suite() {
  local name=$1 base=$2 previous
  if curl -fsSI --retry 5 "$base/dists/$codename/Release" >/dev/null; then
    echo "$codename"
    return 0
  fi
  case "$codename" in
${fallbacks}
    *) log "$name has no apt suite for $codename and no earlier LTS is known"; return 1 ;;
  esac
  if ! curl -fsSI --retry 5 "$base/dists/$previous/Release" >/dev/null; then
    log "$name has no apt suite for $codename nor for $previous"
    return 1
  fi
  log "$name has no apt suite for $codename yet: using $previous (the previous LTS)"
  echo "$previous"
}`;
}

export const TAILSCALE_APT = "https://pkgs.tailscale.com/stable/ubuntu";
export const HASHICORP_APT = "https://apt.releases.hashicorp.com";

/** Adds both vendors' repositories (each on the suite it has) and installs `packages` from them. */
export function vendorInstallScript(packages: string[]): string {
    // Pinned packages are held, so an unattended upgrade never moves them; the rest get security updates.
    const pinned = packages.filter((p) => p.includes("=")).map((p) => p.split("=")[0]);
    return `keyrings=/usr/share/keyrings
tailscale_suite="$(vendor_suite Tailscale ${TAILSCALE_APT})"
hashicorp_suite="$(vendor_suite HashiCorp ${HASHICORP_APT})"
curl -fsSL --retry 5 "${TAILSCALE_APT}/\${tailscale_suite}.noarmor.gpg" -o "$keyrings/tailscale-archive-keyring.gpg"
echo "deb [signed-by=$keyrings/tailscale-archive-keyring.gpg] ${TAILSCALE_APT} \${tailscale_suite} main" > /etc/apt/sources.list.d/tailscale.list
curl -fsSL --retry 5 ${HASHICORP_APT}/gpg | gpg --dearmor --yes -o "$keyrings/hashicorp-archive-keyring.gpg"
echo "deb [signed-by=$keyrings/hashicorp-archive-keyring.gpg] ${HASHICORP_APT} \${hashicorp_suite} main" > /etc/apt/sources.list.d/hashicorp.list

apt-get ${APT_OPTIONS} update
apt-get ${APT_OPTIONS} install -y ${packages.join(" ")}
apt-mark hold ${pinned.join(" ")}`;
}
