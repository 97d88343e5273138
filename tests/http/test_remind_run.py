"""Black-box tests of a day's reminders (TAP): `prakerja remind plan --date D`
and `prakerja remind run --date D` against shared/spec/reminders.md, through
the berkas channel (remind_file): occurrences from the journey's deadlines,
the condition checked again, late fires still sent while actionable and
terlewat after the deadline, the caps with the spec's priority order, the
collapse of one occurrence's fires into one message, opt-outs per purpose,
plan as a faithful dry run of run, a day run twice sending nothing twice,
a run killed at any moment and run again sending each message once, and
bad input refused with nothing written.

usage: python3 tests/http/test_remind_run.py PATH-TO-PRAKERJA [TEST-NAME...]
"""

import datetime
import json
import re
import os
import signal
import subprocess
import time

import harness as h
from harness import eq, test

_n0 = len(h._tests)
from test_journey import J, ev, t  # noqa: E402
del h._tests[_n0:]

STATUSES = ["kirim", "ditunda", "dibatalkan", "terlewat", "berhenti_langganan"]


class R(J):
    def __init__(self):
        super().__init__()
        self.box = self.path("pesan.jsonl")

    def env(self, berkas=True):
        return {"PRAKERJA_REMIND_FILE": self.box} if berkas else {}

    def remind(self, what, day, expect=0, berkas=True):
        code, out, err = self.cli(["remind", what, "--date", day], env=self.env(berkas))
        eq(code, expect, "remind %s %s exit status (stderr %r)" % (what, day, err))
        if code != 0:
            return None, None, err
        lines = [json.loads(x) for x in out.strip().splitlines()]
        summary = lines.pop()
        for x in lines:
            eq(sorted(x), sorted(["nik", "rule", "anchor", "k", "status", "channel", "send_at",
                                  "reason"]), "plan line keys")
            assert x["status"] in STATUSES, x
            assert x["reason"], x
        eq(sorted(summary["status"]), sorted(STATUSES), "summary statuses")
        return lines, summary, err

    def sent(self):
        if not os.path.exists(self.box):
            return []
        with open(self.box, encoding="utf-8") as f:
            return [json.loads(x) for x in f]

    def fires(self):
        return [tuple(r) for r in self.sql(
            "SELECT participant_id, rule, offset_days, status, day FROM pk_remind_fire"
            " ORDER BY participant_id, rule, offset_days")]

    def messages(self):
        return [tuple(r) for r in self.sql(
            "SELECT participant_id, rule, day, channel, state FROM pk_remind_message"
            " ORDER BY id")]

    def pid(self, i):
        return self.sql("SELECT id FROM participant ORDER BY id")[i][0]


def recipient(nik, p, lolos_day=2, bought=None):
    """Selected in wave 12 on 2021-03-<lolos_day>: first-purchase deadline
    30 days later, the end of that WIB day."""
    rows = [ev(p + "1", nik, "gabung_gelombang", t(1), gelombang=12),
            ev(p + "2", nik, "lolos", t(lolos_day), gelombang=12),
            ev(p + "3", nik, "saldo_masuk", t(lolos_day, 11), jumlah=3500000)]
    if bought is not None:
        rows.append(ev(p + "4", nik, "pembelian", t(bought), jumlah=1000000, pelatihan="K-1",
                       platform="tokopedia"))
    return rows


def lines_in(path):
    """Whole lines in a file being written (a partial last line not counted)."""
    with open(path, "rb") as f:
        return f.read().count(b"\n")


def short(lines):
    return [(x["nik"], x["rule"], x["status"]) for x in lines]


@test
def plan_tells_who_gets_what_and_changes_nothing():
    with R() as r:
        a, b, c = r.people(3)
        r.events(recipient(a, "a") + recipient(b, "b", bought=5))
        # a's deadline: 2 Mar + 30 days = 1 Apr 2021 23:59:59 WIB; -14 = 18 Mar
        lines, s, _ = r.remind("plan", "2021-03-17")
        eq(lines, [], "nothing is due the day before the first fire")
        lines, s, _ = r.remind("plan", "2021-03-18")
        eq(short(lines), [(a, "beli_pelatihan", "kirim"), (b, "beli_pelatihan", "dibatalkan")],
           "a is reminded; b bought a training, so b's fire is cancelled")
        x = lines[0]
        eq(x["anchor"], "2021-04-01T23:59:59+07:00", "anchor: the first-purchase deadline")
        eq(x["k"], None, "k")
        eq(x["channel"], "berkas", "the only channel enabled")
        eq(x["send_at"], "2021-03-18T09:00:00+07:00", "send_at: the delivery time")
        eq(lines[1]["channel"], None, "a cancelled fire has no channel")
        eq(s["status"]["kirim"], 1, "summary kirim")
        eq(s["rule"]["beli_pelatihan"], {"kirim": 1, "ditunda": 0, "dibatalkan": 1,
                                          "terlewat": 0, "berhenti_langganan": 0},
           "summary per rule")
        eq(s["people"], 2, "people with a fire considered")
        eq((r.fires(), r.messages(), r.sent()), ([], [], []), "plan wrote nothing")
        # no channel enabled: plan still tells, with no channel
        lines, _, _ = r.remind("plan", "2021-03-18", berkas=False)
        eq([x["channel"] for x in lines], [None, None], "no channel without settings")


