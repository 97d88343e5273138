/* test_region.c -- the region table: code shapes, lookups, children, and
 * the real national table from data/wilayah. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/pk.h"
#include "core/region.h"

#ifndef PK_TEST_DATADIR
#error "PK_TEST_DATADIR must name the data directory"
#endif

typedef struct {
    const char *label;
    const char *in;
    pk_region_level level;
    const char *out;
} norm_case;

static const norm_case norm_cases[] = {
    {"province dotted", "31", PK_REGION_PROVINCE, "31"},
    {"regency dotted", "31.74", PK_REGION_REGENCY, "31.74"},
    {"district dotted", "31.74.01", PK_REGION_DISTRICT, "31.74.01"},
    {"village dotted", "31.74.01.1001", PK_REGION_VILLAGE, "31.74.01.1001"},
    {"regency undotted", "3174", PK_REGION_REGENCY, "31.74"},
    {"district undotted", "317401", PK_REGION_DISTRICT, "31.74.01"},
    {"village undotted", "3174011001", PK_REGION_VILLAGE, "31.74.01.1001"},
    {"mixed dots", "31.7401", PK_REGION_NONE, ""},
    {"double dot", "31..74", PK_REGION_NONE, ""},
    {"leading dot", ".31", PK_REGION_NONE, ""},
    {"trailing dot", "31.", PK_REGION_NONE, ""},
    {"trailing dot village", "31.74.01.1001.", PK_REGION_NONE, ""},
    {"five levels", "31.74.01.1001.01", PK_REGION_NONE, ""},
    {"village 3 digits", "31.74.01.100", PK_REGION_NONE, ""},
    {"village 5 digits", "31.74.01.10011", PK_REGION_NONE, ""},
    {"regency 1 digit", "31.7", PK_REGION_NONE, ""},
    {"regency 3 digits", "31.744", PK_REGION_NONE, ""},
    {"one digit", "3", PK_REGION_NONE, ""},
    {"three digits", "317", PK_REGION_NONE, ""},
    {"eight digits", "31740110", PK_REGION_NONE, ""},
    {"eleven digits", "31740110011", PK_REGION_NONE, ""},
    {"letters", "3a", PK_REGION_NONE, ""},
    {"letters dotted", "31.7a", PK_REGION_NONE, ""},
    {"leading space", " 31", PK_REGION_NONE, ""},
    {"trailing space", "31 ", PK_REGION_NONE, ""},
    {"sign", "+31", PK_REGION_NONE, ""},
    {"empty", "", PK_REGION_NONE, ""},
    {"dash", "31-74", PK_REGION_NONE, ""},
};

static void test_normalize(void **state)
{
    (void)state;
    for (size_t i = 0; i < PK_ARRAY_LEN(norm_cases); i++) {
        const norm_case *c = &norm_cases[i];
        char out[PK_REGION_CODE_MAX];
        memset(out, 'x', sizeof(out));
        pk_region_level lv = pk_region_normalize(c->in, strlen(c->in), out);
        if (lv != c->level || strcmp(out, c->out) != 0)
            fail_msg("case '%s': level %d out '%s', want %d '%s'", c->label, (int)lv, out,
                     (int)c->level, c->out);
    }
    /* Only len bytes are read. */
    char out[PK_REGION_CODE_MAX];
    assert_int_equal(pk_region_normalize("3174XX", 4, out), PK_REGION_REGENCY);
    assert_string_equal(out, "31.74");
}

/* Added out of order on purpose: sealing must sort. */
static const char *const small_table[][2] = {
    {"32.73", "KOTA BANDUNG"},
    {"31.74.01.1002", "Tebet Barat"},
    {"31.74", "KOTA ADMINISTRASI JAKARTA SELATAN"},
    {"31", "DKI JAKARTA"},
    {"31.74.02", "Setiabudi"},
    {"31.71", "KOTA ADMINISTRASI JAKARTA PUSAT"},
    {"31.74.01.1001", "Tebet Timur"},
    {"32", "JAWA BARAT"},
    {"31.74.01", "Tebet"},
    {"31.01", "KABUPATEN ADMINISTRASI KEPULAUAN SERIBU"},
    {"31.74.02.1001", "Setia Budi"},
    {"11", "ACEH"},
};

static int setup_small(void **state)
{
    pk_regions *r = pk_regions_new();
    if (!r)
        return -1;
    for (size_t i = 0; i < PK_ARRAY_LEN(small_table); i++) {
        /* The table copies names: pass a buffer that is then clobbered. */
        char name[64];
        snprintf(name, sizeof(name), "%s", small_table[i][1]);
        if (pk_regions_add(r, small_table[i][0], name) != 0)
            return -1;
        memset(name, 'Z', sizeof(name) - 1);
    }
    pk_regions_seal(r);
    *state = r;
    return 0;
}

