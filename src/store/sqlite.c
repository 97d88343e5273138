/* sqlite.c -- the SQLite backend of the store, the embedded default.
 *
 * One database file in WAL mode.  Connections are pooled: a thread takes
 * one, uses it alone, and gives it back, so readers never block each
 * other.  Writes go through BEGIN IMMEDIATE (one writer at a time, the
 * others wait on busy_timeout) with synchronous=FULL, so an acknowledged
 * write survives power loss.  Schema changes are versioned migrations,
 * each applied in its own transaction together with its version row. */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/participant.h"
#include "core/pk.h"
#include "core/scheme.h"
#include "store/store_impl.h"

#define POOL_MAX 64
#define BUSY_MS 10000 /* how long a connection waits for a lock */

/* Statements of the writer connection, prepared once and reused. */
enum {
    W_FIND, W_INSERT, W_UPDATE, W_ANY_LISTED, W_ANY_PARTICIPANT, W_LISTS_OF, W_KK_MEMBERS,
    W_BULK_MARK, W_BULK_FAMILIES, W_BULK_REPEATS, W_BULK_FOLD, W_BULK_DROP,
    W_SET_REASONS, W_AUDIT,
    W_LIST_SAVE_OLD, W_LIST_CLEAR_OLD, W_LIST_DELETE, W_LIST_ADD, W_LIST_CHANGES, W_LIST_COUNT,
    W_ROW_BY_NIK, W_SET_BASE,
    W_USER_INSERT, W_USER_UPDATE, W_USER_END_SESSIONS, W_SESSION_INSERT, W_SESSION_TOUCH,
    W_SESSION_DELETE, W_SESSIONS_EXPIRE, W_TOKEN_INSERT, W_TOKEN_REVOKE, W_FAIL_FORGET,
    W_FAIL_ADD, W_FAIL_CLEAR, W_PII_OLDER, W_NOTE_OLDER, W_PII_RESEAL, W_NOTE_RESEAL,
    W__COUNT
};

typedef struct sq {
    char *path;
    pthread_mutex_t mu;
    sqlite3 *idle[POOL_MAX];
    int nidle;
    /* The single writer: a dedicated connection, held for a whole
     * transaction under wmu. */
    pthread_mutex_t wmu;
    sqlite3 *writer;
    sqlite3_stmt *wst[W__COUNT];
} sq;

typedef struct sq_tx {
    pk_tx base;
    sq *q;
    bool bulk;          /* see pk_tx_bulk_begin */
    bool small_cache;   /* since bulk_begin, until the transaction ends */
    bool rollback_journal; /* the same: the bulk load runs without the WAL */
    bool no_fk;         /* the same: nor checks the region of each row (bulk_setup) */
    bool repeats_index; /* sq_bulk_repeats built its index */
} sq_tx;

/* ---- connections ------------------------------------------------------ */

/* Process-wide settings, before SQLite's first use.  Without memory
 * statistics (which nothing here reads), SQLite's allocator takes no
 * global mutex on every allocation (3-5% of a bulk load writer's CPU). */
static void sq_config(void)
{
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static int conn_open(const char *path, sqlite3 **out, char *err, size_t errlen)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, sq_config);
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path, &db, flags, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "cannot open database %s: %s", path,
                 db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return PK_EIO;
    }
    sqlite3_busy_timeout(db, BUSY_MS);
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
        if ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 >= BUSY_MS)
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
    *out = db;
    return 0;
}

static int conn_get(sq *q, sqlite3 **out)
{
    char err[256];
    pthread_mutex_lock(&q->mu);
    if (q->nidle > 0) {
        *out = q->idle[--q->nidle];
        pthread_mutex_unlock(&q->mu);
        return 0;
    }
    pthread_mutex_unlock(&q->mu);
    return conn_open(q->path, out, err, sizeof(err));
}

static void conn_put(sq *q, sqlite3 *db)
{
    pthread_mutex_lock(&q->mu);
    if (q->nidle < POOL_MAX) {
        q->idle[q->nidle++] = db;
        db = NULL;
    }
    pthread_mutex_unlock(&q->mu);
    if (db != NULL)
        sqlite3_close(db);
}

/* ---- migrations ------------------------------------------------------- */

typedef struct load_ctx {
    sqlite3_stmt *ins;
} load_ctx;

static int insert_region(void *ctx, const char *code, const char *parent, int level,
                         const char *name)
{
    sqlite3_stmt *st = ((load_ctx *)ctx)->ins;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    if (parent != NULL)
        sqlite3_bind_text(st, 2, parent, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 2);
    sqlite3_bind_int(st, 3, level);
    sqlite3_bind_text(st, 4, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : PK_EIO;
}

static int load_regions(void *conn, const char *datadir, char *err, size_t errlen)
{
    sqlite3 *db = conn;
    load_ctx ctx = {0};
    if (sqlite3_prepare_v2(db, "INSERT INTO region(code, parent, level, name) VALUES (?,?,?,?)",
                           -1, &ctx.ins, NULL) != SQLITE_OK) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        return PK_EIO;
    }
    int rc = pk_store_load_wilayah(datadir, insert_region, &ctx, err, errlen);
    if (rc == PK_EIO && err[0] == '\0')
        snprintf(err, errlen, "loading regions: %s", sqlite3_errmsg(db));
    sqlite3_finalize(ctx.ins);
    return rc;
}

/* The participant table's columns (migration 2 made the NIK index UNIQUE
 * inline, migration 5 moved that to a named index, migration 7 made each
 * blind index two integers: see bind_bi). */
#define PARTICIPANT_COLUMNS(nik_unique)                                     \
    "  id            INTEGER PRIMARY KEY,"                                  \
    "  nik_bi        BLOB NOT NULL" nik_unique ","                          \
    "  kk_bi         BLOB NOT NULL," PARTICIPANT_COLUMNS_REST
#define PARTICIPANT_COLUMNS_V7                                              \
    "  id            INTEGER PRIMARY KEY,"                                  \
    "  nik_hi        INTEGER NOT NULL,"                                     \
    "  nik_lo        INTEGER NOT NULL,"                                     \
    "  kk_hi         INTEGER NOT NULL,"                                     \
    "  kk_lo         INTEGER NOT NULL," PARTICIPANT_COLUMNS_REST
#define PARTICIPANT_COLUMNS_REST                                            \
    "  pii           BLOB NOT NULL,"                                        \
    "  digest        BLOB NOT NULL,"                                        \
    "  nama          TEXT NOT NULL,"                                        \
    "  tanggal_lahir TEXT NOT NULL,"                                        \
    "  jenis_kelamin TEXT NOT NULL CHECK (jenis_kelamin IN ('L', 'P')),"   \
    "  kode_wilayah  TEXT NOT NULL REFERENCES region(code),"               \
    "  pendidikan    TEXT NOT NULL,"                                        \
    "  segmen        TEXT NOT NULL,"                                        \
    "  pekerjaan     TEXT NOT NULL,"                                        \
    "  warnings      INTEGER NOT NULL,"                                     \
    "  scheme        TEXT NOT NULL,"                                        \
    "  base_reasons  INTEGER NOT NULL,"                                     \
    "  reasons       INTEGER NOT NULL,"                                     \
    "  as_of         TEXT NOT NULL,"                                        \
    "  source        TEXT NOT NULL,"                                        \
    "  created_at    TEXT NOT NULL,"                                        \
    "  updated_at    TEXT NOT NULL"

/* The participant table's indexes since migration 7.  A bulk load drops
 * them and builds them again at its end: sorting once costs less than
 * keeping them up to date row by row.  That is plain for the two keyed
 * by blind indexes, which take rows in random order; the region index
 * takes each row at the end of its village's run, but with a few
 * hundred villages interleaved, that still cost the writer about 1.1 s
 * of CPU per million rows (a page split inside the tree every hundred
 * rows or so), against 0.6 s to build it afterwards, partly on the
 * sorter's second thread. */
#define PARTICIPANT_INDEXES                                                  \
    "CREATE UNIQUE INDEX participant_nik ON participant(nik_hi, nik_lo);"    \
    "CREATE INDEX participant_kk ON participant(kk_hi, kk_lo);"              \
    "CREATE INDEX participant_region ON participant(kode_wilayah);"
/* (Migration 5's, on the blobs.) */
#define PARTICIPANT_INDEXES_V5                                               \
    "CREATE UNIQUE INDEX participant_nik ON participant(nik_bi);"            \
    "CREATE INDEX participant_kk ON participant(kk_bi, id);"                 \
    "CREATE INDEX participant_region ON participant(kode_wilayah);"

/* The participant table keeps each 16-byte blind index as two INTEGER
 * columns (hi, lo): its bytes big-endian with the top bit flipped, so
 * integer order is the order of the bytes (as memcmp), and paging after
 * a blind index means the same as on PostgreSQL, which keeps bytea.
 * Building an index then compares integers where it decoded records to
 * compare blobs: about 0.45 s less for the NIK and KK indexes of a
 * million rows.  (The exclusion table keeps blobs: nothing sorts it in
 * bulk.) */
static int64_t bi_half(const uint8_t *b)
{
    uint64_t v = pk_bi_key(b) ^ UINT64_C(1) << 63;
    int64_t h;
    memcpy(&h, &v, sizeof(h));
    return h;
}

static void bi_put_half(uint8_t *b, int64_t h)
{
    uint64_t v;
    memcpy(&v, &h, sizeof(v));
    v ^= UINT64_C(1) << 63;
    for (int i = 7; i >= 0; i--, v >>= 8)
        b[i] = (uint8_t)v;
}

/* Binds parameters i and i + 1 to a blind index's two halves. */
static void bind_bi(sqlite3_stmt *st, int i, const uint8_t *bi)
{
    sqlite3_bind_int64(st, i, bi_half(bi));
    sqlite3_bind_int64(st, i + 1, bi_half(bi + 8));
}

/* Reads a blind index from columns i and i + 1. */
static void column_bi(sqlite3_stmt *st, int i, uint8_t *out)
{
    bi_put_half(out, sqlite3_column_int64(st, i));
    bi_put_half(out + 8, sqlite3_column_int64(st, i + 1));
}

/* Migration 7: every blind index of the participant table becomes two
 * integers (bind_bi), through two SQL functions that live only for it. */
