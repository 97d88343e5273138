/* cmd_remind.c -- the reminders' commands (app/remind.h):
 * `prakerja remind plan|run [--date YYYY-MM-DD]`, the day's reminders
 * (JSON lines, then a summary line), `prakerja remind send` (the messages
 * due now), and
 * `prakerja consent stop|start --nik NIK --purpose program|informasi`,
 * the staff action on consent.  One JSON line on stdout, errors as one
 * sentence on stderr (never the NIK). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/operator.h"
#include "app/remind.h"
#include "cli/cli.h"
#include "core/median.h"

int cli_consent(const cli_cmd *c, cli_args *a)
{
    (void)c;
    const char *sub = a->sub->name;
    if (a->npos != 0) {
        fprintf(stderr, "prakerja consent %s: unexpected argument\n", sub);
        return 2;
    }
    char nikbuf[64];
    const char *nik = cli_nik_opt(a, nikbuf, sizeof nikbuf), *purpose = cli_opt(a, "purpose");
    if (nik == NULL || purpose == NULL) {
        fprintf(stderr, "prakerja consent %s: --nik and --purpose are required\n", sub);
        return 2;
    }
    pk_consent_req r = {.nik = nik,
                        .purpose = pk_purpose_by_name(purpose),
                        .stop = strcmp(sub, "stop") == 0,
                        .channel = "staff",
                        .source = "cli"};
    if (r.purpose == PK_PURPOSE__COUNT) {
        fprintf(stderr, "prakerja consent %s: --purpose is program or informasi\n", sub);
        return 2;
    }
    pk_app app;
    if (cli_open_app(&app, &a->cfg) != 0)
        return 1;
    char actor[PK_ACTOR_MAX], err[256] = "";
    cli_actor(actor, sizeof(actor));
    r.actor = actor;
    bool changed = false;
    int64_t id = 0;
    int rc = pk_consent_change(&app, &r, &changed, &id, err, sizeof(err));
    pk_app_close(&app);
    if (rc != 0) {
        fprintf(stderr, "prakerja consent %s: %s\n", sub, err[0] ? err : "failed");
        return rc == PK_EINVAL ? 2 : 1;
    }
    printf("{\"participant\":%lld,\"purpose\":\"%s\",\"stopped\":%s,\"changed\":%s}\n",
           (long long)id, pk_purpose_name(r.purpose), r.stop ? "true" : "false",
           changed ? "true" : "false");
    return fflush(stdout) == 0 ? 0 : 1;
}

/* ---- remind plan|run --date YYYY-MM-DD ---- */

static int plan_line(void *ctx, const pk_plan_line *l)
{
    (void)ctx;
    char anchor[32], send_at[32] = "";
    pk_instant_format(l->anchor, anchor);
    if (l->send_at != 0)
        pk_instant_format(l->send_at, send_at);
    /* every value is plain: digits, rule ids, instants, channel names
     * and reasons written by remind_plan.c (no quote, no backslash) */
    char k[24] = "null";
    if (l->k > 0)
        snprintf(k, sizeof k, "%lld", (long long)l->k);
    printf("{\"nik\":\"%s\",\"rule\":\"%s\",\"anchor\":\"%s\",\"k\":%s,\"status\":\"%s\","
           "\"channel\":%s%s%s,\"send_at\":%s%s%s,\"reason\":\"%s\"}\n",
           l->nik, l->rule, anchor, k, pk_fire_status_name(l->status),
           l->channel ? "\"" : "", l->channel ? l->channel : "null", l->channel ? "\"" : "",
           send_at[0] ? "\"" : "", send_at[0] ? send_at : "null", send_at[0] ? "\"" : "",
           l->reason);
    return ferror(stdout) ? PK_EIO : 0;
}

static void print_counts(const int64_t *n)
{
    putchar('{');
    for (int s = 0; s < PK_FS__COUNT; s++)
        if (s != PK_FS_KONTROL || n[s] > 0) /* the spec's five; kontrol with a hold-out */
            printf("%s\"%s\":%lld", s ? "," : "", pk_fire_status_name((pk_fire_status)s),
                   (long long)n[s]);
    putchar('}');
}

/* ,"quiet_until":INSTANT when the quiet hours held every message back
 * (nothing handed over: they go at that instant, the hours' end) */
static void print_quiet(int64_t until)
{
    char at[32];
    if (until == 0)
        return;
    pk_instant_format(until, at);
    printf(",\"quiet_until\":\"%s\"", at);
}

/* remind send: the messages due now, as serve does between runs */
static int remind_send(cli_args *a)
{
    if (a->npos != 0) {
        fprintf(stderr, "prakerja remind send: unexpected argument\n");
        return 2;
    }
    pk_app app;
    if (cli_open_app(&app, &a->cfg) != 0)
        return 1;
    pk_remind_summary sum;
    char err[256] = "";
    int rc = pk_remind_send(&app, (int64_t)time(NULL), &sum, err, sizeof err);
    pk_app_close(&app);
    if (rc != 0) {
        fprintf(stderr, "prakerja remind send: %s\n", err[0] ? err : "failed");
        return rc == PK_EINVAL ? 2 : 1;
    }
    printf("{\"sent\":%lld,\"failed\":%lld,\"uncertain\":%lld,\"retrying\":%lld,"
           "\"cancelled\":%lld",
           (long long)sum.sent, (long long)sum.failed, (long long)sum.uncertain,
           (long long)sum.retrying, (long long)sum.cancelled);
    print_quiet(sum.quiet_until);
    printf("}\n");
    return fflush(stdout) == 0 ? 0 : 1;
}

