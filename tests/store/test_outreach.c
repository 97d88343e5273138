/* test_outreach.c -- outreach events (issue #15): insert with a unique
 * code, read by id and by code, update (created_* kept), the list of a
 * region subtree in a time window in both orders with a limit, the
 * attribution of a participant (once, counted per event: all and
 * eligible, of everyone or of a region's residents), and what the database refuses (an unknown village or kind,
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

    assert_int_equal(pk_store_outreach_get(s, id, NULL, &got), 0);
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
    assert_int_equal(pk_store_outreach_get(s, id + 100, NULL, &got), PK_ENOENT);

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
    assert_int_equal(pk_store_outreach_get(s, id, NULL, &got), 0);
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

/* sums the registrations of the events listed into the int64_t ctx */
static int add_registrations(void *ctx, const pk_outreach *e)
{
    *(int64_t *)ctx += e->registrations;
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
    assert_int_equal(pk_store_outreach_get(s, a.id, NULL, &got), 0);
    assert_int_equal(got.registrations, 2);
    assert_int_equal(got.eligible, 1);
    assert_int_equal(pk_store_outreach_get(s, b.id, "", &got), 0);
    assert_int_equal(got.registrations, 1);
    assert_int_equal(got.eligible, 1);

    /* counted within a region: a registrant of event a who lives in
     * another village counts for a reader of 31.74.01 and of everything,
     * not for one of 31.74.01.1001 (nor of a village whose code only
     * starts like it) */
    st_person far;
    st_person_init(&far, 950, 950, "Tetangga", "31.74.01.1002");
    st_insert(s, 1, &far);
    assert_int_equal(pk_store_begin(s, &tx), 0);
    assert_int_equal(pk_tx_outreach_attribute(tx, far.r.id, a.id, 1250), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    const struct {
        const char *counted;
        int64_t registrations, eligible;
    } in[] = {{NULL, 3, 2},      {"31.74.01", 3, 2}, {"31.74.01.1001", 2, 1},
              {"31.74.01.1002", 1, 1}, {"31.74.01.100", 0, 0}, {"31.72", 0, 0}};
    for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
        assert_int_equal(pk_store_outreach_get(s, a.id, in[i].counted, &got), 0);
        assert_int_equal(got.registrations, in[i].registrations);
        assert_int_equal(got.eligible, in[i].eligible);
    }
    /* the list counts alike; the short link's read counts everyone */
    seen listed = {0};
    pk_outreach_filter village = {.region = "31.74.01.1001", .counted = "31.74.01.1001",
                                  .from = 0, .until = 10000};
    int64_t counts[2] = {-1, -1};
    assert_int_equal(pk_store_outreach_each(s, &village, collect, &listed), 0);
    assert_int_equal(listed.n, 2);
    for (int k = 0; k < 2; k++) {
        assert_int_equal(pk_store_outreach_get(s, listed.ids[k], "31.74.01.1001", &got), 0);
        counts[k] = got.registrations;
    }
    assert_int_equal(counts[0] + counts[1], 3); /* a: 2 of this village, b: 1 */
    int64_t sum = 0;
    assert_int_equal(pk_store_outreach_each(s, &village, add_registrations, &sum), 0);
    assert_int_equal(sum, 3);
    village.counted = NULL;
    sum = 0;
    assert_int_equal(pk_store_outreach_each(s, &village, add_registrations, &sum), 0);
    assert_int_equal(sum, 4);
    assert_int_equal(pk_store_outreach_find_code(s, "attr2345", &got), 0);
    assert_int_equal(got.registrations, 3);
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

typedef struct reached_rows {
    int n;
    pk_reached r[8];
} reached_rows;

static int note_reached(void *ctx, const pk_reached *r)
{
    reached_rows *x = ctx;
    assert_true(x->n < 8);
    x->r[x->n++] = *r;
    return 0;
}

typedef struct event_cells {
    int n;
    pk_journey_cell c[32];
} event_cells;

static int note_cell(void *ctx, const pk_journey_cell *c)
{
    event_cells *x = ctx;
    assert_true(x->n < 32);
    x->c[x->n++] = *c;
    return 0;
}

/* reached: the recorded attendance of a region's events (not those
 * without one), by a prefix of the village code */
static void reached_sums_recorded_attendance(void **state)
{
    pk_store *s = ST_S(state);
    pk_outreach e[4];
    event_init(&e[0], "reac2345", "31.74.01.1001", 1000);
    e[0].attendance = 40;
    event_init(&e[1], "reac3345", "31.74.02.1001", 1000);
    e[1].attendance = 15;
    event_init(&e[2], "reac4345", "31.74.02.1001", 1000); /* not recorded */
    event_init(&e[3], "reac5345", "31.72.01.1001", 1000);
    e[3].attendance = 0;
    for (int i = 0; i < 4; i++)
        insert(s, &e[i]);
    reached_rows x = {0};
    assert_int_equal(pk_store_outreach_reached(s, "31.74", 0, note_reached, &x), 0);
    assert_int_equal(x.n, 1);
    assert_string_equal(x.r[0].region, "");
    assert_int_equal(x.r[0].attendance, 55);
    assert_int_equal(x.r[0].events, 2);
    memset(&x, 0, sizeof(x));
    assert_int_equal(pk_store_outreach_reached(s, "31.74", 8, note_reached, &x), 0);
    assert_int_equal(x.n, 2);
    assert_string_equal(x.r[0].region, "31.74.01");
    assert_int_equal(x.r[0].attendance, 40);
    assert_string_equal(x.r[1].region, "31.74.02");
    assert_int_equal(x.r[1].attendance, 15);
    assert_int_equal(x.r[1].events, 1);
    memset(&x, 0, sizeof(x));
    assert_int_equal(pk_store_outreach_reached(s, NULL, 5, note_reached, &x), 0);
    assert_int_equal(x.n, 2);
    assert_string_equal(x.r[0].region, "31.72");
    assert_int_equal(x.r[0].attendance, 0);
    assert_int_equal(x.r[0].events, 1);
    memset(&x, 0, sizeof(x));
    assert_int_equal(pk_store_outreach_reached(s, "31.71", 0, note_reached, &x), 0);
    assert_int_equal(x.n, 0);
}

/* an event's journey cells: its attributed people only */
static void event_journey_cells_count_its_people(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[3];
    for (unsigned i = 0; i < 3; i++)
        st_person_init(&p[i], 700 + i, 700 + i, "Warga", "31.74.01.1001");
    st_insert(s, 3, p);
    pk_outreach a, b;
    event_init(&a, "jour2345", "31.74.01.1001", 1000);
    event_init(&b, "jour3345", "31.74.01.1001", 1000);
    insert(s, &a);
    insert(s, &b);
    pk_tx *tx = NULL;
    assert_int_equal(pk_store_begin(s, &tx), 0);
    assert_int_equal(pk_tx_outreach_attribute(tx, p[0].r.id, a.id, 1100), 0);
    assert_int_equal(pk_tx_outreach_attribute(tx, p[1].r.id, a.id, 1100), 0);
    assert_int_equal(pk_tx_outreach_attribute(tx, p[2].r.id, b.id, 1100), 0);
    /* p0 joined and selected 3 days later, p1 joined, p2 (event b) joined */
    const int64_t t0 = 1717174800; /* 2024-06-01 00:00 WIB */
    for (int i = 0; i < 3; i++) {
        pk_journey j;
        memset(&j, 0, sizeof(j));
        j.participant_id = p[i].r.id;
        j.status = i == 0 ? PK_JS_PENERIMA : PK_JS_PENDAFTAR;
        j.wave = 5;
        j.joined_at = t0;
        j.selected_at = i == 0 ? t0 + 3 * 86400 : 0;
        assert_int_equal(pk_tx_journey_put(tx, &j), 0);
    }
    assert_int_equal(pk_tx_commit(tx), 0);
    event_cells x = {0};
    assert_int_equal(pk_store_outreach_journey_counts(s, a.id, NULL, note_cell, &x), 0);
    /* (hari 2 3) 1, (langkah 1) 2, (langkah 2) 1, (tenggat 5 day) 1 */
    assert_int_equal(x.n, 4);
    assert_string_equal(x.c[0].kind, "hari");
    assert_int_equal(x.c[0].k1, 2);
    assert_int_equal(x.c[0].k2, 3);
    assert_int_equal(x.c[0].n, 1);
    assert_string_equal(x.c[1].kind, "langkah");
    assert_int_equal(x.c[1].k1, 1);
    assert_int_equal(x.c[1].n, 2);
    assert_string_equal(x.c[2].kind, "langkah");
    assert_int_equal(x.c[2].k1, 2);
    assert_int_equal(x.c[2].n, 1);
    assert_string_equal(x.c[3].kind, "tenggat");
    assert_int_equal(x.c[3].k1, 5);
    assert_int_equal(x.c[3].k2, (t0 + 3 * 86400 + 25200) / 86400);
    assert_string_equal(x.c[3].region, "");
    /* within a region: p1 moved to another village counts for it alone */
    assert_int_equal(pk_store_begin(s, &tx), 0);
    p[1].r.kode_wilayah = "31.74.01.1002";
    assert_int_equal(st_write(tx, 1, &p[1]), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    memset(&x, 0, sizeof(x));
    assert_int_equal(pk_store_outreach_journey_counts(s, a.id, "31.74.01.1001", note_cell, &x),
                     0);
    assert_int_equal(x.n, 4); /* p0 alone: each cell 1 */
    for (int i = 0; i < x.n; i++)
        assert_int_equal(x.c[i].n, 1);
    memset(&x, 0, sizeof(x));
    assert_int_equal(pk_store_outreach_journey_counts(s, a.id, "31.74.01.1002", note_cell, &x),
                     0);
    assert_int_equal(x.n, 1); /* p1 alone: joined */
    assert_string_equal(x.c[0].kind, "langkah");
    assert_int_equal(x.c[0].k1, 1);
    assert_int_equal(x.c[0].n, 1);
    memset(&x, 0, sizeof(x));
    assert_int_equal(pk_store_outreach_journey_counts(s, a.id, "31.72", note_cell, &x), 0);
    assert_int_equal(x.n, 0);
    memset(&x, 0, sizeof(x));
    assert_int_equal(pk_store_outreach_journey_counts(s, b.id, NULL, note_cell, &x), 0);
    assert_int_equal(x.n, 1);
    assert_int_equal(x.c[0].n, 1);
    memset(&x, 0, sizeof(x));
    assert_int_equal(pk_store_outreach_journey_counts(s, b.id + 100, "", note_cell, &x), 0);
    assert_int_equal(x.n, 0);
}

static const struct CMUnitTest tests[] = {
    ST_TEST(reached_sums_recorded_attendance),
    ST_TEST(event_journey_cells_count_its_people),
    ST_TEST(events_written_and_read),
    ST_TEST(events_listed_by_region_and_time),
    ST_TEST(registrations_attributed_once),
    ST_TEST(database_refuses_bad_events),
};
const st_division st_outreach = {tests, sizeof(tests) / sizeof(tests[0])};
