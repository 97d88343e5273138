#!/usr/bin/env bash
# Starts a throwaway PostgreSQL cluster for tests, with no system service:
# a fresh data directory in a temp dir, listening only on a unix socket in
# that directory, trust authentication for the user "prakerja".
#   eval "$(scripts/pg.sh start)"   prints PRAKERJA_TEST_PG=... and PRAKERJA_TEST_PG_DIR=...
#   scripts/pg.sh stop [DIR]        stops it and removes the directory
#                                   (DIR defaults to $PRAKERJA_TEST_PG_DIR)
# Needs Debian's postgresql package (scripts/deps.sh --test).  As root the
# server runs as the "postgres" system user (initdb refuses root).
set -euo pipefail

bindir=""
for d in /usr/lib/postgresql/*/bin; do
  [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ] && bindir=$d   # the newest wins (glob order)
done
if [ -z "$bindir" ]; then
  echo "pg.sh: no initdb/pg_ctl under /usr/lib/postgresql/*/bin (install postgresql)" >&2
  exit 1
fi

# Runs a command as the cluster's owner.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    if command -v runuser >/dev/null 2>&1; then
      runuser -u postgres -- "$@"
    else
      su postgres -s /bin/sh -c "$(printf '%q ' "$@")"
    fi
  else
    "$@"
  fi
}

cmd=${1:-start}
case "$cmd" in
start)
  if [ "$(id -u)" -eq 0 ] && ! id postgres >/dev/null 2>&1; then
    echo "pg.sh: running as root but there is no 'postgres' user (install postgresql)" >&2
    exit 1
  fi
  dir=$(mktemp -d "${TMPDIR:-/tmp}/prakerja-pg.XXXXXX")
  chmod 700 "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  if ! as_owner "$bindir/initdb" -D "$dir/data" -A trust -U prakerja -E UTF8 --no-locale \
      >"$dir/initdb.log" 2>&1; then
    cat "$dir/initdb.log" >&2
    rm -rf "$dir"
    exit 1
  fi
  if ! as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-c listen_addresses='' -c unix_socket_directories='$dir' -c fsync=on" start \
      >/dev/null; then
    cat "$dir/server.log" >&2
    rm -rf "$dir"
    exit 1
  fi
  for _ in $(seq 1 100); do
    "$bindir/pg_isready" -q -h "$dir" -U prakerja -d postgres && break
    sleep 0.1
  done
  if ! "$bindir/pg_isready" -q -h "$dir" -U prakerja -d postgres; then
    echo "pg.sh: the server did not become ready (log: $dir/server.log)" >&2
    exit 1
  fi
  echo "PRAKERJA_TEST_PG='postgresql:///postgres?host=$dir&user=prakerja'"
  echo "PRAKERJA_TEST_PG_DIR='$dir'"
  echo "export PRAKERJA_TEST_PG PRAKERJA_TEST_PG_DIR"
  ;;
stop)
  dir=${2:-${PRAKERJA_TEST_PG_DIR:-}}
  if [ -z "$dir" ] || [ ! -d "$dir/data" ]; then
    echo "pg.sh stop: give the cluster directory (or set PRAKERJA_TEST_PG_DIR)" >&2
    exit 2
  fi
  as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
  rm -rf "$dir"
  ;;
*)
  echo "usage: scripts/pg.sh [start|stop [DIR]]" >&2
  exit 2
  ;;
esac
