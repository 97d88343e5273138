/* test_schema.c -- versions and migrations, ping and shared, the meta
 * values (put_once), and the region table (regions_each). */
#include "store_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An empty database is at version 0; migrate brings it to the newest
 * this binary knows, and again changes nothing (idempotent); another
 * handle on the same database (another process) sees the same. */
static void migrate_from_empty_then_again(void **state)
{
    pk_store *s = ST_S(state);
    int current = -1, latest = -1, from = -1, to = -1;
    char err[512] = "";
    assert_int_equal(pk_store_version(s, &current, &latest), 0);
    assert_int_equal(current, 0);
    assert_true(latest > 0);
    assert_int_equal(pk_store_migrate(s, st_datadir(), &from, &to, err, sizeof(err)), 0);
    assert_int_equal(from, 0);
    assert_int_equal(to, latest);
    assert_int_equal(pk_store_version(s, &current, &latest), 0);
    assert_int_equal(current, latest);
    from = to = -1;
    assert_int_equal(pk_store_migrate(s, st_datadir(), &from, &to, err, sizeof(err)), 0);
    assert_int_equal(from, latest);
    assert_int_equal(to, latest);
    pk_store *again = st_open_again(ST_FX(state));
    int c2 = -1, l2 = -1;
    assert_int_equal(pk_store_version(again, &c2, &l2), 0);
    assert_int_equal(c2, latest);
    assert_int_equal(l2, latest);
    from = to = -1;
    assert_int_equal(pk_store_migrate(again, st_datadir(), &from, &to, err, sizeof(err)), 0);
    assert_int_equal(from, latest);
    assert_int_equal(to, latest);
    pk_store_close(again);
    /* the migrated schema works: a participant goes in */
    st_person p;
    st_person_init(&p, 1, 1, "Siti", "31.71.01.1001");
    st_insert(s, 1, &p);
    assert_true(p.r.id > 0);
}

/* A database at a version newer than the binary is refused, with the
 * explanation, and reported as it is. */
static void migrate_refuses_a_newer_database(void **state)
{
    pk_store *s = ST_S(state);
    int current, latest;
    assert_int_equal(pk_store_version(s, &current, &latest), 0);
    char sql[512];
    assert_int_equal(current, latest);
    snprintf(sql, sizeof(sql),
             "INSERT INTO pk_migration (version, name, applied_at)"
             " VALUES (%d, 'from the future', '2999-01-01T00:00:00Z')",
             latest + 1);
    st_sql(ST_FX(state), sql);
    assert_int_equal(pk_store_version(s, &current, &latest), 0);
    assert_int_equal(current, latest + 1);
    char err[512] = "";
    int from = -1, to = -1;
    assert_int_equal(pk_store_migrate(s, st_datadir(), &from, &to, err, sizeof(err)),
                     PK_ESCHEMA);
    assert_non_null(strstr(err, "newer"));
}

/* ping answers; shared says whether other processes may write at the
 * same time: PostgreSQL yes, SQLite (one writer) no. */
static void ping_and_shared(void **state)
{
    pk_store *s = ST_S(state);
    assert_int_equal(pk_store_ping(s), 0);
    assert_int_equal(pk_store_shared(s), st_pg);
}

