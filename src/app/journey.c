/* journey.c -- appending events to a participant's journey and keeping
 * its derived state up to date (journey.h): the one rule of every writer
 * (jn_decide), one person's append, the refold.  Many people's events at
 * once, and the ways onto a stored state, are journey_many.c's. */
#include "app/journey_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/store.h"

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

int jn_collect(void *ctx, const pk_event *e)
{
    evlist *l = ctx;
    int rc = evlist_grow(l, l->n + 1);
    if (rc == 0)
        l->v[l->n++] = *e;
    return rc;
}

static int tx_purchase_by(void *tx, int64_t wave, int64_t selected_at, int64_t *by)
{
    return pk_tx_purchase_by(tx, wave, selected_at, by);
}

void pk_journey_fold_init(pk_fold *f, int64_t participant_id, pk_tx *tx)
{
    pk_fold_init(f, participant_id);
    f->purchase_by = tx_purchase_by;
    f->purchase_by_ctx = tx;
}

checker jn_checker_of(pk_append_check_fn fn, void *ctx, pk_tx *tx)
{
    return (checker){fn, ctx, tx, tx_purchase_by, tx};
}

void jn_fold_init(pk_fold *f, int64_t participant_id, const checker *ck)
{
    pk_fold_init(f, participant_id);
    f->purchase_by = ck->by;
    f->purchase_by_ctx = ck->by_ctx;
}

/* Folds l in order into f (initialised).  A stored event the fold
 * refuses (the programme office's, kept although it broke a rule when it
 * came, or made to break one by an older event of the office that came
 * later; one judged by rules changed since) is skipped.  code (l->n of
 * them, or NULL) receives each event's refusal, PK_C__COUNT for one
 * applied.  The event at index `from` is the new one being placed: the
 * caller's rule (ck, when it has one) judges it too, and *ck_refused
 * (may be NULL) says whether it refused it. */
static int fold_all(const evlist *l, pk_fold *f, size_t from, pk_code *code, const checker *ck,
                    bool *ck_refused)
{
    for (size_t i = 0; i < l->n; i++) {
        pk_code c = PK_C__COUNT;
        int rc = 0;
        if (i == from && ck != NULL && ck->fn != NULL) {
            rc = ck->fn(ck->ctx, ck->tx, &f->j, &l->v[i], &c);
            if (ck_refused != NULL)
                *ck_refused = rc == PK_EINVAL;
        }
        if (rc == 0)
            rc = pk_fold_apply(f, &l->v[i], &c);
        if (rc != 0 && rc != PK_EINVAL)
            return rc;
        if (code != NULL)
            code[i] = rc == PK_EINVAL ? c : PK_C__COUNT;
    }
    return 0;
}

/* The order in which new events are taken: (at, seq), then array order. */
int jn_by_order(const void *a, const void *b, void *base)
{
    const pk_event *ev = base;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    int c = pk_event_cmp(&ev[i], &ev[j]);
    return c != 0 ? c : (i > j) - (i < j);
}

bool jn_same_ref(const pk_event *a, const pk_event *b)
{
    return a->source == b->source && strcmp(a->ref, b->ref) == 0;
}

/* Two rows of one ref saying the same (the person's, of course) */
static bool same_event(const pk_event *a, const pk_event *b)
{
    return a->type == b->type && a->at == b->at && a->wave == b->wave &&
           a->amount == b->amount && a->k == b->k && strcmp(a->course, b->course) == 0 &&
           strcmp(a->platform, b->platform) == 0 && strcmp(a->ref_asal, b->ref_asal) == 0 &&
           strcmp(a->note, b->note) == 0;
}

int pk_journey_append(pk_tx *tx, int64_t participant_id, pk_event *ev, size_t n,
                      pk_append_result *out)
{
    return pk_journey_append_checked(tx, participant_id, ev, n, out, NULL, NULL, NULL);
}


