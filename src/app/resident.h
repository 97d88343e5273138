/* resident.h -- residents' own access (issue #15 "Residents sign in"):
 * a one-time code sent to the person's registered phone (WhatsApp or SMS)
 * or e-mail, a resident's session, and the contact preferences they set.
 *
 * A code is 6 digits, valid PK_RCODE_TTL seconds, PK_RCODE_TRIES wrong
 * entries at most; at most PK_RCODE_PER_NIK codes a NIK in
 * PK_RCODE_WINDOW seconds and PK_RCODE_PER_DAY in PK_RCODE_DAY (per
 * client address: the rate-limit class "code" of web/ratelimit.h).  So
 * whoever guesses a NIK's codes gets at most 50 tries a day, from any
 * number of addresses: about 1 in 20,000 a day, 1 in 670 over a month
 * (at 3 codes every 15 minutes it was 1,440 a day, 1 in 25 a month).  Asking gives the same answer whether or
 * not the NIK is registered.  The code goes directly through a channel
 * (app/channel.h; not the reminders' outbox): the person's preferred
 * channel, else the reminders' order among those enabled.  The database
 * holds only a keyed BLAKE2b hash of the code (compared in constant
 * time); the code and the NIK are never logged.
 *
 * A resident's session is its own (its own table and cookie): role
 * "warga", the person's own /akun pages only; staff routes never read
 * it.  Idle and maximum lifetimes are the staff sessions' settings
 * (session_idle, session_max). */
#ifndef PK_APP_RESIDENT_H
#define PK_APP_RESIDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "app/auth.h"
#include "core/participant.h"

#define PK_RCODE_TTL 300      /* seconds a code is valid */
#define PK_RCODE_RESEND 60    /* seconds after a code in which asking again sends none:
                               * a reloaded page (its form sent again) must not void
                               * the code just received */
#define PK_RCODE_TRIES 5      /* wrong entries before a code is void */
#define PK_RCODE_PER_NIK 3    /* codes a NIK ... */
#define PK_RCODE_WINDOW 900   /* ... within this many seconds */
#define PK_RCODE_PER_DAY 10   /* codes a NIK ... */
#define PK_RCODE_DAY 86400    /* ... within this many seconds */

typedef enum {
    PK_RCODE_MASUK,           /* signing in: the preferred channel */
    PK_RCODE_TELEPON,         /* verifying the phone: WhatsApp or SMS only */
} pk_rcode_purpose;

/* Sends a new code to the person with this NIK, if there is one (the
 * caller answers the same either way).  Returns 0; PK_EINVAL (not 16
 * digits); PK_ELIMIT (*retry_after seconds: too many codes for this
 * NIK); PK_EIO (the store).  The code is handed to its channel by a
 * thread of the app's (pk_code_queue), not while the caller waits: a
 * gateway's time would tell a registered NIK from one no one has.  A
 * channel that fails is logged, and the answer is still 0: the one a NIK
 * no one has gets. */
int pk_resident_code_send(const pk_app *app, const char *nik, pk_rcode_purpose purpose,
                          int64_t now, int *retry_after);

/* The codes on their way to their channels: a queue (at most
 * PK_CODE_QUEUE_MAX; past it a code is handed over at once) and a thread,
 * started by the first code; and the turn in which a NIK's codes are
 * counted and one added (PK_RCODE_PER_NIK holds for requests at the same
 * time, within a process).  pk_code_queue_free hands over what waits,
 * then stops the thread (pk_app_close). */
#define PK_CODE_QUEUE_MAX 256
pk_code_queue *pk_code_queue_new(void);
void pk_code_queue_free(pk_code_queue *q);

/* The resident's session: the person's id, and the session id hashed. */
typedef struct pk_resident {
    int64_t participant_id;
    uint8_t sid[PK_AUTH_HASH_LEN];
} pk_resident;

/* Checks the code entered for the NIK; on success the code is spent, a
 * session opened (token: the cookie's value) and, for PK_RCODE_TELEPON,
 * the phone marked verified.  PK_EDENIED: wrong, expired, spent or no
 * code (one answer for all, a wrong entry counted); PK_EINVAL: not a NIK
 * or not 6 digits; PK_EIO. */
int pk_resident_code_check(const pk_app *app, const char *nik, const char *code,
                           pk_rcode_purpose purpose, int64_t now, char token[PK_SECRET_TEXT],
                           pk_resident *who);

/* The session of a cookie value: 0 (its last use refreshed), PK_ENOENT
 * (unknown or expired: then deleted), PK_EIO. */
int pk_resident_session(const pk_app *app, const char *token, int64_t now, pk_resident *who);
int pk_resident_logout(const pk_app *app, const pk_resident *who);
/* The CSRF token of a resident's session, and its check. */
void pk_resident_csrf(const pk_app *app, const pk_resident *who, char out[PK_SECRET_TEXT]);
bool pk_resident_csrf_ok(const pk_app *app, const pk_resident *who, const char *given);

/* The person's record, opened (for their own pages), and the reasons
 * the registry gives today that would keep them out of a draw (every
 * eligibility reason but the family card's quota, which the draw applies
 * itself; 0: none): 0, PK_ENOENT or PK_EIO.  The caller wipes it. */
int pk_resident_person(const pk_app *app, int64_t participant_id, pk_participant *out,
                       uint64_t *reasons);

/* The person's contact preference: channel "" (none), "whatsapp", "sms",
 * "email"; phone_verified_at 0 when never. */
int pk_resident_pref(const pk_app *app, int64_t participant_id, char channel[16],
                     int64_t *phone_verified_at);
/* Sets the preferred channel (PK_EINVAL when not one of the three). */
int pk_resident_pref_set(const pk_app *app, int64_t participant_id, const char *channel);

#endif
