#!/usr/bin/env python3
"""Deterministic generator of realistic participant exchange files.

    python3 bench/gen.py ROWS [--seed N] [--bad-rate 0.05] [--crlf] > file.csv

Writes ROWS data rows (plus the header) in the format of
shared/spec/participants-csv.md to standard output.  The same ROWS, seed and
bad rate give the same bytes on every run (random.Random(seed), no clock, no
hash-order dependence).

What the rows look like:
  * NIK: PPKKCC of a Jakarta district from data/wilayah/districts.csv, the
    birth date as DDMMYY (day + 40 for women), a serial from 0001 that is
    unique per PPKKCCDDMMYY, so every NIK in the file is different.  Birth
    dates 1960-01-01 .. 2006-12-31.  About 0.3% of the good rows carry an
    old district code that is no longer in the table (a warning, not an
    error) and about 0.3% a tanggal_lahir that differs from the NIK's
    (also a warning).
  * Families: one KK number for 1-4 people (sizes 40/30/20/10%); about 70%
    of the families appear on consecutive rows, the rest are scattered
    through the file.  Family members share KK, domicile and address, and
    usually the district of the NIK and the last name.  KK numbers are unique
    per family.
  * Names from a list of common Indonesian first and last names, some with
    academic titles after a comma ("Dewi Lestari, S.Kom."), some with an
    apostrophe.
  * Phones: 08.., 628.., +628.. with spaces or dashes.  E-mail on ~60% of rows.
  * Domicile: a Jakarta village code, dotted (31.74.01.1001) or not
    (3174011001).  Address with commas (always quoted), sometimes empty,
    rarely with an embedded quote.
  * pendidikan / segmen / pekerjaan from the spec's value lists; pekerjaan is
    mostly allowed values or empty, ~3% students and ~2% excluded
    occupations (asn, tni, polri, ...).
  * About --bad-rate of the rows have exactly one bad field (wrong NIK length,
    impossible NIK date, unknown NIK province, bad KK, empty name, bad date,
    bad sex, bad phone, bad e-mail, unknown village, village outside Jakarta,
    bad pendidikan, bad segmen, bad pekerjaan).  The kinds are listed in
    BAD_KINDS; --stats prints how many of each were written (to stderr).
"""
import argparse
import datetime
import os
import sys
from random import Random

HERE = os.path.dirname(os.path.abspath(__file__))
WILAYAH = os.path.join(HERE, "..", "data", "wilayah")

HEADER = ("nik,no_kk,nama,tanggal_lahir,jenis_kelamin,no_hp,email,kode_wilayah,"
          "alamat,pendidikan,segmen,pekerjaan")

