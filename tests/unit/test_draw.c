/* test_draw.c -- unit tests of the draw (core/draw.c) and of card numbers
 * (core/card.c).  The SHA-256 vectors were computed independently with
 * Python's hashlib; the worked example is the one of docs/DRAW.md (whose
 * table tests/http/test_draw_doc.py checks against tools/verify_draw.py). */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/card.h"
#include "core/draw.h"
#include "core/pk.h"

#define DOC_SEED "9b60164b21a9bf9cc1446a7194d7db64e724c042981b6f4bbd67a897bcf80126"

static void test_seed_parse(void **state)
{
    (void)state;
    uint8_t seed[32];
    assert_int_equal(pk_draw_seed_parse(DOC_SEED, seed), 0);
    assert_int_equal(seed[0], 0x9b);
    assert_int_equal(seed[31], 0x26);
    char hex[65];
    pk_draw_hex(seed, hex);
    assert_string_equal(hex, DOC_SEED);
    /* upper case is the same seed */
    uint8_t up[32];
    assert_int_equal(pk_draw_seed_parse(
        "9B60164B21A9BF9CC1446A7194D7DB64E724C042981B6F4BBD67A897BCF80126", up), 0);
    assert_memory_equal(seed, up, 32);
    static const char *bad[] = {
        "", "9b", DOC_SEED "0", /* 65 digits */
        "9b60164b21a9bf9cc1446a7194d7db64e724c042981b6f4bbd67a897bcf8012",  /* 63 */
        "9b60164b21a9bf9cc1446a7194d7db64e724c042981b6f4bbd67a897bcf8012g",
        " 9b60164b21a9bf9cc1446a7194d7db64e724c042981b6f4bbd67a897bcf8012",
        "0x60164b21a9bf9cc1446a7194d7db64e724c042981b6f4bbd67a897bcf80126",
    };
    for (size_t i = 0; i < PK_ARRAY_LEN(bad); i++)
        assert_int_equal(pk_draw_seed_parse(bad[i], seed), PK_EINVAL);
    assert_int_equal(pk_draw_seed_parse(NULL, seed), PK_EINVAL);
}

typedef struct rank_case {
    const char *seed, *nik, *rank;
} rank_case;

static const rank_case rank_cases[] = {
    {"0000000000000000000000000000000000000000000000000000000000000000", "3171010101900001",
     "513b7a8bd06f4cc54164e80e04ab5d9214af549296a50740ceb85856d210d80e"},
    {"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", "3171010101900001",
     "9facc978be35a8622d3fae23e6e044902b94e3c1e95dc5c1dccb8b72133803aa"},
    {DOC_SEED, "3171014101900001", "1d6440d8372ae27b3e0bea466639551c6e5bff7fd69e55c1b980fe5e47c6289b"},
    {DOC_SEED, "3171015502950002", "a17d827aae437ed1f85bd7c7ad25cd929b5f4034fa8418f62bcd6cb32c46f397"},
    {DOC_SEED, "3171016708920003", "3403bf64e1d7e8dd497e29af1335ca56cc066507c6eb433554f27d776b8b9029"},
    {DOC_SEED, "3172012304880004", "26128da138407cf73cff7408bb19cb62c37908009052856f22dd9d0f5941fc9d"},
    {DOC_SEED, "3172014609910005", "958b076f14f6357ba64f94ea24df83f5b1ca8cf7ddf7f0b87a0503261a255e1b"},
    {DOC_SEED, "3173011010850006", "4e75042781b86c1d8987647608d13e19673d0410f99d8a8962a51d29066194a6"},
    {DOC_SEED, "3174012507000007", "3e8b313f83e6ab75885024650baa448378fd764071b30bbb2125f2abe07c246b"},
    {DOC_SEED, "3175013112990008", "745a4c0dd5297155adf2de72da9c551674b743ba78d523201e2e634f8b5481b7"},
    {DOC_SEED, "3175015203870009", "46d8bfa430eef3d22ba4c73aae44b1e052d9be759ed636a94dd20a7702e62ed8"},
};

static void test_rank_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < PK_ARRAY_LEN(rank_cases); i++) {
        uint8_t seed[32], rank[32];
        char hex[65];
        assert_int_equal(pk_draw_seed_parse(rank_cases[i].seed, seed), 0);
        pk_draw_rank(seed, rank_cases[i].nik, rank);
        pk_draw_hex(rank, hex);
        assert_string_equal(hex, rank_cases[i].rank);
    }
}

/* The worked example of docs/DRAW.md: quota 4, regency 31.71 limited to
 * 1, kk_max 2, family Y already has a recipient of an earlier wave,
 * 3173011010850006 on the prioritas list, 3174012507000007 ineligible
 * (not in the walk). */
enum { R7171, R_NONE = PK_DRAW_NONE };
enum { FX, FY, FZ, FU, FW };
typedef struct doc_app {
    const char *nik;
    uint32_t region, family;
    uint8_t tier;
    int want;            /* pk_draw_outcome */
    int pos;             /* 1-based place in the walk's order */
} doc_app;

