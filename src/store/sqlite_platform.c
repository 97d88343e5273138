/* sqlite_platform.c -- the digital platforms' credentials, their nonces
 * and the answers kept for their idempotency keys, on SQLite.
 *
 * The SQL is shared with PostgreSQL (sql_platform.h); what is SQLite's
 * here is how it runs: a read on a pooled connection, a write (one
 * statement or two, and an audit entry) in a write transaction of its
 * own on the writer; a request's nonce and kept answer (pk_tx_*) in the
 * caller's transaction. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "core/pk.h"
#include "store/sqlite_int.h"

static void read_platform(sqlite3_stmt *st, pk_platform *p)
{
    memset(p, 0, sizeof(*p));
    p->id = sqlite3_column_int64(st, 0);
    const unsigned char *code = sqlite3_column_text(st, 1);
    const unsigned char *name = sqlite3_column_text(st, 2);
    snprintf(p->code, sizeof(p->code), "%s", code ? (const char *)code : "");
    snprintf(p->name, sizeof(p->name), "%s", name ? (const char *)name : "");
    int n = sqlite3_column_bytes(st, 3);
    if (n > 0 && (size_t)n <= sizeof(p->secret)) {
        memcpy(p->secret, sqlite3_column_blob(st, 3), (size_t)n);
        p->secret_len = (size_t)n;
    }
    p->disabled = sqlite3_column_int(st, 4);
    const unsigned char *at = sqlite3_column_text(st, 5);
    snprintf(p->created_at, sizeof(p->created_at), "%s", at ? (const char *)at : "");
}

/* The audit entry of a platform op (S_AUDIT_PLATFORM), for the row of
 * `code` as it is at this point of the transaction. */
static int audit_platform(sqc *c, const pk_audit_entry *e, const char *code)
{
    sqlite3_stmt *st = sq_stmt(c, S_AUDIT_PLATFORM);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_text(st, 1, e->actor ? e->actor : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, e->source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, e->action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, e->detail ? e->detail : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, code, -1, SQLITE_STATIC);
    return sq_step_done(st);
}

static int finish(pk_tx *tx, int rc)
{
    if (rc != 0) {
        sq_rollback(tx);
        return rc;
    }
    return sq_commit(tx);
}

int sq_platform_insert(pk_store *s, const pk_platform *p, const pk_audit_entry *audit,
                       int64_t *id)
{
    pk_tx *tx;
    int rc = sq_begin(s, &tx);
    if (rc != 0)
        return rc;
    sqc *c = sq_txc(tx);
    sqlite3_stmt *st = sq_stmt(c, S_PLATFORM_INSERT);
    if (st == NULL)
        return finish(tx, PK_EIO);
    sqlite3_bind_text(st, 1, p->code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, p->name, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, p->secret, (int)p->secret_len, SQLITE_STATIC);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        *id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    rc = r == SQLITE_DONE ? 0 : sq_error(r);
    if (rc == 0 && audit != NULL)
        rc = audit_platform(c, audit, p->code);
    return finish(tx, rc);
}

int sq_platform_update(pk_store *s, const char *code, const uint8_t *secret, size_t len,
                       int disabled, const pk_audit_entry *audit)
{
    pk_tx *tx;
    int rc = sq_begin(s, &tx);
    if (rc != 0)
        return rc;
    sqc *c = sq_txc(tx);
    if (audit != NULL && (rc = audit_platform(c, audit, code)) != 0)
        return finish(tx, rc);
    sqlite3_stmt *st = sq_stmt(c, S_PLATFORM_UPDATE);
    if (st == NULL)
        return finish(tx, PK_EIO);
    if (secret != NULL)
        sqlite3_bind_blob(st, 1, secret, (int)len, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, disabled < 0 ? -1 : disabled != 0);
    sqlite3_bind_text(st, 3, code, -1, SQLITE_STATIC);
    rc = sq_step_done(st);
    if (rc == 0 && sqlite3_changes(c->db) == 0)
        rc = PK_ENOENT;
    return finish(tx, rc);
}

