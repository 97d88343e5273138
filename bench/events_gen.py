#!/usr/bin/env python3
"""Deterministic generator of realistic journey event files.

    python3 bench/events_gen.py EVENTS PARTICIPANTS.csv [--seed N] [--bad-rate 0.005]
                                [--stats] > events.csv

Writes about EVENTS data rows (plus the header) in the format of
shared/spec/journey-events-csv.md, for recipients taken in file order from
the NIKs of PARTICIPANTS.csv (a file of bench/gen.py with --bad-rate 0,
imported first: the events refer to its people).  One recipient per ~10
events.  The same arguments give the same bytes (random.Random(seed), no
clock).

One recipient's journey, in time:
  * ~70% joined a wave first (gabung_gelombang); ~15% of those were not
    selected in an earlier wave (gabung_gelombang, tidak_lolos).
  * lolos in wave 1-30 (April 2020 - December 2022), then saldo_masuk of
    3,500,000 a few hours later.
  * 1-3 purchases (pembelian, 100,000-1,000,000 each, never more than the
    balance), ~6% of them cancelled (pembatalan with ref_asal, same amount);
    a certificate (selesai_pelatihan) for ~90% of the purchases, a review
    (ulasan) for ~85% of those.
  * ~93% link a payout account (rekening_tertaut: bni, gopay, ovo, linkaja,
    dana), then 1-4 incentives of 600,000 (insentif_dibayar; ~5% fail first,
    insentif_gagal with a reason, and are paid later).
  * ~45% get employment surveys 1-3 (survei_dibuka; ~85% filled in,
    survei_diisi; those paid 50,000, insentif_survei_dibayar).
  * ~2% never buy: dicabut (tidak_membeli_pelatihan) and saldo_hangus of
    the whole balance.
The rows of 20,000 recipients at a time are written in waktu order (a
programme office exports by time, not by person), so one person's rows are
scattered through a stretch of the file and the importer has to sort.
Times are WIB (+07:00) or UTC (Z, ~10%).

Refs are numbered in file (time) order, as a sender numbers its events.

Bad rows, about --bad-rate of the file, one fault each (BAD_KINDS): a NIK not
in the registry (peserta_tidak_dikenal), a malformed NIK, an unknown
peristiwa, a waktu without offset, a jumlah with separators, a missing ke, a
purchase larger than the balance (saldo_tidak_cukup), a recipient's event
for someone never selected (belum_penerima), a second lolos
(sudah_penerima).  Besides, ~0.2% of the rows are sent twice (same ref:
duplicates, not rejections).
"""
import argparse
import sys
import time
from random import Random

HEADER = "ref,nik,peristiwa,waktu,gelombang,jumlah,ke,pelatihan,platform,ref_asal,keterangan"
BAD_KINDS = ["nik_unknown", "nik_malformed", "peristiwa", "waktu", "jumlah", "ke_missing",
             "saldo", "belum_penerima", "sudah_penerima"]
PLATFORMS = ["tokopedia", "bukalapak", "pijarmahir", "sisnaker", "pintaria", "sekolahmu",
             "mauboljar", "kemnaker"]
BANKS = ["bni", "gopay", "ovo", "linkaja", "dana"]
FAILS = ["rekening_tidak_aktif", "belum_upgrade", "nama_tidak_sesuai", "saldo_dompet_penuh",
         "lainnya"]
WAVE1 = 1586304000  # 2020-04-08T00:00:00Z
DAY = 86400
BALANCE = 3500000


def stamp(t, utc):
    if utc:
        return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))
    return time.strftime("%Y-%m-%dT%H:%M:%S+07:00", time.gmtime(t + 7 * 3600))


def journey(rng, nik, refs):
    """The rows of one recipient: (at, fields...) tuples."""
    out = []
    wave = rng.randint(1, 30)
    t0 = WAVE1 + (wave - 1) * 33 * DAY + rng.randint(0, 2 * DAY)

    def ev(at, kind, gel="", jumlah="", ke="", pel="", plat="", ref_asal="", ket=""):
        ref = next(refs)
        out.append((at, ref, nik, kind, gel, jumlah, ke, pel, plat, ref_asal, ket))
        return ref

    if rng.random() < 0.7:
        if wave > 1 and rng.random() < 0.15:
            ev(t0 - 40 * DAY, "gabung_gelombang", gel=str(wave - 1))
            ev(t0 - 33 * DAY, "tidak_lolos", gel=str(wave - 1), ket="kuota_gelombang_penuh")
        ev(t0 - rng.randint(3, 9) * DAY, "gabung_gelombang", gel=str(wave))
    ev(t0, "lolos", gel=str(wave))
    t = t0 + rng.randint(3600, 20 * 3600)
    ev(t, "saldo_masuk", jumlah=str(BALANCE))
    if rng.random() < 0.02:
        ev(t0 + 31 * DAY, "dicabut", ket="tidak_membeli_pelatihan")
        ev(t0 + 31 * DAY + 60, "saldo_hangus", jumlah=str(BALANCE))
        return out
    balance = BALANCE
    first_done = None
    for _ in range(rng.choice((1, 1, 2, 2, 2, 3))):
        amount = rng.randrange(100000, 1000001, 5000)
        if amount > balance:
            break
        t += rng.randint(3600, 5 * DAY)
        course = "%s-%05d" % ("KLS", rng.randint(1, 40000))
        plat = rng.choice(PLATFORMS)
        pref = ev(t, "pembelian", jumlah=str(amount), pel=course, plat=plat)
        balance -= amount
        if rng.random() < 0.06:
            t += rng.randint(600, DAY)
            ev(t, "pembatalan", jumlah=str(amount), ref_asal=pref)
            balance += amount
            continue
        if rng.random() < 0.9:
            t += rng.randint(DAY, 10 * DAY)
            ev(t, "selesai_pelatihan", pel=course, plat=plat)
            first_done = first_done or t
            if rng.random() < 0.85:
                t += rng.randint(60, 2 * DAY)
                ev(t, "ulasan", pel=course)
    if first_done is None or rng.random() > 0.93:
        return out
    t += rng.randint(3600, 3 * DAY)
    ev(t, "rekening_tertaut", ket=rng.choice(BANKS))
    for k in range(1, rng.choice((1, 2, 3, 4, 4, 4)) + 1):
        t += rng.randint(25 * DAY, 35 * DAY)
        if rng.random() < 0.05:
            ev(t, "insentif_gagal", ke=str(k), ket=rng.choice(FAILS))
            t += rng.randint(DAY, 7 * DAY)
        ev(t, "insentif_dibayar", ke=str(k), jumlah="600000")
    if rng.random() < 0.45:
        for k in range(1, rng.randint(1, 3) + 1):
            t += rng.randint(20 * DAY, 40 * DAY)
            ev(t, "survei_dibuka", ke=str(k))
            if rng.random() < 0.85:
                t += rng.randint(600, 20 * DAY)
                ev(t, "survei_diisi", ke=str(k))
                ev(t + rng.randint(DAY, 5 * DAY), "insentif_survei_dibayar", ke=str(k),
                   jumlah="50000")
    return out


