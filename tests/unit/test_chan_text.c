/* test_chan_text.c -- a gateway's words made safe for a log
 * (pk_chan_safe_text, app/channel_http.h): numbers of 5 digits or more,
 * however they are written, become "#"; short numbers and words stay. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "app/channel_http.h"

static void safe(const char *in, const char *want)
{
    char out[128];
    pk_chan_safe_text(out, sizeof out, in);
    if (strcmp(out, want) != 0)
        fail_msg("%s -> \"%s\", want \"%s\"", in, out, want);
}

static void phone_numbers_however_written(void **state)
{
    (void)state;
    safe("invalid number 6281234567890", "invalid number #");
    safe("invalid number +62 812-3456-7890 rejected", "invalid number # rejected");
    safe("to: +62.812.3456.7890.", "to: #.");
    safe("office (021) 555 1234, call", "office #, call");
    safe("(0812) 3456 7890", "#");
    safe("081234567890-", "#-");
}

static void short_numbers_and_words_stay(void **state)
{
    (void)state;
    safe("HTTP 400 (bad request)", "HTTP 400 (bad request)");
    safe("rate 12.5% in 3 - 4 s", "rate 12.5% in 3 - 4 s");
    safe("(021)", "(021)");
    safe("+ 12 (a)", "+ 12 (a)");
    safe("error 1234", "error 1234");
    safe("", "");
}

static void unprintable_and_truncated(void **state)
{
    (void)state;
    safe("caf\xc3\xa9\tok\n", "caf   ok ");
    char out[6];
    pk_chan_safe_text(out, sizeof out, "abcdefgh 0812345678");
    assert_string_equal(out, "abcde");
    pk_chan_safe_text(out, sizeof out, NULL);
    assert_string_equal(out, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(phone_numbers_however_written),
        cmocka_unit_test(short_numbers_and_words_stay),
        cmocka_unit_test(unprintable_and_truncated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
