/* test_counts.c -- the counters behind the statistics (migration 15):
 * kept by every write of participant rows in its transaction (insert,
 * update, set_reasons; undone with it), read by stats and
 * stats_children (every count of each child, as stats counts it),
 * checked by counts_verify, replaced by counts_rebuild. */
#include "store_test.h"

#include <stdio.h>
#include <string.h>

#include "core/participant.h"

typedef struct diffs {
    int n;
    pk_count_cell last;
} diffs;

static int note_diff(void *ctx, const pk_count_cell *c)
{
    diffs *d = ctx;
    d->n++;
    d->last = *c;
    return 0;
}

/* verify's differences; *people the participants it recounted */
static int differ(pk_store *s, int64_t *people, pk_count_cell *last)
{
    diffs d = {0};
    int64_t cells = -1, n = -1;
    assert_int_equal(pk_store_counts_verify(s, note_diff, &d, &cells, &n), 0);
    assert_true(cells >= 0 && n >= 0);
    if (people != NULL)
        *people = n;
    if (last != NULL)
        *last = d.last;
    return d.n;
}

static int64_t total(pk_store *s, const char *region)
{
    pk_stats st;
    assert_int_equal(pk_store_stats(s, region, &st), 0);
    return st.total;
}

typedef struct kids {
    int n;
    pk_child_count c[8];
} kids;

static int note_kid(void *ctx, const pk_child_count *c)
{
    kids *k = ctx;
    assert_true(k->n < 8);
    k->c[k->n++] = *c;
    return 0;
}

static void counters_follow_every_write_and_its_rollback(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[4];
    st_person_init(&p[0], 1, 1, "A", "31.71.01.1001");
    st_person_init(&p[1], 2, 2, "B", "31.71.01.1002");
    st_person_init(&p[2], 3, 3, "C", "31.71.02.1001");
    st_person_init(&p[3], 4, 4, "D", "31.72.01.1001");
    p[1].r.reasons = (uint64_t)1 << PK_C_USIA_KURANG;
    st_insert(s, 4, p);
    int64_t people = 0;
    assert_int_equal(differ(s, &people, NULL), 0);
    assert_int_equal(people, 4);
    assert_int_equal(total(s, "31.71"), 3);
    /* an update moves a person to another village and segment */
    st_person q;
    st_person_init(&q, 1, 1, "A", "31.72.01.1001");
    q.r.id = p[0].r.id;
    q.r.segmen = "korban_phk";
    st_insert(s, 1, &q);
    assert_int_equal(differ(s, NULL, NULL), 0);
    assert_int_equal(total(s, "31.71"), 2);
    assert_int_equal(total(s, "31.72"), 2);
    /* reasons set, then a rolled back transaction and savepoint change nothing */
    pk_tx *tx = NULL;
    assert_int_equal(pk_store_begin(s, &tx), 0);
    int64_t id = p[2].r.id;
    uint64_t r = (uint64_t)1 << PK_C_KUOTA_KK_PENUH;
    assert_int_equal(pk_tx_set_reasons(tx, 1, &id, &r), 0);
    assert_int_equal(pk_tx_savepoint(tx), 0);
    st_person e;
    st_person_init(&e, 9, 9, "E", "31.71.01.1001");
    assert_int_equal(st_write(tx, 1, &e), 0);
    assert_int_equal(pk_tx_rollback_to(tx), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    pk_stats st;
    assert_int_equal(pk_store_stats(s, "31.71", &st), 0);
    assert_int_equal(st.total, 2);
    assert_int_equal(st.eligible, 0);
    assert_int_equal(st.by_reason[PK_C_KUOTA_KK_PENUH], 1);
    assert_int_equal(pk_store_begin(s, &tx), 0);
    st_person_init(&e, 10, 10, "F", "31.71.01.1001");
    assert_int_equal(st_write(tx, 1, &e), 0);
    pk_tx_rollback(tx);
    assert_int_equal(differ(s, &people, NULL), 0);
    assert_int_equal(people, 4);
    /* the breakdown one level down, in one query */
    kids k = {0};
    assert_int_equal(pk_store_stats_children(s, "31", 5, note_kid, &k), 0);
    assert_int_equal(k.n, 2);
    assert_string_equal(k.c[0].code, "31.71");
    assert_int_equal(k.c[0].st.total, 2);
    assert_int_equal(k.c[0].st.eligible, 0);
    assert_string_equal(k.c[1].code, "31.72");
    assert_int_equal(k.c[1].st.total, 2);
    assert_int_equal(k.c[1].st.eligible, 2);
    /* every count of a child, as pk_store_stats counts it on its own */
    for (int i = 0; i < k.n; i++) {
        pk_stats own;
        assert_int_equal(pk_store_stats(s, k.c[i].code, &own), 0);
        assert_memory_equal(&k.c[i].st, &own, sizeof(own));
    }
    assert_int_equal(k.c[1].st.by_segment[PK_SEG_KORBAN_PHK], 1);
    assert_int_equal(k.c[1].st.by_segment[PK_SEG_PENCARI_KERJA], 1);
    memset(&k, 0, sizeof(k));
    assert_int_equal(pk_store_stats_children(s, "31.71", 8, note_kid, &k), 0);
    assert_int_equal(k.n, 2);
    assert_string_equal(k.c[0].code, "31.71.01");
    assert_string_equal(k.c[1].code, "31.71.02");
    assert_int_equal(k.c[0].st.total, 1);
    assert_int_equal(k.c[0].st.by_reason[PK_C_USIA_KURANG], 1);
    assert_int_equal(k.c[1].st.by_reason[PK_C_KUOTA_KK_PENUH], 1);
    for (int i = 0; i < k.n; i++) {
        pk_stats own;
        assert_int_equal(pk_store_stats(s, k.c[i].code, &own), 0);
        assert_memory_equal(&k.c[i].st, &own, sizeof(own));
    }
}

static void verify_names_a_wrong_counter_and_rebuild_repairs_it(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[3];
    for (unsigned i = 0; i < 3; i++)
        st_person_init(&p[i], 1 + i, 1 + i, "A", "31.74.01.1001");
    st_insert(s, 3, p);
    st_sql(ST_FX(state), "UPDATE participant_count SET n = n + 2");
    assert_int_equal(total(s, "31.74.01"), 5); /* a district reads the village cells */
    pk_count_cell c;
    int64_t people = 0;
    assert_int_equal(differ(s, &people, &c), 1);
    assert_int_equal(people, 3);
    assert_string_equal(c.region, "31.74.01.1001");
    assert_string_equal(c.segmen, "pencari_kerja");
    assert_string_equal(c.sex, "L");
    assert_int_equal(c.kept, 5);
    assert_int_equal(c.counted, 3);
    pk_tx *tx = NULL;
    int64_t cells = 0;
    assert_int_equal(pk_store_begin(s, &tx), 0);
    assert_int_equal(pk_tx_counts_rebuild(tx, &cells), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    assert_int_equal(cells, 1);
    assert_int_equal(differ(s, NULL, NULL), 0);
    assert_int_equal(total(s, "31.74.01"), 3);
}

static const struct CMUnitTest tests[] = {
    ST_TEST(counters_follow_every_write_and_its_rollback),
    ST_TEST(verify_names_a_wrong_counter_and_rebuild_repairs_it),
};
const st_division st_counts = {tests, sizeof(tests) / sizeof(tests[0])};