int pk_journey_append_get(pk_tx *tx, int64_t participant_id, pk_event *ev, size_t n,
                          pk_append_result *out, pk_journey *state)
{
    return pk_journey_append_checked(tx, participant_id, ev, n, out, NULL, NULL, state);
}

int pk_journey_append_checked(pk_tx *tx, int64_t participant_id, pk_event *ev, size_t n,
                              pk_append_result *out, pk_append_check_fn check, void *ctx,
                              pk_journey *state)
{
    return jn_append(tx, participant_id, ev, n, out, check, ctx, state, true);
}

/* One new event, looked up first, that comes after everything the person
 * has (a platform's purchase, as it happens): the stored state and the
 * event are all the fold needs (pk_journey_apply_last), not the whole
 * journey read and folded again; the stored state is also what the
 * caller's check sees just before it.  *done false: not that case (no
 * state stored, a later event stored, a type that needs the history, the
 * programme office's event, which jn_decide() keeps when refused), and
 * nothing was written. */
static int append_last(pk_tx *tx, int64_t participant_id, pk_event *ev,
                       pk_append_result *out, pk_append_check_fn check, void *ctx,
                       pk_journey *state, bool *done)
{
    *done = false;
    if (ev->type == PK_EV_PEMBATALAN || ev->source == PK_SRC_PMO)
        return 0;
    pk_journey j;
    bool last = false;
    int rc = pk_tx_journey_tail(tx, participant_id, ev->at, ev->seq, &j, &last);
    if (rc == PK_ENOENT || (rc == 0 && (!last || !pk_journey_applies_alone(&j, ev->type))))
        return 0;
    if (rc != 0)
        return rc;
    ev->participant_id = participant_id;
    ev->id = 0;
    *out = (pk_append_result){PK_APPEND_INSERTED, PK_C__COUNT, false, 0, false};
    int64_t who;
    rc = pk_tx_event_find(tx, ev->source, ev->ref, &who);
    if (rc == 0)
        out->verdict = PK_APPEND_DUPLICATE;
    else if (rc != PK_ENOENT)
        return rc;
    else if (check != NULL && (rc = check(ctx, tx, &j, ev, &out->why)) != 0) {
        if (rc != PK_EINVAL)
            return rc;
        out->verdict = PK_APPEND_REJECTED;
    } else if ((rc = pk_journey_apply_last(&j, ev, &out->why)) == PK_EINVAL)
        out->verdict = PK_APPEND_REJECTED;
    else if (rc != 0)
        return rc;
    else if ((rc = pk_tx_events_insert(tx, 1, ev)) != 0 ||
             (rc = pk_tx_journey_put(tx, &j)) != 0)
        return rc;
    if (state != NULL)
        *state = j;
    *done = true;
    return 0;
}

int jn_sink_add(sink *k, pk_event *e)
{
    if (k->ev.n == k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 16;
        pk_event **d = realloc(k->dst, cap * sizeof(*d));
        if (d == NULL)
            return PK_ENOMEM;
        k->dst = d, k->cap = cap;
    }
    int rc = jn_collect(&k->ev, e);
    if (rc == 0)
        k->dst[k->ev.n - 1] = e;
    return rc;
}

void jn_sink_free(sink *k)
{
    free(k->ev.v);
    free(k->dst);
}

/* Inserts the sink's events and fills in the callers' ids. */
int jn_sink_insert(pk_tx *tx, sink *k)
{
    if (k->ev.n == 0)
        return 0;
    int rc = pk_tx_events_insert(tx, k->ev.n, k->ev.v);
    for (size_t i = 0; rc == 0 && i < k->ev.n; i++)
        k->dst[i]->id = k->ev.v[i].id;
    return rc;
}

/* The new events of participant_id: each made theirs, verdict inserted
 * unless its (source, ref) came earlier in ev (a duplicate). */
