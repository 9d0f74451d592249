#!/bin/sh
# Stands in for syncthing/syncthing's binary, which the job's start script calls: `generate`
# demands the GUI user and a password on stdin, as the real one is given them; with no
# arguments it becomes the stand-in (serving the task's ports).
if [ "${1:-}" = generate ]; then
    case " $* " in *" --gui-user="?*) ;; *) echo "syncthing stand-in: generate without --gui-user" >&2; exit 2 ;; esac
    case " $* " in *" --gui-password=- "*) ;; *) echo "syncthing stand-in: the password must come on stdin" >&2; exit 2 ;; esac
    # The real one writes its config and keys to $STHOMEDIR: it must be able to (profile.sh).
    # shellcheck source=profile.sh
    . /hydra/profile.sh
    profile_check || exit 1
    read -r password || true
    [ -n "$password" ] || { echo "syncthing stand-in: empty GUI password" >&2; exit 2; }
    echo "syncthing stand-in: GUI login set"
    exit 0
fi
exec /bin/sh /hydra/standin.sh "$@"
