/* app.h -- the application context and its use cases.
 *
 * A `pk_app` owns what every request needs and what never changes while
 * serving: the store, the region table (read once from the store) and the
 * benefit schemes (read once from data/schemes.ini).  Use cases take the
 * app and plain inputs and return plain results; web/ and cli/ only
 * translate to and from HTTP and command lines. */
#ifndef PK_APP_H
#define PK_APP_H

#include <stdbool.h>

#include "app/config.h"
#include "app/vault.h"
#include "core/date.h"
#include "core/eligibility.h"
#include "core/nik.h"
#include "core/participant.h"
#include "core/region.h"
#include "core/scheme.h"

/* Adapters (web/, cli/) see the store only through the use cases: this
 * header names it but does not include store/store.h (tests/layers checks
 * that no adapter file does). */
typedef struct pk_store pk_store;         /* store/store.h */
typedef struct pk_committer pk_committer; /* app/committer.h */
typedef struct pk_auth pk_auth; /* app/auth.h */
typedef struct pk_refusals pk_refusals; /* app/operator.c */
typedef struct pk_code_queue pk_code_queue; /* app/resident.c */


typedef struct pk_app {
    pk_config cfg;
    pk_store *store;
    pk_regions *regions;
    pk_schemes schemes;
    pk_vault vault;           /* keys for personal data at rest */
    pk_committer *committer;  /* group commit of small writes (registrations) */
    pk_auth *auth;            /* hashing slots for passwords (app/auth.h) */
    pk_refusals *refusals;    /* rate of refused reads recorded (app/operator.h) */
    pk_code_queue *codes;     /* residents' one-time codes on their way (app/resident.h) */
    pk_log_fn log;            /* what it cannot return (core/pk.h); NULL: nowhere */
    void *log_ctx;
} pk_app;

/* How pk_app_open treats a database file that does not exist. */
enum {
    PK_APP_EXISTING = 0,     /* refuse it: PK_ENOENT (a mistyped path creates nothing) */
    PK_APP_CREATE = 1u << 0, /* create it (serve, migrate) */
};

/* Opens the store, applies pending migrations (always: a binary only runs
 * against the schema it knows), loads regions and schemes.  `flags` is
 * PK_APP_EXISTING or PK_APP_CREATE; PK_ENOENT is returned for a missing
 * database only.  The key file of a database that has sealed nothing yet
 * is created when missing (and the log says so, with where it is); a
 * database that has is refused without its key file.  On failure writes
 * an English explanation into err and leaves nothing open. */
int pk_app_open(pk_app *app, const pk_config *cfg, unsigned flags, pk_log_fn log, void *log_ctx,
                char *err, size_t errlen);
void pk_app_close(pk_app *app);
/* The calling thread serves requests: its statements wait at most the
 * setting lock_wait for a lock another transaction holds, then fail busy
 * (store.h, pk_store_thread_lock_wait).  Other threads (the command line,
 * the reminder daemon) wait as long as it takes. */
void pk_app_request_thread(const pk_app *app);

/* /healthz: 0 when the database answers, and its schema version. */
int pk_app_health(const pk_app *app, int *schema_version);
/* Whether the database's disk was full at the last write (nothing can be
 * saved until space is freed; reads still work): /healthz reports the
 * service degraded, and a write that failed meanwhile is answered 507
 * (store.h, pk_store_disk_full). */
bool pk_app_disk_full(const pk_app *app);

/* Today in Jakarta. */
pk_date pk_app_today(void);

/* The one validation of a person's record in this deployment: every
 * field checked and normalised against the region table and the service
 * area, as of `today` (the date NIK birth dates are judged against).
 * Registration, import, the API's error report and the self-check all
 * call this; see pk_participant_validate (core/participant.h). */
int pk_app_validate(const pk_app *app, const pk_participant_input *in, pk_date today,
                    pk_participant *out, pk_validation *v);

/* Use case: what a NIK says (structure only; Dukcapil is the authority). */
void pk_app_check_nik(const pk_app *app, const char *nik, size_t len, pk_nik_info *out);

/* Use case: the eligibility self-check.  Only the fields the person gave
 * (`given` has bit 1<<field for each) are validated; tanggal_lahir is
 * required.  `declared_lists` are PK_LIST_* bits the person declared
 * (a self-check has no registry behind it). */
typedef struct pk_eligibility_result {
    const pk_scheme *scheme;
    pk_date as_of;
    pk_codeset field_errors;  /* non-zero: input invalid, no verdict */
    unsigned missing;         /* required fields absent: bit 1<<field */
    pk_codeset reasons;       /* eligibility codes; 0 = eligible */
    pk_codeset warnings;
} pk_eligibility_result;

int pk_app_check_eligibility(const pk_app *app, const char *scheme_id, pk_date as_of,
                             const pk_participant_input *in, unsigned given,
                             unsigned declared_lists, pk_eligibility_result *out);

/* Use case: `prakerja migrate`.  Opens the database of cfg->db, applies
 * every pending migration (regions from cfg->data_dir) and closes it:
 * *from and *to are the schema versions before and after (equal when it
 * was up to date).  Needs neither the key file nor the schemes.  On
 * failure writes an English explanation into err. */
int pk_app_migrate(const pk_config *cfg, pk_log_fn log, void *log_ctx, int *from, int *to,
                   char *err, size_t errlen);

/* Whether cfg->db names a PostgreSQL database ("postgresql://...")
 * rather than a SQLite file. */
bool pk_app_db_is_url(const char *db);
/* The key file of cfg: key_file, or "DB.key" beside a SQLite database.
 * PK_EINVAL when a PostgreSQL database has none set. */
int pk_app_key_file(const pk_config *cfg, char *out, size_t outlen);

/* Reports through app->log (printf-style, at most 512 bytes). */
void pk_app_log(const pk_app *app, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
