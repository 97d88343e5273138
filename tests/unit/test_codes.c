/* test_codes.c -- the reason-code table: names, messages, fields. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <ctype.h>
#include <string.h>

#include "core/pk.h"

typedef struct {
    pk_code code;
    const char *name;
    const char *field; /* NULL: about no single field */
} code_case;

/* Written out independently of codes.c: the published contract. */
static const code_case code_cases[] = {
    {PK_C_BARIS_RUSAK, "baris_rusak", NULL},
    {PK_C_KOLOM_WAJIB_HILANG, "kolom_wajib_hilang", NULL},
    {PK_C_NIK_FORMAT, "nik_format", "nik"},
    {PK_C_NIK_TANGGAL, "nik_tanggal", "nik"},
    {PK_C_NIK_PROVINSI, "nik_provinsi", "nik"},
    {PK_C_KK_FORMAT, "kk_format", "no_kk"},
    {PK_C_NAMA_KOSONG, "nama_kosong", "nama"},
    {PK_C_NAMA_TERLALU_PANJANG, "nama_terlalu_panjang", "nama"},
    {PK_C_TANGGAL_LAHIR_INVALID, "tanggal_lahir_invalid", "tanggal_lahir"},
    {PK_C_JENIS_KELAMIN_INVALID, "jenis_kelamin_invalid", "jenis_kelamin"},
    {PK_C_NO_HP_INVALID, "no_hp_invalid", "no_hp"},
    {PK_C_EMAIL_INVALID, "email_invalid", "email"},
    {PK_C_WILAYAH_TIDAK_DIKENAL, "wilayah_tidak_dikenal", "kode_wilayah"},
    {PK_C_WILAYAH_DI_LUAR_LAYANAN, "wilayah_di_luar_layanan", "kode_wilayah"},
    {PK_C_ALAMAT_TERLALU_PANJANG, "alamat_terlalu_panjang", "alamat"},
    {PK_C_PENDIDIKAN_INVALID, "pendidikan_invalid", "pendidikan"},
    {PK_C_SEGMEN_INVALID, "segmen_invalid", "segmen"},
    {PK_C_PEKERJAAN_INVALID, "pekerjaan_invalid", "pekerjaan"},
    {PK_C_NIK_TANGGAL_BERBEDA, "nik_tanggal_berbeda", "nik"},
    {PK_C_NIK_KELAMIN_BERBEDA, "nik_kelamin_berbeda", "nik"},
    {PK_C_NIK_WILAYAH_TIDAK_DIKENAL, "nik_wilayah_tidak_dikenal", "nik"},
    {PK_C_USIA_KURANG, "usia_kurang", "tanggal_lahir"},
    {PK_C_USIA_LEBIH, "usia_lebih", "tanggal_lahir"},
    {PK_C_SEDANG_SEKOLAH, "sedang_sekolah", "pekerjaan"},
    {PK_C_PEKERJAAN_DIKECUALIKAN, "pekerjaan_dikecualikan", "pekerjaan"},
    {PK_C_KUOTA_KK_PENUH, "kuota_kk_penuh", "no_kk"},
    {PK_C_PENERIMA_BANSOS, "penerima_bansos", NULL},
    {PK_C_DAFTAR_HITAM, "daftar_hitam", NULL},
    {PK_C_PERNAH_MENERIMA, "pernah_menerima", NULL},
    {PK_C_NAMA_KARAKTER_TERSEMBUNYI, "nama_karakter_tersembunyi", "nama"},
    {PK_C_NAMA_AWALAN_TIDAK_DIIZINKAN, "nama_awalan_tidak_diizinkan", "nama"},
    {PK_C_KUOTA_GELOMBANG_PENUH, "kuota_gelombang_penuh", NULL},
    {PK_C_KUOTA_WILAYAH_PENUH, "kuota_wilayah_penuh", "kode_wilayah"},
    {PK_C_KOLOM_TIDAK_VALID, "kolom_tidak_valid", NULL},
    {PK_C_PESERTA_TIDAK_DIKENAL, "peserta_tidak_dikenal", "nik"},
    {PK_C_SALDO_TIDAK_CUKUP, "saldo_tidak_cukup", "jumlah"},
    {PK_C_SUDAH_PENERIMA, "sudah_penerima", NULL},
    {PK_C_BELUM_PENERIMA, "belum_penerima", NULL},
    {PK_C_SUDAH_DICABUT, "sudah_dicabut", NULL},
    {PK_C_PEMBELIAN_TIDAK_DIKENAL, "pembelian_tidak_dikenal", "ref_asal"},
    {PK_C_SUDAH_DIBATALKAN, "sudah_dibatalkan", "ref_asal"},
    {PK_C_JUMLAH_TIDAK_SESUAI, "jumlah_tidak_sesuai", "jumlah"},
    {PK_C_KARTU_TIDAK_DIKENAL, "kartu_tidak_dikenal", "nomor_kartu"},
    {PK_C_PELATIHAN_TIDAK_DIKENAL, "pelatihan_tidak_dikenal", "kode_pelatihan"},
    {PK_C_SUDAH_SELESAI, "sudah_selesai", NULL},
    {PK_C_BELUM_SELESAI, "belum_selesai", NULL},
    {PK_C_SUDAH_DIULAS, "sudah_diulas", NULL},
    {PK_C_ULASAN_TIDAK_VALID, "ulasan_tidak_valid", "bintang"},
    {PK_C_SERTIFIKAT_TIDAK_VALID, "sertifikat_tidak_valid", "nomor_sertifikat"},
    {PK_C_GELOMBANG_TIDAK_DIKENAL, "gelombang_tidak_dikenal", "gelombang"},
    {PK_C_GELOMBANG_TIDAK_DIBUKA, "gelombang_tidak_dibuka", "gelombang"},
    {PK_C_MASIH_DI_GELOMBANG_LAIN, "masih_di_gelombang_lain", "gelombang"},
    {PK_C_TIDAK_MEMBELI_PELATIHAN, "tidak_membeli_pelatihan", NULL},
    {PK_C_BATAS_SALDO_LEWAT, "batas_saldo_lewat", NULL},
    {PK_C_WAKTU_DI_MASA_DEPAN, "waktu_di_masa_depan", "waktu"},
    {PK_C_BATAS_PEMBELIAN_LEWAT, "batas_pembelian_lewat", NULL},
    {PK_C_KARTU_DIGANTI, "kartu_diganti", "nomor_kartu"},
};

