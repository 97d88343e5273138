/* routes.c -- every route of the service in one table, and dispatch.
 *
 * The table is the whole surface: method, path, handler, kind (API or
 * page), who may call it, and the rate limit per client address that
 * applies to anonymous traffic (web/ratelimit.h; none when left out).  Reading it tells what the service exposes;
 * tests walk it to check the OpenAPI document and the access matrix. */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "app/operator.h"
#include "web/html.h"
#include "web/session.h"
#include "web/web.h"

/* A route without a rate-limit class leaves the field out (PK_LIMIT_NONE). */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
const pk_route pk_routes[] = {
    {"GET", "/healthz", pk_api_healthz, PK_KIND_API, PK_ACCESS_PUBLIC},
    {"GET", "/api/v1/openapi.json", pk_api_openapi, PK_KIND_API, PK_ACCESS_PUBLIC},
    /* a local scraper or staff: metrics.c checks (401 otherwise) */
    {"GET", "/metrics", pk_web_metrics, PK_KIND_API, PK_ACCESS_PUBLIC},
    {"GET", "/api/v1/nik/{nik}", pk_api_nik, PK_KIND_API, PK_ACCESS_PUBLIC,
     PK_LIMIT_LOOKUP},
    {"GET", "/api/v1/regions", pk_api_regions, PK_KIND_API, PK_ACCESS_PUBLIC},
    {"GET", "/api/v1/schemes", pk_api_schemes, PK_KIND_API, PK_ACCESS_PUBLIC},
    {"GET", "/api/v1/schemes/{id}", pk_api_scheme, PK_KIND_API, PK_ACCESS_PUBLIC},
    {"POST", "/api/v1/eligibility", pk_api_eligibility, PK_KIND_API, PK_ACCESS_PUBLIC,
     PK_LIMIT_CHECK},
    {"GET", "/api/v1/timeline", pk_api_timeline, PK_KIND_API, PK_ACCESS_PUBLIC},
    {"POST", "/api/v1/participants", pk_api_participants_create, PK_KIND_API, PK_ACCESS_PUBLIC,
     PK_LIMIT_REGISTER},
    {"GET", "/api/v1/stats", pk_api_stats, PK_KIND_API, PK_ACCESS_STAFF},
    {"GET", "/api/v1/funnel", pk_api_funnel, PK_KIND_API, PK_ACCESS_STAFF},
    {"POST", "/api/v1/status", pk_api_status, PK_KIND_API, PK_ACCESS_PUBLIC, PK_LIMIT_LOOKUP},
    {"GET", "/api/v1/me", pk_api_me, PK_KIND_API, PK_ACCESS_STAFF},
    {"GET", "/api/v1/courses", pk_api_courses, PK_KIND_API, PK_ACCESS_PUBLIC},
    {"GET", "/api/v1/waves", pk_api_waves, PK_KIND_API, PK_ACCESS_PUBLIC},
    /* a resident joins a wave: their own session (pk_web_resident checks it) */
    {"POST", "/api/v1/waves/{n}/applications", pk_api_wave_apply, PK_KIND_API,
     PK_ACCESS_RESIDENT},
    /* personal data: admins, and operators inside their region */
    {"GET", "/api/v1/participants/{id}/journey", pk_api_participant_journey, PK_KIND_API,
     PK_ACCESS_OPERATOR},
    /* the digital platforms: signed requests (pk_web_platform) */
    {"POST", "/api/v1/platform/ping", pk_api_platform_ping, PK_KIND_API, PK_ACCESS_PLATFORM},
    {"POST", "/api/v1/platform/purchases", pk_api_platform_purchase, PK_KIND_API,
     PK_ACCESS_PLATFORM},
    {"POST", "/api/v1/platform/purchases/{ref}/cancel", pk_api_platform_cancel, PK_KIND_API,
     PK_ACCESS_PLATFORM},
    {"POST", "/api/v1/platform/purchases/{ref}/completion", pk_api_platform_completion,
     PK_KIND_API, PK_ACCESS_PLATFORM},
    {"POST", "/api/v1/platform/purchases/{ref}/review", pk_api_platform_review, PK_KIND_API,
     PK_ACCESS_PLATFORM},
    /* the gateways' receipts and replies: each checks its own credential */
    {"GET", "/webhook/whatsapp", pk_api_webhook_whatsapp_verify, PK_KIND_API,
     PK_ACCESS_WEBHOOK},
    {"POST", "/webhook/whatsapp", pk_api_webhook_whatsapp, PK_KIND_API, PK_ACCESS_WEBHOOK},
    {"POST", "/webhook/sms", pk_api_webhook_sms, PK_KIND_API, PK_ACCESS_WEBHOOK},

    {"GET", "/", pk_page_home, PK_KIND_PAGE, PK_ACCESS_PUBLIC},
    {"GET", "/cek-kelayakan", pk_page_eligibility, PK_KIND_PAGE, PK_ACCESS_PUBLIC},
    {"POST", "/cek-kelayakan", pk_page_eligibility, PK_KIND_PAGE, PK_ACCESS_PUBLIC,
     PK_LIMIT_CHECK},
    {"GET", "/linimasa", pk_page_timeline, PK_KIND_PAGE, PK_ACCESS_PUBLIC},
    {"GET", "/tanya-jawab", pk_page_faq, PK_KIND_PAGE, PK_ACCESS_PUBLIC},
    {"GET", "/cek-nik", pk_page_nik, PK_KIND_PAGE, PK_ACCESS_PUBLIC},
    {"POST", "/cek-nik", pk_page_nik, PK_KIND_PAGE, PK_ACCESS_PUBLIC,
     PK_LIMIT_LOOKUP},
    {"GET", "/daftar", pk_page_register, PK_KIND_PAGE, PK_ACCESS_PUBLIC},
    {"POST", "/daftar", pk_page_register, PK_KIND_PAGE, PK_ACCESS_PUBLIC,
     PK_LIMIT_REGISTER},
    {"GET", "/daftar/selesai", pk_page_register_done, PK_KIND_PAGE, PK_ACCESS_PUBLIC},
    {"GET", "/cek-status", pk_page_status, PK_KIND_PAGE, PK_ACCESS_PUBLIC},
    {"POST", "/cek-status", pk_page_status, PK_KIND_PAGE, PK_ACCESS_PUBLIC, PK_LIMIT_LOOKUP},
    {"GET", "/static/{file}", pk_page_static, PK_KIND_PAGE, PK_ACCESS_PUBLIC},
    /* the one-click unsubscribe of reminder e-mails (RFC 8058): the signed
     * token ({ref}) is the authority, no session */
    {"GET", "/berhenti/{ref}", pk_page_unsubscribe, PK_KIND_PAGE, PK_ACCESS_PUBLIC},
    {"POST", "/berhenti/{ref}", pk_page_unsubscribe, PK_KIND_PAGE, PK_ACCESS_PUBLIC,
     PK_LIMIT_LOOKUP},
    /* an outreach event's short link (its QR code): to /daftar, attributed */
    {"GET", "/e/{code}", pk_page_short_link, PK_KIND_PAGE, PK_ACCESS_PUBLIC},
    {"GET", "/favicon.ico", pk_page_root_file, PK_KIND_PAGE, PK_ACCESS_PUBLIC},
    {"GET", "/robots.txt", pk_page_root_file, PK_KIND_PAGE, PK_ACCESS_PUBLIC},

    /* "Akun saya": residents, by their own session (page_account.c checks
     * it: the staff's never opens these, theirs never opens staff pages);
     * signing in is public */
    {"GET", "/akun/masuk", pk_page_account_login, PK_KIND_PAGE, PK_ACCESS_PUBLIC},
    {"POST", "/akun/masuk", pk_page_account_login, PK_KIND_PAGE, PK_ACCESS_PUBLIC,
     PK_LIMIT_CODE},
    {"GET", "/akun/verifikasi-hp", pk_page_account_phone, PK_KIND_PAGE, PK_ACCESS_PUBLIC},
    {"POST", "/akun/verifikasi-hp", pk_page_account_phone, PK_KIND_PAGE, PK_ACCESS_PUBLIC,
     PK_LIMIT_CODE},
    {"GET", "/akun", pk_page_account, PK_KIND_PAGE, PK_ACCESS_RESIDENT},
    {"POST", "/akun", pk_page_account, PK_KIND_PAGE, PK_ACCESS_RESIDENT},
    {"POST", "/akun/keluar", pk_page_account_logout, PK_KIND_PAGE, PK_ACCESS_RESIDENT},

    {"GET", "/masuk", pk_page_login, PK_KIND_PAGE, PK_ACCESS_PUBLIC},
    {"POST", "/masuk", pk_page_login, PK_KIND_PAGE, PK_ACCESS_PUBLIC,
     PK_LIMIT_LOGIN},
    {"POST", "/keluar", pk_page_logout, PK_KIND_PAGE, PK_ACCESS_STAFF},
    {"GET", "/dasbor", pk_page_dashboard, PK_KIND_PAGE, PK_ACCESS_STAFF},
    /* the funnel: counts only, every staff role (viewers' small cells hidden) */
    {"GET", "/corong", pk_page_funnel, PK_KIND_PAGE, PK_ACCESS_STAFF},
    {"GET", "/admin", pk_page_admin, PK_KIND_PAGE, PK_ACCESS_ADMIN},
    /* waves: admins (/admin/gelombang/baru before /admin/gelombang/{n}) */
    {"GET", "/admin/gelombang", pk_page_waves, PK_KIND_PAGE, PK_ACCESS_ADMIN},
    {"GET", "/admin/gelombang/baru", pk_page_wave_new, PK_KIND_PAGE, PK_ACCESS_ADMIN},
    {"POST", "/admin/gelombang/baru", pk_page_wave_new, PK_KIND_PAGE, PK_ACCESS_ADMIN},
    {"GET", "/admin/gelombang/{n}", pk_page_wave, PK_KIND_PAGE, PK_ACCESS_ADMIN},
    {"POST", "/admin/gelombang/{n}", pk_page_wave, PK_KIND_PAGE, PK_ACCESS_ADMIN},
    /* the reminders' plan: operators in their region, admins */
    {"GET", "/pengingat", pk_page_remind, PK_KIND_PAGE, PK_ACCESS_OPERATOR},
    /* outreach events: every staff role reads those of its region, operators
     * (in their region) and admins write; /acara/baru before /acara/{id} */
    {"GET", "/acara", pk_page_events, PK_KIND_PAGE, PK_ACCESS_STAFF},
    {"GET", "/acara/baru", pk_page_event_new, PK_KIND_PAGE, PK_ACCESS_OPERATOR},
    {"POST", "/acara/baru", pk_page_event_new, PK_KIND_PAGE, PK_ACCESS_OPERATOR},
    {"GET", "/acara/{id}", pk_page_event, PK_KIND_PAGE, PK_ACCESS_STAFF},
    {"POST", "/acara/{id}", pk_page_event, PK_KIND_PAGE, PK_ACCESS_OPERATOR},
    {"GET", "/acara/{id}/qr.svg", pk_page_event_qr, PK_KIND_PAGE, PK_ACCESS_STAFF},
    {"GET", "/acara/{id}/kit", pk_page_event_kit, PK_KIND_PAGE, PK_ACCESS_STAFF},
    {"GET", "/acara/{id}/kit.pdf", pk_page_event_kit_pdf, PK_KIND_PAGE, PK_ACCESS_STAFF},
    /* the training catalogue: public data, every staff role */
    {"GET", "/katalog", pk_page_catalogue, PK_KIND_PAGE, PK_ACCESS_STAFF},
    {"POST", "/katalog", pk_page_catalogue, PK_KIND_PAGE, PK_ACCESS_ADMIN},
    /* personal data: admins, and operators inside their region (the store
     * applies the scope); /peserta/baru before /peserta/{id} */
    {"GET", "/peserta", pk_page_participants, PK_KIND_PAGE, PK_ACCESS_OPERATOR},
    {"POST", "/peserta", pk_page_participants, PK_KIND_PAGE, PK_ACCESS_OPERATOR},
    {"GET", "/peserta/baru", pk_page_participant_new, PK_KIND_PAGE, PK_ACCESS_OPERATOR},
    {"POST", "/peserta/baru", pk_page_participant_new, PK_KIND_PAGE, PK_ACCESS_OPERATOR},
    {"GET", "/peserta/{id}", pk_page_participant, PK_KIND_PAGE, PK_ACCESS_OPERATOR},
    {"POST", "/peserta/{id}", pk_page_participant, PK_KIND_PAGE, PK_ACCESS_OPERATOR},
};
#pragma GCC diagnostic pop
const size_t pk_nroutes = sizeof(pk_routes) / sizeof(pk_routes[0]);

