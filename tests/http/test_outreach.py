"""Black-box tests of outreach events (issue #15, TAP): the staff pages
/acara (list and filters), /acara/baru (create, errors beside the fields,
CSRF) and /acara/{id} (show, edit, attendance) by role and region scope,
the audit of every write; the public short link /e/{code} -> /daftar ->
a registration attributed to the event (and one without the link not);
the QR code (SVG well-formed, its module matrix, decoded by zbarimg when
installed); the printable kit as HTML and as PDF (pdftotext); and
`prakerja outreach create|list|show|attendance`.

usage: PYTHONPATH=tests/http python3 tests/http/test_outreach.py PATH-TO-PRAKERJA [TEST...]
"""

import datetime
import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
import xml.etree.ElementTree as ET
import zlib

import harness as h
from harness import eq, test

USERS = {
    "admin1": ("admin", None, "Admin-Prakerja-Kuat-7"),
    "viewer1": ("viewer", None, "Pemantau-Data-Agregat-3"),
    "op.sel": ("operator", "31.74", "Operator-Jaksel-Tebet-1"),
    "op.utara": ("operator", "31.72", "Operator-Jakut-Pluit-2"),
}
WIB = datetime.timezone(datetime.timedelta(hours=7))
NOW = datetime.datetime.now(WIB).replace(microsecond=0, second=0)
TEBET = "31.74.01.1001"
PENJARINGAN = "31.72.01.1001"


def cli(db, *args, stdin=None, expect=0):
    code, out, err = h.run_cli(db.args_for(list(args)), stdin=stdin, timeout=120)
    if expect is not None:
        eq(code, expect, "prakerja %s: %s" % (" ".join(args[:3]), err))
    return code, out, err


def _start_shared():
    db = h.Db()
    for name, (role, region, pw) in USERS.items():
        args = ["user", "add", "--username", name, "--role", role, "--password-stdin"]
        if region:
            args += ["--region", region]
        cli(db, *args, stdin=(pw + "\n").encode())
    return h.Server(db=db).start()


srv = h.SharedServer(_start_shared)


def login(name, source="127.0.0.1"):
    b = h.Browser(srv(), source)
    st, _, text = b.post("/masuk", {"nama_pengguna": name, "kata_sandi": USERS[name][2]})
    eq(st, 303, "login %s: %s" % (name, text[:300]))
    return b


def local(t):
    return t.strftime("%Y-%m-%dT%H:%M")


def form(**kw):
    f = {"jenis": "sosialisasi", "judul": "Sosialisasi Kartu Prakerja RW 05",
         "mulai": local(NOW + datetime.timedelta(days=3)), "tempat": "Aula Kantor Kelurahan",
         "kode_wilayah": TEBET, "penyelenggara": "Kelurahan Tebet Barat", "segmen": ""}
    f.update(kw)
    return f


def field_error(text, name):
    m = re.search(r'<p class="field-error" id="%s-error">(.*?)</p>' % re.escape(name), text, re.S)
    return m.group(1).strip() if m else None


def events():
    return srv().db.query("SELECT id, code, kode_wilayah, title, attendance FROM "
                          "pk_outreach_event ORDER BY id")


def create(b, **kw):
    st, hdrs, text = b.post("/acara/baru", form(**kw))
    eq(st, 303, "create: %s" % text[text.find("<main"):][:800])
    m = re.match(r"^/acara/(\d+)$", hdrs["location"])
    assert m, hdrs["location"]
    eid = int(m.group(1))
    code = srv().db.query("SELECT code FROM pk_outreach_event WHERE id = %d" % eid)[0][0]
    return eid, code


def nik_for(serial, year=1995):
    return "317401%02d%02d%02d%04d" % (17, 8, year % 100, serial)


def registrant(serial):
    return {"nik": nik_for(serial), "no_kk": "317401300000%04d" % serial,
            "nama": "Warga Acara %d" % serial, "tanggal_lahir": "1995-08-17",
            "jenis_kelamin": "L", "no_hp": "0813666%05d" % serial,
            "email": "acara%d@contoh.id" % serial, "kode_wilayah": TEBET,
            "alamat": "Jl. Acara No. %d" % serial, "pendidikan": "sma",
            "segmen": "pencari_kerja", "pekerjaan": "wiraswasta"}


# ---- roles and region scope ---------------------------------------------------

