/* fuzz_nik.c -- libFuzzer target for pk_nik_check and pk_nik_mask.
 *
 * Any byte string goes in; the invariants of nik.h must hold for every
 * verdict, whatever the input: a valid NIK is 16 ASCII digits, a birth
 * date that is reported exists and is not in the future, the sex agrees
 * with the day digits, nik_format excludes every other code. */
#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/nik.h"
#include "core/pk.h"
#include "core/region.h"

static const pk_regions *fuzz_regions(void)
{
    /* Built once and kept for the life of the process: a fuzz harness is
     * the one place where a lazily initialised static is wanted. */
    static pk_regions *r;
    if (!r) {
        static const char *const table[][2] = {
            {"11", "ACEH"}, {"31", "DKI JAKARTA"},
            {"31.71", "KOTA ADMINISTRASI JAKARTA PUSAT"}, {"31.71.01", "Gambir"},
            {"31.74", "KOTA ADMINISTRASI JAKARTA SELATAN"}, {"31.74.01", "Tebet"},
            {"31.74.01.1001", "Tebet Timur"}, {"32", "JAWA BARAT"},
            {"32.73", "KOTA BANDUNG"}, {"32.73.05", "Sukajadi"},
        };
        r = pk_regions_new();
        CHECK(r);
        for (size_t i = 0; i < PK_ARRAY_LEN(table); i++)
            CHECK(pk_regions_add(r, table[i][0], table[i][1]) == 0);
        pk_regions_seal(r);
    }
    return r;
}

static int num2(const uint8_t *p)
{
    return (p[0] - '0') * 10 + (p[1] - '0');
}

static void check_one(const uint8_t *data, size_t size, const pk_regions *regions,
                      pk_date today)
{
    const pk_codeset all_errors = PK_CODEBIT(PK_C_NIK_FORMAT) | PK_CODEBIT(PK_C_NIK_TANGGAL) |
                                  PK_CODEBIT(PK_C_NIK_PROVINSI);
    const pk_codeset all_warnings = PK_CODEBIT(PK_C_NIK_WILAYAH_TIDAK_DIKENAL);
    pk_nik_info info;
    memset(&info, 0x5A, sizeof(info));
    int rc = pk_nik_check((const char *)data, size, regions, today, &info);

    CHECK(rc == 0 || rc == PK_EINVAL);
    CHECK((rc == 0) == (info.errors == 0));
    CHECK((info.errors & ~all_errors) == 0);
    CHECK((info.warnings & ~all_warnings) == 0);

    bool digits = size == 16;
    for (size_t i = 0; digits && i < 16; i++)
        digits = data[i] >= '0' && data[i] <= '9';

    if (info.errors & PK_CODEBIT(PK_C_NIK_FORMAT)) {
        CHECK(info.errors == PK_CODEBIT(PK_C_NIK_FORMAT));
        CHECK(info.warnings == 0);
        CHECK(!info.has_birth && info.sex == 0);
        CHECK(!info.province && !info.regency && !info.district);
        CHECK(info.nik[0] == '\0');
        CHECK(!digits || memcmp(data + 12, "0000", 4) == 0);
        return;
    }
    /* No format error: the shape was right and the digits were copied. */
    CHECK(digits);
    CHECK(memcmp(info.nik, data, 16) == 0 && info.nik[16] == '\0');

    if (info.has_birth) {
        CHECK(pk_date_valid(info.birth));
        CHECK(pk_date_cmp(info.birth, today) <= 0);
        CHECK(info.sex == 'L' || info.sex == 'P');
        int dd = num2(data + 6), mm = num2(data + 8), yy = num2(data + 10);
        CHECK(info.birth.d == (info.sex == 'P' ? dd - 40 : dd));
        CHECK(info.birth.m == mm);
        CHECK(info.birth.y % 100 == yy);
        CHECK(!(info.errors & PK_CODEBIT(PK_C_NIK_TANGGAL)));
    } else {
        CHECK(info.sex == 0);
        CHECK(info.errors & PK_CODEBIT(PK_C_NIK_TANGGAL));
    }

    if (info.province) {
        CHECK(!(info.errors & PK_CODEBIT(PK_C_NIK_PROVINSI)));
        CHECK(memcmp(info.province->code, data, 2) == 0);
        CHECK((info.warnings != 0) == (!info.regency || !info.district));
    } else {
        CHECK(info.errors & PK_CODEBIT(PK_C_NIK_PROVINSI));
        CHECK(info.warnings == 0 && !info.regency && !info.district);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const pk_regions *regions = fuzz_regions();
    /* Two "todays" so both sides of the 19YY/20YY decision are reached. */
    check_one(data, size, regions, (pk_date){2026, 11, 27});
    check_one(data, size, regions, (pk_date){2000, 2, 28});
    check_one(data, size, NULL, (pk_date){2026, 11, 27});

    /* pk_nik_mask takes a C string. */
    char s[40];
    size_t n = size < sizeof(s) - 1 ? size : sizeof(s) - 1;
    memcpy(s, data, n);
    s[n] = '\0';
    char out[17];
    pk_nik_mask(s, out);
    CHECK(out[16] == '\0' && strlen(out) == 16);
    CHECK(memcmp(out + 4, "********", 8) == 0);
    if (strlen(s) != 16)
        CHECK(strcmp(out, "****************") == 0);
    return 0;
}
