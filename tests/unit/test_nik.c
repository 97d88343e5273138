/* test_nik.c -- the NIK rules of domain.md "Identity numbers", one case
 * per edge: women's +40 day, 29 February, the century of YY relative to
 * today, serial 0000, unknown province versus unknown regency/district. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/nik.h"
#include "core/pk.h"
#include "core/region.h"

#define D(y, m, d) ((pk_date){(y), (m), (d)})
#define TODAY D(2026, 11, 27)
#define E(c) PK_CODEBIT(PK_C_##c)

static const char *const table[][2] = {
    {"31", "DKI JAKARTA"},
    {"31.71", "KOTA ADMINISTRASI JAKARTA PUSAT"},
    {"31.71.01", "Gambir"},
    {"31.74", "KOTA ADMINISTRASI JAKARTA SELATAN"},
    {"31.74.01", "Tebet"},
    {"31.74.01.1001", "Tebet Timur"},
    {"32", "JAWA BARAT"},
    {"32.73", "KOTA BANDUNG"},
    {"32.73.05", "Sukajadi"},
};

static int setup(void **state)
{
    pk_regions *r = pk_regions_new();
    if (!r)
        return -1;
    for (size_t i = 0; i < PK_ARRAY_LEN(table); i++)
        if (pk_regions_add(r, table[i][0], table[i][1]) != 0)
            return -1;
    pk_regions_seal(r);
    *state = r;
    return 0;
}

static int teardown(void **state)
{
    pk_regions_free(*state);
    return 0;
}

typedef struct {
    const char *label;
    const char *in;
    size_t len;            /* 0: strlen(in) */
    pk_date today;         /* y == 0: TODAY */
    pk_codeset errors, warnings;
    pk_date birth;         /* y == 0: has_birth false */
    char sex;
    const char *prov, *reg, *dist; /* expected codes, NULL when not found */
} nik_case;

