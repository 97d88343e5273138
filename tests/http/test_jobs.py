"""Black-box tests of the daily job and the rules around it (TAP):
`prakerja jobs run [--date]` in engine and mirror mode, the join rules of
`prakerja import events` for local files, one journey built both ways
(mirror: the programme office's file; engine: wave, join, draw, local
purchases, the job) compared field by field, and an event import killed
mid-file and run again.  The contracts: shared/spec/journey-events-csv.md
("Deadlines") and selection.md (issue 14).

usage: python3 tests/http/test_jobs.py PATH-TO-PRAKERJA [TEST-NAME...]
"""

import csv
import hashlib
import json
import os
import signal
import subprocess
import time

import harness as h
from harness import eq, test

_n0 = len(h._tests)
from test_journey import EVENT_COLUMNS, J, ev  # noqa: E402
from test_registry import csv_text, person  # noqa: E402
del h._tests[_n0:]

ENGINE = ["--mode", "engine"]
SEED = hashlib.sha256(b"jobs").hexdigest()
OPENS = "2021-09-01T00:00:00+07:00"
CLOSES = "2021-09-10T00:00:00+07:00"
JOINED = "2021-09-05T10:00:00+07:00"
DRAWN = "2021-09-20T10:00:00+07:00"       # first-purchase deadline: 2021-10-20 23:59:59 WIB
REVOKED = "2021-10-21T00:00:00+07:00"      # the instant after it
BALANCE_UNTIL = "2021-12-15"
LAPSED = "2021-12-16T00:00:00+07:00"
BALANCE = 1000000                          # scheme 2021's training balance
JOURNEY = ("status", "wave", "joined_at", "selected_at", "revoked_at", "balance", "credited",
           "spent", "refunded", "lapsed", "first_purchase_at", "purchases", "completions",
           "reviews", "first_completion_at", "first_review_at", "payout", "payout_at",
           "incentives_paid", "incentive_total", "incentives_failed", "survey_k",
           "survey_opened_at", "surveys_filled", "survey_incentives", "events", "last_at")


def instant(s):
    """Seconds since 1970 of an ISO 8601 instant with +07:00."""
    import datetime
    return int(datetime.datetime.fromisoformat(s).timestamp())


class E(J):
    """A registry with a drawn wave of this deployment."""

    def js(self, args, expect=0, env=None):
        code, out, err = self.cli(args, env=env)
        eq(code, expect, "exit status of %r (stderr %r)" % (args, err))
        return json.loads(out.strip().splitlines()[-1]) if code == 0 else None, err

    def drawn_wave(self, niks, wave=1, balance_until=BALANCE_UNTIL):
        extra = ["--balance-until", balance_until] if balance_until else []
        self.js(["wave", "create", "--wave", str(wave), "--scheme", "2021", "--opens", OPENS,
                 "--closes", CLOSES, "--quota", str(len(niks))] + extra)
        out, _ = self.js(["wave", "join", "--wave", str(wave), "--at", JOINED] + niks)
        eq(out["joined"], len(niks), "joined")
        out, _ = self.js(["wave", "draw", "--wave", str(wave), "--seed", SEED, "--at", DRAWN])
        eq(out["selected"], len(niks), "all selected")

    def jobs(self, date, mode=ENGINE, expect=0):
        args = ["jobs", "run"] + (["--date", date] if date else []) + list(mode)
        return self.js(args, expect=expect)[0]

    def journey(self, nik_index=None):
        rows = self.sql("SELECT participant_id, %s FROM pk_journey ORDER BY participant_id"
                        % ", ".join(JOURNEY))
        return {r[0]: dict(zip(JOURNEY, r[1:])) for r in rows}

    def listed(self, lst="daftar_hitam"):
        return self.sql("SELECT count(*) FROM exclusion WHERE list = '%s'" % lst)[0][0]

    def nevents(self, where="1 = 1"):
        return self.sql("SELECT count(*) FROM pk_event WHERE " + where)[0][0]


def selected_by_the_office(niks, at, wave):
    """The programme office's lolos and saldo_masuk for each, at `at`."""
    rows = []
    for i, nik in enumerate(niks):
        rows += [ev("l%d-%d" % (wave, i), nik, "lolos", at, gelombang=wave),
                 ev("s%d-%d" % (wave, i), nik, "saldo_masuk", at, jumlah=BALANCE)]
    return rows


def buy(nik, ref, waktu, amount=300000, **kw):
    return ev(ref, nik, "pembelian", waktu, jumlah=amount, pelatihan="K-1", platform="tokopedia",
              **kw)


