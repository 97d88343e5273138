/* sqlite_journey.c -- the journey on SQLite: a participant's events
 * (append only: triggers refuse UPDATE and DELETE), found by (source,
 * ref), and the state derived from them (pk_journey), written by
 * app/journey.c.  The single writer serialises writers of one journey. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "core/pk.h"
#include "store/sqlite_int.h"

/* Fills e from a row over SQ_ECOLS. */
static void read_event(sqlite3_stmt *st, pk_event *e)
{
    memset(e, 0, sizeof(*e));
    e->id = sqlite3_column_int64(st, 0);
    e->participant_id = sqlite3_column_int64(st, 1);
    const char *src = (const char *)sqlite3_column_text(st, 2);
    e->source = src && strcmp(src, "lokal") == 0 ? PK_SRC_LOKAL : PK_SRC_PMO;
    sq_copy_col(st, 3, e->ref, sizeof(e->ref));
    e->type = pk_event_type_by_name((const char *)sqlite3_column_text(st, 4));
    e->at = sqlite3_column_int64(st, 5);
    e->seq = sqlite3_column_int64(st, 6);
    sq_copy_col(st, 7, e->received_at, sizeof(e->received_at));
    e->wave = sqlite3_column_int64(st, 8);
    e->amount = sqlite3_column_int64(st, 9);
    e->k = sqlite3_column_int64(st, 10);
    sq_copy_col(st, 11, e->course, sizeof(e->course));
    sq_copy_col(st, 12, e->platform, sizeof(e->platform));
    sq_copy_col(st, 13, e->ref_asal, sizeof(e->ref_asal));
    sq_copy_col(st, 14, e->note, sizeof(e->note));
}

static int each_event(sqlite3_stmt *st, int64_t participant_id, pk_event_cb cb, void *ctx)
{
    sqlite3_bind_int64(st, 1, participant_id);
    int r, rc = 0;
    pk_event e;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        read_event(st, &e);
        if ((rc = cb(ctx, &e)) != 0)
            break;
    }
    return rc != 0 ? rc : r == SQLITE_DONE ? 0 : PK_EIO;
}

int sq_events_of(pk_tx *t, int64_t participant_id, pk_event_cb cb, void *ctx)
{
    /* The cached statement, prepared once rather than on every call (an
     * import calls this once per person); cb does not call it again
     * (store.h). */
    sqlite3_stmt *st = sq_stmt(sq_txc(t), S_EVENTS_OF);
    if (st == NULL)
        return PK_EIO;
    int rc = each_event(st, participant_id, cb, ctx);
    sqlite3_reset(st);
    return rc;
}

/* One statement per person and per ref: SQLite has no round trips to save. */
int sq_events_of_many(pk_tx *t, size_t n, const int64_t *participant_ids, pk_event_cb cb,
                      void *ctx)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = sq_events_of(t, participant_ids[i], cb, ctx);
    return rc;
}

int sq_events_known(pk_tx *t, size_t n, const pk_event *const *ev, bool *known)
{
    for (size_t i = 0; i < n; i++) {
        int64_t who;
        int rc = sq_event_find(t, ev[i]->source, ev[i]->ref, &who);
        if (rc != 0 && rc != PK_ENOENT)
            return rc;
        known[i] = rc == 0;
    }
    return 0;
}

