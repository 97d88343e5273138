#!/usr/bin/env python3
"""Name search at the SQL level, before and after migration 16 (issue #16).

    bench/search.py BASE.db NEW.db

BASE.db: a registry imported by a build before migration 16 (no name
index); NEW.db: the same file imported by this build.  Runs the store's
name search (S_PARTICIPANTS_SEARCH_NAME, sqlite_stmts.h) in both forms,
the instr() scan on BASE and the FTS5 trigram index on NEW, in
interleaved pairs (5 each), and prints the medians.  SQL only: no HTTP,
no unsealing of the rows' personal data.
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


def main():
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
