#!/usr/bin/env bash
# Signed platform purchases per second on SQLite, durable
# (POST /api/v1/platform/purchases; synchronous=FULL, group commit).
#
#   bench/purchases.sh
#
# A fresh database: CARDS recipients (default 2,000) drawn in one wave
# (Rp1.000.000 each), one course of Rp1.000 on platform "bench" (so no
# purchase is refused for the balance), the platform's secret.  Then
# REQUESTS signed purchases (default 150,000; each a new Idempotency-Key,
# nonce and signature, made beforehand in Python) are sent by
# wrk -t$WRK_THREADS -c$CONNS -d${DURATION}s with bench/purchases.lua,
# which stops when its share is used up.  Afterwards the purchases stored
# are counted and compared with the 201s (an acknowledged purchase must be
# there), `prakerja ledger verify` runs, and the group commit's batch
# sizes are read from /metrics.  PROFILE=1 also records the server with
# `perf record -g` during the run and prints where its time went.
# Environment: BUILD (build-bench), CARDS, REQUESTS, CONNS (64), DURATION
# (10), WRK_THREADS (2), PIN=1 (server on CPU 1, wrk on CPU 0), PRAKERJA (the
# binary to measure, e.g. a baseline copied into the build directory),
# SERVE_ARGS (more options of `prakerja serve`), KEEP=1 (keep the work files).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build-bench}
CARDS=${CARDS:-2000}
REQUESTS=${REQUESTS:-150000}
CONNS=${CONNS:-64}
DURATION=${DURATION:-10}
WRK_THREADS=${WRK_THREADS:-2}
PIN=${PIN:-0}
PROFILE=${PROFILE:-0}
ON_SERVER=() ON_CLIENT=()
if [ "$PIN" = 1 ]; then ON_SERVER=(taskset -c 1) ON_CLIENT=(taskset -c 0); fi

