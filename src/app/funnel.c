/* funnel.c -- the funnel of a region or of an outreach event (funnel.h):
 * the steps from the counters (an event's: its people's cells counted
 * when asked), reached from the events' attendance, the medians from the
 * waits' day histograms, "at risk now" from the running deadlines by
 * (wave, selection day) with each wave's rule applied here, the children
 * one level down, and the small cells hidden from viewers. */
#include "app/funnel.h"

#include <stdlib.h>
#include <string.h>

#include "app/auth.h"
#include "app/cells.h"
#include "app/wave_terms.h"
#include "core/journey.h"
#include "core/median.h"
#include "core/pk.h"
#include "store/store.h"

static const struct {
    const char *name, *label;
} steps[PK_FS__COUNT] = {
    [PK_FS_REACHED] = {"dijangkau", "Dijangkau acara"},
    [PK_FS_REGISTERED] = {"terdaftar", "Terdaftar"},
    [PK_FS_ELIGIBLE] = {"memenuhi_syarat", "Memenuhi syarat"},
    [PK_FS_JOINED] = {"gabung_gelombang", "Gabung gelombang"},
    [PK_FS_SELECTED] = {"lolos", "Lolos seleksi"},
    [PK_FS_BOUGHT] = {"membeli_pelatihan", "Membeli pelatihan pertama"},
    [PK_FS_FINISHED] = {"selesai_pelatihan", "Menyelesaikan pelatihan"},
    [PK_FS_PAID] = {"insentif_dibayar", "Insentif pertama dibayar"},
};

const char *pk_funnel_step_name(pk_funnel_step s)
{
    return (unsigned)s < PK_FS__COUNT ? steps[s].name : NULL;
}

const char *pk_funnel_step_label(pk_funnel_step s)
{
    return (unsigned)s < PK_FS__COUNT ? steps[s].label : NULL;
}

static bool shown(int64_t n)
{
    return n != PK_STATS_HIDDEN && n != PK_FUNNEL_NONE;
}

bool pk_funnel_rate(const pk_funnel *f, const int64_t n[PK_FS__COUNT], pk_funnel_step s,
                    int64_t *permille)
{
    if (s <= PK_FS_REACHED || s >= PK_FS__COUNT || !shown(n[s]))
        return false;
    if (s == PK_FS_REGISTERED && f->event.id == 0)
        return false; /* a region's registrations are not all through events */
    int64_t before = n[s - 1];
    if (!shown(before) || before == 0)
        return false;
    *permille = (n[s] * 1000 + before / 2) / before;
    return true;
}

/* ---- reading the cells ---- */

/* An event's people's cells (a region's are app/cells.h's). */
typedef struct event_read {
    pk_funnel *f;
    pk_deadlines_seen seen; /* "at risk now": the deadlines from today */
    int64_t (*hist)[PK_FUNNEL_WAIT_MAX + 1]; /* [step - PK_FS_JOINED][days] */
} event_read;

static int event_cell(void *ctx, const pk_journey_cell *c)
{
    event_read *r = ctx;
    int s;
    int64_t days;
    switch (pk_cells_journey_kind(&r->seen, c, &s, &days)) {
    case PK_JC_STEP: r->f->n[PK_FS_JOINED + s] += c->n; break;
    case PK_JC_WAIT:
        r->hist[s][days] += c->n;
        r->f->waits[PK_FS_JOINED + s] += c->n;
        break;
    case PK_JC_AT_RISK: r->f->at_risk += c->n; break;
    case PK_JC_OTHER: break;
    }
    return 0;
}

/* The median (core/median.h) of a day histogram over its people; -1
 * when it has none. */
static double median_of(const int64_t *h)
{
    pk_tally t[PK_FUNNEL_WAIT_MAX + 1];
    size_t len = 0;
    for (int d = 0; d <= PK_FUNNEL_WAIT_MAX; d++)
        if (h[d] > 0)
            t[len++] = (pk_tally){d, h[d]};
    double m;
    return pk_median(t, len, &m) ? m : -1;
}

/* ---- small cells (funnel.h) ---- */

static void hide(int64_t *n, int64_t k)
{
    if (*n > 0 && *n < k)
        *n = PK_STATS_HIDDEN;
}

/* A step whose drop from the shown step before is small tells how few
 * stopped there: hidden too. */
static void hide_drops(int64_t *n, int64_t k)
{
    int64_t before = PK_FUNNEL_NONE;
    for (int s = PK_FS_REGISTERED; s < PK_FS__COUNT; s++) {
        if (shown(before) && shown(n[s]) && before - n[s] > 0 && before - n[s] < k)
            n[s] = PK_STATS_HIDDEN;
        if (shown(n[s]))
            before = n[s];
    }
}

void pk_funnel_hide_steps(int64_t n[PK_FS__COUNT], int64_t k)
{
    for (int s = 0; s < PK_FS__COUNT; s++)
        hide(&n[s], k);
    hide_drops(n, k);
}

/* An event's funnel: its own cells (an event has no children, and its
 * people are no region's: app/cells.h decides a region's). */
static void hide_event(pk_funnel *f, int64_t k)
{
    pk_funnel_hide_steps(f->n, k);
    for (int s = 0; s < PK_FS__COUNT; s++)
        if ((f->waits[s] > 0 && f->waits[s] < k) || f->n[s] == PK_STATS_HIDDEN)
            f->waits[s] = PK_STATS_HIDDEN;
    hide(&f->at_risk, k);
}

