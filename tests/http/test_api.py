"""Black-box tests of the JSON API of `prakerja serve` (TAP).

usage: python3 tests/http/test_api.py PATH-TO-PRAKERJA [TEST-NAME...]
"""

import http.client
import json
import os
import re
import resource
import signal
import socket
import threading
import time

import harness as h
from harness import api_error, eq, test

ROUTES_C = os.path.join(h.REPO, "src", "web", "routes.c")

# Real-looking NIKs (structurally valid): Tebet, Jakarta Selatan.
NIK_MALE = "3174011708950001"      # 17 Aug 1995, L
NIK_FEMALE = "3174015708950002"    # 17 + 40: 17 Aug 1995, P
NIK_LEAP = "3174012902000003"      # 29 Feb "00" = 2000, a leap year
NIK_OLD_REGENCY = "3199011708950004"  # province 31 known, regency 31.99 not
NIK_BAD_PROVINCE = "9901011708950005"

# The server most tests share (started on first use, stopped by the last
# test, which checks it exits cleanly).
srv = h.SharedServer()


def post_json(body, path="/api/v1/eligibility", headers=None):
    return srv().json("POST", path, body, headers)


def codes(items):
    return [x["code"] for x in items]


# ---- health, HEAD, headers -------------------------------------------------

@test
def healthz_ok():
    st, hdrs, body = srv().json("GET", "/healthz")
    eq(st, 200, "status")
    eq(body.get("status"), "ok", "status field")
    assert hdrs["content-type"].startswith("application/json"), hdrs["content-type"]
    h.security_headers(hdrs, "/healthz")


@test
def head_healthz_has_no_body():
    st, hdrs, body = srv().request("HEAD", "/healthz")
    eq(st, 200, "status")
    eq(body, b"", "HEAD body")
    _, ghdrs, gbody = srv().request("GET", "/healthz")
    eq(hdrs.get("content-length"), str(len(gbody)), "HEAD Content-Length equals GET's")


@test
def security_headers_on_api_answers_and_errors():
    for method, path, body in [("GET", "/api/v1/schemes", None),
                               ("GET", "/api/v1/nik/" + NIK_MALE, None),
                               ("GET", "/api/v1/nope", None),
                               ("DELETE", "/api/v1/schemes", None),
                               ("POST", "/api/v1/eligibility", "{")]:
        hdr = {"Content-Type": "application/json"} if body else {}
        _, hdrs, _ = srv().request(method, path, body, hdr)
        h.security_headers(hdrs, "%s %s" % (method, path))


@test
def nik_answers_are_not_cached():
    _, hdrs, _ = srv().request("GET", "/api/v1/nik/" + NIK_MALE)
    assert "no-store" in hdrs.get("cache-control", ""), hdrs.get("cache-control")


# ---- NIK ------------------------------------------------------------------

NIK_CASES = [
    # label, path part, valid, errors, warnings, birth_date, sex, province, regency, district
    ("valid male", NIK_MALE, True, [], [], "1995-08-17", "L", "31", "31.74", "31.74.01"),
    ("valid female (+40 day)", NIK_FEMALE, True, [], [], "1995-08-17", "P", "31", "31.74",
     "31.74.01"),
    ("29 Feb 00 is 2000", NIK_LEAP, True, [], [], "2000-02-29", "L", "31", "31.74", "31.74.01"),
    ("female 29 Feb 00", "3174016902000006", True, [], [], "2000-02-29", "P", "31", "31.74",
     "31.74.01"),
    ("unknown regency under 31 is a warning", NIK_OLD_REGENCY, True, [],
     ["nik_wilayah_tidak_dikenal"], "1995-08-17", "L", "31", None, None),
    ("unknown province 99", NIK_BAD_PROVINCE, False, ["nik_provinsi"], [], "1995-08-17", "L",
     None, None, None),
    ("31 February", "3174013102950001", False, ["nik_tanggal"], [], None, None, "31", "31.74",
     "31.74.01"),
    ("letters", "31740117089500AB", False, ["nik_format"], [], None, None, None, None, None),
    ("15 digits", "317401170895001", False, ["nik_format"], [], None, None, None, None, None),
    ("17 digits", "31740117089500011", False, ["nik_format"], [], None, None, None, None, None),
    ("serial 0000", "3174011708950000", False, ["nik_format"], [], None, None, None, None,
     None),
    ("URL-encoded script", "%3Cscript%3Ealert(1)%3C", False, ["nik_format"], [], None,
     None, None, None, None),
    ("URL-encoded spaces and quotes", "%20%22%27%3E%3C%20", False, ["nik_format"], [], None,
     None, None, None, None),
    ("URL-encoded UTF-8 digits", "%EF%BC%93174011708950001", False, ["nik_format"], [], None,
     None, None, None, None),
]


@test
def nik_table():
    fails = []
    for (label, part, valid, errs, warns, birth, sex, prov, reg, dist) in NIK_CASES:
        st, hdrs, b = srv().json("GET", "/api/v1/nik/" + part)
        try:
            eq(st, 200, "status")
            for k in ("valid", "errors", "warnings", "birth_date", "sex", "province", "regency",
                      "district"):
                assert k in b, "missing key %s in %r" % (k, b)
            eq(b["valid"], valid, "valid")
            eq(sorted(codes(b["errors"])), sorted(errs), "errors")
            eq(sorted(codes(b["warnings"])), sorted(warns), "warnings")
            for e in b["errors"] + b["warnings"]:
                assert e.get("message"), "no message in %r" % e
            eq(b["birth_date"], birth, "birth_date")
            eq(b["sex"], sex, "sex")
            for key, code in (("province", prov), ("regency", reg), ("district", dist)):
                if code is None:
                    eq(b[key], None, key)
                else:
                    assert isinstance(b[key], dict), "%s: %r" % (key, b[key])
                    eq(b[key].get("code"), code, key + ".code")
                    assert b[key].get("name"), "%s has no name" % key
        except AssertionError as e:
            fails.append("%s: %s" % (label, e))
    assert not fails, "\n".join(fails)


@test
def nik_region_names():
    _, _, b = srv().json("GET", "/api/v1/nik/" + NIK_MALE)
    eq(b["province"]["name"], "DKI JAKARTA", "province name")
    assert "JAKARTA SELATAN" in b["regency"]["name"].upper(), b["regency"]
    eq(b["district"]["name"], "Tebet", "district name")


@test
def nik_path_with_nul_or_slash_is_4xx_or_invalid():
    for part in ("%00", "3174011708950001%00", "a%2Fb", "%2e%2e%2f"):
        st, hdrs, b = srv().json("GET", "/api/v1/nik/" + part)
        if st == 200:
            eq(b["valid"], False, part)
        else:
            assert 400 <= st < 500, "%s: status %d" % (part, st)
            assert "error" in b, b
    assert srv().healthy()


# ---- regions --------------------------------------------------------------

