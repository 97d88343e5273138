#!/usr/bin/env bash
# The funnel (issue #15) at N recipients with journeys, on SQLite: GET
# /api/v1/funnel of the province, a city, a district and a village, each
# timed two ways: SEQ requests one after another on one connection (the
# median ms a request: what one request costs), then a fixed rate
# (bench/fixed_rate.py --get: p50/p99 from the scheduled send), served by
# this tree's release build with --rate-limits off.
#
#   bench/funnel.sh [N]      N recipients (default 1000000)
#
# The database is bench/jobs.sh's (BUILD_ONLY=1: N participants, each a
# recipient of one of 30 waves, 4 in 5 with a purchase; its pk_journey rows
# written in one statement, so the journey's counters are kept by their
# triggers as every write keeps them), copied, migrated, with an admin
# added; DB=PATH (and PATH.key) takes another such database instead.
#
# With BASE_PK=/path/to/an/older/prakerja (a release build of another
# revision), a second server runs it on its own copy of the database (give
# one both can open: DB built by the older one, which the newer migrates),
# and each region is timed PAIRS (3) times on each, alternately (base,
# this, this, base, ...), and the medians are printed side by side: the
# same-run comparison.  The machine's load (uptime) is printed with them.
# ROLE=viewer asks as a viewer (an account without a region), whose hidden
# cells are decided from the province down (app/cells.h), instead of an
# admin; STATS=1 times GET /api/v1/stats of the same regions after the
# funnel's.  Environment: BUILD (build-bench), RATE (requests/s, 50),
# DURATION (s, 10), SEQ (requests, 40), DB, BASE_PK, PAIRS (3), ROLE
# (admin), STATS (0).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build-bench}
N=${1:-1000000}
RATE=${RATE:-50}
DURATION=${DURATION:-10}
SEQ=${SEQ:-40}
BASE_PK=${BASE_PK:-}
PAIRS=${PAIRS:-3}
ROLE=${ROLE:-admin}
STATS=${STATS:-0}
PASSWORD=Bench-Corong-Kuat-2026

if [ -z "${DB:-}" ]; then
  BUILD=$BUILD BUILD_ONLY=1 bench/jobs.sh "$N"
  DB=$ROOT/bench/.cache/jobs-v2-$N-1.db
