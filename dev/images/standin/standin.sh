#!/bin/sh
# Entrypoint of the dev stand-in image, which carries the production name of every app
# image in the dev estate. It serves each port Nomad gives the task (respond.sh answers),
# and runs the job's own command when this image has that program (a busybox script,
# say). Arguments meant for the real program (`--config.file=…`, `server`) are logged
# and ignored, so the task still serves and its checks pass. A profiled image (profile.sh)
# first checks what the real one demands, and fails where it would.

# PID 1 gets no default signal handlers: stop the listeners and leave on TERM/INT.
listeners=""
stop() {
    # shellcheck disable=SC2086 # a list of PIDs
    [ -n "$listeners" ] && kill $listeners 2>/dev/null
    exit "${1:-0}"
}
trap 'stop 0' TERM INT

# The real image's demands (profile.sh): a wrong owner or a missing variable stops it here.
# shellcheck source=profile.sh
. /hydra/profile.sh
if ! profile_start; then
    echo "hydra stand-in: exiting, as the real image would" >&2
    exit 1
fi

# NOMAD_PORT_<label> holds the container-side port for the docker driver.
for port in $(env | sed -n 's/^NOMAD_PORT_[A-Za-z0-9_]*=\([0-9][0-9]*\)$/\1/p' | sort -un); do
    nc -ll -p "$port" -e /bin/sh /hydra/respond.sh &
    listeners="$listeners $!"
done
echo "hydra stand-in for ${NOMAD_JOB_NAME:-?}/${NOMAD_GROUP_NAME:-?}/${NOMAD_TASK_NAME:-?}: serving port(s)$(env | sed -n 's/^NOMAD_PORT_\([^=]*\)=\(.*\)$/ \1=\2/p' | sort | tr -d '\n')"

if [ $# -gt 0 ]; then
    if command -v "$1" >/dev/null 2>&1; then
        echo "hydra stand-in: running the job's command: $*"
        "$@" &
        listeners="$listeners $!"
        wait $!
        status=$?
        echo "hydra stand-in: the job's command exited with $status"
        stop "$status"
    fi
    echo "hydra stand-in: not running '$*' (no such program here; it is meant for the real image)"
fi

# Wait for a signal; with no port there is no listener to wait on.
while :; do
    sleep 3600 &
    wait $!
done
