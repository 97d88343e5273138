/* journey_import.c -- the import of an event file (journey-events-csv.md)
 * in constant memory, each person's rows applied in waktu order whatever
 * the order of the file's rows.
 *
 * Three passes.  The first reads the file (the participants import's CSV
 * reader, pk_reg_read_fd), checks each row (core/journey.c), computes
 * the NIK's blind index and stages the row in runs sorted by (NIK index,
 * waktu, line): a run is sorted in a bounded arena and written to an
 * unlinked temporary file (0600: the rows carry NIKs).  The second merges
 * those runs, finds each person once (in NIK index order: the pages of
 * that index in order), rejects the rows of unknown NIKs and stages the
 * others again, sorted by (participant id, waktu, line).  The third
 * merges these and hands each person's rows, in order, to
 * pk_journey_append (app/journey.c), the one place the journey's rules
 * live: in participant order, the order of the journeys, of the events'
 * index by participant and of the foreign key checks, so each write
 * lands near the one before (in NIK index order each landed on a page of
 * its own).  It commits TX_FIRST rows, then twice as many each time up to
 * TX_MAX.  A killed run leaves whole transactions: run again, the rows
 * stored already count as duplicates ((source, ref) is unique), so the
 * journey ends as one clean run leaves it. */
#include "app/journey_import.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app/journey.h"
#include "app/registry_int.h"
#include "app/wave.h"
#include "core/csv.h"
#include "core/ident.h"
#include "core/nik.h"

#define ARENA_BYTES ((size_t)8 << 20)  /* one run's rows, at most */
#define GROUP_MAX 512                  /* one person's rows per append */
/* Rows per transaction (at least): the first, doubling up to the cap.  The
 * event indexes (by (source, ref), by participant) take the rows in an
 * order unrelated to theirs, so every commit rewrites pages all over them:
 * 5,000 rows a transaction wrote 6.3 GB for a 1M-row file, 160,000 at
 * most 1.5 GB, in a third of the time (bench/events.sh). */
#define TX_FIRST 5000
#define TX_MAX 160000
#define TICK_ROWS 256
#define FIND_TX 4096                   /* people looked up per read transaction */

/* The file's columns, in the spec's order (the rejects file's too). */
enum { C_REF, C_NIK, C_PERISTIWA, C_WAKTU, C_GELOMBANG, C_JUMLAH, C_KE, C_PELATIHAN,
       C_PLATFORM, C_REF_ASAL, C_KETERANGAN, C__COUNT };
static const char *const colnames[C__COUNT] = {
    "ref", "nik", "peristiwa", "waktu", "gelombang", "jumlah", "ke", "pelatihan", "platform",
    "ref_asal", "keterangan"};

/* A staged row: this header, then the C__COUNT fields, each ending in NUL.
 * pid is 0 in the first runs, the participant's id in the second. */
typedef struct srec {
    int64_t pid;
    uint8_t bi[PK_BI_LEN];
    int64_t at;
    uint64_t line;
    uint32_t len;  /* bytes of the fields */
} srec;

typedef struct run {
    FILE *f;
    srec h;
    char *data;
    size_t cap;
} run;

typedef struct eimporter {
    const pk_app *app;
    const pk_import_opts *opts;
    pk_event_source source;
    pk_import_summary *sum;
    int col[C__COUNT];
    size_t ncols;
    /* pass 1 */
    char *arena;
    size_t used;
    size_t *offs, noffs, capoffs;
    run *runs;
    size_t nruns, capruns;
} eimporter;

static void fields_of(const char *data, const char *f[C__COUNT])
{
    for (int i = 0; i < C__COUNT; i++) {
        f[i] = data;
        data += strlen(data) + 1;
    }
}

/* The rejects file: line, codes, the column at fault, the row's fields
 * in the spec's order (the CSV output of the participants import). */
