/* remind_plan.c -- the plan and the run of a day's reminders (remind.h,
 * reminders.md "From fire time to a message").
 *
 * The people are read in id order, a batch at a time (constant memory):
 * the registry's row and journey of each (every participant while a wave
 * is open, else those with a journey), then what was recorded of the
 * batch's id range (fires, stops, messages of the last 7 days, failed
 * channels), merged by id.  For each person core/remind.c derives the
 * occurrences and decides the day's fires; only a person with a fire
 * considered costs more (their events when a rule reads them, their
 * sealed contact opened).  A run records every decision and queues each
 * message in one transaction per batch: a run killed midway and run
 * again finds the settled fires recorded and the rest not, and a message
 * queued twice for one occurrence and day is refused by its unique key. */
#include "app/remind_int.h"

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/channel.h"
#include "app/operator.h"
#include "app/registry.h"
#include "app/vault.h"

#define BATCH 1000
#define LEASE_SECONDS 3600

/* ---- what was recorded of a batch ---- */

static int fire_cmp(const void *a, const void *b)
{
    const fire_mark *x = a, *y = b;
    return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* ---- one person ---- */

static void reason_of(const day_ctx *d, const pk_remind_rule *rule, const pk_remind_fire *f,
                      char *out, size_t cap)
{
    char when[11];
    pk_date_format(pk_instant_day_wib(f->at), when);
    int off = rule->offsets[f->offset];
    switch (f->status) {
    case PK_FS_KIRIM:
        if (pk_date_to_days(pk_instant_day_wib(f->at)) != pk_date_to_days(d->day))
            snprintf(out, cap, "jadwal %s (hari %+d) belum terkirim; dikirim sekarang%s", when,
                     off, f->merged ? ", digabung dengan pengingat berikutnya" : "");
        else
            snprintf(out, cap, "jadwal %s (hari %+d)%s", when, off,
                     f->merged ? ", digabung dengan pengingat berikutnya" : "");
        break;
    case PK_FS_DITUNDA:
        snprintf(out, cap, "batas pesan per orang tercapai; ditunda ke hari berikutnya");
        break;
    case PK_FS_DIBATALKAN:
        snprintf(out, cap, "kondisi tidak berlaku lagi; pengingat ini dan sisanya dibatalkan");
        break;
    case PK_FS_TERLEWAT:
        snprintf(out, cap, "batas waktu sudah lewat");
        break;
    case PK_FS_BERHENTI_LANGGANAN:
        snprintf(out, cap, "peserta berhenti menerima pesan %s", pk_purpose_name(rule->purpose));
        break;
    case PK_FS_KONTROL:
        snprintf(out, cap, "kelompok kontrol (%u,%04u%%): tidak dikirimi pengingat, untuk "
                           "mengukur dampak pengingat",
                 (unsigned)(d->rules.set.control_ppm / 10000),
                 (unsigned)(d->rules.set.control_ppm % 10000));
        break;
    case PK_FS__COUNT:
        out[0] = '\0';
        break;
    }
}

/* The values of a message's placeholders, as a JSON object (the outbox
 * renders each channel's text from them when it sends). */
static int vars_of(const day_ctx *d, const subject *s, const pk_remind_occ *o, char *out,
                   size_t cap)
{
    var_text vt;
    pk_remind_vars v0 = pk_rp_vars_fill(d, s, o, &vt);
    json_t *v = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "batas", v0.batas, "saldo",
                          v0.saldo, "gelombang", v0.gelombang, "ke", v0.ke, "pelatihan",
                          v0.pelatihan, "portal", v0.portal);
    if (v == NULL)
        return PK_ENOMEM;
    char *t = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(v);
    if (t == NULL)
        return PK_ENOMEM;
    int rc = strlen(t) < cap ? 0 : PK_ETOOBIG;
    if (rc == 0)
        memcpy(out, t, strlen(t) + 1);
    free(t);
    return rc;
}

