/* sql_accounts.h -- the SQL of accounts, sessions, API tokens and failed
 * logins, written once for both backends.
 *
 * An X-macro list, included by sqlite_stmts.h and pg_stmts.h at the place
 * of these ops in pk_store_ops: X(name, parameter types, sql), with
 * parameter types b bytea/BLOB, i bigint/INTEGER, t text (one letter per
 * parameter, in order).  The includer defines SQL_NOW, its database's
 * expression for the store's clock (pk_store_now's form).
 *
 * Placeholders are $1..$n.  PostgreSQL numbers them so; SQLite takes
 * "$1" as a named parameter and numbers each name in order of its first
 * appearance, so in every statement here $k first appears before $k+1
 * (sqlite.c checks that when it prepares them, and that each statement
 * has as many parameters as types).
 *
 * An op that writes twice (user_update ends the user's sessions,
 * login_failure_add forgets old failures) has two statements that the
 * backend runs as one transaction: SQLite in a transaction of the writer,
 * PostgreSQL in one pipeline (an implicit transaction, one round trip).
 * Each row-returning insert answers its new id (RETURNING).
 *
 * An op given an audit entry writes it in the same transaction (as a
 * third statement of the pipeline on PostgreSQL): S_AUDIT_* insert it
 * with the row's id as subject, only when that row is there: after an
 * insert (found by its unique key), before an update or a revocation
 * (only a row that the change will touch). */

/* the audit entry of an account op: $1 actor, $2 source, $3 action,
 * $4 detail, $5 the row's key */
#define SQL_AUDIT_ROW(table, where)                                                        \
    "INSERT INTO audit (at, actor, source, action, subject, detail) SELECT " SQL_NOW         \
    ", $1, $2, $3, id, $4 FROM " table " WHERE " where

#define SQL_UCOLS "u.id, u.username, u.role, coalesce(u.region, ''), u.pwhash, u.disabled, " \
                  "u.created_at"

/* user_insert: PK_ECONFLICT from the UNIQUE username */
X(S_USER_INSERT, "tttti",
  "INSERT INTO app_user (username, role, region, pwhash, disabled, created_at, updated_at)"
  " VALUES ($1, $2, $3, $4, $5, " SQL_NOW ", " SQL_NOW ") RETURNING id")
X(S_USER_FIND, "t", "SELECT " SQL_UCOLS " FROM app_user u WHERE u.username = $1")
/* user_update: these two, in one transaction */
X(S_USER_UPDATE, "tttii",
  "UPDATE app_user SET role = $1, region = $2, pwhash = $3, disabled = $4,"
  " updated_at = " SQL_NOW " WHERE id = $5")
X(S_USER_END_SESSIONS, "i", "DELETE FROM user_session WHERE user_id = $1")
X(S_AUDIT_USER_NEW, "ttttt", SQL_AUDIT_ROW("app_user", "username = $5"))
X(S_AUDIT_USER, "tttti", SQL_AUDIT_ROW("app_user", "id = $5"))
X(S_USERS_EACH, "", "SELECT " SQL_UCOLS " FROM app_user u ORDER BY u.id")
X(S_SESSION_INSERT, "bii",
  "INSERT INTO user_session (id, user_id, created, seen) VALUES ($1, $2, $3, $3)")
X(S_SESSION_GET, "b",
  "SELECT se.created, se.seen, " SQL_UCOLS " FROM user_session se"
  " JOIN app_user u ON u.id = se.user_id WHERE se.id = $1")
X(S_SESSION_TOUCH, "ib", "UPDATE user_session SET seen = $1 WHERE id = $2 AND seen < $1")
X(S_SESSION_DELETE, "b", "DELETE FROM user_session WHERE id = $1")
X(S_SESSIONS_EXPIRE, "ii", "DELETE FROM user_session WHERE seen < $1 OR created < $2")
X(S_TOKEN_INSERT, "bit",
  "INSERT INTO api_token (hash, user_id, label, created_at)"
  " VALUES ($1, $2, $3, " SQL_NOW ") RETURNING id")
X(S_TOKEN_FIND, "b",
  "SELECT t.id, " SQL_UCOLS " FROM api_token t JOIN app_user u"
  " ON u.id = t.user_id WHERE t.hash = $1 AND t.revoked_at IS NULL")
X(S_TOKEN_REVOKE, "i",
  "UPDATE api_token SET revoked_at = " SQL_NOW " WHERE id = $1 AND revoked_at IS NULL")
X(S_AUDIT_TOKEN_NEW, "ttttb", SQL_AUDIT_ROW("api_token", "hash = $5"))
X(S_AUDIT_TOKEN, "tttti", SQL_AUDIT_ROW("api_token", "id = $5 AND revoked_at IS NULL"))
/* tokens_each: never the hash */
X(S_TOKENS_EACH, "i",
  "SELECT t.id, u.username, t.label, t.created_at, t.revoked_at FROM api_token t"
  " JOIN app_user u ON u.id = t.user_id WHERE $1 = 0 OR t.user_id = $1 ORDER BY t.id")
/* login_failure_add: these two, in one transaction */
X(S_LOGIN_FAILURES_FORGET, "i", "DELETE FROM login_failure WHERE at < $1")
X(S_LOGIN_FAILURE_ADD, "bi", "INSERT INTO login_failure (k, at) VALUES ($1, $2)")
X(S_LOGIN_FAILURES, "bi",
  "SELECT count(*), coalesce(min(at), 0), coalesce(max(at), 0) FROM login_failure"
  " WHERE k = $1 AND at >= $2")
X(S_LOGIN_FAILURES_CLEAR, "b", "DELETE FROM login_failure WHERE k = $1")