static void reject(eimporter *im, unsigned long line, pk_code code, const char *column,
                   const char *const *f)
{
    im->sum->rejected++;
    im->sum->reasons[code]++;
    FILE *out = im->opts->rejects;
    if (out == NULL)
        return;
    if (column == NULL)
        column = pk_code_field(code) ? pk_code_field(code) : "";
    fprintf(out, "%lu,", line);
    pk_reg_csv_codes(out, PK_CODEBIT(code));
    fputc(',', out);
    pk_reg_csv_field(out, column, false);
    for (int i = 0; i < C__COUNT; i++) {
        fputc(',', out);
        pk_reg_csv_field(out, f != NULL && f[i] != NULL ? f[i] : "", i == C_KETERANGAN);
    }
    fputc('\n', out);
}

static int map_header(eimporter *im, const pk_csv_record *rec, char *err, size_t errlen)
{
    if (pk_reg_header_semicolons(rec, err, errlen))
        return PK_EINVAL;
    for (int c = 0; c < C__COUNT; c++)
        im->col[c] = -1;
    im->ncols = rec->nfields;
    size_t ul = 0;
    for (size_t i = 0; i < rec->nfields; i++) {
        size_t len = rec->len[i];
        const char *name = rec->field[i];
        if (i == 0 && len >= 3 && memcmp(name, "\xEF\xBB\xBF", 3) == 0)
            name += 3, len -= 3;
        const char *t = pk_trim(name, &len);
        int c = 0;
        while (c < C__COUNT && !(strlen(colnames[c]) == len && memcmp(colnames[c], t, len) == 0))
            c++;
        if (c == C__COUNT) {
            size_t room = sizeof(im->sum->unknown_columns) - ul;
            if (room > len + 2)
                ul += (size_t)snprintf(im->sum->unknown_columns + ul, room, "%s%.*s",
                                       ul ? "," : "", (int)len, t);
            continue;
        }
        if (im->col[c] != -1) {
            snprintf(err, errlen, "column '%s' appears twice in the header", colnames[c]);
            return PK_EINVAL;
        }
        im->col[c] = (int)i;
    }
    char missing[128] = "";
    size_t ml = 0;
    for (int c = C_REF; c <= C_WAKTU; c++)
        if (im->col[c] == -1)
            ml += (size_t)snprintf(missing + ml, sizeof(missing) - ml, "%s%s", ml ? ", " : "",
                                   colnames[c]);
    if (ml > 0) {
        snprintf(err, errlen, "kolom_wajib_hilang: required column(s) missing: %s", missing);
        return PK_EINVAL;
    }
    return 0;
}

static void event_fields(const char *const *f, pk_event_fields *ef)
{
    *ef = (pk_event_fields){f[C_REF], f[C_PERISTIWA], f[C_WAKTU], f[C_GELOMBANG], f[C_JUMLAH],
                            f[C_KE], f[C_PELATIHAN], f[C_PLATFORM], f[C_REF_ASAL],
                            f[C_KETERANGAN]};
}

/* ---- pass 1: runs sorted by (NIK index, waktu, line) ---------------------- */

/* (pid, NIK index, waktu, line): the first runs' rows all have pid 0, the
 * second's one NIK index per pid. */
static int srec_cmp(const srec *a, const srec *b)
{
    if (a->pid != b->pid)
        return a->pid < b->pid ? -1 : 1;
    int c = memcmp(a->bi, b->bi, PK_BI_LEN);
    if (c != 0)
        return c;
    if (a->at != b->at)
        return a->at < b->at ? -1 : 1;
    return (a->line > b->line) - (a->line < b->line);
}

static int by_srec(const void *a, const void *b, void *arena)
{
    const char *base = arena;
    return srec_cmp((const srec *)(base + *(const size_t *)a),
                    (const srec *)(base + *(const size_t *)b));
}

