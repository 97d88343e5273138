#!/usr/bin/env bash
# Bulk-import benchmark: `prakerja import participants` against sqlite3's own
# `.import` of the same file into a bare table, on this machine, in this run.
#
#   bench/import.sh            100k-row quick check, then 1M rows
#   bench/import.sh --quick    100k rows only
#   bench/import.sh --split    also import an all-rejected 1M-row file
#                              (CSV parse + validation, no database writes)
#   bench/import.sh --pg [--quick]
#                              PostgreSQL instead: a throwaway cluster from
#                              scripts/pg.sh (unix socket only, stopped on
#                              exit); psql \copy into a bare table of text
#                              columns against prakerja import, each into a
#                              fresh database.  The 1M-row file only when the
#                              100k run predicts <= PG_BIG_LIMIT seconds;
#                              otherwise a linear extrapolation is printed.
#
# Environment: ROWS_BIG (1000000), ROWS_SMALL (100000), SEED (1),
# RUNS (3: the baseline and prakerja run alternately, RUNS times each; the
# ratio reported is the median of the RUNS pairs' ratios, the times the
# best of their runs), BUILD (build-bench);
# with --pg also PG_RUNS_BIG (3: pairs for the 1M-row file), PG_BIG_LIMIT
# (300: seconds the 1M-row prakerja import may be predicted to take; the run
# itself is killed after that long, so the script stays bounded) and
# PG_GROWTH (1.5: the prediction is 10x the 100k time times this, as the cost
# per row grows with the table: 4,500 rows/s at 100k, ~2,900 at 600k).
# Generated files are cached in bench/.cache/ (git-ignored); the databases
# are written to bench/.cache/work/ and removed at the end.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build-bench}
ROWS_BIG=${ROWS_BIG:-1000000}
ROWS_SMALL=${ROWS_SMALL:-100000}
SEED=${SEED:-1}
RUNS=${RUNS:-3}
PG_RUNS_BIG=${PG_RUNS_BIG:-3}
PG_BIG_LIMIT=${PG_BIG_LIMIT:-300}
PG_GROWTH=${PG_GROWTH:-1.5}
QUICK=0 SPLIT=0 PG=0
for arg in "$@"; do
  case $arg in
    --quick) QUICK=1 ;;
    --split) SPLIT=1 ;;
    --pg) PG=1 ;;
    *) echo "usage: bench/import.sh [--quick] [--split] | --pg [--quick]" >&2; exit 2 ;;
  esac
done

