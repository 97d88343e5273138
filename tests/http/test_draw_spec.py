"""The wave draw against an independent reading of selection.md (TAP).

`spec_draw.py` computes a draw from the published contract alone (rules
on the WIB closing date, tier, rank, the walk with the overall, regency
and family-card quotas, both digests); this program runs the real
`prakerja wave draw` on scenarios built through the CLI and compares
everything a draw lets one observe: the summary, `wave show`, `export
selection` (tier, rank as 64 hex digits, status, reasons), the lolos /
tidak_lolos / saldo_masuk events, the card numbers (issuer prefix, Luhn,
unique, one per recipient), the balance credited (`ledger verify`),
`wave verify`, a repeat with the same seed (nothing changes), another
seed (refused, nothing changes), and stored draws tampered with.

Scenarios: a few hundred generated people (bench/gen.py) in two waves
with every quota binding; hand-made people around the WIB closing date,
families across waves, recipients since joining, the prioritas list, an
empty wave, a zero quota, a 29 February birthday, scheme 2023's age
limit and balance.  tests/http/test_waves.py and test_jobs.py test the
same commands on small hand-checked cases.

usage: python3 tests/http/test_draw_spec.py PATH-TO-PRAKERJA [TEST-NAME...]
"""
import csv
import hashlib
import io
import json
import os
import subprocess
import sys

import harness as h
import spec_draw as sd
from harness import eq, run_cli, test

SCHEMES = sd.load_schemes(os.path.join(h.REPO, "data", "schemes.ini"))
GEN = os.path.join(h.REPO, "bench", "gen.py")
SEED_1 = hashlib.sha256(b"draw spec 1").hexdigest()
SEED_2 = hashlib.sha256(b"draw spec 2").hexdigest()
SEED_3 = hashlib.sha256(b"draw spec 3").hexdigest()
DEFAULT_ISSUER = "990031"
HEADER = "nik,no_kk,nama,tanggal_lahir,jenis_kelamin,no_hp,kode_wilayah,segmen,pekerjaan\n"
SELECTION_HEADER = ["nik", "tier", "rank", "status", "alasan"]


def codes(text):
    """'a;b' -> ['a', 'b'] ('' -> [])."""
    return [c for c in text.split(";") if c]


