/* sqlite_outreach.c -- outreach events and their attribution on SQLite
 * (store_programme.h "outreach events"; SQL shared with PostgreSQL:
 * sql_outreach.h).  Writes run inside the caller's transaction; reads on
 * a pooled connection. */
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/pk.h"
#include "store/sqlite_int.h"

/* The columns of SQL_OUTREACH_COLS into e. */
static void read_event(sqlite3_stmt *st, pk_outreach *e)
{
    memset(e, 0, sizeof(*e));
    e->id = sqlite3_column_int64(st, 0);
    sq_copy_col(st, 1, e->code, sizeof(e->code));
    sq_copy_col(st, 2, e->kind, sizeof(e->kind));
    sq_copy_col(st, 3, e->title, sizeof(e->title));
    e->starts_at = sqlite3_column_int64(st, 4);
    sq_copy_col(st, 5, e->place, sizeof(e->place));
    sq_copy_col(st, 6, e->kode_wilayah, sizeof(e->kode_wilayah));
    sq_copy_col(st, 7, e->organiser, sizeof(e->organiser));
    sq_copy_col(st, 8, e->segmen, sizeof(e->segmen));
    e->attendance = sqlite3_column_int64(st, 9);
    sq_copy_col(st, 10, e->created_by, sizeof(e->created_by));
    e->created_at = sqlite3_column_int64(st, 11);
    e->updated_at = sqlite3_column_int64(st, 12);
    e->registrations = sqlite3_column_int64(st, 13);
    e->eligible = sqlite3_column_int64(st, 14);
}

/* Steps a statement that answers at most one event: 0 (read into out),
 * PK_ENOENT or an error; resets it. */
static int one_event(sqlite3_stmt *st, pk_outreach *out)
{
    int r = sqlite3_step(st), rc = PK_ENOENT;
    if (r == SQLITE_ROW) {
        read_event(st, out);
        rc = 0;
    } else if (r != SQLITE_DONE) {
        rc = sq_error(r);
    }
    sqlite3_reset(st);
    return rc;
}

int sq_outreach_insert(pk_tx *t, pk_outreach *e)
{
    sqlite3_stmt *st = sq_stmt(sq_txc(t), S_OUTREACH_INSERT);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_text(st, 1, e->code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, e->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, e->title, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, e->starts_at);
    sqlite3_bind_text(st, 5, e->place, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, e->kode_wilayah, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, e->organiser, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, e->segmen, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 9, e->attendance);
    sqlite3_bind_text(st, 10, e->created_by, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 11, e->created_at);
    sqlite3_bind_int64(st, 12, e->updated_at);
    int r = sqlite3_step(st), rc = 0;
    if (r == SQLITE_ROW)
        e->id = sqlite3_column_int64(st, 0);
    else
        rc = r == SQLITE_DONE ? PK_EIO : sq_error(r);
    if (rc == 0 && (r = sqlite3_step(st)) != SQLITE_DONE)
        rc = sq_error(r);
    sqlite3_reset(st);
    return rc;
}

int sq_outreach_update(pk_tx *t, const pk_outreach *e)
{
    sqc *c = sq_txc(t);
    sqlite3_stmt *st = sq_stmt(c, S_OUTREACH_UPDATE);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_text(st, 1, e->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, e->title, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, e->starts_at);
    sqlite3_bind_text(st, 4, e->place, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, e->kode_wilayah, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, e->organiser, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 7, e->segmen, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 8, e->attendance);
    sqlite3_bind_int64(st, 9, e->updated_at);
    sqlite3_bind_int64(st, 10, e->id);
    int rc = sq_step_done(st);
    if (rc == 0 && sqlite3_changes(c->db) == 0)
        rc = PK_ENOENT;
    return rc;
}

int sq_outreach_tx_get(pk_tx *t, int64_t id, pk_outreach *out)
{
    sqlite3_stmt *st = sq_stmt(sq_txc(t), S_OUTREACH_TX_GET);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_int64(st, 1, id);
    return one_event(st, out);
}

int sq_outreach_attribute(pk_tx *t, int64_t pid, int64_t event_id, int64_t at)
{
    sqlite3_stmt *st = sq_stmt(sq_txc(t), S_OUTREACH_ATTRIBUTE);
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_int64(st, 1, pid);
    sqlite3_bind_int64(st, 2, event_id);
    sqlite3_bind_int64(st, 3, at);
    return sq_step_done(st);
}

