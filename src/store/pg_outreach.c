/* pg_outreach.c -- outreach events and their attribution on PostgreSQL
 * (store_programme.h "outreach events"; SQL shared with SQLite:
 * sql_outreach.h).  Writes run inside the caller's transaction (an event
 * read there is row-locked to its end); reads are one statement each. */
#include <libpq-fe.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/pk.h"
#include "store/pg_int.h"

/* Row i of a result of SQL_OUTREACH_COLS into e. */
static void read_event(const PGresult *r, int i, pk_outreach *e)
{
    memset(e, 0, sizeof(*e));
    e->id = get_i64(r, i, 0);
    pg_copy_col(r, i, 1, e->code, sizeof(e->code));
    pg_copy_col(r, i, 2, e->kind, sizeof(e->kind));
    pg_copy_col(r, i, 3, e->title, sizeof(e->title));
    e->starts_at = get_i64(r, i, 4);
    pg_copy_col(r, i, 5, e->place, sizeof(e->place));
    pg_copy_col(r, i, 6, e->kode_wilayah, sizeof(e->kode_wilayah));
    pg_copy_col(r, i, 7, e->organiser, sizeof(e->organiser));
    pg_copy_col(r, i, 8, e->segmen, sizeof(e->segmen));
    e->attendance = get_i64(r, i, 9);
    pg_copy_col(r, i, 10, e->created_by, sizeof(e->created_by));
    e->created_at = get_i64(r, i, 11);
    e->updated_at = get_i64(r, i, 12);
    e->registrations = get_i64(r, i, 13);
    e->eligible = get_i64(r, i, 14);
}

/* The one event of a result, or PK_ENOENT; clears r. */
static int one_event(int rc, PGresult *r, pk_outreach *out)
{
    if (rc == 0) {
        if (PQntuples(r) == 1)
            read_event(r, 0, out);
        else
            rc = PK_ENOENT;
    }
    PQclear(r);
    return rc;
}

int pg_outreach_insert(pk_tx *t, pk_outreach *e)
{
    params p = {0};
    p_text(&p, e->code);
    p_text(&p, e->kind);
    p_text(&p, e->title);
    p_int(&p, e->starts_at);
    p_text(&p, e->place);
    p_text(&p, e->kode_wilayah);
    p_text(&p, e->organiser);
    p_text(&p, e->segmen);
    p_int(&p, e->attendance);
    p_text(&p, e->created_by);
    p_int(&p, e->created_at);
    p_int(&p, e->updated_at);
    PGresult *r = NULL;
    int rc = pg_run(pg_txc(t), S_OUTREACH_INSERT, &p, &r);
    if (rc == 0) {
        if (PQntuples(r) == 1)
            e->id = get_i64(r, 0, 0);
        else
            rc = PK_EIO;
    }
    PQclear(r);
    return rc;
}

int pg_outreach_update(pk_tx *t, const pk_outreach *e)
{
    params p = {0};
    p_text(&p, e->kind);
    p_text(&p, e->title);
    p_int(&p, e->starts_at);
    p_text(&p, e->place);
    p_text(&p, e->kode_wilayah);
    p_text(&p, e->organiser);
    p_text(&p, e->segmen);
    p_int(&p, e->attendance);
    p_int(&p, e->updated_at);
    p_int(&p, e->id);
    PGresult *r = NULL;
    int rc = pg_run(pg_txc(t), S_OUTREACH_UPDATE, &p, &r);
    if (rc == 0 && strcmp(PQcmdTuples(r), "0") == 0)
        rc = PK_ENOENT;
    PQclear(r);
    return rc;
}

int pg_outreach_tx_get(pk_tx *t, int64_t id, pk_outreach *out)
{
    params p = {0};
    p_int(&p, id);
    PGresult *r = NULL;
    int rc = pg_run(pg_txc(t), S_OUTREACH_TX_GET, &p, &r);
    return one_event(rc, r, out);
}

