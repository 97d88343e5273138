/* wave_verify.c -- a drawn wave again (wave.h): the table rebuilt from
 * each applicant's stored record of the draw and the computation of
 * wave_compute.c run on it with the stored seed, for `wave verify`, the
 * repetition of a draw with the same seed and `export selection`. */
#include "app/wave.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/registry_int.h"
#include "app/wave_int.h"
#include "store/store.h"

/* ---- the table from the stored records (verify, repeat, export) ------------ */

/* What the draw stored for one applicant, by participant id. */
typedef struct was {
    int64_t pid;
    uint64_t reasons;
    bool selected;
} was;

typedef struct stored {
    const pk_app *app;
    const quotas *q;
    table *t;
    was *w;
    size_t wcap;
    pk_buf tmp;
} stored;

static int stored_one(void *ctx, const pk_draw_row *r, const uint8_t *pii, size_t pii_len,
                      const uint8_t *nik_bi)
{
    stored *s = ctx;
    pk_prow row;
    memset(&row, 0, sizeof(row));
    row.pii = pii;
    row.pii_len = pii_len;
    memcpy(row.nik_bi, nik_bi, PK_BI_LEN);
    pk_participant p;
    memset(&p, 0, sizeof(p));
    appl x;
    memset(&x, 0, sizeof(x));
    if (pk_reg_unseal_pii(s->app, &row, &s->tmp, &p) != 0 || !pk_wv_nik_number(p.nik, &x.nik))
        return PK_EINVAL;
    sodium_memzero(&p, sizeof(p));
    x.pid = r->participant_id;
    memcpy(x.kk, r->kk_bi, PK_BI_LEN);
    /* the walk's input: the rules' reasons; 0 for whoever took part */
    x.reasons = r->eligible ? 0 : r->reasons;
    x.tier = (uint8_t)r->tier;
    x.region = r->regency[0] ? pk_wv_quota_index(s->q, r->regency) : PK_DRAW_NONE;
    x.family = (uint32_t)(r->kk_prior < 0 ? 0 : r->kk_prior > UINT32_MAX ? UINT32_MAX
                                                                          : r->kk_prior);
    int rc = pk_wv_table_add(s->t, &x);
    if (rc != 0)
        return rc;
    if (s->t->n > s->wcap) {
        size_t cap = s->t->cap;
        was *w = realloc(s->w, cap * sizeof(*w));
        if (w == NULL)
            return PK_ENOMEM;
        s->w = w;
        s->wcap = cap;
    }
    s->w[s->t->n - 1] = (was){r->participant_id, r->reasons, r->selected};
    return 0;
}

static int cmp_was(const void *key, const void *elem)
{
    int64_t a = *(const int64_t *)key, b = ((const was *)elem)->pid;
    return (a > b) - (a < b);
}

typedef struct recomputed {
    pk_draw_rec d;            /* as stored */
    outcome o;                /* as recomputed */
    int64_t differ;           /* applicants whose outcome differs from the stored one */
} recomputed;

/* Loads the stored record of a drawn wave and recomputes the draw from
 * it with the stored seed; t is left in NIK order. */
static int recompute(const pk_app *app, int64_t number, table *t, recomputed *r, char *err,
                     size_t errlen)
{
    pk_wave w;
    quotas q;
    memset(r, 0, sizeof(*r));
    int rc = pk_wv_find(app, number, &w);
    if (rc == PK_ENOENT) {
        snprintf(err, errlen, "no wave %lld", (long long)number);
        return rc;
    }
    if (rc == 0 && (rc = pk_store_draw_get(app->store, number, &r->d)) == PK_ENOENT) {
        snprintf(err, errlen, "wave %lld has not been drawn", (long long)number);
        return rc;
    }
    if (rc != 0) {
        snprintf(err, errlen, "database error");
        return rc;
    }
    const pk_scheme *s = pk_schemes_find(&app->schemes, w.scheme);
    if (s == NULL || !pk_wv_quotas_parse(w.region_quotas, &q)) {
        snprintf(err, errlen, "wave %lld's scheme or quotas are unreadable", (long long)number);
        return PK_EINVAL;
    }
    stored st = {.app = app, .q = &q, .t = t};
    pk_buf_init(&st.tmp, 4096);
    rc = pk_store_draw_rows_each(app->store, number, stored_one, &st);
    if (st.tmp.data != NULL)
        sodium_memzero(st.tmp.data, st.tmp.cap);
    pk_buf_free(&st.tmp);
    if (rc == 0 && (rc = pk_wv_families(t, true)) == 0)
        rc = pk_wv_draw_compute(t, r->d.seed, w.quota, &q, s->kk_max, &r->o);
    if (rc == 0) {
        for (size_t i = 0; i < t->n; i++) {
            const was *x = t->n ? bsearch(&t->a[i].pid, st.w, t->n, sizeof(was), cmp_was) : NULL;
            if (x == NULL || x->selected != (t->a[i].selected != 0) ||
                (!x->selected && x->reasons != t->a[i].reasons))
                r->differ++;
        }
    } else if (rc == PK_EINVAL) {
        snprintf(err, errlen, "a participant's record does not open with this key file");
    } else {
        snprintf(err, errlen, rc == PK_ENOMEM ? "out of memory" : "database error");
    }
    free(st.w);
    return rc;
}

