/* store_programme.c -- the dispatch of the programme's ops (store.h):
 * the journey, the digital platforms, waves and draws, the training
 * catalogue and reminders.  As store.c: each op goes to the backend's
 * table, its result noted (a full disk, a transaction that wrote). */
#include "store/store_impl.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/pk.h"

/* ---- the journey ---- */

int pk_tx_events_of(pk_tx *tx, int64_t participant_id, pk_event_cb cb, void *ctx)
{
    return pk_st_noted_tx(tx, false, tx->store->ops->events_of(tx, participant_id, cb, ctx));
}

int pk_tx_events_of_many(pk_tx *tx, size_t n, const int64_t *participant_ids, pk_event_cb cb,
                         void *ctx)
{
    return pk_st_noted_tx(tx, false,
                    n == 0 ? 0 : tx->store->ops->events_of_many(tx, n, participant_ids, cb, ctx));
}

int pk_tx_events_known(pk_tx *tx, size_t n, const pk_event *const *ev, bool *known)
{
    return pk_st_noted_tx(tx, false, n == 0 ? 0 : tx->store->ops->events_known(tx, n, ev, known));
}

int pk_tx_event_find(pk_tx *tx, pk_event_source source, const char *ref,
                     int64_t *participant_id)
{
    return pk_st_noted_tx(tx, false, tx->store->ops->event_find(tx, source, ref, participant_id));
}

int pk_tx_events_insert(pk_tx *tx, size_t n, pk_event *ev)
{
    return pk_st_noted_tx(tx, true, tx->store->ops->events_insert(tx, n, ev));
}

int pk_tx_events_bulk_begin(pk_tx *tx, bool *on)
{
    *on = false;
    return pk_st_noted_tx(tx, true,
                    tx->store->ops->events_bulk_begin ? tx->store->ops->events_bulk_begin(tx, on)
                                                      : 0);
}

int pk_tx_events_bulk_end(pk_tx *tx)
{
    return pk_st_noted_tx(tx, true,
                    tx->store->ops->events_bulk_end ? tx->store->ops->events_bulk_end(tx) : 0);
}

int pk_tx_large_writes(pk_tx *tx, bool *on)
{
    *on = false;
    return pk_st_noted_tx(tx, true,
                          tx->store->ops->large_writes ? tx->store->ops->large_writes(tx, on)
                                                       : 0);
}

int pk_tx_journey_counts_defer(pk_tx *tx, int64_t n, bool *on)
{
    *on = false;
    return pk_st_noted_tx(tx, true,
                          tx->store->ops->journey_counts_defer
                              ? tx->store->ops->journey_counts_defer(tx, n, on)
                              : 0);
}

int pk_tx_journey_counts_end(pk_tx *tx)
{
    return pk_st_noted_tx(tx, true,
                          tx->store->ops->journey_counts_end
                              ? tx->store->ops->journey_counts_end(tx)
                              : 0);
}

int pk_tx_journey_put(pk_tx *tx, const pk_journey *j)
{
    return pk_st_noted_tx(tx, true, tx->store->ops->journey_put(tx, j));
}

int pk_tx_journey_state(pk_tx *tx, int64_t participant_id, pk_journey *out)
{
    return pk_st_noted_tx(tx, false, tx->store->ops->journey_state(tx, participant_id, out));
}

int pk_tx_journeys_put(pk_tx *tx, size_t n, const pk_journey *js, bool fresh)
{
    return pk_st_noted_tx(tx, n > 0,
                          n == 0 ? 0 : tx->store->ops->journeys_put(tx, n, js, fresh));
}

int pk_tx_journey_tail(pk_tx *tx, int64_t participant_id, int64_t at, int64_t seq,
                       pk_journey *out, bool *last)
{
    return pk_st_noted_tx(tx, false,
                    tx->store->ops->journey_tail(tx, participant_id, at, seq, out, last));
}

