"""Black-box tests of waves and the reproducible draw (TAP): `prakerja wave
create|open|close|join|list|show|draw|verify`, `prakerja export selection`
and tools/verify_draw.py, on the backend under test.  The contract is
shared/spec/selection.md (issue 14).

The expected result of each draw is computed here, independently of the
binary: SHA-256 ranks with hashlib, the (tier, rank) order and the walk
with the overall, regency and family-card quotas.
usage: python3 tests/http/test_waves.py PATH-TO-PRAKERJA [TEST-NAME...]
"""
import csv
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import harness as h
from harness import eq, run_cli, test

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
VERIFY = os.path.join(ROOT, "tools", "verify_draw.py")
COLUMNS = ["nik", "no_kk", "nama", "tanggal_lahir", "jenis_kelamin", "no_hp", "email",
           "kode_wilayah", "alamat", "pendidikan", "segmen", "pekerjaan"]
SEED_A = hashlib.sha256(b"seed a").hexdigest()
SEED_B = hashlib.sha256(b"seed b").hexdigest()
PAST = "2021-01-01T00:00:00+07:00"
FUTURE = "2099-12-31T23:59:59+07:00"


def person(serial, region="31.74.01.1001", kk=None, birth="1995-08-17"):
    y, m, d = (int(x) for x in birth.split("-"))
    nik = "%s%02d%02d%02d%04d" % (region[:2] + region[3:5] + region[6:8], d, m, y % 100, serial)
    return {
        "nik": nik, "no_kk": kk or "3174013001%06d" % serial, "nama": "Peserta %d" % serial,
        "tanggal_lahir": birth, "jenis_kelamin": "L", "no_hp": "0812%08d" % (33000000 + serial),
        "email": "p%d@contoh.co.id" % serial, "kode_wilayah": region,
        "alamat": "Jalan Contoh %d" % serial, "pendidikan": "sma", "segmen": "pencari_kerja",
        "pekerjaan": "karyawan_swasta"}


class W(h.DbDir):
    """A temporary directory with a migrated database of the backend under test."""

    def __init__(self):
        super().__init__("prakerja-wave-", "w")
        self.n = 0

    def path(self, name):
        return os.path.join(self.tmp, name)

    def write(self, text):
        self.n += 1
        p = self.path("f%d.csv" % self.n)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
        return p

    def cli(self, *args, expect=0):
        code, out, err = run_cli(self.db.args_for(list(args)), cwd=self.tmp, timeout=300)
        if expect is not None:
            eq(code, expect, "exit status of %r (stderr %r, stdout %r)" % (args, err, out[-300:]))
        return code, out, err

    def js(self, *args, expect=0):
        code, out, err = self.cli(*args, expect=expect)
        return json.loads(out.strip().splitlines()[-1]) if out.strip() else None, err

    def people(self, ps):
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(COLUMNS)
        for p in ps:
            w.writerow([p[c] for c in COLUMNS])
        self.cli("import", "participants", self.write(buf.getvalue()))

    def wave(self, n, quota, *extra, scheme="2021", closes=FUTURE):
        return self.js("wave", "create", "--wave", str(n), "--scheme", scheme, "--opens", PAST,
                       "--closes", closes, "--quota", str(quota), *extra)[0]

    def join(self, n, ps):
        out, _ = self.js("wave", "join", "--wave", str(n), *[p["nik"] for p in ps])
        eq(out, {"wave": n, "joined": len(ps), "refused": 0}, "join summary")

    def count(self, table):
        return self.db.query("SELECT count(*) FROM %s" % table)[0][0]

    def selection(self, n):
        out = self.path("sel%d.csv" % n)
        if os.path.exists(out):
            os.unlink(out)
        self.cli("export", "selection", "--wave", str(n), "--output", out)
        with open(out, encoding="utf-8") as f:
            rows = list(csv.reader(f))
        eq(rows[0], ["nik", "tier", "rank", "status", "alasan"], "selection header")
        return out, {r[0]: r for r in rows[1:]}