/* Sorts the arena's rows and writes them as a run. */
static int flush_run(eimporter *im)
{
    if (im->noffs == 0)
        return 0;
    qsort_r(im->offs, im->noffs, sizeof(*im->offs), by_srec, im->arena);
    if (im->nruns == im->capruns) {
        size_t cap = im->capruns ? im->capruns * 2 : 16;
        run *r = realloc(im->runs, cap * sizeof(*r));
        if (r == NULL)
            return PK_ENOMEM;
        im->runs = r, im->capruns = cap;
    }
    FILE *f = tmpfile();
    if (f == NULL)
        return PK_EIO;
    im->runs[im->nruns++] = (run){.f = f};
    for (size_t i = 0; i < im->noffs; i++) {
        const srec *h = (const srec *)(im->arena + im->offs[i]);
        if (fwrite(h, sizeof(*h) + h->len, 1, f) != 1)
            return PK_EIO;
    }
    if (fflush(f) != 0 || fseek(f, 0, SEEK_SET) != 0)
        return PK_EIO;
    im->used = 0;
    im->noffs = 0;
    return 0;
}

/* Room in the arena for a row of len bytes of fields; its header's place. */
static int stage_room(eimporter *im, size_t len, srec **h)
{
    size_t need = (sizeof(srec) + len + 7) & ~(size_t)7;
    int rc;
    if (im->used + need > ARENA_BYTES && (rc = flush_run(im)) != 0)
        return rc;
    if (im->noffs == im->capoffs) {
        size_t cap = im->capoffs ? im->capoffs * 2 : 4096;
        size_t *o = realloc(im->offs, cap * sizeof(*o));
        if (o == NULL)
            return PK_ENOMEM;
        im->offs = o, im->capoffs = cap;
    }
    *h = (srec *)(im->arena + im->used);
    im->offs[im->noffs++] = im->used;
    im->used += need;
    return 0;
}

static int stage(eimporter *im, const uint8_t *bi, int64_t at, unsigned long line,
                 const char *const *f)
{
    size_t len = 0;
    for (int i = 0; i < C__COUNT; i++)
        len += strlen(f[i]) + 1;
    srec *h;
    int rc = stage_room(im, len, &h);
    if (rc != 0)
        return rc;
    h->pid = 0;
    memcpy(h->bi, bi, PK_BI_LEN);
    h->at = at;
    h->line = line;
    h->len = (uint32_t)len;
    char *p = (char *)(h + 1);
    for (int i = 0; i < C__COUNT; i++) {
        size_t n = strlen(f[i]) + 1;
        memcpy(p, f[i], n);
        p += n;
    }
    return 0;
}