static void test_table_complete(void **state)
{
    (void)state;
    assert_int_equal(PK_ARRAY_LEN(code_cases), PK_C__COUNT);
    assert_true(PK_C__COUNT <= 64);
    for (size_t i = 0; i < PK_ARRAY_LEN(code_cases); i++)
        if (code_cases[i].code != (pk_code)i)
            fail_msg("case %zu ('%s') out of enum order", i, code_cases[i].name);
}

static void test_names_and_fields(void **state)
{
    (void)state;
    for (size_t i = 0; i < PK_ARRAY_LEN(code_cases); i++) {
        const code_case *c = &code_cases[i];
        if (strcmp(pk_code_name(c->code), c->name) != 0)
            fail_msg("case '%s': name is '%s'", c->name, pk_code_name(c->code));
        const char *f = pk_code_field(c->code);
        if ((f == NULL) != (c->field == NULL) || (f && strcmp(f, c->field) != 0))
            fail_msg("case '%s': field is '%s', want '%s'", c->name, f ? f : "(null)",
                     c->field ? c->field : "(null)");
        if (pk_code_by_name(c->name) != c->code)
            fail_msg("case '%s': pk_code_by_name gives %d", c->name,
                     (int)pk_code_by_name(c->name));
    }
}

static void test_messages(void **state)
{
    (void)state;
    for (pk_code c = 0; c < PK_C__COUNT; c++) {
        const char *m = pk_code_message(c);
        const char *n = pk_code_name(c);
        if (!m || strlen(m) < 10)
            fail_msg("code '%s': message missing or too short", n);
        if (m[strlen(m) - 1] != '.')
            fail_msg("code '%s': message does not end a sentence", n);
        if (!isupper((unsigned char)m[0]))
            fail_msg("code '%s': message does not start with a capital", n);
        /* Messages are shown verbatim: no format directives, no markup,
         * and never the machine name itself. */
        if (strchr(m, '%') || strchr(m, '<') || strstr(m, n))
            fail_msg("code '%s': message '%s' has a forbidden character", n, m);
        for (pk_code d = c + 1; d < PK_C__COUNT; d++)
            if (strcmp(m, pk_code_message(d)) == 0)
                fail_msg("codes '%s' and '%s' share a message", n, pk_code_name(d));
    }
    assert_string_equal(pk_code_message(PK_C_NIK_FORMAT),
                        "NIK harus terdiri dari 16 angka, dan 4 angka terakhirnya (nomor urut) "
                        "tidak boleh 0000.");
    assert_string_equal(pk_code_message(PK_C_USIA_KURANG),
                        "Usia Anda belum mencapai batas minimal peserta.");
    const char *pd = pk_code_message(PK_C_PEKERJAAN_DIKECUALIKAN);
    static const char *const excluded[] = {"ASN", "TNI", "Polri", "DPR/DPRD", "BUMN/BUMD",
                                           "desa"};
    for (size_t i = 0; i < PK_ARRAY_LEN(excluded); i++)
        if (!strstr(pd, excluded[i]))
            fail_msg("pekerjaan_dikecualikan does not mention '%s'", excluded[i]);
    const char *pb = pk_code_message(PK_C_PENERIMA_BANSOS);
    static const char *const lists[] = {"DTKS", "PKH", "BPNT", "BSU", "BPUM"};
    for (size_t i = 0; i < PK_ARRAY_LEN(lists); i++)
        if (!strstr(pb, lists[i]))
            fail_msg("penerima_bansos does not mention '%s'", lists[i]);
}

