#!/usr/bin/env bash
# Renovate's own config validator, pinned and cached like the other tools; never a
# dependency of the program. Installs on first use, with a progress line every 20 s.
#
# Usage: scripts/renovate.sh install
#        scripts/renovate.sh validate [file]     (default: renovate.json; strict)
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
# shellcheck source=scripts/tool-versions.env
source "$SCRIPT_DIR/tool-versions.env"
CACHE_DIR="${HYDRA_TOOLS_CACHE:-${HOME:?set HOME or HYDRA_TOOLS_CACHE}/.cache/hydra-tools}"
DIR="$CACHE_DIR/renovate-$RENOVATE_VERSION"
VALIDATOR="$DIR/node_modules/.bin/renovate-config-validator"

install() {
    if [ -f "$DIR/.complete" ]; then
        return 0
    fi
    rm -rf "$DIR" && mkdir -p "$DIR"
    local start=$SECONDS log="$DIR/install.log"
    echo "renovate: npm install renovate@$RENOVATE_VERSION (for the config validator) ..."
    # --ignore-scripts: re2's build would fetch a prebuilt binary from GitHub; Renovate falls back to RegExp.
    npm install --prefix "$DIR" --no-save --no-audit --no-fund --ignore-scripts "renovate@$RENOVATE_VERSION" >"$log" 2>&1 &
    local pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        sleep 1
        if (((SECONDS - start) % 20 == 0)); then
            echo "renovate: npm install ... $((SECONDS - start))s"
        fi
    done
    if ! wait "$pid" || [ ! -x "$VALIDATOR" ]; then
        echo "renovate: install FAILED after $((SECONDS - start))s; the end of npm's output:" >&2
        tail -n 25 "$log" >&2
        echo "retry with: scripts/renovate.sh install" >&2
        exit 1
    fi
    touch "$DIR/.complete"
    echo "renovate: installed $RENOVATE_VERSION in $((SECONDS - start))s"
}

case ${1:-} in
install)
    install
    ;;
validate)
    install
    "$VALIDATOR" --strict "${2:-$ROOT/renovate.json}"
    ;;
*)
    echo "usage: scripts/renovate.sh install | validate [file]" >&2
    exit 2
    ;;
esac
