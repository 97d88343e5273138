/* harness.c -- fresh databases for the store contract suite, made-up
 * opaque values, and rows read back (see store_test.h). */
#include "store_test.h"

#include <errno.h>
#include <fcntl.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef PK_TEST_DATADIR
#error "PK_TEST_DATADIR must name the data directory"
#endif

bool st_pg;

static char tmpdir[256];      /* SQLite: where the databases go */
static char template_db[512]; /* SQLite: the migrated file; PostgreSQL: the database's name */
static PGconn *admin;         /* PostgreSQL: the cluster's maintenance database */
static unsigned serial;

const char *st_datadir(void)
{
    return PK_TEST_DATADIR;
}

void st_sleep_ms(int ms)
{
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000 * 1000};
    while (nanosleep(&t, &t) != 0 && errno == EINTR)
        ;
}

void *st_finder_run(void *arg)
{
    st_finder *w = arg;
    pk_tx *tx = NULL;
    w->rc = pk_store_begin(w->s, &tx);
    if (w->rc == 0) {
        pk_pknown k;
        w->rc = pk_tx_participants_find(tx, 1, (const pk_bi *)w->nik, &k);
        w->id_seen = k.id;
        if (w->rc == 0)
            w->rc = pk_tx_commit(tx);
        else
            pk_tx_rollback(tx);
    }
    atomic_store(&w->done, 1);
    return NULL;
}

int st_bi_cmp(const void *a, const void *b)
{
    return memcmp(a, b, PK_BI_LEN);
}

/* ---- PostgreSQL: databases on the test cluster ---- */

/* PRAKERJA_TEST_PG with its database replaced by name (as harness.py's
 * pg_url: postgresql:///postgres?host=/dir -> postgresql:///name?host=/dir). */
static void pg_url(const char *name, char *out, size_t cap)
{
    const char *base = getenv("PRAKERJA_TEST_PG");
    const char *auth = strstr(base, "://");
    auth = auth ? auth + 3 : base;
    const char *path = auth + strcspn(auth, "/?");
    const char *query = path + strcspn(path, "?");
    snprintf(out, cap, "%.*s/%s%s", (int)(path - base), base, name, query);
}

static void pg_exec(const char *sql)
{
    PGresult *r = PQexec(admin, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK) {
        fprintf(stderr, "store test: %s: %s", sql, PQerrorMessage(admin));
        PQclear(r);
        fail_msg("PostgreSQL refused: %s", sql);
    }
    PQclear(r);
}

static void pg_create(const char *name, const char *template)
{
    char sql[1100];
    snprintf(sql, sizeof(sql), "CREATE DATABASE \"%s\" TEMPLATE \"%s\"", name, template);
    pg_exec(sql);
}

static void pg_drop(const char *name)
{
    char sql[600];
    snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", name);
    PQclear(PQexec(admin, sql));
}

/* ---- SQLite: files ---- */

static void copy_file(const char *from, const char *to)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    assert_true(in >= 0 && out >= 0);
    char buf[1 << 16];
    ssize_t n;
    while ((n = read(in, buf, sizeof(buf))) > 0)
        assert_int_equal(write(out, buf, (size_t)n), n);
    assert_int_equal(n, 0);
    close(in);
    close(out);
}

static void remove_db_files(const char *path)
{
    char p[1100];
    unlink(path);
    snprintf(p, sizeof(p), "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-journal", path);
    unlink(p);
}

/* ---- the run: one migrated database ----
 *
 * SQLite: a file migrated once per run, copied for each test.
 * PostgreSQL: creating a database from a template and dropping it cost
 * about 2.5 s together here (DROP DATABASE waits for a checkpoint), so
 * the tests take turns on one database migrated once per run, which
 * st_teardown empties again: every table but the region table and the
 * migrations is emptied (its triggers, such as the access log's refusal
 * of DELETE, disabled for that), and pk_meta keeps only what the
 * migrations put there.  (Ids are not restarted: no test relies on
 * their values, only on their order.)  Tests that need an
 * empty database get a new one of their own. */

static PGconn *work;        /* PostgreSQL: a connection to the shared database */
static char work_url[1024];
static char reset_sql[2048];

static void migrate_url(const char *url)
{
    pk_store *s = NULL;
    char err[512] = "";
    int from, to;
    int rc = pk_store_open(url, &s, err, sizeof(err));
    if (rc != 0)
        fail_msg("cannot open %s: %s", url, err);
    rc = pk_store_migrate(s, st_datadir(), &from, &to, err, sizeof(err));
    if (rc != 0)
        fail_msg("cannot migrate %s: %s", url, err);
    pk_store_close(s);
}

