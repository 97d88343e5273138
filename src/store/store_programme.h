/* store_programme.h -- the part of store.h (include that) about the
 * programme after registration: the journey, the digital platforms,
 * waves and their draws, card numbers, the training catalogue and
 * reminders.  Dispatched by store_programme.c. */
#ifndef PK_STORE_PROGRAMME_H
#define PK_STORE_PROGRAMME_H

#include "store/store.h"
#include "core/outreach.h"

/* ---- the journey: events (append only) and the state derived from them --
 *
 * A participant's events (core/journey.h) are appended, never changed
 * (the database refuses UPDATE and DELETE); (source, ref) is unique.
 * pk_journey is the state app/journey.c folds from them, one row per
 * participant with events, kept up to date as events are appended. */
typedef int (*pk_event_cb)(void *ctx, const pk_event *e);
/* The events of one participant in (at, seq, id) order.  On a shared
 * store the participant stays the transaction's (another writer of the
 * same person's journey waits) to its end.  cb may write through tx but
 * not call pk_tx_events_of. */
int pk_tx_events_of(pk_tx *tx, int64_t participant_id, pk_event_cb cb, void *ctx);
/* pk_tx_events_of for participant_ids[0..n) (ascending: the order they
 * are locked in), their events in (participant, at, seq, id) order. */
int pk_tx_events_of_many(pk_tx *tx, size_t n, const int64_t *participant_ids, pk_event_cb cb,
                         void *ctx);
/* known[i]: whether an event (ev[i]->source, ev[i]->ref) is stored. */
int pk_tx_events_known(pk_tx *tx, size_t n, const pk_event *const *ev, bool *known);
/* The participant of the event (source, ref); PK_ENOENT when none. */
int pk_tx_event_find(pk_tx *tx, pk_event_source source, const char *ref,
                     int64_t *participant_id);
/* Inserts n events (their id is ignored and filled in; received_at is
 * the store's clock).  PK_ECONFLICT when a (source, ref) exists. */
int pk_tx_events_insert(pk_tx *tx, size_t n, pk_event *ev);
/* Bulk loading of events into a store that holds none yet (a first
 * import): the unique index by (source, ref) is built once at the end
 * rather than kept up to date row by row (and the index by wave, the
 * journeys' counters, PostgreSQL's foreign key: sqlite_bulk.c, pg_bulk.c).  events_bulk_begin drops it
 * inside tx when no event is stored (*on = true; false otherwise, or
 * when the backend has no such mode; it may end tx and begin it again
 * first, as it has written nothing); the whole load is then this one
 * transaction.  While on, the caller does not call pk_tx_event_find: it
 * guarantees that each (source, ref) it inserts is new and appears once.
 * events_bulk_end builds the index again (PK_ECONFLICT when a (source,
 * ref) repeats after all); tx commits only after it. */
int pk_tx_events_bulk_begin(pk_tx *tx, bool *on);
int pk_tx_events_bulk_end(pk_tx *tx);
/* Says that tx, which has read and written nothing yet, is to write much
 * (a wave's draw: millions of rows).  SQLite, when no other connection
 * has the database open: the transaction runs with a rollback journal
 * (*on), as a bulk load does, so that its new pages are written once
 * rather than into the WAL and again by the checkpoint after it (the
 * pages it changes are written twice either way); the WAL again when it
 * ends.  Otherwise, and on PostgreSQL, nothing changes (*on false). */
int pk_tx_large_writes(pk_tx *tx, bool *on);
/* The journeys' counters (journey_count, journey_count_city and
 * remind_effect_count, kept by triggers on every write of a journey)
 * for a transaction about to write the journeys of `n` participants
 * (a wave's draw): brought up to date once, by journey_counts_end,
 * rather than row by row (*on = true; false when the backend keeps them
 * row by row after all, or has no such mode).  tx commits only after the
 * end (a commit without it is refused; a rollback, or a crash, undoes
 * the lot).
 * SQLite, when n is at least a quarter of the registry's participants
 * (at most one journey each): the triggers on pk_journey are dropped
 * inside tx, and the end fills the counters from every journey and makes
 * the triggers again (one writer: no one else's write is missed).  At the
 * 2021 size a draw's six counter triggers a journey cost about 40 s of
 * CPU, the refill 7 s (bench/README.md).
 * PostgreSQL, for any n > 0: the triggers sum tx's changes into its own
 * temporary tables, and the end adds the sums to the cells (migration 33;
 * other writers' triggers keep the cells meanwhile: the cells are locked
 * only by the end's sums).  Defer before any savepoint of tx: a rollback
 * to one taken earlier takes the temporary tables with it, and the end
 * then fails (the commit is refused). */
