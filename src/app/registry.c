/* registry.c -- the participant registry use cases (see registry.h). */
#include "app/registry.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sodium.h>

#include "core/csv.h"
#include "core/ident.h"
#include "core/pk.h"

/* Import batches start small, so a short file commits early and often,
 * and double up to a cap: the NIK and KK indexes are keyed by random
 * hashes, so every commit rewrites pages all over them, and fewer, larger
 * commits write far less.  A killed run loses at most one batch, and
 * running it again redoes it. */
#define BATCH_FIRST 5000
#define BATCH_MAX 160000
#define MAX_RECORD (64 * 1024)
#define SEP '\x1f' /* between sealed fields: validated values hold no control characters */

/* ---- records ----------------------------------------------------------- */

static int kk_max_of(void *ctx, const char *scheme)
{
    const pk_scheme *s = pk_schemes_find(&((const pk_app *)ctx)->schemes, scheme);
    return s ? s->kk_max : 0;
}

static int enum_by_name(const char *(*name)(int), int count, const char *v)
{
    for (int i = 1; i < count; i++)
        if (strcmp(name(i), v) == 0)
            return i;
    return 0;
}

static const char *edu_name(int i) { return pk_education_name((pk_education)i); }
static const char *seg_name(int i) { return pk_segment_name((pk_segment)i); }
static const char *job_name(int i) { return pk_occupation_name((pk_occupation)i); }

/* The clear columns of a stored row back into a participant (what
 * eligibility needs: no personal data). */
static void from_row(const pk_prow *row, pk_participant *p)
{
    memset(p, 0, sizeof(*p));
    pk_date_parse(row->tanggal_lahir, strlen(row->tanggal_lahir), &p->tanggal_lahir);
    p->jenis_kelamin = row->jenis_kelamin[0];
    snprintf(p->kode_wilayah, sizeof(p->kode_wilayah), "%s", row->kode_wilayah);
    p->pendidikan = (pk_education)enum_by_name(edu_name, PK_EDU__COUNT, row->pendidikan);
    p->segmen = (pk_segment)enum_by_name(seg_name, PK_SEG__COUNT, row->segmen);
    p->pekerjaan = (pk_occupation)enum_by_name(job_name, PK_JOB__COUNT, row->pekerjaan);
}

/* Normal-form text of every field, in pk_field order. */
static void field_texts(const pk_participant *p, char date[11], const char *out[PK_F__COUNT])
{
    static const char *sex[] = {"L", "P"};
    pk_date_format(p->tanggal_lahir, date);
    out[PK_F_NIK] = p->nik;
    out[PK_F_NO_KK] = p->no_kk;
    out[PK_F_NAMA] = p->nama;
    out[PK_F_TANGGAL_LAHIR] = date;
    out[PK_F_JENIS_KELAMIN] = sex[p->jenis_kelamin == 'P'];
    out[PK_F_NO_HP] = p->no_hp;
    out[PK_F_EMAIL] = p->email;
    out[PK_F_KODE_WILAYAH] = p->kode_wilayah;
    out[PK_F_ALAMAT] = p->alamat;
    out[PK_F_PENDIDIKAN] = pk_education_name(p->pendidikan);
    out[PK_F_SEGMEN] = pk_segment_name(p->segmen);
    out[PK_F_PEKERJAAN] = pk_occupation_name(p->pekerjaan);
}

static int seal_pii(const pk_app *app, const pk_participant *p, const uint8_t nik_bi[PK_BI_LEN],
                    pk_buf *plain, pk_buf *box)
{
    pk_buf_reset(plain);
    const char *parts[] = {p->nik, p->no_kk, p->no_hp, p->email, p->alamat};
    for (size_t i = 0; i < PK_ARRAY_LEN(parts); i++) {
        if (i > 0 && pk_buf_addc(plain, SEP) != 0)
            return PK_ENOMEM;
        if (pk_buf_adds(plain, parts[i]) != 0)
            return PK_ENOMEM;
    }
    return pk_vault_seal(&app->vault, plain->data, plain->len, nik_bi, PK_BI_LEN, box);
}

