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
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/participant.h"
#include "core/pk.h"
#include "store/sql_funnel.h"
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

/* ---- the journeys' counters from the rows (a rebuild, an events bulk
 * load, a deferred draw: sq_journey_counts_fill) ----------------------------
 *
 * The facts of sql_funnel.h (PK_JOURNEY_FACTS: a step reached, the WIB
 * days it took, a deadline running), computed here in C from one scan of
 * the journeys with their village (SQ_JOURNEY_FACT_ROWS), summed in a
 * table hashed by cell and added to journey_count in cell order whenever
 * it is half full and at the end.  The fill in SQL sorted every fact for
 * its GROUP BY (3 us a journey, 13% of a draw of the 2021 size); a sort
 * of the journeys by village would cost most of that again (1.1 us).
 * The definitions are the SQL's: the triggers and the verify use those
 * (migration 24 too); test_funnel compares this fill with the verify's
 * recount over journeys that reach every branch. */

/* A cell; kinds numbered in the order of their names. */
enum { JK_HARI, JK_LANGKAH, JK_TENGGAT };
static const char *const jkind_name[] = {"hari", "langkah", "tenggat"};
typedef struct jcell {
    char village[PK_REGION_CODE_MAX];
    int kind;
    int64_t k1, k2, n; /* n 0: a free slot */
} jcell;

/* 2^15 slots of 48 bytes (1.5 MiB), added to the table at half full: 1,068 cells at
 * 500,000 applicants, 19,511 at 1M events; a province's villages by
 * hundreds of days may take a few rounds. */
#define JCELLS_SLOTS ((size_t)1 << 15)

typedef struct jcells {
    jcell *slot;
    size_t used;
    sqc *c;
} jcells;

/* The WIB day of an instant > 0 (PK_JF_DAY: (x + 25200) / 86400). */
static int64_t wib_day(int64_t t)
{
    return (int64_t)(((uint64_t)t + 25200) / 86400);
}

static int jcell_cmp(const void *a, const void *b)
{
    const jcell *x = a, *y = b;
    int c = strcmp(x->village, y->village);
    if (c != 0)
        return c;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    if (x->k1 != y->k1)
        return x->k1 < y->k1 ? -1 : 1;
    return x->k2 < y->k2 ? -1 : x->k2 > y->k2;
}

/* The cells into journey_count (added to those there), in key order; the
 * table emptied. */
static int jcells_flush(jcells *c)
{
    size_t n = 0;
    for (size_t i = 0; i < JCELLS_SLOTS; i++)
        if (c->slot[i].n != 0)
            c->slot[n++] = c->slot[i];
    qsort(c->slot, n, sizeof(*c->slot), jcell_cmp);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const jcell *x = &c->slot[i];
        sqlite3_stmt *st = sq_stmt(c->c, S_JCOUNTS_ADD);
        if (st == NULL)
            return PK_EIO;
        sqlite3_bind_text(st, 1, x->village, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, jkind_name[x->kind], -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 3, x->k1);
        sqlite3_bind_int64(st, 4, x->k2);
        sqlite3_bind_int64(st, 5, x->n);
        rc = sq_step_done(st);
    }
    memset(c->slot, 0, JCELLS_SLOTS * sizeof(*c->slot));
    c->used = 0;
    return rc;
}

/* vh: the village's hash (pk_hash_str), once for all of a journey's cells. */
static int jcell_add(jcells *c, const char *village, uint64_t vh, int kind, int64_t k1,
                     int64_t k2)
{
    uint64_t h = pk_hash_u64(pk_hash_u64(pk_hash_u64(vh, (uint64_t)kind), (uint64_t)k1), (uint64_t)k2);
    h = pk_hash_mix(h);
    for (size_t i = (size_t)h & (JCELLS_SLOTS - 1);; i = (i + 1) & (JCELLS_SLOTS - 1)) {
        jcell *s = &c->slot[i];
        if (s->n == 0) {
            if (c->used == JCELLS_SLOTS / 2) {
                int rc = jcells_flush(c);
                return rc != 0 ? rc : jcell_add(c, village, vh, kind, k1, k2);
            }
            snprintf(s->village, sizeof(s->village), "%s", village);
            s->kind = kind;
            s->k1 = k1;
            s->k2 = k2;
            s->n = 1;
            c->used++;
            return 0;
        }
        if (s->kind == kind && s->k1 == k1 && s->k2 == k2 && strcmp(s->village, village) == 0) {
            s->n++;
            return 0;
        }
    }
}

