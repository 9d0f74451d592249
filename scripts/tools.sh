#!/usr/bin/env bash
# Make the project's command-line tools available in .tools/bin:
#   pulumi, pulumi-language-nodejs, pulumi-resource-pulumi-nodejs,
#   pulumi-analyzer-policy, nomad, caddy (with dns.providers.cloudflare).
#
# Usage: scripts/tools.sh [TOOL...]     (default: all tools)
#        scripts/tools.sh -h
#
# Versions come from scripts/tool-versions.env. For each tool, in order:
#   1. a binary already on PATH at the pinned version,
#   2. the cache ${HYDRA_TOOLS_CACHE:-$HOME/.cache/hydra-tools}/<tool>-<version>/,
#   3. a build from Go modules (a throwaway wrapper module, then cached),
#   4. otherwise: a message saying what to install, and a non-zero exit.
# .tools/bin then holds symlinks to the binaries and copies of the small
# Pulumi plugin scripts. See docs/tools.md.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
BIN_DIR="$ROOT/.tools/bin"
CACHE_DIR="${HYDRA_TOOLS_CACHE:-${HOME:?set HOME or HYDRA_TOOLS_CACHE}/.cache/hydra-tools}"
ALL_TOOLS=(pulumi pulumi-language-nodejs pulumi-resource-pulumi-nodejs pulumi-analyzer-policy nomad caddy)
TOOL_T0=$SECONDS

# shellcheck source-path=SCRIPTDIR source=tool-versions.env disable=SC1091
. "$SCRIPT_DIR/tool-versions.env"

log() { printf '%s\n' "$*"; }
warn() { printf 'tools.sh: %s\n' "$*" >&2; }
die() {
    warn "$*"
    exit 1
}

usage() {
    cat <<EOF
Usage: scripts/tools.sh [TOOL...]
Make the pinned tools available in .tools/bin (default: all of them).
Tools: ${ALL_TOOLS[*]}
Versions: scripts/tool-versions.env. Cache: \${HYDRA_TOOLS_CACHE:-\$HOME/.cache/hydra-tools}.
EOF
}

# ---------------------------------------------------------------------------
# helpers

# find_on_path NAME: the first NAME on PATH that is not in .tools/bin itself.
find_on_path() {
    local name=$1 dir
    local IFS=:
    for dir in $PATH; do
        [ -n "$dir" ] || continue
        if [ ! -x "$dir/$name" ] || [ -d "$dir/$name" ]; then
            continue
        fi
        if [ -d "$BIN_DIR" ] && [ "$(cd "$dir" 2>/dev/null && pwd -P)" = "$(cd "$BIN_DIR" && pwd -P)" ]; then
            continue
        fi
        printf '%s\n' "$dir/$name"
        return 0
    done
    return 1
}

# link_bin TARGET NAME: .tools/bin/NAME -> TARGET. Replaced by a rename, so a
# pulumi run using .tools/bin at the same time never sees the name missing.
link_bin() {
    mkdir -p "$BIN_DIR"
    [ "$(readlink "$BIN_DIR/$2" 2>/dev/null || true)" = "$1" ] && return 0
    ln -sfn "$1" "$BIN_DIR/.$2.$$"
    mv -Tf "$BIN_DIR/.$2.$$" "$BIN_DIR/$2"
}

# hardlink_bin TARGET NAME: .tools/bin/NAME is a hard link to TARGET (a copy if
# they are on different file systems). Used for pulumi and its language host:
# pulumi looks for its plugins next to its own resolved executable, so with a
# symlink it would find them only via PATH (and warn about each).
hardlink_bin() {
    mkdir -p "$BIN_DIR"
    if [ -f "$BIN_DIR/$2" ] && [ ! -L "$BIN_DIR/$2" ] && [ "$BIN_DIR/$2" -ef "$1" ]; then
        return 0
    fi
    ln -f "$1" "$BIN_DIR/.$2.$$" 2>/dev/null || cp "$1" "$BIN_DIR/.$2.$$"
    mv -Tf "$BIN_DIR/.$2.$$" "$BIN_DIR/$2"
}

