/* test_bulk.c -- bulk loading of an empty registry: bulk_begin, _mark,
 * _end, _repeats, _fold, _families.  A backend may have no bulk mode
 * (bulk_begin then answers *on = false): each test checks that answer
 * and stops there.  And a transaction of large writes (large_writes). */
#include "store_test.h"

#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pk_tx *begin(pk_store *s)
{
    pk_tx *tx = NULL;
    assert_int_equal(pk_store_begin(s, &tx), 0);
    return tx;
}

/* bulk_begin in tx; false (after checking the no-bulk answer) when the
 * backend has no bulk mode. */
static bool bulk_on(pk_tx *tx)
{
    bool on = true;
    assert_int_equal(pk_tx_bulk_begin(tx, &on), 0);
    if (!on) {
        /* no bulk mode: bulk_end and bulk_families do nothing */
        size_t n = 1;
        assert_int_equal(pk_tx_bulk_end(tx), 0);
        assert_int_equal(pk_tx_bulk_families(tx, 0, NULL, 8, NULL, &n), 0);
        assert_int_equal(n, 0);
        print_message("# this backend has no bulk mode\n");
    }
    return on;
}

static int count_members(void *ctx, const pk_member *m)
{
    (void)m;
    ++*(int *)ctx;
    return 0;
}

/* A registry that is not empty gets no bulk mode, and everything works
 * as usual. */
