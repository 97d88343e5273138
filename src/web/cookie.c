/* cookie.c -- Cookie header parsing and Set-Cookie values (see cookie.h). */
#include "web/cookie.h"

#include <stdio.h>
#include <string.h>

#include "core/pk.h"

/* token characters of a cookie name (RFC 6265: an RFC 2616 token) */
static bool name_char(unsigned char c)
{
    return c > 0x20 && c < 0x7f && !strchr("()<>@,;:\\\"/[]?={}", c);
}

/* cookie-octet */
static bool value_char(unsigned char c)
{
    return c == 0x21 || (c >= 0x23 && c <= 0x2b) || (c >= 0x2d && c <= 0x3a) ||
           (c >= 0x3c && c <= 0x5b) || (c >= 0x5d && c <= 0x7e);
}

long pk_cookie_get(const char *header, size_t len, const char *name, char *out, size_t cap)
{
    size_t nlen = strlen(name);
    size_t i = 0;
    if (header == NULL || cap == 0)
        return -1;
    while (i < len) {
        while (i < len && (header[i] == ' ' || header[i] == '\t'))
            i++;
        size_t start = i;
        while (i < len && header[i] != ';')
            i++;
        size_t end = i; /* the pair is header[start..end) */
        i++;            /* past ';' */
        while (end > start && (header[end - 1] == ' ' || header[end - 1] == '\t'))
            end--;
        const char *eq = memchr(header + start, '=', end - start);
        if (eq == NULL)
            continue;
        size_t klen = (size_t)(eq - (header + start));
        if (klen != nlen || memcmp(header + start, name, nlen) != 0)
            continue;
        bool ok = true;
        for (size_t k = 0; k < klen; k++)
            ok = ok && name_char((unsigned char)header[start + k]);
        const char *v = eq + 1;
        size_t vlen = (size_t)(header + end - v);
        if (vlen >= 2 && v[0] == '"' && v[vlen - 1] == '"') {
            v++;
            vlen -= 2;
        }
        for (size_t k = 0; ok && k < vlen; k++)
            ok = value_char((unsigned char)v[k]);
        if (!ok)
            continue; /* a malformed pair of this name: look for a good one */
        if (vlen >= cap)
            return -1;
        memcpy(out, v, vlen);
        out[vlen] = '\0';
        return (long)vlen;
    }
    return -1;
}

int pk_cookie_format(char *out, size_t cap, const char *name, const char *value, long max_age,
                     bool secure)
{
    return pk_cookie_format_path(out, cap, name, value, "/", max_age, secure);
}

int pk_cookie_format_path(char *out, size_t cap, const char *name, const char *value,
                          const char *path, long max_age, bool secure)
{
    char age[40] = "";
    if (max_age >= 0)
        snprintf(age, sizeof(age), "; Max-Age=%ld", max_age);
    int n = snprintf(out, cap, "%s=%s; Path=%s%s; HttpOnly; SameSite=Lax%s", name, value, path,
                     age, secure ? "; Secure" : "");
    return n < 0 || (size_t)n >= cap ? PK_ETOOBIG : 0;
}
