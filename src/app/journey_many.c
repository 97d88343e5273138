/* journey_many.c -- many people's events at once (journey.h):
 * pk_journey_append_many and its two halves (judged without the store,
 * then written), and the ways onto a stored state for events that come
 * after everything stored (pk_journey_append_tail, the daily job's;
 * pk_journey_append_fresh_many, the draw's).  Every verdict is
 * journey.c's rule (jn_decide, or the fold onto the stored state where
 * that gives the same). */
#include "app/journey_int.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* pk_tx_events_of_many's events into each group's list (the groups in
 * ascending order of participant, as the events come). */
typedef struct many {
    const pk_append_group *g;
    evlist *all;
    size_t ng, cur;
} many;

static int collect_many(void *ctx, const pk_event *e)
{
    many *m = ctx;
    while (m->cur < m->ng && m->g[m->cur].participant_id < e->participant_id)
        m->cur++;
    if (m->cur == m->ng || m->g[m->cur].participant_id != e->participant_id)
        return PK_EIO; /* not asked for */
    return jn_collect(&m->all[m->cur], e);
}

/* How many events the groups hold: 0, or PK_EINVAL when their
 * participants are not in strictly ascending order. */
static int groups_total(const pk_append_group *g, size_t ng, size_t *total)
{
    *total = 0;
    for (size_t k = 0; k < ng; k++) {
        if (k > 0 && g[k].participant_id <= g[k - 1].participant_id)
            return PK_EINVAL;
        *total += g[k].n;
    }
    return 0;
}

/* Events judged, not yet written: those to store, in (at, seq) order per
 * person, and the people's states (journey.h). */
struct pk_judged {
    sink fresh;
    pk_journey *js;
    size_t nj, jcap;
    evlist none; /* the stored events of people who have none */
    bool unstored; /* judged by pk_journey_judge_unstored: no state stored */
};

pk_judged *pk_judged_new(void)
{
    return calloc(1, sizeof(pk_judged));
}

void pk_judged_free(pk_judged *j)
{
    if (j == NULL)
        return;
    jn_sink_free(&j->fresh);
    free(j->js);
    free(j->none.v);
    free(j);
}

/* Room in j for one more state. */
static int judged_room(pk_judged *j)
{
    if (j->nj < j->jcap)
        return 0;
    size_t cap = j->jcap ? j->jcap * 2 : 64;
    pk_journey *v = realloc(j->js, cap * sizeof(*v));
    if (v == NULL)
        return PK_ENOMEM;
    j->js = v, j->jcap = cap;
    return 0;
}

/* Each group judged against its stored events (all[k], or none when all
 * is NULL) into j. */
static int judge_groups(const checker *ck, pk_append_group *g, size_t ng, evlist *all,
                        pk_judged *j)
{
    int rc = 0;
    for (size_t k = 0; k < ng && rc == 0; k++) {
        if ((rc = judged_room(j)) != 0)
            return rc;
        evlist *stored = all != NULL ? &all[k] : &j->none;
        if (all == NULL)
            j->none.n = 0; /* jn_decide adds the accepted */
        pk_fold f;
        jn_fold_init(&f, g[k].participant_id, ck);
        size_t before = j->fresh.ev.n;
        rc = jn_decide(ck, g[k].participant_id, stored, g[k].ev, g[k].n, g[k].out, &f, &j->fresh);
        if (rc == 0 && j->fresh.ev.n > before)
            j->js[j->nj++] = f.j;
        pk_fold_free(&f);
    }
    return rc;
}

int pk_journey_judge_unstored(pk_append_group *g, size_t ng, pk_purchase_by_fn by,
                              void *by_ctx, pk_judged *j)
{
    size_t total;
    if (groups_total(g, ng, &total) != 0)
        return PK_EINVAL;
    j->fresh.ev.n = j->nj = 0;
    j->unstored = true;
    const checker ck = {NULL, NULL, NULL, by, by_ctx};
    for (size_t k = 0; k < ng; k++)
        jn_mark_new(g[k].participant_id, g[k].ev, g[k].n, g[k].out);
    return judge_groups(&ck, g, ng, NULL, j);
}

int pk_journey_write_judged(pk_tx *tx, pk_judged *j)
{
    int rc = jn_sink_insert(tx, &j->fresh);
    if (rc == 0 && j->nj > 0)
        rc = pk_tx_journeys_put(tx, j->nj, j->js, j->unstored);
    j->fresh.ev.n = j->nj = 0;
    j->unstored = false;
    return rc;
}

