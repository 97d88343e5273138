/* store_impl.h -- what a storage backend implements (not for callers). */
#ifndef PK_STORE_IMPL_H
#define PK_STORE_IMPL_H

#include <stdatomic.h>

#include "store/store.h"

typedef struct pk_store_ops {
    const char *name;
    bool shared;    /* see pk_store_shared */

    /* The store: connections and transactions (sqlite.c, pg.c). */
    void (*close)(pk_store *s);
    int (*ping)(pk_store *s);
    int (*begin)(pk_store *s, pk_tx **out);
    int (*begin_lazy)(pk_store *s, pk_tx **out);
    int (*commit)(pk_tx *tx);
    void (*rollback)(pk_tx *tx);
    int (*savepoint)(pk_tx *tx);
    int (*release)(pk_tx *tx);
    int (*rollback_to)(pk_tx *tx);
    /* pk_store_backup; NULL: the backend has its own tools (err names them) */
    int (*backup)(pk_store *s, const char *path, int64_t *bytes, char *err, size_t errlen);
    const char *backup_hint;  /* why not, when backup is NULL */

    /* The schema and what the migrations fill: regions, named values
     * (sqlite_migrations.c, pg_migrations.c). */
    int (*version)(pk_store *s, int *current, int *latest);
    int (*migrate)(pk_store *s, const char *datadir, int *from, int *to, char *err, size_t errlen);
    int (*regions_each)(pk_store *s, pk_region_cb cb, void *ctx);
    int (*meta_get)(pk_store *s, const char *name, uint8_t *buf, size_t cap, size_t *len);
    int (*meta_put_once)(pk_store *s, const char *name, const uint8_t *value, size_t len);
    int (*tx_meta_get)(pk_tx *tx, const char *name, uint8_t *buf, size_t cap, size_t *len);
    int (*tx_meta_put_max)(pk_tx *tx, const char *name, const uint8_t *value, size_t len);

    /* The participant registry: writes, audit, exclusion lists,
     * re-evaluation, reads (sqlite_participants.c, pg_participants.c). */
    int (*participants_find)(pk_tx *tx, size_t n, const pk_bi *nik_bi,
                             pk_pknown *out);
    int (*participant_ids)(pk_tx *tx, size_t n, const pk_bi *nik_bi, int64_t *ids);
    int (*participants_write)(pk_tx *tx, size_t n, pk_prow *rows);
    int (*kk_members)(pk_tx *tx, size_t n, const pk_bi *kk_bi, pk_member_cb cb, void *ctx);
    int (*set_reasons)(pk_tx *tx, size_t n, const int64_t *ids, const uint64_t *reasons);
    int (*audit)(pk_tx *tx, size_t n, const pk_audit_entry *e);
    int (*list_clear)(pk_tx *tx, const char *list);
    int (*list_add)(pk_tx *tx, const char *list, const uint8_t *nik_bi, const uint8_t *note,
                    size_t note_len);
    int (*list_changes)(pk_tx *tx, const char *list, pk_bi_cb cb, void *ctx);
    int (*list_count)(pk_tx *tx, const char *list, int64_t *count);
    int (*reevaluate)(pk_tx *tx, const uint8_t *nik_bi, pk_reeval_fn fn, void *ctx,
                      uint8_t *kk_bi, int *changed);
    int (*participants_each)(pk_store *s, const char *region, pk_prow_cb cb, void *ctx);
    int (*participant_status)(pk_store *s, const uint8_t *nik_bi, pk_pstatus *out);

    /* Counters kept with the participants and read for the statistics
     * (sqlite_counts.c, pg_counts.c). */
    int (*stats)(pk_store *s, const char *region, pk_stats *out);
    int (*stats_children)(pk_store *s, const char *region, size_t child_len,
                          pk_child_count_cb cb, void *ctx);
    int (*counts_verify)(pk_store *s, pk_count_cell_cb cb, void *ctx, int64_t *cells,
                         int64_t *people);
    int (*counts_rebuild)(pk_tx *tx, int64_t *cells);
    /* The journey's counters (sqlite_counts.c, pg_counts.c; sql_funnel.h). */
    int (*journey_counts)(pk_store *s, const char *region, size_t child_len, const char *kind,
                          pk_journey_cell_cb cb, void *ctx);
    int (*journey_counts_verify)(pk_store *s, pk_journey_cell_cb cb, void *ctx, int64_t *cells);
    int (*journey_counts_rebuild)(pk_tx *tx, int64_t *cells);

    /* Bulk loading of an empty registry (sqlite_bulk.c, pg_bulk.c).
     * Optional, all or none (NULL: no bulk mode; the others are called
     * only while bulk_begin has it on). */
    int (*bulk_begin)(pk_tx *tx, bool *on);
    int (*bulk_mark)(pk_tx *tx, size_t n, const pk_bi *kk_bi);
    int (*bulk_end)(pk_tx *tx);
    int (*bulk_families)(pk_tx *tx, int small, const uint8_t *after, size_t limit, pk_bi *out,
                         size_t *n);
    int (*bulk_repeats)(pk_tx *tx, const uint8_t *after_nik, int64_t after_id, size_t limit,
                        pk_repeat *out, size_t *n);
    int (*bulk_fold)(pk_tx *tx, int64_t keep, int64_t from, bool copy);

    /* Accounts, sessions, API tokens, failed logins (sqlite_accounts.c,
     * pg_accounts.c; their SQL is shared: sql_accounts.h). */
    int (*user_insert)(pk_store *s, const pk_user *u, const pk_audit_entry *audit, int64_t *id);
    int (*user_find)(pk_store *s, const char *username, pk_user *out);
    int (*user_update)(pk_store *s, const pk_user *u, const pk_audit_entry *audit);
    int (*users_each)(pk_store *s, pk_user_cb cb, void *ctx);
    int (*session_insert)(pk_store *s, const uint8_t *id, int64_t user_id, int64_t now);
    int (*session_get)(pk_store *s, const uint8_t *id, int64_t *created, int64_t *seen,
                       pk_user *user);
    int (*session_touch)(pk_store *s, const uint8_t *id, int64_t now);
    int (*session_delete)(pk_store *s, const uint8_t *id);
    int (*sessions_expire)(pk_store *s, int64_t idle_before, int64_t created_before);
    int (*token_insert)(pk_store *s, const uint8_t *hash, int64_t user_id, const char *label,
                        const pk_audit_entry *audit, int64_t *id);
    int (*token_find)(pk_store *s, const uint8_t *hash, int64_t *id, pk_user *user);
    int (*token_revoke)(pk_store *s, int64_t id, const pk_audit_entry *audit);
    int (*tokens_each)(pk_store *s, int64_t user_id, pk_token_cb cb, void *ctx);
    int (*login_failure_add)(pk_store *s, const uint8_t *key, int64_t now,
                             int64_t forget_before);
    int (*login_failures)(pk_store *s, const uint8_t *key, int64_t since, int64_t *count,
                          int64_t *oldest, int64_t *newest);
    int (*login_failures_clear)(pk_store *s, const uint8_t *key);

    /* Staff reads of personal data, the access log, and key rotation of
     * the sealed boxes (sqlite_access.c, pg_access.c). */
    int (*participants_search)(pk_store *s, const char *scope, const char *name,
                               const uint8_t *nik_bi, const pk_search_key *after,
                               int limit, pk_prow_cb cb, void *ctx);
    int (*participant_get)(pk_store *s, const char *scope, int64_t id, pk_prow_cb cb,
                           void *ctx);
    int (*access_log_add)(pk_tx *tx, const pk_access_entry *e);
    int (*logs_find)(pk_store *s, const pk_log_filter *f, pk_log_cb cb, void *ctx);
    int (*sealed_older)(pk_tx *tx, int what, int gen, const pk_sealed *after, int limit,
                        pk_sealed_cb cb, void *ctx);
    int (*sealed_replace)(pk_tx *tx, int what, const pk_sealed *old, const uint8_t *box,
                          size_t len, int *replaced);
    int (*sealed_generations)(pk_store *s, int64_t *counts);

    /* The journey: events and the state derived from them
     * (sqlite_journey.c, pg_journey.c). */
    int (*events_of)(pk_tx *tx, int64_t participant_id, pk_event_cb cb, void *ctx);
    int (*events_of_many)(pk_tx *tx, size_t n, const int64_t *participant_ids, pk_event_cb cb,
                          void *ctx);
    int (*events_known)(pk_tx *tx, size_t n, const pk_event *const *ev, bool *known);
    int (*event_find)(pk_tx *tx, pk_event_source source, const char *ref,
                      int64_t *participant_id);
    int (*events_insert)(pk_tx *tx, size_t n, pk_event *ev);
    /* Optional, both or none (NULL: no bulk mode for events). */
    int (*events_bulk_begin)(pk_tx *tx, bool *on);
    int (*events_bulk_end)(pk_tx *tx);
    /* Optional (NULL: no such mode). */
    int (*large_writes)(pk_tx *tx, bool *on);
    /* Optional, both or none (NULL: the counters always kept row by row). */
    int (*journey_counts_defer)(pk_tx *tx, int64_t n, bool *on);
    int (*journey_counts_end)(pk_tx *tx);
    int (*journey_put)(pk_tx *tx, const pk_journey *j);
    int (*journey_state)(pk_tx *tx, int64_t participant_id, pk_journey *out);
    int (*journeys_put)(pk_tx *tx, size_t n, const pk_journey *js, bool fresh);
    int (*journey_tail)(pk_tx *tx, int64_t participant_id, int64_t at, int64_t seq,
                        pk_journey *out, bool *last);
    int (*journey_tails)(pk_tx *tx, size_t n, const int64_t *participant_ids, const int64_t *at,
                         const int64_t *seq, pk_tail *out);
    int (*journey_ids)(pk_tx *tx, int64_t after, size_t limit, int64_t *ids, size_t *n);
    int (*journey_get)(pk_store *s, int64_t participant_id, pk_journey *out);
    int (*events_each)(pk_store *s, int64_t participant_id, pk_event_cb cb, void *ctx);
    int (*journey_due_wave)(pk_tx *tx, pk_due_kind kind, int64_t after, int64_t *wave);
    int (*journey_due)(pk_tx *tx, pk_due_kind kind, int64_t wave, int64_t before,
                       int64_t after_at, int64_t after_id, size_t limit, pk_due_row *rows,
                       size_t *n);

    /* The digital platforms: credentials, nonces, idempotent answers;
     * the training catalogue (sqlite_platform.c, pg_platform.c; their SQL is shared:
     * sql_platform.h). */
    int (*platform_insert)(pk_store *s, const pk_platform *p, const pk_audit_entry *audit,
                           int64_t *id);
    int (*platform_update)(pk_store *s, const char *code, const uint8_t *secret, size_t len,
                           int disabled, const pk_audit_entry *audit);
    int (*platform_find)(pk_store *s, const char *code, pk_platform *out);
    int (*platforms_each)(pk_store *s, pk_platform_cb cb, void *ctx);
    int (*tx_platform_nonce)(pk_tx *tx, int64_t platform, const char *nonce, int64_t now,
                             int64_t forget_before);
    int (*tx_idem_get)(pk_tx *tx, int64_t platform, const char *key, uint8_t *digest,
                       int *status, pk_buf *body);
    int (*tx_idem_put)(pk_tx *tx, int64_t platform, const char *key, const uint8_t *digest,
                       int status, const void *body, size_t len, int *kept);
    int (*idem_prune)(pk_store *s, const char *before, int limit, int64_t *n);
    int (*tx_card_find)(pk_tx *tx, const char *number, int64_t *participant_id, bool *retired);
    int (*cards_page)(pk_tx *tx, int64_t after, size_t limit, pk_card_new *out, size_t *n);
    int (*card_reissue)(pk_tx *tx, const pk_card_new *c, int64_t at);
    /* Waves, draws and cards (sqlite_waves.c, pg_waves.c). */
    int (*wave_insert)(pk_tx *tx, const pk_wave *w);
    int (*wave_get)(pk_tx *tx, int64_t number, pk_wave *out);
    int (*wave_peek)(pk_tx *tx, int64_t number, pk_wave *out);
    int (*wave_set_state)(pk_tx *tx, int64_t number, const char *state);
    int (*waves_each)(pk_store *s, pk_wave_cb cb, void *ctx);
    int (*wave_applicants)(pk_tx *tx, int64_t wave, pk_applicant_cb cb, void *ctx);
    int (*wave_applicants_count)(pk_store *s, int64_t wave, int64_t *n);
    int (*wave_last_join)(pk_tx *tx, int64_t wave, int64_t *at, int64_t *seq);
    int (*recipient_families)(pk_tx *tx, int64_t at, pk_bi_cb cb, void *ctx);
    int (*draw_insert)(pk_tx *tx, const pk_draw_rec *d);
    int (*draw_get)(pk_store *s, int64_t wave, pk_draw_rec *out);
    int (*draw_rows_insert)(pk_tx *tx, int64_t wave, size_t n, const pk_draw_row *rows);
    int (*draw_rows_each)(pk_store *s, int64_t wave, pk_draw_row_cb cb, void *ctx);
    int (*card_serial_max)(pk_tx *tx, int64_t *serial);
    int (*card_insert)(pk_tx *tx, int64_t participant_id, int64_t wave, int64_t serial,
                       const char *number, int64_t issued_at);
    int (*cards_insert)(pk_tx *tx, int64_t wave, int64_t issued_at, size_t n,
                        const pk_card_new *cards);
    int (*card_get)(pk_store *s, int64_t participant_id, char *number, int64_t *wave,
                    int64_t *replaced_at);

    /* The training catalogue (sqlite_platform.c, pg_platform.c). */
    int (*course_put)(pk_tx *tx, const pk_course *c, int *outcome);
    int (*tx_course_find)(pk_tx *tx, const char *platform, const char *course_ref,
                          pk_course *out);
    int (*course_find)(pk_store *s, const char *platform, const char *course_ref,
                       pk_course *out);
    int (*courses_each)(pk_store *s, int64_t after, int limit, pk_course_cb cb, void *ctx);

    /* Reminders: consent (sqlite_remind.c, pg_remind.c). */
    int (*consent_set)(pk_tx *tx, int64_t participant_id, const char *purpose, bool stop,
                       const char *channel, const char *actor, bool *changed);
    int (*consent_get)(pk_store *s, int64_t participant_id, const char *purpose, bool *stopped,
                       char *since);
    int (*consent_changes)(pk_store *s, int64_t participant_id, size_t limit,
                           pk_consent_change_row *rows, size_t *n);
    /* Reminders: plan, fires, outbox, leases (sqlite_remind.c, pg_remind.c). */
    int (*remind_subjects)(pk_store *s, const char *scope, bool everyone, int64_t after,
                           size_t limit, pk_remind_subject_cb cb, void *ctx, size_t *n);
    int (*remind_subjects_by_region)(pk_store *s, const char *scope, bool everyone,
                                     const char *after_region, int64_t after, size_t limit,
                                     pk_remind_subject_cb cb, void *ctx, size_t *n);
    int (*remind_marks)(pk_store *s, int64_t lo, int64_t hi, const char *since_day,
                        pk_remind_mark_cb cb, void *ctx);
    int (*remind_marks_of)(pk_store *s, const int64_t *ids, size_t n, const char *since_day,
                           pk_remind_mark_cb cb, void *ctx);
    int (*remind_effect)(pk_store *s, const char *scope, pk_remind_effect_cb cb, void *ctx);
    int (*remind_effect_verify)(pk_store *s, pk_remind_effect_check_cb cb, void *ctx,
                                int64_t *cells);
    int (*remind_effect_rebuild)(pk_tx *tx, int64_t *cells);
    int (*remind_fire_put)(pk_tx *tx, int64_t participant_id, const char *rule, int64_t anchor,
                           int64_t k, int64_t offset_days, const char *status, const char *day,
                           int64_t message_id);
    int (*outbox_add)(pk_tx *tx, pk_outbox_msg *m, bool *added);
    int (*outbox_due)(pk_tx *tx, int64_t now, size_t limit, pk_outbox_msg *rows, size_t *n);
    int (*outbox_set)(pk_tx *tx, const pk_outbox_msg *m);
    int (*outbox_of)(pk_store *s, int64_t participant_id, size_t limit, pk_outbox_msg *rows,
                     size_t *n);
    int (*outbox_find)(pk_tx *tx, const char *channel, const char *provider_id,
                       pk_outbox_msg *out);
    int (*outbox_latest_to)(pk_tx *tx, const uint8_t *to, pk_outbox_msg *out);
    int (*outbox_receipt)(pk_tx *tx, int64_t id, int64_t delivered_at, int64_t read_at,
                          bool *changed);
    int (*inbound_once)(pk_tx *tx, const char *channel, const char *ref, bool *fresh);
    int (*contact_failed_put)(pk_tx *tx, int64_t participant_id, const char *channel,
                              const char *error);
    int (*lease_take)(pk_store *s, const char *name, const char *holder, int64_t until,
                      int64_t now, const char *dead, bool *got);
    int (*lease_holder)(pk_store *s, const char *name, char *out, size_t cap);
    int (*lease_drop)(pk_store *s, const char *name, const char *holder);
    /* Residents: codes, sessions, contact preferences (sqlite_resident.c,
     * pg_resident.c). */
    int (*resident_code_put)(pk_tx *tx, int64_t pid, const char *purpose, const uint8_t *code,
                             int64_t expires);
    int (*resident_code_get)(pk_tx *tx, int64_t pid, const char *purpose, uint8_t *code,
                             int64_t *expires, int64_t *attempts);
    int (*resident_code_set)(pk_tx *tx, int64_t pid, const char *purpose, int64_t attempts);
    int (*rsession_put)(pk_tx *tx, const uint8_t *id, int64_t pid, int64_t now,
                        int64_t idle_before, int64_t created_before);
    int (*rsession_get)(pk_tx *tx, const uint8_t *id, int64_t *pid, int64_t *created,
                        int64_t *seen);
    int (*rsession_set)(pk_tx *tx, const uint8_t *id, int64_t seen);
    int (*contact_pref_get)(pk_tx *tx, int64_t pid, char *channel, int64_t *verified);
    int (*contact_pref_set)(pk_tx *tx, int64_t pid, const char *channel, int64_t verified);
    /* Outreach events and their attribution (sqlite_outreach.c,
     * pg_outreach.c). */
    int (*outreach_insert)(pk_tx *tx, pk_outreach *e);
    int (*outreach_update)(pk_tx *tx, const pk_outreach *e);
    int (*outreach_tx_get)(pk_tx *tx, int64_t id, pk_outreach *out);
    int (*outreach_attribute)(pk_tx *tx, int64_t pid, int64_t event_id, int64_t at);
    int (*outreach_get)(pk_store *s, int64_t id, const char *code, const char *counted,
                        pk_outreach *out);
    int (*outreach_each)(pk_store *s, const pk_outreach_filter *f, pk_outreach_cb cb,
                         void *ctx);
    int (*outreach_of)(pk_store *s, int64_t pid, int64_t *event_id);
    int (*outreach_reached)(pk_store *s, const char *region, size_t child_len,
                            pk_reached_cb cb, void *ctx);
    int (*outreach_journey_counts)(pk_store *s, int64_t event_id, const char *counted,
                                   pk_journey_cell_cb cb, void *ctx);
} pk_store_ops;

