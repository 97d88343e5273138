"""Black-box tests of how `prakerja import events` loads a file: the bulk
load into a store without events against the row-by-row import,
the batches, runs and transactions of the passes, and the events' unique
index (TAP).  What a file means is test_journey.py's.

usage: python3 tests/http/test_journey_import.py PATH-TO-PRAKERJA [TEST-NAME...]
"""

import json
import random

import harness as h
from harness import eq, test

# Helpers shared with other programs; importing them must not register
# their tests here.
_n0 = len(h._tests)
from test_journey import EVENT_COLUMNS, JOURNEY_ALL, STATE, J, ev, journey_of, t  # noqa: E402
from test_registry import csv_text  # noqa: E402
del h._tests[_n0:]

BULK = {"PRAKERJA_IMPORT_BULK_MB": "0"}       # a first import loads in bulk
NO_BULK = {"PRAKERJA_IMPORT_BULK_MB": "100000"}


def assert_bulk(stderr):
    """The import said it loaded in bulk (else a comparison with row by
    row would hold trivially)."""
    eq("loading in bulk" in stderr, True, "a bulk load (stderr %r)" % stderr)


@test
def bulk_first_import_equals_row_by_row_and_first_row_of_a_ref_wins():
    """A file into a store without events is a bulk load on SQLite (the
    (source, ref) index built at the end, no look-ups): the same summary,
    rejects, events and states as row by row.  Of the rows that share a
    ref, the first in the file is the event, for whichever person."""
    with J("bulk") as a, J("rows") as b:
        na, nb = a.people(4), b.people(4)
        eq(na, nb, "the same NIKs")
        n = na
        stranger = n[0][:-4] + "0999"
        rows = journey_of(n[0], 0) + journey_of(n[1], 1) + journey_of(n[2], 2)[:3]
        random.Random(11).shuffle(rows)
        rows += [
            ev("e0-03", n[3], "lolos", t(2), gelombang=12),      # another person's ref: a duplicate
            ev("e1-05", n[1], "pembatalan", t(5), jumlah=1, ref_asal="e1-04"),  # repeat, changed
            ev("u1", stranger, "lolos", t(1), gelombang=1),      # peserta_tidak_dikenal
            ev("u2", n[3], "saldo_masuk", t(3), jumlah=10),
            ev("u4", n[3], "pembelian", t(4), jumlah=100, pelatihan="K",
               platform="p"),                                    # saldo_tidak_cukup
            ev("u3", n[3], "lolos", t(1)),                       # kolom_tidak_valid
            ev("e2-01", n[2], "gabung_gelombang", t(1), gelombang=12),  # repeat, same
        ]
        # the later person's row of a ref first in the file: theirs wins
        rows.insert(0, ev("e2-03", n[3], "lolos", t(2), gelombang=12))
        want = {"read": 31, "inserted": 24, "duplicates": 4, "rejected": 3,
                "reasons": {"peserta_tidak_dikenal": 1, "saldo_tidak_cukup": 1,
                            "kolom_tidak_valid": 1}}
        sa, ea, ra = a.events(rows, rejects=True, env=BULK)
        assert_bulk(ea)
        sb, _, rb = b.events(rows, rejects=True, env=NO_BULK)
        eq(sa, want, "bulk summary")
        eq(sb, want, "row by row summary")
        eq(ra, rb, "the same rejects, in line order")
        eq(a.stored(), b.stored(), "the same events")
        eq(a.state(), b.state(), "the same states")
        eq(len(a.state()), 4, "four journeys (the fourth person's lolos of e2-03)")
        counts = ("SELECT kode_wilayah, kind, k1, k2, n FROM journey_count WHERE n <> 0"
                  " ORDER BY 1, 2, 3, 4")
        eq(a.sql(counts), b.sql(counts), "the same journey counters")
        if h.BACKEND == "sqlite":
            eq(a.sql("SELECT name FROM sqlite_master WHERE type = 'index'"
                     " AND name IN ('pk_event_ref', 'pk_event_wave') ORDER BY 1"),
               [("pk_event_ref",), ("pk_event_wave",)], "the indexes built again")
            triggers = ("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'"
                        " AND (name LIKE 'journey_count_%' OR name LIKE 'remind_effect_%')"
                        " ORDER BY 1")
            eq(a.sql(triggers), b.sql(triggers), "the counters' triggers again")
            assert any(n == "remind_effect_journey_update" for n, _ in a.sql(triggers)), \
                "the effect of reminders' triggers on the journeys"
            eq(a.sql("PRAGMA integrity_check")[0][0], "ok", "integrity")
        # again, now that events are stored: no bulk load, nothing new
        for x, env in ((a, BULK), (b, NO_BULK)):
            s, _, _ = x.events(rows, env=env)
            eq((s["inserted"], s["duplicates"], s["rejected"]), (0, 28, 3), "the file again")
        eq(a.stored(), b.stored(), "the same events after the file again")
        eq(a.state(), b.state(), "the same states after the file again")


