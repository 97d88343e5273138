/* funnel.h -- the funnel (issue #15): of a region (city, district,
 * village, or the caller's whole area), how many people reached each step
 * of the programme, the conversion between steps, the median days it
 * took to reach a step, and who is at risk now (recipients without a
 * purchase whose first-purchase deadline falls within PK_FUNNEL_RISK_DAYS
 * days), read from counters kept with every write (issue #16): the
 * participants' (participant_count: registered, eligible) and the
 * journeys' (journey_count, store.h: the steps from joining a wave to
 * the first incentive, the waits, the running deadlines), so a funnel
 * costs the cells of its region, never a scan of its people.  One home
 * for the numbers: the API (GET /api/v1/funnel), the page (/corong) and
 * its CSV show exactly these.
 *
 * The scope and small-cell rules are the statistics' (stats.h): outside
 * the caller's scope PK_EDENIED; for a viewer every count from 1 to
 * stats_min_count - 1 is hidden (PK_STATS_HIDDEN), and so is a step
 * whose difference from the shown step before it is that small (it
 * counts the people who stopped there), a median over fewer people, and
 * each child region's cells as the dashboard hides them (a column whose
 * sum the region shows never has exactly one hidden cell).
 *
 * "Reached" (dijangkau) is the attendance recorded for outreach events
 * (app/outreach.h): of a region, the sum over its events that have one
 * (events are few: one read by the events' index by village), and
 * PK_FUNNEL_NONE ("belum ada data") while none has.  A region's
 * registrations are not all through events, so its funnel shows no
 * conversion from reached to registered.
 *
 * The funnel of ONE EVENT: reached = its attendance, registered = the
 * registrations attributed to it (through its short link), eligible
 * those of them without a reason, and the journey's steps, waits and
 * running deadlines of exactly those people, of them only those who live
 * in the caller's scope (registrants may come from other villages, whom
 * a scoped caller may not follow: pk_outreach_get), counted when asked through
 * the attribution (pk_store_outreach_journey_counts: an event's people
 * are few, so the read is bounded by the event's registrations), with
 * the same conversions (from reached to registered too), medians, "at
 * risk now" and small cells as a region's.  An event outside the
 * caller's scope is PK_EDENIED, as a region is; an unknown one, or one
 * outside the region asked for, PK_ENOENT with event_missing. */
#ifndef PK_FUNNEL_H
#define PK_FUNNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "app/auth.h"
#include "app/stats.h"
#include "core/date.h"
#include "core/outreach.h"

#define PK_FUNNEL_NONE (-2)      /* no data for this step (yet) */
#define PK_FUNNEL_RISK_DAYS 7    /* "at risk now": a deadline from today to today + 7 */
#define PK_FUNNEL_WAIT_MAX 366   /* a median of this many days means "366 or more" */

typedef enum pk_funnel_step {
    PK_FS_REACHED,     /* reached by an outreach event */
    PK_FS_REGISTERED,  /* registered (participant_count) */
    PK_FS_ELIGIBLE,    /* registered without a reason against them */
    PK_FS_JOINED,      /* joined a wave */
    PK_FS_SELECTED,    /* selected (lolos) */
    PK_FS_BOUGHT,      /* bought a first training (not cancelled) */
    PK_FS_FINISHED,    /* finished a training */
    PK_FS_PAID,        /* the first incentive paid */
    PK_FS__COUNT
} pk_funnel_step;

/* "terdaftar", ...: the machine name (API, CSV); NULL out of range. */
const char *pk_funnel_step_name(pk_funnel_step s);
/* "Terdaftar", ...: the Indonesian label (page, CSV). */
const char *pk_funnel_step_label(pk_funnel_step s);

typedef struct pk_funnel_child {
    const pk_region *region;
    int64_t n[PK_FS__COUNT];
} pk_funnel_child;

typedef struct pk_funnel {
    const pk_region *region;        /* NULL: the caller's whole area; an event's village */
    pk_outreach event;              /* the event of an event's funnel; id 0: a region's */
    char scope[PK_REGION_CODE_MAX]; /* the caller's scope ("" = everything) */
    int min_count;                  /* counts below it were hidden; 0: none were */
    pk_date today;                  /* the day "at risk now" is counted from */
    int64_t n[PK_FS__COUNT];        /* PK_STATS_HIDDEN, PK_FUNNEL_NONE */
    /* the median (core/median.h: the mean of the two middles of an even
     * count, so x.5 possible) of the whole days (WIB) from the step
     * before to this one, over waits[s] people; -1: no one (or hidden);
     * pk_funnel_median_capped: PK_FUNNEL_WAIT_MAX days or more.  Only
     * JOINED (from registration) to PAID have one. */
    double median_days[PK_FS__COUNT];
    int64_t waits[PK_FS__COUNT];
    int64_t at_risk;                /* PK_STATS_HIDDEN possible */
    bool event_missing;             /* PK_ENOENT: the event, not the region */
    pk_funnel_child *children;      /* one level down (none for a village) */
    size_t nchildren;
} pk_funnel;

/* The funnel of region `code` (as pk_stats_region reads it; NULL or "":
 * the caller's whole area) for `who`, at-risk counted from `today`, with
 * its children.  event 0: every person; another: that outreach event's
 * people (no children; the event must lie in `code` when one is given,
 * and in the caller's scope: else it is missing, never PK_EDENIED).
 * 0, PK_EINVAL, PK_ENOENT (out->event_missing: the event), PK_EDENIED,
 * PK_ENOMEM or PK_EIO; pk_funnel_free after 0. */
int pk_funnel_read(const pk_app *app, const pk_principal *who, const char *code, int64_t event,
                   pk_date today, pk_funnel *out);
void pk_funnel_free(pk_funnel *f);

/* Whether a median of days is at the cap: its upper middle waited
 * PK_FUNNEL_WAIT_MAX days or more, so it is that median or more. */
static inline bool pk_funnel_median_capped(double median_days)
{
    return median_days > PK_FUNNEL_WAIT_MAX - 1;
}

/* The conversion into step s from the step before it, in tenths of a
 * percent (1000 = 100%), of f's counts n (f->n or a child's); false when
 * either count is hidden, missing or the one before is 0, and into
 * registered unless f is an event's funnel (funnel.h). */
bool pk_funnel_rate(const pk_funnel *f, const int64_t n[PK_FS__COUNT], pk_funnel_step s,
                    int64_t *permille);

/* The viewers' rule of a funnel's steps (pk_stats_min_count k > 1), the
 * one pk_funnel_read applies: a count 1..k-1 becomes PK_STATS_HIDDEN, and
 * so does a step whose drop from the shown step before is that small.
 * Also for counts of the same steps shown elsewhere (an outreach event's
 * registrations and eligible on its page). */
void pk_funnel_hide_steps(int64_t n[PK_FS__COUNT], int64_t k);

#endif