# copy_bin SOURCE NAME: copy an executable script into .tools/bin (same way).
copy_bin() {
    mkdir -p "$BIN_DIR"
    if [ -f "$BIN_DIR/$2" ] && [ ! -L "$BIN_DIR/$2" ] && cmp -s "$1" "$BIN_DIR/$2"; then
        return 0
    fi
    cp "$1" "$BIN_DIR/.$2.$$"
    chmod 0755 "$BIN_DIR/.$2.$$"
    mv -Tf "$BIN_DIR/.$2.$$" "$BIN_DIR/$2"
}

# version_ge A B: true if dotted version A >= B
version_ge() {
    [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]
}

# need_go TOOL MIN_GO: succeed if a Go toolchain >= MIN_GO is available, else explain.
need_go() {
    local tool=$1 min=$2 have
    if ! command -v go >/dev/null 2>&1; then
        warn "$tool: not on PATH at the pinned version, not cached, and no Go toolchain to build it."
        warn "$tool: install Go >= $min (then re-run scripts/tools.sh $tool), or put the pinned $tool on PATH."
        return 1
    fi
    have=$(go env GOVERSION)
    have=${have#go}
    have=${have%%[!0-9.]*}
    if ! version_ge "$have" "$min"; then
        warn "$tool: building it needs Go >= $min but 'go' is $have; install a newer Go and re-run."
        return 1
    fi
}

# gomod_path FIELD MODULE@VERSION: a path field (GoMod, Dir) of `go mod download -json`
# for that module, i.e. a path in the module cache (downloads the module).
gomod_path() {
    local json file
    json=$(go mod download -json "$2") || {
        printf '%s\n' "$json" >&2
        return 1
    }
    file=$(printf '%s\n' "$json" | sed -n 's/^[[:space:]]*"'"$1"'": "\(.*\)",\{0,1\}$/\1/p')
    if [ -z "$file" ] || [ ! -e "$file" ]; then
        printf '%s\n' "$json" >&2
        return 1
    fi
    printf '%s\n' "$file"
}

# gomod_file MODULE@VERSION: path of that module's go.mod in the module cache (downloads it).
gomod_file() { gomod_path GoMod "$1"; }

# gomod_dir MODULE@VERSION: the module's extracted source directory in the module cache.
gomod_dir() { gomod_path Dir "$1"; }

# copy_replaces GOMOD: restate in the current module the replace directives of
# GOMOD that point at other module versions (directory replaces are skipped:
# they only work inside that repository). A dependency's replaces are ignored
# by Go, so a wrapper module has to repeat the ones the upstream build relies on.
copy_replaces() {
    local line old new
    while IFS= read -r line; do
        old=$(printf '%s\n' "$line" | sed 's/[[:space:]]*=>.*$//' | awk '{ if (NF == 2) print $1 "@" $2; else print $1 }')
        new=$(printf '%s\n' "$line" | sed 's/^.*=>[[:space:]]*//' | awk '{ if (NF == 2) print $1 "@" $2 }')
        case $new in "" | .* | /*) continue ;; esac
        go mod edit "-replace=$old=$new" || return 1
    done < <(awk '
        { sub(/\/\/.*$/, "") }
        /^replace[ \t]*\($/ { blk = 1; next }
        blk && /^\)/ { blk = 0; next }
        /^replace[ \t]/ { sub(/^replace[ \t]+/, ""); if ($0 ~ /=>/) print; next }
        blk && /=>/ { print }
    ' "$1")
}

# cache_ready DIR RECIPE: the cache dir holds a finished build of exactly RECIPE.
cache_ready() {
    [ -f "$1/.complete" ] && [ "$(cat "$1/recipe" 2>/dev/null)" = "$2" ]
}

# publish_cache TMP DIR RECIPE: move a finished build into place (atomically
# enough for two runs racing on the same machine).
publish_cache() {
    local tmp=$1 dir=$2 recipe=$3
    chmod 0755 "$tmp"
    printf '%s\n' "$recipe" >"$tmp/recipe"
    : >"$tmp/.complete"
    if [ -e "$dir" ]; then
        rm -rf "$dir.old.$$"
        mv "$dir" "$dir.old.$$" 2>/dev/null || true
    fi
    if mv -T "$tmp" "$dir" 2>/dev/null; then
        rm -rf "$dir.old.$$"
    else
        # Someone else published first; keep theirs if it is complete.
        rm -rf "$tmp" "$dir.old.$$"
        cache_ready "$dir" "$recipe" || die "could not publish $dir"
    fi
}

# run_step TOOL STEP LOG CMD...: run CMD with its output appended to LOG. While
# it runs, say every $HEARTBEAT seconds which tool, which step and how long:
# a cold build is silent for minutes otherwise. Returns CMD's status.
HEARTBEAT=${HYDRA_TOOLS_HEARTBEAT:-20}
run_step() {
    local tool=$1 step=$2 logf=$3 pid rc=0 t0=$SECONDS next
    shift 3
    printf '+ %s\n' "$step" >>"$logf"
    "$@" >>"$logf" 2>&1 &
    pid=$!
    next=$((SECONDS + HEARTBEAT))
    while kill -0 "$pid" 2>/dev/null; do
        sleep 1
        if [ "$SECONDS" -ge "$next" ]; then
            log "$tool: $step ... $(elapsed $((SECONDS - t0))) (tool total $(elapsed $((SECONDS - TOOL_T0))))"
            next=$((SECONDS + HEARTBEAT))
        fi
    done
    wait "$pid" || rc=$?
    return "$rc"
}

elapsed() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# go_build_wrapper TOOL WORKDIR OUTPUT PACKAGE LDFLAGS CGO: in the wrapper module
# at WORKDIR (go.mod already written), tidy (which downloads the modules) and
# build PACKAGE to OUTPUT, each as a step with a heartbeat. Output goes to
# WORKDIR/build.log.
go_build_wrapper() {
    local tool=$1 dir=$2 out=$3 pkg=$4 ldflags=$5 cgo=$6
    (
        cd "$dir" &&
            run_step "$tool" "go mod tidy (downloads modules)" "$dir/build.log" go mod tidy &&
            run_step "$tool" "go build $pkg (CGO_ENABLED=$cgo)" "$dir/build.log" \
                env CGO_ENABLED="$cgo" go build -trimpath -ldflags "$ldflags" -o "$out" "$pkg"
    )
}

# build_failed TOOL LOG: name the tool, show the end of Go's output, say how to retry.
build_failed() {
    local tool=$1 logf=$2
    warn "$tool: build FAILED after $(elapsed $((SECONDS - TOOL_T0))); last lines of $logf:"
    tail -n 25 "$logf" >&2 || true
    warn "$tool: fix the cause above, then retry with: scripts/tools.sh $tool"
    warn "$tool: (Go keeps what it downloaded and compiled, so a retry resumes; HYDRA_TOOLS_CACHE=$CACHE_DIR)"
    exit 1
}

# tools_go DIR PACKAGE: a tools.go that makes `go mod tidy` keep PACKAGE's dependencies.
tools_go() {
    cat >"$1/tools.go" <<EOF
//go:build tools

package tools

import _ "$2"
EOF
}

# ---------------------------------------------------------------------------
# pulumi + pulumi-language-nodejs

PULUMI_TAG="v$PULUMI_VERSION"
# Added to the v3.68.0 Node.js language host: a RunPlugin that starts Node.js policy packs.
NODEJS_HOST_PATCH="$SCRIPT_DIR/tools/pulumi-language-nodejs-runplugin.go"

check_pulumi_pin() {
    local pkgjson="$ROOT/package.json" want
    [ -f "$pkgjson" ] || return 0
    want=$(sed -n 's/^[[:space:]]*"@pulumi\/pulumi":[[:space:]]*"[~^]\{0,1\}\([0-9][^"]*\)".*/\1/p' "$pkgjson" | head -n1)
    if [ -n "$want" ] && [ "$want" != "$PULUMI_VERSION" ]; then
        die "package.json pins @pulumi/pulumi $want but scripts/tool-versions.env pins PULUMI_VERSION=$PULUMI_VERSION; make them equal."
    fi
}

pulumi_host_recipe() {
    if [ -n "${PULUMI_LANGUAGE_NODEJS_PSEUDO_VERSION:-}" ]; then
        echo "pulumi-language-nodejs: github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3@$PULUMI_LANGUAGE_NODEJS_PSEUDO_VERSION (pkg/sdk $PULUMI_TAG)"
    else
        # Describes patch_nodejs_host's edits (change the text when changing them)
        # and carries the added file's checksum, so either change rebuilds the host.
        echo "pulumi-language-nodejs: github.com/pulumi/pulumi/sdk/v3@v$PULUMI_LANGUAGE_NODEJS_SDK_VERSION/nodejs/cmd/pulumi-language-nodejs" \
            "patched: RunPlugin from scripts/tools/$(basename "$NODEJS_HOST_PATCH") (sha256 $(sha256sum <"$NODEJS_HOST_PATCH" | cut -c1-16))," \
            "Run's response channel buffered and never closed"
    fi
}

# replace_line_once FILE OLD NEW: replace the line of FILE that is OLD (ignoring
# its indentation, which is kept) by NEW. Fails unless exactly one line matches,
# so a patch that no longer fits the source stops the build instead of
# silently doing nothing.
replace_line_once() {
    local file=$1 old=$2 new=$3 n
    n=$(awk -v o="$old" '{ s = $0; sub(/^[ \t]+/, "", s) } s == o { n++ } END { print n + 0 }' "$file")
    if [ "$n" != 1 ]; then
        echo "replace_line_once: expected exactly one line '$old' in $file, found $n"
        return 1
    fi
    awk -v o="$old" -v r="$new" '{ s = $0; sub(/^[ \t]+/, "", s) }
        s == o { match($0, /^[ \t]*/); print substr($0, 1, RLENGTH) r; next }
        { print }' "$file" >"$file.new" && mv "$file.new" "$file"
}

# patch_nodejs_host WORKDIR PKGDIR: make the wrapper module at WORKDIR the v3.68
# host's main package: copy the package's Go files from PKGDIR (in the module
# cache, left untouched; `go build -overlay` may not replace files there), and
# patch main.go (each edit checked; see docs/tools.md):
#  - its RunPlugin, which only returns "not supported", is renamed out of the
#    way; $NODEJS_HOST_PATCH, added as a file, has the working one;
#  - Run's response channel gets room for all three of its senders and is not
#    closed: a sender that fires after Run returned (the sync-invoke pipe
#    goroutine, when a signal such as the policy pack's SIGCHLD interrupts its
#    open of the removed FIFO) panicked the host with "send on closed channel".
patch_nodejs_host() {
    local dir=$1 pkgdir=$2 f added=hydra_runplugin.go
    for f in "$pkgdir"/*.go; do
        case $f in *_test.go) continue ;; esac
        cp "$f" "$dir/" && chmod u+w "$dir/${f##*/}" || return 1
    done
    [ ! -e "$dir/$added" ] || return 1
    replace_line_once "$dir/main.go" 'func (host *nodeLanguageHost) RunPlugin(' \
        'func (host *nodeLanguageHost) runPluginNotSupported(' &&
        replace_line_once "$dir/main.go" 'responseChannel := make(chan *pulumirpc.RunResponse)' \
            'responseChannel := make(chan *pulumirpc.RunResponse, 3)' &&
        replace_line_once "$dir/main.go" 'defer close(responseChannel)' \
            '// not closed: late senders must not panic (scripts/tools.sh)' || return 1
    cp "$NODEJS_HOST_PATCH" "$dir/$added" && chmod u+w "$dir/$added" || return 1
    echo "+ host package $pkgdir copied here; main.go patched:"
    diff "$pkgdir/main.go" "$dir/main.go"
    echo "+ $added added"
}

