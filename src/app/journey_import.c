/* journey_import.c -- the import of an event file (journey-events-csv.md)
 * in constant memory, each person's rows applied in waktu order whatever
 * the order of the file's rows.
 *
 * Four passes.  The first reads the file (the participants import's CSV
 * reader, pk_reg_read_fd), checks each row (core/journey.c), computes
 * the NIK's blind index and stages the row in runs sorted by (NIK index,
 * waktu, line): a run is sorted in a bounded arena and written to the
 * pass's unlinked temporary file (0600: the rows carry NIKs;
 * journey_runs.c).
 * The second merges those runs, finds each person once (in NIK index
 * order: the pages of that index in order), rejects the rows of unknown
 * NIKs and stages the others again, sorted by (participant id, waktu,
 * line), and the refs that may repeat (each with its row's key) sorted
 * by (ref, line): pass 1 noted every ref in a filter of bits, in a second
 * one the refs whose bits it had seen set (a repeat, or by chance), and
 * only those are staged (at 1M refs about one in two thousand more than
 * the repeats; the rest sorted no ref).  The third merges them: of the
 * rows that share a ref (the file's source is one) the first in the file
 * is the event, the others are duplicates, found by the sort rather than
 * by a look-up each, and staged (their keys only) by (participant id,
 * waktu, line).  The fourth
 * merges the rows and, beside them, the duplicates, which it skips, and
 * hands each person's other rows, in order, to pk_journey_append
 * (app/journey.c), the one place the
 * journey's rules live: in participant order, the order of the journeys,
 * of the events' index by participant and of the foreign key checks, so
 * each write lands near the one before (in NIK index order each landed
 * on a page of its own).  It commits TX_FIRST rows, then twice as many
 * each time up to TX_MAX.  A killed run leaves whole transactions: run
 * again, the rows stored already count as duplicates ((source, ref) is
 * unique), so the journey ends as one clean run leaves it.
 *
 * A file of at least import_bulk_mb into a store that holds no event yet
 * (a first import) is a bulk load (pk_tx_events_bulk_begin): one
 * transaction, no look-up of stored refs (there are none, and the file's
 * repeats are gone by the fourth pass), the unique index by (source, ref)
 * built at the end.  Killed, it leaves nothing.
 *
 * The rejected rows (with --rejects) are staged too, by line, and the
 * rejects file written at the end in the file's order, whichever pass
 * rejected them. */
#include "app/journey_import.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app/journey.h"
#include "app/journey_runs.h"
#include "app/registry_int.h"
#include "app/wave.h"
#include "app/wave_terms.h"
#include "core/csv.h"
#include "core/hash.h"
#include "core/ident.h"
#include "core/nik.h"

#define ARENA_BYTES ((size_t)8 << 20)  /* the rows' arena: a run is half (journey_runs.h) */
#define GROUP_MAX 512                  /* one person's rows per append */
#define BATCH_ROWS 2048                /* rows per pk_journey_append_many */
/* Rows per transaction (at least): the first, doubling up to the cap.  The
 * event indexes (by (source, ref), by participant) take the rows in an
 * order unrelated to theirs, so every commit rewrites pages all over them:
 * 5,000 rows a transaction wrote 6.3 GB for a 1M-row file, 160,000 at
 * most 1.5 GB, in a third of the time (bench/events.sh). */
#define TX_FIRST 5000
#define TX_MAX 160000
#define TICK_ROWS 256
#define REFS_BYTES ((size_t)4 << 20)   /* the refs', likewise */
#define DUPS_BYTES ((size_t)1 << 20)   /* the duplicates', likewise */
#define REJECTS_BYTES ((size_t)1 << 20) /* the rejected rows', likewise (with --rejects) */
#define FIND_BATCH 1024                /* people looked up at once (one statement on PostgreSQL) */
#define PENDING_BYTES ((size_t)1 << 20) /* their rows held meanwhile, at most (about) */
/* The filters of the refs seen (once, twice), in bits: 4 and 1 MiB, a
 * fixed size, whatever the file (refs past some tens of millions stage
 * more and more of them: the second filter then says yes to most). */
#define SEEN_BITS ((size_t)1 << 25)
#define TWICE_BITS ((size_t)1 << 23)
/* The waves a file's rows name, at most: more, and pass 4 judges on the
 * writer's thread (see pass4). */
#define WAVES_MAX 1024

/* The file's columns, in the spec's order (the rejects file's too). */
enum { C_REF, C_NIK, C_PERISTIWA, C_WAKTU, C_GELOMBANG, C_JUMLAH, C_KE, C_PELATIHAN,
       C_PLATFORM, C_REF_ASAL, C_KETERANGAN, C__COUNT };

