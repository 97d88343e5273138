/* cmd_outreach.c -- `prakerja outreach create|list|show|attendance`
 * (app/outreach.h): outreach events from the command line, one JSON line
 * each on stdout (its short link included), errors as one sentence on
 * stderr.  The command line acts for the whole service area (like
 * `wave`), audited as cli:UNIXUSER. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "app/operator.h"
#include "app/outreach.h"
#include "cli/cli.h"

/* what --id is, for cli_number_opt */
static const char EVENT_N[] = "the event's number (prakerja outreach list)";

static int fail(const char *cmd, int rc, const char *err)
{
    fprintf(stderr, "prakerja %s: %s\n", cmd,
            err[0] ? err : rc == PK_ENOENT ? "no such event" : "database error");
    return rc == PK_EINVAL || rc == PK_ENOENT ? 2 : 1;
}

static int outreach_create(cli_args *a)
{
    static const char *need[] = {"kind", "title", "starts", "place", "village", "organiser"};
    for (size_t i = 0; i < PK_ARRAY_LEN(need); i++)
        if (cli_opt(a, need[i]) == NULL) {
            fprintf(stderr, "prakerja outreach create: --%s is required (see 'prakerja "
                            "outreach create --help')\n", need[i]);
            return 2;
        }
    pk_outreach_input in = {.kind = cli_opt(a, "kind"), .title = cli_opt(a, "title"),
                            .starts_at = cli_opt(a, "starts"), .place = cli_opt(a, "place"),
                            .village = cli_opt(a, "village"),
                            .organiser = cli_opt(a, "organiser"),
                            .segment = cli_opt(a, "segment")};
    pk_app app;
    if (cli_open_app(&app, &a->cfg) != 0)
        return 1;
    char actor[PK_ACTOR_MAX], err[256] = "";
    cli_actor(actor, sizeof(actor));
    pk_outreach e;
    int rc = pk_outreach_create(&app, &in, actor, NULL, &e, NULL, err, sizeof(err));
    json_t *j = rc == 0 ? pk_outreach_json(&app, &e) : NULL;
    pk_app_close(&app);
    if (rc != 0)
        return fail("outreach create", rc, err);
    return cli_json_line(j);
}

typedef struct list_ctx {
    const pk_app *app;
    int rc;
} list_ctx;

static int list_one(void *ctx, const pk_outreach *e)
{
    list_ctx *l = ctx;
    l->rc = cli_json_line(pk_outreach_json(l->app, e));
    return l->rc == 0 ? 0 : PK_EIO;
}

static int outreach_list(cli_args *a)
{
    bool upcoming = cli_flag(a, "upcoming"), past = cli_flag(a, "past");
    if (upcoming && past) {
        fprintf(stderr, "prakerja outreach list: give --upcoming or --past, not both\n");
        return 2;
    }
    const char *region = cli_opt(a, "region");
    pk_app app;
    if (cli_open_app(&app, &a->cfg) != 0)
        return 1;
    list_ctx l = {&app, 0};
    int rc = pk_outreach_list(&app, NULL, region,
                              upcoming ? PK_OUTREACH_UPCOMING
                              : past   ? PK_OUTREACH_PAST
                                       : PK_OUTREACH_ALL,
                              0, list_one, &l);
    pk_app_close(&app);
    if (rc == PK_EINVAL || rc == PK_ENOENT) {
        fprintf(stderr, "prakerja outreach list: --region must be a known region code "
                        "(e.g. 31.74 or 31.74.01.1001)\n");
        return 2;
    }
    if (rc != 0) {
        if (l.rc == 0)
            fprintf(stderr, "prakerja outreach list: database error\n");
        return 1;
    }
    return 0;
}

static int outreach_show(cli_args *a)
{
    int64_t id;
    if (cli_number_opt(a, "id", "outreach show", EVENT_N, &id) != 0)
        return 2;
    pk_app app;
    if (cli_open_app(&app, &a->cfg) != 0)
        return 1;
    pk_outreach e;
    int rc = pk_outreach_get(&app, id, NULL, &e);
    json_t *j = rc == 0 ? pk_outreach_json(&app, &e) : NULL;
    pk_app_close(&app);
    if (rc != 0)
        return fail("outreach show", rc, "");
    return cli_json_line(j);
}

static int outreach_attendance(cli_args *a)
{
    int64_t id;
    if (cli_number_opt(a, "id", "outreach attendance", EVENT_N, &id) != 0)
        return 2;
    const char *count = cli_opt(a, "count");
    if (count == NULL || count[0] == '\0') {
        fprintf(stderr, "prakerja outreach attendance: --count N is required\n");
        return 2;
    }
    pk_app app;
    if (cli_open_app(&app, &a->cfg) != 0)
        return 1;
    char actor[PK_ACTOR_MAX], err[256] = "";
    cli_actor(actor, sizeof(actor));
    pk_outreach_input in = {.attendance = count};
    pk_outreach e;
    int rc = pk_outreach_update(&app, id, &in, actor, NULL, &e, NULL, err, sizeof(err));
    if (rc == 0)
        rc = pk_outreach_get(&app, id, NULL, &e); /* with its counts */
    json_t *j = rc == 0 ? pk_outreach_json(&app, &e) : NULL;
    pk_app_close(&app);
    if (rc != 0)
        return fail("outreach attendance", rc, err);
    return cli_json_line(j);
}

int cli_outreach(const cli_cmd *c, cli_args *a)
{
    (void)c;
    if (a->npos != 0) {
        fprintf(stderr, "prakerja outreach %s: unexpected argument\n", a->sub->name);
        return 2;
    }
    if (cli_sub_is(a, "create"))
        return outreach_create(a);
    if (cli_sub_is(a, "list"))
        return outreach_list(a);
    if (cli_sub_is(a, "show"))
        return outreach_show(a);
    return outreach_attendance(a);
}