static void bi_half_fn(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    int off = *(const int *)sqlite3_user_data(cx);
    if (sqlite3_value_bytes(argv[0]) != PK_BI_LEN) {
        sqlite3_result_error(cx, "blind index of the wrong length", -1);
        return;
    }
    sqlite3_result_int64(cx, bi_half((const uint8_t *)sqlite3_value_blob(argv[0]) + off));
}

static int exec(sqlite3 *db, const char *sql, char *err, size_t errlen);

static int split_blind_indexes(void *conn, const char *datadir, char *err, size_t errlen)
{
    (void)datadir;
    sqlite3 *db = conn;
    static const int hi = 0, lo = 8;
    int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC;
    if (sqlite3_create_function(db, "pk_bi_hi", 1, flags, (void *)&hi, bi_half_fn, NULL, NULL) !=
            SQLITE_OK ||
        sqlite3_create_function(db, "pk_bi_lo", 1, flags, (void *)&lo, bi_half_fn, NULL, NULL) !=
            SQLITE_OK) {
        snprintf(err, errlen, "%s", sqlite3_errmsg(db));
        return PK_EIO;
    }
    int rc = exec(db,
                  "CREATE TABLE participant_v7 (" PARTICIPANT_COLUMNS_V7 ") STRICT;"
                  "INSERT INTO participant_v7 SELECT id, pk_bi_hi(nik_bi), pk_bi_lo(nik_bi),"
                  " pk_bi_hi(kk_bi), pk_bi_lo(kk_bi), pii, digest, nama, tanggal_lahir,"
                  " jenis_kelamin, kode_wilayah, pendidikan, segmen, pekerjaan, warnings, scheme,"
                  " base_reasons, reasons, as_of, source, created_at, updated_at FROM participant;"
                  "DROP TABLE participant;"
                  "ALTER TABLE participant_v7 RENAME TO participant;" PARTICIPANT_INDEXES,
                  err, errlen);
    sqlite3_create_function(db, "pk_bi_hi", 1, flags, NULL, NULL, NULL, NULL);
    sqlite3_create_function(db, "pk_bi_lo", 1, flags, NULL, NULL, NULL, NULL);
    return rc;
}

/* Append only (see pk_migration); PostgreSQL's are numbered alike. */
static const pk_migration migrations[] = {
    {1, "region table (Kemendagri codes, ODbL data from data/wilayah)",
     "CREATE TABLE region ("
     "  code   TEXT PRIMARY KEY,"
     "  parent TEXT REFERENCES region(code),"
     "  level  INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),"
     "  name   TEXT NOT NULL"
     ") STRICT, WITHOUT ROWID;",
     load_regions, "CREATE INDEX region_parent ON region(parent, code);"},
    {2, "participant registry: sealed personal data, blind indexes, exclusion lists, audit log",
     "CREATE TABLE participant (" PARTICIPANT_COLUMNS(" UNIQUE") ") STRICT;"
     "CREATE INDEX participant_kk ON participant(kk_bi, id);"
     "CREATE INDEX participant_region ON participant(kode_wilayah);"
     "CREATE TABLE exclusion ("
     "  list   TEXT NOT NULL,"
     "  nik_bi BLOB NOT NULL,"
     "  note   BLOB,"
     "  PRIMARY KEY (list, nik_bi)"
     ") STRICT, WITHOUT ROWID;"
     "CREATE INDEX exclusion_nik ON exclusion(nik_bi);"
     "CREATE TABLE pk_meta ("
     "  name  TEXT PRIMARY KEY,"
     "  value BLOB NOT NULL"
     ") STRICT;"
     "CREATE TABLE audit ("
     "  id      INTEGER PRIMARY KEY,"
     "  at      TEXT NOT NULL,"
     "  source  TEXT NOT NULL,"
     "  action  TEXT NOT NULL,"
     "  subject INTEGER,"
     "  detail  TEXT NOT NULL"
     ") STRICT;",
     NULL, NULL},
    {3, "accounts: users, sessions, API tokens, failed logins",
     "CREATE TABLE app_user ("
     "  id         INTEGER PRIMARY KEY,"
     "  username   TEXT NOT NULL UNIQUE,"
     "  role       TEXT NOT NULL,"
     "  region     TEXT REFERENCES region(code),"
     "  pwhash     TEXT NOT NULL,"
     "  disabled   INTEGER NOT NULL DEFAULT 0,"
     "  created_at TEXT NOT NULL,"
     "  updated_at TEXT NOT NULL"
     ") STRICT;"
     "CREATE TABLE user_session ("
     "  id      BLOB PRIMARY KEY,"
     "  user_id INTEGER NOT NULL REFERENCES app_user(id),"
     "  created INTEGER NOT NULL,"
     "  seen    INTEGER NOT NULL"
     ") STRICT, WITHOUT ROWID;"
     "CREATE INDEX user_session_user ON user_session(user_id);"
     "CREATE INDEX user_session_seen ON user_session(seen);"
     "CREATE TABLE api_token ("
     "  id         INTEGER PRIMARY KEY,"
     "  hash       BLOB NOT NULL UNIQUE,"
     "  user_id    INTEGER NOT NULL REFERENCES app_user(id),"
     "  label      TEXT NOT NULL,"
     "  created_at TEXT NOT NULL,"
     "  revoked_at TEXT"
     ") STRICT;"
     "CREATE TABLE login_failure ("
     "  k  BLOB NOT NULL,"
     "  at INTEGER NOT NULL"
     ") STRICT;"
     "CREATE INDEX login_failure_k ON login_failure(k, at);"
     "CREATE INDEX login_failure_at ON login_failure(at);",
     NULL, NULL},
    {4, "access log: reads of personal data and exports (append only)",
     "CREATE TABLE access_log ("
     "  id      INTEGER PRIMARY KEY,"
     "  at      TEXT NOT NULL,"
     "  actor   TEXT NOT NULL,"
     "  action  TEXT NOT NULL,"
     "  route   TEXT NOT NULL,"
     "  subject INTEGER,"
     "  detail  TEXT NOT NULL"
     ") STRICT;"
     "CREATE INDEX access_log_at ON access_log(at);"
     /* append only: the store has no op that changes it, and the
      * database refuses it too */
     "CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log"
     " BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;"
     "CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log"
     " BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;",
     NULL, NULL},
    /* An inline UNIQUE cannot be dropped; a named index can, so a bulk
     * load of an empty registry may build it once at the end. */
    {5, "participant: the NIK index becomes a named unique index (bulk loading)",
     "CREATE TABLE participant_v5 (" PARTICIPANT_COLUMNS("") ") STRICT;"
     "INSERT INTO participant_v5 SELECT id, nik_bi, kk_bi, pii, digest, nama, tanggal_lahir,"
     " jenis_kelamin, kode_wilayah, pendidikan, segmen, pekerjaan, warnings, scheme,"
     " base_reasons, reasons, as_of, source, created_at, updated_at FROM participant;"
     "DROP TABLE participant;"
     "ALTER TABLE participant_v5 RENAME TO participant;" PARTICIPANT_INDEXES_V5,
     NULL, NULL},
    /* A new database computes its blind indexes with SipHash (vault.h:
     * PK_BLIND_SIPHASH_NAME); one that has ever been used keeps BLAKE2b,
     * the function its stored indexes were made with. */
    {6, "blind indexes: new databases use SipHash-2-4 (pk_meta 'blind')",
     "INSERT INTO pk_meta (name, value) SELECT 'blind', CAST('siphash24-2x64' AS BLOB)"
     " WHERE NOT EXISTS (SELECT 1 FROM pk_meta WHERE name = 'key_check')"
     " AND NOT EXISTS (SELECT 1 FROM participant) AND NOT EXISTS (SELECT 1 FROM exclusion);",
     NULL, NULL},
    {7, "participant: each blind index as two integers (faster index builds)", NULL,
     split_blind_indexes, NULL},
};

static int latest_version(void)
{
    return migrations[PK_ARRAY_LEN(migrations) - 1].version;
}

static int read_version(sqlite3 *db, int *current)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(db,
                                "SELECT coalesce(max(version), 0) FROM pk_migration", -1, &st,
                                NULL);
    if (rc != SQLITE_OK) {
        /* no table yet: a new, empty database */
        sqlite3_finalize(st);
        if (sqlite3_errcode(db) == SQLITE_ERROR && strstr(sqlite3_errmsg(db), "no such table")) {
            *current = 0;
            return 0;
        }
        return PK_EIO;
    }
    rc = sqlite3_step(st);
    *current = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : PK_EIO;
}

static int sq_version(pk_store *s, int *current, int *latest)
{
    sq *q = s->impl;
    sqlite3 *db;
    *latest = latest_version();
    int rc = conn_get(q, &db);
    if (rc != 0)
        return rc;
    rc = read_version(db, current);
    conn_put(q, db);
    return rc;
}

static int exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "%s", msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return PK_EIO;
    }
    return 0;
}

/* ---- the migrator (pk_store_migrations) ---- */

static int mg_exec(void *conn, const char *sql, char *err, size_t errlen)
{
    return exec(conn, sql, err, errlen);
}

static int mg_begin(void *conn, char *err, size_t errlen)
{
    return exec(conn, "BEGIN IMMEDIATE", err, errlen);
}

static int mg_version(void *conn, int *current)
{
    return read_version(conn, current);
}

static int mg_record(void *conn, const pk_migration *m, char *err, size_t errlen)
{
    char *sql = sqlite3_mprintf("INSERT INTO pk_migration(version, name, applied_at) "
                                "VALUES (%d, %Q, strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', 'now'))",
                                m->version, m->name);
    if (sql == NULL) {
        snprintf(err, errlen, "out of memory");
        return PK_ENOMEM;
    }
    int rc = exec(conn, sql, err, errlen);
    sqlite3_free(sql);
    return rc;
}

static int mg_commit(void *conn, char *err, size_t errlen)
{
    return exec(conn, "COMMIT", err, errlen);
}

static void mg_rollback(void *conn)
{
    sqlite3_exec(conn, "ROLLBACK", NULL, NULL, NULL);
}

static int sq_migrate(pk_store *s, const char *datadir, int *from, int *to, char *err,
                      size_t errlen)
{
    sq *q = s->impl;
    sqlite3 *db;
    int rc = conn_get(q, &db);
    if (rc != 0) {
        snprintf(err, errlen, "cannot open database %s", q->path);
        return rc;
    }
    rc = exec(db,
              "CREATE TABLE IF NOT EXISTS pk_migration ("
              "  version    INTEGER PRIMARY KEY,"
              "  name       TEXT NOT NULL,"
              "  applied_at TEXT NOT NULL"
              ") STRICT",
              err, errlen);
    if (rc == 0) {
        pk_migrator mg = {db, mg_begin, mg_exec, mg_version, mg_record, mg_commit, mg_rollback};
        rc = pk_store_migrations(&mg, migrations, PK_ARRAY_LEN(migrations), datadir, from, to,
                                 err, errlen);
    }
    conn_put(q, db);
    return rc;
}

