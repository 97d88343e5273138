/* test_eligibility.c -- unit tests of the eligibility rules
 * (core/eligibility.c) under the real schemes of data/schemes.ini.  The
 * family-card limit is not among them: test_family.c. */
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/eligibility.h"
#include "core/pk.h"
#include "core/scheme.h"

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

#define B(c) PK_CODEBIT(PK_C_##c)
#define D(y, m, d) {(y), (m), (d)}
#define CTX false
#define NOCTX true /* pass ctx = NULL */

typedef struct el_case {
    const char *label, *scheme;
    pk_date birth, as_of;
    pk_occupation job;
    unsigned lists;
    bool no_ctx;       /* NOCTX: no context at all */
    pk_codeset want;
} el_case;

static const el_case cases[] = {
    {"eligible", "2023", D(1990, 5, 5), D(2023, 6, 1), PK_JOB_LAINNYA, 0, CTX, 0},
    {"no occupation given", "2023", D(1990, 5, 5), D(2023, 6, 1), PK_JOB_NONE, 0, CTX, 0},
    {"no context", "2021", D(1990, 5, 5), D(2021, 6, 1), PK_JOB_WIRASWASTA, 0, NOCTX, 0},
    /* ages */
    {"18 today", "2023", D(2005, 6, 1), D(2023, 6, 1), PK_JOB_NONE, 0, CTX, 0},
    {"18 tomorrow", "2023", D(2005, 6, 2), D(2023, 6, 1), PK_JOB_NONE, 0, CTX, B(USIA_KURANG)},
    {"born today", "2020", D(2020, 6, 1), D(2020, 6, 1), PK_JOB_NONE, 0, CTX, B(USIA_KURANG)},
    {"29 Feb, 18 on 29 Feb", "2020", D(2002, 2, 29), D(2020, 2, 29), PK_JOB_NONE, 0, CTX, 0},
    {"29 Feb, 17 on 28 Feb", "2020", D(2002, 2, 29), D(2020, 2, 28), PK_JOB_NONE, 0, CTX,
     B(USIA_KURANG)},
    {"29 Feb, still 17 on 28 Feb of a common year", "2020", D(2000, 2, 29), D(2018, 2, 28),
     PK_JOB_NONE, 0, CTX, B(USIA_KURANG)},
    {"29 Feb, 18 on 1 Mar of a common year", "2020", D(2000, 2, 29), D(2018, 3, 1),
     PK_JOB_NONE, 0, CTX, 0},
    {"64 on 2023", "2023", D(1959, 6, 1), D(2023, 6, 1), PK_JOB_NONE, 0, CTX, 0},
    {"65 tomorrow on 2023", "2023", D(1958, 6, 2), D(2023, 6, 1), PK_JOB_NONE, 0, CTX, 0},
    {"65 today on 2023", "2023", D(1958, 6, 1), D(2023, 6, 1), PK_JOB_NONE, 0, CTX, B(USIA_LEBIH)},
    {"80 on 2020 (no upper limit)", "2020", D(1940, 1, 1), D(2020, 4, 1), PK_JOB_NONE, 0, CTX, 0},
    {"80 on 2022 (no upper limit)", "2022", D(1942, 1, 1), D(2022, 4, 1), PK_JOB_NONE, 0, CTX, 0},
    /* occupations */
    {"pelajar", "2021", D(2001, 1, 1), D(2021, 6, 1), PK_JOB_PELAJAR, 0, CTX, B(SEDANG_SEKOLAH)},
    {"mahasiswa", "2023", D(2001, 1, 1), D(2023, 6, 1), PK_JOB_MAHASISWA, 0, CTX,
     B(SEDANG_SEKOLAH)},
    {"asn", "2023", D(1980, 1, 1), D(2023, 6, 1), PK_JOB_ASN, 0, CTX, B(PEKERJAAN_DIKECUALIKAN)},
    {"tni", "2020", D(1980, 1, 1), D(2020, 6, 1), PK_JOB_TNI, 0, CTX, B(PEKERJAAN_DIKECUALIKAN)},
    {"polri", "2021", D(1980, 1, 1), D(2021, 6, 1), PK_JOB_POLRI, 0, CTX,
     B(PEKERJAAN_DIKECUALIKAN)},
    {"pejabat negara", "2022", D(1980, 1, 1), D(2022, 6, 1), PK_JOB_PEJABAT_NEGARA, 0, CTX,
     B(PEKERJAAN_DIKECUALIKAN)},
    {"anggota dpr", "2023", D(1980, 1, 1), D(2023, 6, 1), PK_JOB_ANGGOTA_DPR, 0, CTX,
     B(PEKERJAAN_DIKECUALIKAN)},
    {"anggota dprd", "2023", D(1980, 1, 1), D(2023, 6, 1), PK_JOB_ANGGOTA_DPRD, 0, CTX,
     B(PEKERJAAN_DIKECUALIKAN)},
    {"kepala desa", "2023", D(1980, 1, 1), D(2023, 6, 1), PK_JOB_KEPALA_DESA, 0, CTX,
     B(PEKERJAAN_DIKECUALIKAN)},
    {"perangkat desa", "2023", D(1980, 1, 1), D(2023, 6, 1), PK_JOB_PERANGKAT_DESA, 0, CTX,
     B(PEKERJAAN_DIKECUALIKAN)},
    {"direksi bumn", "2023", D(1980, 1, 1), D(2023, 6, 1), PK_JOB_DIREKSI_BUMN_BUMD, 0, CTX,
     B(PEKERJAAN_DIKECUALIKAN)},
    {"karyawan swasta", "2023", D(1980, 1, 1), D(2023, 6, 1), PK_JOB_KARYAWAN_SWASTA, 0, CTX, 0},
    /* exclusion lists */
    {"dtks in 2021", "2021", D(1990, 1, 1), D(2021, 6, 1), PK_JOB_NONE, PK_LIST_DTKS, CTX,
     B(PENERIMA_BANSOS)},
    {"bsu in 2022", "2022", D(1990, 1, 1), D(2022, 6, 1), PK_JOB_NONE, PK_LIST_BSU, CTX,
     B(PENERIMA_BANSOS)},
    {"bpum in 2021", "2021", D(1990, 1, 1), D(2021, 6, 1), PK_JOB_NONE, PK_LIST_BPUM, CTX,
     B(PENERIMA_BANSOS)},
    {"dtks in 2023 is allowed", "2023", D(1990, 1, 1), D(2023, 6, 1), PK_JOB_NONE,
     PK_LIST_DTKS | PK_LIST_BSU | PK_LIST_BPUM, CTX, 0},
    {"dtks in 2020 is allowed", "2020", D(1990, 1, 1), D(2020, 6, 1), PK_JOB_NONE, PK_LIST_DTKS,
     CTX, 0},
    {"daftar hitam 2020", "2020", D(1990, 1, 1), D(2020, 6, 1), PK_JOB_NONE,
     PK_LIST_DAFTAR_HITAM, CTX, B(DAFTAR_HITAM)},
    {"daftar hitam 2023", "2023", D(1990, 1, 1), D(2023, 6, 1), PK_JOB_NONE,
     PK_LIST_DAFTAR_HITAM, CTX, B(DAFTAR_HITAM)},
    {"penerima sebelumnya 2021", "2021", D(1990, 1, 1), D(2021, 6, 1), PK_JOB_NONE,
     PK_LIST_PENERIMA_SEBELUMNYA, CTX, B(PERNAH_MENERIMA)},
    {"penerima sebelumnya 2023", "2023", D(1990, 1, 1), D(2023, 6, 1), PK_JOB_NONE,
     PK_LIST_PENERIMA_SEBELUMNYA, CTX, B(PERNAH_MENERIMA)},
    {"lists ignored without context", "2021", D(1990, 1, 1), D(2021, 6, 1), PK_JOB_NONE, 0,
     NOCTX, 0},
    /* everything at once */
    {"all reasons, 2021", "2021", D(2004, 1, 1), D(2021, 6, 1), PK_JOB_PELAJAR,
     PK_LIST_DTKS | PK_LIST_DAFTAR_HITAM | PK_LIST_PENERIMA_SEBELUMNYA, CTX,
     B(USIA_KURANG) | B(SEDANG_SEKOLAH) | B(PENERIMA_BANSOS) | B(DAFTAR_HITAM) |
         B(PERNAH_MENERIMA)},
    {"old official on 2023", "2023", D(1950, 1, 1), D(2023, 6, 1), PK_JOB_POLRI, PK_LIST_BPUM, CTX,
     B(USIA_LEBIH) | B(PEKERJAAN_DIKECUALIKAN)},
};

