/* page_participants.c -- the operator pages: search a participant by name
 * or NIK (/peserta), open one (/peserta/{id}), and assisted registration
 * (/peserta/baru).  Admins and operators only (routes.c); an operator
 * works inside the region subtree of the account, which the store
 * applies in its queries (app/operator.h), so a record of another region
 * is "not found" by every route here.
 *
 * A NIK is personal data and never travels in a URL (it would land in
 * browser history, proxy logs and Referer headers): the search form is a
 * POST, and a GET /peserta?q= is accepted for names only.  Pages show a
 * NIK masked (3174********0001); the full NIK (and KK number) is shown
 * only after an explicit POST, which the access log records. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/operator.h"
#include "app/registry.h"
#include "web/html.h"
#include "web/page_form.h"
#include "web/page_register.h"
#include "web/session.h"
#include "web/web.h"

static void region_name(const pk_app *app, pk_buf *b, const char *code)
{
    pk_html_region_name(app, b, code, "Seluruh wilayah layanan");
}

static void scope_line(const pk_app *app, pk_buf *b, const char *scope)
{
    pk_buf_printf(b, "<p>Wilayah kerja: <strong data-scope=\"%s\">", scope);
    region_name(app, b, scope);
    pk_buf_adds(b, "</strong></p>\n");
}

static void busy(const pk_app *app, const pk_req *req, pk_resp *resp)
{
    pk_html_staff_error(app, req, resp, 503, "Layanan sibuk",
                        "Data belum dapat dibaca. Silakan coba lagi sebentar lagi.");
}

/* "17 Agustus 1995" for a stored YYYY-MM-DD (as it is otherwise). */
static void long_date(pk_buf *b, const char *ymd)
{
    pk_date d;
    char s[32];
    if (pk_date_parse(ymd, strlen(ymd), &d) == 0) {
        pk_date_format_long(d, s);
        pk_buf_adds(b, s);
    } else {
        pk_html_esc(b, ymd);
    }
}

/* ---- /peserta: search -------------------------------------------------- */

/* The link to the next page of a name search: the name (not personal
 * data by itself: a NIK never gets here) and the opaque key. */
static void next_link(pk_buf *b, const char *q, const pk_page_key *next)
{
    char key[PK_SEARCH_KEY_MAX];
    pk_page_key_format(next, key);
    pk_buf_adds(b, "<nav class=\"pages\" aria-label=\"Halaman hasil\"><a rel=\"next\" "
                   "href=\"/peserta?q=");
    pk_html_url_value(b, q);
    pk_buf_printf(b, "&amp;lanjut=%s\">Halaman berikutnya</a></nav>\n", key);
}

static void search_form(const pk_app *app, const pk_req *req, pk_resp *resp, const char *shown,
                        const char *error)
{
    pk_buf *b = &resp->body;
    /* POST, so that a NIK typed here never becomes part of a URL */
    pk_buf_adds(b, "<form method=\"post\" action=\"/peserta\" class=\"search\" novalidate>\n");
    pk_web_csrf_field(app, req, resp);
    pk_html_input(b, "q", "Nama atau NIK", "search", shown,
                  "Sebagian nama (sedikitnya 3 huruf) atau NIK lengkap 16 angka.", error, true);
    pk_buf_adds(b, "<button type=\"submit\">Cari</button>\n</form>\n");
}

