/* sqlite_remind.c -- reminders on SQLite (store.h "reminders"): consent
 * per purpose, its current stops and the history of its changes; the
 * plan's reads, fires, the outbox and its receipts, inbound messages
 * recorded once, leases. */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pk.h"
#include "store/sql_remind_effect.h"
#include "store/sqlite_int.h"

int sq_consent_set(pk_tx *t, int64_t participant_id, const char *purpose, bool stop,
                   const char *channel, const char *actor, bool *changed)
{
    sqc *c = sq_txc(t);
    sqlite3_stmt *st = sq_stmt(c, stop ? S_CONSENT_STOP : S_CONSENT_START);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_int64(st, 1, participant_id);
    sqlite3_bind_text(st, 2, purpose, -1, SQLITE_STATIC);
    int rc = sq_step_done(st);
    if (rc != 0)
        return rc;
    *changed = sqlite3_changes(c->db) > 0;
    if (!*changed)
        return 0;
    if ((st = sq_stmt(c, S_CONSENT_CHANGE)) == NULL)
        return PK_EIO;
    sqlite3_bind_int64(st, 1, participant_id);
    sqlite3_bind_text(st, 2, purpose, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, stop ? 1 : 0);
    sqlite3_bind_text(st, 4, channel, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, actor, -1, SQLITE_STATIC);
    return sq_step_done(st);
}