int pk_tx_journey_counts_defer(pk_tx *tx, int64_t n, bool *on);
int pk_tx_journey_counts_end(pk_tx *tx);
/* Writes the participant's state (inserted or replaced). */
int pk_tx_journey_put(pk_tx *tx, const pk_journey *j);
/* The participant's stored state, PK_ENOENT when they have no events.
 * Like pk_tx_events_of, on a shared store the participant stays the
 * transaction's to its end (another writer of the journey waits). */
int pk_tx_journey_state(pk_tx *tx, int64_t participant_id, pk_journey *out);
/* pk_tx_journey_put of n states (of distinct participants).  fresh: none
 * of them has a stored state (a bulk load's people, the store holding no
 * event when it began), which a backend may write by plain inserts
 * (PostgreSQL: COPY; one stored after all fails there, PK_ECONFLICT). */
int pk_tx_journeys_put(pk_tx *tx, size_t n, const pk_journey *js, bool fresh);
/* The participant's stored state, read in the transaction (on a shared
 * store the participant is the transaction's from here on, as with
 * pk_tx_events_of), and in *last whether an event at instant `at` with
 * order `seq` would come after every stored event of theirs (none has a
 * later (at, seq)): then the state and that one event are all a fold
 * needs (app/journey.c).  PK_ENOENT when there is no state. */
int pk_tx_journey_tail(pk_tx *tx, int64_t participant_id, int64_t at, int64_t seq,
                       pk_journey *out, bool *last);
/* pk_tx_journey_tail of n participants at once (ids ascending, each
 * once; at[i], seq[i] theirs): out[i].found false where there is no
 * state.  PostgreSQL: a statement per step, not a round trip per person. */
typedef struct pk_tail {
    pk_journey j;
    bool found, last;
} pk_tail;
int pk_tx_journey_tails(pk_tx *tx, size_t n, const int64_t *participant_ids, const int64_t *at,
                        const int64_t *seq, pk_tail *out);
/* Up to `limit` ids, ascending, after `after`, of participants with
 * events or a stored state (for a rebuild, ledger verify); *n says how
 * many. */
int pk_tx_journey_ids(pk_tx *tx, int64_t after, size_t limit, int64_t *ids, size_t *n);
/* Reads (any thread): the state, PK_ENOENT when the participant has no
 * events; the events in (at, seq, id) order. */
int pk_store_journey_get(pk_store *s, int64_t participant_id, pk_journey *out);
int pk_store_events_each(pk_store *s, int64_t participant_id, pk_event_cb cb, void *ctx);

/* What the daily job acts on (app/jobs.c), found through partial indexes
 * so that its cost follows what is due, not the whole history:
 * PK_DUE_UNBOUGHT, recipients (status penerima) without a purchase not
 * cancelled; PK_DUE_BALANCE, journeys with a balance left. */
typedef enum pk_due_kind { PK_DUE_UNBOUGHT, PK_DUE_BALANCE } pk_due_kind;
typedef struct pk_due_row {
    int64_t participant_id, selected_at, balance;
    bool unbought;               /* a recipient without a purchase (as PK_DUE_UNBOUGHT) */
    uint8_t nik_bi[PK_BI_LEN];   /* PK_DUE_UNBOUGHT (PK_DUE_BALANCE: may be zeros) */
} pk_due_row;
/* The smallest wave above `after` with journeys of that kind; PK_ENOENT. */
int pk_tx_journey_due_wave(pk_tx *tx, pk_due_kind kind, int64_t after, int64_t *wave);
/* Up to `limit` journeys of that kind in `wave` selected before `before`,
 * after the key (after_at, after_id), in (selected_at, participant_id)
 * order; *n says how many. */
int pk_tx_journey_due(pk_tx *tx, pk_due_kind kind, int64_t wave, int64_t before,
                      int64_t after_at, int64_t after_id, size_t limit, pk_due_row *rows,
                      size_t *n);

/* ---- the digital platforms: credentials, nonces, idempotent answers --------
 *
 * A platform (a marketplace selling trainings) signs each request with
 * its own secret (app/platform.c).  The secret reaches the store only as
 * a box sealed by the app's vault: the database alone cannot sign.  Each
 * call is its own small transaction; times are Unix seconds from the
 * caller's clock. */

#define PK_PLATFORM_CODE_MAX 33   /* "tokopedia": [a-z0-9_-]{2,32} */
#define PK_PLATFORM_NAME_MAX 161
#define PK_PLATFORM_BOX_MAX 160   /* a sealed secret */
#define PK_IDEM_DIGEST_LEN 32     /* SHA-256 of the request an idempotency key names */

typedef struct pk_platform {
    int64_t id;
    char code[PK_PLATFORM_CODE_MAX];
    char name[PK_PLATFORM_NAME_MAX];
    uint8_t secret[PK_PLATFORM_BOX_MAX];  /* sealed */
    size_t secret_len;
    int disabled;
    char created_at[32];
} pk_platform;

