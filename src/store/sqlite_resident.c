/* sqlite_resident.c -- residents' one-time codes, sessions and contact
 * preferences on SQLite (store_programme.h "residents"; SQL shared with
 * PostgreSQL: sql_resident.h).  Every op runs inside the caller's
 * transaction. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "core/pk.h"
#include "store/sqlite_int.h"

/* One parameter: a blob of PK_AUTH_HASH_LEN bytes, a text or an integer,
 * by `types` (sql_resident.h's letters). */
typedef struct arg {
    const uint8_t *b;
    const char *t;
    int64_t i;
} arg;

/* Prepares `which` in the transaction and binds a[0..) by its types. */
static sqlite3_stmt *prep(pk_tx *t, int which, const char *types, const arg *a)
{
    sqlite3_stmt *st = sq_stmt(sq_txc(t), which);
    if (st == NULL)
        return NULL;
    for (int n = 0; types[n]; n++) {
        if (types[n] == 'b')
            sqlite3_bind_blob(st, n + 1, a[n].b, PK_AUTH_HASH_LEN, SQLITE_STATIC);
        else if (types[n] == 't')
            sqlite3_bind_text(st, n + 1, a[n].t, -1, SQLITE_STATIC);
        else
            sqlite3_bind_int64(st, n + 1, a[n].i);
    }
    return st;
}

static int run(pk_tx *t, int which, const char *types, const arg *a)
{
    sqlite3_stmt *st = prep(t, which, types, a);
    return st == NULL ? PK_EIO : sq_step_done(st);
}

int sq_resident_code_put(pk_tx *tx, int64_t pid, const char *purpose, const uint8_t *code,
                         int64_t expires)
{
    arg a[] = {{.i = pid}, {.t = purpose}, {.b = code}, {.i = expires}};
    return run(tx, S_RCODE_PUT, "itbi", a);
}

int sq_resident_code_get(pk_tx *tx, int64_t pid, const char *purpose, uint8_t *code,
                         int64_t *expires, int64_t *attempts)
{
    arg a[] = {{.i = pid}, {.t = purpose}};
    sqlite3_stmt *st = prep(tx, S_RCODE_GET, "it", a);
    if (st == NULL)
        return PK_EIO;
    int r = sqlite3_step(st), rc = PK_ENOENT;
    if (r == SQLITE_ROW) {
        memset(code, 0, PK_AUTH_HASH_LEN);
        if (sqlite3_column_bytes(st, 0) == PK_AUTH_HASH_LEN)
            memcpy(code, sqlite3_column_blob(st, 0), PK_AUTH_HASH_LEN);
        *expires = sqlite3_column_int64(st, 1);
        *attempts = sqlite3_column_int64(st, 2);
        rc = 0;
    } else if (r != SQLITE_DONE) {
        rc = sq_error(r);
    }
    sqlite3_reset(st);
    return rc;
}

int sq_resident_code_set(pk_tx *tx, int64_t pid, const char *purpose, int64_t attempts)
{
    if (attempts < 0) {
        arg a[] = {{.i = pid}, {.t = purpose}};
        return run(tx, S_RCODE_DROP, "it", a);
    }
    arg a[] = {{.i = attempts}, {.i = pid}, {.t = purpose}};
    return run(tx, S_RCODE_SET, "iit", a);
}

int sq_rsession_put(pk_tx *tx, const uint8_t *id, int64_t pid, int64_t now, int64_t idle_before,
                    int64_t created_before)
{
    arg e[] = {{.i = idle_before}, {.i = created_before}};
    int rc = run(tx, S_RSESSIONS_EXPIRE, "ii", e);
    if (rc != 0)
        return rc;
    arg a[] = {{.b = id}, {.i = pid}, {.i = now}};
    return run(tx, S_RSESSION_PUT, "bii", a);
}

int sq_rsession_get(pk_tx *tx, const uint8_t *id, int64_t *pid, int64_t *created, int64_t *seen)
{
    arg a[] = {{.b = id}};
    sqlite3_stmt *st = prep(tx, S_RSESSION_GET, "b", a);
    if (st == NULL)
        return PK_EIO;
    int r = sqlite3_step(st), rc = PK_ENOENT;
    if (r == SQLITE_ROW) {
        *pid = sqlite3_column_int64(st, 0);
        *created = sqlite3_column_int64(st, 1);
        *seen = sqlite3_column_int64(st, 2);
        rc = 0;
    } else if (r != SQLITE_DONE) {
        rc = sq_error(r);
    }
    sqlite3_reset(st);
    return rc;
}

int sq_rsession_set(pk_tx *tx, const uint8_t *id, int64_t seen)
{
    if (seen < 0) {
        arg a[] = {{.b = id}};
        return run(tx, S_RSESSION_DROP, "b", a);
    }
    arg a[] = {{.i = seen}, {.b = id}};
    return run(tx, S_RSESSION_TOUCH, "ib", a);
}

int sq_contact_pref_get(pk_tx *tx, int64_t pid, char *channel, int64_t *verified)
{
    arg a[] = {{.i = pid}};
    sqlite3_stmt *st = prep(tx, S_PREF_GET, "i", a);
    if (st == NULL)
        return PK_EIO;
    channel[0] = '\0';
    *verified = 0;
    int r = sqlite3_step(st), rc = 0;
    if (r == SQLITE_ROW) {
        const unsigned char *c = sqlite3_column_text(st, 0);
        snprintf(channel, 16, "%s", c ? (const char *)c : "");
        *verified = sqlite3_column_int64(st, 1);
    } else if (r != SQLITE_DONE) {
        rc = sq_error(r);
    }
    sqlite3_reset(st);
    return rc;
}

int sq_contact_pref_set(pk_tx *tx, int64_t pid, const char *channel, int64_t verified)
{
    int rc = 0;
    if (channel != NULL) {
        arg a[] = {{.i = pid}, {.t = channel}};
        rc = run(tx, S_PREF_CHANNEL, "it", a);
    }
    if (rc == 0 && verified >= 0) {
        arg a[] = {{.i = pid}, {.i = verified}};
        rc = run(tx, S_PREF_VERIFIED, "ii", a);
    }
    return rc;
}
