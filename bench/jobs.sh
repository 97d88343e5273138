#!/usr/bin/env bash
# The daily job over N recipients on SQLite: `prakerja jobs run`.
#
#   bench/jobs.sh [N]        N recipients (default 1000000) in 30 weekly waves
#
# The data is built in bulk, not through a million commands: participants
# from bench/gen.py through `prakerja import participants` (a bulk load),
# 30 waves with `prakerja wave create`, then every recipient's journey
# written by sqlite3 in a few statements: gabung_gelombang, lolos and
# saldo_masuk (1,000,000) for everyone, a pembelian (400,000) two days after
# selection for 4 in 5, and the pk_journey row a fold of those events gives
# (with N <= 100000, `journey rebuild` checks that it does: 0 changed).  Waves
# are selected a week apart; the first-purchase deadline is 30 days (scheme
# 2021) and each wave's balance_until 93 days after its selection day, so
# on the day D measured exactly one wave's first-purchase deadline ended
# the day before (wave 20: its ~N/150 recipients without a purchase are
# revoked) and one wave's cut-off did (wave 11: its ~N/37.5 buyers' 600,000
# left lapse).
#
# Timed, each with /usr/bin/time (seconds, peak RSS), on a copy of the
# built database:
#   1. mirror mode, day D: nothing written, what is due counted (every
#      wave's backlog: waves 1-20 revocations, 1-11 lapses)
#   2. engine, day D-1: the backlog of waves 1-19 and cut-offs 1-10 in one
#      run (the first run of a deployment that never ran the job)
#   3. engine, day D: the daily run over N recipients (target < 5 s)
#   4. engine, day D again: nothing to do (idempotent)
#   5. engine, day D+1: a quiet day
# With BASE_PK=/path/to/an/older/prakerja (a release build of another
# revision, e.g. in a `git worktree add --detach` of it), step 3 is then
# timed PAIRS (3) more times against it, alternately, each on a fresh copy
# of the database as step 2 left it (fsynced before the run), and the
# median of the pairs' ratios is printed: the same-run comparison.
# Environment: BUILD (build-bench), SEED (1), BASE_PK, PAIRS (3); BUILD_ONLY=1
# builds (or finds) the cached database and stops (bench/remind.sh uses it).
# Generated files and the built database are cached in bench/.cache/
# (git-ignored).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build-bench}
N=${1:-1000000}
SEED=${SEED:-1}
BASE_PK=${BASE_PK:-}
PAIRS=${PAIRS:-3}
WAVES=30

scripts/deps.sh
if [ ! -x /usr/bin/time ]; then
  as_root=(); [ "$(id -u)" -eq 0 ] || as_root=(sudo)
  "${as_root[@]}" apt-get install -y -qq time >/dev/null
