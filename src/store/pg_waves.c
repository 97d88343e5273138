/* pg_waves.c -- waves, their draws and card numbers on PostgreSQL
 * (store.h "waves and their draws"): the wave read in a transaction is
 * row-locked (FOR UPDATE), so two draws of one wave take turns; a wave's
 * applicants come through a cursor, a thousand rows a fetch; a draw's
 * rows are written a batch per statement (array parameters). */
#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

#include "core/pk.h"
#include "core/scheme.h"
#include "store/pg_int.h"

static void copy_text(char *dst, size_t cap, const PGresult *r, int row, int col)
{
    snprintf(dst, cap, "%.*s", PQgetlength(r, row, col), PQgetvalue(r, row, col));
}

static void read_wave(const PGresult *r, int i, pk_wave *w)
{
    memset(w, 0, sizeof(*w));
    w->number = get_i64(r, i, 0);
    copy_text(w->scheme, sizeof(w->scheme), r, i, 1);
    w->opens_at = get_i64(r, i, 2);
    w->closes_at = get_i64(r, i, 3);
    w->quota = get_i64(r, i, 4);
    copy_text(w->region_quotas, sizeof(w->region_quotas), r, i, 5);
    copy_text(w->balance_until, sizeof(w->balance_until), r, i, 6);
    copy_text(w->state, sizeof(w->state), r, i, 7);
    copy_text(w->created_at, sizeof(w->created_at), r, i, 8);
    copy_text(w->updated_at, sizeof(w->updated_at), r, i, 9);
}

int pg_wave_insert(pk_tx *t, const pk_wave *w)
{
    params p = {0};
    p_int(&p, w->number);
    p_text(&p, w->scheme);
    p_int(&p, w->opens_at);
    p_int(&p, w->closes_at);
    p_int(&p, w->quota);
    p_text(&p, w->region_quotas);
    p_text(&p, w->balance_until);
    p_text(&p, w->state);
    return pg_run(pg_txc(t), S_WAVE_INSERT, &p, NULL);
}

static int wave_read(pk_tx *t, int which, int64_t number, pk_wave *out)
{
    params p = {0};
    p_int(&p, number);
    PGresult *r = NULL;
    int rc = pg_run(pg_txc(t), which, &p, &r);
    if (rc != 0)
        return rc;
    if (PQntuples(r) == 1)
        read_wave(r, 0, out);
    else
        rc = PK_ENOENT;
    PQclear(r);
    return rc;
}

int pg_wave_get(pk_tx *t, int64_t number, pk_wave *out)
{
    return wave_read(t, S_WAVE_GET, number, out);
}

int pg_wave_peek(pk_tx *t, int64_t number, pk_wave *out)
{
    return wave_read(t, S_WAVE_PEEK, number, out);
}

int pg_wave_set_state(pk_tx *t, int64_t number, const char *state)
{
    params p = {0};
    p_int(&p, number);
    p_text(&p, state);
    PGresult *r = NULL;
    int rc = pg_run(pg_txc(t), S_WAVE_SET_STATE, &p, &r);
    if (rc != 0)
        return rc;
    if (pg_touched(r) == 0)
        rc = PK_ENOENT;
    PQclear(r);
    return rc;
}

int pg_waves_each(pk_store *s, pk_wave_cb cb, void *ctx)
{
    PGresult *r = NULL;
    int rc = pg_run1(s, S_WAVES_EACH, NULL, &r);
    if (rc != 0)
        return rc;
    for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
        pk_wave w;
        read_wave(r, i, &w);
        rc = cb(ctx, &w);
    }
    PQclear(r);
    return rc;
}

static unsigned lists_from_names(const char *s, int len)
{
    unsigned bits = 0;
    for (int i = 0; i < len;) {
        int j = i;
        while (j < len && s[j] != ' ')
            j++;
        char name[32];
        if (j - i < (int)sizeof(name)) {
            memcpy(name, s + i, (size_t)(j - i));
            name[j - i] = '\0';
            bits |= pk_list_by_name(name);
        }
        i = j + 1;
    }
    return bits;
}

int pg_wave_applicants(pk_tx *t, int64_t wave, pk_applicant_cb cb, void *ctx)
{
    pgc *c = pg_txc(t);
    params p = {0};
    p_int(&p, wave);
    int rc = pg_run_once(c, S_WAVE_APPLICANTS, &p, NULL);
    while (rc == 0) {
        PGresult *r = NULL;
        if ((rc = pg_run_once(c, S_WAVE_APPLICANTS_FETCH, NULL, &r)) != 0)
            break;
        int n = PQntuples(r);
        for (int i = 0; rc == 0 && i < n; i++) {
            pk_prow row;
            pg_read_row(r, i, &row);
            pk_applicant a = {.row = &row,
                              .lists = lists_from_names(PQgetvalue(r, i, 20),
                                                        PQgetlength(r, i, 20)),
                              .selected_at = get_i64(r, i, 21)};
            rc = cb(ctx, &a);
        }
        PQclear(r);
        if (n == 0)
            break;
    }
    if (rc == 0)
        rc = pg_exec(c, "CLOSE pk_applicants", PGRES_COMMAND_OK, "applicants");
    return rc;
}