@test
def plan_and_run_record_the_read_of_niks_first():
    """`remind plan|run` print every person's whole NIK: each is recorded
    in the access log (remind.plan, the command line's actor, the day),
    as the staff page's plan and the exports are (it printed them
    unrecorded)."""
    with R() as r:
        a, = r.people(1)
        r.events(recipient(a, "a"))
        eq(r.sql("SELECT count(*) FROM access_log WHERE action = 'remind.plan'")[0][0], 0,
           "nothing recorded yet")
        lines, _, _ = r.remind("plan", "2021-03-18")
        eq(short(lines), [(a, "beli_pelatihan", "kirim")], "the plan prints the NIK")
        r.remind("run", "2021-03-18")
        rows = [tuple(x) for x in r.sql(
            "SELECT actor, action, route, detail FROM access_log WHERE action = 'remind.plan'"
            " ORDER BY id")]
        eq([x[1:] for x in rows],
           [("remind.plan", "cli remind plan", "day=2021-03-18 region=*"),
            ("remind.plan", "cli remind run", "day=2021-03-18 region=*")], "both recorded")
        assert all(x[0].startswith("cli:") for x in rows), rows


@test
def run_does_what_plan_printed_and_twice_sends_nothing_twice():
    with R() as r:
        a, b = r.people(2)
        r.events(recipient(a, "a") + recipient(b, "b", bought=5))
        planned, _, _ = r.remind("plan", "2021-03-18")
        ran, s, err = r.remind("run", "2021-03-18")
        eq(ran, planned, "run prints what plan printed")
        eq((s["queued"], s["sent"], s["failed"], s["uncertain"]), (1, 1, 0, 0), "run summary")
        for n in (a, b):
            assert n not in err, "a NIK on stderr"
        got = r.sent()
        eq(len(got), 1, "one message in the file")
        m = got[0]
        eq(m["rule"], "beli_pelatihan", "rule")
        assert m["to"].startswith("+62"), m
        assert "1 Apr 2021" in m["text"], m["text"]
        eq(m["template"], "pk_beli_pelatihan", "the WhatsApp template named")
        pa, pb = r.pid(0), r.pid(1)
        eq(r.fires(), [(pa, "beli_pelatihan", -14, "kirim", "2021-03-18"),
                       (pb, "beli_pelatihan", -14, "dibatalkan", "2021-03-18")], "fires")
        eq(r.messages(), [(pa, "beli_pelatihan", "2021-03-18", "berkas", "terkirim")],
           "messages")
        # again: everything is settled
        again, s2, _ = r.remind("run", "2021-03-18")
        eq((again, s2["queued"], s2["sent"]), ([], 0, 0), "a day run again")
        eq(len(r.sent()), 1, "still one message")
        lines, _, _ = r.remind("plan", "2021-03-18")
        eq(lines, [], "plan after the run: nothing left")
        # a week later the next fire; b's occurrence was cancelled as a
        # whole (its remaining fires: reminders.md step 1), nothing of it
        lines, _, _ = r.remind("run", "2021-03-25")
        eq(short(lines), [(a, "beli_pelatihan", "kirim")], "the -7 fire")
        eq(len(r.sent()), 2, "two messages")
        audit = r.sql("SELECT detail FROM audit WHERE action = 'remind.run' ORDER BY id")
        eq(len(audit), 3, "each run audited")
        assert "day=2021-03-18" in audit[0][0] and "sent=1" in audit[0][0], audit[0]


@test
def late_fires_go_out_as_one_message_and_expire_after_the_deadline():
    with R() as r:
        (a,) = r.people(1)
        r.events(recipient(a, "a"))
        # first run on 30 Mar: the -14, -7 and -3 fires were never sent
        lines, s, _ = r.remind("run", "2021-03-30")
        eq([x["status"] for x in lines], ["kirim"] * 3, "late fires are still sent")
        eq(s["queued"], 1, "collapsed into one message")
        assert sum("digabung" in x["reason"] for x in lines) == 2, lines
        eq(len(r.sent()), 1, "one message for the occurrence")
        # the -1 fire (31 Mar) is not run on its day; on 2 Apr it is too late
        lines, s, _ = r.remind("run", "2021-04-02")
        eq(short(lines), [(a, "beli_pelatihan", "terlewat")], "after the deadline")
        eq(len(r.sent()), 1, "nothing more sent")


@test
def an_event_the_journey_skips_reminds_of_nothing():
    """A second training finished after a revocation the office's late
    file brought: the journey skips that completion, and so do the
    reminders (one beri_ulasan occurrence, the first training's)."""
    with R() as r:
        (a,) = r.people(1)
        r.events(recipient(a, "a", bought=3) + [
            ev("a5", a, "selesai_pelatihan", t(6), pelatihan="K-1", platform="tokopedia"),
            ev("a6", a, "selesai_pelatihan", t(10), pelatihan="K-2", platform="tokopedia")])
        lines, _, _ = r.remind("plan", "2021-03-11")
        eq(len({x["anchor"] for x in lines if x["rule"] == "beri_ulasan"}), 2,
           "before the late file: both trainings")
        s, _, _ = r.events([ev("a7", a, "dicabut", t(8), keterangan="kecurangan")])
        eq(s["inserted"], 1, "the late revocation")
        lines, _, _ = r.remind("plan", "2021-03-11")
        eq(len({x["anchor"] for x in lines if x["rule"] == "beri_ulasan"}), 1,
           "after it: the skipped completion reminds of nothing")