@test
def roles_and_region_scope():
    before = len(events())
    # a viewer reads the list but may not create
    v = login("viewer1")
    eq(v.get("/acara")[0], 200)
    eq(v.get("/acara/baru")[0], 403)
    st, _, _ = v.post("/acara/baru", form(), form_from="/dasbor")
    eq(st, 403, "a viewer creates nothing")
    # an operator of 31.74 cannot create in a 31.72 village: 403, nothing stored
    op = login("op.sel")
    st, _, text = op.get("/acara/baru")
    eq(st, 200)
    assert 'value="%s"' % TEBET in text and 'value="%s"' % PENJARINGAN not in text, \
        "the village list holds the operator's region only"
    st, _, text = op.post("/acara/baru", form(kode_wilayah=PENJARINGAN))
    eq(st, 403)
    eq(field_error(text, "kode_wilayah"),
       "Kelurahan ini di luar wilayah Anda. Pilih kelurahan di wilayah Anda.")
    eq(len(events()), before, "nothing stored")
    # the same operator in their own region: created; an admin anywhere
    eid, _ = create(op, judul="Acara Tebet")
    a = login("admin1")
    eid_utara, _ = create(a, judul="Acara Penjaringan", kode_wilayah=PENJARINGAN)
    # the 31.72 operator neither sees nor edits the 31.74 event
    u = login("op.utara")
    for path in ("/acara/%d" % eid, "/acara/%d/qr.svg" % eid, "/acara/%d/kit" % eid,
                 "/acara/%d/kit.pdf" % eid):
        eq(u.get(path)[0], 404, path)
    st, _, _ = u.post("/acara/%d" % eid, form(judul="Diubah"), form_from="/acara/%d" % eid_utara)
    eq(st, 404, "editing another region's event")
    eq(srv().db.query("SELECT title FROM pk_outreach_event WHERE id = %d" % eid)[0][0],
       "Acara Tebet")
    st, _, text = u.get("/acara?waktu=semua")
    eq(st, 200)
    assert 'data-event="%d"' % eid_utara in text and 'data-event="%d"' % eid not in text
    eq(u.get("/acara?wilayah=31.74")[0], 403, "a filter outside the region")
    eq(u.get("/acara?wilayah=99.99")[0], 400, "an unknown region")
    eq(u.get("/acara?waktu=kemarin")[0], 400)
    # the 31.74 operator may not move their event into 31.72
    st, _, text = op.post("/acara/%d" % eid, form(judul="Acara Tebet",
                                                  kode_wilayah=PENJARINGAN))
    eq(st, 403)
    eq(srv().db.query("SELECT kode_wilayah FROM pk_outreach_event WHERE id = %d" % eid)[0][0],
       TEBET)
    # the menu has "Acara" for every staff role
    for b in (v, op, a):
        assert '<a href="/acara"' in b.get("/dasbor")[2], "menu entry Acara"


# ---- validation and CSRF ----------------------------------------------------------

@test
def create_refuses_with_errors_beside_the_fields():
    a = login("admin1")
    before = len(events())
    st, _, text = a.post("/acara/baru", {k: "" for k in form()})
    eq(st, 422)
    eq(field_error(text, "jenis"), "Pilih jenis acara.")
    eq(field_error(text, "judul"), "Nama acara wajib diisi.")
    assert "Periksa kembali isian berikut" in text
    cases = [
        (form(jenis="konser"), "jenis", "Pilih jenis acara."),
        (form(judul="x" * 151), "judul", None),
        (form(judul="Nama\u200bTersembunyi"), "judul", None),
        (form(mulai="besok pagi"), "mulai", "Waktu mulai tidak valid. Pilih tanggal dan jam (WIB)."),
        (form(mulai="1999-01-01T09:00"), "mulai", None),
        (form(kode_wilayah="31.74"), "kode_wilayah", "Pilih kelurahan."),
        (form(kode_wilayah="32.01.01.1001"), "kode_wilayah", "Pilih kelurahan."),
        (form(penyelenggara=" "), "penyelenggara", "Penyelenggara wajib diisi."),
        (form(segmen="pelajar"), "segmen", "Pilih sasaran dari daftar."),
    ]
    for f, field, msg in cases:
        st, _, text = a.post("/acara/baru", f)
        eq(st, 422, "%s: %r" % (field, f[field]))
        got = field_error(text, field)
        assert got, "no error beside %s" % field
        if msg:
            eq(got, msg, field)
    # no CSRF token: refused
    st, _, _ = a.post("/acara/baru", form(), token=None)
    eq(st, 403)
    st, _, _ = a.post("/acara/baru", form(), token="salah")
    eq(st, 403)
    eq(len(events()), before, "nothing was created")


