/* cmd_remind.c -- the reminders' commands (app/remind.h):
 * `prakerja consent stop|start --nik NIK --purpose program|informasi`,
 * the staff action on consent.  One JSON line on stdout, errors as one
 * sentence on stderr (never the NIK). */
#include <stdio.h>
#include <string.h>

#include "app/operator.h"
#include "app/remind.h"
#include "cli/cli.h"

int cli_consent(const cli_cmd *c, cli_args *a)
{
    (void)c;
    const char *sub = a->sub->name;
    if (a->npos != 0) {
        fprintf(stderr, "prakerja consent %s: unexpected argument\n", sub);
        return 2;
    }
    const char *nik = cli_opt(a, "nik"), *purpose = cli_opt(a, "purpose");
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
