/* store.h -- persistence behind one interface.
 *
 * Everything above this layer talks to a `pk_store` and never writes SQL.
 * A store is opened from a URL-ish string: a file path (SQLite, the
 * embedded default) or, later, "postgresql://..." (PostgreSQL).  Each
 * backend fills a `pk_store_ops` table (store_impl.h); these functions
 * only dispatch.  A store is safe to use from several threads at once:
 * backends keep their own connection pools. */
#ifndef PK_STORE_H
#define PK_STORE_H

#include <stddef.h>

typedef struct pk_store pk_store;

/* Opens (creating when absent, for SQLite) the database at `url`.  On
 * failure returns a negative PK_E* and writes an English explanation
 * into err. */
int pk_store_open(const char *url, pk_store **out, char *err, size_t errlen);
/* Closes every connection.  Safe with NULL. */
void pk_store_close(pk_store *s);

/* The schema version the database is at (0: empty), and the newest this
 * binary knows. */
int pk_store_version(pk_store *s, int *current, int *latest);
/* Applies every pending migration, each in its own transaction, and
 * reports the versions before and after.  Idempotent.  `datadir` holds
 * the region table (the CSV files under wilayah/).  Returns PK_ESCHEMA (and explains)
 * when the database is newer than this binary. */
int pk_store_migrate(pk_store *s, const char *datadir, int *from, int *to,
                     char *err, size_t errlen);
/* A cheap round trip to the database: 0 when it answers. */
int pk_store_ping(pk_store *s);

/* Calls cb for every region (any level) in code order; stops early and
 * returns cb's value when it is non-zero. */
typedef int (*pk_region_cb)(void *ctx, const char *code, const char *name);
int pk_store_regions_each(pk_store *s, pk_region_cb cb, void *ctx);

#endif