@test
def a_file_of_many_batches_equals_row_by_row():
    """A file of several batches (2,048 rows each) handed from the merge to
    the writes, one person's 1,300 rows split over them (512 at most
    together): the bulk load and the row-by-row import give the same
    summary, rejects, events and states, the purchases beyond the balance
    rejected wherever they fall."""
    with J("bulk") as a, J("rows") as b:
        na, nb = a.people(60), b.people(60)
        eq(na, nb, "the same NIKs")
        big = na[0]
        rows = [ev("b-lolos", big, "lolos", t(1), gelombang=12),
                ev("b-saldo", big, "saldo_masuk", t(1, 11), jumlah=1200000)]
        for i in range(1300):  # 1,200 of them fit the balance
            day, minute = 2 + i // 100, i % 100
            rows.append(ev("b-%04d" % i, big, "pembelian",
                           "2021-03-%02dT10:%02d:%02d+07:00" % (day, minute // 60, minute % 60),
                           jumlah=1000, pelatihan="K-%d" % i, platform="tokopedia"))
        for k, nik in enumerate(na[1:], 1):
            rows += journey_of(nik, k)
        rows += [dict(r) for r in random.Random(5).sample(rows, 40)]  # repeats: duplicates
        random.Random(12).shuffle(rows)
        sa, ea, ra = a.events(rows, rejects=True, env=BULK)
        assert_bulk(ea)
        sb, _, rb = b.events(rows, rejects=True, env=NO_BULK)
        eq(sa, sb, "the same summary")
        eq(sa["read"], len(rows), "every row read")
        eq(sa["duplicates"], 40, "the repeats")
        eq(sa["reasons"], {"saldo_tidak_cukup": 100}, "the purchases over the balance")
        eq(sa["inserted"], 2 + 1200 + 59 * 10, "the rest")
        eq(ra, rb, "the same rejects, in line order")
        eq(a.stored(), b.stored(), "the same events")
        eq(a.state(), b.state(), "the same states")
        first = a.state()[0]
        eq(first[STATE.index("balance") + 1], 0, "the big buyer's balance spent")
        eq(first[STATE.index("purchases") + 1], 1200, "1,200 purchases")


@test
def a_file_of_many_runs_imports_under_a_low_descriptor_limit():
    """The sorted runs of a pass share one temporary file (a descriptor per
    run ran out at about 10M events): a file of many runs imports with at
    most 16 descriptors, soft and hard, as it does without."""
    import resource
    import subprocess
    with J() as r:
        niks = r.people(20)
        note = "catatan " + "x" * 190  # rows of ~550 bytes: a run every 4 MiB
        rows = [ev("run-%05d-%s" % (i, "r" * 50), niks[i % 20], "pembelian",
                   "2021-03-%02dT10:%02d:%02d+07:00" % (2 + i % 20, i // 60 % 60, i % 60),
                   jumlah=1000, pelatihan="K" * 64, platform="P" * 64, keterangan=note)
                for i in range(24000)]
        path = r.write(csv_text(rows, EVENT_COLUMNS))
        p = subprocess.run(
            [h.binary()] + r.db.args_for(["import", "events", path]), cwd=r.tmp,
            env=h.base_env(NO_BULK), capture_output=True, timeout=600,
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (16, 16)))
        err = p.stderr.decode("utf-8", "replace")
        assert h.sanitizer_report(err) is None, err[-2000:]
        eq(p.returncode, 0, "import with 16 descriptors at most (stderr %r)" % err[-600:])
        s = json.loads(p.stdout.decode().strip().splitlines()[-1])
        eq((s["read"], s["duplicates"], s["inserted"] + s["rejected"]), (24000, 0, 24000),
           "every row read and applied or rejected")
        eq(r.sql("SELECT count(*) FROM pk_event")[0][0], s["inserted"] + s["rejected"],
           "the events stored (the rejected kept: the office's, no lolos yet)")


@test
def an_ordinary_import_commits_between_people():
    """Outside a bulk load the rows go in transactions of 5,000 rows or
    more, each ending between two people: 80 people of 102 rows each (a
    batch of 2,048 seldom ends where a person does) commit more than once,
    and every transaction holds whole people."""
    with J("tx") as a:
        niks = a.people(80)
        rows = []
        for k, nik in enumerate(niks):
            rows += [ev("t%d-l" % k, nik, "lolos", t(1), gelombang=12),
                     ev("t%d-s" % k, nik, "saldo_masuk", t(1, 11), jumlah=3500000)]
            rows += [ev("t%d-%03d" % (k, i), nik, "pembelian",
                        "2021-03-%02dT12:%02d:00+07:00" % (2 + i // 50, i % 50),
                        jumlah=1000, pelatihan="K-%d" % i, platform="tokopedia")
                     for i in range(100)]
        random.Random(3).shuffle(rows)
        s, _, _ = a.events(rows, env=NO_BULK)
        eq((s["inserted"], s["rejected"]), (80 * 102, 0), "every row stored")
        details = [d for (d,) in a.sql("SELECT detail FROM audit WHERE action = 'journey.import'"
                                       " ORDER BY id")]
        sizes = [int(d.split("rows=")[1].split()[0]) for d in details]
        assert len(sizes) >= 2, "one transaction for %d rows: %r" % (80 * 102, details)
        eq(sum(sizes), 80 * 102, "the transactions' rows")
        for n in sizes:
            eq(n % 102, 0, "a transaction of whole people (%r)" % sizes)


@test
def migration_32_puts_the_ref_first_and_refs_stay_unique():
    """SQLite's unique index of the events by (source, ref) has the ref
    first since migration 32 (a bulk load builds it faster); a registry
    that has the old one gets the new one, and a ref is still one event
    per source."""
    if h.BACKEND != "sqlite":
        raise h.Skip("SQLite's index (PostgreSQL keeps its own)")
    with J() as r:
        nik = r.people(1)[0]
        s, _, _ = r.events([ev("r1", nik, "gabung_gelombang", t(1), gelombang=12)])
        eq(s["inserted"], 1, "an event")
        cols = lambda: [c[2] for c in r.sql("PRAGMA index_info(pk_event_ref)")]
        eq(cols(), ["ref", "source"], "the ref first")
        # as a release before 32 left it
        r.db.execute("DROP INDEX pk_event_ref")
        r.db.execute("CREATE UNIQUE INDEX pk_event_ref ON pk_event(source, ref)")
        r.db.execute("DELETE FROM pk_migration WHERE version >= 32")
        code, _, err = r.cli(["migrate"])
        eq(code, 0, "migrate (%r)" % err)
        eq(cols(), ["ref", "source"], "migration 32 puts the ref first")
        eq(r.sql("SELECT unique_ FROM (SELECT \"unique\" AS unique_ FROM"
                 " pragma_index_list('pk_event') WHERE name = 'pk_event_ref')"), [(1,)],
           "still unique")
        s, _, _ = r.events([ev("r1", nik, "gabung_gelombang", t(1), gelombang=12),
                            ev("r2", nik, "gabung_gelombang", t(1), gelombang=13)])
        eq((s["inserted"], s["duplicates"]), (1, 1), "r1 once, r2 new")


@test
def a_bulk_load_judges_each_person_as_row_by_row_does():
    """In a bulk load of the office's file the import judges the people's
    events beside the writes, with the terms of the waves the file names
    read beforehand; a person of more rows than a batch takes is judged
    with the first of them stored.  The same journeys as row by row: a
    purchase cancelled after the first-purchase deadline of a wave held
    here (its balance cut-off 8 March) counts as the first purchase, which
    the 30 days of a wave the office holds alone would not say; and so in
    a person of 1,300 rows."""
    with J("bulk") as a, J("rows") as b:
        for x in (a, b):
            code, _, err = x.cli(["wave", "create", "--wave", "7", "--scheme", "2021",
                                  "--opens", "2021-01-01T00:00:00+07:00",
                                  "--closes", "2021-02-28T23:59:59+07:00", "--quota", "10",
                                  "--balance-until", "2021-03-08"])
            eq(code, 0, "wave create: " + err)
        na, nb = a.people(3), b.people(3)
        eq(na, nb, "the same NIKs")

        def bought_then_cancelled(p, nik, wave):
            return [ev(p + "l", nik, "lolos", t(2), gelombang=wave),
                    ev(p + "s", nik, "saldo_masuk", t(3), jumlah=3500000),
                    ev(p + "b", nik, "pembelian", t(4), jumlah=1000000, pelatihan="K",
                       platform="tokopedia"),
                    ev(p + "c", nik, "pembatalan", t(12), jumlah=1000000, ref_asal=p + "b")]
        rows = bought_then_cancelled("h-", na[0], 7) + bought_then_cancelled("o-", na[1], 8)
        rows += bought_then_cancelled("g-", na[2], 7)
        for i in range(1300):  # the long one's purchases, each cancelled a minute later
            at = "2021-03-%02dT%02d:%02d:00+07:00" % (13 + i // 600, 8 + i // 60 % 10, i % 60)
            later = "2021-03-%02dT%02d:%02d:30+07:00" % (13 + i // 600, 8 + i // 60 % 10, i % 60)
            rows += [ev("g-b%04d" % i, na[2], "pembelian", at, jumlah=1000, pelatihan="K",
                        platform="tokopedia"),
                     ev("g-c%04d" % i, na[2], "pembatalan", later, jumlah=1000,
                        ref_asal="g-b%04d" % i)][: 1 if i % 2 else 2]
        random.Random(4).shuffle(rows)
        sa, ea, ra = a.events(rows, rejects=True, env=BULK)
        assert_bulk(ea)
        sb, _, rb = b.events(rows, rejects=True, env=NO_BULK)
        eq(sa, sb, "the same summary")
        eq(sa["rejected"], 0, "nothing rejected")
        eq(ra, rb, "the same rejects, in line order")
        eq(a.stored(), b.stored(), "the same events")
        full = "SELECT %s FROM pk_journey ORDER BY participant_id" % ", ".join(JOURNEY_ALL)
        eq(a.sql(full), b.sql(full), "the same journeys, every column")
        import datetime
        at = int(datetime.datetime.fromisoformat(t(4)).timestamp())
        firsts = [r[0] for r in a.sql("SELECT first_purchase_at FROM pk_journey"
                                      " ORDER BY participant_id")]
        eq(firsts, [at, 0, at], "the first purchase: cancelled after wave 7's deadline, it"
                                " counts; before wave 8's (30 days), it does not")


@test
def a_bulk_load_of_a_local_file_keeps_its_rules_on_the_writer():
    """A local file's rows are judged with this deployment's wave rules,
    which read the store: its bulk load appends on the writer's side, and
    gives what row by row gives (a join to a wave held here and open,
    one to a wave it does not hold, one before the wave opens)."""
    with J("bulk") as a, J("rows") as b:
        for x in (a, b):
            code, _, err = x.cli(["wave", "create", "--wave", "1", "--scheme", "2021",
                                  "--opens", "2021-03-02T00:00:00+07:00",
                                  "--closes", "2021-04-01T00:00:00+07:00", "--quota", "5"])
            eq(code, 0, "wave create: " + err)
        na, nb = a.people(3), b.people(3)
        eq(na, nb, "the same NIKs")
        rows = [ev("j0", na[0], "gabung_gelombang", t(3), gelombang=1),
                ev("j1", na[1], "gabung_gelombang", t(3), gelombang=9),
                ev("j2", na[2], "gabung_gelombang", t(1), gelombang=1)]
        sa, ea, ra = a.events(rows, "--source", "lokal", rejects=True, env=BULK)
        assert_bulk(ea)
        sb, _, rb = b.events(rows, "--source", "lokal", rejects=True, env=NO_BULK)
        eq(sa, sb, "the same summary")
        eq((sa["inserted"], sa["rejected"]), (1, 2), "one join taken")
        eq(ra, rb, "the same rejects")
        eq(a.stored(), b.stored(), "the same events")
        eq(a.state(), b.state(), "the same states")


def schema_of_events(r):
    """The events' and journeys' indexes, constraints and triggers as the
    store describes them (PostgreSQL: with whether each trigger is on)."""
    if h.BACKEND == "sqlite":
        return sorted(r.sql("SELECT type, name, sql FROM sqlite_master WHERE tbl_name IN"
                            " ('pk_event', 'pk_journey') AND type IN ('index', 'trigger')"))
    return sorted(r.sql(
        "SELECT 'index', indexname, indexdef FROM pg_indexes"
        " WHERE tablename IN ('pk_event', 'pk_journey')"
        " UNION ALL SELECT 'constraint', conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid IN ('pk_event'::regclass, 'pk_journey'::regclass)"
        " UNION ALL SELECT 'trigger', tgname, tgenabled::text FROM pg_trigger"
        " WHERE tgrelid IN ('pk_event'::regclass, 'pk_journey'::regclass) AND NOT tgisinternal"))


@test
def a_bulk_load_leaves_the_schema_and_counters_as_row_by_row_does():
    """A bulk load drops the events' unique index by (source, ref) and
    its index by wave (PostgreSQL: the foreign key to the participants
    too), and turns the journeys' counter triggers off; at its end
    everything is as a row-by-row import leaves it: the same indexes,
    constraints and triggers (on), the same counters, which `stats verify`
    finds equal to a recount; and the index refuses a ref stored twice."""
    with J("bulk") as a, J("rows") as b:
        na, nb = a.people(4), b.people(4)
        eq(na, nb, "the same NIKs")
        before = schema_of_events(a)
        rows = []
        for i, nik in enumerate(na):
            rows += journey_of(nik, i)[: 4 + 2 * i]
        random.Random(5).shuffle(rows)
        sa, ea, _ = a.events(rows, env=BULK)
        assert_bulk(ea)
        sb, _, _ = b.events(rows, env=NO_BULK)
        eq(sa, sb, "the same summary")
        eq(sa["inserted"], len(rows), "every row an event")
        eq(schema_of_events(a), before, "the same indexes, constraints and triggers")
        eq(schema_of_events(a), schema_of_events(b), "as row by row")
        for table in ("journey_count", "journey_count_city", "remind_effect_count"):
            q = "SELECT * FROM %s" % table
            eq(sorted(a.sql(q)), sorted(b.sql(q)), table)
        eq(len(a.sql("SELECT * FROM journey_count")) > 0, True, "journeys counted")
        code, out, err = a.cli(["stats", "verify"])
        eq(code, 0, "stats verify (%r)" % err)
        v = json.loads(out.strip().splitlines()[-1])
        eq((v["ok"], v["journey_differ"]), (True, 0), "the counters equal a recount")
        # the triggers count again: a later file's journeys change the counters
        more = journey_of(na[0], 0)[4:6]  # the first person had 4 rows
        s, _, _ = a.events(more)
        eq(s["inserted"], len(more), "a later file")
        s, _, _ = b.events(more)
        q = "SELECT * FROM journey_count"
        eq(sorted(a.sql(q)), sorted(b.sql(q)), "counted alike after a later file")
        # the unique index is there: a stored ref again is a duplicate
        s, _, _ = a.events(rows[:3])
        eq((s["inserted"], s["duplicates"]), (0, 3), "stored refs again")
        try:
            a.sql("INSERT INTO pk_event (participant_id, source, ref, type, at, seq,"
                  " received_at) SELECT participant_id, source, ref, type, at, seq + 1,"
                  " received_at FROM pk_event ORDER BY id LIMIT 1")
        except Exception as e:  # sqlite3.IntegrityError, or psql's failure
            eq("unique" in str(e).lower() or "duplicate" in str(e).lower(), True,
               "refused by the unique index: %s" % e)
        else:
            raise AssertionError("a second event with a stored (source, ref) was stored")


if __name__ == "__main__":
    h.run()
