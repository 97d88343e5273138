/* pg_journey.c -- the journey on PostgreSQL: a participant's events
 * (append only: a trigger refuses UPDATE, DELETE and TRUNCATE), found by
 * (source, ref), and the state derived from them (pk_journey), written by
 * app/journey.c.  Reading a person's events in a transaction locks the
 * participant's row first, so two processes appending to one journey
 * take turns (the second reads what the first committed). */
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pk.h"
#include "store/pg_int.h"

/* Fills e from row i of a result over PG_ECOLS. */
static void read_event(const PGresult *r, int i, pk_event *e)
{
    memset(e, 0, sizeof(*e));
    e->id = get_i64(r, i, 0);
    e->participant_id = get_i64(r, i, 1);
    e->source = strcmp(PQgetvalue(r, i, 2), "lokal") == 0 ? PK_SRC_LOKAL : PK_SRC_PMO;
    pg_copy_col(r, i, 3, e->ref, sizeof(e->ref));
    e->type = pk_event_type_by_name(PQgetvalue(r, i, 4));
    e->at = get_i64(r, i, 5);
    e->seq = get_i64(r, i, 6);
    pg_copy_col(r, i, 7, e->received_at, sizeof(e->received_at));
    e->wave = get_i64(r, i, 8);
    e->amount = get_i64(r, i, 9);
    e->k = get_i64(r, i, 10);
    pg_copy_col(r, i, 11, e->course, sizeof(e->course));
    pg_copy_col(r, i, 12, e->platform, sizeof(e->platform));
    pg_copy_col(r, i, 13, e->ref_asal, sizeof(e->ref_asal));
    pg_copy_col(r, i, 14, e->note, sizeof(e->note));
}

static int each_event(PGresult *r, pk_event_cb cb, void *ctx)
{
    int rc = 0, n = PQntuples(r);
    pk_event e;
    for (int i = 0; rc == 0 && i < n; i++) {
        read_event(r, i, &e);
        rc = cb(ctx, &e);
    }
    PQclear(r);
    return rc;
}

int pg_events_of(pk_tx *t, int64_t participant_id, pk_event_cb cb, void *ctx)
{
    pgc *c = pg_txc(t);
    params p = {0};
    p_int(&p, participant_id);
    int rc = pg_run(c, S_JOURNEY_LOCK, &p, NULL);
    PGresult *r = NULL;
    if (rc == 0)
        rc = pg_run(c, S_EVENTS_OF, &p, &r);
    return rc != 0 ? rc : each_event(r, cb, ctx);
}

/* ids[0..n) as an int8 array parameter in slot `slot` of the batch buffers. */
static int ids_param(pg_tx *tx, params *p, int slot, size_t n, const int64_t *ids)
{
    pk_buf *b = &tx->arr[slot];
    int e = arr_begin(b, T_INT8);
    for (size_t i = 0; i < n; i++)
        e |= arr_int(b, ids[i]);
    if (e != 0)
        return PK_ENOMEM;
    arr_param(p, b, n);
    return 0;
}

int pg_events_of_many(pk_tx *t, size_t n, const int64_t *participant_ids, pk_event_cb cb,
                      void *ctx)
{
    pgc *c = pg_txc(t);
    params p = {0};
    int rc = ids_param((pg_tx *)t, &p, 0, n, participant_ids);
    if (rc == 0)
        rc = pg_run(c, S_JOURNEY_LOCK_MANY, &p, NULL);
    PGresult *r = NULL;
    if (rc == 0)
        rc = pg_run(c, S_EVENTS_OF_MANY, &p, &r);
    return rc != 0 ? rc : each_event(r, cb, ctx);
}

