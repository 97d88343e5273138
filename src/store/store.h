/* store.h -- persistence behind one interface.
 *
 * Everything above this layer talks to a `pk_store` and never writes SQL.
 * A store is opened from a URL-ish string: a file path (the embedded
 * database, the default) or "postgresql://..." (a database server that
 * several processes share).  Each backend fills a `pk_store_ops` table
 * (store_impl.h); these functions only dispatch.  A store is safe to use
 * from several threads at once: backends keep their own connection pools.
 *
 * Errors are returned (0 or a negative PK_E*), never printed: a store
 * that has something to tell its operators (why a statement failed, a
 * lost connection) hands one line to the callback of pk_store_set_log. */
#ifndef PK_STORE_H
#define PK_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/buf.h"
#include "core/journey.h"
#include "core/pk.h"
#include "core/region.h"

typedef struct pk_store pk_store;
typedef struct pk_tx pk_tx;

/* Opens the database at `url` (a database file that does not exist yet
 * is created).  On failure returns a negative PK_E* and writes an
 * English explanation into err. */
int pk_store_open(const char *url, pk_store **out, char *err, size_t errlen);
/* The same, but a database file that does not exist is not created:
 * PK_ENOENT ("database PATH does not exist").  A database server's
 * database is opened as by pk_store_open. */
int pk_store_open_existing(const char *url, pk_store **out, char *err, size_t errlen);
/* For a database in a file: 0 when no one but its owner may read or
 * write it, nor its -wal and -shm files (or they do not exist yet: a new
 * one is created so); PK_EDENIED otherwise, with the file, its mode and
 * the fix in err.  0 for a database server's. */
int pk_store_check_private(const char *url, char *err, size_t errlen);
/* Closes every connection.  Safe with NULL. */
void pk_store_close(pk_store *s);

/* Where the store reports diagnostics: fn(ctx, msg) gets one line of
 * English without a newline (never personal data), from whichever thread
 * met the problem, alongside the error code the failing call returns.
 * Set it right after pk_store_open, before the store is shared between
 * threads; fn NULL (the default) drops them. */
void pk_store_set_log(pk_store *s, pk_log_fn fn, void *ctx); /* pk_log_fn: core/pk.h */

/* A name search on PostgreSQL reads each tier's first `ids` ids in id
 * order (then 8 times as many) before it asks an index for the rest
 * (pk_store_participants_search); 0 restores the default (4,096).  The
 * results are the same whatever the value: the contract tests run with
 * small ones so that both paths are taken.  SQLite ignores it.  Set it
 * before the store is shared between threads. */
void pk_store_set_search_window(pk_store *s, int64_t ids);

/* How long the calling thread's statements wait for a lock another
 * transaction holds (a bulk load's table, a draw's journeys) before they
 * fail with PK_EIO (logged as such; not PK_EBUSY, which writers redo at
 * once); and once one has, every later statement of its transaction fails
 * at once (a batch of registrations does not wait again for each).  0,
 * every thread's default: as long as it takes.  The threads that serve
 * requests set it, so that a request answers "busy" rather than hang
 * behind a long import; the command line and the reminder daemon wait.
 * PostgreSQL (lock_timeout, set on the connection a thread takes when it
 * differs); SQLite ignores it (its readers never wait, its writers wait at
 * most 10 s whoever they are). */
void pk_store_thread_lock_wait(int ms);

/* A recipient's first-purchase deadline, asked by the journey's fold
 * (core/journey.h, pk_purchase_by_fn) inside tx when a purchase has been
 * cancelled: it depends on the wave's terms, which are the app's data
 * (data/schemes.ini; app/wave_terms.c lends the function).  *by an
 * instant, 0 when not known.  Set it right after opening, before the
 * store is shared between threads, like pk_store_set_log. */
typedef int (*pk_store_purchase_by_fn)(void *ctx, pk_tx *tx, int64_t wave, int64_t selected_at,
                                       int64_t *by);
void pk_store_set_purchase_by(pk_store *s, pk_store_purchase_by_fn fn, void *ctx);
/* Asks it: 0 with *by 0 when none is set. */
int pk_tx_purchase_by(pk_tx *tx, int64_t wave, int64_t selected_at, int64_t *by);

/* The schema version the database is at (0: empty), and the newest this
 * binary knows. */
int pk_store_version(pk_store *s, int *current, int *latest);
/* Applies every pending migration, each in its own transaction, and
 * reports the versions before and after.  Idempotent.  `datadir` holds
 * the region table (the CSV files under wilayah/).  Returns PK_ESCHEMA (and explains)
 * when the database is newer than this binary. */
