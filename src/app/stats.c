/* stats.c -- the aggregates staff see (stats.h). */
#include "app/stats.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pk.h"
#include "store/store.h"

/* Hides the counts of cells[0..n) that are 1..k-1; then, in a group that
 * sums to a shown total, one hidden count would follow from the others:
 * the smallest shown one is hidden too. */
static void hide_group(int64_t *const *cells, size_t n, int64_t k, bool sums_to_total)
{
    size_t hidden = 0;
    for (size_t i = 0; i < n; i++)
        if (*cells[i] > 0 && *cells[i] < k) {
            *cells[i] = PK_STATS_HIDDEN;
            hidden++;
        }
    if (!sums_to_total || hidden != 1)
        return;
    int64_t *least = NULL;
    for (size_t i = 0; i < n; i++)
        if (*cells[i] != PK_STATS_HIDDEN && (least == NULL || *cells[i] < *least))
            least = cells[i];
    if (least != NULL)
        *least = PK_STATS_HIDDEN;
}

static void hide_small(pk_region_stats *st, int64_t k)
{
    int64_t *all[5 + PK_SEG__COUNT + PK_C__COUNT];
    size_t n = 0;
    if (st->total > 0 && st->total < k) {
        all[n++] = &st->total;
        all[n++] = &st->eligible;
        all[n++] = &st->not_eligible;
        all[n++] = &st->by_sex[0];
        all[n++] = &st->by_sex[1];
        for (int i = 0; i < PK_SEG__COUNT; i++)
            all[n++] = &st->by_segment[i];
        for (int c = 0; c < PK_C__COUNT; c++)
            all[n++] = &st->by_reason[c];
        for (size_t i = 0; i < n; i++)
            if (*all[i] > 0)
                *all[i] = PK_STATS_HIDDEN;
        return;
    }
    int64_t *verdict[] = {&st->eligible, &st->not_eligible};
    hide_group(verdict, 2, k, true);
    int64_t *sex[] = {&st->by_sex[0], &st->by_sex[1]};
    hide_group(sex, 2, k, true);
    int64_t *seg[PK_SEG__COUNT - 1]; /* the shown ones: a segment is required */
    for (int i = 1; i < PK_SEG__COUNT; i++)
        seg[i - 1] = &st->by_segment[i];
    hide_group(seg, PK_SEG__COUNT - 1, k, true);
    for (int c = 0; c < PK_C__COUNT; c++) {
        int64_t *one[] = {&st->by_reason[c]};
        hide_group(one, 1, k, false); /* reasons overlap: no sum to keep */
    }
}

/* Whoever may not open records sees small counts hidden (stats.h). */
int64_t pk_stats_min_count(const pk_app *app, const pk_principal *who)
{
    if ((who->role & (PK_ROLE_ADMIN | PK_ROLE_OPERATOR)) != 0 || app->cfg.stats_min_count <= 1)
        return 0;
    return app->cfg.stats_min_count;
}

int pk_stats_resolve(const pk_app *app, const pk_principal *who, const char *code,
                     char scope[PK_REGION_CODE_MAX], char want[PK_REGION_CODE_MAX],
                     const pk_region **region)
{
    *region = NULL;
    pk_auth_scope(who, scope);
    if (code == NULL || code[0] == '\0') {
        memcpy(want, scope, PK_REGION_CODE_MAX);
    } else {
        if (pk_region_normalize(code, strlen(code), want) == PK_REGION_NONE)
            return PK_EINVAL;
        if (pk_regions_find(app->regions, want) == NULL)
            return PK_ENOENT;
        if (!pk_auth_region_within(scope, want))
            return PK_EDENIED;
    }
    if (want[0] != '\0' && (*region = pk_regions_find(app->regions, want)) == NULL)
        return PK_ENOENT; /* an account region the table no longer has */
    return 0;
}

int pk_stats_region(const pk_app *app, const pk_principal *who, const char *code,
                    pk_region_stats *out)
{
    memset(out, 0, sizeof(*out));
    char want[PK_REGION_CODE_MAX];
    int rc = pk_stats_resolve(app, who, code, out->scope, want, &out->region);
    if (rc != 0)
        return rc;
    pk_stats st;
    if (pk_store_stats(app->store, want, &st) != 0)
        return PK_EIO;
    out->total = st.total;
    out->eligible = st.eligible;
    _Static_assert(sizeof(st.by_segment) == sizeof(out->by_segment), "segments");
    _Static_assert(PK_C__COUNT <= PK_ARRAY_LEN(st.by_reason), "reasons");
    memcpy(out->by_segment, st.by_segment, sizeof(out->by_segment));
    memcpy(out->by_sex, st.by_sex, sizeof(out->by_sex));
    memcpy(out->by_reason, st.by_reason, sizeof(out->by_reason));
    out->not_eligible = st.total - st.eligible;
    /* who may open the records sees exact counts */
    int64_t k = pk_stats_min_count(app, who);
    if (k > 1) {
        out->min_count = (int)k;
        hide_small(out, k);
    }
    return 0;
}

