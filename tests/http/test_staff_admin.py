"""Black-box tests of the waves and the catalogue on the staff pages (TAP):
/admin/gelombang (list, create with errors beside the fields and the
command line's rules, open/close, one wave with its quotas, applicants
and, once drawn on the command line, its result and digests) for admins
only, CSRF on every form, audited as the admin; /katalog (every staff
role) a page of 50 courses at a time, and an admin's pasted course file.

usage: PYTHONPATH=tests/http python3 tests/http/test_staff_admin.py PATH-TO-PRAKERJA [TEST...]
"""

import datetime
import json
import re

import harness as h
from harness import eq, test

USERS = {
    "admin1": ("admin", None, "Admin-Prakerja-Kuat-7"),
    "viewer1": ("viewer", None, "Pemantau-Data-Agregat-3"),
    "op.sel": ("operator", "31.74", "Operator-Jaksel-Tebet-1"),
}
WIB = datetime.timezone(datetime.timedelta(hours=7))
NOW = datetime.datetime.now(WIB).replace(microsecond=0, second=0)
SEED = "ab" * 32
COURSES = 120


def cli(db, *args, stdin=None, expect=0):
    code, out, err = h.run_cli(db.args_for(list(args)), stdin=stdin, timeout=300)
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
    lines = ["platform,kode_pelatihan,judul,lpk,harga,mode"]
    for i in range(1, COURSES + 1):
        lines.append("tokopedia,TP-%03d,Kursus Nomor %d,LPK Maju Jaya,%d,webinar"
                     % (i, i, 100000 + i * 1000))
    lines[1] = 'tokopedia,TP-001,"Kursus <b>Tebal</b> & ""Kutip""",LPK Maju Jaya,1500000,luring'
    cli(db, "import", "courses", "-", stdin=("\n".join(lines) + "\n").encode())
    return h.Server(db=db).start()


srv = h.SharedServer(_start_shared)


def login(name):
    b = h.Browser(srv())
    st, _, text = b.post("/masuk", {"nama_pengguna": name, "kata_sandi": USERS[name][2]})
    eq(st, 303, "login %s: %s" % (name, text[:300]))
    return b


def local(t):
    return t.strftime("%Y-%m-%dT%H:%M")


def form(number, **kw):
    f = {"gelombang": str(number), "skema": "2021", "dibuka": local(NOW - datetime.timedelta(
        days=1)), "ditutup": local(NOW + datetime.timedelta(days=7)), "kuota": "100",
         "kuota_wilayah": "", "batas_saldo": ""}
    f.update(kw)
    return f


def field_error(text, name):
    """The error written beside field `name` (its -error paragraph), or None."""
    m = re.search(r'<p class="field-error" id="%s-error">(.*?)</p>' % re.escape(name), text, re.S)
    return m.group(1).strip() if m else None


def audit_rows(action):
    return [tuple(r) for r in srv().db.query(
        "SELECT source, detail FROM audit WHERE action = '%s' ORDER BY id" % action)]


# ---- waves ------------------------------------------------------------------

@test
def only_admins_reach_the_wave_pages():
    for name in ("op.sel", "viewer1"):
        b = login(name)
        for path in ("/admin/gelombang", "/admin/gelombang/baru", "/admin/gelombang/1"):
            st, _, text = b.get(path)
            eq(st, 403, "%s %s" % (name, path))
        st, _, _ = b.post("/admin/gelombang/baru", form(90), form_from="/dasbor")
        eq(st, 403, "%s may not create" % name)
    st, hdrs, _ = srv().request("GET", "/admin/gelombang")
    eq(st, 303)
    assert hdrs["location"].startswith("/masuk")
    eq(srv().db.query("SELECT count(*) FROM pk_wave WHERE number = 90")[0][0], 0)