@test
def regions_top_level_has_38_provinces():
    st, hdrs, b = srv().json("GET", "/api/v1/regions")
    eq(st, 200, "status")
    eq(b.get("parent"), None, "parent")
    regs = b["regions"]
    eq(len(regs), 38, "number of provinces")
    assert all(re.fullmatch(r"\d\d", r["code"]) for r in regs), regs[:3]
    assert {"code": "31", "name": "DKI JAKARTA", "title": "DKI Jakarta"}.items() <= next(
        r for r in regs if r["code"] == "31").items()


@test
def regions_of_jakarta():
    st, _, b = srv().json("GET", "/api/v1/regions?parent=31")
    eq(st, 200, "status")
    eq(sorted(r["code"] for r in b["regions"]),
       ["31.01", "31.71", "31.72", "31.73", "31.74", "31.75"], "regencies of 31")
    eq(b["parent"]["code"], "31", "parent code")
    south = next(r for r in b["regions"] if r["code"] == "31.74")
    eq((south["name"], south["title"]),
       ("KOTA ADMINISTRASI JAKARTA SELATAN", "Kota Administrasi Jakarta Selatan"),
       "the table's name and the name as people read it")
    eq(b["parent"]["title"], "DKI Jakarta", "parent's title")


@test
def regions_undotted_parent_and_districts():
    st, _, b = srv().json("GET", "/api/v1/regions?parent=3174")
    eq(st, 200, "status")
    eq(b["parent"]["code"], "31.74", "normalised parent")
    eq(len(b["regions"]), 10, "districts of 31.74")
    assert all(r["code"].startswith("31.74.") for r in b["regions"])
    st, _, b2 = srv().json("GET", "/api/v1/regions?parent=31.74")
    eq(st, 200, "dotted")
    eq(b2["regions"], b["regions"], "dotted and undotted give the same list")


@test
def regions_villages_of_tebet():
    st, _, b = srv().json("GET", "/api/v1/regions?parent=31.74.01")
    eq(st, 200, "status")
    assert len(b["regions"]) == 7, "Tebet has 7 kelurahan, got %d" % len(b["regions"])
    st, _, b = srv().json("GET", "/api/v1/regions?parent=31.74.01.1001")
    eq(st, 200, "a village has no children but exists")
    eq(b["regions"], [], "children of a village")


@test
def regions_errors():
    api_error(srv().json("GET", "/api/v1/regions?parent=99"), 404, "tidak_ditemukan", "99")
    api_error(srv().json("GET", "/api/v1/regions?parent=31.99"), 404, "tidak_ditemukan",
              "31.99")
    for bad in ("abc", "3", "31.7", "31..74", "%3Cscript%3E", "31.74.01.1001.1"):
        st, hdrs, b = srv().json("GET", "/api/v1/regions?parent=" + bad)
        eq(st, 400, "parent=%s" % bad)
        assert "error" in b and isinstance(b["error"].get("fields"), list), b


# ---- schemes --------------------------------------------------------------

@test
def schemes_list():
    st, hdrs, b = srv().json("GET", "/api/v1/schemes")
    eq(st, 200, "status")
    eq(b.get("current"), "2023", "current")
    by = {s["id"]: s for s in b["schemes"]}
    eq(sorted(by), ["2020", "2021", "2022", "2023"], "scheme ids")
    want = {"2020": (3550000, "Rp3.550.000"), "2021": (3550000, "Rp3.550.000"),
            "2022": (3550000, "Rp3.550.000"), "2023": (4200000, "Rp4.200.000")}
    for sid, (amount, display) in want.items():
        eq(by[sid]["total"]["amount"], amount, sid + " total")
        eq(by[sid]["total"]["display"], display, sid + " display")
    eq(by["2023"]["purchase_deadline_days"], 15, "2023 purchase deadline")
    eq(by["2021"]["purchase_deadline_days"], 30, "2021 purchase deadline")
    eq(by["2023"]["training_balance"]["display"], "Rp3.500.000", "2023 training balance")
    assert "dtks" in by["2021"]["exclusion_lists"], by["2021"]["exclusion_lists"]
    assert "dtks" not in by["2023"]["exclusion_lists"], by["2023"]["exclusion_lists"]


@test
def scheme_by_id():
    st, _, b = srv().json("GET", "/api/v1/schemes/2023")
    eq(st, 200, "status")
    eq(b["id"], "2023", "id")
    eq(b["total"]["display"], "Rp4.200.000", "display")
    eq(b["purchase_deadline_days"], 15, "deadline")
    eq(b["age"], {"min": 18, "max": 64}, "age limits")
    st, _, b = srv().json("GET", "/api/v1/schemes/2020")
    eq(b["total"]["amount"], 3550000, "2020 total")
    for bad in ("2099", "abc", "%3Cscript%3E", "2023x"):
        api_error(srv().json("GET", "/api/v1/schemes/" + bad), 404, "tidak_ditemukan", bad)


# ---- eligibility ----------------------------------------------------------

AS_OF = "2026-01-15"