MALE_FIRST = [
    "Budi", "Agus", "Ahmad", "Muhammad", "Rizki", "Dedi", "Hendra", "Andi", "Joko", "Eko",
    "Bambang", "Slamet", "Arif", "Fajar", "Dimas", "Yusuf", "Rudi", "Irfan", "Adi", "Bayu",
    "Hadi", "Wahyu", "Teguh", "Heru", "Iwan", "Reza", "Fauzi", "Gilang", "Ilham", "Rahmat",
    "Taufik", "Yoga", "Dani", "Ferry", "Gunawan", "Sutrisno", "Ma'ruf", "Imam", "Nur",
    "Anton", "Krisna", "Made", "Putu", "Asep", "Ujang", "Ikhsan", "Hafiz", "Rangga",
]
FEMALE_FIRST = [
    "Siti", "Dewi", "Sri", "Ani", "Rina", "Wati", "Nurul", "Putri", "Ayu", "Indah",
    "Fitri", "Lestari", "Ratna", "Yuni", "Dian", "Rini", "Maya", "Novi", "Intan", "Lia",
    "Mega", "Eka", "Tuti", "Endang", "Kartika", "Nadia", "Aisyah", "Nur'aini", "Fatimah",
    "Anisa", "Citra", "Dina", "Winda", "Yanti", "Kurnia", "Puspita", "Rahayu", "Sari",
    "Ketut", "Komang", "Neng", "Euis", "Nabila", "Zahra", "Salsabila", "Mutiara",
]
MIDDLE = ["", "", "", "", "", "", "Nur ", "Dwi ", "Tri ", "Catur ", "Sri ", "Eka "]
LAST = [
    "Santoso", "Wijaya", "Saputra", "Hidayat", "Kurniawan", "Setiawan", "Pratama", "Nugroho",
    "Susanto", "Gunawan", "Wibowo", "Siregar", "Nasution", "Harahap", "Lubis", "Simanjuntak",
    "Sitompul", "Hutapea", "Rahman", "Hakim", "Syahputra", "Permana", "Firmansyah",
    "Ramadhan", "Kusuma", "Purnomo", "Sutanto", "Halim", "Tanjung", "Pane", "Manurung",
    "Pangaribuan", "Suryadi", "Sulistyo", "Utomo", "Rahayu", "Lestari", "Wulandari",
    "Handayani", "Anggraini", "Safitri", "Maharani", "Puspitasari", "Hartono", "Sembiring",
    "Ginting", "Tarigan", "Matondang", "Daulay", "Effendi", "Iskandar", "Suharto",
    "Simatupang", "Panjaitan", "Pohan", "Batubara", "Situmorang", "Marpaung", "Silalahi",
]
TITLES = [", S.Kom.", ", S.E.", ", S.Pd.", ", S.T.", ", A.Md.", ", S.H.", ", S.Sos.", ", M.M."]
STREETS = [
    "Jl. Kebon Jeruk Raya", "Jl. Tanah Abang II", "Jl. Mangga Besar", "Jl. Kramat Raya",
    "Jl. Pemuda", "Jl. Raya Bogor", "Jl. Daan Mogot", "Jl. Panjang", "Jl. Ciledug Raya",
    "Jl. Pramuka", "Jl. Salemba Raya", "Jl. Tebet Barat", "Jl. Kalibata Raya",
    "Jl. Condet Raya", "Jl. Kemang Raya", "Jl. Cempaka Putih Tengah", "Jl. Rawamangun Muka",
    "Jl. Pluit Karang", "Jl. Sunter Agung", "Jl. Tanjung Priok", "Gg. Mawar", "Gg. Melati",
    "Gg. H. Naim", "Jl. Percetakan Negara", "Jl. Bangka", "Jl. Matraman Raya",
    "Jl. Duren Sawit", "Komplek Perumahan Griya", "Jl. Kampung Melayu Besar",
]
EMAIL_DOMAINS = ["gmail.com", "gmail.com", "gmail.com", "yahoo.com", "yahoo.co.id",
                 "outlook.com", "hotmail.com", "ymail.com", "mail.id", "kantor.co.id"]
# Operator prefixes after the leading 0 (Telkomsel, Indosat, XL, Axis, Tri,
# Smartfren).
PHONE_PREFIX = ["811", "812", "813", "821", "822", "823", "851", "852", "853", "814",
                "815", "816", "855", "856", "857", "858", "817", "818", "819", "859",
                "877", "878", "831", "832", "833", "838", "895", "896", "897", "898",
                "899", "881", "882", "883", "887", "888", "889"]


def weighted(pairs):
    """A list in which each value appears `weight` times: uniform picks from
    it are weighted picks, without random.choices' overhead."""
    out = []
    for value, weight in pairs:
        out.extend([value] * weight)
    return out


PENDIDIKAN = weighted([("", 8), ("tidak_sekolah", 1), ("sd", 6), ("smp", 12), ("sma", 40),
                       ("d1", 2), ("d2", 1), ("d3", 7), ("d4", 3), ("s1", 17), ("s2", 2),
                       ("s3", 1)])
SEGMEN = weighted([("pencari_kerja", 55), ("korban_phk", 25), ("peningkatan_kompetensi", 20)])
PEKERJAAN = weighted([("", 20), ("lainnya", 20), ("wiraswasta", 25), ("karyawan_swasta", 30),
                      ("pelajar", 1), ("mahasiswa", 2), ("asn", 1), ("tni", 0), ("polri", 0),
                      ("pejabat_negara", 0), ("anggota_dpr", 0), ("anggota_dprd", 0),
                      ("kepala_desa", 0), ("perangkat_desa", 1), ("direksi_bumn_bumd", 0)])
# The rarer excluded occupations, drawn instead of "asn" half the time so that
# every value of the list appears.
EXCLUDED_RARE = ["tni", "polri", "pejabat_negara", "anggota_dpr", "anggota_dprd",
                 "kepala_desa", "direksi_bumn_bumd"]
FAMILY_SIZE = weighted([(1, 40), (2, 30), (3, 20), (4, 10)])

BAD_KINDS = [
    "nik_length", "nik_date", "nik_province", "kk_format", "nama_empty", "tanggal_lahir",
    "jenis_kelamin", "no_hp", "email", "wilayah_unknown", "wilayah_outside", "pendidikan",
    "segmen", "pekerjaan",
]


