/* registry_import.c -- the import of an exchange file (registry.h,
 * participants-csv.md "Import semantics"), in constant memory.
 *
 * A reader thread parses, validates, computes blind indexes and seals
 * (no database) into batches of UNIT records, ahead of the writer (the
 * calling thread), which saves them (pk_reg_save_redo, registry.c) in
 * transactions that start small and double up to a cap.  A NIK repeated
 * inside a batch ends the batch, so a later row replaces an earlier one.
 * A large file into an empty registry is a bulk load (start_bulk,
 * end_bulk): one transaction with the indexes built at its end, repeats
 * of a NIK folded into its first row (fold_repeats), and the families
 * spread over several batches revisited (registry_family.c). */
#include "app/registry_int.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "core/csv.h"
#include "core/ident.h"
#include "core/pk.h"

#define UNIT 2048 /* records per batch */
#define TICK_ROWS 256 /* rows between two calls of pk_import_opts.tick */

/* Rows per import transaction: the first, and the cap (see write_batches). */
#define TX_FIRST 5000
#define TX_MAX 160000

/* ---- reading ----------------------------------------------------------- */

ssize_t pk_reg_read_fd(void *ctx, char *buf, size_t cap)
{
    int fd = *(int *)ctx;
    ssize_t n;
    do
        n = read(fd, buf, cap);
    while (n < 0 && errno == EINTR);
    return n;
}

typedef struct importer {
    const pk_app *app;
    const pk_import_opts *opts;
    pk_import_summary *sum;
    int col[PK_F__COUNT];     /* field -> column index, -1 when absent */
    size_t ncols;
    pk_csv *csv;
    pk_csv_record *rec;
    unsigned long long size; /* of the file, for tick (0: not a regular file) */
    /* The reader thread parses, validates and seals into batches; the
     * writer (the calling thread) saves them.  Three batches go round:
     * one filling, one waiting, one writing. */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    batch *idle, *full, **full_tail;
    bool stop;                /* the writer failed: the reader stops */
    int read_rc;              /* the reader's error, with read_err */
    char read_err[128];
    /* A bulk load (see start_bulk) and the reader's filter of the KKs
     * of earlier batches (it frees it at its end). */
    bool bulk;
    uint64_t *seen_kk;
} importer;

/* After a row is batched: whether its KK came in an earlier batch.  A
 * batch's KKs join the filter (pk_reg_seen) when the batch is handed
 * over, so a family within one batch is not marked. */
static void seen_row(importer *im, batch *b)
{
    prepared *r = &b->rows[b->n - 1];
    if (im->seen_kk != NULL)
        r->kk_before = pk_reg_seen(im->seen_kk, r->kk_bi, false);
}

static void seen_batch(importer *im, const batch *b)
{
    for (size_t i = 0; im->seen_kk != NULL && i < b->n; i++)
        pk_reg_seen(im->seen_kk, b->rows[i].kk_bi, true);
}

/* Whether column i of the file is a free-text field (name, address). */
static bool free_text_column(const importer *im, size_t i)
{
    return (im->col[PK_F_NAMA] >= 0 && (size_t)im->col[PK_F_NAMA] == i) ||
           (im->col[PK_F_ALAMAT] >= 0 && (size_t)im->col[PK_F_ALAMAT] == i);
}

static void reject(importer *im, const pk_csv_record *rec, unsigned long line, pk_codeset codes)
{
    im->sum->rejected++;
    for (pk_code c = 0; c < PK_C__COUNT; c++)
        if (codes & PK_CODEBIT(c))
            im->sum->reasons[c]++;
    FILE *f = im->opts->rejects;
    if (f == NULL)
        return;
    fprintf(f, "%lu,", line);
    pk_reg_csv_codes(f, codes);
    for (size_t i = 0; rec != NULL && i < rec->nfields; i++) {
        fputc(',', f);
        pk_reg_csv_field(f, rec->field[i], free_text_column(im, i));
    }
    fputc('\n', f);
}

