/* test_sealed.c -- key rotation: sealed_older pages through the boxes of
 * older seal generations (participant pii, exclusion notes) in key
 * order, sealed_replace re-seals one only while it is unchanged, and
 * sealed_generations counts the boxes of each generation. */
#include "store_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pk_tx *begin(pk_store *s)
{
    pk_tx *tx = NULL;
    assert_int_equal(pk_store_begin(s, &tx), 0);
    return tx;
}

/* What sealed_older handed over, copied (its pointers live only during
 * the call). */
typedef struct seen {
    int n, stop_after;
    int64_t id[16];
    char list[16][32];
    uint8_t nik[16][PK_BI_LEN];
    uint8_t box[16][48];
    size_t len[16];
} seen;

static int seen_cb(void *ctx, const pk_sealed *s)
{
    seen *x = ctx;
    assert_true(x->n < 16);
    int i = x->n++;
    x->id[i] = s->id;
    snprintf(x->list[i], sizeof(x->list[i]), "%s", s->list ? s->list : "");
    memcpy(x->nik[i], s->nik_bi, PK_BI_LEN);
    assert_true(s->len <= sizeof(x->box[i]));
    memcpy(x->box[i], s->box, s->len);
    x->len[i] = s->len;
    return x->stop_after && x->n == x->stop_after ? 2 : 0;
}

/* Participants with boxes of generations 1, 3, 1, 2, 1 (ids ascending). */
static void five_people(pk_store *s, st_person *p)
{
    static const uint8_t gens[5] = {1, 3, 1, 2, 1};
    for (unsigned i = 0; i < 5; i++) {
        st_person_init(&p[i], 1 + i, 1 + i, "Tersegel", "31.71.01.1001");
        st_person_gen(&p[i], gens[i]);
    }
    st_insert(s, 5, p);
}

static void sealed_older_pages_pii_in_id_order(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[5];
    five_people(s, p);
    pk_tx *tx = begin(s);
    /* below generation 2: p0, p2, p4, two at a time */
    seen a = {0};
    assert_int_equal(pk_tx_sealed_older(tx, PK_SEALED_PII, 2, NULL, 2, seen_cb, &a), 0);
    assert_int_equal(a.n, 2);
    assert_int_equal(a.id[0], p[0].r.id);
    assert_int_equal(a.id[1], p[2].r.id);
    assert_memory_equal(a.nik[1], p[2].r.nik_bi, PK_BI_LEN);
    assert_int_equal(a.len[1], p[2].r.pii_len);
    assert_memory_equal(a.box[1], p[2].r.pii, p[2].r.pii_len);
    pk_sealed after = {.id = a.id[1]};
    memcpy(after.nik_bi, a.nik[1], PK_BI_LEN);
    seen b = {0};
    assert_int_equal(pk_tx_sealed_older(tx, PK_SEALED_PII, 2, &after, 2, seen_cb, &b), 0);
    assert_int_equal(b.n, 1);
    assert_int_equal(b.id[0], p[4].r.id);
    after.id = b.id[0];
    seen c = {0};
    assert_int_equal(pk_tx_sealed_older(tx, PK_SEALED_PII, 2, &after, 2, seen_cb, &c), 0);
    assert_int_equal(c.n, 0);
    /* below 4: all five; below 1: none; cb's non-zero value stops */
    seen all = {0};
    assert_int_equal(pk_tx_sealed_older(tx, PK_SEALED_PII, 4, NULL, 10, seen_cb, &all), 0);
    assert_int_equal(all.n, 5);
    seen none = {0};
    assert_int_equal(pk_tx_sealed_older(tx, PK_SEALED_PII, 1, NULL, 10, seen_cb, &none), 0);
    assert_int_equal(none.n, 0);
    seen stop = {.stop_after = 1};
    assert_int_equal(pk_tx_sealed_older(tx, PK_SEALED_PII, 4, NULL, 10, seen_cb, &stop), 2);
    assert_int_equal(stop.n, 1);
    pk_tx_rollback(tx);
}

