/* pg_access.c -- staff access to personal data on PostgreSQL: search and
 * open a participant within the caller's region scope, the append-only
 * access log; and key rotation: the sealed boxes of an older key
 * generation, re-sealed in place.
 *
 * The caller's region scope is part of every query (pg_region_params),
 * as for participants_each and stats: rows outside it are never read. */
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdint.h>
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

/* Ids read through the primary key, in id order, before a tier's rest
 * goes to an index (unless pk_store_set_search_window says otherwise): a
 * name common in the scope fills its page within them (50 rows at 1.25%
 * of the registry); one that found some but too few there gets a second
 * window SEARCH_GROW times as long (50 rows at 0.16%: "Budi" is 1% of
 * the generated registry); one that found none goes to the index at once
 * (a tier with no match costs this window and its index probe). */
#define SEARCH_WINDOW 4096
#define SEARCH_GROW 8

/* Fewer names than this start with the query in the scope: tier 0 read
 * from the b-tree of the names' beginnings without a window, since a
 * window of ids with few matches costs more than those few. */
#define SEARCH_FEW 128

/* The rows of `which` (over PG_PCOLS, the tier last) to cb; *rows says
 * how many; planned for these parameters (pg_run_once). */
static int search_rows(pgc *c, int which, const params *ps, pk_prow_cb cb, void *ctx, int *rows)
{
    PGresult *r = NULL;
    *rows = 0;
    int rc = pg_run_once(c, which, ps, &r);
    if (rc != 0)
        return rc;
    int n = PQntuples(r), tcol = PQnfields(r) - 1;
    for (int i = 0; rc == 0 && i < n; i++) {
        pk_prow row;
        pg_read_row(r, i, &row);
        row.tier = (int)get_i64(r, i, tcol);
        rc = cb(ctx, &row);
        ++*rows;
    }
    PQclear(r);
    return rc;
}

/* Fewer than SEARCH_FEW names of the scope start with the query: then
 * tier 0 is read through the b-tree without a window.  (The same probe
 * of the trigram index for the other tiers would cost as much as a
 * window: the GIN index is read by bitmap, every posting list whole.) */
static int search_few(pgc *c, int which, const char *scope, const char *name, bool *few)
{
    params ps = {0};
    char rhi[PK_REGION_CODE_MAX + 2];
    pg_region_params(&ps, scope, rhi, sizeof(rhi));
    p_text(&ps, name);
    p_int(&ps, SEARCH_FEW);
    PGresult *r = NULL;
    int rc = pg_run_once(c, which, &ps, &r);
    if (rc != 0)
        return rc;
    *few = get_i64(r, 0, 0) < SEARCH_FEW;
    PQclear(r);
    return 0;
}

/* Tier t's matches with ids after lo, at most *left: first windows
 * of ids in id order (for tier 0 only when many names start with the
 * query), then, when they did not fill the page, the rest of the ids
 * through an index: tier 0's by the b-tree of the names' beginnings, the
 * others' by the trigram index.  Either way in id order, so the page is
 * the same as one sort of every match would give. */
static int search_tier(pgc *c, int64_t window, const char *scope, const char *name, int t,
                       int64_t lo, int *left, pk_prow_cb cb, void *ctx)
{
    const int64_t hi = INT64_MAX;
    int rc = 0;
    bool windows = true;
    if (t == 0 && hi - lo > window) {
        /* few names start with the query in the scope (a surname typed:
         * none): the b-tree gives them all, cheaper than a window */
        bool fewer = false;
        if ((rc = search_few(c, S_PARTICIPANTS_SEARCH_PREFIX_FEW, scope, name, &fewer)) != 0)
            return rc;
        windows = !fewer;
    }
    /* up to two windows, then the index */
    for (int pass = 0; rc == 0 && pass < 3 && *left > 0 && lo < hi; pass++) {
        bool by_index = pass == 2 || !windows;
        int64_t to = by_index || hi - lo <= window ? hi : lo + window;
        params ps = {0};
        char rhi[PK_REGION_CODE_MAX + 2];
        pg_region_params(&ps, scope, rhi, sizeof(rhi));
        p_text(&ps, name);
        p_int(&ps, t);
        p_int(&ps, lo);
        p_int(&ps, to);
        p_int(&ps, *left);
        int rows = 0;
        int which = !by_index ? S_PARTICIPANTS_SEARCH_WINDOW
                    : t == 0  ? S_PARTICIPANTS_SEARCH_PREFIX
                              : S_PARTICIPANTS_SEARCH_NAME;
        rc = search_rows(c, which, &ps, cb, ctx, &rows);
        *left -= rows;
        lo = to;
        if (rows == 0)
            windows = false; /* none in the window: a rare name here */
        window = window > INT64_MAX / SEARCH_GROW ? INT64_MAX : window * SEARCH_GROW;
    }
    return rc;
}

