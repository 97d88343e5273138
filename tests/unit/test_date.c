/* test_date.c -- calendar rules, parsing, day arithmetic, ages, WIB. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/date.h"
#include "core/pk.h"

#define D(y, m, d) ((pk_date){(y), (m), (d)})

static void expect_date(const char *label, pk_date got, pk_date want)
{
    if (got.y != want.y || got.m != want.m || got.d != want.d)
        fail_msg("case '%s': got %04d-%02d-%02d, want %04d-%02d-%02d", label, got.y, got.m,
                 got.d, want.y, want.m, want.d);
}

typedef struct {
    const char *label;
    pk_date d;
    bool valid;
} valid_case;

static const valid_case valid_cases[] = {
    {"ordinary", D(2026, 11, 27), true},
    {"29 Feb leap 2024", D(2024, 2, 29), true},
    {"29 Feb 2000 (div 400)", D(2000, 2, 29), true},
    {"29 Feb 1900 (div 100)", D(1900, 2, 29), false},
    {"29 Feb 2023", D(2023, 2, 29), false},
    {"30 Feb", D(2024, 2, 30), false},
    {"31 Apr", D(2026, 4, 31), false},
    {"30 Apr", D(2026, 4, 30), true},
    {"31 Dec", D(2026, 12, 31), true},
    {"day 0", D(2026, 1, 0), false},
    {"month 0", D(2026, 0, 1), false},
    {"month 13", D(2026, 13, 1), false},
    {"year 0", D(0, 1, 1), false},
    {"year 1", D(1, 1, 1), true},
    {"year 9999", D(9999, 12, 31), true},
    {"year 10000", D(10000, 1, 1), false},
    {"negative day", D(2026, 1, -1), false},
};

static void test_valid(void **state)
{
    (void)state;
    for (size_t i = 0; i < PK_ARRAY_LEN(valid_cases); i++)
        if (pk_date_valid(valid_cases[i].d) != valid_cases[i].valid)
            fail_msg("case '%s': valid should be %d", valid_cases[i].label,
                     valid_cases[i].valid);
    assert_int_equal(pk_days_in_month(2024, 2), 29);
    assert_int_equal(pk_days_in_month(2100, 2), 28);
    assert_int_equal(pk_days_in_month(2026, 9), 30);
    assert_int_equal(pk_days_in_month(2026, 13), 0);
    assert_true(pk_leap_year(2000));
    assert_false(pk_leap_year(1900));
    assert_true(pk_leap_year(2028));
    assert_false(pk_leap_year(2026));
}

typedef struct {
    const char *label;
    const char *s;
    int rc;
    pk_date want;
} parse_case;

static const parse_case parse_cases[] = {
    {"ok", "2026-11-27", 0, D(2026, 11, 27)},
    {"leap day", "2024-02-29", 0, D(2024, 2, 29)},
    {"leap day 2000", "2000-02-29", 0, D(2000, 2, 29)},
    {"year 1", "0001-01-01", 0, D(1, 1, 1)},
    {"year 9999", "9999-12-31", 0, D(9999, 12, 31)},
    {"not leap", "2023-02-29", PK_EINVAL, D(0, 0, 0)},
    {"1900 not leap", "1900-02-29", PK_EINVAL, D(0, 0, 0)},
    {"30 Feb", "2021-02-30", PK_EINVAL, D(0, 0, 0)},
    {"short fields", "2021-2-3", PK_EINVAL, D(0, 0, 0)},
    {"year 0", "0000-01-01", PK_EINVAL, D(0, 0, 0)},
    {"month 13", "2021-13-01", PK_EINVAL, D(0, 0, 0)},
    {"day 00", "2021-01-00", PK_EINVAL, D(0, 0, 0)},
    {"slashes", "2021/01/01", PK_EINVAL, D(0, 0, 0)},
    {"sign", "+021-01-01", PK_EINVAL, D(0, 0, 0)},
    {"minus in month", "2021--1-01", PK_EINVAL, D(0, 0, 0)},
    {"leading space", " 2021-01-01", PK_EINVAL, D(0, 0, 0)},
    {"trailing space", "2021-01-01 ", PK_EINVAL, D(0, 0, 0)},
    {"space inside", "2021-01- 1", PK_EINVAL, D(0, 0, 0)},
    {"letters", "2021-0a-01", PK_EINVAL, D(0, 0, 0)},
    {"dd-mm-yyyy", "01-01-2021", PK_EINVAL, D(0, 0, 0)},
    {"empty", "", PK_EINVAL, D(0, 0, 0)},
    {"time appended", "2021-01-01T00:00", PK_EINVAL, D(0, 0, 0)},
};

static void test_parse(void **state)
{
    (void)state;
    for (size_t i = 0; i < PK_ARRAY_LEN(parse_cases); i++) {
        const parse_case *c = &parse_cases[i];
        pk_date out = D(-1, -1, -1);
        int rc = pk_date_parse(c->s, strlen(c->s), &out);
        if (rc != c->rc)
            fail_msg("case '%s': rc %d, want %d", c->label, rc, c->rc);
        if (rc == 0)
            expect_date(c->label, out, c->want);
        else
            expect_date(c->label, out, D(-1, -1, -1)); /* untouched on error */
    }
    /* len decides, not a NUL: a longer buffer is read only up to len. */
    pk_date out;
    assert_int_equal(pk_date_parse("2026-01-05XYZ", 10, &out), 0);
    expect_date("prefix", out, D(2026, 1, 5));
    assert_int_equal(pk_date_parse("2026-01-05", 9, &out), PK_EINVAL);
}

