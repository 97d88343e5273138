/* pg_accounts.c -- accounts, sessions, API tokens and failed logins on
 * PostgreSQL.
 *
 * The SQL is shared with SQLite (sql_accounts.h); what is PostgreSQL's
 * here is how it runs: each op on a pooled connection in autocommit, one
 * statement a transaction, or two statements sent as one pipeline, which
 * without a BEGIN is one implicit transaction (either both are done or
 * neither), in one round trip. */
#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

#include "core/pk.h"
#include "store/pg_int.h"

static void copy_val(char *dst, size_t cap, const PGresult *r, int row, int col)
{
    snprintf(dst, cap, "%.*s", PQgetlength(r, row, col), PQgetvalue(r, row, col));
}

/* Fills u from columns first.. of row i (over SQL_UCOLS). */
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

/* Up to three statements as one transaction (see above): *first
 * receives statement `keep`'s result when not NULL. */
static int run_n(pk_store *s, int n, const int *w, const params *const *ps, int keep,
                 PGresult **first)
{
    pg *p = s->impl;
    pgc *c;
    int rc = pg_conn_get(p, &c);
    if (rc != 0)
        return rc;
    PGresult *res[3] = {NULL, NULL, NULL};
    rc = pg_run_pipeline(c, n, w, ps, res);
    pg_conn_put(p, c);
    for (int i = 0; i < n; i++) {
        if (rc == 0 && first != NULL && i == keep)
            *first = res[i];
        else
            PQclear(res[i]);
    }
    return rc;
}

static int run2(pk_store *s, int w1, const params *p1, int w2, const params *p2,
                PGresult **first)
{
    const int w[2] = {w1, w2};
    const params *ps[2] = {p1, p2};
    return run_n(s, 2, w, ps, 0, first);
}

/* The parameters of an account op's audit entry (sql_accounts.h:
 * S_AUDIT_*) but its key, $5, which the caller adds. */
static void audit_params(params *p, const pk_audit_entry *e)
{
    p_text(p, e->actor ? e->actor : "");
    p_text(p, e->source);
    p_text(p, e->action);
    p_text(p, e->detail ? e->detail : "");
}

/* The user's fields in the order of S_USER_INSERT's $2.. and
 * S_USER_UPDATE's $1..: role, region (NULL for none), pwhash, disabled. */
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

int pg_user_insert(pk_store *s, const pk_user *u, const pk_audit_entry *audit, int64_t *id)
{
    params p = {0};
    PGresult *r = NULL;
    p_text(&p, u->username);
    user_params(&p, u);
    int rc;
    if (audit != NULL) {
        params ap = {0};
        audit_params(&ap, audit);
        p_text(&ap, u->username);
        rc = run2(s, S_USER_INSERT, &p, S_AUDIT_USER_NEW, &ap, &r);
    } else {
        rc = pg_run1(s, S_USER_INSERT, &p, &r);
    }
    if (rc == 0)
        *id = get_i64(r, 0, 0);
    PQclear(r);
    return rc;
}

int pg_user_find(pk_store *s, const char *username, pk_user *out)
{
    params p = {0};
    PGresult *r = NULL;
    p_text(&p, username);
    int rc = pg_run1(s, S_USER_FIND, &p, &r);
    if (rc == 0 && PQntuples(r) == 0)
        rc = PK_ENOENT;
    if (rc == 0)
        read_user(r, 0, 0, out);
    PQclear(r);
    return rc;
}

/* The change and the end of the user's sessions, as one transaction. */
int pg_user_update(pk_store *s, const pk_user *u, const pk_audit_entry *audit)
{
    params p = {0}, id = {0}, ap = {0};
    PGresult *r = NULL;
    user_params(&p, u);
    p_int(&p, u->id);
    p_int(&id, u->id);
    int rc;
    if (audit != NULL) {
        /* the entry first, only for a user there is (the update's row) */
        audit_params(&ap, audit);
        p_int(&ap, u->id);
        const int w[3] = {S_AUDIT_USER, S_USER_UPDATE, S_USER_END_SESSIONS};
        const params *ps[3] = {&ap, &p, &id};
        rc = run_n(s, 3, w, ps, 1, &r);
    } else {
        rc = run2(s, S_USER_UPDATE, &p, S_USER_END_SESSIONS, &id, &r);
    }
    if (rc == 0 && pg_touched(r) == 0)
        rc = PK_ENOENT;
    PQclear(r);
    return rc;
}

int pg_users_each(pk_store *s, pk_user_cb cb, void *ctx)
{
    PGresult *r = NULL;
    int rc = pg_run1(s, S_USERS_EACH, NULL, &r);
    for (int i = 0, n = rc == 0 ? PQntuples(r) : 0; rc == 0 && i < n; i++) {
        pk_user u;
        read_user(r, i, 0, &u);
        rc = cb(ctx, &u);
    }
    PQclear(r);
    return rc;
}

/* ---- sessions and tokens ---- */

int pg_session_insert(pk_store *s, const uint8_t *id, int64_t user_id, int64_t now)
{
    params p = {0};
    p_bytes(&p, id, PK_AUTH_HASH_LEN);
    p_int(&p, user_id);
    p_int(&p, now);
    return pg_run1(s, S_SESSION_INSERT, &p, NULL);
}