int sq_platform_find(pk_store *s, const char *code, pk_platform *out)
{
    sq *q = s->impl;
    sqc *c;
    sqlite3_stmt *st;
    int rc = sq_read_begin(q, S_PLATFORM_FIND, &c, &st);
    if (rc != 0)
        return rc;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        read_platform(st, out);
    rc = r == SQLITE_ROW ? 0 : r == SQLITE_DONE ? PK_ENOENT : PK_EIO;
    sq_read_end(q, c, st);
    return rc;
}

int sq_platforms_each(pk_store *s, pk_platform_cb cb, void *ctx)
{
    sq *q = s->impl;
    sqc *c;
    sqlite3_stmt *st;
    int rc = sq_read_begin(q, S_PLATFORMS_EACH, &c, &st);
    if (rc != 0)
        return rc;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        pk_platform p;
        read_platform(st, &p);
        if ((rc = cb(ctx, &p)) != 0)
            break;
    }
    if (rc == 0 && r != SQLITE_DONE)
        rc = PK_EIO;
    sq_read_end(q, c, st);
    return rc;
}

int sq_tx_platform_nonce(pk_tx *tx, int64_t platform, const char *nonce, int64_t now,
                         int64_t forget_before)
{
    sqc *c = sq_txc(tx);
    sqlite3_stmt *st;
    int rc;
    if (forget_before > 0) {
        if ((st = sq_stmt(c, S_PLATFORM_NONCES_FORGET)) == NULL)
            return PK_EIO;
        sqlite3_bind_int64(st, 1, forget_before);
        if ((rc = sq_step_done(st)) != 0)
            return rc;
    }
    if ((st = sq_stmt(c, S_PLATFORM_NONCE)) == NULL)
        return PK_EIO;
    sqlite3_bind_int64(st, 1, platform);
    sqlite3_bind_text(st, 2, nonce, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, now);
    rc = sq_step_done(st);
    if (rc == 0 && sqlite3_changes(c->db) == 0)
        rc = PK_ECONFLICT;
    return rc;
}

/* The kept answer's row of S_IDEM_GET into the caller's buffers. */
static int read_answer(sqlite3_stmt *st, uint8_t *digest, int *status, pk_buf *body)
{
    memset(digest, 0, PK_IDEM_DIGEST_LEN);
    if (sqlite3_column_bytes(st, 0) == PK_IDEM_DIGEST_LEN)
        memcpy(digest, sqlite3_column_blob(st, 0), PK_IDEM_DIGEST_LEN);
    *status = sqlite3_column_int(st, 1);
    int n = sqlite3_column_bytes(st, 2);
    return n > 0 ? pk_buf_add(body, sqlite3_column_blob(st, 2), (size_t)n) : 0;
}

int sq_tx_idem_get(pk_tx *tx, int64_t platform, const char *key, uint8_t *digest, int *status,
                   pk_buf *body)
{
    sqlite3_stmt *st = sq_stmt(sq_txc(tx), S_IDEM_GET);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_int64(st, 1, platform);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    int rc = r == SQLITE_ROW ? read_answer(st, digest, status, body)
             : r == SQLITE_DONE ? PK_ENOENT : sq_error(r);
    sqlite3_reset(st);
    return rc;
}

int sq_tx_idem_put(pk_tx *tx, int64_t platform, const char *key, const uint8_t *digest,
                   int status, const void *body, size_t len, int *kept)
{
    sqc *c = sq_txc(tx);
    sqlite3_stmt *st = sq_stmt(c, S_IDEM_PUT);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_int64(st, 1, platform);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 3, digest, PK_IDEM_DIGEST_LEN, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, status);
    sqlite3_bind_blob(st, 5, len ? body : "", (int)len, SQLITE_STATIC);
    int rc = sq_step_done(st);
    if (rc == 0 && kept != NULL)
        *kept = sqlite3_changes(c->db) > 0;
    return rc;
}