int pk_journey_append_many(pk_tx *tx, pk_append_group *g, size_t ng, pk_append_check_fn check,
                           void *ctx, bool look_up)
{
    const checker ck = jn_checker_of(check, ctx, tx);
    size_t nnew = 0;
    if (groups_total(g, ng, &nnew) != 0)
        return PK_EINVAL;
    if (ng == 0)
        return 0;
    evlist *all = calloc(ng, sizeof(*all));
    int64_t *ids = malloc(ng * sizeof(*ids));
    const pk_event **ask = malloc((nnew ? nnew : 1) * sizeof(*ask));
    bool *known = malloc((nnew ? nnew : 1) * sizeof(*known));
    pk_append_result **res = malloc((nnew ? nnew : 1) * sizeof(*res));
    pk_judged *j = pk_judged_new();
    int rc = 0;
    if (all == NULL || ids == NULL || ask == NULL || known == NULL || res == NULL ||
        j == NULL) {
        rc = PK_ENOMEM;
        goto out;
    }
    for (size_t k = 0; k < ng; k++)
        ids[k] = g[k].participant_id;
    many m = {g, all, ng, 0};
    if ((rc = pk_tx_events_of_many(tx, ng, ids, collect_many, &m)) != 0)
        goto out;
    /* duplicates: in a person's batch, or stored (for anyone) */
    size_t nask = 0;
    for (size_t k = 0; k < ng; k++) {
        jn_mark_new(g[k].participant_id, g[k].ev, g[k].n, g[k].out);
        for (size_t i = 0; look_up && i < g[k].n; i++)
            if (g[k].out[i].verdict == PK_APPEND_INSERTED) {
                ask[nask] = &g[k].ev[i];
                res[nask++] = &g[k].out[i];
            }
    }
    if (nask > 0 && (rc = pk_tx_events_known(tx, nask, ask, known)) != 0)
        goto out;
    for (size_t i = 0; i < nask; i++)
        if (known[i])
            res[i]->verdict = PK_APPEND_DUPLICATE;
    if ((rc = judge_groups(&ck, g, ng, all, j)) == 0)
        rc = pk_journey_write_judged(tx, j);
out:
    for (size_t k = 0; all != NULL && k < ng; k++)
        free(all[k].v);
    free(all);
    free(ids);
    free(ask);
    free(known);
    free(res);
    pk_judged_free(j);
    return rc;
}

/* Whether e's fold reads only the state (not the purchases a fold
 * remembers), so that it can be applied to a stored state: the daily
 * job's dicabut and saldo_hangus, the draw's lolos, tidak_lolos and
 * saldo_masuk (core/journey.c: pk_fold_apply). */
static bool state_only(const pk_event *e)
{
    return e->type == PK_EV_DICABUT || e->type == PK_EV_SALDO_HANGUS ||
           e->type == PK_EV_LOLOS || e->type == PK_EV_TIDAK_LOLOS ||
           e->type == PK_EV_SALDO_MASUK;
}

/* The group's first event in (at, seq) order: a stored state is taken
 * as it is if no stored event comes after it (pk_tx_journey_tail). */
static size_t first_of(const pk_event *ev, size_t n)
{
    size_t first = 0;
    for (size_t i = 1; i < n; i++)
        if (pk_event_cmp(&ev[i], &ev[first]) < 0)
            first = i;
    return first;
}

/* pk_journey_append_tail's way, and pk_journey_append_fresh_many's for a
 * group whose events come after everything stored (look_up false: their
 * refs are not looked up, as append's), given the stored state as
 * pk_tx_journey_tail read it for the group's first event (tail): *ok
 * when it applies, and then out[] holds the verdicts, *state the state
 * after them and order[0..*nf) the accepted in (at, seq) order; nothing
 * written.  !*ok: the caller takes the whole way (jn_append). */
static int onto_state_decide(pk_tx *tx, int64_t participant_id, pk_event *ev, size_t n,
                             pk_append_result *out, bool look_up, const pk_tail *tail,
                             pk_journey *state, size_t order[8], size_t *nf, bool *ok)
{
    *ok = false;
    *nf = 0;
    /* after every stored event, the skipped ones too (a stored state's
     * last_at is the last applied): a skipped one after them might apply
     * once they have */
    if (n == 0 || n > 8 || !tail->found || !tail->last)
        return 0;
    pk_fold f;
    pk_journey_fold_init(&f, participant_id, tx);
    f.j = tail->j;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        ev[i].participant_id = participant_id;
        ev[i].id = 0;
        if (!state_only(&ev[i]) || ev[i].at <= f.j.last_at)
            goto out;
        for (size_t j = 0; j < i; j++)
            if (jn_same_ref(&ev[i], &ev[j]))
                goto out;
        int64_t who;
        int r = look_up ? pk_tx_event_find(tx, ev[i].source, ev[i].ref, &who) : PK_ENOENT;
        if (r == 0)
            goto out;
        if (r != PK_ENOENT) {
            rc = r;
            goto out;
        }
    }
    size_t by[8];
    for (size_t i = 0; i < n; i++)
        by[i] = i;
    qsort_r(by, n, sizeof(*by), jn_by_order, ev);
    for (size_t k = 0; k < n; k++) {
        size_t i = by[k];
        pk_code why = PK_C__COUNT;
        out[i] = (pk_append_result){PK_APPEND_INSERTED, PK_C__COUNT, false, 0, false};
        rc = pk_fold_apply(&f, &ev[i], &why);
        if (rc == PK_EINVAL) {
            out[i].verdict = PK_APPEND_REJECTED;
            out[i].why = why;
            continue;
        }
        if (rc != 0)
            goto out;
        out[i].verdict = PK_APPEND_INSERTED;
        order[(*nf)++] = i;
    }
    rc = 0;
    *state = f.j;
    *ok = true;
