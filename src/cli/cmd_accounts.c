/* cmd_accounts.c -- staff accounts from the command line: `prakerja user
 * add|passwd|disable|enable|list|unlock` and `prakerja token
 * create|revoke|list`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "app/auth.h"
#include "app/operator.h"
#include "cli/cli.h"
#include "core/pk.h"

/* A password: the first line of stdin (--password-stdin), or typed twice
 * at a prompt on the terminal with echo off.  Never a flag: flags show in
 * `ps` and shell history. */
static int read_password(bool from_stdin, char *out, size_t cap)
{
    if (from_stdin) {
        if (fgets(out, (int)cap, stdin) == NULL) {
            fprintf(stderr, "prakerja: no password on standard input\n");
            return -1;
        }
        size_t n = strcspn(out, "\r\n");
        if (out[n] == '\0' && !feof(stdin)) {
            fprintf(stderr, "prakerja: password too long (at most %d bytes)\n", PK_PASSWORD_MAX);
            return -1;
        }
        out[n] = '\0';
        return 0;
    }
    if (!isatty(STDIN_FILENO)) {
        fprintf(stderr, "prakerja: standard input is not a terminal: use --password-stdin\n");
        return -1;
    }
    char again[PK_PASSWORD_MAX + 2];
    struct termios old, quiet;
    tcgetattr(STDIN_FILENO, &old);
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    fprintf(stderr, "New password: ");
    bool ok = fgets(out, (int)cap, stdin) != NULL;
    fprintf(stderr, "\nRepeat it: ");
    ok = ok && fgets(again, sizeof(again), stdin) != NULL;
    fprintf(stderr, "\n");
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    if (!ok)
        return -1;
    out[strcspn(out, "\r\n")] = '\0';
    again[strcspn(again, "\r\n")] = '\0';
    ok = strcmp(out, again) == 0;
    sodium_memzero(again, sizeof(again));
    if (!ok) {
        fprintf(stderr, "prakerja: the two passwords differ\n");
        return -1;
    }
    return 0;
}

/* ---- user -------------------------------------------------------------- */

static void print_account(const pk_account *u)
{
    json_t *j = json_pack("{s:I, s:s, s:s, s:s?, s:b, s:s}", "id", (json_int_t)u->id,
                          "username", u->username, "role", u->role, "region",
                          u->region[0] ? u->region : NULL, "disabled", (int)u->disabled,
                          "created_at", u->created_at);
    (void)cli_json_line(j);
}

static int print_account_cb(void *ctx, const pk_account *u)
{
    (void)ctx;
    print_account(u);
    return 0;
}

/* "N failed logins of the last 15 minutes cleared". */
static void print_unlock(const char *username, int64_t cleared, int window)
{
    char span[48];
    if (window % 60 == 0)
        snprintf(span, sizeof(span), "%d minute%s", window / 60, window == 60 ? "" : "s");
    else
        snprintf(span, sizeof(span), "%d second%s", window, window == 1 ? "" : "s");
    if (cleared == 0)
        printf("%s unlocked: no failed logins in the last %s\n", username, span);
    else
        printf("%s unlocked: %lld failed login%s of the last %s cleared (the account's back-off "
               "and its lock at every address; other accounts' failures still count toward "
               "an address's limit)\n",
               username, (long long)cleared, cleared == 1 ? "" : "s", span);
}