/* A backend without a statement for many: one at a time. */
int pk_tx_journey_tails(pk_tx *tx, size_t n, const int64_t *participant_ids, const int64_t *at,
                        const int64_t *seq, pk_tail *out)
{
    if (tx->store->ops->journey_tails != NULL)
        return pk_st_noted_tx(tx, false, tx->store->ops->journey_tails(tx, n, participant_ids,
                                                                       at, seq, out));
    for (size_t i = 0; i < n; i++) {
        out[i].found = out[i].last = false;
        int rc = pk_tx_journey_tail(tx, participant_ids[i], at[i], seq[i], &out[i].j,
                                    &out[i].last);
        if (rc != 0 && rc != PK_ENOENT)
            return rc;
        out[i].found = rc == 0;
    }
    return 0;
}

int pk_tx_journey_ids(pk_tx *tx, int64_t after, size_t limit, int64_t *ids, size_t *n)
{
    return pk_st_noted_tx(tx, false, tx->store->ops->journey_ids(tx, after, limit, ids, n));
}

int pk_store_journey_get(pk_store *s, int64_t participant_id, pk_journey *out)
{
    return s->ops->journey_get(s, participant_id, out);
}

int pk_store_events_each(pk_store *s, int64_t participant_id, pk_event_cb cb, void *ctx)
{
    return s->ops->events_each(s, participant_id, cb, ctx);
}

int pk_tx_journey_due_wave(pk_tx *tx, pk_due_kind kind, int64_t after, int64_t *wave)
{
    return pk_st_noted_tx(tx, false, tx->store->ops->journey_due_wave(tx, kind, after, wave));
}

int pk_tx_journey_due(pk_tx *tx, pk_due_kind kind, int64_t wave, int64_t before,
                      int64_t after_at, int64_t after_id, size_t limit, pk_due_row *rows,
                      size_t *n)
{
    *n = 0;
    return pk_st_noted_tx(tx, false, tx->store->ops->journey_due(tx, kind, wave, before, after_at,
                                                            after_id, limit, rows, n));
}

/* ---- the digital platforms ---- */

int pk_store_platform_insert(pk_store *s, const pk_platform *p, const pk_audit_entry *audit,
                             int64_t *id)
{
    return pk_st_committed(s, s->ops->platform_insert(s, p, audit, id));
}

int pk_store_platform_update(pk_store *s, const char *code, const uint8_t *secret, size_t len,
                             int disabled, const pk_audit_entry *audit)
{
    return pk_st_noted(s, s->ops->platform_update(s, code, secret, len, disabled, audit));
}

int pk_store_platform_find(pk_store *s, const char *code, pk_platform *out)
{
    return s->ops->platform_find(s, code, out);
}

int pk_store_platforms_each(pk_store *s, pk_platform_cb cb, void *ctx)
{
    return s->ops->platforms_each(s, cb, ctx);
}

int pk_tx_platform_nonce(pk_tx *tx, int64_t platform, const char *nonce, int64_t now,
                         int64_t forget_before)
{
    return pk_st_noted_tx(tx, true,
                    tx->store->ops->tx_platform_nonce(tx, platform, nonce, now, forget_before));
}

int pk_tx_idem_get(pk_tx *tx, int64_t platform, const char *key,
                   uint8_t digest[PK_IDEM_DIGEST_LEN], int *status, pk_buf *body)
{
    return pk_st_noted_tx(tx, false,
                    tx->store->ops->tx_idem_get(tx, platform, key, digest, status, body));
}

int pk_tx_idem_put(pk_tx *tx, int64_t platform, const char *key,
                   const uint8_t digest[PK_IDEM_DIGEST_LEN], int status, const void *body,
                   size_t len, int *kept)
{
    return pk_st_noted_tx(tx, true, tx->store->ops->tx_idem_put(tx, platform, key, digest, status,
                                                          body, len, kept));
}

int pk_store_idem_prune(pk_store *s, const char *before, int limit, int64_t *n)
{
    return pk_st_noted(s, s->ops->idem_prune(s, before, limit, n));
}

int pk_tx_card_find(pk_tx *tx, const char *number, int64_t *participant_id, bool *retired)
{
    *retired = false;
    return pk_st_noted_tx(tx, false,
                          tx->store->ops->tx_card_find(tx, number, participant_id, retired));
}

