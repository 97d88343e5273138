/* pg_counts.c -- the counters of the participants on PostgreSQL
 * (migration 15; how the triggers keep them: pg_int.h): the statistics
 * read them, a region being a range of village codes, so a read sums at
 * most the cells of that range whatever the number of participants; a
 * city, the province and the country read the same cells summed per city
 * (participant_count_city, migration 21); verify recounts and compares
 * both, rebuild recounts both. */
#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

#include "core/participant.h"
#include "core/pk.h"
#include "store/pg_int.h"
#include "store/sql_funnel.h"
#include "store/sql_remind_effect.h"

static void copy_val(char *dst, size_t cap, const PGresult *r, int row, int col)
{
    snprintf(dst, cap, "%.*s", PQgetlength(r, row, col), PQgetvalue(r, row, col));
}

/* One query over the cells; their bits summed here as in sqlite_counts.c. */
int pg_stats(pk_store *s, const char *region, pk_stats *out)
{
    pg *p = s->impl;
    pgc *c;
    PGresult *r = NULL;
    memset(out, 0, sizeof(*out));
    int rc = pg_conn_get(p, &c);
    if (rc != 0)
        return rc;
    params ps = {0};
    char hi[PK_REGION_CODE_MAX + 2];
    pg_region_params(&ps, region, hi, sizeof(hi));
    /* a city or above (a province, everywhere): the city cells, a few
     * hundred for the province whatever the number of participants; a
     * city's own are its village cells summed once more (migration 21) */
    int which = region == NULL || strlen(region) <= 5 ? S_STATS_CITY : S_STATS;
    if ((rc = pg_run(c, which, &ps, &r)) != 0)
        goto out;
    for (int i = 0, n = PQntuples(r); i < n; i++) {
        pk_stats_add_cell(out, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
                          (uint64_t)get_i64(r, i, 2), get_i64(r, i, 3));
    }
out:
    PQclear(r);
    pg_conn_put(p, c);
    return rc;
}

int pg_stats_children(pk_store *s, const char *region, size_t child_len, pk_child_count_cb cb,
                      void *ctx)
{
    pg *p = s->impl;
    pgc *c;
    PGresult *r = NULL;
    int rc = pg_conn_get(p, &c);
    if (rc != 0)
        return rc;
    params ps = {0};
    char hi[PK_REGION_CODE_MAX + 2];
    pg_region_params(&ps, region, hi, sizeof(hi));
    bool cities = child_len == 5; /* a province's children: the city cells */
    rc = pg_run(c, cities ? S_STATS_CITIES : S_STATS_CHILDREN, &ps, &r);
    pg_conn_put(p, c); /* the rows are in r: the connection may go back now */
    /* the rows come in code order: a child's cells are summed until the
     * code changes */
    pk_child_count cc = {0};
    bool open = false;
    for (int i = 0, n = rc == 0 ? PQntuples(r) : 0; rc == 0 && i < n; i++) {
        char kid[PK_REGION_CODE_MAX];
        snprintf(kid, sizeof(kid), "%.*s",
                 PQgetlength(r, i, 0) < (int)child_len ? PQgetlength(r, i, 0) : (int)child_len,
                 PQgetvalue(r, i, 0));
        if (open && strcmp(cc.code, kid) != 0) {
            rc = cb(ctx, &cc);
            open = false;
        }
        if (rc != 0)
            break;
        if (!open) {
            memset(&cc, 0, sizeof(cc));
            memcpy(cc.code, kid, sizeof(kid));
            open = true;
        }
        pk_stats_add_cell(&cc.st, PQgetvalue(r, i, 1), PQgetvalue(r, i, 2),
                          (uint64_t)get_i64(r, i, 3), get_i64(r, i, 4));
    }
    if (rc == 0 && open)
        rc = cb(ctx, &cc);
    PQclear(r);
    return rc;
}