static int sq_ping(pk_store *s)
{
    sq *q = s->impl;
    sqlite3 *db;
    int rc = conn_get(q, &db);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = NULL;
    rc = PK_EIO;
    if (sqlite3_prepare_v2(db, "SELECT 1", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW)
        rc = 0;
    sqlite3_finalize(st);
    conn_put(q, db);
    return rc;
}

static int sq_regions_each(pk_store *s, pk_region_cb cb, void *ctx)
{
    sq *q = s->impl;
    sqlite3 *db;
    int rc = conn_get(q, &db);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "SELECT code, name FROM region ORDER BY code", -1, &st, NULL) !=
        SQLITE_OK) {
        rc = PK_EIO;
        goto out;
    }
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        rc = cb(ctx, (const char *)sqlite3_column_text(st, 0),
                (const char *)sqlite3_column_text(st, 1));
        if (rc != 0)
            goto out;
    }
    if (r != SQLITE_DONE)
        rc = PK_EIO;
out:
    sqlite3_finalize(st);
    conn_put(q, db);
    return rc;
}

static void sq_close(pk_store *s)
{
    sq *q = s->impl;
    for (int i = 0; i < q->nidle; i++)
        sqlite3_close(q->idle[i]);
    for (int i = 0; i < W__COUNT; i++)
        sqlite3_finalize(q->wst[i]);
    sqlite3_close(q->writer);
    pthread_mutex_destroy(&q->mu);
    pthread_mutex_destroy(&q->wmu);
    free(q->path);
    free(q);
    free(s);
}

/* ---- the registry: writes ---------------------------------------------- */

#define NOW "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')"
#define PCOLS "id, nik_hi, nik_lo, kk_hi, kk_lo, pii, nama, tanggal_lahir, jenis_kelamin, " \
              "kode_wilayah, pendidikan, segmen, pekerjaan, warnings, scheme, base_reasons, " \
              "reasons, source, created_at, updated_at, digest, as_of"

static const char *const wsql[W__COUNT] = {
    [W_FIND] = "SELECT id, digest, kk_hi, kk_lo, reasons, base_reasons, scheme FROM participant"
               " WHERE nik_hi = ?1 AND nik_lo = ?2",
    /* (bind_row: ?1-?18; ?19 the id, ?20 as_of, ?21 the time) */
    [W_INSERT] = "INSERT INTO participant (nik_hi, nik_lo, kk_hi, kk_lo, pii, digest, nama,"
                 " tanggal_lahir, jenis_kelamin, kode_wilayah, pendidikan, segmen, pekerjaan,"
                 " warnings, scheme, base_reasons, reasons, source, as_of, created_at, updated_at)"
                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
                 " ?17, ?18, ?20, ?21, ?21)",
    [W_UPDATE] = "UPDATE participant SET nik_hi = ?1, nik_lo = ?2, kk_hi = ?3, kk_lo = ?4,"
                 " pii = ?5, digest = ?6, nama = ?7, tanggal_lahir = ?8, jenis_kelamin = ?9,"
                 " kode_wilayah = ?10, pendidikan = ?11, segmen = ?12, pekerjaan = ?13,"
                 " warnings = ?14, scheme = ?15, base_reasons = ?16, reasons = ?17, source = ?18,"
                 " as_of = ?20, updated_at = ?21 WHERE id = ?19",
    [W_ANY_LISTED] = "SELECT EXISTS (SELECT 1 FROM exclusion)",
    [W_ANY_PARTICIPANT] = "SELECT EXISTS (SELECT 1 FROM participant)",
    [W_BULK_MARK] = "INSERT OR IGNORE INTO temp.bulk_kk (kk_hi, kk_lo) VALUES (?1, ?2)",
    /* (through participant_nik_repeats, see sq_bulk_repeats) */
    [W_BULK_REPEATS] = "WITH r AS (SELECT nik_hi, nik_lo FROM participant"
                       " WHERE (nik_hi, nik_lo) >= (?1, ?2) GROUP BY nik_hi, nik_lo"
                       " HAVING count(*) > 1 ORDER BY nik_hi, nik_lo LIMIT ?4)"
                       " SELECT p.nik_hi, p.nik_lo, p.id, p.kk_hi, p.kk_lo, p.digest"
                       " FROM participant p JOIN r ON p.nik_hi = r.nik_hi AND p.nik_lo = r.nik_lo"
                       " WHERE (p.nik_hi, p.nik_lo) > (?1, ?2) OR p.id > ?3"
                       " ORDER BY p.nik_hi, p.nik_lo, p.id LIMIT ?4",
    /* Row ?2 takes the place of row ?1, as on PostgreSQL (pg_bulk_fold):
     * its id and created_at; OR REPLACE deletes row ?1 as ?2 takes its
     * id.  (The right-hand sides read row ?2 as it was.) */
    [W_BULK_FOLD] = "UPDATE OR REPLACE participant SET id = ?1, created_at ="
                    " (SELECT created_at FROM participant WHERE id = ?1),"
                    " updated_at = created_at, reasons = base_reasons WHERE id = ?2",
    [W_BULK_DROP] = "DELETE FROM participant WHERE id = ?1",
    /* (After (?1, ?2) when ?5, else from it: a range the primary key
     * seeks to, so each page starts where the last one ended.) */
    [W_BULK_FAMILIES] = "SELECT m.kk_hi, m.kk_lo FROM temp.bulk_kk m"
                        " WHERE (m.kk_hi, m.kk_lo) >= (?1, ?2)"
                        " AND NOT (?5 AND m.kk_hi = ?1 AND m.kk_lo = ?2) AND"
                        " (SELECT count(*) FROM participant p"
                        "  WHERE p.kk_hi = m.kk_hi AND p.kk_lo = m.kk_lo) > ?3"
                        " ORDER BY m.kk_hi, m.kk_lo LIMIT ?4",
    [W_LISTS_OF] = "SELECT list FROM exclusion WHERE nik_bi = ?",
    [W_KK_MEMBERS] = "SELECT id, scheme, base_reasons, reasons FROM participant"
                     " WHERE kk_hi = ?1 AND kk_lo = ?2 ORDER BY id",
    [W_SET_REASONS] = "UPDATE participant SET reasons = ?2, updated_at = ?3 WHERE id = ?1",
    [W_AUDIT] = "INSERT INTO audit (at, source, action, subject, detail)"
                " VALUES (?5, ?1, ?2, ?3, ?4)",
    [W_LIST_SAVE_OLD] = "INSERT OR IGNORE INTO temp.list_old SELECT nik_bi FROM exclusion WHERE list = ?",
    [W_LIST_CLEAR_OLD] = "DELETE FROM temp.list_old",
    [W_LIST_DELETE] = "DELETE FROM exclusion WHERE list = ?",
    [W_LIST_ADD] = "INSERT INTO exclusion (list, nik_bi, note) VALUES (?1, ?2, ?3)"
                   " ON CONFLICT (list, nik_bi) DO UPDATE SET note = excluded.note",
    [W_LIST_CHANGES] = "SELECT nik_bi FROM temp.list_old WHERE nik_bi NOT IN"
                       " (SELECT nik_bi FROM exclusion WHERE list = ?1)"
                       " UNION SELECT nik_bi FROM exclusion WHERE list = ?1 AND nik_bi NOT IN"
                       " (SELECT nik_bi FROM temp.list_old)",
    [W_LIST_COUNT] = "SELECT count(*) FROM exclusion WHERE list = ?",
    [W_ROW_BY_NIK] = "SELECT " PCOLS " FROM participant WHERE nik_hi = ?1 AND nik_lo = ?2",
    [W_SET_BASE] = "UPDATE participant SET base_reasons = ?2, reasons = ?3, updated_at = " NOW
                   " WHERE id = ?1",
    [W_USER_INSERT] = "INSERT INTO app_user (username, role, region, pwhash, disabled,"
                      " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, " NOW ", " NOW ")",
    [W_USER_UPDATE] = "UPDATE app_user SET role = ?2, region = ?3, pwhash = ?4, disabled = ?5,"
                      " updated_at = " NOW " WHERE id = ?1",
    [W_USER_END_SESSIONS] = "DELETE FROM user_session WHERE user_id = ?1",
    [W_SESSION_INSERT] = "INSERT INTO user_session (id, user_id, created, seen)"
                         " VALUES (?1, ?2, ?3, ?3)",
    [W_SESSION_TOUCH] = "UPDATE user_session SET seen = ?2 WHERE id = ?1 AND seen < ?2",
    [W_SESSION_DELETE] = "DELETE FROM user_session WHERE id = ?1",
    [W_SESSIONS_EXPIRE] = "DELETE FROM user_session WHERE seen < ?1 OR created < ?2",
    [W_TOKEN_INSERT] = "INSERT INTO api_token (hash, user_id, label, created_at)"
                       " VALUES (?1, ?2, ?3, " NOW ")",
    [W_TOKEN_REVOKE] = "UPDATE api_token SET revoked_at = " NOW
                       " WHERE id = ?1 AND revoked_at IS NULL",
    [W_FAIL_FORGET] = "DELETE FROM login_failure WHERE at < ?1",
    [W_FAIL_ADD] = "INSERT INTO login_failure (k, at) VALUES (?1, ?2)",
    [W_FAIL_CLEAR] = "DELETE FROM login_failure WHERE k = ?1",
    /* The generation is a box's first byte: substr() of a blob counts
     * bytes and compares as a blob. */
    [W_PII_OLDER] = "SELECT id, nik_hi, nik_lo, pii FROM participant"
                    " WHERE id > ?1 AND substr(pii, 1, 1) < ?2 ORDER BY id LIMIT ?3",
    [W_NOTE_OLDER] = "SELECT list, nik_bi, note FROM exclusion"
                     " WHERE (list, nik_bi) > (?1, ?2) AND note IS NOT NULL"
                     " AND substr(note, 1, 1) < ?3 ORDER BY list, nik_bi LIMIT ?4",
    [W_PII_RESEAL] = "UPDATE participant SET pii = ?1 WHERE id = ?2 AND pii = ?3",
    [W_NOTE_RESEAL] = "UPDATE exclusion SET note = ?1 WHERE list = ?2 AND nik_bi = ?3"
                      " AND note = ?4",
};