int pg_events_known(pk_tx *t, size_t n, const pk_event *const *ev, bool *known)
{
    pg_tx *tx = (pg_tx *)t;
    pk_buf *s = &tx->arr[0], *f = &tx->arr[1];
    int e = arr_begin(s, T_TEXT) | arr_begin(f, T_TEXT);
    for (size_t i = 0; i < n; i++) {
        e |= arr_text(s, pk_event_source_name(ev[i]->source));
        e |= arr_text(f, ev[i]->ref);
        known[i] = false;
    }
    if (e != 0)
        return PK_ENOMEM;
    params p = {0};
    arr_param(&p, s, n);
    arr_param(&p, f, n);
    PGresult *r = NULL;
    int rc = pg_run(pg_txc(t), S_EVENTS_KNOWN, &p, &r);
    if (rc != 0)
        return rc;
    for (int i = 0; i < PQntuples(r); i++) {
        int64_t at = get_i64(r, i, 0);
        if (at < 1 || (uint64_t)at > n) {
            rc = PK_EIO;
            break;
        }
        known[at - 1] = true;
    }
    PQclear(r);
    return rc;
}

int pg_event_find(pk_tx *t, pk_event_source source, const char *ref, int64_t *participant_id)
{
    if (((pg_tx *)t)->events_bulk) /* no index to find it by (store_programme.h) */
        return PK_EINVAL;
    params p = {0};
    p_text(&p, pk_event_source_name(source));
    p_text(&p, ref);
    PGresult *r = NULL;
    int rc = pg_run(pg_txc(t), S_EVENT_FIND, &p, &r);
    if (rc != 0)
        return rc;
    if (PQntuples(r) > 0)
        *participant_id = get_i64(r, 0, 0);
    else
        rc = PK_ENOENT;
    PQclear(r);
    return rc;
}

static int one_insert(pgc *c, pk_event *e)
{
    const pk_event_info *info = pk_event_info_of(e->type);
    if (info == NULL)
        return PK_EINVAL;
    params p = {0};
    p_int(&p, e->participant_id);
    p_text(&p, pk_event_source_name(e->source));
    p_text(&p, e->ref);
    p_text(&p, info->name);
    p_int(&p, e->at);
    p_int(&p, e->seq);
    p_int(&p, e->wave);
    p_int(&p, e->amount);
    p_int(&p, e->k);
    p_text(&p, e->course);
    p_text(&p, e->platform);
    p_text(&p, e->ref_asal);
    p_text(&p, e->note);
    char now[32];
    pk_store_now(now);
    p_text(&p, now);
    PGresult *r = NULL;
    int rc = pg_run(c, S_EVENT_INSERT, &p, &r);
    if (rc != 0)
        return rc;
    e->id = PQntuples(r) > 0 ? get_i64(r, 0, 0) : 0;
    PQclear(r);
    return 0;
}

/* Ids for n events, in ascending order, into ev[i].id. */
static int take_ids(pg_tx *tx, size_t n, pk_event *ev)
{
    int64_t *ids = malloc(n * sizeof(*ids));
    if (ids == NULL)
        return PK_ENOMEM;
    int rc = pg_take_ids(tx->c, S_EVENTS_ID_BLOCK, S_EVENTS_NEXT_IDS, tx->events_bulk, n, ids);
    for (size_t i = 0; rc == 0 && i < n; i++)
        ev[i].id = ids[i];
    free(ids);
    return rc;
}

/* By COPY: there is no RETURNING, so the ids are taken from the sequence
 * first. */
static int copy_events(pg_tx *tx, size_t n, pk_event *ev)
{
    for (size_t i = 0; i < n; i++) /* before any id is taken */
        if (pk_event_info_of(ev[i].type) == NULL)
            return PK_EINVAL;
    int rc = take_ids(tx, n, ev);
    if (rc != 0)
        return rc;
    char now[32];
    pk_store_now(now);
    pk_buf *b = &tx->arr[0];
    int e = copy_begin(b);
    for (size_t i = 0; i < n; i++) {
        const pk_event_info *info = pk_event_info_of(ev[i].type);
        e |= copy_tuple(b, PG_ECOUNT);
        e |= arr_int(b, ev[i].id);
        e |= arr_int(b, ev[i].participant_id);
        e |= arr_text(b, pk_event_source_name(ev[i].source));
        e |= arr_text(b, ev[i].ref);
        e |= arr_text(b, info->name);
        e |= arr_int(b, ev[i].at);
        e |= arr_int(b, ev[i].seq);
        e |= arr_text(b, now);
        e |= arr_int(b, ev[i].wave);
        e |= arr_int(b, ev[i].amount);
        e |= arr_int(b, ev[i].k);
        e |= arr_text(b, ev[i].course);
        e |= arr_text(b, ev[i].platform);
        e |= arr_text(b, ev[i].ref_asal);
        e |= arr_text(b, ev[i].note);
    }
    e |= copy_end(b);
    if (e != 0)
        return PK_ENOMEM;
    return pg_copy_in(tx->c,
                      "COPY pk_event (" PG_ECOLS ") FROM STDIN (FORMAT binary)", b);
}