@test
def create_show_edit_attendance_and_audit():
    op = login("op.sel")
    eid, code = create(op, judul="Kelas Literasi Digital <Tebet>", jenis="literasi_digital",
                       segmen="korban_phk")
    st, _, text = op.get("/acara/%d" % eid)
    eq(st, 200)
    assert "Kelas Literasi Digital &lt;Tebet&gt;" in text, "the title escaped"
    assert "https://prakerja.jakarta.go.id/e/%s" % code in text, "the short link"
    assert re.search(r'data-count="pendaftar">0<', text)
    assert "Belum dicatat" in text
    assert 'src="/acara/%d/qr.svg"' % eid in text and 'href="/acara/%d/kit"' % eid in text
    assert "Korban PHK" in text or "korban PHK" in text.lower()
    assert re.fullmatch(r"[2-9a-hjkmnp-z]{8}", code), code
    # the edit form holds the stored values; the attendance after the event
    assert 'value="%s"' % local(NOW + datetime.timedelta(days=3)) in text
    f = form(judul="Kelas Literasi Digital <Tebet>", jenis="literasi_digital",
             segmen="korban_phk", hadir="57")
    st, hdrs, text = op.post("/acara/%d" % eid, f)
    eq(st, 303, text[:500])
    eq(hdrs["location"], "/acara/%d?disimpan=1" % eid)
    st, _, text = op.get(hdrs["location"])
    assert "Perubahan disimpan." in text and re.search(r'data-count="hadir">57<', text)
    st, _, text = op.post("/acara/%d" % eid, dict(f, hadir="-4"))
    eq(st, 422)
    eq(field_error(text, "hadir"), "Jumlah hadir harus bilangan bulat 0 sampai 100.000.")
    st, _, _ = op.post("/acara/%d" % eid, dict(f, hadir="60"), token=None)
    eq(st, 403, "edit without CSRF")
    eq(srv().db.query("SELECT attendance FROM pk_outreach_event WHERE id = %d" % eid)[0][0], 57)
    # the same values again change nothing and write no audit entry
    st, _, _ = op.post("/acara/%d" % eid, f)
    eq(st, 303)
    rows = [tuple(r) for r in srv().db.query(
        "SELECT actor, source, action, subject, detail FROM audit WHERE action LIKE "
        "'outreach.%%' AND subject = %d ORDER BY id" % eid)]
    eq([r[:4] for r in rows], [("user:op.sel", "web", "outreach.create", eid),
                               ("user:op.sel", "web", "outreach.update", eid)])
    assert "code=%s" % code in rows[0][4] and "village=%s" % TEBET in rows[0][4], rows[0]
    assert "fields=attendance" in rows[1][4] and "attendance=57" in rows[1][4], rows[1]
    # the list, upcoming by default
    st, _, text = op.get("/acara")
    assert 'data-event="%d"' % eid in text
    st, _, text = op.get("/acara?waktu=lewat")
    assert 'data-event="%d"' % eid not in text, "not past"
    st, _, text = op.get("/acara?wilayah=31.74.01&waktu=semua")
    assert 'data-event="%d"' % eid in text
    eq(op.get("/acara/%d" % (eid + 1000))[0], 404)
    eq(op.get("/acara/abc")[0], 404)


# ---- the short link and attribution --------------------------------------------------

