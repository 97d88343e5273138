/* pg_schema.c -- the migrator that applies the PostgreSQL schema's
 * migrations (pg_migrations.c) through pk_store_migrations (store.c), and
 * the region table and the deployment's named values (pk_meta) read back.
 *
 * The same numbered migrations as SQLite's (sqlite_migrations.c), each in
 * its own transaction under an advisory lock, so processes starting at
 * once migrate once.  The migrator's statements (and the region loader's
 * COPY) run on a connection of their own, outside the statement table:
 * those presume the schema these create. */
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pk.h"
#include "store/pg_int.h"

/* ---- migrations -------------------------------------------------------- */

/* Any fixed number: the key of the advisory lock migrations take. */
#define MIGRATION_LOCK "7019827360529211392"


static int latest_version(void)
{
    size_t n;
    const pk_migration *m = pg_migrations(&n);
    return m[n - 1].version;
}

/* 0 for a database without pk_migration. */
static int read_version(pgc *c, int *current)
{
    PGconn *conn = c->conn;
    *current = 0;
    PGresult *r = PQexec(conn, "SELECT to_regclass('pk_migration') IS NOT NULL");
    int rc = PQresultStatus(r) == PGRES_TUPLES_OK ? 0 : pg_fail(c, r, "schema version");
    bool exists = rc == 0 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    if (rc != 0 || !exists)
        return rc;
    r = PQexec(conn, "SELECT coalesce(max(version), 0) FROM pk_migration");
    rc = PQresultStatus(r) == PGRES_TUPLES_OK ? 0 : pg_fail(c, r, "schema version");
    if (rc == 0)
        *current = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    return rc;
}

int pg_version(pk_store *s, int *current, int *latest)
{
    pg *p = s->impl;
    pgc *c;
    *latest = latest_version();
    int rc = pg_conn_get(p, &c);
    if (rc != 0)
        return rc;
    rc = read_version(c, current);
    pg_conn_put(p, c);
    return rc;
}

/* BEGIN, then wait for the migration lock: one process migrates at a
 * time, the others find the work done. */
static int begin_locked(pgc *c, char *err, size_t errlen)
{
    if (pg_exec(c, "BEGIN", PGRES_COMMAND_OK, "migrate") != 0 ||
        pg_exec(c, "SELECT pg_advisory_xact_lock(" MIGRATION_LOCK ")", PGRES_TUPLES_OK,
                "migrate") != 0) {
        snprintf(err, errlen, "cannot lock the schema: %s", PQerrorMessage(c->conn));
        return PK_EIO;
    }
    return 0;
}

/* ---- the migrator (pk_store_migrations) ---- */

static int mg_begin(void *conn, char *err, size_t errlen)
{
    return begin_locked(conn, err, errlen);
}

static int mg_exec(void *migrating, const char *sql, char *err, size_t errlen)
{
    PGconn *conn = ((pgc *)migrating)->conn;
    PGresult *r = PQexec(conn, sql);
    int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : PK_EIO;
    if (rc != 0)
        snprintf(err, errlen, "%s", PQerrorMessage(conn));
    PQclear(r);
    return rc;
}

static int mg_version(void *conn, int *current)
{
    return read_version(conn, current);
}

static int mg_record(void *migrating, const pk_migration *m, char *err, size_t errlen)
{
    PGconn *conn = ((pgc *)migrating)->conn;
    char version[16];
    snprintf(version, sizeof(version), "%d", m->version);
    const char *vals[2] = {version, m->name};
    PGresult *r = PQexecParams(conn,
                               "INSERT INTO pk_migration(version, name, applied_at) VALUES ($1,"
                               " $2, to_char(now() AT TIME ZONE 'UTC',"
                               " 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))",
                               2, NULL, vals, NULL, NULL, 0);
    int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : PK_EIO;
    if (rc != 0)
        snprintf(err, errlen, "%s", PQerrorMessage(conn));
    PQclear(r);
    return rc;
}

static int mg_commit(void *conn, char *err, size_t errlen)
{
    int rc = pg_commit_conn(conn);
    if (rc != 0)
        snprintf(err, errlen, "commit failed: %s", PQerrorMessage(((pgc *)conn)->conn));
    return rc;
}

static void mg_rollback(void *conn)
{
    PQclear(PQexec(((pgc *)conn)->conn, "ROLLBACK"));
}

