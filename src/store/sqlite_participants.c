/* sqlite_participants.c -- the participant registry on SQLite: what a
 * batch finds and writes, families (the KK limit), reasons, the audit log,
 * exclusion lists, re-evaluation; and the reads of any thread: the walk
 * over a region, a resident's status (the statistics: sqlite_counts.c).
 *
 * Writes run on the writer connection inside a transaction (sqlite.c),
 * one statement per row: SQLite runs in this process, so a row costs no
 * round trip.  Reads take a pooled connection.  Each 16-byte blind index
 * of the participant table is two INTEGER columns (sq_bind_bi). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/participant.h"
#include "core/pk.h"
#include "core/scheme.h"
#include "store/sqlite_int.h"

/* ---- writes ------------------------------------------------------------ */

int sq_lists_of(sqc *c, const uint8_t *nik_bi, unsigned *lists)
{
    sqlite3_stmt *st = sq_stmt(c, S_LISTS_OF);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_blob(st, 1, nik_bi, PK_BI_LEN, SQLITE_STATIC);
    *lists = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        *lists |= pk_list_by_name((const char *)sqlite3_column_text(st, 0));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : PK_EIO;
}

int sq_count_of(sqc *c, int which, int64_t *n)
{
    sqlite3_stmt *st = sq_stmt(c, which);
    if (st == NULL)
        return PK_EIO;
    int rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : PK_EIO;
}

int sq_participants_find(pk_tx *t, size_t n, const pk_bi *nik_bi, pk_pknown *out)
{
    sqc *c = sq_txc(t);
    /* Most of the time nobody is listed yet, or few are: one look at
     * the lists saves a lookup per row. */
    int64_t listed = 0;
    int rc = sq_count_of(c, S_ANY_LISTED, &listed);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        pk_pknown *k = &out[i];
        memset(k, 0, sizeof(*k));
        if (((sq_tx *)t)->bulk) { /* every NIK is new (the caller's word) */
            if (listed)
                rc = sq_lists_of(c, nik_bi[i], &k->lists);
            continue;
        }
        sqlite3_stmt *st = sq_stmt(c, S_PARTICIPANTS_FIND);
        if (st == NULL)
            return PK_EIO;
        sq_bind_bi(st, 1, nik_bi[i]);
        int r = sqlite3_step(st);
        if (r == SQLITE_ROW) {
            k->id = sqlite3_column_int64(st, 0);
            if (sqlite3_column_bytes(st, 1) == PK_DIGEST_LEN)
                memcpy(k->digest, sqlite3_column_blob(st, 1), PK_DIGEST_LEN);
            sq_column_bi(st, 2, k->kk_bi);
            k->reasons = (uint64_t)sqlite3_column_int64(st, 4);
            k->base_reasons = (uint64_t)sqlite3_column_int64(st, 5);
            snprintf(k->scheme, sizeof(k->scheme), "%s", (const char *)sqlite3_column_text(st, 6));
        } else if (r != SQLITE_DONE) {
            rc = PK_EIO;
        }
        sqlite3_reset(st);
        if (rc == 0 && listed)
            rc = sq_lists_of(c, nik_bi[i], &k->lists);
    }
    return rc;
}

int sq_participant_ids(pk_tx *t, size_t n, const pk_bi *nik_bi, int64_t *ids)
{
    sqc *c = sq_txc(t);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        sqlite3_stmt *st = sq_stmt(c, S_PARTICIPANT_IDS);
        if (st == NULL)
            return PK_EIO;
        sq_bind_bi(st, 1, nik_bi[i]);
        int r = sqlite3_step(st);
        ids[i] = r == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        if (r != SQLITE_ROW && r != SQLITE_DONE)
            rc = PK_EIO;
        sqlite3_reset(st);
    }
    return rc;
}

/* Parameters 1-19 of S_PARTICIPANTS_INSERT and _UPDATE. */
static void bind_row(sqlite3_stmt *st, const pk_prow *r)
{
    sq_bind_bi(st, 1, r->nik_bi);
    sq_bind_bi(st, 3, r->kk_bi);
    sqlite3_bind_blob(st, 5, r->pii, (int)r->pii_len, SQLITE_STATIC);
    sqlite3_bind_blob(st, 6, r->digest, PK_DIGEST_LEN, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, r->nama, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, r->tanggal_lahir, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, r->jenis_kelamin, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, r->kode_wilayah, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 11, r->pendidikan, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 12, r->segmen, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 13, r->pekerjaan, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 14, (sqlite3_int64)r->warnings);
    sqlite3_bind_text(st, 15, r->scheme, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 16, (sqlite3_int64)r->base_reasons);
    sqlite3_bind_int64(st, 17, (sqlite3_int64)r->reasons);
    sqlite3_bind_text(st, 18, r->source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 19, r->as_of, -1, SQLITE_STATIC);
}