/* remind effect: per rule, reminded / held out / not reminded */
static void print_cell(const char *name, const pk_remind_effect_cell *c)
{
    printf(",\"%s\":{\"people\":%lld,\"revoked\":%lld,\"bought\":%lld,"
           "\"median_days_to_purchase\":",
           name, (long long)c->people, (long long)c->revoked, (long long)c->bought);
    char m[32];
    pk_median_format(c->median_days, '.', m);
    printf("%s}", c->median_days < 0 ? "null" : m);
}

static int remind_effect(cli_args *a)
{
    pk_app app;
    if (cli_open_app(&app, &a->cfg) != 0)
        return 1;
    pk_remind_effect *e = malloc(sizeof *e);
    char err[256] = "";
    int rc = e ? pk_remind_effect_of(&app, "", cli_opt(a, "region"), e, err, sizeof err)
               : PK_ENOMEM;
    pk_app_close(&app);
    if (rc != 0) {
        fprintf(stderr, "prakerja remind effect: %s\n",
                err[0] ? err : "out of memory");
        free(e);
        return rc == PK_EINVAL ? 2 : 1;
    }
    for (size_t r = 0; r < e->nrules; r++) {
        printf("{\"rule\":\"%s\"", e->rules[r].rule);
        print_cell("reminded", &e->rules[r].group[PK_EFF_DIINGATKAN]);
        print_cell("held_out", &e->rules[r].group[PK_EFF_KONTROL]);
        print_cell("not_reminded", &e->rules[r].group[PK_EFF_TIDAK]);
        printf("}\n");
    }
    printf("{\"hold_out_percent\":%u.%04u,\"hold_out_seed\":%s%s%s}\n",
           (unsigned)(e->control_ppm / 10000), (unsigned)(e->control_ppm % 10000),
           e->control_seed[0] ? "\"" : "", e->control_seed[0] ? e->control_seed : "null",
           e->control_seed[0] ? "\"" : "");
    free(e);
    return fflush(stdout) == 0 ? 0 : 1;
}

int cli_remind(const cli_cmd *c, cli_args *a)
{
    (void)c;
    const char *sub = a->sub->name;
    bool run = strcmp(sub, "run") == 0;
    if (a->npos != 0) {
        fprintf(stderr, "prakerja remind %s: unexpected argument\n", sub);
        return 2;
    }
    if (strcmp(sub, "send") == 0)
        return remind_send(a);
    if (strcmp(sub, "effect") == 0)
        return remind_effect(a);
    pk_date day;
    char what[32];
    snprintf(what, sizeof what, "prakerja remind %s", sub);
    if (cli_day_opt(a, what, &day) != 0)
        return 2;
    pk_app app;
    if (cli_open_app(&app, &a->cfg) != 0)
        return 1;
    char actor[PK_ACTOR_MAX], err[256] = "";
    cli_actor(actor, sizeof(actor));
    /* The plan's lines carry every person's whole NIK: a read of personal
     * data, recorded first by pk_remind_day (the route), or not run. */
    char route[32];
    snprintf(route, sizeof route, "cli remind %s", sub);
    pk_remind_summary sum;
    pk_remind_req q = {.day = day, .run = run, .now = (int64_t)time(NULL), .actor = actor,
                       .source = "cli", .route = route, .line = plan_line};
    int rc = pk_remind_day(&app, &q, &sum, err, sizeof err);
    pk_remind_rules rules;
    char rerr[8];
    bool have_rules = rc == 0 && pk_remind_rules_load(&app.cfg, &rules, rerr, sizeof rerr) == 0;
    pk_app_close(&app);
    if (rc != 0) {
        fflush(stdout);
        fprintf(stderr, "prakerja remind %s: %s\n", sub, err[0] ? err : "failed");
        return rc == PK_EINVAL ? 2 : 1;
    }
    char d[11];
    pk_date_format(day, d);
    printf("{\"date\":\"%s\",\"people\":%lld,\"status\":", d, (long long)sum.people);
    print_counts(sum.status);
    printf(",\"rule\":{");
    for (size_t r = 0; have_rules && r < rules.count; r++) {
        printf("%s\"%s\":", r ? "," : "", rules.items[r].id);
        print_counts(sum.rule_status[r]);
    }
    printf("}");
    if (run) {
        printf(",\"queued\":%lld,\"sent\":%lld,\"failed\":%lld,\"uncertain\":%lld,"
               "\"retrying\":%lld,\"cancelled\":%lld",
               (long long)sum.queued, (long long)sum.sent, (long long)sum.failed,
               (long long)sum.uncertain, (long long)sum.retrying, (long long)sum.cancelled);
        print_quiet(sum.quiet_until);
    }
    printf("}\n");
    return fflush(stdout) == 0 ? 0 : 1;
}
