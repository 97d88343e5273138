/* store_impl.h -- what a storage backend implements (not for callers). */
#ifndef PK_STORE_IMPL_H
#define PK_STORE_IMPL_H

#include "store/store.h"

typedef struct pk_store_ops {
    const char *name;
    void (*close)(pk_store *s);
    int (*version)(pk_store *s, int *current, int *latest);
    int (*migrate)(pk_store *s, const char *datadir, int *from, int *to, char *err, size_t errlen);
    int (*ping)(pk_store *s);
    int (*regions_each)(pk_store *s, pk_region_cb cb, void *ctx);
} pk_store_ops;

struct pk_store {
    const pk_store_ops *ops;
    void *impl;
};

int pk_sqlite_open(const char *path, pk_store **out, char *err, size_t errlen);

/* Reads the region CSVs of datadir/wilayah in order provinces, regencies,
 * districts, villages, calling cb(ctx, code, parent, level, name) for
 * each row.  Shared by the backends' migrations. */
typedef int (*pk_region_row_cb)(void *ctx, const char *code, const char *parent, int level,
                                const char *name);
int pk_store_load_wilayah(const char *datadir, pk_region_row_cb cb, void *ctx,
                          char *err, size_t errlen);

#endif
