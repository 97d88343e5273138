/* pg_platform.c -- the digital platforms' credentials, their nonces and
 * the answers kept for their idempotency keys, on PostgreSQL.
 *
 * The SQL is shared with SQLite (sql_platform.h); what is PostgreSQL's
 * here is how it runs: each op on a pooled connection in autocommit, one
 * statement a transaction, or two sent as one pipeline, which without a
 * BEGIN is one implicit transaction (both or neither), in one round
 * trip; a request's nonce and kept answer (pk_tx_*) on the connection of
 * the caller's transaction. */
#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

#include "core/pk.h"
#include "store/pg_int.h"

static void read_platform(const PGresult *r, int i, pk_platform *p)
{
    memset(p, 0, sizeof(*p));
    p->id = get_i64(r, i, 0);
    snprintf(p->code, sizeof(p->code), "%.*s", PQgetlength(r, i, 1), PQgetvalue(r, i, 1));
    snprintf(p->name, sizeof(p->name), "%.*s", PQgetlength(r, i, 2), PQgetvalue(r, i, 2));
    int n = PQgetlength(r, i, 3);
    if (n > 0 && (size_t)n <= sizeof(p->secret)) {
        memcpy(p->secret, PQgetvalue(r, i, 3), (size_t)n);
        p->secret_len = (size_t)n;
    }
    p->disabled = get_i64(r, i, 4) != 0;
    snprintf(p->created_at, sizeof(p->created_at), "%.*s", PQgetlength(r, i, 5),
             PQgetvalue(r, i, 5));
}

/* Two statements as one transaction; *out receives statement `keep`'s
 * result when not NULL. */
static int run2(pk_store *s, int w1, const params *p1, int w2, const params *p2, int keep,
                PGresult **out)
{
    pg *p = s->impl;
    pgc *c;
    int rc = pg_conn_get(p, &c);
    if (rc != 0)
        return rc;
    const int w[2] = {w1, w2};
    const params *ps[2] = {p1, p2};
    PGresult *res[2] = {NULL, NULL};
    rc = pg_run_pipeline(c, 2, w, ps, res);
    pg_conn_put(p, c);
    for (int i = 0; i < 2; i++) {
        if (rc == 0 && out != NULL && i == keep)
            *out = res[i];
        else
            PQclear(res[i]);
    }
    return rc;
}

/* The parameters of S_AUDIT_PLATFORM. */
static void audit_params(params *p, const pk_audit_entry *e, const char *code)
{
    p_text(p, e->actor ? e->actor : "");
    p_text(p, e->source);
    p_text(p, e->action);
    p_text(p, e->detail ? e->detail : "");
    p_text(p, code);
}

int pg_platform_insert(pk_store *s, const pk_platform *pl, const pk_audit_entry *audit,
                       int64_t *id)
{
    params p = {0}, ap = {0};
    PGresult *r = NULL;
    p_text(&p, pl->code);
    p_text(&p, pl->name);
    p_bytes(&p, pl->secret, pl->secret_len);
    int rc;
    if (audit != NULL) {
        audit_params(&ap, audit, pl->code);
        rc = run2(s, S_PLATFORM_INSERT, &p, S_AUDIT_PLATFORM, &ap, 0, &r);
    } else {
        rc = pg_run1(s, S_PLATFORM_INSERT, &p, &r);
    }
    if (rc == 0)
        *id = get_i64(r, 0, 0);
    PQclear(r);
    return rc;
}

int pg_platform_update(pk_store *s, const char *code, const uint8_t *secret, size_t len,
                       int disabled, const pk_audit_entry *audit)
{
    params p = {0}, ap = {0};
    PGresult *r = NULL;
    if (secret != NULL)
        p_bytes(&p, secret, len);
    else
        p_null(&p);
    p_int(&p, disabled < 0 ? -1 : disabled != 0);
    p_text(&p, code);
    int rc;
    if (audit != NULL) {
        /* the entry first, only for a platform there is */
        audit_params(&ap, audit, code);
        rc = run2(s, S_AUDIT_PLATFORM, &ap, S_PLATFORM_UPDATE, &p, 1, &r);
    } else {
        rc = pg_run1(s, S_PLATFORM_UPDATE, &p, &r);
    }
    if (rc == 0 && pg_touched(r) == 0)
        rc = PK_ENOENT;
    PQclear(r);
    return rc;
}

int pg_platform_find(pk_store *s, const char *code, pk_platform *out)
{
    params p = {0};
    PGresult *r = NULL;
    p_text(&p, code);
    int rc = pg_run1(s, S_PLATFORM_FIND, &p, &r);
    if (rc == 0 && PQntuples(r) == 0)
        rc = PK_ENOENT;
    if (rc == 0)
        read_platform(r, 0, out);
    PQclear(r);
    return rc;
}

int pg_platforms_each(pk_store *s, pk_platform_cb cb, void *ctx)
{
    PGresult *r = NULL;
    int rc = pg_run1(s, S_PLATFORMS_EACH, NULL, &r);
    for (int i = 0, n = rc == 0 ? PQntuples(r) : 0; rc == 0 && i < n; i++) {
        pk_platform pl;
        read_platform(r, i, &pl);
        rc = cb(ctx, &pl);
    }
    PQclear(r);
    return rc;
}

