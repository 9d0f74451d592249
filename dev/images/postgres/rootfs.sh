#!/usr/bin/env bash
# The root filesystem of the dev estate's real PostgreSQL: Debian trixie from debootstrap with
# Debian's postgresql-17, laid out as the official image is (docker-library/postgres:
# 17/trixie/Dockerfile): a postgres user and group with id 999, no cluster made by the
# package, listen_addresses '*' in the sample configuration initdb copies, a socket folder
# /var/run/postgresql. Trimmed of what a server never reads (apt's caches, documentation,
# the LLVM JIT). Cached by a hash of this script.
#
# Usage: dev/images/postgres/rootfs.sh CACHE_DIR    prints the path of the rootfs tarball
set -euo pipefail

cache=$1
suite=trixie
major=17
key=$(sha256sum "${BASH_SOURCE[0]}" | cut -c1-16)
out="$cache/postgres-$major-rootfs-$key.tar"
if [ -f "$out" ]; then
    echo "$out"
    exit 0
fi
[ "$(id -u)" = 0 ] || {
    echo "postgres rootfs: debootstrap needs root" >&2
    exit 1
}

# The mirror this machine's apt uses (deb822 or one-line sources).
mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
    grep -E '^(URIs:|deb )' | grep -oE 'https?://[^ ]+/debian/?' | head -1 || true)
mirror=${mirror:-http://deb.debian.org/debian}
command -v debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; }

mkdir -p "$cache"
build=$(mktemp -d "$cache/postgres-build.XXXXXX")
r=$build/root
cleanup() {
    umount "$r/proc" 2>/dev/null || true
    rm -rf "$build"
}
trap cleanup EXIT
start=$SECONDS
debootstrap --variant=minbase "$suite" "$r" "$mirror" >"$build/debootstrap.log" 2>&1 || {
    tail -20 "$build/debootstrap.log" >&2
    exit 1
}
echo "postgres rootfs: debootstrap in $((SECONDS - start))s" >&2

mount -t proc proc "$r/proc"
# No service starts inside the chroot.
printf '#!/bin/sh\nexit 101\n' >"$r/usr/sbin/policy-rc.d"
chmod 755 "$r/usr/sbin/policy-rc.d"
# The official image's ids, made before the package would pick others.
chroot "$r" groupadd -r --gid=999 postgres
chroot "$r" useradd -r -g postgres --uid=999 --home-dir=/var/lib/postgresql --shell=/bin/bash postgres
# No "main" cluster: the entrypoint runs initdb on the data folder it is given.
mkdir -p "$r/etc/postgresql-common"
printf 'create_main_cluster = false\n' >"$r/etc/postgresql-common/createcluster.conf"
chroot "$r" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confold "postgresql-$major" tzdata >"$build/apt.log" 2>&1 || {
    tail -20 "$build/apt.log" >&2
    exit 1
}
echo "postgres rootfs: packages in $((SECONDS - start))s" >&2
umount "$r/proc"
rm -f "$r/usr/sbin/policy-rc.d"

sed -ri "s!^#?(listen_addresses)\s*=\s*\S+.*!\1 = '*'!" "$r/usr/share/postgresql/$major/postgresql.conf.sample"
grep -q "^listen_addresses = '\*'" "$r/usr/share/postgresql/$major/postgresql.conf.sample"
install -d -o 999 -g 999 -m 3777 "$r/var/run/postgresql"
install -d -o 999 -g 999 -m 0700 "$r/var/lib/postgresql/data"
install -d -m 0755 "$r/docker-entrypoint-initdb.d"

# What a server in a container never reads.
rm -rf "$r"/var/lib/apt/lists/* "$r"/var/cache/apt/* "$r"/usr/share/doc/* "$r"/usr/share/man/* "$r"/usr/share/info/* \
    "$r/usr/lib/postgresql/$major/lib/bitcode" "$r/usr/lib/postgresql/$major/lib/llvmjit"*.so "$r"/usr/lib/x86_64-linux-gnu/libLLVM*
find "$r/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name 'C.*' -exec rm -rf {} +

tar -C "$r" --numeric-owner -cf "$out.tmp" .
mv "$out.tmp" "$out"
# Older builds are of no further use.
find "$cache" -maxdepth 1 -name "postgres-$major-rootfs-*.tar" ! -name "$(basename "$out")" -delete
echo "postgres rootfs: built in $((SECONDS - start))s, $(du -h "$out" | cut -f1)" >&2
echo "$out"
