#!/usr/bin/env bash
# What staff read, at scale (issue #16): latency and throughput of the
# statistics, the dashboard, a name search and a participant's page.
#
#   bench/reads.sh [N]       N participants' rows from bench/gen.py (default 1000000)
#
# Builds, or reuses, a registry of the gen.py file of N rows (seed SEED),
# imported in bulk by a release build: on SQLite it is kept, with the
# file, under READS_CACHE (default /tmp/prakerja-reads; a 1M registry is
# 0.56 GB and its file 175 MB, 10M about ten times that), so a second run
# starts at once; on
# PostgreSQL (when scripts/pg.sh can start a throwaway cluster; BACKENDS
# chooses) it is imported again into that cluster each run.  The server
# is this tree's release build (BUILD, default build-bench), `serve
# --rate-limits off` (one load generator is one client address).  For
# each read, one after the other:
#   - fixed rate: bench/fixed_rate.py --get, RATE requests/s (default
#     200) for DURATION s (10) over CONNS connections (64); latency from
#     each request's scheduled time (coordinated omission counted);
#   - closed loop: wrk -t2 -cCONNS -dDURATIONs --latency (bench/reads.lua);
#   before them WARMUP s (default 2) of the closed loop, not measured.
# Reads: GET /api/v1/stats?region= the province 31, the city 31.74, the
# district 31.74.01, the village 31.74.01.1001 (an admin's API token);
# /dasbor, /peserta?q=QUERY (default Budi; several words: one load each,
# "search:WORD") and /peserta/{id} with ids
# drawn from the registry's (an admin's session).  The search and the
# page each write an access-log entry, as they do in service, so the
# registry grows by those rows run after run.  Prints one line per read
# and load, then a table; the load average before and after.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
N=${1:-1000000}
SEED=${SEED:-1}
BUILD=${BUILD:-build-bench}
CACHE=${READS_CACHE:-/tmp/prakerja-reads}
RATE=${RATE:-200}
DURATION=${DURATION:-10}
CONNS=${CONNS:-64}
QUERY=${QUERY:-Budi}
WARMUP=${WARMUP:-2}
BACKENDS=${BACKENDS:-sqlite pg}
READS=${READS:-province city district village dasbor search participant}

