/* pg_bulk.c -- bulk loading of an empty registry on PostgreSQL
 * (pk_tx_bulk_begin and the rest, store.h): the load holds the
 * participant table alone, drops its indexes and the region constraint,
 * and builds them once at the end; the counters' triggers are disabled
 * and the counters filled once at the end; rows whose NIK repeats are found and
 * folded afterwards.  And of journey events into a store without any
 * (pk_tx_events_bulk_begin, at the end of the file).
 *
 * Its DDL is not in the statement table (pg_stmts.h): it changes the
 * schema the table's statements are prepared against, and runs once per
 * load. */
#include <libpq-fe.h>
#include <stdbool.h>
#include <string.h>

#include "core/pk.h"
#include "store/pg_int.h"

/* A bulk load holds the participant table alone (ACCESS EXCLUSIVE, to the
 * end of the transaction: readers wait too) and rebuilds what it drops,
 * under the same names as migrations 2 and 5 gave them. */
int pg_bulk_begin(pk_tx *t, bool *on)
{
    pg_tx *tx = (pg_tx *)t;
    PGresult *r = NULL;
    int rc = pg_run(tx->c, S_BULK_ANY, NULL, &r);
    if (rc != 0)
        return rc;
    bool any = PQgetlength(r, 0, 0) == 1 && PQgetvalue(r, 0, 0)[0] != 0;
    PQclear(r);
    if (any)
        return 0;
    rc = pg_exec(tx->c,
                 "LOCK TABLE participant IN ACCESS EXCLUSIVE MODE;"
                 "DROP INDEX participant_nik; DROP INDEX participant_kk;"
                 " DROP INDEX participant_region; DROP INDEX participant_nama_trgm;"
                 " DROP INDEX participant_nama_prefix;"
                 "ALTER TABLE participant DROP CONSTRAINT participant_kode_wilayah_fkey,"
                 " DISABLE TRIGGER participant_count_insert,"
                 " DISABLE TRIGGER participant_count_update,"
                 " DISABLE TRIGGER participant_count_delete,"
                 " DISABLE TRIGGER journey_count_participant;"
                 "CREATE TEMP TABLE bulk_kk (kk_bi bytea PRIMARY KEY) ON COMMIT DROP",
                 PGRES_COMMAND_OK, "bulk load");
    if (rc == 0)
        tx->bulk = *on = true;
    return rc;
}

int pg_bulk_mark(pk_tx *t, size_t n, const pk_bi *kk_bi)
{
    params p = {0};
    int rc = pg_bi_param((pg_tx *)t, &p, 0, n, kk_bi, false);
    return rc != 0 ? rc : pg_run(pg_txc(t), S_BULK_MARK, &p, NULL);
}

/* Under a savepoint: a NIK that repeats fails the unique index, which
 * would end the transaction otherwise. */
int pg_bulk_end(pk_tx *t)
{
    pg_tx *tx = (pg_tx *)t;
    if (!tx->bulk)
        return 0;
    pgc *c = tx->c;
    int rc = pg_exec(c, "SAVEPOINT bulk_end", PGRES_COMMAND_OK, "bulk load: savepoint");
    if (rc != 0)
        return rc;
    rc = pg_exec(c,
                 "DROP INDEX IF EXISTS participant_nik_repeats;"
                 /* statistics of the marked families, for paging through them
                  * in bulk_families (temporary tables get none otherwise) */
                 "ANALYZE bulk_kk;"
                 /* the server's memory, for the sorts of this transaction only */
                 "SET LOCAL maintenance_work_mem = '256MB';"
                 "CREATE UNIQUE INDEX participant_nik ON participant (nik_bi);"
                 "CREATE INDEX participant_kk ON participant (kk_bi, id);"
                 "CREATE INDEX participant_region ON participant (kode_wilayah);"
                 "CREATE INDEX participant_nama_trgm ON participant"
                 " USING gin (lower(nama) gin_trgm_ops);"
                 "CREATE INDEX participant_nama_prefix ON participant"
                 " (lower(nama) text_pattern_ops, kode_wilayah);"
                 "ALTER TABLE participant ADD CONSTRAINT participant_kode_wilayah_fkey"
                 " FOREIGN KEY (kode_wilayah) REFERENCES region (code);"
                 /* the counters once, from the rows (no trigger ran during the load) */
                 PG_PARTICIPANT_COUNT_FILL
                 "ALTER TABLE participant ENABLE TRIGGER participant_count_insert,"
                 " ENABLE TRIGGER participant_count_update,"
                 " ENABLE TRIGGER participant_count_delete,"
                 /* an empty registry has no journeys: none of theirs moved */
                 " ENABLE TRIGGER journey_count_participant;"
                 /* statistics for the planner: the table was empty a moment ago */
                 "ANALYZE participant",
                 PGRES_COMMAND_OK, "bulk load: indexes");
    if (rc == 0)
        rc = pg_exec(c, "RELEASE SAVEPOINT bulk_end", PGRES_COMMAND_OK, "bulk load: savepoint");
    else if (rc == PK_ECONFLICT &&
             pg_exec(c, "ROLLBACK TO SAVEPOINT bulk_end", PGRES_COMMAND_OK,
                     "bulk load: savepoint"))
        rc = PK_EIO;
    if (rc == 0)
        tx->bulk = tx->repeats_index = false;
    return rc;
}