int sq_event_find(pk_tx *t, pk_event_source source, const char *ref, int64_t *participant_id)
{
    if (((sq_tx *)t)->events_bulk) /* no index to find it by (store.h) */
        return PK_EINVAL;
    sqlite3_stmt *st = sq_stmt(sq_txc(t), S_EVENT_FIND);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_text(st, 1, pk_event_source_name(source), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, ref, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        *participant_id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return r == SQLITE_ROW ? 0 : r == SQLITE_DONE ? PK_ENOENT : PK_EIO;
}

/* The lengths of the texts every row binds the same (sqlite3_bind_text
 * measures a text given without its length; strlen was 2.5% of the
 * samples of a 10M-event load, how much of it here not measured; the
 * change was within the noise: bench/README.md, run 9). */
typedef struct ev_lens {
    int type[PK_EV__COUNT], source[2], now;
} ev_lens;

static void ev_lens_init(ev_lens *l, const char *now)
{
    for (int t = 0; t < PK_EV__COUNT; t++) {
        const pk_event_info *info = pk_event_info_of((pk_event_type)t);
        l->type[t] = info != NULL ? (int)strlen(info->name) : 0;
    }
    l->source[PK_SRC_PMO] = (int)strlen(pk_event_source_name(PK_SRC_PMO));
    l->source[PK_SRC_LOKAL] = (int)strlen(pk_event_source_name(PK_SRC_LOKAL));
    l->now = (int)strlen(now);
}

/* A text of the event: mostly empty (course, platform, ref_asal, note). */
static void bind_str(sqlite3_stmt *st, int i, const char *s)
{
    sqlite3_bind_text(st, i, s, s[0] != '\0' ? (int)strlen(s) : 0, SQLITE_STATIC);
}

/* Binds e as the row whose first parameter is p + 1 (S_EVENT_INSERT's). */
static int bind_event(sqlite3_stmt *st, int p, const pk_event *e, const char *now,
                      const ev_lens *l)
{
    const pk_event_info *info = pk_event_info_of(e->type);
    if (info == NULL || (e->source != PK_SRC_PMO && e->source != PK_SRC_LOKAL))
        return PK_EINVAL;
    sqlite3_bind_int64(st, p + 1, e->participant_id);
    sqlite3_bind_text(st, p + 2, pk_event_source_name(e->source), l->source[e->source],
                      SQLITE_STATIC);
    bind_str(st, p + 3, e->ref);
    sqlite3_bind_text(st, p + 4, info->name, l->type[e->type], SQLITE_STATIC);
    sqlite3_bind_int64(st, p + 5, e->at);
    sqlite3_bind_int64(st, p + 6, e->seq);
    sqlite3_bind_int64(st, p + 7, e->wave);
    sqlite3_bind_int64(st, p + 8, e->amount);
    sqlite3_bind_int64(st, p + 9, e->k);
    bind_str(st, p + 10, e->course);
    bind_str(st, p + 11, e->platform);
    bind_str(st, p + 12, e->ref_asal);
    bind_str(st, p + 13, e->note);
    sqlite3_bind_text(st, p + 14, now, l->now, SQLITE_STATIC);
    return 0;
}

/* In a bulk load SQ_EVENT_ROWS at a time while there are as many, then
 * one by one.  The rows of one statement get consecutive ids (a rowid
 * table without AUTOINCREMENT takes the largest id plus one for each new
 * row, and the single writer holds the table), so the last id tells them
 * all (32 rows a statement: 0.76-0.81 s for pass 4 of a bulk load of 1M
 * events, against 0.80-0.83 s with 16 and 0.87-0.96 s with 8; the
 * parameters bound anew, not cleared first).  Outside a bulk load one by
 * one: there the 8-row statements cost
 * more than they save (a draw's 3,300,000 events: about 6 s less user
 * time and 6 s more kernel time, writes made from inside the inserts; an
 * ordinary import of 200,000 events: 2.15 s of CPU against 1.61 s one by
 * one: bench/README.md).  A statement of several rows may fail part-way,
 * so SQLite journals the stored pages it changes; a bulk load writes new
 * pages, and its index by ref is not there. */
/* The cache lines of the texts bind_event reads from rows [from, to) of
 * ev, fetched ahead: a pk_event is 1.5 KiB with its texts far apart, and
 * a bulk load's were written on another thread (app/journey_import.c),
 * so each text was a miss (a fifth of the writer's time in strlen). */
static void prefetch_events(const pk_event *ev, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        __builtin_prefetch(ev[i].ref);
        __builtin_prefetch(ev[i].course);
        __builtin_prefetch(ev[i].platform);
        __builtin_prefetch(ev[i].ref_asal);
        __builtin_prefetch(ev[i].note);
    }
}

