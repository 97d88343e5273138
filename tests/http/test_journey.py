"""Black-box tests of the journey's event files: `prakerja import events`,
`prakerja export events` and `prakerja journey rebuild` (TAP).

The contract is shared/spec/journey-events-csv.md: columns in any order,
each person's rows applied in waktu order whatever the file order, balance
never negative, one selection per life, idempotent by (source, ref), a late
or repeated file gives the same result, rejects with line numbers and codes,
JSON summary last.

usage: python3 tests/http/test_journey.py PATH-TO-PRAKERJA [TEST-NAME...]
"""

import json
import os
import random

import harness as h
from harness import eq, test

# Helpers shared with other programs; importing them must not register
# their tests here.
_n0 = len(h._tests)
from test_registry import Reg, csv_text, person  # noqa: E402
del h._tests[_n0:]

EVENT_COLUMNS = ["ref", "nik", "peristiwa", "waktu", "gelombang", "jumlah", "ke", "pelatihan",
                 "platform", "ref_asal", "keterangan"]
JOURNEY_ALL = ("participant_id", "status", "payout", "wave", "joined_at", "selected_at",
               "revoked_at", "balance", "credited", "spent", "refunded", "lapsed",
               "first_purchase_at", "purchases", "completions", "reviews", "first_completion_at",
               "first_review_at", "payout_at", "incentives_paid", "incentive_total",
               "incentives_failed", "survey_k", "survey_opened_at", "surveys_filled",
               "survey_incentives", "events", "last_at", "first_incentive_at")
STATE = ("status", "wave", "balance", "credited", "spent", "refunded", "lapsed",
         "first_purchase_at", "purchases", "completions", "reviews", "payout", "events")


def ev(ref, nik, peristiwa, waktu, **kw):
    r = {"ref": ref, "nik": nik, "peristiwa": peristiwa, "waktu": waktu}
    r.update({k: str(v) for k, v in kw.items()})
    return r


def t(day, hour=10):
    """An instant in March 2021, in WIB."""
    return "2021-03-%02dT%02d:00:00+07:00" % (day, hour)


def journey_of(nik, serial):
    """A recipient's whole journey: 10 events in time order."""
    p = "e%d-" % serial
    return [
        ev(p + "01", nik, "gabung_gelombang", t(1), gelombang=12),
        ev(p + "02", nik, "lolos", t(2), gelombang=12),
        ev(p + "03", nik, "saldo_masuk", t(3), jumlah=3500000),
        ev(p + "04", nik, "pembelian", t(4), jumlah=1000000, pelatihan="K-1",
           platform="tokopedia"),
        ev(p + "05", nik, "pembatalan", t(5), jumlah=1000000, ref_asal=p + "04"),
        ev(p + "06", nik, "pembelian", t(6), jumlah=3500000, pelatihan="K-2",
           platform="pijarmahir"),
        ev(p + "07", nik, "selesai_pelatihan", t(8), pelatihan="K-2", platform="pijarmahir"),
        ev(p + "08", nik, "ulasan", t(9), pelatihan="K-2"),
        ev(p + "09", nik, "rekening_tertaut", t(10), keterangan="gopay"),
        ev(p + "10", nik, "insentif_dibayar", t(20), ke=1, jumlah=600000),
    ]


class J(Reg):
    """A registry with people, and event files in and out."""

    def people(self, n):
        ps = [person(i + 1) for i in range(n)]
        s, _, _, _ = self.imp(csv_text(ps))
        eq(s["inserted"], n, "participants imported")
        return [p["nik"] for p in ps]

    def events(self, rows, *args, expect=0, columns=EVENT_COLUMNS, rejects=False, env=None):
        path = self.write(csv_text(rows, columns))
        extra = list(args)
        rej = None
        if rejects:
            rej = self.path("rejects%d.csv" % self.nfile)
            extra += ["--rejects", rej]
        code, out, err = self.cli(["import", "events", path] + extra, env=env)
        eq(code, expect, "import events exit status (stderr %r)" % err)
        summary = None
        if code == 0:
            summary = json.loads(out.strip().splitlines()[-1])
            eq(sorted(summary), sorted(["read", "inserted", "duplicates", "rejected",
                                        "reasons"]), "summary keys")
        rows = None
        if rej:
            with open(rej, encoding="utf-8") as f:
                rows = [line for line in __import__("csv").reader(f)]
            eq(oct(os.stat(rej).st_mode & 0o777), "0o600", "rejects file mode")
            if code == 0:
                lines = [int(x[0]) for x in rows[1:]]
                eq(lines, sorted(lines), "the rejects in line order")
        return summary, err, rows

    def state(self):
        """Every pk_journey row (the derived state), by participant id."""
        rows = self.sql("SELECT participant_id, %s FROM pk_journey ORDER BY participant_id"
                        % ", ".join(STATE))
        return [tuple(r) for r in rows]

    def stored(self):
        return [tuple(r) for r in self.sql(
            "SELECT participant_id, source, ref, type, at, wave, amount, k, course, platform,"
            " ref_asal, note FROM pk_event ORDER BY participant_id, at, ref")]

    def export_events(self, *args, expect=0):
        code, out, err = self.cli(["export", "events"] + list(args))
        eq(code, expect, "export events exit status (stderr %r)" % err)
        return out


