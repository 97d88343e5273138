/* test_participant.c -- unit tests of participant fields, enumerations and
 * validation (core/participant.c) against a small hand-made region table. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/participant.h"
#include "core/pk.h"
#include "core/region.h"

static int make_regions(void **state)
{
    static const char *const rows[][2] = {
        {"31", "DKI JAKARTA"},
        {"31.74", "KOTA ADM. JAKARTA SELATAN"},
        {"31.74.01", "Tebet"},
        {"31.74.01.1001", "Tebet Barat"},
        {"32", "JAWA BARAT"},
        {"32.73", "KOTA BANDUNG"},
        {"32.73.01", "Sukasari"},
        {"32.73.01.1001", "Gegerkalong"},
    };
    pk_regions *r = pk_regions_new();
    if (!r)
        return -1;
    for (size_t i = 0; i < PK_ARRAY_LEN(rows); i++) {
        if (pk_regions_add(r, rows[i][0], rows[i][1]) != 0) {
            pk_regions_free(r);
            return -1;
        }
    }
    pk_regions_seal(r);
    *state = r;
    return 0;
}

static int free_regions(void **state)
{
    pk_regions_free(*state);
    return 0;
}

static const pk_date today = {2024, 1, 10};

/* A valid record: a man born 15 May 1990, NIK issued in Tebet. */
static const char *const valid[PK_F__COUNT] = {
    [PK_F_NIK] = "3174011505900001",
    [PK_F_NO_KK] = "3174010101090001",
    [PK_F_NAMA] = "  Budi Santoso\xC2\xA0",
    [PK_F_TANGGAL_LAHIR] = "1990-05-15",
    [PK_F_JENIS_KELAMIN] = "l",
    [PK_F_NO_HP] = "0812-3456-7890",
    [PK_F_EMAIL] = " budi@example.co.id ",
    [PK_F_KODE_WILAYAH] = "3174011001",
    [PK_F_ALAMAT] = "Jl. Tebet Raya No. 1 ",
    [PK_F_PENDIDIKAN] = "S1",
    [PK_F_SEGMEN] = "Pencari_Kerja",
    [PK_F_PEKERJAAN] = "karyawan_swasta",
};

static void set_input(pk_participant_input *in, const char *const vals[PK_F__COUNT])
{
    for (int i = 0; i < PK_F__COUNT; i++) {
        in->v[i] = vals[i];
        in->len[i] = vals[i] ? strlen(vals[i]) : 0;
    }
}

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

#define B(c) PK_CODEBIT(PK_C_##c)

typedef struct bad_case {
    const char *label;
    pk_field field;
    const char *value;   /* repeated `repeat` times when repeat > 0 */
    int repeat;
    pk_codeset errors, warnings;
} bad_case;