int pk_store_migrate(pk_store *s, const char *datadir, int *from, int *to,
                     char *err, size_t errlen);
/* Whether other processes may write the database at the same time (a
 * shared database server): then a batch may meet their rows and need
 * doing again. */
bool pk_store_shared(pk_store *s);
/* A cheap round trip to the database: 0 when it answers. */
int pk_store_ping(pk_store *s);
/* Whether the last write met a full disk: a write that cannot get the
 * room it needs (SQLite's SQLITE_FULL, PostgreSQL's SQLSTATE 53100)
 * fails with PK_ENOSPC and sets this; the next commit that goes through
 * clears it.  The store logs "disk full" once when it is set and "disk
 * space available again" when it clears.  Reads still work meanwhile. */
bool pk_store_disk_full(pk_store *s);

/* ---- running it as a service -------------------------------------------
 *
 * How the connection pool has been used since the store was opened (for
 * GET /metrics): connections taken for a read or a transaction, those
 * that had to be opened because none was idle, and the takings that
 * could not be served at once with the time they waited (SQLite: a
 * transaction waiting for the single writer connection; PostgreSQL: a
 * new connection being opened). */
typedef struct pk_pool_stats {
    uint64_t acquired;
    uint64_t opened;
    uint64_t waits;
    uint64_t wait_ns;
} pk_pool_stats;
void pk_store_pool_stats(pk_store *s, pk_pool_stats *out);

/* A consistent copy of the whole database into a new file at `path`
 * (created mode 0600; an existing file is refused: PK_EINVAL), taken while others go on reading and writing: SQLite's
 * online backup API from one read transaction (one snapshot), in steps.
 * A PostgreSQL database is refused (PK_EINVAL): it is backed up with
 * pg_dump, which err names.  *bytes receives the copy's size. */
int pk_store_backup(pk_store *s, const char *path, int64_t *bytes, char *err, size_t errlen);

/* Small named values of the deployment (the key check).  get: 0 and the
 * value, or PK_ENOENT.  put_once: stores the value unless the name has
 * one already (the first writer wins; read it back to compare). */
int pk_store_meta_get(pk_store *s, const char *name, uint8_t *buf, size_t cap, size_t *len);
int pk_store_meta_put_once(pk_store *s, const char *name, const uint8_t *value, size_t len);

/* Calls cb for every region (any level) in code order; stops early and
 * returns cb's value when it is non-zero. */
typedef int (*pk_region_cb)(void *ctx, const char *code, const char *name);
int pk_store_regions_each(pk_store *s, pk_region_cb cb, void *ctx);

/* ---- participants ------------------------------------------------------
 *
 * The store sees personal data only sealed (see app/vault.h): `pii` is an
 * opaque box, `nik_bi` and `kk_bi` are blind indexes.  Code sets are bit
 * masks of pk_code. */

#define PK_BI_LEN 16
#define PK_DIGEST_LEN 96  /* 8 bytes of keyed hash per participant field */

typedef uint8_t pk_bi[PK_BI_LEN];  /* a blind index */

/* A blind index's first 8 bytes as a big-endian number: it compares as
 * those bytes do (memcmp), in one instruction. */
static inline uint64_t pk_bi_key(const uint8_t *bi)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | bi[i];
    return v;
}

typedef struct pk_prow {
    int64_t id;
    uint8_t nik_bi[PK_BI_LEN];
    uint8_t kk_bi[PK_BI_LEN];
    uint8_t digest[PK_DIGEST_LEN]; /* keyed digest of each field: tells what changed */
    const uint8_t *pii;           /* sealed NIK, KK, phone, e-mail, address */
    size_t pii_len;
    const char *nama;
    const char *tanggal_lahir;    /* YYYY-MM-DD */
    const char *jenis_kelamin;    /* "L" or "P" */
    const char *kode_wilayah;     /* dotted village code */
    const char *pendidikan;       /* machine names; "" when not given */
    const char *segmen;
    const char *pekerjaan;
    uint64_t warnings;
    const char *scheme;
    uint64_t base_reasons;        /* eligibility reasons except kuota_kk_penuh */
    uint64_t reasons;             /* all reasons; 0 = eligible */
    const char *source;           /* "portal", "import", "operator" */
    const char *as_of;            /* YYYY-MM-DD the verdict is judged on (ages) */
    const char *created_at, *updated_at;  /* filled on reads */
    int tier;                     /* participants_search: the match tier (pk_search_key) */
} pk_prow;

