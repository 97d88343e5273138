/* form.c -- the urlencoded form parser (see form.h). */
#include "web/form.h"

#include <stdlib.h>
#include <string.h>

#include "core/pk.h"

/* Decodes s[0..n) in place into dst (dst <= s); returns the new length or
 * -1 when malformed. */
static long decode(char *dst, const char *s, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            if (i + 2 >= n)
                return -1;
            int hi = pk_hex_digit(s[i + 1]), lo = pk_hex_digit(s[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                return -1;
            c = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == '\0') {
            return -1;
        }
        dst[o++] = c;
    }
    dst[o] = '\0';
    return (long)o;
}

int pk_form_parse(const char *body, size_t len, pk_form *f)
{
    memset(f, 0, sizeof(*f));
    f->storage = malloc(len + 1);
    if (f->storage == NULL)
        return PK_ENOMEM;
    memcpy(f->storage, body, len);
    f->storage[len] = '\0';
    char *p = f->storage, *end = f->storage + len;
    while (p < end) {
        char *amp = memchr(p, '&', (size_t)(end - p));
        char *stop = amp ? amp : end;
        if (stop == p) { /* empty pair: "a=1&&b=2" */
            p++;
            continue;
        }
        char *eq = memchr(p, '=', (size_t)(stop - p));
        char *kend = eq ? eq : stop;
        char *val = eq ? eq + 1 : stop;
        if (f->n == PK_FORM_MAX) {
            f->n = 0;
            return PK_ETOOBIG;
        }
        long kl = decode(p, p, (size_t)(kend - p));
        long vl = kl < 0 ? -1 : decode(val, val, (size_t)(stop - val));
        if (kl < 0 || vl < 0) {
            f->n = 0;
            return PK_EINVAL;
        }
        f->key[f->n] = p;
        f->val[f->n] = val;
        f->n++;
        p = stop + 1;
    }
    return 0;
}

const char *pk_form_get(const pk_form *f, const char *key)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->key[i], key) == 0)
            return f->val[i];
    return NULL;
}

void pk_form_free(pk_form *f)
{
    free(f->storage);
    memset(f, 0, sizeof(*f));
}

bool pk_form_positive(const char *s, int64_t *n)
{
    size_t len = s ? strlen(s) : 0;
    if (len == 0 || len > 18 || strspn(s, "0123456789") != len)
        return false;
    *n = strtoll(s, NULL, 10);
    return *n > 0;
}
