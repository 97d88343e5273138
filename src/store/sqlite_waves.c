/* sqlite_waves.c -- waves, their draws and card numbers on SQLite
 * (store.h "waves and their draws"): writes on the writer inside a
 * transaction, one statement per row; reads on a pooled connection. */
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>

#include "core/pk.h"
#include "store/sqlite_int.h"

static void copy_text(char *dst, size_t cap, sqlite3_stmt *st, int col)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    snprintf(dst, cap, "%s", t ? (const char *)t : "");
}

static void copy_blob(uint8_t *dst, size_t len, sqlite3_stmt *st, int col)
{
    memset(dst, 0, len);
    if ((size_t)sqlite3_column_bytes(st, col) == len)
        memcpy(dst, sqlite3_column_blob(st, col), len);
}

static void read_wave(sqlite3_stmt *st, pk_wave *w)
{
    memset(w, 0, sizeof(*w));
    w->number = sqlite3_column_int64(st, 0);
    copy_text(w->scheme, sizeof(w->scheme), st, 1);
    w->opens_at = sqlite3_column_int64(st, 2);
    w->closes_at = sqlite3_column_int64(st, 3);
    w->quota = sqlite3_column_int64(st, 4);
    copy_text(w->region_quotas, sizeof(w->region_quotas), st, 5);
    copy_text(w->balance_until, sizeof(w->balance_until), st, 6);
    copy_text(w->state, sizeof(w->state), st, 7);
    copy_text(w->created_at, sizeof(w->created_at), st, 8);
    copy_text(w->updated_at, sizeof(w->updated_at), st, 9);
}

int sq_wave_insert(pk_tx *t, const pk_wave *w)
{
    sqlite3_stmt *st = sq_stmt(sq_txc(t), S_WAVE_INSERT);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_int64(st, 1, w->number);
    sqlite3_bind_text(st, 2, w->scheme, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, w->opens_at);
    sqlite3_bind_int64(st, 4, w->closes_at);
    sqlite3_bind_int64(st, 5, w->quota);
    sqlite3_bind_text(st, 6, w->region_quotas, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, w->balance_until, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, w->state, -1, SQLITE_STATIC);
    return sq_step_done(st);
}

int sq_wave_get(pk_tx *t, int64_t number, pk_wave *out)
{
    sqlite3_stmt *st = sq_stmt(sq_txc(t), S_WAVE_GET);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_int64(st, 1, number);
    int r = sqlite3_step(st), rc = r == SQLITE_ROW ? 0 : r == SQLITE_DONE ? PK_ENOENT : PK_EIO;
    if (rc == 0)
        read_wave(st, out);
    sqlite3_reset(st);
    return rc;
}

/* SQLite locks the whole file, not rows: the same read. */
int sq_wave_peek(pk_tx *t, int64_t number, pk_wave *out)
{
    return sq_wave_get(t, number, out);
}

int sq_wave_set_state(pk_tx *t, int64_t number, const char *state)
{
    sqlite3_stmt *st = sq_stmt(sq_txc(t), S_WAVE_SET_STATE);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_int64(st, 1, number);
    sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
    int rc = sq_step_done(st);
    if (rc == 0 && sqlite3_changes(sq_txc(t)->db) == 0)
        rc = PK_ENOENT;
    return rc;
}

int sq_waves_each(pk_store *s, pk_wave_cb cb, void *ctx)
{
    sq *q = s->impl;
    sqc *c;
    sqlite3_stmt *st;
    int rc = sq_read_begin(q, S_WAVES_EACH, &c, &st), r;
    if (rc != 0)
        return rc;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        pk_wave w;
        read_wave(st, &w);
        if ((rc = cb(ctx, &w)) != 0)
            break;
    }
    if (rc == 0 && r != SQLITE_DONE)
        rc = PK_EIO;
    sq_read_end(q, c, st);
    return rc;
}

