#!/bin/sh
# The stand-in's profile of the real image it carries the name of (/hydra/profile, written
# from dev/standinProfiles.ts): sourced by standin.sh, respond.sh and syncthing.sh. Without
# a profile every function succeeds and nothing changes.
# HYDRA_PROFILE_FILE: another place, for the unit tests.
# shellcheck disable=SC1090,SC1091 # the profile exists only in a profiled image
[ -f "${HYDRA_PROFILE_FILE:-/hydra/profile}" ] && . "${HYDRA_PROFILE_FILE:-/hydra/profile}"
PROFILE_IMAGE=${PROFILE_IMAGE:-}

say() { echo "hydra stand-in for ${PROFILE_IMAGE}: $*" >&2; }

# "uid:gid" with the container's environment applied ($PUID, ${USER_UID:-1000}, …).
expand() { eval "printf '%s' \"$1\""; }

# The required environment and the writable folders, as the user this shell runs as.
profile_check() {
    [ -n "$PROFILE_IMAGE" ] || return 0
    failed=0
    while IFS='|' read -r name failure; do
        [ -n "$name" ] || continue
        if [ -z "$(eval "printf '%s' \"\${$name:-}\"")" ]; then
            say "$failure"
            say "the real image needs $name in its environment"
            failed=1
        fi
    done <<LIST
$PROFILE_REQUIRED_ENV
LIST
    while IFS='|' read -r path failure; do
        [ -n "$path" ] || continue
        dir=$(expand "$path")
        probe="$dir/.hydra-standin-write.$$"
        # As the app would: make the folder if its parent allows, then write a file in it (touch:
        # a failed redirection of a special builtin such as `:` would end the shell).
        if ! { mkdir -p "$dir" 2>/dev/null && touch "$probe" 2>/dev/null && rm -f "$probe"; }; then
            say "$failure"
            say "$dir is not writable by $(id -u):$(id -g) (owner $(stat -c %u:%g "$dir" 2>/dev/null || echo "of its parent $(stat -c %u:%g "$(dirname "$dir")" 2>/dev/null)"))"
            failed=1
        fi
    done <<LIST
$PROFILE_WRITABLE
LIST
    return $failed
}

# What the real entrypoint does before the app starts: as root with a user to drop to, hand
# the folders over (unless already that user's, as Gitea's setup does) and check as that user;
# otherwise check as the user the container runs as.
profile_start() {
    [ -n "$PROFILE_IMAGE" ] || return 0
    if [ "$(id -u)" = 0 ] && [ -n "$PROFILE_DROP_TO" ]; then
        owner=$(expand "$PROFILE_DROP_TO")
        echo "$PROFILE_CHOWN" | while read -r path; do
            [ -n "$path" ] || continue
            dir=$(expand "$path")
            mkdir -p "$dir"
            [ "$(stat -c %u:%g "$dir")" = "$owner" ] || chown -R "$owner" "$dir"
        done
        # su needs a name: the app's user, as the real image has one.
        grep -q '^hydra-app:' /etc/passwd || echo "hydra-app:x:${owner%%:*}:${owner#*:}:app:/:/bin/sh" >>/etc/passwd
        grep -q '^hydra-app:' /etc/group || echo "hydra-app:x:${owner#*:}:" >>/etc/group
        su -p -s /bin/sh hydra-app -c '. /hydra/profile.sh && profile_check' || return 1
        say "checked as $owner (dropped from root, as the real entrypoint does)"
        return 0
    fi
    profile_check || return 1
    say "checked as $(id -u):$(id -g)"
}

# Django's ALLOWED_HOSTS check on a Host header ("name" or "name:port"): exact names, ".domain"
# for the domain and its subdomains, "*" for any. No Host, or another one, is refused.
host_allowed() {
    [ -n "${PROFILE_ALLOWED_HOSTS_ENV:-}" ] || return 0
    allowed=$(eval "printf '%s' \"\${$PROFILE_ALLOWED_HOSTS_ENV:-*}\"")
    host=$(printf '%s' "${1%:*}" | tr '[:upper:]' '[:lower:]')
    [ -n "$host" ] || return 1
    # One pattern a line, never globbed ("*" is a pattern here).
    while read -r pattern; do
        case $pattern in
        '*') return 0 ;;
        .*)
            [ "$host" = "${pattern#.}" ] && return 0
            case $host in *"$pattern") return 0 ;; esac
            ;;
        *) [ "$host" = "$pattern" ] && return 0 ;;
        esac
    done <<LIST
$(printf '%s' "$allowed" | tr ',' '\n' | tr -d ' ' | tr '[:upper:]' '[:lower:]')
LIST
    return 1
}