/* By name: one tier after the other (as on SQLite), until the page is
 * full; by NIK: the blind index, tier 0. */
int pg_participants_search(pk_store *s, const char *scope, const char *name,
                           const uint8_t *nik_bi, const pk_search_key *after,
                           int limit, pk_prow_cb cb, void *ctx)
{
    int left = limit > 0 ? limit : 1;
    if (nik_bi != NULL) {
        params ps = {0};
        char hi[PK_REGION_CODE_MAX + 2];
        pg_region_params(&ps, scope, hi, sizeof(hi));
        p_bytes(&ps, nik_bi, PK_BI_LEN);
        p_int(&ps, after->tier);
        p_int(&ps, after->id);
        p_int(&ps, left);
        PGresult *r = NULL;
        int rc = pg_run1(s, S_PARTICIPANTS_SEARCH_NIK, &ps, &r);
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
    pg *p = s->impl;
    int64_t window = p->base.search_window > 0 ? p->base.search_window : SEARCH_WINDOW;
    pgc *c;
    int rc = pg_conn_get(p, &c);
    if (rc != 0)
        return rc;
    if (name == NULL)
        name = "";
    for (int t = after->tier; rc == 0 && left > 0 && t < PK_SEARCH_TIERS; t++) {
        int64_t lo = t == after->tier ? after->id : 0;
        rc = search_tier(c, window, scope, name, t, lo, &left, cb, ctx);
    }
    pg_conn_put(p, c);
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

int pg_access_log_add(pk_tx *t, const pk_access_entry *e)
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
    return pg_run(pg_txc(t), S_ACCESS_LOG_ADD, &ps, NULL);
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
    bool pii = what == PK_SEALED_PII, secret = what == PK_SEALED_SECRET;
    params p = {0};
    uint8_t g = (uint8_t)gen;
    if (pii) {
        p_int(&p, after ? after->id : 0);
    } else {
        p_text(&p, after ? after->list : "");
        if (!secret)
            p_bytes(&p, after ? after->nik_bi : (const uint8_t *)"", after ? PK_BI_LEN : 0);
    }
    p_bytes(&p, &g, 1);
    p_int(&p, limit);
    PGresult *r = NULL;
    int rc = pg_run(pg_txc(t), pii      ? S_SEALED_OLDER_PII
                               : secret ? S_SEALED_OLDER_SECRET
                                        : S_SEALED_OLDER_NOTE,
                    &p, &r);
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
        if (!secret)
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
    bool pii = what == PK_SEALED_PII, secret = what == PK_SEALED_SECRET;
    params p = {0};
    p_bytes(&p, box, len);
    if (pii) {
        p_int(&p, old->id);
    } else {
        p_text(&p, old->list);
        if (!secret)
            p_bytes(&p, old->nik_bi, PK_BI_LEN);
    }
    p_bytes(&p, old->box, old->len);
    PGresult *r = NULL;
    *replaced = 0;
    int rc = pg_run(pg_txc(t), pii      ? S_SEALED_REPLACE_PII
                               : secret ? S_SEALED_REPLACE_SECRET
                                        : S_SEALED_REPLACE_NOTE,
                    &p, &r);
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
