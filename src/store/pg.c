/* pg.c -- the PostgreSQL backend of the store, for large deployments.
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
 * Schema changes are the same numbered migrations as sqlite.c, each in
 * its own transaction under an advisory lock, so processes starting at
 * once migrate once.  Text that is compared or ordered (region codes)
 * uses the "C" collation so order and prefix ranges match SQLite's.
 * Timestamps are stored as text in SQLite's format.  Every parameter and
 * every result travels in binary. */
#include <libpq-fe.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/participant.h"
#include "core/pk.h"
#include "core/region.h"
#include "core/scheme.h"
#include "store/store_impl.h"

#define POOL_MAX 64
#define FETCH_ROWS "1000"
#define MAX_PARAMS 20

/* Prepared statements, prepared once per connection on first use. */
enum {
    S_KK_LOCKS, S_FIND_MANY, S_ANY_PARTICIPANT, S_BULK_MARK, S_BULK_FAMILIES, S_BULK_REPEATS,
    S_BULK_FOLD, S_BULK_DROP, S_ID_BLOCK, S_LISTS_MANY, S_NEXT_IDS, S_INSERT_MANY,
    S_UPDATE_MANY, S_LISTS_OF, S_KK_MEMBERS_MANY, S_SET_REASONS_MANY, S_AUDIT_MANY, S_LIST_SAVE_OLD, S_LIST_CLEAR_OLD, S_LIST_DELETE, S_LIST_ADD, S_LIST_COUNT,
    S_ROW_BY_NIK, S_SET_BASE, S_STATS, S_REGIONS, S_META_GET, S_META_PUT,
    S_USER_INSERT, S_USER_FIND, S_USER_UPDATE, S_USERS, S_SESSION_INSERT, S_SESSION_GET,
    S_SESSION_TOUCH, S_SESSION_DELETE, S_SESSIONS_EXPIRE, S_TOKEN_INSERT, S_TOKEN_FIND,
    S_TOKEN_REVOKE, S_FAIL_ADD, S_FAILURES, S_FAIL_CLEAR, S_PII_OLDER, S_NOTE_OLDER,
    S_PII_RESEAL, S_NOTE_RESEAL, S_SEALED_GENS,
    S__COUNT
};

typedef struct pgc {
    PGconn *conn;
    uint64_t prepared;  /* bit per S_* */
    bool list_old;      /* the temp table exists on this connection */
} pgc;

typedef struct pg {
    char *url;
    char *shown;        /* url without its password, for messages */
    pthread_mutex_t mu;
    pgc *idle[POOL_MAX];
    int nidle;
} pg;

typedef struct pg_tx {
    pk_tx base;
    pg *p;
    pgc *c;
    pk_buf arr[MAX_PARAMS];  /* array parameters of the batch statements */
    bool bulk;               /* see pk_tx_bulk_begin */
    bool repeats_index;      /* pg_bulk_repeats built its index (and statistics) */
} pg_tx;

/* ---- parameters and results -------------------------------------------- */

enum { T_BYTEA = 17, T_INT8 = 20, T_TEXT = 25, T_BYTEA_ARR = 1001, T_TEXT_ARR = 1009,
       T_INT8_ARR = 1016 };

typedef struct params {
    int n;
    const char *v[MAX_PARAMS];
    int len[MAX_PARAMS];
    int fmt[MAX_PARAMS];
    char ibuf[MAX_PARAMS][8];
} params;

static void p_bytes(params *p, const void *v, size_t len)
{
    p->v[p->n] = v;
    p->len[p->n] = (int)len;
    p->fmt[p->n++] = 1;
}

static void p_text(params *p, const char *s)
{
    p_bytes(p, s, strlen(s));
}

static void p_null(params *p)
{
    p_bytes(p, NULL, 0);
}

static void p_int(params *p, int64_t v)
{
    uint64_t u = (uint64_t)v;
    for (int i = 0; i < 8; i++)
        p->ibuf[p->n][i] = (char)(u >> (56 - 8 * i));
    p_bytes(p, p->ibuf[p->n], 8);
}

/* A one-dimensional array parameter in binary form (what array_recv
 * reads): a header, then each element as a 4-byte length and its bytes.
 * Batches travel as arrays, so a batch is one statement. */
static int put32(pk_buf *b, uint32_t v)
{
    uint8_t x[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    return pk_buf_add(b, x, 4);
}

static int arr_begin(pk_buf *b, uint32_t elem_type)
{
    pk_buf_reset(b);
    int e = put32(b, 1);     /* dimensions */
    e |= put32(b, 0);        /* no NULLs */
    e |= put32(b, elem_type);
    e |= put32(b, 0);        /* length: set by arr_param */
    e |= put32(b, 1);        /* lower bound */
    return e;
}

static int arr_bytes(pk_buf *b, const void *v, size_t len)
{
    int e = put32(b, (uint32_t)len);
    e |= pk_buf_add(b, v, len);
    return e;
}

static int arr_text(pk_buf *b, const char *s)
{
    return arr_bytes(b, s, strlen(s));
}

static int arr_int(pk_buf *b, int64_t v)
{
    int e = put32(b, 8);
    e |= put32(b, (uint32_t)((uint64_t)v >> 32));
    e |= put32(b, (uint32_t)v);
    return e;
}

/* Ends array b of n elements and adds it to p. */
static void arr_param(params *p, pk_buf *b, size_t n)
{
    uint8_t *len = (uint8_t *)b->data + 12;
    len[0] = (uint8_t)(n >> 24), len[1] = (uint8_t)(n >> 16);
    len[2] = (uint8_t)(n >> 8), len[3] = (uint8_t)n;
    p_bytes(p, b->data, b->len);
}

/* A bigint column of a binary result. */
static int64_t get_i64(const PGresult *r, int row, int col)
{
    const unsigned char *b = (const unsigned char *)PQgetvalue(r, row, col);
    if (PQgetlength(r, row, col) != 8)
        return 0;
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u = u << 8 | b[i];
    return (int64_t)u;
}

static void get_bytes(const PGresult *r, int row, int col, uint8_t *dst, int len)
{
    if (PQgetlength(r, row, col) == len)
        memcpy(dst, PQgetvalue(r, row, col), (size_t)len);
}

/* Maps a failed result to PK_E* and says why on stderr: the SQLSTATE and
 * the primary message, never the DETAIL (it may quote values).  A unique
 * violation (PK_ECONFLICT) and a broken deadlock (PK_EBUSY) are expected
 * outcomes that the caller handles, and say nothing. */
static int fail(PGconn *conn, const PGresult *r, const char *what)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (state != NULL && strcmp(state, "23505") == 0)
        return PK_ECONFLICT;
    if (state != NULL && strcmp(state, "40P01") == 0)
        return PK_EBUSY; /* a deadlock broken by failing us: the caller may redo */
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "prakerja: store: %s: connection to PostgreSQL lost\n", what);
        return PK_EIO;
    }
    const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *cons = r ? PQresultErrorField(r, PG_DIAG_CONSTRAINT_NAME) : NULL;
    if (state != NULL && (strncmp(state, "22", 2) == 0 || strncmp(state, "23", 2) == 0))
        fprintf(stderr, "prakerja: store: %s: SQLSTATE %s%s%s\n", what, state,
                cons ? " constraint " : "", cons ? cons : "");
    else
        fprintf(stderr, "prakerja: store: %s: %s (SQLSTATE %s)\n", what,
                msg ? msg : PQerrorMessage(conn), state ? state : "none");
    return PK_EIO;
}

/* Runs sql (no parameters, text protocol) and expects `want`. */
static int exec(PGconn *conn, const char *sql, ExecStatusType want, const char *what)
{
    PGresult *r = PQexec(conn, sql);
    int rc = PQresultStatus(r) == want ? 0 : fail(conn, r, what);
    PQclear(r);
    return rc;
}

/* ---- connections ------------------------------------------------------- */

/* The URL with any password replaced by "***" (user:secret@host and
 * password=secret). */
static char *redact(const char *url)
{
    size_t n = strlen(url);
    char *out = malloc(2 * n + 16);
    if (out == NULL)
        return NULL;
    const char *s = strstr(url, "://");
    const char *auth = s ? s + 3 : url;
    size_t alen = strcspn(auth, "/?");
    const char *at = memchr(auth, '@', alen);
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    size_t o = 0;
    const char *q = url;
    if (colon != NULL) {
        o = (size_t)(colon - url) + 1;
        memcpy(out, url, o);
        memcpy(out + o, "***", 3);
        o += 3;
        q = at;
    }
    while (*q) {
        if (q > url && (q[-1] == '?' || q[-1] == '&') && strncmp(q, "password=", 9) == 0) {
            memcpy(out + o, "password=***", 12);
            o += 12;
            q += 9 + strcspn(q + 9, "&");
            continue;
        }
        out[o++] = *q++;
    }
    out[o] = '\0';
    return out;
}

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message; /* notices may quote values: never print them */
}

static int conn_open(const char *url, const char *shown, pgc **out, char *err, size_t errlen)
{
    const char *const keys[] = {"dbname", "client_encoding", "fallback_application_name", NULL};
    const char *const vals[] = {url, "UTF8", "prakerja", NULL};
    PGconn *conn = PQconnectdbParams(keys, vals, 1);
    if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
        char msg[512];
        snprintf(msg, sizeof(msg), "%s", conn ? PQerrorMessage(conn) : "out of memory");
        msg[strcspn(msg, "\n")] = '\0';
        snprintf(err, errlen, "cannot connect to PostgreSQL at %s: %s", shown, msg);
        PQfinish(conn);
        return PK_EIO;
    }
    PQsetNoticeProcessor(conn, quiet, NULL);
    pgc *c = calloc(1, sizeof(*c));
    if (c == NULL) {
        PQfinish(conn);
        snprintf(err, errlen, "out of memory");
        return PK_ENOMEM;
    }
    c->conn = conn;
    *out = c;
    return 0;
}

static void conn_close(pgc *c)
{
    if (c != NULL) {
        PQfinish(c->conn);
        free(c);
    }
}

static int conn_get(pg *p, pgc **out)
{
    char err[512];
    pthread_mutex_lock(&p->mu);
    while (p->nidle > 0) {
        pgc *c = p->idle[--p->nidle];
        if (PQstatus(c->conn) == CONNECTION_OK) {
            pthread_mutex_unlock(&p->mu);
            *out = c;
            return 0;
        }
        conn_close(c);
    }
    pthread_mutex_unlock(&p->mu);
    int rc = conn_open(p->url, p->shown, out, err, sizeof(err));
    if (rc != 0)
        fprintf(stderr, "prakerja: store: %s\n", err);
    return rc;
}

/* Gives a connection back; a broken one, or one left inside a
 * transaction, is closed instead. */
static void conn_put(pg *p, pgc *c)
{
    if (c == NULL)
        return;
    if (PQstatus(c->conn) == CONNECTION_OK && PQtransactionStatus(c->conn) == PQTRANS_IDLE) {
        pthread_mutex_lock(&p->mu);
        if (p->nidle < POOL_MAX) {
            p->idle[p->nidle++] = c;
            c = NULL;
        }
        pthread_mutex_unlock(&p->mu);
    }
    conn_close(c);
}

/* ---- statements -------------------------------------------------------- */

#define NOW "to_char(statement_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
#define PCOLS "id, nik_bi, kk_bi, pii, nama, tanggal_lahir, jenis_kelamin, kode_wilayah, " \
              "pendidikan, segmen, pekerjaan, warnings, scheme, base_reasons, reasons, " \
              "source, created_at, updated_at, digest, as_of"

/* The participant columns a write sends, in the order put_row encodes
 * them (the stored fields of a pk_prow; the times come from the store). */
#define WCOLS "id, nik_bi, kk_bi, pii, digest, nama, tanggal_lahir, jenis_kelamin, " \
              "kode_wilayah, pendidikan, segmen, pekerjaan, warnings, scheme, base_reasons, " \
              "reasons, source, as_of"
