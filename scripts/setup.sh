#!/usr/bin/env bash
# Everything `npm test` and `npm run dev` need beyond node_modules, installed
# before any test or deployment starts its clock:
#   1. Debian packages (apt-get when root; otherwise the exact command to run);
#   2. the pinned pulumi, nomad and caddy (scripts/tools.sh, cached after the first build);
#   3. promtool and prometheus (scripts/promtool.sh): the tests check rules with promtool, and the
#      dev estate's Prometheus image holds prometheus;
#   4. for the tests, Renovate's validator (scripts/renovate.sh).
#
# Usage: scripts/setup.sh [test|unit|dev]     (default: test)
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
purpose=${1:-test}

case $purpose in
test)
    # cloud-init, shellcheck: artifact checks; restic: the backup job; curl: tests that call URLs;
    # docker.io, busybox-static: the private Docker daemon and the stand-in image (dev/docker.ts);
    # debootstrap, apt-utils: the first-boot rehearsal's root filesystem and vendor repositories.
    packages=(cloud-init shellcheck restic jq curl iproute2 docker.io busybox-static debootstrap apt-utils)
    tools=()
    ;;
unit)
    # npm run test:unit: the artifact checks, and the restore script with the real restic.
    packages=(cloud-init shellcheck restic jq)
    tools=(caddy)
    ;;
dev)
    packages=(restic iproute2 docker.io busybox-static)
    tools=(pulumi pulumi-language-nodejs pulumi-resource-pulumi-nodejs pulumi-analyzer-policy nomad caddy)
    ;;
*)
    echo "usage: scripts/setup.sh [test|unit|dev]" >&2
    exit 2
    ;;
esac

start=$SECONDS
missing=()
for pkg in "${packages[@]}"; do
    # Any Docker engine serves the private daemon (and Docker CE conflicts with docker.io).
    if [ "$pkg" = docker.io ] && PATH="$PATH:/usr/sbin:/sbin" command -v dockerd >/dev/null 2>&1; then
        continue
    fi
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        echo "setup: missing Debian packages: ${missing[*]}" >&2
        echo "setup: install them, then re-run:  sudo apt-get install -y ${missing[*]}" >&2
        exit 1
    fi
    echo "setup: apt-get install ${missing[*]} ..."
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq "${missing[@]}" >/dev/null
    echo "setup: installed ${missing[*]} in $((SECONDS - start))s"
fi

"$SCRIPT_DIR/tools.sh" "${tools[@]}"
# The alert rules and the Prometheus config (test/alerts.test.ts); the dev estate's Prometheus.
"$SCRIPT_DIR/promtool.sh"
if [ "$purpose" = test ]; then
    # Only to validate renovate.json (test/integration/renovateConfig.test.ts).
    "$SCRIPT_DIR/renovate.sh" install
fi
case $purpose in
dev) command="npm run dev" ;;
unit) command="npm run test:unit" ;;
*) command="npm test" ;;
esac
echo "setup: ready for $command in $((SECONDS - start))s"
