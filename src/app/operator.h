/* operator.h -- what staff do with one person's record: search and open
 * it inside their region, always through the access log.
 *
 * Scope: the caller's (pk_auth_scope, app/auth.h: the account's region
 * subtree, or everything for an account without one).  It is applied by the store in its queries (store.h),
 * so a record outside it is indistinguishable from one that does not
 * exist.  Every read of personal data (a search result shows a masked
 * NIK, so it too opens the sealed box) writes an access-log entry first
 * or shows nothing: without a record of the read there is no read. */
#ifndef PK_OPERATOR_H
#define PK_OPERATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "app/auth.h"
#include "core/nik.h"
#include "core/participant.h"

#define PK_SEARCH_MAX 50   /* results of one search at most */
#define PK_ACTOR_MAX 64
/* A resident reading or changing their own data, signed in (Akun saya). */
#define PK_ACTOR_RESIDENT "warga"

/* "user:NAME": who read, for the access log. */
void pk_staff_actor(const pk_principal *who, char out[PK_ACTOR_MAX]);
/* (pk_nik_mask of core/nik.h masks a NIK: 3174********0001.) */
/* A query of exactly 16 digits (spaces around allowed) is a NIK. */
bool pk_query_is_nik(const char *q);

/* Appends to the access log (see pk_access_entry in store.h). */
int pk_access_record(const pk_app *app, const char *actor, const char *action,
                     const char *route, int64_t subject, const char *detail);

/* Refused reads: a record asked for that does not exist in the caller's
 * scope ("participant.notfound", the id asked as subject), or a route the
 * caller's role may not use ("route.forbidden").  Recorded like reads, so
 * that sweeping ids leaves a trace (`prakerja audit --sweeps`), but at
 * most PK_REFUSALS_PER_MINUTE a minute per account and process: the
 * first one past it is recorded with the detail "more=not-recorded", the
 * rest of that minute are not (the log cannot be flooded through this).
 * Returns what pk_access_record returns, 0 when not recorded. */
#define PK_REFUSALS_PER_MINUTE 30
int pk_access_record_refusal(const pk_app *app, const char *actor, const char *action,
                             const char *route, int64_t subject);
pk_refusals *pk_refusals_new(void);
void pk_refusals_free(pk_refusals *r);

typedef struct pk_search_hit {
    int64_t id;
    char nama[4 * PK_NAMA_MAX_CHARS + 1];
    char tanggal_lahir[11];
    char kode_wilayah[PK_REGION_CODE_MAX];
    char nik_masked[17];
    uint64_t reasons;
} pk_search_hit;

/* Searches the participants of scope by name (a substring, 3 to 100
 * bytes) or, for a 16-digit query, by NIK (exact, through the blind
 * index): a page of at most cap hits in the store's key order (names
 * that start with the query, then those with a word that does, then the
 * rest; by id within each: pk_search_key in store/store.h), the first
 * page when after is NULL, else the one after that key.  *more tells
 * whether another page follows, and *next is then its `after`.  Records
 * one access-log entry listing the ids shown (never the query when it is
 * a NIK).  PK_EINVAL for a query too short or too long, PK_EIO when the
 * read or its record failed (then nothing is shown). */
typedef struct pk_page_key {
    int tier;   /* pk_search_key's, which the layers above the app do not see */
    int64_t id;
} pk_page_key;
int pk_staff_search(const pk_app *app, const char *scope, const char *actor, const char *route,
                    const char *query, const pk_page_key *after, pk_search_hit *hits,
                    size_t cap, size_t *n, bool *by_nik, pk_page_key *next, bool *more);

/* A page's key as it travels in a URL (/peserta?q=...&lanjut=KEY):
 * opaque to the browser, the tier and id only (no personal data), at
 * most PK_SEARCH_KEY_MAX - 1 characters.  parse: false for anything
 * format did not write. */
#define PK_SEARCH_KEY_MAX 20
void pk_page_key_format(const pk_page_key *k, char out[PK_SEARCH_KEY_MAX]);
bool pk_page_key_parse(const char *s, pk_page_key *k);

/* One participant as staff see it: the clear columns and the opened
 * sealed fields. */
typedef struct pk_person {
    int64_t id;
    pk_participant p;
    char tanggal_lahir[11];
    char pendidikan[32], segmen[32], pekerjaan[32];
    char scheme[64], source[16], created_at[40], updated_at[40];
    uint64_t reasons, warnings;
} pk_person;

/* Reads participant id inside scope and opens its personal data, after
 * recording the read ("participant.view", or "participant.nik" when the
 * full NIK is to be shown).  PK_ENOENT outside the scope or unknown (the
 * refusal recorded: pk_access_record_refusal). */
int pk_staff_get(const pk_app *app, const char *scope, int64_t id, const char *actor,
                 const char *route, bool full_nik, pk_person *out);

#endif
