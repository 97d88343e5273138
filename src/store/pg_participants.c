/* pg_participants.c -- the participant registry on PostgreSQL: what a
 * batch finds and writes, families (the KK limit), reasons, the audit log,
 * exclusion lists, re-evaluation; and the reads of any thread: the walk
 * over a region, a resident's status (the statistics: pg_counts.c).
 *
 * A batch is one statement per step, its rows as array parameters
 * (unnest), and large batches of inserts go by binary COPY.  People
 * found are row-locked (FOR UPDATE), families through rows of pk_lock
 * (pg.c tells why); a lock and the read that follows it go in one
 * pipeline. */
#include <libpq-fe.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/participant.h"
#include "core/pk.h"
#include "core/region.h"
#include "core/scheme.h"
#include "store/pg_int.h"

/* ---- writes ------------------------------------------------------------ */

static int lists_of_result(const PGresult *r, unsigned *lists)
{
    *lists = 0;
    for (int i = 0, n = PQntuples(r); i < n; i++)
        *lists |= pk_list_by_name(PQgetvalue(r, i, 0));
    return 0;
}

/* bi[0..n) as an array parameter (sorted and distinct when `sorted`,
 * for locks), built in tx->arr[slot]. */
int pg_bi_param(pg_tx *tx, params *p, int slot, size_t n, const pk_bi *bi, bool sorted)
{
    pk_bi *keys = NULL;
    if (sorted && (keys = pk_bi_sorted(n, bi, &n)) == NULL)
        return PK_ENOMEM;
    pk_buf *b = &tx->arr[slot];
    int e = arr_begin(b, T_BYTEA);
    for (size_t i = 0; i < n; i++)
        e |= arr_bytes(b, sorted ? keys[i] : bi[i], PK_BI_LEN);
    free(keys);
    if (e != 0)
        return PK_ENOMEM;
    arr_param(p, b, n);
    return 0;
}

/* Row i of a result whose first column is a 1-based ordinality. */
static bool ordinal(const PGresult *r, int row, size_t n, size_t *i)
{
    int64_t o = get_i64(r, row, 0);
    if (o < 1 || (uint64_t)o > n)
        return false;
    *i = (size_t)(o - 1);
    return true;
}

/* Reads the NIK indexes and locks the rows found to the end of the
 * transaction, in one round trip: whoever changes one of these people
 * elsewhere waits for our commit and then sees it.  A NIK not found may
 * be inserted elsewhere meanwhile: then our insert fails on the unique
 * index (PK_ECONFLICT) once theirs commits. */
int pg_participants_find(pk_tx *t, size_t n, const pk_bi *nik_bi,
                         pk_pknown *out)
{
    pg_tx *tx = (pg_tx *)t;
    params p = {0};
    int rc = pg_bi_param(tx, &p, 0, n, nik_bi, false);
    if (rc != 0)
        return rc;
    /* (in a bulk load every NIK is new: the caller's word) */
    const int w[2] = {S_PARTICIPANTS_FIND, S_PARTICIPANTS_FIND_LISTS};
    const params *ps[2] = {&p, &p};
    PGresult *res[2] = {NULL, NULL};
    memset(out, 0, n * sizeof(*out));
    if (tx->bulk)
        rc = pg_run(tx->c, S_PARTICIPANTS_FIND_LISTS, &p, &res[1]);
    else
        rc = pg_run_pipeline(tx->c, 2, w, ps, res);
    if (rc != 0)
        return rc;
    size_t i;
    for (int r = 0, m = res[0] ? PQntuples(res[0]) : 0; r < m; r++) {
        if (!ordinal(res[0], r, n, &i))
            continue;
        pk_pknown *k = &out[i];
        k->id = get_i64(res[0], r, 1);
        get_bytes(res[0], r, 2, k->digest, PK_DIGEST_LEN);
        get_bytes(res[0], r, 3, k->kk_bi, PK_BI_LEN);
        k->reasons = (uint64_t)get_i64(res[0], r, 4);
        k->base_reasons = (uint64_t)get_i64(res[0], r, 5);
        snprintf(k->scheme, sizeof(k->scheme), "%s", PQgetvalue(res[0], r, 6));
    }
    for (int r = 0, m = PQntuples(res[1]); r < m; r++)
        if (ordinal(res[1], r, n, &i))
            out[i].lists |= pk_list_by_name(PQgetvalue(res[1], r, 1));
    PQclear(res[0]);
    PQclear(res[1]);
    return 0;
}

