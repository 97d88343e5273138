/* family.h -- the family-card (KK) limit: of the members of one family
 * card, only the first kk_max eligible ones, in order of registration,
 * stay eligible; each later one gets kuota_kk_penuh (domain.md: "from
 * 2021, at most 2 NIKs per family card").
 *
 * Pure: the registry (app/registry_family.c) gathers a family's members,
 * stored ones and the rows of a batch about to be written, in order of
 * registration, calls pk_family_apply, and writes what changed.  This is
 * the only place the rule lives. */
#ifndef PK_FAMILY_H
#define PK_FAMILY_H

#include <stdbool.h>
#include <stddef.h>

#include "core/pk.h"

typedef struct pk_family_member {
    /* in */
    pk_codeset base;     /* every reason on the member's own grounds
                          * (pk_eligibility): never kuota_kk_penuh */
    pk_codeset stored;   /* the verdict stored now (ignored when pending) */
    int kk_max;          /* the limit of the member's scheme; 0: no limit */
    bool pending;        /* a row about to be written anyway (new, or
                          * updated in this batch) */
    /* out */
    pk_codeset verdict;  /* base, plus kuota_kk_penuh when the card is full */
    bool changed;        /* to be written: pending, or verdict != stored */
} pk_family_member;

/* Applies the limit to one family, m[0..n) in order of registration
 * (ids; rows not yet stored come after every stored member, in the order
 * they will get ids; an updated member keeps its own place).
 *
 * A member with base reasons keeps exactly those, and does not count:
 * its place goes to the next one.  A member with none is eligible while
 * fewer than its own kk_max members before it are eligible (kk_max 0: no
 * limit), and then counts, whatever its scheme, towards the limit of
 * every later member; otherwise it gets base | kuota_kk_penuh and does
 * not count.  So a verdict depends only on the members before it.
 *
 * Sets every member's verdict and changed; returns how many changed.
 * n may be 0.  Cannot fail. */
size_t pk_family_apply(pk_family_member *m, size_t n);

#endif
