/* wave.c -- waves (wave.h, spec selection.md): their definitions and
 * rules, over the store's waves division: the regency quotas, create,
 * open and close, joining (the join rules), list and show.  The draw is
 * in wave_draw.c, its computation in wave_compute.c, verify, the repeat
 * of a draw and export selection in wave_verify.c (wave_int.h). */
#include "app/wave.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/journey.h"
#include "app/wave_int.h"
#include "app/wave_terms.h"
#include "core/date.h"
#include "core/region.h"
#include "store/store.h"

/* ---- the wave's quotas ------------------------------------------------- */

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
bool pk_wv_quotas_parse(const char *s, quotas *q)
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

uint32_t pk_wv_quota_index(const quotas *q, const char *regency)
{
    for (size_t i = 0; i < q->n; i++)
        if (strcmp(q->code[i], regency) == 0)
            return (uint32_t)i;
    return PK_DRAW_NONE;
}

/* The regency ("31.71") of a dotted village code. */
void pk_wv_regency_of(const char *village, char out[16])
{
    size_t n = strlen(village);
    if (n > 5)
        n = 5;
    memcpy(out, village, n);
    out[n] = '\0';
}

/* ---- states --------------------------------------------------------------- */

const char *pk_wave_state_now(int64_t opens_at, int64_t closes_at, const char *stored,
                              int64_t now)
{
    if (strcmp(stored, "dibuka") == 0 && now >= closes_at)
        return "ditutup";
    if (strcmp(stored, "dibuka") == 0 && now < opens_at)
        return "belum_dibuka";
    return stored;
}

int64_t pk_wv_now(void)
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
    if (open && pk_wv_now() >= w.closes_at) {
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
    /* a join is recorded once it happened (a draw comes after every join
     * of its wave: one dated ahead would hold the draw back until then);
     * a few minutes' lead allow for another machine's clock */
    if (e->at > pk_wv_now() + PK_WAVE_CLOCK_LEAD) {
        *why = PK_C_WAKTU_DI_MASA_DEPAN;
        return PK_EINVAL;
    }
    if (before->status == PK_JS_PENDAFTAR && before->wave != e->wave) {
        pk_wave other;
        rc = pk_tx_wave_peek(tx, before->wave, &other); /* held here: not waiting for its draw */
        if (rc != 0 && rc != PK_ENOENT)
            return rc;
        /* one open wave at a time (selection.md): at the join's instant
         * the person is an applicant of a wave of this deployment that is
         * still open then (a wave an admin closed early is closed; the
         * programme office's waves are not held here).  Once it has
         * closed they may join another: its draw's outcome comes later,
         * and a tidak_lolos then leaves the later application standing
         * (core/journey.c), a lolos makes them a recipient. */
        if (rc == 0 && strcmp(other.state, "ditutup") != 0 && e->at < other.closes_at) {
            *why = PK_C_MASIH_DI_GELOMBANG_LAIN;
            return PK_EINVAL;
        }
    }
    return 0;
}

bool pk_wave_lokal_only_ours(pk_event_type type)
{
    return type == PK_EV_LOLOS || type == PK_EV_TIDAK_LOLOS || type == PK_EV_DICABUT;
}

int pk_wave_lokal_rule(void *ctx, pk_tx *tx, const pk_journey *before, const pk_event *e,
                       pk_code *why)
{
    if (e->source != PK_SRC_LOKAL)
        return 0;
    if (pk_wave_lokal_only_ours(e->type)) {
        *why = PK_C_KOLOM_TIDAK_VALID;
        return PK_EINVAL;
    }
    if (e->type == PK_EV_GABUNG_GELOMBANG)
        return pk_wave_join_rule(ctx, tx, before, e, why);
    /* (revoked already: the journey's own rule answers, sudah_dicabut) */
    if (e->type != PK_EV_PEMBELIAN || before->selected_at == 0 ||
        before->status == PK_JS_DICABUT)
        return 0;
    pk_wave w;
    int rc = pk_tx_wave_peek(tx, before->wave, &w); /* its terms: no lock to queue on */
    if (rc != 0 && rc != PK_ENOENT)
        return rc;
    pk_wave_terms t = pk_wave_terms_of(ctx, rc == 0 ? &w : NULL, before->wave, NULL);
    pk_deadlines d;
    pk_journey_deadlines(before, t.purchase_days, t.survey_days, t.cutoff, &d);
    /* the balance has lapsed, or the membership is to be revoked: the
     * daily job may not have run yet, a purchase must not slip in */
    if (d.balance.applies && e->at > d.balance.ends) {
        *why = PK_C_BATAS_SALDO_LEWAT;
        return PK_EINVAL;
    }
    if (before->first_purchase_at == 0 && e->at > d.first_purchase.ends) {
        *why = PK_C_BATAS_PEMBELIAN_LEWAT;
        return PK_EINVAL;
    }
    return 0;
}

/* Participant pid's join to the wave at `at` inside tx (a gabung_gelombang
 * of source lokal, its ref naming both): *res says inserted, duplicate
 * (joined before) or rejected with why.  The wave's own rules first, even
 * for a join stored already: who asks to join a closed wave is told so. */
