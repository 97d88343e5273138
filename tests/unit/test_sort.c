/* test_sort.c -- pk_sort_keyed (core/sort.c) gives qsort's order under a
 * total comparison: random records of the draw's sizes whose keys tie
 * often (a key of a few values, the comparison deciding), all keys equal,
 * sorted and reversed input, 0, 1 and 2 records; and pk_sort_be's order
 * is the bytes' order. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/sort.h"

typedef struct rec {
    uint8_t digest[32];
    uint32_t id;
    uint8_t pad[20]; /* 56 bytes, as the draw's table */
} rec;

static int rec_cmp(const void *a, const void *b)
{
    const rec *x = a, *y = b;
    int c = memcmp(x->digest, y->digest, sizeof x->digest);
    return c ? c : (x->id > y->id) - (x->id < y->id);
}

static int key_bytes = 8;
static uint64_t rec_key(const void *a)
{
    return pk_sort_be(((const rec *)a)->digest, (size_t)key_bytes);
}

static void check(rec *v, size_t n, int kb)
{
    rec *want = malloc((n ? n : 1) * sizeof(*want));
    assert_non_null(want);
    memcpy(want, v, n * sizeof(*v));
    qsort(want, n, sizeof(*want), rec_cmp);
    key_bytes = kb;
    pk_sort_keyed(v, n, sizeof(*v), rec_key, rec_cmp);
    assert_memory_equal(v, want, n * sizeof(*v));
    free(want);
}

static void fill(rec *v, size_t n, int spread)
{
    for (size_t i = 0; i < n; i++) {
        memset(&v[i], 0, sizeof(v[i]));
        for (size_t b = 0; b < sizeof v[i].digest; b++)
            v[i].digest[b] = (uint8_t)(rand() % spread);
        v[i].id = (uint32_t)rand();
        v[i].pad[0] = (uint8_t)i;
    }
}

static void sorts_like_qsort(void **state)
{
    (void)state;
    enum { N = 20000 };
    rec *v = malloc(N * sizeof(*v));
    assert_non_null(v);
    srand(42);
    for (int kb = 0; kb <= 8; kb += 2) { /* 0: every key equal */
        fill(v, N, 3);                     /* digests share long prefixes */
        check(v, N, kb);
        check(v, N, kb);                   /* sorted already */
        for (size_t i = 0; i < N / 2; i++) { /* reversed */
            rec t = v[i];
            v[i] = v[N - 1 - i], v[N - 1 - i] = t;
        }
        check(v, N, kb);
        fill(v, N, 256);
        check(v, N, kb);
    }
    for (size_t n = 0; n <= 2; n++) {
        fill(v, n, 2);
        check(v, n, 8);
    }
    free(v);
}

static void big_endian_keys_order_as_bytes(void **state)
{
    (void)state;
    const uint8_t a[8] = {0, 0, 0, 0, 0, 0, 0, 1}, b[8] = {0, 0, 0, 0, 0, 0, 1, 0},
                  c[8] = {1, 0, 0, 0, 0, 0, 0, 0}, d[8] = {0xff, 0xff};
    assert_true(pk_sort_be(a, 8) < pk_sort_be(b, 8));
    assert_true(pk_sort_be(b, 8) < pk_sort_be(c, 8));
    assert_true(pk_sort_be(c, 8) < pk_sort_be(d, 8));
    assert_int_equal(pk_sort_be(d, 2), UINT64_C(0xffff) << 48); /* short: zeros after */
    assert_int_equal(pk_sort_be(d, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(sorts_like_qsort),
                                       cmocka_unit_test(big_endian_keys_order_as_bytes)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