/* The kept answer of S_IDEM_GET's result r into the caller's buffers. */
static int read_answer(const PGresult *r, uint8_t *digest, int *status, pk_buf *body)
{
    if (PQntuples(r) == 0)
        return PK_ENOENT;
    memset(digest, 0, PK_IDEM_DIGEST_LEN);
    get_bytes(r, 0, 0, digest, PK_IDEM_DIGEST_LEN);
    *status = (int)get_i64(r, 0, 1);
    int n = PQgetlength(r, 0, 2);
    return n > 0 ? pk_buf_add(body, PQgetvalue(r, 0, 2), (size_t)n) : 0;
}

static void answer_params(params *p, int64_t platform, const char *key, const uint8_t *digest,
                          int status, const void *body, size_t len)
{
    p_int(p, platform);
    p_text(p, key);
    p_bytes(p, digest, PK_IDEM_DIGEST_LEN);
    p_int(p, status);
    p_bytes(p, len ? body : "", len);
}

/* ---- a request inside a transaction (a piece of a group commit) ---- */

int pg_tx_platform_nonce(pk_tx *tx, int64_t platform, const char *nonce, int64_t now,
                         int64_t forget_before)
{
    params f = {0}, p = {0};
    PGresult *r = NULL;
    p_int(&f, forget_before);
    int rc = forget_before > 0 ? pg_run(pg_txc(tx), S_PLATFORM_NONCES_FORGET, &f, NULL) : 0;
    if (rc != 0)
        return rc;
    p_int(&p, platform);
    p_text(&p, nonce);
    p_int(&p, now);
    rc = pg_run(pg_txc(tx), S_PLATFORM_NONCE, &p, &r);
    if (rc == 0 && pg_touched(r) == 0)
        rc = PK_ECONFLICT;
    PQclear(r);
    return rc;
}

int pg_tx_idem_get(pk_tx *tx, int64_t platform, const char *key, uint8_t *digest, int *status,
                   pk_buf *body)
{
    params p = {0};
    PGresult *r = NULL;
    p_int(&p, platform);
    p_text(&p, key);
    int rc = pg_run(pg_txc(tx), S_IDEM_GET, &p, &r);
    if (rc == 0)
        rc = read_answer(r, digest, status, body);
    PQclear(r);
    return rc;
}

int pg_tx_idem_put(pk_tx *tx, int64_t platform, const char *key, const uint8_t *digest,
                   int status, const void *body, size_t len, int *kept)
{
    params p = {0};
    PGresult *r = NULL;
    answer_params(&p, platform, key, digest, status, body, len);
    int rc = pg_run(pg_txc(tx), S_IDEM_PUT, &p, &r);
    if (rc == 0)
        *kept = pg_touched(r) > 0;
    PQclear(r);
    return rc;
}

int pg_idem_prune(pk_store *s, const char *before, int limit, int64_t *n)
{
    params p = {0};
    PGresult *r = NULL;
    p_text(&p, before);
    p_int(&p, limit);
    *n = 0;
    int rc = pg_run1(s, S_IDEM_PRUNE, &p, &r);
    if (rc == 0)
        *n = pg_touched(r);
    PQclear(r);
    return rc;
}

static void copy_val(char *dst, size_t cap, const PGresult *r, int row, int col)
{
    snprintf(dst, cap, "%.*s", PQgetlength(r, row, col), PQgetvalue(r, row, col));
}

/* card_find's result: PK_ENOENT when no row. */
static int card_of(int rc, PGresult *r, int64_t *participant_id)
{
    if (rc == 0 && PQntuples(r) == 0)
        rc = PK_ENOENT;
    if (rc == 0)
        *participant_id = get_i64(r, 0, 0);
    PQclear(r);
    return rc;
}

int pg_tx_card_find(pk_tx *t, const char *number, int64_t *participant_id, bool *retired)
{
    params p = {0};
    PGresult *r = NULL;
    p_text(&p, number);
    int rc = pg_run(pg_txc(t), S_CARD_FIND, &p, &r);
    if (rc == 0 && PQntuples(r) > 0)
        *retired = get_i64(r, 0, 1) != 0;
    return card_of(rc, r, participant_id);
}

int pg_cards_page(pk_tx *t, int64_t after, size_t limit, pk_card_new *out, size_t *n)
{
    params p = {0};
    PGresult *r = NULL;
    p_int(&p, after);
    p_int(&p, (int64_t)limit);
    int rc = pg_run(pg_txc(t), S_CARDS_PAGE, &p, &r);
    for (int i = 0, m = rc == 0 ? PQntuples(r) : 0; i < m && *n < limit; i++) {
        pk_card_new *c = &out[(*n)++];
        c->participant_id = get_i64(r, i, 0);
        c->serial = get_i64(r, i, 1);
        copy_val(c->number, sizeof(c->number), r, i, 2);
    }
    PQclear(r);
    return rc;
}