int pg_wave_applicants_count(pk_store *s, int64_t wave, int64_t *n)
{
    params p = {0};
    p_int(&p, wave);
    PGresult *r = NULL;
    int rc = pg_run1(s, S_WAVE_APPLICANTS_COUNT, &p, &r);
    if (rc != 0)
        return rc;
    *n = PQntuples(r) == 1 ? get_i64(r, 0, 0) : 0;
    PQclear(r);
    return 0;
}

int pg_recipient_families(pk_tx *t, int64_t at, pk_bi_cb cb, void *ctx)
{
    params p = {0};
    p_int(&p, at);
    PGresult *r = NULL;
    int rc = pg_run(pg_txc(t), S_RECIPIENT_FAMILIES, &p, &r);
    if (rc != 0)
        return rc;
    for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
        uint8_t kk[PK_BI_LEN] = {0};
        get_bytes(r, i, 0, kk, PK_BI_LEN);
        rc = cb(ctx, kk);
    }
    PQclear(r);
    return rc;
}

int pg_draw_insert(pk_tx *t, const pk_draw_rec *d)
{
    params p = {0};
    p_int(&p, d->wave);
    p_bytes(&p, d->seed, 32);
    p_int(&p, d->algorithm);
    p_bytes(&p, d->snapshot, 32);
    p_bytes(&p, d->result, 32);
    p_int(&p, d->drawn_at);
    p_int(&p, d->applicants);
    p_int(&p, d->eligible);
    p_int(&p, d->selected);
    p_int(&p, d->not_selected);
    p_text(&p, d->reasons);
    return pg_run(pg_txc(t), S_DRAW_INSERT, &p, NULL);
}

int pg_draw_get(pk_store *s, int64_t wave, pk_draw_rec *out)
{
    params p = {0};
    p_int(&p, wave);
    PGresult *r = NULL;
    int rc = pg_run1(s, S_DRAW_GET, &p, &r);
    if (rc != 0)
        return rc;
    if (PQntuples(r) == 1) {
        memset(out, 0, sizeof(*out));
        out->wave = get_i64(r, 0, 0);
        get_bytes(r, 0, 1, out->seed, 32);
        out->algorithm = get_i64(r, 0, 2);
        get_bytes(r, 0, 3, out->snapshot, 32);
        get_bytes(r, 0, 4, out->result, 32);
        out->drawn_at = get_i64(r, 0, 5);
        out->applicants = get_i64(r, 0, 6);
        out->eligible = get_i64(r, 0, 7);
        out->selected = get_i64(r, 0, 8);
        out->not_selected = get_i64(r, 0, 9);
        copy_text(out->reasons, sizeof(out->reasons), r, 0, 10);
        copy_text(out->created_at, sizeof(out->created_at), r, 0, 11);
    } else {
        rc = PK_ENOENT;
    }
    PQclear(r);
    return rc;
}

int pg_draw_rows_insert(pk_tx *t, int64_t wave, size_t n, const pk_draw_row *rows)
{
    pg_tx *tx = (pg_tx *)t;
    pk_buf *a = tx->arr;
    int e = arr_begin(&a[0], T_INT8) | arr_begin(&a[1], T_INT8) | arr_begin(&a[2], T_INT8) |
            arr_begin(&a[3], T_INT8) | arr_begin(&a[4], T_INT8) | arr_begin(&a[5], T_TEXT) |
            arr_begin(&a[6], T_BYTEA) | arr_begin(&a[7], T_INT8);
    for (size_t i = 0; i < n; i++) {
        const pk_draw_row *r = &rows[i];
        e |= arr_int(&a[0], r->participant_id) | arr_int(&a[1], r->tier) |
             arr_int(&a[2], (int64_t)r->reasons) | arr_int(&a[3], r->eligible) |
             arr_int(&a[4], r->selected) | arr_text(&a[5], r->regency) |
             arr_bytes(&a[6], r->kk_bi, PK_BI_LEN) | arr_int(&a[7], r->kk_prior);
    }
    if (e != 0)
        return PK_ENOMEM;
    params p = {0};
    p_int(&p, wave);
    for (int c = 0; c < 8; c++)
        arr_param(&p, &a[c], n);
    return pg_run(tx->c, S_DRAW_ROW_INSERT, &p, NULL);
}