static int pg_group_setup(void)
{
    admin = PQconnectdb(getenv("PRAKERJA_TEST_PG"));
    if (PQstatus(admin) != CONNECTION_OK) {
        fprintf(stderr, "store test: cannot connect: %s", PQerrorMessage(admin));
        return -1;
    }
    PQclear(PQexec(admin, "SET client_min_messages = warning"));
    snprintf(template_db, sizeof(template_db), "st_%d_work", (int)getpid());
    pg_drop(template_db);
    pg_create(template_db, "template0");
    pg_url(template_db, work_url, sizeof(work_url));
    migrate_url(work_url);
    work = PQconnectdb(work_url);
    if (PQstatus(work) != CONNECTION_OK)
        return -1;
    PQclear(PQexec(work, "SET client_min_messages = error"));
    /* the names of pk_meta after the migrations (put_once never changes
     * a value, so keeping these names restores the table) */
    PGresult *r = PQexec(work, "SELECT coalesce(string_agg(quote_literal(name), ','), 'NULL')"
                               " FROM pk_meta");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        return -1;
    }
    int current = 0, latest = 0;
    pk_store *s = NULL;
    char err[256];
    if (pk_store_open(work_url, &s, err, sizeof(err)) != 0 ||
        pk_store_version(s, &current, &latest) != 0)
        return -1;
    pk_store_close(s);
    snprintf(reset_sql, sizeof(reset_sql),
             "SET client_min_messages = error;"
             "SET lock_timeout = '20s';"
             "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
             " WHERE datname = current_database() AND pid <> pg_backend_pid()"
             " AND backend_type = 'client backend';"
             /* DELETE, not TRUNCATE: a few rows, and no new files to sync;
              * in passes, since a table referenced by another's rows
              * cannot be emptied first */
             "DO $$DECLARE t text; done bool; BEGIN"
             " FOR t IN SELECT DISTINCT c.relname FROM pg_trigger g JOIN pg_class c"
             "  ON c.oid = g.tgrelid WHERE NOT g.tgisinternal LOOP"
             "  EXECUTE format('ALTER TABLE %%I DISABLE TRIGGER USER', t);"
             " END LOOP;"
             " FOR pass IN 1..10 LOOP done := true;"
             "  FOR t IN SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
             "   AND tablename NOT IN ('region', 'pk_migration', 'pk_meta') LOOP"
             "   BEGIN EXECUTE format('DELETE FROM %%I', t);"
             "   EXCEPTION WHEN foreign_key_violation THEN done := false; END;"
             "  END LOOP; EXIT WHEN done;"
             " END LOOP;"
             " FOR t IN SELECT DISTINCT c.relname FROM pg_trigger g JOIN pg_class c"
             "  ON c.oid = g.tgrelid WHERE NOT g.tgisinternal LOOP"
             "  EXECUTE format('ALTER TABLE %%I ENABLE TRIGGER USER', t);"
             " END LOOP; END$$;"
             "DELETE FROM pk_meta WHERE name NOT IN (%s);"
             "DELETE FROM pk_migration WHERE version > %d;",
             PQgetvalue(r, 0, 0), current);
    PQclear(r);
    return 0;
}

static void pg_reset(void)
{
    PGresult *r = PQexec(work, reset_sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK)
        fprintf(stderr, "store test: cannot reset the database: %s", PQerrorMessage(work));
    PQclear(r);
    while ((r = PQgetResult(work)) != NULL)
        PQclear(r);
}

int st_group_setup(void **state)
{
    (void)state;
    if (st_pg)
        return pg_group_setup();
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof(tmpdir), "%s/pk-store-XXXXXX", t && t[0] ? t : "/tmp");
    if (mkdtemp(tmpdir) == NULL)
        return -1;
    snprintf(template_db, sizeof(template_db), "%s/template.db", tmpdir);
    migrate_url(template_db); /* closing the last connection folds the WAL in */
    return 0;
}

int st_group_teardown(void **state)
{
    (void)state;
    if (st_pg) {
        PQfinish(work);
        work = NULL;
        pg_drop(template_db);
        PQfinish(admin);
        admin = NULL;
        return 0;
    }
    remove_db_files(template_db);
    rmdir(tmpdir);
    return 0;
}

