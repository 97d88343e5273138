#!/usr/bin/env bash
# Benchmark of `prakerja import events` (issue #14): a journey event file
# (bench/events_gen.py: ~10 events per recipient, the spec's mixes, bad
# rows) into a registry that holds its people, against sqlite3's own
# `.import` of the same file into a bare table, in this run, on this
# machine (the method of bench/import.sh: baseline and prakerja alternately,
# the median of the pairs' ratios).
#
#   bench/events.sh [EVENTS]        SQLite; EVENTS defaults to 1000000
#                                   (10000000 is the issue's size: run it
#                                   when the machine is quiet)
#   bench/events.sh --pg [EVENTS]   PostgreSQL instead: a throwaway cluster
#                                   (scripts/pg.sh), psql \copy into a bare
#                                   table of text columns against prakerja
#                                   import, and the server's floor
#
# The people come first: a participants file of EVENTS/10 recipients plus
# 5% never selected (bench/gen.py --bad-rate 0) is imported once, in bulk
# (import_bulk_mb=0), into a template database; every timed run starts
# from a copy of it (SQLite: cp, untimed; PostgreSQL: CREATE DATABASE ...
# TEMPLATE).  Peak RSS from /usr/bin/time.
#
# Environment: RUNS (3 pairs), SEED (1), BUILD (build-bench).  Files are
# cached in bench/.cache/ (git-ignored); the databases go to
# bench/.cache/work-events/ and are removed at the end.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build-bench}
SEED=${SEED:-1}
RUNS=${RUNS:-3}
PG=0 EVENTS=1000000
for arg in "$@"; do
  case $arg in
    --pg) PG=1 ;;
    [0-9]*) EVENTS=$arg ;;
    *) echo "usage: bench/events.sh [--pg] [EVENTS]" >&2; exit 2 ;;
  esac
done
PEOPLE=$(( EVENTS / 10 * 105 / 100 + 100 ))