def expected(seed, apps, quota, region_quota=None, kk_max=2, prior=None):
    """The draw of selection.md: apps are dicts (nik, regency, kk, tier,
    reason: '' when eligible).  Returns {nik: (status, reason)}."""
    region_left = dict(region_quota or {})
    fam = dict(prior or {})
    s = bytes.fromhex(seed)
    walk = sorted((a for a in apps if not a["reason"]),
                  key=lambda a: (a["tier"], hashlib.sha256(s + a["nik"].encode()).digest()))
    out = {a["nik"]: ("tidak_lolos", a["reason"]) for a in apps if a["reason"]}
    sel = 0
    for a in walk:
        if sel >= quota:
            out[a["nik"]] = ("tidak_lolos", "kuota_gelombang_penuh")
        elif a["regency"] in region_left and region_left[a["regency"]] <= 0:
            out[a["nik"]] = ("tidak_lolos", "kuota_wilayah_penuh")
        elif kk_max and fam.get(a["kk"], 0) >= kk_max:
            out[a["nik"]] = ("tidak_lolos", "kuota_kk_penuh")
        else:
            out[a["nik"]] = ("lolos", "")
            sel += 1
            if a["regency"] in region_left:
                region_left[a["regency"]] -= 1
            fam[a["kk"]] = fam.get(a["kk"], 0) + 1
    return out


def digests(statuses):
    niks = sorted(statuses)
    snap = hashlib.sha256("".join(n + "\n" for n in niks).encode()).hexdigest()
    res = hashlib.sha256("".join("%s,%s\n" % (n, statuses[n]) for n in niks).encode()).hexdigest()
    return snap, res


# ---- the tests ------------------------------------------------------------------


@test
def wave_create_refuses_bad_input():
    with W() as w:
        ok = ["--wave", "1", "--scheme", "2021", "--opens", PAST, "--closes", FUTURE,
              "--quota", "10"]
        bad = [
            (["--wave", "0"], "--wave"), (["--wave", "x"], "--wave"),
            (["--scheme", "1999"], "scheme"), (["--opens", "2021-01-01"], "--opens"),
            (["--closes", "2020-01-01T00:00:00+07:00"], "--closes"),
            (["--quota", "-1"], "--quota"), (["--quota-region", "31.99=5"], "regency"),
            (["--quota-region", "31.71"], "CODE=N"), (["--quota-region", "31.71.01=5"], "regency"),
            (["--balance-until", "2021-02-30"], "--balance-until"),
        ]
        for change, word in bad:
            args = list(ok)
            for i in range(0, len(change), 2):
                if change[i] in args:
                    args[args.index(change[i]) + 1] = change[i + 1]
                else:
                    args += change[i:i + 2]
            code, out, err = w.cli("wave", "create", *args, expect=None)
            assert code != 0, "accepted %r" % change
            assert word in err, "error for %r does not name %r: %r" % (change, word, err)
            eq(out, "", "nothing on stdout for %r" % change)
        eq(w.count("pk_wave"), 0, "no wave written")
        got = w.wave(1, 10, "--quota-region", "31.74=3", "--quota-region", "31.71=2",
                     "--balance-until", "2021-11-30")
        eq(got["quota_regions"], {"31.71": 2, "31.74": 3}, "regency quotas")
        eq((got["wave"], got["scheme"], got["state"], got["balance_until"]),
           (1, "2021", "dibuka", "2021-11-30"), "the wave")
        code, _, err = w.cli("wave", "create", *ok, expect=None)
        assert code != 0 and "exists" in err, "a second wave 1: %r" % err
        lines = w.cli("wave", "list")[1].strip().splitlines()
        eq([json.loads(x)["wave"] for x in lines], [1], "wave list")
        audit = w.cli("audit", "--kind", "wave")[1]
        assert "wave.create" in audit and '"cli:' in audit, "audit: %r" % audit


