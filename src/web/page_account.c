/* page_account.c -- "Akun saya", the residents' own pages (issue #15;
 * app/resident.h):
 *
 *   /akun/masuk           NIK -> a one-time code (the same answer for any
 *                         NIK), then the code -> a resident's session;
 *   /akun/verifikasi-hp   the same with a code sent to the phone, which
 *                         marks it verified (offered after /daftar);
 *   /akun                 the person's status, next step and its
 *                         deadline, balance, trainings, incentives and
 *                         surveys, the waves open for joining (joined
 *                         here: app/wave.h's pk_wave_join_self), and
 *                         their message preferences (channel, stops per
 *                         purpose, messages sent);
 *   /akun/keluar          ends the session.
 *
 * A resident's session has its own cookie (pk_warga, sent to /akun and
 * /api/v1/waves only) and table: staff routes never read it, and these
 * pages serve only the person it belongs to.  The NIK travels in POST bodies only; pages are
 * never cached. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app/journey_view.h"
#include "app/operator.h"
#include "app/remind.h"
#include "app/resident.h"
#include "app/wave.h"
#include "core/date.h"
#include "core/eligibility.h"
#include "core/ident.h"
#include "core/money.h"
#include "web/html.h"
#include "web/page_form.h"
#include "web/session.h"
#include "web/web.h"

/* The one rule of joining, in the words every sentence about it uses
 * (selection.md: one open wave at a time). */
#define ONE_OPEN_WAVE "Satu orang hanya dapat ikut satu gelombang yang sedang dibuka"

#define COOKIE "pk_warga"
#define CSRF_FIELD "_warga"
/* The session's cookie goes to these paths only: Akun saya, and the API
 * by which a resident joins a wave (SameSite=Lax: never with a POST from
 * another site). */
static const char *const cookie_paths[] = {"/akun", "/api/v1/waves"};

static void set_cookie(const pk_app *app, pk_resp *resp, const char *token, long max_age)
{
    for (size_t i = 0; i < PK_ARRAY_LEN(cookie_paths); i++)
        pk_resp_cookie_path(app, resp, COOKIE, token, cookie_paths[i], max_age);
}

int pk_web_resident(const pk_app *app, pk_req *req, pk_resident *who)
{
    char token[PK_SECRET_TEXT];
    if (!pk_req_cookie(req, COOKIE, token, sizeof token))
        return PK_ENOENT;
    int rc = pk_resident_session(app, token, (int64_t)time(NULL), who);
    sodium_memzero(token, sizeof token);
    return rc;
}
#define WAVES_SHOWN 8

/* What the page says once a code is asked for: where it goes (a phone's
 * verification: to the phone only) and that asking again within a minute
 * sends none, so the code in hand stays good (PK_RCODE_RESEND). */
static const char *sent_text(pk_rcode_purpose purpose)
{
    return purpose == PK_RCODE_TELEPON
               ? "Jika NIK terdaftar, kode 6 angka dikirim ke nomor HP yang terdaftar "
                 "(WhatsApp atau SMS). Kode berlaku 5 menit; meminta lagi dalam 1 menit tidak "
                 "mengirim kode baru, jadi kode yang sudah Anda terima tetap berlaku."
               : "Jika NIK terdaftar, kode 6 angka dikirim ke nomor HP (WhatsApp atau SMS) "
                 "atau e-mail yang terdaftar. Kode berlaku 5 menit; meminta lagi dalam 1 menit "
                 "tidak mengirim kode baru, jadi kode yang sudah Anda terima tetap berlaku.";
}

static void code_form(const pk_app *app, pk_req *req, pk_resp *resp, const char *nik,
                      pk_rcode_purpose purpose, const char *error)
{
    pk_buf *b = &resp->body;
    bool phone = purpose == PK_RCODE_TELEPON;
    pk_buf_printf(b, "<form method=\"post\" action=\"%s\" novalidate autocomplete=\"off\">\n",
                  phone ? "/akun/verifikasi-hp" : "/akun/masuk");
    pk_web_csrf_field(app, req, resp);
    pk_buf_adds(b, "<input type=\"hidden\" name=\"nik\" value=\"");
    pk_html_esc(b, nik);
    pk_buf_adds(b, "\">\n");
    pk_html_input(b, "kode", "Kode 6 angka", "numeric", NULL,
                  phone ? "Kode dari WhatsApp atau SMS. Jangan berikan kepada siapa pun."
                        : "Kode dari WhatsApp, SMS atau e-mail. Jangan berikan kepada siapa pun.",
                  error, true);
    pk_buf_printf(b, "<button type=\"submit\">%s</button>\n</form>\n",
                  phone ? "Verifikasi" : "Masuk");
}

