/* cmd_registry.c -- the registry and the journeys from the command line:
 * `prakerja nik` (what a NIK says), `import participants|exclusions|events`
 * (exchange files; their exports are in cmd_export.c), `journey rebuild`
 * and `ledger verify`. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "app/journey_import.h"
#include "app/ledger.h"
#include "app/operator.h"
#include "app/registry.h"
#include "app/views.h"
#include "cli/cli.h"
#include "core/pk.h"

/* ---- nik --------------------------------------------------------------- */

int cli_nik(const cli_cmd *c, cli_args *a)
{
    if (a->npos == 0) {
        fprintf(stderr, "prakerja nik: give at least one NIK (see 'prakerja nik --help')\n");
        return 2;
    }
    pk_app app;
    if (cli_open_app(&app, &a->cfg) != 0)
        return 1;
    int status = 0;
    for (int i = 0; i < a->npos; i++) {
        pk_nik_info info;
        pk_app_check_nik(&app, a->pos[i], strlen(a->pos[i]), &info);
        if (cli_json_line(pk_json_nik(&info)) != 0)
            status = 1;
        if (info.errors != 0)
            status = 1;
    }
    pk_app_close(&app);
    return status;
}

/* ---- import ------------------------------------------------------------ */

/* events: the event import's keys (read, inserted, duplicates, rejected,
 * reasons), else the participants import's */
static void print_summary(const pk_import_summary *sum, bool events)
{
    json_t *reasons = json_object(), *warnings = json_object();
    for (pk_code c = 0; c < PK_C__COUNT; c++) {
        if (sum->reasons[c])
            json_object_set_new(reasons, pk_code_name(c), json_integer(sum->reasons[c]));
        if (sum->warnings[c])
            json_object_set_new(warnings, pk_code_name(c), json_integer(sum->warnings[c]));
    }
    json_t *j;
    if (events) {
        json_decref(warnings);
        j = json_pack("{s:I, s:I, s:I, s:I, s:o}", "read", (json_int_t)sum->read, "inserted",
                      (json_int_t)sum->inserted, "duplicates", (json_int_t)sum->duplicates,
                      "rejected", (json_int_t)sum->rejected, "reasons", reasons);
    } else {
        j = json_pack("{s:I, s:I, s:I, s:I, s:I, s:o, s:o}", "read", (json_int_t)sum->read,
                      "inserted", (json_int_t)sum->inserted, "updated",
                      (json_int_t)sum->updated, "unchanged", (json_int_t)sum->unchanged,
                      "rejected", (json_int_t)sum->rejected, "reasons", reasons, "warnings",
                      warnings);
    }
    (void)cli_json_line(j);
}

/* Progress of an import on standard error (pk_import_opts.tick, .note).
 * On a terminal one line redrawn in place (\r): the percentage of the
 * file read and the time left, estimated from the bytes read so far.
 * Otherwise (a log file, a pipe) plain lines, one per tenth of the file
 * (every 100000 rows when its size is not known). */
typedef struct progress {
    bool tty;
    bool open_line;        /* a line drawn with \r still waits for its newline */
    double start, last;    /* seconds (CLOCK_MONOTONIC) */
    int tenth;             /* plain lines: the last tenth told */
    long rows_told;        /* ... or, the size not known, the rows last told */
} progress;

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* "2 min 05 s" and the like into out. */
static void span(char *out, size_t size, double s)
{
    long n = (long)(s + 0.5);
    if (n < 60)
        snprintf(out, size, "%ld s", n);
    else if (n < 3600)
        snprintf(out, size, "%ld min %02ld s", n / 60, n % 60);
    else
        snprintf(out, size, "%ld h %02ld min", n / 3600, n % 3600 / 60);
}

static void progress_end_line(progress *pg)
{
    if (pg->open_line)
        fputc('\n', stderr);
    pg->open_line = false;
}

