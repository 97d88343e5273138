/* pg_int.h -- what the files of the PostgreSQL backend share (not for
 * callers: they use store.h).  See pg.c for the files and what each
 * holds. */
#ifndef PK_PG_INT_H
#define PK_PG_INT_H

#include <libpq-fe.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/buf.h"
#include "store/store_impl.h"

#define PG_POOL_MAX 64
#define PG_MAX_PARAMS 32

/* The names of the statements of pg_stmts.h: S_PING, ... */
enum {
#define X(name, types, sql) name,
#include "store/pg_stmts.h"
#undef X
    S__COUNT
};

typedef struct pg pg;

/* A connection and which statements it has prepared. */
typedef struct pgc {
    PGconn *conn;
    pg *p;                       /* the store it belongs to (its log) */
    bool prepared[S__COUNT];
    int lock_wait_ms;            /* the lock_timeout set on it (pk_store_thread_lock_wait) */
    bool waited_out;             /* a statement of its transaction ran out of it */
} pgc;

struct pg {
    pk_backend base;             /* first: the log (store_impl.h) */
    char *url;
    char *shown;                 /* url without its password, for messages */
    pthread_mutex_t mu;
    pgc *idle[PG_POOL_MAX];
    int nidle;
};

typedef struct pg_tx {
    pk_tx base;
    pg *p;
    pgc *c;
    pk_buf arr[PG_MAX_PARAMS];   /* array parameters of the batch statements */
    bool bulk;                   /* see pk_tx_bulk_begin */
    bool repeats_index;          /* pg_bulk_repeats built its index (and statistics) */
    bool events_bulk;            /* see pk_tx_events_bulk_begin */
    bool counts_deferred;        /* see pk_tx_journey_counts_defer */
} pg_tx;

/* ---- parameters and results (binary) ---- */

enum { T_BYTEA = 17, T_INT8 = 20, T_TEXT = 25, T_BYTEA_ARR = 1001, T_TEXT_ARR = 1009,
       T_INT8_ARR = 1016 };

typedef struct params {
    int n;
    const char *v[PG_MAX_PARAMS];
    int len[PG_MAX_PARAMS];
    int fmt[PG_MAX_PARAMS];
    char ibuf[PG_MAX_PARAMS][8];
} params;

static inline void p_bytes(params *p, const void *v, size_t len)
{
    p->v[p->n] = v;
    p->len[p->n] = (int)len;
    p->fmt[p->n++] = 1;
}

static inline void p_text(params *p, const char *s)
{
    p_bytes(p, s, strlen(s));
}

static inline void p_null(params *p)
{
    p_bytes(p, NULL, 0);
}

static inline void p_int(params *p, int64_t v)
{
    uint64_t u = (uint64_t)v;
    for (int i = 0; i < 8; i++)
        p->ibuf[p->n][i] = (char)(u >> (56 - 8 * i));
    p_bytes(p, p->ibuf[p->n], 8);
}

/* A one-dimensional array parameter in binary form (what array_recv
 * reads): a header, then each element as a 4-byte length and its bytes.
 * Batches travel as arrays, so a batch is one statement. */
static inline int put32(pk_buf *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    return pk_buf_add(b, x, 4);
}

static inline int arr_begin(pk_buf *b, uint32_t elem_type)
{
    pk_buf_reset(b);
    int e = put32(b, 1);     /* dimensions */
    e |= put32(b, 0);        /* no NULLs */
    e |= put32(b, elem_type);
    e |= put32(b, 0);        /* length: set by arr_param */
    e |= put32(b, 1);        /* lower bound */
    return e;
}

static inline int arr_bytes(pk_buf *b, const void *v, size_t len)
{
    int e = put32(b, (uint32_t)len);
    e |= pk_buf_add(b, v, len);
    return e;
}

static inline int arr_text(pk_buf *b, const char *s)
{
    return arr_bytes(b, s, strlen(s));
}

static inline int arr_int(pk_buf *b, int64_t v)
{
    int e = put32(b, 8);
    e |= put32(b, (uint32_t)((uint64_t)v >> 32));
    e |= put32(b, (uint32_t)v);
    return e;
}

/* Participants inserted this many at once or more go by binary COPY: the
 * server then writes heap pages many rows at a time, with no plan to run
 * per statement.  Fewer go by one INSERT, one round trip.  (Events go by
 * COPY whenever there are two or more: pg_journey.c.) */
