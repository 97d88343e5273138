/* stats.c -- the aggregates staff see (stats.h). */
#include "app/stats.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/cells.h"
#include "core/pk.h"
#include "store/store.h"

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

static void from_row(pk_region_stats *out, const int64_t *v)
{
    out->total = v[PK_CD_TOTAL];
    out->eligible = v[PK_CD_ELIGIBLE];
    out->not_eligible = v[PK_CD_NOT_ELIGIBLE];
    out->by_sex[0] = v[PK_CD_L];
    out->by_sex[1] = v[PK_CD_P];
    for (int i = 1; i < PK_SEG__COUNT; i++)
        out->by_segment[i] = v[PK_CD_SEG + i - 1];
    for (int c = 0; c < PK_C__COUNT; c++)
        out->by_reason[c] = v[PK_CD_REASON + c];
}

int pk_stats_breakdown(const pk_app *app, const pk_principal *who, const char *code,
                       pk_region_stats *out, pk_child_stats **kids, size_t *nkids)
{
    memset(out, 0, sizeof(*out));
    if (kids != NULL) {
        *kids = NULL;
        *nkids = 0;
    }
    char want[PK_REGION_CODE_MAX];
    int rc = pk_stats_resolve(app, who, code, out->scope, want, &out->region);
    if (rc != 0)
        return rc;
    /* who may open the records sees exact counts; the others the cells
     * hidden as decided from the province down (app/cells.h) */
    int64_t k = pk_stats_min_count(app, who);
    pk_region_cells c;
    if ((rc = pk_cells_read(app, want, k, pk_app_today(), kids != NULL ? PK_CELLS_CHILDREN : 0,
                            NULL, &c)) != 0)
        return rc; /* PK_ENOMEM or PK_EIO */
    from_row(out, c.self.v);
    out->min_count = k > 1 ? (int)k : 0;
    if (kids != NULL && c.nchildren > 0) {
        pk_child_stats *cs = calloc(c.nchildren, sizeof(*cs));
        if (cs == NULL) {
            pk_cells_free(&c);
            return PK_ENOMEM;
        }
        for (size_t i = 0; i < c.nchildren; i++) {
            cs[i].region = c.children[i].region;
            cs[i].total = c.children[i].v[PK_CD_TOTAL];
            cs[i].eligible = c.children[i].v[PK_CD_ELIGIBLE];
            cs[i].not_eligible = c.children[i].v[PK_CD_NOT_ELIGIBLE];
        }
        *kids = cs;
        *nkids = c.nchildren;
    }
    pk_cells_free(&c);
    return 0;
}

int pk_stats_region(const pk_app *app, const pk_principal *who, const char *code,
                    pk_region_stats *out)
{
    return pk_stats_breakdown(app, who, code, out, NULL, NULL);
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
