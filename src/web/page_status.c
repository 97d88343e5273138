/* page_status.c -- the residents' status look-up page ("cek status";
 * app/status.h; the API's twin is in api.c).  The NIK travels in a POST
 * body, is never echoed, and the answer is never cached.  It says only
 * whether a registration exists and what to do next, in the same shape
 * either way. */
#include <string.h>

#include "app/status.h"
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
    if (posted) {
        const char *nik = pk_form_get(&f, "nik");
        const char *lahir = pk_form_get(&f, "tanggal_lahir");
        nik = nik ? nik : "";
        lahir = lahir ? lahir : "";
        if (pk_app_status(app, nik, strlen(nik), lahir, strlen(lahir), &r) != 0) {
            pk_html_error_page(app, resp, 503, "Layanan sibuk",
                               "Layanan sedang sibuk. Silakan coba lagi sebentar lagi.");
            return;
        }
    }
    pk_buf *b = &resp->body;
    pk_html_begin(b, "Cek Status Pendaftaran", "/cek-status");
    pk_buf_adds(b, "<h1>Cek status pendaftaran</h1>\n<p class=\"lead\">Masukkan NIK dan "
                   "tanggal lahir Anda persis seperti di KTP untuk mengetahui apakah "
                   "pendaftaran Anda sudah tercatat dan apa langkah berikutnya.</p>\n");
    if (posted)
        result_section(b, &r);
    pk_buf_adds(b, "<form method=\"post\" action=\"/cek-status\" novalidate "
                   "autocomplete=\"off\">\n");
    pk_web_csrf_field(app, req, resp);
    /* Nothing typed is written back: the page may be on a shared screen. */
    pk_html_input(b, "nik", "NIK", "numeric", NULL, "16 angka seperti tertulis di KTP.", NULL,
                  true);
    pk_html_input(b, "tanggal_lahir", "Tanggal lahir", "date", NULL,
                  "Sesuai KTP, misalnya 1995-08-17.", NULL, true);
    pk_buf_adds(b, "<button type=\"submit\">Lihat status</button>\n</form>\n");
    pk_html_finish(resp, 200, false);
}