/* What the import is doing besides reading rows: to pk_import_opts.note. */
static void note(const importer *im, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(const importer *im, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pk_vlogf(im->opts->note, im->opts->ctx, fmt, ap);
    va_end(ap);
}

/* Could this header cell be a column's name?  Only such names are said
 * back (on stderr): a file whose first line is a row, or whose lines end
 * in a lone CR, would otherwise echo a NIK or a name. */
static bool looks_like_a_name(const char *t, size_t len)
{
    if (len == 0 || len > 32)
        return false;
    size_t digits = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)t[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '-' || ch == ' ' || ch == '.'))
            return false;
        digits = ch >= '0' && ch <= '9' ? digits + 1 : 0;
        if (digits >= 4)
            return false;
    }
    return true;
}

int pk_reg_map_header(const pk_csv_record *rec, const char *const *names, const bool *required,
                      int n, int *col, pk_import_summary *sum, char *err, size_t errlen)
{
    if (rec->nfields == 1 && memchr(rec->field[0], ';', rec->len[0]) != NULL) {
        snprintf(err, errlen,
                 "kolom_wajib_hilang: the header is separated by ';', not ',' (a spreadsheet "
                 "saved it with ';' as its list separator?): save the file as CSV with commas");
        return PK_EINVAL;
    }
    for (size_t i = 0; i < rec->nfields; i++)
        if (memchr(rec->field[i], '\r', rec->len[i]) != NULL) {
            snprintf(err, errlen, "kolom_wajib_hilang: the lines end with CR alone (an old Mac "
                                  "text format): save the file with LF or CRLF line endings");
            return PK_EINVAL;
        }
    for (int k = 0; k < n; k++)
        col[k] = -1;
    char unknown[sizeof(sum->unknown_columns)] = "";
    size_t ul = 0, known = 0, unnamed = 0;
    for (size_t i = 0; i < rec->nfields; i++) {
        size_t len = rec->len[i];
        const char *name = rec->field[i];
        if (i == 0 && len >= 3 && memcmp(name, "\xEF\xBB\xBF", 3) == 0)
            name += 3, len -= 3; /* a BOM the reader left */
        const char *t = pk_trim(name, &len); /* spreadsheets pad header cells */
        int k = 0;
        while (k < n && !(strlen(names[k]) == len && strncasecmp(names[k], t, len) == 0))
            k++;
        if (k == n) {
            if (!looks_like_a_name(t, len))
                unnamed++;
            else if (sizeof(unknown) - ul > len + 2)
                ul += (size_t)snprintf(unknown + ul, sizeof(unknown) - ul, "%s%.*s",
                                       ul ? "," : "", (int)len, t);
            continue;
        }
        if (col[k] != -1) {
            snprintf(err, errlen, "kolom_wajib_hilang: column '%s' appears twice in the header",
                     names[k]);
            return PK_EINVAL;
        }
        col[k] = (int)i;
        known++;
    }
    if (known == 0) { /* nothing of it said back: it may be a row */
        snprintf(err, errlen, "kolom_wajib_hilang: the first line is not a header (none of its "
                              "%zu cells is a column's name): the file must begin with the "
                              "header line",
                 rec->nfields);
        return PK_EINVAL;
    }
    if (sum != NULL) {
        if (unnamed > 0 && sizeof(unknown) - ul > 48)
            snprintf(unknown + ul, sizeof(unknown) - ul, "%s%zu cell%s not shown", ul ? " and " : "",
                     unnamed, unnamed == 1 ? "" : "s");
        memcpy(sum->unknown_columns, unknown, sizeof(unknown));
    }
    char missing[256] = "";
    size_t ml = 0;
    for (int k = 0; k < n; k++)
        if (required[k] && col[k] == -1 && ml < sizeof(missing))
            ml += (size_t)snprintf(missing + ml, sizeof(missing) - ml, "%s%s", ml ? ", " : "",
                                   names[k]);
    if (ml > 0) {
        snprintf(err, errlen, "kolom_wajib_hilang: required column(s) missing: %s", missing);
        return PK_EINVAL;
    }
    return 0;
}

