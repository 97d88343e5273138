/* wave.c -- waves and their draws (wave.h, spec selection.md): the use
 * cases, over the store's waves division and core/draw.c.
 *
 * One computation serves the draw, its repetition and `verify`: a table
 * of applicants (pid, NIK, family card, the rules' reasons, tier, the
 * regency whose quota applies) goes through draw_compute, which ranks,
 * sorts, walks and digests.  The draw fills the table from the registry
 * and the current lists; verify fills it from each applicant's stored
 * record of the draw, so it checks exactly what the draw decided on. */
#include "app/wave.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/journey.h"
#include "app/registry_int.h"
#include "core/card.h"
#include "core/date.h"
#include "core/eligibility.h"
#include "core/region.h"
#include "store/store.h"

#define ROWS_BATCH 1000

/* ---- the wave's quotas ------------------------------------------------- */

typedef struct quotas {
    size_t n;
    char code[PK_WAVE_REGION_QUOTAS_MAX][PK_REGION_CODE_MAX];
    int64_t quota[PK_WAVE_REGION_QUOTAS_MAX];
} quotas;

static bool parse_count(const char *s, int64_t min, int64_t *out)
{
    if (s == NULL || *s == '\0' || strlen(s) > 15 || strspn(s, "0123456789") != strlen(s))
        return false;
    long long v = strtoll(s, NULL, 10);
    if (v < min)
        return false;
    *out = v;
    return true;
}

/* "31.71=3000;31.72=100" (as stored) into q; false when malformed. */
static bool quotas_parse(const char *s, quotas *q)
{
    memset(q, 0, sizeof(*q));
    while (s && *s) {
        const char *end = strchr(s, ';');
        size_t len = end ? (size_t)(end - s) : strlen(s);
        const char *eq = memchr(s, '=', len);
        char num[24];
        if (eq == NULL || q->n >= PK_WAVE_REGION_QUOTAS_MAX || (size_t)(eq - s) >= PK_REGION_CODE_MAX ||
            len - (size_t)(eq - s) - 1 >= sizeof(num))
            return false;
        memcpy(q->code[q->n], s, (size_t)(eq - s));
        q->code[q->n][eq - s] = '\0';
        memcpy(num, eq + 1, len - (size_t)(eq - s) - 1);
        num[len - (size_t)(eq - s) - 1] = '\0';
        if (!parse_count(num, 0, &q->quota[q->n]))
            return false;
        q->n++;
        s = end ? end + 1 : NULL;
    }
    return true;
}

static uint32_t quota_index(const quotas *q, const char *regency)
{
    for (size_t i = 0; i < q->n; i++)
        if (strcmp(q->code[i], regency) == 0)
            return (uint32_t)i;
    return PK_DRAW_NONE;
}

/* The regency ("31.71") of a dotted village code. */
static void regency_of(const char *village, char out[16])
{
    size_t n = strlen(village);
    if (n > 5)
        n = 5;
    memcpy(out, village, n);
    out[n] = '\0';
}

/* ---- states --------------------------------------------------------------- */

const char *pk_wave_state_now(const int64_t closes_at, const char *stored, int64_t now)
{
    if (strcmp(stored, "dibuka") == 0 && now >= closes_at)
        return "ditutup";
    return stored;
}

static int64_t now_secs(void)
{
    return (int64_t)time(NULL);
}

/* ---- create, open, close -------------------------------------------------- */

