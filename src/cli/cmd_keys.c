/* cmd_keys.c -- `prakerja keys rotate|prune`: rotation of the seal key
 * (app/keys.h); one JSON line. */
#include <stdio.h>
#include <stdlib.h>

#include "app/keys.h"
#include "app/operator.h"
#include "cli/cli.h"

int cli_keys(const cli_cmd *c, cli_args *a)
{
    bool rotate = cli_sub_is(a, "rotate");
    const char *given = cli_opt(a, "batch");
    char *end = NULL;
    long batch = given ? strtol(given, &end, 10) : 0;
    if (a->npos != 0 || (given && (*end != '\0' || batch <= 0 || batch > 100000))) {
        fprintf(stderr, "prakerja keys: usage: prakerja keys rotate [--batch N] | prune\n");
        return 2;
    }
    pk_app app;
    if (cli_open_app(&app, &a->cfg) != 0)
        return 1;
    char err[512], actor[PK_ACTOR_MAX];
    cli_actor(actor, sizeof(actor));
    int rc;
    if (rotate) {
        pk_rotate_summary sum;
        rc = pk_keys_rotate(&app, actor, (int)batch, &sum, err, sizeof(err));
        if (rc == 0)
            printf("{\"generation\": %d, \"participants\": %lld, \"notes\": %lld, "
                   "\"secrets\": %lld, \"resumed\": %s}\n",
                   sum.generation, (long long)sum.participants, (long long)sum.notes,
                   (long long)sum.secrets, sum.resumed ? "true" : "false");
    } else {
        int removed = 0;
        int64_t counts[256];
        rc = pk_keys_prune(&app, actor, &removed, counts, err, sizeof(err));
        if (rc == 0) {
            printf("{\"removed\": %d, \"boxes\": {", removed);
            const char *sep = "";
            for (int g = 0; g < 256; g++)
                if (counts[g] > 0) {
                    printf("%s\"%d\": %lld", sep, g, (long long)counts[g]);
                    sep = ", ";
                }
            printf("}}\n");
        }
    }
    pk_app_close(&app);
    if (rc != 0) {
        fprintf(stderr, "prakerja keys %s: %s\n", a->sub->name, err);
        return 1;
    }
    return fflush(stdout) == 0 ? 0 : 1;
}
