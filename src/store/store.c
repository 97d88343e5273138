/* store.c -- dispatch from the store interface to a backend, and what
 * the backends share: the migrations' driver, the loading of the region
 * table, the log of diagnostics (pk_store_set_log), the store's clock. */
#include "store/store_impl.h"

#include "core/participant.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "core/pk.h"
#include "core/region.h"

int pk_store_check_private(const char *url, char *err, size_t errlen)
{
    if (url == NULL || strncmp(url, "postgresql://", 13) == 0 ||
        strncmp(url, "postgres://", 11) == 0)
        return 0; /* the server's files are its own */
    static const char *const suffix[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < PK_ARRAY_LEN(suffix); i++) {
        char path[4096];
        struct stat st;
        snprintf(path, sizeof(path), "%s%s", url, suffix[i]);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode))
            continue;
        if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
            snprintf(err, errlen,
                     "%s can be read by other users (mode %04o), and it holds personal data: "
                     "run 'chmod 600 %s*', or set db_private = off to allow it",
                     path, (unsigned)(st.st_mode & 07777), url);
            return PK_EDENIED;
        }
    }
    return 0;
}

int pk_store_open(const char *url, pk_store **out, char *err, size_t errlen)
{
    *out = NULL;
    if (url == NULL || url[0] == '\0') {
        snprintf(err, errlen, "no database given (--db or PRAKERJA_DB)");
        return PK_EINVAL;
    }
    if (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0) {
        return pk_pg_open(url, out, err, errlen);
    }
    return pk_sqlite_open(url, out, err, errlen);
}

int pk_store_open_existing(const char *url, pk_store **out, char *err, size_t errlen)
{
    struct stat st;
    *out = NULL;
    if (url != NULL && url[0] != '\0' && strncmp(url, "postgresql://", 13) != 0 &&
        strncmp(url, "postgres://", 11) != 0 && stat(url, &st) != 0 && errno == ENOENT) {
        snprintf(err, errlen, "database %s does not exist", url);
        return PK_ENOENT;
    }
    return pk_store_open(url, out, err, errlen);
}

void pk_store_close(pk_store *s)
{
    if (s != NULL)
        s->ops->close(s);
}

void pk_store_set_search_window(pk_store *s, int64_t ids)
{
    pk_backend *b = s->impl;
    if (b != NULL)
        b->search_window = ids > 0 ? ids : 0;
}

static _Thread_local int thread_lock_wait_ms;

void pk_store_thread_lock_wait(int ms)
{
    thread_lock_wait_ms = ms > 0 ? ms : 0;
}

int pk_store_thread_lock_wait_ms(void)
{
    return thread_lock_wait_ms;
}

void pk_store_set_purchase_by(pk_store *s, pk_store_purchase_by_fn fn, void *ctx)
{
    pk_backend *b = s->impl;
    if (b != NULL) {
        b->purchase_by = fn;
        b->purchase_by_ctx = ctx;
    }
}

int pk_tx_purchase_by(pk_tx *tx, int64_t wave, int64_t selected_at, int64_t *by)
{
    const pk_backend *b = tx->store->impl;
    *by = 0;
    return b != NULL && b->purchase_by != NULL
               ? b->purchase_by(b->purchase_by_ctx, tx, wave, selected_at, by)
               : 0;
}

void pk_store_set_log(pk_store *s, pk_log_fn fn, void *ctx)
{
    pk_backend *b = s->impl;
    if (b != NULL) {
        b->log = fn;
        b->log_ctx = ctx;
    }
}

void pk_backend_log(const pk_backend *b, const char *fmt, ...)
{
    if (b == NULL)
        return;
    va_list ap;
    va_start(ap, fmt);
    pk_vlogf(b->log, b->log_ctx, fmt, ap);
    va_end(ap);
}

void pk_backend_space(pk_backend *b, int rc)
{
    if (b == NULL)
        return;
    if (rc == PK_ENOSPC) {
        if (!atomic_exchange(&b->disk_full, true))
            pk_backend_log(b, "disk full: the database cannot grow, writes are refused "
                              "(507) until space is freed");
    } else if (rc == 0 && atomic_load(&b->disk_full)) {
        if (atomic_exchange(&b->disk_full, false))
            pk_backend_log(b, "disk space available again: writes succeed");
    }
}