/* The columns of pk_journey after participant_id, status and payout, in
 * one order for both backends (pk_journey_ints, pk_journey_from_ints). */
#define PK_JOURNEY_INT_COLS                                                              \
    "wave, joined_at, selected_at, revoked_at, balance, credited, spent, refunded,"      \
    " lapsed, first_purchase_at, purchases, completions, reviews, first_completion_at,"  \
    " first_review_at, payout_at, incentives_paid, incentive_total, incentives_failed,"  \
    " survey_k, survey_opened_at, surveys_filled, survey_incentives, events, last_at,"      \
    " first_incentive_at"
#define PK_JOURNEY_INT_SET                                                               \
    "wave = excluded.wave, joined_at = excluded.joined_at,"                              \
    " selected_at = excluded.selected_at, revoked_at = excluded.revoked_at,"             \
    " balance = excluded.balance, credited = excluded.credited, spent = excluded.spent," \
    " refunded = excluded.refunded, lapsed = excluded.lapsed,"                           \
    " first_purchase_at = excluded.first_purchase_at, purchases = excluded.purchases,"   \
    " completions = excluded.completions, reviews = excluded.reviews,"                   \
    " first_completion_at = excluded.first_completion_at,"                               \
    " first_review_at = excluded.first_review_at, payout_at = excluded.payout_at,"       \
    " incentives_paid = excluded.incentives_paid,"                                       \
    " incentive_total = excluded.incentive_total,"                                       \
    " incentives_failed = excluded.incentives_failed, survey_k = excluded.survey_k,"     \
    " survey_opened_at = excluded.survey_opened_at,"                                     \
    " surveys_filled = excluded.surveys_filled,"                                         \
    " survey_incentives = excluded.survey_incentives, events = excluded.events,"         \
    " last_at = excluded.last_at, first_incentive_at = excluded.first_incentive_at"