/* The equations a reader could solve for one hidden cell: each row
 * (total = eligible + not eligible: cells[r*3 + 0..2]) and each column
 * whose sum the parent's row shows (`sums`: the children add up to it).
 * While one has exactly one hidden cell, its least shown cell is hidden
 * too (in a column, not one of a row shown as empty: its zero is known
 * anyway), which may leave another with one, until none has. */
static void hide_equations(int64_t **cells, size_t rows, const int64_t sums[3])
{
    for (bool changed = true; changed;) {
        changed = false;
        for (size_t r = 0; r < rows; r++) {
            int64_t **row = cells + r * 3;
            size_t hidden = 0;
            int64_t *least = NULL;
            for (size_t i = 0; i < 3; i++) {
                if (*row[i] == PK_STATS_HIDDEN)
                    hidden++;
                else if (least == NULL || *row[i] < *least)
                    least = row[i];
            }
            if (hidden == 1 && least != NULL) {
                *least = PK_STATS_HIDDEN;
                changed = true;
            }
        }
        for (size_t c = 0; c < 3; c++) {
            if (sums[c] == PK_STATS_HIDDEN)
                continue;
            size_t hidden = 0;
            int64_t *least = NULL;
            for (size_t r = 0; r < rows; r++) {
                int64_t *x = cells[r * 3 + c];
                if (*x == PK_STATS_HIDDEN)
                    hidden++;
                else if (*cells[r * 3] != 0 && (least == NULL || *x < *least))
                    least = x;
            }
            if (hidden == 1 && least != NULL) {
                *least = PK_STATS_HIDDEN;
                changed = true;
            }
        }
    }
}

typedef struct child_fill {
    pk_child_stats *cs;
    size_t n;
} child_fill;

/* A child's counts into its row (the rows are the region table's
 * children in its order; a group that is none of them, which a region
 * table without a participant's village would give, is left out). */
static int child_put(void *ctx, const pk_child_count *c)
{
    child_fill *f = ctx;
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->cs[i].region->code, c->code) == 0) {
            f->cs[i].total = c->total;
            f->cs[i].eligible = c->eligible;
            f->cs[i].not_eligible = c->total - c->eligible;
            break;
        }
    return 0;
}

int pk_stats_children(const pk_app *app, const pk_principal *who,
                      const pk_region_stats *parent, pk_child_stats **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    const char *code = parent->region ? parent->region->code : app->cfg.service_province;
    const pk_region *kids;
    size_t nk = pk_regions_children(app->regions, code, &kids);
    if (nk == 0)
        return 0;
    pk_child_stats *cs = calloc(nk, sizeof(*cs));
    int64_t **cells = calloc(nk * 3, sizeof(*cells));
    if (cs == NULL || cells == NULL) {
        free(cs);
        free(cells);
        return PK_ENOMEM;
    }
    for (size_t i = 0; i < nk; i++) {
        cs[i].region = &kids[i];
        cells[i * 3] = &cs[i].total;
        cells[i * 3 + 1] = &cs[i].eligible;
        cells[i * 3 + 2] = &cs[i].not_eligible;
    }
    /* every child in one query over the counters, grouped by the child's
     * code (all children's codes are one length) */
    child_fill f = {cs, nk};
    if (pk_store_stats_children(app->store, code, strlen(kids[0].code),
                                child_put, &f) != 0) {
        free(cs);
        free(cells);
        return PK_EIO;
    }
    int64_t k = pk_stats_min_count(app, who);
    if (k > 1) {
        for (size_t i = 0; i < nk * 3; i++)
            if (*cells[i] > 0 && *cells[i] < k)
                *cells[i] = PK_STATS_HIDDEN;
        for (size_t i = 0; i < nk; i++)
            if (cs[i].total == PK_STATS_HIDDEN) { /* a small region: all of it */
                if (cs[i].eligible != 0)
                    cs[i].eligible = PK_STATS_HIDDEN;
                if (cs[i].not_eligible != 0)
                    cs[i].not_eligible = PK_STATS_HIDDEN;
            }
        const int64_t sums[3] = {parent->total, parent->eligible, parent->not_eligible};
        hide_equations(cells, nk, sums);
    }
    free(cells);
    *out = cs;
    *n = nk;
    return 0;
}

typedef struct verify_ctx {
    const pk_stats_report *report;
    int64_t differ;
} verify_ctx;