/* The cells are few (a few per village, segment and sex): one result. */
int pg_counts_verify(pk_store *s, pk_count_cell_cb cb, void *ctx, int64_t *cells,
                     int64_t *people)
{
    PGresult *r = NULL;
    *cells = *people = 0;
    int rc = pg_run1(s, S_COUNTS_VERIFY, NULL, &r);
    for (int i = 0, n = rc == 0 ? PQntuples(r) : 0; rc == 0 && i < n; i++) {
        pk_count_cell cell = {0};
        copy_val(cell.region, sizeof(cell.region), r, i, 0);
        copy_val(cell.segmen, sizeof(cell.segmen), r, i, 1);
        copy_val(cell.sex, sizeof(cell.sex), r, i, 2);
        cell.reasons = (uint64_t)get_i64(r, i, 3);
        cell.kept = get_i64(r, i, 4);
        cell.counted = get_i64(r, i, 5);
        if (get_i64(r, i, 6) == 0) { /* the village cells: the tally */
            ++*cells;
            *people += cell.counted;
        }
        if (cell.kept != cell.counted)
            rc = cb(ctx, &cell);
    }
    PQclear(r);
    return rc;
}

/* A family of counters filled again from the rows (the registry's, the
 * journeys'): its writers held off (lock), the village cells cleared and
 * filled (*cells: how many), then the city cells from them. */
static int refill(pk_tx *t, int lock, int clear, int fill, int clear_city, int fill_city,
                  int64_t *cells)
{
    pgc *c = pg_txc(t);
    PGresult *r = NULL;
    *cells = 0;
    int rc = pg_run(c, lock, NULL, NULL);
    if (rc == 0)
        rc = pg_run(c, clear, NULL, NULL);
    if (rc == 0 && (rc = pg_run(c, fill, NULL, &r)) == 0)
        *cells = pg_touched(r);
    if (rc == 0)
        rc = pg_run(c, clear_city, NULL, NULL);
    if (rc == 0)
        rc = pg_run(c, fill_city, NULL, NULL);
    PQclear(r);
    return rc;
}

int pg_counts_rebuild(pk_tx *t, int64_t *cells)
{
    return refill(t, S_COUNTS_LOCK, S_COUNTS_CLEAR, S_COUNTS_FILL, S_COUNTS_CLEAR_CITY,
                  S_COUNTS_FILL_CITY, cells);
}

/* ---- the journey's counters (migration 24, sql_funnel.h; per city too,
 * migration 26) ---- */

static void journey_cell(const PGresult *r, int i, pk_journey_cell *cell)
{
    memset(cell, 0, sizeof(*cell));
    copy_val(cell->region, sizeof(cell->region), r, i, 0);
    copy_val(cell->kind, sizeof(cell->kind), r, i, 1);
    cell->k1 = get_i64(r, i, 2);
    cell->k2 = get_i64(r, i, 3);
    cell->n = get_i64(r, i, 4);
}

int pg_journey_counts(pk_store *s, const char *region, size_t child_len, const char *kind,
                      pk_journey_cell_cb cb, void *ctx)
{
    PGresult *r = NULL;
    params ps = {0};
    char hi[PK_REGION_CODE_MAX + 2];
    pg_region_params(&ps, region, hi, sizeof(hi));
    p_int(&ps, (int64_t)child_len);
    p_text(&ps, kind ? kind : "");
    /* above a city (the province, everywhere), whole or by city: the city
     * cells (migration 26) */
    bool by_city = (region == NULL || strlen(region) < PK_REGION_CITY_LEN) &&
                   (child_len == 0 || child_len == PK_REGION_CITY_LEN);
    int which = by_city ? S_JCOUNTS_CITY
                : child_len >= PK_REGION_VILLAGE_LEN ? S_JCOUNTS_VILLAGE
                                                      : S_JCOUNTS;
    int rc = pg_run1(s, which, &ps, &r);
    for (int i = 0, n = rc == 0 ? PQntuples(r) : 0; rc == 0 && i < n; i++) {
        pk_journey_cell cell;
        journey_cell(r, i, &cell);
        rc = cb(ctx, &cell);
    }
    PQclear(r);
    return rc;
}