static const bad_case bad[] = {
    {"valid", PK_F_NIK, "3174011505900001", 0, 0, 0},
    {"nik empty", PK_F_NIK, "", 0, B(NIK_FORMAT), 0},
    {"nik absent", PK_F_NIK, NULL, 0, B(NIK_FORMAT), 0},
    {"nik 15 digits", PK_F_NIK, "317401150590001", 0, B(NIK_FORMAT), 0},
    {"nik letter", PK_F_NIK, "31740115059O0001", 0, B(NIK_FORMAT), 0},
    {"nik dotted", PK_F_NIK, "3174.0115.0590.0001", 0, B(NIK_FORMAT), 0},
    {"nik serial 0000", PK_F_NIK, "3174011505900000", 0, B(NIK_FORMAT), 0},
    {"nik day 32", PK_F_NIK, "3174013205900001", 0, B(NIK_TANGGAL), 0},
    {"nik month 13", PK_F_NIK, "3174011513900001", 0, B(NIK_TANGGAL), 0},
    {"nik unknown province", PK_F_NIK, "9974011505900001", 0, B(NIK_PROVINSI), 0},
    {"nik unknown district is a warning", PK_F_NIK, "3174991505900001", 0, 0,
     B(NIK_WILAYAH_TIDAK_DIKENAL)},
    {"nik padded", PK_F_NIK, " 3174011505900001\t", 0, 0, 0},
    {"kk short", PK_F_NO_KK, "317401010109001", 0, B(KK_FORMAT), 0},
    {"kk empty", PK_F_NO_KK, "", 0, B(KK_FORMAT), 0},
    {"kk letters", PK_F_NO_KK, "31740101010900AB", 0, B(KK_FORMAT), 0},
    {"nama blank", PK_F_NAMA, "   ", 0, B(NAMA_KOSONG), 0},
    {"nama absent", PK_F_NAMA, NULL, 0, B(NAMA_KOSONG), 0},
    {"nama 100 chars", PK_F_NAMA, "a", 100, 0, 0},
    {"nama 100 two-byte chars", PK_F_NAMA, "\xC3\xA9", 100, 0, 0},
    {"nama 101 chars", PK_F_NAMA, "a", 101, B(NAMA_TERLALU_PANJANG), 0},
    {"nama 101 four-byte chars", PK_F_NAMA, "\xF0\x9F\x98\x80", 101, B(NAMA_TERLALU_PANJANG), 0},
    {"nama invalid utf-8", PK_F_NAMA, "Bud\xFF", 0, B(BARIS_RUSAK), 0},
    {"nama control character", PK_F_NAMA, "Budi\x01Santoso", 0, B(BARIS_RUSAK), 0},
    {"nama on two lines", PK_F_NAMA, "Budi\nSantoso", 0, B(BARIS_RUSAK), 0},
    /* hidden characters: a right-to-left override, zero-width space and
     * joiner, a BOM inside, an Arabic letter mark; a spreadsheet formula */
    {"nama RLO", PK_F_NAMA, "Budi \xE2\x80\xAEosotnaS", 0, B(NAMA_KARAKTER_TERSEMBUNYI), 0},
    {"nama isolate", PK_F_NAMA, "Budi \xE2\x81\xA7Santoso", 0, B(NAMA_KARAKTER_TERSEMBUNYI), 0},
    {"nama zero-width space", PK_F_NAMA, "Bu\xE2\x80\x8B" "di", 0, B(NAMA_KARAKTER_TERSEMBUNYI), 0},
    {"nama zero-width joiner", PK_F_NAMA, "Bu\xE2\x80\x8D" "di", 0, B(NAMA_KARAKTER_TERSEMBUNYI), 0},
    {"nama BOM inside", PK_F_NAMA, "Bu\xEF\xBB\xBF" "di", 0, B(NAMA_KARAKTER_TERSEMBUNYI), 0},
    {"nama ALM", PK_F_NAMA, "Budi\xD8\x9C", 0, B(NAMA_KARAKTER_TERSEMBUNYI), 0},
    {"nama near misses", PK_F_NAMA, "Bud\xE2\x80\x99i \xE2\x80\x94 \xD8\xA8", 0, 0, 0},
    {"nama formula =", PK_F_NAMA, "=HYPERLINK(\"http://x\")", 0, B(NAMA_AWALAN_TIDAK_DIIZINKAN), 0},
    {"nama formula +", PK_F_NAMA, "+62 Budi", 0, B(NAMA_AWALAN_TIDAK_DIIZINKAN), 0},
    {"nama formula -", PK_F_NAMA, "-1+1", 0, B(NAMA_AWALAN_TIDAK_DIIZINKAN), 0},
    {"nama formula @", PK_F_NAMA, "@SUM(A1)", 0, B(NAMA_AWALAN_TIDAK_DIIZINKAN), 0},
    {"nama formula after spaces", PK_F_NAMA, "  =1+1", 0, B(NAMA_AWALAN_TIDAK_DIIZINKAN), 0},
    {"nama with a hyphen inside", PK_F_NAMA, "Siti Nur-Aini", 0, 0, 0},
    {"tanggal lahir dd-mm-yyyy", PK_F_TANGGAL_LAHIR, "15-05-1990", 0, B(TANGGAL_LAHIR_INVALID), 0},
    {"tanggal lahir 30 Feb", PK_F_TANGGAL_LAHIR, "1990-02-30", 0, B(TANGGAL_LAHIR_INVALID), 0},
    {"tanggal lahir tomorrow", PK_F_TANGGAL_LAHIR, "2024-01-11", 0, B(TANGGAL_LAHIR_INVALID), 0},
    {"tanggal lahir empty", PK_F_TANGGAL_LAHIR, "", 0, B(TANGGAL_LAHIR_INVALID), 0},
    {"jenis kelamin X", PK_F_JENIS_KELAMIN, "X", 0, B(JENIS_KELAMIN_INVALID), 0},
    {"jenis kelamin word", PK_F_JENIS_KELAMIN, "Laki-laki", 0, B(JENIS_KELAMIN_INVALID), 0},
    {"jenis kelamin empty", PK_F_JENIS_KELAMIN, "", 0, B(JENIS_KELAMIN_INVALID), 0},
    {"jenis kelamin padded", PK_F_JENIS_KELAMIN, " L ", 0, 0, 0},
    {"no hp landline", PK_F_NO_HP, "021-7654321", 0, B(NO_HP_INVALID), 0},
    {"no hp too short", PK_F_NO_HP, "0812345", 0, B(NO_HP_INVALID), 0},
    {"no hp empty", PK_F_NO_HP, "", 0, B(NO_HP_INVALID), 0},
    {"email no domain", PK_F_EMAIL, "budi@", 0, B(EMAIL_INVALID), 0},
    {"email two at", PK_F_EMAIL, "a@b@c.id", 0, B(EMAIL_INVALID), 0},
    {"email optional", PK_F_EMAIL, "  ", 0, 0, 0},
    {"wilayah district only", PK_F_KODE_WILAYAH, "31.74.01", 0, B(WILAYAH_TIDAK_DIKENAL), 0},
    {"wilayah unknown village", PK_F_KODE_WILAYAH, "3174019999", 0, B(WILAYAH_TIDAK_DIKENAL), 0},
    {"wilayah junk", PK_F_KODE_WILAYAH, "Tebet", 0, B(WILAYAH_TIDAK_DIKENAL), 0},
    {"wilayah empty", PK_F_KODE_WILAYAH, "", 0, B(WILAYAH_TIDAK_DIKENAL), 0},
    {"wilayah dotted", PK_F_KODE_WILAYAH, "31.74.01.1001", 0, 0, 0},
    {"wilayah outside jakarta", PK_F_KODE_WILAYAH, "32.73.01.1001", 0,
     B(WILAYAH_DI_LUAR_LAYANAN), 0},
    {"alamat 200 chars", PK_F_ALAMAT, "\xE2\x82\xAC", 200, 0, 0},
    {"alamat 201 chars", PK_F_ALAMAT, "x", 201, B(ALAMAT_TERLALU_PANJANG), 0},
    {"alamat invalid utf-8", PK_F_ALAMAT, "Jl. \xC3", 0, B(BARIS_RUSAK), 0},
    {"alamat on two lines", PK_F_ALAMAT, "Jl. Kenanga 7\nRT 01 RW 02", 0, 0, 0},
    {"alamat with CRLF", PK_F_ALAMAT, "Jl. Kenanga 7\r\nRT 01", 0, 0, 0},
    {"alamat control character", PK_F_ALAMAT, "Jl.\x01Kenanga", 0, B(BARIS_RUSAK), 0},
    {"alamat 200 chars with breaks", PK_F_ALAMAT, "abcd\n", 40, 0, 0},
    {"alamat 205 chars with breaks", PK_F_ALAMAT, "abcd\n", 41, B(ALAMAT_TERLALU_PANJANG), 0},
    {"pendidikan unknown", PK_F_PENDIDIKAN, "sarjana", 0, B(PENDIDIKAN_INVALID), 0},
    {"pendidikan optional", PK_F_PENDIDIKAN, "", 0, 0, 0},
    {"segmen empty", PK_F_SEGMEN, "", 0, B(SEGMEN_INVALID), 0},
    {"segmen unknown", PK_F_SEGMEN, "pekerja", 0, B(SEGMEN_INVALID), 0},
    {"pekerjaan unknown", PK_F_PEKERJAAN, "guru", 0, B(PEKERJAAN_INVALID), 0},
    {"pekerjaan optional", PK_F_PEKERJAAN, NULL, 0, 0, 0},
    /* warnings only */
    {"birth date differs from nik", PK_F_TANGGAL_LAHIR, "1990-05-16", 0, 0,
     B(NIK_TANGGAL_BERBEDA)},
    {"sex differs from nik", PK_F_JENIS_KELAMIN, "P", 0, 0, B(NIK_KELAMIN_BERBEDA)},
    {"woman's nik, man's record", PK_F_NIK, "3174015505900001", 0, 0, B(NIK_KELAMIN_BERBEDA)},
    {"nik of 2000 vs 1900", PK_F_NIK, "3174011505000001", 0, 0, B(NIK_TANGGAL_BERBEDA)},
    /* no warning when either side is unreadable */
    {"no date warning when nik date bad", PK_F_NIK, "3174013205900001", 0, B(NIK_TANGGAL), 0},
};