@test
def shuffled_file_applies_each_person_in_time_order():
    with J() as r:
        niks = r.people(3)
        rows = []
        for i, nik in enumerate(niks):
            rows += journey_of(nik, i)
        # one person's rows far apart and in reverse, the others shuffled
        random.Random(7).shuffle(rows)
        rows.sort(key=lambda e: e["ref"].startswith("e0-"))
        first = [e for e in rows if e["ref"].startswith("e0-")]
        rows = [e for e in rows if not e["ref"].startswith("e0-")]
        rows = first[5:][::-1] + rows + first[:5][::-1]
        s, _, _ = r.events(rows)
        eq(s, {"read": 30, "inserted": 30, "duplicates": 0, "rejected": 0, "reasons": {}},
           "summary")
        st = r.state()
        eq(len(st), 3, "one state per person")
        for row in st:
            eq(row[1:], ("penerima", 12, 0, 3500000, 4500000, 1000000, 0,
                         1614999600, 1, 1, 1, "gopay", 10), "state")


@test
def fractions_of_a_second_order_the_rows_of_one_second():
    """waktu may carry a fraction of a second (ISO 8601): one person's
    rows of the same second go in the order of their fractions, not of the
    file, on a first (bulk) import and on a later one, in one file or two;
    rows of one instant keep the file's order.  (An outside check of the
    spec found the fraction dropped: the credit at .100 came after the
    purchase at .900 and the purchase was refused.)"""
    for env in ({"PRAKERJA_IMPORT_BULK_MB": "0"}, {"PRAKERJA_IMPORT_BULK_MB": "100000"}):
        with J() as r:
            nik = r.people(1)[0]
            s, _, _ = r.events([
                ev("f0", nik, "lolos", "2021-09-20T10:00:00+07:00", gelombang=20),
                ev("f1", nik, "pembelian", "2021-09-20T11:00:00.900+07:00", jumlah=100,
                   pelatihan="K", platform="tokopedia"),
                ev("f2", nik, "saldo_masuk", "2021-09-20T11:00:00.1+07:00", jumlah=100),
                ev("f3", nik, "saldo_masuk", "2021-09-20T04:00:00.95Z", jumlah=50),
                ev("f4", nik, "pembelian", "2021-09-20T11:00:00.950000+07:00", jumlah=50,
                   pelatihan="K", platform="tokopedia"),
            ], env=env)
            eq((s["inserted"], s["rejected"]), (5, 0), "all applied, %s" % env)
            # a later file: a credit at .05 of the same second goes first again
            s, _, _ = r.events([
                ev("g1", nik, "pembelian", "2021-09-20T11:00:01.5+07:00", jumlah=30,
                   pelatihan="K", platform="tokopedia"),
                ev("g0", nik, "saldo_masuk", "2021-09-20T11:00:01.05+07:00", jumlah=30),
            ], env=env)
            eq((s["inserted"], s["rejected"]), (2, 0), "a later file, %s" % env)
            eq(r.state()[0][3], 0, "the balance spent to the last Rupiah")


@test
def file_twice_and_late_file_give_the_result_of_one_file():
    with J("a") as a, J("b") as b, J("c") as c:
        na, nb, nc = a.people(2), b.people(2), c.people(2)
        eq((na, nb), (nc, nc), "the same NIKs")
        all_rows = journey_of(na[0], 0) + journey_of(na[1], 1)
        money = ("pembelian", "pembatalan")
        # a: everything at once
        s, _, _ = a.events(all_rows)
        eq(s["inserted"], 20, "a: inserted")
        # b: all but the purchases first, then a late file with them (older
        # than events stored), then the whole file again
        s, _, _ = b.events([e for e in all_rows if e["peristiwa"] not in money])
        eq((s["inserted"], s["rejected"]), (14, 0), "b: first file")
        s, _, _ = b.events([e for e in all_rows if e["peristiwa"] in money])
        eq((s["inserted"], s["duplicates"], s["rejected"]), (6, 0, 0), "b: late file")
        s, _, _ = b.events(all_rows)
        eq((s["inserted"], s["duplicates"], s["rejected"]), (0, 20, 0), "b: the file again")
        # c: the later half first (rejected: not selected yet, but kept,
        # skipped), then the earlier half (the later half now applies),
        # then the whole file again
        later = [e for e in all_rows if e["waktu"] >= t(5)]
        s, _, _ = c.events(later)
        eq((s["inserted"], s["rejected"]), (0, 12), "c: later half alone")
        eq(s["reasons"], {"belum_penerima": 12}, "c: reasons")
        eq([(row[1], row[-1]) for row in c.state()], [("terdaftar", 0)] * 2,
           "c: nothing applies yet (the events stored, skipped)")
        s, _, _ = c.events(later)
        eq((s["inserted"], s["duplicates"], s["rejected"]), (0, 0, 12),
           "c: the later half again: rejected again, for the same reason")
        eq(s["reasons"], {"belum_penerima": 12}, "c: reasons again")
        s, _, _ = c.events([e for e in all_rows if e["waktu"] < t(5)])
        eq(s["inserted"], 8, "c: earlier half")
        eq(c.state(), a.state(), "c: the journey, without the file sent again")
        s, _, _ = c.events(all_rows)
        eq((s["inserted"], s["duplicates"], s["rejected"]), (0, 20, 0), "c: the file again")
        for x, name in ((b, "b"), (c, "c")):
            eq(x.state(), a.state(), "%s: state" % name)
            eq(x.stored(), a.stored(), "%s: events" % name)


