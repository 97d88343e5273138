/* webhook.h -- what comes back from the gateways (issue #15 "Webhooks
 * in", reminders.md "Opt-out" and "Channel"): delivery receipts and
 * replies from WhatsApp (the Cloud API's webhook, each body signed with
 * X-Hub-Signature-256 under whatsapp_app_secret) and from the SMS gateway
 * (delivery reports and inbound messages, with the shared secret
 * sms_webhook_secret).
 *
 * Receipts: a status names the message by the gateway's id (the wamid,
 * the SMS gateway's id) on the outbox row that channel handed over.
 * Delivered and read keep their first instant on the row; a permanent
 * failure (channel_whatsapp.c's mapping of the error code; the SMS words
 * of sms_dr_failed) is kept for the person (pk_contact_failed) and the
 * message queued again on the next channel, as after a failure the
 * gateway reports at once (pk_outbox_fall_back); a temporary one is noted
 * on the row for staff and changes nothing else.  A status for a message
 * not found is acknowledged and ignored.
 *
 * Replies: a text that is, trimmed and case-folded, STOP or BERHENTI
 * stops a purpose, MULAI starts again; anything else is ignored (and
 * nothing is sent back).  The message replied to is WhatsApp's context.id
 * when it names a message that went to the sender's number, else the
 * latest message that went to that number (the outbox keeps each
 * number's blind index, pk_webhook_number_index; a number shared by two
 * people answers for the one messaged last).  STOP stops that message's
 * purpose (both when its rule is gone from the rules); MULAI starts again
 * every purpose of that person whose latest change was a stop by reply
 * (a stop by staff or by the e-mail's link stays); a number never
 * messaged changes nothing.  Each change goes through pk_consent_set_tx
 * with the channel (whatsapp, sms), the actor PK_WEBHOOK_ACTOR, source
 * "webhook", and the store's time.  An inbound message with an id is
 * applied once (pk_inbound): a gateway's retry changes nothing.
 *
 * Nothing here logs a number or a text. */
#ifndef PK_APP_WEBHOOK_H
#define PK_APP_WEBHOOK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "core/remind.h"

#define PK_WEBHOOK_ACTOR "warga:balasan"

/* The keyed blind index of a number in E.164 (the vault's index key,
 * which `keys rotate` never changes: an index kept before a rotation
 * still finds the number after it). */
void pk_webhook_number_index(const pk_app *app, const char *e164, uint8_t out[16]);

/* Credentials, each compared in constant time.  0: accepted; PK_ENOENT:
 * the webhook is not configured (its setting is empty); PK_EDENIED:
 * missing or wrong. */
/* The Cloud API's GET handshake: hub.mode "subscribe" and hub.verify_token
 * equal to whatsapp_verify_token. */
int pk_webhook_wa_handshake(const pk_app *app, const char *mode, const char *token);
/* X-Hub-Signature-256: "sha256=" and the hex HMAC-SHA256 of the raw body
 * under whatsapp_app_secret. */
int pk_webhook_wa_verify(const pk_app *app, const char *body, size_t len, const char *signature);
/* The SMS gateway's shared secret. */
int pk_webhook_sms_verify(const pk_app *app, const char *given);

typedef enum pk_inbound_kind { PK_IN_STATUS, PK_IN_REPLY } pk_inbound_kind;
typedef enum pk_receipt {
    PK_RC_OTHER,     /* a status not acted on (sent, accepted, a word not configured) */
    PK_RC_DELIVERED,
    PK_RC_READ,
    PK_RC_FAILED,
} pk_receipt;

/* One item of a webhook's body.  Strings point into the parsed body and
 * live during the callback. */
typedef struct pk_inbound {
    pk_inbound_kind kind;
    pk_channel channel;        /* PK_CH_WHATSAPP or PK_CH_SMS */
    const char *id;            /* STATUS: the gateway's id of our message; REPLY: of the
                                * inbound message ("": none) */
    pk_receipt status;         /* STATUS */
    bool permanent;            /* STATUS FAILED: this channel cannot reach the person */
    char error[160];           /* STATUS FAILED: for staff, digits masked */
    int64_t at;                /* the gateway's instant (0: not given, then now) */
    const char *from;          /* REPLY: the sender's number as the gateway wrote it */
    const char *text;          /* REPLY */
    const char *context;       /* REPLY: the id of the message replied to ("": none) */
} pk_inbound;
typedef int (*pk_inbound_fn)(void *ctx, const pk_inbound *in);

/* The Cloud API's webhook body: every entry[].changes[].value's
 * statuses[] and messages[] (text, a template's quick-reply button, an
 * interactive reply) through fn, in order; what it does not know is
 * skipped.  Returns 0, PK_EINVAL (not JSON, not an object), or fn's
 * non-zero value, which stops it. */
int pk_webhook_wa_parse(const char *body, size_t len, pk_inbound_fn fn, void *ctx);

/* The SMS gateway's body, by the field names of the settings: an inbound
 * message when it has sms_mo_text_field and sms_mo_from_field, else a
 * delivery report when it has sms_dr_id_field and sms_dr_status_field;
 * PK_EINVAL when neither.  `get` reads a field by name (NULL: absent):
 * the form's fields; pk_webhook_sms_parse_json reads a JSON object's
 * (a dotted path; numbers as text). */
typedef const char *(*pk_field_fn)(void *ctx, const char *name);
int pk_webhook_sms_parse(const pk_config *cfg, pk_field_fn get, void *getctx, pk_inbound_fn fn,
                         void *ctx);
int pk_webhook_sms_parse_json(const pk_config *cfg, const char *body, size_t len,
                              pk_inbound_fn fn, void *ctx);

/* What the items of one body did. */
typedef struct pk_webhook_summary {
    int64_t receipts;          /* delivered or read recorded */
    int64_t fallbacks;         /* permanent failures: queued on the next channel (or gagal) */
    int64_t notes;             /* temporary failures noted */
    int64_t stopped, started;  /* purposes */
    int64_t unknown;           /* a message not found: ignored */
    int64_t repeats;           /* recorded already (a retry) or nothing to change */
    int64_t ignored;           /* not acted on (sent, another text) */
} pk_webhook_summary;

/* Applies one item in a transaction of its own (see the top).  Returns 0
 * or a store error (the gateway should retry: a repeat changes nothing). */
int pk_webhook_apply(const pk_app *app, const pk_inbound *in, int64_t now,
                     pk_webhook_summary *sum);

#endif