typedef struct {
    const char *label;
    pk_date d;
    const char *iso, *long_form;
} format_case;

static const format_case format_cases[] = {
    {"march", D(2026, 3, 5), "2026-03-05", "5 Maret 2026"},
    {"november", D(2026, 11, 27), "2026-11-27", "27 November 2026"},
    {"januari", D(2000, 1, 1), "2000-01-01", "1 Januari 2000"},
    {"februari", D(2024, 2, 29), "2024-02-29", "29 Februari 2024"},
    {"april", D(2021, 4, 10), "2021-04-10", "10 April 2021"},
    {"mei", D(2021, 5, 31), "2021-05-31", "31 Mei 2021"},
    {"juni", D(2021, 6, 1), "2021-06-01", "1 Juni 2021"},
    {"juli", D(2021, 7, 17), "2021-07-17", "17 Juli 2021"},
    {"agustus", D(1945, 8, 17), "1945-08-17", "17 Agustus 1945"},
    {"september", D(2021, 9, 9), "2021-09-09", "9 September 2021"},
    {"oktober", D(2021, 10, 28), "2021-10-28", "28 Oktober 2021"},
    {"desember", D(2020, 12, 15), "2020-12-15", "15 Desember 2020"},
    {"year 1", D(1, 1, 1), "0001-01-01", "1 Januari 1"},
};

static void test_format(void **state)
{
    (void)state;
    for (size_t i = 0; i < PK_ARRAY_LEN(format_cases); i++) {
        const format_case *c = &format_cases[i];
        char iso[11], lf[32];
        pk_date_format(c->d, iso);
        pk_date_format_long(c->d, lf);
        if (strcmp(iso, c->iso) != 0)
            fail_msg("case '%s': iso '%s', want '%s'", c->label, iso, c->iso);
        if (strcmp(lf, c->long_form) != 0)
            fail_msg("case '%s': long '%s', want '%s'", c->label, lf, c->long_form);
        pk_date back;
        if (pk_date_parse(iso, strlen(iso), &back) != 0)
            fail_msg("case '%s': formatted date does not parse", c->label);
        expect_date(c->label, back, c->d);
    }
    char sf[32];
    pk_date_format_short(D(2021, 3, 12), sf);
    assert_string_equal(sf, "12 Mar 2021");
    pk_date_format_short(D(2020, 12, 15), sf);
    assert_string_equal(sf, "15 Des 2020");
    pk_date_format_short(D(2021, 8, 1), sf);
    assert_string_equal(sf, "1 Agu 2021");
}

typedef struct {
    const char *label;
    pk_date d;
    long days;
    int weekday;
} days_case;

static const days_case days_cases[] = {
    {"epoch", D(1970, 1, 1), 0, 4},
    {"day before epoch", D(1969, 12, 31), -1, 3},
    {"2000-03-01", D(2000, 3, 1), 11017, 3},
    {"leap day 2020", D(2020, 2, 29), 18321, 6},
    {"2026-11-27", D(2026, 11, 27), 20784, 5},
    {"year 1", D(1, 1, 1), -719162, 1},
    {"year 9999", D(9999, 12, 31), 2932896, 5},
};

static void test_days(void **state)
{
    (void)state;
    for (size_t i = 0; i < PK_ARRAY_LEN(days_cases); i++) {
        const days_case *c = &days_cases[i];
        long got = pk_date_to_days(c->d);
        if (got != c->days)
            fail_msg("case '%s': days %ld, want %ld", c->label, got, c->days);
        expect_date(c->label, pk_date_from_days(c->days), c->d);
        if (pk_date_weekday(c->d) != c->weekday)
            fail_msg("case '%s': weekday %d, want %d", c->label, pk_date_weekday(c->d),
                     c->weekday);
    }
}