/* A write transaction.  Everything done through it becomes durable
 * together at commit, or not at all.  Writers are isolated from each
 * other: what a transaction has found (participants_find, kk_members) or
 * written stays its own until it ends, and another writer that wants the
 * same rows waits for it (a backend may go further and let one writer
 * in at a time).  Readers outside it see only what was committed. */

int pk_store_begin(pk_store *s, pk_tx **out);
int pk_tx_commit(pk_tx *tx);      /* frees tx, even on failure */
/* A transaction whose commit is not waited on to be durable (SQLite:
 * synchronous=NORMAL for it, no fsync of the WAL; PostgreSQL:
 * synchronous_commit off): it is made durable by the next commit of a
 * transaction begun by pk_store_begin, which waits for everything
 * committed before it; a crash before that may lose it, and every lazy
 * one after it, never one without the other earlier ones.  For pages of
 * work that are redone when lost and whose end is recorded by such a
 * commit (the daily job's). */
int pk_store_begin_lazy(pk_store *s, pk_tx **out);
void pk_tx_rollback(pk_tx *tx);   /* frees tx; safe with NULL */
/* One level of savepoint inside a transaction, so a failed piece of work
 * (a conflict) can be undone without losing the rest of a group commit. */
int pk_tx_savepoint(pk_tx *tx);
int pk_tx_release(pk_tx *tx);     /* keep what was done since the savepoint */
int pk_tx_rollback_to(pk_tx *tx); /* undo it (and release the savepoint) */
/* Named values (pk_meta) inside a transaction: the value (PK_ENOENT,
 * PK_ETOOBIG), and a value that replaces the stored one only when it is
 * greater, byte by byte (so two writers of an ISO date keep the later). */
int pk_tx_meta_get(pk_tx *tx, const char *name, uint8_t *buf, size_t cap, size_t *len);
int pk_tx_meta_put_max(pk_tx *tx, const char *name, const uint8_t *value, size_t len);

/* Participants are read and written a batch at a time: one call for
 * n NIK indexes, so a backend can answer in one round trip or one pass
 * (an import hands over thousands of rows; a registration, one).  n may
 * be 0.  The NIK indexes of one call are distinct. */

/* What the store knows of one NIK index before a write.  Rows found stay
 * the transaction's (no other writer changes them) to its end. */
typedef struct pk_pknown {
    int64_t id;                       /* 0: no participant has this NIK */
    uint8_t kk_bi[PK_BI_LEN];
    uint8_t digest[PK_DIGEST_LEN];
    uint64_t base_reasons, reasons;
    char scheme[16];
    unsigned lists;                   /* PK_LIST_* bits, registered or not */
} pk_pknown;
int pk_tx_participants_find(pk_tx *tx, size_t n, const pk_bi *nik_bi,
                            pk_pknown *out);
/* The ids of the participants with these NIK indexes (distinct), ids[i]
 * for nik_bi[i], 0 where nobody has it; only the NIK index is read (no
 * row, no lock, no list): an event import's look-up of its people. */
int pk_tx_participant_ids(pk_tx *tx, size_t n, const pk_bi *nik_bi, int64_t *ids);
/* Writes n rows in array order: a row with id 0 is inserted and its new
 * id filled in (ids ascend in array order: the order of registration);
 * any other replaces that participant's data.  created_at/updated_at
 * are the store's clock.  PK_ECONFLICT when an inserted NIK exists (in a
 * shared store, another process may have inserted it since the find:
 * redo the batch).  PK_EBUSY when the database broke a deadlock by
 * failing this transaction's statement: roll back to a savepoint and
 * redo. */
int pk_tx_participants_write(pk_tx *tx, size_t n, pk_prow *rows);

/* The members of the families kk_bi[0..n) (repeats allowed), in order
 * of KK index, then id: cb gets each (fields valid during the call).
 * The families stay the transaction's to its end (no other writer adds
 * members meanwhile), so ids handed out afterwards come after every
 * member seen: the family-card limit follows the order of registration
 * (app/registry.c applies it). */
typedef struct pk_member {
    const uint8_t *kk_bi;
    int64_t id;
    const char *scheme;
    uint64_t base_reasons, reasons;
} pk_member;
typedef int (*pk_member_cb)(void *ctx, const pk_member *m);
int pk_tx_kk_members(pk_tx *tx, size_t n, const pk_bi *kk_bi, pk_member_cb cb, void *ctx);
/* Sets the reasons of participant ids[i] to reasons[i]. */
int pk_tx_set_reasons(pk_tx *tx, size_t n, const int64_t *ids, const uint64_t *reasons);