def spoil(rng, row, kind, stranger, refs):
    """One fault in a copy of row (a good row of a recipient)."""
    at, ref, nik, kind0, gel, jumlah, ke, pel, plat, ref_asal, ket = row
    ref = "pmo-x%07x" % next(refs)
    if kind0 == "pembatalan":
        ref_asal = "pmo-x-none"
    r = [at, ref, nik, kind0, gel, jumlah, ke, pel, plat, ref_asal, ket]
    if kind == "nik_unknown":
        r[2] = stranger
    elif kind == "nik_malformed":
        r[2] = nik[:15]
    elif kind == "peristiwa":
        r[3] = "lulus"
    elif kind == "waktu":
        r[0] = None  # written without an offset
    elif kind == "jumlah":
        r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10] = ("saldo_masuk", "", "3.500.000", "",
                                                          "", "", "", "")
    elif kind == "ke_missing":
        r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10] = ("survei_dibuka", "", "", "", "",
                                                          "", "", "")
    elif kind == "saldo":
        r[3], r[5], r[7], r[8], r[9], r[10] = ("pembelian", "99000000", "KLS-00001", "tokopedia",
                                               "", "")
    elif kind == "belum_penerima":
        r[2] = stranger  # a registered person never selected
        r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10] = ("ulasan", "", "", "", "KLS-00002",
                                                          "", "", "")
    elif kind == "sudah_penerima":
        r[0] = at + 400 * DAY
        r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10] = ("lolos", "31", "", "", "", "", "", "")
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("events", type=int)
    ap.add_argument("participants")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--bad-rate", type=float, default=0.005)
    ap.add_argument("--stats", action="store_true")
    a = ap.parse_args()
    rng = Random(a.seed)
    niks = []
    with open(a.participants, encoding="utf-8") as f:
        f.readline()
        for line in f:
            niks.append(line[:16])
    want_people = max(1, a.events // 10)
    if len(niks) < want_people + want_people // 50 + 1:
        sys.exit("events_gen: %s has %d people, need %d (recipients) + 2%% (never selected)"
                 % (a.participants, len(niks), want_people + want_people // 50 + 1))
    # the people after the recipients are registered but never selected
    spare = niks[want_people:]
    counter = iter(range(1 << 62))
    bad_refs = iter(range(1 << 62))
    serial = iter(range(1, 1 << 62))  # refs in file order, as a programme office numbers them
    stats = {}
    w = sys.stdout.write
    w(HEADER + "\n")
    written = 0
    person = 0
    chunk = 20000
    while written < a.events and person < want_people:
        rows = []
        for p in range(person, min(person + chunk, want_people)):
            rows.extend(journey(rng, niks[p], counter))
        person = min(person + chunk, want_people)
        extra = []
        for row in rows:
            if rng.random() < a.bad_rate:
                kind = rng.choice(BAD_KINDS)
                stranger = ("3171010101900%03d" % rng.randint(0, 999)
                            if kind == "nik_unknown" else rng.choice(spare))
                extra.append(spoil(rng, row, kind, stranger, bad_refs))
                stats[kind] = stats.get(kind, 0) + 1
            elif rng.random() < 0.002:
                extra.append(list(row))
                stats["sent_twice"] = stats.get("sent_twice", 0) + 1
        rows.extend(tuple(r) if r[0] is not None else tuple([-1] + r[1:]) for r in extra)
        rows.sort(key=lambda r: r[0] if r[0] >= 0 else 0)
        out = []
        names = {}  # the internal numbers of this chunk's refs, named in file order
        for r in rows:
            if written >= a.events:
                break
            at = r[0]
            if at < 0:
                waktu = "2021-03-05 10:00:00"
            else:
                waktu = stamp(at, (at % 10) == 3)
            ref, ref_asal = r[1], r[9]
            if isinstance(ref, int):
                ref = names.get(ref) or names.setdefault(ref, "pmo-%09d" % next(serial))
            if isinstance(ref_asal, int):
                ref_asal = names[ref_asal]
            out.append("%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s\n" % (ref, r[2], r[3], waktu, r[4], r[5],
                                                               r[6], r[7], r[8], ref_asal, r[10]))
            written += 1
        w("".join(out))
    if a.stats:
        print("rows %d, recipients %d, bad %s" % (written, person, stats), file=sys.stderr)


if __name__ == "__main__":
    main()
