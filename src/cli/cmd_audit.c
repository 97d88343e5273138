/* cmd_audit.c -- `prakerja audit`: the audit log (writes) and the access
 * log (reads of personal data, exports, refused reads) as JSON lines,
 * oldest first, each with "log": "write" or "read"; filtered by log, actor,
 * kind of action and time.  With --sweeps, the accounts that asked for
 * many records that did not exist for them. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "app/access_log.h"
#include "cli/cli.h"
#include "core/pk.h"

/* One JSON line on standard output; takes o. */
static int print_line(json_t *o)
{
    return cli_json_line(o) == 0 ? 0 : PK_EIO;
}

static int print_entry(void *ctx, const pk_logs_entry *e)
{
    (*(long *)ctx)++;
    return print_line(json_pack("{s:s, s:I, s:s, s:s, s:s, s:s, s:o, s:s}", "log",
                                e->write ? "write" : "read", "id", (json_int_t)e->id, "at",
                                e->at, "actor", e->actor, "action", e->action,
                                e->write ? "source" : "route", e->write ? e->source : e->route,
                                "subject",
                                e->subject > 0 ? json_integer(e->subject) : json_null(),
                                "detail", e->detail));
}

static int print_sweeps(pk_app *app, const char *since, long long threshold)
{
    static pk_sweep found[256];
    size_t n = 0;
    int rc = pk_access_log_sweeps(app, since, threshold, found, PK_ARRAY_LEN(found), &n);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = print_line(json_pack("{s:s, s:I, s:s, s:s}", "actor", found[i].actor, "notfound",
                                  (json_int_t)found[i].notfound, "first", found[i].first,
                                  "last", found[i].last));
    return rc;
}

static bool is_date(const char *d)
{
    pk_date day;
    return d == NULL || (strlen(d) == 10 && pk_date_parse(d, 10, &day) == 0);
}

int cli_audit(const cli_cmd *c, cli_args *a)
{
    (void)c;
    const char *since = cli_opt(a, "since"), *until = cli_opt(a, "until");
    const char *given = cli_opt(a, "limit"), *thr = cli_opt(a, "threshold");
    const char *user = cli_opt(a, "user"), *kind = cli_opt(a, "kind");
    bool sweeps = cli_flag(a, "sweeps"), writes = cli_flag(a, "writes"),
         reads = cli_flag(a, "reads");
    char *end = NULL, *tend = NULL;
    long long limit = given ? strtoll(given, &end, 10) : 0;
    long long threshold = thr ? strtoll(thr, &tend, 10) : 20;
    bool filters = given || until || user || kind || writes || reads;
    const char *why = NULL;
    if (a->npos != 0)
        why = "unexpected argument";
    else if (!is_date(since) || !is_date(until))
        why = "--since and --until are days, YYYY-MM-DD";
    else if (given && (*end != '\0' || limit <= 0))
        why = "--limit must be a whole number above 0";
    else if (thr && (*tend != '\0' || threshold <= 0))
        why = "--threshold must be a whole number above 0";
    else if (thr && !sweeps)
        why = "--threshold goes with --sweeps";
    else if (filters && sweeps)
        why = "--sweeps takes only --since and --threshold";
    else if ((user && user[0] == '\0') || (kind && kind[0] == '\0'))
        why = "--user and --kind need a value";
    if (why != NULL) {
        fprintf(stderr, "prakerja audit: %s\nusage: prakerja audit [--writes] [--reads] [--user U] "
                        "[--kind K] [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--limit N] | "
                        "--sweeps [--since YYYY-MM-DD] [--threshold N]\n", why);
        return 2;
    }
    pk_app app;
    if (cli_open_app(&app, &a->cfg) != 0)
        return 1;
    long n = 0;
    pk_logs_query q = {.writes = writes, .reads = reads, .user = user, .kind = kind,
                       .since = since, .until = until, .limit = (int64_t)limit};
    int rc = sweeps ? print_sweeps(&app, since ? since : "", threshold)
                    : pk_logs_each(&app, &q, print_entry, &n);
    pk_app_close(&app);
    if (rc != 0 || fflush(stdout) != 0) {
        fprintf(stderr, "prakerja audit: cannot read the logs\n");
        return 1;
    }
    return 0;
}
