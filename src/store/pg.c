/* pg.c -- the PostgreSQL backend of the store, for large deployments:
 * its statements and transactions, and its op table (its connections:
 * pg_conn.c).
 *
 * Many stateless app processes share one PostgreSQL database, so nothing
 * here may rely on being the only writer.  Connections are pooled per
 * process (a thread takes one, uses it alone, gives it back); a write
 * transaction holds its connection from begin to commit, in READ
 * COMMITTED.  What SQLite gets from its single writer, this backend gets
 * from the database:
 *
 *  - a UNIQUE index on the NIK index (two processes racing on one NIK:
 *    one wins, the other gets PK_ECONFLICT);
 *  - row locks (SELECT ... FOR UPDATE) on the people a batch finds, and
 *    a lock on each family's KK index (taken before the family is read
 *    and new ids are handed out), held to the end of the transaction, so
 *    read-then-write sequences on one person or one family are
 *    serialised across processes.  Family locks are row locks on table
 *    pk_lock, not advisory locks: an import transaction (up to 160,000
 *    rows) holds one per family, far more than the shared lock table has
 *    room for.  A lock and the read that follows it are sent together in
 *    one pipeline; the read runs after the lock is granted, with a fresh
 *    snapshot (READ COMMITTED), so it sees the other side's commit.
 *  - batches as arrays: a batch of rows is one statement (unnest), so an
 *    import costs a few round trips per thousand rows.
 *
 * Schema changes are the same numbered migrations as SQLite's, each in
 * its own transaction under an advisory lock, so processes starting at
 * once migrate once.  Text that is compared or ordered (region codes)
 * uses the "C" collation so order and prefix ranges match SQLite's.
 * Timestamps are stored as text in SQLite's format.  Every statement is
 * in one table (pg_stmts.h), prepared once per connection on first use;
 * every parameter and every result travels in binary.
 *
 * The backend's files, in the order of pk_store_ops (store_impl.h), as
 * sqlite.c divides the SQLite backend:
 *
 *   pg.c               the statement table, transactions and savepoints,
 *                      the op table
 *   pg_conn.c          connections: opened, pooled, a thread's lock wait
 *   pg_migrations.c    the migrations (append only), the region table
 *                      they load (COPY)
 *   pg_schema.c        the migrator; the region table and named values
 *                      (pk_meta) read back
 *   pg_participants.c  the registry: find, write (arrays, binary COPY),
 *                      families, reasons, audit, exclusion lists,
 *                      re-evaluation, reads, status, stats
 *   pg_bulk.c          bulk loading of an empty registry
 *   pg_accounts.c      users, sessions, API tokens, failed logins (SQL
 *                      shared with SQLite: sql_accounts.h)
 *   pg_access.c        staff reads of personal data, the access log, key
 *                      rotation of sealed boxes
 *   pg_journey.c       the journey: events (append only) and the state
 *                      derived from them
 *   pg_platform.c      the digital platforms: credentials, nonces,
 *                      idempotent answers (SQL shared: sql_platform.h)
 *   pg_waves.c         waves, their draws, card numbers
 *   pg_remind.c        reminders: consent (SQL shared: sql_remind.h)
 *   pg_int.h           what these files share (and the binary encoding
 *                      of parameters and results)
 *   pg_stmts.h         every statement, in one X-macro table
 *
 * Errors are returned; what an operator should see (a failed statement's
 * SQLSTATE, a lost connection) goes to the store's log callback, never
 * to stderr. */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/pk.h"
#include "core/sort.h"
#include "store/pg_int.h"

/* Maps a failed result to PK_E* and says why to the store's log: the
 * SQLSTATE and the primary message, never the DETAIL (it may quote
 * values).  A unique violation (PK_ECONFLICT) and a broken deadlock
 * (PK_EBUSY) are expected outcomes that the caller handles, and say
 * nothing; a full disk (SQLSTATE 53100, PK_ENOSPC) is logged once when
 * it starts, not at every statement it fails. */
