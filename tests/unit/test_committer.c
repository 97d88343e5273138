/* test_committer.c -- group commit (app/committer.c) over a store that only
 * counts: how many leaders run at once, and a piece that loses a deadlock
 * (PK_EBUSY) done again, after the pieces before it are committed. */
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

static atomic_int open_tx, most_open_tx, begins, savepoints, releases, rollbacks_to, commits,
    rollbacks;
static atomic_int many_calls, many_n, fn_calls; /* pieces done together */

typedef struct {
    pk_tx base;
} fake_tx;

static int fake_begin(pk_store *s, pk_tx **out)
{
    fake_tx *t = calloc(1, sizeof(*t));
    if (t == NULL)
        return PK_ENOMEM;
    t->base.store = s;
    atomic_fetch_add(&begins, 1);
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
    atomic_store(&begins, 0);
    atomic_store(&savepoints, 0);
    atomic_store(&releases, 0);
    atomic_store(&rollbacks_to, 0);
    atomic_store(&commits, 0);
    atomic_store(&rollbacks, 0);
    atomic_store(&many_calls, 0);
    atomic_store(&many_n, 0);
    atomic_store(&fn_calls, 0);
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
    assert_int_equal(pk_committer_run(c, flaky_fn, NULL, &f), 0);
    assert_int_equal(f.calls, 3);
    assert_int_equal(atomic_load(&savepoints), 3);
    assert_int_equal(atomic_load(&rollbacks_to), 2);
    assert_int_equal(atomic_load(&releases), 1);
    assert_int_equal(atomic_load(&commits), 1);
    /* one that never stops losing is given up after a few attempts */
    flaky g = {.busy = 1000};
    assert_int_equal(pk_committer_run(c, flaky_fn, NULL, &g), PK_EBUSY);
    assert_int_equal(g.calls, PK_REDO_MAX);
    assert_int_equal(atomic_load(&commits), 2);
    pk_committer_free(c);
}

/* ---- two pieces in one batch, behind leaders that hold every lane ---- */

static atomic_int hold; /* blockers wait while it is 1 */

static int blocker_fn(pk_tx *tx, void *arg)
{
    (void)tx;
    (void)arg;
    for (int i = 0; i < 500 && atomic_load(&hold); i++) {
        struct timespec ms = {0, 1000 * 1000};
        nanosleep(&ms, NULL);
    }
    return 0;
}

typedef struct {
    pk_committer *c;
    pk_commit_fn fn;
    void *arg;
    int rc;
} runner;

static void *run_one(void *arg)
{
    runner *r = arg;
    r->rc = pk_committer_run(r->c, r->fn, NULL, r->arg);
    return NULL;
}

static void sleep_ms(int ms)
{
    struct timespec t = {0, (long)ms * 1000 * 1000};
    nanosleep(&t, NULL);
}

static void deadlock_commits_the_pieces_before_and_redoes_in_a_new_transaction(void **state)
{
    (void)state;
    pk_store s = {&shared_ops, NULL};
    pk_committer *c = pk_committer_new(&s, 16);
    assert_non_null(c);
    atomic_store(&hold, 1);
    runner blockers[PK_COMMIT_LANES_SHARED];
    pthread_t bt[PK_COMMIT_LANES_SHARED], at, bt2;
    for (int i = 0; i < PK_COMMIT_LANES_SHARED; i++) {
        blockers[i] = (runner){c, blocker_fn, NULL, -1};
        assert_int_equal(pthread_create(&bt[i], NULL, run_one, &blockers[i]), 0);
    }
    for (int i = 0; i < 2000 && atomic_load(&open_tx) < PK_COMMIT_LANES_SHARED; i++)
        sleep_ms(1);
    assert_int_equal(atomic_load(&open_tx), PK_COMMIT_LANES_SHARED);
    /* every lane busy: these two queue up, then go in one batch */
    flaky good = {.busy = 0}, busy = {.busy = 2};
    runner a = {c, flaky_fn, &good, -1}, b = {c, flaky_fn, &busy, -1};
    assert_int_equal(pthread_create(&at, NULL, run_one, &a), 0);
    sleep_ms(50);
    assert_int_equal(pthread_create(&bt2, NULL, run_one, &b), 0);
    sleep_ms(50);
    atomic_store(&hold, 0);
    for (int i = 0; i < PK_COMMIT_LANES_SHARED; i++) {
        pthread_join(bt[i], NULL);
        assert_int_equal(blockers[i].rc, 0);
    }
    pthread_join(at, NULL);
    pthread_join(bt2, NULL);
    assert_int_equal(a.rc, 0);
    assert_int_equal(b.rc, 0);
    assert_int_equal(good.calls, 1);
    assert_int_equal(busy.calls, 3);
    /* the blockers' four; the batch's first transaction, committed when
     * the second piece lost; the second piece's own, where it lost again
     * and was redone at once (nothing before it to release) */
    assert_int_equal(atomic_load(&begins), PK_COMMIT_LANES_SHARED + 2);
    assert_int_equal(atomic_load(&commits), PK_COMMIT_LANES_SHARED + 2);
    assert_int_equal(atomic_load(&rollbacks), 0);
    assert_int_equal(atomic_load(&open_tx), 0);
    pk_committer_free(c);
}

