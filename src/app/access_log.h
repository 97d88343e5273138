/* access_log.h -- the access log read back (`prakerja audit`).
 *
 * Entries are written by the use cases that read personal data
 * (pk_access_record, app/operator.h); this is the one way to list them.
 * (Not the audit log of registry writes, which the store keeps apart.) */
#ifndef PK_ACCESS_LOG_H
#define PK_ACCESS_LOG_H

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

#endif