/* One round trip, no lock: the caller only reads who is who. */
int pg_participant_ids(pk_tx *t, size_t n, const pk_bi *nik_bi, int64_t *ids)
{
    pg_tx *tx = (pg_tx *)t;
    params p = {0};
    int rc = pg_bi_param(tx, &p, 0, n, nik_bi, false);
    PGresult *res = NULL;
    if (rc == 0)
        rc = pg_run(tx->c, S_PARTICIPANT_IDS, &p, &res);
    if (rc != 0)
        return rc;
    memset(ids, 0, n * sizeof(*ids));
    size_t i;
    for (int r = 0, m = PQntuples(res); r < m; r++)
        if (ordinal(res, r, n, &i))
            ids[i] = get_i64(res, r, 1);
    PQclear(res);
    return 0;
}

/* Appends a row's written fields (WCOLS, with this id) to out[column],
 * each as its length and its bytes: one buffer per column makes the
 * array parameters of S_PARTICIPANTS_INSERT / _UPDATE, the same buffer for
 * every column a tuple of binary COPY. */
static int put_row(pk_buf *const out[PG_WCOUNT], const pk_prow *r, int64_t id)
{
    /* one statement per field: for COPY they go into one buffer, in order */
    int e = arr_int(out[0], id);
    e |= arr_bytes(out[1], r->nik_bi, PK_BI_LEN);
    e |= arr_bytes(out[2], r->kk_bi, PK_BI_LEN);
    e |= arr_bytes(out[3], r->pii, r->pii_len);
    e |= arr_bytes(out[4], r->digest, PK_DIGEST_LEN);
    e |= arr_text(out[5], r->nama);
    e |= arr_text(out[6], r->tanggal_lahir);
    e |= arr_text(out[7], r->jenis_kelamin);
    e |= arr_text(out[8], r->kode_wilayah);
    e |= arr_text(out[9], r->pendidikan);
    e |= arr_text(out[10], r->segmen);
    e |= arr_text(out[11], r->pekerjaan);
    e |= arr_int(out[12], (int64_t)r->warnings);
    e |= arr_text(out[13], r->scheme);
    e |= arr_int(out[14], (int64_t)r->base_reasons);
    e |= arr_int(out[15], (int64_t)r->reasons);
    e |= arr_text(out[16], r->source);
    e |= arr_text(out[17], r->as_of);
    return e;
}

/* The arrays of S_PARTICIPANTS_INSERT / _UPDATE from the rows whose id is
 * (update) or is not (insert) set; ids[] gives inserted rows theirs. */
static int rows_params(pg_tx *tx, params *p, const pk_prow *rows, size_t n, bool update,
                       const int64_t *ids, size_t *count)
{
    pk_buf *col[PG_WCOUNT];
    int e = 0;
    size_t m = 0;
    for (int c = 0; c < PG_WCOUNT; c++) {
        col[c] = &tx->arr[c];
        e |= arr_begin(col[c], PG_WTYPES[c] == 'I'   ? T_INT8
                               : PG_WTYPES[c] == 'B' ? T_BYTEA
                                                     : T_TEXT);
    }
    for (size_t i = 0; i < n; i++)
        if ((rows[i].id != 0) == update) {
            e |= put_row(col, &rows[i], update ? rows[i].id : ids[m]);
            m++;
        }
    if (e != 0)
        return PK_ENOMEM;
    for (int c = 0; c < PG_WCOUNT; c++)
        arr_param(p, col[c], m);
    *count = m;
    return 0;
}