void jn_mark_new(int64_t participant_id, pk_event *ev, size_t n, pk_append_result *out)
{
    for (size_t i = 0; i < n; i++) {
        ev[i].participant_id = participant_id;
        ev[i].id = 0;
        out[i] = (pk_append_result){PK_APPEND_INSERTED, PK_C__COUNT, false, 0, false};
        for (size_t j = 0; j < i && out[i].verdict == PK_APPEND_INSERTED; j++)
            if (out[j].verdict != PK_APPEND_DUPLICATE && jn_same_ref(&ev[i], &ev[j]))
                out[i].verdict = PK_APPEND_DUPLICATE;
    }
}

/* Whether a new event that breaks a rule where it stands is stored all
 * the same, and skipped by every fold (kept): the programme office's, for
 * a rule that a later file of older events can make it meet -- no lolos
 * yet (belum_penerima), not enough balance (saldo_tidak_cukup), a
 * cancellation of a purchase not known yet (pembelian_tidak_dikenal), a
 * sum past 64 bits (kolom_tidak_valid).  Its row is reported rejected, as
 * the spec says; kept, the file that brings what it lacked makes it
 * apply, so the journey is the same whatever order the office's files
 * come in.  A rule no older event can undo (selected or revoked before,
 * cancelled before, another amount than the purchase's) is not kept: the
 * office can send the row again corrected under its ref.  Never a row
 * this deployment wrote (lokal), nor one a caller's rule refused. */
static bool keeps(const pk_event *e, pk_code why, bool refused_by_caller)
{
    return e->source == PK_SRC_PMO && !refused_by_caller &&
           (why == PK_C_BELUM_PENERIMA || why == PK_C_SALDO_TIDAK_CUKUP ||
            why == PK_C_PEMBELIAN_TIDAK_DIKENAL || why == PK_C_KOLOM_TIDAK_VALID);
}

/* *p (of *cap codes) able to hold n */
static int codes_room(pk_code **p, size_t *cap, size_t n)
{
    if (n <= *cap)
        return 0;
    size_t c = *cap ? *cap : 16;
    while (c < n)
        c *= 2;
    pk_code *v = realloc(*p, c * sizeof(*v));
    if (v == NULL)
        return PK_ENOMEM;
    *p = v, *cap = c;
    return 0;
}

/* One person's new events ev[0..n) (out[i]: inserted so far, or a
 * duplicate) against their stored ones, `all` in order (it receives the
 * accepted too): each taken in (at, seq) order and merged at its place.
 * One that breaks a rule there is rejected (out[i]), and stored all the
 * same when keeps() says so.  The programme office's (pmo) event that
 * comes before stored pmo events and makes some of them break a rule is
 * taken, and they are skipped by every fold from then on: the office's
 * history read in time order, whatever order its files came in (the
 * spec: "a file may arrive late or twice: the result is the same").  Any
 * other event that would make a stored one break a rule is rejected: what
 * this deployment wrote and acknowledged (lokal: a platform's purchase,
 * the draw, the daily job) is never undone, by a file or by its own later
 * writes.  A duplicate of a stored event the journey skips is rejected
 * again with its rule.  f (initialised) receives the state; the accepted
 * and kept go to `fresh` in (at, seq) order, so ids ascend with it; the
 * first new event's made_inert counts the stored events that applied
 * before and no longer do. */
