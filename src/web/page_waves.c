/* page_waves.c -- waves on the staff pages, for admins (routes.c):
 * /admin/gelombang (the list), /admin/gelombang/baru (create: the same
 * rules as `prakerja wave create`, app/wave.c, each error beside its
 * field) and /admin/gelombang/{n} (one wave: instants, quotas, applicants
 * so far, the draw's result and digests once drawn; open and close).
 * The draw itself stays on the command line (`prakerja wave draw`): the
 * page says so, with the command.  Forms carry the CSRF field
 * (page_form.c checks it); writes are audited as the signed-in admin. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/operator.h"
#include "app/wave.h"
#include "core/date.h"
#include "web/html.h"
#include "web/page_form.h"
#include "web/session.h"
#include "web/web.h"

static void busy(const pk_app *app, const pk_req *req, pk_resp *resp)
{
    pk_html_staff_error(app, req, resp, 503, "Layanan sibuk",
                        "Data belum dapat dibaca. Silakan coba lagi sebentar lagi.");
}

static const char *state_label(const char *s)
{
    if (strcmp(s, "belum_dibuka") == 0)
        return "Belum dibuka";
    if (strcmp(s, "dibuka") == 0)
        return "Dibuka";
    if (strcmp(s, "ditutup") == 0)
        return "Ditutup, belum diundi";
    if (strcmp(s, "diundi") == 0)
        return "Sudah diundi";
    return s;
}

/* An instant of the wave's JSON ("2021-09-17T23:59:59+07:00") as staff
 * read it, the machine form kept in <time datetime>. */
static void instant(pk_buf *b, json_t *v)
{
    const char *s = json_string_value(v);
    int64_t t;
    if (s == NULL || pk_instant_parse(s, &t) != 0) {
        pk_buf_adds(b, "-");
        return;
    }
    char wib[32];
    pk_timestamp_format_wib(t, wib);
    pk_buf_printf(b, "<time datetime=\"%s\">%s</time>", s, wib);
}

static void count(pk_buf *b, json_t *v)
{
    pk_html_count(b, json_integer_value(v));
}

/* ---- /admin/gelombang ---------------------------------------------------- */

static int list_row(void *ctx, json_t *w)
{
    pk_buf *b = ctx;
    long long n = (long long)json_integer_value(json_object_get(w, "wave"));
    const char *state = json_string_value(json_object_get(w, "state"));
    pk_buf_printf(b, "<tr data-wave=\"%lld\"><th scope=\"row\" data-label=\"Gelombang\">"
                     "<a href=\"/admin/gelombang/%lld\">Gelombang %lld</a></th>"
                     "<td data-label=\"Skema\">",
                  n, n, n);
    pk_html_esc(b, json_string_value(json_object_get(w, "scheme")));
    pk_buf_adds(b, "</td><td data-label=\"Dibuka\">");
    instant(b, json_object_get(w, "opens"));
    pk_buf_adds(b, "</td><td data-label=\"Ditutup\">");
    instant(b, json_object_get(w, "closes"));
    pk_buf_adds(b, "</td><td data-label=\"Kuota\" data-cell>");
    count(b, json_object_get(w, "quota"));
    pk_buf_printf(b, "</td><td data-label=\"Status\" data-state=\"%s\">%s</td></tr>\n",
                  state ? state : "", state_label(state ? state : ""));
    json_decref(w);
    return 0;
}

