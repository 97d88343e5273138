/* test_timeline.c -- unit tests of the benefit timeline (core/timeline.c)
 * with every scheme of data/schemes.ini.  Expected dates were worked out
 * by hand from a calendar (weekdays noted), not computed by the code
 * under test. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/date.h"
#include "core/pk.h"
#include "core/scheme.h"
#include "core/timeline.h"

/* Group fixture: the schemes of the real data file. */
static int load_schemes(void **state)
{
    FILE *f = fopen(PK_TEST_DATADIR "/schemes.ini", "rb");
    if (!f)
        return -1;
    char *text = malloc(65536);
    pk_schemes *s = malloc(sizeof *s);
    if (!text || !s) {
        fclose(f);
        free(text);
        free(s);
        return -1;
    }
    size_t n = fread(text, 1, 65535, f);
    fclose(f);
    text[n] = '\0';
    char err[256];
    int r = pk_schemes_parse(text, s, err, sizeof err);
    free(text);
    if (r != 0) {
        fprintf(stderr, "%s\n", err);
        free(s);
        return -1;
    }
    *state = s;
    return 0;
}

static int free_schemes(void **state)
{
    free(*state);
    return 0;
}

#define D(y, m, d) {(y), (m), (d)}

typedef struct tl_case {
    const char *label, *scheme;
    pk_date selected;
    bool has_completed;
    pk_date completed;
    pk_date deadline, completed_eff;
    int n_inc;
    pk_date inc[4][2];       /* due_from, due_to */
    int n_sur;
    pk_date sur[3][3];       /* opens, closes, paid_by */
    pk_rupiah incentive, survey, total;
} tl_case;

static const tl_case cases[] = {
    /* 2021: selected Mon 1 Mar; deadline Wed 31 Mar = completion;
     * scheduled Thu 1 Apr, then Sat 1 May, Tue 1 Jun, Thu 1 Jul. */
    {"2021 default completion", "2021", D(2021, 3, 1), false, D(0, 0, 0),
     D(2021, 3, 31), D(2021, 3, 31), 4,
     {{D(2021, 4, 6), D(2021, 4, 8)}, {D(2021, 5, 5), D(2021, 5, 7)},
      {D(2021, 6, 4), D(2021, 6, 8)}, {D(2021, 7, 6), D(2021, 7, 8)}},
     3,
     {{D(2021, 5, 8), D(2021, 6, 7), D(2021, 6, 21)},
      {D(2021, 6, 7), D(2021, 7, 7), D(2021, 7, 21)},
      {D(2021, 7, 7), D(2021, 8, 6), D(2021, 8, 20)}},
     600000, 50000, 3550000},
    /* 2020: completed Thu 30 Jan 2020 (leap year); scheduled Fri 31 Jan,
     * then 29 Feb (Sat, clamped), Tue 31 Mar, Thu 30 Apr. */
    {"2020 month-end clamping", "2020", D(2020, 1, 15), true, D(2020, 1, 30),
     D(2020, 2, 14), D(2020, 1, 30), 4,
     {{D(2020, 2, 5), D(2020, 2, 7)}, {D(2020, 3, 4), D(2020, 3, 6)},
      {D(2020, 4, 3), D(2020, 4, 7)}, {D(2020, 5, 5), D(2020, 5, 7)}},
     3,
     {{D(2020, 3, 8), D(2020, 4, 7), D(2020, 4, 21)},
      {D(2020, 4, 7), D(2020, 5, 7), D(2020, 5, 21)},
      {D(2020, 5, 7), D(2020, 6, 6), D(2020, 6, 20)}},
     600000, 50000, 3550000},
    /* 2022: selected Fri 2 Dec; deadline Sun 1 Jan 2023; scheduled Mon 2
     * Jan, Thu 2 Feb, Thu 2 Mar, Sun 2 Apr. */
    {"2022 across the year", "2022", D(2022, 12, 2), false, D(0, 0, 0),
     D(2023, 1, 1), D(2023, 1, 1), 4,
     {{D(2023, 1, 5), D(2023, 1, 9)}, {D(2023, 2, 7), D(2023, 2, 9)},
      {D(2023, 3, 7), D(2023, 3, 9)}, {D(2023, 4, 5), D(2023, 4, 7)}},
     3,
     {{D(2023, 2, 8), D(2023, 3, 10), D(2023, 3, 24)},
      {D(2023, 3, 10), D(2023, 4, 9), D(2023, 4, 23)},
      {D(2023, 4, 9), D(2023, 5, 9), D(2023, 5, 23)}},
     600000, 50000, 3550000},
    /* 2023: selected Fri 16 Jun; 15-day deadline Sat 1 Jul; scheduled
     * Sun 2 Jul: Mon-Wed, Thu-Fri. */
    {"2023 default completion", "2023", D(2023, 6, 16), false, D(0, 0, 0),
     D(2023, 7, 1), D(2023, 7, 1), 1,
     {{D(2023, 7, 5), D(2023, 7, 7)}},
     2,
     {{D(2023, 8, 6), D(2023, 9, 5), D(2023, 9, 19)},
      {D(2023, 9, 5), D(2023, 10, 5), D(2023, 10, 19)}},
     600000, 50000, 4200000},
    /* 2023 completed Tue 20 Jun: scheduled Wed 21 Jun, window spans a
     * weekend. */
    {"2023 early completion", "2023", D(2023, 6, 16), true, D(2023, 6, 20),
     D(2023, 7, 1), D(2023, 6, 20), 1,
     {{D(2023, 6, 26), D(2023, 6, 28)}},
     2,
     {{D(2023, 7, 28), D(2023, 8, 27), D(2023, 9, 10)},
      {D(2023, 8, 27), D(2023, 9, 26), D(2023, 10, 10)}},
     600000, 50000, 4200000},
    /* completed on the day of selection is allowed: Fri 16 Jun, scheduled
     * Sat 17 Jun: Mon-Wed, Thu-Fri. */
    {"2023 completed on selection day", "2023", D(2023, 6, 16), true, D(2023, 6, 16),
     D(2023, 7, 1), D(2023, 6, 16), 1,
     {{D(2023, 6, 21), D(2023, 6, 23)}},
     2,
     {{D(2023, 7, 23), D(2023, 8, 22), D(2023, 9, 5)},
      {D(2023, 8, 22), D(2023, 9, 21), D(2023, 10, 5)}},
     600000, 50000, 4200000},
};

