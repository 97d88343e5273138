/* api_webhook.c -- the webhooks the gateways call (app/webhook.h):
 *
 *   GET  /webhook/whatsapp   the Cloud API's verification handshake
 *                            (hub.mode, hub.verify_token, hub.challenge)
 *   POST /webhook/whatsapp   statuses and messages, signed with
 *                            X-Hub-Signature-256
 *   POST /webhook/sms        the SMS gateway's delivery reports and inbound
 *                            messages (form or JSON), with the shared secret
 *                            in the header X-Webhook-Secret (or the query
 *                            parameter kunci, for a gateway that cannot send
 *                            a header: the access log keeps the route
 *                            pattern, never the query)
 *
 * Routes of PK_ACCESS_WEBHOOK: no session or token counts; the
 * credential is the route's own.  A webhook whose setting is empty
 * answers 404 webhook_tidak_aktif (the service does not take it); a
 * missing or wrong credential 401 with its code, changing nothing; a
 * body that is not what the gateway sends 400; a store error 503 (the
 * gateway retries: a repeat changes nothing).  Anything else is 200
 * quickly, including items about messages this service does not know. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app/webhook.h"
#include "web/form.h"
#include "web/web.h"

static void not_enabled(pk_resp *resp, const char *which)
{
    char msg[96];
    snprintf(msg, sizeof msg, "Webhook %s belum diaktifkan di layanan ini.", which);
    pk_reply_error(resp, 404, "webhook_tidak_aktif", msg, NULL);
}

static void busy(pk_resp *resp)
{
    pk_reply_error(resp, 503, "layanan_sibuk", "Layanan sedang sibuk. Coba lagi.", NULL);
}

typedef struct apply_ctx {
    const pk_app *app;
    int64_t now;
    pk_webhook_summary sum;
    int items;
} apply_ctx;

static int apply_one(void *ctx, const pk_inbound *in)
{
    apply_ctx *a = ctx;
    a->items++;
    int rc = pk_webhook_apply(a->app, in, a->now, &a->sum);
    return rc == 0 ? 0 : rc < 0 ? rc : PK_EIO;
}

static void accepted(pk_resp *resp, const apply_ctx *a)
{
    const pk_webhook_summary *s = &a->sum;
    pk_reply_json(resp, 200,
                  json_pack("{s:b,s:i,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "diterima", 1,
                            "butir", a->items, "tanda_terima", (json_int_t)s->receipts,
                            "dialihkan", (json_int_t)s->fallbacks, "catatan",
                            (json_int_t)s->notes, "berhenti", (json_int_t)s->stopped,
                            "mulai", (json_int_t)s->started, "tidak_dikenal",
                            (json_int_t)s->unknown, "ulangan", (json_int_t)s->repeats,
                            "diabaikan", (json_int_t)s->ignored));
}

void pk_api_webhook_whatsapp_verify(const pk_app *app, pk_req *req, pk_resp *resp)
{
    int rc = pk_webhook_wa_handshake(app, pk_req_query(req, "hub.mode"),
                                     pk_req_query(req, "hub.verify_token"));
    if (rc == PK_ENOENT) {
        not_enabled(resp, "WhatsApp");
        return;
    }
    if (rc != 0) {
        pk_reply_error(resp, 403, "token_verifikasi_salah",
                       "hub.mode harus subscribe dan hub.verify_token harus cocok.", NULL);
        return;
    }
    const char *challenge = pk_req_query(req, "hub.challenge");
    size_t n = challenge != NULL ? strlen(challenge) : 0;
    if (n == 0 || n > 128 || strspn(challenge, "0123456789abcdefghijklmnopqrstuvwxyz"
                                               "ABCDEFGHIJKLMNOPQRSTUVWXYZ-_.") != n) {
        pk_reply_error(resp, 400, "parameter_tidak_valid",
                       "hub.challenge wajib: huruf, angka, '-', '_' atau '.', paling banyak "
                       "128.",
                       NULL);
        return;
    }
    resp->status = 200;
    resp->content_type = "text/plain; charset=utf-8";
    pk_buf_adds(&resp->body, challenge);
}

void pk_api_webhook_whatsapp(const pk_app *app, pk_req *req, pk_resp *resp)
{
    int rc = pk_webhook_wa_verify(app, req->body, req->body_len,
                                  pk_req_header(req, "X-Hub-Signature-256"));
    if (rc == PK_ENOENT) {
        not_enabled(resp, "WhatsApp");
        return;
    }
    if (rc != 0) {
        pk_resp_header(resp, "WWW-Authenticate", "X-Hub-Signature-256");
        pk_reply_error(resp, 401, "tanda_tangan_tidak_valid",
                       "Tanda tangan X-Hub-Signature-256 tidak ada atau tidak cocok.", NULL);
        return;
    }
    apply_ctx a = {.app = app, .now = (int64_t)time(NULL)};
    rc = pk_webhook_wa_parse(req->body, req->body_len, apply_one, &a);
    if (rc == PK_EINVAL && a.items == 0) {
        pk_reply_error(resp, 400, "json_tidak_valid", "Isi permintaan bukan objek JSON.", NULL);
        return;
    }
    if (rc != 0) {
        busy(resp);
        return;
    }
    accepted(resp, &a);
}

static const char *form_field(void *ctx, const char *name)
{
    return pk_form_get(ctx, name);
}

void pk_api_webhook_sms(const pk_app *app, pk_req *req, pk_resp *resp)
{
    const char *given = pk_req_header(req, "X-Webhook-Secret");
    if (given == NULL)
        given = pk_req_query(req, "kunci");
    int rc = pk_webhook_sms_verify(app, given);
    if (rc == PK_ENOENT) {
        not_enabled(resp, "SMS");
        return;
    }
    if (rc != 0) {
        pk_resp_header(resp, "WWW-Authenticate", "X-Webhook-Secret");
        pk_reply_error(resp, 401, "kunci_webhook_tidak_valid",
                       "Kunci webhook (X-Webhook-Secret) tidak ada atau tidak cocok.", NULL);
        return;
    }
    apply_ctx a = {.app = app, .now = (int64_t)time(NULL)};
    char ct[64];
    pk_req_content_type(req, ct, sizeof ct);
    if (strcmp(ct, "application/json") == 0) {
        rc = pk_webhook_sms_parse_json(&app->cfg, req->body, req->body_len, apply_one, &a);
    } else {
        pk_form f;
        rc = pk_form_parse(req->body, req->body_len, &f);
        if (rc == 0)
            rc = pk_webhook_sms_parse(&app->cfg, form_field, &f, apply_one, &a);
        else if (rc != PK_ENOMEM)
            rc = PK_EINVAL;
        pk_form_free(&f);
    }
    if (rc == PK_EINVAL && a.items == 0) {
        pk_reply_error(resp, 400, "laporan_tidak_dikenal",
                       "Isi bukan laporan pengiriman atau pesan masuk yang dikenal: periksa "
                       "pengaturan sms_dr_* dan sms_mo_*.",
                       NULL);
        return;
    }
    if (rc != 0) {
        busy(resp);
        return;
    }
    accepted(resp, &a);
}
