/* catalogue.h -- the training catalogue: the courses the digital
 * platforms sell against the balance, each with its provider (LPK), its
 * price in whole Rupiah and its mode (webinar, mandiri: self-paced,
 * luring: offline).  Filled by `prakerja import courses FILE`; read by
 * GET /api/v1/courses and by a purchase. */
#ifndef PK_CATALOGUE_H
#define PK_CATALOGUE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "app/app.h"

/* The course file: a header naming these columns (any order, others
 * ignored), one course a row; an existing (platform, kode_pelatihan) is
 * updated. */
#define PK_COURSE_COLUMNS "platform,kode_pelatihan,judul,lpk,harga,mode"

typedef struct pk_course_summary {
    long rows, inserted, updated, unchanged, rejected;
} pk_course_summary;

/* Imports the course file read from fd, in transactions of up to 1,000
 * rows (idempotent: a killed run is run again), audited as `actor`.  A
 * rejected row is written to `rejects` (when not NULL) as the file's own
 * columns plus `baris` (line) and `alasan` (its reason code), and changes
 * nothing.  PK_EINVAL for a file without the columns (err says which),
 * else 0 or a store error. */
int pk_catalogue_import(const pk_app *app, int fd, const char *actor, FILE *rejects,
                        pk_course_summary *sum, char *err, size_t errlen);

/* A course as read (strings live during the callback). */
typedef struct pk_course_view {
    int64_t id;
    const char *platform, *course_ref, *title, *provider, *mode;
    int64_t price;
} pk_course_view;
typedef int (*pk_course_view_cb)(void *ctx, const pk_course_view *c);
/* A page of at most `limit` (1-500) courses with ids above `after`, in
 * id order; *next receives the id to ask after for the next page, 0 when
 * this was the last. */
int pk_catalogue_page(const pk_app *app, int64_t after, int limit, pk_course_view_cb cb,
                      void *ctx, int64_t *next);
/* One course by its platform's code and the platform's id; PK_ENOENT. */
int pk_catalogue_find(const pk_app *app, const char *platform, const char *course_ref,
                      pk_course_view_cb cb, void *ctx);

#endif