/* More than one event: one COPY (their (source, ref) pairs are distinct,
 * or it fails on the unique index, PK_ECONFLICT), their ids taken first.
 * (Up to 63 of them went by an INSERT whose ids were matched back by
 * (source, ref): a second way, for an extra round trip saved on small
 * batches, which only short files make.) */
int pg_events_insert(pk_tx *t, size_t n, pk_event *ev)
{
    if (n == 1)
        return one_insert(pg_txc(t), &ev[0]);
    return copy_events((pg_tx *)t, n, ev);
}

int pg_journey_put(pk_tx *t, const pk_journey *j)
{
    params p = {0};
    int64_t v[PK_JOURNEY_INTS];
    pk_journey_ints(j, v);
    p_int(&p, j->participant_id);
    p_text(&p, pk_journey_status_name(j->status));
    p_text(&p, j->payout);
    for (int i = 0; i < PK_JOURNEY_INTS; i++)
        p_int(&p, v[i]);
    return pg_run(pg_txc(t), S_JOURNEY_PUT, &p, NULL);
}

/* States of people who have none stored (a bulk load's), by COPY: the
 * upsert's arrays and conflict checks, and the counters' triggers over
 * its transition tables, took 2.7 of 10.7 s in a load of 1M events. */
static int copy_journeys(pg_tx *tx, size_t n, const pk_journey *js)
{
    char now[32];
    pk_store_now(now);
    pk_buf *b = &tx->arr[0];
    int e = copy_begin(b);
    for (size_t i = 0; i < n; i++) {
        int64_t v[PK_JOURNEY_INTS];
        pk_journey_ints(&js[i], v);
        e |= copy_tuple(b, 4 + PK_JOURNEY_INTS);
        e |= arr_int(b, js[i].participant_id);
        e |= arr_text(b, pk_journey_status_name(js[i].status));
        e |= arr_text(b, js[i].payout);
        for (int k = 0; k < PK_JOURNEY_INTS; k++)
            e |= arr_int(b, v[k]);
        e |= arr_text(b, now);
    }
    e |= copy_end(b);
    if (e != 0)
        return PK_ENOMEM;
    return pg_copy_in(tx->c,
                      "COPY pk_journey (participant_id, status, payout, " PK_JOURNEY_INT_COLS
                      ", updated_at) FROM STDIN (FORMAT binary)", b);
}

int pg_journeys_put(pk_tx *t, size_t n, const pk_journey *js, bool fresh)
{
    if (n == 1)
        return pg_journey_put(t, &js[0]);
    pg_tx *tx = (pg_tx *)t;
    if (fresh)
        return copy_journeys(tx, n, js);
    pk_buf *col[3 + PK_JOURNEY_INTS];
    int e = 0;
    for (int k = 0; k < 3 + PK_JOURNEY_INTS; k++)
        e |= arr_begin(col[k] = &tx->arr[k], k == 1 || k == 2 ? T_TEXT : T_INT8);
    for (size_t i = 0; i < n; i++) {
        int64_t v[PK_JOURNEY_INTS];
        pk_journey_ints(&js[i], v);
        e |= arr_int(col[0], js[i].participant_id);
        e |= arr_text(col[1], pk_journey_status_name(js[i].status));
        e |= arr_text(col[2], js[i].payout);
        for (int k = 0; k < PK_JOURNEY_INTS; k++)
            e |= arr_int(col[3 + k], v[k]);
    }
    if (e != 0)
        return PK_ENOMEM;
    params p = {0};
    for (int k = 0; k < 3 + PK_JOURNEY_INTS; k++)
        arr_param(&p, col[k], n);
    return pg_run(pg_txc(t), S_JOURNEYS_PUT, &p, NULL);
}

