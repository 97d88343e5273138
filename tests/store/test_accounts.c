/* test_accounts.c -- users, sessions, API tokens and failed logins: each
 * call its own small transaction, times from the caller's clock. */
#include "store_test.h"

#include <stdio.h>
#include <string.h>

static pk_user user(const char *name, const char *role, const char *region)
{
    pk_user u;
    memset(&u, 0, sizeof(u));
    snprintf(u.username, sizeof(u.username), "%s", name);
    snprintf(u.role, sizeof(u.role), "%s", role);
    snprintf(u.region, sizeof(u.region), "%s", region);
    snprintf(u.pwhash, sizeof(u.pwhash), "$argon2id$v=19$m=65536,t=2,p=1$%s", name);
    return u;
}

typedef struct users {
    int n, stop_after;
    int64_t id[8];
    char name[8][PK_USERNAME_MAX];
} users;

static int user_cb(void *ctx, const pk_user *u)
{
    users *us = ctx;
    assert_true(us->n < 8);
    us->id[us->n] = u->id;
    snprintf(us->name[us->n], PK_USERNAME_MAX, "%s", u->username);
    us->n++;
    return us->stop_after && us->n == us->stop_after ? 4 : 0;
}

static void users_insert_find_update_each(void **state)
{
    pk_store *s = ST_S(state);
    pk_user a = user("admin", "admin", ""), o = user("op.jakpus", "operator", "31.71"),
            v = user("viewer_1", "viewer", "31.71.01.1001");
    int64_t ida = 0, ido = 0, idv = 0, dup = 0;
    assert_int_equal(pk_store_user_insert(s, &a, NULL, &ida), 0);
    assert_int_equal(pk_store_user_insert(s, &o, NULL, &ido), 0);
    assert_int_equal(pk_store_user_insert(s, &v, NULL, &idv), 0);
    assert_true(ida > 0 && ida < ido && ido < idv);
    pk_user again = user("op.jakpus", "viewer", "");
    assert_int_equal(pk_store_user_insert(s, &again, NULL, &dup), PK_ECONFLICT);
    pk_user f;
    memset(&f, 0x55, sizeof(f));
    assert_int_equal(pk_store_user_find(s, "op.jakpus", &f), 0);
    assert_int_equal(f.id, ido);
    assert_string_equal(f.username, "op.jakpus");
    assert_string_equal(f.role, "operator");
    assert_string_equal(f.region, "31.71");
    assert_string_equal(f.pwhash, o.pwhash);
    assert_int_equal(f.disabled, 0);
    assert_true(strlen(f.created_at) >= 20);
    assert_int_equal(pk_store_user_find(s, "admin", &f), 0);
    assert_string_equal(f.region, "");
    assert_int_equal(pk_store_user_find(s, "nobody", &f), PK_ENOENT);
    assert_int_equal(pk_store_user_find(s, "ADMIN", &f), PK_ENOENT);
    /* update: role, region, pwhash, disabled (normalised to 0/1) */
    pk_user u = user("op.jakpus", "viewer", "");
    u.id = ido;
    u.disabled = 7;
    snprintf(u.pwhash, sizeof(u.pwhash), "$argon2id$new");
    assert_int_equal(pk_store_user_update(s, &u, NULL), 0);
    assert_int_equal(pk_store_user_find(s, "op.jakpus", &f), 0);
    assert_string_equal(f.role, "viewer");
    assert_string_equal(f.region, "");
    assert_string_equal(f.pwhash, "$argon2id$new");
    assert_int_equal(f.disabled, 1);
    u.id = idv + 1000;
    assert_int_equal(pk_store_user_update(s, &u, NULL), PK_ENOENT);
    /* every user in id order; cb's non-zero value stops */
    users us = {0};
    assert_int_equal(pk_store_users_each(s, user_cb, &us), 0);
    assert_int_equal(us.n, 3);
    assert_int_equal(us.id[0], ida);
    assert_int_equal(us.id[2], idv);
    assert_string_equal(us.name[1], "op.jakpus");
    users stop = {.stop_after = 1};
    assert_int_equal(pk_store_users_each(s, user_cb, &stop), 4);
    assert_int_equal(stop.n, 1);
}

