/* cmd_jobs.c -- `prakerja jobs run [--date YYYY-MM-DD]` (app/jobs.h): one
 * JSON line on stdout, errors as one sentence on stderr. */
#include <stdio.h>
#include <string.h>

#include "app/jobs.h"
#include "app/operator.h"
#include "cli/cli.h"
#include "core/date.h"

int cli_jobs(const cli_cmd *c, cli_args *a)
{
    (void)c;
    if (a->npos != 0) {
        fprintf(stderr, "prakerja jobs run: unexpected argument\n");
        return 2;
    }
    pk_date day;
    if (cli_day_opt(a, "prakerja jobs run", &day) != 0)
        return 2;
    pk_app app;
    if (cli_open_app(&app, &a->cfg) != 0)
        return 1;
    char actor[PK_ACTOR_MAX], err[256] = "";
    cli_actor(actor, sizeof(actor));
    pk_jobs_summary s;
    int rc = pk_jobs_run(&app, day, actor, &s, err, sizeof(err));
    pk_app_close(&app);
    if (rc != 0) {
        fprintf(stderr, "prakerja jobs run: %s\n", err[0] ? err : "failed");
        return rc == PK_EINVAL ? 2 : 1;
    }
    char first[11], last[11];
    pk_date_format(s.first, first);
    pk_date_format(s.last, last);
    if (s.engine)
        printf("{\"mode\":\"engine\",\"from\":\"%s\",\"to\":\"%s\",\"days\":%ld,\"revoked\":%lld,"
               "\"lapsed\":%lld,\"amount_lapsed\":%lld,\"skipped\":%lld,\"unknown_waves\":%lld}\n",
               first, last, s.days, (long long)s.revoked, (long long)s.lapsed,
               (long long)s.amount_lapsed, (long long)s.skipped, (long long)s.unknown_waves);
    else
        printf("{\"mode\":\"mirror\",\"from\":\"%s\",\"to\":\"%s\",\"days\":%ld,\"revoked\":0,"
               "\"lapsed\":0,\"amount_lapsed\":0,\"due\":{\"revoke\":%lld,\"lapse\":%lld,"
               "\"amount\":%lld},\"unknown_waves\":%lld}\n",
               first, last, s.days, (long long)s.due_revoke, (long long)s.due_lapse,
               (long long)s.due_amount, (long long)s.unknown_waves);
    return fflush(stdout) == 0 ? 0 : 1;
}
