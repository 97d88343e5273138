/* web.h -- what the handlers share: the route table's handler type, the
 * reply helpers, and every handler's prototype (one file per page or API
 * area defines them; routes.c lists them all in one table). */
#ifndef PK_WEB_H
#define PK_WEB_H

#include <jansson.h>

#include "app/app.h"
#include "app/auth.h"
#include "app/resident.h"
#include "core/journey.h"
#include "web/http.h"
#include "web/ratelimit.h"

typedef void (*pk_handler)(const pk_app *app, pk_req *req, pk_resp *resp);

/* Who may call a route: anyone (public), or the set of roles
 * (PK_ROLE_* bits of app/auth.h) whose logged-in users or API clients
 * may.  Dispatch enforces it: 401 (API) or a redirect to /masuk (pages)
 * without credentials, 403 for a role outside the set. */
typedef unsigned pk_access;
#define PK_ACCESS_PUBLIC 0u
#define PK_ACCESS_ADMIN PK_ROLE_ADMIN
#define PK_ACCESS_STAFF PK_ROLES_STAFF /* admin, operator, viewer */
#define PK_ACCESS_OPERATOR (PK_ROLE_ADMIN | PK_ROLE_OPERATOR) /* personal data: no viewer */
/* No account: a digital platform's signed request (app/platform.h), checked
 * by pk_web_platform before the handler, whose answer is kept for the
 * request's Idempotency-Key. */
#define PK_ACCESS_PLATFORM (1u << 8)
/* No account: a gateway's webhook (api_webhook.c), which checks the
 * route's own credential (a signature, a shared secret, the verification
 * token) itself; a session or an API token counts for nothing there. */
#define PK_ACCESS_WEBHOOK (1u << 9)
/* No account: a resident's own session (the pk_warga cookie of Akun saya),
 * which the handler checks (pk_web_resident); a staff session or an API
 * token counts for nothing there. */
#define PK_ACCESS_RESIDENT (1u << 10)

typedef enum {
    PK_KIND_API,  /* answers JSON, errors as {"error": ...} */
    PK_KIND_PAGE  /* answers HTML, errors as a page */
} pk_kind;

typedef struct pk_route {
    const char *method;
    const char *pattern;  /* "/api/v1/nik/{nik}": {x} matches one segment */
    pk_handler handler;
    pk_kind kind;
    pk_access access;
    pk_limit limit;       /* rate-limit class per client address (web/ratelimit.h) */
} pk_route;

/* The table, for dispatch and for the tests that check it against the
 * OpenAPI document. */
extern const pk_route pk_routes[];
extern const size_t pk_nroutes;

/* The http dispatch callback; ctx is the pk_app. */
void pk_web_dispatch(void *ctx, pk_req *req, pk_resp *resp);

/* The platform API's middleware (api_platform.c): checks the signature,
 * timestamp, nonce and idempotency key of a request to a
 * PK_ACCESS_PLATFORM route (401/400/422 with the reason's code), answers
 * a retry with the answer kept for its key, else runs `handler` with
 * req->platform set and keeps its answer. */
void pk_web_platform(const pk_app *app, pk_req *req, pk_resp *resp, pk_handler handler);

/* JSON replies.  `body` is stolen. */
void pk_reply_json(pk_resp *resp, int status, json_t *body);
/* {"error": {"code", "message", "fields": [...]}}; fields stolen (NULL: []). */
void pk_reply_error(pk_resp *resp, int status, const char *code, const char *message,
                    json_t *fields);
/* Requires Content-Type application/json and a JSON object body (no
 * duplicate keys, bounded depth).  On failure replies 415/400 and
 * returns NULL. */
json_t *pk_read_json_object(pk_req *req, pk_resp *resp);

/* A write the database's full disk refused: rc PK_ENOSPC, or a failure
 * (PK_EIO) while the store says its disk is full (the registry's group
 * commit reports a failed batch as PK_EIO).  Answered 507 with code
 * penyimpanan_penuh and this one message, in JSON on the API
 * (pk_reply_disk_full) and on every page (an error page, or the form
 * again with what was typed kept). */
#define PK_MSG_DISK_FULL                                                                   \
    "Penyimpanan data layanan sedang penuh, sehingga data belum dapat disimpan. Tidak "    \
    "ada data yang tersimpan; silakan coba lagi nanti."
bool pk_web_disk_full(const pk_app *app, int rc);
/* 507 penyimpanan_penuh: {"error": ...} when api, else an error page. */
void pk_reply_disk_full(const pk_app *app, pk_resp *resp, bool api);

/* 400 parameter_tidak_valid naming the region parameter `name`. */
void pk_reply_region_invalid(pk_resp *resp, const char *name);
/* Reads an optional region-code query parameter: *out is NULL when it is
 * absent.  Returns false after replying 400 (malformed) or 404 (unknown). */
bool pk_api_region_param(const pk_app *app, pk_req *req, pk_resp *resp, const char *name,
                         const pk_region **out);

/* The funnel's query (api_funnel.c; the API and /corong): the day
 * "at risk" is counted from (today in Jakarta unless `date_name` names
 * one) and the event (0: none).  0, 1 (a malformed date) or 2 (a
 * malformed event number). */
