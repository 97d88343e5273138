/* cmd_export.c -- `prakerja export participants|events|selection`: the
 * exchange files, which hold full NIKs.  One way for the three
 * (cli_export_run): the read recorded in the access log before anything
 * is written, --output created 0600 and left behind only whole. */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app/journey_import.h"
#include "app/operator.h"
#include "app/registry.h"
#include "cli/cli.h"
#include "core/pk.h"

void cli_actor(char *out, size_t cap)
{
    struct passwd *pw = getpwuid(geteuid());
    const char *env = getenv("USER");
    if (pw != NULL && pw->pw_name != NULL && pw->pw_name[0] != '\0')
        snprintf(out, cap, "cli:%s", pw->pw_name);
    else if (env != NULL && env[0] != '\0')
        snprintf(out, cap, "cli:%.40s", env);
    else
        snprintf(out, cap, "cli:uid%ld", (long)geteuid());
}

/* The file of --output: created 0600, never an existing one (full NIKs
 * and phone numbers); NULL after saying why. */
static FILE *create_output(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (f == NULL) {
        if (errno == EEXIST)
            fprintf(stderr, "prakerja export: %s already exists; give a new file (it is "
                            "created 0600, for it holds personal data)\n", path);
        else
            fprintf(stderr, "prakerja export: cannot create %s: %s\n", path, strerror(errno));
        if (fd >= 0) {
            close(fd);
            unlink(path);
        }
    }
    return f;
}

/* Standard output redirected to a file others may read (the shell creates
 * one 0644): said, for the export holds personal data. */
