/* test_participants.c -- transactions (commit, rollback, savepoints),
 * participants_find/write, participant_ids, kk_members, set_reasons, audit, and the reads
 * participants_each, participant_status and stats. */
#include "store_test.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/scheme.h"

static pk_tx *begin(pk_store *s)
{
    pk_tx *tx = NULL;
    assert_int_equal(pk_store_begin(s, &tx), 0);
    assert_non_null(tx);
    return tx;
}

static size_t count_all(pk_store *s)
{
    st_rows *rows = st_each(s, NULL);
    size_t n = rows->n;
    free(rows);
    return n;
}

/* n = 0 is allowed for every batch operation and does nothing. */
static void batches_of_nothing(void **state)
{
    pk_store *s = ST_S(state);
    pk_tx *tx = begin(s);
    pk_pknown k;
    assert_int_equal(pk_tx_participants_find(tx, 0, NULL, &k), 0);
    assert_int_equal(pk_tx_participant_ids(tx, 0, NULL, NULL), 0);
    assert_int_equal(pk_tx_participants_write(tx, 0, NULL), 0);
    assert_int_equal(pk_tx_kk_members(tx, 0, NULL, NULL, NULL), 0);
    assert_int_equal(pk_tx_set_reasons(tx, 0, NULL, NULL), 0);
    assert_int_equal(pk_tx_audit_many(tx, 0, NULL), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    assert_int_equal(count_all(s), 0);
}

/* Inserted rows get ids ascending in array order (whatever the order of
 * their NIK indexes); find and participant_ids answer per NIK, in the
 * order asked, with 0 for a NIK nobody has. */
static void insert_then_find(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[4];
    for (unsigned i = 0; i < 4; i++)
        st_person_init(&p[i], 10 + i, 100 + i, "Orang", "31.71.01.1001");
    /* NIK index order opposite to array order for p[0..2] */
    st_bi_fill(p[0].r.nik_bi, 0xff, 0x01);
    st_bi_fill(p[1].r.nik_bi, 0x80, 0x00);
    st_bi_fill(p[2].r.nik_bi, 0x00, 0x7f);
    p[1].r.base_reasons = (uint64_t)1 << PK_C_USIA_KURANG;
    p[1].r.reasons = p[1].r.base_reasons | (uint64_t)1 << PK_C_KUOTA_KK_PENUH;
    p[2].r.scheme = "2025";
    pk_tx *tx = begin(s);
    assert_int_equal(st_write(tx, 3, p), 0);
    assert_true(p[0].r.id > 0);
    assert_true(p[0].r.id < p[1].r.id);
    assert_true(p[1].r.id < p[2].r.id);
    /* found inside the same transaction */
    pk_bi ask[4];
    memcpy(ask[0], p[2].r.nik_bi, PK_BI_LEN);
    memcpy(ask[1], p[3].r.nik_bi, PK_BI_LEN); /* nobody */
    memcpy(ask[2], p[0].r.nik_bi, PK_BI_LEN);
    memcpy(ask[3], p[1].r.nik_bi, PK_BI_LEN);
    pk_pknown k[4];
    memset(k, 0xaa, sizeof(k));
    assert_int_equal(pk_tx_participants_find(tx, 4, (const pk_bi *)ask, k), 0);
    assert_int_equal(k[0].id, p[2].r.id);
    assert_int_equal(k[1].id, 0);
    assert_int_equal(k[1].lists, 0);
    assert_int_equal(k[2].id, p[0].r.id);
    assert_int_equal(k[3].id, p[1].r.id);
    assert_memory_equal(k[3].kk_bi, p[1].r.kk_bi, PK_BI_LEN);
    assert_memory_equal(k[3].digest, p[1].r.digest, PK_DIGEST_LEN);
    assert_int_equal(k[3].base_reasons, p[1].r.base_reasons);
    assert_int_equal(k[3].reasons, p[1].r.reasons);
    assert_string_equal(k[3].scheme, "2024");
    assert_string_equal(k[0].scheme, "2025");
    assert_int_equal(k[0].lists, 0);
    /* the ids alone, the same answers */
    int64_t ids[4];
    memset(ids, 0xaa, sizeof(ids));
    assert_int_equal(pk_tx_participant_ids(tx, 4, (const pk_bi *)ask, ids), 0);
    assert_int_equal(ids[0], p[2].r.id);
    assert_int_equal(ids[1], 0);
    assert_int_equal(ids[2], p[0].r.id);
    assert_int_equal(ids[3], p[1].r.id);
    assert_int_equal(pk_tx_commit(tx), 0);
    /* and in a later transaction, with every field as written */
    tx = begin(s);
    memset(k, 0, sizeof(k));
    assert_int_equal(pk_tx_participants_find(tx, 1, (const pk_bi *)p[1].r.nik_bi, k), 0);
    assert_int_equal(k[0].id, p[1].r.id);
    memset(ids, 0, sizeof(ids));
    assert_int_equal(pk_tx_participant_ids(tx, 2, (const pk_bi *)&ask[1], ids), 0);
    assert_int_equal(ids[0], 0);
    assert_int_equal(ids[1], p[0].r.id);
    pk_tx_rollback(tx);
    st_row r;
    st_read(s, p[1].r.id, &r);
    assert_memory_equal(r.nik_bi, p[1].r.nik_bi, PK_BI_LEN);
    assert_memory_equal(r.kk_bi, p[1].r.kk_bi, PK_BI_LEN);
    assert_memory_equal(r.digest, p[1].r.digest, PK_DIGEST_LEN);
    assert_int_equal(r.pii_len, p[1].r.pii_len);
    assert_memory_equal(r.pii, p[1].r.pii, p[1].r.pii_len);
    assert_string_equal(r.nama, "Orang");
    assert_string_equal(r.tanggal_lahir, "1990-01-02");
    assert_string_equal(r.jenis_kelamin, "L");
    assert_string_equal(r.kode_wilayah, "31.71.01.1001");
    assert_string_equal(r.pendidikan, "sma");
    assert_string_equal(r.segmen, "pencari_kerja");
    assert_string_equal(r.pekerjaan, "");
    assert_string_equal(r.scheme, "2024");
    assert_string_equal(r.source, "portal");
    assert_string_equal(r.as_of, "2024-06-01");
    assert_int_equal(r.base_reasons, p[1].r.base_reasons);
    assert_int_equal(r.reasons, p[1].r.reasons);
    /* the store's clock: UTC, milliseconds (pk_store_now) */
    assert_int_equal(strlen(r.created_at), 24);
    assert_int_equal(r.created_at[23], 'Z');
    assert_string_equal(r.created_at, r.updated_at);
}

/* One call with many inserts (PostgreSQL sends 64 or more by COPY) and
 * updates between them: ids still ascend in array order, and the
 * updates land.  Code bit 63 and all warnings bits survive (int64). */
static void many_inserts_and_updates_in_one_call(void **state)
{
    pk_store *s = ST_S(state);
    st_person old[2];
    st_person_init(&old[0], 1, 1, "Lama Satu", "31.71.01.1001");
    st_person_init(&old[1], 2, 1, "Lama Dua", "31.71.01.1001");
    st_insert(s, 2, old);
    enum { N = 100 };
    st_person *p = calloc(N + 2, sizeof(*p));
    assert_non_null(p);
    char names[N][16];
    for (unsigned i = 0, j = 0; i < N + 2; i++) {
        if (i == 10 || i == 70) { /* updates in the middle */
            p[i] = old[i == 10 ? 0 : 1];
            p[i].r.pii = p[i].pii;
            p[i].r.nama = i == 10 ? "Baru Satu" : "Baru Dua";
            p[i].r.reasons = p[i].r.base_reasons = UINT64_C(1) << 63;
            p[i].r.warnings = UINT64_MAX;
            continue;
        }
        snprintf(names[j], sizeof(names[j]), "Orang %03u", j);
        st_person_init(&p[i], 1000 + i, 500 + i % 7, names[j++], "31.71.02.1001");
    }
    pk_tx *tx = begin(s);
    assert_int_equal(st_write(tx, N + 2, p), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    int64_t last = old[1].r.id;
    for (unsigned i = 0; i < N + 2; i++) {
        if (i == 10 || i == 70)
            continue;
        assert_true(p[i].r.id > last);
        last = p[i].r.id;
    }
    assert_int_equal(p[10].r.id, old[0].r.id);
    assert_int_equal(p[70].r.id, old[1].r.id);
    st_rows *rows = st_each(s, NULL);
    assert_int_equal(rows->n, N + 2);
    for (size_t i = 1; i < rows->n; i++)
        assert_true(rows->r[i - 1].id < rows->r[i].id);
    const st_row *u = st_row_by_id(rows, old[0].r.id);
    assert_non_null(u);
    assert_string_equal(u->nama, "Baru Satu");
    assert_int_equal(u->reasons, UINT64_C(1) << 63);
    assert_int_equal(u->base_reasons, UINT64_C(1) << 63);
    assert_int_equal(u->warnings, UINT64_MAX);
    const st_row *x = st_row_by_id(rows, p[50].r.id);
    assert_non_null(x);
    assert_memory_equal(x->nik_bi, p[50].r.nik_bi, PK_BI_LEN);
    assert_memory_equal(x->pii, p[50].r.pii, p[50].r.pii_len);
    free(rows);
    free(p);
}

/* A row with an id replaces that participant's data; created_at stays,
 * updated_at moves on (the store's clock). */
static void update_replaces_and_keeps_created_at(void **state)
{
    pk_store *s = ST_S(state);
    st_person p;
    st_person_init(&p, 7, 70, "Sebelum", "31.71.01.1001");
    st_insert(s, 1, &p);
    st_row before;
    st_read(s, p.r.id, &before);
    st_sleep_ms(5);
    st_person q;
    st_person_init(&q, 7, 71, "Sesudah", "31.72.01.1001");
    q.r.id = p.r.id;
    q.r.jenis_kelamin = "P";
    q.r.segmen = "korban_phk";
    q.r.source = "operator";
    q.r.digest[0] ^= 0xff;
    st_insert(s, 1, &q);
    assert_int_equal(q.r.id, p.r.id);
    st_row after;
    st_read(s, p.r.id, &after);
    assert_string_equal(after.nama, "Sesudah");
    assert_string_equal(after.kode_wilayah, "31.72.01.1001");
    assert_string_equal(after.jenis_kelamin, "P");
    assert_string_equal(after.segmen, "korban_phk");
    assert_string_equal(after.source, "operator");
    assert_memory_equal(after.kk_bi, q.r.kk_bi, PK_BI_LEN);
    assert_memory_equal(after.digest, q.r.digest, PK_DIGEST_LEN);
    assert_string_equal(after.created_at, before.created_at);
    assert_true(strcmp(after.updated_at, before.updated_at) > 0);
    assert_int_equal(count_all(s), 1);
}

/* Inserting a NIK that exists fails with PK_ECONFLICT; undone to a
 * savepoint, the transaction goes on.  So does a NIK twice in one call. */
static void insert_of_an_existing_nik_conflicts(void **state)
{
    pk_store *s = ST_S(state);
    st_person p;
    st_person_init(&p, 1, 1, "Pertama", "31.71.01.1001");
    st_insert(s, 1, &p);
    st_person again[2];
    st_person_init(&again[0], 2, 2, "Lain", "31.71.01.1001");
    st_person_init(&again[1], 1, 1, "Kedua", "31.71.01.1001");
    pk_tx *tx = begin(s);
    assert_int_equal(pk_tx_savepoint(tx), 0);
    assert_int_equal(st_write(tx, 2, again), PK_ECONFLICT);
    assert_int_equal(pk_tx_rollback_to(tx), 0);
    st_person twice[2];
    st_person_init(&twice[0], 3, 3, "Dua Kali", "31.71.01.1001");
    st_person_init(&twice[1], 3, 3, "Dua Kali", "31.71.01.1001");
    assert_int_equal(pk_tx_savepoint(tx), 0);
    assert_int_equal(st_write(tx, 2, twice), PK_ECONFLICT);
    assert_int_equal(pk_tx_rollback_to(tx), 0);
    /* the transaction is still good */
    st_person ok;
    st_person_init(&ok, 4, 4, "Baik", "31.71.01.1001");
    assert_int_equal(st_write(tx, 1, &ok), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    st_rows *rows = st_each(s, NULL);
    assert_int_equal(rows->n, 2);
    assert_string_equal(rows->r[0].nama, "Pertama");
    assert_string_equal(rows->r[1].nama, "Baik");
    free(rows);
}

/* ---- two writers ---- */

/* Rows found are locked to the end of the transaction: another writer
 * looking for the same NIK (another handle, as another process would)
 * goes on only after commit (SQLite: it cannot even begin), and then
 * sees what was committed. */
static void rows_found_stay_locked_until_commit(void **state)
{
    pk_store *s = ST_S(state);
    st_person p;
    st_person_init(&p, 1, 1, "Dikunci", "31.71.01.1001");
    st_insert(s, 1, &p);
    pk_store *other = st_open_again(ST_FX(state));
    st_finder w = {.s = other};
    memcpy(w.nik, p.r.nik_bi, PK_BI_LEN);
    pk_tx *tx = begin(s);
    pk_pknown k;
    assert_int_equal(pk_tx_participants_find(tx, 1, (const pk_bi *)p.r.nik_bi, &k), 0);
    assert_int_equal(k.id, p.r.id);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, st_finder_run, &w), 0);
    st_sleep_ms(300);
    assert_int_equal(atomic_load(&w.done), 0);
    st_person q = p;
    q.r.pii = q.pii;
    q.r.nama = "Diubah";
    assert_int_equal(st_write(tx, 1, &q), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    pthread_join(t, NULL);
    assert_int_equal(w.rc, 0);
    assert_int_equal(w.id_seen, p.r.id);
    pk_store_close(other);
}

/* A NIK not found may be inserted by another process before this
 * transaction inserts it: PK_ECONFLICT (PostgreSQL, a shared store).
 * SQLite has one writer: a second transaction waits for the first. */
static void insert_after_another_writer_inserted(void **state)
{
    pk_store *s = ST_S(state);
    st_person p;
    st_person_init(&p, 1, 1, "Balapan", "31.71.01.1001");
    pk_store *other = st_open_again(ST_FX(state));
    pk_tx *tx = begin(s);
    pk_pknown k;
    assert_int_equal(pk_tx_participants_find(tx, 1, (const pk_bi *)p.r.nik_bi, &k), 0);
    assert_int_equal(k.id, 0);
    if (pk_store_shared(s)) {
        st_person theirs = p;
        theirs.r.pii = theirs.pii;
        st_insert(other, 1, &theirs);
        assert_int_equal(pk_tx_savepoint(tx), 0);
        assert_int_equal(st_write(tx, 1, &p), PK_ECONFLICT);
        assert_int_equal(pk_tx_rollback_to(tx), 0);
        /* redone, the batch now sees their row */
        assert_int_equal(pk_tx_participants_find(tx, 1, (const pk_bi *)p.r.nik_bi, &k), 0);
        assert_int_equal(k.id, theirs.r.id);
        assert_int_equal(pk_tx_commit(tx), 0);
    } else {
        st_finder w = {.s = other};
        memcpy(w.nik, p.r.nik_bi, PK_BI_LEN);
        pthread_t t;
        assert_int_equal(pthread_create(&t, NULL, st_finder_run, &w), 0);
        st_sleep_ms(300);
        assert_int_equal(atomic_load(&w.done), 0);
        assert_int_equal(st_write(tx, 1, &p), 0);
        assert_int_equal(pk_tx_commit(tx), 0);
        pthread_join(t, NULL);
        assert_int_equal(w.rc, 0);
        assert_int_equal(w.id_seen, p.r.id);
    }
    pk_store_close(other);
    assert_int_equal(count_all(s), 1);
}

/* Two transactions each holding a person the other looks for: the
 * database breaks the deadlock by failing one statement with PK_EBUSY;
 * that transaction rolls back to its savepoint (which lets the other go
 * on) and is still usable.  SQLite's single writer cannot deadlock: a
 * second transaction waits to begin (rows_found_stay_locked_until_commit). */
typedef struct crossing {
    pk_store *s;
    pk_bi a, b;
    atomic_int holding_b;
    int rc, undo_rc;
} crossing;

static void *crossing_run(void *arg)
{
    crossing *x = arg;
    pk_tx *tx = NULL;
    pk_pknown k;
    if ((x->rc = pk_store_begin(x->s, &tx)) != 0)
        return NULL;
    pk_tx_savepoint(tx);
    x->rc = pk_tx_participants_find(tx, 1, (const pk_bi *)x->b, &k);
    atomic_store(&x->holding_b, 1);
    if (x->rc == 0)
        x->rc = pk_tx_participants_find(tx, 1, (const pk_bi *)x->a, &k);
    if (x->rc == PK_EBUSY)
        x->undo_rc = pk_tx_rollback_to(tx);
    pk_tx_rollback(tx);
    return NULL;
}

static void deadlock_fails_one_side_with_ebusy(void **state)
{
    pk_store *s = ST_S(state);
    if (!pk_store_shared(s)) {
        print_message("# a single writer: no deadlock between two transactions\n");
        return;
    }
    st_person p[2];
    st_person_init(&p[0], 1, 1, "A", "31.71.01.1001");
    st_person_init(&p[1], 2, 2, "B", "31.71.01.1001");
    st_insert(s, 2, p);
    pk_store *other = st_open_again(ST_FX(state));
    crossing x = {.s = other};
    memcpy(x.a, p[0].r.nik_bi, PK_BI_LEN);
    memcpy(x.b, p[1].r.nik_bi, PK_BI_LEN);
    pk_tx *tx = begin(s);
    pk_pknown k;
    assert_int_equal(pk_tx_savepoint(tx), 0);
    assert_int_equal(pk_tx_participants_find(tx, 1, (const pk_bi *)x.a, &k), 0);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, crossing_run, &x), 0);
    for (int i = 0; i < 1000 && !atomic_load(&x.holding_b); i++)
        st_sleep_ms(5);
    st_sleep_ms(100); /* it waits for A by now */
    int rc = pk_tx_participants_find(tx, 1, (const pk_bi *)x.b, &k);
    if (rc == PK_EBUSY)
        assert_int_equal(pk_tx_rollback_to(tx), 0);
    pthread_join(t, NULL);
    assert_true((rc == PK_EBUSY) != (x.rc == PK_EBUSY)); /* exactly one */
    assert_true(rc == 0 || rc == PK_EBUSY);
    assert_true(x.rc == 0 || x.rc == PK_EBUSY);
    if (x.rc == PK_EBUSY)
        assert_int_equal(x.undo_rc, 0);
    /* the side that lost goes on after its rollback_to */
    assert_int_equal(pk_tx_participants_find(tx, 1, (const pk_bi *)x.b, &k), 0);
    assert_int_equal(k.id, p[1].r.id);
    assert_int_equal(pk_tx_commit(tx), 0);
    pk_store_close(other);
}

