/* cells.h -- every count the staff's pages show of a region (the
 * statistics' and the funnel's), and which of them a viewer sees hidden:
 * ONE decision behind GET /api/v1/stats, the dashboard and its breakdown
 * by child region, GET /api/v1/funnel, /corong and its CSV.
 *
 * Why one decision (docs/PRIVACY.md, "viewer"): a page that hid only its
 * own small cells could be subtracted from another (31.74's 9 registered
 * minus 31.74.01's 7 gives 31.74.02's hidden 2).  So which cells of a
 * region are hidden is decided from the service province down to the
 * region, level by level, as a statistical office's complementary
 * suppression (core/suppress.h): the province's own row alone; then at
 * each node of the path, its children's rows under the node's row as
 * already decided (fixed), with the equations a reader could solve:
 *   - each column: the node's count = the sum of its children's (every
 *     count below is additive over regions);
 *   - each row: total = eligible + not eligible = L + P = the segments;
 *     a step of the funnel and the count of its waits (the same people);
 *     and the people between two steps of the funnel (from registered
 *     to the first incentive), shown on no page, when 1..k-1;
 * hiding the small cells (1..k-1) and then, while an equation has exactly
 * one hidden cell, its least shown one.  The result depends on the data
 * and the region alone, never on who asks (two viewers with different
 * scopes see the same hidden cells of a region both may open), and a
 * cell hidden in a region's row of its parent's breakdown is hidden on
 * the region's own page, since that page shows that very row.
 *
 * A read is bounded: the path has at most 3 nodes above a village (the
 * province, a city, a district), each read from the counters in three
 * queries (its children's participant cells, journey cells and events'
 * attendance), plus the root's own row.  Callers who see exact counts
 * (min count 0 or 1) read only the region's row (and its children), and
 * for the statistics only the participants' counters.
 * For the app's own files. */
#ifndef PK_APP_CELLS_H
#define PK_APP_CELLS_H

#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "app/funnel.h"
#include "app/stats.h"
#include "app/wave_terms.h"
#include "core/date.h"
#include "core/participant.h"
#include "core/pk.h"
#include "core/region.h"

#define PK_CELLS_HIDDEN PK_STATS_HIDDEN
#define PK_CELLS_NONE PK_FUNNEL_NONE /* reached: no event has an attendance */
/* the funnel's steps from the journey's cells: joined, selected, bought,
 * finished, paid (step s of a row is PK_FS_JOINED + s) */
#define PK_CELLS_STEPS (PK_FS_PAID - PK_FS_JOINED + 1)

enum {
    PK_CD_TOTAL,
    PK_CD_ELIGIBLE,
    PK_CD_NOT_ELIGIBLE,
    PK_CD_L,
    PK_CD_P,
    PK_CD_SEG,                                     /* + segment - 1 (1..3) */
    PK_CD_REASON = PK_CD_SEG + PK_SEG__COUNT - 1,  /* + pk_code */
    PK_CD_REACHED = PK_CD_REASON + PK_C__COUNT,
    PK_CD_STEP,                                    /* + 0..4: joined .. paid */
    PK_CD_WAITS = PK_CD_STEP + PK_CELLS_STEPS,     /* + 0..4: the waits counted of a step */
    PK_CD_AT_RISK = PK_CD_WAITS + PK_CELLS_STEPS,  /* a first-purchase deadline in 0..7 days */
    PK_CD__COUNT
};

typedef struct pk_cell_row {
    const pk_region *region; /* NULL: the root read as "" */
    int64_t v[PK_CD__COUNT]; /* PK_CELLS_HIDDEN where hidden; reached PK_CELLS_NONE */
} pk_cell_row;

typedef struct pk_region_cells {
    pk_cell_row self;
    pk_cell_row *children; /* the region table's children, in its order */
    size_t nchildren;
} pk_region_cells;

/* The cells of region `want` (a normalized code, already checked against
 * the caller's scope; "" the whole service area) with small cells hidden
 * for min count k (k <= 1: none hidden), at-risk counted from `today`;
 * `what`: PK_CELLS_CHILDREN one level down too, PK_CELLS_FUNNEL the
 * funnel's counts (reached, steps, waits, at risk) are shown (without
 * it and k <= 1 they are not read: 0, reached PK_CELLS_NONE; hiding
 * always reads them, as they decide what is hidden).  waits_hist (NULL:
 * not wanted; PK_CELLS_STEPS rows, zeroed by the caller): the region's
 * own waits by days (pk_cells_journey_kind's), added up from the same
 * cells as its row's, when the funnel's counts are read (the medians).
 * 0, PK_ENOMEM or PK_EIO; pk_cells_free after 0. */
enum { PK_CELLS_CHILDREN = 1, PK_CELLS_FUNNEL = 2 };
int pk_cells_read(const pk_app *app, const char *want, int64_t k, pk_date today, unsigned what,
                  int64_t (*waits_hist)[PK_FUNNEL_WAIT_MAX + 1], pk_region_cells *out);
void pk_cells_free(pk_region_cells *c);

/* The days from `today` to the first-purchase deadline of a selection on
 * `day` in wave `wave` (the wave's rule as the daily job applies it: the
 * one rule of "at risk now"), each (wave, day) worked out once per read
 * (every village has cells of the same few). */
typedef struct pk_deadlines_seen {
    const pk_wave_table *waves;
    long today;
    struct {
        int64_t wave, day;
        long left;
    } e[64];
} pk_deadlines_seen;
void pk_deadlines_seen_init(pk_deadlines_seen *m, const pk_wave_table *waves, long today);
long pk_deadlines_seen_left(pk_deadlines_seen *m, int64_t wave, int64_t day);

/* What a journey cell (store.h) counts, the one reading of it for a
 * region's rows and an event's funnel: PK_JC_STEP, people who reached
 * step *step (0..PK_CELLS_STEPS-1: funnel step PK_FS_JOINED + *step);
 * PK_JC_WAIT, people who waited *days (capped at PK_FUNNEL_WAIT_MAX) for
 * step *step; PK_JC_AT_RISK, selections whose first-purchase deadline
 * is 0..PK_FUNNEL_RISK_DAYS days from seen's today; PK_JC_OTHER, none of
 * the funnel's. */
typedef enum { PK_JC_OTHER, PK_JC_STEP, PK_JC_WAIT, PK_JC_AT_RISK } pk_jc_kind;
struct pk_journey_cell;
pk_jc_kind pk_cells_journey_kind(pk_deadlines_seen *seen, const struct pk_journey_cell *c,
                                 int *step, int64_t *days);

#endif
