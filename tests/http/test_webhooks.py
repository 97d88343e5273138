"""Black-box tests of the webhooks in (TAP): receipts and replies from the
WhatsApp Cloud API (POST /webhook/whatsapp, signed X-Hub-Signature-256;
GET /webhook/whatsapp, the verification handshake) and from an SMS gateway
(POST /webhook/sms with a shared secret), against messages that
`prakerja remind run` handed to local stand-ins of those gateways
(test_channels' Gateways, in their documented formats).

- the handshake, signatures (none, forged, tampered, malformed) and the
  SMS secret refused with their codes and nothing changed; a server
  without the settings answers 404; bad JSON 400; a body over max_body 413;
- statuses delivered and read kept once (a repeat changes nothing) and
  shown on the participant's page; a status for an unknown message 200;
- a failed status with a permanent code (131026): the person's WhatsApp
  kept as failed and the message sent by SMS by the next `remind send`;
  a temporary one (131000): noted, nothing else; replays changes nothing;
- STOP/BERHENTI/MULAI by WhatsApp (with context.id, and bare) and by SMS
  change pk_consent_change (channel, actor warga:balasan) and the next
  day's plan (berhenti_langganan), replays change nothing, MULAI starts
  only what a reply stopped, a number never messaged changes nothing.

usage: python3 tests/http/test_webhooks.py PATH-TO-PRAKERJA [TEST-NAME...]
"""

import hashlib
import hmac
import json
import urllib.parse

import harness as h
from harness import eq, test

_n0 = len(h._tests)
from test_channels import Gateways, HttpGateways  # noqa: E402
from test_remind_outbox import gateway_env, load, run, to_of  # noqa: E402
from test_remind_run import R  # noqa: E402
del h._tests[_n0:]

APP_SECRET = "rahasia-aplikasi-meta-uji"
VERIFY = "token-verifikasi-uji"
SMS_SECRET = "rahasia-webhook-sms-uji"
ENV = {"PRAKERJA_WHATSAPP_APP_SECRET": APP_SECRET, "PRAKERJA_WHATSAPP_VERIFY_TOKEN": VERIFY,
       "PRAKERJA_SMS_WEBHOOK_SECRET": SMS_SECRET}
ADMIN_PW = "Admin-Webhook-Kuat-9"


def sign(body, secret=APP_SECRET):
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def wa_post(s, doc, secret=APP_SECRET, raw=None, signature=None):
    body = raw if raw is not None else json.dumps(doc).encode()
    hdrs = {"Content-Type": "application/json"}
    sig = signature if signature is not None else (sign(body, secret) if secret else None)
    if sig is not None:
        hdrs["X-Hub-Signature-256"] = sig
    return s.json("POST", "/webhook/whatsapp", body, hdrs)


def envelope(statuses=(), messages=()):
    value = {"messaging_product": "whatsapp",
             "metadata": {"display_phone_number": "6221000000", "phone_number_id": "1098765432"}}
    if statuses:
        value["statuses"] = list(statuses)
    if messages:
        value["messages"] = list(messages)
        value["contacts"] = [{"profile": {"name": "Warga"}, "wa_id": messages[0]["from"]}]
    return {"object": "whatsapp_business_account",
            "entry": [{"id": "102290129340398", "changes": [{"value": value,
                                                              "field": "messages"}]}]}


def status(wamid, st, ts=1616050000, code=None, title=""):
    x = {"id": wamid, "status": st, "timestamp": str(ts), "recipient_id": "6281233000001"}
    if code is not None:
        x["errors"] = [{"code": code, "title": title, "message": title,
                        "error_data": {"details": title}}]
    return x


def reply(frm, text, mid, context=None, kind="text"):
    m = {"from": frm, "id": mid, "timestamp": "1616060000", "type": kind}
    if kind == "text":
        m["text"] = {"body": text}
    else:
        m["button"] = {"text": text, "payload": text}
    if context:
        m["context"] = {"from": "6221000000", "id": context}
    return m


