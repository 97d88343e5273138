/* journey.c -- appending events to a participant's journey and keeping
 * its derived state up to date (journey.h). */
#include "app/journey.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

/* A growable array of events. */
typedef struct evlist {
    pk_event *v;
    size_t n, cap;
} evlist;

static int evlist_grow(evlist *l, size_t want)
{
    if (want <= l->cap)
        return 0;
    size_t cap = l->cap ? l->cap : 8;
    while (cap < want)
        cap *= 2;
    pk_event *v = realloc(l->v, cap * sizeof(*v));
    if (v == NULL)
        return PK_ENOMEM;
    l->v = v, l->cap = cap;
    return 0;
}

static int collect(void *ctx, const pk_event *e)
{
    evlist *l = ctx;
    int rc = evlist_grow(l, l->n + 1);
    if (rc == 0)
        l->v[l->n++] = *e;
    return rc;
}

/* The caller's own rule for its new events (pk_journey_append_checked). */
typedef struct checker {
    pk_append_check_fn fn;
    void *ctx;
    pk_tx *tx;
} checker;

/* Folds l in order into f (initialised).  *nbad receives how many events
 * were refused (a stored event refused, by rules that changed since it
 * was accepted, is skipped), *why the code of the first refused at index
 * `from` or later.  The event at index `from` is the new one being
 * placed: the caller's rule (ck, when it has one) judges it too. */