@test
def engine_revokes_lapses_once_and_catches_up_in_order():
    with E() as r:
        niks = r.people(4)
        r.drawn_wave(niks)
        # 0 buys in time; 1 buys nothing; 2 buys and cancels before the
        # deadline; 3 buys on the deadline's last second
        s, _, _ = r.events([
            buy(niks[0], "b0", "2021-10-01T10:00:00+07:00"),
            buy(niks[2], "b2", "2021-10-02T10:00:00+07:00"),
            ev("c2", niks[2], "pembatalan", "2021-10-03T10:00:00+07:00", jumlah=300000,
               ref_asal="b2"),
            buy(niks[3], "b3", "2021-10-20T23:59:59+07:00"),
        ], "--source", "lokal")
        eq(s["inserted"], 4, "purchases")
        events = r.nevents()
        # the deadline has not ended before 2021-10-20 began
        out = r.jobs("2021-10-20")
        eq(out, {"mode": "engine", "from": "2021-10-20", "to": "2021-10-20", "days": 1,
                 "revoked": 0, "lapsed": 0, "amount_lapsed": 0, "skipped": 0,
                 "unknown_waves": 0}, "the day of the deadline")
        eq(r.nevents(), events, "nothing written")
        out = r.jobs("2021-10-21")
        eq((out["from"], out["days"], out["revoked"], out["lapsed"], out["amount_lapsed"]),
           ("2021-10-21", 1, 2, 2, 2 * BALANCE), "the day after")
        st = r.journey()
        ids = sorted(st)
        eq([st[i]["status"] for i in ids], ["penerima", "dicabut", "dicabut", "penerima"],
           "revoked: no purchase, cancelled purchase")
        for i in (ids[1], ids[2]):
            eq((st[i]["revoked_at"], st[i]["balance"], st[i]["lapsed"]),
               (instant(REVOKED), 0, BALANCE), "revoked at the instant after the deadline")
        rows = r.sql("SELECT ref, type, source, at, amount, note FROM pk_event"
                     " WHERE ref LIKE 'job:%%' ORDER BY ref")
        eq(rows, sorted([
            ("job:2021-10-21:dicabut:%d" % ids[1], "dicabut", "lokal", instant(REVOKED), 0,
             "tidak_membeli_pelatihan"),
            ("job:2021-10-21:saldo_hangus:%d" % ids[1], "saldo_hangus", "lokal",
             instant(REVOKED), BALANCE, "tidak_membeli_pelatihan"),
            ("job:2021-10-21:dicabut:%d" % ids[2], "dicabut", "lokal", instant(REVOKED), 0,
             "tidak_membeli_pelatihan"),
            ("job:2021-10-21:saldo_hangus:%d" % ids[2], "saldo_hangus", "lokal",
             instant(REVOKED), BALANCE, "tidak_membeli_pelatihan")]), "the job's events")
        eq(r.listed(), 2, "both on daftar_hitam")
        reasons = dict(r.sql("SELECT id, reasons FROM participant"))
        daftar_hitam = 1 << 27   # PK_C_DAFTAR_HITAM's bit
        eq([bool(reasons[i] & daftar_hitam) for i in ids], [False, True, True, False],
           "re-evaluated: daftar_hitam among their reasons")
        audit = r.sql("SELECT detail FROM audit WHERE action = 'jobs.run' ORDER BY id")
        eq(audit[-1][0], "date=2021-10-21 revoked=2 lapsed=2 amount=2000000 skipped=0",
           "audited")
        # the same day again changes nothing
        events, before = r.nevents(), r.journey()
        out = r.jobs("2021-10-21")
        eq((out["revoked"], out["lapsed"], out["days"]), (0, 0, 1), "again: nothing")
        eq((r.nevents(), r.journey(), r.listed()), (events, before, 2), "unchanged")
        # a later day catches up every day since the last, in order; the
        # balances past the wave's cut-off lapse at the instant after it
        out = r.jobs("2021-12-20")
        eq((out["from"], out["to"], out["days"], out["revoked"], out["lapsed"],
            out["amount_lapsed"]), ("2021-10-22", "2021-12-20", 60, 0, 2, 2 * 700000),
           "catch-up")
        rows = r.sql("SELECT ref, at, amount, note FROM pk_event WHERE ref LIKE '%%batas_saldo%%'"
                     " ORDER BY ref")
        eq(rows, sorted([("job:2021-12-16:batas_saldo:%d" % i, instant(LAPSED), 700000,
                          "batas_saldo_lewat") for i in (ids[0], ids[3])]),
           "lapsed on the first day after the cut-off")
        st = r.journey()
        eq([st[i]["balance"] for i in ids], [0, 0, 0, 0], "no balance left")
        eq(r.sql("SELECT length(value) FROM pk_meta WHERE name = 'jobs_last_day'"), [(10,)],
           "last day kept")
        # an earlier day than the last runs alone and finds nothing
        out = r.jobs("2021-11-01")
        eq((out["from"], out["days"], out["revoked"], out["lapsed"]), ("2021-11-01", 1, 0, 0),
           "an earlier day")
        # a rebuild from the events alone agrees with the state kept
        before = r.journey()
        code, o, _ = r.cli(["journey", "rebuild"])
        eq(json.loads(o.strip().splitlines()[-1])["changed"], 0, "rebuild changes nothing")


