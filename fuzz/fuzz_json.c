/* fuzz_json.c -- the JSON request decoding of POST /api/v1/eligibility:
 * parse with limits, then decode into a use-case input.  Invariants: a
 * decoded request's strings are as long as they say and hold no NUL. */
#include "fuzz.h"

#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "web/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *why = NULL;
    json_t *root = pk_json_parse_object((const char *)data, size, &why);
    if (root == NULL) {
        assert(why != NULL);
        return 0;
    }
    json_t *fields = json_array();
    pk_eligibility_request r;
    int rc = pk_decode_eligibility(root, &r, fields);
    assert((rc == 0) == (json_array_size(fields) == 0));
    for (int f = 0; f < PK_F__COUNT; f++)
        if (r.given & (1u << f)) {
            assert(r.in.v[f] != NULL);
            assert(strlen(r.in.v[f]) == r.in.len[f]);
        }
    if (r.has_as_of)
        assert(pk_date_valid(r.as_of));
    json_decref(fields);
    json_decref(root);
    return 0;
}