ELIG_CASES = [
    # label, body, eligible, reason codes
    ("eligible adult 2023", {"scheme": "2023", "as_of": AS_OF,
                             "participant": {"tanggal_lahir": "1995-08-17"}}, True, []),
    ("eligible adult with full valid record",
     {"scheme": "2023", "as_of": AS_OF,
      "participant": {"nik": NIK_MALE, "no_kk": "3174010101200001", "nama": "Budi Santoso",
                      "tanggal_lahir": "1995-08-17", "jenis_kelamin": "L",
                      "no_hp": "0812-3456-7890", "email": "budi@example.co.id",
                      "kode_wilayah": "31.74.01.1001", "pendidikan": "s1",
                      "segmen": "pencari_kerja", "pekerjaan": "karyawan_swasta"}}, True, []),
    ("under age", {"scheme": "2023", "as_of": AS_OF,
                   "participant": {"tanggal_lahir": "2010-01-01"}}, False, ["usia_kurang"]),
    ("18th birthday is old enough", {"scheme": "2023", "as_of": "2026-01-15",
                                     "participant": {"tanggal_lahir": "2008-01-15"}}, True, []),
    ("day before 18th birthday", {"scheme": "2023", "as_of": "2026-01-14",
                                  "participant": {"tanggal_lahir": "2008-01-15"}},
     False, ["usia_kurang"]),
    ("65 years old on 2023", {"scheme": "2023", "as_of": "2025-07-01",
                              "participant": {"tanggal_lahir": "1960-06-01"}},
     False, ["usia_lebih"]),
    ("65 years old on 2021", {"scheme": "2021", "as_of": "2025-07-01",
                              "participant": {"tanggal_lahir": "1960-06-01"}}, True, []),
    ("pelajar", {"scheme": "2023", "as_of": AS_OF,
                 "participant": {"tanggal_lahir": "1995-08-17", "pekerjaan": "pelajar"}},
     False, ["sedang_sekolah"]),
    ("mahasiswa", {"scheme": "2021", "as_of": AS_OF,
                   "participant": {"tanggal_lahir": "1995-08-17", "pekerjaan": "mahasiswa"}},
     False, ["sedang_sekolah"]),
    ("asn", {"scheme": "2023", "as_of": AS_OF,
             "participant": {"tanggal_lahir": "1995-08-17", "pekerjaan": "asn"}},
     False, ["pekerjaan_dikecualikan"]),
    ("polri", {"scheme": "2020", "as_of": AS_OF,
               "participant": {"tanggal_lahir": "1995-08-17", "pekerjaan": "polri"}},
     False, ["pekerjaan_dikecualikan"]),
    ("wiraswasta is fine", {"scheme": "2023", "as_of": AS_OF,
                            "participant": {"tanggal_lahir": "1995-08-17",
                                            "pekerjaan": "wiraswasta"}}, True, []),
    ("bansos on 2021", {"scheme": "2021", "as_of": AS_OF,
                        "participant": {"tanggal_lahir": "1995-08-17"},
                        "self_declared": {"penerima_bansos": True}}, False, ["penerima_bansos"]),
    ("bansos on 2022", {"scheme": "2022", "as_of": AS_OF,
                        "participant": {"tanggal_lahir": "1995-08-17"},
                        "self_declared": {"penerima_bansos": True}}, False, ["penerima_bansos"]),
    ("bansos on 2023 is allowed", {"scheme": "2023", "as_of": AS_OF,
                                   "participant": {"tanggal_lahir": "1995-08-17"},
                                   "self_declared": {"penerima_bansos": True}}, True, []),
    ("bansos false", {"scheme": "2021", "as_of": AS_OF,
                      "participant": {"tanggal_lahir": "1995-08-17"},
                      "self_declared": {"penerima_bansos": False,
                                        "pernah_menerima": False}}, True, []),
    ("several reasons at once",
     {"scheme": "2021", "as_of": AS_OF,
      "participant": {"tanggal_lahir": "2010-01-01", "pekerjaan": "tni"},
      "self_declared": {"penerima_bansos": True, "pernah_menerima": True}},
     False, ["usia_kurang", "pekerjaan_dikecualikan", "penerima_bansos", "pernah_menerima"]),
]
for _sid in ("2020", "2021", "2022", "2023"):
    ELIG_CASES.append(("pernah_menerima on " + _sid,
                       {"scheme": _sid, "as_of": AS_OF,
                        "participant": {"tanggal_lahir": "1995-08-17"},
                        "self_declared": {"pernah_menerima": True}}, False, ["pernah_menerima"]))


@test
def eligibility_table():
    fails = []
    for label, body, eligible, reasons in ELIG_CASES:
        st, hdrs, b = post_json(body)
        try:
            eq(st, 200, "status (%r)" % b)
            eq(b.get("eligible"), eligible, "eligible")
            eq(sorted(codes(b.get("reasons", []))), sorted(reasons), "reasons")
            eq(b.get("scheme"), body["scheme"], "scheme")
            eq(b.get("as_of"), body["as_of"], "as_of")
            assert isinstance(b.get("warnings"), list), "warnings %r" % b.get("warnings")
            for r in b["reasons"]:
                assert r.get("message"), "reason without message: %r" % r
        except AssertionError as e:
            fails.append("%s: %s" % (label, e))
    assert not fails, "\n".join(fails)


@test
def eligibility_defaults_scheme_and_as_of():
    # Asia/Jakarta is UTC+7, no DST
    before = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 7 * 3600))
    st, _, b = post_json({"participant": {"tanggal_lahir": "1990-01-01"}})
    after = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 7 * 3600))
    eq(st, 200, "status")
    eq(b["scheme"], "2023", "default scheme is the current one")
    assert b["as_of"] in (before, after), \
        "as_of %r is not today in Jakarta (%s)" % (b["as_of"], before)


@test
def eligibility_warning_nik_date_differs():
    st, _, b = post_json({"scheme": "2023", "as_of": AS_OF,
                          "participant": {"nik": NIK_MALE, "tanggal_lahir": "1995-08-18"}})
    eq(st, 200, "status %r" % b)
    eq(b["eligible"], True, "a warning is no rejection")
    assert "nik_tanggal_berbeda" in codes(b["warnings"]), b["warnings"]


def field_errors(resp):
    err = api_error(resp, 422, "data_tidak_valid")
    out = {}
    for f in err["fields"]:
        assert set(f) >= {"field", "code", "message"}, f
        out.setdefault(f["field"].split(".")[-1], []).append(f["code"])
    return out


@test
def eligibility_422_unknown_scheme():
    fe = field_errors(post_json({"scheme": "2099", "as_of": AS_OF,
                                 "participant": {"tanggal_lahir": "1990-01-01"}}))
    assert "scheme" in fe, fe


@test
def eligibility_422_bad_as_of():
    for bad in ("2026-02-30", "15-01-2026", "", "2026-1-5", 20260115):
        fe = field_errors(post_json({"scheme": "2023", "as_of": bad,
                                     "participant": {"tanggal_lahir": "1990-01-01"}}))
        assert "as_of" in fe, (bad, fe)


@test
def eligibility_422_missing_birth_date():
    fe = field_errors(post_json({"scheme": "2023", "as_of": AS_OF, "participant": {}}))
    eq(fe.get("tanggal_lahir"), ["wajib_diisi"], "tanggal_lahir")
    fe = field_errors(post_json({"scheme": "2023", "as_of": AS_OF,
                                 "participant": {"pekerjaan": "lainnya"}}))
    eq(fe.get("tanggal_lahir"), ["wajib_diisi"], "tanggal_lahir with other fields")
    fe = field_errors(post_json({"scheme": "2023", "as_of": AS_OF}))
    assert "participant" in fe or "tanggal_lahir" in fe, fe


@test
def eligibility_422_lists_every_field_error():
    fe = field_errors(post_json({
        "scheme": "2023", "as_of": AS_OF,
        "participant": {"tanggal_lahir": "1990-13-01", "nik": "12345", "no_hp": "12345",
                        "kode_wilayah": "99.99.99.9999", "email": "nope",
                        "pekerjaan": "astronot"}}))
    for f in ("tanggal_lahir", "nik", "no_hp", "kode_wilayah", "email", "pekerjaan"):
        assert f in fe, "no error for %s in %r" % (f, fe)
    assert "nik_format" in fe["nik"], fe
    assert "no_hp_invalid" in fe["no_hp"], fe


@test
def eligibility_422_region_outside_service_area():
    fe = field_errors(post_json({"scheme": "2023", "as_of": AS_OF,
                                 "participant": {"tanggal_lahir": "1990-01-01",
                                                 "kode_wilayah": "32.73.01.1001"}}))
    eq(fe.get("kode_wilayah"), ["wilayah_di_luar_layanan"], "kode_wilayah")