int pk_tx_cards_page(pk_tx *tx, int64_t after, size_t limit, pk_card_new *out, size_t *n)
{
    *n = 0;
    return pk_st_noted_tx(tx, false, tx->store->ops->cards_page(tx, after, limit, out, n));
}

int pk_tx_card_reissue(pk_tx *tx, const pk_card_new *c, int64_t at)
{
    return pk_st_noted_tx(tx, true, tx->store->ops->card_reissue(tx, c, at));
}

/* ---- waves, draws, cards ---- */

int pk_tx_wave_insert(pk_tx *tx, const pk_wave *w)
{
    return pk_st_noted_tx(tx, true, tx->store->ops->wave_insert(tx, w));
}

int pk_tx_wave_get(pk_tx *tx, int64_t number, pk_wave *out)
{
    return pk_st_noted_tx(tx, false, tx->store->ops->wave_get(tx, number, out));
}

int pk_tx_wave_peek(pk_tx *tx, int64_t number, pk_wave *out)
{
    return pk_st_noted_tx(tx, false, tx->store->ops->wave_peek(tx, number, out));
}

int pk_tx_wave_set_state(pk_tx *tx, int64_t number, const char *state)
{
    return pk_st_noted_tx(tx, true, tx->store->ops->wave_set_state(tx, number, state));
}

int pk_store_waves_each(pk_store *s, pk_wave_cb cb, void *ctx)
{
    return s->ops->waves_each(s, cb, ctx);
}

int pk_tx_wave_applicants(pk_tx *tx, int64_t wave, pk_applicant_cb cb, void *ctx)
{
    return pk_st_noted_tx(tx, false, tx->store->ops->wave_applicants(tx, wave, cb, ctx));
}

int pk_tx_wave_last_join(pk_tx *tx, int64_t wave, int64_t *at, int64_t *seq)
{
    *at = *seq = 0;
    return pk_st_noted_tx(tx, false, tx->store->ops->wave_last_join(tx, wave, at, seq));
}

int pk_store_wave_applicants_count(pk_store *s, int64_t wave, int64_t *n)
{
    return s->ops->wave_applicants_count(s, wave, n);
}

int pk_tx_recipient_families(pk_tx *tx, int64_t at, pk_bi_cb cb, void *ctx)
{
    return pk_st_noted_tx(tx, false, tx->store->ops->recipient_families(tx, at, cb, ctx));
}

int pk_tx_draw_insert(pk_tx *tx, const pk_draw_rec *d)
{
    return pk_st_noted_tx(tx, true, tx->store->ops->draw_insert(tx, d));
}

int pk_store_draw_get(pk_store *s, int64_t wave, pk_draw_rec *out)
{
    return s->ops->draw_get(s, wave, out);
}

int pk_tx_draw_rows_insert(pk_tx *tx, int64_t wave, size_t n, const pk_draw_row *rows)
{
    return pk_st_noted_tx(tx, true, tx->store->ops->draw_rows_insert(tx, wave, n, rows));
}

int pk_store_draw_rows_each(pk_store *s, int64_t wave, pk_draw_row_cb cb, void *ctx)
{
    return s->ops->draw_rows_each(s, wave, cb, ctx);
}

int pk_tx_card_serial_max(pk_tx *tx, int64_t *serial)
{
    return pk_st_noted_tx(tx, false, tx->store->ops->card_serial_max(tx, serial));
}

int pk_tx_card_insert(pk_tx *tx, int64_t participant_id, int64_t wave, int64_t serial,
                      const char *number, int64_t issued_at)
{
    return pk_st_noted_tx(tx, true,
                    tx->store->ops->card_insert(tx, participant_id, wave, serial, number,
                                                issued_at));
}