int pg_draw_rows_each(pk_store *s, int64_t wave, pk_draw_row_cb cb, void *ctx)
{
    pg *pq = s->impl;
    pgc *c;
    int rc = pg_conn_get(pq, &c);
    if (rc != 0)
        return rc;
    params p = {0};
    p_int(&p, wave);
    if ((rc = pg_exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", PGRES_COMMAND_OK,
                      "draw rows")) != 0)
        goto out;
    rc = pg_run_once(c, S_DRAW_ROWS_EACH, &p, NULL);
    while (rc == 0) {
        PGresult *r = NULL;
        if ((rc = pg_run_once(c, S_DRAW_ROWS_EACH_FETCH, NULL, &r)) != 0)
            break;
        int n = PQntuples(r);
        for (int i = 0; rc == 0 && i < n; i++) {
            pk_draw_row d;
            memset(&d, 0, sizeof(d));
            d.participant_id = get_i64(r, i, 0);
            d.tier = (int)get_i64(r, i, 1);
            d.reasons = (uint64_t)get_i64(r, i, 2);
            d.eligible = get_i64(r, i, 3) != 0;
            d.selected = get_i64(r, i, 4) != 0;
            copy_text(d.regency, sizeof(d.regency), r, i, 5);
            get_bytes(r, i, 6, d.kk_bi, PK_BI_LEN);
            d.kk_prior = get_i64(r, i, 7);
            uint8_t nik_bi[PK_BI_LEN] = {0};
            get_bytes(r, i, 9, nik_bi, PK_BI_LEN);
            rc = cb(ctx, &d, (const uint8_t *)PQgetvalue(r, i, 8), (size_t)PQgetlength(r, i, 8),
                    nik_bi);
        }
        PQclear(r);
        if (n == 0)
            break;
    }
    /* Read only: ending it either way keeps nothing. */
    PQclear(PQexec(c->conn, "ROLLBACK"));
out:
    pg_conn_put(pq, c);
    return rc;
}

int pg_wave_last_join(pk_tx *t, int64_t wave, int64_t *at, int64_t *seq)
{
    params p = {0};
    p_int(&p, wave);
    PGresult *r = NULL;
    int rc = pg_run(pg_txc(t), S_WAVE_LAST_JOIN, &p, &r);
    if (rc != 0)
        return rc;
    if (PQntuples(r) == 1) {
        *at = get_i64(r, 0, 0);
        *seq = get_i64(r, 0, 1);
    }
    PQclear(r);
    return 0;
}

int pg_card_serial_max(pk_tx *t, int64_t *serial)
{
    PGresult *r = NULL;
    int rc = pg_run(pg_txc(t), S_CARD_SERIAL_MAX, NULL, &r);
    if (rc != 0)
        return rc;
    *serial = get_i64(r, 0, 0);
    PQclear(r);
    return 0;
}

int pg_card_insert(pk_tx *t, int64_t participant_id, int64_t wave, int64_t serial,
                   const char *number, int64_t issued_at)
{
    params p = {0};
    p_int(&p, participant_id);
    p_int(&p, serial);
    p_text(&p, number);
    p_int(&p, wave);
    p_int(&p, issued_at);
    return pg_run(pg_txc(t), S_CARD_INSERT, &p, NULL);
}

int pg_cards_insert(pk_tx *t, int64_t wave, int64_t issued_at, size_t n,
                    const pk_card_new *cards)
{
    pg_tx *tx = (pg_tx *)t;
    pk_buf *col[3] = {&tx->arr[0], &tx->arr[1], &tx->arr[2]};
    int e = arr_begin(col[0], T_INT8) | arr_begin(col[1], T_INT8) | arr_begin(col[2], T_TEXT);
    for (size_t i = 0; i < n; i++) {
        e |= arr_int(col[0], cards[i].participant_id);
        e |= arr_int(col[1], cards[i].serial);
        e |= arr_text(col[2], cards[i].number);
    }
    if (e != 0)
        return PK_ENOMEM;
    params p = {0};
    for (int k = 0; k < 3; k++)
        arr_param(&p, col[k], n);
    p_int(&p, wave);
    p_int(&p, issued_at);
    return pg_run(tx->c, S_CARDS_INSERT, &p, NULL);
}

int pg_card_get(pk_store *s, int64_t participant_id, char *number, int64_t *wave,
                int64_t *replaced_at)
{
    params p = {0};
    p_int(&p, participant_id);
    PGresult *r = NULL;
    int rc = pg_run1(s, S_CARD_GET, &p, &r);
    if (rc != 0)
        return rc;
    if (PQntuples(r) == 1) {
        snprintf(number, 17, "%s", PQgetvalue(r, 0, 0));
        *wave = get_i64(r, 0, 1);
        *replaced_at = get_i64(r, 0, 2);
    } else {
        rc = PK_ENOENT;
    }
    PQclear(r);
    return rc;
}