@test
def eligibility_422_unknown_field_and_types():
    fe = field_errors(post_json({"scheme": "2023", "as_of": AS_OF,
                                 "participant": {"tanggal_lahir": "1990-01-01", "gaji": "1"}}))
    assert "gaji" in fe, fe
    fe = field_errors(post_json({"scheme": "2023", "as_of": AS_OF, "extra": 1,
                                 "participant": {"tanggal_lahir": "1990-01-01"}}))
    assert fe, fe
    for bad in (19900101, True, ["1990-01-01"], {"y": 1990}):
        fe = field_errors(post_json({"scheme": "2023", "as_of": AS_OF,
                                     "participant": {"tanggal_lahir": bad}}))
        assert "tanggal_lahir" in fe, (bad, fe)
    fe = field_errors(post_json({"scheme": 2023, "as_of": AS_OF,
                                 "participant": {"tanggal_lahir": "1990-01-01"}}))
    assert "scheme" in fe, fe
    fe = field_errors(post_json({"scheme": "2023", "as_of": AS_OF, "participant": "x"}))
    assert "participant" in fe, fe
    fe = field_errors(post_json({"scheme": "2023", "as_of": AS_OF,
                                 "participant": {"tanggal_lahir": "1990-01-01"},
                                 "self_declared": {"penerima_bansos": "ya"}}))
    assert "self_declared" in fe, fe


@test
def eligibility_422_mixed_decode_and_validation_errors_listed_together():
    # "invalid fields -> 422 listing every field error": an unknown field
    # must not hide the errors of the fields that were given.
    fe = field_errors(post_json({"scheme": "2023", "as_of": AS_OF,
                                 "participant": {"tanggal_lahir": "1990-01-01", "gaji": "1",
                                                 "nik": "12345", "no_hp": "12"}}))
    for f in ("gaji", "nik", "no_hp"):
        assert f in fe, "no error for %s in %r" % (f, fe)


# ---- request-level errors, table-driven -----------------------------------

JSON_CT = {"Content-Type": "application/json"}
E = "/api/v1/eligibility"
OK_BODY = json.dumps({"scheme": "2023", "as_of": AS_OF,
                      "participant": {"tanggal_lahir": "1990-01-01"}})


def nested(n):
    return '{"scheme":"2023","participant":{"tanggal_lahir":"1990-01-01"},"x":' + \
        "[" * n + "]" * n + "}"


ERROR_CASES = [
    # label, method, path, headers, body, status, error code
    ("malformed JSON", "POST", E, JSON_CT, '{"scheme":', 400, "json_tidak_valid"),
    ("not JSON at all", "POST", E, JSON_CT, "hello", 400, "json_tidak_valid"),
    ("empty body", "POST", E, JSON_CT, "", 400, "json_tidak_valid"),
    ("JSON array", "POST", E, JSON_CT, "[]", 400, "json_tidak_valid"),
    ("JSON string", "POST", E, JSON_CT, '"x"', 400, "json_tidak_valid"),
    ("JSON null", "POST", E, JSON_CT, "null", 400, "json_tidak_valid"),
    ("duplicate keys", "POST", E, JSON_CT,
     '{"scheme":"2023","scheme":"2021","participant":{"tanggal_lahir":"1990-01-01"}}',
     400, "json_tidak_valid"),
    ("duplicate nested keys", "POST", E, JSON_CT,
     '{"participant":{"tanggal_lahir":"1990-01-01","tanggal_lahir":"2010-01-01"}}',
     400, "json_tidak_valid"),
    ("deep nesting (20)", "POST", E, JSON_CT, nested(20), 400, "json_tidak_valid"),
    ("deep nesting (30000)", "POST", E, JSON_CT, nested(30000), 400, "json_tidak_valid"),
    ("trailing garbage", "POST", E, JSON_CT, OK_BODY + "x", 400, "json_tidak_valid"),
    ("invalid UTF-8 in a string", "POST", E, JSON_CT,
     b'{"scheme":"\xff\xfe","participant":{"tanggal_lahir":"1990-01-01"}}',
     400, "json_tidak_valid"),
    ("raw NUL byte", "POST", E, JSON_CT,
     b'{"scheme":"2023\x00","participant":{"tanggal_lahir":"1990-01-01"}}',
     400, "json_tidak_valid"),
    ("text/plain", "POST", E, {"Content-Type": "text/plain"}, OK_BODY, 415,
     "tipe_konten_tidak_didukung"),
    ("no content type", "POST", E, {}, OK_BODY, 415, "tipe_konten_tidak_didukung"),
    ("form content type", "POST", E, {"Content-Type": "application/x-www-form-urlencoded"},
     "skema=2023", 415, "tipe_konten_tidak_didukung"),
    ("json-ish content type", "POST", E, {"Content-Type": "application/jsonx"}, OK_BODY, 415,
     "tipe_konten_tidak_didukung"),
    ("unknown API path", "GET", "/api/v1/nope", {}, None, 404, "tidak_ditemukan"),
    ("unknown API version", "GET", "/api/v2/schemes", {}, None, 404, "tidak_ditemukan"),
    ("empty NIK segment", "GET", "/api/v1/nik/", {}, None, 404, "tidak_ditemukan"),
    ("unknown scheme", "GET", "/api/v1/schemes/1999", {}, None, 404, "tidak_ditemukan"),
    ("unknown region", "GET", "/api/v1/regions?parent=99", {}, None, 404, "tidak_ditemukan"),
    ("DELETE schemes", "DELETE", "/api/v1/schemes", {}, None, 405, "metode_tidak_diizinkan"),
    ("GET eligibility", "GET", E, {}, None, 405, "metode_tidak_diizinkan"),
    ("PUT nik", "PUT", "/api/v1/nik/" + NIK_MALE, JSON_CT, "{}", 405,
     "metode_tidak_diizinkan"),
    ("POST healthz", "POST", "/healthz", JSON_CT, "{}", 405, "metode_tidak_diizinkan"),
    ("PATCH timeline", "PATCH", "/api/v1/timeline", JSON_CT, "{}", 405,
     "metode_tidak_diizinkan"),
    ("bad region code", "GET", "/api/v1/regions?parent=abc", {}, None, 400, None),
    ("timeline without selected", "GET", "/api/v1/timeline?scheme=2023", {}, None, 422,
     "data_tidak_valid"),
    ("timeline bad date", "GET", "/api/v1/timeline?scheme=2023&selected=2026-02-30", {}, None,
     422, "data_tidak_valid"),
    ("timeline unknown scheme", "GET", "/api/v1/timeline?scheme=1999&selected=2026-11-02", {},
     None, 422, "data_tidak_valid"),
    ("timeline completed before selected", "GET",
     "/api/v1/timeline?scheme=2023&selected=2026-11-02&completed=2026-11-01", {}, None, 422,
     "data_tidak_valid"),
    # a timeline past 9999-12-31 is refused, not cut to the year 9999
    ("timeline past the calendar", "GET", "/api/v1/timeline?selected=9999-12-20", {}, None, 422,
     "data_tidak_valid"),
    ("timeline completed past the calendar", "GET",
     "/api/v1/timeline?selected=9999-01-01&completed=9999-12-31", {}, None, 422,
     "data_tidak_valid"),
]


