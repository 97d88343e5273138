/* access_log.h -- the two logs read back (`prakerja audit`): the access
 * log (reads of personal data, exports, refused reads) and the audit log
 * (writes: registrations, edits, imports, list imports, accounts, keys).
 *
 * Access-log entries are written by the use cases that read personal
 * data (pk_access_record, app/operator.h); audit entries by each write,
 * in the write's own transaction (the store's pk_tx_audit).  Both are
 * append only; this is the one way to list them. */
#ifndef PK_ACCESS_LOG_H
#define PK_ACCESS_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"

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

/* ---- both logs -------------------------------------------------------- */

/* Which entries of which logs.  NULL or "" for no condition. */
typedef struct pk_logs_query {
    bool writes, reads;   /* the audit log, the access log (neither: both) */
    const char *user;     /* an actor: "cli:UNIXUSER", "user:NAME", or a bare NAME
                           * (a staff account: "user:NAME") */
    const char *kind;     /* an action ("user.add") or its kind ("user": "user.*") */
    const char *since;    /* YYYY-MM-DD: from that day (UTC) */
    const char *until;    /* YYYY-MM-DD: up to the end of that day (UTC) */
    int64_t limit;        /* the newest `limit` (<= 0: all) */
} pk_logs_query;

/* One entry of either log; strings valid during the callback only. */
typedef struct pk_logs_entry {
    bool write;           /* from the audit log (else the access log) */
    int64_t id;           /* in its own log */
    const char *at;       /* UTC, ISO 8601 */
    const char *actor;    /* "" for writes recorded before actors were */
    const char *action;
    const char *source;   /* write: the channel ("portal", "operator", "import", "cli", ...) */
    const char *route;    /* read: the route or command */
    int64_t subject;      /* participant, user or token id; 0 for none */
    const char *detail;   /* never personal data */
} pk_logs_entry;
typedef int (*pk_logs_cb)(void *ctx, const pk_logs_entry *e);

/* The entries q asks for, oldest first (by time; writes before reads at
 * the same instant).  PK_EINVAL for a date that is not YYYY-MM-DD; 0, or
 * another negative PK_E*; stops early with cb's non-zero value. */
int pk_logs_each(const pk_app *app, const pk_logs_query *q, pk_logs_cb cb, void *ctx);

#endif