#define WCOUNT 18
#define WTYPES "IBBBBTTTTTTTITIITT" /* as arrays; see stmts */

#define UCOLS "u.id, u.username, u.role, coalesce(u.region, ''), u.pwhash, u.disabled, " \
              "u.created_at"

/* sql, and the type of each parameter: b bytea, i bigint, t text; in
 * capitals, an array of that type */
static const struct {
    const char *sql, *types;
} stmts[S__COUNT] = {
    /* Row locks on the families' pk_lock rows, inserting them if need
     * be; each waits for whoever holds it, or is inserting it, to end
     * ("WHERE false" locks a row without writing a new version of it).
     * Taken in key order (the caller sorts the keys), so two batches
     * never wait for each other in a circle. */
    [S_KK_LOCKS] = {"INSERT INTO pk_lock (k) SELECT 'k'::bytea || x FROM unnest($1) AS u(x)"
                    " ORDER BY 1 ON CONFLICT (k) DO UPDATE SET k = excluded.k WHERE false", "B"},
    /* Row locks on the people found, taken in NIK order (so two batches
     * never wait for each other in a circle). */
    [S_FIND_MANY] = {"SELECT u.i, p.id, p.digest, p.kk_bi, p.reasons, p.base_reasons, p.scheme"
                     " FROM unnest($1) WITH ORDINALITY AS u(bi, i)"
                     " JOIN participant p ON p.nik_bi = u.bi ORDER BY p.nik_bi FOR UPDATE OF p",
                     "B"},
    [S_ANY_PARTICIPANT] = {"SELECT EXISTS (SELECT 1 FROM participant)", ""},
    [S_BULK_MARK] = {"INSERT INTO bulk_kk SELECT DISTINCT x FROM unnest($1) AS u(x)"
                     " ON CONFLICT DO NOTHING", "B"},
    /* (through participant_nik_repeats, see pg_bulk_repeats) */
    [S_BULK_REPEATS] = {"WITH r AS (SELECT nik_bi FROM participant WHERE nik_bi >= $1 GROUP BY nik_bi"
                        " HAVING count(*) > 1 ORDER BY nik_bi LIMIT $3)"
                        " SELECT p.nik_bi, p.id, p.kk_bi, p.digest FROM participant p"
                        " JOIN r ON p.nik_bi = r.nik_bi WHERE p.nik_bi > $1 OR p.id > $2"
                        " ORDER BY p.nik_bi, p.id LIMIT $3", "bii"},
    /* Not an update of row $1 in place: that would be a HOT update (no
     * indexed column changes), and an index built later in the same
     * transaction over a HOT chain is not used by that transaction
     * (pg_index.indcheckxmin), so the family pass would scan the table
     * for every family.  Row $2 takes id $1 instead: the id is indexed. */
    [S_BULK_FOLD] = {"WITH k AS (DELETE FROM participant WHERE id = $1 RETURNING created_at)"
                     " UPDATE participant p SET id = $1, created_at = k.created_at,"
                     " updated_at = p.created_at, reasons = p.base_reasons FROM k"
                     " WHERE p.id = $2", "ii"},
    [S_BULK_DROP] = {"DELETE FROM participant WHERE id = $1", "i"},
    /* The next $3 marked families after $1, whether each has more than $2
     * members.  Limited before the count, which the planner could
     * otherwise run for every marked family on each page. */
    [S_BULK_FAMILIES] = {"SELECT m.kk_bi, (SELECT count(*) FROM participant p"
                         " WHERE p.kk_bi = m.kk_bi) > $2 FROM (SELECT kk_bi FROM bulk_kk"
                         " WHERE kk_bi > $1 ORDER BY kk_bi LIMIT $3) m ORDER BY m.kk_bi", "bii"},
    [S_LISTS_MANY] = {"SELECT u.i, e.list FROM unnest($1) WITH ORDINALITY AS u(bi, i)"
                      " JOIN exclusion e ON e.nik_bi = u.bi", "B"},
    /* Ids for a batch of inserts, handed out in one call: the order of
     * registration is the order of the batch. */
    [S_NEXT_IDS] = {"SELECT nextval(pg_get_serial_sequence('participant', 'id'))"
                    " FROM generate_series(1, $1)", "i"},
    /* The last of a block of $1 ids: only while a bulk load holds the
     * table alone (nobody else takes ids between nextval and setval). */
    [S_ID_BLOCK] = {"SELECT setval(s, nextval(s) + $1 - 1) FROM"
                    " pg_get_serial_sequence('participant', 'id') AS s", "i"},
    [S_INSERT_MANY] = {"INSERT INTO participant (" WCOLS ", created_at, updated_at)"
                       " SELECT u.*, t.now, t.now FROM (SELECT " NOW " AS now) t,"
                       " unnest($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15,"
                       " $16, $17, $18) AS u", WTYPES},
    [S_UPDATE_MANY] = {"UPDATE participant p SET nik_bi = u.nik_bi, kk_bi = u.kk_bi, pii = u.pii,"
                       " digest = u.digest, nama = u.nama, tanggal_lahir = u.tanggal_lahir,"
                       " jenis_kelamin = u.jenis_kelamin, kode_wilayah = u.kode_wilayah,"
                       " pendidikan = u.pendidikan, segmen = u.segmen, pekerjaan = u.pekerjaan,"
                       " warnings = u.warnings, scheme = u.scheme, base_reasons = u.base_reasons,"
                       " reasons = u.reasons, source = u.source, as_of = u.as_of,"
                       " updated_at = " NOW " FROM unnest($1, $2, $3, $4, $5, $6, $7, $8, $9,"
                       " $10, $11, $12, $13, $14, $15, $16, $17, $18) AS u(" WCOLS ")"
                       " WHERE p.id = u.id", WTYPES},
    [S_LISTS_OF] = {"SELECT list FROM exclusion WHERE nik_bi = $1", "b"},
    [S_KK_MEMBERS_MANY] = {"SELECT kk_bi, id, scheme, base_reasons, reasons FROM participant"
                           " WHERE kk_bi = ANY ($1) ORDER BY kk_bi, id", "B"},
    [S_SET_REASONS_MANY] = {"UPDATE participant p SET reasons = u.r, updated_at = " NOW
                            " FROM unnest($1, $2) AS u(id, r) WHERE p.id = u.id", "II"},
    [S_AUDIT_MANY] = {"INSERT INTO audit (at, source, action, subject, detail)"
                      " SELECT t.now, s, a, NULLIF(j, 0), d FROM (SELECT " NOW " AS now) t,"
                      " unnest($1, $2, $3, $4) AS u(s, a, j, d)", "TTIT"},
    [S_LIST_SAVE_OLD] = {"INSERT INTO list_old SELECT nik_bi FROM exclusion WHERE list = $1"
                         " ON CONFLICT DO NOTHING", "t"},
    [S_LIST_CLEAR_OLD] = {"DELETE FROM list_old", ""},
    [S_LIST_DELETE] = {"DELETE FROM exclusion WHERE list = $1", "t"},
    [S_LIST_ADD] = {"INSERT INTO exclusion (list, nik_bi, note) VALUES ($1, $2, $3)"
                    " ON CONFLICT (list, nik_bi) DO UPDATE SET note = excluded.note", "tbb"},
    [S_LIST_COUNT] = {"SELECT count(*) FROM exclusion WHERE list = $1", "t"},
    [S_ROW_BY_NIK] = {"SELECT " PCOLS " FROM participant WHERE nik_bi = $1 FOR UPDATE", "b"},
    [S_SET_BASE] = {"UPDATE participant SET base_reasons = $2, reasons = $3, updated_at = " NOW
                    " WHERE id = $1", "iii"},
    [S_STATS] = {"SELECT segmen, jenis_kelamin, reasons, count(*) FROM participant"
                 " WHERE kode_wilayah >= $1 AND kode_wilayah < $2 GROUP BY 1, 2, 3", "tt"},
    [S_REGIONS] = {"SELECT code, name FROM region ORDER BY code", ""},
    [S_META_GET] = {"SELECT value FROM pk_meta WHERE name = $1", "t"},
    [S_META_PUT] = {"INSERT INTO pk_meta (name, value) VALUES ($1, $2)"
                    " ON CONFLICT (name) DO NOTHING", "tb"},
    [S_USER_INSERT] = {"INSERT INTO app_user (username, role, region, pwhash, disabled,"
                       " created_at, updated_at) VALUES ($1, $2, $3, $4, $5, " NOW ", " NOW ")"
                       " RETURNING id", "tttti"},
    [S_USER_FIND] = {"SELECT " UCOLS " FROM app_user u WHERE u.username = $1", "t"},
    /* One statement, so one transaction: the sessions end with the change. */
    [S_USER_UPDATE] = {"WITH ended AS (DELETE FROM user_session WHERE user_id = $1)"
                       " UPDATE app_user SET role = $2, region = $3, pwhash = $4, disabled = $5,"
                       " updated_at = " NOW " WHERE id = $1", "ittti"},
    [S_USERS] = {"SELECT " UCOLS " FROM app_user u ORDER BY u.id", ""},
    [S_SESSION_INSERT] = {"INSERT INTO user_session (id, user_id, created, seen)"
                          " VALUES ($1, $2, $3, $3)", "bii"},
    [S_SESSION_GET] = {"SELECT se.created, se.seen, " UCOLS " FROM user_session se"
                       " JOIN app_user u ON u.id = se.user_id WHERE se.id = $1", "b"},
    [S_SESSION_TOUCH] = {"UPDATE user_session SET seen = $2 WHERE id = $1 AND seen < $2", "bi"},
    [S_SESSION_DELETE] = {"DELETE FROM user_session WHERE id = $1", "b"},
    [S_SESSIONS_EXPIRE] = {"DELETE FROM user_session WHERE seen < $1 OR created < $2", "ii"},
    [S_TOKEN_INSERT] = {"INSERT INTO api_token (hash, user_id, label, created_at)"
                        " VALUES ($1, $2, $3, " NOW ") RETURNING id", "bit"},
    [S_TOKEN_FIND] = {"SELECT t.id, " UCOLS " FROM api_token t JOIN app_user u"
                      " ON u.id = t.user_id WHERE t.hash = $1 AND t.revoked_at IS NULL", "b"},
    [S_TOKEN_REVOKE] = {"UPDATE api_token SET revoked_at = " NOW
                        " WHERE id = $1 AND revoked_at IS NULL", "i"},
    [S_FAIL_ADD] = {"WITH forgotten AS (DELETE FROM login_failure WHERE at < $3)"
                    " INSERT INTO login_failure (k, at) VALUES ($1, $2)", "bii"},
    [S_FAILURES] = {"SELECT count(*), coalesce(min(at), 0) FROM login_failure"
                    " WHERE k = $1 AND at >= $2", "bi"},
    [S_FAIL_CLEAR] = {"DELETE FROM login_failure WHERE k = $1", "b"},
    /* The generation is a box's first byte (substr of a bytea: no error
     * on an empty value, unlike get_byte). */
    [S_PII_OLDER] = {"SELECT id, nik_bi, pii FROM participant"
                     " WHERE id > $1 AND substr(pii, 1, 1) < $2 ORDER BY id LIMIT $3", "ibi"},
    [S_NOTE_OLDER] = {"SELECT list, nik_bi, note FROM exclusion"
                      " WHERE (list, nik_bi) > ($1, $2) AND note IS NOT NULL"
                      " AND substr(note, 1, 1) < $3 ORDER BY list, nik_bi LIMIT $4", "tbbi"},
    [S_PII_RESEAL] = {"UPDATE participant SET pii = $1 WHERE id = $2 AND pii = $3", "bib"},
    [S_NOTE_RESEAL] = {"UPDATE exclusion SET note = $1 WHERE list = $2 AND nik_bi = $3"
                       " AND note = $4", "btbb"},
    [S_SEALED_GENS] = {"SELECT substr(pii, 1, 1), count(*) FROM participant GROUP BY 1"
                       " UNION ALL SELECT substr(note, 1, 1), count(*) FROM exclusion"
                       " WHERE note IS NOT NULL GROUP BY 1", ""},
};