static const doc_app doc_apps[] = {
    {"3171014101900001", R7171, FX, 1, PK_DRAW_LOLOS, 2},
    {"3171015502950002", R7171, FX, 1, PK_DRAW_KUOTA_GELOMBANG, 8},
    {"3171016708920003", R7171, FX, 1, PK_DRAW_KUOTA_WILAYAH, 4},
    {"3172012304880004", R_NONE, FY, 1, PK_DRAW_LOLOS, 3},
    {"3172014609910005", R_NONE, FZ, 1, PK_DRAW_KUOTA_GELOMBANG, 7},
    {"3173011010850006", R_NONE, FW, 0, PK_DRAW_LOLOS, 1},
    {"3175013112990008", R_NONE, FU, 1, PK_DRAW_LOLOS, 6},
    {"3175015203870009", R_NONE, FY, 1, PK_DRAW_KUOTA_KK, 5},
};

static void test_doc_example(void **state)
{
    (void)state;
    uint8_t seed[32];
    assert_int_equal(pk_draw_seed_parse(DOC_SEED, seed), 0);
    size_t n = PK_ARRAY_LEN(doc_apps);
    pk_draw_entry e[PK_ARRAY_LEN(doc_apps)];
    for (size_t i = 0; i < n; i++) {
        memset(&e[i], 0, sizeof e[i]);
        pk_draw_rank(seed, doc_apps[i].nik, e[i].rank);
        e[i].id = (uint32_t)i;
        e[i].region = doc_apps[i].region;
        e[i].family = doc_apps[i].family;
        e[i].tier = doc_apps[i].tier;
    }
    pk_draw_sort(e, n);
    int64_t regq[1] = {1};
    uint32_t fam[5] = {[FY] = 1};
    pk_draw_quotas q = {.overall = 4, .region = regq, .n_region = 1, .kk_max = 2,
                        .family = fam, .n_family = 5};
    assert_int_equal(pk_draw_walk(e, n, &q), 4);
    for (size_t i = 0; i < n; i++) {
        const doc_app *a = &doc_apps[e[i].id];
        assert_int_equal(a->pos, (int)i + 1);
        assert_int_equal(e[i].outcome, a->want);
    }
    assert_int_equal(fam[FY], 2);
    assert_int_equal(fam[FX], 1);
    assert_int_equal(pk_draw_outcome_code(PK_DRAW_KUOTA_KK), PK_C_KUOTA_KK_PENUH);
    assert_string_equal(pk_code_name(pk_draw_outcome_code(PK_DRAW_KUOTA_GELOMBANG)),
                        "kuota_gelombang_penuh");
    assert_string_equal(pk_code_name(pk_draw_outcome_code(PK_DRAW_KUOTA_WILAYAH)),
                        "kuota_wilayah_penuh");

    /* the digests over every applicant (the ineligible one too), NIK order */
    static const struct { const char *nik; bool sel; } all[] = {
        {"3171014101900001", true}, {"3171015502950002", false},
        {"3171016708920003", false}, {"3172012304880004", true},
        {"3172014609910005", false}, {"3173011010850006", true},
        {"3174012507000007", false}, {"3175013112990008", true},
        {"3175015203870009", false},
    };
    pk_draw_digest d;
    pk_draw_digest_init(&d);
    for (size_t i = 0; i < PK_ARRAY_LEN(all); i++)
        pk_draw_digest_add(&d, all[i].nik, all[i].sel);
    uint8_t snap[32], res[32];
    char hex[65];
    pk_draw_digest_final(&d, snap, res);
    pk_draw_hex(snap, hex);
    assert_string_equal(hex, "2f224e45a5662a162009069e5ffda28e446d33b6dbaf7587c0c712021d45bcc2");
    pk_draw_hex(res, hex);
    assert_string_equal(hex, "e904b3ab6357fb6c0ca0cb5ae5927785ed6f9349623c3d7ba9f63d83ed7c862f");
}

static void test_walk_limits(void **state)
{
    (void)state;
    enum { N = 10 };
    pk_draw_entry e[N];
    uint32_t fam[1] = {0};
    for (int i = 0; i < N; i++) {
        memset(&e[i], 0, sizeof e[i]);
        e[i].rank[0] = (uint8_t)(N - i);   /* reverse order of id */
        e[i].id = (uint32_t)i;
        e[i].region = PK_DRAW_NONE;
        e[i].family = 0;                   /* one big family */
        e[i].tier = 1;
    }
    pk_draw_sort(e, N);
    assert_int_equal(e[0].id, N - 1);
    /* kk_max 0: no limit */
    pk_draw_quotas q = {.overall = 100, .kk_max = 0, .family = fam, .n_family = 1};
    assert_int_equal(pk_draw_walk(e, N, &q), N);
    /* kk_max 3 with one earlier recipient: two more */
    fam[0] = 1;
    q.kk_max = 3;
    assert_int_equal(pk_draw_walk(e, N, &q), 2);
    assert_int_equal(e[0].outcome, PK_DRAW_LOLOS);
    assert_int_equal(e[2].outcome, PK_DRAW_KUOTA_KK);
    /* overall quota 0: nobody, every reason the wave's quota */
    fam[0] = 0;
    q.overall = 0;
    assert_int_equal(pk_draw_walk(e, N, &q), 0);
    for (int i = 0; i < N; i++)
        assert_int_equal(e[i].outcome, PK_DRAW_KUOTA_GELOMBANG);
    /* an index out of range is refused */
    e[3].family = 7;
    q.overall = 5;
    assert_int_equal(pk_draw_walk(e, N, &q), PK_EINVAL);
    /* tier 0 comes first whatever its rank */
    e[3].family = 0;
    e[N - 1].tier = 0;
    memset(e[N - 1].rank, 0xff, 32);
    pk_draw_sort(e, N);
    assert_int_equal(e[0].tier, 0);
    assert_int_equal(sizeof(pk_draw_entry), 48);
}

