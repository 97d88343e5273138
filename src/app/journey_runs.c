/* journey_runs.c -- the event import's external sort (journey_runs.h):
 * staged rows compared in each pass's order, and sorted runs (stretches
 * of one temporary file) merged through a min-heap of their heads. */
#include "app/journey_runs.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/pk.h"
#include "core/sort.h"

/* Two staged rows (headers and fields) in order o: BY_NIK (NIK index,
 * waktu, line), BY_REF (ref, line: the ref is the first field), BY_PID
 * (participant id, waktu, line), BY_LINE (line). */
int pk_jr_srec_cmp(order o, const srec *a, const char *da, const srec *b, const char *db)
{
    int c;
    if (o == BY_LINE) {
        /* the line alone */
    } else if (o == BY_REF) {
        if ((c = strcmp(da, db)) != 0)
            return c;
    } else {
        if (o == BY_PID && a->pid != b->pid)
            return a->pid < b->pid ? -1 : 1;
        if (o == BY_NIK && (c = memcmp(a->bi, b->bi, PK_BI_LEN)) != 0)
            return c;
        if (a->at != b->at)
            return a->at < b->at ? -1 : 1;
        if (a->us != b->us)
            return a->us < b->us ? -1 : 1;
    }
    return (a->line > b->line) - (a->line < b->line);
}

/* ---- sorting a run ------------------------------------------------------- */

static void key_of(order o, const char *arena, size_t off, jr_key *k)
{
    const srec *h = (const srec *)(arena + off);
    k->off = (uint32_t)off;
    k->tail = 0;
    if (o == BY_REF) {
        const char *ref = (const char *)(h + 1);
        size_t len = strnlen(ref, 16);
        k->k[0] = pk_sort_be((const uint8_t *)ref, len < 8 ? len : 8);
        k->k[1] = len > 8 ? pk_sort_be((const uint8_t *)ref + 8, len - 8) : 0;
        k->k[2] = 0;
        k->tail = len == 16;
    } else if (o == BY_NIK) {
        k->k[0] = pk_sort_be(h->bi, 8);
        k->k[1] = pk_sort_be(h->bi + 8, 8);
        k->k[2] = pk_sort_signed(h->at);
    } else if (o == BY_PID) {
        k->k[0] = pk_sort_signed(h->pid);
        k->k[1] = pk_sort_signed(h->at);
        k->k[2] = 0;
    } else { /* BY_LINE */
        k->k[0] = k->k[1] = k->k[2] = 0;
    }
    /* by the microsecond, then the line (pk_event_seq's order) */
    k->k[3] = o == BY_NIK || o == BY_PID ? (uint64_t)pk_event_seq((int32_t)h->us, h->line)
                                         : h->line;
}

static int key_cmp(const char *arena, const jr_key *a, const jr_key *b)
{
    for (int i = 0; i < 3; i++)
        if (a->k[i] != b->k[i])
            return a->k[i] < b->k[i] ? -1 : 1;
    if (a->tail && b->tail) { /* refs equal in their first 16 bytes */
        int c = strcmp(arena + a->off + sizeof(srec) + 16, arena + b->off + sizeof(srec) + 16);
        if (c != 0)
            return c;
    }
    return (a->k[3] > b->k[3]) - (a->k[3] < b->k[3]);
}

/* Keys are distinct: each has its own line. */
PK_QUICKSORT(key_sort, jr_key, char, key_cmp)

void pk_jr_sort(order o, const char *arena, size_t *offs, size_t n, jr_key *keys)
{
    for (size_t i = 0; i < n; i++)
        key_of(o, arena, offs[i], &keys[i]);
    key_sort(arena, keys, n);
    for (size_t i = 0; i < n; i++)
        offs[i] = keys[i].off;
}

/* ---- staging ------------------------------------------------------------ */

#define WRITE_BUFFER ((size_t)256 << 10) /* the run being written */
/* The buffers of the runs being merged, together: each gets its share,
 * between READ_MIN and READ_MAX (a 10M-row file makes hundreds of runs) */
#define MERGE_BUFFERS ((size_t)4 << 20)
#define READ_MIN ((size_t)4 << 10)
#define READ_MAX ((size_t)64 << 10)

/* A half's bytes: a multiple of 8, so that the second half's rows are
 * aligned as the first's whatever the arena's size. */
static size_t half_bytes(const stager *s)
{
    return (s->cap / 2) & ~(size_t)7;
}

/* Where half i starts in the arena. */
static char *half_base(const stager *s, int i)
{
    return s->arena + (size_t)i * half_bytes(s);
}

int pk_jr_stager_init(stager *s, order o, size_t cap)
{
    *s = (stager){.order = o, .arena = malloc(cap), .cap = cap, .fd = -1};
    return s->arena != NULL ? 0 : PK_ENOMEM;
}

/* A half's rows sorted and written as a run at `off` of the stager's file
 * (made first when fd is -1), on a thread of its own. */