class Reg(h.DbDir):
    """A temporary directory with a migrated database of the backend under
    test, and what this test told the program: the people, the exclusion
    lists, the waves, and the recipients so far (what the oracle is
    given)."""

    def __init__(self, issuer=None):
        super().__init__("prakerja-drawspec-", "d")
        self.issuer = issuer
        self.n = 0
        self.people = {}       # nik -> {nik, no_kk, tanggal_lahir, kode_wilayah, pekerjaan}
        self.lists = {}        # list name -> set of NIKs
        self.waves = {}        # number -> {scheme, closes, quota, regions}
        self.recipients = set()
        self.prior_kk = {}     # no_kk -> recipients so far
        self.credited = 0      # the balances the draws should have credited

    def write(self, text, name=None):
        self.n += 1
        p = os.path.join(self.tmp, name or "f%d.csv" % self.n)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
        return p

    def cli(self, *args, expect=0, stdin=None):
        code, out, err = run_cli(self.db.args_for(list(args)), cwd=self.tmp, timeout=300,
                                 stdin=stdin)
        if expect is not None:
            eq(code, expect, "exit status of %r (stderr %r, stdout %r)"
               % (args[:4], err[-600:], out[-300:]))
        return code, out, err

    def js(self, *args, expect=0, stdin=None):
        code, out, err = self.cli(*args, expect=expect, stdin=stdin)
        return json.loads(out.strip().splitlines()[-1]) if out.strip() else None

    def draw_args(self, wave, seed, at=None):
        args = ["wave", "draw", "--wave", str(wave), "--seed", seed]
        if at:
            args += ["--at", at]
        if self.issuer:
            args += ["--card-issuer", self.issuer]
        return args

    # -- what the program is told, and the oracle with it --
    def import_people(self, text):
        out = self.js("import", "participants", self.write(text))
        rows = list(csv.DictReader(io.StringIO(text)))
        eq((out["read"], out["rejected"]), (len(rows), 0), "people imported")
        for r in rows:
            self.people[r["nik"]] = {k: r.get(k) or "" for k in
                                     ("nik", "no_kk", "tanggal_lahir", "kode_wilayah",
                                      "pekerjaan")}

    def set_list(self, name, niks):
        self.cli("import", "exclusions", "--list", name,
                 self.write("nik\n" + "".join(n + "\n" for n in niks)))
        self.lists[name] = set(niks)

    def wave(self, n, scheme, opens, closes, quota, regions=None):
        args = ["wave", "create", "--wave", str(n), "--scheme", scheme, "--opens", opens,
                "--closes", closes, "--quota", str(quota)]
        for k, v in sorted((regions or {}).items()):
            args += ["--quota-region", "%s=%d" % (k, v)]
        self.js(*args)
        self.waves[n] = {"scheme": scheme, "closes": closes, "quota": quota,
                         "regions": dict(regions or {})}

    def join(self, wave, niks, at):
        """wave join, the NIKs on stdin."""
        out = self.js("wave", "join", "--wave", str(wave), "--at", at, "-",
                      stdin="".join(n + "\n" for n in niks).encode())
        eq(out, {"wave": wave, "joined": len(niks), "refused": 0}, "wave %d join" % wave)

    def join_events(self, wave, niks, at):
        """gabung_gelombang events of a local event file."""
        rows = "".join("j%d-%d,%s,gabung_gelombang,%s,%d\n" % (wave, i, n, at, wave)
                       for i, n in enumerate(niks))
        out = self.js("import", "events", "--source", "lokal",
                      self.write("ref,nik,peristiwa,waktu,gelombang\n" + rows))
        eq((out["inserted"], out["rejected"]), (len(niks), 0), "wave %d joins by events" % wave)

    def office_selects(self, niks, at, wave):
        """The programme office's own lolos events (its wave), as recipients."""
        rows = "".join("pmo-%d-%d,%s,lolos,%s,%d\n" % (wave, i, n, at, wave)
                       for i, n in enumerate(niks))
        out = self.js("import", "events", self.write("ref,nik,peristiwa,waktu,gelombang\n" + rows))
        eq(out["inserted"], len(niks), "the programme office's lolos events")
        self.add_recipients(niks)

    def add_recipients(self, niks):
        for n in niks:
            self.recipients.add(n)
            kk = self.people[n]["no_kk"]
            self.prior_kk[kk] = self.prior_kk.get(kk, 0) + 1

    # -- what the program shows --
    def events(self):
        _, out, _ = self.cli("export", "events", "--source", "lokal")
        return list(csv.DictReader(io.StringIO(out)))

    def selection(self, wave):
        path = os.path.join(self.tmp, "sel%d-%d.csv" % (wave, self.n))
        self.n += 1
        self.cli("export", "selection", "--wave", str(wave), "--output", path)
        with open(path, encoding="utf-8") as f:
            rows = list(csv.reader(f))
        eq(rows[0], SELECTION_HEADER, "selection header")
        return rows[1:]

    def fingerprint(self):
        """What a draw writes: events, cards, draws, journeys."""
        q = self.db.query
        return (q("SELECT count(*), max(id) FROM pk_event"),
                q("SELECT participant_id, serial, number, wave, issued_at FROM pk_card "
                  "ORDER BY participant_id"),
                q("SELECT wave, applicants, eligible, selected, drawn_at FROM pk_draw "
                  "ORDER BY wave"),
                q("SELECT wave, participant_id, tier, reasons, eligible, selected "
                  "FROM pk_draw_applicant ORDER BY wave, participant_id"),
                q("SELECT participant_id, status, wave, balance FROM pk_journey "
                  "ORDER BY participant_id"))

    def verify(self, wave):
        code, out, _ = self.cli("wave", "verify", "--wave", str(wave), expect=None)
        v = json.loads(out.strip().splitlines()[-1]) if out.strip() else {}
        return code, v.get("match"), v

    # -- the comparison --
    def check_draw(self, wave, seed, at, applicants):
        """Draws wave with seed at instant at and compares everything with
        spec_draw.  Returns the oracle's rows and summary."""
        w = self.waves[wave]
        scheme = SCHEMES[w["scheme"]]
        rows, want, _ = sd.draw(wave, applicants, self.people, scheme, w["closes"], w["quota"],
                                w["regions"], self.lists, seed, self.prior_kk, self.recipients)
        tag = "wave %d: " % wave
        before = self.fingerprint()
        got = self.js(*self.draw_args(wave, seed, at))
        eq(got, want, tag + "the draw's summary")
        after = self.fingerprint()
        assert after != before, tag + "the draw wrote nothing"

        show = self.js("wave", "show", "--wave", str(wave))
        d = show.get("draw") or {}
        eq((show["state"], d.get("seed"), d.get("algorithm"), d.get("snapshot_sha256"),
            d.get("result_sha256")),
           ("diundi", seed, 1, want["snapshot_sha256"], want["result_sha256"]),
           tag + "wave show")
        eq(sd.parse_instant(d["drawn_at"]), sd.parse_instant(at), tag + "drawn_at")

        sel = self.selection(wave)
        eq([r[0] for r in sel], sorted(rows), tag + "one selection row per applicant, NIK order")
        bad = []
        for nik, tier, rank, status, alasan in sel:
            e = rows[nik]
            got_row = (int(tier), rank, status, sorted(codes(alasan)))
            want_row = (e["tier"], e["rank"], e["status"], sorted(e["alasan"]))
            if got_row != want_row or len(set(codes(alasan))) != len(codes(alasan)):
                bad.append((nik, "got", got_row, "want", want_row))
        assert not bad, tag + "%d selection rows differ, e.g. %r" % (len(bad), bad[:4])

        self.check_events(tag, wave, at, rows, scheme)
        self.check_cards(tag, wave, sum(1 for r in rows.values() if r["status"] == "lolos"))

        code, match, v = self.verify(wave)
        eq((code, match, v.get("snapshot_sha256"), v.get("result_sha256")),
           (0, True, want["snapshot_sha256"], want["result_sha256"]), tag + "wave verify")

        # the same seed again (upper-case hex) reproduces it and changes nothing
        again = self.js(*self.draw_args(wave, seed.upper(), at))
        eq(again, want, tag + "the same seed again")
        eq(self.fingerprint(), after, tag + "the same seed again writes nothing")
        code, out, err = self.cli(*self.draw_args(wave, SEED_3 if seed != SEED_3 else SEED_1,
                                                  at), expect=None)
        assert code != 0 and out == "", tag + "another seed accepted: %r %r" % (code, err)
        eq(self.fingerprint(), after, tag + "another seed writes nothing")

        selected = [n for n, r in rows.items() if r["status"] == "lolos"]
        self.add_recipients(selected)
        self.credited += len(selected) * scheme["training_balance"]
        return rows, want

    def check_events(self, tag, wave, at, rows, scheme):
        """lolos and saldo_masuk for each selected, at the draw's instant;
        tidak_lolos with the reasons for the others, except who became a
        recipient since joining (their record holds their selection)."""
        instant = sd.parse_instant(at)
        lolos, tidak, saldo = [], {}, []
        for e in self.events():
            when = sd.parse_instant(e["waktu"])
            if e["peristiwa"] == "lolos" and e["gelombang"] == str(wave):
                eq(when, instant, tag + "a lolos event's instant")
                lolos.append(e["nik"])
            elif e["peristiwa"] == "tidak_lolos" and e["gelombang"] == str(wave):
                eq(when, instant, tag + "a tidak_lolos event's instant")
                assert e["nik"] not in tidak, tag + "two tidak_lolos events for one applicant"
                tidak[e["nik"]] = sorted(codes(e["keterangan"]))
            elif e["peristiwa"] == "saldo_masuk" and when == instant:
                saldo.append((e["nik"], int(e["jumlah"])))
        selected = sorted(n for n, r in rows.items() if r["status"] == "lolos")
        eq(sorted(lolos), selected, tag + "lolos events: the selected, once each")
        eq(sorted(saldo), [(n, scheme["training_balance"]) for n in selected],
           tag + "saldo_masuk: the scheme's training balance to each selected")
        want = {n: sorted(r["alasan"]) for n, r in rows.items()
                if r["status"] != "lolos" and n not in self.recipients}
        eq(tidak, want, tag + "tidak_lolos events and their reasons")

    def check_cards(self, tag, wave, n_selected):
        """A card for each of the draw's lolos (its participant), 16 digits
        with the issuer prefix and a Luhn check digit; unique overall."""
        cards = self.db.query("SELECT participant_id, number FROM pk_card WHERE wave = ? "
                              "ORDER BY participant_id", (wave,))
        holders = self.db.query("SELECT participant_id FROM pk_event WHERE source = 'lokal' "
                                "AND type = 'lolos' AND wave = ? ORDER BY participant_id",
                                (wave,))
        eq([c[0] for c in cards], [r[0] for r in holders], tag + "a card per lolos")
        eq(len(cards), n_selected, tag + "cards")
        issuer = self.issuer or DEFAULT_ISSUER
        bad = [c[1] for c in cards if not sd.card_ok(c[1], issuer)]
        assert not bad, tag + "card numbers not %s + 9 digits + Luhn: %r" % (issuer, bad[:5])
        numbers = [r[0] for r in self.db.query("SELECT number FROM pk_card")]
        eq(len(set(numbers)), len(numbers), tag + "card numbers unique")

    def check_ledger(self):
        out = self.js("ledger", "verify")
        eq((out["ok"], out["stored"]["credited"], out["from_events"]["credited"]),
           (True, self.credited, self.credited), "ledger verify: the balances credited")


