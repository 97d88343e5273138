/* test_family.c -- unit tests of the family-card limit (core/family.c):
 * a table of families, each member's verdict and whether it is to be
 * written, then the limits of the real schemes of data/schemes.ini, then
 * the rule's invariants over many generated families. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/family.h"
#include "core/pk.h"
#include "core/scheme.h"

#define B(c) PK_CODEBIT(PK_C_##c)
#define OK 0
#define FULL B(KUOTA_KK_PENUH)
#define AGE B(USIA_KURANG)
#define JOB B(PEKERJAAN_DIKECUALIKAN)
#define LIST B(DAFTAR_HITAM)

/* One member: what the registry passes in, and what must come out. */
typedef struct fm_spec {
    pk_codeset base, stored;
    int kk_max;
    bool pending;
    pk_codeset want;
    bool want_changed;
} fm_spec;

/* A row about to be written (new, or an update in its own place). */
#define ROW(base, max, want) {(base), 0, (max), true, (want), true}
/* A stored member: base reasons, stored verdict, limit, then the verdict
 * wanted and whether it must be written again. */
#define ST(base, stored, max, want, changed) {(base), (stored), (max), false, (want), (changed)}

#define FAM_MAX 8

typedef struct fam_case {
    const char *label;
    size_t n;
    fm_spec m[FAM_MAX];
} fam_case;

static const fam_case cases[] = {
    {"an empty family", 0, {{0}}},
    {"one new member", 1, {ROW(OK, 2, OK)}},
    {"kk_max 2: the third new member is over", 3,
     {ROW(OK, 2, OK), ROW(OK, 2, OK), ROW(OK, 2, FULL)}},
    {"kk_max 1: the second new member is over", 2, {ROW(OK, 1, OK), ROW(OK, 1, FULL)}},
    {"kk_max 0 is no limit (scheme 2020)", 5,
     {ROW(OK, 0, OK), ROW(OK, 0, OK), ROW(OK, 0, OK), ROW(OK, 0, OK), ROW(OK, 0, OK)}},
    {"a family larger than the limit: everyone after the second is over", 7,
     {ROW(OK, 2, OK), ROW(OK, 2, OK), ROW(OK, 2, FULL), ROW(OK, 2, FULL), ROW(OK, 2, FULL),
      ROW(OK, 2, FULL), ROW(OK, 2, FULL)}},
    {"kk_max 1, family of four", 4,
     {ST(OK, OK, 1, OK, false), ST(OK, FULL, 1, FULL, false), ROW(OK, 1, FULL),
      ROW(OK, 1, FULL)}},
    {"an ineligible member does not count: its place goes to the next", 4,
     {ROW(AGE, 2, AGE), ROW(OK, 2, OK), ROW(OK, 2, OK), ROW(OK, 2, FULL)}},
    {"kk_max 1, the first ineligible: the second takes the place", 3,
     {ST(JOB, JOB, 1, JOB, false), ST(OK, OK, 1, OK, false), ROW(OK, 1, FULL)}},
    {"an ineligible member over the limit keeps only its own reasons", 3,
     {ST(OK, OK, 2, OK, false), ST(OK, OK, 2, OK, false), ROW(AGE | LIST, 2, AGE | LIST)}},
    {"stored members re-evaluated with nothing new: nothing to write", 4,
     {ST(OK, OK, 2, OK, false), ST(AGE, AGE, 2, AGE, false), ST(OK, OK, 2, OK, false),
      ST(OK, FULL, 2, FULL, false)}},
    {"members already over the limit stay over", 4,
     {ST(OK, OK, 2, OK, false), ST(OK, OK, 2, OK, false), ST(OK, FULL, 2, FULL, false),
      ST(OK, FULL, 2, FULL, false)}},
    {"a member updated to ineligible frees its place for the next one", 3,
     {ROW(JOB, 2, JOB), ST(OK, OK, 2, OK, false), ST(OK, FULL, 2, OK, true)}},
    {"a member put on a list (re-evaluated) frees its place", 4,
     {ST(OK, OK, 2, OK, false), ST(LIST, OK, 2, LIST, true), ST(OK, FULL, 2, OK, true),
      ST(OK, FULL, 2, FULL, false)}},
    {"a member eligible again takes its place back: the latest is over again", 3,
     {ST(OK, LIST, 2, OK, true), ST(OK, OK, 2, OK, false), ST(OK, OK, 2, FULL, true)}},
    {"a member updated to eligible again, in its own place", 3,
     {ST(OK, OK, 2, OK, false), ROW(OK, 2, OK), ST(OK, OK, 2, FULL, true)}},
    {"a member left the family (moved card): the one over the limit is eligible again", 2,
     {ST(OK, OK, 2, OK, false), ST(OK, FULL, 2, OK, true)}},
    {"a repeated NIK updates the member in its place, before the later ones", 4,
     {ST(OK, OK, 2, OK, false), ROW(OK, 2, OK), ST(OK, OK, 2, FULL, true), ROW(OK, 2, FULL)}},
    {"a repeat folded in a bulk load keeps its base as verdict: the limit again", 3,
     {ST(OK, OK, 2, OK, false), ST(OK, OK, 2, OK, false), ST(OK, OK, 2, FULL, true)}},
    {"new rows come after every stored member, in batch order", 5,
     {ST(AGE, AGE, 2, AGE, false), ST(OK, OK, 2, OK, false), ROW(OK, 2, OK), ROW(OK, 2, FULL),
      ROW(AGE, 2, AGE)}},
    {"an update of a member over the limit stays over", 3,
     {ST(OK, OK, 2, OK, false), ST(OK, OK, 2, OK, false), ROW(OK, 2, FULL)}},
    {"a stale kuota_kk_penuh beside other reasons goes", 2,
     {ST(OK, OK, 1, OK, false), ST(AGE, AGE | FULL, 1, AGE, true)}},
    {"schemes mixed: members without a limit count towards the others'", 3,
     {ST(OK, OK, 0, OK, false), ST(OK, OK, 0, OK, false), ROW(OK, 2, FULL)}},
    {"schemes mixed: a member without a limit is never over", 4,
     {ST(OK, OK, 2, OK, false), ST(OK, OK, 2, OK, false), ROW(OK, 0, OK), ROW(OK, 2, FULL)}},
    {"schemes mixed: each member's own limit", 5,
     {ST(OK, OK, 2, OK, false), ROW(OK, 1, FULL), ROW(OK, 2, OK), ROW(OK, 3, OK),
      ROW(OK, 3, FULL)}},
};