scripts/deps.sh --bench
[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" --buildtype=release -Dtests=false >/dev/null
ninja -C "$BUILD" -j2 >/dev/null
PK=$ROOT/$BUILD/src/cli/prakerja
mkdir -p "$CACHE"
chmod 700 "$CACHE"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/prakerja-reads-work.XXXXXX")
SPID=
PG_DIR=
cleanup() {
  [ -z "$SPID" ] || { kill "$SPID" 2>/dev/null || true; wait "$SPID" 2>/dev/null || true; }
  [ -z "$PG_DIR" ] || scripts/pg.sh stop "$PG_DIR" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
since() { echo "$(now) - $1" | bc; }
PASSWORD=Bench-Baca-Data-Kuat-2026

echo "# bench/reads.sh: $N rows (gen.py seed $SEED), $(nproc) CPUs, $(uname -sr)," \
     "commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'); load average $(cut -d' ' -f1-3 /proc/loadavg)"

FILE=$CACHE/people-$N-s$SEED.csv
if [ ! -s "$FILE" ]; then
  t0=$(now)
  python3 bench/gen.py "$N" --seed "$SEED" > "$FILE.tmp"
  mv "$FILE.tmp" "$FILE"
  echo "generated $FILE in $(since "$t0") s"
fi

# import DB [key-file args...]: migrate, bulk import, an admin account
import_into() {
  local db=$1; shift
  "$PK" migrate --db "$db" "$@" >/dev/null
  local t0; t0=$(now)
  "$PK" import participants "$FILE" --db "$db" "$@" --scheme 2021 >"$WORK/import.json" 2>/dev/null
  echo "imported $N rows in bulk in $(since "$t0") s: $(tail -c 300 "$WORK/import.json" | tr -d '\n')"
  echo "$PASSWORD" | "$PK" user add --db "$db" "$@" --username bench --role admin \
    --password-stdin >/dev/null
}

serve() { # DB [args...] -> PORT, SPID
  local log=$WORK/serve.log
  "$PK" serve --db "$@" --listen 127.0.0.1:0 --rate-limits off 2>"$log" &
  SPID=$!
  PORT=
  for _ in $(seq 300); do
    PORT=$(grep -o '127\.0\.0\.1:[0-9]*' "$log" | head -1 | cut -d: -f2 || true)
    [ -n "$PORT" ] && return 0
    sleep 0.1
  done
  echo "server did not start: $(cat "$log")" >&2
  exit 1
}

# an admin session's cookies (the login form, its CSRF token), as a header
session_cookie() {
  python3 - "$PORT" "$PASSWORD" <<'PY'
import http.client, re, sys, urllib.parse
port, pw = int(sys.argv[1]), sys.argv[2]
jar = {}
def req(method, path, body=None):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    h = {"Cookie": "; ".join("%s=%s" % kv for kv in jar.items())}
    if body is not None:
        h["Content-Type"] = "application/x-www-form-urlencoded"
    c.request(method, path, body, h)
    r = c.getresponse()
    text = r.read().decode()
    for k, v in r.getheaders():
        if k.lower() == "set-cookie":
            name, _, val = v.split(";")[0].partition("=")
            jar[name.strip()] = val
    return r.status, text
st, text = req("GET", "/masuk")
csrf = re.search(r'name="_csrf" value="([^"]*)"', text).group(1)
st, _ = req("POST", "/masuk", urllib.parse.urlencode(
    {"_csrf": csrf, "nama_pengguna": "bench", "kata_sandi": pw}))
assert st == 303, "login: %d" % st
print("; ".join("%s=%s" % kv for kv in jar.items()))
PY
}

# fixed and closed loads on one read: NAME PATH AUTH-HEADER [IDS]
RESULTS=$WORK/results.txt
load() {
  local name=$1 path=$2 header=$3 ids=${4:-}
  local url="http://127.0.0.1:$PORT$path" st
  st=$(curl -s -o /dev/null -w '%{http_code}' -H "$header" "${url/\{id\}/$((${ids%%:*} + 1))}")
  if [ "$st" != 200 ]; then
    echo "$BACKEND $name: GET $path answered $st, not measured" >&2
    return
  fi
  # warm-up, not measured: every pooled connection and worker has run
  # this read once (its statements prepared, its pages cached) before
  # the fixed rate, whose p99 is 20 requests of 2,000
  READS_PATH="$path" READS_IDS="$ids" wrk -t2 -c"$CONNS" -d"${WARMUP}s" --timeout 10s \
    -s bench/reads.lua -H "$header" "http://127.0.0.1:$PORT/" >/dev/null 2>&1 || true
  local fr
  fr=$(python3 bench/fixed_rate.py --get --json --url "$url" --header "$header" \
       ${ids:+--ids "$ids"} --rate "$RATE" --duration "$DURATION" --connections "$CONNS")
  local wo
  wo=$(READS_PATH="$path" READS_IDS="$ids" wrk -t2 -c"$CONNS" -d"${DURATION}s" --timeout 10s \
       --latency -s bench/reads.lua -H "$header" "http://127.0.0.1:$PORT/" 2>&1)
  python3 - "$BACKEND" "$name" "$fr" "$wo" >>"$RESULTS" <<'PY'
import json, re, sys
backend, name, fr, wo = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4]
def ms(s):
    v, u = re.fullmatch(r"([\d.]+)(us|ms|s)", s).groups()
    return float(v) * {"us": 0.001, "ms": 1, "s": 1000}[u]
p50 = ms(re.search(r"^\s+50%\s+(\S+)", wo, re.M).group(1))
p99 = ms(re.search(r"^\s+99%\s+(\S+)", wo, re.M).group(1))
rps = float(re.search(r"Requests/sec:\s+([\d.]+)", wo).group(1))
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", wo)
errs = re.search(r"Socket errors: (.*)", wo)
other = sum(v for k, v in fr["status"].items() if k != "200")
print("%s\t%s\t%.2f\t%.2f\t%.1f\t%d\t%.2f\t%.2f\t%.0f\t%s%s" % (
    backend, name, fr["latency_ms"]["p50"], fr["latency_ms"]["p99"], fr["achieved_per_s"],
    other + fr["errors"] + fr["unanswered"], p50, p99, rps, bad.group(1) if bad else "0",
    (" (" + errs.group(1) + ")") if errs else ""))
PY
  tail -1 "$RESULTS" | awk -F'\t' -v r="$RATE" '{printf "%s %-11s fixed %s/s: p50 %s ms p99 %s ms, %s/s done, %s not 200 | closed: p50 %s ms p99 %s ms, %s/s, non-2xx %s\n", $1, $2, r, $3, $4, $5, $6, $7, $8, $9, $10}'
}

measure() { # DB [args...]
  serve "$@"
  local tok cookie lo hi n
  tok=$("$PK" token create --db "$@" --username bench 2>/dev/null | python3 -c \
    'import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])["token"])')
  cookie=$(session_cookie)
  read -r lo hi <<<"$IDRANGE"
  for r in $READS; do
    case $r in
      province) load "$r" "/api/v1/stats?region=31" "Authorization: Bearer $tok" ;;
      city) load "$r" "/api/v1/stats?region=31.74" "Authorization: Bearer $tok" ;;
      district) load "$r" "/api/v1/stats?region=31.74.01" "Authorization: Bearer $tok" ;;
      village) load "$r" "/api/v1/stats?region=31.74.01.1001" "Authorization: Bearer $tok" ;;
      dasbor) load "$r" "/dasbor" "Cookie: $cookie" ;;
      search) # one load per word of QUERY, named search:WORD when several
        for q in $QUERY; do
          if [ "$(wc -w <<<"$QUERY")" -gt 1 ]; then n="search:$q"; else n=search; fi
          load "$n" "/peserta?q=$q" "Cookie: $cookie"
        done ;;
      participant) load "$r" "/peserta/{id}" "Cookie: $cookie" "$lo:$hi" ;;
    esac
  done
  kill "$SPID"
  wait "$SPID" 2>/dev/null || true
  SPID=
}

