/* journey_import_feed.c -- pass 4 of the event import (journey_import.c):
 * the rows merged in person order, beside the repeats of a ref, which
 * are skipped, and each person's rows handed to the journey
 * (app/journey.c), a transaction per TX_FIRST rows doubling to TX_MAX,
 * or one for a bulk load. */
#include "app/journey_import_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/journey.h"
#include "app/registry_int.h"
#include "app/wave.h"

#define GROUP_MAX 512                  /* one person's rows per append */
/* Rows per pk_journey_append_many: on a shared store (PostgreSQL) each
 * batch is a block of ids, a COPY of events and one of journeys, round
 * trips and statements the server starts: 4,096 rows loaded 1M events in
 * 7.6-8.6 s against 8.4-8.9 s for 2,048, alternately, 10 MiB more
 * (bench/README.md, event import on PostgreSQL, run 10).  On SQLite a batch is function
 * calls, and its memory counts: half as many (the arrays' untouched half
 * stays unmapped). */
#define BATCH_ROWS 4096
/* Rows per transaction (at least): the first, doubling up to the cap.  The
 * event indexes (by (source, ref), by participant) take the rows in an
 * order unrelated to theirs, so every commit rewrites pages all over them:
 * 5,000 rows a transaction wrote 6.3 GB for a 1M-row file, 160,000 at
 * most 1.5 GB, in a third of the time (bench/events.sh). */
#define TX_FIRST 5000
#define TX_MAX 160000

/* Rows handed to pk_journey_append_many at once: the rows of many people
 * (a statement per step for all of them), at most GROUP_MAX of one. */
typedef struct ebatch {
    size_t n, ng;
    pk_event ev[BATCH_ROWS];
    pk_append_result res[BATCH_ROWS];
    unsigned long line[BATCH_ROWS];
    size_t off[BATCH_ROWS];  /* the row's fields in data */
    pk_append_group g[BATCH_ROWS];
    pk_buf data;
    bool cont;               /* its first group goes on with the last batch's person */
    pk_judged *judged;       /* judged by the feeder (pass4), or empty */
    bool is_judged;
} ebatch;

/* Appends the batch's rows to their people's journeys inside tx (bulk: a
 * bulk load's, no stored ref looked up). */
static int flush_batch(eimporter *im, pk_tx *tx, bool bulk, ebatch *b, long *in_tx)
{
    if (b->n == 0)
        return 0;
    const char *f[C__COUNT];
    /* A local file joins this deployment's waves and buys with its
     * balances: their rules apply (selection.md, the deadlines); the
     * programme office's events are its own programme's. */
    int rc = b->is_judged ? pk_journey_write_judged(tx, b->judged)
                          : pk_journey_append_many(tx, b->g, b->ng,
                                                   im->source == PK_SRC_LOKAL ? pk_wave_lokal_rule
                                                                              : NULL,
                                                   (void *)im->app, !bulk);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < b->n; i++) {
        im->sum->made_inert += b->res[i].made_inert;
        im->sum->kept += b->res[i].kept;
        im->sum->differ += b->res[i].differs;
        if (b->res[i].verdict == PK_APPEND_INSERTED) {
            im->sum->inserted++;
        } else if (b->res[i].verdict == PK_APPEND_DUPLICATE) {
            im->sum->duplicates++;
        } else {
            pk_ji_fields_of((const char *)b->data.data + b->off[i], f);
            /* kolom_tidak_valid from the journey: a local file's lolos,
             * tidak_lolos or dicabut (pk_wave_lokal_rule), else a sum past
             * 64 bits (core/journey.c) */
            const char *col = NULL;
            if (b->res[i].why == PK_C_KOLOM_TIDAK_VALID)
                col = pk_wave_lokal_only_ours(b->ev[i].type) ? "peristiwa" : "jumlah";
            pk_ji_reject(im, b->line[i], b->res[i].why, col, f);
        }
    }
    *in_tx += (long)b->n;
    b->n = b->ng = 0;
    b->cont = b->is_judged = false;
    pk_buf_reset(&b->data);
    return 0;
}

static int commit(eimporter *im, pk_tx **tx, long *in_tx, long *inserted_before)
{
    char detail[96];
    snprintf(detail, sizeof(detail), "source=%s rows=%ld inserted=%ld",
             pk_event_source_name(im->source), *in_tx, im->sum->inserted - *inserted_before);
    int rc = pk_tx_audit(*tx, im->opts->actor ? im->opts->actor : "", "import",
                         "journey.import", 0, detail);
    if (rc != 0) {
        pk_tx_rollback(*tx);
        *tx = NULL;
        return rc;
    }
    rc = pk_tx_commit(*tx);
    *tx = NULL;
    *in_tx = 0;
    *inserted_before = im->sum->inserted;
    return rc;
}

