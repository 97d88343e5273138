/* csv.c -- the streaming RFC 4180 reader declared in csv.h.
 *
 * A resumable state machine over a read window (64 KiB, or the caller's
 * whole buffer for pk_csv_new_mem) that copies unquoted field contents into
 * one record buffer allocated once at max_record + one NUL per field.  So
 * memory is constant whatever the size of the input, and the hot loops scan
 * runs of ordinary bytes and copy them with memcpy.
 *
 * Decisions beyond RFC 4180 (documented here because importers depend on
 * them):
 *  - A line end is "\n" or "\r\n".  A "\r" that is not followed by "\n" is
 *    an ordinary byte of an unquoted field (old Mac line ends are not
 *    supported); after a closing quote it is "text after the quote".
 *    Inside quotes every byte, "\r\n" included, is kept verbatim.
 *  - The byte-order mark EF BB BF is skipped only at the very start.
 *  - A record that is exactly one empty unquoted field (an empty physical
 *    line) is blank and skipped; `""` alone is a record of one empty field.
 *  - max_record bounds the sum of the unquoted field lengths (what the
 *    caller receives), not the raw bytes.
 *  - Recovery: after a syntax error (stray quote, text after a closing
 *    quote, too many fields) the reader skips raw bytes up to and including
 *    the next "\n", ignoring quotes, as the caller expects a line-oriented
 *    resynchronisation.  An unterminated quote ends the record at end of
 *    input.  A record that is merely too long is lexed to its real end
 *    (quotes respected) without being stored, so a long multi-line quoted
 *    field does not turn into a burst of bogus records. */
#include "core/csv.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/pk.h"

#define CSV_READ_BUF (64 * 1024)

struct pk_csv {
    pk_csv_read_fn read;
    void *ctx;
    char *ibuf;                 /* read buffer; NULL for a memory reader */
    const char *wstart;         /* start of the current window */
    const char *p, *end;        /* unread part of the window */
    unsigned long long base;    /* input offset of wstart */
    bool eof;                   /* nothing more after `end` */
    bool ioerr;                 /* read failed: every later call fails too */
    bool started;               /* the BOM check has been done */
    unsigned long line;         /* physical line of *p, 1-based */
    size_t max_record;
    char *rec;                  /* max_record + PK_CSV_MAX_FIELDS bytes */
    size_t rused;               /* bytes of rec in use, NULs included */
    size_t content;             /* field bytes in use, NULs excluded */
    size_t fstart[PK_CSV_MAX_FIELDS];
    size_t flen[PK_CSV_MAX_FIELDS];
};

/* Bytes that end a run of an unquoted field. */
static const unsigned char unq_special[256] = {
    [','] = 1, ['\n'] = 1, ['\r'] = 1, ['"'] = 1,
};

static pk_csv *csv_alloc(size_t max_record)
{
    if (max_record > SIZE_MAX / 2)
        return NULL;
    pk_csv *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->rec = malloc(max_record + PK_CSV_MAX_FIELDS + 1);
    if (!c->rec) {
        free(c);
        return NULL;
    }
    c->max_record = max_record;
    c->line = 1;
    return c;
}

pk_csv *pk_csv_new(pk_csv_read_fn read, void *ctx, size_t max_record)
{
    if (!read)
        return NULL;
    pk_csv *c = csv_alloc(max_record);
    if (!c)
        return NULL;
    c->ibuf = malloc(CSV_READ_BUF);
    if (!c->ibuf) {
        free(c->rec);
        free(c);
        return NULL;
    }
    c->read = read;
    c->ctx = ctx;
    c->wstart = c->p = c->end = c->ibuf;
    return c;
}

pk_csv *pk_csv_new_mem(const char *data, size_t len, size_t max_record)
{
    if (!data && len)
        return NULL;
    pk_csv *c = csv_alloc(max_record);
    if (!c)
        return NULL;
    /* The caller's buffer is the one and only window. */
    c->wstart = c->p = data ? data : "";
    c->end = c->p + len;
    c->eof = true;
    return c;
}

void pk_csv_free(pk_csv *c)
{
    if (!c)
        return;
    free(c->ibuf);
    free(c->rec);
    free(c);
}

unsigned long long pk_csv_offset(const pk_csv *c)
{
    return c->base + (unsigned long long)(c->p - c->wstart);
}

