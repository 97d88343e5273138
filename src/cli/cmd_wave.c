/* cmd_wave.c -- `prakerja wave create|open|close|list|show|draw|verify`
 * and `prakerja export selection` (app/wave.h): one JSON line each on
 * stdout, errors as one sentence on stderr. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "app/access_log.h"
#include "app/operator.h"
#include "app/wave.h"
#include "cli/cli.h"
#include "core/date.h"

/* what --wave is, for cli_number_opt */
static const char WAVE_N[] = "the wave's number (prakerja wave list)";

static int fail(const char *cmd, int rc, const char *err)
{
    fprintf(stderr, "prakerja %s: %s\n", cmd, err[0] ? err : "failed");
    return rc == PK_EINVAL ? 2 : 1;
}

static int wave_create(cli_args *a)
{
    pk_wave_input in = {
        .number = cli_opt(a, "wave"), .scheme = cli_opt(a, "scheme"),
        .opens = cli_opt(a, "opens"), .closes = cli_opt(a, "closes"),
        .quota = cli_opt(a, "quota"), .balance_until = cli_opt(a, "balance_until")};
    in.n_region_quotas = (size_t)cli_opt_each(a, "quota_region", in.region_quotas,
                                              PK_WAVE_REGION_QUOTAS_MAX);
    static const char *need[] = {"wave", "scheme", "opens", "closes", "quota"};
    for (size_t i = 0; i < PK_ARRAY_LEN(need); i++)
        if (cli_opt(a, need[i]) == NULL) {
            fprintf(stderr, "prakerja wave create: --%s is required (see 'prakerja wave create "
                            "--help')\n", need[i]);
            return 2;
        }
    pk_app app;
    if (cli_open_app(&app, &a->cfg) != 0)
        return 1;
    char actor[PK_ACTOR_MAX], err[256] = "";
    cli_actor(actor, sizeof(actor));
    int rc = pk_wave_create(&app, &in, actor, err, sizeof(err));
    json_t *j = NULL;
    if (rc == 0 && (rc = pk_wave_show(&app, strtoll(in.number, NULL, 10), &j)) != 0)
        snprintf(err, sizeof(err), "database error");
    pk_app_close(&app);
    if (rc != 0)
        return fail("wave create", rc, err);
    return cli_json_line(j);
}

static int wave_open_close(cli_args *a, bool open)
{
    const char *cmd = open ? "wave open" : "wave close";
    int64_t n;
    if (cli_number_opt(a, "wave", cmd, WAVE_N, &n) != 0)
        return 2;
    pk_app app;
    if (cli_open_app(&app, &a->cfg) != 0)
        return 1;
    char actor[PK_ACTOR_MAX], err[256] = "";
    cli_actor(actor, sizeof(actor));
    bool changed = false;
    int rc = pk_wave_set_open(&app, n, open, actor, &changed, err, sizeof(err));
    json_t *j = NULL;
    if (rc == 0 && (rc = pk_wave_show(&app, n, &j)) != 0)
        snprintf(err, sizeof(err), "database error");
    pk_app_close(&app);
    if (rc != 0)
        return fail(cmd, rc, err);
    if (!changed)
        fprintf(stderr, "prakerja %s: wave %lld is %s already; nothing changed\n", cmd,
                (long long)n, open ? "open" : "closed");
    return cli_json_line(j);
}

static int list_one(void *ctx, json_t *w)
{
    (void)ctx;
    return cli_json_line(w) == 0 ? 0 : PK_EIO;
}

static int wave_list(cli_args *a)
{
    pk_app app;
    if (cli_open_app(&app, &a->cfg) != 0)
        return 1;
    int rc = pk_wave_list(&app, list_one, NULL);
    pk_app_close(&app);
    if (rc != 0) {
        fprintf(stderr, "prakerja wave list: database error\n");
        return 1;
    }
    return 0;
}

static int wave_show(cli_args *a)
{
    int64_t n;
    if (cli_number_opt(a, "wave", "wave show", WAVE_N, &n) != 0)
        return 2;
    pk_app app;
    if (cli_open_app(&app, &a->cfg) != 0)
        return 1;
    json_t *j = NULL;
    int rc = pk_wave_show(&app, n, &j);
    pk_app_close(&app);
    if (rc == PK_ENOENT) {
        fprintf(stderr, "prakerja wave show: no wave %lld\n", (long long)n);
        return 1;
    }
    if (rc != 0) {
        fprintf(stderr, "prakerja wave show: database error\n");
        return 1;
    }
    return cli_json_line(j);
}