static int map_header(importer *im, const pk_csv_record *rec, char *err, size_t errlen)
{
    const char *names[PK_F__COUNT];
    bool required[PK_F__COUNT];
    for (int f = 0; f < PK_F__COUNT; f++) {
        names[f] = pk_field_name((pk_field)f);
        required[f] = pk_field_required((pk_field)f);
    }
    im->ncols = rec->nfields;
    return pk_reg_map_header(rec, names, required, PK_F__COUNT, im->col, im->sum, err, errlen);
}

/* A free batch for the reader; NULL once the writer has stopped. */
static batch *take_idle(importer *im)
{
    pthread_mutex_lock(&im->mu);
    while (im->idle == NULL && !im->stop)
        pthread_cond_wait(&im->cv, &im->mu);
    batch *b = im->stop ? NULL : im->idle;
    if (b != NULL)
        im->idle = b->next;
    pthread_mutex_unlock(&im->mu);
    if (b != NULL)
        pk_reg_batch_reset(b);
    return b;
}

static void put_full(importer *im, batch *b)
{
    pthread_mutex_lock(&im->mu);
    b->next = NULL;
    *im->full_tail = b;
    im->full_tail = &b->next;
    pthread_cond_broadcast(&im->cv);
    pthread_mutex_unlock(&im->mu);
}

static batch *take_full(importer *im)
{
    pthread_mutex_lock(&im->mu);
    while (im->full == NULL)
        pthread_cond_wait(&im->cv, &im->mu);
    batch *b = im->full;
    if ((im->full = b->next) == NULL)
        im->full_tail = &im->full;
    pthread_mutex_unlock(&im->mu);
    return b;
}

static void put_idle(importer *im, batch *b, bool stop)
{
    pthread_mutex_lock(&im->mu);
    b->next = im->idle;
    im->idle = b;
    im->stop |= stop;
    pthread_cond_broadcast(&im->cv);
    pthread_mutex_unlock(&im->mu);
}

/* Validates one record into p; false when rejected. */
static bool validate_row(importer *im, pk_participant *p, const pk_csv_record *rec,
                         pk_codeset *warnings)
{
    const pk_app *app = im->app;
    if (rec->nfields != im->ncols) {
        reject(im, rec, rec->line, PK_CODEBIT(PK_C_BARIS_RUSAK));
        return false;
    }
    pk_participant_input in = {0};
    for (int f = 0; f < PK_F__COUNT; f++)
        if (im->col[f] >= 0) {
            in.len[f] = rec->len[im->col[f]];
            in.v[f] = rec->field[im->col[f]];
            if (pk_reg_free_text((pk_field)f))
                in.v[f] = pk_text_sheet_unguard(in.v[f], &in.len[f]);
        }
    pk_validation v;
    if (pk_app_validate(app, &in, im->opts->as_of, p, &v) != 0) {
        reject(im, rec, rec->line, v.errors);
        return false;
    }
    for (pk_code c = 0; c < PK_C__COUNT; c++)
        if (v.warnings & PK_CODEBIT(c))
            im->sum->warnings[c]++;
    *warnings = v.warnings;
    return true;
}

