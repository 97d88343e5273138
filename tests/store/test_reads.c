/* test_reads.c -- staff reads of personal data (participants_search,
 * participant_get) within a region scope, and the access log. */
#include "store_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* People to look for: (nik, name, village) */
static const struct {
    unsigned nik;
    const char *nama, *village;
} people[] = {
    {1, "Siti Aminah", "31.71.01.1001"}, {2, "SITI Rahma", "31.71.02.1001"},
    {3, "Budi 100%", "31.71.01.1002"},   {4, "Budi_x", "31.71.01.1001"},
    {5, "Siti Luar", "31.72.01.1001"},   {6, "Siti Aceh", "11.10.01.2001"},
    {7, "Budi 1000", "31.71.01.1001"},   {8, "Siti Aminah", "31.71.01.1001"},
    {9, "Dewi \"AND\" -Sari*", "31.71.01.1001"},
};
#define NPEOPLE (sizeof(people) / sizeof(people[0]))

static void place(pk_store *s, st_person *p)
{
    for (size_t i = 0; i < NPEOPLE; i++)
        st_person_init(&p[i], people[i].nik, people[i].nik, people[i].nama, people[i].village);
    st_insert(s, NPEOPLE, p);
}

static int cmp_char(const void *a, const void *b)
{
    return *(const char *)a - *(const char *)b;
}

/* The niks (1-based indexes into people) a search answered, as a string
 * (by name: sorted). */
static void search(pk_store *s, const char *scope, const char *name, const uint8_t *nik,
                   int limit, const st_person *p, const char *want)
{
    st_rows *rows = st_rows_new();
    assert_int_equal(pk_store_participants_search(s, scope, name, nik, limit, st_collect, rows),
                     0);
    char got[32] = "";
    for (size_t i = 0; i < rows->n && i < sizeof(got) - 1; i++)
        for (size_t j = 0; j < NPEOPLE; j++)
            if (rows->r[i].id == p[j].r.id)
                got[i] = (char)('1' + j);
    /* by name the order is the backend's rank: compared as sets here
     * (search_by_name_ranked looks at the order) */
    if (nik == NULL)
        qsort(got, strlen(got), 1, cmp_char);
    if (strcmp(got, want) != 0)
        fail_msg("search scope=%s name=%s: got \"%s\", want \"%s\"", scope ? scope : "NULL",
                 name ? name : "NULL", got, want);
    free(rows);
}

/* By name: a case-insensitive plain substring ('%' and '_' are
 * characters, and so is FTS5's query syntax), at most limit rows, inside
 * scope. */
