/* test_locks.c -- waiting for locks: a thread's lock wait
 * (pk_store_thread_lock_wait), the server's for its request threads. */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "store_test.h"

static pk_tx *begin(pk_store *s)
{
    pk_tx *tx = NULL;
    assert_int_equal(pk_store_begin(s, &tx), 0);
    assert_non_null(tx);
    return tx;
}

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* PostgreSQL: a thread that sets a lock wait gives up on a row another
 * transaction holds after about that long (PK_EIO), and every later
 * statement of its transaction fails at once, after a rollback to a
 * savepoint too, so a batch does not wait again for each piece; its next
 * transaction starts afresh.  Another
 * thread, which set none, waits until the holder commits.  SQLite
 * ignores the setting. */
static void a_lock_wait_is_the_threads_own(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[2];
    st_person_init(&p[0], 1, 1, "Ditahan", "31.71.01.1001");
    st_person_init(&p[1], 2, 2, "Bebas", "31.71.01.1001");
    st_insert(s, 2, p);
    pk_pknown k;
    if (!st_pg) {
        pk_store_thread_lock_wait(200);
        pk_tx *tx = begin(s);
        assert_int_equal(pk_tx_participants_find(tx, 1, (const pk_bi *)p[0].r.nik_bi, &k), 0);
        assert_int_equal(pk_tx_commit(tx), 0);
        pk_store_thread_lock_wait(0);
        return;
    }
    pk_store *other = st_open_again(ST_FX(state));
    pk_tx *holder = begin(s);
    assert_int_equal(pk_tx_participants_find(holder, 1, (const pk_bi *)p[0].r.nik_bi, &k), 0);

    pk_store_thread_lock_wait(200);
    pk_tx *tx = begin(other);
    assert_int_equal(pk_tx_savepoint(tx), 0); /* as the committer runs a piece */
    int64_t t0 = now_ms();
    int rc = pk_tx_participants_find(tx, 1, (const pk_bi *)p[0].r.nik_bi, &k);
    int64_t waited = now_ms() - t0;
    assert_int_equal(pk_tx_rollback_to(tx), 0);
    /* the next piece, a row nobody holds: refused at once all the same */
    t0 = now_ms();
    int rc2 = pk_tx_participants_find(tx, 1, (const pk_bi *)p[1].r.nik_bi, &k);
    int64_t after = now_ms() - t0;
    pk_tx_rollback(tx);
    /* the next transaction starts afresh */
    tx = begin(other);
    int rc3 = pk_tx_participants_find(tx, 1, (const pk_bi *)p[1].r.nik_bi, &k);
    pk_tx_rollback(tx);
    assert_int_equal(rc, PK_EIO);
    assert_true(waited >= 150 && waited < 5000);
    assert_int_equal(rc2, PK_EIO);
    assert_true(after < 100);
    assert_int_equal(rc3, 0);
    assert_int_equal(k.id, p[1].r.id);

    /* another thread, without one (this one's still set), waits for the
     * holder */
    st_finder f = {.s = other};
    memcpy(f.nik, p[0].r.nik_bi, PK_BI_LEN);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, st_finder_run, &f), 0);
    st_sleep_ms(400);
    assert_int_equal(atomic_load(&f.done), 0);
    assert_int_equal(pk_tx_commit(holder), 0);
    pthread_join(t, NULL);
    pk_store_thread_lock_wait(0);
    assert_int_equal(f.rc, 0);
    pk_store_close(other);
}

static const struct CMUnitTest tests[] = {
    ST_TEST(a_lock_wait_is_the_threads_own),
};
const st_division st_locks = {tests, sizeof(tests) / sizeof(tests[0])};