int sq_wave_applicants(pk_tx *t, int64_t wave, pk_applicant_cb cb, void *ctx)
{
    sqc *c = sq_txc(t);
    /* the lists are looked up while it steps: a statement of its own */
    sqlite3_stmt *st = sq_stmt_fresh(c, S_WAVE_APPLICANTS);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_int64(st, 1, wave);
    int64_t listed = 0;
    int rc = sq_count_of(c, S_ANY_LISTED, &listed), r = SQLITE_DONE;
    while (rc == 0 && (r = sqlite3_step(st)) == SQLITE_ROW) {
        pk_prow row;
        sq_read_row(st, &row);
        pk_applicant a = {.row = &row, .selected_at = sqlite3_column_int64(st, SQ_NPCOLS)};
        if (listed && (rc = sq_lists_of(c, row.nik_bi, &a.lists)) != 0)
            break;
        rc = cb(ctx, &a);
    }
    if (rc == 0 && r != SQLITE_DONE)
        rc = sq_error(r);
    sqlite3_finalize(st);
    return rc;
}

int sq_wave_last_join(pk_tx *t, int64_t wave, int64_t *at, int64_t *seq)
{
    sqlite3_stmt *st = sq_stmt(sq_txc(t), S_WAVE_LAST_JOIN);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_int64(st, 1, wave);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        *at = sqlite3_column_int64(st, 0);
        *seq = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    return r == SQLITE_ROW || r == SQLITE_DONE ? 0 : sq_error(r);
}

int sq_wave_applicants_count(pk_store *s, int64_t wave, int64_t *n)
{
    sq *q = s->impl;
    sqc *c;
    sqlite3_stmt *st;
    int rc = sq_read_begin(q, S_WAVE_APPLICANTS_COUNT, &c, &st);
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(st, 1, wave);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        *n = sqlite3_column_int64(st, 0);
    rc = r == SQLITE_ROW ? 0 : PK_EIO;
    sq_read_end(q, c, st);
    return rc;
}

int sq_recipient_families(pk_tx *t, int64_t at, pk_bi_cb cb, void *ctx)
{
    sqlite3_stmt *st = sq_stmt_fresh(sq_txc(t), S_RECIPIENT_FAMILIES);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_int64(st, 1, at);
    int rc = 0, r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        uint8_t kk[PK_BI_LEN];
        sq_column_bi(st, 0, kk);
        if ((rc = cb(ctx, kk)) != 0)
            break;
    }
    if (rc == 0 && r != SQLITE_DONE)
        rc = sq_error(r);
    sqlite3_finalize(st);
    return rc;
}

int sq_draw_insert(pk_tx *t, const pk_draw_rec *d)
{
    sqlite3_stmt *st = sq_stmt(sq_txc(t), S_DRAW_INSERT);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_int64(st, 1, d->wave);
    sqlite3_bind_blob(st, 2, d->seed, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, d->algorithm);
    sqlite3_bind_blob(st, 4, d->snapshot, 32, SQLITE_STATIC);
    sqlite3_bind_blob(st, 5, d->result, 32, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, d->drawn_at);
    sqlite3_bind_int64(st, 7, d->applicants);
    sqlite3_bind_int64(st, 8, d->eligible);
    sqlite3_bind_int64(st, 9, d->selected);
    sqlite3_bind_int64(st, 10, d->not_selected);
    sqlite3_bind_text(st, 11, d->reasons, -1, SQLITE_STATIC);
    return sq_step_done(st);
}

int sq_draw_get(pk_store *s, int64_t wave, pk_draw_rec *out)
{
    sq *q = s->impl;
    sqc *c;
    sqlite3_stmt *st;
    int rc = sq_read_begin(q, S_DRAW_GET, &c, &st);
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(st, 1, wave);
    int r = sqlite3_step(st);
    rc = r == SQLITE_ROW ? 0 : r == SQLITE_DONE ? PK_ENOENT : PK_EIO;
    if (rc == 0) {
        memset(out, 0, sizeof(*out));
        out->wave = sqlite3_column_int64(st, 0);
        copy_blob(out->seed, 32, st, 1);
        out->algorithm = sqlite3_column_int64(st, 2);
        copy_blob(out->snapshot, 32, st, 3);
        copy_blob(out->result, 32, st, 4);
        out->drawn_at = sqlite3_column_int64(st, 5);
        out->applicants = sqlite3_column_int64(st, 6);
        out->eligible = sqlite3_column_int64(st, 7);
        out->selected = sqlite3_column_int64(st, 8);
        out->not_selected = sqlite3_column_int64(st, 9);
        copy_text(out->reasons, sizeof(out->reasons), st, 10);
        copy_text(out->created_at, sizeof(out->created_at), st, 11);
    }
    sq_read_end(q, c, st);
    return rc;
}