/* The cached statement, reset and unbound, ready for this use. */
static sqlite3_stmt *wstmt(sq *q, int which)
{
    sqlite3_stmt *st = q->wst[which];
    if (st == NULL) {
        if (sqlite3_prepare_v3(q->writer, wsql[which], -1, SQLITE_PREPARE_PERSISTENT, &st,
                               NULL) != SQLITE_OK) {
            fprintf(stderr, "prakerja: store: cannot prepare statement %d: %s\n", which,
                    sqlite3_errmsg(q->writer));
            return NULL;
        }
        q->wst[which] = st;
    }
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return st;
}

static int step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc == SQLITE_DONE)
        return 0;
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
        return PK_ECONFLICT;
    return PK_EIO;
}

/* The page cache of the writer: large for the randomly keyed indexes; a
 * bulk load has none of those to keep up to date and gives the room to
 * its caller (a filter of the NIKs seen) until its transaction ends. */
#define WRITER_CACHE "PRAGMA cache_size = -32768"
#define BULK_CACHE "PRAGMA cache_size = -4096"

static int sq_begin(pk_store *s, pk_tx **out)
{
    sq *q = s->impl;
    char err[256];
    pthread_mutex_lock(&q->wmu);
    if (q->writer == NULL) {
        if (conn_open(q->path, &q->writer, err, sizeof(err)) != 0) {
            pthread_mutex_unlock(&q->wmu);
            fprintf(stderr, "prakerja: store: %s\n", err);
            return PK_EIO;
        }
        /* The writer's temporary storage is on disk: building an index
         * sorts every row, which must not grow the process by the size of
         * the registry.  (It holds blind indexes and codes, never personal
         * data; SQLite unlinks its temporary files as it opens them.) */
        sqlite3_exec(q->writer,
                     "PRAGMA temp_store = FILE;"
                     "CREATE TEMP TABLE IF NOT EXISTS list_old (nik_bi BLOB PRIMARY KEY)",
                     NULL, NULL, NULL);
        /* The NIK and KK indexes are keyed by random hashes, so a batch
         * touches pages all over them: keep them in memory (bounded). */
        sqlite3_exec(q->writer, WRITER_CACHE, NULL, NULL, NULL);
    }
    if (sqlite3_exec(q->writer, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
        pthread_mutex_unlock(&q->wmu);
        return PK_EIO;
    }
    sq_tx *tx = calloc(1, sizeof(*tx));
    if (tx == NULL) {
        sqlite3_exec(q->writer, "ROLLBACK", NULL, NULL, NULL);
        pthread_mutex_unlock(&q->wmu);
        return PK_ENOMEM;
    }
    tx->base.store = s;
    tx->q = q;
    *out = &tx->base;
    return 0;
}

/* Ends a transaction begun by sq_begin: what a bulk load changed in the
 * writer is set back (its cache, and the WAL: should another process
 * hold the database open by now, whoever opens it next turns the WAL
 * on again, as conn_open does). */
static void tx_end(sq_tx *tx)
{
    sq *q = tx->q;
    if (tx->small_cache)
        sqlite3_exec(q->writer, WRITER_CACHE, NULL, NULL, NULL);
    if (tx->rollback_journal)
        sqlite3_exec(q->writer, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
    if (tx->no_fk)
        sqlite3_exec(q->writer, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
    free(tx);
    pthread_mutex_unlock(&q->wmu);
}

static int sq_commit(pk_tx *t)
{
    sq_tx *tx = (sq_tx *)t;
    sq *q = tx->q;
    if (tx->bulk) /* the caller did not build the indexes again: refuse */
        sqlite3_exec(q->writer, "ROLLBACK", NULL, NULL, NULL);
    int rc = sqlite3_exec(q->writer, "COMMIT", NULL, NULL, NULL) == SQLITE_OK ? 0 : PK_EIO;
    if (rc != 0)
        sqlite3_exec(q->writer, "ROLLBACK", NULL, NULL, NULL);
    tx_end(tx);
    return rc;
}

static void sq_rollback(pk_tx *t)
{
    sq_tx *tx = (sq_tx *)t;
    sqlite3_exec(tx->q->writer, "ROLLBACK", NULL, NULL, NULL);
    tx_end(tx);
}

static sq *txq(pk_tx *t)
{
    return ((sq_tx *)t)->q;
}

static int sq_exec_tx(pk_tx *t, const char *sql)
{
    return sqlite3_exec(txq(t)->writer, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : PK_EIO;
}

static int sq_savepoint(pk_tx *t)
{
    return sq_exec_tx(t, "SAVEPOINT pk_job");
}

static int sq_release(pk_tx *t)
{
    return sq_exec_tx(t, "RELEASE pk_job");
}

static int sq_rollback_to(pk_tx *t)
{
    int rc = sq_exec_tx(t, "ROLLBACK TO pk_job");
    int rc2 = sq_exec_tx(t, "RELEASE pk_job");
    return rc ? rc : rc2;
}

static int lists_of(sq *q, const uint8_t *nik_bi, unsigned *lists)
{
    sqlite3_stmt *st = wstmt(q, W_LISTS_OF);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_blob(st, 1, nik_bi, PK_BI_LEN, SQLITE_STATIC);
    *lists = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        *lists |= pk_list_by_name((const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : PK_EIO;
}

/* The one number a statement without parameters answers. */
static int count_of(sq *q, int which, int64_t *n)
{
    sqlite3_stmt *st = wstmt(q, which);
    if (st == NULL)
        return PK_EIO;
    int rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : PK_EIO;
}

static int sq_participants_find(pk_tx *t, size_t n, const pk_bi *nik_bi,
                                pk_pknown *out)
{
    sq *q = txq(t);
    /* Most of the time nobody is listed yet, or few are: one look at
     * the lists saves a lookup per row. */
    int64_t listed = 0;
    int rc = count_of(q, W_ANY_LISTED, &listed);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        pk_pknown *k = &out[i];
        memset(k, 0, sizeof(*k));
        if (((sq_tx *)t)->bulk) { /* every NIK is new (the caller's word) */
            if (listed)
                rc = lists_of(q, nik_bi[i], &k->lists);
            continue;
        }
        sqlite3_stmt *st = wstmt(q, W_FIND);
        if (st == NULL)
            return PK_EIO;
        bind_bi(st, 1, nik_bi[i]);
        int r = sqlite3_step(st);
        if (r == SQLITE_ROW) {
            k->id = sqlite3_column_int64(st, 0);
            if (sqlite3_column_bytes(st, 1) == PK_DIGEST_LEN)
                memcpy(k->digest, sqlite3_column_blob(st, 1), PK_DIGEST_LEN);
            column_bi(st, 2, k->kk_bi);
            k->reasons = (uint64_t)sqlite3_column_int64(st, 4);
            k->base_reasons = (uint64_t)sqlite3_column_int64(st, 5);
            snprintf(k->scheme, sizeof(k->scheme), "%s", (const char *)sqlite3_column_text(st, 6));
        } else if (r != SQLITE_DONE) {
            rc = PK_EIO;
        }
        sqlite3_reset(st);
        if (rc == 0 && listed)
            rc = lists_of(q, nik_bi[i], &k->lists);
    }
    return rc;
}

static void bind_row(sqlite3_stmt *st, const pk_prow *r)
{
    bind_bi(st, 1, r->nik_bi);
    bind_bi(st, 3, r->kk_bi);
    sqlite3_bind_blob(st, 5, r->pii, (int)r->pii_len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 6, r->digest, PK_DIGEST_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, r->nama, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, r->tanggal_lahir, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, r->jenis_kelamin, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, r->kode_wilayah, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 11, r->pendidikan, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 12, r->segmen, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 13, r->pekerjaan, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 14, (sqlite3_int64)r->warnings);
    sqlite3_bind_text(st, 15, r->scheme, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 16, (sqlite3_int64)r->base_reasons);
    sqlite3_bind_int64(st, 17, (sqlite3_int64)r->reasons);
    sqlite3_bind_text(st, 18, r->source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 20, r->as_of, -1, SQLITE_STATIC);
}

static int sq_participants_write(pk_tx *t, size_t n, pk_prow *rows)
{
    sq *q = txq(t);
    char now[32];
    pk_store_now(now);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        pk_prow *r = &rows[i];
        sqlite3_stmt *st = wstmt(q, r->id == 0 ? W_INSERT : W_UPDATE);
        if (st == NULL)
            return PK_EIO;
        bind_row(st, r);
        sqlite3_bind_text(st, 21, now, -1, SQLITE_STATIC);
        if (r->id != 0)
            sqlite3_bind_int64(st, 19, r->id);
        rc = step_done(st);
        if (rc == 0 && r->id == 0)
            r->id = sqlite3_last_insert_rowid(q->writer);
    }
    return rc;
}

static int sq_kk_members(pk_tx *t, size_t n, const pk_bi *kk_bi, pk_member_cb cb, void *ctx)
{
    sq *q = txq(t);
    size_t m;
    if (((sq_tx *)t)->bulk)
        return 0; /* no index to find them by: the caller applies the limit afterwards */
    pk_bi *kk = pk_bi_sorted(n, kk_bi, &m);
    if (kk == NULL)
        return PK_ENOMEM;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < m; i++) {
        sqlite3_stmt *st = wstmt(q, W_KK_MEMBERS);
        if (st == NULL) {
            rc = PK_EIO;
            break;
        }
        bind_bi(st, 1, kk[i]);
        int r;
        while (rc == 0 && (r = sqlite3_step(st)) == SQLITE_ROW) {
            pk_member mb = {kk[i], sqlite3_column_int64(st, 0),
                            (const char *)sqlite3_column_text(st, 1),
                            (uint64_t)sqlite3_column_int64(st, 2),
                            (uint64_t)sqlite3_column_int64(st, 3)};
            rc = cb(ctx, &mb);
        }
        if (rc == 0 && r != SQLITE_DONE)
            rc = PK_EIO;
        sqlite3_reset(st);
    }
    free(kk);
    return rc;
}

static int sq_set_reasons(pk_tx *t, size_t n, const int64_t *ids, const uint64_t *reasons)
{
    sq *q = txq(t);
    char now[32];
    pk_store_now(now);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        sqlite3_stmt *st = wstmt(q, W_SET_REASONS);
        if (st == NULL)
            return PK_EIO;
        sqlite3_bind_int64(st, 1, ids[i]);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)reasons[i]);
        sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
        rc = step_done(st);
    }
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
static void bulk_setup(sq_tx *tx)
{
    sq *q = tx->q;
    pthread_mutex_lock(&q->mu); /* our own idle readers would hold the WAL open */
    while (q->nidle > 0)
        sqlite3_close(q->idle[--q->nidle]);
    pthread_mutex_unlock(&q->mu);
    sqlite3_busy_timeout(q->writer, 0); /* someone else has it open: keep the WAL */
    sqlite3_stmt *st = NULL;
    if (sqlite3_exec(q->writer, "COMMIT", NULL, NULL, NULL) == SQLITE_OK) {
        tx->no_fk = sqlite3_exec(q->writer, "PRAGMA foreign_keys=OFF", NULL, NULL, NULL) ==
                    SQLITE_OK;
        if (sqlite3_prepare_v2(q->writer, "PRAGMA journal_mode=DELETE", -1, &st, NULL) ==
                SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            tx->rollback_journal =
                sqlite3_strnicmp((const char *)sqlite3_column_text(st, 0), "delete", 6) == 0;
    }
    sqlite3_finalize(st);
    sqlite3_busy_timeout(q->writer, BUSY_MS);
    sqlite3_exec(q->writer, "BEGIN IMMEDIATE", NULL, NULL, NULL);
}

static int sq_bulk_begin(pk_tx *t, bool *on)
{
    sq_tx *tx = (sq_tx *)t;
    int64_t any = 1;
    int rc = count_of(tx->q, W_ANY_PARTICIPANT, &any);
    if (rc != 0 || any)
        return rc;
    bulk_setup(tx);
    if (sqlite3_get_autocommit(tx->q->writer)) /* BEGIN failed */
        return PK_EIO;
    if ((rc = count_of(tx->q, W_ANY_PARTICIPANT, &any)) != 0 || any)
        return rc; /* another writer came first: no bulk load */
    char *msg = NULL;
    if (sqlite3_exec(tx->q->writer,
                     "DROP INDEX participant_nik; DROP INDEX participant_kk;"
                     "DROP INDEX participant_region; " BULK_CACHE ";"
                     "CREATE TEMP TABLE IF NOT EXISTS bulk_kk (kk_hi INTEGER, kk_lo INTEGER,"
                     " PRIMARY KEY (kk_hi, kk_lo)) WITHOUT ROWID;"
                     "DELETE FROM temp.bulk_kk",
                     NULL, NULL, &msg) != SQLITE_OK) {
        fprintf(stderr, "prakerja: store: bulk load: %s\n", msg ? msg : "?");
        sqlite3_free(msg);
        return PK_EIO;
    }
    tx->bulk = tx->small_cache = *on = true;
    return 0;
}

static int sq_bulk_end(pk_tx *t)
{
    sq_tx *tx = (sq_tx *)t;
    if (!tx->bulk)
        return 0;
    /* the sorter may use a second thread: the reader's core is idle by now */
    int rc = sqlite3_exec(tx->q->writer,
                          "DROP INDEX IF EXISTS participant_nik_repeats;"
                          "PRAGMA threads = 1;" PARTICIPANT_INDEXES,
                          NULL, NULL, NULL);
    sqlite3_exec(tx->q->writer, "PRAGMA threads = 0", NULL, NULL, NULL);
    if (rc != SQLITE_OK)
        return (rc & 0xff) == SQLITE_CONSTRAINT ? PK_ECONFLICT : PK_EIO;
    tx->bulk = tx->repeats_index = false;
    return 0;
}

static int sq_bulk_mark(pk_tx *t, size_t n, const pk_bi *kk_bi)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        sqlite3_stmt *st = wstmt(txq(t), W_BULK_MARK);
        if (st == NULL)
            return PK_EIO;
        bind_bi(st, 1, kk_bi[i]);
        rc = step_done(st);
    }
    return rc;
}

