/* stats.h -- the aggregates staff see: one home for what a caller may
 * count and what the counts are, so the API (GET /api/v1/stats), the
 * dashboard (/dasbor, /admin) and any later report agree for the same
 * caller and region.
 *
 * The scope rule (pk_auth_scope in auth.h) applies to counts exactly as
 * to personal records: an account with a region (an operator always, a
 * viewer or an admin when created with --region) counts only inside
 * that subtree; an account without one counts the whole service area.
 *
 * Small cells single people out (a village with five participants, one of
 * them on daftar_hitam).  For a caller who may not read the records
 * themselves (a viewer), every count from 1 to stats_min_count - 1 is
 * hidden (PK_STATS_HIDDEN), and so is any count that would let one be
 * worked out from counts shown here or on another page (the region's
 * parent, its siblings, its children, the funnel): which cells of a
 * region are hidden is decided once, from the service province down,
 * whoever asks (app/cells.h).  Operators and admins, who can open the
 * records, see exact counts. */
#ifndef PK_STATS_H
#define PK_STATS_H

#include <stdint.h>

#include "app/app.h"
#include "app/auth.h"

#define PK_STATS_HIDDEN (-1) /* a count too small to show this caller */

typedef struct pk_region_stats {
    const pk_region *region;        /* the region counted; NULL: the whole scope "" */
    char scope[PK_REGION_CODE_MAX]; /* the caller's scope ("" = everything) */
    int min_count;                  /* counts below it were hidden; 0: none were */
    int64_t total, eligible, not_eligible;
    int64_t by_segment[PK_SEG__COUNT]; /* index: pk_segment (0: not given) */
    int64_t by_sex[2];                 /* L, P */
    int64_t by_reason[PK_C__COUNT];    /* index: pk_code */
} pk_region_stats;

/* The counts of region `code` (any form pk_region_normalize accepts;
 * NULL or "": the caller's whole scope) as `who` may see them.  Returns
 * 0, PK_EINVAL (not a region code), PK_ENOENT (no such region),
 * PK_EDENIED (outside the caller's scope) or PK_EIO (the store failed). */
int pk_stats_region(const pk_app *app, const pk_principal *who, const char *code,
                    pk_region_stats *out);

/* The region a caller asks for, checked as pk_stats_region does (its
 * errors): scope gets the caller's, want the code to count ("" for
 * everything), *region its entry (NULL for everything).  Every report of
 * counts (the funnel too) resolves its region here. */
int pk_stats_resolve(const pk_app *app, const pk_principal *who, const char *code,
                     char scope[PK_REGION_CODE_MAX], char want[PK_REGION_CODE_MAX],
                     const pk_region **region);
/* The smallest count `who` may see (stats_min_count for viewers), 0 when
 * every count is shown. */
int64_t pk_stats_min_count(const pk_app *app, const pk_principal *who);

/* The breakdown one level down as well: each child region of the region
 * counted (of the service province for the whole area), counted the
 * same way for the same caller, in the region table's order; every
 * child lies inside the region asked for, so inside the caller's scope.
 * *kids is allocated (free() it; NULL when *nkids is 0: a village has no
 * children).  Errors as pk_stats_region's, and PK_ENOMEM. */
typedef struct pk_child_stats {
    const pk_region *region;
    int64_t total, eligible, not_eligible;
} pk_child_stats;
int pk_stats_breakdown(const pk_app *app, const pk_principal *who, const char *code,
                       pk_region_stats *out, pk_child_stats **kids, size_t *nkids);

/* The counters behind these figures (kept by the store with every write
 * of a participant, in its transaction) against a recount of the
 * participants: `prakerja stats verify`.  cb gets each cell (village,
 * segment, sex, set of reasons) whose counter differs from the recount;
 * *cells is the number of cells compared, *people the participants
 * recounted, *differ the cells that differ.  0 or PK_EIO. */
typedef struct pk_stats_cell {
    char region[PK_REGION_CODE_MAX];
    char segmen[16];
    char sex[2];
    uint64_t reasons;
    int64_t kept, counted;
} pk_stats_cell;
typedef struct pk_stats_check {
    int64_t cells, people, differ;
    int64_t journey_cells, journey_differ; /* the journey's counters (the funnel's) */
    int64_t remind_cells, remind_differ;   /* the effect of reminders' counters */
} pk_stats_check;
/* The journey's counters too (journey_count: steps, waits, deadlines per
 * village, kept with every write of a journey) against a recount of the
 * journeys: jcb (may be NULL) gets each cell that differs. */
typedef struct pk_journey_stats_cell {
    char region[PK_REGION_CODE_MAX];
    char kind[16];
    int64_t k1, k2, kept, counted;
} pk_journey_stats_cell;
/* And the effect of reminders' counters (per village, rule, whether
 * reminded or held out, revoked, days to the first purchase; kept with
 * every write of a fire, a journey or a village) against a recount of the
 * fires and journeys. */
typedef struct pk_remind_stats_cell {
    char region[PK_REGION_CODE_MAX];
    char rule[32];
    bool sent, held, revoked;
    int64_t days, kept, counted;
} pk_remind_stats_cell;
/* Who hears of the cells that differ, by kind (each may be NULL). */
typedef struct pk_stats_report {
    void (*cell)(void *ctx, const pk_stats_cell *c);
    void (*journey)(void *ctx, const pk_journey_stats_cell *c);
    void (*remind)(void *ctx, const pk_remind_stats_cell *c);
    void *ctx;
} pk_stats_report;
int pk_stats_verify(const pk_app *app, const pk_stats_report *report, pk_stats_check *out);

/* Every counter recounted from the participants, the journeys and the
 * reminders' fires in one transaction (`prakerja stats rebuild`), audited
 * as `actor` (stats.rebuild, source cli); the counters written by kind.
 * 0 or a store error. */
typedef struct pk_stats_rebuilt {
    int64_t cells, journey_cells, remind_cells;
} pk_stats_rebuilt;
int pk_stats_rebuild(const pk_app *app, const char *actor, pk_stats_rebuilt *out);

/* Staff accounts by role, for administrators; disabled ones apart. */
typedef struct pk_account_counts {
    int64_t admin, operator, viewer, disabled;
} pk_account_counts;
int pk_stats_accounts(const pk_app *app, pk_account_counts *out);

#endif