build_pulumi() {
    local dir=$1 src t0 gomod
    need_go pulumi 1.25.8 || return 1
    # pulumi CLI
    src="$dir/src/pulumi"
    mkdir -p "$src" "$dir/bin"
    t0=$SECONDS
    log "pulumi: building github.com/pulumi/pulumi/pkg/v3/cmd/pulumi@$PULUMI_TAG from Go modules (log: $src/build.log) ..."
    (
        cd "$src" &&
            go mod init hydra.local/tools/pulumi &&
            go mod edit -go=1.25.8 \
                "-require=github.com/pulumi/pulumi/pkg/v3@$PULUMI_TAG" \
                "-require=github.com/pulumi/pulumi/sdk/v3@$PULUMI_TAG" &&
            gomod=$(gomod_file "github.com/pulumi/pulumi/pkg/v3@$PULUMI_TAG") &&
            copy_replaces "$gomod" &&
            tools_go "$src" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
    ) >>"$src/build.log" 2>&1 || build_failed pulumi "$src/build.log"
    go_build_wrapper pulumi "$src" "$dir/bin/pulumi" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
        "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_TAG" 0 ||
        build_failed pulumi "$src/build.log"
    log "pulumi: built $PULUMI_TAG in $((SECONDS - t0))s"

    # Node.js language host
    src="$dir/src/pulumi-language-nodejs"
    mkdir -p "$src"
    t0=$SECONDS
    local mod pkg ver moddir
    if [ -n "${PULUMI_LANGUAGE_NODEJS_PSEUDO_VERSION:-}" ]; then
        mod=github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3
        pkg=$mod
        ver=$PULUMI_LANGUAGE_NODEJS_PSEUDO_VERSION
        log "pulumi-language-nodejs: building $mod@$ver from Go modules ..."
        (
            cd "$src" &&
                go mod init hydra.local/tools/pulumi-language-nodejs &&
                go mod edit -go=1.25.8 "-require=$mod@$ver" \
                    "-require=github.com/pulumi/pulumi/pkg/v3@$PULUMI_TAG" \
                    "-require=github.com/pulumi/pulumi/sdk/v3@$PULUMI_TAG" &&
                gomod=$(gomod_file "$mod@$ver") &&
                copy_replaces "$gomod" &&
                tools_go "$src" "$pkg"
        ) >>"$src/build.log" 2>&1 || build_failed pulumi-language-nodejs "$src/build.log"
        ver=$PULUMI_TAG
    else
        mod=github.com/pulumi/pulumi/sdk/v3
        pkg=$mod/nodejs/cmd/pulumi-language-nodejs
        ver=v$PULUMI_LANGUAGE_NODEJS_SDK_VERSION
        log "pulumi-language-nodejs: building $pkg@$ver from Go modules, patched to run Node.js policy packs (the v3.229.0 host module is not served; see docs/tools.md) ..."
        (
            cd "$src" &&
                go mod init hydra.local/tools/pulumi-language-nodejs &&
                go mod edit -go=1.20 "-require=$mod@$ver" &&
                gomod=$(gomod_file "$mod@$ver") &&
                copy_replaces "$gomod" &&
                moddir=$(gomod_dir "$mod@$ver") &&
                patch_nodejs_host "$src" "$moddir/nodejs/cmd/pulumi-language-nodejs"
        ) >>"$src/build.log" 2>&1 || build_failed pulumi-language-nodejs "$src/build.log"
        pkg=. # the wrapper module is now the (patched) host package itself
    fi
    go_build_wrapper pulumi-language-nodejs "$src" "$dir/bin/pulumi-language-nodejs" "$pkg" \
        "-X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$ver" 0 ||
        build_failed pulumi-language-nodejs "$src/build.log"
    log "pulumi-language-nodejs: built $ver in $((SECONDS - t0))s"
}