void pk_page_participants(const pk_app *app, pk_req *req, pk_resp *resp)
{
    pk_form f;
    if (!pk_page_read_form(app, req, resp, &f))
        return;
    bool posted = strcmp(req->method, "POST") == 0;
    const char *q = posted ? pk_form_get(&f, "q") : pk_req_query(req, "q");
    if (!posted && q != NULL && pk_query_is_nik(q)) {
        pk_html_staff_error(app, req, resp, 400, "Cari NIK lewat formulir",
                            "Demi keamanan data, NIK tidak boleh dikirim lewat alamat halaman. "
                            "Ketik NIK pada kotak pencarian di halaman Cari peserta.");
        return;
    }
    /* a later page (GET only: the form's POST is the first page) */
    const char *lanjut = posted ? NULL : pk_req_query(req, "lanjut");
    pk_page_key after, next;
    if (lanjut != NULL && !pk_page_key_parse(lanjut, &after)) {
        pk_html_staff_error(app, req, resp, 400, "Halaman hasil tidak dikenal",
                            "Alamat halaman hasil pencarian ini tidak sah. "
                            "Mulai lagi dari halaman Cari peserta.");
        return;
    }
    char scope[PK_REGION_CODE_MAX], actor[PK_ACTOR_MAX];
    pk_auth_scope(req->who, scope);
    pk_staff_actor(req->who, actor);

    /* the hits are personal data: request scratch, wiped at its end */
    pk_search_hit *hits = pk_req_scratch(req, PK_SEARCH_MAX * sizeof(*hits));
    if (hits == NULL) {
        busy(app, req, resp);
        return;
    }
    size_t n = 0;
    bool by_nik = false, more = false, searched = q != NULL && q[0] != '\0';
    int rc = 0;
    const char *error = NULL;
    if (searched) {
        rc = pk_staff_search(app, scope, actor, req->route, q, lanjut ? &after : NULL, hits,
                             PK_SEARCH_MAX, &n, &by_nik, &next, &more);
        if (rc == PK_EINVAL) {
            error = "Ketik sedikitnya 3 huruf nama, atau NIK lengkap 16 angka.";
        } else if (rc != 0) {
            busy(app, req, resp);
            return;
        }
    }
    pk_buf *b = &resp->body;
    pk_html_staff_begin(app, req, resp, "Cari peserta", "/peserta");
    pk_buf_adds(b, "<h1>Cari peserta</h1>\n");
    scope_line(app, b, scope);
    if (error != NULL) {
        const char *fields[1] = {"q"}, *msgs[1] = {error};
        pk_html_error_summary(b, fields, msgs, 1);
    }
    /* a NIK is not written back into the page */
    search_form(app, req, resp, searched && !by_nik ? q : NULL, error);
    if (searched && error == NULL) {
        if (n == 0) {
            pk_buf_adds(b, "<p class=\"result\" role=\"status\" data-results=\"0\">Tidak ada "
                           "peserta yang cocok di wilayah kerja Anda.</p>\n");
        } else {
            /* a table on wide screens, one card per person on a phone
             * (style.css: each cell then shows its data-label) */
            pk_buf_printf(b, "<table class=\"results cards\" data-results=\"%zu\"%s>\n<caption>",
                          n, lanjut ? " data-page=\"lanjutan\"" : "");
            /* "12 peserta ditemukan" for one page; a page of many:
             * "50 peserta (halaman lanjutan; ada halaman berikutnya)" */
            pk_html_count(b, (int64_t)n);
            pk_buf_printf(b, " peserta%s%s%s</caption>\n<thead><tr><th scope=\"col\">Nama"
                             "</th><th scope=\"col\">NIK</th><th scope=\"col\">Tanggal lahir"
                             "</th><th scope=\"col\">Kelurahan</th><th scope=\"col\">Kelayakan"
                             "</th></tr></thead>\n<tbody>\n",
                          !lanjut && !more ? " ditemukan" : "",
                          lanjut ? (more ? " (halaman lanjutan; ada halaman berikutnya)"
                                         : " (halaman terakhir)")
                                 : "",
                          !lanjut && more ? " pertama (ada halaman berikutnya)" : "");
            for (size_t i = 0; i < n; i++) {
                pk_buf_printf(b, "<tr data-id=\"%lld\"><td data-label=\"Nama\">"
                                 "<a href=\"/peserta/%lld\">",
                              (long long)hits[i].id, (long long)hits[i].id);
                pk_html_esc(b, hits[i].nama);
                pk_buf_printf(b, "</a></td><td data-label=\"NIK\" data-nik>%s</td>"
                                 "<td data-label=\"Tanggal lahir\">",
                              hits[i].nik_masked);
                long_date(b, hits[i].tanggal_lahir);
                pk_buf_adds(b, "</td><td data-label=\"Kelurahan\">");
                region_name(app, b, hits[i].kode_wilayah);
                pk_buf_printf(b, "</td><td data-label=\"Kelayakan\"><span class=\"verdict %s\">"
                                 "%s</span></td></tr>\n",
                              hits[i].reasons == 0 ? "ok" : "no",
                              hits[i].reasons == 0 ? "Memenuhi syarat" : "Belum memenuhi syarat");
            }
            pk_buf_adds(b, "</tbody>\n</table>\n");
            if (more && !by_nik)
                next_link(b, q, &next);
        }
        if (lanjut != NULL)
            pk_buf_adds(b, "<p><a href=\"/peserta\">Cari dari awal</a></p>\n");
    }
    pk_buf_adds(b, "<p><a href=\"/peserta/baru\">Daftarkan peserta baru</a></p>\n");
    pk_html_staff_finish(resp, error ? 422 : 200);
}

