/* ledger.c -- the balances checked against the events (ledger.h). */
#include "app/ledger.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "app/journey.h"
#include "core/journey.h"
#include "store/store.h"

#define PAGE 500

/* The fields compared, as int64_t members of pk_journey. */
static const struct {
    const char *name;
    size_t off;
} fields[] = {
#define F(m) {#m, offsetof(pk_journey, m)}
    F(wave), F(joined_at), F(selected_at), F(revoked_at), F(balance), F(credited), F(spent),
    F(refunded), F(lapsed), F(first_purchase_at), F(purchases), F(completions), F(reviews),
    F(first_completion_at), F(first_review_at), F(payout_at), F(incentives_paid),
    F(incentive_total), F(incentives_failed), F(survey_k), F(survey_opened_at),
    F(surveys_filled), F(survey_incentives), F(events), F(last_at), F(first_incentive_at),
#undef F
};

static int64_t field(const pk_journey *j, size_t i)
{
    int64_t v;
    memcpy(&v, (const char *)j + fields[i].off, sizeof(v));
    return v;
}

typedef struct walk {
    pk_fold f;
    int64_t stored_events;
    int rc;
} walk;

static int fold_one(void *ctx, const pk_event *e)
{
    walk *w = ctx;
    w->stored_events++;
    pk_code why;
    int rc = pk_fold_apply(&w->f, e, &why);
    return rc == PK_EINVAL ? 0 : rc; /* refused: skipped, as app/journey.c folds */
}

/* t += v, or t->overflow set (and the sum left as it was): a sum past
 * int64_t cannot be a programme's money, and UB is not an answer. */
static void plus(pk_ledger_totals *t, int64_t *acc, int64_t v)
{
    int64_t s;
    if (__builtin_add_overflow(*acc, v, &s))
        t->overflow = true;
    else
        *acc = s;
}

static void add(pk_ledger_totals *t, const pk_journey *j)
{
    plus(t, &t->credited, j->credited);
    plus(t, &t->spent, j->spent);
    plus(t, &t->refunded, j->refunded);
    plus(t, &t->remaining, j->balance);
    plus(t, &t->lapsed, j->lapsed);
}

/* credited = spent - refunded + remaining + lapsed, without overflow */
static bool adds_up(int64_t credited, int64_t spent, int64_t refunded, int64_t remaining,
                    int64_t lapsed)
{
    int64_t v;
    return !__builtin_sub_overflow(spent, refunded, &v) &&
           !__builtin_add_overflow(v, remaining, &v) &&
           !__builtin_add_overflow(v, lapsed, &v) && v == credited;
}

static void differs(pk_ledger_diff_cb cb, void *ctx, int64_t id, const char *name,
                    int64_t stored, int64_t folded)
{
    pk_ledger_diff d = {id, name, stored, folded};
    if (cb != NULL)
        cb(ctx, &d);
}

/* Checks one participant inside tx. */
static int check(const pk_app *app, pk_tx *tx, int64_t id, pk_ledger_report *out,
                 pk_ledger_diff_cb cb, void *ctx)
{
    walk w = {.stored_events = 0};
    pk_journey_fold_init(&w.f, id, tx);
    int rc = pk_tx_events_of(tx, id, fold_one, &w);
    pk_journey st;
    bool none = false; /* events and no stored state */
    if (rc == 0 && (rc = pk_store_journey_get(app->store, id, &st)) == PK_ENOENT) {
        memset(&st, 0, sizeof(st));
        st.participant_id = id;
        none = true;
        rc = 0;
    }
    if (rc != 0) {
        pk_fold_free(&w.f);
        return rc;
    }
    const pk_journey *j = &w.f.j;
    bool bad = false;
    out->participants++;
    out->events += w.stored_events;
    add(&out->stored, &st);
    add(&out->folded, j);
    if (none) { /* every field would differ: one line says it */
        differs(cb, ctx, id, "journey", 0, w.stored_events);
        out->mismatched++;
        pk_fold_free(&w.f);
        return 0;
    }
    if (st.status != j->status) {
        differs(cb, ctx, id, "status", st.status, j->status);
        bad = true;
    }
    if (strcmp(st.payout, j->payout) != 0) {
        differs(cb, ctx, id, "payout", 0, 0);
        bad = true;
    }
    for (size_t i = 0; i < PK_ARRAY_LEN(fields); i++)
        if (field(&st, i) != field(j, i)) {
            differs(cb, ctx, id, fields[i].name, field(&st, i), field(j, i));
            bad = true;
        }
    /* the stored row's own parts */
    int64_t parts = 0; /* what the balance should be; 0 when it overflows */
    if (__builtin_sub_overflow(st.credited, st.spent, &parts) ||
        __builtin_add_overflow(parts, st.refunded, &parts) ||
        __builtin_sub_overflow(parts, st.lapsed, &parts))
        parts = 0;
    if (!adds_up(st.credited, st.spent, st.refunded, st.balance, st.lapsed) || st.balance < 0) {
        differs(cb, ctx, id, "saldo", st.balance, parts);
        bad = true;
    }
    out->mismatched += bad;
    pk_fold_free(&w.f);
    return 0;
}

int pk_ledger_verify(const pk_app *app, pk_ledger_report *out, pk_ledger_diff_cb cb, void *ctx)
{
    memset(out, 0, sizeof(*out));
    int64_t ids[PAGE], after = 0;
    int rc = 0;
    for (;;) {
        pk_tx *tx = NULL;
        size_t n = 0;
        if ((rc = pk_store_begin(app->store, &tx)) != 0)
            break;
        rc = pk_tx_journey_ids(tx, after, PAGE, ids, &n);
        for (size_t i = 0; rc == 0 && i < n; i++)
            rc = check(app, tx, ids[i], out, cb, ctx);
        pk_tx_rollback(tx); /* read only */
        if (rc != 0 || n < PAGE)
            break;
        after = ids[n - 1];
    }
    const pk_ledger_totals *t = &out->stored;
    const pk_ledger_totals *u = &out->folded;
    out->balanced = !t->overflow && !u->overflow &&
                    adds_up(t->credited, t->spent, t->refunded, t->remaining, t->lapsed) &&
                    t->credited == u->credited && t->spent == u->spent &&
                    t->refunded == u->refunded && t->remaining == u->remaining &&
                    t->lapsed == u->lapsed;
    return rc;
}