install_pulumi() {
    local found dir tmp recipe
    check_pulumi_pin
    recipe="pulumi $PULUMI_TAG (github.com/pulumi/pulumi/pkg/v3/cmd/pulumi, CGO_ENABLED=0)
$(pulumi_host_recipe)"
    dir="$CACHE_DIR/pulumi-$PULUMI_VERSION"

    if found=$(find_on_path pulumi) &&
        [ "$(PULUMI_SKIP_UPDATE_CHECK=true "$found" version 2>/dev/null || true)" = "$PULUMI_TAG" ] &&
        [ -x "$(dirname "$found")/pulumi-language-nodejs" ]; then
        hardlink_bin "$found" pulumi
        hardlink_bin "$(dirname "$found")/pulumi-language-nodejs" pulumi-language-nodejs
        log "pulumi: using $found ($PULUMI_TAG, on PATH) and the pulumi-language-nodejs beside it"
        return 0
    fi
    if cache_ready "$dir" "$recipe"; then
        log "pulumi: cached $PULUMI_TAG in $dir"
    else
        mkdir -p "$CACHE_DIR"
        tmp=$(mktemp -d "$CACHE_DIR/.pulumi-$PULUMI_VERSION.XXXXXX")
        build_pulumi "$tmp" || {
            rm -rf "$tmp"
            return 1
        }
        publish_cache "$tmp" "$dir" "$recipe"
    fi
    hardlink_bin "$dir/bin/pulumi" pulumi
    hardlink_bin "$dir/bin/pulumi-language-nodejs" pulumi-language-nodejs
    log "pulumi-language-nodejs: $(pulumi_host_recipe | sed 's/^pulumi-language-nodejs: //')"
}

