/* registry_family.c -- the family-card limit in the registry: which
 * members a family has, in which order, and writing the verdicts that
 * change.  The rule itself is core/family.c (pk_family_apply); this file
 * only gathers its input from the store and the batch being written.
 *
 * The store gives each family's members as stored; the rows about to be
 * written join them: an updated person in place of their stored self, a
 * new one after everybody, in batch order (the ids they are about to
 * get).  So rows are written with their final verdict, and only stored
 * members whose verdict changes are written again.
 *
 * A bulk load (registry_import.c) sees no stored members while it runs:
 * the limit is applied within each batch, and afterwards again to the
 * families that had members in several batches, which a Bloom filter of
 * KKs finds (pk_reg_seen, pk_reg_mark_families, pk_reg_bulk_families). */
#include "app/registry_int.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/family.h"
#include "core/pk.h"
#include "core/sort.h"

static int kk_max_of(const pk_app *app, const char *scheme)
{
    const pk_scheme *s = pk_schemes_find(&app->schemes, scheme);
    return s ? s->kk_max : 0;
}

/* ---- gathering a family ------------------------------------------------ */

typedef struct member {
    uint8_t kk[PK_BI_LEN];
    int64_t id;
    char scheme[16];
    uint64_t base, reasons;
} member;

typedef struct family {
    member *m;
    size_t n, cap;
} family;

static int collect_member(void *ctx, const pk_member *mb)
{
    family *f = ctx;
    if (f->n == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 256;
        member *bigger = realloc(f->m, cap * sizeof(*bigger));
        if (bigger == NULL)
            return PK_ENOMEM;
        f->m = bigger;
        f->cap = cap;
    }
    member *m = &f->m[f->n++];
    memcpy(m->kk, mb->kk_bi, PK_BI_LEN);
    m->id = mb->id;
    snprintf(m->scheme, sizeof(m->scheme), "%s", mb->scheme);
    m->base = mb->base_reasons;
    m->reasons = mb->reasons;
    return 0;
}

typedef struct fam_entry {
    uint64_t key;         /* kk's first 8 bytes, in memcmp order: sorts without a load */
    const uint8_t *kk;
    int64_t order;        /* the id, or after every id for a new row */
    const member *m;      /* a stored member, or */
    pk_prow *row;         /* a row of the batch */
} fam_entry;

static int fam_cmp(const void *a, const void *b)
{
    const fam_entry *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    int c = memcmp(x->kk, y->kk, PK_BI_LEN);
    return c != 0 ? c : (x->order > y->order) - (x->order < y->order);
}

static fam_entry fam_entry_of(const uint8_t *kk, int64_t order, const member *m, pk_prow *row)
{
    return (fam_entry){pk_bi_key(kk), kk, order, m, row};
}

/* ---- applying the rule ------------------------------------------------- */

/* Reads the families and, on PostgreSQL, locks them (pk_tx_kk_members)
 * before ids are handed out, so it must come before the rows are
 * written. */
int pk_reg_apply_families(const pk_app *app, pk_tx *tx, const pk_bi *kk, size_t nk,
                          pk_prow *rows, size_t nw)
{
    family f = {0};
    fam_entry *e = NULL;
    pk_family_member *fm = NULL;
    int64_t *rewritten = NULL, *ids = NULL;
    uint64_t *reasons = NULL;
    size_t ne = 0, nr = 0, nu = 0;
    int rc = pk_tx_kk_members(tx, nk, kk, collect_member, &f);
    if (rc != 0)
        goto out;
    e = malloc((f.n + nw + 1) * sizeof(*e));
    fm = malloc((f.n + nw + 1) * sizeof(*fm));
    rewritten = malloc((nw + 1) * sizeof(*rewritten));
    ids = malloc((f.n + 1) * sizeof(*ids));
    reasons = malloc((f.n + 1) * sizeof(*reasons));
    if (e == NULL || fm == NULL || rewritten == NULL || ids == NULL || reasons == NULL) {
        rc = PK_ENOMEM;
        goto out;
    }
    /* The members in order of registration, family by family: the rows
     * of the batch, and the stored members not rewritten by one. */
    for (size_t j = 0; j < nw; j++) {
        if (rows[j].id != 0)
            rewritten[nr++] = rows[j].id;
        e[ne++] = fam_entry_of(rows[j].kk_bi,
                               rows[j].id ? rows[j].id : INT64_MAX / 2 + (int64_t)j, NULL, &rows[j]);
    }
    qsort(rewritten, nr, sizeof(*rewritten), pk_cmp_i64);
    for (size_t i = 0; i < f.n; i++)
        if (bsearch(&f.m[i].id, rewritten, nr, sizeof(*rewritten), pk_cmp_i64) == NULL)
            e[ne++] = fam_entry_of(f.m[i].kk, f.m[i].id, &f.m[i], NULL);
    qsort(e, ne, sizeof(*e), fam_cmp);
    for (size_t i = 0; i < ne; i++) {
        const pk_prow *row = e[i].row;
        fm[i] = (pk_family_member){
            .base = row ? row->base_reasons : e[i].m->base,
            .stored = row ? 0 : e[i].m->reasons,
            .kk_max = kk_max_of(app, row ? row->scheme : e[i].m->scheme),
            .pending = row != NULL,
        };
    }
    for (size_t i = 0, start = 0; i < ne; i++)
        if (i + 1 == ne || memcmp(e[i + 1].kk, e[i].kk, PK_BI_LEN) != 0) {
            pk_family_apply(fm + start, i + 1 - start);
            start = i + 1;
        }
    for (size_t i = 0; i < ne; i++) {
        if (!fm[i].changed)
            continue;
        if (e[i].row != NULL) {
            e[i].row->reasons = fm[i].verdict;
        } else {
            ids[nu] = e[i].m->id;
            reasons[nu++] = fm[i].verdict;
        }
    }
    rc = pk_tx_set_reasons(tx, nu, ids, reasons);
out:
    free(f.m);
    free(e);
    free(fm);
    free(rewritten);
    free(ids);
    free(reasons);
    return rc;
}

