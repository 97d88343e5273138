/* sqlite_bulk.c -- bulk loading of an empty registry on SQLite
 * (pk_tx_bulk_begin and the rest, store.h): the participant indexes are
 * dropped and built once at the end, the counters' triggers dropped and
 * the counters (summed as the rows are inserted) written once at the end,
 * the load runs with a rollback journal and without the region check
 * when it can, and rows whose NIK repeats are found and folded
 * afterwards.  The name index's triggers are dropped too, the index
 * rebuilt once at the end.
 *
 * Its DDL and PRAGMAs are not in the statement table (sqlite_stmts.h):
 * they change the schema the table's statements are prepared against,
 * and run once per load. */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/hash.h"
#include "core/pk.h"
#include "store/sql_funnel.h"
#include "store/sql_remind_effect.h"
#include "store/sqlite_int.h"

/* The writer's page cache during a bulk load (sqlite.c sets it back when
 * the transaction ends). */
#define BULK_CACHE "PRAGMA cache_size = -4096"

/* ---- the counters of a bulk load, summed as the rows are inserted ------
 *
 * A cell per (village, segment, sex, reasons), as participant_count has
 * (a few thousand: about 40 bytes each), in a table hashed by its key.
 * At the end of the load they are written as they are, instead of a
 * second pass over every row (at 10M rows 8.6 s of CPU, bench/README.md).
 * Exact only while every write of a participant is an insert seen here:
 * a fold of repeated NIKs, an update or a change of reasons during the
 * load drops them (sq_bulk_uncount), and the end fills the counters from
 * the rows as before. */

typedef struct sq_cell {
    char village[PK_REGION_CODE_MAX];
    char segmen[24];
    char sex;
    uint64_t reasons;
    int64_t n; /* 0: a free slot */
} sq_cell;

struct sq_cells {
    size_t cap, used; /* cap a power of 2, used <= cap / 2 */
    sq_cell *slot;
};

static void cells_free(struct sq_cells *c)
{
    if (c != NULL)
        free(c->slot);
    free(c);
}

void sq_bulk_uncount(sq_tx *tx)
{
    cells_free(tx->cells);
    tx->cells = NULL;
}

static uint64_t cell_hash(const char *village, const char *segmen, char sex, uint64_t reasons)
{
    uint64_t h = pk_hash_str(pk_hash_str(PK_HASH_INIT, village), segmen);
    return pk_hash_mix(pk_hash_u64(pk_hash_u64(h, reasons), (unsigned char)sex));
}

static sq_cell *cell_find(struct sq_cells *c, const char *village, const char *segmen, char sex,
                          uint64_t reasons)
{
    uint64_t h = cell_hash(village, segmen, sex, reasons);
    for (size_t i = (size_t)h & (c->cap - 1);; i = (i + 1) & (c->cap - 1)) {
        sq_cell *s = &c->slot[i];
        if (s->n == 0 || (s->reasons == reasons && s->sex == sex &&
                          strcmp(s->village, village) == 0 && strcmp(s->segmen, segmen) == 0))
            return s;
    }
}

static int cells_grow(struct sq_cells *c)
{
    struct sq_cells bigger = {c->cap * 2, 0, calloc(c->cap * 2, sizeof(sq_cell))};
    if (bigger.slot == NULL)
        return PK_ENOMEM;
    for (size_t i = 0; i < c->cap; i++)
        if (c->slot[i].n != 0) {
            const sq_cell *o = &c->slot[i];
            *cell_find(&bigger, o->village, o->segmen, o->sex, o->reasons) = *o;
            bigger.used++;
        }
    free(c->slot);
    *c = bigger;
    return 0;
}

