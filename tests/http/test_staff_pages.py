"""Black-box tests of the staff pages' layout and presentation (TAP).

usage: PYTHONPATH=tests/http python3 tests/http/test_staff_pages.py PATH-TO-PRAKERJA [TEST...]

Covers the staff layout (a menu by role built from the route table, who
is signed in, a modest sign-out form on every staff page, errors in the
same layout), values as people read them (timestamps in Jakarta time,
"4 Des 2026 20.58 WIB"; counts with thousands separators; the scheme's
name; the reasons of an ineligible person in plain words), the search
results' cards, and the dashboard: grouped tables, the breakdown by
child region with links down and a trail back up inside the caller's
scope, and small counts of the breakdown hidden from viewers so that
none can be worked out from a row or a column.
"""

import datetime
import json
import os
import re
import tempfile
import urllib.parse

import harness as h
from harness import eq, test

USERS = {
    "admin1": ("admin", None, "Admin-Prakerja-Kuat-7"),
    "viewer1": ("viewer", None, "Pemantau-Data-Agregat-3"),
    "op.sel": ("operator", "31.74", "Operator-Jaksel-Tebet-1"),
}
MENU = {  # role -> the staff menu, in order
    "viewer1": [("/dasbor", "Dasbor"), ("/corong", "Corong"), ("/katalog", "Katalog"), ("/acara", "Acara")],
    "op.sel": [("/dasbor", "Dasbor"), ("/corong", "Corong"), ("/peserta", "Cari peserta"),
               ("/peserta/baru", "Pendaftaran dibantu"), ("/katalog", "Katalog"),
               ("/pengingat", "Pengingat"), ("/acara", "Acara")],
    "admin1": [("/dasbor", "Dasbor"), ("/corong", "Corong"), ("/peserta", "Cari peserta"),
               ("/peserta/baru", "Pendaftaran dibantu"), ("/katalog", "Katalog"),
               ("/pengingat", "Pengingat"), ("/acara", "Acara"), ("/admin/gelombang", "Gelombang"),
               ("/admin", "Admin")],
}
ROLE_LABEL = {"admin1": "Administrator", "viewer1": "Pemantau", "op.sel": "Operator wilayah"}
MONTHS = ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"]

# 1,234 people in one village of Tebet (31.74.01.1001), imported: counts
# need separators; 7 in Jakarta Pusat (31.71) for the small-count rules:
# village 31.71.01.1001 has 6 (one of them an ASN, ineligible), village
# 31.71.01.1002 has 1.
BULK = 1234
SMALL = [("31.71.01.1001", "lainnya")] * 5 + [("31.71.01.1001", "asn"),
                                              ("31.71.01.1002", "lainnya")]
SEL = {"nik": "3174015708950001", "no_kk": "3174012001000001", "nama": "Siti Tampilan Petugas",
       "tanggal_lahir": "1995-08-17", "jenis_kelamin": "P", "no_hp": "0813-7000-0001",
       "email": "siti@contoh.co.id", "kode_wilayah": "3174011001",
       "alamat": "Jl. Tebet Raya 1", "pendidikan": "sma", "segmen": "pencari_kerja",
       "pekerjaan": "asn"}
IDS = {}


def nik_of(birth, serial, region):
    y, m, d = (int(x) for x in birth.split("-"))
    return "%s%02d%02d%02d%04d" % (region, d, m, y % 100, serial)


def record(serial, village, pekerjaan="lainnya"):
    region = village.replace(".", "")[:6]
    return {"nik": nik_of("1994-03-09", serial, region), "no_kk": "%s30%08d" % (region, serial),
            "nama": "Peserta Massal %d" % serial, "tanggal_lahir": "1994-03-09",
            "jenis_kelamin": "L", "no_hp": "0812%08d" % (44000000 + serial), "email": "",
            "kode_wilayah": village, "alamat": "Gang %d" % serial, "pendidikan": "sma",
            "segmen": "pencari_kerja", "pekerjaan": pekerjaan}