#define PG_COPY_MIN 64

/* Binary COPY (FORMAT binary): copy_begin starts b with the header, each
 * tuple is copy_tuple's field count then its fields encoded as array
 * elements are (arr_int, arr_text: length, bytes), copy_end closes it;
 * pg_copy_in sends b to a COPY ... FROM STDIN statement. */
static inline int copy_begin(pk_buf *b)
{
    static const char sig[11] = "PGCOPY\n\377\r\n";
    pk_buf_reset(b);
    int e = pk_buf_add(b, sig, sizeof(sig));
    e |= put32(b, 0); /* flags */
    e |= put32(b, 0); /* header extension */
    return e;
}

static inline int copy_tuple(pk_buf *b, uint16_t fields)
{
    uint8_t x[2] = {(uint8_t)(fields >> 8), (uint8_t)fields};
    return pk_buf_add(b, x, 2);
}

static inline int copy_end(pk_buf *b)
{
    return copy_tuple(b, 0xffff);
}

/* Ends array b of n elements and adds it to p. */
static inline void arr_param(params *p, pk_buf *b, size_t n)
{
    uint8_t *len = (uint8_t *)b->data + 12;
    len[0] = (uint8_t)(n >> 24), len[1] = (uint8_t)(n >> 16);
    len[2] = (uint8_t)(n >> 8), len[3] = (uint8_t)n;
    p_bytes(p, b->data, b->len);
}

/* A bigint column of a binary result. */
static inline int64_t get_i64(const PGresult *r, int row, int col)
{
    const unsigned char *b = (const unsigned char *)PQgetvalue(r, row, col);
    if (PQgetlength(r, row, col) != 8)
        return 0;
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u = u << 8 | b[i];
    return (int64_t)u;
}

/* A text column into out, cut to cap - 1 bytes ("" for NULL). */
static inline void pg_copy_col(const PGresult *r, int row, int col, char *out, size_t cap)
{
    snprintf(out, cap, "%s", PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col));
}

static inline void get_bytes(const PGresult *r, int row, int col, uint8_t *dst, int len)
{
    if (PQgetlength(r, row, col) == len)
        memcpy(dst, PQgetvalue(r, row, col), (size_t)len);
}

/* ---- the counters of the participants (migration 15, pg_counts.c) ----
 *
 * A cell per (village, segment, sex, reasons) in participant_count, kept
 * in the transaction of every write of participant rows by statement
 * triggers: each statement's rows (its transition tables) summed by cell,
 * then one upsert in the cells' order, n = n + delta, which PostgreSQL
 * applies to the latest committed counter whatever other processes do
 * (no lost update; two writers of one cell take turns for that row to
 * the end of their transactions).  A bulk load disables the triggers and
 * fills the counters once at its end (pg_bulk.c). */
#define PG_COUNT_UPSERT(rows)                                                                \
    "INSERT INTO participant_count AS c (kode_wilayah, segmen, jenis_kelamin, reasons, n)"   \
    " SELECT kode_wilayah, segmen, jenis_kelamin, reasons, sum(d) FROM (" rows ") u"        \
    " GROUP BY 1, 2, 3, 4 HAVING sum(d) <> 0 ORDER BY 1, 2, 3, 4"                           \
    " ON CONFLICT (kode_wilayah, segmen, jenis_kelamin, reasons)"                             \
    " DO UPDATE SET n = c.n + excluded.n;"
#define PG_COUNT_ROWS(t, d) "SELECT kode_wilayah, segmen, jenis_kelamin, reasons, " d " AS d FROM " t
#define PG_COUNT_FUNCTION(name, rows)                                                          \
    "CREATE FUNCTION " name "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "               \
    PG_COUNT_UPSERT(rows) " RETURN NULL; END $$;"
/* every counter from a recount (the migration, a bulk load) */
#define PG_PARTICIPANT_COUNT_FILL_V15                                                          \
    "DELETE FROM participant_count;"                                                           \
    "INSERT INTO participant_count SELECT kode_wilayah, segmen, jenis_kelamin, reasons,"       \
    " count(*) FROM participant GROUP BY 1, 2, 3, 4;"
