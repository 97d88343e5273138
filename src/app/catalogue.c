/* catalogue.c -- the training catalogue: the course file's import (the
 * CSV reader, the rejects file and the summary of the other imports) and
 * its reads.  See catalogue.h. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "app/catalogue.h"
#include "app/registry_int.h"
#include "core/csv.h"
#include "core/ident.h"
#include "store/store.h"

#define BATCH 1000

enum { C_PLATFORM, C_REF, C_TITLE, C_PROVIDER, C_PRICE, C_MODE, C_COUNT };
static const char *const column_names[C_COUNT] = {"platform", "kode_pelatihan", "judul", "lpk",
                                                  "harga", "mode"};

/* A field, trimmed, as a string of at most cap - 1 bytes of valid UTF-8
 * without control characters; false when it is empty or does not fit. */
static bool text_field(const pk_csv_record *rec, int col, char *out, size_t cap)
{
    size_t len = rec->len[col];
    const char *t = pk_trim(rec->field[col], &len);
    if (len == 0 || len >= cap || pk_utf8_chars(t, len) < 0)
        return false;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)t[i] < 0x20 || t[i] == 0x7f)
            return false;
    memcpy(out, t, len);
    out[len] = '\0';
    return true;
}

/* The row as a course, or the code of why not. */
static const char *parse_row(const pk_csv_record *rec, const int *col, pk_course *c)
{
    memset(c, 0, sizeof(*c));
    for (int k = 0; k < C_COUNT; k++) {
        size_t len = (size_t)col[k] < rec->nfields ? rec->len[col[k]] : 0;
        if (len == 0 || pk_trim(rec->field[col[k]], &len) == NULL || len == 0)
            return "kolom_wajib_kosong";
    }
    if (!text_field(rec, col[C_PLATFORM], c->platform, sizeof(c->platform)) ||
        strspn(c->platform, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(c->platform) ||
        strlen(c->platform) < 2)
        return "platform_tidak_valid";
    if (!text_field(rec, col[C_REF], c->course_ref, sizeof(c->course_ref)))
        return "kode_pelatihan_tidak_valid";
    if (!text_field(rec, col[C_TITLE], c->title, sizeof(c->title)))
        return "judul_tidak_valid";
    if (!text_field(rec, col[C_PROVIDER], c->provider, sizeof(c->provider)))
        return "lpk_tidak_valid";
    char price[24];
    if (!text_field(rec, col[C_PRICE], price, sizeof(price)) || strlen(price) > 12 ||
        strspn(price, "0123456789") != strlen(price) || price[0] == '0')
        return "harga_tidak_valid";
    c->price = strtoll(price, NULL, 10);
    if (!text_field(rec, col[C_MODE], c->mode, sizeof(c->mode)) ||
        (strcmp(c->mode, "webinar") != 0 && strcmp(c->mode, "mandiri") != 0 &&
         strcmp(c->mode, "luring") != 0))
        return "mode_tidak_valid";
    return NULL;
}

static void write_reject(FILE *f, const pk_csv_record *rec, int r, const int *col,
                         const char *why)
{
    for (int k = 0; k < C_COUNT; k++) {
        const char *v = r == 1 && (size_t)col[k] < rec->nfields ? rec->field[col[k]] : "";
        pk_reg_csv_field(f, v, true);
        fputc(',', f);
    }
    fprintf(f, "%lu,%s\n", rec->line, why);
}

int pk_catalogue_import(const pk_app *app, int fd, const char *actor, FILE *rejects,
                        pk_course_summary *sum, char *err, size_t errlen)
{
    memset(sum, 0, sizeof(*sum));
    pk_csv *csv = pk_csv_new(pk_reg_read_fd, &fd, PK_REG_MAX_RECORD);
    pk_csv_record *rec = malloc(sizeof(*rec));
    pk_tx *tx = NULL;
    int rc = 0, r, col[C_COUNT];
    long in_tx = 0;
    if (csv == NULL || rec == NULL) {
        rc = PK_ENOMEM;
        snprintf(err, errlen, "out of memory");
        goto out;
    }
    /* the header */
    while ((r = pk_csv_next(csv, rec)) != 0 && r != 1)
        if (r == PK_EIO)
            break;
    if (r != 1) {
        rc = r == PK_EIO ? PK_EIO : PK_EINVAL;
        snprintf(err, errlen, r == PK_EIO ? "read error" : "the file has no header");
        goto out;
    }
    static const bool required[C_COUNT] = {[0 ... C_COUNT - 1] = true};
    if ((rc = pk_reg_map_header(rec, column_names, required, C_COUNT, col, NULL, err, errlen)) !=
        0) {
        size_t el = strlen(err);
        snprintf(err + el, errlen - el, " (the file needs " PK_COURSE_COLUMNS ")");
        goto out;
    }
    if (rejects != NULL)
        fprintf(rejects, PK_COURSE_COLUMNS ",baris,alasan\n");

    while ((r = pk_csv_next(csv, rec)) != 0) {
        if (r == PK_EIO) {
            rc = PK_EIO;
            snprintf(err, errlen, "read error");
            goto out;
        }
        sum->rows++;
        pk_course c;
        const char *why = r == 1 ? parse_row(rec, col, &c) : "baris_rusak";
        if (why != NULL) {
            sum->rejected++;
            if (rejects != NULL)
                write_reject(rejects, rec, r, col, why);
            continue;
        }
        if (tx == NULL && (rc = pk_store_begin(app->store, &tx)) != 0)
            goto db_error;
        int outcome;
        if ((rc = pk_tx_course_put(tx, &c, &outcome)) != 0)
            goto db_error;
        sum->inserted += outcome == PK_COURSE_INSERTED;
        sum->updated += outcome == PK_COURSE_UPDATED;
        sum->unchanged += outcome == PK_COURSE_UNCHANGED;
        if (++in_tx == BATCH) {
            rc = pk_tx_commit(tx);
            tx = NULL;
            in_tx = 0;
            if (rc != 0)
                goto db_error;
        }
    }
    char detail[160];
    snprintf(detail, sizeof(detail), "rows=%ld inserted=%ld updated=%ld unchanged=%ld rejected=%ld",
             sum->rows, sum->inserted, sum->updated, sum->unchanged, sum->rejected);
    if ((tx == NULL && (rc = pk_store_begin(app->store, &tx)) != 0) ||
        (rc = pk_tx_audit(tx, actor, "import", "courses.import", 0, detail)) != 0)
        goto db_error;
    rc = pk_tx_commit(tx);
    tx = NULL;
    if (rc != 0)
        goto db_error;
    goto out;
db_error:
    snprintf(err, errlen, rc == PK_ENOSPC ? "the database's disk is full" : "database error");
out:
    pk_tx_rollback(tx);
    pk_csv_free(csv);
    free(rec);
    return rc;
}

typedef struct page_walk {
    pk_course_view_cb cb;
    void *ctx;
    int64_t last;
    int n;
} page_walk;

static int each_course(void *ctx, const pk_course *c)
{
    page_walk *w = ctx;
    pk_course_view v = {c->id, c->platform, c->course_ref, c->title, c->provider, c->mode,
                        c->price};
    w->last = c->id;
    w->n++;
    return w->cb(w->ctx, &v);
}

int pk_catalogue_page(const pk_app *app, int64_t after, int limit, pk_course_view_cb cb,
                      void *ctx, int64_t *next)
{
    page_walk w = {cb, ctx, 0, 0};
    int rc = pk_store_courses_each(app->store, after, limit, each_course, &w);
    *next = rc == 0 && w.n == limit ? w.last : 0;
    return rc;
}

int pk_catalogue_find(const pk_app *app, const char *platform, const char *course_ref,
                      pk_course_view_cb cb, void *ctx)
{
    pk_course c;
    int rc = pk_store_course_find(app->store, platform, course_ref, &c);
    if (rc != 0)
        return rc;
    page_walk w = {cb, ctx, 0, 0};
    return each_course(&w, &c);
}