/* Inserts p (id, disabled and created_at ignored), writing audit (NULL:
 * none) with the new row's id as subject in the same transaction;
 * PK_ECONFLICT when the code exists. */
int pk_store_platform_insert(pk_store *s, const pk_platform *p, const pk_audit_entry *audit,
                             int64_t *id);
/* Replaces the secret of platform `code` with secret[0..len) (NULL:
 * keeps it) and sets disabled (< 0: keeps it), with audit as above;
 * PK_ENOENT when there is no such platform. */
int pk_store_platform_update(pk_store *s, const char *code, const uint8_t *secret, size_t len,
                             int disabled, const pk_audit_entry *audit);
/* The platform of that code, disabled or not; PK_ENOENT. */
int pk_store_platform_find(pk_store *s, const char *code, pk_platform *out);
typedef int (*pk_platform_cb)(void *ctx, const pk_platform *p);
/* Every platform in id order; stops early with cb's non-zero value. */
int pk_store_platforms_each(pk_store *s, pk_platform_cb cb, void *ctx);
/* Inside a write transaction, so that a platform's request (its nonce,
 * the work it asks for and the answer kept for its key) is one piece of
 * a group commit, durable together or not at all.
 * tx_platform_nonce records that platform used `nonce` at `now`,
 * forgetting every nonce seen before forget_before (0: none, nothing
 * looked at); PK_ECONFLICT
 * (nothing recorded) when the nonce was seen already and not yet
 * forgotten.  tx_idem_get: the answer kept for the platform's key (the
 * request's digest, the status, the body appended to `body`), or
 * PK_ENOENT.  tx_idem_put keeps an answer for the key and sets *kept to
 * 1, or to 0 when one was kept already (it stays; on a shared store,
 * another process's, which the insert waited for). */
int pk_tx_platform_nonce(pk_tx *tx, int64_t platform, const char *nonce, int64_t now,
                         int64_t forget_before);
int pk_tx_idem_get(pk_tx *tx, int64_t platform, const char *key,
                   uint8_t digest[PK_IDEM_DIGEST_LEN], int *status, pk_buf *body);
int pk_tx_idem_put(pk_tx *tx, int64_t platform, const char *key,
                   const uint8_t digest[PK_IDEM_DIGEST_LEN], int status, const void *body,
                   size_t len, int *kept);
/* Forgets up to `limit` answers kept before `before` (an instant in
 * pk_store_now's form: "2026-12-05T10:00:00.000Z"), oldest first, in a
 * transaction of its own; *n says how many. */
int pk_store_idem_prune(pk_store *s, const char *before, int limit, int64_t *n);
/* The participant whose card has `number` (unique, never reused), inside
 * a transaction, on its connection (a platform's request in its group
 * commit: no connection of the pool, no read transaction); *retired when
 * the number was their card's before a reissue (pk_tx_card_reissue);
 * PK_ENOENT when no card ever had it. */
int pk_tx_card_find(pk_tx *tx, const char *number, int64_t *participant_id, bool *retired);
/* ---- waves and their draws (selection.md) --------------------------------
 *
 * A wave (number >= 1) of a scheme, with its instants (seconds since
 * 1970 UTC), quotas and state; the draw of a wave once it closed, its
 * per-applicant record (what the walk took as input and decided, so a
 * draw can be verified from what was stored), and the card numbers of
 * recipients (unique, never reused).  The applicants of a wave are the
 * participants with a gabung_gelombang event for it (pk_event). */
#define PK_WAVE_QUOTAS_MAX 1024
typedef struct pk_wave {
    int64_t number;
    char scheme[16];
    int64_t opens_at, closes_at;
    int64_t quota;
    char region_quotas[PK_WAVE_QUOTAS_MAX];  /* "31.71=3000;31.72=100" or "" */
    char balance_until[16];                  /* YYYY-MM-DD or "" */
    char state[12];                          /* dibuka, ditutup, diundi */
    char created_at[32], updated_at[32];     /* filled on reads */
} pk_wave;
/* PK_ECONFLICT when the number exists. */
int pk_tx_wave_insert(pk_tx *tx, const pk_wave *w);
/* The wave, which stays the transaction's to its end; PK_ENOENT. */
int pk_tx_wave_get(pk_tx *tx, int64_t number, pk_wave *out);
/* The wave as read, not kept (PostgreSQL: no row lock): for what never
 * changes once it is created (scheme, instants, balance cut-off), so
 * that a purchase or a page of the daily job does not queue behind a
 * draw, a close or one another; PK_ENOENT. */
int pk_tx_wave_peek(pk_tx *tx, int64_t number, pk_wave *out);
int pk_tx_wave_set_state(pk_tx *tx, int64_t number, const char *state);
typedef int (*pk_wave_cb)(void *ctx, const pk_wave *w);
/* Reads: every wave by number. */
int pk_store_waves_each(pk_store *s, pk_wave_cb cb, void *ctx);