static void search_by_name_in_scope(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[NPEOPLE];
    place(s, p);
    /* "SITI Rahma" < "Siti Aminah" in byte order: 'I' < 'i' */
    search(s, "31.71", "siti", NULL, 10, p, "128");
    search(s, "31.71", "SiTi AMI", NULL, 10, p, "18");
    search(s, NULL, "siti", NULL, 10, p, "12568");
    search(s, "", "siti", NULL, 10, p, "12568");
    /* FTS5 syntax is text: never an error, never more than the text */
    search(s, "31.71", "siti*", NULL, 10, p, "");
    search(s, "31.71", "sari*", NULL, 10, p, "9");
    search(s, "31.71", "sari**", NULL, 10, p, "");
    search(s, "31.71", "-sari", NULL, 10, p, "9");
    search(s, "31.71", "-siti", NULL, 10, p, "");
    search(s, "31.71", "siti OR budi", NULL, 10, p, "");
    search(s, "31.71", "siti AND aminah", NULL, 10, p, "");
    search(s, "31.71", "and", NULL, 10, p, "9");
    search(s, "31.71", "\"and\" -", NULL, 10, p, "9");
    search(s, "31.71", "\"siti\"", NULL, 10, p, "");
    search(s, "31.71", "\"", NULL, 10, p, "9");
    search(s, "31.71", "\"\"\"", NULL, 10, p, "");
    search(s, "31.71", "NEAR(siti aminah)", NULL, 10, p, "");
    search(s, "31.71", "nama:siti", NULL, 10, p, "");
    search(s, "31.71", "^siti", NULL, 10, p, "");
    search(s, "31.71", "(siti)", NULL, 10, p, "");
    search(s, "31.71", "%", NULL, 10, p, "3");
    search(s, "31.71", "_", NULL, 10, p, "4");
    search(s, "31.71", "budi 100", NULL, 10, p, "37");
    st_rows *two = st_rows_new();
    assert_int_equal(pk_store_participants_search(s, "31.71", "siti", NULL, 2, st_collect, two),
                     0);
    assert_int_equal(two->n, 2);
    free(two);
    search(s, "31.71.01.1001", "siti", NULL, 10, p, "18");
    search(s, "31.7", "siti", NULL, 10, p, "");
    search(s, "11.1", "siti", NULL, 10, p, "");
    search(s, "11.10", "siti", NULL, 10, p, "6");
    search(s, "31.71", "nobody", NULL, 10, p, "");
    st_rows *rows = st_rows_new();
    rows->stop_after = 1;
    rows->stop_rc = 6;
    assert_int_equal(pk_store_participants_search(s, NULL, "siti", NULL, 10, st_collect, rows),
                     6);
    assert_int_equal(rows->n, 1);
    free(rows);
}

/* By name the best match first: a name that is the query itself before
 * longer names that contain it (SQLite bm25, PostgreSQL similarity), then
 * by id; a name added is found at once (the index is kept in step). */
static void search_by_name_ranked(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[3];
    st_person_init(&p[0], 1, 1, "Budiman Santoso Wijaya Kusuma", "31.71.01.1001");
    st_person_init(&p[1], 2, 2, "Budi", "31.71.01.1001");
    st_person_init(&p[2], 3, 3, "Budi Santoso", "31.71.01.1001");
    st_insert(s, 3, p);
    st_rows *rows = st_rows_new();
    assert_int_equal(pk_store_participants_search(s, NULL, "budi", NULL, 10, st_collect, rows),
                     0);
    assert_int_equal(rows->n, 3);
    assert_int_equal(rows->r[0].id, p[1].r.id);
    assert_int_equal(rows->r[1].id, p[2].r.id);
    assert_int_equal(rows->r[2].id, p[0].r.id);
    free(rows);
}

/* Case-insensitive beyond ASCII: "élise" finds "Élise".  SQLite's
 * lower() folds ASCII only; PostgreSQL's lower() folds by the database's
 * LC_CTYPE (ASCII only in the C locale of the test cluster, every letter
 * in en_US.UTF-8), so the answer depends on the backend and its locale. */
static void search_by_name_folds_non_ascii_case(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[2];
    st_person_init(&p[0], 1, 1, "\xc3\x89lise \xc3\x91u\xc3\xb1" "ez", "31.71.01.1001"); /* Élise Ñuñez */
    st_person_init(&p[1], 2, 2, "Eli", "31.71.01.1001");
    st_insert(s, 2, p);
    st_rows *rows = st_rows_new();
    assert_int_equal(pk_store_participants_search(s, NULL, "\xc3\x89LISE", NULL, 10, st_collect,
                                                  rows),
                     0);
    assert_int_equal(rows->n, 1); /* the same case is found */
    rows->n = 0;
    assert_int_equal(pk_store_participants_search(s, NULL, "\xc3\xa9lise", NULL, 10, st_collect,
                                                  rows),
                     0); /* élise */
    if (rows->n != 1) {
        assert_int_equal(rows->n, 0);
        ST_KNOWN_BUG(st_pg ? "pg" : "sqlite",
                     "participants_search folds the case of ASCII letters only");
    }
    free(rows);
}

/* By NIK index: that one participant (the name is not looked at), only
 * inside scope, with every field (pii too). */