/* Bulk loading of an empty registry.  Filling it from a large file is
 * fastest with the participant indexes built once at the end instead of
 * kept up to date row by row.  bulk_begin drops them inside tx when the
 * registry is empty (*on = true; false otherwise, or when the backend
 * has no such mode; a backend may keep an index that is cheap to keep,
 * and may end tx and begin it again first, as it has written nothing);
 * the whole load is then this one transaction.  While
 * on, participants_find reports every NIK as new (the caller guarantees
 * that each is, and appears once) and kk_members reports nobody: the
 * caller applies the family-card limit within each batch, marks the
 * families that also have members in other batches (bulk_mark), and
 * after bulk_end revisits those (bulk_families).  bulk_end builds the
 * indexes again; PK_ECONFLICT, leaving tx as it was, when two rows share
 * a NIK: the caller folds each repeat into the first row of its NIK
 * (bulk_repeats, bulk_fold) and calls it again. */
int pk_tx_bulk_begin(pk_tx *tx, bool *on);
int pk_tx_bulk_mark(pk_tx *tx, size_t n, const pk_bi *kk_bi);
int pk_tx_bulk_end(pk_tx *tx);
/* A row whose NIK another row shares. */
typedef struct pk_repeat {
    pk_bi nik_bi, kk_bi;
    int64_t id;
    uint8_t digest[PK_DIGEST_LEN];
} pk_repeat;
/* Up to `limit` of those rows, in order of (nik_bi, id), after the row
 * (after_nik, after_id) (after_nik NULL: from the first); *n says how
 * many. */
int pk_tx_bulk_repeats(pk_tx *tx, const uint8_t *after_nik, int64_t after_id, size_t limit,
                       pk_repeat *out, size_t *n);
/* Deletes row `from`, or, when `copy`, row `keep` with row `from` taking
 * its place: keep's id and created_at, from's created_at as updated_at,
 * from's base reasons as reasons (the caller applies the family limit
 * again) and all of from's other fields. */
int pk_tx_bulk_fold(pk_tx *tx, int64_t keep, int64_t from, bool copy);
/* Up to `limit` KK indexes, in order, after `after` (NULL: from the
 * first), of the marked families with more than `small` members; *n says
 * how many. */
int pk_tx_bulk_families(pk_tx *tx, int small, const uint8_t *after, size_t limit, pk_bi *out,
                        size_t *n);

/* Appends to the audit log of writes (never personal data in `detail`).
 * The log is append only: no op changes or deletes an entry, and a
 * database trigger refuses UPDATE and DELETE. */
typedef struct pk_audit_entry {
    const char *actor;                /* who: "user:NAME" (a staff account, by session or
                                       * API token), "cli:UNIXUSER", "public" (a resident) */
    const char *source, *action;      /* the channel ("portal", "api", "operator", "import",
                                       * "exclusion", "cli"); what was done ("user.add", ...) */
    int64_t subject;                  /* 0: none */
    const char *detail;
} pk_audit_entry;
int pk_tx_audit_many(pk_tx *tx, size_t n, const pk_audit_entry *e);
int pk_tx_audit(pk_tx *tx, const char *actor, const char *source, const char *action,
                int64_t subject, const char *detail);

/* Exclusion lists.  Replacing a list: clear it, add entries, then
 * re-evaluate everyone whose membership changed (the caller walks
 * pk_tx_list_changes, which reports each NIK index added or removed
 * since pk_tx_list_clear). */
int pk_tx_list_clear(pk_tx *tx, const char *list);
int pk_tx_list_add(pk_tx *tx, const char *list, const uint8_t nik_bi[PK_BI_LEN],
                   const uint8_t *note, size_t note_len);
typedef int (*pk_bi_cb)(void *ctx, const uint8_t bi[PK_BI_LEN]);
int pk_tx_list_changes(pk_tx *tx, const char *list, pk_bi_cb cb, void *ctx);
int pk_tx_list_count(pk_tx *tx, const char *list, int64_t *count);

/* Re-evaluation of one participant by NIK index: fn gets the row (pii not
 * loaded) and its lists and returns the new base reasons, which the store
 * writes.  PK_ENOENT when there is no such participant. */
