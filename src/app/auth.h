/* auth.h -- accounts, roles, sessions, API tokens and CSRF tokens.
 *
 * Roles are bits, so a route declares the set of roles that may call it
 * (web/routes.c).  admin: programme administration, users, exports;
 * operator: outreach staff of one region subtree (a city, a district or a
 * village); viewer: aggregates only, never personal data.  (API clients
 * get a role of their own later: a new bit.)
 *
 * Passwords are Argon2id strings (libsodium, INTERACTIVE limits), checked
 * at most `hash_concurrency` at a time: each takes 64 MiB, so a flood of
 * logins queues (and gets PK_EBUSY) instead of exhausting memory.
 * Session ids and API tokens are 32 random bytes shown once (base64url);
 * the database holds only their keyed BLAKE2b hashes under a key derived
 * from the vault, as it does for throttling keys (account names, client
 * addresses).  CSRF tokens are derived, never stored: per session a MAC
 * of the session id; for public forms (no session) a MAC of a random
 * nonce the browser keeps in a cookie (signed double submit). */
#ifndef PK_AUTH_H
#define PK_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "app/app.h"
#include "core/region.h"

enum {
    PK_ROLE_ADMIN = 1u << 0,
    PK_ROLE_OPERATOR = 1u << 1,
    PK_ROLE_VIEWER = 1u << 2,
};
#define PK_ROLES_STAFF (PK_ROLE_ADMIN | PK_ROLE_OPERATOR | PK_ROLE_VIEWER)

/* "admin", "operator", "viewer"; NULL for anything else. */
const char *pk_role_name(unsigned role);
/* The role bit, or 0. */
unsigned pk_role_by_name(const char *name);

#define PK_SECRET_TEXT 48  /* a session id, CSRF token or API token as text, with NUL */
#define PK_PASSWORD_MIN 10 /* characters */
#define PK_PASSWORD_MAX 256 /* bytes */

/* Who is calling: a logged-in user (session) or an API client (token). */
typedef struct pk_principal {
    int64_t user_id;
    char username[PK_USERNAME_MAX];
    unsigned role;                 /* one PK_ROLE_* bit */
    char region[PK_REGION_CODE_MAX]; /* the user's region; "" = the whole service area */
    bool by_session;
    uint8_t sid[PK_AUTH_HASH_LEN]; /* hashed session id (by_session) */
    int64_t token_id;              /* API token id (otherwise) */
} pk_principal;

/* The mutable part of authentication (the hashing slots, the dummy hash
 * for unknown users).  One per app; thread-safe. */
pk_auth *pk_auth_new(int concurrency, int wait_ms);
void pk_auth_free(pk_auth *a);

/* ---- users (the CLI) ----------------------------------------------------
 * On failure these write an English explanation into err.  Each change
 * is recorded in the audit log with `actor`, who made it ("cli:UNIXUSER"),
 * in the same transaction as the change. */

/* NULL when the password may be used, else why not (English). */
const char *pk_auth_password_problem(const pk_app *app, const char *username,
                                     const char *password);
int pk_auth_user_create(const pk_app *app, const char *actor, const char *username,
                        const char *role, const char *region, const char *password, int64_t *id,
                        char *err, size_t errlen);
/* New password; ends the user's sessions. */
int pk_auth_user_passwd(const pk_app *app, const char *actor, const char *username,
                        const char *password, char *err, size_t errlen);
/* Disables (ends sessions; tokens stop working) or enables again. */
int pk_auth_user_set_disabled(const pk_app *app, const char *actor, const char *username,
                              bool disabled, char *err, size_t errlen);

/* An account as the CLI lists it: everything but the password hash. */
typedef struct pk_account {
    int64_t id;
    char username[PK_USERNAME_MAX];
    char role[PK_ROLE_MAX];    /* "admin", "operator", "viewer" */
    char region[PK_REGION_CODE_MAX]; /* dotted region code; "" for none */
    bool disabled;
    char created_at[32];       /* as the store gives it */
} pk_account;

/* The account of that name: 0, PK_ENOENT, or another negative PK_E*. */
int pk_auth_user_get(const pk_app *app, const char *username, pk_account *out);
/* Every account in id order; stops early when cb returns non-zero. */
typedef int (*pk_account_cb)(void *ctx, const pk_account *a);
int pk_auth_users_each(const pk_app *app, pk_account_cb cb, void *ctx);

/* ---- sessions ----------------------------------------------------------- */

