/* sqlite.c -- the SQLite backend of the store, the embedded default:
 * its connections, statements and transactions, and its op table.
 *
 * One database file in WAL mode.  Connections are pooled: a thread takes
 * one, uses it alone, and gives it back, so readers never block each
 * other.  Writes go through one dedicated writer connection, held for a
 * whole BEGIN IMMEDIATE transaction (one writer at a time, the others
 * wait on busy_timeout) with synchronous=FULL, so an acknowledged write
 * survives power loss.  Every statement is in one table
 * (sqlite_stmts.h), prepared once per connection on first use.
 *
 * The backend's files, in the order of pk_store_ops (store_impl.h); pg.c
 * divides the PostgreSQL backend alike:
 *
 *   sqlite.c               connections, the statement table, transactions
 *                          and savepoints, the op table
 *   sqlite_migrations.c    the migrations (append only), the region table
 *                          they load, the two INTEGER halves of a blind
 *                          index (migration 7)
 *   sqlite_schema.c        the migrator; the region table and named
 *                          values (pk_meta) read back
 *   sqlite_participants.c  the registry: find, write, families, reasons,
 *                          audit, exclusion lists, re-evaluation, reads,
 *                          status, stats
 *   sqlite_bulk.c          bulk loading of an empty registry
 *   sqlite_accounts.c      users, sessions, API tokens, failed logins
 *                          (SQL shared with PostgreSQL: sql_accounts.h)
 *   sqlite_access.c        staff reads of personal data, the access log,
 *                          key rotation of sealed boxes
 *   sqlite_journey.c       the journey: events (append only) and the
 *                          state derived from them
 *   sqlite_platform.c      the digital platforms: credentials, nonces,
 *                          idempotent answers (SQL shared: sql_platform.h)
 *   sqlite_waves.c         waves, their draws, card numbers
 *   sqlite_remind.c        reminders: consent (SQL shared: sql_remind.h)
 *   sqlite_int.h           what these files share
 *   sqlite_stmts.h         every statement, in one X-macro table
 *
 * Errors are returned; what an operator should see (a statement that
 * cannot be prepared, a writer that cannot open) goes to the store's log
 * callback (sq_log), never to stderr. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/pk.h"
#include "store/sqlite_int.h"

/* ---- connections ------------------------------------------------------ */

void sq_log(sq *q, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    pk_backend_log(&q->base, "%s", msg);
}

/* Process-wide settings, before SQLite's first use.  Without memory
 * statistics (which nothing here reads), SQLite's allocator takes no
 * global mutex on every allocation (3-5% of a bulk load writer's CPU). */
static void sq_config(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static int sq_conn_open(sq *q, const char *path, sqc **out, char *err, size_t errlen)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sq_config);
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path, &db, flags, NULL);
    if (rc != SQLITE_OK) {
        /* the usual cause, said with what to do: a directory missing or
         * not writable (SQLite says only "unable to open database file") */
        char dir[PATH_MAX];
        snprintf(dir, sizeof dir, "%s", path);
        char *slash = strrchr(dir, '/');
        if (slash != NULL)
            *(slash == dir ? slash + 1 : slash) = '\0';
        else
            snprintf(dir, sizeof dir, ".");
        struct stat st;
        if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
            snprintf(err, errlen, "cannot open database %s: the directory %s does not exist "
                     "(create it first, or give another --db)", path, dir);
        else if (access(dir, W_OK) != 0)
            snprintf(err, errlen, "cannot open database %s: the directory %s is not writable "
                     "by this user", path, dir);
        else
            snprintf(err, errlen, "cannot open database %s: %s", path,
                     db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return PK_EIO;
    }
    sqlite3_busy_timeout(db, SQ_BUSY_MS);
    sqlite3_extended_result_codes(db, 1);
    static const char *pragmas = "PRAGMA journal_mode=WAL;"
                                 "PRAGMA synchronous=FULL;"
                                 "PRAGMA foreign_keys=ON;"
                                 "PRAGMA temp_store=MEMORY;";
    char *msg = NULL;
    /* SQLite answers SQLITE_BUSY here at once, without its busy handler,
     * in some moments of another process setting up or closing a new
     * database (seen in CI: three processes migrating one new database at
     * once): wait and try again, until the busy timeout has passed. */
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    while ((rc = sqlite3_exec(db, pragmas, NULL, NULL, &msg)) != SQLITE_OK &&
           (rc & 0xff) == SQLITE_BUSY) {
        clock_gettime(CLOCK_MONOTONIC, &t);
        if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 >= SQ_BUSY_MS)
            break;
        sqlite3_free(msg);
        msg = NULL;
        sqlite3_sleep(10);
    }
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "cannot use database %s: %s", path, msg ? msg : "?");
        sqlite3_free(msg);
        sqlite3_close(db);
        return PK_EIO;
    }
    sqc *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        sqlite3_close(db);
        snprintf(err, errlen, "out of memory");
        return PK_ENOMEM;
    }
    c->db = db;
    c->q = q;
    *out = c;
    return 0;
}