bool pk_store_disk_full(pk_store *s)
{
    const pk_backend *b = s->impl;
    return b != NULL && atomic_load(&b->disk_full);
}

/* The result of an op: a full disk is recorded (pk_store_disk_full). */
int pk_st_noted(pk_store *s, int rc)
{
    if (rc == PK_ENOSPC)
        pk_backend_space(s->impl, rc);
    return rc;
}

/* The same for an op of a transaction; `write` says whether it writes. */
int pk_st_noted_tx(pk_tx *tx, bool write, int rc)
{
    if (rc == PK_ENOSPC)
        tx->met_full = true;
    else if (rc == 0 && write)
        tx->wrote = true;
    return pk_st_noted(tx->store, rc);
}

/* The result of an op that writes and commits on its own: success also
 * clears the flag. */
int pk_st_committed(pk_store *s, int rc)
{
    if (rc == 0 || rc == PK_ENOSPC)
        pk_backend_space(s->impl, rc);
    return rc;
}

int pk_store_check_version(int current, int latest, char *err, size_t errlen)
{
    if (current <= latest)
        return 0;
    snprintf(err, errlen,
             "database schema version %d is newer than this binary knows (%d): "
             "upgrade prakerja before using this database",
             current, latest);
    return PK_ESCHEMA;
}

/* err holds what failed (libpq's messages end in a newline); prefixed
 * with the migration's number. */
static int migration_failed(const pk_migration *m, int rc, char *err, size_t errlen)
{
    char why[512];
    size_t n = (size_t)snprintf(why, sizeof(why), "%s", err);
    for (n = n < sizeof(why) ? n : sizeof(why) - 1; n > 0 && isspace((unsigned char)why[n - 1]);)
        why[--n] = '\0';
    snprintf(err, errlen, "migration %d: %s", m->version, why[0] ? why : "failed");
    return rc;
}

static int apply(const pk_migrator *mg, const pk_migration *m, const char *datadir, char *err,
                 size_t errlen)
{
    int rc, current;
    err[0] = '\0';
    if ((rc = mg->begin(mg->conn, err, errlen)) != 0)
        return rc;
    if ((rc = mg->version(mg->conn, &current)) != 0) {
        snprintf(err, errlen, "cannot read schema version");
        mg->rollback(mg->conn);
        return rc;
    }
    if (current >= m->version) /* another process applied it meanwhile */
        return mg->commit(mg->conn, err, errlen);
    if ((m->sql != NULL && (rc = mg->exec(mg->conn, m->sql, err, errlen)) != 0) ||
        (m->load != NULL && (rc = m->load(mg->conn, datadir, err, errlen)) != 0) ||
        (m->after != NULL && (rc = mg->exec(mg->conn, m->after, err, errlen)) != 0) ||
        (rc = mg->record(mg->conn, m, err, errlen)) != 0) {
        mg->rollback(mg->conn);
        return migration_failed(m, rc, err, errlen);
    }
    if ((rc = mg->commit(mg->conn, err, errlen)) != 0)
        return migration_failed(m, rc, err, errlen);
    return 0;
}

int pk_store_migrations(const pk_migrator *mg, const pk_migration *list, size_t n,
                        const char *datadir, int *from, int *to, char *err, size_t errlen)
{
    int rc = mg->version(mg->conn, from);
    if (rc != 0) {
        snprintf(err, errlen, "cannot read schema version");
        return rc;
    }
    if ((rc = pk_store_check_version(*from, n > 0 ? list[n - 1].version : 0, err, errlen)) != 0)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (list[i].version > *from && (rc = apply(mg, &list[i], datadir, err, errlen)) != 0)
            return rc;
    if ((rc = mg->version(mg->conn, to)) != 0)
        snprintf(err, errlen, "cannot read schema version");
    return rc;
}

int pk_store_version(pk_store *s, int *current, int *latest)
{
    return s->ops->version(s, current, latest);
}