int sq_idem_prune(pk_store *s, const char *before, int limit, int64_t *n)
{
    pk_tx *tx;
    *n = 0;
    int rc = sq_begin(s, &tx);
    if (rc != 0)
        return rc;
    sqc *c = sq_txc(tx);
    sqlite3_stmt *st = sq_stmt(c, S_IDEM_PRUNE);
    if (st == NULL)
        return finish(tx, PK_EIO);
    sqlite3_bind_text(st, 1, before, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, limit);
    rc = sq_step_done(st);
    if (rc == 0)
        *n = sqlite3_changes(c->db);
    return finish(tx, rc);
}

int sq_tx_card_find(pk_tx *t, const char *number, int64_t *participant_id, bool *retired)
{
    sqlite3_stmt *st = sq_stmt(sq_txc(t), S_CARD_FIND);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_text(st, 1, number, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        *participant_id = sqlite3_column_int64(st, 0);
        *retired = sqlite3_column_int(st, 1) != 0;
    }
    sqlite3_reset(st);
    return r == SQLITE_ROW ? 0 : r == SQLITE_DONE ? PK_ENOENT : sq_error(r);
}

int sq_cards_page(pk_tx *t, int64_t after, size_t limit, pk_card_new *out, size_t *n)
{
    sqlite3_stmt *st = sq_stmt(sq_txc(t), S_CARDS_PAGE);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_int64(st, 1, after);
    sqlite3_bind_int64(st, 2, (int64_t)limit);
    int r;
    while (*n < limit && (r = sqlite3_step(st)) == SQLITE_ROW) {
        pk_card_new *c = &out[(*n)++];
        c->participant_id = sqlite3_column_int64(st, 0);
        c->serial = sqlite3_column_int64(st, 1);
        sq_copy_col(st, 2, c->number, sizeof(c->number));
    }
    if (*n == limit)
        r = SQLITE_DONE;
    sqlite3_reset(st);
    return r == SQLITE_DONE ? 0 : sq_error(r);
}

int sq_card_reissue(pk_tx *t, const pk_card_new *c, int64_t at)
{
    sqc *x = sq_txc(t);
    sqlite3_stmt *st = sq_stmt(x, S_CARD_RETIRE);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_int64(st, 1, at);
    sqlite3_bind_int64(st, 2, c->participant_id);
    int rc = sq_step_done(st);
    if (rc == 0 && sqlite3_changes(x->db) != 1)
        rc = PK_ENOENT;
    if (rc != 0 || (st = sq_stmt(x, S_CARD_RENUMBER)) == NULL)
        return rc != 0 ? rc : PK_EIO;
    sqlite3_bind_int64(st, 1, c->serial);
    sqlite3_bind_text(st, 2, c->number, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, c->participant_id);
    return sq_step_done(st);
}

/* ---- the training catalogue ---- */

/* over SQL_COURSE_COLS */
static void read_course(sqlite3_stmt *st, pk_course *c)
{
    memset(c, 0, sizeof(*c));
    c->id = sqlite3_column_int64(st, 0);
    sq_copy_col(st, 1, c->platform, sizeof(c->platform));
    sq_copy_col(st, 2, c->course_ref, sizeof(c->course_ref));
    sq_copy_col(st, 3, c->title, sizeof(c->title));
    sq_copy_col(st, 4, c->provider, sizeof(c->provider));
    c->price = sqlite3_column_int64(st, 5);
    sq_copy_col(st, 6, c->mode, sizeof(c->mode));
}