/* ---- families ---- */

typedef struct members {
    size_t n, stop_after;
    uint8_t kk[32][PK_BI_LEN];
    int64_t id[32];
    char scheme[32][16];
    uint64_t base[32], reasons[32];
} members;

static int member_cb(void *ctx, const pk_member *m)
{
    members *ms = ctx;
    assert_true(ms->n < 32);
    memcpy(ms->kk[ms->n], m->kk_bi, PK_BI_LEN);
    ms->id[ms->n] = m->id;
    snprintf(ms->scheme[ms->n], sizeof(ms->scheme[0]), "%s", m->scheme);
    ms->base[ms->n] = m->base_reasons;
    ms->reasons[ms->n] = m->reasons;
    ms->n++;
    return ms->stop_after && ms->n == ms->stop_after ? 9 : 0;
}

/* Members of the families asked (repeats allowed, any order), each once,
 * in order of KK index (bytes, as memcmp: the edges 00.., 7f.., 80..,
 * ff.. catch a signed comparison), then id; cb's non-zero value stops. */
static void kk_members_in_kk_then_id_order(void **state)
{
    pk_store *s = ST_S(state);
    pk_bi kk[4];
    st_bi_fill(kk[0], 0x00, 0x00);
    st_bi_fill(kk[1], 0x7f, 0xff);
    st_bi_fill(kk[2], 0x80, 0x00);
    st_bi_fill(kk[3], 0xff, 0xff);
    /* 8 people, families interleaved: person i in family order[i] */
    static const int fam[8] = {3, 1, 0, 2, 3, 1, 2, 3};
    st_person p[8];
    for (unsigned i = 0; i < 8; i++) {
        st_person_init(&p[i], 20 + i, 0, "Anggota", "31.71.01.1001");
        memcpy(p[i].r.kk_bi, kk[fam[i]], PK_BI_LEN);
        p[i].r.base_reasons = i;
        p[i].r.reasons = i | (uint64_t)1 << PK_C_KUOTA_KK_PENUH;
    }
    p[5].r.scheme = "2025";
    st_insert(s, 4, p);
    st_insert(s, 4, p + 4);
    pk_bi other;
    st_bi(other, 'K', 999); /* nobody's */
    pk_bi ask[6];
    memcpy(ask[0], kk[3], PK_BI_LEN);
    memcpy(ask[1], other, PK_BI_LEN);
    memcpy(ask[2], kk[1], PK_BI_LEN);
    memcpy(ask[3], kk[3], PK_BI_LEN); /* again */
    memcpy(ask[4], kk[2], PK_BI_LEN);
    memcpy(ask[5], kk[0], PK_BI_LEN);
    pk_tx *tx = begin(s);
    members m = {0};
    assert_int_equal(pk_tx_kk_members(tx, 6, (const pk_bi *)ask, member_cb, &m), 0);
    assert_int_equal(m.n, 8);
    size_t at = 0;
    for (int f = 0; f < 4; f++)
        for (unsigned i = 0; i < 8; i++) /* ids ascend with i */
            if (fam[i] == f) {
                assert_memory_equal(m.kk[at], kk[f], PK_BI_LEN);
                assert_int_equal(m.id[at], p[i].r.id);
                assert_int_equal(m.base[at], i);
                assert_int_equal(m.reasons[at], p[i].r.reasons);
                assert_string_equal(m.scheme[at], i == 5 ? "2025" : "2024");
                at++;
            }
    members stop = {.stop_after = 2};
    assert_int_equal(pk_tx_kk_members(tx, 6, (const pk_bi *)ask, member_cb, &stop), 9);
    assert_int_equal(stop.n, 2);
    members none = {0};
    assert_int_equal(pk_tx_kk_members(tx, 1, (const pk_bi *)other, member_cb, &none), 0);
    assert_int_equal(none.n, 0);
    /* a member inserted in this transaction is seen too, last of its family */
    st_person late;
    st_person_init(&late, 99, 0, "Baru", "31.71.01.1001");
    memcpy(late.r.kk_bi, kk[0], PK_BI_LEN);
    assert_int_equal(st_write(tx, 1, &late), 0);
    members again = {0};
    assert_int_equal(pk_tx_kk_members(tx, 1, (const pk_bi *)kk[0], member_cb, &again), 0);
    assert_int_equal(again.n, 2);
    assert_int_equal(again.id[1], late.r.id);
    pk_tx_rollback(tx);
}

