/* main.c -- the store contract suite: every division's tests as one
 * cmocka group (one TAP plan), on the backend PRAKERJA_TEST_BACKEND
 * names: "sqlite" (default) or "pg" (the cluster of PRAKERJA_TEST_PG;
 * without it the run reports itself skipped, as the http_pg tests do). */
#include "store_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    const char *backend = getenv("PRAKERJA_TEST_BACKEND");
    if (backend == NULL || backend[0] == '\0')
        backend = "sqlite";
    if (strcmp(backend, "sqlite") != 0 && strcmp(backend, "pg") != 0) {
        fprintf(stderr, "PRAKERJA_TEST_BACKEND must be sqlite or pg, not %s\n", backend);
        return 2;
    }
    st_pg = strcmp(backend, "pg") == 0;
    if (st_pg) {
        const char *url = getenv("PRAKERJA_TEST_PG");
        if (url == NULL || url[0] == '\0') {
            printf("1..0 # SKIP no PostgreSQL (PRAKERJA_TEST_PG unset)\n");
            return 0;
        }
    }
    const st_division *divisions[] = {&st_schema, &st_participants, &st_bulk, &st_lists,
                                      &st_accounts, &st_reads, &st_sealed, &st_logs,
                                      &st_journey, &st_platform, &st_counts, &st_remind,
                                      &st_outreach, &st_funnel, &st_locks};
    size_t n = 0;
    for (size_t d = 0; d < sizeof(divisions) / sizeof(divisions[0]); d++)
        n += divisions[d]->n;
    struct CMUnitTest *tests = calloc(n, sizeof(*tests));
    if (tests == NULL)
        return 1;
    n = 0;
    for (size_t d = 0; d < sizeof(divisions) / sizeof(divisions[0]); d++)
        for (size_t i = 0; i < divisions[d]->n; i++)
            tests[n++] = divisions[d]->tests[i];
    int failed = _cmocka_run_group_tests(st_pg ? "store_pg" : "store", tests, n,
                                         st_group_setup, st_group_teardown);
    free(tests);
    return failed;
}