typedef uint64_t (*pk_reeval_fn)(void *ctx, const pk_prow *row, unsigned lists);
/* *changed is set when the base reasons changed; kk_bi receives the
 * row's KK index so the caller can re-apply the KK limit. */
int pk_tx_reevaluate(pk_tx *tx, const uint8_t nik_bi[PK_BI_LEN], pk_reeval_fn fn, void *ctx,
                     uint8_t kk_bi[PK_BI_LEN], int *changed);

/* Reads (any thread).  Walks the participants of a region subtree
 * (dotted code prefix; NULL or "" for all) in id order. */
typedef int (*pk_prow_cb)(void *ctx, const pk_prow *row);
int pk_store_participants_each(pk_store *s, const char *region, pk_prow_cb cb, void *ctx);

/* What a resident may learn about their own registration (the public
 * status look-up): no sealed data.  PK_ENOENT when no participant has
 * this NIK index. */
typedef struct pk_pstatus {
    char tanggal_lahir[16];   /* YYYY-MM-DD */
    char scheme[64];
    uint64_t reasons;         /* 0 = eligible */
    char created_at[40];
} pk_pstatus;
int pk_store_participant_status(pk_store *s, const uint8_t nik_bi[PK_BI_LEN], pk_pstatus *out);

typedef struct pk_stats {
    int64_t total, eligible;
    int64_t by_segment[4];        /* index: pk_segment */
    int64_t by_sex[2];            /* L, P */
    int64_t by_reason[64];        /* index: pk_code */
} pk_stats;
/* The counts of a region subtree (dotted code prefix; NULL or "" for
 * all), summed from the counters kept with the participants
 * (participant_count, migration 15), not from the participants: every
 * write of a participant row changes its cell (village, segment, sex,
 * reasons) in the same transaction, by the database's own triggers, so
 * a read costs the same at any size and sees one committed state. */
int pk_store_stats(pk_store *s, const char *region, pk_stats *out);
/* Adds n people of one cell (segment name, sex "L"/"P", set of reasons)
 * to *st, as both backends sum their rows. */
void pk_stats_add_cell(pk_stats *st, const char *segmen, const char *sex, uint64_t reasons,
                       int64_t n);

/* The same counters one level down, in one query: the cells of the
 * subtree `region` grouped by the first `child_len` bytes of their
 * village code (the child regions' codes, which are that long), each
 * group once, in code order, to cb, with every count pk_store_stats
 * gives (the breakdowns hide cells by all of them: app/cells.h).
 * Children without participants are not reported. */
typedef struct pk_child_count {
    char code[PK_REGION_CODE_MAX];
    pk_stats st;
} pk_child_count;
typedef int (*pk_child_count_cb)(void *ctx, const pk_child_count *c);
int pk_store_stats_children(pk_store *s, const char *region, size_t child_len,
                            pk_child_count_cb cb, void *ctx);

/* One cell of the counters: a village, segment, sex and set of reasons,
 * its count as kept and as the participants recount it. */
typedef struct pk_count_cell {
    char region[PK_REGION_CODE_MAX];
    char segmen[16];
    char sex[2];
    uint64_t reasons;
    int64_t kept, counted;
} pk_count_cell;
typedef int (*pk_count_cell_cb)(void *ctx, const pk_count_cell *c);

/* Recounts the participants (one read snapshot) and compares each cell
 * with the counter kept for it: cb gets each cell that differs (a
 * callback's nonzero return stops the walk and is returned); *cells
 * is the number of cells compared (either side nonzero), *people the
 * participants recounted. */
int pk_store_counts_verify(pk_store *s, pk_count_cell_cb cb, void *ctx, int64_t *cells,
                           int64_t *people);

/* Replaces every counter with a recount of the participants, inside tx
 * (PostgreSQL holds off other writers of participants until it ends);
 * *cells: the counters written. */
int pk_tx_counts_rebuild(pk_tx *tx, int64_t *cells);

/* ---- the journey's counters (migration 24, sql_funnel.h) ------------------
 *
 * A cell per (village, kind, k1, k2) kept by the database in the
 * transaction of every write of a journey (or of a participant's village
 * or registration instant), like participant_count: kind "langkah" a
 * funnel step reached (k1 1..5: joined, selected, bought, finished,
 * incentive paid), "hari" the whole WIB days it took to reach step k1
 * from the one before (k2, PK_FUNNEL_DAYS_MAX for that or longer),
 * "tenggat" a recipient without a purchase selected in wave k1 on WIB day
 * k2 (days since 1970-01-01). */
