/* sort.c -- records sorted by a 64-bit key (sort.h): the keys and the
 * records' places sorted together in one array (PK_QUICKSORT comparing
 * integers, the records read only when two keys are equal), then the
 * records moved to their places in place, a cycle at a time. */
#include "core/sort.h"

#include <stdlib.h>
#include <string.h>

typedef struct kv {
    uint64_t k;
    size_t i; /* the record's place */
} kv;

typedef struct sorter {
    const char *base;
    size_t size;
    pk_sort_cmp_fn cmp;
} sorter;

static int kv_cmp(const sorter *s, const kv *a, const kv *b)
{
    if (a->k != b->k)
        return a->k < b->k ? -1 : 1;
    return s->cmp(s->base + a->i * s->size, s->base + b->i * s->size);
}

PK_QUICKSORT(kv_sort, kv, sorter, kv_cmp)

void pk_sort_keyed(void *base, size_t n, size_t size, pk_sort_key_fn key, pk_sort_cmp_fn cmp)
{
    if (n < 2)
        return;
    kv *v = malloc(n * sizeof(*v));
    char *tmp = malloc(size);
    if (v == NULL || tmp == NULL) {
        free(v);
        free(tmp);
        qsort(base, n, size, cmp);
        return;
    }
    char *b = base;
    for (size_t i = 0; i < n; i++)
        v[i] = (kv){key(b + i * size), i};
    const sorter s = {b, size, cmp};
    kv_sort(&s, v, n);
    /* place p takes the record at v[p].i: each cycle of that permutation
     * moved once, the places done marked with SIZE_MAX */
    for (size_t p = 0; p < n; p++) {
        if (v[p].i == SIZE_MAX)
            continue;
        if (v[p].i == p) {
            v[p].i = SIZE_MAX;
            continue;
        }
        memcpy(tmp, b + p * size, size);
        size_t q = p;
        for (;;) {
            size_t from = v[q].i;
            v[q].i = SIZE_MAX;
            if (from == p) {
                memcpy(b + q * size, tmp, size);
                break;
            }
            memcpy(b + q * size, b + from * size, size);
            q = from;
        }
    }
    free(v);
    free(tmp);
}

uint64_t pk_sort_be(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    for (size_t i = 0; i < 8; i++)
        v = v << 8 | (i < n ? p[i] : 0);
    return v;
}
