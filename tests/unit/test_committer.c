/* test_committer.c -- group commit (app/committer.c) over a store that only
 * counts: how many leaders run at once, and a piece that loses a deadlock
 * (PK_EBUSY) done again. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/committer.h"
#include "core/pk.h"
#include "store/store_impl.h"

/* ---- a store that counts ---- */

static atomic_int open_tx, most_open_tx, savepoints, releases, rollbacks_to, commits,
    rollbacks;

typedef struct {
    pk_tx base;
} fake_tx;

static int fake_begin(pk_store *s, pk_tx **out)
{
    fake_tx *t = calloc(1, sizeof(*t));
    if (t == NULL)
        return PK_ENOMEM;
    t->base.store = s;
    int n = atomic_fetch_add(&open_tx, 1) + 1;
    for (int m = atomic_load(&most_open_tx); n > m;)
        if (atomic_compare_exchange_weak(&most_open_tx, &m, n))
            break;
    *out = &t->base;
    return 0;
}

static void end_tx(pk_tx *tx)
{
    atomic_fetch_sub(&open_tx, 1);
    free(tx);
}

static int fake_commit(pk_tx *tx)
{
    atomic_fetch_add(&commits, 1);
    end_tx(tx);
    return 0;
}

static void fake_rollback(pk_tx *tx)
{
    atomic_fetch_add(&rollbacks, 1);
    end_tx(tx);
}

static int fake_savepoint(pk_tx *tx)
{
    (void)tx;
    atomic_fetch_add(&savepoints, 1);
    return 0;
}

static int fake_release(pk_tx *tx)
{
    (void)tx;
    atomic_fetch_add(&releases, 1);
    return 0;
}

static int fake_rollback_to(pk_tx *tx)
{
    (void)tx;
    atomic_fetch_add(&rollbacks_to, 1);
    return 0;
}

static pk_store_ops shared_ops = {
    .name = "fake-shared",
    .shared = true,
    .begin = fake_begin,
    .commit = fake_commit,
    .rollback = fake_rollback,
    .savepoint = fake_savepoint,
    .release = fake_release,
    .rollback_to = fake_rollback_to,
};

static pk_store_ops single_ops;

static int reset(void **state)
{
    (void)state;
    atomic_store(&open_tx, 0);
    atomic_store(&most_open_tx, 0);
    atomic_store(&savepoints, 0);
    atomic_store(&releases, 0);
    atomic_store(&rollbacks_to, 0);
    atomic_store(&commits, 0);
    atomic_store(&rollbacks, 0);
    single_ops = shared_ops;
    single_ops.name = "fake-single";
    single_ops.shared = false;
    return 0;
}

/* ---- pieces of work ---- */

/* Fails with PK_EBUSY `busy` times, then succeeds. */
typedef struct {
    int busy;
    int calls;
} flaky;

static int flaky_fn(pk_tx *tx, void *arg)
{
    (void)tx;
    flaky *f = arg;
    return ++f->calls <= f->busy ? PK_EBUSY : 0;
}

static void busy_piece_is_done_again_on_a_shared_store(void **state)
{
    (void)state;
    pk_store s = {&shared_ops, NULL};
    pk_committer *c = pk_committer_new(&s, 16);
    assert_non_null(c);
    flaky f = {.busy = 2};
    assert_int_equal(pk_committer_run(c, flaky_fn, &f), 0);
    assert_int_equal(f.calls, 3);
    assert_int_equal(atomic_load(&savepoints), 3);
    assert_int_equal(atomic_load(&rollbacks_to), 2);
    assert_int_equal(atomic_load(&releases), 1);
    assert_int_equal(atomic_load(&commits), 1);
    /* one that never stops losing is given up after a few attempts */
    flaky g = {.busy = 1000};
    assert_int_equal(pk_committer_run(c, flaky_fn, &g), PK_EBUSY);
    assert_in_range(g.calls, 2, 10);
    assert_int_equal(atomic_load(&commits), 2);
    pk_committer_free(c);
}

static void busy_piece_is_not_redone_on_a_single_writer(void **state)
{
    (void)state;
    pk_store s = {&single_ops, NULL};
    pk_committer *c = pk_committer_new(&s, 16);
    assert_non_null(c);
    flaky f = {.busy = 1};
    assert_int_equal(pk_committer_run(c, flaky_fn, &f), PK_EBUSY);
    assert_int_equal(f.calls, 1);
    pk_committer_free(c);
}

/* Each piece waits (up to `ticks` times 10 ms) until `want` transactions
 * have been open at once: with enough leaders they meet. */
typedef struct {
    pk_committer *c;
    int want, ticks;
    int rc;
} racer;

static int meet_fn(pk_tx *tx, void *arg)
{
    (void)tx;
    const racer *r = arg;
    for (int i = 0; i < r->ticks && atomic_load(&most_open_tx) < r->want; i++) {
        struct timespec ten_ms = {0, 10 * 1000 * 1000};
        nanosleep(&ten_ms, NULL);
    }
    return 0;
}

static void *race(void *arg)
{
    racer *r = arg;
    r->rc = pk_committer_run(r->c, meet_fn, r);
    return NULL;
}

static int most_at_once(pk_store_ops *ops, int threads, int ticks)
{
    pk_store s = {ops, NULL};
    pk_committer *c = pk_committer_new(&s, 1); /* one piece a batch */
    assert_non_null(c);
    racer r[16];
    pthread_t t[16];
    assert_true(threads <= 16);
    for (int i = 0; i < threads; i++) {
        r[i] = (racer){c, PK_COMMIT_LANES_SHARED, ticks, -1};
        assert_int_equal(pthread_create(&t[i], NULL, race, &r[i]), 0);
    }
    for (int i = 0; i < threads; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(r[i].rc, 0);
    }
    assert_int_equal(atomic_load(&commits), threads);
    assert_int_equal(atomic_load(&open_tx), 0);
    pk_committer_free(c);
    return atomic_load(&most_open_tx);
}

static void shared_store_gets_several_leaders(void **state)
{
    (void)state;
    /* more pieces than leaders: never more leaders than that at once */
    assert_int_equal(most_at_once(&shared_ops, 2 * PK_COMMIT_LANES_SHARED, 300),
                     PK_COMMIT_LANES_SHARED);
}

static void single_writer_gets_one_leader(void **state)
{
    (void)state;
    assert_int_equal(most_at_once(&single_ops, 3, 20), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(busy_piece_is_done_again_on_a_shared_store, reset),
        cmocka_unit_test_setup(busy_piece_is_not_redone_on_a_single_writer, reset),
        cmocka_unit_test_setup(shared_store_gets_several_leaders, reset),
        cmocka_unit_test_setup(single_writer_gets_one_leader, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