void sq_bulk_count(sq_tx *tx, const pk_prow *r)
{
    struct sq_cells *c = tx->cells;
    if (c == NULL)
        return;
    size_t vl = strlen(r->kode_wilayah), sl = strlen(r->segmen);
    if (vl >= sizeof(c->slot->village) || sl >= sizeof(c->slot->segmen) ||
        strlen(r->jenis_kelamin) != 1 || (c->used + 1 > c->cap / 2 && cells_grow(c) != 0)) {
        sq_bulk_uncount(tx); /* a key it cannot hold, or no memory: from the rows */
        return;
    }
    sq_cell *s = cell_find(c, r->kode_wilayah, r->segmen, r->jenis_kelamin[0], r->reasons);
    if (s->n == 0) {
        memcpy(s->village, r->kode_wilayah, vl + 1);
        memcpy(s->segmen, r->segmen, sl + 1);
        s->sex = r->jenis_kelamin[0];
        s->reasons = r->reasons;
        c->used++;
    }
    s->n++;
}

static struct sq_cells *cells_new(void)
{
    struct sq_cells *c = calloc(1, sizeof(*c));
    if (c != NULL && (c->slot = calloc(c->cap = 4096, sizeof(sq_cell))) == NULL) {
        free(c);
        c = NULL;
    }
    return c;
}

/* The village cells into participant_count (empty: the registry was),
 * the city cells from them. */