/* Opens a row's sealed fields into p (nik, no_kk, no_hp, email, alamat). */
static int unseal_pii(const pk_app *app, const pk_prow *row, pk_buf *tmp, pk_participant *p)
{
    int rc = pk_vault_unseal(&app->vault, row->pii, row->pii_len, row->nik_bi, PK_BI_LEN, tmp);
    if (rc != 0)
        return rc;
    char *fields[5] = {p->nik, p->no_kk, p->no_hp, p->email, p->alamat};
    size_t sizes[5] = {sizeof(p->nik), sizeof(p->no_kk), sizeof(p->no_hp), sizeof(p->email),
                       sizeof(p->alamat)};
    const char *s = tmp->data;
    for (int i = 0; i < 5; i++) {
        const char *e = strchr(s, SEP);
        size_t n = e ? (size_t)(e - s) : strlen(s);
        if (n >= sizes[i] || (i < 4 && e == NULL))
            return PK_EINVAL;
        memcpy(fields[i], s, n);
        fields[i][n] = '\0';
        s = e ? e + 1 : s + n;
    }
    return 0;
}

int pk_registry_unseal(const pk_app *app, const pk_prow *row, pk_participant *p)
{
    pk_buf tmp;
    pk_buf_init(&tmp, 4096);
    from_row(row, p);
    snprintf(p->nama, sizeof(p->nama), "%s", row->nama);
    int rc = unseal_pii(app, row, &tmp, p);
    if (tmp.data != NULL)
        sodium_memzero(tmp.data, tmp.cap);
    pk_buf_free(&tmp);
    return rc;
}

typedef struct scratch {
    pk_buf plain, box;
} scratch;

