"""Black-box tests of the operator pages and the access log (TAP).

usage: PYTHONPATH=tests/http python3 tests/http/test_operator.py PATH-TO-PRAKERJA [TEST...]

Covers region scope enforced by the store (an operator of Jakarta Selatan
finds and opens its own participants but gets "not found" for one of
Jakarta Utara by id, by name and by NIK), admins see everything, viewers
never reach /peserta*, masked NIKs with an explicit, logged action for
the full one, assisted registration inside and outside the region, the
append-only access log (detail reads, searches, exports; `prakerja
audit`), and SQL metacharacters in search queries.
"""

import http.client
import json
import os
import re
import tempfile
import urllib.parse

import harness as h
from harness import eq, test

FORM = {"Content-Type": "application/x-www-form-urlencoded"}

USERS = {
    "admin1": ("admin", None, "Admin-Prakerja-Kuat-7"),
    "viewer1": ("viewer", None, "Pemantau-Data-Agregat-3"),
    "op.sel": ("operator", "31.74", "Operator-Jaksel-Tebet-1"),
    "op.utr": ("operator", "31.72", "Operator-Jakut-Koja-22"),
}

# one participant in Jakarta Selatan (Tebet Timur), one in Jakarta Utara
# (Penjaringan); names share "Uji Wilayah"
SEL = {"nik": "3174015708950001", "no_kk": "3174012001000001", "nama": "Siti Selatan Uji Wilayah",
       "tanggal_lahir": "1995-08-17", "jenis_kelamin": "P", "no_hp": "0813-7000-0001",
       "email": "siti@contoh.co.id", "kode_wilayah": "3174011001",
       "alamat": "Jl. Tebet Raya 1", "pendidikan": "sma", "segmen": "pencari_kerja",
       "pekerjaan": "lainnya"}
UTR = {"nik": "3172011708960002", "no_kk": "3172012001000002", "nama": "Budi Utara Uji Wilayah",
       "tanggal_lahir": "1996-08-17", "jenis_kelamin": "L", "no_hp": "0813-7000-0002",
       "email": "budi@contoh.co.id", "kode_wilayah": "3172011001",
       "alamat": "Jl. Penjaringan 2", "pendidikan": "sma", "segmen": "pencari_kerja",
       "pekerjaan": "lainnya"}
MASK_SEL = "3174********0001"
CSRF_RE = re.compile(r'name="_csrf" value="([^"]*)"')


class Browser(h.Browser):
    """The harness browser, plus the operators' search form."""

    def search(self, q):
        return self.post("/peserta", {"q": q})


IDS = {}


def _start_shared():
    db = h.Db()
    for name, (role, region, pw) in USERS.items():
        args = ["user", "add", "--username", name, "--role", role, "--password-stdin"]
        if region:
            args += ["--region", region]
        code, out, err = h.run_cli(db.args_for(args), stdin=(pw + "\n").encode())
        eq(code, 0, "user add %s: %s" % (name, err))
    server = h.Server(db=db).start()
    for key, p in (("sel", SEL), ("utr", UTR)):
        st, _, b = server.json("POST", "/api/v1/participants", p)
        eq(st, 201, "register %s: %r" % (key, b))
        IDS[key] = b["id"]
    return server


srv = h.SharedServer(_start_shared)


def login(name):
    b = Browser(srv())
    st, hdrs, text = b.post("/masuk", {"nama_pengguna": name, "kata_sandi": USERS[name][2]})
    eq(st, 303, "login %s: %s" % (name, text[:300]))
    return b


def audit(*args):
    code, out, err = h.run_cli(srv().db.args_for(["audit"] + list(args)))
    eq(code, 0, "prakerja audit: " + err)
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def result_ids(text):
    return sorted(int(x) for x in re.findall(r'<tr data-id="(\d+)"', text))


# ---- scope ----------------------------------------------------------------

