/* form.h -- application/x-www-form-urlencoded bodies (and query strings).
 *
 * Decodes '+' and %XX, keeps at most PK_FORM_MAX fields, refuses a
 * malformed escape or an encoded NUL.  The first occurrence of a key
 * wins. */
#ifndef PK_FORM_H
#define PK_FORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PK_FORM_MAX 64

typedef struct pk_form {
    size_t n;
    const char *key[PK_FORM_MAX];
    const char *val[PK_FORM_MAX];
    char *storage;
} pk_form;

/* Returns 0, PK_EINVAL (malformed; *f is empty), PK_ETOOBIG (more than
 * PK_FORM_MAX fields) or PK_ENOMEM.  Free with pk_form_free in every case. */
int pk_form_parse(const char *body, size_t len, pk_form *f);
/* Value of key, or NULL. */
const char *pk_form_get(const pk_form *f, const char *key);
void pk_form_free(pk_form *f);
/* A whole number >= 1 of up to 18 digits (a wave's number, an id in a
 * path or a field): true and *n, or false. */
bool pk_form_positive(const char *s, int64_t *n);

#endif
