/* test_purchase.c -- unit tests of the platforms' trainings in the
 * journey (core/purchase.c): references from the idempotency key, one
 * purchase's state from the events, which operation it allows, and the
 * certificate and review checks. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/purchase.h"

static void test_ref(void **state)
{
    (void)state;
    char ref[PK_EVENT_REF_MAX], again[PK_EVENT_REF_MAX];
    pk_purchase_ref("tokopedia", "order-1", ref);
    assert_string_equal(ref, "pf:tokopedia:order-1");
    char key[65];
    memset(key, 'k', 64);
    key[64] = '\0';
    pk_purchase_ref("tokopedia", key, ref);
    assert_int_equal(strlen(ref), 64);
    assert_memory_equal(ref, "pf:tokopedia:~", 14);
    pk_purchase_ref("tokopedia", key, again);
    assert_string_equal(ref, again);
    key[63] = 'j';
    pk_purchase_ref("tokopedia", key, again);
    assert_string_not_equal(ref, again);
    /* a code of 32 characters still leaves 29 hex digits */
    pk_purchase_ref("abcdefghijabcdefghijabcdefghij12", key, ref);
    assert_int_equal(strlen(ref), 64);
}

static pk_event ev(pk_event_type t, const char *ref, const char *ref_asal, const char *platform)
{
    pk_event e;
    memset(&e, 0, sizeof(e));
    e.source = PK_SRC_LOKAL;
    e.type = t;
    strcpy(e.ref, ref);
    strcpy(e.ref_asal, ref_asal);
    strcpy(e.platform, platform);
    return e;
}

static void test_state_and_checks(void **state)
{
    (void)state;
    pk_event e[4] = {
        ev(PK_EV_PEMBELIAN, "p1", "", "toko"),
        ev(PK_EV_PEMBELIAN, "p2", "", "toko"),
        ev(PK_EV_SELESAI_PELATIHAN, "c1", "p1", "toko"),
        ev(PK_EV_PEMBATALAN, "x2", "p2", "toko"),
    };
    pk_purchase_state st;
    pk_purchase_find(e, 4, "p9", &st);
    assert_null(st.purchase);
    assert_int_equal(pk_purchase_check(&st, "toko", PK_PURCHASE_CANCEL),
                     PK_C_PEMBELIAN_TIDAK_DIKENAL);
    pk_purchase_find(e, 2, "p1", &st);
    assert_int_equal(pk_purchase_check(&st, "toko", PK_PURCHASE_CANCEL), PK_C__COUNT);
    assert_int_equal(pk_purchase_check(&st, "lain", PK_PURCHASE_CANCEL),
                     PK_C_PEMBELIAN_TIDAK_DIKENAL);
    assert_int_equal(pk_purchase_check(&st, "toko", PK_PURCHASE_REVIEW), PK_C_BELUM_SELESAI);
    pk_purchase_find(e, 4, "p1", &st);
    assert_true(st.completed && !st.cancelled && !st.reviewed);
    assert_int_equal(pk_purchase_check(&st, "toko", PK_PURCHASE_CANCEL), PK_C_SUDAH_SELESAI);
    assert_int_equal(pk_purchase_check(&st, "toko", PK_PURCHASE_COMPLETE), PK_C_SUDAH_SELESAI);
    assert_int_equal(pk_purchase_check(&st, "toko", PK_PURCHASE_REVIEW), PK_C__COUNT);
    st.reviewed = true;
    assert_int_equal(pk_purchase_check(&st, "toko", PK_PURCHASE_REVIEW), PK_C_SUDAH_DIULAS);
    pk_purchase_find(e, 4, "p2", &st);
    assert_true(st.cancelled);
    assert_int_equal(pk_purchase_check(&st, "toko", PK_PURCHASE_COMPLETE),
                     PK_C_SUDAH_DIBATALKAN);
    /* a pmo event with the same ref is another event */
    e[0].source = PK_SRC_PMO;
    pk_purchase_find(e, 4, "p1", &st);
    assert_null(st.purchase);
}

static void test_certificate_and_review(void **state)
{
    (void)state;
    assert_true(pk_certificate_valid("SERT/2026/0001"));
    assert_false(pk_certificate_valid(""));
    assert_false(pk_certificate_valid("a b"));
    char long_cert[66];
    memset(long_cert, 'x', 65);
    long_cert[65] = '\0';
    assert_false(pk_certificate_valid(long_cert));
    char note[PK_EVENT_NOTE_MAX];
    assert_true(pk_review_note(5, "Bagus", note, sizeof(note)));
    assert_string_equal(note, "5/5 Bagus");
    assert_true(pk_review_note(1, "", note, sizeof(note)));
    assert_string_equal(note, "1/5");
    assert_false(pk_review_note(0, "x", note, sizeof(note)));
    assert_false(pk_review_note(6, "x", note, sizeof(note)));
    assert_false(pk_review_note(3, "baris\nbaru", note, sizeof(note)));
    assert_false(pk_review_note(3, "\xff", note, sizeof(note)));
    assert_false(pk_review_note(3, "bagus \xe2\x80\xae", note, sizeof(note)));  /* U+202E */
    assert_false(pk_review_note(3, "baris\xe2\x80\xa8" "baru", note, sizeof(note))); /* U+2028 */
    assert_true(pk_review_note(3, "bagus \xe2\x80\x94 jelas", note, sizeof(note))); /* a dash */
    /* more that is not seen (an outside re-test): a soft hyphen, a Hangul
     * filler, a tag character (hidden text), U+206E; an emoji's U+FE0F
     * stays */
    assert_false(pk_review_note(3, "ba\xc2\xad" "gus", note, sizeof(note)));
    assert_false(pk_review_note(3, "\xe3\x85\xa4", note, sizeof(note)));
    assert_false(pk_review_note(3, "x\xf3\xa0\x81\x81", note, sizeof(note)));
    assert_false(pk_review_note(3, "\xe2\x81\xae" "ab", note, sizeof(note)));
    assert_true(pk_review_note(3, "mantap \xe2\x9d\xa4\xef\xb8\x8f", note, sizeof(note)));
    char text[400];
    memset(text, 0, sizeof(text));
    for (int i = 0; i < 190; i++)
        memcpy(text + 2 * i, "\xc3\xa9", 2); /* 190 characters, 380 bytes */
    assert_true(pk_review_note(4, text, note, sizeof(note)));
    text[380] = 'x';
    assert_false(pk_review_note(4, text, note, sizeof(note)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ref),
        cmocka_unit_test(test_state_and_checks),
        cmocka_unit_test(test_certificate_and_review),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
