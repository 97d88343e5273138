/* test_jr_sort.c -- the event import's run sort (app/journey_runs.c):
 * pk_jr_sort puts staged rows in the order of pk_jr_srec_cmp, the order
 * the merges read them in, for each pass's order: rows of one person,
 * equal instants, instants before 1970, refs that share their first 16
 * bytes or more, refs shorter than 8 bytes. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/journey_runs.h"

#define ROWS 3000

static const char *const refs[] = {
    "a", "ab", "abcdefg", "abcdefgh", "abcdefghi", "abcdefghijklmno", "abcdefghijklmnop",
    "abcdefghijklmnopq", "abcdefghijklmnopr", "abcdefghijklmnopqrstuvwxyz", "pmo-000000001",
    "pmo-000000002", "pmo-0000000010", "\x7f\x80", "Z", "abcdefghijklmnop\xc3\xa9"};

static const char *arena_base;

static int by_cmp(const void *a, const void *b, void *ctx)
{
    order o = *(const order *)ctx;
    const srec *x = (const srec *)(arena_base + *(const size_t *)a);
    const srec *y = (const srec *)(arena_base + *(const size_t *)b);
    return pk_jr_srec_cmp(o, x, (const char *)(x + 1), y, (const char *)(y + 1));
}

static void sorts_like_the_merge(void **state)
{
    (void)state;
    char *arena = malloc((size_t)ROWS * 128);
    size_t *offs = malloc(ROWS * sizeof(*offs)), *want = malloc(ROWS * sizeof(*want));
    jr_key *keys = malloc(ROWS * sizeof(*keys));
    assert_non_null(arena);
    assert_non_null(offs);
    assert_non_null(want);
    assert_non_null(keys);
    srand(7);
    size_t used = 0;
    for (size_t i = 0; i < ROWS; i++) {
        srec *h = (srec *)(arena + used);
        memset(h, 0, sizeof(*h));
        h->pid = rand() % 50 - 2;                       /* many rows per person */
        memset(h->bi, 0, PK_BI_LEN);
        h->bi[rand() % 2 ? 0 : 15] = (uint8_t)(rand() % 4); /* equal indexes, the last byte */
        h->bi[7] = (uint8_t)(rand() % 2 ? 0xff : 0x01);
        h->at = (int64_t)(rand() % 7 - 3) * 1000000000LL; /* before 1970 too */
        h->line = (uint64_t)(ROWS * 2 - i * 2 + (uint64_t)(rand() % 2)); /* distinct */
        const char *ref = refs[rand() % (int)(sizeof(refs) / sizeof(refs[0]))];
        size_t n = strlen(ref) + 1;
        memcpy(h + 1, ref, n);
        h->len = (uint32_t)n;
        offs[i] = used;
        used += (sizeof(*h) + n + 7) & ~(size_t)7;
    }
    arena_base = arena;
    for (order o = BY_NIK; o <= BY_PID; o++) {
        memcpy(want, offs, ROWS * sizeof(*want));
        qsort_r(want, ROWS, sizeof(*want), by_cmp, &o);
        size_t *got = malloc(ROWS * sizeof(*got));
        assert_non_null(got);
        memcpy(got, offs, ROWS * sizeof(*got));
        pk_jr_sort(o, arena, got, ROWS, keys);
        assert_memory_equal(got, want, ROWS * sizeof(*got));
        pk_jr_sort(o, arena, got, ROWS, keys); /* sorted already */
        assert_memory_equal(got, want, ROWS * sizeof(*got));
        free(got);
    }
    free(arena);
    free(offs);
    free(want);
    free(keys);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(sorts_like_the_merge)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
