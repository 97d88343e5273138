/* sqlite_counts.c -- the counters of the participants on SQLite
 * (migration 15): a cell per (village, segment, sex, reasons) in
 * participant_count, kept by triggers in the transaction of every write
 * of a participant row (SQ_PARTICIPANT_COUNT_TRIGGERS, sqlite_int.h);
 * the statistics read them, a region being a range of village codes, so
 * a read sums at most the cells of that range whatever the number of
 * participants; a city, the province and the country read the same cells summed
 * per city (participant_count_city, migration 21); verify recounts and
 * compares both, rebuild recounts both. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "core/participant.h"
#include "core/pk.h"
#include "store/sqlite_int.h"

/* The cells of the range summed by (segment, sex, reasons); the bits
 * of each set of reasons counted here. */
int sq_stats(pk_store *s, const char *region, pk_stats *out)
{
    sq *q = s->impl;
    sqc *c;
    memset(out, 0, sizeof(*out));
    sqlite3_stmt *st;
    /* a city or above (a province, everywhere): the city cells, a few
     * hundred for the province whatever the number of participants; a
     * city's own are its village cells summed once more (migration 21) */
    int which = region == NULL || strlen(region) <= 5 ? S_STATS_CITY : S_STATS;
    int rc = sq_read_begin(q, which, &c, &st);
    if (rc != 0)
        return rc;
    char hi[PK_REGION_CODE_MAX + 2];
    sq_bind_region(st, 1, 2, region, hi, sizeof(hi));
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        pk_stats_add_cell(out, (const char *)sqlite3_column_text(st, 0),
                          (const char *)sqlite3_column_text(st, 1),
                          (uint64_t)sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3));
    }
    rc = r == SQLITE_DONE ? 0 : PK_EIO;
    sq_read_end(q, c, st);
    return rc;
}

int sq_stats_children(pk_store *s, const char *region, size_t child_len, pk_child_count_cb cb,
                      void *ctx)
{
    sq *q = s->impl;
    sqc *c;
    sqlite3_stmt *st;
    bool cities = child_len == 5; /* a province's children: the city cells */
    int rc = sq_read_begin(q, cities ? S_STATS_CITIES : S_STATS_CHILDREN, &c, &st);
    if (rc != 0)
        return rc;
    char hi[PK_REGION_CODE_MAX + 2];
    sq_bind_region(st, 1, 2, region, hi, sizeof(hi));
    int r;
    rc = 0;
    /* the rows come in code order: a child's cells are summed until the
     * code changes */
    pk_child_count cc = {0};
    bool open = false;
    while (rc == 0 && (r = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *code = sqlite3_column_text(st, 0);
        char kid[PK_REGION_CODE_MAX];
        snprintf(kid, sizeof(kid), "%.*s", (int)child_len, code ? (const char *)code : "");
        if (open && strcmp(cc.code, kid) != 0) {
            rc = cb(ctx, &cc);
            open = false;
        }
        if (!open) {
            memset(&cc, 0, sizeof(cc));
            memcpy(cc.code, kid, sizeof(kid));
            open = true;
        }
        pk_stats_add_cell(&cc.st, (const char *)sqlite3_column_text(st, 1),
                          (const char *)sqlite3_column_text(st, 2),
                          (uint64_t)sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4));
    }
    if (rc == 0 && r != SQLITE_DONE)
        rc = PK_EIO;
    if (rc == 0 && open)
        rc = cb(ctx, &cc);
    sq_read_end(q, c, st);
    return rc;
}

int sq_counts_verify(pk_store *s, pk_count_cell_cb cb, void *ctx, int64_t *cells,
                     int64_t *people)
{
    sq *q = s->impl;
    sqc *c;
    *cells = *people = 0;
    sqlite3_stmt *st;
    int rc = sq_read_begin(q, S_COUNTS_VERIFY, &c, &st);
    if (rc != 0)
        return rc;
    int r;
    while (rc == 0 && (r = sqlite3_step(st)) == SQLITE_ROW) {
        pk_count_cell cell = {0};
        const unsigned char *v;
        snprintf(cell.region, sizeof(cell.region), "%s",
                 (v = sqlite3_column_text(st, 0)) ? (const char *)v : "");
        snprintf(cell.segmen, sizeof(cell.segmen), "%s",
                 (v = sqlite3_column_text(st, 1)) ? (const char *)v : "");
        snprintf(cell.sex, sizeof(cell.sex), "%s",
                 (v = sqlite3_column_text(st, 2)) ? (const char *)v : "");
        cell.reasons = (uint64_t)sqlite3_column_int64(st, 3);
        cell.kept = sqlite3_column_int64(st, 4);
        cell.counted = sqlite3_column_int64(st, 5);
        if (sqlite3_column_int(st, 6) == 0) { /* the village cells: the tally */
            ++*cells;
            *people += cell.counted;
        }
        if (cell.kept != cell.counted)
            rc = cb(ctx, &cell);
    }
    if (rc == 0 && r != SQLITE_DONE)
        rc = PK_EIO;
    sq_read_end(q, c, st);
    return rc;
}

/* The writer holds the database for the transaction: nobody writes a
 * participant between the recount and its commit. */