def exercised(summary, wanted, what):
    """The scenario reaches each wanted reason (else the test proves less)."""
    missing = [c for c in wanted if not summary["reasons"].get(c)]
    assert not missing, "%s does not exercise %r: %r" % (what, missing, summary["reasons"])


def blob(hexdigits):
    """A bytea/BLOB literal of the backend under test."""
    return ("'\\x%s'::bytea" if h.PG else "X'%s'") % hexdigits


# ---- generated people ---------------------------------------------------------


def generated(n, seed):
    p = subprocess.run([sys.executable, GEN, str(n), "--seed", str(seed), "--bad-rate", "0"],
                       capture_output=True, text=True, check=True, timeout=60)
    return p.stdout


@test
def generated_people_drawn_as_the_spec_says():
    """300 generated people: wave 12 with its overall quota and three
    regency quotas binding (one of 0), every rule and list, the prioritas
    list; wave 13, for the not selected and the rest, a large quota, so
    family cards bind, counting wave 12's recipients; then a stored draw
    tampered with in five ways, each found by wave verify."""
    with Reg() as r:
        r.import_people(generated(300, 5))
        niks = sorted(r.people)
        r.wave(12, "2021", "2021-09-13T12:00:00+07:00", "2021-09-20T12:00:00+07:00", 60,
               {"31.74": 6, "31.71": 9, "31.01": 0})
        w12 = niks[:230]
        r.join_events(12, w12[:115], "2021-09-14T09:00:00+07:00")
        r.join(12, w12[115:], "2021-09-15T09:00:00+07:00")
        # the lists as they are at the draw (imported after the joins)
        r.set_list("dtks", niks[0::37])
        r.set_list("bsu", niks[11:12])
        r.set_list("bpum", niks[12:13])
        r.set_list("daftar_hitam", niks[5::53])
        r.set_list("penerima_sebelumnya", niks[7::61])
        r.set_list("prioritas", niks[0::9])
        rows12, s12 = r.check_draw(12, SEED_1, "2021-09-22T10:00:00+07:00", w12)
        exercised(s12, ["kuota_gelombang_penuh", "kuota_wilayah_penuh", "penerima_bansos",
                        "daftar_hitam", "pernah_menerima", "usia_kurang", "sedang_sekolah",
                        "pekerjaan_dikecualikan"], "wave 12")
        tiers = {(x["tier"], x["status"]) for x in rows12.values()}
        assert (0, "lolos") in tiers and (1, "lolos") in tiers, tiers
        assert any(len(x["alasan"]) > 1 for x in rows12.values()), "no applicant with two reasons"

        r.wave(13, "2021", "2021-09-23T12:00:00+07:00", "2021-09-30T12:00:00+07:00", 1000,
               {"31.75": 20})
        w13 = [n for n in w12 if rows12[n]["status"] != "lolos"] + niks[230:]
        r.join(13, w13, "2021-09-24T09:00:00+07:00")
        r.set_list("prioritas", niks[3::11])
        r.set_list("daftar_hitam", niks[6::47])
        kk12 = {r.people[n]["no_kk"] for n, x in rows12.items() if x["status"] == "lolos"}
        rows13, s13 = r.check_draw(13, SEED_2, "2021-10-02T10:00:00+07:00", w13)
        exercised(s13, ["kuota_kk_penuh", "kuota_wilayah_penuh", "daftar_hitam"], "wave 13")
        assert any(x["alasan"] == ["kuota_kk_penuh"] and r.people[n]["no_kk"] in kk12
                   for n, x in rows13.items()), "no family card full through wave 12"
        r.check_ledger()
        tampered_draws_are_found(r, 12, rows12, s12)