static void test_one_bad_field(void **state)
{
    const pk_regions *regions = *state;
    char buf[1024];
    for (size_t i = 0; i < PK_ARRAY_LEN(bad); i++) {
        const bad_case *tc = &bad[i];
        const char *vals[PK_F__COUNT];
        memcpy(vals, valid, sizeof vals);
        if (tc->repeat > 0) {
            size_t vl = strlen(tc->value);
            assert_true(vl * (size_t)tc->repeat < sizeof buf);
            for (int k = 0; k < tc->repeat; k++)
                memcpy(buf + vl * (size_t)k, tc->value, vl);
            buf[vl * (size_t)tc->repeat] = '\0';
            vals[tc->field] = buf;
        } else {
            vals[tc->field] = tc->value;
        }
        pk_participant_input in;
        set_input(&in, vals);
        pk_participant out;
        pk_validation v;
        int r = pk_participant_validate(&in, regions, "31", today, &out, &v);
        if (v.errors != tc->errors || v.warnings != tc->warnings ||
            r != (tc->errors ? PK_EINVAL : 0)) {
            char ge[512], gw[512], we[512], ww[512];
            codes_str(v.errors, ge, sizeof ge);
            codes_str(v.warnings, gw, sizeof gw);
            codes_str(tc->errors, we, sizeof we);
            codes_str(tc->warnings, ww, sizeof ww);
            fail_msg("case '%s': r=%d errors '%s' warnings '%s', want '%s' / '%s'", tc->label,
                     r, ge, gw, we, ww);
        }
        /* The one bad field, and only it, is marked (also for baris_rusak,
         * whose code names no field). */
        unsigned want_bad = tc->errors ? 1u << tc->field : 0;
        if (v.bad_fields != want_bad)
            fail_msg("case '%s': bad_fields 0x%x, want 0x%x", tc->label, v.bad_fields, want_bad);
    }
}