int sq_participants_write(pk_tx *t, size_t n, pk_prow *rows)
{
    sqc *c = sq_txc(t);
    char now[32];
    pk_store_now(now);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        pk_prow *r = &rows[i];
        sqlite3_stmt *st = sq_stmt(c, r->id == 0 ? S_PARTICIPANTS_INSERT : S_PARTICIPANTS_UPDATE);
        if (st == NULL)
            return PK_EIO;
        bind_row(st, r);
        sqlite3_bind_text(st, 20, now, -1, SQLITE_STATIC);
        if (r->id != 0)
            sqlite3_bind_int64(st, 21, r->id);
        rc = sq_step_done(st);
        bool insert = r->id == 0;
        if (rc == 0 && insert)
            r->id = sqlite3_last_insert_rowid(c->db);
        if (rc == 0 && ((sq_tx *)t)->bulk) { /* the counters' triggers are off */
            if (insert)
                sq_bulk_count((sq_tx *)t, r);
            else
                sq_bulk_uncount((sq_tx *)t);
        }
    }
    return rc;
}

int sq_kk_members(pk_tx *t, size_t n, const pk_bi *kk_bi, pk_member_cb cb, void *ctx)
{
    sqc *c = sq_txc(t);
    size_t m;
    if (((sq_tx *)t)->bulk)
        return 0; /* no index to find them by: the caller applies the limit afterwards */
    pk_bi *kk = pk_bi_sorted(n, kk_bi, &m);
    if (kk == NULL)
        return PK_ENOMEM;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < m; i++) {
        sqlite3_stmt *st = sq_stmt(c, S_KK_MEMBERS);
        if (st == NULL) {
            rc = PK_EIO;
            break;
        }
        sq_bind_bi(st, 1, kk[i]);
        int r;
        while (rc == 0 && (r = sqlite3_step(st)) == SQLITE_ROW) {
            pk_member mb = {kk[i], sqlite3_column_int64(st, 0),
                            (const char *)sqlite3_column_text(st, 1),
                            (uint64_t)sqlite3_column_int64(st, 2),
                            (uint64_t)sqlite3_column_int64(st, 3)};
            rc = cb(ctx, &mb);
        }
        if (rc == 0 && r != SQLITE_DONE)
            rc = PK_EIO;
        sqlite3_reset(st);
    }
    free(kk);
    return rc;
}

int sq_set_reasons(pk_tx *t, size_t n, const int64_t *ids, const uint64_t *reasons)
{
    sqc *c = sq_txc(t);
    char now[32];
    pk_store_now(now);
    int rc = 0;
    if (n > 0)
        sq_bulk_uncount((sq_tx *)t); /* during a bulk load: the counters from the rows */
    for (size_t i = 0; rc == 0 && i < n; i++) {
        sqlite3_stmt *st = sq_stmt(c, S_SET_REASONS);
        if (st == NULL)
            return PK_EIO;
        sqlite3_bind_int64(st, 1, ids[i]);
        sqlite3_bind_int64(st, 2, (sqlite3_int64)reasons[i]);
        sqlite3_bind_text(st, 3, now, -1, SQLITE_STATIC);
        rc = sq_step_done(st);
    }
    return rc;
}

int sq_audit(pk_tx *t, size_t n, const pk_audit_entry *e)
{
    sqc *c = sq_txc(t);
    char now[32];
    pk_store_now(now);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        sqlite3_stmt *st = sq_stmt(c, S_AUDIT);
        if (st == NULL)
            return PK_EIO;
        sqlite3_bind_text(st, 1, e[i].actor ? e[i].actor : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, e[i].source, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, e[i].action, -1, SQLITE_STATIC);
        if (e[i].subject > 0)
            sqlite3_bind_int64(st, 4, e[i].subject);
        sqlite3_bind_text(st, 5, e[i].detail ? e[i].detail : "", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 6, now, -1, SQLITE_STATIC);
        rc = sq_step_done(st);
    }
    return rc;
}

