/* channel_whatsapp.c -- the `whatsapp` channel: template messages through
 * the WhatsApp Business Cloud API (reminders.md "Channels").
 *
 *   POST {whatsapp_url}/{whatsapp_phone_id}/messages
 *   Authorization: Bearer {whatsapp_token}
 *   {"messaging_product":"whatsapp","recipient_type":"individual",
 *    "to":"6281234567890","type":"template",
 *    "template":{"name":"pk_beli_pelatihan","language":{"code":"id"},
 *      "components":[{"type":"body","parameters":[{"type":"text","text":"12 Mar 2021"}]}]}}
 *
 * An accepted message is answered 200 with {"messages":[{"id":"wamid..."}]}
 * (the provider id); a refused one with an HTTP error and
 * {"error":{"message":..,"type":..,"code":N,"error_data":{"details":..}}}.
 * The codes are mapped (classify below) to
 *  - PERMANENT: this person cannot be reached on WhatsApp (131026 not a
 *    WhatsApp user / undeliverable, 131030 not in the allowed list,
 *    131021 recipient is the sender, 100 invalid parameter naming the
 *    number), and a number that is not E.164 is refused before sending;
 *  - TEMPORARY: rate limits (130429 throughput, 131048 spam rate limit,
 *    131056 pair rate limit, 80007 and 4 account/app limits), 131000
 *    something went wrong, 1 and 2 service trouble, HTTP 5xx and 429,
 *    timeouts and refused connections; Retry-After is honoured;
 *  - a CONFIGURATION problem (190 or HTTP 401 bad token, 10 and 200
 *    permission, 132000/132001 template, 131031 account locked, 100 not
 *    about the number): TEMPORARY for the whole rest of the batch with a
 *    clear error, so that a broken setting does not burn people's
 *    fallback to SMS.
 * Nothing of the number or the text is logged: errors carry the code and
 * the API's words with digit runs masked. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/channel.h"
#include "app/channel_http.h"
#include "core/pk.h"

typedef struct wa {
    pk_chan c;
    pk_http *http;
    char url[1200];
    char auth[600];
} wa;

/* "+6281234567890" -> "6281234567890" (the API takes the digits);
 * false when it is not E.164 (a plus, 8 to 15 digits, no leading 0). */
static bool e164_digits(const char *to, char *out, size_t cap)
{
    if (to == NULL || to[0] != '+' || to[1] < '1' || to[1] > '9')
        return false;
    size_t n = strlen(to + 1);
    if (n < 8 || n > 15 || n >= cap || strspn(to + 1, "0123456789") != n)
        return false;
    memcpy(out, to + 1, n + 1);
    return true;
}

static char *body_of(const pk_msg *m, const char *digits)
{
    json_t *params = json_array();
    for (size_t i = 0; i < m->wa_nparams && i < PK_MSG_PARAMS_MAX; i++)
        json_array_append_new(params, json_pack("{s:s,s:s}", "type", "text", "text",
                                                m->wa_params[i] ? m->wa_params[i] : ""));
    json_t *comps = json_array();
    if (json_array_size(params) > 0)
        json_array_append_new(comps, json_pack("{s:s,s:o}", "type", "body", "parameters", params));
    else
        json_decref(params);
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:{s:s,s:{s:s},s:o}}", "messaging_product",
                          "whatsapp", "recipient_type", "individual", "to", digits, "type",
                          "template", "template", "name", m->wa_template ? m->wa_template : "",
                          "language", "code", "id", "components", comps);
    if (o == NULL)
        return NULL;
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return s;
}

typedef enum { K_OK, K_TEMP, K_PERM, K_CONFIG } klass;

static bool mentions_number(const char *s)
{
    return s != NULL && (strstr(s, "phone") != NULL || strstr(s, "recipient") != NULL ||
                         strstr(s, "'to'") != NULL || strstr(s, "\"to\"") != NULL ||
                         strstr(s, "number") != NULL);
}

pk_wa_class pk_whatsapp_error_class(long code, long http_status, const char *msg,
                                    const char *details)
{
    switch (code) {
    case 131026: case 131030: case 131021:
        return PK_WA_PERMANENT;
    case 100:
        return mentions_number(details) || mentions_number(msg) ? PK_WA_PERMANENT
                                                                : PK_WA_CONFIG;
    case 190: case 10: case 200: case 131031: case 132000: case 132001: case 132005:
    case 132007: case 132012: case 132015: case 132016: case 133010:
        return PK_WA_CONFIG;
    case 130429: case 131048: case 131056: case 131000: case 80007: case 4: case 1: case 2:
    case 133004: case 131016:
        return PK_WA_TEMPORARY;
    default:
        if (http_status == 401 || http_status == 403)
            return PK_WA_CONFIG;
        if (http_status == 429 || http_status >= 500 || http_status == 408)
            return PK_WA_TEMPORARY;
        return PK_WA_CONFIG; /* an error we do not know: nobody's fallback burnt on it */
    }
}

