/* test_outreach.c -- outreach events (issue #15): insert with a unique
 * code, read by id and by code, update (created_* kept), the list of a
 * region subtree in a time window in both orders with a limit, the
 * attribution of a participant (once, counted per event: all and
 * eligible), and what the database refuses (an unknown village or kind,
 * a negative attendance, an attribution to no event). */
#include "store_test.h"

#include <stdio.h>
#include <string.h>

static void event_init(pk_outreach *e, const char *code, const char *village, int64_t at)
{
    memset(e, 0, sizeof(*e));
    snprintf(e->code, sizeof(e->code), "%s", code);
    snprintf(e->kind, sizeof(e->kind), "sosialisasi");
    snprintf(e->title, sizeof(e->title), "Sosialisasi %s", code);
    e->starts_at = at;
    snprintf(e->place, sizeof(e->place), "Aula kelurahan");
    snprintf(e->kode_wilayah, sizeof(e->kode_wilayah), "%s", village);
    snprintf(e->organiser, sizeof(e->organiser), "Dinas");
    e->attendance = -1;
    snprintf(e->created_by, sizeof(e->created_by), "user:op");
    e->created_at = e->updated_at = 1700000000;
}

static int64_t insert(pk_store *s, pk_outreach *e)
{
    pk_tx *tx = NULL;
    assert_int_equal(pk_store_begin(s, &tx), 0);
    assert_int_equal(pk_tx_outreach_insert(tx, e), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    assert_true(e->id > 0);
    return e->id;
}

static void events_written_and_read(void **state)
{
    pk_store *s = ST_S(state);
    pk_outreach e, got;
    event_init(&e, "abcd2345", "31.74.01.1001", 1800000000);
    snprintf(e.segmen, sizeof(e.segmen), "korban_phk");
    int64_t id = insert(s, &e);

    assert_int_equal(pk_store_outreach_get(s, id, &got), 0);
    assert_int_equal(got.id, id);
    assert_string_equal(got.code, "abcd2345");
    assert_string_equal(got.kind, "sosialisasi");
    assert_string_equal(got.title, "Sosialisasi abcd2345");
    assert_int_equal(got.starts_at, 1800000000);
    assert_string_equal(got.place, "Aula kelurahan");
    assert_string_equal(got.kode_wilayah, "31.74.01.1001");
    assert_string_equal(got.organiser, "Dinas");
    assert_string_equal(got.segmen, "korban_phk");
    assert_int_equal(got.attendance, -1);
    assert_string_equal(got.created_by, "user:op");
    assert_int_equal(got.created_at, 1700000000);
    assert_int_equal(got.registrations, 0);
    assert_int_equal(pk_store_outreach_find_code(s, "abcd2345", &got), 0);
    assert_int_equal(got.id, id);
    assert_int_equal(pk_store_outreach_find_code(s, "ABCD2345", &got), PK_ENOENT);
    assert_int_equal(pk_store_outreach_get(s, id + 100, &got), PK_ENOENT);

    /* the code is unique: the second insert is refused, nothing kept */
    pk_outreach dup;
    event_init(&dup, "abcd2345", "31.72.01.1001", 1800000000);
    pk_tx *tx = NULL;
    assert_int_equal(pk_store_begin(s, &tx), 0);
    assert_int_equal(pk_tx_outreach_insert(tx, &dup), PK_ECONFLICT);
    pk_tx_rollback(tx);

    /* update: everything but id, code and creation */
    assert_int_equal(pk_store_begin(s, &tx), 0);
    assert_int_equal(pk_tx_outreach_get(tx, id, &got), 0);
    snprintf(got.kind, sizeof(got.kind), "literasi_digital");
    snprintf(got.title, sizeof(got.title), "Kelas literasi");
    got.attendance = 57;
    got.updated_at = 1700000500;
    snprintf(got.code, sizeof(got.code), "zzzz9999");
    snprintf(got.created_by, sizeof(got.created_by), "user:other");
    assert_int_equal(pk_tx_outreach_update(tx, &got), 0);
    pk_outreach none = got;
    none.id = id + 100;
    assert_int_equal(pk_tx_outreach_update(tx, &none), PK_ENOENT);
    assert_int_equal(pk_tx_outreach_get(tx, id + 100, &none), PK_ENOENT);
    assert_int_equal(pk_tx_commit(tx), 0);
    assert_int_equal(pk_store_outreach_get(s, id, &got), 0);
    assert_string_equal(got.kind, "literasi_digital");
    assert_string_equal(got.title, "Kelas literasi");
    assert_int_equal(got.attendance, 57);
    assert_int_equal(got.updated_at, 1700000500);
    assert_string_equal(got.code, "abcd2345");
    assert_string_equal(got.created_by, "user:op");
    assert_int_equal(got.created_at, 1700000000);
}

typedef struct seen {
    int n;
    int64_t ids[8];
} seen;

static int collect(void *ctx, const pk_outreach *e)
{
    seen *s = ctx;
    if (s->n < 8)
        s->ids[s->n] = e->id;
    s->n++;
    return 0;
}

static void events_listed_by_region_and_time(void **state)
{
    pk_store *s = ST_S(state);
    pk_outreach e[4];
    event_init(&e[0], "aaaa2222", "31.74.01.1001", 1000);
    event_init(&e[1], "bbbb2222", "31.74.02.1001", 3000);
    event_init(&e[2], "cccc2222", "31.72.01.1001", 2000);
    event_init(&e[3], "dddd2222", "31.74.01.1001", 2000);
    for (int i = 0; i < 4; i++)
        insert(s, &e[i]);

    seen got = {0};
    pk_outreach_filter all = {.from = 0, .until = 10000};
    assert_int_equal(pk_store_outreach_each(s, &all, collect, &got), 0);
    assert_int_equal(got.n, 4);
    int64_t asc[] = {e[0].id, e[2].id, e[3].id, e[1].id}; /* starts_at, then id */
    for (int i = 0; i < 4; i++)
        assert_int_equal(got.ids[i], asc[i]);

    /* a city: 31.74 and its villages, not 31.72 */
    memset(&got, 0, sizeof(got));
    pk_outreach_filter city = {.region = "31.74", .from = 0, .until = 10000,
                               .newest_first = true};
    assert_int_equal(pk_store_outreach_each(s, &city, collect, &got), 0);
    assert_int_equal(got.n, 3);
    assert_int_equal(got.ids[0], e[1].id);
    assert_int_equal(got.ids[1], e[3].id);
    assert_int_equal(got.ids[2], e[0].id);

    /* a window [from, until) and a limit */
    memset(&got, 0, sizeof(got));
    pk_outreach_filter win = {.from = 2000, .until = 3000, .limit = 1};
    assert_int_equal(pk_store_outreach_each(s, &win, collect, &got), 0);
    assert_int_equal(got.n, 1);
    assert_int_equal(got.ids[0], e[2].id);
    /* a village */
    memset(&got, 0, sizeof(got));
    pk_outreach_filter village = {.region = "31.74.01.1001", .from = 0, .until = 10000};
    assert_int_equal(pk_store_outreach_each(s, &village, collect, &got), 0);
    assert_int_equal(got.n, 2);
}

static void registrations_attributed_once(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[3];
    for (unsigned i = 0; i < 3; i++)
        st_person_init(&p[i], 900 + i, 900 + i, "Warga", "31.74.01.1001");
    p[2].r.reasons = p[2].r.base_reasons = PK_CODEBIT(0); /* not eligible */
    st_insert(s, 3, p);
    pk_outreach a, b;
    event_init(&a, "attr2345", "31.74.01.1001", 1000);
    event_init(&b, "attr6789", "31.74.01.1001", 1000);
    insert(s, &a);
    insert(s, &b);

    pk_tx *tx = NULL;
    assert_int_equal(pk_store_begin(s, &tx), 0);
    assert_int_equal(pk_tx_outreach_attribute(tx, p[0].r.id, a.id, 1100), 0);
    assert_int_equal(pk_tx_outreach_attribute(tx, p[2].r.id, a.id, 1200), 0);
    assert_int_equal(pk_tx_outreach_attribute(tx, p[1].r.id, b.id, 1300), 0);
    assert_int_equal(pk_tx_commit(tx), 0);

    /* a participant is attributed once */
    assert_int_equal(pk_store_begin(s, &tx), 0);
    assert_int_equal(pk_tx_outreach_attribute(tx, p[0].r.id, b.id, 1400), PK_ECONFLICT);
    pk_tx_rollback(tx);

    pk_outreach got;
    assert_int_equal(pk_store_outreach_get(s, a.id, &got), 0);
    assert_int_equal(got.registrations, 2);
    assert_int_equal(got.eligible, 1);
    assert_int_equal(pk_store_outreach_get(s, b.id, &got), 0);
    assert_int_equal(got.registrations, 1);
    assert_int_equal(got.eligible, 1);
    int64_t ev = 0;
    assert_int_equal(pk_store_outreach_of(s, p[0].r.id, &ev), 0);
    assert_int_equal(ev, a.id);
    assert_int_equal(pk_store_outreach_of(s, p[1].r.id, &ev), 0);
    assert_int_equal(ev, b.id);
    st_person q;
    st_person_init(&q, 990, 990, "Lain", "31.74.01.1001");
    st_insert(s, 1, &q);
    assert_int_equal(pk_store_outreach_of(s, q.r.id, &ev), PK_ENOENT);

    /* an attribution to an event that does not exist is refused */
    assert_int_equal(pk_store_begin(s, &tx), 0);
    assert_int_not_equal(pk_tx_outreach_attribute(tx, q.r.id, b.id + 100, 1500), 0);
    pk_tx_rollback(tx);
}

static void database_refuses_bad_events(void **state)
{
    pk_store *s = ST_S(state);
    pk_outreach e;
    pk_tx *tx = NULL;
    /* unknown village */
    event_init(&e, "bad12345", "31.99.99.9999", 1000);
    assert_int_equal(pk_store_begin(s, &tx), 0);
    assert_int_not_equal(pk_tx_outreach_insert(tx, &e), 0);
    pk_tx_rollback(tx);
    /* unknown kind */
    event_init(&e, "bad22345", "31.74.01.1001", 1000);
    snprintf(e.kind, sizeof(e.kind), "konser");
    assert_int_equal(pk_store_begin(s, &tx), 0);
    assert_int_not_equal(pk_tx_outreach_insert(tx, &e), 0);
    pk_tx_rollback(tx);
    /* negative attendance */
    event_init(&e, "bad32345", "31.74.01.1001", 1000);
    e.attendance = -2;
    assert_int_equal(pk_store_begin(s, &tx), 0);
    assert_int_not_equal(pk_tx_outreach_insert(tx, &e), 0);
    pk_tx_rollback(tx);
    seen got = {0};
    pk_outreach_filter all = {.from = 0, .until = 10000};
    assert_int_equal(pk_store_outreach_each(s, &all, collect, &got), 0);
    assert_int_equal(got.n, 0);
}

static const struct CMUnitTest tests[] = {
    ST_TEST(events_written_and_read),
    ST_TEST(events_listed_by_region_and_time),
    ST_TEST(registrations_attributed_once),
    ST_TEST(database_refuses_bad_events),
};
const st_division st_outreach = {tests, sizeof(tests) / sizeof(tests[0])};
