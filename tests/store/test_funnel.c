/* test_funnel.c -- the journey's counters (migration 24, sql_funnel.h):
 * kept by every write of a journey row in its transaction (insert,
 * update, undone with it) and by a change of a participant's village,
 * read by journey_counts a region and its children at a time (or its
 * villages' cells themselves, in key order), checked by
 * journey_counts_verify, replaced by journey_counts_rebuild; the same
 * cells per city (migration 26), which the province and its cities read,
 * kept by the same writes; and a draw's writes with the counters deferred
 * (journey_counts_defer, _end) give the same cells. */
#include "store_test.h"

#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#define DAY 86400
/* 2024-06-01 00:00 WIB, an instant; its WIB day number */
#define T0 ((int64_t)1717174800)
#define D0 (T0 / DAY + 1) /* (T0 + 7 h) / 1 day: 19875 */

typedef struct cells {
    int n;
    pk_journey_cell c[4096];
} cells;

static int note(void *ctx, const pk_journey_cell *c)
{
    cells *x = ctx;
    assert_true(x->n < 4096);
    x->c[x->n++] = *c;
    return 0;
}

static cells read_kind(pk_store *s, const char *region, size_t child_len, const char *kind)
{
    cells x = {0};
    assert_int_equal(pk_store_journey_counts(s, region, child_len, kind, note, &x), 0);
    return x;
}

/* the count of one cell of a region (0 when absent) */
static int64_t count(pk_store *s, const char *region, const char *kind, int64_t k1, int64_t k2)
{
    cells x = read_kind(s, region, 0, kind);
    for (int i = 0; i < x.n; i++)
        if (x.c[i].k1 == k1 && x.c[i].k2 == k2)
            return x.c[i].n;
    return 0;
}

static int differ(pk_store *s, pk_journey_cell *last)
{
    cells x = {0};
    int64_t compared = -1;
    assert_int_equal(pk_store_journey_counts_verify(s, note, &x, &compared), 0);
    assert_true(compared >= 0);
    if (last != NULL && x.n > 0)
        *last = x.c[x.n - 1];
    return x.n;
}