static int save(const pk_app *app, pk_tx *tx, scratch *sc, const pk_participant *p,
                pk_codeset warnings, const pk_scheme *scheme, pk_date as_of, const char *source,
                bool upsert, pk_save_result *out)
{
    pk_prow row = {0}, old;
    char date[11];
    const char *text[PK_F__COUNT];
    int rc;
    memset(out, 0, sizeof(*out));
    field_texts(p, date, text);
    pk_vault_blind(&app->vault, "nik", p->nik, row.nik_bi);
    pk_vault_blind(&app->vault, "kk", p->no_kk, row.kk_bi);
    for (int f = 0; f < PK_F__COUNT; f++)
        pk_vault_field_hash(&app->vault, (unsigned)f, text[f], row.digest + 8 * f);

    rc = pk_tx_participant_find(tx, row.nik_bi, &old);
    bool exists = rc == 0;
    if (rc != 0 && rc != PK_ENOENT)
        return rc;
    if (exists && !upsert)
        return PK_ECONFLICT;
    /* No scheme given (an import without --scheme): a known person keeps
     * theirs, so importing an export changes nothing; a new one gets the
     * current scheme. */
    if (scheme == NULL)
        scheme = (exists ? pk_schemes_find(&app->schemes, old.scheme) : NULL);
    if (scheme == NULL)
        scheme = pk_schemes_current(&app->schemes);
    if (exists && memcmp(old.digest, row.digest, PK_DIGEST_LEN) == 0 &&
        strcmp(old.scheme, scheme->id) == 0) {
        out->id = old.id;
        out->outcome = PK_SAVED_UNCHANGED;
        out->reasons = old.reasons;
        return 0;
    }

    unsigned lists = 0;
    if ((rc = pk_tx_lists_of(tx, row.nik_bi, &lists)) != 0)
        return rc;
    pk_eligibility_context ctx = {.on_lists = lists, .kk_eligible_before = 0};
    row.base_reasons = pk_eligibility(p, scheme, as_of, &ctx);
    row.reasons = row.base_reasons;
    if ((rc = seal_pii(app, p, row.nik_bi, &sc->plain, &sc->box)) != 0)
        return rc;
    row.pii = (const uint8_t *)sc->box.data;
    row.pii_len = sc->box.len;
    row.nama = p->nama;
    row.tanggal_lahir = date;
    row.jenis_kelamin = text[PK_F_JENIS_KELAMIN];
    row.kode_wilayah = p->kode_wilayah;
    row.pendidikan = text[PK_F_PENDIDIKAN];
    row.segmen = text[PK_F_SEGMEN];
    row.pekerjaan = text[PK_F_PEKERJAAN];
    row.warnings = warnings;
    row.scheme = scheme->id;
    row.source = source;
    char as_of_text[11];
    pk_date_format(as_of, as_of_text);
    row.as_of = as_of_text;

    /* Audit: which fields changed (names only, never values). */
    char detail[256];
    size_t dl = (size_t)snprintf(detail, sizeof(detail), "fields=");
    if (exists) {
        row.id = old.id;
        rc = pk_tx_participant_update(tx, &row);
        for (int f = 0; f < PK_F__COUNT && dl < sizeof(detail) - 16; f++)
            if (memcmp(old.digest + 8 * f, row.digest + 8 * f, 8) != 0)
                dl += (size_t)snprintf(detail + dl, sizeof(detail) - dl, "%s%s",
                                       dl > 7 ? "," : "", pk_field_name((pk_field)f));
        if (strcmp(old.scheme, scheme->id) != 0)
            snprintf(detail + dl, sizeof(detail) - dl, "%sscheme", dl > 7 ? "," : "");
    } else {
        rc = pk_tx_participant_insert(tx, &row, &row.id);
        snprintf(detail + dl, sizeof(detail) - dl, "all");
    }
    if (rc != 0)
        return rc;
    if ((rc = pk_tx_audit(tx, source, exists ? "participant.update" : "participant.insert",
                          row.id, detail)) != 0)
        return rc;
    /* The family-card limit depends on the other members, in order of
     * registration: re-apply it to the new KK and, after a move, the old. */
    uint64_t quota = PK_CODEBIT(PK_C_KUOTA_KK_PENUH);
    out->reasons = row.reasons;
    if ((rc = pk_tx_kk_apply(tx, row.kk_bi, quota, kk_max_of, (void *)app, row.id,
                             &out->reasons)) != 0)
        return rc;
    if (exists && memcmp(old.kk_bi, row.kk_bi, PK_BI_LEN) != 0 &&
        (rc = pk_tx_kk_apply(tx, old.kk_bi, quota, kk_max_of, (void *)app, 0, NULL)) != 0)
        return rc;
    out->id = row.id;
    out->outcome = exists ? PK_SAVED_UPDATED : PK_SAVED_INSERTED;
    return 0;
}

int pk_registry_save(const pk_app *app, pk_tx *tx, const pk_participant *p, pk_codeset warnings,
                     const pk_scheme *scheme, pk_date as_of, const char *source, bool upsert,
                     pk_save_result *out)
{
    scratch sc;
    pk_buf_init(&sc.plain, 4096);
    pk_buf_init(&sc.box, 4096);
    int rc = save(app, tx, &sc, p, warnings, scheme, as_of, source, upsert, out);
    pk_buf_free(&sc.plain);
    pk_buf_free(&sc.box);
    return rc;
}

typedef struct register_job {
    const pk_app *app;
    const pk_participant *p;
    pk_register_result *out;
    pk_date today;
    const char *source;
} register_job;

static int register_in_tx(pk_tx *tx, void *arg)
{
    register_job *j = arg;
    return pk_registry_save(j->app, tx, j->p, j->out->v.warnings, j->out->scheme, j->today,
                            j->source, false, &j->out->saved);
}

int pk_registry_register(const pk_app *app, const pk_participant_input *in, const char *source,
                         pk_register_result *out)
{
    pk_participant p;
    memset(out, 0, sizeof(*out));
    out->scheme = pk_schemes_current(&app->schemes);
    pk_date today = pk_app_today();
    if (pk_participant_validate(in, app->regions, app->cfg.service_province, today, &p,
                                &out->v) != 0)
        return PK_EINVAL;
    register_job job = {app, &p, out, today, source};
    return pk_committer_run(app->committer, register_in_tx, &job);
}

