/* receipt.h -- what a resident sees after registering on the portal,
 * carried from the POST to the page it redirects to (/daftar/selesai) in
 * a short-lived cookie sealed with the vault's key.
 *
 * The receipt holds a reference derived from the participant's id by a
 * keyed hash (it cannot be turned back into the id or the NIK), the
 * scheme's id, the eligibility reasons as a code mask and an expiry
 * time: no NIK, KK, phone, e-mail or address, in clear or sealed.  The
 * seal (XChaCha20-Poly1305, app/vault.h) makes it unreadable and
 * unforgeable for the browser that holds it. */
#ifndef PK_RECEIPT_H
#define PK_RECEIPT_H

#include <stddef.h>
#include <stdint.h>

#include "app/vault.h"
#include "core/pk.h"

#define PK_RECEIPT_REF_LEN 14      /* "PKJ-XXXX-XXXX" + NUL */
#define PK_RECEIPT_TEXT_MAX 256    /* the sealed receipt as cookie text, NUL included */

typedef struct pk_receipt {
    char reference[PK_RECEIPT_REF_LEN];
    char scheme[32];               /* the scheme's id ("2023") */
    pk_codeset reasons;            /* eligibility after the KK limit; 0 = eligible */
    int64_t expires;               /* Unix seconds */
} pk_receipt;

/* The reference of participant `id`: "PKJ-" and 8 characters of
 * Crockford base32 (no I, L, O, U) of a keyed hash of the id.  The same
 * id always gives the same reference. */
void pk_receipt_reference(const pk_vault *v, int64_t id, char out[PK_RECEIPT_REF_LEN]);

/* Seals r into cookie-safe text (base64url).  Returns 0, PK_ETOOBIG
 * (cap too small) or PK_ENOMEM. */
int pk_receipt_seal(const pk_vault *v, const pk_receipt *r, char *out, size_t cap);
/* Opens text sealed by pk_receipt_seal: 0, PK_EINVAL when it is not a
 * receipt (altered, malformed, sealed under another key), PK_ENOENT when
 * it expired (now >= expires). */
int pk_receipt_open(const pk_vault *v, const char *text, int64_t now, pk_receipt *out);

#endif