/* The applicants of a wave in id order, each once: the row (pii loaded),
 * its lists and when the stored journey made them a recipient. */
typedef struct pk_applicant {
    const pk_prow *row;
    unsigned lists;      /* PK_LIST_* bits */
    int64_t selected_at; /* the journey's lolos (any wave, any source); 0: none */
} pk_applicant;
typedef int (*pk_applicant_cb)(void *ctx, const pk_applicant *a);
int pk_tx_wave_applicants(pk_tx *tx, int64_t wave, pk_applicant_cb cb, void *ctx);
/* The wave's latest join (gabung_gelombang) in the journeys' order: its
 * instant and its seq (pk_event); 0 and 0 when none. */
int pk_tx_wave_last_join(pk_tx *tx, int64_t wave, int64_t *at, int64_t *seq);
/* Reads: how many participants joined the wave (a gabung_gelombang event
 * for it), each once. */
int pk_store_wave_applicants_count(pk_store *s, int64_t wave, int64_t *n);
/* The KK index of each participant selected (their journey's
 * selected_at, a lolos event) at or before instant `at`, once per
 * participant: the recipients a draw at `at` finds in their families
 * already (selection.md, step 4: "in any earlier wave"): of a wave drawn
 * earlier whatever its number, and of the programme office's waves,
 * numbered apart.  (A draw's own lolos are written after it asks.)  One
 * pass over the journeys: the lolos events by their wave index took ten
 * times as long at 750,000 of them. */
int pk_tx_recipient_families(pk_tx *tx, int64_t at, pk_bi_cb cb, void *ctx);

typedef struct pk_draw_rec {
    int64_t wave;
    uint8_t seed[32];
    int64_t algorithm;
    uint8_t snapshot[32], result[32];
    int64_t drawn_at;                          /* the draw's instant */
    int64_t applicants, eligible, selected, not_selected;
    char reasons[1024];                        /* {"code":n,...} */
    char created_at[32];                       /* filled on reads */
} pk_draw_rec;
/* PK_ECONFLICT when the wave was drawn. */
int pk_tx_draw_insert(pk_tx *tx, const pk_draw_rec *d);
/* Reads: PK_ENOENT when the wave was not drawn. */
int pk_store_draw_get(pk_store *s, int64_t wave, pk_draw_rec *out);

/* One applicant of a draw: the walk's inputs (tier, rules' reasons,
 * the regency whose quota applied or "", the family card and how many
 * recipients it had from earlier waves) and its outcome. */
typedef struct pk_draw_row {
    int64_t participant_id;
    int tier;
    uint64_t reasons;        /* the rules' reasons, or the quota code; 0: lolos */
    bool eligible;           /* passed the rules (took part in the walk) */
    bool selected;
    char regency[16];
    uint8_t kk_bi[PK_BI_LEN];
    int64_t kk_prior;
} pk_draw_row;
int pk_tx_draw_rows_insert(pk_tx *tx, int64_t wave, size_t n, const pk_draw_row *rows);
/* Reads: a draw's rows in participant id order, with the participant's
 * sealed box (valid during the call). */
typedef int (*pk_draw_row_cb)(void *ctx, const pk_draw_row *r, const uint8_t *pii,
                              size_t pii_len, const uint8_t *nik_bi);
int pk_store_draw_rows_each(pk_store *s, int64_t wave, pk_draw_row_cb cb, void *ctx);

/* Card numbers: the highest serial handed out (-1: none yet), and a new
 * card (PK_ECONFLICT when the participant, the serial or the number has
 * one). */
int pk_tx_card_serial_max(pk_tx *tx, int64_t *serial);
int pk_tx_card_insert(pk_tx *tx, int64_t participant_id, int64_t wave, int64_t serial,
                      const char *number, int64_t issued_at);
/* pk_tx_card_insert of n cards of one wave at once (PostgreSQL: one
 * statement, not a round trip per card). */
typedef struct pk_card_new {
    int64_t participant_id, serial;
    char number[17];
} pk_card_new;
int pk_tx_cards_insert(pk_tx *tx, int64_t wave, int64_t issued_at, size_t n,
                       const pk_card_new *cards);
/* Cards a page at a time in order of their holders, after holder `after`
 * (0: from the first): up to `limit` into out, *n of them. */
int pk_tx_cards_page(pk_tx *tx, int64_t after, size_t limit, pk_card_new *out, size_t *n);
/* A card given another serial and number (c: its holder, the new serial
 * and number): the old pair kept among the retired numbers, with `at`,
 * never issued again; fails when the new serial or number was ever
 * issued (the caller looks first: pk_tx_card_find). */