static void nik_form(const pk_app *app, pk_req *req, pk_resp *resp, pk_rcode_purpose purpose,
                     const char *error)
{
    pk_buf *b = &resp->body;
    pk_buf_printf(b, "<form method=\"post\" action=\"%s\" novalidate autocomplete=\"off\">\n",
                  purpose == PK_RCODE_TELEPON ? "/akun/verifikasi-hp" : "/akun/masuk");
    pk_web_csrf_field(app, req, resp);
    pk_html_input(b, "nik", "NIK", "numeric", NULL, "16 angka seperti tertulis di KTP.", error,
                  true);
    pk_buf_adds(b, "<button type=\"submit\">Kirim kode</button>\n</form>\n");
}

/* /akun/masuk and /akun/verifikasi-hp: a NIK asks for a code; a NIK and a
 * code open the session. */
static void sign_in(const pk_app *app, pk_req *req, pk_resp *resp, pk_rcode_purpose purpose)
{
    pk_form f;
    if (!pk_page_read_form(app, req, resp, &f))
        return;
    bool posted = strcmp(req->method, "POST") == 0;
    const char *nik = posted ? pk_form_id16(req, pk_form_get(&f, "nik")) : NULL;
    const char *kode = posted ? pk_form_get(&f, "kode") : NULL;
    size_t nlen = nik ? strlen(nik) : 0, klen = kode ? strlen(kode) : 0;
    const char *tn = nik ? pk_trim(nik, &nlen) : "";
    const char *tk = kode ? pk_trim(kode, &klen) : "";
    char n16[17] = "", k6[7] = "";
    bool nik_ok = nlen == 16 && strspn(tn, "0123456789") >= 16;
    if (nik_ok)
        memcpy(n16, tn, 16);
    if (klen == 6 && strspn(tk, "0123456789") >= 6)
        memcpy(k6, tk, 6);
    const char *title = purpose == PK_RCODE_TELEPON ? "Verifikasi Nomor HP" : "Masuk Akun Saya";
    pk_buf *b = &resp->body;
    int status = 200;
    int64_t now = (int64_t)time(NULL);

    if (posted && nik_ok && kode != NULL) {
        char token[PK_SECRET_TEXT];
        pk_resident who;
        int rc = k6[0] ? pk_resident_code_check(app, n16, k6, purpose, now, token, &who)
                       : PK_EINVAL;
        if (rc == 0) {
            set_cookie(app, resp, token, app->cfg.session_max);
            pk_resp_header(resp, "Location",
                           purpose == PK_RCODE_TELEPON ? "/akun?hp=terverifikasi" : "/akun");
            pk_html_error_page(app, resp, 303, "Berhasil masuk", "Membuka Akun saya.");
            return;
        }
        if (rc == PK_EIO) {
            pk_html_error_page(app, resp, 503, "Layanan sibuk",
                               "Layanan sedang sibuk. Silakan coba lagi sebentar lagi.");
            return;
        }
        pk_html_begin(b, title, "/akun");
        pk_buf_printf(b, "<h1>%s</h1>\n", title);
        const char *msg = rc == PK_EINVAL ? "Kode terdiri dari 6 angka."
                                          : "Kode salah atau sudah tidak berlaku. Periksa "
                                            "kembali, atau minta kode baru.";
        const char *fields[] = {"kode"}, *msgs[] = {msg};
        pk_html_error_summary(b, fields, msgs, 1);
        code_form(app, req, resp, n16, purpose, msg);
        pk_buf_printf(b, "<p><a href=\"%s\">Minta kode baru</a></p>\n",
                      purpose == PK_RCODE_TELEPON ? "/akun/verifikasi-hp" : "/akun/masuk");
        pk_html_finish(resp, rc == PK_EINVAL ? 422 : 401, false);
        return;
    }
    if (posted && nik_ok) {
        int retry = 0;
        int rc = pk_resident_code_send(app, n16, purpose, now, &retry);
        if (rc == PK_ELIMIT) {
            char ra[16];
            snprintf(ra, sizeof ra, "%d", retry);
            pk_resp_header(resp, "Retry-After", ra);
            char msg[200];
            /* a day's limit reads in hours, the quarter hour's in minutes */
            if (retry > 90 * 60)
                snprintf(msg, sizeof msg,
                         "Kode untuk NIK ini sudah diminta %d kali hari ini. Silakan coba lagi "
                         "dalam %d jam.", PK_RCODE_PER_DAY, (retry + 3599) / 3600);
            else
                snprintf(msg, sizeof msg,
                         "Kode untuk NIK ini sudah diminta beberapa kali. Silakan coba lagi "
                         "dalam %d menit.", (retry + 59) / 60);
            /* no new code, but one asked for before may be in hand: its
             * form stays (the same page for any NIK) */
            pk_html_begin(b, "Terlalu banyak permintaan", "/akun");
            pk_buf_printf(b, "<h1>%s</h1>\n<section class=\"result\" role=\"alert\" "
                             "data-limit>\n<p>%s</p>\n<p>Bila Anda sudah menerima kode yang "
                             "masih berlaku, masukkan di bawah ini.</p>\n</section>\n",
                          title, msg);
            code_form(app, req, resp, n16, purpose, NULL);
            pk_html_finish(resp, 429, false);
            return;
        }
        if (rc != 0) {
            pk_html_error_page(app, resp, 503, "Layanan sibuk",
                               "Layanan sedang sibuk. Silakan coba lagi sebentar lagi.");
            return;
        }
        pk_html_begin(b, title, "/akun");
        pk_buf_printf(b, "<h1>%s</h1>\n<section class=\"result ok\" role=\"status\" "
                         "data-kode-dikirim>\n<p>%s</p>\n</section>\n", title,
                      sent_text(purpose));
        code_form(app, req, resp, n16, purpose, NULL);
        pk_buf_printf(b, "<p>Tidak menerima kode? Tunggu sebentar, lalu <a href=\"%s\">minta "
                         "kode baru</a>.</p>\n",
                      purpose == PK_RCODE_TELEPON ? "/akun/verifikasi-hp" : "/akun/masuk");
        pk_html_finish(resp, 200, false);
        return;
    }
    const char *err = NULL;
    if (posted) {
        err = nlen == 0 ? "Isi NIK Anda." : "NIK harus 16 angka seperti tertulis di KTP.";
        status = 422;
    }
    pk_html_begin(b, title, "/akun");
    pk_buf_printf(b, "<h1>%s</h1>\n", title);
    if (!posted && purpose == PK_RCODE_MASUK && pk_req_query(req, "keluar") != NULL)
        pk_buf_adds(b, "<p class=\"result ok\" role=\"status\" data-signed-out>Anda sudah "
                       "keluar dari Akun saya.</p>\n");
    if (purpose == PK_RCODE_TELEPON)
        pk_buf_adds(b, "<p class=\"lead\">Masukkan NIK Anda. Kami mengirim kode ke nomor HP "
                       "yang Anda daftarkan (WhatsApp atau SMS) untuk memastikan nomor itu "
                       "milik Anda.</p>\n");
    else
        pk_buf_adds(b, "<p class=\"lead\">Masukkan NIK Anda. Kami mengirim kode masuk ke "
                       "nomor HP atau e-mail yang terdaftar. Tanpa kata sandi.</p>\n");
    if (err) {
        const char *fields[] = {"nik"}, *msgs[] = {err};
        pk_html_error_summary(b, fields, msgs, 1);
    }
    nik_form(app, req, resp, purpose, err);
    pk_buf_adds(b, "<p>Belum mendaftar? <a href=\"/daftar\">Daftar di sini</a>.</p>\n");
    pk_html_finish(resp, status, false);
}

