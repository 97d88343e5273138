/* committer.c -- leader/follower group commit (see committer.h). */
#include "app/committer.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "core/pk.h"

typedef struct job {
    pk_commit_fn fn;
    pk_commit_many_fn many;
    void *arg;
    int rc;
    bool taken; /* in a batch (its own leader's or another's) */
    bool done;
    pthread_cond_t cv; /* its owner waits on it: woken alone, not with every waiter */
    struct job *next;
} job;

struct pk_committer {
    pk_store *store;
    int max_batch;
    bool shared; /* pk_store_shared: PK_COMMIT_LANES_SHARED leaders, redo */
    int lanes;   /* leaders allowed at once */
    pthread_mutex_t mu;
    job *head, *tail;
    int leaders; /* leaders running a batch */
    pk_batch_stats stats; /* under mu */
};

pk_committer *pk_committer_new(pk_store *store, int max_batch)
{
    pk_committer *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    c->store = store;
    c->max_batch = max_batch > 0 ? max_batch : 1;
    c->shared = pk_store_shared(store);
    c->lanes = c->shared ? PK_COMMIT_LANES_SHARED : 1;
    pthread_mutex_init(&c->mu, NULL);
    return c;
}

void pk_committer_free(pk_committer *c)
{
    if (c == NULL)
        return;
    pthread_mutex_destroy(&c->mu);
    free(c);
}

/* Ends the transaction of the pieces from..to (to excluded): commits it
 * when ok, else rolls it back; a piece that had succeeded gets PK_EIO
 * unless the commit succeeds. */
static int end_tx(pk_tx *tx, bool ok, job *from, const job *to)
{
    int rc = PK_EIO;
    if (ok)
        rc = pk_tx_commit(tx);
    else
        pk_tx_rollback(tx);
    if (rc != 0)
        for (job *j = from; j != to; j = j->next)
            if (j->rc == 0)
                j->rc = PK_EIO;
    return rc;
}

/* Offers the whole batch to its pieces' many(), under a savepoint; true
 * when that settled the batch (done together, or the transaction failed:
 * *rc), false when the pieces are to run one by one. */
static bool run_together(pk_tx *tx, job *batch, int *rc)
{
    size_t n = 0;
    for (job *j = batch; j != NULL; j = j->next, n++)
        if (j->many == NULL || j->many != batch->many || j->fn != batch->fn)
            return false;
    if (n < 2)
        return false;
    void **args = malloc(n * sizeof(*args));
    int *rcs = malloc(n * sizeof(*rcs));
    bool settled = false;
    if (args != NULL && rcs != NULL) {
        size_t i = 0;
        for (job *j = batch; j != NULL; j = j->next)
            args[i++] = j->arg;
        settled = true;
        if ((*rc = pk_tx_savepoint(tx)) == 0) {
            if (batch->many(tx, args, rcs, n) == 0) {
                if ((*rc = pk_tx_release(tx)) == 0) {
                    i = 0;
                    for (job *j = batch; j != NULL; j = j->next)
                        j->rc = rcs[i++];
                }
            } else if ((*rc = pk_tx_rollback_to(tx)) == 0) {
                settled = false; /* declined: one by one */
            }
        }
    }
    free(args);
    free(rcs);
    return settled;
}

/* Runs one batch (called without the lock). */
static void run_batch(pk_committer *c, job *batch)
{
    pk_tx *tx = NULL;
    job *first = batch; /* the first piece of the open transaction */
    int rc = pk_store_begin(c->store, &tx);
    if (rc == 0 && run_together(tx, batch, &rc)) {
        end_tx(tx, rc == 0, batch, NULL);
        return;
    }
    for (job *j = batch; j != NULL; j = j->next) {
        for (int attempt = 1; rc == 0; attempt++) {
            if ((rc = pk_tx_savepoint(tx)) != 0)
                break;
            j->rc = j->fn(tx, j->arg);
            rc = j->rc == 0 ? pk_tx_release(tx) : pk_tx_rollback_to(tx);
            if (rc != 0 || j->rc != PK_EBUSY || !c->shared || attempt == PK_REDO_MAX)
                break;
            /* Lost a deadlock to another leader's transaction (or another
             * process's): it waits for a lock that this transaction holds
             * for an earlier piece, while this piece waited for one of its
             * own.  Commit the earlier pieces, which releases their locks
             * and lets the other finish; then do this piece again in a new
             * transaction, after the other. */
            if (first != j) {
                rc = end_tx(tx, true, first, j);
                tx = NULL;
                first = j;
                if (rc == 0)
                    rc = pk_store_begin(c->store, &tx);
            }
        }
        if (rc != 0 && j->rc == 0)
            j->rc = rc;
    }
    /* On an error the transaction is unusable: nothing of it is kept. */
    if (tx != NULL)
        end_tx(tx, rc == 0, first, NULL);
    else
        for (job *j = first; j != NULL; j = j->next)
            if (j->rc == 0)
                j->rc = rc != 0 ? rc : PK_EIO;
}

static void count_batch(pk_batch_stats *st, int size)
{
    for (int i = 0; i < PK_BATCH_BUCKETS; i++)
        if (size <= pk_batch_bounds[i])
            st->le[i]++;
    st->count++;
    st->sum += (uint64_t)size;
}

const int pk_batch_bounds[PK_BATCH_BUCKETS] = {1, 2, 4, 8, 16, 32, 64, 128, 256};

void pk_committer_stats(pk_committer *c, pk_batch_stats *out)
{
    pthread_mutex_lock(&c->mu);
    *out = c->stats;
    pthread_mutex_unlock(&c->mu);
}

int pk_committer_run(pk_committer *c, pk_commit_fn fn, pk_commit_many_fn many, void *arg)
{
    job me = {.fn = fn, .many = many, .arg = arg};
    pthread_cond_init(&me.cv, NULL);
    pthread_mutex_lock(&c->mu);
    if (c->tail)
        c->tail->next = &me;
    else
        c->head = &me;
    c->tail = &me;
    while (!me.done) {
        /* Wait while ours is in a leader's batch, or every lane is busy. */
        if (me.taken || c->leaders == c->lanes) {
            pthread_cond_wait(&me.cv, &c->mu);
            continue;
        }
        /* Lead: take up to max_batch waiting jobs, from the oldest (ours
         * among them, or in a later batch that we lead too). */
        c->leaders++;
        job *batch = c->head, *last = batch;
        batch->taken = true;
        int size = 1;
        for (; size < c->max_batch && last->next != NULL; size++) {
            last = last->next;
            last->taken = true;
        }
        c->head = last->next;
        if (c->head == NULL)
            c->tail = NULL;
        last->next = NULL;
        count_batch(&c->stats, size);
        /* more waiting than one batch takes, and a lane free: its leader */
        if (c->head != NULL && c->leaders < c->lanes)
            pthread_cond_signal(&c->head->cv);
        pthread_mutex_unlock(&c->mu);

        run_batch(c, batch);

        pthread_mutex_lock(&c->mu);
        for (job *j = batch, *next; j != NULL; j = next) {
            next = j->next; /* j may be freed by its owner once done */
            j->done = true;
            if (j != &me)
                pthread_cond_signal(&j->cv);
        }
        c->leaders--;
        /* the oldest still waiting leads the next batch */
        if (c->head != NULL)
            pthread_cond_signal(&c->head->cv);
    }
    pthread_mutex_unlock(&c->mu);
    pthread_cond_destroy(&me.cv);
    return me.rc;
}