/* A backend without a statement for many: one at a time. */
int pk_tx_cards_insert(pk_tx *tx, int64_t wave, int64_t issued_at, size_t n,
                       const pk_card_new *cards)
{
    if (tx->store->ops->cards_insert != NULL)
        return pk_st_noted_tx(tx, n > 0,
                              n == 0 ? 0
                                     : tx->store->ops->cards_insert(tx, wave, issued_at, n, cards));
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = pk_tx_card_insert(tx, cards[i].participant_id, wave, cards[i].serial,
                               cards[i].number, issued_at);
    return rc;
}

int pk_store_card_get(pk_store *s, int64_t participant_id, char number[17], int64_t *wave,
                      int64_t *replaced_at)
{
    return s->ops->card_get(s, participant_id, number, wave, replaced_at);
}

/* ---- the training catalogue ---- */

int pk_tx_course_put(pk_tx *tx, const pk_course *c, int *outcome)
{
    return pk_st_noted_tx(tx, true, tx->store->ops->course_put(tx, c, outcome));
}

int pk_tx_course_find(pk_tx *tx, const char *platform, const char *course_ref, pk_course *out)
{
    return pk_st_noted_tx(tx, false, tx->store->ops->tx_course_find(tx, platform, course_ref, out));
}

int pk_store_course_find(pk_store *s, const char *platform, const char *course_ref,
                         pk_course *out)
{
    return s->ops->course_find(s, platform, course_ref, out);
}

int pk_store_courses_each(pk_store *s, int64_t after, int limit, pk_course_cb cb, void *ctx)
{
    return s->ops->courses_each(s, after, limit, cb, ctx);
}

/* ---- reminders: consent ---- */

int pk_tx_consent_set(pk_tx *tx, int64_t participant_id, const char *purpose, bool stop,
                      const char *channel, const char *actor, bool *changed)
{
    return pk_st_noted_tx(tx, true,
                    tx->store->ops->consent_set(tx, participant_id, purpose, stop, channel, actor,
                                                changed));
}

int pk_store_consent_get(pk_store *s, int64_t participant_id, const char *purpose,
                         bool *stopped, char since[32])
{
    return s->ops->consent_get(s, participant_id, purpose, stopped, since);
}

int pk_store_consent_changes(pk_store *s, int64_t participant_id, size_t limit,
                             pk_consent_change_row *rows, size_t *n)
{
    return s->ops->consent_changes(s, participant_id, limit, rows, n);
}

/* ---- reminders: plan, fires, outbox, leases ---- */

int pk_store_remind_subjects(pk_store *s, const char *scope, bool everyone, int64_t after,
                             size_t limit, pk_remind_subject_cb cb, void *ctx, size_t *n)
{
    return s->ops->remind_subjects(s, scope, everyone, after, limit, cb, ctx, n);
}

int pk_store_remind_marks(pk_store *s, int64_t lo, int64_t hi, const char *since_day,
                          pk_remind_mark_cb cb, void *ctx)
{
    return s->ops->remind_marks(s, lo, hi, since_day, cb, ctx);
}

int pk_store_remind_subjects_by_region(pk_store *s, const char *scope, bool everyone,
                                       const char *after_region, int64_t after, size_t limit,
                                       pk_remind_subject_cb cb, void *ctx, size_t *n)
{
    return s->ops->remind_subjects_by_region(s, scope, everyone, after_region, after, limit, cb,
                                             ctx, n);
}

int pk_store_remind_marks_of(pk_store *s, const int64_t *ids, size_t n, const char *since_day,
                             pk_remind_mark_cb cb, void *ctx)
{
    return s->ops->remind_marks_of(s, ids, n, since_day, cb, ctx);
}

int pk_store_remind_effect(pk_store *s, const char *scope, pk_remind_effect_cb cb, void *ctx)
{
    return s->ops->remind_effect(s, scope, cb, ctx);
}

int pk_store_remind_effect_verify(pk_store *s, pk_remind_effect_check_cb cb, void *ctx,
                                  int64_t *cells)
{
    return s->ops->remind_effect_verify(s, cb, ctx, cells);
}

int pk_tx_remind_effect_rebuild(pk_tx *tx, int64_t *cells)
{
    return pk_st_noted_tx(tx, true, tx->store->ops->remind_effect_rebuild(tx, cells));
}

