/* suppress.c -- complementary suppression over a table of counts
 * (suppress.h). */
#include "core/suppress.h"

#include <stdlib.h>

void pk_sup_init(pk_sup *s)
{
    *s = (pk_sup){0};
}

void pk_sup_free(pk_sup *s)
{
    free(s->cell);
    free(s->idx);
    free(s->eq);
    pk_sup_init(s);
}

static bool grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return true;
    size_t n = *cap ? *cap * 2 : 64;
    while (n < need)
        n *= 2;
    void *q = realloc(*p, n * size);
    if (q == NULL)
        return false;
    *p = q;
    *cap = n;
    return true;
}

long pk_sup_add(pk_sup *s, int64_t v, unsigned flags)
{
    if (!grow((void **)&s->cell, &s->capcell, s->ncell + 1, sizeof(*s->cell)))
        return -1;
    s->cell[s->ncell] = (pk_sup_cell){v, flags};
    return (long)s->ncell++;
}

int pk_sup_equation(pk_sup *s, const uint32_t *cells, size_t n)
{
    if (!grow((void **)&s->idx, &s->capidx, s->nidx + n, sizeof(*s->idx)) ||
        !grow((void **)&s->eq, &s->capeq, s->neq + 2, sizeof(*s->eq)))
        return -1;
    if (s->neq == 0)
        s->eq[0] = 0;
    for (size_t i = 0; i < n; i++)
        s->idx[s->nidx++] = cells[i];
    s->eq[++s->neq] = s->nidx;
    return 0;
}

static bool unknown(const pk_sup_cell *c)
{
    return (c->flags & (PK_SUP_HIDDEN | PK_SUP_VIRTUAL)) != 0;
}

static bool small(int64_t v, int64_t k)
{
    return v > 0 && v < k;
}

/* A cell that must not follow from the others: a hidden one, or a small
 * count no page shows. */
static bool protect(const pk_sup_cell *c, int64_t k)
{
    return (c->flags & PK_SUP_HIDDEN) != 0 || ((c->flags & PK_SUP_VIRTUAL) && small(c->v, k));
}

size_t pk_sup_close(pk_sup *s, int64_t k)
{
    size_t hid = 0;
    for (size_t i = 0; i < s->ncell; i++) {
        pk_sup_cell *c = &s->cell[i];
        if (!(c->flags & (PK_SUP_FIXED | PK_SUP_VIRTUAL | PK_SUP_HIDDEN)) && small(c->v, k)) {
            c->flags |= PK_SUP_HIDDEN;
            hid++;
        }
    }
    for (bool changed = true; changed;) {
        changed = false;
        s->unresolved = 0;
        for (size_t e = 0; e < s->neq; e++) {
            const uint32_t *x = s->idx + s->eq[e];
            size_t n = s->eq[e + 1] - s->eq[e], unknowns = 0;
            const pk_sup_cell *u = NULL;
            pk_sup_cell *least = NULL;
            for (size_t i = 0; i < n; i++) {
                pk_sup_cell *c = &s->cell[x[i]];
                if (unknown(c)) {
                    unknowns++;
                    u = c;
                } else if (!(c->flags & (PK_SUP_FIXED | PK_SUP_KNOWN)) &&
                           (least == NULL || c->v < least->v)) {
                    least = c;
                }
            }
            if (unknowns != 1 || !protect(u, k))
                continue;
            if (least == NULL) {
                s->unresolved++;
                continue;
            }
            least->flags |= PK_SUP_HIDDEN;
            hid++;
            changed = true;
        }
    }
    return hid;
}
