#!/usr/bin/env python3
"""Recompute a wave's draw from its exported selection file and the seed.

Usage: verify_draw.py --seed HEX [--quota N] [--snapshot HEX] [--result HEX] FILE

FILE is what `prakerja export selection --wave N` writes: the columns
nik,tier,rank,status,alasan, one applicant a line.  The seed is the 64 hex
digits the programme office announced.  Python 3 standard library only, so
anyone can read and run it (docs/DRAW.md explains the draw).

The script checks, independently of prakerja:
  1. every rank is SHA-256(the 32 seed bytes || the 16 ASCII digits of the
     NIK), written as 64 hex digits;
  2. the walk: the applicants who took part in it (selected, or not selected
     for a quota) ordered by (tier, rank) -- after the first one turned away
     because the wave's quota was full, nobody is selected; with --quota, no
     more than N are selected, and exactly N when someone was turned away for
     the wave's quota;
  3. the snapshot digest (SHA-256 of the NIKs in ascending order, each
     followed by a newline) and the result digest (SHA-256 of the lines
     "nik,status"), compared with --snapshot / --result when given.
It prints the order of the walk, the digests and MATCH (exit 0) or
MISMATCH with the reasons (exit 1).
"""
import argparse
import csv
import hashlib
import re
import sys

QUOTA_CODES = ("kuota_gelombang_penuh", "kuota_wilayah_penuh", "kuota_kk_penuh")
HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")


def rank(seed, nik):
    return hashlib.sha256(seed + nik.encode("ascii")).hexdigest()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", required=True, help="the draw's seed, 64 hex digits")
    ap.add_argument("--quota", type=int, help="the wave's overall quota")
    ap.add_argument("--snapshot", help="the published snapshot digest, to compare")
    ap.add_argument("--result", help="the published result digest, to compare")
    ap.add_argument("file", help="the exported selection file (CSV)")
    a = ap.parse_args()
    if not HEX64.match(a.seed):
        print("the seed must be exactly 64 hex digits", file=sys.stderr)
        return 2
    seed = bytes.fromhex(a.seed)
    problems = []
    rows = []
    with open(a.file, newline="", encoding="utf-8") as f:
        r = csv.reader(f)
        header = next(r, None)
        if header != ["nik", "tier", "rank", "status", "alasan"]:
            print("the header must be nik,tier,rank,status,alasan", file=sys.stderr)
            return 2
        for line, row in enumerate(r, 2):
            if len(row) != 5:
                problems.append("line %d: %d columns, not 5" % (line, len(row)))
                continue
            nik, tier, rk, status, reason = row
            if not re.match(r"^[0-9]{16}$", nik):
                problems.append("line %d: the NIK is not 16 digits" % line)
                continue
            if tier not in ("0", "1"):
                problems.append("line %d: tier must be 0 or 1" % line)
                continue
            if status not in ("lolos", "tidak_lolos"):
                problems.append("line %d: status must be lolos or tidak_lolos" % line)
                continue
            if (status == "lolos") != (reason == ""):
                problems.append("line %d: a reason goes with tidak_lolos, and only with it" % line)
            want = rank(seed, nik)
            if rk.lower() != want:
                problems.append("line %d: rank is %s, recomputed %s" % (line, rk, want))
            rows.append((nik, int(tier), want, status, reason))
    niks = sorted(x[0] for x in rows)
    if len(set(niks)) != len(niks):
        problems.append("a NIK appears more than once")

    walk = sorted((x for x in rows if x[3] == "lolos" or x[4] in QUOTA_CODES),
                  key=lambda x: (x[1], x[2]))
    print("order of the walk (tier, rank):")
    full = False
    for pos, (nik, tier, rk, status, reason) in enumerate(walk, 1):
        print("%3d  %s  %d  %s  %s" % (pos, nik, tier, rk, status if status == "lolos" else reason))
        if reason == "kuota_gelombang_penuh":
            full = True
        elif status == "lolos" and full:
            problems.append("%s is selected after the wave's quota was full" % nik)
    selected = sum(1 for x in rows if x[3] == "lolos")
    if a.quota is not None:
        if selected > a.quota:
            problems.append("%d selected, more than the quota %d" % (selected, a.quota))
        if full and selected != a.quota:
            problems.append("someone was turned away for the quota, but only %d of %d "
                            "places are filled" % (selected, a.quota))

    by_nik = {x[0]: x for x in rows}
    snap = hashlib.sha256("".join(n + "\n" for n in niks).encode("ascii")).hexdigest()
    res = hashlib.sha256("".join("%s,%s\n" % (n, by_nik[n][3]) for n in niks)
                         .encode("ascii")).hexdigest()
    print("applicants: %d, selected: %d" % (len(rows), selected))
    print("snapshot_sha256: %s" % snap)
    print("result_sha256: %s" % res)
    if a.snapshot and a.snapshot.lower() != snap:
        problems.append("the snapshot digest differs from the published one")
    if a.result and a.result.lower() != res:
        problems.append("the result digest differs from the published one")
    if problems:
        print("MISMATCH")
        for p in problems:
            print("  " + p)
        return 1
    print("MATCH")
    return 0


if __name__ == "__main__":
    sys.exit(main())