void pk_page_account_login(const pk_app *app, pk_req *req, pk_resp *resp)
{
    sign_in(app, req, resp, PK_RCODE_MASUK);
}

void pk_page_account_phone(const pk_app *app, pk_req *req, pk_resp *resp)
{
    sign_in(app, req, resp, PK_RCODE_TELEPON);
}

/* The resident of the request's cookie, or false after answering: a
 * redirect to /akun/masuk (the stale cookie deleted), or 503. */
static bool resident_of(const pk_app *app, pk_req *req, pk_resp *resp, pk_resident *who)
{
    char token[PK_SECRET_TEXT];
    bool had = pk_req_cookie(req, COOKIE, token, sizeof token);
    int rc = had ? pk_web_resident(app, req, who) : PK_ENOENT;
    if (rc == 0)
        return true;
    if (rc == PK_EIO) {
        pk_html_error_page(app, resp, 503, "Layanan sibuk",
                           "Layanan sedang sibuk. Silakan coba lagi sebentar lagi.");
        return false;
    }
    if (had)
        set_cookie(app, resp, "", 0);
    pk_resp_header(resp, "Location", "/akun/masuk");
    pk_html_error_page(app, resp, 303, "Silakan masuk",
                       "Halaman ini untuk peserta yang sudah masuk. Silakan masuk dengan NIK "
                       "dan kode.");
    return false;
}