/* Reads the file: rejects what is wrong in a row by itself, stages the rest. */
static int pass1(eimporter *im, pk_csv *csv, pk_csv_record *rec, unsigned long long size,
                 char *err, size_t errlen)
{
    pk_import_summary *sum = im->sum;
    const pk_date today = pk_app_today();
    int r, rc = 0;
    while ((r = pk_csv_next(csv, rec)) != 0) {
        if (r == PK_EIO) {
            snprintf(err, errlen, "read error: %s", strerror(errno));
            return PK_EIO;
        }
        sum->read++;
        if (im->opts->tick != NULL && sum->read % TICK_ROWS == 0)
            im->opts->tick(im->opts->ctx, sum->read, pk_csv_offset(csv), size);
        if (r < 0 || rec->nfields != im->ncols) {
            reject(im, rec->line, PK_C_BARIS_RUSAK, "", NULL);
            continue;
        }
        const char *f[C__COUNT];
        for (int c = 0; c < C__COUNT; c++) {
            size_t len = im->col[c] >= 0 ? rec->len[im->col[c]] : 0;
            f[c] = im->col[c] >= 0 ? rec->field[im->col[c]] : "";
            if (c == C_KETERANGAN)
                f[c] = pk_text_sheet_unguard(f[c], &len);
            if (strlen(f[c]) != len) { /* a NUL inside a field */
                f[c] = "";
            }
        }
        pk_event e;
        pk_event_fields ef;
        const char *bad = NULL;
        event_fields(f, &ef);
        pk_nik_info ni;
        if (pk_nik_check(f[C_NIK], strlen(f[C_NIK]), im->app->regions, today, &ni) != 0) {
            reject(im, rec->line, PK_C_KOLOM_TIDAK_VALID, "nik", f);
            continue;
        }
        if (pk_event_parse(&ef, &e, &bad) != 0) {
            reject(im, rec->line, PK_C_KOLOM_TIDAK_VALID, bad, f);
            continue;
        }
        /* only the draw and the jobs of this deployment select, reject
         * and revoke: a local file may not */
        if (im->source == PK_SRC_LOKAL &&
            (e.type == PK_EV_LOLOS || e.type == PK_EV_TIDAK_LOLOS || e.type == PK_EV_DICABUT)) {
            reject(im, rec->line, PK_C_KOLOM_TIDAK_VALID, "peristiwa", f);
            continue;
        }
        uint8_t bi[PK_BLIND_LEN];
        pk_vault_blind(&im->app->vault, "nik", f[C_NIK], bi);
        if ((rc = stage(im, bi, e.at, rec->line, f)) != 0) {
            snprintf(err, errlen, rc == PK_ENOMEM ? "out of memory"
                                                  : "cannot write a temporary file: %s",
                     strerror(errno));
            return rc;
        }
    }
    if (im->opts->tick != NULL)
        im->opts->tick(im->opts->ctx, sum->read, pk_csv_offset(csv), size);
    if ((rc = flush_run(im)) != 0)
        snprintf(err, errlen, "cannot write a temporary file: %s", strerror(errno));
    return rc;
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

/* A min-heap of run indexes by their heads. */
static void sift_down(run *runs, size_t *heap, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, m = i;
        if (l < n && srec_cmp(&runs[heap[l]].h, &runs[heap[m]].h) < 0)
            m = l;
        if (l + 1 < n && srec_cmp(&runs[heap[l + 1]].h, &runs[heap[m]].h) < 0)
            m = l + 1;
        if (m == i)
            return;
        size_t t = heap[i];
        heap[i] = heap[m], heap[m] = t;
        i = m;
    }
}

/* A merge of runs: a min-heap of run indexes by their heads. */
typedef struct merge {
    run *runs;
    size_t *heap, n;
} merge;

static int merge_start(merge *m, run *runs, size_t nruns)
{
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
        sift_down(runs, m->heap, m->n, i);
    return 0;
}

/* The least head; NULL at the end. */
static run *merge_top(const merge *m)
{
    return m->n > 0 ? &m->runs[m->heap[0]] : NULL;
}

/* Past the least head. */
static int merge_pop(merge *m)
{
    int r = run_next(&m->runs[m->heap[0]]);
    if (r < 0)
        return r;
    if (r == 1)
        m->heap[0] = m->heap[--m->n];
    sift_down(m->runs, m->heap, m->n, 0);
    return 0;
}

static void runs_close(run *runs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (runs[i].f != NULL)
            fclose(runs[i].f);
        free(runs[i].data);
    }
    free(runs);
}

/* ---- pass 2: each person found once, the rows staged by participant -------- */

