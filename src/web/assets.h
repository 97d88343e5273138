/* assets.h -- static files compiled into the binary (tools/embed.py). */
#ifndef PK_ASSETS_H
#define PK_ASSETS_H

#include <stddef.h>

typedef struct pk_asset {
    const char *name;          /* "style.css" */
    const char *content_type;
    const unsigned char *data;
    size_t len;
} pk_asset;

extern const pk_asset pk_assets[];
extern const size_t pk_nassets;

/* NULL when there is no asset of that name. */
const pk_asset *pk_asset_find(const char *name);

#endif