static int prepare(pgc *c, int which)
{
    if (c->prepared & ((uint64_t)1 << which))
        return 0;
    Oid types[MAX_PARAMS];
    int n = 0;
    for (const char *t = stmts[which].types; *t; t++)
        types[n++] = *t == 'b'   ? T_BYTEA
                     : *t == 'i' ? T_INT8
                     : *t == 't' ? T_TEXT
                     : *t == 'B' ? T_BYTEA_ARR
                     : *t == 'I' ? T_INT8_ARR
                                 : T_TEXT_ARR;
    char name[16];
    snprintf(name, sizeof(name), "pk%d", which);
    PGresult *r = PQprepare(c->conn, name, stmts[which].sql, n, types);
    int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : fail(c->conn, r, "prepare");
    PQclear(r);
    if (rc == 0)
        c->prepared |= (uint64_t)1 << which;
    return rc;
}

static int send_prepared(pgc *c, int which, const params *ps)
{
    char name[16];
    snprintf(name, sizeof(name), "pk%d", which);
    return PQsendQueryPrepared(c->conn, name, ps ? ps->n : 0, ps ? ps->v : NULL,
                               ps ? ps->len : NULL, ps ? ps->fmt : NULL, 1)
               ? 0
               : fail(c->conn, NULL, "send");
}

static bool ok(const PGresult *r)
{
    ExecStatusType st = PQresultStatus(r);
    return st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK;
}

/* Runs one prepared statement; *out receives the result (the caller
 * clears it) when out is not NULL. */
static int run(pgc *c, int which, const params *ps, PGresult **out)
{
    int rc = prepare(c, which);
    if (rc != 0)
        return rc;
    char name[16];
    snprintf(name, sizeof(name), "pk%d", which);
    PGresult *r = PQexecPrepared(c->conn, name, ps ? ps->n : 0, ps ? ps->v : NULL,
                                 ps ? ps->len : NULL, ps ? ps->fmt : NULL, 1);
    if (!ok(r)) {
        rc = fail(c->conn, r, "statement");
        PQclear(r);
        return rc;
    }
    if (out != NULL)
        *out = r;
    else
        PQclear(r);
    return 0;
}

/* Runs n prepared statements in one round trip (pipeline mode), in order,
 * each with its own snapshot.  out[i] receives statement i's result. */
