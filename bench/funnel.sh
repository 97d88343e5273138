#!/usr/bin/env bash
# The funnel (issue #15) at N recipients with journeys, on SQLite: GET
# /api/v1/funnel of the province, a city, a district and a village, and the
# page /corong of the province, each at a fixed rate (bench/fixed_rate.py
# --get: p50/p99 from the scheduled send), served by this tree's release
# build with --rate-limits off.
#
#   bench/funnel.sh [N]      N recipients (default 1000000)
#
# The database is bench/jobs.sh's (BUILD_ONLY=1: N participants, each a
# recipient of one of 30 waves, 4 in 5 with a purchase; its pk_journey rows
# written in one statement, so the journey's counters are kept by their
# triggers as every write keeps them), copied, with an admin added.
# Environment: BUILD (build-bench), RATE (requests/s, 50), DURATION (s, 10).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build-bench}
N=${1:-1000000}
RATE=${RATE:-50}
DURATION=${DURATION:-10}
PASSWORD=Bench-Corong-Kuat-2026

BUILD=$BUILD BUILD_ONLY=1 bench/jobs.sh "$N"
PK=$ROOT/$BUILD/src/cli/prakerja
SRC=$ROOT/bench/.cache/jobs-$N-1.db
WORK=$(mktemp -d)
SPID=
trap '[ -z "$SPID" ] || kill "$SPID" 2>/dev/null; rm -rf "$WORK"' EXIT
cp "$SRC" "$WORK/f.db"
cp "$SRC.key" "$WORK/f.db.key"
"$PK" migrate --db "$WORK/f.db" >/dev/null 2>&1
echo "$PASSWORD" | "$PK" user add --db "$WORK/f.db" --username bench --role admin \
  --password-stdin >/dev/null
tok=$("$PK" token create --db "$WORK/f.db" --username bench 2>/dev/null | python3 -c \
  'import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])["token"])')
echo "recipients: $(sqlite3 "$WORK/f.db" "SELECT count(*) FROM pk_journey");" \
     "journey_count cells: $(sqlite3 "$WORK/f.db" "SELECT count(*) FROM journey_count")" \
     "(load: $(cut -d' ' -f1-3 /proc/loadavg))"

"$PK" serve --db "$WORK/f.db" --listen 127.0.0.1:0 --rate-limits off 2>"$WORK/serve.log" &
SPID=$!
PORT=
for _ in $(seq 300); do
  PORT=$(grep -o '127\.0\.0\.1:[0-9]*' "$WORK/serve.log" | head -1 | cut -d: -f2 || true)
  [ -n "$PORT" ] && break
  sleep 0.1
done
[ -n "$PORT" ] || { echo "server did not start: $(cat "$WORK/serve.log")" >&2; exit 1; }

# one answer, to check it and show its size, then the fixed-rate run
run() { # NAME PATH
  local url="http://127.0.0.1:$PORT$2"
  local st
  st=$(curl -s -o "$WORK/body" -w '%{http_code} %{time_total}' -H "Authorization: Bearer $tok" "$url")
  [ "${st%% *}" = 200 ] || { echo "$1: GET $2 answered ${st%% *}" >&2; return; }
  python3 bench/fixed_rate.py --get --json --url "$url" --header "Authorization: Bearer $tok" \
    --rate "$RATE" --duration "$DURATION" --connections 8 > "$WORK/fr.json"
  python3 - "$1" "$2" "$WORK/fr.json" "${st#* }" <<'PY'
import json, sys
name, path, f, first = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
r = json.load(open(f))
other = sum(v for k, v in r["status"].items() if k != "200")
print("%-9s %-40s first %6.1f ms | fixed %s/s: p50 %7.2f ms  p99 %7.2f ms  (%d not 200)"
      % (name, path, first * 1000, r.get("rate", "?"), r["latency_ms"]["p50"],
         r["latency_ms"]["p99"], other + r["errors"] + r["unanswered"]))
PY
}
run province "/api/v1/funnel?region=31&date=2021-06-01"
run city "/api/v1/funnel?region=31.74&date=2021-06-01"
run district "/api/v1/funnel?region=31.74.01&date=2021-06-01"
run village "/api/v1/funnel?region=31.74.01.1001&date=2021-06-01"
curl -s -H "Authorization: Bearer $tok" "http://127.0.0.1:$PORT/api/v1/funnel?region=31&date=2021-06-01" |
  python3 -c 'import json,sys; b=json.load(sys.stdin); print("province:", {s["step"]: s["count"] for s in b["steps"]}, "at risk", b["at_risk"])'
