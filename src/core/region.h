/* region.h -- the Kemendagri region table, held in memory.
 *
 * Codes are kept dotted: "31" province, "31.74" regency/city, "31.74.01"
 * district (kecamatan), "31.74.01.1001" village (kelurahan/desa).  The table
 * is filled once at start-up from the store and then only read, so lookups
 * need no lock.  Names are copied into the table's own storage. */
#ifndef PK_REGION_H
#define PK_REGION_H

#include <stdbool.h>
#include <stddef.h>

typedef enum pk_region_level {
    PK_REGION_NONE = 0,
    PK_REGION_PROVINCE = 1,
    PK_REGION_REGENCY = 2,
    PK_REGION_DISTRICT = 3,
    PK_REGION_VILLAGE = 4
} pk_region_level;

#define PK_REGION_CODE_MAX 14 /* "31.74.01.1001" + NUL */
#define PK_REGION_CITY_LEN 5                         /* "31.74" */
#define PK_REGION_VILLAGE_LEN (PK_REGION_CODE_MAX - 1) /* "31.74.01.1001" */

typedef struct pk_region {
    char code[PK_REGION_CODE_MAX];
    const char *name;
    pk_region_level level;
} pk_region;

typedef struct pk_regions pk_regions;

pk_regions *pk_regions_new(void);
void pk_regions_free(pk_regions *r);
/* Adds a region (dotted code).  Returns 0, PK_EINVAL for a malformed code,
 * PK_ENOMEM.  Call pk_regions_seal() after the last add and before any
 * lookup. */
int pk_regions_add(pk_regions *r, const char *code, const char *name);
void pk_regions_seal(pk_regions *r);
size_t pk_regions_count(const pk_regions *r);

/* Normalises "3174011001", "31.74.01.1001", "317401", "31.74" ... into the
 * dotted form.  Returns the level, or PK_REGION_NONE when the input is not
 * a region code shape (out is then ""). */
pk_region_level pk_region_normalize(const char *in, size_t len, char out[PK_REGION_CODE_MAX]);

/* Finds a region by dotted code; NULL when unknown. */
const pk_region *pk_regions_find(const pk_regions *r, const char *code);
/* The direct children of `parent` (dotted code; NULL or "" for provinces),
 * in code order, as a contiguous run: *out points into the table, the
 * count is returned (0 when none or parent unknown). */
size_t pk_regions_children(const pk_regions *r, const char *parent, const pk_region **out);

/* A region's name as people read it: names held in capitals in the
 * Kemendagri table ("KOTA ADMINISTRASI JAKARTA SELATAN", "DKI JAKARTA")
 * become Title Case ("Kota Administrasi Jakarta Selatan", "DKI Jakarta":
 * a few acronyms stay); a name already in mixed case is copied as it
 * is.  Writes at most cap-1 bytes and a NUL into out; returns the length.
 * The one place names are cased: every page shows names through it. */
size_t pk_region_title(const char *name, char *out, size_t cap);

#endif
