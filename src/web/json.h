/* json.h -- decoding JSON request bodies, with limits, into use-case
 * inputs.  Kept apart from the handlers (and from libmicrohttpd) so the
 * decoders can be fuzzed on their own (fuzz/fuzz_json.c). */
#ifndef PK_JSON_H
#define PK_JSON_H

#include <jansson.h>
#include <stdbool.h>

#include "core/date.h"
#include "core/participant.h"

#define PK_JSON_MAX_DEPTH 8

/* Parses a JSON object: rejects duplicate keys, depth over
 * PK_JSON_MAX_DEPTH, anything but an object at the top.  Returns the
 * object, or NULL with *why set to an Indonesian explanation. */
json_t *pk_json_parse_object(const char *body, size_t len, const char **why);

/* Adds {"field", "code", "message"} to the array `fields`. */
void pk_json_field_error(json_t *fields, const char *field, const char *code,
                         const char *message);

/* Decodes an object whose keys are the exchange file's column names
 * (exact, lower case) and whose values are strings or null into *in;
 * `given` gets 1<<field for each, `bad` for each field whose value was not
 * a string.  Unknown keys and non-string values are appended to `fields`
 * (named prefix + key). */
void pk_decode_participant(json_t *obj, const char *prefix, pk_participant_input *in,
                           unsigned *given, unsigned *bad, json_t *fields);

typedef struct pk_eligibility_request {
    const char *scheme;            /* NULL: the current scheme */
    bool has_as_of;
    pk_date as_of;
    pk_participant_input in;       /* points into the JSON object */
    unsigned given;                /* 1<<field for each field present */
    unsigned bad;                  /* 1<<field for each field of the wrong type */
    unsigned declared_lists;       /* PK_LIST_* from "self_declared" */
} pk_eligibility_request;

/* Decodes {"scheme", "as_of", "participant": {...}, "self_declared":
 * {"penerima_bansos": bool, "pernah_menerima": bool}}.  Shape errors
 * (unknown keys, wrong types, bad dates) are appended to `fields`; returns
 * 0 when none were found.  The request borrows strings from root. */
int pk_decode_eligibility(json_t *root, pk_eligibility_request *r, json_t *fields);

#endif