int pg_bulk_families(pk_tx *t, int small, const uint8_t *after, size_t limit,
                     pk_bi *out, size_t *n)
{
    pk_bi last;
    if (after != NULL)
        memcpy(last, after, PK_BI_LEN);
    for (bool first = after == NULL, more = true; more && *n < limit; first = false) {
        params p = {0};
        PGresult *r = NULL;
        p_bytes(&p, first ? (const uint8_t *)"" : last, first ? 0 : PK_BI_LEN);
        p_int(&p, small);
        p_int(&p, (int64_t)limit);
        int rc = pg_run(pg_txc(t), S_BULK_FAMILIES, &p, &r);
        if (rc != 0)
            return rc;
        int m = PQntuples(r);
        more = (size_t)m == limit;
        for (int i = 0; i < m && *n < limit; i++) {
            if (PQgetlength(r, i, 0) != PK_BI_LEN) {
                PQclear(r);
                return PK_EIO;
            }
            memcpy(last, PQgetvalue(r, i, 0), PK_BI_LEN);
            if (PQgetlength(r, i, 1) == 1 && PQgetvalue(r, i, 1)[0] != 0)
                memcpy(out[(*n)++], last, PK_BI_LEN);
        }
        PQclear(r);
    }
    return 0;
}

int pg_bulk_repeats(pk_tx *t, const uint8_t *after_nik, int64_t after_id, size_t limit,
                    pk_repeat *out, size_t *n)
{
    pg_tx *tx = (pg_tx *)t;
    /* the statistics too: bulk_end gave up before its ANALYZE, and the
     * planner would not page through the index without them */
    int rc = tx->repeats_index
                 ? 0
                 : pg_exec(tx->c,
                           "CREATE INDEX participant_nik_repeats ON participant (nik_bi);"
                           "ANALYZE participant",
                           PGRES_COMMAND_OK, "bulk load: repeats");
    tx->repeats_index = rc == 0;
    params p = {0};
    PGresult *r = NULL;
    p_bytes(&p, after_nik ? after_nik : (const uint8_t *)"", after_nik ? PK_BI_LEN : 0);
    p_int(&p, after_id);
    p_int(&p, (int64_t)limit);
    if (rc != 0 || (rc = pg_run(pg_txc(t), S_BULK_REPEATS, &p, &r)) != 0)
        return rc;
    for (int i = 0, m = PQntuples(r); rc == 0 && i < m && (size_t)i < limit; i++) {
        if (PQgetlength(r, i, 0) != PK_BI_LEN || PQgetlength(r, i, 2) != PK_BI_LEN ||
            PQgetlength(r, i, 3) != PK_DIGEST_LEN) {
            rc = PK_EIO;
            break;
        }
        pk_repeat *x = &out[(*n)++];
        memcpy(x->nik_bi, PQgetvalue(r, i, 0), PK_BI_LEN);
        x->id = get_i64(r, i, 1);
        memcpy(x->kk_bi, PQgetvalue(r, i, 2), PK_BI_LEN);
        memcpy(x->digest, PQgetvalue(r, i, 3), PK_DIGEST_LEN);
    }
    PQclear(r);
    return rc;
}

int pg_bulk_fold(pk_tx *t, int64_t keep, int64_t from, bool copy)
{
    params p = {0};
    if (copy)
        p_int(&p, keep);
    p_int(&p, from);
    return pg_run(pg_txc(t), copy ? S_BULK_FOLD : S_BULK_DROP, &p, NULL);
}


/* ---- journey events into a store that holds none (pk_tx_events_bulk_begin) */

/* The events' unique index by (source, ref), its partial index by wave
 * and its foreign key to the participants, as migrations 8 and 25 made
 * them: an events bulk load drops them and builds them at the end, each
 * once over every row (a row at a time, each insert checked a
 * participant and descended two more indexes); the index by participant
 * stays (the load reads a person's stored events through it, and the
 * rows come in its order). */
