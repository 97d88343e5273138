/* sqlite_int.h -- what the files of the SQLite backend share (not for
 * callers: they use store.h).  See sqlite.c for the files and what each
 * holds. */
#ifndef PK_SQLITE_INT_H
#define PK_SQLITE_INT_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>

#include "store/store_impl.h"

#define SQ_POOL_MAX 64
#define SQ_BUSY_MS 10000 /* how long a connection waits for a lock */

/* The names of the statements of sqlite_stmts.h: S_PING, ... */
enum {
#define X(name, types, sql) name,
#include "store/sqlite_stmts.h"
#undef X
    S__COUNT
};

/* A connection and its statements, each prepared on first use. */
typedef struct sq sq;
typedef struct sqc {
    sqlite3 *db;
    sq *q;              /* the store it belongs to (its log) */
    sqlite3_stmt *st[S__COUNT];
} sqc;

struct sq {
    pk_backend base;    /* first: the log (store_impl.h) */
    char *path;
    pthread_mutex_t mu;
    sqc *idle[SQ_POOL_MAX]; /* readers */
    int nidle;
    /* The single writer: a dedicated connection, held for a whole
     * transaction under wmu. */
    pthread_mutex_t wmu;
    sqc *writer;
};

typedef struct sq_tx {
    pk_tx base;
    sq *q;
    bool bulk;          /* see pk_tx_bulk_begin */
    bool small_cache;   /* since bulk_begin, until the transaction ends */
    bool rollback_journal; /* the same: the bulk load runs without the WAL */
    bool no_fk;         /* the same: nor checks the region of each row (bulk_setup) */
    bool repeats_index; /* sq_bulk_repeats built its index */
    bool lazy;          /* pk_store_begin_lazy: synchronous=NORMAL until it ends */
    bool events_bulk;   /* see pk_tx_events_bulk_begin: pk_event_ref dropped */
    bool counts_deferred; /* see pk_tx_journey_counts_defer: the triggers dropped */
    /* A bulk load: the counters' cells summed as its rows are inserted,
     * written at its end (sqlite_bulk.c); NULL when none are kept, or
     * once a write they do not follow has happened. */
    struct sq_cells *cells;
} sq_tx;

/* ---- sqlite.c: connections, statements, transactions ---- */

