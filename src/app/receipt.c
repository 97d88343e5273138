/* receipt.c -- the registration receipt in a sealed cookie (receipt.h). */
#include "app/receipt.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"

/* Bound into the seal: a box made for another purpose (a participant's
 * personal data) does not open as a receipt. */
static const char AD[] = "pk_daftar v1";

void pk_receipt_reference(const pk_vault *v, int64_t id, char out[PK_RECEIPT_REF_LEN])
{
    static const char alphabet[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    char num[32];
    snprintf(num, sizeof(num), "%" PRId64, id);
    uint8_t h[PK_BLIND_LEN];
    pk_vault_blind(v, "receipt", num, h);
    uint64_t bits = 0;
    for (int i = 0; i < 5; i++)
        bits = bits << 8 | h[i];
    char s[8];
    for (int i = 7; i >= 0; i--) {
        s[i] = alphabet[bits & 31];
        bits >>= 5;
    }
    snprintf(out, PK_RECEIPT_REF_LEN, "PKJ-%.4s-%.4s", s, s + 4);
}

int pk_receipt_seal(const pk_vault *v, const pk_receipt *r, char *out, size_t cap)
{
    char plain[160];
    int n = snprintf(plain, sizeof(plain), "%s|%s|%016" PRIx64 "|%" PRId64, r->reference,
                     r->scheme, (uint64_t)r->reasons, r->expires);
    if (n < 0 || (size_t)n >= sizeof(plain))
        return PK_ETOOBIG;
    pk_buf box;
    pk_buf_init(&box, 1024);
    int rc = pk_vault_seal(v, plain, (size_t)n, AD, sizeof(AD) - 1, &box);
    if (rc == 0 && pk_buf_failed(&box))
        rc = PK_ENOMEM;
    if (rc == 0) {
        size_t need = sodium_base64_encoded_len(box.len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
        if (need > cap)
            rc = PK_ETOOBIG;
        else
            sodium_bin2base64(out, cap, (const unsigned char *)box.data, box.len,
                              sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    }
    pk_buf_free(&box);
    return rc;
}

int pk_receipt_open(const pk_vault *v, const char *text, int64_t now, pk_receipt *out)
{
    memset(out, 0, sizeof(*out));
    unsigned char box[PK_RECEIPT_TEXT_MAX];
    size_t blen;
    if (text == NULL ||
        sodium_base642bin(box, sizeof(box), text, strlen(text), NULL, &blen, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return PK_EINVAL;
    pk_buf plain;
    pk_buf_init(&plain, 1024);
    int rc = pk_vault_unseal(v, box, blen, AD, sizeof(AD) - 1, &plain);
    if (rc == 0 && (pk_buf_failed(&plain) || pk_buf_addc(&plain, '\0') != 0))
        rc = PK_ENOMEM;
    if (rc != 0) {
        pk_buf_free(&plain);
        return rc == PK_ENOMEM ? rc : PK_EINVAL;
    }
    char ref[PK_RECEIPT_REF_LEN + 2], scheme[40];
    uint64_t reasons;
    int64_t expires;
    int end = 0;
    if (sscanf(plain.data, "%14[^|]|%39[^|]|%16" SCNx64 "|%" SCNd64 "%n", ref, scheme,
               &reasons, &expires, &end) != 4 ||
        (size_t)end != plain.len - 1 || strlen(ref) != PK_RECEIPT_REF_LEN - 1 ||
        strlen(scheme) >= sizeof(out->scheme))
        rc = PK_EINVAL;
    pk_buf_free(&plain);
    if (rc != 0)
        return rc;
    memcpy(out->reference, ref, PK_RECEIPT_REF_LEN);
    memcpy(out->scheme, scheme, strlen(scheme) + 1); /* checked shorter above */
    out->reasons = (pk_codeset)reasons;
    out->expires = expires;
    return now >= expires ? PK_ENOENT : 0;
}