static int setup(void **state, bool migrated)
{
    st_fx *fx = calloc(1, sizeof(*fx));
    assert_non_null(fx);
    unsigned n = ++serial;
    if (st_pg && migrated) {
        snprintf(fx->url, sizeof(fx->url), "%s", work_url);
    } else if (st_pg) {
        snprintf(fx->pgname, sizeof(fx->pgname), "st_%d_%u", (int)getpid(), n);
        pg_create(fx->pgname, "template0");
        pg_url(fx->pgname, fx->url, sizeof(fx->url));
    } else {
        snprintf(fx->url, sizeof(fx->url), "%s/t%u.db", tmpdir, n);
        if (migrated)
            copy_file(template_db, fx->url);
    }
    char err[512] = "";
    if (pk_store_open(fx->url, &fx->s, err, sizeof(err)) != 0)
        fail_msg("cannot open %s: %s", fx->url, err);
    *state = fx;
    return 0;
}

int st_setup(void **state)
{
    return setup(state, true);
}

int st_setup_empty(void **state)
{
    return setup(state, false);
}

int st_teardown(void **state)
{
    st_fx *fx = *state;
    if (fx == NULL)
        return 0;
    pk_store_close(fx->s);
    if (st_pg && fx->pgname[0])
        pg_drop(fx->pgname);
    else if (st_pg)
        pg_reset();
    else
        remove_db_files(fx->url);
    free(fx);
    *state = NULL;
    return 0;
}

pk_store *st_open_again(const st_fx *fx)
{
    pk_store *s = NULL;
    char err[512] = "";
    if (pk_store_open(fx->url, &s, err, sizeof(err)) != 0)
        fail_msg("cannot open %s again: %s", fx->url, err);
    return s;
}

int st_sql_try(const st_fx *fx, const char *sql)
{
    if (st_pg) {
        PGconn *c = PQconnectdb(fx->url);
        assert_int_equal(PQstatus(c), CONNECTION_OK);
        PQclear(PQexec(c, "SET client_min_messages = error"));
        PGresult *r = PQexec(c, sql);
        int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        PQfinish(c);
        return ok ? 0 : -1;
    }
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(fx->url, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 10000);
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc == SQLITE_OK ? 0 : -1;
}

void st_sql(const st_fx *fx, const char *sql)
{
    if (st_pg) {
        PGconn *c = PQconnectdb(fx->url);
        assert_int_equal(PQstatus(c), CONNECTION_OK);
        PGresult *r = PQexec(c, sql);
        int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        if (!ok)
            fprintf(stderr, "store test: %s", PQerrorMessage(c));
        PQclear(r);
        PQfinish(c);
        assert_true(ok);
        return;
    }
    sqlite3 *db = NULL;
    char *msg = NULL;
    assert_int_equal(sqlite3_open(fx->url, &db), SQLITE_OK);
    sqlite3_busy_timeout(db, 10000);
    int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
    if (rc != SQLITE_OK)
        fprintf(stderr, "store test: %s\n", msg ? msg : "?");
    sqlite3_free(msg);
    sqlite3_close(db);
    assert_int_equal(rc, SQLITE_OK);
}

/* ---- made-up opaque values ---- */

static uint64_t mix(uint64_t x)
{
    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    return x ^ (x >> 31);
}

void st_bi(uint8_t out[PK_BI_LEN], char kind, unsigned n)
{
    uint64_t a = mix((uint64_t)(unsigned char)kind << 40 | n);
    uint64_t b = mix(a ^ UINT64_C(0x9e3779b97f4a7c15));
    for (int i = 0; i < 8; i++) {
        out[i] = (uint8_t)(a >> (56 - 8 * i));
        out[8 + i] = (uint8_t)(b >> (56 - 8 * i));
    }
}

void st_bi_fill(uint8_t out[PK_BI_LEN], uint8_t first, uint8_t rest)
{
    memset(out, rest, PK_BI_LEN);
    out[0] = first;
}

void st_auth(uint8_t out[PK_AUTH_HASH_LEN], unsigned n)
{
    st_bi(out, 'S', n);
    st_bi(out + PK_BI_LEN, 's', n);
}

void st_key(uint8_t out[PK_THROTTLE_KEY_LEN], unsigned n)
{
    st_bi(out, 'T', n);
}