/* The reader thread: records into batches until the end of the file. */
static void *reader_main(void *arg)
{
    importer *im = arg;
    pk_import_summary *sum = im->sum;
    batch *b = take_idle(im);
    pk_participant *p = malloc(sizeof(*p));
    int r;
    if (p == NULL) {
        im->read_rc = PK_ENOMEM;
        snprintf(im->read_err, sizeof(im->read_err), "out of memory");
    }
    while (b != NULL && p != NULL && (r = pk_csv_next(im->csv, im->rec)) != 0) {
        if (r == PK_EIO) {
            im->read_rc = PK_EIO;
            snprintf(im->read_err, sizeof(im->read_err), "read error: %s", strerror(errno));
            break;
        }
        sum->read++;
        pk_codeset warnings;
        if (b->n == b->cap) {
            seen_batch(im, b);
            put_full(im, b);
            if ((b = take_idle(im)) == NULL)
                break;
        }
        if (r < 0)
            reject(im, NULL, im->rec->line, PK_CODEBIT(PK_C_BARIS_RUSAK));
        else if (validate_row(im, p, im->rec, &warnings)) {
            int rc = pk_reg_batch_add(b, im->app, p, warnings);
            if (rc == 1) { /* the NIK repeats: write this batch first */
                seen_batch(im, b);
                put_full(im, b);
                if ((b = take_idle(im)) == NULL)
                    break;
                rc = pk_reg_batch_add(b, im->app, p, warnings);
            }
            if (rc != 0) {
                im->read_rc = rc;
                snprintf(im->read_err, sizeof(im->read_err), "cannot seal a record");
                break;
            }
            b->line = im->rec->line;
            seen_row(im, b);
        }
        if (im->opts->tick != NULL && sum->read % TICK_ROWS == 0)
            im->opts->tick(im->opts->ctx, sum->read, pk_csv_offset(im->csv), im->size);
    }
    if (im->opts->tick != NULL && b != NULL && p != NULL && im->read_rc == 0)
        im->opts->tick(im->opts->ctx, sum->read, pk_csv_offset(im->csv), im->size);
    if (b != NULL) {
        b->last = true;
        put_full(im, b);
    }
    if (p != NULL)
        sodium_memzero(p, sizeof(*p));
    free(p);
    free(im->seen_kk);
    im->seen_kk = NULL;
    return NULL;
}

/* ---- bulk load --------------------------------------------------------- */

/* A NIK that repeats in a bulk load: each of its rows after the first is
 * folded into the first, as if written row by row: the first keeps its
 * id and takes the later row's fields, counted as updated (audited with
 * the fields that changed) or unchanged, and the later row goes.  So ids
 * have a gap for each repeat.  The families of every row involved are
 * marked for pk_reg_bulk_families.  A page at a time: constant memory. */
static int fold_repeats(importer *im, pk_tx *tx)
{
    enum { PAGE = 1024 };
    pk_repeat *rp = malloc(PAGE * sizeof(*rp)), keep = {0}, prev;
    pk_bi *kk = malloc(PAGE * sizeof(*kk));
    pk_audit_entry *audit = malloc(PAGE * sizeof(*audit));
    char(*detail)[160] = malloc(PAGE * sizeof(*detail));
    int rc = rp && kk && audit && detail ? 0 : PK_ENOMEM;
    long folded = 0;
    size_t n = PAGE;
    while (rc == 0 && n == PAGE) {
        size_t na = 0;
        rc = pk_tx_bulk_repeats(tx, keep.id ? prev.nik_bi : NULL, keep.id ? prev.id : 0, PAGE,
                                rp, &n);
        for (size_t i = 0; rc == 0 && i < n; i++) {
            const pk_repeat *r = &rp[i];
            memcpy(kk[i], r->kk_bi, PK_BI_LEN);
            if (keep.id == 0 || memcmp(r->nik_bi, keep.nik_bi, PK_BI_LEN) != 0) {
                keep = prev = *r; /* the first row of its NIK */
                continue;
            }
            bool changed = memcmp(prev.digest, r->digest, PK_DIGEST_LEN) != 0;
            if ((rc = pk_tx_bulk_fold(tx, keep.id, r->id, changed)) != 0)
                break;
            im->sum->inserted--;
            folded++;
            if (changed) {
                im->sum->updated++;
                pk_reg_changed_fields(detail[na], sizeof(detail[na]), prev.digest, r->digest, NULL,
                               NULL);
                size_t dl = strlen(detail[na]);
                snprintf(detail[na] + dl, sizeof(detail[na]) - dl, " repeat=%lld",
                         (long long)r->id);
                audit[na] = (pk_audit_entry){im->opts->actor, "import", "participant.update",
                                             keep.id, detail[na]};
                na++;
            } else {
                im->sum->unchanged++;
            }
            prev = *r;
        }
        if (rc == 0)
            rc = pk_tx_bulk_mark(tx, n, (const pk_bi *)kk);
        if (rc == 0)
            rc = pk_tx_audit_many(tx, na, audit);
    }
    if (rc == 0)
        note(im, "%ld rows repeated a NIK of an earlier row: each folded into the first row "
                 "of its NIK", folded);
    free(rp);
    free(kk);
    free(audit);
    free(detail);
    return rc;
}