static void codes_str(pk_codeset s, char *out, size_t cap)
{
    out[0] = '\0';
    for (pk_code c = 0; c < PK_C__COUNT; c++) {
        if (s & PK_CODEBIT(c)) {
            size_t l = strlen(out);
            snprintf(out + l, cap - l, "%s%s", l ? ";" : "", pk_code_name(c));
        }
    }
}

static void test_cases(void **state)
{
    const pk_schemes *schemes = *state;
    for (size_t i = 0; i < PK_ARRAY_LEN(cases); i++) {
        const el_case *tc = &cases[i];
        const pk_scheme *s = pk_schemes_find(schemes, tc->scheme);
        assert_non_null(s);
        pk_participant p;
        memset(&p, 0, sizeof p);
        p.tanggal_lahir = tc->birth;
        p.pekerjaan = tc->job;
        p.segmen = PK_SEG_PENCARI_KERJA;
        pk_eligibility_context ctx = {tc->lists};
        pk_codeset got = pk_eligibility(&p, s, tc->as_of, tc->no_ctx ? NULL : &ctx);
        if (got != tc->want) {
            char g[512], w[512];
            codes_str(got, g, sizeof g);
            codes_str(tc->want, w, sizeof w);
            fail_msg("case '%s': got '%s', want '%s'", tc->label, g, w);
        }
    }
}

