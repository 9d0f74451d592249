#!/bin/sh
# One connection to a stand-in port (nc -e gives us the socket as stdin/stdout).
# A TCP check connects and leaves: nothing to answer. An HTTP request gets 200 with the
# job, group and task names; GET /.hydra/digests gets the sha256 of each environment
# variable's value and of each file Nomad rendered or mounted for the task, never a value.

cr=$(printf '\r')
# Silent clients (TCP checks, protocols where the server speaks first) get no answer.
# shellcheck disable=SC3045 # busybox ash has read -t
read -t 10 -r method target _ || exit 0
host=""
# shellcheck disable=SC3045
while read -t 10 -r header; do
    header=${header%"$cr"}
    [ -z "$header" ] && break
    case $header in [Hh][Oo][Ss][Tt]:*) host=$(printf '%s' "${header#*:}" | tr -d ' \t') ;; esac
done

# JSON string from stdin: backslashes and quotes escaped, one line.
quote() {
    sed 's/\\/\\\\/g; s/"/\\"/g' | tr -d '\n\r'
}
names() {
    printf '"job": "%s", "group": "%s", "task": "%s"' "$(printf %s "$NOMAD_JOB_NAME" | quote)" \
        "$(printf %s "$NOMAD_GROUP_NAME" | quote)" "$(printf %s "$NOMAD_TASK_NAME" | quote)"
}

# "digest name" lines for the task's environment, as the container started with it.
env_digests() {
    # shellcheck disable=SC2016 # expanded by the inner sh, once per variable
    xargs -0 -n 1 sh -c 'printf "%s %s\n" "$(printf %s "${1#*=}" | sha256sum | cut -d " " -f 1)" "${1%%=*}"' _ </proc/1/environ | sort -k 2
}

# "digest path" lines for every file under the task's mounts: local/, secrets/ and the
# job's bind mounts. Docker's own (/etc/hosts, …), the kernel's and the shared alloc/ are left out.
file_digests() {
    cut -d " " -f 5 /proc/1/mountinfo | while read -r mountpoint; do
        case $mountpoint in
        / | /proc | /proc/* | /sys | /sys/* | /dev | /dev/* | /alloc | /alloc/* | /etc/hosts | /etc/hostname | /etc/resolv.conf) continue ;;
        esac
        find "$mountpoint" -type f 2>/dev/null
    done | sort -u | head -n 2000 | while read -r file; do
        printf '%s %s\n' "$(sha256sum "$file" | cut -d " " -f 1)" "$file"
    done
}

# Lines "digest name" as the members of a JSON object.
members() {
    first=1
    while read -r digest name; do
        [ $first = 1 ] || printf ',\n'
        first=0
        printf '    "%s": "%s"' "$(printf %s "$name" | quote)" "$digest"
    done
    printf '\n'
}

respond() {
    printf 'HTTP/1.0 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nX-Hydra-Standin: 1\r\n\r\n'
    [ "$method" = HEAD ] && exit 0
    cat
}

# The real app's Host check (Django's ALLOWED_HOSTS), for its own paths; the stand-in's /.hydra/ answers any.
# shellcheck source=profile.sh
. /hydra/profile.sh
case ${target%%\?*} in
/.hydra/*) ;;
*)
    if ! host_allowed "$host"; then
        printf 'HTTP/1.0 400 Bad Request\r\nContent-Type: text/html\r\nConnection: close\r\nX-Hydra-Standin: 1\r\n\r\n'
        printf '<h1>Bad Request (400)</h1>\n'
        exit 0
    fi
    ;;
esac

case ${target%%\?*} in
/.hydra/digests)
    {
        printf '{\n  %s,\n  "env": {\n' "$(names)"
        env_digests | members
        printf '  },\n  "files": {\n'
        file_digests | members
        printf '  }\n}\n'
    } | respond
    ;;
*)
    printf '{"standin": true, %s, "method": "%s", "path": "%s"}\n' "$(names)" "$(printf %s "$method" | quote)" "$(printf %s "$target" | quote)" | respond
    ;;
esac