/* The columns of text a spreadsheet would run ("=HYPERLINK(...)" is a
 * valid ref, course or platform): written with the apostrophe guard by
 * the export (journey_export.c), which the import takes off again. */
static bool text_column(int c)
{
    return c == C_REF || c == C_PELATIHAN || c == C_PLATFORM || c == C_REF_ASAL ||
           c == C_KETERANGAN;
}
static const char *const colnames[C__COUNT] = {
    "ref", "nik", "peristiwa", "waktu", "gelombang", "jumlah", "ke", "pelatihan", "platform",
    "ref_asal", "keterangan"};

typedef struct eimporter {
    const pk_app *app;
    unsigned long long size; /* of the file, when known */
    const pk_import_opts *opts;
    pk_event_source source;
    pk_import_summary *sum;
    int col[C__COUNT];
    size_t ncols;
    stager st;        /* the rows */
    stager refs;      /* pass 2's: the refs of known people's rows */
    stager dups;      /* pass 3's: the rows that repeat a ref */
    stager rej;       /* the rejected rows, for the rejects file in line order */
    int rej_rc;       /* the first error staging them */
    uint64_t *seen;   /* SEEN_BITS: pass 1's refs */
    uint64_t *twice;  /* TWICE_BITS: those it had seen (or so the first said) */
    int64_t waves[2 * WAVES_MAX]; /* the wave numbers the rows name, hashed; 0 free */
    size_t nwaves;
    bool waves_over;  /* more than WAVES_MAX */
} eimporter;

/* Pass 1 notes a row's wave number. */
static void wave_seen(eimporter *im, int64_t wave)
{
    if (wave == 0 || im->waves_over)
        return;
    size_t i = (size_t)pk_hash_mix((uint64_t)wave) & (2 * WAVES_MAX - 1);
    for (; im->waves[i] != 0; i = (i + 1) & (2 * WAVES_MAX - 1))
        if (im->waves[i] == wave)
            return;
    if (im->nwaves == WAVES_MAX)
        im->waves_over = true;
    else
        im->waves[i] = wave, im->nwaves++;
}

/* A ref's three bits in a filter: all in one word (h's low bits pick
 * it), so that a ref costs one cache miss, not three. */
static uint64_t *ref_word(uint64_t *bits, size_t nbits, uint64_t h)
{
    return &bits[(size_t)h & (nbits / 64 - 1)];
}

static uint64_t ref_mask(uint64_t h)
{
    return (uint64_t)1 << (h >> 40 & 63) | (uint64_t)1 << (h >> 46 & 63) |
           (uint64_t)1 << (h >> 52 & 63);
}

static uint64_t ref_hash(const char *ref)
{
    return pk_hash_mix(pk_hash_str(PK_HASH_INIT, ref));
}

/* Pass 1 notes a ref (h: ref_hash's, its word prefetched meanwhile). */
static void ref_seen(eimporter *im, uint64_t h)
{
    uint64_t *w = ref_word(im->seen, SEEN_BITS, h), m = ref_mask(h);
    if ((*w & m) == m)
        *ref_word(im->twice, TWICE_BITS, h) |= m;
    *w |= m;
}

/* Pass 2: whether a ref may be in the file twice (if not, it is not). */
static bool ref_maybe_twice(const eimporter *im, const char *ref)
{
    uint64_t h = ref_hash(ref), m = ref_mask(h);
    return (*ref_word(im->twice, TWICE_BITS, h) & m) == m;
}

static void fields_of(const char *data, const char *f[C__COUNT])
{
    for (int i = 0; i < C__COUNT; i++) {
        f[i] = data;
        data += strlen(data) + 1;
    }
}

/* A rejected row: counted, and (with --rejects) staged by its line, its
 * code in the header's `at`, then the column at fault and the row's
 * fields in the spec's order (all empty for a row that is not one). */
static void reject(eimporter *im, unsigned long line, pk_code code, const char *column,
                   const char *const *f)
{
    im->sum->rejected++;
    im->sum->reasons[code]++;
    if (im->opts->rejects == NULL || im->rej_rc != 0)
        return;
    if (column == NULL)
        column = pk_code_field(code) ? pk_code_field(code) : "";
    size_t len = strlen(column) + 1;
    for (int i = 0; i < C__COUNT; i++)
        len += (f != NULL && f[i] != NULL ? strlen(f[i]) : 0) + 1;
    srec *h;
    if ((im->rej_rc = pk_jr_stage_room(&im->rej, len, &h)) != 0)
        return;
    *h = (srec){.at = code, .line = line, .len = (uint32_t)len};
    char *p = (char *)(h + 1);
    size_t n = strlen(column) + 1;
    memcpy(p, column, n);
    p += n;
    for (int i = 0; i < C__COUNT; i++) {
        const char *x = f != NULL && f[i] != NULL ? f[i] : "";
        n = strlen(x) + 1;
        memcpy(p, x, n);
        p += n;
    }
}

