"""Black-box tests of the counters behind the statistics (issue #16):
every kind of write keeps them equal to a recount of the participants,
on SQLite and PostgreSQL; writes race reads on two server processes;
`prakerja stats verify` catches a corrupted counter and `prakerja stats
rebuild` repairs it; migration 15 fills them for an existing registry
(TAP).

usage: PYTHONPATH=tests/http python3 tests/http/test_stats.py PATH-TO-PRAKERJA [TEST...]
"""

import csv
import io
import itertools
import json
import os
import threading
import time

import harness as h
from harness import eq, run_cli, test

S = "/api/v1/stats"
COLUMNS = ["nik", "no_kk", "nama", "tanggal_lahir", "jenis_kelamin", "no_hp", "email",
           "kode_wilayah", "alamat", "pendidikan", "segmen", "pekerjaan"]
SEGMENTS = ["pencari_kerja", "korban_phk", "peningkatan_kompetensi"]
VILLAGES = ["31.74.01.1001", "31.74.01.1002", "31.74.02.1001", "31.71.01.1001",
            "31.72.01.1001"]
BULK = {"PRAKERJA_IMPORT_BULK_MB": "0"}  # every file into an empty registry loads in bulk

_serials = itertools.count(1)
_lock = threading.Lock()


def fresh():
    with _lock:
        return next(_serials)