/* Row `row` of a result over S_JOURNEY_GET's columns, from column `col`. */
static void read_journey_at(const PGresult *r, int row, int col, pk_journey *out)
{
    memset(out, 0, sizeof(*out));
    out->participant_id = get_i64(r, row, col);
    pk_journey_status js = pk_journey_status_by_name(PQgetvalue(r, row, col + 1));
    out->status = js == PK_JS__COUNT ? PK_JS_TERDAFTAR : js;
    pg_copy_col(r, row, col + 2, out->payout, sizeof(out->payout));
    int64_t v[PK_JOURNEY_INTS];
    for (int i = 0; i < PK_JOURNEY_INTS; i++)
        v[i] = get_i64(r, row, col + 3 + i);
    pk_journey_from_ints(out, v);
}

static void read_journey(const PGresult *r, pk_journey *out)
{
    read_journey_at(r, 0, 0, out);
}

int pg_journey_tail(pk_tx *t, int64_t participant_id, int64_t at, int64_t seq, pk_journey *out,
                    bool *last)
{
    pgc *c = pg_txc(t);
    params p = {0};
    p_int(&p, participant_id);
    int rc = pg_run(c, S_JOURNEY_LOCK, &p, NULL);
    if (rc != 0)
        return rc;
    p_int(&p, at);
    p_int(&p, seq);
    PGresult *r = NULL;
    if ((rc = pg_run(c, S_JOURNEY_TAIL, &p, &r)) != 0)
        return rc;
    if (PQntuples(r) == 0) {
        PQclear(r);
        return PK_ENOENT;
    }
    read_journey(r, out);
    *last = PQgetvalue(r, 0, 3 + PK_JOURNEY_INTS)[0] == 0; /* binary: the EXISTS false */
    PQclear(r);
    return 0;
}

int pg_journey_tails(pk_tx *t, size_t n, const int64_t *participant_ids, const int64_t *at,
                     const int64_t *seq, pk_tail *out)
{
    pg_tx *tx = (pg_tx *)t;
    for (size_t i = 0; i < n; i++)
        out[i].found = out[i].last = false;
    if (n == 0)
        return 0;
    params p = {0};
    int rc = ids_param(tx, &p, 0, n, participant_ids);
    if (rc == 0)
        rc = pg_run(tx->c, S_JOURNEY_LOCK_MANY, &p, NULL);
    if (rc == 0 && ((rc = ids_param(tx, &p, 1, n, at)) != 0 ||
                    (rc = ids_param(tx, &p, 2, n, seq)) != 0))
        return rc;
    PGresult *r = NULL;
    if (rc != 0 || (rc = pg_run(tx->c, S_JOURNEY_TAILS, &p, &r)) != 0)
        return rc;
    for (int row = 0; rc == 0 && row < PQntuples(r); row++) {
        int64_t i = get_i64(r, row, 0) - 1;
        if (i < 0 || (size_t)i >= n) {
            rc = PK_EIO;
            break;
        }
        read_journey_at(r, row, 1, &out[i].j);
        out[i].last = PQgetvalue(r, row, 1 + 3 + PK_JOURNEY_INTS)[0] == 0; /* EXISTS false */
        out[i].found = true;
    }
    PQclear(r);
    return rc;
}

