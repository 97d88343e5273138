/* remind_people.c -- a person's reminders (remind_int.h): the day's
 * waves, a person as the store gives them, their occurrences (core/remind.c
 * over their journey, its deadlines and, where a rule reads them, their
 * events) and the values a message's placeholders take; and one person at
 * a time (pk_remind_reader): the participant page's preview of each
 * reminder, and the outbox's check that a message's condition still holds
 * when it hands it over. */
#include "app/remind_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/money.h"

/* ---- the day's waves, a person, their occurrences ---- */

int pk_rp_got_wave(void *ctx, const pk_wave *w)
{
    day_ctx *d = ctx;
    int rc = pk_wave_table_add(&d->waves, w);
    if (rc != 0)
        return rc;
    /* open on the day: gabung_gelombang tells people to join it */
    int64_t begin = pk_day_start_wib(d->day);
    if (strcmp(w->state, "dibuka") != 0 || w->closes_at <= begin ||
        w->opens_at >= pk_day_start_wib(pk_date_add_days(d->day, 1)))
        return 0;
    int64_t *more = realloc(d->open, (size_t)(d->nopen + 1) * sizeof(*more));
    if (more == NULL)
        return PK_ENOMEM;
    d->open = more;
    d->open[d->nopen++] = w->number;
    if (d->open_wave == 0 || w->closes_at < d->open_closes) {
        d->open_wave = w->number;
        d->open_closes = w->closes_at;
    }
    return 0;
}

/* Whether j has applied to a wave open on the day. */
static bool in_open_wave(const day_ctx *d, const pk_journey *j)
{
    if (j == NULL || j->status != PK_JS_PENDAFTAR)
        return false;
    for (int64_t i = 0; i < d->nopen; i++)
        if (d->open[i] == j->wave)
            return true;
    return false;
}

int pk_rp_got_subject(void *ctx, const pk_prow *row, const pk_journey *j)
{
    day_ctx *d = ctx;
    subject *s = &d->subj[d->nsubj];
    memset(s, 0, sizeof *s);
    s->id = row->id;
    s->reasons = row->reasons;
    s->has_j = j != NULL;
    if (j != NULL)
        s->j = *j;
    snprintf(s->scheme, sizeof s->scheme, "%s", row->scheme ? row->scheme : "");
    snprintf(s->region, sizeof s->region, "%s", row->kode_wilayah ? row->kode_wilayah : "");
    memcpy(s->nik_bi, row->nik_bi, PK_BI_LEN);
    s->pii_off = d->arena.len;
    s->pii_len = row->pii_len;
    if (pk_buf_add(&d->arena, row->pii, row->pii_len) != 0)
        return PK_ENOMEM;
    d->nsubj++;
    return 0;
}

static int got_event(void *ctx, const pk_event *e, pk_code skipped)
{
    day_ctx *d = ctx;
    if (skipped != PK_C__COUNT) /* not part of the journey: reminds of nothing */
        return 0;
    if (d->nev == d->capev) {
        size_t cap = d->capev ? d->capev * 2 : 64;
        pk_event *ev = realloc(d->ev, cap * sizeof *ev);
        if (ev == NULL)
            return PK_ENOMEM;
        d->ev = ev;
        d->capev = cap;
    }
    d->ev[d->nev++] = *e;
    return 0;
}

pk_remind_vars pk_rp_vars_fill(const day_ctx *d, const subject *s, const pk_remind_occ *o,
                                var_text *t)
{
    memset(t, 0, sizeof *t);
    pk_date_format_short(pk_instant_day_wib(o->anchor), t->batas);
    pk_rupiah_format(s->has_j ? s->j.balance : 0, t->saldo);
    if (o->wave > 0)
        snprintf(t->gel, sizeof t->gel, "%lld", (long long)o->wave);
    if (o->k > 0)
        snprintf(t->ke, sizeof t->ke, "%lld", (long long)o->k);
    return (pk_remind_vars){t->batas, t->saldo, t->gel, t->ke, o->course,
                            d->app->cfg.portal_url};
}