/* Every date of the type's range round-trips and consecutive dates have
 * consecutive day numbers. */
static void test_days_roundtrip(void **state)
{
    (void)state;
    long expect = pk_date_to_days(D(1, 1, 1));
    for (int y = 1; y <= 9999; y++)
        for (int m = 1; m <= 12; m++)
            for (int d = 1; d <= pk_days_in_month(y, m); d++) {
                pk_date x = D(y, m, d);
                long n = pk_date_to_days(x);
                if (n != expect)
                    fail_msg("%04d-%02d-%02d: %ld, want %ld", y, m, d, n, expect);
                pk_date back = pk_date_from_days(n);
                if (pk_date_cmp(back, x) != 0)
                    fail_msg("%04d-%02d-%02d does not round-trip", y, m, d);
                expect++;
            }
}

typedef struct {
    const char *label;
    pk_date d;
    long n;
    pk_date want;
} add_case;

static const add_case add_days_cases[] = {
    {"zero", D(2026, 11, 27), 0, D(2026, 11, 27)},
    {"30 days", D(2021, 1, 15), 30, D(2021, 2, 14)},
    {"over leap day", D(2024, 2, 28), 2, D(2024, 3, 1)},
    {"over year end", D(2026, 12, 31), 1, D(2027, 1, 1)},
    {"backwards", D(2026, 3, 1), -1, D(2026, 2, 28)},
    {"backwards leap", D(2024, 3, 1), -1, D(2024, 2, 29)},
    {"a year", D(2023, 3, 1), 366, D(2024, 3, 1)},
};

static const add_case add_months_cases[] = {
    {"31 Jan + 1 leap", D(2024, 1, 31), 1, D(2024, 2, 29)},
    {"31 Jan + 1 common", D(2026, 1, 31), 1, D(2026, 2, 28)},
    {"31 Mar + 1", D(2026, 3, 31), 1, D(2026, 4, 30)},
    {"15 Nov + 2", D(2026, 11, 15), 2, D(2027, 1, 15)},
    {"31 Dec + 12", D(2026, 12, 31), 12, D(2027, 12, 31)},
    {"15 Jan - 1", D(2026, 1, 15), -1, D(2025, 12, 15)},
    {"31 Mar - 1", D(2026, 3, 31), -1, D(2026, 2, 28)},
    {"29 Feb + 12", D(2024, 2, 29), 12, D(2025, 2, 28)},
    {"29 Feb + 48", D(2024, 2, 29), 48, D(2028, 2, 29)},
    {"zero", D(2026, 5, 31), 0, D(2026, 5, 31)},
    {"minus 13", D(2026, 1, 31), -13, D(2024, 12, 31)},
};

/* 2026-11-27 is a Friday, 2026-11-28 a Saturday. */
static const add_case add_workdays_cases[] = {
    {"fri + 1 = mon", D(2026, 11, 27), 1, D(2026, 11, 30)},
    {"fri + 0", D(2026, 11, 27), 0, D(2026, 11, 27)},
    {"sat + 1 = mon", D(2026, 11, 28), 1, D(2026, 11, 30)},
    {"sun + 1 = mon", D(2026, 11, 29), 1, D(2026, 11, 30)},
    {"mon + 4 = fri", D(2026, 11, 30), 4, D(2026, 12, 4)},
    {"mon + 5 = mon", D(2026, 11, 30), 5, D(2026, 12, 7)},
    {"wed + 3 = mon", D(2026, 11, 25), 3, D(2026, 11, 30)},
    {"sat + 5 = fri", D(2026, 11, 28), 5, D(2026, 12, 4)},
    {"sat + 6 = mon", D(2026, 11, 28), 6, D(2026, 12, 7)},
    {"mon - 1 = fri", D(2026, 11, 30), -1, D(2026, 11, 27)},
    {"sun - 1 = fri", D(2026, 11, 29), -1, D(2026, 11, 27)},
    {"fri + 10", D(2026, 11, 27), 10, D(2026, 12, 11)},
};