/* Finalizes its statements first: SQLite keeps a connection with
 * statements open. */
void sq_conn_close(sqc *c)
{
    if (c == NULL)
        return;
    for (int i = 0; i < S__COUNT; i++)
        sqlite3_finalize(c->st[i]);
    sqlite3_close(c->db);
    free(c);
}

static uint64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

int sq_conn_get(sq *q, sqc **out)
{
    char err[256];
    pthread_mutex_lock(&q->mu);
    if (q->nidle > 0) {
        *out = q->idle[--q->nidle];
        pthread_mutex_unlock(&q->mu);
        pk_backend_pool_count(&q->base, false, 0);
        return 0;
    }
    pthread_mutex_unlock(&q->mu);
    pk_backend_pool_count(&q->base, true, 0);
    int rc = sq_conn_open(q, q->path, out, err, sizeof(err));
    if (rc != 0)
        sq_log(q, "%s", err);
    return rc;
}

void sq_conn_put(sq *q, sqc *c)
{
    pthread_mutex_lock(&q->mu);
    if (q->nidle < SQ_POOL_MAX) {
        q->idle[q->nidle++] = c;
        c = NULL;
    }
    pthread_mutex_unlock(&q->mu);
    sq_conn_close(c);
}

static void sq_close(pk_store *s)
{
    sq *q = s->impl;
    for (int i = 0; i < q->nidle; i++)
        sq_conn_close(q->idle[i]);
    sq_conn_close(q->writer);
    pthread_mutex_destroy(&q->mu);
    pthread_mutex_destroy(&q->wmu);
    free(q->path);
    free(q);
    free(s);
}

/* ---- statements ------------------------------------------------------- */

static const struct {
    const char *name, *types, *sql;
} stmts[S__COUNT] = {
#define X(name, types, sql) {#name, types, sql},
#include "store/sqlite_stmts.h"
#undef X
};

/* Whether st has one parameter per type, parameter k numbered k: "?k",
 * "$k" or an anonymous "?".  A "$k" is a name to SQLite, numbered by its
 * first appearance, so the SQL shared with PostgreSQL (sql_accounts.h)
 * must bring $1, $2, ... in that order. */
static bool params_ok(sqlite3_stmt *st, const char *types)
{
    int n = sqlite3_bind_parameter_count(st);
    if (n != (int)strlen(types))
        return false;
    for (int k = 1; k <= n; k++) {
        const char *name = sqlite3_bind_parameter_name(st, k);
        if (name != NULL && atoi(name + 1) != k)
            return false;
    }
    return true;
}