static void search_by_nik_in_scope(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[NPEOPLE];
    place(s, p);
    search(s, "31.71", "no such name", p[1].r.nik_bi, 10, p, "2");
    search(s, NULL, NULL, p[4].r.nik_bi, 10, p, "5");
    search(s, "31.71", NULL, p[4].r.nik_bi, 10, p, "");
    search(s, "31.7", NULL, p[1].r.nik_bi, 10, p, "");
    pk_bi nobody;
    st_bi(nobody, 'N', 999);
    search(s, NULL, NULL, nobody, 10, p, "");
    st_rows *rows = st_rows_new();
    assert_int_equal(
        pk_store_participants_search(s, "31.71.02", NULL, p[1].r.nik_bi, 1, st_collect, rows), 0);
    assert_int_equal(rows->n, 1);
    assert_string_equal(rows->r[0].nama, "SITI Rahma");
    assert_int_equal(rows->r[0].pii_len, p[1].r.pii_len);
    assert_memory_equal(rows->r[0].pii, p[1].r.pii, p[1].r.pii_len);
    free(rows);
}

/* One participant by id, pii loaded, when inside scope; PK_ENOENT when
 * outside, the same answer as for an id nobody has. */
static void get_one_participant_in_scope(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[NPEOPLE];
    place(s, p);
    static const struct {
        const char *scope;
        int who;
        int rc;
    } cases[] = {
        {NULL, 5, 0},           {"", 5, 0},           {"31.72", 4, 0},
        {"31.71", 4, PK_ENOENT}, {"31.7", 0, PK_ENOENT}, {"31.71.01.1001", 0, 0},
        {"31.71.01.1001", 2, PK_ENOENT}, {"11.1", 5, PK_ENOENT}, {"11", 5, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        st_rows *rows = st_rows_new();
        int rc = pk_store_participant_get(s, cases[i].scope, p[cases[i].who].r.id, st_collect,
                                          rows);
        if (rc != cases[i].rc)
            fail_msg("get %d in %s: %d, want %d", cases[i].who,
                     cases[i].scope ? cases[i].scope : "NULL", rc, cases[i].rc);
        assert_int_equal(rows->n, rc == 0 ? 1 : 0);
        if (rc == 0) {
            assert_int_equal(rows->r[0].id, p[cases[i].who].r.id);
            assert_int_equal(rows->r[0].pii_len, p[cases[i].who].r.pii_len);
            assert_memory_equal(rows->r[0].pii, p[cases[i].who].r.pii, rows->r[0].pii_len);
        }
        free(rows);
    }
    st_rows *rows = st_rows_new();
    assert_int_equal(pk_store_participant_get(s, NULL, p[7].r.id + 1000, st_collect, rows),
                     PK_ENOENT);
    assert_int_equal(rows->n, 0);
    free(rows);
}

/* ---- the access log ---- */

typedef struct entries {
    int n, stop_after;
    int64_t id[16], subject[16];
    char at[16][40], actor[16][32], action[16][32], route[16][40], detail[16][40];
} entries;

static int entry_cb(void *ctx, const pk_access_entry *e)
{
    entries *es = ctx;
    assert_true(es->n < 16);
    int i = es->n++;
    es->id[i] = e->id;
    es->subject[i] = e->subject;
    snprintf(es->at[i], sizeof(es->at[i]), "%s", e->at);
    snprintf(es->actor[i], sizeof(es->actor[i]), "%s", e->actor);
    snprintf(es->action[i], sizeof(es->action[i]), "%s", e->action);
    snprintf(es->route[i], sizeof(es->route[i]), "%s", e->route);
    snprintf(es->detail[i], sizeof(es->detail[i]), "%s", e->detail);
    return es->stop_after && es->n == es->stop_after ? 8 : 0;
}

static entries *log_each(pk_store *s, const char *since, int64_t limit)
{
    entries *es = calloc(1, sizeof(*es));
    assert_non_null(es);
    assert_int_equal(pk_store_access_log_each(s, since, limit, entry_cb, es), 0);
    for (int i = 1; i < es->n; i++) /* oldest first */
        assert_true(es->id[i - 1] < es->id[i]);
    return es;
}

/* The newest `limit` entries (<= 0: all) at or after `since` (a prefix
 * of an ISO 8601 time), oldest first. */
static void access_log_newest_since_oldest_first(void **state)
{
    pk_store *s = ST_S(state);
    entries *es = log_each(s, "", 0);
    assert_int_equal(es->n, 0);
    free(es);
    char detail[5][16];
    for (int i = 0; i < 5; i++) {
        snprintf(detail[i], sizeof(detail[i]), "n=%d", i);
        pk_access_entry e = {.actor = i == 2 ? "cli:root" : "user:siti",
                             .action = i == 3 ? "participants.export" : "participant.view",
                             .route = i == 1 ? NULL : "/operator/peserta/{id}",
                             .subject = i == 4 ? 0 : 10 + i,
                             .detail = i == 0 ? NULL : detail[i]};
        assert_int_equal(pk_store_access_log_add(s, &e), 0);
        st_sleep_ms(3); /* a distinct millisecond each */
    }
    es = log_each(s, "", 0);
    assert_int_equal(es->n, 5);
    assert_string_equal(es->actor[2], "cli:root");
    assert_string_equal(es->action[3], "participants.export");
    assert_string_equal(es->route[0], "/operator/peserta/{id}");
    assert_string_equal(es->route[1], "");
    assert_int_equal(es->subject[0], 10);
    assert_int_equal(es->subject[4], 0);
    assert_string_equal(es->detail[0], "");
    assert_string_equal(es->detail[4], "n=4");
    for (int i = 0; i < 5; i++) { /* UTC, ISO 8601, milliseconds */
        assert_int_equal(strlen(es->at[i]), 24);
        assert_int_equal(es->at[i][10], 'T');
        assert_int_equal(es->at[i][23], 'Z');
        if (i > 0)
            assert_true(strcmp(es->at[i - 1], es->at[i]) < 0);
    }
    char third[40];
    snprintf(third, sizeof(third), "%s", es->at[2]);
    int64_t id2 = es->id[2], id4 = es->id[4];
    char year[5];
    snprintf(year, sizeof(year), "%.4s", es->at[0]);
    free(es);
    es = log_each(s, NULL, 2); /* the newest two, oldest first */
    assert_int_equal(es->n, 2);
    assert_int_equal(es->id[1], id4);
    assert_string_equal(es->detail[0], "n=3");
    free(es);
    es = log_each(s, third, 0); /* at or after the third */
    assert_int_equal(es->n, 3);
    assert_int_equal(es->id[0], id2);
    free(es);
    es = log_each(s, third, 100);
    assert_int_equal(es->n, 3);
    free(es);
    es = log_each(s, third, -1);
    assert_int_equal(es->n, 3);
    free(es);
    es = log_each(s, year, 0); /* a prefix: the year */
    assert_int_equal(es->n, 5);
    free(es);
    es = log_each(s, "2999", 0);
    assert_int_equal(es->n, 0);
    free(es);
    es = calloc(1, sizeof(*es));
    es->stop_after = 1;
    assert_int_equal(pk_store_access_log_each(s, "", 0, entry_cb, es), 8);
    assert_int_equal(es->n, 1);
    free(es);
}

static const struct CMUnitTest tests[] = {
    ST_TEST(search_by_name_in_scope),
    ST_TEST(search_by_name_ranked),
    ST_TEST(search_by_name_folds_non_ascii_case),
    ST_TEST(search_by_nik_in_scope),
    ST_TEST(get_one_participant_in_scope),
    ST_TEST(access_log_newest_since_oldest_first),
};
const st_division st_reads = {tests, sizeof(tests) / sizeof(tests[0])};
