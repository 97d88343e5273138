/* auth.c -- accounts, passwords, login throttling, sessions and CSRF
 * tokens (see auth.h); API tokens and accounts read back are
 * auth_tokens.c's. */
#include "app/auth.h"
#include "app/auth_int.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/pk.h"
#include "core/region.h"
#include "store/store.h"


struct pk_auth {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int free_slots;
    int wait_ms;
    bool have_dummy;
    char dummy[crypto_pwhash_STRBYTES];
};

pk_auth *pk_auth_new(int concurrency, int wait_ms)
{
    pk_auth *a = calloc(1, sizeof(*a));
    if (a == NULL || sodium_init() < 0) {
        free(a);
        return NULL;
    }
    pthread_mutex_init(&a->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&a->cv, &ca);
    pthread_condattr_destroy(&ca);
    a->free_slots = concurrency > 0 ? concurrency : 1;
    a->wait_ms = wait_ms;
    return a;
}

void pk_auth_free(pk_auth *a)
{
    if (a == NULL)
        return;
    pthread_mutex_destroy(&a->mu);
    pthread_cond_destroy(&a->cv);
    free(a);
}

/* Waits up to wait_ms for a hashing slot. */
static int slot_take(pk_auth *a)
{
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += a->wait_ms / 1000;
    until.tv_nsec += (long)(a->wait_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
    }
    int rc = 0;
    pthread_mutex_lock(&a->mu);
    while (a->free_slots == 0 && rc == 0)
        if (pthread_cond_timedwait(&a->cv, &a->mu, &until) == ETIMEDOUT)
            rc = a->free_slots > 0 ? 0 : PK_EBUSY;
    if (rc == 0)
        a->free_slots--;
    pthread_mutex_unlock(&a->mu);
    return rc;
}

static void slot_give(pk_auth *a)
{
    pthread_mutex_lock(&a->mu);
    a->free_slots++;
    pthread_cond_signal(&a->cv);
    pthread_mutex_unlock(&a->mu);
}

/* A hash of a random password, to verify against when the user is
 * unknown: the answer then costs what a wrong password costs.  Called
 * holding a slot. */
static const char *dummy_hash(pk_auth *a)
{
    pthread_mutex_lock(&a->mu);
    bool have = a->have_dummy;
    pthread_mutex_unlock(&a->mu);
    if (have)
        return a->dummy;
    char pw[33], h[crypto_pwhash_STRBYTES];
    unsigned char rnd[16];
    randombytes_buf(rnd, sizeof(rnd));
    sodium_bin2hex(pw, sizeof(pw), rnd, sizeof(rnd));
    if (crypto_pwhash_str(h, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return NULL;
    pthread_mutex_lock(&a->mu);
    if (!a->have_dummy) {
        memcpy(a->dummy, h, sizeof(h));
        a->have_dummy = true;
    }
    pthread_mutex_unlock(&a->mu);
    return a->dummy;
}

/* ---- roles and names ---------------------------------------------------- */

static const struct {
    unsigned bit;
    const char *name;
} roles[] = {
    {PK_ROLE_ADMIN, "admin"},
    {PK_ROLE_OPERATOR, "operator"},
    {PK_ROLE_VIEWER, "viewer"},
};

const char *pk_role_name(unsigned role)
{
    for (size_t i = 0; i < PK_ARRAY_LEN(roles); i++)
        if (roles[i].bit == role)
            return roles[i].name;
    return NULL;
}

unsigned pk_role_by_name(const char *name)
{
    for (size_t i = 0; name != NULL && i < PK_ARRAY_LEN(roles); i++)
        if (strcmp(roles[i].name, name) == 0)
            return roles[i].bit;
    return 0;
}

/* [a-z0-9._-]{3,32} */
static bool username_ok(const char *u)
{
    size_t n = strlen(u);
    if (n < 3 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((u[i] >= 'a' && u[i] <= 'z') || (u[i] >= '0' && u[i] <= '9') || u[i] == '.' ||
              u[i] == '_' || u[i] == '-'))
            return false;
    return true;
}

bool pk_auth_region_within(const char *scope, const char *code)
{
    if (scope == NULL || scope[0] == '\0')
        return true;
    size_t n = strlen(scope);
    return strncmp(scope, code, n) == 0 && (code[n] == '\0' || code[n] == '.');
}

void pk_auth_scope(const pk_principal *who, char out[PK_REGION_CODE_MAX])
{
    snprintf(out, PK_REGION_CODE_MAX, "%s", who->region);
}

/* ---- keyed hashes and encodings ----------------------------------------- */

void pk_au_keyed(const pk_app *app, const char *domain, const void *data, size_t n,
                  uint8_t *out, size_t outlen)
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, app->vault.auth_key, sizeof(app->vault.auth_key), outlen);
    crypto_generichash_update(&st, (const unsigned char *)domain, strlen(domain) + 1);
    crypto_generichash_update(&st, data, n);
    crypto_generichash_final(&st, out, outlen);
}