/* The facts of one journey, a row of SQ_JOURNEY_FACT_ROWS: the village,
 * then x[0] the registration instant, x[1] a recipient, x[2] the wave,
 * x[3..7] the instants of the five steps. */
static int journey_facts(jcells *c, const char *v, const int64_t x[8])
{
    int rc = 0;
    const uint64_t vh = pk_hash_str(PK_HASH_INIT, v);
    const int64_t *step = &x[2]; /* step[k], k 1..5 */
    for (int k = 1; k <= 5 && rc == 0; k++) {
        if (step[k] > 0)
            rc = jcell_add(c, v, vh, JK_LANGKAH, k, 0);
        int64_t a = k == 1 ? x[0] : step[k - 1], b = step[k];
        if (rc == 0 && a > 0 && b >= a) {
            int64_t days = wib_day(b) - wib_day(a);
            rc = jcell_add(c, v, vh, JK_HARI, k, days > PK_FUNNEL_DAYS_MAX ? PK_FUNNEL_DAYS_MAX : days);
        }
    }
    if (rc == 0 && x[1] && step[3] == 0 && step[2] > 0)
        rc = jcell_add(c, v, vh, JK_TENGGAT, x[2], wib_day(step[2]));
    return rc;
}

int sq_journey_counts_fill(sqc *db)
{
    jcells c = {calloc(JCELLS_SLOTS, sizeof(jcell)), 0, db};
    sqlite3_stmt *st = sq_stmt(db, S_JCOUNTS_CLEAR), *rows = NULL;
    int rc = c.slot == NULL ? PK_ENOMEM : st != NULL ? sq_step_done(st) : PK_EIO;
    if (rc == 0 && (rows = sq_stmt(db, S_JCOUNTS_ROWS)) == NULL)
        rc = PK_EIO;
    int r = SQLITE_DONE;
    while (rc == 0 && (r = sqlite3_step(rows)) == SQLITE_ROW) {
        const char *village = (const char *)sqlite3_column_text(rows, 0);
        if (village == NULL || strlen(village) >= PK_REGION_CODE_MAX) {
            rc = PK_EIO; /* a region code is NOT NULL and short */
            break;
        }
        int64_t x[8];
        for (int i = 0; i < 8; i++)
            x[i] = sqlite3_column_int64(rows, i + 1); /* NULL (no instant): 0 */
        rc = journey_facts(&c, village, x);
    }
    if (rc == 0 && r != SQLITE_DONE)
        rc = sq_error(r);
    if (rows != NULL)
        sqlite3_reset(rows);
    if (rc == 0)
        rc = jcells_flush(&c);
    free(c.slot);
    if (rc == 0)
        rc = (st = sq_stmt(db, S_JCOUNTS_CLEAR_CITY)) != NULL ? sq_step_done(st) : PK_EIO;
    if (rc == 0)
        rc = (st = sq_stmt(db, S_JCOUNTS_FILL_CITY)) != NULL ? sq_step_done(st) : PK_EIO;
    return rc;
}

int sq_journey_counts_rebuild(pk_tx *t, int64_t *cells)
{
    sqc *c = sq_txc(t);
    *cells = 0;
    int rc = sq_journey_counts_fill(c);
    if (rc == 0)
        rc = sq_count_of(c, S_JCOUNTS_CELLS, cells);
    return rc;
}