void pk_page_waves(const pk_app *app, pk_req *req, pk_resp *resp)
{
    pk_buf rows;
    pk_buf_init(&rows, 4u << 20);
    int rc = pk_wave_list(app, list_row, &rows);
    if (rc != 0 || pk_buf_failed(&rows)) {
        pk_buf_free(&rows);
        busy(app, req, resp);
        return;
    }
    pk_buf *b = &resp->body;
    pk_html_staff_begin(app, req, resp, "Gelombang", "/admin/gelombang");
    pk_buf_adds(b, "<h1>Gelombang</h1>\n<p><a href=\"/admin/gelombang/baru\">Buat gelombang "
                   "baru</a></p>\n");
    if (rows.len == 0) {
        pk_buf_adds(b, "<p data-waves=\"0\">Belum ada gelombang.</p>\n");
    } else {
        pk_buf_adds(b, "<table class=\"results cards\" data-waves>\n<caption>Semua gelombang"
                       "</caption>\n<thead><tr><th scope=\"col\">Gelombang</th>"
                       "<th scope=\"col\">Skema</th><th scope=\"col\">Dibuka</th>"
                       "<th scope=\"col\">Ditutup</th><th scope=\"col\" class=\"num\">Kuota"
                       "</th><th scope=\"col\">Status</th></tr></thead>\n<tbody>\n");
        pk_buf_add(b, rows.data, rows.len);
        pk_buf_adds(b, "</tbody>\n</table>\n");
    }
    pk_buf_adds(b, "<p class=\"small\">Sebuah gelombang dapat juga dikelola dengan perintah "
                   "<code>prakerja wave</code> (create, open, close, list, show, draw, "
                   "verify).</p>\n");
    pk_buf_free(&rows);
    pk_html_staff_finish(resp, 200);
}

/* ---- /admin/gelombang/baru ------------------------------------------------ */

enum { F_NUMBER, F_SCHEME, F_OPENS, F_CLOSES, F_QUOTA, F_REGIONS, F_BALANCE, F__COUNT };
static const char *const field_names[F__COUNT] = {
    "gelombang", "skema", "dibuka", "ditutup", "kuota", "kuota_wilayah", "batas_saldo"};

static const char *field_message(pk_wave_field f, int rc)
{
    switch (f) {
    case PK_WF_NUMBER:
        return rc == PK_ECONFLICT ? "Gelombang dengan nomor ini sudah ada."
                                  : "Nomor gelombang harus bilangan bulat 1 atau lebih.";
    case PK_WF_SCHEME: return "Pilih skema yang ada.";
    case PK_WF_OPENS: return "Waktu dibuka tidak valid. Pilih tanggal dan jam (WIB).";
    case PK_WF_CLOSES:
        return "Waktu ditutup harus tanggal dan jam (WIB) sesudah waktu dibuka.";
    case PK_WF_QUOTA: return "Kuota harus bilangan bulat 0 atau lebih.";
    case PK_WF_BALANCE_UNTIL: return PK_DATE_INVALID_MSG;
    case PK_WF_REGION_QUOTAS:
        return "Tulis KODE=JUMLAH untuk tiap kota/kabupaten, dipisah koma, misalnya "
               "31.71=3000, 31.72=100; setiap kode sekali dan harus kode kota/kabupaten "
               "yang dikenal.";
    default: return NULL;
    }
}

static int field_of(pk_wave_field f)
{
    switch (f) {
    case PK_WF_NUMBER: return F_NUMBER;
    case PK_WF_SCHEME: return F_SCHEME;
    case PK_WF_OPENS: return F_OPENS;
    case PK_WF_CLOSES: return F_CLOSES;
    case PK_WF_QUOTA: return F_QUOTA;
    case PK_WF_REGION_QUOTAS: return F_REGIONS;
    case PK_WF_BALANCE_UNTIL: return F_BALANCE;
    default: return -1;
    }
}

