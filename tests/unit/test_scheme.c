/* test_scheme.c -- unit tests of the scheme file reader (core/scheme.c):
 * the real data/schemes.ini value by value, and malformed files. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pk.h"
#include "core/scheme.h"

#ifndef PK_TEST_DATADIR
#error "PK_TEST_DATADIR must name the data directory"
#endif

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        size_t n = fread(buf + len, 1, cap - len - 1, f);
        len += n;
        if (n == 0)
            break;
    }
    fclose(f);
    buf[len] = '\0';
    return buf;
}

typedef struct want_scheme {
    const char *id, *name;
    int wave_first, wave_last;
    pk_rupiah balance, incentive;
    int months;
    pk_rupiah survey;
    int surveys, deadline, min_age, max_age, kk_max;
    unsigned lists;
    int open, fill, pay;
    pk_rupiah total;
} want_scheme;

#define BANSOS (PK_LIST_DTKS | PK_LIST_BSU | PK_LIST_BPUM)
#define ALWAYS (PK_LIST_DAFTAR_HITAM | PK_LIST_PENERIMA_SEBELUMNYA)

static const want_scheme want[] = {
    {"2020", "Skema 2020 (gelombang 1-11)", 1, 11, 1000000, 600000, 4, 50000, 3, 30, 18, 0, 0,
     ALWAYS, 30, 30, 14, 3550000},
    {"2021", "Skema 2021 (gelombang 12-22)", 12, 22, 1000000, 600000, 4, 50000, 3, 30, 18, 0,
     2, BANSOS | ALWAYS, 30, 30, 14, 3550000},
    {"2022", "Skema 2022 semi-bansos (gelombang 23-47)", 23, 47, 1000000, 600000, 4, 50000, 3,
     30, 18, 0, 2, BANSOS | ALWAYS, 30, 30, 14, 3550000},
    {"2023", "Skema Normal 2023 (gelombang 48 dst.)", 48, 0, 3500000, 600000, 1,
     50000, 2, 15, 18, 64, 2, ALWAYS, 30, 30, 14, 4200000},
};

static void test_real_file(void **state)
{
    (void)state;
    char *text = read_file(PK_TEST_DATADIR "/schemes.ini");
    pk_schemes s;
    char err[256] = "x";
    int r = pk_schemes_parse(text, &s, err, sizeof err);
    if (r != 0)
        fail_msg("%s", err);
    assert_string_equal(err, "");
    assert_int_equal(s.count, PK_ARRAY_LEN(want));
    assert_string_equal(s.current, "2023");
    assert_ptr_equal(pk_schemes_current(&s), pk_schemes_find(&s, "2023"));
    assert_null(pk_schemes_find(&s, "2019"));
    assert_null(pk_schemes_find(&s, "general"));
    /* a wave number names its scheme: 12-22 is 2021, 48 and on 2023 */
    assert_string_equal(pk_schemes_for_wave(&s, 1)->id, "2020");
    assert_string_equal(pk_schemes_for_wave(&s, 12)->id, "2021");
    assert_string_equal(pk_schemes_for_wave(&s, 22)->id, "2021");
    assert_string_equal(pk_schemes_for_wave(&s, 23)->id, "2022");
    assert_string_equal(pk_schemes_for_wave(&s, 4800)->id, "2023");
    assert_null(pk_schemes_for_wave(&s, 0));
    for (size_t i = 0; i < PK_ARRAY_LEN(want); i++) {
        const want_scheme *w = &want[i];
        const pk_scheme *sc = pk_schemes_find(&s, w->id);
        assert_non_null(sc);
        assert_ptr_equal(sc, &s.items[i]); /* file order kept */
        assert_string_equal(sc->name, w->name);
        assert_int_equal(sc->wave_first, w->wave_first);
        assert_int_equal(sc->wave_last, w->wave_last);
        assert_int_equal(sc->training_balance, w->balance);
        assert_int_equal(sc->incentive, w->incentive);
        assert_int_equal(sc->incentive_months, w->months);
        assert_int_equal(sc->survey_incentive, w->survey);
        assert_int_equal(sc->survey_count, w->surveys);
        assert_int_equal(sc->purchase_deadline_days, w->deadline);
        assert_int_equal(sc->min_age, w->min_age);
        assert_int_equal(sc->max_age, w->max_age);
        assert_int_equal(sc->kk_max, w->kk_max);
        assert_int_equal(sc->exclusion_lists, w->lists);
        assert_int_equal(sc->survey_open_days, w->open);
        assert_int_equal(sc->survey_fill_days, w->fill);
        assert_int_equal(sc->survey_pay_days, w->pay);
        assert_int_equal(pk_scheme_total(sc), w->total);
    }
    /* the programme's cut-off: 2020's balances lapsed on 15 Dec 2020,
     * 2021's (waves 12-22) on 30 Nov 2021 (domain.md); 2022 and 2023 have
     * none in the file */
    assert_string_equal(pk_schemes_find(&s, "2020")->balance_until, "2020-12-15");
    assert_string_equal(pk_schemes_find(&s, "2021")->balance_until, "2021-11-30");
    assert_string_equal(pk_schemes_find(&s, "2023")->balance_until, "");
    free(text);
}

