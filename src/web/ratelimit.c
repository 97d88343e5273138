/* ratelimit.c -- per-address token buckets in a bounded table (see
 * ratelimit.h). */
#include "web/ratelimit.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "web/html.h"
#include "web/web.h"

/* A set-associative table: a keyed hash of (address, class) picks a set
 * of WAYS entries; a new key takes a free entry of its set, else one whose
 * bucket has refilled completely (forgetting it loses nothing), else the
 * one seen longest ago.  SETS * WAYS = 32,768 entries of 40 bytes:
 * 1.25 MiB at most, static (zero pages until touched).  An entry refills
 * within a minute or so at the default rates, so that is room for every
 * address active in that time at a busy deployment; past it the oldest
 * are forgotten (the limit then errs towards letting through).  The hash key is random
 * per process, so nobody can aim many addresses at one set to evict a
 * given client's entry.  One lock per group of sets. */
#define SETS 4096u
#define WAYS 8u
#define LOCKS 256u

typedef struct entry {
    uint8_t key[16];
    uint8_t cls;
    uint8_t used;
    float tokens;
    float rate;   /* tokens per second, when last seen */
    float burst;
    double last;  /* monotonic seconds */
} entry;

static entry table[SETS * WAYS];
static pthread_mutex_t locks[LOCKS];
static unsigned char hkey[crypto_shorthash_KEYBYTES];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void init(void)
{
    if (sodium_init() < 0)
        abort();
    randombytes_buf(hkey, sizeof(hkey));
    for (unsigned i = 0; i < LOCKS; i++)
        pthread_mutex_init(&locks[i], NULL);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double refilled(const entry *e, double now)
{
    double t = (double)e->tokens + (now - e->last) * (double)e->rate;
    return t > (double)e->burst ? (double)e->burst : t;
}

/* Takes a token from the bucket of (key, cls), or only looks whether one
 * is there (peek): 0, or the seconds until one would be. */
static int bucket(const uint8_t key[16], pk_limit cls, int per_minute, int burst, bool peek)
{
    pthread_once(&once, init);
    uint8_t in[17];
    memcpy(in, key, 16);
    in[16] = (uint8_t)cls;
    uint8_t h[crypto_shorthash_BYTES];
    crypto_shorthash(h, in, sizeof(in), hkey);
    uint64_t hv = 0;
    for (size_t i = 0; i < sizeof(h); i++)
        hv = hv << 8 | h[i];
    unsigned set = (unsigned)(hv % SETS);
    entry *ways = &table[(size_t)set * WAYS];
    double now = now_s();
    double rate = per_minute / 60.0;
    int retry = 0;

    pthread_mutex_lock(&locks[set % LOCKS]);
    entry *e = NULL, *victim = NULL;
    double vscore = 0;
    for (unsigned i = 0; i < WAYS && e == NULL; i++) {
        entry *w = &ways[i];
        if (w->used && w->cls == (uint8_t)cls && memcmp(w->key, key, 16) == 0) {
            e = w;
            break;
        }
        /* lower is a better victim: free, refilled, then seen longest ago */
        double score = !w->used ? -2.0 : refilled(w, now) >= (double)w->burst ? -1.0 : w->last;
        if (victim == NULL || score < vscore) {
            victim = w;
            vscore = score;
        }
    }
    double tokens;
    if (e != NULL) {
        tokens = refilled(e, now);
        if (tokens > burst) /* the setting shrank */
            tokens = burst;
    } else {
        e = victim;
        memcpy(e->key, key, 16);
        e->cls = (uint8_t)cls;
        e->used = 1;
        tokens = burst;
    }
    if (tokens >= 1.0) {
        tokens -= peek ? 0.0 : 1.0;
    } else {
        double wait = (1.0 - tokens) / rate; /* seconds, rounded up */
        retry = (int)wait + ((double)(int)wait < wait);
        if (retry < 1)
            retry = 1;
    }
    e->tokens = (float)tokens;
    e->rate = (float)rate;
    e->burst = (float)burst;
    e->last = now;
    pthread_mutex_unlock(&locks[set % LOCKS]);
    return retry;
}

int pk_ratelimit_take(const uint8_t key[16], pk_limit cls, int per_minute, int burst)
{
    return bucket(key, cls, per_minute, burst, false);
}

/* ---- client addresses ------------------------------------------------- */

/* An address as 16 bytes (IPv4 as ::ffff:a.b.c.d); surrounding blanks
 * are ignored. */
static bool parse_addr(const char *s, size_t n, uint8_t out[16])
{
    while (n > 0 && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    char buf[INET6_ADDRSTRLEN + 1];
    if (n == 0 || n >= sizeof(buf))
        return false;
    memcpy(buf, s, n);
    buf[n] = '\0';
    uint8_t a4[4];
    if (inet_pton(AF_INET, buf, a4) == 1) {
        memset(out, 0, 10);
        out[10] = out[11] = 0xff;
        memcpy(out + 12, a4, 4);
        return true;
    }
    return inet_pton(AF_INET6, buf, out) == 1;
}

static bool is_v4(const uint8_t a[16])
{
    static const uint8_t prefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    return memcmp(a, prefix, 12) == 0;
}

static void format_addr(const uint8_t a[16], char *out, size_t outlen)
{
    if (is_v4(a))
        inet_ntop(AF_INET, a + 12, out, (socklen_t)outlen);
    else
        inet_ntop(AF_INET6, a, out, (socklen_t)outlen);
}

/* The client address as 16 bytes; false when unknown. */
static bool client_bytes(const pk_app *app, const pk_req *req, uint8_t out[16])
{
    char peer[INET6_ADDRSTRLEN];
    pk_req_client_addr(req, peer, sizeof(peer));
    if (!parse_addr(peer, strlen(peer), out))
        return false;
    uint8_t proxy[16];
    const char *tp = app->cfg.trusted_proxy;
    if (tp[0] == '\0' || !parse_addr(tp, strlen(tp), proxy) || memcmp(proxy, out, 16) != 0)
        return true; /* no proxy, or not from it: the socket peer, whatever the headers say */
    /* From the trusted proxy: X-Forwarded-For is "client, proxy1, ...",
     * each hop appending the address it was connected from.  Only the
     * entries added by hops we trust are believable; everything to their
     * left was written by the client and can be forged ("X-Forwarded-For:
     * 1.2.3.4" would otherwise buy a fresh bucket per request).  So the
     * right-most entry that is not our proxy is the client: the address
     * our proxy saw.  (The left-most would be the "original" client only
     * if every hop were trusted.)  Without a usable entry, the proxy's
     * own address counts: such requests share one bucket rather than
     * escape the limit. */
    const char *xff = pk_req_header_last(req, "X-Forwarded-For");
    if (xff == NULL)
        return true;
    size_t end = strlen(xff);
    while (end > 0) {
        size_t start = end;
        while (start > 0 && xff[start - 1] != ',')
            start--;
        uint8_t a[16];
        if (!parse_addr(xff + start, end - start, a))
            return true;
        if (memcmp(a, proxy, 16) != 0) {
            memcpy(out, a, 16);
            return true;
        }
        end = start > 0 ? start - 1 : 0;
    }
    return true;
}

void pk_web_client_addr(const pk_app *app, const pk_req *req, char *out, size_t outlen)
{
    uint8_t a[16];
    out[0] = '\0';
    if (client_bytes(app, req, a))
        format_addr(a, out, outlen);
}

/* ---- the 429 answer --------------------------------------------------- */

static _Atomic uint64_t refusals[PK_LIMIT__COUNT]; /* since the start, per class */

uint64_t pk_ratelimit_refusals(pk_limit cls)
{
    return cls > PK_LIMIT_NONE && cls < PK_LIMIT__COUNT ? atomic_load(&refusals[cls]) : 0;
}

const char *pk_limit_name(pk_limit cls)
{
    static const char *const names[PK_LIMIT__COUNT] = {
        [PK_LIMIT_NONE] = "none", [PK_LIMIT_LOOKUP] = "lookup", [PK_LIMIT_CHECK] = "check",
        [PK_LIMIT_REGISTER] = "register", [PK_LIMIT_LOGIN] = "login",
        [PK_LIMIT_CODE] = "code", [PK_LIMIT_CARD] = "card",
    };
    return cls >= 0 && cls < PK_LIMIT__COUNT ? names[cls] : "none";
}

/* The 429 of class cls: counted, Retry-After, the words of the class
 * (JSON when api, else a page). */
static void refuse(const pk_app *app, pk_resp *resp, pk_limit cls, int retry, bool api)
{
    atomic_fetch_add(&refusals[cls], 1);
    char secs[16], msg[240];
    snprintf(secs, sizeof(secs), "%d", retry);
    pk_resp_header(resp, "Retry-After", secs);
    if (cls == PK_LIMIT_CARD)
        snprintf(msg, sizeof(msg),
                 "Terlalu banyak pembelian dengan nomor kartu yang tidak dikenal dari platform "
                 "ini. Pembelian dari platform ini ditolak selama %d detik.",
                 retry);
    else
        snprintf(msg, sizeof(msg),
                 "Terlalu banyak permintaan dari jaringan internet Anda. Silakan coba lagi "
                 "dalam %d detik.",
                 retry);
    if (api)
        pk_reply_error(resp, 429,
                       cls == PK_LIMIT_CARD ? "kartu_salah_terlalu_sering"
                                            : "terlalu_banyak_permintaan",
                       msg, NULL);
    else
        pk_html_error_page(app, resp, 429, "Terlalu banyak permintaan", msg);
}

/* The bucket of a platform's unknown cards: its code, hashed to 16 bytes. */
static void card_key(const char *platform, uint8_t key[16])
{
    crypto_generichash(key, 16, (const unsigned char *)platform, strlen(platform), NULL, 0);
}

bool pk_web_card_limited(const pk_app *app, const char *platform, pk_resp *resp)
{
    const pk_config *c = &app->cfg;
    if (!c->rate_limits)
        return false;
    uint8_t key[16];
    card_key(platform, key);
    int retry = bucket(key, PK_LIMIT_CARD, c->rate_card, c->burst_card, true);
    if (retry == 0)
        return false;
    refuse(app, resp, PK_LIMIT_CARD, retry, true);
    return true;
}

void pk_web_card_missed(const pk_app *app, const char *platform)
{
    const pk_config *c = &app->cfg;
    if (!c->rate_limits)
        return;
    uint8_t key[16];
    card_key(platform, key);
    (void)bucket(key, PK_LIMIT_CARD, c->rate_card, c->burst_card, false);
}

bool pk_web_rate_limited(const pk_app *app, pk_req *req, pk_resp *resp, pk_limit cls, bool api)
{
    const pk_config *c = &app->cfg;
    if (!c->rate_limits || cls <= PK_LIMIT_NONE || cls >= PK_LIMIT__COUNT)
        return false;
    const int rates[PK_LIMIT__COUNT][2] = {
        [PK_LIMIT_LOOKUP] = {c->rate_lookup, c->burst_lookup},
        [PK_LIMIT_CHECK] = {c->rate_check, c->burst_check},
        [PK_LIMIT_REGISTER] = {c->rate_register, c->burst_register},
        [PK_LIMIT_LOGIN] = {c->rate_login, c->burst_login},
        [PK_LIMIT_CODE] = {c->rate_code, c->burst_code},
    };
    uint8_t key[16];
    if (!client_bytes(app, req, key))
        memset(key, 0, sizeof(key)); /* unknown: one shared bucket */
    if (!is_v4(key))
        memset(key + 8, 0, 8); /* IPv6: per /64 */
    int retry = pk_ratelimit_take(key, cls, rates[cls][0], rates[cls][1]);
    if (retry == 0)
        return false;
    refuse(app, resp, cls, retry, api);
    return true;
}