static void codes_str(pk_codeset s, char *out, size_t cap)
{
    out[0] = '\0';
    for (pk_code c = 0; c < PK_C__COUNT; c++)
        if (s & PK_CODEBIT(c)) {
            size_t l = strlen(out);
            snprintf(out + l, cap - l, "%s%s", l ? ";" : "", pk_code_name(c));
        }
    if (out[0] == '\0')
        snprintf(out, cap, "eligible");
}

static void test_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < PK_ARRAY_LEN(cases); i++) {
        const fam_case *tc = &cases[i];
        pk_family_member m[FAM_MAX];
        size_t want_changed = 0;
        memset(m, 0xA5, sizeof(m)); /* the outputs must all be set */
        for (size_t j = 0; j < tc->n; j++) {
            m[j].base = tc->m[j].base;
            m[j].stored = tc->m[j].stored;
            m[j].kk_max = tc->m[j].kk_max;
            m[j].pending = tc->m[j].pending;
            want_changed += tc->m[j].want_changed;
        }
        size_t changed = pk_family_apply(m, tc->n);
        for (size_t j = 0; j < tc->n; j++) {
            if (m[j].verdict != tc->m[j].want) {
                char g[256], w[256];
                codes_str(m[j].verdict, g, sizeof g);
                codes_str(tc->m[j].want, w, sizeof w);
                fail_msg("case '%s', member %zu: got '%s', want '%s'", tc->label, j + 1, g, w);
            }
            if (m[j].changed != tc->m[j].want_changed)
                fail_msg("case '%s', member %zu: changed %d, want %d", tc->label, j + 1,
                         m[j].changed, tc->m[j].want_changed);
        }
        if (changed != want_changed)
            fail_msg("case '%s': %zu changed, want %zu", tc->label, changed, want_changed);
    }
}

