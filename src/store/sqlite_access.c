/* sqlite_access.c -- staff access to personal data on SQLite: search and
 * open a participant within the caller's region scope, the append-only
 * access log; and key rotation: the sealed boxes of an older key
 * generation, re-sealed in place.
 *
 * Every read of personal data by staff is scoped in the SQL: the region
 * range of sq_bind_region, so a row outside the caller's subtree is never
 * read at all (not filtered afterwards). */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "core/buf.h"
#include "core/pk.h"
#include "core/region.h"
#include "store/sqlite_int.h"

/* ---- staff reads and the access log ---- */

static int each_row(sqlite3_stmt *st, pk_prow_cb cb, void *ctx, int *rows)
{
    int r, rc = 0;
    *rows = 0;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        pk_prow row;
        sq_read_row(st, &row);
        ++*rows;
        if ((rc = cb(ctx, &row)) != 0)
            return rc;
    }
    return r == SQLITE_DONE ? 0 : PK_EIO;
}

/* The number of characters (not bytes) of UTF-8 text s. */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

/* name as one FTS5 phrase, after `lead` (" " or ""): in double quotes,
 * each double quote doubled, so that no character of it (*, -, AND, OR,
 * NEAR, ^, :, parentheses) is query syntax; the trigram tokenizer
 * matches the phrase as a substring. */
static void fts_phrase(pk_buf *b, const char *lead, const char *name)
{
    pk_buf_addc(b, '"');
    pk_buf_adds(b, lead);
    for (const char *p = name; *p; p++) {
        if (*p == '"')
            pk_buf_addc(b, '"');
        pk_buf_addc(b, *p);
    }
    pk_buf_addc(b, '"');
}

/* The FTS5 expression of one tier (pk_search_key): 0 the phrase at the
 * column's start (^), 1 after a space and not at the start, 2 anywhere
 * else.  The three are disjoint and together every match.  none_start:
 * no name of the scope starts with the phrase (counted by the b-tree in
 * the same read transaction), so "not at the start" needs no test: ^"q"
 * costs as much again as the rest of the expression (every row with the
 * phrase has its position list read), half of a surname's search at 10M.
 * NULL when out of memory. */
static char *fts_tier(const char *name, int tier, bool none_start)
{
    pk_buf b;
    pk_buf_init(&b, 4096);
    if (tier == 0) {
        pk_buf_addc(&b, '^');
        fts_phrase(&b, "", name);
    } else if (tier == 1) {
        fts_phrase(&b, " ", name);
        if (!none_start) {
            pk_buf_adds(&b, " NOT ^");
            fts_phrase(&b, "", name);
        }
    } else if (none_start) {
        fts_phrase(&b, "", name);
        pk_buf_adds(&b, " NOT ");
        fts_phrase(&b, " ", name);
    } else {
        fts_phrase(&b, "", name);
        pk_buf_adds(&b, " NOT (^");
        fts_phrase(&b, "", name);
        pk_buf_adds(&b, " OR ");
        fts_phrase(&b, " ", name);
        pk_buf_addc(&b, ')');
    }
    char *out = pk_buf_failed(&b) ? NULL : sqlite3_mprintf("%s", pk_buf_str(&b));
    pk_buf_free(&b);
    return out;
}

/* Steps st (bound) to its end or cb's non-zero value, each row of the
 * given tier, counting *left down; the caller resets st. */
static int read_rows(sqlite3_stmt *st, int tier, int *left, pk_prow_cb cb, void *ctx)
{
    int r, rc;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        pk_prow row;
        sq_read_row(st, &row);
        row.tier = tier;
        --*left;
        if ((rc = cb(ctx, &row)) != 0)
            return rc;
    }
    return r == SQLITE_DONE ? 0 : PK_EIO;
}

/* The rows of one tier with ids after lo, at most *left; counts them
 * off *left. */