int pg_journey_ids(pk_tx *t, int64_t after, size_t limit, int64_t *ids, size_t *n)
{
    params p = {0};
    p_int(&p, after);
    p_int(&p, (int64_t)limit);
    PGresult *r = NULL;
    *n = 0;
    int rc = pg_run(pg_txc(t), S_JOURNEY_IDS, &p, &r);
    if (rc != 0)
        return rc;
    for (int i = 0; i < PQntuples(r) && *n < limit; i++)
        ids[(*n)++] = get_i64(r, i, 0);
    PQclear(r);
    return 0;
}

/* The state from a result of S_JOURNEY_GET (cleared): 0 or PK_ENOENT. */
static int journey_row(PGresult *r, pk_journey *out);

int pg_journey_state(pk_tx *t, int64_t participant_id, pk_journey *out)
{
    pgc *c = pg_txc(t);
    params p = {0};
    p_int(&p, participant_id);
    PGresult *r = NULL;
    /* the participant's row locked first, as pg_events_of does */
    int rc = pg_run(c, S_JOURNEY_LOCK, &p, NULL);
    if (rc == 0)
        rc = pg_run(c, S_JOURNEY_GET, &p, &r);
    return rc != 0 ? rc : journey_row(r, out);
}

int pg_journey_get(pk_store *s, int64_t participant_id, pk_journey *out)
{
    params p = {0};
    p_int(&p, participant_id);
    PGresult *r = NULL;
    int rc = pg_run1(s, S_JOURNEY_GET, &p, &r);
    if (rc != 0)
        return rc;
    return journey_row(r, out);
}

static int journey_row(PGresult *r, pk_journey *out)
{
    if (PQntuples(r) == 0) {
        PQclear(r);
        return PK_ENOENT;
    }
    read_journey(r, out);
    PQclear(r);
    return 0;
}

int pg_events_each(pk_store *s, int64_t participant_id, pk_event_cb cb, void *ctx)
{
    params p = {0};
    p_int(&p, participant_id);
    PGresult *r = NULL;
    int rc = pg_run1(s, S_EVENTS_OF, &p, &r);
    return rc != 0 ? rc : each_event(r, cb, ctx);
}

int pg_journey_due_wave(pk_tx *t, pk_due_kind kind, int64_t after, int64_t *wave)
{
    params p = {0};
    p_int(&p, after);
    PGresult *r = NULL;
    int rc = pg_run(pg_txc(t), kind == PK_DUE_UNBOUGHT ? S_JOURNEY_DUE_WAVE_UNBOUGHT
                                                       : S_JOURNEY_DUE_WAVE_BALANCE,
                    &p, &r);
    if (rc != 0)
        return rc;
    if (PQntuples(r) == 0 || PQgetisnull(r, 0, 0))
        rc = PK_ENOENT;
    else
        *wave = get_i64(r, 0, 0);
    PQclear(r);
    return rc;
}

int pg_journey_due(pk_tx *t, pk_due_kind kind, int64_t wave, int64_t before, int64_t after_at,
                   int64_t after_id, size_t limit, pk_due_row *rows, size_t *n)
{
    params p = {0};
    p_int(&p, wave);
    p_int(&p, before);
    p_int(&p, after_at);
    p_int(&p, after_id);
    p_int(&p, (int64_t)limit);
    PGresult *r = NULL;
    *n = 0;
    int rc = pg_run(pg_txc(t), kind == PK_DUE_UNBOUGHT ? S_JOURNEY_DUE_UNBOUGHT
                                                       : S_JOURNEY_DUE_BALANCE,
                    &p, &r);
    if (rc != 0)
        return rc;
    int rows_n = PQntuples(r);
    for (int i = 0; i < rows_n && *n < limit; i++) {
        pk_due_row *d = &rows[(*n)++];
        d->participant_id = get_i64(r, i, 0);
        d->selected_at = get_i64(r, i, 1);
        d->balance = get_i64(r, i, 2);
        d->unbought = PQgetlength(r, i, 3) == 1 && PQgetvalue(r, i, 3)[0] != 0;
        get_bytes(r, i, 4, d->nik_bi, PK_BI_LEN);
    }
    PQclear(r);
    return 0;
}
