/* test_remind.c -- reminders: consent (consent_set, consent_get): a stop
 * kept once, a start that removes it, purposes and people apart, and an
 * unknown purpose refused by the database.  (The history and its
 * append-only triggers are read back by tests/http/test_remind.py.) */
#include "store_test.h"

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

static const struct CMUnitTest tests[] = {
    ST_TEST(consent_stop_and_start),
};
const st_division st_remind = {tests, sizeof(tests) / sizeof(tests[0])};
