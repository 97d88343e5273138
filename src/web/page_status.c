/* page_status.c -- the residents' status look-up ("cek status"), page and
 * API (app/status.h).  The NIK travels in a POST body, is never echoed
 * except masked, and the answer is never cached.  Every mismatch gets the
 * same neutral answer with the same status. */
#include <string.h>

#include "app/status.h"
#include "app/views.h"
#include "web/html.h"
#include "web/json.h"
#include "web/page_form.h"
#include "web/session.h"
#include "web/web.h"

void pk_api_status(const pk_app *app, pk_req *req, pk_resp *resp)
{
    json_t *root = pk_read_json_object(req, resp);
    if (root == NULL)
        return;
    json_t *nik = json_object_get(root, "nik");
    json_t *lahir = json_object_get(root, "tanggal_lahir");
    json_t *fields = json_array();
    if (!json_is_string(nik))
        pk_json_field_error(fields, "nik", "wajib_diisi", "NIK wajib diisi (teks 16 angka).");
    if (!json_is_string(lahir))
        pk_json_field_error(fields, "tanggal_lahir", "wajib_diisi",
                            "Tanggal lahir wajib diisi (TTTT-BB-HH).");
    if (json_array_size(fields) > 0) {
        pk_reply_error(resp, 422, "data_tidak_valid", "Periksa kembali data yang dikirim.",
                       fields);
        json_decref(root);
        return;
    }
    json_decref(fields);
    pk_status_result r;
    int rc = pk_app_status(app, json_string_value(nik), json_string_length(nik),
                           json_string_value(lahir), json_string_length(lahir), &r);
    json_decref(root);
    if (rc != 0) {
        pk_reply_error(resp, 503, "layanan_sibuk", "Layanan sedang sibuk. Coba lagi.", NULL);
        return;
    }
    if (!r.found) {
        pk_reply_json(resp, 200,
                      json_pack("{s:b, s:s}", "found", 0, "message", PK_STATUS_NOT_FOUND));
        return;
    }
    pk_reply_json(resp, 200,
                  json_pack("{s:b, s:s, s:o, s:{s:s, s:s}, s:b, s:o, s:s}", "found", 1, "nik",
                            r.nik_masked, "registered_on", pk_json_date(r.registered),
                            "scheme", "id", r.scheme_id, "name", r.scheme_name, "eligible",
                            r.reasons == 0, "reasons", pk_json_codes(r.reasons), "next_step",
                            r.next_step));
}

static void result_section(pk_buf *b, const pk_status_result *r)
{
    if (!r->found) {
        pk_buf_adds(b, "<section class=\"result no\" role=\"status\" aria-live=\"polite\">\n"
                       "<h2>Data tidak ditemukan</h2>\n<p>");
        pk_html_esc(b, PK_STATUS_NOT_FOUND);
        pk_buf_adds(b, "</p>\n</section>\n");
        return;
    }
    bool ok = r->reasons == 0;
    char d[32];
    pk_date_format_long(r->registered, d);
    pk_buf_printf(b, "<section class=\"result %s\" role=\"status\" aria-live=\"polite\">\n"
                     "<h2>%s</h2>\n<table class=\"facts\">\n"
                     "<tr><th scope=\"row\">NIK</th><td class=\"code\">%s</td></tr>\n"
                     "<tr><th scope=\"row\">Terdaftar sejak</th><td>%s</td></tr>\n"
                     "<tr><th scope=\"row\">Skema</th><td>",
                  ok ? "ok" : "no", ok ? "Anda terdaftar dan memenuhi syarat"
                                       : "Anda terdaftar, tetapi belum memenuhi syarat",
                  r->nik_masked, d);
    pk_html_esc(b, r->scheme_name[0] ? r->scheme_name : r->scheme_id);
    pk_buf_adds(b, "</td></tr>\n</table>\n");
    if (!ok) {
        pk_buf_adds(b, "<p>Alasannya:</p>\n<ul class=\"errors\">\n");
        for (pk_code c = 0; c < PK_C__COUNT; c++)
            if (r->reasons & PK_CODEBIT(c)) {
                pk_buf_printf(b, "<li data-code=\"%s\">", pk_code_name(c));
                pk_html_esc(b, pk_code_message(c));
                pk_buf_adds(b, "</li>\n");
            }
        pk_buf_adds(b, "</ul>\n");
    }
    pk_buf_adds(b, "<h3>Langkah berikutnya</h3>\n<p>");
    pk_html_esc(b, r->next_step);
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
                   "tanggal lahir Anda persis seperti di KTP untuk melihat status pendaftaran "
                   "Anda sendiri: kapan terdaftar, skemanya, dan apakah Anda memenuhi "
                   "syarat.</p>\n");
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