@test
def short_link_attributes_a_registration():
    a = login("admin1")
    eid, code = create(a, judul="Sosialisasi Menteng Atas")
    resident = h.Browser(srv(), "127.0.0.31")
    st, hdrs, _ = resident.get("/e/%s" % code.upper())  # typed from a poster in capitals
    eq(st, 303)
    eq(hdrs["location"], "/daftar")
    eq(hdrs.get("cache-control"), "no-store")
    cookie = [c for c in hdrs["_set_cookie"] if c.startswith("pk_acara=")]
    eq(len(cookie), 1)
    attrs = [x.strip() for x in cookie[0].split(";")]
    for want in ("pk_acara=%s" % code, "Path=/daftar", "HttpOnly", "SameSite=Lax"):
        assert want in attrs, "%s not in %s" % (want, attrs)
    st, hdrs, text = resident.get("/daftar")
    eq(st, 200)
    eq(hdrs.get("cache-control"), "no-store")
    assert "Pendaftaran melalui acara: <strong>Sosialisasi Menteng Atas</strong>" in text
    assert '<input type="hidden" name="acara" value="%s">' % code in text
    st, hdrs, text = resident.post("/daftar", registrant(501))
    eq(st, 303, text[:400])
    # a registration without the link is not attributed
    other = h.Browser(srv(), "127.0.0.32")
    st, _, text = other.get("/daftar")
    assert "Pendaftaran melalui acara" not in text and 'name="acara"' not in text
    st, _, _ = other.post("/daftar", registrant(502))
    eq(st, 303)
    rows = srv().db.query("SELECT p.nama, a.event_id FROM participant p LEFT JOIN "
                          "pk_outreach_attribution a ON a.participant_id = p.id WHERE p.nama "
                          "LIKE 'Warga Acara 50%' ORDER BY p.nama")
    eq([tuple(r) for r in rows], [("Warga Acara 501", eid), ("Warga Acara 502", None)])
    # the hidden field alone attributes too (a browser that refused the cookie)
    third = h.Browser(srv(), "127.0.0.33")
    st, _, _ = third.post("/daftar", dict(registrant(503), acara=code))
    eq(st, 303)
    # an unknown code in the field registers without attribution
    st, _, _ = third.post("/daftar", dict(registrant(504), acara="zzzzzzzz"))
    eq(st, 303)
    got = srv().db.query("SELECT count(*) FROM pk_outreach_attribution WHERE event_id = %d" % eid)
    eq(got[0][0], 2)
    eq(srv().db.query("SELECT count(*) FROM participant WHERE nama = 'Warga Acara 504'")[0][0], 1)
    st, _, text = a.get("/acara/%d" % eid)
    assert re.search(r'data-count="pendaftar">2<', text), "counted on the event's page"
    assert re.search(r'data-count="memenuhi_syarat">2<', text)
    # no personal data in the access log's routes
    for line in srv().access_lines():
        assert nik_for(501) not in line and "0813666" not in line, line


@test
def viewers_see_an_events_small_counts_hidden():
    """A viewer sees an event's registrants as the event's funnel shows
    them (/corong?acara=): a count under stats_min_count hidden, and the
    eligible hidden when those not eligible are that few (the page showed
    5 registrants and 4 eligible: one of them not eligible, which the
    funnel hides); staff who may open the records see every count."""
    a = login("admin1")
    eid, code = create(a, judul="Sosialisasi Angka Kecil")
    eid2, code2 = create(a, judul="Sosialisasi Dua Pendaftar")
    for i, (c, serial) in enumerate([(code, 601), (code, 602), (code, 603), (code, 604),
                                     (code, 605), (code2, 606), (code2, 607)]):
        b = h.Browser(srv(), "127.0.0.%d" % (60 + i))
        eq(b.get("/e/" + c)[0], 303, "short link")
        person = registrant(serial)
        if serial == 605:
            person["pekerjaan"] = "asn"   # not eligible
        st, _, text = b.post("/daftar", person)
        eq(st, 303, "registration %d: %s" % (serial, text[:300]))

    def counts(text):
        return [re.search(r'data-count="%s">(.*?)</' % k, text).group(1)
                for k in ("pendaftar", "memenuhi_syarat")]
    st, _, text = a.get("/acara/%d" % eid)
    eq((st, counts(text)), (200, ["5", "4"]), "an admin's counts")
    v = login("viewer1")
    st, _, text = v.get("/acara/%d" % eid)
    eq(st, 200, "the viewer's page")
    eq(counts(text)[0], "5", "5 registrants shown")
    assert 'data-count="memenuhi_syarat"><span data-hidden' in text, \
        "4 eligible of 5 tells one is not: hidden"
    _, _, funnel = v.get("/corong?acara=%d" % eid)
    assert re.search(r'<tr data-step="memenuhi_syarat">.*?data-hidden', funnel), \
        "hidden in the funnel as well"
    st, _, text = v.get("/acara/%d" % eid2)
    assert 'data-count="pendaftar"><span data-hidden' in text, "2 registrants hidden"
    assert 'data-count="memenuhi_syarat"><span data-hidden' in text, "2 eligible hidden"
    # the list too
    st, _, text = v.get("/acara?waktu=semua")
    eq(st, 200, "the viewer's list")
    row = re.search(r'<tr data-event="%d">.*?</tr>' % eid2, text, re.S).group(0)
    assert 'data-count="pendaftar"><span data-hidden' in row, row
    row = re.search(r'<tr data-event="%d">.*?</tr>' % eid, text, re.S).group(0)
    assert 'data-count="pendaftar">5<' in row, row
    st, _, text = a.get("/acara?waktu=semua")
    row = re.search(r'<tr data-event="%d">.*?</tr>' % eid2, text, re.S).group(0)
    assert 'data-count="pendaftar">2<' in row, "an admin's list: " + row


