/* test_remind.c -- reminders: consent (consent_set, consent_get): a stop
 * kept once, a start that removes it, purposes and people apart, and an
 * unknown purpose refused by the database; the effect of reminders
 * (remind_effect) grouped from recorded fires and journeys, its counters
 * kept through every kind of write, verified and rebuilt; the history
 * of consent newest first (its append-only triggers are checked by
 * tests/http/test_remind.py); the outbox's receipts and replies
 * (outbox_find, outbox_latest_to, outbox_receipt, inbound_once). */
#include "store_test.h"

#include <stdio.h>
#include <string.h>

static void person(pk_store *s, st_person *p, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        st_person_init(&p[i], 700 + i, 700 + i, "Warga", "31.71.01.1001");
    st_insert(s, n, p);
}

static void consent_stop_and_start(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[2];
    person(s, p, 2);
    bool changed = false, stopped = true;
    char since[32] = "x";
    assert_int_equal(pk_store_consent_get(s, p[0].r.id, "program", &stopped, since), 0);
    assert_false(stopped);
    assert_string_equal(since, "");

    pk_tx *tx = NULL;
    assert_int_equal(pk_store_begin(s, &tx), 0);
    assert_int_equal(pk_tx_consent_set(tx, p[0].r.id, "program", true, "staff", "cli:a",
                                       &changed), 0);
    assert_true(changed);
    /* again in the same transaction: nothing changes */
    assert_int_equal(pk_tx_consent_set(tx, p[0].r.id, "program", true, "sms", "cli:a",
                                       &changed), 0);
    assert_false(changed);
    assert_int_equal(pk_tx_consent_set(tx, p[1].r.id, "informasi", false, "staff", "cli:a",
                                       &changed), 0);
    assert_false(changed); /* never stopped */
    assert_int_equal(pk_tx_commit(tx), 0);

    assert_int_equal(pk_store_consent_get(s, p[0].r.id, "program", &stopped, since), 0);
    assert_true(stopped);
    assert_int_equal(strlen(since), 24); /* 2026-12-06T03:00:00.000Z */
    assert_int_equal(pk_store_consent_get(s, p[0].r.id, "informasi", &stopped, since), 0);
    assert_false(stopped);

    assert_int_equal(pk_store_begin(s, &tx), 0);
    assert_int_equal(pk_tx_consent_set(tx, p[0].r.id, "program", false, "whatsapp", "webhook",
                                       &changed), 0);
    assert_true(changed);
    assert_int_equal(pk_tx_commit(tx), 0);
    assert_int_equal(pk_store_consent_get(s, p[0].r.id, "program", &stopped, since), 0);
    assert_false(stopped);
    assert_string_equal(since, "");

    /* an unknown purpose is refused by the database; nothing is kept */
    assert_int_equal(pk_store_begin(s, &tx), 0);
    assert_int_not_equal(pk_tx_consent_set(tx, p[1].r.id, "semua", true, "staff", "cli:a",
                                           &changed),
                         0);
    pk_tx_rollback(tx);
    assert_int_equal(pk_store_consent_get(s, p[1].r.id, "semua", &stopped, since), 0);
    assert_false(stopped);
}

typedef struct eff_row {
    char rule[32];
    bool sent, held, revoked;
    int64_t days, n;
} eff_row;
typedef struct eff_got {
    eff_row rows[16];
    size_t n;
} eff_got;

static int eff_cb(void *ctx, const pk_remind_effect_row *r)
{
    eff_got *g = ctx;
    assert_true(g->n < 16);
    eff_row *e = &g->rows[g->n++];
    snprintf(e->rule, sizeof e->rule, "%s", r->rule);
    e->sent = r->sent;
    e->held = r->held;
    e->revoked = r->revoked;
    e->days = r->days;
    e->n = r->n;
    return 0;
}

static void journey(pk_tx *tx, int64_t pid, pk_journey_status st, int64_t selected,
                    int64_t bought)
{
    pk_journey j;
    memset(&j, 0, sizeof j);
    j.participant_id = pid;
    j.status = st;
    j.selected_at = selected;
    j.first_purchase_at = bought;
    assert_int_equal(pk_tx_journey_put(tx, &j), 0);
}