static void sessions_get_touch_delete_expire(void **state)
{
    pk_store *s = ST_S(state);
    pk_user a = user("siti", "operator", "31.71"), b = user("budi", "viewer", "");
    int64_t ida, idb;
    assert_int_equal(pk_store_user_insert(s, &a, NULL, &ida), 0);
    assert_int_equal(pk_store_user_insert(s, &b, NULL, &idb), 0);
    uint8_t s1[PK_AUTH_HASH_LEN], s2[PK_AUTH_HASH_LEN], s3[PK_AUTH_HASH_LEN],
        s4[PK_AUTH_HASH_LEN], none[PK_AUTH_HASH_LEN];
    st_auth(s1, 1);
    st_auth(s2, 2);
    st_auth(s3, 3);
    st_auth(s4, 4);
    st_auth(none, 99);
    assert_int_equal(pk_store_session_insert(s, s1, ida, 100), 0);
    int64_t created = -1, seen = -1;
    pk_user u;
    assert_int_equal(pk_store_session_get(s, s1, &created, &seen, &u), 0);
    assert_int_equal(created, 100);
    assert_int_equal(seen, 100);
    assert_int_equal(u.id, ida);
    assert_string_equal(u.username, "siti");
    assert_string_equal(u.region, "31.71");
    assert_int_equal(pk_store_session_get(s, none, &created, &seen, &u), PK_ENOENT);
    assert_int_equal(pk_store_session_touch(s, s1, 900), 0);
    assert_int_equal(pk_store_session_get(s, s1, &created, &seen, &u), 0);
    assert_int_equal(created, 100);
    assert_int_equal(seen, 900);
    /* an older touch (a slower concurrent request) does not move it back
     * (both backends) */
    assert_int_equal(pk_store_session_touch(s, s1, 500), 0);
    assert_int_equal(pk_store_session_get(s, s1, &created, &seen, &u), 0);
    assert_int_equal(seen, 900);
    assert_int_equal(pk_store_session_touch(s, none, 900), 0);
    /* delete: 0 even when it does not exist */
    assert_int_equal(pk_store_session_insert(s, s2, idb, 500), 0);
    assert_int_equal(pk_store_session_delete(s, s2), 0);
    assert_int_equal(pk_store_session_get(s, s2, &created, &seen, &u), PK_ENOENT);
    assert_int_equal(pk_store_session_delete(s, s2), 0);
    assert_int_equal(pk_store_session_delete(s, none), 0);
    /* expire: last seen before idle_before, or created before
     * created_before (strictly) */
    assert_int_equal(pk_store_session_insert(s, s2, idb, 500), 0);  /* seen 500 */
    assert_int_equal(pk_store_session_insert(s, s3, idb, 600), 0);  /* at both edges */
    assert_int_equal(pk_store_session_insert(s, s4, ida, 1000), 0);
    /* s1: created 100, seen 900 */
    assert_int_equal(pk_store_sessions_expire(s, 600, 200), 0);
    assert_int_equal(pk_store_session_get(s, s1, &created, &seen, &u), PK_ENOENT); /* old */
    assert_int_equal(pk_store_session_get(s, s2, &created, &seen, &u), PK_ENOENT); /* idle */
    assert_int_equal(pk_store_session_get(s, s3, &created, &seen, &u), 0);
    assert_int_equal(pk_store_session_get(s, s4, &created, &seen, &u), 0);
    assert_int_equal(pk_store_sessions_expire(s, 0, 601), 0);
    assert_int_equal(pk_store_session_get(s, s3, &created, &seen, &u), PK_ENOENT);
    assert_int_equal(pk_store_session_get(s, s4, &created, &seen, &u), 0);
}

/* A user update (new password, disabled) ends every session of that
 * user, and only theirs. */
static void user_update_ends_that_users_sessions(void **state)
{
    pk_store *s = ST_S(state);
    pk_user a = user("siti", "operator", "31.71"), b = user("budi", "viewer", "");
    int64_t ida, idb;
    assert_int_equal(pk_store_user_insert(s, &a, NULL, &ida), 0);
    assert_int_equal(pk_store_user_insert(s, &b, NULL, &idb), 0);
    uint8_t sa1[PK_AUTH_HASH_LEN], sa2[PK_AUTH_HASH_LEN], sb[PK_AUTH_HASH_LEN];
    st_auth(sa1, 1);
    st_auth(sa2, 2);
    st_auth(sb, 3);
    assert_int_equal(pk_store_session_insert(s, sa1, ida, 10), 0);
    assert_int_equal(pk_store_session_insert(s, sa2, ida, 20), 0);
    assert_int_equal(pk_store_session_insert(s, sb, idb, 30), 0);
    a.id = ida;
    a.disabled = 1;
    assert_int_equal(pk_store_user_update(s, &a, NULL), 0);
    int64_t c, seen;
    pk_user u;
    assert_int_equal(pk_store_session_get(s, sa1, &c, &seen, &u), PK_ENOENT);
    assert_int_equal(pk_store_session_get(s, sa2, &c, &seen, &u), PK_ENOENT);
    assert_int_equal(pk_store_session_get(s, sb, &c, &seen, &u), 0);
    assert_int_equal(u.id, idb);
}