int cli_user(const cli_cmd *c, cli_args *a)
{
    const char *sub = a->sub->name, *username = cli_opt(a, "username");
    bool add = cli_sub_is(a, "add"), list = cli_sub_is(a, "list");
    bool unlock = cli_sub_is(a, "unlock");
    if (unlock && username == NULL && a->npos == 1) { /* `user unlock NAME` */
        username = a->pos[0];
        a->npos = 0;
    }
    if (a->npos != 0 || (!list && username == NULL) || (add && cli_opt(a, "role") == NULL)) {
        fprintf(stderr, "prakerja user %s: %s\n", sub,
                a->npos ? "unexpected argument"
                        : add ? "needs --username U --role R" : "needs --username U");
        return 2;
    }
    /* The database first: a wrong --db is told before the password is asked. */
    pk_app app;
    if (cli_open_app(&app, &a->cfg) != 0)
        return 1;
    char password[PK_PASSWORD_MAX + 2] = "";
    if ((add || cli_sub_is(a, "passwd")) &&
        read_password(cli_flag(a, "password_stdin"), password, sizeof(password)) != 0) {
        pk_app_close(&app);
        return 2;
    }
    char err[256] = "", actor[PK_ACTOR_MAX];
    cli_actor(actor, sizeof(actor));
    int rc = 0;
    if (add) {
        int64_t id;
        rc = pk_auth_user_create(&app, actor, username, cli_opt(a, "role"), cli_opt(a, "region"),
                                 password, &id, err, sizeof(err));
        pk_account u;
        if (rc == 0 && pk_auth_user_get(&app, username, &u) == 0)
            print_account(&u);
    } else if (unlock) {
        int64_t cleared = 0;
        rc = pk_auth_user_unlock(&app, actor, username, &cleared, err, sizeof(err));
        if (rc == 0)
            print_unlock(username, cleared, app.cfg.login_window);
    } else if (cli_sub_is(a, "passwd")) {
        rc = pk_auth_user_passwd(&app, actor, username, password, err, sizeof(err));
        if (rc == 0)
            printf("password of %s changed; their sessions ended\n", username);
    } else if (!list) {
        bool off = cli_sub_is(a, "disable");
        rc = pk_auth_user_set_disabled(&app, actor, username, off, err, sizeof(err));
        if (rc == 0)
            printf("%s %s\n", username,
                   off ? "disabled: their sessions ended, their API tokens are refused until "
                         "enabled again (prakerja token revoke ends one for good)"
                       : "enabled: their API tokens not revoked are accepted again");
    } else {
        rc = pk_auth_users_each(&app, print_account_cb, NULL);
        if (rc != 0)
            snprintf(err, sizeof(err), "cannot read users");
    }
    sodium_memzero(password, sizeof(password));
    pk_app_close(&app);
    if (rc != 0) {
        fprintf(stderr, "prakerja user %s: %s\n", sub, err);
        return 1;
    }
    return 0;
}

/* ---- token ------------------------------------------------------------- */

static int print_token_cb(void *ctx, const pk_token_entry *t)
{
    (void)ctx;
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s?}", "id", (json_int_t)t->id, "username",
                          t->username, "label", t->label, "created_at", t->created_at,
                          "revoked_at", t->revoked_at);
    return cli_json_line(j) == 0 ? 0 : PK_EIO;
}

static int token_list(cli_args *a)
{
    const char *username = cli_opt(a, "username") ? cli_opt(a, "username") : cli_opt(a, "user");
    if (a->npos != 0) {
        fprintf(stderr, "prakerja token list: unexpected argument\n");
        return 2;
    }
    pk_app app;
    if (cli_open_app(&app, &a->cfg) != 0)
        return 1;
    char err[256] = "";
    int rc = pk_auth_tokens_each(&app, username, print_token_cb, NULL, err, sizeof(err));
    pk_app_close(&app);
    if (rc != 0) {
        fprintf(stderr, "prakerja token list: %s\n", err[0] ? err : "cannot print the tokens");
        return 1;
    }
    return 0;
}

int cli_token(const cli_cmd *c, cli_args *a)
{
    if (cli_sub_is(a, "list"))
        return token_list(a);
    const char *sub = a->sub->name, *username = cli_opt(a, "username"), *given = cli_opt(a, "id");
    bool create = cli_sub_is(a, "create");
    char *end = NULL;
    long long id = given ? strtoll(given, &end, 10) : 0;
    if (a->npos != 0 || (create && username == NULL) ||
        (!create && (given == NULL || *end != '\0' || id <= 0))) {
        fprintf(stderr, "prakerja token %s: %s\n", sub,
                create ? "needs --username U" : "needs --id N (a positive number)");
        return 2;
    }
    pk_app app;
    if (cli_open_app(&app, &a->cfg) != 0)
        return 1;
    int rc;
    char err[256] = "", actor[PK_ACTOR_MAX];
    cli_actor(actor, sizeof(actor));
    if (create) {
        char token[PK_SECRET_TEXT];
        int64_t tid;
        rc = pk_auth_token_create(&app, actor, username, cli_opt(a, "label"), token, &tid, err,
                                  sizeof(err));
        if (rc == 0) {
            printf("{\"id\":%lld,\"username\":\"%s\",\"token\":\"%s\"}\n", (long long)tid,
                   username, token);
            fprintf(stderr, "prakerja: the token is shown only this once; keep it secret\n");
        }
        sodium_memzero(token, sizeof(token));
    } else {
        rc = pk_auth_token_revoke(&app, actor, (int64_t)id);
        if (rc == PK_ENOENT)
            snprintf(err, sizeof(err), "no active token %lld", id);
        else if (rc != 0)
            snprintf(err, sizeof(err), "cannot revoke the token");
        else
            printf("token %lld revoked\n", id);
    }
    pk_app_close(&app);
    if (rc != 0) {
        fprintf(stderr, "prakerja token %s: %s\n", sub, err);
        return 1;
    }
    return 0;
}