pk_prow *st_person_init(st_person *p, unsigned nik, unsigned kk, const char *nama,
                        const char *wilayah)
{
    memset(p, 0, sizeof(*p));
    pk_prow *r = &p->r;
    st_bi(r->nik_bi, 'N', nik);
    st_bi(r->kk_bi, 'K', kk);
    for (int i = 0; i < PK_DIGEST_LEN; i++)
        r->digest[i] = (uint8_t)(nik * 31 + (unsigned)i);
    p->pii[0] = 1; /* generation */
    int len = snprintf((char *)p->pii + 1, sizeof(p->pii) - 1, "box of %u", nik);
    p->pii[1 + len] = 0; /* a NUL inside the box: bytes, not text */
    p->pii[2 + len] = 0xff;
    r->pii = p->pii;
    r->pii_len = (size_t)len + 3;
    r->nama = nama;
    r->tanggal_lahir = "1990-01-02";
    r->jenis_kelamin = "L";
    r->kode_wilayah = wilayah;
    r->pendidikan = "sma";
    r->segmen = "pencari_kerja";
    r->pekerjaan = "";
    r->scheme = "2024";
    r->source = "portal";
    r->as_of = "2024-06-01";
    return r;
}

void st_person_gen(st_person *p, uint8_t gen)
{
    p->pii[0] = gen;
}

int st_write(pk_tx *tx, size_t n, st_person *p)
{
    pk_prow *rows = calloc(n ? n : 1, sizeof(*rows));
    assert_non_null(rows);
    for (size_t i = 0; i < n; i++)
        rows[i] = p[i].r;
    int rc = pk_tx_participants_write(tx, n, rows);
    if (rc == 0)
        for (size_t i = 0; i < n; i++)
            p[i].r.id = rows[i].id;
    free(rows);
    return rc;
}

void st_insert(pk_store *s, size_t n, st_person *p)
{
    pk_tx *tx = NULL;
    assert_int_equal(pk_store_begin(s, &tx), 0);
    int rc = st_write(tx, n, p);
    if (rc != 0)
        pk_tx_rollback(tx);
    assert_int_equal(rc, 0);
    assert_int_equal(pk_tx_commit(tx), 0);
}

/* ---- rows read back ---- */

st_rows *st_rows_new(void)
{
    st_rows *r = calloc(1, sizeof(*r));
    assert_non_null(r);
    return r;
}

static void text(char *dst, size_t cap, const char *src)
{
    assert_non_null(src);
    assert_true(strlen(src) < cap);
    snprintf(dst, cap, "%s", src);
}

int st_collect(void *ctx, const pk_prow *row)
{
    st_rows *rows = ctx;
    assert_true(rows->n < ST_ROWS_MAX);
    st_row *o = &rows->r[rows->n++];
    o->id = row->id;
    memcpy(o->nik_bi, row->nik_bi, PK_BI_LEN);
    memcpy(o->kk_bi, row->kk_bi, PK_BI_LEN);
    memcpy(o->digest, row->digest, PK_DIGEST_LEN);
    assert_true(row->pii_len <= sizeof(o->pii));
    if (row->pii_len > 0)
        memcpy(o->pii, row->pii, row->pii_len);
    o->pii_len = row->pii_len;
    text(o->nama, sizeof(o->nama), row->nama);
    text(o->tanggal_lahir, sizeof(o->tanggal_lahir), row->tanggal_lahir);
    text(o->jenis_kelamin, sizeof(o->jenis_kelamin), row->jenis_kelamin);
    text(o->kode_wilayah, sizeof(o->kode_wilayah), row->kode_wilayah);
    text(o->pendidikan, sizeof(o->pendidikan), row->pendidikan);
    text(o->segmen, sizeof(o->segmen), row->segmen);
    text(o->pekerjaan, sizeof(o->pekerjaan), row->pekerjaan);
    text(o->scheme, sizeof(o->scheme), row->scheme);
    text(o->source, sizeof(o->source), row->source);
    text(o->as_of, sizeof(o->as_of), row->as_of);
    text(o->created_at, sizeof(o->created_at), row->created_at);
    text(o->updated_at, sizeof(o->updated_at), row->updated_at);
    o->warnings = row->warnings;
    o->base_reasons = row->base_reasons;
    o->reasons = row->reasons;
    o->tier = row->tier;
    if (rows->stop_after != 0 && rows->n >= rows->stop_after)
        return rows->stop_rc;
    return 0;
}

st_rows *st_each(pk_store *s, const char *region)
{
    st_rows *rows = st_rows_new();
    assert_int_equal(pk_store_participants_each(s, region, st_collect, rows), 0);
    return rows;
}

const st_row *st_row_by_id(const st_rows *rows, int64_t id)
{
    for (size_t i = 0; i < rows->n; i++)
        if (rows->r[i].id == id)
            return &rows->r[i];
    return NULL;
}

void st_read(pk_store *s, int64_t id, st_row *out)
{
    st_rows *rows = st_rows_new();
    assert_int_equal(pk_store_participant_get(s, NULL, id, st_collect, rows), 0);
    assert_int_equal(rows->n, 1);
    *out = rows->r[0];
    free(rows);
}
