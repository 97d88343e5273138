/* page_register.c -- self-registration on the portal: one form, errors
 * beside their fields with what was typed kept, the village chosen from
 * the region table, and a result page that says what happens next.  It
 * calls the same use case as POST /api/v1/participants. */
#include <string.h>

#include "app/registry.h"
#include "web/html.h"
#include "web/page_form.h"
#include "web/page_register.h"
#include "web/session.h"
#include "web/web.h"

/* The villages of the service area, grouped by city and district, so a
 * plain <select> works without JavaScript (267 villages for Jakarta). */
static bool any_village_within(const pk_app *app, const char *district, const char *scope)
{
    const pk_region *villages;
    size_t nv = pk_regions_children(app->regions, district, &villages);
    for (size_t v = 0; v < nv; v++)
        if (pk_auth_region_within(scope, villages[v].code))
            return true;
    return false;
}

static void village_select(const pk_app *app, pk_buf *b, const char *selected, const char *err,
                           const char *scope)
{
    pk_html_select_begin(b, "kode_wilayah", "Kelurahan domisili",
                         "Kelurahan tempat Anda tinggal sekarang.", err, true);
    pk_html_opt(b, "", "Pilih kelurahan", selected);
    const pk_region *cities, *districts, *villages;
    size_t nc = pk_regions_children(app->regions, app->cfg.service_province, &cities);
    for (size_t c = 0; c < nc; c++) {
        size_t nd = pk_regions_children(app->regions, cities[c].code, &districts);
        for (size_t d = 0; d < nd; d++) {
            if (!any_village_within(app, districts[d].code, scope))
                continue;
            char label[256];
            snprintf(label, sizeof(label), "%s, Kec. %s", cities[c].name, districts[d].name);
            pk_html_optgroup(b, label);
            size_t nv = pk_regions_children(app->regions, districts[d].code, &villages);
            for (size_t v = 0; v < nv; v++)
                if (pk_auth_region_within(scope, villages[v].code))
                    pk_html_opt(b, villages[v].code, villages[v].name, selected);
            pk_html_optgroup_end(b);
        }
    }
    pk_html_select_end(b);
}

static void enum_select(pk_buf *b, const char *name, const char *label, int count,
                        const char *(*value)(int), const char *(*text)(int), const char *sel,
                        const char *err, bool required)
{
    pk_html_select_begin(b, name, label, NULL, err, required);
    pk_html_opt(b, "", "Pilih", sel);
    for (int i = 1; i < count; i++)
        pk_html_opt(b, value(i), text(i), sel);
    pk_html_select_end(b);
}

static const char *edu_v(int i) { return pk_education_name((pk_education)i); }
static const char *edu_t(int i) { return pk_education_label((pk_education)i); }
static const char *seg_v(int i) { return pk_segment_name((pk_segment)i); }
static const char *seg_t(int i) { return pk_segment_label((pk_segment)i); }
static const char *job_v(int i) { return pk_occupation_name((pk_occupation)i); }
static const char *job_t(int i) { return pk_occupation_label((pk_occupation)i); }
static const char *sex_v(int i) { return i == 1 ? "L" : "P"; }
static const char *sex_t(int i) { return i == 1 ? "Laki-laki" : "Perempuan"; }