/* Matches path against pattern.  Path parameters point into `scratch`
 * (a copy of the path with each parameter NUL-terminated). */
static bool match(const char *pattern, const char *path, char *scratch, size_t scratchlen,
                  pk_req *req)
{
    size_t plen = strlen(path);
    if (plen + 1 > scratchlen)
        return false;
    memcpy(scratch, path, plen + 1);
    req->nparams = 0;
    const char *p = pattern;
    char *s = scratch;
    for (;;) {
        if (*p == '{') {
            size_t n = strcspn(s, "/");
            if (n == 0 || req->nparams == PK_MAX_PARAMS)
                return false;
            req->params[req->nparams++] = s;
            p = strchr(p, '}') + 1;
            s += n;
            if (*p == '\0')
                return *s == '\0';
            if (*p != '/' || *s != '/')
                return false;
            *s++ = '\0';
            p++;
            continue;
        }
        if (*p != *s)
            return false;
        if (*p == '\0')
            return true;
        p++;
        s++;
    }
}

/* A page that needs a login: to /masuk, which comes back here after
 * (GET only: a form posted without a session is not replayed).
 * A session cookie that did not work is deleted, and the login page
 * told so (?sesi=berakhir): an outside review lost a half-filled
 * assisted registration to the idle limit without a word. */