/* Every occupation: exactly the ones the domain excludes are excluded. */
static void test_every_occupation(void **state)
{
    const pk_schemes *schemes = *state;
    const pk_scheme *s = pk_schemes_find(schemes, "2023");
    int excluded = 0, school = 0;
    for (int o = 0; o < PK_JOB__COUNT; o++) {
        pk_participant p;
        memset(&p, 0, sizeof p);
        p.tanggal_lahir = (pk_date){1990, 1, 1};
        p.pekerjaan = (pk_occupation)o;
        pk_codeset r = pk_eligibility(&p, s, (pk_date){2023, 6, 1}, NULL);
        excluded += (r & B(PEKERJAAN_DIKECUALIKAN)) != 0;
        school += (r & B(SEDANG_SEKOLAH)) != 0;
        assert_true((r & ~(B(PEKERJAAN_DIKECUALIKAN) | B(SEDANG_SEKOLAH))) == 0);
    }
    assert_int_equal(excluded, 9);
    assert_int_equal(school, 2);
}

/* The sentences people read state the scheme's limits. */
static void test_reason_sentences(void **state)
{
    const pk_schemes *schemes = *state;
    pk_scheme s = *pk_schemes_find(schemes, "2023");
    char buf[256];
    assert_string_equal(pk_eligibility_reason(PK_C_USIA_KURANG, &s, buf, sizeof buf),
                        "Usia Anda belum mencapai batas minimal peserta, yaitu 18 tahun.");
    s.max_age = 64;
    assert_string_equal(pk_eligibility_reason(PK_C_USIA_LEBIH, &s, buf, sizeof buf),
                        "Usia Anda melebihi batas maksimal peserta, yaitu 64 tahun.");
    s.max_age = 0; /* no upper limit: nothing to state */
    assert_string_equal(pk_eligibility_reason(PK_C_USIA_LEBIH, &s, buf, sizeof buf),
                        pk_code_message(PK_C_USIA_LEBIH));
    s.kk_max = 2;
    assert_non_null(strstr(pk_eligibility_reason(PK_C_KUOTA_KK_PENUH, &s, buf, sizeof buf),
                           "paling banyak 2 orang"));
    /* other codes, no scheme, or too small a buffer: the table's sentence */
    assert_string_equal(pk_eligibility_reason(PK_C_SEDANG_SEKOLAH, &s, buf, sizeof buf),
                        pk_code_message(PK_C_SEDANG_SEKOLAH));
    assert_string_equal(pk_eligibility_reason(PK_C_USIA_KURANG, NULL, buf, sizeof buf),
                        pk_code_message(PK_C_USIA_KURANG));
    assert_string_equal(pk_eligibility_reason(PK_C_USIA_KURANG, &s, buf, 20),
                        pk_code_message(PK_C_USIA_KURANG));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_every_occupation),
        cmocka_unit_test(test_reason_sentences),
    };
    return cmocka_run_group_tests(tests, load_schemes, free_schemes);
}