static int teardown_small(void **state)
{
    pk_regions_free(*state);
    return 0;
}

typedef struct {
    const char *label;
    const char *code;
    const char *name; /* NULL: not found */
    pk_region_level level;
} find_case;

static const find_case find_cases[] = {
    {"province", "31", "DKI JAKARTA", PK_REGION_PROVINCE},
    {"first province", "11", "ACEH", PK_REGION_PROVINCE},
    {"regency", "31.74", "KOTA ADMINISTRASI JAKARTA SELATAN", PK_REGION_REGENCY},
    {"district", "31.74.01", "Tebet", PK_REGION_DISTRICT},
    {"village", "31.74.01.1001", "Tebet Timur", PK_REGION_VILLAGE},
    {"last village", "31.74.02.1001", "Setia Budi", PK_REGION_VILLAGE},
    {"other province regency", "32.73", "KOTA BANDUNG", PK_REGION_REGENCY},
    {"unknown province", "99", NULL, PK_REGION_NONE},
    {"unknown regency", "31.99", NULL, PK_REGION_NONE},
    {"unknown village", "31.74.01.1009", NULL, PK_REGION_NONE},
    {"undotted is not a lookup key", "3174", NULL, PK_REGION_NONE},
    {"prefix of a code", "31.7", NULL, PK_REGION_NONE},
    {"empty", "", NULL, PK_REGION_NONE},
    {"garbage", "Tebet", NULL, PK_REGION_NONE},
};

static void test_find(void **state)
{
    const pk_regions *r = *state;
    assert_int_equal(pk_regions_count(r), PK_ARRAY_LEN(small_table));
    for (size_t i = 0; i < PK_ARRAY_LEN(find_cases); i++) {
        const find_case *c = &find_cases[i];
        const pk_region *g = pk_regions_find(r, c->code);
        if (!c->name) {
            if (g)
                fail_msg("case '%s': found '%s'", c->label, g->code);
            continue;
        }
        if (!g)
            fail_msg("case '%s': not found", c->label);
        if (strcmp(g->code, c->code) != 0 || strcmp(g->name, c->name) != 0 ||
            g->level != c->level)
            fail_msg("case '%s': got %s '%s' level %d", c->label, g->code, g->name,
                     (int)g->level);
    }
    assert_null(pk_regions_find(r, NULL));
}

typedef struct {
    const char *label;
    const char *parent;
    const char *want; /* children's codes, space separated */
} children_case;

static const children_case children_cases[] = {
    {"provinces (NULL)", NULL, "11 31 32"},
    {"provinces (empty)", "", "11 31 32"},
    {"regencies of 31", "31", "31.01 31.71 31.74"},
    {"regencies of 32", "32", "32.73"},
    {"districts of 31.74", "31.74", "31.74.01 31.74.02"},
    {"villages of Tebet", "31.74.01", "31.74.01.1001 31.74.01.1002"},
    {"villages of Setiabudi", "31.74.02", "31.74.02.1001"},
    {"no children", "31.71", ""},
    {"province without children", "11", ""},
    {"village has none", "31.74.01.1001", ""},
    {"unknown parent", "33", ""},
    {"unknown regency parent", "31.72", ""},
    {"undotted parent", "3174", ""},
};

static void test_children(void **state)
{
    const pk_regions *r = *state;
    for (size_t i = 0; i < PK_ARRAY_LEN(children_cases); i++) {
        const children_case *c = &children_cases[i];
        const pk_region *kids = (const pk_region *)&c; /* must be overwritten */
        size_t n = pk_regions_children(r, c->parent, &kids);
        char got[256] = "";
        for (size_t k = 0; k < n; k++) {
            if (k)
                strcat(got, " ");
            strcat(got, kids[k].code);
        }
        if (strcmp(got, c->want) != 0)
            fail_msg("case '%s': got '%s', want '%s'", c->label, got, c->want);
        if (n == 0 && kids != NULL)
            fail_msg("case '%s': *out not NULL for no children", c->label);
    }
}