static int run_pipeline(pgc *c, int n, const int *which, const params *const *ps, PGresult **out)
{
    int rc = 0;
    for (int i = 0; i < n; i++) {
        out[i] = NULL;
        if ((rc = prepare(c, which[i])) != 0)
            return rc;
    }
    if (!PQenterPipelineMode(c->conn))
        return fail(c->conn, NULL, "pipeline");
    for (int i = 0; rc == 0 && i < n; i++)
        rc = send_prepared(c, which[i], ps[i]);
    if (rc == 0 && !PQpipelineSync(c->conn))
        rc = fail(c->conn, NULL, "pipeline");
    /* Read every result even after a failure, up to the sync. */
    for (int i = 0; i < n; i++) {
        PGresult *r = PQgetResult(c->conn);
        if (r == NULL)
            break;
        if (!ok(r)) {
            if (rc == 0 && PQresultStatus(r) != PGRES_PIPELINE_ABORTED)
                rc = fail(c->conn, r, "statement");
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
        rc = fail(c->conn, NULL, "pipeline");
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

/* ---- migrations -------------------------------------------------------- */

/* Any fixed number: the key of the advisory lock migrations take. */
#define MIGRATION_LOCK "7019827360529211392"

typedef struct copy_ctx {
    PGconn *conn;
    char buf[65536];
    size_t len;
} copy_ctx;

static int copy_flush(copy_ctx *x)
{
    if (x->len > 0 && PQputCopyData(x->conn, x->buf, (int)x->len) != 1)
        return PK_EIO;
    x->len = 0;
    return 0;
}

/* Appends s to the COPY text-format line, escaped. */
static void copy_text(copy_ctx *x, const char *s)
{
    for (; *s; s++) {
        char e = *s == '\\' ? '\\' : *s == '\t' ? 't' : *s == '\n' ? 'n' : *s == '\r' ? 'r' : 0;
        if (e) {
            x->buf[x->len++] = '\\';
            x->buf[x->len++] = e;
        } else {
            x->buf[x->len++] = *s;
        }
    }
}

static int copy_region(void *ctx, const char *code, const char *parent, int level,
                       const char *name)
{
    copy_ctx *x = ctx;
    size_t need = 2 * (strlen(code) + (parent ? strlen(parent) : 2) + strlen(name)) + 16;
    if (need > sizeof(x->buf))
        return PK_ETOOBIG;
    if (x->len + need > sizeof(x->buf) && copy_flush(x) != 0)
        return PK_EIO;
    copy_text(x, code);
    x->buf[x->len++] = '\t';
    if (parent != NULL) {
        copy_text(x, parent);
    } else {
        x->buf[x->len++] = '\\';
        x->buf[x->len++] = 'N';
    }
    x->len += (size_t)snprintf(x->buf + x->len, sizeof(x->buf) - x->len, "\t%d\t", level);
    copy_text(x, name);
    x->buf[x->len++] = '\n';
    return 0;
}

static int load_regions(void *pgconn, const char *datadir, char *err, size_t errlen)
{
    PGconn *conn = pgconn;
    PGresult *r = PQexec(conn, "COPY region (code, parent, level, name) FROM STDIN");
    if (PQresultStatus(r) != PGRES_COPY_IN) {
        snprintf(err, errlen, "loading regions: %s", PQerrorMessage(conn));
        PQclear(r);
        return PK_EIO;
    }
    PQclear(r);
    copy_ctx *x = malloc(sizeof(*x));
    if (x == NULL) {
        PQputCopyEnd(conn, "out of memory");
        PQclear(PQgetResult(conn));
        snprintf(err, errlen, "out of memory");
        return PK_ENOMEM;
    }
    x->conn = conn;
    x->len = 0;
    int rc = pk_store_load_wilayah(datadir, copy_region, x, err, errlen);
    if (rc == 0)
        rc = copy_flush(x);
    free(x);
    if (PQputCopyEnd(conn, rc == 0 ? NULL : "aborted") != 1 && rc == 0)
        rc = PK_EIO;
    while ((r = PQgetResult(conn)) != NULL) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && rc == 0) {
            const char *m = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
            snprintf(err, errlen, "loading regions: %s", m ? m : PQerrorMessage(conn));
            rc = PK_EIO;
        }
        PQclear(r);
    }
    if (rc == PK_EIO && err[0] == '\0')
        snprintf(err, errlen, "loading regions: %s", PQerrorMessage(conn));
    return rc;
}

/* The same numbering as sqlite.c, append only (see pk_migration); the
 * schema translated (BLOB -> bytea, INTEGER -> bigint, identity ids). */
static const pk_migration migrations[] = {
    {1, "region table (Kemendagri codes, ODbL data from data/wilayah)",
     "CREATE TABLE region ("
     "  code   text COLLATE \"C\" PRIMARY KEY,"
     "  parent text COLLATE \"C\","
     "  level  bigint NOT NULL CHECK (level BETWEEN 1 AND 4),"
     "  name   text NOT NULL"
     ");",
     load_regions,
     /* After the rows: one join checks every parent, where the inline
      * REFERENCES ran a query per row (1.2 s of a fresh database's 1.3 s).
      * The constraint gets the name the inline one had. */
     "ALTER TABLE region ADD CONSTRAINT region_parent_fkey"
     "  FOREIGN KEY (parent) REFERENCES region(code);"
     "CREATE INDEX region_parent ON region(parent, code);"},
    {2, "participant registry: sealed personal data, blind indexes, exclusion lists, audit log",
     "CREATE TABLE participant ("
     "  id            bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
     "  nik_bi        bytea NOT NULL UNIQUE,"
     "  kk_bi         bytea NOT NULL,"
     "  pii           bytea NOT NULL,"
     "  digest        bytea NOT NULL,"
     "  nama          text NOT NULL,"
     "  tanggal_lahir text NOT NULL,"
     "  jenis_kelamin text NOT NULL CHECK (jenis_kelamin IN ('L', 'P')),"
     "  kode_wilayah  text COLLATE \"C\" NOT NULL REFERENCES region(code),"
     "  pendidikan    text NOT NULL,"
     "  segmen        text NOT NULL,"
     "  pekerjaan     text NOT NULL,"
     "  warnings      bigint NOT NULL,"
     "  scheme        text NOT NULL,"
     "  base_reasons  bigint NOT NULL,"
     "  reasons       bigint NOT NULL,"
     "  as_of         text NOT NULL,"
     "  source        text NOT NULL,"
     "  created_at    text NOT NULL,"
     "  updated_at    text NOT NULL"
     ");"
     "CREATE INDEX participant_kk ON participant(kk_bi, id);"
     "CREATE INDEX participant_region ON participant(kode_wilayah);"
     "CREATE TABLE exclusion ("
     "  list   text NOT NULL,"
     "  nik_bi bytea NOT NULL,"
     "  note   bytea,"
     "  PRIMARY KEY (list, nik_bi)"
     ");"
     "CREATE INDEX exclusion_nik ON exclusion(nik_bi);"
     "CREATE TABLE pk_meta ("
     "  name  text PRIMARY KEY,"
     "  value bytea NOT NULL"
     ");"
     "CREATE TABLE audit ("
     "  id      bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
     "  at      text NOT NULL,"
     "  source  text NOT NULL,"
     "  action  text NOT NULL,"
     "  subject bigint,"
     "  detail  text NOT NULL"
     ");"
     /* PostgreSQL only: what a transaction locks to work on one person
      * ('n' || NIK index) or one family ('k' || KK index) alone, across
      * processes.  Row locks, unlike advisory locks, are not limited by
      * the shared lock table, so a whole import batch may hold them. */
     "CREATE TABLE pk_lock (k bytea PRIMARY KEY);",
     NULL, NULL},
    {3, "accounts: users, sessions, API tokens, failed logins",
     "CREATE TABLE app_user ("
     "  id         bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
     "  username   text NOT NULL UNIQUE,"
     "  role       text NOT NULL,"
     "  region     text COLLATE \"C\" REFERENCES region(code),"
     "  pwhash     text NOT NULL,"
     "  disabled   bigint NOT NULL DEFAULT 0,"
     "  created_at text NOT NULL,"
     "  updated_at text NOT NULL"
     ");"
     "CREATE TABLE user_session ("
     "  id      bytea PRIMARY KEY,"
     "  user_id bigint NOT NULL REFERENCES app_user(id),"
     "  created bigint NOT NULL,"
     "  seen    bigint NOT NULL"
     ");"
     "CREATE INDEX user_session_user ON user_session(user_id);"
     "CREATE INDEX user_session_seen ON user_session(seen);"
     "CREATE TABLE api_token ("
     "  id         bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
     "  hash       bytea NOT NULL UNIQUE,"
     "  user_id    bigint NOT NULL REFERENCES app_user(id),"
     "  label      text NOT NULL,"
     "  created_at text NOT NULL,"
     "  revoked_at text"
     ");"
     "CREATE TABLE login_failure ("
     "  k  bytea NOT NULL,"
     "  at bigint NOT NULL"
     ");"
     "CREATE INDEX login_failure_k ON login_failure(k, at);"
     "CREATE INDEX login_failure_at ON login_failure(at);",
     NULL, NULL},
    {4, "access log: reads of personal data and exports (append only)",
     "CREATE TABLE access_log ("
     "  id      bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,"
     "  at      text COLLATE \"C\" NOT NULL,"
     "  actor   text NOT NULL,"
     "  action  text NOT NULL,"
     "  route   text NOT NULL,"
     "  subject bigint,"
     "  detail  text NOT NULL"
     ");"
     "CREATE INDEX access_log_at ON access_log(at);"
     /* append only: the store has no op that changes it, and the
      * database refuses it too */
     "CREATE FUNCTION access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS"
     " $$BEGIN RAISE EXCEPTION 'access_log is append-only'; END$$;"
     "CREATE TRIGGER access_log_no_change BEFORE UPDATE OR DELETE ON access_log"
     " FOR EACH ROW EXECUTE FUNCTION access_log_append_only();"
     "CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log"
     " FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only();",
     NULL, NULL},
    /* The same names as SQLite's (whose inline UNIQUE could not be
     * dropped for a bulk load). */
    {5, "participant: the NIK index becomes a named unique index (bulk loading)",
     "ALTER TABLE participant DROP CONSTRAINT participant_nik_bi_key;"
     "CREATE UNIQUE INDEX participant_nik ON participant (nik_bi);",
     NULL, NULL},
    /* A new database computes its blind indexes with SipHash (vault.h:
     * PK_BLIND_SIPHASH_NAME); one that has ever been used keeps BLAKE2b,
     * the function its stored indexes were made with. */
    {6, "blind indexes: new databases use SipHash-2-4 (pk_meta 'blind')",
     "INSERT INTO pk_meta (name, value) SELECT 'blind', convert_to('siphash24-2x64', 'UTF8')"
     " WHERE NOT EXISTS (SELECT 1 FROM pk_meta WHERE name = 'key_check')"
     " AND NOT EXISTS (SELECT 1 FROM participant) AND NOT EXISTS (SELECT 1 FROM exclusion);",
     NULL, NULL},
};

static int latest_version(void)
{
    return migrations[PK_ARRAY_LEN(migrations) - 1].version;
}

/* 0 for a database without pk_migration. */
static int read_version(PGconn *conn, int *current)
{
    *current = 0;
    PGresult *r = PQexec(conn, "SELECT to_regclass('pk_migration') IS NOT NULL");
    int rc = PQresultStatus(r) == PGRES_TUPLES_OK ? 0 : fail(conn, r, "schema version");
    bool exists = rc == 0 && strcmp(PQgetvalue(r, 0, 0), "t") == 0;
    PQclear(r);
    if (rc != 0 || !exists)
        return rc;
    r = PQexec(conn, "SELECT coalesce(max(version), 0) FROM pk_migration");
    rc = PQresultStatus(r) == PGRES_TUPLES_OK ? 0 : fail(conn, r, "schema version");
    if (rc == 0)
        *current = atoi(PQgetvalue(r, 0, 0));
    PQclear(r);
    return rc;
}

static int pg_version(pk_store *s, int *current, int *latest)
{
    pg *p = s->impl;
    pgc *c;
    *latest = latest_version();
    int rc = conn_get(p, &c);
    if (rc != 0)
        return rc;
    rc = read_version(c->conn, current);
    conn_put(p, c);
    return rc;
}

/* BEGIN, then wait for the migration lock: one process migrates at a
 * time, the others find the work done. */
static int begin_locked(PGconn *conn, char *err, size_t errlen)
{
    if (exec(conn, "BEGIN", PGRES_COMMAND_OK, "migrate") != 0 ||
        exec(conn, "SELECT pg_advisory_xact_lock(" MIGRATION_LOCK ")", PGRES_TUPLES_OK,
             "migrate") != 0) {
        snprintf(err, errlen, "cannot lock the schema: %s", PQerrorMessage(conn));
        return PK_EIO;
    }
    return 0;
}

static int commit_conn(PGconn *conn)
{
    PGresult *r = PQexec(conn, "COMMIT");
    /* COMMIT of a failed transaction "succeeds" with the tag ROLLBACK. */
    int rc = PQresultStatus(r) == PGRES_COMMAND_OK && strcmp(PQcmdStatus(r), "COMMIT") == 0
                 ? 0
                 : fail(conn, r, "commit");
    PQclear(r);
    return rc;
}

/* ---- the migrator (pk_store_migrations) ---- */

static int mg_begin(void *conn, char *err, size_t errlen)
{
    return begin_locked(conn, err, errlen);
}

static int mg_exec(void *conn, const char *sql, char *err, size_t errlen)
{
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

static int mg_record(void *conn, const pk_migration *m, char *err, size_t errlen)
{
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
    int rc = commit_conn(conn);
    if (rc != 0)
        snprintf(err, errlen, "commit failed: %s", PQerrorMessage(conn));
    return rc;
}

static void mg_rollback(void *conn)
{
    PQclear(PQexec(conn, "ROLLBACK"));
}

static int pg_migrate(pk_store *s, const char *datadir, int *from, int *to, char *err,
                      size_t errlen)
{
    pg *p = s->impl;
    pgc *c;
    err[0] = '\0';
    int rc = conn_open(p->url, p->shown, &c, err, errlen);
    if (rc != 0)
        return rc;
    PGconn *conn = c->conn;
    /* The version table, created once under the lock (CREATE TABLE IF NOT
     * EXISTS alone races between processes). */
    int current;
    if ((rc = begin_locked(conn, err, errlen)) != 0)
        goto out;
    if ((rc = read_version(conn, &current)) != 0) {
        snprintf(err, errlen, "cannot read schema version");
        PQclear(PQexec(conn, "ROLLBACK"));
        goto out;
    }
    if (current == 0 &&
        (rc = exec(conn,
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
    if ((rc = commit_conn(conn)) != 0) {
        snprintf(err, errlen, "cannot create pk_migration");
        goto out;
    }
    pk_migrator mg = {conn, mg_begin, mg_exec, mg_version, mg_record, mg_commit, mg_rollback};
    rc = pk_store_migrations(&mg, migrations, PK_ARRAY_LEN(migrations), datadir, from, to, err,
                             errlen);
out:
    /* Not pooled: prepared statements made before the schema existed
     * would not matter, but keep pooled connections clean anyway. */
    conn_close(c);
    return rc;
}

static int pg_ping(pk_store *s)
{
    pg *p = s->impl;
    pgc *c;
    int rc = conn_get(p, &c);
    if (rc != 0)
        return rc;
    rc = exec(c->conn, "SELECT 1", PGRES_TUPLES_OK, "ping");
    conn_put(p, c);
    return rc;
}

static int pg_regions_each(pk_store *s, pk_region_cb cb, void *ctx)
{
    pg *p = s->impl;
    pgc *c;
    PGresult *r = NULL;
    int rc = conn_get(p, &c);
    if (rc != 0)
        return rc;
    if ((rc = run(c, S_REGIONS, NULL, &r)) != 0)
        goto out;
    for (int i = 0, n = PQntuples(r); i < n; i++)
        if ((rc = cb(ctx, PQgetvalue(r, i, 0), PQgetvalue(r, i, 1))) != 0)
            break;
out:
    PQclear(r);
    conn_put(p, c);
    return rc;
}

static int pg_meta_get(pk_store *s, const char *name, uint8_t *buf, size_t cap, size_t *len)
{
    pg *p = s->impl;
    pgc *c;
    PGresult *r = NULL;
    params ps = {0};
    p_text(&ps, name);
    int rc = conn_get(p, &c);
    if (rc != 0)
        return rc;
    if ((rc = run(c, S_META_GET, &ps, &r)) != 0)
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
    conn_put(p, c);
    return rc;
}

/* One statement: autocommit is its own transaction, and ON CONFLICT DO
 * NOTHING lets the first of several racing processes win. */
static int pg_meta_put_once(pk_store *s, const char *name, const uint8_t *value, size_t len)
{
    pg *p = s->impl;
    pgc *c;
    params ps = {0};
    p_text(&ps, name);
    p_bytes(&ps, value, len);
    int rc = conn_get(p, &c);
    if (rc != 0)
        return rc;
    rc = run(c, S_META_PUT, &ps, NULL);
    conn_put(p, c);
    return rc;
}

static void pg_close(pk_store *s)
{
    pg *p = s->impl;
    for (int i = 0; i < p->nidle; i++)
        conn_close(p->idle[i]);
    pthread_mutex_destroy(&p->mu);
    free(p->url);
    free(p->shown);
    free(p);
    free(s);
}

/* ---- the registry: writes ---------------------------------------------- */

static int pg_begin(pk_store *s, pk_tx **out)
{
    pg *p = s->impl;
    pgc *c;
    int rc = conn_get(p, &c);
    if (rc != 0)
        return rc;
    if ((rc = exec(c->conn, "BEGIN ISOLATION LEVEL READ COMMITTED", PGRES_COMMAND_OK,
                   "begin")) != 0) {
        conn_put(p, c);
        return rc;
    }
    pg_tx *tx = calloc(1, sizeof(*tx));
    if (tx == NULL) {
        PQclear(PQexec(c->conn, "ROLLBACK"));
        conn_put(p, c);
        return PK_ENOMEM;
    }
    tx->base.store = s;
    tx->p = p;
    tx->c = c;
    for (int i = 0; i < MAX_PARAMS; i++)
        pk_buf_init(&tx->arr[i], (size_t)1 << 30);
    *out = &tx->base;
    return 0;
}

static void tx_free(pg_tx *tx)
{
    for (int i = 0; i < MAX_PARAMS; i++)
        pk_buf_free(&tx->arr[i]);
    free(tx);
}

static int pg_commit(pk_tx *t)
{
    pg_tx *tx = (pg_tx *)t;
    if (tx->bulk) /* the caller did not build the indexes again: refuse */
        PQclear(PQexec(tx->c->conn, "ROLLBACK"));
    int rc = tx->bulk ? PK_EIO : commit_conn(tx->c->conn);
    if (rc != 0 && PQtransactionStatus(tx->c->conn) != PQTRANS_IDLE)
        PQclear(PQexec(tx->c->conn, "ROLLBACK"));
    conn_put(tx->p, tx->c);
    tx_free(tx);
    return rc;
}

static void pg_rollback(pk_tx *t)
{
    pg_tx *tx = (pg_tx *)t;
    PQclear(PQexec(tx->c->conn, "ROLLBACK"));
    conn_put(tx->p, tx->c);
    tx_free(tx);
}

static pgc *txc(pk_tx *t)
{
    return ((pg_tx *)t)->c;
}

static int pg_savepoint(pk_tx *t)
{
    return exec(txc(t)->conn, "SAVEPOINT pk_job", PGRES_COMMAND_OK, "savepoint");
}

static int pg_release(pk_tx *t)
{
    return exec(txc(t)->conn, "RELEASE pk_job", PGRES_COMMAND_OK, "savepoint");
}

static int pg_rollback_to(pk_tx *t)
{
    int rc = exec(txc(t)->conn, "ROLLBACK TO pk_job", PGRES_COMMAND_OK, "savepoint");
    int rc2 = exec(txc(t)->conn, "RELEASE pk_job", PGRES_COMMAND_OK, "savepoint");
    return rc ? rc : rc2;
}

static int lists_of_result(const PGresult *r, unsigned *lists)
{
    *lists = 0;
    for (int i = 0, n = PQntuples(r); i < n; i++)
        *lists |= pk_list_by_name(PQgetvalue(r, i, 0));
    return 0;
}

/* bi[0..n) as an array parameter (sorted and distinct when `sorted`,
 * for locks), built in tx->arr[slot]. */
static int bi_param(pg_tx *tx, params *p, int slot, size_t n, const pk_bi *bi, bool sorted)
{
    pk_bi *keys = NULL;
    if (sorted && (keys = pk_bi_sorted(n, bi, &n)) == NULL)
        return PK_ENOMEM;
    pk_buf *b = &tx->arr[slot];
    int e = arr_begin(b, T_BYTEA);
    for (size_t i = 0; i < n; i++)
        e |= arr_bytes(b, sorted ? keys[i] : bi[i], PK_BI_LEN);
    free(keys);
    if (e != 0)
        return PK_ENOMEM;
    arr_param(p, b, n);
    return 0;
}

/* Row i of a result whose first column is a 1-based ordinality. */
static bool ordinal(const PGresult *r, int row, size_t n, size_t *i)
{
    int64_t o = get_i64(r, row, 0);
    if (o < 1 || (uint64_t)o > n)
        return false;
    *i = (size_t)(o - 1);
    return true;
}

/* Reads the NIK indexes and locks the rows found to the end of the
 * transaction, in one round trip: whoever changes one of these people
 * elsewhere waits for our commit and then sees it.  A NIK not found may
 * be inserted elsewhere meanwhile: then our insert fails on the unique
 * index (PK_ECONFLICT) once theirs commits. */
static int pg_participants_find(pk_tx *t, size_t n, const pk_bi *nik_bi,
                                pk_pknown *out)
{
    pg_tx *tx = (pg_tx *)t;
    params p = {0};
    int rc = bi_param(tx, &p, 0, n, nik_bi, false);
    if (rc != 0)
        return rc;
    /* (in a bulk load every NIK is new: the caller's word) */
    const int w[2] = {S_FIND_MANY, S_LISTS_MANY};
    const params *ps[2] = {&p, &p};
    PGresult *res[2] = {NULL, NULL};
    memset(out, 0, n * sizeof(*out));
    if (tx->bulk)
        rc = run(tx->c, S_LISTS_MANY, &p, &res[1]);
    else
        rc = run_pipeline(tx->c, 2, w, ps, res);
    if (rc != 0)
        return rc;
    size_t i;
    for (int r = 0, m = res[0] ? PQntuples(res[0]) : 0; r < m; r++) {
        if (!ordinal(res[0], r, n, &i))
            continue;
        pk_pknown *k = &out[i];
        k->id = get_i64(res[0], r, 1);
        get_bytes(res[0], r, 2, k->digest, PK_DIGEST_LEN);
        get_bytes(res[0], r, 3, k->kk_bi, PK_BI_LEN);
        k->reasons = (uint64_t)get_i64(res[0], r, 4);
        k->base_reasons = (uint64_t)get_i64(res[0], r, 5);
        snprintf(k->scheme, sizeof(k->scheme), "%s", PQgetvalue(res[0], r, 6));
    }
    for (int r = 0, m = PQntuples(res[1]); r < m; r++)
        if (ordinal(res[1], r, n, &i))
            out[i].lists |= pk_list_by_name(PQgetvalue(res[1], r, 1));
    PQclear(res[0]);
    PQclear(res[1]);
    return 0;
}

/* Appends a row's written fields (WCOLS, with this id) to out[column],
 * each as its length and its bytes: one buffer per column makes the
 * array parameters of S_INSERT_MANY / S_UPDATE_MANY, the same buffer for
 * every column a tuple of binary COPY. */
static int put_row(pk_buf *const out[WCOUNT], const pk_prow *r, int64_t id)
{
    /* one statement per field: for COPY they go into one buffer, in order */
    int e = arr_int(out[0], id);
    e |= arr_bytes(out[1], r->nik_bi, PK_BI_LEN);
    e |= arr_bytes(out[2], r->kk_bi, PK_BI_LEN);
    e |= arr_bytes(out[3], r->pii, r->pii_len);
    e |= arr_bytes(out[4], r->digest, PK_DIGEST_LEN);
    e |= arr_text(out[5], r->nama);
    e |= arr_text(out[6], r->tanggal_lahir);
    e |= arr_text(out[7], r->jenis_kelamin);
    e |= arr_text(out[8], r->kode_wilayah);
    e |= arr_text(out[9], r->pendidikan);
    e |= arr_text(out[10], r->segmen);
    e |= arr_text(out[11], r->pekerjaan);
    e |= arr_int(out[12], (int64_t)r->warnings);
    e |= arr_text(out[13], r->scheme);
    e |= arr_int(out[14], (int64_t)r->base_reasons);
    e |= arr_int(out[15], (int64_t)r->reasons);
    e |= arr_text(out[16], r->source);
    e |= arr_text(out[17], r->as_of);
    return e;
}

/* The arrays of S_INSERT_MANY / S_UPDATE_MANY from the rows whose id is
 * (update) or is not (insert) set; ids[] gives inserted rows theirs. */
static int rows_params(pg_tx *tx, params *p, const pk_prow *rows, size_t n, bool update,
                       const int64_t *ids, size_t *count)
{
    pk_buf *col[WCOUNT];
    int e = 0;
    size_t m = 0;
    for (int c = 0; c < WCOUNT; c++) {
        col[c] = &tx->arr[c];
        e |= arr_begin(col[c], WTYPES[c] == 'I' ? T_INT8 : WTYPES[c] == 'B' ? T_BYTEA : T_TEXT);
    }
    for (size_t i = 0; i < n; i++)
        if ((rows[i].id != 0) == update) {
            e |= put_row(col, &rows[i], update ? rows[i].id : ids[m]);
            m++;
        }
    if (e != 0)
        return PK_ENOMEM;
    for (int c = 0; c < WCOUNT; c++)
        arr_param(p, col[c], m);
    *count = m;
    return 0;
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Inserts this many rows or more go by COPY (binary): the server then
 * writes heap pages many rows at a time.  Fewer go by S_INSERT_MANY, one
 * round trip. */
#define COPY_MIN 64

static int put16(pk_buf *b, uint16_t v)
{
    uint8_t x[2] = {(uint8_t)(v >> 8), (uint8_t)v};
    return pk_buf_add(b, x, 2);
}

/* The inserts among rows (id 0), with ids[], by COPY (a field of a binary
 * COPY tuple is encoded as an array element is: its length, its bytes). */
static int copy_rows(pg_tx *tx, const pk_prow *rows, size_t n, const int64_t *ids)
{
    static const char sig[11] = "PGCOPY\n\377\r\n";
    char now[32];
    pk_store_now(now);
    pk_buf *b = &tx->arr[0], *col[WCOUNT];
    for (int c = 0; c < WCOUNT; c++)
        col[c] = b;
    pk_buf_reset(b);
    int e = pk_buf_add(b, sig, sizeof(sig));
    e |= put32(b, 0); /* flags */
    e |= put32(b, 0); /* header extension */
    for (size_t i = 0, j = 0; i < n; i++) {
        if (rows[i].id != 0)
            continue;
        e |= put16(b, WCOUNT + 2);
        e |= put_row(col, &rows[i], ids[j++]);
        e |= arr_text(b, now); /* created_at */
        e |= arr_text(b, now); /* updated_at */
    }
    e |= put16(b, 0xffff);
    if (e != 0)
        return PK_ENOMEM;
    PGconn *conn = tx->c->conn;
    PGresult *r = PQexec(conn, "COPY participant (" WCOLS ", created_at, updated_at)"
                               " FROM STDIN (FORMAT binary)");
    int rc = PQresultStatus(r) == PGRES_COPY_IN ? 0 : fail(conn, r, "copy");
    PQclear(r);
    if (rc != 0)
        return rc;
    if (PQputCopyData(conn, b->data, (int)b->len) != 1)
        rc = fail(conn, NULL, "copy");
    if (PQputCopyEnd(conn, NULL) != 1 && rc == 0)
        rc = fail(conn, NULL, "copy");
    while ((r = PQgetResult(conn)) != NULL) {
        if (PQresultStatus(r) != PGRES_COMMAND_OK && rc == 0)
            rc = fail(conn, r, "copy");
        PQclear(r);
    }
    return rc;
}

/* Ids come from the sequence only now, after pk_tx_kk_members locked
 * the families: within a family they are handed out in commit order, as
 * with SQLite's single writer (a member told "eligible" is never
 * overtaken by one who committed later). */
static int pg_participants_write(pk_tx *t, size_t n, pk_prow *rows)
{
    pg_tx *tx = (pg_tx *)t;
    size_t inserts = 0;
    int64_t *ids = NULL;
    int rc = 0;
    for (size_t i = 0; i < n; i++)
        inserts += rows[i].id == 0;
    if (inserts > 0) {
        params cnt = {0};
        PGresult *r = NULL;
        p_int(&cnt, (int64_t)inserts);
        if ((rc = run(tx->c, tx->bulk ? S_ID_BLOCK : S_NEXT_IDS, &cnt, &r)) != 0)
            return rc;
        size_t got = (size_t)PQntuples(r);
        if (got != (tx->bulk ? 1 : inserts) || (ids = malloc(inserts * sizeof(*ids))) == NULL) {
            PQclear(r);
            return PK_EIO;
        }
        for (size_t i = 0; i < inserts; i++)
            ids[i] = tx->bulk ? get_i64(r, 0, 0) - (int64_t)(inserts - 1 - i)
                              : get_i64(r, (int)i, 0);
        PQclear(r);
        qsort(ids, inserts, sizeof(*ids), cmp_i64);
    }
    size_t m = 0;
    if (inserts >= COPY_MIN)
        rc = copy_rows(tx, rows, n, ids);
    for (int pass = inserts >= COPY_MIN; rc == 0 && pass < 2; pass++) {
        params p = {0};
        if ((rc = rows_params(tx, &p, rows, n, pass == 1, ids, &m)) != 0 || m == 0)
            continue;
        rc = run(tx->c, pass == 0 ? S_INSERT_MANY : S_UPDATE_MANY, &p, NULL);
    }
    for (size_t i = 0, j = 0; rc == 0 && i < n; i++)
        if (rows[i].id == 0)
            rows[i].id = ids[j++];
    free(ids);
    return rc;
}

/* The families are locked first: two processes adding members to one
 * KK at once apply the limit one after the other, the second seeing the
 * first's members (and handing out later ids).  Locks and members in
 * one round trip. */
static int pg_kk_members(pk_tx *t, size_t n, const pk_bi *kk_bi, pk_member_cb cb, void *ctx)
{
    pg_tx *tx = (pg_tx *)t;
    if (tx->bulk)
        return 0; /* no index to find them by: the caller applies the limit afterwards */
    params lk = {0};
    int rc = bi_param(tx, &lk, 0, n, kk_bi, true);
    if (rc != 0)
        return rc;
    const int w[2] = {S_KK_LOCKS, S_KK_MEMBERS_MANY};
    const params *ps[2] = {&lk, &lk};
    PGresult *res[2];
    if ((rc = run_pipeline(tx->c, 2, w, ps, res)) != 0)
        return rc;
    PQclear(res[0]);
    PGresult *r = res[1];
    for (int i = 0, rows = PQntuples(r); rc == 0 && i < rows; i++) {
        if (PQgetlength(r, i, 0) != PK_BI_LEN)
            continue;
        pk_member m = {(const uint8_t *)PQgetvalue(r, i, 0), get_i64(r, i, 1),
                       PQgetvalue(r, i, 2), (uint64_t)get_i64(r, i, 3),
                       (uint64_t)get_i64(r, i, 4)};
        rc = cb(ctx, &m);
    }
    PQclear(r);
    return rc;
}

static int pg_set_reasons(pk_tx *t, size_t n, const int64_t *ids, const uint64_t *reasons)
{
    pg_tx *tx = (pg_tx *)t;
    pk_buf *a = &tx->arr[1], *b = &tx->arr[2];
    int e = arr_begin(a, T_INT8) | arr_begin(b, T_INT8);
    for (size_t i = 0; i < n; i++)
        e |= arr_int(a, ids[i]) | arr_int(b, (int64_t)reasons[i]);
    if (e != 0)
        return PK_ENOMEM;
    params p = {0};
    arr_param(&p, a, n);
    arr_param(&p, b, n);
    return run(tx->c, S_SET_REASONS_MANY, &p, NULL);
}

/* A bulk load holds the participant table alone (ACCESS EXCLUSIVE, to the
 * end of the transaction: readers wait too) and rebuilds what it drops,
 * under the same names as migrations 2 and 5 gave them. */
static int pg_bulk_begin(pk_tx *t, bool *on)
{
    pg_tx *tx = (pg_tx *)t;
    PGresult *r = NULL;
    int rc = run(tx->c, S_ANY_PARTICIPANT, NULL, &r);
    if (rc != 0)
        return rc;
    bool any = PQgetlength(r, 0, 0) == 1 && PQgetvalue(r, 0, 0)[0] != 0;
    PQclear(r);
    if (any)
        return 0;
    rc = exec(tx->c->conn,
              "LOCK TABLE participant IN ACCESS EXCLUSIVE MODE;"
              "DROP INDEX participant_nik; DROP INDEX participant_kk; DROP INDEX participant_region;"
              "ALTER TABLE participant DROP CONSTRAINT participant_kode_wilayah_fkey;"
              "CREATE TEMP TABLE bulk_kk (kk_bi bytea PRIMARY KEY) ON COMMIT DROP",
              PGRES_COMMAND_OK, "bulk load");
    if (rc == 0)
        tx->bulk = *on = true;
    return rc;
}

/* Under a savepoint: a NIK that repeats fails the unique index, which
 * would end the transaction otherwise. */
static int pg_bulk_end(pk_tx *t)
{
    pg_tx *tx = (pg_tx *)t;
    if (!tx->bulk)
        return 0;
    PGconn *conn = tx->c->conn;
    int rc = exec(conn, "SAVEPOINT bulk_end", PGRES_COMMAND_OK, "bulk load: savepoint");
    if (rc != 0)
        return rc;
    rc = exec(conn,
              "DROP INDEX IF EXISTS participant_nik_repeats;"
              /* statistics of the marked families, for paging through them
               * in bulk_families (temporary tables get none otherwise) */
              "ANALYZE bulk_kk;"
              /* the server's memory, for the sorts of this transaction only */
              "SET LOCAL maintenance_work_mem = '256MB';"
              "CREATE UNIQUE INDEX participant_nik ON participant (nik_bi);"
              "CREATE INDEX participant_kk ON participant (kk_bi, id);"
              "CREATE INDEX participant_region ON participant (kode_wilayah);"
              "ALTER TABLE participant ADD CONSTRAINT participant_kode_wilayah_fkey"
              " FOREIGN KEY (kode_wilayah) REFERENCES region (code);"
              /* statistics for the planner: the table was empty a moment ago */
              "ANALYZE participant",
              PGRES_COMMAND_OK, "bulk load: indexes");
    if (rc == 0)
        rc = exec(conn, "RELEASE SAVEPOINT bulk_end", PGRES_COMMAND_OK, "bulk load: savepoint");
    else if (rc == PK_ECONFLICT &&
             exec(conn, "ROLLBACK TO SAVEPOINT bulk_end", PGRES_COMMAND_OK, "bulk load: savepoint"))
        rc = PK_EIO;
    if (rc == 0)
        tx->bulk = tx->repeats_index = false;
    return rc;
}

static int pg_bulk_repeats(pk_tx *t, const uint8_t *after_nik, int64_t after_id, size_t limit,
                           pk_repeat *out, size_t *n)
{
    pg_tx *tx = (pg_tx *)t;
    /* the statistics too: bulk_end gave up before its ANALYZE, and the
     * planner would not page through the index without them */
    int rc = tx->repeats_index
                 ? 0
                 : exec(tx->c->conn,
                        "CREATE INDEX participant_nik_repeats ON participant (nik_bi);"
                        "ANALYZE participant",
                        PGRES_COMMAND_OK, "bulk load: repeats");
    tx->repeats_index = rc == 0;
    params p = {0};
    PGresult *r = NULL;
    p_bytes(&p, after_nik ? after_nik : (const uint8_t *)"", after_nik ? PK_BI_LEN : 0);
    p_int(&p, after_id);
    p_int(&p, (int64_t)limit);
    if (rc != 0 || (rc = run(txc(t), S_BULK_REPEATS, &p, &r)) != 0)
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

static int pg_bulk_fold(pk_tx *t, int64_t keep, int64_t from, bool copy)
{
    params p = {0};
    if (copy)
        p_int(&p, keep);
    p_int(&p, from);
    return run(txc(t), copy ? S_BULK_FOLD : S_BULK_DROP, &p, NULL);
}

static int pg_bulk_mark(pk_tx *t, size_t n, const pk_bi *kk_bi)
{
    params p = {0};
    int rc = bi_param((pg_tx *)t, &p, 0, n, kk_bi, false);
    return rc != 0 ? rc : run(txc(t), S_BULK_MARK, &p, NULL);
}

static int pg_bulk_families(pk_tx *t, int small, const uint8_t *after, size_t limit,
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
        int rc = run(txc(t), S_BULK_FAMILIES, &p, &r);
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

static int pg_audit(pk_tx *t, size_t n, const pk_audit_entry *e)
{
    pg_tx *tx = (pg_tx *)t;
    pk_buf *a = tx->arr;
    int err = arr_begin(&a[0], T_TEXT) | arr_begin(&a[1], T_TEXT) | arr_begin(&a[2], T_INT8) |
              arr_begin(&a[3], T_TEXT);
    for (size_t i = 0; i < n; i++)
        err |= arr_text(&a[0], e[i].source) | arr_text(&a[1], e[i].action) |
               arr_int(&a[2], e[i].subject) | arr_text(&a[3], e[i].detail ? e[i].detail : "");
    if (err != 0)
        return PK_ENOMEM;
    params p = {0};
    for (int c = 0; c < 4; c++)
        arr_param(&p, &a[c], n);
    return run(tx->c, S_AUDIT_MANY, &p, NULL);
}

static int run_list(pgc *c, int which, const char *list)
{
    params p = {0};
    if (list != NULL)
        p_text(&p, list);
    return run(c, which, &p, NULL);
}

static int pg_list_clear(pk_tx *t, const char *list)
{
    pgc *c = txc(t);
    int rc;
    if (!c->list_old) {
        rc = exec(c->conn,
                  "CREATE TEMP TABLE IF NOT EXISTS list_old (nik_bi bytea PRIMARY KEY)"
                  " ON COMMIT DELETE ROWS",
                  PGRES_COMMAND_OK, "list");
        if (rc != 0)
            return rc;
        c->list_old = true;
    }
    if ((rc = run_list(c, S_LIST_CLEAR_OLD, NULL)) == 0 &&
        (rc = run_list(c, S_LIST_SAVE_OLD, list)) == 0)
        rc = run_list(c, S_LIST_DELETE, list);
    return rc;
}

static int pg_list_add(pk_tx *t, const char *list, const uint8_t *nik_bi, const uint8_t *note,
                       size_t note_len)
{
    params p = {0};
    p_text(&p, list);
    p_bytes(&p, nik_bi, PK_BI_LEN);
    if (note != NULL && note_len > 0)
        p_bytes(&p, note, note_len);
    else
        p_null(&p);
    return run(txc(t), S_LIST_ADD, &p, NULL);
}

/* A cursor, fetched a thousand at a time: cb writes through the same
 * connection between fetches. */
static int pg_list_changes(pk_tx *t, const char *list, pk_bi_cb cb, void *ctx)
{
    pgc *c = txc(t);
    const char *vals[1] = {list};
    PGresult *r = PQexecParams(
        c->conn,
        "DECLARE pk_changes NO SCROLL CURSOR FOR"
        " (SELECT nik_bi FROM list_old EXCEPT SELECT nik_bi FROM exclusion WHERE list = $1)"
        " UNION"
        " (SELECT nik_bi FROM exclusion WHERE list = $1 EXCEPT SELECT nik_bi FROM list_old)"
        " ORDER BY 1",
        1, NULL, vals, NULL, NULL, 1);
    int rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : fail(c->conn, r, "list changes");
    PQclear(r);
    while (rc == 0) {
        r = PQexecParams(c->conn, "FETCH " FETCH_ROWS " FROM pk_changes", 0, NULL, NULL, NULL,
                         NULL, 1);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            rc = fail(c->conn, r, "list changes");
            PQclear(r);
            break;
        }
        int n = PQntuples(r);
        for (int i = 0; rc == 0 && i < n; i++)
            if (PQgetlength(r, i, 0) == PK_BI_LEN)
                rc = cb(ctx, (const uint8_t *)PQgetvalue(r, i, 0));
        PQclear(r);
        if (n == 0)
            break;
    }
    if (PQtransactionStatus(c->conn) == PQTRANS_INTRANS)
        PQclear(PQexec(c->conn, "CLOSE pk_changes"));
    return rc;
}

static int pg_list_count(pk_tx *t, const char *list, int64_t *count)
{
    params p = {0};
    PGresult *r = NULL;
    p_text(&p, list);
    *count = 0;
    int rc = run(txc(t), S_LIST_COUNT, &p, &r);
    if (rc != 0)
        return rc;
    *count = get_i64(r, 0, 0);
    PQclear(r);
    return 0;
}

/* Fills row from row i of a result over PCOLS; strings point into r. */
static void read_row(const PGresult *r, int i, pk_prow *row)
{
    memset(row, 0, sizeof(*row));
    row->id = get_i64(r, i, 0);
    get_bytes(r, i, 1, row->nik_bi, PK_BI_LEN);
    get_bytes(r, i, 2, row->kk_bi, PK_BI_LEN);
    row->pii = (const uint8_t *)PQgetvalue(r, i, 3);
    row->pii_len = (size_t)PQgetlength(r, i, 3);
    row->nama = PQgetvalue(r, i, 4);
    row->tanggal_lahir = PQgetvalue(r, i, 5);
    row->jenis_kelamin = PQgetvalue(r, i, 6);
    row->kode_wilayah = PQgetvalue(r, i, 7);
    row->pendidikan = PQgetvalue(r, i, 8);
    row->segmen = PQgetvalue(r, i, 9);
    row->pekerjaan = PQgetvalue(r, i, 10);
    row->warnings = (uint64_t)get_i64(r, i, 11);
    row->scheme = PQgetvalue(r, i, 12);
    row->base_reasons = (uint64_t)get_i64(r, i, 13);
    row->reasons = (uint64_t)get_i64(r, i, 14);
    row->source = PQgetvalue(r, i, 15);
    row->created_at = PQgetvalue(r, i, 16);
    row->updated_at = PQgetvalue(r, i, 17);
    get_bytes(r, i, 18, row->digest, PK_DIGEST_LEN);
    row->as_of = PQgetvalue(r, i, 19);
}

static int pg_reevaluate(pk_tx *t, const uint8_t *nik_bi, pk_reeval_fn fn, void *ctx,
                         uint8_t *kk_bi, int *changed)
{
    pgc *c = txc(t);
    /* Lists and the row (locked), in one round trip. */
    params p = {0};
    p_bytes(&p, nik_bi, PK_BI_LEN);
    const int w[2] = {S_LISTS_OF, S_ROW_BY_NIK};
    const params *ps[2] = {&p, &p};
    PGresult *r[2];
    *changed = 0;
    int rc = run_pipeline(c, 2, w, ps, r);
    if (rc != 0)
        return rc;
    if (PQntuples(r[1]) == 0) {
        rc = PK_ENOENT;
        goto out;
    }
    unsigned lists;
    lists_of_result(r[0], &lists);
    pk_prow row;
    read_row(r[1], 0, &row);
    uint64_t base = fn(ctx, &row, lists);
    uint64_t quota = row.reasons & ~row.base_reasons;
    memcpy(kk_bi, row.kk_bi, PK_BI_LEN);
    *changed = base != row.base_reasons;
    if (!*changed)
        goto out;
    params u = {0};
    p_int(&u, row.id);
    p_int(&u, (int64_t)base);
    /* The KK limit only applies to the otherwise eligible; the caller
     * re-applies it to the family afterwards. */
    p_int(&u, (int64_t)(base != 0 ? base : base | quota));
    rc = run(c, S_SET_BASE, &u, NULL);
out:
    for (int i = 0; i < 2; i++)
        PQclear(r[i]);
    return rc;
}

/* ---- the registry: reads ----------------------------------------------- */

/* Region subtree of a dotted code: the code itself and everything below
 * it ("31.74" .. "31.74/": '/' sorts right after '.' in the C collation). */
static void region_params(params *p, const char *region, char *hi, size_t hilen)
{
    if (region == NULL || region[0] == '\0') {
        p_text(p, "");
        p_text(p, "~");
        return;
    }
    snprintf(hi, hilen, "%s/", region);
    p_text(p, region);
    p_text(p, hi);
}

/* One snapshot (REPEATABLE READ), streamed through a cursor so memory
 * stays constant whatever the size of the registry. */
static int pg_participants_each(pk_store *s, const char *region, pk_prow_cb cb, void *ctx)
{
    pg *p = s->impl;
    pgc *c;
    int rc = conn_get(p, &c);
    if (rc != 0)
        return rc;
    params ps = {0};
    char hi[PK_REGION_CODE_MAX + 2];
    region_params(&ps, region, hi, sizeof(hi));
    if ((rc = exec(c->conn, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", PGRES_COMMAND_OK,
                   "participants")) != 0)
        goto out;
    PGresult *r = PQexecParams(c->conn,
                               "DECLARE pk_each NO SCROLL CURSOR FOR SELECT " PCOLS
                               " FROM participant WHERE kode_wilayah >= $1 AND kode_wilayah < $2"
                               " ORDER BY id",
                               2, NULL, ps.v, ps.len, ps.fmt, 1);
    rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : fail(c->conn, r, "participants");
    PQclear(r);
    while (rc == 0) {
        r = PQexecParams(c->conn, "FETCH " FETCH_ROWS " FROM pk_each", 0, NULL, NULL, NULL, NULL,
                         1);
        if (PQresultStatus(r) != PGRES_TUPLES_OK) {
            rc = fail(c->conn, r, "participants");
            PQclear(r);
            break;
        }
        int n = PQntuples(r);
        for (int i = 0; rc == 0 && i < n; i++) {
            pk_prow row;
            read_row(r, i, &row);
            rc = cb(ctx, &row);
        }
        PQclear(r);
        if (n == 0)
            break;
    }
    /* Read only: ending it either way keeps nothing. */
    PQclear(PQexec(c->conn, "ROLLBACK"));
out:
    conn_put(p, c);
    return rc;
}

/* One query; the buckets are summed here as in sqlite.c. */
static int pg_stats(pk_store *s, const char *region, pk_stats *out)
{
    pg *p = s->impl;
    pgc *c;
    PGresult *r = NULL;
    memset(out, 0, sizeof(*out));
    int rc = conn_get(p, &c);
    if (rc != 0)
        return rc;
    params ps = {0};
    char hi[PK_REGION_CODE_MAX + 2];
    region_params(&ps, region, hi, sizeof(hi));
    if ((rc = run(c, S_STATS, &ps, &r)) != 0)
        goto out;
    for (int i = 0, n = PQntuples(r); i < n; i++) {
        const char *seg = PQgetvalue(r, i, 0);
        const char *sex = PQgetvalue(r, i, 1);
        uint64_t reasons = (uint64_t)get_i64(r, i, 2);
        int64_t cnt = get_i64(r, i, 3);
        out->total += cnt;
        if (reasons == 0)
            out->eligible += cnt;
        for (int k = 1; k < PK_SEG__COUNT; k++)
            if (strcmp(seg, pk_segment_name(k)) == 0)
                out->by_segment[k] += cnt;
        out->by_sex[sex[0] == 'P'] += cnt;
        for (int b = 0; b < 64; b++)
            if (reasons & ((uint64_t)1 << b))
                out->by_reason[b] += cnt;
    }
out:
    PQclear(r);
    conn_put(p, c);
    return rc;
}

/* ---- accounts ----------------------------------------------------------- */

static void copy_val(char *dst, size_t cap, const PGresult *r, int row, int col)
{
    snprintf(dst, cap, "%.*s", PQgetlength(r, row, col), PQgetvalue(r, row, col));
}

/* Fills u from columns first.. of row i (over UCOLS). */
static void read_user(const PGresult *r, int i, int first, pk_user *u)
{
    memset(u, 0, sizeof(*u));
    u->id = get_i64(r, i, first);
    copy_val(u->username, sizeof(u->username), r, i, first + 1);
    copy_val(u->role, sizeof(u->role), r, i, first + 2);
    copy_val(u->region, sizeof(u->region), r, i, first + 3);
    copy_val(u->pwhash, sizeof(u->pwhash), r, i, first + 4);
    u->disabled = get_i64(r, i, first + 5) != 0;
    copy_val(u->created_at, sizeof(u->created_at), r, i, first + 6);
}

/* One statement on a pooled connection (autocommit). */
static int run1(pk_store *s, int which, const params *ps, PGresult **out)
{
    pg *p = s->impl;
    pgc *c;
    int rc = conn_get(p, &c);
    if (rc != 0)
        return rc;
    rc = run(c, which, ps, out);
    conn_put(p, c);
    return rc;
}

/* Rows a command touched (its tag's count). */
static long touched(const PGresult *r)
{
    return atol(PQcmdTuples((PGresult *)r));
}

static void user_params(params *p, const pk_user *u)
{
    p_text(p, u->role);
    if (u->region[0])
        p_text(p, u->region);
    else
        p_null(p);
    p_text(p, u->pwhash);
    p_int(p, u->disabled != 0);
}

static int pg_user_insert(pk_store *s, const pk_user *u, int64_t *id)
{
    params p = {0};
    PGresult *r = NULL;
    p_text(&p, u->username);
    user_params(&p, u);
    int rc = run1(s, S_USER_INSERT, &p, &r);
    if (rc == 0)
        *id = get_i64(r, 0, 0);
    PQclear(r);
    return rc;
}

static int pg_user_update(pk_store *s, const pk_user *u)
{
    params p = {0};
    PGresult *r = NULL;
    p_int(&p, u->id);
    user_params(&p, u);
    int rc = run1(s, S_USER_UPDATE, &p, &r);
    if (rc == 0 && touched(r) == 0)
        rc = PK_ENOENT;
    PQclear(r);
    return rc;
}

static int pg_user_find(pk_store *s, const char *username, pk_user *out)
{
    params p = {0};
    PGresult *r = NULL;
    p_text(&p, username);
    int rc = run1(s, S_USER_FIND, &p, &r);
    if (rc == 0 && PQntuples(r) == 0)
        rc = PK_ENOENT;
    if (rc == 0)
        read_user(r, 0, 0, out);
    PQclear(r);
    return rc;
}

static int pg_users_each(pk_store *s, pk_user_cb cb, void *ctx)
{
    PGresult *r = NULL;
    int rc = run1(s, S_USERS, NULL, &r);
    for (int i = 0, n = rc == 0 ? PQntuples(r) : 0; rc == 0 && i < n; i++) {
        pk_user u;
        read_user(r, i, 0, &u);
        rc = cb(ctx, &u);
    }
    PQclear(r);
    return rc;
}

static int pg_session_insert(pk_store *s, const uint8_t *id, int64_t user_id, int64_t now)
{
    params p = {0};
    p_bytes(&p, id, PK_AUTH_HASH_LEN);
    p_int(&p, user_id);
    p_int(&p, now);
    return run1(s, S_SESSION_INSERT, &p, NULL);
}

static int pg_session_get(pk_store *s, const uint8_t *id, int64_t *created, int64_t *seen,
                          pk_user *user)
{
    params p = {0};
    PGresult *r = NULL;
    p_bytes(&p, id, PK_AUTH_HASH_LEN);
    int rc = run1(s, S_SESSION_GET, &p, &r);
    if (rc == 0 && PQntuples(r) == 0)
        rc = PK_ENOENT;
    if (rc == 0) {
        *created = get_i64(r, 0, 0);
        *seen = get_i64(r, 0, 1);
        read_user(r, 0, 2, user);
    }
    PQclear(r);
    return rc;
}

static int pg_session_touch(pk_store *s, const uint8_t *id, int64_t now)
{
    params p = {0};
    p_bytes(&p, id, PK_AUTH_HASH_LEN);
    p_int(&p, now);
    return run1(s, S_SESSION_TOUCH, &p, NULL);
}

static int pg_session_delete(pk_store *s, const uint8_t *id)
{
    params p = {0};
    p_bytes(&p, id, PK_AUTH_HASH_LEN);
    return run1(s, S_SESSION_DELETE, &p, NULL);
}

static int pg_sessions_expire(pk_store *s, int64_t idle_before, int64_t created_before)
{
    params p = {0};
    p_int(&p, idle_before);
    p_int(&p, created_before);
    return run1(s, S_SESSIONS_EXPIRE, &p, NULL);
}

static int pg_token_insert(pk_store *s, const uint8_t *hash, int64_t user_id, const char *label,
                           int64_t *id)
{
    params p = {0};
    PGresult *r = NULL;
    p_bytes(&p, hash, PK_AUTH_HASH_LEN);
    p_int(&p, user_id);
    p_text(&p, label ? label : "");
    int rc = run1(s, S_TOKEN_INSERT, &p, &r);
    if (rc == 0)
        *id = get_i64(r, 0, 0);
    PQclear(r);
    return rc;
}

static int pg_token_find(pk_store *s, const uint8_t *hash, int64_t *id, pk_user *user)
{
    params p = {0};
    PGresult *r = NULL;
    p_bytes(&p, hash, PK_AUTH_HASH_LEN);
    int rc = run1(s, S_TOKEN_FIND, &p, &r);
    if (rc == 0 && PQntuples(r) == 0)
        rc = PK_ENOENT;
    if (rc == 0) {
        *id = get_i64(r, 0, 0);
        read_user(r, 0, 1, user);
    }
    PQclear(r);
    return rc;
}

static int pg_token_revoke(pk_store *s, int64_t id)
{
    params p = {0};
    PGresult *r = NULL;
    p_int(&p, id);
    int rc = run1(s, S_TOKEN_REVOKE, &p, &r);
    if (rc == 0 && touched(r) == 0)
        rc = PK_ENOENT;
    PQclear(r);
    return rc;
}

static int pg_login_failure_add(pk_store *s, const uint8_t *key, int64_t now,
                                int64_t forget_before)
{
    params p = {0};
    p_bytes(&p, key, PK_THROTTLE_KEY_LEN);
    p_int(&p, now);
    p_int(&p, forget_before);
    return run1(s, S_FAIL_ADD, &p, NULL);
}

static int pg_login_failures(pk_store *s, const uint8_t *key, int64_t since, int64_t *count,
                             int64_t *oldest)
{
    params p = {0};
    PGresult *r = NULL;
    p_bytes(&p, key, PK_THROTTLE_KEY_LEN);
    p_int(&p, since);
    *count = *oldest = 0;
    int rc = run1(s, S_FAILURES, &p, &r);
    if (rc == 0) {
        *count = get_i64(r, 0, 0);
        *oldest = get_i64(r, 0, 1);
    }
    PQclear(r);
    return rc;
}

static int pg_login_failures_clear(pk_store *s, const uint8_t *key)
{
    params p = {0};
    p_bytes(&p, key, PK_THROTTLE_KEY_LEN);
    return run1(s, S_FAIL_CLEAR, &p, NULL);
}

/* The public status look-up (store.h): rare enough to go unprepared. */
static int pg_participant_status(pk_store *s, const uint8_t *nik_bi, pk_pstatus *out)
{
    pg *p = s->impl;
    pgc *c;
    int rc = conn_get(p, &c);
    if (rc != 0)
        return rc;
    memset(out, 0, sizeof(*out));
    params ps = {0};
    p_bytes(&ps, nik_bi, PK_BI_LEN);
    const Oid types[1] = {T_BYTEA};
    PGresult *r = PQexecParams(c->conn,
                               "SELECT tanggal_lahir, scheme, reasons, created_at"
                               " FROM participant WHERE nik_bi = $1",
                               1, types, ps.v, ps.len, ps.fmt, 1);
    if (!ok(r)) {
        rc = fail(c->conn, r, "status");
    } else if (PQntuples(r) == 0) {
        rc = PK_ENOENT;
    } else {
        copy_val(out->tanggal_lahir, sizeof(out->tanggal_lahir), r, 0, 0);
        copy_val(out->scheme, sizeof(out->scheme), r, 0, 1);
        out->reasons = (uint64_t)get_i64(r, 0, 2);
        copy_val(out->created_at, sizeof(out->created_at), r, 0, 3);
    }
    PQclear(r);
    conn_put(p, c);
    return rc;
}

/* ---- operator reads and the access log ----------------------------------
 *
 * The caller's region scope is part of every query (region_params), as
 * for participants_each and stats: rows outside it are never read.
 * Rarely run, so not prepared. */

static int query_rows(pk_store *s, const char *sql, int n, const Oid *types,
                      const params *ps, pk_prow_cb cb, void *ctx, int *rows)
{
    pg *p = s->impl;
    pgc *c;
    *rows = 0;
    int rc = conn_get(p, &c);
    if (rc != 0)
        return rc;
    PGresult *r = PQexecParams(c->conn, sql, n, types, ps->v, ps->len, ps->fmt, 1);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        rc = fail(c->conn, r, "participants");
    } else {
        *rows = PQntuples(r);
        for (int i = 0; rc == 0 && i < *rows; i++) {
            pk_prow row;
            read_row(r, i, &row);
            rc = cb(ctx, &row);
        }
    }
    PQclear(r);
    conn_put(p, c);
    return rc;
}

static int pg_participants_search(pk_store *s, const char *scope, const char *name,
                                  const uint8_t *nik_bi, int limit, pk_prow_cb cb, void *ctx)
{
    params ps = {0};
    char hi[PK_REGION_CODE_MAX + 2];
    region_params(&ps, scope, hi, sizeof(hi));
    const Oid types[4] = {T_TEXT, T_TEXT, nik_bi ? T_BYTEA : T_TEXT, T_INT8};
    if (nik_bi != NULL)
        p_bytes(&ps, nik_bi, PK_BI_LEN);
    else
        p_text(&ps, name ? name : "");
    p_int(&ps, limit > 0 ? limit : 1);
    int rows;
    /* strpos(), not LIKE: a plain substring, so '%' and '_' match only
     * themselves and need no escaping. */
    return query_rows(s,
                      nik_bi != NULL
                          ? "SELECT " PCOLS " FROM participant WHERE kode_wilayah >= $1"
                            " AND kode_wilayah < $2 AND nik_bi = $3 ORDER BY id LIMIT $4"
                          : "SELECT " PCOLS " FROM participant WHERE kode_wilayah >= $1"
                            " AND kode_wilayah < $2 AND strpos(lower(nama), lower($3)) > 0"
                            " ORDER BY nama, id LIMIT $4",
                      4, types, &ps, cb, ctx, &rows);
}

static int pg_participant_get(pk_store *s, const char *scope, int64_t id, pk_prow_cb cb,
                              void *ctx)
{
    params ps = {0};
    char hi[PK_REGION_CODE_MAX + 2];
    region_params(&ps, scope, hi, sizeof(hi));
    p_int(&ps, id);
    const Oid types[3] = {T_TEXT, T_TEXT, T_INT8};
    int rows;
    int rc = query_rows(s,
                        "SELECT " PCOLS " FROM participant WHERE kode_wilayah >= $1"
                        " AND kode_wilayah < $2 AND id = $3",
                        3, types, &ps, cb, ctx, &rows);
    return rc == 0 && rows == 0 ? PK_ENOENT : rc;
}

static int pg_access_log_add(pk_store *s, const pk_access_entry *e)
{
    pg *p = s->impl;
    pgc *c;
    int rc = conn_get(p, &c);
    if (rc != 0)
        return rc;
    params ps = {0};
    p_text(&ps, e->actor);
    p_text(&ps, e->action);
    p_text(&ps, e->route ? e->route : "");
    if (e->subject > 0)
        p_int(&ps, e->subject);
    else
        p_null(&ps);
    p_text(&ps, e->detail ? e->detail : "");
    const Oid types[5] = {T_TEXT, T_TEXT, T_TEXT, T_INT8, T_TEXT};
    PGresult *r = PQexecParams(c->conn,
                               "INSERT INTO access_log (at, actor, action, route, subject, detail)"
                               " VALUES (" NOW ", $1, $2, $3, $4, $5)",
                               5, types, ps.v, ps.len, ps.fmt, 1);
    rc = PQresultStatus(r) == PGRES_COMMAND_OK ? 0 : fail(c->conn, r, "access log");
    PQclear(r);
    conn_put(p, c);
    return rc;
}

static int pg_access_log_each(pk_store *s, const char *since, int64_t limit, pk_access_cb cb,
                              void *ctx)
{
    pg *p = s->impl;
    pgc *c;
    int rc = conn_get(p, &c);
    if (rc != 0)
        return rc;
    params ps = {0};
    p_text(&ps, since ? since : "");
    if (limit > 0)
        p_int(&ps, limit);
    else
        p_null(&ps); /* LIMIT NULL: no limit */
    const Oid types[2] = {T_TEXT, T_INT8};
    PGresult *r = PQexecParams(c->conn,
                               "SELECT id, at, actor, action, route, coalesce(subject, 0), detail"
                               " FROM (SELECT * FROM access_log WHERE at >= $1 ORDER BY id DESC"
                               " LIMIT $2) l ORDER BY id",
                               2, types, ps.v, ps.len, ps.fmt, 1);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        rc = fail(c->conn, r, "access log");
    } else {
        for (int i = 0, n = PQntuples(r); rc == 0 && i < n; i++) {
            pk_access_entry e = {
                .id = get_i64(r, i, 0),
                .at = PQgetvalue(r, i, 1),
                .actor = PQgetvalue(r, i, 2),
                .action = PQgetvalue(r, i, 3),
                .route = PQgetvalue(r, i, 4),
                .subject = get_i64(r, i, 5),
                .detail = PQgetvalue(r, i, 6),
            };
            rc = cb(ctx, &e);
        }
    }
    PQclear(r);
    conn_put(p, c);
    return rc;
}

/* ---- key rotation ------------------------------------------------------ */

static int pg_sealed_older(pk_tx *t, int what, int gen, const pk_sealed *after, int limit,
                           pk_sealed_cb cb, void *ctx)
{
    bool pii = what == PK_SEALED_PII;
    params p = {0};
    uint8_t g = (uint8_t)gen;
    if (pii) {
        p_int(&p, after ? after->id : 0);
    } else {
        p_text(&p, after ? after->list : "");
        p_bytes(&p, after ? after->nik_bi : (const uint8_t *)"", after ? PK_BI_LEN : 0);
    }
    p_bytes(&p, &g, 1);
    p_int(&p, limit);
    PGresult *r = NULL;
    int rc = run(txc(t), pii ? S_PII_OLDER : S_NOTE_OLDER, &p, &r);
    if (rc != 0)
        return rc;
    int n = PQntuples(r);
    char list[64];
    for (int i = 0; rc == 0 && i < n; i++) {
        pk_sealed s = {0};
        if (pii) {
            s.id = get_i64(r, i, 0);
        } else {
            snprintf(list, sizeof(list), "%.*s", PQgetlength(r, i, 0), PQgetvalue(r, i, 0));
            s.list = list;
        }
        get_bytes(r, i, 1, s.nik_bi, PK_BI_LEN);
        s.box = (const uint8_t *)PQgetvalue(r, i, 2);
        s.len = (size_t)PQgetlength(r, i, 2);
        rc = cb(ctx, &s);
    }
    PQclear(r);
    return rc;
}

static int pg_sealed_replace(pk_tx *t, int what, const pk_sealed *old, const uint8_t *box,
                             size_t len, int *replaced)
{
    bool pii = what == PK_SEALED_PII;
    params p = {0};
    p_bytes(&p, box, len);
    if (pii) {
        p_int(&p, old->id);
    } else {
        p_text(&p, old->list);
        p_bytes(&p, old->nik_bi, PK_BI_LEN);
    }
    p_bytes(&p, old->box, old->len);
    PGresult *r = NULL;
    *replaced = 0;
    int rc = run(txc(t), pii ? S_PII_RESEAL : S_NOTE_RESEAL, &p, &r);
    if (rc != 0)
        return rc;
    *replaced = touched(r) > 0;
    PQclear(r);
    return 0;
}

static int pg_sealed_generations(pk_store *s, int64_t *counts)
{
    PGresult *r = NULL;
    memset(counts, 0, 256 * sizeof(*counts));
    int rc = run1(s, S_SEALED_GENS, NULL, &r);
    if (rc != 0)
        return rc;
    for (int i = 0; i < PQntuples(r); i++) {
        int g = PQgetlength(r, i, 0) == 1 ? (uint8_t)PQgetvalue(r, i, 0)[0] : 0;
        counts[g] += get_i64(r, i, 1);
    }
    PQclear(r);
    return 0;
}

static const pk_store_ops pg_ops = {
    .name = "postgresql",
    .shared = true,
    .close = pg_close,
    .version = pg_version,
    .migrate = pg_migrate,
    .ping = pg_ping,
    .regions_each = pg_regions_each,
    .meta_get = pg_meta_get,
    .meta_put_once = pg_meta_put_once,
    .participants_each = pg_participants_each,
    .stats = pg_stats,
    .participant_status = pg_participant_status,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .savepoint = pg_savepoint,
    .release = pg_release,
    .rollback_to = pg_rollback_to,
    .participants_find = pg_participants_find,
    .participants_write = pg_participants_write,
    .kk_members = pg_kk_members,
    .set_reasons = pg_set_reasons,
    .bulk_begin = pg_bulk_begin,
    .bulk_mark = pg_bulk_mark,
    .bulk_end = pg_bulk_end,
    .bulk_families = pg_bulk_families,
    .bulk_repeats = pg_bulk_repeats,
    .bulk_fold = pg_bulk_fold,
    .audit = pg_audit,
    .list_clear = pg_list_clear,
    .list_add = pg_list_add,
    .list_changes = pg_list_changes,
    .list_count = pg_list_count,
    .reevaluate = pg_reevaluate,
    .sealed_older = pg_sealed_older,
    .sealed_replace = pg_sealed_replace,
    .sealed_generations = pg_sealed_generations,
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
    .login_failure_add = pg_login_failure_add,
    .login_failures = pg_login_failures,
    .login_failures_clear = pg_login_failures_clear,
    .participants_search = pg_participants_search,
    .participant_get = pg_participant_get,
    .access_log_add = pg_access_log_add,
    .access_log_each = pg_access_log_each,
};

int pk_pg_open(const char *url, pk_store **out, char *err, size_t errlen)
{
    *out = NULL;
    pk_store *s = calloc(1, sizeof(*s));
    pg *p = calloc(1, sizeof(*p));
    char *u = strdup(url), *shown = redact(url);
    pgc *c = NULL;
    if (s == NULL || p == NULL || u == NULL || shown == NULL) {
        snprintf(err, errlen, "out of memory");
        free(s);
        free(p);
        free(u);
        free(shown);
        return PK_ENOMEM;
    }
    /* Connect now, so a wrong URL fails at start with a clear message. */
    int rc = conn_open(url, shown, &c, err, errlen);
    if (rc != 0) {
        free(s);
        free(p);
        free(u);
        free(shown);
        return rc;
    }
    pthread_mutex_init(&p->mu, NULL);
    p->url = u;
    p->shown = shown;
    p->idle[p->nidle++] = c;
    s->ops = &pg_ops;
    s->impl = p;
    *out = s;
    return 0;
}
