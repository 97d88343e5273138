/* keys.h -- rotation of the seal key (`prakerja keys rotate|prune`).
 *
 * Only the seal key rotates (app/vault.h): a rotation adds a generation to
 * the key file, then re-seals every participant's personal data and every
 * exclusion note still sealed under an older generation, a batch per
 * transaction.  Readers keep working throughout: every generation stays in
 * the key file, and running processes reload it when it changes.
 *
 * Idempotent: a new generation is added only when the newest one already
 * seals every box; otherwise the run finishes the previous rotation (a
 * killed run is simply run again). */
#ifndef PK_KEYS_H
#define PK_KEYS_H

#include <stdbool.h>
#include <stdint.h>

#include "app/app.h"

typedef struct pk_rotate_summary {
    int generation;        /* the newest generation, which seals every box now */
    bool resumed;          /* no generation added: a previous rotation was finished */
    int64_t participants;  /* personal-data boxes re-sealed */
    int64_t notes;         /* exclusion notes re-sealed */
    int64_t secrets;       /* platforms' signing secrets re-sealed */
} pk_rotate_summary;

/* batch: boxes per transaction (<= 0: 1000).  `actor` (who ran it, e.g.
 * "cli:UNIXUSER") is recorded in the audit log with the summary. */
int pk_keys_rotate(pk_app *app, const char *actor, int batch, pk_rotate_summary *sum, char *err,
                   size_t errlen);

/* Removes from the key file the generations (other than 1 and the two
 * newest) that no box uses, counted first; counts[g] receives the boxes of each
 * generation.  Run it after a rotation has finished, not during one. */
int pk_keys_prune(pk_app *app, const char *actor, int *removed, int64_t counts[256], char *err,
                  size_t errlen);

#endif
