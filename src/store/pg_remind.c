/* pg_remind.c -- reminders on PostgreSQL (store.h "reminders"): consent
 * per purpose, its current stops and the history of its changes; the
 * plan's reads, fires, the outbox and its receipts, inbound messages
 * recorded once, leases.  A stop
 * is one INSERT ... ON CONFLICT DO NOTHING and a start one DELETE, so of
 * two processes changing the same consent at once exactly one changes it
 * (and appends to the history). */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pk.h"
#include "store/pg_int.h"

int pg_consent_set(pk_tx *t, int64_t participant_id, const char *purpose, bool stop,
                   const char *channel, const char *actor, bool *changed)
{
    pgc *c = pg_txc(t);
    params p = {0};
    p_int(&p, participant_id);
    p_text(&p, purpose);
    PGresult *r = NULL;
    int rc = pg_run(c, stop ? S_CONSENT_STOP : S_CONSENT_START, &p, &r);
    if (rc != 0)
        return rc;
    *changed = pg_touched(r) > 0;
    PQclear(r);
    if (!*changed)
        return 0;
    params h = {0};
    p_int(&h, participant_id);
    p_text(&h, purpose);
    p_int(&h, stop ? 1 : 0);
    p_text(&h, channel);
    p_text(&h, actor);
    return pg_run(c, S_CONSENT_CHANGE, &h, NULL);
}

