/* fuzz_cookie.c -- the Cookie header parser.  Invariants: a value found
 * is shorter than the buffer, NUL-terminated, as long as reported, made
 * only of cookie-octets, and found again when the input is read twice. */
#include "fuzz.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "web/cookie.h"

static void check(const char *h, size_t size, const char *name, size_t cap)
{
    char out[64], again[64];
    memset(out, 'X', sizeof(out));
    long n = pk_cookie_get(h, size, name, out, cap);
    if (n < 0)
        return;
    assert((size_t)n < cap);
    assert(out[n] == '\0' && strlen(out) == (size_t)n);
    for (long i = 0; i < n; i++)
        assert(out[i] > 0x20 && out[i] < 0x7f && out[i] != '"' && out[i] != ';' &&
               out[i] != ',' && out[i] != '\\');
    assert(pk_cookie_get(h, size, name, again, cap) == n && strcmp(out, again) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *h = (const char *)data;
    static const char *const names[] = {"pk_sesi", "pk_csrf", "a", "x"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        check(h, size, names[i], 64);
        check(h, size, names[i], 1);
        check(h, size, names[i], 8);
    }
    return 0;
}