/* Since migration 21 the same cells summed per city too
 * (participant_count_city: the first 5 characters of the village code),
 * which the province's and the country's figures read, kept by the same
 * trigger functions; filled from the village cells. */
#define PG_PARTICIPANT_COUNT_CITY_FILL                                                         \
    "INSERT INTO participant_count_city SELECT substr(kode_wilayah, 1, 5), segmen,"            \
    " jenis_kelamin, reasons, sum(n) FROM participant_count GROUP BY 1, 2, 3, 4"
#define PG_PARTICIPANT_COUNT_FILL                                                              \
    PG_PARTICIPANT_COUNT_FILL_V15 "DELETE FROM participant_count_city;"                        \
    PG_PARTICIPANT_COUNT_CITY_FILL ";"
#define PG_COUNT_UPSERT_CITY(rows)                                                           \
    "INSERT INTO participant_count_city AS c (kode_kota, segmen, jenis_kelamin, reasons, n)" \
    " SELECT substr(kode_wilayah, 1, 5), segmen, jenis_kelamin, reasons, sum(d) FROM ("     \
    rows ") u GROUP BY 1, 2, 3, 4 HAVING sum(d) <> 0 ORDER BY 1, 2, 3, 4"                    \
    " ON CONFLICT (kode_kota, segmen, jenis_kelamin, reasons)"                               \
    " DO UPDATE SET n = c.n + excluded.n;"
#define PG_COUNT_FUNCTION_CITY(name, rows)                                                     \
    "CREATE OR REPLACE FUNCTION " name "() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "     \
    PG_COUNT_UPSERT(rows) PG_COUNT_UPSERT_CITY(rows) " RETURN NULL; END $$;"

/* ---- pg.c: connections, statements, transactions ---- */

/* Maps a failed result (r may be NULL) to PK_E* and logs why. */
int pg_fail(pgc *c, const PGresult *r, const char *what);
/* Runs sql (no parameters, text protocol) and expects `want`. */
int pg_exec(pgc *c, const char *sql, ExecStatusType want, const char *what);
/* Runs `sql` (COPY ... FROM STDIN (FORMAT binary)) with b's rows (copy_begin). */
int pg_copy_in(pgc *c, const char *sql, const pk_buf *b);
/* COMMIT, failing when the transaction had failed. */
int pg_commit_conn(pgc *c);
/* pg_conn.c: connections. */
int pg_conn_open(pg *p, pgc **out, char *err, size_t errlen);
void pg_conn_close(pgc *c);
int pg_conn_get(pg *p, pgc **out);
void pg_conn_put(pg *p, pgc *c);
/* The URL with any password replaced by "***" (user:secret@host and
 * password=secret); NULL when out of memory.  The caller frees it. */
char *pg_redact(const char *url);
/* Runs statement `which` (pg_stmts.h), prepared on c on first use; *out
 * receives the result (the caller clears it) when out is not NULL. */
int pg_run(pgc *c, int which, const params *ps, PGresult **out);
/* n new ids of a table, ascending, into ids: a block of its sequence at
 * once (block_stmt: setval, when the transaction holds the table alone,
 * a bulk load) or a nextval each (next_stmt: others may take ids
 * meanwhile, so they need not be consecutive). */
int pg_take_ids(pgc *c, int block_stmt, int next_stmt, bool block, size_t n, int64_t *ids);
/* The same on a pooled connection, in autocommit. */
int pg_run1(pk_store *s, int which, const params *ps, PGresult **out);
/* Statement `which` unprepared (a cursor declared anew by each call). */
int pg_run_once(pgc *c, int which, const params *ps, PGresult **out);
/* Runs n statements in one round trip (pipeline mode), in order, each
 * with its own snapshot; outside a transaction, they are one (implicit)
 * transaction.  out[i] receives statement i's result. */
int pg_run_pipeline(pgc *c, int n, const int *which, const params *const *ps, PGresult **out);
/* Rows a command touched (its tag's count). */
long pg_touched(const PGresult *r);
pgc *pg_txc(pk_tx *t);

/* ---- pg_migrations.c, pg_schema.c ---- */

/* Every migration in version order (append only). */
const pk_migration *pg_migrations(size_t *n);

