#!/bin/bash
# The official image's entrypoint contract (docker-library/postgres: 17/trixie/docker-entrypoint.sh),
# written again for Debian's PostgreSQL: as root, hand $PGDATA and the socket folder to postgres
# and start again as postgres; on an empty $PGDATA, refuse to start without POSTGRES_PASSWORD
# (unless POSTGRES_HOST_AUTH_METHOD=trust), run initdb with POSTGRES_USER and the password, allow
# password logins from any host, and create POSTGRES_DB; on a data folder that has a database,
# change nothing (a new POSTGRES_PASSWORD is ignored, as upstream). Init scripts
# (/docker-entrypoint-initdb.d) and POSTGRES_INITDB_ARGS are left out: Hydra uses neither.
set -Eeo pipefail

if [ "${1:0:1}" = - ]; then
    set -- postgres "$@"
fi
if [ "$1" != postgres ]; then
    exec "$@"
fi

POSTGRES_USER=${POSTGRES_USER:-postgres}
POSTGRES_DB=${POSTGRES_DB:-$POSTGRES_USER}

if [ "$(id -u)" = 0 ]; then
    mkdir -p "$PGDATA" /var/run/postgresql
    chmod 0700 "$PGDATA" || :
    chmod 3775 /var/run/postgresql || :
    find "$PGDATA" /var/run/postgresql \! -user postgres -exec chown postgres '{}' +
    # Upstream uses gosu; setpriv (util-linux) does the same here.
    exec setpriv --reuid=postgres --regid=postgres --init-groups "${BASH_SOURCE[0]}" "$@"
fi

if [ -s "$PGDATA/PG_VERSION" ]; then
    printf '\nPostgreSQL Database directory appears to contain a database; Skipping initialization\n\n'
    exec "$@"
fi

if [ -z "${POSTGRES_PASSWORD:-}" ] && [ "${POSTGRES_HOST_AUTH_METHOD:-}" != trust ]; then
    echo "Error: Database is uninitialized and superuser password is not specified." >&2
    echo "       You must specify POSTGRES_PASSWORD to a non-empty value for the superuser." >&2
    exit 1
fi

initdb --username="$POSTGRES_USER" --pwfile=<(printf '%s\n' "${POSTGRES_PASSWORD:-}")
shift
auth=${POSTGRES_HOST_AUTH_METHOD:-$(postgres -C password_encryption "$@")}
printf '\nhost all all all %s\n' "$auth" >>"$PGDATA/pg_hba.conf"

# A socket-only server for the setup.
PGPASSWORD=${POSTGRES_PASSWORD:-} pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p ${PGPORT:-5432}" -w start
if [ "$POSTGRES_DB" != postgres ]; then
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --no-password --no-psqlrc --dbname postgres --set db="$POSTGRES_DB" <<<'CREATE DATABASE :"db";'
fi
pg_ctl -D "$PGDATA" -m fast -w stop
printf '\nPostgreSQL init process complete; ready for start up.\n\n'
exec postgres "$@"