int pk_store_migrate(pk_store *s, const char *datadir, int *from, int *to, char *err,
                     size_t errlen)
{
    return s->ops->migrate(s, datadir, from, to, err, errlen);
}

void pk_store_pool_stats(pk_store *s, pk_pool_stats *out)
{
    pk_backend *b = s->impl;
    out->acquired = atomic_load(&b->acquired);
    out->opened = atomic_load(&b->opened);
    out->waits = atomic_load(&b->waits);
    out->wait_ns = atomic_load(&b->wait_ns);
}

void pk_backend_pool_count(pk_backend *b, bool opened, uint64_t wait_ns)
{
    atomic_fetch_add(&b->acquired, 1);
    if (opened)
        atomic_fetch_add(&b->opened, 1);
    if (wait_ns > 0) {
        atomic_fetch_add(&b->waits, 1);
        atomic_fetch_add(&b->wait_ns, wait_ns);
    }
}

int pk_store_backup(pk_store *s, const char *path, int64_t *bytes, char *err, size_t errlen)
{
    *bytes = 0;
    if (s->ops->backup == NULL) {
        snprintf(err, errlen, "%s", s->ops->backup_hint ? s->ops->backup_hint
                                                        : "this database cannot be backed up here");
        return PK_EINVAL;
    }
    return s->ops->backup(s, path, bytes, err, errlen);
}

int pk_store_ping(pk_store *s)
{
    return s->ops->ping(s);
}

int pk_store_regions_each(pk_store *s, pk_region_cb cb, void *ctx)
{
    return s->ops->regions_each(s, cb, ctx);
}

int pk_store_meta_get(pk_store *s, const char *name, uint8_t *buf, size_t cap, size_t *len)
{
    return s->ops->meta_get(s, name, buf, cap, len);
}

int pk_store_meta_put_once(pk_store *s, const char *name, const uint8_t *value, size_t len)
{
    return pk_st_committed(s, s->ops->meta_put_once(s, name, value, len));
}

int pk_tx_meta_get(pk_tx *tx, const char *name, uint8_t *buf, size_t cap, size_t *len)
{
    return pk_st_noted_tx(tx, false, tx->store->ops->tx_meta_get(tx, name, buf, cap, len));
}

int pk_tx_meta_put_max(pk_tx *tx, const char *name, const uint8_t *value, size_t len)
{
    return pk_st_noted_tx(tx, true, tx->store->ops->tx_meta_put_max(tx, name, value, len));
}

int pk_store_participants_each(pk_store *s, const char *region, pk_prow_cb cb, void *ctx)
{
    return s->ops->participants_each(s, region, cb, ctx);
}

int pk_store_stats(pk_store *s, const char *region, pk_stats *out)
{
    return s->ops->stats(s, region, out);
}

void pk_stats_add_cell(pk_stats *st, const char *segmen, const char *sex, uint64_t reasons,
                       int64_t n)
{
    st->total += n;
    if (reasons == 0)
        st->eligible += n;
    for (int i = 1; i < PK_SEG__COUNT; i++)
        if (strcmp(segmen, pk_segment_name((pk_segment)i)) == 0)
            st->by_segment[i] += n;
    st->by_sex[sex[0] == 'P'] += n;
    for (int b = 0; b < 64; b++)
        if (reasons & ((uint64_t)1 << b))
            st->by_reason[b] += n;
}

int pk_store_stats_children(pk_store *s, const char *region, size_t child_len,
                            pk_child_count_cb cb, void *ctx)
{
    return s->ops->stats_children(s, region, child_len, cb, ctx);
}

int pk_store_counts_verify(pk_store *s, pk_count_cell_cb cb, void *ctx, int64_t *cells,
                           int64_t *people)
{
    return s->ops->counts_verify(s, cb, ctx, cells, people);
}

int pk_tx_counts_rebuild(pk_tx *tx, int64_t *cells)
{
    return pk_st_noted_tx(tx, true, tx->store->ops->counts_rebuild(tx, cells));
}