#define PK_JOURNEY_INTS 26
#define PK_JOURNEY_FIELDS(j)                                                              \
    &(j)->wave, &(j)->joined_at, &(j)->selected_at, &(j)->revoked_at, &(j)->balance,     \
        &(j)->credited, &(j)->spent, &(j)->refunded, &(j)->lapsed, &(j)->first_purchase_at, \
        &(j)->purchases, &(j)->completions, &(j)->reviews, &(j)->first_completion_at,     \
        &(j)->first_review_at, &(j)->payout_at, &(j)->incentives_paid,                    \
        &(j)->incentive_total, &(j)->incentives_failed, &(j)->survey_k,                   \
        &(j)->survey_opened_at, &(j)->surveys_filled, &(j)->survey_incentives,            \
        &(j)->events, &(j)->last_at, &(j)->first_incentive_at
static inline void pk_journey_ints(const pk_journey *j, int64_t out[PK_JOURNEY_INTS])
{
    const int64_t *f[] = {PK_JOURNEY_FIELDS(j)};
    _Static_assert(sizeof(f) / sizeof(f[0]) == PK_JOURNEY_INTS, "26 columns");
    for (int i = 0; i < PK_JOURNEY_INTS; i++)
        out[i] = *f[i];
}
static inline void pk_journey_from_ints(pk_journey *j, const int64_t in[PK_JOURNEY_INTS])
{
    int64_t *f[] = {PK_JOURNEY_FIELDS(j)};
    for (int i = 0; i < PK_JOURNEY_INTS; i++)
        *f[i] = in[i];
}

