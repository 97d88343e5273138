#!/usr/bin/env bash
# Benchmark of `prakerja wave draw` (issue #14: a wave of 2,500,000
# applicants and a quota of 800,000 at most 1.0x the time of importing those
# applicants' participants file, same run), on SQLite.
#
#   bench/draw.sh [APPLICANTS]   default 100000; 2500000 is the issue's size
#
# The applicants: a participants file of APPLICANTS rows (bench/gen.py
# --bad-rate 0).  Untimed setup, once: migrate, import it, create wave 1
# (scheme 2021, quota 32% of the applicants, as in 2021, with a regency
# quota of 10% for 31.71; closes 2026-12-31T23:59:59+07:00, so the rules are
# judged on that day), join everyone with a `lokal` event file of
# gabung_gelombang rows (`prakerja import events --source lokal`, the same
# event `wave join` writes), close the wave.  Then, alternately, RUNS pairs:
#   A: `prakerja import participants FILE` into a fresh database (the
#      baseline: the import the issue measures against)
#   B: `prakerja wave draw --wave 1 --seed S` on a copy of the prepared
#      database (cp untimed)
# and the median of the pairs' ratios B/A.  Then `wave verify` once.
#
# Environment: RUNS (3), SEED (1), BUILD (build-bench), CACHE (bench/.cache:
# where the generated files are kept; at 2,500,000 applicants the file and
# the databases take ~8 GB at the peak, so point it at a roomy disk).
# Databases go to $CACHE/work-draw/, removed at the end unless KEEP=1 (to
# profile a draw on the prepared tmpl.db).  Each timed run prints wall and
# CPU (user+sys) time, peak RSS and the load average before it; the summary
# gives the median ratio of both.  At 2,500,000 a run takes ~15 minutes.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build-bench}
SEED=${SEED:-1}
RUNS=${RUNS:-3}
N=100000
for arg in "$@"; do
  case $arg in
    [0-9]*) N=$arg ;;
    *) echo "usage: bench/draw.sh [APPLICANTS]" >&2; exit 2 ;;
  esac
done
QUOTA=$(( N * 32 / 100 ))
RQUOTA=$(( N / 10 ))
DRAW_SEED=$(printf 'bench draw' | sha256sum | cut -c1-64)