static void bulk_begin_refused_when_not_empty(void **state)
{
    pk_store *s = ST_S(state);
    st_person p;
    st_person_init(&p, 1, 1, "Sudah Ada", "31.71.01.1001");
    st_insert(s, 1, &p);
    pk_tx *tx = begin(s);
    bool on = true;
    assert_int_equal(pk_tx_bulk_begin(tx, &on), 0);
    assert_false(on);
    pk_pknown k;
    assert_int_equal(pk_tx_participants_find(tx, 1, (const pk_bi *)p.r.nik_bi, &k), 0);
    assert_int_equal(k.id, p.r.id);
    int n = 0;
    assert_int_equal(pk_tx_kk_members(tx, 1, (const pk_bi *)p.r.kk_bi, count_members, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(pk_tx_bulk_end(tx), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
}

/* The load: while on, find reports every NIK new and kk_members nobody;
 * bulk_end builds the indexes again, and after commit the registry
 * works as usual (the unique NIK index is back). */
static void bulk_load_of_an_empty_registry(void **state)
{
    pk_store *s = ST_S(state);
    st_person a[3], b[2];
    for (unsigned i = 0; i < 3; i++)
        st_person_init(&a[i], 1 + i, 1, "Batch Satu", "31.71.01.1001");
    for (unsigned i = 0; i < 2; i++)
        st_person_init(&b[i], 10 + i, 1, "Batch Dua", "31.72.01.1001");
    pk_tx *tx = begin(s);
    if (!bulk_on(tx)) {
        pk_tx_rollback(tx);
        return;
    }
    assert_int_equal(st_write(tx, 3, a), 0);
    assert_true(a[0].r.id < a[1].r.id && a[1].r.id < a[2].r.id);
    pk_pknown k;
    assert_int_equal(pk_tx_participants_find(tx, 1, (const pk_bi *)a[0].r.nik_bi, &k), 0);
    assert_int_equal(k.id, 0); /* every NIK is new (the caller's word) */
    int n = 0;
    assert_int_equal(pk_tx_kk_members(tx, 1, (const pk_bi *)a[0].r.kk_bi, count_members, &n), 0);
    assert_int_equal(n, 0); /* nobody */
    assert_int_equal(pk_tx_bulk_mark(tx, 1, (const pk_bi *)a[0].r.kk_bi), 0);
    assert_int_equal(pk_tx_bulk_mark(tx, 0, NULL), 0);
    assert_int_equal(st_write(tx, 2, b), 0);
    assert_true(b[0].r.id > a[2].r.id && b[1].r.id > b[0].r.id);
    assert_int_equal(pk_tx_audit(tx, "cli:test", "import", "participants.bulk", 0, "rows=5"), 0);
    assert_int_equal(pk_tx_bulk_end(tx), 0);
    /* indexes back inside the transaction: found again */
    assert_int_equal(pk_tx_participants_find(tx, 1, (const pk_bi *)b[1].r.nik_bi, &k), 0);
    assert_int_equal(k.id, b[1].r.id);
    assert_int_equal(pk_tx_commit(tx), 0);
    st_rows *rows = st_each(s, NULL);
    assert_int_equal(rows->n, 5);
    free(rows);
    rows = st_each(s, "31.72");
    assert_int_equal(rows->n, 2);
    free(rows);
    /* the name index is filled by the load and kept after it */
    rows = st_rows_new();
    assert_int_equal(pk_store_participants_search(s, NULL, "batch", NULL, NULL, 10, st_collect, rows),
                     0);
    assert_int_equal(rows->n, 5);
    rows->n = 0;
    assert_int_equal(
        pk_store_participants_search(s, "31.72", "BATCH", NULL, NULL, 10, st_collect, rows), 0);
    assert_int_equal(rows->n, 2);
    st_person later;
    st_person_init(&later, 20, 20, "Sesudah Batch", "31.72.01.1001");
    st_insert(s, 1, &later);
    rows->n = 0;
    assert_int_equal(
        pk_store_participants_search(s, "31.72", "sesudah", NULL, NULL, 10, st_collect, rows), 0);
    assert_int_equal(rows->n, 1);
    assert_int_equal(rows->r[0].id, later.r.id);
    free(rows);
    tx = begin(s);
    n = 0;
    assert_int_equal(pk_tx_kk_members(tx, 1, (const pk_bi *)a[0].r.kk_bi, count_members, &n), 0);
    assert_int_equal(n, 5);
    st_person dup;
    st_person_init(&dup, 2, 2, "Ulang", "31.71.01.1001");
    assert_int_equal(pk_tx_savepoint(tx), 0);
    assert_int_equal(st_write(tx, 1, &dup), PK_ECONFLICT);
    assert_int_equal(pk_tx_rollback_to(tx), 0);
    pk_tx_rollback(tx);
}

/* A commit while the indexes are still dropped is refused (the load is
 * one transaction): nothing is kept, and the registry still has its
 * unique NIK index.  (The backends' documented refusal; store.h says
 * the load is one transaction that bulk_end completes.) */
static void commit_without_bulk_end_is_refused(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[2];
    st_person_init(&p[0], 1, 1, "Setengah", "31.71.01.1001");
    st_person_init(&p[1], 2, 1, "Jalan", "31.71.01.1001");
    pk_tx *tx = begin(s);
    if (!bulk_on(tx)) {
        pk_tx_rollback(tx);
        return;
    }
    assert_int_equal(st_write(tx, 2, p), 0);
    assert_int_not_equal(pk_tx_commit(tx), 0);
    st_rows *rows = st_each(s, NULL);
    assert_int_equal(rows->n, 0);
    free(rows);
    p[0].r.id = p[1].r.id = 0;
    st_insert(s, 1, p);
    st_person again = p[0];
    again.r.pii = again.pii;
    again.r.id = 0;
    tx = begin(s);
    assert_int_equal(pk_tx_savepoint(tx), 0);
    assert_int_equal(st_write(tx, 1, &again), PK_ECONFLICT);
    assert_int_equal(pk_tx_rollback_to(tx), 0);
    pk_tx_rollback(tx);
}

/* Two rows sharing a NIK: bulk_end fails with PK_ECONFLICT and leaves tx
 * as it was; bulk_repeats pages through the rows whose NIK repeats, in
 * (nik, id) order; bulk_fold folds each into the first of its NIK (copy:
 * keep's id and created_at, from's created_at as updated_at, from's
 * base reasons as reasons, from's other fields); bulk_end then works. */
static void repeats_folded_then_bulk_end_again(void **state)
{
    pk_store *s = ST_S(state);
    /* NIK A twice, NIK B three times, C and D once; A's and B's first rows
     * (and C) in a first call, the rest in a later one (another time) */
    st_person first[3], later[4];
    st_person_init(&first[0], 1, 11, "A pertama", "31.71.01.1001");  /* A */
    st_person_init(&first[1], 2, 12, "B pertama", "31.71.01.1001");  /* B */
    st_person_init(&first[2], 3, 13, "C", "31.71.01.1001");          /* C */
    st_person_init(&later[0], 2, 22, "B kedua", "31.71.01.1002");    /* B */
    st_person_init(&later[1], 1, 21, "A kedua", "31.72.01.1001");    /* A */
    st_person_init(&later[2], 2, 23, "B ketiga", "31.72.01.1002");   /* B */
    st_person_init(&later[3], 4, 14, "D", "31.71.01.1001");          /* D */
    /* the edges of the key order: A sorts first, B last */
    st_bi_fill(first[0].r.nik_bi, 0x7f, 0xff);
    st_bi_fill(later[1].r.nik_bi, 0x7f, 0xff);
    st_bi_fill(first[1].r.nik_bi, 0x80, 0x00);
    st_bi_fill(later[0].r.nik_bi, 0x80, 0x00);
    st_bi_fill(later[2].r.nik_bi, 0x80, 0x00);
    st_bi_fill(first[2].r.nik_bi, 0x00, 0x01);
    st_bi_fill(later[3].r.nik_bi, 0xff, 0xfe);
    later[1].r.base_reasons = (uint64_t)1 << PK_C_USIA_LEBIH;
    later[1].r.reasons = later[1].r.base_reasons | (uint64_t)1 << PK_C_KUOTA_KK_PENUH;
    later[1].r.segmen = "korban_phk";
    pk_tx *tx = begin(s);
    if (!bulk_on(tx)) {
        pk_tx_rollback(tx);
        return;
    }
    assert_int_equal(st_write(tx, 3, first), 0);
    st_sleep_ms(20);
    assert_int_equal(st_write(tx, 4, later), 0);
    assert_int_equal(pk_tx_bulk_end(tx), PK_ECONFLICT);
    /* the repeats, two a page: A(first), A(later), B x3 */
    const st_person *want[5] = {&first[0], &later[1], &first[1], &later[0], &later[2]};
    pk_repeat page[2];
    size_t got = 0, n = 99;
    const uint8_t *after = NULL;
    int64_t after_id = 0;
    for (int pages = 0; pages < 5; pages++) {
        assert_int_equal(pk_tx_bulk_repeats(tx, after, after_id, 2, page, &n), 0);
        if (n == 0)
            break;
        assert_true(n <= 2);
        for (size_t i = 0; i < n; i++, got++) {
            assert_true(got < 5);
            assert_memory_equal(page[i].nik_bi, want[got]->r.nik_bi, PK_BI_LEN);
            assert_memory_equal(page[i].kk_bi, want[got]->r.kk_bi, PK_BI_LEN);
            assert_memory_equal(page[i].digest, want[got]->r.digest, PK_DIGEST_LEN);
            assert_int_equal(page[i].id, want[got]->r.id);
        }
        after = want[got - 1]->r.nik_bi;
        after_id = want[got - 1]->r.id;
    }
    assert_int_equal(got, 5);
    /* fold: A's second into its first (copy), B's second dropped, B's
     * third into its first */
    assert_int_equal(pk_tx_bulk_fold(tx, first[0].r.id, later[1].r.id, true), 0);
    assert_int_equal(pk_tx_bulk_fold(tx, first[1].r.id, later[0].r.id, false), 0);
    assert_int_equal(pk_tx_bulk_fold(tx, first[1].r.id, later[2].r.id, true), 0);
    assert_int_equal(pk_tx_bulk_repeats(tx, NULL, 0, 2, page, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(pk_tx_bulk_end(tx), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    st_rows *rows = st_each(s, NULL);
    assert_int_equal(rows->n, 4);
    const st_row *a = st_row_by_id(rows, first[0].r.id);
    const st_row *b = st_row_by_id(rows, first[1].r.id);
    const st_row *c = st_row_by_id(rows, first[2].r.id);
    const st_row *d = st_row_by_id(rows, later[3].r.id);
    assert_true(a && b && c && d);
    assert_string_equal(a->nama, "A kedua");
    assert_string_equal(a->kode_wilayah, "31.72.01.1001");
    assert_string_equal(a->segmen, "korban_phk");
    assert_memory_equal(a->kk_bi, later[1].r.kk_bi, PK_BI_LEN);
    assert_memory_equal(a->digest, later[1].r.digest, PK_DIGEST_LEN);
    assert_memory_equal(a->pii, later[1].r.pii, later[1].r.pii_len);
    assert_int_equal(a->base_reasons, later[1].r.base_reasons);
    assert_int_equal(a->reasons, later[1].r.base_reasons); /* the family limit: again */
    assert_string_equal(a->created_at, c->created_at);     /* keep's (the first call) */
    assert_string_equal(a->updated_at, d->created_at);     /* from's (the later call) */
    assert_true(strcmp(a->updated_at, a->created_at) > 0);
    assert_string_equal(b->nama, "B ketiga");
    assert_string_equal(b->created_at, c->created_at);
    assert_string_equal(b->updated_at, d->created_at);
    free(rows);
}

/* The marked families with more than `small` members, in key order,
 * `limit` at a time after `after`. */
static void bulk_families_pages_the_marked_big_ones(void **state)
{
    pk_store *s = ST_S(state);
    /* families: K0 (00..) 3 members marked, K1 (7f ff..) 1 marked,
     * K2 (80 00..) 2 marked, K3 (ff..) 3 not marked, K4 (c0..) 2 marked */
    static const uint8_t firsts[5] = {0x00, 0x7f, 0x80, 0xff, 0xc0};
    static const uint8_t rests[5] = {0x00, 0xff, 0x00, 0xff, 0x11};
    static const int sizes[5] = {3, 1, 2, 3, 2};
    pk_bi kk[5];
    st_person p[11];
    unsigned m = 0;
    for (int f = 0; f < 5; f++) {
        st_bi_fill(kk[f], firsts[f], rests[f]);
        for (int i = 0; i < sizes[f]; i++, m++) {
            st_person_init(&p[m], 100 + m, 0, "Keluarga", "31.71.01.1001");
            memcpy(p[m].r.kk_bi, kk[f], PK_BI_LEN);
        }
    }
    pk_tx *tx = begin(s);
    if (!bulk_on(tx)) {
        pk_tx_rollback(tx);
        return;
    }
    assert_int_equal(st_write(tx, m, p), 0);
    pk_bi mark[5];
    memcpy(mark[0], kk[2], PK_BI_LEN);
    memcpy(mark[1], kk[0], PK_BI_LEN);
    memcpy(mark[2], kk[4], PK_BI_LEN);
    memcpy(mark[3], kk[1], PK_BI_LEN);
    memcpy(mark[4], kk[0], PK_BI_LEN); /* twice */
    assert_int_equal(pk_tx_bulk_mark(tx, 3, (const pk_bi *)mark), 0);
    assert_int_equal(pk_tx_bulk_mark(tx, 2, (const pk_bi *)mark + 3), 0);
    assert_int_equal(pk_tx_bulk_end(tx), 0);
    /* more than 1 member, marked: K0, K2, K4 in key order */
    pk_bi out[4];
    size_t n = 99;
    assert_int_equal(pk_tx_bulk_families(tx, 1, NULL, 4, out, &n), 0);
    assert_int_equal(n, 3);
    assert_memory_equal(out[0], kk[0], PK_BI_LEN);
    assert_memory_equal(out[1], kk[2], PK_BI_LEN);
    assert_memory_equal(out[2], kk[4], PK_BI_LEN);
    /* paged two at a time */
    assert_int_equal(pk_tx_bulk_families(tx, 1, NULL, 2, out, &n), 0);
    assert_int_equal(n, 2);
    assert_memory_equal(out[1], kk[2], PK_BI_LEN);
    assert_int_equal(pk_tx_bulk_families(tx, 1, kk[2], 2, out, &n), 0);
    assert_int_equal(n, 1);
    assert_memory_equal(out[0], kk[4], PK_BI_LEN);
    assert_int_equal(pk_tx_bulk_families(tx, 1, kk[4], 2, out, &n), 0);
    assert_int_equal(n, 0);
    /* more than 2: only K0; more than 0: the four marked */
    assert_int_equal(pk_tx_bulk_families(tx, 2, NULL, 4, out, &n), 0);
    assert_int_equal(n, 1);
    assert_memory_equal(out[0], kk[0], PK_BI_LEN);
    assert_int_equal(pk_tx_bulk_families(tx, 0, NULL, 4, out, &n), 0);
    assert_int_equal(n, 4);
    assert_memory_equal(out[1], kk[1], PK_BI_LEN);
    assert_int_equal(pk_tx_commit(tx), 0);
}

/* The database file's journal mode as a connection of its own reads it
 * (SQLite). */
static void journal_mode_is(const st_fx *fx, const char *want)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open(fx->url, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 10000);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), want);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

static bool has_journey(pk_store *s, int64_t id)
{
    pk_tx *tx = begin(s);
    pk_journey j;
    int rc = pk_tx_journey_state(tx, id, &j);
    pk_tx_rollback(tx);
    assert_true(rc == 0 || rc == PK_ENOENT);
    return rc == 0;
}

/* A transaction of large writes (pk_tx_large_writes): on SQLite, alone
 * with the database, it runs with a rollback journal, and the WAL is back
 * after it, rolled back or committed, with what it wrote undone or kept;
 * with another connection open it keeps the WAL.  PostgreSQL: no such
 * mode, the writes as any transaction's. */
static void large_writes_run_with_a_rollback_journal_when_alone(void **state)
{
    pk_store *s = ST_S(state);
    const st_fx *fx = ST_FX(state);
    st_person p[2];
    st_person_init(&p[0], 1, 1, "Satu", "31.71.01.1001");
    st_person_init(&p[1], 2, 2, "Dua", "31.71.01.1001");
    st_insert(s, 2, p);
    for (int round = 0; round < 3; round++) {
        sqlite3 *other = NULL; /* round 2: another connection, reading */
        sqlite3_stmt *rd = NULL;
        if (round == 2 && !st_pg) {
            assert_int_equal(sqlite3_open(fx->url, &other), SQLITE_OK);
            assert_int_equal(sqlite3_prepare_v2(other, "SELECT count(*) FROM participant", -1,
                                                &rd, NULL), SQLITE_OK);
            assert_int_equal(sqlite3_step(rd), SQLITE_ROW);
        }
        pk_tx *tx = begin(s);
        bool on = true;
        assert_int_equal(pk_tx_large_writes(tx, &on), 0);
        assert_int_equal(on, !st_pg && round < 2);
        pk_journey j;
        memset(&j, 0, sizeof(j));
        j.participant_id = p[round == 0 ? 0 : round - 1].r.id;
        j.status = PK_JS_PENDAFTAR;
        j.wave = 3;
        j.joined_at = 1717174800;
        assert_int_equal(pk_tx_journey_put(tx, &j), 0);
        if (on)
            journal_mode_is(fx, "delete");
        if (round == 0)
            pk_tx_rollback(tx);
        else
            assert_int_equal(pk_tx_commit(tx), 0);
        if (rd != NULL) {
            sqlite3_finalize(rd);
            sqlite3_close(other);
        }
        if (!st_pg)
            journal_mode_is(fx, "wal");
        assert_int_equal(has_journey(s, p[0].r.id), round >= 1);
        assert_int_equal(has_journey(s, p[1].r.id), round >= 2);
    }
}

static const struct CMUnitTest tests[] = {
    ST_TEST(bulk_begin_refused_when_not_empty),
    ST_TEST(bulk_load_of_an_empty_registry),
    ST_TEST(commit_without_bulk_end_is_refused),
    ST_TEST(repeats_folded_then_bulk_end_again),
    ST_TEST(bulk_families_pages_the_marked_big_ones),
    ST_TEST(large_writes_run_with_a_rollback_journal_when_alone),
};
const st_division st_bulk = {tests, sizeof(tests) / sizeof(tests[0])};