static void meta_get_and_put_once(void **state)
{
    pk_store *s = ST_S(state);
    uint8_t buf[64];
    size_t len = 0;
    assert_int_equal(pk_store_meta_get(s, "key_check", buf, sizeof(buf), &len), PK_ENOENT);
    /* bytes, NUL included */
    const uint8_t first[] = {'a', 0, 0xff, 'b'}, second[] = {'z', 'z'};
    assert_int_equal(pk_store_meta_put_once(s, "key_check", first, sizeof(first)), 0);
    assert_int_equal(pk_store_meta_get(s, "key_check", buf, sizeof(buf), &len), 0);
    assert_int_equal(len, sizeof(first));
    assert_memory_equal(buf, first, sizeof(first));
    /* the first writer wins, the second is no error (it reads back to compare) */
    assert_int_equal(pk_store_meta_put_once(s, "key_check", second, sizeof(second)), 0);
    assert_int_equal(pk_store_meta_get(s, "key_check", buf, sizeof(buf), &len), 0);
    assert_int_equal(len, sizeof(first));
    assert_memory_equal(buf, first, sizeof(first));
    /* ...also through another handle (another process) */
    pk_store *again = st_open_again(ST_FX(state));
    assert_int_equal(pk_store_meta_put_once(again, "key_check", second, sizeof(second)), 0);
    assert_int_equal(pk_store_meta_get(again, "key_check", buf, sizeof(buf), &len), 0);
    assert_memory_equal(buf, first, sizeof(first));
    pk_store_close(again);
    /* a value larger than the buffer: PK_ETOOBIG and its size (both
     * backends; store.h names only 0 and PK_ENOENT) */
    assert_int_equal(pk_store_meta_get(s, "key_check", buf, 2, &len), PK_ETOOBIG);
    assert_int_equal(len, sizeof(first));
    /* migration 6 names the blind-index function of a new database */
    assert_int_equal(pk_store_meta_get(s, "blind", buf, sizeof(buf), &len), 0);
    assert_int_equal(len, strlen("siphash24-2x64"));
    assert_memory_equal(buf, "siphash24-2x64", len);
}

/* An empty value is a value like any other. */
static void meta_empty_value(void **state)
{
    pk_store *s = ST_S(state);
    uint8_t buf[8];
    size_t len = 99;
    assert_int_equal(pk_store_meta_put_once(s, "empty", (const uint8_t *)"", 0), 0);
    assert_int_equal(pk_store_meta_get(s, "empty", buf, sizeof(buf), &len), 0);
    assert_int_equal(len, 0);
}

typedef struct regions {
    long n;
    char last[32];
    bool ordered, gambir, jakpus, aceh_first;
    long stop_at;
} regions;

static int region_cb(void *ctx, const char *code, const char *name)
{
    regions *r = ctx;
    if (r->n == 0)
        r->aceh_first = strcmp(code, "11") == 0 && strcmp(name, "ACEH") == 0;
    else if (strcmp(r->last, code) >= 0)
        r->ordered = false;
    snprintf(r->last, sizeof(r->last), "%s", code);
    if (strcmp(code, "31.71.01.1001") == 0)
        r->gambir = strcmp(name, "Gambir") == 0;
    if (strcmp(code, "31.71") == 0)
        r->jakpus = strstr(name, "JAKARTA PUSAT") != NULL;
    r->n++;
    return r->stop_at != 0 && r->n == r->stop_at ? 42 : 0;
}

/* Every region of every level, in code order; a non-zero answer of cb
 * stops the walk and is returned. */
static void regions_each_in_code_order(void **state)
{
    pk_store *s = ST_S(state);
    regions r = {.ordered = true};
    assert_int_equal(pk_store_regions_each(s, region_cb, &r), 0);
    /* data/wilayah: 38 provinces, 514 regencies, 7277 districts, 83763 villages */
    assert_int_equal(r.n, 38 + 514 + 7277 + 83763);
    assert_true(r.ordered);
    assert_true(r.aceh_first);
    assert_true(r.gambir);
    assert_true(r.jakpus);
    regions stop = {.ordered = true, .stop_at = 10};
    assert_int_equal(pk_store_regions_each(s, region_cb, &stop), 42);
    assert_int_equal(stop.n, 10);
}

static const struct CMUnitTest tests[] = {
    ST_TEST_EMPTY(migrate_from_empty_then_again),
    ST_TEST(migrate_refuses_a_newer_database),
    ST_TEST(ping_and_shared),
    ST_TEST(meta_get_and_put_once),
    ST_TEST(meta_empty_value),
    ST_TEST(regions_each_in_code_order),
};
const st_division st_schema = {tests, sizeof(tests) / sizeof(tests[0])};
