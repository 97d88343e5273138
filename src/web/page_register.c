/* page_register.c -- self-registration on the portal: one form, errors
 * beside their fields with what was typed kept, the village chosen from
 * the region table; after a registration a redirect to the receipt
 * (/daftar/selesai: reference, verdict with reasons, what to do next).  It
 * calls the same use case as POST /api/v1/participants. */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "core/ident.h"

#include <time.h>

#include "app/outreach.h"
#include "app/receipt.h"
#include "app/registry.h"
#include "core/date.h"
#include "core/eligibility.h"
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

void pk_village_select(const pk_app *app, pk_buf *b, const char *label, const char *hint,
                       const char *selected, const char *err, const char *scope)
{
    pk_html_select_begin(b, "kode_wilayah", label, hint, err, true);
    pk_html_opt(b, "", "Pilih kelurahan", selected);
    const pk_region *cities, *districts, *villages;
    size_t nc = pk_regions_children(app->regions, app->cfg.service_province, &cities);
    for (size_t c = 0; c < nc; c++) {
        size_t nd = pk_regions_children(app->regions, cities[c].code, &districts);
        for (size_t d = 0; d < nd; d++) {
            if (!any_village_within(app, districts[d].code, scope))
                continue;
            char city[128], district[128], group[300];
            pk_region_title(cities[c].name, city, sizeof(city));
            pk_region_title(districts[d].name, district, sizeof(district));
            snprintf(group, sizeof(group), "%s, Kec. %s", city, district);
            pk_html_optgroup(b, group);
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

/* How long the receipt of a registration can be shown again (a refresh
 * of /daftar/selesai), seconds. */
#define RECEIPT_TTL 900

/* The receipt: the reference, the verdict on what the person typed (age,
 * occupation) with its reasons, what to do next.  Reasons from the
 * registry's own knowledge (exclusion lists, the family card's other
 * members) are left out, as on the status look-up: whoever types
 * someone else's NIK must not learn them (docs/PRIVACY.md). */
static void receipt_page(const pk_app *app, pk_buf *b, const pk_receipt *r)
{
    const pk_scheme *s = pk_schemes_find(&app->schemes, r->scheme);
    bool ok = (r->reasons & PK_REASONS_OWN) == 0;
    pk_buf_printf(b, "<h1>Pendaftaran tersimpan</h1>\n<section class=\"result %s\" "
                     "role=\"status\" data-eligible=\"%s\">\n<p>Nomor pendaftaran Anda:</p>\n"
                     "<p class=\"reference\" data-reference>%s</p>\n<p>Catat atau simpan "
                     "nomor ini. Untuk melihat status pendaftaran, Anda cukup memasukkan NIK "
                     "dan tanggal lahir di halaman <a href=\"/cek-status\">Cek Status</a>.</p>\n",
                  ok ? "ok" : "no", ok ? "ya" : "tidak", r->reference);
    pk_buf_printf(b, "<h2>%s</h2>\n", ok ? "Anda memenuhi syarat usia dan pekerjaan"
                                         : "Anda belum memenuhi syarat");
    pk_buf_adds(b, "<p>Menurut data yang Anda isi");
    if (s) {
        pk_buf_adds(b, " dan aturan <strong>");
        pk_html_esc(b, s->name);
        pk_buf_adds(b, "</strong>");
    }
    if (ok) {
        pk_buf_adds(b, ", usia dan pekerjaan Anda memenuhi syarat peserta.</p>\n");
    } else {
        pk_buf_adds(b, ", Anda belum memenuhi syarat karena:</p>\n<ul>\n");
        for (pk_code c = 0; c < PK_C__COUNT; c++)
            if (r->reasons & PK_REASONS_OWN & PK_CODEBIT(c)) {
                char why[256];
                pk_buf_printf(b, "<li data-code=\"%s\">", pk_code_name(c));
                pk_html_esc(b, pk_eligibility_reason(c, s, why, sizeof(why)));
                pk_buf_adds(b, "</li>\n");
            }
        pk_buf_adds(b, "</ul>\n<p>Data Anda tetap tersimpan. Jika menurut Anda ada data yang "
                       "keliru: ");
        pk_html_esc(b, app->cfg.complaints_contact);
        pk_buf_adds(b, "</p>\n");
    }
    pk_buf_adds(b, "<p>Hasil akhir ditentukan saat seleksi, setelah data Anda diperiksa "
                   "terhadap daftar penerima program lain dan kuota per Kartu Keluarga. Hasil "
                   "pemeriksaan itu tidak ditampilkan di halaman ini, demi melindungi data "
                   "Anda.</p>\n</section>\n");
    pk_buf_adds(b, "<h2>Langkah berikutnya</h2>\n<ol class=\"steps\">\n"
                   "<li>Simpan nomor pendaftaran di atas.</li>\n"
                   "<li data-phone-verified=\"tidak\">Nomor HP Anda belum terverifikasi. "
                   "<a href=\"/akun/verifikasi-hp\">Verifikasi nomor HP</a>: kami mengirim "
                   "kode ke nomor itu lewat WhatsApp atau SMS, lalu Anda masuk ke "
                   "<a href=\"/akun\">Akun saya</a>.</li>\n"
                   "<li>Terdaftar saja belum cukup: di <a href=\"/akun\">Akun saya</a>, "
                   "ikuti gelombang yang sedang dibuka sebelum ditutup. Peserta dipilih dari "
                   "orang yang ikut gelombang.</li>\n"
                   "<li>Periksa status pendaftaran Anda kapan saja di halaman "
                   "<a href=\"/cek-status\">Cek Status</a> dengan NIK dan tanggal lahir.</li>\n"
                   "<li>Pelajari <a href=\"/linimasa\">linimasa manfaat</a>: kapan pelatihan "
                   "harus dibeli dan kapan insentif cair setelah Anda lolos seleksi.</li>\n"
                   "</ol>\n<p>Pendaftaran tidak dipungut biaya. Layanan ini tidak pernah "
                   "meminta kode, kata sandi, atau uang lewat telepon, SMS, atau pesan "
                   "singkat: kode dari kami hanya Anda ketik sendiri di situs ini.</p>\n<p><a href=\"/\">Kembali ke beranda</a></p>\n");
}

static bool blank(const char *v)
{
    size_t n = v ? strlen(v) : 0;
    if (v)
        pk_trim(v, &n);
    return n == 0;
}

void pk_register_errors(int rc, const pk_register_result *res, const char *const val[PK_F__COUNT],
                        const char *err[PK_F__COUNT])
{
    if (rc == PK_EINVAL) {
        for (pk_code c = 0; c < PK_C__COUNT; c++) {
            const char *field = pk_code_field(c);
            pk_field fi = field ? pk_field_by_name(field, strlen(field)) : PK_F__COUNT;
            if ((res->v.errors & PK_CODEBIT(c)) && fi != PK_F__COUNT && err[fi] == NULL)
                err[fi] = pk_form_field_message(fi, c, blank(val[fi]));
        }
        for (int i = 0; i < PK_F__COUNT; i++) /* bad bytes name no field by code */
            if ((res->v.bad_fields & (1u << i)) && err[i] == NULL)
                err[i] = "Isian memuat karakter yang tidak diizinkan.";
    } else if (rc == PK_ECONFLICT && err[PK_F_NIK] == NULL) {
        err[PK_F_NIK] = "NIK ini sudah terdaftar.";
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
                      const char *const err[PK_F__COUNT], const char *submit,
                      const char *event, const char *confirm)
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
    if (event != NULL) {
        pk_buf_adds(b, "<input type=\"hidden\" name=\"acara\" value=\"");
        pk_html_esc(b, event);
        pk_buf_adds(b, "\">\n");
    }
    pk_buf_adds(b, "<fieldset><legend>Identitas</legend>\n");
    pk_html_input(b, "nik", "NIK", "numeric", val[PK_F_NIK], "16 angka seperti di KTP.",
                  err[PK_F_NIK], true);
    pk_html_input(b, "no_kk", "Nomor Kartu Keluarga", "numeric", val[PK_F_NO_KK],
                  "16 angka seperti di Kartu Keluarga.", err[PK_F_NO_KK], true);
    pk_html_input(b, "nama", "Nama lengkap", "text", val[PK_F_NAMA], "Sesuai KTP.",
                  err[PK_F_NAMA], true);
    pk_html_input(b, "tanggal_lahir", "Tanggal lahir", "date", val[PK_F_TANGGAL_LAHIR],
                  PK_DATE_HINT, err[PK_F_TANGGAL_LAHIR], true);
    enum_select(b, "jenis_kelamin", "Jenis kelamin", 3, sex_v, sex_t, val[PK_F_JENIS_KELAMIN],
                err[PK_F_JENIS_KELAMIN], true);
    pk_buf_adds(b, "</fieldset>\n<fieldset><legend>Kontak dan domisili</legend>\n");
    pk_html_input(b, "no_hp", "Nomor HP", "tel", val[PK_F_NO_HP], "Misalnya 0812 3456 7890.",
                  err[PK_F_NO_HP], true);
    pk_html_input(b, "email", "E-mail", "email", val[PK_F_EMAIL], NULL, err[PK_F_EMAIL], false);
    pk_village_select(app, b, "Kelurahan domisili", "Kelurahan tempat Anda tinggal sekarang.",
                      val[PK_F_KODE_WILAYAH], err[PK_F_KODE_WILAYAH], scope);
    pk_html_input(b, "alamat", "Alamat sesuai KTP", "text", val[PK_F_ALAMAT], NULL,
                  err[PK_F_ALAMAT], false);
    pk_buf_adds(b, "</fieldset>\n<fieldset><legend>Pendidikan dan pekerjaan</legend>\n");
    enum_select(b, "pendidikan", "Pendidikan terakhir", PK_EDU__COUNT, edu_v, edu_t,
                val[PK_F_PENDIDIKAN], err[PK_F_PENDIDIKAN], false);
    enum_select(b, "segmen", "Status kerja", PK_SEG__COUNT, seg_v, seg_t, val[PK_F_SEGMEN],
                err[PK_F_SEGMEN], true);
    enum_select(b, "pekerjaan", "Pekerjaan saat ini", PK_JOB__COUNT, job_v, job_t,
                val[PK_F_PEKERJAAN], err[PK_F_PEKERJAAN], false);
    pk_buf_adds(b, "</fieldset>\n");
    if (confirm != NULL)
        pk_buf_printf(b, "<p class=\"confirm\"><input type=\"checkbox\" id=\"%s\" name=\"%s\" "
                         "value=\"ya\"> <label for=\"%s\">Tanggal lahir dan jenis kelamin yang "
                         "saya isi sudah benar, walaupun berbeda dengan yang tercantum dalam "
                         "NIK.</label></p>\n",
                      confirm, confirm, confirm);
    pk_buf_adds(b, "<button type=\"submit\">");
    pk_html_esc(b, submit);
    pk_buf_adds(b, "</button>\n</form>\n");
}

/* After a registration: the sealed receipt goes into a cookie for
 * /daftar/selesai and the browser is sent there (Post/Redirect/Get: a
 * refresh shows the receipt again, never posts the form again).
 * Returns false when the receipt could not be sealed. */
static bool redirect_to_receipt(const pk_app *app, pk_resp *resp, const pk_register_result *res)
{
    pk_receipt r = {0};
    pk_receipt_reference(&app->vault, res->saved.id, r.reference);
    snprintf(r.scheme, sizeof(r.scheme), "%s", res->scheme ? res->scheme->id : "");
    r.reasons = res->saved.reasons & PK_REASONS_OWN; /* see receipt_page */
    r.expires = (int64_t)time(NULL) + RECEIPT_TTL;
    char text[PK_RECEIPT_TEXT_MAX * 2];
    if (pk_receipt_seal(&app->vault, &r, text, sizeof(text)) != 0)
        return false;
    pk_resp_cookie_path(app, resp, PK_COOKIE_RECEIPT, text, "/daftar", RECEIPT_TTL);
    pk_resp_header(resp, "Location", "/daftar/selesai");
    pk_buf_reset(&resp->body);
    pk_html_begin(&resp->body, "Pendaftaran tersimpan", "/daftar");
    pk_buf_adds(&resp->body, "<h1>Pendaftaran tersimpan</h1>\n<p><a href=\"/daftar/selesai\">"
                             "Lihat hasil pendaftaran</a></p>\n");
    pk_html_finish(resp, 303, false);
    return true;
}

/* A NIK already registered: where to go instead, above the form (which
 * keeps what was typed, for a mistyped NIK). */
static void conflict_box(const pk_app *app, pk_buf *b)
{
    pk_buf_adds(b, "<section class=\"result no\" role=\"alert\" data-conflict>\n"
                   "<h2>NIK ini sudah terdaftar</h2>\n<p>Setiap NIK hanya dapat didaftarkan "
                   "sekali. Jika Anda sudah pernah mendaftar, lihat status pendaftaran Anda di "
                   "halaman <a href=\"/cek-status\">Cek Status</a>. Jika NIK salah ketik, "
                   "perbaiki di formulir di bawah.</p>\n<p>Jika Anda merasa belum pernah "
                   "mendaftar: ");
    pk_html_esc(b, app->cfg.complaints_contact);
    pk_buf_adds(b, "</p>\n</section>\n");
}

void pk_page_register_done(const pk_app *app, pk_req *req, pk_resp *resp)
{
    char text[PK_RECEIPT_TEXT_MAX * 2];
    pk_receipt r;
    bool have = pk_req_cookie(req, PK_COOKIE_RECEIPT, text, sizeof(text)) &&
                pk_receipt_open(&app->vault, text, (int64_t)time(NULL), &r) == 0;
    pk_buf *b = &resp->body;
    pk_html_begin(b, "Hasil Pendaftaran", "/daftar");
    if (have) {
        receipt_page(app, b, &r);
    } else {
        pk_buf_adds(b, "<h1>Hasil pendaftaran tidak tersedia</h1>\n<p>Hasil pendaftaran hanya "
                       "ditampilkan sebentar setelah Anda mendaftar, di peramban yang dipakai "
                       "untuk mendaftar. Data Anda tidak hilang karenanya.</p>\n"
                       "<ul>\n<li>Sudah mendaftar? Lihat status pendaftaran Anda di halaman "
                       "<a href=\"/cek-status\">Cek Status</a>.</li>\n<li>Belum mendaftar? "
                       "<a href=\"/daftar\">Isi formulir pendaftaran</a>.</li>\n</ul>\n");
    }
    pk_html_finish(resp, 200, false);
}

/* ---- an outreach event's short link (app/outreach.h) --------------------
 *
 * GET /e/{code} leaves the code in a first-party cookie sent only to
 * /daftar, for a few hours (someone who scans at the event and registers
 * at home that evening still counts), and redirects there; the form then
 * carries it in a hidden field, so the registration is attributed in its
 * own transaction.  Neither URL holds anything about a person, and
 * neither answer is cached (no-store: the one sets a cookie, the other
 * holds the form's CSRF token). */
#define EVENT_COOKIE_TTL (6 * 3600)

void pk_page_short_link(const pk_app *app, pk_req *req, pk_resp *resp)
{
    pk_outreach e;
    int rc = req->nparams == 1 ? pk_outreach_by_code(app, req->params[0], &e) : PK_ENOENT;
    if (rc != 0) {
        pk_buf *b = &resp->body;
        pk_html_begin(b, "Tautan tidak ditemukan", NULL);
        pk_buf_adds(b, "<h1>Tautan acara tidak ditemukan</h1>\n<p data-event-link=\"tidak\">"
                       "Tautan atau kode QR ini tidak kami kenal. Periksa kembali alamatnya, "
                       "atau langsung daftar tanpa tautan acara: pendaftaran tetap sama.</p>\n"
                       "<p class=\"actions\"><a class=\"button\" href=\"/daftar\">Daftar "
                       "Kartu Prakerja</a> <a href=\"/\">Ke beranda</a></p>\n");
        pk_html_finish(resp, rc == PK_ENOENT ? 404 : 503, false);
        return;
    }
    pk_resp_cookie_path(app, resp, PK_COOKIE_EVENT, e.code, "/daftar", EVENT_COOKIE_TTL);
    pk_resp_header(resp, "Location", "/daftar");
    pk_html_begin(&resp->body, "Pendaftaran", "/daftar");
    pk_buf_adds(&resp->body, "<h1>Pendaftaran</h1>\n<p><a href=\"/daftar\">Lanjut ke formulir "
                             "pendaftaran</a></p>\n");
    pk_html_finish(resp, 303, false);
}

/* The event a registration comes through: the form's hidden field, else
 * the short link's cookie.  false when there is none (or it is unknown:
 * then the registration simply is not attributed). */
static bool event_of(const pk_app *app, const pk_req *req, const pk_form *f, pk_outreach *e)
{
    const char *code = pk_form_get(f, "acara");
    char cookie[PK_OUTREACH_CODE_MAX];
    if ((code == NULL || code[0] == '\0') &&
        pk_req_cookie(req, PK_COOKIE_EVENT, cookie, sizeof(cookie)))
        code = cookie;
    return code != NULL && code[0] != '\0' && pk_outreach_by_code(app, code, e) == 0;
}

/* Above the form: which event the registration goes through. */
static void event_banner(pk_buf *b, const pk_outreach *e)
{
    char when[32];
    pk_timestamp_format_wib(e->starts_at, when);
    pk_buf_adds(b, "<section class=\"result ok\" data-event=\"");
    pk_html_esc(b, e->code);
    pk_buf_adds(b, "\"><p>Pendaftaran melalui acara: <strong>");
    pk_html_esc(b, e->title);
    pk_buf_adds(b, "</strong></p><p class=\"small\">");
    pk_html_esc(b, pk_outreach_kind_label(e->kind));
    pk_buf_adds(b, ", ");
    pk_html_esc(b, when);
    pk_buf_adds(b, ", ");
    pk_html_esc(b, e->place);
    pk_buf_adds(b, "</p></section>\n");
}

/* A birth date or sex that differs from what the NIK says is allowed (a
 * later correction does not change the NIK: domain.md) but mostly a slip
 * of the finger, after which the status look-up (NIK and the KTP's date)
 * finds nothing while /daftar says the NIK is taken (an outside review at
 * 360 px).  So the form asks once: the fields with what the NIK says, and
 * a box to tick when the difference is real.  Whether it asked: the
 * messages (written into msg) in err, and *confirm for the box. */
#define CONFIRM_FIELD "data_berbeda_benar"

static bool ask_nik_mismatch(const pk_app *app, const pk_participant_input *in, const pk_form *f,
                             const char *err[PK_F__COUNT], char msg[2][200], bool *confirm)
{
    const char *ticked = pk_form_get(f, CONFIRM_FIELD);
    if (ticked != NULL && strcmp(ticked, "ya") == 0)
        return false;
    pk_participant p;
    pk_validation v;
    memset(&v, 0, sizeof v);
    int rc = pk_app_validate(app, in, pk_app_today(), &p, &v);
    sodium_memzero(&p, sizeof p);
    pk_codeset diff = v.warnings & (PK_CODEBIT(PK_C_NIK_TANGGAL_BERBEDA) |
                                    PK_CODEBIT(PK_C_NIK_KELAMIN_BERBEDA));
    if (rc != 0 || diff == 0 || !v.nik.has_birth)
        return false; /* errors first, as ever; or nothing to ask */
    int64_t taken = 0;
    if (pk_registry_nik_id(app, v.nik.nik, &taken) != 0 || taken != 0)
        return false; /* a NIK taken is said first (409), as before */
    if (diff & PK_CODEBIT(PK_C_NIK_TANGGAL_BERBEDA)) {
        char day[32];
        pk_date_format_long(v.nik.birth, day);
        snprintf(msg[0], sizeof msg[0],
                 "Menurut NIK, tanggal lahir Anda %s. Periksa KTP Anda; bila tanggal lahir "
                 "Anda memang berbeda, centang kotak di bawah formulir lalu kirim lagi.",
                 day);
        err[PK_F_TANGGAL_LAHIR] = msg[0];
    }
    if (diff & PK_CODEBIT(PK_C_NIK_KELAMIN_BERBEDA)) {
        snprintf(msg[1], sizeof msg[1],
                 "Menurut NIK, jenis kelamin Anda %s. Periksa kembali pilihan Anda; bila "
                 "memang berbeda, centang kotak di bawah formulir lalu kirim lagi.",
                 v.nik.sex == 'P' ? "perempuan" : "laki-laki");
        err[PK_F_JENIS_KELAMIN] = msg[1];
    }
    *confirm = true;
    return true;
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
    val[PK_F_NIK] = pk_form_id16(req, val[PK_F_NIK]);
    val[PK_F_NO_KK] = pk_form_id16(req, val[PK_F_NO_KK]);
    pk_register_result res;
    int rc = -1;
    pk_outreach event;
    bool via = event_of(app, req, &f, &event), confirm = false;
    char asked[2][200];
    if (posted) {
        pk_participant_input in = {0};
        for (int i = 0; i < PK_F__COUNT; i++)
            if (val[i] != NULL) {
                in.v[i] = val[i];
                in.len[i] = strlen(val[i]);
            }
        if (ask_nik_mismatch(app, &in, &f, err, asked, &confirm)) {
            rc = PK_EINVAL; /* nothing saved: the form again, asking */
        } else {
            rc = pk_registry_register_via(app, &in, "portal", PK_ACTOR_PUBLIC, NULL,
                                          via ? event.id : 0, &res);
            pk_register_errors(rc, &res, val, err);
        }
    }

    if (posted && rc == 0) {
        if (redirect_to_receipt(app, resp, &res))
            return;
        /* the receipt could not be sealed: shown at once (no redirect) */
        pk_receipt r = {0};
        pk_receipt_reference(&app->vault, res.saved.id, r.reference);
        snprintf(r.scheme, sizeof(r.scheme), "%s", res.scheme ? res.scheme->id : "");
        r.reasons = res.saved.reasons & PK_REASONS_OWN;
        pk_html_begin(&resp->body, "Hasil Pendaftaran", "/daftar");
        receipt_page(app, &resp->body, &r);
        pk_html_finish(resp, 201, false);
        return;
    }
    pk_buf *b = &resp->body;
    pk_html_begin(b, "Daftar", "/daftar");
    pk_buf_adds(b, "<h1>Daftar Kartu Prakerja</h1>\n<p class=\"lead\">Isi data sesuai KTP dan "
                   "Kartu Keluarga. Data pribadi Anda disimpan terenkripsi dan hanya dipakai "
                   "untuk program ini.</p>\n");
    int status = posted ? pk_register_failure(app, b, rc) : 200;
    if (via)
        event_banner(b, &event);
    if (posted && rc == PK_ECONFLICT)
        conflict_box(app, b);
    pk_register_form(app, req, resp, "/daftar", NULL, val, err, "Daftar",
                     via ? event.code : NULL, confirm ? CONFIRM_FIELD : NULL);
    /* never cached: the form carries this browser's CSRF token */
    pk_html_finish(resp, status, false);
}