static int person(day_ctx *d, size_t i, const fire_mark *fm, size_t nfm)
{
    subject *s = &d->subj[i];
    pk_remind_occ occ[OCC_MAX];
    size_t nocc = 0;
    int rc = pk_rp_occurrences(d, s, occ, &nocc);
    if (rc != 0 || nocc == 0)
        return rc;
    uint32_t settled[OCC_MAX];
    for (size_t o = 0; o < nocc; o++)
        settled[o] = pk_rp_settled(d, &occ[o], fm, nfm, NULL);
    struct mark_idx *x = &d->mi[i];
    pk_remind_person p = {.settled = settled, .stopped = x->stopped};
    memcpy(p.sent, x->sent, sizeof p.sent);
    pk_remind_fire fires[OCC_MAX * PK_REMIND_OFFSETS_MAX];
    size_t nf = pk_remind_decide(&d->rules, d->day, occ, nocc, &p, fires, PK_ARRAY_LEN(fires));
    if (nf > PK_ARRAY_LEN(fires))
        nf = PK_ARRAY_LEN(fires);
    if (nf == 0)
        return 0;

    /* someone to tell: their NIK (the plan's lines) and how to reach them */
    pk_prow row = {.id = s->id, .pii = (const uint8_t *)d->arena.data + s->pii_off,
                   .pii_len = s->pii_len};
    memcpy(row.nik_bi, s->nik_bi, PK_BI_LEN);
    pk_participant pp;
    memset(&pp, 0, sizeof pp);
    if (pk_registry_unseal_pii(d->app, &row, &pp) != 0) {
        snprintf(d->err, sizeof d->err, "participant %lld: the sealed contact does not open",
                 (long long)s->id);
        return PK_EIO;
    }
    if (pk_remind_held_out(&d->rules.set, pp.nik)) {
        /* the hold-out: the same day decided again, nothing sent */
        p.control = true;
        nf = pk_remind_decide(&d->rules, d->day, occ, nocc, &p, fires, PK_ARRAY_LEN(fires));
        if (nf > PK_ARRAY_LEN(fires))
            nf = PK_ARRAY_LEN(fires);
    }
    pk_channel ch = pk_remind_channel(d->mi[i].pref, d->enabled, d->mi[i].failed,
                                      pp.no_hp[0] != '\0', pp.email[0] != '\0');
    const char *chname = ch == PK_CH__COUNT ? NULL : pk_channel_name(ch);
    d->sum->people++;
    int64_t msg_of[OCC_MAX];
    memset(msg_of, 0, sizeof msg_of);
    rc = 0;
    /* a run queues each occurrence's message first (the latest fire's,
     * not merged), so that every fire it covers records its id */
    for (size_t k = 0; d->run && rc == 0 && k < nf; k++) {
        const pk_remind_fire *fr = &fires[k];
        if (fr->status != PK_FS_KIRIM || fr->merged)
            continue;
        const pk_remind_occ *o = &occ[fr->occ];
        pk_outbox_msg m;
        memset(&m, 0, sizeof m);
        m.participant_id = s->id;
        snprintf(m.rule, sizeof m.rule, "%s", d->rules.items[o->rule].id);
        m.anchor = o->anchor;
        m.k = o->k;
        pk_date_format(pk_instant_day_wib(fr->send_at), m.day);
        m.send_at = fr->send_at;
        snprintf(m.channel, sizeof m.channel, "%s", chname ? chname : "");
        bool added;
        if ((rc = vars_of(d, s, o, m.vars, sizeof m.vars)) == 0 &&
            (rc = pk_tx_outbox_add(d->tx, &m, &added)) == 0 && added) {
            msg_of[fr->occ] = m.id;
            d->sum->queued++;
        }
    }
    for (size_t k = 0; rc == 0 && k < nf; k++) {
        const pk_remind_fire *fr = &fires[k];
        const pk_remind_occ *o = &occ[fr->occ];
        const pk_remind_rule *r = &d->rules.items[o->rule];
        char reason[160];
        reason_of(d, r, fr, reason, sizeof reason);
        d->sum->status[fr->status]++;
        d->sum->rule_status[o->rule][fr->status]++;
        if (d->line != NULL) {
            pk_plan_line l = {.participant_id = s->id, .region = s->region, .nik = pp.nik,
                              .rule = r->id, .anchor = o->anchor, .k = o->k,
                              .status = fr->status, .reason = reason};
            if (fr->status == PK_FS_KIRIM) {
                l.channel = chname;
                l.send_at = fr->send_at;
            }
            rc = d->line(d->line_ctx, &l);
        }
        if (rc == 0 && d->run)
            rc = pk_tx_remind_fire_put(d->tx, s->id, r->id, o->anchor, o->k,
                                       r->offsets[fr->offset], pk_fire_status_name(fr->status),
                                       d->day_s, msg_of[fr->occ]);
    }
    sodium_memzero(&pp, sizeof pp);
    return rc;
}

static int subject_cmp(const void *a, const void *b)
{
    int64_t x = ((const subject *)a)->id, y = ((const subject *)b)->id;
    return (x > y) - (x < y);
}