def _start_shared():
    db = h.Db()
    for name, (role, region, pw) in USERS.items():
        args = ["user", "add", "--username", name, "--role", role, "--password-stdin"]
        if region:
            args += ["--region", region]
        code, _, err = h.run_cli(db.args_for(args), stdin=(pw + "\n").encode())
        eq(code, 0, "user add %s: %s" % (name, err))
    cols = ["nik", "no_kk", "nama", "tanggal_lahir", "jenis_kelamin", "no_hp", "email",
            "kode_wilayah", "alamat", "pendidikan", "segmen", "pekerjaan"]
    rows = [record(i + 1, "31.74.01.1001") for i in range(BULK)]
    rows += [record(5001 + i, v, job) for i, (v, job) in enumerate(SMALL)]
    with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as f:
        f.write(",".join(cols) + "\n")
        for r in rows:
            f.write(",".join(r[c] for c in cols) + "\n")
    try:
        code, out, err = h.run_cli(db.args_for(["import", "participants", f.name]), timeout=300)
        eq(code, 0, "import: " + err)
    finally:
        os.unlink(f.name)
    server = h.Server(db=db).start()
    st, _, b = server.json("POST", "/api/v1/participants", SEL)
    eq(st, 201, "register: %r" % (b,))
    IDS["sel"] = b["id"]
    return server


srv = h.SharedServer(_start_shared)


def login(name):
    b = h.Browser(srv())
    st, _, text = b.post("/masuk", {"nama_pengguna": name, "kata_sandi": USERS[name][2]})
    eq(st, 303, "login %s: %s" % (name, text[:300]))
    return b


def menu(text):
    m = re.search(r'<nav aria-label="Menu petugas"><ul>(.*?)</ul></nav>', text, re.S)
    assert m, "no staff menu: " + text[:1500]
    return re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', m.group(1))


def current(text):
    m = re.search(r'<a href="([^"]+)" aria-current="page">', text)
    return m.group(1) if m else None


def main_of(text):
    m = re.search(r"<main[^>]*>(.*)</main>", text, re.S)
    assert m, text[:500]
    return m.group(1)


def stats_api(name, region):
    code, out, err = h.run_cli(srv().db.args_for(["token", "create", "--username", name]))
    eq(code, 0, "token create: " + err)
    tok = json.loads(out.strip().splitlines()[-1])["token"]
    st, _, b = srv().json("GET", "/api/v1/stats?region=" + region,
                          headers={"Authorization": "Bearer " + tok})
    eq(st, 200, "stats " + region)
    return b


def sep(n):
    return "{:,}".format(n).replace(",", ".")


def children(text):
    """{code: (name, [three cells as shown])} of the breakdown table."""
    out = {}
    for code, name, cells in re.findall(
            r'<tr data-child="([^"]+)"><th scope="row"><a href="/dasbor\?wilayah=\1">([^<]*)'
            r'</a></th>(.*?)</tr>', text):
        out[code] = (name, re.findall(r'<td data-label="[^"]*" data-cell(?:="tersembunyi")?>([^<]*)</td>', cells))
    return out


def parent_counts(text):
    """The region's own total, eligible and not eligible as shown."""
    m = re.search(r'data-group="kelayakan">(.*?)</table>', text, re.S)
    return re.findall(r'<td data-count(?:="tersembunyi")?>([^<]*)</td>', m.group(1))


# ---- layout -------------------------------------------------------------------

@test
def menu_by_role_with_who_and_sign_out():
    """Each role sees the staff menu of the pages it may open, in the
    route table's access (not the public menu), who is signed in, and a
    sign-out form that is not in the page's content."""
    for name, want in MENU.items():
        b = login(name)
        st, hdrs, text = b.get("/dasbor")
        eq(st, 200, "dasbor as " + name)
        eq(menu(text), want, "menu of " + name)
        eq(current(text), "/dasbor", "current page")
        assert "Cek Kelayakan" not in text, "the public menu on a staff page"
        m = re.search(r'<p class="who" data-role="(\w+)">Masuk sebagai <strong data-user>'
                      r'([^<]+)</strong> · ([^·<]+) · <span data-scope="([^"]*)">([^<]+)</span>',
                      text)
        assert m, text[:2000]
        eq(m.group(1), USERS[name][0], "role")
        eq(m.group(2), name, "who")
        eq(m.group(3), ROLE_LABEL[name], "role label")
        eq(m.group(4), USERS[name][1] or "", "region code")
        if USERS[name][1] is None:
            eq(m.group(5), "Seluruh wilayah layanan", "region name")
        else:
            assert "JAKARTA SELATAN" in m.group(5).upper(), m.group(5)
        assert re.search(r'<form method="post" action="/keluar" class="signout">\s*'
                         r'<input type="hidden" name="_csrf" value="[^"]+">\s*'
                         r'<button type="submit" class="quiet">Keluar</button>', text), \
            "sign-out form"
        assert "Keluar" not in main_of(text), "sign-out inside the page's content"
        eq(hdrs.get("cache-control"), "no-store")
        for path, label in want:
            st, _, page = b.get(path)
            eq(st, 200, "%s as %s" % (path, name))
            eq(menu(page), want, "menu on %s" % path)
            eq(current(page), path, "current page on %s" % path)
            assert 'action="/keluar"' in page, "sign-out on %s" % path