static int cmp_code(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The audit's source of a write by `actor`: a staff page's ("user:NAME")
 * or the command line's. */
static const char *audit_source(const char *actor)
{
    return actor != NULL && strncmp(actor, "user:", 5) == 0 ? "web" : "cli";
}

int pk_wave_create(const pk_app *app, const pk_wave_input *in, const char *actor, char *err,
                   size_t errlen)
{
    return pk_wave_create_at(app, in, actor, NULL, err, errlen);
}

int pk_wave_create_at(const pk_app *app, const pk_wave_input *in, const char *actor,
                      pk_wave_field *field, char *err, size_t errlen)
{
    pk_wave_field dummy;
    if (field == NULL)
        field = &dummy;
    *field = PK_WF_NONE;
    pk_wave w;
    memset(&w, 0, sizeof(w));
    if (!parse_count(in->number, 1, &w.number)) {
        snprintf(err, errlen, "--wave must be a whole number >= 1");
        *field = PK_WF_NUMBER;
        return PK_EINVAL;
    }
    if (in->scheme == NULL || pk_schemes_find(&app->schemes, in->scheme) == NULL) {
        snprintf(err, errlen, "--scheme: unknown scheme '%.16s' (see data/schemes.ini)",
                 in->scheme ? in->scheme : "");
        *field = PK_WF_SCHEME;
        return PK_EINVAL;
    }
    snprintf(w.scheme, sizeof(w.scheme), "%s", in->scheme);
    if (in->opens == NULL || pk_instant_parse(in->opens, &w.opens_at) != 0) {
        snprintf(err, errlen, "--opens must be an instant with an offset, e.g. "
                              "2021-09-13T12:00:00+07:00");
        *field = PK_WF_OPENS;
        return PK_EINVAL;
    }
    if (in->closes == NULL || pk_instant_parse(in->closes, &w.closes_at) != 0) {
        snprintf(err, errlen, "--closes must be an instant with an offset, e.g. "
                              "2021-09-17T23:59:59+07:00");
        *field = PK_WF_CLOSES;
        return PK_EINVAL;
    }
    if (w.closes_at <= w.opens_at) {
        snprintf(err, errlen, "--closes must come after --opens");
        *field = PK_WF_CLOSES;
        return PK_EINVAL;
    }
    if (!parse_count(in->quota, 0, &w.quota)) {
        snprintf(err, errlen, "--quota must be a whole number >= 0");
        *field = PK_WF_QUOTA;
        return PK_EINVAL;
    }
    if (in->balance_until != NULL) {
        pk_date d;
        if (strlen(in->balance_until) != 10 ||
            pk_date_parse(in->balance_until, 10, &d) != 0) {
            snprintf(err, errlen, "--balance-until must be a date YYYY-MM-DD");
            *field = PK_WF_BALANCE_UNTIL;
            return PK_EINVAL;
        }
        snprintf(w.balance_until, sizeof(w.balance_until), "%s", in->balance_until);
    }
    /* quotas per regency: known regencies, each once, kept sorted */
    const char *rq[PK_WAVE_REGION_QUOTAS_MAX];
    size_t n = in->n_region_quotas;
    memcpy(rq, in->region_quotas, n * sizeof(rq[0]));
    qsort(rq, n, sizeof(rq[0]), cmp_code);
    size_t used = 0;
    for (size_t i = 0; i < n; i++) {
        const char *eq = strchr(rq[i], '=');
        char code[PK_REGION_CODE_MAX];
        int64_t v;
        if (eq == NULL || !parse_count(eq + 1, 0, &v)) {
            snprintf(err, errlen, "--quota-region must be CODE=N (e.g. 31.71=3000), not '%.40s'",
                     rq[i]);
            *field = PK_WF_REGION_QUOTAS;
            return PK_EINVAL;
        }
        if (pk_region_normalize(rq[i], (size_t)(eq - rq[i]), code) != PK_REGION_REGENCY ||
            pk_regions_find(app->regions, code) == NULL) {
            snprintf(err, errlen, "--quota-region: '%.*s' is not a known regency code (e.g. 31.71)",
                     (int)(eq - rq[i] > 20 ? 20 : eq - rq[i]), rq[i]);
            *field = PK_WF_REGION_QUOTAS;
            return PK_EINVAL;
        }
        if (strstr(w.region_quotas, code) != NULL) {
            snprintf(err, errlen, "--quota-region: %s is given twice", code);
            *field = PK_WF_REGION_QUOTAS;
            return PK_EINVAL;
        }
        int k = snprintf(w.region_quotas + used, sizeof(w.region_quotas) - used, "%s%s=%lld",
                         used ? ";" : "", code, (long long)v);
        if (k < 0 || (size_t)k >= sizeof(w.region_quotas) - used) {
            snprintf(err, errlen, "--quota-region: too many quotas");
            *field = PK_WF_REGION_QUOTAS;
            return PK_EINVAL;
        }
        used += (size_t)k;
    }
    snprintf(w.state, sizeof(w.state), "dibuka");
    pk_tx *tx = NULL;
    int rc = pk_store_begin(app->store, &tx);
    if (rc == 0)
        rc = pk_tx_wave_insert(tx, &w);
    if (rc == PK_ECONFLICT) {
        snprintf(err, errlen, "wave %lld exists already", (long long)w.number);
        *field = PK_WF_NUMBER;
        pk_tx_rollback(tx);
        return rc;
    }
    char detail[PK_WAVE_QUOTAS_MAX + 128];
    snprintf(detail, sizeof(detail), "wave=%lld scheme=%s quota=%lld regions=%s",
             (long long)w.number, w.scheme, (long long)w.quota, w.region_quotas);
    if (rc == 0)
        rc = pk_tx_audit(tx, actor, audit_source(actor), "wave.create", 0, detail);
    if (rc == 0) {
        rc = pk_tx_commit(tx);
        tx = NULL;
    }
    pk_tx_rollback(tx);
    if (rc != 0)
        snprintf(err, errlen, "database error");
    return rc;
}

int pk_wave_set_open(const pk_app *app, int64_t number, bool open, const char *actor,
                     bool *changed, char *err, size_t errlen)
{
    *changed = false;
    pk_tx *tx = NULL;
    pk_wave w;
    int rc = pk_store_begin(app->store, &tx);
    if (rc == 0 && (rc = pk_tx_wave_get(tx, number, &w)) == PK_ENOENT) {
        snprintf(err, errlen, "no wave %lld", (long long)number);
        goto out;
    }
    if (rc != 0)
        goto db;
    if (strcmp(w.state, "diundi") == 0) {
        snprintf(err, errlen, "wave %lld has been drawn", (long long)number);
        rc = PK_EDENIED;
        goto out;
    }
    if (open && now_secs() >= w.closes_at) {
        snprintf(err, errlen, "wave %lld cannot open again: its closing instant has passed",
                 (long long)number);
        rc = PK_EDENIED;
        goto out;
    }
    const char *want = open ? "dibuka" : "ditutup";
    if (strcmp(w.state, want) == 0)
        goto out;
    char detail[64];
    snprintf(detail, sizeof(detail), "wave=%lld", (long long)number);
    if ((rc = pk_tx_wave_set_state(tx, number, want)) != 0 ||
        (rc = pk_tx_audit(tx, actor, audit_source(actor), open ? "wave.open" : "wave.close", 0,
                           detail)) != 0)
        goto db;
    rc = pk_tx_commit(tx);
    tx = NULL;
    if (rc != 0)
        goto db;
    *changed = true;
    goto out;
db:
    snprintf(err, errlen, "database error");
out:
    pk_tx_rollback(tx);
    return rc;
}

static int wave_find(const pk_app *app, int64_t number, pk_wave *out);
static bool nik_number(const char *s, uint64_t *out);

/* ---- joining ---------------------------------------------------------------- */

int pk_wave_join_rule(void *ctx, pk_tx *tx, const pk_journey *before, const pk_event *e,
                      pk_code *why)
{
    (void)ctx;
    if (e->type != PK_EV_GABUNG_GELOMBANG || e->source != PK_SRC_LOKAL)
        return 0;
    pk_wave w;
    int rc = pk_tx_wave_get(tx, e->wave, &w);
    if (rc == PK_ENOENT) {
        *why = PK_C_GELOMBANG_TIDAK_DIKENAL;
        return PK_EINVAL;
    }
    if (rc != 0)
        return rc;
    if (strcmp(w.state, "dibuka") != 0 || e->at < w.opens_at || e->at >= w.closes_at) {
        *why = PK_C_GELOMBANG_TIDAK_DIBUKA;
        return PK_EINVAL;
    }
    if (before->status == PK_JS_PENDAFTAR && before->wave != e->wave) {
        pk_wave other;
        rc = pk_tx_wave_get(tx, before->wave, &other);
        if (rc != 0 && rc != PK_ENOENT)
            return rc;
        /* a wave of this deployment not drawn yet holds its applicants */
        if (rc == 0 && strcmp(other.state, "diundi") != 0) {
            *why = PK_C_MASIH_DI_GELOMBANG_LAIN;
            return PK_EINVAL;
        }
    }
    return 0;
}

int pk_wave_join(const pk_app *app, int64_t wave, const char *nik, int64_t at, char *err,
                 size_t errlen)
{
    uint64_t dummy;
    if (!nik_number(nik, &dummy)) {
        snprintf(err, errlen, "a NIK is 16 digits");
        return PK_EINVAL;
    }
    pk_bi bi;
    pk_vault_blind(&app->vault, "nik", nik, bi);
    pk_tx *tx = NULL;
    pk_pknown known;
    int rc = pk_store_begin(app->store, &tx);
    if (rc == 0)
        rc = pk_tx_participants_find(tx, 1, (const pk_bi *)&bi, &known);
    if (rc != 0) {
        snprintf(err, errlen, "database error");
        goto out;
    }
    if (known.id == 0) {
        snprintf(err, errlen, "no participant has this NIK");
        rc = PK_ENOENT;
        goto out;
    }
    pk_event ev;
    pk_append_result res;
    memset(&ev, 0, sizeof(ev));
    ev.participant_id = known.id;
    ev.source = PK_SRC_LOKAL;
    ev.type = PK_EV_GABUNG_GELOMBANG;
    ev.at = at;
    ev.seq = 1;
    ev.wave = wave;
    snprintf(ev.ref, sizeof(ev.ref), "gabung-%lld-%lld", (long long)wave, (long long)known.id);
    /* the wave's own rules first, even for a join stored already (a
     * duplicate): staff asking to join a closed wave are told so */
    pk_journey none;
    memset(&none, 0, sizeof(none));
    res.verdict = PK_APPEND_INSERTED;
    rc = pk_wave_join_rule(NULL, tx, &none, &ev, &res.why);
    if (rc == PK_EINVAL)
        res.verdict = PK_APPEND_REJECTED, rc = 0;
    else if (rc == 0)
        rc = pk_journey_append_checked(tx, known.id, &ev, 1, &res, pk_wave_join_rule, NULL,
                                       NULL);
    if (rc != 0) {
        snprintf(err, errlen, "database error");
        goto out;
    }
    if (res.verdict == PK_APPEND_REJECTED && res.why == PK_C_GELOMBANG_TIDAK_DIKENAL) {
        snprintf(err, errlen, "no wave %lld", (long long)wave);
        rc = PK_ENOENT;
        goto out;
    }
    if (res.verdict == PK_APPEND_REJECTED) {
        snprintf(err, errlen, "refused: %s%s", pk_code_name(res.why),
                 res.why == PK_C_GELOMBANG_TIDAK_DIBUKA ? " (the wave is not open at that instant)"
                 : res.why == PK_C_MASIH_DI_GELOMBANG_LAIN
                     ? " (the participant is in another wave, not drawn yet)"
                     : "");
        rc = PK_EDENIED;
        goto out;
    }
    rc = pk_tx_commit(tx);
    tx = NULL;
    if (rc != 0)
        snprintf(err, errlen, "database error");
out:
    pk_tx_rollback(tx);
    sodium_memzero(bi, sizeof(bi));
    return rc;
}

/* ---- list, show ----------------------------------------------------------- */

static json_t *instant_json(int64_t secs)
{
    char s[32];
    pk_instant_format(secs, s);
    return json_string(s);
}

static json_t *wave_json(const pk_wave *w)
{
    json_t *q = json_object();
    quotas qs;
    if (quotas_parse(w->region_quotas, &qs))
        for (size_t i = 0; i < qs.n; i++)
            json_object_set_new(q, qs.code[i], json_integer(qs.quota[i]));
    return json_pack("{s:I, s:s, s:o, s:o, s:I, s:o, s:o, s:s, s:s}", "wave",
                     (json_int_t)w->number, "scheme", w->scheme, "opens",
                     instant_json(w->opens_at), "closes", instant_json(w->closes_at), "quota",
                     (json_int_t)w->quota, "quota_regions", q, "balance_until",
                     w->balance_until[0] ? json_string(w->balance_until) : json_null(), "state",
                     pk_wave_state_now(w->closes_at, w->state, now_secs()), "created_at",
                     w->created_at);
}

typedef struct list_ctx {
    pk_wave_json_cb cb;
    void *ctx;
} list_ctx;

static int list_one(void *ctx, const pk_wave *w)
{
    list_ctx *l = ctx;
    json_t *j = wave_json(w);
    if (j == NULL)
        return PK_ENOMEM;
    return l->cb(l->ctx, j);
}

int pk_wave_list(const pk_app *app, pk_wave_json_cb cb, void *ctx)
{
    list_ctx l = {cb, ctx};
    return pk_store_waves_each(app->store, list_one, &l);
}

typedef struct find_ctx {
    int64_t number;
    pk_wave w;
    bool found;
} find_ctx;

static int find_one(void *ctx, const pk_wave *w)
{
    find_ctx *f = ctx;
    if (w->number == f->number) {
        f->w = *w;
        f->found = true;
    }
    return 0;
}

static int wave_find(const pk_app *app, int64_t number, pk_wave *out)
{
    find_ctx *f = calloc(1, sizeof(*f));
    if (f == NULL)
        return PK_ENOMEM;
    f->number = number;
    int rc = pk_store_waves_each(app->store, find_one, f);
    if (rc == 0 && !f->found)
        rc = PK_ENOENT;
    if (rc == 0)
        *out = f->w;
    free(f);
    return rc;
}

static json_t *summary_json(const pk_draw_rec *d)
{
    char seed[65], snap[65], res[65];
    pk_draw_hex(d->seed, seed);
    pk_draw_hex(d->snapshot, snap);
    pk_draw_hex(d->result, res);
    json_t *reasons = json_loads(d->reasons, 0, NULL);
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:o, s:s, s:s, s:s}", "wave",
                     (json_int_t)d->wave, "applicants", (json_int_t)d->applicants, "eligible",
                     (json_int_t)d->eligible, "selected", (json_int_t)d->selected,
                     "not_selected", (json_int_t)d->not_selected, "reasons",
                     reasons ? reasons : json_object(), "seed", seed, "snapshot_sha256", snap,
                     "result_sha256", res);
}