@test
def operator_finds_and_opens_own_region():
    b = login("op.sel")
    st, hdrs, text = b.get("/peserta")
    eq(st, 200, "search page")
    eq(hdrs.get("cache-control"), "no-store")
    st, hdrs, text = b.search("selatan uji")
    eq(st, 200, text[:500])
    eq(hdrs.get("cache-control"), "no-store")
    eq(result_ids(text), [IDS["sel"]], "by name")
    st, _, text = b.search(SEL["nik"])
    eq(result_ids(text), [IDS["sel"]], "by NIK")
    st, hdrs, text = b.get("/peserta/%d" % IDS["sel"])
    eq(st, 200, "detail")
    eq(hdrs.get("cache-control"), "no-store")
    assert "Siti Selatan Uji Wilayah" in text and "Jl. Tebet Raya 1" in text, text[:800]


@test
def operator_cannot_see_another_region():
    b = login("op.sel")
    st, _, text = b.get("/peserta/%d" % IDS["utr"])
    eq(st, 404, "by id")
    assert "Budi" not in text and UTR["nik"] not in text
    st_unknown, _, text_unknown = b.get("/peserta/999999")
    eq(st_unknown, 404, "unknown id")
    eq(re.sub(r'value="[^"]*"', "", text), re.sub(r'value="[^"]*"', "", text_unknown),
       "outside the region looks like not existing")
    st, _, text = b.post("/peserta/%d" % IDS["utr"], {"tampilkan_nik": "1"}, form_from="/peserta")
    eq(st, 404, "full NIK of another region")
    st, _, text = b.search("utara uji")
    eq(st, 200)
    eq(result_ids(text), [], "by name")
    assert "Budi" not in text
    st, _, text = b.search(UTR["nik"])
    eq(result_ids(text), [], "by NIK")
    st, _, text = b.search("uji wilayah")
    eq(result_ids(text), [IDS["sel"]], "a name both share: only the own region")
    # and the other way round
    u = login("op.utr")
    eq(u.get("/peserta/%d" % IDS["sel"])[0], 404, "Jakarta Utara cannot open Jakarta Selatan")
    eq(result_ids(u.search("uji wilayah")[2]), [IDS["utr"]])


@test
def admin_sees_both():
    a = login("admin1")
    eq(result_ids(a.search("uji wilayah")[2]), sorted([IDS["sel"], IDS["utr"]]), "by name")
    eq(result_ids(a.search(UTR["nik"])[2]), [IDS["utr"]], "by NIK")
    eq(a.get("/peserta/%d" % IDS["utr"])[0], 200)
    eq(a.get("/peserta/%d" % IDS["sel"])[0], 200)


@test
def viewer_is_forbidden():
    v = login("viewer1")
    for path in ("/peserta", "/peserta/baru", "/peserta/%d" % IDS["sel"]):
        st, _, text = v.get(path)
        eq(st, 403, path)
        assert "Akses ditolak" in text
    st, _, _ = v.post("/peserta", {"q": "uji wilayah"}, form_from="/dasbor")
    eq(st, 403, "POST /peserta")
    st, _, _ = v.post("/peserta/%d" % IDS["sel"], {"tampilkan_nik": "1"}, form_from="/dasbor")
    eq(st, 403, "POST /peserta/{id}")


@test
def anonymous_goes_to_login():
    st, hdrs, _ = srv().request("GET", "/peserta/%d" % IDS["sel"])
    eq(st, 303)
    assert hdrs["location"].startswith("/masuk"), hdrs


# ---- masking ----------------------------------------------------------------

@test
def nik_masked_in_search_and_detail():
    b = login("op.sel")
    text = b.search("selatan uji")[2]
    assert MASK_SEL in text, text[:1500]
    assert SEL["nik"] not in text, "search results show the NIK masked"
    text = b.search(SEL["nik"])[2]
    assert SEL["nik"] not in text, "the NIK searched for is not written back"
    st, _, text = b.get("/peserta/%d" % IDS["sel"])
    assert MASK_SEL in text and SEL["nik"] not in text and SEL["no_kk"] not in text, text
    assert "Tampilkan NIK lengkap" in text