/* ---- the families of a bulk load ------------------------------------------
 *
 * A family with members in several batches of a bulk load is revisited
 * after it (pk_reg_bulk_families).  The reader remembers the KKs of the
 * batches it has handed over in a blocked Bloom filter of fixed size (one
 * 1024-bit block per KK, 10 bits set).  A false positive only revisits a
 * family for nothing: a model of the filter expects 0.002 of them in a
 * million rows, more in larger files (the blocks fill unevenly, so the
 * rate climbs past 1.5 million). */
#define SEEN_BLOCK_WORDS 16 /* 1024 bits */

/* bi is a keyed hash already: its bytes are uniform, 2 pick the block,
 * 12 of the rest give 10 positions of 10 bits. */
bool pk_reg_seen(uint64_t *seen, const uint8_t *bi, bool add)
{
    uint16_t block;
    uint64_t lo, hi;
    memcpy(&block, bi, sizeof(block));
    memcpy(&lo, bi + 2, sizeof(lo));
    memcpy(&hi, bi + 8, sizeof(hi));
    hi >>= 24; /* bytes 11-15: 40 bits after lo's 60 */
    uint64_t *w =
        seen + (block & (PK_REG_SEEN_BYTES / 8 / SEEN_BLOCK_WORDS - 1)) * SEEN_BLOCK_WORDS;
    bool before = true;
    for (int i = 0; i < 10; i++) {
        unsigned pos = (unsigned)((i < 6 ? lo >> (10 * i) : hi >> (10 * (i - 6))) & 1023);
        uint64_t m = (uint64_t)1 << (pos & 63);
        before &= (w[pos >> 6] & m) != 0;
        if (add)
            w[pos >> 6] |= m;
    }
    return before;
}

int pk_reg_mark_families(pk_tx *tx, batch *b)
{
    size_t n = 0;
    for (size_t i = 0; i < b->n; i++)
        if (b->rows[i].kk_before)
            memcpy(b->keys[n++], b->rows[i].kk_bi, PK_BI_LEN);
    return pk_tx_bulk_mark(tx, n, (const pk_bi *)b->keys);
}

/* The marked families large enough to reach the smallest limit of any
 * scheme (the others were whole within one batch; after folding, every
 * marked family: one may have lost a member), a page at a time.  Nothing
 * when no scheme has a limit. */
int pk_reg_bulk_families(const pk_app *app, pk_tx *tx, bool folded)
{
    int small = INT_MAX;
    for (size_t i = 0; i < app->schemes.count; i++)
        if (app->schemes.items[i].kk_max > 0 && app->schemes.items[i].kk_max < small)
            small = app->schemes.items[i].kk_max;
    if (small == INT_MAX)
        return 0;
    if (folded)
        small = 0;
    enum { PAGE = 4096 };
    pk_bi *kk = malloc(PAGE * sizeof(*kk)), after;
    size_t n = PAGE;
    int rc = 0;
    if (kk == NULL)
        return PK_ENOMEM;
    for (bool first = true; rc == 0 && n == PAGE; first = false) {
        if ((rc = pk_tx_bulk_families(tx, small, first ? NULL : after, PAGE, kk, &n)) == 0 &&
            (rc = pk_reg_apply_families(app, tx, (const pk_bi *)kk, n, NULL, 0)) == 0 && n > 0)
            memcpy(after, kk[n - 1], PK_BI_LEN);
    }
    free(kk);
    return rc;
}