int pk_wave_show(const pk_app *app, int64_t number, json_t **out)
{
    pk_wave w;
    int rc = wave_find(app, number, &w);
    if (rc != 0)
        return rc;
    json_t *j = wave_json(&w);
    pk_draw_rec *d = malloc(sizeof(*d));
    if (j == NULL || d == NULL) {
        json_decref(j);
        free(d);
        return PK_ENOMEM;
    }
    rc = pk_store_draw_get(app->store, number, d);
    if (rc == 0) {
        json_t *s = summary_json(d);
        json_object_set_new(s, "algorithm", json_integer(d->algorithm));
        json_object_set_new(s, "drawn_at", instant_json(d->drawn_at));
        json_object_set_new(j, "draw", s);
    } else if (rc == PK_ENOENT) {
        json_object_set_new(j, "draw", json_null());
        rc = 0;
    }
    free(d);
    if (rc != 0) {
        json_decref(j);
        return rc;
    }
    *out = j;
    return 0;
}

int pk_wave_applicants_count(const pk_app *app, int64_t number, int64_t *n)
{
    return pk_store_wave_applicants_count(app->store, number, n);
}

/* ---- the computation ------------------------------------------------------ */

/* One applicant (56 bytes). */
typedef struct appl {
    int64_t pid;
    uint64_t nik;         /* the 16 digits as a number: orders as the text does */
    uint64_t reasons;     /* in: the rules' reasons; out: those, or the quota's code */
    uint8_t kk[PK_BI_LEN];
    uint32_t region;      /* index into the wave's quotas, or PK_DRAW_NONE */
    uint32_t family;      /* set by draw_compute */
    uint8_t tier;
    uint8_t selected;     /* out */
    uint32_t card;        /* the selected: their place in NIK order (card serials) */
} appl;