/* The inserts among rows (id 0), with ids[], by COPY (a field of a binary
 * COPY tuple is encoded as an array element is: its length, its bytes). */
static int copy_rows(pg_tx *tx, const pk_prow *rows, size_t n, const int64_t *ids)
{
    char now[32];
    pk_store_now(now);
    pk_buf *b = &tx->arr[0], *col[PG_WCOUNT];
    for (int c = 0; c < PG_WCOUNT; c++)
        col[c] = b;
    int e = copy_begin(b);
    for (size_t i = 0, j = 0; i < n; i++) {
        if (rows[i].id != 0)
            continue;
        e |= copy_tuple(b, PG_WCOUNT + 2);
        e |= put_row(col, &rows[i], ids[j++]);
        e |= arr_text(b, now); /* created_at */
        e |= arr_text(b, now); /* updated_at */
    }
    e |= copy_end(b);
    if (e != 0)
        return PK_ENOMEM;
    return pg_copy_in(tx->c, "COPY participant (" PG_WCOLS ", created_at, updated_at)"
                             " FROM STDIN (FORMAT binary)", b);
}

/* Ids come from the sequence only now, after pk_tx_kk_members locked
 * the families: within a family they are handed out in commit order, as
 * with SQLite's single writer (a member told "eligible" is never
 * overtaken by one who committed later). */
int pg_participants_write(pk_tx *t, size_t n, pk_prow *rows)
{
    pg_tx *tx = (pg_tx *)t;
    size_t inserts = 0;
    int64_t *ids = NULL;
    int rc = 0;
    for (size_t i = 0; i < n; i++)
        inserts += rows[i].id == 0;
    if (inserts > 0) {
        if ((ids = malloc(inserts * sizeof(*ids))) == NULL)
            return PK_ENOMEM;
        if ((rc = pg_take_ids(tx->c, S_PARTICIPANTS_ID_BLOCK, S_PARTICIPANTS_NEXT_IDS, tx->bulk,
                              inserts, ids)) != 0) {
            free(ids);
            return rc;
        }
    }
    size_t m = 0;
    if (inserts >= PG_COPY_MIN)
        rc = copy_rows(tx, rows, n, ids);
    for (int pass = inserts >= PG_COPY_MIN; rc == 0 && pass < 2; pass++) {
        params p = {0};
        if ((rc = rows_params(tx, &p, rows, n, pass == 1, ids, &m)) != 0 || m == 0)
            continue;
        rc = pg_run(tx->c, pass == 0 ? S_PARTICIPANTS_INSERT : S_PARTICIPANTS_UPDATE, &p, NULL);
    }
    for (size_t i = 0, j = 0; rc == 0 && i < n; i++)
        if (rows[i].id == 0)
            rows[i].id = ids[j++];
    free(ids);
    return rc;
}

/* The families are locked first: two processes adding members to one
 * KK at once apply the limit one after the other, the second seeing the
 * first's members (and handing out later ids).  Locks and members in
 * one round trip. */
int pg_kk_members(pk_tx *t, size_t n, const pk_bi *kk_bi, pk_member_cb cb, void *ctx)
{
    pg_tx *tx = (pg_tx *)t;
    if (tx->bulk)
        return 0; /* no index to find them by: the caller applies the limit afterwards */
    params lk = {0};
    int rc = pg_bi_param(tx, &lk, 0, n, kk_bi, true);
    if (rc != 0)
        return rc;
    const int w[2] = {S_KK_LOCKS, S_KK_MEMBERS};
    const params *ps[2] = {&lk, &lk};
    PGresult *res[2];
    if ((rc = pg_run_pipeline(tx->c, 2, w, ps, res)) != 0)
        return rc;
    PQclear(res[0]);
    PGresult *r = res[1];
    for (int i = 0, rows = PQntuples(r); rc == 0 && i < rows; i++) {
        if (PQgetlength(r, i, 0) != PK_BI_LEN)
            continue;
        pk_member m = {(const uint8_t *)PQgetvalue(r, i, 0), get_i64(r, i, 1),
                       PQgetvalue(r, i, 2), (uint64_t)get_i64(r, i, 3),
                       (uint64_t)get_i64(r, i, 4)};
        rc = cb(ctx, &m);
    }
    PQclear(r);
    return rc;
}

