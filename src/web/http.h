/* http.h -- the HTTP server, the only module that knows libmicrohttpd.
 *
 * It reads a request (headers, a body bounded by max_body), hands a
 * `pk_req` to the router, sends the `pk_resp` the handler filled, adds
 * the security headers every answer carries, and writes one access-log
 * line per request: time, method, *route pattern* (never the raw path,
 * which may hold a NIK), status and duration.
 *
 * A handler's answer is checked once before it is sent: a body whose
 * buffer failed an append (core/buf.h: the cap, or out of memory) is
 * never sent truncated; the client gets 500 and the log says why.  The
 * request body, the request's scratch memory and the answer's body are
 * overwritten before they are freed (they may hold personal data). */
#ifndef PK_HTTP_H
#define PK_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "core/buf.h"

#define PK_MAX_PARAMS 4
#define PK_MAX_HEADERS 8

struct pk_principal; /* app/auth.h */
struct pk_platform_caller; /* app/platform.h */
struct pk_scratch;   /* http.c */

typedef struct pk_req {
    const char *method;        /* "GET", "POST", ... ("HEAD" is routed as GET) */
    const char *path;          /* percent-decoded path */
    const char *params[PK_MAX_PARAMS]; /* path parameters, in pattern order */
    size_t nparams;
    const char *body;          /* NUL-terminated; "" when none */
    size_t body_len;
    bool body_too_large;       /* the body passed max_body and was dropped */
    const char *route;         /* matched pattern, for the access log */
    void *conn;                /* the server's connection (opaque) */
    /* Without a server (conn NULL: a request built in memory, as
     * fuzz/fuzz_http.c does), what the accessors below read instead:
     * NULL-terminated arrays of name, value, name, value, ... (query
     * values percent-decoded), and the client's address as text. */
    const char *const *query;
    const char *const *headers;
    const char *client_addr;
    const struct pk_principal *who; /* the caller on a non-public route (set by dispatch) */
    /* the platform of a verified signed request (app/platform.h; set by pk_web_platform) */
    const struct pk_platform_caller *platform;
    /* a platform handler's store error (0: none): its request is undone
     * (PK_ECONFLICT: done again) rather than answered */
    int platform_rc;
    struct pk_scratch *scratch; /* memory of this request (pk_req_scratch) */
} pk_req;

typedef struct pk_resp {
    int status;
    const char *content_type;
    const char *cache_control; /* NULL: "no-store" */
    const char *script_src;    /* NULL: no script runs; "'self'": the page's own files */
    pk_buf body;
    const char *hname[PK_MAX_HEADERS]; /* static strings */
    char *hvalue[PK_MAX_HEADERS];      /* owned copies */
    int nheaders;
} pk_resp;

/* The request's scratch memory (h2o's per-request pool): n zeroed bytes
 * that live until the answer has been handed to the server, then are
 * overwritten and freed by the HTTP layer, whatever way the handler
 * returned.  Personal data a handler holds outside the answer (search
 * hits, an opened record, a parsed form) lives here, so no exit path can
 * leave it in memory.  NULL when memory ran out. */
void *pk_req_scratch(pk_req *req, size_t n);
/* Hands p (malloc'ed, n bytes) to the request: it is overwritten and
 * freed with the scratch memory.  On failure (out of memory) p is wiped
 * and freed at once and PK_ENOMEM returned. */
int pk_req_adopt(pk_req *req, void *p, size_t n);

/* Query-string value or NULL.  */
const char *pk_req_query(const pk_req *req, const char *key);
/* Request header value or NULL (case-insensitive name). */
const char *pk_req_header(const pk_req *req, const char *name);
/* The value of the last header of that name (a proxy appends its own
 * after any the client sent), or NULL. */
const char *pk_req_header_last(const pk_req *req, const char *name);
/* The media type of the body, lower-cased without parameters, in out. */
void pk_req_content_type(const pk_req *req, char *out, size_t outlen);

/* The client's address as text ("127.0.0.1", "::1"); "" when unknown. */
void pk_req_client_addr(const pk_req *req, char *out, size_t outlen);

/* Percent-decoding of a path or query value, in place, as the server
 * decodes them; returns the new length.  An encoded NUL ("%00") is left
 * encoded: decoded, it would silently cut the C string short
 * ("/api/v1/schemes%00.json" would route as "/api/v1/schemes"). */
size_t pk_http_unescape(char *s);

/* Overwrites and frees the request's scratch memory (pk_req_scratch);
 * the server calls it once the handler has returned.  For callers that
 * dispatch a request themselves. */
void pk_req_release(pk_req *req);

/* Adds a header (name must be a static string); value is copied. */
int pk_resp_header(pk_resp *resp, const char *name, const char *value);

typedef void (*pk_dispatch_fn)(void *ctx, pk_req *req, pk_resp *resp);

typedef struct pk_http_opts {
    const char *listen;        /* "127.0.0.1:8080", "[::1]:0" */
    int threads;               /* 0: 8 per core (handlers may wait on a group commit) */
    int max_connections;
    int per_ip_connections;    /* 0: no limit */
    int timeout;               /* seconds of silence before a connection is closed */
    int request_timeout;       /* seconds to receive a whole request (headers and body),
                                * however active the client; 0: no deadline */
    size_t max_body;
    pk_dispatch_fn dispatch;
    void *ctx;
    /* Told of every request as its answer is queued (the metrics): the
     * logged method, the route pattern (never the path), the status and
     * the seconds from its first byte; NULL: nobody. */
    void (*observe)(const char *method, const char *route, int status, double seconds);
} pk_http_opts;

typedef struct pk_http pk_http;

/* Starts serving on background threads.  Writes an explanation into err
 * on failure.  *port receives the port actually bound. */
int pk_http_start(const pk_http_opts *opts, pk_http **out, int *port, char *err, size_t errlen);
/* Stops accepting, lets requests in flight finish (at most grace_ms),
 * then closes every connection and frees the server. */
void pk_http_stop(pk_http *h, int grace_ms);

#endif
