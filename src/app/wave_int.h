/* wave_int.h -- what the files of the waves share (not for callers: they
 * use wave.h).
 *
 *   wave.c          definitions and rules: quotas, create, open, close,
 *                   joining, list, show
 *   wave_compute.c  the table of applicants and the one computation
 *                   (rank, sort, walk, digests) of draw and verify
 *   wave_draw.c     the draw: the table from the registry, the writes
 *   wave_verify.c   the table from a draw's stored records: verify, the
 *                   repetition of a draw, export selection
 *   cards.c         card numbers: the next serials' keyed numbers (the
 *                   draw's and the reissue's), `cards reissue` */
#ifndef PK_APP_WAVE_INT_H
#define PK_APP_WAVE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "app/wave.h"
#include "core/region.h"
#include "store/store.h"

/* ---- the wave's quotas (wave.c) ---------------------------------------- */

typedef struct quotas {
    size_t n;
    char code[PK_WAVE_REGION_QUOTAS_MAX][PK_REGION_CODE_MAX];
    int64_t quota[PK_WAVE_REGION_QUOTAS_MAX];
} quotas;

/* "31.71=3000;31.72=100" (as stored) into q; false when malformed. */
bool pk_wv_quotas_parse(const char *s, quotas *q);
/* The index of a regency's quota in q, or PK_DRAW_NONE. */
uint32_t pk_wv_quota_index(const quotas *q, const char *regency);
/* The regency ("31.71") of a dotted village code. */
void pk_wv_regency_of(const char *village, char out[16]);

/* ---- waves (wave.c) --------------------------------------------------------- */

int64_t pk_wv_now(void);
/* The wave numbered `number`: 0, PK_ENOENT or a store error. */
int pk_wv_find(const pk_app *app, int64_t number, pk_wave *out);
/* A draw's summary line (the JSON of `wave draw`); NULL when out of memory. */
json_t *pk_wv_summary_json(const pk_draw_rec *d);

/* ---- the computation (wave_compute.c) ----------------------------------- */

/* One applicant (56 bytes). */
typedef struct appl {
    int64_t pid;
    uint64_t nik;         /* the 16 digits as a number: orders as the text does */
    uint64_t reasons;     /* in: the rules' reasons; out: those, or the quota's code */
    uint8_t kk[PK_BI_LEN];
    uint32_t region;      /* index into the wave's quotas, or PK_DRAW_NONE */
    uint32_t family;      /* set by draw_compute */
    uint8_t tier;
    uint8_t selected;     /* out */
    uint8_t recipient;    /* selected since joining (pernah_menerima): no event of this draw */
} appl;

typedef struct table {
    appl *a;
    size_t n, cap;
    uint32_t *prior;      /* per family: recipients of earlier waves */
    uint8_t (*fam_kk)[PK_BI_LEN];
    size_t n_fam;
} table;

typedef struct outcome {
    int64_t eligible, selected;
    int64_t by_reason[PK_C__COUNT];
    uint8_t snapshot[32], result[32];
} outcome;

/* Appends x to t: 0 or PK_ENOMEM. */
int pk_wv_table_add(table *t, const appl *x);
void pk_wv_table_free(table *t);
/* Sorts the table by family card and numbers the families; fam_kk holds
 * each family's KK index (sorted), prior its earlier recipients: 0, or,
 * with from_rows, what each member's `family` held before (the stored
 * count of a draw's record). */
int pk_wv_families(table *t, bool from_rows);
void pk_wv_nik_text(uint64_t nik, char out[17]);
bool pk_wv_nik_number(const char *s, uint64_t *out);
/* Ranks, sorts, walks (quota q->overall and the regency quotas, kk_max)
 * and digests the table.  Each applicant with reasons 0 takes part;
 * afterwards `selected` is set and a not-selected one's reasons hold the
 * walk's code.  Leaves the table in NIK order. */
int pk_wv_draw_compute(table *t, const uint8_t seed[32], int64_t overall, const quotas *q,
                       int kk_max, outcome *o);
/* The counts by reason as a JSON object's text. */
void pk_wv_reasons_text(const int64_t *by_reason, char *out, size_t cap);
/* "kuota_gelombang_penuh" or "usia_kurang;daftar_hitam" */
void pk_wv_codes_text(uint64_t set, char *out, size_t cap);

/* ---- a drawn wave again (wave_verify.c) ---------------------------------- */

/* The draw of a drawn wave asked again: the same seed reproduces the
 * stored draw and answers its summary (out->repeated); another seed is
 * refused (PK_ECONFLICT). */
int pk_wv_draw_repeat(const pk_app *app, int64_t number, const uint8_t seed[32],
                      pk_draw_summary *out, char *err, size_t errlen);

/* ---- card numbers (cards.c) --------------------------------------------- */

/* The numbers of new cards in one transaction: serials after the highest
 * issued, each one's keyed number (core/card.h), a serial whose number
 * was ever issued skipped (looked up only where first-release numbers
 * exist: `legacy`). */
typedef struct pk_card_issuer {
    pk_tx *tx;
    const char *prefix;
    uint8_t key[16];
    int64_t next;
    bool legacy;
} pk_card_issuer;
int pk_card_issuer_begin(const pk_app *app, pk_tx *tx, pk_card_issuer *ci);
/* c->serial and c->number of the next card; PK_ETOOBIG when the prefix
 * has no serial left, or a store error. */
int pk_card_issue(pk_card_issuer *ci, pk_card_new *c);
void pk_card_issuer_end(pk_card_issuer *ci);

#endif