def sms_post(s, fields, secret=SMS_SECRET, as_json=False, query=""):
    hdrs = {}
    if secret is not None and not query:
        hdrs["X-Webhook-Secret"] = secret
    if as_json:
        hdrs["Content-Type"] = "application/json"
        body = json.dumps(fields)
    else:
        hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        body = urllib.parse.urlencode(fields)
    return s.json("POST", "/webhook/sms" + query, body, hdrs)


def err_code(res, st, code, what):
    eq(res[0], st, "%s: status (%r)" % (what, res[2]))
    eq((res[2] or {}).get("error", {}).get("code"), code, what + ": code")
    if st == 401:   # RFC 9110: a 401 names the credential it wants
        assert {k.lower(): v for k, v in dict(res[1]).items()}.get("www-authenticate"), res[1]


class World:
    """People 1 and 2 (WhatsApp reaches them) and 26 (not a WhatsApp user:
    SMS), each sent one reminder on 2021-03-18 through the gateways, and
    a server on the same database with the webhooks' settings."""

    def __init__(self, serials=(1, 2, 26)):
        self.serials = list(serials)
        self.g = HttpGateways()
        self.r = R()
        self.niks = load(self.r, list(serials))
        self.env = gateway_env(self.g, "whatsapp", "sms")
        s = run(self.r, "2021-03-18", self.env)
        eq(s["sent"], len(serials), "sent on 2021-03-18")
        self.s = h.Server(env=ENV, db=self.r.db).start()

    def close(self):
        try:
            self.s.stop_clean()
        finally:
            self.s.cleanup()
            self.r.__exit__(None, None, None)
            self.g.stop()

    def msg(self, name):
        """(id, channel, state, provider_id, delivered_at, read_at, failed, error)"""
        rows = self.r.sql(
            "SELECT m.id, m.channel, m.state, m.provider_id, m.delivered_at, m.read_at,"
            " m.failed, m.error FROM pk_remind_message m JOIN participant p"
            " ON p.id = m.participant_id WHERE p.nama = 'Peserta Nomor %d' ORDER BY m.id DESC"
            % name)
        return tuple(rows[0])

    def pid(self, name):
        return self.r.sql("SELECT id FROM participant WHERE nama = 'Peserta Nomor %d'"
                          % name)[0][0]

    def changes(self, name=None):
        where = "" if name is None else " WHERE participant_id = %d" % self.pid(name)
        return [tuple(x) for x in self.r.sql(
            "SELECT purpose, stopped, channel, actor FROM pk_consent_change%s ORDER BY id"
            % where)]

    def plan(self, name, day="2021-03-25"):
        lines, _, _ = self.r.remind("plan", day)
        nik = self.niks[self.serials.index(name)]
        return sorted(x["status"] for x in lines if x["nik"] == nik)


def world_test(fn):
    def wrapped():
        w = World()
        try:
            fn(w)
        finally:
            w.close()
    wrapped.__name__ = fn.__name__
    return test(wrapped)


# ---- credentials ----------------------------------------------------------------