int sq_counts_rebuild(pk_tx *t, int64_t *cells)
{
    sqc *c = sq_txc(t);
    *cells = 0;
    sqlite3_stmt *st = sq_stmt(c, S_COUNTS_CLEAR);
    int rc = st != NULL ? sq_step_done(st) : PK_EIO;
    if (rc == 0)
        rc = (st = sq_stmt(c, S_COUNTS_FILL)) != NULL ? sq_step_done(st) : PK_EIO;
    if (rc == 0)
        rc = (st = sq_stmt(c, S_COUNTS_CLEAR_CITY)) != NULL ? sq_step_done(st) : PK_EIO;
    if (rc == 0)
        rc = (st = sq_stmt(c, S_COUNTS_FILL_CITY)) != NULL ? sq_step_done(st) : PK_EIO;
    if (rc == 0)
        rc = sq_count_of(c, S_COUNTS_CELLS, cells);
    return rc;
}

/* ---- the journey's counters (migration 24, sql_funnel.h; per city too,
 * migration 26) ---- */

static void journey_cell(sqlite3_stmt *st, pk_journey_cell *cell)
{
    memset(cell, 0, sizeof(*cell));
    sq_copy_col(st, 0, cell->region, sizeof(cell->region));
    sq_copy_col(st, 1, cell->kind, sizeof(cell->kind));
    cell->k1 = sqlite3_column_int64(st, 2);
    cell->k2 = sqlite3_column_int64(st, 3);
    cell->n = sqlite3_column_int64(st, 4);
}

/* Above a city (the province, everywhere), whole or by city: the city
 * cells (migration 26), a few per city instead of every village's. */
static bool sq_journey_by_city(const char *region, size_t child_len)
{
    return (region == NULL || strlen(region) < PK_REGION_CITY_LEN) &&
           (child_len == 0 || child_len == PK_REGION_CITY_LEN);
}

int sq_journey_counts(pk_store *s, const char *region, size_t child_len, const char *kind,
                      pk_journey_cell_cb cb, void *ctx)
{
    sq *q = s->impl;
    sqc *c;
    sqlite3_stmt *st;
    int which = sq_journey_by_city(region, child_len) ? S_JCOUNTS_CITY
                : child_len >= PK_REGION_VILLAGE_LEN ? S_JCOUNTS_VILLAGE
                                                      : S_JCOUNTS;
    int rc = sq_read_begin(q, which, &c, &st);
    if (rc != 0)
        return rc;
    char hi[PK_REGION_CODE_MAX + 2];
    sq_bind_region(st, 1, 2, region, hi, sizeof(hi));
    sqlite3_bind_int64(st, 3, (sqlite3_int64)child_len);
    sqlite3_bind_text(st, 4, kind ? kind : "", -1, SQLITE_STATIC);
    int r = SQLITE_DONE;
    while (rc == 0 && (r = sqlite3_step(st)) == SQLITE_ROW) {
        pk_journey_cell cell;
        journey_cell(st, &cell);
        rc = cb(ctx, &cell);
    }
    if (rc == 0 && r != SQLITE_DONE)
        rc = PK_EIO;
    sq_read_end(q, c, st);
    return rc;
}

int sq_journey_counts_verify(pk_store *s, pk_journey_cell_cb cb, void *ctx, int64_t *cells)
{
    sq *q = s->impl;
    sqc *c;
    *cells = 0;
    sqlite3_stmt *st;
    int rc = sq_read_begin(q, S_JCOUNTS_VERIFY, &c, &st);
    if (rc != 0)
        return rc;
    int r = SQLITE_DONE;
    while (rc == 0 && (r = sqlite3_step(st)) == SQLITE_ROW) {
        pk_journey_cell cell;
        journey_cell(st, &cell);
        cell.counted = sqlite3_column_int64(st, 5);
        if (sqlite3_column_int(st, 6) == 0) /* the village cells: the tally */
            ++*cells;
        if (cell.n != cell.counted)
            rc = cb(ctx, &cell);
    }
    if (rc == 0 && r != SQLITE_DONE)
        rc = PK_EIO;
    sq_read_end(q, c, st);
    return rc;
}

int sq_journey_counts_rebuild(pk_tx *t, int64_t *cells)
{
    sqc *c = sq_txc(t);
    *cells = 0;
    sqlite3_stmt *st = sq_stmt(c, S_JCOUNTS_CLEAR);
    int rc = st != NULL ? sq_step_done(st) : PK_EIO;
    if (rc == 0)
        rc = (st = sq_stmt(c, S_JCOUNTS_FILL)) != NULL ? sq_step_done(st) : PK_EIO;
    if (rc == 0)
        rc = (st = sq_stmt(c, S_JCOUNTS_CLEAR_CITY)) != NULL ? sq_step_done(st) : PK_EIO;
    if (rc == 0)
        rc = (st = sq_stmt(c, S_JCOUNTS_FILL_CITY)) != NULL ? sq_step_done(st) : PK_EIO;
    if (rc == 0)
        rc = sq_count_of(c, S_JCOUNTS_CELLS, cells);
    return rc;
}