void sq_log(sq *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sq_conn_close(sqc *c);
/* A pooled connection for reads (opened when none is idle), and back;
 * closing one finalizes its statements. */
int sq_conn_get(sq *q, sqc **out);
void sq_conn_put(sq *q, sqc *c);
/* Statement `which` of c (sqlite_stmts.h), reset and unbound, ready for
 * this use; NULL (and logged) when it cannot be prepared.  The caller resets it once
 * done, so that a reader holds no snapshot. */
sqlite3_stmt *sq_stmt(sqc *c, int which);
/* sq_stmt reset but not unbound: for a hot statement whose every
 * parameter the caller binds each time (the events' rows of a bulk load:
 * 448 parameters cleared for nothing). */
sqlite3_stmt *sq_stmt_all_bound(sqc *c, int which);
/* Statement `which` prepared anew, for the caller to finalize: for a
 * statement still stepping while its callback runs others. */
sqlite3_stmt *sq_stmt_fresh(sqc *c, int which);
/* A failed SQLite result code as PK_E*: PK_ECONFLICT (a UNIQUE or
 * PRIMARY KEY constraint), PK_ENOSPC (SQLITE_FULL: the disk is full), or
 * PK_EIO. */
int sq_error(int rc);
/* Steps st to its end and resets it: 0 or sq_error's codes. */
int sq_step_done(sqlite3_stmt *st);
/* A read of statement `which` on a pooled connection, for the caller to
 * bind and step; sq_read_end resets it and gives the connection back. */
int sq_read_begin(sq *q, int which, sqc **c, sqlite3_stmt **st);
/* Column i's text into out, cut to cap - 1 bytes ("" for NULL). */
void sq_copy_col(sqlite3_stmt *st, int i, char *out, size_t cap);
void sq_read_end(sq *q, sqc *c, sqlite3_stmt *st);
/* A transaction's connection (the writer). */
sqc *sq_txc(pk_tx *t);

/* Transactions of the writer (store.h), for ops that write alone. */
int sq_begin(pk_store *s, pk_tx **out);
int sq_begin_lazy(pk_store *s, pk_tx **out);
int sq_commit(pk_tx *t);
void sq_rollback(pk_tx *t);

/* ---- sqlite_migrations.c, sqlite_schema.c ---- */

/* Every migration in version order (append only). */
const pk_migration *sq_migrations(size_t *n);
/* sqlite3_exec with its message in err: 0 or PK_EIO. */
int sq_exec(sqlite3 *db, const char *sql, char *err, size_t errlen);

/* The participant table's indexes since migration 7 (a bulk load drops
 * them and builds them again: sqlite_bulk.c). */
/* The names by their beginning, lower-cased (migration 29; a bulk load
 * drops it and builds it again: sqlite_bulk.c). */
#define SQ_NAME_PREFIX_INDEX                                                 \
    "CREATE INDEX participant_nama_lower ON participant(lower(nama), kode_wilayah);"

#define SQ_PARTICIPANT_INDEXES                                               \
    "CREATE UNIQUE INDEX participant_nik ON participant(nik_hi, nik_lo);"    \
    "CREATE INDEX participant_kk ON participant(kk_hi, kk_lo);"              \
    "CREATE INDEX participant_region ON participant(kode_wilayah);"

/* The events' unique index by (source, ref) of migration 9 and their
 * index of wave events by (wave, type) of migration 25 (a bulk load of
 * events drops both and builds them again: sqlite_bulk.c). */
/* The events' unique index by (source, ref), the ref first (migration
 * 32): a bulk load builds it at its end, and a sort whose keys differ in
 * their first column compares less (bench/README.md, event import run 5). */
#define SQ_EVENT_REF_INDEX "CREATE UNIQUE INDEX pk_event_ref ON pk_event(ref, source);"
#define SQ_EVENT_WAVE_INDEX "CREATE INDEX pk_event_wave ON pk_event(wave, type) WHERE wave > 0;"
/* The journeys' partial indexes of what the daily job acts on, migration
 * 14 (a bulk load of events drops them and builds them again). */
#define SQ_JOURNEY_DUE_INDEXES                                                           \
    "CREATE INDEX pk_journey_unbought ON pk_journey(wave, selected_at, participant_id)"  \
    " WHERE status = 'penerima' AND first_purchase_at = 0;"                              \
    "CREATE INDEX pk_journey_balance ON pk_journey(wave, selected_at, participant_id)"   \
    " WHERE balance > 0;"

/* The counters of the participants (migration 15, sqlite_counts.c):
 * a cell per (village, segment, sex, reasons), kept by these triggers in
 * the transaction of every write of a participant row, whichever
 * statement makes it; an update that changes none of the four columns
 * (key rotation's new seal, a new phone number) touches no counter.  A
 * bulk load drops the triggers and fills the counters once at its end
 * (sqlite_bulk.c); cells that fall to 0 stay, as 0. */
#define SQ_COUNT_CELL(t) t ".kode_wilayah, " t ".segmen, " t ".jenis_kelamin, " t ".reasons"
#define SQ_COUNT_WHERE(t)                                                                \
    " WHERE kode_wilayah = " t ".kode_wilayah AND segmen = " t ".segmen"                \
    " AND jenis_kelamin = " t ".jenis_kelamin AND reasons = " t ".reasons;"
/* (Migration 15's, the village cells only.) */
#define SQ_PARTICIPANT_COUNT_TRIGGERS_V15                                                  \
    "CREATE TRIGGER participant_count_insert AFTER INSERT ON participant BEGIN"         \
    " INSERT INTO participant_count VALUES (" SQ_COUNT_CELL("NEW") ", 1)"               \
    " ON CONFLICT DO UPDATE SET n = n + 1; END;"                                         \
    "CREATE TRIGGER participant_count_delete AFTER DELETE ON participant BEGIN"         \
    " UPDATE participant_count SET n = n - 1" SQ_COUNT_WHERE("OLD") " END;"             \
    "CREATE TRIGGER participant_count_update AFTER UPDATE OF kode_wilayah, segmen,"     \
    " jenis_kelamin, reasons ON participant WHEN OLD.kode_wilayah IS NOT"               \
    " NEW.kode_wilayah OR OLD.segmen IS NOT NEW.segmen OR OLD.jenis_kelamin IS NOT"     \
    " NEW.jenis_kelamin OR OLD.reasons IS NOT NEW.reasons BEGIN"                        \
    " UPDATE participant_count SET n = n - 1" SQ_COUNT_WHERE("OLD")                     \
    " INSERT INTO participant_count VALUES (" SQ_COUNT_CELL("NEW") ", 1)"               \
    " ON CONFLICT DO UPDATE SET n = n + 1; END;"
/* Since migration 21 the triggers keep a second table too, the same cells
 * summed per city (participant_count_city: the first 5 characters of the
 * village code, "31.74"), which the province's and the whole country's
 * figures read: a few hundred cells instead of every village's. */
#define SQ_CITY_CELL(t) "substr(" t ".kode_wilayah, 1, 5), " t ".segmen, " t ".jenis_kelamin, " t ".reasons"
#define SQ_CITY_WHERE(t)                                                                 \
    " WHERE kode_kota = substr(" t ".kode_wilayah, 1, 5) AND segmen = " t ".segmen"      \
    " AND jenis_kelamin = " t ".jenis_kelamin AND reasons = " t ".reasons;"
#define SQ_PARTICIPANT_COUNT_TRIGGERS                                                   \
    "CREATE TRIGGER participant_count_insert AFTER INSERT ON participant BEGIN"         \
    " INSERT INTO participant_count VALUES (" SQ_COUNT_CELL("NEW") ", 1)"               \
    " ON CONFLICT DO UPDATE SET n = n + 1;"                                              \
    " INSERT INTO participant_count_city VALUES (" SQ_CITY_CELL("NEW") ", 1)"           \
    " ON CONFLICT DO UPDATE SET n = n + 1; END;"                                         \
    "CREATE TRIGGER participant_count_delete AFTER DELETE ON participant BEGIN"         \
    " UPDATE participant_count SET n = n - 1" SQ_COUNT_WHERE("OLD")                     \
    " UPDATE participant_count_city SET n = n - 1" SQ_CITY_WHERE("OLD") " END;"         \
    "CREATE TRIGGER participant_count_update AFTER UPDATE OF kode_wilayah, segmen,"     \
    " jenis_kelamin, reasons ON participant WHEN OLD.kode_wilayah IS NOT"               \
    " NEW.kode_wilayah OR OLD.segmen IS NOT NEW.segmen OR OLD.jenis_kelamin IS NOT"     \
    " NEW.jenis_kelamin OR OLD.reasons IS NOT NEW.reasons BEGIN"                        \
    " UPDATE participant_count SET n = n - 1" SQ_COUNT_WHERE("OLD")                     \
    " INSERT INTO participant_count VALUES (" SQ_COUNT_CELL("NEW") ", 1)"               \
    " ON CONFLICT DO UPDATE SET n = n + 1;"                                              \
    " UPDATE participant_count_city SET n = n - 1" SQ_CITY_WHERE("OLD")                 \
    " INSERT INTO participant_count_city VALUES (" SQ_CITY_CELL("NEW") ", 1)"           \
    " ON CONFLICT DO UPDATE SET n = n + 1; END;"
#define SQ_PARTICIPANT_COUNT_DROP_TRIGGERS                                              \
    "DROP TRIGGER participant_count_insert; DROP TRIGGER participant_count_delete;"     \
    "DROP TRIGGER participant_count_update;"
/* Every counter from a recount (the migration, a bulk load, rebuild):
 * one pass over the rows adding 1 to each one's cell, not a GROUP BY,
 * which sorts every row through temporary files first (at 950,000 rows
 * 4.1 s of CPU against 1.7 s, and far more waiting for the disk). */
#define SQ_PARTICIPANT_COUNT_RECOUNT                                                    \
    "INSERT INTO participant_count SELECT kode_wilayah, segmen, jenis_kelamin, reasons," \
    " 1 FROM participant WHERE true ON CONFLICT DO UPDATE SET n = n + 1"
/* The city cells from the village cells (a few thousand rows). */
#define SQ_PARTICIPANT_COUNT_CITY_FILL                                                  \
    "INSERT INTO participant_count_city SELECT substr(kode_wilayah, 1, 5), segmen,"     \
    " jenis_kelamin, reasons, sum(n) FROM participant_count GROUP BY 1, 2, 3, 4"
#define SQ_PARTICIPANT_COUNT_FILL_V15                                                   \
    "DELETE FROM participant_count;" SQ_PARTICIPANT_COUNT_RECOUNT ";"
#define SQ_PARTICIPANT_COUNT_FILL                                                       \
    "DELETE FROM participant_count;" SQ_PARTICIPANT_COUNT_RECOUNT ";"                   \
    "DELETE FROM participant_count_city;" SQ_PARTICIPANT_COUNT_CITY_FILL ";"

/* The name index (migration 16): an FTS5 trigram index of the names, its
 * content read from participant; since migration 30 without the size of
 * each name in tokens (columnsize=0: a row per participant that only
 * bm25() reads, which no search uses). */
#define SQ_NAME_INDEX_OPTIONS "columnsize=0, tokenize='trigram case_sensitive 0'"
#define SQ_NAME_INDEX_CREATE                                                 \
    "CREATE VIRTUAL TABLE participant_name USING fts5(nama, content='participant'," \
    " content_rowid='id', " SQ_NAME_INDEX_OPTIONS ");"
/* The triggers that keep the name index (participant_name, migration 16)
 * in step with participant.nama; a bulk load drops them and rebuilds the
 * index at its end (sqlite_bulk.c). */
#define SQ_NAME_INDEX_TRIGGERS                                               \
    "CREATE TRIGGER participant_name_ai AFTER INSERT ON participant BEGIN"   \
    " INSERT INTO participant_name(rowid, nama) VALUES (new.id, new.nama);"  \
    " END;"                                                                  \
    "CREATE TRIGGER participant_name_ad AFTER DELETE ON participant BEGIN"   \
    " INSERT INTO participant_name(participant_name, rowid, nama)"           \
    " VALUES ('delete', old.id, old.nama); END;"                             \
    "CREATE TRIGGER participant_name_au AFTER UPDATE OF id, nama ON participant" \
    " BEGIN INSERT INTO participant_name(participant_name, rowid, nama)"     \
    " VALUES ('delete', old.id, old.nama);"                                  \
    " INSERT INTO participant_name(rowid, nama) VALUES (new.id, new.nama);"  \
    " END;"
#define SQ_NAME_INDEX_DROP                                                   \
    "DROP TRIGGER participant_name_ai; DROP TRIGGER participant_name_ad;"    \
    " DROP TRIGGER participant_name_au;"

/* A 16-byte blind index as parameters i and i + 1 (two INTEGER halves),
 * and read back from columns i and i + 1. */
void sq_bind_bi(sqlite3_stmt *st, int i, const uint8_t *bi);
void sq_column_bi(sqlite3_stmt *st, int i, uint8_t *out);

int sq_version(pk_store *s, int *current, int *latest);
int sq_migrate(pk_store *s, const char *datadir, int *from, int *to, char *err, size_t errlen);
int sq_regions_each(pk_store *s, pk_region_cb cb, void *ctx);
int sq_meta_get(pk_store *s, const char *name, uint8_t *buf, size_t cap, size_t *len);
int sq_meta_put_once(pk_store *s, const char *name, const uint8_t *value, size_t len);
int sq_tx_meta_get(pk_tx *t, const char *name, uint8_t *buf, size_t cap, size_t *len);
int sq_tx_meta_put_max(pk_tx *t, const char *name, const uint8_t *value, size_t len);

/* ---- sqlite_participants.c ---- */

/* The lists (PK_LIST_* bits) a NIK index is on. */
int sq_lists_of(sqc *c, const uint8_t *nik_bi, unsigned *lists);
/* The one number a statement without parameters answers. */
int sq_count_of(sqc *c, int which, int64_t *n);
/* Binds parameters a and b to the region subtree of a dotted code; hi
 * holds the upper bound while st runs. */
void sq_bind_region(sqlite3_stmt *st, int a, int b, const char *region, char *hi,
                    size_t hilen);
/* Fills row from a statement over SQ_PCOLS (its first SQ_NPCOLS columns);
 * strings point into st. */
#define SQ_NPCOLS 22
void sq_read_row(sqlite3_stmt *st, pk_prow *r);

int sq_participants_find(pk_tx *t, size_t n, const pk_bi *nik_bi, pk_pknown *out);
int sq_participant_ids(pk_tx *t, size_t n, const pk_bi *nik_bi, int64_t *ids);
int sq_participants_write(pk_tx *t, size_t n, pk_prow *rows);
int sq_kk_members(pk_tx *t, size_t n, const pk_bi *kk_bi, pk_member_cb cb, void *ctx);
int sq_set_reasons(pk_tx *t, size_t n, const int64_t *ids, const uint64_t *reasons);
int sq_audit(pk_tx *t, size_t n, const pk_audit_entry *e);
int sq_list_clear(pk_tx *t, const char *list);
int sq_list_add(pk_tx *t, const char *list, const uint8_t *nik_bi, const uint8_t *note,
                size_t note_len);
int sq_list_changes(pk_tx *t, const char *list, pk_bi_cb cb, void *ctx);
int sq_list_count(pk_tx *t, const char *list, int64_t *count);
int sq_reevaluate(pk_tx *t, const uint8_t *nik_bi, pk_reeval_fn fn, void *ctx,
                  uint8_t *kk_bi, int *changed);
int sq_participants_each(pk_store *s, const char *region, pk_prow_cb cb, void *ctx);
int sq_participant_status(pk_store *s, const uint8_t *nik_bi, pk_pstatus *out);

/* ---- sqlite_counts.c ---- */
int sq_stats(pk_store *s, const char *region, pk_stats *out);
int sq_stats_children(pk_store *s, const char *region, size_t child_len, pk_child_count_cb cb,
                      void *ctx);
int sq_counts_verify(pk_store *s, pk_count_cell_cb cb, void *ctx, int64_t *cells,
                     int64_t *people);
int sq_counts_rebuild(pk_tx *t, int64_t *cells);
int sq_journey_counts(pk_store *s, const char *region, size_t child_len, const char *kind,
                      pk_journey_cell_cb cb, void *ctx);
int sq_journey_counts_verify(pk_store *s, pk_journey_cell_cb cb, void *ctx, int64_t *cells);
int sq_journey_counts_rebuild(pk_tx *t, int64_t *cells);

/* ---- sqlite_bulk.c ---- */

int sq_bulk_begin(pk_tx *t, bool *on);
int sq_events_bulk_begin(pk_tx *t, bool *on);
int sq_events_bulk_end(pk_tx *t);
int sq_large_writes(pk_tx *t, bool *on);
/* journey_count and its city cells replaced by a count of the journeys
 * (sqlite_counts.c: the facts of sql_funnel.h summed in C), on c: the
 * rebuild's, and the fill after an events bulk load or a deferred draw. */
int sq_journey_counts_fill(sqc *c);
int sq_journey_counts_defer(pk_tx *t, int64_t n, bool *on);
int sq_journey_counts_end(pk_tx *t);
int sq_bulk_mark(pk_tx *t, size_t n, const pk_bi *kk_bi);
int sq_bulk_end(pk_tx *t);
/* A bulk load's row r inserted: added to its counter's cell.  Any other
 * write of a participant during the load calls sq_bulk_uncount, and the
 * counters are then filled from the rows at its end. */
void sq_bulk_count(sq_tx *tx, const pk_prow *r);
void sq_bulk_uncount(sq_tx *tx);
int sq_bulk_families(pk_tx *t, int small, const uint8_t *after, size_t limit, pk_bi *out,
                     size_t *n);
int sq_bulk_repeats(pk_tx *t, const uint8_t *after_nik, int64_t after_id, size_t limit,
                    pk_repeat *out, size_t *n);
int sq_bulk_fold(pk_tx *t, int64_t keep, int64_t from, bool copy);

/* ---- sqlite_accounts.c ---- */

int sq_user_insert(pk_store *s, const pk_user *u, const pk_audit_entry *audit, int64_t *id);
int sq_user_find(pk_store *s, const char *username, pk_user *out);
int sq_user_update(pk_store *s, const pk_user *u, const pk_audit_entry *audit);
int sq_users_each(pk_store *s, pk_user_cb cb, void *ctx);
int sq_session_insert(pk_store *s, const uint8_t *id, int64_t user_id, int64_t now);
int sq_session_get(pk_store *s, const uint8_t *id, int64_t *created, int64_t *seen,
                   pk_user *user);
int sq_session_touch(pk_store *s, const uint8_t *id, int64_t now);
int sq_session_delete(pk_store *s, const uint8_t *id);
int sq_sessions_expire(pk_store *s, int64_t idle_before, int64_t created_before);
int sq_token_insert(pk_store *s, const uint8_t *hash, int64_t user_id, const char *label,
                    const pk_audit_entry *audit, int64_t *id);
int sq_token_find(pk_store *s, const uint8_t *hash, int64_t *id, pk_user *user);
int sq_token_revoke(pk_store *s, int64_t id, const pk_audit_entry *audit);
int sq_tokens_each(pk_store *s, int64_t user_id, pk_token_cb cb, void *ctx);
int sq_login_failure_add(pk_store *s, const uint8_t *key, int64_t now, int64_t forget_before);
int sq_login_failures(pk_store *s, const uint8_t *key, int64_t since, int64_t *count,
                      int64_t *oldest, int64_t *newest);
int sq_login_failures_clear(pk_store *s, const uint8_t *key);

/* ---- sqlite_access.c ---- */

/* after is always given (store.c): (tier, id) > *after */
int sq_participants_search(pk_store *s, const char *scope, const char *name,
                           const uint8_t *nik_bi, const pk_search_key *after,
                           int limit, pk_prow_cb cb, void *ctx);
int sq_participant_get(pk_store *s, const char *scope, int64_t id, pk_prow_cb cb, void *ctx);
int sq_access_log_add(pk_tx *t, const pk_access_entry *e);
int sq_logs_find(pk_store *s, const pk_log_filter *f, pk_log_cb cb, void *ctx);
int sq_sealed_older(pk_tx *t, int what, int gen, const pk_sealed *after, int limit,
                    pk_sealed_cb cb, void *ctx);
int sq_sealed_replace(pk_tx *t, int what, const pk_sealed *old, const uint8_t *box, size_t len,
                      int *replaced);
int sq_sealed_generations(pk_store *s, int64_t *counts);

/* ---- sq_journey.c ---- */

int sq_events_of(pk_tx *t, int64_t participant_id, pk_event_cb cb, void *ctx);
int sq_events_of_many(pk_tx *t, size_t n, const int64_t *participant_ids, pk_event_cb cb,
                     void *ctx);
int sq_events_known(pk_tx *t, size_t n, const pk_event *const *ev, bool *known);
int sq_event_find(pk_tx *t, pk_event_source source, const char *ref, int64_t *participant_id);
int sq_events_insert(pk_tx *t, size_t n, pk_event *ev);
int sq_journey_put(pk_tx *t, const pk_journey *j);
int sq_journey_state(pk_tx *t, int64_t participant_id, pk_journey *out);
int sq_journeys_put(pk_tx *t, size_t n, const pk_journey *js, bool fresh);
int sq_journey_tail(pk_tx *t, int64_t participant_id, int64_t at, int64_t seq, pk_journey *out,
                    bool *last);
int sq_journey_ids(pk_tx *t, int64_t after, size_t limit, int64_t *ids, size_t *n);
int sq_journey_get(pk_store *s, int64_t participant_id, pk_journey *out);
int sq_events_each(pk_store *s, int64_t participant_id, pk_event_cb cb, void *ctx);
int sq_journey_due_wave(pk_tx *t, pk_due_kind kind, int64_t after, int64_t *wave);
int sq_journey_due(pk_tx *t, pk_due_kind kind, int64_t wave, int64_t before, int64_t after_at,
                   int64_t after_id, size_t limit, pk_due_row *rows, size_t *n);
/* ---- sqlite_waves.c ---- */

int sq_wave_insert(pk_tx *t, const pk_wave *w);
int sq_wave_get(pk_tx *t, int64_t number, pk_wave *out);
int sq_wave_peek(pk_tx *t, int64_t number, pk_wave *out);
int sq_wave_set_state(pk_tx *t, int64_t number, const char *state);
int sq_waves_each(pk_store *s, pk_wave_cb cb, void *ctx);
int sq_wave_applicants(pk_tx *t, int64_t wave, pk_applicant_cb cb, void *ctx);
int sq_wave_applicants_count(pk_store *s, int64_t wave, int64_t *n);
int sq_wave_last_join(pk_tx *t, int64_t wave, int64_t *at, int64_t *seq);
int sq_recipient_families(pk_tx *t, int64_t at, pk_bi_cb cb, void *ctx);
int sq_draw_insert(pk_tx *t, const pk_draw_rec *d);
int sq_draw_get(pk_store *s, int64_t wave, pk_draw_rec *out);
int sq_draw_rows_insert(pk_tx *t, int64_t wave, size_t n, const pk_draw_row *rows);
int sq_draw_rows_each(pk_store *s, int64_t wave, pk_draw_row_cb cb, void *ctx);
int sq_card_serial_max(pk_tx *t, int64_t *serial);
int sq_card_insert(pk_tx *t, int64_t participant_id, int64_t wave, int64_t serial,
                   const char *number, int64_t issued_at);
int sq_card_get(pk_store *s, int64_t participant_id, char *number, int64_t *wave,
                int64_t *replaced_at);

/* ---- sqlite_platform.c ---- */

int sq_platform_insert(pk_store *s, const pk_platform *p, const pk_audit_entry *audit,
                       int64_t *id);
int sq_platform_update(pk_store *s, const char *code, const uint8_t *secret, size_t len,
                       int disabled, const pk_audit_entry *audit);
int sq_platform_find(pk_store *s, const char *code, pk_platform *out);
int sq_platforms_each(pk_store *s, pk_platform_cb cb, void *ctx);
int sq_tx_platform_nonce(pk_tx *tx, int64_t platform, const char *nonce, int64_t now,
                         int64_t forget_before);
int sq_tx_idem_get(pk_tx *tx, int64_t platform, const char *key, uint8_t *digest, int *status,
                   pk_buf *body);
int sq_tx_idem_put(pk_tx *tx, int64_t platform, const char *key, const uint8_t *digest,
                   int status, const void *body, size_t len, int *kept);
int sq_idem_prune(pk_store *s, const char *before, int limit, int64_t *n);
int sq_tx_card_find(pk_tx *t, const char *number, int64_t *participant_id, bool *retired);
int sq_cards_page(pk_tx *t, int64_t after, size_t limit, pk_card_new *out, size_t *n);
int sq_card_reissue(pk_tx *t, const pk_card_new *c, int64_t at);
int sq_tx_course_find(pk_tx *t, const char *platform, const char *course_ref, pk_course *out);
int sq_course_put(pk_tx *t, const pk_course *c, int *outcome);
int sq_course_find(pk_store *s, const char *platform, const char *course_ref, pk_course *out);
int sq_courses_each(pk_store *s, int64_t after, int limit, pk_course_cb cb, void *ctx);

/* sqlite_remind.c: consent */
int sq_consent_set(pk_tx *t, int64_t participant_id, const char *purpose, bool stop,
                   const char *channel, const char *actor, bool *changed);
int sq_consent_get(pk_store *s, int64_t participant_id, const char *purpose, bool *stopped,
                   char *since);
int sq_remind_subjects(pk_store *s, const char *scope, bool everyone, int64_t after,
                       size_t limit, pk_remind_subject_cb cb, void *ctx, size_t *n);
int sq_remind_effect(pk_store *s, const char *scope, pk_remind_effect_cb cb, void *ctx);
int sq_remind_effect_verify(pk_store *s, pk_remind_effect_check_cb cb, void *ctx, int64_t *cells);
int sq_remind_effect_rebuild(pk_tx *t, int64_t *cells);
int sq_remind_marks(pk_store *s, int64_t lo, int64_t hi, const char *since_day,
                    pk_remind_mark_cb cb, void *ctx);
int sq_remind_marks_of(pk_store *s, const int64_t *ids, size_t n, const char *since_day,
                    pk_remind_mark_cb cb, void *ctx);
int sq_remind_subjects_by_region(pk_store *s, const char *scope, bool everyone,
                                const char *after_region, int64_t after, size_t limit,
                                pk_remind_subject_cb cb, void *ctx, size_t *n);
int sq_remind_fire_put(pk_tx *t, int64_t participant_id, const char *rule, int64_t anchor,
                       int64_t k, int64_t offset_days, const char *status, const char *day,
                       int64_t message_id);
int sq_outbox_add(pk_tx *t, pk_outbox_msg *m, bool *added);
int sq_outbox_due(pk_tx *t, int64_t now, size_t limit, pk_outbox_msg *rows, size_t *n);
int sq_outbox_set(pk_tx *t, const pk_outbox_msg *m);
int sq_outbox_of(pk_store *s, int64_t participant_id, size_t limit, pk_outbox_msg *rows,
                 size_t *n);
int sq_consent_changes(pk_store *s, int64_t participant_id, size_t limit,
                       pk_consent_change_row *rows, size_t *n);
int sq_outbox_find(pk_tx *t, const char *channel, const char *provider_id, pk_outbox_msg *out);
int sq_outbox_latest_to(pk_tx *t, const uint8_t *to, pk_outbox_msg *out);
int sq_outbox_receipt(pk_tx *t, int64_t id, int64_t delivered_at, int64_t read_at,
                      bool *changed);
int sq_inbound_once(pk_tx *t, const char *channel, const char *ref, bool *fresh);
int sq_contact_failed_put(pk_tx *t, int64_t participant_id, const char *channel,
                          const char *error);
int sq_lease_take(pk_store *s, const char *name, const char *holder, int64_t until, int64_t now,
                  const char *dead, bool *got);
int sq_lease_holder(pk_store *s, const char *name, char *out, size_t cap);
int sq_lease_drop(pk_store *s, const char *name, const char *holder);

/* sqlite_resident.c: residents' codes, sessions, contact preferences */
int sq_resident_code_put(pk_tx *tx, int64_t pid, const char *purpose, const uint8_t *code,
                          int64_t expires);
int sq_resident_code_get(pk_tx *tx, int64_t pid, const char *purpose, uint8_t *code,
                          int64_t *expires, int64_t *attempts);
int sq_resident_code_set(pk_tx *tx, int64_t pid, const char *purpose, int64_t attempts);
int sq_rsession_put(pk_tx *tx, const uint8_t *id, int64_t pid, int64_t now, int64_t idle_before,
                     int64_t created_before);
int sq_rsession_get(pk_tx *tx, const uint8_t *id, int64_t *pid, int64_t *created, int64_t *seen);
int sq_rsession_set(pk_tx *tx, const uint8_t *id, int64_t seen);
int sq_contact_pref_get(pk_tx *tx, int64_t pid, char *channel, int64_t *verified);
int sq_contact_pref_set(pk_tx *tx, int64_t pid, const char *channel, int64_t verified);

/* sqlite_outreach.c: outreach events and their attribution */
int sq_outreach_insert(pk_tx *tx, pk_outreach *e);
int sq_outreach_update(pk_tx *tx, const pk_outreach *e);
int sq_outreach_tx_get(pk_tx *tx, int64_t id, pk_outreach *out);
int sq_outreach_attribute(pk_tx *tx, int64_t pid, int64_t event_id, int64_t at);
int sq_outreach_get(pk_store *s, int64_t id, const char *code, const char *counted,
                   pk_outreach *out);
int sq_outreach_each(pk_store *s, const pk_outreach_filter *f, pk_outreach_cb cb, void *ctx);
int sq_outreach_of(pk_store *s, int64_t pid, int64_t *event_id);
int sq_outreach_reached(pk_store *s, const char *region, size_t child_len, pk_reached_cb cb,
                       void *ctx);
int sq_outreach_journey_counts(pk_store *s, int64_t event_id, const char *counted,
                            pk_journey_cell_cb cb, void *ctx);

#endif