/* ---- pieces done together ---- */


static int one_fn(pk_tx *tx, void *arg)
{
    (void)tx;
    atomic_fetch_add(&fn_calls, 1);
    return *(int *)arg; /* its result: 0 or an error code */
}

/* Does all of them, each with the result it asks for, plus 1000. */
static int many_fn(pk_tx *tx, void *const *args, int *rcs, size_t n)
{
    (void)tx;
    atomic_fetch_add(&many_calls, 1);
    atomic_store(&many_n, (int)n);
    for (size_t i = 0; i < n; i++)
        rcs[i] = *(int *)args[i] + 1000;
    return 0;
}

static int decline_fn(pk_tx *tx, void *const *args, int *rcs, size_t n)
{
    (void)tx;
    (void)args;
    (void)rcs;
    (void)n;
    atomic_fetch_add(&many_calls, 1);
    return PK_ECONFLICT;
}

typedef struct {
    pk_committer *c;
    pk_commit_many_fn many;
    int want, rc;
} piece;

static void *run_piece(void *arg)
{
    piece *p = arg;
    p->rc = pk_committer_run(p->c, one_fn, p->many, &p->want);
    return NULL;
}

/* Five pieces queued behind a blocker on a single writer, so they form
 * one batch. */
static void five_in_one_batch(pk_commit_many_fn many, piece *ps)
{
    pk_store s = {&single_ops, NULL};
    pk_committer *c = pk_committer_new(&s, 16);
    assert_non_null(c);
    atomic_store(&hold, 1);
    runner blocker = {c, blocker_fn, NULL, -1};
    pthread_t bt, t[5];
    assert_int_equal(pthread_create(&bt, NULL, run_one, &blocker), 0);
    for (int i = 0; i < 2000 && atomic_load(&open_tx) < 1; i++)
        sleep_ms(1);
    for (int i = 0; i < 5; i++) {
        ps[i] = (piece){c, many, i == 3 ? PK_ECONFLICT : 0, -1};
        assert_int_equal(pthread_create(&t[i], NULL, run_piece, &ps[i]), 0);
    }
    sleep_ms(100);
    atomic_store(&hold, 0);
    pthread_join(bt, NULL);
    for (int i = 0; i < 5; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(blocker.rc, 0);
    pk_committer_free(c);
}

static void pieces_of_one_batch_are_done_together(void **state)
{
    (void)state;
    piece ps[5];
    five_in_one_batch(many_fn, ps);
    assert_int_equal(atomic_load(&many_calls), 1);
    assert_int_equal(atomic_load(&many_n), 5);
    assert_int_equal(atomic_load(&fn_calls), 0);
    for (int i = 0; i < 5; i++)
        assert_int_equal(ps[i].rc, ps[i].want + 1000); /* each its own result */
    assert_int_equal(atomic_load(&commits), 2);          /* the blocker's, the batch's */
}

static void declined_pieces_run_one_by_one(void **state)
{
    (void)state;
    piece ps[5];
    five_in_one_batch(decline_fn, ps);
    assert_int_equal(atomic_load(&many_calls), 1);
    assert_int_equal(atomic_load(&fn_calls), 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(ps[i].rc, ps[i].want);
    /* what many did is undone once, then the one failing piece */
    assert_int_equal(atomic_load(&rollbacks_to), 2);
    assert_int_equal(atomic_load(&commits), 2);
}

static void busy_piece_is_not_redone_on_a_single_writer(void **state)
{
    (void)state;
    pk_store s = {&single_ops, NULL};
    pk_committer *c = pk_committer_new(&s, 16);
    assert_non_null(c);
    flaky f = {.busy = 1};
    assert_int_equal(pk_committer_run(c, flaky_fn, NULL, &f), PK_EBUSY);
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
    r->rc = pk_committer_run(r->c, meet_fn, NULL, r);
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
        cmocka_unit_test_setup(deadlock_commits_the_pieces_before_and_redoes_in_a_new_transaction,
                               reset),
        cmocka_unit_test_setup(pieces_of_one_batch_are_done_together, reset),
        cmocka_unit_test_setup(declined_pieces_run_one_by_one, reset),
        cmocka_unit_test_setup(busy_piece_is_not_redone_on_a_single_writer, reset),
        cmocka_unit_test_setup(shared_store_gets_several_leaders, reset),
        cmocka_unit_test_setup(single_writer_gets_one_leader, reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