static void test_all_errors_collected(void **state)
{
    const pk_regions *regions = *state;
    static const char *const vals[PK_F__COUNT] = {
        [PK_F_NIK] = "12", [PK_F_NO_KK] = "x", [PK_F_NAMA] = "",
        [PK_F_TANGGAL_LAHIR] = "1990/05/15", [PK_F_JENIS_KELAMIN] = "W",
        [PK_F_NO_HP] = "12345", [PK_F_EMAIL] = "nope", [PK_F_KODE_WILAYAH] = "99",
        [PK_F_ALAMAT] = "ok", [PK_F_PENDIDIKAN] = "sma_sederajat", [PK_F_SEGMEN] = "x",
        [PK_F_PEKERJAAN] = "y",
    };
    pk_participant_input in;
    set_input(&in, vals);
    pk_participant out;
    pk_validation v;
    assert_int_equal(pk_participant_validate(&in, regions, "31", today, &out, &v), PK_EINVAL);
    pk_codeset want = B(NIK_FORMAT) | B(KK_FORMAT) | B(NAMA_KOSONG) |
                      B(TANGGAL_LAHIR_INVALID) | B(JENIS_KELAMIN_INVALID) | B(NO_HP_INVALID) |
                      B(EMAIL_INVALID) | B(WILAYAH_TIDAK_DIKENAL) | B(PENDIDIKAN_INVALID) |
                      B(SEGMEN_INVALID) | B(PEKERJAAN_INVALID);
    assert_int_equal(v.errors, want);
    assert_int_equal(v.warnings, 0);
    /* the one valid field still made it into the output */
    assert_string_equal(out.alamat, "ok");
    assert_string_equal(out.nik, "");

    /* Everything absent: every required field is reported. */
    pk_participant_input none;
    memset(&none, 0, sizeof none);
    assert_int_equal(pk_participant_validate(&none, regions, NULL, today, &out, NULL), PK_EINVAL);
    assert_int_equal(pk_participant_validate(&none, regions, NULL, today, &out, &v), PK_EINVAL);
    assert_int_equal(v.errors, B(NIK_FORMAT) | B(KK_FORMAT) | B(NAMA_KOSONG) |
                                   B(TANGGAL_LAHIR_INVALID) | B(JENIS_KELAMIN_INVALID) |
                                   B(NO_HP_INVALID) | B(WILAYAH_TIDAK_DIKENAL) |
                                   B(SEGMEN_INVALID));
}