@test
def an_older_purchase_comes_before_the_stored_ones_of_its_source():
    """The programme office's file with an older purchase, after one with
    a newer: read in time order, as if both had come on time -- the newer
    purchase no longer fits the balance and the fold skips it (stored, and
    inert), whatever the order the files came in."""
    with J("a") as a, J("b") as b:
        na, nb = a.people(1)[0], b.people(1)[0]
        eq(na, nb, "the same NIK")
        first = [ev("l", na, "lolos", t(1), gelombang=3),
                 ev("s", na, "saldo_masuk", t(2), jumlah=1000),
                 ev("b2", na, "pembelian", t(10), jumlah=800, pelatihan="K", platform="x")]
        late = [ev("b1", na, "pembelian", t(5), jumlah=300, pelatihan="K", platform="x"),
                ev("b0", na, "pembelian", t(4), jumlah=200, pelatihan="K", platform="x")]
        s, err, rej = a.events(first + late, rejects=True)
        eq((s["inserted"], s["rejected"]), (4, 1), "on time: b2 rejected")
        eq([row[:2] for row in rej[1:]], [["4", "saldo_tidak_cukup"]], "on time: rejects")
        assert "1 of the rejected rows (the programme office's) is kept" in err, err
        s, _, _ = b.events(first)
        eq(s["inserted"], 3, "first file")
        s, err, rej = b.events(late, rejects=True)
        eq((s["inserted"], s["rejected"]), (2, 0), "the late file")
        assert "1 event stored before no longer applies" in err, err
        eq(b.state(), a.state(), "the same journey")
        eq(b.sql("SELECT balance, spent, purchases FROM pk_journey")[0], (500, 500, 2))
        code, out, err = b.cli(["ledger", "verify"])
        eq(code, 0, "the ledger folds it the same (%s %s)" % (out, err))
        code, out, err = b.cli(["journey", "rebuild"])
        eq(code, 0, err)
        eq(b.state(), a.state(), "a rebuild: the same")


@test
def a_row_no_older_event_can_mend_is_not_kept_and_lands_corrected():
    """A cancellation of another amount than its purchase's can never
    apply: rejected and not kept, so the office's corrected row under the
    same ref lands.  A row that lacks an older event (a purchase without
    its credit) is kept: sent again unchanged it is rejected again, for
    the same rule; once the credit comes it applies.  And the count of
    stored events a file made inert is the journey's at the end (b2 is
    skipped only while b1 is not cancelled)."""
    with J() as r:
        a, b = r.people(2)
        buy = dict(pelatihan="K", platform="x")
        s, err, _ = r.events([ev("l", a, "lolos", t(1), gelombang=12),
                              ev("s", a, "saldo_masuk", t(2), jumlah=1000),
                              ev("b", a, "pembelian", t(3), jumlah=700, **buy),
                              ev("c", a, "pembatalan", t(4), jumlah=70, ref_asal="b")])
        eq((s["inserted"], s["rejected"]), (3, 1), "the wrong amount rejected")
        eq(s["reasons"], {"jumlah_tidak_sesuai": 1})
        assert "kept" not in err, err
        s, _, _ = r.events([ev("c", a, "pembatalan", t(4), jumlah=700, ref_asal="b")])
        eq((s["inserted"], s["rejected"]), (1, 0), "corrected under its ref: it lands")
        eq(r.sql("SELECT refunded, balance FROM pk_journey WHERE participant_id = 1")[0],
           (700, 1000))
        # b: a purchase before its credit is kept; again: the same answer
        row = ev("p", b, "pembelian", t(5), jumlah=700, **buy)
        r.events([ev("l2", b, "lolos", t(1), gelombang=12)])
        for _ in range(2):
            s, err, _ = r.events([row])
            eq((s["inserted"], s["duplicates"], s["rejected"]), (0, 0, 1), "kept, skipped")
            eq(s["reasons"], {"saldo_tidak_cukup": 1})
        s, _, _ = r.events([ev("s2", b, "saldo_masuk", t(2), jumlah=1000)])
        eq(r.sql("SELECT spent, balance FROM pk_journey WHERE participant_id = 2")[0],
           (700, 300), "the credit came: the kept purchase applies")
    with J() as r:
        a = r.people(1)[0]
        r.events([ev("l", a, "lolos", t(1), gelombang=12),
                  ev("s", a, "saldo_masuk", t(2), jumlah=1000),
                  ev("b2", a, "pembelian", t(5), jumlah=700, pelatihan="K", platform="x")])
        s, err, _ = r.events([ev("b1", a, "pembelian", t(3), jumlah=700, pelatihan="K",
                                 platform="x"),
                              ev("c1", a, "pembatalan", t(4), jumlah=700, ref_asal="b1")])
        eq(s["inserted"], 2)
        assert "no longer appl" not in err, "b2 applies in the end: %r" % err
        eq(r.sql("SELECT purchases, balance FROM pk_journey")[0], (1, 300))


@test
def a_ref_sent_again_with_other_content_is_said_on_stderr():
    """A ref is imported once: a row under a stored ref that says
    something else (another amount, another person) is ignored, as the
    spec says, but stderr says so; the same rows again say nothing."""
    with J() as r:
        a, b = r.people(2)
        rows = [ev("l", a, "lolos", t(1), gelombang=12),
                ev("s", a, "saldo_masuk", t(2), jumlah=1000)]
        r.events(rows)
        s, err, _ = r.events(rows)
        eq(s["duplicates"], 2)
        assert "say something else" not in err, err
        s, err, _ = r.events([ev("s", a, "saldo_masuk", t(2), jumlah=2000),
                              ev("l", b, "lolos", t(1), gelombang=12)])
        eq((s["inserted"], s["duplicates"]), (0, 2), "ignored")
        assert "2 of the rows already stored say something else" in err, err
        eq(r.sql("SELECT credited FROM pk_journey WHERE participant_id = 1")[0][0], 1000)
        # an export imported again: the same content
        out = r.export_events()
        path = r.write(out)
        code, o, err = r.cli(["import", "events", path])
        eq(code, 0, err)
        assert "say something else" not in err, err