/* The person's record (phone, e-mail, NIK) in the request's scratch, and
 * the registry's reasons against them today (pk_resident_person). */
static pk_participant *person_of(const pk_app *app, pk_req *req, int64_t pid,
                                 uint64_t *reasons)
{
    pk_participant *p = pk_req_scratch(req, sizeof *p);
    if (p == NULL || pk_resident_person(app, pid, p, reasons) != 0)
        return NULL;
    return p;
}

/* POST /akun: a preference changed (the resident's own CSRF token). */
static bool change(const pk_app *app, pk_req *req, pk_resp *resp, const pk_resident *who,
                   const pk_participant *p, const pk_form *f)
{
    if (!pk_resident_csrf_ok(app, who, pk_form_get(f, CSRF_FIELD))) {
        pk_html_error_page(app, resp, 403, "Formulir kedaluwarsa",
                           "Formulir ini sudah tidak berlaku. Muat ulang halaman lalu coba "
                           "lagi.");
        return false;
    }
    const char *aksi = pk_form_get(f, "aksi");
    int rc = PK_EINVAL;
    const char *done = "";
    if (aksi && strcmp(aksi, "gabung") == 0) {
        const char *g = pk_form_get(f, "gelombang");
        int64_t wave = 0;
        if (!pk_form_positive(g, &wave))
            rc = PK_EINVAL;
        else {
            pk_code why;
            bool before;
            rc = pk_wave_join_self(app, wave, who->participant_id, (int64_t)time(NULL),
                                   "portal", false, &why, &before);
            char loc[96];
            /* the page after says what became of it, judged again there
             * (join_result): the query only says which wave was asked */
            if (rc == 0 || rc == PK_EDENIED || rc == PK_ENOENT) {
                snprintf(loc, sizeof loc, "/akun?gabung=%lld#gelombang", (long long)wave);
                pk_resp_header(resp, "Location", loc);
                pk_html_error_page(app, resp, 303, "Terkirim", "Permintaan Anda sudah diproses.");
                return true;
            }
        }
    } else if (aksi && strcmp(aksi, "kanal") == 0) {
        const char *k = pk_form_get(f, "kanal");
        if (k != NULL && strcmp(k, "email") == 0 && p->email[0] == '\0') {
            /* nothing would reach them (an outside review: "tersimpan") */
            pk_html_error_page(app, resp, 422, "Belum ada alamat e-mail",
                               "Tidak ada alamat e-mail yang terdaftar untuk Anda, jadi pesan "
                               "tidak dapat dikirim lewat e-mail. Pilih WhatsApp atau SMS, atau "
                               "minta petugas kelurahan menambahkan alamat e-mail Anda.");
            return false;
        }
        rc = pk_resident_pref_set(app, who->participant_id, k);
        done = "kanal";
    } else if (aksi && (strcmp(aksi, "berhenti") == 0 || strcmp(aksi, "mulai") == 0)) {
        const char *t = pk_form_get(f, "tujuan");
        pk_purpose pu = t ? pk_purpose_by_name(t) : PK_PURPOSE__COUNT;
        if (pu != PK_PURPOSE__COUNT) {
            pk_consent_req r = {.nik = p->nik, .purpose = pu, .stop = aksi[0] == 'b',
                                .channel = "portal", .source = "portal", .actor = PK_ACTOR_RESIDENT};
            bool changed;
            int64_t id;
            char err[128];
            rc = pk_consent_change(app, &r, &changed, &id, err, sizeof err);
            done = "pesan";
        }
    }
    if (rc == PK_EINVAL) {
        pk_html_error_page(app, resp, 422, "Pilihan tidak dikenal",
                           "Pilihan yang dikirim tidak dikenal. Muat ulang halaman lalu coba "
                           "lagi.");
        return false;
    }
    if (rc != 0) {
        pk_html_error_page(app, resp, 503, "Layanan sibuk",
                           "Perubahan belum tersimpan. Silakan coba lagi sebentar lagi.");
        return false;
    }
    char loc[40];
    snprintf(loc, sizeof loc, "/akun?disimpan=%s", done);
    pk_resp_header(resp, "Location", loc);
    pk_html_error_page(app, resp, 303, "Tersimpan", "Perubahan Anda tersimpan.");
    return true;
}

