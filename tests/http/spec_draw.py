"""An independent implementation of a wave's draw, for the tests.

Written from the published contracts alone: shared/spec/selection.md (the
draw), the eligibility rules and exclusion lists of
shared/spec/participants-csv.md, and the scheme keys of data/schemes.ini
(configuration the contract names).  It must not import or copy the
project's code (src/, tools/verify_draw.py, the other tests' helpers):
its worth is that it was derived separately, so that a test comparing
the program with it finds a misreading of the contract in either.
Python 3 standard library only.

draw(...) returns (rows, summary, order):
  rows     {nik: {"tier": 0|1, "rank": 64 hex digits, "status":
           "lolos"|"tidak_lolos", "alasan": [reason codes]}}
  summary  {"wave", "applicants", "eligible", "selected", "not_selected",
           "reasons" {code: count over the not selected}, "seed",
           "snapshot_sha256", "result_sha256"}
  order    the NIKs of the walk, in (tier, rank) order
"""
import configparser
import datetime as dt
import hashlib

WIB = dt.timezone(dt.timedelta(hours=7))

# participants-csv.md, "Eligibility"
EXCLUDED_JOBS = frozenset(("asn", "tni", "polri", "pejabat_negara", "anggota_dpr",
                           "anggota_dprd", "kepala_desa", "perangkat_desa",
                           "direksi_bumn_bumd"))
SCHOOL_JOBS = frozenset(("pelajar", "mahasiswa"))
BANSOS_LISTS = ("dtks", "bsu", "bpum")            # applied only by the schemes naming them
EVERY_SCHEME_LISTS = ("daftar_hitam", "penerima_sebelumnya")


def load_schemes(path):
    """The benefit schemes of a schemes.ini: {id: {training_balance,
    min_age, max_age, kk_max, exclusion_lists}}."""
    cp = configparser.ConfigParser(inline_comment_prefixes=None, interpolation=None)
    with open(path, encoding="utf-8") as f:
        cp.read_file(f)
    out = {}
    for sec in cp.sections():
        if sec == "general":
            continue
        s = cp[sec]
        out[sec] = {
            "training_balance": int(s.get("training_balance", "0")),
            "min_age": int(s.get("min_age", "0")),
            "max_age": int(s.get("max_age", "0")),
            "kk_max": int(s.get("kk_max", "0")),
            "exclusion_lists": frozenset(s.get("exclusion_lists", "").split()),
        }
    return out


def parse_instant(s):
    """An ISO 8601 instant with an offset (or Z) as an aware datetime."""
    if s.endswith("Z"):
        s = s[:-1] + "+00:00"
    d = dt.datetime.fromisoformat(s)
    if d.tzinfo is None:
        raise ValueError("instant without an offset: %r" % s)
    return d


def wib_date(instant):
    """The calendar day in Jakarta (UTC+7) of an instant."""
    if isinstance(instant, str):
        instant = parse_instant(instant)
    return instant.astimezone(WIB).date()


