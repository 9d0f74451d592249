#!/usr/bin/env bash
# Stands in for the vendors' apt repositories: packages built the way the vendors build
# them, in signed repositories laid out under the vendors' host names, with a CA and a
# server certificate for those names. Nothing here is trusted outside the container.
#
# Usage: rehearsal/vendorRepo.sh OUT_DIR NOMAD_BINARY NOMAD_VERSION SUITE [EXTRA_CONFFILE]
#   EXTRA_CONFFILE: one more path the nomad package ships as a conffile (the conffile control)
#   OUT_DIR/www/<host>/...   what the HTTPS server serves for each host name
#   OUT_DIR/tls/{ca.crt,server.crt,server.key}
set -euo pipefail

out=$1 nomad_bin=$2 nomad_version=$3 suite=$4 extra_conffile=${5:-}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
key=$( (cat "${BASH_SOURCE[0]}" "$here"/standin/* && echo "$nomad_version $suite $extra_conffile" && sha256sum <"$nomad_bin") | sha256sum | cut -c1-16)
dir="$out/repo-$key"
if [ -f "$dir/done" ]; then
    echo "$dir"
    exit 0
fi
command -v apt-ftparchive >/dev/null || { apt-get update -qq && apt-get install -y -qq apt-utils >/dev/null; }
rm -rf "$dir"
mkdir -p "$dir/build" "$dir/www" "$dir/tls"
b=$dir/build

# nomad: HashiCorp builds it with nfpm, where everything under etc/ is `config|noreplace`,
# so /etc/nomad.d/nomad.hcl is a dpkg conffile (the root of the conffile prompt).
p=$b/nomad
mkdir -p "$p/DEBIAN" "$p/usr/bin" "$p/etc/nomad.d" "$p/usr/lib/systemd/system"
cp "$nomad_bin" "$p/usr/bin/nomad"
chmod 755 "$p/usr/bin/nomad"
cp "$here/standin/nomad.hcl" "$p/etc/nomad.d/nomad.hcl"
: >"$p/etc/nomad.d/nomad.env"
cp "$here/standin/nomad.service" "$p/usr/lib/systemd/system/nomad.service"
printf '/etc/nomad.d/nomad.env\n/etc/nomad.d/nomad.hcl\n' >"$p/DEBIAN/conffiles"
if [ -n "$extra_conffile" ]; then
    # A package conffile at a path the user-data also writes: the case dpkg's conffile answers guard against.
    mkdir -p "$p$(dirname "$extra_conffile")"
    cp "$here/standin/nomad.hcl" "$p$extra_conffile"
    echo "$extra_conffile" >>"$p/DEBIAN/conffiles"
fi
cat >"$p/DEBIAN/control" <<CTL
Package: nomad
Version: ${nomad_version}-1
Architecture: amd64
Maintainer: Hydra rehearsal <rehearsal@invalid>
Installed-Size: $(($(du -sk "$p" | cut -f1)))
Section: default
Priority: optional
Homepage: https://www.nomadproject.io/
Description: Stand-in for HashiCorp's nomad package (rehearsal only)
CTL
printf '#!/bin/sh\nset -e\nmkdir -p /opt/nomad/data\n' >"$p/DEBIAN/postinst"
chmod 755 "$p/DEBIAN/postinst"

# tailscale: a CLI whose `up` makes a tailscale0 tun device with a 100.x address, and a
# tailscaled that only stays up. Like Tailscale's package, it ships /etc/default/tailscaled.
p=$b/tailscale
mkdir -p "$p/DEBIAN" "$p/usr/bin" "$p/usr/sbin" "$p/etc/default" "$p/lib/systemd/system"
install -m 755 "$here/standin/tailscale" "$p/usr/bin/tailscale"
install -m 755 "$here/standin/tailscaled" "$p/usr/sbin/tailscaled"
cp "$here/standin/tailscaled.service" "$p/lib/systemd/system/tailscaled.service"
printf 'PORT="41641"\nFLAGS=""\n' >"$p/etc/default/tailscaled"
printf '/etc/default/tailscaled\n' >"$p/DEBIAN/conffiles"
cat >"$p/DEBIAN/control" <<CTL
Package: tailscale
Version: 1.90.9
Architecture: amd64
Maintainer: Hydra rehearsal <rehearsal@invalid>
Section: net
Priority: extra
Depends: iproute2
Description: Stand-in for Tailscale's package (rehearsal only)
CTL
printf '#!/bin/sh\nset -e\nsystemctl daemon-reload || true\nsystemctl enable tailscaled.service || true\n' >"$p/DEBIAN/postinst"
chmod 755 "$p/DEBIAN/postinst"

export GNUPGHOME=$b/gnupg
mkdir -m 700 "$GNUPGHOME"
gpg --batch -q --passphrase '' --quick-gen-key 'Hydra rehearsal apt repository <rehearsal@invalid>' ed25519 sign never 2>/dev/null

# repo ROOT PACKAGE: a signed repository with one suite, as `deb URL SUITE main` reads it.
repo() {
    local root=$1 pkg=$2
    mkdir -p "$root/pool/main" "$root/dists/$suite/main/binary-amd64"
    dpkg-deb --root-owner-group -Zgzip -b "$b/$pkg" "$root/pool/main/" >/dev/null
    (cd "$root" && apt-ftparchive packages pool >"dists/$suite/main/binary-amd64/Packages")
    gzip -k "$root/dists/$suite/main/binary-amd64/Packages"
    apt-ftparchive -o APT::FTPArchive::Release::Suite="$suite" -o APT::FTPArchive::Release::Codename="$suite" \
        -o APT::FTPArchive::Release::Components=main -o APT::FTPArchive::Release::Architectures=amd64 \
        release "$root/dists/$suite" >"$b/Release"
    mv "$b/Release" "$root/dists/$suite/Release"
    gpg --batch -q --yes --clearsign -o "$root/dists/$suite/InRelease" "$root/dists/$suite/Release"
    gpg --batch -q --yes -abs -o "$root/dists/$suite/Release.gpg" "$root/dists/$suite/Release"
}
hashicorp=$dir/www/apt.releases.hashicorp.com
tailscale=$dir/www/pkgs.tailscale.com/stable/ubuntu
repo "$hashicorp" nomad
repo "$tailscale" tailscale
# The keys, where the user-data fetches them: HashiCorp's armored, Tailscale's binary.
gpg --batch -q --armor --export >"$hashicorp/gpg"
gpg --batch -q --export >"$tailscale/$suite.noarmor.gpg"

# A CA of our own, and one certificate for every vendor host name.
t=$dir/tls
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -subj '/CN=Hydra rehearsal CA' \
    -keyout "$b/ca.key" -out "$t/ca.crt" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj '/CN=apt.releases.hashicorp.com' -keyout "$t/server.key" -out "$b/server.csr" 2>/dev/null
printf 'subjectAltName=DNS:apt.releases.hashicorp.com,DNS:pkgs.tailscale.com,DNS:download.docker.com\n' >"$b/san.ext"
openssl x509 -req -in "$b/server.csr" -CA "$t/ca.crt" -CAkey "$b/ca.key" -CAcreateserial -days 30 \
    -extfile "$b/san.ext" -out "$t/server.crt" 2>/dev/null
rm -rf "$b"
touch "$dir/done"
echo "$dir"