@test
def a_purchase_cancelled_after_the_deadline_met_it():
    """journey-events-csv.md: missed is "no pembelian not cancelled by
    then". A purchase cancelled only after the first-purchase deadline met
    it: the daily job does not revoke its buyer when the cancellation
    comes after the job's day, nor when it came before; one cancelled on
    the deadline's last second did not. Mirror mode agrees."""
    with E() as r:
        niks = r.people(3)
        r.drawn_wave(niks)
        cancel = lambda nik, ref, of, at: ev(ref, nik, "pembatalan", at, jumlah=300000,
                                             ref_asal=of)
        s, _, _ = r.events([
            buy(niks[0], "b0", "2021-10-01T10:00:00+07:00"),
            buy(niks[1], "b1", "2021-10-01T10:00:00+07:00"),
            cancel(niks[1], "c1", "b1", "2021-10-20T23:59:59+07:00"),
            buy(niks[2], "b2", "2021-10-01T10:00:00+07:00"),
            cancel(niks[2], "c2", "b2", "2021-10-25T10:00:00+07:00"),
        ], "--source", "lokal")
        eq(s["inserted"], 5, "purchases and cancellations")
        out = r.jobs("2021-10-21")
        eq(out["revoked"], 1, "only the one cancelled by the deadline")
        st = r.journey()
        ids = sorted(st)
        eq([st[i]["status"] for i in ids], ["penerima", "dicabut", "penerima"], "statuses")
        eq(st[ids[2]]["first_purchase_at"], instant("2021-10-01T10:00:00+07:00"),
           "the purchase cancelled later still met the deadline")
        eq(st[ids[2]]["purchases"], 0, "but is not counted as held")
        # the job ran; the first buyer cancels now, after the deadline
        s, _, _ = r.events([cancel(niks[0], "c0", "b0", "2021-10-26T10:00:00+07:00")],
                           "--source", "lokal")
        eq(s["inserted"], 1, "late cancellation")
        out = r.jobs("2021-10-27")
        eq((out["revoked"], out["skipped"]), (0, 0),
           "not due for a cancellation after the deadline")
        eq([r.journey()[i]["status"] for i in ids], ["penerima", "dicabut", "penerima"],
           "unchanged")
        eq(r.listed(), 1, "one on daftar_hitam")
        code, o, _ = r.cli(["journey", "rebuild"])
        eq(json.loads(o.strip().splitlines()[-1])["changed"], 0, "rebuild changes nothing")
        code, o, e = r.cli(["ledger", "verify"])
        eq(code, 0, "ledger verify (stderr %r)" % e)
    with E() as r:
        # the programme office's wave 12 (scheme 2021: 30 days)
        niks = r.people(2)
        rows = selected_by_the_office(niks, DRAWN, 12)
        rows += [buy(niks[0], "b0", "2021-10-01T10:00:00+07:00"),
                 ev("c0", niks[0], "pembatalan", "2021-10-22T10:00:00+07:00", jumlah=300000,
                    ref_asal="b0"),
                 buy(niks[1], "b1", "2021-10-01T10:00:00+07:00"),
                 ev("c1", niks[1], "pembatalan", "2021-10-19T10:00:00+07:00", jumlah=300000,
                    ref_asal="b1")]
        s, _, _ = r.events(rows)
        eq(s["inserted"], 8, "pmo events")
        eq(r.jobs("2021-10-21", mode=[])["due"]["revoke"], 1, "mirror: one due")


@test
def jobs_refuses_bad_dates_and_modes():
    with E() as r:
        r.people(1)
        for bad in ("2021-13-01", "21-10-01", "tomorrow"):
            code, out, err = r.cli(["jobs", "run", "--date", bad])
            eq(code, 2, "--date %s" % bad)
            assert "YYYY-MM-DD" in err, err
        code, _, err = r.cli(["jobs", "run", "--date", "2099-01-01"] + ENGINE)
        eq(code, 2, "a day not begun")
        assert "not begun" in err, err
        code, _, err = r.cli(["jobs", "run", "--mode", "both"])
        eq(code, 2, "unknown mode")
        assert "mirror" in err and "engine" in err, err
        code, _, err = r.cli(["jobs", "run", "extra"])
        eq(code, 2, "unexpected argument")
        eq(r.nevents(), 0, "nothing written")


@test
def mirror_mode_changes_nothing_and_reports_what_is_due():
    with E() as r:
        niks = r.people(3)
        # the programme office's journeys: wave 12 (scheme 2021, 30 days)
        rows = selected_by_the_office(niks, DRAWN, 12)
        rows.append(buy(niks[0], "b0", "2021-10-01T10:00:00+07:00"))
        s, _, _ = r.events(rows)
        eq(s["inserted"], 7, "pmo events")
        events, before = r.nevents(), r.journey()
        out = r.jobs("2021-10-21", mode=[])
        eq(out, {"mode": "mirror", "from": "2021-10-21", "to": "2021-10-21", "days": 1,
                 "revoked": 0, "lapsed": 0, "amount_lapsed": 0,
                 "due": {"revoke": 2, "lapse": 2, "amount": 2 * BALANCE},
                 "unknown_waves": 0}, "mirror summary")
        out = r.jobs("2021-10-20", mode=["--mode", "mirror"])
        eq(out["due"], {"revoke": 0, "lapse": 0, "amount": 0}, "not due yet")
        eq((r.nevents(), r.journey(), r.listed()), (events, before, 0), "nothing changed")
        eq(r.sql("SELECT count(*) FROM pk_meta WHERE name = 'jobs_last_day'")[0][0], 0,
           "no last day in mirror mode")
        eq(r.sql("SELECT count(*) FROM audit WHERE action = 'jobs.report'")[0][0], 2, "audited")


@test
def the_programmes_cut_off_is_the_deadline_of_its_waves():
    """schemes.ini's balance_until (scheme 2020: 15 Dec 2020) is the
    balance cut-off of the programme office's waves of the scheme, and
    caps their first-purchase deadline: what mirror mode reports due."""
    with E() as r:
        niks = r.people(2)
        # 30 days from 20 Nov 2020: 20 Dec, capped at 15 Dec
        rows = selected_by_the_office(niks, "2020-11-20T10:00:00+07:00", 5)
        rows.append(buy(niks[0], "b0", "2020-11-25T10:00:00+07:00"))
        s, _, _ = r.events(rows)
        eq(s["inserted"], 5, "the programme office's wave 5 (scheme 2020)")
        eq(r.jobs("2020-12-15", mode=[])["due"], {"revoke": 0, "lapse": 0, "amount": 0},
           "the cut-off's own day")
        eq(r.jobs("2020-12-16", mode=[])["due"],
           {"revoke": 1, "lapse": 2, "amount": BALANCE + BALANCE - 300000},
           "the day after: one revocation, both balances lapse")
        pid = r.sql("SELECT participant_id FROM pk_journey ORDER BY participant_id")[0][0]
        st = r.sql("SELECT balance FROM pk_journey WHERE participant_id = %d" % pid)[0][0]
        eq(st, BALANCE - 300000, "nothing written in mirror mode")