/* set_reasons sets reasons[i] on ids[i] and nothing else. */
static void set_reasons_of_each_id(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[3];
    for (unsigned i = 0; i < 3; i++) {
        st_person_init(&p[i], 30 + i, 3, "Keluarga", "31.71.01.1001");
        p[i].r.base_reasons = p[i].r.reasons = 0;
    }
    st_insert(s, 3, p);
    st_sleep_ms(5);
    int64_t ids[2] = {p[2].r.id, p[0].r.id};
    uint64_t reasons[2] = {(uint64_t)1 << PK_C_KUOTA_KK_PENUH, UINT64_C(1) << 63};
    pk_tx *tx = begin(s);
    assert_int_equal(pk_tx_set_reasons(tx, 2, ids, reasons), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    st_rows *rows = st_each(s, NULL);
    assert_int_equal(rows->n, 3);
    assert_int_equal(rows->r[0].reasons, UINT64_C(1) << 63);
    assert_int_equal(rows->r[1].reasons, 0);
    assert_int_equal(rows->r[2].reasons, (uint64_t)1 << PK_C_KUOTA_KK_PENUH);
    for (int i = 0; i < 3; i++)
        assert_int_equal(rows->r[i].base_reasons, 0);
    assert_string_equal(rows->r[1].updated_at, rows->r[1].created_at);
    assert_true(strcmp(rows->r[0].updated_at, rows->r[0].created_at) > 0);
    free(rows);
}

/* ---- transactions ---- */

/* release keeps what was done since the savepoint, rollback_to undoes it
 * and releases the savepoint (so another may be taken); the work before
 * the savepoint stays either way. */
static void savepoint_release_and_rollback_to(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[4];
    const char *names[4] = {"Sebelum", "Dilepas", "Dibatalkan", "Sesudah"};
    for (unsigned i = 0; i < 4; i++)
        st_person_init(&p[i], 40 + i, 40 + i, names[i], "31.71.01.1001");
    pk_tx *tx = begin(s);
    assert_int_equal(st_write(tx, 1, &p[0]), 0);
    assert_int_equal(pk_tx_savepoint(tx), 0);
    assert_int_equal(st_write(tx, 1, &p[1]), 0);
    assert_int_equal(pk_tx_release(tx), 0);
    assert_int_equal(pk_tx_savepoint(tx), 0);
    assert_int_equal(st_write(tx, 1, &p[2]), 0);
    assert_int_equal(pk_tx_audit(tx, "cli:test", "test", "undone", p[2].r.id, NULL), 0);
    assert_int_equal(pk_tx_rollback_to(tx), 0);
    /* undone inside the transaction already */
    pk_pknown k;
    assert_int_equal(pk_tx_participants_find(tx, 1, (const pk_bi *)p[2].r.nik_bi, &k), 0);
    assert_int_equal(k.id, 0);
    assert_int_equal(pk_tx_savepoint(tx), 0); /* a new one after rollback_to */
    assert_int_equal(st_write(tx, 1, &p[3]), 0);
    assert_int_equal(pk_tx_release(tx), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    st_rows *rows = st_each(s, "");
    assert_int_equal(rows->n, 3);
    assert_string_equal(rows->r[0].nama, "Sebelum");
    assert_string_equal(rows->r[1].nama, "Dilepas");
    assert_string_equal(rows->r[2].nama, "Sesudah");
    free(rows);
}

/* A full disk: the write fails with PK_ENOSPC, and pk_store_disk_full
 * says so until a transaction that wrote commits; one whose writes were
 * all undone to their savepoint commits nothing and leaves it set.  On
 * PostgreSQL a trigger raises SQLSTATE 53100 (disk_full), as the server
 * does when it cannot extend a file; SQLite's SQLITE_FULL needs a full
 * file system (tests/http/test_disk.py fills a tmpfs). */
static void disk_full_is_enospc_until_a_write_commits(void **state)
{
    if (!st_pg) {
        print_message("# SQLite: a full file system, in tests/http/test_disk.py\n");
        return;
    }
    st_fx *fx = ST_FX(state);
    pk_store *s = fx->s;
    st_person p[2];
    st_person_init(&p[0], 60, 60, "Penuh", "31.71.01.1001");
    st_person_init(&p[1], 61, 61, "Lega", "31.71.01.1001");
    assert_false(pk_store_disk_full(s));
    st_sql(fx, "CREATE FUNCTION st_disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ "
               "BEGIN RAISE EXCEPTION 'could not extend file' USING ERRCODE = 'disk_full'; "
               "END $$; CREATE TRIGGER st_disk_full BEFORE INSERT ON participant "
               "FOR EACH ROW EXECUTE FUNCTION st_disk_full()");
    pk_tx *tx = begin(s);
    assert_int_equal(pk_tx_savepoint(tx), 0);
    assert_int_equal(st_write(tx, 1, &p[0]), PK_ENOSPC);
    assert_true(pk_store_disk_full(s));
    assert_int_equal(pk_tx_rollback_to(tx), 0);
    assert_int_equal(pk_tx_commit(tx), 0); /* wrote nothing: the disk is still full */
    assert_true(pk_store_disk_full(s));
    st_sql(fx, "DROP TRIGGER st_disk_full ON participant; DROP FUNCTION st_disk_full()");
    assert_true(pk_store_disk_full(s)); /* nothing has been written yet */
    st_insert(s, 1, &p[1]);
    assert_false(pk_store_disk_full(s));
    assert_int_equal(count_all(s), 1);
}

/* What a transaction writes is seen by nobody else before commit, and
 * by nobody at all after rollback. */
static void rollback_discards_and_nothing_shows_before_commit(void **state)
{
    pk_store *s = ST_S(state);
    st_person p;
    st_person_init(&p, 50, 50, "Sementara", "31.71.01.1001");
    pk_pstatus ps;
    pk_tx *tx = begin(s);
    assert_int_equal(st_write(tx, 1, &p), 0);
    assert_int_equal(pk_tx_audit(tx, "cli:test", "test", "rolled.back", p.r.id, "x"), 0);
    assert_int_equal(pk_store_participant_status(s, p.r.nik_bi, &ps), PK_ENOENT);
    assert_int_equal(count_all(s), 0);
    pk_tx_rollback(tx);
    assert_int_equal(pk_store_participant_status(s, p.r.nik_bi, &ps), PK_ENOENT);
    assert_int_equal(count_all(s), 0);
    pk_tx_rollback(NULL); /* safe */
    /* the same write committed is there */
    p.r.id = 0;
    tx = begin(s);
    assert_int_equal(st_write(tx, 1, &p), 0);
    assert_int_equal(pk_store_participant_status(s, p.r.nik_bi, &ps), PK_ENOENT);
    assert_int_equal(pk_tx_commit(tx), 0);
    assert_int_equal(pk_store_participant_status(s, p.r.nik_bi, &ps), 0);
    assert_int_equal(count_all(s), 1);
}

/* The audit log takes entries one or many at a time (no op reads it:
 * only that it accepts them, with subject 0 and no detail). */
static void audit_appends(void **state)
{
    pk_store *s = ST_S(state);
    pk_audit_entry e[3] = {
        {"cli:root", "import", "participant.insert", 1, "fields=all"},
        {"public", "portal", "participant.update", 0, NULL},
        {NULL, "cli", "list.replace", 0, "list=dtks added=3"},
    };
    pk_tx *tx = begin(s);
    assert_int_equal(pk_tx_audit_many(tx, 3, e), 0);
    assert_int_equal(pk_tx_audit(tx, "cli:test", "cli", "keys.rotate", 0, NULL), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
}

/* ---- reads ---- */

static void participant_status_of_a_nik(void **state)
{
    pk_store *s = ST_S(state);
    st_person p;
    st_person_init(&p, 60, 60, "Status", "31.71.01.1001");
    p.r.tanggal_lahir = "2001-12-31";
    p.r.scheme = "2025";
    p.r.reasons = (uint64_t)1 << PK_C_DAFTAR_HITAM | UINT64_C(1) << 63;
    st_insert(s, 1, &p);
    pk_pstatus ps;
    memset(&ps, 0xaa, sizeof(ps));
    assert_int_equal(pk_store_participant_status(s, p.r.nik_bi, &ps), 0);
    assert_string_equal(ps.tanggal_lahir, "2001-12-31");
    assert_string_equal(ps.scheme, "2025");
    assert_int_equal(ps.reasons, p.r.reasons);
    st_row r;
    st_read(s, p.r.id, &r);
    assert_string_equal(ps.created_at, r.created_at);
    pk_bi nobody;
    st_bi(nobody, 'N', 61);
    assert_int_equal(pk_store_participant_status(s, nobody, &ps), PK_ENOENT);
}

/* Participants at the edges of region subtrees: a scope is a dotted code
 * and everything below it, never a string prefix ("11.1" is not
 * "11.10...", "31.7" is not "31.71..."). */
static const struct {
    unsigned nik;
    const char *village;
} places[] = {
    {1, "31.71.01.1001"}, {2, "11.10.01.2001"}, {3, "31.71.02.1001"}, {4, "31.72.01.1001"},
    {5, "31.71.01.1002"}, {6, "11.01.01.2001"}, {7, "31.71.01.1001"},
};

static int64_t place_people(pk_store *s, st_person *p)
{
    size_t n = sizeof(places) / sizeof(places[0]);
    for (size_t i = 0; i < n; i++)
        st_person_init(&p[i], places[i].nik, places[i].nik, "Warga", places[i].village);
    st_insert(s, n, p);
    return (int64_t)n;
}

static void expect_ids(pk_store *s, const char *scope, const st_person *p, const char *which)
{
    st_rows *rows = st_each(s, scope);
    size_t want = strlen(which);
    if (rows->n != want)
        fail_msg("scope %s: %zu rows, want %zu", scope ? scope : "NULL", rows->n, want);
    for (size_t i = 0; i < want; i++)
        assert_int_equal(rows->r[i].id, p[which[i] - '1'].r.id); /* id order */
    free(rows);
}

static void participants_each_walks_a_region_subtree(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[7];
    place_people(s, p);
    expect_ids(s, NULL, p, "1234567");
    expect_ids(s, "", p, "1234567");
    expect_ids(s, "31", p, "13457");
    expect_ids(s, "31.71", p, "1357");
    expect_ids(s, "31.71.01", p, "157");
    expect_ids(s, "31.71.01.1001", p, "17");
    expect_ids(s, "11.1", p, "");
    expect_ids(s, "11.10", p, "2");
    expect_ids(s, "11.01.01", p, "6");
    expect_ids(s, "31.7", p, "");
    expect_ids(s, "3", p, "");
    expect_ids(s, "31.71.0", p, "");
    expect_ids(s, "31.71.01.100", p, "");
    expect_ids(s, "99", p, "");
    /* cb's non-zero value stops the walk */
    st_rows *rows = st_rows_new();
    rows->stop_after = 2;
    rows->stop_rc = 5;
    assert_int_equal(pk_store_participants_each(s, "31", st_collect, rows), 5);
    assert_int_equal(rows->n, 2);
    free(rows);
}

/* Totals by segment, sex and reason, eligible = no reason at all, over a
 * region subtree. */
static void stats_by_segment_sex_reason_in_scope(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[6];
    st_person_init(&p[0], 1, 1, "A", "31.71.01.1001");
    st_person_init(&p[1], 2, 2, "B", "31.71.01.1002");
    st_person_init(&p[2], 3, 3, "C", "31.71.02.1001");
    st_person_init(&p[3], 4, 4, "D", "31.72.01.1001");
    st_person_init(&p[4], 5, 5, "E", "11.10.01.2001");
    st_person_init(&p[5], 6, 6, "F", "31.71.01.1001");
    p[1].r.jenis_kelamin = p[2].r.jenis_kelamin = p[4].r.jenis_kelamin = "P";
    p[1].r.segmen = "korban_phk";
    p[2].r.segmen = "peningkatan_kompetensi";
    p[3].r.segmen = "";
    p[5].r.segmen = "korban_phk";
    uint64_t usia = (uint64_t)1 << PK_C_USIA_KURANG, kuota = (uint64_t)1 << PK_C_KUOTA_KK_PENUH;
    p[1].r.reasons = usia;
    p[2].r.reasons = usia | kuota;
    p[4].r.reasons = UINT64_C(1) << 63;
    p[5].r.reasons = kuota;
    st_insert(s, 6, p);
    pk_stats st;
    memset(&st, 0x55, sizeof(st));
    assert_int_equal(pk_store_stats(s, NULL, &st), 0);
    assert_int_equal(st.total, 6);
    assert_int_equal(st.eligible, 2);
    assert_int_equal(st.by_segment[0], 0); /* none: counted in no segment */
    assert_int_equal(st.by_segment[1], 2); /* pencari_kerja: A, E */
    assert_int_equal(st.by_segment[2], 2);
    assert_int_equal(st.by_segment[3], 1);
    assert_int_equal(st.by_sex[0], 3);
    assert_int_equal(st.by_sex[1], 3);
    assert_int_equal(st.by_reason[PK_C_USIA_KURANG], 2);
    assert_int_equal(st.by_reason[PK_C_KUOTA_KK_PENUH], 2);
    assert_int_equal(st.by_reason[63], 1);
    int64_t sum = 0;
    for (int i = 0; i < 64; i++)
        sum += st.by_reason[i];
    assert_int_equal(sum, 5);
    /* scoped: 31.71 holds A, B, C, F */
    assert_int_equal(pk_store_stats(s, "31.71", &st), 0);
    assert_int_equal(st.total, 4);
    assert_int_equal(st.eligible, 1);
    assert_int_equal(st.by_segment[2], 2);
    assert_int_equal(st.by_segment[3], 1);
    assert_int_equal(st.by_sex[0], 2);
    assert_int_equal(st.by_sex[1], 2);
    assert_int_equal(st.by_reason[63], 0);
    assert_int_equal(pk_store_stats(s, "31.71.01.1001", &st), 0);
    assert_int_equal(st.total, 2);
    /* a lookalike prefix is no subtree; an empty scope is everything */
    assert_int_equal(pk_store_stats(s, "31.7", &st), 0);
    assert_int_equal(st.total, 0);
    assert_int_equal(st.by_sex[0] + st.by_sex[1], 0);
    assert_int_equal(pk_store_stats(s, "11.1", &st), 0);
    assert_int_equal(st.total, 0);
    assert_int_equal(pk_store_stats(s, "", &st), 0);
    assert_int_equal(st.total, 6);
}

static const struct CMUnitTest tests[] = {
    ST_TEST(batches_of_nothing),
    ST_TEST(insert_then_find),
    ST_TEST(many_inserts_and_updates_in_one_call),
    ST_TEST(update_replaces_and_keeps_created_at),
    ST_TEST(insert_of_an_existing_nik_conflicts),
    ST_TEST(rows_found_stay_locked_until_commit),
    ST_TEST(insert_after_another_writer_inserted),
    ST_TEST(deadlock_fails_one_side_with_ebusy),
    ST_TEST(kk_members_in_kk_then_id_order),
    ST_TEST(set_reasons_of_each_id),
    ST_TEST(savepoint_release_and_rollback_to),
    ST_TEST(disk_full_is_enospc_until_a_write_commits),
    ST_TEST(rollback_discards_and_nothing_shows_before_commit),
    ST_TEST(audit_appends),
    ST_TEST(participant_status_of_a_nik),
    ST_TEST(participants_each_walks_a_region_subtree),
    ST_TEST(stats_by_segment_sex_reason_in_scope),
};
const st_division st_participants = {tests, sizeof(tests) / sizeof(tests[0])};
