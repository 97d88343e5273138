/* cmd_platform.c -- the digital platforms from the command line:
 * `prakerja platform add|rotate|disable|list` (app/platform.h), and their
 * training catalogue: `prakerja import courses FILE` (app/catalogue.h).  A new
 * secret is printed once, on stdout, and never stored in clear. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "app/catalogue.h"
#include "app/operator.h"
#include "app/platform.h"
#include "cli/cli.h"
#include "core/pk.h"

static int print_platform_cb(void *ctx, const pk_platform_info *p)
{
    (void)ctx;
    json_t *j = json_pack("{s:s, s:s, s:b, s:s}", "code", p->code, "name", p->name, "disabled",
                          p->disabled, "created_at", p->created_at);
    return cli_json_line(j) == 0 ? 0 : PK_EIO;
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

/* ---- import courses ------------------------------------------------------- */

int cli_import_courses(cli_args *a)
{
    const char *rejects = cli_opt(a, "rejects");
    if (a->npos != 1) {
        fprintf(stderr, "prakerja import courses: give exactly one FILE ('-' for stdin)\n");
        return 2;
    }
    int status = 1, fd = cli_open_input(a->pos[0]); /* the file first, as for the other imports */
    if (fd < 0)
        return 1;
    pk_app app;
    if (cli_open_app(&app, &a->cfg) != 0) {
        close(fd);
        return 1;
    }
    FILE *rf = NULL;
    if (rejects != NULL && (rf = cli_open_rejects(rejects)) == NULL)
        goto out;
    char err[512] = "", actor[PK_ACTOR_MAX];
    cli_actor(actor, sizeof(actor));
    pk_course_summary sum;
    int rc = pk_catalogue_import(&app, fd, actor, rf, &sum, err, sizeof(err));
    if (rc != 0) {
        fprintf(stderr, "prakerja: import courses %s: %s\n",
                rc == PK_EINVAL ? "refused" : "failed", err);
        goto out;
    }
    printf("{\"rows\":%ld,\"inserted\":%ld,\"updated\":%ld,\"unchanged\":%ld,\"rejected\":%ld}\n",
           sum.rows, sum.inserted, sum.updated, sum.unchanged, sum.rejected);
    fprintf(stderr, "prakerja: import courses: %ld rows: %ld new, %ld changed, %ld unchanged, "
                    "%ld rejected%s\n",
            sum.rows, sum.inserted, sum.updated, sum.unchanged, sum.rejected,
            sum.rejected > 0 && rf == NULL ? " (run again with --rejects FILE to see why)" : "");
    status = 0;
out:
    if (fd >= 0)
        close(fd);
    if (rf != NULL && fclose(rf) != 0) {
        fprintf(stderr, "prakerja: cannot write %s\n", rejects);
        status = 1;
    }
    pk_app_close(&app);
    return status;
}