int pk_tx_remind_fire_put(pk_tx *tx, int64_t participant_id, const char *rule, int64_t anchor,
                          int64_t k, int64_t offset_days, const char *status, const char *day,
                          int64_t message_id)
{
    return pk_st_noted_tx(tx, true,
                          tx->store->ops->remind_fire_put(tx, participant_id, rule, anchor, k,
                                                          offset_days, status, day,
                                                          message_id));
}

int pk_tx_outbox_add(pk_tx *tx, pk_outbox_msg *m, bool *added)
{
    return pk_st_noted_tx(tx, true, tx->store->ops->outbox_add(tx, m, added));
}

int pk_tx_outbox_due(pk_tx *tx, int64_t now, size_t limit, pk_outbox_msg *rows, size_t *n)
{
    return pk_st_noted_tx(tx, false, tx->store->ops->outbox_due(tx, now, limit, rows, n));
}

int pk_tx_outbox_set(pk_tx *tx, const pk_outbox_msg *m)
{
    return pk_st_noted_tx(tx, true, tx->store->ops->outbox_set(tx, m));
}

int pk_store_outbox_of(pk_store *s, int64_t participant_id, size_t limit, pk_outbox_msg *rows,
                       size_t *n)
{
    return s->ops->outbox_of(s, participant_id, limit, rows, n);
}

int pk_tx_outbox_find(pk_tx *tx, const char *channel, const char *provider_id,
                      pk_outbox_msg *out)
{
    return pk_st_noted_tx(tx, false, tx->store->ops->outbox_find(tx, channel, provider_id, out));
}

int pk_tx_outbox_latest_to(pk_tx *tx, const pk_bi to, pk_outbox_msg *out)
{
    return pk_st_noted_tx(tx, false, tx->store->ops->outbox_latest_to(tx, to, out));
}

int pk_tx_outbox_receipt(pk_tx *tx, int64_t id, int64_t delivered_at, int64_t read_at,
                         bool *changed)
{
    return pk_st_noted_tx(tx, true, tx->store->ops->outbox_receipt(tx, id, delivered_at, read_at,
                                                                   changed));
}

int pk_tx_inbound_once(pk_tx *tx, const char *channel, const char *ref, bool *fresh)
{
    return pk_st_noted_tx(tx, true, tx->store->ops->inbound_once(tx, channel, ref, fresh));
}

int pk_tx_contact_failed_put(pk_tx *tx, int64_t participant_id, const char *channel,
                             const char *error)
{
    return pk_st_noted_tx(tx, true,
                          tx->store->ops->contact_failed_put(tx, participant_id, channel, error));
}

int pk_store_lease_take(pk_store *s, const char *name, const char *holder, int64_t until,
                        int64_t now, const char *dead, bool *got)
{
    return pk_st_noted(s, s->ops->lease_take(s, name, holder, until, now, dead, got));
}

int pk_store_lease_holder(pk_store *s, const char *name, char *out, size_t cap)
{
    return s->ops->lease_holder(s, name, out, cap);
}

int pk_store_lease_drop(pk_store *s, const char *name, const char *holder)
{
    return pk_st_noted(s, s->ops->lease_drop(s, name, holder));
}

/* ---- residents: codes, sessions, contact preferences ---- */

int pk_tx_resident_code_put(pk_tx *tx, int64_t participant_id, const char *purpose,
                            const uint8_t code[PK_RCODE_LEN], int64_t expires)
{
    return pk_st_noted_tx(tx, true, tx->store->ops->resident_code_put(tx, participant_id, purpose,
                                                                       code, expires));
}

int pk_tx_resident_code_get(pk_tx *tx, int64_t participant_id, const char *purpose,
                            uint8_t code[PK_RCODE_LEN], int64_t *expires, int64_t *attempts)
{
    return pk_st_noted_tx(tx, false, tx->store->ops->resident_code_get(tx, participant_id, purpose,
                                                                        code, expires, attempts));
}