static int search_tier(sqlite3_stmt *st, int tier, const char *scope, const char *name,
                       const uint8_t *nik_bi, bool indexed, bool none_start, int64_t lo,
                       int *left, pk_prow_cb cb, void *ctx)
{
    char hibuf[PK_REGION_CODE_MAX + 2];
    char *expr = NULL;
    if (indexed && (expr = fts_tier(name, tier, none_start)) == NULL)
        return PK_ENOMEM;
    sqlite3_reset(st);
    sq_bind_region(st, 1, 2, scope, hibuf, sizeof(hibuf));
    int k = 3;
    if (nik_bi != NULL) {
        sq_bind_bi(st, 3, nik_bi);
        k = 5;
    } else if (indexed) {
        sqlite3_bind_text(st, 3, expr, -1, sqlite3_free);
        k = 4;
    } else {
        sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 4, tier);
        k = 5;
    }
    sqlite3_bind_int64(st, k, lo);
    sqlite3_bind_int(st, k + 1, *left);
    return read_rows(st, tier, left, cb, ctx);
}

/* Fewer names than this start with a plain ASCII query in the scope:
 * tier 0 is read by the b-tree of lower(nama), not by FTS5. */
#define PREFIX_FEW 128

/* [lo, hi) of the names that start with name, lower-cased as SQLite's
 * lower() does (ASCII); false when name is not plain printable ASCII
 * (FTS5 folds more than ASCII's case, so only then are the two the same
 * set).  lo and hi hold PK_SEARCH_PREFIX_MAX bytes. */
#define PK_SEARCH_PREFIX_MAX 128
static bool prefix_range(const char *name, char *lo, char *hi)
{
    size_t n = strlen(name);
    if (n == 0 || n >= PK_SEARCH_PREFIX_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)name[i];
        if (ch < 0x20 || ch >= 0x7e) /* the last one is raised by one below */
            return false;
        lo[i] = hi[i] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
    }
    lo[n] = hi[n] = '\0';
    hi[n - 1]++;
    return true;
}

/* How many names of the scope are in [from, to) (prefix_range: they
 * start with the query), counted up to PREFIX_FEW, into *few. */
static int prefix_count(sqc *c, const char *scope, const char *from, const char *to,
                        int64_t *few)
{
    char rhi[PK_REGION_CODE_MAX + 2];
    sqlite3_stmt *st = sq_stmt(c, S_PARTICIPANTS_PREFIX_FEW);
    if (st == NULL)
        return PK_EIO;
    sq_bind_region(st, 1, 2, scope, rhi, sizeof(rhi));
    sqlite3_bind_text(st, 3, from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, to, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, PREFIX_FEW);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW)
        *few = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return r == SQLITE_ROW ? 0 : PK_EIO;
}

/* Tier 0 after lo by the b-tree: the names in [from, to) (few start with
 * the query). */
static int search_prefix(sqc *c, const char *scope, const char *from, const char *to,
                         int64_t lo, int *left, pk_prow_cb cb, void *ctx)
{
    char rhi[PK_REGION_CODE_MAX + 2];
    sqlite3_stmt *st = sq_stmt(c, S_PARTICIPANTS_SEARCH_PREFIX);
    if (st == NULL)
        return PK_EIO;
    sq_bind_region(st, 1, 2, scope, rhi, sizeof(rhi));
    sqlite3_bind_text(st, 3, from, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, to, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, lo);
    sqlite3_bind_int(st, 6, *left);
    int rc = read_rows(st, 0, left, cb, ctx);
    sqlite3_reset(st);
    return rc;
}

int sq_participants_search(pk_store *s, const char *scope, const char *name,
                           const uint8_t *nik_bi, const pk_search_key *after,
                           int limit, pk_prow_cb cb, void *ctx)
{
    sq *q = s->impl;
    sqc *c;
    sqlite3_stmt *st;
    if (name == NULL)
        name = "";
    /* fewer than 3 characters: no trigram to look up, a bounded scan */
    bool indexed = nik_bi == NULL && utf8_chars(name) >= 3;
    /* a village (three dots): its ids listed first */
    int dots = 0;
    for (const char *p = scope ? scope : ""; *p; p++)
        dots += *p == '.';
    int which = nik_bi != NULL ? S_PARTICIPANTS_SEARCH_NIK
                : !indexed     ? S_PARTICIPANTS_SEARCH_SCAN
                : dots >= 3    ? S_PARTICIPANTS_SEARCH_NAME_IN
                               : S_PARTICIPANTS_SEARCH_NAME;
    int rc = sq_read_begin(q, which, &c, &st);
    if (rc != 0)
        return rc;
    /* One read transaction: the count of the names that start with the
     * query and the tiers read after it see the same rows. */
    bool tx = sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK;
    if (!tx)
        rc = PK_EIO;
    /* names of the scope that start with the query, up to PREFIX_FEW
     * (-1: not counted, the query not plain ASCII): few, and tier 0 is
     * read by the b-tree; none, and tiers 1 and 2 need not exclude them */
    char from[PK_SEARCH_PREFIX_MAX] = "", to[PK_SEARCH_PREFIX_MAX] = "";
    int64_t starts = -1;
    if (rc == 0 && indexed && prefix_range(name, from, to))
        rc = prefix_count(c, scope, from, to, &starts);
    int left = limit > 0 ? limit : 1;
    /* a NIK search has tier 0 only */
    int tiers = nik_bi != NULL ? 1 : PK_SEARCH_TIERS;
    for (int t = after->tier; rc == 0 && left > 0 && t < tiers; t++) {
        int64_t lo = t == after->tier ? after->id : 0;
        if (t == 0 && indexed && starts >= 0 && starts < PREFIX_FEW)
            rc = search_prefix(c, scope, from, to, lo, &left, cb, ctx);
        else
            rc = search_tier(st, t, scope, name, nik_bi, indexed, starts == 0, lo, &left, cb,
                             ctx);
    }
    sqlite3_reset(st);
    if (tx)
        sqlite3_exec(c->db, "COMMIT", NULL, NULL, NULL);
    sq_read_end(q, c, st);
    return rc;
}

