/* draw.h -- the reproducible draw of a wave (spec selection.md), as pure
 * functions: the seed, each applicant's rank, the order, the walk with
 * the overall, regency and family-card quotas, and the two digests.
 *
 * The app (app/wave.c) gathers the applicants, evaluates the rules and
 * maps regencies and family cards to small dense indexes; this is the
 * only place the draw's arithmetic lives, so tools/verify_draw.py and
 * docs/DRAW.md describe exactly this file.
 *
 * Memory: one pk_draw_entry (48 bytes) per eligible applicant, sorted in
 * place; the digests are streamed. */
#ifndef PK_DRAW_H
#define PK_DRAW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "core/pk.h"

#define PK_DRAW_ALGORITHM 1
#define PK_DRAW_SEED_LEN 32
#define PK_DRAW_RANK_LEN 32
#define PK_DRAW_HEX_LEN 64           /* a seed, a rank or a digest in hex */
#define PK_DRAW_NONE UINT32_MAX      /* no regency quota / no family card */

/* A seed from exactly 64 hexadecimal digits (either case, nothing else,
 * not even spaces): 0, or PK_EINVAL. */
int pk_draw_seed_parse(const char *hex, uint8_t seed[PK_DRAW_SEED_LEN]);

/* 32 bytes as 64 lower-case hex digits and a NUL. */
void pk_draw_hex(const uint8_t b[32], char out[PK_DRAW_HEX_LEN + 1]);

/* rank = SHA-256(seed || the 16 ASCII digits of the NIK), a 256-bit
 * big-endian number (so memcmp orders ranks).  Cannot fail. */
void pk_draw_rank(const uint8_t seed[PK_DRAW_SEED_LEN], const char nik[16],
                  uint8_t rank[PK_DRAW_RANK_LEN]);

/* What the walk decides for one eligible applicant. */
typedef enum pk_draw_outcome {
    PK_DRAW_LOLOS = 0,
    PK_DRAW_KUOTA_GELOMBANG,     /* the overall quota was filled */
    PK_DRAW_KUOTA_WILAYAH,       /* the quota of the regency was filled */
    PK_DRAW_KUOTA_KK             /* the family card has kk_max recipients */
} pk_draw_outcome;

typedef struct pk_draw_entry {
    uint8_t rank[PK_DRAW_RANK_LEN];
    uint32_t id;        /* the caller's index of the applicant */
    uint32_t region;    /* index into the regency quotas, or PK_DRAW_NONE */
    uint32_t family;    /* index into the family counts, or PK_DRAW_NONE */
    uint8_t tier;       /* 0: on the prioritas list, 1: everyone else */
    uint8_t outcome;    /* pk_draw_outcome, set by pk_draw_walk */
} pk_draw_entry;

/* Sorts e[0..n) by (tier, rank) ascending.  Two entries never tie in
 * practice (distinct NIKs, SHA-256); a tie falls back to id so the order
 * is total. */
void pk_draw_sort(pk_draw_entry *e, size_t n);

typedef struct pk_draw_quotas {
    int64_t overall;              /* >= 0 */
    const int64_t *region;        /* region[i]: quota of regency i (>= 0) */
    size_t n_region;
    int kk_max;                   /* 0: no family-card limit */
    uint32_t *family;             /* family[j]: recipients of card j so far
                                   * (earlier waves); counted up by the walk */
    size_t n_family;
} pk_draw_quotas;

/* Walks e[0..n) (already sorted) once and sets each outcome: selected
 * unless the overall quota is filled, else the regency's, else the family
 * card has kk_max recipients (checked in that order; the first one that
 * applies is the reason).  Returns how many were selected, or PK_EINVAL
 * when an index is out of range (nothing is then meaningful). */
int64_t pk_draw_walk(pk_draw_entry *e, size_t n, pk_draw_quotas *q);

/* The reason code of an outcome other than PK_DRAW_LOLOS. */
pk_code pk_draw_outcome_code(pk_draw_outcome o);

/* The two digests of selection.md, streamed: feed every applicant in
 * ascending NIK order.  snapshot = SHA-256 of "nik\n" lines, result =
 * SHA-256 of "nik,lolos\n" / "nik,tidak_lolos\n" lines. */
typedef struct pk_draw_digest {
    crypto_hash_sha256_state snapshot, result;
} pk_draw_digest;

void pk_draw_digest_init(pk_draw_digest *d);
void pk_draw_digest_add(pk_draw_digest *d, const char nik[16], bool selected);
void pk_draw_digest_final(pk_draw_digest *d, uint8_t snapshot[32], uint8_t result[32]);

#endif