#define PG_EVENT_BULK_DROP                                                              \
    "DROP INDEX pk_event_ref; DROP INDEX pk_event_wave;"                                 \
    "ALTER TABLE pk_event DROP CONSTRAINT pk_event_participant_id_fkey;"
/* The journeys' counters (journey_count and its city cells,
 * remind_effect_count) are kept by statement triggers on pk_journey: the
 * load turns them off and recounts the counters once at the end, as
 * `stats rebuild` does (pk_journey held no row: a journey is a person's
 * events, and there were none).  Summing each batch's changes into the
 * transaction's own tables instead (pg_journey_counts_defer, the draw's
 * way) took 1.6 of 10.7 s at 1M events; the lock ALTER TABLE takes keeps
 * other writers of journeys waiting, who wait for pk_event anyway (every
 * writer of a journey writes its events), and lets readers read.  The
 * recount holds the participants (SHARE, as `stats rebuild` does) from
 * there to the commit: a registration waits those last seconds. */
#define PG_JOURNEY_TRIGGERS(verb)                                                       \
    "ALTER TABLE pk_journey " verb " TRIGGER journey_count_insert,"                      \
    " " verb " TRIGGER journey_count_delete, " verb " TRIGGER journey_count_update,"     \
    " " verb " TRIGGER remind_effect_journey_insert,"                                    \
    " " verb " TRIGGER remind_effect_journey_delete,"                                    \
    " " verb " TRIGGER remind_effect_journey_update;"
#define PG_EVENT_BULK_BUILD                                                             \
    "CREATE UNIQUE INDEX pk_event_ref ON pk_event(source, ref);"                         \
    "CREATE INDEX pk_event_wave ON pk_event(wave, type) WHERE wave > 0;"                 \
    "ALTER TABLE pk_event ADD CONSTRAINT pk_event_participant_id_fkey"                   \
    " FOREIGN KEY (participant_id) REFERENCES participant(id);"

static int events_any(pgc *c, bool *any)
{
    PGresult *r = NULL;
    int rc = pg_run(c, S_EVENTS_ANY, NULL, &r);
    if (rc == 0) {
        *any = PQgetlength(r, 0, 0) == 1 && PQgetvalue(r, 0, 0)[0] != 0;
        PQclear(r);
    }
    return rc;
}

/* The load holds the events alone (ACCESS EXCLUSIVE to the end of the
 * transaction: a reader of events waits, as for the registry's bulk
 * load; there is none to read yet). */
int pg_events_bulk_begin(pk_tx *t, bool *on)
{
    pg_tx *tx = (pg_tx *)t;
    bool any = true;
    int rc = events_any(tx->c, &any);
    if (rc != 0 || any)
        return rc;
    if ((rc = pg_exec(tx->c, "LOCK TABLE pk_event IN ACCESS EXCLUSIVE MODE", PGRES_COMMAND_OK,
                      "events bulk load")) != 0 ||
        (rc = events_any(tx->c, &any)) != 0 || any) /* another writer came first */
        return rc;
    rc = pg_exec(tx->c, PG_EVENT_BULK_DROP PG_JOURNEY_TRIGGERS("DISABLE"), PGRES_COMMAND_OK,
                 "events bulk load");
    if (rc == 0)
        tx->events_bulk = *on = true;
    return rc;
}

/* A (source, ref) that repeats after all fails the unique index:
 * PK_ECONFLICT, and the transaction is to be rolled back. */
int pg_events_bulk_end(pk_tx *t)
{
    pg_tx *tx = (pg_tx *)t;
    if (!tx->events_bulk)
        return 0;
    int rc = pg_exec(tx->c,
                     /* the server's memory, for the sorts of this transaction only */
                     "SET LOCAL maintenance_work_mem = '256MB';" PG_EVENT_BULK_BUILD
                     /* statistics for the planner: the table was empty a moment ago */
                     "ANALYZE pk_event; ANALYZE pk_journey",
                     PGRES_COMMAND_OK, "events bulk load: indexes");
    /* the counters once, recounted from the journeys (no trigger ran) */
    int64_t cells = 0;
    if (rc == 0)
        rc = pg_journey_counts_rebuild(t, &cells);
    if (rc == 0)
        rc = pg_remind_effect_rebuild(t, &cells);
    if (rc == 0)
        rc = pg_exec(tx->c, PG_JOURNEY_TRIGGERS("ENABLE"), PGRES_COMMAND_OK,
                     "events bulk load: counters");
    if (rc == 0)
        tx->events_bulk = false;
    return rc;
}