int pg_version(pk_store *s, int *current, int *latest);
int pg_migrate(pk_store *s, const char *datadir, int *from, int *to, char *err, size_t errlen);
int pg_regions_each(pk_store *s, pk_region_cb cb, void *ctx);
int pg_meta_get(pk_store *s, const char *name, uint8_t *buf, size_t cap, size_t *len);
int pg_meta_put_once(pk_store *s, const char *name, const uint8_t *value, size_t len);
int pg_tx_meta_get(pk_tx *t, const char *name, uint8_t *buf, size_t cap, size_t *len);
int pg_tx_meta_put_max(pk_tx *t, const char *name, const uint8_t *value, size_t len);

/* ---- pg_participants.c ---- */

/* bi[0..n) as an array parameter (sorted and distinct when `sorted`,
 * for locks), built in tx->arr[slot]. */
int pg_bi_param(pg_tx *tx, params *p, int slot, size_t n, const pk_bi *bi, bool sorted);
/* The region subtree of a dotted code as two parameters; hi holds the
 * upper bound while they are used. */
void pg_region_params(params *p, const char *region, char *hi, size_t hilen);
/* Fills row from row i of a result over PG_PCOLS; strings point into r. */
void pg_read_row(const PGresult *r, int i, pk_prow *row);

int pg_participants_find(pk_tx *t, size_t n, const pk_bi *nik_bi, pk_pknown *out);
int pg_participant_ids(pk_tx *t, size_t n, const pk_bi *nik_bi, int64_t *ids);
int pg_participants_write(pk_tx *t, size_t n, pk_prow *rows);
int pg_kk_members(pk_tx *t, size_t n, const pk_bi *kk_bi, pk_member_cb cb, void *ctx);
int pg_set_reasons(pk_tx *t, size_t n, const int64_t *ids, const uint64_t *reasons);
int pg_audit(pk_tx *t, size_t n, const pk_audit_entry *e);
int pg_list_clear(pk_tx *t, const char *list);
int pg_list_add(pk_tx *t, const char *list, const uint8_t *nik_bi, const uint8_t *note,
                size_t note_len);
int pg_list_changes(pk_tx *t, const char *list, pk_bi_cb cb, void *ctx);
int pg_list_count(pk_tx *t, const char *list, int64_t *count);
int pg_reevaluate(pk_tx *t, const uint8_t *nik_bi, pk_reeval_fn fn, void *ctx,
                  uint8_t *kk_bi, int *changed);
int pg_participants_each(pk_store *s, const char *region, pk_prow_cb cb, void *ctx);
int pg_participant_status(pk_store *s, const uint8_t *nik_bi, pk_pstatus *out);

/* ---- pg_counts.c ---- */
int pg_stats(pk_store *s, const char *region, pk_stats *out);
int pg_stats_children(pk_store *s, const char *region, size_t child_len, pk_child_count_cb cb,
                      void *ctx);
int pg_counts_verify(pk_store *s, pk_count_cell_cb cb, void *ctx, int64_t *cells,
                     int64_t *people);
int pg_counts_rebuild(pk_tx *t, int64_t *cells);
int pg_journey_counts(pk_store *s, const char *region, size_t child_len, const char *kind,
                      pk_journey_cell_cb cb, void *ctx);
int pg_journey_counts_verify(pk_store *s, pk_journey_cell_cb cb, void *ctx, int64_t *cells);
int pg_journey_counts_rebuild(pk_tx *t, int64_t *cells);
int pg_journey_counts_defer(pk_tx *t, int64_t n, bool *on);
int pg_journey_counts_end(pk_tx *t);

/* ---- pg_bulk.c ---- */

int pg_bulk_begin(pk_tx *t, bool *on);
int pg_bulk_mark(pk_tx *t, size_t n, const pk_bi *kk_bi);
int pg_bulk_end(pk_tx *t);
int pg_events_bulk_begin(pk_tx *t, bool *on);
int pg_events_bulk_end(pk_tx *t);
int pg_bulk_families(pk_tx *t, int small, const uint8_t *after, size_t limit, pk_bi *out,
                     size_t *n);
int pg_bulk_repeats(pk_tx *t, const uint8_t *after_nik, int64_t after_id, size_t limit,
                    pk_repeat *out, size_t *n);
int pg_bulk_fold(pk_tx *t, int64_t keep, int64_t from, bool copy);

