/* cells.c -- the counts of a region and which a viewer sees hidden,
 * decided from the service province down (cells.h): the rows read from
 * the counters, the equations of each level given to core/suppress.c. */
#include "app/cells.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "core/journey.h"
#include "core/suppress.h"
#include "store/store.h"

/* The WIB day (days since 1970) a selection on `day` in wave `wave` must
 * buy by. */
static long deadline_day(const pk_wave_table *waves, int64_t wave, long day)
{
    pk_wave_terms t = pk_wave_table_find(waves, wave, NULL);
    pk_journey j = {.selected_at = pk_day_start_wib(pk_date_from_days(day))};
    pk_deadlines dl;
    pk_journey_deadlines(&j, t.purchase_days, 0, t.cutoff, &dl);
    return pk_date_to_days(pk_instant_day_wib(dl.first_purchase.ends));
}

/* ---- reading rows from the counters ---- */

/* Rows being filled: one (the node's own, code "") or the node's children
 * (found by code). */
typedef struct fill {
    pk_cell_row *rows;
    size_t n;
    bool own;
    bool funnel; /* the funnel's counts read (seen: their deadlines) */
    int64_t (*hist)[PK_FUNNEL_WAIT_MAX + 1]; /* the waits by days of hist_row */
    const pk_cell_row *hist_row;             /* the region asked for, or NULL */
    size_t last; /* the row found last: cells come in code order */
    pk_deadlines_seen seen;
} fill;

void pk_deadlines_seen_init(pk_deadlines_seen *m, const pk_wave_table *waves, long today)
{
    m->waves = waves;
    m->today = today;
    for (size_t i = 0; i < PK_ARRAY_LEN(m->e); i++)
        m->e[i].wave = -1; /* no wave has that number */
}

long pk_deadlines_seen_left(pk_deadlines_seen *m, int64_t wave, int64_t day)
{
    size_t h = (size_t)(((uint64_t)wave * 31 + (uint64_t)day) % PK_ARRAY_LEN(m->e));
    if (m->e[h].wave != wave || m->e[h].day != day) {
        m->e[h].wave = wave;
        m->e[h].day = day;
        m->e[h].left = deadline_day(m->waves, wave, (long)day) - m->today;
    }
    return m->e[h].left;
}

/* Whether region `code` is `in` or below it. */
static bool within(const char *code, const char *in)
{
    size_t n = strlen(in);
    return strncmp(code, in, n) == 0 && (code[n] == '\0' || code[n] == '.');
}

/* The row of a cell of `code` (a child's code, or a village below it). */
static pk_cell_row *row_of(fill *f, const char *code)
{
    if (f->own)
        return f->rows;
    if (f->last < f->n && within(code, f->rows[f->last].region->code))
        return &f->rows[f->last];
    for (size_t i = 0; i < f->n; i++)
        if (within(code, f->rows[i].region->code))
            return &f->rows[(f->last = i)];
    return NULL; /* a village the region table lacks: left out */
}

static void put_stats(pk_cell_row *r, const pk_stats *st)
{
    r->v[PK_CD_TOTAL] = st->total;
    r->v[PK_CD_ELIGIBLE] = st->eligible;
    r->v[PK_CD_NOT_ELIGIBLE] = st->total - st->eligible;
    r->v[PK_CD_L] = st->by_sex[0];
    r->v[PK_CD_P] = st->by_sex[1];
    for (int i = 1; i < PK_SEG__COUNT; i++)
        r->v[PK_CD_SEG + i - 1] = st->by_segment[i];
    for (int c = 0; c < PK_C__COUNT; c++)
        r->v[PK_CD_REASON + c] = st->by_reason[c];
}

static int child_stats(void *ctx, const pk_child_count *c)
{
    pk_cell_row *r = row_of(ctx, c->code);
    if (r != NULL)
        put_stats(r, &c->st);
    return 0;
}

pk_jc_kind pk_cells_journey_kind(pk_deadlines_seen *seen, const pk_journey_cell *c, int *step,
                                 int64_t *days)
{
    /* k1 of "langkah" and "hari": the step, 1 (joined) .. 5 (paid) */
    bool step_ok = c->k1 >= 1 && c->k1 <= PK_CELLS_STEPS;
    *step = step_ok ? (int)(c->k1 - 1) : -1;
    *days = 0;
    if (step_ok && strcmp(c->kind, "langkah") == 0)
        return PK_JC_STEP;
    if (step_ok && c->k2 >= 0 && strcmp(c->kind, "hari") == 0) {
        *days = c->k2 > PK_FUNNEL_WAIT_MAX ? PK_FUNNEL_WAIT_MAX : c->k2;
        return PK_JC_WAIT;
    }
    if (strcmp(c->kind, "tenggat") == 0) {
        long left = pk_deadlines_seen_left(seen, c->k1, c->k2);
        if (left >= 0 && left <= PK_FUNNEL_RISK_DAYS)
            return PK_JC_AT_RISK;
    }
    return PK_JC_OTHER;
}