int sq_outreach_get(pk_store *s, int64_t id, const char *code, const char *counted,
                    pk_outreach *out)
{
    sq *q = s->impl;
    sqc *c;
    sqlite3_stmt *st;
    int rc = sq_read_begin(q, code ? S_OUTREACH_CODE : S_OUTREACH_GET, &c, &st);
    if (rc != 0)
        return rc;
    char hi[PK_REGION_CODE_MAX + 2];
    if (code) {
        sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    } else {
        sq_bind_region(st, 1, 2, counted, hi, sizeof(hi));
        sqlite3_bind_int64(st, 3, id);
    }
    rc = one_event(st, out);
    sq_read_end(q, c, st);
    return rc;
}

int sq_outreach_each(pk_store *s, const pk_outreach_filter *f, pk_outreach_cb cb, void *ctx)
{
    sq *q = s->impl;
    sqc *c;
    sqlite3_stmt *st;
    int rc = sq_read_begin(q, f->newest_first ? S_OUTREACH_EACH_DESC : S_OUTREACH_EACH, &c, &st);
    if (rc != 0)
        return rc;
    char hi[PK_REGION_CODE_MAX + 2], chi[PK_REGION_CODE_MAX + 2];
    sq_bind_region(st, 1, 2, f->counted, chi, sizeof(chi));
    sq_bind_region(st, 3, 4, f->region, hi, sizeof(hi));
    sqlite3_bind_int64(st, 5, f->from);
    sqlite3_bind_int64(st, 6, f->until);
    sqlite3_bind_int64(st, 7, f->limit > 0 ? f->limit : INT64_MAX);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        pk_outreach e;
        read_event(st, &e);
        if ((rc = cb(ctx, &e)) != 0)
            break;
    }
    if (rc == 0 && r != SQLITE_DONE)
        rc = sq_error(r);
    sq_read_end(q, c, st);
    return rc;
}

int sq_outreach_of(pk_store *s, int64_t pid, int64_t *event_id)
{
    sq *q = s->impl;
    sqc *c;
    sqlite3_stmt *st;
    int rc = sq_read_begin(q, S_OUTREACH_OF, &c, &st);
    if (rc != 0)
        return rc;
    sqlite3_bind_int64(st, 1, pid);
    int r = sqlite3_step(st);
    rc = PK_ENOENT;
    if (r == SQLITE_ROW) {
        *event_id = sqlite3_column_int64(st, 0);
        rc = 0;
    } else if (r != SQLITE_DONE) {
        rc = sq_error(r);
    }
    sq_read_end(q, c, st);
    return rc;
}

int sq_outreach_reached(pk_store *s, const char *region, size_t child_len, pk_reached_cb cb,
                        void *ctx)
{
    sq *q = s->impl;
    sqc *c;
    sqlite3_stmt *st;
    int rc = sq_read_begin(q, S_OUTREACH_REACHED, &c, &st);
    if (rc != 0)
        return rc;
    char hi[PK_REGION_CODE_MAX + 2];
    sq_bind_region(st, 1, 2, region, hi, sizeof(hi));
    sqlite3_bind_int64(st, 3, (sqlite3_int64)child_len);
    int r = SQLITE_DONE;
    while (rc == 0 && (r = sqlite3_step(st)) == SQLITE_ROW) {
        pk_reached g;
        memset(&g, 0, sizeof(g));
        sq_copy_col(st, 0, g.region, sizeof(g.region));
        g.attendance = sqlite3_column_int64(st, 1);
        g.events = sqlite3_column_int64(st, 2);
        rc = cb(ctx, &g);
    }
    if (rc == 0 && r != SQLITE_DONE)
        rc = sq_error(r);
    sq_read_end(q, c, st);
    return rc;
}

int sq_outreach_journey_counts(pk_store *s, int64_t event_id, const char *counted,
                               pk_journey_cell_cb cb, void *ctx)
{
    sq *q = s->impl;
    sqc *c;
    sqlite3_stmt *st;
    int rc = sq_read_begin(q, S_OUTREACH_JCOUNTS, &c, &st);
    if (rc != 0)
        return rc;
    char hi[PK_REGION_CODE_MAX + 2];
    sqlite3_bind_int64(st, 1, event_id);
    sq_bind_region(st, 2, 3, counted, hi, sizeof(hi));
    int r = SQLITE_DONE;
    while (rc == 0 && (r = sqlite3_step(st)) == SQLITE_ROW) {
        pk_journey_cell cell;
        memset(&cell, 0, sizeof(cell));
        sq_copy_col(st, 1, cell.kind, sizeof(cell.kind));
        cell.k1 = sqlite3_column_int64(st, 2);
        cell.k2 = sqlite3_column_int64(st, 3);
        cell.n = sqlite3_column_int64(st, 4);
        rc = cb(ctx, &cell);
    }
    if (rc == 0 && r != SQLITE_DONE)
        rc = sq_error(r);
    sq_read_end(q, c, st);
    return rc;
}
