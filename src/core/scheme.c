/* scheme.c -- reads the benefit schemes (data/schemes.ini) with inih.
 *
 * The file is strict on purpose: it decides how much money people are
 * told they will get, so a typo must stop the program at start-up instead
 * of silently giving a default.  Every key is required, unknown keys are
 * errors, numbers are whole and non-negative with no trailing junk, and
 * waves of different schemes may not overlap.
 *
 * The ini reading itself (line numbers, the first error, sections without
 * keys) is core/ini.c's. */
#include "core/scheme.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/conf.h"
#include "core/date.h"
#include "core/pk.h"

static const struct {
    unsigned bit;
    const char *name;
} lists[] = {
    {PK_LIST_DTKS, "dtks"},
    {PK_LIST_BSU, "bsu"},
    {PK_LIST_BPUM, "bpum"},
    {PK_LIST_DAFTAR_HITAM, "daftar_hitam"},
    {PK_LIST_PENERIMA_SEBELUMNYA, "penerima_sebelumnya"},
    {PK_LIST_PRIORITAS, "prioritas"},
};

unsigned pk_list_by_name(const char *name)
{
    if (!name)
        return 0;
    for (size_t i = 0; i < PK_ARRAY_LEN(lists); i++)
        if (strcmp(name, lists[i].name) == 0)
            return lists[i].bit;
    return 0;
}

const char *pk_list_name(unsigned bit)
{
    for (size_t i = 0; i < PK_ARRAY_LEN(lists); i++)
        if (bit == lists[i].bit)
            return lists[i].name;
    return NULL;
}

/* ---- keys of a scheme section ---- */

enum key_kind { K_NAME, K_WAVES, K_MONEY, K_INT, K_LISTS, K_DATE };

/* Upper bounds are sanity limits: far above any real value, low enough
 * that pk_scheme_total and date arithmetic cannot overflow. */
#define MONEY_MAX 1000000000000LL /* Rp1 trillion */
#define COUNT_MAX 1000LL
#define DAYS_MAX 3660LL
#define AGE_MAX 200LL

static const struct scheme_key {
    const char *name;
    enum key_kind kind;
    size_t off;
    long long max;
    bool optional;
} keys[] = {
    {"name", K_NAME, offsetof(pk_scheme, name), 0, false},
    {"waves", K_WAVES, 0, 0, false},
    {"training_balance", K_MONEY, offsetof(pk_scheme, training_balance), MONEY_MAX, false},
    {"incentive", K_MONEY, offsetof(pk_scheme, incentive), MONEY_MAX, false},
    {"incentive_months", K_INT, offsetof(pk_scheme, incentive_months), COUNT_MAX, false},
    {"survey_incentive", K_MONEY, offsetof(pk_scheme, survey_incentive), MONEY_MAX, false},
    {"survey_count", K_INT, offsetof(pk_scheme, survey_count), COUNT_MAX, false},
    {"purchase_deadline_days", K_INT, offsetof(pk_scheme, purchase_deadline_days), DAYS_MAX, false},
    {"min_age", K_INT, offsetof(pk_scheme, min_age), AGE_MAX, false},
    {"max_age", K_INT, offsetof(pk_scheme, max_age), AGE_MAX, false},
    {"kk_max", K_INT, offsetof(pk_scheme, kk_max), COUNT_MAX, false},
    {"exclusion_lists", K_LISTS, offsetof(pk_scheme, exclusion_lists), 0, false},
    {"survey_open_days", K_INT, offsetof(pk_scheme, survey_open_days), DAYS_MAX, false},
    {"survey_fill_days", K_INT, offsetof(pk_scheme, survey_fill_days), DAYS_MAX, false},
    {"survey_pay_days", K_INT, offsetof(pk_scheme, survey_pay_days), DAYS_MAX, false},
    {"balance_until", K_DATE, offsetof(pk_scheme, balance_until), 0, true},
};

/* ---- parse state ---- */

typedef struct parse_ctx {
    pk_ini ini;                 /* the reader: line, first error */
    /* results */
    pk_schemes *out;
    uint32_t seen[PK_SCHEMES_MAX]; /* keys given, bit i = keys[i] */
    int first_line[PK_SCHEMES_MAX];
    bool current_seen;
} parse_ctx;

/* A whole non-negative decimal number: digits only, no sign, no spaces. */
static bool parse_num(const char *s, long long max, long long *out)
{
    if (*s < '0' || *s > '9')
        return false;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno == ERANGE || *end != '\0' || v < 0 || v > max)
        return false;
    *out = v;
    return true;
}

static bool valid_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= PK_SCHEME_ID_MAX)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* "12-22" or "48-" (open-ended: last 0). */
static bool parse_waves(const char *v, int *first, int *last)
{
    const char *dash = strchr(v, '-');
    if (!dash || dash == v || (size_t)(dash - v) > 9)
        return false;
    char a[12];
    memcpy(a, v, (size_t)(dash - v));
    a[dash - v] = '\0';
    long long f, l = 0;
    if (!parse_num(a, INT_MAX, &f) || f < 1)
        return false;
    if (dash[1] && (!parse_num(dash + 1, INT_MAX, &l) || l < f))
        return false;
    *first = (int)f;
    *last = (int)l;
    return true;
}