/* Ends a bulk load: the store builds the indexes (after folding repeated
 * NIKs, if any), then the family-card limit is applied again to the
 * families spread over several batches (pk_reg_bulk_families). */
static int end_bulk(importer *im, pk_tx *tx)
{
    im->bulk = false;
    note(im, "building the indexes");
    int rc = pk_tx_bulk_end(tx);
    bool folded = rc == PK_ECONFLICT;
    if (folded && (rc = fold_repeats(im, tx)) == 0)
        rc = pk_tx_bulk_end(tx);
    if (rc != 0)
        return rc;
    return pk_reg_bulk_families(im->app, tx, folded);
}

/* A large file into an empty registry loads in bulk: one transaction,
 * the participant indexes built once at its end (pk_tx_bulk_begin).
 * Killed, it leaves the registry empty, and running it again starts
 * over.  Other writers wait for the whole load meanwhile, so only files
 * of at least import_bulk_mb are loaded this way. */
static int start_bulk(importer *im, int fd, pk_tx **tx)
{
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        st.st_size < (off_t)im->app->cfg.import_bulk_mb * 1024 * 1024)
        return 0;
    int rc = pk_store_begin(im->app->store, tx);
    if (rc == 0)
        rc = pk_tx_bulk_begin(*tx, &im->bulk);
    if (rc == 0 && im->bulk && (im->seen_kk = calloc(1, PK_REG_SEEN_BYTES)) == NULL)
        rc = PK_ENOMEM;
    if (rc == 0 && im->bulk)
        note(im, "the registry is empty: loading in bulk, one transaction, indexes built at "
                 "the end");
    return rc;
}

/* ---- writing ----------------------------------------------------------- */

/* The writer: batches into transactions.  Transactions start small, so a
 * short file commits early and often, and double up to a cap: the NIK and
 * KK indexes are keyed by random hashes, so every commit rewrites pages
 * all over them, and fewer, larger commits write far less.  A killed run
 * loses at most one transaction, and running it again redoes it. */
static int write_batches(importer *im, pk_tx *tx, char *err, size_t errlen)
{
    const pk_app *app = im->app;
    long in_tx = 0, tx_rows = TX_FIRST;
    int rc = 0;
    for (bool last = false; !last;) {
        batch *b = take_full(im);
        last = b->last;
        if (rc == 0 && b->n > 0 && tx == NULL && (rc = pk_store_begin(app->store, &tx)) != 0)
            snprintf(err, errlen, "database error: cannot begin");
        if (rc == 0 && b->n > 0 &&
            (rc = pk_reg_save_redo(app, &tx, b, im->opts->scheme, im->opts->as_of,
                                   im->opts->actor, im->bulk,
                                   &in_tx)) != 0)
            snprintf(err, errlen, "database error near line %lu", b->line);
        if (rc == 0 && im->bulk && (rc = pk_reg_mark_families(tx, b)) != 0)
            snprintf(err, errlen, "database error near line %lu", b->line);
        for (size_t i = 0; rc == 0 && i < b->n; i++) {
            pk_saved o = b->res[i].outcome;
            long *n = o == PK_SAVED_INSERTED  ? &im->sum->inserted
                      : o == PK_SAVED_UPDATED ? &im->sum->updated
                                              : &im->sum->unchanged;
            (*n)++;
        }
        in_tx += (long)b->n;
        if (rc == 0 && im->bulk && last && (rc = end_bulk(im, tx)) != 0)
            snprintf(err, errlen, "database error while building the indexes");
        if (rc == 0 && tx != NULL && !im->bulk && in_tx >= tx_rows) {
            rc = pk_tx_commit(tx);
            tx = NULL;
            in_tx = 0;
            if (tx_rows < TX_MAX)
                tx_rows *= 2;
            if (rc != 0)
                snprintf(err, errlen, "database error at commit");
        }
        put_idle(im, b, rc != 0);
        if (rc != 0)
            break;
    }
    if (rc == 0 && im->read_rc != 0) {
        rc = im->read_rc;
        snprintf(err, errlen, "%s", im->read_err);
    }
    if (rc == 0 && tx != NULL) {
        rc = pk_tx_commit(tx);
        tx = NULL;
        if (rc != 0)
            snprintf(err, errlen, "database error at commit");
    }
    pk_tx_rollback(tx); /* only after an error: the batch is lost, a rerun redoes it */
    return rc;
}

