/* channel_http.h -- what the HTTP channels (channel_whatsapp.c,
 * channel_sms.c) share: a batch of POSTs run through one libcurl multi
 * handle, a few at a time, on connections kept open across batches
 * (HTTP/1.1 keep-alive), each with a deadline; and the small helpers they
 * both need (Retry-After, a JSON field by path, text without digits).
 * Internal to app/: not part of channel.h. */
#ifndef PK_APP_CHANNEL_HTTP_H
#define PK_APP_CHANNEL_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "app/channel.h"
#include "core/buf.h"

#define PK_HTTP_PARALLEL 8   /* transfers at once per channel */

/* One request: POST body to url with the headers ("Name: value" lines). */
typedef struct pk_http_req {
    const char *url;
    const char *const *headers;  /* NULL-terminated, or NULL */
    const char *body;
    size_t len;
} pk_http_req;

/* Its answer. */
typedef struct pk_http_resp {
    bool sent;           /* false: not attempted (the batch was stopped before it) */
    long status;         /* the HTTP status; 0: no answer (see curl_rc) */
    int curl_rc;         /* CURLcode: 0, or the transfer's failure (timeout, refused) */
    int retry_after;     /* seconds from a Retry-After header (0: none) */
    pk_buf body;         /* the answer's body (capped at 64 KiB) */
} pk_http_resp;

typedef struct pk_http pk_http;

/* A client whose transfers each end after timeout_s seconds (connecting
 * included).  NULL when memory or libcurl fails. */
pk_http *pk_http_new(int timeout_s);
void pk_http_free(pk_http *h);

/* Runs req[0..n) at most PK_HTTP_PARALLEL at once, an answer each in
 * resp[0..n) (initialised here; free them with pk_http_resp_free).  After
 * each answer `stop` (may be NULL) is asked whether to start no more: the
 * requests not started then keep sent = false.  Returns 0, or PK_ENOMEM. */
int pk_http_run(pk_http *h, const pk_http_req *req, pk_http_resp *resp, size_t n,
                bool (*stop)(void *ctx, size_t i, const pk_http_resp *r), void *ctx);
void pk_http_resp_free(pk_http_resp *r, size_t n);

/* A channel's batch of messages over HTTP (channel_sms.c,
 * channel_whatsapp.c): one POST a message to url with the headers.
 * body() writes message m's body into out and returns 0, or returns 1
 * having set res (it cannot be sent: not an E.164 number, no template),
 * or PK_ENOMEM.  answer() reads an answer into res (outcome, error,
 * retry_after, provider_id) and returns true when the settings are wrong:
 * then no more requests start, those not started carry its error, and
 * when none was OK the batch fails (PK_EDENIED, every message TEMPORARY
 * with that error: nobody's fallback is burnt on a broken setting).  A
 * message sent and not answered is TEMPORARY "<name>: no answer"; out of
 * memory, every one is TEMPORARY.  The bodies (which hold numbers) are
 * wiped when done.  Returns what pk_chan's send returns. */
typedef struct pk_http_batch {
    pk_http *http;
    const char *name;                   /* "sms": for the errors */
    const char *url;
    const char *const *headers;
    int (*body)(void *ctx, const pk_msg *m, pk_buf *out, pk_send_result *res);
    bool (*answer)(void *ctx, const pk_http_resp *r, pk_send_result *res);
    void *ctx;
} pk_http_batch;
int pk_http_batch_send(const pk_http_batch *b, const pk_msg *m, size_t n,
                       pk_send_result *res);

/* A short English description of a transfer failure ("timed out",
 * "connection refused"). */
const char *pk_http_strerror(int curl_rc);

/* The value at a dotted path ("messages.0.id", "status") of a JSON
 * document, or NULL. */
json_t *pk_json_path(json_t *root, const char *path);
/* A gateway's words for staff, made safe for a log: at most cap-1 bytes,
 * printable ASCII, every number of 5 or more digits (a phone number, an
 * address's digits) replaced by "#", its digits counted across the
 * single spaces, dashes, dots and brackets numbers are written with
 * ("+62 812-3456-7890", "(021) 555 1234"), its leading "+" with it. */
void pk_chan_safe_text(char *out, size_t cap, const char *in);

#endif