int sq_participant_get(pk_store *s, const char *scope, int64_t id, pk_prow_cb cb, void *ctx)
{
    sq *q = s->impl;
    sqc *c;
    sqlite3_stmt *st;
    int rc = sq_read_begin(q, S_PARTICIPANT_GET, &c, &st);
    if (rc != 0)
        return rc;
    char hi[PK_REGION_CODE_MAX + 2];
    sq_bind_region(st, 1, 2, scope, hi, sizeof(hi));
    sqlite3_bind_int64(st, 3, id);
    int rows;
    rc = each_row(st, cb, ctx, &rows);
    sq_read_end(q, c, st);
    return rc == 0 && rows == 0 ? PK_ENOENT : rc;
}

int sq_access_log_add(pk_tx *t, const pk_access_entry *e)
{
    sqlite3_stmt *st = sq_stmt(sq_txc(t), S_ACCESS_LOG_ADD);
    int rc = PK_EIO;
    if (st != NULL) {
        sqlite3_bind_text(st, 1, e->actor, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, e->action, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, e->route ? e->route : "", -1, SQLITE_STATIC);
        if (e->subject > 0)
            sqlite3_bind_int64(st, 4, e->subject);
        sqlite3_bind_text(st, 5, e->detail ? e->detail : "", -1, SQLITE_STATIC);
        rc = sq_step_done(st);
    }
    return rc;
}

int sq_logs_find(pk_store *s, const pk_log_filter *f, pk_log_cb cb, void *ctx)
{
    sq *q = s->impl;
    sqc *c;
    sqlite3_stmt *st;
    bool one = f->actor != NULL && f->actor[0] != '\0';
    int rc = sq_read_begin(q, one ? S_LOGS_FIND_ACTOR : S_LOGS_FIND, &c, &st);
    if (rc != 0)
        return rc;
    sqlite3_bind_int(st, 1, f->writes);
    sqlite3_bind_text(st, 2, f->actor ? f->actor : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, f->kind ? f->kind : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, f->since ? f->since : "", -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5, f->before ? f->before : "", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 6, f->reads);
    sqlite3_bind_int64(st, 7, f->limit > 0 ? f->limit : -1);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        pk_log_entry e = {
            .write = sqlite3_column_int(st, 0) == 0,
            .id = sqlite3_column_int64(st, 1),
            .at = (const char *)sqlite3_column_text(st, 2),
            .actor = (const char *)sqlite3_column_text(st, 3),
            .action = (const char *)sqlite3_column_text(st, 4),
            .place = (const char *)sqlite3_column_text(st, 5),
            .subject = sqlite3_column_int64(st, 6),
            .detail = (const char *)sqlite3_column_text(st, 7),
        };
        if ((rc = cb(ctx, &e)) != 0)
            break;
    }
    if (rc == 0 && r != SQLITE_DONE)
        rc = PK_EIO;
    sq_read_end(q, c, st);
    return rc;
}

/* ---- key rotation ------------------------------------------------------ */

