/* outreach.h -- an outreach event as a plain struct (issue #15 "Outreach
 * and digital literacy"): what the store keeps of it and what the app
 * and its adapters read (store_programme.h has its ops, app/outreach.h
 * its use cases).
 *
 * An EVENT is a sosialisasi or kelas literasi digital held in a village:
 * its short-link code (unique, URL-safe, made by app/outreach.c), kind,
 * title, start (seconds since 1970 UTC), place, village (a code of the
 * region table), organiser, audience segment ("" for everyone, else a
 * registry segment), attendance (-1 until it is recorded), who made it
 * and when (seconds).  Reads fill `registrations` and `eligible`: the
 * participants who registered through its link, and those of them
 * without a reason (the funnel's "per event"). */
#ifndef PK_CORE_OUTREACH_H
#define PK_CORE_OUTREACH_H

#include <stdint.h>

#include "core/region.h"

#define PK_OUTREACH_CODE_MAX 16
#define PK_OUTREACH_TEXT_MAX 512
typedef struct pk_outreach {
    int64_t id;
    char code[PK_OUTREACH_CODE_MAX];
    char kind[24];                        /* "sosialisasi", "literasi_digital" */
    char title[PK_OUTREACH_TEXT_MAX];
    int64_t starts_at;
    char place[PK_OUTREACH_TEXT_MAX];
    char kode_wilayah[PK_REGION_CODE_MAX];
    char organiser[PK_OUTREACH_TEXT_MAX];
    char segmen[32];                      /* "" everyone, or a pk_segment name */
    int64_t attendance;                   /* -1: not recorded yet */
    char created_by[64];
    int64_t created_at, updated_at;       /* set by the caller on writes */
    int64_t registrations, eligible;      /* filled on reads */
} pk_outreach;

typedef int (*pk_outreach_cb)(void *ctx, const pk_outreach *e);

#endif
