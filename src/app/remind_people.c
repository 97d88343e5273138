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

/* ---- what was recorded of people ---- */

/* The index in the batch of participant pid (ids ascending). */
static long subject_at(const day_ctx *d, int64_t pid)
{
    size_t lo = 0, hi = d->nsubj;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (d->subj[mid].id < pid)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < d->nsubj && d->subj[lo].id == pid ? (long)lo : -1;
}

int pk_rp_got_mark(void *ctx, const pk_remind_mark *m)
{
    day_ctx *d = ctx;
    long i = subject_at(d, m->participant_id);
    if (i < 0)
        return 0;
    struct mark_idx *x = &d->mi[i];
    switch (m->kind) {
    case PK_RM_FIRE: {
        if (d->nfires == d->capfires) {
            size_t cap = d->capfires ? d->capfires * 2 : 1024;
            fire_mark *f = realloc(d->fires, cap * sizeof *f);
            if (f == NULL)
                return PK_ENOMEM;
            d->fires = f;
            d->capfires = cap;
        }
        fire_mark *f = &d->fires[d->nfires++];
        f->pid = m->participant_id;
        f->anchor = m->anchor;
        f->k = m->k;
        f->offset_days = m->offset_days;
        snprintf(f->rule, sizeof f->rule, "%s", m->rule);
        f->final = strcmp(m->status, "ditunda") != 0;
        f->cancelled = strcmp(m->status, "dibatalkan") == 0;
        break;
    }
    case PK_RM_STOP: {
        pk_purpose p = pk_purpose_by_name(m->purpose);
        if (p != PK_PURPOSE__COUNT)
            x->stopped |= 1u << p;
        break;
    }
    case PK_RM_SENT: {
        pk_date sd;
        if (pk_date_parse(m->day, strlen(m->day), &sd) == 0) {
            long ago = pk_date_to_days(d->day) - pk_date_to_days(sd);
            if (ago >= 0 && ago < 7)
                x->sent[ago] += (int)m->count;
        }
        break;
    }
    case PK_RM_FAILED: {
        pk_channel c = pk_channel_by_name(m->channel);
        if (c != PK_CH__COUNT)
            x->failed |= 1u << c;
        break;
    }
    case PK_RM_PREF: {
        pk_channel c = pk_channel_by_name(m->channel);
        if (c != PK_CH__COUNT)
            x->pref = c;
        break;
    }
    }
    return 0;
}

/* The fires of occurrence o among the marks fm[0..nfm) that are settled
 * (bit i: its offset i): a fire recorded final settles itself, and one
 * recorded dibatalkan settles the whole occurrence, "the remaining fires
 * of the occurrence are dibatalkan" (reminders.md step 1), even if the
 * condition holds again later (a purchase cancelled after the cancelled
 * fire); *cancelled (when given) says whether one was. */
uint32_t pk_rp_settled(const day_ctx *d, const pk_remind_occ *o, const fire_mark *fm,
                       size_t nfm, bool *cancelled)
{
    const pk_remind_rule *r = &d->rules.items[o->rule];
    uint32_t settled = 0;
    if (cancelled != NULL)
        *cancelled = false;
    for (size_t m = 0; m < nfm; m++) {
        if (!fm[m].final || fm[m].anchor != o->anchor || fm[m].k != o->k ||
            strcmp(fm[m].rule, r->id) != 0)
            continue;
        if (fm[m].cancelled && cancelled != NULL)
            *cancelled = true;
        for (size_t x = 0; x < r->noffsets; x++)
            if (r->offsets[x] == fm[m].offset_days || fm[m].cancelled)
                settled |= 1u << x;
    }
    return settled;
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
    if (r == NULL || (r->d.subj = calloc(1, sizeof *r->d.subj)) == NULL ||
        (r->d.mi = calloc(1, sizeof *r->d.mi)) == NULL) {
        if (r != NULL)
            free(r->d.subj);
        free(r);
        snprintf(err, errlen, "out of memory");
        return PK_ENOMEM;
    }
    day_ctx *d = &r->d;
    d->app = app;
    pk_wave_table_init(&d->waves, app);
    d->day = day;
    pk_date_format(day, d->day_s);
    pk_date_format(pk_date_add_days(day, -6), d->since_s);
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
    free(r->d.mi);
    free(r->d.fires);
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
    /* what was recorded of them: an occurrence cancelled is settled whole */
    d->nfires = 0;
    memset(d->mi, 0, sizeof *d->mi);
    if ((rc = reader_load(d, participant_id, region, occ, &nocc)) == 0 && nocc > 0)
        rc = pk_store_remind_marks_of(app->store, &participant_id, 1, d->since_s,
                                      pk_rp_got_mark, d);
    if (rc != 0)
        snprintf(err, errlen, "database error (the person's reminders)");
    for (size_t i = 0; rc == 0 && i < nocc; i++) {
        const pk_remind_rule *r = &d->rules.items[occ[i].rule];
        var_text vt;
        pk_remind_vars v = pk_rp_vars_fill(d, &d->subj[0], &occ[i], &vt);
        pk_preview pv = {.rule = r->id, .purpose = pk_purpose_name(r->purpose),
                         .anchor = occ[i].anchor, .k = occ[i].k, .holds = occ[i].holds,
                         .wa_template = r->whatsapp_template};
        (void)pk_rp_settled(d, &occ[i], d->fires, d->nfires, &pv.cancelled);
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
    pk_remind_reader_free(rd);
    return rc;
}