typedef struct jr_job {
    pthread_t thread;
    bool joinable;   /* false: written by the caller (no thread to be had) */
    order order;
    const char *base;
    jr_half *half;
    char *wbuf;
    int64_t off, end; /* the run's bytes in the file */
    int fd, rc, err;  /* in: the file or -1; out: the file, the result and errno */
} jr_job;

/* n bytes at off, whole (a short write goes on). */
static int write_at(int fd, const char *p, size_t n, int64_t off)
{
    while (n > 0) {
        ssize_t w = pwrite(fd, p, n, (off_t)off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return PK_EIO;
        p += w, n -= (size_t)w, off += w;
    }
    return 0;
}

static void *job_main(void *arg)
{
    jr_job *j = arg;
    jr_half *h = j->half;
    j->rc = PK_EIO;
    pk_jr_sort(j->order, j->base, h->offs, h->n, h->keys);
    if (j->fd < 0) { /* an unlinked file of its own, 0600 (the rows carry NIKs) */
        FILE *f = tmpfile();
        j->fd = f != NULL ? dup(fileno(f)) : -1;
        j->err = errno;
        if (f != NULL)
            fclose(f);
        if (j->fd < 0)
            return NULL;
    }
    size_t fill = 0;
    int64_t at = j->off;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < h->n; i++) {
        const srec *r = (const srec *)(j->base + h->offs[i]);
        size_t n = sizeof(*r) + r->len;
        if (fill + n > WRITE_BUFFER && fill > 0) {
            rc = write_at(j->fd, j->wbuf, fill, at);
            at += (int64_t)fill, fill = 0;
        }
        if (rc == 0 && n > WRITE_BUFFER) { /* larger than the buffer: as it is */
            rc = write_at(j->fd, (const char *)r, n, at);
            at += (int64_t)n;
        } else if (rc == 0) {
            memcpy(j->wbuf + fill, r, n);
            fill += n;
        }
    }
    if (rc == 0 && fill > 0) {
        rc = write_at(j->fd, j->wbuf, fill, at);
        at += (int64_t)fill;
    }
    j->err = errno;
    j->rc = rc == 0 && at == j->end ? 0 : PK_EIO;
    return NULL;
}

/* Waits for the half being written; its run added to the runs. */
static int job_wait(stager *s)
{
    jr_job *j = s->job;
    if (j == NULL)
        return 0;
    if (j->joinable)
        pthread_join(j->thread, NULL);
    s->job = NULL;
    s->fd = j->fd; /* made by the job, perhaps */
    int rc = j->rc;
    if (rc == 0 && s->nruns == s->capruns) {
        size_t cap = s->capruns ? s->capruns * 2 : 16;
        run *r = realloc(s->runs, cap * sizeof(*r));
        if (r == NULL)
            rc = PK_ENOMEM;
        else
            s->runs = r, s->capruns = cap;
    }
    if (rc == 0)
        s->runs[s->nruns++] = (run){.fd = j->fd, .off = j->off, .end = j->end, .kept = j->off};
    if (rc == PK_EIO)
        errno = j->err;
    j->half->n = 0;
    free(j);
    return rc;
}

/* The half being filled handed to a thread to be written (waiting for
 * the other first); the caller goes on in the other half. */
static int flush_half(stager *s)
{
    jr_half *h = &s->half[s->cur];
    int rc = job_wait(s);
    if (rc != 0 || h->n == 0)
        return rc;
    if (s->wbuf == NULL && (s->wbuf = malloc(WRITE_BUFFER)) == NULL)
        return PK_ENOMEM;
    jr_job *j = calloc(1, sizeof(*j));
    if (j == NULL)
        return PK_ENOMEM;
    const char *base = half_base(s, s->cur);
    int64_t bytes = 0; /* the run's, as its rows' headers say */
    for (size_t i = 0; i < h->n; i++)
        bytes += (int64_t)(sizeof(srec) + ((const srec *)(base + h->offs[i]))->len);
    *j = (jr_job){.order = s->order, .base = base,
                  .half = h, .wbuf = s->wbuf, .off = s->end, .end = s->end + bytes,
                  .fd = s->fd};
    s->end += bytes;
    s->job = j;
    j->joinable = pthread_create(&j->thread, NULL, job_main, j) == 0;
    if (!j->joinable)
        job_main(j); /* no thread to be had: written here, added by job_wait */
    s->cur ^= 1;
    s->used = 0;
    return 0;
}

int pk_jr_flush(stager *s)
{
    int rc = flush_half(s);
    int w = job_wait(s);
    return rc != 0 ? rc : w;
}

/* The arena, the sort's memory and the write buffer freed (none being
 * written). */
static void release(stager *s)
{
    for (int i = 0; i < 2; i++) {
        free(s->half[i].offs);
        free(s->half[i].keys);
        s->half[i] = (jr_half){0};
    }
    free(s->arena);
    free(s->wbuf);
    s->arena = s->wbuf = NULL;
    s->cap = s->used = 0;
}

int pk_jr_finish(stager *s)
{
    int rc = pk_jr_flush(s);
    release(s);
    return rc;
}