static void effect_groups_fires_by_person_and_rule(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[5];
    person(s, p, 4);
    st_person_init(&p[4], 704, 704, "Warga", "31.72.01.1001");
    st_insert(s, 1, &p[4]);
    const int64_t sel = 1600000000, day = 86400;
    pk_tx *tx = NULL;
    assert_int_equal(pk_store_begin(s, &tx), 0);
    /* 0: reminded twice (one fire deferred), bought after 10 days */
    journey(tx, p[0].r.id, PK_JS_PENERIMA, sel, sel + 10 * day + 5);
    assert_int_equal(pk_tx_remind_fire_put(tx, p[0].r.id, "beli_pelatihan", 1, 0, -14,
                                           "ditunda", "2020-09-01", 0), 0);
    assert_int_equal(pk_tx_remind_fire_put(tx, p[0].r.id, "beli_pelatihan", 1, 0, -7,
                                           "kirim", "2020-09-02", 1), 0);
    /* 1: held out, revoked, never bought */
    journey(tx, p[1].r.id, PK_JS_DICABUT, sel, 0);
    assert_int_equal(pk_tx_remind_fire_put(tx, p[1].r.id, "beli_pelatihan", 1, 0, -14,
                                           "kontrol", "2020-09-01", 0), 0);
    /* 2: only cancelled fires: not reminded; bought after 3 days */
    journey(tx, p[2].r.id, PK_JS_PENERIMA, sel, sel + 3 * day);
    assert_int_equal(pk_tx_remind_fire_put(tx, p[2].r.id, "beli_pelatihan", 1, 0, -14,
                                           "dibatalkan", "2020-09-01", 0), 0);
    assert_int_equal(pk_tx_remind_fire_put(tx, p[2].r.id, "isi_survei", 1, 1, -3,
                                           "kirim", "2020-09-01", 2), 0);
    /* 3: a fire but no selection (not a recipient): left out */
    journey(tx, p[3].r.id, PK_JS_TERDAFTAR, 0, 0);
    assert_int_equal(pk_tx_remind_fire_put(tx, p[3].r.id, "gabung_gelombang", 1, 0, -1,
                                           "kirim", "2020-09-01", 3), 0);
    /* 4: in 31.72, reminded */
    journey(tx, p[4].r.id, PK_JS_PENERIMA, sel, 0);
    assert_int_equal(pk_tx_remind_fire_put(tx, p[4].r.id, "beli_pelatihan", 1, 0, -14,
                                           "kirim", "2020-09-01", 4), 0);
    assert_int_equal(pk_tx_commit(tx), 0);

    eff_got g = {0};
    assert_int_equal(pk_store_remind_effect(s, "", eff_cb, &g), 0);
    assert_int_equal(g.n, 5);
    /* (rule, sent, held, revoked, days) order */
    eff_row want[] = {
        {"beli_pelatihan", false, false, false, 3, 1},
        {"beli_pelatihan", false, true, true, -1, 1},
        {"beli_pelatihan", true, false, false, -1, 1},
        {"beli_pelatihan", true, false, false, 10, 1},
        {"isi_survei", true, false, false, 3, 1},
    };
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(g.rows[i].rule, want[i].rule);
        assert_int_equal(g.rows[i].sent, want[i].sent);
        assert_int_equal(g.rows[i].held, want[i].held);
        assert_int_equal(g.rows[i].revoked, want[i].revoked);
        assert_int_equal(g.rows[i].days, want[i].days);
        assert_int_equal(g.rows[i].n, want[i].n);
    }
    /* a region's people only */
    memset(&g, 0, sizeof g);
    assert_int_equal(pk_store_remind_effect(s, "31.72", eff_cb, &g), 0);
    assert_int_equal(g.n, 1);
    assert_true(g.rows[0].sent);
    assert_int_equal(g.rows[0].days, -1);
    memset(&g, 0, sizeof g);
    assert_int_equal(pk_store_remind_effect(s, "31.73", eff_cb, &g), 0);
    assert_int_equal(g.n, 0);
}