static int journey_cell(void *ctx, const pk_journey_cell *c)
{
    fill *f = ctx;
    pk_cell_row *r = row_of(f, c->region);
    if (r == NULL)
        return 0;
    int s;
    int64_t days;
    switch (pk_cells_journey_kind(&f->seen, c, &s, &days)) {
    case PK_JC_STEP: r->v[PK_CD_STEP + s] += c->n; break;
    case PK_JC_WAIT:
        r->v[PK_CD_WAITS + s] += c->n;
        if (r == f->hist_row)
            f->hist[s][days] += c->n;
        break;
    case PK_JC_AT_RISK: r->v[PK_CD_AT_RISK] += c->n; break;
    case PK_JC_OTHER: break;
    }
    return 0;
}

static int reached(void *ctx, const pk_reached *g)
{
    pk_cell_row *r = row_of(ctx, g->region);
    if (r != NULL)
        r->v[PK_CD_REACHED] = g->attendance;
    return 0;
}

/* Reads the rows of f: the node `code`'s own (f->own) or its children's
 * (child_len the children's code length), in one query per kind of
 * counter. */
static int read_rows(const pk_app *app, const char *code, size_t child_len, fill *f)
{
    for (size_t i = 0; i < f->n; i++) {
        memset(f->rows[i].v, 0, sizeof(f->rows[i].v));
        f->rows[i].v[PK_CD_REACHED] = PK_CELLS_NONE;
    }
    if (f->own) {
        pk_stats st;
        if (pk_store_stats(app->store, code, &st) != 0)
            return PK_EIO;
        put_stats(f->rows, &st);
    } else if (pk_store_stats_children(app->store, code, child_len, child_stats, f) != 0) {
        return PK_EIO;
    }
    /* the journey's cells: of a city and below, the villages' cells as
     * they are, summed here by row_of (pk_store_journey_by) */
    if (f->funnel &&
        (pk_store_journey_counts(app->store, code, pk_store_journey_by(code, child_len), NULL,
                                 journey_cell, f) != 0 ||
         pk_store_outreach_reached(app->store, code, child_len, reached, f) != 0))
        return PK_EIO;
    return 0;
}

/* ---- the equations (cells.h) ---- */

/* The table of one level: the parent's row (fixed; none for the root)
 * and the rows decided here, each PK_CD__COUNT cells from base. */
typedef struct level {
    pk_sup s;
    int64_t k;
    bool oom;
} level;

static uint32_t add(level *l, int64_t v, unsigned flags)
{
    long i = pk_sup_add(&l->s, v, flags);
    if (i < 0) {
        l->oom = true;
        return 0;
    }
    return (uint32_t)i;
}

static void equation(level *l, const uint32_t *x, size_t n)
{
    if (pk_sup_equation(&l->s, x, n) != 0)
        l->oom = true;
}

/* One equation: cells x[0..n) whose first is the sum of the others, with
 * a virtual cell for what they miss (people in no part: a segment not
 * given, a village the region table lacks) when that is not zero. */
static void sum_equation(level *l, uint32_t *x, size_t n)
{
    int64_t rest = l->s.cell[x[0]].v;
    for (size_t i = 1; i < n; i++)
        rest -= l->s.cell[x[i]].v;
    if (rest != 0)
        x[n++] = add(l, rest, PK_SUP_VIRTUAL);
    equation(l, x, n);
}

static int64_t value(const int64_t *v, int d)
{
    return d == PK_CD_REACHED && v[d] == PK_CELLS_NONE ? 0 : v[d];
}

/* The cells of one row to decide (not fixed) and its own equations.
 * A zero is known when the row's total is a zero (no one: every count of
 * people is 0; not the events' attendance), when it has no data, or when
 * the parent shows a zero in its column (parent: the decided row; NULL
 * for the root). */