static int sq_bulk_families(pk_tx *t, int small, const uint8_t *after, size_t limit,
                            pk_bi *out, size_t *n)
{
    sqlite3_stmt *st = wstmt(txq(t), W_BULK_FAMILIES);
    if (st == NULL)
        return PK_EIO;
    if (after != NULL) {
        bind_bi(st, 1, after);
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
        column_bi(st, 0, out[(*n)++]);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : PK_EIO;
}

/* The rows whose NIK repeats, found through an index on the NIK (not
 * unique: that is what failed) that the first call of the transaction
 * builds and bulk_end drops again. */
static int sq_bulk_repeats(pk_tx *t, const uint8_t *after_nik, int64_t after_id, size_t limit,
                           pk_repeat *out, size_t *n)
{
    sq_tx *tx = (sq_tx *)t;
    sq *q = tx->q;
    if (!tx->repeats_index) {
        if (sqlite3_exec(q->writer,
                         "CREATE INDEX participant_nik_repeats ON participant(nik_hi, nik_lo)",
                         NULL, NULL, NULL) != SQLITE_OK)
            return PK_EIO;
        tx->repeats_index = true;
    }
    sqlite3_stmt *st = wstmt(q, W_BULK_REPEATS);
    if (st == NULL)
        return PK_EIO;
    if (after_nik != NULL) {
        bind_bi(st, 1, after_nik);
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
        column_bi(st, 0, r->nik_bi);
        r->id = sqlite3_column_int64(st, 2);
        column_bi(st, 3, r->kk_bi);
        memcpy(r->digest, sqlite3_column_blob(st, 5), PK_DIGEST_LEN);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : PK_EIO;
}

static int sq_bulk_fold(pk_tx *t, int64_t keep, int64_t from, bool copy)
{
    sqlite3_stmt *st = wstmt(txq(t), copy ? W_BULK_FOLD : W_BULK_DROP);
    if (st == NULL)
        return PK_EIO;
    if (copy)
        sqlite3_bind_int64(st, 1, keep);
    sqlite3_bind_int64(st, copy ? 2 : 1, from);
    return step_done(st);
}

static int sq_audit(pk_tx *t, size_t n, const pk_audit_entry *e)
{
    sq *q = txq(t);
    char now[32];
    pk_store_now(now);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        sqlite3_stmt *st = wstmt(q, W_AUDIT);
        if (st == NULL)
            return PK_EIO;
        sqlite3_bind_text(st, 1, e[i].source, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, e[i].action, -1, SQLITE_STATIC);
        if (e[i].subject > 0)
            sqlite3_bind_int64(st, 3, e[i].subject);
        sqlite3_bind_text(st, 4, e[i].detail ? e[i].detail : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, now, -1, SQLITE_STATIC);
        rc = step_done(st);
    }
    return rc;
}

static int exec_list(sq *q, int which, const char *list)
{
    sqlite3_stmt *st = wstmt(q, which);
    if (st == NULL)
        return PK_EIO;
    if (list != NULL)
        sqlite3_bind_text(st, 1, list, -1, SQLITE_STATIC);
    return step_done(st);
}

static int sq_list_clear(pk_tx *t, const char *list)
{
    sq *q = txq(t);
    int rc = exec_list(q, W_LIST_CLEAR_OLD, NULL);
    if (rc == 0)
        rc = exec_list(q, W_LIST_SAVE_OLD, list);
    if (rc == 0)
        rc = exec_list(q, W_LIST_DELETE, list);
    return rc;
}

static int sq_list_add(pk_tx *t, const char *list, const uint8_t *nik_bi, const uint8_t *note,
                       size_t note_len)
{
    sqlite3_stmt *st = wstmt(txq(t), W_LIST_ADD);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_text(st, 1, list, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, nik_bi, PK_BI_LEN, SQLITE_STATIC);
    if (note != NULL && note_len > 0)
        sqlite3_bind_blob(st, 3, note, (int)note_len, SQLITE_STATIC);
    return step_done(st);
}

static int sq_list_changes(pk_tx *t, const char *list, pk_bi_cb cb, void *ctx)
{
    sq *q = txq(t);
    /* Not the cached statement: cb writes through the cached ones while
     * this one is still stepping. */
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(q->writer, wsql[W_LIST_CHANGES], -1, &st, NULL) != SQLITE_OK)
        return PK_EIO;
    sqlite3_bind_text(st, 1, list, -1, SQLITE_STATIC);
    int rc, r = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_bytes(st, 0) != PK_BI_LEN)
            continue;
        if ((r = cb(ctx, sqlite3_column_blob(st, 0))) != 0)
            break;
    }
    sqlite3_finalize(st);
    return r != 0 ? r : rc == SQLITE_DONE ? 0 : PK_EIO;
}

static int sq_list_count(pk_tx *t, const char *list, int64_t *count)
{
    sqlite3_stmt *st = wstmt(txq(t), W_LIST_COUNT);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_text(st, 1, list, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *count = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : PK_EIO;
}

/* Fills row from a statement over PCOLS; strings point into st. */
static void read_row(sqlite3_stmt *st, pk_prow *r)
{
    memset(r, 0, sizeof(*r));
    r->id = sqlite3_column_int64(st, 0);
    column_bi(st, 1, r->nik_bi);
    column_bi(st, 3, r->kk_bi);
    r->pii = sqlite3_column_blob(st, 5);
    r->pii_len = (size_t)sqlite3_column_bytes(st, 5);
    r->nama = (const char *)sqlite3_column_text(st, 6);
    r->tanggal_lahir = (const char *)sqlite3_column_text(st, 7);
    r->jenis_kelamin = (const char *)sqlite3_column_text(st, 8);
    r->kode_wilayah = (const char *)sqlite3_column_text(st, 9);
    r->pendidikan = (const char *)sqlite3_column_text(st, 10);
    r->segmen = (const char *)sqlite3_column_text(st, 11);
    r->pekerjaan = (const char *)sqlite3_column_text(st, 12);
    r->warnings = (uint64_t)sqlite3_column_int64(st, 13);
    r->scheme = (const char *)sqlite3_column_text(st, 14);
    r->base_reasons = (uint64_t)sqlite3_column_int64(st, 15);
    r->reasons = (uint64_t)sqlite3_column_int64(st, 16);
    r->source = (const char *)sqlite3_column_text(st, 17);
    r->created_at = (const char *)sqlite3_column_text(st, 18);
    r->updated_at = (const char *)sqlite3_column_text(st, 19);
    if (sqlite3_column_bytes(st, 20) == PK_DIGEST_LEN)
        memcpy(r->digest, sqlite3_column_blob(st, 20), PK_DIGEST_LEN);
    r->as_of = (const char *)sqlite3_column_text(st, 21);
}

static int sq_reevaluate(pk_tx *t, const uint8_t *nik_bi, pk_reeval_fn fn, void *ctx,
                         uint8_t *kk_bi, int *changed)
{
    sq *q = txq(t);
    unsigned lists;
    int rc = lists_of(q, nik_bi, &lists);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = wstmt(q, W_ROW_BY_NIK);
    if (st == NULL)
        return PK_EIO;
    bind_bi(st, 1, nik_bi);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? PK_ENOENT : PK_EIO;
    }
    pk_prow row;
    read_row(st, &row);
    uint64_t base = fn(ctx, &row, lists);
    int64_t id = row.id;
    uint64_t old_base = row.base_reasons, quota = row.reasons & ~row.base_reasons;
    memcpy(kk_bi, row.kk_bi, PK_BI_LEN);
    sqlite3_reset(st);
    *changed = base != old_base;
    if (!*changed)
        return 0;
    if ((st = wstmt(q, W_SET_BASE)) == NULL)
        return PK_EIO;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)base);
    /* The KK limit only applies to the otherwise eligible; the caller
     * re-applies it to the family afterwards. */
    sqlite3_bind_int64(st, 3, (sqlite3_int64)(base != 0 ? base : base | quota));
    return step_done(st);
}