int pg_fail(pgc *c, const PGresult *r, const char *what)
{
    PGconn *conn = c->conn;
    const pk_backend *log = &c->p->base;
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (state != NULL && strcmp(state, "23505") == 0)
        return PK_ECONFLICT;
    if (state != NULL && strcmp(state, "40P01") == 0)
        return PK_EBUSY; /* a deadlock broken by failing us: the caller may redo */
    if (state != NULL && strcmp(state, "55P03") == 0) {
        /* lock_not_available: waited pk_store_thread_lock_wait's time.  Not
         * PK_EBUSY, which the writers redo (a deadlock's loser goes again
         * at once): a registration waited five times its time */
        pk_backend_log(log, "%s: waited %d ms for a lock another transaction holds (an "
                            "import, a draw?): busy", what, c->lock_wait_ms);
        c->waited_out = true;
        return PK_EIO;
    }
    if (state != NULL && strcmp(state, "53100") == 0) {
        /* disk_full: logged once, when it starts (pk_backend_space) */
        pk_backend_space(&c->p->base, PK_ENOSPC);
        return PK_ENOSPC;
    }
    if (PQstatus(conn) != CONNECTION_OK) {
        pk_backend_log(log, "%s: connection to PostgreSQL lost", what);
        return PK_EIO;
    }
    const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *cons = r ? PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME) : NULL;
    if (state != NULL && (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0)) {
        pk_backend_log(log, "%s: SQLSTATE %s%s%s", what, state, cons ? " constraint " : "",
                       cons ? cons : "");
    } else {
        /* libpq's own messages end in a newline */
        const char *m = msg ? msg : PQerrorMessage(conn);
        int len = (int)strcspn(m, "\n");
        pk_backend_log(log, "%s: %.*s (SQLSTATE %s)", what, len, m, state ? state : "none");
    }
    return PK_EIO;
}

int pg_exec(pgc *c, const char *sql, ExecStatusType want, const char *what)
{
    PGresult *r = PQexec(c->conn, sql);
    int rc = PQresultStatus(r) == want ? 0 : pg_fail(c, r, what);
    PQclear(r);
    return rc;
}

int pg_take_ids(pgc *c, int block_stmt, int next_stmt, bool block, size_t n, int64_t *ids)
{
    params cnt = {0};
    p_int(&cnt, (int64_t)n);
    PGresult *r = NULL;
    int rc = pg_run(c, block ? block_stmt : next_stmt, &cnt, &r);
    if (rc != 0)
        return rc;
    int64_t last = PQntuples(r) == 1 ? get_i64(r, 0, 0) : 0;
    if ((size_t)PQntuples(r) != (block ? 1 : n) || (block && last < (int64_t)n)) {
        rc = PK_EIO;
    } else {
        for (size_t i = 0; i < n; i++)
            ids[i] = block ? last - (int64_t)(n - 1 - i) : get_i64(r, (int)i, 0);
        if (!block)
            qsort(ids, n, sizeof(*ids), pk_cmp_i64);
    }
    PQclear(r);
    return rc;
}

int pg_copy_in(pgc *c, const char *sql, const pk_buf *b)
{
    if (c->waited_out) /* as prepare */
        return PK_EIO;
    PGconn *conn = c->conn;
    PGresult *r = PQexec(conn, sql);
    int rc = PQresultStatus(r) == PGRES_COPY_IN ? 0 : pg_fail(c, r, "copy");
    PQclear(r);
    if (rc != 0)
        return rc;
    if (PQputCopyData(conn, b->data, (int)b->len) != 1)
        rc = pg_fail(c, NULL, "copy");
    if (PQputCopyEnd(conn, NULL) != 1 && rc == 0)
        rc = pg_fail(c, NULL, "copy");
    while ((r = PQgetResult(conn)) != NULL) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && rc == 0)
            rc = pg_fail(c, r, "copy");
        PQclear(r);
    }
    return rc;
}

static void pg_close(pk_store *s)
{
    pg *p = s->impl;
    for (int i = 0; i < p->nidle; i++)
        pg_conn_close(p->idle[i]);
    pthread_mutex_destroy(&p->mu);
    free(p->url);
    free(p->shown);
    free(p);
    free(s);
}

/* ---- statements -------------------------------------------------------- */

static const struct {
    const char *types, *sql;
} stmts[S__COUNT] = {
#define X(name, types, sql) {types, sql},
#include "store/pg_stmts.h"
#undef X
};

/* The types of statement which's parameters; how many. */
static int param_types(int which, Oid types[PG_MAX_PARAMS])
{
    int n = 0;
    for (const char *t = stmts[which].types; *t && n < PG_MAX_PARAMS; t++)
        types[n++] = *t == 'b'   ? T_BYTEA
                     : *t == 'i' ? T_INT8
                     : *t == 't' ? T_TEXT
                     : *t == 'B' ? T_BYTEA_ARR
                     : *t == 'I' ? T_INT8_ARR
                                 : T_TEXT_ARR;
    return n;
}