int pg_card_reissue(pk_tx *t, const pk_card_new *c, int64_t at)
{
    params p = {0};
    p_int(&p, at);
    p_int(&p, c->participant_id);
    PGresult *r = NULL;
    int rc = pg_run(pg_txc(t), S_CARD_RETIRE, &p, &r);
    if (rc == 0 && pg_touched(r) != 1) /* no card: as on SQLite */
        rc = PK_ENOENT;
    PQclear(r);
    if (rc != 0)
        return rc;
    params q = {0};
    p_int(&q, c->serial);
    p_text(&q, c->number);
    p_int(&q, c->participant_id);
    return pg_run(pg_txc(t), S_CARD_RENUMBER, &q, NULL);
}

/* ---- the training catalogue ---- */

/* over SQL_COURSE_COLS */
static void read_course(const PGresult *r, int i, pk_course *c)
{
    memset(c, 0, sizeof(*c));
    c->id = get_i64(r, i, 0);
    copy_val(c->platform, sizeof(c->platform), r, i, 1);
    copy_val(c->course_ref, sizeof(c->course_ref), r, i, 2);
    copy_val(c->title, sizeof(c->title), r, i, 3);
    copy_val(c->provider, sizeof(c->provider), r, i, 4);
    c->price = get_i64(r, i, 5);
    copy_val(c->mode, sizeof(c->mode), r, i, 6);
}

static bool same_text(const PGresult *r, int col, const char *s)
{
    return (size_t)PQgetlength(r, 0, col) == strlen(s) &&
           memcmp(PQgetvalue(r, 0, col), s, strlen(s)) == 0;
}

int pg_course_put(pk_tx *t, const pk_course *c, int *outcome)
{
    pgc *conn = pg_txc(t);
    params pv = {0}, cv = {0};
    PGresult *r = NULL;
    p_text(&pv, c->provider);
    int rc = pg_run(conn, S_PROVIDER_ADD, &pv, NULL);
    if (rc == 0)
        rc = pg_run(conn, S_PROVIDER_ID, &pv, &r);
    if (rc == 0 && PQntuples(r) != 1)
        rc = PK_EIO;
    int64_t provider = rc == 0 ? get_i64(r, 0, 0) : 0;
    PQclear(r);
    r = NULL;
    if (rc != 0)
        return rc;
    p_text(&cv, c->platform);
    p_text(&cv, c->course_ref);
    if ((rc = pg_run(conn, S_COURSE_GET, &cv, &r)) != 0)
        return rc;
    int64_t id = PQntuples(r) == 1 ? get_i64(r, 0, 0) : 0;
    bool same = id != 0 && same_text(r, 1, c->title) && get_i64(r, 0, 2) == provider &&
                get_i64(r, 0, 3) == c->price && same_text(r, 4, c->mode);
    PQclear(r);
    if (same) {
        *outcome = PK_COURSE_UNCHANGED;
        return 0;
    }
    params w = {0};
    if (id == 0) {
        p_text(&w, c->platform);
        p_text(&w, c->course_ref);
        p_text(&w, c->title);
        p_int(&w, provider);
        p_int(&w, c->price);
        p_text(&w, c->mode);
        *outcome = PK_COURSE_INSERTED;
        return pg_run(conn, S_COURSE_INSERT, &w, NULL);
    }
    p_text(&w, c->title);
    p_int(&w, provider);
    p_int(&w, c->price);
    p_text(&w, c->mode);
    p_int(&w, id);
    *outcome = PK_COURSE_UPDATED;
    return pg_run(conn, S_COURSE_UPDATE, &w, NULL);
}

int pg_tx_course_find(pk_tx *t, const char *platform, const char *course_ref, pk_course *out)
{
    params p = {0};
    PGresult *r = NULL;
    p_text(&p, platform);
    p_text(&p, course_ref);
    int rc = pg_run(pg_txc(t), S_COURSE_FIND, &p, &r);
    if (rc == 0 && PQntuples(r) == 0)
        rc = PK_ENOENT;
    if (rc == 0)
        read_course(r, 0, out);
    PQclear(r);
    return rc;
}

int pg_course_find(pk_store *s, const char *platform, const char *course_ref, pk_course *out)
{
    params p = {0};
    PGresult *r = NULL;
    p_text(&p, platform);
    p_text(&p, course_ref);
    int rc = pg_run1(s, S_COURSE_FIND, &p, &r);
    if (rc == 0 && PQntuples(r) == 0)
        rc = PK_ENOENT;
    if (rc == 0)
        read_course(r, 0, out);
    PQclear(r);
    return rc;
}

int pg_courses_each(pk_store *s, int64_t after, int limit, pk_course_cb cb, void *ctx)
{
    params p = {0};
    PGresult *r = NULL;
    p_int(&p, after);
    p_int(&p, limit);
    int rc = pg_run1(s, S_COURSES_EACH, &p, &r);
    for (int i = 0, n = rc == 0 ? PQntuples(r) : 0; rc == 0 && i < n; i++) {
        pk_course c;
        read_course(r, i, &c);
        rc = cb(ctx, &c);
    }
    PQclear(r);
    return rc;
}
