/* cmd_stats.c -- `prakerja stats verify|rebuild`: the counters behind the
 * statistics (app/stats.h) against a recount of the participants, and
 * the journey's (the funnel's) against a recount of the journeys; their
 * rebuild. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "app/stats.h"
#include "cli/cli.h"
#include "core/pk.h"

/* One JSON line per cell that differs: the cell and both counts. */
static void cell_differs(void *ctx, const pk_stats_cell *c)
{
    (void)ctx;
    json_t *reasons = json_array();
    for (int b = 0; b < 64; b++)
        if (c->reasons & ((uint64_t)1 << b)) {
            const char *name = b < PK_C__COUNT ? pk_code_name((pk_code)b) : NULL;
            json_array_append_new(reasons, name ? json_string(name) : json_integer(b));
        }
    json_t *o = json_pack("{s:s, s:s, s:s, s:o, s:I, s:I}", "wilayah", c->region, "segmen",
                          c->segmen, "jenis_kelamin", c->sex, "alasan", reasons, "tersimpan",
                          (json_int_t)c->kept, "dihitung", (json_int_t)c->counted);
    (void)cli_json_line(o);
}

/* One JSON line per journey counter that differs (the funnel's). */
static void journey_cell_differs(void *ctx, const pk_journey_stats_cell *c)
{
    (void)ctx;
    json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:I, s:I}", "wilayah", c->region, "jenis",
                          c->kind, "k1", (json_int_t)c->k1, "k2", (json_int_t)c->k2,
                          "tersimpan", (json_int_t)c->kept, "dihitung", (json_int_t)c->counted);
    (void)cli_json_line(o);
}

/* One JSON line per effect counter that differs (the reminders'). */
static void remind_cell_differs(void *ctx, const pk_remind_stats_cell *c)
{
    (void)ctx;
    (void)cli_json_line(json_pack("{s:s, s:s, s:b, s:b, s:b, s:I, s:I, s:I}", "wilayah",
                                  c->region, "aturan", c->rule, "dikirim", (int)c->sent,
                                  "kontrol", (int)c->held, "dicabut", (int)c->revoked, "hari",
                                  (json_int_t)c->days, "tersimpan", (json_int_t)c->kept,
                                  "dihitung", (json_int_t)c->counted));
}

int cli_stats(const cli_cmd *c, cli_args *a)
{
    (void)c;
    bool rebuild = cli_sub_is(a, "rebuild");
    if (a->npos != 0) {
        fprintf(stderr, "prakerja stats %s: unexpected argument\n", rebuild ? "rebuild" : "verify");
        return 2;
    }
    pk_app app;
    if (cli_open_app(&app, &a->cfg) != 0)
        return 1;
    int rc;
    if (rebuild) {
        char actor[96];
        cli_actor(actor, sizeof(actor));
        pk_stats_rebuilt n;
        rc = pk_stats_rebuild(&app, actor, &n);
        pk_app_close(&app);
        if (rc != 0) {
            fprintf(stderr, "prakerja: stats rebuild failed (%d); nothing changed\n", rc);
            return 1;
        }
        printf("{\"cells\":%lld,\"journey_cells\":%lld,\"remind_cells\":%lld}\n",
               (long long)n.cells, (long long)n.journey_cells, (long long)n.remind_cells);
        fprintf(stderr,
                "prakerja: stats rebuilt: %lld cells, %lld journey cells, %lld reminder cells\n",
                (long long)n.cells, (long long)n.journey_cells, (long long)n.remind_cells);
        return 0;
    }
    pk_stats_check r;
    pk_stats_report report = {.cell = cell_differs, .journey = journey_cell_differs,
                              .remind = remind_cell_differs};
    rc = pk_stats_verify(&app, &report, &r);
    pk_app_close(&app);
    if (rc != 0) {
        fprintf(stderr, "prakerja: stats verify failed (%d)\n", rc);
        return 1;
    }
    bool ok = r.differ == 0 && r.journey_differ == 0 && r.remind_differ == 0;
    printf("{\"ok\":%s,\"participants\":%lld,\"cells\":%lld,\"differ\":%lld,"
           "\"journey_cells\":%lld,\"journey_differ\":%lld,\"remind_cells\":%lld,"
           "\"remind_differ\":%lld}\n",
           ok ? "true" : "false", (long long)r.people, (long long)r.cells, (long long)r.differ,
           (long long)r.journey_cells, (long long)r.journey_differ, (long long)r.remind_cells,
           (long long)r.remind_differ);
    if (!ok)
        fprintf(stderr,
                "prakerja: stats: %lld counters differ from the participants, %lld from the "
                "journeys and %lld from the reminders (listed above); prakerja stats rebuild "
                "recounts them\n",
                (long long)r.differ, (long long)r.journey_differ, (long long)r.remind_differ);
    return ok ? 0 : 1;
}