@world_test
def handshake_and_credentials(w):
    s = w.s
    q = "/webhook/whatsapp?hub.mode=subscribe&hub.verify_token=%s&hub.challenge=1158201444"
    st, hdrs, body = s.request("GET", q % VERIFY)
    eq((st, body), (200, b"1158201444"), "the handshake answers the challenge")
    assert hdrs["content-type"].startswith("text/plain"), hdrs
    err_code(s.json("GET", q % "salah"), 403, "token_verifikasi_salah", "wrong token")
    err_code(s.json("GET", "/webhook/whatsapp?hub.mode=unsubscribe&hub.verify_token=%s"
                    "&hub.challenge=1" % VERIFY), 403, "token_verifikasi_salah", "mode")
    err_code(s.json("GET", "/webhook/whatsapp"), 403, "token_verifikasi_salah", "nothing")
    err_code(s.json("GET", "/webhook/whatsapp?hub.mode=subscribe&hub.verify_token=%s" % VERIFY),
             400, "parameter_tidak_valid", "no challenge")
    err_code(s.json("GET", (q % VERIFY).replace("1158201444", "%3Cscript%3E")), 400,
             "parameter_tidak_valid", "a challenge that is not a token")

    wamid = w.msg(1)[3]
    doc = envelope(statuses=[status(wamid, "read")])
    body = json.dumps(doc).encode()
    for what, sig in [("unsigned", None), ("another secret", sign(body, "rahasia-lain")),
                      ("malformed", "sha256=zz"), ("sha1", "sha1=" + "0" * 40),
                      ("uppercase prefix", sign(body).replace("sha256=", "SHA256=")),
                      ("tampered body", sign(body + b" "))]:
        hdrs = {"Content-Type": "application/json"}
        if sig:
            hdrs["X-Hub-Signature-256"] = sig
        err_code(s.json("POST", "/webhook/whatsapp", body, hdrs), 401,
                 "tanda_tangan_tidak_valid", what)
    # a staff session or API token is no credential here
    err_code(s.json("POST", "/webhook/whatsapp", body,
                    {"Content-Type": "application/json", "Authorization": "Bearer pkt_x"}),
             401, "tanda_tangan_tidak_valid", "bearer")
    eq(w.msg(1)[4:6], (0, 0), "refused bodies changed nothing")
    # the upper-case hex of the right MAC is the same MAC
    hdrs = {"Content-Type": "application/json",
            "X-Hub-Signature-256": "sha256=" + sign(body)[7:].upper()}
    eq(s.json("POST", "/webhook/whatsapp", body, hdrs)[0], 200, "upper-case hex")
    eq(w.msg(1)[5], 1616050000, "read kept")

    # SMS: the shared secret
    sid = w.msg(26)[3]
    dr = {"id": sid, "status": "DELIVRD"}
    err_code(sms_post(s, dr, secret=None), 401, "kunci_webhook_tidak_valid", "no secret")
    err_code(sms_post(s, dr, secret="salah"), 401, "kunci_webhook_tidak_valid", "wrong secret")
    err_code(sms_post(s, dr, secret=SMS_SECRET + "x"), 401, "kunci_webhook_tidak_valid",
             "longer secret")
    eq(w.msg(26)[4], 0, "nothing recorded")
    st, _, b = sms_post(s, dr, query="?kunci=" + SMS_SECRET)
    eq((st, b["tanda_terima"]), (200, 1), "the secret as a query parameter")
    assert w.msg(26)[4] > 0, "delivered kept"
    # the access log keeps the route, never the query (the secret) or a number
    log = s.stderr()
    assert SMS_SECRET not in log and APP_SECRET not in log and VERIFY not in log, log[-2000:]
    assert "81233000" not in log, "a number in the log"


@test
def not_configured_is_404():
    with h.Server() as s:
        err_code(s.json("GET", "/webhook/whatsapp?hub.mode=subscribe&hub.verify_token=x"
                        "&hub.challenge=1"), 404, "webhook_tidak_aktif", "handshake")
        err_code(wa_post(s, envelope(), secret="apa-saja"), 404, "webhook_tidak_aktif", "POST")
        err_code(sms_post(s, {"id": "1", "status": "DELIVRD"}, secret="apa-saja"), 404,
                 "webhook_tidak_aktif", "SMS")


@world_test
def bad_bodies(w):
    s = w.s
    for raw in [b"", b"bukan json", b"[1,2]", b'{"a":1,"a":2}', b'"teks"']:
        err_code(wa_post(s, None, raw=raw), 400, "json_tidak_valid", "body %r" % raw)
    # signed but of no known shape: taken, nothing done
    st, _, b = wa_post(s, {"object": "whatsapp_business_account", "entry": [{"changes": 7}]})
    eq((st, b["butir"]), (200, 0), "an unknown shape is acknowledged")
    big = json.dumps(envelope(messages=[reply("6281233000001", "x" * 70000, "wamid.big")]))
    err_code(wa_post(s, None, raw=big.encode()), 413, "isi_terlalu_besar", "over max_body")
    err_code(sms_post(s, {"apa": "ini"}), 400, "laporan_tidak_dikenal", "SMS: no known fields")
    err_code(sms_post(s, {"id": "1"}), 400, "laporan_tidak_dikenal", "SMS: no status")
    st, _, _ = s.request("POST", "/webhook/sms", b"%zz=1",
                         {"X-Webhook-Secret": SMS_SECRET,
                          "Content-Type": "application/x-www-form-urlencoded"})
    eq(st, 400, "SMS: a malformed form")
    err_code(sms_post(s, None, as_json=True), 400, "laporan_tidak_dikenal", "SMS: JSON null")
    eq(w.changes(), [], "no consent changed")
    eq(w.r.sql("SELECT count(*) FROM pk_inbound")[0][0], 0, "nothing recorded")