static const nik_case nik_cases[] = {
    /* The ordinary cases. */
    {"male, all regions known", "3174010101900001", 0, {0}, 0, 0, D(1990, 1, 1), 'L',
     "31", "31.74", "31.74.01"},
    {"female +40", "3174014501900002", 0, {0}, 0, 0, D(1990, 1, 5), 'P',
     "31", "31.74", "31.74.01"},
    {"other province", "3273051712859999", 0, {0}, 0, 0, D(1985, 12, 17), 'L',
     "32", "32.73", "32.73.05"},

    /* Day of birth, men 01-31, women 41-71. */
    {"day 01", "3174010103900001", 0, {0}, 0, 0, D(1990, 3, 1), 'L', "31", "31.74", "31.74.01"},
    {"day 31", "3174013101900001", 0, {0}, 0, 0, D(1990, 1, 31), 'L', "31", "31.74", "31.74.01"},
    {"day 41 is woman's 1", "3174014101900001", 0, {0}, 0, 0, D(1990, 1, 1), 'P',
     "31", "31.74", "31.74.01"},
    {"day 71 is woman's 31", "3174017112900001", 0, {0}, 0, 0, D(1990, 12, 31), 'P',
     "31", "31.74", "31.74.01"},
    {"day 00", "3174010001900001", 0, {0}, E(NIK_TANGGAL), 0, {0}, 0, "31", "31.74", "31.74.01"},
    {"day 32", "3174013201900001", 0, {0}, E(NIK_TANGGAL), 0, {0}, 0, "31", "31.74", "31.74.01"},
    {"day 40", "3174014001900001", 0, {0}, E(NIK_TANGGAL), 0, {0}, 0, "31", "31.74", "31.74.01"},
    {"day 72", "3174017201900001", 0, {0}, E(NIK_TANGGAL), 0, {0}, 0, "31", "31.74", "31.74.01"},
    {"day 99", "3174019901900001", 0, {0}, E(NIK_TANGGAL), 0, {0}, 0, "31", "31.74", "31.74.01"},
    {"31 April man", "3174013104900001", 0, {0}, E(NIK_TANGGAL), 0, {0}, 0,
     "31", "31.74", "31.74.01"},
    {"31 April woman (71)", "3174017104900001", 0, {0}, E(NIK_TANGGAL), 0, {0}, 0,
     "31", "31.74", "31.74.01"},
    {"month 00", "3174010100900001", 0, {0}, E(NIK_TANGGAL), 0, {0}, 0,
     "31", "31.74", "31.74.01"},
    {"month 13", "3174010113900001", 0, {0}, E(NIK_TANGGAL), 0, {0}, 0,
     "31", "31.74", "31.74.01"},

    /* 29 February. */
    {"29 Feb 00 is 2000", "3174012902000001", 0, {0}, 0, 0, D(2000, 2, 29), 'L',
     "31", "31.74", "31.74.01"},
    {"29 Feb 00 woman", "3174016902000001", 0, {0}, 0, 0, D(2000, 2, 29), 'P',
     "31", "31.74", "31.74.01"},
    {"29 Feb 01 does not exist", "3174012902010001", 0, {0}, E(NIK_TANGGAL), 0, {0}, 0,
     "31", "31.74", "31.74.01"},
    {"29 Feb 04", "3174012902040001", 0, {0}, 0, 0, D(2004, 2, 29), 'L',
     "31", "31.74", "31.74.01"},
    {"29 Feb 96 is 1996", "3174016902960001", 0, {0}, 0, 0, D(1996, 2, 29), 'P',
     "31", "31.74", "31.74.01"},
    /* 2027 is in the future, so 1927, which is not a leap year. */
    {"29 Feb 27 -> 1927 does not exist", "3174012902270001", 0, {0}, E(NIK_TANGGAL), 0,
     {0}, 0, "31", "31.74", "31.74.01"},
    {"29 Feb 28 -> 1928 leap", "3174012902280001", 0, {0}, 0, 0, D(1928, 2, 29), 'L',
     "31", "31.74", "31.74.01"},
    {"30 Feb 00", "3174013002000001", 0, {0}, E(NIK_TANGGAL), 0, {0}, 0,
     "31", "31.74", "31.74.01"},

    /* The century of YY, today 2026-11-27. */
    {"YY 26 before today -> 2026", "3174012611260001", 0, {0}, 0, 0, D(2026, 11, 26), 'L',
     "31", "31.74", "31.74.01"},
    {"YY 26 today -> 2026", "3174012711260001", 0, {0}, 0, 0, D(2026, 11, 27), 'L',
     "31", "31.74", "31.74.01"},
    {"YY 26 tomorrow -> 1926", "3174012811260001", 0, {0}, 0, 0, D(1926, 11, 28), 'L',
     "31", "31.74", "31.74.01"},
    {"YY 26 December -> 1926", "3174010112260001", 0, {0}, 0, 0, D(1926, 12, 1), 'L',
     "31", "31.74", "31.74.01"},
    {"YY 30 -> 1930", "3174010101300001", 0, {0}, 0, 0, D(1930, 1, 1), 'L',
     "31", "31.74", "31.74.01"},
    {"YY 08 -> 2008", "3174012811080001", 0, {0}, 0, 0, D(2008, 11, 28), 'L',
     "31", "31.74", "31.74.01"},
    {"YY 25 -> 2025", "3174017112250001", 0, {0}, 0, 0, D(2025, 12, 31), 'P',
     "31", "31.74", "31.74.01"},
    {"YY 99 -> 1999", "3174010101990001", 0, {0}, 0, 0, D(1999, 1, 1), 'L',
     "31", "31.74", "31.74.01"},
    {"another today: YY 30 on that day -> 2030", "3174011506300001", 0, D(2030, 6, 15), 0,
     0, D(2030, 6, 15), 'L', "31", "31.74", "31.74.01"},
    {"another today: YY 30 next day -> 1930", "3174011606300001", 0, D(2030, 6, 15), 0,
     0, D(1930, 6, 16), 'L', "31", "31.74", "31.74.01"},
    {"today 1999: YY 00 -> 1900, 29 Feb gone", "3174012902000001", 0, D(1999, 12, 31),
     E(NIK_TANGGAL), 0, {0}, 0, "31", "31.74", "31.74.01"},

    /* Serial. */
    {"serial 0000", "3174010101900000", 0, {0}, E(NIK_FORMAT), 0, {0}, 0, NULL, NULL, NULL},
    {"serial 0000 hides other errors", "9974019999990000", 0, {0}, E(NIK_FORMAT), 0, {0}, 0,
     NULL, NULL, NULL},
    {"serial 9999", "3174010101909999", 0, {0}, 0, 0, D(1990, 1, 1), 'L',
     "31", "31.74", "31.74.01"},
    {"serial 0001", "3174010101900001", 0, {0}, 0, 0, D(1990, 1, 1), 'L',
     "31", "31.74", "31.74.01"},

    /* Regions. */
    {"unknown province is an error", "9974010101900001", 0, {0}, E(NIK_PROVINSI), 0,
     D(1990, 1, 1), 'L', NULL, NULL, NULL},
    {"province 00", "0074010101900001", 0, {0}, E(NIK_PROVINSI), 0, D(1990, 1, 1), 'L',
     NULL, NULL, NULL},
    {"unknown province and bad date", "9974013202900001", 0, {0},
     E(NIK_PROVINSI) | E(NIK_TANGGAL), 0, {0}, 0, NULL, NULL, NULL},
    {"unknown regency is a warning", "3199010101900001", 0, {0}, 0,
     E(NIK_WILAYAH_TIDAK_DIKENAL), D(1990, 1, 1), 'L', "31", NULL, NULL},
    {"unknown district is a warning", "3174990101900001", 0, {0}, 0,
     E(NIK_WILAYAH_TIDAK_DIKENAL), D(1990, 1, 1), 'L', "31", "31.74", NULL},
    {"district of another regency", "3171050101900001", 0, {0}, 0,
     E(NIK_WILAYAH_TIDAK_DIKENAL), D(1990, 1, 1), 'L', "31", "31.71", NULL},
    {"warning and bad date", "3199013202900001", 0, {0}, E(NIK_TANGGAL),
     E(NIK_WILAYAH_TIDAK_DIKENAL), {0}, 0, "31", NULL, NULL},

    /* Shape. */
    {"15 digits", "317401010190001", 0, {0}, E(NIK_FORMAT), 0, {0}, 0, NULL, NULL, NULL},
    {"17 digits", "31740101019000011", 0, {0}, E(NIK_FORMAT), 0, {0}, 0, NULL, NULL, NULL},
    {"empty", "", 0, {0}, E(NIK_FORMAT), 0, {0}, 0, NULL, NULL, NULL},
    {"letter", "31740101019000A1", 0, {0}, E(NIK_FORMAT), 0, {0}, 0, NULL, NULL, NULL},
    {"space inside", "3174010101 90001", 0, {0}, E(NIK_FORMAT), 0, {0}, 0, NULL, NULL, NULL},
    {"leading space", " 317401010190001", 0, {0}, E(NIK_FORMAT), 0, {0}, 0, NULL, NULL, NULL},
    {"dots", "31.74.01.0101900", 0, {0}, E(NIK_FORMAT), 0, {0}, 0, NULL, NULL, NULL},
    {"sign", "+317401010190001", 0, {0}, E(NIK_FORMAT), 0, {0}, 0, NULL, NULL, NULL},
    {"embedded NUL", "3174010101\0" "90001", 16, {0}, E(NIK_FORMAT), 0, {0}, 0,
     NULL, NULL, NULL},
    {"len shorter than string", "3174010101900001", 15, {0}, E(NIK_FORMAT), 0, {0}, 0,
     NULL, NULL, NULL},
    /* Arabic-Indic or full-width digits are not ASCII digits. */
    {"full-width digit", "3174010101900\xef\xbc\x91", 0, {0}, E(NIK_FORMAT), 0, {0}, 0,
     NULL, NULL, NULL},
};