def tampered_draws_are_found(r, wave, rows, summary):
    """Stored draw data changed behind the program's back: wave verify
    says the digests do not match (exit 1); each change undone, it
    matches again."""
    # a participant's id through the ref of their tidak_lolos event
    by_ref = {e["ref"]: e["nik"] for e in r.events()
              if e["peristiwa"] == "tidak_lolos" and e["gelombang"] == str(wave)}
    pid_of = {by_ref[ref]: pid for pid, ref in r.db.query(
        "SELECT participant_id, ref FROM pk_event WHERE source = 'lokal' AND "
        "type = 'tidak_lolos' AND wave = ?", (wave,)) if ref in by_ref}
    # one whose promotion to tier 0 changes the result (by the oracle; the
    # wave was the registry's first draw: no recipients or families before)
    w = r.waves[wave]
    promoted = None
    for nik in sorted(n for n, x in rows.items() if x["alasan"] == ["kuota_gelombang_penuh"]):
        lists = dict(r.lists, prioritas=set(r.lists.get("prioritas", ())) | {nik})
        _, s, _ = sd.draw(wave, list(rows), r.people, SCHEMES[w["scheme"]], w["closes"],
                          w["quota"], w["regions"], lists, summary["seed"])
        if s["result_sha256"] != summary["result_sha256"] and nik in pid_of:
            promoted = pid_of[nik]
            break
    assert promoted is not None, "no applicant whose tier changes the result"
    victim = min(pid_of.values())
    cases = [
        ("the result digest", "UPDATE pk_draw SET result_sha256 = snapshot_sha256 WHERE wave = %d"
         % wave, "UPDATE pk_draw SET result_sha256 = %s WHERE wave = %d"
         % (blob(summary["result_sha256"]), wave)),
        ("the snapshot digest", "UPDATE pk_draw SET snapshot_sha256 = result_sha256 WHERE "
         "wave = %d" % wave, "UPDATE pk_draw SET snapshot_sha256 = %s WHERE wave = %d"
         % (blob(summary["snapshot_sha256"]), wave)),
        ("the seed", "UPDATE pk_draw SET seed = %s WHERE wave = %d" % (blob(SEED_3), wave),
         "UPDATE pk_draw SET seed = %s WHERE wave = %d" % (blob(summary["seed"]), wave)),
        ("a tier", "UPDATE pk_draw_applicant SET tier = 0 WHERE wave = %d AND "
         "participant_id = %d" % (wave, promoted),
         "UPDATE pk_draw_applicant SET tier = 1 WHERE wave = %d AND participant_id = %d"
         % (wave, promoted)),
        ("an applicant left out", "DELETE FROM pk_draw_applicant WHERE wave = %d AND "
         "participant_id = %d" % (wave, victim), None),
    ]
    for what, change, undo in cases:
        r.db.execute(change)
        code, match, _ = r.verify(wave)
        eq((code, match), (1, False), "wave verify after changing %s" % what)
        if undo:
            r.db.execute(undo)
            code, match, _ = r.verify(wave)
            eq((code, match), (0, True), "wave verify after undoing %s" % what)