struct pk_store {
    const pk_store_ops *ops;
    void *impl;       /* the backend's state; starts with a pk_backend */
};

/* Every backend's state (pk_store.impl) starts with this header: where
 * the backend reports a diagnostic (pk_store_set_log), and whether the
 * database's storage was full at the last write (pk_store_disk_full). */
typedef struct pk_backend {
    pk_log_fn log;   /* NULL: diagnostics are dropped */
    void *log_ctx;
    atomic_bool disk_full;
    /* the pool's use (pk_store_pool_stats), counted with pk_store_pool_count */
    _Atomic uint64_t acquired, opened, waits, wait_ns;
    int64_t search_window; /* pk_store_set_search_window; 0: the backend's own */
    pk_store_purchase_by_fn purchase_by;  /* pk_store_set_purchase_by */
    void *purchase_by_ctx;
} pk_backend;

/* The calling thread's lock wait (pk_store_thread_lock_wait), ms; 0: none. */
int pk_store_thread_lock_wait_ms(void);

/* Records the outcome of a write for pk_store_disk_full: PK_ENOSPC sets
 * the flag, 0 (a commit that went through) clears it, anything else
 * leaves it.  Each change is logged once ("disk full", "disk space
 * available again"), so a full disk does not flood the log.  store.c
 * calls it for every op; a backend may call it where it maps its
 * database's error (SQLITE_FULL, SQLSTATE 53100) to PK_ENOSPC. */
