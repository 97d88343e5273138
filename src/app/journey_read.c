/* journey_read.c -- a person's stored events as the journey judges them
 * (journey.h: pk_journey_each_judged), for the readers that read events
 * rather than the state: the staff timeline, Akun saya, the reminders.
 * The writers are in journey.c. */
#include "app/journey.h"

#include "app/wave_terms.h"
#include "store/store.h"

typedef struct judged {
    pk_fold f;
    int (*cb)(void *ctx, const pk_event *e, pk_code skipped);
    void *ctx;
} judged;

/* The fold's first-purchase deadline from a loaded wave table, as the
 * store's hook gives it inside a transaction (app/wave_terms.c). */
static int table_purchase_by(void *ctx, int64_t wave, int64_t selected_at, int64_t *by)
{
    pk_wave_terms t = pk_wave_table_find(ctx, wave, NULL);
    *by = pk_first_purchase_by(selected_at, t.purchase_days, t.cutoff);
    return 0;
}

static int judge_one(void *ctx, const pk_event *e)
{
    judged *w = ctx;
    pk_code why = PK_C__COUNT;
    int rc = pk_fold_apply(&w->f, e, &why);
    if (rc != 0 && rc != PK_EINVAL)
        return rc;
    return w->cb(w->ctx, e, rc == PK_EINVAL ? why : PK_C__COUNT);
}

int pk_journey_each_judged(pk_store *store, int64_t participant_id,
                           const struct pk_wave_table *waves,
                           int (*cb)(void *ctx, const pk_event *e, pk_code skipped), void *ctx)
{
    judged w = {.cb = cb, .ctx = ctx};
    pk_fold_init(&w.f, participant_id);
    w.f.purchase_by = table_purchase_by;
    w.f.purchase_by_ctx = (void *)waves;
    int rc = pk_store_events_each(store, participant_id, judge_one, &w);
    pk_fold_free(&w.f);
    return rc;
}