@test
def create_refuses_with_errors_beside_the_fields():
    a = login("admin1")
    st, _, text = a.get("/admin/gelombang/baru")
    eq(st, 200)
    for name in ("gelombang", "skema", "dibuka", "ditutup", "kuota", "kuota_wilayah",
                 "batas_saldo"):
        assert 'name="%s"' % name in text, name
    # nothing typed: each required field says so
    st, _, text = a.post("/admin/gelombang/baru", {k: "" for k in form(1)})
    eq(st, 422)
    eq(field_error(text, "gelombang"), "Nomor gelombang wajib diisi.")
    eq(field_error(text, "skema"), "Pilih skema.")
    eq(field_error(text, "kuota"), "Kuota wajib diisi.")
    assert "Periksa kembali isian berikut" in text
    # the command line's rules (app/wave.c), each beside its own field
    cases = [
        (form(0), "gelombang", "Nomor gelombang harus bilangan bulat 1 atau lebih."),
        (form(5, skema="1999"), "skema", "Pilih skema yang ada."),
        (form(5, dibuka="kemarin"), "dibuka", None),
        (form(5, ditutup=local(NOW - datetime.timedelta(days=3))), "ditutup", None),
        (form(5, kuota="-3"), "kuota", "Kuota harus bilangan bulat 0 atau lebih."),
        (form(5, kuota="1.00"), "kuota", "Kuota harus bilangan bulat 0 atau lebih."),
        (form(5, kuota="1,000"), "kuota", "Kuota harus bilangan bulat 0 atau lebih."),
        (form(5, kuota_wilayah="31.71=10, 99.99=5"), "kuota_wilayah", None),
        (form(5, kuota_wilayah="31.71=10, 31.71=5"), "kuota_wilayah", None),
        (form(5, kuota_wilayah="31.71"), "kuota_wilayah", None),
        (form(5, batas_saldo="31-12-2021"), "batas_saldo", None),
    ]
    for f, field, msg in cases:
        st, _, text = a.post("/admin/gelombang/baru", f)
        eq(st, 422, "%s: %r" % (field, f))
        got = field_error(text, field)
        assert got, "no error beside %s: %s" % (field, text[text.find("<main"):][:1500])
        if msg:
            eq(got, msg, field)
        # what was typed is kept
        if f[field]:
            assert 'value="%s"' % f[field] in text or field == "skema", field
    eq(srv().db.query("SELECT count(*) FROM pk_wave")[0][0], 0, "nothing was created")


@test
def create_show_close_open_and_audit():
    a = login("admin1")
    # the quota written as the page shows counts ("1.000"; an outside review
    # was told it is not a number)
    f = form(7, kuota="1.000", kuota_wilayah="31.71=30, 31.74=40", batas_saldo="2030-12-15")
    st, hdrs, text = a.post("/admin/gelombang/baru", f)
    eq(st, 303, text[:500])
    eq(hdrs["location"], "/admin/gelombang/7")
    # the same number again: the command line's rule
    st, _, text = a.post("/admin/gelombang/baru", f)
    eq(st, 409)
    eq(field_error(text, "gelombang"), "Gelombang dengan nomor ini sudah ada.")
    # the command line sees the wave the page made, with WIB instants
    _, out, _ = cli(srv().db, "wave", "show", "--wave", "7")
    w = json.loads(out.strip().splitlines()[-1])
    eq((w["scheme"], w["quota"], w["quota_regions"], w["balance_until"], w["state"]),
       ("2021", 1000, {"31.71": 30, "31.74": 40}, "2030-12-15", "dibuka"))
    eq(w["opens"], local(NOW - datetime.timedelta(days=1)) + ":00+07:00")
    st, _, text = a.get("/admin/gelombang/7")
    eq(st, 200)
    assert 'data-state="dibuka"' in text
    assert re.search(r'data-count="applicants">0<', text), "no applicants yet"
    assert re.search(r'data-count="quota">1\.000<', text)
    assert "Kota Administrasi Jakarta Pusat" in text and "Kota Administrasi Jakarta Selatan" \
        in text, "regency quotas by name"
    assert "15 Desember 2030" in text
    assert "prakerja wave draw --wave 7 --seed HEX" in text, "the draw: on the command line"
    # the list
    st, _, text = a.get("/admin/gelombang")
    assert '<tr data-wave="7">' in text and 'href="/admin/gelombang/7"' in text
    # close, then open again
    st, _, text = a.post("/admin/gelombang/7", {"aksi": "tutup"})
    eq(st, 200, text[:300])
    assert 'data-state="ditutup"' in text and "Gelombang ditutup" in text
    st, _, text = a.post("/admin/gelombang/7", {"aksi": "buka"})
    eq(st, 200)
    assert 'data-state="dibuka"' in text
    st, _, _ = a.post("/admin/gelombang/7", {"aksi": "hapus"})
    eq(st, 400, "an unknown action")
    # no CSRF token: refused, nothing changed
    st, _, _ = a.request("POST", "/admin/gelombang/7", "aksi=tutup", h.Browser.FORM)
    eq(st, 403)
    eq(srv().db.query("SELECT state FROM pk_wave WHERE number = 7")[0][0], "dibuka")
    st, _, _ = a.post("/admin/gelombang/baru", form(8), token=None)
    eq(st, 403, "create without CSRF")
    # every write audited as the admin, from the web
    rows = srv().db.query("SELECT actor, source, action FROM audit WHERE action LIKE 'wave.%'"
                          " ORDER BY id")
    eq([tuple(r) for r in rows], [("user:admin1", "web", "wave.create"),
                                  ("user:admin1", "web", "wave.close"),
                                  ("user:admin1", "web", "wave.open")])
    eq(a.get("/admin/gelombang/99")[0], 404)
    eq(a.get("/admin/gelombang/abc")[0], 404)


