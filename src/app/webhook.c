/* webhook.c -- receipts and replies from the gateways (webhook.h): the
 * credentials, the parsers of the WhatsApp Cloud API's webhook and of the
 * SMS gateway's reports and messages (fuzzed: fuzz/fuzz_webhook.c), and
 * what each item changes. */
#include "app/webhook.h"

#include <ctype.h>
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app/channel.h"
#include "app/channel_http.h"
#include "app/registry.h"
#include "app/remind.h"
#include "app/vault.h"
#include "core/ident.h"
#include "core/participant.h"
#include "store/store.h"

void pk_webhook_number_index(const pk_app *app, const char *e164, uint8_t out[16])
{
    pk_vault_blind(&app->vault, "hp", e164, out);
}

/* ---- credentials ---- */

/* Two strings equal, in time that depends on neither: their hashes
 * compared in constant time. */
static bool same_secret(const char *a, const char *b)
{
    uint8_t ha[32], hb[32];
    crypto_generichash(ha, sizeof ha, (const unsigned char *)a, strlen(a), NULL, 0);
    crypto_generichash(hb, sizeof hb, (const unsigned char *)b, strlen(b), NULL, 0);
    bool same = sodium_memcmp(ha, hb, sizeof ha) == 0;
    sodium_memzero(ha, sizeof ha);
    sodium_memzero(hb, sizeof hb);
    return same;
}

int pk_webhook_wa_handshake(const pk_app *app, const char *mode, const char *token)
{
    const char *want = app->cfg.whatsapp_verify_token;
    if (want[0] == '\0')
        return PK_ENOENT;
    if (mode == NULL || token == NULL || strcmp(mode, "subscribe") != 0)
        return PK_EDENIED;
    return same_secret(token, want) ? 0 : PK_EDENIED;
}

int pk_webhook_wa_verify(const pk_app *app, const char *body, size_t len, const char *signature)
{
    const char *secret = app->cfg.whatsapp_app_secret;
    if (secret[0] == '\0')
        return PK_ENOENT;
    uint8_t given[crypto_auth_hmacsha256_BYTES], mac[crypto_auth_hmacsha256_BYTES];
    size_t n = 0;
    if (signature == NULL || strncmp(signature, "sha256=", 7) != 0 ||
        strlen(signature + 7) != 2 * sizeof given ||
        sodium_hex2bin(given, sizeof given, signature + 7, 2 * sizeof given, NULL, &n, NULL) !=
            0 ||
        n != sizeof given)
        return PK_EDENIED;
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    bool ok = sodium_memcmp(mac, given, sizeof mac) == 0;
    sodium_memzero(&st, sizeof st);
    sodium_memzero(mac, sizeof mac);
    return ok ? 0 : PK_EDENIED;
}

int pk_webhook_sms_verify(const pk_app *app, const char *given)
{
    const char *want = app->cfg.sms_webhook_secret;
    if (want[0] == '\0')
        return PK_ENOENT;
    return given != NULL && same_secret(given, want) ? 0 : PK_EDENIED;
}

/* ---- the WhatsApp Cloud API's webhook ----
 *
 *   {"object":"whatsapp_business_account","entry":[{"id":"WABA","changes":[{
 *     "field":"messages","value":{"messaging_product":"whatsapp",
 *       "metadata":{...},
 *       "statuses":[{"id":"wamid...","status":"delivered","timestamp":"1700000000",
 *                    "recipient_id":"6281...",
 *                    "errors":[{"code":131026,"title":"..","error_data":{"details":".."}}]}],
 *       "messages":[{"from":"6281...","id":"wamid...","timestamp":"1700000000",
 *                    "type":"text","text":{"body":"STOP"},
 *                    "context":{"from":"...","id":"wamid of ours"}}]}}]}]} */

static const char *str_of(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s != NULL ? s : "";
}

/* A Unix time given as a string of digits (the Cloud API's) or a number. */
static int64_t instant_of(json_t *v)
{
    if (json_is_integer(v))
        return json_integer_value(v) > 0 ? (int64_t)json_integer_value(v) : 0;
    const char *s = json_string_value(v);
    if (s == NULL || s[0] == '\0' || strlen(s) > 12 || strspn(s, "0123456789") != strlen(s))
        return 0;
    return strtoll(s, NULL, 10);
}