/* ---- the registry: reads ----------------------------------------------- */

/* Region subtree of a dotted code: the code itself and everything below
 * it ("31.74" .. "31.74/": '/' sorts right after '.'). */
static void bind_region(sqlite3_stmt *st, int a, int b, const char *region, char *hi,
                        size_t hilen)
{
    if (region == NULL || region[0] == '\0') {
        sqlite3_bind_text(st, a, "", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, b, "~", -1, SQLITE_STATIC);
        return;
    }
    snprintf(hi, hilen, "%s/", region);
    sqlite3_bind_text(st, a, region, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, b, hi, -1, SQLITE_STATIC);
}

static int sq_participants_each(pk_store *s, const char *region, pk_prow_cb cb, void *ctx)
{
    sq *q = s->impl;
    sqlite3 *db;
    int rc = conn_get(q, &db);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = NULL;
    char hi[PK_REGION_CODE_MAX + 2];
    if (sqlite3_prepare_v2(db,
                           "SELECT " PCOLS " FROM participant"
                           " WHERE kode_wilayah >= ?1 AND kode_wilayah < ?2 ORDER BY id",
                           -1, &st, NULL) != SQLITE_OK) {
        conn_put(q, db);
        return PK_EIO;
    }
    bind_region(st, 1, 2, region, hi, sizeof(hi));
    /* One read transaction: the walk sees a single snapshot. */
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    int r;
    rc = 0;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        pk_prow row;
        read_row(st, &row);
        if ((rc = cb(ctx, &row)) != 0)
            break;
    }
    if (rc == 0 && r != SQLITE_DONE)
        rc = PK_EIO;
    sqlite3_finalize(st);
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    conn_put(q, db);
    return rc;
}

static int sq_stats(pk_store *s, const char *region, pk_stats *out)
{
    sq *q = s->impl;
    sqlite3 *db;
    memset(out, 0, sizeof(*out));
    int rc = conn_get(q, &db);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = NULL;
    char hi[PK_REGION_CODE_MAX + 2];
    if (sqlite3_prepare_v2(db,
                           "SELECT segmen, jenis_kelamin, reasons, count(*) FROM participant"
                           " WHERE kode_wilayah >= ?1 AND kode_wilayah < ?2 GROUP BY 1, 2, 3",
                           -1, &st, NULL) != SQLITE_OK) {
        conn_put(q, db);
        return PK_EIO;
    }
    bind_region(st, 1, 2, region, hi, sizeof(hi));
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const char *seg = (const char *)sqlite3_column_text(st, 0);
        const char *sex = (const char *)sqlite3_column_text(st, 1);
        uint64_t reasons = (uint64_t)sqlite3_column_int64(st, 2);
        int64_t n = sqlite3_column_int64(st, 3);
        out->total += n;
        if (reasons == 0)
            out->eligible += n;
        for (int i = 1; i < PK_SEG__COUNT; i++)
            if (strcmp(seg, pk_segment_name(i)) == 0)
                out->by_segment[i] += n;
        out->by_sex[sex[0] == 'P'] += n;
        for (int c = 0; c < 64; c++)
            if (reasons & ((uint64_t)1 << c))
                out->by_reason[c] += n;
    }
    rc = r == SQLITE_DONE ? 0 : PK_EIO;
    sqlite3_finalize(st);
    conn_put(q, db);
    return rc;
}

static int sq_participant_status(pk_store *s, const uint8_t *nik_bi, pk_pstatus *out)
{
    sq *q = s->impl;
    sqlite3 *db;
    int rc = conn_get(q, &db);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = NULL;
    memset(out, 0, sizeof(*out));
    rc = PK_EIO;
    if (sqlite3_prepare_v2(db, "SELECT tanggal_lahir, scheme, reasons, created_at"
                               " FROM participant WHERE nik_hi = ?1 AND nik_lo = ?2", -1, &st,
                           NULL) == SQLITE_OK) {
        bind_bi(st, 1, nik_bi);
        int r = sqlite3_step(st);
        if (r == SQLITE_ROW) {
            const unsigned char *v;
            snprintf(out->tanggal_lahir, sizeof(out->tanggal_lahir), "%s",
                     (v = sqlite3_column_text(st, 0)) ? (const char *)v : "");
            snprintf(out->scheme, sizeof(out->scheme), "%s",
                     (v = sqlite3_column_text(st, 1)) ? (const char *)v : "");
            out->reasons = (uint64_t)sqlite3_column_int64(st, 2);
            snprintf(out->created_at, sizeof(out->created_at), "%s",
                     (v = sqlite3_column_text(st, 3)) ? (const char *)v : "");
            rc = 0;
        } else if (r == SQLITE_DONE) {
            rc = PK_ENOENT;
        }
    }
    sqlite3_finalize(st);
    conn_put(q, db);
    return rc;
}

static int sq_meta_get(pk_store *s, const char *name, uint8_t *buf, size_t cap, size_t *len)
{
    sq *q = s->impl;
    sqlite3 *db;
    int rc = conn_get(q, &db);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = NULL;
    rc = PK_EIO;
    if (sqlite3_prepare_v2(db, "SELECT value FROM pk_meta WHERE name = ?", -1, &st, NULL) ==
        SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        int r = sqlite3_step(st);
        if (r == SQLITE_ROW) {
            size_t n = (size_t)sqlite3_column_bytes(st, 0);
            *len = n;
            if (n <= cap) {
                memcpy(buf, sqlite3_column_blob(st, 0), n);
                rc = 0;
            } else {
                rc = PK_ETOOBIG;
            }
        } else if (r == SQLITE_DONE) {
            rc = PK_ENOENT;
        }
    }
    sqlite3_finalize(st);
    conn_put(q, db);
    return rc;
}

static int sq_meta_put_once(pk_store *s, const char *name, const uint8_t *value, size_t len)
{
    pk_tx *tx;
    int rc = sq_begin(s, &tx);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = NULL;
    sq *q = s->impl;
    rc = PK_EIO;
    if (sqlite3_prepare_v2(q->writer,
                           "INSERT INTO pk_meta (name, value) VALUES (?, ?) "
                           "ON CONFLICT (name) DO NOTHING",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 2, value, (int)len, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_DONE)
            rc = 0;
    }
    sqlite3_finalize(st);
    if (rc != 0) {
        sq_rollback(tx);
        return rc;
    }
    return sq_commit(tx);
}

/* ---- accounts ----------------------------------------------------------- */

#define UCOLS "u.id, u.username, u.role, coalesce(u.region, ''), u.pwhash, u.disabled, " \
              "u.created_at"

static void copy_text(char *dst, size_t cap, const unsigned char *src)
{
    snprintf(dst, cap, "%s", src ? (const char *)src : "");
}

/* Fills u from columns first.. of st (over UCOLS). */
static void read_user(sqlite3_stmt *st, int first, pk_user *u)
{
    memset(u, 0, sizeof(*u));
    u->id = sqlite3_column_int64(st, first);
    copy_text(u->username, sizeof(u->username), sqlite3_column_text(st, first + 1));
    copy_text(u->role, sizeof(u->role), sqlite3_column_text(st, first + 2));
    copy_text(u->region, sizeof(u->region), sqlite3_column_text(st, first + 3));
    copy_text(u->pwhash, sizeof(u->pwhash), sqlite3_column_text(st, first + 4));
    u->disabled = sqlite3_column_int(st, first + 5);
    copy_text(u->created_at, sizeof(u->created_at), sqlite3_column_text(st, first + 6));
}

/* A read on a pooled connection: prepares sql; the caller binds, steps
 * and ends with read_end. */
static int read_begin(sq *q, const char *sql, sqlite3 **db, sqlite3_stmt **st)
{
    int rc = conn_get(q, db);
    if (rc != 0)
        return rc;
    if (sqlite3_prepare_v2(*db, sql, -1, st, NULL) != SQLITE_OK) {
        fprintf(stderr, "prakerja: store: %s\n", sqlite3_errmsg(*db));
        conn_put(q, *db);
        return PK_EIO;
    }
    return 0;
}

static void read_end(sq *q, sqlite3 *db, sqlite3_stmt *st)
{
    sqlite3_finalize(st);
    conn_put(q, db);
}

/* One write statement, or two, in a transaction of their own. */
typedef void (*bind_fn)(sqlite3_stmt *st, const void *arg);

static int write1(pk_store *s, int which, bind_fn bind, const void *arg, int which2,
                  bind_fn bind2, int *changes, int64_t *rowid)
{
    pk_tx *tx;
    int rc = sq_begin(s, &tx);
    if (rc != 0)
        return rc;
    sq *q = txq(tx);
    sqlite3_stmt *st = wstmt(q, which);
    if (st == NULL) {
        sq_rollback(tx);
        return PK_EIO;
    }
    bind(st, arg);
    rc = step_done(st);
    if (changes != NULL)
        *changes = sqlite3_changes(q->writer);
    if (rowid != NULL)
        *rowid = sqlite3_last_insert_rowid(q->writer);
    if (rc == 0 && which2 >= 0) {
        if ((st = wstmt(q, which2)) == NULL)
            rc = PK_EIO;
        else {
            bind2(st, arg);
            rc = step_done(st);
        }
    }
    if (rc != 0) {
        sq_rollback(tx);
        return rc;
    }
    return sq_commit(tx);
}