static void test_add(void **state)
{
    (void)state;
    for (size_t i = 0; i < PK_ARRAY_LEN(add_days_cases); i++) {
        const add_case *c = &add_days_cases[i];
        expect_date(c->label, pk_date_add_days(c->d, c->n), c->want);
    }
    for (size_t i = 0; i < PK_ARRAY_LEN(add_months_cases); i++) {
        const add_case *c = &add_months_cases[i];
        expect_date(c->label, pk_date_add_months(c->d, (int)c->n), c->want);
    }
    for (size_t i = 0; i < PK_ARRAY_LEN(add_workdays_cases); i++) {
        const add_case *c = &add_workdays_cases[i];
        expect_date(c->label, pk_date_add_workdays(c->d, (int)c->n), c->want);
    }
}

/* Workdays against a day-by-day walk, for every start weekday and
 * counts across the week-skipping shortcut. */
static void test_workdays_walk(void **state)
{
    (void)state;
    for (int start = 0; start < 7; start++) {
        pk_date s = pk_date_add_days(D(2026, 11, 22), start);
        for (int n = -40; n <= 40; n++) {
            long days = pk_date_to_days(s);
            int left = n < 0 ? -n : n, step = n < 0 ? -1 : 1;
            while (left > 0) {
                days += step;
                int w = pk_date_weekday(pk_date_from_days(days));
                if (w != 0 && w != 6)
                    left--;
            }
            pk_date got = pk_date_add_workdays(s, n);
            if (pk_date_to_days(got) != days)
                fail_msg("start %d + %d workdays: got %04d-%02d-%02d", start, n, got.y, got.m,
                         got.d);
        }
    }
}

typedef struct {
    const char *label;
    pk_date birth, on;
    int age;
} age_case;

static const age_case age_cases[] = {
    {"day before 18th birthday", D(2008, 11, 28), D(2026, 11, 27), 17},
    {"18th birthday", D(2008, 11, 27), D(2026, 11, 27), 18},
    {"day after", D(2008, 11, 26), D(2026, 11, 27), 18},
    {"month earlier", D(2008, 12, 1), D(2026, 11, 27), 17},
    {"leap birthday, common year, 28 Feb", D(2008, 2, 29), D(2026, 2, 28), 17},
    {"leap birthday, common year, 1 Mar", D(2008, 2, 29), D(2026, 3, 1), 18},
    {"leap birthday, leap year, 28 Feb", D(2008, 2, 29), D(2028, 2, 28), 19},
    {"leap birthday, leap year, 29 Feb", D(2008, 2, 29), D(2028, 2, 29), 20},
    {"born today", D(2026, 11, 27), D(2026, 11, 27), 0},
    {"64 last day", D(1961, 11, 28), D(2026, 11, 27), 64},
    {"65", D(1961, 11, 27), D(2026, 11, 27), 65},
};

static void test_age(void **state)
{
    (void)state;
    for (size_t i = 0; i < PK_ARRAY_LEN(age_cases); i++) {
        const age_case *c = &age_cases[i];
        int got = pk_age_on(c->birth, c->on);
        if (got != c->age)
            fail_msg("case '%s': age %d, want %d", c->label, got, c->age);
    }
    /* Before birth: never a positive age. */
    assert_true(pk_age_on(D(2026, 11, 27), D(2026, 11, 26)) <= 0);
    assert_true(pk_age_on(D(2026, 11, 27), D(2020, 1, 1)) < 0);
}

typedef struct {
    const char *label;
    long long t;
    pk_date want;
} wib_case;

static const wib_case wib_cases[] = {
    {"epoch", 0, D(1970, 1, 1)},
    {"16:59:59 UTC", 17 * 3600 - 1, D(1970, 1, 1)},
    {"17:00 UTC is WIB midnight", 17 * 3600, D(1970, 1, 2)},
    {"before epoch, WIB midnight", -7 * 3600, D(1970, 1, 1)},
    {"before epoch, a second earlier", -7 * 3600 - 1, D(1969, 12, 31)},
    /* 2026-11-27T16:59:59Z and 17:00:00Z */
    {"2026-11-27 23:59:59 WIB", 1795798799LL, D(2026, 11, 27)},
    {"2026-11-28 00:00 WIB", 1795798800LL, D(2026, 11, 28)},
    /* 2024-02-28T17:00:00Z */
    {"leap day WIB", 1709139600LL, D(2024, 2, 29)},
};

static void test_wib(void **state)
{
    (void)state;
    for (size_t i = 0; i < PK_ARRAY_LEN(wib_cases); i++)
        expect_date(wib_cases[i].label, pk_date_wib((time_t)wib_cases[i].t),
                    wib_cases[i].want);
}