static bool recomputed_match(const recomputed *r, const table *t)
{
    return r->differ == 0 && (int64_t)t->n == r->d.applicants &&
           r->o.selected == r->d.selected && r->o.eligible == r->d.eligible &&
           memcmp(r->o.snapshot, r->d.snapshot, 32) == 0 &&
           memcmp(r->o.result, r->d.result, 32) == 0;
}

int pk_wv_draw_repeat(const pk_app *app, int64_t number, const uint8_t seed[32],
                       pk_draw_summary *out, char *err, size_t errlen)
{
    pk_draw_rec *d = malloc(sizeof(*d));
    if (d == NULL)
        return PK_ENOMEM;
    int rc = pk_store_draw_get(app->store, number, d);
    if (rc != 0) {
        snprintf(err, errlen, "database error");
        free(d);
        return rc == PK_ENOENT ? PK_EIO : rc;
    }
    if (memcmp(d->seed, seed, 32) != 0) {
        snprintf(err, errlen, "wave %lld was drawn already with another seed; a draw is "
                              "done once (prakerja wave show --wave %lld)",
                 (long long)number, (long long)number);
        free(d);
        return PK_ECONFLICT;
    }
    free(d);
    table t = {0};
    recomputed *r = malloc(sizeof(*r));
    if (r == NULL)
        return PK_ENOMEM;
    rc = recompute(app, number, &t, r, err, errlen);
    if (rc == 0 && !recomputed_match(r, &t)) {
        snprintf(err, errlen, "wave %lld's draw, recomputed from what was stored, does not "
                              "match it (prakerja wave verify --wave %lld)",
                 (long long)number, (long long)number);
        rc = PK_ECONFLICT;
    }
    if (rc == 0) {
        out->repeated = true;
        if ((out->json = pk_wv_summary_json(&r->d)) == NULL)
            rc = PK_ENOMEM;
    }
    pk_wv_table_free(&t);
    free(r);
    return rc;
}

int pk_wave_verify(const pk_app *app, int64_t number, bool *match, json_t **out, char *err,
                   size_t errlen)
{
    *match = false;
    table t = {0};
    recomputed *r = malloc(sizeof(*r));
    if (r == NULL)
        return PK_ENOMEM;
    int rc = recompute(app, number, &t, r, err, errlen);
    if (rc == 0) {
        *match = recomputed_match(r, &t);
        if (out != NULL) {
            char a[65], b[65], c[65], d[65];
            pk_draw_hex(r->o.snapshot, a);
            pk_draw_hex(r->d.snapshot, b);
            pk_draw_hex(r->o.result, c);
            pk_draw_hex(r->d.result, d);
            *out = json_pack("{s:I, s:b, s:I, s:I, s:I, s:s, s:s, s:s, s:s}", "wave",
                             (json_int_t)number, "match", *match, "applicants",
                             (json_int_t)t.n, "selected", (json_int_t)r->o.selected,
                             "differ", (json_int_t)r->differ, "snapshot_sha256", a,
                             "stored_snapshot_sha256", b, "result_sha256", c,
                             "stored_result_sha256", d);
            if (*out == NULL)
                rc = PK_ENOMEM;
        }
    }
    pk_wv_table_free(&t);
    free(r);
    return rc;
}

/* ---- export selection ----------------------------------------------------- */

int pk_wave_export_selection(const pk_app *app, int64_t number, pk_write_fn fn, void *ctx,
                             char *err, size_t errlen)
{
    table t = {0};
    recomputed *r = malloc(sizeof(*r));
    if (r == NULL)
        return PK_ENOMEM;
    int rc = recompute(app, number, &t, r, err, errlen);
    if (rc == 0 && !recomputed_match(r, &t)) {
        snprintf(err, errlen, "wave %lld's draw, recomputed from what was stored, does not "
                              "match it (prakerja wave verify --wave %lld)",
                 (long long)number, (long long)number);
        rc = PK_ECONFLICT;
    }
    static const char header[] = "nik,tier,rank,status,alasan\n";
    if (rc == 0)
        rc = fn(ctx, header, sizeof(header) - 1);
    for (size_t i = 0; rc == 0 && i < t.n; i++) {
        const appl *x = &t.a[i];
        char nik[17], hex[65], why[512], line[700];
        uint8_t rank[32];
        pk_wv_nik_text(x->nik, nik);
        pk_draw_rank(r->d.seed, nik, rank);
        pk_draw_hex(rank, hex);
        pk_wv_codes_text(x->selected ? 0 : x->reasons, why, sizeof(why));
        int k = snprintf(line, sizeof(line), "%s,%d,%s,%s,%s\n", nik, x->tier, hex,
                         x->selected ? "lolos" : "tidak_lolos", why);
        rc = fn(ctx, line, (size_t)k);
        sodium_memzero(nik, sizeof(nik));
        sodium_memzero(line, sizeof(line));
    }
    pk_wv_table_free(&t);
    free(r);
    return rc;
}