/* The answer to a join of the wave the redirect's query names, as it
 * stands: joined (the journey says so), or why not (the join judged
 * again, nothing written).  A link cannot make the page say anything
 * that is not so. */
static void join_result(const pk_app *app, pk_req *req, pk_buf *b, const pk_journey *j,
                        int64_t pid)
{
    int64_t wave = 0;
    if (!pk_form_positive(pk_req_query(req, "gabung"), &wave))
        return;
    if (j->status == PK_JS_PENDAFTAR && j->wave == wave) {
        pk_buf_printf(b, "<p class=\"result ok\" role=\"status\" data-joined=\"%lld\">Anda "
                         "sudah ikut Gelombang %lld. Hasil seleksi diumumkan setelah gelombang "
                         "ditutup dan diundi.</p>\n", (long long)wave, (long long)wave);
        return;
    }
    pk_code why = PK_C__COUNT;
    bool before;
    int rc = pk_wave_join_self(app, wave, pid, (int64_t)time(NULL), "portal", true, &why,
                               &before);
    if ((rc != PK_EDENIED && rc != PK_ENOENT) || why == PK_C__COUNT)
        return;
    pk_buf_printf(b, "<p class=\"result error\" role=\"alert\" data-refused=\"%s\">Belum dapat "
                     "ikut Gelombang %lld: ", pk_code_name(why), (long long)wave);
    if (why == PK_C_MASIH_DI_GELOMBANG_LAIN && j->status == PK_JS_PENDAFTAR)
        pk_buf_printf(b, "Anda sedang mengikuti Gelombang %lld, yang masih dibuka. "
                         ONE_OPEN_WAVE "; setelah gelombang itu ditutup, Anda dapat ikut "
                         "gelombang lain.",
                      (long long)j->wave);
    else
        pk_html_esc(b, pk_code_message(why));
    pk_buf_adds(b, "</p>\n");
}

/* The registry's reasons against the person today, in full sentences,
 * before they join: the draw judges them again on the wave's closing
 * date, and most of them will not change by then.  Only the person's
 * own grounds (age, occupation) are named: the others come from what
 * the registry knows (exclusion lists, the family card's recipients),
 * and a code sent to the phone someone registered with proves no
 * identity, so they are told at the village office, against the KTP
 * (docs/PRIVACY.md; an outside test registered a listed NIK, signed in
 * and read "daftar hitam" here). */
static void reasons_note(pk_buf *b, uint64_t reasons)
{
    if (reasons == 0)
        return;
    pk_buf_adds(b, "<div class=\"result error\" data-reasons>\n<p>Menurut data pendaftaran "
                   "Anda, saat ini Anda belum memenuhi syarat program:</p>\n<ul>\n");
    for (pk_code c = 0; c < PK_C__COUNT; c++)
        if (reasons & PK_REASONS_OWN & PK_CODEBIT(c)) {
            pk_buf_printf(b, "<li data-reason=\"%s\">", pk_code_name(c));
            pk_html_esc(b, pk_code_message(c));
            pk_buf_adds(b, "</li>\n");
        }
    if (reasons & ~(uint64_t)PK_REASONS_OWN)
        pk_buf_adds(b, "<li data-reason=\"lainnya\">Ada catatan dalam data program tentang "
                       "NIK atau Kartu Keluarga Anda. Untuk mengetahuinya, datanglah ke kantor "
                       "kelurahan dengan KTP dan Kartu Keluarga.</li>\n");
    pk_buf_adds(b, "</ul>\n<p>Anda tetap dapat ikut gelombang, tetapi syarat diperiksa lagi "
                   "saat gelombang ditutup; selama alasan di atas masih berlaku, Anda tidak "
                   "akan lolos seleksi. Jika data Anda berubah, hubungi kantor kelurahan "
                   "atau operator Prakerja setempat.</p>\n</div>\n");
}