int pk_jr_stage_room(stager *s, size_t len, srec **h)
{
    size_t need = (sizeof(srec) + len + 7) & ~(size_t)7, half = half_bytes(s);
    int rc;
    if (s->used + need > half && (rc = flush_half(s)) != 0)
        return rc;
    if (need > half)
        return PK_EINVAL;
    jr_half *f = &s->half[s->cur];
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 4096;
        size_t *o = realloc(f->offs, cap * sizeof(*o));
        if (o != NULL)
            f->offs = o;
        jr_key *k = o != NULL ? realloc(f->keys, cap * sizeof(*k)) : NULL;
        if (k == NULL)
            return PK_ENOMEM;
        f->keys = k, f->cap = cap;
    }
    *h = (srec *)(half_base(s, s->cur) + s->used);
    f->offs[f->n++] = s->used;
    s->used += need;
    return 0;
}

void pk_jr_take_runs(stager *s, run **runs, size_t *n)
{
    *runs = s->runs, *n = s->nruns;
    if (s->nruns == 0 && s->fd >= 0)
        close(s->fd); /* a file without runs: its writes failed */
    s->runs = NULL, s->nruns = s->capruns = 0;
    s->fd = -1, s->end = 0;
}

void pk_jr_stager_free(stager *s)
{
    job_wait(s);
    release(s);
    run *runs;
    size_t n;
    pk_jr_take_runs(s, &runs, &n);
    pk_jr_runs_close(runs, n);
}

/* ---- merging runs --------------------------------------------------------- */

/* What a merge has read of a run is released from the file, a stretch of
 * RELEASE_BYTES at a time: the whole pages of it, as a hole (a page a run
 * shares with the next is kept).  The pages go back to the kernel at once,
 * dirty ones never written out, and the next run's writes or the
 * database's take them: a pass's temporary file no longer grows to hold
 * every row the pass before staged too (the disk's peak growth during a
 * 10M-event import: 1,717 MB against 2,984 MB, bench/README.md run 9),
 * and on a VM, where memory the guest has not touched lately costs a
 * fault on the host, less of it is touched.  A file system
 * without holes keeps the bytes, as before (the first refusal says so for
 * every run). */
#define RELEASE_BYTES ((int64_t)1 << 20)
static atomic_bool no_holes;

static void run_release(run *r, bool all)
{
    int64_t from = (r->kept + 4095) & ~(int64_t)4095, to = r->off & ~(int64_t)4095;
    if (to - from < (all ? 4096 : RELEASE_BYTES) || atomic_load(&no_holes))
        return;
    if (fallocate(r->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)from,
                  (off_t)(to - from)) != 0 &&
        (errno == EOPNOTSUPP || errno == ENOSYS))
        atomic_store(&no_holes, true);
    r->kept = to;
}

/* n bytes of the run into dst through its buffer: 0, 1 at the run's end
 * (none read), PK_EIO (an error, or the run ends inside them). */
static int run_read(run *r, void *dst, size_t n)
{
    char *d = dst;
    size_t got = 0;
    while (got < n) {
        if (r->bpos == r->blen) {
            int64_t left = r->end - r->off;
            run_release(r, left <= 0); /* the buffer's bytes are read */
            if (left <= 0)
                return got == 0 ? 1 : PK_EIO;
            size_t want = left < (int64_t)r->bcap ? (size_t)left : r->bcap;
            ssize_t k;
            do
                k = pread(r->fd, r->buf, want, (off_t)r->off);
            while (k < 0 && errno == EINTR);
            if (k <= 0)
                return PK_EIO;
            r->off += k;
            r->bpos = 0, r->blen = (size_t)k;
        }
        size_t take = r->blen - r->bpos < n - got ? r->blen - r->bpos : n - got;
        memcpy(d + got, r->buf + r->bpos, take);
        r->bpos += take, got += take;
    }
    return 0;
}

/* The next row of a run into its head; 1 at its end. */
static int run_next(run *r)
{
    int rc = run_read(r, &r->h, sizeof(r->h));
    if (rc != 0)
        return rc;
    if (r->h.len > r->cap) {
        char *d = realloc(r->data, r->h.len);
        if (d == NULL)
            return PK_ENOMEM;
        r->data = d, r->cap = r->h.len;
    }
    return run_read(r, r->data, r->h.len) == 0 ? 0 : PK_EIO;
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
    size_t share = nruns ? MERGE_BUFFERS / nruns : READ_MAX;
    share = share < READ_MIN ? READ_MIN : share > READ_MAX ? READ_MAX : share;
    for (size_t i = 0; i < nruns; i++) {
        run *u = &runs[i];
        if (u->buf == NULL) {
            if ((u->buf = malloc(share)) == NULL)
                return PK_ENOMEM;
            u->bcap = share;
        }
        int r = run_next(u);
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
    if (n > 0 && runs[0].fd >= 0)
        close(runs[0].fd); /* the file they share */
    for (size_t i = 0; i < n; i++) {
        free(runs[i].buf);
        free(runs[i].data);
    }
    free(runs);
}