@test
def error_table():
    fails = []
    for label, method, path, hdrs, body, status, code in ERROR_CASES:
        try:
            resp = srv().json(method, path, body, hdrs)
            if code is None:
                eq(resp[0], status, "status (%r)" % (resp[2],))
                assert "error" in resp[2], resp[2]
            else:
                api_error(resp, status, code)
            if status == 405:
                allow = resp[1].get("allow")
                assert allow, "405 without Allow header"
        except AssertionError as e:
            fails.append("%s: %s" % (label, e))
    assert not fails, "\n".join(fails)
    assert srv().healthy()


@test
def content_type_parameters_and_case_accepted():
    for ct in ("application/json; charset=utf-8", "Application/JSON", "application/json ;x=y"):
        st, _, b = post_json(json.loads(OK_BODY), headers={"Content-Type": ct})
        eq(st, 200, "Content-Type %r (%r)" % (ct, b))


@test
def nul_escape_in_json_string_rejected():
    body = '{"scheme":"2023","participant":{"tanggal_lahir":"1990-01-01\\u0000x"}}'
    st, _, b = srv().json("POST", E, body, JSON_CT)
    assert st in (400, 422), "status %d: %r" % (st, b)
    assert "error" in b, b
    body = '{"scheme":"2023","participant":{"nama":"Budi\\u0000<script>","tanggal_lahir":' \
           '"1990-01-01"}}'
    st, _, b = srv().json("POST", E, body, JSON_CT)
    assert st in (400, 422), "status %d: %r" % (st, b)


@test
def allow_headers_of_405():
    st, hdrs, _ = srv().request("DELETE", "/api/v1/schemes")
    eq(st, 405, "status")
    allow = {m.strip() for m in hdrs.get("allow", "").split(",")}
    eq(allow, {"GET", "HEAD"}, "Allow of /api/v1/schemes")
    st, hdrs, _ = srv().request("GET", E)
    eq(st, 405, "status")
    allow = {m.strip() for m in hdrs.get("allow", "").split(",")}
    eq(allow, {"POST"}, "Allow of /api/v1/eligibility")


# ---- body limits ----------------------------------------------------------

@test
def body_too_large_413():
    big = '{"participant":{"tanggal_lahir":"1990-01-01","alamat":"' + "a" * 70000 + '"}}'
    api_error(srv().json("POST", E, big, JSON_CT), 413, "isi_terlalu_besar", "70 KB body")
    assert srv().healthy(), "healthz after 413"


@test
def body_just_under_limit_is_read():
    pad = 65536 - len('{"participant":{"tanggal_lahir":"1990-01-01"},"x":""}') - 10
    body = '{"participant":{"tanggal_lahir":"1990-01-01"},"x":"' + "a" * pad + '"}'
    assert len(body) <= 65536
    st, _, b = srv().json("POST", E, body, JSON_CT)
    eq(st, 422, "an accepted body is parsed (unknown key x): %r" % (b,))


@test
def body_too_large_by_content_length_only():
    s = srv().connect()
    try:
        s.sendall(b"POST /api/v1/eligibility HTTP/1.1\r\nHost: localhost\r\n"
                  b"Content-Type: application/json\r\nContent-Length: 10000000\r\n\r\n")
        st, hdrs, body = h.read_response(s, timeout=10)
    finally:
        s.close()
    eq(st, 413, "status")
    eq(json.loads(body)["error"]["code"], "isi_terlalu_besar", "code")
    assert srv().healthy(), "healthz after 413"


@test
def chunked_body_accepted():
    body = OK_BODY.encode()
    req = (b"POST /api/v1/eligibility HTTP/1.1\r\nHost: localhost\r\n"
           b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
           b"Connection: close\r\n\r\n" + b"%x\r\n" % 10 + body[:10] + b"\r\n" +
           b"%x\r\n" % (len(body) - 10) + body[10:] + b"\r\n0\r\n\r\n")
    raw = srv().raw(req, timeout=5)
    eq(h.parse_status(raw), 200, "chunked small body (got %r)" % raw[:200])


@test
def body_too_large_chunked():
    chunk = b"a" * 0x4000
    req = (b"POST /api/v1/eligibility HTTP/1.1\r\nHost: localhost\r\n"
           b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" +
           (b"4000\r\n" + chunk + b"\r\n") * 6 + b"0\r\n\r\n")
    raw = srv().raw(req, timeout=5)
    eq(h.parse_status(raw), 413, "status of a chunked 96 KiB body (got %r)" % raw[:200])
    assert srv().healthy(), "healthz after chunked 413"


@test
def max_body_flag():
    with h.Server(args=["--max-body", "2048"]) as s:
        body = '{"participant":{"tanggal_lahir":"1990-01-01"},"x":"' + "a" * 3000 + '"}'
        api_error(s.json("POST", E, body, JSON_CT), 413, "isi_terlalu_besar", "3 KB body")
        st, _, b = s.json("POST", E, {"scheme": "2023", "as_of": AS_OF,
                                      "participant": {"tanggal_lahir": "1990-01-01"}})
        eq(st, 200, "small body under --max-body 2048")
        assert s.healthy()


# ---- timeline -------------------------------------------------------------

@test
def timeline_2023_hand_computed():
    # selected Mon 2026-11-02, 2023: buy within 15 days -> Tue 2026-11-17;
    # completed defaults to that; scheduled +1 day = Wed 11-18; arrives 3-5
    # working days later: Mon 11-23 .. Wed 11-25.  Surveys open 30 and 60
    # days after 11-25, close 30 days later, paid 14 days after closing.
    st, _, b = srv().json("GET", "/api/v1/timeline?scheme=2023&selected=2026-11-02")
    eq(st, 200, "status %r" % (b,))
    eq(b["scheme"], "2023", "scheme")
    eq(b["selected"], "2026-11-02", "selected")
    eq(b["purchase_deadline"], "2026-11-17", "purchase_deadline")
    eq(b["completed"], "2026-11-17", "completed")
    eq(len(b["incentives"]), 1, "incentives")
    eq(b["incentives"][0]["due_from"], "2026-11-23", "due_from")
    eq(b["incentives"][0]["due_to"], "2026-11-25", "due_to")
    eq(b["incentives"][0]["amount"]["amount"], 600000, "incentive amount")
    eq([(s["opens"], s["closes"], s["paid_by"]) for s in b["surveys"]],
       [("2026-12-25", "2027-01-24", "2027-02-07"), ("2027-01-24", "2027-02-23", "2027-03-09")],
       "surveys")
    eq(b["total"]["display"], "Rp4.200.000", "total")