# ---- receipts -------------------------------------------------------------------

def admin_page(w, name):
    code, _, err = h.run_cli(w.r.db.args_for(["user", "add", "--username", "admin.wh",
                                               "--role", "admin", "--password-stdin"]),
                             stdin=(ADMIN_PW + "\n").encode())
    assert code in (0, 1), err
    b = h.Browser(w.s)
    st, _, text = b.post("/masuk", {"nama_pengguna": "admin.wh", "kata_sandi": ADMIN_PW})
    eq(st, 303, "login: " + text[:200])
    st, _, text = b.get("/peserta/%d" % w.pid(name))
    eq(st, 200, "participant page")
    return text


@world_test
def delivered_and_read_kept_once(w):
    s = w.s
    m1, m2 = w.msg(1), w.msg(2)
    st, _, b = wa_post(s, envelope(statuses=[status(m1[3], "sent", 1616049000),
                                             status(m1[3], "delivered", 1616050000),
                                             status(m2[3], "delivered", 1616050100),
                                             status("wamid.tidak.dikenal", "delivered")]))
    eq(st, 200, "status")
    eq((b["butir"], b["tanda_terima"], b["tidak_dikenal"], b["diabaikan"]), (4, 2, 1, 1),
       "summary: %r" % b)
    eq(w.msg(1)[4:6], (1616050000, 0), "delivered kept")
    # a repeat, and a later delivered: the first instant stays
    st, _, b = wa_post(s, envelope(statuses=[status(m1[3], "delivered", 1616059999)]))
    eq((b["tanda_terima"], b["ulangan"]), (0, 1), "repeat")
    eq(w.msg(1)[4], 1616050000, "first instant kept")
    text = admin_page(w, 1)
    assert 'data-receipt="diterima"' in text and "sampai di ponsel" in text, text[-3000:]
    wa_post(s, envelope(statuses=[status(m1[3], "read", 1616051000)]))
    eq(w.msg(1)[4:6], (1616050000, 1616051000), "read kept")
    text = admin_page(w, 1)
    assert 'data-receipt="dibaca"' in text, text[-3000:]
    eq(w.msg(1)[2], "terkirim", "the state stays")
    # an SMS delivery report in JSON with a numeric id of the gateway's
    sid = w.msg(26)[3]
    st, _, b = sms_post(s, {"id": sid, "status": "delivered"}, as_json=True)
    eq((st, b["tanda_terima"]), (200, 1), "SMS delivered (any case)")
    st, _, b = sms_post(s, {"id": 123456, "status": "DELIVRD"}, as_json=True)
    eq((st, b["tidak_dikenal"]), (200, 1), "an SMS id not known")
    st, _, b = sms_post(s, {"id": sid, "status": "ACCEPTD"})
    eq(b["diabaikan"], 1, "a status word not configured is ignored")


@world_test
def permanent_failure_falls_back_to_sms(w):
    s = w.s
    wamid = w.msg(1)[3]
    st, _, b = wa_post(s, envelope(statuses=[status(wamid, "failed", code=131026,
                                                    title="Message undeliverable")]))
    eq((st, b["dialihkan"]), (200, 1), "fell back: %r" % b)
    mid, ch, state, _, _, _, failed, error = w.msg(1)
    eq((ch, state, failed), ("sms", "antri", 1), "queued on SMS, WhatsApp marked failed")
    assert "131026" in error, error
    eq([tuple(x) for x in w.r.sql(
        "SELECT channel FROM pk_contact_failed WHERE participant_id = %d" % w.pid(1))],
       [("whatsapp",)], "kept for the person")
    # the replay changes nothing
    st, _, b = wa_post(s, envelope(statuses=[status(wamid, "failed", code=131026,
                                                    title="Message undeliverable")]))
    eq((st, b["dialihkan"]), (200, 0), "replay")
    Gateways.seen = []
    code, out, err = w.r.cli(["remind", "send"], env=w.env)
    eq(code, 0, "remind send: %r" % err)
    eq(json.loads(out)["sent"], 1, "one message sent")
    eq([to_of(q) for q in Gateways.seen], [("sms", "081233000001")], "by SMS, to person 1")
    eq(w.msg(1)[1:3], ("sms", "terkirim"), "sent by SMS")
    # the WhatsApp id of the message is gone with it: a late status is ignored
    st, _, b = wa_post(s, envelope(statuses=[status(wamid, "delivered")]))
    eq(b["tidak_dikenal"], 1, "late delivered after the fallback")
    # the next message to 1 goes by SMS without asking WhatsApp
    Gateways.seen = []
    run(w.r, "2021-03-25", w.env)
    assert ("sms", "081233000001") in [to_of(q) for q in Gateways.seen], Gateways.seen
    assert ("wa", "6281233000001") not in [to_of(q) for q in Gateways.seen], Gateways.seen