static bool parse_lists(parse_ctx *p, const char *sect, const char *v, unsigned *out)
{
    unsigned bits = 0;
    while (*v) {
        while (*v == ' ' || *v == '\t')
            v++;
        if (!*v)
            break;
        size_t n = strcspn(v, " \t");
        char name[32];
        unsigned bit = 0;
        if (n < sizeof name) {
            memcpy(name, v, n);
            name[n] = '\0';
            bit = pk_list_by_name(name);
        }
        if (!bit || bit == PK_LIST_PRIORITAS) {
            pk_ini_fail(&p->ini, "line %d: [%s] exclusion_lists: unknown list '%.*s' (known: dtks bsu "
                 "bpum daftar_hitam penerima_sebelumnya)", p->ini.line, sect, (int)(n > 40 ? 40 : n), v);
            return false;
        }
        bits |= bit;
        v += n;
    }
    *out = bits;
    return true;
}

static pk_scheme *scheme_for(parse_ctx *p, const char *sect, size_t *idx)
{
    pk_schemes *s = p->out;
    for (size_t i = 0; i < s->count; i++) {
        if (strcmp(s->items[i].id, sect) == 0) {
            *idx = i;
            return &s->items[i];
        }
    }
    if (!valid_id(sect)) {
        pk_ini_fail(&p->ini, "line %d: bad scheme id [%s] (1-%d characters of A-Z a-z 0-9 _ -)", p->ini.line,
             sect, PK_SCHEME_ID_MAX - 1);
        return NULL;
    }
    if (s->count == PK_SCHEMES_MAX) {
        pk_ini_fail(&p->ini, "line %d: more than %d schemes", p->ini.line, PK_SCHEMES_MAX);
        return NULL;
    }
    *idx = s->count;
    pk_scheme *sc = &s->items[s->count++];
    snprintf(sc->id, sizeof sc->id, "%s", sect);
    p->first_line[*idx] = p->ini.line;
    return sc;
}

static int on_key(void *user, const char *section, const char *name, const char *value)
{
    parse_ctx *p = user;
    if (p->ini.failed)
        return 1; /* keep quiet after the first error; it is reported */

    if (section[0] == '\0') {
        pk_ini_fail(&p->ini, "line %d: key '%s' outside of any section", p->ini.line, name);
        return 0;
    }
    if (strcmp(section, "general") == 0) {
        if (strcmp(name, "current") != 0) {
            pk_ini_fail(&p->ini, "line %d: [general] unknown key '%s' (only 'current')", p->ini.line, name);
            return 0;
        }
        if (p->current_seen) {
            pk_ini_fail(&p->ini, "line %d: [general] current given twice", p->ini.line);
            return 0;
        }
        if (!valid_id(value)) {
            pk_ini_fail(&p->ini, "line %d: [general] current: bad scheme id '%s'", p->ini.line, value);
            return 0;
        }
        p->current_seen = true;
        snprintf(p->out->current, sizeof p->out->current, "%s", value);
        return 1;
    }

    size_t idx;
    pk_scheme *sc = scheme_for(p, section, &idx);
    if (!sc)
        return 0;
    size_t k;
    for (k = 0; k < PK_ARRAY_LEN(keys); k++)
        if (strcmp(keys[k].name, name) == 0)
            break;
    if (k == PK_ARRAY_LEN(keys)) {
        pk_ini_fail(&p->ini, "line %d: [%s] unknown key '%s'", p->ini.line, section, name);
        return 0;
    }
    if (p->seen[idx] & (UINT32_C(1) << k)) {
        /* also catches a continuation line, which inih reports as a repeat */
        pk_ini_fail(&p->ini, "line %d: [%s] %s given twice", p->ini.line, section, name);
        return 0;
    }
    p->seen[idx] |= UINT32_C(1) << k;

    char *base = (char *)sc;
    long long v;
    switch (keys[k].kind) {
    case K_NAME:
        if (!value[0] || strlen(value) >= sizeof sc->name) {
            pk_ini_fail(&p->ini, "line %d: [%s] name must be 1-%zu bytes", p->ini.line, section,
                 sizeof sc->name - 1);
            return 0;
        }
        snprintf(sc->name, sizeof sc->name, "%s", value);
        break;
    case K_WAVES:
        if (!parse_waves(value, &sc->wave_first, &sc->wave_last)) {
            pk_ini_fail(&p->ini, "line %d: [%s] waves: '%s' is not 'first-last' or 'first-'", p->ini.line,
                 section, value);
            return 0;
        }
        break;
    case K_MONEY:
    case K_INT:
        if (!parse_num(value, LLONG_MAX, &v)) {
            pk_ini_fail(&p->ini, "line %d: [%s] %s: '%s' is not a whole non-negative number", p->ini.line,
                 section, name, value);
            return 0;
        }
        if (v > keys[k].max) {
            pk_ini_fail(&p->ini, "line %d: [%s] %s: %lld is out of range (at most %lld)", p->ini.line, section,
                 name, v, keys[k].max);
            return 0;
        }
        if (keys[k].kind == K_MONEY)
            *(pk_rupiah *)(base + keys[k].off) = (pk_rupiah)v;
        else
            *(int *)(base + keys[k].off) = (int)v;
        break;
    case K_LISTS:
        if (!parse_lists(p, section, value, (unsigned *)(base + keys[k].off)))
            return 0;
        break;
    case K_DATE: {
        pk_date d;
        if (strlen(value) != 10 || pk_date_parse(value, 10, &d) != 0) {
            pk_ini_fail(&p->ini, "line %d: [%s] %s: '%s' is not a date YYYY-MM-DD", p->ini.line,
                        section, name, value);
            return 0;
        }
        memcpy(base + keys[k].off, value, 11);
        break;
    }
    }
    return 1;
}