/* Every statement of the table goes through here first: once one of the
 * transaction's ran out of its lock wait (pk_store_thread_lock_wait), the
 * rest fail at once (a batch's later pieces, after a rollback to a
 * savepoint, would each wait again). */
static int prepare(pgc *c, int which)
{
    if (c->waited_out)
        return PK_EIO;
    if (c->prepared[which])
        return 0;
    Oid types[PG_MAX_PARAMS];
    int n = param_types(which, types);
    char name[16];
    snprintf(name, sizeof(name), "pk%d", which);
    PGresult *r = PQprepare(c->conn, name, stmts[which].sql, n, types);
    int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : pg_fail(c, r, "prepare");
    PQclear(r);
    if (rc == 0)
        c->prepared[which] = true;
    return rc;
}

static int send_prepared(pgc *c, int which, const params *ps)
{
    char name[16];
    snprintf(name, sizeof(name), "pk%d", which);
    return PQsendQueryPrepared(c->conn, name, ps ? ps->n : 0, ps ? ps->v : NULL,
                               ps ? ps->len : NULL, ps ? ps->fmt : NULL, 1)
               ? 0
               : pg_fail(c, NULL, "send");
}

static bool ok(const PGresult *r)
{
    ExecStatusType st = PQresultStatus(r);
    return st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK;
}

/* Ends a run: *out receives r, or r is cleared. */
static int result(pgc *c, PGresult *r, PGresult **out)
{
    if (!ok(r)) {
        int rc = pg_fail(c, r, "statement");
        PQclear(r);
        return rc;
    }
    if (out != NULL)
        *out = r;
    else
        PQclear(r);
    return 0;
}

int pg_run(pgc *c, int which, const params *ps, PGresult **out)
{
    int rc = prepare(c, which);
    if (rc != 0)
        return rc;
    char name[16];
    snprintf(name, sizeof(name), "pk%d", which);
    return result(c,
                  PQexecPrepared(c->conn, name, ps ? ps->n : 0, ps ? ps->v : NULL,
                                 ps ? ps->len : NULL, ps ? ps->fmt : NULL, 1),
                  out);
}

int pg_run_once(pgc *c, int which, const params *ps, PGresult **out)
{
    if (c->waited_out) /* as prepare */
        return PK_EIO;
    Oid types[PG_MAX_PARAMS];
    int n = param_types(which, types);
    return result(c,
                  PQexecParams(c->conn, stmts[which].sql, n, types, ps ? ps->v : NULL,
                               ps ? ps->len : NULL, ps ? ps->fmt : NULL, 1),
                  out);
}

int pg_run1(pk_store *s, int which, const params *ps, PGresult **out)
{
    pg *p = s->impl;
    pgc *c;
    int rc = pg_conn_get(p, &c);
    if (rc != 0)
        return rc;
    rc = pg_run(c, which, ps, out);
    pg_conn_put(p, c);
    return rc;
}

int pg_run_pipeline(pgc *c, int n, const int *which, const params *const *ps, PGresult **out)
{
    int rc = 0;
    for (int i = 0; i < n; i++) {
        out[i] = NULL;
        if ((rc = prepare(c, which[i])) != 0)
            return rc;
    }
    if (!PQenterPipelineMode(c->conn))
        return pg_fail(c, NULL, "pipeline");
    for (int i = 0; rc == 0 && i < n; i++)
        rc = send_prepared(c, which[i], ps[i]);
    if (rc == 0 && !PQpipelineSync(c->conn))
        rc = pg_fail(c, NULL, "pipeline");
    /* Read every result even after a failure, up to the sync. */
    for (int i = 0; i < n; i++) {
        PGresult *r = PQgetResult(c->conn);
        if (r == NULL)
            break;
        if (!ok(r)) {
            if (rc == 0 && PQresultStatus(r) != PGRES_PIPELINE_ABORTED)
                rc = pg_fail(c, r, "statement");
            PQclear(r);
        } else {
            out[i] = r;
        }
        PGresult *end = PQgetResult(c->conn); /* NULL after each statement's result */
        PQclear(end);
    }
    for (PGresult *r; (r = PQgetResult(c->conn)) != NULL;) {
        ExecStatusType st = PQresultStatus(r);
        PQclear(r);
        if (st == PGRES_PIPELINE_SYNC)
            break;
        if (rc == 0 && st == PGRES_FATAL_ERROR)
            rc = PK_EIO;
    }
    if (!PQexitPipelineMode(c->conn) && rc == 0)
        rc = pg_fail(c, NULL, "pipeline");
    if (rc != 0 || PQstatus(c->conn) != CONNECTION_OK) {
        for (int i = 0; i < n; i++) {
            PQclear(out[i]);
            out[i] = NULL;
        }
        if (rc == 0)
            rc = PK_EIO;
    }
    return rc;
}

