/* channel.h -- the ways a reminder leaves (reminders.md "Channels"): one
 * small interface, one file per channel.
 *
 *  - channel.c           the table of channels and pk_channels_open, which
 *                        enables each channel the settings configure;
 *  - channel_berkas.c    `berkas`: each message appended to a file as one
 *                        JSON line (setting remind_file);
 *  - channel_whatsapp.c, channel_sms.c, channel_email.c: the network
 *                        channels (WhatsApp Business Cloud API, an SMS HTTP
 *                        gateway, SMTP), each with its own settings.
 *
 * The outbox (app/outbox.c) hands a channel a batch of messages and
 * records each one's result; a channel never retries on its own (the
 * outbox decides when, and whether the next channel is tried) and never
 * writes an address or a message's text to the log. */
#ifndef PK_APP_CHANNEL_H
#define PK_APP_CHANNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/config.h"
#include "core/remind.h"

#define PK_MSG_PARAMS_MAX 6

/* One message, ready to go. */
typedef struct pk_msg {
    int64_t id;              /* the outbox's id: the key a deduplicating gateway drops a
                              * second copy by */
    pk_channel channel;
    const char *to;          /* WhatsApp and SMS: the number in E.164 ("+6281234567890");
                              * e-mail: the address */
    const char *rule;        /* the reminder rule's id (a tag, never shown) */
    const char *text;        /* the body as the person reads it: the SMS, WhatsApp's approved
                              * text filled in, the e-mail's body */
    const char *subject;     /* e-mail */
    const char *wa_template; /* WhatsApp: the approved template's name */
    const char *wa_params[PK_MSG_PARAMS_MAX]; /* its body parameters {{1}}.. in order */
    size_t wa_nparams;
    const char *unsubscribe; /* e-mail: the one-click address (RFC 8058) */
} pk_msg;

typedef enum pk_send_outcome {
    PK_SEND_OK,        /* the gateway took it (provider_id when it gave one) */
    PK_SEND_TEMPORARY, /* not now (busy, rate-limited, unreachable): later, same channel */
    PK_SEND_PERMANENT, /* this channel cannot reach this person (not a WhatsApp user, an
                        * invalid number, a refused address): the next channel */
} pk_send_outcome;

typedef struct pk_send_result {
    pk_send_outcome outcome;
    int retry_after;         /* TEMPORARY: seconds the gateway asked for; 0: the outbox's */
    char provider_id[128];   /* the gateway's id of the message ("wamid...."), or "" */
    char error[160];         /* for staff: the gateway's code and words, never the address */
} pk_send_result;

typedef struct pk_chan pk_chan;
struct pk_chan {
    pk_channel kind;
    /* The gateway drops a message whose id it has seen (so a message that
     * may have been handed over before a crash can be handed over again);
     * otherwise the outbox marks such a message tidak_pasti. */
    bool dedup;
    double rate;             /* messages a second at most (the outbox paces); 0: no limit */
    /* Hands over m[0..n), a result each in res[0..n).  Returns 0, or an
     * error that concerns the whole batch (then every res is TEMPORARY). */
    int (*send)(pk_chan *c, const pk_msg *m, size_t n, pk_send_result *res);
    /* Whether message `id` reached the gateway already (dedup channels
     * only; NULL otherwise). */
    int (*seen)(pk_chan *c, int64_t id, bool *seen);
    void (*close)(pk_chan *c);
    void *impl;
};

/* The class of a WhatsApp Cloud API error code (channel_whatsapp.c), the
 * one mapping for an answer to a send and for a failed status a webhook
 * reports later (http_status 0 then): PERMANENT for this person (not a
 * WhatsApp user...), TEMPORARY (rate limits, trouble), CONFIG (the
 * settings or the template are wrong, or a code not known: nobody's
 * fallback is burnt on it). */
typedef enum { PK_WA_TEMPORARY, PK_WA_PERMANENT, PK_WA_CONFIG } pk_wa_class;
pk_wa_class pk_whatsapp_error_class(long code, long http_status, const char *message,
                                    const char *details);

/* The channels the settings enable, by kind (NULL: not enabled);
 * *enabled: a bit per pk_channel.  PK_EINVAL with a sentence in err when
 * a channel's settings are incomplete or wrong (naming the setting,
 * never a secret's value). */
int pk_channels_open(const pk_config *cfg, pk_chan *out[PK_CH__COUNT], unsigned *enabled,
                     char *err, size_t errlen);
void pk_channels_close(pk_chan *ch[PK_CH__COUNT]);

/* Each channel's constructor (channel_*.c): 0 and *out, or PK_EINVAL /
 * PK_EIO with a sentence in err. */
int pk_chan_berkas_open(const char *path, pk_chan **out, char *err, size_t errlen);
int pk_chan_whatsapp_open(const pk_config *cfg, pk_chan **out, char *err, size_t errlen);
int pk_chan_sms_open(const pk_config *cfg, pk_chan **out, char *err, size_t errlen);
int pk_chan_email_open(const pk_config *cfg, pk_chan **out, char *err, size_t errlen);

#endif
