/* fuzz_form.c -- the urlencoded form parser.  Invariants: at most
 * PK_FORM_MAX fields, every key and value NUL-terminated inside the
 * parser's storage, lookups of every parsed key succeed. */
#include "fuzz.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "web/form.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    pk_form f;
    int rc = pk_form_parse((const char *)data, size, &f);
    if (rc == 0) {
        assert(f.n <= PK_FORM_MAX);
        for (size_t i = 0; i < f.n; i++) {
            assert(f.key[i] >= f.storage && f.key[i] <= f.storage + size);
            assert(strlen(f.val[i]) <= size);
            assert(pk_form_get(&f, f.key[i]) != NULL);
        }
    } else {
        assert(f.n == 0);
    }
    pk_form_free(&f);
    return 0;
}