scripts/deps.sh
if [ ! -x /usr/bin/time ]; then
  as_root=(); [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  "${as_root[@]}" apt-get install -y -qq time >/dev/null
fi
[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" --buildtype=release -Dtests=false >/dev/null
ninja -C "$BUILD" -j2 >/dev/null
PK=$ROOT/$BUILD/src/cli/prakerja

CACHE=${CACHE:-$ROOT/bench/.cache}
WORK=$CACHE/work-draw
mkdir -p "$CACHE" "$WORK"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$WORK"' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
mib() { printf '%.1f' "$(calc "$1/1024")"; }

PART=$CACHE/draw-participants-$N-s$SEED.csv
if [ ! -s "$PART" ] || [ "$ROOT/bench/gen.py" -nt "$PART" ]; then
  echo "generating $PART" >&2
  python3 bench/gen.py "$N" --seed "$SEED" --bad-rate 0 >"$PART.tmp" && mv "$PART.tmp" "$PART"
fi

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'),"\
  "$(free -g | awk '/^Mem:/{print $2}') GiB RAM; $(uname -sr); $(sqlite3 --version | cut -d' ' -f1-2);"\
  "commit $(git rev-parse --short HEAD 2>/dev/null || echo "?"); $(date -u '+%F %T UTC'); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "applicants: $N ($(basename "$PART")), quota $QUOTA, 31.71 at most $RQUOTA; $RUNS pairs"

# the prepared database (untimed)
tmpl=$WORK/tmpl.db
rm -f "$tmpl" "$tmpl"-wal "$tmpl"-shm "$tmpl".key  # a kept one (KEEP=1) is prepared again
t0=$SECONDS
"$PK" migrate --db "$tmpl" >/dev/null
"$PK" import participants "$PART" --db "$tmpl" --scheme 2021 >/dev/null 2>"$WORK/.err" ||
  { tail -3 "$WORK/.err" >&2; exit 1; }
"$PK" wave create --db "$tmpl" --wave 1 --scheme 2021 --opens 2026-01-01T00:00:00+07:00 \
  --closes 2026-12-31T23:59:59+07:00 --quota "$QUOTA" --quota-region "31.71=$RQUOTA" >/dev/null
{
  echo "ref,nik,peristiwa,waktu,gelombang"
  awk -F, 'NR > 1 { printf "gabung-bench-%d,%s,gabung_gelombang,2026-06-01T10:00:00+07:00,1\n", NR, $1 }' "$PART"
} >"$WORK/join.csv"
"$PK" import events "$WORK/join.csv" --source lokal --db "$tmpl" >"$WORK/.out" 2>"$WORK/.err" ||
  { tail -3 "$WORK/.err" >&2; exit 1; }
echo "joined: $(tail -1 "$WORK/.out")"
"$PK" wave close --db "$tmpl" --wave 1 >/dev/null
echo "prepared in $((SECONDS - t0)) s (untimed)" >&2

once() {
  local label=$1 i=$2; shift 2
  sync
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -o "$WORK/.time" -f '%e %M %U %S' "$@" >"$WORK/.out" 2>"$WORK/.err" || {
    echo "$label failed:" >&2; tail -5 "$WORK/.err" >&2; exit 1; }
  local us sy
  read -r S KB us sy <"$WORK/.time"
  CPU=$(calc "$us+$sy")
  printf '  %-28s run %d: %7.2f s  cpu %7.2f s  %7.1f MiB  (load before %s)\n' \
    "$label" "$i" "$S" "$CPU" "$(calc "$KB/1024")" "$load" >&2
  LAST_OUT=$(cat "$WORK/.out")
}

A_BEST="" B_BEST="" A_KB=0 B_KB=0 RATIOS="" CPU_RATIOS=""
for ((i = 1; i <= RUNS; i++)); do
  rm -f "$WORK"/imp.db*
  "$PK" migrate --db "$WORK/imp.db" >/dev/null
  once "import participants" "$i" "$PK" import participants "$PART" --db "$WORK/imp.db" --scheme 2021
  a=$S a_cpu=$CPU
  [ "$KB" -gt "$A_KB" ] && A_KB=$KB
  rm -f "$WORK"/run.db*
  cp "$tmpl" "$WORK/run.db"; cp "$tmpl.key" "$WORK/run.db.key"
  once "wave draw" "$i" "$PK" wave draw --db "$WORK/run.db" --wave 1 --seed "$DRAW_SEED"
  [ "$KB" -gt "$B_KB" ] && B_KB=$KB
  if [ -z "$A_BEST" ] || awk "BEGIN { exit !($a < $A_BEST) }"; then A_BEST=$a; fi
  if [ -z "$B_BEST" ] || awk "BEGIN { exit !($S < $B_BEST) }"; then B_BEST=$S; fi
  RATIOS="$RATIOS $(printf '%.2f' "$(calc "$S/$a")")"
  CPU_RATIOS="$CPU_RATIOS $(printf '%.2f' "$(calc "$CPU/$a_cpu")")"
done
DRAW_OUT=$LAST_OUT
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
  END { printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
MEDIAN=$(median $RATIOS)
CPU_MEDIAN=$(median $CPU_RATIOS)
once "wave verify" 1 "$PK" wave verify --db "$WORK/run.db" --wave 1
V_S=$S V_KB=$KB VERIFY_OUT=$LAST_OUT

echo
echo "== draw of $N applicants"
echo "   draw: $DRAW_OUT"
echo "   verify: $VERIFY_OUT"
printf '   %-34s %7.2f s  peak %6s MiB\n' "import participants (fresh db)" "$A_BEST" "$(mib "$A_KB")"
printf '   %-34s %7.2f s  peak %6s MiB\n' "wave draw" "$B_BEST" "$(mib "$B_KB")"
printf '   %-34s %7.2f s  peak %6s MiB\n' "wave verify" "$V_S" "$(mib "$V_KB")"
printf '   ratio draw/import, median of %d pairs: %sx (target <= 1.0x; pairs:%s; best/best %.2fx)\n' \
  "$RUNS" "$MEDIAN" "$RATIOS" "$(calc "$B_BEST/$A_BEST")"
printf '   ratio of CPU time (user+sys), median of %d pairs: %sx (pairs:%s)\n' "$RUNS" "$CPU_MEDIAN" "$CPU_RATIOS"
echo "   load at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