@test
def timeline_2021_with_completion_date():
    # 2021: 30 days; completed Fri 2021-06-25 -> scheduled Sat 06-26 ->
    # +3 wd Wed 06-30, +5 wd Fri 07-02; monthly: 07-26 (Mon) -> Thu 07-29 ..
    # Mon 08-02; 08-26 (Thu) -> Tue 08-31 .. Thu 09-02; 09-26 (Sun) -> Wed 09-29
    # .. Fri 10-01.
    st, _, b = srv().json("GET", "/api/v1/timeline?scheme=2021&selected=2021-06-01"
                                 "&completed=2021-06-25")
    eq(st, 200, "status %r" % (b,))
    eq(b["purchase_deadline"], "2021-07-01", "purchase_deadline")
    eq(b["completed"], "2021-06-25", "completed")
    eq([(i["due_from"], i["due_to"]) for i in b["incentives"]],
       [("2021-06-30", "2021-07-02"), ("2021-07-29", "2021-08-02"),
        ("2021-08-31", "2021-09-02"), ("2021-09-29", "2021-10-01")], "incentives")
    eq(len(b["surveys"]), 3, "surveys")
    eq(b["surveys"][0]["opens"], "2021-08-01", "first survey opens 30 days after 07-02")


@test
def timeline_defaults_to_current_scheme():
    st, _, b = srv().json("GET", "/api/v1/timeline?selected=2026-11-02")
    eq(st, 200, "status")
    eq(b["scheme"], "2023", "scheme")


# ---- OpenAPI --------------------------------------------------------------

def route_table():
    src = open(ROUTES_C, encoding="utf-8").read()
    rows = re.findall(r'\{\s*"([A-Z]+)"\s*,\s*"([^"]+)"\s*,\s*(\w+)\s*,\s*(PK_KIND_\w+)', src)
    assert len(rows) >= 10, "could not parse the route table of routes.c: %r" % rows
    return rows


@test
def openapi_lists_every_api_route():
    st, hdrs, doc = srv().json("GET", "/api/v1/openapi.json")
    eq(st, 200, "status")
    assert hdrs["content-type"].startswith("application/json"), hdrs["content-type"]
    assert str(doc.get("openapi", "")).startswith("3."), doc.get("openapi")
    assert doc.get("info", {}).get("title"), "info.title"
    paths = doc.get("paths", {})
    missing = []
    api = [(m, p) for m, p, _, kind in route_table() if kind == "PK_KIND_API"]
    for method, path in api:
        if method.lower() not in paths.get(path, {}):
            missing.append("%s %s" % (method, path))
    assert not missing, "routes missing from openapi.json: %s" % missing
    table = {(m.lower(), p) for m, p in api}
    extra = [(m, p) for p, ops in paths.items() for m in ops
             if m in ("get", "put", "post", "delete", "patch", "head", "options")
             and (m, p) not in table]
    assert not extra, "openapi.json documents routes the server lacks: %s" % extra


@test
def openapi_only_at_api_path():
    st, _, body = srv().request("GET", "/static/openapi.json")
    eq(st, 404, "/static/openapi.json")
    assert b'"openapi"' not in body


# ---- hostile input --------------------------------------------------------

@test
def thousand_connections_opened_and_dropped():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = min(hard, 4096)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
    socks = []
    try:
        # from 20 addresses: one address may hold 64 connections at most
        for i in range(1000):
            s = srv().connect(source="127.0.3.%d" % (1 + i % 20))
            if i % 3 == 1:
                s.sendall(b"GET /api/v1/nik/31740117 HTTP/1.1\r\nHo")
            elif i % 3 == 2:
                s.sendall(b"POST /api/v1/eligibility HTTP/1.1\r\nContent-Length: 100\r\n"
                          b"Content-Type: application/json\r\n\r\n{\"a\"")
            socks.append(s)
        assert srv().healthy(), "healthz with 1000 connections open"
    finally:
        for s in socks:
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            except OSError:
                pass
            s.close()
    for _ in range(20):
        assert srv().healthy(), "healthz after dropping 1000 connections"


@test
def huge_header_gets_4xx_and_server_survives():
    req = (b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: " + b"a" * 100 * 1024 +
           b"\r\n\r\n")
    raw = srv().raw(req, timeout=5)
    st = h.parse_status(raw)
    assert st is None or 400 <= st < 500, "status %r" % st
    many = b"GET /healthz HTTP/1.1\r\nHost: localhost\r\n" + \
        b"".join(b"X-H%d: v\r\n" % i for i in range(5000)) + b"\r\n"
    raw = srv().raw(many, timeout=5)
    st = h.parse_status(raw)
    assert st is None or 400 <= st < 500, "status %r for 5000 headers" % st
    assert srv().healthy()


@test
def very_long_url_gets_4xx():
    raw = srv().raw(b"GET /api/v1/nik/" + b"1" * 200000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
                    timeout=5)
    st = h.parse_status(raw)
    assert st is None or 400 <= st < 500, "status %r" % st
    st, _, b = srv().json("GET", "/api/v1/nik/" + "1" * 3000)
    assert st == 200 and b["valid"] is False or 400 <= st < 500, (st, b)
    st, _, _ = srv().request("GET", "/" + "a" * 4000)
    assert 400 <= st < 500, st
    assert srv().healthy()


@test
def garbage_request_lines():
    for junk in (b"\x00\x01\x02\r\n\r\n", b"GET\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n",
                 b"G\xffT / HTTP/1.1\r\nHost: x\r\n\r\n",
                 b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
                 b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 9"
                 b"\r\n\r\n",
                 b"POST /api/v1/eligibility HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked"
                 b"\r\nContent-Type: application/json\r\n\r\nzz\r\n\r\n",
                 b"GET /%zz HTTP/1.1\r\nHost: x\r\n\r\n",
                 b"GET /api/v1/nik/%00%ff%fe HTTP/1.1\r\nHost: x\r\n\r\n"):
        raw = srv().raw(junk, timeout=3, shutdown=True)
        st = h.parse_status(raw)
        # 505 (HTTP Version Not Supported) is the right answer to HTTP/9.9
        assert st is None or st < 500 or st == 505, "status %r for %r" % (st, junk)
    assert srv().healthy()


@test
def path_with_nul_is_4xx():
    for p in ("/api/v1/schemes%00", "/api/v1/schemes/2023%00.json", "/%00",
              "/static/style.css%00.html"):
        st, _, _ = srv().request("GET", p)
        assert 400 <= st < 500, "%s: status %d" % (p, st)
    assert srv().healthy()


