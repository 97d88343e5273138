#!/usr/bin/env python3
"""Name search at the SQL level, before and after migration 16 (issue #16).

    bench/search.py BASE.db NEW.db
    bench/search.py --pages NEW.db


BASE.db: a registry imported by a build before migration 16 (no name
index); NEW.db: the same file imported by this build.  Runs the store's
name search (S_PARTICIPANTS_SEARCH_NAME, sqlite_stmts.h) in both forms,
the instr() scan on BASE and the FTS5 trigram index on NEW, in
interleaved pairs (5 each), and prints the medians.  SQL only: no HTTP,
no unsealing of the rows' personal data.

--pages: on one registry of this build, the ranked search of migration 16
(bm25 over every match, then id) against the paged one that replaced it
(sq_participants_search: one tier at a time in rowid order, 51 rows at
most: a page and one to tell that another follows), in interleaved pairs
(5 each), medians; and the paged search's 20th page of 'Budi'.
"""
import sqlite3
import statistics
import sys
import time

OLD = ("SELECT * FROM participant WHERE kode_wilayah >= ? AND kode_wilayah < ? AND "
       "instr(lower(nama), lower(?)) > 0 ORDER BY nama, id LIMIT 50")
NEW = ("SELECT p.* FROM participant_name f JOIN participant p ON p.id = f.rowid WHERE "
       "participant_name MATCH ? AND p.kode_wilayah >= ? AND p.kode_wilayah < ? "
       "ORDER BY f.rank, p.id LIMIT 50")
CASES = (("31", "Budi"), ("31.74", "Budi"), ("31", "Kurniawan"), ("31.74.01", "Siti Rahma"))


def timed(f):
    a = time.perf_counter()
    n = f()
    return time.perf_counter() - a, n


def timed_cpu(f):
    """(wall, CPU of this process, result)"""
    a, c = time.perf_counter(), time.process_time()
    n = f()
    return time.perf_counter() - a, time.process_time() - c, n


TIERS = ('^{p}', '{s} NOT ^{p}', '{p} NOT (^{p} OR {s})')
PAGE = ("SELECT p.* FROM participant_name f CROSS JOIN participant p ON p.id = f.rowid "
        "WHERE participant_name MATCH ? AND f.rowid > ? AND f.rowid <= ? AND "
        "p.kode_wilayah >= ? AND p.kode_wilayah < ? ORDER BY f.rowid LIMIT ?")
PAGE_IN = PAGE.replace("p.kode_wilayah >= ? AND p.kode_wilayah < ?",
                       "+f.rowid IN (SELECT id FROM participant WHERE kode_wilayah >= ? AND "
                       "kode_wilayah < ?)")
PAGE_CASES = CASES + (("31.74.01.1001", "Budi"), ("31", "Siti"))


def paged(db, scope, q, after=(0, 0), limit=51):
    """The rows of one page as the store reads them: (tier, id) after
    `after`, limit at most; returns them as (tier, id)."""
    p = '"%s"' % q.replace('"', '""')
    sp = '" %s"' % q.replace('"', '""')
    out = []
    for t in range(after[0], 3):
        lo = after[1] if t == after[0] else 0
        rows = db.execute(PAGE_IN if scope.count(".") >= 3 else PAGE, (TIERS[t].format(p=p, s=sp), lo, 2**63 - 1, scope, scope + "/",
                                 limit - len(out))).fetchall()
        out += [(t, r[0]) for r in rows]
        if len(out) >= limit:
            break
    return out


def pages(path):
    db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    for scope, q in PAGE_CASES:
        hi = scope + "/"
        old_t, new_t, old_c, new_c = [], [], [], []
        phrase = '"%s"' % q.replace('"', '""')
        for _ in range(5):
            d, c, n1 = timed_cpu(lambda: len(db.execute(NEW.replace("LIMIT 50", "LIMIT 51"),
                                                        (phrase, scope, hi)).fetchall()))
            old_t.append(d)
            old_c.append(c)
            d, c, n2 = timed_cpu(lambda: len(paged(db, scope, q)))
            new_t.append(d)
            new_c.append(c)
        matches = db.execute("SELECT count(*) FROM participant_name f JOIN participant p ON "
                             "p.id = f.rowid WHERE participant_name MATCH ? AND "
                             "p.kode_wilayah >= ? AND p.kode_wilayah < ?",
                             (phrase, scope, hi)).fetchone()[0]
        mo, mn = statistics.median(old_t), statistics.median(new_t)
        print("scope %-13s q=%-10s matches %5d rows %2d/%2d  ranked %.4f s (CPU %.4f)  "
              "paged %.4f s (CPU %.4f)"
              % (scope, q, matches, n1, n2, mo, statistics.median(old_c), mn,
                 statistics.median(new_c)))
    # deep in the pages: the 20th page of 'Budi' for an admin
    after, ts = (0, 0), []
    for _ in range(19):
        after = paged(db, "31", "Budi", after, 50)[-1]
    for _ in range(5):
        d, n = timed(lambda: len(paged(db, "31", "Budi", after)))
        ts.append(d)
    print("scope 31 q=Budi page 20 (after key %s): %d rows, paged %.4f s" %
          (after, n, statistics.median(ts)))


def main():
    if sys.argv[1] == "--pages":
        return pages(sys.argv[2])
    base = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
    new = sqlite3.connect("file:%s?mode=ro" % sys.argv[2], uri=True)
    for scope, q in CASES:
        hi = scope + "/"
        old_t, new_t = [], []
        for _ in range(5):
            d, n1 = timed(lambda: len(base.execute(OLD, (scope, hi, q)).fetchall()))
            old_t.append(d)
            phrase = '"%s"' % q.replace('"', '""')
            d, n2 = timed(lambda: len(new.execute(NEW, (phrase, scope, hi)).fetchall()))
            new_t.append(d)
        mo, mn = statistics.median(old_t), statistics.median(new_t)
        print("scope %-9s q=%-11s rows %2d/%2d  scan %.3f s  index %.4f s  (%.0fx)"
              % (scope, q, n1, n2, mo, mn, mo / mn))


if __name__ == "__main__":
    main()
