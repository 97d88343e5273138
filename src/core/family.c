/* family.c -- the family-card limit (family.h), as a pure function of a
 * family's members in order of registration.
 *
 * The verdicts are recomputed from the base reasons every time, never
 * adjusted from the stored ones: a member flagged kuota_kk_penuh earlier
 * is eligible again as soon as a place before it frees, and the result
 * does not depend on the order in which the records arrived. */
#include "core/family.h"

size_t pk_family_apply(pk_family_member *m, size_t n)
{
    size_t eligible = 0, changed = 0;
    for (size_t i = 0; i < n; i++) {
        pk_family_member *x = &m[i];
        x->verdict = x->base;
        if (x->base == 0) {
            if (x->kk_max > 0 && eligible >= (size_t)x->kk_max)
                x->verdict |= PK_CODEBIT(PK_C_KUOTA_KK_PENUH);
            else
                eligible++;
        }
        x->changed = x->pending || x->verdict != x->stored;
        changed += x->changed;
    }
    return changed;
}
