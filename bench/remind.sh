#!/usr/bin/env bash
# A day's reminders over N recipients on SQLite: `prakerja remind plan` and
# `prakerja remind run` (issue #15: planning a day for 1,000,000 recipients
# with journeys under 10 s on this 2-core machine, constant memory).
#
#   bench/remind.sh [N]      N recipients (default 1000000)
#
# The recipients are bench/jobs.sh's (built once and cached there: 30
# weekly waves, 4 in 5 bought a training, every balance has a cut-off 93
# days after selection), so every journey has occurrences: saldo_belum_
# terpakai for all, beli_pelatihan for the 1 in 5 who did not buy.  Day D
# is bench/jobs.sh's (the day after wave 20's first-purchase deadline).
# Timed with /usr/bin/time (wall, user+system CPU, peak RSS) on a copy:
#   1. plan, day D (changes nothing; its lines counted)
#   2. run, day D: the first run of a deployment, so every fire due since
#      the waves began is decided (most terlewat), and the day's messages
#      go to the berkas channel
#   3. run, day D again: nothing left to do
#   4. plan, day D+1: a quiet day after the run
#   5. the outbox alone (issue #15: >= 2,000 messages/s to a local HTTP
#      sink): step 2's messages queued again for WhatsApp (an UPDATE) and
#      handed by `remind send` to nginx standing in for the Cloud API
#      (bench/sinks.sh), the channel's rate off; messages per second of
#      wall time, twice (interleaved with nothing: a figure, not a ratio)
# Environment: BUILD (build-bench), SEED (1).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build-bench}
N=${1:-1000000}
SEED=${SEED:-1}
BUILD=$BUILD SEED=$SEED BUILD_ONLY=1 bench/jobs.sh "$N"
PK=$ROOT/$BUILD/src/cli/prakerja
CACHE=$ROOT/bench/.cache
DB=$CACHE/jobs-v2-$N-$SEED.db
WORK=$CACHE/work-remind
rm -rf "$WORK"
mkdir -p "$WORK"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

day() { date -u -d "@$(( $1 + 7 * 3600 ))" +%F; }
BASE=$(date -d '2021-01-04T10:00:00+07:00' +%s)
WEEK=$((7 * 86400))
D=$(date -u -d "$(day $((BASE + 19 * WEEK))) + 31 days" +%F)
D1=$(date -u -d "$D + 1 day" +%F)

cp "$DB" "$WORK/r.db"
cp "$DB.key" "$WORK/r.db.key"
export PRAKERJA_REMIND_FILE=$WORK/pesan.jsonl

timed() {
  local name=$1; shift
  /usr/bin/time -f '%e %U %S %M' -o "$WORK/time" "$PK" "$@" --db "$WORK/r.db" \
    > "$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" >&2; exit 1; }
  read -r secs user sys kb < "$WORK/time"
  printf '%-30s %6.2f s (cpu %.2f+%.2f) %4d MiB  %d lines  %s\n' "$name" "$secs" "$user" \
    "$sys" $((kb / 1024)) $(($(wc -l < "$WORK/out") - 1)) "$(tail -1 "$WORK/out" | cut -c1-160)"
}

echo "recipients: $(sqlite3 "$WORK/r.db" "SELECT count(*) FROM pk_journey"); day D = $D" \
     "(load: $(cut -d' ' -f1-3 /proc/loadavg))"
timed "1. plan, day D" remind plan --date "$D"
timed "2. run, day D (first run)" remind run --date "$D"
echo "   messages in the berkas file: $(wc -l < "$PRAKERJA_REMIND_FILE")"
timed "3. run, day D again" remind run --date "$D"
timed "4. plan, day D+1" remind plan --date "$D1"

. bench/sinks.sh
sinks_start "$WORK"
unset PRAKERJA_REMIND_FILE $(env | grep -oE "^PRAKERJA_(SMS|SMTP|EMAIL)_[A-Z_]+")
for round in 1 2; do
  sqlite3 "$WORK/r.db" "UPDATE pk_remind_message SET state = 'antri', channel = 'whatsapp',
    attempts = 0, next_at = 0, failed = 0"
  n=$(sqlite3 "$WORK/r.db" "SELECT count(*) FROM pk_remind_message")
  /usr/bin/time -f '%e %U %S %M' -o "$WORK/time" "$PK" remind send --db "$WORK/r.db" \
    > "$WORK/out" 2>"$WORK/err" || { cat "$WORK/err" >&2; exit 1; }
  read -r secs user sys kb < "$WORK/time"
  printf '5. outbox, round %d: %d messages to WhatsApp (nginx sink) in %.2f s (cpu %.2f+%.2f,' \
    "$round" "$n" "$secs" "$user" "$sys"
  printf ' %d MiB): %.0f msg/s  %s\n' $((kb / 1024)) "$(echo "$n / $secs" | bc -l)" \
    "$(cat "$WORK/out")"
done