/* Pass 4 runs on two threads: a feeder merges the rows (and the
 * duplicates, which it skips) and parses them into batches, the caller
 * appends each batch and commits.  Two batches go round: the feeder fills
 * one while the caller writes the other (the second core; the writes are
 * most of the pass).  In a bulk load of the office's file, whose people
 * have no stored event, the feeder judges the batch too
 * (pk_journey_judge_unstored, the waves' terms read in the transaction
 * beforehand) and the caller only writes it; not a batch whose first
 * person goes on from the batch before (more than GROUP_MAX rows: their
 * first rows are stored by then), which the caller appends whole.  A
 * batch handed over says whether the rows after it are another person's
 * (a transaction may end there) and whether it is the last. */
typedef struct feed {
    eimporter *im;
    const pk_wave_table *waves; /* the feeder judges (see above); or NULL */
    merge m, md;
    ebatch *b[2];
    bool full[2];      /* handed to the caller, not yet given back */
    bool boundary[2];  /* the next row is another person's (or none) */
    bool last[2];      /* no batch after it */
    int rc;            /* the feeder's error, with the last batch */
    bool stop;         /* the caller's: no more batches wanted */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t rows;       /* a batch's rows: BATCH_ROWS, or half (SQLite) */
} feed;

/* The feeder hands batch i over (and waits for the other to be free):
 * false when the caller wants no more. */
static bool feed_hand(feed *fd, int i, bool boundary, bool last)
{
    pthread_mutex_lock(&fd->mu);
    fd->full[i] = true;
    fd->boundary[i] = boundary;
    fd->last[i] = last;
    pthread_cond_broadcast(&fd->cv);
    while (!last && fd->full[i ^ 1] && !fd->stop)
        pthread_cond_wait(&fd->cv, &fd->mu);
    bool go = !fd->stop;
    pthread_mutex_unlock(&fd->mu);
    return go;
}

/* The feeder judges a full batch, when it may (see above). */
static int feed_judge(feed *fd, ebatch *b)
{
    if (fd->waves == NULL || b->cont || b->ng == 0)
        return 0;
    int rc = pk_journey_judge_unstored(b->g, b->ng, pk_wave_table_purchase_by,
                                       (void *)fd->waves, b->judged);
    b->is_judged = rc == 0;
    return rc;
}

static void *feeder_main(void *arg)
{
    feed *fd = arg;
    int i = 0, rc = 0;
    ebatch *b = fd->b[0];
    for (run *r; rc == 0 && (r = pk_jr_merge_top(&fd->m)) != NULL;) {
        /* a row that repeats a ref (pass 3): counted, skipped */
        run *d = pk_jr_merge_top(&fd->md);
        while (d != NULL && pk_jr_srec_cmp(BY_PID, &d->h, d->data, &r->h, r->data) < 0 &&
               (rc = pk_jr_merge_pop(&fd->md)) == 0)
            d = pk_jr_merge_top(&fd->md);
        if (rc == 0 && d != NULL && d->h.line == r->h.line) {
            if ((rc = pk_jr_merge_pop(&fd->md)) == 0)
                rc = pk_jr_merge_pop(&fd->m);
            continue;
        }
        if (rc != 0)
            break;
        pk_append_group *last = b->ng > 0 ? &b->g[b->ng - 1] : NULL;
        bool same = last != NULL && last->participant_id == r->h.pid;
        /* full, or a person's rows at GROUP_MAX; or, near full, the next
         * person starts: most batches end between two people, where the
         * caller may commit (a person's rows in one transaction, when they
         * fit; a batch cut only when full seldom ended there) */
        if (b->n == fd->rows || (same && last->n == GROUP_MAX) ||
            (!same && b->n >= fd->rows - GROUP_MAX)) {
            if ((rc = feed_judge(fd, b)) != 0)
                break;
            if (!feed_hand(fd, i, !same, false))
                return NULL;
            i ^= 1;
            b = fd->b[i];
            b->cont = same;
            same = false;
        }
        /* the row into the batch */
        const char *f[C__COUNT];
        pk_ji_fields_of(r->data, f);
        pk_event_fields ef;
        pk_ji_event_fields(f, &ef);
        const char *bad = NULL;
        pk_event *e = &b->ev[b->n];
        if (pk_event_parse(&ef, e, &bad) != 0) { /* checked in pass 1 */
            rc = PK_EIO;
            break;
        }
        e->source = fd->im->source;
        e->seq = pk_event_seq((int32_t)r->h.us, r->h.line);
        if (!same)
            b->g[b->ng++] = (pk_append_group){r->h.pid, e, 0, &b->res[b->n]};
        b->g[b->ng - 1].n++;
        b->line[b->n] = (unsigned long)r->h.line;
        b->off[b->n] = b->data.len;
        if (pk_buf_add(&b->data, r->data, r->h.len) != 0) {
            rc = PK_ENOMEM;
            break;
        }
        b->n++;
        rc = pk_jr_merge_pop(&fd->m);
    }
    if (rc == 0)
        rc = feed_judge(fd, b);
    pthread_mutex_lock(&fd->mu);
    fd->rc = rc;
    pthread_mutex_unlock(&fd->mu);
    feed_hand(fd, i, true, true);
    return NULL;
}

