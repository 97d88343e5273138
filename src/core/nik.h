/* nik.h -- the NIK (Nomor Induk Kependudukan), structurally.
 *
 * 16 digits PPKKCC DDMMYY SSSS: region of first issue, day of birth (+40
 * for women), month, two-digit year, serial.  This is a pre-filter; the
 * civil registry (Dukcapil) is the authority. */
#ifndef PK_NIK_H
#define PK_NIK_H

#include "core/date.h"
#include "core/pk.h"
#include "core/region.h"

typedef struct pk_nik_info {
    char nik[17];            /* the 16 digits, when the format is right */
    bool has_birth;          /* birth date and sex could be read */
    pk_date birth;
    char sex;                /* 'L' or 'P' when has_birth, else 0 */
    const pk_region *province; /* NULL when unknown */
    const pk_region *regency;
    const pk_region *district;
    pk_codeset errors;       /* nik_format, nik_tanggal, nik_provinsi */
    pk_codeset warnings;     /* nik_wilayah_tidak_dikenal */
} pk_nik_info;

/* Checks `len` bytes of `s` against the NIK rules, with `today` deciding
 * the century of YY (20YY unless that is in the future, then 19YY).
 * Fills *out completely in every case; returns 0 when the NIK is valid
 * (no errors), PK_EINVAL otherwise.  `regions` may be NULL (then every
 * province is unknown). */
int pk_nik_check(const char *s, size_t len, const pk_regions *regions,
                 pk_date today, pk_nik_info *out);

/* Whether s (NUL-terminated) has a NIK's shape: exactly 16 ASCII
 * digits, nothing said of what they mean (pk_nik_check does).  For a
 * NIK looked up by its blind index, whatever the region table says. */
bool pk_nik_digits(const char *s);

/* "3174********0001": first four and last four digits.  out >= 17 bytes.
 * Input that is not 16 characters is masked entirely. */
void pk_nik_mask(const char *nik, char out[17]);

#endif