def load_codes(name, prefix):
    with open(os.path.join(WILAYAH, name), encoding="utf-8") as f:
        next(f)
        return [line.split(",", 1)[0] for line in f if line.startswith(prefix)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("rows", type=int)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--bad-rate", type=float, default=0.05)
    ap.add_argument("--crlf", action="store_true", help="\\r\\n line ends")
    ap.add_argument("--stats", action="store_true", help="print counts to stderr")
    a = ap.parse_args()
    if a.rows < 0 or not 0.0 <= a.bad_rate <= 1.0:
        ap.error("ROWS must be >= 0 and --bad-rate within 0..1")

    rng = Random(a.seed)
    rnd = rng.random

    def pick(seq):
        return seq[int(rnd() * len(seq))]

    districts = [c.replace(".", "") for c in load_codes("districts.csv", "31.")]
    villages_dotted = load_codes("villages.csv", "31.")
    villages = [(v, v.replace(".", "")) for v in villages_dotted]
    outside = load_codes("villages.csv", "32.73.")[:50] or ["32.73.01.1001"]
    known_districts = set(districts)
    # Old district codes under Jakarta's regencies that the current table
    # lacks: an NIK with one is a warning (nik_wilayah_tidak_dikenal).
    old_districts = [f"{r}{d:02d}" for r in ("3171", "3172", "3173", "3174", "3175")
                     for d in range(11, 15) if f"{r}{d:02d}" not in known_districts]

    # Every birth date of the range, with the NIK's DDMMYY for each sex.
    dates = []
    d, end, one = datetime.date(1960, 1, 1), datetime.date(2006, 12, 31), datetime.timedelta(1)
    while d <= end:
        yy = d.year % 100
        dates.append((d.isoformat(), f"{d.day:02d}{d.month:02d}{yy:02d}",
                      f"{d.day + 40:02d}{d.month:02d}{yy:02d}", d))
        d += one
    kk_dates = []
    d = datetime.date(2005, 1, 1)
    while d <= datetime.date(2024, 12, 31):
        kk_dates.append(f"{d.day:02d}{d.month:02d}{d.year % 100:02d}")
        d += one

    serials = {}    # PPKKCCDDMMYY -> last serial used
    kk_serials = {}

    def new_nik(district, ddmmyy):
        # Serial unique per 12-digit prefix; on the (rare) exhaustion of
        # 9999 serials, the caller draws another date.
        key = district + ddmmyy
        s = serials.get(key, 0) + 1
        if s > 9999:
            return None
        serials[key] = s
        return f"{key}{s:04d}"

    def new_kk(district):
        while True:
            key = district + pick(kk_dates)
            s = kk_serials.get(key, 0) + 1
            if s <= 9999:
                kk_serials[key] = s
                return f"{key}{s:04d}"

    def phone():
        num = pick(PHONE_PREFIX) + str(int(rnd() * 90000000) + 10000000)[: 6 + int(rnd() * 3)]
        # num: 8xx + 6..8 digits = 9..11 subscriber digits
        r = rnd()
        if r < 0.45:
            return "0" + num
        if r < 0.60:
            return f"0{num[:3]}-{num[3:7]}-{num[7:]}"
        if r < 0.70:
            return f"0{num[:3]} {num[3:7]} {num[7:]}"
        if r < 0.82:
            return "62" + num
        if r < 0.95:
            return "+62" + num
        return f"+62 {num[:3]}-{num[3:7]}-{num[7:]}"

    def address():
        r = rnd()
        if r < 0.10:
            return ""
        street = pick(STREETS)
        no = int(rnd() * 200) + 1
        rt, rw = int(rnd() * 15) + 1, int(rnd() * 12) + 1
        if r < 0.11:
            return f'"{street} No. {no}, dekat ""Warung Biru"", RT {rt:03d}/RW {rw:03d}"'
        if r < 0.55:
            return f'"{street} No. {no}, RT {rt:03d}/RW {rw:03d}"'
        if r < 0.80:
            return f'"{street} No. {no}, RT {rt:03d} RW {rw:03d}, Jakarta"'
        return f'"{street} Blok {chr(65 + int(rnd() * 8))}{no}, RT.{rt}/RW.{rw}"'

    def person(fam):
        """One valid row as a list of field strings, for family fam."""
        female = rnd() < 0.5
        first = pick(FEMALE_FIRST if female else MALE_FIRST)
        last = fam["last"] if rnd() < 0.7 else pick(LAST)
        nama = f"{first} {pick(MIDDLE)}{last}"
        if rnd() < 0.04:
            nama = f'"{nama}{pick(TITLES)}"'
        district = fam["district"] if rnd() < 0.8 else pick(districts)
        if rnd() < 0.003 and old_districts:
            district = pick(old_districts)
        while True:
            iso, dm_m, dm_f, _ = pick(dates)
            nik = new_nik(district, dm_f if female else dm_m)
            if nik:
                break
        if rnd() < 0.003:  # corrected birth date: a warning only
            iso = pick(dates)[0]
        if rnd() < 0.6:
            local = f"{first}.{last}".lower().replace("'", "")
            email = f"{local}{int(rnd() * 1000)}@{pick(EMAIL_DOMAINS)}"
        else:
            email = ""
        pek = pick(PEKERJAAN)
        if pek == "asn" and rnd() < 0.5:
            pek = pick(EXCLUDED_RARE)
        return [nik, fam["kk"], nama, iso, "P" if female else "L", phone(), email,
                fam["village"], fam["alamat"], pick(PENDIDIKAN), pick(SEGMEN), pek]

    def new_family():
        district = pick(districts)
        v = pick(villages)
        return {"district": district, "kk": new_kk(district), "last": pick(LAST),
                "village": v[0] if rnd() < 0.7 else v[1], "alamat": address()}

    stats = dict.fromkeys(BAD_KINDS, 0)

    def spoil(row):
        """Breaks exactly one field of a valid row."""
        kind = pick(BAD_KINDS)
        stats[kind] += 1
        if kind == "nik_length":
            row[0] = row[0][:15] if rnd() < 0.5 else row[0] + str(int(rnd() * 10))
        elif kind == "nik_date":
            # day 32 (or 72 for a woman) does not exist in any month; a
            # serial of its own keeps even the bad NIKs distinct
            row[0] = new_nik(row[0][:6], ("72" if row[4] == "P" else "32") + row[0][8:12])
        elif kind == "nik_province":
            row[0] = new_nik("99" + row[0][2:6], row[0][6:12])
        elif kind == "kk_format":
            row[1] = row[1][:-1] if rnd() < 0.5 else row[1][:8] + "-" + row[1][9:]
        elif kind == "nama_empty":
            row[2] = ""
        elif kind == "tanggal_lahir":
            y = row[3][:4]
            row[3] = pick([f"{y}-02-30", f"{row[3][8:10]}/{row[3][5:7]}/{y}", f"{y}-13-01"])
        elif kind == "jenis_kelamin":
            row[4] = pick(["X", "Laki-laki", "W"])
        elif kind == "no_hp":
            row[5] = pick(["021-5551234", "0812345", "+1 555 0100", "08l2-3456-789"])
        elif kind == "email":
            row[6] = pick(["budi.gmail.com", "siti@gmail", "dewi@@yahoo.com"])
        elif kind == "wilayah_unknown":
            row[7] = pick(["31.74.01.9999", "3171999999", "31.99.01.1001"])
        elif kind == "wilayah_outside":
            row[7] = pick(outside)
        elif kind == "pendidikan":
            row[9] = pick(["sma sederajat", "SLTA", "sarjana"])
        elif kind == "segmen":
            row[10] = pick(["pekerja", "umkm", "phk"])
        else:
            row[11] = pick(["guru", "ojol", "buruh harian"])
        if row[0] is None:  # serials exhausted (never at realistic sizes)
            row[0] = "3171010101900"
        return row

    eol = "\r\n" if a.crlf else "\n"
    out = sys.stdout
    out.write(HEADER + eol)
    chunk = []
    pending = []  # scattered family members waiting for their row
    bad_rate = a.bad_rate
    written = 0
    n = a.rows
    while written < n:
        if pending and rnd() < 0.3:
            i = int(rnd() * len(pending))
            fam = pending[i]
            pending[i] = pending[-1]
            pending.pop()
            todo = [fam]
        else:
            fam = new_family()
            size = pick(FAMILY_SIZE)
            todo = [fam]
            scatter = rnd() < 0.3
            for _ in range(size - 1):
                (pending if scatter else todo).append(fam)
        for fam in todo:
            if written >= n:
                break
            row = person(fam)
            if rnd() < bad_rate:
                row = spoil(row)
            chunk.append(",".join(row))
            written += 1
            if len(chunk) >= 20000:
                chunk.append("")
                out.write(eol.join(chunk))
                chunk = []
    if chunk:
        chunk.append("")
        out.write(eol.join(chunk))
    out.flush()
    if a.stats:
        bad = sum(stats.values())
        print(f"gen: {written} rows, {bad} with one bad field "
              f"({100.0 * bad / max(written, 1):.2f}%): "
              + " ".join(f"{k}={v}" for k, v in stats.items()), file=sys.stderr)


if __name__ == "__main__":
    main()
