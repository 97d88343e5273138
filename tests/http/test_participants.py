"""Black-box tests of registration: POST /api/v1/participants, GET
/api/v1/stats and the /daftar portal page (TAP).

usage: PYTHONPATH=tests/http python3 tests/http/test_participants.py PATH-TO-PRAKERJA [TEST...]

Covers validation (every field error at once), conflicts that reveal
nothing, eligibility on registration (excluded occupation, family-card
quota), durability across SIGKILL, concurrent registrations, statistics
by region subtree, the portal form, and personal data at rest.
"""

import itertools
import json
import os
import random
import re
import signal
import threading
import time
import urllib.parse
from html.parser import HTMLParser

import harness as h
from harness import api_error, eq, test

P = "/api/v1/participants"
S = "/api/v1/stats"
JSON_CT = {"Content-Type": "application/json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
REQUIRED = ["nik", "no_kk", "nama", "tanggal_lahir", "jenis_kelamin", "no_hp", "kode_wilayah",
            "segmen"]
ALL_FIELDS = ["nik", "no_kk", "nama", "tanggal_lahir", "jenis_kelamin", "no_hp", "email",
              "kode_wilayah", "alamat", "pendidikan", "segmen", "pekerjaan"]
VILLAGE_RE = re.compile(r"^31\.\d\d\.\d\d\.\d{4}$")
XSS_NAMA = "<script>alert(1)</script>"
XSS_ALAMAT = '"><img src=x onerror=1>'

_serials = itertools.count(1)
_serial_lock = threading.Lock()


def fresh():
    with _serial_lock:
        return next(_serials)


def make_nik(serial, district="317401", year=1995, month=8, day=17, female=False):
    """A structurally valid NIK: PPKKCC DDMMYY SSSS (day + 40 for women)."""
    return "%s%02d%02d%02d%04d" % (district, day + (40 if female else 0), month, year % 100,
                                   serial % 10000 or 1)


def person(serial=None, **over):
    """A valid Jakarta (Tebet Timur) registrant; keyword arguments replace
    fields (None removes nothing: it sends JSON null)."""
    n = fresh() if serial is None else serial
    female = over.pop("female", False)
    year = over.pop("year", 1995)
    district = over.pop("district", "317401")
    # a date derived from the serial keeps NIKs unique across many people
    day, month = 1 + n % 28, 1 + (n // 28) % 12
    p = {
        "nik": make_nik(n, district, year, month, day, female),
        "no_kk": "31740120%08d" % n,
        "nama": "Peserta Uji %d" % n,
        "tanggal_lahir": "%04d-%02d-%02d" % (year, month, day),
        "jenis_kelamin": "P" if female else "L",
        "no_hp": "0813-%04d-%04d" % (n // 10000 + 7000, n % 10000),
        "email": "peserta.uji%d@contoh.co.id" % n,
        "kode_wilayah": "3174011001",
        "alamat": "Jl. Percobaan Nomor %d RT 001/RW 009" % n,
        "pendidikan": "sma",
        "segmen": "pencari_kerja",
        "pekerjaan": "lainnya",
    }
    p.update(over)
    return p


def e164(phone):
    d = re.sub(r"[ \-+]", "", phone)
    if d.startswith("0"):
        d = "62" + d[1:]
    return "+" + d


# Personal data sent to the shared server, checked at rest at the end.
STORED = []
_stored_lock = threading.Lock()


def remember(p):
    with _stored_lock:
        STORED.append(p)


# The server most tests share (started on first use, stopped by the last
# test, which checks it exits cleanly).
srv = h.SharedServer()


def post(body, s=None, headers=None):
    return (s or srv()).json("POST", P, body, headers)


def staff_post(body, s=None):
    """Registered by an admin: the answer carries every reason (a public
    caller is told only those on the person's own grounds)."""
    s = s or srv()
    return post(body, s, {"Authorization": "Bearer " + staff_token(s, "admin")})


def register_ok(p, s=None, what="", staff=False):
    st, hdrs, b = (staff_post(p, s) if staff else post(p, s))
    assert st == 201, "%sexpected 201, got %d: %r (sent %r)" % (what and what + ": ", st, b, p)
    if s is None:
        remember(p)
    return b


def codes(items):
    return [x["code"] for x in items]


def field_errors(resp):
    """422 data_tidak_valid -> list of (field, code)."""
    err = api_error(resp, 422, "data_tidak_valid")
    for f in err["fields"]:
        assert isinstance(f.get("field"), str) and isinstance(f.get("code"), str), f
        assert isinstance(f.get("message"), str) and f["message"], "no message: %r" % f
    return [(f["field"], f["code"]) for f in err["fields"]]


# ---- POST /api/v1/participants: success ------------------------------------

@test
def register_valid_201():
    p = person()
    st, hdrs, b = post(p)
    eq(st, 201, "status (%r)" % (b,))
    remember(p)
    assert hdrs.get("content-type", "").startswith("application/json"), hdrs
    h.security_headers(hdrs, "201")
    eq(sorted(b), ["eligible", "id", "reasons", "scheme", "warnings"], "keys")
    assert isinstance(b["id"], int) and not isinstance(b["id"], bool) and b["id"] > 0, b
    eq(b["eligible"], True, "eligible")
    eq(b["reasons"], [], "reasons")
    eq(b["warnings"], [], "warnings")


@test
def register_uses_current_scheme():
    _, _, sch = srv().json("GET", "/api/v1/schemes")
    b = register_ok(person())
    eq(b["scheme"], sch["current"], "scheme is the current one")
    eq(b["scheme"], "2023", "current scheme")


@test
def register_accepts_dotted_region_and_phone_forms():
    n = fresh()
    variants = [{"kode_wilayah": "31.74.01.1001", "no_hp": "+62 813 1111 %04d" % n},
                {"kode_wilayah": "31.74.01.1003", "no_hp": "62813-2222-%04d" % n},
                {"kode_wilayah": " 3174011004 ", "no_hp": "08133333%04d" % n}]
    for v in variants:
        register_ok(person(**v), what=repr(v))


@test
def register_optional_fields_null_or_absent():
    p = person(email=None, alamat=None, pendidikan=None, pekerjaan=None)
    b = register_ok(p, what="optional fields null")
    eq(b["eligible"], True, "eligible")
    q = person()
    for k in ("email", "alamat", "pendidikan", "pekerjaan"):
        del q[k]
    register_ok(q, what="optional fields absent")


@test
def register_content_type_with_charset():
    st, _, b = post(json.dumps(person()), headers={"Content-Type": "Application/JSON; charset=utf-8"})
    eq(st, 201, "status (%r)" % (b,))


@test
def register_warnings_do_not_reject():
    n = fresh()
    p = person(n)
    p["tanggal_lahir"] = "1990-01-01"  # NIK says another date
    b = register_ok(p)
    assert "nik_tanggal_berbeda" in codes(b["warnings"]), b
    for w in b["warnings"]:
        assert w.get("message"), w
    q = person(jenis_kelamin="P")  # NIK is a man's
    b = register_ok(q)
    assert "nik_kelamin_berbeda" in codes(b["warnings"]), b


@test
def register_nik_trimmed():
    p = person()
    nik = p["nik"]
    p["nik"] = "  %s " % nik
    register_ok(p)
    q = person(nik=nik)
    st, _, b = post(q)
    eq(st, 409, "same NIK without the spaces (%r)" % (b,))


# ---- 422 --------------------------------------------------------------------

@test
def empty_object_lists_every_required_field():
    fe = field_errors(post({}))
    eq(sorted(fe), sorted((f, "wajib_diisi") for f in REQUIRED), "errors of {}")


@test
def null_required_fields_are_wajib_diisi():
    p = person()
    for f in ("nama", "no_hp", "segmen"):
        p[f] = None
    fe = field_errors(post(p))
    eq(sorted(fe), [("nama", "wajib_diisi"), ("no_hp", "wajib_diisi"),
                    ("segmen", "wajib_diisi")], "errors")


FIELD_CASES = [
    # field, value, code
    ("nik", "12345", "nik_format"),
    ("nik", "31740117089500AB", "nik_format"),
    ("nik", "3174011708950000", "nik_format"),
    ("nik", "", "nik_format"),
    ("nik", "3174013102950001", "nik_tanggal"),
    ("nik", "9901011708950005", "nik_provinsi"),
    ("no_kk", "317401010120", "kk_format"),
    ("no_kk", "31740101012000AB", "kk_format"),
    ("nama", "   ", "nama_kosong"),
    ("nama", "a" * 101, "nama_terlalu_panjang"),
    ("nama", "Budi \u202eosotnaS", "nama_karakter_tersembunyi"),
    ("nama", "Bu\u200bdi Santoso", "nama_karakter_tersembunyi"),
    ("nama", "=HYPERLINK(\"http://contoh.id\",\"Klik\")", "nama_awalan_tidak_diizinkan"),
    ("nama", "@SUM(1+1)", "nama_awalan_tidak_diizinkan"),
    ("tanggal_lahir", "1995-02-30", "tanggal_lahir_invalid"),
    ("tanggal_lahir", "17-08-1995", "tanggal_lahir_invalid"),
    ("tanggal_lahir", "2999-01-01", "tanggal_lahir_invalid"),
    ("jenis_kelamin", "X", "jenis_kelamin_invalid"),
    ("jenis_kelamin", "Laki-laki", "jenis_kelamin_invalid"),
    ("no_hp", "12345", "no_hp_invalid"),
    ("no_hp", "021-5551234", "no_hp_invalid"),
    ("no_hp", "0812", "no_hp_invalid"),
    ("email", "budi@localhost", "email_invalid"),
    ("email", "budi@@contoh.id", "email_invalid"),
    ("email", "tanpa-at.contoh.id", "email_invalid"),
    ("kode_wilayah", "99.99.99.9999", "wilayah_tidak_dikenal"),
    ("kode_wilayah", "31.74.01", "wilayah_tidak_dikenal"),
    ("kode_wilayah", "tebet", "wilayah_tidak_dikenal"),
    ("kode_wilayah", "32.73.01.1001", "wilayah_di_luar_layanan"),
    ("kode_wilayah", "3273011001", "wilayah_di_luar_layanan"),
    ("alamat", "x" * 201, "alamat_terlalu_panjang"),
    ("pendidikan", "sma_x", "pendidikan_invalid"),
    ("segmen", "pengangguran", "segmen_invalid"),
    ("segmen", "", "segmen_invalid"),
    ("pekerjaan", "presiden", "pekerjaan_invalid"),
]


@test
def field_error_table():
    fails = []
    for field, value, code in FIELD_CASES:
        p = person()
        p[field] = value
        try:
            fe = field_errors(post(p))
            eq(fe, [(field, code)], "%s=%r" % (field, value[:30]))
        except AssertionError as e:
            fails.append(str(e))
    assert not fails, "\n".join(fails)


@test
def length_limits_count_characters():
    # 100 and 200 characters of two-byte UTF-8 are within the limits
    register_ok(person(nama="\u00e9" * 100, alamat="\u00e9" * 200), what="at the limits")
    p = person(nama="\u00e9" * 101, alamat="\u00e9" * 201)
    eq(sorted(field_errors(post(p))), [("alamat", "alamat_terlalu_panjang"),
                                       ("nama", "nama_terlalu_panjang")], "over the limits")


@test
def every_field_error_listed_together():
    bad = {"nik": "12345", "no_kk": "1", "nama": "", "tanggal_lahir": "kemarin",
           "jenis_kelamin": "X", "no_hp": "12", "email": "x@", "kode_wilayah": "32.73.01.1001",
           "alamat": "y" * 201, "pendidikan": "phd", "segmen": "lain", "pekerjaan": "raja"}
    fe = field_errors(post(bad))
    want = [("nik", "nik_format"), ("no_kk", "kk_format"), ("nama", "nama_kosong"),
            ("tanggal_lahir", "tanggal_lahir_invalid"),
            ("jenis_kelamin", "jenis_kelamin_invalid"), ("no_hp", "no_hp_invalid"),
            ("email", "email_invalid"), ("kode_wilayah", "wilayah_di_luar_layanan"),
            ("alamat", "alamat_terlalu_panjang"), ("pendidikan", "pendidikan_invalid"),
            ("segmen", "segmen_invalid"), ("pekerjaan", "pekerjaan_invalid")]
    eq(sorted(fe), sorted(want), "errors")


@test
def missing_and_invalid_listed_together():
    p = {"nik": "12345", "no_hp": "12", "segmen": "pencari_kerja"}
    fe = field_errors(post(p))
    want = [("nik", "nik_format"), ("no_hp", "no_hp_invalid")] + \
        [(f, "wajib_diisi") for f in REQUIRED if f not in p]
    eq(sorted(fe), sorted(want), "errors")


@test
def unknown_keys_kolom_tidak_dikenal():
    p = person()
    p["gaji"] = "5000000"
    p["NIK"] = p["nik"]      # JSON names are exact, lower case
    fe = field_errors(post(p))
    eq(sorted(fe), [("NIK", "kolom_tidak_dikenal"), ("gaji", "kolom_tidak_dikenal")], "errors")
    # nothing was stored: the same person registers fine without the extras
    del p["gaji"], p["NIK"]
    register_ok(p, what="after the 422")


@test
def non_string_values_tipe_tidak_valid():
    p = person()
    p["nik"] = int(p["nik"])
    p["jenis_kelamin"] = True
    p["segmen"] = ["pencari_kerja"]
    p["alamat"] = {"jalan": "x"}
    fe = field_errors(post(p))
    eq(sorted(fe), [("alamat", "tipe_tidak_valid"), ("jenis_kelamin", "tipe_tidak_valid"),
                    ("nik", "tipe_tidak_valid"), ("segmen", "tipe_tidak_valid")], "errors")


@test
def shape_and_rule_errors_listed_together():
    # "422 listing EVERY field error": an unknown key or a wrongly typed
    # value must not hide the errors of the other fields.
    p = {"gaji": "1", "nik": "12345", "no_hp": "12", "jenis_kelamin": 1,
         "no_kk": "3174012001000001", "tanggal_lahir": "1995-08-17",
         "kode_wilayah": "3174011001", "segmen": "pencari_kerja"}
    fe = field_errors(post(p))
    for pair in [("gaji", "kolom_tidak_dikenal"), ("jenis_kelamin", "tipe_tidak_valid"),
                 ("nik", "nik_format"), ("no_hp", "no_hp_invalid"), ("nama", "wajib_diisi")]:
        assert pair in fe, "%r missing from the 422 fields %r" % (pair, fe)


@test
def control_character_in_nama_reported_on_nama():
    p = person(nama="Budi\u0001Santoso")
    fe = field_errors(post(p))
    eq(len(fe), 1, "one error (%r)" % (fe,))
    eq(fe[0][0], "nama", "the error names the field that holds the bad text (%r)" % (fe,))


@test
def invalid_registration_stores_nothing():
    p = person()
    bad = dict(p, no_hp="12")
    field_errors(post(bad))
    register_ok(p, what="the NIK of a refused registration is still free")


# ---- 400 / 415 / 413 ---------------------------------------------------------

@test
def request_errors():
    body = json.dumps(person())
    cases = [
        ("malformed JSON", JSON_CT, '{"nik":', 400, "json_tidak_valid"),
        ("JSON array", JSON_CT, "[]", 400, "json_tidak_valid"),
        ("empty body", JSON_CT, "", 400, "json_tidak_valid"),
        ("duplicate key", JSON_CT, '{"nik":"1","nik":"2"}', 400, "json_tidak_valid"),
        ("text/plain", {"Content-Type": "text/plain"}, body, 415, "tipe_konten_tidak_didukung"),
        ("no content type", {}, body, 415, "tipe_konten_tidak_didukung"),
        ("form encoded", FORM, urllib.parse.urlencode(person()), 415,
         "tipe_konten_tidak_didukung"),
    ]
    fails = []
    for label, hdr, b, status, code in cases:
        try:
            api_error(srv().json("POST", P, b, hdr), status, code, label)
        except AssertionError as e:
            fails.append(str(e))
    big = json.dumps(dict(person(), alamat="x" * 70000))
    try:
        api_error(srv().json("POST", P, big, JSON_CT), 413, "isi_terlalu_besar", "70 KB body")
    except AssertionError as e:
        fails.append(str(e))
    assert not fails, "\n".join(fails)
    st, hdrs, _ = srv().json("GET", P)
    eq(st, 405, "GET on the collection")
    assert "POST" in hdrs.get("allow", ""), hdrs


# ---- 409 ---------------------------------------------------------------------

@test
def known_nik_409_reveals_nothing():
    a = person(nama="Siti Rahmawati Unik", female=True, kode_wilayah="31.74.01.1005",
               no_hp="0857-1111-2222", email="siti.unik@contoh.co.id")
    ida = register_ok(a)["id"]
    b = person(nama="Agus Wibowo Lain", kode_wilayah="31.71.01.1002", no_hp="0821-3333-4444",
               email="agus.lain@contoh.co.id", segmen="korban_phk", pekerjaan="asn")
    idb = register_ok(b)["id"]
    bodies = []
    for existing, other_id in ((a, ida), (b, idb)):
        attempt = person(nik=existing["nik"], nama="Penyerang", no_hp="0811-0000-0000")
        st, hdrs, raw = srv().request("POST", P, json.dumps(attempt), JSON_CT)
        eq(st, 409, "status (%r)" % raw)
        body = json.loads(raw)
        eq(body["error"]["code"], "nik_sudah_terdaftar", "code")
        text = raw.decode("utf-8")
        for secret in (existing["nama"], existing["no_hp"], e164(existing["no_hp"]),
                       existing["email"], existing["kode_wilayah"], existing["alamat"],
                       existing["no_kk"], '"id"'):
            assert secret not in text, "409 body reveals %r: %s" % (secret, text)
        assert not re.search(r"\b%d\b" % other_id, text), "409 body holds the id: %s" % text
        bodies.append(raw)
    eq(bodies[0], bodies[1], "409 bodies for two different existing records")


# ---- eligibility on registration ---------------------------------------------

@test
def excluded_occupation_is_stored_not_eligible():
    b = register_ok(person(pekerjaan="asn"))
    eq(b["eligible"], False, "eligible")
    eq(codes(b["reasons"]), ["pekerjaan_dikecualikan"], "reasons")
    assert b["reasons"][0].get("message"), b
    b = register_ok(person(pekerjaan="mahasiswa"))
    eq(codes(b["reasons"]), ["sedang_sekolah"], "student reasons")


@test
def kk_quota_third_member():
    _, _, sch = srv().json("GET", "/api/v1/schemes/2023")
    eq(sch.get("kk_max_members"), 2, "2023 kk_max_members")
    kk = "31740199%08d" % fresh()
    r = [register_ok(person(no_kk=kk), what="member %d" % i, staff=True) for i in range(3)]
    eq([x["eligible"] for x in r], [True, True, False], "eligible flags")
    eq(codes(r[2]["reasons"]), ["kuota_kk_penuh"], "third member's reasons")


@test
def public_answer_tells_only_own_reasons():
    """A public registration's answer tells the verdict on what was sent
    (age, occupation), never what the registry knew: a family card's full
    quota (that other members are registered) or an exclusion list. The
    stored verdict is the same either way (staff see it)."""
    kk = "31740197%08d" % fresh()
    ids = [register_ok(person(no_kk=kk), what="member %d" % i, staff=True)["id"]
           for i in range(2)]
    b = register_ok(person(no_kk=kk), what="third, public")
    eq((b["eligible"], b["reasons"]), (True, []), "public answer of the third member")
    stored = dict(srv().db.query("SELECT id, reasons FROM participant WHERE id IN (%d, %d, %d)"
                                 % (ids[0], ids[1], b["id"])))
    eq([stored[i] != 0 for i in ids + [b["id"]]], [False, False, True],
       "stored verdicts: the third member is not eligible (kuota_kk_penuh)")
    # Own grounds and the registry's together: only the own ones are told.
    kk2 = "31740196%08d" % fresh()
    for i in range(2):
        register_ok(person(no_kk=kk2), what="family 2 member %d" % i, staff=True)
    b = register_ok(person(no_kk=kk2, pekerjaan="asn"), what="asn, public")
    eq(b["eligible"], False, "eligible")
    eq(codes(b["reasons"]), ["pekerjaan_dikecualikan"], "only the own reason")


@test
def kk_quota_ignores_ineligible_members():
    kk = "31740198%08d" % fresh()
    child = register_ok(person(no_kk=kk, year=2015), what="child")
    eq(codes(child["reasons"]), ["usia_kurang"], "child's reasons")
    asn = register_ok(person(no_kk=kk, pekerjaan="asn"), what="asn")
    eq(codes(asn["reasons"]), ["pekerjaan_dikecualikan"], "asn's reasons")
    r = [register_ok(person(no_kk=kk), what="adult %d" % i, staff=True) for i in range(2)]
    eq([x["eligible"] for x in r], [True, True], "two adults after a child and an ASN")
    third = register_ok(person(no_kk=kk), what="third adult", staff=True)
    eq(codes(third["reasons"]), ["kuota_kk_penuh"], "third adult")


# ---- races -------------------------------------------------------------------

@test
def race_same_nik_16_threads():
    p = person()
    results = []
    lock = threading.Lock()
    barrier = threading.Barrier(16)

    def worker(i):
        q = dict(p, nama="Balapan %d" % i)
        barrier.wait(10)
        try:
            st, _, b = post(q)
        except Exception as e:  # noqa: BLE001
            st, b = repr(e), None
        with lock:
            results.append((st, b))

    ts = [threading.Thread(target=worker, args=(i,)) for i in range(16)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    remember(p)
    statuses = sorted(st for st, _ in results if isinstance(st, int))
    eq(len(results), 16, "answers")
    eq(statuses, [201] + [409] * 15, "statuses (%r)" % [r for r in results if r[0] != 409])
    for st, b in results:
        if st == 409:
            eq(b["error"]["code"], "nik_sudah_terdaftar", "409 code")


@test
def two_servers_share_one_database_safely():
    """Two `serve` processes on one database (the PostgreSQL deployment:
    many stateless app processes): a NIK raced on both is stored once, and
    a family raced on both gets exactly the scheme's limit of eligible
    members, the earliest registered."""
    db = h.Db(name="shared")
    try:
        with h.Server(db=db) as a, h.Server(db=db) as b:
            servers = [a, b]
            results, lock = [], threading.Lock()
            p = person()
            barrier = threading.Barrier(16)

            def same_nik(i):
                barrier.wait(10)
                st, _, _ = post(dict(p, nama="Dua Server %d" % i), servers[i % 2])
                with lock:
                    results.append(st)

            ts = [threading.Thread(target=same_nik, args=(i,)) for i in range(16)]
            for t in ts:
                t.start()
            for t in ts:
                t.join(60)
            eq(sorted(results), [201] + [409] * 15, "one NIK raced on two servers")

            kk = "3174012099%06d" % fresh()
            family = [person(no_kk=kk) for _ in range(8)]
            answers, barrier2 = [], threading.Barrier(8)

            def member(i):
                barrier2.wait(10)
                st, _, body = staff_post(family[i], servers[i % 2])
                with lock:
                    answers.append((st, body))

            ts = [threading.Thread(target=member, args=(i,)) for i in range(8)]
            for t in ts:
                t.start()
            for t in ts:
                t.join(60)
            eq(sorted(st for st, _ in answers), [201] * 8, "family members registered")
            said_eligible = sorted(b_["id"] for st, b_ in answers if b_["eligible"])
            eq(len(said_eligible), 2, "members told they are eligible (2023 allows 2 per KK)")
            ids = sorted(b_["id"] for _, b_ in answers)
            eq(said_eligible, ids[:2], "the eligible ones are the earliest registered")
            for _, b_ in answers:
                if not b_["eligible"]:
                    eq(codes(b_["reasons"]), ["kuota_kk_penuh"], "reason of the others")
    finally:
        db.drop()


@test
def families_raced_on_one_server():
    """Twelve families of four register at once, members interleaved, on
    one server; then every NIK of one family is sent again, twice at once.
    On PostgreSQL the registrations of a group commit are saved as one
    batch (one lookup, one insert), and several leaders commit at once
    (committer.h), each holding the families of its batch while it works:
    each family still gets exactly the scheme's limit of eligible members,
    the earliest registered; a repeated NIK is stored once; nothing is
    refused for being busy."""
    db = h.Db(name="families")
    try:
        with h.Server(db=db) as s:
            fams = []
            for _ in range(12):
                kk = "3174012098%06d" % fresh()
                fams.append([person(no_kk=kk) for _ in range(4)])
            answers, lock = [], threading.Lock()

            def wave(sends):
                barrier = threading.Barrier(len(sends))

                def send(f, m):
                    barrier.wait(30)
                    st, _, body = staff_post(fams[f][m], s)
                    with lock:
                        answers.append((f, m, st, body))

                ts = [threading.Thread(target=send, args=fm) for fm in sends]
                for t in ts:
                    t.start()
                for t in ts:
                    t.join(120)

            first = [(f, m) for f in range(12) for m in range(4)]
            random.Random(7).shuffle(first)
            wave(first)
            wave([(0, m) for m in range(4)] * 2)  # family 0 again, word for word
            eq(len(answers), 56, "answers")
            by_status = {}
            for f, m, st, _ in answers:
                by_status.setdefault(st, []).append((f, m))
            eq(sorted(by_status), [201, 409], "statuses (%r)" % {k: len(v) for k, v in
                                                                by_status.items()})
            eq(sorted(by_status[409]), sorted([(0, m) for m in range(4)] * 2),
               "the repeated NIKs")
            eq(len(by_status[201]), 48, "registered")
            for f in range(12):
                got = sorted((b_["id"], b_["eligible"], codes(b_["reasons"]))
                             for f_, _, st, b_ in answers if f_ == f and st == 201)
                eq(len(got), 4, "family %d members" % f)
                eq([e for _, e, _ in got], [True, True, False, False],
                   "family %d: the two earliest eligible (%r)" % (f, got))
                eq([r for _, e, r in got if not e], [["kuota_kk_penuh"]] * 2,
                   "family %d: the others' reasons" % f)
            eq(db.query("SELECT count(*) FROM participant")[0][0], 48, "rows")
    finally:
        db.drop()



# /api/v1/stats is for staff: a bearer token per database, made on first use.
_stats_tokens = {}
_stats_lock = threading.Lock()


def staff_token(s, role="viewer", region=None):
    key = (s.db.url, role, region)
    with _stats_lock:
        if key not in _stats_tokens:
            name = "statistik%d" % fresh()
            args = ["user", "add", "--username", name, "--role", role, "--password-stdin"]
            if region:
                args += ["--region", region]
            code, _, err = h.run_cli(s.db.args_for(args), stdin=b"Statistik-Uji-Kuat-2026\n")
            eq(code, 0, "user add: " + err)
            code, out, err = h.run_cli(s.db.args_for(["token", "create", "--username", name]))
            eq(code, 0, "token create: " + err)
            _stats_tokens[key] = json.loads(out.strip().splitlines()[-1])["token"]
        return _stats_tokens[key]


def stats_get(s, path=None, role="admin", region=None):
    return s.json("GET", path or S,
                  headers={"Authorization": "Bearer " + staff_token(s, role, region)})

def check_stats(b, what):
    total = b["total"]
    assert total == b["eligible"] + b["not_eligible"], "%s: total != eligible + not: %r" % (what, b)
    assert total == sum(b["by_sex"].values()), "%s: by_sex: %r" % (what, b)
    assert total == sum(b["by_segment"].values()), "%s: by_segment: %r" % (what, b)
    eq(sorted(b["by_sex"]), ["L", "P"], what + ": by_sex keys")
    eq(sorted(b["by_segment"]), ["korban_phk", "pencari_kerja", "peningkatan_kompetensi"],
       what + ": by_segment keys")
    for k, v in b["by_reason"].items():
        assert isinstance(v, int) and 0 < v <= b["not_eligible"], "%s: by_reason %r" % (what, b)


@test
def race_200_registrations_with_stats_polling():
    segs = ["pencari_kerja", "korban_phk", "peningkatan_kompetensi"]
    with h.Server() as s:
        people = []
        for i in range(200):
            people.append(person(female=i % 2 == 1, segmen=segs[i % 3],
                                 pekerjaan="asn" if i % 10 == 0 else "lainnya",
                                 kode_wilayah="31.74.01.100%d" % (1 + i % 7)))
        statuses, problems, polls = [], [], []
        lock = threading.Lock()
        done = threading.Event()

        def worker(chunk):
            for p in chunk:
                try:
                    st, _, b = post(p, s)
                except Exception as e:  # noqa: BLE001
                    st, b = repr(e), None
                with lock:
                    statuses.append(st)
                    if st != 201:
                        problems.append((st, b))

        def poller():
            last = -1
            while not done.is_set():
                try:
                    st, _, b = stats_get(s, S + "?region=31")
                    eq(st, 200, "stats status")
                    check_stats(b, "during the race")
                    assert b["total"] >= last, "total went down: %d -> %d" % (last, b["total"])
                    last = b["total"]
                    polls.append(b["total"])
                except Exception as e:  # noqa: BLE001
                    problems.append(("stats", repr(e)))
                    return

        staff_token(s, "admin")  # made before the race, so the poller starts at once
        pt = threading.Thread(target=poller)
        pt.start()
        ts = [threading.Thread(target=worker, args=(people[i::8],)) for i in range(8)]
        t0 = time.monotonic()
        for t in ts:
            t.start()
        for t in ts:
            t.join(120)
        done.set()
        pt.join(30)
        h.diag("200 registrations in %.1fs, %d stats polls" % (time.monotonic() - t0, len(polls)))
        assert not problems, "problems: %r" % problems[:5]
        eq(statuses.count(201), 200, "201 answers")
        assert len(polls) >= 2, "stats polled only %d times" % len(polls)
        st, _, b = stats_get(s)
        eq(st, 200, "stats")
        check_stats(b, "after")
        eq(b["total"], 200, "total")
        eq(b["by_sex"], {"L": 100, "P": 100}, "by_sex")
        eq(b["by_segment"], {"pencari_kerja": 67, "korban_phk": 67,
                             "peningkatan_kompetensi": 66}, "by_segment")
        eq(b["not_eligible"], 20, "not eligible (ASN)")
        eq(b["by_reason"], {"pekerjaan_dikecualikan": 20}, "by_reason")


# ---- durability --------------------------------------------------------------

@test
def registration_survives_sigkill():
    s = h.Server().start()
    try:
        p = person(email="tahan.banting@contoh.co.id")
        register_ok(p, s)
        os.kill(s.proc.pid, signal.SIGKILL)      # right after the 201
        s.proc.wait(10)
        s.returncode = s.proc.returncode
        with h.Server(db=s.db) as s2:
            st, _, b = post(person(nik=p["nik"]), s2)
            eq(st, 409, "the NIK after restart (%r)" % (b,))
            _, _, stats = stats_get(s2)
            eq(stats["total"], 1, "stats total after restart")
        code, out, err = h.run_cli(["export", "participants"] + s.db.args(), cwd=s.tmp)
        eq(code, 0, "export exit code (%s)" % err)
        lines = out.splitlines()
        eq(lines[0], ",".join(ALL_FIELDS) + ",eligible,alasan,peringatan", "export header")
        eq(len(lines), 2, "export rows (%r)" % lines)
        want = [p["nik"], p["no_kk"], p["nama"], p["tanggal_lahir"], "L", e164(p["no_hp"]),
                p["email"], "31.74.01.1001", p["alamat"], "sma", "pencari_kerja", "lainnya",
                "ya", "", ""]
        eq(lines[1].split(","), want, "exported row")
    finally:
        s.cleanup()


# ---- stats -------------------------------------------------------------------

@test
def stats_region_subtree():
    with h.Server() as s:
        _, _, b = stats_get(s)
        eq((b["total"], b["eligible"], b["not_eligible"]), (0, 0, 0), "empty database")
        check_stats(b, "empty")
        kk = "31740197%08d" % fresh()
        ppl = [
            person(kode_wilayah="31.74.01.1001", segmen="pencari_kerja", no_kk=kk),
            person(kode_wilayah="3174011002", female=True, segmen="korban_phk",
                   pekerjaan="asn"),
            person(kode_wilayah="31.74.01.1002", segmen="pencari_kerja", no_kk=kk),
            person(kode_wilayah="31.74.02.1001", female=True,
                   segmen="peningkatan_kompetensi", no_kk=kk),
        ]
        for p in ppl:
            register_ok(p, s)
        # region -> (total, eligible, L, P, pencari, phk, kompetensi, by_reason)
        expect = {
            "": (4, 2, 2, 2, 2, 1, 1, {"pekerjaan_dikecualikan": 1, "kuota_kk_penuh": 1}),
            "31": (4, 2, 2, 2, 2, 1, 1, {"pekerjaan_dikecualikan": 1, "kuota_kk_penuh": 1}),
            "31.74": (4, 2, 2, 2, 2, 1, 1, {"pekerjaan_dikecualikan": 1, "kuota_kk_penuh": 1}),
            "3174": (4, 2, 2, 2, 2, 1, 1, {"pekerjaan_dikecualikan": 1, "kuota_kk_penuh": 1}),
            "31.74.01": (3, 2, 2, 1, 2, 1, 0, {"pekerjaan_dikecualikan": 1}),
            "31.74.01.1002": (2, 1, 1, 1, 1, 1, 0, {"pekerjaan_dikecualikan": 1}),
            "3174011001": (1, 1, 1, 0, 1, 0, 0, {}),
            "31.74.02": (1, 0, 0, 1, 0, 0, 1, {"kuota_kk_penuh": 1}),
            "31.71": (0, 0, 0, 0, 0, 0, 0, {}),
            "31.71.01.1001": (0, 0, 0, 0, 0, 0, 0, {}),
        }
        fails = []
        for region, (tot, el, nl, np_, pk, phk, kom, why) in expect.items():
            path = S + ("?region=" + region if region else "")
            try:
                st, hdrs, b = stats_get(s, path)
                eq(st, 200, "status")
                check_stats(b, region)
                got = (b["total"], b["eligible"], b["by_sex"]["L"], b["by_sex"]["P"],
                       b["by_segment"]["pencari_kerja"], b["by_segment"]["korban_phk"],
                       b["by_segment"]["peningkatan_kompetensi"], b["by_reason"])
                eq(got, (tot, el, nl, np_, pk, phk, kom, why), "counts")
                if region:
                    assert isinstance(b["region"], dict) and b["region"].get("name"), b["region"]
                    eq(b["region"]["code"].replace(".", ""), region.replace(".", ""),
                       "region code")
                else:
                    eq(b["region"], None, "region without a filter")
            except AssertionError as e:
                fails.append("region %r: %s" % (region, e))
        assert not fails, "\n".join(fails)


@test
def stats_region_errors():
    fails = []
    for bad in ("abc", "31.7", "3", "31.74.01.1001.1", "31..74", "%3Cscript%3E", "31.74.01.10011"):
        try:
            err = api_error(stats_get(srv(), S + "?region=" + bad), 400, "parameter_tidak_valid",
                            "region=" + bad)
            assert "region" in [f.get("field") for f in err["fields"]], err
        except AssertionError as e:
            fails.append(str(e))
    for unknown in ("99", "31.99", "31.74.99", "31.74.01.9999"):
        try:
            api_error(stats_get(srv(), S + "?region=" + unknown), 404, "tidak_ditemukan",
                      "region=" + unknown)
        except AssertionError as e:
            fails.append(str(e))
    assert not fails, "\n".join(fails)


# ---- the /daftar page ----------------------------------------------------------

class Page(HTMLParser):
    """Form controls (with values, selected options, optgroups), labels,
    error-summary links."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.controls = {}        # name -> attrs (+ "options", "optgroups", "selected")
        self.labels_for = set()
        self.ids = set()
        self.summary_links = []
        self.in_summary = 0
        self.depth = 0
        self.select = None
        self.optgroup = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "div" and "error-summary" in (a.get("class") or "").split():
            self.in_summary = 1
        elif tag == "div" and self.in_summary:
            self.in_summary += 1
        if self.in_summary and tag == "a":
            self.summary_links.append(a.get("href"))
        if tag == "label" and a.get("for"):
            self.labels_for.add(a["for"])
        if tag in ("input", "select", "textarea") and a.get("name"):
            self.controls[a["name"]] = a
            if tag == "select":
                a["options"], a["optgroups"], a["selected"] = [], [], []
                self.select = a
        if tag == "optgroup" and self.select is not None:
            self.select["optgroups"].append(a.get("label"))
        if tag == "option" and self.select is not None:
            self.select["options"].append(a.get("value"))
            if "selected" in a:
                self.select["selected"].append(a.get("value"))

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        if tag == "div" and self.in_summary:
            self.in_summary -= 1


def page(method, path, body=None, headers=None, s=None):
    st, hdrs, data = (s or srv()).request(method, path, body, headers)
    return st, hdrs, data.decode("utf-8")


def post_form(fields, s=None):
    st, hdrs, data = h.form_post(s or srv(), "/daftar", fields)
    return st, hdrs, data.decode("utf-8")


def form_of(p):
    """A person as the form sends it (the village as the select's value)."""
    f = {k: v for k, v in p.items() if v is not None}
    code = f["kode_wilayah"].strip().replace(".", "")
    f["kode_wilayah"] = "%s.%s.%s.%s" % (code[:2], code[2:4], code[4:6], code[6:])
    return f


def html_page(st, hdrs, status, what):
    eq(st, status, what + " status")
    assert hdrs.get("content-type", "").startswith("text/html"), hdrs.get("content-type")


@test
def daftar_form_labels_and_villages():
    st, hdrs, text = page("GET", "/daftar")
    html_page(st, hdrs, 200, "GET /daftar")
    h.security_headers(hdrs, "GET /daftar")
    d = Page(text)
    for f in ALL_FIELDS:
        assert f in d.controls, "no control named %s" % f
        eq(d.controls[f].get("id"), f, "id of " + f)
        assert f in d.labels_for, "no <label for=%s>" % f
    eq(d.summary_links, [], "no error summary on a fresh form")
    sel = d.controls["kode_wilayah"]
    villages = [v for v in sel["options"] if VILLAGE_RE.match(v or "")]
    eq(len(villages), 267, "Jakarta villages in the select")
    eq(len(set(villages)), 267, "distinct villages")
    others = [v for v in sel["options"] if not VILLAGE_RE.match(v or "")]
    eq(others, [""], "options besides the villages (the placeholder)")
    assert len(sel["optgroups"]) >= 6, "optgroups: %r" % sel["optgroups"][:5]
    assert "31.74.01.1001" in villages and "31.01.01.1001" in villages, villages[:5]
    assert not any(v.startswith("32.") for v in sel["options"] if v), "non-Jakarta village"
    for f in ("jenis_kelamin", "segmen", "pendidikan", "pekerjaan"):
        assert len(d.controls[f]["options"]) >= 3, "%s options: %r" % (f, d.controls[f])
    assert "korban_phk" in d.controls["segmen"]["options"], d.controls["segmen"]


def register_page(p):
    """Registers p through the /daftar form as a browser does: the POST
    answers 303 to /daftar/selesai with the sealed receipt in a cookie;
    returns (POST answer, GET /daftar/selesai answer)."""
    b = h.Browser(srv())
    posted = b.post("/daftar", form_of(p))
    st, hdrs, _ = posted
    eq(st, 303, "POST /daftar")
    eq(hdrs.get("location"), "/daftar/selesai", "redirect target")
    return posted, b.get("/daftar/selesai")


@test
def daftar_valid_registration_redirects_to_receipt():
    p = person(kode_wilayah="31.74.01.1006", female=True, pekerjaan="wiraswasta")
    (st, hdrs, _), (st2, hdrs2, text) = register_page(p)
    remember(p)
    assert "no-store" in hdrs.get("cache-control", ""), hdrs.get("cache-control")
    h.security_headers(hdrs, "POST /daftar")
    html_page(st2, hdrs2, 200, "GET /daftar/selesai")
    assert "Pendaftaran tersimpan" in text, text[:2000]
    assert "Langkah berikutnya" in text, "no next steps"
    assert re.search(r'<ol class="steps">.*?<li>.*?</ol>', text, re.S), "no list of steps"
    assert re.search(r'PKJ-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}', text), "no reference"
    assert "no-store" in hdrs2.get("cache-control", ""), hdrs2.get("cache-control")
    assert p["nik"] not in text, "the NIK is echoed on the result page"
    # the page registration is the same registry as the API
    st, _, b = post(person(nik=p["nik"]))
    eq(st, 409, "API after the page registration (%r)" % (b,))


@test
def daftar_ineligible_shows_reason():
    p = person(pekerjaan="polri")
    _, (st, hdrs, text) = register_page(p)
    remember(p)
    html_page(st, hdrs, 200, "receipt of a polri registration")
    assert 'data-code="pekerjaan_dikecualikan"' in text, text[-3000:]


@test
def daftar_errors_422_keep_input():
    p = person(kode_wilayah="31.74.01.1002")
    f = form_of(p)
    f.update({"nik": "12345", "no_hp": "12", "email": "bukan-email", "nama": XSS_NAMA,
              "alamat": XSS_ALAMAT})
    del f["segmen"]
    st, hdrs, text = post_form(f)
    html_page(st, hdrs, 422, "POST /daftar with errors")
    assert "no-store" in hdrs.get("cache-control", ""), hdrs.get("cache-control")
    d = Page(text)
    bad = ["nik", "no_hp", "email", "segmen"]
    eq(sorted(d.summary_links), sorted("#" + x for x in bad), "error summary links")
    for name in ALL_FIELDS:
        inv = d.controls[name].get("aria-invalid")
        if name in bad:
            eq(inv, "true", "aria-invalid on " + name)
        else:
            eq(inv, None, "aria-invalid on valid field " + name)
    for name in ("nik", "no_kk", "nama", "tanggal_lahir", "no_hp", "email", "alamat"):
        eq(d.controls[name].get("value"), f[name], "value kept in " + name)
    eq(d.controls["kode_wilayah"]["selected"], ["31.74.01.1002"], "village still selected")
    eq(d.controls["jenis_kelamin"]["selected"], ["L"], "sex still selected")
    eq(d.controls["pendidikan"]["selected"], ["sma"], "education still selected")
    for raw in ("<script>alert(1)", "<img src=x", "onerror=1>"):
        assert raw not in text, "unescaped markup %r in the page" % raw


@test
def daftar_control_character_error_is_shown():
    f = form_of(person())
    f["nama"] = "Budi\x01Santoso"
    st, hdrs, text = post_form(f)
    html_page(st, hdrs, 422, "POST /daftar nama with a control character")
    d = Page(text)
    eq(d.summary_links, ["#nama"], "error summary links (the page must say what is wrong)")
    eq(d.controls["nama"].get("aria-invalid"), "true", "aria-invalid on nama")


@test
def daftar_second_registration_409():
    p = person(nama=XSS_NAMA, alamat=XSS_ALAMAT)
    _, (st, hdrs, text) = register_page(p)
    remember(p)
    assert "<script>alert(1)" not in text and "<img src=x" not in text, "markup echoed"
    again = form_of(person(nik=p["nik"], nama=XSS_NAMA, alamat=XSS_ALAMAT))
    st, hdrs, text = post_form(again)
    html_page(st, hdrs, 409, "second registration")
    assert "no-store" in hdrs.get("cache-control", ""), hdrs.get("cache-control")
    d = Page(text)
    eq(d.summary_links, ["#nik"], "error summary")
    eq(d.controls["nik"].get("aria-invalid"), "true", "aria-invalid on nik")
    assert "sudah terdaftar" in text, "NIK error message"
    eq(d.controls["nama"].get("value"), XSS_NAMA, "nama kept")
    eq(d.controls["alamat"].get("value"), XSS_ALAMAT, "alamat kept")
    for raw in ("<script>alert(1)", "<img src=x", "onerror=1>"):
        assert raw not in text, "unescaped markup %r in the 409 page" % raw
    # nothing of the first record: its phone and e-mail differ from the attempt
    assert p["no_hp"] not in text and p["email"] not in text, "409 page reveals the record"


@test
def daftar_wrong_content_type_and_bad_form():
    st, hdrs, text = page("POST", "/daftar", json.dumps(person()), JSON_CT)
    html_page(st, hdrs, 415, "JSON to /daftar")
    st, hdrs, text = page("POST", "/daftar", "nik=%zz&nama=%", FORM)
    html_page(st, hdrs, 400, "malformed form")
    big = urllib.parse.urlencode(dict(form_of(person()), alamat="x" * 70000))
    st, hdrs, text = page("POST", "/daftar", big, FORM)
    html_page(st, hdrs, 413, "70 KB form")
    assert srv().healthy(), "healthz after 413"


# ---- personal data at rest, access log ------------------------------------------

@test
def personal_data_not_in_database_files():
    s = srv()
    assert len(STORED) >= 20, "only %d registrations recorded" % len(STORED)
    # SQLite: the database file and its WAL; PostgreSQL: pg_dump --data-only
    blobs = s.db.raw_dump()
    main = "pg_dump" if h.PG else "db"
    assert blobs.get(main), "no database contents for %s" % s.db.url
    found = []
    for p in STORED:
        secrets = [p["nik"].strip(), p["no_kk"], p["no_hp"], re.sub(r"[ \-]", "", p["no_hp"]),
                   e164(p["no_hp"])]
        secrets += [p[k] for k in ("email", "alamat") if p.get(k)]
        for sec in secrets:
            for name, data in blobs.items():
                if any(enc in data for enc in h.raw_encodings(sec)):
                    found.append((name, sec))
    assert not found, "personal data in clear: %r" % found[:10]
    assert b"participant" in blobs[main], "not the registry database"
    # the check looks at the right bytes: names are stored in clear
    whole = b"".join(blobs.values())
    assert any(p["nama"].encode("utf-8") in whole for p in STORED), \
        "no registered name found in the raw contents"
    key = s.db.key
    assert os.path.exists(key), "no key file at %s" % key
    eq(oct(os.stat(key).st_mode & 0o777), oct(0o600), "key file mode")


@test
def nik_never_in_access_log():
    s = srv()
    log = s.stderr()
    lines = s.access_lines()
    assert any(r == "/daftar" and m == "POST" for m, r, _ in lines), "no POST /daftar logged"
    assert any(r == P and m == "POST" for m, r, _ in lines), "no POST participants logged"
    leaks = [p["nik"].strip() for p in STORED if p["nik"].strip() in log]
    assert not leaks, "NIKs in the server log: %r" % leaks[:5]
    for p in STORED:
        assert p["no_kk"] not in log and e164(p["no_hp"]) not in log, "personal data in the log"


@test
def shared_server_exits_cleanly():
    srv.stop()




@test
def stats_is_for_staff_and_operators_count_only_their_region():
    with h.Server() as s:
        register_ok(person(kode_wilayah="31.74.01.1001"), s)
        register_ok(person(kode_wilayah="31.72.01.1001"), s)
        st, hdrs, b = s.json("GET", S)
        eq(st, 401, "anonymous")
        eq(stats_get(s, role="viewer")[2]["total"], None, "viewer: 2 is below 5, hidden")
        eq(stats_get(s, role="admin")[2]["total"], 2, "admin sees every region")
        st, _, b = stats_get(s, role="operator", region="31.74")
        eq((st, b["total"], b["region"]["code"]), (200, 1, "31.74"), "operator: own region")
        st, _, b = stats_get(s, S + "?region=31.74.01", role="operator", region="31.74")
        eq((st, b["total"]), (200, 1), "operator: inside own region")
        for other in ["31", "31.72", "31.7", "3172011001"]:
            st, _, b = stats_get(s, S + "?region=" + other, role="operator", region="31.74")
            assert st in (400, 403), "operator asking for %s: %d %r" % (other, st, b)


def dashboard_counts(s, name, password, path):
    """(status, {label: count}) of a dashboard page for a fresh login."""
    b = h.Browser(s)
    st, _, text = b.post("/masuk", {"nama_pengguna": name, "kata_sandi": password})
    eq(st, 303, "login " + name)
    st, _, text = b.get(path)
    rows = re.findall(r'<th scope="row">([^<]*)</th><td data-count>(\d+)</td>', text)
    region = re.search(r'data-region="([^"]*)"', text)
    return st, {k: int(v) for k, v in rows}, region.group(1) if region else None


@test
def stats_scope_one_rule_for_api_and_dashboard():
    """The scope of counts is decided once (app/stats.c): a viewer created
    with --region is limited to it on the API and on the dashboard alike,
    both answer the same statuses for the same requests, and they give the
    same numbers for the same caller and region."""
    pw = "Pemantau-Jaksel-Agregat-4"
    with h.Server(args=["--stats-min-count", "0"]) as s:   # small counts shown here
        for p in (person(kode_wilayah="31.74.01.1001"), person(kode_wilayah="31.74.02.1001",
                  female=True), person(kode_wilayah="31.72.01.1001", pekerjaan="asn")):
            register_ok(p, s)
        code, _, err = h.run_cli(s.db.args_for(["user", "add", "--username", "pemantau.sel",
                                                "--role", "viewer", "--region", "31.74",
                                                "--password-stdin"]), stdin=(pw + "\n").encode())
        eq(code, 0, "user add: " + err)
        code, out, err = h.run_cli(s.db.args_for(["token", "create", "--username",
                                                  "pemantau.sel"]))
        eq(code, 0, "token create: " + err)
        auth = {"Authorization": "Bearer " + json.loads(out.strip().splitlines()[-1])["token"]}
        cases = [("", 200, 2), ("31.74", 200, 2), ("31.74.01", 200, 1), ("31.72", 403, None),
                 ("31", 403, None), ("31.7", 400, None), ("31.99", 404, None)]
        for region, want, total in cases:
            q = "?region=" + region if region else ""
            st, _, b = s.json("GET", S + q, headers=auth)
            eq(st, want, "API region %r" % region)
            dst, counts, shown = dashboard_counts(s, "pemantau.sel", pw,
                                                  "/dasbor" + ("?wilayah=" + region if region else ""))
            eq(dst, want, "dashboard region %r" % region)
            if want != 200:
                continue
            eq(b["total"], total, "API total of %r" % region)
            eq(b["region"]["code"], region or "31.74", "API region of %r" % region)
            eq(shown, region or "31.74", "dashboard region of %r" % region)
            eq((counts["Pendaftar"], counts["Memenuhi syarat"], counts["Laki-laki"],
                counts["Perempuan"]),
               (b["total"], b["eligible"], b["by_sex"]["L"], b["by_sex"]["P"]),
               "dashboard and API agree on %r" % (region or "the scope"))


@test
def small_counts_hidden_from_viewers_alike_on_api_and_dashboard():
    """A viewer (who may not open records) does not see counts 1-4, nor a
    second count of the same group that would give a hidden one away;
    when the region's total is small, every count is hidden.  Operators
    and admins, who can open the records, see exact counts.  (That no
    page subtracted from another gives a hidden count away:
    test_suppress.py.)"""
    pw = "Pemantau-Kecil-Agregat-6"
    with h.Server() as s:
        # 31.74.01: 6 people, 1 ineligible (asn), 1 woman; 31.74.02: 2
        # people; 31.74.03: 5, the least shown district of 31.74, hidden
        # with 31.74.02 so that 13 - 6 does not give its 2
        ppl = [person(kode_wilayah="31.74.01.1001") for _ in range(4)]
        ppl += [person(kode_wilayah="31.74.01.1002", female=True),
                person(kode_wilayah="31.74.01.1003", pekerjaan="asn")]
        ppl += [person(kode_wilayah="31.74.02.1001") for _ in range(2)]
        ppl += [person(kode_wilayah="31.74.03.1001") for _ in range(5)]
        for p in ppl:
            register_ok(p, s)
        code, _, err = h.run_cli(s.db.args_for(["user", "add", "--username", "pemantau.kecil",
                                                "--role", "viewer", "--password-stdin"]),
                                 stdin=(pw + "\n").encode())
        eq(code, 0, err)
        code, out, err = h.run_cli(s.db.args_for(["token", "create", "--username",
                                                  "pemantau.kecil"]))
        auth = {"Authorization": "Bearer " + json.loads(out.strip().splitlines()[-1])["token"]}
        st, _, v = s.json("GET", S + "?region=31.74.01", headers=auth)
        eq(st, 200)
        eq(v["hidden_below"], 5, "the threshold is told")
        eq(v["total"], 6, "a total of 6 is shown")
        eq((v["eligible"], v["not_eligible"]), (None, None), "1 ineligible: both hidden")
        eq((v["by_sex"]["L"], v["by_sex"]["P"]), (None, None), "1 woman: both hidden")
        eq(v["by_reason"], {"pekerjaan_dikecualikan": None}, "a reason of 1 is hidden")
        eq(v["by_segment"]["pencari_kerja"], 6, "a segment of 6 is shown")
        st, _, small = s.json("GET", S + "?region=31.74.02", headers=auth)
        eq(small["total"], None, "a total of 2 is hidden")
        assert all(x in (None, 0) for x in list(small["by_sex"].values()) +
                   list(small["by_segment"].values())), small
        # an operator of the region sees exact numbers, and no threshold
        st, _, o = stats_get(s, S + "?region=31.74.01", role="operator", region="31.74")
        eq((o["total"], o["eligible"], o["not_eligible"], o["by_sex"]["P"]), (6, 5, 1, 1))
        assert "hidden_below" not in o, o
        # the dashboard hides the same cells for the viewer
        dst, counts, _ = dashboard_counts(s, "pemantau.kecil", pw, "/dasbor?wilayah=31.74.01")
        eq(dst, 200)
        eq(counts.get("Pendaftar"), 6, "dashboard total")
        for label in ("Memenuhi syarat", "Belum memenuhi syarat", "Laki-laki", "Perempuan"):
            assert label not in counts, "%s shown on the dashboard: %r" % (label, counts)
        b = h.Browser(s)
        b.post("/masuk", {"nama_pengguna": "pemantau.kecil", "kata_sandi": pw})
        text = b.get("/dasbor?wilayah=31.74.01")[2]
        # eligible and not, L and P, and the reason's row (pekerjaan_dikecualikan)
        eq(text.count('data-count="tersembunyi">&lt; 5<'), 5, "five hidden cells")


if __name__ == "__main__":
    h.run()