/* The rejects file: its header, then the rejected rows in line order --
 * line, codes, the column at fault, the row's fields in the spec's order
 * (the CSV output of the participants import). */
static int write_rejects(eimporter *im)
{
    FILE *out = im->opts->rejects;
    fputs("baris,alasan,kolom", out);
    for (int c = 0; c < C__COUNT; c++)
        fprintf(out, ",%s", colnames[c]);
    fputc('\n', out);
    run *runs;
    size_t nruns;
    merge m = {0};
    int rc = im->rej_rc != 0 ? im->rej_rc : pk_jr_finish(&im->rej);
    pk_jr_take_runs(&im->rej, &runs, &nruns);
    if (rc == 0)
        rc = pk_jr_merge_start(&m, BY_LINE, runs, nruns);
    for (run *r; rc == 0 && (r = pk_jr_merge_top(&m)) != NULL;) {
        const char *column = r->data, *f = column + strlen(column) + 1;
        fprintf(out, "%llu,", (unsigned long long)r->h.line);
        pk_reg_csv_codes(out, PK_CODEBIT((pk_code)r->h.at));
        fputc(',', out);
        pk_reg_csv_field(out, column, false);
        /* every field guarded: a rejected row may hold anything anywhere,
         * and the file is read in a spreadsheet */
        for (int i = 0; i < C__COUNT; i++, f += strlen(f) + 1) {
            fputc(',', out);
            pk_reg_csv_field(out, f, true);
        }
        fputc('\n', out);
        rc = pk_jr_merge_pop(&m);
    }
    free(m.heap);
    pk_jr_runs_close(runs, nruns);
    return rc;
}

static int map_header(eimporter *im, const pk_csv_record *rec, char *err, size_t errlen)
{
    bool required[C__COUNT];
    for (int c = 0; c < C__COUNT; c++)
        required[c] = c >= C_REF && c <= C_WAKTU;
    im->ncols = rec->nfields;
    return pk_reg_map_header(rec, colnames, required, C__COUNT, im->col, im->sum, err, errlen);
}

static void event_fields(const char *const *f, pk_event_fields *ef)
{
    *ef = (pk_event_fields){f[C_REF], f[C_PERISTIWA], f[C_WAKTU], f[C_GELOMBANG], f[C_JUMLAH],
                            f[C_KE], f[C_PELATIHAN], f[C_PLATFORM], f[C_REF_ASAL],
                            f[C_KETERANGAN]};
}

/* ---- pass 1: runs sorted by (NIK index, waktu, line) ---------------------- */

static int stage(eimporter *im, const uint8_t *bi, int64_t at, unsigned long line,
                 const char *const *f)
{
    size_t len = 0;
    for (int i = 0; i < C__COUNT; i++)
        len += strlen(f[i]) + 1;
    srec *h;
    int rc = pk_jr_stage_room(&im->st, len, &h);
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
            if (text_column(c))
                f[c] = pk_text_sheet_unguard(f[c], &len);
            if (strlen(f[c]) != len) { /* a NUL inside a field */
                f[c] = "";
            }
        }
        /* the ref's word of the filter (ref_seen) fetched meanwhile */
        uint64_t rh = ref_hash(f[C_REF]);
        __builtin_prefetch(ref_word(im->seen, SEEN_BITS, rh), 1);
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
        uint8_t bi[PK_BLIND_LEN];
        pk_vault_blind(&im->app->vault, "nik", f[C_NIK], bi);
        ref_seen(im, rh);
        wave_seen(im, e.wave);
        if ((rc = stage(im, bi, e.at, rec->line, f)) != 0) {
            snprintf(err, errlen, rc == PK_ENOMEM ? "out of memory"
                                                  : "cannot write a temporary file: %s",
                     strerror(errno));
            return rc;
        }
    }
    if (im->opts->tick != NULL)
        im->opts->tick(im->opts->ctx, sum->read, pk_csv_offset(csv), size);
    if ((rc = pk_jr_flush(&im->st)) != 0)
        snprintf(err, errlen, "cannot write a temporary file: %s", strerror(errno));
    return rc;
}