static void test_add_errors(void **state)
{
    (void)state;
    pk_regions *r = pk_regions_new();
    assert_non_null(r);
    static const char *const bad[] = {"", "3", "31.", "31.7401", "abc", "31.74.01.100"};
    for (size_t i = 0; i < PK_ARRAY_LEN(bad); i++)
        if (pk_regions_add(r, bad[i], "X") != PK_EINVAL)
            fail_msg("bad code '%s' accepted", bad[i]);
    assert_int_equal(pk_regions_add(r, NULL, "X"), PK_EINVAL);
    assert_int_equal(pk_regions_add(r, "31", NULL), PK_EINVAL);
    /* A code added twice keeps the last name. */
    assert_int_equal(pk_regions_add(r, "31", "old"), 0);
    assert_int_equal(pk_regions_add(r, "31.71", "JAKPUS"), 0);
    assert_int_equal(pk_regions_add(r, "31", "DKI JAKARTA"), 0);
    pk_regions_seal(r);
    assert_int_equal(pk_regions_count(r), 2);
    const pk_region *p = pk_regions_find(r, "31");
    assert_non_null(p);
    assert_string_equal(p->name, "DKI JAKARTA");
    /* Undotted codes are accepted on add and stored dotted. */
    assert_int_equal(pk_regions_add(r, "317101", "Gambir"), 0);
    pk_regions_seal(r);
    p = pk_regions_find(r, "31.71.01");
    assert_non_null(p);
    assert_string_equal(p->name, "Gambir");
    /* sealed again: the earlier codes are still found, lookalikes are not */
    assert_non_null(pk_regions_find(r, "31"));
    assert_non_null(pk_regions_find(r, "31.71"));
    assert_null(pk_regions_find(r, "317101"));
    assert_null(pk_regions_find(r, "31.71.01.0"));
    assert_null(pk_regions_find(r, "31.71.0"));
    pk_regions_free(r);
    pk_regions_free(NULL);

    /* An empty table answers every lookup with nothing. */
    r = pk_regions_new();
    pk_regions_seal(r);
    const pk_region *kids;
    assert_int_equal(pk_regions_children(r, NULL, &kids), 0);
    assert_null(pk_regions_find(r, "31"));
    pk_regions_free(r);
}

/* Reads one data/wilayah file: header, then `code,name` or
 * `code,parent,name`.  Names in these files hold no commas (a stray '"'
 * appears in a few names, e.g. Soka"an, and is part of the name). */
static size_t load_file(pk_regions *r, const char *file, int ncols, int *bad_parent)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/wilayah/%s", PK_TEST_DATADIR, file);
    FILE *f = fopen(path, "r");
    if (!f)
        fail_msg("cannot open %s", path);
    char line[512];
    size_t n = 0;
    bool header = true;
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (header) {
            header = false;
            continue;
        }
        if (!*line)
            continue;
        char *code = line, *parent = NULL, *name;
        char *c1 = strchr(line, ',');
        if (!c1)
            fail_msg("%s: no comma in '%s'", file, line);
        *c1 = '\0';
        name = c1 + 1;
        if (ncols == 3) {
            parent = name;
            char *c2 = strchr(parent, ',');
            if (!c2)
                fail_msg("%s: two columns in '%s'", file, line);
            *c2 = '\0';
            name = c2 + 1;
            if (strchr(name, ','))
                fail_msg("%s: comma in name '%s'", file, name);
            /* The parent is the code minus its last segment. */
            size_t pl = strlen(parent);
            if (strncmp(code, parent, pl) != 0 || code[pl] != '.')
                (*bad_parent)++;
        }
        int rc = pk_regions_add(r, code, name);
        if (rc != 0)
            fail_msg("%s: add '%s' failed: %d", file, code, rc);
        n++;
    }
    fclose(f);
    return n;
}

static size_t walk(const pk_regions *r, const char *parent)
{
    const pk_region *kids;
    size_t n = pk_regions_children(r, parent, &kids), total = n;
    for (size_t i = 0; i < n; i++) {
        if (pk_regions_find(r, kids[i].code) != &kids[i])
            fail_msg("region %s not found again", kids[i].code);
        if (i > 0 && strcmp(kids[i - 1].code, kids[i].code) >= 0)
            fail_msg("children of %s out of order at %s", parent ? parent : "root",
                     kids[i].code);
        if (kids[i].level < PK_REGION_VILLAGE)
            total += walk(r, kids[i].code);
    }
    return total;
}