@test
def local_joins_follow_the_wave_rules():
    with E() as r:
        niks = r.people(4)
        r.js(["wave", "create", "--wave", "1", "--scheme", "2021", "--opens", OPENS, "--closes",
              CLOSES, "--quota", "4"])
        r.js(["wave", "create", "--wave", "2", "--scheme", "2021", "--opens", OPENS, "--closes",
              CLOSES, "--quota", "4"])
        s, _, rej = r.events([
            ev("j0", niks[0], "gabung_gelombang", JOINED, gelombang=1),
            ev("j1", niks[1], "gabung_gelombang", JOINED, gelombang=99),
            ev("j2", niks[2], "gabung_gelombang", "2021-09-10T00:00:00+07:00", gelombang=1),
            ev("j3", niks[0], "gabung_gelombang", "2021-09-06T10:00:00+07:00", gelombang=2),
            ev("j4", niks[3], "gabung_gelombang", "2021-08-31T23:59:59+07:00", gelombang=1),
        ], "--source", "lokal", rejects=True)
        eq((s["inserted"], s["rejected"]), (1, 4), "one join stands")
        eq(s["reasons"], {"gelombang_tidak_dikenal": 1, "gelombang_tidak_dibuka": 2,
                          "masih_di_gelombang_lain": 1}, "reasons")
        got = sorted((row[0], row[1], row[2], row[3]) for row in rej[1:])
        eq(got, [("3", "gelombang_tidak_dikenal", "gelombang", "j1"),
                 ("4", "gelombang_tidak_dibuka", "gelombang", "j2"),
                 ("5", "masih_di_gelombang_lain", "gelombang", "j3"),
                 ("6", "gelombang_tidak_dibuka", "gelombang", "j4")], "rejects file")
        # a closed wave takes no one, even inside its instants
        r.js(["wave", "close", "--wave", "2"])
        s, _, _ = r.events([ev("j5", niks[1], "gabung_gelombang", JOINED, gelombang=2)],
                           "--source", "lokal")
        eq(s["reasons"], {"gelombang_tidak_dibuka": 1}, "closed wave")
        r.js(["wave", "draw", "--wave", "1", "--seed", SEED, "--at", DRAWN])
        r.js(["wave", "open", "--wave", "2"], expect=1)   # past its closing instant
        # one open wave at a time (selection.md): once wave 1 closed (09-10)
        # its applicant may join another wave, before its draw too (a join
        # arriving late, dated 09-15); selected at DRAWN (09-20), they join
        # no later wave
        r.js(["wave", "create", "--wave", "3", "--scheme", "2021", "--opens", OPENS, "--closes",
              "2099-12-31T23:59:59+07:00", "--quota", "4"])
        s, _, rej = r.events([
            ev("j6", niks[0], "gabung_gelombang", "2021-09-15T10:00:00+07:00", gelombang=3),
            ev("j7", niks[0], "gabung_gelombang", "2021-09-25T10:00:00+07:00", gelombang=3),
        ], "--source", "lokal", rejects=True)
        eq((s["inserted"], s["reasons"]), (1, {"sudah_penerima": 1}), "joins around a draw")
        eq([(row[1], row[3]) for row in rej[1:]], [("sudah_penerima", "j7")], "which join")
        pid0 = r.sql("SELECT p.id FROM participant p JOIN pk_event e ON e.participant_id = p.id"
                     " WHERE e.ref = 'j6'")[0][0]
        eq((r.journey()[pid0]["status"], r.journey()[pid0]["wave"]), ("penerima", 1),
           "the draw of wave 1 selected them after the join to wave 3")
        # the programme office's joins are to its own waves: not judged here
        s, _, _ = r.events([ev("p1", niks[1], "gabung_gelombang", JOINED, gelombang=99)])
        eq((s["inserted"], s["rejected"]), (1, 0), "pmo join to a wave unknown here")


@test
def an_applicant_of_a_closed_wave_may_join_the_next_before_its_draw():
    """One open wave at a time (selection.md): while a wave is open its
    applicant joins no other open wave; once it has closed, before its
    draw, they may join the next.  Its draw's tidak_lolos then leaves the
    later application standing, and the next wave's draw decides."""
    with E() as r:
        niks = r.people(2)
        r.js(["wave", "create", "--wave", "12", "--scheme", "2021", "--opens", OPENS,
              "--closes", CLOSES, "--quota", "0"])
        r.js(["wave", "create", "--wave", "13", "--scheme", "2021", "--opens",
              "2021-09-08T00:00:00+07:00", "--closes", "2021-09-30T00:00:00+07:00",
              "--quota", "2"])
        r.js(["wave", "join", "--wave", "12", "--at", JOINED] + niks)
        # wave 12 open until 09-10: no second open wave
        code, _, err = r.cli(["wave", "join", "--wave", "13", "--at",
                              "2021-09-09T10:00:00+07:00", niks[0]])
        eq(code, 1, "joined wave 13 while wave 12 was open (stderr %r)" % err)
        assert "masih_di_gelombang_lain" in err, err
        # wave 12 closed, not drawn: wave 13 takes them
        out, _ = r.js(["wave", "join", "--wave", "13", "--at", "2021-09-12T10:00:00+07:00",
                       niks[0]])
        eq(out["joined"], 1, "joined wave 13 after wave 12 closed")
        out, _ = r.js(["wave", "draw", "--wave", "12", "--seed", SEED, "--at", DRAWN])
        eq((out["applicants"], out["selected"]), (2, 0), "wave 12: quota 0")
        st = {j["wave"]: j["status"] for j in r.journey().values()}
        eq(st, {13: "pendaftar", 12: "tidak_lolos"},
           "the applicant of wave 13 is still one; the other was not selected in 12")
        code, out, err = r.cli(["journey", "rebuild"])
        eq((code, json.loads(out.strip().splitlines()[-1])["changed"]), (0, 0),
           "a rebuild from the events agrees (stderr %r)" % err)
        r.js(["wave", "close", "--wave", "13"])
        out, _ = r.js(["wave", "draw", "--wave", "13", "--seed", SEED, "--at",
                       "2021-10-01T10:00:00+07:00"])
        eq(out["selected"], 1, "wave 13 selects its applicant")
        eq(sorted((j["status"], j["wave"]) for j in r.journey().values()),
           [("penerima", 13), ("tidak_lolos", 12)], "journeys")