int sq_consent_get(pk_store *s, int64_t participant_id, const char *purpose, bool *stopped,
                   char *since)
{
    sq *q = s->impl;
    sqc *c;
    sqlite3_stmt *st;
    int rc = sq_read_begin(q, S_CONSENT_GET, &c, &st);
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(st, 1, participant_id);
    sqlite3_bind_text(st, 2, purpose, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    *stopped = r == SQLITE_ROW;
    since[0] = '\0';
    if (r == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        snprintf(since, 32, "%s", t ? (const char *)t : "");
    }
    rc = r == SQLITE_ROW || r == SQLITE_DONE ? 0 : PK_EIO;
    sq_read_end(q, c, st);
    return rc;
}

int sq_consent_changes(pk_store *s, int64_t participant_id, size_t limit,
                       pk_consent_change_row *rows, size_t *n)
{
    sq *q = s->impl;
    sqc *c;
    sqlite3_stmt *st;
    *n = 0;
    int rc = sq_read_begin(q, S_CONSENT_CHANGES, &c, &st);
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(st, 1, participant_id);
    sqlite3_bind_int64(st, 2, (int64_t)limit);
    int r = SQLITE_DONE;
    while (*n < limit && (r = sqlite3_step(st)) == SQLITE_ROW) {
        pk_consent_change_row *x = &rows[(*n)++];
        memset(x, 0, sizeof *x);
        sq_copy_col(st, 0, x->purpose, sizeof x->purpose);
        x->stopped = sqlite3_column_int(st, 1) != 0;
        sq_copy_col(st, 2, x->channel, sizeof x->channel);
        sq_copy_col(st, 3, x->actor, sizeof x->actor);
        sq_copy_col(st, 4, x->at, sizeof x->at);
    }
    rc = *n == limit || r == SQLITE_DONE ? 0 : sq_error(r);
    sq_read_end(q, c, st);
    return rc;
}

/* ---- a day's plan, fires, the outbox, leases ---- */

/* A page of subjects: statement `which` over region scope, after the
 * row (after_region, after) (after_region NULL: the statements by id). */
static int subjects(pk_store *s, int which, const char *scope, const char *after_region,
                    int64_t after, size_t limit, pk_remind_subject_cb cb, void *ctx, size_t *n)
{
    sq *q = s->impl;
    sqc *c;
    sqlite3_stmt *st;
    *n = 0;
    int rc = sq_read_begin(q, which, &c, &st);
    if (rc != 0)
        return rc;
    char hi[PK_REGION_CODE_MAX + 2];
    sq_bind_region(st, 1, 2, scope, hi, sizeof hi);
    sqlite3_bind_int64(st, 3, after);
    sqlite3_bind_int64(st, 4, (int64_t)limit);
    if (after_region != NULL)
        sqlite3_bind_text(st, 5, after_region, -1, SQLITE_STATIC);
    int r;
    enum { J = 22 }; /* the journey's first column, after SQ_PCOLS_P */
    while (rc == 0 && (r = sqlite3_step(st)) == SQLITE_ROW) {
        pk_prow row;
        sq_read_row(st, &row);
        pk_journey j, *jp = NULL;
        if (sqlite3_column_type(st, J) != SQLITE_NULL) {
            memset(&j, 0, sizeof j);
            j.participant_id = sqlite3_column_int64(st, J);
            pk_journey_status js =
                pk_journey_status_by_name((const char *)sqlite3_column_text(st, J + 1));
            j.status = js == PK_JS__COUNT ? PK_JS_TERDAFTAR : js;
            sq_copy_col(st, J + 2, j.payout, sizeof j.payout);
            int64_t v[PK_JOURNEY_INTS];
            for (int i = 0; i < PK_JOURNEY_INTS; i++)
                v[i] = sqlite3_column_int64(st, J + 3 + i);
            pk_journey_from_ints(&j, v);
            jp = &j;
        }
        (*n)++;
        rc = cb(ctx, &row, jp);
    }
    if (rc == 0 && r != SQLITE_DONE)
        rc = sq_error(r);
    sq_read_end(q, c, st);
    return rc;
}

int sq_remind_subjects(pk_store *s, const char *scope, bool everyone, int64_t after,
                       size_t limit, pk_remind_subject_cb cb, void *ctx, size_t *n)
{
    return subjects(s, everyone ? S_REMIND_SUBJECTS_ALL : S_REMIND_SUBJECTS_JOURNEY, scope, NULL,
                    after, limit, cb, ctx, n);
}

int sq_remind_subjects_by_region(pk_store *s, const char *scope, bool everyone,
                                 const char *after_region, int64_t after, size_t limit,
                                 pk_remind_subject_cb cb, void *ctx, size_t *n)
{
    return subjects(s, everyone ? S_REMIND_SUBJECTS_ALL_REGION : S_REMIND_SUBJECTS_JOURNEY_REGION,
                    scope, after_region ? after_region : "", after, limit, cb, ctx, n);
}

int sq_remind_effect(pk_store *s, const char *scope, pk_remind_effect_cb cb, void *ctx)
{
    sq *q = s->impl;
    sqc *c;
    sqlite3_stmt *st;
    int rc = sq_read_begin(q, S_REMIND_EFFECT, &c, &st);
    if (rc != 0)
        return rc;
    char hi[PK_REGION_CODE_MAX + 2];
    sq_bind_region(st, 1, 2, scope, hi, sizeof hi);
    int r;
    while (rc == 0 && (r = sqlite3_step(st)) == SQLITE_ROW) {
        pk_remind_effect_row e = {.rule = (const char *)sqlite3_column_text(st, 0),
                                  .sent = sqlite3_column_int64(st, 1) != 0,
                                  .held = sqlite3_column_int64(st, 2) != 0,
                                  .revoked = sqlite3_column_int64(st, 3) != 0,
                                  .days = sqlite3_column_int64(st, 4),
                                  .n = sqlite3_column_int64(st, 5)};
        rc = cb(ctx, &e);
    }
    if (rc == 0 && r != SQLITE_DONE)
        rc = sq_error(r);
    sq_read_end(q, c, st);
    return rc;
}

int sq_remind_effect_verify(pk_store *s, pk_remind_effect_check_cb cb, void *ctx, int64_t *cells)
{
    sq *q = s->impl;
    sqc *c;
    sqlite3_stmt *st;
    *cells = 0;
    int rc = sq_read_begin(q, S_REMIND_EFFECT_VERIFY, &c, &st);
    if (rc != 0)
        return rc;
    int r;
    while (rc == 0 && (r = sqlite3_step(st)) == SQLITE_ROW) {
        pk_remind_effect_check cell = {
            .region = (const char *)sqlite3_column_text(st, 0),
            .row = {.rule = (const char *)sqlite3_column_text(st, 1),
                    .sent = sqlite3_column_int64(st, 2) != 0,
                    .held = sqlite3_column_int64(st, 3) != 0,
                    .revoked = sqlite3_column_int64(st, 4) != 0,
                    .days = sqlite3_column_int64(st, 5),
                    .n = sqlite3_column_int64(st, 6)},
            .counted = sqlite3_column_int64(st, 7)};
        ++*cells;
        if (cell.row.n != cell.counted)
            rc = cb(ctx, &cell);
    }
    if (rc == 0 && r != SQLITE_DONE)
        rc = sq_error(r);
    sq_read_end(q, c, st);
    return rc;
}

/* Both tables refilled in two statements, the triggers dropped meanwhile
 * (one per row would redo the counts a million times); DDL is part of the
 * transaction on SQLite. */
int sq_remind_effect_rebuild(pk_tx *t, int64_t *cells)
{
    sqc *c = sq_txc(t);
    *cells = 0;
    char err[256];
    int rc = sq_exec(c->db,
                     SQ_RE_DROP_TRIGGERS "DELETE FROM remind_reach; DELETE FROM remind_effect_count;"
                     PK_RE_REACH_FILL ";" PK_RE_COUNT_FILL ";" SQ_RE_TRIGGERS,
                     err, sizeof err);
    if (rc == 0)
        rc = sq_count_of(c, S_REMIND_EFFECT_CELLS, cells);
    return rc;
}

/* The marks of the people of [lo, hi], or of the ids of the JSON array
 * `ids` when it is not NULL. */
static int marks(pk_store *s, int64_t lo, int64_t hi, const char *ids, const char *since_day,
                 pk_remind_mark_cb cb, void *ctx)
{
    static const int range[] = {S_REMIND_FIRES_RANGE, S_REMIND_STOPS_RANGE, S_REMIND_SENT_RANGE,
                                S_REMIND_FAILED_RANGE, S_REMIND_PREFS_RANGE};
    static const int list[] = {S_REMIND_FIRES_IDS, S_REMIND_STOPS_IDS, S_REMIND_SENT_IDS,
                               S_REMIND_FAILED_IDS, S_REMIND_PREFS_IDS};
    static const pk_remind_mark_kind kinds[] = {PK_RM_FIRE, PK_RM_STOP, PK_RM_SENT,
                                                PK_RM_FAILED, PK_RM_PREF};
    sq *q = s->impl;
    int rc = 0;
    for (size_t w = 0; rc == 0 && w < PK_ARRAY_LEN(range); w++) {
        sqc *c;
        sqlite3_stmt *st;
        if ((rc = sq_read_begin(q, ids ? list[w] : range[w], &c, &st)) != 0)
            return rc;
        int since_at = 3;
        if (ids != NULL) {
            sqlite3_bind_text(st, 1, ids, -1, SQLITE_STATIC);
            since_at = 2;
        } else {
            sqlite3_bind_int64(st, 1, lo);
            sqlite3_bind_int64(st, 2, hi);
        }
        if (kinds[w] == PK_RM_SENT)
            sqlite3_bind_text(st, since_at, since_day, -1, SQLITE_STATIC);
        int r;
        while (rc == 0 && (r = sqlite3_step(st)) == SQLITE_ROW) {
            pk_remind_mark m = {.kind = kinds[w], .participant_id = sqlite3_column_int64(st, 0)};
            const char *t1 = (const char *)sqlite3_column_text(st, 1);
            switch (m.kind) {
            case PK_RM_FIRE:
                m.rule = t1;
                m.anchor = sqlite3_column_int64(st, 2);
                m.k = sqlite3_column_int64(st, 3);
                m.offset_days = sqlite3_column_int64(st, 4);
                m.status = (const char *)sqlite3_column_text(st, 5);
                break;
            case PK_RM_STOP:
                m.purpose = t1;
                break;
            case PK_RM_SENT:
                m.day = t1;
                m.count = sqlite3_column_int64(st, 2);
                break;
            case PK_RM_FAILED:
            case PK_RM_PREF:
                m.channel = t1;
                break;
            }
            rc = cb(ctx, &m);
        }
        if (rc == 0 && r != SQLITE_DONE)
            rc = sq_error(r);
        sq_read_end(q, c, st);
    }
    return rc;
}

int sq_remind_marks(pk_store *s, int64_t lo, int64_t hi, const char *since_day,
                    pk_remind_mark_cb cb, void *ctx)
{
    return marks(s, lo, hi, NULL, since_day, cb, ctx);
}

int sq_remind_marks_of(pk_store *s, const int64_t *ids, size_t n, const char *since_day,
                       pk_remind_mark_cb cb, void *ctx)
{
    char *list = pk_st_ids_text(ids, n, '[', ']');
    if (list == NULL)
        return PK_ENOMEM;
    int rc = marks(s, 0, 0, list, since_day, cb, ctx);
    free(list);
    return rc;
}

int sq_remind_fire_put(pk_tx *t, int64_t participant_id, const char *rule, int64_t anchor,
                       int64_t k, int64_t offset_days, const char *status, const char *day,
                       int64_t message_id)
{
    sqlite3_stmt *st = sq_stmt(sq_txc(t), S_REMIND_FIRE_PUT);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_int64(st, 1, participant_id);
    sqlite3_bind_text(st, 2, rule, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, anchor);
    sqlite3_bind_int64(st, 4, k);
    sqlite3_bind_int64(st, 5, offset_days);
    sqlite3_bind_text(st, 6, status, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, day, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, message_id);
    return sq_step_done(st);
}

int sq_outbox_add(pk_tx *t, pk_outbox_msg *m, bool *added)
{
    sqlite3_stmt *st = sq_stmt(sq_txc(t), S_OUTBOX_ADD);
    *added = false;
    m->id = 0;
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_int64(st, 1, m->participant_id);
    sqlite3_bind_text(st, 2, m->rule, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, m->anchor);
    sqlite3_bind_int64(st, 4, m->k);
    sqlite3_bind_text(st, 5, m->day, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, m->send_at);
    sqlite3_bind_text(st, 7, m->channel, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, m->vars, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        m->id = sqlite3_column_int64(st, 0);
        *added = true;
        r = sqlite3_step(st);
    }
    sqlite3_reset(st);
    return r == SQLITE_DONE ? 0 : sq_error(r);
}

static void read_outbox(sqlite3_stmt *st, pk_outbox_msg *m)
{
    memset(m, 0, sizeof *m);
    m->id = sqlite3_column_int64(st, 0);
    m->participant_id = sqlite3_column_int64(st, 1);
    sq_copy_col(st, 2, m->rule, sizeof m->rule);
    m->anchor = sqlite3_column_int64(st, 3);
    m->k = sqlite3_column_int64(st, 4);
    sq_copy_col(st, 5, m->day, sizeof m->day);
    m->send_at = sqlite3_column_int64(st, 6);
    sq_copy_col(st, 7, m->channel, sizeof m->channel);
    sq_copy_col(st, 8, m->state, sizeof m->state);
    m->attempts = sqlite3_column_int64(st, 9);
    m->next_at = sqlite3_column_int64(st, 10);
    m->failed = sqlite3_column_int64(st, 11);
    sq_copy_col(st, 12, m->vars, sizeof m->vars);
    sq_copy_col(st, 13, m->provider_id, sizeof m->provider_id);
    sq_copy_col(st, 14, m->error, sizeof m->error);
    m->delivered_at = sqlite3_column_int64(st, 15);
    m->read_at = sqlite3_column_int64(st, 16);
    if (sqlite3_column_type(st, 17) == SQLITE_BLOB && sqlite3_column_bytes(st, 17) == PK_BI_LEN) {
        memcpy(m->to_bi, sqlite3_column_blob(st, 17), PK_BI_LEN);
        m->has_to = true;
    }
}

static int outbox_rows(sqlite3_stmt *st, size_t limit, pk_outbox_msg *rows, size_t *n)
{
    int r;
    *n = 0;
    while (*n < limit && (r = sqlite3_step(st)) == SQLITE_ROW)
        read_outbox(st, &rows[(*n)++]);
    return *n == limit || r == SQLITE_DONE ? 0 : sq_error(r);
}

int sq_outbox_due(pk_tx *t, int64_t now, size_t limit, pk_outbox_msg *rows, size_t *n)
{
    sqlite3_stmt *st = sq_stmt(sq_txc(t), S_OUTBOX_DUE);
    *n = 0;
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_int64(st, 1, now);
    sqlite3_bind_int64(st, 2, (int64_t)limit);
    int rc = outbox_rows(st, limit, rows, n);
    sqlite3_reset(st);
    return rc;
}

int sq_outbox_set(pk_tx *t, const pk_outbox_msg *m)
{
    sqlite3_stmt *st = sq_stmt(sq_txc(t), S_OUTBOX_SET);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_text(st, 1, m->state, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, m->channel, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, m->attempts);
    sqlite3_bind_int64(st, 4, m->next_at);
    sqlite3_bind_int64(st, 5, m->failed);
    sqlite3_bind_text(st, 6, m->provider_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, m->error, -1, SQLITE_STATIC);
    if (m->has_to)
        sqlite3_bind_blob(st, 8, m->to_bi, PK_BI_LEN, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, 8);
    sqlite3_bind_int64(st, 9, m->id);
    return sq_step_done(st);
}

int sq_outbox_of(pk_store *s, int64_t participant_id, size_t limit, pk_outbox_msg *rows,
                 size_t *n)
{
    sq *q = s->impl;
    sqc *c;
    sqlite3_stmt *st;
    *n = 0;
    int rc = sq_read_begin(q, S_OUTBOX_OF, &c, &st);
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(st, 1, participant_id);
    sqlite3_bind_int64(st, 2, (int64_t)limit);
    rc = outbox_rows(st, limit, rows, n);
    sq_read_end(q, c, st);
    return rc;
}

/* One message (or none: PK_ENOENT) of a statement bound by the caller. */
static int outbox_one(sqlite3_stmt *st, pk_outbox_msg *out)
{
    size_t n = 0;
    int rc = outbox_rows(st, 1, out, &n);
    sqlite3_reset(st);
    return rc != 0 ? rc : n == 1 ? 0 : PK_ENOENT;
}

int sq_outbox_find(pk_tx *t, const char *channel, const char *provider_id, pk_outbox_msg *out)
{
    sqlite3_stmt *st = sq_stmt(sq_txc(t), S_OUTBOX_FIND);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_text(st, 1, provider_id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, channel, -1, SQLITE_STATIC);
    return outbox_one(st, out);
}

int sq_outbox_latest_to(pk_tx *t, const uint8_t *to, pk_outbox_msg *out)
{
    sqlite3_stmt *st = sq_stmt(sq_txc(t), S_OUTBOX_LATEST_TO);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_blob(st, 1, to, PK_BI_LEN, SQLITE_STATIC);
    return outbox_one(st, out);
}

int sq_outbox_receipt(pk_tx *t, int64_t id, int64_t delivered_at, int64_t read_at,
                      bool *changed)
{
    sqc *c = sq_txc(t);
    sqlite3_stmt *st = sq_stmt(c, S_OUTBOX_RECEIPT);
    *changed = false;
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_int64(st, 1, delivered_at);
    sqlite3_bind_int64(st, 2, read_at);
    sqlite3_bind_int64(st, 3, id);
    int rc = sq_step_done(st);
    *changed = rc == 0 && sqlite3_changes(c->db) > 0;
    return rc;
}

int sq_inbound_once(pk_tx *t, const char *channel, const char *ref, bool *fresh)
{
    sqc *c = sq_txc(t);
    sqlite3_stmt *st = sq_stmt(c, S_INBOUND_ONCE);
    *fresh = false;
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_text(st, 1, channel, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, ref, -1, SQLITE_STATIC);
    int rc = sq_step_done(st);
    *fresh = rc == 0 && sqlite3_changes(c->db) > 0;
    return rc;
}

int sq_contact_failed_put(pk_tx *t, int64_t participant_id, const char *channel,
                          const char *error)
{
    sqlite3_stmt *st = sq_stmt(sq_txc(t), S_CONTACT_FAILED_PUT);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_int64(st, 1, participant_id);
    sqlite3_bind_text(st, 2, channel, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, error, -1, SQLITE_STATIC);
    return sq_step_done(st);
}

/* A lease is its own small write transaction. */
static int lease_write(pk_store *s, int which, const char *name, const char *holder,
                       int64_t until, int64_t now, const char *dead, bool *got)
{
    pk_tx *tx = NULL;
    int rc = pk_store_begin(s, &tx);
    if (rc != 0)
        return rc;
    sqc *c = sq_txc(tx);
    sqlite3_stmt *st = sq_stmt(c, which);
    if (st == NULL) {
        pk_tx_rollback(tx);
        return PK_EIO;
    }
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, holder, -1, SQLITE_STATIC);
    if (which == S_LEASE_TAKE) {
        sqlite3_bind_int64(st, 3, until);
        sqlite3_bind_int64(st, 4, now);
        sqlite3_bind_text(st, 5, dead, -1, SQLITE_STATIC);
    }
    rc = sq_step_done(st);
    if (got != NULL)
        *got = rc == 0 && sqlite3_changes(c->db) > 0;
    if (rc != 0) {
        pk_tx_rollback(tx);
        return rc;
    }
    return pk_tx_commit(tx);
}

int sq_lease_take(pk_store *s, const char *name, const char *holder, int64_t until, int64_t now,
                  const char *dead, bool *got)
{
    *got = false;
    bool g = false;
    int rc = lease_write(s, S_LEASE_TAKE, name, holder, until, now, dead, &g);
    *got = rc == 0 && g;
    return rc;
}

int sq_lease_drop(pk_store *s, const char *name, const char *holder)
{
    return lease_write(s, S_LEASE_DROP, name, holder, 0, 0, "", NULL);
}

int sq_lease_holder(pk_store *s, const char *name, char *out, size_t cap)
{
    sq *q = s->impl;
    sqc *c;
    sqlite3_stmt *st;
    out[0] = '\0';
    int rc = sq_read_begin(q, S_LEASE_HOLDER, &c, &st);
    if (rc != 0)
        return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        sq_copy_col(st, 0, out, cap);
    rc = r == SQLITE_ROW || r == SQLITE_DONE ? 0 : sq_error(r);
    sq_read_end(q, c, st);
    return rc;
}