#define PK_FUNNEL_DAYS_MAX 366
typedef struct pk_journey_cell {
    char region[PK_REGION_CODE_MAX]; /* the village, or the group's prefix */
    char kind[16];
    int64_t k1, k2;
    int64_t n;       /* as kept (summed over the group) */
    int64_t counted; /* verify: as the journeys recount it */
} pk_journey_cell;
typedef int (*pk_journey_cell_cb)(void *ctx, const pk_journey_cell *c);
/* The cells of a region subtree (dotted prefix; NULL or "" for all)
 * summed by (the first child_len bytes of the village code, kind, k1,
 * k2), of one kind (NULL or "": every kind), in that order, to cb; groups
 * that sum to 0 left out.  child_len 0: one group for the whole subtree
 * (its region ""); PK_REGION_VILLAGE_LEN or more: the village cells
 * themselves, read in key order without a sort (a caller summing by a
 * prefix itself pays the read alone).  Above a city, whole (0) or by city
 * (PK_REGION_CITY_LEN): the city cells, a few per city.  A read costs the
 * cells of the range, not the people. */
int pk_store_journey_counts(pk_store *s, const char *region, size_t child_len, const char *kind,
                            pk_journey_cell_cb cb, void *ctx);
/* The child_len reading region `region`'s cells the cheapest way when a
 * group of them is wanted by `child_len` (0: the whole region): of a city
 * and below, the village cells as they are (the caller sums them: the
 * store's grouping would sort them); above, as asked (the city cells). */
static inline size_t pk_store_journey_by(const char *region, size_t child_len)
{
    return region != NULL && strlen(region) >= PK_REGION_CITY_LEN ? PK_REGION_VILLAGE_LEN
                                                                  : child_len;
}
/* Recounts every journey's facts (one snapshot) against the cells kept:
 * cb gets each that differs; *cells is the number compared. */
int pk_store_journey_counts_verify(pk_store *s, pk_journey_cell_cb cb, void *ctx,
                                   int64_t *cells);
/* Replaces the journey's cells with a recount, inside tx (PostgreSQL
 * holds off writers of journeys and participants until it ends). */
int pk_tx_journey_counts_rebuild(pk_tx *tx, int64_t *cells);

/* ---- key rotation: boxes sealed under an older generation ----------------
 *
 * A box's first byte is the generation of the seal key it was sealed with
 * (app/vault.h).  A rotation walks the boxes of an older generation in key
 * order, a batch per transaction, and re-seals each in place. */

/* participant.pii, exclusion.note, pk_platform.secret */
enum { PK_SEALED_PII, PK_SEALED_NOTE, PK_SEALED_SECRET };

typedef struct pk_sealed {
    int64_t id;                  /* participant id (PK_SEALED_PII) */
    const char *list;            /* exclusion list (PK_SEALED_NOTE), platform code (_SECRET) */
    uint8_t nik_bi[PK_BI_LEN];   /* the row's NIK index: the box's AD (not a secret's) */
    const uint8_t *box;
    size_t len;
} pk_sealed;
typedef int (*pk_sealed_cb)(void *ctx, const pk_sealed *s);
/* Calls cb for at most `limit` boxes of `what` whose generation is below
 * `gen`, in key order after `after` (NULL: from the start).  The fields
 * point into the store's buffers, valid during the call only; cb must
 * not write through tx (copy, then write after this returns). */
int pk_tx_sealed_older(pk_tx *tx, int what, int gen, const pk_sealed *after, int limit,
                       pk_sealed_cb cb, void *ctx);
/* Replaces old's box with box, only while the row still holds old->box
 * (a concurrent write wins); *replaced is 1 when it did, else 0.  Nothing
 * else of the row changes (not updated_at: a re-seal is no edit). */
int pk_tx_sealed_replace(pk_tx *tx, int what, const pk_sealed *old, const uint8_t *box,
                         size_t len, int *replaced);
/* How many boxes (of every kind) each generation seals: counts[g]. */
int pk_store_sealed_generations(pk_store *s, int64_t counts[256]);

/* ---- accounts, sessions, API tokens, failed logins ------------------------
 *
 * Each call is its own small transaction.
 * Times are Unix seconds from the caller's clock, so every process judges
 * expiry alike.  Session ids, API tokens and throttling keys arrive
 * already hashed with a server key (app/auth.c): the database never holds
 * anything that opens a session by itself. */