static void wave_form(const pk_app *app, const pk_req *req, pk_resp *resp,
                      const char *const *val, const char *const *err)
{
    pk_buf *b = &resp->body;
    pk_buf_adds(b, "<form method=\"post\" action=\"/admin/gelombang/baru\" novalidate>\n");
    pk_web_csrf_field(app, req, resp);
    pk_html_input(b, "gelombang", "Nomor gelombang", "numeric", val[F_NUMBER], NULL,
                  err[F_NUMBER], true);
    pk_html_select_begin(b, "skema", "Skema", NULL, err[F_SCHEME], true);
    pk_html_opt(b, "", "Pilih skema", val[F_SCHEME] ? val[F_SCHEME] : "");
    for (size_t i = 0; i < app->schemes.count; i++)
        pk_html_opt(b, app->schemes.items[i].id, app->schemes.items[i].name, val[F_SCHEME]);
    pk_html_select_end(b);
    pk_html_input(b, "dibuka", "Dibuka", "datetime-local", val[F_OPENS],
                  "Tanggal dan jam, waktu Jakarta (WIB).", err[F_OPENS], true);
    pk_html_input(b, "ditutup", "Ditutup", "datetime-local", val[F_CLOSES],
                  "Tanggal dan jam, waktu Jakarta (WIB). Pendaftar dibekukan saat gelombang "
                  "ditutup.",
                  err[F_CLOSES], true);
    pk_html_input(b, "kuota", "Kuota seluruhnya", "numeric", val[F_QUOTA],
                  "Jumlah penerima paling banyak.", err[F_QUOTA], true);
    pk_html_input(b, "kuota_wilayah", "Kuota per kota/kabupaten", "text", val[F_REGIONS],
                  "KODE=JUMLAH dipisah koma, misalnya 31.71=3000, 31.72=100.", err[F_REGIONS],
                  false);
    pk_html_input(b, "batas_saldo", "Batas penggunaan saldo", "date", val[F_BALANCE],
                  "Saldo yang belum dipakai hangus sesudah tanggal ini. " PK_DATE_HINT,
                  err[F_BALANCE], false);
    pk_buf_adds(b, "<button type=\"submit\">Buat gelombang</button>\n</form>\n");
}

void pk_page_wave_new(const pk_app *app, pk_req *req, pk_resp *resp)
{
    pk_form f;
    if (!pk_page_read_form(app, req, resp, &f))
        return;
    bool posted = strcmp(req->method, "POST") == 0;
    const char *val[F__COUNT] = {0}, *err[F__COUNT] = {0};
    for (int i = 0; i < F__COUNT; i++) {
        val[i] = pk_form_get(&f, field_names[i]);
        if (val[i] != NULL && val[i][0] == '\0')
            val[i] = NULL;
    }
    int status = 200;
    if (posted) {
        static const char *const empty[F__COUNT] = {
            "Nomor gelombang wajib diisi.", "Pilih skema.", "Waktu dibuka wajib diisi.",
            "Waktu ditutup wajib diisi.", "Kuota wajib diisi.", NULL, NULL};
        bool missing = false;
        for (int i = 0; i < F__COUNT; i++)
            if (val[i] == NULL && empty[i] != NULL) {
                err[i] = empty[i];
                missing = true;
            }
        if (!missing) {
            /* the same validation as the command line: app/wave.c */
            pk_wave_input in = {.number = val[F_NUMBER], .scheme = val[F_SCHEME],
                                .opens = pk_form_wib_instant(req, val[F_OPENS]),
                                .closes = pk_form_wib_instant(req, val[F_CLOSES]),
                                .quota = pk_form_count(req, val[F_QUOTA]),
                                .balance_until = val[F_BALANCE]};
            char *rq = val[F_REGIONS] ? pk_req_scratch(req, strlen(val[F_REGIONS]) + 1) : NULL;
            bool too_many = false;
            if (rq != NULL) {
                memcpy(rq, val[F_REGIONS], strlen(val[F_REGIONS]) + 1);
                for (char *save = NULL, *t = strtok_r(rq, ", \t\r\n;", &save); t != NULL;
                     t = strtok_r(NULL, ", \t\r\n;", &save)) {
                    if (in.n_region_quotas == PK_WAVE_REGION_QUOTAS_MAX) {
                        too_many = true;
                        break;
                    }
                    in.region_quotas[in.n_region_quotas++] = t;
                }
            }
            char msg[256], actor[PK_ACTOR_MAX];
            pk_staff_actor(req->who, actor);
            pk_wave_field wf = PK_WF_NONE;
            int rc = too_many ? PK_EINVAL
                              : pk_wave_create_at(app, &in, actor, &wf, msg, sizeof(msg));
            if (too_many)
                wf = PK_WF_REGION_QUOTAS;
            if (rc == 0) {
                char loc[64];
                snprintf(loc, sizeof(loc), "/admin/gelombang/%lld",
                         strtoll(val[F_NUMBER], NULL, 10));
                pk_resp_header(resp, "Location", loc);
                pk_html_staff_error(app, req, resp, 303, "Gelombang dibuat",
                                    "Gelombang sudah dibuat.");
                return;
            }
            int at = field_of(wf);
            if ((rc == PK_EINVAL || rc == PK_ECONFLICT) && at >= 0) {
                err[at] = field_message(wf, rc);
                status = rc == PK_ECONFLICT ? 409 : 422;
            } else {
                busy(app, req, resp);
                return;
            }
        } else {
            status = 422;
        }
    }
    pk_buf *b = &resp->body;
    pk_html_staff_begin(app, req, resp, "Buat gelombang", "/admin/gelombang");
    pk_buf_adds(b, "<p class=\"back\"><a href=\"/admin/gelombang\">&larr; Semua gelombang"
                   "</a></p>\n<h1>Buat gelombang</h1>\n");
    pk_html_error_summary(b, field_names, err, F__COUNT);
    wave_form(app, req, resp, val, err);
    pk_html_staff_finish(resp, status);
}