@test
def engine_mode_acts_only_on_its_own_draws_recipients():
    """The programme office's recipients are its own to revoke
    (journey-events-csv.md "Deadlines"): in engine mode the job revokes
    those this deployment's draw selected; the office's waves it does not
    look at, and in a wave numbered like one of its own it skips the
    office's recipients (their lolos is not its draw's)."""
    with E() as r:
        niks = r.people(3)
        r.drawn_wave(niks[:1], wave=12)
        s, _, _ = r.events(selected_by_the_office(niks[1:2], DRAWN, 12) +
                           selected_by_the_office(niks[2:], DRAWN, 13))
        eq(s["inserted"], 4, "the programme office's recipients in waves 12 and 13")
        out = r.jobs("2021-10-21")
        eq((out["revoked"], out["lapsed"], out["skipped"], out["unknown_waves"]), (1, 1, 1, 0),
           "one revoked; wave 12's office recipient skipped; wave 13 not looked at")
        eq(sorted((j["wave"], j["status"], j["balance"]) for j in r.journey().values()),
           [(12, "dicabut", 0), (12, "penerima", BALANCE), (13, "penerima", BALANCE)],
           "journeys")
        eq(r.listed(), 1, "only this deployment's recipient on daftar_hitam")
        eq(r.jobs("2021-10-22")["revoked"], 0, "the next day: nothing more")


@test
def a_local_export_imported_again_changes_nothing_and_says_so():
    """This deployment's own events (the draw's, the job's, local
    purchases) exported with --source lokal and imported again: every row
    a duplicate, none rejected, nothing written; a lolos of a local file
    that is not stored is still refused (kolom_tidak_valid, peristiwa)."""
    with E() as r:
        niks = r.people(3)
        r.drawn_wave(niks)
        s, _, _ = r.events([buy(niks[0], "b0", "2021-10-01T10:00:00+07:00")], "--source", "lokal")
        eq(s["inserted"], 1, "a purchase")
        r.jobs("2021-10-21")
        before, n = r.stored(), r.nevents("source = 'lokal'")
        out = r.export_events("--source", "lokal")
        path = r.write(out)
        code, got, err = r.cli(["import", "events", path, "--source", "lokal"])
        eq(code, 0, err)
        summary = json.loads(got.strip().splitlines()[-1])
        eq((summary["read"], summary["inserted"], summary["duplicates"], summary["rejected"]),
           (n, 0, n, 0), "all duplicates")
        eq(r.stored(), before, "nothing written")
        s, _, rej = r.events([ev("x1", niks[0], "lolos", DRAWN, gelombang=1)], "--source",
                             "lokal", rejects=True)
        eq((s["rejected"], s["reasons"]), (1, {"kolom_tidak_valid": 1}), "a new local lolos")
        eq((rej[1][1], rej[1][2]), ("kolom_tidak_valid", "peristiwa"), "its column")


@test
def local_purchases_after_a_deadline_are_refused():
    """A local purchase once the first-purchase deadline has ended (none
    before it) or once the balance cut-off has: refused, as the daily job
    (not run yet) would have revoked or lapsed by then."""
    with E() as r:
        niks = r.people(3)
        r.drawn_wave(niks)
        s, _, rej = r.events([
            buy(niks[0], "late", "2021-10-21T00:00:00+07:00"),
            buy(niks[1], "intime", "2021-10-20T23:59:59+07:00"),
            buy(niks[1], "after", "2021-11-01T10:00:00+07:00"),
            buy(niks[1], "cutoff", "2021-12-15T23:59:59+07:00", amount=100000),
            buy(niks[1], "lapsed", "2021-12-16T00:00:00+07:00", amount=100000),
            buy(niks[2], "lastday", "2021-12-15T23:59:59+07:00"),
        ], "--source", "lokal", rejects=True)
        eq((s["inserted"], s["reasons"]),
           (3, {"batas_pembelian_lewat": 2, "batas_saldo_lewat": 1}), "purchases")
        eq(sorted((row[1], row[3]) for row in rej[1:]),
           [("batas_pembelian_lewat", "lastday"), ("batas_pembelian_lewat", "late"),
            ("batas_saldo_lewat", "lapsed")], "which")
        eq(sorted(j["spent"] for j in r.journey().values()), [0, 0, 700000],
           "spent: the cut-off's last second still buys")
        # once the job has revoked them, that is what a purchase is told
        eq(r.jobs("2021-10-21")["revoked"], 2, "the job")
        s, _, _ = r.events([buy(niks[0], "after-job", "2021-10-22T10:00:00+07:00")], "--source",
                           "lokal")
        eq(s["reasons"], {"sudah_dicabut": 1}, "revoked")
        # the programme office's purchases are its own programme's: not judged
        # by these rules (the journey's own still apply)
        s, _, _ = r.events([buy(niks[1], "p-late", "2021-12-20T10:00:00+07:00")])
        eq((s["inserted"], s["rejected"]), (1, 0), "pmo purchase")