out:
    pk_fold_free(&f);
    return rc;
}

/* The stored states the groups' events go onto, read at once
 * (pk_tx_journey_tails: the groups come in participant order, each
 * person once). */
static int tails_of(pk_tx *tx, const pk_append_group *g, size_t ng, pk_tail *tails)
{
    int64_t one[3]; /* one group (a purchase's append): no allocation */
    int64_t *v = ng == 1 ? one : malloc(3 * ng * sizeof(*v));
    if (v == NULL)
        return PK_ENOMEM;
    int64_t *ids = v, *at = v + ng, *seq = v + 2 * ng;
    for (size_t k = 0; k < ng; k++) {
        ids[k] = g[k].participant_id;
        const pk_event *e = g[k].n > 0 ? &g[k].ev[first_of(g[k].ev, g[k].n)] : NULL;
        at[k] = e != NULL ? e->at : 0;
        seq[k] = e != NULL ? e->seq : 0;
    }
    int rc = pk_tx_journey_tails(tx, ng, ids, at, seq, tails);
    if (v != one)
        free(v);
    return rc;
}

/* pk_journey_append_tail: onto the stored state when it applies, else the
 * whole way. */
static int onto_state(pk_tx *tx, int64_t participant_id, pk_event *ev, size_t n,
                      pk_append_result *out)
{
    pk_tail tail = {.found = false};
    pk_append_group g = {participant_id, ev, n, out};
    pk_journey j;
    size_t order[8], nf = 0;
    bool ok = false;
    int rc = n > 0 && n <= 8 ? tails_of(tx, &g, 1, &tail) : 0;
    if (rc == 0)
        rc = onto_state_decide(tx, participant_id, ev, n, out, true, &tail, &j, order, &nf, &ok);
    if (rc != 0 || !ok)
        return rc != 0 ? rc : jn_append(tx, participant_id, ev, n, out, NULL, NULL, NULL, true);
    if (nf == 0)
        return 0;
    pk_event fresh[8];
    for (size_t k = 0; k < nf; k++)
        fresh[k] = ev[order[k]];
    if ((rc = pk_tx_events_insert(tx, nf, fresh)) != 0)
        return rc;
    for (size_t k = 0; k < nf; k++)
        ev[order[k]].id = fresh[k].id;
    return pk_tx_journey_put(tx, &j);
}

int pk_journey_append_fresh_many(pk_tx *tx, pk_append_group *g, size_t ng)
{
    size_t total = 0;
    if (groups_total(g, ng, &total) != 0)
        return PK_EINVAL;
    if (ng == 0)
        return 0;
    /* the events and states of the groups onto their stored state, written
     * together (pk_journey_write_judged) */
    pk_judged *j = pk_judged_new();
    pk_tail *tails = malloc(ng * sizeof(*tails));
    int rc = j != NULL && tails != NULL ? 0 : PK_ENOMEM;
    if (rc == 0)
        rc = tails_of(tx, g, ng, tails);
    for (size_t k = 0; rc == 0 && k < ng; k++) {
        size_t order[8], nf;
        bool ok;
        if ((rc = judged_room(j)) != 0)
            break;
        rc = onto_state_decide(tx, g[k].participant_id, g[k].ev, g[k].n, g[k].out, false,
                               &tails[k], &j->js[j->nj], order, &nf, &ok);
        if (rc != 0)
            break;
        if (!ok) { /* the whole way, at its place in the order of the ids */
            if ((rc = pk_journey_write_judged(tx, j)) == 0)
                rc = jn_append(tx, g[k].participant_id, g[k].ev, g[k].n, g[k].out, NULL, NULL,
                               NULL, false);
            continue;
        }
        for (size_t i = 0; rc == 0 && i < nf; i++)
            rc = jn_sink_add(&j->fresh, &g[k].ev[order[i]]);
        j->nj += nf > 0;
    }
    if (rc == 0)
        rc = pk_journey_write_judged(tx, j);
    free(tails);
    pk_judged_free(j);
    return rc;
}

int pk_journey_append_tail(pk_tx *tx, int64_t participant_id, pk_event *ev, size_t n,
                           pk_append_result *out)
{
    return onto_state(tx, participant_id, ev, n, out);
}