/* ---- /admin/gelombang/{n} -------------------------------------------------- */

static void fact(pk_buf *b, const char *label, const char *attr)
{
    pk_buf_printf(b, "<div><dt>%s</dt><dd%s%s>", label, attr ? " " : "", attr ? attr : "");
}

static void draw_section(pk_buf *b, json_t *d, int64_t number, const char *state)
{
    pk_buf_adds(b, "<section class=\"card\" aria-labelledby=\"undian\" data-draw>\n"
                   "<h2 id=\"undian\">Pengundian</h2>\n");
    if (!json_is_object(d)) {
        pk_buf_printf(b, "<p data-drawn=\"tidak\">Belum diundi. Pengundian dijalankan petugas "
                         "lewat baris perintah, dengan benih (seed) yang diumumkan:</p>\n"
                         "<pre><code>prakerja wave draw --wave %lld --seed HEX</code></pre>\n",
                      (long long)number);
        if (strcmp(state, "dibuka") == 0 || strcmp(state, "belum_dibuka") == 0)
            pk_buf_adds(b, "<p class=\"small\">Gelombang harus ditutup dulu.</p>\n");
        pk_buf_adds(b, "</section>\n");
        return;
    }
    pk_buf_adds(b, "<dl class=\"facts\" data-drawn=\"ya\">\n");
    fact(b, "Diundi", NULL);
    instant(b, json_object_get(d, "drawn_at"));
    pk_buf_adds(b, "</dd></div>\n");
    static const struct {
        const char *key, *label;
    } counts[] = {{"applicants", "Pendaftar"},
                  {"eligible", "Memenuhi syarat"},
                  {"selected", "Lolos"},
                  {"not_selected", "Tidak lolos"}};
    for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
        char attr[48];
        snprintf(attr, sizeof(attr), "data-count=\"%s\"", counts[i].key);
        fact(b, counts[i].label, attr);
        count(b, json_object_get(d, counts[i].key));
        pk_buf_adds(b, "</dd></div>\n");
    }
    static const struct {
        const char *key, *label;
    } digests[] = {{"seed", "Benih (seed)"},
                   {"snapshot_sha256", "SHA-256 daftar pendaftar"},
                   {"result_sha256", "SHA-256 hasil"}};
    for (size_t i = 0; i < sizeof(digests) / sizeof(digests[0]); i++) {
        char attr[48];
        snprintf(attr, sizeof(attr), "data-digest=\"%s\"", digests[i].key);
        fact(b, digests[i].label, attr);
        pk_buf_adds(b, "<code class=\"digest\">");
        pk_html_esc(b, json_string_value(json_object_get(d, digests[i].key)));
        pk_buf_adds(b, "</code></dd></div>\n");
    }
    pk_buf_adds(b, "</dl>\n");
    json_t *reasons = json_object_get(d, "reasons");
    if (json_object_size(reasons) > 0) {
        pk_buf_adds(b, "<table class=\"stats\" data-group=\"alasan\">\n<caption>Alasan tidak "
                       "lolos</caption>\n<thead><tr><th scope=\"col\">Alasan</th>"
                       "<th scope=\"col\" class=\"num\">Jumlah</th></tr></thead>\n<tbody>\n");
        const char *k;
        json_t *v;
        json_object_foreach(reasons, k, v) {
            pk_code c = pk_code_by_name(k);
            pk_buf_printf(b, "<tr data-code=\"");
            pk_html_esc(b, k);
            pk_buf_adds(b, "\"><th scope=\"row\">");
            pk_html_esc(b, c < PK_C__COUNT ? pk_code_label(c) : k);
            pk_buf_adds(b, "</th><td data-count>");
            count(b, v);
            pk_buf_adds(b, "</td></tr>\n");
        }
        pk_buf_adds(b, "</tbody>\n</table>\n");
    }
    pk_buf_printf(b, "<p class=\"small\">Siapa pun dapat memeriksa ulang pengundian ini: "
                     "<code>prakerja wave verify --wave %lld</code>, atau "
                     "<code>tools/verify_draw.py</code> dengan berkas "
                     "<code>prakerja export selection --wave %lld</code> dan benihnya "
                     "(docs/DRAW.md).</p>\n</section>\n",
                  (long long)number, (long long)number);
}

