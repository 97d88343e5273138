/* service.h -- running prakerja as a service: backups of the database and
 * the counters GET /metrics reports (the store's pool, the group commit's
 * batches).  The adapters call these; they never see the store. */
#ifndef PK_SERVICE_H
#define PK_SERVICE_H

#include <stdint.h>

#include "app/app.h"

/* The sizes of the group commit's batches (app/committer.c): a cumulative
 * histogram, le[i] counting the batches of at most pk_batch_bounds[i]
 * registrations. */
#define PK_BATCH_BUCKETS 9
extern const int pk_batch_bounds[PK_BATCH_BUCKETS]; /* 1, 2, 4, ... 256 */
typedef struct pk_batch_stats {
    uint64_t le[PK_BATCH_BUCKETS];
    uint64_t count, sum;
} pk_batch_stats;

/* What the application counts while serving, for GET /metrics: never
 * personal data, only how often and how long. */
typedef struct pk_app_counters {
    pk_batch_stats batches;
    uint64_t pool_acquired;     /* database connections taken from the pool */
    uint64_t pool_opened;       /* ... that had to be opened (none idle) */
    uint64_t pool_waits;        /* ... that had to wait (see pk_store_pool_stats) */
    double pool_wait_seconds;   /* the time they waited, in all */
} pk_app_counters;

void pk_app_counters_get(const pk_app *app, pk_app_counters *out);

/* `prakerja backup --output FILE`: a consistent copy of the SQLite
 * database of cfg->db, taken while servers go on writing, into a new
 * file (mode 0600; an existing one is refused).  The database is opened
 * without migrating it (a backup is of what is there) and must exist
 * (PK_ENOENT otherwise; nothing is created).  A
 * PostgreSQL database is refused with a message that names pg_dump.
 * The key file is not in the copy: *key_file receives its path, for the
 * caller to say that it must be backed up apart.  *bytes: the copy's
 * size. */
typedef struct pk_backup_result {
    int64_t bytes;
    double seconds;
    char key_file[1024 + 8];
} pk_backup_result;
int pk_app_backup(const pk_config *cfg, const char *output, pk_log_fn log, void *log_ctx,
                  pk_backup_result *out, char *err, size_t errlen);

#endif
