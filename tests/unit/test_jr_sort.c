/* test_jr_sort.c -- the event import's run sort (app/journey_runs.c):
 * pk_jr_sort puts staged rows in the order of pk_jr_srec_cmp, the order
 * the merges read them in, for each pass's order: rows of one person,
 * equal instants, instants before 1970, refs that share their first 16
 * bytes or more, refs shorter than 8 bytes; and the stager, which writes
 * each half of its arena as a run on a thread while the other fills,
 * gives every row back once, in order, through the merge of its runs,
 * keeps its rows aligned in an arena of any size, and reports a run it
 * cannot write with the writing thread's errno. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

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

static char *rows_arena;
static size_t rows_offs[ROWS];

/* ROWS rows of every kind the orders tell apart, at rows_arena + rows_offs[i] */
static void make_rows(void)
{
    rows_arena = malloc((size_t)ROWS * 128);
    assert_non_null(rows_arena);
    srand(7);
    size_t used = 0;
    for (size_t i = 0; i < ROWS; i++) {
        srec *h = (srec *)(rows_arena + used);
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
        rows_offs[i] = used;
        used += (sizeof(*h) + n + 7) & ~(size_t)7;
    }
}

static void sorts_like_the_merge(void **state)
{
    (void)state;
    make_rows();
    size_t *want = malloc(ROWS * sizeof(*want)), *got = malloc(ROWS * sizeof(*got));
    jr_key *keys = malloc(ROWS * sizeof(*keys));
    assert_non_null(want);
    assert_non_null(got);
    assert_non_null(keys);
    arena_base = rows_arena;
    for (order o = BY_NIK; o <= BY_PID; o++) {
        memcpy(want, rows_offs, ROWS * sizeof(*want));
        qsort_r(want, ROWS, sizeof(*want), by_cmp, &o);
        memcpy(got, rows_offs, ROWS * sizeof(*got));
        pk_jr_sort(o, rows_arena, got, ROWS, keys);
        assert_memory_equal(got, want, ROWS * sizeof(*got));
        pk_jr_sort(o, rows_arena, got, ROWS, keys); /* sorted already */
        assert_memory_equal(got, want, ROWS * sizeof(*got));
    }
    free(rows_arena);
    free(want);
    free(got);
    free(keys);
}

/* Each order: the rows staged through a small arena (a run every 2 KiB,
 * about 45 runs, one written while the next fills; a flush midway), then
 * merged: every row once, in the order of pk_jr_srec_cmp. */
static void staged_rows_merge_back_in_order(void **state)
{
    (void)state;
    make_rows();
    size_t want[ROWS];
    arena_base = rows_arena;
    for (order o = BY_NIK; o <= BY_PID; o++) {
        memcpy(want, rows_offs, sizeof(want));
        qsort_r(want, ROWS, sizeof(*want), by_cmp, &o);
        stager st;
        assert_int_equal(pk_jr_stager_init(&st, o, 4096), 0);
        for (size_t i = 0; i < ROWS; i++) {
            const srec *from = (const srec *)(rows_arena + rows_offs[i]);
            srec *h;
            assert_int_equal(pk_jr_stage_room(&st, from->len, &h), 0);
            memcpy(h, from, sizeof(*from) + from->len);
            if (i == ROWS / 3)
                assert_int_equal(pk_jr_flush(&st), 0); /* and go on */
        }
        assert_int_equal(pk_jr_finish(&st), 0);
        assert_null(st.arena);
        assert_true(st.nruns > 40);
        run *runs;
        size_t nruns;
        pk_jr_take_runs(&st, &runs, &nruns);
        merge m = {0};
        assert_int_equal(pk_jr_merge_start(&m, o, runs, nruns), 0);
        size_t k = 0;
        for (run *r; (r = pk_jr_merge_top(&m)) != NULL; k++) {
            assert_true(k < ROWS);
            const srec *w = (const srec *)(rows_arena + want[k]);
            assert_int_equal(r->h.line, w->line);
            assert_int_equal(r->h.len, w->len);
            assert_memory_equal(r->data, w + 1, w->len);
            assert_int_equal(pk_jr_merge_pop(&m), 0);
        }
        assert_int_equal(k, ROWS);
        free(m.heap);
        pk_jr_runs_close(runs, nruns);
        pk_jr_stager_free(&st);
    }
    /* let go with a half being written and rows staged: nothing leaks */
    stager st;
    assert_int_equal(pk_jr_stager_init(&st, BY_REF, 4096), 0);
    for (size_t i = 0; i < 200; i++) {
        const srec *from = (const srec *)(rows_arena + rows_offs[i]);
        srec *h;
        assert_int_equal(pk_jr_stage_room(&st, from->len, &h), 0);
        memcpy(h, from, sizeof(*from) + from->len);
    }
    assert_non_null(st.job);
    pk_jr_stager_free(&st);
    /* a row larger than half the arena is refused */
    assert_int_equal(pk_jr_stager_init(&st, BY_REF, 256), 0);
    srec *h;
    assert_int_equal(pk_jr_stage_room(&st, 200, &h), PK_EINVAL);
    pk_jr_stager_free(&st);
    free(rows_arena);
}

