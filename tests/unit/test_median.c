/* test_median.c -- the one median rule (core/median.h): a table of
 * tallies with their medians (odd and even populations, the middles in
 * one value or two, repeats, empty entries, large values), the empty
 * population, and how a median is written. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "core/median.h"

#define MAXT 6
typedef struct {
    const char *label;
    pk_tally t[MAXT];
    size_t len;
    double want;
} median_case;

static const median_case cases[] = {
    {"one person", {{4, 1}}, 1, 4},
    {"odd: the middle", {{1, 1}, {2, 1}, {9, 1}}, 3, 2},
    {"even: the mean of the two middles", {{5, 1}, {10, 1}}, 2, 7.5},
    {"even, both middles in one value", {{1, 1}, {2, 2}, {4, 1}}, 3, 2},
    {"even, middles in adjacent values", {{1, 2}, {2, 2}}, 2, 1.5},
    {"the funnel's waits 1, 2, 2, 4", {{1, 1}, {2, 2}, {4, 1}}, 3, 2},
    {"reminders: 18 and 24 days", {{18, 1}, {24, 1}}, 2, 21},
    {"a value repeated in the tally", {{3, 1}, {3, 1}, {8, 2}}, 3, 5.5},
    {"entries without people ignored", {{0, 0}, {2, 1}, {5, 0}, {7, 1}, {9, -3}}, 5, 4.5},
    {"many people, few values", {{0, 1000}, {366, 1001}}, 2, 366},
    {"many people, even split", {{0, 1000}, {366, 1000}}, 2, 183},
    {"large values", {{INT64_C(4000000000), 1}, {INT64_C(4000000001), 1}}, 2, 4000000000.5},
    {"negative values", {{-3, 1}, {-2, 1}}, 2, -2.5},
};

static void medians_of_tallies(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        double got = -99;
        if (!pk_median(cases[i].t, cases[i].len, &got) || got != cases[i].want)
            fail_msg("%s: got %g, want %g", cases[i].label, got, cases[i].want);
    }
}

static void empty_population_has_no_median(void **state)
{
    (void)state;
    double m = -7;
    assert_false(pk_median(NULL, 0, &m));
    pk_tally none[] = {{3, 0}, {4, 0}};
    assert_false(pk_median(none, 2, &m));
    assert_true(m == -7);
}

static void medians_written_one_way(void **state)
{
    (void)state;
    static const struct {
        double m;
        char dec;
        const char *want;
    } f[] = {{7, ',', "7"},        {7.5, ',', "7,5"}, {7.5, '.', "7.5"}, {0, '.', "0"},
             {0.5, ',', "0,5"},    {366, ',', "366"}, {365.5, '.', "365.5"},
             {-2.5, ',', "-2,5"}};
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
        char out[32];
        pk_median_format(f[i].m, f[i].dec, out);
        assert_string_equal(out, f[i].want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(medians_of_tallies),
        cmocka_unit_test(empty_population_has_no_median),
        cmocka_unit_test(medians_written_one_way),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
