#!/usr/bin/env bash
# promtool and prometheus from Debian's prometheus package, unpacked into the tool cache and
# linked into .tools/bin. Only the two binaries: installing the package would also start a
# Prometheus server. promtool checks the rendered rules and config; prometheus, with its web
# templates (web.tar, next to it), goes into the dev estate's Prometheus image (dev/devImages.ts).
#
# Usage: scripts/promtool.sh
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
CACHE_DIR="${HYDRA_TOOLS_CACHE:-${HOME:?set HOME or HYDRA_TOOLS_CACHE}/.cache/hydra-tools}"

version=$(apt-cache policy prometheus 2>/dev/null | awk '/Candidate:/ { print $2 }')
if [ -z "$version" ] || [ "$version" = "(none)" ]; then
    echo "promtool: apt knows no prometheus package; run apt-get update, or install promtool on PATH" >&2
    exit 1
fi
dir="$CACHE_DIR/prometheus-${version//[^A-Za-z0-9.+-]/_}"
if [ ! -x "$dir/promtool" ] || [ ! -x "$dir/prometheus" ] || [ ! -f "$dir/web.tar" ]; then
    work=$(mktemp -d)
    trap 'rm -rf "$work"' EXIT
    (cd "$work" && apt-get download -q "prometheus=$version" >/dev/null 2>&1) || {
        echo "promtool: apt-get download prometheus=$version failed" >&2
        exit 1
    }
    dpkg-deb -x "$work"/prometheus_*.deb "$work/x"
    mkdir -p "$dir"
    install -m 0755 "$work/x/usr/bin/promtool" "$dir/promtool"
    install -m 0755 "$work/x/usr/bin/prometheus" "$dir/prometheus"
    # The classic UI's templates and static files (its JavaScript libraries are other packages').
    tar -C "$work/x/usr/share/prometheus" --owner=0 --group=0 -cf "$dir/web.tar" web
    echo "promtool: promtool and prometheus unpacked from prometheus $version"
fi
mkdir -p "$ROOT/.tools/bin"
ln -sfn "$dir/promtool" "$ROOT/.tools/bin/promtool"
ln -sfn "$dir/prometheus" "$ROOT/.tools/bin/prometheus"
"$ROOT/.tools/bin/promtool" --version 2>&1 | head -n 1
