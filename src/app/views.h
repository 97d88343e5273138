/* views.h -- the JSON shapes of the domain objects, one definition each,
 * shared by the HTTP API and the CLI (`prakerja nik` prints what
 * GET /api/v1/nik/{nik} answers).  Every function returns a new reference
 * or NULL when memory ran out. */
#ifndef PK_VIEWS_H
#define PK_VIEWS_H

#include <jansson.h>

#include "core/nik.h"
#include "core/pk.h"
#include "core/region.h"
#include "core/scheme.h"
#include "core/timeline.h"

json_t *pk_json_codes(pk_codeset set);             /* [{"code","message"}] */
json_t *pk_json_region(const pk_region *r);        /* {"code","name"} or null */
json_t *pk_json_nik(const pk_nik_info *info);
json_t *pk_json_scheme(const pk_scheme *s);
json_t *pk_json_timeline(const pk_timeline *t);
json_t *pk_json_date(pk_date d);                   /* "YYYY-MM-DD" */
json_t *pk_json_rupiah(pk_rupiah v);               /* {"amount", "display"} */

#endif
