#!/usr/bin/env bash
# Channel throughput (issue #15: the outbox sends >= 2,000 messages/s to a
# local HTTP sink with the rate limit off, >= 200 e-mails/s to a local SMTP
# server): `prakerja remind test-send --count N` with each channel's rate
# off (whatsapp_rate = sms_rate = email_rate = 0), its own summary line's
# per_second.
#
#   bench/channels.sh
#
# Sinks, started here on free ports and stopped on exit:
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
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "bench/channels.sh: nginx is needed (scripts/deps.sh --test)" >&2; exit 1; }

work=$(mktemp -d /tmp/pk-bench-channels.XXXXXX)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

HTTP_PORT=$(free_port)
mkdir -p "$work/nginx"
cat >"$work/nginx/nginx.conf" <<EOF
worker_processes 1;
daemon off;
master_process off;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $work/nginx/body;
    proxy_temp_path $work/nginx/proxy;
    fastcgi_temp_path $work/nginx/fastcgi;
    uwsgi_temp_path $work/nginx/uwsgi;
    scgi_temp_path $work/nginx/scgi;
    keepalive_requests 10000000;
    server {
        listen 127.0.0.1:$HTTP_PORT;
        location / {
            default_type application/json;
            return 200 '{"messages":[{"id":"wamid.bench"}]}';
        }
    }
}
EOF
"$NGINX" -p "$work/nginx" -c "$work/nginx/nginx.conf" &
pids+=($!)

SMTP_PORT=$(free_port)
cat >"$work/smtp.py" <<'EOF'
import sys, time
sys.path.append("/usr/lib/python3/dist-packages")
from aiosmtpd.controller import Controller
class Sink:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"
c = Controller(Sink(), hostname="127.0.0.1", port=int(sys.argv[1]))
c.start()
try:
    while True:
        time.sleep(3600)
finally:
    c.stop()
EOF
python3 "$work/smtp.py" "$SMTP_PORT" 2>/dev/null &
pids+=($!)

for _ in $(seq 50); do
    python3 - "$HTTP_PORT" "$SMTP_PORT" 2>/dev/null <<'EOF' && break
import socket, sys
for p in sys.argv[1:]:
    socket.create_connection(("127.0.0.1", int(p)), timeout=1).close()
EOF
    sleep 0.2
done

export PRAKERJA_WHATSAPP_URL=http://127.0.0.1:$HTTP_PORT/v19.0
export PRAKERJA_WHATSAPP_PHONE_ID=1098765432 PRAKERJA_WHATSAPP_TOKEN=bench-token
export PRAKERJA_SMS_URL=http://127.0.0.1:$HTTP_PORT/sms PRAKERJA_SMS_ID_FIELD=messages.0.id
export PRAKERJA_SMTP_URL=smtp://127.0.0.1:$SMTP_PORT PRAKERJA_SMTP_STARTTLS=off
export PRAKERJA_SMTP_FROM="Kartu Prakerja <noreply@prakerja.contoh.id>"
export PRAKERJA_WHATSAPP_RATE=0 PRAKERJA_SMS_RATE=0 PRAKERJA_EMAIL_RATE=0

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
