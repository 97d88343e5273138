/* page_nik.c -- the NIK check page.  The NIK travels in a POST body, never
 * in the URL, and the answer is not cached. */
#include <string.h>

#include "core/ident.h"
#include "web/html.h"
#include "web/page_form.h"
#include "web/session.h"
#include "web/web.h"

static void region_row(pk_buf *b, const char *label, const pk_region *r)
{
    pk_buf_printf(b, "<tr><th scope=\"row\">%s</th><td>", label);
    if (r) {
        pk_html_region(b, r->name);
        pk_buf_printf(b, " <span class=\"code\">(%s)</span>", r->code);
    } else {
        pk_buf_adds(b, "tidak dikenal");
    }
    pk_buf_adds(b, "</td></tr>\n");
}

static void codes_list(pk_buf *b, pk_codeset set, const char *cls)
{
    pk_buf_printf(b, "<ul class=\"%s\">\n", cls);
    for (pk_code c = 0; c < PK_C__COUNT; c++)
        if (set & PK_CODEBIT(c)) {
            pk_buf_printf(b, "<li data-code=\"%s\">", pk_code_name(c));
            pk_html_esc(b, pk_code_message(c));
            pk_buf_adds(b, "</li>\n");
        }
    pk_buf_adds(b, "</ul>\n");
}

void pk_page_nik(const pk_app *app, pk_req *req, pk_resp *resp)
{
    pk_form f;
    if (!pk_page_read_form(app, req, resp, &f))
        return;
    const char *nik = pk_form_id16(req, pk_form_get(&f, "nik"));
    bool posted = strcmp(req->method, "POST") == 0;
    pk_nik_info info;
    const char *err = NULL;
    if (posted) {
        size_t len = nik ? strlen(nik) : 0;
        const char *t = nik ? pk_trim(nik, &len) : "";
        if (len == 0) {
            err = "NIK wajib diisi.";
            posted = false; /* nothing to check: show the form with its error */
        } else {
            pk_app_check_nik(app, t, len, &info);
            if (info.errors)
                err = "NIK tidak valid. Lihat penjelasan di atas.";
        }
    }

    pk_buf *b = &resp->body;
    pk_html_begin(b, "Cek NIK", "/cek-nik");
    pk_buf_adds(b, "<h1>Cek format NIK</h1>\n<p class=\"lead\">Periksa apakah NIK (16 angka di "
                   "KTP) tertulis dengan benar sebelum mendaftar. Pemeriksaan ini hanya "
                   "membaca susunan angkanya; keabsahan NIK ditentukan oleh Dukcapil. NIK "
                   "tidak disimpan.</p>\n");
    if (posted) {
        bool ok = info.errors == 0;
        pk_buf_printf(b, "<section class=\"result %s\" role=\"status\" aria-live=\"polite\">\n"
                         "<h2>%s</h2>\n",
                      ok ? "ok" : "no", ok ? "Format NIK benar" : "Format NIK tidak benar");
        if (!ok)
            codes_list(b, info.errors, "errors");
        if (info.warnings) {
            pk_buf_adds(b, "<p>Catatan:</p>\n");
            codes_list(b, info.warnings, "warnings");
        }
        if (ok || info.has_birth) {
            pk_buf_adds(b, "<table class=\"facts\">\n");
            if (info.has_birth) {
                char d[32];
                pk_date_format_long(info.birth, d);
                pk_buf_printf(b, "<tr><th scope=\"row\">Tanggal lahir</th><td>%s</td></tr>\n"
                                 "<tr><th scope=\"row\">Jenis kelamin</th><td>%s</td></tr>\n",
                              d, info.sex == 'P' ? "Perempuan" : "Laki-laki");
            }
            region_row(b, "Provinsi penerbitan", info.province);
            region_row(b, "Kabupaten/kota", info.regency);
            region_row(b, "Kecamatan", info.district);
            pk_buf_adds(b, "</table>\n<p class=\"small\">Wilayah pada NIK adalah tempat NIK "
                           "pertama kali diterbitkan, bukan alamat Anda sekarang.</p>\n");
        }
        pk_buf_adds(b, "</section>\n");
    }
    pk_buf_adds(b, "<form method=\"post\" action=\"/cek-nik\" novalidate autocomplete=\"off\">\n");
    pk_web_csrf_field(app, req, resp);
    pk_html_input(b, "nik", "NIK", "numeric", nik, "16 angka seperti tertulis di KTP.", err, true);
    pk_buf_adds(b, "<button type=\"submit\">Periksa</button>\n</form>\n");
    pk_html_finish(resp, 200, false);
}
