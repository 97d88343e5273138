"""Black-box tests of the server-rendered portal pages (TAP).

usage: python3 tests/http/test_portal.py PATH-TO-PRAKERJA [TEST-NAME...]
"""

import html
import re
import urllib.parse
from html.parser import HTMLParser

import harness as h
from harness import eq, test

FORM = {"Content-Type": "application/x-www-form-urlencoded"}
NIK_FEMALE = "3174015708950002"   # 17 Aug 1995, P, Tebet (31.74.01)

XSS = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>',
       "'><svg onload=alert(1)>", '</textarea><script>alert(2)</script>']

# The server most tests share (started on first use, stopped by the last
# test, which checks it exits cleanly).
srv = h.SharedServer()


def page(method, path, body=None, headers=None):
    st, hdrs, data = srv().request(method, path, body, headers)
    return st, hdrs, data.decode("utf-8")


def post_form(path, fields):
    st, hdrs, data = h.form_post(srv(), path, fields)
    return st, hdrs, data.decode("utf-8")


class Doc(HTMLParser):
    """Collects form controls, labels, elements with ids and data-code."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.controls = []       # (tag, attrs dict)
        self.labels_for = set()
        self.ids = set()
        self.data_codes = []
        self.links = []
        self.lang = None
        self.scripts = 0
        self.inline_handlers = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if "id" in a:
            self.ids.add(a["id"])
        if tag in ("input", "select", "textarea"):
            self.controls.append((tag, a))
        if tag == "label" and a.get("for"):
            self.labels_for.add(a["for"])
        if "data-code" in a:
            self.data_codes.append(a["data-code"])
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag == "script":
            self.scripts += 1
        for k in a:
            if k.startswith("on"):
                self.inline_handlers.append((tag, k))

    handle_startendtag = handle_starttag

    def control(self, name):
        for tag, a in self.controls:
            if a.get("name") == name:
                return tag, a
        return None, None


def assert_html_page(st, hdrs, text, status, what=""):
    eq(st, status, what + " status")
    assert hdrs.get("content-type", "").startswith("text/html"), hdrs.get("content-type")
    h.security_headers(hdrs, what)
    d = Doc(text)
    eq(d.lang, "id", what + " html lang")
    eq(d.scripts, 0, what + " <script> elements")
    eq(d.inline_handlers, [], what + " inline event handlers")
    return d


def no_raw_payload(data, what):
    """The page never contains payload markup unescaped (it has no <script>,
    <img> or <svg> of its own)."""
    low = data.lower()
    for bad in ("<script", "<img", "<svg", "</textarea"):
        assert bad not in low, "%s: raw %r echoed" % (what, bad)


# ---- home -----------------------------------------------------------------

@test
def home_shows_current_scheme_and_rules():
    st, hdrs, text = page("GET", "/")
    d = assert_html_page(st, hdrs, text, 200, "/")
    assert "Rp3.500.000" in text, "training balance of 2023"
    assert "Rp4.200.000" in text, "total of 2023"
    assert "Rp600.000" in text and "Rp50.000" in text, "incentives"
    assert "Rp3.550.000" not in text, "an old scheme's total on the current scheme's page"
    assert "15 hari" in text, "2023 purchase deadline"
    for excl in ("ASN", "TNI", "Polri", "DPR", "BUMN", "desa"):
        assert excl in text, "exclusion %s missing" % excl
    # 2023 allows recipients of other social assistance
    assert "DTKS" not in text, "2023 does not exclude bansos recipients"
    assert re.search(r"18\D+64", text), "age limits 18-64"
    assert re.search(r"<ol[^>]*>.*Daftar.*</ol>", text, re.S), "steps"
    for href in ("/cek-kelayakan", "/linimasa", "/cek-nik"):
        assert href in d.links, "no link to %s" % href


@test
def head_home():
    st, hdrs, body = srv().request("HEAD", "/")
    eq(st, 200, "HEAD /")
    eq(body, b"", "HEAD body")


@test
def stylesheet_served():
    st, hdrs, body = srv().request("GET", "/static/style.css")
    eq(st, 200, "status")
    assert hdrs.get("content-type", "").startswith("text/css"), hdrs.get("content-type")
    eq(hdrs.get("x-content-type-options"), "nosniff", "nosniff")
    assert b"{" in body and len(body) > 100, body[:100]


# ---- eligibility page -----------------------------------------------------

@test
def eligibility_form_has_labels_for_every_input():
    st, hdrs, text = page("GET", "/cek-kelayakan")
    d = assert_html_page(st, hdrs, text, 200, "/cek-kelayakan")
    names = {a.get("name") for _, a in d.controls}
    for n in ("skema", "tanggal_lahir", "pekerjaan", "bansos", "pernah_menerima"):
        assert n in names, "no control %s (%s)" % (n, names)
    for tag, a in d.controls:
        if a.get("type") in ("hidden", "submit"):
            continue
        assert a.get("id"), "%s %s has no id" % (tag, a.get("name"))
        assert a["id"] in d.labels_for, "no <label for=%s>" % a["id"]
    assert re.search(r'<form[^>]*method="post"[^>]*action="/cek-kelayakan"', text), "form"
    tag, a = d.control("skema")
    eq(tag, "select", "skema control")
    for sid in ("2020", "2021", "2022", "2023"):
        assert 'value="%s"' % sid in text, "scheme option %s" % sid


@test
def eligibility_under_age_shows_reason_and_keeps_input():
    st, hdrs, text = post_form("/cek-kelayakan", {"skema": "2023",
                                                  "tanggal_lahir": "2015-03-04",
                                                  "pekerjaan": "lainnya"})
    d = assert_html_page(st, hdrs, text, 200, "POST /cek-kelayakan")
    assert "usia_kurang" in d.data_codes, d.data_codes
    assert "belum memenuhi syarat" in text, "Indonesian verdict"
    assert "batas minimal" in text, "Indonesian reason text"
    tag, a = d.control("tanggal_lahir")
    eq(a.get("value"), "2015-03-04", "typed date kept")
    assert re.search(r'<option value="lainnya" selected', text), "occupation kept"
    assert re.search(r'<option value="2023" selected', text), "scheme kept"
    assert "no-store" in hdrs.get("cache-control", ""), hdrs.get("cache-control")


@test
def eligibility_eligible_and_several_reasons():
    st, hdrs, text = post_form("/cek-kelayakan", {"skema": "2023",
                                                  "tanggal_lahir": "1995-08-17"})
    d = assert_html_page(st, hdrs, text, 200, "eligible")
    eq(d.data_codes, [], "no reasons")
    assert "Anda memenuhi syarat" in text
    st, hdrs, text = post_form("/cek-kelayakan", {"skema": "2021",
                                                  "tanggal_lahir": "1995-08-17",
                                                  "pekerjaan": "mahasiswa", "bansos": "1",
                                                  "pernah_menerima": "1"})
    d = assert_html_page(st, hdrs, text, 200, "ineligible")
    eq(sorted(d.data_codes), ["penerima_bansos", "pernah_menerima", "sedang_sekolah"],
       "reasons")
    assert re.search(r'name="bansos"[^>]*checked', text), "bansos checkbox kept"
    assert re.search(r'name="pernah_menerima"[^>]*checked', text), "checkbox kept"
    # 2023 does not apply the bansos exclusion
    st, hdrs, text = post_form("/cek-kelayakan", {"skema": "2023",
                                                  "tanggal_lahir": "1995-08-17",
                                                  "bansos": "1"})
    eq(Doc(text).data_codes, [], "bansos on 2023")


@test
def eligibility_missing_date_is_422_with_error_summary():
    st, hdrs, text = post_form("/cek-kelayakan", {"skema": "2023", "tanggal_lahir": ""})
    d = assert_html_page(st, hdrs, text, 422, "missing date")
    assert re.search(r'class="error-summary"[^>]*>', text), "error summary"
    assert "#tanggal_lahir" in d.links, "summary links #tanggal_lahir: %s" % d.links
    tag, a = d.control("tanggal_lahir")
    eq(a.get("aria-invalid"), "true", "aria-invalid")
    described = a.get("aria-describedby", "").split()
    assert described and all(i in d.ids for i in described), (described, "ids exist")
    assert any("error" in i for i in described), "input described by its error"


@test
def eligibility_bad_date_and_bad_occupation_422():
    st, hdrs, text = post_form("/cek-kelayakan", {"skema": "2023",
                                                  "tanggal_lahir": "1995-02-30",
                                                  "pekerjaan": "astronot"})
    d = assert_html_page(st, hdrs, text, 422, "bad fields")
    assert "#tanggal_lahir" in d.links and "#pekerjaan" in d.links, d.links
    tag, a = d.control("tanggal_lahir")
    eq(a.get("value"), "1995-02-30", "typed value kept")


@test
def eligibility_unknown_scheme_422():
    st, hdrs, text = post_form("/cek-kelayakan", {"skema": "1999",
                                                  "tanggal_lahir": "1995-08-17"})
    d = assert_html_page(st, hdrs, text, 422, "unknown scheme")
    assert "#skema" in d.links, d.links


@test
def eligibility_wrong_content_type_415():
    st, hdrs, text = page("POST", "/cek-kelayakan", "skema=2023&tanggal_lahir=1995-08-17",
                          {"Content-Type": "text/plain"})
    assert_html_page(st, hdrs, text, 415, "text/plain form")
    st, hdrs, text = page("POST", "/cek-kelayakan", '{"skema":"2023"}',
                          {"Content-Type": "application/json"})
    assert_html_page(st, hdrs, text, 415, "JSON form")
    st, hdrs, text = page("POST", "/cek-nik", "nik=1", {"Content-Type": "multipart/form-data"})
    eq(st, 415, "multipart to /cek-nik")


@test
def malformed_form_400():
    for body in ("tanggal_lahir=%zz", "skema=%2", "tanggal_lahir=1995%00", "a=%",
                 "skema=2023&tanggal_lahir=%G1"):
        st, hdrs, text = page("POST", "/cek-kelayakan", body, FORM)
        assert_html_page(st, hdrs, text, 400, "form %r" % body)
    st, hdrs, text = page("POST", "/cek-nik", "nik=%zz", FORM)
    assert_html_page(st, hdrs, text, 400, "/cek-nik %zz")
    assert srv().healthy()


@test
def eligibility_xss_never_echoed():
    for p in XSS:
        for fields in ({"skema": p, "tanggal_lahir": p, "pekerjaan": p, "bansos": p},
                       {"skema": "2023", "tanggal_lahir": p},
                       {"skema": "2023", "tanggal_lahir": "1995-08-17", "pekerjaan": p},
                       {p: p}):
            st, hdrs, data = h.form_post(srv(), "/cek-kelayakan", fields)
            assert st in (200, 422), st
            no_raw_payload(data.decode("utf-8"), "cek-kelayakan %r" % fields)
        # the typed date comes back, escaped, in the value attribute
        st, _, text = post_form("/cek-kelayakan", {"skema": "2023", "tanggal_lahir": p})
        tag, a = Doc(text).control("tanggal_lahir")
        eq(a.get("value"), p, "escaped value round-trips")


# ---- NIK page -------------------------------------------------------------

@test
def nik_form_get():
    st, hdrs, text = page("GET", "/cek-nik")
    d = assert_html_page(st, hdrs, text, 200, "/cek-nik")
    tag, a = d.control("nik")
    assert a is not None and a.get("id") in d.labels_for, "labelled nik input"
    assert re.search(r'<form[^>]*method="post"', text), "NIK travels in a POST body"
    assert "no-store" in hdrs.get("cache-control", ""), hdrs.get("cache-control")


@test
def nik_valid_shows_birth_date_and_region():
    st, hdrs, text = post_form("/cek-nik", {"nik": NIK_FEMALE})
    d = assert_html_page(st, hdrs, text, 200, "valid NIK")
    assert "17 Agustus 1995" in text, "birth date in Indonesian"
    assert "Perempuan" in text, "sex"
    assert "Tebet" in text and "JAKARTA SELATAN" in text.upper(), "region"
    eq([c for c in d.data_codes if c.startswith("nik_")], [], "no error codes")
    eq(hdrs.get("cache-control"), "no-store", "Cache-Control")


@test
def nik_with_spaces_trimmed():
    st, hdrs, text = post_form("/cek-nik", {"nik": "  " + NIK_FEMALE + " "})
    assert_html_page(st, hdrs, text, 200, "padded NIK")
    assert "17 Agustus 1995" in text


@test
def nik_invalid_shows_errors():
    st, hdrs, text = post_form("/cek-nik", {"nik": "9901013102950001"})
    d = assert_html_page(st, hdrs, text, st, "invalid NIK")
    assert st in (200, 422), st
    assert "nik_provinsi" in d.data_codes and "nik_tanggal" in d.data_codes, d.data_codes
    tag, a = d.control("nik")
    eq(a.get("aria-invalid"), "true", "aria-invalid on the NIK input")
    eq(hdrs.get("cache-control"), "no-store", "Cache-Control")
    st, hdrs, text = post_form("/cek-nik", {"nik": "12ab"})
    d = Doc(text)
    assert "nik_format" in d.data_codes, d.data_codes
    st, hdrs, text = post_form("/cek-nik", {"nik": ""})
    d = Doc(text)
    tag, a = d.control("nik")
    eq(a.get("aria-invalid"), "true", "empty NIK is an error")
    eq(hdrs.get("cache-control"), "no-store", "Cache-Control")


@test
def nik_xss_never_echoed():
    for p in XSS:
        st, hdrs, data = h.form_post(srv(), "/cek-nik", {"nik": p})
        no_raw_payload(data.decode("utf-8"), "cek-nik %r" % p)
        tag, a = Doc(data.decode("utf-8")).control("nik")
        eq(a.get("value"), p, "escaped value round-trips")
        st, hdrs, data = srv().request("GET", "/cek-nik?nik=" + urllib.parse.quote(p))
        no_raw_payload(data.decode("utf-8"), "GET cek-nik %r" % p)


# ---- timeline page --------------------------------------------------------

@test
def timeline_page_2023():
    st, hdrs, text = page("GET", "/linimasa?skema=2023&tanggal_lolos=2026-11-02")
    d = assert_html_page(st, hdrs, text, 200, "/linimasa")
    m = re.search(r"Batas akhir membeli pelatihan pertama:\s*(<time[^>]*>[^<]*</time>)", text)
    assert m, "no purchase deadline line"
    assert 'datetime="2026-11-17"' in m.group(1) and "17 November 2026" in m.group(1), m.group(1)
    assert "15 hari" in text
    assert "23 November 2026" in text and "25 November 2026" in text, "incentive window"
    assert "25 Desember 2026" in text and "9 Maret 2027" in text, "surveys"
    assert "Rp4.200.000" in text, "total"
    tag, a = d.control("tanggal_lolos")
    eq(a.get("value"), "2026-11-02", "typed date kept")


@test
def timeline_page_form_and_errors():
    st, hdrs, text = page("GET", "/linimasa")
    d = assert_html_page(st, hdrs, text, 200, "empty /linimasa")
    for n in ("skema", "tanggal_lolos", "tanggal_selesai"):
        tag, a = d.control(n)
        assert a is not None and a.get("id") in d.labels_for, "labelled %s" % n
    assert "Batas akhir" not in text
    st, hdrs, text = page("GET", "/linimasa?skema=2023&tanggal_lolos=2026-13-01")
    d = assert_html_page(st, hdrs, text, 422, "bad date")
    assert "#tanggal_lolos" in d.links, d.links
    st, hdrs, text = page("GET", "/linimasa?skema=1999&tanggal_lolos=2026-11-02")
    d = assert_html_page(st, hdrs, text, 422, "bad scheme")
    assert "#skema" in d.links, d.links
    st, hdrs, text = page("GET", "/linimasa?skema=2023&tanggal_lolos=2026-11-02"
                                 "&tanggal_selesai=2026-10-01")
    d = assert_html_page(st, hdrs, text, 422, "completion before selection")
    assert "#tanggal_selesai" in d.links, d.links


@test
def timeline_xss_never_echoed():
    for p in XSS:
        q = urllib.parse.quote(p)
        for qs in ("skema=%s&tanggal_lolos=%s&tanggal_selesai=%s" % (q, q, q),
                   "skema=2023&tanggal_lolos=2026-11-02&tanggal_selesai=%s" % q,
                   "tanggal_lolos=%s" % q, "%s=%s" % (q, q)):
            st, hdrs, data = srv().request("GET", "/linimasa?" + qs)
            assert st in (200, 422), (st, qs)
            no_raw_payload(data.decode("utf-8"), "linimasa %r" % qs)


# ---- errors, static files -------------------------------------------------

@test
def not_found_page_is_indonesian_html():
    for path in ("/tidak-ada", "/cek-nik/extra", "/static/", "/static/nope.css",
                 "/index.html"):
        st, hdrs, text = page("GET", path)
        assert_html_page(st, hdrs, text, 404, path)
        assert "tidak ditemukan" in text.lower() or "tidak ada" in text.lower(), text[:300]
        assert 'href="/"' in text, "link home"


@test
def not_found_page_escapes_path():
    st, hdrs, data = srv().request("GET", "/%3Cscript%3Ealert(1)%3C/script%3E")
    assert 400 <= st < 500, st
    no_raw_payload(data.decode("utf-8"), "404 page")


@test
def method_not_allowed_on_pages():
    st, hdrs, text = page("PUT", "/", "x", {"Content-Type": "text/plain"})
    assert_html_page(st, hdrs, text, 405, "PUT /")
    allow = {m.strip() for m in hdrs.get("allow", "").split(",")}
    eq(allow, {"GET", "HEAD"}, "Allow of /")
    st, hdrs, text = page("DELETE", "/cek-nik")
    eq(st, 405, "DELETE /cek-nik")
    allow = {m.strip() for m in hdrs.get("allow", "").split(",")}
    assert {"GET", "POST"} <= allow, allow
    st, hdrs, text = page("POST", "/linimasa", "a=b", FORM)
    eq(st, 405, "POST /linimasa")


@test
def static_traversal_never_leaks_repo_files():
    meson = open(h.os.path.join(h.REPO, "meson.build"), "rb").read()
    marker = meson.strip().splitlines()[0][:40]
    paths = ["/static/../meson.build", "/static/..%2f..%2fmeson.build",
             "/static/..%2fmeson.build", "/static/%2e%2e/README.md",
             "/static/%2e%2e%2fmeson.build", "/static/....//meson.build",
             "/static/..\\meson.build", "/static/%2e%2e%5cmeson.build",
             "/static//etc/passwd", "/static/%2fetc%2fpasswd", "/static/style.css/..",
             "/static/./style.css/../../meson.build", "/static/openapi.json",
             "/static/STYLE.CSS", "/../meson.build",
             "/static/web/static/style.css", "/static/src%2fweb%2fapi.c"]
    for p in paths:
        st, hdrs, body = srv().request("GET", p)
        assert st != 200 or p in ("/static/STYLE.CSS",), "%s answered %d" % (p, st)
        assert marker not in body, "%s leaks meson.build" % p
        assert b"root:" not in body, "%s leaks /etc/passwd" % p
        assert b"#include" not in body, "%s leaks C source" % p
        assert b'"openapi"' not in body, "%s serves the OpenAPI doc" % p
    for raw_path in (b"/static/../meson.build", b"/static/../../../../etc/passwd",
                     b"/static/..%2F..%2Fmeson.build"):
        raw = srv().raw(b"GET " + raw_path + b" HTTP/1.1\r\nHost: x\r\nConnection: close"
                        b"\r\n\r\n", timeout=3)
        st = h.parse_status(raw)
        assert st is None or st >= 400, "%r answered %r" % (raw_path, st)
        assert marker not in raw and b"root:" not in raw, "%r leaks a file" % raw_path


@test
def security_headers_on_pages():
    for method, path, body, hdr in [("GET", "/", None, {}),
                                    ("GET", "/cek-kelayakan", None, {}),
                                    ("POST", "/cek-kelayakan", "tanggal_lahir=", FORM),
                                    ("GET", "/linimasa", None, {}),
                                    ("GET", "/cek-nik", None, {}),
                                    ("POST", "/cek-nik", "nik=" + NIK_FEMALE, FORM),
                                    ("GET", "/static/style.css", None, {}),
                                    ("GET", "/nope", None, {}),
                                    ("PUT", "/", "x", {"Content-Type": "text/plain"})]:
        st, hdrs, _ = srv().request(method, path, body, hdr)
        h.security_headers(hdrs, "%s %s" % (method, path))


@test
def personal_pages_are_no_store():
    for method, path, body in [("POST", "/cek-nik", "nik=" + NIK_FEMALE),
                               ("GET", "/cek-nik", None),
                               ("POST", "/cek-kelayakan", "skema=2023&tanggal_lahir=1995-08-17"),
                               ("POST", "/cek-kelayakan", "tanggal_lahir=")]:
        if body:
            st, hdrs, _ = h.form_post(srv(), path, urllib.parse.parse_qsl(body,
                                                                         keep_blank_values=True))
        else:
            st, hdrs, _ = srv().request(method, path)
        assert st not in (403, 415), "%s %s: %d" % (method, path, st)
        cc = hdrs.get("cache-control", "")
        assert "no-store" in cc, "%s %s: Cache-Control %r" % (method, path, cc)
        assert "public" not in cc, "%s %s: Cache-Control %r" % (method, path, cc)


@test
def nik_never_in_links_or_get_urls():
    # the NIK form posts; the page never builds URLs that carry the NIK
    st, hdrs, text = post_form("/cek-nik", {"nik": NIK_FEMALE})
    for href in Doc(text).links:
        assert NIK_FEMALE not in href, href
    assert html.escape(NIK_FEMALE) in text


@test
def shared_server_exits_cleanly():
    srv.stop()


if __name__ == "__main__":
    h.run()
