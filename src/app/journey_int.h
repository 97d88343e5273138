/* journey_int.h -- what journey.c (the one rule, one person's append)
 * and journey_many.c (many people at once, the ways onto a stored state)
 * share.  Not for other files: their callers use journey.h. */
#ifndef PK_APP_JOURNEY_INT_H
#define PK_APP_JOURNEY_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/journey.h"
#include "store/store.h"

/* A growable array of events. */
typedef struct evlist {
    pk_event *v;
    size_t n, cap;
} evlist;

/* A pk_event_cb: appends a copy of the event to the evlist ctx. */
int jn_collect(void *ctx, const pk_event *e);

/* The caller's own rule for its new events (pk_journey_append_checked),
 * and where a fold asks the first-purchase deadline: the store's hook
 * inside tx, or (pk_journey_judge_unstored: no tx) the caller's. */
typedef struct checker {
    pk_append_check_fn fn;
    void *ctx;
    pk_tx *tx;
    pk_purchase_by_fn by;
    void *by_ctx;
} checker;

/* The caller's rule inside tx; the fold asks the store's hook. */
checker jn_checker_of(pk_append_check_fn fn, void *ctx, pk_tx *tx);
/* pk_fold_init, the fold asking ck's first-purchase deadline. */
void jn_fold_init(pk_fold *f, int64_t participant_id, const checker *ck);

/* A list of events to insert and, for each, the caller's event that
 * receives its id. */
typedef struct sink {
    evlist ev;
    pk_event **dst;
    size_t cap;
} sink;

int jn_sink_add(sink *k, pk_event *e);
void jn_sink_free(sink *k);
/* Inserts the sink's events inside tx and fills in the callers' ids. */
int jn_sink_insert(pk_tx *tx, sink *k);

/* The order in which new events are taken (qsort_r over indexes, base
 * the events): (at, seq), then array order. */
int jn_by_order(const void *a, const void *b, void *base);
bool jn_same_ref(const pk_event *a, const pk_event *b);
/* The new events of participant_id: each made theirs, verdict inserted
 * unless its (source, ref) came earlier in ev (a duplicate). */
void jn_mark_new(int64_t participant_id, pk_event *ev, size_t n, pk_append_result *out);
/* The one rule: one person's new events ev[0..n) against their stored
 * ones (all, in order; it receives the accepted too), each taken at its
 * place; f (initialised) receives the state, fresh the events to store
 * (journey.c says the whole of it). */
int jn_decide(const checker *ck, int64_t participant_id, evlist *all, pk_event *ev, size_t n,
              pk_append_result *out, pk_fold *f, sink *fresh);
/* One person's append the whole way: their stored events read, the new
 * ones decided, inserted, the state written (look_up: each new ref looked
 * up among the stored). */
int jn_append(pk_tx *tx, int64_t participant_id, pk_event *ev, size_t n, pk_append_result *out,
              pk_append_check_fn check, void *ctx, pk_journey *state, bool look_up);

#endif