for BACKEND in $BACKENDS; do
  case $BACKEND in
    sqlite)
      DB=$CACHE/sqlite-$N-s$SEED.db
      if [ ! -s "$DB" ] || [ ! -f "$DB.ready" ]; then
        rm -f "$DB" "$DB"-* "$DB.key" "$DB.ready"
        import_into "$DB"
        touch "$DB.ready"
      else
        echo "sqlite: reusing $DB ($(du -h "$DB" | cut -f1))"
      fi
      IDRANGE=$(sqlite3 "$DB" "SELECT min(id) || ' ' || max(id) FROM participant")
      measure "$DB"
      ;;
    pg)
      if ! pg_env=$(scripts/pg.sh start 2>"$WORK/pg.err"); then
        echo "pg: scripts/pg.sh cannot start a cluster, skipped: $(head -3 "$WORK/pg.err")"
        continue
      fi
      eval "$pg_env"
      PG_DIR=$PRAKERJA_TEST_PG_DIR
      psql -q -h "$PG_DIR" -U prakerja -d postgres -c "CREATE DATABASE bench_reads" >/dev/null
      URL="postgresql:///bench_reads?host=$PG_DIR&user=prakerja"
      import_into "$URL" --key-file "$WORK/pg.key"
      psql -q -h "$PG_DIR" -U prakerja -d bench_reads -c "VACUUM ANALYZE" >/dev/null
      IDRANGE=$(psql -At -h "$PG_DIR" -U prakerja -d bench_reads -F' ' \
                -c "SELECT min(id), max(id) FROM participant")
      measure "$URL" --key-file "$WORK/pg.key"
      scripts/pg.sh stop "$PG_DIR" >/dev/null 2>&1 || true
      PG_DIR=
      ;;
  esac
done

echo
echo "# $N rows; fixed rate $RATE/s for ${DURATION}s over $CONNS connections (latency from the"
echo "# scheduled send), closed loop wrk -t2 -c$CONNS -d${DURATION}s; load average now $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| backend | read | fixed p50 ms | fixed p99 ms | fixed done/s | not 200 | closed p50 ms | closed p99 ms | closed req/s | closed non-2xx |"
echo "|---|---|---|---|---|---|---|---|---|---|"
awk -F'\t' '{printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10}' "$RESULTS"
# Issue #16's targets, judged on the rows above: every read's fixed-rate
# p99 under 100 ms on SQLite (PostgreSQL reported beside it), at least 500
# dashboard views/s in the closed loop; the verdict says at which size.
echo
awk -F'\t' -v n="$N" '
  {
    if (!($1 in p99) || $4 + 0 > p99[$1]) p99[$1] = $4 + 0
    if ($4 + 0 >= 100) slow[$1] = slow[$1] " " $2
    if ($2 == "dasbor") views[$1] = $9 + 0
  }
  END {
    for (b in p99) {
      verdict = "every read under 100 ms"
      if (b in slow) verdict = "over 100 ms:" slow[b]
      line = sprintf("# %s, %d rows: worst fixed-rate p99 %.2f ms: %s", b, n, p99[b], verdict)
      if (b in views) {
        cmp = "<"
        if (views[b] >= 500) cmp = ">="
        line = line sprintf("; dashboard %d views/s (%s 500/s)", views[b], cmp)
      }
      if (b != "sqlite") line = line " (reported beside SQLite)"
      print line
    }
  }' "$RESULTS"