int pg_set_reasons(pk_tx *t, size_t n, const int64_t *ids, const uint64_t *reasons)
{
    pg_tx *tx = (pg_tx *)t;
    pk_buf *a = &tx->arr[1], *b = &tx->arr[2];
    int e = arr_begin(a, T_INT8) | arr_begin(b, T_INT8);
    for (size_t i = 0; i < n; i++)
        e |= arr_int(a, ids[i]) | arr_int(b, (int64_t)reasons[i]);
    if (e != 0)
        return PK_ENOMEM;
    params p = {0};
    arr_param(&p, a, n);
    arr_param(&p, b, n);
    return pg_run(tx->c, S_SET_REASONS, &p, NULL);
}

int pg_audit(pk_tx *t, size_t n, const pk_audit_entry *e)
{
    pg_tx *tx = (pg_tx *)t;
    pk_buf *a = tx->arr;
    int err = arr_begin(&a[0], T_TEXT) | arr_begin(&a[1], T_TEXT) | arr_begin(&a[2], T_TEXT) |
              arr_begin(&a[3], T_INT8) | arr_begin(&a[4], T_TEXT);
    for (size_t i = 0; i < n; i++)
        err |= arr_text(&a[0], e[i].actor ? e[i].actor : "") | arr_text(&a[1], e[i].source) |
               arr_text(&a[2], e[i].action) | arr_int(&a[3], e[i].subject) |
               arr_text(&a[4], e[i].detail ? e[i].detail : "");
    if (err != 0)
        return PK_ENOMEM;
    params p = {0};
    for (int c = 0; c < 5; c++)
        arr_param(&p, &a[c], n);
    return pg_run(tx->c, S_AUDIT, &p, NULL);
}

static int run_list(pgc *c, int which, const char *list)
{
    params p = {0};
    if (list != NULL)
        p_text(&p, list);
    return pg_run(c, which, &p, NULL);
}

int pg_list_clear(pk_tx *t, const char *list)
{
    pgc *c = pg_txc(t);
    /* Every time, not once per connection: created in a transaction
     * that then rolled back (a lost race, a retried batch), the table is
     * gone again while a flag would say it exists ("relation list_old
     * does not exist" in test_stats' race).  List replacements are rare. */
    int rc = pg_exec(c,
                     "SET LOCAL client_min_messages = warning;"
                     "CREATE TEMP TABLE IF NOT EXISTS list_old (list text, nik_bi bytea,"
                     " PRIMARY KEY (list, nik_bi))"
                     " ON COMMIT DELETE ROWS",
                     PGRES_COMMAND_OK, "list");
    if (rc != 0)
        return rc;
    if ((rc = run_list(c, S_LIST_CLEAR_OLD, list)) == 0 &&
        (rc = run_list(c, S_LIST_SAVE_OLD, list)) == 0)
        rc = run_list(c, S_LIST_DELETE, list);
    return rc;
}

int pg_list_add(pk_tx *t, const char *list, const uint8_t *nik_bi, const uint8_t *note,
                size_t note_len)
{
    params p = {0};
    p_text(&p, list);
    p_bytes(&p, nik_bi, PK_BI_LEN);
    if (note != NULL && note_len > 0)
        p_bytes(&p, note, note_len);
    else
        p_null(&p);
    return pg_run(pg_txc(t), S_LIST_ADD, &p, NULL);
}

