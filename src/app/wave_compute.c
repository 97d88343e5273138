/* wave_compute.c -- the one computation of a wave's draw (wave_int.h),
 * shared by the draw (wave_draw.c), its repetition, `verify` and
 * `export selection` (wave_verify.c): a table of applicants (pid, NIK,
 * family card, the rules' reasons, tier, the regency whose quota
 * applies) is ranked, sorted, walked and digested (core/draw.c).  The
 * draw fills the table from the registry and the current lists; verify
 * fills it from each applicant's stored record of the draw, so it
 * checks exactly what the draw decided on. */
#include "app/wave_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/nik.h"
#include "core/sort.h"

/* ---- the table ------------------------------------------------------------- */

int pk_wv_table_add(table *t, const appl *x)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        appl *a = realloc(t->a, cap * sizeof(*a));
        if (a == NULL)
            return PK_ENOMEM;
        t->a = a;
        t->cap = cap;
    }
    t->a[t->n++] = *x;
    return 0;
}

void pk_wv_table_free(table *t)
{
    free(t->a);
    free(t->prior);
    free(t->fam_kk);
    memset(t, 0, sizeof(*t));
}

static int cmp_kk(const void *a, const void *b)
{
    const appl *x = a, *y = b;
    int c = memcmp(x->kk, y->kk, PK_BI_LEN);
    return c ? c : (x->pid > y->pid) - (x->pid < y->pid);
}

static int cmp_nik(const void *a, const void *b)
{
    const appl *x = a, *y = b;
    return (x->nik > y->nik) - (x->nik < y->nik);
}

/* the keys of pk_sort_keyed for those orders */
static uint64_t key_kk(const void *a)
{
    return pk_sort_be(((const appl *)a)->kk, 8);
}

static uint64_t key_nik(const void *a)
{
    return ((const appl *)a)->nik;
}

/* Sorts the table by family card and numbers the families; fam_kk holds
 * each family's KK index (sorted), prior its earlier recipients: 0, or,
 * with from_rows, what each member's `family` held before (the stored
 * count of a draw's record). */
int pk_wv_families(table *t, bool from_rows)
{
    pk_sort_keyed(t->a, t->n, sizeof(appl), key_kk, cmp_kk);
    t->fam_kk = malloc((t->n ? t->n : 1) * sizeof(*t->fam_kk));
    t->prior = calloc(t->n ? t->n : 1, sizeof(*t->prior));
    if (t->fam_kk == NULL || t->prior == NULL)
        return PK_ENOMEM;
    t->n_fam = 0;
    for (size_t i = 0; i < t->n; i++) {
        if (i == 0 || memcmp(t->a[i].kk, t->a[i - 1].kk, PK_BI_LEN) != 0)
            memcpy(t->fam_kk[t->n_fam++], t->a[i].kk, PK_BI_LEN);
        if (from_rows && t->a[i].family > t->prior[t->n_fam - 1])
            t->prior[t->n_fam - 1] = t->a[i].family;
        t->a[i].family = (uint32_t)(t->n_fam - 1);
    }
    return 0;
}

void pk_wv_nik_text(uint64_t nik, char out[17])
{
    snprintf(out, 17, "%016llu", (unsigned long long)nik);
}

bool pk_wv_nik_number(const char *s, uint64_t *out)
{
    if (!pk_nik_digits(s))
        return false;
    *out = strtoull(s, NULL, 10);
    return true;
}

/* Ranks, sorts, walks (quota q->overall and the regency quotas, kk_max)
 * and digests the table.  Each applicant with reasons 0 takes part;
 * afterwards `selected` is set and a not-selected one's reasons hold the
 * walk's code.  Leaves the table in NIK order. */
int pk_wv_draw_compute(table *t, const uint8_t seed[32], int64_t overall, const quotas *q,
                        int kk_max, outcome *o)
{
    memset(o, 0, sizeof(*o));
    size_t ne = 0;
    for (size_t i = 0; i < t->n; i++)
        ne += t->a[i].reasons == 0;
    pk_draw_entry *e = malloc((ne ? ne : 1) * sizeof(*e));
    uint32_t *fam = malloc((t->n_fam ? t->n_fam : 1) * sizeof(*fam));
    if (e == NULL || fam == NULL) {
        free(e);
        free(fam);
        return PK_ENOMEM;
    }
    memcpy(fam, t->prior, t->n_fam * sizeof(*fam));
    size_t k = 0;
    for (size_t i = 0; i < t->n; i++) {
        appl *x = &t->a[i];
        x->selected = 0;
        if (x->reasons != 0)
            continue;
        char nik[17];
        pk_wv_nik_text(x->nik, nik);
        pk_draw_rank(seed, nik, e[k].rank);
        e[k].id = (uint32_t)i;
        e[k].region = x->region;
        e[k].family = x->family;
        e[k].tier = x->tier;
        e[k].outcome = 0;
        k++;
    }
    pk_draw_sort(e, ne);
    pk_draw_quotas dq = {.overall = overall, .region = q->quota, .n_region = q->n,
                         .kk_max = kk_max, .family = fam, .n_family = t->n_fam};
    int64_t sel = pk_draw_walk(e, ne, &dq);
    if (sel < 0) {
        free(e);
        free(fam);
        return (int)sel;
    }
    for (size_t i = 0; i < ne; i++) {
        appl *x = &t->a[e[i].id];
        if (e[i].outcome == PK_DRAW_LOLOS)
            x->selected = 1;
        else
            x->reasons = PK_CODEBIT(pk_draw_outcome_code((pk_draw_outcome)e[i].outcome));
    }
    free(e);
    free(fam);
    o->eligible = (int64_t)ne;
    o->selected = sel;
    pk_sort_keyed(t->a, t->n, sizeof(appl), key_nik, cmp_nik);
    pk_draw_digest d;
    pk_draw_digest_init(&d);
    for (size_t i = 0; i < t->n; i++) {
        char nik[17];
        pk_wv_nik_text(t->a[i].nik, nik);
        pk_draw_digest_add(&d, nik, t->a[i].selected);
        for (pk_code c = 0; !t->a[i].selected && c < PK_C__COUNT; c++)
            if (t->a[i].reasons & PK_CODEBIT(c))
                o->by_reason[c]++;
    }
    pk_draw_digest_final(&d, o->snapshot, o->result);
    return 0;
}

void pk_wv_reasons_text(const int64_t *by_reason, char *out, size_t cap)
{
    json_t *j = json_object();
    for (pk_code c = 0; j && c < PK_C__COUNT; c++)
        if (by_reason[c])
            json_object_set_new(j, pk_code_name(c), json_integer(by_reason[c]));
    char *s = j ? json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    snprintf(out, cap, "%s", s ? s : "{}");
    free(s);
    json_decref(j);
}

/* "kuota_gelombang_penuh" or "usia_kurang;daftar_hitam" */
void pk_wv_codes_text(uint64_t set, char *out, size_t cap)
{
    size_t used = 0;
    out[0] = '\0';
    for (pk_code c = 0; c < PK_C__COUNT; c++)
        if (set & PK_CODEBIT(c)) {
            int k = snprintf(out + used, cap - used, "%s%s", used ? ";" : "", pk_code_name(c));
            if (k < 0 || (size_t)k >= cap - used)
                break;
            used += (size_t)k;
        }
}