@world_test
def temporary_failure_changes_nothing_but_a_note(w):
    s = w.s
    wamid = w.msg(2)[3]
    st, _, b = wa_post(s, envelope(statuses=[status(wamid, "failed", code=131000,
                                                    title="Something went wrong")]))
    eq((st, b["catatan"], b["dialihkan"]), (200, 1, 0), "noted: %r" % b)
    _, ch, state, _, _, _, failed, error = w.msg(2)
    eq((ch, state, failed), ("whatsapp", "terkirim", 0), "nothing else")
    assert "131000" in error, error
    eq(w.r.sql("SELECT count(*) FROM pk_contact_failed WHERE participant_id = %d"
               % w.pid(2))[0][0], 0, "not kept for the person")
    st, _, b = wa_post(s, envelope(statuses=[status(wamid, "failed", code=131000,
                                                    title="Something went wrong")]))
    eq(b["ulangan"], 1, "replay")
    Gateways.seen = []
    code, out, _ = w.r.cli(["remind", "send"], env=w.env)
    eq(json.loads(out)["sent"], 0, "nothing to send")
    eq(Gateways.seen, [], "no SMS")
    # an SMS report of a permanent failure: the next channel is e-mail
    sid = w.msg(26)[3]
    st, _, b = sms_post(s, {"id": sid, "status": "UNDELIV"})
    eq(b["dialihkan"], 1, "SMS undeliverable")
    eq(w.msg(26)[1:3], ("email", "antri"), "queued for e-mail (person 26 has an address)")


# ---- replies --------------------------------------------------------------------

@world_test
def stop_and_start_by_whatsapp(w):
    s = w.s
    wamid = w.msg(1)[3]
    eq(w.plan(1), ["kirim"], "before: the next fire goes out")
    st, _, b = wa_post(s, envelope(messages=[reply("6281233000001", "  stop ", "wamid.in1",
                                                   context=wamid)]))
    eq((st, b["berhenti"]), (200, 1), "STOP: %r" % b)
    eq(w.changes(1), [("program", 1, "whatsapp", "warga:balasan")], "kept with its channel")
    at = w.r.sql("SELECT changed_at FROM pk_consent_change")[0][0]
    assert len(at) == 24, at
    eq(w.plan(1), ["berhenti_langganan"], "the next day's plan")
    # the same message again (the Cloud API retries): nothing
    st, _, b = wa_post(s, envelope(messages=[reply("6281233000001", "  stop ", "wamid.in1",
                                                   context=wamid)]))
    eq((b["berhenti"], b["ulangan"]), (0, 1), "replay")
    eq(len(w.changes(1)), 1, "one change")
    audit = w.r.sql("SELECT actor, action, source FROM audit WHERE action LIKE 'consent.%'")
    eq([tuple(x) for x in audit], [("warga:balasan", "consent.stop", "webhook")], "audited")
    # another text: ignored; a reply from another number naming our message: not theirs
    st, _, b = wa_post(s, envelope(messages=[reply("6281233000001", "terima kasih", "wamid.in2")]))
    eq(b["diabaikan"], 1, "other text")
    st, _, b = wa_post(s, envelope(messages=[reply("6281299999999", "STOP", "wamid.in3",
                                                   context=wamid)]))
    eq(b["tidak_dikenal"], 1, "a number never messaged")
    eq(len(w.changes()), 1, "nothing else changed")
    # MULAI (a template's quick-reply button) starts it again
    st, _, b = wa_post(s, envelope(messages=[reply("6281233000001", "Mulai", "wamid.in4",
                                                   kind="button")]))
    eq(b["mulai"], 1, "MULAI: %r" % b)
    eq(w.changes(1)[-1], ("program", 0, "whatsapp", "warga:balasan"), "started")
    eq(w.plan(1), ["kirim"], "sent again")
    # BERHENTI without context: the latest message to that number
    st, _, b = wa_post(s, envelope(messages=[reply("6281233000002", "BERHENTI", "wamid.in5")]))
    eq(b["berhenti"], 1, "BERHENTI")
    eq(w.changes(2), [("program", 1, "whatsapp", "warga:balasan")], "person 2")
    # a stop by staff is not undone by MULAI
    code, _, err = w.r.cli(["consent", "stop", "--nik", w.niks[0], "--purpose", "program"])
    eq(code, 0, err)
    st, _, b = wa_post(s, envelope(messages=[reply("6281233000001", "MULAI", "wamid.in6")]))
    eq((b["mulai"], b["ulangan"]), (0, 1), "MULAI after a staff stop")
    eq(w.plan(1), ["berhenti_langganan"], "still stopped")
    text = admin_page(w, 2)
    assert 'data-change="program:berhenti:whatsapp"' in text, text[-3000:]
    assert "balasan WhatsApp peserta" in text