typedef struct table {
    appl *a;
    size_t n, cap;
    uint32_t *prior;      /* per family: recipients of earlier waves */
    uint8_t (*fam_kk)[PK_BI_LEN];
    size_t n_fam;
} table;

static int table_add(table *t, const appl *x)
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

static void table_free(table *t)
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

static int cmp_pid(const void *a, const void *b)
{
    const appl *x = a, *y = b;
    return (x->pid > y->pid) - (x->pid < y->pid);
}

/* Sorts the table by family card and numbers the families; fam_kk holds
 * each family's KK index (sorted), prior its earlier recipients: 0, or,
 * with from_rows, what each member's `family` held before (the stored
 * count of a draw's record). */
static int families(table *t, bool from_rows)
{
    if (t->n > 1)
        qsort(t->a, t->n, sizeof(appl), cmp_kk);
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

static void nik_text(uint64_t nik, char out[17])
{
    snprintf(out, 17, "%016llu", (unsigned long long)nik);
}

static bool nik_number(const char *s, uint64_t *out)
{
    if (strlen(s) != 16 || strspn(s, "0123456789") != 16)
        return false;
    *out = strtoull(s, NULL, 10);
    return true;
}

typedef struct outcome {
    int64_t eligible, selected;
    int64_t by_reason[PK_C__COUNT];
    uint8_t snapshot[32], result[32];
} outcome;

/* Ranks, sorts, walks (quota q->overall and the regency quotas, kk_max)
 * and digests the table.  Each applicant with reasons 0 takes part;
 * afterwards `selected` is set and a not-selected one's reasons hold the
 * walk's code.  Leaves the table in NIK order. */
static int draw_compute(table *t, const uint8_t seed[32], int64_t overall, const quotas *q,
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
        nik_text(x->nik, nik);
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
    if (t->n > 1)
        qsort(t->a, t->n, sizeof(appl), cmp_nik);
    pk_draw_digest d;
    pk_draw_digest_init(&d);
    for (size_t i = 0; i < t->n; i++) {
        char nik[17];
        nik_text(t->a[i].nik, nik);
        pk_draw_digest_add(&d, nik, t->a[i].selected);
        for (pk_code c = 0; !t->a[i].selected && c < PK_C__COUNT; c++)
            if (t->a[i].reasons & PK_CODEBIT(c))
                o->by_reason[c]++;
    }
    pk_draw_digest_final(&d, o->snapshot, o->result);
    return 0;
}

static void reasons_text(const int64_t *by_reason, char *out, size_t cap)
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
static void codes_text(uint64_t set, char *out, size_t cap)
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

/* ---- the table from the registry (the draw) ------------------------------ */

typedef struct gather {
    const pk_app *app;
    const pk_scheme *scheme;
    pk_date closing;
    const quotas *q;
    table *t;
    pk_buf tmp;
    int64_t unreadable;
} gather;

static int gather_one(void *ctx, const pk_prow *row, unsigned lists)
{
    gather *g = ctx;
    pk_participant p;
    memset(&p, 0, sizeof(p));
    pk_reg_from_row(row, &p);
    appl x;
    memset(&x, 0, sizeof(x));
    if (pk_reg_unseal_pii(g->app, row, &g->tmp, &p) != 0 || !nik_number(p.nik, &x.nik)) {
        g->unreadable++;
        return PK_EINVAL;
    }
    sodium_memzero(&p.no_hp, sizeof(p.no_hp));
    x.pid = row->id;
    memcpy(x.kk, row->kk_bi, PK_BI_LEN);
    pk_eligibility_context c = {.on_lists = lists};
    x.reasons = pk_eligibility(&p, g->scheme, g->closing, &c) & ~PK_CODEBIT(PK_C_KUOTA_KK_PENUH);
    x.tier = (lists & PK_LIST_PRIORITAS) ? 0 : 1;
    char reg[16];
    regency_of(row->kode_wilayah, reg);
    x.region = quota_index(g->q, reg);
    sodium_memzero(&p, sizeof(p));
    return table_add(g->t, &x);
}

static int fam_cmp(const void *key, const void *elem)
{
    return memcmp(key, elem, PK_BI_LEN);
}

static int prior_one(void *ctx, const uint8_t bi[PK_BI_LEN])
{
    table *t = ctx;
    const uint8_t(*f)[PK_BI_LEN] = t->n_fam ? bsearch(bi, t->fam_kk, t->n_fam, PK_BI_LEN, fam_cmp)
                                            : NULL;
    if (f != NULL)
        t->prior[f - (const uint8_t(*)[PK_BI_LEN])t->fam_kk]++;
    return 0;
}

/* ---- the draw ------------------------------------------------------------- */

static int write_events(const pk_app *app, pk_tx *tx, const appl *x, int64_t wave, int64_t at,
                        const pk_scheme *s, char *err, size_t errlen)
{
    pk_event ev[2];
    pk_append_result res[2];
    memset(ev, 0, sizeof(ev));
    size_t n = 1;
    ev[0].participant_id = x->pid;
    ev[0].source = PK_SRC_LOKAL;
    ev[0].at = at;
    ev[0].seq = 1;
    ev[0].wave = wave;
    if (x->selected) {
        ev[0].type = PK_EV_LOLOS;
        snprintf(ev[0].ref, sizeof(ev[0].ref), "undian-%lld-lolos-%lld", (long long)wave,
                 (long long)x->pid);
        ev[1] = ev[0];
        ev[1].type = PK_EV_SALDO_MASUK;
        ev[1].seq = 2;
        ev[1].wave = 0;
        ev[1].amount = s->training_balance;
        snprintf(ev[1].ref, sizeof(ev[1].ref), "undian-%lld-saldo-%lld", (long long)wave,
                 (long long)x->pid);
        n = 2;
    } else {
        ev[0].type = PK_EV_TIDAK_LOLOS;
        snprintf(ev[0].ref, sizeof(ev[0].ref), "undian-%lld-tidak-lolos-%lld", (long long)wave,
                 (long long)x->pid);
        codes_text(x->reasons, ev[0].note, sizeof(ev[0].note));
    }
    /* the refs name this wave, whose draw record was just inserted (a
     * second draw fails there): none is stored, so none is looked up */
    int rc = pk_journey_append_fresh(tx, x->pid, ev, n, res);
    if (rc == PK_ECONFLICT) {
        snprintf(err, errlen, "an event named like this draw's (undian-%lld-..., participant "
                 "%lld) is stored already: the draw is not written", (long long)wave,
                 (long long)x->pid);
        return rc;
    }
    if (rc != 0) {
        snprintf(err, errlen, "database error while writing the events");
        return rc;
    }
    for (size_t i = 0; i < n; i++)
        if (res[i].verdict == PK_APPEND_REJECTED) {
            snprintf(err, errlen, "the journey of participant %lld refuses its %s event: %s",
                     (long long)x->pid, pk_event_info_of(ev[i].type)->name,
                     pk_code_name(res[i].why));
            return PK_ECONFLICT;
        }
    (void)app;
    return 0;
}

static int draw_repeat(const pk_app *app, int64_t number, const uint8_t seed[32],
                       pk_draw_summary *out, char *err, size_t errlen);

int pk_wave_draw(const pk_app *app, int64_t number, const char *seed_hex, int64_t at,
                 const char *actor, pk_draw_summary *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    uint8_t seed[32];
    if (pk_draw_seed_parse(seed_hex, seed) != 0) {
        snprintf(err, errlen, "--seed must be exactly 64 hexadecimal digits (32 bytes)");
        return PK_EINVAL;
    }
    table t = {0};
    gather g = {.app = app, .t = &t};
    pk_buf_init(&g.tmp, 4096);
    pk_draw_rec *d = calloc(1, sizeof(*d));
    pk_draw_row *rows = malloc(ROWS_BATCH * sizeof(*rows));
    pk_tx *tx = NULL;
    pk_wave w;
    quotas q;
    int rc = d && rows ? 0 : PK_ENOMEM;
    if (rc == 0)
        rc = pk_store_begin(app->store, &tx);
    if (rc == 0 && (rc = pk_tx_wave_get(tx, number, &w)) == PK_ENOENT) {
        snprintf(err, errlen, "no wave %lld", (long long)number);
        goto out;
    }
    if (rc != 0)
        goto db;
    if (strcmp(w.state, "diundi") == 0) {
        pk_tx_rollback(tx);
        tx = NULL;
        rc = draw_repeat(app, number, seed, out, err, errlen);
        goto out;
    }
    if (strcmp(pk_wave_state_now(w.closes_at, w.state, now_secs()), "dibuka") == 0) {
        char closes[32];
        pk_instant_format(w.closes_at, closes);
        snprintf(err, errlen, "wave %lld is still open (it closes at %s): close it first "
                 "(prakerja wave close --wave %lld)", (long long)number, closes,
                 (long long)number);
        rc = PK_EDENIED;
        goto out;
    }
    if ((g.scheme = pk_schemes_find(&app->schemes, w.scheme)) == NULL) {
        snprintf(err, errlen, "wave %lld's scheme '%s' is not in the schemes file",
                 (long long)number, w.scheme);
        rc = PK_EINVAL;
        goto out;
    }
    if (!pk_card_prefix_valid(app->cfg.card_issuer)) {
        snprintf(err, errlen, "the card_issuer setting must be 6 digits");
        rc = PK_EINVAL;
        goto out;
    }
    if (!quotas_parse(w.region_quotas, &q)) {
        snprintf(err, errlen, "wave %lld's regency quotas are unreadable", (long long)number);
        rc = PK_EIO;
        goto out;
    }
    g.closing = pk_instant_day_wib(w.closes_at);
    g.q = &q;
    /* 1-2. everyone who joined, the rules on the closing date, the tier */
    if ((rc = pk_tx_wave_applicants(tx, number, gather_one, &g)) != 0) {
        if (g.unreadable)
            snprintf(err, errlen, "a participant's record does not open with this key file");
        else
            goto db;
        goto out;
    }
    /* the families, and their recipients of earlier waves */
    if ((rc = families(&t, false)) != 0 || (rc = pk_tx_recipient_families(tx, number, prior_one, &t)) != 0)
        goto db;
    outcome *o = calloc(1, sizeof(*o));
    if (o == NULL) {
        rc = PK_ENOMEM;
        goto db;
    }
    /* 3-4. rank, order, walk; 5. the digests */
    rc = draw_compute(&t, seed, w.quota, &q, g.scheme->kk_max, o);
    if (rc != 0) {
        free(o);
        goto db;
    }
    d->wave = number;
    memcpy(d->seed, seed, 32);
    d->algorithm = PK_DRAW_ALGORITHM;
    memcpy(d->snapshot, o->snapshot, 32);
    memcpy(d->result, o->result, 32);
    d->drawn_at = at;
    d->applicants = (int64_t)t.n;
    d->eligible = o->eligible;
    d->selected = o->selected;
    d->not_selected = (int64_t)t.n - o->selected;
    reasons_text(o->by_reason, d->reasons, sizeof(d->reasons));
    free(o);
    if ((rc = pk_tx_draw_insert(tx, d)) != 0)
        goto db;
    int64_t serial = -1;
    if ((rc = pk_tx_card_serial_max(tx, &serial)) != 0)
        goto db;
    /* The card serials follow NIK order (the table's, after the draw); the
     * rows are written in participant order, the order of every table and
     * index they go to: in NIK order each write landed on a page of its
     * own, which made the draw three times its import (bench/draw.sh). */
    uint32_t ncards = 0;
    for (size_t i = 0; i < t.n; i++)
        if (t.a[i].selected)
            t.a[i].card = ncards++;
    if (t.n > 1)
        qsort(t.a, t.n, sizeof(appl), cmp_pid);
    size_t nb = 0;
    for (size_t i = 0; i < t.n; i++) {
        const appl *x = &t.a[i];
        pk_draw_row *r = &rows[nb++];
        memset(r, 0, sizeof(*r));
        r->participant_id = x->pid;
        r->tier = x->tier;
        r->reasons = x->reasons;
        r->selected = x->selected;
        bool quota_code = x->reasons == PK_CODEBIT(PK_C_KUOTA_GELOMBANG_PENUH) ||
                          x->reasons == PK_CODEBIT(PK_C_KUOTA_WILAYAH_PENUH) ||
                          x->reasons == PK_CODEBIT(PK_C_KUOTA_KK_PENUH);
        r->eligible = x->selected || quota_code;
        if (x->region != PK_DRAW_NONE)
            snprintf(r->regency, sizeof(r->regency), "%s", q.code[x->region]);
        memcpy(r->kk_bi, x->kk, PK_BI_LEN);
        r->kk_prior = t.prior[x->family];
        if (nb == ROWS_BATCH || i + 1 == t.n) {
            if ((rc = pk_tx_draw_rows_insert(tx, number, nb, rows)) != 0)
                goto db;
            nb = 0;
        }
        if ((rc = write_events(app, tx, x, number, at, g.scheme, err, errlen)) != 0)
            goto out;
        if (x->selected) {
            char card[PK_CARD_LEN + 1];
            int64_t sn = serial + 1 + (int64_t)x->card;
            if ((rc = pk_card_make(app->cfg.card_issuer, (uint64_t)sn, card)) != 0) {
                snprintf(err, errlen, "no card numbers left under the issuer prefix");
                goto out;
            }
            if ((rc = pk_tx_card_insert(tx, x->pid, number, sn, card, at)) != 0)
                goto db;
        }
    }
    char seedhex[65], detail[256];
    pk_draw_hex(seed, seedhex);
    snprintf(detail, sizeof(detail), "wave=%lld seed=%s applicants=%lld selected=%lld",
             (long long)number, seedhex, (long long)t.n, (long long)d->selected);
    if ((rc = pk_tx_wave_set_state(tx, number, "diundi")) != 0 ||
        (rc = pk_tx_audit(tx, actor, "cli", "wave.draw", 0, detail)) != 0)
        goto db;
    rc = pk_tx_commit(tx);
    tx = NULL;
    if (rc != 0)
        goto db;
    out->json = summary_json(d);
    if (out->json == NULL)
        rc = PK_ENOMEM;
    goto out;
db:
    if (rc == PK_ECONFLICT)
        snprintf(err, errlen, "another process changed the wave meanwhile: run the draw again");
    else if (rc == PK_ENOMEM)
        snprintf(err, errlen, "out of memory");
    else
        snprintf(err, errlen, "database error");
out:
    pk_tx_rollback(tx);
    if (g.tmp.data != NULL)
        sodium_memzero(g.tmp.data, g.tmp.cap);
    pk_buf_free(&g.tmp);
    table_free(&t);
    free(rows);
    free(d);
    return rc;
}

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
    if (pk_reg_unseal_pii(s->app, &row, &s->tmp, &p) != 0 || !nik_number(p.nik, &x.nik))
        return PK_EINVAL;
    sodium_memzero(&p, sizeof(p));
    x.pid = r->participant_id;
    memcpy(x.kk, r->kk_bi, PK_BI_LEN);
    /* the walk's input: the rules' reasons; 0 for whoever took part */
    x.reasons = r->eligible ? 0 : r->reasons;
    x.tier = (uint8_t)r->tier;
    x.region = r->regency[0] ? quota_index(s->q, r->regency) : PK_DRAW_NONE;
    x.family = (uint32_t)(r->kk_prior < 0 ? 0 : r->kk_prior > UINT32_MAX ? UINT32_MAX
                                                                          : r->kk_prior);
    int rc = table_add(s->t, &x);
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
    int rc = wave_find(app, number, &w);
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
    if (s == NULL || !quotas_parse(w.region_quotas, &q)) {
        snprintf(err, errlen, "wave %lld's scheme or quotas are unreadable", (long long)number);
        return PK_EINVAL;
    }
    stored st = {.app = app, .q = &q, .t = t};
    pk_buf_init(&st.tmp, 4096);
    rc = pk_store_draw_rows_each(app->store, number, stored_one, &st);
    if (st.tmp.data != NULL)
        sodium_memzero(st.tmp.data, st.tmp.cap);
    pk_buf_free(&st.tmp);
    if (rc == 0 && (rc = families(t, true)) == 0)
        rc = draw_compute(t, r->d.seed, w.quota, &q, s->kk_max, &r->o);
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

static int draw_repeat(const pk_app *app, int64_t number, const uint8_t seed[32],
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
        if ((out->json = summary_json(&r->d)) == NULL)
            rc = PK_ENOMEM;
    }
    table_free(&t);
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
    table_free(&t);
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
        nik_text(x->nik, nik);
        pk_draw_rank(r->d.seed, nik, rank);
        pk_draw_hex(rank, hex);
        codes_text(x->selected ? 0 : x->reasons, why, sizeof(why));
        int k = snprintf(line, sizeof(line), "%s,%d,%s,%s,%s\n", nik, x->tier, hex,
                         x->selected ? "lolos" : "tidak_lolos", why);
        rc = fn(ctx, line, (size_t)k);
        sodium_memzero(nik, sizeof(nik));
        sodium_memzero(line, sizeof(line));
    }
    table_free(&t);
    free(r);
    return rc;
}