/* ---- /peserta/{id}: one record ----------------------------------------- */

static bool parse_id(const char *s, int64_t *id)
{
    size_t n = strlen(s);
    if (n == 0 || n > 18 || strspn(s, "0123456789") != n)
        return false;
    *id = strtoll(s, NULL, 10);
    return *id > 0;
}

static void item(pk_buf *b, const char *label, const char *value, const char *attr)
{
    pk_buf_printf(b, "<div><dt>%s</dt><dd%s%s>", label, attr ? " " : "", attr ? attr : "");
    pk_html_esc(b, value && value[0] ? value : "-");
    pk_buf_adds(b, "</dd></div>\n");
}

/* A stored UTC timestamp as Jakarta time ("4 Des 2026 20.58 WIB"), the
 * stored value kept for machines in <time datetime>. */
static void item_time(pk_buf *b, const char *label, const char *stored)
{
    char wib[32];
    pk_timestamp_wib(stored, wib);
    pk_buf_printf(b, "<div><dt>%s</dt><dd><time datetime=\"", label);
    pk_html_esc(b, stored);
    pk_buf_adds(b, "\">");
    pk_html_esc(b, wib);
    pk_buf_adds(b, "</time></dd></div>\n");
}

static void card_begin(pk_buf *b, const char *id, const char *title)
{
    pk_buf_printf(b, "<section class=\"card\" aria-labelledby=\"%s\">\n<h2 id=\"%s\">%s</h2>\n"
                     "<dl class=\"facts\">\n",
                  id, id, title);
}

static void card_facts_end(pk_buf *b)
{
    pk_buf_adds(b, "</dl>\n");
}

static void card_end(pk_buf *b)
{
    pk_buf_adds(b, "</section>\n");
}

static void not_found(const pk_app *app, const pk_req *req, pk_resp *resp)
{
    /* the same answer for "no such id" and "outside your region" */
    pk_html_staff_error(app, req, resp, 404, "Peserta tidak ditemukan",
                        "Peserta tersebut tidak ditemukan di wilayah kerja Anda.");
}

