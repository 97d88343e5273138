/* pg_access.c -- staff access to personal data on PostgreSQL: search and
 * open a participant within the caller's region scope, the append-only
 * access log; and key rotation: the sealed boxes of an older key
 * generation, re-sealed in place.
 *
 * The caller's region scope is part of every query (pg_region_params),
 * as for participants_each and stats: rows outside it are never read. */
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/pk.h"
#include "core/region.h"
#include "store/pg_int.h"

/* ---- staff reads and the access log ---- */

/* Calls cb for each row of statement `which` (over PG_PCOLS); *rows says
 * how many it had. */
static int query_rows(pk_store *s, int which, const params *ps, pk_prow_cb cb, void *ctx,
                      int *rows)
{
    PGresult *r = NULL;
    *rows = 0;
    int rc = pg_run1(s, which, ps, &r);
    if (rc != 0)
        return rc;
    *rows = PQntuples(r);
    for (int i = 0; rc == 0 && i < *rows; i++) {
        pk_prow row;
        pg_read_row(r, i, &row);
        rc = cb(ctx, &row);
    }
    PQclear(r);
    return rc;
}

int pg_participants_search(pk_store *s, const char *scope, const char *name,
                           const uint8_t *nik_bi, const pk_search_key *after,
                           const pk_search_key *upto, int limit, pk_prow_cb cb, void *ctx)
{
    params ps = {0};
    char hi[PK_REGION_CODE_MAX + 2];
    pg_region_params(&ps, scope, hi, sizeof(hi));
    if (nik_bi != NULL)
        p_bytes(&ps, nik_bi, PK_BI_LEN);
    else
        p_text(&ps, name ? name : "");
    p_int(&ps, after->tier);
    p_int(&ps, after->id);
    p_int(&ps, upto->tier);
    p_int(&ps, upto->id);
    p_int(&ps, limit > 0 ? limit : 1);
    PGresult *r = NULL;
    int rc = pg_run1(s, nik_bi != NULL ? S_PARTICIPANTS_SEARCH_NIK : S_PARTICIPANTS_SEARCH_NAME,
                     &ps, &r);
    if (rc != 0)
        return rc;
    int rows = PQntuples(r), tcol = PQnfields(r) - 1;
    for (int i = 0; rc == 0 && i < rows; i++) {
        pk_prow row;
        pg_read_row(r, i, &row);
        row.tier = (int)get_i64(r, i, tcol);
        rc = cb(ctx, &row);
    }
    PQclear(r);
    return rc;
}

int pg_participant_get(pk_store *s, const char *scope, int64_t id, pk_prow_cb cb, void *ctx)
{
    params ps = {0};
    char hi[PK_REGION_CODE_MAX + 2];
    pg_region_params(&ps, scope, hi, sizeof(hi));
    p_int(&ps, id);
    int rows;
    int rc = query_rows(s, S_PARTICIPANT_GET, &ps, cb, ctx, &rows);
    return rc == 0 && rows == 0 ? PK_ENOENT : rc;
}

int pg_access_log_add(pk_store *s, const pk_access_entry *e)
{
    params ps = {0};
    p_text(&ps, e->actor);
    p_text(&ps, e->action);
    p_text(&ps, e->route ? e->route : "");
    if (e->subject > 0)
        p_int(&ps, e->subject);
    else
        p_null(&ps);
    p_text(&ps, e->detail ? e->detail : "");
    return pg_run1(s, S_ACCESS_LOG_ADD, &ps, NULL);
}

int pg_access_log_each(pk_store *s, const char *since, int64_t limit, pk_access_cb cb,
                       void *ctx)
{
    params ps = {0};
    PGresult *r = NULL;
    p_text(&ps, since ? since : "");
    if (limit > 0)
        p_int(&ps, limit);
    else
        p_null(&ps); /* LIMIT NULL: no limit */
    int rc = pg_run1(s, S_ACCESS_LOG_EACH, &ps, &r);
    for (int i = 0, n = rc == 0 ? PQntuples(r) : 0; rc == 0 && i < n; i++) {
        pk_access_entry e = {
            .id = get_i64(r, i, 0),
            .at = PQgetvalue(r, i, 1),
            .actor = PQgetvalue(r, i, 2),
            .action = PQgetvalue(r, i, 3),
            .route = PQgetvalue(r, i, 4),
            .subject = get_i64(r, i, 5),
            .detail = PQgetvalue(r, i, 6),
        };
        rc = cb(ctx, &e);
    }
    PQclear(r);
    return rc;
}

