/* test_lists.c -- exclusion lists (list_clear, _add, _changes, _count),
 * the lists participants_find reports, and reevaluate. */
#include "store_test.h"

#include <stdlib.h>
#include <string.h>

#include "core/scheme.h"

static pk_tx *begin(pk_store *s)
{
    pk_tx *tx = NULL;
    assert_int_equal(pk_store_begin(s, &tx), 0);
    return tx;
}

static int64_t count(pk_tx *tx, const char *list)
{
    int64_t n = -1;
    assert_int_equal(pk_tx_list_count(tx, list, &n), 0);
    return n;
}

typedef struct changes {
    size_t n, stop_after;
    pk_bi bi[16];
} changes;

static int change_cb(void *ctx, const uint8_t bi[PK_BI_LEN])
{
    changes *c = ctx;
    assert_true(c->n < 16);
    memcpy(c->bi[c->n++], bi, PK_BI_LEN);
    return c->stop_after && c->n == c->stop_after ? 3 : 0;
}

static bool has(const changes *c, const uint8_t bi[PK_BI_LEN])
{
    for (size_t i = 0; i < c->n; i++)
        if (memcmp(c->bi[i], bi, PK_BI_LEN) == 0)
            return true;
    return false;
}

/* Replacing a list: clear, add, then changes reports each NIK index
 * added or removed since the clear (once each, in no promised order);
 * other lists stay as they were; adding a NIK twice keeps one entry. */