@test
def a_draw_judges_the_rules_on_the_waves_closing_date():
    """selection.md step 1: eligibility on the wave's closing date (WIB),
    not on the draw's day nor today: one who was 17 when the wave closed
    (18 by the draw) is not selected (usia_kurang); one 18 on the closing
    day itself is."""
    with E() as r:
        young = person(41, birth="2003-09-11")   # 18 on 11 Sep 2021: the day after
        exact = person(42, birth="2003-09-10")   # 18 on the closing day
        s, _, _, _ = r.imp(csv_text([young, exact]))
        eq(s["inserted"], 2, "registered (eligible today)")
        r.js(["wave", "create", "--wave", "1", "--scheme", "2021", "--opens", OPENS, "--closes",
              "2021-09-10T23:59:59+07:00", "--quota", "2"])
        r.js(["wave", "join", "--wave", "1", "--at", JOINED, young["nik"], exact["nik"]])
        # closed by its closing instant: a draw dated before it is refused
        _, err = r.js(["wave", "draw", "--wave", "1", "--seed", SEED, "--at",
                       "2021-09-10T23:59:58+07:00"], expect=2)
        assert "before wave 1 closes at 2021-09-10T23:59:59+07:00" in err, err
        eq(r.sql("SELECT count(*) FROM pk_draw")[0][0], 0, "a refused draw writes nothing")
        out, _ = r.js(["wave", "draw", "--wave", "1", "--seed", SEED, "--at", DRAWN])
        eq((out["selected"], out["reasons"]), (1, {"usia_kurang": 1}), "judged on 10 Sep 2021")
        sel = r.path("sel.csv")
        code, _, err = r.cli(["export", "selection", "--wave", "1", "--output", sel])
        eq(code, 0, err)
        with open(sel, encoding="utf-8") as f:
            rows = {row[0]: (row[3], row[4]) for row in csv.reader(f)}
        eq((rows[young["nik"]], rows[exact["nik"]]),
           (("tidak_lolos", "usia_kurang"), ("lolos", "")), "who")


@test
def a_draw_comes_after_its_joins_and_passes_over_recipients():
    """A join dated ahead of now is refused; a draw whose instant is not
    after the wave's last join is refused and writes nothing; an applicant
    selected meanwhile elsewhere (here by the programme office) is not
    selected again and gets no event, and the draw's digests, its
    verification and its repetition agree."""
    with E() as r:
        niks = r.people(4)
        r.js(["wave", "create", "--wave", "1", "--scheme", "2021", "--opens", OPENS, "--closes",
              "2099-12-31T23:59:59+07:00", "--quota", "4"])
        late = "2021-09-25T10:00:00+07:00"
        s, _, rej = r.events([
            ev("j0", niks[0], "gabung_gelombang", JOINED, gelombang=1),
            ev("j1", niks[1], "gabung_gelombang", JOINED, gelombang=1),
            ev("j2", niks[2], "gabung_gelombang", late, gelombang=1),
            ev("j3", niks[3], "gabung_gelombang", "2098-01-01T10:00:00+07:00", gelombang=1),
        ], "--source", "lokal", rejects=True)
        eq((s["inserted"], s["reasons"]), (3, {"waktu_di_masa_depan": 1}), "a join dated ahead")
        eq([(row[1], row[2], row[3]) for row in rej[1:]],
           [("waktu_di_masa_depan", "waktu", "j3")], "rejects file")
        code, _, err = r.cli(["wave", "join", "--wave", "1", "--at", "2098-01-01T10:00:00+07:00",
                              niks[3]])
        eq(code, 1, "wave join ahead of now")
        assert "waktu_di_masa_depan" in err, err
        # niks[1] is selected meanwhile in the programme office's wave 12
        s, _, _ = r.events([
            ev("l1", niks[1], "lolos", "2021-09-15T10:00:00+07:00", gelombang=12),
            ev("s1", niks[1], "saldo_masuk", "2021-09-15T10:00:00+07:00", jumlah=BALANCE)])
        eq(s["inserted"], 2, "selected by the programme office")
        r.js(["wave", "close", "--wave", "1"])
        events, journeys = r.nevents(), r.journey()
        for at in (DRAWN, late):
            _, err = r.js(["wave", "draw", "--wave", "1", "--seed", SEED, "--at", at], expect=2)
            assert "last join is at " + late in err and "--at" in err, err
        eq((r.nevents(), r.journey(), r.sql("SELECT count(*) FROM pk_draw")[0][0]),
           (events, journeys, 0), "a refused draw writes nothing")
        after = "2021-09-26T10:00:00+07:00"
        out, _ = r.js(["wave", "draw", "--wave", "1", "--seed", SEED, "--at", after])
        eq((out["applicants"], out["eligible"], out["selected"], out["not_selected"],
            out["reasons"]), (3, 2, 2, 1, {"pernah_menerima": 1}), "draw summary")
        eq(r.sql("SELECT type, count(*) FROM pk_event WHERE ref LIKE 'undian-1-%'"
                 " GROUP BY type ORDER BY type"), [("lolos", 2), ("saldo_masuk", 2)],
           "events for the two selected only")
        st = r.journey()
        eq(sorted((j["status"], j["wave"], j["selected_at"]) for j in st.values()),
           [("penerima", 1, instant(after))] * 2 + [("penerima", 12, instant("2021-09-15T10:00:00+07:00"))],
           "the recipient's journey unchanged")
        sel = r.path("sel.csv")
        code, _, err = r.cli(["export", "selection", "--wave", "1", "--output", sel])
        eq(code, 0, "export selection (stderr %r)" % err)
        with open(sel, encoding="utf-8") as f:
            rows = {row[0]: row for row in csv.reader(f)}
        eq((rows[niks[1]][3], rows[niks[1]][4]), ("tidak_lolos", "pernah_menerima"),
           "the recipient in the selection file")
        eq(sorted(rows[n][3] for n in (niks[0], niks[2])), ["lolos", "lolos"], "the others")
        out, _ = r.js(["wave", "verify", "--wave", "1"])
        eq(out["match"], True, "verify")
        events = r.nevents()
        out2, err = r.js(["wave", "draw", "--wave", "1", "--seed", SEED, "--at", after])
        eq((out2["result_sha256"], r.nevents()), (out["result_sha256"], events),
           "the same seed again changes nothing")


