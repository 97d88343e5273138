/* journey_import.h -- event files (journey-events-csv.md): the import,
 * in constant memory and in waktu order per person, the export in the
 * same format, and the rebuild of every person's state from the events
 * alone. */
#ifndef PK_APP_JOURNEY_IMPORT_H
#define PK_APP_JOURNEY_IMPORT_H

#include <stdio.h>

#include "app/app.h"
#include "app/registry.h"
#include "core/journey.h"

/* Imports the event file read from fd as events of `source` (opts:
 * rejects, tick, note, ctx and actor are used; scheme and as_of are
 * not).  sum: read, inserted, duplicates, rejected, reasons,
 * unknown_columns.  0 when the file was processed (rows may have been
 * rejected), PK_EINVAL when it was refused (err: a required column
 * missing, no header), another negative error on failure (what was
 * committed stays: run it again). */
int pk_journey_import(const pk_app *app, int fd, pk_event_source source,
                      const pk_import_opts *opts, pk_import_summary *sum, char *err,
                      size_t errlen);

/* Writes the events of `source` of the participants of a region subtree
 * (NULL or "" for all) whose instant is `since` or later (INT64_MIN:
 * all), in the import's format, to out (a person's in (at, seq) order,
 * people in id order); *rows counts them.  Importing it again with the
 * same source changes nothing.  A participant whose NIK
 * does not open with this key stops it: PK_EINVAL, *unreadable its id. */
int pk_journey_export(const pk_app *app, pk_event_source source, const char *region,
                      int64_t since, FILE *out, long *rows, int64_t *unreadable);

/* Recomputes every participant's state from their events alone;
 * *people counts those folded, *changed those whose stored state
 * differed. */
int pk_journey_rebuild(const pk_app *app, long *people, long *changed);

#endif
