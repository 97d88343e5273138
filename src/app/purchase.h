/* purchase.h -- what the digital platforms do against a participant's
 * balance (docs/PLATFORM-API.md): buy a training with the card number,
 * cancel a purchase, report its completion, pass on the participant's
 * review.  Each runs inside the transaction of a verified request
 * (pk_platform_exec: c->tx), writes its event through
 * pk_journey_append (source lokal, reference made from the platform's
 * code and the request's idempotency key: core/purchase.h), so a retry
 * never debits twice, and the journey's rules decide (balance, revoked,
 * not a recipient).  On a shared store (PostgreSQL) the person's journey
 * is the transaction's while it runs: two purchases against one card,
 * from any number of processes, take turns. */
#ifndef PK_APP_PURCHASE_H
#define PK_APP_PURCHASE_H

#include <stdbool.h>
#include <stdint.h>

#include "app/platform.h"
#include "core/journey.h"
#include "core/purchase.h"

typedef struct pk_purchase_result {
    pk_code refused;      /* PK_C__COUNT: done (or done before, by this key) */
    bool clash;           /* the key's reference names another operation */
    bool again;           /* done before by this key (its answer forgotten) */
    char ref[PK_EVENT_REF_MAX];      /* the purchase */
    char op_ref[PK_EVENT_REF_MAX];   /* the operation's own event */
    char course[PK_EVENT_TEXT_MAX];
    int64_t amount;       /* the purchase's price (Rupiah) */
    int64_t balance;      /* the balance left after it */
    int64_t at;           /* the instant of the operation's event */
} pk_purchase_result;

/* Buys course `course_ref` of the caller's platform for the holder of
 * card `card`: refused kartu_tidak_dikenal, pelatihan_tidak_dikenal, or
 * the journey's code (saldo_tidak_cukup, sudah_dicabut, belum_penerima).
 * 0, or a store error (PK_ECONFLICT: redo). */
int pk_purchase_buy(const pk_app *app, const pk_platform_caller *c, const char *card,
                    const char *course_ref, pk_purchase_result *out);
/* Cancels purchase `ref` (the caller's own): its amount back on the
 * balance.  Refused as pk_purchase_check says, or by the journey. */
int pk_purchase_cancel(const pk_app *app, const pk_platform_caller *c, const char *ref,
                       pk_purchase_result *out);
/* Reports the completion of purchase `ref` with certificate number
 * `certificate` (pk_certificate_valid; else sertifikat_tidak_valid). */
int pk_purchase_complete(const pk_app *app, const pk_platform_caller *c, const char *ref,
                         const char *certificate, pk_purchase_result *out);
/* The participant's review of the training of purchase `ref`: stars
 * 1-5 and a text of at most 190 characters (else ulasan_tidak_valid). */
int pk_purchase_review(const pk_app *app, const pk_platform_caller *c, const char *ref,
                       int stars, const char *text, pk_purchase_result *out);

#endif
