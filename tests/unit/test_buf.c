/* test_buf.c -- the capped byte buffer: appends, the cap, steal. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/pk.h"

/* One step of a script run against a fresh buffer. */
typedef enum { OP_ADD, OP_ADDS, OP_ADDC, OP_PRINTF_INT, OP_RESET } op_kind;

typedef struct {
    op_kind op;
    const char *s; /* OP_ADD/OP_ADDS: text; OP_PRINTF_INT: format */
    int n;         /* OP_ADDC: the char; OP_PRINTF_INT: the argument */
    int want_rc;
} step;

typedef struct {
    const char *label;
    size_t max;
    step steps[6];
    size_t nsteps;
    const char *want;
} script_case;

static const script_case script_cases[] = {
    {"empty", 10, {{0}}, 0, ""},
    {"one add", 10, {{OP_ADD, "abc", 0, 0}}, 1, "abc"},
    {"adds and addc", 10, {{OP_ADDS, "ab", 0, 0}, {OP_ADDC, NULL, 'c', 0}}, 2, "abc"},
    {"exactly max", 5, {{OP_ADDS, "abcde", 0, 0}}, 1, "abcde"},
    {"over max in one add", 5, {{OP_ADDS, "abcdef", 0, PK_ENOMEM}}, 1, ""},
    {"over max leaves earlier data", 5,
     {{OP_ADDS, "abc", 0, 0}, {OP_ADDS, "def", 0, PK_ENOMEM}}, 2, "abc"},
    /* errors stick: once an append failed, a later one that would fit
     * fails too, so no output goes out with a hole in it */
    {"error sticks", 5,
     {{OP_ADDS, "abc", 0, 0}, {OP_ADDS, "def", 0, PK_ENOMEM}, {OP_ADDC, NULL, 'd', PK_ENOMEM},
      {OP_PRINTF_INT, "%d", 1, PK_ENOMEM}, {OP_ADD, "", 0, PK_ENOMEM}}, 5, "abc"},
    {"reset clears the error", 5,
     {{OP_ADDS, "abcdef", 0, PK_ENOMEM}, {OP_RESET, NULL, 0, 0}, {OP_ADDS, "xy", 0, 0}}, 3,
     "xy"},
    {"addc at max", 2,
     {{OP_ADDC, NULL, 'a', 0}, {OP_ADDC, NULL, 'b', 0}, {OP_ADDC, NULL, 'c', PK_ENOMEM}}, 3,
     "ab"},
    {"printf", 20, {{OP_ADDS, "n=", 0, 0}, {OP_PRINTF_INT, "%d!", 42, 0}}, 2, "n=42!"},
    {"printf over max unchanged", 4,
     {{OP_ADDS, "ab", 0, 0}, {OP_PRINTF_INT, "%d", 123, PK_ENOMEM}}, 2, "ab"},
    {"printf exactly max", 4, {{OP_ADDS, "a", 0, 0}, {OP_PRINTF_INT, "%d", 123, 0}}, 2,
     "a123"},
    {"reset then add", 4,
     {{OP_ADDS, "abcd", 0, 0}, {OP_RESET, NULL, 0, 0}, {OP_ADDS, "xy", 0, 0}}, 3, "xy"},
    {"max zero", 0, {{OP_ADDC, NULL, 'a', PK_ENOMEM}, {OP_ADD, "", 0, PK_ENOMEM}}, 2, ""},
    {"empty add", 3, {{OP_ADD, "", 0, 0}}, 1, ""},
};

static int run_step(pk_buf *b, const step *s)
{
    switch (s->op) {
    case OP_ADD: return pk_buf_add(b, s->s, strlen(s->s));
    case OP_ADDS: return pk_buf_adds(b, s->s);
    case OP_ADDC: return pk_buf_addc(b, (char)s->n);
    case OP_PRINTF_INT: return pk_buf_printf(b, s->s, s->n);
    case OP_RESET: pk_buf_reset(b); return 0;
    }
    return -100;
}

