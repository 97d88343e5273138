#!/usr/bin/env bash
# Registration throughput and latency of POST /api/v1/participants.
#
#   bench/register.sh          SQLite
#   bench/register.sh --pg     PostgreSQL: a throwaway cluster from scripts/pg.sh
#                              (unix socket only, stopped on exit), a fresh
#                              database and key file per run
#
# 1. closed loop: wrk -t2 -c64 -d10s with bench/register.lua (every request a
#    new valid person); counts 201s and everything else;
# 2. open loop at fixed rates (RATES, default "1000 2000" per second, 10 s
#    each) with bench/fixed_rate.py: latency from the scheduled send time.
# Every run gets a fresh server on a fresh database (bench/.cache/work/),
# listening on 127.0.0.1 on a free port; afterwards the rows in the database
# are counted and compared with the 201s (an acknowledged registration must
# be there).  Environment: BUILD (build-bench), THREADS, CONNS (64),
# DURATION (10), RATES ("1000 2000"), WRK_THREADS (2), SERVE_ARGS (extra
# flags for prakerja serve), PIN=1 (server on CPU 1, load generator on CPU 0;
# default: both float on both).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build-bench}
CONNS=${CONNS:-64}
DURATION=${DURATION:-10}
RATES=${RATES:-1000 2000}
WRK_THREADS=${WRK_THREADS:-2}
SERVE_ARGS=${SERVE_ARGS:-}
PIN=${PIN:-0}
PG=0
for arg in "$@"; do
  case $arg in
    --pg) PG=1 ;;
    *) echo "usage: bench/register.sh [--pg]" >&2; exit 2 ;;
  esac
done
ON_SERVER=() ON_CLIENT=()
if [ "$PIN" = 1 ]; then ON_SERVER=(taskset -c 1) ON_CLIENT=(taskset -c 0); fi

scripts/deps.sh
if ! command -v wrk >/dev/null 2>&1; then
  as_root=(); [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  "${as_root[@]}" apt-get install -y -qq wrk >/dev/null
fi
[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" --buildtype=release -Dtests=false >/dev/null
ninja -C "$BUILD" >/dev/null
PK=$ROOT/$BUILD/src/cli/prakerja

WORK=$ROOT/bench/.cache/work-register
mkdir -p "$WORK"
SERVER_PID="" PG_DIR=""
stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}
trap 'stop_server; rm -rf "$WORK"; [ -z "$PG_DIR" ] || scripts/pg.sh stop "$PG_DIR" || true' EXIT

DB_ARGS=(--db "$WORK/reg.db")
if [ "$PG" = 1 ]; then
  command -v psql >/dev/null || { echo "psql not found (install postgresql)" >&2; exit 1; }
  env_out=$(scripts/pg.sh start)
  PG_DIR=$(printf '%s\n' "$env_out" | sed -n "s/^PRAKERJA_TEST_PG_DIR='\(.*\)'$/\1/p")
  [ -d "$PG_DIR" ] || { echo "scripts/pg.sh start gave no directory" >&2; exit 1; }
  DB_ARGS=(--db "postgresql:///bench_reg?host=$PG_DIR&user=prakerja" --key-file "$WORK/reg.key")
fi
psql_on() { PGOPTIONS="-c client_min_messages=warning" psql -X -q -At -v ON_ERROR_STOP=1 -h "$PG_DIR" -U prakerja "$@"; }

# start_server: fresh database, free port; sets URL and SERVER_PID.
start_server() {
  rm -f "$WORK"/reg.db* "$WORK"/reg.key "$WORK"/serve.log
  if [ "$PG" = 1 ]; then
    psql_on -d postgres -c "DROP DATABASE IF EXISTS bench_reg" -c CHECKPOINT -c "CREATE DATABASE bench_reg"
  fi
  # the load comes from one address: no per-address connection limit
  # shellcheck disable=SC2086
  "${ON_SERVER[@]}" "$PK" serve "${DB_ARGS[@]}" --listen 127.0.0.1:0 --rate-limits off --per-ip-connections 0 $SERVE_ARGS 2>"$WORK/serve.log" &
  SERVER_PID=$!
  local port=""
  for _ in $(seq 100); do
    port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$WORK/serve.log" | head -1)
    [ -n "$port" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/serve.log" >&2; exit 1; }
    sleep 0.1
  done
  [ -n "$port" ] || { echo "server did not start" >&2; cat "$WORK/serve.log" >&2; exit 1; }
  URL=http://127.0.0.1:$port/api/v1/participants
}

# rows: the participants in the database (call after stop_server).
rows() {
  if [ "$PG" = 1 ]; then psql_on -d bench_reg -c 'SELECT count(*) FROM participant'
  else sqlite3 "$WORK/reg.db" 'SELECT count(*) FROM participant;'; fi
}

echo "database: $([ "$PG" = 1 ] && echo "PostgreSQL $(psql_on -d postgres -c 'SHOW server_version'), throwaway cluster (unix socket, fsync=on)" || echo SQLite)"
echo "pinned: $([ "$PIN" = 1 ] && echo 'server CPU 1, client CPU 0' || echo no)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //');"\
  "$(uname -sr); wrk $(wrk -v 2>&1 | head -1 | cut -d' ' -f2); commit $(git rev-parse --short HEAD 2>/dev/null || cat COMMIT 2>/dev/null || echo '?');"\
  "$(date -u '+%F %T UTC')"

# Does the endpoint exist?  One registration, status only.
start_server
probe=$(python3 - "$URL" <<'EOF'
import json, sys, urllib.request, urllib.error
sys.path.insert(0, "bench")
from fixed_rate import person
body = json.dumps(person(0, 14)).encode()
req = urllib.request.Request(sys.argv[1], data=body, method="POST",
                             headers={"Content-Type": "application/json"})
try:
    with urllib.request.urlopen(req, timeout=10) as r:
        print(r.status)
except urllib.error.HTTPError as e:
    print(e.code, e.read().decode()[:300])
except OSError as e:
    print("error", e)
EOF
)
stop_server
if [ "${probe%% *}" != 201 ]; then
  echo "POST /api/v1/participants did not answer 201 to a valid registration: $probe"
  echo "(the endpoint may not exist yet; bench/register.lua and bench/fixed_rate.py are ready)"
  exit 1
fi

echo
echo "== closed loop: wrk -t$WRK_THREADS -c$CONNS -d${DURATION}s --latency -s bench/register.lua"
start_server
"${ON_CLIENT[@]}" wrk -t"$WRK_THREADS" -c"$CONNS" -d"${DURATION}s" --timeout 10s --latency -s bench/register.lua "$URL" |
  sed -n '/Thread Stats/,$p'
stop_server
echo "rows in the database after the run: $(rows) (must be >= the 201s above)"
grep -v ' 201 ' "$WORK/serve.log" | grep -iv 'listening\|migrat' | head -5 || true

for rate in $RATES; do
  echo
  echo "== open loop: $rate registrations/s for ${DURATION}s, $CONNS connections (bench/fixed_rate.py)"
  start_server
  "${ON_CLIENT[@]}" python3 bench/fixed_rate.py --url "$URL" --rate "$rate" --duration "$DURATION" --connections "$CONNS"
  stop_server
  echo "rows in the database after the run: $(rows)"
done