int pk_tx_resident_code_set(pk_tx *tx, int64_t participant_id, const char *purpose,
                            int64_t attempts)
{
    return pk_st_noted_tx(tx, true,
                          tx->store->ops->resident_code_set(tx, participant_id, purpose, attempts));
}

int pk_tx_rsession_put(pk_tx *tx, const uint8_t id[PK_AUTH_HASH_LEN], int64_t participant_id,
                       int64_t now, int64_t idle_before, int64_t created_before)
{
    return pk_st_noted_tx(tx, true, tx->store->ops->rsession_put(tx, id, participant_id, now,
                                                                  idle_before, created_before));
}

int pk_tx_rsession_get(pk_tx *tx, const uint8_t id[PK_AUTH_HASH_LEN], int64_t *participant_id,
                       int64_t *created, int64_t *seen)
{
    return pk_st_noted_tx(tx, false,
                          tx->store->ops->rsession_get(tx, id, participant_id, created, seen));
}

int pk_tx_rsession_set(pk_tx *tx, const uint8_t id[PK_AUTH_HASH_LEN], int64_t seen)
{
    return pk_st_noted_tx(tx, true, tx->store->ops->rsession_set(tx, id, seen));
}

int pk_tx_contact_pref_get(pk_tx *tx, int64_t participant_id, char channel[16],
                           int64_t *phone_verified_at)
{
    return pk_st_noted_tx(tx, false, tx->store->ops->contact_pref_get(tx, participant_id, channel,
                                                                       phone_verified_at));
}

int pk_tx_contact_pref_set(pk_tx *tx, int64_t participant_id, const char *channel,
                           int64_t phone_verified_at)
{
    return pk_st_noted_tx(tx, true, tx->store->ops->contact_pref_set(tx, participant_id, channel,
                                                                      phone_verified_at));
}

/* ---- outreach events and their attribution ---- */

int pk_tx_outreach_insert(pk_tx *tx, pk_outreach *e)
{
    return pk_st_noted_tx(tx, true, tx->store->ops->outreach_insert(tx, e));
}

int pk_tx_outreach_update(pk_tx *tx, const pk_outreach *e)
{
    return pk_st_noted_tx(tx, true, tx->store->ops->outreach_update(tx, e));
}

int pk_tx_outreach_get(pk_tx *tx, int64_t id, pk_outreach *out)
{
    return pk_st_noted_tx(tx, false, tx->store->ops->outreach_tx_get(tx, id, out));
}

int pk_tx_outreach_attribute(pk_tx *tx, int64_t participant_id, int64_t event_id, int64_t at)
{
    return pk_st_noted_tx(tx, true,
                          tx->store->ops->outreach_attribute(tx, participant_id, event_id, at));
}

int pk_store_outreach_get(pk_store *s, int64_t id, const char *counted, pk_outreach *out)
{
    return pk_st_noted(s, s->ops->outreach_get(s, id, NULL, counted, out));
}

int pk_store_outreach_find_code(pk_store *s, const char *code, pk_outreach *out)
{
    return pk_st_noted(s, s->ops->outreach_get(s, 0, code, NULL, out));
}

int pk_store_outreach_each(pk_store *s, const pk_outreach_filter *f, pk_outreach_cb cb,
                           void *ctx)
{
    return pk_st_noted(s, s->ops->outreach_each(s, f, cb, ctx));
}

int pk_store_outreach_of(pk_store *s, int64_t participant_id, int64_t *event_id)
{
    return pk_st_noted(s, s->ops->outreach_of(s, participant_id, event_id));
}

int pk_store_outreach_reached(pk_store *s, const char *region, size_t child_len,
                              pk_reached_cb cb, void *ctx)
{
    return pk_st_noted(s, s->ops->outreach_reached(s, region, child_len, cb, ctx));
}

int pk_store_outreach_journey_counts(pk_store *s, int64_t event_id, const char *counted,
                                     pk_journey_cell_cb cb, void *ctx)
{
    return pk_st_noted(s, s->ops->outreach_journey_counts(s, event_id, counted, cb, ctx));
}