static void tokens_find_and_revoke(void **state)
{
    pk_store *s = ST_S(state);
    pk_user a = user("robot", "operator", "31.72");
    int64_t ida;
    assert_int_equal(pk_store_user_insert(s, &a, NULL, &ida), 0);
    uint8_t t1[PK_AUTH_HASH_LEN], t2[PK_AUTH_HASH_LEN], none[PK_AUTH_HASH_LEN];
    st_auth(t1, 11);
    st_auth(t2, 12);
    st_auth(none, 13);
    int64_t id1 = 0, id2 = 0, found = 0;
    assert_int_equal(pk_store_token_insert(s, t1, ida, "sync job", NULL, &id1), 0);
    assert_int_equal(pk_store_token_insert(s, t2, ida, NULL, NULL, &id2), 0);
    assert_true(id1 > 0 && id2 > id1);
    pk_user u;
    assert_int_equal(pk_store_token_find(s, t1, &found, &u), 0);
    assert_int_equal(found, id1);
    assert_int_equal(u.id, ida);
    assert_string_equal(u.username, "robot");
    assert_string_equal(u.region, "31.72");
    assert_int_equal(pk_store_token_find(s, none, &found, &u), PK_ENOENT);
    assert_int_equal(pk_store_token_revoke(s, id1, NULL), 0);
    assert_int_equal(pk_store_token_find(s, t1, &found, &u), PK_ENOENT);
    assert_int_equal(pk_store_token_revoke(s, id1, NULL), PK_ENOENT); /* already */
    assert_int_equal(pk_store_token_revoke(s, id2 + 100, NULL), PK_ENOENT);
    assert_int_equal(pk_store_token_find(s, t2, &found, &u), 0);
    assert_int_equal(found, id2);
}

typedef struct tokens {
    int n, stop_after;
    int64_t id[8];
    char line[8][96];
} tokens;

static int token_cb(void *ctx, const pk_token_info *t)
{
    tokens *ts = ctx;
    assert_true(ts->n < 8);
    assert_non_null(t->created_at);
    assert_true(strlen(t->created_at) >= 19); /* YYYY-MM-DDTHH:MM:SS... */
    ts->id[ts->n] = t->id;
    snprintf(ts->line[ts->n], sizeof(ts->line[0]), "%s|%s|%s", t->username, t->label,
             t->revoked_at ? "revoked" : "active");
    if (t->revoked_at)
        assert_true(strlen(t->revoked_at) >= 19);
    ts->n++;
    return ts->stop_after && ts->n == ts->stop_after ? 6 : 0;
}

static void tokens_each_of_everyone_or_one_user(void **state)
{
    pk_store *s = ST_S(state);
    tokens ts = {0};
    assert_int_equal(pk_store_tokens_each(s, 0, token_cb, &ts), 0);
    assert_int_equal(ts.n, 0);
    pk_user a = user("robot.a", "operator", "31.72"), b = user("robot.b", "viewer", "");
    int64_t ida, idb, t[3];
    assert_int_equal(pk_store_user_insert(s, &a, NULL, &ida), 0);
    assert_int_equal(pk_store_user_insert(s, &b, NULL, &idb), 0);
    uint8_t h[PK_AUTH_HASH_LEN];
    st_auth(h, 21);
    assert_int_equal(pk_store_token_insert(s, h, ida, "sync", NULL, &t[0]), 0);
    st_auth(h, 22);
    assert_int_equal(pk_store_token_insert(s, h, idb, "", NULL, &t[1]), 0);
    st_auth(h, 23);
    assert_int_equal(pk_store_token_insert(s, h, ida, "laporan", NULL, &t[2]), 0);
    assert_int_equal(pk_store_token_revoke(s, t[0], NULL), 0);
    /* everyone's, in id order, revoked ones too */
    assert_int_equal(pk_store_tokens_each(s, 0, token_cb, &ts), 0);
    assert_int_equal(ts.n, 3);
    for (int i = 0; i < 3; i++)
        assert_int_equal(ts.id[i], t[i]);
    assert_string_equal(ts.line[0], "robot.a|sync|revoked");
    assert_string_equal(ts.line[1], "robot.b||active");
    assert_string_equal(ts.line[2], "robot.a|laporan|active");
    /* one user's */
    memset(&ts, 0, sizeof(ts));
    assert_int_equal(pk_store_tokens_each(s, ida, token_cb, &ts), 0);
    assert_int_equal(ts.n, 2);
    assert_int_equal(ts.id[0], t[0]);
    assert_int_equal(ts.id[1], t[2]);
    memset(&ts, 0, sizeof(ts));
    assert_int_equal(pk_store_tokens_each(s, idb + 100, token_cb, &ts), 0);
    assert_int_equal(ts.n, 0);
    /* the callback's non-zero value stops the walk and is returned */
    memset(&ts, 0, sizeof(ts));
    ts.stop_after = 1;
    assert_int_equal(pk_store_tokens_each(s, 0, token_cb, &ts), 6);
    assert_int_equal(ts.n, 1);
}