static void progress_tick(void *ctx, long rows, unsigned long long bytes,
                          unsigned long long total)
{
    progress *pg = ctx;
    double t = now_s(), elapsed = t - pg->start;
    bool done = total > 0 && bytes >= total;
    char left[80] = "";
    int pct = total > 0 ? (int)(bytes * 100 / total) : -1;
    if (total > 0 && bytes > 0 && !done && elapsed >= 1) {
        char s[48];
        span(s, sizeof(s), elapsed * (double)(total - bytes) / (double)bytes);
        snprintf(left, sizeof(left), ", about %s left", s);
    }
    if (pg->tty) {
        if (!done && t - pg->last < 0.25)
            return;
        pg->last = t;
        if (pct >= 0)
            fprintf(stderr, "\rprakerja: import: %3d%% read (%ld rows, %.1f of %.1f MB)%s\033[K",
                    pct, rows, (double)bytes / 1e6, (double)total / 1e6, left);
        else
            fprintf(stderr, "\rprakerja: import: %ld rows read (%.1f MB)\033[K", rows,
                    (double)bytes / 1e6);
        pg->open_line = true;
        fflush(stderr);
        return;
    }
    if (pct >= 0) {
        if (pct / 10 <= pg->tenth)
            return;
        pg->tenth = pct / 10;
        fprintf(stderr, "prakerja: import: %d%% read (%ld rows, %.1f of %.1f MB)%s\n", pct,
                rows, (double)bytes / 1e6, (double)total / 1e6, left);
    } else if (rows - pg->rows_told >= 100000) {
        pg->rows_told = rows;
        fprintf(stderr, "prakerja: import: %ld rows read (%.1f MB)\n", rows, (double)bytes / 1e6);
    }
}

static void progress_note(void *ctx, const char *msg)
{
    progress *pg = ctx;
    progress_end_line(pg);
    fprintf(stderr, "prakerja: import: %s\n", msg);
}

/* The summary in words on standard error, beside the JSON line. */
static void say_summary(const pk_import_summary *sum, double seconds, bool rejects_saved,
                        bool events)
{
    char took[32];
    span(took, sizeof(took), seconds);
    if (events)
        fprintf(stderr, "prakerja: import: %ld rows read in %s: %ld new, %ld already stored, "
                        "%ld rejected",
                sum->read, seconds < 1 ? "under a second" : took, sum->inserted,
                sum->duplicates, sum->rejected);
    else
        fprintf(stderr,
                "prakerja: import: %ld rows read in %s: %ld new, %ld updated, %ld unchanged, "
                "%ld rejected",
                sum->read, seconds < 1 ? "under a second" : took, sum->inserted, sum->updated,
                sum->unchanged, sum->rejected);
    const char *sep = " (";
    for (pk_code c = 0; c < PK_C__COUNT; c++)
        if (sum->reasons[c]) {
            fprintf(stderr, "%s%s: %ld", sep, pk_code_name(c), sum->reasons[c]);
            sep = ", ";
        }
    fputs(sep[0] == ',' ? ")\n" : "\n", stderr);
    if (sum->kept > 0)
        fprintf(stderr, "prakerja: import: %ld of the rejected rows (the programme office's) "
                        "%s kept, not applied: %s once a file brings what %s (an earlier "
                        "selection or credit)\n",
                sum->kept, sum->kept == 1 ? "is" : "are", sum->kept == 1 ? "it applies" : "they apply",
                sum->kept == 1 ? "it lacks" : "they lack");
    if (sum->made_inert > 0)
        fprintf(stderr, "prakerja: import: %ld event%s stored before no longer appl%s: older "
                        "events of this file came before (the staff page of each participant "
                        "shows which, and why)\n",
                sum->made_inert, sum->made_inert == 1 ? "" : "s",
                sum->made_inert == 1 ? "ies" : "y");
    if (sum->differ > 0)
        fprintf(stderr, "prakerja: import: %ld of the rows already stored say something else "
                        "under their ref (another person, event, instant or amount): ignored, "
                        "as a ref is imported once; a corrected event needs a new ref\n",
                sum->differ);
    if (sum->rejected > 0 && !rejects_saved)
        fprintf(stderr, "prakerja: import: the rejected rows were not saved: run the import "
                        "again with --rejects FILE to get them with their line numbers and "
                        "reasons\n");
}

