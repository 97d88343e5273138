/* purchase.h -- the trainings the digital platforms sell against the
 * balance, as the journey records them (app/purchase.c runs them): the
 * reference of a platform's operation, the state of one purchase read
 * from the person's events, and which operation that state allows.
 * Pure: no I/O.
 *
 * A purchase is a `pembelian` event (source lokal, platform and course
 * set); its cancellation a `pembatalan` (ref_asal = the purchase), its
 * completion a `selesai_pelatihan` and its review an `ulasan`, each with
 * ref_asal = the purchase (a column those types do not need, kept). */
#ifndef PK_PURCHASE_H
#define PK_PURCHASE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/journey.h"
#include "core/pk.h"

#define PK_REVIEW_TEXT_MAX 190  /* characters of a review's text */
#define PK_CERT_MAX 64          /* characters of a certificate number */

/* The event reference of platform `code`'s operation named by its
 * idempotency key: "pf:" CODE ":" KEY when that fits in 64 characters,
 * else "pf:" CODE ":~" and the hex SHA-256 of KEY cut to fill 64 ('~'
 * is not a key's character, so the two forms never meet).  A retry
 * (same key) makes the same reference, so the journey stores the
 * operation once.  Other writers of lokal events do not use "pf:". */
void pk_purchase_ref(const char *code, const char *key, char out[PK_EVENT_REF_MAX]);

/* One purchase as the events tell it. */
typedef struct pk_purchase_state {
    const pk_event *purchase;   /* NULL: no pembelian with this lokal ref */
    bool cancelled, completed, reviewed;
} pk_purchase_state;

/* Reads a person's events ev[0..n) for the purchase `ref` (source lokal). */
void pk_purchase_find(const pk_event *ev, size_t n, const char *ref, pk_purchase_state *out);

typedef enum pk_purchase_op {
    PK_PURCHASE_CANCEL,
    PK_PURCHASE_COMPLETE,
    PK_PURCHASE_REVIEW
} pk_purchase_op;

/* PK_C__COUNT when platform `code` may do op on the purchase, else why
 * not: pembelian_tidak_dikenal (none, or another platform's: the same
 * answer), sudah_dibatalkan, sudah_selesai (a completed training is
 * neither cancelled nor completed again), belum_selesai (a review needs
 * the completion), sudah_diulas. */
pk_code pk_purchase_check(const pk_purchase_state *st, const char *code, pk_purchase_op op);

/* A certificate number: 1-64 of A-Z a-z 0-9 . / _ - */
bool pk_certificate_valid(const char *s);

/* A review's note (the ulasan's keterangan): "N/5" and, when text is not
 * empty, a space and the text.  False (note unspecified) when stars is
 * not 1-5 or text is not 0-190 characters of UTF-8 without control
 * characters. */
bool pk_review_note(int stars, const char *text, char *note, size_t cap);

#endif