int pk_tx_card_reissue(pk_tx *tx, const pk_card_new *c, int64_t at);
/* Reads: the participant's card number (16 digits and a NUL), the wave
 * that gave it, and when a reissue last replaced its number (0: never);
 * PK_ENOENT when they have none. */
int pk_store_card_get(pk_store *s, int64_t participant_id, char number[17], int64_t *wave,
                      int64_t *replaced_at);

/* ---- the training catalogue: providers (LPK) and courses -------------------
 *
 * A course is known by its platform's code and the platform's own id for
 * it (course_ref); its provider (LPK) by name.  Prices are whole Rupiah. */

#define PK_COURSE_REF_MAX 65
#define PK_COURSE_TITLE_MAX 301
#define PK_PROVIDER_NAME_MAX 201

typedef struct pk_course {
    int64_t id;                          /* filled on reads */
    char platform[PK_PLATFORM_CODE_MAX];
    char course_ref[PK_COURSE_REF_MAX];
    char title[PK_COURSE_TITLE_MAX];
    char provider[PK_PROVIDER_NAME_MAX];
    int64_t price;
    char mode[12];                       /* "webinar", "mandiri", "luring" */
} pk_course;

enum { PK_COURSE_INSERTED, PK_COURSE_UPDATED, PK_COURSE_UNCHANGED };
/* Inserts the course of (platform, course_ref), or updates its title,
 * provider (made on first use), price and mode; *outcome receives
 * PK_COURSE_*. */
int pk_tx_course_put(pk_tx *tx, const pk_course *c, int *outcome);
/* The course of (platform, course_ref); PK_ENOENT. */
int pk_store_course_find(pk_store *s, const char *platform, const char *course_ref,
                         pk_course *out);
int pk_tx_course_find(pk_tx *tx, const char *platform, const char *course_ref, pk_course *out);
typedef int (*pk_course_cb)(void *ctx, const pk_course *c);
/* At most `limit` courses with ids above `after`, in id order; stops
 * early with cb's non-zero value. */
int pk_store_courses_each(pk_store *s, int64_t after, int limit, pk_course_cb cb, void *ctx);

/* ---- reminders: consent (reminders.md) ------------------------------------
 *
 * A participant may stop the messages of a purpose ("program": their own
 * obligations and money; "informasi": news) and start them again.  The
 * current stops are kept apart (what a plan of reminders reads); every
 * change is appended to a history with its time, the channel it came by
 * ("staff", "sms", "whatsapp", "email") and who made it. */

/* Stops (stop true) or starts the purpose for the participant; *changed
 * says whether anything changed (stopping a stopped purpose changes
 * nothing and appends nothing).  Safe when two processes do it at once:
 * one of them changes it. */
int pk_tx_consent_set(pk_tx *tx, int64_t participant_id, const char *purpose, bool stop,
                      const char *channel, const char *actor, bool *changed);
/* Whether the participant stopped the purpose, and since when (the
 * store's clock, pk_store_now's form; "" when not stopped). */
int pk_store_consent_get(pk_store *s, int64_t participant_id, const char *purpose,
                         bool *stopped, char since[32]);
/* One change of consent as the history keeps it. */
typedef struct pk_consent_change_row {
    char purpose[16];
    bool stopped;                /* true: stopped; false: started again */
    char channel[16], actor[64];
    char at[32];                 /* the store's clock, pk_store_now's form */
} pk_consent_change_row;
/* Up to `limit` changes of the participant's consent, newest first. */
int pk_store_consent_changes(pk_store *s, int64_t participant_id, size_t limit,
                             pk_consent_change_row *rows, size_t *n);

/* ---- reminders: a day's plan, its fires and the outbox (reminders.md) ----
 *
 * A FIRE recorded is one offset of an occurrence (participant, rule,
 * anchor, k) with its status on the run's day (kirim, ditunda,
 * dibatalkan, terlewat, berhenti_langganan; every status but ditunda is
 * final).  A MESSAGE is what goes out for one occurrence on one day (its
 * due fires collapse into it): queued in the outbox (antri), being handed
 * over (mengirim), handed over (terkirim), failed on every channel
 * (gagal), perhaps handed over before a crash (tidak_pasti), or not sent
 * because its condition no longer held when its time came (dibatalkan).  Its text
 * is rendered when it is sent, from the rules and its values (vars: a
 * JSON object of the template's placeholders): a fallback channel needs
 * its own text.  Instants are Unix seconds; days YYYY-MM-DD (WIB). */

/* A person a plan looks at: the registry's row (pii loaded) and the
 * journey (NULL when they have none).  Valid during the callback. */