@test
def slowloris_does_not_block_others():
    # 100 stalled clients on 20 addresses (one address may hold 64 at most)
    stalled = []
    try:
        for i in range(50):
            s = srv().connect(source="127.0.1.%d" % (1 + i % 10))
            s.sendall(b"POST /api/v1/eligibility HTTP/1.1\r\nHost: x\r\nContent-Len")
            stalled.append(s)
        for i in range(50):
            s = srv().connect(source="127.0.1.%d" % (11 + i % 10))
            s.sendall(b"POST /api/v1/eligibility HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n"
                      b"Content-Type: application/json\r\n\r\n{\"sch")
            stalled.append(s)
        t0 = time.monotonic()
        for _ in range(10):
            assert srv().healthy()
            st, _, b = post_json(json.loads(OK_BODY))
            eq(st, 200, "eligibility while 100 clients stall")
        assert time.monotonic() - t0 < 10, "answers were slow while clients stalled"
    finally:
        for s in stalled:
            s.close()


@test
def idle_connection_timeout_closes_stalled_client():
    with h.Server(args=["--timeout", "2"]) as s:
        c = s.connect()
        try:
            c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
            t0 = time.monotonic()
            data = h.read_all(c, timeout=8)
            dt = time.monotonic() - t0
            assert dt < 7, "stalled connection still open after %.1fs" % dt
            st = h.parse_status(data)
            assert st is None or 400 <= st < 500, st
        finally:
            c.close()
        assert s.healthy()


@test
def keep_alive_serves_several_requests_on_one_connection():
    c = srv().connect()
    try:
        for i in range(5):
            c.sendall(b"GET /api/v1/schemes/2023 HTTP/1.1\r\nHost: localhost\r\n\r\n")
            st, hdrs, body = h.read_response(c, timeout=10)
            eq(st, 200, "request %d on one connection" % i)
            eq(json.loads(body)["id"], "2023", "body")
    finally:
        c.close()


@test
def connection_limit_is_enforced_and_recovers():
    with h.Server(args=["--max-connections", "4", "--threads", "1"]) as s:
        idle = [s.connect() for _ in range(4)]
        try:
            time.sleep(0.3)
            extra = s.connect(timeout=3)
            try:
                extra.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
                got = h.read_all(extra, timeout=2)
            except OSError:
                got = b""
            finally:
                extra.close()
            st = h.parse_status(got)
            assert st is None or st in (429, 503), \
                "a 5th connection was served beyond --max-connections 4: %r" % got[:100]
        finally:
            for c in idle:
                c.close()
        deadline = time.monotonic() + 10
        while True:
            try:
                if s.healthy():
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "server did not recover after the limit"
            time.sleep(0.1)


@test
def concurrent_requests_all_answered():
    """16 clients of one address, 10 requests each on new connections: all
    answered.  A request that fails is recorded with its error, and the
    server's own lines about connections are shown with the failure (a CI
    run once got 141 answers of 160: resets, at load 2.7)."""
    results = []
    lock = threading.Lock()

    def worker():
        for _ in range(10):
            try:
                st, _, b = srv().json("GET", "/api/v1/nik/" + NIK_FEMALE)
                r = (st, b.get("sex") if b else None)
            except Exception as e:  # noqa: BLE001 -- reported below
                r = ("error", repr(e))
            with lock:
                results.append(r)

    ts = [threading.Thread(target=worker) for _ in range(16)]
    for t in ts:
        t.start()
    for t in ts:
        t.join(60)
    bad = [r for r in results if r != (200, "P")]
    server = [line for line in srv().stderr().splitlines() if "http:" in line][-5:]
    eq(len(results), 160, "answers")
    assert not bad, "%d of 160 not answered 200: %r; the server said %r" % (
        len(bad), bad[:5], server)


# ---- access log -----------------------------------------------------------

@test
def access_log_has_route_patterns_and_no_personal_data():
    niks = [NIK_MALE, NIK_FEMALE, NIK_LEAP, "3173022512880007", "3175046103990008",
            "3171010404040009"]
    with h.Server() as s:
        reqs = [
            ("GET", "/api/v1/nik/" + niks[0], None, {}, "/api/v1/nik/{nik}", 200),
            ("GET", "/api/v1/nik/" + niks[1] + "?nik=" + niks[1], None, {},
             "/api/v1/nik/{nik}", 200),
            ("POST", E, json.dumps({"scheme": "2023", "as_of": AS_OF, "participant": {
                "nik": niks[2], "no_kk": niks[3], "tanggal_lahir": "2000-02-29",
                "nama": "Siti Aminah", "no_hp": "081234567890"}}), JSON_CT, E, 200),
            ("POST", E, json.dumps({"participant": {"nik": niks[3]}}), JSON_CT, E, 422),
            ("POST", E, '{"nik":"%s"' % niks[4], JSON_CT, E, 400),
            ("GET", "/api/v1/regions?parent=" + niks[4], None, {}, "/api/v1/regions", 400),
            ("GET", "/cek-nik?nik=" + niks[5], None, {"User-Agent": "x " + niks[5],
                                                     "X-NIK": niks[5]}, "/cek-nik", 200),
            ("POST", "/cek-nik", "nik=" + niks[5], {"Content-Type":
                                                   "application/x-www-form-urlencoded"},
             "/cek-nik", 200),
            ("GET", "/api/v1/schemes/" + niks[0], None, {}, "/api/v1/schemes/{id}", 404),
            ("GET", "/" + niks[1], None, {}, None, 404),
            ("DELETE", "/api/v1/nik/" + niks[2], None, {}, None, 405),
            ("GET", "/healthz", None, {}, "/healthz", 200),
        ]
        for method, path, body, hdrs, route, status in reqs:
            if route == "/cek-nik" and method == "POST":  # a form: with its CSRF pair
                st, _, _ = h.form_post(s, path, [tuple(body.split("=", 1))])
            else:
                st, _, _ = s.request(method, path, body, hdrs)
            eq(st, status, "%s %s" % (method, path))
        # a request MHD itself refuses, with a NIK in it
        s.raw(b"GET /api/v1/nik/" + niks[0].encode() + b" HTTP/1.1\r\nHost: x\r\nX-A: " +
              b"b" * 70000 + b"\r\n\r\n", timeout=3)
        s.raw(b"GET /api/v1/nik/" + niks[1].encode() + b" HTTP/1.1\r\nBroken header " +
              niks[1].encode() + b"\r\n\r\n", timeout=3)
        err = s.stop_clean()
        lines = s.access_lines()
    leaked = [n for n in niks if n in err]
    assert not leaked, "NIKs in the log: %s\n%s" % (leaked, err)
    assert not re.search(r"\d{16}", err), "a 16-digit number in the log:\n%s" % err
    assert "Siti" not in err and "081234567890" not in err, "personal data in the log"
    # one line per request that reached the service.  Lines are written as
    # requests complete, on whichever worker served them, so compare them
    # as a multiset rather than in order.
    app_lines = [l for l in lines if not l[1].startswith("(") or l[2] in (404, 405)]
    assert len(app_lines) >= len(reqs), "expected >= %d access lines, got %d:\n%s" % (
        len(reqs), len(app_lines), err)
    for method, path, _, _, route, status in reqs:
        if route is None:
            match = [l for l in app_lines if l[0] == method and l[2] == status]
        else:
            match = [l for l in app_lines if l == (method, route, status)]
        assert match, "no access line for %s %s -> %d:\n%s" % (method, route or path[:30],
                                                                status, err)
        app_lines.remove(match[0])
    assert ("GET", "/api/v1/nik/{nik}", 200) in lines