@test
def every_operator_page_has_the_menu_and_sign_out():
    """/peserta used to have no way back and no logout: every operator
    page, its results and a record included, has both."""
    b = login("op.sel")
    pages = [b.get("/peserta"), b.post("/peserta", {"q": "tampilan petugas"}),
             b.get("/peserta/%d" % IDS["sel"]),
             b.post("/peserta/%d" % IDS["sel"], {"tampilkan_nik": "1"}),
             b.get("/peserta/baru")]
    for st, _, text in pages:
        eq(st, 200, text[:300])
        eq(menu(text), MENU["op.sel"], "menu")
        assert 'action="/keluar"' in text
    eq(current(pages[2][2]), "/peserta", "a record belongs to the search")
    eq(current(pages[4][2]), "/peserta/baru", "assisted registration")


@test
def sign_out_from_a_record_page():
    b = login("op.sel")
    st, hdrs, _ = b.post("/keluar", {}, form_from="/peserta/%d" % IDS["sel"])
    eq(st, 303, "sign out")
    eq(hdrs.get("location"), "/masuk")
    eq(b.get("/peserta")[0], 303, "signed out")


@test
def errors_in_the_staff_layout():
    """A page refused to a role, a region out of scope and a record not
    found answer in the staff layout, with the pages the account may
    open; the unknown and the outside record look the same."""
    v = login("viewer1")
    st, _, text = v.get("/peserta")
    eq(st, 403)
    assert "Akses ditolak" in text
    eq(menu(text), MENU["viewer1"], "viewer's menu on a refusal")
    o = login("op.sel")
    for path, status in (("/dasbor?wilayah=31.72", 403), ("/dasbor?wilayah=31.7", 400),
                         ("/dasbor?wilayah=31.99", 404), ("/peserta/999999", 404)):
        st, _, text = o.get(path)
        eq(st, status, path)
        eq(menu(text), MENU["op.sel"], "menu on " + path)
        assert 'href="/dasbor">Kembali ke dasbor' in text, path
    st, _, text = o.request("POST", "/peserta", "q=tampilan", h.Browser.FORM)
    eq(st, 403, "a form without its CSRF token")
    assert "Formulir kedaluwarsa" in text
    eq(menu(text), MENU["op.sel"], "menu on a refused form")
    st, _, text = v.get("/dasbor?wilayah=" + urllib.parse.quote("<script>x</script>"))
    eq(st, 400)
    assert "<script>x" not in text


# ---- values -------------------------------------------------------------------

def wib(stored):
    t = datetime.datetime.strptime(stored[:19], "%Y-%m-%dT%H:%M:%S") + datetime.timedelta(hours=7)
    return "%d %s %d %02d.%02d WIB" % (t.day, MONTHS[t.month - 1], t.year, t.hour, t.minute)