static int cells_write(sq_tx *tx)
{
    sqlite3 *db = tx->q->writer->db;
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_exec(db, "DELETE FROM participant_count", NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_prepare_v2(db, "INSERT INTO participant_count VALUES (?1, ?2, ?3, ?4, ?5)",
                                -1, &st, NULL);
    const struct sq_cells *c = tx->cells;
    for (size_t i = 0; rc == SQLITE_OK && i < c->cap; i++) {
        const sq_cell *s = &c->slot[i];
        if (s->n == 0)
            continue;
        char sex[2] = {s->sex, '\0'};
        sqlite3_bind_text(st, 1, s->village, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, s->segmen, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, sex, 1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(st, 4, (sqlite3_int64)s->reasons);
        sqlite3_bind_int64(st, 5, s->n);
        rc = sqlite3_step(st);
        rc = rc == SQLITE_DONE ? sqlite3_reset(st) : rc;
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db,
                          "DELETE FROM participant_count_city;" SQ_PARTICIPANT_COUNT_CITY_FILL,
                          NULL, NULL, NULL);
    return rc;
}


/* Sets the writer up for a bulk load, which writes the whole registry in
 * one transaction.  Called at the start of tx, which has written nothing:
 * it ends tx and begins it again, since neither setting can change
 * within a transaction.
 *
 * - Through the WAL every page would be written twice (into the WAL,
 *   then by the checkpoint into the database), so the load runs with a
 *   rollback journal instead, when nobody else has the database open: no
 *   page of an empty registry has anything to save in the journal, and
 *   the load's pages are written once.  Killed, the journal undoes it on
 *   the next open.  Others that open the database meanwhile wait for the
 *   load (they would wait to write anyway).
 * - The region foreign key is not checked row by row (a lookup per row,
 *   about a tenth of the writer's time): every row's village was found
 *   in the region table already, by validation against the application's
 *   copy of it (pk_store_regions_each), which only a migration changes,
 *   and no migration runs while this writer holds the database.
 *   PostgreSQL drops the constraint for a bulk load likewise. */
static void bulk_setup(sq_tx *tx, bool fk_off)
{
    sq *q = tx->q;
    pthread_mutex_lock(&q->mu); /* our own idle readers would hold the WAL open */
    while (q->nidle > 0)
        sq_conn_close(q->idle[--q->nidle]);
    pthread_mutex_unlock(&q->mu);
    sqlite3_busy_timeout(q->writer->db, 0); /* someone else has it open: keep the WAL */
    sqlite3_stmt *st = NULL;
    if (sqlite3_exec(q->writer->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK) {
        tx->no_fk = fk_off && sqlite3_exec(q->writer->db, "PRAGMA foreign_keys=OFF", NULL, NULL,
                                           NULL) == SQLITE_OK;
        if (sqlite3_prepare_v2(q->writer->db, "PRAGMA journal_mode=DELETE", -1, &st, NULL) ==
                SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            tx->rollback_journal =
                sqlite3_strnicmp((const char *)sqlite3_column_text(st, 0), "delete", 6) == 0;
    }
    sqlite3_finalize(st);
    sqlite3_busy_timeout(q->writer->db, SQ_BUSY_MS);
    sqlite3_exec(q->writer->db, "BEGIN IMMEDIATE", NULL, NULL, NULL);
}

int sq_bulk_begin(pk_tx *t, bool *on)
{
    sq_tx *tx = (sq_tx *)t;
    int64_t any = 1;
    int rc = sq_count_of(tx->q->writer, S_BULK_ANY, &any);
    if (rc != 0 || any)
        return rc;
    bulk_setup(tx, true);
    if (sqlite3_get_autocommit(tx->q->writer->db)) /* BEGIN failed */
        return PK_EIO;
    if ((rc = sq_count_of(tx->q->writer, S_BULK_ANY, &any)) != 0 || any)
        return rc; /* another writer came first: no bulk load */
    char *msg = NULL;
    if (sqlite3_exec(tx->q->writer->db,
                     "DROP INDEX participant_nik; DROP INDEX participant_kk;"
                     "DROP INDEX participant_region; DROP INDEX participant_nama_lower;"
                     SQ_PARTICIPANT_COUNT_DROP_TRIGGERS
                     SQ_NAME_INDEX_DROP
                     BULK_CACHE ";"
                     "CREATE TEMP TABLE IF NOT EXISTS bulk_kk (kk_hi INTEGER, kk_lo INTEGER,"
                     " PRIMARY KEY (kk_hi, kk_lo)) WITHOUT ROWID;"
                     "DELETE FROM temp.bulk_kk",
                     NULL, NULL, &msg) != SQLITE_OK) {
        sq_log(tx->q, "bulk load: %s", msg ? msg : "?");
        sqlite3_free(msg);
        return PK_EIO;
    }
    tx->bulk = tx->small_cache = *on = true;
    tx->cells = cells_new(); /* NULL: filled from the rows at the end */
    return 0;
}

int sq_bulk_mark(pk_tx *t, size_t n, const pk_bi *kk_bi)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        sqlite3_stmt *st = sq_stmt(sq_txc(t), S_BULK_MARK);
        if (st == NULL)
            return PK_EIO;
        sq_bind_bi(st, 1, kk_bi[i]);
        rc = sq_step_done(st);
    }
    return rc;
}

int sq_bulk_end(pk_tx *t)
{
    sq_tx *tx = (sq_tx *)t;
    if (!tx->bulk)
        return 0;
    /* the sorter may use two more threads: the reader's core is idle by now */
    int rc = sqlite3_exec(tx->q->writer->db,
                          "DROP INDEX IF EXISTS participant_nik_repeats;"
                          "PRAGMA threads = 2;" SQ_PARTICIPANT_INDEXES SQ_NAME_PREFIX_INDEX
                          /* the name index (migration 16) in one pass, merging
                           * its segments 16 at a time instead of FTS5's 4:
                           * at 10M rows 24 s instead of 34 s, searches no
                           * slower (bench/README.md, import at 10M), and
                           * from 8 MiB of postings held in memory at a time
                           * instead of 1 (fewer, larger segments to merge:
                           * 1.07-1.12 s against 1.36-1.40 s at 1M); the
                           * defaults again for the triggers' writes */
                          "INSERT INTO participant_name(participant_name, rank)"
                          " VALUES ('automerge', 16);"
                          "INSERT INTO participant_name(participant_name, rank)"
                          " VALUES ('hashsize', 8388608);"
                          "INSERT INTO participant_name(participant_name) VALUES ('rebuild');"
                          "INSERT INTO participant_name(participant_name, rank)"
                          " VALUES ('automerge', 4);"
                          "INSERT INTO participant_name(participant_name, rank)"
                          " VALUES ('hashsize', 1048576);"
                          SQ_NAME_INDEX_TRIGGERS,
                          NULL, NULL, NULL);
    /* the counters once (no trigger ran during the load): the cells
     * summed as the rows were inserted, or else from the rows */
    if (rc == SQLITE_OK)
        rc = tx->cells != NULL ? cells_write(tx)
                               : sqlite3_exec(tx->q->writer->db, SQ_PARTICIPANT_COUNT_FILL,
                                              NULL, NULL, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(tx->q->writer->db, SQ_PARTICIPANT_COUNT_TRIGGERS, NULL, NULL, NULL);
    sqlite3_exec(tx->q->writer->db, "PRAGMA threads = 0", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return (rc & 0xff) == SQLITE_CONSTRAINT ? PK_ECONFLICT : sq_error(rc);
    tx->bulk = tx->repeats_index = false;
    sq_bulk_uncount(tx);
    return 0;
}

int sq_bulk_families(pk_tx *t, int small, const uint8_t *after, size_t limit,
                     pk_bi *out, size_t *n)
{
    sqlite3_stmt *st = sq_stmt(sq_txc(t), S_BULK_FAMILIES);
    if (st == NULL)
        return PK_EIO;
    if (after != NULL) {
        sq_bind_bi(st, 1, after);
        sqlite3_bind_int(st, 5, 1);
    } else { /* from the least pair: every family */
        sqlite3_bind_int64(st, 1, INT64_MIN);
        sqlite3_bind_int64(st, 2, INT64_MIN);
        sqlite3_bind_int(st, 5, 0);
    }
    sqlite3_bind_int(st, 3, small);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)limit);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        sq_column_bi(st, 0, out[(*n)++]);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : PK_EIO;
}

/* The rows whose NIK repeats, found through an index on the NIK (not
 * unique: that is what failed) that the first call of the transaction
 * builds and bulk_end drops again. */
int sq_bulk_repeats(pk_tx *t, const uint8_t *after_nik, int64_t after_id, size_t limit,
                    pk_repeat *out, size_t *n)
{
    sq_tx *tx = (sq_tx *)t;
    sq *q = tx->q;
    if (!tx->repeats_index) {
        if (sqlite3_exec(q->writer->db,
                         "CREATE INDEX participant_nik_repeats ON participant(nik_hi, nik_lo)",
                         NULL, NULL, NULL) != SQLITE_OK)
            return PK_EIO;
        tx->repeats_index = true;
    }
    sqlite3_stmt *st = sq_stmt(q->writer, S_BULK_REPEATS);
    if (st == NULL)
        return PK_EIO;
    if (after_nik != NULL) {
        sq_bind_bi(st, 1, after_nik);
    } else { /* from the first: >= the least pair takes every NIK */
        sqlite3_bind_int64(st, 1, INT64_MIN);
        sqlite3_bind_int64(st, 2, INT64_MIN);
    }
    sqlite3_bind_int64(st, 3, after_id);
    sqlite3_bind_int64(st, 4, (sqlite3_int64)limit);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && *n < limit) {
        if (sqlite3_column_bytes(st, 5) != PK_DIGEST_LEN) {
            rc = SQLITE_CORRUPT;
            break;
        }
        pk_repeat *r = &out[(*n)++];
        sq_column_bi(st, 0, r->nik_bi);
        r->id = sqlite3_column_int64(st, 2);
        sq_column_bi(st, 3, r->kk_bi);
        memcpy(r->digest, sqlite3_column_blob(st, 5), PK_DIGEST_LEN);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : PK_EIO;
}

int sq_bulk_fold(pk_tx *t, int64_t keep, int64_t from, bool copy)
{
    sq_bulk_uncount((sq_tx *)t);
    sqlite3_stmt *st = sq_stmt(sq_txc(t), copy ? S_BULK_FOLD : S_BULK_DROP);
    if (st == NULL)
        return PK_EIO;
    if (copy)
        sqlite3_bind_int64(st, 1, keep);
    sqlite3_bind_int64(st, copy ? 2 : 1, from);
    return sq_step_done(st);
}

/* ---- journey events into a store that holds none (pk_tx_events_bulk_begin) */

/* The journeys' counters from the rows, after writes that ran without
 * their triggers (an events bulk load, a deferred draw), and the triggers
 * made again: journey_count and its city cells (sq_journey_counts_fill,
 * sqlite_counts.c); remind_effect_count from the reach rows (a store
 * without events can have them: a reminder to join a wave goes to people
 * without a journey, who the load may then make recipients). */
static int counts_fill(sq_tx *tx)
{
    int rc = sq_journey_counts_fill(tx->q->writer);
    if (rc == 0 && sqlite3_exec(tx->q->writer->db,
                                "DELETE FROM remind_effect_count;" PK_RE_COUNT_FILL
                                ";" SQ_JOURNEY_COUNT_TRIGGERS SQ_RE_JOURNEY_TRIGGERS,
                                NULL, NULL, NULL) != SQLITE_OK)
        rc = PK_EIO;
    return rc;
}

/* Whether pk_event holds a row: 1 or 0, or PK_EIO. */
static int events_any(sqlite3 *db)
{
    sqlite3_stmt *st = NULL;
    int rc = PK_EIO;
    if (sqlite3_prepare_v2(db, "SELECT EXISTS (SELECT 1 FROM pk_event)", -1, &st, NULL) ==
            SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        rc = sqlite3_column_int(st, 0) != 0;
    sqlite3_finalize(st);
    return rc;
}

/* The events' unique index by (source, ref) takes a file's refs in an
 * order unrelated to the people's (the order the rows are written in),
 * so each insert lands on a page of its own once the index outgrows the
 * cache; built once at the end it is one sort.  The index by (wave,
 * type) is built at the end too (a descent from its root per row cost
 * about 7% of the CPU time, bench/README.md), and so are the journeys'
 * partial indexes by (wave, selected_at), which take the journeys in an
 * order unrelated to theirs; the events' index by participant
 * stays: the load reads a person's stored events through it, and the
 * rows come in its order.  The journeys' counters (journey_count) are
 * filled once at the end instead of by a trigger per journey written
 * (about 14%).  The setup is the registry's bulk load's (a rollback
 * journal when nobody else has the database open), the foreign keys not
 * checked row by row: every row's participant was found by the import
 * in this transaction (pk_tx_participant_ids). */
int sq_events_bulk_begin(pk_tx *t, bool *on)
{
    sq_tx *tx = (sq_tx *)t;
    int any = events_any(tx->q->writer->db);
    if (any != 0)
        return any < 0 ? any : 0;
    bulk_setup(tx, true);
    if (sqlite3_get_autocommit(tx->q->writer->db)) /* BEGIN failed */
        return PK_EIO;
    if ((any = events_any(tx->q->writer->db)) != 0)
        return any < 0 ? any : 0; /* another writer came first */
    char *msg = NULL;
    if (sqlite3_exec(tx->q->writer->db,
                     "DROP INDEX pk_event_ref; DROP INDEX pk_event_wave; DROP INDEX pk_journey_unbought;"
                     " DROP INDEX pk_journey_balance;" SQ_JOURNEY_COUNT_DROP_TRIGGERS SQ_RE_JOURNEY_DROP_TRIGGERS BULK_CACHE, NULL,
                     NULL, &msg) !=
        SQLITE_OK) {
        sq_log(tx->q, "events bulk load: %s", msg ? msg : "?");
        sqlite3_free(msg);
        return PK_EIO;
    }
    tx->events_bulk = tx->small_cache = *on = true;
    return 0;
}

int sq_events_bulk_end(pk_tx *t)
{
    sq_tx *tx = (sq_tx *)t;
    if (!tx->events_bulk)
        return 0;
    /* the sorter takes up to the cache's size per thread: the small cache
     * of a bulk load keeps the index build within the import's memory.
     * Two helper threads: the index by ref of 10M events in 4.0-4.1 s
     * against 4.6-4.8 s with one (the shell, the load's settings), the
     * whole end 7.7-8.2 s against 8.1-8.6 s, 4 MiB more (bench/README.md,
     * "Event import, run 8") */
    tx->small_cache = true;
    int rc = sqlite3_exec(tx->q->writer->db,
                          BULK_CACHE "; PRAGMA threads = 2;" SQ_EVENT_REF_INDEX
                          SQ_EVENT_WAVE_INDEX SQ_JOURNEY_DUE_INDEXES,
                          NULL, NULL, NULL);
    sqlite3_exec(tx->q->writer->db, "PRAGMA threads = 0", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return (rc & 0xff) == SQLITE_CONSTRAINT ? PK_ECONFLICT : sq_error(rc);
    /* the journeys' counters once, from the journeys (no trigger ran) */
    if ((rc = counts_fill(tx)) != 0)
        return rc;
    tx->events_bulk = false;
    return 0;
}

/* ---- a transaction of large writes (pk_tx_large_writes) ------------------ */

int sq_large_writes(pk_tx *t, bool *on)
{
    sq_tx *tx = (sq_tx *)t;
    bulk_setup(tx, false);
    if (sqlite3_get_autocommit(tx->q->writer->db)) /* BEGIN failed */
        return PK_EIO;
    *on = tx->rollback_journal;
    return 0;
}

/* ---- the journeys' counters deferred (pk_tx_journey_counts_defer) -------- */

/* The registry's participants, from their counters (a few hundred cells):
 * at most one journey each, so what a refill of the journeys' counters
 * reads.  (The reach rows it reads too are left out: a few per reminded
 * person, none where no reminder was sent.) */
static int registry_size(sqlite3 *db, int64_t *n)
{
    sqlite3_stmt *st = NULL;
    int rc = PK_EIO;
    if (sqlite3_prepare_v2(db, "SELECT coalesce(sum(n), 0) FROM participant_count_city", -1,
                           &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        *n = sqlite3_column_int64(st, 0);
        rc = 0;
    }
    sqlite3_finalize(st);
    return rc;
}

/* Measured at the 2021 size (2,500,000 applicants, bench/draw.sh): the
 * six triggers cost about 16 us of CPU a journey written, the refill
 * about 3 us a journey stored; a quarter leaves room for the reach rows
 * and for journeys that the triggers find cheaper than that (a small
 * registry's pages all in the cache). */
#define DEFER_SHARE 4

int sq_journey_counts_defer(pk_tx *t, int64_t n, bool *on)
{
    sq_tx *tx = (sq_tx *)t;
    if (tx->events_bulk || tx->counts_deferred) /* dropped already */
        return 0;
    int64_t people = 0;
    int rc = registry_size(tx->q->writer->db, &people);
    if (rc != 0 || n <= 0 || n * DEFER_SHARE < people)
        return rc;
    char *msg = NULL;
    if (sqlite3_exec(tx->q->writer->db, SQ_JOURNEY_COUNT_DROP_TRIGGERS SQ_RE_JOURNEY_DROP_TRIGGERS,
                     NULL, NULL, &msg) != SQLITE_OK) {
        sq_log(tx->q, "journey counters deferred: %s", msg ? msg : "?");
        sqlite3_free(msg);
        return PK_EIO;
    }
    tx->counts_deferred = *on = true;
    return 0;
}

int sq_journey_counts_end(pk_tx *t)
{
    sq_tx *tx = (sq_tx *)t;
    if (!tx->counts_deferred)
        return 0;
    /* the fill of remind_effect_count sorts the reach rows (several per
     * person reminded): a second thread of the sorter (the wall time) */
    sqlite3_exec(tx->q->writer->db, "PRAGMA threads = 1", NULL, NULL, NULL);
    int rc = counts_fill(tx);
    sqlite3_exec(tx->q->writer->db, "PRAGMA threads = 0", NULL, NULL, NULL);
    if (rc != 0)
        return rc;
    tx->counts_deferred = false;
    return 0;
}
