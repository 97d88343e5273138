"""Black-box tests of the reminders' outbox through the network channels
(TAP): `prakerja remind run` and `remind send` against a local HTTP server
standing in for the WhatsApp Cloud API and an SMS gateway (test_channels'
Gateways, in their documented formats) and a real SMTP server.

reminders.md "Channel": WhatsApp by default; a permanent failure for a
person (not a WhatsApp user) moves to SMS for this and later messages; a
temporary failure is retried with backoff on the same channel, then the
next; an e-mail when that is what reaches them.  `remind run`: a run
killed at any moment and run again sends each message at most once
through a gateway that does not deduplicate, the ones perhaps handed over
before the kill marked tidak_pasti.

usage: python3 tests/http/test_remind_outbox.py PATH-TO-PRAKERJA [TEST-NAME...]
"""

import json
import re
import signal
import subprocess
import time

import harness as h
from harness import eq, test

_n0 = len(h._tests)
from test_channels import Gateways, HttpGateways, Smtp  # noqa: E402
from test_journey import ev, t  # noqa: E402
from test_registry import csv_text, person  # noqa: E402
from test_remind_run import R, recipient  # noqa: E402
del h._tests[_n0:]


def gateway_env(g, *channels):
    env = {}
    if "whatsapp" in channels:
        env.update(g.wa_env())
    if "sms" in channels:
        env.update(g.sms_env())
    return env


def load(r, serials):
    """People of these serials (person(26)'s phone ends in 0026: the
    gateways answer by the last digits), each a recipient who did not buy."""
    ps = [person(s) for s in serials]
    summary, _, _, _ = r.imp(csv_text(ps))
    eq(summary["inserted"], len(ps), "imported")
    rows = []
    for p in ps:
        rows += recipient(p["nik"], "p%d-" % int(p["nik"][-4:]))
    r.events(rows)
    return [p["nik"] for p in ps]


def messages(r):
    return {x[0]: x[1:] for x in r.sql(
        "SELECT p.nama, m.channel, m.state, m.attempts, m.failed FROM pk_remind_message m"
        " JOIN participant p ON p.id = m.participant_id ORDER BY m.id")}


def to_of(q):
    if q["path"].startswith("/wa/"):
        return "wa", json.loads(q["body"])["to"]
    form = dict(x.split("=", 1) for x in q["body"].decode().split("&"))
    return "sms", form["nomor"]


def run(r, day, env, expect=0):
    code, out, err = r.cli(["remind", "run", "--date", day], env=env)
    eq(code, expect, "remind run %s (stderr %r)" % (day, err))
    return json.loads(out.strip().splitlines()[-1]) if code == 0 else None


@test
def whatsapp_first_then_sms_for_a_person_it_cannot_reach():
    g = HttpGateways()
    try:
        with R() as r:
            load(r, [1, 26])
            env = gateway_env(g, "whatsapp", "sms")
            s = run(r, "2021-03-18", env)
            eq((s["queued"], s["sent"], s["failed"]), (2, 2, 0), "summary")
            m = messages(r)
            eq(m["Peserta Nomor 1"][:2], ("whatsapp", "terkirim"), "WhatsApp reaches 1")
            eq(m["Peserta Nomor 26"][:2], ("sms", "terkirim"),
               "not a WhatsApp user (131026): SMS at once")
            sent = [to_of(q) for q in Gateways.seen]
            eq(sorted(sent), sorted([("wa", "6281233000001"), ("wa", "6281233000026"),
                                     ("sms", "081233000026")]), "requests")
            failed = r.sql("SELECT channel FROM pk_contact_failed")
            eq([tuple(x) for x in failed], [("whatsapp",)], "kept for the person")
            # the next message to 26 goes by SMS without asking WhatsApp again
            Gateways.seen = []
            s = run(r, "2021-03-25", env)
            eq(s["sent"], 2, "the -7 fire")
            eq(sorted(to_of(q) for q in Gateways.seen),
               sorted([("wa", "6281233000001"), ("sms", "081233000026")]),
               "WhatsApp is not asked again for 26")
            wa = [json.loads(q["body"]) for q in Gateways.seen if q["path"].startswith("/wa/")]
            eq(wa[0]["template"]["name"], "pk_beli_pelatihan", "the rule's template")
            params = [p["text"] for p in wa[0]["template"]["components"][0]["parameters"]]
            assert "1 Apr 2021" in params, params
    finally:
        g.stop()