fi
[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" --buildtype=release -Dtests=false >/dev/null
ninja -C "$BUILD" -j2 >/dev/null
PK=$ROOT/$BUILD/src/cli/prakerja

CACHE=$ROOT/bench/.cache
WORK=$CACHE/work-jobs
mkdir -p "$CACHE" "$WORK"
trap 'rm -rf "$WORK"' EXIT

day() { date -u -d "@$(( $1 + 7 * 3600 ))" +%F; }      # the WIB day of an instant
BASE=$(date -d '2021-01-04T10:00:00+07:00' +%s)        # wave 1's selection
WEEK=$((7 * 86400))
# D: the day after wave 20's first-purchase deadline (selection day + 30)
D=$(date -u -d "$(day $((BASE + 19 * WEEK))) + 31 days" +%F)
D_1=$(date -u -d "$D - 1 day" +%F)
D1=$(date -u -d "$D + 1 day" +%F)

PFILE=$CACHE/jobs-people-$N-$SEED.csv
DB=$CACHE/jobs-v2-$N-$SEED.db   # v2: the events' refs are the draw's (the job acts on those)
if [ ! -f "$DB" ]; then
  echo "building $N recipients (cached in $DB)"
  [ -f "$PFILE" ] || python3 bench/gen.py "$N" --seed "$SEED" --bad-rate 0 > "$PFILE"
  rm -f "$WORK/b.db" "$WORK/b.db.key"
  t0=$(date +%s.%N)
  "$PK" migrate --db "$WORK/b.db" >/dev/null 2>&1
  "$PK" import participants "$PFILE" --db "$WORK/b.db" --scheme 2021 >/dev/null 2>"$WORK/err" || {
    cat "$WORK/err" >&2; exit 1; }
  for w in $(seq 1 $WAVES); do
    sel=$((BASE + (w - 1) * WEEK))
    "$PK" wave create --db "$WORK/b.db" --wave "$w" --scheme 2021 \
      --opens "$(date -u -d "@$((sel - 10 * 86400))" +%FT%TZ)" \
      --closes "$(date -u -d "@$((sel - 3 * 86400))" +%FT%TZ)" --quota "$N" \
      --balance-until "$(date -u -d "$(day $sel) + 93 days" +%F)" >/dev/null
  done
  # every participant a recipient of wave (id % 30) + 1; 4 in 5 buy
  sqlite3 "$WORK/b.db" >/dev/null <<SQL
PRAGMA journal_mode = WAL;
BEGIN;
CREATE TEMP TABLE r AS SELECT id, (id % $WAVES) + 1 AS w,
  $BASE + (id % $WAVES) * $WEEK AS sel, ((id / $WAVES) % 5) != 0 AS buys FROM participant;
INSERT INTO pk_event (participant_id, source, ref, type, at, seq, received_at, wave)
  SELECT id, 'lokal', 'gabung-' || w || '-' || id, 'gabung_gelombang', sel - 5 * 86400, 1,
         '2021-01-01 00:00:00', w FROM r;
INSERT INTO pk_event (participant_id, source, ref, type, at, seq, received_at, wave)
  SELECT id, 'lokal', 'undian-' || w || '-lolos-' || id, 'lolos', sel, 1,
         '2021-01-01 00:00:00', w FROM r;
INSERT INTO pk_event (participant_id, source, ref, type, at, seq, received_at, amount)
  SELECT id, 'lokal', 'undian-' || w || '-saldo-' || id, 'saldo_masuk', sel, 2,
         '2021-01-01 00:00:00', 1000000 FROM r;
INSERT INTO pk_event (participant_id, source, ref, type, at, seq, received_at, amount,
                      course, platform)
  SELECT id, 'lokal', 'b-p-' || id, 'pembelian', sel + 2 * 86400, 1,
         '2021-01-01 00:00:00', 400000, 'K-1', 'tokopedia' FROM r WHERE buys;
INSERT INTO pk_journey (participant_id, status, payout, wave, joined_at, selected_at,
  revoked_at, balance, credited, spent, refunded, lapsed, first_purchase_at, purchases,
  completions, reviews, first_completion_at, first_review_at, payout_at, incentives_paid,
  incentive_total, incentives_failed, survey_k, survey_opened_at, surveys_filled,
  survey_incentives, events, last_at, updated_at)
  SELECT id, 'penerima', '', w, sel - 5 * 86400, sel, 0,
         CASE WHEN buys THEN 600000 ELSE 1000000 END, 1000000,
         CASE WHEN buys THEN 400000 ELSE 0 END, 0, 0,
         CASE WHEN buys THEN sel + 2 * 86400 ELSE 0 END, buys, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
         0, 0, CASE WHEN buys THEN 4 ELSE 3 END,
         CASE WHEN buys THEN sel + 2 * 86400 ELSE sel END, '2021-01-01 00:00:00' FROM r;
COMMIT;
ANALYZE;
SQL
  t1=$(date +%s.%N)
  printf 'built in %.0f s\n' "$(echo "$t1 - $t0" | bc)"
  mv "$WORK/b.db" "$DB"
  mv "$WORK/b.db.key" "$DB.key"
  rm -f "$WORK"/b.db-*
fi

[ -z "${BUILD_ONLY:-}" ] || exit 0

fresh() {
  rm -f "$WORK"/j.db*
  cp "$DB" "$WORK/j.db"
  cp "$DB.key" "$WORK/j.db.key"
}

# timed RUN_NAME ARGS...: prints the run's line and its JSON summary
timed() {
  local name=$1; shift
  /usr/bin/time -f '%e %M' -o "$WORK/time" "$PK" "$@" --db "$WORK/j.db" > "$WORK/out" 2>"$WORK/err" || {
    cat "$WORK/err" >&2; exit 1; }
  read -r secs kb < "$WORK/time"
  printf '%-34s %7.2f s  %4d MiB  %s\n' "$name" "$secs" $((kb / 1024)) "$(tail -1 "$WORK/out")"
}

fresh
# the bulk state agrees with a fold of the events: a rebuild of a sample
# changes nothing (the whole would take a while at 1M)
sample=$(sqlite3 "$WORK/j.db" "SELECT count(*) FROM pk_journey")
echo "recipients: $sample in $WAVES waves; day D = $D (load: $(cut -d' ' -f1-3 /proc/loadavg))"
if [ "$N" -le 100000 ]; then
  "$PK" journey rebuild --db "$WORK/j.db" 2>/dev/null | sed 's/^/journey rebuild (the bulk state): /'
fi

timed "1. mirror, day D (report only)" jobs run --date "$D" --mode mirror
timed "2. engine, day D-1 (the backlog)" jobs run --date "$D_1" --mode engine
if [ -n "$BASE_PK" ]; then   # the database as the backlog left it, for the pairs
  sqlite3 "$WORK/j.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
  cp "$WORK/j.db" "$WORK/after.db"
fi
timed "3. engine, day D (the daily run)" jobs run --date "$D" --mode engine
timed "4. engine, day D again" jobs run --date "$D" --mode engine
timed "5. engine, day D+1 (quiet)" jobs run --date "$D1" --mode engine
if [ -n "$BASE_PK" ]; then
  # pair BIN: step 3 by BIN on a fresh copy of the backlog's database
  pair() {
    rm -f "$WORK"/p.db*
    cp "$WORK/after.db" "$WORK/p.db"
    cp "$WORK/j.db.key" "$WORK/p.db.key"
    sync "$WORK/p.db"
    /usr/bin/time -f '%e %U %S %M' -o "$WORK/time" "$1" jobs run --date "$D" --mode engine \
      --db "$WORK/p.db" > "$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" >&2; exit 1; }
    read -r secs user sys kb < "$WORK/time"
    echo "$secs $user $sys $((kb / 1024)) $(tail -1 "$WORK/out" | cut -c1-120)"
  }
  ratios=()
  for i in $(seq 1 "$PAIRS"); do
    read -r bs bu bsys bm bout < <(pair "$BASE_PK")
    read -r ns nu nsys nm nout < <(pair "$PK")
    printf 'pair %d: base %6.2f s (cpu %.2f+%.2f, %d MiB)  this %6.2f s (cpu %.2f+%.2f, %d MiB)\n' \
      "$i" "$bs" "$bu" "$bsys" "$bm" "$ns" "$nu" "$nsys" "$nm"
    [ "$bout" = "$nout" ] || echo "  summaries differ: base $bout / this $nout"
    ratios+=("$(echo "$ns / $bs" | bc -l)")
  done
  printf 'step 3, this / base (median of %d pairs): %.2f  (load: %s)\n' "$PAIRS" \
    "$(printf '%s\n' "${ratios[@]}" | sort -g | sed -n "$(( (PAIRS + 1) / 2 ))p")" \
    "$(cut -d' ' -f1-3 /proc/loadavg)"
fi
echo "events: $(sqlite3 "$WORK/j.db" "SELECT count(*) FROM pk_event WHERE ref LIKE 'job:%'") written by the job;" \
     "daftar_hitam: $(sqlite3 "$WORK/j.db" "SELECT count(*) FROM exclusion WHERE list = 'daftar_hitam'")"