int pg_migrate(pk_store *s, const char *datadir, int *from, int *to, char *err, size_t errlen)
{
    pg *p = s->impl;
    pgc *c;
    err[0] = '\0';
    int rc = pg_conn_open(p, &c, err, errlen);
    if (rc != 0)
        return rc;
    PGconn *conn = c->conn;
    /* The version table, created once under the lock (CREATE TABLE IF NOT
     * EXISTS alone races between processes). */
    int current;
    if ((rc = begin_locked(c, err, errlen)) != 0)
        goto out;
    if ((rc = read_version(c, &current)) != 0) {
        snprintf(err, errlen, "cannot read schema version");
        PQclear(PQexec(conn, "ROLLBACK"));
        goto out;
    }
    if (current == 0 &&
        (rc = pg_exec(c,
                      "CREATE TABLE IF NOT EXISTS pk_migration ("
                      "  version    bigint PRIMARY KEY,"
                      "  name       text NOT NULL,"
                      "  applied_at text NOT NULL"
                      ")",
                      PGRES_COMMAND_OK, "migrate")) != 0) {
        snprintf(err, errlen, "cannot create pk_migration: %s", PQerrorMessage(conn));
        PQclear(PQexec(conn, "ROLLBACK"));
        goto out;
    }
    if ((rc = pg_commit_conn(c)) != 0) {
        snprintf(err, errlen, "cannot create pk_migration");
        goto out;
    }
    pk_migrator mg = {c, mg_begin, mg_exec, mg_version, mg_record, mg_commit, mg_rollback};
    size_t n;
    const pk_migration *all = pg_migrations(&n);
    rc = pk_store_migrations(&mg, all, n, datadir, from, to, err,
                             errlen);
out:
    /* Not pooled: prepared statements made before the schema existed
     * would not matter, but keep pooled connections clean anyway. */
    pg_conn_close(c);
    return rc;
}

/* ---- what the migrations fill: regions and named values ---- */

int pg_regions_each(pk_store *s, pk_region_cb cb, void *ctx)
{
    pg *p = s->impl;
    pgc *c;
    PGresult *r = NULL;
    int rc = pg_conn_get(p, &c);
    if (rc != 0)
        return rc;
    if ((rc = pg_run(c, S_REGIONS_EACH, NULL, &r)) != 0)
        goto out;
    for (int i = 0, n = PQntuples(r); i < n; i++)
        if ((rc = cb(ctx, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1))) != 0)
            break;
out:
    PQclear(r);
    pg_conn_put(p, c);
    return rc;
}

int pg_meta_get(pk_store *s, const char *name, uint8_t *buf, size_t cap, size_t *len)
{
    pg *p = s->impl;
    pgc *c;
    PGresult *r = NULL;
    params ps = {0};
    p_text(&ps, name);
    int rc = pg_conn_get(p, &c);
    if (rc != 0)
        return rc;
    if ((rc = pg_run(c, S_META_GET, &ps, &r)) != 0)
        goto out;
    if (PQntuples(r) == 0) {
        rc = PK_ENOENT;
        goto out;
    }
    *len = (size_t)PQgetlength(r, 0, 0);
    if (*len > cap) {
        rc = PK_ETOOBIG;
        goto out;
    }
    memcpy(buf, PQgetvalue(r, 0, 0), *len);
out:
    PQclear(r);
    pg_conn_put(p, c);
    return rc;
}

/* One statement: autocommit is its own transaction, and ON CONFLICT DO
 * NOTHING lets the first of several racing processes win. */
int pg_meta_put_once(pk_store *s, const char *name, const uint8_t *value, size_t len)
{
    pg *p = s->impl;
    pgc *c;
    params ps = {0};
    p_text(&ps, name);
    p_bytes(&ps, value, len);
    int rc = pg_conn_get(p, &c);
    if (rc != 0)
        return rc;
    rc = pg_run(c, S_META_PUT_ONCE, &ps, NULL);
    pg_conn_put(p, c);
    return rc;
}

int pg_tx_meta_get(pk_tx *t, const char *name, uint8_t *buf, size_t cap, size_t *len)
{
    PGresult *r = NULL;
    params ps = {0};
    p_text(&ps, name);
    int rc = pg_run(pg_txc(t), S_META_GET, &ps, &r);
    if (rc != 0)
        return rc;
    if (PQntuples(r) == 0) {
        rc = PK_ENOENT;
    } else {
        *len = (size_t)PQgetlength(r, 0, 0);
        rc = *len <= cap ? 0 : PK_ETOOBIG;
        if (rc == 0)
            memcpy(buf, PQgetvalue(r, 0, 0), *len);
    }
    PQclear(r);
    return rc;
}

int pg_tx_meta_put_max(pk_tx *t, const char *name, const uint8_t *value, size_t len)
{
    params ps = {0};
    p_text(&ps, name);
    p_bytes(&ps, value, len);
    return pg_run(pg_txc(t), S_META_PUT_MAX, &ps, NULL);
}
