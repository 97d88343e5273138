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
#include "app/purchase.h"
#include "core/card.h"
#include "web/json.h"
#include "web/page_form.h"
#include "web/ratelimit.h"
#include "web/web.h"

/* The handler of a verified request, run by pk_platform_exec inside the
 * request's transaction. */
typedef struct platform_call {
    const pk_app *app;
    pk_req *req;
    pk_resp *resp;
    pk_handler handler;
} platform_call;

static int run_handler(void *ctx, const pk_platform_caller *c, int *status, pk_buf *body)
{
    platform_call *pc = ctx;
    (void)body; /* the answer's body: pc->resp->body itself */
    pc->resp->status = 200;
    pc->req->platform = c;
    pc->req->platform_rc = 0;
    pc->handler(pc->app, pc->req, pc->resp);
    pc->req->platform = NULL;
    *status = pc->resp->status;
    return pc->req->platform_rc;
}

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
    int status = 0;
    bool replayed = false;
    int rc = pk_platform_verify(app, &r, &caller, &v);
    if (rc == 0 && v == PK_PLATFORM_OK) {
        platform_call pc = {app, req, resp, handler};
        rc = pk_platform_exec(app, &caller, run_handler, &pc, &status, &resp->body, &replayed,
                              &v);
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
    resp->status = status;
    resp->content_type = "application/json; charset=utf-8";
    if (replayed) /* a retry: the first answer, byte for byte */
        pk_resp_header(resp, "Idempotent-Replayed", "true");
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

/* ---- purchases (app/purchase.h) ---- */

/* An instant as ISO 8601 in WIB ("2021-03-05T10:00:00+07:00"). */
static void instant_wib(int64_t at, char out[32])
{
    time_t t = (time_t)(at + 7 * 3600);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%S+07:00", &tm);
}

/* The answer to an operation the app refused or could not do; true when
 * it answered (the handler is done). */
static bool refused(pk_req *req, pk_resp *resp, int rc, const pk_purchase_result *r)
{
    if (rc != 0) {
        req->platform_rc = rc; /* undone: 503, or done again */
        return true;
    }
    if (r->clash) {
        pk_reply_error(resp, 422, pk_platform_refusal_code(PK_PLATFORM_KEY_CLASH),
                       pk_platform_refusal_message(PK_PLATFORM_KEY_CLASH), NULL);
        return true;
    }
    if (r->refused == PK_C__COUNT)
        return false;
    int status;
    switch (r->refused) {
    case PK_C_PEMBELIAN_TIDAK_DIKENAL: status = 404; break;
    case PK_C_KARTU_TIDAK_DIKENAL:
    case PK_C_KARTU_DIGANTI:
    case PK_C_PELATIHAN_TIDAK_DIKENAL:
    case PK_C_ULASAN_TIDAK_VALID:
    case PK_C_SERTIFIKAT_TIDAK_VALID: status = 422; break;
    default: status = 409; break;   /* the journey's state: balance, revoked, ... */
    }
    json_t *fields = json_array();
    const char *field = pk_code_field(r->refused);
    if (field != NULL && status == 422)
        pk_json_field_error(fields, field, pk_code_name(r->refused),
                            pk_code_message(r->refused));
    pk_reply_error(resp, status, pk_code_name(r->refused), pk_code_message(r->refused), fields);
    return true;
}

/* The body's string member `name`, or NULL after adding its error to fields. */
static const char *member(json_t *root, const char *name, json_t *fields, const char *message)
{
    json_t *v = json_object_get(root, name);
    if (json_is_string(v) && json_string_length(v) > 0)
        return json_string_value(v);
    pk_json_field_error(fields, name, "wajib_diisi", message);
    return NULL;
}

static bool invalid(pk_resp *resp, json_t *fields)
{
    if (json_array_size(fields) == 0) {
        json_decref(fields);
        return false;
    }
    pk_reply_error(resp, 422, "data_tidak_valid", "Periksa kembali data yang dikirim.", fields);
    return true;
}

static json_t *answer(const pk_purchase_result *r)
{
    char at[32];
    instant_wib(r->at, at);
    return json_pack("{s:s, s:s, s:I, s:I, s:s}", "ref", r->ref, "kode_pelatihan", r->course,
                     "jumlah", (json_int_t)r->amount, "sisa_saldo", (json_int_t)r->balance,
                     "waktu", at);
}


/* POST /api/v1/platform/purchases {"nomor_kartu", "kode_pelatihan"}:
 * 201 with the purchase's ref, its price and the balance left. */
void pk_api_platform_purchase(const pk_app *app, pk_req *req, pk_resp *resp)
{
    json_t *root = pk_read_json_object(req, resp);
    if (root == NULL)
        return;
    json_t *fields = json_array();
    const char *card = member(root, "nomor_kartu", fields,
                              "Nomor Kartu Prakerja wajib diisi (teks 16 angka).");
    const char *course = member(root, "kode_pelatihan", fields,
                                "Kode pelatihan di platform wajib diisi.");
    pk_purchase_result r;
    if (!invalid(resp, fields) && !pk_web_card_limited(app, req->platform->code, resp)) {
        /* as its holder copies it from Akun saya ("9900 3151 7545
         * 0380"): an outside test found the shown form refused */
        card = pk_form_id16(req, card);
        int rc = pk_purchase_buy(app, req->platform, card, course, &r);
        /* only a well-formed number (16 digits, its Luhn digit right) is a
         * try at someone's card; a typo's check digit is wrong 9 times in
         * 10, and counts not against the platform */
        if (rc == 0 && r.refused == PK_C_KARTU_TIDAK_DIKENAL && pk_card_valid(card))
            pk_web_card_missed(app, req->platform->code);
        if (!refused(req, resp, rc, &r)) {
            json_t *o = answer(&r);
            json_object_set_new(o, "platform", json_string(req->platform->code));
            pk_reply_json(resp, 201, o);
        }
    }
    json_decref(root);
}

/* The purchase's ref in the path, and an object body (may be {}). */
static json_t *ref_and_body(pk_req *req, pk_resp *resp, const char **ref)
{
    *ref = req->nparams > 0 ? req->params[0] : "";
    return pk_read_json_object(req, resp);
}

/* POST /api/v1/platform/purchases/{ref}/cancel: the amount back on the balance. */
void pk_api_platform_cancel(const pk_app *app, pk_req *req, pk_resp *resp)
{
    const char *ref;
    json_t *root = ref_and_body(req, resp, &ref);
    if (root == NULL)
        return;
    pk_purchase_result r;
    int rc = pk_purchase_cancel(app, req->platform, ref, &r);
    if (!refused(req, resp, rc, &r)) {
        json_t *o = answer(&r);
        json_object_set_new(o, "ref_pembatalan", json_string(r.op_ref));
        pk_reply_json(resp, 200, o);
    }
    json_decref(root);
}

/* POST /api/v1/platform/purchases/{ref}/completion {"nomor_sertifikat"} */
void pk_api_platform_completion(const pk_app *app, pk_req *req, pk_resp *resp)
{
    const char *ref;
    json_t *root = ref_and_body(req, resp, &ref);
    if (root == NULL)
        return;
    json_t *fields = json_array();
    const char *cert = member(root, "nomor_sertifikat", fields,
                              "Nomor sertifikat wajib diisi.");
    pk_purchase_result r;
    if (!invalid(resp, fields)) {
        int rc = pk_purchase_complete(app, req->platform, ref, cert, &r);
        if (!refused(req, resp, rc, &r)) {
            json_t *o = answer(&r);
            json_object_set_new(o, "nomor_sertifikat", json_string(cert));
            pk_reply_json(resp, 201, o);
        }
    }
    json_decref(root);
}

/* POST /api/v1/platform/purchases/{ref}/review {"bintang": 1-5, "ulasan": text} */
void pk_api_platform_review(const pk_app *app, pk_req *req, pk_resp *resp)
{
    const char *ref;
    json_t *root = ref_and_body(req, resp, &ref);
    if (root == NULL)
        return;
    json_t *stars = json_object_get(root, "bintang");
    json_t *text = json_object_get(root, "ulasan");
    json_t *fields = json_array();
    if (!json_is_integer(stars))
        pk_json_field_error(fields, "bintang", "wajib_diisi",
                            "Bintang wajib diisi: bilangan bulat 1 sampai 5.");
    if (text != NULL && !json_is_string(text) && !json_is_null(text))
        pk_json_field_error(fields, "ulasan", "ulasan_tidak_valid",
                            "Ulasan harus berupa teks.");
    pk_purchase_result r;
    if (!invalid(resp, fields)) {
        json_int_t n = json_integer_value(stars);
        int rc = pk_purchase_review(app, req->platform, ref, n < 0 || n > 5 ? 0 : (int)n,
                                    json_is_string(text) ? json_string_value(text) : "", &r);
        if (!refused(req, resp, rc, &r)) {
            json_t *o = answer(&r);
            json_object_set_new(o, "bintang", json_integer(n));
            pk_reply_json(resp, 201, o);
        }
    }
    json_decref(root);
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