/* The waves open for joining now (w[0..n)), each with its button (or a
 * note when the person is in it, or in another, already); nothing when
 * none is open. */
static void waves_open(const pk_app *app, pk_req *req, pk_resp *resp, const pk_journey *j,
                       int64_t pid, uint64_t reasons, const char *csrf, const pk_wave_open *w,
                       size_t n)
{
    pk_buf *b = &resp->body;
    const char *joined = pk_req_query(req, "gabung");
    if (n == 0 && joined == NULL)
        return;
    pk_buf_adds(b, "<section class=\"card\" id=\"gelombang\" aria-labelledby=\"gel\" "
                   "data-waves>\n<h2 id=\"gel\">Gelombang yang sedang dibuka</h2>\n");
    join_result(app, req, b, j, pid);
    if (n == 0)
        pk_buf_adds(b, "<p data-waves-open=\"0\">Saat ini tidak ada gelombang yang dibuka.</p>\n");
    bool recipient = j->selected_at != 0 || j->status == PK_JS_PENERIMA ||
                     j->status == PK_JS_DICABUT;
    /* an applicant of a wave still open joins no other (one open wave at
     * a time, selection.md); of one closed and not drawn yet, they may */
    bool in_one = j->status == PK_JS_PENDAFTAR, in_open = false;
    for (size_t i = 0; in_one && i < n; i++)
        in_open |= w[i].number == j->wave;
    if (n > 0 && !recipient && !in_open)
        reasons_note(b, reasons);
    if (n > 0 && in_one && !in_open)
        pk_buf_printf(b, "<p data-waiting=\"%lld\">Gelombang %lld yang Anda ikuti sudah "
                         "ditutup dan menunggu hasil seleksi. Anda boleh ikut satu gelombang "
                         "yang sedang dibuka; bila Anda lolos di Gelombang %lld, Anda menjadi "
                         "penerima dari gelombang itu.</p>\n",
                      (long long)j->wave, (long long)j->wave, (long long)j->wave);
    for (size_t i = 0; i < n; i++) {
        char closes[32];
        pk_timestamp_format_wib(w[i].closes_at, closes);
        pk_buf_printf(b, "<div class=\"wave\" data-wave=\"%lld\"><p><strong>Gelombang %lld"
                         "</strong> dibuka sampai %s.</p>\n",
                      (long long)w[i].number, (long long)w[i].number, closes);
        if (in_one && j->wave == w[i].number)
            pk_buf_adds(b, "<p data-in-wave>Anda sudah ikut gelombang ini. Tunggu hasil "
                           "seleksinya.</p>\n");
        else if (in_open)
            pk_buf_printf(b, "<p data-in-other=\"%lld\">Anda sedang mengikuti Gelombang %lld, "
                             "yang masih dibuka. " ONE_OPEN_WAVE ".</p>\n",
                          (long long)j->wave, (long long)j->wave);
        else if (recipient)
            pk_buf_adds(b, "<p data-recipient>Anda sudah pernah menjadi penerima Kartu "
                           "Prakerja, jadi tidak dapat ikut gelombang lagi.</p>\n");
        else {
            pk_buf_adds(b, "<form method=\"post\" action=\"/akun\">\n");
            pk_web_csrf_field(app, req, resp);
            pk_buf_printf(b, "<input type=\"hidden\" name=\"%s\" value=\"%s\">\n"
                             "<input type=\"hidden\" name=\"aksi\" value=\"gabung\">\n"
                             "<input type=\"hidden\" name=\"gelombang\" value=\"%lld\">\n"
                             "<button type=\"submit\">Ikut Gelombang %lld</button>\n</form>\n",
                          CSRF_FIELD, csrf, (long long)w[i].number, (long long)w[i].number);
        }
        pk_buf_adds(b, "</div>\n");
    }
    pk_buf_adds(b, "<p class=\"small\">" ONE_OPEN_WAVE ", dan keikutsertaan tidak dapat "
                   "dibatalkan. Peserta dipilih setelah "
                   "gelombang ditutup: syarat diperiksa lagi, lalu diundi sampai kuota "
                   "terpenuhi.</p>\n</section>\n");
}

