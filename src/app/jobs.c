/* jobs.c -- the daily job (jobs.h): revocations past the first-purchase
 * deadline and lapses past the balance cut-off, a day at a time, through
 * pk_journey_append_tail (their events come after everything stored), a
 * lazy transaction per page and an ordinary one at the day's end. */
#include "app/jobs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/committer.h"
#include "app/journey.h"
#include "app/registry_int.h"
#include "core/journey.h"
#include "app/wave.h"
#include "app/wave_terms.h"
#include "store/store.h"

#define JOBS_BATCH 2000         /* people per transaction */
#define META_LAST "jobs_last_day"

typedef struct job {
    const pk_app *app;
    const char *actor;
    pk_jobs_summary *sum;
    pk_date day;
    char day_s[11];
    pk_due_row *rows;
} job;

/* The wave's terms (wave_terms.h): this deployment's wave when it has
 * it (*held), else the programme office's by its number (its scheme's
 * cut-off, if the schemes file has one); read, not locked. */
static int rule_of(const job *jb, pk_tx *tx, int64_t wave, pk_wave_terms *out, bool *held)
{
    pk_wave w;
    int rc = pk_tx_wave_peek(tx, wave, &w);
    if (rc != 0 && rc != PK_ENOENT)
        return rc;
    *out = pk_wave_terms_of(jb->app, rc == 0 ? &w : NULL, wave, NULL);
    *held = rc == 0;
    return 0;
}

static void job_event(pk_event *e, const job *jb, pk_event_type type, const char *what,
                      int64_t pid, int64_t at, int64_t seq, int64_t amount, pk_code note)
{
    memset(e, 0, sizeof(*e));
    e->source = PK_SRC_LOKAL;
    e->type = type;
    e->at = at;
    e->seq = seq;
    e->amount = amount;
    snprintf(e->ref, sizeof(e->ref), "job:%s:%s:%lld", jb->day_s, what, (long long)pid);
    snprintf(e->note, sizeof(e->note), "%s", pk_code_name(note));
}

typedef struct tally {
    int64_t revoked, lapsed, amount, skipped;
} tally;

/* One person due: a revocation (with the balance left) or a lapse. */
static int act(const job *jb, pk_tx *tx, pk_due_kind kind, const pk_wave_terms *r,
               const pk_due_row *d, tally *t)
{
    /* the programme office's recipients are its own to revoke and lapse
     * (journey-events-csv.md "Deadlines"): this deployment acts on those
     * its own draw selected (a lolos of source lokal is the draw's alone) */
    char ref[PK_EVENT_REF_MAX];
    int64_t who;
    pk_wave_draw_ref(ref, r->number, "lolos", d->participant_id);
    int rc = pk_tx_event_find(tx, PK_SRC_LOKAL, ref, &who);
    if (rc == PK_ENOENT) {
        t->skipped++;
        return 0;
    }
    if (rc != 0)
        return rc;
    pk_event ev[2];
    pk_append_result res[2];
    size_t n = 0;
    if (kind == PK_DUE_UNBOUGHT) {
        pk_journey j = {.selected_at = d->selected_at};
        pk_deadlines dl;
        pk_journey_deadlines(&j, r->purchase_days, 0, r->cutoff, &dl);
        int64_t at = dl.first_purchase.ends + 1;
        job_event(&ev[n++], jb, PK_EV_DICABUT, "dicabut", d->participant_id, at, 1, 0,
                  PK_C_TIDAK_MEMBELI_PELATIHAN);
        if (d->balance > 0)
            job_event(&ev[n++], jb, PK_EV_SALDO_HANGUS, "saldo_hangus", d->participant_id, at,
                      2, d->balance, PK_C_TIDAK_MEMBELI_PELATIHAN);
    } else {
        job_event(&ev[n++], jb, PK_EV_SALDO_HANGUS, "batas_saldo", d->participant_id,
                  r->cutoff + 1, 1, d->balance, PK_C_BATAS_SALDO_LEWAT);
    }
    if ((rc = pk_journey_append_tail(tx, d->participant_id, ev, n, res)) != 0)
        return rc;
    bool rejected = false;
    for (size_t i = 0; i < n; i++) {
        if (res[i].verdict == PK_APPEND_REJECTED)
            rejected = true;
        if (res[i].verdict != PK_APPEND_INSERTED)
            continue;
        if (ev[i].type == PK_EV_DICABUT) {
            t->revoked++;
            rc = pk_reg_list_add_one(jb->app, tx, "daftar_hitam", d->nik_bi,
                                     pk_code_name(PK_C_TIDAK_MEMBELI_PELATIHAN), jb->actor);
            if (rc != 0)
                return rc;
        } else {
            t->lapsed++;
            t->amount += ev[i].amount;
        }
    }
    t->skipped += rejected;
    return 0;
}

