#!/usr/bin/env bash
# Builds the rehearsal node's root filesystem: Debian bookworm from debootstrap, with
# Debian's cloud-init and the distribution packages the user-data asks for already
# installed (the container reaches no Debian mirror, so cloud-init's `packages` step
# must find them installed). Cached by a hash of this script and the package list.
#
# Usage: rehearsal/image.sh CACHE_DIR LOCALE [PACKAGE...]    prints the path of the rootfs tarball
set -euo pipefail

cache=$1 locale=$2
shift 2
suite=bookworm
# The packages a DigitalOcean Ubuntu image has and the user-data relies on, plus the
# user-data's own `packages` (passed in by the harness).
base=(cloud-init openssh-server iptables ca-certificates curl gnupg sudo locales tzdata
    e2fsprogs mount util-linux procps kmod iproute2 python3 less)
mapfile -t packages < <(printf '%s\n' "${base[@]}" "$@" | sort -u)

key=$( (cat "${BASH_SOURCE[0]}" && printf '%s\n' "$locale" "${packages[@]}") | sha256sum | cut -c1-16)
out="$cache/rootfs-$key.tar"
if [ -f "$out" ]; then
    echo "$out"
    exit 0
fi

# The mirror this machine's apt uses (deb822 or one-line sources).
mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
    grep -E '^(URIs:|deb )' | grep -oE 'https?://[^ ]+/debian/?' | head -1 || true)
mirror=${mirror:-http://deb.debian.org/debian}
command -v debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; }

mkdir -p "$cache"
root=$(mktemp -d "$cache/build.XXXXXX")
cleanup() {
    for m in proc sys dev/pts dev; do umount "$root/root/$m" 2>/dev/null || true; done
    rm -rf "$root"
}
trap cleanup EXIT
start=$SECONDS
debootstrap --variant=minbase --include=systemd,systemd-sysv,iproute2,ca-certificates "$suite" "$root/root" "$mirror" >"$root/debootstrap.log" 2>&1 ||
    {
        tail -20 "$root/debootstrap.log" >&2
        exit 1
    }
echo "image: debootstrap in $((SECONDS - start))s" >&2

r=$root/root
mount -t proc proc "$r/proc"
mount --bind /dev "$r/dev"
# No service starts inside the chroot.
printf '#!/bin/sh\nexit 101\n' >"$r/usr/sbin/policy-rc.d"
chmod 755 "$r/usr/sbin/policy-rc.d"
# cloud-init is installed afterwards: debootstrap's resolver trips on its dependencies.
chroot "$r" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${packages[@]}" >"$root/apt.log" 2>&1 ||
    {
        tail -20 "$root/apt.log" >&2
        exit 1
    }
echo "image: packages in $((SECONDS - start))s" >&2
# The user-data's locale, generated as Ubuntu's images have it (Debian's locale-gen ignores
# the locale cloud-init names, so cloud-init alone cannot make it here).
if [ "$locale" != C.UTF-8 ]; then
    sed -i "s/^# *\($locale .*\)/\1/" "$r/etc/locale.gen"
    chroot "$r" locale-gen >/dev/null
fi
umount "$r/dev" "$r/proc"
rm -f "$r/usr/sbin/policy-rc.d"

# The node's first boot: NoCloud only, no network configuration (Docker gives eth0 its
# address), and the apt sources kept as they are.
cat >"$r/etc/cloud/cloud.cfg.d/90-rehearsal.cfg" <<'CFG'
datasource_list: [NoCloud, None]
network:
  config: disabled
apt:
  preserve_sources_list: true
CFG
# The container reaches no Debian mirror: an empty source list, no stale indexes.
: >"$r/etc/apt/sources.list"
rm -f "$r"/etc/apt/sources.list.d/*
rm -rf "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/archives/*.deb
# A fresh machine id and host keys on first boot, as on a new droplet.
: >"$r/etc/machine-id"
rm -f "$r"/etc/ssh/ssh_host_*
# Nothing in a container to wait for.
ln -sf /dev/null "$r/etc/systemd/system/systemd-networkd-wait-online.service"

tar -C "$r" -cf "$out.tmp" .
mv "$out.tmp" "$out"
# Older builds are of no further use.
find "$cache" -maxdepth 1 -name 'rootfs-*.tar' ! -name "rootfs-$key.tar" -delete
echo "image: built in $((SECONDS - start))s" >&2
echo "$out"
