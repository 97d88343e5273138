/* sqlite_schema.c -- the migrator that applies the SQLite schema's
 * migrations (sqlite_migrations.c) through pk_store_migrations (store.c),
 * each in its own transaction together with its version row; the region
 * table and the deployment's named values (pk_meta) read back. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pk.h"
#include "store/sqlite_int.h"


static int latest_version(void)
{
    size_t n;
    const pk_migration *m = sq_migrations(&n);
    return m[n - 1].version;
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

int sq_version(pk_store *s, int *current, int *latest)
{
    sq *q = s->impl;
    sqc *c;
    *latest = latest_version();
    int rc = sq_conn_get(q, &c);
    if (rc != 0)
        return rc;
    rc = read_version(c->db, current);
    sq_conn_put(q, c);
    return rc;
}

int sq_exec(sqlite3 *db, const char *sql, char *err, size_t errlen)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        snprintf(err, errlen, "%s", msg ? msg : sqlite3_errmsg(db));
        sqlite3_free(msg);
        return PK_EIO;
    }
    return 0;
}

/* ---- the migrator (pk_store_migrations) ----
 *
 * Its statements (and the region loader's) run on the migrating
 * connection once per migration, outside the statement table: those
 * presume the schema these create. */

static int mg_exec(void *conn, const char *sql, char *err, size_t errlen)
{
    return sq_exec(conn, sql, err, errlen);
}

static int mg_begin(void *conn, char *err, size_t errlen)
{
    return sq_exec(conn, "BEGIN IMMEDIATE", err, errlen);
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
    int rc = sq_exec(conn, sql, err, errlen);
    sqlite3_free(sql);
    return rc;
}

static int mg_commit(void *conn, char *err, size_t errlen)
{
    return sq_exec(conn, "COMMIT", err, errlen);
}

static void mg_rollback(void *conn)
{
    sqlite3_exec(conn, "ROLLBACK", NULL, NULL, NULL);
}

int sq_migrate(pk_store *s, const char *datadir, int *from, int *to, char *err,
               size_t errlen)
{
    sq *q = s->impl;
    sqc *c;
    int rc = sq_conn_get(q, &c);
    if (rc != 0) {
        snprintf(err, errlen, "cannot open database %s", q->path);
        return rc;
    }
    sqlite3 *db = c->db;
    rc = sq_exec(db,
              "CREATE TABLE IF NOT EXISTS pk_migration ("
              "  version    INTEGER PRIMARY KEY,"
              "  name       TEXT NOT NULL,"
              "  applied_at TEXT NOT NULL"
              ") STRICT",
              err, errlen);
    if (rc == 0) {
        pk_migrator mg = {db, mg_begin, mg_exec, mg_version, mg_record, mg_commit, mg_rollback};
        size_t n;
        const pk_migration *m = sq_migrations(&n);
        rc = pk_store_migrations(&mg, m, n, datadir, from, to, err, errlen);
    }
    sq_conn_put(q, c);
    return rc;
}

/* ---- what the migrations fill: regions and named values ---- */

int sq_regions_each(pk_store *s, pk_region_cb cb, void *ctx)
{
    sq *q = s->impl;
    sqc *c;
    int rc = sq_conn_get(q, &c);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = sq_stmt(c, S_REGIONS_EACH);
    if (st == NULL) {
        sq_conn_put(q, c);
        return PK_EIO;
    }
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        rc = cb(ctx, (const char *)sqlite3_column_text(st, 0),
                (const char *)sqlite3_column_text(st, 1));
        if (rc != 0)
            break;
    }
    if (rc == 0 && r != SQLITE_DONE)
        rc = PK_EIO;
    sqlite3_reset(st);
    sq_conn_put(q, c);
    return rc;
}

int sq_meta_get(pk_store *s, const char *name, uint8_t *buf, size_t cap, size_t *len)
{
    sq *q = s->impl;
    sqc *c;
    int rc = sq_conn_get(q, &c);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = sq_stmt(c, S_META_GET);
    rc = PK_EIO;
    if (st != NULL) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        int r = sqlite3_step(st);
        if (r == SQLITE_ROW) {
            size_t n = (size_t)sqlite3_column_bytes(st, 0);
            *len = n;
            if (n <= cap) {
                if (n > 0) /* an empty blob's pointer is NULL */
                    memcpy(buf, sqlite3_column_blob(st, 0), n);
                rc = 0;
            } else {
                rc = PK_ETOOBIG;
            }
        } else if (r == SQLITE_DONE) {
            rc = PK_ENOENT;
        }
        sqlite3_reset(st);
    }
    sq_conn_put(q, c);
    return rc;
}

/* In a write transaction of its own: the first of several writers wins
 * (ON CONFLICT DO NOTHING). */
int sq_meta_put_once(pk_store *s, const char *name, const uint8_t *value, size_t len)
{
    pk_tx *tx;
    int rc = sq_begin(s, &tx);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = sq_stmt(sq_txc(tx), S_META_PUT_ONCE);
    rc = PK_EIO;
    if (st != NULL) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 2, value, (int)len, SQLITE_STATIC);
        rc = sq_step_done(st);
    }
    if (rc != 0) {
        sq_rollback(tx);
        return rc;
    }
    return sq_commit(tx);
}

int sq_tx_meta_get(pk_tx *t, const char *name, uint8_t *buf, size_t cap, size_t *len)
{
    sqlite3_stmt *st = sq_stmt(sq_txc(t), S_META_GET);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int r = sqlite3_step(st), rc = PK_EIO;
    if (r == SQLITE_ROW) {
        size_t n = (size_t)sqlite3_column_bytes(st, 0);
        *len = n;
        rc = n <= cap ? 0 : PK_ETOOBIG;
        if (rc == 0 && n > 0)
            memcpy(buf, sqlite3_column_blob(st, 0), n);
    } else if (r == SQLITE_DONE) {
        rc = PK_ENOENT;
    }
    sqlite3_reset(st);
    return rc;
}

int sq_tx_meta_put_max(pk_tx *t, const char *name, const uint8_t *value, size_t len)
{
    sqlite3_stmt *st = sq_stmt(sq_txc(t), S_META_PUT_MAX);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, value, (int)len, SQLITE_STATIC);
    return sq_step_done(st);
}
