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

#include "core/pk.h"
#include "store/store_impl.h"

#define POOL_MAX 16

typedef struct sq {
    char *path;
    pthread_mutex_t mu;
    sqlite3 *idle[POOL_MAX];
    int nidle;
} sq;

/* ---- connections ------------------------------------------------------ */

static int conn_open(const char *path, sqlite3 **out, char *err, size_t errlen)
{
    sqlite3 *db = NULL;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path, &db, flags, NULL);
    if (rc != SQLITE_OK) {
        snprintf(err, errlen, "cannot open database %s: %s", path,
                 db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
        sqlite3_close(db);
        return PK_EIO;
    }
    sqlite3_busy_timeout(db, 10000);
    sqlite3_extended_result_codes(db, 1);
    static const char *pragmas = "PRAGMA journal_mode=WAL;"
                                 "PRAGMA synchronous=FULL;"
                                 "PRAGMA foreign_keys=ON;"
                                 "PRAGMA temp_store=MEMORY;";
    char *msg = NULL;
    if (sqlite3_exec(db, pragmas, NULL, NULL, &msg) != SQLITE_OK) {
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

static int load_regions(sqlite3 *db, const char *datadir, char *err, size_t errlen)
{
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

typedef struct migration {
    int version;
    const char *name;
    const char *sql;
    int (*load)(sqlite3 *db, const char *datadir, char *err, size_t errlen);
} migration;

/* Append only: a released migration is never edited, a change is a new
 * one.  PostgreSQL will keep the same numbering. */
static const migration migrations[] = {
    {1, "region table (Kemendagri codes, ODbL data from data/wilayah)",
     "CREATE TABLE region ("
     "  code   TEXT PRIMARY KEY,"
     "  parent TEXT REFERENCES region(code),"
     "  level  INTEGER NOT NULL CHECK (level BETWEEN 1 AND 4),"
     "  name   TEXT NOT NULL"
     ") STRICT, WITHOUT ROWID;"
     "CREATE INDEX region_parent ON region(parent, code);",
     load_regions},
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

static int apply(sqlite3 *db, const migration *m, const char *datadir, char *err,
                 size_t errlen)
{
    int rc, current;
    if ((rc = exec(db, "BEGIN IMMEDIATE", err, errlen)) != 0)
        return rc;
    /* Another process may have applied it while we waited for the lock. */
    if ((rc = read_version(db, &current)) != 0) {
        snprintf(err, errlen, "cannot read schema version: %s", sqlite3_errmsg(db));
        goto fail;
    }
    if (current >= m->version)
        return exec(db, "COMMIT", err, errlen);
    if ((rc = exec(db, m->sql, err, errlen)) != 0)
        goto fail;
    if (m->load != NULL && (rc = m->load(db, datadir, err, errlen)) != 0)
        goto fail;
    char sql[512];
    char *name = sqlite3_mprintf("%q", m->name);
    snprintf(sql, sizeof(sql),
             "INSERT INTO pk_migration(version, name, applied_at) "
             "VALUES (%d, '%s', strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', 'now'))",
             m->version, name ? name : "");
    sqlite3_free(name);
    if ((rc = exec(db, sql, err, errlen)) != 0)
        goto fail;
    return exec(db, "COMMIT", err, errlen);
fail:
    sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
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
    if (rc != 0)
        goto out;
    if ((rc = read_version(db, from)) != 0) {
        snprintf(err, errlen, "cannot read schema version: %s", sqlite3_errmsg(db));
        goto out;
    }
    if (*from > latest_version()) {
        snprintf(err, errlen,
                 "database schema version %d is newer than this binary knows (%d): "
                 "upgrade prakerja before using this database",
                 *from, latest_version());
        rc = PK_ESCHEMA;
        goto out;
    }
    for (size_t i = 0; i < PK_ARRAY_LEN(migrations); i++) {
        if (migrations[i].version <= *from)
            continue;
        if ((rc = apply(db, &migrations[i], datadir, err, errlen)) != 0)
            goto out;
    }
    rc = read_version(db, to);
out:
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
    pthread_mutex_destroy(&q->mu);
    free(q->path);
    free(q);
    free(s);
}

static const pk_store_ops sqlite_ops = {
    .name = "sqlite",
    .close = sq_close,
    .version = sq_version,
    .migrate = sq_migrate,
    .ping = sq_ping,
    .regions_each = sq_regions_each,
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
    q->path = p;
    q->idle[q->nidle++] = db;
    s->ops = &sqlite_ops;
    s->impl = q;
    *out = s;
    return 0;
}