/* Replaces the (fully consumed) window with fresh input.  Returns 1 when
 * there are bytes, 0 at end of input, -1 when read failed. */
static int refill(pk_csv *c)
{
    if (c->ioerr)
        return -1;
    if (c->eof)
        return 0;
    c->base += (unsigned long long)(c->end - c->wstart);
    c->wstart = c->p = c->end = c->ibuf;
    ssize_t n = c->read(c->ctx, c->ibuf, CSV_READ_BUF);
    if (n < 0 || (size_t)n > CSV_READ_BUF) {
        c->ioerr = true;
        return -1;
    }
    if (n == 0) {
        c->eof = true;
        return 0;
    }
    c->end = c->ibuf + n;
    return 1;
}

/* Skips a UTF-8 byte-order mark at the very start, reading as many times
 * as needed to see three bytes (a reader may hand out one byte a call). */
static int skip_bom(pk_csv *c)
{
    c->started = true;
    if (c->ibuf) {
        while ((size_t)(c->end - c->p) < 3 && !c->eof) {
            size_t have = (size_t)(c->end - c->ibuf);
            ssize_t n = c->read(c->ctx, c->ibuf + have, CSV_READ_BUF - have);
            if (n < 0 || (size_t)n > CSV_READ_BUF - have) {
                c->ioerr = true;
                return PK_EIO;
            }
            if (n == 0)
                c->eof = true;
            c->end += n;
        }
    }
    if (c->end - c->p >= 3 && memcmp(c->p, "\xEF\xBB\xBF", 3) == 0)
        c->p += 3;
    return 0;
}

enum csv_state {
    S_FIELD,      /* at the start of a field */
    S_UNQ,        /* inside an unquoted field */
    S_UNQ_CR,     /* saw "\r" in an unquoted field; not yet stored */
    S_QUO,        /* inside a quoted field */
    S_QUO_QUOTE,  /* saw '"' inside a quoted field: closing or doubled */
    S_AFTER_CR,   /* saw "\r" after a closing quote */
    S_SKIP        /* error recovery: skipping to the next "\n" */
};

/* Stores n bytes of the current field unless the record already failed;
 * sets *err to PK_ETOOBIG when they would pass max_record. */
static inline void put(pk_csv *c, const char *s, size_t n, int *err)
{
    if (*err)
        return;
    if (n > c->max_record - c->content) {
        *err = PK_ETOOBIG;
        return;
    }
    memcpy(c->rec + c->rused, s, n);
    c->rused += n;
    c->content += n;
}

/* Completes the current field (NUL-terminates it unless the record already
 * failed); the caller checks the field count against PK_CSV_MAX_FIELDS. */
static inline void end_field(pk_csv *c, size_t *nf, int err)
{
    if (!err) {
        c->flen[*nf] = c->rused - c->fstart[*nf];
        c->rec[c->rused++] = '\0';
    }
    (*nf)++;
}

/* Counts "\n" in [s, e). */
static unsigned long count_nl(const char *s, const char *e)
{
    unsigned long n = 0;
    while ((s = memchr(s, '\n', (size_t)(e - s))) != NULL) {
        n++;
        s++;
    }
    return n;
}

/* Reads one physical record (blank ones included).  Returns 1, 0 at end
 * of input, or a negative PK_E* code. */