@test
def a_late_file_never_undoes_an_event_of_the_other_source():
    """This deployment's own purchase (lokal), then the programme office's
    older one that would leave it without balance: the office's is
    rejected; the acknowledged purchase stands."""
    with J() as r:
        nik = r.people(1)[0]
        s, _, _ = r.events([ev("l", nik, "lolos", t(1), gelombang=12),
                            ev("s", nik, "saldo_masuk", t(2), jumlah=1000)])
        eq(s["inserted"], 2)
        s, _, _ = r.events([ev("b2", nik, "pembelian", t(10), jumlah=800, pelatihan="K",
                               platform="x")], "--source", "lokal")
        eq(s["inserted"], 1, "the local purchase")
        s, _, rej = r.events([
            ev("b1", nik, "pembelian", t(5), jumlah=300, pelatihan="K", platform="x"),
            ev("b0", nik, "pembelian", t(4), jumlah=200, pelatihan="K", platform="x"),
        ], rejects=True)
        eq((s["inserted"], s["rejected"]), (1, 1), "late file")
        eq(s["reasons"], {"saldo_tidak_cukup": 1}, "reason")
        eq([row[:3] for row in rej[1:]], [["2", "saldo_tidak_cukup", "jumlah"]], "rejects")
        eq(r.sql("SELECT balance, spent FROM pk_journey")[0], (0, 1000), "balance")


