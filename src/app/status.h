/* status.h -- the residents' status look-up ("cek status").
 *
 * A person gives their NIK and date of birth as on the KTP and learns
 * what the registry says about *them*: registered when, under which
 * scheme, eligible or not and why, and what to do next.  Knowing a NIK
 * is not enough (NIKs are printed on many documents): unless the date of
 * birth matches too, the answer is the same neutral "not found" as for a
 * NIK nobody registered, and it costs the same work, so the look-up does
 * not tell whether someone else is registered. */
#ifndef PK_STATUS_H
#define PK_STATUS_H

#include <stdbool.h>
#include <stddef.h>

#include "app/app.h"

#define PK_STATUS_NOT_FOUND "Data tidak ditemukan. Periksa kembali NIK dan tanggal lahir sesuai KTP."

typedef struct pk_status_result {
    bool found;
    char nik_masked[17];       /* "3174********0001" (found only) */
    pk_date registered;        /* day of registration, Jakarta time */
    const char *scheme_id;     /* points into the result */
    const char *scheme_name;   /* "" when the scheme is no longer configured */
    pk_codeset reasons;        /* 0 = eligible */
    const char *next_step;     /* an Indonesian sentence */
    char scheme_buf[64];
} pk_status_result;

/* Looks the person up.  Returns 0 with out->found set or not (every kind
 * of mismatch or malformed input alike), or PK_EIO when the store fails. */
int pk_app_status(const pk_app *app, const char *nik, size_t nik_len, const char *birth,
                  size_t birth_len, pk_status_result *out);

#endif