@test
def wave_open_close_and_draw_refused_while_open():
    with W() as w:
        w.people([person(1), person(2)])
        w.wave(1, 5)
        code, _, err = w.cli("wave", "draw", "--wave", "1", "--seed", SEED_A, expect=None)
        assert code != 0 and "open" in err, "drawing an open wave: %r" % err
        eq(w.count("pk_draw"), 0, "no draw")
        w.join(1, [person(1)])
        eq(w.js("wave", "close", "--wave", "1")[0]["state"], "ditutup", "closed")
        code, _, err = w.cli("wave", "join", "--wave", "1", person(1)["nik"], expect=1)
        assert "not open" in err and person(1)["nik"] not in err, "join a closed wave: %r" % err
        # a wave that does not exist is said once, before any NIK is looked at
        code, out, err = w.cli("wave", "join", "--wave", "77", person(1)["nik"],
                               "3174011505900009", expect=2)
        eq(err.count("no wave 77"), 1, "the unknown wave, once: %r" % err)
        assert "participant" not in err and "NIK" not in err, err
        eq(out, "", "no summary")
        eq(w.js("wave", "open", "--wave", "1")[0]["state"], "dibuka", "open again")
        # `-`: the NIKs from stdin, one a line (argv is in the process list);
        # a refusal names the line, never the NIK
        code, out, err = h.run_cli(
            w.db.args_for(["wave", "join", "--wave", "1", "-"]), cwd=w.tmp,
            stdin=("\n%s\r\n12345\n%s\n" % (person(2)["nik"], "7" * 100)).encode())
        eq(code, 1, "one refused (stderr %r)" % err)
        eq(json.loads(out.strip().splitlines()[-1]), {"wave": 1, "joined": 1, "refused": 2},
           "joined from stdin")
        assert "line 3:" in err and "line 4:" in err and "12345" not in err, err
        w.cli("wave", "close", "--wave", "1")
        code, _, err = w.cli("wave", "draw", "--wave", "1", "--seed", "abc", expect=None)
        assert code != 0 and "64" in err, "short seed: %r" % err
        w.cli("wave", "draw", "--wave", "9", "--seed", SEED_A, expect=1)
        w.js("wave", "draw", "--wave", "1", "--seed", SEED_A)
        code, _, err = w.cli("wave", "open", "--wave", "1", expect=None)
        assert code != 0 and "drawn" in err, "reopen a drawn wave: %r" % err
        # a wave whose closing instant has passed is closed whatever its state
        w.wave(2, 5, closes="2021-06-30T23:59:59+07:00")
        eq(w.js("wave", "show", "--wave", "2")[0]["state"], "ditutup", "past closing instant")
        code, _, err = w.cli("wave", "open", "--wave", "2", expect=None)
        assert code != 0 and "passed" in err, "reopen after closing: %r" % err
        # before its opening instant a wave is not open yet, and not drawn
        w.js("wave", "create", "--wave", "3", "--scheme", "2021", "--opens",
             "2098-01-01T00:00:00+07:00", "--closes", FUTURE, "--quota", "5")
        eq(w.js("wave", "show", "--wave", "3")[0]["state"], "belum_dibuka", "not open yet")
        code, _, err = w.cli("wave", "draw", "--wave", "3", "--seed", SEED_A, expect=None)
        assert code != 0 and "open" in err, "drawing a wave not open yet: %r" % err


def population():
    """Applicants of wave 2: regencies 31.74 (quota 2) and 31.71, three
    families of several members (family A has a recipient from wave 1),
    one on the prioritas list, one on daftar_hitam (ineligible by the rules)."""
    ps, meta = [], []
    kk_a, kk_b = "3174010101000001", "3171010101000002"
    for i in range(1, 25):
        region = "31.74.01.1001" if i % 2 else "31.71.01.1001"
        kk = kk_a if i in (2, 3, 4) else kk_b if i in (5, 6, 7, 8) else None
        p = person(100 + i, region=region, kk=kk)
        ps.append(p)
        meta.append({"nik": p["nik"], "regency": region[:5], "kk": p["no_kk"],
                     "tier": 0 if i == 11 else 1, "reason": "daftar_hitam" if i == 9 else ""})
    earlier = person(100, kk=kk_a)          # family A's recipient of wave 1
    return earlier, ps, meta


