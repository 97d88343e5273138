/* eligibility.h -- may this person join under this scheme, and why not.
 *
 * Pure: the registry supplies what depends on other records (exclusion-
 * list membership) as `context`.  The family-card limit, which depends
 * on the other members of the family, is core/family.h: it is applied to
 * these reasons (the "base" reasons) afterwards. */
#ifndef PK_ELIGIBILITY_H
#define PK_ELIGIBILITY_H

#include "core/participant.h"
#include "core/scheme.h"

/* The reasons that follow from what a person states about themself (age,
 * occupation).  The others come from what the registry knows (exclusion
 * lists, the family card's other members) and are never told to whoever
 * typed a NIK on the portal (docs/PRIVACY.md). */
#define PK_REASONS_OWN                                                                       \
    (PK_CODEBIT(PK_C_USIA_KURANG) | PK_CODEBIT(PK_C_USIA_LEBIH) |                             \
     PK_CODEBIT(PK_C_SEDANG_SEKOLAH) | PK_CODEBIT(PK_C_PEKERJAAN_DIKECUALIKAN))

/* The reasons that come from what the registry knows besides what the
 * person typed: an exclusion list, an earlier selection, the family
 * card's other recipients.  Told at the village office against the KTP,
 * not to whoever signed in with a code sent to the registered phone
 * (web/page_account.c). */
#define PK_REASONS_REGISTRY                                                                  \
    (PK_CODEBIT(PK_C_KUOTA_KK_PENUH) | PK_CODEBIT(PK_C_PENERIMA_BANSOS) |                     \
     PK_CODEBIT(PK_C_DAFTAR_HITAM) | PK_CODEBIT(PK_C_PERNAH_MENERIMA))

typedef struct pk_eligibility_context {
    unsigned on_lists;        /* PK_LIST_* bits of the lists the NIK is on */
} pk_eligibility_context;

/* Every reason that applies (usia_kurang, usia_lebih, sedang_sekolah,
 * pekerjaan_dikecualikan, penerima_bansos, daftar_hitam, pernah_menerima);
 * 0 means eligible on the person's own grounds.  Never kuota_kk_penuh
 * (pk_family_apply).  `ctx` may be NULL. */
pk_codeset pk_eligibility(const pk_participant *p, const pk_scheme *s, pk_date as_of,
                          const pk_eligibility_context *ctx);

/* The sentence a person reads for reason c under scheme s: the code
 * table's (pk_code_message), with the scheme's limit stated for the age
 * reasons ("Usia Anda belum mencapai batas minimal peserta, yaitu 18
 * tahun.") and the family-card limit.  Returns buf (or the table's
 * sentence as is when there is nothing to add or s is NULL). */
const char *pk_eligibility_reason(pk_code c, const pk_scheme *s, char *buf, size_t cap);

#endif