static const char *code_or_null(const pk_region *r)
{
    return r ? r->code : NULL;
}

static void expect_code(const char *label, const char *what, const char *got,
                        const char *want)
{
    if ((got == NULL) != (want == NULL) || (got && strcmp(got, want) != 0))
        fail_msg("case '%s': %s is %s, want %s", label, what, got ? got : "NULL",
                 want ? want : "NULL");
}

static void test_cases(void **state)
{
    const pk_regions *r = *state;
    for (size_t i = 0; i < PK_ARRAY_LEN(nik_cases); i++) {
        const nik_case *c = &nik_cases[i];
        size_t len = c->len ? c->len : strlen(c->in);
        pk_date today = c->today.y ? c->today : TODAY;
        pk_nik_info info;
        memset(&info, 0xAB, sizeof(info)); /* must be filled completely */
        int rc = pk_nik_check(c->in, len, r, today, &info);
        int want_rc = c->errors ? PK_EINVAL : 0;
        if (rc != want_rc)
            fail_msg("case '%s': rc %d, want %d", c->label, rc, want_rc);
        if (info.errors != c->errors)
            fail_msg("case '%s': errors %#llx, want %#llx", c->label,
                     (unsigned long long)info.errors, (unsigned long long)c->errors);
        if (info.warnings != c->warnings)
            fail_msg("case '%s': warnings %#llx, want %#llx", c->label,
                     (unsigned long long)info.warnings, (unsigned long long)c->warnings);
        bool want_birth = c->birth.y != 0;
        if (info.has_birth != want_birth)
            fail_msg("case '%s': has_birth %d, want %d", c->label, info.has_birth, want_birth);
        if (want_birth && pk_date_cmp(info.birth, c->birth) != 0)
            fail_msg("case '%s': birth %04d-%02d-%02d, want %04d-%02d-%02d", c->label,
                     info.birth.y, info.birth.m, info.birth.d, c->birth.y, c->birth.m,
                     c->birth.d);
        if (want_birth && !pk_date_valid(info.birth))
            fail_msg("case '%s': invalid birth date reported", c->label);
        if (info.sex != c->sex)
            fail_msg("case '%s': sex '%c' (%d), want '%c'", c->label, info.sex ? info.sex : '0',
                     info.sex, c->sex ? c->sex : '0');
        expect_code(c->label, "province", code_or_null(info.province), c->prov);
        expect_code(c->label, "regency", code_or_null(info.regency), c->reg);
        expect_code(c->label, "district", code_or_null(info.district), c->dist);
        /* The digits are copied whenever the shape is right. */
        bool format_ok = !(c->errors & E(NIK_FORMAT));
        if (format_ok ? strncmp(info.nik, c->in, 16) != 0 || info.nik[16] != '\0'
                      : info.nik[0] != '\0')
            fail_msg("case '%s': nik '%.17s'", c->label, info.nik);
        /* nik_format excludes every other code. */
        if (!format_ok && (info.errors != E(NIK_FORMAT) || info.warnings))
            fail_msg("case '%s': other codes next to nik_format", c->label);
    }
}

