/* draw.c -- the draw of a wave (draw.h, spec selection.md): seed, rank,
 * order, walk, digests.  SHA-256 is libsodium's. */
#include "core/draw.h"
#include "core/pk.h"
#include "core/sort.h"

#include <stdlib.h>
#include <string.h>

int pk_draw_seed_parse(const char *hex, uint8_t seed[PK_DRAW_SEED_LEN])
{
    if (!hex || strlen(hex) != PK_DRAW_HEX_LEN)
        return PK_EINVAL;
    for (size_t i = 0; i < PK_DRAW_SEED_LEN; i++) {
        int hi = pk_hex_digit(hex[2 * i]), lo = pk_hex_digit(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return PK_EINVAL;
        seed[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

void pk_draw_hex(const uint8_t b[32], char out[PK_DRAW_HEX_LEN + 1])
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < 32; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[PK_DRAW_HEX_LEN] = '\0';
}

void pk_draw_rank(const uint8_t seed[PK_DRAW_SEED_LEN], const char nik[16],
                  uint8_t rank[PK_DRAW_RANK_LEN])
{
    crypto_hash_sha256_state st;
    crypto_hash_sha256_init(&st);
    crypto_hash_sha256_update(&st, seed, PK_DRAW_SEED_LEN);
    crypto_hash_sha256_update(&st, (const unsigned char *)nik, 16);
    crypto_hash_sha256_final(&st, rank);
}

static int entry_cmp(const void *a, const void *b)
{
    const pk_draw_entry *x = a, *y = b;
    if (x->tier != y->tier)
        return x->tier < y->tier ? -1 : 1;
    int c = memcmp(x->rank, y->rank, PK_DRAW_RANK_LEN);
    if (c)
        return c;
    return (x->id > y->id) - (x->id < y->id);
}

/* (tier, the rank's first 7 bytes): entry_cmp's order but for the rest
 * of the rank and the id */
static uint64_t entry_key(const void *a)
{
    const pk_draw_entry *x = a;
    return (uint64_t)x->tier << 56 | pk_sort_be(x->rank, 7) >> 8;
}

void pk_draw_sort(pk_draw_entry *e, size_t n)
{
    pk_sort_keyed(e, n, sizeof *e, entry_key, entry_cmp);
}

int64_t pk_draw_walk(pk_draw_entry *e, size_t n, pk_draw_quotas *q)
{
    for (size_t i = 0; i < n; i++) {
        if ((e[i].region != PK_DRAW_NONE && e[i].region >= q->n_region) ||
            (e[i].family != PK_DRAW_NONE && e[i].family >= q->n_family))
            return PK_EINVAL;
    }
    if (q->overall < 0)
        return PK_EINVAL;
    int64_t selected = 0;
    /* regency counts live in a copy of the quotas counted down */
    int64_t *left = NULL;
    if (q->n_region) {
        left = malloc(q->n_region * sizeof *left);
        if (!left)
            return PK_ENOMEM;
        memcpy(left, q->region, q->n_region * sizeof *left);
    }
    for (size_t i = 0; i < n; i++) {
        pk_draw_entry *x = &e[i];
        if (selected >= q->overall)
            x->outcome = PK_DRAW_KUOTA_GELOMBANG;
        else if (x->region != PK_DRAW_NONE && left[x->region] <= 0)
            x->outcome = PK_DRAW_KUOTA_WILAYAH;
        else if (q->kk_max > 0 && x->family != PK_DRAW_NONE &&
                 q->family[x->family] >= (uint32_t)q->kk_max)
            x->outcome = PK_DRAW_KUOTA_KK;
        else {
            x->outcome = PK_DRAW_LOLOS;
            selected++;
            if (x->region != PK_DRAW_NONE)
                left[x->region]--;
            if (x->family != PK_DRAW_NONE)
                q->family[x->family]++;
        }
    }
    free(left);
    return selected;
}

pk_code pk_draw_outcome_code(pk_draw_outcome o)
{
    switch (o) {
    case PK_DRAW_KUOTA_GELOMBANG:
        return PK_C_KUOTA_GELOMBANG_PENUH;
    case PK_DRAW_KUOTA_WILAYAH:
        return PK_C_KUOTA_WILAYAH_PENUH;
    case PK_DRAW_KUOTA_KK:
        return PK_C_KUOTA_KK_PENUH;
    case PK_DRAW_LOLOS:
        break;
    }
    return PK_C__COUNT;
}

void pk_draw_digest_init(pk_draw_digest *d)
{
    crypto_hash_sha256_init(&d->snapshot);
    crypto_hash_sha256_init(&d->result);
}

void pk_draw_digest_add(pk_draw_digest *d, const char nik[16], bool selected)
{
    char line[32];
    memcpy(line, nik, 16);
    line[16] = '\n';
    crypto_hash_sha256_update(&d->snapshot, (const unsigned char *)line, 17);
    static const char lolos[] = ",lolos\n", tidak[] = ",tidak_lolos\n";
    const char *st = selected ? lolos : tidak;
    size_t len = selected ? sizeof lolos - 1 : sizeof tidak - 1;
    memcpy(line + 16, st, len);
    crypto_hash_sha256_update(&d->result, (const unsigned char *)line, 16 + len);
}

void pk_draw_digest_final(pk_draw_digest *d, uint8_t snapshot[32], uint8_t result[32])
{
    crypto_hash_sha256_final(&d->snapshot, snapshot);
    crypto_hash_sha256_final(&d->result, result);
}