/* ---- pass 2: each person found once, the rows staged by ref ---------------- */

/* The rows of people not looked up yet: their NIK indexes (distinct, in
 * order) and the rows (headers and fields, in order). */
typedef struct pending {
    pk_buf rows;
    size_t nbi;
    pk_bi bi[FIND_BATCH];
    int64_t ids[FIND_BATCH];
    bool have;                 /* the last person looked up: */
    uint8_t last_bi[PK_BI_LEN];
    int64_t last_pid;
} pending;

/* The bytes a row of len bytes of fields takes, header included, aligned. */
static size_t padded(size_t len)
{
    return (sizeof(srec) + len + 7) & ~(size_t)7;
}

/* Stages a row of participant pid (0: unknown, rejected), and its ref
 * with the row's key. */
static int resolved(eimporter *im, const srec *h, const char *data, int64_t pid)
{
    if (pid == 0) {
        const char *f[C__COUNT];
        fields_of(data, f);
        reject(im, (unsigned long)h->line, PK_C_PESERTA_TIDAK_DIKENAL, "nik", f);
        return 0;
    }
    srec *to;
    int rc = pk_jr_stage_room(&im->st, h->len, &to);
    if (rc != 0)
        return rc;
    *to = *h;
    to->pid = pid;
    memcpy(to + 1, data, h->len);
    if (!ref_maybe_twice(im, data)) /* the ref, the first field */
        return 0;
    size_t n = strlen(data) + 1;
    if ((rc = pk_jr_stage_room(&im->refs, n, &to)) != 0)
        return rc;
    *to = *h;
    to->pid = pid;
    to->len = (uint32_t)n;
    memcpy(to + 1, data, n);
    return 0;
}

/* Looks the pending people up at once (inside tx, or a read transaction
 * of its own) and stages their rows. */
static int find_pending(eimporter *im, pk_tx *tx, pending *pd)
{
    if (pd->nbi == 0)
        return 0;
    pk_tx *own = NULL;
    int rc = tx == NULL ? pk_store_begin(im->app->store, &own) : 0;
    if (rc == 0)
        rc = pk_tx_participant_ids(tx ? tx : own, pd->nbi, (const pk_bi *)pd->bi, pd->ids);
    pk_tx_rollback(own); /* read only */
    size_t k = 0;
    for (size_t off = 0; rc == 0 && off < pd->rows.len;) {
        const srec *h = (const srec *)((const char *)pd->rows.data + off);
        while (k < pd->nbi && memcmp(pd->bi[k], h->bi, PK_BI_LEN) != 0)
            k++;
        if (k == pd->nbi)
            return PK_EIO;
        rc = resolved(im, h, (const char *)(h + 1), pd->ids[k]);
        off += padded(h->len);
    }
    if (rc == 0) {
        memcpy(pd->last_bi, pd->bi[pd->nbi - 1], PK_BI_LEN);
        pd->last_pid = pd->ids[pd->nbi - 1];
        pd->have = true;
    }
    pd->nbi = 0;
    pk_buf_reset(&pd->rows);
    return rc;
}

/* tx: the bulk load's transaction, or NULL (a read transaction per look-up). */
static int resolve(eimporter *im, pk_tx *tx, char *err, size_t errlen)
{
    run *old;
    size_t nold;
    pk_jr_take_runs(&im->st, &old, &nold);
    im->st.order = BY_PID;
    merge m = {0};
    pending *pd = calloc(1, sizeof(*pd));
    if (pd != NULL)
        pk_buf_init(&pd->rows, PENDING_BYTES + PK_REG_MAX_RECORD + sizeof(srec));
    int rc = pd == NULL ? PK_ENOMEM : pk_jr_stager_init(&im->refs, BY_REF, REFS_BYTES);
    if (rc == 0)
        rc = pk_jr_merge_start(&m, BY_NIK, old, nold);
    for (run *r; rc == 0 && (r = pk_jr_merge_top(&m)) != NULL;) {
        if (pd->nbi == 0 && pd->have && memcmp(pd->last_bi, r->h.bi, PK_BI_LEN) == 0) {
            rc = resolved(im, &r->h, r->data, pd->last_pid); /* found in the last look-up */
        } else {
            if (pd->nbi == 0 || memcmp(pd->bi[pd->nbi - 1], r->h.bi, PK_BI_LEN) != 0) {
                if (pd->nbi == FIND_BATCH && (rc = find_pending(im, tx, pd)) != 0)
                    break;
                memcpy(pd->bi[pd->nbi++], r->h.bi, PK_BI_LEN);
            }
            static const char zero[8];
            if (pk_buf_add(&pd->rows, &r->h, sizeof(r->h)) != 0 ||
                pk_buf_add(&pd->rows, r->data, r->h.len) != 0 ||
                pk_buf_add(&pd->rows, zero, padded(r->h.len) - sizeof(r->h) - r->h.len) != 0) {
                rc = PK_ENOMEM;
                break;
            }
            if (pd->rows.len >= PENDING_BYTES)
                rc = find_pending(im, tx, pd);
        }
        if (rc == 0)
            rc = pk_jr_merge_pop(&m);
    }
    if (rc == 0)
        rc = find_pending(im, tx, pd);
    /* the rows' arena freed too: pass 3 stages keys only, pass 4 none */
    if (rc == 0 && (rc = pk_jr_finish(&im->st)) == 0)
        rc = pk_jr_finish(&im->refs);
    if (rc != 0)
        snprintf(err, errlen, rc == PK_ENOMEM ? "out of memory"
                              : rc == PK_EIO  ? "database or temporary file error"
                                              : "database error (%d)", rc);
    if (pd != NULL)
        pk_buf_free(&pd->rows);
    free(pd);
    free(m.heap);
    pk_jr_runs_close(old, nold);
    return rc;
}