int pk_store_journey_counts(pk_store *s, const char *region, size_t child_len, const char *kind,
                            pk_journey_cell_cb cb, void *ctx)
{
    return s->ops->journey_counts(s, region, child_len, kind, cb, ctx);
}

int pk_store_journey_counts_verify(pk_store *s, pk_journey_cell_cb cb, void *ctx, int64_t *cells)
{
    return s->ops->journey_counts_verify(s, cb, ctx, cells);
}

int pk_tx_journey_counts_rebuild(pk_tx *tx, int64_t *cells)
{
    return pk_st_noted_tx(tx, true, tx->store->ops->journey_counts_rebuild(tx, cells));
}

int pk_store_participant_status(pk_store *s, const uint8_t nik_bi[PK_BI_LEN], pk_pstatus *out)
{
    return s->ops->participant_status(s, nik_bi, out);
}

int pk_store_begin(pk_store *s, pk_tx **out)
{
    return s->ops->begin(s, out);
}

int pk_store_begin_lazy(pk_store *s, pk_tx **out)
{
    return s->ops->begin_lazy(s, out);
}

int pk_tx_commit(pk_tx *tx)
{
    pk_store *s = tx->store; /* tx is gone once it ends */
    bool room = tx->wrote && !tx->met_full;
    int rc = s->ops->commit(tx);
    return rc == 0 && !room ? 0 : pk_st_committed(s, rc);
}

void pk_tx_rollback(pk_tx *tx)
{
    if (tx != NULL)
        tx->store->ops->rollback(tx);
}

int pk_tx_savepoint(pk_tx *tx)
{
    return pk_st_noted_tx(tx, false, tx->store->ops->savepoint(tx));
}

int pk_tx_release(pk_tx *tx)
{
    return pk_st_noted_tx(tx, false, tx->store->ops->release(tx));
}

int pk_tx_rollback_to(pk_tx *tx)
{
    return pk_st_noted_tx(tx, false, tx->store->ops->rollback_to(tx));
}

void pk_store_now(char out[32])
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out + n, 32 - n, ".%03dZ", (int)(ts.tv_nsec / 1000000) % 1000);
}

static int bi_cmp(const void *a, const void *b)
{
    return memcmp(a, b, PK_BI_LEN);
}

pk_bi *pk_bi_sorted(size_t n, const pk_bi *bi, size_t *m)
{
    pk_bi *out = malloc((n ? n : 1) * sizeof(*out));
    if (out == NULL)
        return NULL;
    memcpy(out, bi, n * sizeof(*out));
    qsort(out, n, sizeof(*out), bi_cmp);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (k == 0 || memcmp(out[k - 1], out[i], PK_BI_LEN) != 0)
            memmove(out[k++], out[i], PK_BI_LEN);
    *m = k;
    return out;
}

bool pk_store_shared(pk_store *s)
{
    return s->ops->shared;
}

int pk_tx_participants_find(pk_tx *tx, size_t n, const pk_bi *nik_bi,
                            pk_pknown *out)
{
    return pk_st_noted_tx(tx, false, n == 0 ? 0 : tx->store->ops->participants_find(tx, n, nik_bi, out));
}

int pk_tx_participant_ids(pk_tx *tx, size_t n, const pk_bi *nik_bi, int64_t *ids)
{
    return pk_st_noted_tx(tx, false, n == 0 ? 0 : tx->store->ops->participant_ids(tx, n, nik_bi, ids));
}

int pk_tx_participants_write(pk_tx *tx, size_t n, pk_prow *rows)
{
    return pk_st_noted_tx(tx, n > 0, n == 0 ? 0 : tx->store->ops->participants_write(tx, n, rows));
}

int pk_tx_kk_members(pk_tx *tx, size_t n, const pk_bi *kk_bi, pk_member_cb cb, void *ctx)
{
    return pk_st_noted_tx(tx, false, n == 0 ? 0 : tx->store->ops->kk_members(tx, n, kk_bi, cb, ctx));
}

int pk_tx_set_reasons(pk_tx *tx, size_t n, const int64_t *ids, const uint64_t *reasons)
{
    return pk_st_noted_tx(tx, n > 0, n == 0 ? 0 : tx->store->ops->set_reasons(tx, n, ids, reasons));
}

