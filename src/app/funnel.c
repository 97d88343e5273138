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

/* journey_count's step k1 (1..5) as a funnel step */
static int step_of(int64_t k1)
{
    return k1 >= 1 && k1 <= 5 ? PK_FS_JOINED + (int)(k1 - 1) : -1;
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

/* ---- the waves' first-purchase rules (the deadline of a selection day) ---- */

/* The WIB day a selection on day `day` (days since 1970) of wave `wave`
 * must buy by: the wave's rule as the daily job applies it (its scheme's
 * days, its balance cut-off), else the scheme whose range holds it. */
static long deadline_day(const pk_wave_table *waves, int64_t wave, long day)
{
    pk_wave_terms t = pk_wave_table_find(waves, wave, NULL);
    pk_journey j = {.selected_at = pk_day_start_wib(pk_date_from_days(day))};
    pk_deadlines dl;
    pk_journey_deadlines(&j, t.purchase_days, 0, t.cutoff, &dl);
    return pk_date_to_days(pk_instant_day_wib(dl.first_purchase.ends));
}

/* ---- reading the cells ---- */

typedef struct region_read {
    pk_funnel *f;
    const pk_wave_table *waves;
    long today;
    int64_t hist_n[PK_FS__COUNT];
    int64_t (*hist)[PK_FUNNEL_WAIT_MAX + 1]; /* [step][days] */
} region_read;

static int region_cell(void *ctx, const pk_journey_cell *c)
{
    region_read *r = ctx;
    if (strcmp(c->kind, "langkah") == 0) {
        int s = step_of(c->k1);
        if (s >= 0)
            r->f->n[s] += c->n;
    } else if (strcmp(c->kind, "hari") == 0) {
        int s = step_of(c->k1);
        if (s >= 0 && c->k2 >= 0) {
            int64_t d = c->k2 > PK_FUNNEL_WAIT_MAX ? PK_FUNNEL_WAIT_MAX : c->k2;
            r->hist[s][d] += c->n;
            r->f->waits[s] += c->n;
        }
    } else if (strcmp(c->kind, "tenggat") == 0) {
        long left = deadline_day(r->waves, c->k1, (long)c->k2) - r->today;
        if (left >= 0 && left <= PK_FUNNEL_RISK_DAYS)
            r->f->at_risk += c->n;
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

typedef struct child_read {
    pk_funnel *f;
    size_t len;
} child_read;

static pk_funnel_child *child_by_code(pk_funnel *f, const char *code)
{
    for (size_t i = 0; i < f->nchildren; i++)
        if (strcmp(f->children[i].region->code, code) == 0)
            return &f->children[i];
    return NULL;
}

static int child_steps(void *ctx, const pk_journey_cell *c)
{
    child_read *r = ctx;
    pk_funnel_child *ch = child_by_code(r->f, c->region);
    int s = step_of(c->k1);
    if (ch != NULL && s >= 0)
        ch->n[s] += c->n;
    return 0;
}

static int child_registry(void *ctx, const pk_child_count *c)
{
    child_read *r = ctx;
    pk_funnel_child *ch = child_by_code(r->f, c->code);
    if (ch != NULL) {
        ch->n[PK_FS_REGISTERED] = c->total;
        ch->n[PK_FS_ELIGIBLE] = c->eligible;
    }
    return 0;
}

static int region_reached(void *ctx, const pk_reached *g)
{
    pk_funnel *f = ctx;
    f->n[PK_FS_REACHED] = g->attendance;
    return 0;
}

static int child_reached(void *ctx, const pk_reached *g)
{
    child_read *r = ctx;
    pk_funnel_child *ch = child_by_code(r->f, g->region);
    if (ch != NULL)
        ch->n[PK_FS_REACHED] = g->attendance;
    return 0;
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

/* In each column whose sum the region shows, exactly one hidden child
 * would follow from the others: the least shown nonzero one is hidden
 * too, until no column has exactly one. */
static void hide_columns(pk_funnel *f)
{
    for (bool changed = true; changed;) {
        changed = false;
        for (int s = PK_FS_REACHED; s < PK_FS__COUNT; s++) {
            if (!shown(f->n[s]))
                continue;
            size_t hidden = 0;
            int64_t *least = NULL;
            for (size_t i = 0; i < f->nchildren; i++) {
                int64_t *x = &f->children[i].n[s];
                if (*x == PK_STATS_HIDDEN)
                    hidden++;
                else if (*x > 0 && (least == NULL || *x < *least))
                    least = x;
            }
            if (hidden == 1 && least != NULL) {
                *least = PK_STATS_HIDDEN;
                changed = true;
            }
        }
    }
}

void pk_funnel_hide_steps(int64_t n[PK_FS__COUNT], int64_t k)
{
    for (int s = 0; s < PK_FS__COUNT; s++)
        hide(&n[s], k);
    hide_drops(n, k);
}

static void hide_small(pk_funnel *f, int64_t k)
{
    pk_funnel_hide_steps(f->n, k);
    for (int s = 0; s < PK_FS__COUNT; s++) {
        if (f->waits[s] > 0 && f->waits[s] < k) {
            f->median_days[s] = -1;
            f->waits[s] = PK_STATS_HIDDEN;
        }
    }
    hide(&f->at_risk, k);
    for (size_t i = 0; i < f->nchildren; i++)
        pk_funnel_hide_steps(f->children[i].n, k);
    hide_columns(f);
}

/* The steps from joining a wave on, their waits' medians and "at risk
 * now": the cells of region `want`, or of event `event`'s people. */
static int journey_steps(const pk_app *app, const char *want, int64_t event, pk_funnel *out)
{
    pk_wave_table waves;
    pk_wave_table_init(&waves, app);
    region_read rr = {.f = out, .waves = &waves, .today = pk_date_to_days(out->today)};
    rr.hist = calloc(PK_FS__COUNT, sizeof(*rr.hist));
    int rc = rr.hist == NULL ? PK_ENOMEM : 0;
    if (rc == 0 && pk_wave_table_load(&waves) != 0)
        rc = PK_EIO;
    if (rc == 0 && (event != 0
                        ? pk_store_outreach_journey_counts(app->store, event, region_cell, &rr)
                        : pk_store_journey_counts(app->store, want, 0, NULL, region_cell,
                                                  &rr)) != 0)
        rc = PK_EIO;
    for (int s = 0; rc == 0 && s < PK_FS__COUNT; s++)
        out->median_days[s] = median_of(rr.hist[s]);
    free(rr.hist);
    pk_wave_table_free(&waves);
    return rc;
}

/* An event's funnel (funnel.h): the event in the caller's scope and in
 * the region asked for, its counts, its people's steps.  An event outside
 * the scope does not exist for the caller, as on its page (/acara/{id}):
 * "not found", never "not yours", which would tell its id is taken. */
static int event_funnel(const pk_app *app, const char *want, int64_t event, pk_funnel *out)
{
    int rc = pk_store_outreach_get(app->store, event, &out->event);
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
    return journey_steps(app, want, event, out);
}

/* A region's funnel: the counters, the events' attendance, the children. */
static int region_funnel(const pk_app *app, const char *want, pk_funnel *out)
{
    pk_stats st;
    if (pk_store_stats(app->store, want, &st) != 0 ||
        pk_store_outreach_reached(app->store, want, 0, region_reached, out) != 0)
        return PK_EIO;
    out->n[PK_FS_REGISTERED] = st.total;
    out->n[PK_FS_ELIGIBLE] = st.eligible;
    int rc = journey_steps(app, want, 0, out);

    /* one level down: the children's steps in one query each */
    const char *parent = out->region ? out->region->code : app->cfg.service_province;
    const pk_region *kids = NULL;
    size_t nk = rc == 0 ? pk_regions_children(app->regions, parent, &kids) : 0;
    if (nk > 0) {
        out->children = calloc(nk, sizeof(*out->children));
        if (out->children == NULL)
            return PK_ENOMEM;
        out->nchildren = nk;
        for (size_t i = 0; i < nk; i++) {
            out->children[i].region = &kids[i];
            out->children[i].n[PK_FS_REACHED] = PK_FUNNEL_NONE;
        }
        child_read cr = {out, strlen(kids[0].code)};
        if (pk_store_stats_children(app->store, parent, cr.len, child_registry, &cr) != 0 ||
            pk_store_journey_counts(app->store, parent, cr.len, "langkah", child_steps,
                                    &cr) != 0 ||
            pk_store_outreach_reached(app->store, parent, cr.len, child_reached, &cr) != 0)
            rc = PK_EIO;
    }
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
    rc = event != 0 ? event_funnel(app, want, event, out) : region_funnel(app, want, out);
    if (rc != 0) {
        pk_funnel_free(out);
        return rc;
    }
    int64_t k = pk_stats_min_count(app, who);
    if (k > 1) {
        out->min_count = (int)k;
        hide_small(out, k);
    }
    return 0;
}

void pk_funnel_free(pk_funnel *f)
{
    free(f->children);
    f->children = NULL;
    f->nchildren = 0;
}
