/* journey_runs.c -- the event import's external sort (journey_runs.h):
 * staged rows compared in each pass's order, and sorted runs (temporary
 * files) merged through a min-heap of their heads. */
#include "app/journey_runs.h"

#include <stdlib.h>
#include <string.h>

#include "core/pk.h"

/* Two staged rows (headers and fields) in order o: BY_NIK (NIK index,
 * waktu, line), BY_REF (ref, line: the ref is the first field), BY_PID
 * (participant id, waktu, line). */
int pk_jr_srec_cmp(order o, const srec *a, const char *da, const srec *b, const char *db)
{
    int c;
    if (o == BY_REF) {
        if ((c = strcmp(da, db)) != 0)
            return c;
    } else {
        if (o == BY_PID && a->pid != b->pid)
            return a->pid < b->pid ? -1 : 1;
        if (o == BY_NIK && (c = memcmp(a->bi, b->bi, PK_BI_LEN)) != 0)
            return c;
        if (a->at != b->at)
            return a->at < b->at ? -1 : 1;
    }
    return (a->line > b->line) - (a->line < b->line);
}

/* ---- merging runs --------------------------------------------------------- */

/* The next row of a run into its head; 1 at its end. */
static int run_next(run *r)
{
    if (fread(&r->h, sizeof(r->h), 1, r->f) != 1)
        return feof(r->f) ? 1 : PK_EIO;
    if (r->h.len > r->cap) {
        char *d = realloc(r->data, r->h.len);
        if (d == NULL)
            return PK_ENOMEM;
        r->data = d, r->cap = r->h.len;
    }
    return fread(r->data, r->h.len, 1, r->f) == 1 ? 0 : PK_EIO;
}

static int run_cmp(order o, const run *a, const run *b)
{
    return pk_jr_srec_cmp(o, &a->h, a->data, &b->h, b->data);
}

/* A min-heap of run indexes by their heads. */
static void sift_down(order o, run *runs, size_t *heap, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < n && run_cmp(o, &runs[heap[l]], &runs[heap[m]]) < 0)
            m = l;
        if (l + 1 < n && run_cmp(o, &runs[heap[l + 1]], &runs[heap[m]]) < 0)
            m = l + 1;
        if (m == i)
            return;
        size_t t = heap[i];
        heap[i] = heap[m], heap[m] = t;
        i = m;
    }
}

int pk_jr_merge_start(merge *m, order o, run *runs, size_t nruns)
{
    m->order = o;
    m->runs = runs;
    m->n = 0;
    m->heap = malloc((nruns ? nruns : 1) * sizeof(*m->heap));
    if (m->heap == NULL)
        return PK_ENOMEM;
    for (size_t i = 0; i < nruns; i++) {
        int r = run_next(&runs[i]);
        if (r < 0)
            return r;
        if (r == 0)
            m->heap[m->n++] = i;
    }
    for (size_t i = m->n; i-- > 0;)
        sift_down(o, runs, m->heap, m->n, i);
    return 0;
}

/* The least head; NULL at the end. */
run *pk_jr_merge_top(const merge *m)
{
    return m->n > 0 ? &m->runs[m->heap[0]] : NULL;
}

/* Past the least head. */
int pk_jr_merge_pop(merge *m)
{
    int r = run_next(&m->runs[m->heap[0]]);
    if (r < 0)
        return r;
    if (r == 1)
        m->heap[0] = m->heap[--m->n];
    sift_down(m->order, m->runs, m->heap, m->n, 0);
    return 0;
}

void pk_jr_runs_close(run *runs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (runs[i].f != NULL)
            fclose(runs[i].f);
        free(runs[i].data);
    }
    free(runs);
}
