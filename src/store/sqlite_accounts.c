/* sqlite_accounts.c -- accounts, sessions, API tokens and failed logins
 * on SQLite.
 *
 * The SQL is shared with PostgreSQL (sql_accounts.h); what is SQLite's
 * here is how it runs: a read on a pooled connection, a write (one
 * statement or two) in a write transaction of its own on the writer. */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/pk.h"
#include "store/sqlite_int.h"

static void copy_text(char *dst, size_t cap, const unsigned char *src)
{
    snprintf(dst, cap, "%s", src ? (const char *)src : "");
}

/* Fills u from columns first.. of st (over SQL_UCOLS). */
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

/* One write statement, or two, in a transaction of their own.  *changes
 * receives the rows the first changed, *id the first column of the row
 * it returned (RETURNING id). */
typedef void (*bind_fn)(sqlite3_stmt *st, const void *arg);

static int step_returning(sqlite3_stmt *st, int64_t *id)
{
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW)
        if (id != NULL)
            *id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return r == SQLITE_DONE ? 0 : sq_error(r);
}

/* An op's audit entry (sql_accounts.h: S_AUDIT_*), keyed by the row's
 * hash, text or id; run before the op's statements or after them. */
typedef struct audit_step {
    int which;
    const pk_audit_entry *e;
    const uint8_t *hash;
    const char *text;
    int64_t id;
    bool before;
} audit_step;