install_pulumi_resource_nodejs() {
    local src="$ROOT/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs" have
    check_pulumi_pin
    if [ ! -f "$src" ]; then
        warn "pulumi-resource-pulumi-nodejs: $src is missing; run 'npm ci' in $ROOT first (it ships in @pulumi/pulumi $PULUMI_VERSION)."
        return 1
    fi
    have=$(sed -n 's/^[[:space:]]*"version":[[:space:]]*"\([^"]*\)".*/\1/p' "$ROOT/node_modules/@pulumi/pulumi/package.json" | head -n1)
    if [ "$have" != "$PULUMI_VERSION" ]; then
        warn "pulumi-resource-pulumi-nodejs: node_modules has @pulumi/pulumi $have, not $PULUMI_VERSION; run 'npm ci'."
        return 1
    fi
    copy_bin "$src" pulumi-resource-pulumi-nodejs
    log "pulumi-resource-pulumi-nodejs: copied from node_modules/@pulumi/pulumi ($have)"
}

install_pulumi_analyzer_policy() {
    copy_bin "$SCRIPT_DIR/pulumi-analyzer-policy" pulumi-analyzer-policy
    log "pulumi-analyzer-policy: copied from scripts/pulumi-analyzer-policy"
}

# ---------------------------------------------------------------------------
# nomad

