/* unsubscribe.h -- the one-click unsubscribe of e-mail reminders
 * (reminders.md "Opt-out"; RFC 8058).
 *
 * Every reminder e-mail carries
 *   List-Unsubscribe: <https://{portal_url}/berhenti/{token}>
 *   List-Unsubscribe-Post: List-Unsubscribe=One-Click
 * and a POST to that address, without a session, stops the purpose of
 * the message for the person.  The token names the participant (their id,
 * never the NIK) and the purpose, and is signed:
 *   {id}-{p|i}-{MAC}
 * MAC the first 16 bytes of a keyed BLAKE2b (the vault's blind-index key,
 * domain "unsubscribe") of "{id}.{purpose}", base64url without padding;
 * checked in constant time.  A token cannot be made for another person or
 * purpose without the key, and it does not expire (an old e-mail's link
 * keeps working, as RFC 8058 asks). */
#ifndef PK_APP_UNSUBSCRIBE_H
#define PK_APP_UNSUBSCRIBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "core/remind.h"

#define PK_UNSUB_TOKEN_MAX 64
#define PK_UNSUB_URL_MAX 128

/* The token and the one-click address of (participant, purpose). */
int pk_unsub_token(const pk_app *app, int64_t participant_id, pk_purpose p, char *out,
                   size_t cap);
int pk_unsub_url(const pk_app *app, int64_t participant_id, pk_purpose p, char *out, size_t cap);

/* Whether token is one of ours: 0 with the participant and purpose, or
 * PK_EINVAL. */
int pk_unsub_check(const pk_app *app, const char *token, int64_t *participant_id, pk_purpose *p);

/* Stops the token's purpose for its participant (channel email, actor
 * "public", audited consent.stop with the id): *changed false when it was
 * stopped already.  PK_EINVAL for a token not ours, PK_ENOENT when the
 * participant is gone; a store error otherwise (a sentence in err). */
int pk_unsub_apply(const pk_app *app, const char *token, const char *source, bool *changed,
                   pk_purpose *p, char *err, size_t errlen);

/* Staff: the one-click address of the participant with this NIK (to give
 * a person by another way).  PK_EINVAL (not a NIK), PK_ENOENT (nobody has
 * it), with a sentence in err, never the NIK. */
int pk_unsub_url_for_nik(const pk_app *app, const char *nik, pk_purpose p, char *out,
                         size_t cap, int64_t *participant_id, char *err, size_t errlen);

#endif