@test
def caps_send_the_most_urgent_and_defer_the_rest():
    with R() as r:
        (a,) = r.people(1)
        rows = recipient(a, "a", bought=3) + [
            ev("a5", a, "selesai_pelatihan", t(10), pelatihan="K-1", platform="tokopedia")]
        r.events(rows)
        # 11 Mar: beri_ulasan and tautkan_rekening (both priority 2, same
        # anchor): the rule id decides; one message a day
        lines, _, _ = r.remind("run", "2021-03-11")
        eq(short(lines), [(a, "beri_ulasan", "kirim"), (a, "tautkan_rekening", "ditunda")],
           "one message a day, by priority then anchor then rule id")
        eq(len(r.sent()), 1, "one message")
        lines, _, _ = r.remind("run", "2021-03-12")
        eq(short(lines), [(a, "tautkan_rekening", "kirim")], "the deferred fire the next day")
        eq([m["rule"] for m in r.sent()], ["beri_ulasan", "tautkan_rekening"], "sent")
        # 13 Mar: beri_ulasan's +3 fire; the week's cap (3) is not reached
        lines, _, _ = r.remind("run", "2021-03-13")
        eq(short(lines), [(a, "beri_ulasan", "kirim"), (a, "tautkan_rekening", "ditunda")],
           "13 Mar")
        lines, _, _ = r.remind("run", "2021-03-14")
        eq(short(lines), [(a, "tautkan_rekening", "ditunda")],
           "3 messages in 7 days: the weekly cap defers it")
        eq(len(r.sent()), 3, "three messages in the week")


@test
def a_review_cancels_and_an_opt_out_stops():
    with R() as r:
        a, b = r.people(2)
        rows = recipient(a, "a", bought=3) + recipient(b, "b")
        rows.append(ev("a5", a, "selesai_pelatihan", t(10), pelatihan="K-1",
                       platform="tokopedia"))
        rows.append(ev("a6", a, "ulasan", t(10, 12), pelatihan="K-1"))
        rows.append(ev("a7", a, "rekening_tertaut", t(10, 13), keterangan="gopay"))
        r.events(rows)
        code, _, err = r.cli(["consent", "stop", "--nik", b, "--purpose", "program"])
        eq(code, 0, "consent stop (stderr %r)" % err)
        lines, _, _ = r.remind("run", "2021-03-11")
        eq(short(lines), [(a, "beri_ulasan", "dibatalkan"), (a, "tautkan_rekening", "dibatalkan")],
           "reviewed and linked: both cancelled")
        # a cancelled occurrence is settled whole: a's later fires of
        # beri_ulasan and tautkan_rekening are not considered again (only
        # a's beli_pelatihan, first due on 18 Mar: a bought a training)
        lines, _, _ = r.remind("run", "2021-03-18")
        eq(short(x for x in lines if x["nik"] == a), [(a, "beli_pelatihan", "dibatalkan")],
           "a's fires of 13-18 Mar")
        eq(short(x for x in lines if x["nik"] == b), [(b, "beli_pelatihan", "berhenti_langganan")],
           "b stopped program")
        eq(r.sent(), [], "nothing sent")
        code, _, _ = r.cli(["consent", "start", "--nik", b, "--purpose", "program"])
        eq(code, 0, "consent start")
        lines, _, _ = r.remind("run", "2021-03-25")
        eq(short(x for x in lines if x["nik"] == b), [(b, "beli_pelatihan", "kirim")],
           "started again: the next fire goes")
        eq(len(r.sent()), 1, "one message")


@test
def a_cancelled_occurrence_stays_cancelled_when_its_condition_holds_again():
    """reminders.md step 1: when the condition no longer holds, "the
    remaining fires of the occurrence are dibatalkan".  A recipient who
    bought (the -14 fire cancelled) and whose purchase was cancelled
    afterwards gets no more beli_pelatihan of that deadline; one whose
    purchase was cancelled before the fire was due gets it.  An outside
    check written from the spec found the later fires sent."""
    with R() as r:
        a, b = r.people(2)
        rows = recipient(a, "a", bought=5) + recipient(b, "b", bought=5)
        r.events(rows)
        lines, _, _ = r.remind("run", "2021-03-18")
        eq(short(lines), [(a, "beli_pelatihan", "dibatalkan"), (b, "beli_pelatihan",
                                                                 "dibatalkan")], "both bought")
        assert "sisanya dibatalkan" in lines[0]["reason"], lines[0]
        # both purchases cancelled after the cancelled fire: nothing more
        r.events([ev("a9", a, "pembatalan", t(20), jumlah=1000000, ref_asal="a4"),
                  ev("b9", b, "pembatalan", t(20), jumlah=1000000, ref_asal="b4")])
        for day in ("2021-03-25", "2021-03-29", "2021-03-31"):
            lines, _, _ = r.remind("run", day)
            eq(lines, [], "%s: the occurrence was cancelled" % day)
        eq(r.sent(), [], "nothing sent")
    with R() as r:
        c, = r.people(1)
        r.events(recipient(c, "c", bought=5) +
                 [ev("c9", c, "pembatalan", t(10), jumlah=1000000, ref_asal="c4")])
        lines, _, _ = r.remind("run", "2021-03-18")
        eq(short(lines), [(c, "beli_pelatihan", "kirim")],
           "cancelled before the fire was due: the condition holds on its day")