static void bind_user_insert(sqlite3_stmt *st, const void *arg)
{
    const pk_user *u = arg;
    sqlite3_bind_text(st, 1, u->username, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, u->role, -1, SQLITE_STATIC);
    if (u->region[0])
        sqlite3_bind_text(st, 3, u->region, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, u->pwhash, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, u->disabled != 0);
}

static void bind_user_update(sqlite3_stmt *st, const void *arg)
{
    const pk_user *u = arg;
    sqlite3_bind_int64(st, 1, u->id);
    sqlite3_bind_text(st, 2, u->role, -1, SQLITE_STATIC);
    if (u->region[0])
        sqlite3_bind_text(st, 3, u->region, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, u->pwhash, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, u->disabled != 0);
}

static void bind_user_id(sqlite3_stmt *st, const void *arg)
{
    sqlite3_bind_int64(st, 1, ((const pk_user *)arg)->id);
}

static int sq_user_insert(pk_store *s, const pk_user *u, int64_t *id)
{
    return write1(s, W_USER_INSERT, bind_user_insert, u, -1, NULL, NULL, id);
}

static int sq_user_update(pk_store *s, const pk_user *u)
{
    int changes = 0;
    int rc = write1(s, W_USER_UPDATE, bind_user_update, u, W_USER_END_SESSIONS, bind_user_id,
                    &changes, NULL);
    return rc == 0 && changes == 0 ? PK_ENOENT : rc;
}

static int sq_user_find(pk_store *s, const char *username, pk_user *out)
{
    sq *q = s->impl;
    sqlite3 *db;
    sqlite3_stmt *st;
    int rc = read_begin(q, "SELECT " UCOLS " FROM app_user u WHERE u.username = ?", &db, &st);
    if (rc != 0)
        return rc;
    sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        read_user(st, 0, out);
    rc = r == SQLITE_ROW ? 0 : r == SQLITE_DONE ? PK_ENOENT : PK_EIO;
    read_end(q, db, st);
    return rc;
}

static int sq_users_each(pk_store *s, pk_user_cb cb, void *ctx)
{
    sq *q = s->impl;
    sqlite3 *db;
    sqlite3_stmt *st;
    int rc = read_begin(q, "SELECT " UCOLS " FROM app_user u ORDER BY u.id", &db, &st);
    if (rc != 0)
        return rc;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        pk_user u;
        read_user(st, 0, &u);
        if ((rc = cb(ctx, &u)) != 0)
            break;
    }
    if (rc == 0 && r != SQLITE_DONE)
        rc = PK_EIO;
    read_end(q, db, st);
    return rc;
}

typedef struct sess_arg {
    const uint8_t *id;
    int64_t a, b;
    const char *text;
} sess_arg;

static void bind_sess(sqlite3_stmt *st, const void *arg)
{
    const sess_arg *x = arg;
    int n = 1;
    if (x->id != NULL)
        sqlite3_bind_blob(st, n++, x->id, PK_AUTH_HASH_LEN, SQLITE_STATIC);
    sqlite3_bind_int64(st, n++, x->a);
    if (x->text != NULL)
        sqlite3_bind_text(st, n, x->text, -1, SQLITE_STATIC);
    else if (sqlite3_bind_parameter_count(st) >= n)
        sqlite3_bind_int64(st, n, x->b);
}

static int sq_session_insert(pk_store *s, const uint8_t *id, int64_t user_id, int64_t now)
{
    sess_arg x = {id, user_id, now, NULL};
    return write1(s, W_SESSION_INSERT, bind_sess, &x, -1, NULL, NULL, NULL);
}

static int sq_session_touch(pk_store *s, const uint8_t *id, int64_t now)
{
    sess_arg x = {id, now, 0, NULL};
    return write1(s, W_SESSION_TOUCH, bind_sess, &x, -1, NULL, NULL, NULL);
}

static void bind_id_only(sqlite3_stmt *st, const void *arg)
{
    sqlite3_bind_blob(st, 1, arg, PK_AUTH_HASH_LEN, SQLITE_STATIC);
}

static int sq_session_delete(pk_store *s, const uint8_t *id)
{
    return write1(s, W_SESSION_DELETE, bind_id_only, id, -1, NULL, NULL, NULL);
}

static int sq_sessions_expire(pk_store *s, int64_t idle_before, int64_t created_before)
{
    sess_arg x = {NULL, idle_before, created_before, NULL};
    return write1(s, W_SESSIONS_EXPIRE, bind_sess, &x, -1, NULL, NULL, NULL);
}

static int sq_session_get(pk_store *s, const uint8_t *id, int64_t *created, int64_t *seen,
                          pk_user *user)
{
    sq *q = s->impl;
    sqlite3 *db;
    sqlite3_stmt *st;
    int rc = read_begin(q,
                        "SELECT se.created, se.seen, " UCOLS " FROM user_session se"
                        " JOIN app_user u ON u.id = se.user_id WHERE se.id = ?",
                        &db, &st);
    if (rc != 0)
        return rc;
    sqlite3_bind_blob(st, 1, id, PK_AUTH_HASH_LEN, SQLITE_STATIC);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        *created = sqlite3_column_int64(st, 0);
        *seen = sqlite3_column_int64(st, 1);
        read_user(st, 2, user);
    }
    rc = r == SQLITE_ROW ? 0 : r == SQLITE_DONE ? PK_ENOENT : PK_EIO;
    read_end(q, db, st);
    return rc;
}

static int sq_token_insert(pk_store *s, const uint8_t *hash, int64_t user_id, const char *label,
                           int64_t *id)
{
    sess_arg x = {hash, user_id, 0, label ? label : ""};
    return write1(s, W_TOKEN_INSERT, bind_sess, &x, -1, NULL, NULL, id);
}

static int sq_token_find(pk_store *s, const uint8_t *hash, int64_t *id, pk_user *user)
{
    sq *q = s->impl;
    sqlite3 *db;
    sqlite3_stmt *st;
    int rc = read_begin(q,
                        "SELECT t.id, " UCOLS " FROM api_token t JOIN app_user u"
                        " ON u.id = t.user_id WHERE t.hash = ? AND t.revoked_at IS NULL",
                        &db, &st);
    if (rc != 0)
        return rc;
    sqlite3_bind_blob(st, 1, hash, PK_AUTH_HASH_LEN, SQLITE_STATIC);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        read_user(st, 1, user);
    }
    rc = r == SQLITE_ROW ? 0 : r == SQLITE_DONE ? PK_ENOENT : PK_EIO;
    read_end(q, db, st);
    return rc;
}

static void bind_int1(sqlite3_stmt *st, const void *arg)
{
    sqlite3_bind_int64(st, 1, *(const int64_t *)arg);
}

static int sq_token_revoke(pk_store *s, int64_t id)
{
    int changes = 0;
    int rc = write1(s, W_TOKEN_REVOKE, bind_int1, &id, -1, NULL, &changes, NULL);
    return rc == 0 && changes == 0 ? PK_ENOENT : rc;
}

typedef struct fail_arg {
    const uint8_t *key;
    int64_t now, forget_before;
} fail_arg;

static void bind_fail_forget(sqlite3_stmt *st, const void *arg)
{
    sqlite3_bind_int64(st, 1, ((const fail_arg *)arg)->forget_before);
}

static void bind_fail_add(sqlite3_stmt *st, const void *arg)
{
    const fail_arg *x = arg;
    sqlite3_bind_blob(st, 1, x->key, PK_THROTTLE_KEY_LEN, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, x->now);
}

static int sq_login_failure_add(pk_store *s, const uint8_t *key, int64_t now,
                                int64_t forget_before)
{
    fail_arg x = {key, now, forget_before};
    return write1(s, W_FAIL_FORGET, bind_fail_forget, &x, W_FAIL_ADD, bind_fail_add, NULL, NULL);
}

static void bind_key_only(sqlite3_stmt *st, const void *arg)
{
    sqlite3_bind_blob(st, 1, arg, PK_THROTTLE_KEY_LEN, SQLITE_STATIC);
}

static int sq_login_failures_clear(pk_store *s, const uint8_t *key)
{
    return write1(s, W_FAIL_CLEAR, bind_key_only, key, -1, NULL, NULL, NULL);
}

static int sq_login_failures(pk_store *s, const uint8_t *key, int64_t since, int64_t *count,
                             int64_t *oldest)
{
    sq *q = s->impl;
    sqlite3 *db;
    sqlite3_stmt *st;
    int rc = read_begin(q,
                        "SELECT count(*), coalesce(min(at), 0) FROM login_failure"
                        " WHERE k = ? AND at >= ?",
                        &db, &st);
    if (rc != 0)
        return rc;
    sqlite3_bind_blob(st, 1, key, PK_THROTTLE_KEY_LEN, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, since);
    int r = sqlite3_step(st);
    *count = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    *oldest = r == SQLITE_ROW ? sqlite3_column_int64(st, 1) : 0;
    rc = r == SQLITE_ROW ? 0 : PK_EIO;
    read_end(q, db, st);
    return rc;
}

/* ---- operator reads and the access log ----------------------------------
 *
 * Every read of personal data by staff is scoped in the SQL: the region
 * range of bind_region, so a row outside the caller's subtree is never
 * read at all (not filtered afterwards). */

static int each_row(sqlite3_stmt *st, pk_prow_cb cb, void *ctx, int *rows)
{
    int r, rc = 0;
    *rows = 0;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        pk_prow row;
        read_row(st, &row);
        ++*rows;
        if ((rc = cb(ctx, &row)) != 0)
            return rc;
    }
    return r == SQLITE_DONE ? 0 : PK_EIO;
}