long pg_touched(const PGresult *r)
{
    return atol(PQcmdTuples((PGresult *)r));
}

static int pg_ping(pk_store *s)
{
    return pg_run1(s, S_PING, NULL, NULL);
}

/* ---- transactions ------------------------------------------------------ */

int pg_commit_conn(pgc *c)
{
    PGresult *r = PQexec(c->conn, "COMMIT");
    /* COMMIT of a failed transaction "succeeds" with the tag ROLLBACK. */
    int rc = PQresultStatus(r) == PGRES_COMMAND_OK && strcmp(PQcmdStatus(r), "COMMIT") == 0
                 ? 0
                 : pg_fail(c, r, "commit");
    PQclear(r);
    return rc;
}

static int pg_begin(pk_store *s, pk_tx **out)
{
    pg *p = s->impl;
    pgc *c;
    int rc = pg_conn_get(p, &c);
    if (rc != 0)
        return rc;
    if ((rc = pg_exec(c, "BEGIN ISOLATION LEVEL READ COMMITTED", PGRES_COMMAND_OK, "begin")) !=
        0) {
        pg_conn_put(p, c);
        return rc;
    }
    pg_tx *tx = calloc(1, sizeof(*tx));
    if (tx == NULL) {
        PQclear(PQexec(c->conn, "ROLLBACK"));
        pg_conn_put(p, c);
        return PK_ENOMEM;
    }
    tx->base.store = s;
    tx->p = p;
    tx->c = c;
    for (int i = 0; i < PG_MAX_PARAMS; i++)
        pk_buf_init(&tx->arr[i], (size_t)1 << 30);
    *out = &tx->base;
    return 0;
}

static int pg_begin_lazy(pk_store *s, pk_tx **out)
{
    int rc = pg_begin(s, out);
    if (rc != 0)
        return rc;
    rc = pg_exec(pg_txc(*out), "SET LOCAL synchronous_commit = off", PGRES_COMMAND_OK,
                 "begin");
    if (rc != 0) {
        pk_tx_rollback(*out);
        *out = NULL;
    }
    return rc;
}

static void tx_free(pg_tx *tx)
{
    for (int i = 0; i < PG_MAX_PARAMS; i++)
        pk_buf_free(&tx->arr[i]);
    free(tx);
}

static int pg_commit(pk_tx *t)
{
    pg_tx *tx = (pg_tx *)t;
    bool unfinished = tx->bulk || tx->events_bulk || tx->counts_deferred;
    if (unfinished) /* the caller did not build the indexes or add the sums: refuse */
        PQclear(PQexec(tx->c->conn, "ROLLBACK"));
    int rc = unfinished ? PK_EIO : pg_commit_conn(tx->c);
    if (rc != 0 && PQtransactionStatus(tx->c->conn) != PQTRANS_IDLE)
        PQclear(PQexec(tx->c->conn, "ROLLBACK"));
    pg_conn_put(tx->p, tx->c);
    tx_free(tx);
    return rc;
}

static void pg_rollback(pk_tx *t)
{
    pg_tx *tx = (pg_tx *)t;
    PQclear(PQexec(tx->c->conn, "ROLLBACK"));
    pg_conn_put(tx->p, tx->c);
    tx_free(tx);
}

pgc *pg_txc(pk_tx *t)
{
    return ((pg_tx *)t)->c;
}

static int pg_savepoint(pk_tx *t)
{
    return pg_exec(pg_txc(t), "SAVEPOINT pk_job", PGRES_COMMAND_OK, "savepoint");
}

static int pg_release(pk_tx *t)
{
    return pg_exec(pg_txc(t), "RELEASE pk_job", PGRES_COMMAND_OK, "savepoint");
}

