#!/usr/bin/env bash
# The statistics before and after the counters of issue #16, on SQLite.
#
#   bench/stats.sh BEFORE-BINARY [ROWS]     ROWS from bench/gen.py (default 1000000)
#
# BEFORE-BINARY is a release build of a commit before migration 15 (the
# statistics counted from the participants); the after binary is this
# tree's (BUILD, default build-bench).  For each binary, alternately
# (RUNS pairs), a freshly migrated database gets the file by `prakerja import
# participants` (a bulk load: the file is over import_bulk_mb), timed.
# Then each database is served (--rate-limits off) and the API's
# statistics of the province, a city, a district and a village are asked
# for REQS times each, one at a time with curl (the median and the worst
# printed), after one untimed request; then 4 province requests at once.
# Last, the after binary migrates a copy of the before database (the
# migration fills the counters from the rows there are), timed, and
# `prakerja stats verify` checks it, timed.  Environment: BUILD, RUNS (2),
# REQS (5), SEED (1).  Files in bench/.cache/ (git-ignored).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BEFORE=${1:?usage: bench/stats.sh BEFORE-BINARY [ROWS]}
ROWS=${2:-1000000}
BUILD=${BUILD:-build-bench}
RUNS=${RUNS:-2}
REQS=${REQS:-5}
SEED=${SEED:-1}

scripts/deps.sh
[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" --buildtype=release -Dtests=false >/dev/null
ninja -C "$BUILD" -j2 >/dev/null
AFTER=$ROOT/$BUILD/src/cli/prakerja
CACHE=$ROOT/bench/.cache
WORK=$CACHE/work-stats
FILE=$CACHE/stats-$ROWS-s$SEED.csv
mkdir -p "$CACHE" "$WORK"
SPID=
trap '[ -z "$SPID" ] || kill "$SPID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
[ -s "$FILE" ] || python3 bench/gen.py "$ROWS" --seed "$SEED" > "$FILE"

now() { date +%s.%N; }
import_one() { # binary db -> seconds
  rm -f "$2" "$2"-* "$2".key
  "$1" migrate --db "$2" >/dev/null 2>&1   # (untimed: import needs a database)
  local t0; t0=$(now)
  "$1" import participants "$FILE" --db "$2" --scheme 2021 >/dev/null 2>&1
  echo "$(now) - $t0" | bc
}
echo "# $ROWS rows; import (bulk load), $RUNS alternating pairs"
for i in $(seq "$RUNS"); do
  b=$(import_one "$BEFORE" "$WORK/before.db")
  a=$(import_one "$AFTER" "$WORK/after.db")
  echo "import pair $i: before ${b}s, after ${a}s"
done
echo "participants: $(sqlite3 "$WORK/after.db" 'SELECT count(*) FROM participant')," \
     "counter cells: $(sqlite3 "$WORK/after.db" 'SELECT count(*) FROM participant_count')"

serve() { # binary db -> sets PORT (the server in the background)
  local log=$WORK/serve.$RANDOM.log
  "$1" serve --db "$2" --listen 127.0.0.1:0 --rate-limits off 2>"$log" &
  SPID=$!
  for _ in $(seq 100); do
    PORT=$(grep -o '127\.0\.0\.1:[0-9]*' "$log" | head -1 | cut -d: -f2 || true)
    [ -n "$PORT" ] && return 0
    sleep 0.1
  done
  echo "server did not start: $(cat "$log")" >&2; exit 1
}
token() { # binary db -> a staff API token (admin, whole scope)
  local u=bench$RANDOM
  echo "Bench-Statistik-Kuat-2026" | "$1" user add --db "$2" --username "$u" --role admin \
    --password-stdin >/dev/null 2>&1
  "$1" token create --db "$2" --username "$u" 2>/dev/null | python3 -c \
    'import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])["token"])'
}
measure() { # which binary db
  local tok; tok=$(token "$2" "$3")
  serve "$2" "$3"
  for region in 31 31.74 31.74.01 31.74.01.1001; do
    local url="http://127.0.0.1:$PORT/api/v1/stats?region=$region" ts=()
    curl -sf -o /dev/null -H "Authorization: Bearer $tok" "$url"
    for _ in $(seq "$REQS"); do
      ts+=("$(curl -sf -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $tok" "$url")")
    done
    printf '%s\n' "${ts[@]}" | sort -n | awk -v w="$1" -v r="$region" \
      '{a[NR]=$1} END {printf "%s stats ?region=%-14s median %.4fs  worst %.4fs  (%d requests)\n", w, r, a[int((NR+1)/2)], a[NR], NR}'
  done
  local t0 pids=(); t0=$(now)
  for _ in 1 2 3 4; do
    curl -sf -o /dev/null -H "Authorization: Bearer $tok" \
      "http://127.0.0.1:$PORT/api/v1/stats?region=31" &
    pids+=($!)
  done
  wait "${pids[@]}"
  echo "$1 4 province requests at once: $(echo "$(now) - $t0" | bc)s"
  kill "$SPID"
  wait "$SPID" 2>/dev/null || true
}
measure before "$BEFORE" "$WORK/before.db"
measure after "$AFTER" "$WORK/after.db"

cp "$WORK/before.db" "$WORK/migrated.db"
cp "$WORK/before.db.key" "$WORK/migrated.db.key"
t0=$(now)
"$AFTER" migrate --db "$WORK/migrated.db" >/dev/null 2>&1
echo "migration 15 on the before database (counters filled): $(echo "$(now) - $t0" | bc)s"
t0=$(now)
"$AFTER" stats verify --db "$WORK/migrated.db" 2>/dev/null | tail -1
echo "stats verify: $(echo "$(now) - $t0" | bc)s"
