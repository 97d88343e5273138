/* cmd_backup.c -- `prakerja backup --output FILE`: a consistent copy of
 * the SQLite database while servers keep running (app/service.h); one
 * JSON line on stdout, and a reminder on stderr that the key file is not
 * in it. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

#include "app/service.h"
#include "cli/cli.h"

int cli_backup(const cli_cmd *c, cli_args *a)
{
    const char *output = cli_opt(a, "output");
    if (a->npos != 0 || output == NULL || output[0] == '\0') {
        fprintf(stderr, "prakerja backup: usage: prakerja backup --output FILE\n");
        return 2;
    }
    char err[1024];
    pk_backup_result r;
    if (pk_app_backup(&a->cfg, output, cli_log, NULL, &r, err, sizeof(err)) != 0) {
        fprintf(stderr, "prakerja backup: %s\n", err);
        return 1;
    }
    json_t *j = json_pack("{s:s, s:I, s:f, s:s}", "output", output, "bytes",
                          (json_int_t)r.bytes, "seconds", r.seconds, "key_file", r.key_file);
    if (cli_json_line(j) != 0)
        return 1;
    fprintf(stderr,
            "prakerja: backup of %s written to %s (%lld bytes). The key file %s is NOT in it: "
            "back it up separately (not beside the database backups); without it the "
            "personal data in this backup cannot be read.\n",
            a->cfg.db, output, (long long)r.bytes, r.key_file);
    return fflush(stdout) == 0 ? 0 : 1;
}