static int resolve(eimporter *im, char *err, size_t errlen)
{
    run *old = im->runs;
    size_t nold = im->nruns;
    im->runs = NULL, im->nruns = im->capruns = 0;
    merge m = {0};
    pk_tx *tx = NULL;
    size_t found = 0;
    uint8_t bi[PK_BI_LEN] = {0};
    int64_t pid = 0;
    bool have = false;
    int rc = merge_start(&m, old, nold);
    for (run *r; rc == 0 && (r = merge_top(&m)) != NULL;) {
        if (!have || memcmp(bi, r->h.bi, PK_BI_LEN) != 0) {
            /* a read transaction for FIND_TX people at most: the writer's
             * lock is not held for the whole pass */
            if (tx != NULL && found % FIND_TX == 0) {
                pk_tx_rollback(tx);
                tx = NULL;
            }
            if (tx == NULL && (rc = pk_store_begin(im->app->store, &tx)) != 0)
                break;
            pk_bi key;
            pk_pknown known;
            memcpy(key, r->h.bi, PK_BI_LEN);
            if ((rc = pk_tx_participants_find(tx, 1, (const pk_bi *)&key, &known)) != 0)
                break;
            memcpy(bi, r->h.bi, PK_BI_LEN);
            pid = known.id;
            have = true;
            found++;
        }
        if (pid == 0) {
            const char *f[C__COUNT];
            fields_of(r->data, f);
            reject(im, (unsigned long)r->h.line, PK_C_PESERTA_TIDAK_DIKENAL, "nik", f);
        } else {
            srec *h;
            if ((rc = stage_room(im, r->h.len, &h)) != 0)
                break;
            *h = r->h;
            h->pid = pid;
            memcpy(h + 1, r->data, r->h.len);
        }
        rc = merge_pop(&m);
    }
    pk_tx_rollback(tx);
    if (rc == 0)
        rc = flush_run(im);
    if (rc != 0)
        snprintf(err, errlen, rc == PK_ENOMEM ? "out of memory"
                              : rc == PK_EIO  ? "database or temporary file error"
                                              : "database error (%d)", rc);
    free(m.heap);
    runs_close(old, nold);
    return rc;
}

/* ---- pass 3: each person's rows appended ---------------------------------- */

typedef struct group {
    int64_t pid;
    size_t n;
    pk_event ev[GROUP_MAX];
    pk_append_result res[GROUP_MAX];
    unsigned long line[GROUP_MAX];
    size_t off[GROUP_MAX];   /* the row's fields in data */
    pk_buf data;
} group;

/* Appends the group's rows to its person's journey inside tx. */
static int flush_group(eimporter *im, pk_tx *tx, group *g, long *in_tx)
{
    if (g->n == 0)
        return 0;
    const char *f[C__COUNT];
    /* A local file joins this deployment's waves: their join rules apply
     * (selection.md); the programme office's joins are to its own waves. */
    int rc = pk_journey_append_checked(tx, g->pid, g->ev, g->n, g->res,
                                       im->source == PK_SRC_LOKAL ? pk_wave_join_rule : NULL,
                                       NULL, NULL);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < g->n; i++) {
        if (g->res[i].verdict == PK_APPEND_INSERTED) {
            im->sum->inserted++;
        } else if (g->res[i].verdict == PK_APPEND_DUPLICATE) {
            im->sum->duplicates++;
        } else {
            fields_of((const char *)g->data.data + g->off[i], f);
            reject(im, g->line[i], g->res[i].why, NULL, f);
        }
    }
    *in_tx += (long)g->n;
    g->n = 0;
    pk_buf_reset(&g->data);
    return 0;
}

static int commit(eimporter *im, pk_tx **tx, long *in_tx, long *inserted_before)
{
    char detail[96];
    snprintf(detail, sizeof(detail), "source=%s rows=%ld inserted=%ld",
             pk_event_source_name(im->source), *in_tx, im->sum->inserted - *inserted_before);
    int rc = pk_tx_audit(*tx, im->opts->actor ? im->opts->actor : "", "import",
                         "journey.import", 0, detail);
    if (rc != 0) {
        pk_tx_rollback(*tx);
        *tx = NULL;
        return rc;
    }
    rc = pk_tx_commit(*tx);
    *tx = NULL;
    *in_tx = 0;
    *inserted_before = im->sum->inserted;
    return rc;
}