static void test_real_data(void **state)
{
    (void)state;
    pk_regions *r = pk_regions_new();
    assert_non_null(r);
    int bad_parent = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    size_t np = load_file(r, "provinces.csv", 2, &bad_parent);
    size_t nr = load_file(r, "regencies.csv", 3, &bad_parent);
    size_t nd = load_file(r, "districts.csv", 3, &bad_parent);
    size_t nv = load_file(r, "villages.csv", 3, &bad_parent);
    pk_regions_seal(r);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_int_equal(np, 38);
    assert_int_equal(nr, 514);
    assert_int_equal(nd, 7277);
    assert_int_equal(nv, 83763);
    assert_int_equal(bad_parent, 0);
    assert_int_equal(pk_regions_count(r), 38 + 514 + 7277 + 83763);

    const pk_region *kids;
    assert_int_equal(pk_regions_children(r, NULL, &kids), 38);
    assert_string_equal(kids[0].code, "11");
    size_t n = pk_regions_children(r, "31", &kids);
    assert_int_equal(n, 6);
    assert_string_equal(kids[0].code, "31.01");
    assert_string_equal(kids[5].code, "31.75");
    assert_string_equal(kids[4].name, "KOTA ADMINISTRASI JAKARTA SELATAN");
    assert_int_equal(pk_regions_children(r, "31.74.01", &kids), 7);
    assert_string_equal(kids[0].name, "Tebet Timur");

    /* domain.md: Jakarta has 44 districts and 267 villages. */
    const pk_region *regs;
    size_t nregs = pk_regions_children(r, "31", &regs), ndist = 0, nvill = 0;
    for (size_t i = 0; i < nregs; i++) {
        const pk_region *dists;
        size_t k = pk_regions_children(r, regs[i].code, &dists);
        ndist += k;
        for (size_t j = 0; j < k; j++) {
            const pk_region *v;
            nvill += pk_regions_children(r, dists[j].code, &v);
        }
    }
    assert_int_equal(ndist, 44);
    assert_int_equal(nvill, 267);

    const pk_region *q = pk_regions_find(r, "35.13.15.2017");
    assert_non_null(q);
    assert_string_equal(q->name, "Soka\"an");

    /* Walking the tree from the root reaches every region exactly once
     * (the children runs partition the table) and each is found again. */
    struct timespec t2, t3;
    clock_gettime(CLOCK_MONOTONIC, &t2);
    size_t total = walk(r, NULL);
    size_t count = pk_regions_count(r);
    clock_gettime(CLOCK_MONOTONIC, &t3);
    assert_int_equal(total, count);
    double load_s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    double look_s = (double)(t3.tv_sec - t2.tv_sec) + (double)(t3.tv_nsec - t2.tv_nsec) / 1e9;
    /* Generous limits (sanitizers are slow); a linear search per lookup
     * would take minutes here. */
    if (load_s > 10.0 || look_s > 10.0)
        fail_msg("too slow: load %.2fs, lookups %.2fs", load_s, look_s);
    pk_regions_free(r);
}

static void test_title(void **state)
{
    (void)state;
    static const char *const cases[][2] = {
        {"KOTA ADMINISTRASI JAKARTA SELATAN", "Kota Administrasi Jakarta Selatan"},
        {"DKI JAKARTA", "DKI Jakarta"},
        {"DAERAH ISTIMEWA YOGYAKARTA", "Daerah Istimewa Yogyakarta"},
        {"KABUPATEN ADMINISTRASI KEPULAUAN SERIBU", "Kabupaten Administrasi Kepulauan Seribu"},
        {"KAB. BANGKA-BELITUNG", "Kab. Bangka-Belitung"},
        {"TOLI-TOLI (KOTA)", "Toli-Toli (Kota)"},
        {"PA'UMBU", "Pa'umbu"},
        /* already mixed case: kept as written */
        {"Tebet Timur", "Tebet Timur"},
        {"Soka\"an", "Soka\"an"},
        {"Kepulauan Seribu Utara", "Kepulauan Seribu Utara"},
        {"", ""},
    };
    for (size_t i = 0; i < PK_ARRAY_LEN(cases); i++) {
        char out[128];
        size_t n = pk_region_title(cases[i][0], out, sizeof(out));
        assert_string_equal(out, cases[i][1]);
        assert_int_equal(n, strlen(cases[i][1]));
    }
    /* truncated to the buffer, always terminated */
    char small[5];
    assert_int_equal(pk_region_title("DKI JAKARTA", small, sizeof(small)), 4);
    assert_string_equal(small, "DKI ");
    assert_int_equal(pk_region_title("X", small, 0), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalize),
        cmocka_unit_test_setup_teardown(test_find, setup_small, teardown_small),
        cmocka_unit_test_setup_teardown(test_children, setup_small, teardown_small),
        cmocka_unit_test(test_add_errors),
        cmocka_unit_test(test_real_data),
        cmocka_unit_test(test_title),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