static int wave_draw(cli_args *a)
{
    int64_t n, at = (int64_t)time(NULL);
    if (cli_number_opt(a, "wave", "wave draw", WAVE_N, &n) != 0)
        return 2;
    const char *seed = cli_opt(a, "seed"), *at_s = cli_opt(a, "at");
    if (seed == NULL) {
        fprintf(stderr, "prakerja wave draw: --seed HEX is required (64 hex digits, announced "
                        "after the wave closed)\n");
        return 2;
    }
    if (at_s != NULL && pk_instant_parse(at_s, &at) != 0) {
        fprintf(stderr, "prakerja wave draw: --at must be an instant with an offset, e.g. "
                        "2021-09-20T10:00:00+07:00\n");
        return 2;
    }
    pk_app app;
    if (cli_open_app(&app, &a->cfg) != 0)
        return 1;
    char actor[PK_ACTOR_MAX], err[512] = "";
    cli_actor(actor, sizeof(actor));
    pk_draw_summary sum;
    int rc = pk_wave_draw(&app, n, seed, at, actor, &sum, err, sizeof(err));
    pk_app_close(&app);
    if (rc != 0)
        return fail("wave draw", rc, err);
    if (sum.repeated)
        fprintf(stderr, "prakerja wave draw: wave %lld was drawn with this seed already: the "
                        "draw recomputed matches it; nothing changed\n", (long long)n);
    return cli_json_line(sum.json);
}

static int wave_verify(cli_args *a)
{
    int64_t n;
    if (cli_number_opt(a, "wave", "wave verify", WAVE_N, &n) != 0)
        return 2;
    pk_app app;
    if (cli_open_app(&app, &a->cfg) != 0)
        return 1;
    char err[256] = "";
    bool match = false;
    json_t *j = NULL;
    int rc = pk_wave_verify(&app, n, &match, &j, err, sizeof(err));
    pk_app_close(&app);
    if (rc != 0)
        return fail("wave verify", rc, err);
    if (!match)
        fprintf(stderr, "prakerja wave verify: wave %lld's draw does NOT match what was "
                        "stored\n", (long long)n);
    int out = cli_json_line(j);
    return match && out == 0 ? 0 : 1;
}

static int wave_join(cli_args *a)
{
    int64_t n, at = (int64_t)time(NULL);
    if (cli_number_opt(a, "wave", "wave join", WAVE_N, &n) != 0)
        return 2;
    const char *at_s = cli_opt(a, "at");
    if (at_s != NULL && pk_instant_parse(at_s, &at) != 0) {
        fprintf(stderr, "prakerja wave join: --at must be an instant with an offset\n");
        return 2;
    }
    if (a->npos == 0) {
        fprintf(stderr, "prakerja wave join: give at least one NIK\n");
        return 2;
    }
    pk_app app;
    if (cli_open_app(&app, &a->cfg) != 0)
        return 1;
    json_t *w = NULL;
    int known = pk_wave_show(&app, n, &w);
    json_decref(w);
    if (known != 0) {
        pk_app_close(&app);
        if (known == PK_ENOENT)
            fprintf(stderr, "prakerja wave join: no wave %lld (prakerja wave list)\n", (long long)n);
        else
            fprintf(stderr, "prakerja wave join: database error\n");
        return known == PK_ENOENT ? 2 : 1;
    }
    long joined = 0, refused = 0;
    /* `-`: the NIKs from standard input, one a line (blank lines skipped) */
    bool from_stdin = a->npos == 1 && strcmp(a->pos[0], "-") == 0;
    char line[64];
    for (long i = 0;; i++) {
        const char *nik = line;
        if (!from_stdin && i == a->npos)
            break;
        if (!from_stdin)
            nik = a->pos[i];
        else {
            int got = cli_read_line(stdin, line, sizeof line);
            if (got == 0)
                break;
            if (got == 1 && line[0] == '\0')
                continue;
            /* a line too long is "", refused as not a NIK */
        }
        char err[256] = "";
        int rc = pk_wave_join(&app, n, nik, at, err, sizeof(err));
        if (rc == 0) {
            joined++;
            continue;
        }
        refused++;
        /* the NIK's place on the command line or its line, never the NIK */
        if (from_stdin)
            fprintf(stderr, "prakerja wave join: line %ld: %s\n", i + 1, err);
        else
            fprintf(stderr, "prakerja wave join: NIK %ld of %d: %s\n", i + 1, a->npos, err);
    }
    sodium_memzero(line, sizeof line);
    pk_app_close(&app);
    json_t *j = json_pack("{s:I, s:I, s:I}", "wave", (json_int_t)n, "joined",
                          (json_int_t)joined, "refused", (json_int_t)refused);
    int out = cli_json_line(j);
    return refused == 0 && out == 0 ? 0 : 1;
}