/* ---- pg_accounts.c ---- */

int pg_user_insert(pk_store *s, const pk_user *u, const pk_audit_entry *audit, int64_t *id);
int pg_user_find(pk_store *s, const char *username, pk_user *out);
int pg_user_update(pk_store *s, const pk_user *u, const pk_audit_entry *audit);
int pg_users_each(pk_store *s, pk_user_cb cb, void *ctx);
int pg_session_insert(pk_store *s, const uint8_t *id, int64_t user_id, int64_t now);
int pg_session_get(pk_store *s, const uint8_t *id, int64_t *created, int64_t *seen,
                   pk_user *user);
int pg_session_touch(pk_store *s, const uint8_t *id, int64_t now);
int pg_session_delete(pk_store *s, const uint8_t *id);
int pg_sessions_expire(pk_store *s, int64_t idle_before, int64_t created_before);
int pg_token_insert(pk_store *s, const uint8_t *hash, int64_t user_id, const char *label,
                    const pk_audit_entry *audit, int64_t *id);
int pg_token_find(pk_store *s, const uint8_t *hash, int64_t *id, pk_user *user);
int pg_token_revoke(pk_store *s, int64_t id, const pk_audit_entry *audit);
int pg_tokens_each(pk_store *s, int64_t user_id, pk_token_cb cb, void *ctx);
int pg_login_failure_add(pk_store *s, const uint8_t *key, int64_t now, int64_t forget_before);
int pg_login_failures(pk_store *s, const uint8_t *key, int64_t since, int64_t *count,
                      int64_t *oldest, int64_t *newest);
int pg_login_failures_clear(pk_store *s, const uint8_t *key);

/* ---- pg_access.c ---- */

/* after is always given (store.c): (tier, id) > *after */
int pg_participants_search(pk_store *s, const char *scope, const char *name,
                           const uint8_t *nik_bi, const pk_search_key *after,
                           int limit, pk_prow_cb cb, void *ctx);
int pg_participant_get(pk_store *s, const char *scope, int64_t id, pk_prow_cb cb, void *ctx);
int pg_access_log_add(pk_tx *t, const pk_access_entry *e);
int pg_logs_find(pk_store *s, const pk_log_filter *f, pk_log_cb cb, void *ctx);
int pg_sealed_older(pk_tx *t, int what, int gen, const pk_sealed *after, int limit,
                    pk_sealed_cb cb, void *ctx);
int pg_sealed_replace(pk_tx *t, int what, const pk_sealed *old, const uint8_t *box, size_t len,
                      int *replaced);
int pg_sealed_generations(pk_store *s, int64_t *counts);

/* ---- pg_journey.c ---- */

int pg_events_of(pk_tx *t, int64_t participant_id, pk_event_cb cb, void *ctx);
int pg_events_of_many(pk_tx *t, size_t n, const int64_t *participant_ids, pk_event_cb cb,
                     void *ctx);
int pg_events_known(pk_tx *t, size_t n, const pk_event *const *ev, bool *known);
int pg_event_find(pk_tx *t, pk_event_source source, const char *ref, int64_t *participant_id);
int pg_events_insert(pk_tx *t, size_t n, pk_event *ev);
int pg_journey_put(pk_tx *t, const pk_journey *j);
int pg_journey_state(pk_tx *t, int64_t participant_id, pk_journey *out);
int pg_journeys_put(pk_tx *t, size_t n, const pk_journey *js, bool fresh);
int pg_journey_tails(pk_tx *t, size_t n, const int64_t *participant_ids, const int64_t *at,
                     const int64_t *seq, pk_tail *out);
int pg_journey_tail(pk_tx *t, int64_t participant_id, int64_t at, int64_t seq, pk_journey *out,
                    bool *last);
int pg_journey_ids(pk_tx *t, int64_t after, size_t limit, int64_t *ids, size_t *n);
int pg_journey_get(pk_store *s, int64_t participant_id, pk_journey *out);
int pg_events_each(pk_store *s, int64_t participant_id, pk_event_cb cb, void *ctx);
int pg_journey_due_wave(pk_tx *t, pk_due_kind kind, int64_t after, int64_t *wave);
int pg_journey_due(pk_tx *t, pk_due_kind kind, int64_t wave, int64_t before, int64_t after_at,
                   int64_t after_id, size_t limit, pk_due_row *rows, size_t *n);