scripts/deps.sh
if ! command -v wrk >/dev/null 2>&1; then
  as_root=(); [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  "${as_root[@]}" apt-get install -y -qq wrk >/dev/null
fi
[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" --buildtype=release -Dtests=false >/dev/null
ninja -C "$BUILD" >/dev/null
PK=${PRAKERJA:-$ROOT/$BUILD/src/cli/prakerja}

WORK=$ROOT/bench/.cache/work-purchases
rm -rf "$WORK"
mkdir -p "$WORK"
DB=(--db "$WORK/buy.db")
SERVER_PID=""
stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}
trap 'stop_server; [ "${KEEP:-0}" = 1 ] || rm -rf "$WORK"' EXIT

echo "database: SQLite (WAL, synchronous=FULL)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //');"\
  "$(uname -sr); load $(cut -d' ' -f1-3 /proc/loadavg); commit $(git rev-parse --short HEAD 2>/dev/null || echo '?');"\
  "$(date -u '+%F %T UTC')"

# ---- the data: recipients with cards, a course, a platform ----
t0=$(date +%s.%N)
python3 - "$WORK" "$CARDS" <<'PY'
import sys
work, n = sys.argv[1], int(sys.argv[2])
cols = "nik,no_kk,nama,tanggal_lahir,jenis_kelamin,no_hp,email,kode_wilayah,alamat,pendidikan,segmen,pekerjaan"
with open(work + "/people.csv", "w") as f, open(work + "/niks.txt", "w") as g:
    f.write(cols + "\n")
    for i in range(n):
        day, month, serial = 1 + i % 28, 1 + (i // 28) % 12, 1 + i // 336
        nik = "317401%02d%02d95%04d" % (day, month, serial)
        f.write("%s,3174013001%06d,Peserta %d,1995-%02d-%02d,L,0812%08d,p%d@contoh.co.id,"
                "31.74.01.1001,Jalan Contoh %d,sma,pencari_kerja,karyawan_swasta\n"
                % (nik, i, i, month, day, 33000000 + i, i, i))
        g.write(nik + "\n")
with open(work + "/courses.csv", "w") as f:
    f.write("platform,kode_pelatihan,judul,lpk,harga,mode\nbench,B-1,Kelas Bench,LPK Bench,1000,mandiri\n")
PY
"$PK" migrate "${DB[@]}" >/dev/null 2>&1 || true
"$PK" import participants "${DB[@]}" "$WORK/people.csv" >/dev/null 2>"$WORK/setup.log"
"$PK" import courses "${DB[@]}" "$WORK/courses.csv" >/dev/null 2>>"$WORK/setup.log"
"$PK" wave create "${DB[@]}" --wave 1 --scheme 2021 --opens 2021-01-01T00:00:00+07:00 \
  --closes 2099-12-31T23:59:59+07:00 --quota "$CARDS" >/dev/null 2>>"$WORK/setup.log"
xargs -a "$WORK/niks.txt" "$PK" wave join "${DB[@]}" --wave 1 >/dev/null 2>>"$WORK/setup.log"
"$PK" wave close "${DB[@]}" --wave 1 >/dev/null 2>>"$WORK/setup.log"
"$PK" wave draw "${DB[@]}" --wave 1 --seed "$(printf 'ab%.0s' $(seq 32))" >/dev/null 2>>"$WORK/setup.log"
SECRET=$("$PK" platform add "${DB[@]}" --code bench --name Bench 2>>"$WORK/setup.log" |
  python3 -c 'import json,sys; print(json.loads(sys.stdin.read())["secret"])')
sqlite3 "$WORK/buy.db" 'SELECT number FROM pk_card' >"$WORK/cards.txt"
echo "setup: $(wc -l <"$WORK/cards.txt") cards, one course of Rp1.000, in $(python3 -c "import sys,time; print('%.1f' % (time.time()-float(sys.argv[1])))" "$t0") s"

# ---- the server, then the signed requests (timestamps within the 300 s window) ----
# shellcheck disable=SC2086
"${ON_SERVER[@]}" "$PK" serve "${DB[@]}" --listen 127.0.0.1:0 --rate-limits off \
  --per-ip-connections 0 ${SERVE_ARGS:-} 2>"$WORK/serve.log" &
SERVER_PID=$!
port=""
for _ in $(seq 100); do
  port=$(sed -n 's|.*listening on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$WORK/serve.log" | head -1)
  [ -n "$port" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/serve.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$port" ] || { echo "server did not start" >&2; exit 1; }
URL=http://127.0.0.1:$port

python3 - "$WORK" "$SECRET" "$REQUESTS" <<'PY'
import hashlib, hmac, json, sys, time
work, secret, n = sys.argv[1], sys.argv[2].encode(), int(sys.argv[3])
cards = open(work + "/cards.txt").read().split()
ts = str(int(time.time()))
path = "/api/v1/platform/purchases"
with open(work + "/requests.txt", "w") as f:
    for i in range(n):
        body = json.dumps({"nomor_kartu": cards[i % len(cards)], "kode_pelatihan": "B-1"},
                          separators=(",", ":")).encode()
        key, nonce = "b%07d" % i, "n%07d" % i
        msg = "\n".join(["POST", path, ts, nonce, hashlib.sha256(body).hexdigest()]).encode()
        sig = hmac.new(secret, msg, hashlib.sha256).hexdigest()
        f.write("bench|%s|%s|%s|%s|%s\n" % (key, ts, nonce, sig, body.decode()))
PY
echo "signed $REQUESTS requests (one key, nonce and signature each)"

perf_pid=""
if [ "$PROFILE" = 1 ]; then
  # shellcheck disable=SC2086
  perf record ${PERF_ARGS:--g} -o "$WORK/perf.data" -p "$SERVER_PID" >/dev/null 2>&1 &
  perf_pid=$!
fi
echo
echo "== closed loop: wrk -t$WRK_THREADS -c$CONNS -d${DURATION}s --latency -s bench/purchases.lua"
"${ON_CLIENT[@]}" wrk -t"$WRK_THREADS" -c"$CONNS" -d"${DURATION}s" --timeout 10s --latency \
  -s bench/purchases.lua "$URL/api/v1/platform/purchases" -- "$WORK/requests.txt" "$WRK_THREADS" |
  sed -n '/Thread Stats/,$p'
if [ -n "$perf_pid" ]; then kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null || true; fi
echo
echo "group commit (batches of the committer, from /metrics):"
curl -s "$URL/metrics" | grep -E '^prakerja_commit_batch_size_(sum|count)' || true
# the server's CPU time (user + system, setup excluded: a new process), the
# steadier figure on a shared machine
cpu_ticks=$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat")
stop_server

stored=$(sqlite3 "$WORK/buy.db" "SELECT count(*) FROM pk_event WHERE type = 'pembelian'")
echo "purchases stored: $stored (at least the 201s above: those still in flight when wrk stopped are stored too)"
python3 -c "import sys; t=int(sys.argv[1])/100; n=int(sys.argv[2]); print('server CPU: %.2f s user+system, %.0f us per stored purchase' % (t, 1e6*t/max(n,1)))" \
  "$(( cpu_ticks * 100 / $(getconf CLK_TCK) ))" "$stored"
"$PK" ledger verify "${DB[@]}" 2>&1 | tail -1
if [ "$PROFILE" = 1 ]; then
  echo
  echo "== where the server's time went (perf report --no-children, top 30)"
  perf report -i "$WORK/perf.data" --no-children --sort dso --stdio 2>/dev/null | grep -E "^ +[0-9]" | head -12
  echo
  perf report -i "$WORK/perf.data" --no-children --sort symbol --stdio 2>/dev/null |
    grep -E '^ +[0-9]' | head -30
fi