static void warn_public_stdout(void)
{
    struct stat st;
    if (fstat(STDOUT_FILENO, &st) == 0 && S_ISREG(st.st_mode) &&
        (st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
        fprintf(stderr, "prakerja export: warning: standard output is a file other users may "
                        "read (mode %04o) and the export holds full NIKs and phone numbers: "
                        "chmod 600 it, or use --output FILE (created 0600)\n",
                (unsigned)(st.st_mode & 07777));
}

/* --region, normalized into region ("" when not given): 0, or 2 after
 * saying why. */
static int region_opt(cli_args *a, char region[PK_REGION_CODE_MAX])
{
    const char *given = cli_opt(a, "region");
    region[0] = '\0';
    if (given != NULL && pk_region_normalize(given, strlen(given), region) == PK_REGION_NONE) {
        fprintf(stderr, "prakerja export: --region must be a region code like 31.74\n");
        return 2;
    }
    return 0;
}

int cli_export_run(cli_args *a, const cli_export_job *e)
{
    const char *output = cli_opt(a, "output");
    char err[256] = "";
    long rows = 0;
    pk_app app;
    if (cli_open_app(&app, &a->cfg) != 0)
        return 1;
    if (e->region != NULL && e->region[0] && pk_regions_find(app.regions, e->region) == NULL) {
        fprintf(stderr, "prakerja export: unknown region %s\n", e->region);
        pk_app_close(&app);
        return 2;
    }
    FILE *out = stdout;
    if (output != NULL && (out = create_output(output)) == NULL) {
        pk_app_close(&app);
        return 1;
    }
    if (output == NULL)
        warn_public_stdout();
    /* a read of personal data: recorded first, or not run */
    char actor[PK_ACTOR_MAX], route[64];
    cli_actor(actor, sizeof(actor));
    snprintf(route, sizeof(route), "cli %s", e->cmd);
    int rc = pk_access_record(&app, actor, e->action, route, 0, e->detail);
    if (rc != 0)
        snprintf(err, sizeof(err), "cannot write the access log; nothing exported");
    else
        rc = e->body(&app, out, e->ctx, &rows, err, sizeof(err));
    if (rc != 0 && err[0] == '\0' && ferror(out))
        snprintf(err, sizeof(err), "cannot write %s", output ? output : "to standard output");
    pk_app_close(&app);
    if (rc == 0 && fflush(out) != 0) {
        rc = PK_EIO;
        snprintf(err, sizeof(err), "cannot write: %s", strerror(errno));
    }
    if (out != stdout) {
        if (fclose(out) != 0 && rc == 0) {
            rc = PK_EIO;
            snprintf(err, sizeof(err), "cannot write %s: %s", output, strerror(errno));
        }
        if (rc != 0)
            unlink(output); /* no half export left behind */
    }
    if (rc != 0) {
        fprintf(stderr, "prakerja %s: %s\n", e->cmd, err[0] ? err : "failed");
        return rc == PK_EINVAL ? 2 : 1;
    }
    if (output != NULL)
        fprintf(stderr, "prakerja: exported %ld %s to %s (mode 0600)\n", rows, e->what,
                output);
    else
        fprintf(stderr, "prakerja: exported %ld %s\n", rows, e->what);
    return 0;
}

/* What the registry's and the journeys' exports say when they stop. */
static void export_failed(int64_t unreadable, char *err, size_t errlen)
{
    if (unreadable != 0)
        snprintf(err, errlen, "participant %lld cannot be decrypted with this key",
                 (long long)unreadable);
}

/* ---- export participants ------------------------------------------------ */

static int participants_body(pk_app *app, FILE *out, void *ctx, long *rows, char *err,
                             size_t errlen)
{
    int64_t unreadable = 0;
    int rc = pk_registry_export(app, ctx, out, rows, &unreadable);
    if (rc != 0)
        export_failed(unreadable, err, errlen);
    return rc;
}

static int export_participants(cli_args *a)
{
    if (a->npos != 0) {
        fprintf(stderr, "prakerja export participants: unexpected argument\n");
        return 2;
    }
    char region[PK_REGION_CODE_MAX], detail[64];
    if (region_opt(a, region) != 0)
        return 2;
    snprintf(detail, sizeof(detail), "region=%s", region[0] ? region : "all");
    cli_export_job e = {"export participants", "participants.export", detail, region,
                        "participants", participants_body, region};
    return cli_export_run(a, &e);
}

/* ---- export events ------------------------------------------------------- */

typedef struct events_ctx {
    pk_event_source src;
    const char *region;
    int64_t since;
} events_ctx;

static int events_body(pk_app *app, FILE *out, void *ctx, long *rows, char *err, size_t errlen)
{
    events_ctx *x = ctx;
    int64_t unreadable = 0;
    int rc = pk_journey_export(app, x->src, x->region, x->since, out, rows, &unreadable);
    if (rc != 0)
        export_failed(unreadable, err, errlen);
    return rc;
}

static int export_events(cli_args *a)
{
    const char *since_s = cli_opt(a, "since"), *source = cli_opt(a, "source");
    if (a->npos != 0) {
        fprintf(stderr, "prakerja export events: unexpected argument\n");
        return 2;
    }
    char region[PK_REGION_CODE_MAX], detail[96];
    if (region_opt(a, region) != 0)
        return 2;
    events_ctx x = {PK_SRC_PMO, region, INT64_MIN};
    if (since_s != NULL && pk_instant_parse(since_s, &x.since) != 0) {
        fprintf(stderr, "prakerja export: --since must be an instant with its offset, like "
                        "2021-03-01T00:00:00+07:00\n");
        return 2;
    }
    if (source != NULL && pk_event_source_parse(source, &x.src) != 0) {
        fprintf(stderr, "prakerja export: --source must be pmo or lokal\n");
        return 2;
    }
    snprintf(detail, sizeof(detail), "region=%s source=%s", region[0] ? region : "all",
             pk_event_source_name(x.src));
    cli_export_job e = {"export events", "journey.export", detail, region, "events",
                        events_body, &x};
    return cli_export_run(a, &e);
}

int cli_export(const cli_cmd *c, cli_args *a)
{
    (void)c;
    if (cli_sub_is(a, "selection"))
        return cli_export_selection(a);
    return cli_sub_is(a, "events") ? export_events(a) : export_participants(a);
}
