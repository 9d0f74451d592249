#!/bin/sh
# Stands in for the dump programs the backup runs in app containers (sqlite3, pg_dump,
# pihole-FTL): prints a recognisable dump of what it was asked, so the backup runs end to end.
echo "-- hydra stand-in dump: $(basename "$0") $*"
date -u +"-- at %Y-%m-%dT%H:%M:%SZ"
