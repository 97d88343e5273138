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

typedef struct pk_eligibility_context {
    unsigned on_lists;        /* PK_LIST_* bits of the lists the NIK is on */
} pk_eligibility_context;

/* Every reason that applies (usia_kurang, usia_lebih, sedang_sekolah,
 * pekerjaan_dikecualikan, penerima_bansos, daftar_hitam, pernah_menerima);
 * 0 means eligible on the person's own grounds.  Never kuota_kk_penuh
 * (pk_family_apply).  `ctx` may be NULL. */
pk_codeset pk_eligibility(const pk_participant *p, const pk_scheme *s, pk_date as_of,
                          const pk_eligibility_context *ctx);

#endif
