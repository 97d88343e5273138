/* journey.h -- appending to a participant's journey: the one function
 * every writer of events goes through (the event import, the draw, the
 * daily job, the platform API), so the rules of the journey
 * (core/journey.h) are applied in one place, and the state derived from
 * the events (pk_journey) is kept up to date as they are appended. */
#ifndef PK_APP_JOURNEY_H
#define PK_APP_JOURNEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "core/journey.h"

typedef struct pk_tx pk_tx;   /* store/store.h */

/* What became of one event handed to pk_journey_append. */
typedef enum pk_append_verdict {
    PK_APPEND_INSERTED,
    PK_APPEND_DUPLICATE,   /* its (source, ref) is stored already (or earlier in ev) */
    PK_APPEND_REJECTED,    /* it breaks a rule: see why */
} pk_append_verdict;

typedef struct pk_append_result {
    pk_append_verdict verdict;
    pk_code why;           /* PK_APPEND_REJECTED: the rule's code */
    bool kept;             /* rejected, and stored all the same: the programme office's
                            * event the journey skips until what it lacks comes
                            * (app/journey.c, keeps()) */
    uint32_t made_inert;   /* inserted: later stored events of the office it made
                            * break a rule, which the journey skips from now on */
    bool differs;          /* a duplicate whose ref is stored (or first in ev) with other
                            * content, or for another person: ignored all the same */
} pk_append_result;

/* Appends ev[0..n) (all of participant_id; each with its source, ref,
 * type, at, seq and the columns its type needs) inside tx.  The person's
 * stored events are read (and, on a shared store, the person stays the
 * transaction's), the new ones taken in (at, seq) order, each merged
 * into the journey at its place: one that would make the journey break
 * a rule, at its place or at a later stored event's, is rejected with
 * that rule's code, and events accepted before are never removed --
 * except that the programme office's (pmo) history is read in time
 * order whatever order it came in: its event that breaks a rule is
 * stored all the same and skipped (kept), and its older event that makes
 * later ones of the office break a rule is inserted and they are skipped
 * (made_inert).  A duplicate of an event stored and skipped is rejected
 * again with the rule it breaks.  The
 * accepted ones are inserted (their id filled in) and the state written.
 * out[i] receives ev[i]'s verdict.  0, or a store error (PK_ECONFLICT on
 * a shared store when another process stored one of the refs meanwhile:
 * roll back and redo), PK_ENOMEM. */
int pk_journey_append(pk_tx *tx, int64_t participant_id, pk_event *ev, size_t n,
                      pk_append_result *out);
/* The same, and *state receives the person's state after it (whatever
 * was inserted: the state of every event stored and accepted). */
int pk_journey_append_get(pk_tx *tx, int64_t participant_id, pk_event *ev, size_t n,
                          pk_append_result *out, pk_journey *state);

/* A rule of the caller's for its new events that needs more than the
 * journey (the join rules of a wave need the wave table): called inside
 * tx for each new event at its place, with the state just before it.
 * 0: the journey's own rules decide; PK_EINVAL with *why: rejected with
 * that code; another error stops the append.  Stored events are not
 * judged by it again. */
typedef int (*pk_append_check_fn)(void *ctx, pk_tx *tx, const pk_journey *before,
                                  const pk_event *e, pk_code *why);
/* pk_journey_append with the caller's rule (check may be NULL) and, as
 * pk_journey_append_get, the state after it (state may be NULL). */
int pk_journey_append_checked(pk_tx *tx, int64_t participant_id, pk_event *ev, size_t n,
                              pk_append_result *out, pk_append_check_fn check, void *ctx,
                              pk_journey *state);
/* pk_journey_append for events known to come after everything stored
 * (the daily job's dicabut and saldo_hangus, whose fold reads only the
 * state, as the draw's lolos, tidak_lolos and saldo_masuk): when the person has a stored state, every new event is of
 * those types, comes strictly after the state's last instant and its
 * (source, ref) is not stored, the new events are folded onto the
 * stored state (pk_tx_journey_state) instead of the whole journey being
 * read and folded again: the same verdicts and state, since a fold in
 * (at, seq) order that ends with them applies them last.  Otherwise it
 * is pk_journey_append. */