/* The people of one wave due on the day, a transaction per page; in
 * mirror mode only counted. */
static int wave_pass(job *jb, pk_due_kind kind, int64_t wave)
{
    pk_jobs_summary *sum = jb->sum;
    int64_t after_at = INT64_MIN, after_id = 0;
    for (;;) {
        int rc = 0;
        tally t = {0};
        size_t n = 0;
        int64_t next_at = after_at, next_id = after_id;
        for (int attempt = 0;; attempt++) {
            pk_tx *tx = NULL;
            pk_wave_terms r;
            bool held = false;
            memset(&t, 0, sizeof(t));
            n = 0;
            /* A lazy commit: the day's end (day_done) commits durably,
             * which makes every page before it durable too; a page lost
             * in a crash before is found due again and redone. */
            if ((rc = pk_store_begin_lazy(jb->app->store, &tx)) == 0 &&
                (rc = rule_of(jb, tx, wave, &r, &held)) == 0) {
                int64_t before = INT64_MIN;
                /* engine mode acts on this deployment's waves only: the
                 * programme office's recipients are its own to revoke */
                bool ours = held || !sum->engine;
                if (ours && r.scheme == NULL)
                    sum->unknown_waves += after_id == 0;
                else if (ours && kind == PK_DUE_UNBOUGHT)
                    before = pk_purchase_due_before(jb->day, r.purchase_days, r.cutoff);
                else if (ours && pk_cutoff_passed(jb->day, r.cutoff))
                    before = INT64_MAX;
                if (before != INT64_MIN)
                    rc = pk_tx_journey_due(tx, kind, wave, before, after_at, after_id,
                                           JOBS_BATCH, jb->rows, &n);
                for (size_t i = 0; rc == 0 && i < n; i++) {
                    if (!sum->engine) {
                        /* a revocation lapses the balance too: counted once */
                        if (kind == PK_DUE_BALANCE && jb->rows[i].unbought)
                            continue;
                        if (kind == PK_DUE_UNBOUGHT)
                            sum->due_revoke++;
                        sum->due_lapse += jb->rows[i].balance > 0;
                        sum->due_amount += jb->rows[i].balance;
                        continue;
                    }
                    rc = act(jb, tx, kind, &r, &jb->rows[i], &t);
                }
                if (n > 0)
                    next_at = jb->rows[n - 1].selected_at,
                    next_id = jb->rows[n - 1].participant_id;
                if (rc == 0 && sum->engine && n > 0) {
                    rc = pk_tx_commit(tx);
                    tx = NULL;
                }
            }
            pk_tx_rollback(tx);
            /* Another process wrote one of these refs, or won a deadlock:
             * do the page again, now seeing what it committed. */
            if ((rc == PK_ECONFLICT || rc == PK_EBUSY) && attempt + 1 < PK_REDO_MAX)
                continue;
            break;
        }
        if (rc != 0)
            return rc;
        sum->revoked += t.revoked;
        sum->lapsed += t.lapsed;
        sum->amount_lapsed += t.amount;
        sum->skipped += t.skipped;
        if (n < JOBS_BATCH)
            return 0;
        after_at = next_at, after_id = next_id;
    }
}

/* Every wave with people of this kind, in order (the smallest wave above
 * the last, through the index: a loose scan). */
static int kind_pass(job *jb, pk_due_kind kind)
{
    int64_t wave = 0;
    for (;;) {
        pk_tx *tx = NULL;
        int64_t next = 0;
        int rc = pk_store_begin(jb->app->store, &tx);
        if (rc == 0)
            rc = pk_tx_journey_due_wave(tx, kind, wave, &next);
        pk_tx_rollback(tx);
        if (rc == PK_ENOENT)
            return 0;
        if (rc != 0 || (rc = wave_pass(jb, kind, next)) != 0)
            return rc;
        wave = next;
    }
}