@test
def record_page_reads_as_words():
    """The record: times in Jakarta time (the stored UTC kept only in
    <time datetime>), the birth date in words, the scheme's name, the
    reasons of an ineligible person as phrases about them, in cards."""
    b = login("op.sel")
    st, _, text = b.get("/peserta/%d" % IDS["sel"])
    eq(st, 200)
    (created, updated), = srv().db.query(
        "SELECT created_at, updated_at FROM participant WHERE id = %d" % IDS["sel"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z", created), created
    shown = re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', text)
    eq(shown, [(created, wib(created)), (updated, wib(updated))], "times")
    assert re.search(r"\d{4}-\d\d-\d\dT\d\d", re.sub(r'datetime="[^"]*"', "", text)) is None, \
        "an ISO timestamp shown"
    assert "17 Agustus 1995" in text, "birth date in words"
    assert '<dd data-scheme="2023">Skema Normal 2023 (gelombang 48 dst.)</dd>' in text, \
        "scheme name"
    m = re.search(r'<section class="card verdict-card no"[^>]*data-eligible="tidak">(.*?)'
                  r'</section>', text, re.S)
    assert m, "verdict card"
    reasons = re.findall(r'<li data-code="([a-z_]+)">([^<]+)</li>', m.group(1))
    eq([c for c, _ in reasons], ["pekerjaan_dikecualikan"], "reasons")
    assert reasons[0][1].startswith("Pekerjaan yang dikecualikan"), reasons
    assert "Anda" not in m.group(1), "a reason addressed to the person"
    eq(len(re.findall(r'<section class="card', text)), 6,
       "verdict, identity, contact, programme, journey, reminders")
    assert "3174********0001" in text and SEL["nik"] not in text, "masked NIK"


@test
def assisted_registration_tells_the_reasons():
    """An operator who registers someone ineligible reads why at once."""
    b = login("op.sel")
    p = {"nik": "3174015708950002", "no_kk": "3174012001000002", "nama": "Dibantu Tidak Layak",
         "tanggal_lahir": "1995-08-17", "jenis_kelamin": "P", "no_hp": "0813-7000-0002",
         "kode_wilayah": "31.74.01.1001", "segmen": "pencari_kerja", "pekerjaan": "polri"}
    st, _, text = b.post("/peserta/baru", p)
    eq(st, 201, text[:1500])
    eq(menu(text), MENU["op.sel"], "menu")
    reasons = re.findall(r'<li data-code="([a-z_]+)">([^<]+)</li>', text)
    eq([c for c, _ in reasons], ["pekerjaan_dikecualikan"], "reasons")
    assert "Anda" not in reasons[0][1], reasons


@test
def search_results_label_every_cell():
    """Each result cell carries its label, which a phone shows in a card
    (the browser test checks the layout); the birth date in words."""
    b = login("op.sel")
    st, _, text = b.post("/peserta", {"q": "tampilan petugas"})
    eq(st, 200)
    m = re.search(r'<tr data-id="%d">(.*?)</tr>' % IDS["sel"], text)
    assert m, text[-2000:]
    eq(re.findall(r'<td data-label="([^"]+)"', m.group(1)),
       ["Nama", "NIK", "Tanggal lahir", "Kelurahan", "Kelayakan"])
    assert "17 Agustus 1995" in m.group(1)
    assert "Belum memenuhi syarat" in m.group(1)


@test
def counts_with_thousands_separators():
    a = login("admin1")
    st, _, text = a.get("/dasbor?wilayah=31.74.01.1001")
    eq(st, 200)
    total = stats_api("admin1", "31.74.01.1001")["total"]
    assert total > BULK, total
    want = sep(total)
    assert '<th scope="row">Pendaftar</th><td data-count>%s</td>' % want in text, \
        re.findall(r'<td data-count>[^<]*</td>', text)
    assert '<span class="n">%s</span> Pendaftar' % want in text, "the tile"
    assert ">%d<" % total not in text, "a count without separators"


# ---- dashboard ----------------------------------------------------------------

@test
def dashboard_groups_its_tables():
    a = login("admin1")
    st, _, text = a.get("/dasbor?wilayah=31.74")
    eq(st, 200)
    eq(re.findall(r'<table class="stats[^"]*" data-group="([a-z]+)"', text),
       ["kelayakan", "alasan", "segmen", "kelamin", "wilayah"], "groups")
    api = stats_api("admin1", "31.74")
    m = re.search(r'data-group="alasan">(.*?)</table>', text, re.S)
    rows = re.findall(r'<tr data-code="([a-z_]+)"><th scope="row">([^<]+)</th>'
                      r'<td data-count>([\d.]+)</td>', m.group(1))
    eq({c: int(n.replace(".", "")) for c, _, n in rows}, api["by_reason"], "reasons as the API")
    assert all("Anda" not in label for _, label, _ in rows), rows


@test
def breakdown_links_down_to_villages():
    """From the service area down: cities, districts, villages, each
    counted as the API counts it, each a link to its own dashboard; a
    village has no breakdown; the trail leads back up."""
    a = login("admin1")
    st, _, text = a.get("/dasbor")
    eq(st, 200)
    cities = children(text)
    assert "31.74" in cities and "31.71" in cities, cities
    assert "Rincian per Kota/kabupaten" in text
    api = stats_api("admin1", "31.74")
    want = [sep(api["total"]), sep(api["eligible"]), sep(api["not_eligible"])]
    eq(cities["31.74"][1], want, "Jakarta Selatan as the API counts it")
    st, _, text = a.get("/dasbor?wilayah=31.74")
    districts = children(text)
    assert "31.74.01" in districts and "Rincian per Kecamatan" in text, districts
    assert re.search(r'<nav class="trail"[^>]*><ol><li><a href="/dasbor\?wilayah=31">', text), \
        "trail up to the province"
    st, _, text = a.get("/dasbor?wilayah=31.74.01")
    villages = children(text)
    assert "Rincian per Kelurahan" in text
    api = stats_api("admin1", "31.74.01.1001")
    eq(villages["31.74.01.1001"][1], [sep(api["total"]), sep(api["eligible"]),
                                      sep(api["not_eligible"])], "Tebet Timur")
    for code, (_, cells) in villages.items():
        if code != "31.74.01.1001":
            eq(cells, ["0", "0", "0"], code)
    st, _, text = a.get("/dasbor?wilayah=31.74.01.1001")
    eq(children(text), {}, "a village has no breakdown")
    assert 'data-group="wilayah"' not in text
    assert '<a href="/dasbor?wilayah=31.74.01">' in text, "trail to the district"


@test
def breakdown_and_trail_stay_in_scope():
    o = login("op.sel")
    st, _, text = o.get("/dasbor")
    eq(st, 200)
    assert 'data-region="31.74"' in text
    assert "31.74.01" in children(text)
    assert 'href="/dasbor?wilayah=31"' not in text, "a link above the scope"
    assert re.search(r'<nav class="trail"', text) is None, "no trail at the top of the scope"
    st, _, text = o.get("/dasbor?wilayah=31.74.01")
    assert '<a href="/dasbor?wilayah=31.74">' in text, "trail back to the scope"
    assert 'href="/dasbor?wilayah=31"' not in text, "nothing above the scope"
    for code in children(text):
        eq(o.get("/dasbor?wilayah=" + code)[0], 200, "link " + code)


@test
def breakdown_hides_small_counts_from_viewers():
    """Jakarta Pusat's district 31.71.01: village 1001 has 6 (1 ineligible),
    village 1002 has 1.  A viewer sees no count from 1 to 4, and no row
    (total = eligible + not) or column (the villages add up to the
    district's count, when the page shows it) with exactly one hidden
    cell; an admin sees them all."""
    v = login("viewer1")
    st, _, text = v.get("/dasbor?wilayah=31.71.01")
    eq(st, 200)
    seen = children(text)
    a = login("admin1")
    exact = children(a.get("/dasbor?wilayah=31.71.01")[2])
    eq(exact["31.71.01.1001"][1], ["6", "5", "1"], "admin: exact")
    eq(exact["31.71.01.1002"][1], ["1", "1", "0"], "admin: exact")
    rows = [cells for _, cells in seen.values()]
    hidden = sum(c == "&lt; 5" for r in rows for c in r)
    assert hidden >= 3, seen
    for code, (_, cells) in seen.items():
        for c, x in zip(cells, exact[code][1]):
            assert c in ("&lt; 5", x), "%s: %r shown, exact %r" % (code, cells, exact[code][1])
            if c != "&lt; 5":
                assert int(c.replace(".", "")) == 0 or int(c.replace(".", "")) >= 5, (code, cells)
        assert sum(c == "&lt; 5" for c in cells) != 1, "row %s: %r" % (code, cells)
    sums = parent_counts(text)
    eq(sums, ["7", "&lt; 5", "&lt; 5"], "the district's own counts")
    for col in range(3):
        if sums[col] != "&lt; 5":
            assert sum(r[col] == "&lt; 5" for r in rows) != 1, "column %d: %r" % (col, seen)
    # one level up: the district row of Jakarta Pusat keeps the same rules
    st, _, text = v.get("/dasbor?wilayah=31.71")
    rows = [cells for _, cells in children(text).values()]
    sums = parent_counts(text)
    for r in rows:
        assert sum(c == "&lt; 5" for c in r) != 1, r
    for col in range(3):
        if sums[col] != "&lt; 5":
            assert sum(r[col] == "&lt; 5" for r in rows) != 1, (col, rows)
    # and the province's: its cities' columns add up to counts it shows
    st, _, text = v.get("/dasbor")
    rows = [cells for _, cells in children(text).values()]
    sums = parent_counts(text)
    eq(sums[0], sep(stats_api("admin1", "31")["total"]), "the province's total is shown")
    for r in rows:
        assert sum(c == "&lt; 5" for c in r) != 1, r
    for col in range(3):
        if sums[col] != "&lt; 5":
            assert sum(r[col] == "&lt; 5" for r in rows) != 1, (col, rows)


if __name__ == "__main__":
    h.run()