static int verify_cell(void *ctx, const pk_count_cell *c)
{
    verify_ctx *v = ctx;
    pk_stats_cell cell;
    _Static_assert(sizeof(cell.region) == sizeof(c->region) &&
                       sizeof(cell.segmen) == sizeof(c->segmen) && sizeof(cell.sex) == sizeof(c->sex),
                   "cells");
    memcpy(cell.region, c->region, sizeof(cell.region));
    memcpy(cell.segmen, c->segmen, sizeof(cell.segmen));
    memcpy(cell.sex, c->sex, sizeof(cell.sex));
    cell.reasons = c->reasons;
    cell.kept = c->kept;
    cell.counted = c->counted;
    v->differ++;
    if (v->report->cell != NULL)
        v->report->cell(v->report->ctx, &cell);
    return 0;
}

static int verify_journey_cell(void *ctx, const pk_journey_cell *c)
{
    verify_ctx *v = ctx;
    pk_journey_stats_cell cell;
    _Static_assert(sizeof(cell.region) == sizeof(c->region) && sizeof(cell.kind) == sizeof(c->kind),
                   "cells");
    memcpy(cell.region, c->region, sizeof(cell.region));
    memcpy(cell.kind, c->kind, sizeof(cell.kind));
    cell.k1 = c->k1;
    cell.k2 = c->k2;
    cell.kept = c->n;
    cell.counted = c->counted;
    v->differ++;
    if (v->report->journey != NULL)
        v->report->journey(v->report->ctx, &cell);
    return 0;
}

static int verify_remind_cell(void *ctx, const pk_remind_effect_check *c)
{
    verify_ctx *v = ctx;
    pk_remind_stats_cell cell = {.sent = c->row.sent, .held = c->row.held,
                                 .revoked = c->row.revoked, .days = c->row.days,
                                 .kept = c->row.n, .counted = c->counted};
    snprintf(cell.region, sizeof(cell.region), "%s", c->region);
    snprintf(cell.rule, sizeof(cell.rule), "%s", c->row.rule);
    v->differ++;
    if (v->report->remind != NULL)
        v->report->remind(v->report->ctx, &cell);
    return 0;
}

int pk_stats_verify(const pk_app *app, const pk_stats_report *report, pk_stats_check *out)
{
    memset(out, 0, sizeof(*out));
    static const pk_stats_report none;
    verify_ctx v = {report ? report : &none, 0};
    if (pk_store_counts_verify(app->store, verify_cell, &v, &out->cells, &out->people) != 0)
        return PK_EIO;
    out->differ = v.differ;
    v.differ = 0;
    if (pk_store_journey_counts_verify(app->store, verify_journey_cell, &v,
                                       &out->journey_cells) != 0)
        return PK_EIO;
    out->journey_differ = v.differ;
    v.differ = 0;
    if (pk_store_remind_effect_verify(app->store, verify_remind_cell, &v, &out->remind_cells) != 0)
        return PK_EIO;
    out->remind_differ = v.differ;
    return 0;
}

int pk_stats_rebuild(const pk_app *app, const char *actor, pk_stats_rebuilt *out)
{
    pk_tx *tx = NULL;
    memset(out, 0, sizeof(*out));
    int rc = pk_store_begin(app->store, &tx);
    if (rc != 0)
        return rc;
    char detail[128];
    if ((rc = pk_tx_counts_rebuild(tx, &out->cells)) == 0 &&
        (rc = pk_tx_journey_counts_rebuild(tx, &out->journey_cells)) == 0 &&
        (rc = pk_tx_remind_effect_rebuild(tx, &out->remind_cells)) == 0) {
        snprintf(detail, sizeof(detail), "cells=%lld journey_cells=%lld remind_cells=%lld",
                 (long long)out->cells, (long long)out->journey_cells,
                 (long long)out->remind_cells);
        rc = pk_tx_audit(tx, actor ? actor : "", "cli", "stats.rebuild", 0, detail);
    }
    if (rc != 0) {
        pk_tx_rollback(tx);
        memset(out, 0, sizeof(*out));
        return rc;
    }
    return pk_tx_commit(tx);
}

static int count_user(void *ctx, const pk_user *u)
{
    pk_account_counts *c = ctx;
    unsigned bit = pk_role_by_name(u->role);
    if (u->disabled)
        c->disabled++;
    else if (bit == PK_ROLE_ADMIN)
        c->admin++;
    else if (bit == PK_ROLE_OPERATOR)
        c->operator++;
    else if (bit == PK_ROLE_VIEWER)
        c->viewer++;
    return 0;
}

int pk_stats_accounts(const pk_app *app, pk_account_counts *out)
{
    memset(out, 0, sizeof(*out));
    return pk_store_users_each(app->store, count_user, out) != 0 ? PK_EIO : 0;
}