@test
def the_channel_a_person_chose_comes_first():
    g = HttpGateways()
    try:
        with R() as r:
            load(r, [1, 2])
            # person 2 chose SMS in Akun saya
            pid = r.sql("SELECT id FROM participant WHERE nama = 'Peserta Nomor 2'")[0][0]
            r.sql("INSERT INTO pk_contact_pref (participant_id, channel, phone_verified_at)"
                  " VALUES (%d, 'sms', 0)" % pid)
            s = run(r, "2021-03-18", gateway_env(g, "whatsapp", "sms"))
            eq(s["sent"], 2, "sent")
            m = messages(r)
            eq((m["Peserta Nomor 1"][0], m["Peserta Nomor 2"][0]), ("whatsapp", "sms"),
               "WhatsApp by default, SMS by choice")
    finally:
        g.stop()


@test
def temporary_failures_wait_then_the_next_channel():
    g = HttpGateways()
    try:
        with R() as r:
            load(r, [1048])
            env = gateway_env(g, "whatsapp", "sms")
            s = run(r, "2021-03-18", env)
            eq((s["sent"], s["retrying"]), (0, 1), "spam rate limit (131048): retried later")
            (msg,) = messages(r).values()
            eq(msg[:3], ("whatsapp", "antri", 1), "waits on WhatsApp after one try")
            next_at = r.sql("SELECT next_at FROM pk_remind_message")[0][0]
            assert next_at > time.time() + 30, "backoff: %d s" % (next_at - time.time())
            code, out, _ = r.cli(["remind", "send"], env=env)
            eq(json.loads(out)["retrying"], 0, "not due yet: nothing tried")
            eq(len(Gateways.seen), 1, "one request so far")
            # time passes: each try comes due (the test moves next_at)
            for attempt in range(2, 5):
                r.sql("UPDATE pk_remind_message SET next_at = 0")
                code, out, err = r.cli(["remind", "send"], env=env)
                eq(code, 0, "send %d (%r)" % (attempt, err))
            (msg,) = messages(r).values()
            eq(msg[:2], ("sms", "terkirim"), "after 4 tries on WhatsApp, SMS")
            eq(sum(1 for q in Gateways.seen if q["path"].startswith("/wa/")), 4,
               "WhatsApp tried 4 times")
            eq(r.sql("SELECT count(*) FROM pk_contact_failed")[0][0], 0,
               "a temporary failure is not kept for the person")
    finally:
        g.stop()


@test
def a_message_whose_condition_cleared_is_not_sent():
    """The condition is checked again when a message's time comes: a
    person who bought a training while their reminder waited for a retry
    is not reminded to buy one."""
    g = HttpGateways()
    try:
        with R() as r:
            (nik,) = load(r, [1048])
            env = gateway_env(g, "whatsapp", "sms")
            s = run(r, "2021-03-18", env)
            eq(s["retrying"], 1, "waiting for a retry")
            r.events([ev("beli-1", nik, "pembelian", t(18, 12), jumlah=500000,
                         pelatihan="K-9", platform="tokopedia")])
            r.sql("UPDATE pk_remind_message SET next_at = 0")
            code, out, err = r.cli(["remind", "send"], env=env)
            eq(code, 0, "send (%r)" % err)
            eq(json.loads(out)["cancelled"], 1, "cancelled, not sent")
            (msg,) = messages(r).values()
            eq(msg[1], "dibatalkan", "the message's state")
            eq(len(Gateways.seen), 1, "only the first try reached a gateway")
            code, out, _ = r.cli(["remind", "send"], env=env)
            eq(json.loads(out), {"sent": 0, "failed": 0, "uncertain": 0, "retrying": 0,
                                 "cancelled": 0}, "nothing left")
    finally:
        g.stop()


