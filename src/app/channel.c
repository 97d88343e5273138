/* channel.c -- the channels the settings enable (channel.h). */
#include "app/channel.h"

#include <stdio.h>
#include <string.h>

#include "core/pk.h"

/* A channel's settings: all the required ones set (1), none of its own
 * set (0), or some but not all (PK_EINVAL, naming the first missing). */
typedef struct need {
    const char *key;
    const char *value;
} need;

static int wanted(const char *channel, const need *req, size_t nreq, const need *opt,
                  size_t nopt, char *err, size_t errlen)
{
    size_t have = 0, any = 0;
    const char *missing = NULL;
    for (size_t i = 0; i < nreq; i++) {
        if (req[i].value[0] != '\0')
            have++;
        else if (missing == NULL)
            missing = req[i].key;
    }
    any = have;
    for (size_t i = 0; i < nopt; i++)
        any += opt[i].value[0] != '\0';
    if (have == nreq)
        return 1;
    if (any == 0)
        return 0;
    snprintf(err, errlen, "the %s channel is half configured: setting %s is missing", channel,
             missing);
    return PK_EINVAL;
}

int pk_channels_open(const pk_config *cfg, pk_chan *out[PK_CH__COUNT], unsigned *enabled,
                     char *err, size_t errlen)
{
    memset(out, 0, sizeof(pk_chan *) * PK_CH__COUNT);
    *enabled = 0;
    int rc = 0;
    const need wa_req[] = {{"whatsapp_phone_id", cfg->whatsapp_phone_id},
                           {"whatsapp_token", cfg->whatsapp_token}};
    const need sms_req[] = {{"sms_url", cfg->sms_url}};
    const need sms_opt[] = {{"sms_auth_header", cfg->sms_auth_header},
                            {"sms_body", cfg->sms_body},
                            {"sms_ok", cfg->sms_ok},
                            {"sms_id_field", cfg->sms_id_field}};
    const need mail_req[] = {{"smtp_url", cfg->smtp_url}, {"smtp_from", cfg->smtp_from}};
    const need mail_opt[] = {{"smtp_user", cfg->smtp_user},
                             {"smtp_password", cfg->smtp_password}};
    int w = wanted("whatsapp", wa_req, PK_ARRAY_LEN(wa_req), NULL, 0, err, errlen);
    int s = w < 0 ? 0
                  : wanted("sms", sms_req, PK_ARRAY_LEN(sms_req), sms_opt,
                           PK_ARRAY_LEN(sms_opt), err, errlen);
    int e = w < 0 || s < 0 ? 0
                           : wanted("email", mail_req, PK_ARRAY_LEN(mail_req), mail_opt,
                                    PK_ARRAY_LEN(mail_opt), err, errlen);
    if (w < 0 || s < 0 || e < 0)
        return PK_EINVAL;
    if (e > 0 && (cfg->smtp_user[0] != '\0') != (cfg->smtp_password[0] != '\0')) {
        snprintf(err, errlen, "the email channel is half configured: setting %s is missing",
                 cfg->smtp_user[0] ? "smtp_password" : "smtp_user");
        return PK_EINVAL;
    }
    if (w > 0 && (rc = pk_chan_whatsapp_open(cfg, &out[PK_CH_WHATSAPP], err, errlen)) != 0)
        goto fail;
    if (s > 0 && (rc = pk_chan_sms_open(cfg, &out[PK_CH_SMS], err, errlen)) != 0)
        goto fail;
    if (e > 0 && (rc = pk_chan_email_open(cfg, &out[PK_CH_EMAIL], err, errlen)) != 0)
        goto fail;
    if (cfg->remind_file[0] != '\0' &&
        (rc = pk_chan_berkas_open(cfg->remind_file, &out[PK_CH_BERKAS], err, errlen)) != 0)
        goto fail;
    for (int c = 0; c < PK_CH__COUNT; c++)
        if (out[c] != NULL)
            *enabled |= 1u << c;
    return 0;
fail:
    pk_channels_close(out);
    return rc;
}

void pk_channels_close(pk_chan *ch[PK_CH__COUNT])
{
    for (int c = 0; c < PK_CH__COUNT; c++)
        if (ch[c] != NULL) {
            ch[c]->close(ch[c]);
            ch[c] = NULL;
        }
}