# ---- hand-made people -----------------------------------------------------------

VILLAGE = {"31.71": "31.71.01.1001", "31.72": "31.72.01.1001", "31.73": "31.73.01.1001",
           "31.74": "31.74.01.1001", "31.75": "31.75.01.1001", "31.01": "31.01.01.1001"}


class People:
    """Hand-made people by tag: NIKs consistent with district and birth."""

    def __init__(self):
        self.nik = {}
        self.rows = []

    def add(self, tag, regency, born, kk=None, job=""):
        serial = len(self.rows) + 1
        y, m, d = born.split("-")
        district = VILLAGE[regency].replace(".", "")[:6]
        nik = "%s%s%s%s%04d" % (district, d, m, y[2:], serial)
        self.nik[tag] = nik
        self.rows.append("%s,%s,Orang %d,%s,L,0812%08d,%s,pencari_kerja,%s\n" % (
            nik, kk or "%s01012%05d" % (district, serial), serial, born, 33000000 + serial,
            VILLAGE[regency], job))

    def __call__(self, *tags):
        return [self.nik[t] for t in tags]

    def csv(self):
        return HEADER + "".join(self.rows)


def hand_people():
    p = People()
    # wave 12 closes at 2021-09-20T17:30:00Z, 00:30 on 21 September in Jakarta
    p.add("A18", "31.71", "2003-09-21")         # 18 on the WIB closing date (17 on the UTC one)
    p.add("A17", "31.71", "2003-09-22")         # 17 then, 18 by the draw and by wave 13's close
    p.add("ASN", "31.75", "1980-05-05", job="asn")
    p.add("MHS", "31.75", "2000-05-05", job="mahasiswa")
    p.add("MULTI", "31.75", "2005-06-01", job="pelajar")   # young, at school, on dtks
    p.add("LISTED", "31.75", "1988-01-01")      # on penerima_sebelumnya
    for i in range(4):                          # family K1 (kk_max 2)
        p.add("K1_%d" % i, "31.72", "199%d-0%d-1%d" % (i, i + 1, i), kk="3172010101200001")
    for i in range(3):                          # family K2
        p.add("K2_%d" % i, "31.73", "198%d-0%d-1%d" % (i, i + 2, i), kk="3173010101200002")
    for i in range(12):
        p.add("S%d" % i, "31.74" if i < 6 else "31.75", "1985-%02d-%02d" % (i + 1, i + 1))
    for i in range(4):
        p.add("T%d" % i, "31.74", "1990-%02d-20" % (i + 3))
    p.add("SEL", "31.01", "1970-06-06")
    p.add("SEL2", "31.01", "1971-07-07")
    # wave 23 (scheme 2022) closes at 2022-02-28T17:30:00Z, 1 March in Jakarta
    p.add("LEAP", "31.75", "2004-02-29")        # 18 on 1 March 2022, not on 28 February
    p.add("MAR1", "31.75", "2004-03-01")
    p.add("MAR2", "31.75", "2004-03-02")        # 17
    # wave 48 (scheme 2023: ages 18-64, Rp3.500.000, no social-assistance lists)
    p.add("OLD", "31.72", "1958-01-01")         # 65 on 31 January 2023
    p.add("EDGE64", "31.72", "1958-02-01")      # 64
    p.add("DTKS", "31.72", "1995-03-03")        # on dtks: not a rule of 2023
    return p