static uint32_t add_row(level *l, const int64_t *v, const int64_t *parent)
{
    uint32_t base = (uint32_t)l->s.ncell;
    for (int d = 0; d < PK_CD__COUNT; d++) {
        bool known = (d == PK_CD_REACHED && v[d] == PK_CELLS_NONE) ||
                     (d != PK_CD_REACHED && v[d] == 0 && v[PK_CD_TOTAL] == 0) ||
                     (value(v, d) == 0 && parent != NULL && value(parent, d) == 0);
        add(l, value(v, d), known ? PK_SUP_KNOWN : 0);
    }
    if (l->oom)
        return 0;
    uint32_t x[8];
    x[0] = base + PK_CD_TOTAL, x[1] = base + PK_CD_ELIGIBLE, x[2] = base + PK_CD_NOT_ELIGIBLE;
    sum_equation(l, x, 3);
    x[0] = base + PK_CD_TOTAL, x[1] = base + PK_CD_L, x[2] = base + PK_CD_P;
    sum_equation(l, x, 3);
    x[0] = base + PK_CD_TOTAL;
    for (int i = 0; i < PK_SEG__COUNT - 1; i++)
        x[1 + i] = base + PK_CD_SEG + (uint32_t)i;
    sum_equation(l, x, PK_SEG__COUNT);
    for (int s = 0; s < PK_CELLS_STEPS; s++) {
        x[0] = base + PK_CD_STEP + (uint32_t)s, x[1] = base + PK_CD_WAITS + (uint32_t)s;
        equation(l, x, 2); /* the same people: one tells the other */
    }
    /* the funnel's chain, registered .. paid: the people between two
     * steps, when 1..k-1 (registered to eligible is not eligible, a
     * cell of its own) */
    int chain[2 + PK_CELLS_STEPS] = {PK_CD_TOTAL, PK_CD_ELIGIBLE};
    for (int s = 0; s < PK_CELLS_STEPS; s++)
        chain[2 + s] = PK_CD_STEP + s;
    for (int i = 0; i < 2 + PK_CELLS_STEPS; i++)
        for (int j = i + 1; j < 2 + PK_CELLS_STEPS; j++) {
            int64_t between = v[chain[i]] - v[chain[j]];
            if ((i == 0 && j == 1) || between <= 0 || between >= l->k)
                continue;
            x[0] = base + (uint32_t)chain[i], x[1] = base + (uint32_t)chain[j];
            x[2] = add(l, between, PK_SUP_VIRTUAL);
            equation(l, x, 3);
        }
    return base;
}

/* The decided row back: hidden cells as PK_CELLS_HIDDEN. */
static void take_row(const level *l, uint32_t base, int64_t *v)
{
    for (int d = 0; d < PK_CD__COUNT; d++)
        if (pk_sup_hidden(&l->s, base + (uint32_t)d))
            v[d] = PK_CELLS_HIDDEN;
}

/* The root's row alone. */
static int decide_root(pk_cell_row *root, int64_t k)
{
    level l = {.k = k};
    pk_sup_init(&l.s);
    uint32_t base = add_row(&l, root->v, NULL);
    if (!l.oom)
        pk_sup_close(&l.s, k);
    if (!l.oom)
        take_row(&l, base, root->v);
    pk_sup_free(&l.s);
    return l.oom ? PK_ENOMEM : 0;
}

/* The children's rows (raw counts) under the parent's (decided) row. */
static int decide_children(const pk_cell_row *parent, const int64_t *parent_raw, pk_cell_row *kids,
                           size_t n, int64_t k)
{
    level l = {.k = k};
    pk_sup_init(&l.s);
    uint32_t pbase = (uint32_t)l.s.ncell;
    for (int d = 0; d < PK_CD__COUNT; d++)
        add(&l, value(parent_raw, d),
            PK_SUP_FIXED | (parent->v[d] == PK_CELLS_HIDDEN ? PK_SUP_HIDDEN : 0));
    uint32_t *base = calloc(n ? n : 1, sizeof(*base));
    uint32_t *x = calloc(n + 2, sizeof(*x));
    if (base == NULL || x == NULL)
        l.oom = true;
    for (size_t i = 0; !l.oom && i < n; i++)
        base[i] = add_row(&l, kids[i].v, parent->v);
    for (int d = 0; !l.oom && d < PK_CD__COUNT; d++) {
        x[0] = pbase + (uint32_t)d;
        for (size_t i = 0; i < n; i++)
            x[1 + i] = base[i] + (uint32_t)d;
        sum_equation(&l, x, n + 1);
    }
    if (!l.oom) {
        pk_sup_close(&l.s, k);
        for (size_t i = 0; i < n; i++)
            take_row(&l, base[i], kids[i].v);
    }
    free(base);
    free(x);
    pk_sup_free(&l.s);
    return l.oom ? PK_ENOMEM : 0;
}

