/* scheme.h -- benefit schemes (2020, 2021, 2022, 2023 ...) as data.
 *
 * Schemes are read from an ini file (data/schemes.ini), one section per
 * scheme; nothing about them is a constant in code.  Each wave belongs to
 * exactly one scheme. */
#ifndef PK_SCHEME_H
#define PK_SCHEME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/money.h"

/* Exclusion lists a scheme may apply (see the CSV spec). */
enum {
    PK_LIST_DTKS = 1 << 0,
    PK_LIST_BSU = 1 << 1,
    PK_LIST_BPUM = 1 << 2,
    PK_LIST_DAFTAR_HITAM = 1 << 3,
    PK_LIST_PENERIMA_SEBELUMNYA = 1 << 4,
    /* not an exclusion: the draw's tier 0 (selection.md); a scheme's
     * exclusion_lists may not name it */
    PK_LIST_PRIORITAS = 1 << 5
};
/* "dtks" -> PK_LIST_DTKS; 0 when unknown. */
unsigned pk_list_by_name(const char *name);
const char *pk_list_name(unsigned bit);

#define PK_SCHEME_ID_MAX 16
#define PK_SCHEMES_MAX 32

typedef struct pk_scheme {
    char id[PK_SCHEME_ID_MAX];     /* "2021" */
    char name[96];                 /* "Skema 2021 (gelombang 12-22)" */
    int wave_first, wave_last;     /* wave_last 0: open-ended */
    pk_rupiah training_balance;
    pk_rupiah incentive;           /* per month */
    int incentive_months;
    pk_rupiah survey_incentive;    /* per survey */
    int survey_count;
    int purchase_deadline_days;    /* first training within N days */
    int min_age;
    int max_age;                   /* 0: no upper limit */
    int kk_max;                    /* eligible members per KK; 0: no limit */
    unsigned exclusion_lists;      /* PK_LIST_* bits */
    int survey_open_days;          /* survey k opens k*N days after the first incentive */
    int survey_fill_days;          /* a survey must be filled within N days */
    int survey_pay_days;           /* a filled survey is paid within N days */
    char balance_until[11];        /* the programme's cut-off of the scheme's balances,
                                    * YYYY-MM-DD (optional key); "": none known */
} pk_scheme;

typedef struct pk_schemes {
    pk_scheme items[PK_SCHEMES_MAX];
    size_t count;
    char current[PK_SCHEME_ID_MAX]; /* the scheme new registrants get */
} pk_schemes;

/* Parses the ini text (NUL-terminated).  On error returns PK_EINVAL and
 * writes a one-line English explanation naming the line into err. */
int pk_schemes_parse(const char *text, pk_schemes *out, char *err, size_t errlen);
const pk_scheme *pk_schemes_find(const pk_schemes *s, const char *id);
/* The scheme whose waves (wave_first..wave_last) include `wave`; NULL
 * when none does (the schemes' ranges do not overlap). */
const pk_scheme *pk_schemes_for_wave(const pk_schemes *s, int64_t wave);
const pk_scheme *pk_schemes_current(const pk_schemes *s);
pk_rupiah pk_scheme_total(const pk_scheme *s);

#endif
