/* auth_int.h -- what auth.c and auth_tokens.c share. */
#ifndef PK_APP_AUTH_INT_H
#define PK_APP_AUTH_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/auth.h"
#include "store/store.h"

#define B64_32 43           /* base64url, no padding, of 32 bytes */
#define B64_16 22           /* ... of 16 bytes */
#define API_PREFIX "pkt_"   /* makes a leaked API token easy to recognise */

/* How long an event under a throttling key (store.h: login_failure) is
 * kept: the longest window any key is counted in, a NIK's sign-in codes
 * a day (resident.h; login_window is at most a day too).  Every add
 * forgets what is older, for every key, so one shorter horizon would
 * forget another key's events still being counted. */
#define PK_THROTTLE_KEEP (24 * 3600)

/* A keyed hash (BLAKE2b under the vault's auth key) of data in `domain`. */
void pk_au_keyed(const pk_app *app, const char *domain, const void *data, size_t n,
                 uint8_t *out, size_t outlen);
/* base64url without padding; whether s is exactly n such characters. */
void pk_au_b64(char *out, size_t cap, const uint8_t *bin, size_t n);
bool pk_au_b64_shape(const char *s, size_t n);
/* The principal of a stored user. */
void pk_au_fill_principal(const pk_user *u, pk_principal *who);
/* The audit entry of an account op by `actor` (source "cli"). */
pk_audit_entry pk_au_account_audit(const char *actor, const char *action, const char *detail);
/* The user of that name; PK_ENOENT ("no user NAME" in err) or a store error. */
int pk_au_find_user(const pk_app *app, const char *username, pk_user *u, char *err,
                    size_t errlen);

#endif