static void test_lists(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        unsigned bit;
    } t[] = {{"dtks", PK_LIST_DTKS}, {"bsu", PK_LIST_BSU}, {"bpum", PK_LIST_BPUM},
             {"daftar_hitam", PK_LIST_DAFTAR_HITAM},
             {"penerima_sebelumnya", PK_LIST_PENERIMA_SEBELUMNYA}};
    for (size_t i = 0; i < PK_ARRAY_LEN(t); i++) {
        assert_int_equal(pk_list_by_name(t[i].name), t[i].bit);
        assert_string_equal(pk_list_name(t[i].bit), t[i].name);
    }
    assert_int_equal(pk_list_by_name("DTKS"), 0);
    assert_int_equal(pk_list_by_name(""), 0);
    assert_int_equal(pk_list_by_name("pkh"), 0);
    assert_null(pk_list_name(0));
    assert_null(pk_list_name(PK_LIST_DTKS | PK_LIST_BSU));
}

/* A valid file of one scheme; each bad case changes one thing. */
#define GENERAL "[general]\ncurrent = x1\n"
#define KEYS_A                                                                           \
    "name = Skema X\nwaves = 1-5\ntraining_balance = 1000000\nincentive = 600000\n"      \
    "incentive_months = 4\nsurvey_incentive = 50000\nsurvey_count = 3\n"               \
    "purchase_deadline_days = 30\nmin_age = 18\n"
#define KEYS_B                                                                           \
    "max_age = 0\nkk_max = 2\nexclusion_lists = dtks daftar_hitam\n"                    \
    "survey_open_days = 30\nsurvey_fill_days = 30\nsurvey_pay_days = 14\n"
#define VALID GENERAL "\n[x1]\n" KEYS_A KEYS_B

typedef struct ini_case {
    const char *label;
    const char *text;
    const char *err; /* NULL: must parse; else a substring of the message */
} ini_case;

static const ini_case ini_cases[] = {
    {"valid", VALID, NULL},
    {"valid, comments and bom", "\xEF\xBB\xBF; c\n" VALID "; end\n", NULL},
    {"valid, crlf", "[general]\r\ncurrent = x1\r\n[x1]\r\nname = a\r\nwaves = 1-\r\n"
     "training_balance = 1\r\nincentive = 1\r\nincentive_months = 1\r\nsurvey_incentive = 1\r\n"
     "survey_count = 1\r\npurchase_deadline_days = 1\r\nmin_age = 1\r\nmax_age = 0\r\n"
     "kk_max = 0\r\nexclusion_lists = \r\nsurvey_open_days = 1\r\nsurvey_fill_days = 1\r\n"
     "survey_pay_days = 1\r\n", NULL},
    {"missing key", GENERAL "[x1]\n" KEYS_A "max_age = 0\nexclusion_lists = dtks\n"
     "survey_open_days = 30\nsurvey_fill_days = 30\nsurvey_pay_days = 14\n",
     "line 4: scheme [x1] lacks key 'kk_max'"},
    {"junk after number", GENERAL "[x1]\n" KEYS_A "max_age = 0x\n" KEYS_B,
     "line 13: [x1] max_age: '0x' is not a whole"},
    {"negative number", VALID "[x2]\n" KEYS_A "max_age = -1\n", "'-1' is not a whole"},
    {"plus sign", VALID "[x2]\nmin_age = +18\n", "'+18' is not a whole"},
    {"decimal amount", VALID "[x2]\nincentive = 600000.50\n", "'600000.50' is not a whole"},
    {"empty number", VALID "[x2]\nincentive =\n", "'' is not a whole"},
    {"huge number", VALID "[x2]\nincentive = 99999999999999999999\n", "not a whole"},
    {"out of range", VALID "[x2]\nincentive_months = 5000\n", "out of range"},
    {"unknown list", GENERAL "[x1]\n" KEYS_A "exclusion_lists = dtks pkh\n",
     "line 13: [x1] exclusion_lists: unknown list 'pkh'"},
    /* prioritas is the draw's tier, not an exclusion */
    {"prioritas is no exclusion list", GENERAL "[x1]\n" KEYS_A "exclusion_lists = dtks prioritas\n",
     "line 13: [x1] exclusion_lists: unknown list 'prioritas'"},
    {"unknown key", GENERAL "[x1]\n" KEYS_A "min_umur = 18\n", "line 13: [x1] unknown key 'min_umur'"},
    {"bad cut-off", VALID "balance_until = 2020-02-30\n", "balance_until: '2020-02-30' is not a date"},
    {"cut-off not a day", VALID "balance_until = 2020-12\n", "'2020-12' is not a date"},
    {"cut-off twice", VALID "balance_until = 2020-12-15\nbalance_until = 2020-12-16\n",
     "balance_until given twice"},
    {"duplicate key", VALID "min_age = 17\n", "min_age given twice"},
    {"continuation line", GENERAL "[x1]\nname = a\n  b\n", "line 5: [x1] name given twice"},
    {"bad current", "[general]\ncurrent = 2030\n[x1]\n" KEYS_A KEYS_B,
     "current names scheme '2030', which is not defined"},
    {"missing current", "[x1]\n" KEYS_A KEYS_B, "current is missing"},
    {"unknown general key", "[general]\ncurent = x1\n", "line 2: [general] unknown key 'curent'"},
    {"bad waves", GENERAL "[x1]\nname = a\nwaves = 5-1\n", "line 5: [x1] waves: '5-1'"},
    {"waves without dash", GENERAL "[x1]\nname = a\nwaves = 5\n", "waves: '5'"},
    {"wave zero", GENERAL "[x1]\nname = a\nwaves = 0-3\n", "waves: '0-3'"},
    {"overlapping waves", VALID "[x2]\n" KEYS_A KEYS_B, "waves of scheme [x2] overlap those of [x1]"},
    {"open-ended overlaps", GENERAL "[x1]\n" KEYS_A KEYS_B
     "[x2]\nname = b\nwaves = 6-\ntraining_balance = 1000000\nincentive = 600000\n"
     "incentive_months = 4\nsurvey_incentive = 50000\nsurvey_count = 3\n"
     "purchase_deadline_days = 30\nmin_age = 18\n" KEYS_B
     "[x3]\nname = c\nwaves = 100-200\ntraining_balance = 1000000\nincentive = 600000\n"
     "incentive_months = 4\nsurvey_incentive = 50000\nsurvey_count = 3\n"
     "purchase_deadline_days = 30\nmin_age = 18\n" KEYS_B,
     "waves of scheme [x3] overlap those of [x2]"},
    {"bad scheme id", VALID "[skema 2024]\nname = a\n", "bad scheme id [skema 2024]"},
    {"long scheme id", VALID "[abcdefghijklmnop]\nname = a\n", "bad scheme id"},
    {"empty section", VALID "[x2]\n", "section [x2] has no keys"},
    {"key outside section", "name = a\n" VALID, "line 1: key 'name' outside"},
    {"syntax error", VALID "this is not a key\n", "line 20: not a [section]"},
    {"max below min", GENERAL "[x1]\n" KEYS_A "max_age = 17\nkk_max = 2\nexclusion_lists =\n"
     "survey_open_days = 30\nsurvey_fill_days = 30\nsurvey_pay_days = 14\n",
     "max_age is below min_age"},
    {"empty file", "", "no scheme sections"},
    {"line too long", VALID "[x2]\nname = "
     "0123456789012345678901234567890123456789012345678901234567890123456789"
     "0123456789012345678901234567890123456789012345678901234567890123456789"
     "0123456789012345678901234567890123456789012345678901234567890123456789\n",
     "line 21: line too long"},
};

