/* test_backoff.c -- the schedule of the account back-off of logins
 * (pk_auth_backoff, app/auth.c): none below login_max_failures, then
 * login_backoff doubling with each further failure, up to
 * login_backoff_max; off when either is 0. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "app/auth.h"
#include "app/config.h"
#include "core/pk.h"

static const struct {
    int max_failures, backoff, backoff_max;
    int64_t failures, want;
} cases[] = {
    /* the defaults: 5 failures, 1 s doubling up to 60 s */
    {5, 1, 60, 0, 0},
    {5, 1, 60, 4, 0},
    {5, 1, 60, 5, 1},
    {5, 1, 60, 6, 2},
    {5, 1, 60, 7, 4},
    {5, 1, 60, 10, 32},
    {5, 1, 60, 11, 60},
    {5, 1, 60, 12, 60},
    {5, 1, 60, 1000000, 60},   /* no overflow however many */
    {5, 1, 60, INT64_MAX, 60},
    /* other settings */
    {2, 30, 600, 1, 0},
    {2, 30, 600, 2, 30},
    {2, 30, 600, 3, 60},
    {2, 30, 600, 6, 480},
    {2, 30, 600, 7, 600},
    {1, 3600, 86400, 40, 86400},
    {3, 10, 5, 3, 5},          /* a cap below the first step wins */
    /* off */
    {5, 0, 60, 9, 0},
    {5, 1, 0, 9, 0},
};

static void schedule(void **state)
{
    (void)state;
    for (size_t i = 0; i < PK_ARRAY_LEN(cases); i++) {
        pk_config cfg;
        pk_config_defaults(&cfg);
        cfg.login_max_failures = cases[i].max_failures;
        cfg.login_backoff = cases[i].backoff;
        cfg.login_backoff_max = cases[i].backoff_max;
        int64_t got = pk_auth_backoff(&cfg, cases[i].failures);
        if (got != cases[i].want)
            fail_msg("case %zu: %lld failures -> %lld s, want %lld", i,
                     (long long)cases[i].failures, (long long)got, (long long)cases[i].want);
    }
}

static void defaults(void **state)
{
    (void)state;
    pk_config cfg;
    pk_config_defaults(&cfg);
    assert_int_equal(cfg.login_max_failures, 5);
    assert_int_equal(cfg.login_window, 900);
    assert_int_equal(cfg.login_max_failures_address, 100);
    assert_int_equal(cfg.login_backoff, 1);
    assert_int_equal(cfg.login_backoff_max, 60);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(schedule),
        cmocka_unit_test(defaults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