@test
def full_nik_only_after_post_and_logged():
    b = login("op.sel")
    before = [e for e in audit() if e["action"] == "participant.nik"]
    st, hdrs, text = b.post("/peserta/%d" % IDS["sel"], {"tampilkan_nik": "1"})
    eq(st, 200, text[:500])
    eq(hdrs.get("cache-control"), "no-store")
    assert SEL["nik"] in text and SEL["no_kk"] in text, "full NIK and KK shown"
    after = [e for e in audit() if e["action"] == "participant.nik"]
    eq(len(after), len(before) + 1, "one access-log entry")
    e = after[-1]
    eq(e["actor"], "user:op.sel")
    eq(e["subject"], IDS["sel"])
    eq(e["route"], "/peserta/{id}")
    # without the CSRF token: refused, nothing shown
    st, _, text = b.request("POST", "/peserta/%d" % IDS["sel"], "tampilkan_nik=1", FORM)
    eq(st, 403, "no CSRF token")
    assert SEL["nik"] not in text


@test
def nik_never_in_a_url():
    b = login("op.sel")
    st, _, text = b.get("/peserta?q=" + SEL["nik"])
    eq(st, 400, "a NIK in the query string is refused")
    assert SEL["nik"] not in text
    st, _, text = b.get("/peserta?q=" + urllib.parse.quote("selatan uji"))
    eq(st, 200)
    eq(result_ids(text), [IDS["sel"]], "a name may come in the URL")
    assert 'method="post" action="/peserta"' in b.get("/peserta")[2], "the form posts"


# ---- pages of results -----------------------------------------------------------

PAGE_FORMS = ["Halaman Berurut %d", "Ani Halaman Berurut %d", "Xhalaman Berurut %d"]


