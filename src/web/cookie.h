/* cookie.h -- the one place that reads the Cookie request header and
 * writes Set-Cookie values.
 *
 * Reading follows RFC 6265 section 4.2 leniently: pairs separated by ';',
 * blanks around them ignored, a value optionally in double quotes.  A
 * pair whose name or value holds a byte a cookie may not hold (controls,
 * blanks, '"', ',', ';', '\\', non-ASCII) is skipped, never half-read.
 * When a name occurs more than once, the first wins. */
#ifndef PK_COOKIE_H
#define PK_COOKIE_H

#include <stdbool.h>
#include <stddef.h>

/* Copies the value of cookie `name` from header[0..len) into out
 * (NUL-terminated) and returns its length; -1 when absent, malformed or
 * not shorter than cap. */
long pk_cookie_get(const char *header, size_t len, const char *name, char *out, size_t cap);

/* "name=value; Path=/; Max-Age=N; HttpOnly; SameSite=Lax[; Secure]".
 * max_age < 0 leaves Max-Age out (a browser-session cookie); 0 deletes.
 * Returns 0, or PK_ETOOBIG when it does not fit in cap. */
int pk_cookie_format(char *out, size_t cap, const char *name, const char *value, long max_age,
                     bool secure);
/* The same for a cookie sent only to paths under `path` ("/daftar"). */
int pk_cookie_format_path(char *out, size_t cap, const char *name, const char *value,
                          const char *path, long max_age, bool secure);

#endif