@test
def unknown_short_link_is_a_friendly_404():
    for path in ("/e/zzzzzzzz", "/e/abc", "/e/" + "a" * 40, "/e/%3Cscript%3E"):
        st, hdrs, body = srv().request("GET", path)
        text = body.decode()
        eq(st, 404, path)
        assert "Tautan acara tidak ditemukan" in text and 'href="/daftar"' in text, path
        assert "set-cookie" not in hdrs, path
        assert "<script>" not in text


# ---- the QR code, the kit -------------------------------------------------------

def qr_matrix(svg):
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    eq(root.tag, ns + "svg")
    modules = int(root.get("data-modules"))
    size = modules + 8
    eq(root.get("viewBox"), "0 0 %d %d" % (size, size))
    path = root.find(ns + "path").get("d")
    m = [[0] * size for _ in range(size)]
    for x, y, run in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", path):
        for i in range(int(run)):
            m[int(y)][int(x) + i] = 1
    return modules, m


def png(matrix, scale=6):
    rows = b""
    for row in matrix:
        line = bytes(0 if v else 255 for v in row for _ in range(scale))
        rows += (b"\x00" + line) * scale
    n = len(matrix) * scale

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(
            ">I", zlib.crc32(kind + data) & 0xffffffff)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", n, n, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


@test
def qr_svg_is_well_formed_and_decodes():
    a = login("admin1")
    eid, code = create(a)
    st, hdrs, svg = a.get("/acara/%d/qr.svg" % eid)
    eq(st, 200)
    eq(hdrs["content-type"], "image/svg+xml")
    modules, m = qr_matrix(svg)
    url = "https://prakerja.jakarta.go.id/e/%s" % code
    # 41 bytes at level M: version 3, 29 modules a side
    eq(len(url), 41)
    eq(modules, 29)
    # the three finder patterns: a dark 7x7 ring at the corners (after the quiet zone)
    for ox, oy in ((4, 4), (4 + modules - 7, 4), (4, 4 + modules - 7)):
        for i in range(7):
            assert m[oy][ox + i] and m[oy + 6][ox + i] and m[oy + i][ox] and m[oy + i][ox + 6]
    zbar = shutil.which("zbarimg")
    if zbar is None:
        h.diag("zbarimg not installed: the module matrix checked, not decoded")
        return
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "qr.png")
        with open(p, "wb") as f:
            f.write(png(m))
        out = subprocess.run([zbar, "--raw", "-q", p], capture_output=True, timeout=60)
        eq(out.stdout.decode().strip(), url, "zbarimg decodes the short link")


@test
def kit_html_and_pdf():
    a = login("admin1")
    eid, code = create(a, judul="Sosialisasi Kebon Baru 2026", tempat="Balai Warga RW 03")
    url = "https://prakerja.jakarta.go.id/e/%s" % code
    st, hdrs, text = a.get("/acara/%d/kit" % eid)
    eq(st, 200)
    assert hdrs["content-type"].startswith("text/html")
    assert '<body class="print">' in text and "<nav" not in text, "no menu on the kit"
    assert "Sosialisasi Kebon Baru 2026" in text and "Balai Warga RW 03" in text
    assert '<p class="kit-url" data-short-url>%s</p>' % url in text
    assert "<svg" in text and "<?xml" not in text, "the QR code inline"
    for words in ("Beli pelatihan pertama dalam", "gratis", "OTP", "prakerja.go.id",
                  "tidak dapat dicairkan"):
        assert words in text, words
    st, hdrs, body = a.request("GET", "/acara/%d/kit.pdf" % eid)
    eq(st, 200)
    eq(hdrs["content-type"], "application/pdf")
    assert 'filename="acara-%s.pdf"' % code in hdrs["content-disposition"]
    # the Browser decodes bodies as text: fetch the bytes again
    import http.client
    c = http.client.HTTPConnection("127.0.0.1", srv().port, timeout=30)
    c.request("GET", "/acara/%d/kit.pdf" % eid,
              headers={"Cookie": "; ".join("%s=%s" % kv for kv in a.jar.items())})
    r = c.getresponse()
    pdf = r.read()
    c.close()
    assert pdf.startswith(b"%PDF-"), pdf[:20]
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "kit.pdf")
        with open(p, "wb") as f:
            f.write(pdf)
        if shutil.which("pdftotext") is None:
            raise h.Skip("pdftotext (poppler-utils) not installed")
        txt = subprocess.run(["pdftotext", "-layout", p, "-"], capture_output=True,
                             timeout=60).stdout.decode()
        assert "Sosialisasi Kebon Baru 2026" in txt, txt[:500]
        assert url in txt, txt
        assert "Waspada penipuan" in txt and "OTP" in txt
        info = subprocess.run(["pdfinfo", p], capture_output=True, timeout=60).stdout.decode()
        assert re.search(r"^Pages:\s+1$", info, re.M), info
        assert "A4" in info or re.search(r"595(\.\d+)? x 841", info), info


