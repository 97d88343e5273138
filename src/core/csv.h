/* csv.h -- a streaming RFC 4180 reader in constant memory.
 *
 * UTF-8, an optional leading byte-order mark (skipped), "\n" or "\r\n"
 * line ends, ',' separator, quoted fields holding commas, doubled quotes
 * and line breaks.  Memory is bounded by the largest record allowed
 * (`max_record` bytes), whatever the size of the input. */
#ifndef PK_CSV_H
#define PK_CSV_H

#include <stddef.h>
#include <sys/types.h>

/* Reads up to cap bytes into buf; returns the count, 0 at end of input,
 * or a negative value on error. */
typedef ssize_t (*pk_csv_read_fn)(void *ctx, char *buf, size_t cap);

typedef struct pk_csv pk_csv;

#define PK_CSV_MAX_FIELDS 256

typedef struct pk_csv_record {
    size_t nfields;
    const char *field[PK_CSV_MAX_FIELDS]; /* NUL-terminated, unquoted */
    size_t len[PK_CSV_MAX_FIELDS];
    unsigned long line;      /* physical line where the record starts (1-based) */
    unsigned long end_line;  /* physical line where it ends */
} pk_csv_record;

/* Returns NULL on allocation failure. */
pk_csv *pk_csv_new(pk_csv_read_fn read, void *ctx, size_t max_record);
/* A reader over a memory buffer (which must outlive the reader). */
pk_csv *pk_csv_new_mem(const char *data, size_t len, size_t max_record);
void pk_csv_free(pk_csv *c);

/* Reads the next record into *rec; its strings stay valid until the next
 * call.  Returns 1 for a record, 0 at end of input, PK_EINVAL for a
 * malformed record (a stray quote, text after a closing quote, an
 * unterminated quote, more than PK_CSV_MAX_FIELDS fields), PK_ETOOBIG for
 * a record longer than max_record, PK_EIO when read failed.  After
 * PK_EINVAL or PK_ETOOBIG, rec->line/end_line say where the bad record
 * was and the reader has skipped to the start of the next line, so the
 * caller may go on.  Blank lines are skipped. */
int pk_csv_next(pk_csv *c, pk_csv_record *rec);

/* Bytes consumed from the input so far (for progress reports). */
unsigned long long pk_csv_offset(const pk_csv *c);

#endif