static void assert_date(pk_date got, pk_date want, const char *label, const char *what, int i)
{
    if (pk_date_cmp(got, want) != 0)
        fail_msg("case '%s' %s[%d]: got %04d-%02d-%02d, want %04d-%02d-%02d", label, what, i,
                 got.y, got.m, got.d, want.y, want.m, want.d);
}

static void test_cases(void **state)
{
    const pk_schemes *schemes = *state;
    for (size_t i = 0; i < PK_ARRAY_LEN(cases); i++) {
        const tl_case *tc = &cases[i];
        const pk_scheme *s = pk_schemes_find(schemes, tc->scheme);
        assert_non_null(s);
        pk_timeline t;
        assert_int_equal(pk_timeline_compute(s, tc->selected,
                                             tc->has_completed ? &tc->completed : NULL, &t),
                         0);
        assert_date(t.selected, tc->selected, tc->label, "selected", 0);
        assert_date(t.purchase_deadline, tc->deadline, tc->label, "deadline", 0);
        assert_date(t.completed, tc->completed_eff, tc->label, "completed", 0);
        assert_int_equal(t.n_incentives, tc->n_inc);
        for (int k = 0; k < tc->n_inc; k++) {
            assert_date(t.incentives[k].due_from, tc->inc[k][0], tc->label, "due_from", k);
            assert_date(t.incentives[k].due_to, tc->inc[k][1], tc->label, "due_to", k);
            assert_int_equal(t.incentives[k].amount, tc->incentive);
        }
        assert_int_equal(t.n_surveys, tc->n_sur);
        for (int j = 0; j < tc->n_sur; j++) {
            assert_date(t.surveys[j].opens, tc->sur[j][0], tc->label, "opens", j);
            assert_date(t.surveys[j].closes, tc->sur[j][1], tc->label, "closes", j);
            assert_date(t.surveys[j].paid_by, tc->sur[j][2], tc->label, "paid_by", j);
            assert_int_equal(t.surveys[j].amount, tc->survey);
        }
        assert_int_equal(t.total, tc->total);
    }
}

static void test_errors(void **state)
{
    const pk_schemes *schemes = *state;
    const pk_scheme *s = pk_schemes_find(schemes, "2021");
    pk_timeline t;
    pk_date sel = {2021, 3, 1}, before = {2021, 2, 28}, bad = {2021, 2, 30};
    assert_int_equal(pk_timeline_compute(s, sel, &before, &t), PK_EINVAL);
    assert_int_equal(pk_timeline_compute(s, sel, &bad, &t), PK_EINVAL);
    assert_int_equal(pk_timeline_compute(s, bad, NULL, &t), PK_EINVAL);

    /* Dates past 9999-12-31 are refused, not cut to the year 9999. */
    pk_date last = {9999, 12, 20}, early = {9999, 1, 1}, end = {9999, 12, 31};
    assert_int_equal(pk_timeline_compute(s, last, NULL, &t), PK_ETOOBIG);
    assert_int_equal(t.purchase_deadline.y, 0);
    assert_int_equal(pk_timeline_compute(s, early, &end, &t), PK_ETOOBIG);
    assert_int_equal(pk_timeline_compute(s, early, NULL, &t), 0);
    assert_true(pk_date_valid(t.surveys[t.n_surveys - 1].paid_by));

    /* Counts above PK_TIMELINE_MAX cannot be represented. */
    pk_scheme big = *s;
    big.incentive_months = PK_TIMELINE_MAX + 1;
    assert_int_equal(pk_timeline_compute(&big, sel, NULL, &t), PK_EINVAL);
    big.incentive_months = PK_TIMELINE_MAX;
    assert_int_equal(pk_timeline_compute(&big, sel, NULL, &t), 0);
    assert_int_equal(t.n_incentives, PK_TIMELINE_MAX);
    big.survey_count = PK_TIMELINE_MAX + 1;
    assert_int_equal(pk_timeline_compute(&big, sel, NULL, &t), PK_EINVAL);

    /* Surveys are timed from the first incentive: none, no surveys. */
    pk_scheme none = *s;
    none.incentive_months = 0;
    assert_int_equal(pk_timeline_compute(&none, sel, NULL, &t), PK_EINVAL);
    none.survey_count = 0;
    assert_int_equal(pk_timeline_compute(&none, sel, NULL, &t), 0);
    assert_int_equal(t.n_incentives, 0);
    assert_int_equal(t.n_surveys, 0);
    assert_int_equal(t.total, 1000000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, load_schemes, free_schemes);
}