def drawn(w, quota=10):
    earlier, ps, meta = population()
    w.people([earlier] + ps)
    w.cli("import", "exclusions", "--list", "prioritas", w.write("nik\n%s\n" % ps[10]["nik"]))
    w.cli("import", "exclusions", "--list", "daftar_hitam", w.write("nik\n%s\n" % ps[8]["nik"]))
    w.wave(1, 1)
    w.join(1, [earlier])
    w.cli("wave", "close", "--wave", "1")
    s1, _ = w.js("wave", "draw", "--wave", "1", "--seed", SEED_B)
    eq((s1["applicants"], s1["selected"]), (1, 1), "wave 1")
    w.wave(2, quota, "--quota-region", "31.74=2")
    w.join(2, ps)
    w.cli("wave", "close", "--wave", "2")
    summary, _ = w.js("wave", "draw", "--wave", "2", "--seed", SEED_A)
    want = expected(SEED_A, meta, quota, {"31.74": 2}, 2, {earlier["no_kk"]: 1})
    return summary, want, meta


@test
def draw_follows_the_spec():
    with W() as w:
        summary, want, meta = drawn(w)
        reasons = {}
        for st, why in want.values():
            if st != "lolos":
                reasons[why] = reasons.get(why, 0) + 1
        for why in ("kuota_gelombang_penuh", "kuota_wilayah_penuh", "kuota_kk_penuh",
                    "daftar_hitam"):
            assert why in reasons, "the population does not exercise %s: %r" % (why, reasons)
        snap, res = digests({n: s for n, (s, _) in want.items()})
        eq(summary, {"wave": 2, "applicants": 24, "eligible": 23,
                     "selected": sum(1 for s, _ in want.values() if s == "lolos"),
                     "not_selected": sum(1 for s, _ in want.values() if s != "lolos"),
                     "reasons": reasons, "seed": SEED_A, "snapshot_sha256": snap,
                     "result_sha256": res}, "summary")
        _, sel = w.selection(2)
        for m in meta:
            r = sel[m["nik"]]
            eq((r[3], r[4]), want[m["nik"]], "outcome of applicant %s" % m["nik"][-4:])
            eq(r[1], str(m["tier"]), "tier")
            eq(r[2], hashlib.sha256(bytes.fromhex(SEED_A) + m["nik"].encode()).hexdigest(),
               "rank")
        # the priority applicant is selected first
        prio = [m for m in meta if m["tier"] == 0][0]
        eq(want[prio["nik"]][0], "lolos", "tier 0 selected")
        # journeys: lolos + saldo_masuk (2021: Rp1.000.000) and a card; tidak_lolos + reason
        selected = [n for n, (s, _) in want.items() if s == "lolos"]
        eq(w.count("pk_card"), len(selected) + 1, "one card per recipient (with wave 1's)")
        cards = [r[0] for r in w.db.query("SELECT number FROM pk_card")]
        eq(len(set(cards)), len(cards), "card numbers unique")
        for c in cards:
            eq(len(c), 16, "card length")
            digits = [int(x) for x in c]
            total = sum(d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2)
                        for i, d in enumerate(reversed(digits)))
            eq(total % 10, 0, "Luhn check digit of a card")
            eq(c[:6], "990031", "issuer prefix")
        rows = w.db.query("SELECT type, count(*), sum(amount) FROM pk_event WHERE wave = 2 OR "
                          "type = 'saldo_masuk' GROUP BY type ORDER BY type")
        got = {r[0]: (r[1], r[2]) for r in rows}
        eq(got.get("lolos", (0,))[0], len(selected), "lolos events")
        eq(got.get("tidak_lolos", (0,))[0], 24 - len(selected), "tidak_lolos events")
        eq(got.get("saldo_masuk"), (len(selected) + 1, (len(selected) + 1) * 1000000),
           "balance credited")
        notes = w.db.query("SELECT note FROM pk_event WHERE type = 'tidak_lolos'")
        eq(sorted(r[0] for r in notes),
           sorted(why for s, why in want.values() if s != "lolos"), "reasons in keterangan")
        eq(w.js("wave", "show", "--wave", "2")[0]["state"], "diundi", "state")
        # the journeys the draw wrote (folded onto each stored state) are
        # those a fold of all their events gives
        rebuilt, _ = w.js("journey", "rebuild")
        eq(rebuilt["changed"], 0, "journey rebuild changes nothing")
        # the counters: wave 1's draw (1 applicant of 25) kept them by
        # trigger, wave 2's (24 of 25) filled them once at its end on SQLite
        # (pk_tx_journey_counts_defer); either way they are the recount's
        stats_verified(w)
        audit = w.cli("audit", "--kind", "wave.draw")[1]
        eq(audit.count("wave.draw"), 2, "each draw audited")