@test
def hand_made_waves_drawn_as_the_spec_says():
    """Rules on the WIB closing date; families across waves and recipients
    selected since joining (no event, pernah_menerima; their family card
    counts); an applicant of a closed wave joining the next before its draw;
    the prioritas list against a regency quota; lists replaced before a
    draw; cards with another issuer prefix."""
    p = hand_people()
    with Reg(issuer="123456") as r:
        r.import_people(p.csv())
        r.set_list("dtks", p("MULTI", "DTKS"))
        r.set_list("penerima_sebelumnya", p("LISTED"))
        r.set_list("prioritas", p("K1_0", "S0"))
        closes12 = "2021-09-20T17:30:00Z"
        r.wave(12, "2021", "2021-09-13T12:00:00+07:00", closes12, 3)
        w12 = p("A18", "A17", "ASN", "MHS", "MULTI", "LISTED", "K1_0", "S0", "S1", "S2")
        r.join_events(12, w12, "2021-09-14T10:00:00+07:00")
        r.wave(13, "2021", "2021-09-22T12:00:00+07:00", "2021-09-29T12:00:00+07:00", 100,
               {"31.74": 2, "31.01": 1})
        # wave 12 closed, not drawn: two of its applicants join wave 13
        w13 = p("A17", "K1_0", "K1_1", "K1_2", "K1_3", "K2_0", "K2_1", "K2_2", "S3", "S4",
                "S5", "S6", "S7", "S8", "S9", "S10", "T0", "T1", "T2", "T3", "SEL", "SEL2")
        r.join(13, w13, "2021-09-23T10:00:00+07:00")
        # the programme office selects two of them after they joined
        r.office_selects(p("S4", "K2_1"), "2021-09-23T15:00:00+07:00", 9)

        # a draw dated before the closing instant is refused and writes nothing
        before = r.fingerprint()
        r.cli(*r.draw_args(12, SEED_1, "2021-09-21T00:29:59+07:00"), expect=2)
        eq(r.fingerprint(), before, "a refused draw writes nothing")
        rows12, s12 = r.check_draw(12, SEED_1, "2021-09-24T10:00:00+07:00", w12)
        eq(rows12[p("A17")[0]]["alasan"], ["usia_kurang"], "(oracle) A17 too young on 21 Sep")
        assert "usia_kurang" not in rows12[p("A18")[0]]["alasan"], "(oracle) A18 is 18"
        eq(sorted(rows12[p("MULTI")[0]]["alasan"]),
           ["penerima_bansos", "sedang_sekolah", "usia_kurang"], "(oracle) three reasons")
        eq(rows12[p("K1_0")[0]]["status"], "lolos", "(oracle) the prioritas go first")
        exercised(s12, ["kuota_gelombang_penuh", "pekerjaan_dikecualikan", "pernah_menerima"],
                  "wave 12")

        # the lists change before wave 13's draw
        r.set_list("daftar_hitam", p("S5"))
        r.set_list("prioritas", p("S3", "S6", "K2_2"))
        rows13, s13 = r.check_draw(13, SEED_2, "2021-10-01T10:00:00+07:00", w13)
        for tag in ("K1_0", "S4", "K2_1"):
            eq(rows13[p(tag)[0]], dict(rows13[p(tag)[0]], status="tidak_lolos",
                                       alasan=["pernah_menerima"]),
               "(oracle) %s became a recipient after joining" % tag)
        eq(rows13[p("A17")[0]]["status"], "lolos", "(oracle) A17, 18 by 29 Sep")
        eq(sum(1 for t in ("K1_1", "K1_2", "K1_3") if rows13[p(t)[0]]["status"] == "lolos"),
           1, "(oracle) family K1: one more after wave 12's")
        eq((rows13[p("K2_2")[0]]["status"], rows13[p("K2_0")[0]]["alasan"]),
           ("lolos", ["kuota_kk_penuh"]), "(oracle) family K2: the office's recipient counts")
        exercised(s13, ["kuota_kk_penuh", "kuota_wilayah_penuh", "daftar_hitam",
                        "pernah_menerima"], "wave 13")
        eq([rows13[p(t)[0]]["status"] for t in ("S3", "SEL", "SEL2")].count("lolos"), 2,
           "(oracle) 31.74: S3 by prioritas; 31.01: one of two")

        # an empty wave; a wave with no places
        r.wave(20, "2021", "2021-10-02T12:00:00+07:00", "2021-10-03T12:00:00+07:00", 10)
        _, s20 = r.check_draw(20, SEED_1, "2021-10-04T10:00:00+07:00", [])
        eq((s20["applicants"], s20["snapshot_sha256"]), (0, hashlib.sha256(b"").hexdigest()),
           "(oracle) the empty wave")
        r.wave(21, "2021", "2021-10-05T12:00:00+07:00", "2021-10-06T12:00:00+07:00", 0)
        w21 = p("S11", "ASN", "MHS")       # not selected in wave 12: they may apply again
        r.join(21, w21, "2021-10-05T13:00:00+07:00")
        _, s21 = r.check_draw(21, SEED_3, "2021-10-07T10:00:00+07:00", w21)
        eq((s21["selected"], s21["reasons"]),
           (0, {"kuota_gelombang_penuh": 1, "pekerjaan_dikecualikan": 1, "sedang_sekolah": 1}),
           "(oracle) quota 0")

        # 29 February, on a closing date that is 1 March in Jakarta only
        r.wave(23, "2022", "2022-02-01T00:00:00+07:00", "2022-02-28T17:30:00Z", 10)
        w23 = p("LEAP", "MAR1", "MAR2")
        r.join(23, w23, "2022-02-02T10:00:00+07:00")
        rows23, _ = r.check_draw(23, SEED_2, "2022-03-02T10:00:00+07:00", w23)
        eq([rows23[n]["alasan"] for n in w23], [[], [], ["usia_kurang"]], "(oracle) ages")

        # scheme 2023: an upper age limit, its own balance and lists
        r.wave(48, "2023", "2023-01-02T00:00:00+07:00", "2023-01-31T12:00:00+07:00", 5)
        w48 = p("OLD", "EDGE64", "DTKS", "S11")
        r.join(48, w48, "2023-01-03T10:00:00+07:00")
        rows48, _ = r.check_draw(48, SEED_1, "2023-02-02T10:00:00+07:00", w48)
        eq([rows48[n]["status"] for n in w48], ["tidak_lolos", "lolos", "lolos", "lolos"],
           "(oracle) scheme 2023")
        eq(rows48[p("OLD")[0]]["alasan"], ["usia_lebih"], "(oracle) 65")
        r.check_ledger()