static int sq_participants_search(pk_store *s, const char *scope, const char *name,
                                  const uint8_t *nik_bi, int limit, pk_prow_cb cb, void *ctx)
{
    sq *q = s->impl;
    sqlite3 *db;
    sqlite3_stmt *st;
    /* instr(), not LIKE: the query is a plain substring, so '%' and '_'
     * match only themselves and need no escaping. */
    int rc = read_begin(q,
                        nik_bi != NULL
                            ? "SELECT " PCOLS " FROM participant WHERE kode_wilayah >= ?1"
                              " AND kode_wilayah < ?2 AND nik_hi = ?3 AND nik_lo = ?4"
                              " ORDER BY id LIMIT ?5"
                            : "SELECT " PCOLS " FROM participant WHERE kode_wilayah >= ?1"
                              " AND kode_wilayah < ?2 AND instr(lower(nama), lower(?3)) > 0"
                              " ORDER BY nama, id LIMIT ?4",
                        &db, &st);
    if (rc != 0)
        return rc;
    char hi[PK_REGION_CODE_MAX + 2];
    bind_region(st, 1, 2, scope, hi, sizeof(hi));
    if (nik_bi != NULL)
        bind_bi(st, 3, nik_bi);
    else
        sqlite3_bind_text(st, 3, name ? name : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, nik_bi != NULL ? 5 : 4, limit > 0 ? limit : 1);
    int rows;
    rc = each_row(st, cb, ctx, &rows);
    read_end(q, db, st);
    return rc;
}

static int sq_participant_get(pk_store *s, const char *scope, int64_t id, pk_prow_cb cb,
                              void *ctx)
{
    sq *q = s->impl;
    sqlite3 *db;
    sqlite3_stmt *st;
    int rc = read_begin(q,
                        "SELECT " PCOLS " FROM participant WHERE kode_wilayah >= ?1"
                        " AND kode_wilayah < ?2 AND id = ?3",
                        &db, &st);
    if (rc != 0)
        return rc;
    char hi[PK_REGION_CODE_MAX + 2];
    bind_region(st, 1, 2, scope, hi, sizeof(hi));
    sqlite3_bind_int64(st, 3, id);
    int rows;
    rc = each_row(st, cb, ctx, &rows);
    read_end(q, db, st);
    return rc == 0 && rows == 0 ? PK_ENOENT : rc;
}

static int sq_access_log_add(pk_store *s, const pk_access_entry *e)
{
    sq *q = s->impl;
    pk_tx *tx;
    int rc = sq_begin(s, &tx);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = NULL;
    rc = PK_EIO;
    if (sqlite3_prepare_v2(q->writer,
                           "INSERT INTO access_log (at, actor, action, route, subject, detail)"
                           " VALUES (" NOW ", ?1, ?2, ?3, ?4, ?5)",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, e->actor, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, e->action, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, e->route ? e->route : "", -1, SQLITE_STATIC);
        if (e->subject > 0)
            sqlite3_bind_int64(st, 4, e->subject);
        sqlite3_bind_text(st, 5, e->detail ? e->detail : "", -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_DONE)
            rc = 0;
    }
    sqlite3_finalize(st);
    if (rc != 0) {
        sq_rollback(tx);
        return rc;
    }
    return sq_commit(tx);
}

static int sq_access_log_each(pk_store *s, const char *since, int64_t limit, pk_access_cb cb,
                              void *ctx)
{
    sq *q = s->impl;
    sqlite3 *db;
    sqlite3_stmt *st;
    /* the newest `limit` entries, printed oldest first */
    int rc = read_begin(q,
                        "SELECT id, at, actor, action, route, coalesce(subject, 0), detail"
                        " FROM (SELECT * FROM access_log WHERE at >= ?1 ORDER BY id DESC"
                        " LIMIT ?2) ORDER BY id",
                        &db, &st);
    if (rc != 0)
        return rc;
    sqlite3_bind_text(st, 1, since ? since : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, limit > 0 ? limit : -1);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        pk_access_entry e = {
            .id = sqlite3_column_int64(st, 0),
            .at = (const char *)sqlite3_column_text(st, 1),
            .actor = (const char *)sqlite3_column_text(st, 2),
            .action = (const char *)sqlite3_column_text(st, 3),
            .route = (const char *)sqlite3_column_text(st, 4),
            .subject = sqlite3_column_int64(st, 5),
            .detail = (const char *)sqlite3_column_text(st, 6),
        };
        if ((rc = cb(ctx, &e)) != 0)
            break;
    }
    if (rc == 0 && r != SQLITE_DONE)
        rc = PK_EIO;
    read_end(q, db, st);
    return rc;
}

/* ---- key rotation ------------------------------------------------------ */

static int sq_sealed_older(pk_tx *t, int what, int gen, const pk_sealed *after, int limit,
                           pk_sealed_cb cb, void *ctx)
{
    bool pii = what == PK_SEALED_PII;
    sqlite3_stmt *st = wstmt(txq(t), pii ? W_PII_OLDER : W_NOTE_OLDER);
    if (st == NULL)
        return PK_EIO;
    uint8_t g = (uint8_t)gen;
    if (pii) {
        sqlite3_bind_int64(st, 1, after ? after->id : 0);
        sqlite3_bind_blob(st, 2, &g, 1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 3, limit);
    } else {
        sqlite3_bind_text(st, 1, after ? after->list : "", -1, SQLITE_TRANSIENT);
        sqlite3_bind_blob(st, 2, after ? after->nik_bi : (const uint8_t *)"",
                          after ? PK_BI_LEN : 0, SQLITE_TRANSIENT);
        sqlite3_bind_blob(st, 3, &g, 1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 4, limit);
    }
    int rc, r = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        pk_sealed s = {0};
        if (pii)
            s.id = sqlite3_column_int64(st, 0);
        else
            s.list = (const char *)sqlite3_column_text(st, 0);
        int box = pii ? 3 : 2; /* the participant's NIK index is two columns */
        if (pii)
            column_bi(st, 1, s.nik_bi);
        else if (sqlite3_column_bytes(st, 1) == PK_BI_LEN)
            memcpy(s.nik_bi, sqlite3_column_blob(st, 1), PK_BI_LEN);
        s.box = sqlite3_column_blob(st, box);
        s.len = (size_t)sqlite3_column_bytes(st, box);
        if ((r = cb(ctx, &s)) != 0)
            break;
    }
    sqlite3_reset(st);
    return r != 0 ? r : rc == SQLITE_DONE ? 0 : PK_EIO;
}

static int sq_sealed_replace(pk_tx *t, int what, const pk_sealed *old, const uint8_t *box,
                             size_t len, int *replaced)
{
    sq *q = txq(t);
    bool pii = what == PK_SEALED_PII;
    sqlite3_stmt *st = wstmt(q, pii ? W_PII_RESEAL : W_NOTE_RESEAL);
    *replaced = 0;
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_blob(st, 1, box, (int)len, SQLITE_STATIC);
    if (pii) {
        sqlite3_bind_int64(st, 2, old->id);
        sqlite3_bind_blob(st, 3, old->box, (int)old->len, SQLITE_STATIC);
    } else {
        sqlite3_bind_text(st, 2, old->list, -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 3, old->nik_bi, PK_BI_LEN, SQLITE_STATIC);
        sqlite3_bind_blob(st, 4, old->box, (int)old->len, SQLITE_STATIC);
    }
    int rc = step_done(st);
    if (rc == 0)
        *replaced = sqlite3_changes(q->writer) > 0;
    return rc;
}

static int sq_sealed_generations(pk_store *s, int64_t *counts)
{
    sq *q = s->impl;
    sqlite3 *db;
    sqlite3_stmt *st;
    memset(counts, 0, 256 * sizeof(*counts));
    int rc = read_begin(q,
                        "SELECT substr(pii, 1, 1), count(*) FROM participant GROUP BY 1"
                        " UNION ALL SELECT substr(note, 1, 1), count(*) FROM exclusion"
                        " WHERE note IS NOT NULL GROUP BY 1",
                        &db, &st);
    if (rc != 0)
        return rc;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        int g = sqlite3_column_bytes(st, 0) == 1
                    ? ((const uint8_t *)sqlite3_column_blob(st, 0))[0]
                    : 0;
        counts[g] += sqlite3_column_int64(st, 1);
    }
    read_end(q, db, st);
    return r == SQLITE_DONE ? 0 : PK_EIO;
}

static const pk_store_ops sqlite_ops = {
    .name = "sqlite",
    .close = sq_close,
    .version = sq_version,
    .migrate = sq_migrate,
    .ping = sq_ping,
    .regions_each = sq_regions_each,
    .meta_get = sq_meta_get,
    .meta_put_once = sq_meta_put_once,
    .participants_each = sq_participants_each,
    .stats = sq_stats,
    .participant_status = sq_participant_status,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .savepoint = sq_savepoint,
    .release = sq_release,
    .rollback_to = sq_rollback_to,
    .participants_find = sq_participants_find,
    .participants_write = sq_participants_write,
    .kk_members = sq_kk_members,
    .set_reasons = sq_set_reasons,
    .bulk_begin = sq_bulk_begin,
    .bulk_mark = sq_bulk_mark,
    .bulk_end = sq_bulk_end,
    .bulk_families = sq_bulk_families,
    .bulk_repeats = sq_bulk_repeats,
    .bulk_fold = sq_bulk_fold,
    .audit = sq_audit,
    .list_clear = sq_list_clear,
    .list_add = sq_list_add,
    .list_changes = sq_list_changes,
    .list_count = sq_list_count,
    .reevaluate = sq_reevaluate,
    .sealed_older = sq_sealed_older,
    .sealed_replace = sq_sealed_replace,
    .sealed_generations = sq_sealed_generations,
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
    .login_failure_add = sq_login_failure_add,
    .login_failures = sq_login_failures,
    .login_failures_clear = sq_login_failures_clear,
    .participants_search = sq_participants_search,
    .participant_get = sq_participant_get,
    .access_log_add = sq_access_log_add,
    .access_log_each = sq_access_log_each,
};

int pk_sqlite_open(const char *path, pk_store **out, char *err, size_t errlen)
{

    sqlite3 *db;
    int rc = conn_open(path, &db, err, errlen);
    if (rc != 0)
        return rc;
    pk_store *s = calloc(1, sizeof(*s));
    sq *q = calloc(1, sizeof(*q));
    char *p = strdup(path);
    if (s == NULL || q == NULL || p == NULL) {
        free(s);
        free(q);
        free(p);
        sqlite3_close(db);
        snprintf(err, errlen, "out of memory");
        return PK_ENOMEM;
    }
    pthread_mutex_init(&q->mu, NULL);
    pthread_mutex_init(&q->wmu, NULL);
    q->path = p;
    q->idle[q->nidle++] = db;
    s->ops = &sqlite_ops;
    s->impl = q;
    *out = s;
    return 0;
}