@test
def email_when_only_email_reaches():
    s = Smtp()
    try:
        with R() as r:
            load(r, [1])
            env = s.env()
            out = run(r, "2021-03-18", env)
            eq(out["sent"], 1, "sent")
            deadline = time.time() + 10
            while time.time() < deadline and not s.box.mails:
                time.sleep(0.1)
            eq(len(s.box.mails), 1, "one mail")
            mail = s.box.mails[0]
            eq(mail["to"], ["peserta1@contoh.co.id"], "to the registered address")
            text = mail["data"].decode("utf-8", "replace")
            assert "Subject:" in text, text[:500]
            m = re.search(r"^List-Unsubscribe: <(https://prakerja\.jakarta\.go\.id/berhenti/"
                          r"([^>]+))>", text, re.M)
            assert m, text[:1500]
            assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in text, text[:1500]
            # the link stops reminders about the person's programme: one POST,
            # no session (what a mail client does)
            srv = h.Server(db=r.db).start()
            try:
                st, _, _ = srv.request("POST", "/berhenti/" + m.group(2),
                                       body=b"List-Unsubscribe=One-Click",
                                       headers={"Content-Type":
                                                "application/x-www-form-urlencoded"})
                eq(st, 200, "one-click unsubscribe")
                srv.stop_clean()
            finally:
                srv.cleanup()
            eq([tuple(x) for x in r.sql("SELECT purpose FROM pk_consent_stop")], [("program",)],
               "stopped")
            lines, _, _ = r.remind("plan", "2021-03-25")
            eq([x["status"] for x in lines], ["berhenti_langganan"], "no more reminders")
            eq(messages(r)["Peserta Nomor 1"][:2], ("email", "terkirim"), "state")
    finally:
        s.stop()


@test
def a_killed_run_never_sends_twice_through_a_gateway():
    """The WhatsApp Cloud API does not deduplicate: a message claimed
    before the kill whose result was not recorded is tidak_pasti, never
    sent again; every other message is sent exactly once."""
    g = HttpGateways()
    try:
        with R() as r:
            n = 450 if not h.PG else 300
            load(r, range(2001, 2001 + n))
            env = gateway_env(g, "whatsapp")
            kills = 0
            for attempt in range(6):
                before = len(Gateways.seen)
                p = subprocess.Popen([h.binary()] + r.db.args_for(
                    ["remind", "run", "--date", "2021-03-18"]), cwd=r.tmp,
                    env=h.base_env(env), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                deadline = time.time() + 30
                while time.time() < deadline and p.poll() is None and \
                        len(Gateways.seen) <= before + 5 * (attempt % 3):
                    time.sleep(0.001)
                if p.poll() is None:
                    p.send_signal(signal.SIGKILL)
                    kills += 1
                p.wait()
            out = run(r, "2021-03-18", env)
            run(r, "2021-03-18", env)
            tos = [to_of(q)[1] for q in Gateways.seen]
            eq(len(tos), len(set(tos)), "no number received the reminder twice")
            states = dict((x[0], x[1]) for x in r.sql(
                "SELECT state, count(*) FROM pk_remind_message GROUP BY state"))
            eq(sum(states.values()), n, "a message per person")
            eq(states.get("terkirim", 0) + states.get("tidak_pasti", 0), n,
               "handed over or uncertain: %r" % states)
            # every uncertain message was claimed before a kill; those the
            # gateway did receive are among the requests, the others not
            assert len(tos) >= states.get("terkirim", 0), (len(tos), states)
            assert kills >= 3, "killed only %d times" % kills
            h.diag("%d kills; %r; %d requests; last run %r" % (kills, states, len(tos), out))
    finally:
        g.stop()


if __name__ == "__main__":
    h.run()