static int csv_record(pk_csv *c, pk_csv_record *rec, bool *blank)
{
    enum csv_state st = S_FIELD;
    int err = 0;
    size_t nf = 0;
    bool any = false;       /* a byte of this record was consumed */
    bool first_quoted = false;
    bool last_nl = false;   /* the last byte consumed was "\n" in quotes */

    *blank = false;
    c->rused = 0;
    c->content = 0;
    c->fstart[0] = 0;
    rec->line = rec->end_line = c->line;
    rec->nfields = 0;

    for (;;) {
        if (c->p == c->end) {
            int r = refill(c);
            if (r < 0)
                return PK_EIO;
            if (r == 0) {
                /* End of input: whatever was open ends here. */
                if (!any)
                    return 0;
                switch (st) {
                case S_UNQ_CR:
                    put(c, "\r", 1, &err);
                    break;
                case S_QUO:
                    if (!err)
                        err = PK_EINVAL;
                    break;
                case S_AFTER_CR:
                    if (!err)
                        err = PK_EINVAL;
                    break;
                default:
                    break;
                }
                rec->end_line = c->line - (last_nl ? 1 : 0);
                if (err)
                    return err;
                end_field(c, &nf, err);
                goto done;
            }
        }
        any = true;
        switch (st) {
        case S_FIELD:
            if (*c->p == '"') {
                c->p++;
                if (nf == 0)
                    first_quoted = true;
                st = S_QUO;
            } else {
                st = S_UNQ;
            }
            break;

        case S_UNQ: {
            const char *q = c->p, *e = c->end;
            while (q < e && !unq_special[(unsigned char)*q])
                q++;
            put(c, c->p, (size_t)(q - c->p), &err);
            c->p = q;
            if (q == e)
                break;
            char b = *q;
            c->p++;
            if (b == ',') {
                end_field(c, &nf, err);
                if (nf == PK_CSV_MAX_FIELDS) {
                    if (!err)
                        err = PK_EINVAL;
                    st = S_SKIP;
                } else {
                    c->fstart[nf] = c->rused;
                    st = S_FIELD;
                }
            } else if (b == '\n') {
                rec->end_line = c->line++;
                if (err)
                    return err;
                end_field(c, &nf, err);
                goto done;
            } else if (b == '\r') {
                st = S_UNQ_CR;
            } else { /* '"' inside an unquoted field */
                if (!err)
                    err = PK_EINVAL;
                st = S_SKIP;
            }
            break;
        }

        case S_UNQ_CR:
            if (*c->p == '\n') {
                c->p++;
                rec->end_line = c->line++;
                if (err)
                    return err;
                end_field(c, &nf, err);
                goto done;
            }
            /* A lone "\r" is data. */
            put(c, "\r", 1, &err);
            st = S_UNQ;
            break;

        case S_QUO: {
            const char *e = c->end;
            const char *q = memchr(c->p, '"', (size_t)(e - c->p));
            if (!q)
                q = e;
            if (q > c->p) {
                c->line += count_nl(c->p, q);
                last_nl = q[-1] == '\n';
                put(c, c->p, (size_t)(q - c->p), &err);
            }
            c->p = q;
            if (q < e) {
                c->p++;
                last_nl = false;
                st = S_QUO_QUOTE;
            }
            break;
        }

        case S_QUO_QUOTE: {
            char b = *c->p;
            if (b == '"') {
                c->p++;
                put(c, "\"", 1, &err);
                st = S_QUO;
            } else if (b == ',') {
                c->p++;
                end_field(c, &nf, err);
                if (nf == PK_CSV_MAX_FIELDS) {
                    if (!err)
                        err = PK_EINVAL;
                    st = S_SKIP;
                } else {
                    c->fstart[nf] = c->rused;
                    st = S_FIELD;
                }
            } else if (b == '\n') {
                c->p++;
                rec->end_line = c->line++;
                if (err)
                    return err;
                end_field(c, &nf, err);
                goto done;
            } else if (b == '\r') {
                c->p++;
                st = S_AFTER_CR;
            } else {
                if (!err)
                    err = PK_EINVAL;
                st = S_SKIP;
            }
            break;
        }

        case S_AFTER_CR:
            if (*c->p == '\n') {
                c->p++;
                rec->end_line = c->line++;
                if (err)
                    return err;
                end_field(c, &nf, err);
                goto done;
            }
            if (!err)
                err = PK_EINVAL;
            st = S_SKIP;
            break;

        case S_SKIP: {
            const char *q = memchr(c->p, '\n', (size_t)(c->end - c->p));
            if (!q) {
                c->p = c->end;
                break;
            }
            c->p = q + 1;
            rec->end_line = c->line++;
            return err;
        }
        }
    }

done:
    if (nf == 1 && c->flen[0] == 0 && !first_quoted) {
        *blank = true;
        return 1;
    }
    rec->nfields = nf;
    for (size_t i = 0; i < nf; i++) {
        rec->field[i] = c->rec + c->fstart[i];
        rec->len[i] = c->flen[i];
    }
    return 1;
}

int pk_csv_next(pk_csv *c, pk_csv_record *rec)
{
    if (c->ioerr)
        return PK_EIO;
    if (!c->started) {
        int r = skip_bom(c);
        if (r < 0)
            return r;
    }
    for (;;) {
        bool blank;
        int r = csv_record(c, rec, &blank);
        if (r != 1 || !blank)
            return r;
    }
}
