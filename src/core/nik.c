/* nik.c -- structural checks of the NIK (nik.h, domain.md "Identity numbers").
 *
 * A pre-filter only: Dukcapil is the authority.  Anything that an old but
 * genuine NIK may legitimately carry (a regency or district code that was
 * later split or renamed) is a warning, never a rejection. */
#include "core/nik.h"

#include <string.h>

#define NIK_LEN 16
/* Women's NIKs carry the day of birth plus 40. */
#define NIK_FEMALE_OFFSET 40

static int nik_num(const char *s, size_t n)
{
    int v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

/* Reads DDMMYY at s; returns false when the day or month cannot be one. */
static bool nik_birth(const char *s, pk_date today, pk_date *birth, char *sex)
{
    int dd = nik_num(s, 2), mm = nik_num(s + 2, 2), yy = nik_num(s + 4, 2);
    char sx;
    if (dd >= 1 && dd <= 31) {
        sx = 'L';
    } else if (dd >= 1 + NIK_FEMALE_OFFSET && dd <= 31 + NIK_FEMALE_OFFSET) {
        sx = 'P';
        dd -= NIK_FEMALE_OFFSET;
    } else {
        return false;
    }
    if (mm < 1 || mm > 12)
        return false;
    /* YY cannot tell 1925 from 2025: the later century unless that would
     * be a birth in the future.  The comparison is done before the
     * existence check on purpose (domain.md), so 29-02-00 reads as 2000. */
    pk_date d = {2000 + yy, mm, dd};
    if (pk_date_cmp(d, today) > 0)
        d.y = 1900 + yy;
    if (!pk_date_valid(d))
        return false;
    *birth = d;
    *sex = sx;
    return true;
}

int pk_nik_check(const char *s, size_t len, const pk_regions *regions,
                 pk_date today, pk_nik_info *out)
{
    memset(out, 0, sizeof(*out));
    if (!s || len != NIK_LEN) {
        out->errors = PK_CODEBIT(PK_C_NIK_FORMAT);
        return PK_EINVAL;
    }
    for (size_t i = 0; i < NIK_LEN; i++) {
        if (s[i] < '0' || s[i] > '9') {
            out->errors = PK_CODEBIT(PK_C_NIK_FORMAT);
            return PK_EINVAL;
        }
    }
    /* Serial 0000 is never issued, so such a number is not a NIK at all. */
    if (memcmp(s + 12, "0000", 4) == 0) {
        out->errors = PK_CODEBIT(PK_C_NIK_FORMAT);
        return PK_EINVAL;
    }
    memcpy(out->nik, s, NIK_LEN);
    out->nik[NIK_LEN] = '\0';

    char code[PK_REGION_CODE_MAX];
    /* "PP", "PP.KK", "PP.KK.CC" */
    memcpy(code, s, 2);
    code[2] = '\0';
    out->province = regions ? pk_regions_find(regions, code) : NULL;
    if (!out->province) {
        out->errors |= PK_CODEBIT(PK_C_NIK_PROVINSI);
    } else {
        code[2] = '.';
        memcpy(code + 3, s + 2, 2);
        code[5] = '\0';
        out->regency = pk_regions_find(regions, code);
        code[5] = '.';
        memcpy(code + 6, s + 4, 2);
        code[8] = '\0';
        out->district = pk_regions_find(regions, code);
        if (!out->regency || !out->district)
            out->warnings |= PK_CODEBIT(PK_C_NIK_WILAYAH_TIDAK_DIKENAL);
    }

    if (nik_birth(s + 6, today, &out->birth, &out->sex))
        out->has_birth = true;
    else
        out->errors |= PK_CODEBIT(PK_C_NIK_TANGGAL);

    return out->errors ? PK_EINVAL : 0;
}

void pk_nik_mask(const char *nik, char out[17])
{
    memset(out, '*', NIK_LEN);
    out[NIK_LEN] = '\0';
    if (nik && strnlen(nik, NIK_LEN + 1) == NIK_LEN) {
        memcpy(out, nik, 4);
        memcpy(out + 12, nik + 12, 4);
    }
}

bool pk_nik_digits(const char *s)
{
    return s != NULL && strlen(s) == 16 && strspn(s, "0123456789") == 16;
}