static int fold_all(const evlist *l, pk_fold *f, size_t from, size_t *nbad, pk_code *why,
                    const checker *ck)
{
    *nbad = 0;
    bool seen = false;
    for (size_t i = 0; i < l->n; i++) {
        pk_code c = PK_C__COUNT;
        int rc = 0;
        if (i == from && ck != NULL && ck->fn != NULL)
            rc = ck->fn(ck->ctx, ck->tx, &f->j, &l->v[i], &c);
        if (rc == 0)
            rc = pk_fold_apply(f, &l->v[i], &c);
        if (rc == PK_EINVAL) {
            ++*nbad;
            if (i >= from && !seen)
                *why = c, seen = true;
            continue;
        }
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* The order in which new events are taken: (at, seq), then array order. */
static int by_order(const void *a, const void *b, void *base)
{
    const pk_event *ev = base;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    int c = pk_event_cmp(&ev[i], &ev[j]);
    return c != 0 ? c : (i > j) - (i < j);
}

static bool same_ref(const pk_event *a, const pk_event *b)
{
    return a->source == b->source && strcmp(a->ref, b->ref) == 0;
}

int pk_journey_append(pk_tx *tx, int64_t participant_id, pk_event *ev, size_t n,
                      pk_append_result *out)
{
    return pk_journey_append_checked(tx, participant_id, ev, n, out, NULL, NULL, NULL);
}

static int append(pk_tx *tx, int64_t participant_id, pk_event *ev, size_t n,
                  pk_append_result *out, pk_append_check_fn check, void *ctx,
                  pk_journey *state, bool look_up);

int pk_journey_append_get(pk_tx *tx, int64_t participant_id, pk_event *ev, size_t n,
                          pk_append_result *out, pk_journey *state)
{
    return pk_journey_append_checked(tx, participant_id, ev, n, out, NULL, NULL, state);
}

int pk_journey_append_checked(pk_tx *tx, int64_t participant_id, pk_event *ev, size_t n,
                              pk_append_result *out, pk_append_check_fn check, void *ctx,
                              pk_journey *state)
{
    return append(tx, participant_id, ev, n, out, check, ctx, state, true);
}

int pk_journey_append_fresh(pk_tx *tx, int64_t participant_id, pk_event *ev, size_t n,
                            pk_append_result *out)
{
    return append(tx, participant_id, ev, n, out, NULL, NULL, NULL, false);
}

/* look_up: each new (source, ref) is looked up among the stored events
 * (a duplicate); without, a stored one fails the insert (PK_ECONFLICT). */
static int append(pk_tx *tx, int64_t participant_id, pk_event *ev, size_t n,
                  pk_append_result *out, pk_append_check_fn check, void *ctx,
                  pk_journey *state, bool look_up)
{
    const checker ck = {check, ctx, tx};
    evlist all = {0}, fresh = {0};
    size_t *order = NULL;
    pk_fold f, g;
    pk_fold_init(&f, participant_id);
    pk_fold_init(&g, participant_id);
    int rc = pk_tx_events_of(tx, participant_id, collect, &all);
    if (rc != 0)
        goto out;
    /* duplicates: in the batch, or stored (for anyone) */
    for (size_t i = 0; i < n; i++) {
        ev[i].participant_id = participant_id;
        ev[i].id = 0;
        out[i].verdict = PK_APPEND_INSERTED;
        out[i].why = PK_C__COUNT;
        for (size_t j = 0; j < i && out[i].verdict == PK_APPEND_INSERTED; j++)
            if (out[j].verdict != PK_APPEND_DUPLICATE && same_ref(&ev[i], &ev[j]))
                out[i].verdict = PK_APPEND_DUPLICATE;
        if (out[i].verdict != PK_APPEND_INSERTED || !look_up)
            continue;
        int64_t who;
        int r = pk_tx_event_find(tx, ev[i].source, ev[i].ref, &who);
        if (r == 0)
            out[i].verdict = PK_APPEND_DUPLICATE;
        else if (r != PK_ENOENT) {
            rc = r;
            goto out;
        }
    }
    size_t bad, now_bad;
    pk_code why = PK_C__COUNT;
    if ((rc = fold_all(&all, &f, SIZE_MAX, &bad, &why, NULL)) != 0)
        goto out;
    order = malloc((n ? n : 1) * sizeof(*order));
    if (order == NULL) {
        rc = PK_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    qsort_r(order, n, sizeof(*order), by_order, ev);
    for (size_t k = 0; k < n; k++) {
        size_t i = order[k];
        if (out[i].verdict != PK_APPEND_INSERTED)
            continue;
        if ((rc = evlist_grow(&all, all.n + 1)) != 0)
            goto out;
        if (all.n == 0 || pk_event_cmp(&all.v[all.n - 1], &ev[i]) <= 0) {
            /* after everything: the state so far decides */
            int r = check != NULL ? check(ctx, tx, &f.j, &ev[i], &why) : 0;
            if (r == 0)
                r = pk_fold_apply(&f, &ev[i], &why);
            if (r == PK_EINVAL) {
                out[i].verdict = PK_APPEND_REJECTED;
                out[i].why = why;
                continue;
            }
            if (r != 0) {
                rc = r;
                goto out;
            }
            all.v[all.n++] = ev[i];
            continue;
        }
        /* in the middle: the journey is folded again with it at its place */
        size_t at = all.n;
        while (at > 0 && pk_event_cmp(&all.v[at - 1], &ev[i]) > 0)
            at--;
        memmove(&all.v[at + 1], &all.v[at], (all.n - at) * sizeof(*all.v));
        all.v[at] = ev[i];
        all.n++;
        pk_fold_free(&g);
        pk_fold_init(&g, participant_id);
        if ((rc = fold_all(&all, &g, at, &now_bad, &why, &ck)) != 0)
            goto out;
        /* refused: it, or a later event it would break */
        if (now_bad > bad) {
            out[i].verdict = PK_APPEND_REJECTED;
            out[i].why = why;
            memmove(&all.v[at], &all.v[at + 1], (all.n - at - 1) * sizeof(*all.v));
            all.n--;
            continue;
        }
        pk_fold tmp = f;
        f = g;
        g = tmp;
    }
    /* the accepted, in order: ids ascend with (at, seq) */
    for (size_t k = 0; k < n; k++) {
        size_t i = order[k];
        if (out[i].verdict == PK_APPEND_INSERTED && (rc = collect(&fresh, &ev[i])) != 0)
            goto out;
    }
    if (fresh.n > 0) {
        if ((rc = pk_tx_events_insert(tx, fresh.n, fresh.v)) != 0)
            goto out;
        size_t m = 0;
        for (size_t k = 0; k < n; k++) {
            size_t i = order[k];
            if (out[i].verdict == PK_APPEND_INSERTED)
                ev[i].id = fresh.v[m++].id;
        }
        rc = pk_tx_journey_put(tx, &f.j);
    }
    if (rc == 0 && state != NULL)
        *state = f.j;
out:
    pk_fold_free(&f);
    pk_fold_free(&g);
    free(order);
    free(all.v);
    free(fresh.v);
    return rc;
}

/* Whether e's fold reads only the state (not the purchases a fold
 * remembers), so that it can be applied to a stored state. */
static bool state_only(const pk_event *e)
{
    return e->type == PK_EV_DICABUT || e->type == PK_EV_SALDO_HANGUS;
}

int pk_journey_append_tail(pk_tx *tx, int64_t participant_id, pk_event *ev, size_t n,
                           pk_append_result *out)
{
    pk_fold f;
    pk_fold_init(&f, participant_id);
    int rc = pk_tx_journey_state(tx, participant_id, &f.j);
    if (rc == PK_ENOENT)
        return pk_journey_append(tx, participant_id, ev, n, out);
    if (rc != 0)
        return rc;
    size_t order[8];
    if (n == 0 || n > sizeof(order) / sizeof(order[0]))
        return pk_journey_append(tx, participant_id, ev, n, out);
    for (size_t i = 0; i < n; i++) {
        ev[i].participant_id = participant_id;
        ev[i].id = 0;
        if (!state_only(&ev[i]) || ev[i].at <= f.j.last_at)
            return pk_journey_append(tx, participant_id, ev, n, out);
        for (size_t j = 0; j < i; j++)
            if (same_ref(&ev[i], &ev[j]))
                return pk_journey_append(tx, participant_id, ev, n, out);
        int64_t who;
        int r = pk_tx_event_find(tx, ev[i].source, ev[i].ref, &who);
        if (r == 0)
            return pk_journey_append(tx, participant_id, ev, n, out);
        if (r != PK_ENOENT)
            return r;
        order[i] = i;
    }
    qsort_r(order, n, sizeof(*order), by_order, ev);
    pk_event fresh[8];
    size_t nf = 0;
    for (size_t k = 0; k < n; k++) {
        size_t i = order[k];
        pk_code why = PK_C__COUNT;
        out[i].why = PK_C__COUNT;
        rc = pk_fold_apply(&f, &ev[i], &why);
        if (rc == PK_EINVAL) {
            out[i].verdict = PK_APPEND_REJECTED;
            out[i].why = why;
            continue;
        }
        if (rc != 0)
            goto out;
        out[i].verdict = PK_APPEND_INSERTED;
        fresh[nf++] = ev[i];
    }
    rc = 0;
    if (nf > 0) {
        if ((rc = pk_tx_events_insert(tx, nf, fresh)) != 0)
            goto out;
        size_t m = 0;
        for (size_t k = 0; k < n; k++)
            if (out[order[k]].verdict == PK_APPEND_INSERTED)
                ev[order[k]].id = fresh[m++].id;
        rc = pk_tx_journey_put(tx, &f.j);
    }
out:
    pk_fold_free(&f);
    return rc;
}

int pk_journey_refold(pk_tx *tx, int64_t participant_id, pk_journey *out)
{
    evlist all = {0};
    pk_fold f;
    pk_fold_init(&f, participant_id);
    int rc = pk_tx_events_of(tx, participant_id, collect, &all);
    size_t bad;
    pk_code why;
    if (rc == 0)
        rc = fold_all(&all, &f, SIZE_MAX, &bad, &why, NULL);
    if (rc == 0 && all.n > 0)
        rc = pk_tx_journey_put(tx, &f.j);
    if (rc == 0 && out != NULL)
        *out = f.j;
    pk_fold_free(&f);
    free(all.v);
    return rc;
}