def age_on(birth, day):
    """Completed years on day.  Someone born on 29 February has not had
    their birthday on 28 February of a common year."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def regency_of(kode_wilayah):
    """'31.74.01.1001' or '3174011001' -> '31.74'."""
    digits = kode_wilayah.replace(".", "")
    return digits[:2] + "." + digits[2:4]


def rules(person, scheme, day, lists):
    """Step 1: the eligibility reasons of person (a dict with nik,
    tanggal_lahir, pekerjaan) under scheme on day, with the exclusion lists
    ({name: set of NIKs}) as they are; the family-card limit left out."""
    reasons = []
    age = age_on(dt.date.fromisoformat(person["tanggal_lahir"]), day)
    if age < scheme["min_age"]:
        reasons.append("usia_kurang")
    if scheme["max_age"] > 0 and age > scheme["max_age"]:
        reasons.append("usia_lebih")
    job = person.get("pekerjaan") or ""
    if job in SCHOOL_JOBS:
        reasons.append("sedang_sekolah")
    if job in EXCLUDED_JOBS:
        reasons.append("pekerjaan_dikecualikan")
    nik = person["nik"]
    applied = set(scheme["exclusion_lists"]) | set(EVERY_SCHEME_LISTS)
    if any(name in applied and nik in lists.get(name, ()) for name in BANSOS_LISTS):
        reasons.append("penerima_bansos")
    if nik in lists.get("daftar_hitam", ()):
        reasons.append("daftar_hitam")
    if nik in lists.get("penerima_sebelumnya", ()):
        reasons.append("pernah_menerima")
    return reasons


def rank_hex(seed_hex, nik):
    """Step 3: SHA-256(32 seed bytes || the NIK's 16 ASCII digits), hex."""
    seed = bytes.fromhex(seed_hex)
    assert len(seed) == 32, "a seed is 32 bytes"
    return hashlib.sha256(seed + nik.encode("ascii")).hexdigest()


def digests(statuses):
    """Step 5: {nik: 'lolos'|'tidak_lolos'} -> (snapshot, result) digests."""
    niks = sorted(statuses)
    snap = hashlib.sha256("".join(n + "\n" for n in niks).encode("ascii")).hexdigest()
    res = hashlib.sha256("".join("%s,%s\n" % (n, statuses[n]) for n in niks)
                         .encode("ascii")).hexdigest()
    return snap, res


def draw(wave, applicants, people, scheme, closes, quota, region_quotas, lists, seed_hex,
         prior_kk=None, recipients=()):
    """The draw of selection.md.

    applicants     the NIKs with gabung_gelombang for the wave
    people         {nik: {nik, no_kk, tanggal_lahir, kode_wilayah, pekerjaan}}
    scheme         one entry of load_schemes()
    closes         the wave's closing instant (ISO 8601): the rules' day is its WIB date
    quota          the overall quota; region_quotas {'31.74': n}
    lists          {list name: set of NIKs} at the draw, 'prioritas' included
    prior_kk       {no_kk: recipients selected in earlier waves}
    recipients     NIKs who are recipients already (never again: pernah_menerima)
    """
    seed_hex = seed_hex.lower()
    day = wib_date(closes)
    kk = dict(prior_kk or {})
    left = dict(region_quotas or {})
    rows, walk = {}, []
    for nik in sorted(set(applicants)):
        p = people[nik]
        reasons = rules(p, scheme, day, lists)
        if nik in recipients and "pernah_menerima" not in reasons:
            reasons.append("pernah_menerima")
        tier = 0 if nik in lists.get("prioritas", ()) else 1
        rank = rank_hex(seed_hex, nik)
        rows[nik] = {"tier": tier, "rank": rank, "status": "tidak_lolos", "alasan": reasons}
        if not reasons:
            # the rank read as a 256-bit big-endian number
            walk.append((tier, int.from_bytes(bytes.fromhex(rank), "big"), nik))
    walk.sort()
    selected = 0
    for _, _, nik in walk:
        p, row = people[nik], rows[nik]
        regency = regency_of(p["kode_wilayah"])
        if selected >= quota:
            row["alasan"] = ["kuota_gelombang_penuh"]
        elif regency in left and left[regency] <= 0:
            row["alasan"] = ["kuota_wilayah_penuh"]
        elif scheme["kk_max"] > 0 and kk.get(p["no_kk"], 0) >= scheme["kk_max"]:
            row["alasan"] = ["kuota_kk_penuh"]
        else:
            row["status"] = "lolos"
            selected += 1
            if regency in left:
                left[regency] -= 1
            kk[p["no_kk"]] = kk.get(p["no_kk"], 0) + 1
    snap, res = digests({n: r["status"] for n, r in rows.items()})
    counts = {}
    for r in rows.values():
        if r["status"] != "lolos":
            for c in r["alasan"]:
                counts[c] = counts.get(c, 0) + 1
    summary = {"wave": wave, "applicants": len(rows), "eligible": len(walk),
               "selected": selected, "not_selected": len(rows) - selected,
               "reasons": counts, "seed": seed_hex, "snapshot_sha256": snap,
               "result_sha256": res}
    return rows, summary, [w[2] for w in walk]


def luhn_ok(number):
    """The Luhn check of a string of digits."""
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def card_ok(number, issuer):
    """A card number: 16 digits, the 6-digit issuer prefix, a Luhn check digit."""
    return (len(number) == 16 and number.isdigit() and number.startswith(issuer)
            and luhn_ok(number))