int pk_registry_import(const pk_app *app, int fd, const pk_import_opts *opts,
                       pk_import_summary *sum, char *err, size_t errlen)
{
    importer im = {.app = app, .opts = opts, .sum = sum};
    memset(sum, 0, sizeof(*sum));
    im.csv = pk_csv_new(pk_reg_read_fd, &fd, PK_REG_MAX_RECORD);
    im.rec = malloc(sizeof(*im.rec));
    struct stat st;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) /* from where fd stands (a seek) */
        im.size = (unsigned long long)st.st_size;
    im.full_tail = &im.full;
    pthread_mutex_init(&im.mu, NULL);
    pthread_cond_init(&im.cv, NULL);
    int rc = 0, r;
    if (im.csv == NULL || im.rec == NULL) {
        rc = PK_ENOMEM;
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    if ((r = pk_csv_next(im.csv, im.rec)) == 0) {
        rc = PK_EINVAL;
        snprintf(err, errlen, "the file is empty: no header line");
        goto out;
    }
    if (r == PK_EIO) {
        rc = PK_EIO;
        snprintf(err, errlen, "read error: %s", strerror(errno));
        goto out;
    }
    if (r < 0) {
        rc = PK_EINVAL;
        snprintf(err, errlen, "the header line is not valid CSV");
        goto out;
    }
    if ((rc = map_header(&im, im.rec, err, errlen)) != 0)
        goto out;
    if (opts->rejects != NULL) {
        fputs("baris,alasan", opts->rejects);
        for (size_t i = 0; i < im.rec->nfields; i++) {
            fputc(',', opts->rejects);
            pk_reg_csv_field(opts->rejects, im.rec->field[i], false);
        }
        fputc('\n', opts->rejects);
    }
    for (int i = 0; i < 3; i++) {
        batch *b = pk_reg_batch_new(UNIT);
        if (b == NULL) {
            rc = PK_ENOMEM;
            snprintf(err, errlen, "out of memory");
            goto out;
        }
        b->next = im.idle;
        im.idle = b;
    }
    pk_tx *tx = NULL;
    if ((rc = start_bulk(&im, fd, &tx)) != 0) {
        pk_tx_rollback(tx);
        snprintf(err, errlen, "database error: cannot begin");
        goto out;
    }
    pthread_t reader;
    if (pthread_create(&reader, NULL, reader_main, &im) != 0) {
        pk_tx_rollback(tx);
        rc = PK_ENOMEM;
        snprintf(err, errlen, "cannot start the reader thread");
        goto out;
    }
    rc = write_batches(&im, tx, err, errlen);
    pthread_join(reader, NULL);
    /* after an error the reader may have left batches queued */
    for (batch *b = im.full, *next; b != NULL; b = next) {
        next = b->next;
        pk_reg_batch_free(b);
    }
out:
    for (batch *b = im.idle, *next; b != NULL; b = next) {
        next = b->next;
        pk_reg_batch_free(b);
    }
    pthread_mutex_destroy(&im.mu);
    pthread_cond_destroy(&im.cv);
    free(im.seen_kk);
    free(im.rec);
    pk_csv_free(im.csv);
    return rc;
}

