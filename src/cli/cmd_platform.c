/* cmd_platform.c -- the digital platforms from the command line:
 * `prakerja platform add|rotate|disable|list` (app/platform.h).  A new
 * secret is printed once, on stdout, and never stored in clear. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "app/operator.h"
#include "app/platform.h"
#include "cli/cli.h"
#include "core/pk.h"

static int print_platform_cb(void *ctx, const pk_platform_info *p)
{
    (void)ctx;
    json_t *j = json_pack("{s:s, s:s, s:b, s:s}", "code", p->code, "name", p->name, "disabled",
                          p->disabled, "created_at", p->created_at);
    char *out = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    if (out)
        puts(out);
    free(out);
    json_decref(j);
    return out ? 0 : PK_ENOMEM;
}

/* {"code":..., "secret":...} on stdout, and the warning on stderr. */
static void print_secret(const char *code, const char *secret)
{
    json_t *j = json_pack("{s:s, s:s}", "code", code, "secret", secret);
    char *out = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    if (out) {
        puts(out);
        sodium_memzero(out, strlen(out));
    }
    free(out);
    json_decref(j);
    fprintf(stderr, "prakerja: the secret is shown only this once; hand it to the platform "
                    "over a safe channel\n");
}

int cli_platform(const cli_cmd *c, cli_args *a)
{
    (void)c;
    const char *sub = a->sub->name, *code = cli_opt(a, "code"), *name = cli_opt(a, "name");
    bool list = cli_sub_is(a, "list"), add = cli_sub_is(a, "add");
    if (a->npos != 0) {
        fprintf(stderr, "prakerja platform %s: unexpected argument '%s'\n", sub, a->pos[0]);
        return 2;
    }
    if (!list && (code == NULL || (add && name == NULL))) {
        fprintf(stderr, "prakerja platform %s: needs %s\n", sub,
                add ? "--code X and --name NAME" : "--code X");
        return 2;
    }
    pk_app app;
    if (cli_open_app(&app, &a->cfg) != 0)
        return 1;
    char err[256] = "", actor[PK_ACTOR_MAX], secret[PK_PLATFORM_SECRET_TEXT];
    cli_actor(actor, sizeof(actor));
    int rc;
    if (list) {
        rc = pk_platform_list(&app, print_platform_cb, NULL);
        if (rc != 0)
            snprintf(err, sizeof(err), "cannot read the platforms");
    } else if (add || cli_sub_is(a, "rotate")) {
        rc = add ? pk_platform_add(&app, actor, code, name, secret, err, sizeof(err))
                 : pk_platform_rotate(&app, actor, code, secret, err, sizeof(err));
        if (rc == 0)
            print_secret(code, secret);
        sodium_memzero(secret, sizeof(secret));
    } else {
        rc = pk_platform_disable(&app, actor, code, err, sizeof(err));
        if (rc == 0)
            printf("platform %s disabled: its requests are refused\n", code);
    }
    pk_app_close(&app);
    if (rc != 0) {
        fprintf(stderr, "prakerja platform %s: %s\n", sub, err);
        return 1;
    }
    return 0;
}