static void success(pk_buf *b, const pk_register_result *res)
{
    bool ok = res->saved.reasons == 0;
    pk_buf_adds(b, "<section class=\"result ok\" role=\"status\">\n<h1>Pendaftaran "
                   "tersimpan</h1>\n<p>Data Anda sudah kami terima.</p>\n");
    if (!ok) {
        pk_buf_adds(b, "<p>Menurut data yang Anda isi, Anda <strong>belum memenuhi "
                       "syarat</strong> untuk skema saat ini:</p>\n<ul>\n");
        for (pk_code c = 0; c < PK_C__COUNT; c++)
            if (res->saved.reasons & PK_CODEBIT(c)) {
                pk_buf_printf(b, "<li data-code=\"%s\">", pk_code_name(c));
                pk_html_esc(b, pk_code_message(c));
                pk_buf_adds(b, "</li>\n");
            }
        pk_buf_adds(b, "</ul>\n<p>Jika menurut Anda ada data yang keliru, hubungi petugas "
                       "kelurahan atau layanan pengaduan.</p>\n");
    }
    pk_buf_adds(b, "<h2>Langkah berikutnya</h2>\n<ol class=\"steps\">\n"
                   "<li>Verifikasi nomor HP Anda dengan kode 6 angka yang dikirim lewat SMS.</li>\n"
                   "<li>Ikuti tes motivasi dan kemampuan dasar.</li>\n"
                   "<li>Gabung gelombang, lalu tunggu hasil seleksi setelah gelombang ditutup.</li>\n"
                   "</ol>\n<p>Pendaftaran tidak dipungut biaya. Jangan berikan kode SMS atau "
                   "data Anda kepada siapa pun.</p>\n</section>\n");
}

void pk_register_errors(int rc, const pk_register_result *res, const char *err[PK_F__COUNT])
{
    if (rc == PK_EINVAL) {
        for (pk_code c = 0; c < PK_C__COUNT; c++) {
            const char *field = pk_code_field(c);
            pk_field fi = field ? pk_field_by_name(field, strlen(field)) : PK_F__COUNT;
            if ((res->v.errors & PK_CODEBIT(c)) && fi != PK_F__COUNT && err[fi] == NULL)
                err[fi] = pk_code_message(c);
        }
        for (int i = 0; i < PK_F__COUNT; i++) /* bad bytes name no field by code */
            if ((res->v.bad_fields & (1u << i)) && err[i] == NULL)
                err[i] = "Isian memuat karakter yang tidak diizinkan.";
    } else if (rc == PK_ECONFLICT && err[PK_F_NIK] == NULL) {
        err[PK_F_NIK] = "NIK ini sudah terdaftar. Jika Anda merasa belum pernah mendaftar, "
                        "hubungi layanan pengaduan.";
    }
}

int pk_register_failure(const pk_app *app, pk_buf *b, int rc)
{
    if (rc == PK_EINVAL || rc == PK_EDENIED)
        return 422;
    if (rc == PK_ECONFLICT)
        return 409;
    bool full = pk_web_disk_full(app, rc);
    pk_buf_adds(b, "<div class=\"error-summary\" role=\"alert\"><h2>Pendaftaran belum "
                   "tersimpan</h2><p>");
    pk_buf_adds(b, full ? PK_MSG_DISK_FULL
                        : "Terjadi gangguan. Silakan kirim ulang formulir sebentar lagi.");
    pk_buf_adds(b, "</p></div>\n");
    return full ? 507 : 503;
}