/* The day's end: the last day run (engine) and the audit entry. */
static int day_done(job *jb, const pk_jobs_summary *before)
{
    const pk_jobs_summary *s = jb->sum;
    char detail[256];
    if (s->engine)
        snprintf(detail, sizeof(detail),
                 "date=%s revoked=%lld lapsed=%lld amount=%lld skipped=%lld", jb->day_s,
                 (long long)(s->revoked - before->revoked),
                 (long long)(s->lapsed - before->lapsed),
                 (long long)(s->amount_lapsed - before->amount_lapsed),
                 (long long)(s->skipped - before->skipped));
    else
        snprintf(detail, sizeof(detail), "date=%s mode=mirror due_revoke=%lld due_lapse=%lld "
                                         "due_amount=%lld", jb->day_s, (long long)s->due_revoke,
                 (long long)s->due_lapse, (long long)s->due_amount);
    pk_tx *tx = NULL;
    int rc = pk_store_begin(jb->app->store, &tx);
    if (rc == 0 && s->engine)
        rc = pk_tx_meta_put_max(tx, META_LAST, (const uint8_t *)jb->day_s, 10);
    if (rc == 0)
        rc = pk_tx_audit(tx, jb->actor, "cli", s->engine ? "jobs.run" : "jobs.report", 0, detail);
    if (rc == 0) {
        rc = pk_tx_commit(tx);
        tx = NULL;
    }
    pk_tx_rollback(tx);
    return rc;
}

static int run_day(job *jb, pk_date day)
{
    jb->day = day;
    pk_date_format(day, jb->day_s);
    pk_jobs_summary before = *jb->sum;
    int rc = kind_pass(jb, PK_DUE_UNBOUGHT);
    if (rc == 0)
        rc = kind_pass(jb, PK_DUE_BALANCE);
    if (rc == 0)
        rc = day_done(jb, &before);
    return rc;
}

/* The last day run, or false when none is recorded. */
static int last_day(const pk_app *app, pk_date *out, bool *found)
{
    *found = false;
    pk_tx *tx = NULL;
    uint8_t buf[16];
    size_t len = 0;
    int rc = pk_store_begin(app->store, &tx);
    if (rc == 0)
        rc = pk_tx_meta_get(tx, META_LAST, buf, sizeof(buf), &len);
    pk_tx_rollback(tx);
    if (rc == PK_ENOENT)
        return 0;
    if (rc != 0)
        return rc;
    if (len == 10 && pk_date_parse((const char *)buf, 10, out) == 0)
        *found = true;
    return 0;
}

int pk_jobs_run(const pk_app *app, pk_date day, const char *actor, pk_jobs_summary *out,
                char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    out->engine = pk_config_engine(&app->cfg);
    if (pk_date_cmp(day, pk_app_today()) > 0) {
        snprintf(err, errlen, "the day has not begun yet in Jakarta");
        return PK_EINVAL;
    }
    job jb = {.app = app, .actor = actor, .sum = out};
    jb.rows = malloc(JOBS_BATCH * sizeof(*jb.rows));
    if (jb.rows == NULL) {
        snprintf(err, errlen, "out of memory");
        return PK_ENOMEM;
    }
    pk_date from = day;
    bool found = false;
    pk_date last;
    int rc = out->engine ? last_day(app, &last, &found) : 0;
    /* the days missed since the last run, in order, then the day */
    if (rc == 0 && found && pk_date_cmp(last, day) < 0)
        from = pk_date_add_days(last, 1);
    out->first = from;
    for (pk_date d = from; rc == 0 && pk_date_cmp(d, day) <= 0; d = pk_date_add_days(d, 1)) {
        rc = run_day(&jb, d);
        if (rc == 0) {
            out->last = d;
            out->days++;
        }
    }
    free(jb.rows);
    if (rc != 0)
        snprintf(err, errlen, "database error (%d) on %s; what was done stays: run it again",
                 rc, jb.day_s);
    return rc;
}