static int one_batch(day_ctx *d, bool everyone, int64_t *after, bool *more)
{
    d->nsubj = 0;
    pk_buf_reset(&d->arena);
    size_t n = 0;
    /* everyone by id; one region's people by the region index, in
     * (village, id) order, so that its plan costs its people (a staff
     * page), then by id within the batch */
    bool by_region = d->scope[0] != '\0';
    int rc = by_region ? pk_store_remind_subjects_by_region(d->app->store, d->scope, everyone,
                                                            d->after_region, *after, BATCH,
                                                            pk_rp_got_subject, d, &n)
                       : pk_store_remind_subjects(d->app->store, d->scope, everyone, *after,
                                                  BATCH, pk_rp_got_subject, d, &n);
    if (rc != 0)
        return rc;
    *more = n == BATCH;
    if (d->nsubj == 0)
        return 0;
    *after = d->subj[d->nsubj - 1].id;
    memset(d->mi, 0, BATCH * sizeof *d->mi);
    d->nfires = 0;
    if (by_region) {
        snprintf(d->after_region, sizeof d->after_region, "%s", d->subj[d->nsubj - 1].region);
        qsort(d->subj, d->nsubj, sizeof *d->subj, subject_cmp);
        int64_t ids[BATCH];
        for (size_t i = 0; i < d->nsubj; i++)
            ids[i] = d->subj[i].id;
        rc = pk_store_remind_marks_of(d->app->store, ids, d->nsubj, d->since_s, pk_rp_got_mark, d);
    } else {
        rc = pk_store_remind_marks(d->app->store, d->subj[0].id, *after, d->since_s, pk_rp_got_mark,
                                   d);
    }
    if (rc != 0)
        return rc;
    if (d->nfires > 1)
        qsort(d->fires, d->nfires, sizeof *d->fires, fire_cmp);
    if (d->run && (rc = pk_store_begin(d->app->store, &d->tx)) != 0)
        return rc;
    size_t f = 0;
    for (size_t i = 0; rc == 0 && i < d->nsubj; i++) {
        while (f < d->nfires && d->fires[f].pid < d->subj[i].id)
            f++;
        size_t g = f;
        while (g < d->nfires && d->fires[g].pid == d->subj[i].id)
            g++;
        rc = person(d, i, d->fires + f, g - f);
        f = g;
    }
    if (d->run) {
        if (rc == 0)
            rc = pk_tx_commit(d->tx);
        else
            pk_tx_rollback(d->tx);
        d->tx = NULL;
    }
    return rc;
}

void pk_remind_holder(char *out, size_t cap)
{
    char host[64] = "";
    gethostname(host, sizeof host - 1);
    snprintf(out, cap, "%s:%ld", host, (long)getpid());
}