/* ---- pg_waves.c ---- */

int pg_wave_insert(pk_tx *t, const pk_wave *w);
int pg_wave_get(pk_tx *t, int64_t number, pk_wave *out);
int pg_wave_peek(pk_tx *t, int64_t number, pk_wave *out);
int pg_wave_set_state(pk_tx *t, int64_t number, const char *state);
int pg_waves_each(pk_store *s, pk_wave_cb cb, void *ctx);
int pg_wave_applicants(pk_tx *t, int64_t wave, pk_applicant_cb cb, void *ctx);
int pg_wave_applicants_count(pk_store *s, int64_t wave, int64_t *n);
int pg_wave_last_join(pk_tx *t, int64_t wave, int64_t *at, int64_t *seq);
int pg_recipient_families(pk_tx *t, int64_t at, pk_bi_cb cb, void *ctx);
int pg_draw_insert(pk_tx *t, const pk_draw_rec *d);
int pg_draw_get(pk_store *s, int64_t wave, pk_draw_rec *out);
int pg_draw_rows_insert(pk_tx *t, int64_t wave, size_t n, const pk_draw_row *rows);
int pg_draw_rows_each(pk_store *s, int64_t wave, pk_draw_row_cb cb, void *ctx);
int pg_card_serial_max(pk_tx *t, int64_t *serial);
int pg_cards_insert(pk_tx *t, int64_t wave, int64_t issued_at, size_t n,
                    const pk_card_new *cards);
int pg_card_insert(pk_tx *t, int64_t participant_id, int64_t wave, int64_t serial,
                   const char *number, int64_t issued_at);
int pg_card_get(pk_store *s, int64_t participant_id, char *number, int64_t *wave,
                int64_t *replaced_at);

/* ---- pg_platform.c ---- */

int pg_platform_insert(pk_store *s, const pk_platform *p, const pk_audit_entry *audit,
                       int64_t *id);
int pg_platform_update(pk_store *s, const char *code, const uint8_t *secret, size_t len,
                       int disabled, const pk_audit_entry *audit);
int pg_platform_find(pk_store *s, const char *code, pk_platform *out);
int pg_platforms_each(pk_store *s, pk_platform_cb cb, void *ctx);
int pg_tx_platform_nonce(pk_tx *tx, int64_t platform, const char *nonce, int64_t now,
                         int64_t forget_before);
int pg_tx_idem_get(pk_tx *tx, int64_t platform, const char *key, uint8_t *digest, int *status,
                   pk_buf *body);
int pg_tx_idem_put(pk_tx *tx, int64_t platform, const char *key, const uint8_t *digest,
                   int status, const void *body, size_t len, int *kept);
int pg_idem_prune(pk_store *s, const char *before, int limit, int64_t *n);
int pg_tx_card_find(pk_tx *t, const char *number, int64_t *participant_id, bool *retired);
int pg_cards_page(pk_tx *t, int64_t after, size_t limit, pk_card_new *out, size_t *n);
int pg_card_reissue(pk_tx *t, const pk_card_new *c, int64_t at);
int pg_tx_course_find(pk_tx *t, const char *platform, const char *course_ref, pk_course *out);
int pg_course_put(pk_tx *t, const pk_course *c, int *outcome);
int pg_course_find(pk_store *s, const char *platform, const char *course_ref, pk_course *out);
int pg_courses_each(pk_store *s, int64_t after, int limit, pk_course_cb cb, void *ctx);

/* pg_remind.c: consent */
int pg_consent_set(pk_tx *t, int64_t participant_id, const char *purpose, bool stop,
                   const char *channel, const char *actor, bool *changed);
int pg_consent_get(pk_store *s, int64_t participant_id, const char *purpose, bool *stopped,
                   char *since);
int pg_remind_subjects(pk_store *s, const char *scope, bool everyone, int64_t after,
                       size_t limit, pk_remind_subject_cb cb, void *ctx, size_t *n);
int pg_remind_effect(pk_store *s, const char *scope, pk_remind_effect_cb cb, void *ctx);
int pg_remind_effect_verify(pk_store *s, pk_remind_effect_check_cb cb, void *ctx, int64_t *cells);
int pg_remind_effect_rebuild(pk_tx *t, int64_t *cells);
int pg_remind_marks(pk_store *s, int64_t lo, int64_t hi, const char *since_day,
                    pk_remind_mark_cb cb, void *ctx);