/* A region's or a child's counts from its row of cells (app/cells.h). */
static void from_row(int64_t n[PK_FS__COUNT], const int64_t *v)
{
    n[PK_FS_REACHED] = v[PK_CD_REACHED];
    n[PK_FS_REGISTERED] = v[PK_CD_TOTAL];
    n[PK_FS_ELIGIBLE] = v[PK_CD_ELIGIBLE];
    for (int s = 0; s < PK_CELLS_STEPS; s++)
        n[PK_FS_JOINED + s] = v[PK_CD_STEP + s];
}

/* The waits' medians from their histograms (PK_CELLS_STEPS rows). */
static void medians(pk_funnel *out, int64_t (*hist)[PK_FUNNEL_WAIT_MAX + 1])
{
    for (int s = 0; s < PK_CELLS_STEPS; s++)
        out->median_days[PK_FS_JOINED + s] = median_of(hist[s]);
}

/* The steps from joining a wave on, their waits' medians and "at risk
 * now" of event `event`'s people, from their cells. */
static int event_steps(const pk_app *app, int64_t event, pk_funnel *out)
{
    pk_wave_table waves;
    pk_wave_table_init(&waves, app);
    event_read er = {.f = out};
    pk_deadlines_seen_init(&er.seen, &waves, pk_date_to_days(out->today));
    er.hist = calloc(PK_CELLS_STEPS, sizeof(*er.hist));
    int rc = er.hist == NULL ? PK_ENOMEM : 0;
    if (rc == 0 && pk_wave_table_load(&waves) != 0)
        rc = PK_EIO;
    if (rc == 0 &&
        pk_store_outreach_journey_counts(app->store, event, out->scope, event_cell, &er) != 0)
        rc = PK_EIO;
    if (rc == 0)
        medians(out, er.hist);
    free(er.hist);
    pk_wave_table_free(&waves);
    return rc;
}

/* An event's funnel (funnel.h): the event in the caller's scope and in
 * the region asked for, its counts, its people's steps.  An event outside
 * the scope does not exist for the caller, as on its page (/acara/{id}):
 * "not found", never "not yours", which would tell its id is taken. */
static int event_funnel(const pk_app *app, const char *want, int64_t event, pk_funnel *out)
{
    int rc = pk_store_outreach_get(app->store, event, out->scope, &out->event);
    if (rc == 0 && (!pk_auth_region_within(out->scope, out->event.kode_wilayah) ||
                    !pk_auth_region_within(want, out->event.kode_wilayah)))
        rc = PK_ENOENT;
    if (rc == PK_ENOENT) {
        memset(&out->event, 0, sizeof(out->event));
        out->event_missing = true;
        return PK_ENOENT;
    }
    if (rc != 0)
        return PK_EIO;
    out->region = pk_regions_find(app->regions, out->event.kode_wilayah);
    out->n[PK_FS_REACHED] = out->event.attendance >= 0 ? out->event.attendance : PK_FUNNEL_NONE;
    out->n[PK_FS_REGISTERED] = out->event.registrations;
    out->n[PK_FS_ELIGIBLE] = out->event.eligible;
    return event_steps(app, event, out);
}

/* A region's funnel: its counts and its children's as decided from the
 * province down for this caller's min count k (app/cells.h); the
 * medians of the waits from the region's own cells, read with them. */
static int region_funnel(const pk_app *app, const char *want, int64_t k, pk_funnel *out)
{
    int64_t(*hist)[PK_FUNNEL_WAIT_MAX + 1] = calloc(PK_CELLS_STEPS, sizeof(*hist));
    int rc = hist == NULL ? PK_ENOMEM : 0;
    pk_region_cells c;
    if (rc == 0 && (rc = pk_cells_read(app, want, k, out->today,
                                       PK_CELLS_CHILDREN | PK_CELLS_FUNNEL, hist, &c)) == 0) {
        medians(out, hist);
        from_row(out->n, c.self.v);
        for (int s = 0; s < PK_CELLS_STEPS; s++)
            out->waits[PK_FS_JOINED + s] = c.self.v[PK_CD_WAITS + s];
        out->at_risk = c.self.v[PK_CD_AT_RISK];
        if (c.nchildren > 0 &&
            (out->children = calloc(c.nchildren, sizeof(*out->children))) == NULL)
            rc = PK_ENOMEM;
        for (size_t i = 0; rc == 0 && i < c.nchildren; i++) {
            out->children[i].region = c.children[i].region;
            from_row(out->children[i].n, c.children[i].v);
        }
        if (rc == 0)
            out->nchildren = c.nchildren;
        pk_cells_free(&c);
    }
    free(hist);
    return rc;
}

int pk_funnel_read(const pk_app *app, const pk_principal *who, const char *code, int64_t event,
                   pk_date today, pk_funnel *out)
{
    memset(out, 0, sizeof(*out));
    out->today = today;
    char want[PK_REGION_CODE_MAX];
    int rc = pk_stats_resolve(app, who, code, out->scope, want, &out->region);
    if (rc != 0)
        return rc;
    for (int s = 0; s < PK_FS__COUNT; s++)
        out->median_days[s] = -1;
    out->n[PK_FS_REACHED] = PK_FUNNEL_NONE;
    int64_t k = pk_stats_min_count(app, who);
    rc = event != 0 ? event_funnel(app, want, event, out) : region_funnel(app, want, k, out);
    if (rc != 0) {
        pk_funnel_free(out);
        return rc;
    }
    if (k > 1) {
        out->min_count = (int)k;
        if (event != 0)
            hide_event(out, k);
        for (int s = 0; s < PK_FS__COUNT; s++)
            if (out->waits[s] == PK_STATS_HIDDEN)
                out->median_days[s] = -1; /* a median over hidden people */
    }
    return 0;
}

void pk_funnel_free(pk_funnel *f)
{
    free(f->children);
    f->children = NULL;
    f->nchildren = 0;
}