static int run_audit(sqc *c, const audit_step *a)
{
    sqlite3_stmt *st = sq_stmt(c, a->which);
    if (st == NULL)
        return PK_EIO;
    const pk_audit_entry *e = a->e;
    sqlite3_bind_text(st, 1, e->actor ? e->actor : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, e->source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, e->action, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, e->detail ? e->detail : "", -1, SQLITE_STATIC);
    if (a->hash != NULL)
        sqlite3_bind_blob(st, 5, a->hash, PK_AUTH_HASH_LEN, SQLITE_STATIC);
    else if (a->text != NULL)
        sqlite3_bind_text(st, 5, a->text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_int64(st, 5, a->id);
    return sq_step_done(st);
}

static int write1(pk_store *s, int which, bind_fn bind, const void *arg, int which2,
                  bind_fn bind2, int *changes, int64_t *id, const audit_step *audit)
{
    pk_tx *tx;
    int rc = sq_begin(s, &tx);
    if (rc != 0)
        return rc;
    sqc *c = sq_txc(tx);
    bool audited = audit != NULL && audit->e != NULL;
    if (audited && audit->before && (rc = run_audit(c, audit)) != 0) {
        sq_rollback(tx);
        return rc;
    }
    sqlite3_stmt *st = sq_stmt(c, which);
    if (st == NULL) {
        sq_rollback(tx);
        return PK_EIO;
    }
    bind(st, arg);
    rc = step_returning(st, id);
    if (changes != NULL)
        *changes = sqlite3_changes(c->db);
    if (rc == 0 && audited && !audit->before)
        rc = run_audit(c, audit);
    if (rc == 0 && which2 >= 0) {
        if ((st = sq_stmt(c, which2)) == NULL)
            rc = PK_EIO;
        else {
            bind2(st, arg);
            rc = sq_step_done(st);
        }
    }
    if (rc != 0) {
        sq_rollback(tx);
        return rc;
    }
    return sq_commit(tx);
}

/* The user's fields in the order of S_USER_INSERT's $2.. and
 * S_USER_UPDATE's $1..: role, region (NULL for none), pwhash, disabled. */
static void bind_user_fields(sqlite3_stmt *st, int first, const pk_user *u)
{
    sqlite3_bind_text(st, first, u->role, -1, SQLITE_STATIC);
    if (u->region[0])
        sqlite3_bind_text(st, first + 1, u->region, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, first + 2, u->pwhash, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, first + 3, u->disabled != 0);
}

static void bind_user_insert(sqlite3_stmt *st, const void *arg)
{
    const pk_user *u = arg;
    sqlite3_bind_text(st, 1, u->username, -1, SQLITE_STATIC);
    bind_user_fields(st, 2, u);
}

static void bind_user_update(sqlite3_stmt *st, const void *arg)
{
    const pk_user *u = arg;
    bind_user_fields(st, 1, u);
    sqlite3_bind_int64(st, 5, u->id);
}

static void bind_user_id(sqlite3_stmt *st, const void *arg)
{
    sqlite3_bind_int64(st, 1, ((const pk_user *)arg)->id);
}

int sq_user_insert(pk_store *s, const pk_user *u, const pk_audit_entry *audit, int64_t *id)
{
    audit_step a = {.which = S_AUDIT_USER_NEW, .e = audit, .text = u->username};
    return write1(s, S_USER_INSERT, bind_user_insert, u, -1, NULL, NULL, id, &a);
}

int sq_user_find(pk_store *s, const char *username, pk_user *out)
{
    sq *q = s->impl;
    sqc *c;
    sqlite3_stmt *st;
    int rc = sq_read_begin(q, S_USER_FIND, &c, &st);
    if (rc != 0)
        return rc;
    sqlite3_bind_text(st, 1, username, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        read_user(st, 0, out);
    rc = r == SQLITE_ROW ? 0 : r == SQLITE_DONE ? PK_ENOENT : PK_EIO;
    sq_read_end(q, c, st);
    return rc;
}

int sq_user_update(pk_store *s, const pk_user *u, const pk_audit_entry *audit)
{
    int changes = 0;
    audit_step a = {.which = S_AUDIT_USER, .e = audit, .id = u->id, .before = true};
    int rc = write1(s, S_USER_UPDATE, bind_user_update, u, S_USER_END_SESSIONS, bind_user_id,
                    &changes, NULL, &a);
    return rc == 0 && changes == 0 ? PK_ENOENT : rc;
}

int sq_users_each(pk_store *s, pk_user_cb cb, void *ctx)
{
    sq *q = s->impl;
    sqc *c;
    sqlite3_stmt *st;
    int rc = sq_read_begin(q, S_USERS_EACH, &c, &st);
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
    sq_read_end(q, c, st);
    return rc;
}

/* ---- sessions and tokens ---- */

/* A hash (NULL: none) and up to two integers or an integer and a text,
 * bound in that order as $1, $2, ... */
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

int sq_session_insert(pk_store *s, const uint8_t *id, int64_t user_id, int64_t now)
{
    sess_arg x = {id, user_id, now, NULL};
    return write1(s, S_SESSION_INSERT, bind_sess, &x, -1, NULL, NULL, NULL, NULL);
}

int sq_session_get(pk_store *s, const uint8_t *id, int64_t *created, int64_t *seen,
                   pk_user *user)
{
    sq *q = s->impl;
    sqc *c;
    sqlite3_stmt *st;
    int rc = sq_read_begin(q, S_SESSION_GET, &c, &st);
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
    sq_read_end(q, c, st);
    return rc;
}

static void bind_touch(sqlite3_stmt *st, const void *arg)
{
    const sess_arg *x = arg;
    sqlite3_bind_int64(st, 1, x->a);
    sqlite3_bind_blob(st, 2, x->id, PK_AUTH_HASH_LEN, SQLITE_STATIC);
}

int sq_session_touch(pk_store *s, const uint8_t *id, int64_t now)
{
    sess_arg x = {id, now, 0, NULL};
    return write1(s, S_SESSION_TOUCH, bind_touch, &x, -1, NULL, NULL, NULL, NULL);
}

static void bind_id_only(sqlite3_stmt *st, const void *arg)
{
    sqlite3_bind_blob(st, 1, arg, PK_AUTH_HASH_LEN, SQLITE_STATIC);
}

int sq_session_delete(pk_store *s, const uint8_t *id)
{
    return write1(s, S_SESSION_DELETE, bind_id_only, id, -1, NULL, NULL, NULL, NULL);
}

int sq_sessions_expire(pk_store *s, int64_t idle_before, int64_t created_before)
{
    sess_arg x = {NULL, idle_before, created_before, NULL};
    return write1(s, S_SESSIONS_EXPIRE, bind_sess, &x, -1, NULL, NULL, NULL, NULL);
}

int sq_token_insert(pk_store *s, const uint8_t *hash, int64_t user_id, const char *label,
                    const pk_audit_entry *audit, int64_t *id)
{
    sess_arg x = {hash, user_id, 0, label ? label : ""};
    audit_step a = {.which = S_AUDIT_TOKEN_NEW, .e = audit, .hash = hash};
    return write1(s, S_TOKEN_INSERT, bind_sess, &x, -1, NULL, NULL, id, &a);
}

int sq_token_find(pk_store *s, const uint8_t *hash, int64_t *id, pk_user *user)
{
    sq *q = s->impl;
    sqc *c;
    sqlite3_stmt *st;
    int rc = sq_read_begin(q, S_TOKEN_FIND, &c, &st);
    if (rc != 0)
        return rc;
    sqlite3_bind_blob(st, 1, hash, PK_AUTH_HASH_LEN, SQLITE_STATIC);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        *id = sqlite3_column_int64(st, 0);
        read_user(st, 1, user);
    }
    rc = r == SQLITE_ROW ? 0 : r == SQLITE_DONE ? PK_ENOENT : PK_EIO;
    sq_read_end(q, c, st);
    return rc;
}

static void bind_int1(sqlite3_stmt *st, const void *arg)
{
    sqlite3_bind_int64(st, 1, *(const int64_t *)arg);
}

int sq_token_revoke(pk_store *s, int64_t id, const pk_audit_entry *audit)
{
    int changes = 0;
    audit_step a = {.which = S_AUDIT_TOKEN, .e = audit, .id = id, .before = true};
    int rc = write1(s, S_TOKEN_REVOKE, bind_int1, &id, -1, NULL, &changes, NULL, &a);
    return rc == 0 && changes == 0 ? PK_ENOENT : rc;
}

int sq_tokens_each(pk_store *s, int64_t user_id, pk_token_cb cb, void *ctx)
{
    sq *q = s->impl;
    sqc *c;
    sqlite3_stmt *st;
    int rc = sq_read_begin(q, S_TOKENS_EACH, &c, &st);
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(st, 1, user_id);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *revoked = sqlite3_column_text(st, 4);
        pk_token_info t = {
            .id = sqlite3_column_int64(st, 0),
            .username = (const char *)sqlite3_column_text(st, 1),
            .label = (const char *)sqlite3_column_text(st, 2),
            .created_at = (const char *)sqlite3_column_text(st, 3),
            .revoked_at = (const char *)revoked,
        };
        if (t.username == NULL || t.label == NULL || t.created_at == NULL) {
            r = SQLITE_NOMEM;
            break;
        }
        if ((rc = cb(ctx, &t)) != 0)
            break;
    }
    if (rc == 0 && r != SQLITE_DONE)
        rc = PK_EIO;
    sq_read_end(q, c, st);
    return rc;
}

