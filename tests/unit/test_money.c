/* test_money.c -- Rupiah formatting, including the extremes of int64. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/money.h"
#include "core/pk.h"

typedef struct {
    const char *label;
    pk_rupiah v;
    const char *want;
} fmt_case;

static const fmt_case fmt_cases[] = {
    {"zero", 0, "Rp0"},
    {"one", 1, "Rp1"},
    {"three digits", 999, "Rp999"},
    {"first separator", 1000, "Rp1.000"},
    {"survey incentive", 50000, "Rp50.000"},
    {"incentive", 600000, "Rp600.000"},
    {"balance", 1000000, "Rp1.000.000"},
    {"total 2020", 3550000, "Rp3.550.000"},
    {"total 2023", 4200000, "Rp4.200.000"},
    {"negative small", -5, "-Rp5"},
    {"negative", -50000, "-Rp50.000"},
    {"negative million", -1000000, "-Rp1.000.000"},
    {"max", INT64_MAX, "Rp9.223.372.036.854.775.807"},
    {"min", INT64_MIN, "-Rp9.223.372.036.854.775.808"},
    {"min + 1", INT64_MIN + 1, "-Rp9.223.372.036.854.775.807"},
};

static void test_format(void **state)
{
    (void)state;
    for (size_t i = 0; i < PK_ARRAY_LEN(fmt_cases); i++) {
        const fmt_case *c = &fmt_cases[i];
        char out[32];
        memset(out, 'x', sizeof(out));
        pk_rupiah_format(c->v, out);
        if (strcmp(out, c->want) != 0)
            fail_msg("case '%s': got '%s', want '%s'", c->label, out, c->want);
    }
}

static const fmt_case count_cases[] = {
    {"zero", 0, "0"},
    {"three digits", 999, "999"},
    {"issue example", 2834, "2.834"},
    {"thousand", 1000, "1.000"},
    {"million", 1000000, "1.000.000"},
    {"negative", -12345, "-12.345"},
    {"max", INT64_MAX, "9.223.372.036.854.775.807"},
    {"min", INT64_MIN, "-9.223.372.036.854.775.808"},
};

static void test_count(void **state)
{
    (void)state;
    for (size_t i = 0; i < PK_ARRAY_LEN(count_cases); i++) {
        const fmt_case *c = &count_cases[i];
        char out[32];
        memset(out, 'x', sizeof(out));
        pk_count_format(c->v, out);
        if (strcmp(out, c->want) != 0)
            fail_msg("case '%s': got '%s', want '%s'", c->label, out, c->want);
    }
}

static const fmt_case tenths_cases[] = {
    {"zero", 0, "0,0"},
    {"half", 5, "0,5"},
    {"negative half", -5, "-0,5"},
    {"twelve and a half", 125, "12,5"},
    {"thousands", 12345, "1.234,5"},
    {"hundred percent", 1000, "100,0"},
    {"max", INT64_MAX, "922.337.203.685.477.580,7"},
    {"min", INT64_MIN, "-922.337.203.685.477.580,8"},
};

static void test_tenths(void **state)
{
    (void)state;
    for (size_t i = 0; i < PK_ARRAY_LEN(tenths_cases); i++) {
        const fmt_case *c = &tenths_cases[i];
        char out[32];
        memset(out, 'x', sizeof(out));
        pk_tenths_format(c->v, out);
        if (strcmp(out, c->want) != 0)
            fail_msg("case '%s': got '%s', want '%s'", c->label, out, c->want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_count),
        cmocka_unit_test(test_tenths),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