/* The seconds the account back-off asks between attempts after n failed
 * logins of an account (from any addresses) within login_window: 0 below
 * login_max_failures, then login_backoff, doubling with each further
 * failure, up to login_backoff_max; 0 when either is 0 (off). */
int64_t pk_auth_backoff(const pk_config *cfg, int64_t n);
/* Clears the throttling of an account's logins (app/auth.c): its
 * back-off, and the refusal of every address where it failed too often.
 * *cleared receives how many failures of the window that was; the unlock
 * is recorded in the audit log.  PK_ENOENT for no such user. */
int pk_auth_user_unlock(const pk_app *app, const char *actor, const char *username,
                        int64_t *cleared, char *err, size_t errlen);

/* Checks username and password (throttled per account at an address, per
 * address and, as a back-off, per account: see app/auth.c; at most
 * hash_concurrency hashes at once) and opens a session:
 * `token` receives the new session id for the cookie.  Returns 0,
 * PK_EDENIED (unknown user, wrong password or disabled account: the same
 * answer, after the same work), PK_ELIMIT (*retry_after seconds),
 * PK_EBUSY (no hashing slot in time) or PK_EIO. */
int pk_auth_login(const pk_app *app, const char *username, const char *password,
                  const char *client_addr, char token[PK_SECRET_TEXT], pk_principal *who,
                  int *retry_after);
/* The session of a cookie value: 0 (and its last-seen time refreshed),
 * PK_ENOENT (unknown, expired, or its user disabled) or PK_EIO. */
int pk_auth_session(const pk_app *app, const char *token, pk_principal *who);
/* Ends the session (the row is deleted). */
int pk_auth_logout(const pk_app *app, const pk_principal *who);
/* Ends the session of a raw cookie value, if there is one. */
void pk_auth_logout_token(const pk_app *app, const char *token);

/* ---- CSRF --------------------------------------------------------------- */

/* The CSRF token of a session, and its constant-time check. */
void pk_auth_csrf_session(const pk_app *app, const pk_principal *who,
                          char out[PK_SECRET_TEXT]);
bool pk_auth_csrf_session_ok(const pk_app *app, const pk_principal *who, const char *given);
/* Public forms: a fresh random nonce (for the cookie), the token that
 * goes with a nonce (for the hidden field), and the check of a pair. */
void pk_auth_form_nonce(char out[PK_SECRET_TEXT]);
bool pk_auth_form_nonce_valid(const char *nonce);
void pk_auth_form_token(const pk_app *app, const char *nonce, char out[PK_SECRET_TEXT]);
bool pk_auth_form_token_ok(const pk_app *app, const char *nonce, const char *given);

/* ---- API tokens --------------------------------------------------------- */

/* A new token for an enabled user: `out` receives it (shown once). */
int pk_auth_token_create(const pk_app *app, const char *actor, const char *username,
                         const char *label, char out[PK_SECRET_TEXT], int64_t *id, char *err,
                         size_t errlen);
/* 0 and the caller, or PK_ENOENT (unknown, revoked, user disabled), PK_EIO. */
int pk_auth_token_check(const pk_app *app, const char *token, pk_principal *who);
/* PK_ENOENT when there is no such (unrevoked) token. */
int pk_auth_token_revoke(const pk_app *app, const char *actor, int64_t id);
/* A token as listed: never the token or its hash.  The strings live until
 * the callback returns. */
typedef struct pk_token_entry {
    int64_t id;
    const char *username, *label, *created_at;
    const char *revoked_at;    /* NULL while the token works */
} pk_token_entry;
typedef int (*pk_token_entry_cb)(void *ctx, const pk_token_entry *t);
/* Every token, revoked ones too, of `username` (NULL: of everyone), in id
 * order; stops early with cb's non-zero value.  PK_ENOENT (and err) when
 * there is no such user. */
int pk_auth_tokens_each(const pk_app *app, const char *username, pk_token_entry_cb cb,
                        void *ctx, char *err, size_t errlen);

/* Is `code` inside the subtree of `scope` ("" = everything)? */
bool pk_auth_region_within(const char *scope, const char *code);

/* The scope of a caller: the region subtree every read of theirs is
 * limited to, personal records and counts alike (app/operator.h,
 * app/stats.h): the account's region, or "" (everything) for an account
 * without one (an admin; a viewer created without --region).  An
 * operator always has one. */
void pk_auth_scope(const pk_principal *who, char out[PK_REGION_CODE_MAX]);

#endif
