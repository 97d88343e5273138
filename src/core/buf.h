/* buf.h -- a growable byte buffer with a hard size cap (curl's dynbuf).
 *
 * Every append checks the cap, so an output (a page, a JSON answer, a CSV
 * line) can never grow without bound.  The contents are always
 * NUL-terminated.
 *
 * Errors stick: the first append that fails (out of memory, or the cap
 * would be passed) poisons the buffer, and every later append fails with
 * the same code and changes nothing, until pk_buf_reset.  So a writer may
 * append many pieces without checking each one and check pk_buf_failed
 * once at the end: a page that hit its cap is never sent with a hole in
 * it (web/http.c answers 500 instead). */
#ifndef PK_BUF_H
#define PK_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct pk_buf {
    char *data;   /* NULL until the first append */
    size_t len;
    size_t cap;   /* allocated */
    size_t max;   /* hard limit on len */
    int err;      /* 0, or the first failed append's PK_E* code (sticks) */
} pk_buf;

void pk_buf_init(pk_buf *b, size_t max);
void pk_buf_free(pk_buf *b);
/* pk_buf_free, after overwriting the memory (it held personal data). */
void pk_buf_wipe_free(pk_buf *b);
void pk_buf_reset(pk_buf *b);   /* len = 0 and no error; keeps the memory */
/* Return 0, or PK_ENOMEM when memory ran out or the cap would be passed
 * (then the buffer is unchanged and poisoned), or the error of an earlier
 * failed append (the buffer is unchanged). */
int pk_buf_add(pk_buf *b, const void *p, size_t n);
int pk_buf_adds(pk_buf *b, const char *s);
int pk_buf_addc(pk_buf *b, char c);
int pk_buf_printf(pk_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int pk_buf_vprintf(pk_buf *b, const char *fmt, va_list ap);
/* The first failed append's code since the last reset, or 0. */
static inline int pk_buf_failed(const pk_buf *b) { return b->err; }
/* Gives the caller the data (malloc'ed, NUL-terminated) and resets b. */
char *pk_buf_steal(pk_buf *b, size_t *len);
/* "" when empty; never NULL. */
const char *pk_buf_str(const pk_buf *b);

#endif