int sq_course_put(pk_tx *t, const pk_course *c, int *outcome)
{
    sqc *conn = sq_txc(t);
    sqlite3_stmt *st = sq_stmt(conn, S_PROVIDER_ADD);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_text(st, 1, c->provider, -1, SQLITE_STATIC);
    int rc = sq_step_done(st);
    if (rc != 0)
        return rc;
    if ((st = sq_stmt(conn, S_PROVIDER_ID)) == NULL)
        return PK_EIO;
    sqlite3_bind_text(st, 1, c->provider, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    int64_t provider = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (r != SQLITE_ROW)
        return PK_EIO;

    if ((st = sq_stmt(conn, S_COURSE_GET)) == NULL)
        return PK_EIO;
    sqlite3_bind_text(st, 1, c->platform, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, c->course_ref, -1, SQLITE_STATIC);
    r = sqlite3_step(st);
    int64_t id = 0;
    bool same = false;
    if (r == SQLITE_ROW) {
        const unsigned char *title = sqlite3_column_text(st, 1);
        const unsigned char *mode = sqlite3_column_text(st, 4);
        id = sqlite3_column_int64(st, 0);
        same = title && mode && strcmp((const char *)title, c->title) == 0 &&
               sqlite3_column_int64(st, 2) == provider && sqlite3_column_int64(st, 3) == c->price &&
               strcmp((const char *)mode, c->mode) == 0;
    }
    sqlite3_reset(st);
    if (r != SQLITE_ROW && r != SQLITE_DONE)
        return sq_error(r);
    if (same) {
        *outcome = PK_COURSE_UNCHANGED;
        return 0;
    }
    if (id == 0) {
        if ((st = sq_stmt(conn, S_COURSE_INSERT)) == NULL)
            return PK_EIO;
        sqlite3_bind_text(st, 1, c->platform, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, c->course_ref, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, c->title, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 4, provider);
        sqlite3_bind_int64(st, 5, c->price);
        sqlite3_bind_text(st, 6, c->mode, -1, SQLITE_STATIC);
        *outcome = PK_COURSE_INSERTED;
    } else {
        if ((st = sq_stmt(conn, S_COURSE_UPDATE)) == NULL)
            return PK_EIO;
        sqlite3_bind_text(st, 1, c->title, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 2, provider);
        sqlite3_bind_int64(st, 3, c->price);
        sqlite3_bind_text(st, 4, c->mode, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, id);
        *outcome = PK_COURSE_UPDATED;
    }
    return sq_step_done(st);
}

int sq_tx_course_find(pk_tx *t, const char *platform, const char *course_ref, pk_course *out)
{
    sqlite3_stmt *st = sq_stmt(sq_txc(t), S_COURSE_FIND);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_text(st, 1, platform, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, course_ref, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        read_course(st, out);
    sqlite3_reset(st);
    return r == SQLITE_ROW ? 0 : r == SQLITE_DONE ? PK_ENOENT : sq_error(r);
}

int sq_course_find(pk_store *s, const char *platform, const char *course_ref, pk_course *out)
{
    sq *q = s->impl;
    sqc *c;
    sqlite3_stmt *st;
    int rc = sq_read_begin(q, S_COURSE_FIND, &c, &st);
    if (rc != 0)
        return rc;
    sqlite3_bind_text(st, 1, platform, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, course_ref, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        read_course(st, out);
    rc = r == SQLITE_ROW ? 0 : r == SQLITE_DONE ? PK_ENOENT : PK_EIO;
    sq_read_end(q, c, st);
    return rc;
}

int sq_courses_each(pk_store *s, int64_t after, int limit, pk_course_cb cb, void *ctx)
{
    sq *q = s->impl;
    sqc *c;
    sqlite3_stmt *st;
    int rc = sq_read_begin(q, S_COURSES_EACH, &c, &st);
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(st, 1, after);
    sqlite3_bind_int64(st, 2, limit);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        pk_course course;
        read_course(st, &course);
        if ((rc = cb(ctx, &course)) != 0)
            break;
    }
    if (rc == 0 && r != SQLITE_DONE)
        rc = PK_EIO;
    sq_read_end(q, c, st);
    return rc;
}