@test
def a_killed_run_sends_each_message_once():
    """SIGKILL at moments across the run: while the day is planned, and
    just after a batch reached the file (before its results are recorded:
    those messages are found still being handed over by the next run,
    which asks the berkas channel whether it has them)."""
    with R() as r:
        n = 700 if not h.PG else 450
        niks = r.people(n)
        rows = []
        for i, nik in enumerate(niks):
            rows += recipient(nik, "p%d-" % i)
        r.events(rows)
        kills, after_write = 0, 0
        for attempt in range(8):
            before = lines_in(r.box) if os.path.exists(r.box) else 0
            if before >= n:
                break
            p = subprocess.Popen([h.binary()] + r.db.args_for(["remind", "run", "--date",
                                                               "2021-03-18"]),
                                 cwd=r.tmp, env=h.base_env(r.env()),
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            deadline = time.time() + 30
            if attempt % 2 == 0:
                time.sleep(0.02 * (attempt + 1))   # somewhere in the plan
            else:
                while time.time() < deadline and p.poll() is None:
                    if os.path.exists(r.box) and os.path.getsize(r.box) > 0 and \
                            lines_in(r.box) > before:
                        break
                    time.sleep(0.002)
                after_write += 1
            if p.poll() is None:
                p.send_signal(signal.SIGKILL)
                kills += 1
            p.wait()
        _, s, _ = r.remind("run", "2021-03-18")
        with open(r.box, "rb") as f:
            raw = f.read()
        assert raw.endswith(b"\n"), "a partial line left in the file"
        got = r.sent()
        ids = [m["id"] for m in got]
        eq(len(ids), len(set(ids)), "no message twice in the file (%d kills)" % kills)
        eq(len(set(m["to"] for m in got)), len(got), "one message per person")
        eq(len(got), n, "every recipient got the -14 reminder once")
        states = r.sql("SELECT state, count(*) FROM pk_remind_message GROUP BY state")
        eq([tuple(x) for x in states], [("terkirim", n)], "every message handed over")
        fires = r.sql("SELECT status, count(*) FROM pk_remind_fire GROUP BY status")
        eq([tuple(x) for x in fires], [("kirim", n)], "every fire recorded once")
        assert kills >= 3, "the run was killed only %d times" % kills
        h.diag("%d kills (%d just after a write); last run queued %d, sent %d"
               % (kills, after_write, s["queued"], s["sent"]))


@test
def a_line_cut_by_a_crash_is_removed_and_its_message_sent_whole():
    """A crash in the middle of writing leaves a partial last line in the
    berkas file; the next run cuts it off, and the message it began (found
    still being handed over) is handed over again, whole."""
    with R() as r:
        (a,) = r.people(1)
        r.events(recipient(a, "a"))
        with open(r.box, "w", encoding="utf-8") as f:
            f.write('{"id":1,"rule":"beli_pela')
        # the message is queued and claimed as a killed run would leave it
        _, s, _ = r.remind("run", "2021-03-18")
        with open(r.box, "rb") as f:
            raw = f.read()
        assert raw.endswith(b"\n") and b"beli_pela\n" not in raw and raw.count(b"\n") == 1, raw
        got = r.sent()
        eq([m["id"] for m in got], [1], "message 1, whole")
        # a second cut line, this time of a message claimed and unrecorded
        r.sql("UPDATE pk_remind_message SET state = 'mengirim'")
        with open(r.box, "a", encoding="utf-8") as f:
            f.write('{"id":1,"rule":"beli_pe')
        code, out, err = r.cli(["remind", "send"], env=r.env())
        eq(code, 0, "send (%r)" % err)
        eq(json.loads(out)["sent"], 1, "found whole in the file: recorded, not sent again")
        eq([m["id"] for m in r.sent()], [1], "still one line")


@test
def serve_runs_the_day_once_and_tells_when():
    """serve runs today's reminders at remind_at (00:00: at once) through
    berkas, records the day, and a second server (or a restart) does not
    run it again."""
    with R() as r:
        a, b = r.people(2)
        now = int(time.time())
        # selected 16 days ago: the deadline is 30 days after, today is -14
        sel = now - 16 * 86400
        # wave 23 (scheme 2022, 30 days to buy, no programme cut-off)
        rows = [ev("a1", a, "gabung_gelombang", h.wib_instant(sel - 86400), gelombang=23),
                ev("a2", a, "lolos", h.wib_instant(sel), gelombang=23),
                ev("a3", a, "saldo_masuk", h.wib_instant(sel + 60), jumlah=3500000)]
        r.events(rows)
        today = h.wib_day(now)
        # the message is due at once whatever the hour: delivered at 00:00
        # with no quiet hours (the shipped 09:00 and 21:00-08:00 would hold
        # it until the morning when the test runs at night in Jakarta)
        shipped = h.rules_text()
        assert "jam_kirim = 09:00" in shipped
        rules = r.write(shipped.replace("jam_kirim = 09:00", "jam_kirim = 00:00"), "rules.ini")
        env = {"PRAKERJA_REMIND_FILE": r.box, "PRAKERJA_REMIND_AT": "00:00",
               "PRAKERJA_REMINDERS_FILE": rules}
        for attempt in range(2):
            s = h.Server(db=r.db, env=env).start()
            try:
                deadline = time.time() + 30
                while time.time() < deadline and not r.sql(
                        "SELECT value FROM pk_meta WHERE name = 'remind_last_day'"):
                    time.sleep(0.2)
                time.sleep(0.5)
            finally:
                err = s.stop_clean()
                s.cleanup()
            for n in (a, b):
                assert n not in err, "a NIK in the server log"
        got = r.sent()
        eq(len(got), 1, "one message over two servers")
        eq(got[0]["rule"], "beli_pelatihan", "the rule")
        last = r.sql("SELECT value FROM pk_meta WHERE name = 'remind_last_day'")[0][0]
        last = last.decode() if isinstance(last, bytes) else last
        if last.startswith("\\x"):
            last = bytes.fromhex(last[2:]).decode()
        eq(last, today, "the day run is recorded")
        runs = r.sql("SELECT detail FROM audit WHERE action = 'remind.run'")
        eq(len(runs), 1, "the day ran once")
        assert "day=%s" % today in runs[0][0] and "sent=1" in runs[0][0], runs
        # a bad remind_at stops serve with a clear error
        code, _, err = h.run_cli(r.db.args_for(["serve", "--listen", "127.0.0.1:0"]),
                                 env={"PRAKERJA_REMIND_FILE": r.box,
                                      "PRAKERJA_REMIND_AT": "9 pagi"})
        eq(code, 1, "serve with remind_at = '9 pagi'")
        assert "remind_at" in err and "HH:MM" in err, err


@test
def send_hands_over_what_is_due_and_nothing_twice():
    with R() as r:
        (a,) = r.people(1)
        r.events(recipient(a, "a"))
        _, s, _ = r.remind("run", "2021-03-18")
        eq(s["sent"], 1, "sent by the run")
        code, out, err = r.cli(["remind", "send"], env=r.env())
        eq(code, 0, "remind send (stderr %r)" % err)
        eq(json.loads(out), {"sent": 0, "failed": 0, "uncertain": 0, "retrying": 0,
                             "cancelled": 0}, "nothing left to send")
        code, _, err = r.cli(["remind", "send"])
        eq(code, 2, "send without a channel")
        assert "remind_file" in err, err
        code, _, err = r.cli(["remind", "run", "--date", "2099-01-01"], env=r.env())
        eq(code, 2, "a day that has not begun")
        assert "not begun" in err, err
        eq(len(r.sent()), 1, "one message")


@test
def nothing_is_handed_over_in_the_quiet_hours():
    """reminders.md step 4: nothing is sent in the quiet hours.  An outside
    check found a catch-up run at 22:00 WIB sending at once (the plan put
    each fire at 09:00 of its day, long past): the hand-over now checks
    the clock.  The quiet hours are set around the moment the test runs,
    so it holds at any hour; the message waits, and goes once they are
    over (here: the rules without quiet hours)."""
    with R() as r:
        (a,) = r.people(1)
        r.events(recipient(a, "a"))
        now = int(time.time())
        minute = ((now + 7 * 3600) % 86400) // 60

        def clock(m):
            return "%02d:%02d" % ((m % 1440) // 60, m % 60)
        quiet = r.write(h.rules_text("%s-%s" % (clock(minute - 60), clock(minute + 60))),
                        "quiet.ini")
        env = dict(r.env(), PRAKERJA_REMINDERS_FILE=quiet)
        code, out, err = r.cli(["remind", "run", "--date", "2021-03-18"], env=env)
        eq(code, 0, "run in the quiet hours (stderr %r)" % err)
        s = json.loads(out.strip().splitlines()[-1])
        eq((s["queued"], s["sent"]), (1, 0), "queued, not sent")
        end = (now // 60) * 60 + 3600  # the quiet hours' end
        assert "quiet_until" in s, s
        eq(int(datetime.datetime.fromisoformat(s["quiet_until"]).timestamp()), end,
           "they wait for the end of the quiet hours (%s)" % s["quiet_until"])
        eq(r.sent(), [], "nothing in the file")
        code, out, err = r.cli(["remind", "send"], env=env)
        eq(code, 0, "send in the quiet hours (stderr %r)" % err)
        s = json.loads(out)
        eq((s["sent"], "quiet_until" in s), (0, True), "send holds it too")
        eq(r.sent(), [], "still nothing")
        code, out, err = r.cli(["remind", "send"], env=r.env())
        eq(code, 0, "send after them (stderr %r)" % err)
        s = json.loads(out)
        eq((s["sent"], "quiet_until" in s), (1, False), "handed over once they are over")
        eq(len(r.sent()), 1, "one message")


@test
def join_a_wave_is_not_sent_to_someone_in_another_open_wave():
    """gabung_gelombang: 'registered, eligible, never selected, in no open
    wave, and a wave is open'.  With two waves open, an outside check found
    a person who had joined the later one told to join the earlier (the
    rule looked at the wave it names only)."""
    with R() as r:
        a, b, c = r.people(3)
        for n, closes in ((60, "2023-05-10T12:00:00+07:00"), (61, "2023-05-20T12:00:00+07:00")):
            code, _, err = r.cli(["wave", "create", "--wave", str(n), "--scheme", "2023",
                                  "--opens", "2023-05-01T00:00:00+07:00", "--closes", closes,
                                  "--quota", "10"])
            eq(code, 0, "wave create %d: %s" % (n, err))
        for nik, n in ((a, 61), (c, 60)):
            code, _, err = r.cli(["wave", "join", "--wave", str(n), "--at",
                                  "2023-05-02T10:00:00+07:00", nik])
            eq(code, 0, "wave join %d: %s" % (n, err))
        lines, s, _ = r.remind("plan", "2023-05-07")
        joins = {x["nik"]: x for x in lines if x["rule"] == "gabung_gelombang"}
        eq(joins[b]["status"], "kirim", "b is in no wave: told to join")
        eq(joins[b]["anchor"][:10], "2023-05-10", "the wave that closes first")
        for nik, why in ((a, "in the later open wave"), (c, "in the wave named")):
            assert nik not in joins or joins[nik]["status"] != "kirim", (why, joins.get(nik))
        _, s, _ = r.remind("run", "2023-05-07")
        got = r.sent()
        eq([m["rule"] for m in got], ["gabung_gelombang"], "one message: b's")


def add_user(r, name, role, region=None):
    args = ["user", "add", "--username", name, "--role", role, "--password-stdin"]
    if region:
        args += ["--region", region]
    code, _, err = h.run_cli(r.db.args_for(args), stdin=b"Sandi-Pengingat-Kuat-7\n")
    eq(code, 0, "user add %s: %s" % (name, err))


def login(s, name):
    b = h.Browser(s)
    st, _, text = b.post("/masuk", {"nama_pengguna": name, "kata_sandi": "Sandi-Pengingat-Kuat-7"})
    eq(st, 303, "login %s: %s" % (name, text[:300]))
    return b


@test
def staff_page_pages_a_long_plan():
    """More lines than a page (50, a card each on a phone): the caption
    counts them, Berikutnya/Sebelumnya keep the filters, the last page has
    the rest, the summary counts all of them on every page; a page number
    that is not a number is refused."""
    with R() as r:
        people = r.people(57)
        evs = []
        for i, n in enumerate(people):
            evs += recipient(n, "p%d" % i)
        r.events(evs)
        add_user(r, "admin1", "admin")
        s = h.Server(db=r.db).start()
        try:
            adm = login(s, "admin1")
            base = "/pengingat?tanggal=2021-03-18&status=kirim"
            st, _, page = adm.get(base)
            eq(st, 200, "the plan page")
            assert 'data-matched="57"' in page, page[-3000:]
            eq(page.count("<tr data-status="), 50, "a page of 50")
            assert "Pengingat 1&ndash;50 dari 57" in page, page[-3000:]
            nxt = re.search(r'<a rel="next" href="([^"]+)"', page).group(1).replace("&amp;", "&")
            eq(nxt, base + "&dari=50", "the next page keeps the filters")
            assert 'rel="prev"' not in page, "no page before the first"
            st, _, page2 = adm.get(nxt)
            eq((st, page2.count("<tr data-status=")), (200, 7), "the rest")
            assert "Pengingat 51&ndash;57 dari 57" in page2, page2[-3000:]
            assert '<li data-count="kirim">Dikirim: 57</li>' in page2, "the summary counts all"
            prev = re.search(r'<a rel="prev" href="([^"]+)"', page2).group(1).replace("&amp;", "&")
            eq(prev, base + "&dari=0", "back to the first page")
            assert 'rel="next"' not in page2, "no page after the last"
            seen = set(re.findall(r'NIK &hellip;(\d{4})', page)) | \
                set(re.findall(r'NIK &hellip;(\d{4})', page2))
            eq(len(seen), 57, "each person on exactly one of the pages")
            st, _, bad = adm.get(base + "&dari=x")
            eq(st, 400, "a page number that is not a number")
            assert "Nomor urut halaman" in bad, bad[-2000:]
        finally:
            s.stop()
            s.cleanup()


@test
def staff_page_shows_the_plan_within_the_area():
    from test_registry import csv_text, person
    with R() as r:
        a, b = r.people(2)
        far = person(9, wilayah="31.71.01.1001", nik_region="317101")
        s_, _, _, _ = r.imp(csv_text([far]))
        c = far["nik"]
        r.events(recipient(a, "a") + recipient(b, "b", bought=5) + recipient(c, "c"))
        add_user(r, "admin1", "admin")
        add_user(r, "op.sel", "operator", "31.74")
        s = h.Server(db=r.db).start()
        try:
            adm = login(s, "admin1")
            st, _, page = adm.get("/pengingat?tanggal=2021-03-18")
            eq(st, 200, "the plan page")
            assert 'data-matched="3"' in page, page[-3000:]
            eq(page.count("<tr data-status="), 3, "three fires")
            eq(page.count('data-status="kirim"'), 2, "a and c are reminded")
            eq(page.count('data-status="dibatalkan"'), 1, "b bought a training")
            # each rule named by what it is about, its id beside it; the filter too
            eq(page.count('<td data-label="Aturan">Beli pelatihan pertama <span class="code">'
                          '(beli_pelatihan)</span></td>'), 3, "the rule's title in each row")
            assert '<option value="beli_pelatihan">Beli pelatihan pertama (beli_pelatihan)' \
                   '</option>' in page, "the rule filter's titles"
            for n in (a, b, c):
                assert n not in page, "a whole NIK on the page"
                assert "&hellip;" + n[-4:] in page, n[-4:]
            assert "belum pernah dijalankan" in page, "no run yet"
            st, _, page = adm.get("/pengingat?tanggal=2021-03-18&status=kirim&aturan="
                                  "beli_pelatihan")
            eq((st, page.count("<tr data-status=")), (200, 2), "filtered: kirim")
            st, _, page = adm.get("/pengingat?tanggal=2021-03-18&wilayah=31.71")
            eq((st, page.count("<tr data-status=")), (200, 1), "filtered by region")
            # the village by its name, its code beside it
            assert ('data-region="31.71.01.1001">Gambir <span class="code">(31.71.01.1001)'
                    in page), page[-3000:]
            # an operator sees their area only, and cannot step out of it
            op = login(s, "op.sel")
            st, _, page = op.get("/pengingat?tanggal=2021-03-18")
            eq((st, page.count("<tr data-status=")), (200, 2), "the operator's area")
            assert "&hellip;" + c[-4:] not in page, "a person outside the area"
            st, _, page = op.get("/pengingat?tanggal=2021-03-18&wilayah=31.71")
            eq(st, 400, "a region outside the area")
            assert "di luar wilayah kerja" in page, page[-2000:]
            for bad in ("tanggal=18-03-2021", "status=terkirim", "aturan=tidak_ada"):
                st, _, page = adm.get("/pengingat?" + bad)
                eq(st, 400, bad)
                assert "data-error" in page, bad
            logs = s.db.query("SELECT actor, detail FROM access_log WHERE action = 'remind.plan'"
                              " ORDER BY id")
            assert ("user:op.sel", "day=2021-03-18 region=31.74") in [tuple(x) for x in logs], \
                logs
            # the page tells when the reminders last ran and what they did
            r.remind("run", "2021-03-18")
            st, _, page = adm.get("/pengingat")
            eq(st, 200, "after a run")
            m = re.search(r'<p class="small" data-last-detail="([^"]*)">([^<]*)</p>', page)
            assert m, page[-3000:]
            assert "day=2021-03-18" in m.group(1) and "sent=2" in m.group(1), m.group(0)
            # ... in Indonesian words, not the recorded keys
            assert m.group(2).startswith("Hari 18 Mar 2021: "), m.group(0)
            assert "2 dikirim" in m.group(2) and "2 terkirim, 0 gagal." in m.group(2), m.group(0)
            assert "=" not in m.group(2), m.group(0)
            # an operator sees when it ran, not the whole province's counts
            # (an outside test found them on a village operator's page)
            st, _, page = op.get("/pengingat")
            eq(st, 200, "the operator after a run")
            assert 'data-last-run="' in page and "data-last-detail-scoped" in page, page[-3000:]
            assert "data-last-detail=" not in page and "sent=2" not in page, page[-3000:]
            assert "2 dikirim" not in page, page[-3000:]
            # a participant's page: consent, messages, each reminder previewed
            ida, idb = r.pid(0), r.pid(1)
            st, _, page = adm.get("/peserta/%d" % ida)
            eq(st, 200, "a's page")
            assert 'data-consent="program">Diterima' in page, page[-4000:]
            assert 'data-messages="1"' in page and 'data-state="terkirim"' in page, page[-4000:]
            assert 'data-preview="beli_pelatihan" data-holds="1">' in page, page[-4000:]
            assert "1 Apr 2021" in page and "prakerja.jakarta.go.id" in page, page[-4000:]
            st, _, page = adm.get("/peserta/%d" % idb)
            # b bought, and the run of 18 Mar cancelled b's occurrence whole
            assert 'data-preview="beli_pelatihan" data-holds="0" data-cancelled>' in page, \
                "b bought"
            assert "beli_pelatihan &mdash; sudah dibatalkan (tidak dikirim lagi)" in page, \
                page[-4000:]
            assert 'data-messages="0"' in page, "nothing sent to b"
            code, _, _ = r.cli(["consent", "stop", "--nik", b, "--purpose", "informasi"])
            eq(code, 0, "consent stop")
            st, _, page = adm.get("/peserta/%d" % idb)
            assert 'data-consent="informasi">Dihentikan' in page, page[-4000:]
            err = s.stop_clean()
        finally:
            s.cleanup()
        for n in (a, b, c):
            assert n not in err, "a NIK in the server log"


@test
def bad_input_is_refused_and_changes_nothing():
    with R() as r:
        (a,) = r.people(1)
        r.events(recipient(a, "a"))
        for bad in ("2021-3-18", "18-03-2021", "2021-02-30", "besok"):
            code, out, err = r.cli(["remind", "plan", "--date", bad])
            eq((code, out), (2, ""), "--date %s" % bad)
            assert "YYYY-MM-DD" in err, err
        _, _, err = r.remind("run", "2021-03-18", expect=2, berkas=False)
        assert "remind_file" in err, err
        eq((r.fires(), r.messages()), ([], []), "nothing recorded without a channel")
        code, _, err = r.cli(["remind", "run", "--date", "2021-03-18"],
                             env={"PRAKERJA_REMIND_FILE": r.path("no/such/dir/x.jsonl")})
        eq(code, 1, "an unwritable remind_file")
        assert "remind_file" in err, err
        eq((r.fires(), r.messages()), ([], []), "nothing recorded")
        rules = r.write("[beli_pelatihan]\ntujuan = program\noffset = -1\nprioritas = 1\n"
                        "sms = {tidak_dikenal}\n", "rules.ini")
        code, _, err = r.cli(["remind", "plan", "--date", "2021-03-18"],
                             env={"PRAKERJA_REMINDERS_FILE": rules})
        eq(code, 2, "bad rules")
        assert "rules.ini" in err and "line" in err, err
        code, _, err = r.cli(["remind", "plan", "--date", "2021-03-18"],
                             env={"PRAKERJA_REMINDERS_FILE": r.path("none.ini")})
        eq(code, 1, "missing rules")
        assert "none.ini" in err, err


HOLD_SEED = "5eed" * 16


def held_out(nik, percent):
    """reminders.ini's hold-out: the first 8 bytes of SHA-256(seed || NIK),
    big-endian, below the share of 2^64."""
    import hashlib
    v = int.from_bytes(hashlib.sha256(bytes.fromhex(HOLD_SEED) + nik.encode()).digest()[:8],
                       "big")
    return v < percent * 2 ** 64 // 100


@test
def a_hold_out_is_sent_nothing_and_the_effect_compares_it():
    """kelompok_kontrol = 50 with a recorded seed: the people the seed
    picks get `kontrol` for every due fire and no message, the others are
    reminded as before; `remind effect` and the staff page compare the
    groups' revocations and first purchases per rule."""
    with R() as r:
        people = r.people(12)
        rows = []
        for i, n in enumerate(people):
            rows += recipient(n, "p%d-" % i)
        r.events(rows)
        held = [n for n in people if held_out(n, 50)]
        sent_to = [n for n in people if n not in held]
        assert held and sent_to, "the seed splits the 12 people"
        shipped = h.rules_text()  # no quiet hours: the test runs at any hour
        rules = r.write(shipped.replace("batas_mingguan = 3\n", "batas_mingguan = 3\n"
                                        "kelompok_kontrol = 50\nbenih_kontrol = %s\n"
                                        % HOLD_SEED), "rules.ini")
        env = dict(r.env(), PRAKERJA_REMINDERS_FILE=rules)

        def run(what, day):
            code, out, err = r.cli(["remind", what, "--date", day], env=env)
            eq(code, 0, "remind %s %s (%r)" % (what, day, err))
            lines = [json.loads(x) for x in out.strip().splitlines()]
            return lines[:-1], lines[-1]

        lines, s = run("plan", "2021-03-18")
        eq(sorted((x["nik"], x["status"]) for x in lines),
           sorted([(n, "kontrol") for n in held] + [(n, "kirim") for n in sent_to]),
           "the plan: the hold-out kontrol, the others kirim")
        for x in lines:
            if x["status"] == "kontrol":
                eq((x["channel"], x["send_at"]), (None, None), "kontrol: no channel, no time")
                assert "kelompok kontrol" in x["reason"], x
        eq(s["status"]["kontrol"], len(held), "summary kontrol")
        lines2, s2 = run("run", "2021-03-18")
        eq(lines2, lines, "run does what plan printed")
        eq(s2["sent"], len(sent_to), "messages sent: the others only")
        eq(len(r.sent()), len(sent_to), "in the file")
        fired = r.sql("SELECT status, count(*) FROM pk_remind_fire GROUP BY status ORDER BY 1")
        eq([tuple(x) for x in fired], [("kirim", len(sent_to)), ("kontrol", len(held))],
           "fires recorded")
        # the next fire: still nothing for the hold-out
        lines, _ = run("run", "2021-03-25")
        eq(sorted(x["status"] for x in lines if x["nik"] in held), ["kontrol"] * len(held),
           "the -7 fire held out too")
        eq(len(r.sent()), 2 * len(sent_to), "two messages each for the others")
        # one of each group buys on 20 March (18 days after selection on
        # the 2nd, both at 10:00), another of the held out later (day 24)
        buys = [ev("b1", sent_to[0], "pembelian", t(20), jumlah=1000000, pelatihan="K-1",
                   platform="tokopedia"),
                ev("b2", held[0], "pembelian", t(20), jumlah=1000000, pelatihan="K-1",
                   platform="tokopedia")]
        if len(held) > 1:
            buys.append(ev("b3", held[1], "pembelian", t(26), jumlah=1000000,
                           pelatihan="K-1", platform="tokopedia"))
        r.events(buys)
        code, out, err = r.cli(["remind", "effect"], env=env)
        eq(code, 0, "remind effect (%r)" % err)
        got = [json.loads(x) for x in out.strip().splitlines()]
        eq(got[-1], {"hold_out_percent": 50.0, "hold_out_seed": HOLD_SEED}, "the hold-out line")
        eq(len(got), 2, "one rule with fires, then the hold-out")
        beli = got[0]
        eq(beli["rule"], "beli_pelatihan", "rule")
        eq(beli["reminded"], {"people": len(sent_to), "revoked": 0, "bought": 1,
                              "median_days_to_purchase": 18}, "reminded")
        eq(beli["held_out"], {"people": len(held), "revoked": 0, "bought": min(2, len(held)),
                              "median_days_to_purchase": 18 if len(held) == 1 else 21},
           "held out: 18 and 24 days, median 21")
        eq(beli["not_reminded"]["people"], 0, "nobody else")
        # those figures come from counters kept with every write: a recount agrees
        code, out, err = r.cli(["stats", "verify"], env=env)
        summary = json.loads(out.strip().splitlines()[-1])
        eq((code, summary["remind_differ"]), (0, 0), "stats verify: %s %s" % (out[-600:], err))
        assert summary["remind_cells"] >= 3, summary
        for n in people:
            assert n not in out and n not in err, "a NIK in the effect"
        code, _, err = r.cli(["remind", "effect", "--region", "99.99"], env=env)
        eq(code, 2, "an unknown region")
        # the command line has no area of its own: the code is unknown
        assert "not a known region code" in err and "your area" not in err, err
        # the staff page shows the same
        add_user(r, "admin1", "admin")
        s = h.Server(db=r.db, env=env).start()
        try:
            adm = login(s, "admin1")
            st, _, page = adm.get("/pengingat?tanggal=2021-03-25")
            eq(st, 200, "the plan page")
            assert 'data-hold-out="500000"' in page and HOLD_SEED in page, page[-3000:]
            assert 'data-effect="beli_pelatihan"' in page, page[-3000:]
            # the same figures as the command's, each cell labelled for a phone's card
            table = re.search(r'data-effect="beli_pelatihan">(.*?)</table>', page, re.S).group(1)
            row = re.search(r'<tr data-group="kontrol">(.*?)</tr>', table, re.S).group(1)
            cells = dict(re.findall(r'<td data-label="([^"]+)">(.*?)</td>', row, re.S))
            eq(re.sub(r"<[^>]+>", "", cells["Penerima"]).strip(), str(len(held)), "held out, on the page")
            eq(cells["Median hari sampai pembelian pertama"], "%g hari" % (18 if len(held) == 1 else 21),
               "the held out's median, on the page")
            assert 'data-count="kontrol"' in page, "the plan's kontrol count"
        finally:
            s.stop()
            s.cleanup()


if __name__ == "__main__":
    h.run()