void pk_page_account(const pk_app *app, pk_req *req, pk_resp *resp)
{
    pk_resident who;
    if (!resident_of(app, req, resp, &who))
        return;
    pk_form f;
    /* the public form token is checked too (page_form.h), then the session's */
    if (!pk_page_read_form(app, req, resp, &f))
        return;
    uint64_t reasons = 0;
    pk_participant *p = person_of(app, req, who.participant_id, &reasons);
    if (p == NULL) {
        pk_html_error_page(app, resp, 503, "Layanan sibuk",
                           "Data Anda belum dapat dibaca. Silakan coba lagi sebentar lagi.");
        return;
    }
    if (strcmp(req->method, "POST") == 0) {
        change(app, req, resp, &who, p, &f);
        return;
    }
    pk_buf *b = &resp->body;
    pk_html_begin(b, "Akun Saya", "/akun");
    pk_buf_adds(b, "<h1>Akun saya</h1>\n<p class=\"lead\">Halo, ");
    pk_html_esc(b, p->nama);
    pk_buf_adds(b, ".</p>\n");
    const char *saved = pk_req_query(req, "disimpan");
    if (saved != NULL)
        pk_buf_adds(b, "<p class=\"result ok\" role=\"status\" data-saved>Perubahan Anda "
                       "tersimpan.</p>\n");
    /* the journey first, but the open waves before it for one who may
     * join now (registered, or not selected before): the button on top */
    pk_wave_open w[WAVES_SHOWN];
    size_t nw = 0;
    if (pk_wave_joinable(app, (int64_t)time(NULL), w, WAVES_SHOWN, &nw) != 0)
        nw = 0;
    pk_journey j;
    pk_buf view;
    pk_buf_init(&view, 1u << 20);
    /* its journey unread, nobody is offered a wave (the view says so) */
    bool read = pk_page_account_view(app, req, &view, who.participant_id, nw > 0, &j);
    char csrf[PK_SECRET_TEXT];
    pk_resident_csrf(app, &who, csrf);
    bool may_join = j.status == PK_JS_TERDAFTAR || j.status == PK_JS_TIDAK_LOLOS;
    if (read && may_join)
        waves_open(app, req, resp, &j, who.participant_id, reasons, csrf, w, nw);
    pk_buf_add(b, view.data, view.len);
    pk_buf_free(&view);
    if (read && !may_join)
        waves_open(app, req, resp, &j, who.participant_id, reasons, csrf, w, nw);

    /* preferences */
    char channel[16] = "";
    int64_t verified = 0;
    if (pk_resident_pref(app, who.participant_id, channel, &verified) != 0)
        channel[0] = '\0';
    pk_buf_adds(b, "<section class=\"card\" aria-labelledby=\"hp\" data-phone>\n"
                   "<h2 id=\"hp\">Nomor HP</h2>\n");
    if (verified > 0) {
        char wib[32];
        pk_timestamp_format_wib(verified, wib);
        pk_buf_printf(b, "<p data-phone-verified=\"ya\">Nomor HP Anda sudah terverifikasi "
                         "(%s).</p>\n", wib);
    } else {
        pk_buf_adds(b, "<p data-phone-verified=\"tidak\">Nomor HP Anda belum terverifikasi. "
                       "<a href=\"/akun/verifikasi-hp\">Verifikasi sekarang</a>.</p>\n");
    }
    pk_buf_adds(b, "</section>\n");

    pk_buf_adds(b, "<section class=\"card\" aria-labelledby=\"pesan\" data-prefs>\n"
                   "<h2 id=\"pesan\">Pesan untuk Anda</h2>\n"
                   "<form method=\"post\" action=\"/akun\">\n");
    pk_web_csrf_field(app, req, resp);
    pk_buf_printf(b, "<input type=\"hidden\" name=\"%s\" value=\"%s\">\n"
                     "<input type=\"hidden\" name=\"aksi\" value=\"kanal\">\n",
                  CSRF_FIELD, csrf);
    static const pk_html_option opts[] = {
        {"whatsapp", "WhatsApp"}, {"sms", "SMS"}, {"email", "E-mail"}};
    pk_html_select(b, "kanal", "Kirim pesan lewat", opts, 3,
                   channel[0] ? channel : "whatsapp", NULL, NULL, false);
    pk_buf_adds(b, "<button type=\"submit\">Simpan</button>\n</form>\n");
    bool stopped[PK_PURPOSE__COUNT] = {0};
    pk_remind_consent_of(app, who.participant_id, stopped);
    static const char *const plabel[PK_PURPOSE__COUNT] = {
        "Pengingat program (batas pembelian, saldo, survei, insentif)",
        "Informasi (gelombang baru dan kabar lain)"};
    pk_buf_adds(b, "<ul class=\"consent\">\n");
    for (int i = 0; i < PK_PURPOSE__COUNT; i++) {
        const char *pn = pk_purpose_name((pk_purpose)i);
        pk_buf_printf(b, "<li data-purpose=\"%s\" data-stopped=\"%s\">%s: <strong>%s</strong>\n"
                         "<form method=\"post\" action=\"/akun\" class=\"inline\">\n",
                      pn, stopped[i] ? "ya" : "tidak", plabel[i],
                      stopped[i] ? "dihentikan" : "aktif");
        pk_web_csrf_field(app, req, resp);
        pk_buf_printf(b, "<input type=\"hidden\" name=\"%s\" value=\"%s\">\n"
                         "<input type=\"hidden\" name=\"tujuan\" value=\"%s\">\n"
                         "<input type=\"hidden\" name=\"aksi\" value=\"%s\">\n"
                         "<button type=\"submit\">%s</button>\n</form>\n",
                      CSRF_FIELD, csrf, pn, stopped[i] ? "mulai" : "berhenti",
                      stopped[i] ? "Terima lagi" : "Berhenti");
        if (i == PK_PURPOSE_PROGRAM && !stopped[i])
            pk_buf_adds(b, "<p class=\"small\" data-stop-warning>Bila dihentikan, Anda tidak "
                           "lagi diingatkan tentang batas pembelian pelatihan, saldo, survei "
                           "dan insentif; batas yang terlewat dapat membuat kepesertaan "
                           "dicabut atau saldo hangus.</p>\n");
        pk_buf_adds(b, "</li>\n");
    }
    pk_buf_adds(b, "</ul>\n<h3>Pesan yang dikirim kepada Anda</h3>\n");
    pk_message_view rows[20];
    size_t n = 0;
    if (pk_remind_messages_of(app, who.participant_id, 20, rows, &n) != 0)
        n = 0;
    if (n == 0)
        pk_buf_adds(b, "<p data-messages=\"0\">Belum ada pesan.</p>\n");
    else {
        pk_buf_printf(b, "<ul data-messages=\"%zu\">\n", n);
        for (size_t i = 0; i < n; i++) {
            pk_buf_adds(b, "<li>");
            pk_html_esc(b, rows[i].day);
            pk_buf_adds(b, " &middot; ");
            pk_html_esc(b, rows[i].rule);
            pk_buf_adds(b, " &middot; ");
            pk_html_esc(b, rows[i].channel);
            pk_buf_adds(b, " &middot; ");
            pk_html_esc(b, rows[i].state);
            pk_buf_adds(b, "</li>\n");
        }
        pk_buf_adds(b, "</ul>\n");
    }
    pk_buf_adds(b, "</section>\n<form method=\"post\" action=\"/akun/keluar\">\n");
    pk_web_csrf_field(app, req, resp);
    pk_buf_printf(b, "<input type=\"hidden\" name=\"%s\" value=\"%s\">\n"
                     "<button type=\"submit\">Keluar</button>\n</form>\n",
                  CSRF_FIELD, csrf);
    pk_html_finish(resp, 200, false);
}

void pk_page_account_logout(const pk_app *app, pk_req *req, pk_resp *resp)
{
    pk_resident who;
    if (!resident_of(app, req, resp, &who))
        return;
    pk_form f;
    if (!pk_page_read_form(app, req, resp, &f))
        return;
    if (!pk_resident_csrf_ok(app, &who, pk_form_get(&f, CSRF_FIELD))) {
        pk_html_error_page(app, resp, 403, "Formulir kedaluwarsa",
                           "Formulir ini sudah tidak berlaku. Muat ulang halaman lalu coba "
                           "lagi.");
        return;
    }
    pk_resident_logout(app, &who);
    set_cookie(app, resp, "", 0);
    pk_resp_header(resp, "Location", "/akun/masuk?keluar=1");
    pk_html_error_page(app, resp, 303, "Sudah keluar", "Anda sudah keluar dari Akun saya.");
}
