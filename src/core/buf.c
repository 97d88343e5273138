/* buf.c -- growable, capped, always NUL-terminated byte buffer (buf.h). */
#include "core/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pk.h"

void pk_buf_init(pk_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
    b->err = 0;
}

void pk_buf_free(pk_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->err = 0;
}

void pk_buf_wipe_free(pk_buf *b)
{
    if (b->data)
        explicit_bzero(b->data, b->cap);
    pk_buf_free(b);
}

void pk_buf_reset(pk_buf *b)
{
    b->len = 0;
    b->err = 0;
    if (b->data)
        b->data[0] = '\0';
}

/* Makes room for `need` more bytes plus the NUL.  Growth is geometric so
 * that n appends cost O(n) in total, but never allocates beyond max + 1. */
static int buf_reserve(pk_buf *b, size_t need)
{
    if (b->err)
        return b->err;
    if (need > b->max || b->len > b->max - need)
        return b->err = PK_ENOMEM;
    size_t want = b->len + need + 1;
    if (want <= b->cap)
        return 0;
    size_t ncap = b->cap ? b->cap : 64;
    while (ncap < want) {
        if (ncap > SIZE_MAX / 2) {
            ncap = want;
            break;
        }
        ncap *= 2;
    }
    if (b->max < SIZE_MAX && ncap > b->max + 1)
        ncap = b->max + 1;
    char *p = realloc(b->data, ncap);
    if (!p)
        return b->err = PK_ENOMEM;
    b->data = p;
    b->cap = ncap;
    return 0;
}

int pk_buf_add(pk_buf *b, const void *p, size_t n)
{
    int rc = buf_reserve(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int pk_buf_adds(pk_buf *b, const char *s)
{
    return pk_buf_add(b, s, strlen(s));
}

int pk_buf_addc(pk_buf *b, char c)
{
    return pk_buf_add(b, &c, 1);
}

int pk_buf_vprintf(pk_buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (b->err)
        return b->err;
    if (n < 0)
        return b->err = PK_EINVAL;
    int rc = buf_reserve(b, (size_t)n);
    if (rc)
        return rc;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return 0;
}

int pk_buf_printf(pk_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = pk_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

char *pk_buf_steal(pk_buf *b, size_t *len)
{
    char *p = b->data;
    size_t n = b->len;
    if (!p) {
        /* The caller is promised a malloc'ed string even when nothing was
         * ever appended. */
        p = malloc(1);
        if (!p) {
            if (len)
                *len = 0;
            return NULL;
        }
        p[0] = '\0';
        n = 0;
    }
    if (len)
        *len = n;
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->err = 0;
    return p;
}

const char *pk_buf_str(const pk_buf *b)
{
    return b->data ? b->data : "";
}