/* PK_USERNAME_MAX, PK_ROLE_MAX and PK_AUTH_HASH_LEN: core/pk.h */
#define PK_PWHASH_MAX 128    /* crypto_pwhash_STRBYTES */
#define PK_THROTTLE_KEY_LEN 16

typedef struct pk_user {
    int64_t id;
    char username[PK_USERNAME_MAX];
    char role[PK_ROLE_MAX];          /* "admin", "operator", "viewer" */
    char region[PK_REGION_CODE_MAX]; /* dotted region code; "" for none */
    char pwhash[PK_PWHASH_MAX];      /* Argon2id string */
    int disabled;
    char created_at[32];
} pk_user;

/* The account ops that change something take an optional audit entry
 * (NULL: none), written in the same transaction as the change, so
 * neither is without the other.  Its subject is the store's: the user's
 * id (user_insert, user_update), the token's (token_insert,
 * token_revoke); an entry is written only when the change is made. */

/* Inserts u (id ignored); PK_ECONFLICT when the username exists. */
int pk_store_user_insert(pk_store *s, const pk_user *u, const pk_audit_entry *audit,
                         int64_t *id);
/* The user of that name; PK_ENOENT. */
int pk_store_user_find(pk_store *s, const char *username, pk_user *out);
/* Writes role, region, pwhash and disabled of u->id and ends every session
 * of that user (a new password or a disabled account logs out
 * everywhere).  PK_ENOENT when there is no such user. */
int pk_store_user_update(pk_store *s, const pk_user *u, const pk_audit_entry *audit);
typedef int (*pk_user_cb)(void *ctx, const pk_user *u);
/* Every user in id order; stops early with cb's non-zero value. */
int pk_store_users_each(pk_store *s, pk_user_cb cb, void *ctx);

int pk_store_session_insert(pk_store *s, const uint8_t id[PK_AUTH_HASH_LEN], int64_t user_id,
                            int64_t now);
/* A session and its user: created and last-seen times.  PK_ENOENT. */
int pk_store_session_get(pk_store *s, const uint8_t id[PK_AUTH_HASH_LEN], int64_t *created,
                         int64_t *seen, pk_user *user);
int pk_store_session_touch(pk_store *s, const uint8_t id[PK_AUTH_HASH_LEN], int64_t now);
/* Deletes one session (0 even when it did not exist). */
int pk_store_session_delete(pk_store *s, const uint8_t id[PK_AUTH_HASH_LEN]);
/* Housekeeping: deletes sessions last seen before idle_before or created
 * before created_before. */
int pk_store_sessions_expire(pk_store *s, int64_t idle_before, int64_t created_before);

int pk_store_token_insert(pk_store *s, const uint8_t hash[PK_AUTH_HASH_LEN], int64_t user_id,
                          const char *label, const pk_audit_entry *audit, int64_t *id);
/* The unrevoked token with this hash and its user; PK_ENOENT. */
int pk_store_token_find(pk_store *s, const uint8_t hash[PK_AUTH_HASH_LEN], int64_t *id,
                        pk_user *user);
/* PK_ENOENT when there is no such token or it was revoked already. */
int pk_store_token_revoke(pk_store *s, int64_t id, const pk_audit_entry *audit);
/* A token as listed: never its hash.  The strings live until the
 * callback returns. */
typedef struct pk_token_info {
    int64_t id;
    const char *username, *label;
    const char *created_at;
    const char *revoked_at;  /* NULL while the token is active */
} pk_token_info;
typedef int (*pk_token_cb)(void *ctx, const pk_token_info *t);
/* Every token, revoked ones too, of the user user_id (0: of every user),
 * in id order; stops early with cb's non-zero value. */
int pk_store_tokens_each(pk_store *s, int64_t user_id, pk_token_cb cb, void *ctx);

/* Throttling events under a key (keyed-hashed by app/auth.c: an account,
 * a client address, an account at an address, or an account's last
 * unlock).  add also forgets every event older than forget_before. */
int pk_store_login_failure_add(pk_store *s, const uint8_t key[PK_THROTTLE_KEY_LEN], int64_t now,
                               int64_t forget_before);
/* How many events since `since`, and the times of the oldest and the
 * newest of them (0 and 0 when none). */
int pk_store_login_failures(pk_store *s, const uint8_t key[PK_THROTTLE_KEY_LEN], int64_t since,
                            int64_t *count, int64_t *oldest, int64_t *newest);