int sq_sealed_older(pk_tx *t, int what, int gen, const pk_sealed *after, int limit,
                    pk_sealed_cb cb, void *ctx)
{
    bool pii = what == PK_SEALED_PII, secret = what == PK_SEALED_SECRET;
    sqlite3_stmt *st = sq_stmt(sq_txc(t), pii      ? S_SEALED_OLDER_PII
                                          : secret ? S_SEALED_OLDER_SECRET
                                                   : S_SEALED_OLDER_NOTE);
    if (st == NULL)
        return PK_EIO;
    uint8_t g = (uint8_t)gen;
    if (pii) {
        sqlite3_bind_int64(st, 1, after ? after->id : 0);
        sqlite3_bind_blob(st, 2, &g, 1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 3, limit);
    } else if (secret) {
        sqlite3_bind_text(st, 1, after ? after->list : "", -1, SQLITE_TRANSIENT);
        sqlite3_bind_blob(st, 2, &g, 1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 3, limit);
    } else {
        sqlite3_bind_text(st, 1, after ? after->list : "", -1, SQLITE_TRANSIENT);
        sqlite3_bind_blob(st, 2, after ? after->nik_bi : (const uint8_t *)"",
                          after ? PK_BI_LEN : 0, SQLITE_TRANSIENT);
        sqlite3_bind_blob(st, 3, &g, 1, SQLITE_TRANSIENT);
        sqlite3_bind_int(st, 4, limit);
    }
    int rc, r = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        pk_sealed s = {0};
        if (pii)
            s.id = sqlite3_column_int64(st, 0);
        else
            s.list = (const char *)sqlite3_column_text(st, 0);
        int box = pii ? 3 : 2; /* the participant's NIK index is two columns */
        if (pii)
            sq_column_bi(st, 1, s.nik_bi);
        else if (sqlite3_column_bytes(st, 1) == PK_BI_LEN)
            memcpy(s.nik_bi, sqlite3_column_blob(st, 1), PK_BI_LEN);
        s.box = sqlite3_column_blob(st, box);
        s.len = (size_t)sqlite3_column_bytes(st, box);
        if ((r = cb(ctx, &s)) != 0)
            break;
    }
    sqlite3_reset(st);
    return r != 0 ? r : rc == SQLITE_DONE ? 0 : PK_EIO;
}

int sq_sealed_replace(pk_tx *t, int what, const pk_sealed *old, const uint8_t *box, size_t len,
                      int *replaced)
{
    sqc *c = sq_txc(t);
    bool pii = what == PK_SEALED_PII, secret = what == PK_SEALED_SECRET;
    sqlite3_stmt *st = sq_stmt(c, pii      ? S_SEALED_REPLACE_PII
                                  : secret ? S_SEALED_REPLACE_SECRET
                                           : S_SEALED_REPLACE_NOTE);
    *replaced = 0;
    if (st == NULL)
        return PK_EIO;
    sqlite3_bind_blob(st, 1, box, (int)len, SQLITE_STATIC);
    if (pii) {
        sqlite3_bind_int64(st, 2, old->id);
        sqlite3_bind_blob(st, 3, old->box, (int)old->len, SQLITE_STATIC);
    } else if (secret) {
        sqlite3_bind_text(st, 2, old->list, -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 3, old->box, (int)old->len, SQLITE_STATIC);
    } else {
        sqlite3_bind_text(st, 2, old->list, -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 3, old->nik_bi, PK_BI_LEN, SQLITE_STATIC);
        sqlite3_bind_blob(st, 4, old->box, (int)old->len, SQLITE_STATIC);
    }
    int rc = sq_step_done(st);
    if (rc == 0)
        *replaced = sqlite3_changes(c->db) > 0;
    return rc;
}

int sq_sealed_generations(pk_store *s, int64_t *counts)
{
    sq *q = s->impl;
    sqc *c;
    sqlite3_stmt *st;
    memset(counts, 0, 256 * sizeof(*counts));
    int rc = sq_read_begin(q, S_SEALED_GENERATIONS, &c, &st);
    if (rc != 0)
        return rc;
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        int g = sqlite3_column_bytes(st, 0) == 1
                    ? ((const uint8_t *)sqlite3_column_blob(st, 0))[0]
                    : 0;
        counts[g] += sqlite3_column_int64(st, 1);
    }
    sq_read_end(q, c, st);
    return r == SQLITE_DONE ? 0 : PK_EIO;
}