static const uint8_t K1[PK_CARD_KEY_LEN] = "kunci-kartu-satu", K2[PK_CARD_KEY_LEN] = "kunci-kartu-dua!";

static void test_card(void **state)
{
    (void)state;
    /* classic Luhn vectors */
    assert_int_equal(pk_card_luhn("7992739871", 10), '3');
    assert_true(pk_card_valid("4539578763621486"));
    assert_false(pk_card_valid("4539578763621487"));
    assert_false(pk_card_valid("453957876362148"));
    assert_false(pk_card_valid("45395787636214866"));
    assert_false(pk_card_valid("453957876362148a"));
    assert_false(pk_card_valid(NULL));
    char card[PK_CARD_LEN + 1];
    assert_int_equal(pk_card_make("123456", K1, 0, card), 0);
    assert_int_equal(strlen(card), 16);
    assert_memory_equal(card, "123456", 6);
    assert_true(pk_card_valid(card));
    assert_int_equal(pk_card_make("12345", K1, 0, card), PK_EINVAL);
    assert_int_equal(pk_card_make("12345a", K1, 0, card), PK_EINVAL);
    assert_int_equal(pk_card_make("123456", K1, PK_CARD_SERIAL_MAX, card), PK_EINVAL);
    assert_int_equal(pk_card_make("123456", K1, PK_CARD_SERIAL_MAX - 1, card), 0);
    assert_true(pk_card_valid(card));
    /* a single changed digit is always caught */
    assert_int_equal(pk_card_make("123456", K1, 42, card), 0);
    for (int i = 0; i < 16; i++) {
        char c = card[i];
        card[i] = (char)('0' + (c - '0' + 1) % 10);
        assert_false(pk_card_valid(card));
        card[i] = c;
    }
    /* the spread does not repeat over the first million serials, and
     * consecutive serials are far apart */
    enum { M = 1000000 };
    uint8_t *seen = calloc(PK_CARD_SERIAL_MAX / 8, 1);
    assert_non_null(seen);
    for (uint64_t s = 0; s < M; s++) {
        uint64_t v = pk_card_spread(K1, s);
        assert_true(v < PK_CARD_SERIAL_MAX);
        assert_false(seen[v / 8] & (1u << (v % 8)));
        seen[v / 8] |= (uint8_t)(1u << (v % 8));
    }
    free(seen);
    uint64_t a = pk_card_spread(K1, 1), b = pk_card_spread(K1, 2);
    assert_true((a > b ? a - b : b - a) > 1000);
    /* keyed: the same serials under another key give other numbers (an
     * outside test walked the serials of a public spread), and no affine
     * map of the serial gives them: the steps between consecutive serials
     * differ */
    int same = 0;
    for (uint64_t s = 0; s < 1000; s++)
        same += pk_card_spread(K1, s) == pk_card_spread(K2, s);
    assert_true(same <= 1);
    uint64_t d1 = (pk_card_spread(K1, 2) + PK_CARD_SERIAL_MAX - pk_card_spread(K1, 1)) %
                  PK_CARD_SERIAL_MAX,
             d2 = (pk_card_spread(K1, 3) + PK_CARD_SERIAL_MAX - pk_card_spread(K1, 2)) %
                  PK_CARD_SERIAL_MAX;
    assert_true(d1 != d2);
    /* the first release's numbers */
    for (uint64_t s = 0; s < 100000; s += 997) {
        assert_int_equal(pk_card_make_v1("990031", s, card), 0);
        assert_true(pk_card_valid(card));
    }
    assert_int_equal(pk_card_make_v1("990031", 0, card), 0);
    assert_string_equal(card + 6, "2094576312"); /* 209457631, Luhn digit by Python h.luhn */
    /* the spread stays what it was: numbers issued are looked up and never
     * issued again under the same function, and a changed one would give
     * a new serial an old card's number (values recorded from the keyed
     * spread of fe1f272) */
    assert_int_equal(pk_card_make("123456", K1, 42, card), 0);
    assert_string_equal(card, "1234562336577130");
    assert_int_equal(pk_card_make("990031", K1, 0, card), 0);
    assert_string_equal(card, "9900311376632629");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_parse),
        cmocka_unit_test(test_rank_vectors),
        cmocka_unit_test(test_doc_example),
        cmocka_unit_test(test_walk_limits),
        cmocka_unit_test(test_card),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