static int pass3(eimporter *im, char *err, size_t errlen)
{
    merge m = {0};
    group *g = calloc(1, sizeof(*g));
    if (g != NULL)
        pk_buf_init(&g->data, (size_t)GROUP_MAX * PK_REG_MAX_RECORD);
    pk_tx *tx = NULL;
    long in_tx = 0, inserted_before = 0, tx_rows = TX_FIRST;
    int rc = g == NULL ? PK_ENOMEM : merge_start(&m, im->runs, im->nruns);
    for (run *r; rc == 0 && (r = merge_top(&m)) != NULL;) {
        if (tx == NULL && (rc = pk_store_begin(im->app->store, &tx)) != 0)
            break;
        if (g->n > 0 && (g->pid != r->h.pid || g->n == GROUP_MAX)) {
            bool other = g->pid != r->h.pid;
            if ((rc = flush_group(im, tx, g, &in_tx)) != 0)
                break;
            if (other && in_tx >= tx_rows) {
                if ((rc = commit(im, &tx, &in_tx, &inserted_before)) != 0)
                    break;
                if (tx_rows < TX_MAX)
                    tx_rows *= 2;
            }
            if (tx == NULL)
                continue;
        }
        /* the row into the group */
        const char *f[C__COUNT];
        fields_of(r->data, f);
        pk_event_fields ef;
        event_fields(f, &ef);
        const char *bad = NULL;
        pk_event *e = &g->ev[g->n];
        if (pk_event_parse(&ef, e, &bad) != 0) { /* checked in pass 1 */
            rc = PK_EIO;
            break;
        }
        e->source = im->source;
        e->seq = (int64_t)r->h.line;
        g->pid = r->h.pid;
        g->line[g->n] = (unsigned long)r->h.line;
        g->off[g->n] = g->data.len;
        if (pk_buf_add(&g->data, r->data, r->h.len) != 0) {
            rc = PK_ENOMEM;
            break;
        }
        g->n++;
        rc = merge_pop(&m);
    }
    if (rc == 0 && g != NULL && g->n > 0) {
        if (tx == NULL)
            rc = pk_store_begin(im->app->store, &tx);
        if (rc == 0)
            rc = flush_group(im, tx, g, &in_tx);
    }
    if (rc == 0 && tx != NULL)
        rc = commit(im, &tx, &in_tx, &inserted_before);
    pk_tx_rollback(tx);
    if (rc != 0)
        snprintf(err, errlen, rc == PK_ENOMEM ? "out of memory"
                              : rc == PK_EIO  ? "database or temporary file error"
                                              : "database error (%d)", rc);
    if (g != NULL)
        pk_buf_free(&g->data);
    free(g);
    free(m.heap);
    return rc;
}

int pk_journey_import(const pk_app *app, int fd, pk_event_source source,
                      const pk_import_opts *opts, pk_import_summary *sum, char *err,
                      size_t errlen)
{
    eimporter im = {.app = app, .opts = opts, .source = source, .sum = sum};
    memset(sum, 0, sizeof(*sum));
    pk_csv *csv = pk_csv_new(pk_reg_read_fd, &fd, PK_REG_MAX_RECORD);
    pk_csv_record *rec = malloc(sizeof(*rec));
    im.arena = malloc(ARENA_BYTES);
    unsigned long long size = 0;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        size = (unsigned long long)st.st_size;
    int rc = 0, r;
    if (csv == NULL || rec == NULL || im.arena == NULL) {
        rc = PK_ENOMEM;
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    if ((r = pk_csv_next(csv, rec)) <= 0) {
        rc = r == PK_EIO ? PK_EIO : PK_EINVAL;
        snprintf(err, errlen, r == 0 ? "the file is empty: no header line"
                              : r == PK_EIO ? "read error"
                                            : "the header line is not valid CSV");
        goto out;
    }
    if ((rc = map_header(&im, rec, err, errlen)) != 0)
        goto out;
    if (opts->rejects != NULL) {
        fputs("baris,alasan,kolom", opts->rejects);
        for (int c = 0; c < C__COUNT; c++)
            fprintf(opts->rejects, ",%s", colnames[c]);
        fputc('\n', opts->rejects);
    }
    if ((rc = pass1(&im, csv, rec, size, err, errlen)) != 0 ||
        (rc = resolve(&im, err, errlen)) != 0)
        goto out;
    free(im.arena);
    im.arena = NULL;
    rc = pass3(&im, err, errlen);
out:
    runs_close(im.runs, im.nruns);
    free(im.offs);
    free(im.arena);
    free(rec);
    pk_csv_free(csv);
    return rc;
}