/* Stages the first n rows of make_rows into s; the first error. */
static int stage_rows(stager *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const srec *from = (const srec *)(rows_arena + rows_offs[i]);
        srec *h;
        int rc = pk_jr_stage_room(s, from->len, &h);
        if (rc != 0)
            return rc;
        memcpy(h, from, sizeof(*from) + from->len);
    }
    return 0;
}

/* An arena whose half is not a multiple of 8 bytes: the second half's
 * rows are aligned all the same (UBSan checks each header read), and
 * every row comes back. */
static void an_odd_arena_keeps_its_rows_aligned(void **state)
{
    (void)state;
    make_rows();
    stager st;
    assert_int_equal(pk_jr_stager_init(&st, BY_PID, 4100), 0);
    assert_int_equal(stage_rows(&st, ROWS), 0);
    assert_int_equal(pk_jr_finish(&st), 0);
    merge m = {0};
    assert_int_equal(pk_jr_merge_start(&m, BY_PID, st.runs, st.nruns), 0);
    size_t k = 0;
    for (; pk_jr_merge_top(&m) != NULL; k++)
        assert_int_equal(pk_jr_merge_pop(&m), 0);
    assert_int_equal(k, ROWS);
    free(m.heap);
    pk_jr_stager_free(&st);
    free(rows_arena);
}

/* A run that cannot be written (no descriptor left for its temporary
 * file, on the writing thread): PK_EIO with that thread's errno, from
 * the stage that found it or the flush, and the stager lets go of all
 * it holds (ASan: nothing leaks, no descriptor is closed twice). */
static void a_run_that_cannot_be_written_is_an_error_with_its_errno(void **state)
{
    (void)state;
    make_rows();
    struct rlimit old, low;
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
    int probe = dup(0); /* the lowest free descriptor: none from it on */
    assert_true(probe >= 0);
    close(probe);
    low = old;
    low.rlim_cur = (rlim_t)probe;
    for (int flush = 0; flush < 2; flush++) {
        stager st;
        assert_int_equal(pk_jr_stager_init(&st, BY_NIK, 4096), 0);
        assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
        errno = 0;
        int rc = stage_rows(&st, flush ? 20 : ROWS);
        if (flush) {
            assert_int_equal(rc, 0); /* half an arena: nothing written yet */
            rc = pk_jr_flush(&st);
        }
        int err = errno;
        assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
        assert_int_equal(rc, PK_EIO);
        assert_int_equal(err, EMFILE);
        assert_int_equal(st.nruns, 0);
        pk_jr_stager_free(&st);
    }
    free(rows_arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sorts_like_the_merge), cmocka_unit_test(staged_rows_merge_back_in_order),
        cmocka_unit_test(an_odd_arena_keeps_its_rows_aligned),
        cmocka_unit_test(a_run_that_cannot_be_written_is_an_error_with_its_errno)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