typedef int (*pk_remind_subject_cb)(void *ctx, const pk_prow *row, const pk_journey *j);
/* Up to `limit` people of region `scope` ("" everywhere) with id above
 * `after`, in id order: every participant when `everyone` (a wave is
 * open: anyone may be told to join), else those with a journey.  *n: how
 * many were given. */
int pk_store_remind_subjects(pk_store *s, const char *scope, bool everyone, int64_t after,
                             size_t limit, pk_remind_subject_cb cb, void *ctx, size_t *n);
/* The same in (village, id) order, after (after_region, after) (the
 * first page: "", 0): the region's people found through the region index,
 * so a plan of one region costs its people, not the registry's. */
int pk_store_remind_subjects_by_region(pk_store *s, const char *scope, bool everyone,
                                       const char *after_region, int64_t after, size_t limit,
                                       pk_remind_subject_cb cb, void *ctx, size_t *n);

/* What is recorded of one person, as the plan reads it back. */
typedef enum pk_remind_mark_kind {
    PK_RM_FIRE,     /* rule, anchor, k, offset_days, status */
    PK_RM_STOP,     /* purpose stopped */
    PK_RM_SENT,     /* day, count: messages of that day not failed */
    PK_RM_FAILED,   /* channel failed permanently for them */
    PK_RM_PREF,     /* channel they prefer (Akun saya) */
} pk_remind_mark_kind;
typedef struct pk_remind_mark {
    pk_remind_mark_kind kind;
    int64_t participant_id;
    const char *rule, *status, *purpose, *day, *channel;
    int64_t anchor, k, offset_days, count;
} pk_remind_mark;
typedef int (*pk_remind_mark_cb)(void *ctx, const pk_remind_mark *m);
/* Every mark of the people with ids in [lo, hi]: their fires, stops,
 * messages per day since `since_day`, failed channels, the preferred
 * channel (grouped by kind,
 * in no promised order within one). */
int pk_store_remind_marks(pk_store *s, int64_t lo, int64_t hi, const char *since_day,
                          pk_remind_mark_cb cb, void *ctx);
/* The same for the people with the n ids given (a page of
 * pk_store_remind_subjects_by_region, whose ids are far apart). */
int pk_store_remind_marks_of(pk_store *s, const int64_t *ids, size_t n, const char *since_day,
                             pk_remind_mark_cb cb, void *ctx);
/* The effect of reminders (the hold-out of reminders.ini): recipients of
 * region `scope` ("" everywhere) with a recorded fire of a rule, counted
 * by rule, whether a fire was sent (kirim) or held out (kontrol), whether
 * they were revoked, and the whole days from selection to their first
 * purchase (-1: none yet).  Rows in (rule, sent, held, revoked, days)
 * order; valid during the callback. */
typedef struct pk_remind_effect_row {
    const char *rule;
    bool sent, held, revoked;
    int64_t days, n;
} pk_remind_effect_row;
typedef int (*pk_remind_effect_cb)(void *ctx, const pk_remind_effect_row *r);
int pk_store_remind_effect(pk_store *s, const char *scope, pk_remind_effect_cb cb, void *ctx);
/* Those counts are kept per village by triggers (sql_remind_effect.h).
 * The recount from the fires and journeys (one snapshot) against the
 * cells kept: cb gets each cell that differs (its village, its row with
 * n the count kept, and the count recounted); *cells is the number
 * compared.  The rebuild replaces them with a recount, inside tx. */
typedef struct pk_remind_effect_check {
    const char *region;
    pk_remind_effect_row row;
    int64_t counted;
} pk_remind_effect_check;
typedef int (*pk_remind_effect_check_cb)(void *ctx, const pk_remind_effect_check *c);
int pk_store_remind_effect_verify(pk_store *s, pk_remind_effect_check_cb cb, void *ctx,
                                  int64_t *cells);
int pk_tx_remind_effect_rebuild(pk_tx *tx, int64_t *cells);
/* Records a fire (inserted, or its status, day and message replaced). */
int pk_tx_remind_fire_put(pk_tx *tx, int64_t participant_id, const char *rule, int64_t anchor,
                          int64_t k, int64_t offset_days, const char *status, const char *day,
                          int64_t message_id);

#define PK_OUTBOX_VARS_MAX 1024
typedef struct pk_outbox_msg {
    int64_t id, participant_id;
    char rule[32];
    int64_t anchor, k;
    char day[11];
    int64_t send_at;
    char channel[12];            /* whatsapp, sms, email, berkas */
    char state[12];              /* antri, mengirim, terkirim, gagal, tidak_pasti, dibatalkan */
    int64_t attempts, next_at;
    int64_t failed;              /* bit per pk_channel: failed permanently for this message */
    char vars[PK_OUTBOX_VARS_MAX];
    char provider_id[128];
    char error[160];
    /* receipts (webhooks): when the gateway said it reached the phone and
     * was read (0: not said); read back, written by pk_tx_outbox_receipt
     * only */
    int64_t delivered_at, read_at;
    /* the blind index of the number a WhatsApp or SMS message was handed
     * to (has_to false: none), by which a bare reply finds it; written by
     * pk_tx_outbox_set */
    bool has_to;
    pk_bi to_bi;
} pk_outbox_msg;
/* Queues a message (state antri, next_at = send_at; attempts, failed,
 * provider_id, error ignored) and sets m->id; *added false (m->id 0)
 * when the occurrence has a message of that day already. */