int pk_tx_bulk_begin(pk_tx *tx, bool *on)
{
    *on = false;
    return pk_st_noted_tx(tx, true,
                    tx->store->ops->bulk_begin ? tx->store->ops->bulk_begin(tx, on) : 0);
}

int pk_tx_bulk_mark(pk_tx *tx, size_t n, const pk_bi *kk_bi)
{
    return pk_st_noted_tx(tx, n > 0, n == 0 ? 0 : tx->store->ops->bulk_mark(tx, n, kk_bi));
}

int pk_tx_bulk_end(pk_tx *tx)
{
    return pk_st_noted_tx(tx, true, tx->store->ops->bulk_end ? tx->store->ops->bulk_end(tx) : 0);
}

int pk_tx_bulk_repeats(pk_tx *tx, const uint8_t *after_nik, int64_t after_id, size_t limit,
                       pk_repeat *out, size_t *n)
{
    *n = 0;
    return pk_st_noted_tx(tx, false,
                    tx->store->ops->bulk_repeats(tx, after_nik, after_id, limit, out, n));
}

int pk_tx_bulk_fold(pk_tx *tx, int64_t keep, int64_t from, bool copy)
{
    return pk_st_noted_tx(tx, true, tx->store->ops->bulk_fold(tx, keep, from, copy));
}

int pk_tx_bulk_families(pk_tx *tx, int small, const uint8_t *after, size_t limit, pk_bi *out,
                        size_t *n)
{
    *n = 0;
    return tx->store->ops->bulk_families ? tx->store->ops->bulk_families(tx, small, after, limit,
                                                                         out, n)
                                         : 0;
}

int pk_tx_audit_many(pk_tx *tx, size_t n, const pk_audit_entry *e)
{
    return pk_st_noted_tx(tx, n > 0, n == 0 ? 0 : tx->store->ops->audit(tx, n, e));
}

int pk_tx_audit(pk_tx *tx, const char *actor, const char *source, const char *action,
                int64_t subject, const char *detail)
{
    pk_audit_entry e = {actor, source, action, subject, detail ? detail : ""};
    return pk_tx_audit_many(tx, 1, &e);
}

int pk_tx_list_clear(pk_tx *tx, const char *list)
{
    return pk_st_noted_tx(tx, true, tx->store->ops->list_clear(tx, list));
}

int pk_tx_list_add(pk_tx *tx, const char *list, const uint8_t nik_bi[PK_BI_LEN],
                   const uint8_t *note, size_t note_len)
{
    return pk_st_noted_tx(tx, true, tx->store->ops->list_add(tx, list, nik_bi, note, note_len));
}

int pk_tx_list_changes(pk_tx *tx, const char *list, pk_bi_cb cb, void *ctx)
{
    return pk_st_noted_tx(tx, false, tx->store->ops->list_changes(tx, list, cb, ctx));
}

int pk_tx_list_count(pk_tx *tx, const char *list, int64_t *count)
{
    return pk_st_noted_tx(tx, false, tx->store->ops->list_count(tx, list, count));
}

int pk_tx_reevaluate(pk_tx *tx, const uint8_t nik_bi[PK_BI_LEN], pk_reeval_fn fn, void *ctx,
                     uint8_t kk_bi[PK_BI_LEN], int *changed)
{
    return pk_st_noted_tx(tx, true, tx->store->ops->reevaluate(tx, nik_bi, fn, ctx, kk_bi, changed));
}

int pk_store_user_insert(pk_store *s, const pk_user *u, const pk_audit_entry *audit,
                         int64_t *id)
{
    return pk_st_committed(s, s->ops->user_insert(s, u, audit, id));
}

int pk_store_user_find(pk_store *s, const char *username, pk_user *out)
{
    return s->ops->user_find(s, username, out);
}

int pk_store_user_update(pk_store *s, const pk_user *u, const pk_audit_entry *audit)
{
    return pk_st_noted(s, s->ops->user_update(s, u, audit));
}