void pk_backend_space(pk_backend *b, int rc);

/* Reports one diagnostic line (no newline) to the store's log callback,
 * if any.  Never personal data: SQLSTATEs, constraint names, the
 * database's primary message, the store's own words. */
void pk_backend_log(const pk_backend *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Counts a taking of a connection from the pool (pk_store_pool_stats):
 * `opened` when none was idle; wait_ns > 0 when it had to wait. */
void pk_backend_pool_count(pk_backend *b, bool opened, uint64_t wait_ns);

/* Every backend's transaction starts with this header (zeroed). */
struct pk_tx {
    pk_store *store;
    /* For pk_store_disk_full (store.c): whether a write of this
     * transaction went through, and whether one met a full disk.  Only a
     * commit of a transaction that wrote, and met no full disk, says the
     * disk has room again: one whose writes were all undone to their
     * savepoints commits nothing. */
    bool wrote, met_full;
};

/* PK_ESCHEMA, with the one message every backend gives, when a database
 * at schema version `current` is newer than this binary's `latest`. */
int pk_store_check_version(int current, int latest, char *err, size_t errlen);

/* One schema change.  Each backend keeps an append-only array of them,
 * numbered alike; a released one is never edited.  Applied in one
 * transaction: sql, then load with the backend's connection, to add rows
 * or convert them, then after, for constraints and indexes better built
 * once the rows are in (each may be NULL). */
typedef struct pk_migration {
    int version;
    const char *name;
    const char *sql;
    int (*load)(void *conn, const char *datadir, char *err, size_t errlen);
    const char *after;
} pk_migration;

/* What pk_store_migrations needs of a backend's connection.  Each
 * function that fails writes why to err (exec: the database's message). */
typedef struct pk_migrator {
    void *conn;
    /* begins the transaction of one migration, holding the lock that
     * keeps other processes from migrating at the same time */
    int (*begin)(void *conn, char *err, size_t errlen);
    int (*exec)(void *conn, const char *sql, char *err, size_t errlen);
    int (*version)(void *conn, int *current); /* 0: no migration yet */
    int (*record)(void *conn, const pk_migration *m, char *err, size_t errlen);
    int (*commit)(void *conn, char *err, size_t errlen);
    void (*rollback)(void *conn);
} pk_migrator;

/* Brings the database to the newest of list[0..n): *from receives the
 * version before, *to the version after.  Each migration newer than the
 * database is applied in a transaction of its own, unless another
 * process applied it while this one waited for the lock.  A database
 * newer than the list is refused (pk_store_check_version). */
int pk_store_migrations(const pk_migrator *mg, const pk_migration *list, size_t n,
                        const char *datadir, int *from, int *to, char *err, size_t errlen);

/* The distinct keys of bi[0..n) in key order, in a new array the caller
 * frees (NULL when out of memory); *m receives how many.  Lock and
 * lookup order for batches. */
pk_bi *pk_bi_sorted(size_t n, const pk_bi *bi, size_t *m);

/* The store's clock as text, strftime('%Y-%m-%dT%H:%M:%fZ') of SQLite (UTC,
 * milliseconds): the form of every created_at/updated_at. */
void pk_store_now(char out[32]);

int pk_sqlite_open(const char *path, pk_store **out, char *err, size_t errlen);
/* url: "postgresql://..." or "postgres://..." (libpq connection URI). */
int pk_pg_open(const char *url, pk_store **out, char *err, size_t errlen);

/* Reads the region CSVs of datadir/wilayah in order provinces, regencies,
 * districts, villages, calling cb(ctx, code, parent, level, name) for
 * each row.  Shared by the backends' migrations. */
typedef int (*pk_region_row_cb)(void *ctx, const char *code, const char *parent, int level,
                                const char *name);
int pk_store_load_wilayah(const char *datadir, pk_region_row_cb cb, void *ctx,
                          char *err, size_t errlen);

/* What store.c and store_programme.c share: the result of an op noted
 * (a full disk is recorded: pk_store_disk_full); for an op of a
 * transaction, also whether it wrote; for an op that writes and commits
 * on its own, success also clears the full-disk flag. */
int pk_st_noted(pk_store *s, int rc);
int pk_st_noted_tx(pk_tx *tx, bool write, int rc);
int pk_st_committed(pk_store *s, int rc);
/* The n ids as one text parameter between `open` and `close`, comma
 * separated: "[1,2]" (a JSON array for SQLite's json_each), "{1,2}" (a
 * PostgreSQL array literal).  malloc'd; NULL when out of memory. */
char *pk_st_ids_text(const int64_t *ids, size_t n, char open, char close);

#endif
