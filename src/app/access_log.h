/* access_log.h -- the access log read back (`prakerja audit`).
 *
 * Entries are written by the use cases that read personal data
 * (pk_access_record, app/operator.h); this is the one way to list them.
 * (Not the audit log of registry writes, which the store keeps apart.) */
#ifndef PK_ACCESS_LOG_H
#define PK_ACCESS_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "app/app.h"

/* One entry.  The strings belong to the store's row and are valid only
 * during the callback. */
typedef struct pk_access_log_entry {
    int64_t id;
    const char *at;      /* UTC, ISO 8601 */
    const char *actor;   /* "user:NAME" (portal) or "cli:UNIXUSER" */
    const char *action;  /* "participant.view", "participant.search", "participants.export", ... */
    const char *route;   /* the route pattern or command: why it was read */
    int64_t subject;     /* participant id; 0 for none */
    const char *detail;  /* never personal data: ids, counts, region codes */
} pk_access_log_entry;

typedef int (*pk_access_log_cb)(void *ctx, const pk_access_log_entry *e);

/* The newest `limit` entries (<= 0: all) at or after `since` (a prefix of
 * an ISO 8601 time, "" for all), oldest first.  Stops early when cb
 * returns non-zero.  0, or a negative PK_E*. */
int pk_access_log_each(const pk_app *app, const char *since, int64_t limit,
                       pk_access_log_cb cb, void *ctx);

/* Sweeps: the accounts that asked for many records that did not exist
 * for them (access-log action "participant.notfound") at or after
 * `since`: each with at least `threshold` such entries, in the order they
 * first appeared; at most `cap` accounts are followed.  *n receives how
 * many were found. */
typedef struct pk_sweep {
    char actor[64];
    int64_t notfound;
    char first[32], last[32]; /* UTC, ISO 8601 */
} pk_sweep;
int pk_access_log_sweeps(const pk_app *app, const char *since, int64_t threshold,
                         pk_sweep *out, size_t cap, size_t *n);

#endif