static void test_malformed(void **state)
{
    (void)state;
    for (size_t i = 0; i < PK_ARRAY_LEN(ini_cases); i++) {
        const ini_case *tc = &ini_cases[i];
        pk_schemes s;
        char err[256];
        int r = pk_schemes_parse(tc->text, &s, err, sizeof err);
        if (!tc->err) {
            if (r != 0)
                fail_msg("case '%s': unexpected error: %s", tc->label, err);
            continue;
        }
        if (r != PK_EINVAL || !strstr(err, tc->err))
            fail_msg("case '%s': r=%d err='%s', want '%s'", tc->label, r, err, tc->err);
    }
}

static void test_valid_values(void **state)
{
    (void)state;
    pk_schemes s;
    char err[256];
    assert_int_equal(pk_schemes_parse(VALID, &s, err, sizeof err), 0);
    const pk_scheme *x = pk_schemes_current(&s);
    assert_non_null(x);
    assert_string_equal(x->id, "x1");
    assert_int_equal(x->exclusion_lists, PK_LIST_DTKS | PK_LIST_DAFTAR_HITAM);
    assert_int_equal(x->wave_last, 5);
    assert_string_equal(x->balance_until, ""); /* optional */
    char with[2048];
    snprintf(with, sizeof with, "%sbalance_until = 2021-11-30\n", VALID);
    assert_int_equal(pk_schemes_parse(with, &s, err, sizeof err), 0);
    assert_string_equal(pk_schemes_current(&s)->balance_until, "2021-11-30");

    /* An empty exclusion list is allowed: the scheme excludes nobody. */
    assert_int_equal(pk_schemes_parse(ini_cases[2].text, &s, err, sizeof err), 0);
    assert_int_equal(s.items[0].exclusion_lists, 0);
    assert_int_equal(s.items[0].wave_first, 1);
    assert_int_equal(s.items[0].wave_last, 0);

    /* err may be omitted */
    assert_int_equal(pk_schemes_parse("[x]\n", &s, NULL, 0), PK_EINVAL);
    char small[8];
    assert_int_equal(pk_schemes_parse("", &s, small, sizeof small), PK_EINVAL);
    assert_int_equal(strlen(small), sizeof small - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_file),
        cmocka_unit_test(test_lists),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_valid_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