install_nomad() {
    local found dir tmp recipe src t0 ldflags
    ldflags="-X github.com/hashicorp/nomad/version.GitCommit=$NOMAD_GIT_COMMIT"
    recipe="nomad v$NOMAD_VERSION + github.com/hashicorp/nomad/api@$NOMAD_API_VERSION (CGO_ENABLED=1, -ldflags '$ldflags')"
    dir="$CACHE_DIR/nomad-$NOMAD_VERSION"

    if found=$(find_on_path nomad) && "$found" version 2>/dev/null | head -n1 | grep -q "^Nomad v$NOMAD_VERSION\b"; then
        link_bin "$found" nomad
        log "nomad: using $found (v$NOMAD_VERSION, on PATH)"
        return 0
    fi
    if cache_ready "$dir" "$recipe"; then
        log "nomad: cached v$NOMAD_VERSION in $dir"
    else
        need_go nomad 1.21 || return 1
        if ! command -v gcc >/dev/null 2>&1 && ! command -v cc >/dev/null 2>&1; then
            warn "nomad: building it needs a C compiler (CGO); install gcc (Debian: apt-get install gcc) and re-run."
            return 1
        fi
        mkdir -p "$CACHE_DIR"
        tmp=$(mktemp -d "$CACHE_DIR/.nomad-$NOMAD_VERSION.XXXXXX")
        src="$tmp/src"
        mkdir -p "$src" "$tmp/bin"
        t0=$SECONDS
        log "nomad: building github.com/hashicorp/nomad@v$NOMAD_VERSION from Go modules (log: $src/build.log) ..."
        (
            cd "$src" &&
                go mod init hydra.local/tools/nomad &&
                go mod edit -go=1.21 "-require=github.com/hashicorp/nomad@v$NOMAD_VERSION" \
                    "-require=github.com/hashicorp/nomad/api@$NOMAD_API_VERSION" &&
                gomod=$(gomod_file "github.com/hashicorp/nomad@v$NOMAD_VERSION") &&
                copy_replaces "$gomod" &&
                tools_go "$src" github.com/hashicorp/nomad
        ) >>"$src/build.log" 2>&1 || build_failed nomad "$src/build.log"
        go_build_wrapper nomad "$src" "$tmp/bin/nomad" github.com/hashicorp/nomad "$ldflags" 1 ||
            build_failed nomad "$src/build.log"
        log "nomad: built v$NOMAD_VERSION in $((SECONDS - t0))s"
        publish_cache "$tmp" "$dir" "$recipe"
    fi
    link_bin "$dir/bin/nomad" nomad
}

# ---------------------------------------------------------------------------
# caddy

caddy_main_go() {
    cat <<'EOF'
package main

import (
	caddycmd "github.com/caddyserver/caddy/v2/cmd"

	_ "github.com/caddy-dns/cloudflare"
	_ "github.com/caddyserver/caddy/v2/modules/standard"
)

func main() {
	caddycmd.Main()
}
EOF
}