typedef struct {
    const char *label;
    const char *name;
} unknown_case;

static const unknown_case unknown_cases[] = {
    {"null", NULL},
    {"empty", ""},
    {"upper case", "NIK_FORMAT"},
    {"prefix", "nik_"},
    {"longer", "nik_format_x"},
    {"enum spelling", "PK_C_NIK_FORMAT"},
    {"trailing space", "nik_format "},
};

static void test_unknown(void **state)
{
    (void)state;
    for (size_t i = 0; i < PK_ARRAY_LEN(unknown_cases); i++)
        if (pk_code_by_name(unknown_cases[i].name) != PK_C__COUNT)
            fail_msg("case '%s' was found", unknown_cases[i].label);
    assert_string_equal(pk_code_name(PK_C__COUNT), "");
    assert_string_equal(pk_code_message(PK_C__COUNT), "");
    assert_null(pk_code_field(PK_C__COUNT));
}

/* Staff read an eligibility reason as a phrase about the person, never
 * addressed to them ("Anda"); other codes keep their message. */
static void test_labels(void **state)
{
    (void)state;
    for (pk_code c = PK_C_USIA_KURANG; c <= PK_C_PERNAH_MENERIMA; c++) {
        const char *l = pk_code_label(c);
        if (l == NULL || l[0] == '\0' || strcmp(l, pk_code_message(c)) == 0)
            fail_msg("%s has no label of its own", pk_code_name(c));
        if (strstr(l, "Anda") != NULL)
            fail_msg("%s's label speaks to the person: %s", pk_code_name(c), l);
    }
    assert_string_equal(pk_code_label(PK_C_USIA_KURANG), "Usia di bawah batas minimal peserta");
    assert_string_equal(pk_code_label(PK_C_NIK_FORMAT), pk_code_message(PK_C_NIK_FORMAT));
    assert_string_equal(pk_code_label(PK_C__COUNT), "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_complete),
        cmocka_unit_test(test_names_and_fields),
        cmocka_unit_test(test_messages),
        cmocka_unit_test(test_unknown),
        cmocka_unit_test(test_labels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