int pg_outreach_attribute(pk_tx *t, int64_t pid, int64_t event_id, int64_t at)
{
    params p = {0};
    p_int(&p, pid);
    p_int(&p, event_id);
    p_int(&p, at);
    return pg_run(pg_txc(t), S_OUTREACH_ATTRIBUTE, &p, NULL);
}

int pg_outreach_get(pk_store *s, int64_t id, const char *code, const char *counted,
                    pk_outreach *out)
{
    params p = {0};
    char hi[PK_REGION_CODE_MAX + 2];
    if (code) {
        p_text(&p, code);
    } else {
        pg_region_params(&p, counted, hi, sizeof(hi));
        p_int(&p, id);
    }
    PGresult *r = NULL;
    int rc = pg_run1(s, code ? S_OUTREACH_CODE : S_OUTREACH_GET, &p, &r);
    return one_event(rc, r, out);
}

int pg_outreach_each(pk_store *s, const pk_outreach_filter *f, pk_outreach_cb cb, void *ctx)
{
    params p = {0};
    char hi[PK_REGION_CODE_MAX + 2], chi[PK_REGION_CODE_MAX + 2];
    pg_region_params(&p, f->counted, chi, sizeof(chi));
    pg_region_params(&p, f->region, hi, sizeof(hi));
    p_int(&p, f->from);
    p_int(&p, f->until);
    p_int(&p, f->limit > 0 ? f->limit : INT64_MAX);
    PGresult *r = NULL;
    int rc = pg_run1(s, f->newest_first ? S_OUTREACH_EACH_DESC : S_OUTREACH_EACH, &p, &r);
    for (int i = 0; rc == 0 && i < PQntuples(r); i++) {
        pk_outreach e;
        read_event(r, i, &e);
        rc = cb(ctx, &e);
    }
    PQclear(r);
    return rc;
}

int pg_outreach_of(pk_store *s, int64_t pid, int64_t *event_id)
{
    params p = {0};
    p_int(&p, pid);
    PGresult *r = NULL;
    int rc = pg_run1(s, S_OUTREACH_OF, &p, &r);
    if (rc == 0) {
        if (PQntuples(r) == 1)
            *event_id = get_i64(r, 0, 0);
        else
            rc = PK_ENOENT;
    }
    PQclear(r);
    return rc;
}

int pg_outreach_reached(pk_store *s, const char *region, size_t child_len, pk_reached_cb cb,
                        void *ctx)
{
    params p = {0};
    char hi[PK_REGION_CODE_MAX + 2];
    pg_region_params(&p, region, hi, sizeof(hi));
    p_int(&p, (int64_t)child_len);
    PGresult *r = NULL;
    int rc = pg_run1(s, S_OUTREACH_REACHED, &p, &r);
    for (int i = 0, n = rc == 0 ? PQntuples(r) : 0; rc == 0 && i < n; i++) {
        pk_reached g;
        memset(&g, 0, sizeof(g));
        pg_copy_col(r, i, 0, g.region, sizeof(g.region));
        g.attendance = get_i64(r, i, 1);
        g.events = get_i64(r, i, 2);
        rc = cb(ctx, &g);
    }
    PQclear(r);
    return rc;
}

int pg_outreach_journey_counts(pk_store *s, int64_t event_id, const char *counted,
                               pk_journey_cell_cb cb, void *ctx)
{
    params p = {0};
    char hi[PK_REGION_CODE_MAX + 2];
    p_int(&p, event_id);
    pg_region_params(&p, counted, hi, sizeof(hi));
    PGresult *r = NULL;
    int rc = pg_run1(s, S_OUTREACH_JCOUNTS, &p, &r);
    for (int i = 0, n = rc == 0 ? PQntuples(r) : 0; rc == 0 && i < n; i++) {
        pk_journey_cell cell;
        memset(&cell, 0, sizeof(cell));
        pg_copy_col(r, i, 1, cell.kind, sizeof(cell.kind));
        cell.k1 = get_i64(r, i, 2);
        cell.k2 = get_i64(r, i, 3);
        cell.n = get_i64(r, i, 4);
        rc = cb(ctx, &cell);
    }
    PQclear(r);
    return rc;
}