static void test_normal_form(void **state)
{
    const pk_regions *regions = *state;
    pk_participant_input in;
    set_input(&in, valid);
    pk_participant out;
    pk_validation v;
    assert_int_equal(pk_participant_validate(&in, regions, "31", today, &out, &v), 0);
    assert_int_equal(v.errors, 0);
    assert_int_equal(v.warnings, 0);
    assert_string_equal(out.nik, "3174011505900001");
    assert_string_equal(out.no_kk, "3174010101090001");
    assert_string_equal(out.nama, "Budi Santoso");
    assert_int_equal(out.tanggal_lahir.y, 1990);
    assert_int_equal(out.tanggal_lahir.m, 5);
    assert_int_equal(out.tanggal_lahir.d, 15);
    assert_int_equal(out.jenis_kelamin, 'L');
    assert_string_equal(out.no_hp, "+6281234567890");
    assert_string_equal(out.email, "budi@example.co.id");
    assert_string_equal(out.kode_wilayah, "31.74.01.1001");
    assert_string_equal(out.alamat, "Jl. Tebet Raya No. 1");
    assert_int_equal(out.pendidikan, PK_EDU_S1);
    assert_int_equal(out.segmen, PK_SEG_PENCARI_KERJA);
    assert_int_equal(out.pekerjaan, PK_JOB_KARYAWAN_SWASTA);
    /* what the NIK says */
    assert_true(v.nik.has_birth);
    assert_int_equal(v.nik.sex, 'L');
    assert_non_null(v.nik.district);
    assert_string_equal(v.nik.district->name, "Tebet");

    /* Optional fields absent: "" and *_NONE. */
    const char *vals[PK_F__COUNT];
    memcpy(vals, valid, sizeof vals);
    vals[PK_F_EMAIL] = NULL;
    vals[PK_F_ALAMAT] = "";
    vals[PK_F_PENDIDIKAN] = " ";
    vals[PK_F_PEKERJAAN] = NULL;
    vals[PK_F_NO_HP] = "+62 812 3456 789";
    set_input(&in, vals);
    assert_int_equal(pk_participant_validate(&in, regions, "31", today, &out, &v), 0);
    assert_string_equal(out.email, "");
    assert_string_equal(out.alamat, "");
    assert_int_equal(out.pendidikan, PK_EDU_NONE);
    assert_int_equal(out.pekerjaan, PK_JOB_NONE);
    assert_string_equal(out.no_hp, "+628123456789");

    /* Lengths are honoured: the input need not be NUL-terminated. */
    char raw[] = "3174011505900001XYZ";
    set_input(&in, valid);
    in.v[PK_F_NIK] = raw;
    in.len[PK_F_NIK] = 16;
    assert_int_equal(pk_participant_validate(&in, regions, "31", today, &out, &v), 0);
    assert_string_equal(out.nik, "3174011505900001");
}