/* Sections with no keys never reach the handler; find them in the text so
 * that an empty or misspelt section is not silently ignored. */
static bool section_has_keys(void *user, const char *name, int line)
{
    parse_ctx *p = user;
    if (strcmp(name, "general") != 0 && !pk_schemes_find(p->out, name))
        pk_ini_fail(&p->ini, "line %d: section [%s] has no keys", line, name);
    return !p->ini.failed;
}

static void check_complete(parse_ctx *p)
{
    pk_schemes *s = p->out;
    for (size_t i = 0; i < s->count && !p->ini.failed; i++) {
        const pk_scheme *sc = &s->items[i];
        for (size_t k = 0; k < PK_ARRAY_LEN(keys); k++) {
            if (!keys[k].optional && !(p->seen[i] & (UINT32_C(1) << k))) {
                pk_ini_fail(&p->ini, "line %d: scheme [%s] lacks key '%s'", p->first_line[i], sc->id,
                     keys[k].name);
                return;
            }
        }
        if (sc->max_age && sc->max_age < sc->min_age) {
            pk_ini_fail(&p->ini, "line %d: scheme [%s] max_age is below min_age", p->first_line[i], sc->id);
            return;
        }
        /* Each wave belongs to exactly one scheme. */
        for (size_t j = 0; j < i; j++) {
            const pk_scheme *o = &s->items[j];
            long long a1 = sc->wave_first, b1 = sc->wave_last ? sc->wave_last : LLONG_MAX;
            long long a2 = o->wave_first, b2 = o->wave_last ? o->wave_last : LLONG_MAX;
            if (a1 <= b2 && a2 <= b1) {
                pk_ini_fail(&p->ini, "line %d: waves of scheme [%s] overlap those of [%s]",
                     p->first_line[i], sc->id, o->id);
                return;
            }
        }
    }
    if (p->ini.failed)
        return;
    if (s->count == 0) {
        pk_ini_fail(&p->ini, "no scheme sections");
        return;
    }
    if (!p->current_seen) {
        pk_ini_fail(&p->ini, "[general] current is missing");
        return;
    }
    if (!pk_schemes_find(s, s->current))
        pk_ini_fail(&p->ini, "[general] current names scheme '%s', which is not defined", s->current);
}

int pk_schemes_parse(const char *text, pk_schemes *out, char *err, size_t errlen)
{
    parse_ctx p;
    memset(&p, 0, sizeof p);
    memset(out, 0, sizeof *out);
    p.out = out;

    if (pk_ini_parse(&p.ini, text, on_key, &p))
        pk_ini_sections(text, section_has_keys, &p);
    if (!p.ini.failed)
        check_complete(&p);

    if (p.ini.failed) {
        if (err && errlen)
            snprintf(err, errlen, "schemes: %s", p.ini.msg);
        return PK_EINVAL;
    }
    if (err && errlen)
        err[0] = '\0';
    return 0;
}

const pk_scheme *pk_schemes_for_wave(const pk_schemes *s, int64_t wave)
{
    for (size_t i = 0; wave > 0 && i < s->count; i++) {
        const pk_scheme *sc = &s->items[i];
        if (wave >= sc->wave_first && (sc->wave_last == 0 || wave <= sc->wave_last))
            return sc;
    }
    return NULL;
}

const pk_scheme *pk_schemes_find(const pk_schemes *s, const char *id)
{
    if (!s || !id)
        return NULL;
    for (size_t i = 0; i < s->count; i++)
        if (strcmp(s->items[i].id, id) == 0)
            return &s->items[i];
    return NULL;
}

const pk_scheme *pk_schemes_current(const pk_schemes *s)
{
    return s ? pk_schemes_find(s, s->current) : NULL;
}

pk_rupiah pk_scheme_total(const pk_scheme *s)
{
    return s->training_balance + s->incentive * (pk_rupiah)s->incentive_months +
           s->survey_incentive * (pk_rupiah)s->survey_count;
}
