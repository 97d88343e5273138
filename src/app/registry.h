/* registry.h -- the participant registry: registration, exchange-file
 * import and export, exclusion lists, statistics.
 *
 * Semantics are those of the published exchange-file contract
 * (shared/spec/participants-csv.md): upsert by NIK, rejected rows with
 * reason codes, eligibility evaluated and stored for every accepted row,
 * re-evaluated when the data or the lists change.  Personal data is
 * sealed by the vault before it reaches the store. */
#ifndef PK_REGISTRY_H
#define PK_REGISTRY_H

#include <stdbool.h>
#include <stdio.h>

#include "app/app.h"

typedef struct pk_prow pk_prow; /* store/store.h: a stored row, for pk_registry_unseal */

typedef enum { PK_SAVED_INSERTED = 1, PK_SAVED_UPDATED, PK_SAVED_UNCHANGED } pk_saved;

typedef struct pk_save_result {
    int64_t id;
    pk_saved outcome;
    pk_codeset reasons;   /* eligibility after the KK limit; 0 = eligible */
} pk_save_result;

/* Registration from the portal, the API or a staff member: validate,
 * insert, commit (the record is durable when this returns 0).
 * `source` names the channel ("portal", "api", "operator"); `actor` who
 * registered, for the audit log ("user:NAME" for staff, PK_ACTOR_PUBLIC
 * for a resident).  `scope` is
 * the region subtree a staff member may register in (pk_auth_scope of
 * app/auth.h; NULL: the whole service area): it is decided here, on the
 * village code as validation normalised it (a code that does not parse
 * is refused by validation), so no form of writing a code can pass it.
 * PK_EINVAL (see out->v), PK_EDENIED (the village lies outside scope:
 * nothing written), PK_ECONFLICT (a known NIK), or another negative
 * error. */
#define PK_ACTOR_PUBLIC "public" /* the actor of a resident's own registration */

typedef struct pk_register_result {
    pk_validation v;
    pk_save_result saved;
    const pk_scheme *scheme;
} pk_register_result;

int pk_registry_register(const pk_app *app, const pk_participant_input *in, const char *source,
                         const char *actor, const char *scope, pk_register_result *out);
/* The same for a registration made through an outreach event's short
 * link (app/outreach.h): a new participant is attributed to `event`
 * (its id; 0: none) in the registration's own transaction, so neither is
 * without the other. */
int pk_registry_register_via(const pk_app *app, const pk_participant_input *in,
                             const char *source, const char *actor, const char *scope,
                             int64_t event, pk_register_result *out);

/* The id of the participant with this NIK (16 digits) in *pid, 0 when
 * none is registered; 0 or a store error. */
int pk_registry_nik_id(const pk_app *app, const char *nik, int64_t *pid);

/* Import of an exchange file read from fd, in constant memory. */
typedef struct pk_import_opts {
    const pk_scheme *scheme;  /* NULL: a known person keeps theirs, a new one gets the
                               * current scheme */
    pk_date as_of;
    FILE *rejects;            /* rejected rows as CSV, or NULL */
    /* Progress, both optional and called from the thread reading the
     * file: tick with the rows read so far and the bytes of the file read
     * of its size (0: not known, as for a pipe), every few hundred rows
     * and once at the end of the file; note with what the import is doing
     * besides (a bulk load, its indexes being built), one line of English
     * without personal data. */
    void (*tick)(void *ctx, long rows, unsigned long long bytes, unsigned long long total);
    pk_log_fn note;
    void *ctx;                /* for tick and note */
    const char *actor;        /* who imports, for the audit log ("cli:UNIXUSER") */
} pk_import_opts;

typedef struct pk_import_summary {
    long read, inserted, updated, unchanged, rejected;
    long duplicates;          /* event files: rows whose (source, ref) was stored already */
    long kept;                /* event files: rejected rows of the office stored all the same,
                               * skipped until what they lack comes (app/journey.h) */
    long made_inert;          /* event files: stored events the file's older ones made break
                               * a rule, skipped from now on */
    long differ;              /* event files: rows whose ref is stored with other content */
    long reasons[PK_C__COUNT];
    long warnings[PK_C__COUNT];
    char unknown_columns[512]; /* comma-separated, as in the header */
} pk_import_summary;

/* Returns 0 when the file was processed (rows may have been rejected),
 * PK_EINVAL when it was refused (err says why: a required column missing,
 * no header), another negative error on failure. */
int pk_registry_import(const pk_app *app, int fd, const pk_import_opts *opts,
                       pk_import_summary *sum, char *err, size_t errlen);

/* Writes the export (header, then one row per participant of the region
 * subtree, NULL for all) to out; *rows counts the participants written.
 * A participant whose sealed fields do not open with this key stops it:
 * PK_EINVAL, and *unreadable is that participant's id (0 otherwise).
 * Prints nothing: the caller reports.  rows and unreadable may be NULL. */
int pk_registry_export(const pk_app *app, const char *region, FILE *out, long *rows,
                       int64_t *unreadable);

/* A stored row back into a participant, its sealed fields opened (for
 * staff who need them: every caller records the read in the access log).
 * PK_EINVAL when the box does not open with this key. */
int pk_registry_unseal(const pk_app *app, const pk_prow *row, pk_participant *p);
/* Only the sealed fields of a row (id, nik_bi, pii and pii_len are all
 * it reads) into p's nik, no_kk, no_hp, email and alamat. */
int pk_registry_unseal_pii(const pk_app *app, const pk_prow *row, pk_participant *p);

/* Replaces an exclusion list (dtks, bsu, bpum, daftar_hitam,
 * penerima_sebelumnya; or prioritas, the draw's tier 0, which excludes
 * nobody) with the NIKs of the CSV read from fd, and
 * re-evaluates everyone added or removed. */
typedef struct pk_list_summary {
    long read, listed, rejected, reevaluated;
    long before, after; /* entries of the list before and after the replacement */
} pk_list_summary;

int pk_registry_import_list(const pk_app *app, const char *list, int fd, const char *actor,
                            pk_list_summary *sum, char *err, size_t errlen);

#endif