/* Re-sealing: only while the row still holds the old box (a concurrent
 * write wins); nothing else of the row changes, not updated_at. */
static void sealed_replace_pii_only_while_unchanged(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[5];
    five_people(s, p);
    st_row before;
    st_read(s, p[0].r.id, &before);
    st_sleep_ms(5);
    pk_tx *tx = begin(s);
    pk_sealed old = {.id = p[0].r.id, .box = p[0].r.pii, .len = p[0].r.pii_len};
    memcpy(old.nik_bi, p[0].r.nik_bi, PK_BI_LEN);
    const uint8_t fresh[] = {3, 'n', 'e', 'w', 0, 'b', 'o', 'x'};
    int replaced = -1;
    assert_int_equal(pk_tx_sealed_replace(tx, PK_SEALED_PII, &old, fresh, sizeof(fresh),
                                          &replaced),
                     0);
    assert_int_equal(replaced, 1);
    /* the same old box again: the row no longer holds it */
    assert_int_equal(pk_tx_sealed_replace(tx, PK_SEALED_PII, &old, fresh, sizeof(fresh),
                                          &replaced),
                     0);
    assert_int_equal(replaced, 0);
    /* a box another row holds is not this row's */
    pk_sealed other = {.id = p[1].r.id, .box = p[2].r.pii, .len = p[2].r.pii_len};
    assert_int_equal(pk_tx_sealed_replace(tx, PK_SEALED_PII, &other, fresh, sizeof(fresh),
                                          &replaced),
                     0);
    assert_int_equal(replaced, 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    st_row after;
    st_read(s, p[0].r.id, &after);
    assert_int_equal(after.pii_len, sizeof(fresh));
    assert_memory_equal(after.pii, fresh, sizeof(fresh));
    assert_string_equal(after.updated_at, before.updated_at);
    assert_string_equal(after.nama, before.nama);
    assert_memory_equal(after.digest, before.digest, PK_DIGEST_LEN);
    assert_int_equal(after.reasons, before.reasons);
    st_row untouched;
    st_read(s, p[1].r.id, &untouched);
    assert_memory_equal(untouched.pii, p[1].r.pii, p[1].r.pii_len);
}

/* Notes of exclusion-list entries: key order (list, nik index); entries
 * without a note have no box. */
static void sealed_notes_older_and_replace(void **state)
{
    pk_store *s = ST_S(state);
    pk_bi n[3];
    st_bi_fill(n[0], 0x10, 0x00);
    st_bi_fill(n[1], 0x90, 0x00);
    st_bi_fill(n[2], 0x50, 0x00);
    const uint8_t g1[] = {1, 'a'}, g1b[] = {1, 'b'}, g2[] = {2, 'c'}, g1c[] = {1, 'd'};
    pk_tx *tx = begin(s);
    assert_int_equal(pk_tx_list_add(tx, "dtks", n[1], g1, sizeof(g1)), 0);
    assert_int_equal(pk_tx_list_add(tx, "dtks", n[0], g1b, sizeof(g1b)), 0);
    assert_int_equal(pk_tx_list_add(tx, "dtks", n[2], NULL, 0), 0);
    assert_int_equal(pk_tx_list_add(tx, "bsu", n[2], g2, sizeof(g2)), 0);
    assert_int_equal(pk_tx_list_add(tx, "bpum", n[1], g1c, sizeof(g1c)), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    tx = begin(s);
    /* below 2, in (list, nik) order: bpum/n1, dtks/n0, dtks/n1 */
    seen a = {0};
    assert_int_equal(pk_tx_sealed_older(tx, PK_SEALED_NOTE, 2, NULL, 10, seen_cb, &a), 0);
    assert_int_equal(a.n, 3);
    assert_string_equal(a.list[0], "bpum");
    assert_string_equal(a.list[1], "dtks");
    assert_memory_equal(a.nik[1], n[0], PK_BI_LEN);
    assert_memory_equal(a.box[1], g1b, sizeof(g1b));
    assert_string_equal(a.list[2], "dtks");
    assert_memory_equal(a.nik[2], n[1], PK_BI_LEN);
    /* paged after (dtks, n0) */
    pk_sealed after = {.list = "dtks"};
    memcpy(after.nik_bi, n[0], PK_BI_LEN);
    seen b = {0};
    assert_int_equal(pk_tx_sealed_older(tx, PK_SEALED_NOTE, 2, &after, 10, seen_cb, &b), 0);
    assert_int_equal(b.n, 1);
    assert_memory_equal(b.nik[0], n[1], PK_BI_LEN);
    seen one = {0};
    assert_int_equal(pk_tx_sealed_older(tx, PK_SEALED_NOTE, 2, NULL, 1, seen_cb, &one), 0);
    assert_int_equal(one.n, 1);
    /* re-seal dtks/n0 */
    pk_sealed old = {.list = "dtks", .box = g1b, .len = sizeof(g1b)};
    memcpy(old.nik_bi, n[0], PK_BI_LEN);
    const uint8_t fresh[] = {3, 'z', 'z'};
    int replaced = -1;
    assert_int_equal(pk_tx_sealed_replace(tx, PK_SEALED_NOTE, &old, fresh, sizeof(fresh),
                                          &replaced),
                     0);
    assert_int_equal(replaced, 1);
    assert_int_equal(pk_tx_sealed_replace(tx, PK_SEALED_NOTE, &old, fresh, sizeof(fresh),
                                          &replaced),
                     0);
    assert_int_equal(replaced, 0);
    old.list = "bsu"; /* another list's entry of the same NIK */
    assert_int_equal(pk_tx_sealed_replace(tx, PK_SEALED_NOTE, &old, fresh, sizeof(fresh),
                                          &replaced),
                     0);
    assert_int_equal(replaced, 0);
    seen c = {0};
    assert_int_equal(pk_tx_sealed_older(tx, PK_SEALED_NOTE, 2, NULL, 10, seen_cb, &c), 0);
    assert_int_equal(c.n, 2);
    assert_int_equal(pk_tx_commit(tx), 0);
    int64_t counts[256];
    assert_int_equal(pk_store_sealed_generations(s, counts), 0);
    assert_int_equal(counts[1], 2);
    assert_int_equal(counts[2], 1);
    assert_int_equal(counts[3], 1);
    assert_int_equal(counts[0], 0);
}

/* How many boxes of both kinds each generation seals. */
static void sealed_generations_counts_both_kinds(void **state)
{
    pk_store *s = ST_S(state);
    int64_t counts[256];
    memset(counts, 0x55, sizeof(counts));
    assert_int_equal(pk_store_sealed_generations(s, counts), 0);
    for (int g = 0; g < 256; g++)
        assert_int_equal(counts[g], 0);
    st_person p[5];
    five_people(s, p);
    st_person hi;
    st_person_init(&hi, 77, 77, "Generasi 255", "31.71.01.1001");
    st_person_gen(&hi, 255);
    st_insert(s, 1, &hi);
    pk_bi n;
    st_bi(n, 'N', 1);
    pk_tx *tx = begin(s);
    assert_int_equal(pk_tx_list_add(tx, "dtks", n, (const uint8_t *)"\x02note", 5), 0);
    assert_int_equal(pk_tx_list_add(tx, "bsu", n, NULL, 0), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    assert_int_equal(pk_store_sealed_generations(s, counts), 0);
    assert_int_equal(counts[1], 3);
    assert_int_equal(counts[2], 2);
    assert_int_equal(counts[3], 1);
    assert_int_equal(counts[255], 1);
    int64_t sum = 0;
    for (int g = 0; g < 256; g++)
        sum += counts[g];
    assert_int_equal(sum, 7);
}

static const struct CMUnitTest tests[] = {
    ST_TEST(sealed_older_pages_pii_in_id_order),
    ST_TEST(sealed_replace_pii_only_while_unchanged),
    ST_TEST(sealed_notes_older_and_replace),
    ST_TEST(sealed_generations_counts_both_kinds),
};
const st_division st_sealed = {tests, sizeof(tests) / sizeof(tests[0])};