def random_history(rng, nik, person):
    """One person's programme-office events: mostly valid, some not, at
    distinct instants (same-instant order is file order, which a split
    into files does not keep)."""
    hours = rng.sample(range(0, 24 * 60), 16)
    hours.sort()
    at = ["2021-03-%02dT%02d:%02d:00+07:00" % (1 + h // 24 // 3, h // 60 % 24, h % 60)
          for h in hours]
    rows, buys, k = [], [], 0
    for i, w in enumerate(at):
        ref = "p%d-%d" % (person, i)
        kind = rng.choice(["lolos", "saldo", "beli", "beli", "beli", "batal", "selesai",
                           "ulasan", "hangus", "cabut", "lolos2"] if i > 1 else
                          ["lolos", "saldo"])
        if kind == "lolos" or kind == "lolos2":
            rows.append(ev(ref, nik, "lolos", w, gelombang=rng.randint(1, 3)))
        elif kind == "saldo":
            rows.append(ev(ref, nik, "saldo_masuk", w, jumlah=rng.choice([500, 1000])))
        elif kind == "beli":
            rows.append(ev(ref, nik, "pembelian", w, jumlah=rng.choice([100, 300, 700]),
                           pelatihan="K%d" % i, platform="x"))
            buys.append(rows[-1])
        elif kind == "batal" and buys:
            b = rng.choice(buys)
            rows.append(ev(ref, nik, "pembatalan", w, jumlah=b["jumlah"], ref_asal=b["ref"]))
        elif kind == "selesai" and buys:
            rows.append(ev(ref, nik, "selesai_pelatihan", w, pelatihan=rng.choice(buys)[
                "pelatihan"]))
        elif kind == "ulasan" and buys:
            rows.append(ev(ref, nik, "ulasan", w, pelatihan=rng.choice(buys)["pelatihan"]))
        elif kind == "hangus":
            rows.append(ev(ref, nik, "saldo_hangus", w, jumlah=rng.choice([100, 400])))
        elif kind == "cabut" and rng.random() < 0.3:
            rows.append(ev(ref, nik, "dicabut", w, keterangan="kecurangan"))
    return rows


@test
def files_in_any_order_give_the_result_of_one_file():
    """Random histories of 12 people, split into three files that arrive
    in a random order: the journeys are those of one file on time --
    however much of a history came before its beginning; the whole file
    sent again to both changes nothing and gets the same answer."""
    rng = random.Random(int(os.environ.get("PK_SEED", "14")))
    with J("a") as a, J("b") as b:
        n = 12
        na, nb = a.people(n), b.people(n)
        eq(na, nb, "the same NIKs")
        rows = []
        for i, nik in enumerate(na):
            rows += random_history(rng, nik, i)
        rng.shuffle(rows)
        a.events(rows)
        parts = [[], [], []]
        for row in rows:
            parts[rng.randrange(3)].append(row)
        for part in parts:
            b.events(part)
        full = "SELECT %s FROM pk_journey ORDER BY participant_id" % ", ".join(JOURNEY_ALL)
        eq(len(a.sql(full)) >= n // 2, True, "most have a journey")
        eq(b.sql(full), a.sql(full), "the journeys, the files in another order")
        sa, _, _ = a.events(rows)
        sb, _, _ = b.events(rows)
        eq(sb, sa, "the whole file again: the same answer to both")
        eq(sb["inserted"], 0, "nothing new")
        eq(b.sql(full), a.sql(full), "the journeys, after the whole file again")
        code, out, err = b.cli(["ledger", "verify"])
        eq(code, 0, "%s %s" % (out, err))


@test
def every_rejection_code_with_its_line_and_column():
    with J() as r:
        a, b, c = r.people(3)
        stranger = a[:-4] + "0999"
        rows = [
            ev("ok1", a, "lolos", t(1), gelombang=1),                       # 2
            ev("ok2", a, "saldo_masuk", t(2), jumlah=1000),                  # 3
            ev("x1", a, "pembelian", t(3), jumlah=5000, pelatihan="K",       # 4
               platform="p"),
            ev("x2", a, "lolos", t(4), gelombang=2),                         # 5
            ev("x3", a, "gabung_gelombang", t(4), gelombang=3),              # 6
            ev("x4", b, "saldo_masuk", t(4), jumlah=10),                     # 7
            ev("x5", a, "pembatalan", t(5), jumlah=10, ref_asal="nope"),     # 8
            ev("ok3", a, "pembelian", t(6), jumlah=400, pelatihan="K",       # 9
               platform="p"),
            ev("x6", a, "pembatalan", t(7), jumlah=300, ref_asal="ok3"),     # 10
            ev("ok4", a, "pembatalan", t(8), jumlah=400, ref_asal="ok3"),    # 11
            ev("x7", a, "pembatalan", t(9), jumlah=400, ref_asal="ok3"),     # 12
            ev("ok5", a, "dicabut", t(10), keterangan="kecurangan"),         # 13
            ev("x8", a, "ulasan", t(11), pelatihan="K"),                     # 14
            ev("ok6", a, "saldo_hangus", t(12), jumlah=1000),                # 15
            ev("x9", stranger, "lolos", t(1), gelombang=1),                  # 16
            ev("x10", c, "lolos", "2021-03-01 10:00", gelombang=1),          # 17
            ev("x11", c, "lolos", t(1)),                                     # 18
            ev("x12", c, "saldo_masuk", t(1), jumlah="1.000"),               # 19
            ev("x13", c, "terbang", t(1)),                                   # 20
            ev("x14", "123", "lolos", t(1), gelombang=1),                    # 21
            ev("", c, "lolos", t(1), gelombang=1),                           # 22
            ev("x16", c, "rekening_tertaut", t(1), keterangan="bca"),        # 23
            ev("x17", c, "pembelian", t(1), jumlah=5, platform="p"),         # 24
        ]
        s, _, rej = r.events(rows, rejects=True)
        want = {4: ("saldo_tidak_cukup", "jumlah"), 5: ("sudah_penerima", ""),
                6: ("sudah_penerima", ""), 7: ("belum_penerima", ""),
                8: ("pembelian_tidak_dikenal", "ref_asal"), 10: ("jumlah_tidak_sesuai", "jumlah"),
                12: ("sudah_dibatalkan", "ref_asal"), 14: ("sudah_dicabut", ""),
                16: ("peserta_tidak_dikenal", "nik"), 17: ("kolom_tidak_valid", "waktu"),
                18: ("kolom_tidak_valid", "gelombang"), 19: ("kolom_tidak_valid", "jumlah"),
                20: ("kolom_tidak_valid", "peristiwa"), 21: ("kolom_tidak_valid", "nik"),
                22: ("kolom_tidak_valid", "ref"), 23: ("kolom_tidak_valid", "keterangan"),
                24: ("kolom_tidak_valid", "pelatihan")}
        eq(rej[0], ["baris", "alasan", "kolom"] + EVENT_COLUMNS, "rejects header")
        got = {int(row[0]): (row[1], row[2]) for row in rej[1:]}
        eq(got, want, "rejected lines, codes and columns")
        eq((s["read"], s["inserted"], s["rejected"]), (23, 6, len(want)), "summary")
        counts = {}
        for code, _ in want.values():
            counts[code] = counts.get(code, 0) + 1
        eq(s["reasons"], counts, "reasons")
        eq(r.sql("SELECT status, balance, lapsed, events FROM pk_journey ORDER BY"
                 " participant_id"), [("dicabut", 0, 1000, 6), ("terdaftar", 0, 0, 0)],
           "the revoked person; b's saldo_masuk kept, skipped (no lolos yet)")
        # kept: the rows that broke a rule an older event could make them
        # meet (lines 4, 7, 8), not the others nor the malformed or unknown
        eq(r.sql("SELECT count(*) FROM pk_event")[0][0], 6 + 3, "stored: 6 applied, 3 kept")
        eq(sorted(x[0] for x in r.sql("SELECT ref FROM pk_event WHERE ref LIKE 'x%'")),
           ["x1", "x4", "x5"], "kept")


@test
def lokal_files_may_not_select_or_revoke_and_malformed_rows_are_baris_rusak():
    with J() as r:
        nik = r.people(1)[0]
        # a local join is to a wave of this deployment, open at its instant
        code, _, err = r.cli(["wave", "create", "--wave", "1", "--scheme", "2021", "--opens",
                              "2021-02-01T00:00:00+07:00", "--closes",
                              "2021-04-01T00:00:00+07:00", "--quota", "1"])
        eq(code, 0, "wave create (%r)" % err)
        text = csv_text([ev("a", nik, "gabung_gelombang", t(1), gelombang=1),
                         ev("b", nik, "lolos", t(2), gelombang=1),
                         ev("c", nik, "tidak_lolos", t(2), gelombang=1),
                         ev("d", nik, "dicabut", t(3))], EVENT_COLUMNS)
        text += 'e,%s,"lolos,%s\n' % (nik, t(1))
        path = r.write(text)
        rej = r.path("rej.csv")
        code, out, err = r.cli(["import", "events", path, "--source", "lokal", "--rejects", rej])
        eq(code, 0, "exit status (%r)" % err)
        s = json.loads(out.strip().splitlines()[-1])
        eq((s["read"], s["inserted"], s["rejected"]), (5, 1, 4), "summary")
        eq(s["reasons"], {"kolom_tidak_valid": 3, "baris_rusak": 1}, "reasons")
        eq(r.sql("SELECT source, type FROM pk_event"), [("lokal", "gabung_gelombang")], "stored")
        code, _, err = r.cli(["import", "events", path, "--source", "mars"])
        eq(code, 2, "an unknown source")
        assert "--source" in err, err


@test
def header_any_order_unknown_columns_reported_missing_refused():
    with J() as r:
        nik = r.people(1)[0]
        cols = ["waktu", "catatan", "peristiwa", "nik", "gelombang", "ref"]
        s, err, _ = r.events([dict(ev("a", nik, "lolos", t(1), gelombang=2), catatan="x")],
                             columns=cols)
        eq(s["inserted"], 1, "inserted")
        assert "unknown columns ignored: catatan" in err, err
        _, err, _ = r.events([ev("b", nik, "ulasan", t(2))], expect=1,
                             columns=["ref", "nik", "peristiwa"])
        assert "kolom_wajib_hilang" in err and "waktu" in err, err
        eq(r.sql("SELECT count(*) FROM pk_event")[0][0], 1, "nothing more stored")


@test
def a_file_without_its_header_says_no_personal_data_back():
    """A file whose first line is a row, or whose lines end in a lone CR
    (so the header runs into the rows): refused, and stderr names no NIK,
    no name -- for event files, participants files and lists alike."""
    with J() as r:
        a, b = r.people(2)
        ps = [person(5), person(6)]
        rows = [ev("a", a, "lolos", t(1), gelombang=2), ev("b", b, "lolos", t(1), gelombang=2)]
        body = csv_text(rows).split("\n", 1)[1]            # the rows, no header
        cr = csv_text(rows).replace("\n", "\r")            # CR-only line ends
        pbody = csv_text(ps).split("\n", 1)[1]
        pcr = csv_text(ps).replace("\n", "\r")
        secrets = [a, b, ps[0]["nik"], ps[1]["nik"], ps[0]["nama"], ps[0]["no_hp"]]
        for kind, text, why in (("events", body, "not a header"),
                                ("events", cr, "CR alone"),
                                ("participants", pbody, "not a header"),
                                ("participants", pcr, "CR alone"),
                                ("exclusions", a + "\n" + b + "\n", "not a header")):
            path = r.write(text)
            args = ["import", kind] + (["--list", "daftar_hitam"] if kind == "exclusions" else [])
            code, out, err = r.cli(args + [path])
            eq(code, 1, "%s refused (stderr %r)" % (kind, err))
            assert "kolom_wajib_hilang" in err and why in err, err
            for x in secrets:
                assert x not in err and x not in out, "%s: %r said back in %r" % (kind, x, err)
        eq(r.sql("SELECT count(*) FROM pk_event")[0][0], 0, "nothing stored")
        # a header with a cell shaped like data: counted, not shown
        s, err, _ = r.events([dict(ev("c", a, "lolos", t(1), gelombang=2), **{b: "1"})],
                             columns=EVENT_COLUMNS + [b, "Catatan Lain"])
        eq(s["inserted"], 1)
        assert "unknown columns ignored: Catatan Lain and 1 cell not shown" in err, err
        assert b not in err, err


@test
def a_note_may_run_over_lines():
    """keterangan is free text (journey-events-csv.md), which RFC 4180 lets
    a file quote over several lines: a tab and line breaks are kept as
    sent and exported quoted, and the export imports unchanged; other
    control characters are still refused.  (An outside check of the spec
    found such a row refused: a fact of the programme office's lost.)"""
    with J() as r:
        nik = r.people(1)[0]
        note = "baris satu\r\nbaris dua\tkolom"
        s, _, _ = r.events([
            ev("n1", nik, "gabung_gelombang", t(1), gelombang=12, keterangan=note),
            ev("n2", nik, "lolos", t(2), gelombang=12, keterangan="a\x01b")])
        eq((s["inserted"], s["rejected"]), (1, 1), "the note over lines kept, \\x01 refused")
        eq(r.sql("SELECT note FROM pk_event WHERE ref = 'n1'")[0][0], note, "stored as sent")
        out = r.export_events()
        assert '"baris satu\r\nbaris dua\tkolom"' in out, out
        code, o, err = r.cli(["import", "events", r.write(out)])
        eq(code, 0, "reimport (%r)" % err)
        s = json.loads(o.strip().splitlines()[-1])
        eq((s["inserted"], s["duplicates"], s["rejected"]), (0, 1, 0), "the export reimported")


@test
def export_reimports_unchanged_and_rebuild_changes_nothing():
    with J() as r:
        niks = r.people(4)
        rows = []
        for i, nik in enumerate(niks):
            rows += journey_of(nik, i)[: 4 + 2 * i]
        rows[3]["keterangan"] = '=HYPERLINK("x"), "kutip"'
        r.events(rows)
        before_state, before_events = r.state(), r.stored()
        out = r.export_events()
        lines = out.splitlines()
        eq(lines[0].split(","), EVENT_COLUMNS, "export header")
        eq(len(lines) - 1, len(rows), "exported events")
        path = r.write(out)
        code, o, err = r.cli(["import", "events", path])
        eq(code, 0, "reimport (%r)" % err)
        s = json.loads(o.strip().splitlines()[-1])
        eq((s["inserted"], s["duplicates"], s["rejected"]), (0, len(rows), 0), "reimport")
        eq(r.state(), before_state, "state after reimport")
        eq(r.stored(), before_events, "events after reimport")
        # the same export into a fresh registry (same key) gives the same journeys
        code, o, err = r.cli(["journey", "rebuild"])
        eq(code, 0, "rebuild (%r)" % err)
        eq(json.loads(o.strip().splitlines()[-1]), {"people": 4, "changed": 0}, "rebuild")
        eq(r.state(), before_state, "state after rebuild")
        # a state made wrong behind the store's back is put right
        r.db.execute("UPDATE pk_journey SET balance = 1, events = 99")
        code, o, _ = r.cli(["journey", "rebuild"])
        eq(json.loads(o.strip().splitlines()[-1]), {"people": 4, "changed": 4}, "repair")
        eq(r.state(), before_state, "state after repair")
        # --since and --region filter; a bad --since is refused
        later = r.export_events("--since", t(3)).splitlines()
        eq(len(later) - 1, sum(1 for e in rows if e["waktu"] >= t(3)), "--since")
        eq(len(r.export_events("--region", "31.71").splitlines()), 1, "other region: header only")
        r.export_events("--since", "2021-03-01", expect=2)
        eq(r.export_events("--source", "lokal").splitlines(), [",".join(EVENT_COLUMNS)],
           "no lokal events")


@test
def the_review_the_incentive_waits_for_is_of_the_first_finished_training():
    """journey-events-csv.md, Deadlines: "no incentive is scheduled until a
    ulasan of the first finished training exists". first_review_at is that
    review's instant: a review of another training is not it, one dated
    before the certificate is. Migration 31 sets it again for journeys
    stored before (when it was the first review of any training)."""
    with J() as r:
        niks = r.people(3)
        rows = []
        for i, nik in enumerate(niks):
            rows += [ev("l%d" % i, nik, "lolos", t(2), gelombang=12),
                     ev("f%d" % i, nik, "selesai_pelatihan", t(8), pelatihan="A",
                        platform="tokopedia"),
                     ev("g%d" % i, nik, "selesai_pelatihan", t(9), pelatihan="B",
                        platform="tokopedia")]
        rows += [ev("u0", niks[0], "ulasan", t(10), pelatihan="B"),   # another training's
                 ev("v1", niks[1], "ulasan", t(10), pelatihan="B"),
                 ev("w1", niks[1], "ulasan", t(11), pelatihan="A"),   # the first's, later
                 ev("u2", niks[2], "ulasan", t(7), pelatihan="A")]    # before its certificate
        s, _, _ = r.events(rows)
        eq(s["inserted"], len(rows), "events")

        def reviews():
            return [tuple(x) for x in r.sql("SELECT reviews, first_review_at FROM pk_journey"
                                             " ORDER BY participant_id")]
        import datetime
        at = lambda s: int(datetime.datetime.fromisoformat(s).timestamp())
        want = [(1, 0), (2, at(t(11))), (1, at(t(7)))]
        eq(reviews(), want, "the first finished training's review")
        # as an older release stored it: the first review of any training
        r.db.execute("UPDATE pk_journey SET first_review_at = %d" % at(t(10)))
        r.db.execute("DELETE FROM pk_migration WHERE version >= 31")
        code, _, err = r.cli(["migrate"])
        eq(code, 0, "migrate (%r)" % err)
        eq(reviews(), want, "migration 31 sets it again")
        code, o, _ = r.cli(["journey", "rebuild"])
        eq(json.loads(o.strip().splitlines()[-1])["changed"], 0, "a rebuild agrees")


@test
def export_and_rejects_guard_every_text_a_spreadsheet_would_run():
    """A ref, course, platform or ref_asal may begin with '=', '+', '-' or
    '@' (any printable text): the export wrote them bare, so a spreadsheet
    opening it (NIKs beside them) ran them as formulas; now each such cell
    has the apostrophe guard that the import takes off again, and every
    cell of a rejects file has it too."""
    import csv as csvmod
    import io
    with J() as r:
        nik, = r.people(1)
        formula = '=HYPERLINK("https://contoh.id/?"&B2,"klik")'
        rows = [ev("=1+2", nik, "lolos", t(1), gelombang=12),
                ev("@ref", nik, "saldo_masuk", t(2), jumlah=3500000),
                ev("+beli", nik, "pembelian", t(3), jumlah=1000000, pelatihan=formula,
                   platform="@SUM(1)"),
                ev("-batal", nik, "pembatalan", t(4), jumlah=1000000, ref_asal="+beli")]
        r.events(rows)
        stored = r.stored()
        eq(sorted(x[2] for x in stored), sorted(["=1+2", "@ref", "+beli", "-batal"]),
           "the refs stored as given")
        out = r.export_events()
        cells = [c for row in list(csvmod.reader(io.StringIO(out)))[1:] for c in row]
        bare = [c for c in cells if c[:1] in ("=", "+", "-", "@")]
        eq(bare, [], "no cell of the export a spreadsheet would run")
        assert "'" + formula in cells and "'@SUM(1)" in cells and "'+beli" in cells, cells
        # the export imports back unchanged: the guard is taken off
        code, o, err = r.cli(["import", "events", r.write(out)])
        eq(code, 0, "reimport (%r)" % err)
        s = json.loads(o.strip().splitlines()[-1])
        eq((s["inserted"], s["duplicates"], s["rejected"]), (0, 4, 0), "reimport: all known")
        eq(r.stored(), stored, "events after reimport")
        # a rejected row is written back with every cell guarded
        bad = [ev("=ok", "=1+1", "lolos", t(5), gelombang="-1", pelatihan=formula)]
        s, _, rej = r.events(bad, rejects=True)
        eq(s["rejected"], 1, "rejected")
        cells = [c for row in rej[1:] for c in row] if rej and rej[0][0] == "baris" else \
            [c for row in rej for c in row]
        bare = [c for c in cells if c[:1] in ("=", "+", "-", "@")]
        eq(bare, [], "no cell of the rejects a spreadsheet would run: %r" % rej)


@test
def an_existing_rejects_file_is_made_owner_only():
    """--rejects over a file others could read: truncated and 0600, as a
    new one is (its rows carry NIKs)."""
    with J() as r:
        a = r.people(1)[0]
        rej = r.path("shared-rejects.csv")
        with open(rej, "w") as f:
            f.write("old line\n" * 50)
        os.chmod(rej, 0o644)
        path = r.write(csv_text([ev("x", a, "pembelian", t(1), jumlah=5, pelatihan="K",
                                    platform="p")], EVENT_COLUMNS))
        code, out, err = r.cli(["import", "events", path, "--rejects", rej])
        eq(code, 0, err)
        eq(oct(os.stat(rej).st_mode & 0o777), "0o600", "mode of the existing file")
        with open(rej, encoding="utf-8") as f:
            text = f.read()
        assert a in text and "old line" not in text, text
        # the same for the catalogue's import
        os.chmod(rej, 0o644)
        cat = r.write("platform,course_id,title,provider,price,mode\n")
        code, out, err = r.cli(["import", "courses", cat, "--rejects", rej])
        eq(oct(os.stat(rej).st_mode & 0o777), "0o600", "courses: %s" % err)
        # a device is written to as it is
        code, out, err = r.cli(["import", "events", path, "--rejects", "/dev/null"])
        eq(code, 0, err)
        # a file refused for its header leaves the last run's rejects as
        # they were (the file is emptied by the first line written)
        with open(rej, "w") as f:
            f.write("the last run's rejects\n")
        for what, text in (("events", "ref,nik,waktu\nx,%s,%s\n" % (a, t(1))),
                           ("participants", "nik,nama\n%s,Budi\n" % a),
                           ("courses", "platform,course_id\n")):
            code, out, err = r.cli(["import", what, r.write(text), "--rejects", rej])
            eq(code, 1, "%s: a header without its columns, refused (%r)" % (what, err))
            with open(rej, encoding="utf-8") as f:
                eq(f.read(), "the last run's rejects\n", "%s: the rejects file as it was" % what)


@test
def a_credit_past_64_bits_is_rejected_naming_jumlah():
    with J() as r:
        a = r.people(1)[0]
        s, _, rej = r.events([ev("l1", a, "lolos", t(1), gelombang=1),
                              ev("s1", a, "saldo_masuk", t(2), jumlah=5 * 10 ** 18),
                              ev("s2", a, "saldo_masuk", t(3), jumlah=5 * 10 ** 18)],
                             rejects=True)
        eq(s["reasons"], {"kolom_tidak_valid": 1})
        eq([row[:3] for row in rej[1:]], [["4", "kolom_tidak_valid", "jumlah"]], "rejects")


@test
def totals_past_int64_are_not_balanced():
    """Two credits each a valid integer, whose sum is not: `ledger verify`
    says so (and does not wrap around to a total that adds up)."""
    with J() as r:
        a, b = r.people(2)
        big = 5 * 10 ** 18
        r.events([ev("l1", a, "lolos", t(1), gelombang=1),
                  ev("s1", a, "saldo_masuk", t(2), jumlah=big),
                  ev("l2", b, "lolos", t(1), gelombang=1),
                  ev("s2", b, "saldo_masuk", t(2), jumlah=big)])
        code, out, err = r.cli(["ledger", "verify"])
        eq(code, 1, "not ok (stderr %r)" % err)
        got = json.loads(out.strip().splitlines()[-1])
        eq((got["ok"], got["mismatched"], got["balanced"]), (False, 0, False), out)
        eq((got["stored"].get("overflow"), got["from_events"].get("overflow")), (True, True), out)
        assert "pass the largest number" in err, err
        # one of them alone adds up
        with J() as r1:
            a = r1.people(1)[0]
            r1.events([ev("l1", a, "lolos", t(1), gelombang=1),
                       ev("s1", a, "saldo_masuk", t(2), jumlah=big)])
            code, out, err = r1.cli(["ledger", "verify"])
            eq(code, 0, err)
            assert "overflow" not in out, out


@test
def events_are_append_only_in_the_database():
    with J() as r:
        nik = r.people(1)[0]
        r.events([ev("a", nik, "lolos", t(1), gelombang=2)])
        for q in ("UPDATE pk_event SET wave = 3", "DELETE FROM pk_event"):
            try:
                r.db.execute(q)
            except Exception:
                continue
            raise AssertionError("the database accepted %r" % q)
        eq(r.sql("SELECT wave FROM pk_event"), [(2,)], "unchanged")


if __name__ == "__main__":
    h.run()