void pk_au_b64(char *out, size_t cap, const uint8_t *bin, size_t n)
{
    sodium_bin2base64(out, cap, bin, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* Exactly n base64url characters. */
bool pk_au_b64_shape(const char *s, size_t n)
{
    if (s == NULL)
        return false;
    size_t i = 0;
    for (; s[i] && i <= n; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '-' || s[i] == '_'))
            return false;
    return i == n;
}

static void throttle_key(const pk_app *app, const char *kind, const char *value,
                         uint8_t out[PK_THROTTLE_KEY_LEN])
{
    char buf[320];
    int n = snprintf(buf, sizeof(buf), "%s:%s", kind, value ? value : "");
    pk_au_keyed(app, "throttle", buf, n < 0 ? 0 : (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1,
          out, PK_THROTTLE_KEY_LEN);
}

void pk_au_fill_principal(const pk_user *u, pk_principal *who)
{
    memset(who, 0, sizeof(*who));
    who->user_id = u->id;
    snprintf(who->username, sizeof(who->username), "%s", u->username);
    who->role = pk_role_by_name(u->role);
    snprintf(who->region, sizeof(who->region), "%.*s", (int)sizeof(who->region) - 1, u->region);
}

/* ---- passwords ---------------------------------------------------------- */

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Is the lower-cased password a line of data/common-passwords.txt? */
static bool is_common(const pk_app *app, const char *password)
{
    char path[2048], want[PK_PASSWORD_MAX + 1], line[512];
    snprintf(path, sizeof(path), "%s/common-passwords.txt", app->cfg.data_dir);
    size_t n = strlen(password);
    if (n >= sizeof(want))
        return false;
    for (size_t i = 0; i <= n; i++)
        want[i] = (char)tolower((unsigned char)password[i]);
    FILE *f = fopen(path, "re");
    if (f == NULL)
        return false; /* the length rule still applies; `user add` warns */
    bool hit = false;
    while (!hit && fgets(line, sizeof(line), f) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        for (char *c = line; *c; c++)
            *c = (char)tolower((unsigned char)*c);
        hit = line[0] != '#' && strcmp(line, want) == 0;
    }
    fclose(f);
    return hit;
}

const char *pk_auth_password_problem(const pk_app *app, const char *username,
                                     const char *password)
{
    if (utf8_chars(password) < PK_PASSWORD_MIN)
        return "password must have at least 10 characters";
    if (strlen(password) > PK_PASSWORD_MAX)
        return "password must have at most 256 bytes";
    for (const char *c = password; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f)
            return "password must not contain control characters";
    if (username != NULL && strcasecmp(username, password) == 0)
        return "password must not be the username";
    if (is_common(app, password))
        return "password is on the list of common passwords";
    return NULL;
}

static int hash_password(const char *password, char out[PK_PWHASH_MAX])
{
    return crypto_pwhash_str(out, password, strlen(password),
                             crypto_pwhash_OPSLIMIT_INTERACTIVE,
                             crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0
               ? 0
               : PK_ENOMEM;
}

/* ---- users -------------------------------------------------------------- */

/* The audit entry of an account op by `actor` (source "cli": accounts
 * are managed from the command line only). */
pk_audit_entry pk_au_account_audit(const char *actor, const char *action, const char *detail)
{
    return (pk_audit_entry){actor ? actor : "", "cli", action, 0, detail ? detail : ""};
}

int pk_auth_user_create(const pk_app *app, const char *actor, const char *username,
                        const char *role, const char *region, const char *password, int64_t *id,
                        char *err, size_t errlen)
{
    pk_user u;
    memset(&u, 0, sizeof(u));
    if (username == NULL || !username_ok(username)) {
        snprintf(err, errlen, "username must be 3 to 32 characters of a-z 0-9 . _ -");
        return PK_EINVAL;
    }
    unsigned bit = pk_role_by_name(role);
    if (bit == 0) {
        snprintf(err, errlen, "role must be admin, operator or viewer");
        return PK_EINVAL;
    }
    if (region != NULL && region[0] != '\0') {
        if (bit == PK_ROLE_ADMIN) {
            snprintf(err, errlen, "an admin has no region");
            return PK_EINVAL;
        }
        if (pk_region_normalize(region, strlen(region), u.region) == PK_REGION_NONE ||
            pk_regions_find(app->regions, u.region) == NULL) {
            snprintf(err, errlen, "--region must be a known region code like 31.74");
            return PK_EINVAL;
        }
        if (!pk_auth_region_within(app->cfg.service_province, u.region)) {
            snprintf(err, errlen, "region %s is outside the service area (%s)", u.region,
                     app->cfg.service_province);
            return PK_EINVAL;
        }
    } else if (bit == PK_ROLE_OPERATOR) {
        snprintf(err, errlen, "an operator needs --region (the region subtree they serve)");
        return PK_EINVAL;
    }
    const char *why = pk_auth_password_problem(app, username, password);
    if (why != NULL) {
        snprintf(err, errlen, "%s", why);
        return PK_EINVAL;
    }
    snprintf(u.username, sizeof(u.username), "%s", username);
    snprintf(u.role, sizeof(u.role), "%s", role);
    if (hash_password(password, u.pwhash) != 0) {
        snprintf(err, errlen, "cannot hash the password (out of memory)");
        return PK_ENOMEM;
    }
    char detail[128];
    snprintf(detail, sizeof(detail), "username=%s role=%s region=%s", u.username, u.role,
             u.region[0] ? u.region : "-");
    pk_audit_entry ae = pk_au_account_audit(actor, "user.add", detail);
    int rc = pk_store_user_insert(app->store, &u, &ae, id);
    if (rc == PK_ECONFLICT)
        snprintf(err, errlen, "user %s exists already", username);
    else if (rc != 0)
        snprintf(err, errlen, "cannot store the user");
    sodium_memzero(u.pwhash, sizeof(u.pwhash));
    return rc;
}

int pk_au_find_user(const pk_app *app, const char *username, pk_user *u, char *err,
                     size_t errlen)
{
    int rc = username && username_ok(username) ? pk_store_user_find(app->store, username, u)
                                               : PK_ENOENT;
    if (rc == PK_ENOENT)
        snprintf(err, errlen, "no user %.40s", username ? username : "");
    else if (rc != 0)
        snprintf(err, errlen, "cannot read users");
    return rc;
}

int pk_auth_user_passwd(const pk_app *app, const char *actor, const char *username,
                        const char *password, char *err, size_t errlen)
{
    pk_user u;
    int rc = pk_au_find_user(app, username, &u, err, errlen);
    if (rc != 0)
        return rc;
    const char *why = pk_auth_password_problem(app, username, password);
    if (why != NULL) {
        snprintf(err, errlen, "%s", why);
        return PK_EINVAL;
    }
    if ((rc = hash_password(password, u.pwhash)) != 0) {
        snprintf(err, errlen, "cannot hash the password (out of memory)");
        return rc;
    }
    pk_audit_entry ae = pk_au_account_audit(actor, "user.passwd", "sessions=ended");
    if ((rc = pk_store_user_update(app->store, &u, &ae)) != 0)
        snprintf(err, errlen, "cannot store the user");
    return rc;
}

int pk_auth_user_set_disabled(const pk_app *app, const char *actor, const char *username,
                              bool disabled, char *err, size_t errlen)
{
    pk_user u;
    int rc = pk_au_find_user(app, username, &u, err, errlen);
    if (rc != 0)
        return rc;
    u.disabled = disabled;
    pk_audit_entry ae = pk_au_account_audit(actor, disabled ? "user.disable" : "user.enable", "");
    if ((rc = pk_store_user_update(app->store, &u, &ae)) != 0)
        snprintf(err, errlen, "cannot store the user");
    return rc;
}

/* ---- login throttling ----------------------------------------------------
 *
 * Failed logins are counted within login_window under three keys, each a
 * keyed hash (the store holds no name and no address):
 *  - the account at one address (the pair): login_max_failures of them
 *    refuse that account from that address until the oldest leaves the
 *    window.  One person's typos lock nobody else out of the address they
 *    share (a village office behind one NAT address), and an attacker at
 *    one address locks nobody out elsewhere;
 *  - the address, whatever the accounts: login_max_failures_address (much
 *    higher) refuses the address, against spraying over many accounts;
 *  - the account, from every address: from login_max_failures failures
 *    on, each attempt must come login_backoff seconds after the account's
 *    latest failure, twice that after one more, and so on up to
 *    login_backoff_max.  A delay, never a lock: an attacker with many
 *    addresses gets a few guesses a window, and the owner at an address
 *    that has not failed gets in after login_backoff_max at worst.
 * An attempt refused here is neither tried (no hash) nor counted.  A
 * success clears the account's failures and its pair's.  `prakerja user
 * unlock` clears the account's and records the time of the unlock under a
 * fourth key: the account's pairs count no failure up to that second (the
 * pairs of one account cannot be listed, their keys being hashes).
 * Names that are not accounts are throttled alike, so no answer tells
 * whether an account exists. */

typedef struct throttle_keys {
    uint8_t user[PK_THROTTLE_KEY_LEN];   /* the account, from every address */
    uint8_t addr[PK_THROTTLE_KEY_LEN];   /* the address, whatever the account */
    uint8_t pair[PK_THROTTLE_KEY_LEN];   /* the account at the address */
    uint8_t unlock[PK_THROTTLE_KEY_LEN]; /* the account's last unlock */
} throttle_keys;

static void throttle_keys_of(const pk_app *app, const char *username, const char *addr,
                             throttle_keys *k)
{
    char pair[320];
    /* the address first: a long name is what truncation would cut */
    snprintf(pair, sizeof(pair), "%s|%s", addr ? addr : "", username ? username : "");
    throttle_key(app, "user", username, k->user);
    throttle_key(app, "addr", addr, k->addr);
    throttle_key(app, "pair", pair, k->pair);
    throttle_key(app, "unlock", username, k->unlock);
}

int64_t pk_auth_backoff(const pk_config *cfg, int64_t n)
{
    if (n < cfg->login_max_failures || cfg->login_backoff <= 0 || cfg->login_backoff_max <= 0)
        return 0;
    int64_t over = n - cfg->login_max_failures, d = cfg->login_backoff;
    for (int64_t i = 0; i < over && d < cfg->login_backoff_max; i++)
        d *= 2;
    return d < cfg->login_backoff_max ? d : cfg->login_backoff_max;
}

/* 0 when an attempt may be tried now; PK_ELIMIT with *retry_after (whole
 * seconds, at least 1) when not; PK_EIO. */
static int throttle_check(const pk_app *app, const throttle_keys *k, int64_t now,
                          int *retry_after)
{
    const pk_config *cfg = &app->cfg;
    int64_t since = now - cfg->login_window, n, oldest, newest, wait = 0;
    bool refused = false;
    /* the address, whatever the accounts */
    if (pk_store_login_failures(app->store, k->addr, since, &n, &oldest, &newest) != 0)
        return PK_EIO;
    if (n >= cfg->login_max_failures_address) {
        refused = true;
        wait = oldest + cfg->login_window - now;
    }
    /* the account at this address, since the account's last unlock */
    int64_t unlocked = 0, pair_since = since;
    if (pk_store_login_failures(app->store, k->unlock, since, &n, &oldest, &unlocked) != 0)
        return PK_EIO;
    if (n > 0 && unlocked >= pair_since)
        pair_since = unlocked + 1;
    if (pk_store_login_failures(app->store, k->pair, pair_since, &n, &oldest, &newest) != 0)
        return PK_EIO;
    if (n >= cfg->login_max_failures) {
        refused = true;
        if (oldest + cfg->login_window - now > wait)
            wait = oldest + cfg->login_window - now;
    }
    /* the account from every address: a back-off, not a lock */
    if (pk_store_login_failures(app->store, k->user, since, &n, &oldest, &newest) != 0)
        return PK_EIO;
    int64_t d = pk_auth_backoff(cfg, n);
    if (d > 0 && newest + d > now) {
        refused = true;
        int64_t w = newest + d - now < d ? newest + d - now : d; /* another clock ahead */
        if (w > wait)
            wait = w;
    }
    if (!refused)
        return 0;
    *retry_after = wait < 1 ? 1 : wait > cfg->login_window ? cfg->login_window : (int)wait;
    return PK_ELIMIT;
}

/* A failed attempt, under its three keys (the first add also forgets
 * what has left the window, for every key). */
static int throttle_fail(const pk_app *app, const throttle_keys *k, int64_t now)
{
    int64_t forget = now - PK_THROTTLE_KEEP;
    if (pk_store_login_failure_add(app->store, k->pair, now, forget) != 0 ||
        pk_store_login_failure_add(app->store, k->user, now, 0) != 0 ||
        pk_store_login_failure_add(app->store, k->addr, now, 0) != 0)
        return PK_EIO;
    return 0;
}

int pk_auth_user_unlock(const pk_app *app, const char *actor, const char *username,
                        int64_t *cleared, char *err, size_t errlen)
{
    pk_user u;
    int rc = pk_au_find_user(app, username, &u, err, errlen);
    sodium_memzero(u.pwhash, sizeof(u.pwhash));
    if (rc != 0)
        return rc;
    int64_t now = (int64_t)time(NULL), oldest, newest;
    throttle_keys k;
    throttle_keys_of(app, username, "", &k);
    if ((rc = pk_store_login_failures(app->store, k.user, now - app->cfg.login_window, cleared,
                                      &oldest, &newest)) != 0 ||
        (rc = pk_store_login_failures_clear(app->store, k.user)) != 0 ||
        (rc = pk_store_login_failures_clear(app->store, k.unlock)) != 0 ||
        (rc = pk_store_login_failure_add(app->store, k.unlock, now,
                                         now - PK_THROTTLE_KEEP)) != 0) {
        snprintf(err, errlen, "cannot store the unlock");
        return PK_EIO;
    }
    char detail[64];
    snprintf(detail, sizeof(detail), "failures=%lld", (long long)*cleared);
    pk_tx *tx = NULL;
    if ((rc = pk_store_begin(app->store, &tx)) != 0 ||
        (rc = pk_tx_audit(tx, actor ? actor : "", "cli", "user.unlock", u.id, detail)) != 0) {
        pk_tx_rollback(tx);
        snprintf(err, errlen, "unlocked, but cannot write the audit log");
        return rc;
    }
    if ((rc = pk_tx_commit(tx)) != 0)
        snprintf(err, errlen, "unlocked, but cannot write the audit log");
    return rc;
}

/* ---- sessions ----------------------------------------------------------- */

int pk_auth_login(const pk_app *app, const char *username, const char *password,
                  const char *client_addr, char token[PK_SECRET_TEXT], pk_principal *who,
                  int *retry_after)
{
    int64_t now = (int64_t)time(NULL);
    throttle_keys k;
    token[0] = '\0';
    *retry_after = 0;
    throttle_keys_of(app, username, client_addr, &k);
    int rc = throttle_check(app, &k, now, retry_after);
    if (rc != 0)
        return rc;

    pk_user u;
    int found = username_ok(username) ? pk_store_user_find(app->store, username, &u) : PK_ENOENT;
    if (found != 0 && found != PK_ENOENT)
        return PK_EIO;
    if ((rc = slot_take(app->auth)) != 0)
        return rc;
    /* Again, holding a slot: attempts that passed together (many
     * addresses at one account) are tried at most hash_concurrency at a
     * time, and each failure is recorded before the slot is given back,
     * so the next one sees it. */
    now = (int64_t)time(NULL);
    if ((rc = throttle_check(app, &k, now, retry_after)) != 0) {
        slot_give(app->auth);
        return rc;
    }
    size_t plen = strnlen(password, PK_PASSWORD_MAX + 1);
    bool ok = false;
    if (found == 0) {
        ok = crypto_pwhash_str_verify(u.pwhash, password, plen) == 0 && !u.disabled &&
             plen <= PK_PASSWORD_MAX;
    } else {
        const char *d = dummy_hash(app->auth);
        if (d != NULL && crypto_pwhash_str_verify(d, password, plen) == 0)
            ok = false; /* a random password: never matches, only costs the same */
    }
    if (!ok) {
        rc = throttle_fail(app, &k, now);
        slot_give(app->auth);
        return rc != 0 ? PK_EIO : PK_EDENIED;
    }
    slot_give(app->auth);
    if (pk_store_login_failures_clear(app->store, k.user) != 0 ||
        pk_store_login_failures_clear(app->store, k.pair) != 0)
        return PK_EIO;
    /* Housekeeping of other sessions, now and then: at logins. */
    pk_store_sessions_expire(app->store, now - app->cfg.session_idle,
                             now - app->cfg.session_max);

    uint8_t raw[32];
    randombytes_buf(raw, sizeof(raw));
    pk_au_b64(token, PK_SECRET_TEXT, raw, sizeof(raw));
    sodium_memzero(raw, sizeof(raw));
    pk_au_fill_principal(&u, who);
    who->by_session = true;
    pk_au_keyed(app, "session", token, strlen(token), who->sid, sizeof(who->sid));
    if ((rc = pk_store_session_insert(app->store, who->sid, u.id, now)) != 0) {
        token[0] = '\0';
        return PK_EIO;
    }
    return 0;
}

int pk_auth_session(const pk_app *app, const char *token, pk_principal *who)
{
    if (!pk_au_b64_shape(token, B64_32))
        return PK_ENOENT;
    uint8_t sid[PK_AUTH_HASH_LEN];
    pk_au_keyed(app, "session", token, strlen(token), sid, sizeof(sid));
    int64_t created, seen, now = (int64_t)time(NULL);
    pk_user u;
    int rc = pk_store_session_get(app->store, sid, &created, &seen, &u);
    if (rc != 0)
        return rc == PK_ENOENT ? PK_ENOENT : PK_EIO;
    if (u.disabled || pk_role_by_name(u.role) == 0 || now - seen > app->cfg.session_idle ||
        now - created >= app->cfg.session_max) {
        pk_store_session_delete(app->store, sid);
        return PK_ENOENT;
    }
    if (now > seen && pk_store_session_touch(app->store, sid, now) != 0)
        return PK_EIO;
    pk_au_fill_principal(&u, who);
    who->by_session = true;
    memcpy(who->sid, sid, sizeof(sid));
    return 0;
}

int pk_auth_logout(const pk_app *app, const pk_principal *who)
{
    if (!who->by_session)
        return 0;
    return pk_store_session_delete(app->store, who->sid);
}

void pk_auth_logout_token(const pk_app *app, const char *token)
{
    if (!pk_au_b64_shape(token, B64_32))
        return;
    uint8_t sid[PK_AUTH_HASH_LEN];
    pk_au_keyed(app, "session", token, strlen(token), sid, sizeof(sid));
    pk_store_session_delete(app->store, sid);
}

/* ---- CSRF --------------------------------------------------------------- */

void pk_auth_csrf_session(const pk_app *app, const pk_principal *who, char out[PK_SECRET_TEXT])
{
    uint8_t mac[32];
    pk_au_keyed(app, "csrf", who->sid, sizeof(who->sid), mac, sizeof(mac));
    pk_au_b64(out, PK_SECRET_TEXT, mac, sizeof(mac));
}

static bool same_text(const char *want, const char *given)
{
    size_t n = strlen(want);
    return given != NULL && strnlen(given, n + 1) == n && sodium_memcmp(want, given, n) == 0;
}

bool pk_auth_csrf_session_ok(const pk_app *app, const pk_principal *who, const char *given)
{
    char want[PK_SECRET_TEXT];
    if (!who->by_session)
        return false;
    pk_auth_csrf_session(app, who, want);
    return same_text(want, given);
}

void pk_auth_form_nonce(char out[PK_SECRET_TEXT])
{
    uint8_t raw[16];
    randombytes_buf(raw, sizeof(raw));
    pk_au_b64(out, PK_SECRET_TEXT, raw, sizeof(raw));
}

bool pk_auth_form_nonce_valid(const char *nonce)
{
    return pk_au_b64_shape(nonce, B64_16);
}

void pk_auth_form_token(const pk_app *app, const char *nonce, char out[PK_SECRET_TEXT])
{
    uint8_t mac[32];
    pk_au_keyed(app, "form", nonce, strlen(nonce), mac, sizeof(mac));
    pk_au_b64(out, PK_SECRET_TEXT, mac, sizeof(mac));
}

bool pk_auth_form_token_ok(const pk_app *app, const char *nonce, const char *given)
{
    if (!pk_auth_form_nonce_valid(nonce))
        return false;
    char want[PK_SECRET_TEXT];
    pk_auth_form_token(app, nonce, want);
    return same_text(want, given);
}