def person(n=None, kk=None, village=None, female=None, segmen=None, pekerjaan="lainnya"):
    """A valid registrant; n picks a unique NIK."""
    n = fresh() if n is None else n
    female = n % 2 == 1 if female is None else female
    day, month = 1 + n % 28, 1 + (n // 28) % 12
    return {
        "nik": "317401%02d%02d95%04d" % (day + (40 if female else 0), month, n % 10000 or 1),
        "no_kk": kk or "31740120%08d" % n,
        "nama": "Peserta Hitung %d" % n,
        "tanggal_lahir": "1995-%02d-%02d" % (month, day),
        "jenis_kelamin": "P" if female else "L",
        "no_hp": "0813%08d" % (40000000 + n),
        "email": "hitung%d@contoh.co.id" % n,
        "kode_wilayah": village or VILLAGES[n % len(VILLAGES)],
        "alamat": "Jl. Hitung %d" % n,
        "pendidikan": "sma",
        "segmen": segmen or SEGMENTS[n % 3],
        "pekerjaan": pekerjaan,
    }


def csv_text(rows):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for r in rows:
        w.writerow([r[c] for c in COLUMNS])
    return buf.getvalue()


class Reg(h.DbDir):
    """A directory with a migrated database of the backend under test."""

    def __init__(self):
        super().__init__("prakerja-stats-", "stats")
        self.nfile = 0

    def write(self, text):
        self.nfile += 1
        p = os.path.join(self.tmp, "in%d.csv" % self.nfile)
        with open(p, "w", encoding="utf-8") as f:
            f.write(text)
        return p

    def cli(self, args, env=None, timeout=180):
        return run_cli(self.db.args_for(args), cwd=self.tmp, env=env, timeout=timeout)

    def imp(self, rows, env=None):
        code, out, err = self.cli(["import", "participants", self.write(csv_text(rows))], env=env)
        eq(code, 0, "import: " + err[-600:])
        return json.loads(out.strip().splitlines()[-1]), err

    def lst(self, name, niks):
        code, out, err = self.cli(["import", "exclusions", "--list", name,
                                   self.write("nik\n" + "".join(n + "\n" for n in niks))])
        eq(code, 0, "import exclusions: " + err[-600:])

    def verify(self, expect=0):
        code, out, err = self.cli(["stats", "verify"])
        eq(code, expect, "stats verify exit (stdout %r, stderr %r)" % (out[-800:], err[-400:]))
        lines = [json.loads(x) for x in out.strip().splitlines()]
        return lines[:-1], lines[-1]

    def token(self):
        if not hasattr(self, "_token"):
            name = "hitung%d" % fresh()
            code, _, err = run_cli(self.db.args_for(["user", "add", "--username", name, "--role",
                                                     "admin", "--password-stdin"]),
                                   cwd=self.tmp, stdin=b"Hitung-Statistik-Kuat-2026\n")
            eq(code, 0, "user add: " + err)
            code, out, err = self.cli(["token", "create", "--username", name])
            eq(code, 0, "token create: " + err)
            self._token = json.loads(out.strip().splitlines()[-1])["token"]
        return self._token


def recount(db, region=""):
    """The figures of a region subtree counted from the participant rows
    (no counter involved)."""
    rows = db.query("SELECT kode_wilayah, segmen, jenis_kelamin, reasons FROM participant")
    out = {"total": 0, "eligible": 0, "by_sex": {"L": 0, "P": 0},
           "by_segment": {s: 0 for s in SEGMENTS}}
    for village, seg, sex, reasons in rows:
        if region and not (village == region or village.startswith(region + ".")):
            continue
        out["total"] += 1
        out["eligible"] += reasons == 0
        out["by_sex"][sex] += 1
        out["by_segment"][seg] += 1
    return out


def stats(s, token, region=None):
    st, _, b = s.json("GET", S + ("?region=" + region if region else ""),
                      headers={"Authorization": "Bearer " + token})
    eq(st, 200, "stats %s: %r" % (region, b))
    return b


def same_as_recount(s, reg, what):
    """The API's figures of every level equal a recount, and verify agrees."""
    for region in ("", "31", "31.74", "31.74.01", "31.74.01.1001", "31.71"):
        b = stats(s, reg.token(), region or None)
        want = recount(reg.db, region)
        got = {k: b[k] for k in want}
        eq(got, want, "%s: stats of %r" % (what, region or "(scope)"))
    diffs, summary = reg.verify()
    eq(diffs, [], what + ": cells that differ")
    eq(summary["ok"], True, what + ": verify")
    eq(summary["participants"], recount(reg.db)["total"], what + ": verify's participants")


def counters(db):
    return sorted(db.query("SELECT kode_wilayah, segmen, jenis_kelamin, reasons, n"
                           " FROM participant_count WHERE n <> 0"))


@test
def every_kind_of_write_keeps_the_counters_equal_to_a_recount():
    with Reg() as reg, h.Server(db=reg.db) as s:
        same_as_recount(s, reg, "empty")
        # registration through the API, one of them ineligible (ASN)
        people = [person() for _ in range(6)] + [person(pekerjaan="asn")]
        for p in people:
            st, _, b = s.json("POST", "/api/v1/participants", p)
            eq(st, 201, "register: %r" % b)
        same_as_recount(s, reg, "API registrations")
        # the staff page's assisted registration
        b = h.Browser(s)
        name = "admin%d" % fresh()
        code, _, err = run_cli(reg.db.args_for(["user", "add", "--username", name, "--role",
                                                "admin", "--password-stdin"]),
                               stdin=b"Admin-Hitung-Kuat-2026\n")
        eq(code, 0, err)
        st, _, text = b.post("/masuk", {"nama_pengguna": name,
                                        "kata_sandi": "Admin-Hitung-Kuat-2026"})
        eq(st, 303, "login")
        p = person(village="31.71.01.1001")
        st, _, text = b.post("/peserta/baru", {k: v for k, v in p.items() if k != "email"})
        eq(st, 201, text[:800])
        same_as_recount(s, reg, "assisted registration")
        # the import's row path: new people, a family over its card's limit,
        # and changes of people stored (village, segment, sex stay the NIK's)
        kk = "3174012099000001"
        family = [person(kk=kk, village="31.74.01.1002") for _ in range(4)]
        moved = dict(people[0], kode_wilayah="31.72.01.1001", segmen="korban_phk")
        asn = dict(people[1], pekerjaan="asn")
        summary, _ = reg.imp(family + [moved, asn])
        eq((summary["inserted"], summary["updated"]), (4, 2), "inserted, updated")
        same_as_recount(s, reg, "row import")
        # an exclusion list and the re-evaluation it triggers; then emptied
        reg.lst("daftar_hitam", [people[2]["nik"], family[0]["nik"]])
        same_as_recount(s, reg, "exclusion list")
        reg.lst("daftar_hitam", [])
        same_as_recount(s, reg, "exclusion list emptied")
        # key rotation re-seals every row and changes no counter
        before = counters(reg.db)
        code, out, err = reg.cli(["keys", "rotate"])
        eq(code, 0, "keys rotate: " + err)
        eq(counters(reg.db), before, "counters after key rotation")
        same_as_recount(s, reg, "key rotation")


@test
def a_bulk_load_fills_the_counters_and_later_writes_keep_them():
    with Reg() as reg:
        rows = [person() for _ in range(40)]
        rows += [dict(rows[3], kode_wilayah="31.71.01.1001")]  # a repeated NIK: folded
        kk = "3174012099000002"
        rows += [person(kk=kk) for _ in range(4)]              # a family over its limit
        summary, err = reg.imp(rows, env=BULK)
        assert "bulk" in err, err
        with h.Server(db=reg.db) as s:
            same_as_recount(s, reg, "bulk load")
            eq(recount(reg.db)["total"], 44, "participants")
            st, _, b = s.json("POST", "/api/v1/participants", person())
            eq(st, 201, "register after the bulk load: %r" % b)
            same_as_recount(s, reg, "a registration after the bulk load (triggers back)")
            reg.imp([person(kk=kk)])
            same_as_recount(s, reg, "a row import after the bulk load")


@test
def verify_names_a_corrupted_counter_and_rebuild_repairs_it():
    with Reg() as reg:
        reg.imp([person(village="31.74.01.1001", female=False, segmen="korban_phk")
                 for _ in range(5)] + [person() for _ in range(10)])
        diffs, summary = reg.verify()
        eq(summary["ok"], True, "verify before")
        cell = counters(reg.db)[0]
        reg.db.execute("UPDATE participant_count SET n = n + 3 WHERE kode_wilayah = '%s'"
                       " AND segmen = '%s' AND jenis_kelamin = '%s' AND reasons = %d"
                       % cell[:4])
        with h.Server(db=reg.db) as s:
            # the statistics read the counters: the corruption shows
            eq(stats(s, reg.token(), cell[0])["total"], recount(reg.db, cell[0])["total"] + 3,
               "stats from the corrupted counter")
        diffs, summary = reg.verify(expect=1)
        eq(len(diffs), 1, "cells that differ: %r" % diffs)
        d = diffs[0]
        eq((d["wilayah"], d["segmen"], d["jenis_kelamin"], d["tersimpan"], d["dihitung"]),
           (cell[0], cell[1], cell[2], cell[4] + 3, cell[4]), "the cell named")
        eq((summary["ok"], summary["differ"]), (False, 1), "summary")
        # a counter missing altogether, and one for a cell nobody is in
        reg.db.execute("DELETE FROM participant_count WHERE kode_wilayah <> '%s'" % cell[0])
        reg.db.execute("INSERT INTO participant_count VALUES ('31.73.01.1001', 'pencari_kerja',"
                       " 'P', 0, 2)")
        diffs, summary = reg.verify(expect=1)
        assert summary["differ"] >= 3, summary
        assert any(x["wilayah"] == "31.73.01.1001" and x["dihitung"] == 0 for x in diffs), diffs
        code, out, err = reg.cli(["stats", "rebuild"])
        eq(code, 0, "rebuild: " + err)
        assert json.loads(out.strip().splitlines()[-1])["cells"] > 0, out
        diffs, summary = reg.verify()
        eq((diffs, summary["ok"], summary["participants"]), ([], True, 15), "after rebuild")
        # the city cells the province reads (migration 21): a wrong one
        # shows in the province's figures, verify names it, rebuild repairs
        city = [c for c in reg.db.query("SELECT kode_kota, segmen, jenis_kelamin, reasons"
                                        " FROM participant_count_city WHERE n > 0"
                                        " ORDER BY 1, 2, 3, 4") if c[0] == "31.74"][0]
        reg.db.execute("UPDATE participant_count_city SET n = n + 2 WHERE kode_kota = '%s'"
                       " AND segmen = '%s' AND jenis_kelamin = '%s' AND reasons = %d"
                       % tuple(city))
        with h.Server(db=reg.db) as s:
            eq(stats(s, reg.token(), "31")["total"], recount(reg.db, "31")["total"] + 2,
               "the province from the corrupted city cell")
            eq(stats(s, reg.token(), "31.74.01")["total"], recount(reg.db, "31.74.01")["total"],
               "a district reads the village cells")
        diffs, summary = reg.verify(expect=1)
        eq([(d["wilayah"], d["segmen"], d["tersimpan"] - d["dihitung"]) for d in diffs],
           [("31.74", city[1], 2)], "the city cell named")
        code, out, err = reg.cli(["stats", "rebuild"])
        eq(code, 0, "rebuild: " + err)
        diffs, summary = reg.verify()
        eq((diffs, summary["ok"]), ([], True), "after the second rebuild")
        code, out, err = reg.cli(["audit", "--kind", "stats.rebuild"])
        eq(code, 0, err)
        eq(len(out.strip().splitlines()), 2, "each rebuild audited: %r" % out)



@test
def migration_15_fills_the_counters_of_an_existing_registry():
    with Reg() as reg:
        reg.imp([person() for _ in range(12)])
        reg.lst("daftar_hitam", [person(3)["nik"]])
        # back to version 14: no counters, no triggers
        reg.db.execute("DROP TABLE participant_count_city")  # and 21, its city cells
        if h.PG:
            reg.db.execute("DROP TABLE participant_count CASCADE")
            for op in ("insert", "update", "delete"):
                reg.db.execute("DROP TRIGGER participant_count_%s ON participant" % op)
                reg.db.execute("DROP FUNCTION participant_count_%s()" % op)
        else:
            for op in ("insert", "update", "delete"):
                reg.db.execute("DROP TRIGGER participant_count_%s" % op)
            reg.db.execute("DROP TABLE participant_count")
        # and the migrations after it, applied again after 15: 16 (the
        # name index), 17 (consent) and 18 (reminders)
        if h.PG:
            reg.db.execute("DROP INDEX participant_nama_trgm")
        else:
            for t in ("ai", "ad", "au"):
                reg.db.execute("DROP TRIGGER participant_name_%s" % t)
            reg.db.execute("DROP TABLE participant_name")
        reg.db.execute("DROP TABLE pk_consent_change")
        reg.db.execute("DROP TABLE pk_consent_stop")
        if h.PG:
            reg.db.execute("DROP FUNCTION pk_consent_change_append_only()")
        # and 18 (reminders)
        for table in ("pk_remind_fire", "pk_remind_message", "pk_contact_failed", "pk_lease"):
            reg.db.execute("DROP TABLE %s" % table)
        # and 19 (residents)
        for table in ("pk_resident_code", "pk_resident_session", "pk_contact_pref"):
            reg.db.execute("DROP TABLE %s" % table)
        # and 22 (webhooks; its columns went with pk_remind_message)
        reg.db.execute("DROP TABLE pk_inbound")
        # and 23 (outreach events)
        for table in ("pk_outreach_attribution", "pk_outreach_event"):
            reg.db.execute("DROP TABLE %s" % table)
        # and 24 (the journey's counters, pk_journey.first_incentive_at)
        if h.PG:
            for op in ("insert", "update", "delete"):
                reg.db.execute("DROP TRIGGER journey_count_%s ON pk_journey" % op)
                reg.db.execute("DROP FUNCTION journey_count_%s()" % op)
            reg.db.execute("DROP TRIGGER journey_count_participant ON participant")
            reg.db.execute("DROP FUNCTION journey_count_participant()")
        else:
            for op in ("insert", "update", "delete", "participant"):
                reg.db.execute("DROP TRIGGER journey_count_%s" % op)
        reg.db.execute("DROP TABLE journey_count")
        reg.db.execute("ALTER TABLE pk_journey DROP COLUMN first_incentive_at")
        # and 27 (the effect of reminders' counters; the triggers on
        # pk_remind_fire and remind_reach go with their tables)
        for t, on in (("journey_insert", "pk_journey"), ("journey_delete", "pk_journey"),
                      ("journey_update", "pk_journey"), ("participant", "participant")):
            reg.db.execute("DROP TRIGGER remind_effect_%s%s" % (t, " ON " + on if h.PG else ""))
        reg.db.execute("DROP TABLE remind_effect_count")
        reg.db.execute("DROP TABLE remind_reach")
        if h.PG:
            for f in ("remind_reach_fire_insert", "remind_reach_fire_update",
                      "remind_effect_reach_insert", "remind_effect_reach_update",
                      "remind_effect_reach_delete", "remind_effect_journey_insert",
                      "remind_effect_journey_delete", "remind_effect_journey_update",
                      "remind_effect_participant"):
                reg.db.execute("DROP FUNCTION %s()" % f)
        # and 26 (the journey's cells per city; its triggers are 24's, made again)
        reg.db.execute("DROP TABLE journey_count_city")
        # and 28, 29 (the b-tree of the names' beginnings: PostgreSQL's, SQLite's)
        reg.db.execute("DROP INDEX %s" % ("participant_nama_prefix" if h.PG
                                          else "participant_nama_lower"))
        reg.db.execute("DELETE FROM pk_migration WHERE version >= 15")
        code, out, err = reg.cli(["migrate"])
        eq(code, 0, "migrate: " + err)
        diffs, summary = reg.verify()
        eq((diffs, summary["participants"]), ([], 12), "verify after the migration")
        reg.imp([person()])
        diffs, summary = reg.verify()
        eq((diffs, summary["participants"]), ([], 13), "verify after a write")


@test
def writes_race_reads_on_two_processes_and_the_counts_stay_exact():
    """Registrations through two server processes, an import and two
    replacements of an exclusion list, all at once, while both
    processes answer the statistics; each answer adds up and never goes
    down, and afterwards every counter equals a recount."""
    with Reg() as reg, h.Server(db=reg.db) as a, h.Server(db=reg.db) as b:
        token = reg.token()
        early = [person() for _ in range(60)]
        reg.imp(early)  # the list below names some of them
        regs = [person() for _ in range(160)]
        imported = [person() for _ in range(400)]
        problems, polls = [], []
        done = threading.Event()

        def register(server, chunk):
            for p in chunk:
                try:
                    st, _, body = server.json("POST", "/api/v1/participants", p)
                    if st != 201:
                        problems.append(("register", st, body))
                except Exception as e:  # noqa: BLE001
                    problems.append(("register", repr(e)))

        def poll(server, region):
            last = -1
            while not done.is_set():
                try:
                    st, _, body = server.json("GET", S + "?region=" + region,
                                              headers={"Authorization": "Bearer " + token})
                    assert st == 200, (st, body)
                    t = body["total"]
                    assert t == body["eligible"] + body["not_eligible"], body
                    assert t == sum(body["by_sex"].values()), body
                    assert t == sum(body["by_segment"].values()), body
                    for v in body["by_reason"].values():
                        assert 0 < v <= body["not_eligible"], body
                    assert t >= last, "total went down: %d -> %d" % (last, t)
                    last = t
                    polls.append(t)
                except Exception as e:  # noqa: BLE001
                    problems.append(("stats", region, repr(e)))
                    return

        def run_import():
            code, out, err = reg.cli(["import", "participants", path])
            if code != 0:
                problems.append(("import", code, err[-400:]))

        def run_lists():
            for niks in ([p["nik"] for p in early[:20]], [p["nik"] for p in early[10:40]]):
                code, out, err = reg.cli(["import", "exclusions", "--list", "daftar_hitam",
                                          reg.write("nik\n" + "".join(n + "\n" for n in niks))])
                if code != 0:
                    problems.append(("list", code, err[-400:]))

        path = reg.write(csv_text(imported))
        threads = [threading.Thread(target=poll, args=(srv, region))
                   for srv in (a, b) for region in ("31", "31.74")]
        writers = [threading.Thread(target=register, args=(srv, regs[i::4]))
                   for i, srv in enumerate((a, b, a, b))]
        writers += [threading.Thread(target=run_import), threading.Thread(target=run_lists)]
        t0 = time.monotonic()
        for t in threads + writers:
            t.start()
        for t in writers:
            t.join(300)
        done.set()
        for t in threads:
            t.join(30)
        h.diag("%d registrations, an import of %d, two list replacements in %.1fs; %d stats reads"
               % (len(regs), len(imported), time.monotonic() - t0, len(polls)))
        assert not problems, "problems: %r" % problems[:5]
        assert len(polls) >= 8, "stats read only %d times" % len(polls)
        total = len(early) + len(regs) + len(imported)
        eq(recount(reg.db)["total"], total, "participants")
        for srv in (a, b):
            b31 = stats(srv, token, "31")
            eq({k: b31[k] for k in ("total", "eligible")},
               {k: recount(reg.db, "31")[k] for k in ("total", "eligible")}, "stats after")
        diffs, summary = reg.verify()
        eq((diffs, summary["ok"], summary["participants"]), ([], True, total), "verify after")


if __name__ == "__main__":
    h.run()