static int wa_status(json_t *st, pk_inbound_fn fn, void *ctx)
{
    pk_inbound in = {.kind = PK_IN_STATUS, .channel = PK_CH_WHATSAPP};
    in.id = str_of(st, "id");
    in.at = instant_of(json_object_get(st, "timestamp"));
    const char *s = str_of(st, "status");
    in.status = strcmp(s, "delivered") == 0 ? PK_RC_DELIVERED
                : strcmp(s, "read") == 0    ? PK_RC_READ
                : strcmp(s, "failed") == 0  ? PK_RC_FAILED
                                            : PK_RC_OTHER;
    if (in.status == PK_RC_FAILED) {
        json_t *e = json_array_get(json_object_get(st, "errors"), 0);
        long code = json_is_integer(json_object_get(e, "code"))
                        ? (long)json_integer_value(json_object_get(e, "code"))
                        : 0;
        const char *title = str_of(e, "title");
        const char *msg = str_of(e, "message");
        json_t *data = json_object_get(e, "error_data");
        const char *details = str_of(data, "details");
        in.permanent = pk_whatsapp_error_class(code, 0, msg[0] ? msg : title, details) ==
                       PK_WA_PERMANENT;
        char words[100];
        pk_chan_safe_text(words, sizeof words, title[0] ? title : msg);
        snprintf(in.error, sizeof in.error, "whatsapp (laporan): code %ld (%s)", code, words);
    }
    return fn(ctx, &in);
}

static int wa_message(json_t *m, pk_inbound_fn fn, void *ctx)
{
    pk_inbound in = {.kind = PK_IN_REPLY, .channel = PK_CH_WHATSAPP};
    in.id = str_of(m, "id");
    in.from = str_of(m, "from");
    in.at = instant_of(json_object_get(m, "timestamp"));
    in.context = str_of(json_object_get(m, "context"), "id");
    const char *type = str_of(m, "type");
    if (strcmp(type, "text") == 0)
        in.text = str_of(json_object_get(m, "text"), "body");
    else if (strcmp(type, "button") == 0) /* a template's quick-reply button */
        in.text = str_of(json_object_get(m, "button"), "text");
    else if (strcmp(type, "interactive") == 0)
        in.text = json_string_value(pk_json_path(m, "interactive.button_reply.title"));
    if (in.text == NULL || in.text[0] == '\0')
        return 0; /* an image, a location...: nothing to act on */
    return fn(ctx, &in);
}

int pk_webhook_wa_parse(const char *body, size_t len, pk_inbound_fn fn, void *ctx)
{
    json_error_t je;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(root)) {
        json_decref(root);
        return PK_EINVAL;
    }
    int rc = 0;
    size_t i, j, k;
    json_t *entry, *change, *x;
    json_array_foreach(json_object_get(root, "entry"), i, entry) {
        json_array_foreach(json_object_get(entry, "changes"), j, change) {
            json_t *value = json_object_get(change, "value");
            json_array_foreach(json_object_get(value, "statuses"), k, x) {
                if (json_is_object(x) && (rc = wa_status(x, fn, ctx)) != 0)
                    goto out;
            }
            json_array_foreach(json_object_get(value, "messages"), k, x) {
                if (json_is_object(x) && (rc = wa_message(x, fn, ctx)) != 0)
                    goto out;
            }
        }
    }
out:
    json_decref(root);
    return rc;
}

/* ---- the SMS gateway ---- */

/* Whether word is one of the comma-separated words of list (any case). */
static bool one_of(const char *word, const char *list)
{
    size_t wl = strlen(word);
    while (wl > 0 && isspace((unsigned char)word[wl - 1]))
        wl--;
    while (wl > 0 && isspace((unsigned char)*word)) {
        word++;
        wl--;
    }
    if (wl == 0)
        return false;
    for (const char *p = list; *p != '\0';) {
        size_t n = strcspn(p, ",");
        const char *q = p;
        size_t m = n;
        while (m > 0 && isspace((unsigned char)*q)) {
            q++;
            m--;
        }
        while (m > 0 && isspace((unsigned char)q[m - 1]))
            m--;
        if (m == wl && strncasecmp(q, word, m) == 0)
            return true;
        p += n;
        if (*p == ',')
            p++;
    }
    return false;
}