void pk_register_form(const pk_app *app, const pk_req *req, pk_resp *resp, const char *action,
                      const char *scope, const char *const val[PK_F__COUNT],
                      const char *const err[PK_F__COUNT], const char *submit)
{
    pk_buf *b = &resp->body;
    const char *fields[PK_F__COUNT], *msgs[PK_F__COUNT];
    size_t n = 0;
    for (int i = 0; i < PK_F__COUNT; i++)
        if (err[i]) {
            fields[n] = pk_field_name((pk_field)i);
            msgs[n++] = err[i];
        }
    pk_html_error_summary(b, fields, msgs, n);

    pk_buf_adds(b, "<form method=\"post\" action=\"");
    pk_html_esc(b, action);
    pk_buf_adds(b, "\" novalidate>\n");
    pk_web_csrf_field(app, req, resp);
    pk_buf_adds(b, "<fieldset><legend>Identitas</legend>\n");
    pk_html_input(b, "nik", "NIK", "numeric", val[PK_F_NIK], "16 angka seperti di KTP.",
                  err[PK_F_NIK], true);
    pk_html_input(b, "no_kk", "Nomor Kartu Keluarga", "numeric", val[PK_F_NO_KK],
                  "16 angka seperti di Kartu Keluarga.", err[PK_F_NO_KK], true);
    pk_html_input(b, "nama", "Nama lengkap", "text", val[PK_F_NAMA], "Sesuai KTP.",
                  err[PK_F_NAMA], true);
    pk_html_input(b, "tanggal_lahir", "Tanggal lahir", "date", val[PK_F_TANGGAL_LAHIR],
                  "Tahun-bulan-tanggal, misalnya 1995-08-17.", err[PK_F_TANGGAL_LAHIR], true);
    enum_select(b, "jenis_kelamin", "Jenis kelamin", 3, sex_v, sex_t, val[PK_F_JENIS_KELAMIN],
                err[PK_F_JENIS_KELAMIN], true);
    pk_buf_adds(b, "</fieldset>\n<fieldset><legend>Kontak dan domisili</legend>\n");
    pk_html_input(b, "no_hp", "Nomor HP", "tel", val[PK_F_NO_HP], "Misalnya 0812 3456 7890.",
                  err[PK_F_NO_HP], true);
    pk_html_input(b, "email", "E-mail", "email", val[PK_F_EMAIL], NULL, err[PK_F_EMAIL], false);
    village_select(app, b, val[PK_F_KODE_WILAYAH], err[PK_F_KODE_WILAYAH], scope);
    pk_html_input(b, "alamat", "Alamat sesuai KTP", "text", val[PK_F_ALAMAT], NULL,
                  err[PK_F_ALAMAT], false);
    pk_buf_adds(b, "</fieldset>\n<fieldset><legend>Pendidikan dan pekerjaan</legend>\n");
    enum_select(b, "pendidikan", "Pendidikan terakhir", PK_EDU__COUNT, edu_v, edu_t,
                val[PK_F_PENDIDIKAN], err[PK_F_PENDIDIKAN], false);
    enum_select(b, "segmen", "Status kerja", PK_SEG__COUNT, seg_v, seg_t, val[PK_F_SEGMEN],
                err[PK_F_SEGMEN], true);
    enum_select(b, "pekerjaan", "Pekerjaan saat ini", PK_JOB__COUNT, job_v, job_t,
                val[PK_F_PEKERJAAN], err[PK_F_PEKERJAAN], false);
    pk_buf_adds(b, "</fieldset>\n<button type=\"submit\">");
    pk_html_esc(b, submit);
    pk_buf_adds(b, "</button>\n</form>\n");
}

void pk_page_register(const pk_app *app, pk_req *req, pk_resp *resp)
{
    pk_form f;
    if (!pk_page_read_form(app, req, resp, &f))
        return;
    bool posted = strcmp(req->method, "POST") == 0;
    const char *val[PK_F__COUNT] = {0};
    const char *err[PK_F__COUNT] = {0};
    for (int i = 0; i < PK_F__COUNT; i++)
        val[i] = pk_form_get(&f, pk_field_name((pk_field)i));
    pk_register_result res;
    int rc = -1;
    if (posted) {
        pk_participant_input in = {0};
        for (int i = 0; i < PK_F__COUNT; i++)
            if (val[i] != NULL) {
                in.v[i] = val[i];
                in.len[i] = strlen(val[i]);
            }
        rc = pk_registry_register(app, &in, "portal", PK_ACTOR_PUBLIC, NULL, &res);
        pk_register_errors(rc, &res, err);
    }

    pk_buf *b = &resp->body;
    pk_html_begin(b, "Daftar", "/daftar");
    if (posted && rc == 0) {
        success(b, &res);
        pk_html_finish(resp, 201, false);
        return;
    }
    pk_buf_adds(b, "<h1>Daftar Kartu Prakerja</h1>\n<p class=\"lead\">Isi data sesuai KTP dan "
                   "Kartu Keluarga. Data pribadi Anda disimpan terenkripsi dan hanya dipakai "
                   "untuk program ini.</p>\n");
    int status = posted ? pk_register_failure(app, b, rc) : 200;
    pk_register_form(app, req, resp, "/daftar", NULL, val, err, "Daftar");
    /* never cached: the form carries this browser's CSRF token */
    pk_html_finish(resp, status, false);
}