/* ---- CSV output -------------------------------------------------------- */

static void csv_field(FILE *f, const char *s)
{
    if (strpbrk(s, ",\"\r\n") == NULL && s[0] != ' ' && (s[0] == '\0' || s[strlen(s) - 1] != ' ')) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

static void csv_codes(FILE *f, pk_codeset set)
{
    bool first = true;
    for (pk_code c = 0; c < PK_C__COUNT; c++)
        if (set & PK_CODEBIT(c)) {
            fprintf(f, "%s%s", first ? "" : ";", pk_code_name(c));
            first = false;
        }
}

/* ---- import ------------------------------------------------------------ */

static ssize_t read_fd(void *ctx, char *buf, size_t cap)
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
    char *header_line;        /* the header as read, for the rejects file */
    pk_tx *tx;
    long in_batch;
    long batch_rows;          /* size of the current batch */
    scratch sc;
} importer;

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
    csv_codes(f, codes);
    for (size_t i = 0; rec != NULL && i < rec->nfields; i++) {
        fputc(',', f);
        csv_field(f, rec->field[i]);
    }
    fputc('\n', f);
}

static int map_header(importer *im, const pk_csv_record *rec, char *err, size_t errlen)
{
    size_t ul = 0;
    for (int f = 0; f < PK_F__COUNT; f++)
        im->col[f] = -1;
    im->ncols = rec->nfields;
    for (size_t i = 0; i < rec->nfields; i++) {
        size_t len = rec->len[i];
        const char *name = rec->field[i];
        if (i == 0 && len >= 3 && memcmp(name, "\xEF\xBB\xBF", 3) == 0) {
            name += 3; /* a BOM the reader left */
            len -= 3;
        }
        const char *t = pk_trim(name, &len);
        pk_field f = pk_field_by_name(t, len);
        if (f == PK_F__COUNT) {
            size_t room = sizeof(im->sum->unknown_columns) - ul;
            if (room > len + 2)
                ul += (size_t)snprintf(im->sum->unknown_columns + ul, room, "%s%.*s",
                                       ul ? "," : "", (int)len, t);
            continue;
        }
        if (im->col[f] != -1) {
            snprintf(err, errlen, "column '%s' appears twice in the header", pk_field_name(f));
            return PK_EINVAL;
        }
        im->col[f] = (int)i;
    }
    char missing[256] = "";
    size_t ml = 0;
    for (int f = 0; f < PK_F__COUNT; f++)
        if (pk_field_required((pk_field)f) && im->col[f] == -1)
            ml += (size_t)snprintf(missing + ml, sizeof(missing) - ml, "%s%s", ml ? ", " : "",
                                   pk_field_name((pk_field)f));
    if (ml > 0) {
        snprintf(err, errlen, "kolom_wajib_hilang: required column(s) missing: %s", missing);
        return PK_EINVAL;
    }
    return 0;
}

static int flush_batch(importer *im)
{
    int rc = 0;
    if (im->tx != NULL) {
        rc = pk_tx_commit(im->tx);
        im->tx = NULL;
    }
    im->in_batch = 0;
    if (im->batch_rows < BATCH_MAX)
        im->batch_rows *= 2;
    return rc;
}