@test
def drawn_wave_shows_result_and_digests():
    db = srv().db
    a = login("admin1")
    # a wave that closed yesterday with two applicants, drawn on the command line
    opens, closes = NOW - datetime.timedelta(days=10), NOW - datetime.timedelta(days=1)
    st, _, text = a.post("/admin/gelombang/baru", form(
        3, dibuka=local(opens), ditutup=local(closes), kuota="1"))
    eq(st, 303, text[:600])
    people = ["nik,no_kk,nama,tanggal_lahir,jenis_kelamin,no_hp,email,kode_wilayah,alamat,"
              "pendidikan,segmen,pekerjaan"]
    niks = []
    for i in (1, 2):
        nik = "317401170895%04d" % i
        niks.append(nik)
        people.append("%s,3174013001%06d,Peserta %d,1995-08-17,L,0812%08d,,31.74.01.1001,"
                      "Jalan %d,sma,pencari_kerja,karyawan_swasta" % (nik, i, i, 33000000 + i, i))
    cli(db, "import", "participants", "-", stdin=("\n".join(people) + "\n").encode())
    cli(db, "wave", "join", "--wave", "3", "--at", (NOW - datetime.timedelta(days=5)).isoformat(),
        *niks)
    st, _, text = a.get("/admin/gelombang/3")
    assert re.search(r'data-count="applicants">2<', text), "two applicants"
    assert 'data-state="ditutup"' in text, "closed by its instant"
    assert "Buka kembali" not in text, "its closing instant has passed: it cannot open again"
    _, out, _ = cli(db, "wave", "draw", "--wave", "3", "--seed", SEED)
    d = json.loads(out.strip().splitlines()[-1])
    st, _, text = a.get("/admin/gelombang/3")
    eq(st, 200)
    assert 'data-state="diundi"' in text and 'data-drawn="ya"' in text
    for key in ("seed", "snapshot_sha256", "result_sha256"):
        assert re.search(r'data-digest="%s"><code class="digest">%s</code>' % (key, d[key]),
                         text), key
    assert re.search(r'data-count="selected">1<', text)
    assert re.search(r'data-count="not_selected">1<', text)
    assert 'data-code="kuota_gelombang_penuh"' in text, "why the other was not selected"
    assert "prakerja wave verify --wave 3" in text
    assert "Tutup gelombang" not in text and "Buka kembali" not in text, "drawn: no changes"
    for nik in niks:
        assert nik not in text, "no NIK on the wave page"
    st, _, text = a.post("/admin/gelombang/3", {"aksi": "buka"})
    eq(st, 409, "a drawn wave does not open again")


# ---- the catalogue --------------------------------------------------------------

@test
def catalogue_pages_of_fifty_for_every_staff_role():
    for name in ("viewer1", "op.sel", "admin1"):
        b = login(name)
        st, _, text = b.get("/katalog")
        eq(st, 200, name)
        eq(len(re.findall(r'<tr data-course="', text)), 50, "first page for %s" % name)
    st, _, text = b.get("/katalog")
    assert "Kursus &lt;b&gt;Tebal&lt;/b&gt; &amp; &quot;Kutip&quot;" in text, "escaped title"
    assert "<b>Tebal</b>" not in text
    assert 'data-price="1500000">Rp1.500.000<' in text
    assert "Luring (tatap muka)" in text
    assert "prakerja import courses" in text, "how to fill it"
    pages, path = [], "/katalog"
    while path:
        st, _, text = b.get(path)
        eq(st, 200, path)
        pages.append(len(re.findall(r'<tr data-course="', text)))
        m = re.search(r'<a href="(/katalog\?setelah=\d+)" rel="next">', text)
        path = m.group(1) if m else None
    eq(pages[:2], [50, 50], "pages of 50")
    eq(sum(pages), srv().db.query("SELECT count(*) FROM pk_course")[0][0], "every course once")
    st, _, _ = b.get("/katalog?setelah=abc")
    eq(st, 400)
    st, _, text = b.get("/katalog?setelah=999999")
    eq((st, "Tidak ada pelatihan lagi." in text), (200, True))
    st, hdrs, _ = srv().request("GET", "/katalog")
    eq(st, 303, "anonymous: to the login")