else
  [ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" --buildtype=release -Dtests=false >/dev/null
  ninja -C "$BUILD" -j2 >/dev/null
fi
PK=$ROOT/$BUILD/src/cli/prakerja
WORK=$(mktemp -d)
PIDS=()
trap 'for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"' EXIT

# serve NAME BINARY: a copy of the database, migrated, an admin and its
# token; the server started; sets PORT_<NAME> and TOK_<NAME>
serve() {
  local name=$1 bin=$2 db=$WORK/$1.db port= tok
  cp "$DB" "$db"
  cp "$DB.key" "$db.key"
  "$bin" migrate --db "$db" >/dev/null 2>&1
  echo "$PASSWORD" | "$bin" user add --db "$db" --username bench --role "$ROLE" \
    --password-stdin >/dev/null
  tok=$("$bin" token create --db "$db" --username bench 2>/dev/null | python3 -c \
    'import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])["token"])')
  "$bin" serve --db "$db" --listen 127.0.0.1:0 --rate-limits off 2>"$WORK/$name.log" &
  PIDS+=($!)
  for _ in $(seq 300); do
    port=$(grep -o '127\.0\.0\.1:[0-9]*' "$WORK/$name.log" | head -1 | cut -d: -f2 || true)
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { echo "$name: server did not start: $(cat "$WORK/$name.log")" >&2; exit 1; }
  printf -v "PORT_$name" '%s' "$port"
  printf -v "TOK_$name" '%s' "$tok"
  echo "$name: $bin; journey_count cells: $(sqlite3 "$db" "SELECT count(*) FROM journey_count");" \
       "city cells: $(sqlite3 "$db" "SELECT count(*) FROM journey_count_city" 2>/dev/null || echo none)"
}

echo "recipients: $(sqlite3 "$DB" "SELECT count(*) FROM pk_journey")"
serve this "$PK"
[ -z "$BASE_PK" ] || serve base "$BASE_PK"

# measure NAME PATH: prints "seq_ms p50_ms p99_ms not200" of one run
measure() {
  local port tok url
  port=PORT_$1; port=${!port}
  tok=TOK_$1; tok=${!tok}
  url="http://127.0.0.1:$port$2"
  python3 - "$port" "$2" "$tok" "$SEQ" <<'PY' > "$WORK/seq"
import http.client, statistics, sys, time
port, path, tok, n = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
ms = []
for i in range(n + 2):
    t = time.perf_counter()
    c.request("GET", path, headers={"Authorization": "Bearer " + tok})
    r = c.getresponse()
    r.read()
    if r.status != 200:
        sys.exit("GET %s answered %d" % (path, r.status))
    if i >= 2:  # the first two warm the connection and the caches
        ms.append((time.perf_counter() - t) * 1000)
print("%.2f" % statistics.median(ms))
PY
  python3 bench/fixed_rate.py --get --json --url "$url" --header "Authorization: Bearer $tok" \
    --rate "$RATE" --duration "$DURATION" --connections 8 > "$WORK/fr.json"
  python3 - "$WORK/fr.json" "$(cat "$WORK/seq")" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
other = sum(v for k, v in r["status"].items() if k != "200")
print(sys.argv[2], "%.2f" % r["latency_ms"]["p50"], "%.2f" % r["latency_ms"]["p99"],
      other + r["errors"] + r["unanswered"])
PY
}

med() { # FILE COLUMN
  awk -v c="$2" '{print $c}' "$1" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
}

run() { # NAME PATH
  local name=$1 path=$2
  : > "$WORK/m-this"; : > "$WORK/m-base"
  if [ -z "$BASE_PK" ]; then
    measure this "$path" >> "$WORK/m-this"
  else
    for i in $(seq 1 "$PAIRS"); do
      if [ $((i % 2)) -eq 1 ]; then order="base this"; else order="this base"; fi
      for who in $order; do measure "$who" "$path" >> "$WORK/m-$who"; done
    done
  fi
  printf '%-9s %-42s this: %7s ms/req  p50 %7s  p99 %7s ms (%s not 200)' "$name" "$path" \
    "$(med "$WORK/m-this" 1)" "$(med "$WORK/m-this" 2)" "$(med "$WORK/m-this" 3)" \
    "$(awk '{s+=$4} END {print s+0}' "$WORK/m-this")"
  if [ -n "$BASE_PK" ]; then
    printf ' | base: %7s ms/req  p50 %7s  p99 %7s ms (%s not 200)' \
      "$(med "$WORK/m-base" 1)" "$(med "$WORK/m-base" 2)" "$(med "$WORK/m-base" 3)" \
      "$(awk '{s+=$4} END {print s+0}' "$WORK/m-base")"
  fi
  printf '  [load %s]\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
}
echo "as $ROLE; fixed rate $RATE/s for $DURATION s; $SEQ sequential requests; medians of" \
     "${PAIRS} pairs when comparing; $(uptime)"
run province "/api/v1/funnel?region=31&date=2021-06-01"
run city "/api/v1/funnel?region=31.74&date=2021-06-01"
run district "/api/v1/funnel?region=31.74.01&date=2021-06-01"
run village "/api/v1/funnel?region=31.74.01.1001&date=2021-06-01"
if [ "$STATS" = 1 ]; then
  run province "/api/v1/stats?region=31"
  run city "/api/v1/stats?region=31.74"
  run district "/api/v1/stats?region=31.74.01"
  run village "/api/v1/stats?region=31.74.01.1001"
fi
curl -s -H "Authorization: Bearer $TOK_this" \
  "http://127.0.0.1:$PORT_this/api/v1/funnel?region=31&date=2021-06-01" |
  python3 -c 'import json,sys; b=json.load(sys.stdin); print("province:", {s["step"]: s["count"] for s in b["steps"]}, "at risk", b["at_risk"])'
if [ -n "$BASE_PK" ]; then
  for who in this base; do
    port=PORT_$who; tok=TOK_$who
    curl -s -H "Authorization: Bearer ${!tok}" \
      "http://127.0.0.1:${!port}/api/v1/funnel?region=31&date=2021-06-01" > "$WORK/ans-$who"
  done
  cmp -s "$WORK/ans-this" "$WORK/ans-base" && echo "the province's answers are identical" ||
    echo "the province's answers DIFFER"
fi
echo "$(uptime)"