/* ---- exclusion lists ---------------------------------------------------- */

static int exec_list(sqc *c, int which, const char *list)
{
    sqlite3_stmt *st = sq_stmt(c, which);
    if (st == NULL)
        return PK_EIO;
    if (list != NULL)
        sqlite3_bind_text(st, 1, list, -1, SQLITE_STATIC);
    return sq_step_done(st);
}

/* The list's members go to temp.list_old (made with the writer, sq_begin)
 * for list_changes to compare. */
int sq_list_clear(pk_tx *t, const char *list)
{
    sqc *c = sq_txc(t);
    int rc = exec_list(c, S_LIST_CLEAR_OLD, list);
    if (rc == 0)
        rc = exec_list(c, S_LIST_SAVE_OLD, list);
    if (rc == 0)
        rc = exec_list(c, S_LIST_DELETE, list);
    return rc;
}

int sq_list_add(pk_tx *t, const char *list, const uint8_t *nik_bi, const uint8_t *note,
                size_t note_len)
{
    sqlite3_stmt *st = sq_stmt(sq_txc(t), S_LIST_ADD);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_text(st, 1, list, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, nik_bi, PK_BI_LEN, SQLITE_STATIC);
    if (note != NULL && note_len > 0)
        sqlite3_bind_blob(st, 3, note, (int)note_len, SQLITE_STATIC);
    return sq_step_done(st);
}

int sq_list_changes(pk_tx *t, const char *list, pk_bi_cb cb, void *ctx)
{
    /* Not the cached statement: cb writes through the cached ones while
     * this one is still stepping. */
    sqlite3_stmt *st = sq_stmt_fresh(sq_txc(t), S_LIST_CHANGES);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_text(st, 1, list, -1, SQLITE_STATIC);
    int rc, r = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (sqlite3_column_bytes(st, 0) != PK_BI_LEN)
            continue;
        if ((r = cb(ctx, sqlite3_column_blob(st, 0))) != 0)
            break;
    }
    sqlite3_finalize(st);
    return r != 0 ? r : rc == SQLITE_DONE ? 0 : PK_EIO;
}

int sq_list_count(pk_tx *t, const char *list, int64_t *count)
{
    sqlite3_stmt *st = sq_stmt(sq_txc(t), S_LIST_COUNT);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_text(st, 1, list, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    *count = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : PK_EIO;
}

/* ---- re-evaluation -------------------------------------------------------- */

void sq_read_row(sqlite3_stmt *st, pk_prow *r)
{
    memset(r, 0, sizeof(*r));
    r->id = sqlite3_column_int64(st, 0);
    sq_column_bi(st, 1, r->nik_bi);
    sq_column_bi(st, 3, r->kk_bi);
    r->pii = sqlite3_column_blob(st, 5);
    r->pii_len = (size_t)sqlite3_column_bytes(st, 5);
    r->nama = (const char *)sqlite3_column_text(st, 6);
    r->tanggal_lahir = (const char *)sqlite3_column_text(st, 7);
    r->jenis_kelamin = (const char *)sqlite3_column_text(st, 8);
    r->kode_wilayah = (const char *)sqlite3_column_text(st, 9);
    r->pendidikan = (const char *)sqlite3_column_text(st, 10);
    r->segmen = (const char *)sqlite3_column_text(st, 11);
    r->pekerjaan = (const char *)sqlite3_column_text(st, 12);
    r->warnings = (uint64_t)sqlite3_column_int64(st, 13);
    r->scheme = (const char *)sqlite3_column_text(st, 14);
    r->base_reasons = (uint64_t)sqlite3_column_int64(st, 15);
    r->reasons = (uint64_t)sqlite3_column_int64(st, 16);
    r->source = (const char *)sqlite3_column_text(st, 17);
    r->created_at = (const char *)sqlite3_column_text(st, 18);
    r->updated_at = (const char *)sqlite3_column_text(st, 19);
    if (sqlite3_column_bytes(st, 20) == PK_DIGEST_LEN)
        memcpy(r->digest, sqlite3_column_blob(st, 20), PK_DIGEST_LEN);
    r->as_of = (const char *)sqlite3_column_text(st, 21);
}

int sq_reevaluate(pk_tx *t, const uint8_t *nik_bi, pk_reeval_fn fn, void *ctx,
                  uint8_t *kk_bi, int *changed)
{
    sqc *c = sq_txc(t);
    unsigned lists;
    int rc = sq_lists_of(c, nik_bi, &lists);
    if (rc != 0)
        return rc;
    sqlite3_stmt *st = sq_stmt(c, S_REEVALUATE_ROW);
    if (st == NULL)
        return PK_EIO;
    sq_bind_bi(st, 1, nik_bi);
    rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_reset(st);
        return rc == SQLITE_DONE ? PK_ENOENT : PK_EIO;
    }
    pk_prow row;
    sq_read_row(st, &row);
    uint64_t base = fn(ctx, &row, lists);
    int64_t id = row.id;
    uint64_t old_base = row.base_reasons, quota = row.reasons & ~row.base_reasons;
    memcpy(kk_bi, row.kk_bi, PK_BI_LEN);
    sqlite3_reset(st);
    *changed = base != old_base;
    if (!*changed)
        return 0;
    sq_bulk_uncount((sq_tx *)t); /* during a bulk load: the counters from the rows */
    if ((st = sq_stmt(c, S_REEVALUATE_SET)) == NULL)
        return PK_EIO;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)base);
    /* The KK limit only applies to the otherwise eligible; the caller
     * re-applies it to the family afterwards. */
    sqlite3_bind_int64(st, 3, (sqlite3_int64)(base != 0 ? base : base | quota));
    return sq_step_done(st);
}