void pk_page_participant(const pk_app *app, pk_req *req, pk_resp *resp)
{
    int64_t id;
    if (req->nparams < 1 || !parse_id(req->params[0], &id)) {
        not_found(app, req, resp);
        return;
    }
    pk_form f;
    if (!pk_page_read_form(app, req, resp, &f))
        return;
    bool full = strcmp(req->method, "POST") == 0 && pk_form_get(&f, "tampilkan_nik") != NULL;
    char scope[PK_REGION_CODE_MAX], actor[PK_ACTOR_MAX];
    pk_auth_scope(req->who, scope);
    pk_staff_actor(req->who, actor);
    /* the record and the NIK shown: request scratch, wiped at its end */
    pk_person *p = pk_req_scratch(req, sizeof(*p));
    char *nik = pk_req_scratch(req, 17), *kk = pk_req_scratch(req, 17);
    if (p == NULL || nik == NULL || kk == NULL) {
        busy(app, req, resp);
        return;
    }
    int rc = pk_staff_get(app, scope, id, actor, req->route, full, p);
    if (rc == PK_ENOENT) {
        not_found(app, req, resp);
        return;
    }
    if (rc != 0) {
        busy(app, req, resp);
        return;
    }
    if (full) {
        memcpy(nik, p->p.nik, 17); /* char[17], NUL-terminated */
        memcpy(kk, p->p.no_kk, 17);
    } else {
        pk_nik_mask(p->p.nik, nik);
        pk_nik_mask(p->p.no_kk, kk);
    }
    pk_buf *b = &resp->body;
    pk_html_staff_begin(app, req, resp, "Data peserta", "/peserta");
    pk_buf_adds(b, "<p class=\"back\"><a href=\"/peserta\">&larr; Kembali ke pencarian</a></p>\n"
                   "<h1>");
    pk_html_esc(b, p->p.nama);
    pk_buf_printf(b, "</h1>\n<div class=\"person\" data-id=\"%lld\">\n", (long long)p->id);
    /* the verdict first, with its reasons in plain words */
    pk_buf_printf(b, "<section class=\"card verdict-card %s\" aria-labelledby=\"kelayakan\" "
                     "data-eligible=\"%s\">\n<h2 id=\"kelayakan\">%s</h2>\n",
                  p->reasons == 0 ? "ok" : "no", p->reasons == 0 ? "ya" : "tidak",
                  p->reasons == 0 ? "Memenuhi syarat" : "Belum memenuhi syarat");
    if (p->reasons == 0) {
        pk_buf_adds(b, "<p>Tidak ada alasan yang menghalangi peserta ini.</p>\n");
    } else {
        pk_buf_adds(b, "<p>Alasannya:</p>\n<ul class=\"reasons\">\n");
        for (pk_code c = 0; c < PK_C__COUNT; c++)
            if (p->reasons & PK_CODEBIT(c)) {
                pk_buf_printf(b, "<li data-code=\"%s\">", pk_code_name(c));
                pk_html_esc(b, pk_code_label(c));
                pk_buf_adds(b, "</li>\n");
            }
        pk_buf_adds(b, "</ul>\n");
    }
    pk_buf_adds(b, "</section>\n");

    card_begin(b, "identitas", "Identitas");
    item(b, "Nama", p->p.nama, NULL);
    item(b, "NIK", nik, full ? "data-nik data-full" : "data-nik");
    item(b, "Nomor Kartu Keluarga", kk, "data-kk");
    pk_buf_adds(b, "<div><dt>Tanggal lahir</dt><dd>");
    long_date(b, p->tanggal_lahir);
    pk_buf_adds(b, "</dd></div>\n");
    item(b, "Jenis kelamin", p->p.jenis_kelamin == 'P' ? "Perempuan" : "Laki-laki", NULL);
    card_facts_end(b);
    if (!full) {
        pk_buf_printf(b, "<form method=\"post\" action=\"/peserta/%lld\" class=\"reveal\">\n",
                      (long long)p->id);
        pk_web_csrf_field(app, req, resp);
        pk_buf_adds(b, "<input type=\"hidden\" name=\"tampilkan_nik\" value=\"1\">\n"
                       "<button type=\"submit\" class=\"secondary\">Tampilkan NIK lengkap"
                       "</button>\n<p class=\"small\">Tampilkan hanya bila perlu. Setiap "
                       "tampilan NIK lengkap dicatat dalam log akses.</p>\n</form>\n");
    }
    card_end(b);

    card_begin(b, "kontak", "Kontak dan domisili");
    item(b, "Nomor HP", p->p.no_hp, NULL);
    item(b, "E-mail", p->p.email, NULL);
    item(b, "Alamat", p->p.alamat, NULL);
    pk_buf_printf(b, "<div><dt>Kelurahan</dt><dd data-region=\"%s\">", p->p.kode_wilayah);
    region_name(app, b, p->p.kode_wilayah);
    pk_buf_printf(b, " <span class=\"code\">(%s)</span></dd></div>\n", p->p.kode_wilayah);
    card_facts_end(b);
    card_end(b);

    card_begin(b, "program", "Program");
    const pk_scheme *sc = pk_schemes_find(&app->schemes, p->scheme);
    pk_buf_printf(b, "<div><dt>Skema</dt><dd data-scheme=\"");
    pk_html_esc(b, p->scheme);
    pk_buf_adds(b, "\">");
    pk_html_esc(b, sc ? sc->name : p->scheme);
    pk_buf_adds(b, "</dd></div>\n");
    item(b, "Pendidikan", p->p.pendidikan ? pk_education_label(p->p.pendidikan) : "", NULL);
    item(b, "Status kerja", p->p.segmen ? pk_segment_label(p->p.segmen) : "", NULL);
    item(b, "Pekerjaan", p->p.pekerjaan ? pk_occupation_label(p->p.pekerjaan) : "", NULL);
    item(b, "Sumber pendaftaran", strcmp(p->source, "operator") == 0 ? "Dibantu operator"
                                  : strcmp(p->source, "import") == 0 ? "Berkas impor"
                                                                     : "Portal",
         NULL);
    item_time(b, "Terdaftar", p->created_at);
    item_time(b, "Diperbarui", p->updated_at);
    card_facts_end(b);
    card_end(b);
    pk_page_journey(app, req, b, p->id, scope, actor);
    pk_page_remind_person(app, b, p->id, p->p.kode_wilayah);
    pk_buf_adds(b, "</div>\n");
    pk_html_staff_finish(resp, 200);
}