static int import_row(importer *im, const pk_csv_record *rec)
{
    const pk_app *app = im->app;
    im->sum->read++;
    if (rec->nfields != im->ncols) {
        reject(im, rec, rec->line, PK_CODEBIT(PK_C_BARIS_RUSAK));
        return 0;
    }
    pk_participant_input in = {0};
    for (int f = 0; f < PK_F__COUNT; f++)
        if (im->col[f] >= 0) {
            in.v[f] = rec->field[im->col[f]];
            in.len[f] = rec->len[im->col[f]];
        }
    pk_participant p;
    pk_validation v;
    if (pk_participant_validate(&in, app->regions, app->cfg.service_province, im->opts->as_of,
                                &p, &v) != 0) {
        reject(im, rec, rec->line, v.errors);
        return 0;
    }
    for (pk_code c = 0; c < PK_C__COUNT; c++)
        if (v.warnings & PK_CODEBIT(c))
            im->sum->warnings[c]++;
    int rc;
    if (im->tx == NULL && (rc = pk_store_begin(app->store, &im->tx)) != 0)
        return rc;
    pk_save_result res;
    rc = save(app, im->tx, &im->sc, &p, v.warnings, im->opts->scheme, im->opts->as_of, "import",
              true, &res);
    if (rc != 0)
        return rc;
    if (res.outcome == PK_SAVED_INSERTED)
        im->sum->inserted++;
    else if (res.outcome == PK_SAVED_UPDATED)
        im->sum->updated++;
    else
        im->sum->unchanged++;
    if (++im->in_batch >= im->batch_rows)
        return flush_batch(im);
    return 0;
}

