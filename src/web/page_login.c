/* page_login.c -- staff login (GET/POST /masuk) and logout (POST /keluar).
 *
 * A successful login always opens a new session with a new id (a session
 * id planted before login is never kept: its row is deleted), sets it as
 * an HttpOnly, SameSite=Lax cookie, and goes on to the page that asked
 * for the login.  A failed login answers the same for an unknown user, a
 * wrong password and a disabled account. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "web/html.h"
#include "web/page_form.h"
#include "web/session.h"
#include "web/web.h"

/* When to try again, in Indonesian: a short back-off in seconds, a lock
 * in minutes with the clock time in Jakarta (WIB, UTC+7).  The same
 * words whether or not the account exists. */
static void retry_message(int retry, char *out, size_t cap)
{
    if (retry < 60) {
        snprintf(out, cap, "Terlalu banyak percobaan masuk yang gagal. Demi keamanan, tunggu %d "
                           "detik, lalu coba lagi.", retry);
        return;
    }
    time_t at = time(NULL) + retry + 59 + 7 * 3600; /* the minute it is over */
    struct tm tm;
    gmtime_r(&at, &tm);
    snprintf(out, cap, "Terlalu banyak percobaan masuk yang gagal. Demi keamanan, coba lagi "
                       "dalam %d menit (pukul %02d.%02d WIB), atau hubungi admin layanan.",
             (retry + 59) / 60, tm.tm_hour, tm.tm_min);
}

/* A local path to go back to after login: "/x...", never "//host" or
 * "/\\host" (which browsers take for another site), printable ASCII. */
static bool safe_next(const char *n)
{
    if (n == NULL || n[0] != '/' || n[1] == '/' || n[1] == '\\' || strlen(n) > 200)
        return false;
    for (const char *c = n; *c; c++)
        if (*c <= 0x20 || *c >= 0x7f || *c == '\\')
            return false;
    return true;
}

static void login_form(const pk_app *app, pk_req *req, pk_resp *resp, const char *username,
                       const char *next, const char *error, const char *notice)
{
    pk_buf *b = &resp->body;
    pk_html_begin(b, "Masuk", "/masuk");
    pk_buf_adds(b, "<h1>Masuk petugas</h1>\n<p class=\"lead\">Halaman ini untuk petugas program "
                   "Kartu Prakerja DKI Jakarta. Peserta tidak perlu masuk untuk mendaftar atau "
                   "memeriksa kelayakan.</p>\n");
    if (error != NULL) {
        pk_buf_adds(b, "<div class=\"error-summary\" role=\"alert\"><h2>Belum berhasil masuk</h2>"
                       "<p>");
        pk_html_esc(b, error);
        pk_buf_adds(b, "</p></div>\n");
    }
    if (notice != NULL) {
        pk_buf_adds(b, "<p class=\"result\" role=\"status\" data-session-ended>");
        pk_html_esc(b, notice);
        pk_buf_adds(b, "</p>\n");
    }
    pk_buf_adds(b, "<form method=\"post\" action=\"/masuk\" novalidate>\n");
    pk_web_csrf_field(app, req, resp);
    if (safe_next(next)) {
        pk_buf_adds(b, "<input type=\"hidden\" name=\"next\" value=\"");
        pk_html_esc(b, next);
        pk_buf_adds(b, "\">\n");
    }
    pk_html_input(b, "nama_pengguna", "Nama pengguna", "text", username, NULL, NULL, true);
    pk_html_input(b, "kata_sandi", "Kata sandi", "password", "", NULL, NULL, true);
    pk_buf_adds(b, "<button type=\"submit\">Masuk</button>\n</form>\n");
}