static void put(pk_store *s, const pk_journey *j)
{
    pk_tx *tx = NULL;
    assert_int_equal(pk_store_begin(s, &tx), 0);
    assert_int_equal(pk_tx_journey_put(tx, j), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
}

static void journey_counters_follow_every_write(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[3];
    st_person_init(&p[0], 1, 1, "A", "31.71.01.1001");
    st_person_init(&p[1], 2, 2, "B", "31.71.01.1002");
    st_person_init(&p[2], 3, 3, "C", "31.72.01.1001");
    st_insert(s, 3, p);
    pk_journey a, b;
    memset(&a, 0, sizeof(a));
    a.participant_id = p[0].r.id;
    a.status = PK_JS_PENDAFTAR;
    a.wave = 7;
    a.joined_at = T0;
    put(s, &a);
    assert_int_equal(count(s, "31.71", "langkah", 1, 0), 1);
    assert_int_equal(count(s, "31.71", "langkah", 2, 0), 0);
    assert_int_equal(differ(s, NULL), 0);
    /* selected 3 days and 2 hours later, then buys 10 days later: the
     * step, the waits in WIB days, the deadline cell then none */
    a.status = PK_JS_PENERIMA;
    a.selected_at = T0 + 3 * DAY + 7200;
    put(s, &a);
    assert_int_equal(count(s, "31.71", "langkah", 2, 0), 1);
    assert_int_equal(count(s, "31.71", "hari", 2, 3), 1);
    assert_int_equal(count(s, "31.71", "tenggat", 7, D0 + 3), 1);
    assert_int_equal(differ(s, NULL), 0);
    a.first_purchase_at = a.selected_at + 10 * DAY;
    a.purchases = 1;
    put(s, &a);
    assert_int_equal(count(s, "31.71", "tenggat", 7, D0 + 3), 0);
    assert_int_equal(count(s, "31.71", "langkah", 3, 0), 1);
    assert_int_equal(count(s, "31.71", "hari", 3, 10), 1);
    /* finished, paid: the last steps; a wait over a year is one bucket */
    a.first_completion_at = a.first_purchase_at + DAY;
    a.first_incentive_at = a.first_completion_at + 400 * DAY;
    a.incentives_paid = 1;
    put(s, &a);
    assert_int_equal(count(s, "31", "langkah", 5, 0), 1);
    assert_int_equal(count(s, "31", "hari", 4, 1), 1);
    assert_int_equal(count(s, "31", "hari", 5, PK_FUNNEL_DAYS_MAX), 1);
    /* a second person in the same village, rolled back: nothing */
    memset(&b, 0, sizeof(b));
    b.participant_id = p[1].r.id;
    b.status = PK_JS_PENERIMA;
    b.wave = 7;
    b.joined_at = T0;
    b.selected_at = T0 + 3 * DAY;
    pk_tx *tx = NULL;
    assert_int_equal(pk_store_begin(s, &tx), 0);
    assert_int_equal(pk_tx_journey_put(tx, &b), 0);
    pk_tx_rollback(tx);
    assert_int_equal(count(s, "31.71", "langkah", 1, 0), 1);
    put(s, &b);
    assert_int_equal(count(s, "31.71", "langkah", 1, 0), 2);
    assert_int_equal(count(s, "31.71", "tenggat", 7, D0 + 3), 1);
    /* the children: one query, grouped by the first bytes of the code */
    b.participant_id = p[2].r.id;
    put(s, &b);
    cells k = read_kind(s, "31", 5, "langkah");
    assert_int_equal(k.n, 7); /* 31.71: steps 1-5; 31.72: steps 1-2 */
    k = read_kind(s, "31", 5, "tenggat");
    assert_int_equal(k.n, 2);
    assert_string_equal(k.c[0].region, "31.71");
    assert_string_equal(k.c[1].region, "31.72");
    assert_int_equal(k.c[1].k1, 7);
    assert_int_equal(k.c[1].k2, D0 + 3);
    /* by village (13 bytes: the cells themselves, read in key order):
     * each village's cells, in (village, kind, k1, k2) order */
    k = read_kind(s, "31.71", 13, "langkah");
    assert_int_equal(k.n, 7); /* 31.71.01.1001: steps 1-5; .1002: steps 1-2 */
    assert_string_equal(k.c[0].region, "31.71.01.1001");
    assert_int_equal(k.c[0].k1, 1);
    assert_int_equal(k.c[4].k1, 5);
    assert_string_equal(k.c[5].region, "31.71.01.1002");
    assert_int_equal(k.c[5].n, 1);
    assert_int_equal(k.c[6].k1, 2);
    k = read_kind(s, "31.71", 13, NULL);
    for (int i = 1; i < k.n; i++) {
        int o = strcmp(k.c[i - 1].region, k.c[i].region);
        if (o == 0)
            o = strcmp(k.c[i - 1].kind, k.c[i].kind);
        assert_true(o < 0 || (o == 0 && (k.c[i - 1].k1 < k.c[i].k1 ||
                                         (k.c[i - 1].k1 == k.c[i].k1 &&
                                          k.c[i - 1].k2 < k.c[i].k2))));
    }
    /* a person moves to another village: their journey's cells move */
    st_person q;
    st_person_init(&q, 3, 3, "C", "31.71.01.1002");
    q.r.id = p[2].r.id;
    st_insert(s, 1, &q);
    assert_int_equal(count(s, "31.72", "langkah", 1, 0), 0);
    assert_int_equal(count(s, "31.71.01.1002", "langkah", 1, 0), 2);
    assert_int_equal(count(s, "31.71.01.1002", "tenggat", 7, D0 + 3), 2);
    assert_int_equal(differ(s, NULL), 0);
    /* a revocation ends the running deadline */
    b.status = PK_JS_DICABUT;
    b.revoked_at = T0 + 40 * DAY;
    put(s, &b);
    assert_int_equal(count(s, "31.71.01.1002", "tenggat", 7, D0 + 3), 1);
    assert_int_equal(differ(s, NULL), 0);
}

static void journey_verify_names_a_wrong_cell_and_rebuild_repairs_it(void **state)
{
    pk_store *s = ST_S(state);
    st_person p;
    st_person_init(&p, 1, 1, "A", "31.74.01.1001");
    st_insert(s, 1, &p);
    pk_journey j;
    memset(&j, 0, sizeof(j));
    j.participant_id = p.r.id;
    j.status = PK_JS_PENDAFTAR;
    j.wave = 3;
    j.joined_at = T0;
    put(s, &j);
    st_sql(ST_FX(state), "UPDATE journey_count SET n = n + 2 WHERE kind = 'langkah'");
    assert_int_equal(count(s, "31.74", "langkah", 1, 0), 3);
    pk_journey_cell c;
    assert_int_equal(differ(s, &c), 1);
    assert_string_equal(c.region, "31.74.01.1001");
    assert_string_equal(c.kind, "langkah");
    assert_int_equal(c.k1, 1);
    assert_int_equal(c.n, 3);
    assert_int_equal(c.counted, 1);
    st_sql(ST_FX(state), "DELETE FROM journey_count");
    assert_int_equal(differ(s, NULL), 1);
    pk_tx *tx = NULL;
    int64_t written = 0;
    assert_int_equal(pk_store_begin(s, &tx), 0);
    assert_int_equal(pk_tx_journey_counts_rebuild(tx, &written), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    assert_int_equal(written, 1);
    assert_int_equal(differ(s, NULL), 0);
    assert_int_equal(count(s, "31.74", "langkah", 1, 0), 1);
}

/* The sum over a region's villages (a district's prefix read by village
 * cells) of one kind, to compare with the city cells. */
static int64_t village_sum(pk_store *s, const char *city, const char *kind)
{
    /* a city's districts are read from the village cells (child_len 8) */
    cells x = read_kind(s, city, 8, kind);
    int64_t n = 0;
    for (int i = 0; i < x.n; i++)
        n += x.c[i].n;
    return n;
}

static int64_t city_sum(pk_store *s, const char *city, const char *kind)
{
    /* the province by city: the city cells */
    cells x = read_kind(s, "31", 5, kind);
    int64_t n = 0;
    for (int i = 0; i < x.n; i++)
        if (strcmp(x.c[i].region, city) == 0)
            n += x.c[i].n;
    return n;
}

static void city_cells_follow_the_villages(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[4];
    st_person_init(&p[0], 1, 1, "A", "31.74.01.1001");
    st_person_init(&p[1], 2, 2, "B", "31.74.02.1001");
    st_person_init(&p[2], 3, 3, "C", "31.71.01.1001");
    st_person_init(&p[3], 4, 4, "D", "31.71.01.1002");
    st_insert(s, 4, p);
    for (int i = 0; i < 4; i++) {
        pk_journey j;
        memset(&j, 0, sizeof(j));
        j.participant_id = p[i].r.id;
        j.status = i % 2 ? PK_JS_PENDAFTAR : PK_JS_PENERIMA;
        j.wave = 4;
        j.joined_at = T0;
        j.selected_at = i % 2 ? 0 : T0 + (i + 1) * DAY;
        put(s, &j);
    }
    static const char *kinds[] = {"langkah", "hari", "tenggat"};
    for (int k = 0; k < 3; k++) {
        assert_int_equal(city_sum(s, "31.74", kinds[k]), village_sum(s, "31.74", kinds[k]));
        assert_int_equal(city_sum(s, "31.71", kinds[k]), village_sum(s, "31.71", kinds[k]));
    }
    assert_int_equal(count(s, "31", "langkah", 1, 0), 4);
    assert_int_equal(count(s, "31", "langkah", 2, 0), 2);
    assert_int_equal(city_sum(s, "31.74", "langkah"), 3);
    /* a person moves to another city: the city cells move with the village's */
    st_person q;
    st_person_init(&q, 3, 3, "C", "31.74.01.1001");
    q.r.id = p[2].r.id;
    st_insert(s, 1, &q);
    assert_int_equal(city_sum(s, "31.74", "langkah"), 5);
    assert_int_equal(city_sum(s, "31.71", "langkah"), 1);
    assert_int_equal(city_sum(s, "31.74", "tenggat"), village_sum(s, "31.74", "tenggat"));
    assert_int_equal(differ(s, NULL), 0);
    /* a wrong city cell: verify names it (a 5-character region), rebuild
     * repairs it */
    st_sql(ST_FX(state), "UPDATE journey_count_city SET n = n + 4 WHERE kind = 'langkah'"
                         " AND k1 = 1 AND kode_kota = '31.71'");
    assert_int_equal(count(s, "31", "langkah", 1, 0), 8);
    assert_int_equal(count(s, "31.71", "langkah", 1, 0), 1); /* a city: its villages */
    pk_journey_cell c;
    assert_int_equal(differ(s, &c), 1);
    assert_string_equal(c.region, "31.71");
    assert_int_equal(c.n - c.counted, 4);
    pk_tx *tx = NULL;
    int64_t written = 0;
    assert_int_equal(pk_store_begin(s, &tx), 0);
    assert_int_equal(pk_tx_journey_counts_rebuild(tx, &written), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    assert_int_equal(differ(s, NULL), 0);
    assert_int_equal(count(s, "31", "langkah", 1, 0), 4);
}

static int effect_note(void *ctx, const pk_remind_effect_check *c)
{
    (void)c;
    ++*(int *)ctx;
    return 0;
}

/* the effect's counters that differ from a recount */
static int effect_differ(pk_store *s)
{
    int n = 0;
    int64_t compared = -1;
    assert_int_equal(pk_store_remind_effect_verify(s, effect_note, &n, &compared), 0);
    return n;
}

/* The counters' six triggers on pk_journey and the one on participant
 * are in SQLite's schema (PostgreSQL never drops them). */
static void triggers_there(const st_fx *fx)
{
    if (st_pg)
        return;
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open(fx->url, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 10000);
    assert_int_equal(sqlite3_prepare_v2(db,
                                        "SELECT count(*) FROM sqlite_master WHERE type = 'trigger'"
                                        " AND name IN ('journey_count_insert',"
                                        " 'journey_count_delete', 'journey_count_update',"
                                        " 'journey_count_participant',"
                                        " 'remind_effect_journey_insert',"
                                        " 'remind_effect_journey_delete',"
                                        " 'remind_effect_journey_update')",
                                        -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 7);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

/* p[i]'s journey in wave 5, joined i hours after T0, with status st. */
static pk_journey joined_wave5(const st_person *p, unsigned i, pk_journey_status st)
{
    pk_journey j;
    memset(&j, 0, sizeof(j));
    j.participant_id = p[i].r.id;
    j.status = st;
    j.wave = 5;
    j.joined_at = T0 + i * 3600;
    return j;
}

/* A draw's writes (a journey per applicant, most selected or not) with
 * the counters deferred (pk_tx_journey_counts_defer): on SQLite, when the
 * applicants are a large share of the registry, the triggers are dropped
 * and the counters filled once at the end, giving the cells the triggers
 * give (the journeys' and the effect of reminders', a reach row
 * included); a small share keeps the triggers; a commit without the end
 * is refused and a rollback keeps the triggers.  PostgreSQL defers any
 * share (its trigger functions sum the transaction's changes into its own
 * tables, migration 33): there another writer's journey written while the
 * draw is under way is counted too. */
static void journey_counts_deferred_for_a_large_share(void **state)
{
    pk_store *s = ST_S(state);
    enum { N = 12 };
    st_person p[N];
    char name[8];
    for (unsigned i = 0; i < N; i++) {
        snprintf(name, sizeof name, "P%u", i);
        st_person_init(&p[i], 10 + i, 10 + i, name, i % 3 ? "31.71.01.1001" : "31.72.02.1002");
    }
    st_insert(s, N, p);
    /* everyone joined wave 5 (the triggers count them); p0 and p1 had a
     * reminder to join, p1 held out of it */
    pk_tx *tx = NULL;
    assert_int_equal(pk_store_begin(s, &tx), 0);
    for (unsigned i = 0; i < N; i++) {
        pk_journey j = joined_wave5(p, i, PK_JS_PENDAFTAR);
        assert_int_equal(pk_tx_journey_put(tx, &j), 0);
    }
    assert_int_equal(pk_tx_remind_fire_put(tx, p[0].r.id, "gabung_gelombang", 1, 0, -1,
                                           "kirim", "2024-05-30", 0), 0);
    assert_int_equal(pk_tx_remind_fire_put(tx, p[1].r.id, "gabung_gelombang", 1, 0, -1,
                                           "kontrol", "2024-05-30", 0), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    assert_int_equal(differ(s, NULL), 0);
    triggers_there(ST_FX(state));

    /* a small share of the registry: SQLite keeps its triggers (PostgreSQL
     * defers any share) */
    bool on = true;
    assert_int_equal(pk_store_begin(s, &tx), 0);
    assert_int_equal(pk_tx_journey_counts_defer(tx, N / 4 - 1, &on), 0);
    assert_int_equal(on, st_pg);
    assert_int_equal(pk_tx_journey_counts_end(tx), 0);
    pk_tx_rollback(tx);

    /* deferred, then rolled back: the triggers are there again */
    assert_int_equal(pk_store_begin(s, &tx), 0);
    assert_int_equal(pk_tx_journey_counts_defer(tx, N, &on), 0);
    assert_true(on);
    pk_tx_rollback(tx);
    triggers_there(ST_FX(state));

    /* deferred and committed without the end: refused, nothing kept */
    {
        assert_int_equal(pk_store_begin(s, &tx), 0);
        assert_int_equal(pk_tx_journey_counts_defer(tx, N, &on), 0);
        assert_true(on);
        pk_journey j = joined_wave5(p, 2, PK_JS_PENERIMA);
        j.selected_at = T0 + 9 * DAY;
        assert_int_equal(pk_tx_journey_put(tx, &j), 0);
        assert_int_not_equal(pk_tx_commit(tx), 0);
        assert_int_equal(count(s, "31", "langkah", 2, 0), 0);
        triggers_there(ST_FX(state));
    }

    /* the draw: the first half selected (p0 reminded, p1 held out), the
     * rest not; on PostgreSQL the last one's journey is written meanwhile
     * by another transaction, committed before the draw's */
    assert_int_equal(pk_store_begin(s, &tx), 0);
    assert_int_equal(pk_tx_journey_counts_defer(tx, N, &on), 0);
    assert_true(on);
    for (unsigned i = 0; i < N; i++) {
        if (st_pg && i == N - 1) {
            pk_tx *other = NULL;
            pk_journey j = joined_wave5(p, i, PK_JS_TIDAK_LOLOS);
            assert_int_equal(pk_store_begin(s, &other), 0);
            assert_int_equal(pk_tx_journey_put(other, &j), 0);
            assert_int_equal(pk_tx_commit(other), 0);
            continue;
        }
        pk_journey j = joined_wave5(p, i, i < N / 2 ? PK_JS_PENERIMA : PK_JS_TIDAK_LOLOS);
        j.selected_at = i < N / 2 ? T0 + 9 * DAY : 0;
        j.credited = j.balance = i < N / 2 ? 3500000 : 0;
        assert_int_equal(pk_tx_journey_put(tx, &j), 0);
    }
    assert_int_equal(pk_tx_journey_counts_end(tx), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    triggers_there(ST_FX(state));
    assert_int_equal(differ(s, NULL), 0);
    assert_int_equal(effect_differ(s), 0);
    assert_int_equal(count(s, "31", "langkah", 1, 0), N);
    assert_int_equal(count(s, "31", "langkah", 2, 0), N / 2);
    assert_int_equal(count(s, "31", "tenggat", 5, D0 + 9), N / 2);
    assert_int_equal(count(s, "31.72", "langkah", 2, 0), 2); /* p0, p3 */
    /* and the triggers work again: p2 buys */
    pk_journey j = joined_wave5(p, 2, PK_JS_PENERIMA);
    j.selected_at = T0 + 9 * DAY;
    j.first_purchase_at = T0 + 10 * DAY;
    j.purchases = 1;
    put(s, &j);
    assert_int_equal(count(s, "31", "tenggat", 5, D0 + 9), N / 2 - 1);
    assert_int_equal(differ(s, NULL), 0);
    assert_int_equal(effect_differ(s), 0);
}

/* The counters filled from the rows after a deferred draw (on SQLite in
 * C, sqlite_bulk.c's jcounts_fill; on PostgreSQL its triggers' sums) are the
 * facts of sql_funnel.h as the verify recounts them in SQL: journeys
 * drawn at random over every branch (each step reached or not; waits of
 * 0 days, across a WIB midnight, over a year, negative; recipients with
 * and without a purchase, other statuses with a selection), most in one
 * village, written twice (the second fill replaces the first's cells);
 * on SQLite also 30,000 journeys in a thousand waves and eight villages,
 * waits of up to 400 days, more cells than the fill holds at once (it
 * adds them to the table in rounds). */
static uint64_t rnd_state = 88172645463325252ULL;
static int64_t rnd(int64_t n)
{
    rnd_state ^= rnd_state << 13;
    rnd_state ^= rnd_state >> 7;
    rnd_state ^= rnd_state << 17;
    return (int64_t)(rnd_state % (uint64_t)n);
}

/* rounds of n journeys in waves 1..waves, the counters deferred as for a
 * draw of reg applicants (the registry's size: deferred on SQLite) */
static int tally(void *ctx, const pk_journey_cell *c)
{
    (void)c;
    ++*(int64_t *)ctx;
    return 0;
}

static void fill_rounds(pk_store *s, const st_person *p, unsigned n, unsigned reg, int64_t waves,
                        int rounds)
{
    static const pk_journey_status statuses[] = {PK_JS_PENDAFTAR, PK_JS_PENERIMA, PK_JS_PENERIMA,
                                                 PK_JS_TIDAK_LOLOS, PK_JS_DICABUT};
    const int64_t now = (int64_t)time(NULL);
    for (int round = 0; round < rounds; round++) {
        pk_tx *tx = NULL;
        bool on = false;
        int64_t joined = 0, selected = 0, open = 0;
        assert_int_equal(pk_store_begin(s, &tx), 0);
        assert_int_equal(pk_tx_journey_counts_defer(tx, reg, &on), 0);
        assert_true(on);
        for (unsigned i = 0; i < n; i++) {
            pk_journey j;
            memset(&j, 0, sizeof(j));
            j.participant_id = p[i].r.id;
            j.status = statuses[rnd(5)];
            j.wave = 1 + rnd(waves);
            /* around the registration (now): a wait from it may be negative */
            int64_t t = now - 3 * DAY + rnd(40 * DAY);
            int64_t *step[] = {&j.joined_at, &j.selected_at, &j.first_purchase_at,
                               &j.first_completion_at, &j.first_incentive_at};
            for (int k = 0; k < 5; k++) {
                if (rnd(5) == 0)
                    continue; /* this step not reached */
                int64_t wait = waves > 8 ? (rnd(5) == 0 ? -rnd(3 * DAY) : rnd(400 * DAY))
                               : rnd(4) == 0 ? 360 * DAY + rnd(10 * DAY) /* a year, or over */
                               : rnd(4) == 0 ? -rnd(3 * DAY)           /* before the last */
                               : rnd(3) == 0 ? rnd(3600)               /* within the hour */
                                             : rnd(30 * DAY);
                t += wait;
                *step[k] = t > 0 ? t : 1;
            }
            if (j.status == PK_JS_PENERIMA && rnd(3) == 0)
                j.first_purchase_at = 0; /* a deadline running */
            joined += j.joined_at > 0;
            selected += j.selected_at > 0;
            open += j.status == PK_JS_PENERIMA && j.first_purchase_at == 0 && j.selected_at > 0;
            assert_int_equal(pk_tx_journey_put(tx, &j), 0);
        }
        assert_int_equal(pk_tx_journey_counts_end(tx), 0);
        assert_int_equal(pk_tx_commit(tx), 0);
        assert_int_equal(differ(s, NULL), 0);
        assert_int_equal(count(s, "31", "langkah", 1, 0), joined);
        assert_int_equal(count(s, "31", "langkah", 2, 0), selected);
        /* a big round: more village cells than the fill holds at once
         * (2^14, sqlite_bulk.c) */
        int64_t ncells = 0;
        assert_int_equal(pk_store_journey_counts(s, "31", PK_REGION_VILLAGE_LEN, NULL, tally,
                                                 &ncells), 0);
        assert_true(waves <= 8 || ncells > 16384);
        if (waves <= 8) { /* more cells than read here: the verify compared them */
            cells x = read_kind(s, "31", 0, "tenggat");
            int64_t sum = 0;
            for (int i = 0; i < x.n; i++)
                sum += x.c[i].n;
            assert_int_equal(sum, open);
        }
        assert_true(count(s, "31", "hari", 3, PK_FUNNEL_DAYS_MAX) > 0);
        assert_true(count(s, "31", "hari", 3, 360) > 0);
        assert_true(count(s, "31", "hari", 2, 0) > 0);
    }
}

static void journey_counts_filled_are_the_facts(void **state)
{
    pk_store *s = ST_S(state);
    enum { N = 700, BIG = 30000 };
    static st_person p[BIG];
    static const char *const villages[] = {"31.71.01.1001", "31.71.01.1002", "31.72.02.1002",
                                           "31.74.01.1001", "31.72.01.1001", "31.71.02.1001",
                                           "31.74.02.1001", "31.72.01.1002"};
    char name[16];
    unsigned n = st_pg ? N : BIG;
    for (unsigned i = 0; i < n; i++) {
        snprintf(name, sizeof name, "R%u", i);
        /* the first 700 mostly in one village, the rest in eight */
        st_person_init(&p[i], 100 + i, 100 + i, name,
                       villages[i >= N ? i % 8 : i % 10 < 8 ? 0 : 1 + i % 2]);
    }
    st_insert(s, n, p);
    fill_rounds(s, p, N, n, 4, 2);
    if (!st_pg)
        fill_rounds(s, p, BIG, n, 1000, 1);
}

static const struct CMUnitTest tests[] = {
    ST_TEST(journey_counters_follow_every_write),
    ST_TEST(journey_verify_names_a_wrong_cell_and_rebuild_repairs_it),
    ST_TEST(city_cells_follow_the_villages),
    ST_TEST(journey_counts_deferred_for_a_large_share),
    ST_TEST(journey_counts_filled_are_the_facts),
};
const st_division st_funnel = {tests, sizeof(tests) / sizeof(tests[0])};