int sq_events_insert(pk_tx *t, size_t n, pk_event *ev)
{
    sqc *c = sq_txc(t);
    char now[32];
    pk_store_now(now);
    ev_lens lens;
    ev_lens_init(&lens, now);
    size_t i = 0;
    bool bulk = ((sq_tx *)t)->events_bulk;
    if (bulk)
        prefetch_events(ev, 0, n < SQ_EVENT_ROWS ? n : SQ_EVENT_ROWS);
    for (; bulk && n - i >= SQ_EVENT_ROWS; i += SQ_EVENT_ROWS) {
        /* the next statement's rows, while this one's are bound and stepped */
        size_t next = i + SQ_EVENT_ROWS;
        prefetch_events(ev, next, n - next < SQ_EVENT_ROWS ? n : next + SQ_EVENT_ROWS);
        sqlite3_stmt *st = sq_stmt_all_bound(c, S_EVENT_INSERT_ROWS);
        if (st == NULL)
            return PK_EIO;
        int rc = 0;
        for (int r = 0; rc == 0 && r < SQ_EVENT_ROWS; r++)
            rc = bind_event(st, r * 14, &ev[i + (size_t)r], now, &lens);
        if (rc != 0 || (rc = sq_step_done(st)) != 0)
            return rc;
        int64_t last = sqlite3_last_insert_rowid(c->db);
        for (int r = 0; r < SQ_EVENT_ROWS; r++)
            ev[i + (size_t)r].id = last - (SQ_EVENT_ROWS - 1) + r;
    }
    for (; i < n; i++) {
        sqlite3_stmt *st = sq_stmt(c, S_EVENT_INSERT);
        if (st == NULL)
            return PK_EIO;
        int rc = bind_event(st, 0, &ev[i], now, &lens);
        if (rc != 0 || (rc = sq_step_done(st)) != 0)
            return rc;
        ev[i].id = sqlite3_last_insert_rowid(c->db);
    }
    return 0;
}

/* now: pk_store_now's form */
static int journey_put(pk_tx *t, const pk_journey *j, const char *now)
{
    sqlite3_stmt *st = sq_stmt(sq_txc(t), S_JOURNEY_PUT);
    if (st == NULL)
        return PK_EIO;
    int64_t v[PK_JOURNEY_INTS];
    pk_journey_ints(j, v);
    sqlite3_bind_int64(st, 1, j->participant_id);
    sqlite3_bind_text(st, 2, pk_journey_status_name(j->status), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, j->payout, -1, SQLITE_STATIC);
    for (int i = 0; i < PK_JOURNEY_INTS; i++)
        sqlite3_bind_int64(st, 4 + i, v[i]);
    sqlite3_bind_text(st, 4 + PK_JOURNEY_INTS, now, -1, SQLITE_STATIC);
    return sq_step_done(st);
}

int sq_journey_put(pk_tx *t, const pk_journey *j)
{
    char now[32];
    pk_store_now(now);
    return journey_put(t, j, now);
}

/* fresh or not, the same statement: an insert or replace is as cheap */
int sq_journeys_put(pk_tx *t, size_t n, const pk_journey *js, bool fresh)
{
    (void)fresh;
    char now[32];
    pk_store_now(now);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = journey_put(t, &js[i], now);
    return rc;
}

/* A row of S_JOURNEY_GET's columns (S_JOURNEY_TAIL's first ones). */
static void read_journey(sqlite3_stmt *st, pk_journey *out)
{
    memset(out, 0, sizeof(*out));
    out->participant_id = sqlite3_column_int64(st, 0);
    pk_journey_status js = pk_journey_status_by_name((const char *)sqlite3_column_text(st, 1));
    out->status = js == PK_JS__COUNT ? PK_JS_TERDAFTAR : js;
    sq_copy_col(st, 2, out->payout, sizeof(out->payout));
    int64_t v[PK_JOURNEY_INTS];
    for (int i = 0; i < PK_JOURNEY_INTS; i++)
        v[i] = sqlite3_column_int64(st, 3 + i);
    pk_journey_from_ints(out, v);
}

int sq_journey_tail(pk_tx *t, int64_t participant_id, int64_t at, int64_t seq, pk_journey *out,
                    bool *last)
{
    sqlite3_stmt *st = sq_stmt(sq_txc(t), S_JOURNEY_TAIL);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_int64(st, 1, participant_id);
    sqlite3_bind_int64(st, 2, at);
    sqlite3_bind_int64(st, 3, seq);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        read_journey(st, out);
        *last = sqlite3_column_int(st, 3 + PK_JOURNEY_INTS) == 0;
    }
    int rc = r == SQLITE_ROW ? 0 : r == SQLITE_DONE ? PK_ENOENT : sq_error(r);
    sqlite3_reset(st);
    return rc;
}