int sq_draw_rows_insert(pk_tx *t, int64_t wave, size_t n, const pk_draw_row *rows)
{
    sqc *c = sq_txc(t);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        sqlite3_stmt *st = sq_stmt(c, S_DRAW_ROW_INSERT);
        if (st == NULL)
            return PK_EIO;
        const pk_draw_row *r = &rows[i];
        sqlite3_bind_int64(st, 1, wave);
        sqlite3_bind_int64(st, 2, r->participant_id);
        sqlite3_bind_int64(st, 3, r->tier);
        sqlite3_bind_int64(st, 4, (sqlite3_int64)r->reasons);
        sqlite3_bind_int64(st, 5, r->eligible);
        sqlite3_bind_int64(st, 6, r->selected);
        sqlite3_bind_text(st, 7, r->regency, -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 8, r->kk_bi, PK_BI_LEN, SQLITE_STATIC);
        sqlite3_bind_int64(st, 9, r->kk_prior);
        rc = sq_step_done(st);
    }
    return rc;
}

int sq_draw_rows_each(pk_store *s, int64_t wave, pk_draw_row_cb cb, void *ctx)
{
    sq *q = s->impl;
    sqc *c;
    sqlite3_stmt *st;
    int rc = sq_read_begin(q, S_DRAW_ROWS_EACH, &c, &st), r;
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(st, 1, wave);
    /* One read transaction: the walk sees a single snapshot. */
    sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL);
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        pk_draw_row d;
        memset(&d, 0, sizeof(d));
        d.participant_id = sqlite3_column_int64(st, 0);
        d.tier = sqlite3_column_int(st, 1);
        d.reasons = (uint64_t)sqlite3_column_int64(st, 2);
        d.eligible = sqlite3_column_int(st, 3) != 0;
        d.selected = sqlite3_column_int(st, 4) != 0;
        copy_text(d.regency, sizeof(d.regency), st, 5);
        copy_blob(d.kk_bi, PK_BI_LEN, st, 6);
        d.kk_prior = sqlite3_column_int64(st, 7);
        uint8_t nik_bi[PK_BI_LEN];
        sq_column_bi(st, 9, nik_bi);
        if ((rc = cb(ctx, &d, sqlite3_column_blob(st, 8), (size_t)sqlite3_column_bytes(st, 8),
                     nik_bi)) != 0)
            break;
    }
    if (rc == 0 && r != SQLITE_DONE)
        rc = PK_EIO;
    sqlite3_reset(st);
    sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
    sq_conn_put(q, c);
    return rc;
}

int sq_card_serial_max(pk_tx *t, int64_t *serial)
{
    return sq_count_of(sq_txc(t), S_CARD_SERIAL_MAX, serial);
}

int sq_card_insert(pk_tx *t, int64_t participant_id, int64_t wave, int64_t serial,
                   const char *number, int64_t issued_at)
{
    sqlite3_stmt *st = sq_stmt(sq_txc(t), S_CARD_INSERT);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_int64(st, 1, participant_id);
    sqlite3_bind_int64(st, 2, serial);
    sqlite3_bind_text(st, 3, number, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, wave);
    sqlite3_bind_int64(st, 5, issued_at);
    return sq_step_done(st);
}

int sq_card_get(pk_store *s, int64_t participant_id, char *number, int64_t *wave,
                int64_t *replaced_at)
{
    sq *q = s->impl;
    sqc *c;
    sqlite3_stmt *st;
    int rc = sq_read_begin(q, S_CARD_GET, &c, &st);
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(st, 1, participant_id);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW) {
        copy_text(number, 17, st, 0);
        *wave = sqlite3_column_int64(st, 1);
        *replaced_at = sqlite3_column_int64(st, 2);
    }
    rc = r == SQLITE_ROW ? 0 : r == SQLITE_DONE ? PK_ENOENT : PK_EIO;
    sq_read_end(q, c, st);
    return rc;
}