int cli_open_input(const char *path)
{
    int fd = strcmp(path, "-") == 0 ? dup(STDIN_FILENO) : open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0) {
        fprintf(stderr, "prakerja: cannot open %s: %s\n", path, strerror(errno));
    } else if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        fprintf(stderr, "prakerja: cannot read %s: it is a directory; give a file\n", path);
        close(fd);
        fd = -1;
    }
    return fd;
}

/* A regular rejects file is emptied by the first write to it, not when it
 * is opened: an import refused before it wrote a line (a header without
 * a required column, an empty file) leaves the last run's rejects as
 * they were. */
typedef struct lazy_file {
    int fd;
    bool emptied;
} lazy_file;

static ssize_t lazy_write(void *cookie, const char *buf, size_t n)
{
    lazy_file *l = cookie;
    if (!l->emptied) {
        if (ftruncate(l->fd, 0) != 0)
            return -1;
        l->emptied = true;
    }
    size_t done = 0;
    while (done < n) {
        ssize_t w = write(l->fd, buf + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return done > 0 ? (ssize_t)done : -1;
        done += (size_t)w;
    }
    return (ssize_t)done;
}

static int lazy_close(void *cookie)
{
    lazy_file *l = cookie;
    int rc = close(l->fd);
    free(l);
    return rc;
}

static FILE *lazy_open(int fd)
{
    lazy_file *l = malloc(sizeof(*l));
    FILE *f = l != NULL ? fopencookie(l, "w", (cookie_io_functions_t){.write = lazy_write,
                                                                    .close = lazy_close})
                        : NULL;
    if (f == NULL)
        free(l);
    else
        *l = (lazy_file){fd, false};
    return f;
}

FILE *cli_open_rejects(const char *path)
{
    int rfd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    /* an existing file keeps its mode through O_CREAT: a regular one is
     * made owner-only (one that cannot be made so is left as it was), and
     * emptied by the first write (lazy_file); a pipe or /dev/stdout is the
     * caller's choice */
    struct stat st;
    FILE *f = rfd >= 0 && fstat(rfd, &st) == 0 &&
                      (!S_ISREG(st.st_mode) || fchmod(rfd, 0600) == 0)
                  ? (S_ISREG(st.st_mode) ? lazy_open(rfd) : fdopen(rfd, "w"))
                  : NULL;
    if (f == NULL) {
        fprintf(stderr, "prakerja: cannot write %s: %s\n", path, strerror(errno));
        if (rfd >= 0)
            close(rfd);
    }
    return f;
}

/* An import once its options are read: participants (events false, the
 * scheme by name or NULL, the rules as of as_of) or journey events from
 * source src.  The file first: a wrong path opens no database (no key
 * file made) and leaves an existing --rejects file as it was; then the
 * database, the rejects file, the import with its progress and its
 * summary (JSON last on stdout, a sentence on stderr).  The exit status. */
static int run_import(cli_args *a, bool events, pk_event_source src, const char *scheme,
                      pk_date as_of)
{
    const char *rejects = cli_opt(a, "rejects");
    char actor[PK_ACTOR_MAX];
    cli_actor(actor, sizeof(actor));
    progress pg = {.tty = isatty(STDERR_FILENO) == 1, .start = now_s()};
    pk_import_opts io = {.tick = progress_tick, .note = progress_note, .ctx = &pg,
                         .actor = actor, .as_of = as_of};
    int fd = cli_open_input(a->pos[0]), status = 1;
    if (fd < 0)
        return 1;
    pk_app app;
    if (cli_open_app(&app, &a->cfg) != 0) {
        close(fd);
        return 1;
    }
    if (scheme != NULL && (io.scheme = pk_schemes_find(&app.schemes, scheme)) == NULL) {
        fprintf(stderr, "prakerja import: unknown scheme '%.32s'\n", scheme);
        goto out;
    }
    if (rejects != NULL && (io.rejects = cli_open_rejects(rejects)) == NULL)
        goto out;
    pk_import_summary sum;
    char err[512] = "";
    int rc = events ? pk_journey_import(&app, fd, src, &io, &sum, err, sizeof(err))
                    : pk_registry_import(&app, fd, &io, &sum, err, sizeof(err));
    progress_end_line(&pg);
    if (sum.unknown_columns[0])
        fprintf(stderr, "prakerja: import: unknown columns ignored: %s\n", sum.unknown_columns);
    if (rc != 0) {
        fprintf(stderr, "prakerja: import %s: %s\n", rc == PK_EINVAL ? "refused" : "failed", err);
        if (rc != PK_EINVAL)
            print_summary(&sum, events);
        goto out;
    }
    print_summary(&sum, events);
    fflush(stdout);
    say_summary(&sum, now_s() - pg.start, io.rejects != NULL, events);
    status = 0;
out:
    close(fd);
    if (io.rejects != NULL && fclose(io.rejects) != 0) {
        fprintf(stderr, "prakerja: cannot write %s\n", rejects);
        status = 1;
    }
    pk_app_close(&app);
    return status;
}

static int import_events(cli_args *a)
{
    const char *source = cli_opt(a, "source");
    if (a->npos != 1) {
        fprintf(stderr, "prakerja import events: give exactly one FILE ('-' for stdin)\n");
        return 2;
    }
    pk_event_source src = PK_SRC_PMO;
    if (source != NULL && pk_event_source_parse(source, &src) != 0) {
        fprintf(stderr, "prakerja import events: --source must be pmo or lokal\n");
        return 2;
    }
    return run_import(a, true, src, NULL, (pk_date){0});
}

static int import_participants(cli_args *a)
{
    const char *scheme = cli_opt(a, "scheme"), *as_of = cli_opt(a, "as_of");
    if (a->npos != 1) {
        fprintf(stderr, "prakerja import participants: give exactly one FILE ('-' for stdin)\n");
        return 2;
    }
    pk_date day = pk_app_today();
    if (as_of != NULL && pk_date_parse(as_of, strlen(as_of), &day) != 0) {
        fprintf(stderr, "prakerja import: --as-of must be YYYY-MM-DD\n");
        return 2;
    }
    return run_import(a, false, PK_SRC_PMO, scheme, day);
}

static int import_exclusions(cli_args *a)
{
    const char *list = cli_opt(a, "list");
    if (a->npos != 1 || list == NULL) {
        fprintf(stderr, "prakerja import exclusions: usage: --list NAME FILE\n");
        return 2;
    }
    if (pk_list_by_name(list) == 0) {
        fprintf(stderr, "prakerja import exclusions: unknown list '%.32s' (dtks, bsu, bpum, "
                        "daftar_hitam, penerima_sebelumnya, prioritas)\n", list);
        return 2;
    }
    int fd = cli_open_input(a->pos[0]), status = 1; /* the file first, as for events */
    if (fd < 0)
        return 1;
    pk_app app;
    if (cli_open_app(&app, &a->cfg) != 0) {
        close(fd);
        return 1;
    }
    pk_list_summary sum;
    char err[512] = "";
    char actor[PK_ACTOR_MAX];
    cli_actor(actor, sizeof(actor));
    int rc = pk_registry_import_list(&app, list, fd, actor, &sum, err, sizeof(err));
    close(fd);
    if (rc != 0) {
        fprintf(stderr, "prakerja: import exclusions %s: %s\n",
                rc == PK_EINVAL ? "refused" : "failed", err);
    } else {
        printf("{\"list\":\"%s\",\"read\":%ld,\"listed\":%ld,\"rejected\":%ld,"
               "\"reevaluated\":%ld,\"before\":%ld,\"after\":%ld}\n",
               list, sum.read, sum.listed, sum.rejected, sum.reevaluated, sum.before,
               sum.after);
        fprintf(stderr,
                "prakerja: list %s replaced: %ld entries before, %ld after (%ld rows read, "
                "%ld rejected); %ld registered participants evaluated again\n",
                list, sum.before, sum.after, sum.read, sum.rejected, sum.reevaluated);
        status = 0;
    }
    pk_app_close(&app);
    return status;
}

int cli_import(const cli_cmd *c, cli_args *a)
{
    if (cli_sub_is(a, "courses"))
        return cli_import_courses(a);
    return cli_sub_is(a, "participants") ? import_participants(a)
           : cli_sub_is(a, "events")     ? import_events(a)
                                         : import_exclusions(a);
}

/* journey rebuild */
int cli_journey(const cli_cmd *c, cli_args *a)
{
    if (a->npos != 0) {
        fprintf(stderr, "prakerja journey rebuild: unexpected argument\n");
        return 2;
    }
    pk_app app;
    if (cli_open_app(&app, &a->cfg) != 0)
        return 1;
    long people = 0, changed = 0;
    int rc = pk_journey_rebuild(&app, &people, &changed);
    pk_app_close(&app);
    if (rc != 0) {
        fprintf(stderr, "prakerja: journey rebuild failed (%d) after %ld people; run it again\n",
                rc, people);
        return 1;
    }
    printf("{\"people\":%ld,\"changed\":%ld}\n", people, changed);
    fprintf(stderr, "prakerja: journey rebuilt: %ld people, %ld changed\n", people, changed);
    return 0;
}

/* ledger verify */
static void ledger_diff(void *ctx, const pk_ledger_diff *d)
{
    (void)ctx;
    if (strcmp(d->field, "payout") == 0)
        fprintf(stderr, "prakerja: ledger: participant %lld: payout differs from the events\n",
                (long long)d->participant_id);
    else if (strcmp(d->field, "journey") == 0)
        fprintf(stderr, "prakerja: ledger: participant %lld: no stored state, %lld events\n",
                (long long)d->participant_id, (long long)d->folded);
    else
        fprintf(stderr, "prakerja: ledger: participant %lld: %s stored %lld, from the events %lld\n",
                (long long)d->participant_id, d->field, (long long)d->stored,
                (long long)d->folded);
}

static void totals_json(const char *name, const pk_ledger_totals *t)
{
    printf("\"%s\":{\"credited\":%lld,\"spent\":%lld,\"refunded\":%lld,\"remaining\":%lld,"
           "\"lapsed\":%lld%s}", name, (long long)t->credited, (long long)t->spent,
           (long long)t->refunded, (long long)t->remaining, (long long)t->lapsed,
           t->overflow ? ",\"overflow\":true" : "");
}

int cli_ledger(const cli_cmd *c, cli_args *a)
{
    (void)c;
    if (a->npos != 0) {
        fprintf(stderr, "prakerja ledger verify: unexpected argument\n");
        return 2;
    }
    pk_app app;
    if (cli_open_app(&app, &a->cfg) != 0)
        return 1;
    pk_ledger_report r;
    int rc = pk_ledger_verify(&app, &r, ledger_diff, NULL);
    pk_app_close(&app);
    if (rc != 0) {
        fprintf(stderr, "prakerja: ledger verify failed (%d) after %lld participants\n", rc,
                (long long)r.participants);
        return 1;
    }
    bool ok = r.mismatched == 0 && r.balanced;
    printf("{\"ok\":%s,\"participants\":%lld,\"events\":%lld,\"mismatched\":%lld,"
           "\"balanced\":%s,", ok ? "true" : "false", (long long)r.participants,
           (long long)r.events, (long long)r.mismatched, r.balanced ? "true" : "false");
    totals_json("stored", &r.stored);
    printf(",");
    totals_json("from_events", &r.folded);
    printf("}\n");
    if (r.stored.overflow || r.folded.overflow)
        fprintf(stderr, "prakerja: ledger: the programme's totals pass the largest number "
                        "a total can hold (9223372036854775807 Rupiah)\n");
    else if (!r.balanced)
        fprintf(stderr, "prakerja: ledger: the programme's totals do not add up: credited "
                        "%lld, spent %lld - refunded %lld + remaining %lld + lapsed %lld\n",
                (long long)r.stored.credited, (long long)r.stored.spent,
                (long long)r.stored.refunded, (long long)r.stored.remaining,
                (long long)r.stored.lapsed);
    return ok ? 0 : 1;
}