int pk_web_funnel_query(pk_req *req, const char *date_name, const char *event_name,
                        pk_date *today, int64_t *event);

/* API */
void pk_api_healthz(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_api_openapi(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_api_nik(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_api_regions(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_api_schemes(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_api_scheme(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_api_eligibility(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_api_timeline(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_api_participants_create(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_api_stats(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_api_funnel(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_api_me(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_api_status(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_api_platform_ping(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_api_platform_purchase(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_api_platform_cancel(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_api_platform_completion(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_api_platform_review(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_api_courses(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_api_participant_journey(const pk_app *app, pk_req *req, pk_resp *resp);
/* the gateways' webhooks (api_webhook.c) */
void pk_api_webhook_whatsapp_verify(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_api_webhook_whatsapp(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_api_webhook_sms(const pk_app *app, pk_req *req, pk_resp *resp);

/* GET /metrics (metrics.c): Prometheus text, for a scraper on this
 * machine or a staff account; and the http layer's observer that counts
 * every answered request (pk_http_opts.observe). */
void pk_web_metrics(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_web_metrics_observe(const char *method, const char *route, int status, double seconds);

/* Pages */
void pk_page_home(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_page_eligibility(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_page_timeline(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_page_faq(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_page_nik(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_page_status(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_page_register(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_page_static(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_page_root_file(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_page_login(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_page_logout(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_page_dashboard(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_page_funnel(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_page_admin(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_page_participants(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_page_participant(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_page_participant_new(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_page_register_done(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_page_waves(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_page_wave_new(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_page_wave(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_page_catalogue(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_page_remind(const pk_app *app, pk_req *req, pk_resp *resp);   /* page_remind.c */
/* Outreach events (page_outreach.c: list, create, one event with its
 * edit form; page_outreach_kit.c: the QR code, the printable kit as HTML
 * and as PDF) and an event's public short link (page_register.c). */
void pk_page_events(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_page_event_new(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_page_event(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_page_event_qr(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_page_event_kit(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_page_event_kit_pdf(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_page_short_link(const pk_app *app, pk_req *req, pk_resp *resp);
/* The event id of /acara/{id}/...: false when the segment is no id. */
bool pk_event_id_param(const pk_req *req, int64_t *id);
/* "Akun saya" (page_account.c): the residents' own pages, behind their
 * own session (app/resident.h), public routes that check it themselves. */
void pk_page_account_login(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_page_account_phone(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_page_account(const pk_app *app, pk_req *req, pk_resp *resp);
void pk_page_account_logout(const pk_app *app, pk_req *req, pk_resp *resp);
/* The resident of the request's session cookie (page_account.c): 0,
 * PK_ENOENT (none, unknown or expired), PK_EIO. */
int pk_web_resident(const pk_app *app, pk_req *req, pk_resident *who);
/* GET /api/v1/waves: every wave (api_waves.c). */
void pk_api_waves(const pk_app *app, pk_req *req, pk_resp *resp);
/* POST /api/v1/waves/{n}/applications: the signed-in resident joins. */
void pk_api_wave_apply(const pk_app *app, pk_req *req, pk_resp *resp);
/* Its journey part (page_account_view.c): status, next step (naming the
 * open waves when waves_open), balance, trainings, incentives, surveys,
 * events; false when the journey could not be read (then it says so). */
bool pk_page_account_view(const pk_app *app, const pk_req *req, pk_buf *b, int64_t pid,
                          bool waves_open, pk_journey *state);
/* The reminders' section of a participant's page (consent, the latest
 * messages, a preview of each reminder's texts for them). */
void pk_page_remind_person(const pk_app *app, pk_buf *b, int64_t id, const char *region);
void pk_page_unsubscribe(const pk_app *app, pk_req *req, pk_resp *resp); /* page_unsubscribe.c */
/* The journey section of /peserta/{id} (page_journey.c): a personal
 * read of its own, scoped and access-logged (app/journey_view.h). */
void pk_page_journey(const pk_app *app, const pk_req *req, pk_buf *b, int64_t id,
                     const char *scope, const char *actor);

/* Cookies of the portal. */
#define PK_COOKIE_SESSION "pk_sesi"
#define PK_COOKIE_FORM "pk_csrf"
#define PK_COOKIE_RECEIPT "pk_daftar" /* the sealed receipt of a registration (app/receipt.h) */
#define PK_COOKIE_EVENT "pk_acara"    /* an outreach event's code, from its short link */
/* The value of a request cookie into out; false when absent or malformed. */
bool pk_req_cookie(const pk_req *req, const char *name, char *out, size_t cap);
/* Adds a Set-Cookie (HttpOnly, SameSite=Lax, Secure when configured). */
void pk_resp_cookie(const pk_app *app, pk_resp *resp, const char *name, const char *value,
                    long max_age);
/* The same for a cookie sent only to paths under `path`. */
void pk_resp_cookie_path(const pk_app *app, pk_resp *resp, const char *name, const char *value,
                         const char *path, long max_age);

#endif