int pk_rp_occurrences(day_ctx *d, const subject *s, pk_remind_occ *occ, size_t *nocc)
{
    const pk_journey *j = s->has_j ? &s->j : NULL;
    pk_wave_terms t = {.purchase_days = 30, .survey_days = 30};
    if (j != NULL && j->wave > 0)
        t = pk_wave_table_find(&d->waves, j->wave, s->scheme);
    pk_deadlines dl;
    memset(&dl, 0, sizeof dl);
    if (j != NULL)
        pk_journey_deadlines(j, t.purchase_days, t.survey_days, t.cutoff, &dl);
    d->nev = 0;
    int rc;
    if (j != NULL && (j->incentives_failed > 0 || j->completions > 0 || j->survey_k > 0) &&
        (rc = pk_journey_each_judged(d->app->store, s->id, &d->waves, got_event, d)) != 0)
        return rc;
    pk_remind_facts f = {
        .j = j, .d = j ? &dl : NULL, .ev = d->ev, .nev = d->nev,
        .survey_fill_days = t.survey_days, .eligible = s->reasons == 0,
        .in_open_wave = in_open_wave(d, j),
        .open_wave = d->open_wave, .open_wave_closes = d->open_closes};
    *nocc = pk_remind_occurrences(&d->rules, &f, occ, OCC_MAX);
    if (*nocc > OCC_MAX)
        *nocc = OCC_MAX; /* a person with more than 64 trainings or surveys: the first 64 */
    return 0;
}

/* ---- one person at a time: previews, and the check at send time ---- */

struct pk_remind_reader {
    day_ctx d;
};

int pk_remind_reader_new(const pk_app *app, pk_date day, pk_remind_reader **out, char *err,
                         size_t errlen)
{
    *out = NULL;
    pk_remind_reader *r = calloc(1, sizeof *r);
    if (r == NULL || (r->d.subj = calloc(1, sizeof *r->d.subj)) == NULL) {
        free(r);
        snprintf(err, errlen, "out of memory");
        return PK_ENOMEM;
    }
    day_ctx *d = &r->d;
    d->app = app;
    pk_wave_table_init(&d->waves, app);
    d->day = day;
    pk_buf_init(&d->arena, (size_t)1 << 20);
    int rc = pk_remind_rules_load(&app->cfg, &d->rules, err, errlen);
    if (rc == 0 && (rc = pk_store_waves_each(app->store, pk_rp_got_wave, d)) != 0)
        snprintf(err, errlen, "database error (waves)");
    if (rc != 0) {
        pk_remind_reader_free(r);
        return rc;
    }
    *out = r;
    return 0;
}

void pk_remind_reader_free(pk_remind_reader *r)
{
    if (r == NULL)
        return;
    pk_buf_wipe_free(&r->d.arena);
    free(r->d.subj);
    free(r->d.ev);
    free(r->d.open);
    pk_wave_table_free(&r->d.waves);
    free(r);
}

/* The person's occurrences now (none when they are not in the region). */
static int reader_load(day_ctx *d, int64_t pid, const char *region, pk_remind_occ *occ,
                       size_t *nocc)
{
    size_t n = 0;
    *nocc = 0;
    d->nsubj = 0;
    pk_buf_reset(&d->arena);
    int rc = pk_store_remind_subjects(d->app->store, region, true, pid - 1, 1, pk_rp_got_subject, d,
                                      &n);
    if (rc == 0 && d->nsubj == 1 && d->subj[0].id == pid)
        rc = pk_rp_occurrences(d, &d->subj[0], occ, nocc);
    return rc;
}