def stats_verified(w):
    """`stats verify` finds every counter as a recount gives it, and on
    SQLite the counters' triggers on the journeys are all there."""
    out, err = w.js("stats", "verify")
    eq((out["ok"], out["journey_differ"], out["remind_differ"]), (True, 0, 0),
       "stats verify: %r" % err[-600:])
    assert out["journey_cells"] > 0, out
    if not h.PG:
        eq(w.db.query("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name IN"
                      " ('journey_count_insert', 'journey_count_delete', 'journey_count_update',"
                      " 'journey_count_participant', 'remind_effect_journey_insert',"
                      " 'remind_effect_journey_delete', 'remind_effect_journey_update')")[0][0],
           7, "the counters' triggers")


def big_wave(w, n):
    """n people in two regencies, all joined to wave 1 (quota a third),
    which is closed."""
    ps = [person(i % 9000 + 1, region="31.74.01.1001" if i % 3 else "31.71.01.1001",
                 birth="%d-08-17" % (1990 + i // 9000)) for i in range(n)]
    w.people(ps)
    w.wave(1, n // 3, "--quota-region", "31.71=%d" % (n // 10))
    w.cli("import", "events", "--source", "lokal", w.write(
        "ref,nik,peristiwa,waktu,gelombang\n" + "".join(
            "gabung-%d,%s,gabung_gelombang,2021-06-01T10:00:00+07:00,1\n" % (i, p["nik"])
            for i, p in enumerate(ps))))
    w.cli("wave", "close", "--wave", "1")


@test
def killed_draw_leaves_nothing_drawn_and_runs_again():
    """A draw is one transaction, the counters' refill of a large wave
    included (SQLite: their triggers dropped inside it): killed part-way,
    it leaves the wave undrawn, nothing of it stored, the triggers and
    the counters as they were; run again, it gives the clean run's draw."""
    n = 12000
    with W() as a, W() as b:
        big_wave(a, n)
        big_wave(b, n)
        t0 = time.monotonic()
        clean, _ = a.js("wave", "draw", "--wave", "1", "--seed", SEED_A)
        took = time.monotonic() - t0
        tables = ("pk_event", "pk_card", "pk_draw", "pk_draw_applicant", "pk_journey")
        before = [b.count(t) for t in tables]
        schema = "SELECT type, name, sql FROM sqlite_master ORDER BY 1, 2"
        schema_before = b.db.query(schema) if not h.PG else None
        stats_verified(b)
        kills = []
        for frac in (0.2, 0.35, 0.5, 0.65, 0.8, 0.95):
            p = subprocess.Popen([h.binary()] + b.db.args_for(
                ["wave", "draw", "--wave", "1", "--seed", SEED_A]), cwd=b.tmp,
                env=h.base_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
            try:
                p.wait(timeout=took * frac)
            except subprocess.TimeoutExpired:
                p.send_signal(signal.SIGKILL)
            err = p.communicate(timeout=120)[1].decode("utf-8", "replace")
            assert h.sanitizer_report(err) is None, err[-2000:]
            state = b.js("wave", "show", "--wave", "1")[0]["state"]
            kills.append((frac, p.returncode, state))
            if not h.PG:
                eq(b.db.query("PRAGMA integrity_check")[0][0], "ok", "integrity")
            stats_verified(b)
            if state == "diundi":  # it committed before the kill (or ended)
                eq([b.count(t) for t in tables], [a.count(t) for t in tables],
                   "a draw that committed is all there")
                break
            eq(p.returncode, -signal.SIGKILL, "an undrawn wave after a kill only")
            eq([b.count(t) for t in tables], before, "nothing of a killed draw stored")
        h.diag("clean draw %.1fs; kills (fraction, status, state): %r" % (took, kills))
        assert sum(1 for k in kills if k[2] == "ditutup") >= 2, \
            "fewer than two kills landed in the draw: %r" % kills
        again, _ = b.js("wave", "draw", "--wave", "1", "--seed", SEED_A)
        eq(again, clean, "the draw after the kills is the clean run's")
        stats_verified(b)
        if not h.PG:  # the triggers the draw dropped are made again as they were
            eq(b.db.query(schema), schema_before, "the schema after the draws")
        eq(b.selection(1)[1], a.selection(1)[1], "the same selection")
        v, _ = b.js("wave", "verify", "--wave", "1")
        eq(v["match"], True, "verify")


@test
def draw_again_same_seed_changes_nothing_other_seed_refused():
    with W() as w:
        summary, _, _ = drawn(w)
        before = [w.count(t) for t in ("pk_event", "pk_card", "pk_draw_applicant", "audit")]
        again, err = w.js("wave", "draw", "--wave", "2", "--seed", SEED_A.upper())
        eq(again, summary, "the same summary")
        assert "nothing changed" in err, err
        eq([w.count(t) for t in ("pk_event", "pk_card", "pk_draw_applicant", "audit")],
           before, "nothing written")
        code, out, err = w.cli("wave", "draw", "--wave", "2", "--seed", SEED_B, expect=None)
        assert code != 0 and "another seed" in err and out == "", "another seed: %r" % err
        eq([w.count(t) for t in ("pk_event", "pk_card", "pk_draw_applicant", "audit")],
           before, "nothing written")


def card_v1(serial, prefix="990031"):
    """The first release's card number of a serial (an affine spread)."""
    return h.luhn("%s%09d" % (prefix, (serial * 738219413 + 209457631) % 10 ** 9))


@test
def a_draw_skips_a_serial_whose_number_an_older_card_holds():
    """Cards issued before the keyed spread keep their numbers; a keyed
    number may equal one of them.  An outside test found every draw of
    such a store failing ('run the draw again', with any seed): the serial
    is skipped now.  The collision is made by drawing once, noting the
    number serial 2 gets, and giving it to an old card in the same store
    as it was before that draw (SQLite: the files copied back)."""
    h.sqlite_only("the store's files copied back")
    with W() as w:
        ps = [person(i) for i in range(1, 7)]
        w.people(ps)
        w.wave(1, 3)
        w.join(1, ps[:3])
        w.cli("wave", "close", "--wave", "1")
        saved = w.path("before.db")
        shutil.copyfile(w.db.path, saved)
        w.js("wave", "draw", "--wave", "1", "--seed", SEED_A)
        third = w.db.query("SELECT number FROM pk_card WHERE serial = 2")[0][0]
        shutil.copyfile(saved, w.db.path)
        ids = {r[1]: r[0] for r in w.db.query("SELECT id, nama FROM participant")}
        old = [(ids[ps[4]["nama"]], 0, card_v1(0)), (ids[ps[5]["nama"]], 1, third)]
        for pid, serial, number in old:
            w.db.execute("INSERT INTO pk_card (participant_id, serial, number, wave, issued_at)"
                         " VALUES (%d, %d, '%s', 0, 1600000000)" % (pid, serial, number))
        summary, _ = w.js("wave", "draw", "--wave", "1", "--seed", SEED_A)
        eq(summary["selected"], 3, "drawn")
        rows = w.db.query("SELECT serial, number FROM pk_card ORDER BY serial")
        eq([r[0] for r in rows], [0, 1, 3, 4, 5], "serial 2 skipped")
        eq(len({r[1] for r in rows}), 5, "every number once")


@test
def draw_refuses_when_an_event_named_like_its_own_is_stored():
    # The draw does not look its refs up (undian-W-...: its record is
    # unique per wave); a stored one found by the insert fails the draw,
    # and nothing of it is written.
    with W() as w:
        w.people([person(1)])
        w.wave(1, 5)
        w.join(1, [person(1)])
        pid = w.db.query("SELECT id FROM participant")[0][0]
        w.cli("import", "events", "--source", "lokal", w.write(
            "ref,nik,peristiwa,waktu,gelombang\n"
            "undian-1-lolos-%d,%s,gabung_gelombang,2021-06-01T10:00:00+07:00,1\n"
            % (pid, person(1)["nik"])))
        w.cli("wave", "close", "--wave", "1")
        before = [w.count(t) for t in ("pk_event", "pk_card", "pk_draw", "pk_draw_applicant")]
        code, out, err = w.cli("wave", "draw", "--wave", "1", "--seed", SEED_A, expect=None)
        assert code != 0 and "stored already" in err and out == "", "draw: %r" % err
        assert person(1)["nik"] not in err, "no NIK in the message: %r" % err
        eq([w.count(t) for t in ("pk_event", "pk_card", "pk_draw", "pk_draw_applicant")],
           before, "nothing written")
        eq(w.js("wave", "show", "--wave", "1")[0]["state"], "ditutup", "not drawn")


@test
def verify_and_the_independent_script_agree():
    with W() as w:
        summary, _, _ = drawn(w)
        v, _ = w.js("wave", "verify", "--wave", "2")
        eq((v["match"], v["snapshot_sha256"], v["result_sha256"]),
           (True, summary["snapshot_sha256"], summary["result_sha256"]), "verify")
        path, _ = w.selection(2)
        p = subprocess.run([sys.executable, VERIFY, "--seed", SEED_A, "--quota", "10",
                            "--snapshot", summary["snapshot_sha256"], "--result",
                            summary["result_sha256"], path], capture_output=True, text=True)
        eq(p.returncode, 0, "verify_draw.py: %s" % p.stdout[-800:])
        assert p.stdout.endswith("MATCH\n"), p.stdout
        p = subprocess.run([sys.executable, VERIFY, "--seed", SEED_B, path],
                           capture_output=True, text=True)
        eq(p.returncode, 1, "another seed does not match")
        w.cli("wave", "verify", "--wave", "1")
        code, _, err = w.cli("wave", "verify", "--wave", "3", expect=None)
        assert code != 0, "verify of no wave"
        # a stored outcome changed behind the program's back is found
        w.db.execute("UPDATE pk_draw_applicant SET selected = 1 - selected WHERE wave = 2 AND "
                     "participant_id = (SELECT min(participant_id) FROM pk_draw_applicant "
                     "WHERE wave = 2)")
        v, err = w.js("wave", "verify", "--wave", "2", expect=1)
        eq(v["match"], False, "verify after tampering")
        assert "NOT match" in err, err
        code, _, err = w.cli("wave", "draw", "--wave", "2", "--seed", SEED_A, expect=None)
        assert code != 0 and "does not match" in err, "re-run after tampering: %r" % err


if __name__ == "__main__":
    h.run()