int pg_remind_marks_of(pk_store *s, const int64_t *ids, size_t n, const char *since_day,
                    pk_remind_mark_cb cb, void *ctx);
int pg_remind_subjects_by_region(pk_store *s, const char *scope, bool everyone,
                                const char *after_region, int64_t after, size_t limit,
                                pk_remind_subject_cb cb, void *ctx, size_t *n);
int pg_remind_fire_put(pk_tx *t, int64_t participant_id, const char *rule, int64_t anchor,
                       int64_t k, int64_t offset_days, const char *status, const char *day,
                       int64_t message_id);
int pg_outbox_add(pk_tx *t, pk_outbox_msg *m, bool *added);
int pg_outbox_due(pk_tx *t, int64_t now, size_t limit, pk_outbox_msg *rows, size_t *n);
int pg_outbox_set(pk_tx *t, const pk_outbox_msg *m);
int pg_outbox_of(pk_store *s, int64_t participant_id, size_t limit, pk_outbox_msg *rows,
                 size_t *n);
int pg_consent_changes(pk_store *s, int64_t participant_id, size_t limit,
                       pk_consent_change_row *rows, size_t *n);
int pg_outbox_find(pk_tx *t, const char *channel, const char *provider_id, pk_outbox_msg *out);
int pg_outbox_latest_to(pk_tx *t, const uint8_t *to, pk_outbox_msg *out);
int pg_outbox_receipt(pk_tx *t, int64_t id, int64_t delivered_at, int64_t read_at,
                      bool *changed);
int pg_inbound_once(pk_tx *t, const char *channel, const char *ref, bool *fresh);
int pg_contact_failed_put(pk_tx *t, int64_t participant_id, const char *channel,
                          const char *error);
int pg_lease_take(pk_store *s, const char *name, const char *holder, int64_t until, int64_t now,
                  const char *dead, bool *got);
int pg_lease_holder(pk_store *s, const char *name, char *out, size_t cap);
int pg_lease_drop(pk_store *s, const char *name, const char *holder);

/* pg_resident.c: residents' codes, sessions, contact preferences */
int pg_resident_code_put(pk_tx *tx, int64_t pid, const char *purpose, const uint8_t *code,
                          int64_t expires);
int pg_resident_code_get(pk_tx *tx, int64_t pid, const char *purpose, uint8_t *code,
                          int64_t *expires, int64_t *attempts);
int pg_resident_code_set(pk_tx *tx, int64_t pid, const char *purpose, int64_t attempts);
int pg_rsession_put(pk_tx *tx, const uint8_t *id, int64_t pid, int64_t now, int64_t idle_before,
                     int64_t created_before);
int pg_rsession_get(pk_tx *tx, const uint8_t *id, int64_t *pid, int64_t *created, int64_t *seen);
int pg_rsession_set(pk_tx *tx, const uint8_t *id, int64_t seen);
int pg_contact_pref_get(pk_tx *tx, int64_t pid, char *channel, int64_t *verified);
int pg_contact_pref_set(pk_tx *tx, int64_t pid, const char *channel, int64_t verified);

/* pg_outreach.c: outreach events and their attribution */
int pg_outreach_insert(pk_tx *tx, pk_outreach *e);
int pg_outreach_update(pk_tx *tx, const pk_outreach *e);
int pg_outreach_tx_get(pk_tx *tx, int64_t id, pk_outreach *out);
int pg_outreach_attribute(pk_tx *tx, int64_t pid, int64_t event_id, int64_t at);
int pg_outreach_get(pk_store *s, int64_t id, const char *code, const char *counted,
                   pk_outreach *out);
int pg_outreach_each(pk_store *s, const pk_outreach_filter *f, pk_outreach_cb cb, void *ctx);
int pg_outreach_of(pk_store *s, int64_t pid, int64_t *event_id);
int pg_outreach_reached(pk_store *s, const char *region, size_t child_len, pk_reached_cb cb,
                       void *ctx);
int pg_outreach_journey_counts(pk_store *s, int64_t event_id, const char *counted,
                            pk_journey_cell_cb cb, void *ctx);

#endif
