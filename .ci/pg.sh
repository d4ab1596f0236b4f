#!/usr/bin/env bash
# Start or stop a throwaway PostgreSQL+PostGIS cluster on 127.0.0.1 for the tests.
#   .ci/pg.sh start DIR PORT   -> prints the SQLAlchemy URL
#   .ci/pg.sh stop DIR
#   .ci/pg.sh restart DIR PORT -> (re)starts the existing cluster in DIR as `start` did, same
#                                 data and port (a database restart under a running app)
set -euo pipefail
PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
action=$1 dir=$2
serve() {  # the running server of DIR's cluster, on 127.0.0.1:PORT only
  as_postgres "'$PGBIN/pg_ctl' -D '$1/data' -l '$1/server.log' -w \
    -o \"-p $2 -k '$1' -c listen_addresses=127.0.0.1 -c fsync=off\" start > /dev/null"
}
as_postgres() { if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi; }
case "$action" in
  start)
    port=$3
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres "$dir"; chmod 755 "$(dirname "$dir")"; fi
    as_postgres "'$PGBIN/initdb' -D '$dir/data' -A trust -U civicmap -E UTF8 > '$dir/initdb.log'"
    serve "$dir" "$port"
    as_postgres "'$PGBIN/createdb' -h 127.0.0.1 -p $port -U civicmap civicmap"
    as_postgres "'$PGBIN/psql' -q -h 127.0.0.1 -p $port -U civicmap -d civicmap \
      -c 'CREATE EXTENSION IF NOT EXISTS postgis'"
    echo "postgresql+psycopg://civicmap@127.0.0.1:$port/civicmap"
    ;;
  restart)
    port=$3
    [ -f "$dir/data/PG_VERSION" ] || { echo "no cluster in $dir: use start" >&2; exit 2; }
    as_postgres "'$PGBIN/pg_ctl' -D '$dir/data' -m fast stop > /dev/null 2>&1" || true
    serve "$dir" "$port"
    echo "postgresql+psycopg://civicmap@127.0.0.1:$port/civicmap"
    ;;
  stop)
    as_postgres "'$PGBIN/pg_ctl' -D '$dir/data' -m fast stop > /dev/null" || true
    ;;
esac