int pk_store_users_each(pk_store *s, pk_user_cb cb, void *ctx)
{
    return s->ops->users_each(s, cb, ctx);
}

int pk_store_session_insert(pk_store *s, const uint8_t id[PK_AUTH_HASH_LEN], int64_t user_id,
                            int64_t now)
{
    return pk_st_committed(s, s->ops->session_insert(s, id, user_id, now));
}

int pk_store_session_get(pk_store *s, const uint8_t id[PK_AUTH_HASH_LEN], int64_t *created,
                         int64_t *seen, pk_user *user)
{
    return s->ops->session_get(s, id, created, seen, user);
}

int pk_store_session_touch(pk_store *s, const uint8_t id[PK_AUTH_HASH_LEN], int64_t now)
{
    return pk_st_noted(s, s->ops->session_touch(s, id, now));
}

int pk_store_session_delete(pk_store *s, const uint8_t id[PK_AUTH_HASH_LEN])
{
    return pk_st_noted(s, s->ops->session_delete(s, id));
}

int pk_store_sessions_expire(pk_store *s, int64_t idle_before, int64_t created_before)
{
    return pk_st_noted(s, s->ops->sessions_expire(s, idle_before, created_before));
}

int pk_store_token_insert(pk_store *s, const uint8_t hash[PK_AUTH_HASH_LEN], int64_t user_id,
                          const char *label, const pk_audit_entry *audit, int64_t *id)
{
    return pk_st_committed(s, s->ops->token_insert(s, hash, user_id, label, audit, id));
}

int pk_store_token_find(pk_store *s, const uint8_t hash[PK_AUTH_HASH_LEN], int64_t *id,
                        pk_user *user)
{
    return s->ops->token_find(s, hash, id, user);
}

int pk_store_token_revoke(pk_store *s, int64_t id, const pk_audit_entry *audit)
{
    return pk_st_noted(s, s->ops->token_revoke(s, id, audit));
}

int pk_store_tokens_each(pk_store *s, int64_t user_id, pk_token_cb cb, void *ctx)
{
    return s->ops->tokens_each(s, user_id, cb, ctx);
}

int pk_store_login_failure_add(pk_store *s, const uint8_t key[PK_THROTTLE_KEY_LEN], int64_t now,
                               int64_t forget_before)
{
    return pk_st_committed(s, s->ops->login_failure_add(s, key, now, forget_before));
}

int pk_store_login_failures(pk_store *s, const uint8_t key[PK_THROTTLE_KEY_LEN], int64_t since,
                            int64_t *count, int64_t *oldest, int64_t *newest)
{
    return s->ops->login_failures(s, key, since, count, oldest, newest);
}

int pk_store_login_failures_clear(pk_store *s, const uint8_t key[PK_THROTTLE_KEY_LEN])
{
    return pk_st_noted(s, s->ops->login_failures_clear(s, key));
}

int pk_store_participants_search(pk_store *s, const char *scope, const char *name,
                                 const uint8_t nik_bi[PK_BI_LEN], const pk_search_key *after,
                                 int limit, pk_prow_cb cb, void *ctx)
{
    /* the backends always get a key: before the first one when not given */
    pk_search_key lo = {0, 0};
    if (after != NULL)
        lo = *after;
    if (lo.tier < 0 || lo.tier >= PK_SEARCH_TIERS || lo.id < 0)
        return PK_EINVAL;
    return s->ops->participants_search(s, scope, name, nik_bi, &lo, limit, cb, ctx);
}

int pk_store_participant_get(pk_store *s, const char *scope, int64_t id, pk_prow_cb cb,
                             void *ctx)
{
    return s->ops->participant_get(s, scope, id, cb, ctx);
}

int pk_tx_access_log_add(pk_tx *tx, const pk_access_entry *e)
{
    return pk_st_noted_tx(tx, true, tx->store->ops->access_log_add(tx, e));
}

int pk_store_access_log_add(pk_store *s, const pk_access_entry *e)
{
    pk_tx *tx;
    int rc = pk_store_begin(s, &tx);
    if (rc != 0)
        return rc;
    if ((rc = pk_tx_access_log_add(tx, e)) != 0) {
        pk_tx_rollback(tx);
        return rc;
    }
    return pk_tx_commit(tx);
}