int pg_consent_get(pk_store *s, int64_t participant_id, const char *purpose, bool *stopped,
                   char *since)
{
    params p = {0};
    p_int(&p, participant_id);
    p_text(&p, purpose);
    PGresult *r = NULL;
    int rc = pg_run1(s, S_CONSENT_GET, &p, &r);
    if (rc != 0)
        return rc;
    *stopped = PQntuples(r) == 1;
    since[0] = '\0';
    if (*stopped)
        snprintf(since, 32, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return 0;
}

int pg_consent_changes(pk_store *s, int64_t participant_id, size_t limit,
                       pk_consent_change_row *rows, size_t *n)
{
    params p = {0};
    p_int(&p, participant_id);
    p_int(&p, (int64_t)limit);
    PGresult *r = NULL;
    *n = 0;
    int rc = pg_run1(s, S_CONSENT_CHANGES, &p, &r);
    if (rc != 0)
        return rc;
    int nr = PQntuples(r);
    for (int i = 0; i < nr && *n < limit; i++) {
        pk_consent_change_row *x = &rows[(*n)++];
        memset(x, 0, sizeof *x);
        pg_copy_col(r, i, 0, x->purpose, sizeof x->purpose);
        x->stopped = get_i64(r, i, 1) != 0;
        pg_copy_col(r, i, 2, x->channel, sizeof x->channel);
        pg_copy_col(r, i, 3, x->actor, sizeof x->actor);
        pg_copy_col(r, i, 4, x->at, sizeof x->at);
    }
    PQclear(r);
    return 0;
}

/* ---- a day's plan, fires, the outbox, leases ---- */

/* A page of subjects: statement `which` over region scope, after the
 * row (after_region, after) (after_region NULL: the statements by id). */
static int subjects(pk_store *s, int which, const char *scope, const char *after_region,
                    int64_t after, size_t limit, pk_remind_subject_cb cb, void *ctx, size_t *n)
{
    params p = {0};
    char hi[PK_REGION_CODE_MAX + 2];
    pg_region_params(&p, scope, hi, sizeof hi);
    p_int(&p, after);
    p_int(&p, (int64_t)limit);
    if (after_region != NULL)
        p_text(&p, after_region);
    PGresult *r = NULL;
    *n = 0;
    int rc = pg_run1(s, which, &p, &r);
    if (rc != 0)
        return rc;
    enum { J = 20 }; /* the journey's first column, after PG_PCOLS_P */
    int rows = PQntuples(r);
    for (int i = 0; rc == 0 && i < rows; i++) {
        pk_prow row;
        pg_read_row(r, i, &row);
        pk_journey j, *jp = NULL;
        if (!PQgetisnull(r, i, J)) {
            memset(&j, 0, sizeof j);
            j.participant_id = get_i64(r, i, J);
            pk_journey_status js = pk_journey_status_by_name(PQgetvalue(r, i, J + 1));
            j.status = js == PK_JS__COUNT ? PK_JS_TERDAFTAR : js;
            pg_copy_col(r, i, J + 2, j.payout, sizeof j.payout);
            int64_t v[PK_JOURNEY_INTS];
            for (int k = 0; k < PK_JOURNEY_INTS; k++)
                v[k] = get_i64(r, i, J + 3 + k);
            pk_journey_from_ints(&j, v);
            jp = &j;
        }
        (*n)++;
        rc = cb(ctx, &row, jp);
    }
    PQclear(r);
    return rc;
}

int pg_remind_subjects(pk_store *s, const char *scope, bool everyone, int64_t after,
                       size_t limit, pk_remind_subject_cb cb, void *ctx, size_t *n)
{
    return subjects(s, everyone ? S_REMIND_SUBJECTS_ALL : S_REMIND_SUBJECTS_JOURNEY, scope, NULL,
                    after, limit, cb, ctx, n);
}

int pg_remind_subjects_by_region(pk_store *s, const char *scope, bool everyone,
                                 const char *after_region, int64_t after, size_t limit,
                                 pk_remind_subject_cb cb, void *ctx, size_t *n)
{
    return subjects(s, everyone ? S_REMIND_SUBJECTS_ALL_REGION : S_REMIND_SUBJECTS_JOURNEY_REGION,
                    scope, after_region ? after_region : "", after, limit, cb, ctx, n);
}

/* The marks of the people of [lo, hi], or of the ids of the array
 * literal `ids` when it is not NULL. */
static int marks(pk_store *s, int64_t lo, int64_t hi, const char *ids, const char *since_day,
                 pk_remind_mark_cb cb, void *ctx)
{
    static const int range[] = {S_REMIND_FIRES_RANGE, S_REMIND_STOPS_RANGE, S_REMIND_SENT_RANGE,
                                S_REMIND_FAILED_RANGE, S_REMIND_PREFS_RANGE};
    static const int list[] = {S_REMIND_FIRES_IDS, S_REMIND_STOPS_IDS, S_REMIND_SENT_IDS,
                               S_REMIND_FAILED_IDS, S_REMIND_PREFS_IDS};
    static const pk_remind_mark_kind kinds[] = {PK_RM_FIRE, PK_RM_STOP, PK_RM_SENT,
                                                PK_RM_FAILED, PK_RM_PREF};
    int rc = 0;
    for (size_t w = 0; rc == 0 && w < PK_ARRAY_LEN(range); w++) {
        params p = {0};
        if (ids != NULL) {
            p_text(&p, ids);
        } else {
            p_int(&p, lo);
            p_int(&p, hi);
        }
        if (kinds[w] == PK_RM_SENT)
            p_text(&p, since_day);
        PGresult *r = NULL;
        if ((rc = pg_run1(s, ids ? list[w] : range[w], &p, &r)) != 0)
            return rc;
        int rows = PQntuples(r);
        for (int i = 0; rc == 0 && i < rows; i++) {
            pk_remind_mark m = {.kind = kinds[w], .participant_id = get_i64(r, i, 0)};
            const char *t1 = PQgetvalue(r, i, 1);
            switch (m.kind) {
            case PK_RM_FIRE:
                m.rule = t1;
                m.anchor = get_i64(r, i, 2);
                m.k = get_i64(r, i, 3);
                m.offset_days = get_i64(r, i, 4);
                m.status = PQgetvalue(r, i, 5);
                break;
            case PK_RM_STOP:
                m.purpose = t1;
                break;
            case PK_RM_SENT:
                m.day = t1;
                m.count = get_i64(r, i, 2);
                break;
            case PK_RM_FAILED:
            case PK_RM_PREF:
                m.channel = t1;
                break;
            }
            rc = cb(ctx, &m);
        }
        PQclear(r);
    }
    return rc;
}

int pg_remind_marks(pk_store *s, int64_t lo, int64_t hi, const char *since_day,
                    pk_remind_mark_cb cb, void *ctx)
{
    return marks(s, lo, hi, NULL, since_day, cb, ctx);
}

int pg_remind_marks_of(pk_store *s, const int64_t *ids, size_t n, const char *since_day,
                       pk_remind_mark_cb cb, void *ctx)
{
    char *list = pk_st_ids_text(ids, n, '{', '}');
    if (list == NULL)
        return PK_ENOMEM;
    int rc = marks(s, 0, 0, list, since_day, cb, ctx);
    free(list);
    return rc;
}

int pg_remind_effect(pk_store *s, const char *scope, pk_remind_effect_cb cb, void *ctx)
{
    params p = {0};
    char hi[PK_REGION_CODE_MAX + 2];
    pg_region_params(&p, scope, hi, sizeof hi);
    PGresult *r = NULL;
    int rc = pg_run1(s, S_REMIND_EFFECT, &p, &r);
    if (rc != 0)
        return rc;
    int rows = PQntuples(r);
    for (int i = 0; rc == 0 && i < rows; i++) {
        pk_remind_effect_row e = {.rule = PQgetvalue(r, i, 0),
                                  .sent = get_i64(r, i, 1) != 0,
                                  .held = get_i64(r, i, 2) != 0,
                                  .revoked = get_i64(r, i, 3) != 0,
                                  .days = get_i64(r, i, 4),
                                  .n = get_i64(r, i, 5)};
        rc = cb(ctx, &e);
    }
    PQclear(r);
    return rc;
}

int pg_remind_effect_verify(pk_store *s, pk_remind_effect_check_cb cb, void *ctx, int64_t *cells)
{
    PGresult *r = NULL;
    *cells = 0;
    int rc = pg_run1(s, S_REMIND_EFFECT_VERIFY, NULL, &r);
    for (int i = 0, n = rc == 0 ? PQntuples(r) : 0; rc == 0 && i < n; i++) {
        pk_remind_effect_check cell = {.region = PQgetvalue(r, i, 0),
                                      .row = {.rule = PQgetvalue(r, i, 1),
                                              .sent = get_i64(r, i, 2) != 0,
                                              .held = get_i64(r, i, 3) != 0,
                                              .revoked = get_i64(r, i, 4) != 0,
                                              .days = get_i64(r, i, 5),
                                              .n = get_i64(r, i, 6)},
                                      .counted = get_i64(r, i, 7)};
        ++*cells;
        if (cell.row.n != cell.counted)
            rc = cb(ctx, &cell);
    }
    PQclear(r);
    return rc;
}

/* Writers of fires, journeys and villages held off; the statement
 * triggers take the reach rows' deletion and refill as two sets. */
int pg_remind_effect_rebuild(pk_tx *t, int64_t *cells)
{
    pgc *c = pg_txc(t);
    *cells = 0;
    int rc = pg_run(c, S_REMIND_EFFECT_LOCK, NULL, NULL);
    if (rc == 0)
        rc = pg_run(c, S_REMIND_REACH_CLEAR, NULL, NULL);
    if (rc == 0)
        rc = pg_run(c, S_REMIND_EFFECT_CLEAR, NULL, NULL);
    if (rc == 0)
        rc = pg_run(c, S_REMIND_REACH_FILL, NULL, NULL);
    PGresult *r = NULL;
    if (rc == 0 && (rc = pg_run(c, S_REMIND_EFFECT_CELLS, NULL, &r)) == 0)
        *cells = get_i64(r, 0, 0);
    PQclear(r);
    return rc;
}

int pg_remind_fire_put(pk_tx *t, int64_t participant_id, const char *rule, int64_t anchor,
                       int64_t k, int64_t offset_days, const char *status, const char *day,
                       int64_t message_id)
{
    params p = {0};
    p_int(&p, participant_id);
    p_text(&p, rule);
    p_int(&p, anchor);
    p_int(&p, k);
    p_int(&p, offset_days);
    p_text(&p, status);
    p_text(&p, day);
    p_int(&p, message_id);
    return pg_run(pg_txc(t), S_REMIND_FIRE_PUT, &p, NULL);
}

int pg_outbox_add(pk_tx *t, pk_outbox_msg *m, bool *added)
{
    params p = {0};
    p_int(&p, m->participant_id);
    p_text(&p, m->rule);
    p_int(&p, m->anchor);
    p_int(&p, m->k);
    p_text(&p, m->day);
    p_int(&p, m->send_at);
    p_text(&p, m->channel);
    p_text(&p, m->vars);
    PGresult *r = NULL;
    *added = false;
    m->id = 0;
    int rc = pg_run(pg_txc(t), S_OUTBOX_ADD, &p, &r);
    if (rc != 0)
        return rc;
    if (PQntuples(r) == 1) {
        m->id = get_i64(r, 0, 0);
        *added = true;
    }
    PQclear(r);
    return 0;
}

static void outbox_rows(const PGresult *r, size_t limit, pk_outbox_msg *rows, size_t *n)
{
    int nr = PQntuples(r);
    *n = 0;
    for (int i = 0; i < nr && *n < limit; i++) {
        pk_outbox_msg *m = &rows[(*n)++];
        memset(m, 0, sizeof *m);
        m->id = get_i64(r, i, 0);
        m->participant_id = get_i64(r, i, 1);
        pg_copy_col(r, i, 2, m->rule, sizeof m->rule);
        m->anchor = get_i64(r, i, 3);
        m->k = get_i64(r, i, 4);
        pg_copy_col(r, i, 5, m->day, sizeof m->day);
        m->send_at = get_i64(r, i, 6);
        pg_copy_col(r, i, 7, m->channel, sizeof m->channel);
        pg_copy_col(r, i, 8, m->state, sizeof m->state);
        m->attempts = get_i64(r, i, 9);
        m->next_at = get_i64(r, i, 10);
        m->failed = get_i64(r, i, 11);
        pg_copy_col(r, i, 12, m->vars, sizeof m->vars);
        pg_copy_col(r, i, 13, m->provider_id, sizeof m->provider_id);
        pg_copy_col(r, i, 14, m->error, sizeof m->error);
        m->delivered_at = get_i64(r, i, 15);
        m->read_at = get_i64(r, i, 16);
        if (!PQgetisnull(r, i, 17) && PQgetlength(r, i, 17) == PK_BI_LEN) {
            get_bytes(r, i, 17, m->to_bi, PK_BI_LEN);
            m->has_to = true;
        }
    }
}

int pg_outbox_due(pk_tx *t, int64_t now, size_t limit, pk_outbox_msg *rows, size_t *n)
{
    params p = {0};
    p_int(&p, now);
    p_int(&p, (int64_t)limit);
    PGresult *r = NULL;
    *n = 0;
    int rc = pg_run(pg_txc(t), S_OUTBOX_DUE, &p, &r);
    if (rc != 0)
        return rc;
    outbox_rows(r, limit, rows, n);
    PQclear(r);
    return 0;
}

int pg_outbox_set(pk_tx *t, const pk_outbox_msg *m)
{
    params p = {0};
    p_text(&p, m->state);
    p_text(&p, m->channel);
    p_int(&p, m->attempts);
    p_int(&p, m->next_at);
    p_int(&p, m->failed);
    p_text(&p, m->provider_id);
    p_text(&p, m->error);
    if (m->has_to)
        p_bytes(&p, m->to_bi, PK_BI_LEN);
    else
        p_null(&p);
    p_int(&p, m->id);
    return pg_run(pg_txc(t), S_OUTBOX_SET, &p, NULL);
}

int pg_outbox_of(pk_store *s, int64_t participant_id, size_t limit, pk_outbox_msg *rows,
                 size_t *n)
{
    params p = {0};
    p_int(&p, participant_id);
    p_int(&p, (int64_t)limit);
    PGresult *r = NULL;
    *n = 0;
    int rc = pg_run1(s, S_OUTBOX_OF, &p, &r);
    if (rc != 0)
        return rc;
    outbox_rows(r, limit, rows, n);
    PQclear(r);
    return 0;
}

static int outbox_one(pk_tx *t, int which, const params *p, pk_outbox_msg *out)
{
    PGresult *r = NULL;
    size_t n = 0;
    int rc = pg_run(pg_txc(t), which, p, &r);
    if (rc != 0)
        return rc;
    outbox_rows(r, 1, out, &n);
    PQclear(r);
    return n == 1 ? 0 : PK_ENOENT;
}

int pg_outbox_find(pk_tx *t, const char *channel, const char *provider_id, pk_outbox_msg *out)
{
    params p = {0};
    p_text(&p, provider_id);
    p_text(&p, channel);
    return outbox_one(t, S_OUTBOX_FIND, &p, out);
}

int pg_outbox_latest_to(pk_tx *t, const uint8_t *to, pk_outbox_msg *out)
{
    params p = {0};
    p_bytes(&p, to, PK_BI_LEN);
    return outbox_one(t, S_OUTBOX_LATEST_TO, &p, out);
}

int pg_outbox_receipt(pk_tx *t, int64_t id, int64_t delivered_at, int64_t read_at,
                      bool *changed)
{
    params p = {0};
    p_int(&p, delivered_at);
    p_int(&p, read_at);
    p_int(&p, id);
    PGresult *r = NULL;
    *changed = false;
    int rc = pg_run(pg_txc(t), S_OUTBOX_RECEIPT, &p, &r);
    if (rc != 0)
        return rc;
    *changed = pg_touched(r) > 0;
    PQclear(r);
    return 0;
}

int pg_inbound_once(pk_tx *t, const char *channel, const char *ref, bool *fresh)
{
    params p = {0};
    p_text(&p, channel);
    p_text(&p, ref);
    PGresult *r = NULL;
    *fresh = false;
    int rc = pg_run(pg_txc(t), S_INBOUND_ONCE, &p, &r);
    if (rc != 0)
        return rc;
    *fresh = pg_touched(r) > 0;
    PQclear(r);
    return 0;
}

int pg_contact_failed_put(pk_tx *t, int64_t participant_id, const char *channel,
                          const char *error)
{
    params p = {0};
    p_int(&p, participant_id);
    p_text(&p, channel);
    p_text(&p, error);
    return pg_run(pg_txc(t), S_CONTACT_FAILED_PUT, &p, NULL);
}

int pg_lease_take(pk_store *s, const char *name, const char *holder, int64_t until, int64_t now,
                  const char *dead, bool *got)
{
    params p = {0};
    p_text(&p, name);
    p_text(&p, holder);
    p_int(&p, until);
    p_int(&p, now);
    p_text(&p, dead);
    PGresult *r = NULL;
    *got = false;
    int rc = pg_run1(s, S_LEASE_TAKE, &p, &r);
    if (rc != 0)
        return rc;
    *got = pg_touched(r) > 0;
    PQclear(r);
    return 0;
}

int pg_lease_drop(pk_store *s, const char *name, const char *holder)
{
    params p = {0};
    p_text(&p, name);
    p_text(&p, holder);
    return pg_run1(s, S_LEASE_DROP, &p, NULL);
}

int pg_lease_holder(pk_store *s, const char *name, char *out, size_t cap)
{
    params p = {0};
    p_text(&p, name);
    PGresult *r = NULL;
    out[0] = '\0';
    int rc = pg_run1(s, S_LEASE_HOLDER, &p, &r);
    if (rc != 0)
        return rc;
    if (PQntuples(r) == 1)
        pg_copy_col(r, 0, 0, out, cap);
    PQclear(r);
    return 0;
}