/* ---- pass 3: repeated refs found, their rows staged by participant -------- */

static int dedup(eimporter *im, char *err, size_t errlen)
{
    run *old;
    size_t nold;
    pk_jr_take_runs(&im->refs, &old, &nold);
    merge m = {0};
    char *prev = malloc(PK_REG_MAX_RECORD + 1);
    bool have = false;
    int rc = prev == NULL ? PK_ENOMEM : pk_jr_stager_init(&im->dups, BY_PID, DUPS_BYTES);
    if (rc == 0)
        rc = pk_jr_merge_start(&m, BY_REF, old, nold);
    for (run *r; rc == 0 && (r = pk_jr_merge_top(&m)) != NULL;) {
        size_t len = strlen(r->data);
        if (have && strcmp(prev, r->data) == 0) {
            /* a later row of a ref: the first one is the event; its key
             * (the row's pid, waktu and line), for pass 4 to skip it */
            im->sum->duplicates++;
            srec *h;
            if ((rc = pk_jr_stage_room(&im->dups, 1, &h)) != 0)
                break;
            *h = r->h;
            h->len = 1;
            *(char *)(h + 1) = '\0';
        } else if (len > PK_REG_MAX_RECORD) {
            rc = PK_EIO; /* pass 1 allows no such ref */
            break;
        } else {
            memcpy(prev, r->data, len + 1);
            have = true;
        }
        rc = pk_jr_merge_pop(&m);
    }
    if (rc == 0)
        rc = pk_jr_finish(&im->dups);
    if (rc != 0)
        snprintf(err, errlen, rc == PK_ENOMEM ? "out of memory" : "temporary file error");
    free(prev);
    free(m.heap);
    pk_jr_runs_close(old, nold);
    return rc;
}

/* ---- pass 4: each person's rows appended ---------------------------------- */

/* Rows handed to pk_journey_append_many at once: the rows of many people
 * (a statement per step for all of them), at most GROUP_MAX of one. */
typedef struct ebatch {
    size_t n, ng;
    pk_event ev[BATCH_ROWS];
    pk_append_result res[BATCH_ROWS];
    unsigned long line[BATCH_ROWS];
    size_t off[BATCH_ROWS];  /* the row's fields in data */
    pk_append_group g[BATCH_ROWS];
    pk_buf data;
    bool cont;               /* its first group goes on with the last batch's person */
    pk_judged *judged;       /* judged by the feeder (pass4), or empty */
    bool is_judged;
} ebatch;

/* Appends the batch's rows to their people's journeys inside tx (bulk: a
 * bulk load's, no stored ref looked up). */