int pg_logs_find(pk_store *s, const pk_log_filter *f, pk_log_cb cb, void *ctx)
{
    params ps = {0};
    PGresult *r = NULL;
    p_int(&ps, f->writes);
    p_text(&ps, f->actor ? f->actor : "");
    p_text(&ps, f->kind ? f->kind : "");
    p_text(&ps, f->since ? f->since : "");
    p_text(&ps, f->before ? f->before : "");
    p_int(&ps, f->reads);
    if (f->limit > 0)
        p_int(&ps, f->limit);
    else
        p_null(&ps); /* LIMIT NULL: no limit */
    bool one = f->actor != NULL && f->actor[0] != '\0';
    int rc = pg_run1(s, one ? S_LOGS_FIND_ACTOR : S_LOGS_FIND, &ps, &r);
    for (int i = 0, n = rc == 0 ? PQntuples(r) : 0; rc == 0 && i < n; i++) {
        pk_log_entry e = {
            .write = get_i64(r, i, 0) == 0,
            .id = get_i64(r, i, 1),
            .at = PQgetvalue(r, i, 2),
            .actor = PQgetvalue(r, i, 3),
            .action = PQgetvalue(r, i, 4),
            .place = PQgetvalue(r, i, 5),
            .subject = get_i64(r, i, 6),
            .detail = PQgetvalue(r, i, 7),
        };
        rc = cb(ctx, &e);
    }
    PQclear(r);
    return rc;
}

/* ---- key rotation ------------------------------------------------------ */

int pg_sealed_older(pk_tx *t, int what, int gen, const pk_sealed *after, int limit,
                    pk_sealed_cb cb, void *ctx)
{
    bool pii = what == PK_SEALED_PII;
    params p = {0};
    uint8_t g = (uint8_t)gen;
    if (pii) {
        p_int(&p, after ? after->id : 0);
    } else {
        p_text(&p, after ? after->list : "");
        p_bytes(&p, after ? after->nik_bi : (const uint8_t *)"", after ? PK_BI_LEN : 0);
    }
    p_bytes(&p, &g, 1);
    p_int(&p, limit);
    PGresult *r = NULL;
    int rc = pg_run(pg_txc(t), pii ? S_SEALED_OLDER_PII : S_SEALED_OLDER_NOTE, &p, &r);
    if (rc != 0)
        return rc;
    int n = PQntuples(r);
    char list[64];
    for (int i = 0; rc == 0 && i < n; i++) {
        pk_sealed s = {0};
        if (pii) {
            s.id = get_i64(r, i, 0);
        } else {
            snprintf(list, sizeof(list), "%.*s", PQgetlength(r, i, 0), PQgetvalue(r, i, 0));
            s.list = list;
        }
        get_bytes(r, i, 1, s.nik_bi, PK_BI_LEN);
        s.box = (const uint8_t *)PQgetvalue(r, i, 2);
        s.len = (size_t)PQgetlength(r, i, 2);
        rc = cb(ctx, &s);
    }
    PQclear(r);
    return rc;
}

int pg_sealed_replace(pk_tx *t, int what, const pk_sealed *old, const uint8_t *box,
                      size_t len, int *replaced)
{
    bool pii = what == PK_SEALED_PII;
    params p = {0};
    p_bytes(&p, box, len);
    if (pii) {
        p_int(&p, old->id);
    } else {
        p_text(&p, old->list);
        p_bytes(&p, old->nik_bi, PK_BI_LEN);
    }
    p_bytes(&p, old->box, old->len);
    PGresult *r = NULL;
    *replaced = 0;
    int rc = pg_run(pg_txc(t), pii ? S_SEALED_REPLACE_PII : S_SEALED_REPLACE_NOTE, &p, &r);
    if (rc != 0)
        return rc;
    *replaced = pg_touched(r) > 0;
    PQclear(r);
    return 0;
}

int pg_sealed_generations(pk_store *s, int64_t *counts)
{
    PGresult *r = NULL;
    memset(counts, 0, 256 * sizeof(*counts));
    int rc = pg_run1(s, S_SEALED_GENERATIONS, NULL, &r);
    if (rc != 0)
        return rc;
    for (int i = 0; i < PQntuples(r); i++) {
        int g = PQgetlength(r, i, 0) == 1 ? (uint8_t)PQgetvalue(r, i, 0)[0] : 0;
        counts[g] += get_i64(r, i, 1);
    }
    PQclear(r);
    return 0;
}
