/* test_logs.c -- both logs read back (logs_find): the audit log of
 * writes and the access log of reads, merged and filtered; the account
 * ops' audit entries, written with the change or not at all; and that
 * the database refuses to change or delete an entry of either log. */
#include "store_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_MAX 32

typedef struct logged {
    int n, stop_after;
    bool write[LOG_MAX];
    int64_t id[LOG_MAX], subject[LOG_MAX];
    char at[LOG_MAX][40], actor[LOG_MAX][40], action[LOG_MAX][32], place[LOG_MAX][48],
        detail[LOG_MAX][64];
} logged;

static int log_cb(void *ctx, const pk_log_entry *e)
{
    logged *l = ctx;
    assert_true(l->n < LOG_MAX);
    int i = l->n++;
    l->write[i] = e->write;
    l->id[i] = e->id;
    l->subject[i] = e->subject;
    snprintf(l->at[i], sizeof(l->at[i]), "%s", e->at);
    snprintf(l->actor[i], sizeof(l->actor[i]), "%s", e->actor);
    snprintf(l->action[i], sizeof(l->action[i]), "%s", e->action);
    snprintf(l->place[i], sizeof(l->place[i]), "%s", e->place);
    snprintf(l->detail[i], sizeof(l->detail[i]), "%s", e->detail);
    return l->stop_after && l->n == l->stop_after ? 9 : 0;
}

/* logs_find into a new `logged` (asserts success, and oldest first). */
static logged *find(pk_store *s, const pk_log_filter *f)
{
    logged *l = calloc(1, sizeof(*l));
    assert_non_null(l);
    assert_int_equal(pk_store_logs_find(s, f, log_cb, l), 0);
    for (int i = 1; i < l->n; i++)
        assert_true(strcmp(l->at[i - 1], l->at[i]) <= 0);
    return l;
}

static int count_action(const logged *l, const char *action)
{
    int n = 0;
    for (int i = 0; i < l->n; i++)
        n += strcmp(l->action[i], action) == 0;
    return n;
}