static const char *field(pk_field_fn get, void *getctx, const char *name)
{
    if (name[0] == '\0')
        return NULL;
    const char *v = get(getctx, name);
    return v != NULL && v[0] != '\0' ? v : NULL;
}

int pk_webhook_sms_parse(const pk_config *cfg, pk_field_fn get, void *getctx, pk_inbound_fn fn,
                         void *ctx)
{
    const char *text = field(get, getctx, cfg->sms_mo_text_field);
    const char *from = field(get, getctx, cfg->sms_mo_from_field);
    if (text != NULL && from != NULL) {
        const char *id = field(get, getctx, cfg->sms_mo_id_field);
        pk_inbound in = {.kind = PK_IN_REPLY, .channel = PK_CH_SMS, .id = id ? id : "",
                         .from = from, .text = text, .context = ""};
        return fn(ctx, &in);
    }
    const char *id = field(get, getctx, cfg->sms_dr_id_field);
    const char *status = field(get, getctx, cfg->sms_dr_status_field);
    if (id == NULL || status == NULL)
        return PK_EINVAL;
    pk_inbound in = {.kind = PK_IN_STATUS, .channel = PK_CH_SMS, .id = id};
    if (one_of(status, cfg->sms_dr_delivered)) {
        in.status = PK_RC_DELIVERED;
    } else if (one_of(status, cfg->sms_dr_failed)) {
        in.status = PK_RC_FAILED;
        in.permanent = true;
        char words[64];
        pk_chan_safe_text(words, sizeof words, status);
        snprintf(in.error, sizeof in.error, "sms (laporan): %s", words);
    }
    return fn(ctx, &in);
}

/* A JSON object's fields for pk_webhook_sms_parse: strings as they are,
 * numbers as text (each field its own buffer). */
typedef struct json_fields {
    json_t *root;
    char num[8][32];
    int used;
} json_fields;

static const char *json_field(void *ctx, const char *name)
{
    json_fields *f = ctx;
    json_t *v = pk_json_path(f->root, name);
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v) && f->used < 8) {
        char *out = f->num[f->used++];
        snprintf(out, sizeof f->num[0], "%lld", (long long)json_integer_value(v));
        return out;
    }
    return NULL;
}

int pk_webhook_sms_parse_json(const pk_config *cfg, const char *body, size_t len,
                              pk_inbound_fn fn, void *ctx)
{
    json_error_t je;
    json_fields f = {.root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je)};
    if (!json_is_object(f.root)) {
        json_decref(f.root);
        return PK_EINVAL;
    }
    int rc = pk_webhook_sms_parse(cfg, json_field, &f, fn, ctx);
    json_decref(f.root);
    return rc;
}

/* ---- what an item changes ---- */

#define NETWORK_CHANNELS (1u << PK_CH_WHATSAPP | 1u << PK_CH_SMS | 1u << PK_CH_EMAIL)

typedef struct contacts {
    const pk_app *app;
    bool phone, email;
} contacts;

static int got_contacts(void *ctx, const pk_prow *row)
{
    contacts *c = ctx;
    pk_participant p;
    int rc = pk_registry_unseal(c->app, row, &p);
    if (rc == 0) {
        c->phone = p.no_hp[0] != '\0';
        c->email = p.email[0] != '\0';
    }
    sodium_memzero(&p, sizeof p);
    return rc == 0 ? 0 : PK_EIO;
}

