/* test_reads.c -- staff reads of personal data (participants_search,
 * participant_get) within a region scope, and the access log. */
#include "store_test.h"

#include <stdbool.h>
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
    assert_int_equal(pk_store_participants_search(s, scope, name, nik, NULL, limit, st_collect, rows),
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
static void name_queries(pk_store *s, const st_person *p)
{
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
    assert_int_equal(pk_store_participants_search(s, "31.71", "siti", NULL, NULL, 2, st_collect, two),
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
    assert_int_equal(pk_store_participants_search(s, NULL, "siti", NULL, NULL, 10, st_collect, rows),
                     6);
    assert_int_equal(rows->n, 1);
    free(rows);
}

/* The same answers whatever the window of ids PostgreSQL reads in id
 * order before the trigram index (pk_store_set_search_window): the
 * default, which covers these few ids, and windows of 1 and 3 ids, so
 * that both ways of reading a tier are taken. */
static const int64_t windows[] = {0, 1, 3};

static void search_by_name_in_scope(void **state)
{
    pk_store *s = ST_S(state);
    st_person p[NPEOPLE];
    place(s, p);
    for (size_t w = 0; w < sizeof(windows) / sizeof(windows[0]); w++) {
        pk_store_set_search_window(s, windows[w]);
        name_queries(s, p);
    }
    pk_store_set_search_window(s, 0);
}

/* By name in key order: names that start with the query (tier 0), then
 * those with a word (after a space) that does (1), then the rest (2), by
 * id within a tier; each row's tier given.  The same through the index
 * and through the scan of queries under 3 characters.  A name added is
 * found at once (the index is kept in step). */
static void search_by_name_tiers(void **state)
{
    pk_store *s = ST_S(state);
    static const struct {
        const char *nama;
        int tier; /* for "budi" and "bu" */
    } names[] = {
        {"Ahmad Budiman", 1}, {"Sibudi Rahma", 2}, {"Budiman Santoso Wijaya Kusuma", 0},
        {"budi", 0},          {"Rina BUDI", 1},    {"Budi Budi", 0},
        {"Ani Sibudi Budi", 1}, {"Ani Sibudi", 2},
    };
    enum { N = sizeof(names) / sizeof(names[0]) };
    st_person p[N];
    for (size_t i = 0; i < N; i++)
        st_person_init(&p[i], (unsigned)i + 1, (unsigned)i + 1, names[i].nama, "31.71.01.1001");
    st_insert(s, N, p);
    /* the expected order: by tier, then id (ids grow in array order) */
    size_t want[N], k = 0;
    for (int t = 0; t < PK_SEARCH_TIERS; t++)
        for (size_t i = 0; i < N; i++)
            if (names[i].tier == t)
                want[k++] = i;
    const char *queries[] = {"budi", "bu", "BUDI"};
    for (size_t qi = 0; qi < 3 * sizeof(windows) / sizeof(windows[0]); qi++) {
        pk_store_set_search_window(s, windows[qi / 3]);
        st_rows *rows = st_rows_new();
        assert_int_equal(pk_store_participants_search(s, NULL, queries[qi % 3], NULL, NULL,
                                                      20, st_collect, rows),
                         0);
        assert_int_equal(rows->n, N);
        for (size_t i = 0; i < N; i++) {
            if (rows->r[i].id != p[want[i]].r.id || rows->r[i].tier != names[want[i]].tier)
                fail_msg("query %s, row %zu: got %s (tier %d), want %s (tier %d)", queries[qi % 3],
                         i, rows->r[i].nama, rows->r[i].tier, names[want[i]].nama,
                         names[want[i]].tier);
        }
        free(rows);
    }
    pk_store_set_search_window(s, 0);
}

/* A query that no name of the scope starts with (a surname typed), while
 * one outside the scope does: tiers 1 and 2 in key order (SQLite then
 * reads them without excluding tier 0, which its b-tree counted empty),
 * the same one page at a time; without a scope the name outside comes
 * first, in tier 0. */
static void search_by_name_none_start_with_it(void **state)
{
    pk_store *s = ST_S(state);
    static const struct {
        const char *nama, *village;
        int tier;
    } names[] = {
        {"Ahmad Kurniawan", "31.71.01.1001", 1},
        {"Sikurniawan", "31.71.01.1001", 2},
        {"Kurniawan Adi", "31.72.01.1001", 0}, /* outside 31.71 */
        {"Rina KURNIAWAN Kurniawan", "31.71.01.1001", 1},
        {"Ani Sikurniawan Putra", "31.71.01.1001", 2},
        {"Dewi Kurnia", "31.71.01.1001", -1}, /* no match */
    };
    enum { N = sizeof(names) / sizeof(names[0]) };
    st_person p[N];
    for (size_t i = 0; i < N; i++)
        st_person_init(&p[i], (unsigned)i + 1, (unsigned)i + 1, names[i].nama,
                       names[i].village);
    st_insert(s, N, p);
    for (int scoped = 0; scoped < 2; scoped++) {
        size_t want[N], k = 0;
        for (int t = 0; t < PK_SEARCH_TIERS; t++)
            for (size_t i = 0; i < N; i++)
                if (names[i].tier == t && (!scoped || names[i].village[4] == '1'))
                    want[k++] = i;
        for (size_t w = 0; w < sizeof(windows) / sizeof(windows[0]); w++) {
            pk_store_set_search_window(s, windows[w]);
            /* all at once, then one page of one row after the other */
            for (int limit = 20; limit >= 1; limit -= 19) {
                pk_search_key after = {0, 0};
                size_t got = 0;
                for (int page = 0; page < N + 1; page++) {
                    st_rows *rows = st_rows_new();
                    assert_int_equal(pk_store_participants_search(
                                         s, scoped ? "31.71" : NULL, "kurniawan", NULL,
                                         page ? &after : NULL, limit, st_collect, rows),
                                     0);
                    for (size_t i = 0; i < rows->n; i++, got++) {
                        if (got >= k || rows->r[i].id != p[want[got]].r.id ||
                            rows->r[i].tier != names[want[got]].tier)
                            fail_msg("scoped %d limit %d, row %zu: got %s (tier %d)", scoped,
                                     limit, got, rows->r[i].nama, rows->r[i].tier);
                        after = (pk_search_key){rows->r[i].tier, rows->r[i].id};
                    }
                    size_t n = rows->n;
                    free(rows);
                    if (n == 0)
                        break;
                }
                assert_int_equal(got, k);
            }
        }
    }
    pk_store_set_search_window(s, 0);
}

/* Paging by key: each page after the last key of the one before, limit
 * rows at most.  Every row present throughout is read exactly once, in
 * strictly growing key order, while rows are added between the pages
 * (of every tier, inside and outside the scope); a row added is read at
 * most once.  Bad keys are refused.
 * Enough people that more than 128 names of the scope start with the
 * query (a quarter, 6 in 7 of them in the scope): SQLite reads tier 0 by
 * FTS5 here, and by its b-tree of lower(nama) in the tests above. */
#define PG_PEOPLE 640
static void search_pages_by_key(void **state)
{
    pk_store *s = ST_S(state);
    static char names[PG_PEOPLE + 40][48];
    static const char *forms[] = {"Halaman Uji %d", "Ani Halaman %d", "Sihalaman %d",
                                  "Lain %d"};
    static st_person p[PG_PEOPLE + 40];
    /* windows of 5 ids: most pages end in the trigram index's part */
    pk_store_set_search_window(s, 5);
    for (int i = 0; i < PG_PEOPLE; i++) {
        snprintf(names[i], sizeof(names[i]), forms[i % 4], i);
        st_person_init(&p[i], (unsigned)i + 1, (unsigned)i + 1, names[i],
                       i % 7 == 0 ? "31.72.01.1001" : "31.71.01.1001");
    }
    st_insert(s, PG_PEOPLE, p);
    int seen[PG_PEOPLE + 40] = {0};
    int added = PG_PEOPLE, pages = 0;
    pk_search_key after = {0, 0};
    bool first = true;
    for (;;) {
        st_rows *rows = st_rows_new();
        assert_int_equal(pk_store_participants_search(s, "31.71", "halaman", NULL,
                                                      first ? NULL : &after, 7,
                                                      st_collect, rows),
                         0);
        pages++;
        for (size_t i = 0; i < rows->n; i++) {
            pk_search_key k = {rows->r[i].tier, rows->r[i].id};
            if (!first || i > 0)
                assert_true(k.tier > after.tier || (k.tier == after.tier && k.id > after.id));
            after = k;
            first = false;
            int who = -1;
            for (int j = 0; j < added; j++)
                if (p[j].r.id == rows->r[i].id)
                    who = j;
            assert_true(who >= 0);
            seen[who]++;
            assert_string_equal(rows->r[i].kode_wilayah, p[who].r.kode_wilayah);
        }
        size_t n = rows->n;
        free(rows);
        if (n < 7)
            break;
        /* between pages: one more person of each form, now and then */
        if (pages % 3 == 0 && added + 4 <= PG_PEOPLE + 40) {
            for (int f = 0; f < 4; f++, added++) {
                snprintf(names[added], sizeof(names[added]), forms[f], added);
                st_person_init(&p[added], (unsigned)added + 1, (unsigned)added + 1,
                               names[added], added % 2 ? "31.71.02.1001" : "31.72.01.1001");
                st_insert(s, 1, &p[added]);
            }
        }
    }
    assert_true(added > PG_PEOPLE);
    for (int i = 0; i < PG_PEOPLE; i++) {
        bool match = i % 4 != 3 && i % 7 != 0;
        if (seen[i] != (match ? 1 : 0))
            fail_msg("%s (%s) read %d times", names[i], match ? "in scope" : "not a match",
                     seen[i]);
    }
    for (int i = PG_PEOPLE; i < added; i++)
        assert_true(seen[i] <= ((i - PG_PEOPLE) % 4 != 3 && i % 2 ? 1 : 0));
    /* a NIK search is of tier 0: nothing after (0, its id) or in tier 1 */
    st_rows *mid = st_rows_new();
    pk_search_key past = {0, p[1].r.id}, t1 = {1, 0};
    assert_int_equal(pk_store_participants_search(s, NULL, NULL, p[1].r.nik_bi, &past, 5,
                                                  st_collect, mid),
                     0);
    assert_int_equal(pk_store_participants_search(s, NULL, NULL, p[1].r.nik_bi, &t1, 5,
                                                  st_collect, mid),
                     0);
    assert_int_equal(mid->n, 0);
    pk_search_key before = {0, p[1].r.id - 1};
    assert_int_equal(pk_store_participants_search(s, NULL, NULL, p[1].r.nik_bi, &before, 5,
                                                  st_collect, mid),
                     0);
    assert_int_equal(mid->n, 1);
    pk_search_key bad = {3, 0}, neg = {-1, 0};
    assert_int_equal(pk_store_participants_search(s, NULL, "halaman", NULL, &bad, 5,
                                                  st_collect, mid),
                     PK_EINVAL);
    assert_int_equal(pk_store_participants_search(s, NULL, "halaman", NULL, &neg, 5,
                                                  st_collect, mid),
                     PK_EINVAL);
    free(mid);
    pk_store_set_search_window(s, 0);
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
    assert_int_equal(pk_store_participants_search(s, NULL, "\xc3\x89LISE", NULL, NULL, 10, st_collect,
                                                  rows),
                     0);
    assert_int_equal(rows->n, 1); /* the same case is found */
    rows->n = 0;
    assert_int_equal(pk_store_participants_search(s, NULL, "\xc3\xa9lise", NULL, NULL, 10, st_collect,
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
        pk_store_participants_search(s, "31.71.02", NULL, p[1].r.nik_bi, NULL, 1, st_collect, rows), 0);
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

static int entry_cb(void *ctx, const pk_log_entry *e)
{
    entries *es = ctx;
    assert_true(es->n < 16);
    assert_false(e->write); /* the access log's alone */
    int i = es->n++;
    es->id[i] = e->id;
    es->subject[i] = e->subject;
    snprintf(es->at[i], sizeof(es->at[i]), "%s", e->at);
    snprintf(es->actor[i], sizeof(es->actor[i]), "%s", e->actor);
    snprintf(es->action[i], sizeof(es->action[i]), "%s", e->action);
    snprintf(es->route[i], sizeof(es->route[i]), "%s", e->place);
    snprintf(es->detail[i], sizeof(es->detail[i]), "%s", e->detail);
    return es->stop_after && es->n == es->stop_after ? 8 : 0;
}

/* The access log's entries through pk_store_logs_find (reads only). */
static int access_log_each(pk_store *s, const char *since, int64_t limit, entries *es)
{
    pk_log_filter f = {.reads = true, .since = since, .limit = limit};
    return pk_store_logs_find(s, &f, entry_cb, es);
}

static entries *log_each(pk_store *s, const char *since, int64_t limit)
{
    entries *es = calloc(1, sizeof(*es));
    assert_non_null(es);
    assert_int_equal(access_log_each(s, since, limit, es), 0);
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
    assert_int_equal(access_log_each(s, "", 0, es), 8);
    assert_int_equal(es->n, 1);
    free(es);
}

/* Entries written inside a transaction (the group committer's): kept
 * with its commit, gone with its rollback, in the order written. */
static void access_log_in_a_transaction(void **state)
{
    pk_store *s = ST_S(state);
    pk_tx *tx;
    assert_int_equal(pk_store_begin(s, &tx), 0);
    pk_access_entry e = {.actor = "user:siti", .action = "participant.view",
                         .route = "/peserta/{id}", .subject = 7, .detail = "nik=masked"};
    assert_int_equal(pk_tx_access_log_add(tx, &e), 0);
    pk_tx_rollback(tx);
    entries *es = log_each(s, "", 0);
    assert_int_equal(es->n, 0);
    free(es);
    assert_int_equal(pk_store_begin(s, &tx), 0);
    assert_int_equal(pk_tx_access_log_add(tx, &e), 0);
    e.action = "journey.view";
    e.detail = "offset=0;limit=50";
    assert_int_equal(pk_tx_access_log_add(tx, &e), 0);
    assert_int_equal(pk_tx_commit(tx), 0);
    es = log_each(s, "", 0);
    assert_int_equal(es->n, 2);
    assert_string_equal(es->action[0], "participant.view");
    assert_string_equal(es->action[1], "journey.view");
    assert_string_equal(es->detail[1], "offset=0;limit=50");
    assert_int_equal(es->subject[1], 7);
    assert_string_equal(es->route[0], "/peserta/{id}");
    free(es);
}

static const struct CMUnitTest tests[] = {
    ST_TEST(search_by_name_in_scope),
    ST_TEST(search_by_name_tiers),
    ST_TEST(search_by_name_none_start_with_it),
    ST_TEST(search_pages_by_key),
    ST_TEST(search_by_name_folds_non_ascii_case),
    ST_TEST(search_by_nik_in_scope),
    ST_TEST(get_one_participant_in_scope),
    ST_TEST(access_log_newest_since_oldest_first),
    ST_TEST(access_log_in_a_transaction),
};
const st_division st_reads = {tests, sizeof(tests) / sizeof(tests[0])};
