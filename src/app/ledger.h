/* ledger.h -- `prakerja ledger verify`: the balances checked against the
 * events.  Every participant's stored state (pk_journey) is compared with
 * a fold of their events (core/journey.c), field by field, and the
 * programme's totals are added up twice, from the stored states and from
 * the folds: money credited = spent (net of cancellations) + remaining +
 * lapsed.  Constant memory: a page of participant ids at a time, each
 * page read in a transaction of its own (on PostgreSQL each person's
 * journey is locked while it is read, so a purchase in flight does not
 * show up half-written). */
#ifndef PK_APP_LEDGER_H
#define PK_APP_LEDGER_H

#include <stdbool.h>
#include <stdint.h>

#include "app/app.h"

typedef struct pk_ledger_totals {
    int64_t credited, spent, refunded, remaining, lapsed;
    bool overflow; /* an addition would have passed INT64_MAX (left out): not balanced */
} pk_ledger_totals;

typedef struct pk_ledger_report {
    int64_t participants, events, mismatched;
    pk_ledger_totals stored, folded;
    bool balanced;   /* the stored totals: credited = spent - refunded + remaining + lapsed */
} pk_ledger_report;

/* One difference: the participant, the field (a column of pk_journey,
 * "saldo" for a stored row whose own parts do not add up, or "journey"
 * for events without a stored state: stored 0, folded the number of
 * events), the stored value and the fold's. */
typedef struct pk_ledger_diff {
    int64_t participant_id;
    const char *field;
    int64_t stored, folded;
} pk_ledger_diff;
typedef void (*pk_ledger_diff_cb)(void *ctx, const pk_ledger_diff *d);

/* 0 (whatever differs: see out->mismatched, out->balanced), or a store
 * error. */
int pk_ledger_verify(const pk_app *app, pk_ledger_report *out, pk_ledger_diff_cb cb, void *ctx);

#endif