int pk_store_login_failures_clear(pk_store *s, const uint8_t key[PK_THROTTLE_KEY_LEN]);

/* ---- staff reads of personal data, and the access log ----------------------
 *
 * `scope` is the caller's region subtree (dotted code prefix; NULL or ""
 * for all, admins only).  It is applied in the query itself: a row
 * outside it is never read, so to the caller it does not exist. */

/* A place in a search's order: the match tier, then the id.  Tiers of a
 * name search (case folded): 0 the name starts with the query, 1 a word
 * of it (after a space) does, 2 it contains the query elsewhere; a NIK
 * search has tier 0 only.  The tier depends on the name and the query
 * alone, and ids only grow, so the order of the rows present is the same
 * in every snapshot: paging by key (after the last key shown) returns
 * every row that stays exactly once, while rows are added (a row added
 * after a page was read shows up only if its key falls after it). */
typedef struct pk_search_key {
    int tier;    /* 0..2 */
    int64_t id;
} pk_search_key;
#define PK_SEARCH_TIERS 3

/* The participants of scope whose name contains `name` (case-insensitive,
 * a plain substring: '%' and '_' are ordinary characters) or, when nik_bi
 * is not NULL, the one with that NIK index; in key order (tier, id), only
 * keys after `after` (NULL: from the first), at most `limit` rows, each row's tier in row->tier.  Bounded by `limit`,
 * not by the number of matches: the index is read in id order within a
 * tier and stops (SQLite; PostgreSQL sorts the matches of the scope).
 * Stops early with cb's non-zero value.  PK_EINVAL for a key's tier out
 * of 0..2. */
int pk_store_participants_search(pk_store *s, const char *scope, const char *name,
                                 const uint8_t nik_bi[PK_BI_LEN], const pk_search_key *after,
                                 int limit, pk_prow_cb cb, void *ctx);
/* Calls cb with participant `id` (pii loaded) when it lies inside scope;
 * PK_ENOENT otherwise, the same answer as for an id that does not exist. */
int pk_store_participant_get(pk_store *s, const char *scope, int64_t id, pk_prow_cb cb,
                             void *ctx);

/* The access log: append only (no op changes or deletes an entry, and a
 * database trigger refuses UPDATE and DELETE).  Never personal data in
 * detail: record ids, counts, region codes. */
typedef struct pk_access_entry {
    int64_t id;           /* filled on reads */
    const char *at;       /* filled on reads: UTC, ISO 8601 */
    const char *actor;    /* "user:NAME" (portal) or "cli:UNIXUSER" */
    const char *action;   /* "participant.view", "participant.nik", "participant.search",
                           * "participants.export" */
    const char *route;    /* the route pattern or command: why it was read */
    int64_t subject;      /* participant id; 0 for none */
    const char *detail;
} pk_access_entry;
/* One entry in tx (the web's reads record theirs through the group
 * committer: app/operator.c), or in a transaction of its own. */
int pk_tx_access_log_add(pk_tx *tx, const pk_access_entry *e);
int pk_store_access_log_add(pk_store *s, const pk_access_entry *e);

/* ---- both logs read back: writes (audit) and reads (access log) ----------- */

/* Which entries: every condition given must hold.  Strings "" (or NULL)
 * for no condition. */
typedef struct pk_log_filter {
    bool writes, reads;      /* which logs */
    const char *actor;       /* exactly this actor ("user:NAME", "cli:UNIXUSER") */
    const char *kind;        /* this action, or the actions "KIND.*" */
    const char *since;       /* at >= since (a prefix of an ISO 8601 time) */
    const char *before;      /* at < before */
    int64_t limit;           /* the newest `limit` (<= 0: all) */
} pk_log_filter;
/* An entry of either log.  Strings valid during the callback only. */
typedef struct pk_log_entry {
    bool write;              /* the audit log (else the access log) */
    int64_t id;              /* the entry's id in its own log */
    const char *at, *actor, *action;
    const char *place;       /* write: its source (channel); read: its route */
    int64_t subject;         /* 0: none */
    const char *detail;
} pk_log_entry;
typedef int (*pk_log_cb)(void *ctx, const pk_log_entry *e);
/* The entries matching f, oldest first (by time, then writes before reads,
 * then id); stops early with cb's non-zero value. */
int pk_store_logs_find(pk_store *s, const pk_log_filter *f, pk_log_cb cb, void *ctx);

/* The programme's ops: the journey, platforms, waves, catalogue, reminders. */
#include "store/store_programme.h"

#endif