int sq_journey_ids(pk_tx *t, int64_t after, size_t limit, int64_t *ids, size_t *n)
{
    sqlite3_stmt *st = sq_stmt(sq_txc(t), S_JOURNEY_IDS);
    *n = 0;
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_int64(st, 1, after);
    sqlite3_bind_int64(st, 2, (int64_t)limit);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW && *n < limit)
        ids[(*n)++] = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return r == SQLITE_DONE || r == SQLITE_ROW ? 0 : PK_EIO;
}

/* Steps S_JOURNEY_GET (bound) once into out: 0, PK_ENOENT or PK_EIO. */
static int journey_row(sqlite3_stmt *st, pk_journey *out)
{
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        read_journey(st, out);
    return r == SQLITE_ROW ? 0 : r == SQLITE_DONE ? PK_ENOENT : PK_EIO;
}

int sq_journey_state(pk_tx *t, int64_t participant_id, pk_journey *out)
{
    sqlite3_stmt *st = sq_stmt(sq_txc(t), S_JOURNEY_GET);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_int64(st, 1, participant_id);
    int rc = journey_row(st, out);
    sqlite3_reset(st);
    return rc;
}

int sq_journey_get(pk_store *s, int64_t participant_id, pk_journey *out)
{
    sq *q = s->impl;
    sqc *c;
    sqlite3_stmt *st;
    int rc = sq_read_begin(q, S_JOURNEY_GET, &c, &st);
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(st, 1, participant_id);
    rc = journey_row(st, out);
    sq_read_end(q, c, st);
    return rc;
}

int sq_events_each(pk_store *s, int64_t participant_id, pk_event_cb cb, void *ctx)
{
    sq *q = s->impl;
    sqc *c;
    sqlite3_stmt *st;
    int rc = sq_read_begin(q, S_EVENTS_OF, &c, &st);
    if (rc != 0)
        return rc;
    rc = each_event(st, participant_id, cb, ctx);
    sq_read_end(q, c, st);
    return rc;
}

int sq_journey_due_wave(pk_tx *t, pk_due_kind kind, int64_t after, int64_t *wave)
{
    sqlite3_stmt *st = sq_stmt(sq_txc(t), kind == PK_DUE_UNBOUGHT ? S_JOURNEY_DUE_WAVE_UNBOUGHT
                                                                  : S_JOURNEY_DUE_WAVE_BALANCE);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_int64(st, 1, after);
    int r = sqlite3_step(st), rc = PK_EIO;
    if (r == SQLITE_ROW) {
        rc = sqlite3_column_type(st, 0) == SQLITE_NULL ? PK_ENOENT : 0;
        if (rc == 0)
            *wave = sqlite3_column_int64(st, 0);
    }
    sqlite3_reset(st);
    return rc;
}

int sq_journey_due(pk_tx *t, pk_due_kind kind, int64_t wave, int64_t before, int64_t after_at,
                   int64_t after_id, size_t limit, pk_due_row *rows, size_t *n)
{
    sqlite3_stmt *st = sq_stmt(sq_txc(t), kind == PK_DUE_UNBOUGHT ? S_JOURNEY_DUE_UNBOUGHT
                                                                  : S_JOURNEY_DUE_BALANCE);
    *n = 0;
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_int64(st, 1, wave);
    sqlite3_bind_int64(st, 2, before);
    sqlite3_bind_int64(st, 3, after_at);
    sqlite3_bind_int64(st, 4, after_id);
    sqlite3_bind_int64(st, 5, (int64_t)limit);
    int r = SQLITE_DONE;
    while (*n < limit && (r = sqlite3_step(st)) == SQLITE_ROW) {
        pk_due_row *d = &rows[(*n)++];
        d->participant_id = sqlite3_column_int64(st, 0);
        d->selected_at = sqlite3_column_int64(st, 1);
        d->balance = sqlite3_column_int64(st, 2);
        d->unbought = sqlite3_column_int(st, 3) != 0;
        sq_column_bi(st, 4, d->nik_bi);
    }
    if (*n == limit)
        r = SQLITE_DONE;
    sqlite3_reset(st);
    return r == SQLITE_DONE ? 0 : PK_EIO;
}