@test
def a_family_counts_every_recipient_its_draw_finds():
    """selection.md step 4: a family card "already has kk_max recipients"
    counting "any earlier wave": every recipient the draw finds, whatever
    their wave's number: the programme office's waves, numbered apart (its
    30 above this deployment's 16), and a wave drawn before one numbered
    below it.  (Only lower-numbered waves used to count: both families got
    three recipients.)"""
    p = People()
    for i in range(3):
        p.add("F%d" % i, "31.72", "199%d-0%d-1%d" % (i, i + 1, i), kk="3172010101200011")
    for i in range(3):
        p.add("G%d" % i, "31.73", "198%d-0%d-1%d" % (i, i + 2, i), kk="3173010101200012")
    with Reg() as r:
        r.import_people(p.csv())
        r.office_selects(p("F0"), "2021-09-01T10:00:00+07:00", 30)
        r.wave(16, "2021", "2021-09-02T00:00:00+07:00", "2021-09-10T00:00:00+07:00", 10)
        r.join(16, p("F1", "F2"), "2021-09-03T10:00:00+07:00")
        _, s16 = r.check_draw(16, SEED_1, "2021-09-11T10:00:00+07:00", p("F1", "F2"))
        eq((s16["selected"], s16["reasons"]), (1, {"kuota_kk_penuh": 1}),
           "(oracle) family F: the office's recipient of its wave 30 counts")
        r.wave(14, "2021", "2021-09-12T00:00:00+07:00", "2021-09-20T00:00:00+07:00", 10)
        r.wave(15, "2021", "2021-09-12T00:00:00+07:00", "2021-09-18T00:00:00+07:00", 10)
        r.join(14, p("G1", "G2"), "2021-09-13T10:00:00+07:00")
        r.join(15, p("G0"), "2021-09-13T10:00:00+07:00")
        _, s15 = r.check_draw(15, SEED_2, "2021-09-19T10:00:00+07:00", p("G0"))
        eq(s15["selected"], 1, "(oracle) wave 15 first")
        _, s14 = r.check_draw(14, SEED_3, "2021-09-21T10:00:00+07:00", p("G1", "G2"))
        eq((s14["selected"], s14["reasons"]), (1, {"kuota_kk_penuh": 1}),
           "(oracle) family G: wave 15, drawn before wave 14, counts")
        r.check_ledger()

if __name__ == "__main__":
    h.run()
