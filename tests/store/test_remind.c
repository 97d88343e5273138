/* test_remind.c -- reminders: consent (consent_set, consent_get): a stop
 * kept once, a start that removes it, purposes and people apart, and an
 * unknown purpose refused by the database; the effect of reminders
 * (remind_effect) grouped from recorded fires and journeys.  (The history
 * and its append-only triggers are read back by
 * tests/http/test_remind.py.) */
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

static const struct CMUnitTest tests[] = {
    ST_TEST(consent_stop_and_start),
    ST_TEST(effect_groups_fires_by_person_and_rule),
};
const st_division st_remind = {tests, sizeof(tests) / sizeof(tests[0])};
