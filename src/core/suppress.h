/* suppress.h -- complementary suppression over a table of counts: which
 * cells to hide so that no hidden count follows from the shown ones by
 * one equation.
 *
 * A table is cells (counts) and equations (sets of cells of which any one
 * follows from the others: a sum and its parts, or two counts that are
 * the same people).  A cell is
 *   - shown or hidden;
 *   - fixed: decided before (a parent's, hidden or shown as its own
 *     table said): never changed here;
 *   - virtual: a count no page shows but a reader may work out (the
 *     people who stopped between two steps): always unknown, and to be
 *     protected when it is small;
 *   - known: its value follows anyway (a zero in a row whose total is a
 *     shown zero): hiding it protects nothing, so it is never chosen.
 * The rule (pk_sup_close): first every cell of 1..k-1 is hidden (the
 * primary cells; not fixed or virtual ones); then, while an equation has
 * exactly one unknown cell (hidden or virtual) and that cell is to be
 * protected (hidden, or virtual and 1..k-1), the least shown cell of that
 * equation that may be hidden (not fixed, virtual or known; the first of
 * equals) is hidden too.  Each step hides one more cell, so it ends.  The
 * result is a function of the values and of the order of cells and
 * equations alone.
 *
 * The caller owns the table; pk_sup_free releases what it allocated. */
#ifndef PK_CORE_SUPPRESS_H
#define PK_CORE_SUPPRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
    PK_SUP_FIXED = 1,   /* decided before: never changed */
    PK_SUP_VIRTUAL = 2, /* shown nowhere: always unknown */
    PK_SUP_KNOWN = 4,   /* follows anyway: never chosen to hide */
    PK_SUP_HIDDEN = 8   /* hidden (with FIXED: as decided before) */
};

typedef struct pk_sup_cell {
    int64_t v;
    unsigned flags;
} pk_sup_cell;

typedef struct pk_sup {
    pk_sup_cell *cell;
    size_t ncell, capcell;
    uint32_t *idx;      /* the equations' cells, one after another */
    size_t nidx, capidx;
    size_t *eq;         /* equation e is idx[eq[e] .. eq[e + 1]) */
    size_t neq, capeq;
    size_t unresolved;  /* pk_sup_close: equations left with one unknown */
} pk_sup;

void pk_sup_init(pk_sup *s);
void pk_sup_free(pk_sup *s);
/* A new cell: its index, or -1 when memory ran out. */
long pk_sup_add(pk_sup *s, int64_t v, unsigned flags);
/* A new equation over cells[0..n): 0, or -1 when memory ran out. */
int pk_sup_equation(pk_sup *s, const uint32_t *cells, size_t n);
static inline bool pk_sup_hidden(const pk_sup *s, size_t i)
{
    return (s->cell[i].flags & PK_SUP_HIDDEN) != 0;
}
/* Hides the small cells (1..k-1) and closes the table under the rule
 * above; returns the number of cells hidden.  s->unresolved counts the
 * equations that kept exactly one unknown cell to protect because none
 * of theirs could be hidden (all fixed, virtual or known). */
size_t pk_sup_close(pk_sup *s, int64_t k);

#endif
