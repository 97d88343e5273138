/* status.h -- the residents' public status look-up ("cek status").
 *
 * A person gives their NIK and date of birth as on the KTP and learns
 * only whether a registration exists and what to do next.  Nothing
 * more: digits 7-12 of a NIK are the date of birth, so NIK and date of
 * birth together are hardly more secret than the NIK, which is printed on
 * many documents.  What the registry says about the person (eligibility
 * and its reasons, among them the exclusion lists such as daftar_hitam
 * and penerima_bansos) is shown only after the person signs in with a
 * one-time code sent to their own phone (a later issue), or by staff.
 * The answer has the same shape either way, and a mismatch of any kind
 * costs the same work as a match. */
#ifndef PK_STATUS_H
#define PK_STATUS_H

#include <stdbool.h>
#include <stddef.h>

#include "app/app.h"

#define PK_STATUS_NOT_FOUND "Data tidak ditemukan. Periksa kembali NIK dan tanggal lahir sesuai KTP."
#define PK_STATUS_FOUND "Pendaftaran atas NIK dan tanggal lahir ini sudah tercatat."

typedef struct pk_status_result {
    bool found;
    const char *message;    /* PK_STATUS_FOUND or PK_STATUS_NOT_FOUND */
    const char *next_step;  /* an Indonesian sentence: what to do now */
} pk_status_result;

/* Looks the person up.  Returns 0 with out->found set or not (every kind
 * of mismatch or malformed input alike), or PK_EIO when the store fails. */
int pk_app_status(const pk_app *app, const char *nik, size_t nik_len, const char *birth,
                  size_t birth_len, pk_status_result *out);

#endif