# ---- the command line -----------------------------------------------------------

@test
def command_line_create_list_show_attendance():
    db = srv().db
    starts = (NOW - datetime.timedelta(days=10)).strftime("%Y-%m-%dT%H:%M:%S+07:00")
    _, out, _ = cli(db, "outreach", "create", "--kind", "literasi_digital", "--title",
                    "Kelas HP Pintar", "--starts", starts, "--place", "Masjid Al-Ikhlas",
                    "--village", PENJARINGAN, "--organiser", "Karang Taruna",
                    "--segment", "pencari_kerja")
    e = json.loads(out)
    eq((e["kind"], e["title"], e["village"], e["segment"], e["attendance"], e["registrations"]),
       ("literasi_digital", "Kelas HP Pintar", PENJARINGAN, "pencari_kerja", None, 0))
    eq(e["url"], "https://prakerja.jakarta.go.id/e/%s" % e["code"])
    eq(e["starts_at"], starts)
    assert e["created_by"].startswith("cli:")
    _, out, _ = cli(db, "outreach", "attendance", "--id", str(e["id"]), "--count", "33")
    eq(json.loads(out)["attendance"], 33)
    _, out, _ = cli(db, "outreach", "show", "--id", str(e["id"]))
    eq(json.loads(out)["attendance"], 33)
    _, out, _ = cli(db, "outreach", "list", "--region", "31.72", "--past")
    ids = [json.loads(l)["id"] for l in out.splitlines()]
    assert e["id"] in ids, ids
    _, out, _ = cli(db, "outreach", "list", "--region", "31.72", "--upcoming")
    assert e["id"] not in [json.loads(l)["id"] for l in out.splitlines()]
    rows = db.query("SELECT source, action FROM audit WHERE subject = %d AND action LIKE "
                    "'outreach.%%' ORDER BY id" % e["id"])
    eq([tuple(r) for r in rows], [("cli", "outreach.create"), ("cli", "outreach.update")])
    # errors: a sentence and exit 2, nothing stored
    n = len(events())
    for args, words in [
        (["create", "--kind", "sosialisasi"], "--title is required"),
        (["create", "--kind", "konser", "--title", "a", "--starts", starts, "--place", "p",
          "--village", TEBET, "--organiser", "o"], "kind must be"),
        (["create", "--kind", "sosialisasi", "--title", "a", "--starts", "besok", "--place",
          "p", "--village", TEBET, "--organiser", "o"], "start must be"),
        (["create", "--kind", "sosialisasi", "--title", "a", "--starts", starts, "--place",
          "p", "--village", "31.74", "--organiser", "o"], "village must be"),
        (["attendance", "--id", str(e["id"]), "--count", "-1"], "attendance must be"),
        (["attendance", "--id", "999999", "--count", "1"], "no event"),
        (["show", "--id", "x"], "give --id N"),
        (["list", "--region", "99"], "--region must be"),
        (["list", "--upcoming", "--past"], "not both"),
    ]:
        code, out, err = cli(db, "outreach", *args, expect=None)
        eq(code, 2, "%s: %s" % (args, err))
        assert words in err, "%s: %r" % (args, err)
        eq(out, "")
    eq(len(events()), n)


if __name__ == "__main__":
    h.run()