@test
def one_journey_mirror_and_engine_agree():
    """The same person's journey from the programme office's file (mirror)
    and from this deployment's own wave, draw, local events and daily job
    (engine): the derived state agrees field by field."""
    with E("mirror") as m, E("engine") as e:
        nm, ne = m.people(2), e.people(2)
        eq(nm, ne, "the same people")
        buyer, idle = ne
        # engine: wave 12 of scheme 2021, joined, drawn, a purchase,
        # completion, review, payout account; the job revokes the idle one
        # and lapses the buyer's rest at the cut-off
        e.drawn_wave(ne, wave=12)
        later = [
            buy(buyer, "x1", "2021-09-25T09:00:00+07:00", amount=400000),
            ev("x2", buyer, "selesai_pelatihan", "2021-09-28T09:00:00+07:00", pelatihan="K-1",
               platform="tokopedia"),
            ev("x3", buyer, "ulasan", "2021-09-29T09:00:00+07:00", pelatihan="K-1"),
            ev("x4", buyer, "rekening_tertaut", "2021-09-30T09:00:00+07:00",
               keterangan="gopay"),
        ]
        s, _, _ = e.events(later, "--source", "lokal")
        eq(s["inserted"], 4, "engine: local events")
        e.jobs("2021-10-21")
        e.jobs("2021-12-31")
        # mirror: the programme office's file says the same
        rows = []
        for i, nik in enumerate(nm):
            rows += [ev("g%d" % i, nik, "gabung_gelombang", JOINED, gelombang=12),
                     ev("l%d" % i, nik, "lolos", DRAWN, gelombang=12),
                     ev("s%d" % i, nik, "saldo_masuk", DRAWN, jumlah=BALANCE)]
        rows += later
        rows += [ev("d1", idle, "dicabut", REVOKED, keterangan="tidak_membeli_pelatihan"),
                 ev("h1", idle, "saldo_hangus", REVOKED, jumlah=BALANCE),
                 ev("h0", buyer, "saldo_hangus", LAPSED, jumlah=600000)]
        s, _, _ = m.events(rows)
        eq(s["rejected"], 0, "mirror: the file")
        jm, je = m.journey(), e.journey()
        eq(sorted(jm), sorted(je), "the same participants")
        for pid in jm:
            for field in JOURNEY:
                eq(jm[pid][field], je[pid][field], "participant %d: %s" % (pid, field))
        eq(je[sorted(je)[1]]["status"], "dicabut", "the idle one revoked")
        eq(je[sorted(je)[0]]["lapsed"], 600000, "the buyer's rest lapsed")
        # the engine kept its sources: lokal for its own, never pmo
        eq(e.nevents("source = 'pmo'"), 0, "engine: no pmo events")
        eq(m.nevents("source = 'lokal'"), 0, "mirror: no lokal events")