static void test_service_area(void **state)
{
    const pk_regions *regions = *state;
    static const struct {
        const char *province, *village;
        pk_codeset errors;
    } t[] = {
        {"31", "3174011001", 0},
        {"31", "3273011001", B(WILAYAH_DI_LUAR_LAYANAN)},
        {"32", "3273011001", 0},
        {"32", "3174011001", B(WILAYAH_DI_LUAR_LAYANAN)},
        {"3", "3174011001", B(WILAYAH_DI_LUAR_LAYANAN)},
        {NULL, "3273011001", 0},
        {"", "3273011001", 0},
        {"", "3273019999", B(WILAYAH_TIDAK_DIKENAL)},
    };
    for (size_t i = 0; i < PK_ARRAY_LEN(t); i++) {
        const char *vals[PK_F__COUNT];
        memcpy(vals, valid, sizeof vals);
        vals[PK_F_KODE_WILAYAH] = t[i].village;
        pk_participant_input in;
        set_input(&in, vals);
        pk_participant out;
        pk_validation v;
        pk_participant_validate(&in, regions, t[i].province, today, &out, &v);
        if (v.errors != t[i].errors)
            fail_msg("case %zu (%s, %s): errors %#llx", i, t[i].province ? t[i].province : "NULL",
                     t[i].village, (unsigned long long)v.errors);
    }

    /* Without a region table no village is known. */
    pk_participant_input in;
    set_input(&in, valid);
    pk_participant out;
    pk_validation v;
    assert_int_equal(pk_participant_validate(&in, NULL, "31", today, &out, &v), PK_EINVAL);
    assert_true(v.errors & B(WILAYAH_TIDAK_DIKENAL));
    assert_true(v.errors & B(NIK_PROVINSI));
}

static void test_field_names(void **state)
{
    (void)state;
    static const char *const names[PK_F__COUNT] = {
        "nik", "no_kk", "nama", "tanggal_lahir", "jenis_kelamin", "no_hp", "email",
        "kode_wilayah", "alamat", "pendidikan", "segmen", "pekerjaan"};
    static const bool required[PK_F__COUNT] = {true, true, true, true, true, true, false,
                                               true, false, false, true, false};
    for (int f = 0; f < PK_F__COUNT; f++) {
        assert_string_equal(pk_field_name((pk_field)f), names[f]);
        assert_int_equal(pk_field_required((pk_field)f), required[f]);
        assert_int_equal(pk_field_by_name(names[f], strlen(names[f])), f);
    }
    static const struct {
        const char *s;
        pk_field want;
    } t[] = {{"NIK", PK_F_NIK}, {"No_KK", PK_F_NO_KK}, {" nama ", PK_F_NAMA},
             {"Tanggal_Lahir", PK_F_TANGGAL_LAHIR}, {"nama_lengkap", PK_F__COUNT},
             {"ni", PK_F__COUNT}, {"", PK_F__COUNT}, {"nikx", PK_F__COUNT}};
    for (size_t i = 0; i < PK_ARRAY_LEN(t); i++)
        assert_int_equal(pk_field_by_name(t[i].s, strlen(t[i].s)), t[i].want);
    assert_int_equal(pk_field_by_name("nik_ibu", 3), PK_F_NIK);
    assert_int_equal(pk_field_by_name(NULL, 0), PK_F__COUNT);
    assert_string_equal(pk_field_name(PK_F__COUNT), "");
    assert_false(pk_field_required(PK_F__COUNT));
}