typedef struct eff_diff {
    int64_t n;
} eff_diff;

static int diff_cb(void *ctx, const pk_remind_effect_check *c)
{
    ((eff_diff *)ctx)->n++;
    fprintf(stderr, "differs: %s %s sent=%d held=%d revoked=%d days=%lld kept=%lld counted=%lld\n",
            c->region, c->row.rule, c->row.sent, c->row.held, c->row.revoked,
            (long long)c->row.days, (long long)c->row.n, (long long)c->counted);
    return 0;
}

/* The counters agree with a recount of the fires and journeys. */
static int64_t effect_differ(pk_store *s, int64_t *cells)
{
    eff_diff d = {0};
    assert_int_equal(pk_store_remind_effect_verify(s, diff_cb, &d, cells), 0);
    return d.n;
}

/* The effect's counters (sql_remind_effect.h) follow every kind of write
 * that moves them: a fire's status, a journey's revocation, selection
 * and first purchase, a person's village, a journey deleted and written
 * again; a corrupted cell is found by verify and mended by rebuild. */
static void effect_counters_follow_every_write(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[3];
    person(s, p, 3);
    const int64_t sel = 1600000000, day = 86400;
    int64_t cells = 0;
    pk_tx *tx = NULL;
    assert_int_equal(pk_store_begin(s, &tx), 0);
    journey(tx, p[0].r.id, PK_JS_PENERIMA, sel, 0);
    assert_int_equal(pk_tx_remind_fire_put(tx, p[0].r.id, "beli_pelatihan", 1, 0, -14,
                                           "ditunda", "2020-09-01", 0), 0);
    journey(tx, p[1].r.id, PK_JS_PENDAFTAR, 0, 0);
    assert_int_equal(pk_tx_remind_fire_put(tx, p[1].r.id, "gabung_gelombang", 1, 0, -1,
                                           "kirim", "2020-09-01", 0), 0);
    journey(tx, p[2].r.id, PK_JS_PENERIMA, sel, 0);
    assert_int_equal(pk_tx_remind_fire_put(tx, p[2].r.id, "beli_pelatihan", 1, 0, -14,
                                           "kontrol", "2020-09-01", 0), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    assert_int_equal(effect_differ(s, &cells), 0);
    assert_int_equal(cells, 2); /* p0 not reminded yet, p2 held out; p1 not selected */

    /* the deferred fire is sent the next day; p1 is selected; p2 revoked */
    assert_int_equal(pk_store_begin(s, &tx), 0);
    assert_int_equal(pk_tx_remind_fire_put(tx, p[0].r.id, "beli_pelatihan", 1, 0, -14,
                                           "kirim", "2020-09-02", 7), 0);
    journey(tx, p[1].r.id, PK_JS_PENERIMA, sel + day, 0);
    journey(tx, p[2].r.id, PK_JS_DICABUT, sel, 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    assert_int_equal(effect_differ(s, &cells), 0);
    eff_got g = {0};
    assert_int_equal(pk_store_remind_effect(s, "", eff_cb, &g), 0);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.rows[0].rule, "beli_pelatihan"); /* held out, revoked */
    assert_true(g.rows[0].held && g.rows[0].revoked && !g.rows[0].sent);
    assert_true(g.rows[1].sent && !g.rows[1].revoked && g.rows[1].days == -1); /* p0 */
    assert_string_equal(g.rows[2].rule, "gabung_gelombang");                   /* p1 */

    /* p0 buys after 4 days; p1 moves to another city */
    assert_int_equal(pk_store_begin(s, &tx), 0);
    journey(tx, p[0].r.id, PK_JS_PENERIMA, sel, sel + 4 * day + 60);
    assert_int_equal(pk_tx_commit(tx), 0);
    char sql[160];
    snprintf(sql, sizeof sql, "UPDATE participant SET kode_wilayah = '31.72.01.1001' WHERE id = %lld",
             (long long)p[1].r.id);
    st_sql(ST_FX(state), sql);
    assert_int_equal(effect_differ(s, &cells), 0);
    memset(&g, 0, sizeof g);
    assert_int_equal(pk_store_remind_effect(s, "31.72", eff_cb, &g), 0);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.rows[0].rule, "gabung_gelombang");
    memset(&g, 0, sizeof g);
    assert_int_equal(pk_store_remind_effect(s, "31.71", eff_cb, &g), 0);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.rows[1].days, 4);

    /* a journey deleted (as a rebuild of the journeys does) and written again */
    snprintf(sql, sizeof sql, "DELETE FROM pk_journey WHERE participant_id = %lld",
             (long long)p[0].r.id);
    st_sql(ST_FX(state), sql);
    assert_int_equal(effect_differ(s, &cells), 0);
    memset(&g, 0, sizeof g);
    assert_int_equal(pk_store_remind_effect(s, "31.71", eff_cb, &g), 0);
    assert_int_equal(g.n, 1); /* p0 has no journey: not counted */
    assert_int_equal(pk_store_begin(s, &tx), 0);
    journey(tx, p[0].r.id, PK_JS_PENERIMA, sel, sel + 4 * day + 60);
    assert_int_equal(pk_tx_commit(tx), 0);
    assert_int_equal(effect_differ(s, &cells), 0);
    assert_int_equal(cells, 3);

    /* a corrupted cell: verify finds it, rebuild mends it */
    st_sql(ST_FX(state), "UPDATE remind_effect_count SET n = n + 2 WHERE rule = 'gabung_gelombang' AND n > 0");
    assert_int_equal(effect_differ(s, &cells), 1);
    assert_int_equal(pk_store_begin(s, &tx), 0);
    int64_t rebuilt = 0;
    assert_int_equal(pk_tx_remind_effect_rebuild(tx, &rebuilt), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    assert_int_equal(rebuilt, 3);
    assert_int_equal(effect_differ(s, &cells), 0);
    /* and the triggers still run after a rebuild */
    assert_int_equal(pk_store_begin(s, &tx), 0);
    journey(tx, p[1].r.id, PK_JS_DICABUT, sel + day, 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    assert_int_equal(effect_differ(s, &cells), 0);
    memset(&g, 0, sizeof g);
    assert_int_equal(pk_store_remind_effect(s, "31.72", eff_cb, &g), 0);
    assert_true(g.n == 1 && g.rows[0].revoked);
}

typedef struct subj_got {
    char region[8][PK_REGION_CODE_MAX];
    int64_t id[8];
    size_t n;
} subj_got;

static int subj_cb(void *ctx, const pk_prow *row, const pk_journey *j)
{
    (void)j;
    subj_got *g = ctx;
    assert_true(g->n < 8);
    snprintf(g->region[g->n], sizeof g->region[0], "%s", row->kode_wilayah);
    g->id[g->n++] = row->id;
    return 0;
}

/* Pages of subjects_by_region, two at a time, as the plan walks them. */
static void walk_region(pk_store *s, const char *scope, bool everyone, subj_got *all)
{
    memset(all, 0, sizeof *all);
    char after_region[PK_REGION_CODE_MAX] = "";
    int64_t after = 0;
    for (int pages = 0; pages < 10; pages++) {
        subj_got g = {0};
        size_t n = 0;
        assert_int_equal(pk_store_remind_subjects_by_region(s, scope, everyone, after_region,
                                                            after, 2, subj_cb, &g, &n), 0);
        assert_int_equal(n, g.n);
        for (size_t i = 0; i < g.n; i++) {
            snprintf(all->region[all->n], sizeof all->region[0], "%s", g.region[i]);
            all->id[all->n++] = g.id[i];
        }
        if (n < 2)
            return;
        snprintf(after_region, sizeof after_region, "%s", g.region[g.n - 1]);
        after = g.id[g.n - 1];
    }
    fail_msg("the walk did not end");
}

typedef struct mark_got {
    int64_t fire_of[8], stop_of[8];
    size_t fires, stops;
} mark_got;

static int mark_cb(void *ctx, const pk_remind_mark *m)
{
    mark_got *g = ctx;
    if (m->kind == PK_RM_FIRE)
        g->fire_of[g->fires++] = m->participant_id;
    else if (m->kind == PK_RM_STOP)
        g->stop_of[g->stops++] = m->participant_id;
    return 0;
}

/* A plan of one region reads its people through the region index, in
 * (village, id) order page after page, and their marks by a list of ids:
 * the region's people exactly once, those with a journey unless everyone
 * is asked for, and the marks of exactly the ids given. */
static void subjects_by_region_and_marks_of_ids(void **state)
{
    pk_store *s = ST_S(state);
    static const char *village[6] = {"31.71.01.1002", "31.71.01.1001", "31.72.01.1001",
                                     "31.71.01.1001", "31.71.01.1002", "31.71.01.1001"};
    st_person p[6];
    for (unsigned i = 0; i < 6; i++)
        st_person_init(&p[i], 800 + i, 800 + i, "Warga", village[i]);
    st_insert(s, 6, p);
    pk_tx *tx = NULL;
    assert_int_equal(pk_store_begin(s, &tx), 0);
    bool changed;
    for (unsigned i = 0; i < 6; i++)
        if (i != 3) /* p3 has no journey */
            journey(tx, p[i].r.id, PK_JS_PENERIMA, 1600000000, 0);
    for (unsigned i = 0; i < 6; i++)
        assert_int_equal(pk_tx_remind_fire_put(tx, p[i].r.id, "beli_pelatihan", 1, 0, -14,
                                               "kirim", "2020-09-01", 0), 0);
    assert_int_equal(pk_tx_consent_set(tx, p[4].r.id, "program", true, "staff", "cli:a",
                                       &changed), 0);
    assert_int_equal(pk_tx_consent_set(tx, p[2].r.id, "program", true, "staff", "cli:a",
                                       &changed), 0);
    assert_int_equal(pk_tx_commit(tx), 0);

    subj_got all;
    walk_region(s, "31.71", true, &all);
    assert_int_equal(all.n, 5); /* not p2, in 31.72 */
    const int want[5] = {1, 3, 5, 0, 4}; /* 1001 by id, then 1002 by id */
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(all.id[i], p[want[i]].r.id);
        assert_string_equal(all.region[i], village[want[i]]);
    }
    walk_region(s, "31.71", false, &all);
    assert_int_equal(all.n, 4); /* p3 has no journey */
    assert_int_equal(all.id[0], p[1].r.id);
    assert_int_equal(all.id[1], p[5].r.id);
    walk_region(s, "31.71.01.1002", true, &all);
    assert_int_equal(all.n, 2);
    assert_int_equal(all.id[0], p[0].r.id);
    assert_int_equal(all.id[1], p[4].r.id);

    int64_t ids[3] = {p[4].r.id, p[1].r.id, p[5].r.id};
    mark_got g = {0};
    assert_int_equal(pk_store_remind_marks_of(s, ids, 3, "2020-01-01", mark_cb, &g), 0);
    assert_int_equal(g.fires, 3);
    for (size_t i = 0; i < g.fires; i++)
        assert_true(g.fire_of[i] == ids[0] || g.fire_of[i] == ids[1] || g.fire_of[i] == ids[2]);
    assert_int_equal(g.stops, 1); /* p4's, not p2's */
    assert_int_equal(g.stop_of[0], p[4].r.id);
}

