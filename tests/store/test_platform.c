/* test_platform.c -- the store contract of the platform API's writes
 * inside a transaction (a request's nonce, the answer kept for its
 * idempotency key), the forgetting of old answers, and the card number
 * look-up, on the backend under test. */
#include "store_test.h"

#include <stdio.h>
#include <string.h>

#include "store/store_impl.h"

static pk_tx *begin(pk_store *s)
{
    pk_tx *tx = NULL;
    assert_int_equal(pk_store_begin(s, &tx), 0);
    return tx;
}

static int64_t platform(pk_store *s, const char *code)
{
    pk_platform p;
    memset(&p, 0, sizeof(p));
    snprintf(p.code, sizeof(p.code), "%s", code);
    snprintf(p.name, sizeof(p.name), "Platform %s", code);
    memcpy(p.secret, "sealed", 6);
    p.secret_len = 6;
    int64_t id = 0;
    assert_int_equal(pk_store_platform_insert(s, &p, NULL, &id), 0);
    return id;
}

/* A nonce is recorded once per platform (another platform may use the
 * same one); one seen before forget_before is forgotten; a rollback
 * forgets what the transaction recorded. */
static void nonces_in_a_transaction(void **state)
{
    pk_store *s = ST_S(state);
    int64_t a = platform(s, "satu"), b = platform(s, "dua");
    pk_tx *tx = begin(s);
    assert_int_equal(pk_tx_platform_nonce(tx, a, "n-1", 1000, 400), 0);
    assert_int_equal(pk_tx_platform_nonce(tx, a, "n-1", 1001, 401), PK_ECONFLICT);
    assert_int_equal(pk_tx_platform_nonce(tx, b, "n-1", 1001, 401), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    tx = begin(s);
    assert_int_equal(pk_tx_platform_nonce(tx, a, "n-2", 1100, 500), 0);
    pk_tx_rollback(tx);
    tx = begin(s);
    assert_int_equal(pk_tx_platform_nonce(tx, a, "n-2", 1100, 500), 0);
    /* n-1 was seen at 1000: forgotten once the window passes it */
    assert_int_equal(pk_tx_platform_nonce(tx, a, "n-1", 1700, 1001), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
}

/* The first answer kept for a key stays; the second put says so
 * (*kept 0); keys are per platform; get inside the transaction sees its
 * own put. */
static void answers_in_a_transaction(void **state)
{
    pk_store *s = ST_S(state);
    int64_t a = platform(s, "tiga"), b = platform(s, "empat");
    uint8_t d1[PK_IDEM_DIGEST_LEN], d2[PK_IDEM_DIGEST_LEN], got[PK_IDEM_DIGEST_LEN];
    memset(d1, 1, sizeof(d1));
    memset(d2, 2, sizeof(d2));
    pk_buf body;
    pk_buf_init(&body, 4096);
    int status = 0, kept = -1;
    pk_tx *tx = begin(s);
    assert_int_equal(pk_tx_idem_get(tx, a, "k", got, &status, &body), PK_ENOENT);
    assert_int_equal(pk_tx_idem_put(tx, a, "k", d1, 201, "{\"a\":1}", 7, &kept), 0);
    assert_int_equal(kept, 1);
    assert_int_equal(pk_tx_idem_get(tx, a, "k", got, &status, &body), 0);
    assert_int_equal(status, 201);
    assert_memory_equal(got, d1, sizeof(d1));
    assert_int_equal(body.len, 7);
    assert_memory_equal(body.data, "{\"a\":1}", 7);
    assert_int_equal(pk_tx_idem_put(tx, a, "k", d2, 409, "x", 1, &kept), 0);
    assert_int_equal(kept, 0);
    assert_int_equal(pk_tx_idem_put(tx, b, "k", d2, 409, "", 0, &kept), 0);
    assert_int_equal(kept, 1);
    assert_int_equal(pk_tx_commit(tx), 0);
    pk_buf_reset(&body);
    tx = begin(s);
    assert_int_equal(pk_tx_idem_get(tx, a, "k", got, &status, &body), 0);
    assert_int_equal(status, 201);
    assert_memory_equal(got, d1, sizeof(d1));
    pk_buf_reset(&body);
    assert_int_equal(pk_tx_idem_get(tx, b, "k", got, &status, &body), 0);
    assert_int_equal(status, 409);
    assert_int_equal(body.len, 0);
    pk_tx_rollback(tx);
    pk_buf_free(&body);
}

/* Answers kept before an instant are forgotten, a bounded slice at a
 * time, oldest first; later ones stay. */
static void old_answers_pruned_in_slices(void **state)
{
    pk_store *s = ST_S(state);
    int64_t a = platform(s, "lima");
    uint8_t d[PK_IDEM_DIGEST_LEN];
    memset(d, 7, sizeof(d));
    pk_tx *tx = begin(s);
    char key[16];
    int kept;
    for (int i = 0; i < 5; i++) {
        snprintf(key, sizeof(key), "k%d", i);
        assert_int_equal(pk_tx_idem_put(tx, a, key, d, 200, "{}", 2, &kept), 0);
    }
    assert_int_equal(pk_tx_commit(tx), 0);
    int64_t n = -1;
    /* every answer was kept after 2000-01-01 */
    assert_int_equal(pk_store_idem_prune(s, "2000-01-01T00:00:00.000Z", 10, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(pk_store_idem_prune(s, "2999-01-01T00:00:00.000Z", 2, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(pk_store_idem_prune(s, "2999-01-01T00:00:00.000Z", 10, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(pk_store_idem_prune(s, "2999-01-01T00:00:00.000Z", 10, &n), 0);
    assert_int_equal(n, 0);
}

/* A card number names its holder; another number, nobody; in a
 * transaction, which sees its own cards too.  A reissue keeps the old
 * number, which still names the holder but as retired, and is never
 * given again; a card's number changes no other way. */
static void card_find_by_number(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[2];
    st_person_init(&p[0], 601, 601, "Pemegang", "31.71.01.1001");
    st_person_init(&p[1], 602, 602, "Lain", "31.71.01.1001");
    st_insert(s, 2, p);
    pk_tx *tx = begin(s);
    assert_int_equal(pk_tx_card_insert(tx, p[1].r.id, 2, 5, "9900310000000025", 300), 0);
    assert_int_equal(pk_tx_card_insert(tx, p[0].r.id, 2, 6, "9900310000000033", 300), 0);
    int64_t who = 0;
    bool retired = true;
    assert_int_equal(pk_tx_card_find(tx, "9900310000000033", &who, &retired), 0);
    assert_int_equal(who, p[0].r.id);
    assert_false(retired);
    assert_int_equal(pk_tx_card_find(tx, "9900310000000025", &who, &retired), 0);
    assert_int_equal(who, p[1].r.id);
    assert_int_equal(pk_tx_card_find(tx, "9900310000000017", &who, &retired), PK_ENOENT);
    assert_int_equal(pk_tx_card_find(tx, "", &who, &retired), PK_ENOENT);
    pk_tx_rollback(tx);
    tx = begin(s);
    assert_int_equal(pk_tx_card_find(tx, "9900310000000033", &who, &retired), PK_ENOENT);
    assert_int_equal(pk_tx_card_insert(tx, p[0].r.id, 2, 6, "9900310000000033", 300), 0);
    assert_int_equal(pk_tx_card_insert(tx, p[1].r.id, 2, 5, "9900310000000025", 300), 0);
    /* the cards by holder, a page at a time */
    pk_card_new page[2];
    size_t n = 9;
    assert_int_equal(pk_tx_cards_page(tx, 0, 1, page, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(page[0].participant_id, p[0].r.id);
    assert_int_equal(page[0].serial, 6);
    assert_string_equal(page[0].number, "9900310000000033");
    assert_int_equal(pk_tx_cards_page(tx, page[0].participant_id, 2, page, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(page[0].participant_id, p[1].r.id);
    assert_int_equal(pk_tx_cards_page(tx, p[1].r.id, 2, page, &n), 0);
    assert_int_equal(n, 0);
    /* reissued: the old number retired, the card renumbered */
    pk_card_new c = {.participant_id = p[0].r.id, .serial = 7, .number = "9900310000000041"};
    assert_int_equal(pk_tx_card_reissue(tx, &c, 1700000000), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    char card[17] = "";
    int64_t wave = 0, replaced = -1;
    assert_int_equal(pk_store_card_get(s, p[0].r.id, card, &wave, &replaced), 0);
    assert_string_equal(card, "9900310000000041");
    assert_int_equal(wave, 2);
    assert_int_equal(replaced, 1700000000);
    assert_int_equal(pk_store_card_get(s, p[1].r.id, card, &wave, &replaced), 0);
    assert_int_equal(replaced, 0);
    tx = begin(s);
    assert_int_equal(pk_tx_card_find(tx, "9900310000000033", &who, &retired), 0);
    assert_int_equal(who, p[0].r.id);
    assert_true(retired);
    assert_int_equal(pk_tx_card_find(tx, "9900310000000041", &who, &retired), 0);
    assert_false(retired);
    pk_tx_rollback(tx);
    /* a retired number or serial is never given again by a reissue (a
     * new card's number the issuer looks up: app/cards.c) */
    pk_card_new again[] = {
        {.participant_id = p[1].r.id, .serial = 8, .number = "9900310000000033"},
        {.participant_id = p[1].r.id, .serial = 6, .number = "9900310000000058"},
        {.participant_id = p[0].r.id, .serial = 9, .number = "9900310000000025"},
    };
    for (size_t i = 0; i < 3; i++) {
        tx = begin(s);
        assert_int_not_equal(pk_tx_card_reissue(tx, &again[i], 1700000001), 0);
        pk_tx_rollback(tx);
    }
}

/* A course by (platform, course id), in a transaction (which sees its
 * own writes) and out of one. */
static void course_find_in_and_out_of_a_transaction(void **state)
{
    pk_store *s = ST_S(state);
    pk_course c;
    memset(&c, 0, sizeof(c));
    strcpy(c.platform, "tokopedia");
    strcpy(c.course_ref, "TP-9");
    strcpy(c.title, "Kelas Uji");
    strcpy(c.provider, "LPK Uji");
    strcpy(c.mode, "webinar");
    c.price = 750000;
    pk_tx *tx = begin(s);
    int outcome = -1;
    assert_int_equal(pk_tx_course_put(tx, &c, &outcome), 0);
    pk_course got;
    assert_int_equal(pk_tx_course_find(tx, "tokopedia", "TP-9", &got), 0);
    assert_string_equal(got.title, "Kelas Uji");
    assert_string_equal(got.provider, "LPK Uji");
    assert_int_equal(got.price, 750000);
    assert_int_equal(pk_tx_course_find(tx, "pijarmahir", "TP-9", &got), PK_ENOENT);
    assert_int_equal(pk_tx_commit(tx), 0);
    assert_int_equal(pk_store_course_find(s, "tokopedia", "TP-9", &got), 0);
    assert_int_equal(got.price, 750000);
    assert_string_equal(got.mode, "webinar");
}

static const struct CMUnitTest tests[] = {
    ST_TEST(nonces_in_a_transaction),
    ST_TEST(answers_in_a_transaction),
    ST_TEST(old_answers_pruned_in_slices),
    ST_TEST(card_find_by_number),
    ST_TEST(course_find_in_and_out_of_a_transaction),
};
const st_division st_platform = {tests, sizeof(tests) / sizeof(tests[0])};