int cli_wave(const cli_cmd *c, cli_args *a)
{
    (void)c;
    if (cli_sub_is(a, "join"))
        return wave_join(a);
    if (a->npos != 0) {
        fprintf(stderr, "prakerja wave %s: unexpected argument\n", a->sub->name);
        return 2;
    }
    if (cli_sub_is(a, "create"))
        return wave_create(a);
    if (cli_sub_is(a, "open"))
        return wave_open_close(a, true);
    if (cli_sub_is(a, "close"))
        return wave_open_close(a, false);
    if (cli_sub_is(a, "list"))
        return wave_list(a);
    if (cli_sub_is(a, "show"))
        return wave_show(a);
    if (cli_sub_is(a, "draw"))
        return wave_draw(a);
    return wave_verify(a);
}

/* ---- export selection ---- */

typedef struct sel_ctx {
    int64_t wave;
    FILE *f;
    long rows;
} sel_ctx;

static int write_out(void *ctx, const char *data, size_t len)
{
    sel_ctx *o = ctx;
    o->rows++;
    return fwrite(data, 1, len, o->f) == len ? 0 : PK_EIO;
}

static int selection_body(pk_app *app, FILE *out, void *ctx, long *rows, char *err,
                          size_t errlen)
{
    sel_ctx *o = ctx;
    o->f = out;
    int rc = pk_wave_export_selection(app, o->wave, write_out, o, err, errlen);
    *rows = o->rows > 0 ? o->rows - 1 : 0; /* the header */
    return rc;
}

int cli_export_selection(cli_args *a)
{
    int64_t n;
    if (a->npos != 0) {
        fprintf(stderr, "prakerja export selection: unexpected argument\n");
        return 2;
    }
    if (cli_number_opt(a, "wave", "export selection", WAVE_N, &n) != 0)
        return 2;
    char detail[64], what[64];
    snprintf(detail, sizeof(detail), "wave=%lld", (long long)n);
    snprintf(what, sizeof(what), "applicants of the selection of wave %lld", (long long)n);
    sel_ctx o = {n, NULL, 0};
    cli_export_job e = {"export selection", "selection.export", detail, NULL, what,
                        selection_body, &o};
    return cli_export_run(a, &e);
}

/* `prakerja cards reissue [--dry-run]`: one JSON line. */
int cli_cards(const cli_cmd *c, cli_args *a)
{
    (void)c;
    if (a->npos != 0) {
        fprintf(stderr, "prakerja cards: usage: prakerja cards reissue [--dry-run]\n");
        return 2;
    }
    bool dry = cli_flag(a, "dry_run");
    pk_app app;
    if (cli_open_app(&app, &a->cfg) != 0)
        return 1;
    char err[256] = "", actor[PK_ACTOR_MAX];
    cli_actor(actor, sizeof(actor));
    pk_reissue_summary s;
    int rc = pk_cards_reissue(&app, dry, (int64_t)time(NULL), actor, &s, err, sizeof(err));
    pk_app_close(&app);
    if (rc != 0)
        return fail("cards reissue", rc, err);
    printf("{\"cards\": %lld, \"legacy\": %lld, \"reissued\": %lld, \"dry_run\": %s}\n",
           (long long)s.cards, (long long)s.legacy, (long long)s.reissued,
           dry ? "true" : "false");
    if (!dry && s.reissued > 0)
        fprintf(stderr, "prakerja cards reissue: %lld cards have new numbers; their holders "
                "see them in Akun saya, and a platform naming an old one is refused "
                "(kartu_diganti)\n", (long long)s.reissued);
    return fflush(stdout) == 0 ? 0 : 1;
}