static void audit1(pk_store *s, const char *actor, const char *source, const char *action,
                   int64_t subject, const char *detail)
{
    pk_tx *tx = NULL;
    assert_int_equal(pk_store_begin(s, &tx), 0);
    assert_int_equal(pk_tx_audit(tx, actor, source, action, subject, detail), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
}

static void read1(pk_store *s, const char *actor, const char *action, int64_t subject)
{
    pk_access_entry e = {.actor = actor, .action = action, .route = "/peserta/{id}",
                         .subject = subject, .detail = "d"};
    assert_int_equal(pk_store_access_log_add(s, &e), 0);
}

/* Writes and reads interleaved in time; each filter alone and together;
 * the newest N, oldest first. */
static void logs_find_merges_and_filters(void **state)
{
    pk_store *s = ST_S(state);
    pk_log_filter all = {.writes = true, .reads = true};
    logged *l = find(s, &all);
    assert_int_equal(l->n, 0);
    free(l);
    /* 0 write  user:siti    participant.insert
     * 1 read   user:siti    participant.view
     * 2 write  cli:root     user.add
     * 3 read   cli:root     participants.export
     * 4 write  cli:root     user.disable
     * 5 write  user:budi    participant.update
     * 6 read   user:budi    participant.view
     * 7 write  cli:root     users.purge (not of kind "user") */
    audit1(s, "user:siti", "operator", "participant.insert", 11, "fields=all");
    st_sleep_ms(3);
    read1(s, "user:siti", "participant.view", 11);
    st_sleep_ms(3);
    audit1(s, "cli:root", "cli", "user.add", 2, "username=budi");
    st_sleep_ms(3);
    read1(s, "cli:root", "participants.export", 0);
    st_sleep_ms(3);
    audit1(s, "cli:root", "cli", "user.disable", 2, NULL);
    st_sleep_ms(3);
    audit1(s, "user:budi", "api", "participant.update", 11, "fields=nama");
    st_sleep_ms(3);
    read1(s, "user:budi", "participant.view", 11);
    st_sleep_ms(3);
    audit1(s, "cli:root", "cli", "users.purge", 0, "");

    l = find(s, &all);
    assert_int_equal(l->n, 8);
    const bool writes[8] = {true, false, true, false, true, true, false, true};
    for (int i = 0; i < 8; i++)
        assert_int_equal(l->write[i], writes[i]);
    assert_string_equal(l->actor[0], "user:siti");
    assert_string_equal(l->place[0], "operator"); /* a write's source */
    assert_string_equal(l->place[1], "/peserta/{id}"); /* a read's route */
    assert_int_equal(l->subject[0], 11);
    assert_int_equal(l->subject[3], 0);
    assert_string_equal(l->detail[0], "fields=all");
    assert_string_equal(l->detail[4], "");
    assert_int_equal(strlen(l->at[0]), 24);
    char third[40], sixth[40];
    snprintf(third, sizeof(third), "%s", l->at[2]);
    snprintf(sixth, sizeof(sixth), "%s", l->at[5]);
    free(l);

    pk_log_filter f = {.writes = true};
    l = find(s, &f);
    assert_int_equal(l->n, 5);
    for (int i = 0; i < l->n; i++)
        assert_true(l->write[i]);
    free(l);
    f = (pk_log_filter){.reads = true};
    l = find(s, &f);
    assert_int_equal(l->n, 3);
    for (int i = 0; i < l->n; i++)
        assert_false(l->write[i]);
    free(l);
    f = (pk_log_filter){0}; /* neither log: nothing */
    l = find(s, &f);
    assert_int_equal(l->n, 0);
    free(l);

    /* an actor, exactly (not a prefix) */
    f = (pk_log_filter){.writes = true, .reads = true, .actor = "cli:root"};
    l = find(s, &f);
    assert_int_equal(l->n, 4);
    free(l);
    f.actor = "cli:roo";
    l = find(s, &f);
    assert_int_equal(l->n, 0);
    free(l);
    f = (pk_log_filter){.writes = true, .reads = true, .actor = "user:budi"};
    l = find(s, &f);
    assert_int_equal(l->n, 2);
    assert_true(l->write[0] && !l->write[1]);
    free(l);

    /* a kind: the action itself, or "KIND." and more; never "users." */
    f = (pk_log_filter){.writes = true, .reads = true, .kind = "user"};
    l = find(s, &f);
    assert_int_equal(l->n, 2);
    assert_string_equal(l->action[0], "user.add");
    assert_string_equal(l->action[1], "user.disable");
    free(l);
    f.kind = "user.add";
    l = find(s, &f);
    assert_int_equal(l->n, 1);
    free(l);
    f.kind = "participant";
    l = find(s, &f);
    assert_int_equal(l->n, 4);
    assert_int_equal(count_action(l, "participant.view"), 2);
    free(l);
    f.kind = "participant.view";
    f.writes = false;
    f.actor = "user:siti";
    l = find(s, &f);
    assert_int_equal(l->n, 1);
    free(l);
    f.kind = "user%"; /* LIKE characters are ordinary */
    f.actor = NULL;
    f.writes = true;
    l = find(s, &f);
    assert_int_equal(l->n, 0);
    free(l);

    /* time: since (inclusive), before (exclusive), prefixes */
    f = (pk_log_filter){.writes = true, .reads = true, .since = third};
    l = find(s, &f);
    assert_int_equal(l->n, 6);
    assert_string_equal(l->action[0], "user.add");
    free(l);
    f.before = sixth;
    l = find(s, &f);
    assert_int_equal(l->n, 3);
    assert_string_equal(l->action[2], "user.disable");
    free(l);
    f = (pk_log_filter){.writes = true, .reads = true, .since = "2999"};
    l = find(s, &f);
    assert_int_equal(l->n, 0);
    free(l);
    f = (pk_log_filter){.writes = true, .reads = true, .before = "2000-01-01"};
    l = find(s, &f);
    assert_int_equal(l->n, 0);
    free(l);

    /* the newest N, oldest first; with filters */
    f = (pk_log_filter){.writes = true, .reads = true, .limit = 3};
    l = find(s, &f);
    assert_int_equal(l->n, 3);
    assert_string_equal(l->action[0], "participant.update");
    assert_string_equal(l->action[2], "users.purge");
    free(l);
    f = (pk_log_filter){.reads = true, .limit = 2, .kind = "participant"};
    l = find(s, &f);
    assert_int_equal(l->n, 2);
    assert_string_equal(l->actor[0], "user:siti");
    assert_string_equal(l->actor[1], "user:budi");
    free(l);
    f.limit = -1;
    l = find(s, &f);
    assert_int_equal(l->n, 2);
    free(l);

    /* stops early with the callback's value */
    l = calloc(1, sizeof(*l));
    l->stop_after = 2;
    assert_int_equal(pk_store_logs_find(s, &all, log_cb, l), 9);
    assert_int_equal(l->n, 2);
    free(l);
}

static pk_user user(const char *name, const char *role)
{
    pk_user u;
    memset(&u, 0, sizeof(u));
    snprintf(u.username, sizeof(u.username), "%s", name);
    snprintf(u.role, sizeof(u.role), "%s", role);
    snprintf(u.pwhash, sizeof(u.pwhash), "$argon2id$v=19$m=65536,t=2,p=1$%s", name);
    return u;
}

/* Each account op given an entry writes it with the change, its subject
 * the row's id; an op that changes nothing writes none. */
static void account_ops_write_their_audit_entry(void **state)
{
    pk_store *s = ST_S(state);
    pk_log_filter writes = {.writes = true};
    pk_audit_entry add = {"cli:root", "cli", "user.add", 0, "username=siti"};
    pk_user u = user("siti", "operator");
    snprintf(u.region, sizeof(u.region), "31.71");
    int64_t id = 0, dup = 0;
    assert_int_equal(pk_store_user_insert(s, &u, &add, &id), 0);
    assert_int_equal(pk_store_user_insert(s, &u, &add, &dup), PK_ECONFLICT);
    logged *l = find(s, &writes);
    assert_int_equal(l->n, 1); /* not the refused insert's */
    assert_string_equal(l->actor[0], "cli:root");
    assert_string_equal(l->place[0], "cli");
    assert_string_equal(l->action[0], "user.add");
    assert_int_equal(l->subject[0], id);
    assert_string_equal(l->detail[0], "username=siti");
    free(l);

    u.id = id;
    u.disabled = 1;
    pk_audit_entry dis = {"cli:ani", "cli", "user.disable", 0, NULL};
    assert_int_equal(pk_store_user_update(s, &u, &dis), 0);
    pk_user gone = u;
    gone.id = id + 1000;
    assert_int_equal(pk_store_user_update(s, &gone, &dis), PK_ENOENT);
    l = find(s, &writes);
    assert_int_equal(l->n, 2);
    assert_string_equal(l->actor[1], "cli:ani");
    assert_string_equal(l->action[1], "user.disable");
    assert_int_equal(l->subject[1], id);
    assert_string_equal(l->detail[1], "");
    free(l);

    uint8_t h[PK_AUTH_HASH_LEN];
    st_auth(h, 7);
    int64_t tid = 0;
    pk_audit_entry tc = {"cli:root", "cli", "token.create", 0, "username=siti"};
    assert_int_equal(pk_store_token_insert(s, h, id, "sync", &tc, &tid), 0);
    pk_audit_entry tr = {"cli:root", "cli", "token.revoke", 0, ""};
    assert_int_equal(pk_store_token_revoke(s, tid, &tr), 0);
    assert_int_equal(pk_store_token_revoke(s, tid, &tr), PK_ENOENT); /* already */
    assert_int_equal(pk_store_token_revoke(s, tid + 1000, &tr), PK_ENOENT);
    pk_log_filter tokens = {.writes = true, .kind = "token"};
    l = find(s, &tokens);
    assert_int_equal(l->n, 2);
    assert_string_equal(l->action[0], "token.create");
    assert_int_equal(l->subject[0], tid);
    assert_string_equal(l->action[1], "token.revoke");
    assert_int_equal(l->subject[1], tid);
    free(l);
    /* without an entry: nothing more */
    assert_int_equal(pk_store_user_update(s, &u, NULL), 0);
    l = find(s, &writes);
    assert_int_equal(l->n, 4);
    free(l);
}

/* Neither log can be changed or emptied behind the store's back. */
static void logs_are_append_only(void **state)
{
    pk_store *s = ST_S(state);
    audit1(s, "cli:root", "cli", "keys.rotate", 0, "generation=2");
    read1(s, "user:siti", "participant.view", 1);
    const st_fx *fx = ST_FX(state);
    assert_int_equal(st_sql_try(fx, "UPDATE audit SET actor = 'cli:other'"), -1);
    assert_int_equal(st_sql_try(fx, "UPDATE audit SET detail = ''"), -1);
    assert_int_equal(st_sql_try(fx, "DELETE FROM audit"), -1);
    assert_int_equal(st_sql_try(fx, "UPDATE access_log SET actor = 'user:other'"), -1);
    assert_int_equal(st_sql_try(fx, "DELETE FROM access_log"), -1);
    if (st_pg) {
        assert_int_equal(st_sql_try(fx, "TRUNCATE audit"), -1);
        assert_int_equal(st_sql_try(fx, "TRUNCATE access_log"), -1);
    }
    pk_log_filter all = {.writes = true, .reads = true};
    logged *l = find(s, &all);
    assert_int_equal(l->n, 2);
    assert_string_equal(l->actor[0], "cli:root");
    assert_string_equal(l->detail[0], "generation=2");
    free(l);
    /* appending still works */
    audit1(s, "cli:root", "cli", "keys.prune", 0, "removed=1");
    l = find(s, &all);
    assert_int_equal(l->n, 3);
    free(l);
}

static const struct CMUnitTest tests[] = {
    ST_TEST(logs_find_merges_and_filters),
    ST_TEST(account_ops_write_their_audit_entry),
    ST_TEST(logs_are_append_only),
};
const st_division st_logs = {tests, sizeof(tests) / sizeof(tests[0])};
