/* auth_tokens.c -- staff API tokens (create, check, revoke, list) and
 * accounts read back for the command line (see auth.h). */
#include "app/auth.h"
#include "app/auth_int.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "core/pk.h"
#include "store/store.h"

/* ---- API tokens --------------------------------------------------------- */

int pk_auth_token_create(const pk_app *app, const char *actor, const char *username,
                         const char *label, char out[PK_SECRET_TEXT], int64_t *id, char *err,
                         size_t errlen)
{
    pk_user u;
    int rc = pk_au_find_user(app, username, &u, err, errlen);
    if (rc != 0)
        return rc;
    if (u.disabled) {
        snprintf(err, errlen, "user %s is disabled", username);
        return PK_EINVAL;
    }
    uint8_t raw[32], hash[PK_AUTH_HASH_LEN];
    randombytes_buf(raw, sizeof(raw));
    memcpy(out, API_PREFIX, sizeof(API_PREFIX) - 1);
    pk_au_b64(out + sizeof(API_PREFIX) - 1, PK_SECRET_TEXT - (sizeof(API_PREFIX) - 1), raw,
        sizeof(raw));
    sodium_memzero(raw, sizeof(raw));
    pk_au_keyed(app, "api-token", out, strlen(out), hash, sizeof(hash));
    char detail[64];
    snprintf(detail, sizeof(detail), "username=%s", u.username);
    pk_audit_entry ae = pk_au_account_audit(actor, "token.create", detail);
    if ((rc = pk_store_token_insert(app->store, hash, u.id, label ? label : "", &ae, id)) != 0) {
        snprintf(err, errlen, "cannot store the token");
        sodium_memzero(out, PK_SECRET_TEXT);
    }
    return rc;
}

int pk_auth_token_check(const pk_app *app, const char *token, pk_principal *who)
{
    if (token == NULL || strncmp(token, API_PREFIX, sizeof(API_PREFIX) - 1) != 0 ||
        !pk_au_b64_shape(token + sizeof(API_PREFIX) - 1, B64_32))
        return PK_ENOENT;
    uint8_t hash[PK_AUTH_HASH_LEN];
    pk_au_keyed(app, "api-token", token, strlen(token), hash, sizeof(hash));
    pk_user u;
    int64_t id;
    int rc = pk_store_token_find(app->store, hash, &id, &u);
    if (rc != 0)
        return rc == PK_ENOENT ? PK_ENOENT : PK_EIO;
    if (u.disabled || pk_role_by_name(u.role) == 0)
        return PK_ENOENT;
    pk_au_fill_principal(&u, who);
    who->token_id = id;
    return 0;
}

int pk_auth_token_revoke(const pk_app *app, const char *actor, int64_t id)
{
    pk_audit_entry ae = pk_au_account_audit(actor, "token.revoke", "");
    return pk_store_token_revoke(app->store, id, &ae);
}

typedef struct token_walk {
    pk_token_entry_cb cb;
    void *ctx;
} token_walk;

static int each_token(void *ctx, const pk_token_info *t)
{
    token_walk *w = ctx;
    pk_token_entry e = {.id = t->id, .username = t->username, .label = t->label,
                        .created_at = t->created_at, .revoked_at = t->revoked_at};
    return w->cb(w->ctx, &e);
}

int pk_auth_tokens_each(const pk_app *app, const char *username, pk_token_entry_cb cb,
                        void *ctx, char *err, size_t errlen)
{
    int64_t user_id = 0;
    if (username != NULL) {
        pk_user u;
        int rc = pk_au_find_user(app, username, &u, err, errlen);
        sodium_memzero(u.pwhash, sizeof(u.pwhash));
        if (rc != 0)
            return rc;
        user_id = u.id;
    }
    token_walk w = {.cb = cb, .ctx = ctx};
    int rc = pk_store_tokens_each(app->store, user_id, each_token, &w);
    if (rc < 0)
        snprintf(err, errlen, "cannot read the tokens");
    return rc;
}

/* ---- accounts, read back (the CLI) -------------------------------------- */

static void to_account(const pk_user *u, pk_account *a)
{
    memset(a, 0, sizeof(*a));
    a->id = u->id;
    snprintf(a->username, sizeof(a->username), "%s", u->username);
    snprintf(a->role, sizeof(a->role), "%s", u->role);
    snprintf(a->region, sizeof(a->region), "%s", u->region);
    a->disabled = u->disabled != 0;
    snprintf(a->created_at, sizeof(a->created_at), "%s", u->created_at);
}

int pk_auth_user_get(const pk_app *app, const char *username, pk_account *out)
{
    pk_user u;
    int rc = pk_store_user_find(app->store, username, &u);
    if (rc == 0)
        to_account(&u, out);
    sodium_memzero(u.pwhash, sizeof(u.pwhash));
    return rc;
}

typedef struct account_walk {
    pk_account_cb cb;
    void *ctx;
} account_walk;

static int each_account(void *ctx, const pk_user *u)
{
    account_walk *w = ctx;
    pk_account a;
    to_account(u, &a);
    return w->cb(w->ctx, &a);
}

int pk_auth_users_each(const pk_app *app, pk_account_cb cb, void *ctx)
{
    account_walk w = {.cb = cb, .ctx = ctx};
    return pk_store_users_each(app->store, each_account, &w);
}