static int flush_batch(eimporter *im, pk_tx *tx, bool bulk, ebatch *b, long *in_tx)
{
    if (b->n == 0)
        return 0;
    const char *f[C__COUNT];
    /* A local file joins this deployment's waves and buys with its
     * balances: their rules apply (selection.md, the deadlines); the
     * programme office's events are its own programme's. */
    int rc = b->is_judged ? pk_journey_write_judged(tx, b->judged)
                          : pk_journey_append_many(tx, b->g, b->ng,
                                                   im->source == PK_SRC_LOKAL ? pk_wave_lokal_rule
                                                                              : NULL,
                                                   (void *)im->app, !bulk);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < b->n; i++) {
        im->sum->made_inert += b->res[i].made_inert;
        im->sum->kept += b->res[i].kept;
        im->sum->differ += b->res[i].differs;
        if (b->res[i].verdict == PK_APPEND_INSERTED) {
            im->sum->inserted++;
        } else if (b->res[i].verdict == PK_APPEND_DUPLICATE) {
            im->sum->duplicates++;
        } else {
            fields_of((const char *)b->data.data + b->off[i], f);
            /* kolom_tidak_valid from the journey: a local file's lolos,
             * tidak_lolos or dicabut (pk_wave_lokal_rule), else a sum past
             * 64 bits (core/journey.c) */
            const char *col = NULL;
            if (b->res[i].why == PK_C_KOLOM_TIDAK_VALID)
                col = pk_wave_lokal_only_ours(b->ev[i].type) ? "peristiwa" : "jumlah";
            reject(im, b->line[i], b->res[i].why, col, f);
        }
    }
    *in_tx += (long)b->n;
    b->n = b->ng = 0;
    b->cont = b->is_judged = false;
    pk_buf_reset(&b->data);
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

/* Pass 4 runs on two threads: a feeder merges the rows (and the
 * duplicates, which it skips) and parses them into batches, the caller
 * appends each batch and commits.  Two batches go round: the feeder fills
 * one while the caller writes the other (the second core; the writes are
 * most of the pass).  In a bulk load of the office's file, whose people
 * have no stored event, the feeder judges the batch too
 * (pk_journey_judge_unstored, the waves' terms read in the transaction
 * beforehand) and the caller only writes it; not a batch whose first
 * person goes on from the batch before (more than GROUP_MAX rows: their
 * first rows are stored by then), which the caller appends whole.  A
 * batch handed over says whether the rows after it are another person's
 * (a transaction may end there) and whether it is the last. */
typedef struct feed {
    eimporter *im;
    const pk_wave_table *waves; /* the feeder judges (see above); or NULL */
    merge m, md;
    ebatch *b[2];
    bool full[2];      /* handed to the caller, not yet given back */
    bool boundary[2];  /* the next row is another person's (or none) */
    bool last[2];      /* no batch after it */
    int rc;            /* the feeder's error, with the last batch */
    bool stop;         /* the caller's: no more batches wanted */
    pthread_mutex_t mu;
    pthread_cond_t cv;
} feed;

/* The feeder hands batch i over (and waits for the other to be free):
 * false when the caller wants no more. */
static bool feed_hand(feed *fd, int i, bool boundary, bool last)
{
    pthread_mutex_lock(&fd->mu);
    fd->full[i] = true;
    fd->boundary[i] = boundary;
    fd->last[i] = last;
    pthread_cond_broadcast(&fd->cv);
    while (!last && fd->full[i ^ 1] && !fd->stop)
        pthread_cond_wait(&fd->cv, &fd->mu);
    bool go = !fd->stop;
    pthread_mutex_unlock(&fd->mu);
    return go;
}

/* The feeder judges a full batch, when it may (see above). */
static int feed_judge(feed *fd, ebatch *b)
{
    if (fd->waves == NULL || b->cont || b->ng == 0)
        return 0;
    int rc = pk_journey_judge_unstored(b->g, b->ng, pk_wave_table_purchase_by,
                                       (void *)fd->waves, b->judged);
    b->is_judged = rc == 0;
    return rc;
}

