/* committer.h -- group commit: many small writes, one durable commit.
 *
 * Each registration must be durable before it is acknowledged, and a
 * durable commit costs an fsync.  Threads that want to write hand their
 * work to the committer and wait; one of them (the leader) runs all the
 * work waiting at that moment in a single transaction, each piece inside
 * its own savepoint (so one conflict does not undo the others), commits
 * once, and wakes everybody with their own result.  Under load the
 * batches grow by themselves; alone, a request commits at once. */
#ifndef PK_COMMITTER_H
#define PK_COMMITTER_H

#include "store/store.h"

typedef struct pk_committer pk_committer;

pk_committer *pk_committer_new(pk_store *store, int max_batch);
void pk_committer_free(pk_committer *c);

/* Runs fn(tx, arg) in a shared transaction and returns only once that
 * transaction is durable (0) or has failed.  fn returns 0 to keep its
 * work or a negative code to have it undone (its code is returned here,
 * and the batch goes on).  If the commit itself fails, every piece of the
 * batch that had succeeded gets PK_EIO. */
typedef int (*pk_commit_fn)(pk_tx *tx, void *arg);
int pk_committer_run(pk_committer *c, pk_commit_fn fn, void *arg);

#endif
