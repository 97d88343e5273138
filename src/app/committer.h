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

#include "app/service.h"
#include "store/store.h"

typedef struct pk_committer pk_committer;

/* A store shared by several writers (PostgreSQL: pk_store_shared) gets
 * this many leaders at once, each with its own transaction and
 * connection.  One leader is bound by its round trips, seven per
 * registration, not by the commit's fsync: 506-755 registrations/s with
 * one, 635-2,077/s with four, 1,269-1,908/s with four when the registry
 * saves a batch's registrations together (pk_committer_run with many), on the
 * 2-core benchmark machine (bench/README).
 * Their transactions meet as those of separate processes do, through row
 * locks.  A piece that loses a deadlock to another leader (PK_EBUSY) is
 * undone, the pieces before it in its batch are committed (the other
 * side may be waiting for their locks), and it is done again in a new
 * transaction.  SQLite has one writer, so one leader. */
#define PK_COMMIT_LANES_SHARED 4

/* Attempts at a piece, or an import batch (registry.c), that keeps losing
 * deadlocks or meeting another writer's new rows, before giving up. */
#define PK_REDO_MAX 5

pk_committer *pk_committer_new(pk_store *store, int max_batch);
void pk_committer_free(pk_committer *c);

/* Runs fn(tx, arg) in a shared transaction and returns only once that
 * transaction is durable (0) or has failed.  fn returns 0 to keep its
 * work or a negative code to have it undone (its code is returned here,
 * and the batch goes on).  If the commit itself fails, every piece of the
 * batch that had succeeded gets PK_EIO. */
typedef int (*pk_commit_fn)(pk_tx *tx, void *arg);

/* many may be NULL.  When a batch holds several pieces of the same fn and
 * many, many(tx, args, rcs, n) is offered them first, to do together what
 * fn does one by one (one round trip for all instead of one each).  It
 * returns 0 with each piece's result in rcs, or non-zero to decline: then
 * whatever it did is undone and the pieces run one by one. */
typedef int (*pk_commit_many_fn)(pk_tx *tx, void *const *args, int *rcs, size_t n);
int pk_committer_run(pk_committer *c, pk_commit_fn fn, pk_commit_many_fn many, void *arg);

/* The sizes of the batches committed so far (pk_batch_stats, service.h). */
void pk_committer_stats(pk_committer *c, pk_batch_stats *out);

#endif