/* ---- /peserta/baru: assisted registration ------------------------------ */

void pk_page_participant_new(const pk_app *app, pk_req *req, pk_resp *resp)
{
    pk_form f;
    if (!pk_page_read_form(app, req, resp, &f))
        return;
    bool posted = strcmp(req->method, "POST") == 0;
    char scope[PK_REGION_CODE_MAX];
    pk_auth_scope(req->who, scope);
    const char *val[PK_F__COUNT] = {0};
    const char *err[PK_F__COUNT] = {0};
    for (int i = 0; i < PK_F__COUNT; i++)
        val[i] = pk_form_get(&f, pk_field_name((pk_field)i));
    val[PK_F_NIK] = pk_form_id16(req, val[PK_F_NIK]);
    val[PK_F_NO_KK] = pk_form_id16(req, val[PK_F_NO_KK]);
    pk_register_result res;
    memset(&res, 0, sizeof(res));
    int rc = -1;
    if (posted) {
        /* The village must lie inside the operator's region: decided by
         * the registry on the normalised code, before anything is written. */
        pk_participant_input in = {0};
        for (int i = 0; i < PK_F__COUNT; i++)
            if (val[i] != NULL) {
                in.v[i] = val[i];
                in.len[i] = strlen(val[i]);
            }
        char actor[PK_ACTOR_MAX];
        pk_staff_actor(req->who, actor);
        rc = pk_registry_register(app, &in, "operator", actor, scope, &res);
        if (rc == PK_EDENIED)
            err[PK_F_KODE_WILAYAH] = "Kelurahan ini di luar wilayah kerja Anda.";
        else
            pk_register_errors(rc, &res, val, err);
    }
    pk_buf *b = &resp->body;
    pk_html_staff_begin(app, req, resp, "Pendaftaran dibantu", "/peserta/baru");
    if (posted && rc == 0) {
        pk_buf_printf(b, "<section class=\"result ok\" role=\"status\" data-id=\"%lld\">\n"
                         "<h1>Pendaftaran tersimpan</h1>\n<p>Peserta sudah terdaftar ",
                      (long long)res.saved.id);
        pk_buf_adds(b, res.saved.reasons == 0 ? "dan <strong>memenuhi syarat</strong>."
                                              : "tetapi <strong>belum memenuhi syarat</strong>.");
        if (res.saved.reasons != 0) {
            pk_buf_adds(b, "</p>\n<ul class=\"reasons\">\n");
            for (pk_code c = 0; c < PK_C__COUNT; c++)
                if (res.saved.reasons & PK_CODEBIT(c)) {
                    pk_buf_printf(b, "<li data-code=\"%s\">", pk_code_name(c));
                    pk_html_esc(b, pk_code_label(c));
                    pk_buf_adds(b, "</li>\n");
                }
            pk_buf_adds(b, "</ul>\n<p>");
        }
        pk_buf_printf(b, "</p>\n<p><a href=\"/peserta/%lld\">Lihat data peserta</a> · "
                         "<a href=\"/peserta/baru\">Daftarkan peserta lain</a></p>\n</section>\n",
                      (long long)res.saved.id);
        pk_html_staff_finish(resp, 201);
        return;
    }
    pk_buf_adds(b, "<h1>Pendaftaran dibantu</h1>\n<p class=\"lead\">Isi data peserta sesuai "
                   "KTP dan Kartu Keluarga. Hanya kelurahan di wilayah kerja Anda yang dapat "
                   "dipilih.</p>\n");
    scope_line(app, b, scope);
    int status = posted ? pk_register_failure(app, b, rc) : 200;
    pk_register_form(app, req, resp, "/peserta/baru", scope, val, err, "Daftarkan", NULL, NULL);
    pk_html_staff_finish(resp, status);
}