int pk_remind_reader_holds(pk_remind_reader *r, int64_t participant_id, const char *rule,
                           int64_t anchor, int64_t k, bool *holds)
{
    pk_remind_occ occ[OCC_MAX];
    size_t nocc = 0;
    *holds = false;
    int rc = reader_load(&r->d, participant_id, "", occ, &nocc);
    for (size_t i = 0; rc == 0 && i < nocc; i++)
        if (occ[i].anchor == anchor && occ[i].k == k &&
            strcmp(r->d.rules.items[occ[i].rule].id, rule) == 0)
            *holds = occ[i].holds;
    return rc;
}

/* The occurrences of one person a fire of which was recorded dibatalkan
 * (a run settled them whole), for the preview. */
typedef struct cancelled_marks {
    struct {
        char rule[PK_REMIND_ID_MAX];
        int64_t anchor, k;
    } m[OCC_MAX];
    size_t n;
} cancelled_marks;

static int got_cancelled(void *ctx, const pk_remind_mark *m)
{
    cancelled_marks *c = ctx;
    if (m->kind != PK_RM_FIRE || strcmp(m->status, "dibatalkan") != 0 || c->n == OCC_MAX)
        return 0;
    snprintf(c->m[c->n].rule, sizeof c->m[c->n].rule, "%s", m->rule);
    c->m[c->n].anchor = m->anchor;
    c->m[c->n++].k = m->k;
    return 0;
}

static bool was_cancelled(const cancelled_marks *c, const char *rule, const pk_remind_occ *o)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->m[i].anchor == o->anchor && c->m[i].k == o->k && strcmp(c->m[i].rule, rule) == 0)
            return true;
    return false;
}

int pk_remind_preview(const pk_app *app, int64_t participant_id, const char *region,
                      pk_date day, pk_preview_fn cb, void *ctx, char *err, size_t errlen)
{
    pk_remind_reader *rd;
    int rc = pk_remind_reader_new(app, day, &rd, err, errlen);
    if (rc != 0)
        return rc;
    day_ctx *d = &rd->d;
    size_t nocc = 0;
    pk_remind_occ occ[OCC_MAX];
    cancelled_marks *cm = calloc(1, sizeof *cm);
    if (cm == NULL)
        rc = PK_ENOMEM;
    if (rc == 0 && (rc = reader_load(d, participant_id, region, occ, &nocc)) == 0 && nocc > 0)
        rc = pk_store_remind_marks_of(app->store, &participant_id, 1, d->day_s, got_cancelled, cm);
    if (rc != 0)
        snprintf(err, errlen, "database error (the person's reminders)");
    for (size_t i = 0; rc == 0 && i < nocc; i++) {
        const pk_remind_rule *r = &d->rules.items[occ[i].rule];
        var_text vt;
        pk_remind_vars v = pk_rp_vars_fill(d, &d->subj[0], &occ[i], &vt);
        pk_preview pv = {.rule = r->id, .purpose = pk_purpose_name(r->purpose),
                         .anchor = occ[i].anchor, .k = occ[i].k, .holds = occ[i].holds,
                         .cancelled = was_cancelled(cm, r->id, &occ[i]),
                         .wa_template = r->whatsapp_template};
        for (size_t f = 0; f < r->noffsets && pv.nfires < PK_REMIND_OFFSETS_MAX; f++)
            pv.fires[pv.nfires++] = pk_remind_fire_at(&d->rules, &occ[i], f);
        if (pk_remind_render(r->sms, &v, pv.sms, sizeof pv.sms) != 0 ||
            pk_remind_render(r->whatsapp, &v, pv.whatsapp, sizeof pv.whatsapp) != 0 ||
            pk_remind_render(r->email_subject, &v, pv.email_subject,
                             sizeof pv.email_subject) != 0 ||
            pk_remind_render(r->email, &v, pv.email, sizeof pv.email) != 0) {
            snprintf(err, errlen, "rule %s: a text does not render", r->id);
            rc = PK_EINVAL;
            break;
        }
        rc = cb(ctx, &pv);
    }
    free(cm);
    pk_remind_reader_free(rd);
    return rc;
}