int pk_journey_append_tail(pk_tx *tx, int64_t participant_id, pk_event *ev, size_t n,
                           pk_append_result *out);

/* One person's new events for pk_journey_append_many. */
typedef struct pk_append_group {
    int64_t participant_id;
    pk_event *ev;
    size_t n;
    pk_append_result *out;  /* out[i]: ev[i]'s verdict */
} pk_append_group;
/* pk_journey_append_checked for many people at once, each group as one
 * call would take it (the state is not returned), with a statement per
 * step for all of them rather than per person and event (on PostgreSQL
 * each is a round trip): their stored events read (and locked) together,
 * their refs looked up together (unless !look_up: a bulk load's, as
 * pk_journey_append_fresh_many), the accepted inserted together and the
 * states written together.  The groups' participants ascend strictly
 * (PK_EINVAL otherwise): the order in which they are locked. */
int pk_journey_append_many(pk_tx *tx, pk_append_group *g, size_t ng, pk_append_check_fn check,
                           void *ctx, bool look_up);

/* pk_journey_append_many in two halves, for people who have no stored
 * event (a bulk load's, each person's first group: the store held no
 * event when it began): pk_journey_judge_unstored judges the groups
 * without the store (no rule of the caller's; the fold asks `by` for the
 * first-purchase deadline, e.g. pk_wave_table_purchase_by), on any thread;
 * pk_journey_write_judged then inserts the accepted and kept events
 * (each group's event receives its id) and writes the states inside tx,
 * and empties j for the next groups.  The same verdicts, events and
 * states as pk_journey_append_many(tx, g, ng, NULL, NULL, false), which
 * is built of the same two halves. */
typedef struct pk_judged pk_judged;
pk_judged *pk_judged_new(void);
void pk_judged_free(pk_judged *j);
int pk_journey_judge_unstored(pk_append_group *g, size_t ng, pk_purchase_by_fn by,
                              void *by_ctx, pk_judged *j);
int pk_journey_write_judged(pk_tx *tx, pk_judged *j);

/* pk_journey_append for many people's events whose refs no stored event
 * can have (a batch of a draw's applicants, the refs named after the
 * wave, whose record is unique; participants ascending strictly,
 * PK_EINVAL otherwise): none is looked up, so one stored after all fails
 * the insert, PK_ECONFLICT (roll back), rather than counting as a
 * duplicate; duplicates within a group still are.  Like
 * pk_journey_append_tail, a group whose events come after everything
 * stored and whose fold reads only the state (the draw's lolos,
 * tidak_lolos and saldo_masuk) is folded onto the stored state, its
 * person's events not read; those groups have their events inserted
 * together and their states written together, the others go the whole
 * way at their place, so the events get the ids pk_journey_append one
 * group at a time would give them. */
int pk_journey_append_fresh_many(pk_tx *tx, pk_append_group *g, size_t ng);

/* pk_fold_init, with the fold asking the store's hook inside tx for the
 * first-purchase deadline (pk_tx_purchase_by): every fold whose state is
 * stored, or compared with the stored one, starts so. */
void pk_journey_fold_init(pk_fold *f, int64_t participant_id, pk_tx *tx);

/* Folds the participant's stored events anew and writes the state (when
 * there are events); out (when not NULL) receives it. */
int pk_journey_refold(pk_tx *tx, int64_t participant_id, pk_journey *out);

/* Each stored event of the participant, in (at, seq) order, to cb with
 * `skipped`: PK_C__COUNT for one the journey's fold applies, else the
 * rule it breaks where it stands (a stored event a late one of the
 * office made break a rule, or one judged by terms changed since).
 * Outside a transaction: the first-purchase deadline comes from `waves`
 * (loaded), as the store's hook gives it in one.  Every reader that
 * reads events rather than the state (the staff timeline, the
 * reminders) takes them so, and agrees with the state.  0, cb's code, or
 * the store's. */
struct pk_wave_table;
int pk_journey_each_judged(pk_store *store, int64_t participant_id,
                           const struct pk_wave_table *waves,
                           int (*cb)(void *ctx, const pk_event *e, pk_code skipped), void *ctx);

#endif
