/* wave_terms.h -- what a wave's recipients are judged by: their scheme's
 * days to the first purchase and to fill a survey, and the wave's balance
 * cut-off (journey-events-csv.md's deadlines, computed by
 * core/journey.c's pk_journey_deadlines from these).  The one lookup
 * behind the daily job, the reminders, the funnel and a journey's page.
 *
 * A wave this deployment holds (engine mode) gives its scheme and its
 * balance_until; a wave it does not hold (the programme office's, mirror
 * mode) gives the scheme whose range of waves holds its number, else the
 * scheme the caller names (the person's registration), and that
 * scheme's balance_until as the cut-off (the programme's, from
 * data/schemes.ini; none when it has none).
 * For the app's own files (it names store types); not for adapters. */
#ifndef PK_APP_WAVE_TERMS_H
#define PK_APP_WAVE_TERMS_H

#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "store/store.h"

typedef struct pk_wave_terms {
    int64_t number;
    const pk_scheme *scheme;  /* NULL: none known (the days are then 30) */
    int purchase_days, survey_days;
    int64_t cutoff;           /* the end (23:59:59 WIB) of the balance cut-off day; 0: none */
} pk_wave_terms;

/* The terms of wave `number`: w, this deployment's wave of that number,
 * or NULL when it holds none; `scheme` (may be NULL) the scheme to fall
 * back on. */
pk_wave_terms pk_wave_terms_of(const pk_app *app, const pk_wave *w, int64_t number,
                               const char *scheme);

/* The first-purchase deadline of a selection at `selected_at` in wave
 * `wave` by its terms (core/journey.c, pk_first_purchase_by): the store's
 * hook (pk_store_set_purchase_by, ctx the app), which the journey's fold
 * asks when a purchase was cancelled.  Reads the wave held here without
 * a lock (pk_tx_wave_peek). */
int pk_wave_purchase_by(void *app, pk_tx *tx, int64_t wave, int64_t selected_at, int64_t *by);

/* Every wave this deployment holds, read once (a few hundred at most). */
typedef struct pk_wave_table {
    const pk_app *app;
    pk_wave_terms *t;
    size_t n, cap;
} pk_wave_table;

/* t empty for app (no read); then pk_wave_table_add each wave, or
 * pk_wave_table_load to read them all. */
void pk_wave_table_init(pk_wave_table *t, const pk_app *app);
int pk_wave_table_add(pk_wave_table *t, const pk_wave *w);
int pk_wave_table_load(pk_wave_table *t);
/* pk_wave_terms_of with the table's wave of that number. */
pk_wave_terms pk_wave_table_find(const pk_wave_table *t, int64_t number, const char *scheme);
void pk_wave_table_free(pk_wave_table *t);
/* pk_wave_purchase_by by the table (ctx) rather than the store: for a
 * fold on a thread of its own (pk_journey_judge_unstored), the table
 * holding every wave the fold can meet. */
int pk_wave_table_purchase_by(void *table, int64_t wave, int64_t selected_at, int64_t *by);

#endif