static void replace_a_list_and_walk_the_changes(void **state)
{
    pk_store *s = ST_S(state);
    pk_bi n[6];
    for (unsigned i = 0; i < 6; i++)
        st_bi(n[i], 'N', 200 + i);
    pk_tx *tx = begin(s);
    assert_int_equal(count(tx, "dtks"), 0);
    assert_int_equal(pk_tx_list_clear(tx, "dtks"), 0);
    assert_int_equal(pk_tx_list_add(tx, "dtks", n[0], (const uint8_t *)"\x01note", 5), 0);
    assert_int_equal(pk_tx_list_add(tx, "dtks", n[1], NULL, 0), 0);
    assert_int_equal(pk_tx_list_add(tx, "dtks", n[2], (const uint8_t *)"\x01x", 2), 0);
    assert_int_equal(pk_tx_list_add(tx, "dtks", n[2], (const uint8_t *)"\x01y", 2), 0);
    assert_int_equal(pk_tx_list_add(tx, "bsu", n[0], NULL, 0), 0);
    assert_int_equal(count(tx, "dtks"), 3);
    assert_int_equal(count(tx, "bsu"), 1);
    changes c = {0};
    assert_int_equal(pk_tx_list_changes(tx, "dtks", change_cb, &c), 0);
    assert_int_equal(c.n, 3);
    assert_true(has(&c, n[0]) && has(&c, n[1]) && has(&c, n[2]));
    assert_int_equal(pk_tx_commit(tx), 0);
    /* replaced: n0 stays, n1 and n2 go, n3 and n4 come */
    tx = begin(s);
    assert_int_equal(pk_tx_list_clear(tx, "dtks"), 0);
    assert_int_equal(count(tx, "dtks"), 0);
    assert_int_equal(count(tx, "bsu"), 1);
    assert_int_equal(pk_tx_list_add(tx, "dtks", n[0], NULL, 0), 0);
    assert_int_equal(pk_tx_list_add(tx, "dtks", n[3], NULL, 0), 0);
    assert_int_equal(pk_tx_list_add(tx, "dtks", n[4], (const uint8_t *)"\x02z", 2), 0);
    memset(&c, 0, sizeof(c));
    assert_int_equal(pk_tx_list_changes(tx, "dtks", change_cb, &c), 0);
    assert_int_equal(c.n, 4);
    assert_true(has(&c, n[1]) && has(&c, n[2]) && has(&c, n[3]) && has(&c, n[4]));
    assert_false(has(&c, n[0]));
    changes stop = {.stop_after = 2};
    assert_int_equal(pk_tx_list_changes(tx, "dtks", change_cb, &stop), 3);
    assert_int_equal(stop.n, 2);
    assert_int_equal(count(tx, "dtks"), 3);
    assert_int_equal(pk_tx_commit(tx), 0);
    /* a clear undone by rollback */
    tx = begin(s);
    assert_int_equal(pk_tx_list_clear(tx, "dtks"), 0);
    assert_int_equal(count(tx, "dtks"), 0);
    pk_tx_rollback(tx);
    tx = begin(s);
    assert_int_equal(count(tx, "dtks"), 3);
    /* a list replaced by itself changes nobody */
    assert_int_equal(pk_tx_list_clear(tx, "bsu"), 0);
    assert_int_equal(pk_tx_list_add(tx, "bsu", n[0], NULL, 0), 0);
    memset(&c, 0, sizeof(c));
    assert_int_equal(pk_tx_list_changes(tx, "bsu", change_cb, &c), 0);
    assert_int_equal(c.n, 0);
    assert_int_equal(count(tx, "nobody"), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
}

/* Two lists replaced in one transaction: each list's changes are
 * relative to its own clear.  Both backends keep one table of "old"
 * members per connection, which each list_clear empties, so after
 * clear(A), clear(B) the changes of A are computed against B's old
 * members.  (The application replaces one list per transaction, so it
 * does not meet this; the contract in store.h does not say so.) */
static void two_lists_replaced_in_one_transaction(void **state)
{
    pk_store *s = ST_S(state);
    pk_bi x, y, z;
    st_bi(x, 'N', 1);
    st_bi(y, 'N', 2);
    st_bi(z, 'N', 3);
    pk_tx *tx = begin(s);
    assert_int_equal(pk_tx_list_add(tx, "dtks", x, NULL, 0), 0);
    assert_int_equal(pk_tx_list_add(tx, "bsu", z, NULL, 0), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    tx = begin(s);
    assert_int_equal(pk_tx_list_clear(tx, "dtks"), 0); /* old: x */
    assert_int_equal(pk_tx_list_add(tx, "dtks", y, NULL, 0), 0);
    assert_int_equal(pk_tx_list_clear(tx, "bsu"), 0);  /* old: z */
    assert_int_equal(pk_tx_list_add(tx, "bsu", z, NULL, 0), 0);
    changes b = {0};
    assert_int_equal(pk_tx_list_changes(tx, "bsu", change_cb, &b), 0);
    assert_int_equal(b.n, 0);
    changes a = {0};
    assert_int_equal(pk_tx_list_changes(tx, "dtks", change_cb, &a), 0);
    pk_tx_rollback(tx);
    assert_int_equal(a.n, 2); /* x removed, y added: nothing of bsu's */
    assert_true(has(&a, x) && has(&a, y));
}

/* participants_find reports the lists of each NIK, registered or not. */
static void find_reports_lists_registered_or_not(void **state)
{
    pk_store *s = ST_S(state);
    st_person p;
    st_person_init(&p, 1, 1, "Terdaftar", "31.71.01.1001");
    st_insert(s, 1, &p);
    pk_bi stranger;
    st_bi(stranger, 'N', 2);
    pk_tx *tx = begin(s);
    assert_int_equal(pk_tx_list_clear(tx, "dtks"), 0);
    assert_int_equal(pk_tx_list_add(tx, "dtks", p.r.nik_bi, NULL, 0), 0);
    assert_int_equal(pk_tx_list_add(tx, "bsu", p.r.nik_bi, NULL, 0), 0);
    assert_int_equal(pk_tx_list_add(tx, "daftar_hitam", stranger, NULL, 0), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    pk_bi ask[2];
    memcpy(ask[0], stranger, PK_BI_LEN);
    memcpy(ask[1], p.r.nik_bi, PK_BI_LEN);
    pk_pknown k[2];
    tx = begin(s);
    assert_int_equal(pk_tx_participants_find(tx, 2, (const pk_bi *)ask, k), 0);
    assert_int_equal(k[0].id, 0);
    assert_int_equal(k[0].lists, PK_LIST_DAFTAR_HITAM);
    assert_int_equal(k[1].id, p.r.id);
    assert_int_equal(k[1].lists, PK_LIST_DTKS | PK_LIST_BSU);
    pk_tx_rollback(tx);
}

/* ---- reevaluate ---- */

typedef struct reeval {
    uint64_t base; /* what fn answers */
    int calls;
    unsigned lists;
    char nama[32];
    int64_t id;
} reeval;

static uint64_t reeval_fn(void *ctx, const pk_prow *row, unsigned lists)
{
    reeval *r = ctx;
    r->calls++;
    r->lists = lists;
    r->id = row->id;
    strncpy(r->nama, row->nama, sizeof(r->nama) - 1);
    return r->base;
}

/* fn gets the row and its lists and answers the new base reasons, which
 * the store writes; *changed says whether they changed; kk_bi receives
 * the row's KK.  reasons follow the base: the base when not empty, else
 * the family limit's bits kept (both backends; store.h leaves the
 * reasons to "the caller re-applies the KK limit"). */
static void reevaluate_writes_new_base_reasons(void **state)
{
    pk_store *s = ST_S(state);
    uint64_t usia = (uint64_t)1 << PK_C_USIA_KURANG, bansos = (uint64_t)1 << PK_C_PENERIMA_BANSOS,
             kuota = (uint64_t)1 << PK_C_KUOTA_KK_PENUH;
    st_person p[2];
    st_person_init(&p[0], 1, 7, "Dinilai", "31.71.01.1001");
    st_person_init(&p[1], 2, 8, "Bersyarat", "31.71.01.1001");
    p[0].r.base_reasons = 0;
    p[0].r.reasons = kuota;
    p[1].r.base_reasons = usia;
    p[1].r.reasons = usia | kuota;
    st_insert(s, 2, p);
    st_row before;
    st_read(s, p[0].r.id, &before);
    st_sleep_ms(5);
    pk_tx *tx = begin(s);
    assert_int_equal(pk_tx_list_add(tx, "dtks", p[0].r.nik_bi, NULL, 0), 0);
    uint8_t kk[PK_BI_LEN];
    int changed = -1;
    /* unchanged: nothing written */
    reeval r = {.base = 0};
    assert_int_equal(pk_tx_reevaluate(tx, p[0].r.nik_bi, reeval_fn, &r, kk, &changed), 0);
    assert_int_equal(r.calls, 1);
    assert_int_equal(r.lists, PK_LIST_DTKS);
    assert_int_equal(r.id, p[0].r.id);
    assert_string_equal(r.nama, "Dinilai");
    assert_memory_equal(kk, p[0].r.kk_bi, PK_BI_LEN);
    assert_int_equal(changed, 0);
    /* now on a list: a base reason, which replaces the family limit */
    r = (reeval){.base = bansos};
    assert_int_equal(pk_tx_reevaluate(tx, p[0].r.nik_bi, reeval_fn, &r, kk, &changed), 0);
    assert_int_equal(changed, 1);
    /* the other: eligible again keeps the family limit's bit */
    r = (reeval){.base = 0};
    assert_int_equal(pk_tx_reevaluate(tx, p[1].r.nik_bi, reeval_fn, &r, kk, &changed), 0);
    assert_int_equal(changed, 1);
    assert_int_equal(r.lists, 0);
    assert_memory_equal(kk, p[1].r.kk_bi, PK_BI_LEN);
    /* nobody */
    pk_bi nobody;
    st_bi(nobody, 'N', 3);
    r = (reeval){.base = 0};
    assert_int_equal(pk_tx_reevaluate(tx, nobody, reeval_fn, &r, kk, &changed), PK_ENOENT);
    assert_int_equal(r.calls, 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    st_row a, b;
    st_read(s, p[0].r.id, &a);
    st_read(s, p[1].r.id, &b);
    assert_int_equal(a.base_reasons, bansos);
    assert_int_equal(a.reasons, bansos);
    assert_true(strcmp(a.updated_at, before.updated_at) > 0);
    assert_int_equal(b.base_reasons, 0);
    assert_int_equal(b.reasons, kuota);
}

/* The caller's way of replacing a list: re-evaluate each change from
 * inside the list_changes callback (it writes through the same tx). */
typedef struct walk {
    pk_tx *tx;
    int seen, changed;
} walk;

static uint64_t on_list_fn(void *ctx, const pk_prow *row, unsigned lists)
{
    (void)ctx;
    (void)row;
    return lists & PK_LIST_DTKS ? (uint64_t)1 << PK_C_PENERIMA_BANSOS : 0;
}

static int reevaluate_each(void *ctx, const uint8_t bi[PK_BI_LEN])
{
    walk *w = ctx;
    uint8_t kk[PK_BI_LEN];
    int changed = 0;
    int rc = pk_tx_reevaluate(w->tx, bi, on_list_fn, NULL, kk, &changed);
    w->seen++;
    if (rc == PK_ENOENT)
        return 0; /* listed, not registered */
    w->changed += changed;
    return rc;
}

static void reevaluate_inside_list_changes(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[3];
    for (unsigned i = 0; i < 3; i++)
        st_person_init(&p[i], 1 + i, 1 + i, "Warga", "31.71.01.1001");
    st_insert(s, 3, p);
    pk_bi stranger;
    st_bi(stranger, 'N', 99);
    pk_tx *tx = begin(s);
    assert_int_equal(pk_tx_list_clear(tx, "dtks"), 0);
    assert_int_equal(pk_tx_list_add(tx, "dtks", p[0].r.nik_bi, NULL, 0), 0);
    assert_int_equal(pk_tx_list_add(tx, "dtks", p[2].r.nik_bi, NULL, 0), 0);
    assert_int_equal(pk_tx_list_add(tx, "dtks", stranger, NULL, 0), 0);
    walk w = {.tx = tx};
    assert_int_equal(pk_tx_list_changes(tx, "dtks", reevaluate_each, &w), 0);
    assert_int_equal(w.seen, 3);
    assert_int_equal(w.changed, 2);
    assert_int_equal(pk_tx_commit(tx), 0);
    st_rows *rows = st_each(s, NULL);
    assert_int_equal(rows->n, 3);
    assert_int_equal(rows->r[0].reasons, (uint64_t)1 << PK_C_PENERIMA_BANSOS);
    assert_int_equal(rows->r[1].reasons, 0);
    assert_int_equal(rows->r[2].reasons, (uint64_t)1 << PK_C_PENERIMA_BANSOS);
    free(rows);
}

static const struct CMUnitTest tests[] = {
    ST_TEST(replace_a_list_and_walk_the_changes),
    ST_TEST(two_lists_replaced_in_one_transaction),
    ST_TEST(find_reports_lists_registered_or_not),
    ST_TEST(reevaluate_writes_new_base_reasons),
    ST_TEST(reevaluate_inside_list_changes),
};
const st_division st_lists = {tests, sizeof(tests) / sizeof(tests[0])};