static void login_redirect(const pk_app *app, pk_req *req, pk_resp *resp)
{
    char token[PK_SECRET_TEXT];
    bool stale = pk_req_cookie(req, PK_COOKIE_SESSION, token, sizeof(token));
    char loc[600] = "/masuk";
    if (stale)
        snprintf(loc, sizeof loc, "/masuk?sesi=%s",
                 strcmp(req->method, "GET") == 0 ? "berakhir" : "berakhir-formulir");
    if (strcmp(req->method, "GET") == 0 && strlen(req->path) < 180) {
        size_t n = strlen(loc);
        n += (size_t)snprintf(loc + n, sizeof(loc) - n, stale ? "&next=" : "?next=");
        for (const unsigned char *p = (const unsigned char *)req->path; *p; p++) {
            if (isalnum(*p) || strchr("/-._~", *p))
                loc[n++] = (char)*p;
            else
                n += (size_t)snprintf(loc + n, sizeof(loc) - n, "%%%02X", *p);
        }
        loc[n] = '\0';
    }
    if (stale)
        pk_resp_cookie(app, resp, PK_COOKIE_SESSION, "", 0);
    pk_resp_header(resp, "Location", loc);
    pk_html_error_page(app, resp, 303, "Silakan masuk",
                       "Halaman ini hanya untuk petugas. Silakan masuk terlebih dahulu.");
}

