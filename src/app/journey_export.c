/* journey_export.c -- an event file written from the stored events (the
 * import's format: importing it again changes nothing), and the rebuild
 * of every person's state from their events alone (journey_import.h). */
#include "app/journey_import.h"

#include <stdlib.h>
#include <string.h>

#include "app/journey.h"
#include "app/registry_int.h"
#include "store/store.h"

typedef struct exporter {
    const pk_app *app;
    pk_event_source source;
    int64_t since;
    FILE *out;
    pk_buf tmp;
    char nik[17];
    long rows;
    int64_t unreadable;
} exporter;

static void number(FILE *f, int64_t v)
{
    if (v > 0)
        fprintf(f, "%lld", (long long)v);
}

static int export_event(void *ctx, const pk_event *e)
{
    exporter *ex = ctx;
    if (e->source != ex->source || e->at < ex->since)
        return 0;
    FILE *f = ex->out;
    const pk_event_info *info = pk_event_info_of(e->type);
    char at[32];
    pk_instant_format(e->at, at);
    /* the text columns with the apostrophe guard a spreadsheet needs (a
     * ref, course or platform may begin with '=': journey_import.c) */
    pk_reg_csv_field(f, e->ref, true);
    fprintf(f, ",%s,%s,%s,", ex->nik, info ? info->name : "", at);
    number(f, e->wave);
    fputc(',', f);
    number(f, e->amount);
    fputc(',', f);
    number(f, e->k);
    fputc(',', f);
    pk_reg_csv_field(f, e->course, true);
    fputc(',', f);
    pk_reg_csv_field(f, e->platform, true);
    fputc(',', f);
    pk_reg_csv_field(f, e->ref_asal, true);
    fputc(',', f);
    pk_reg_csv_field(f, e->note, true);
    fputc('\n', f);
    ex->rows++;
    return ferror(f) ? PK_EIO : 0;
}

static int export_person(void *ctx, const pk_prow *row)
{
    exporter *ex = ctx;
    pk_journey j;
    int rc = pk_store_journey_get(ex->app->store, row->id, &j);
    if (rc == PK_ENOENT)
        return 0;   /* no events */
    if (rc != 0)
        return rc;
    pk_participant p;
    memset(&p, 0, sizeof(p));
    if (pk_reg_unseal_pii(ex->app, row, &ex->tmp, &p) != 0) {
        ex->unreadable = row->id;
        return PK_EINVAL;
    }
    snprintf(ex->nik, sizeof(ex->nik), "%s", p.nik);
    rc = pk_store_events_each(ex->app->store, row->id, export_event, ex);
    memset(&p, 0, sizeof(p));
    return rc;
}

int pk_journey_export(const pk_app *app, pk_event_source source, const char *region,
                      int64_t since, FILE *out, long *rows, int64_t *unreadable)
{
    exporter ex = {.app = app, .source = source, .since = since, .out = out};
    pk_buf_init(&ex.tmp, 8192);
    fputs("ref,nik,peristiwa,waktu,gelombang,jumlah,ke,pelatihan,platform,ref_asal,"
          "keterangan\n", out);
    int rc = pk_store_participants_each(app->store, region, export_person, &ex);
    pk_buf_free(&ex.tmp);
    memset(ex.nik, 0, sizeof(ex.nik));
    if (rows)
        *rows = ex.rows;
    if (unreadable)
        *unreadable = ex.unreadable;
    if (rc == 0 && fflush(out) != 0)
        rc = PK_EIO;
    return rc;
}

/* ---- rebuild ---- */

static bool same_state(const pk_journey *a, const pk_journey *b)
{
    return a->participant_id == b->participant_id && a->status == b->status &&
           strcmp(a->payout, b->payout) == 0 && a->wave == b->wave &&
           a->joined_at == b->joined_at && a->selected_at == b->selected_at &&
           a->revoked_at == b->revoked_at && a->balance == b->balance &&
           a->credited == b->credited && a->spent == b->spent && a->refunded == b->refunded &&
           a->lapsed == b->lapsed && a->first_purchase_at == b->first_purchase_at &&
           a->purchases == b->purchases && a->completions == b->completions &&
           a->reviews == b->reviews && a->first_completion_at == b->first_completion_at &&
           a->first_review_at == b->first_review_at && a->payout_at == b->payout_at &&
           a->incentives_paid == b->incentives_paid &&
           a->incentive_total == b->incentive_total &&
           a->incentives_failed == b->incentives_failed && a->survey_k == b->survey_k &&
           a->survey_opened_at == b->survey_opened_at &&
           a->surveys_filled == b->surveys_filled &&
           a->survey_incentives == b->survey_incentives && a->events == b->events &&
           a->last_at == b->last_at && a->first_incentive_at == b->first_incentive_at;
}

#define REBUILD_BATCH 1000

int pk_journey_rebuild(const pk_app *app, long *people, long *changed)
{
    *people = *changed = 0;
    int64_t *ids = malloc(REBUILD_BATCH * sizeof(*ids)), after = 0;
    if (ids == NULL)
        return PK_ENOMEM;
    int rc = 0;
    for (;;) {
        pk_tx *tx = NULL;
        size_t n = 0;
        if ((rc = pk_store_begin(app->store, &tx)) != 0)
            break;
        rc = pk_tx_journey_ids(tx, after, REBUILD_BATCH, ids, &n);
        for (size_t i = 0; rc == 0 && i < n; i++) {
            pk_journey before, now;
            int g = pk_store_journey_get(app->store, ids[i], &before);
            if (g != 0 && g != PK_ENOENT) {
                rc = g;
                break;
            }
            if ((rc = pk_journey_refold(tx, ids[i], &now)) != 0)
                break;
            ++*people;
            if (g != 0 || !same_state(&before, &now))
                ++*changed;
        }
        if (rc != 0) {
            pk_tx_rollback(tx);
            break;
        }
        if ((rc = pk_tx_commit(tx)) != 0 || n < REBUILD_BATCH)
            break;
        after = ids[n - 1];
    }
    free(ids);
    return rc;
}