static void *feeder_main(void *arg)
{
    feed *fd = arg;
    int i = 0, rc = 0;
    ebatch *b = fd->b[0];
    for (run *r; rc == 0 && (r = pk_jr_merge_top(&fd->m)) != NULL;) {
        /* a row that repeats a ref (pass 3): counted, skipped */
        run *d = pk_jr_merge_top(&fd->md);
        while (d != NULL && pk_jr_srec_cmp(BY_PID, &d->h, d->data, &r->h, r->data) < 0 &&
               (rc = pk_jr_merge_pop(&fd->md)) == 0)
            d = pk_jr_merge_top(&fd->md);
        if (rc == 0 && d != NULL && d->h.line == r->h.line) {
            if ((rc = pk_jr_merge_pop(&fd->md)) == 0)
                rc = pk_jr_merge_pop(&fd->m);
            continue;
        }
        if (rc != 0)
            break;
        pk_append_group *last = b->ng > 0 ? &b->g[b->ng - 1] : NULL;
        bool same = last != NULL && last->participant_id == r->h.pid;
        /* full, or a person's rows at GROUP_MAX; or, near full, the next
         * person starts: most batches end between two people, where the
         * caller may commit (a person's rows in one transaction, when they
         * fit; a batch cut only when full seldom ended there) */
        if (b->n == BATCH_ROWS || (same && last->n == GROUP_MAX) ||
            (!same && b->n >= BATCH_ROWS - GROUP_MAX)) {
            if ((rc = feed_judge(fd, b)) != 0)
                break;
            if (!feed_hand(fd, i, !same, false))
                return NULL;
            i ^= 1;
            b = fd->b[i];
            b->cont = same;
            same = false;
        }
        /* the row into the batch */
        const char *f[C__COUNT];
        fields_of(r->data, f);
        pk_event_fields ef;
        event_fields(f, &ef);
        const char *bad = NULL;
        pk_event *e = &b->ev[b->n];
        if (pk_event_parse(&ef, e, &bad) != 0) { /* checked in pass 1 */
            rc = PK_EIO;
            break;
        }
        e->source = fd->im->source;
        e->seq = (int64_t)r->h.line;
        if (!same)
            b->g[b->ng++] = (pk_append_group){r->h.pid, e, 0, &b->res[b->n]};
        b->g[b->ng - 1].n++;
        b->line[b->n] = (unsigned long)r->h.line;
        b->off[b->n] = b->data.len;
        if (pk_buf_add(&b->data, r->data, r->h.len) != 0) {
            rc = PK_ENOMEM;
            break;
        }
        b->n++;
        rc = pk_jr_merge_pop(&fd->m);
    }
    if (rc == 0)
        rc = feed_judge(fd, b);
    pthread_mutex_lock(&fd->mu);
    fd->rc = rc;
    pthread_mutex_unlock(&fd->mu);
    feed_hand(fd, i, true, true);
    return NULL;
}

/* tx: the bulk load's transaction (bulk), or NULL; waves: the feeder
 * judges (see feed), or NULL. */