int jn_decide(const checker *ck, int64_t participant_id, evlist *all, pk_event *ev,
                  size_t n, pk_append_result *out, pk_fold *f, sink *fresh)
{
    pk_fold g;
    jn_fold_init(&g, participant_id, ck);
    size_t *order = NULL, nbase = all->n, cbase = 0, cwas = 0, cnow = 0;
    /* base: each stored event's refusal before this call; was: each of
     * `all`'s as it stands (kept up to date by every placing); now: the
     * refusals with a new event placed */
    pk_code why = PK_C__COUNT, *base = NULL, *was = NULL, *now = NULL;
    bool moved = false;
    int rc = codes_room(&base, &cbase, nbase);
    if (rc == 0)
        rc = codes_room(&was, &cwas, nbase);
    if (rc == 0)
        rc = fold_all(all, f, SIZE_MAX, base, NULL, NULL);
    if (rc != 0)
        goto out;
    if (nbase > 0)
        memcpy(was, base, nbase * sizeof(*was));
    order = malloc((n ? n : 1) * sizeof(*order));
    if (order == NULL) {
        rc = PK_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    qsort_r(order, n, sizeof(*order), jn_by_order, ev);
    for (size_t k = 0; k < n; k++) {
        size_t i = order[k];
        if (out[i].verdict != PK_APPEND_INSERTED)
            continue;
        if ((rc = evlist_grow(all, all->n + 1)) != 0 ||
            (rc = codes_room(&was, &cwas, all->n + 1)) != 0 ||
            (rc = codes_room(&now, &cnow, all->n + 1)) != 0)
            goto out;
        if (all->n == 0 || pk_event_cmp(&all->v[all->n - 1], &ev[i]) <= 0) {
            /* after everything: the state so far decides */
            int r = ck->fn != NULL ? ck->fn(ck->ctx, ck->tx, &f->j, &ev[i], &why) : 0;
            bool by_ck = r == PK_EINVAL;
            if (r == 0)
                r = pk_fold_apply(f, &ev[i], &why);
            if (r != 0 && r != PK_EINVAL) {
                rc = r;
                goto out;
            }
            if (r == PK_EINVAL) {
                out[i].verdict = PK_APPEND_REJECTED;
                out[i].why = why;
                if (!keeps(&ev[i], why, by_ck))
                    continue;
                out[i].kept = true; /* stored, and skipped: the state is as it was */
            }
            was[all->n] = r == PK_EINVAL ? why : PK_C__COUNT;
            all->v[all->n++] = ev[i];
            continue;
        }
        /* in the middle: the journey is folded again with it at its place,
         * and what each event's fold says compared with before */
        size_t at = all->n;
        while (at > 0 && pk_event_cmp(&all->v[at - 1], &ev[i]) > 0)
            at--;
        memmove(&all->v[at + 1], &all->v[at], (all->n - at) * sizeof(*all->v));
        all->v[at] = ev[i];
        all->n++;
        pk_fold_free(&g);
        jn_fold_init(&g, participant_id, ck);
        bool by_ck = false;
        if ((rc = fold_all(all, &g, at, now, ck, &by_ck)) != 0)
            goto out;
        why = now[at]; /* refused: it, or an event it would break that is not the
                        * office's own later history */
        for (size_t x = at + 1; why == PK_C__COUNT && x < all->n; x++)
            if (now[x] != PK_C__COUNT && was[x - 1] == PK_C__COUNT &&
                !(ev[i].source == PK_SRC_PMO && all->v[x].source == PK_SRC_PMO))
                why = now[x];
        if (why != PK_C__COUNT) {
            out[i].verdict = PK_APPEND_REJECTED;
            out[i].why = why;
            if (now[at] == PK_C__COUNT || !keeps(&ev[i], why, by_ck)) {
                memmove(&all->v[at], &all->v[at + 1], (all->n - at - 1) * sizeof(*all->v));
                all->n--; /* was still holds */
                continue;
            }
            out[i].kept = true; /* stored, and skipped: nothing else changes */
        }
        pk_code *t = was; /* now is `all`'s */
        was = now, now = t;
        size_t tc = cwas;
        cwas = cnow, cnow = tc;
        moved = true;
        if (out[i].verdict == PK_APPEND_INSERTED) {
            pk_fold tmp = *f;
            *f = g;
            g = tmp;
        }
    }
    /* the stored events as the journey now judges them: those it no
     * longer applies, and duplicates of skipped ones */
    bool dups = false;
    for (size_t i = 0; i < n; i++) {
        if (out[i].verdict != PK_APPEND_DUPLICATE)
            continue;
        dups = true;
        /* the same event, or another under its ref (the stored one, else
         * the batch's first row of it, else another person's) */
        const pk_event *first = NULL;
        for (size_t x = 0; first == NULL && x < all->n; x++)
            if (jn_same_ref(&all->v[x], &ev[i]))
                first = &all->v[x];
        for (size_t j = 0; first == NULL && j < i; j++)
            if (out[j].verdict != PK_APPEND_DUPLICATE && jn_same_ref(&ev[j], &ev[i]))
                first = &ev[j];
        out[i].differs = first == NULL || !same_event(first, &ev[i]);
    }
    if (moved || dups) {
        uint32_t inert = 0;
        for (size_t x = 0, b = 0; x < all->n && b < nbase; x++)
            if (all->v[x].id != 0) /* stored before this call, in the same order */
                inert += base[b++] == PK_C__COUNT && was[x] != PK_C__COUNT;
        if (n > 0)
            out[order[0]].made_inert = inert;
        for (size_t i = 0; i < n; i++)
            for (size_t x = 0; out[i].verdict == PK_APPEND_DUPLICATE && x < all->n; x++)
                if (was[x] != PK_C__COUNT && jn_same_ref(&all->v[x], &ev[i])) {
                    out[i].verdict = PK_APPEND_REJECTED;
                    out[i].why = was[x];
                }
    }
    /* the accepted and the kept, in order */
    for (size_t k = 0; k < n && rc == 0; k++)
        if (out[order[k]].verdict == PK_APPEND_INSERTED || out[order[k]].kept)
            rc = jn_sink_add(fresh, &ev[order[k]]);
out:
    pk_fold_free(&g);
    free(order);
    free(base);
    free(was);
    free(now);
    return rc;
}

/* look_up: each new (source, ref) is looked up among the stored events
 * (a duplicate); without, a stored one fails the insert (PK_ECONFLICT). */
int jn_append(pk_tx *tx, int64_t participant_id, pk_event *ev, size_t n,
                  pk_append_result *out, pk_append_check_fn check, void *ctx,
                  pk_journey *state, bool look_up)
{
    if (n == 1 && look_up) {
        bool done;
        int rc = append_last(tx, participant_id, ev, out, check, ctx, state, &done);
        if (rc != 0 || done)
            return rc;
    }
    const checker ck = jn_checker_of(check, ctx, tx);
    evlist all = {0};
    sink fresh = {0};
    pk_fold f;
    pk_journey_fold_init(&f, participant_id, tx);
    int rc = pk_tx_events_of(tx, participant_id, jn_collect, &all);
    if (rc != 0)
        goto out;
    /* duplicates: in the batch, or stored (for anyone) */
    jn_mark_new(participant_id, ev, n, out);
    for (size_t i = 0; look_up && i < n; i++) {
        if (out[i].verdict != PK_APPEND_INSERTED)
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
    if ((rc = jn_decide(&ck, participant_id, &all, ev, n, out, &f, &fresh)) != 0)
        goto out;
    if (fresh.ev.n > 0 && (rc = jn_sink_insert(tx, &fresh)) == 0)
        rc = pk_tx_journey_put(tx, &f.j);
    if (rc == 0 && state != NULL)
        *state = f.j;
out:
    pk_fold_free(&f);
    free(all.v);
    jn_sink_free(&fresh);
    return rc;
}

int pk_journey_refold(pk_tx *tx, int64_t participant_id, pk_journey *out)
{
    evlist all = {0};
    pk_fold f;
    pk_journey_fold_init(&f, participant_id, tx);
    int rc = pk_tx_events_of(tx, participant_id, jn_collect, &all);
    if (rc == 0)
        rc = fold_all(&all, &f, SIZE_MAX, NULL, NULL, NULL);
    if (rc == 0 && all.n > 0)
        rc = pk_tx_journey_put(tx, &f.j);
    if (rc == 0 && out != NULL)
        *out = f.j;
    pk_fold_free(&f);
    free(all.v);
    return rc;
}