static void login_failures_window_forget_and_clear(void **state)
{
    pk_store *s = ST_S(state);
    uint8_t a[PK_THROTTLE_KEY_LEN], b[PK_THROTTLE_KEY_LEN];
    st_key(a, 1);
    st_key(b, 2);
    int64_t n = -1, oldest = -1, newest = -1;
    assert_int_equal(pk_store_login_failures(s, a, 0, &n, &oldest, &newest), 0);
    assert_int_equal(n, 0);
    assert_int_equal(oldest, 0);
    assert_int_equal(newest, 0);
    assert_int_equal(pk_store_login_failure_add(s, a, 100, 0), 0);
    assert_int_equal(pk_store_login_failure_add(s, a, 200, 0), 0);
    assert_int_equal(pk_store_login_failure_add(s, a, 300, 0), 0);
    assert_int_equal(pk_store_login_failure_add(s, b, 150, 0), 0);
    assert_int_equal(pk_store_login_failures(s, a, 0, &n, &oldest, &newest), 0);
    assert_int_equal(n, 3);
    assert_int_equal(oldest, 100);
    assert_int_equal(newest, 300);
    assert_int_equal(pk_store_login_failures(s, a, 200, &n, &oldest, &newest), 0); /* at or after */
    assert_int_equal(n, 2);
    assert_int_equal(oldest, 200);
    assert_int_equal(newest, 300);
    assert_int_equal(pk_store_login_failures(s, a, 301, &n, &oldest, &newest), 0);
    assert_int_equal(n, 0);
    assert_int_equal(oldest, 0);
    assert_int_equal(newest, 0);
    assert_int_equal(pk_store_login_failures(s, b, 0, &n, &oldest, &newest), 0);
    assert_int_equal(n, 1);
    /* add forgets every failure (any key) older than forget_before */
    assert_int_equal(pk_store_login_failure_add(s, a, 400, 200), 0);
    assert_int_equal(pk_store_login_failures(s, a, 0, &n, &oldest, &newest), 0);
    assert_int_equal(n, 3);
    assert_int_equal(oldest, 200);
    assert_int_equal(newest, 400);
    assert_int_equal(pk_store_login_failures(s, b, 0, &n, &oldest, &newest), 0);
    assert_int_equal(n, 0);
    /* the new one is kept even when older than forget_before */
    assert_int_equal(pk_store_login_failure_add(s, b, 50, 1000), 0);
    assert_int_equal(pk_store_login_failures(s, b, 0, &n, &oldest, &newest), 0);
    assert_int_equal(n, 1);
    assert_int_equal(oldest, 50);
    assert_int_equal(pk_store_login_failures(s, a, 0, &n, &oldest, &newest), 0);
    assert_int_equal(n, 0);
    /* clear: that key only */
    assert_int_equal(pk_store_login_failure_add(s, a, 2000, 0), 0);
    assert_int_equal(pk_store_login_failures_clear(s, a), 0);
    assert_int_equal(pk_store_login_failures(s, a, 0, &n, &oldest, &newest), 0);
    assert_int_equal(n, 0);
    assert_int_equal(pk_store_login_failures(s, b, 0, &n, &oldest, &newest), 0);
    assert_int_equal(n, 1);
    assert_int_equal(pk_store_login_failures_clear(s, a), 0);
}

static const struct CMUnitTest tests[] = {
    ST_TEST(users_insert_find_update_each),
    ST_TEST(sessions_get_touch_delete_expire),
    ST_TEST(user_update_ends_that_users_sessions),
    ST_TEST(tokens_find_and_revoke),
    ST_TEST(tokens_each_of_everyone_or_one_user),
    ST_TEST(login_failures_window_forget_and_clear),
};
const st_division st_accounts = {tests, sizeof(tests) / sizeof(tests[0])};