/* A status: the receipt kept, or the failure acted on. */
static int apply_status(const pk_app *app, pk_tx *tx, const pk_inbound *in, int64_t now,
                        pk_webhook_summary *sum)
{
    const char *ch = pk_channel_name(in->channel);
    if (in->status == PK_RC_OTHER || in->id == NULL || in->id[0] == '\0') {
        sum->ignored++;
        return 0;
    }
    pk_outbox_msg m;
    int rc = pk_tx_outbox_find(tx, ch, in->id, &m);
    if (rc == PK_ENOENT) {
        sum->unknown++;
        pk_app_log(app, "webhook: a %s receipt for a message not found, ignored", ch);
        return 0;
    }
    if (rc != 0)
        return rc;
    int64_t at = in->at > 0 ? in->at : now;
    bool changed = false;
    if (in->status == PK_RC_DELIVERED || in->status == PK_RC_READ) {
        rc = pk_tx_outbox_receipt(tx, m.id, at, in->status == PK_RC_READ ? at : 0, &changed);
        if (changed)
            sum->receipts++;
        else
            sum->repeats++;
        return rc;
    }
    /* failed: acted on once, while the message stands handed to this channel */
    if (strcmp(m.state, "terkirim") != 0 || ((unsigned)m.failed >> in->channel & 1u)) {
        sum->repeats++;
        return 0;
    }
    if (!in->permanent) {
        if (strcmp(m.error, in->error) == 0) {
            sum->repeats++;
            return 0;
        }
        snprintf(m.error, sizeof m.error, "%s", in->error);
        sum->notes++;
        return pk_tx_outbox_set(tx, &m);
    }
    snprintf(m.error, sizeof m.error, "%s", in->error);
    contacts c = {.app = app};
    rc = pk_store_participant_get(app->store, "", m.participant_id, got_contacts, &c);
    if (rc != 0 && rc != PK_ENOENT)
        return rc;
    (void)pk_outbox_fall_back(&m, in->channel, NETWORK_CHANNELS, c.phone, c.email, now);
    if ((rc = pk_tx_contact_failed_put(tx, m.participant_id, ch, in->error)) == 0 &&
        (rc = pk_tx_outbox_set(tx, &m)) == 0)
        sum->fallbacks++;
    return rc;
}

typedef enum { WANT_NONE, WANT_STOP, WANT_START } want;

/* STOP, BERHENTI, MULAI: the whole text, trimmed, in any case. */
static want wanted(const char *text)
{
    if (text == NULL)
        return WANT_NONE;
    while (isspace((unsigned char)*text))
        text++;
    size_t n = strlen(text);
    while (n > 0 && isspace((unsigned char)text[n - 1]))
        n--;
    if ((n == 4 && strncasecmp(text, "STOP", 4) == 0) ||
        (n == 8 && strncasecmp(text, "BERHENTI", 8) == 0))
        return WANT_STOP;
    if (n == 5 && strncasecmp(text, "MULAI", 5) == 0)
        return WANT_START;
    return WANT_NONE;
}

/* The purposes a STOP to message m stops: its rule's, or every one when
 * the rule is gone from the rules (or they cannot be read). */
static unsigned purposes_of(const pk_app *app, const pk_outbox_msg *m)
{
    unsigned all = (1u << PK_PURPOSE__COUNT) - 1u;
    pk_remind_rules *rules = malloc(sizeof *rules);
    char err[256];
    if (rules == NULL)
        return all;
    unsigned out = all;
    if (pk_remind_rules_load(&app->cfg, rules, err, sizeof err) == 0) {
        const pk_remind_rule *r = pk_remind_rule_find(rules, m->rule);
        if (r != NULL)
            out = 1u << r->purpose;
    }
    free(rules);
    return out;
}

/* MULAI: the purposes whose latest change was a stop by reply. */
static int stopped_by_reply(const pk_app *app, int64_t participant_id, unsigned *out)
{
    enum { N = 64 };
    pk_consent_change_row *rows = calloc(N, sizeof *rows);
    size_t n = 0;
    unsigned seen = 0;
    *out = 0;
    if (rows == NULL)
        return PK_ENOMEM;
    int rc = pk_store_consent_changes(app->store, participant_id, N, rows, &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        pk_purpose p = pk_purpose_by_name(rows[i].purpose);
        if (p == PK_PURPOSE__COUNT || (seen >> p & 1u))
            continue;
        seen |= 1u << p;
        if (rows[i].stopped && strcmp(rows[i].actor, PK_WEBHOOK_ACTOR) == 0)
            *out |= 1u << p;
    }
    free(rows);
    return rc;
}

