/* fuzz_webhook.c -- libFuzzer target for the webhooks' parsers
 * (app/webhook.h): the WhatsApp Cloud API's body (pk_webhook_wa_parse) and
 * the SMS gateway's JSON body (pk_webhook_sms_parse_json) under the
 * default field names and under nested ones.
 *
 * Whatever the bytes, each parser answers 0 or PK_EINVAL, and every item
 * it hands out keeps the invariants pk_webhook_apply relies on: a known
 * channel and kind, strings that are NUL-terminated where they must be
 * (id, from, text, context), a bounded error text, a failure's error
 * written, a reply with a sender and a text. */
#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "app/config.h"
#include "app/webhook.h"
#include "core/pk.h"

static int item(void *ctx, const pk_inbound *in)
{
    size_t *n = ctx;
    (*n)++;
    CHECK(in->channel == PK_CH_WHATSAPP || in->channel == PK_CH_SMS);
    CHECK(in->kind == PK_IN_STATUS || in->kind == PK_IN_REPLY);
    CHECK(memchr(in->error, '\0', sizeof in->error) != NULL);
    CHECK(in->at >= 0);
    if (in->kind == PK_IN_STATUS) {
        CHECK(in->id != NULL);
        (void)strlen(in->id);
        CHECK(in->status <= PK_RC_FAILED);
        if (in->status == PK_RC_FAILED)
            CHECK(in->error[0] != '\0');
        CHECK(!in->permanent || in->status == PK_RC_FAILED);
    } else {
        CHECK(in->id != NULL && in->from != NULL && in->text != NULL && in->context != NULL);
        CHECK(in->text[0] != '\0');
        (void)strlen(in->id);
        (void)strlen(in->from);
        (void)strlen(in->context);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static pk_config def, nested;
    static int init;
    if (!init) {
        pk_config_defaults(&def);
        pk_config_defaults(&nested);
        strcpy(nested.sms_dr_id_field, "data.ref");
        strcpy(nested.sms_dr_status_field, "data.hasil");
        strcpy(nested.sms_mo_from_field, "pesan.0.dari");
        strcpy(nested.sms_mo_text_field, "pesan.0.isi");
        strcpy(nested.sms_dr_delivered, "2, 3,DELIVRD");
        init = 1;
    }
    size_t n = 0;
    int rc = pk_webhook_wa_parse((const char *)data, size, item, &n);
    CHECK(rc == 0 || rc == PK_EINVAL);
    CHECK(rc == 0 || n == 0);
    n = 0;
    rc = pk_webhook_sms_parse_json(&def, (const char *)data, size, item, &n);
    CHECK(rc == 0 || rc == PK_EINVAL);
    CHECK(rc != 0 || n == 1);
    n = 0;
    rc = pk_webhook_sms_parse_json(&nested, (const char *)data, size, item, &n);
    CHECK(rc == 0 || rc == PK_EINVAL);
    CHECK(rc != 0 || n == 1);
    return 0;
}