void pk_page_login(const pk_app *app, pk_req *req, pk_resp *resp)
{
    pk_form f;
    if (!pk_page_read_form(app, req, resp, &f))
        return;
    bool posted = strcmp(req->method, "POST") == 0;
    const char *username = pk_form_get(&f, "nama_pengguna");
    const char *password = pk_form_get(&f, "kata_sandi");
    const char *next = posted ? pk_form_get(&f, "next") : pk_req_query(req, "next");
    if (!posted) {
        /* from a page whose session had ended (routes.c): said first */
        const char *sesi = pk_req_query(req, "sesi");
        char ended[320] = "";
        bool form = sesi != NULL && strcmp(sesi, "berakhir-formulir") == 0;
        if (sesi != NULL && (form || strcmp(sesi, "berakhir") == 0))
            snprintf(ended, sizeof ended,
                     "Sesi Anda sudah berakhir (setelah %d menit tanpa kegiatan, %d jam "
                     "sejak masuk, atau setelah keluar). Silakan masuk lagi.%s",
                     (int)(app->cfg.session_idle / 60), (int)(app->cfg.session_max / 3600),
                     form
                         ? " Isian formulir yang Anda kirim belum tersimpan: setelah masuk, isi "
                           "dan kirim kembali."
                         : "");
        login_form(app, req, resp, NULL, next, NULL, ended[0] ? ended : NULL);
        pk_html_finish(resp, 200, false);
        return;
    }
    if (username == NULL || username[0] == '\0' || password == NULL || password[0] == '\0') {
        login_form(app, req, resp, username, next, "Isi nama pengguna dan kata sandi.", NULL);
        pk_html_finish(resp, 422, false);
        return;
    }
    char addr[64], token[PK_SECRET_TEXT], old[PK_SECRET_TEXT];
    pk_principal who;
    int retry = 0;
    pk_web_client_addr(app, req, addr, sizeof(addr)); /* behind a trusted proxy: its client */
    int rc = pk_auth_login(app, username, password, addr, token, &who, &retry);
    if (rc == 0) {
        /* Fixation: whatever session id came with the request is ended;
         * the browser gets the new one. */
        if (pk_req_cookie(req, PK_COOKIE_SESSION, old, sizeof(old)))
            pk_auth_logout_token(app, old);
        pk_resp_cookie(app, resp, PK_COOKIE_SESSION, token, app->cfg.session_max);
        pk_resp_header(resp, "Location", safe_next(next) ? next : "/dasbor");
        pk_buf_reset(&resp->body);
        pk_html_begin(&resp->body, "Berhasil masuk", NULL);
        pk_buf_adds(&resp->body, "<h1>Berhasil masuk</h1>\n<p><a href=\"/dasbor\">Lanjut ke "
                                 "dasbor</a></p>\n");
        pk_html_finish(resp, 303, false);
        return;
    }
    if (rc == PK_ELIMIT) {
        char s[16];
        snprintf(s, sizeof(s), "%d", retry);
        pk_resp_header(resp, "Retry-After", s);
        char msg[300];
        retry_message(retry, msg, sizeof(msg));
        pk_html_error_page(app, resp, 429, "Terlalu banyak percobaan", msg);
        return;
    }
    if (pk_web_disk_full(app, rc)) {
        pk_reply_disk_full(app, resp, false);
        return;
    }
    if (rc == PK_EBUSY || rc == PK_EIO) {
        pk_resp_header(resp, "Retry-After", "5");
        pk_html_error_page(app, resp, 503, "Layanan sibuk",
                           "Layanan sedang sibuk. Silakan coba masuk lagi sebentar lagi.");
        return;
    }
    /* PK_EDENIED: one answer for every reason. */
    pk_buf_reset(&resp->body);
    login_form(app, req, resp, username, next, "Nama pengguna atau kata sandi salah.", NULL);
    pk_html_finish(resp, 401, false);
}

void pk_page_logout(const pk_app *app, pk_req *req, pk_resp *resp)
{
    pk_form f;
    if (!pk_page_read_form(app, req, resp, &f))
        return;
    int rc = pk_auth_logout(app, req->who);
    if (pk_web_disk_full(app, rc)) {
        pk_reply_disk_full(app, resp, false);
        return;
    }
    if (rc != 0) {
        pk_html_error_page(app, resp, 503, "Layanan sibuk",
                           "Belum berhasil keluar. Silakan coba lagi sebentar lagi.");
        return;
    }
    pk_resp_cookie(app, resp, PK_COOKIE_SESSION, "", 0);
    pk_resp_header(resp, "Location", "/masuk");
    pk_buf_reset(&resp->body);
    pk_html_begin(&resp->body, "Sudah keluar", NULL);
    pk_buf_adds(&resp->body, "<h1>Anda sudah keluar</h1>\n<p><a href=\"/masuk\">Masuk lagi</a>"
                             "</p>\n");
    pk_html_finish(resp, 303, false);
}