static int pg_rollback_to(pk_tx *t)
{
    int rc = pg_exec(pg_txc(t), "ROLLBACK TO pk_job", PGRES_COMMAND_OK, "savepoint");
    int rc2 = pg_exec(pg_txc(t), "RELEASE pk_job", PGRES_COMMAND_OK, "savepoint");
    return rc ? rc : rc2;
}

/* ---- the op table ------------------------------------------------------ */

static const pk_store_ops pg_ops = {
    .name = "postgresql",
    .shared = true,
    .close = pg_close,
    .ping = pg_ping,
    .begin = pg_begin,
    .begin_lazy = pg_begin_lazy,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .savepoint = pg_savepoint,
    .release = pg_release,
    .rollback_to = pg_rollback_to,
    .backup_hint = "a PostgreSQL database is backed up with pg_dump, not prakerja backup: "
                   "pg_dump --format=custom --file=FILE DBNAME (and restored with pg_restore; "
                   "see docs/DEPLOYMENT.md), and the key file is backed up apart from it",

    .version = pg_version,
    .migrate = pg_migrate,
    .regions_each = pg_regions_each,
    .meta_get = pg_meta_get,
    .meta_put_once = pg_meta_put_once,
    .tx_meta_get = pg_tx_meta_get,
    .tx_meta_put_max = pg_tx_meta_put_max,

    .participants_find = pg_participants_find,
    .participant_ids = pg_participant_ids,
    .participants_write = pg_participants_write,
    .kk_members = pg_kk_members,
    .set_reasons = pg_set_reasons,
    .audit = pg_audit,
    .list_clear = pg_list_clear,
    .list_add = pg_list_add,
    .list_changes = pg_list_changes,
    .list_count = pg_list_count,
    .reevaluate = pg_reevaluate,
    .participants_each = pg_participants_each,
    .participant_status = pg_participant_status,
    .stats = pg_stats,
    .stats_children = pg_stats_children,
    .counts_verify = pg_counts_verify,
    .counts_rebuild = pg_counts_rebuild,
    .journey_counts = pg_journey_counts,
    .journey_counts_verify = pg_journey_counts_verify,
    .journey_counts_rebuild = pg_journey_counts_rebuild,
    .journey_counts_defer = pg_journey_counts_defer,
    .journey_counts_end = pg_journey_counts_end,

    .bulk_begin = pg_bulk_begin,
    .bulk_mark = pg_bulk_mark,
    .bulk_end = pg_bulk_end,
    .bulk_families = pg_bulk_families,
    .bulk_repeats = pg_bulk_repeats,
    .bulk_fold = pg_bulk_fold,

    .user_insert = pg_user_insert,
    .user_find = pg_user_find,
    .user_update = pg_user_update,
    .users_each = pg_users_each,
    .session_insert = pg_session_insert,
    .session_get = pg_session_get,
    .session_touch = pg_session_touch,
    .session_delete = pg_session_delete,
    .sessions_expire = pg_sessions_expire,
    .token_insert = pg_token_insert,
    .token_find = pg_token_find,
    .token_revoke = pg_token_revoke,
    .tokens_each = pg_tokens_each,
    .login_failure_add = pg_login_failure_add,
    .login_failures = pg_login_failures,
    .login_failures_clear = pg_login_failures_clear,

    .participants_search = pg_participants_search,
    .participant_get = pg_participant_get,
    .access_log_add = pg_access_log_add,
    .logs_find = pg_logs_find,
    .sealed_older = pg_sealed_older,
    .sealed_replace = pg_sealed_replace,
    .sealed_generations = pg_sealed_generations,
    .events_of = pg_events_of,
    .events_of_many = pg_events_of_many,
    .events_known = pg_events_known,
    .event_find = pg_event_find,
    .events_insert = pg_events_insert,
    .events_bulk_begin = pg_events_bulk_begin,
    .events_bulk_end = pg_events_bulk_end,
    .journey_tails = pg_journey_tails,
    .journey_put = pg_journey_put,
    .journey_state = pg_journey_state,
    .journeys_put = pg_journeys_put,
    .journey_tail = pg_journey_tail,
    .journey_ids = pg_journey_ids,
    .journey_get = pg_journey_get,
    .events_each = pg_events_each,
    .journey_due_wave = pg_journey_due_wave,
    .journey_due = pg_journey_due,

    .platform_insert = pg_platform_insert,
    .platform_update = pg_platform_update,
    .platform_find = pg_platform_find,
    .platforms_each = pg_platforms_each,
    .tx_platform_nonce = pg_tx_platform_nonce,
    .tx_idem_get = pg_tx_idem_get,
    .tx_idem_put = pg_tx_idem_put,
    .idem_prune = pg_idem_prune,
    .tx_card_find = pg_tx_card_find,
    .cards_page = pg_cards_page,
    .card_reissue = pg_card_reissue,
    .wave_insert = pg_wave_insert,
    .wave_get = pg_wave_get,
    .wave_peek = pg_wave_peek,
    .wave_set_state = pg_wave_set_state,
    .waves_each = pg_waves_each,
    .wave_applicants = pg_wave_applicants,
    .wave_applicants_count = pg_wave_applicants_count,
    .wave_last_join = pg_wave_last_join,
    .recipient_families = pg_recipient_families,
    .draw_insert = pg_draw_insert,
    .draw_get = pg_draw_get,
    .draw_rows_insert = pg_draw_rows_insert,
    .draw_rows_each = pg_draw_rows_each,
    .card_serial_max = pg_card_serial_max,
    .card_insert = pg_card_insert,
    .cards_insert = pg_cards_insert,
    .card_get = pg_card_get,
    .course_put = pg_course_put,
    .course_find = pg_course_find,
    .tx_course_find = pg_tx_course_find,
    .courses_each = pg_courses_each,
    .consent_set = pg_consent_set,
    .consent_get = pg_consent_get,
    .consent_changes = pg_consent_changes,
    .remind_subjects = pg_remind_subjects,
    .remind_marks = pg_remind_marks,
    .remind_marks_of = pg_remind_marks_of,
    .remind_subjects_by_region = pg_remind_subjects_by_region,
    .remind_effect = pg_remind_effect,
    .remind_effect_verify = pg_remind_effect_verify,
    .remind_effect_rebuild = pg_remind_effect_rebuild,
    .remind_fire_put = pg_remind_fire_put,
    .outbox_add = pg_outbox_add,
    .outbox_due = pg_outbox_due,
    .outbox_set = pg_outbox_set,
    .outbox_of = pg_outbox_of,
    .outbox_find = pg_outbox_find,
    .outbox_latest_to = pg_outbox_latest_to,
    .outbox_receipt = pg_outbox_receipt,
    .inbound_once = pg_inbound_once,
    .contact_failed_put = pg_contact_failed_put,
    .lease_take = pg_lease_take,
    .lease_drop = pg_lease_drop,
    .lease_holder = pg_lease_holder,
    .resident_code_put = pg_resident_code_put,
    .resident_code_get = pg_resident_code_get,
    .resident_code_set = pg_resident_code_set,
    .rsession_put = pg_rsession_put,
    .rsession_get = pg_rsession_get,
    .rsession_set = pg_rsession_set,
    .contact_pref_get = pg_contact_pref_get,
    .contact_pref_set = pg_contact_pref_set,
    .outreach_insert = pg_outreach_insert,
    .outreach_update = pg_outreach_update,
    .outreach_tx_get = pg_outreach_tx_get,
    .outreach_attribute = pg_outreach_attribute,
    .outreach_get = pg_outreach_get,
    .outreach_each = pg_outreach_each,
    .outreach_of = pg_outreach_of,
    .outreach_reached = pg_outreach_reached,
    .outreach_journey_counts = pg_outreach_journey_counts,
};

int pk_pg_open(const char *url, pk_store **out, char *err, size_t errlen)
{
    *out = NULL;
    pk_store *s = calloc(1, sizeof(*s));
    pg *p = calloc(1, sizeof(*p));
    char *u = strdup(url), *shown = pg_redact(url);
    pgc *c = NULL;
    if (s == NULL || p == NULL || u == NULL || shown == NULL) {
        snprintf(err, errlen, "out of memory");
        free(s);
        free(p);
        free(u);
        free(shown);
        return PK_ENOMEM;
    }
    p->url = u;
    p->shown = shown;
    /* Connect now, so a wrong URL fails at start with a clear message. */
    int rc = pg_conn_open(p, &c, err, errlen);
    if (rc != 0) {
        free(s);
        free(p);
        free(u);
        free(shown);
        return rc;
    }
    pthread_mutex_init(&p->mu, NULL);
    p->idle[p->nidle++] = c;
    s->ops = &pg_ops;
    s->impl = p;
    *out = s;
    return 0;
}