static void test_cmp(void **state)
{
    (void)state;
    assert_true(pk_date_cmp(D(2026, 1, 1), D(2026, 1, 2)) < 0);
    assert_true(pk_date_cmp(D(2026, 2, 1), D(2026, 1, 31)) > 0);
    assert_true(pk_date_cmp(D(2025, 12, 31), D(2026, 1, 1)) < 0);
    assert_int_equal(pk_date_cmp(D(2026, 1, 1), D(2026, 1, 1)), 0);
}

static const struct {
    const char *label, *in, *want; /* want NULL: refused */
} ts_cases[] = {
    {"issue example", "2026-12-04T13:58:05.458Z", "4 Des 2026 20.58 WIB"},
    {"no fraction", "2026-12-04T13:58:05Z", "4 Des 2026 20.58 WIB"},
    {"no Z", "2026-12-04T13:58:05", "4 Des 2026 20.58 WIB"},
    {"long fraction", "2026-12-04T13:58:05.123456789Z", "4 Des 2026 20.58 WIB"},
    {"next day in Jakarta", "2026-12-31T17:00:00.000Z", "1 Jan 2027 00.00 WIB"},
    {"just before", "2026-12-31T16:59:59.999Z", "31 Des 2026 23.59 WIB"},
    {"leap day", "2028-02-28T20:30:00Z", "29 Feb 2028 03.30 WIB"},
    {"May is Mei", "2026-05-01T00:00:00Z", "1 Mei 2026 07.00 WIB"},
    {"August is Agu", "2026-08-17T03:00:00Z", "17 Agu 2026 10.00 WIB"},
    {"October is Okt", "2026-10-10T10:10:00Z", "10 Okt 2026 17.10 WIB"},
    {"epoch", "1970-01-01T00:00:00Z", "1 Jan 1970 07.00 WIB"},
    {"before the epoch", "1969-12-31T16:00:00Z", "31 Des 1969 23.00 WIB"},
    {"empty", "", NULL},
    {"date only", "2026-12-04", NULL},
    {"space for T", "2026-12-04 13:58:05Z", NULL},
    {"hour 24", "2026-12-04T24:00:00Z", NULL},
    {"minute 60", "2026-12-04T13:60:00Z", NULL},
    {"bad month", "2026-13-04T13:58:05Z", NULL},
    {"bad day", "2026-02-30T13:58:05Z", NULL},
    {"empty fraction", "2026-12-04T13:58:05.Z", NULL},
    {"offset", "2026-12-04T13:58:05+07:00", NULL},
    {"trailing", "2026-12-04T13:58:05Zx", NULL},
    {"letters", "2026-12-04T1a:58:05Z", NULL},
};

static void test_timestamp(void **state)
{
    (void)state;
    for (size_t i = 0; i < PK_ARRAY_LEN(ts_cases); i++) {
        int64_t t = 12345;
        int rc = pk_timestamp_parse(ts_cases[i].in, &t);
        if (ts_cases[i].want == NULL) {
            if (rc != PK_EINVAL)
                fail_msg("case '%s': accepted", ts_cases[i].label);
            if (t != 12345)
                fail_msg("case '%s': output written", ts_cases[i].label);
            char out[32];
            pk_timestamp_wib(ts_cases[i].in, out);
            if (strcmp(out, ts_cases[i].in) != 0)
                fail_msg("case '%s': not copied as it is: '%s'", ts_cases[i].label, out);
            continue;
        }
        if (rc != 0)
            fail_msg("case '%s': refused", ts_cases[i].label);
        char out[32];
        pk_timestamp_format_wib(t, out);
        if (strcmp(out, ts_cases[i].want) != 0)
            fail_msg("case '%s': got '%s', want '%s'", ts_cases[i].label, out, ts_cases[i].want);
        pk_timestamp_wib(ts_cases[i].in, out);
        if (strcmp(out, ts_cases[i].want) != 0)
            fail_msg("case '%s' (one call): got '%s'", ts_cases[i].label, out);
    }
    assert_int_equal(pk_timestamp_parse(NULL, &(int64_t){0}), PK_EINVAL);
    int64_t t;
    assert_int_equal(pk_timestamp_parse("2026-12-04T13:58:05.458Z", &t), 0);
    assert_int_equal(t, 1796392685); /* date -u -d 2026-12-04T13:58:05Z +%s */
    char out[32];
    pk_timestamp_wib(NULL, out);
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_days),
        cmocka_unit_test(test_days_roundtrip),
        cmocka_unit_test(test_add),
        cmocka_unit_test(test_workdays_walk),
        cmocka_unit_test(test_age),
        cmocka_unit_test(test_wib),
        cmocka_unit_test(test_cmp),
        cmocka_unit_test(test_timestamp),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