/* ---- failed logins ---- */

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

int sq_login_failure_add(pk_store *s, const uint8_t *key, int64_t now, int64_t forget_before)
{
    fail_arg x = {key, now, forget_before};
    return write1(s, S_LOGIN_FAILURES_FORGET, bind_fail_forget, &x, S_LOGIN_FAILURE_ADD,
                  bind_fail_add, NULL, NULL, NULL);
}

int sq_login_failures(pk_store *s, const uint8_t *key, int64_t since, int64_t *count,
                      int64_t *oldest, int64_t *newest)
{
    sq *q = s->impl;
    sqc *c;
    sqlite3_stmt *st;
    int rc = sq_read_begin(q, S_LOGIN_FAILURES, &c, &st);
    if (rc != 0)
        return rc;
    sqlite3_bind_blob(st, 1, key, PK_THROTTLE_KEY_LEN, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, since);
    int r = sqlite3_step(st);
    *count = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    *oldest = r == SQLITE_ROW ? sqlite3_column_int64(st, 1) : 0;
    *newest = r == SQLITE_ROW ? sqlite3_column_int64(st, 2) : 0;
    rc = r == SQLITE_ROW ? 0 : PK_EIO;
    sq_read_end(q, c, st);
    return rc;
}

static void bind_key_only(sqlite3_stmt *st, const void *arg)
{
    sqlite3_bind_blob(st, 1, arg, PK_THROTTLE_KEY_LEN, SQLITE_STATIC);
}

int sq_login_failures_clear(pk_store *s, const uint8_t *key)
{
    return write1(s, S_LOGIN_FAILURES_CLEAR, bind_key_only, key, -1, NULL, NULL, NULL, NULL);
}