int pg_session_get(pk_store *s, const uint8_t *id, int64_t *created, int64_t *seen,
                   pk_user *user)
{
    params p = {0};
    PGresult *r = NULL;
    p_bytes(&p, id, PK_AUTH_HASH_LEN);
    int rc = pg_run1(s, S_SESSION_GET, &p, &r);
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

int pg_session_touch(pk_store *s, const uint8_t *id, int64_t now)
{
    params p = {0};
    p_int(&p, now);
    p_bytes(&p, id, PK_AUTH_HASH_LEN);
    return pg_run1(s, S_SESSION_TOUCH, &p, NULL);
}

int pg_session_delete(pk_store *s, const uint8_t *id)
{
    params p = {0};
    p_bytes(&p, id, PK_AUTH_HASH_LEN);
    return pg_run1(s, S_SESSION_DELETE, &p, NULL);
}

int pg_sessions_expire(pk_store *s, int64_t idle_before, int64_t created_before)
{
    params p = {0};
    p_int(&p, idle_before);
    p_int(&p, created_before);
    return pg_run1(s, S_SESSIONS_EXPIRE, &p, NULL);
}

int pg_token_insert(pk_store *s, const uint8_t *hash, int64_t user_id, const char *label,
                    const pk_audit_entry *audit, int64_t *id)
{
    params p = {0};
    PGresult *r = NULL;
    p_bytes(&p, hash, PK_AUTH_HASH_LEN);
    p_int(&p, user_id);
    p_text(&p, label ? label : "");
    int rc;
    if (audit != NULL) {
        params ap = {0};
        audit_params(&ap, audit);
        p_bytes(&ap, hash, PK_AUTH_HASH_LEN);
        rc = run2(s, S_TOKEN_INSERT, &p, S_AUDIT_TOKEN_NEW, &ap, &r);
    } else {
        rc = pg_run1(s, S_TOKEN_INSERT, &p, &r);
    }
    if (rc == 0)
        *id = get_i64(r, 0, 0);
    PQclear(r);
    return rc;
}

int pg_token_find(pk_store *s, const uint8_t *hash, int64_t *id, pk_user *user)
{
    params p = {0};
    PGresult *r = NULL;
    p_bytes(&p, hash, PK_AUTH_HASH_LEN);
    int rc = pg_run1(s, S_TOKEN_FIND, &p, &r);
    if (rc == 0 && PQntuples(r) == 0)
        rc = PK_ENOENT;
    if (rc == 0) {
        *id = get_i64(r, 0, 0);
        read_user(r, 0, 1, user);
    }
    PQclear(r);
    return rc;
}

int pg_token_revoke(pk_store *s, int64_t id, const pk_audit_entry *audit)
{
    params p = {0};
    PGresult *r = NULL;
    p_int(&p, id);
    int rc;
    if (audit != NULL) {
        /* the entry first, only for a token the revocation will touch */
        params ap = {0};
        audit_params(&ap, audit);
        p_int(&ap, id);
        const int w[2] = {S_AUDIT_TOKEN, S_TOKEN_REVOKE};
        const params *ps[2] = {&ap, &p};
        rc = run_n(s, 2, w, ps, 1, &r);
    } else {
        rc = pg_run1(s, S_TOKEN_REVOKE, &p, &r);
    }
    if (rc == 0 && pg_touched(r) == 0)
        rc = PK_ENOENT;
    PQclear(r);
    return rc;
}

int pg_tokens_each(pk_store *s, int64_t user_id, pk_token_cb cb, void *ctx)
{
    params p = {0};
    PGresult *r = NULL;
    p_int(&p, user_id);
    int rc = pg_run1(s, S_TOKENS_EACH, &p, &r);
    for (int i = 0, n = rc == 0 ? PQntuples(r) : 0; rc == 0 && i < n; i++) {
        pk_token_info t = {
            .id = get_i64(r, i, 0),
            .username = PQgetvalue(r, i, 1),
            .label = PQgetvalue(r, i, 2),
            .created_at = PQgetvalue(r, i, 3),
            .revoked_at = PQgetisnull(r, i, 4) ? NULL : PQgetvalue(r, i, 4),
        };
        rc = cb(ctx, &t);
    }
    PQclear(r);
    return rc;
}

/* ---- failed logins ---- */

/* Forgetting the old failures and adding this one, as one transaction. */
int pg_login_failure_add(pk_store *s, const uint8_t *key, int64_t now, int64_t forget_before)
{
    params forget = {0}, add = {0};
    p_int(&forget, forget_before);
    p_bytes(&add, key, PK_THROTTLE_KEY_LEN);
    p_int(&add, now);
    return run2(s, S_LOGIN_FAILURES_FORGET, &forget, S_LOGIN_FAILURE_ADD, &add, NULL);
}

int pg_login_failures(pk_store *s, const uint8_t *key, int64_t since, int64_t *count,
                      int64_t *oldest, int64_t *newest)
{
    params p = {0};
    PGresult *r = NULL;
    p_bytes(&p, key, PK_THROTTLE_KEY_LEN);
    p_int(&p, since);
    *count = *oldest = *newest = 0;
    int rc = pg_run1(s, S_LOGIN_FAILURES, &p, &r);
    if (rc == 0) {
        *count = get_i64(r, 0, 0);
        *oldest = get_i64(r, 0, 1);
        *newest = get_i64(r, 0, 2);
    }
    PQclear(r);
    return rc;
}

int pg_login_failures_clear(pk_store *s, const uint8_t *key)
{
    params p = {0};
    p_bytes(&p, key, PK_THROTTLE_KEY_LEN);
    return pg_run1(s, S_LOGIN_FAILURES_CLEAR, &p, NULL);
}