int pk_remind_lease(const pk_app *app, const char *holder, int64_t now, bool *got)
{
    int rc = pk_store_lease_take(app->store, "remind", holder, now + LEASE_SECONDS, now, "",
                                 got);
    if (rc != 0 || *got)
        return rc;
    char cur[96], host[64] = "";
    if ((rc = pk_store_lease_holder(app->store, "remind", cur, sizeof cur)) != 0)
        return rc;
    gethostname(host, sizeof host - 1);
    const char *colon = strrchr(cur, ':');
    if (colon == NULL || (size_t)(colon - cur) != strlen(host) ||
        strncmp(cur, host, strlen(host)) != 0)
        return 0;
    char *end;
    long pid = strtol(colon + 1, &end, 10);
    if (*end != '\0' || pid <= 0 || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
        return 0;
    return pk_store_lease_take(app->store, "remind", holder, now + LEASE_SECONDS, now, cur, got);
}

int pk_remind_day(const pk_app *app, const pk_remind_req *req, pk_remind_summary *sum, char *err,
                  size_t errlen)
{
    pk_date day = req->day;
    bool run = req->run;
    int64_t now = req->now;
    const char *actor = req->actor, *source = req->source;
    memset(sum, 0, sizeof *sum);
    if (req->route != NULL) {
        /* the lines carry every person's whole NIK: the read recorded
         * first (as the exports), or not run */
        char day_s[11], detail[64];
        pk_date_format(day, day_s);
        snprintf(detail, sizeof detail, "day=%s region=%s", day_s,
                 req->scope != NULL && req->scope[0] != '\0' ? req->scope : "*");
        if (pk_access_record(app, actor, "remind.plan", req->route, 0, detail) != 0) {
            snprintf(err, errlen, "cannot write the access log; nothing done");
            return PK_EIO;
        }
    }
    day_ctx *d = calloc(1, sizeof *d);
    if (d == NULL) {
        snprintf(err, errlen, "out of memory");
        return PK_ENOMEM;
    }
    d->app = app;
    pk_wave_table_init(&d->waves, app);
    d->day = day;
    d->run = run;
    d->line = req->line;
    d->line_ctx = req->ctx;
    d->scope = run || req->scope == NULL ? "" : req->scope;
    d->sum = sum;
    d->actor = actor;
    pk_date_format(day, d->day_s);
    pk_date_format(pk_date_add_days(day, -6), d->since_s);
    pk_buf_init(&d->arena, (size_t)64 << 20);
    pk_chan *chans[PK_CH__COUNT] = {0};
    char holder[96];
    bool leased = false;
    int rc = pk_remind_rules_load(&app->cfg, &d->rules, err, errlen);
    if (rc != 0)
        goto out;
    if (run && pk_date_cmp(day, pk_instant_day_wib(now)) > 0) {
        snprintf(err, errlen, "the day has not begun yet in Jakarta (plan shows what it will "
                              "send)");
        rc = PK_EINVAL;
        goto out;
    }
    if ((rc = pk_channels_open(&app->cfg, chans, &d->enabled, err, errlen)) != 0)
        goto out;
    if (run && d->enabled == 0) {
        snprintf(err, errlen, "no channel is enabled: set remind_file (the berkas channel) or "
                              "a channel's settings");
        rc = PK_EINVAL;
        goto out;
    }
    if (run) {
        pk_remind_holder(holder, sizeof holder);
        if ((rc = pk_remind_lease(app, holder, now, &leased)) != 0) {
            snprintf(err, errlen, "database error (the reminders' lease)");
            goto out;
        }
        if (!leased) {
            snprintf(err, errlen, "another process is running the reminders now");
            rc = PK_EBUSY;
            goto out;
        }
    }
    d->subj = calloc(BATCH, sizeof *d->subj);
    d->mi = calloc(BATCH, sizeof *d->mi);
    if (d->subj == NULL || d->mi == NULL) {
        snprintf(err, errlen, "out of memory");
        rc = PK_ENOMEM;
        goto out;
    }
    if ((rc = pk_store_waves_each(app->store, pk_rp_got_wave, d)) != 0) {
        snprintf(err, errlen, "database error (waves)");
        goto out;
    }
    int64_t after = 0;
    bool more = true;
    while (rc == 0 && more)
        rc = one_batch(d, d->open_wave != 0, &after, &more);
    if (rc != 0) {
        snprintf(err, errlen, "%s", d->err[0] ? d->err : "database error (the day's plan)");
        goto out;
    }
    if (run) {
        rc = pk_outbox_deliver(app, &d->rules, chans, d->enabled, day, now, sum, err, errlen);
        char detail[200];
        snprintf(detail, sizeof detail,
                 "day=%s people=%lld kirim=%lld ditunda=%lld queued=%lld sent=%lld failed=%lld",
                 d->day_s, (long long)sum->people, (long long)sum->status[PK_FS_KIRIM],
                 (long long)sum->status[PK_FS_DITUNDA], (long long)sum->queued,
                 (long long)sum->sent, (long long)sum->failed);
        char last[260], at[32];
        pk_instant_format(now, at);
        snprintf(last, sizeof last, "%s %s", at, detail);
        pk_tx *tx = NULL;
        if (pk_store_begin(app->store, &tx) == 0 &&
            pk_tx_audit(tx, actor, source, "remind.run", 0, detail) == 0 &&
            (rc != 0 || pk_tx_meta_put_max(tx, PK_META_REMIND_DAY, (const uint8_t *)d->day_s,
                                           10) == 0) &&
            pk_tx_meta_put_max(tx, PK_META_REMIND_LAST, (const uint8_t *)last,
                               strlen(last)) == 0)
            (void)pk_tx_commit(tx);
        else
            pk_tx_rollback(tx);
    }
out:
    if (leased)
        (void)pk_store_lease_drop(app->store, "remind", holder);
    pk_channels_close(chans);
    pk_buf_wipe_free(&d->arena);
    free(d->subj);
    free(d->mi);
    free(d->fires);
    free(d->ev);
    free(d->open);
    pk_wave_table_free(&d->waves);
    sodium_memzero(&d->rules, sizeof d->rules);
    free(d);
    return rc;
}