def paging_person(serial, village, form):
    region = village.replace(".", "")[:6]
    return {"nik": "%s0101%02d%04d" % (region, 80 + serial // 1000, serial % 1000 + 1),
            "no_kk": "%s40%08d" % (region, serial), "nama": form % serial,
            "tanggal_lahir": "19%02d-01-01" % (80 + serial // 1000), "jenis_kelamin": "L",
            "no_hp": "0812%08d" % (55000000 + serial), "email": "",
            "kode_wilayah": village, "alamat": "Gang %d" % serial, "pendidikan": "sma",
            "segmen": "pencari_kerja", "pekerjaan": "lainnya"}


def next_page(text):
    m = re.search(r'<a rel="next" href="([^"]+)">', text)
    return m.group(1).replace("&amp;", "&") if m else None


@test
def name_search_pages_by_key():
    """A name search of more than 50 people comes in pages of 50, each
    linked to the next by an opaque key (no NIK, no other personal data
    in it): names that start with the query first, then a word that does,
    then the rest, by id within each.  Walking the pages while people are
    registered meanwhile reads everyone who was there exactly once, and
    every page's access-log entry lists what it showed."""
    cols = ["nik", "no_kk", "nama", "tanggal_lahir", "jenis_kelamin", "no_hp", "email",
            "kode_wilayah", "alamat", "pendidikan", "segmen", "pekerjaan"]
    people = [paging_person(i, "31.74.01.1001" if i % 5 else "31.72.01.1001",
                            PAGE_FORMS[i % 3]) for i in range(1, 161)]
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
        f.write(",".join(cols) + "\n")
        for r in people:
            f.write(",".join(r[c] for c in cols) + "\n")
    try:
        code, out, err = h.run_cli(srv().db.args_for(["import", "participants", f.name]),
                                   timeout=120)
        eq(code, 0, "import: " + err)
    finally:
        os.unlink(f.name)
    rows = srv().db.query("SELECT id, nama, kode_wilayah FROM participant"
                          " WHERE nama LIKE '%alaman Berurut%'")
    mine = {i: n for i, n, v in rows if v.startswith("31.74")}
    eq(len(mine), 128)

    b = login("op.sel")
    st, hdrs, text = b.search("halaman berurut")
    eq(st, 200, text[:500])
    seen, order, pages, added = [], [], 0, 0
    while True:
        pages += 1
        eq(hdrs.get("cache-control"), "no-store")
        ids = re.findall(r'<tr data-id="(\d+)"', text)
        seen += [int(x) for x in ids]
        order += [int(x) for x in ids]
        log = [e for e in audit() if e["action"] == "participant.search"][-1]
        eq(log["detail"].split(";ids=")[1], ",".join(ids), "the page's access-log entry")
        link = next_page(text)
        if link is None:
            eq(len(ids) <= 50, True)
            break
        eq(len(ids), 50, "a full page before the next")
        key = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)
        eq(sorted(key), ["lanjut", "q"])
        eq(key["q"], ["halaman berurut"])
        assert re.fullmatch(r"[0-9a-f]{1,15}", key["lanjut"][0]), link
        # people registered between pages, of every tier
        for form in PAGE_FORMS:
            added += 1
            st, _, body = srv().json("POST", "/api/v1/participants",
                                     paging_person(500 + added, "31.74.02.1001", form))
            eq(st, 201, body)
        st, hdrs, text = b.get(link)
        eq(st, 200, text[:500])
        assert 'data-page="lanjutan"' in text
    assert pages >= 3, pages
    eq(len(seen), len(set(seen)), "no one twice")
    missing = set(mine) - set(seen)
    eq(missing, set(), "everyone who was there")
    new = set(seen) - set(mine)
    assert len(new) <= added, (len(new), added)
    # the order: tier by tier, by id within each (only the people imported)
    names = {i: n.lower() for i, n, _ in srv().db.query(
        "SELECT id, nama, kode_wilayah FROM participant WHERE nama LIKE '%alaman Berurut%'")}

    def tier(n):
        return 0 if n.startswith("halaman berurut") else 1 if " halaman berurut" in n else 2
    keys = [(tier(names[i]), i) for i in order]
    eq(keys, sorted(keys), "key order")
    eq(sorted(set(t for t, _ in keys)), [0, 1, 2])
    # a key nobody wrote, or a page asked for with a NIK: refused
    for bad in ("zz", "0", "3", "-1", "12345678901234567"):
        st, _, text = b.get("/peserta?q=halaman+berurut&lanjut=" + bad)
        eq(st, 400, bad)
        assert "Halaman hasil tidak dikenal" in text
    st, _, _ = b.get("/peserta?lanjut=5&q=" + SEL["nik"])
    eq(st, 400, "a NIK in the query string")


# ---- assisted registration ----------------------------------------------------

def assisted(serial, village):
    return {"nik": "317401570895%04d" % serial, "no_kk": "31740120010%05d" % serial,
            "nama": "Dibantu Operator %d" % serial, "tanggal_lahir": "1995-08-17",
            "jenis_kelamin": "P", "no_hp": "0813-7100-%04d" % serial,
            "kode_wilayah": village, "segmen": "pencari_kerja"}


@test
def assisted_registration_inside_region():
    b = login("op.sel")
    st, _, text = b.get("/peserta/baru")
    eq(st, 200)
    assert 'value="31.74.01.1001"' in text, "own villages offered"
    assert 'value="31.72.01.1001"' not in text, "no village of another region"
    st, hdrs, text = b.post("/peserta/baru", assisted(101, "31.74.02.1001"))
    eq(st, 201, text[:1500])
    eq(hdrs.get("cache-control"), "no-store")
    m = re.search(r'data-id="(\d+)"', text)
    assert m, text
    pid = int(m.group(1))
    rows = srv().db.query("SELECT source, kode_wilayah FROM participant WHERE id = ?", (pid,))
    eq(rows, [("operator", "31.74.02.1001")], "stored as an operator registration")
    st, _, text = b.get("/peserta/%d" % pid)
    eq(st, 200)
    assert "Dibantu operator" in text


@test
def assisted_registration_outside_region():
    b = login("op.sel")
    n = srv().db.query("SELECT count(*) FROM participant")[0][0]
    st, _, text = b.post("/peserta/baru", assisted(102, "31.72.01.1001"))
    eq(st, 422, text[:500])
    assert "di luar wilayah kerja Anda" in text, text
    eq(srv().db.query("SELECT count(*) FROM participant")[0][0], n, "nothing stored")
    # an admin may register anywhere
    a = login("admin1")
    st, _, text = a.post("/peserta/baru", assisted(103, "31.72.01.1001"))
    eq(st, 201, text[:500])


@test
def assisted_registration_region_decided_on_the_normalised_code():
    """An outside test registered people of 31.72 as an operator of 31.74
    by writing the village code so that the page's check did not parse it
    but validation, which trims, did: a leading or trailing space, a tab,
    a newline, a no-break space, the undotted form with a space.  The
    registry now decides the region on the normalised code."""
    b = login("op.sel")
    n = srv().db.query("SELECT count(*) FROM participant")[0][0]
    fails = []
    for i, code in enumerate([" 31.72.01.1001", "31.72.01.1001 ", "\t31.72.01.1001",
                              "31.72.01.1001\n", "\u00a031.72.01.1001", " 3172011001",
                              "3172011001\u00a0"]):
        st, _, text = b.post("/peserta/baru", assisted(110 + i, code))
        if st != 422 or "di luar wilayah kerja Anda" not in text:
            fails.append("%r: %d" % (code, st))
    assert not fails, "written outside the region: " + ", ".join(fails)
    eq(srv().db.query("SELECT count(*) FROM participant")[0][0], n, "nothing stored")
    # the same forms of a village inside the region are accepted
    st, _, text = b.post("/peserta/baru", assisted(120, " 3174021001\u00a0"))
    eq(st, 201, text[:500])


# ---- the access log -----------------------------------------------------------

@test
def access_log_records_reads_searches_exports():
    b = login("op.sel")
    b.get("/peserta/%d" % IDS["sel"])
    log = audit("--reads")
    views = [e for e in log if e["action"] == "participant.view" and e["subject"] == IDS["sel"]
             and e["actor"] == "user:op.sel"]
    assert views, log
    assert all(set(e) == {"log", "id", "at", "actor", "action", "route", "subject", "detail"}
               and e["log"] == "read" for e in log), log[:3]
    b.search(SEL["nik"])
    e = audit("--reads", "--limit", "1")[0]
    eq(e["action"], "participant.search")
    eq(e["route"], "/peserta")
    assert "by=nik" in e["detail"] and str(IDS["sel"]) in e["detail"], e
    assert SEL["nik"] not in json.dumps(audit()), "never a NIK in the access log"
    b.search("utara uji")
    e = audit("--reads", "--limit", "1")[0]
    assert "by=nama" in e["detail"] and "results=0" in e["detail"], e
    code, out, err = h.run_cli(srv().db.args_for(["export", "participants", "--region",
                                                  "31.74"]))
    eq(code, 0, err)
    e = audit("--reads", "--limit", "1")[0]
    eq(e["action"], "participants.export")
    assert e["actor"].startswith("cli:"), e
    assert "region=31.74" in e["detail"], e
    # --since and --limit
    eq(audit("--since", "2999-01-01"), [], "nothing in the future")
    assert len(audit("--since", "2000-01-01")) == len(audit())
    eq(len(audit("--limit", "2")), 2)
    eq(len(audit("--reads", "--limit", "2")), 2)
    code, _, err = h.run_cli(srv().db.args_for(["audit", "--since", "kemarin"]))
    eq(code, 2, "a bad date: " + err)


@test
def refused_reads_are_recorded_at_a_bounded_rate_and_sweeps_shown():
    """Sweeping ids leaves a trace: each id that does not exist in the
    operator's region is recorded as participant.notfound with the user,
    at most 30 a minute one by one (then one entry saying more were not
    recorded); a route the role may not use is recorded as route.forbidden;
    `prakerja audit --sweeps` names the account."""
    u = login("op.utr")
    before = [e["id"] for e in audit("--reads")]
    for i in range(45):
        eq(u.get("/peserta/%d" % (500000 + i))[0], 404, "sweep %d" % i)
    v = login("viewer1")
    eq(v.get("/peserta")[0], 403, "a viewer on the search page")
    new = [e for e in audit("--reads") if e["id"] not in before]
    mine = [e for e in new if e["actor"] == "user:op.utr" and e["action"] == "participant.notfound"]
    # 30 a minute one by one, then the cut-off entry (earlier tests may have
    # used a few of this minute's; the loop may straddle two minutes)
    assert 20 <= len(mine) <= 62, "%d not-found entries recorded for 45 ids" % len(mine)
    assert all(500000 <= e["subject"] < 500045 for e in mine), mine[:3]
    assert any(e["detail"] == "more=not-recorded" for e in mine), "the cut-off is said"
    assert any(e["action"] == "route.forbidden" and e["actor"] == "user:viewer1"
               and e["route"] == "/peserta" for e in new), new[-5:]
    sweeps = audit("--sweeps", "--threshold", "20")
    assert [x for x in sweeps if x["actor"] == "user:op.utr" and x["notfound"] >= 20], sweeps
    assert not [x for x in sweeps if x["actor"] == "user:op.sel"], sweeps
    code, _, err = h.run_cli(srv().db.args_for(["audit", "--threshold", "5"]))
    eq(code, 2, "--threshold without --sweeps: " + err)


@test
def access_log_cannot_be_changed():
    db = srv().db
    assert db.query("SELECT count(*) FROM access_log")[0][0] > 0
    for sql in ("UPDATE access_log SET actor = 'user:siapa'", "DELETE FROM access_log"):
        try:
            db.query(sql)
        except Exception as ex:  # sqlite3.IntegrityError, or psql failing
            assert "append-only" in str(ex), ex
        else:
            raise AssertionError("%s succeeded" % sql)
    assert not db.query("SELECT 1 FROM access_log WHERE actor = 'user:siapa'")


# ---- hostile queries ------------------------------------------------------------

@test
def sql_metacharacters_are_harmless():
    a = login("admin1")
    total = db_count()
    for q in ("'; DROP TABLE participant; --", "%%%", "___", "%_%", "' OR '1'='1", "\\\\\\"):
        st, _, text = a.search(q)
        eq(st, 200, "query %r: %s" % (q, text[:300]))
        eq(result_ids(text), [], "query %r matches nothing" % q)
    for q in ("%", "_"):
        st, _, text = a.search(q)
        eq(st, 422, "too short %r" % q)
        eq(result_ids(text), [])
    eq(db_count(), total, "the table is still there")
    st, _, text = a.search("Uji Wilayah")
    assert len(result_ids(text)) == 2, "ordinary search still works"


@test
def fts_syntax_is_text():
    """The name index's query syntax (quotes, *, AND, OR, -, NEAR, column
    filters) is plain text: never an error, never more than the text."""
    a = login("admin1")
    for q in ('uji*', 'uji AND wilayah', 'uji OR siti', '"uji"', '-uji', '""""',
              'NEAR(uji wilayah)', 'nama:uji', '^uji', '(uji)', 'uji" OR "siti'):
        st, _, text = a.search(q)
        eq(st, 200, "query %r: %s" % (q, text[:300]))
        eq(result_ids(text), [], "query %r matches nothing" % q)
    eq(result_ids(a.search("UJI wilayah")[2]), sorted([IDS["sel"], IDS["utr"]]))


@test
def names_found_at_once_after_registration_and_import():
    """A name registered or imported is found by the next search, inside
    the operator's region only."""
    s = srv()
    p = dict(SEL, nik="3174015708950077", no_kk="3174012001000077", nama="Kirana Terdaftar Kemarin",
             no_hp="0813-7000-0077", email="kirana@contoh.co.id")
    st, _, b = s.json("POST", "/api/v1/participants", p)
    eq(st, 201, "register: %r" % (b,))
    eq(result_ids(login("op.sel").search("kirana terdaftar")[2]), [b["id"]])
    eq(result_ids(login("op.utr").search("kirana terdaftar")[2]), [], "not in 31.72")
    csv = ("nik,no_kk,nama,tanggal_lahir,jenis_kelamin,no_hp,email,kode_wilayah,alamat,"
           "pendidikan,segmen,pekerjaan\n"
           "3172011708950078,3172012001000078,Wulan Diimpor Sekali,1995-08-17,P,081370000078,"
           "wulan@contoh.co.id,31.72.01.1001,Jl. Koja 7,sma,pencari_kerja,lainnya\n")
    code, out, err = h.run_cli(s.db.args_for(["import", "participants", "-"]),
                               stdin=csv.encode())
    eq(code, 0, "import: %s" % err)
    eq(len(result_ids(login("op.utr").search("diimpor sekali")[2])), 1, "imported, found")
    eq(result_ids(login("op.sel").search("diimpor sekali")[2]), [], "not in 31.74")


HOSTILE_NAME = "<script>alert(1)</script>'; DROP TABLE participant; --"
HOSTILE_ADDR = '"><img src=x onerror=alert(1)> \' OR \'1\'=\'1'
RAW_MARKUP = ("<script>alert(1)", "<img src=x")


def no_raw_markup(text, what):
    for bad in RAW_MARKUP:
        assert bad not in text, "%s: %r appears unescaped" % (what, bad)


@test
def hostile_text_is_stored_intact_and_shown_escaped():
    """Script and SQL in every field a person controls reach the database
    as data and come back escaped, on every page that shows them."""
    s = srv()
    total = db_count()
    p = dict(SEL, nik="3174015708950099", no_kk="3174012001000099", nama=HOSTILE_NAME,
             alamat=HOSTILE_ADDR, email="o'neil+uji@contoh.co.id", no_hp="0813-7000-0099")
    st, _, b = s.json("POST", "/api/v1/participants", p)
    eq(st, 201, "register hostile text: %r" % (b,))
    pid = b["id"]
    eq(db_count(), total + 1, "the table is still there and has the row")
    for who in ("admin1", "op.sel"):
        c = login(who)
        st, _, text = c.search("DROP TABLE")
        eq(st, 200, "search as " + who)
        eq(result_ids(text), [pid], "search finds the hostile name as " + who)
        no_raw_markup(text, "search results as " + who)
        assert "&lt;script&gt;" in text, "the name is shown, escaped"
        st, _, text = c.get("/peserta/%d" % pid)
        eq(st, 200, "detail as " + who)
        no_raw_markup(text, "detail page as " + who)
        assert "&lt;img src=x" in text, "the address is shown, escaped"
    # the exchange file carries it back byte for byte
    code, out, err = h.run_cli(s.db.args_for(["export", "participants", "--region", "31.74"]))
    eq(code, 0, "export: " + err)
    assert HOSTILE_NAME.replace('"', '""') in out, "name intact in the export"


@test
def hostile_input_in_login_status_and_dashboard():
    s = srv()
    c = Browser(s)
    st, _, text = c.post("/masuk", {"nama_pengguna": HOSTILE_NAME, "kata_sandi": HOSTILE_ADDR})
    assert st in (200, 401, 422), "login with hostile text: %d" % st
    no_raw_markup(text, "login page")
    for nxt in ("javascript:alert(1)", "//evil.example/", "https://evil.example/"):
        b = Browser(s)
        st, hdrs, _ = b.post("/masuk?next=" + urllib.parse.quote(nxt, safe=""),
                             {"nama_pengguna": "admin1", "kata_sandi": USERS["admin1"][2]},
                             form_from="/masuk")
        eq(st, 303, "login with next=%s" % nxt)
        loc = hdrs.get("location", "")
        assert loc.startswith("/") and not loc.startswith("//"), \
            "next=%s followed to %r" % (nxt, loc)
    st, _, text = Browser(s).post("/cek-status", {"nik": "' OR 1=1 --",
                                                 "tanggal_lahir": "<script>alert(1)</script>"})
    # malformed: the fields say so (422), nothing is looked up
    eq(st, 422, "status look-up with hostile text")
    no_raw_markup(text, "status page")
    a = login("admin1")
    st, _, text = a.get("/dasbor?wilayah=" + urllib.parse.quote("<script>alert(1)</script>"))
    assert st in (200, 400, 404), "dashboard with a hostile region: %d" % st
    no_raw_markup(text, "dashboard")
    eq(db_count() >= 2, True, "the participant table is still there")


def db_count():
    return srv().db.query("SELECT count(*) FROM participant")[0][0]


@test
def shared_server_stops_cleanly():
    err = srv.stop()
    assert SEL["nik"] not in err, "a NIK in the server log"


if __name__ == "__main__":
    h.run()