/* A cursor, fetched a thousand at a time: cb writes through the same
 * connection between fetches. */
int pg_list_changes(pk_tx *t, const char *list, pk_bi_cb cb, void *ctx)
{
    pgc *c = pg_txc(t);
    params p = {0};
    p_text(&p, list);
    int rc = pg_run_once(c, S_LIST_CHANGES, &p, NULL);
    while (rc == 0) {
        PGresult *r = NULL;
        if ((rc = pg_run_once(c, S_LIST_CHANGES_FETCH, NULL, &r)) != 0)
            break;
        int n = PQntuples(r);
        for (int i = 0; rc == 0 && i < n; i++)
            if (PQgetlength(r, i, 0) == PK_BI_LEN)
                rc = cb(ctx, (const uint8_t *)PQgetvalue(r, i, 0));
        PQclear(r);
        if (n == 0)
            break;
    }
    if (PQtransactionStatus(c->conn) == PQTRANS_INTRANS)
        PQclear(PQexec(c->conn, "CLOSE pk_changes"));
    return rc;
}

int pg_list_count(pk_tx *t, const char *list, int64_t *count)
{
    params p = {0};
    PGresult *r = NULL;
    p_text(&p, list);
    *count = 0;
    int rc = pg_run(pg_txc(t), S_LIST_COUNT, &p, &r);
    if (rc != 0)
        return rc;
    *count = get_i64(r, 0, 0);
    PQclear(r);
    return 0;
}

/* Fills row from row i of a result over PCOLS; strings point into r. */
void pg_read_row(const PGresult *r, int i, pk_prow *row)
{
    memset(row, 0, sizeof(*row));
    row->id = get_i64(r, i, 0);
    get_bytes(r, i, 1, row->nik_bi, PK_BI_LEN);
    get_bytes(r, i, 2, row->kk_bi, PK_BI_LEN);
    row->pii = (const uint8_t *)PQgetvalue(r, i, 3);
    row->pii_len = (size_t)PQgetlength(r, i, 3);
    row->nama = PQgetvalue(r, i, 4);
    row->tanggal_lahir = PQgetvalue(r, i, 5);
    row->jenis_kelamin = PQgetvalue(r, i, 6);
    row->kode_wilayah = PQgetvalue(r, i, 7);
    row->pendidikan = PQgetvalue(r, i, 8);
    row->segmen = PQgetvalue(r, i, 9);
    row->pekerjaan = PQgetvalue(r, i, 10);
    row->warnings = (uint64_t)get_i64(r, i, 11);
    row->scheme = PQgetvalue(r, i, 12);
    row->base_reasons = (uint64_t)get_i64(r, i, 13);
    row->reasons = (uint64_t)get_i64(r, i, 14);
    row->source = PQgetvalue(r, i, 15);
    row->created_at = PQgetvalue(r, i, 16);
    row->updated_at = PQgetvalue(r, i, 17);
    get_bytes(r, i, 18, row->digest, PK_DIGEST_LEN);
    row->as_of = PQgetvalue(r, i, 19);
}