/* ---- the path from the root ---- */

/* The children of `code`; the waits by days into hist when one of them
 * is `want`. */
static int read_children(const pk_app *app, const char *code, const pk_wave_table *waves,
                         long today, const char *want, int64_t (*hist)[PK_FUNNEL_WAIT_MAX + 1],
                         pk_cell_row **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    const pk_region *kids;
    size_t nk = pk_regions_children(app->regions, code[0] ? code : app->cfg.service_province,
                                    &kids);
    if (nk == 0)
        return 0;
    pk_cell_row *rows = calloc(nk, sizeof(*rows));
    if (rows == NULL)
        return PK_ENOMEM;
    for (size_t i = 0; i < nk; i++)
        rows[i].region = &kids[i];
    fill f = {.rows = rows, .n = nk, .funnel = waves != NULL, .hist = hist};
    for (size_t i = 0; hist != NULL && i < nk; i++)
        if (strcmp(kids[i].code, want) == 0)
            f.hist_row = &rows[i];
    pk_deadlines_seen_init(&f.seen, waves, today);
    int rc = read_rows(app, code, strlen(kids[0].code), &f);
    if (rc != 0) {
        free(rows);
        return rc;
    }
    *out = rows;
    *n = nk;
    return 0;
}

int pk_cells_read(const pk_app *app, const char *want, int64_t k, pk_date today, unsigned what,
                  int64_t (*waits_hist)[PK_FUNNEL_WAIT_MAX + 1], pk_region_cells *out)
{
    memset(out, 0, sizeof(*out));
    bool hide = k > 1, children = (what & PK_CELLS_CHILDREN) != 0;
    bool root = want[0] == '\0' || strcmp(want, app->cfg.service_province) == 0;
    /* the funnel's counts: when shown, or when they decide what is hidden */
    bool funnel = hide || (what & PK_CELLS_FUNNEL) != 0;
    pk_wave_table table;
    pk_wave_table_init(&table, app);
    const pk_wave_table *waves = funnel ? &table : NULL;
    int rc = funnel && pk_wave_table_load(&table) != 0 ? PK_EIO : 0;
    long day = pk_date_to_days(today);
    /* the row read on its own: the root's when hiding (the path starts
     * there), else the region's */
    char node[PK_REGION_CODE_MAX] = "";
    if (!hide || root)
        memcpy(node, want, PK_REGION_CODE_MAX);
    pk_cell_row self = {.region = node[0] ? pk_regions_find(app->regions, node) : NULL};
    fill f = {.rows = &self, .n = 1, .own = true, .funnel = funnel, .hist = waits_hist};
    if (waits_hist != NULL && strcmp(node, want) == 0)
        f.hist_row = &self;
    pk_deadlines_seen_init(&f.seen, waves, day);
    if (rc == 0)
        rc = read_rows(app, node, 0, &f);
    int64_t raw[PK_CD__COUNT]; /* the node's counts before hiding */
    memcpy(raw, self.v, sizeof(raw));
    if (rc == 0 && hide)
        rc = decide_root(&self, k);
    /* down the path: each node's children under its decided row, until
     * the region asked for is one of them */
    while (rc == 0 && strcmp(node, want) != 0) {
        pk_cell_row *kids;
        size_t nk, i = 0;
        if ((rc = read_children(app, node, waves, day, want, waits_hist, &kids, &nk)) != 0)
            break;
        while (i < nk && !within(want, kids[i].region->code))
            i++;
        if (i == nk) { /* the region table has no such path */
            free(kids);
            rc = PK_EIO;
            break;
        }
        int64_t next[PK_CD__COUNT];
        memcpy(next, kids[i].v, sizeof(next));
        rc = decide_children(&self, raw, kids, nk, k);
        self = kids[i];
        memcpy(raw, next, sizeof(raw));
        memcpy(node, kids[i].region->code, PK_REGION_CODE_MAX);
        free(kids);
    }
    if (rc == 0 && children) {
        rc = read_children(app, node, waves, day, want, NULL, &out->children, &out->nchildren);
        if (rc == 0 && hide)
            rc = decide_children(&self, raw, out->children, out->nchildren, k);
    }
    pk_wave_table_free(&table);
    if (rc != 0) {
        pk_cells_free(out);
        return rc;
    }
    out->self = self;
    return 0;
}

void pk_cells_free(pk_region_cells *c)
{
    free(c->children);
    c->children = NULL;
    c->nchildren = 0;
}