static int join_one(pk_tx *tx, int64_t wave, int64_t pid, int64_t at, pk_append_result *res)
{
    pk_event ev;
    memset(&ev, 0, sizeof(ev));
    ev.participant_id = pid;
    ev.source = PK_SRC_LOKAL;
    ev.type = PK_EV_GABUNG_GELOMBANG;
    ev.at = at;
    ev.seq = 1;
    ev.wave = wave;
    snprintf(ev.ref, sizeof(ev.ref), "gabung-%lld-%lld", (long long)wave, (long long)pid);
    pk_journey none;
    memset(&none, 0, sizeof(none));
    res->verdict = PK_APPEND_INSERTED;
    int rc = pk_wave_join_rule(NULL, tx, &none, &ev, &res->why);
    if (rc == PK_EINVAL) {
        res->verdict = PK_APPEND_REJECTED;
        return 0;
    }
    return rc != 0 ? rc
                   : pk_journey_append_checked(tx, pid, &ev, 1, res, pk_wave_join_rule, NULL,
                                               NULL);
}

int pk_wave_join_self(const pk_app *app, int64_t wave, int64_t participant_id, int64_t at,
                      const char *source, bool dry, pk_code *why, bool *before)
{
    *why = PK_C__COUNT;
    *before = false;
    pk_tx *tx = NULL;
    pk_append_result res;
    char detail[48];
    snprintf(detail, sizeof(detail), "wave=%lld", (long long)wave);
    int rc = pk_store_begin(app->store, &tx);
    if (rc == 0)
        rc = join_one(tx, wave, participant_id, at, &res);
    *before = rc == 0 && res.verdict == PK_APPEND_DUPLICATE;
    if (rc == 0 && res.verdict == PK_APPEND_REJECTED) {
        *why = res.why;
        rc = res.why == PK_C_GELOMBANG_TIDAK_DIKENAL ? PK_ENOENT : PK_EDENIED;
    } else if (rc == 0 && res.verdict == PK_APPEND_INSERTED && !dry &&
               (rc = pk_tx_audit(tx, "warga", source, "wave.join", participant_id, detail)) ==
                   0) {
        rc = pk_tx_commit(tx);
        tx = NULL;
    }
    pk_tx_rollback(tx);
    return rc;
}

int pk_wave_join(const pk_app *app, int64_t wave, const char *nik, int64_t at, char *err,
                 size_t errlen)
{
    uint64_t dummy;
    if (!pk_wv_nik_number(nik, &dummy)) {
        snprintf(err, errlen, "a NIK is 16 digits");
        return PK_EINVAL;
    }
    pk_bi bi;
    pk_vault_blind(&app->vault, "nik", nik, bi);
    pk_tx *tx = NULL;
    pk_pknown known;
    pk_wave w;
    int rc = pk_store_begin(app->store, &tx);
    /* the wave first: an unknown wave is the whole command's mistake, not
     * one NIK's (the join rule checks it again at the join's instant) */
    if (rc == 0 && (rc = pk_tx_wave_get(tx, wave, &w)) == PK_ENOENT) {
        snprintf(err, errlen, "no wave %lld (prakerja wave list)", (long long)wave);
        goto out;
    }
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
    pk_append_result res;
    rc = join_one(tx, wave, known.id, at, &res);
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
                 : res.why == PK_C_WAKTU_DI_MASA_DEPAN
                     ? " (--at is in the future: a join is recorded once it happened)"
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
    if (pk_wv_quotas_parse(w->region_quotas, &qs))
        for (size_t i = 0; i < qs.n; i++)
            json_object_set_new(q, qs.code[i], json_integer(qs.quota[i]));
    return json_pack("{s:I, s:s, s:o, s:o, s:I, s:o, s:o, s:s, s:s}", "wave",
                     (json_int_t)w->number, "scheme", w->scheme, "opens",
                     instant_json(w->opens_at), "closes", instant_json(w->closes_at), "quota",
                     (json_int_t)w->quota, "quota_regions", q, "balance_until",
                     w->balance_until[0] ? json_string(w->balance_until) : json_null(), "state",
                     pk_wave_state_now(w->opens_at, w->closes_at, w->state, pk_wv_now()), "created_at",
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

typedef struct joinable_ctx {
    int64_t now;
    pk_wave_open *out;
    size_t max, n;
} joinable_ctx;

static int joinable_one(void *ctx, const pk_wave *w)
{
    joinable_ctx *c = ctx;
    if (c->n < c->max && strcmp(w->state, "dibuka") == 0 && w->opens_at <= c->now &&
        c->now < w->closes_at)
        c->out[c->n++] = (pk_wave_open){w->number, w->opens_at, w->closes_at};
    return 0;
}

void pk_wave_draw_ref(char out[PK_EVENT_REF_MAX], int64_t wave, const char *what, int64_t pid)
{
    snprintf(out, PK_EVENT_REF_MAX, "undian-%lld-%s-%lld", (long long)wave, what,
             (long long)pid);
}

int pk_wave_joinable(const pk_app *app, int64_t now, pk_wave_open *out, size_t max, size_t *n)
{
    joinable_ctx c = {now, out, max, 0};
    int rc = pk_store_waves_each(app->store, joinable_one, &c);
    *n = rc == 0 ? c.n : 0;
    return rc;
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

int pk_wv_find(const pk_app *app, int64_t number, pk_wave *out)
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

json_t *pk_wv_summary_json(const pk_draw_rec *d)
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
    int rc = pk_wv_find(app, number, &w);
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
        json_t *s = pk_wv_summary_json(d);
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