@test
def access_log_one_line_per_request():
    with h.Server() as s:
        n = 25
        for i in range(n):
            s.request("GET", "/api/v1/schemes/2023" if i % 2 else "/healthz")
        s.request("HEAD", "/healthz")
        s.stop_clean()
        lines = s.access_lines()
    eq(len(lines), n + 1, "access lines")
    # Lines are written when a request completes, on whichever worker thread
    # served it, so their order across connections is not guaranteed.
    eq(sum(1 for l in lines if l == ("HEAD", "/healthz", 200)), 1, "HEAD line")
    eq(sum(1 for l in lines if l == ("GET", "/api/v1/schemes/{id}", 200)), n // 2,
       "scheme lines")


# ---- shutdown -------------------------------------------------------------

@test
def sigterm_lets_inflight_request_finish():
    with h.Server() as s:
        body = json.dumps({"scheme": "2023", "as_of": AS_OF,
                           "participant": {"tanggal_lahir": "1995-08-17"}}).encode()
        half = len(body) // 2
        c = s.connect(timeout=15)
        try:
            c.sendall(b"POST /api/v1/eligibility HTTP/1.1\r\nHost: localhost\r\n"
                      b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                      % len(body) + body[:half])
            time.sleep(0.4)        # the server has read the headers
            s.proc.send_signal(signal.SIGTERM)
            time.sleep(0.4)        # ... and has begun stopping
            assert s.proc.poll() is None, "server exited with a request in flight"
            c.sendall(body[half:])
            st, hdrs, data = h.read_response(c, timeout=10)
        finally:
            c.close()
        eq(st, 200, "status of the in-flight request (%r)" % data[:200])
        eq(json.loads(data)["eligible"], True, "answer")
        code, err = s.stop()
        eq(code, 0, "exit status after SIGTERM:\n" + err[-2000:])
        assert h.sanitizer_report(err) is None, err[-6000:]
        assert "SIGTERM" in err, err[-1000:]
        if h.PG:
            # closed cleanly: no session of the stopped server is left
            left = None
            for _ in range(50):
                left = s.db.query("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                                  "current_database() AND backend_type = 'client backend' "
                                  "AND pid <> pg_backend_pid()")[0][0]
                if left == 0:
                    break
                time.sleep(0.1)
            eq(left, 0, "sessions left on the database after exit")
        else:
            wal = s.db.path + "-wal"
            assert not os.path.exists(wal) or os.path.getsize(wal) == 0, \
                "WAL not checkpointed: the database was not closed cleanly"
        eq(s.db.integrity(), "ok", "integrity")


@test
def sigterm_stops_accepting_new_connections():
    with h.Server() as s:
        assert s.healthy()
        code, err = s.stop(signal.SIGTERM)
        eq(code, 0, "exit status")
        try:
            socket.create_connection(("127.0.0.1", s.port), timeout=2).close()
            refused = False
        except OSError:
            refused = True
        assert refused, "port still accepts connections after exit"


@test
def sigterm_refuses_new_connections_while_one_in_flight_finishes():
    """A request whose body is still coming when SIGTERM arrives: the port
    refuses new connections at once, the request is still answered, then
    the server exits 0."""
    with h.Server() as s:
        assert s.healthy()
        body = json.dumps({"nik": "3174011505900001", "tanggal_lahir": "1990-05-15"}).encode()
        c = s.connect()
        c.sendall(b"POST /api/v1/status HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                  b"\r\nConnection: close\r\nContent-Length: %d\r\n\r\n" % len(body) + body[:10])
        time.sleep(0.3)
        s.proc.send_signal(signal.SIGTERM)
        refused = False
        for _ in range(100):  # the signal is handled within a few ms
            try:
                socket.create_connection(("127.0.0.1", s.port), timeout=1).close()
            except OSError:
                refused = True
                break
            time.sleep(0.02)
        assert refused, "the port still accepts connections while the server drains"
        eq(s.proc.poll(), None, "the server waits for the request in flight")
        c.sendall(body[10:])
        status = h.parse_status(h.read_all(c, timeout=10))
        c.close()
        eq(status, 200, "the request in flight is answered")
        s.stop_clean()


@test
def sigterm_under_load_exits_cleanly():
    """SIGTERM while 32 clients keep requests coming: every round exits 0,
    sanitizer-clean, and the port refuses connections once it has exited.
    (libmicrohttpd's own quiesce races its epoll workers and can abort the
    process; the server retires its listening socket without it.)"""
    for rnd in range(4):
        with h.Server() as s:
            assert s.healthy()
            stop = threading.Event()
            answered = [0]

            def hammer():
                while not stop.is_set():
                    try:
                        c = http.client.HTTPConnection("127.0.0.1", s.port, timeout=10)
                        for _ in range(20):
                            if stop.is_set():
                                break
                            c.request("GET", "/healthz")
                            c.getresponse().read()
                            answered[0] += 1
                        c.close()
                    except OSError:
                        time.sleep(0.001)
                    except http.client.HTTPException:
                        time.sleep(0.001)
            ts = [threading.Thread(target=hammer) for _ in range(32)]
            for t in ts:
                t.start()
            time.sleep(0.2)
            code, err = s.stop(signal.SIGTERM)
            stop.set()
            for t in ts:
                t.join()
            eq(code, 0, "round %d: exit status after SIGTERM under load:\n%s" % (rnd, err[-2000:]))
            assert "Fatal" not in err, err[-2000:]
            assert h.sanitizer_report(err) is None, err[-6000:]
            assert answered[0] > 0, "round %d: no request was answered before the signal" % rnd
            try:
                socket.create_connection(("127.0.0.1", s.port), timeout=2).close()
                refused = False
            except OSError:
                refused = True
            assert refused, "round %d: port still accepts connections after exit" % rnd


@test
def sigint_exits_zero():
    with h.Server() as s:
        assert s.healthy()
        code, err = s.stop(signal.SIGINT)
        eq(code, 0, "exit status after SIGINT:\n" + err[-2000:])
        assert h.sanitizer_report(err) is None, err[-6000:]
        assert "SIGINT" in err, err[-1000:]


@test
def shared_server_exits_cleanly():
    srv.stop()


if __name__ == "__main__":
    h.run()
