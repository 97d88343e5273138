/* eligibility.c -- the program's eligibility rules (eligibility.h,
 * domain.md "Eligibility"), as a pure function of the record, the scheme
 * and what the registry knows about other records (the lists).  The
 * family-card limit is family.c's.
 *
 * Every reason that applies is returned, not only the first, so a person
 * learns everything that stands in the way at once. */
#include "core/eligibility.h"

#include <stdio.h>
#include <string.h>

/* Lists that stand for "receives other social assistance". */
#define BANSOS_LISTS (PK_LIST_DTKS | PK_LIST_BSU | PK_LIST_BPUM)

pk_codeset pk_eligibility(const pk_participant *p, const pk_scheme *s, pk_date as_of,
                          const pk_eligibility_context *ctx)
{
    pk_codeset r = 0;

    int age = pk_age_on(p->tanggal_lahir, as_of);
    if (age < s->min_age)
        r |= PK_CODEBIT(PK_C_USIA_KURANG);
    if (s->max_age > 0 && age > s->max_age)
        r |= PK_CODEBIT(PK_C_USIA_LEBIH);

    switch (p->pekerjaan) {
    case PK_JOB_PELAJAR:
    case PK_JOB_MAHASISWA:
        r |= PK_CODEBIT(PK_C_SEDANG_SEKOLAH);
        break;
    case PK_JOB_ASN:
    case PK_JOB_TNI:
    case PK_JOB_POLRI:
    case PK_JOB_PEJABAT_NEGARA:
    case PK_JOB_ANGGOTA_DPR:
    case PK_JOB_ANGGOTA_DPRD:
    case PK_JOB_KEPALA_DESA:
    case PK_JOB_PERANGKAT_DESA:
    case PK_JOB_DIREKSI_BUMN_BUMD:
        r |= PK_CODEBIT(PK_C_PEKERJAAN_DIKECUALIKAN);
        break;
    default:
        break;
    }

    if (ctx) {
        /* Which lists count is a property of the scheme: 2021-2022
         * excluded social-assistance recipients, 2023 does not. */
        unsigned lists = ctx->on_lists & s->exclusion_lists;
        if (lists & BANSOS_LISTS)
            r |= PK_CODEBIT(PK_C_PENERIMA_BANSOS);
        if (lists & PK_LIST_DAFTAR_HITAM)
            r |= PK_CODEBIT(PK_C_DAFTAR_HITAM);
        if (lists & PK_LIST_PENERIMA_SEBELUMNYA)
            r |= PK_CODEBIT(PK_C_PERNAH_MENERIMA);
    }
    return r;
}

const char *pk_eligibility_reason(pk_code c, const pk_scheme *s, char *buf, size_t cap)
{
    const char *msg = pk_code_message(c);
    int limit = 0;
    const char *tail = NULL; /* what follows the sentence, without its full stop */
    if (s != NULL && c == PK_C_USIA_KURANG) {
        limit = s->min_age;
        tail = ", yaitu %d tahun.";
    } else if (s != NULL && c == PK_C_USIA_LEBIH) {
        limit = s->max_age;
        tail = ", yaitu %d tahun.";
    } else if (s != NULL && c == PK_C_KUOTA_KK_PENUH) {
        limit = s->kk_max;
        tail = " (paling banyak %d orang per KK).";
    }
    size_t n = strlen(msg);
    if (tail == NULL || limit <= 0 || n == 0 || msg[n - 1] != '.' || cap == 0)
        return msg;
    int w = snprintf(buf, cap, "%.*s", (int)(n - 1), msg);
    if (w < 0 || (size_t)w >= cap)
        return msg;
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
    int w2 = snprintf(buf + w, cap - (size_t)w, tail, limit);
#pragma GCC diagnostic pop
    return w2 < 0 || (size_t)w2 >= cap - (size_t)w ? msg : buf;
}
