# bench/sinks.sh -- sourced by bench/channels.sh and bench/remind.sh: local
# sinks for the reminders' channels, started on free ports and killed by
# the caller's cleanup (the pids are appended to its `pids` array).
#  - HTTP: nginx (Debian's, one worker) answering every POST with the Cloud
#    API's success body {"messages":[{"id":"wamid.bench"}]} (keep-alive);
#    WhatsApp and the SMS gateway both post to it;
#  - SMTP: Debian's python3-aiosmtpd, one process, taking every message.
# sinks_start WORKDIR exports the channels' settings pointing at them,
# each channel's rate off.

sinks_start() {
work=$1
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || { echo "bench: nginx is needed (scripts/deps.sh --test)" >&2; exit 1; }
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

}
