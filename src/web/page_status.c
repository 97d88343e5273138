/* page_status.c -- the residents' status look-up page ("cek status";
 * app/status.h; the API's twin is in api.c).  The NIK travels in a POST
 * body, is never echoed, and the answer is never cached.  It says only
 * whether a registration exists and what to do next, in the same shape
 * either way. */
#include <string.h>

#include "app/status.h"
#include "core/date.h"
#include "core/ident.h"
#include "web/html.h"
#include "web/page_form.h"
#include "web/session.h"
#include "web/web.h"

static void result_section(pk_buf *b, const pk_status_result *r)
{
    pk_buf_printf(b, "<section class=\"result %s\" role=\"status\" aria-live=\"polite\" "
                     "data-found=\"%s\">\n<h2>%s</h2>\n<p>",
                  r->found ? "ok" : "no", r->found ? "ya" : "tidak",
                  r->found ? "Pendaftaran ditemukan" : "Pendaftaran tidak ditemukan");
    pk_html_esc(b, r->message);
    pk_buf_adds(b, "</p>\n<h3>Langkah berikutnya</h3>\n<p>");
    pk_html_esc(b, r->next_step);
    if (!r->found)
        pk_buf_adds(b, " <a href=\"/daftar\">Daftar sekarang</a>");
    pk_buf_adds(b, "</p>\n</section>\n");
}

void pk_page_status(const pk_app *app, pk_req *req, pk_resp *resp)
{
    pk_form f;
    if (!pk_page_read_form(app, req, resp, &f))
        return;
    bool posted = strcmp(req->method, "POST") == 0;
    pk_status_result r;
    const char *err_nik = NULL, *err_lahir = NULL;
    if (posted) {
        const char *nik = pk_form_id16(req, pk_form_get(&f, "nik"));
        const char *lahir = pk_form_get(&f, "tanggal_lahir");
        nik = nik ? nik : "";
        lahir = lahir ? lahir : "";
        /* A malformed NIK or date can match nobody, so saying so tells
         * nothing about anyone's registration; a well-formed pair always
         * gets the look-up's neutral answer. */
        size_t nlen = strlen(nik), llen = strlen(lahir);
        const char *tn = pk_trim(nik, &nlen);
        const char *tl = pk_trim(lahir, &llen);
        pk_date d;
        if (nlen == 0)
            err_nik = pk_form_field_message(PK_F_NIK, PK_C_NIK_FORMAT, true);
        else if (nlen != 16 || strspn(tn, "0123456789") < 16)
            err_nik = "NIK harus 16 angka seperti tertulis di KTP.";
        if (llen == 0)
            err_lahir = pk_form_field_message(PK_F_TANGGAL_LAHIR, PK_C_TANGGAL_LAHIR_INVALID, true);
        else if (pk_date_parse(tl, llen, &d) != 0)
            err_lahir = PK_DATE_INVALID_MSG;
        if (err_nik == NULL && err_lahir == NULL &&
            pk_app_status(app, nik, strlen(nik), lahir, strlen(lahir), &r) != 0) {
            pk_html_error_page(app, resp, 503, "Layanan sibuk",
                               "Layanan sedang sibuk. Silakan coba lagi sebentar lagi.");
            return;
        }
    }
    bool invalid = err_nik != NULL || err_lahir != NULL;
    pk_buf *b = &resp->body;
    pk_html_begin(b, "Cek Status Pendaftaran", "/cek-status");
    pk_buf_adds(b, "<h1>Cek status pendaftaran</h1>\n<p class=\"lead\">Masukkan NIK dan "
                   "tanggal lahir Anda persis seperti di KTP untuk mengetahui apakah "
                   "pendaftaran Anda sudah tercatat dan apa langkah berikutnya.</p>\n");
    if (posted && !invalid)
        result_section(b, &r);
    if (invalid) {
        const char *fields[2], *msgs[2];
        size_t n = 0;
        if (err_nik) { fields[n] = "nik"; msgs[n++] = err_nik; }
        if (err_lahir) { fields[n] = "tanggal_lahir"; msgs[n++] = err_lahir; }
        pk_html_error_summary(b, fields, msgs, n);
    }
    pk_buf_adds(b, "<form method=\"post\" action=\"/cek-status\" novalidate "
                   "autocomplete=\"off\">\n");
    pk_web_csrf_field(app, req, resp);
    /* Nothing typed is written back: the page may be on a shared screen. */
    pk_html_input(b, "nik", "NIK", "numeric", NULL, "16 angka seperti tertulis di KTP.", err_nik,
                  true);
    pk_html_input(b, "tanggal_lahir", "Tanggal lahir", "date", NULL, PK_DATE_HINT, err_lahir,
                  true);
    pk_buf_adds(b, "<button type=\"submit\">Lihat status</button>\n</form>\n"
                   "<p>Belum mendaftar? <a href=\"/daftar\">Daftar di sini</a>.</p>\n");
    pk_html_finish(resp, invalid ? 422 : 200, false);
}