void pk_page_wave(const pk_app *app, pk_req *req, pk_resp *resp)
{
    int64_t number;
    if (req->nparams < 1 || !pk_form_positive(req->params[0], &number)) {
        pk_html_staff_error(app, req, resp, 404, "Gelombang tidak ditemukan",
                            "Gelombang tersebut tidak ada.");
        return;
    }
    pk_form f;
    if (!pk_page_read_form(app, req, resp, &f))
        return;
    const char *notice = NULL, *problem = NULL;
    int status = 200;
    if (strcmp(req->method, "POST") == 0) {
        const char *aksi = pk_form_get(&f, "aksi");
        bool open = aksi != NULL && strcmp(aksi, "buka") == 0;
        if (aksi == NULL || (!open && strcmp(aksi, "tutup") != 0)) {
            pk_html_staff_error(app, req, resp, 400, "Permintaan tidak valid",
                                "Pilih membuka atau menutup gelombang.");
            return;
        }
        char actor[PK_ACTOR_MAX], msg[256];
        pk_staff_actor(req->who, actor);
        bool changed = false;
        int rc = pk_wave_set_open(app, number, open, actor, &changed, msg, sizeof(msg));
        if (rc == PK_ENOENT) {
            pk_html_staff_error(app, req, resp, 404, "Gelombang tidak ditemukan",
                                "Gelombang tersebut tidak ada.");
            return;
        }
        if (rc == PK_EDENIED) {
            problem = open ? "Gelombang ini tidak dapat dibuka lagi: sudah diundi, atau waktu "
                             "tutupnya sudah lewat."
                           : "Gelombang yang sudah diundi tidak dapat diubah.";
            status = 409;
        } else if (rc != 0) {
            busy(app, req, resp);
            return;
        } else {
            notice = !changed ? (open ? "Gelombang memang sudah dibuka."
                                      : "Gelombang memang sudah ditutup.")
                     : open   ? "Gelombang dibuka kembali."
                              : "Gelombang ditutup: pendaftarnya kini tetap.";
        }
    }
    json_t *w = NULL;
    int64_t applicants = 0;
    int rc = pk_wave_show(app, number, &w);
    if (rc == PK_ENOENT) {
        pk_html_staff_error(app, req, resp, 404, "Gelombang tidak ditemukan",
                            "Gelombang tersebut tidak ada.");
        return;
    }
    if (rc != 0 || pk_wave_applicants_count(app, number, &applicants) != 0) {
        json_decref(w);
        busy(app, req, resp);
        return;
    }
    const char *state = json_string_value(json_object_get(w, "state"));
    if (state == NULL)
        state = "";
    pk_buf *b = &resp->body;
    char title[48];
    snprintf(title, sizeof(title), "Gelombang %lld", (long long)number);
    pk_html_staff_begin(app, req, resp, title, "/admin/gelombang");
    pk_buf_printf(b, "<p class=\"back\"><a href=\"/admin/gelombang\">&larr; Semua gelombang"
                     "</a></p>\n<h1>%s</h1>\n",
                  title);
    if (notice)
        pk_buf_printf(b, "<p class=\"result ok\" role=\"status\">%s</p>\n", notice);
    if (problem)
        pk_buf_printf(b, "<p class=\"result no\" role=\"alert\">%s</p>\n", problem);
    pk_buf_printf(b, "<section class=\"card\" aria-labelledby=\"ringkas\" data-wave=\"%lld\">\n"
                     "<h2 id=\"ringkas\">Ringkasan</h2>\n<dl class=\"facts\">\n",
                  (long long)number);
    char attr[64];
    snprintf(attr, sizeof(attr), "data-state=\"%s\"", state);
    fact(b, "Status", attr);
    pk_buf_printf(b, "%s</dd></div>\n", state_label(state));
    const char *sid = json_string_value(json_object_get(w, "scheme"));
    const pk_scheme *sc = sid ? pk_schemes_find(&app->schemes, sid) : NULL;
    fact(b, "Skema", NULL);
    pk_html_esc(b, sc ? sc->name : sid);
    pk_buf_adds(b, "</dd></div>\n");
    fact(b, "Dibuka", NULL);
    instant(b, json_object_get(w, "opens"));
    pk_buf_adds(b, "</dd></div>\n");
    fact(b, "Ditutup", NULL);
    instant(b, json_object_get(w, "closes"));
    pk_buf_adds(b, "</dd></div>\n");
    fact(b, "Batas penggunaan saldo", NULL);
    const char *bu = json_string_value(json_object_get(w, "balance_until"));
    pk_date d;
    if (bu && pk_date_parse(bu, strlen(bu), &d) == 0) {
        char s[32];
        pk_date_format_long(d, s);
        pk_buf_adds(b, s);
    } else {
        pk_buf_adds(b, "Tidak ada");
    }
    pk_buf_adds(b, "</dd></div>\n");
    fact(b, "Kuota seluruhnya", "data-count=\"quota\"");
    count(b, json_object_get(w, "quota"));
    pk_buf_adds(b, "</dd></div>\n");
    fact(b, "Pendaftar sejauh ini", "data-count=\"applicants\"");
    pk_html_count(b, applicants);
    pk_buf_adds(b, "</dd></div>\n</dl>\n");
    json_t *q = json_object_get(w, "quota_regions");
    if (json_object_size(q) > 0) {
        pk_buf_adds(b, "<table class=\"stats\" data-group=\"kuota_wilayah\">\n<caption>Kuota "
                       "per kota/kabupaten</caption>\n<thead><tr><th scope=\"col\">Wilayah</th>"
                       "<th scope=\"col\" class=\"num\">Kuota</th></tr></thead>\n<tbody>\n");
        const char *k;
        json_t *v;
        json_object_foreach(q, k, v) {
            pk_buf_adds(b, "<tr data-region=\"");
            pk_html_esc(b, k);
            pk_buf_adds(b, "\"><th scope=\"row\">");
            pk_html_region_name(app, b, k, k);
            pk_buf_adds(b, "</th><td data-count>");
            count(b, v);
            pk_buf_adds(b, "</td></tr>\n");
        }
        pk_buf_adds(b, "</tbody>\n</table>\n");
    }
    const char *closes = json_string_value(json_object_get(w, "closes"));
    int64_t closes_at = 0;
    bool passed = closes == NULL || pk_instant_parse(closes, &closes_at) != 0 ||
                  closes_at <= (int64_t)time(NULL);
    bool open = strcmp(state, "dibuka") == 0 || strcmp(state, "belum_dibuka") == 0;
    if (strcmp(state, "diundi") != 0 && (open || !passed)) {
        pk_buf_printf(b, "<form method=\"post\" action=\"/admin/gelombang/%lld\">\n",
                      (long long)number);
        pk_web_csrf_field(app, req, resp);
        pk_buf_printf(b, "<input type=\"hidden\" name=\"aksi\" value=\"%s\">\n"
                         "<button type=\"submit\" class=\"secondary\">%s</button>\n</form>\n",
                      open ? "tutup" : "buka", open ? "Tutup gelombang" : "Buka kembali");
    }
    pk_buf_adds(b, "</section>\n");
    draw_section(b, json_object_get(w, "draw"), number, state);
    json_decref(w);
    pk_html_staff_finish(resp, status);
}