int pg_reevaluate(pk_tx *t, const uint8_t *nik_bi, pk_reeval_fn fn, void *ctx,
                  uint8_t *kk_bi, int *changed)
{
    pgc *c = pg_txc(t);
    /* Lists and the row (locked), in one round trip. */
    params p = {0};
    p_bytes(&p, nik_bi, PK_BI_LEN);
    const int w[2] = {S_LISTS_OF, S_REEVALUATE_ROW};
    const params *ps[2] = {&p, &p};
    PGresult *r[2];
    *changed = 0;
    int rc = pg_run_pipeline(c, 2, w, ps, r);
    if (rc != 0)
        return rc;
    if (PQntuples(r[1]) == 0) {
        rc = PK_ENOENT;
        goto out;
    }
    unsigned lists;
    lists_of_result(r[0], &lists);
    pk_prow row;
    pg_read_row(r[1], 0, &row);
    uint64_t base = fn(ctx, &row, lists);
    uint64_t quota = row.reasons & ~row.base_reasons;
    memcpy(kk_bi, row.kk_bi, PK_BI_LEN);
    *changed = base != row.base_reasons;
    if (!*changed)
        goto out;
    params u = {0};
    p_int(&u, row.id);
    p_int(&u, (int64_t)base);
    /* The KK limit only applies to the otherwise eligible; the caller
     * re-applies it to the family afterwards. */
    p_int(&u, (int64_t)(base != 0 ? base : base | quota));
    rc = pg_run(c, S_REEVALUATE_SET, &u, NULL);
out:
    for (int i = 0; i < 2; i++)
        PQclear(r[i]);
    return rc;
}


/* ---- reads ------------------------------------------------------------- */

/* Region subtree of a dotted code: the code itself and everything below
 * it ("31.74" .. "31.74/": '/' sorts right after '.' in the C collation). */
void pg_region_params(params *p, const char *region, char *hi, size_t hilen)
{
    if (region == NULL || region[0] == '\0') {
        p_text(p, "");
        p_text(p, "~");
        return;
    }
    snprintf(hi, hilen, "%s/", region);
    p_text(p, region);
    p_text(p, hi);
}

/* One snapshot (REPEATABLE READ), streamed through a cursor so memory
 * stays constant whatever the size of the registry. */
int pg_participants_each(pk_store *s, const char *region, pk_prow_cb cb, void *ctx)
{
    pg *p = s->impl;
    pgc *c;
    int rc = pg_conn_get(p, &c);
    if (rc != 0)
        return rc;
    params ps = {0};
    char hi[PK_REGION_CODE_MAX + 2];
    pg_region_params(&ps, region, hi, sizeof(hi));
    if ((rc = pg_exec(c, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", PGRES_COMMAND_OK,
                      "participants")) != 0)
        goto out;
    rc = pg_run_once(c, S_PARTICIPANTS_EACH, &ps, NULL);
    while (rc == 0) {
        PGresult *r = NULL;
        if ((rc = pg_run_once(c, S_PARTICIPANTS_EACH_FETCH, NULL, &r)) != 0)
            break;
        int n = PQntuples(r);
        for (int i = 0; rc == 0 && i < n; i++) {
            pk_prow row;
            pg_read_row(r, i, &row);
            rc = cb(ctx, &row);
        }
        PQclear(r);
        if (n == 0)
            break;
    }
    /* Read only: ending it either way keeps nothing. */
    PQclear(PQexec(c->conn, "ROLLBACK"));
out:
    pg_conn_put(p, c);
    return rc;
}

static void copy_val(char *dst, size_t cap, const PGresult *r, int row, int col)
{
    snprintf(dst, cap, "%.*s", PQgetlength(r, row, col), PQgetvalue(r, row, col));
}

/* The public status look-up (store.h). */
int pg_participant_status(pk_store *s, const uint8_t *nik_bi, pk_pstatus *out)
{
    params ps = {0};
    PGresult *r = NULL;
    memset(out, 0, sizeof(*out));
    p_bytes(&ps, nik_bi, PK_BI_LEN);
    int rc = pg_run1(s, S_PARTICIPANT_STATUS, &ps, &r);
    if (rc == 0 && PQntuples(r) == 0)
        rc = PK_ENOENT;
    if (rc == 0) {
        copy_val(out->tanggal_lahir, sizeof(out->tanggal_lahir), r, 0, 0);
        copy_val(out->scheme, sizeof(out->scheme), r, 0, 1);
        out->reasons = (uint64_t)get_i64(r, 0, 2);
        copy_val(out->created_at, sizeof(out->created_at), r, 0, 3);
    }
    PQclear(r);
    return rc;
}