static int pass4(eimporter *im, pk_tx *tx, bool bulk, const pk_wave_table *waves, char *err,
                 size_t errlen)
{
    feed *fd = calloc(1, sizeof(*fd));
    int rc = fd == NULL ? PK_ENOMEM : 0;
    bool started = false;
    if (rc == 0) {
        fd->im = im;
        fd->waves = waves;
        pthread_mutex_init(&fd->mu, NULL);
        pthread_cond_init(&fd->cv, NULL);
        for (int i = 0; i < 2 && rc == 0; i++) {
            if ((fd->b[i] = calloc(1, sizeof(ebatch))) == NULL ||
                (waves != NULL && (fd->b[i]->judged = pk_judged_new()) == NULL))
                rc = PK_ENOMEM;
            else
                pk_buf_init(&fd->b[i]->data, (size_t)BATCH_ROWS * PK_REG_MAX_RECORD);
        }
    }
    if (rc == 0)
        rc = pk_jr_merge_start(&fd->m, BY_PID, im->st.runs, im->st.nruns);
    if (rc == 0)
        rc = pk_jr_merge_start(&fd->md, BY_PID, im->dups.runs, im->dups.nruns);
    pthread_t feeder;
    int thread_err = 0;
    if (rc == 0) {
        started = (thread_err = pthread_create(&feeder, NULL, feeder_main, fd)) == 0;
        if (!started)
            rc = PK_EBUSY;
    }
    long in_tx = 0, inserted_before = 0, tx_rows = TX_FIRST;
    for (int i = 0; rc == 0; i ^= 1) {
        pthread_mutex_lock(&fd->mu);
        while (!fd->full[i])
            pthread_cond_wait(&fd->cv, &fd->mu);
        bool boundary = fd->boundary[i], last = fd->last[i];
        rc = last ? fd->rc : 0;
        pthread_mutex_unlock(&fd->mu);
        ebatch *b = fd->b[i];
        if (rc == 0 && b->n > 0 && tx == NULL)
            rc = pk_store_begin(im->app->store, &tx);
        if (rc == 0)
            rc = flush_batch(im, tx, bulk, b, &in_tx);
        if (rc == 0 && !last && boundary && !bulk && in_tx >= tx_rows) {
            rc = commit(im, &tx, &in_tx, &inserted_before);
            if (tx_rows < TX_MAX)
                tx_rows *= 2;
        }
        pthread_mutex_lock(&fd->mu);
        fd->full[i] = false;
        pthread_cond_broadcast(&fd->cv);
        pthread_mutex_unlock(&fd->mu);
        if (last)
            break;
    }
    if (started) {
        pthread_mutex_lock(&fd->mu);
        fd->stop = true; /* after an error: the feeder stops at its next batch */
        pthread_cond_broadcast(&fd->cv);
        pthread_mutex_unlock(&fd->mu);
        pthread_join(feeder, NULL);
    }
    if (rc == 0 && bulk)
        rc = pk_tx_events_bulk_end(tx);
    if (rc == 0 && tx != NULL)
        rc = commit(im, &tx, &in_tx, &inserted_before);
    pk_tx_rollback(tx);
    if (thread_err != 0)
        snprintf(err, errlen, "cannot start a thread: %s", strerror(thread_err));
    else if (rc != 0)
        snprintf(err, errlen, rc == PK_ENOMEM ? "out of memory"
                              : rc == PK_EIO  ? "database or temporary file error"
                                              : "database error (%d)", rc);
    if (fd != NULL) {
        for (int i = 0; i < 2; i++) {
            if (fd->b[i] != NULL) {
                pk_buf_free(&fd->b[i]->data);
                pk_judged_free(fd->b[i]->judged);
            }
            free(fd->b[i]);
        }
        free(fd->m.heap);
        free(fd->md.heap);
        pthread_mutex_destroy(&fd->mu);
        pthread_cond_destroy(&fd->cv);
    }
    free(fd);
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
    int rc = pk_jr_stager_init(&im.st, BY_NIK, ARENA_BYTES), r;
    im.seen = calloc(SEEN_BITS / 64, sizeof(uint64_t));
    im.twice = calloc(TWICE_BITS / 64, sizeof(uint64_t));
    unsigned long long size = 0;
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        size = (unsigned long long)st.st_size;
    im.size = size;
    pk_tx *tx = NULL;
    bool bulk = false;
    pk_wave_table waves = {0}, *judge = NULL;
    if (csv == NULL || rec == NULL || rc != 0 || im.seen == NULL || im.twice == NULL) {
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
    if (opts->rejects != NULL && (rc = pk_jr_stager_init(&im.rej, BY_LINE, REJECTS_BYTES)) != 0) {
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    if ((rc = pass1(&im, csv, rec, size, err, errlen)) != 0)
        goto out;
    free(im.seen); /* pass 2 asks the second filter only */
    im.seen = NULL;
    /* A bulk load is one transaction from the look-ups on: its writer's
     * small cache serves them (they go in index order) */
    if (im.st.nruns > 0 && size >= (unsigned long long)app->cfg.import_bulk_mb << 20) {
        if ((rc = pk_store_begin(app->store, &tx)) == 0 &&
            (rc = pk_tx_events_bulk_begin(tx, &bulk)) == 0 && !bulk) {
            pk_tx_rollback(tx);
            tx = NULL;
        }
        if (rc != 0) {
            snprintf(err, errlen, "database error (%d)", rc);
            goto out;
        }
    }
    if ((rc = resolve(&im, tx, err, errlen)) != 0)
        goto out;
    free(im.twice); /* pass 2 was the last to ask it */
    im.twice = NULL;
    if ((rc = dedup(&im, err, errlen)) != 0)
        goto out;
    /* The feeder judges a bulk load of the office's file: the terms of
     * the waves its rows name, read in the transaction (the fold asks
     * them of a selection's wave), are all it reads */
    if (bulk && source == PK_SRC_PMO && !im.waves_over) {
        pk_wave_table_init(&waves, app);
        for (size_t i = 0; rc == 0 && i < 2 * WAVES_MAX; i++) {
            pk_wave w;
            int got = im.waves[i] == 0 ? PK_ENOENT : pk_tx_wave_peek(tx, im.waves[i], &w);
            if (got == 0)
                rc = pk_wave_table_add(&waves, &w);
            else if (got != PK_ENOENT)
                rc = got;
        }
        if (rc != 0) {
            snprintf(err, errlen, "database error (%d)", rc);
            goto out;
        }
        judge = &waves;
    }
    rc = pass4(&im, tx, bulk, judge, err, errlen);
    tx = NULL; /* pass4 ended it */
out:
    pk_tx_rollback(tx);
    /* the rows rejected so far, whatever stopped the import */
    if (opts->rejects != NULL && im.rej.arena != NULL && (r = write_rejects(&im)) != 0 &&
        rc == 0) {
        rc = r;
        snprintf(err, errlen, "cannot write the rejects file: %s",
                 r == PK_ENOMEM ? "out of memory" : "temporary file error");
    }
    pk_wave_table_free(&waves);
    pk_jr_stager_free(&im.st);
    pk_jr_stager_free(&im.refs);
    pk_jr_stager_free(&im.dups);
    pk_jr_stager_free(&im.rej);
    free(im.seen);
    free(im.twice);
    free(rec);
    pk_csv_free(csv);
    return rc;
}