int pk_tx_outbox_add(pk_tx *tx, pk_outbox_msg *m, bool *added);
/* Up to `limit` messages antri or mengirim with next_at <= now, by
 * (next_at, id); *n says how many. */
int pk_tx_outbox_due(pk_tx *tx, int64_t now, size_t limit, pk_outbox_msg *rows, size_t *n);
/* Writes m's state, channel, attempts, next_at, failed, provider_id,
 * error and to_bi. */
int pk_tx_outbox_set(pk_tx *tx, const pk_outbox_msg *m);
/* Up to `limit` messages of the person, newest first. */
int pk_store_outbox_of(pk_store *s, int64_t participant_id, size_t limit, pk_outbox_msg *rows,
                       size_t *n);
/* Receipts and replies (webhooks).  The newest message handed to
 * `channel` whose gateway id is provider_id; the newest message handed to
 * the number whose blind index is `to`; PK_ENOENT when there is none. */
int pk_tx_outbox_find(pk_tx *tx, const char *channel, const char *provider_id,
                      pk_outbox_msg *out);
int pk_tx_outbox_latest_to(pk_tx *tx, const pk_bi to, pk_outbox_msg *out);
/* Keeps the first instant a message was delivered and the first it was
 * read (0: not given); *changed false when both were known already. */
int pk_tx_outbox_receipt(pk_tx *tx, int64_t id, int64_t delivered_at, int64_t read_at,
                         bool *changed);
/* Records an inbound message or report (channel, the gateway's ref) once;
 * *fresh false when it was recorded already (a gateway's retry). */
int pk_tx_inbound_once(pk_tx *tx, const char *channel, const char *ref, bool *fresh);
/* Records that a channel failed permanently for the person (kept once). */
int pk_tx_contact_failed_put(pk_tx *tx, int64_t participant_id, const char *channel,
                             const char *error);

/* A lease: one holder at a time across processes and servers.  Takes
 * `name` for `holder` until the instant `until` when it is free, expired
 * (its until < now), the holder's already, or held by `dead` (a holder
 * the caller knows has died; "" none); *got says so.  holder_of gives
 * the current holder ("" when none).  drop frees it when the holder has
 * it. */
int pk_store_lease_take(pk_store *s, const char *name, const char *holder, int64_t until,
                        int64_t now, const char *dead, bool *got);
int pk_store_lease_holder(pk_store *s, const char *name, char *out, size_t cap);
int pk_store_lease_drop(pk_store *s, const char *name, const char *holder);

/* ---- residents: one-time codes, sessions, contact preferences ----------
 *
 * (issue #15 "Residents sign in", app/resident.h.)  A CODE is kept per
 * person and purpose ("masuk": signing in; "telepon": verifying the phone)
 * as a keyed hash, with the instant it expires and the failed attempts so
 * far; a new code replaces the old.  A resident's SESSION is a hashed id
 * with its person, creation and last use.  A CONTACT PREFERENCE row holds
 * the channel the person prefers ("" none, "whatsapp", "sms", "email":
 * what the reminders read) and when the phone was verified (0: never). */
#define PK_RCODE_LEN 32
int pk_tx_resident_code_put(pk_tx *tx, int64_t participant_id, const char *purpose,
                            const uint8_t code[PK_RCODE_LEN], int64_t expires);
/* PK_ENOENT when the person has no code of that purpose. */
int pk_tx_resident_code_get(pk_tx *tx, int64_t participant_id, const char *purpose,
                            uint8_t code[PK_RCODE_LEN], int64_t *expires, int64_t *attempts);
/* Writes the failed attempts; attempts < 0 deletes the code. */
int pk_tx_resident_code_set(pk_tx *tx, int64_t participant_id, const char *purpose,
                            int64_t attempts);
/* A new session (expired ones, seen before idle_before or made before
 * created_before, are deleted first). */
int pk_tx_rsession_put(pk_tx *tx, const uint8_t id[PK_AUTH_HASH_LEN], int64_t participant_id,
                       int64_t now, int64_t idle_before, int64_t created_before);
/* PK_ENOENT when there is no such session. */
int pk_tx_rsession_get(pk_tx *tx, const uint8_t id[PK_AUTH_HASH_LEN], int64_t *participant_id,
                       int64_t *created, int64_t *seen);
