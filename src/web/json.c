/* json.c -- request-body decoding (see json.h). */
#include "web/json.h"

#include <stdio.h>
#include <string.h>

#include "core/pk.h"
#include "core/scheme.h"

static int depth(const json_t *j)
{
    int d = 0;
    if (json_is_object(j)) {
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)j, k, v) {
            int c = depth(v);
            if (c > d)
                d = c;
        }
        return d + 1;
    }
    if (json_is_array(j)) {
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v) {
            int c = depth(v);
            if (c > d)
                d = c;
        }
        return d + 1;
    }
    return 0;
}

json_t *pk_json_parse_object(const char *body, size_t len, const char **why)
{
    json_error_t e;
    json_t *root = json_loadb(body, len, JSON_REJECT_DUPLICATES, &e);
    if (root == NULL) {
        *why = strstr(e.text, "duplicate") ? "JSON memuat kunci ganda."
                                            : "Isi permintaan bukan JSON yang valid.";
        return NULL;
    }
    if (!json_is_object(root)) {
        json_decref(root);
        *why = "Isi permintaan harus berupa objek JSON.";
        return NULL;
    }
    if (depth(root) > PK_JSON_MAX_DEPTH) {
        json_decref(root);
        *why = "Struktur JSON terlalu dalam.";
        return NULL;
    }
    return root;
}

void pk_json_field_error(json_t *fields, const char *field, const char *code,
                         const char *message)
{
    json_t *e = json_pack("{s:s, s:s, s:s}", "field", field, "code", code, "message", message);
    if (e == NULL) /* a field name that is not UTF-8: still report the error */
        e = json_pack("{s:s, s:s, s:s}", "field", "participant", "code", code, "message",
                      message);
    json_array_append_new(fields, e);
}

void pk_decode_participant(json_t *p, const char *prefix, pk_participant_input *in,
                           unsigned *given, unsigned *bad, json_t *fields)
{
    const char *key;
    json_t *v;
    json_object_foreach(p, key, v) {
        /* JSON names are exact (the CSV header is the lenient one). */
        pk_field f = pk_field_by_name(key, strlen(key));
        if (f == PK_F__COUNT || strcmp(key, pk_field_name(f)) != 0) {
            json_t *path = json_sprintf("%s%s", prefix, key);
            pk_json_field_error(fields, path ? json_string_value(path) : "participant",
                                "kolom_tidak_dikenal", "Kolom ini tidak dikenal.");
            json_decref(path);
            continue;
        }
        if (json_is_null(v))
            continue;
        if (!json_is_string(v)) {
            *bad |= 1u << f;
            pk_json_field_error(fields, pk_field_name(f), "tipe_tidak_valid",
                                "Nilai harus berupa teks.");
            continue;
        }
        /* jansson refuses "\u0000" (no JSON_ALLOW_NUL): no NUL inside. */
        in->v[f] = json_string_value(v);
        in->len[f] = json_string_length(v);
        *given |= 1u << f;
    }
}

int pk_decode_eligibility(json_t *root, pk_eligibility_request *r, json_t *fields)
{
    memset(r, 0, sizeof(*r));
    size_t before = json_array_size(fields);
    const char *key;
    json_t *v;
    json_object_foreach(root, key, v) {
        if (strcmp(key, "scheme") == 0) {
            if (json_is_string(v))
                r->scheme = json_string_value(v);
            else if (!json_is_null(v))
                pk_json_field_error(fields, "scheme", "tipe_tidak_valid",
                                    "Skema harus berupa teks, misalnya \"2023\".");
        } else if (strcmp(key, "as_of") == 0) {
            if (json_is_null(v))
                continue;
            if (!json_is_string(v) ||
                pk_date_parse(json_string_value(v), json_string_length(v), &r->as_of) != 0)
                pk_json_field_error(fields, "as_of", "tanggal_tidak_valid",
                                    "Tanggal harus berformat TTTT-BB-HH, misalnya 2026-01-31.");
            else
                r->has_as_of = true;
        } else if (strcmp(key, "participant") == 0) {
            if (json_is_object(v))
                pk_decode_participant(v, "participant.", &r->in, &r->given, &r->bad, fields);
            else
                pk_json_field_error(fields, "participant", "tipe_tidak_valid",
                                    "Data peserta harus berupa objek JSON.");
        } else if (strcmp(key, "self_declared") == 0) {
            if (!json_is_object(v)) {
                pk_json_field_error(fields, "self_declared", "tipe_tidak_valid",
                                    "Pernyataan diri harus berupa objek JSON.");
                continue;
            }
            const char *k2;
            json_t *b;
            json_object_foreach(v, k2, b) {
                unsigned bit = strcmp(k2, "penerima_bansos") == 0   ? PK_LIST_DTKS
                               : strcmp(k2, "pernah_menerima") == 0 ? PK_LIST_PENERIMA_SEBELUMNYA
                                                                    : 0;
                if (bit == 0)
                    pk_json_field_error(fields, "self_declared", "kolom_tidak_dikenal",
                                        "Kolom ini tidak dikenal.");
                else if (!json_is_boolean(b))
                    pk_json_field_error(fields, "self_declared", "tipe_tidak_valid",
                                        "Nilai harus true atau false.");
                else if (json_is_true(b))
                    r->declared_lists |= bit;
            }
        } else {
            {
            json_t *path = json_string(key);
            pk_json_field_error(fields, path ? key : "(root)", "kolom_tidak_dikenal",
                                "Kolom ini tidak dikenal.");
            json_decref(path);
        }
        }
    }
    if (!json_is_object(json_object_get(root, "participant")))
        if (json_object_get(root, "participant") == NULL)
            pk_json_field_error(fields, "participant", "wajib_diisi",
                                "Data peserta wajib diisi.");
    return json_array_size(fields) == before ? 0 : PK_EINVAL;
}