@test
def admin_pastes_a_course_file():
    a = login("admin1")
    st, _, text = a.get("/katalog")
    assert '<textarea id="csv" name="csv"' in text, "admins get the form"
    for name in ("op.sel", "viewer1"):
        b = login(name)
        st, _, text = b.get("/katalog")
        assert "<textarea" not in text, "no import form for %s" % name
        st, _, _ = b.post("/katalog", {"csv": "x"}, form_from="/dasbor")
        eq(st, 403, "%s may not import" % name)
    before = srv().db.query("SELECT count(*) FROM pk_course")[0][0]
    csv_text = ("platform,kode_pelatihan,judul,lpk,harga,mode\n"
                "tokopedia,TP-900,Menjahit Busana,LPK Benang Emas,850000,luring\n"
                "tokopedia,TP-002,Kursus Nomor 2 Baru,LPK Maju Jaya,999000,mandiri\n"
                "tokopedia,TP-901,Harga Salah,LPK Benang Emas,1.000.000,webinar\n"
                "tokopedia,TP-902,Mode Salah,LPK Benang Emas,100000,daring\n")
    st, _, text = a.post("/katalog", {"csv": csv_text})
    eq(st, 200, text[:500])
    m = re.search(r'data-imported data-rows="(\d+)" data-inserted="(\d+)" data-updated="(\d+)" '
                  r'data-unchanged="(\d+)" data-rejected="(\d+)"', text)
    assert m, text[text.find("<main"):][:1500]
    eq(tuple(int(x) for x in m.groups()), (4, 1, 1, 0, 2), "rows, new, updated, same, rejected")
    eq(re.findall(r"<li data-reject>([^<]+)</li>", text),
       ["baris 4: harga_tidak_valid", "baris 5: mode_tidak_valid"])
    eq(srv().db.query("SELECT count(*) FROM pk_course")[0][0], before + 1)
    eq(srv().db.query("SELECT price FROM pk_course WHERE course_ref = 'TP-002'")[0][0], 999000)
    rows = srv().db.query("SELECT actor, action FROM audit WHERE action = 'courses.import'"
                          " ORDER BY id DESC LIMIT 1")
    eq(tuple(rows[0]), ("user:admin1", "courses.import"))
    # without the header: the error beside the field, the text kept, nothing imported
    st, _, text = a.post("/katalog", {"csv": "tokopedia,TP-903,Tanpa Judul,LPK,100,webinar\n"})
    eq(st, 422)
    eq(field_error(text, "csv"), "Baris pertama harus judul kolom: "
                                 "platform,kode_pelatihan,judul,lpk,harga,mode.")
    assert "TP-903,Tanpa Judul" in text, "what was pasted is kept"
    st, _, text = a.post("/katalog", {"csv": "  \n"})
    eq(st, 422)
    eq(field_error(text, "csv"), "Tempel isi berkas CSV, termasuk baris judul kolom.")
    st, _, _ = a.post("/katalog", {"csv": csv_text}, token=None)
    eq(st, 403, "no CSRF token")
    eq(srv().db.query("SELECT count(*) FROM pk_course WHERE course_ref = 'TP-903'")[0][0], 0)


@test
def menus_name_the_new_pages():
    for name, want in (("admin1", True), ("op.sel", False), ("viewer1", False)):
        st, _, text = login(name).get("/dasbor")
        nav = re.search(r'<nav aria-label="Menu petugas">(.*?)</nav>', text, re.S).group(1)
        assert 'href="/katalog"' in nav, name
        eq('href="/admin/gelombang"' in nav, want, "waves in the menu of %s" % name)


@test
def shared_server_stops_cleanly():
    srv.stop()


if __name__ == "__main__":
    h.run()
