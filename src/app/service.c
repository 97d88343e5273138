/* service.c -- running prakerja as a service: the backup use case and
 * the counters of GET /metrics (see service.h). */
#include "app/service.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "app/committer.h"
#include "core/pk.h"
#include "store/store.h"

void pk_app_counters_get(const pk_app *app, pk_app_counters *out)
{
    memset(out, 0, sizeof(*out));
    pk_committer_stats(app->committer, &out->batches);
    pk_pool_stats ps;
    pk_store_pool_stats(app->store, &ps);
    out->pool_acquired = ps.acquired;
    out->pool_opened = ps.opened;
    out->pool_waits = ps.waits;
    out->pool_wait_seconds = (double)ps.wait_ns / 1e9;
}

int pk_app_backup(const pk_config *cfg, const char *output, pk_log_fn log, void *log_ctx,
                  pk_backup_result *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    pk_app_key_file(cfg, out->key_file, sizeof(out->key_file));
    if (output == NULL || output[0] == '\0') {
        snprintf(err, errlen, "give the backup's file with --output FILE");
        return PK_EINVAL;
    }
    if (cfg->db_private && pk_store_check_private(cfg->db, err, errlen) != 0)
        return PK_EDENIED;
    pk_store *s;
    /* never created: a mistyped path would back up a new, empty database */
    int rc = pk_store_open_existing(cfg->db, &s, err, errlen);
    if (rc != 0)
        return rc;
    pk_store_set_log(s, log, log_ctx);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = pk_store_backup(s, output, &out->bytes, err, errlen);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    out->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    pk_store_close(s);
    return rc;
}