static void consent_history_newest_first(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[2];
    person(s, p, 2);
    bool changed = false;
    pk_tx *tx = NULL;
    assert_int_equal(pk_store_begin(s, &tx), 0);
    assert_int_equal(pk_tx_consent_set(tx, p[0].r.id, "program", true, "whatsapp",
                                       "warga:balasan", &changed), 0);
    assert_int_equal(pk_tx_consent_set(tx, p[0].r.id, "program", true, "sms", "x", &changed),
                     0); /* nothing changes: nothing kept */
    assert_int_equal(pk_tx_consent_set(tx, p[1].r.id, "informasi", true, "staff", "cli:a",
                                       &changed), 0);
    assert_int_equal(pk_tx_consent_set(tx, p[0].r.id, "program", false, "sms",
                                       "warga:balasan", &changed), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    pk_consent_change_row rows[4];
    size_t n = 9;
    assert_int_equal(pk_store_consent_changes(s, p[0].r.id, 4, rows, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].purpose, "program");
    assert_false(rows[0].stopped);
    assert_string_equal(rows[0].channel, "sms");
    assert_string_equal(rows[0].actor, "warga:balasan");
    assert_true(rows[1].stopped);
    assert_string_equal(rows[1].channel, "whatsapp");
    assert_int_equal(strlen(rows[1].at), 24);
    assert_int_equal(pk_store_consent_changes(s, p[0].r.id, 1, rows, &n), 0);
    assert_int_equal(n, 1);
    assert_false(rows[0].stopped); /* the newest */
    assert_int_equal(pk_store_consent_changes(s, 999999, 4, rows, &n), 0);
    assert_int_equal(n, 0);
}

static int64_t queue(pk_tx *tx, int64_t pid, const char *rule, const char *day)
{
    pk_outbox_msg m;
    memset(&m, 0, sizeof m);
    m.participant_id = pid;
    snprintf(m.rule, sizeof m.rule, "%s", rule);
    m.anchor = 1;
    snprintf(m.day, sizeof m.day, "%s", day);
    m.send_at = 100;
    snprintf(m.channel, sizeof m.channel, "whatsapp");
    snprintf(m.vars, sizeof m.vars, "{}");
    bool added = false;
    assert_int_equal(pk_tx_outbox_add(tx, &m, &added), 0);
    assert_true(added);
    return m.id;
}

/* Receipts and replies: a message found by its gateway id on its channel
 * and by the number it went to (the newest), receipts kept once, inbound
 * messages recorded once. */
static void outbox_receipts_and_replies(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[2];
    person(s, p, 2);
    pk_tx *tx = NULL;
    assert_int_equal(pk_store_begin(s, &tx), 0);
    int64_t a = queue(tx, p[0].r.id, "beli_pelatihan", "2021-03-18");
    int64_t b = queue(tx, p[1].r.id, "gabung_gelombang", "2021-03-18");
    int64_t c = queue(tx, p[1].r.id, "beli_pelatihan", "2021-03-19");
    assert_int_equal(pk_tx_commit(tx), 0);
    pk_outbox_msg rows[4];
    size_t n = 0;
    assert_int_equal(pk_store_begin(s, &tx), 0);
    assert_int_equal(pk_tx_outbox_due(tx, 1000, 4, rows, &n), 0);
    assert_int_equal(n, 3);
    for (size_t i = 0; i < n; i++) {
        assert_false(rows[i].has_to);
        assert_int_equal(rows[i].delivered_at, 0);
        assert_int_equal(rows[i].read_at, 0);
    }
    /* handed over: a, b to one number (a shared phone), c to another; c by SMS */
    uint8_t one[PK_BI_LEN], two[PK_BI_LEN], none[PK_BI_LEN];
    st_bi(one, 'h', 1);
    st_bi(two, 'h', 2);
    st_bi(none, 'h', 3);
    for (size_t i = 0; i < n; i++) {
        pk_outbox_msg *m = &rows[i];
        snprintf(m->state, sizeof m->state, "terkirim");
        m->has_to = true;
        memcpy(m->to_bi, m->id == a || m->id == b ? one : two, PK_BI_LEN);
        snprintf(m->provider_id, sizeof m->provider_id, "wamid.%lld", (long long)m->id);
        if (m->id == c)
            snprintf(m->channel, sizeof m->channel, "sms");
        assert_int_equal(pk_tx_outbox_set(tx, m), 0);
    }
    assert_int_equal(pk_tx_commit(tx), 0);

    pk_outbox_msg got;
    char ref[32];
    assert_int_equal(pk_store_begin(s, &tx), 0);
    snprintf(ref, sizeof ref, "wamid.%lld", (long long)a);
    assert_int_equal(pk_tx_outbox_find(tx, "whatsapp", ref, &got), 0);
    assert_int_equal(got.id, a);
    assert_int_equal(got.participant_id, p[0].r.id);
    assert_true(got.has_to);
    assert_memory_equal(got.to_bi, one, PK_BI_LEN);
    snprintf(ref, sizeof ref, "wamid.%lld", (long long)c);
    assert_int_equal(pk_tx_outbox_find(tx, "whatsapp", ref, &got), PK_ENOENT); /* an SMS */
    assert_int_equal(pk_tx_outbox_find(tx, "sms", ref, &got), 0);
    assert_int_equal(got.id, c);
    assert_int_equal(pk_tx_outbox_find(tx, "whatsapp", "wamid.tidak-ada", &got), PK_ENOENT);
    assert_int_equal(pk_tx_outbox_latest_to(tx, one, &got), 0);
    assert_int_equal(got.id, b); /* the newest to that number */
    assert_int_equal(pk_tx_outbox_latest_to(tx, two, &got), 0);
    assert_int_equal(got.id, c);
    assert_int_equal(pk_tx_outbox_latest_to(tx, none, &got), PK_ENOENT);

    /* receipts: the first instants kept */
    bool changed = false;
    assert_int_equal(pk_tx_outbox_receipt(tx, a, 5000, 0, &changed), 0);
    assert_true(changed);
    assert_int_equal(pk_tx_outbox_receipt(tx, a, 6000, 0, &changed), 0);
    assert_false(changed);
    assert_int_equal(pk_tx_outbox_receipt(tx, a, 6000, 7000, &changed), 0);
    assert_true(changed);
    assert_int_equal(pk_tx_outbox_receipt(tx, a, 0, 8000, &changed), 0);
    assert_false(changed);
    assert_int_equal(pk_tx_outbox_receipt(tx, 999999, 1, 1, &changed), 0);
    assert_false(changed);

    /* inbound once */
    bool fresh = false;
    assert_int_equal(pk_tx_inbound_once(tx, "whatsapp", "wamid.masuk1", &fresh), 0);
    assert_true(fresh);
    assert_int_equal(pk_tx_inbound_once(tx, "whatsapp", "wamid.masuk1", &fresh), 0);
    assert_false(fresh);
    assert_int_equal(pk_tx_inbound_once(tx, "sms", "wamid.masuk1", &fresh), 0);
    assert_true(fresh); /* another channel's */
    assert_int_equal(pk_tx_commit(tx), 0);

    assert_int_equal(pk_store_outbox_of(s, p[0].r.id, 4, rows, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].delivered_at, 5000);
    assert_int_equal(rows[0].read_at, 7000);
    /* to_bi cleared by a write without it */
    assert_int_equal(pk_store_begin(s, &tx), 0);
    rows[0].has_to = false;
    assert_int_equal(pk_tx_outbox_set(tx, &rows[0]), 0);
    assert_int_equal(pk_tx_outbox_latest_to(tx, one, &got), 0);
    assert_int_equal(got.id, b);
    assert_int_equal(pk_tx_commit(tx), 0);
    assert_int_equal(pk_store_outbox_of(s, p[0].r.id, 4, rows, &n), 0);
    assert_false(rows[0].has_to);
    assert_int_equal(rows[0].delivered_at, 5000); /* outbox_set leaves receipts alone */
}

static const struct CMUnitTest tests[] = {
    ST_TEST(consent_stop_and_start),
    ST_TEST(consent_history_newest_first),
    ST_TEST(outbox_receipts_and_replies),
    ST_TEST(effect_groups_fires_by_person_and_rule),
    ST_TEST(effect_counters_follow_every_write),
    ST_TEST(subjects_by_region_and_marks_of_ids),
};
const st_division st_remind = {tests, sizeof(tests) / sizeof(tests[0])};