static sqlite3_stmt *prepare(sqc *c, int which, unsigned flags)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v3(c->db, stmts[which].sql, -1, flags, &st, NULL) != SQLITE_OK) {
        sq_log(c->q, "cannot prepare statement %s: %s", stmts[which].name,
               sqlite3_errmsg(c->db));
        return NULL;
    }
    if (!params_ok(st, stmts[which].types)) {
        sq_log(c->q, "statement %s: its parameters are not $1..$%zu in order",
               stmts[which].name, strlen(stmts[which].types));
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

sqlite3_stmt *sq_stmt_all_bound(sqc *c, int which)
{
    sqlite3_stmt *st = c->st[which];
    if (st == NULL) {
        if ((st = prepare(c, which, SQLITE_PREPARE_PERSISTENT)) == NULL)
            return NULL;
        c->st[which] = st;
    }
    sqlite3_reset(st);
    return st;
}

sqlite3_stmt *sq_stmt(sqc *c, int which)
{
    sqlite3_stmt *st = sq_stmt_all_bound(c, which);
    if (st != NULL)
        sqlite3_clear_bindings(st);
    return st;
}

sqlite3_stmt *sq_stmt_fresh(sqc *c, int which)
{
    return prepare(c, which, 0);
}

/* The column's text into out, cut to cap - 1 bytes (memcpy: snprintf was
 * a tenth of reading a journey). */
void sq_copy_col(sqlite3_stmt *st, int i, char *out, size_t cap)
{
    const char *s = (const char *)sqlite3_column_text(st, i);
    size_t n = s ? (size_t)sqlite3_column_bytes(st, i) : 0;
    if (n >= cap)
        n = cap - 1;
    if (n > 0)
        memcpy(out, s, n);
    out[n] = '\0';
}

int sq_read_begin(sq *q, int which, sqc **c, sqlite3_stmt **st)
{
    int rc = sq_conn_get(q, c);
    if (rc != 0)
        return rc;
    if ((*st = sq_stmt(*c, which)) == NULL) {
        sq_conn_put(q, *c);
        return PK_EIO;
    }
    return 0;
}

void sq_read_end(sq *q, sqc *c, sqlite3_stmt *st)
{
    sqlite3_reset(st);
    sq_conn_put(q, c);
}

int sq_error(int rc)
{
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        return PK_ECONFLICT;
    if ((rc & 0xff) == SQLITE_FULL)
        return PK_ENOSPC;
    return PK_EIO;
}

int sq_step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : sq_error(rc);
}

static int sq_ping(pk_store *s)
{
    sq *q = s->impl;
    sqc *c;
    int rc = sq_conn_get(q, &c);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = sq_stmt(c, S_PING);
    rc = st != NULL && sqlite3_step(st) == SQLITE_ROW ? 0 : PK_EIO;
    if (st != NULL)
        sqlite3_reset(st);
    sq_conn_put(q, c);
    return rc;
}

/* ---- transactions ----------------------------------------------------- */

/* The page cache of the writer: large for the randomly keyed indexes; a
 * bulk load has none of those to keep up to date and gives the room to
 * its caller (a filter of the NIKs seen) until its transaction ends
 * (sqlite_bulk.c). */
#define WRITER_CACHE "PRAGMA cache_size = -32768"
/* pk_store_begin_lazy's transaction, and the defaults after it */
#define LAZY_ON "PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=0"
#define LAZY_OFF "PRAGMA synchronous=FULL; PRAGMA wal_autocheckpoint=1000"

static int begin(pk_store *s, pk_tx **out, bool lazy);

int sq_begin(pk_store *s, pk_tx **out)
{
    return begin(s, out, false);
}

int sq_begin_lazy(pk_store *s, pk_tx **out)
{
    return begin(s, out, true);
}