/* ---- reads ------------------------------------------------------------- */

/* Region subtree of a dotted code: the code itself and everything below
 * it ("31.74" .. "31.74/": '/' sorts right after '.'). */
void sq_bind_region(sqlite3_stmt *st, int a, int b, const char *region, char *hi, size_t hilen)
{
    if (region == NULL || region[0] == '\0') {
        sqlite3_bind_text(st, a, "", -1, SQLITE_STATIC);
        sqlite3_bind_text(st, b, "~", -1, SQLITE_STATIC);
        return;
    }
    snprintf(hi, hilen, "%s/", region);
    sqlite3_bind_text(st, a, region, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, b, hi, -1, SQLITE_STATIC);
}

int sq_participants_each(pk_store *s, const char *region, pk_prow_cb cb, void *ctx)
{
    sq *q = s->impl;
    sqc *c;
    int rc = sq_conn_get(q, &c);
    if (rc != 0)
        return rc;
    char hi[PK_REGION_CODE_MAX + 2];
    sqlite3_stmt *st = sq_stmt(c, S_PARTICIPANTS_EACH);
    if (st == NULL) {
        sq_conn_put(q, c);
        return PK_EIO;
    }
    sq_bind_region(st, 1, 2, region, hi, sizeof(hi));
    /* One read transaction: the walk sees a single snapshot. */
    sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        pk_prow row;
        sq_read_row(st, &row);
        if ((rc = cb(ctx, &row)) != 0)
            break;
    }
    if (rc == 0 && r != SQLITE_DONE)
        rc = PK_EIO;
    sqlite3_reset(st);
    sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
    sq_conn_put(q, c);
    return rc;
}

int sq_participant_status(pk_store *s, const uint8_t *nik_bi, pk_pstatus *out)
{
    sq *q = s->impl;
    sqc *c;
    int rc = sq_conn_get(q, &c);
    if (rc != 0)
        return rc;
    memset(out, 0, sizeof(*out));
    rc = PK_EIO;
    sqlite3_stmt *st = sq_stmt(c, S_PARTICIPANT_STATUS);
    if (st != NULL) {
        sq_bind_bi(st, 1, nik_bi);
        int r = sqlite3_step(st);
        if (r == SQLITE_ROW) {
            const unsigned char *v;
            snprintf(out->tanggal_lahir, sizeof(out->tanggal_lahir), "%s",
                     (v = sqlite3_column_text(st, 0)) ? (const char *)v : "");
            snprintf(out->scheme, sizeof(out->scheme), "%s",
                     (v = sqlite3_column_text(st, 1)) ? (const char *)v : "");
            out->reasons = (uint64_t)sqlite3_column_int64(st, 2);
            snprintf(out->created_at, sizeof(out->created_at), "%s",
                     (v = sqlite3_column_text(st, 3)) ? (const char *)v : "");
            rc = 0;
        } else if (r == SQLITE_DONE) {
            rc = PK_ENOENT;
        }
        sqlite3_reset(st);
    }
    sq_conn_put(q, c);
    return rc;
}
