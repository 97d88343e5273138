/* store_test.h -- the store contract suite (tests/store/): what its
 * divisions share.
 *
 * One program drives the store interface (src/store/store.h) alone, on
 * the backend PRAKERJA_TEST_BACKEND names (sqlite, the default, or pg on
 * the cluster of PRAKERJA_TEST_PG).  Each test gets a fresh database:
 * a copy of one migrated once per run (SQLite: a file copied; PostgreSQL:
 * CREATE DATABASE ... TEMPLATE), or an empty one for the schema tests.
 * Sealed boxes, blind indexes and digests are opaque bytes to the store,
 * so the tests make them up (st_bi, st_person_init): no vault. */
#ifndef ST_STORE_TEST_H
#define ST_STORE_TEST_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <stdbool.h>

#include "core/pk.h"
#include "store/store.h"

/* ---- the database of one test ---- */

typedef struct st_fx {
    pk_store *s;
    char url[1024]; /* SQLite: a file path; PostgreSQL: a URL */
    char pgname[64];
} st_fx;

extern bool st_pg; /* the backend under test is PostgreSQL */

#define ST_FX(state) ((st_fx *)*(state))
#define ST_S(state) (ST_FX(state)->s)

int st_group_setup(void **state);
int st_group_teardown(void **state);
/* A fresh database migrated to the newest version, opened in *state. */
int st_setup(void **state);
/* A fresh empty database (not migrated). */
int st_setup_empty(void **state);
int st_teardown(void **state);
const char *st_datadir(void);
/* Runs SQL on the fixture's database behind the store's back (only for
 * what the interface cannot do: a database newer than the binary). */
void st_sql(const st_fx *fx, const char *sql);
/* The same, answering whether the database accepted it (0) or refused it
 * (-1), without failing the test. */
int st_sql_try(const st_fx *fx, const char *sql);
/* Opens another store on the fixture's database (a second process). */
pk_store *st_open_again(const st_fx *fx);

/* ---- made-up opaque values ---- */

/* A blind index: 16 bytes that look random, a function of (kind, n). */
void st_bi(uint8_t out[PK_BI_LEN], char kind, unsigned n);
/* first byte `first`, the others `rest` (edges of the key order) */
void st_bi_fill(uint8_t out[PK_BI_LEN], uint8_t first, uint8_t rest);
void st_auth(uint8_t out[PK_AUTH_HASH_LEN], unsigned n);
void st_key(uint8_t out[PK_THROTTLE_KEY_LEN], unsigned n);

/* A participant row and the storage its pointers use.  Defaults: born
 * 1990-01-02, "L", "sma", "pencari_kerja", no occupation, scheme "2024",
 * eligible, source "portal", as of 2024-06-01, a box of generation 1. */
typedef struct st_person {
    pk_prow r;
    uint8_t pii[40];
} st_person;
pk_prow *st_person_init(st_person *p, unsigned nik, unsigned kk, const char *nama,
                        const char *wilayah);
/* The box's first byte (its seal generation). */
void st_person_gen(st_person *p, uint8_t gen);

/* Writes p[0..n) through tx (rows in array order) and copies the ids
 * handed out back into p; returns what participants_write returned. */
int st_write(pk_tx *tx, size_t n, st_person *p);
/* The same in a transaction of its own, which must commit. */
void st_insert(pk_store *s, size_t n, st_person *p);

/* ---- rows read back ---- */

typedef struct st_row {
    int64_t id;
    uint8_t nik_bi[PK_BI_LEN], kk_bi[PK_BI_LEN], digest[PK_DIGEST_LEN];
    uint8_t pii[64];
    size_t pii_len;
    char nama[64], tanggal_lahir[16], jenis_kelamin[4], kode_wilayah[24], pendidikan[24],
        segmen[32], pekerjaan[32], scheme[16], source[16], as_of[16], created_at[40],
        updated_at[40];
    uint64_t warnings, base_reasons, reasons;
    int tier; /* participants_search */
} st_row;

#define ST_ROWS_MAX 512
typedef struct st_rows {
    size_t n;
    size_t stop_after; /* st_collect returns stop_rc after this many (0: never) */
    int stop_rc;
    st_row r[ST_ROWS_MAX];
} st_rows;

st_rows *st_rows_new(void);
/* A pk_prow_cb that copies each row into an st_rows. */
int st_collect(void *ctx, const pk_prow *row);
/* participants_each(region) into a new st_rows (asserts success). */
st_rows *st_each(pk_store *s, const char *region);
const st_row *st_row_by_id(const st_rows *rows, int64_t id);
/* The row of p as stored now (asserts it exists). */
void st_read(pk_store *s, int64_t id, st_row *out);

void st_sleep_ms(int ms);

/* Another writer on a thread of its own (st_finder_run, given to
 * pthread_create): finds a NIK (its row then locked) in a transaction
 * of its own on s, and commits; done set at the end. */
typedef struct st_finder {
    pk_store *s;
    pk_bi nik;
    atomic_int done;
    int rc;
    int64_t id_seen;
} st_finder;
void *st_finder_run(void *arg);
int st_bi_cmp(const void *a, const void *b);

/* A case where a backend is known to break the contract (a bug or a
 * disagreement, listed in tests/store/README.md): the test checks the
 * contract, and where the backend breaks it in the known way it prints
 * this TAP comment instead of failing (cmocka 1.1.5 writes a skipped
 * test as "not ok # SKIP", which meson counts as a failure).  A case
 * that would crash the program is not run on that backend at all. */
#define ST_KNOWN_BUG(backend, what)                                                   \
    print_message("# KNOWN BUG (%s, expected failure): %s\n", backend, what)

/* ---- the divisions ---- */

#define ST_TEST(f) cmocka_unit_test_setup_teardown(f, st_setup, st_teardown)
#define ST_TEST_EMPTY(f) cmocka_unit_test_setup_teardown(f, st_setup_empty, st_teardown)

typedef struct st_division {
    const struct CMUnitTest *tests;
    size_t n;
} st_division;

extern const st_division st_schema, st_participants, st_bulk, st_lists, st_accounts, st_reads,
    st_sealed, st_logs, st_journey, st_platform, st_counts, st_remind, st_outreach, st_funnel,
    st_locks;

#endif
