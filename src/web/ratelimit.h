/* ratelimit.h -- rate limits of anonymous public traffic, per client
 * address, and the one way to learn a request's client address.
 *
 * Each route of routes.c names the limit class it falls under.  A class
 * is a token bucket per client address: `rate_<class>` requests per
 * minute refill it, `burst_<class>` is its size (settings, app/config.h).
 * Past it the answer is 429 with Retry-After (JSON on the API, a page on
 * the portal).  The buckets live in memory, in a fixed-size table: memory
 * stays bounded whatever the number of addresses (the least useful entry
 * is evicted), so several processes behind one balancer limit separately
 * and a restart forgets.  IPv6 addresses count per /64 (one subscriber's
 * prefix). */
#ifndef PK_RATELIMIT_H
#define PK_RATELIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "web/http.h"

typedef enum {
    PK_LIMIT_NONE = 0,  /* not limited */
    PK_LIMIT_LOOKUP,    /* NIK check (API and page), status look-up */
    PK_LIMIT_CHECK,     /* eligibility self-check (API and page) */
    PK_LIMIT_REGISTER,  /* registration (API, /daftar form) */
    PK_LIMIT_LOGIN,     /* the login form */
    PK_LIMIT_CODE,      /* residents' one-time codes (app/resident.h): asked, entered */
    PK_LIMIT_CARD,      /* a platform's purchases naming no card issued (per platform) */
    PK_LIMIT__COUNT
} pk_limit;

/* The client's address as text: the socket peer, or, only when the peer
 * is the configured `trusted_proxy`, the address that proxy saw (the
 * right-most untrusted entry of X-Forwarded-For).  "" when unknown.
 * Everything that keys on a client (rate limits, login throttling) uses
 * this. */
void pk_web_client_addr(const pk_app *app, const pk_req *req, char *out, size_t outlen);

/* Takes one request of class `cls` from the client's bucket.  Returns
 * false when allowed; true after answering 429 with Retry-After into
 * resp (JSON when api, else an HTML page).  Always false when the
 * setting rate_limits is off or cls is PK_LIMIT_NONE. */
bool pk_web_rate_limited(const pk_app *app, pk_req *req, pk_resp *resp, pk_limit cls, bool api);

/* Requests of class cls refused (429) since the process started, and the
 * class's name as the settings spell it ("lookup"); for GET /metrics. */
uint64_t pk_ratelimit_refusals(pk_limit cls);
const char *pk_limit_name(pk_limit cls);

/* A platform's purchases naming a card that was never issued: each one
 * takes a token of the platform's bucket (rate_card a minute, burst_card
 * at most), and while the bucket is empty every purchase of the platform
 * is refused (429 kartu_salah_terlalu_sering, Retry-After).  A card
 * number pays for trainings, and a platform trying numbers finds one in a
 * thousand that was issued (10^9 numbers, a million cards): an outside
 * test spent others' balances with numbers it computed.
 * pk_web_card_limited: true after answering 429 (the purchase is not
 * looked at); pk_web_card_missed: after a kartu_tidak_dikenal answer.
 * Always false / nothing when rate_limits is off. */
bool pk_web_card_limited(const pk_app *app, const char *platform, pk_resp *resp);
void pk_web_card_missed(const pk_app *app, const char *platform);

/* The bucket logic itself, for tests: key is 16 bytes.  Returns 0 when
 * allowed, else the seconds until a request would be. */
int pk_ratelimit_take(const uint8_t key[16], pk_limit cls, int per_minute, int burst);

#endif