void pk_web_dispatch(void *ctx, pk_req *req, pk_resp *resp)
{
    const pk_app *app = ctx;
    /* a request answers "busy" rather than wait for a long import's locks */
    pk_app_request_thread(app);
    const char *method = strcmp(req->method, "HEAD") == 0 ? "GET" : req->method;
    char scratch[2048];
    char allow[128] = "";
    const pk_route *hit = NULL;
    bool is_api = strncmp(req->path, "/api/", 5) == 0 || strcmp(req->path, "/healthz") == 0 ||
                  strncmp(req->path, "/webhook/", 9) == 0;

    if (req->body_too_large) {
        req->route = "(body too large)";
        if (is_api)
            pk_reply_error(resp, 413, "isi_terlalu_besar", "Isi permintaan terlalu besar.",
                           NULL);
        else
            pk_html_error_page(app, resp, 413, "Isian terlalu besar",
                               "Isian formulir terlalu besar untuk diproses.");
        return;
    }
    for (size_t i = 0; i < pk_nroutes; i++) {
        const pk_route *r = &pk_routes[i];
        if (!match(r->pattern, req->path, scratch, sizeof(scratch), req))
            continue;
        if (strcmp(r->method, method) == 0) {
            hit = r;
            break;
        }
        if (!strstr(allow, r->method)) {
            size_t n = strlen(allow);
            snprintf(allow + n, sizeof(allow) - n, "%s%s", n ? ", " : "", r->method);
            if (strcmp(r->method, "GET") == 0 && !strstr(allow, "HEAD"))
                snprintf(allow + strlen(allow), sizeof(allow) - strlen(allow), ", HEAD");
        }
    }
    if (hit == NULL) {
        req->route = allow[0] ? "(method not allowed)" : "(not found)";
        if (allow[0]) {
            pk_resp_header(resp, "Allow", allow);
            if (is_api)
                pk_reply_error(resp, 405, "metode_tidak_diizinkan",
                               "Metode HTTP ini tidak didukung untuk alamat tersebut.", NULL);
            else
                pk_html_error_page(app, resp, 405, "Metode tidak diizinkan",
                                   "Halaman ini tidak dapat dibuka dengan cara tersebut.");
        } else if (is_api) {
            pk_reply_error(resp, 404, "tidak_ditemukan", "Alamat API tidak ditemukan.", NULL);
        } else {
            pk_html_error_page(app, resp, 404, "Halaman tidak ditemukan",
                               "Halaman yang Anda cari tidak ada. Periksa kembali alamatnya.");
        }
        return;
    }
    req->route = hit->pattern;
    if (pk_web_rate_limited(app, req, resp, hit->limit, hit->kind == PK_KIND_API))
        return;
    if (hit->access == PK_ACCESS_PUBLIC || hit->access == PK_ACCESS_WEBHOOK ||
        hit->access == PK_ACCESS_RESIDENT) {
        hit->handler(app, req, resp);
        return;
    }
    if (hit->access == PK_ACCESS_PLATFORM) {
        pk_web_platform(app, req, resp, hit->handler);
        return;
    }
    pk_principal who;
    bool api = hit->kind == PK_KIND_API;
    int rc = pk_web_authenticate(app, req, api, &who);
    if (pk_web_disk_full(app, rc)) { /* a session's last use is written */
        pk_reply_disk_full(app, resp, api);
        return;
    }
    if (rc == PK_EIO) {
        if (api)
            pk_reply_error(resp, 503, "layanan_sibuk", "Layanan sedang sibuk. Coba lagi.", NULL);
        else
            pk_html_error_page(app, resp, 503, "Layanan sibuk",
                               "Layanan sedang sibuk. Silakan coba lagi sebentar lagi.");
        return;
    }
    if (rc != 0) {
        if (api) {
            pk_resp_header(resp, "WWW-Authenticate", "Bearer realm=\"prakerja\"");
            pk_reply_error(resp, 401, "perlu_autentikasi",
                           "Sertakan token API yang berlaku: Authorization: Bearer <token>.",
                           NULL);
        } else {
            login_redirect(app, req, resp);
        }
        return;
    }
    if ((who.role & hit->access) == 0) {
        char actor[PK_ACTOR_MAX];
        pk_staff_actor(&who, actor);
        pk_access_record_refusal(app, actor, "route.forbidden", hit->pattern, 0);
        if (api)
            pk_reply_error(resp, 403, "akses_ditolak",
                           "Akun Anda tidak berhak memakai alamat API ini.", NULL);
        else {
            req->who = &who; /* the staff layout: the pages this account may open */
            pk_html_staff_error(app, req, resp, 403, "Akses ditolak",
                                "Akun Anda tidak berhak membuka halaman ini.");
            req->who = NULL;
        }
        return;
    }
    req->who = &who;
    hit->handler(app, req, resp);
    req->who = NULL;
}
