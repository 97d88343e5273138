/* card.h -- card numbers (selection.md "Card numbers"): 16 digits, a
 * 6-digit issuer prefix (configuration), 9 digits and a Luhn check digit.
 *
 * Uniqueness is the store's (a unique column, numbers never reused): the
 * 9 digits come from a serial the store hands out once, spread over the
 * 10^9 space by pk_card_spread, a permutation keyed with a secret of the
 * deployment (app/wave_draw.c derives it from the vault's key).  A card
 * number pays for trainings: knowing how many cards were issued, or one
 * card's number, must not give another's.  An outside test computed the
 * numbers of a public, unkeyed spread and spent other people's balances. */
#ifndef PK_CARD_H
#define PK_CARD_H

#include <stdbool.h>
#include <stdint.h>

#define PK_CARD_LEN 16
#define PK_CARD_PREFIX_LEN 6
#define PK_CARD_SERIAL_MAX 1000000000ULL   /* 10^9 serials per prefix */
#define PK_CARD_KEY_LEN 16                 /* the spread's key (SipHash-2-4's) */

/* The Luhn check digit ('0'..'9') of the n digits s[0..n). */
char pk_card_luhn(const char *s, int n);

/* A permutation of [0, 10^9) under key: serial -> the 9 middle digits.
 * An 8-round Feistel network over 30 bits (SipHash-2-4 as its round
 * function), walked until it lands below 10^9. */
uint64_t pk_card_spread(const uint8_t key[PK_CARD_KEY_LEN], uint64_t serial);

/* The card number the first release gave a serial (an affine, public
 * spread: cards issued before the keyed one), to tell whether a store
 * holds such cards; never for a new card.  0 or PK_EINVAL as below. */
int pk_card_make_v1(const char *prefix, uint64_t serial, char out[PK_CARD_LEN + 1]);

/* Writes prefix + 9 digits + check digit and a NUL into out.
 * PK_EINVAL when the prefix is not 6 digits or serial >= 10^9. */
int pk_card_make(const char *prefix, const uint8_t key[PK_CARD_KEY_LEN], uint64_t serial,
                 char out[PK_CARD_LEN + 1]);

/* True when s is 16 digits with a correct check digit. */
bool pk_card_valid(const char *s);

/* True when s is exactly 6 digits (an issuer prefix). */
bool pk_card_prefix_valid(const char *s);

#endif
