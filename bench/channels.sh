#!/usr/bin/env bash
# Channel throughput (issue #15: the outbox sends >= 2,000 messages/s to a
# local HTTP sink with the rate limit off, >= 200 e-mails/s to a local SMTP
# server): `prakerja remind test-send --count N` with each channel's rate
# off (whatsapp_rate = sms_rate = email_rate = 0), its own summary line's
# per_second.
#
#   bench/channels.sh
#
# Sinks (bench/sinks.sh), started on free ports and stopped on exit:
#  - HTTP: nginx (Debian's, one worker) answering every POST with the Cloud
#    API's success body {"messages":[{"id":"wamid.bench"}]} (keep-alive);
#    WhatsApp and the SMS gateway both post to it;
#  - SMTP: Debian's python3-aiosmtpd, one process, taking every message.
# The runs are interleaved (whatsapp, sms, email; RUNS rounds) and the
# median of each is reported with the spread.  The machine is shared with
# other work: the figures are noisy, compare within one run.
#
# Environment: RUNS (5), HTTP_COUNT (20000), MAIL_COUNT (2000), BATCH (100:
# messages handed to the channel at once, the outbox's batch), BUILD
# (build-bench).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BUILD=${BUILD:-build-bench}
RUNS=${RUNS:-5}
HTTP_COUNT=${HTTP_COUNT:-20000}
MAIL_COUNT=${MAIL_COUNT:-2000}
BATCH=${BATCH:-100}

[ -f "$BUILD/build.ninja" ] || meson setup "$BUILD" --buildtype=release -Dtests=false >/dev/null
ninja -C "$BUILD" >/dev/null
BIN=$ROOT/$BUILD/src/cli/prakerja

work=$(mktemp -d /tmp/pk-bench-channels.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

. bench/sinks.sh
sinks_start "$work"

one() { # channel to count -> messages per second (all must be ok)
    "$BIN" remind test-send --channel "$1" --to "$2" --count "$3" --batch "$BATCH" \
        >"$work/out.jsonl"
    tail -n 1 "$work/out.jsonl" | python3 -c '
import json, sys
s = json.loads(sys.stdin.read())
assert s["ok"] == s["count"], s
print("%.0f" % s["per_second"])'
}

declare -A rates
echo "bench/channels.sh: $RUNS interleaved rounds; HTTP $HTTP_COUNT messages, e-mail" \
     "$MAIL_COUNT, batches of $BATCH, rates off (shared machine)"
for r in $(seq "$RUNS"); do
    w=$(one whatsapp +6281100000001 "$HTTP_COUNT")
    s=$(one sms +6281100000001 "$HTTP_COUNT")
    e=$(one email budi@contoh.id "$MAIL_COUNT")
    echo "  round $r: whatsapp $w/s  sms $s/s  email $e/s"
    rates[whatsapp]+="$w "
    rates[sms]+="$s "
    rates[email]+="$e "
done
for ch in whatsapp sms email; do
    python3 - "$ch" ${rates[$ch]} <<'EOF'
import statistics, sys
ch, v = sys.argv[1], [float(x) for x in sys.argv[2:]]
target = 200 if ch == "email" else 2000
m = statistics.median(v)
print("%-8s median %6.0f msg/s (min %.0f, max %.0f; target %d: %s)"
      % (ch, m, min(v), max(v), target, "met" if m >= target else "NOT met"))
EOF
done