/* The limits of the real schemes (moved from test_eligibility.c, which
 * gave a count of eligible members before): 2020 has none, 2021-2023
 * allow 2 per card. */
static int load_schemes(void **state)
{
    FILE *f = fopen(PK_TEST_DATADIR "/schemes.ini", "rb");
    if (!f)
        return -1;
    char *text = malloc(65536);
    pk_schemes *s = malloc(sizeof *s);
    size_t n = text ? fread(text, 1, 65535, f) : 0;
    fclose(f);
    char err[256];
    if (!text || !s || (text[n] = '\0', pk_schemes_parse(text, s, err, sizeof err)) != 0) {
        free(text);
        free(s);
        return -1;
    }
    free(text);
    *state = s;
    return 0;
}

static int free_schemes(void **state)
{
    free(*state);
    return 0;
}

static void test_real_schemes(void **state)
{
    const pk_schemes *schemes = *state;
    static const struct {
        const char *scheme;
        int eligible;       /* of six eligible members registering */
    } want[] = {{"2020", 6}, {"2021", 2}, {"2022", 2}, {"2023", 2}};
    for (size_t i = 0; i < PK_ARRAY_LEN(want); i++) {
        const pk_scheme *s = pk_schemes_find(schemes, want[i].scheme);
        assert_non_null(s);
        pk_family_member m[6];
        for (size_t j = 0; j < 6; j++)
            m[j] = (pk_family_member){.base = 0, .kk_max = s->kk_max, .pending = true};
        assert_int_equal(pk_family_apply(m, 6), 6);
        for (int j = 0; j < 6; j++)
            if (m[j].verdict != (j < want[i].eligible ? OK : FULL))
                fail_msg("scheme %s, member %d: verdict %llx", want[i].scheme, j + 1,
                         (unsigned long long)m[j].verdict);
    }
}

/* Invariants over generated families: a verdict is the base reasons, plus
 * kuota_kk_penuh only for a member eligible otherwise with at least its
 * kk_max eligible members before it; a verdict depends only on the members
 * before it (a prefix gets the same verdicts); applying it to what it
 * wrote changes nothing. */
static uint64_t next(uint64_t *seed)
{
    *seed = *seed * 6364136223846793005u + 1442695040888963407u;
    return *seed >> 33;
}

static void test_invariants(void **state)
{
    (void)state;
    uint64_t seed = 0x9E3779B97F4A7C15u;
    static const pk_codeset bases[] = {OK, OK, OK, AGE, JOB | LIST};
    static const pk_codeset stored[] = {OK, FULL, AGE, AGE | FULL};
    for (int round = 0; round < 20000; round++) {
        pk_family_member m[FAM_MAX], p[FAM_MAX];
        size_t n = (size_t)(next(&seed) % (FAM_MAX + 1));
        for (size_t j = 0; j < n; j++)
            m[j] = (pk_family_member){.base = bases[next(&seed) % 5],
                                      .stored = stored[next(&seed) % 4],
                                      .kk_max = (int)(next(&seed) % 4),
                                      .pending = next(&seed) % 2 != 0};
        memcpy(p, m, n * sizeof(m[0]));
        size_t changed = pk_family_apply(m, n), count = 0, eligible = 0;
        for (size_t j = 0; j < n; j++) {
            assert_int_equal(m[j].verdict & ~FULL, m[j].base);
            bool over = m[j].base == 0 && m[j].kk_max > 0 && eligible >= (size_t)m[j].kk_max;
            assert_int_equal((m[j].verdict & FULL) != 0, over);
            eligible += m[j].verdict == 0;
            assert_int_equal(m[j].changed, m[j].pending || m[j].verdict != m[j].stored);
            count += m[j].changed;
        }
        assert_int_equal(changed, count);
        size_t k = n ? (size_t)(next(&seed) % n) : 0;
        pk_family_apply(p, k);
        for (size_t j = 0; j < k; j++)
            assert_int_equal(p[j].verdict, m[j].verdict);
        for (size_t j = 0; j < n; j++) {
            m[j].stored = m[j].verdict;
            m[j].pending = false;
        }
        assert_int_equal(pk_family_apply(m, n), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test_setup_teardown(test_real_schemes, load_schemes, free_schemes),
        cmocka_unit_test(test_invariants),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