int pk_store_logs_find(pk_store *s, const pk_log_filter *f, pk_log_cb cb, void *ctx)
{
    return s->ops->logs_find(s, f, cb, ctx);
}

/* One file of the region table: "code,name" or "code,parent,name" per
 * line after a header.  These files are not RFC 4180: names carry bare
 * '"' for an apostrophe (Soka"an) and are never quoted, and no name holds
 * a comma, so a line splits at its first commas. */
static int load_one(const char *datadir, const char *file, int level, pk_region_row_cb cb,
                    void *ctx, char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/wilayah/%s", datadir, file);
    FILE *f = fopen(path, "re");
    if (f == NULL) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        return PK_EIO;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned long lineno = 0;
    int rc = 0;
    while ((n = getline(&line, &cap, f)) > 0) {
        if (++lineno == 1)
            continue; /* header */
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0)
            continue;
        char *c1 = strchr(line, ',');
        char *c2 = c1 && level != PK_REGION_PROVINCE ? strchr(c1 + 1, ',') : NULL;
        char code[PK_REGION_CODE_MAX];
        if (c1 == NULL || (level != PK_REGION_PROVINCE && c2 == NULL) ||
            pk_region_normalize(line, (size_t)(c1 - line), code) != (pk_region_level)level) {
            snprintf(err, errlen, "%s line %lu: expected code%s,name", path, lineno,
                     level == PK_REGION_PROVINCE ? "" : ",parent");
            rc = PK_EINVAL;
            break;
        }
        *c1 = '\0';
        const char *parent = NULL, *name = c1 + 1;
        if (c2 != NULL) {
            *c2 = '\0';
            parent = c1 + 1;
            name = c2 + 1;
        }
        if ((rc = cb(ctx, code, parent, level, name)) != 0)
            break;
    }
    if (rc == 0 && ferror(f)) {
        snprintf(err, errlen, "cannot read %s", path);
        rc = PK_EIO;
    }
    free(line);
    fclose(f);
    return rc;
}

int pk_store_load_wilayah(const char *datadir, pk_region_row_cb cb, void *ctx, char *err,
                          size_t errlen)
{
    static const struct {
        const char *file;
        int level;
    } files[] = {
        {"provinces.csv", PK_REGION_PROVINCE},
        {"regencies.csv", PK_REGION_REGENCY},
        {"districts.csv", PK_REGION_DISTRICT},
        {"villages.csv", PK_REGION_VILLAGE},
    };
    for (size_t i = 0; i < PK_ARRAY_LEN(files); i++) {
        int rc = load_one(datadir, files[i].file, files[i].level, cb, ctx, err, errlen);
        if (rc != 0)
            return rc;
    }
    return 0;
}

int pk_tx_sealed_older(pk_tx *tx, int what, int gen, const pk_sealed *after, int limit,
                       pk_sealed_cb cb, void *ctx)
{
    return pk_st_noted_tx(tx, false, tx->store->ops->sealed_older(tx, what, gen, after, limit, cb, ctx));
}

int pk_tx_sealed_replace(pk_tx *tx, int what, const pk_sealed *old, const uint8_t *box,
                         size_t len, int *replaced)
{
    return pk_st_noted_tx(tx, true, tx->store->ops->sealed_replace(tx, what, old, box, len, replaced));
}

int pk_store_sealed_generations(pk_store *s, int64_t counts[256])
{
    return s->ops->sealed_generations(s, counts);
}

char *pk_st_ids_text(const int64_t *ids, size_t n, char open, char close)
{
    char *list = malloc(n * 21 + 3); /* at most 20 characters an id, a comma */
    if (list == NULL)
        return NULL;
    size_t o = 0;
    list[o++] = open;
    for (size_t i = 0; i < n; i++)
        o += (size_t)sprintf(list + o, "%s%lld", i ? "," : "", (long long)ids[i]);
    list[o++] = close;
    list[o] = '\0';
    return list;
}
