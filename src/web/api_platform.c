/* api_platform.c -- the platform API (/api/v1/platform/...): the
 * middleware every signed request goes through, and its handlers.
 *
 * The middleware reads the headers (X-Prakerja-Platform, -Timestamp,
 * -Nonce, -Signature and Idempotency-Key), has the app check them
 * (app/platform.c: the one place the protocol is), and answers a retry
 * with the answer kept for its key before any handler runs.  A handler
 * sees a verified platform in req->platform and answers as any API
 * handler; what it answers is kept for the key.  Also the public read of
 * the training catalogue (GET /api/v1/courses). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/catalogue.h"
#include "app/platform.h"
#include "web/web.h"

void pk_web_platform(const pk_app *app, pk_req *req, pk_resp *resp, pk_handler handler)
{
    pk_platform_request r = {
        .method = req->method,
        .path = req->path,
        .platform = pk_req_header(req, "X-Prakerja-Platform"),
        .timestamp = pk_req_header(req, "X-Prakerja-Timestamp"),
        .nonce = pk_req_header(req, "X-Prakerja-Nonce"),
        .signature = pk_req_header(req, "X-Prakerja-Signature"),
        .key = pk_req_header(req, "Idempotency-Key"),
        .body = req->body,
        .body_len = req->body_len,
        .now = (int64_t)time(NULL),
    };
    pk_platform_caller caller;
    pk_platform_verdict v;
    int rc = pk_platform_verify(app, &r, &caller, &v);
    bool found = false;
    int status = 0;
    if (rc == 0 && v == PK_PLATFORM_OK) {
        pk_buf_reset(&resp->body);
        rc = pk_platform_answer_find(app, &caller, &found, &status, &resp->body, &v);
    }
    if (rc != 0) {
        if (pk_web_disk_full(app, rc))
            pk_reply_disk_full(app, resp, true);
        else
            pk_reply_error(resp, 503, "layanan_sibuk", "Layanan sedang sibuk. Coba lagi.", NULL);
        return;
    }
    if (v != PK_PLATFORM_OK) {
        int st = pk_platform_refusal_status(v);
        if (st == 401)
            pk_resp_header(resp, "WWW-Authenticate", "Prakerja-HMAC-SHA256");
        pk_reply_error(resp, st, pk_platform_refusal_code(v), pk_platform_refusal_message(v),
                       NULL);
        return;
    }
    if (found) { /* a retry: the first answer, byte for byte */
        resp->status = status;
        resp->content_type = "application/json; charset=utf-8";
        pk_resp_header(resp, "Idempotent-Replayed", "true");
        return;
    }
    req->platform = &caller;
    handler(app, req, resp);
    req->platform = NULL;
    status = resp->status;
    if ((rc = pk_platform_answer_keep(app, &caller, &status, &resp->body)) != 0)
        pk_app_log(app, "platform %s: the answer to a request could not be kept (%d)",
                   caller.code, rc);
    resp->status = status;
}

/* POST /api/v1/platform/ping: whether the credentials and the signing
 * work, and the server's clock. */
void pk_api_platform_ping(const pk_app *app, pk_req *req, pk_resp *resp)
{
    (void)app;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char at[40], now[64];
    strftime(at, sizeof(at), "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(now, sizeof(now), "%s.%06ldZ", at, ts.tv_nsec / 1000);
    pk_reply_json(resp, 200,
                  json_pack("{s:s, s:s, s:I}", "platform", req->platform->code, "waktu_server",
                            now, "unix", (json_int_t)ts.tv_sec));
}

/* ---- the training catalogue (public) ---- */

static int add_course(void *ctx, const pk_course_view *c)
{
    json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:s}", "platform", c->platform,
                          "kode_pelatihan", c->course_ref, "judul", c->title, "lpk", c->provider,
                          "harga", (json_int_t)c->price, "mode", c->mode);
    return o != NULL && json_array_append_new(ctx, o) == 0 ? 0 : PK_ENOMEM;
}

/* A whole number in [lo, hi] from the query, or def when absent; false
 * when malformed. */
static bool int_param(pk_req *req, const char *name, long long lo, long long hi,
                      long long def, long long *out)
{
    const char *q = pk_req_query(req, name);
    *out = def;
    if (q == NULL || q[0] == '\0')
        return true;
    if (strlen(q) > 18 || strspn(q, "0123456789") != strlen(q))
        return false;
    *out = strtoll(q, NULL, 10);
    return *out >= lo && *out <= hi;
}

/* GET /api/v1/courses?after=ID&limit=N: a page of the catalogue in id
 * order; "berikutnya" is the `after` of the next page (null: the last). */
void pk_api_courses(const pk_app *app, pk_req *req, pk_resp *resp)
{
    long long after, limit;
    if (!int_param(req, "after", 0, INT64_MAX, 0, &after) ||
        !int_param(req, "limit", 1, 500, 100, &limit)) {
        pk_reply_error(resp, 400, "parameter_tidak_valid",
                       "Parameter after harus bilangan bulat >= 0 dan limit antara 1 dan 500.",
                       NULL);
        return;
    }
    json_t *arr = json_array();
    int64_t next = 0;
    int rc = arr ? pk_catalogue_page(app, after, (int)limit, add_course, arr, &next) : PK_ENOMEM;
    if (rc != 0) {
        json_decref(arr);
        pk_reply_error(resp, 503, "layanan_sibuk", "Layanan sedang sibuk. Coba lagi.", NULL);
        return;
    }
    pk_reply_json(resp, 200, json_pack("{s:o, s:o}", "pelatihan", arr, "berikutnya",
                                       next ? json_integer(next) : json_null()));
}