scripts/deps.sh
if [ ! -x /usr/bin/time ]; then
  as_root=(); [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  "${as_root[@]}" apt-get install -y -qq time >/dev/null
fi
[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" --buildtype=release -Dtests=false >/dev/null
ninja -C "$BUILD" >/dev/null
PK=$ROOT/$BUILD/src/cli/prakerja

CACHE=$ROOT/bench/.cache
WORK=$CACHE/work
mkdir -p "$CACHE" "$WORK"
PG_DIR=""
cleanup() {
  rm -rf "$WORK"
  if [ -n "$PG_DIR" ]; then scripts/pg.sh stop "$PG_DIR" || true; fi
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

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

# once LABEL I CMD... : run I of CMD, on fresh databases (PREP, when set, is
# a command run untimed before it); sets S (wall time), KB (max RSS) and
# LAST_OUT (its standard output).  With SOFT=1 a failed run (e.g. killed by
# timeout) returns 1 instead of ending the script.
PREP="" SOFT=0
once() {
  local label=$1 i=$2; shift 2
  rm -f "$WORK"/*
  [ -z "$PREP" ] || $PREP
  sync
  /usr/bin/time -o "$WORK/.time" -f '%e %M' "$@" >"$WORK/.out" 2>"$WORK/.err" || {
    echo "$label failed:" >&2; tail -5 "$WORK/.err" >&2
    [ "$SOFT" = 1 ] && return 1; exit 1; }
  read -r S KB <"$WORK/.time"
  printf '  %-28s run %d: %6.2f s  %7.1f MiB\n' "$label" "$i" "$S" "$(calc "$KB/1024")" >&2
  LAST_OUT=$(cat "$WORK/.out")
}

# timed LABEL CMD... : runs CMD RUNS times (see once), and sets BEST_S (best
# wall time) and PEAK_KB (largest max RSS over the runs).
timed() {
  local label=$1; shift
  BEST_S="" PEAK_KB=0
  for ((i = 1; i <= RUNS; i++)); do
    once "$label" "$i" "$@" || return 1
    if [ -z "$BEST_S" ] || awk "BEGIN { exit !($S < $BEST_S) }"; then BEST_S=$S; fi
    if [ "$KB" -gt "$PEAK_KB" ]; then PEAK_KB=$KB; fi
  done
}

# pair: the baseline A and prakerja B alternately, RUNS times each (A, B,
# A, B, ...), so that each pair meets the machine in one state: this VM's
# speed drifts by up to 25% from minute to minute, and a ratio of two bests
# taken minutes apart drifts with it.  A_LABEL, A_PREP and the array A_CMD
# describe A; B likewise.  Sets A_BEST and B_BEST (best times), A_KB and
# PEAK_KB (A's and B's largest max RSS), LAST_OUT (B's last output), RATIOS (B/A of each pair, in order) and MEDIAN
# (their median).  With SOFT=1 a failed B returns 1.
pair() {
  A_BEST="" B_BEST="" A_KB=0 PEAK_KB=0 RATIOS=""
  local a
  for ((i = 1; i <= RUNS; i++)); do
    PREP=$A_PREP; once "$A_LABEL" "$i" "${A_CMD[@]}" || exit 1
    a=$S
    if [ "$KB" -gt "$A_KB" ]; then A_KB=$KB; fi
    PREP=$B_PREP; once "$B_LABEL" "$i" "${B_CMD[@]}" || { PREP=""; return 1; }
    PREP=""
    if [ -z "$A_BEST" ] || awk "BEGIN { exit !($a < $A_BEST) }"; then A_BEST=$a; fi
    if [ -z "$B_BEST" ] || awk "BEGIN { exit !($S < $B_BEST) }"; then B_BEST=$S; fi
    if [ "$KB" -gt "$PEAK_KB" ]; then PEAK_KB=$KB; fi
    RATIOS="$RATIOS $(printf '%.2f' "$(calc "$S/$a")")"
  done
  MEDIAN=$(printf '%s\n' $RATIOS | sort -g | awk '{ v[NR] = $1 }
    END { printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
}

calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
mib() { printf '%.1f' "$(calc "$1/1024")"; }
rate() { printf '%.0f' "$(calc "$1/$2")"; }

prep_sqlite() { "$PK" migrate --db "$WORK/fresh2.db" >/dev/null; }

bench_size() {
  local rows=$1 file
  file=$(gen "$rows" 0.05)
  local bytes; bytes=$(stat -c %s "$file")
  echo
  echo "== $rows rows, $(printf '%.1f' "$(calc "$bytes/1000000")") MB: $(basename "$file")"

  timed "prakerja migrate (empty)" "$PK" migrate --db "$WORK/fresh2.db"
  local mg_s=$BEST_S

  A_LABEL="sqlite3 .import" A_PREP="" A_CMD=(sqlite3 "$WORK/fresh.db" -cmd ".mode csv" ".import $file t")
  # only migrate creates a database (eaad5d3): each import's is migrated
  # first, untimed, and the migration's best time is added back below
  B_LABEL="prakerja import" B_PREP=prep_sqlite B_CMD=("$PK" import participants "$file" --db "$WORK/fresh2.db" --scheme 2021)
  pair
  local sq_s=$A_BEST sq_kb=$A_KB net=$B_BEST pk_kb=$PEAK_KB
  local summary=$LAST_OUT

  local pk_s; pk_s=$(calc "$net + $mg_s")
  echo "   summary: $summary"
  printf '   %-34s %7.2f s  %9s rows/s  peak %6s MiB\n' "sqlite3 .import (bare table)" \
    "$sq_s" "$(rate "$rows" "$sq_s")" "$(mib "$sq_kb")"
  printf '   %-34s %7.2f s  %9s rows/s  peak %6s MiB\n' "prakerja import (fresh db)" \
    "$pk_s" "$(rate "$rows" "$pk_s")" "$(mib "$pk_kb")"
  printf '   %-34s %7.2f s  (timed on its own, added)\n' "  of which empty-db migration" "$mg_s"
  printf '   %-34s %7.2f s  %9s rows/s\n' "  import without migration" "$net" "$(rate "$rows" "$net")"
  printf '   ratio prakerja import (migration not included)/sqlite3, median of %d pairs: %sx (target <= 1.5x; pairs:%s; best/best with the migration %.2fx)\n' \
    "$RUNS" "$MEDIAN" "$RATIOS" "$(calc "$pk_s/$sq_s")"
  printf '   '
  if [ "$pk_kb" -lt $((64 * 1024)) ]; then echo "peak RSS $(mib "$pk_kb") MiB < 64 MiB: ok"
  else echo "peak RSS $(mib "$pk_kb") MiB >= 64 MiB: OVER"; fi

  if [ "$SPLIT" = 1 ] && [ "$rows" = "$ROWS_BIG" ]; then
    local bad; bad=$(gen "$rows" 1.0)
    PREP=prep_sqlite
    timed "prakerja import all-rejected" "$PK" import participants "$bad" --db "$WORK/fresh2.db" --scheme 2021
    PREP=""
    local bad_s; bad_s=$(calc "$BEST_S + $mg_s")
    printf '   %-34s %7.2f s  (CSV parse + validation, no row written)\n' \
      "all-rejected $rows-row file" "$bad_s"
    printf '   => parse+validate ~%.0f%%, database/crypto/eligibility ~%.0f%% of the import\n' \
      "$(calc "100*($bad_s-$mg_s)/$net")" "$(calc "100*($pk_s-$bad_s)/$net")"
  fi
}

# ---- PostgreSQL (--pg) ----------------------------------------------------

# psql_on DB ARGS... : psql on the throwaway cluster's socket, quiet, stop on error.
psql_on() { local db=$1; shift; PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -h "$PG_DIR" -U prakerja -d "$db" "$@"; }

# fresh_db NAME: drops and recreates a database; a checkpoint first, so that
# the previous run's dirty pages are not written during the timed one.
fresh_db() {
  psql_on postgres -c "DROP DATABASE IF EXISTS $1" -c CHECKPOINT -c "CREATE DATABASE $1"
}
COPY_FILE=""
prep_copy() {
  fresh_db bench_copy
  local cols
  cols=$(head -1 "$COPY_FILE" | tr -d '\r' | sed 's/[^,][^,]*/"&" text/g')
  psql_on bench_copy -c "CREATE TABLE t ($cols)"
}
prep_pk() { fresh_db bench_pk; }

# The server's floor: what PostgreSQL alone needs for our rows, with no
# client work.  The rows of the last prakerja import, exported in COPY's
# binary format, are replayed by psql into a freshly migrated database, in
# one transaction that does on the server what a bulk load does (pg.c:
# pg_bulk_begin and pg_bulk_end; keep the two alike): drop the indexes and
# the foreign key, COPY, build the indexes, add the foreign key, ANALYZE.
PG_URL=""
prep_floor() {
  fresh_db bench_pk
  "$PK" migrate --db "$PG_URL" --key-file "$WORK/k.key" >/dev/null
}
bench_pg_floor() {
  local rows=$1 cp_s=$2 bin=$CACHE/floor.bin sql=$CACHE/floor.sql
  local n; n=$(psql_on bench_pk -At -c 'SELECT count(*) FROM participant')
  psql_on bench_pk -c "\\copy participant TO '$bin' (FORMAT binary)"
  cat >"$sql" <<SQL
\\set ON_ERROR_STOP 1
BEGIN;
LOCK TABLE participant IN ACCESS EXCLUSIVE MODE;
DROP INDEX participant_nik; DROP INDEX participant_kk; DROP INDEX participant_region;
ALTER TABLE participant DROP CONSTRAINT participant_kode_wilayah_fkey;
\\copy participant FROM '$bin' (FORMAT binary)
SET LOCAL maintenance_work_mem = '256MB';
CREATE UNIQUE INDEX participant_nik ON participant (nik_bi);
CREATE INDEX participant_kk ON participant (kk_bi, id);
CREATE INDEX participant_region ON participant (kode_wilayah);
ALTER TABLE participant ADD CONSTRAINT participant_kode_wilayah_fkey
  FOREIGN KEY (kode_wilayah) REFERENCES region (code);
ANALYZE participant;
COMMIT;
SQL
  PREP=prep_floor
  timed "server floor (psql replay)" psql -X -q -h "$PG_DIR" -U prakerja -d bench_pk -f "$sql"
  PREP=""
  local m; m=$(psql_on bench_pk -At -c 'SELECT count(*) FROM participant')
  rm -f "$bin" "$sql"
  [ "$m" = "$n" ] || { echo "the replay loaded $m rows, expected $n" >&2; exit 1; }
  printf '   %-34s %7.2f s  (%s rows replayed from a binary file: no client work)\n' \
    "server floor" "$BEST_S" "$n"
  printf '   floor/psql \\copy: %.2fx (best against best): with this schema the import cannot go below it\n' \
    "$(calc "$BEST_S/$cp_s")"
}

bench_pg_size() {
  local rows=$1 runs=$2 limit=${3:-0} file
  file=$(gen "$rows" 0.05)
  local bytes; bytes=$(stat -c %s "$file")
  echo
  echo "== PostgreSQL, $rows rows, $(printf '%.1f' "$(calc "$bytes/1000000")") MB: $(basename "$file")"
  local url="postgresql:///bench_pk?host=$PG_DIR&user=prakerja"
  local saved_runs=$RUNS; RUNS=$runs

  local mg_s=""
  if [ "$rows" = "$ROWS_SMALL" ]; then
    PREP=prep_pk
    timed "prakerja migrate (empty)" "$PK" migrate --db "$url" --key-file "$WORK/k.key"
    PREP="" mg_s=$BEST_S
  fi

  COPY_FILE=$file
  A_LABEL="psql \\copy" A_PREP=prep_copy
  A_CMD=(psql -X -q -v ON_ERROR_STOP=1 -h "$PG_DIR" -U prakerja -d bench_copy
         -c "\\copy t FROM '$file' WITH (FORMAT csv, HEADER)")
  B_LABEL="prakerja import" B_PREP=prep_pk
  B_CMD=("$PK" import participants "$file" --db "$url" --key-file "$WORK/k.key" --scheme 2021)
  [ "$limit" = 0 ] || B_CMD=(timeout "$limit" "${B_CMD[@]}")
  SOFT=1
  if ! pair; then
    echo "   prakerja import did not finish within $limit s (killed)"
    SOFT=0 RUNS=$saved_runs
    return 0
  fi
  SOFT=0 RUNS=$saved_runs
  local cp_s=$A_BEST pk_s=$B_BEST pk_kb=$PEAK_KB summary=$LAST_OUT
  local n; n=$(psql_on bench_copy -At -c 'SELECT count(*) FROM t')
  [ "$n" = "$rows" ] || { echo "psql \\copy loaded $n rows, expected $rows" >&2; exit 1; }

  echo "   summary: $summary"
  printf '   %-34s %7.2f s  %9s rows/s\n' "psql \\copy (bare text table)" "$cp_s" "$(rate "$rows" "$cp_s")"
  printf '   %-34s %7.2f s  %9s rows/s  peak %6s MiB (client process)\n' "prakerja import (fresh db)" \
    "$pk_s" "$(rate "$rows" "$pk_s")" "$(mib "$pk_kb")"
  [ -z "$mg_s" ] || printf '   %-34s %7.2f s\n' "  empty-db migration on its own" "$mg_s"
  printf '   ratio prakerja/psql \\copy, median of %d pairs: %sx (target <= 1.5x at 1M rows; pairs:%s; best/best %.2fx)\n' \
    "$runs" "$MEDIAN" "$RATIOS" "$(calc "$pk_s/$cp_s")"
  printf '   '
  if [ "$pk_kb" -lt $((64 * 1024)) ]; then echo "peak RSS $(mib "$pk_kb") MiB < 64 MiB: ok"
  else echo "peak RSS $(mib "$pk_kb") MiB >= 64 MiB: OVER"; fi
  PG_LAST_PK_S=$pk_s PG_LAST_CP_S=$cp_s
  if [ "$rows" = "$ROWS_BIG" ]; then PG_URL=$url bench_pg_floor "$rows" "$cp_s"; fi
}

bench_pg() {
  command -v psql >/dev/null || { echo "psql not found (install postgresql)" >&2; exit 1; }
  local env_out; env_out=$(scripts/pg.sh start)
  PG_DIR=$(printf '%s\n' "$env_out" | sed -n "s/^PRAKERJA_TEST_PG_DIR='\(.*\)'$/\1/p")
  [ -d "$PG_DIR" ] || { echo "scripts/pg.sh start gave no directory" >&2; exit 1; }
  echo "PostgreSQL $(psql_on postgres -At -c 'SHOW server_version'), throwaway cluster in $PG_DIR"\
    "(unix socket, fsync=$(psql_on postgres -At -c 'SHOW fsync'), synchronous_commit=$(psql_on postgres -At -c 'SHOW synchronous_commit'),"\
    "shared_buffers=$(psql_on postgres -At -c 'SHOW shared_buffers'))"
  echo "peak RSS is the prakerja (or psql) process only; the server's backend is not counted"
  bench_pg_size "$ROWS_SMALL" "$RUNS"
  [ "$QUICK" = 1 ] && return 0
  local f=$(( ROWS_BIG / ROWS_SMALL ))
  local est; est=$(calc "$PG_LAST_PK_S*$f*$PG_GROWTH")
  local est_cp; est_cp=$(calc "$PG_LAST_CP_S*$f")
  if awk "BEGIN { exit !($est <= $PG_BIG_LIMIT) }"; then
    bench_pg_size "$ROWS_BIG" "$PG_RUNS_BIG" "$PG_BIG_LIMIT"
  else
    echo
    echo "== PostgreSQL, $ROWS_BIG rows: NOT RUN"
    printf '   EXTRAPOLATION, not a measurement: prakerja ~%.0f s (%dx the %d-row time x PG_GROWTH %s),' \
      "$est" "$f" "$ROWS_SMALL" "$PG_GROWTH"
    printf ' psql \\copy ~%.1f s (linear); ratio ~%.0fx\n' "$est_cp" "$(calc "$est/$est_cp")"
    printf '   (predicted %.0f s > PG_BIG_LIMIT=%s s, so the %s-row file was not imported)\n' "$est" "$PG_BIG_LIMIT" "$ROWS_BIG"
  fi
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'),"\
  "$(free -g | awk '/^Mem:/{print $2}') GiB RAM; $(uname -sr); $(sqlite3 --version | cut -d' ' -f1-2);"\
  "commit $(git rev-parse --short HEAD 2>/dev/null || cat COMMIT 2>/dev/null || echo "?"); $(date -u '+%F %T UTC')"
echo "baseline and prakerja alternately, $RUNS pairs; fresh database every run; files in bench/.cache/"
if [ "$PG" = 1 ]; then
  bench_pg
  exit 0
fi
bench_size "$ROWS_SMALL"
[ "$QUICK" = 1 ] || bench_size "$ROWS_BIG"