int pk_registry_import(const pk_app *app, int fd, const pk_import_opts *opts,
                       pk_import_summary *sum, char *err, size_t errlen)
{
    importer im = {.app = app, .opts = opts, .sum = sum, .batch_rows = BATCH_FIRST};
    memset(sum, 0, sizeof(*sum));
    pk_buf_init(&im.sc.plain, 4096);
    pk_buf_init(&im.sc.box, 4096);
    pk_csv *csv = pk_csv_new(read_fd, &fd, MAX_RECORD);
    pk_csv_record *rec = malloc(sizeof(*rec));
    int rc = 0, r;
    bool header = true;
    if (csv == NULL || rec == NULL) {
        rc = PK_ENOMEM;
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    while ((r = pk_csv_next(csv, rec)) != 0) {
        if (r == PK_EIO) {
            rc = PK_EIO;
            snprintf(err, errlen, "read error: %s", strerror(errno));
            goto out;
        }
        if (header) {
            if (r < 0) {
                rc = PK_EINVAL;
                snprintf(err, errlen, "the header line is not valid CSV");
                goto out;
            }
            if ((rc = map_header(&im, rec, err, errlen)) != 0)
                goto out;
            header = false;
            if (opts->rejects != NULL) {
                fputs("baris,alasan", opts->rejects);
                for (size_t i = 0; i < rec->nfields; i++) {
                    fputc(',', opts->rejects);
                    csv_field(opts->rejects, rec->field[i]);
                }
                fputc('\n', opts->rejects);
            }
            continue;
        }
        if (r < 0) {
            sum->read++;
            reject(&im, NULL, rec->line, PK_CODEBIT(PK_C_BARIS_RUSAK));
        } else if ((rc = import_row(&im, rec)) != 0) {
            snprintf(err, errlen, "database error near line %lu", rec->line);
            goto out;
        }
        if (opts->progress != NULL && sum->read % 100000 == 0)
            fprintf(opts->progress, "prakerja: import: %ld rows (%llu MB)\n", sum->read,
                    pk_csv_offset(csv) / 1000000ULL);
    }
    if (header) {
        rc = PK_EINVAL;
        snprintf(err, errlen, "the file is empty: no header line");
        goto out;
    }
    if ((rc = flush_batch(&im)) != 0)
        snprintf(err, errlen, "database error at commit");
out:
    if (im.tx != NULL)
        pk_tx_rollback(im.tx); /* only after an error: the batch is lost, a rerun redoes it */
    pk_buf_free(&im.sc.plain);
    pk_buf_free(&im.sc.box);
    free(rec);
    pk_csv_free(csv);
    return rc;
}

/* ---- export ------------------------------------------------------------ */

typedef struct exporter {
    const pk_app *app;
    FILE *out;
    pk_buf tmp;
    long rows;
} exporter;

static int export_row(void *ctx, const pk_prow *row)
{
    exporter *ex = ctx;
    pk_participant p;
    from_row(row, &p);
    snprintf(p.nama, sizeof(p.nama), "%s", row->nama);
    if (unseal_pii(ex->app, row, &ex->tmp, &p) != 0) {
        fprintf(stderr, "prakerja: export: participant %lld cannot be decrypted with this key\n",
                (long long)row->id);
        return PK_EINVAL;
    }
    char date[11];
    const char *text[PK_F__COUNT];
    field_texts(&p, date, text);
    for (int f = 0; f < PK_F__COUNT; f++) {
        if (f > 0)
            fputc(',', ex->out);
        csv_field(ex->out, text[f]);
    }
    fprintf(ex->out, ",%s,", row->reasons == 0 ? "ya" : "tidak");
    csv_codes(ex->out, row->reasons);
    fputc(',', ex->out);
    csv_codes(ex->out, row->warnings);
    fputc('\n', ex->out);
    ex->rows++;
    return ferror(ex->out) ? PK_EIO : 0;
}

int pk_registry_export(const pk_app *app, const char *region, FILE *out, long *rows)
{
    exporter ex = {.app = app, .out = out};
    pk_buf_init(&ex.tmp, 8192);
    for (int f = 0; f < PK_F__COUNT; f++)
        fprintf(out, "%s%s", f ? "," : "", pk_field_name((pk_field)f));
    fputs(",eligible,alasan,peringatan\n", out);
    int rc = pk_store_participants_each(app->store, region, export_row, &ex);
    pk_buf_free(&ex.tmp);
    if (rows)
        *rows = ex.rows;
    if (rc == 0 && fflush(out) != 0)
        rc = PK_EIO;
    return rc;
}

/* ---- exclusion lists --------------------------------------------------- */

typedef struct reeval {
    const pk_app *app;
    pk_tx *tx;
    long count;
} reeval;

static uint64_t reeval_fn(void *ctx, const pk_prow *row, unsigned lists)
{
    const pk_app *app = ctx;
    pk_participant p;
    from_row(row, &p);
    const pk_scheme *s = pk_schemes_find(&app->schemes, row->scheme);
    pk_date as_of;
    if (s == NULL || pk_date_parse(row->as_of, strlen(row->as_of), &as_of) != 0)
        return row->base_reasons;
    pk_eligibility_context c = {.on_lists = lists, .kk_eligible_before = 0};
    /* Ages are judged on the record's own reference date: a list change
     * must not also change verdicts for the passing of time. */
    return pk_eligibility(&p, s, as_of, &c) & ~PK_CODEBIT(PK_C_KUOTA_KK_PENUH);
}

static int reeval_one(void *ctx, const uint8_t bi[PK_BI_LEN])
{
    reeval *re = ctx;
    uint8_t kk[PK_BI_LEN];
    int changed = 0;
    int rc = pk_tx_reevaluate(re->tx, bi, reeval_fn, (void *)re->app, kk, &changed);
    if (rc == PK_ENOENT)
        return 0; /* listed but not registered */
    if (rc != 0)
        return rc;
    re->count++;
    if (changed) {
        rc = pk_tx_kk_apply(re->tx, kk, PK_CODEBIT(PK_C_KUOTA_KK_PENUH), kk_max_of,
                            (void *)re->app, 0, NULL);
        if (rc == 0)
            rc = pk_tx_audit(re->tx, "exclusion", "participant.reevaluate", 0, "");
    }
    return rc;
}

int pk_registry_import_list(const pk_app *app, const char *list, int fd, pk_list_summary *sum,
                            char *err, size_t errlen)
{
    memset(sum, 0, sizeof(*sum));
    if (pk_list_by_name(list) == 0) {
        snprintf(err, errlen, "unknown list '%s' (dtks, bsu, bpum, daftar_hitam, "
                              "penerima_sebelumnya)", list);
        return PK_EINVAL;
    }
    pk_csv *csv = pk_csv_new(read_fd, &fd, MAX_RECORD);
    pk_csv_record *rec = malloc(sizeof(*rec));
    pk_buf note, box;
    pk_buf_init(&note, MAX_RECORD);
    pk_buf_init(&box, MAX_RECORD + 64);
    pk_tx *tx = NULL;
    int rc = 0, r, nikcol = -1;
    if (csv == NULL || rec == NULL) {
        rc = PK_ENOMEM;
        goto out;
    }
    /* The whole list is replaced in one transaction: readers see the old
     * list or the new one, never half of it. */
    if ((rc = pk_store_begin(app->store, &tx)) != 0 || (rc = pk_tx_list_clear(tx, list)) != 0) {
        snprintf(err, errlen, "database error");
        goto out;
    }
    bool header = true;
    while ((r = pk_csv_next(csv, rec)) != 0) {
        if (r == PK_EIO) {
            rc = PK_EIO;
            snprintf(err, errlen, "read error");
            goto out;
        }
        if (header) {
            for (size_t i = 0; r == 1 && i < rec->nfields; i++) {
                size_t len = rec->len[i];
                const char *t = pk_trim(rec->field[i], &len);
                if (len >= 3 && memcmp(t, "\xEF\xBB\xBF", 3) == 0)
                    t += 3, len -= 3;
                if (len == 3 && strncasecmp(t, "nik", 3) == 0)
                    nikcol = (int)i;
            }
            if (nikcol < 0) {
                rc = PK_EINVAL;
                snprintf(err, errlen, "kolom_wajib_hilang: the list has no 'nik' column");
                goto out;
            }
            header = false;
            continue;
        }
        sum->read++;
        size_t len = r == 1 && (size_t)nikcol < rec->nfields ? rec->len[nikcol] : 0;
        const char *nik = len ? pk_trim(rec->field[nikcol], &len) : "";
        /* Lists come from other agencies: any 16 digits count, whatever
         * the region table says. */
        if (r != 1 || len != 16 || strspn(nik, "0123456789") < 16) {
            sum->rejected++;
            continue;
        }
        char digits[17];
        memcpy(digits, nik, 16);
        digits[16] = '\0';
        uint8_t bi[PK_BI_LEN];
        pk_vault_blind(&app->vault, "nik", digits, bi);
        pk_buf_reset(&note);
        for (size_t i = 0; i < rec->nfields; i++)
            if ((int)i != nikcol && rec->len[i] > 0) {
                if (note.len > 0)
                    pk_buf_addc(&note, SEP);
                pk_buf_adds(&note, rec->field[i]);
            }
        if (note.len > 0 && pk_vault_seal(&app->vault, note.data, note.len, bi, PK_BI_LEN, &box) != 0)
            pk_buf_reset(&box);
        if ((rc = pk_tx_list_add(tx, list, bi, note.len ? (const uint8_t *)box.data : NULL,
                                 note.len ? box.len : 0)) != 0) {
            snprintf(err, errlen, "database error");
            goto out;
        }
        sum->listed++;
    }
    if (header) {
        rc = PK_EINVAL;
        snprintf(err, errlen, "the file is empty: no header line");
        goto out;
    }
    reeval re = {.app = app, .tx = tx};
    if ((rc = pk_tx_list_changes(tx, list, reeval_one, &re)) != 0) {
        snprintf(err, errlen, "database error while re-evaluating eligibility");
        goto out;
    }
    sum->reevaluated = re.count;
    char detail[128];
    snprintf(detail, sizeof(detail), "list=%s entries=%ld reevaluated=%ld", list, sum->listed,
             re.count);
    if ((rc = pk_tx_audit(tx, "exclusion", "list.replace", 0, detail)) != 0)
        goto out;
    rc = pk_tx_commit(tx);
    tx = NULL;
    if (rc != 0)
        snprintf(err, errlen, "database error at commit");
out:
    pk_tx_rollback(tx);
    pk_buf_free(&note);
    pk_buf_free(&box);
    free(rec);
    pk_csv_free(csv);
    return rc;
}