int pg_journey_counts_verify(pk_store *s, pk_journey_cell_cb cb, void *ctx, int64_t *cells)
{
    PGresult *r = NULL;
    *cells = 0;
    int rc = pg_run1(s, S_JCOUNTS_VERIFY, NULL, &r);
    for (int i = 0, n = rc == 0 ? PQntuples(r) : 0; rc == 0 && i < n; i++) {
        pk_journey_cell cell;
        journey_cell(r, i, &cell);
        cell.counted = get_i64(r, i, 5);
        if (get_i64(r, i, 6) == 0) /* the village cells: the tally */
            ++*cells;
        if (cell.n != cell.counted)
            rc = cb(ctx, &cell);
    }
    PQclear(r);
    return rc;
}

/* ---- the journeys' counters deferred (pk_tx_journey_counts_defer) -------- */

/* The trigger functions of migration 33 sum this transaction's changes
 * into its own temporary tables (sql_funnel.h, "counting deferred"); the
 * end adds them to the cells.  No lock: another writer's triggers update
 * the cells meanwhile as always, and the sums are exact whatever the
 * order (the end's upserts wait only for the cells' row locks). */
int pg_journey_counts_defer(pk_tx *t, int64_t n, bool *on)
{
    pg_tx *tx = (pg_tx *)t;
    if (tx->counts_deferred || n <= 0)
        return 0;
    int rc = pg_exec(tx->c,
                     "SELECT set_config('prakerja.counts_deferred', 'on', true);"
                     "CREATE TEMP TABLE journey_count_delta (LIKE journey_count) ON COMMIT DROP;"
                     "CREATE TEMP TABLE remind_effect_delta (LIKE remind_effect_count)"
                     " ON COMMIT DROP",
                     PGRES_COMMAND_OK, "journey counters deferred");
    if (rc == 0)
        tx->counts_deferred = *on = true;
    return rc;
}

/* The sums take the cells' row locks in key order; a writer of several
 * statements that took some in another order may deadlock with them, and
 * the loser could be this (a whole draw): the sums are added under a
 * savepoint and added again after a lost deadlock. */
#define FOLD_TRIES 5

int pg_journey_counts_end(pk_tx *t)
{
    pg_tx *tx = (pg_tx *)t;
    if (!tx->counts_deferred)
        return 0;
    int rc = PK_EBUSY;
    for (int i = 0; i < FOLD_TRIES && rc == PK_EBUSY; i++) {
        if ((rc = pg_exec(tx->c, "SAVEPOINT pk_counts", PGRES_COMMAND_OK, "savepoint")) != 0)
            break;
        rc = pg_exec(tx->c,
                     "SELECT set_config('prakerja.counts_deferred', 'off', true);"
                     PG_JF_DELTA_FOLD PG_RE_DELTA_FOLD
                     "DROP TABLE journey_count_delta, remind_effect_delta",
                     PGRES_COMMAND_OK, "journey counters deferred: the sums");
        int undo = pg_exec(tx->c, rc == 0 ? "RELEASE pk_counts" : "ROLLBACK TO pk_counts",
                           PGRES_COMMAND_OK, "savepoint");
        if (undo != 0)
            rc = undo;
    }
    if (rc == 0)
        tx->counts_deferred = false;
    return rc;
}

int pg_journey_counts_rebuild(pk_tx *t, int64_t *cells)
{
    return refill(t, S_JCOUNTS_LOCK, S_JCOUNTS_CLEAR, S_JCOUNTS_FILL, S_JCOUNTS_CLEAR_CITY,
                  S_JCOUNTS_FILL_CITY, cells);
}