static void test_scripts(void **state)
{
    (void)state;
    for (size_t i = 0; i < PK_ARRAY_LEN(script_cases); i++) {
        const script_case *c = &script_cases[i];
        pk_buf b;
        pk_buf_init(&b, c->max);
        for (size_t k = 0; k < c->nsteps; k++) {
            int rc = run_step(&b, &c->steps[k]);
            if (rc != c->steps[k].want_rc)
                fail_msg("case '%s' step %zu: rc %d, want %d", c->label, k, rc,
                         c->steps[k].want_rc);
        }
        if (strcmp(pk_buf_str(&b), c->want) != 0 || b.len != strlen(c->want))
            fail_msg("case '%s': got '%s' (len %zu), want '%s'", c->label, pk_buf_str(&b),
                     b.len, c->want);
        if (b.len > b.max)
            fail_msg("case '%s': len %zu passed max %zu", c->label, b.len, b.max);
        /* pk_buf_failed tells whether an append failed since the last reset */
        int want_err = 0;
        for (size_t k = 0; k < c->nsteps; k++)
            want_err = c->steps[k].op == OP_RESET ? 0 : want_err ? want_err : c->steps[k].want_rc;
        if (pk_buf_failed(&b) != want_err)
            fail_msg("case '%s': failed %d, want %d", c->label, pk_buf_failed(&b), want_err);
        if (b.data && b.data[b.len] != '\0')
            fail_msg("case '%s': not NUL-terminated", c->label);
        pk_buf_free(&b);
    }
}

static void test_growth(void **state)
{
    (void)state;
    pk_buf b;
    pk_buf_init(&b, 100000);
    size_t reallocs = 0, last_cap = 0;
    for (int i = 0; i < 100000; i++) {
        assert_int_equal(pk_buf_addc(&b, (char)('a' + i % 26)), 0);
        if (b.cap != last_cap) {
            reallocs++;
            last_cap = b.cap;
        }
        assert_true(b.cap <= b.max + 1);
    }
    assert_int_equal(b.len, 100000);
    assert_int_equal(pk_buf_addc(&b, 'x'), PK_ENOMEM);
    assert_int_equal(b.len, 100000);
    /* Geometric growth: a handful of reallocations, not one per byte. */
    assert_true(reallocs < 20);
    for (size_t i = 0; i < b.len; i++)
        if (b.data[i] != (char)('a' + i % 26))
            fail_msg("byte %zu corrupted", i);
    assert_int_equal(b.data[b.len], '\0');
    pk_buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
}

static void test_steal(void **state)
{
    (void)state;
    pk_buf b;
    pk_buf_init(&b, 64);
    size_t len = 99;
    char *p = pk_buf_steal(&b, &len);
    assert_non_null(p);
    assert_string_equal(p, "");
    assert_int_equal(len, 0);
    free(p);

    assert_int_equal(pk_buf_printf(&b, "%s-%03d", "kartu", 7), 0);
    p = pk_buf_steal(&b, &len);
    assert_string_equal(p, "kartu-007");
    assert_int_equal(len, 9);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_string_equal(pk_buf_str(&b), "");
    free(p);

    /* The buffer is usable again after a steal, with the same cap. */
    assert_int_equal(pk_buf_adds(&b, "lagi"), 0);
    assert_string_equal(pk_buf_str(&b), "lagi");
    assert_int_equal(b.max, 64);
    pk_buf_free(&b);
}

static void test_binary(void **state)
{
    (void)state;
    pk_buf b;
    pk_buf_init(&b, 16);
    const char bytes[4] = {'a', '\0', 'b', '\0'};
    assert_int_equal(pk_buf_add(&b, bytes, sizeof(bytes)), 0);
    assert_int_equal(b.len, 4);
    assert_memory_equal(b.data, bytes, 4);
    assert_int_equal(b.data[4], '\0');
    pk_buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(pk_buf_str(&b), "");
    pk_buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scripts),
        cmocka_unit_test(test_growth),
        cmocka_unit_test(test_steal),
        cmocka_unit_test(test_binary),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
