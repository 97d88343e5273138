/* buf.h -- a growable byte buffer with a hard size cap (curl's dynbuf).
 *
 * Every append checks the cap, so an output (a page, a JSON answer, a CSV
 * line) can never grow without bound.  The contents are always
 * NUL-terminated. */
#ifndef PK_BUF_H
#define PK_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct pk_buf {
    char *data;   /* NULL until the first append */
    size_t len;
    size_t cap;   /* allocated */
    size_t max;   /* hard limit on len */
} pk_buf;

void pk_buf_init(pk_buf *b, size_t max);
void pk_buf_free(pk_buf *b);
void pk_buf_reset(pk_buf *b);   /* len = 0, keeps the memory */
/* Return 0, or PK_ENOMEM when memory ran out or the cap would be passed
 * (then the buffer is unchanged). */
int pk_buf_add(pk_buf *b, const void *p, size_t n);
int pk_buf_adds(pk_buf *b, const char *s);
int pk_buf_addc(pk_buf *b, char c);
int pk_buf_printf(pk_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int pk_buf_vprintf(pk_buf *b, const char *fmt, va_list ap);
/* Gives the caller the data (malloc'ed, NUL-terminated) and resets b. */
char *pk_buf_steal(pk_buf *b, size_t *len);
/* "" when empty; never NULL. */
const char *pk_buf_str(const pk_buf *b);

#endif