static int apply_reply(const pk_app *app, pk_tx *tx, const pk_inbound *in,
                       pk_webhook_summary *sum)
{
    want w = wanted(in->text);
    if (w == WANT_NONE) {
        sum->ignored++;
        return 0;
    }
    const char *ch = pk_channel_name(in->channel);
    int rc;
    if (in->id != NULL && in->id[0] != '\0') {
        bool fresh = false;
        if ((rc = pk_tx_inbound_once(tx, ch, in->id, &fresh)) != 0)
            return rc;
        if (!fresh) {
            sum->repeats++;
            return 0;
        }
    }
    char e164[16];
    const char *from = in->from != NULL ? in->from : "";
    char plus[24];
    /* WhatsApp writes the number's digits: 6281... */
    if (from[0] >= '1' && from[0] <= '9' && strlen(from) < sizeof plus - 1) {
        snprintf(plus, sizeof plus, "+%s", from);
        from = plus;
    }
    if (pk_phone_normalize(from, strlen(from), e164) != 0) {
        sum->unknown++; /* not a number we could have written to */
        return 0;
    }
    uint8_t bi[16];
    pk_webhook_number_index(app, e164, bi);
    pk_outbox_msg m;
    rc = PK_ENOENT;
    if (in->context != NULL && in->context[0] != '\0') {
        rc = pk_tx_outbox_find(tx, ch, in->context, &m);
        if (rc == 0 && !(m.has_to && sodium_memcmp(m.to_bi, bi, sizeof bi) == 0))
            rc = PK_ENOENT; /* a message that did not go to this number */
        if (rc != 0 && rc != PK_ENOENT)
            return rc;
    }
    if (rc == PK_ENOENT)
        rc = pk_tx_outbox_latest_to(tx, bi, &m);
    sodium_memzero(bi, sizeof bi);
    sodium_memzero(e164, sizeof e164);
    if (rc == PK_ENOENT) {
        sum->unknown++;
        pk_app_log(app, "webhook: a %s reply from a number never messaged, ignored", ch);
        return 0;
    }
    if (rc != 0)
        return rc;
    unsigned which = 0;
    if (w == WANT_STOP)
        which = purposes_of(app, &m);
    else if ((rc = stopped_by_reply(app, m.participant_id, &which)) != 0)
        return rc;
    bool any = false;
    for (int p = 0; rc == 0 && p < PK_PURPOSE__COUNT; p++) {
        if (!(which >> p & 1u))
            continue;
        bool changed = false;
        rc = pk_consent_set_tx(tx, m.participant_id, (pk_purpose)p, w == WANT_STOP, ch, "webhook",
                               PK_WEBHOOK_ACTOR, &changed);
        if (changed) {
            any = true;
            if (w == WANT_STOP)
                sum->stopped++;
            else
                sum->started++;
        }
    }
    if (rc == 0 && !any)
        sum->repeats++;
    return rc;
}

int pk_webhook_apply(const pk_app *app, const pk_inbound *in, int64_t now,
                     pk_webhook_summary *sum)
{
    if (in->channel != PK_CH_WHATSAPP && in->channel != PK_CH_SMS)
        return PK_EINVAL;
    pk_tx *tx = NULL;
    int rc = pk_store_begin(app->store, &tx);
    if (rc != 0)
        return rc;
    pk_webhook_summary s = {0};
    rc = in->kind == PK_IN_STATUS ? apply_status(app, tx, in, now, &s)
                                  : apply_reply(app, tx, in, &s);
    if (rc == 0)
        rc = pk_tx_commit(tx);
    else
        pk_tx_rollback(tx);
    if (rc == 0) {
        sum->receipts += s.receipts;
        sum->fallbacks += s.fallbacks;
        sum->notes += s.notes;
        sum->stopped += s.stopped;
        sum->started += s.started;
        sum->unknown += s.unknown;
        sum->repeats += s.repeats;
        sum->ignored += s.ignored;
    }
    return rc;
}
