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
 * waktu, line).  The fourth (journey_import_feed.c)
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
#include "app/journey_import_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "app/journey.h"
#include "app/journey_runs.h"
#include "app/registry_int.h"
#include "app/wave_terms.h"
#include "core/csv.h"
#include "core/hash.h"
#include "core/ident.h"
#include "core/nik.h"

#define ARENA_BYTES ((size_t)8 << 20)  /* the rows' arena: a run is half (journey_runs.h) */
#define TICK_ROWS 256
#define NOTE_ROWS 100000  /* a file this long is told what each pass does */

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
#define REFS_BYTES ((size_t)4 << 20)   /* the refs', likewise */
#define DUPS_BYTES ((size_t)1 << 20)   /* the duplicates', likewise */
#define REJECTS_BYTES ((size_t)1 << 20) /* the rejected rows', likewise (with --rejects) */
#define FIND_BATCH 1024                /* people looked up at once (one statement on PostgreSQL) */
#define PENDING_BYTES ((size_t)1 << 20) /* their rows held meanwhile, at most (about) */


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

void pk_ji_fields_of(const char *data, const char *f[C__COUNT])
{
    for (int i = 0; i < C__COUNT; i++) {
        f[i] = data;
        data += strlen(data) + 1;
    }
}

/* A rejected row: counted, and (with --rejects) staged by its line, its
 * code in the header's `at`, then the column at fault and the row's
 * fields in the spec's order (all empty for a row that is not one). */
void pk_ji_reject(eimporter *im, unsigned long line, pk_code code, const char *column,
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
    /* the rows staged before a failure to stage one are written too */
    int rc = pk_jr_finish(&im->rej);
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
    return im->rej_rc != 0 ? im->rej_rc : rc;
}

static int map_header(eimporter *im, const pk_csv_record *rec, char *err, size_t errlen)
{
    bool required[C__COUNT];
    for (int c = 0; c < C__COUNT; c++)
        required[c] = c >= C_REF && c <= C_WAKTU;
    im->ncols = rec->nfields;
    return pk_reg_map_header(rec, colnames, required, C__COUNT, im->col, im->sum, err, errlen);
}

void pk_ji_event_fields(const char *const *f, pk_event_fields *ef)
{
    *ef = (pk_event_fields){f[C_REF], f[C_PERISTIWA], f[C_WAKTU], f[C_GELOMBANG], f[C_JUMLAH],
                            f[C_KE], f[C_PELATIHAN], f[C_PLATFORM], f[C_REF_ASAL],
                            f[C_KETERANGAN]};
}

/* ---- pass 1: runs sorted by (NIK index, waktu, line) ---------------------- */

/* Stages a row under its key: its fields f (of flen bytes each). */
static int stage(eimporter *im, const uint8_t *bi, int64_t at, int32_t us, unsigned long line,
                 const char *const *f, const size_t *flen)
{
    size_t len = 0;
    for (int i = 0; i < C__COUNT; i++)
        len += flen[i] + 1;
    srec *h;
    int rc = pk_jr_stage_room(&im->st, len, &h);
    if (rc != 0)
        return rc;
    h->pid = 0;
    memcpy(h->bi, bi, PK_BI_LEN);
    h->at = at;
    h->us = (uint32_t)us;
    h->line = line;
    h->len = (uint32_t)len;
    char *p = (char *)(h + 1);
    for (int i = 0; i < C__COUNT; i++) {
        memcpy(p, f[i], flen[i] + 1);
        p += flen[i] + 1;
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
            pk_ji_reject(im, rec->line, PK_C_BARIS_RUSAK, "", NULL);
            continue;
        }
        const char *f[C__COUNT];
        size_t flen[C__COUNT];
        for (int c = 0; c < C__COUNT; c++) {
            size_t len = im->col[c] >= 0 ? rec->len[im->col[c]] : 0;
            f[c] = im->col[c] >= 0 ? rec->field[im->col[c]] : "";
            if (text_column(c))
                f[c] = pk_text_sheet_unguard(f[c], &len);
            if (memchr(f[c], '\0', len) != NULL) { /* a NUL inside a field */
                f[c] = "";
                len = 0;
            }
            flen[c] = len;
        }
        /* the ref's word of the filter (ref_seen) fetched meanwhile */
        uint64_t rh = ref_hash(f[C_REF]);
        __builtin_prefetch(ref_word(im->seen, SEEN_BITS, rh), 1);
        pk_event e;
        pk_event_fields ef;
        const char *bad = NULL;
        pk_ji_event_fields(f, &ef);
        pk_nik_info ni;
        if (pk_nik_check(f[C_NIK], flen[C_NIK], im->app->regions, today, &ni) != 0) {
            pk_ji_reject(im, rec->line, PK_C_KOLOM_TIDAK_VALID, "nik", f);
            continue;
        }
        if (pk_event_parse(&ef, &e, &bad) != 0) {
            pk_ji_reject(im, rec->line, PK_C_KOLOM_TIDAK_VALID, bad, f);
            continue;
        }
        uint8_t bi[PK_BLIND_LEN];
        pk_vault_blind(&im->app->vault, "nik", f[C_NIK], bi);
        ref_seen(im, rh);
        wave_seen(im, e.wave);
        if ((rc = stage(im, bi, e.at, (int32_t)(e.seq >> PK_EVENT_SEQ_US_SHIFT), rec->line, f,
                        flen)) != 0) {
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
        pk_ji_fields_of(data, f);
        pk_ji_reject(im, (unsigned long)h->line, PK_C_PESERTA_TIDAK_DIKENAL, "nik", f);
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

int pk_journey_import(const pk_app *app, int fd, pk_event_source source,
                      const pk_import_opts *opts, pk_import_summary *sum, char *err,
                      size_t errlen)
{
    /* the stagers not initialised yet hold no file (pk_jr_stager_free) */
    eimporter im = {.app = app, .opts = opts, .source = source, .sum = sum,
                    .st = {.fd = -1}, .refs = {.fd = -1}, .dups = {.fd = -1},
                    .rej = {.fd = -1}};
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
    if (bulk)
        pk_logf(opts->note, opts->ctx, "no journey event stored yet: loading in bulk, one "
                                       "transaction, indexes built at the end");
    /* what the passes after the reading do, where they take a while */
    pk_log_fn pass_note = sum->read >= NOTE_ROWS ? opts->note : NULL;
    pk_logf(pass_note, opts->ctx, "finding the people of %ld rows", sum->read - sum->rejected);
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
    pk_logf(pass_note, opts->ctx, "applying %ld rows to the journeys of their people",
            sum->read - sum->rejected - sum->duplicates);
    rc = pk_ji_pass4(&im, tx, bulk, judge, err, errlen);
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