caddy_ok() {
    "$1" version 2>/dev/null | head -n1 | grep -q "^v$CADDY_VERSION\b" &&
        "$1" list-modules 2>/dev/null | grep -qx 'dns.providers.cloudflare'
}

install_caddy() {
    local found dir tmp recipe src t0
    recipe="caddy v$CADDY_VERSION + github.com/caddy-dns/cloudflare@v$CADDY_CLOUDFLARE_VERSION (CGO_ENABLED=0)"
    dir="$CACHE_DIR/caddy-$CADDY_VERSION"

    if found=$(find_on_path caddy) && caddy_ok "$found"; then
        link_bin "$found" caddy
        log "caddy: using $found (v$CADDY_VERSION with dns.providers.cloudflare, on PATH)"
        return 0
    fi
    if cache_ready "$dir" "$recipe"; then
        log "caddy: cached v$CADDY_VERSION in $dir"
    else
        need_go caddy 1.26 || return 1
        mkdir -p "$CACHE_DIR"
        tmp=$(mktemp -d "$CACHE_DIR/.caddy-$CADDY_VERSION.XXXXXX")
        src="$tmp/src"
        mkdir -p "$src" "$tmp/bin"
        t0=$SECONDS
        log "caddy: building github.com/caddyserver/caddy/v2@v$CADDY_VERSION + github.com/caddy-dns/cloudflare@v$CADDY_CLOUDFLARE_VERSION (log: $src/build.log) ..."
        (
            # "caddy" as the module name, as xcaddy does.
            cd "$src" &&
                go mod init caddy &&
                go mod edit "-require=github.com/caddyserver/caddy/v2@v$CADDY_VERSION" \
                    "-require=github.com/caddy-dns/cloudflare@v$CADDY_CLOUDFLARE_VERSION" &&
                caddy_main_go >main.go
        ) >>"$src/build.log" 2>&1 || build_failed caddy "$src/build.log"
        go_build_wrapper caddy "$src" "$tmp/bin/caddy" . "" 0 || build_failed caddy "$src/build.log"
        caddy_ok "$tmp/bin/caddy" || {
            warn "caddy: the built binary does not report v$CADDY_VERSION with dns.providers.cloudflare"
            exit 1
        }
        log "caddy: built v$CADDY_VERSION in $((SECONDS - t0))s"
        publish_cache "$tmp" "$dir" "$recipe"
    fi
    link_bin "$dir/bin/caddy" caddy
}

# ---------------------------------------------------------------------------
# main

main() {
    local tools=() t status=0 start=$SECONDS
    while [ $# -gt 0 ]; do
        case $1 in
        -h | --help)
            usage
            return 0
            ;;
        -*) die "unknown option $1 (try -h)" ;;
        *)
            case " ${ALL_TOOLS[*]} " in
            *" $1 "*) tools+=("$1") ;;
            *) die "unknown tool '$1'; known: ${ALL_TOOLS[*]}" ;;
            esac
            ;;
        esac
        shift
    done
    [ ${#tools[@]} -gt 0 ] || tools=("${ALL_TOOLS[@]}")

    local did_pulumi=0 fn rc
    for t in "${tools[@]}"; do
        case $t in
        pulumi | pulumi-language-nodejs)
            # Built and cached together; one install serves both names.
            [ $did_pulumi -eq 1 ] && continue
            did_pulumi=1
            fn=install_pulumi
            ;;
        pulumi-resource-pulumi-nodejs) fn=install_pulumi_resource_nodejs ;;
        pulumi-analyzer-policy) fn=install_pulumi_analyzer_policy ;;
        nomad) fn=install_nomad ;;
        caddy) fn=install_caddy ;;
        esac
        # One subshell per tool, run as a plain command so that `set -e` stays
        # in force inside it; one tool failing does not stop the others.
        set +e
        TOOL_T0=$SECONDS
        (
            set -e
            "$fn"
        )
        rc=$?
        set -e
        if [ $rc -ne 0 ]; then
            warn "$t: FAILED (exit $rc)"
            status=1
        fi
    done

    if [ $status -ne 0 ]; then
        warn "some tools are missing (see above)."
        return 1
    fi
    log "done in $((SECONDS - start))s; tools are in .tools/bin. To use them:"
    log "  export PATH=\"$BIN_DIR:\$PATH\""
}

main "$@"