scripts/deps.sh
if [ ! -x /usr/bin/time ]; then
  as_root=(); [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  "${as_root[@]}" apt-get install -y -qq time >/dev/null
fi
[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" --buildtype=release -Dtests=false >/dev/null
ninja -C "$BUILD" -j2 >/dev/null
PK=$ROOT/$BUILD/src/cli/prakerja

CACHE=$ROOT/bench/.cache
WORK=$CACHE/work-events
mkdir -p "$CACHE" "$WORK"
PG_DIR=""
cleanup() {
  rm -rf "$WORK"
  if [ -n "$PG_DIR" ]; then scripts/pg.sh stop "$PG_DIR" || true; fi
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

calc() { awk "BEGIN { printf \"%.6f\", $1 }"; }
mib() { printf '%.1f' "$(calc "$1/1024")"; }
rate() { printf '%.0f' "$(calc "$1/$2")"; }

PART=$CACHE/ev-participants-$PEOPLE-s$SEED.csv
if [ ! -s "$PART" ] || [ "$ROOT/bench/gen.py" -nt "$PART" ]; then
  echo "generating $PART" >&2
  python3 bench/gen.py "$PEOPLE" --seed "$SEED" --bad-rate 0 >"$PART.tmp" && mv "$PART.tmp" "$PART"
fi
EV=$CACHE/events-$EVENTS-s$SEED.csv
if [ ! -s "$EV" ] || [ "$ROOT/bench/events_gen.py" -nt "$EV" ] || [ "$PART" -nt "$EV" ]; then
  echo "generating $EV" >&2
  t0=$SECONDS
  python3 bench/events_gen.py "$EVENTS" "$PART" --seed "$SEED" --stats >"$EV.tmp" && mv "$EV.tmp" "$EV"
  echo "  ($((SECONDS - t0)) s)" >&2
fi

# once LABEL I CMD... : one run of CMD (PREP, when set, runs untimed before
# it); sets S (wall seconds), KB (max RSS) and LAST_OUT (its stdout).
PREP=""
once() {
  local label=$1 i=$2; shift 2
  [ -z "$PREP" ] || $PREP
  sync
  /usr/bin/time -o "$WORK/.time" -f '%e %M' "$@" >"$WORK/.out" 2>"$WORK/.err" || {
    echo "$label failed:" >&2; tail -5 "$WORK/.err" >&2; exit 1; }
  read -r S KB <"$WORK/.time"
  printf '  %-28s run %d: %7.2f s  %7.1f MiB\n' "$label" "$i" "$S" "$(calc "$KB/1024")" >&2
  LAST_OUT=$(cat "$WORK/.out")
}

# pair: A (baseline) and B (prakerja) alternately, RUNS times; as in
# bench/import.sh.  Sets A_BEST, B_BEST, A_KB, PEAK_KB, RATIOS, MEDIAN.
pair() {
  A_BEST="" B_BEST="" A_KB=0 PEAK_KB=0 RATIOS=""
  local a
  for ((i = 1; i <= RUNS; i++)); do
    PREP=$A_PREP; once "$A_LABEL" "$i" "${A_CMD[@]}"; a=$S
    if [ "$KB" -gt "$A_KB" ]; then A_KB=$KB; fi
    PREP=$B_PREP; once "$B_LABEL" "$i" "${B_CMD[@]}"; PREP=""
    if [ -z "$A_BEST" ] || awk "BEGIN { exit !($a < $A_BEST) }"; then A_BEST=$a; fi
    if [ -z "$B_BEST" ] || awk "BEGIN { exit !($S < $B_BEST) }"; then B_BEST=$S; fi
    if [ "$KB" -gt "$PEAK_KB" ]; then PEAK_KB=$KB; fi
    RATIOS="$RATIOS $(printf '%.2f' "$(calc "$S/$a")")"
  done
  MEDIAN=$(printf '%s\n' $RATIOS | sort -g | awk '{ v[NR] = $1 }
    END { printf "%.2f", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
}

report() {
  local base=$1
  echo "   summary: $LAST_OUT"
  printf '   %-34s %7.2f s  %9s rows/s  peak %6s MiB\n' "$base" "$A_BEST" \
    "$(rate "$EVENTS" "$A_BEST")" "$(mib "$A_KB")"
  printf '   %-34s %7.2f s  %9s rows/s  peak %6s MiB\n' "prakerja import events" "$B_BEST" \
    "$(rate "$EVENTS" "$B_BEST")" "$(mib "$PEAK_KB")"
  printf '   ratio, median of %d pairs: %sx (target <= 1.5x; pairs:%s; best/best %.2fx)\n' \
    "$RUNS" "$MEDIAN" "$RATIOS" "$(calc "$B_BEST/$A_BEST")"
  printf '   '
  if [ "$PEAK_KB" -lt $((64 * 1024)) ]; then echo "peak RSS $(mib "$PEAK_KB") MiB < 64 MiB: ok"
  else echo "peak RSS $(mib "$PEAK_KB") MiB >= 64 MiB: OVER"; fi
}

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'),"\
  "$(free -g | awk '/^Mem:/{print $2}') GiB RAM; $(uname -sr); $(sqlite3 --version | cut -d' ' -f1-2);"\
  "commit $(git rev-parse --short HEAD 2>/dev/null || echo "?"); $(date -u '+%F %T UTC'); load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "events: $(basename "$EV") ($(printf '%.1f' "$(calc "$(stat -c %s "$EV")/1000000")") MB," \
  "$EVENTS rows); people: $(basename "$PART") ($PEOPLE rows)"
echo "baseline and prakerja alternately, $RUNS pairs; every run from a copy of the same registry"

# ---- SQLite ---------------------------------------------------------------

bench_sqlite() {
  local tmpl=$WORK/tmpl.db
  echo "importing the people into the template (bulk, untimed)" >&2
  "$PK" migrate --db "$tmpl" >/dev/null
  PRAKERJA_IMPORT_BULK_MB=0 "$PK" import participants "$PART" --db "$tmpl" --scheme 2021 \
    >/dev/null 2>"$WORK/.err" || { tail -3 "$WORK/.err" >&2; exit 1; }
  prep_base() { rm -f "$WORK/bare.db"; }
  prep_pk() { rm -f "$WORK"/run.db*; cp "$tmpl" "$WORK/run.db"; cp "$tmpl.key" "$WORK/run.db.key"; }
  A_LABEL="sqlite3 .import" A_PREP=prep_base
  A_CMD=(sqlite3 "$WORK/bare.db" -cmd ".mode csv" ".import $EV t")
  B_LABEL="prakerja import events" B_PREP=prep_pk
  B_CMD=("$PK" import events "$EV" --db "$WORK/run.db")
  pair
  echo
  echo "== SQLite, $EVENTS events"
  report "sqlite3 .import (bare table)"
}

# ---- PostgreSQL (--pg) ----------------------------------------------------

psql_on() { local db=$1; shift; PGOPTIONS="-c client_min_messages=warning" psql -X -q -v ON_ERROR_STOP=1 -h "$PG_DIR" -U prakerja -d "$db" "$@"; }

bench_pg() {
  command -v psql >/dev/null || { echo "psql not found (install postgresql)" >&2; exit 1; }
  local env_out; env_out=$(scripts/pg.sh start)
  PG_DIR=$(printf '%s\n' "$env_out" | sed -n "s/^PRAKERJA_TEST_PG_DIR='\(.*\)'$/\1/p")
  [ -d "$PG_DIR" ] || { echo "scripts/pg.sh start gave no directory" >&2; exit 1; }
  echo "PostgreSQL $(psql_on postgres -At -c 'SHOW server_version'), throwaway cluster (unix socket,"\
    "fsync=$(psql_on postgres -At -c 'SHOW fsync'), shared_buffers=$(psql_on postgres -At -c 'SHOW shared_buffers'));"\
    "peak RSS is the client process only"
  local key=$WORK/k.key url="postgresql:///bench_pk?host=$PG_DIR&user=prakerja"
  local turl="postgresql:///bench_tmpl?host=$PG_DIR&user=prakerja"
  echo "importing the people into the template (bulk, untimed)" >&2
  psql_on postgres -c "CREATE DATABASE bench_tmpl"
  "$PK" migrate --db "$turl" --key-file "$key" >/dev/null
  PRAKERJA_IMPORT_BULK_MB=0 "$PK" import participants "$PART" --db "$turl" --key-file "$key" \
    --scheme 2021 >/dev/null 2>"$WORK/.err" || { tail -3 "$WORK/.err" >&2; exit 1; }
  psql_on bench_tmpl -c "VACUUM ANALYZE"
  prep_copy() {
    psql_on postgres -c "DROP DATABASE IF EXISTS bench_copy" -c CHECKPOINT -c "CREATE DATABASE bench_copy"
    local cols; cols=$(head -1 "$EV" | tr -d '\r' | sed 's/[^,][^,]*/"&" text/g')
    psql_on bench_copy -c "CREATE TABLE t ($cols)"
  }
  prep_pk() {
    psql_on postgres -c "DROP DATABASE IF EXISTS bench_pk" -c CHECKPOINT \
      -c "CREATE DATABASE bench_pk TEMPLATE bench_tmpl"
  }
  A_LABEL="psql \\copy" A_PREP=prep_copy
  A_CMD=(psql -X -q -v ON_ERROR_STOP=1 -h "$PG_DIR" -U prakerja -d bench_copy
         -c "\\copy t FROM '$EV' WITH (FORMAT csv, HEADER)")
  B_LABEL="prakerja import events" B_PREP=prep_pk
  B_CMD=("$PK" import events "$EV" --db "$url" --key-file "$key")
  pair
  local n; n=$(psql_on bench_copy -At -c 'SELECT count(*) FROM t')
  [ "$n" = "$EVENTS" ] || { echo "psql \\copy loaded $n rows, expected $EVENTS" >&2; exit 1; }
  echo
  echo "== PostgreSQL, $EVENTS events"
  report "psql \\copy (bare text table)"

  # The server's floor: the events and journeys the last import wrote,
  # replayed from COPY's binary format into a copy of the template, in one
  # transaction, as the bulk load of a first event file writes them
  # (store/pg_bulk.c): the events' index by (source, ref), their partial
  # index by wave and their foreign key dropped and built once at the
  # end, the statistics taken; the journeys' counter triggers off, so the
  # floor leaves out the counters' fill (the import's last ~1 s at 1M).
  # No client work.
  local ev_bin=$WORK/ev.bin j_bin=$WORK/j.bin sql=$WORK/floor.sql
  local ne; ne=$(psql_on bench_pk -At -c 'SELECT count(*) FROM pk_event')
  psql_on bench_pk -c "\\copy pk_event TO '$ev_bin' (FORMAT binary)" \
    -c "\\copy pk_journey TO '$j_bin' (FORMAT binary)"
  cat >"$sql" <<SQL
\\set ON_ERROR_STOP 1
BEGIN;
LOCK TABLE pk_event IN ACCESS EXCLUSIVE MODE;
DROP INDEX pk_event_ref; DROP INDEX pk_event_wave;
ALTER TABLE pk_event DROP CONSTRAINT pk_event_participant_id_fkey;
ALTER TABLE pk_journey DISABLE TRIGGER USER;
\\copy pk_event FROM '$ev_bin' (FORMAT binary)
\\copy pk_journey FROM '$j_bin' (FORMAT binary)
SET LOCAL maintenance_work_mem = '256MB';
CREATE UNIQUE INDEX pk_event_ref ON pk_event(source, ref);
CREATE INDEX pk_event_wave ON pk_event(wave, type) WHERE wave > 0;
ALTER TABLE pk_event ADD CONSTRAINT pk_event_participant_id_fkey
  FOREIGN KEY (participant_id) REFERENCES participant(id);
ALTER TABLE pk_journey ENABLE TRIGGER USER;
ANALYZE pk_event; ANALYZE pk_journey;
COMMIT;
SQL
  local best=""
  for ((i = 1; i <= RUNS; i++)); do
    PREP=prep_pk; once "server floor (bulk replay)" "$i" psql -X -q -h "$PG_DIR" -U prakerja -d bench_pk -f "$sql"
    PREP=""
    if [ -z "$best" ] || awk "BEGIN { exit !($S < $best) }"; then best=$S; fi
  done
  local m; m=$(psql_on bench_pk -At -c 'SELECT count(*) FROM pk_event')
  [ "$m" = "$ne" ] || { echo "the replay loaded $m events, expected $ne" >&2; exit 1; }
  printf '   %-34s %7.2f s  (%s events and their journeys replayed as a bulk load: no client work, no counters)\n' \
    "server floor" "$best" "$ne"
  printf '   floor/psql \\copy: %.2fx, prakerja/floor %.2fx (best against best)\n' \
    "$(calc "$best/$A_BEST")" "$(calc "$B_BEST/$best")"
}

if [ "$PG" = 1 ]; then bench_pg; else bench_sqlite; fi