@world_test
def stop_and_start_by_sms(w):
    s = w.s
    st, _, b = sms_post(s, {"from": "081233000026", "text": "STOP", "id": "mo-1"})
    eq((st, b["berhenti"]), (200, 1), "STOP by SMS: %r" % b)
    eq(w.changes(26), [("program", 1, "sms", "warga:balasan")], "channel sms")
    eq(w.plan(26), ["berhenti_langganan"], "the next day's plan")
    st, _, b = sms_post(s, {"from": "081233000026", "text": "STOP", "id": "mo-1"})
    eq(b["ulangan"], 1, "the gateway's retry")
    st, _, b = sms_post(s, {"from": "+6281233000026", "text": "mulai", "id": "mo-2"},
                        as_json=True)
    eq(b["mulai"], 1, "MULAI in JSON, another form of the number")
    eq(w.plan(26), ["kirim"], "sent again")
    st, _, b = sms_post(s, {"from": "081299999999", "text": "STOP", "id": "mo-3"})
    eq(b["tidak_dikenal"], 1, "never messaged")
    st, _, b = sms_post(s, {"from": "bukan-nomor", "text": "STOP"})
    eq(b["tidak_dikenal"], 1, "not a number")
    eq(len(w.changes()), 2, "two changes in all")


@test
def sms_field_names_from_settings():
    w = World(serials=(26,))
    try:
        w.s.stop_clean()
        env = dict(ENV, PRAKERJA_SMS_MO_FROM_FIELD="pengirim", PRAKERJA_SMS_MO_TEXT_FIELD="isi",
                   PRAKERJA_SMS_MO_ID_FIELD="", PRAKERJA_SMS_DR_ID_FIELD="data.ref",
                   PRAKERJA_SMS_DR_STATUS_FIELD="data.hasil", PRAKERJA_SMS_DR_DELIVERED="2, 3",
                   PRAKERJA_SMS_DR_FAILED="")
        w.s = h.Server(env=env, db=w.r.db).start()
        sid = w.msg(26)[3]
        st, _, b = sms_post(w.s, {"data": {"ref": sid, "hasil": 3}}, as_json=True)
        eq((st, b["tanda_terima"]), (200, 1), "a nested report, a numeric status word")
        st, _, b = sms_post(w.s, {"pengirim": "6281233000026", "isi": "berhenti"})
        eq(b["berhenti"], 1, "an inbound message by its configured fields")
        err_code(sms_post(w.s, {"from": "6281233000026", "text": "STOP"}), 400,
                 "laporan_tidak_dikenal", "the default names no longer apply")
    finally:
        w.close()


if __name__ == "__main__":
    h.run()