def _concurrent_runs(r, n):
    """Two `jobs run` of the same day at once over n people due."""
    niks = r.people(n)
    r.drawn_wave(niks, balance_until=None)
    procs = [subprocess.Popen([h.binary(), "jobs", "run", "--date", "2021-10-21"] + ENGINE +
                              r.db.args(), cwd=r.tmp, env=h.base_env(), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=300)
        eq(p.returncode, 0, "a run (stderr %r)" % err)
        assert not h.sanitizer_report(err), err
        outs.append(json.loads(out.strip().splitlines()[-1]))
    eq(sum(o["revoked"] for o in outs), n, "revoked once in all: %r" % outs)
    eq(sum(o["lapsed"] for o in outs), n, "lapsed once in all")
    eq(r.nevents("type = 'dicabut'"), n, "one dicabut each")
    eq(r.nevents("type = 'saldo_hangus'"), n, "one saldo_hangus each")
    eq(r.listed(), n, "daftar_hitam")
    eq(r.sql("SELECT count(*) FROM pk_journey WHERE status = 'dicabut' AND balance = 0")[0][0],
       n, "all revoked, nothing left")


@test
def two_runs_at_once_revoke_each_person_once():
    with E() as r:
        _concurrent_runs(r, 300)


def _event_file(niks):
    """A large file of the programme office's: ~12 events per person."""
    rows = []
    for i, nik in enumerate(niks):
        p = "k%d-" % i
        rows += [
            ev(p + "1", nik, "gabung_gelombang", "2021-03-01T10:00:00+07:00", gelombang=12),
            ev(p + "2", nik, "lolos", "2021-03-02T10:00:00+07:00", gelombang=12),
            ev(p + "3", nik, "saldo_masuk", "2021-03-03T10:00:00+07:00", jumlah=BALANCE),
            buy(nik, p + "4", "2021-03-04T10:00:00+07:00", amount=250000),
            ev(p + "5", nik, "pembatalan", "2021-03-05T10:00:00+07:00", jumlah=250000,
               ref_asal=p + "4"),
            buy(nik, p + "6", "2021-03-06T10:00:00+07:00", amount=900000),
            buy(nik, p + "7", "2021-03-07T10:00:00+07:00", amount=900000),  # refused
            ev(p + "8", nik, "selesai_pelatihan", "2021-03-08T10:00:00+07:00", pelatihan="K",
               platform="tokopedia"),
            ev(p + "9", nik, "ulasan", "2021-03-09T10:00:00+07:00", pelatihan="K"),
            ev(p + "a", nik, "rekening_tertaut", "2021-03-10T10:00:00+07:00",
               keterangan="ovo"),
            ev(p + "b", nik, "insentif_dibayar", "2021-03-20T10:00:00+07:00", ke=1,
               jumlah=600000),
            ev(p + "c", nik, "saldo_hangus", "2021-12-16T00:00:00+07:00", jumlah=100000),
        ]
    return rows


@test
def import_killed_midway_and_run_again_equals_one_clean_run():
    n = 1500
    with E("killed") as k, E("clean") as c:
        nk, nc = k.people(n), c.people(n)
        eq(nk, nc, "the same people")
        path = k.write(csv_text(_event_file(nk), EVENT_COLUMNS))
        total = len(_event_file(nk[:1])) * n
        s, _, _ = c.events(_event_file(nc))
        eq((s["read"], s["inserted"], s["rejected"]), (total, total - n, n), "clean run")
        clean = (c.nevents(), c.journey(), c.sql(
            "SELECT participant_id, source, ref, type, at, seq, amount FROM pk_event"
            " ORDER BY participant_id, ref"))
        killed = False
        for attempt in range(3):
            p = subprocess.Popen([h.binary(), "import", "events", path] + k.db.args(),
                                 cwd=k.tmp, env=h.base_env(), stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE)
            poller = h.Poller(k.db)
            try:
                deadline = time.time() + 300
                while p.poll() is None and time.time() < deadline:
                    if poller.value("SELECT count(*) FROM pk_event") > 0:
                        os.kill(p.pid, signal.SIGKILL)
                        killed = True
                        break
                    time.sleep(0.01)
            finally:
                poller.close()
            p.communicate(timeout=60)
            if killed:
                break
            assert attempt < 2, "the import finished before it could be killed"
        stored = k.nevents()
        h.diag("killed after %d of %d events were committed" % (stored, total - n))
        assert 0 < stored < total - n, "killed midway (%d stored)" % stored
        code, out, err = k.cli(["import", "events", path])
        eq(code, 0, "run again (stderr %r)" % err)
        s = json.loads(out.strip().splitlines()[-1])
        eq((s["read"], s["inserted"] + s["duplicates"], s["rejected"]),
           (total, total - n, n), "run again: the rest inserted, the stored ones duplicates")
        got = (k.nevents(), k.journey(), k.sql(
            "SELECT participant_id, source, ref, type, at, seq, amount FROM pk_event"
            " ORDER BY participant_id, ref"))
        eq(got[0], clean[0], "as many events as one clean run")
        eq(got[1], clean[1], "the same states")
        eq(got[2], clean[2], "the same events")



@test
def a_bulk_load_killed_leaves_nothing_and_run_again_equals_one_clean_run():
    """A first event file into a store without events is one transaction
    (SQLite, a rollback journal while alone with the file): killed in it,
    the next opening rolls it back (no event, the indexes dropped at its
    start there again, the file intact) and the run again equals a clean
    one."""
    h.sqlite_only("the bulk load of events is SQLite's")
    n = 3000
    bulk = {"PRAKERJA_IMPORT_BULK_MB": "0"}
    with E("killed") as k, E("clean") as c:
        nk, nc = k.people(n), c.people(n)
        path = k.write(csv_text(_event_file(nk), EVENT_COLUMNS))
        total = len(_event_file(nk[:1])) * n
        s, _, _ = c.events(_event_file(nc), env=bulk)
        eq((s["read"], s["inserted"], s["rejected"]), (total, total - n, n), "clean run")
        query = ("SELECT participant_id, source, ref, type, at, seq, amount FROM pk_event"
                 " ORDER BY participant_id, ref")
        clean = (c.nevents(), c.journey(), c.sql(query))
        journal = k.db.path + "-journal"
        env = dict(h.base_env(), **bulk)
        # killed inside its transaction: its journal there just before the
        # kill and after it (a journal seen may also be the short one of the
        # switch out of WAL: then nothing began, and it is tried again)
        for attempt in range(5):
            p = subprocess.Popen([h.binary(), "import", "events", path] + k.db.args(),
                                 cwd=k.tmp, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE)
            deadline = time.time() + 300
            while p.poll() is None and not os.path.exists(journal) and time.time() < deadline:
                time.sleep(0.001)
            time.sleep(0.05)
            assert p.poll() is None, "the import ended before it could be killed"
            inside = os.path.exists(journal)
            os.kill(p.pid, signal.SIGKILL)
            p.communicate(timeout=60)
            if inside and os.path.exists(journal):
                break
            eq(k.nevents(), 0, "killed before its transaction: nothing stored")
        else:
            assert False, "never killed inside the transaction"
        h.diag("killed inside the bulk load's transaction (attempt %d)" % (attempt + 1))
        eq(k.nevents(), 0, "nothing stored")
        eq(k.sql("PRAGMA integrity_check"), [("ok",)], "the file intact")
        eq(sorted(r[0] for r in k.sql("SELECT name FROM sqlite_master WHERE type = 'index'"
                                      " AND tbl_name IN ('pk_event', 'pk_journey')")),
           sorted(r[0] for r in c.sql("SELECT name FROM sqlite_master WHERE type = 'index'"
                                      " AND tbl_name IN ('pk_event', 'pk_journey')")),
           "the indexes as before")
        s, _, _ = k.events(_event_file(nk), env=bulk)
        eq((s["read"], s["inserted"], s["rejected"]), (total, total - n, n), "run again")
        eq((k.nevents(), k.journey(), k.sql(query)), clean, "as one clean run")

if __name__ == "__main__":
    h.run()
