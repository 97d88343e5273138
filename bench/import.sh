#!/usr/bin/env bash
# Bulk-import benchmark: `prakerja import participants` against sqlite3's own
# `.import` of the same file into a bare table, on this machine, in this run.
#
#   bench/import.sh            100k-row quick check, then 1M rows
#   bench/import.sh --quick    100k rows only
#   bench/import.sh --split    also import an all-rejected 1M-row file
#                              (CSV parse + validation, no database writes)
#
# Environment: ROWS_BIG (1000000), ROWS_SMALL (100000), SEED (1),
# RUNS (2: every timing is the best of RUNS runs), BUILD (build-bench).
# Generated files are cached in bench/.cache/ (git-ignored); the databases
# are written to bench/.cache/work/ and removed at the end.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build-bench}
ROWS_BIG=${ROWS_BIG:-1000000}
ROWS_SMALL=${ROWS_SMALL:-100000}
SEED=${SEED:-1}
RUNS=${RUNS:-2}
QUICK=0 SPLIT=0
for arg in "$@"; do
  case $arg in
    --quick) QUICK=1 ;;
    --split) SPLIT=1 ;;
    *) echo "usage: bench/import.sh [--quick] [--split]" >&2; exit 2 ;;
  esac
done

scripts/deps.sh
if [ ! -x /usr/bin/time ]; then
  as_root=(); [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  "${as_root[@]}" apt-get install -y -qq time >/dev/null
fi
[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" --buildtype=release -Dtests=false -Dwerror=false >/dev/null
ninja -C "$BUILD" >/dev/null
PK=$ROOT/$BUILD/src/cli/prakerja

CACHE=$ROOT/bench/.cache
WORK=$CACHE/work
mkdir -p "$CACHE" "$WORK"
trap 'rm -rf "$WORK"' EXIT

# gen ROWS BADRATE -> path of the cached file (regenerated when gen.py changes)
gen() {
  local f="$CACHE/participants-$1-s$SEED-b$2.csv"
  if [ ! -s "$f" ] || [ "$ROOT/bench/gen.py" -nt "$f" ]; then
    echo "generating $f" >&2
    local t0=$SECONDS
    python3 "$ROOT/bench/gen.py" "$1" --seed "$SEED" --bad-rate "$2" >"$f.tmp"
    mv "$f.tmp" "$f"
    echo "  ($((SECONDS - t0)) s)" >&2
  fi
  echo "$f"
}

# timed LABEL CMD... : runs CMD RUNS times, each on fresh databases, and sets
# BEST_S (best wall time) and PEAK_KB (largest max RSS over the runs).
timed() {
  local label=$1; shift
  BEST_S="" PEAK_KB=0
  for ((i = 1; i <= RUNS; i++)); do
    rm -f "$WORK"/*
    sync
    /usr/bin/time -o "$WORK/.time" -f '%e %M' "$@" >"$WORK/.out" 2>"$WORK/.err" || {
      echo "$label failed:" >&2; cat "$WORK/.err" >&2; exit 1; }
    read -r s kb <"$WORK/.time"
    printf '  %-28s run %d: %6.2f s  %7.1f MiB\n' "$label" "$i" "$s" "$(calc "$kb/1024")" >&2
    if [ -z "$BEST_S" ] || awk "BEGIN { exit !($s < $BEST_S) }"; then BEST_S=$s; fi
    [ "$kb" -gt "$PEAK_KB" ] && PEAK_KB=$kb
  done
  LAST_OUT=$(cat "$WORK/.out")
}

calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
mib() { printf '%.1f' "$(calc "$1/1024")"; }
rate() { printf '%.0f' "$(calc "$1/$2")"; }

bench_size() {
  local rows=$1 file
  file=$(gen "$rows" 0.05)
  local bytes; bytes=$(stat -c %s "$file")
  echo
  echo "== $rows rows, $(printf '%.1f' "$(calc "$bytes/1000000")") MB: $(basename "$file")"

  timed "sqlite3 .import" sqlite3 "$WORK/fresh.db" -cmd ".mode csv" ".import $file t"
  local sq_s=$BEST_S sq_kb=$PEAK_KB

  timed "prakerja migrate (empty)" "$PK" migrate --db "$WORK/fresh2.db"
  local mg_s=$BEST_S

  timed "prakerja import" "$PK" import participants "$file" --db "$WORK/fresh2.db" --scheme 2021
  local pk_s=$BEST_S pk_kb=$PEAK_KB
  local summary=$LAST_OUT

  local net; net=$(calc "$pk_s - $mg_s")
  echo "   summary: $summary"
  printf '   %-34s %7.2f s  %9s rows/s  peak %6s MiB\n' "sqlite3 .import (bare table)" \
    "$sq_s" "$(rate "$rows" "$sq_s")" "$(mib "$sq_kb")"
  printf '   %-34s %7.2f s  %9s rows/s  peak %6s MiB\n' "prakerja import (fresh db)" \
    "$pk_s" "$(rate "$rows" "$pk_s")" "$(mib "$pk_kb")"
  printf '   %-34s %7.2f s\n' "  of which empty-db migration" "$mg_s"
  printf '   %-34s %7.2f s  %9s rows/s\n' "  import without migration" "$net" "$(rate "$rows" "$net")"
  printf '   ratio prakerja/sqlite3: %.2fx (target <= 1.5x; without migration %.2fx); ' \
    "$(calc "$pk_s/$sq_s")" "$(calc "$net/$sq_s")"
  if [ "$pk_kb" -lt $((64 * 1024)) ]; then echo "peak RSS $(mib "$pk_kb") MiB < 64 MiB: ok"
  else echo "peak RSS $(mib "$pk_kb") MiB >= 64 MiB: OVER"; fi

  if [ "$SPLIT" = 1 ] && [ "$rows" = "$ROWS_BIG" ]; then
    local bad; bad=$(gen "$rows" 1.0)
    timed "prakerja import all-rejected" "$PK" import participants "$bad" --db "$WORK/fresh2.db" --scheme 2021
    local bad_s=$BEST_S
    printf '   %-34s %7.2f s  (CSV parse + validation, no row written)\n' \
      "all-rejected $rows-row file" "$bad_s"
    printf '   => parse+validate ~%.0f%%, database/crypto/eligibility ~%.0f%% of the import\n' \
      "$(calc "100*($bad_s-$mg_s)/$net")" "$(calc "100*($pk_s-$bad_s)/$net")"
  fi
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'),"\
  "$(free -g | awk '/^Mem:/{print $2}') GiB RAM; $(uname -sr); $(sqlite3 --version | cut -d' ' -f1-2); $(date -u '+%F %T UTC')"
echo "best of $RUNS runs each; fresh database every run; files in bench/.cache/"
bench_size "$ROWS_SMALL"
[ "$QUICK" = 1 ] || bench_size "$ROWS_BIG"
