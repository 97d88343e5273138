/* outreach.h -- outreach events (issue #15 "Outreach and digital
 * literacy"): a sosialisasi or kelas literasi digital in a village, its
 * short link (https://{portal_url}/e/{code}) and QR code, and the
 * registrations made through that link.
 *
 * Who: operators create and edit events only in villages of their region
 * (pk_auth_scope), admins everywhere; everybody on staff reads those of
 * their scope.  An event outside the caller's scope does not exist for
 * them (PK_ENOENT), as a participant's record does not; moving one, or
 * creating one, in a village outside it is PK_EDENIED and stores nothing.
 * Every write is audited ("outreach.create", "outreach.update": the code,
 * village and what changed; source web for "user:NAME", else cli).
 *
 * Attribution: the portal's /daftar carries the event's code; the
 * registry records (participant, event) in the registration's own
 * transaction (pk_registry_register_via, registry.h). */
#ifndef PK_APP_OUTREACH_H
#define PK_APP_OUTREACH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "app/app.h"
#include "core/outreach.h"
#include "core/qr.h"

/* Characters of the text fields at most. */
#define PK_OUTREACH_TITLE_CHARS 150
#define PK_OUTREACH_PLACE_CHARS 200
#define PK_OUTREACH_ORGANISER_CHARS 150
/* The code of a short link: 8 characters of an alphabet without look-
 * alikes (no 0/o, 1/l/i), ~40 bits drawn by libsodium. */
#define PK_OUTREACH_CODE_LEN 8
#define PK_OUTREACH_ATTENDANCE_MAX 100000
/* https://{portal_url}/e/{code} */
#define PK_OUTREACH_URL_MAX 96

/* An event as typed (text, validated here).  For an update, a NULL field
 * is kept as stored. */
typedef struct pk_outreach_input {
    const char *kind;        /* "sosialisasi", "literasi_digital" */
    const char *title;
    const char *starts_at;   /* ISO 8601 with an offset: "2026-12-10T09:00+07:00" */
    const char *place;
    const char *village;     /* a village code of the service area */
    const char *organiser;
    const char *segment;     /* "" everyone, or a registry segment (pencari_kerja, ...) */
    const char *attendance;  /* "" not recorded, or a whole number 0..100000 */
} pk_outreach_input;

/* Which input an error is about (the staff page writes its own sentence
 * beside that field). */
typedef enum pk_outreach_field {
    PK_OF_NONE,
    PK_OF_KIND,
    PK_OF_TITLE,
    PK_OF_STARTS,
    PK_OF_PLACE,
    PK_OF_VILLAGE,
    PK_OF_ORGANISER,
    PK_OF_SEGMENT,
    PK_OF_ATTENDANCE,
} pk_outreach_field;

/* Creates the event with a new code and audits it, in one transaction;
 * *out receives it.  `scope`: the caller's (NULL or "": everywhere).
 * PK_EINVAL (*field and err: which input and why, in English), PK_EDENIED
 * (the village lies outside scope: *field PK_OF_VILLAGE), store errors. */
int pk_outreach_create(const pk_app *app, const pk_outreach_input *in, const char *actor,
                       const char *scope, pk_outreach *out, pk_outreach_field *field,
                       char *err, size_t errlen);
/* Changes the given fields of event `id` (the attendance too) and audits
 * what changed.  PK_ENOENT (no such event in scope), PK_EINVAL,
 * PK_EDENIED (a new village outside scope), store errors. */
int pk_outreach_update(const pk_app *app, int64_t id, const pk_outreach_input *in,
                       const char *actor, const char *scope, pk_outreach *out,
                       pk_outreach_field *field, char *err, size_t errlen);
/* One event of the caller's scope; PK_ENOENT otherwise.  Its counts are
 * of the registrants who live in the scope (an event's registrants may
 * come from other villages: a scoped caller learns nothing of them);
 * scope NULL or "" counts everyone. */
int pk_outreach_get(const pk_app *app, int64_t id, const char *scope, pk_outreach *out);

/* The events of `region` (NULL: the caller's whole scope), which must lie
 * inside scope (PK_EDENIED) and be a known region (PK_ENOENT; malformed:
 * PK_EINVAL), upcoming (starting from now, soonest first), past (newest
 * first) or all (newest first), at most `limit` (<= 0: all); their
 * counts as pk_outreach_get's. */
typedef enum { PK_OUTREACH_ALL, PK_OUTREACH_UPCOMING, PK_OUTREACH_PAST } pk_outreach_when;
int pk_outreach_list(const pk_app *app, const char *scope, const char *region,
                     pk_outreach_when when, int64_t limit, pk_outreach_cb cb, void *ctx);

/* The event of a short link's code, as typed in a URL (letters of either
 * case); PK_ENOENT for any code that is not one (malformed too). */
int pk_outreach_by_code(const pk_app *app, const char *code, pk_outreach *out);
/* The short link of a code: "https://{portal_url}/e/{code}". */
void pk_outreach_url(const pk_app *app, const char *code, char out[PK_OUTREACH_URL_MAX]);
/* The QR code of the short link.  0, or pk_qr_encode's errors. */
int pk_outreach_qr(const pk_app *app, const char *code, pk_qr *out);

/* An event's registrations and eligible as the caller may see them: for
 * one who sees no small counts (pk_stats_min_count k > 1) the rule of the
 * event's funnel (pk_funnel_hide_steps), so its page tells no more than
 * /corong?acara= does; PK_STATS_HIDDEN where hidden. */
void pk_outreach_hide_small(pk_outreach *e, int64_t k);

/* "Sosialisasi", "Kelas literasi digital" (the kind itself when unknown). */
const char *pk_outreach_kind_label(const char *kind);
/* An event as JSON (the command line's output): id, code, url, kind,
 * title, starts_at (ISO 8601, WIB), place, village, organiser, segment
 * ("" everyone), attendance (null until recorded), registrations,
 * eligible, created_by, created_at, updated_at. */
json_t *pk_outreach_json(const pk_app *app, const pk_outreach *e);

#endif