/* tx: the bulk load's transaction (bulk), or NULL; waves: the feeder
 * judges (see feed), or NULL. */
int pk_ji_pass4(eimporter *im, pk_tx *tx, bool bulk, const pk_wave_table *waves, char *err,
                 size_t errlen)
{
    feed *fd = calloc(1, sizeof(*fd));
    int rc = fd == NULL ? PK_ENOMEM : 0;
    bool started = false;
    if (rc == 0) {
        fd->im = im;
        fd->waves = waves;
        fd->rows = pk_store_shared(im->app->store) ? BATCH_ROWS : BATCH_ROWS / 2;
        pthread_mutex_init(&fd->mu, NULL);
        pthread_cond_init(&fd->cv, NULL);
        for (int i = 0; i < 2 && rc == 0; i++) {
            if ((fd->b[i] = calloc(1, sizeof(ebatch))) == NULL ||
                (waves != NULL && (fd->b[i]->judged = pk_judged_new()) == NULL))
                rc = PK_ENOMEM;
            else
                pk_buf_init(&fd->b[i]->data, fd->rows * PK_REG_MAX_RECORD);
        }
    }
    if (rc == 0)
        rc = pk_jr_merge_start(&fd->m, BY_PID, im->st.runs, im->st.nruns);
    if (rc == 0)
        rc = pk_jr_merge_start(&fd->md, BY_PID, im->dups.runs, im->dups.nruns);
    pthread_t feeder;
    int thread_err = 0;
    if (rc == 0) {
        started = (thread_err = pthread_create(&feeder, NULL, feeder_main, fd)) == 0;
        if (!started)
            rc = PK_EBUSY;
    }
    long in_tx = 0, inserted_before = 0, tx_rows = TX_FIRST;
    for (int i = 0; rc == 0; i ^= 1) {
        pthread_mutex_lock(&fd->mu);
        while (!fd->full[i])
            pthread_cond_wait(&fd->cv, &fd->mu);
        bool boundary = fd->boundary[i], last = fd->last[i];
        rc = last ? fd->rc : 0;
        pthread_mutex_unlock(&fd->mu);
        ebatch *b = fd->b[i];
        if (rc == 0 && b->n > 0 && tx == NULL)
            rc = pk_store_begin(im->app->store, &tx);
        if (rc == 0)
            rc = flush_batch(im, tx, bulk, b, &in_tx);
        if (rc == 0 && !last && boundary && !bulk && in_tx >= tx_rows) {
            rc = commit(im, &tx, &in_tx, &inserted_before);
            if (tx_rows < TX_MAX)
                tx_rows *= 2;
        }
        pthread_mutex_lock(&fd->mu);
        fd->full[i] = false;
        pthread_cond_broadcast(&fd->cv);
        pthread_mutex_unlock(&fd->mu);
        if (last)
            break;
    }
    if (started) {
        pthread_mutex_lock(&fd->mu);
        fd->stop = true; /* after an error: the feeder stops at its next batch */
        pthread_cond_broadcast(&fd->cv);
        pthread_mutex_unlock(&fd->mu);
        pthread_join(feeder, NULL);
    }
    if (rc == 0 && bulk) {
        pk_logf(im->opts->note, im->opts->ctx, "building the indexes");
        rc = pk_tx_events_bulk_end(tx);
    }
    if (rc == 0 && tx != NULL)
        rc = commit(im, &tx, &in_tx, &inserted_before);
    pk_tx_rollback(tx);
    if (thread_err != 0)
        snprintf(err, errlen, "cannot start a thread: %s", strerror(thread_err));
    else if (rc != 0)
        snprintf(err, errlen, rc == PK_ENOMEM ? "out of memory"
                              : rc == PK_EIO  ? "database or temporary file error"
                                              : "database error (%d)", rc);
    if (fd != NULL) {
        for (int i = 0; i < 2; i++) {
            if (fd->b[i] != NULL) {
                pk_buf_free(&fd->b[i]->data);
                pk_judged_free(fd->b[i]->judged);
            }
            free(fd->b[i]);
        }
        free(fd->m.heap);
        free(fd->md.heap);
        pthread_mutex_destroy(&fd->mu);
        pthread_cond_destroy(&fd->cv);
    }
    free(fd);
    return rc;
}