static void test_no_regions(void **state)
{
    (void)state;
    pk_nik_info info;
    int rc = pk_nik_check("3174010101900001", 16, NULL, TODAY, &info);
    assert_int_equal(rc, PK_EINVAL);
    assert_int_equal(info.errors, E(NIK_PROVINSI));
    assert_int_equal(info.warnings, 0);
    assert_true(info.has_birth);
    assert_null(info.province);
    assert_int_equal(pk_nik_check(NULL, 0, NULL, TODAY, &info), PK_EINVAL);
    assert_int_equal(info.errors, E(NIK_FORMAT));
}

typedef struct {
    const char *label;
    const char *in;
    const char *want;
} mask_case;

static const mask_case mask_cases[] = {
    {"nik", "3174010101900001", "3174********0001"},
    {"other nik", "3273051712859999", "3273********9999"},
    {"16 non-digits still masked by position", "ABCDEFGHIJKLMNOP", "ABCD********MNOP"},
    {"empty", "", "****************"},
    {"short", "3174", "****************"},
    {"15", "317401010190000", "****************"},
    {"17", "31740101019000011", "****************"},
    {"null", NULL, "****************"},
};

static void test_mask(void **state)
{
    (void)state;
    for (size_t i = 0; i < PK_ARRAY_LEN(mask_cases); i++) {
        const mask_case *c = &mask_cases[i];
        char out[17];
        memset(out, 'x', sizeof(out));
        pk_nik_mask(c->in, out);
        if (strcmp(out, c->want) != 0)
            fail_msg("case '%s': got '%.17s', want '%s'", c->label, out, c->want);
    }
}

/* The shape alone: 16 ASCII digits, whatever they mean. */
static void test_digits(void **state)
{
    (void)state;
    assert_true(pk_nik_digits("3174010101900001"));
    assert_true(pk_nik_digits("0000000000000000")); /* a shape, not a valid NIK */
    const char *bad[] = {NULL, "", "317401010190000", "31740101019000011", "317401010190000a",
                         " 317401010190000", "3174-10101900001", "３１７４０１０１０１９０００１"};
    for (size_t i = 0; i < PK_ARRAY_LEN(bad); i++)
        if (pk_nik_digits(bad[i]))
            fail_msg("'%s' taken for a NIK's shape", bad[i] ? bad[i] : "(null)");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_cases, setup, teardown),
        cmocka_unit_test(test_no_regions),
        cmocka_unit_test(test_mask),
        cmocka_unit_test(test_digits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