/* Its last use; seen < 0 deletes it. */
int pk_tx_rsession_set(pk_tx *tx, const uint8_t id[PK_AUTH_HASH_LEN], int64_t seen);
/* The preferred channel ("" when none) and when the phone was verified
 * (0: never); both empty when the person has no row. */
int pk_tx_contact_pref_get(pk_tx *tx, int64_t participant_id, char channel[16],
                           int64_t *phone_verified_at);
/* Sets the channel (NULL: kept) and the phone's verification instant
 * (< 0: kept). */
int pk_tx_contact_pref_set(pk_tx *tx, int64_t participant_id, const char *channel,
                           int64_t phone_verified_at);

/* ---- outreach events and their attribution (issue #15 "Outreach") -------
 *
 * An EVENT is a sosialisasi or kelas literasi digital held in a village:
 * its short-link code (unique, URL-safe, made by app/outreach.c), kind,
 * title, start (seconds since 1970 UTC), place, village (a code of the
 * region table), organiser, audience segment ("" for everyone, else a
 * registry segment), attendance (-1 until it is recorded), who made it
 * and when (seconds).  An ATTRIBUTION says that a participant registered
 * through an event's link: one per participant, written in the
 * registration's own transaction.  Reads fill `registrations` and
 * `eligible` (attributed participants, and those of them without a
 * reason: the funnel's "per event"); a read given a region `counted`
 * (NULL or "" for all) counts only the attributed participants whose
 * village is in it, so a reader scoped to a region learns nothing of an
 * event's registrants who live outside it. */
/* pk_outreach, pk_outreach_cb: core/outreach.h */
/* Inserts e (id ignored) and fills e->id.  PK_ECONFLICT when the code
 * exists (the caller draws another). */
int pk_tx_outreach_insert(pk_tx *tx, pk_outreach *e);
/* Replaces every field of event e->id but its id, code, created_by and
 * created_at.  PK_ENOENT. */
int pk_tx_outreach_update(pk_tx *tx, const pk_outreach *e);
/* The event inside tx (PostgreSQL locks its row to the end of tx);
 * PK_ENOENT. */
int pk_tx_outreach_get(pk_tx *tx, int64_t id, pk_outreach *out);
/* Records that participant_id registered through event_id at `at`
 * (seconds).  PK_ECONFLICT when the participant has an attribution. */
int pk_tx_outreach_attribute(pk_tx *tx, int64_t participant_id, int64_t event_id, int64_t at);

/* Reads.  One event by id (its counts of `counted`), or by code (exactly
 * as stored; every registrant counted); PK_ENOENT. */
int pk_store_outreach_get(pk_store *s, int64_t id, const char *counted, pk_outreach *out);
int pk_store_outreach_find_code(pk_store *s, const char *code, pk_outreach *out);
/* The events of a region subtree (dotted code prefix; NULL or "" for
 * all) starting in [from, until), at most `limit` (<= 0: all), by
 * starts_at then id (descending when `newest_first`), each with its
 * counts of the registrants of region `counted` (NULL or "": all). */
typedef struct pk_outreach_filter {
    const char *region, *counted;
    int64_t from, until;
    int64_t limit;
    bool newest_first;
} pk_outreach_filter;
int pk_store_outreach_each(pk_store *s, const pk_outreach_filter *f, pk_outreach_cb cb,
                           void *ctx);
/* The event a participant registered through: 0 and its id, or
 * PK_ENOENT when none. */
int pk_store_outreach_of(pk_store *s, int64_t participant_id, int64_t *event_id);

/* The funnel (app/funnel.h).  "Reached" of a region subtree (NULL or ""
 * for all): the attendance of its events that have one recorded, summed
 * by the first child_len bytes of the village code (0: one group, region
 * ""), in code order, with the number of events summed; groups without
 * such an event left out.  Events are few (an index by village). */
typedef struct pk_reached {
    char region[PK_REGION_CODE_MAX];
    int64_t attendance, events;
} pk_reached;
typedef int (*pk_reached_cb)(void *ctx, const pk_reached *r);
int pk_store_outreach_reached(pk_store *s, const char *region, size_t child_len,
                              pk_reached_cb cb, void *ctx);
/* The journey's cells (pk_journey_cell, store.h: kind, k1, k2, n; region
 * "") of the participants attributed to event_id whose village is in
 * region `counted` (NULL or "": all), the facts journey_count
 * keeps (sql_funnel.h) counted at read time for exactly those people, in
 * (kind, k1, k2) order.  Not a counter: an event's people are few (those
 * who registered through its link), found through the attribution's index
 * by event, so a read costs the event's registrations, not its region's
 * people. */
int pk_store_outreach_journey_counts(pk_store *s, int64_t event_id, const char *counted,
                                     pk_journey_cell_cb cb, void *ctx);

#endif