static int begin(pk_store *s, pk_tx **out, bool lazy)
{
    sq *q = s->impl;
    char err[256];
    if (pthread_mutex_trylock(&q->wmu) != 0) { /* another transaction holds the writer */
        uint64_t t0 = now_ns();
        pthread_mutex_lock(&q->wmu);
        uint64_t waited = now_ns() - t0;
        pk_backend_pool_count(&q->base, q->writer == NULL, waited > 0 ? waited : 1);
    } else {
        pk_backend_pool_count(&q->base, q->writer == NULL, 0);
    }
    if (q->writer == NULL) {
        if (sq_conn_open(q, q->path, &q->writer, err, sizeof(err)) != 0) {
            pthread_mutex_unlock(&q->wmu);
            sq_log(q, "%s", err);
            return PK_EIO;
        }
        /* The writer's temporary storage is on disk: building an index
         * sorts every row, which must not grow the process by the size of
         * the registry.  (It holds blind indexes and codes, never personal
         * data; SQLite unlinks its temporary files as it opens them.) */
        sqlite3_exec(q->writer->db,
                     "PRAGMA temp_store = FILE;"
                     "CREATE TEMP TABLE IF NOT EXISTS list_old (list TEXT, nik_bi BLOB,"
                     " PRIMARY KEY (list, nik_bi))",
                     NULL, NULL, NULL);
        /* The NIK and KK indexes are keyed by random hashes, so a batch
         * touches pages all over them: keep them in memory (bounded). */
        sqlite3_exec(q->writer->db, WRITER_CACHE, NULL, NULL, NULL);
    }
    /* Neither an fsync nor a checkpoint at its commit: the next ordinary
     * commit does both, for everything before it.  (The safety level
     * cannot change inside a transaction.) */
    if (lazy)
        sqlite3_exec(q->writer->db, LAZY_ON, NULL, NULL, NULL);
    if (sqlite3_exec(q->writer->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        if (lazy)
            sqlite3_exec(q->writer->db, LAZY_OFF, NULL, NULL, NULL);
        pthread_mutex_unlock(&q->wmu);
        return PK_EIO;
    }
    sq_tx *tx = calloc(1, sizeof(*tx));
    if (tx == NULL) {
        sqlite3_exec(q->writer->db, "ROLLBACK", NULL, NULL, NULL);
        if (lazy)
            sqlite3_exec(q->writer->db, LAZY_OFF, NULL, NULL, NULL);
        pthread_mutex_unlock(&q->wmu);
        return PK_ENOMEM;
    }
    tx->base.store = s;
    tx->q = q;
    tx->lazy = lazy;
    *out = &tx->base;
    return 0;
}

/* Ends a transaction begun by sq_begin: what a bulk load changed in the
 * writer is set back (its cache, and the WAL: should another process
 * hold the database open by now, whoever opens it next turns the WAL
 * on again, as sq_conn_open does). */
static void tx_end(sq_tx *tx)
{
    sq *q = tx->q;
    if (tx->small_cache)
        sqlite3_exec(q->writer->db, WRITER_CACHE, NULL, NULL, NULL);
    if (tx->rollback_journal)
        sqlite3_exec(q->writer->db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
    if (tx->no_fk)
        sqlite3_exec(q->writer->db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
    if (tx->lazy)
        sqlite3_exec(q->writer->db, LAZY_OFF, NULL, NULL, NULL);
    sq_bulk_uncount(tx);
    free(tx);
    pthread_mutex_unlock(&q->wmu);
}

int sq_commit(pk_tx *t)
{
    sq_tx *tx = (sq_tx *)t;
    sqlite3 *db = tx->q->writer->db;
    /* the caller did not build the indexes or fill the counters again: refuse */
    if (tx->bulk || tx->events_bulk || tx->counts_deferred)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    int rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    rc = rc == SQLITE_OK ? 0 : sq_error(rc); /* a full disk shows here (WAL frames) */
    if (rc != 0)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    tx_end(tx);
    return rc;
}

void sq_rollback(pk_tx *t)
{
    sq_tx *tx = (sq_tx *)t;
    sqlite3_exec(tx->q->writer->db, "ROLLBACK", NULL, NULL, NULL);
    tx_end(tx);
}

sqc *sq_txc(pk_tx *t)
{
    return ((sq_tx *)t)->q->writer;
}


static int step_tx(pk_tx *t, int which)
{
    sqlite3_stmt *st = sq_stmt(sq_txc(t), which);
    return st != NULL ? sq_step_done(st) : PK_EIO;
}

static int sq_savepoint(pk_tx *t)
{
    return step_tx(t, S_SAVEPOINT);
}

static int sq_release(pk_tx *t)
{
    return step_tx(t, S_RELEASE);
}

static int sq_rollback_to(pk_tx *t)
{
    int rc = step_tx(t, S_ROLLBACK_TO);
    int rc2 = step_tx(t, S_RELEASE);
    return rc ? rc : rc2;
}

/* ---- backup ------------------------------------------------------------ */

#define BACKUP_STEP_PAGES 1024

/* pk_store_backup: the online backup API from a pooled connection that
 * holds one read transaction for the whole copy, so that every step
 * copies from the same snapshot (in WAL mode writers go on meanwhile, and
 * the copy is neither torn nor restarted by their commits). */
static int sq_backup(pk_store *s, const char *path, int64_t *bytes, char *err, size_t errlen)
{
    sq *q = s->impl;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        snprintf(err, errlen, "cannot create %s: %s%s", path, strerror(errno),
                 errno == EEXIST ? " (a backup never overwrites a file: choose a new name)" : "");
        return PK_EINVAL;
    }
    close(fd);
    sqc *c = NULL;
    sqlite3 *dst = NULL;
    sqlite3_backup *b = NULL;
    bool reading = false;
    int rc = sq_conn_get(q, &c);
    if (rc != 0) {
        snprintf(err, errlen, "cannot open the database for reading");
        goto out;
    }
    rc = PK_EIO;
    /* BEGIN is deferred: the first read starts the snapshot. */
    if (sqlite3_exec(c->db, "BEGIN; SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL) !=
        SQLITE_OK) {
        snprintf(err, errlen, "cannot start reading the database: %s", sqlite3_errmsg(c->db));
        goto out;
    }
    reading = true;
    if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        snprintf(err, errlen, "cannot open %s: %s", path,
                 dst ? sqlite3_errmsg(dst) : "out of memory");
        goto out;
    }
    if ((b = sqlite3_backup_init(dst, "main", c->db, "main")) == NULL) {
        snprintf(err, errlen, "cannot start the backup: %s", sqlite3_errmsg(dst));
        goto out;
    }
    int st, busy_ms = 0;
    while ((st = sqlite3_backup_step(b, BACKUP_STEP_PAGES)) == SQLITE_OK ||
           ((st == SQLITE_BUSY || st == SQLITE_LOCKED) && busy_ms < SQ_BUSY_MS))
        if (st != SQLITE_OK) { /* the snapshot is held: only a lock on FILE can do this */
            sqlite3_sleep(10);
            busy_ms += 10;
        }
    int fin = sqlite3_backup_finish(b);
    b = NULL;
    if (st != SQLITE_DONE || fin != SQLITE_OK) {
        snprintf(err, errlen, "backup failed: %s", sqlite3_errstr(st != SQLITE_DONE ? st : fin));
        goto out;
    }
    /* Durable before it is reported written (the copy is in rollback
     * journal mode until opened by the service, which turns the WAL on). */
    if (sqlite3_exec(dst, "PRAGMA journal_mode=DELETE", NULL, NULL, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "cannot finish %s: %s", path, sqlite3_errmsg(dst));
        goto out;
    }
    rc = 0;
out:
    if (b != NULL)
        sqlite3_backup_finish(b);
    if (dst != NULL)
        sqlite3_close(dst);
    if (reading)
        sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
    if (c != NULL)
        sq_conn_put(q, c);
    if (rc == 0) {
        int f = open(path, O_RDONLY | O_CLOEXEC);
        struct stat sb;
        if (f < 0 || fsync(f) != 0 || fstat(f, &sb) != 0) {
            snprintf(err, errlen, "cannot write %s: %s", path, strerror(errno));
            rc = PK_EIO;
        } else {
            *bytes = (int64_t)sb.st_size;
        }
        if (f >= 0)
            close(f);
    }
    if (rc != 0) /* ours: created above */
        unlink(path);
    return rc;
}

/* ---- the op table ----------------------------------------------------- */

static const pk_store_ops sqlite_ops = {
    .name = "sqlite",
    .close = sq_close,
    .ping = sq_ping,
    .begin = sq_begin,
    .begin_lazy = sq_begin_lazy,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .savepoint = sq_savepoint,
    .release = sq_release,
    .rollback_to = sq_rollback_to,
    .backup = sq_backup,

    .version = sq_version,
    .migrate = sq_migrate,
    .regions_each = sq_regions_each,
    .meta_get = sq_meta_get,
    .meta_put_once = sq_meta_put_once,
    .tx_meta_get = sq_tx_meta_get,
    .tx_meta_put_max = sq_tx_meta_put_max,

    .participants_find = sq_participants_find,
    .participant_ids = sq_participant_ids,
    .participants_write = sq_participants_write,
    .kk_members = sq_kk_members,
    .set_reasons = sq_set_reasons,
    .audit = sq_audit,
    .list_clear = sq_list_clear,
    .list_add = sq_list_add,
    .list_changes = sq_list_changes,
    .list_count = sq_list_count,
    .reevaluate = sq_reevaluate,
    .participants_each = sq_participants_each,
    .participant_status = sq_participant_status,
    .stats = sq_stats,
    .stats_children = sq_stats_children,
    .counts_verify = sq_counts_verify,
    .counts_rebuild = sq_counts_rebuild,
    .journey_counts = sq_journey_counts,
    .journey_counts_verify = sq_journey_counts_verify,
    .journey_counts_rebuild = sq_journey_counts_rebuild,

    .bulk_begin = sq_bulk_begin,
    .bulk_mark = sq_bulk_mark,
    .bulk_end = sq_bulk_end,
    .bulk_families = sq_bulk_families,
    .bulk_repeats = sq_bulk_repeats,
    .bulk_fold = sq_bulk_fold,

    .user_insert = sq_user_insert,
    .user_find = sq_user_find,
    .user_update = sq_user_update,
    .users_each = sq_users_each,
    .session_insert = sq_session_insert,
    .session_get = sq_session_get,
    .session_touch = sq_session_touch,
    .session_delete = sq_session_delete,
    .sessions_expire = sq_sessions_expire,
    .token_insert = sq_token_insert,
    .token_find = sq_token_find,
    .token_revoke = sq_token_revoke,
    .tokens_each = sq_tokens_each,
    .login_failure_add = sq_login_failure_add,
    .login_failures = sq_login_failures,
    .login_failures_clear = sq_login_failures_clear,

    .participants_search = sq_participants_search,
    .participant_get = sq_participant_get,
    .access_log_add = sq_access_log_add,
    .logs_find = sq_logs_find,
    .sealed_older = sq_sealed_older,
    .sealed_replace = sq_sealed_replace,
    .sealed_generations = sq_sealed_generations,
    .events_of = sq_events_of,
    .events_of_many = sq_events_of_many,
    .events_known = sq_events_known,
    .event_find = sq_event_find,
    .events_insert = sq_events_insert,
    .events_bulk_begin = sq_events_bulk_begin,
    .events_bulk_end = sq_events_bulk_end,
    .large_writes = sq_large_writes,
    .journey_counts_defer = sq_journey_counts_defer,
    .journey_counts_end = sq_journey_counts_end,
    .journey_put = sq_journey_put,
    .journey_state = sq_journey_state,
    .journeys_put = sq_journeys_put,
    .journey_tail = sq_journey_tail,
    .journey_ids = sq_journey_ids,
    .journey_get = sq_journey_get,
    .events_each = sq_events_each,
    .journey_due_wave = sq_journey_due_wave,
    .journey_due = sq_journey_due,

    .platform_insert = sq_platform_insert,
    .platform_update = sq_platform_update,
    .platform_find = sq_platform_find,
    .platforms_each = sq_platforms_each,
    .tx_platform_nonce = sq_tx_platform_nonce,
    .tx_idem_get = sq_tx_idem_get,
    .tx_idem_put = sq_tx_idem_put,
    .idem_prune = sq_idem_prune,
    .tx_card_find = sq_tx_card_find,
    .cards_page = sq_cards_page,
    .card_reissue = sq_card_reissue,
    .wave_insert = sq_wave_insert,
    .wave_get = sq_wave_get,
    .wave_peek = sq_wave_peek,
    .wave_set_state = sq_wave_set_state,
    .waves_each = sq_waves_each,
    .wave_applicants = sq_wave_applicants,
    .wave_applicants_count = sq_wave_applicants_count,
    .wave_last_join = sq_wave_last_join,
    .recipient_families = sq_recipient_families,
    .draw_insert = sq_draw_insert,
    .draw_get = sq_draw_get,
    .draw_rows_insert = sq_draw_rows_insert,
    .draw_rows_each = sq_draw_rows_each,
    .card_serial_max = sq_card_serial_max,
    .card_insert = sq_card_insert,
    .card_get = sq_card_get,
    .course_put = sq_course_put,
    .course_find = sq_course_find,
    .tx_course_find = sq_tx_course_find,
    .courses_each = sq_courses_each,
    .consent_set = sq_consent_set,
    .consent_get = sq_consent_get,
    .consent_changes = sq_consent_changes,
    .remind_subjects = sq_remind_subjects,
    .remind_marks = sq_remind_marks,
    .remind_marks_of = sq_remind_marks_of,
    .remind_subjects_by_region = sq_remind_subjects_by_region,
    .remind_effect = sq_remind_effect,
    .remind_effect_verify = sq_remind_effect_verify,
    .remind_effect_rebuild = sq_remind_effect_rebuild,
    .remind_fire_put = sq_remind_fire_put,
    .outbox_add = sq_outbox_add,
    .outbox_due = sq_outbox_due,
    .outbox_set = sq_outbox_set,
    .outbox_of = sq_outbox_of,
    .outbox_find = sq_outbox_find,
    .outbox_latest_to = sq_outbox_latest_to,
    .outbox_receipt = sq_outbox_receipt,
    .inbound_once = sq_inbound_once,
    .contact_failed_put = sq_contact_failed_put,
    .lease_take = sq_lease_take,
    .lease_drop = sq_lease_drop,
    .lease_holder = sq_lease_holder,
    .resident_code_put = sq_resident_code_put,
    .resident_code_get = sq_resident_code_get,
    .resident_code_set = sq_resident_code_set,
    .rsession_put = sq_rsession_put,
    .rsession_get = sq_rsession_get,
    .rsession_set = sq_rsession_set,
    .contact_pref_get = sq_contact_pref_get,
    .contact_pref_set = sq_contact_pref_set,
    .outreach_insert = sq_outreach_insert,
    .outreach_update = sq_outreach_update,
    .outreach_tx_get = sq_outreach_tx_get,
    .outreach_attribute = sq_outreach_attribute,
    .outreach_get = sq_outreach_get,
    .outreach_each = sq_outreach_each,
    .outreach_of = sq_outreach_of,
    .outreach_reached = sq_outreach_reached,
    .outreach_journey_counts = sq_outreach_journey_counts,
};

int pk_sqlite_open(const char *path, pk_store **out, char *err, size_t errlen)
{
    /* A new database file is made readable by its owner only: it holds
     * names, birth dates and verdicts in clear.  SQLite gives the -wal
     * and -shm files it creates the mode of the database file. */
    if (path[0] != ':' && strncmp(path, "file:", 5) != 0) {
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd >= 0)
            close(fd);
    }
    pk_store *s = calloc(1, sizeof(*s));
    sq *q = calloc(1, sizeof(*q));
    char *p = strdup(path);
    sqc *c = NULL;
    if (s == NULL || q == NULL || p == NULL) {
        free(s);
        free(q);
        free(p);
        snprintf(err, errlen, "out of memory");
        return PK_ENOMEM;
    }
    int rc = sq_conn_open(q, path, &c, err, errlen);
    if (rc != 0) {
        free(s);
        free(q);
        free(p);
        return rc;
    }
    pthread_mutex_init(&q->mu, NULL);
    pthread_mutex_init(&q->wmu, NULL);
    q->path = p;
    q->idle[q->nidle++] = c;
    s->ops = &sqlite_ops;
    s->impl = q;
    *out = s;
    return 0;
}