static void test_enums(void **state)
{
    (void)state;
    static const char *const edu[PK_EDU__COUNT][2] = {
        {"", ""}, {"tidak_sekolah", "Tidak sekolah"}, {"sd", "SD"}, {"smp", "SMP"},
        {"sma", "SMA/SMK"}, {"d1", "D1"}, {"d2", "D2"}, {"d3", "D3"}, {"d4", "D4"},
        {"s1", "S1"}, {"s2", "S2"}, {"s3", "S3"}};
    for (int e = 0; e < PK_EDU__COUNT; e++) {
        assert_string_equal(pk_education_name((pk_education)e), edu[e][0]);
        assert_string_equal(pk_education_label((pk_education)e), edu[e][1]);
    }
    static const char *const seg[PK_SEG__COUNT][2] = {
        {"", ""}, {"pencari_kerja", "Pencari kerja"}, {"korban_phk", "Korban PHK"},
        {"peningkatan_kompetensi", "Pekerja yang membutuhkan peningkatan kompetensi"}};
    for (int s = 0; s < PK_SEG__COUNT; s++) {
        assert_string_equal(pk_segment_name((pk_segment)s), seg[s][0]);
        assert_string_equal(pk_segment_label((pk_segment)s), seg[s][1]);
    }
    static const char *const job[PK_JOB__COUNT][2] = {
        {"", ""}, {"asn", "ASN (PNS/PPPK)"}, {"tni", "TNI"}, {"polri", "Polri"},
        {"pejabat_negara", "Pejabat negara"}, {"anggota_dpr", "Anggota DPR"},
        {"anggota_dprd", "Anggota DPRD"}, {"kepala_desa", "Kepala desa"},
        {"perangkat_desa", "Perangkat desa"},
        {"direksi_bumn_bumd", "Direksi/komisaris/dewan pengawas BUMN/BUMD"},
        {"pelajar", "Pelajar"}, {"mahasiswa", "Mahasiswa"}, {"wiraswasta", "Wiraswasta"},
        {"karyawan_swasta", "Karyawan swasta"}, {"lainnya", "Lainnya"}};
    for (int o = 0; o < PK_JOB__COUNT; o++) {
        assert_string_equal(pk_occupation_name((pk_occupation)o), job[o][0]);
        assert_string_equal(pk_occupation_label((pk_occupation)o), job[o][1]);
    }
    assert_string_equal(pk_education_name(PK_EDU__COUNT), "");
    assert_string_equal(pk_segment_label(PK_SEG__COUNT), "");
    assert_string_equal(pk_occupation_name(PK_JOB__COUNT), "");
}

/* Every machine value is accepted back (upper case too) and maps to its
 * own enum value: the export/import round trip. */
static void test_enum_round_trip(void **state)
{
    const pk_regions *regions = *state;
    for (int kind = 0; kind < 3; kind++) {
        int count = kind == 0 ? PK_EDU__COUNT : kind == 1 ? PK_SEG__COUNT : PK_JOB__COUNT;
        pk_field fld = kind == 0 ? PK_F_PENDIDIKAN : kind == 1 ? PK_F_SEGMEN : PK_F_PEKERJAAN;
        for (int i = 1; i < count; i++) {
            const char *name = kind == 0   ? pk_education_name((pk_education)i)
                               : kind == 1 ? pk_segment_name((pk_segment)i)
                                           : pk_occupation_name((pk_occupation)i);
            char upper[64];
            size_t n = strlen(name);
            for (size_t k = 0; k <= n; k++)
                upper[k] = (char)(name[k] >= 'a' && name[k] <= 'z' ? name[k] - 32 : name[k]);
            const char *vals[PK_F__COUNT];
            memcpy(vals, valid, sizeof vals);
            vals[fld] = upper;
            pk_participant_input in;
            set_input(&in, vals);
            pk_participant out;
            pk_validation v;
            assert_int_equal(pk_participant_validate(&in, regions, "31", today, &out, &v), 0);
            int got = kind == 0 ? (int)out.pendidikan : kind == 1 ? (int)out.segmen
                                                                  : (int)out.pekerjaan;
            assert_int_equal(got, i);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_bad_field),
        cmocka_unit_test(test_all_errors_collected),
        cmocka_unit_test(test_normal_form),
        cmocka_unit_test(test_service_area),
        cmocka_unit_test(test_field_names),
        cmocka_unit_test(test_enums),
        cmocka_unit_test(test_enum_round_trip),
    };
    return cmocka_run_group_tests(tests, make_regions, free_regions);
}