/* The class of one answer and, for staff, why. */
static klass classify(const pk_http_resp *r, pk_send_result *res)
{
    if (r->status == 0) {
        snprintf(res->error, sizeof res->error, "whatsapp: %s", pk_http_strerror(r->curl_rc));
        return K_TEMP;
    }
    json_error_t je;
    json_t *root = json_loadb(pk_buf_str(&r->body), r->body.len, 0, &je);
    if (r->status >= 200 && r->status < 300) {
        json_t *id = pk_json_path(root, "messages.0.id");
        klass k = K_OK;
        if (json_is_string(id) && strlen(json_string_value(id)) < sizeof res->provider_id) {
            snprintf(res->provider_id, sizeof res->provider_id, "%s", json_string_value(id));
        } else {
            snprintf(res->error, sizeof res->error,
                     "whatsapp: HTTP %ld without messages[0].id", r->status);
            k = K_TEMP; /* taken or not, nobody can tell: the outbox decides */
        }
        json_decref(root);
        return k;
    }
    json_t *err = json_object_get(root, "error");
    long code = (long)json_integer_value(json_object_get(err, "code"));
    const char *msg = json_string_value(json_object_get(err, "message"));
    const char *details = json_string_value(pk_json_path(err, "error_data.details"));
    char words[100];
    pk_chan_safe_text(words, sizeof words, msg ? msg : "");
    pk_wa_class wc = pk_whatsapp_error_class(code, r->status, msg, details);
    klass k = wc == PK_WA_PERMANENT ? K_PERM : wc == PK_WA_TEMPORARY ? K_TEMP : K_CONFIG;
    if (k == K_CONFIG)
        snprintf(res->error, sizeof res->error,
                 "whatsapp: HTTP %ld code %ld (%s): check the whatsapp_* settings", r->status,
                 code, words);
    else
        snprintf(res->error, sizeof res->error, "whatsapp: HTTP %ld code %ld (%s)", r->status,
                 code, words);
    json_decref(root);
    return k;
}

/* One answer (pk_http_batch's answer): true when the settings are wrong. */
static bool on_answer(void *ctx, const pk_http_resp *r, pk_send_result *res)
{
    (void)ctx;
    klass k = classify(r, res);
    res->outcome = k == K_OK ? PK_SEND_OK : k == K_PERM ? PK_SEND_PERMANENT : PK_SEND_TEMPORARY;
    if (res->outcome == PK_SEND_TEMPORARY)
        res->retry_after = r->retry_after;
    return k == K_CONFIG;
}

/* Message m's body (pk_http_batch's body). */
static int wa_body(void *ctx, const pk_msg *m, pk_buf *out, pk_send_result *res)
{
    (void)ctx;
    char digits[24];
    if (!e164_digits(m->to, digits, sizeof digits)) {
        res->outcome = PK_SEND_PERMANENT;
        snprintf(res->error, sizeof res->error, "whatsapp: not an E.164 number");
        return 1;
    }
    if (m->wa_template == NULL || m->wa_template[0] == '\0') {
        res->outcome = PK_SEND_TEMPORARY;
        snprintf(res->error, sizeof res->error, "whatsapp: the rule has no template");
        return 1;
    }
    char *body = body_of(m, digits);
    if (body == NULL)
        return PK_ENOMEM;
    int rc = pk_buf_adds(out, body);
    explicit_bzero(body, strlen(body)); /* it holds the number */
    free(body);
    return rc != 0 ? PK_ENOMEM : 0;
}

static int wa_send(pk_chan *c, const pk_msg *m, size_t n, pk_send_result *res)
{
    wa *w = c->impl;
    const char *headers[] = {w->auth, "Content-Type: application/json", NULL};
    pk_http_batch b = {w->http, "whatsapp", w->url, headers, wa_body, on_answer, NULL};
    return pk_http_batch_send(&b, m, n, res);
}

static void wa_close(pk_chan *c)
{
    wa *w = c->impl;
    pk_http_free(w->http);
    free(w);
}

int pk_chan_whatsapp_open(const pk_config *cfg, pk_chan **out, char *err, size_t errlen)
{
    *out = NULL;
    wa *w = calloc(1, sizeof *w);
    if (w == NULL || (w->http = pk_http_new(cfg->channel_timeout)) == NULL) {
        free(w);
        snprintf(err, errlen, "out of memory");
        return PK_ENOMEM;
    }
    size_t ul = strlen(cfg->whatsapp_url);
    while (ul > 0 && cfg->whatsapp_url[ul - 1] == '/')
        ul--;
    snprintf(w->url, sizeof w->url, "%.*s/%s/messages", (int)ul, cfg->whatsapp_url,
             cfg->whatsapp_phone_id);
    snprintf(w->auth, sizeof w->auth, "Authorization: Bearer %s", cfg->whatsapp_token);
    w->c = (pk_chan){.kind = PK_CH_WHATSAPP, .dedup = false, .rate = cfg->whatsapp_rate,
                     .send = wa_send, .seen = NULL, .close = wa_close, .impl = w};
    *out = &w->c;
    return 0;
}
