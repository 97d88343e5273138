/* channel_http.c -- a batch of HTTP POSTs through one libcurl multi handle
 * (channel_http.h).  The easy handles and the multi handle live as long as
 * the channel, so connections stay open from one batch to the next. */
#include "app/channel_http.h"

#include <ctype.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "core/pk.h"

#define BODY_MAX (64 * 1024)

struct pk_http {
    CURLM *multi;
    CURL *easy[PK_HTTP_PARALLEL];
    struct curl_slist *hdr[PK_HTTP_PARALLEL];
    int timeout_ms;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

pk_http *pk_http_new(int timeout_s)
{
    pthread_once(&curl_once, curl_init_once);
    pk_http *h = calloc(1, sizeof *h);
    if (h == NULL)
        return NULL;
    h->timeout_ms = (timeout_s > 0 ? timeout_s : 10) * 1000;
    h->multi = curl_multi_init();
    if (h->multi == NULL)
        goto fail;
    for (int i = 0; i < PK_HTTP_PARALLEL; i++)
        if ((h->easy[i] = curl_easy_init()) == NULL)
            goto fail;
    return h;
fail:
    pk_http_free(h);
    return NULL;
}

void pk_http_free(pk_http *h)
{
    if (h == NULL)
        return;
    for (int i = 0; i < PK_HTTP_PARALLEL; i++) {
        if (h->easy[i] != NULL)
            curl_easy_cleanup(h->easy[i]);
        curl_slist_free_all(h->hdr[i]);
    }
    if (h->multi != NULL)
        curl_multi_cleanup(h->multi);
    free(h);
}

static size_t on_body(char *p, size_t size, size_t nmemb, void *ud)
{
    pk_http_resp *r = ud;
    size_t n = size * nmemb;
    if (r->body.len + n <= BODY_MAX)
        pk_buf_add(&r->body, p, n);
    return n; /* a longer answer is cut, not failed */
}

static size_t on_header(char *p, size_t size, size_t nmemb, void *ud)
{
    pk_http_resp *r = ud;
    size_t n = size * nmemb;
    static const char name[] = "retry-after:";
    if (n > sizeof name - 1 && n < 200 && strncasecmp(p, name, sizeof name - 1) == 0) {
        char v[200];
        memcpy(v, p + sizeof name - 1, n - (sizeof name - 1));
        v[n - (sizeof name - 1)] = '\0';
        char *s = v;
        while (*s == ' ' || *s == '\t')
            s++;
        s[strcspn(s, "\r\n")] = '\0';
        if (isdigit((unsigned char)*s)) {
            long secs = strtol(s, NULL, 10);
            r->retry_after = secs > 86400 ? 86400 : (int)secs;
        } else if (*s != '\0') {
            time_t t = curl_getdate(s, NULL);
            time_t now = time(NULL);
            if (t > now)
                r->retry_after = t - now > 86400 ? 86400 : (int)(t - now);
        }
    }
    return n;
}

static int start(pk_http *h, int slot, const pk_http_req *q, pk_http_resp *r, size_t idx)
{
    CURL *e = h->easy[slot];
    curl_easy_reset(e);
    curl_slist_free_all(h->hdr[slot]);
    h->hdr[slot] = NULL;
    struct curl_slist *l = curl_slist_append(NULL, "Expect:");
    for (const char *const *p = q->headers; l != NULL && p != NULL && *p != NULL; p++) {
        struct curl_slist *nl = curl_slist_append(l, *p);
        if (nl == NULL) {
            curl_slist_free_all(l);
            l = NULL;
        } else {
            l = nl;
        }
    }
    if (l == NULL)
        return PK_ENOMEM;
    h->hdr[slot] = l;
    curl_easy_setopt(e, CURLOPT_URL, q->url);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, q->body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)q->len);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, l);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)h->timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)h->timeout_ms);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(e, CURLOPT_PRIVATE, (void *)(uintptr_t)idx);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "prakerja");
    r->sent = true;
    return curl_multi_add_handle(h->multi, e) == CURLM_OK ? 0 : PK_ENOMEM;
}

int pk_http_run(pk_http *h, const pk_http_req *req, pk_http_resp *resp, size_t n,
                bool (*stop)(void *ctx, size_t i, const pk_http_resp *r), void *ctx)
{
    for (size_t i = 0; i < n; i++) {
        memset(&resp[i], 0, sizeof resp[i]);
        pk_buf_init(&resp[i].body, BODY_MAX + 1);
    }
    int free_slots[PK_HTTP_PARALLEL], nfree = 0;
    for (int s = PK_HTTP_PARALLEL - 1; s >= 0; s--)
        free_slots[nfree++] = s;
    size_t next = 0;
    int running = 0, active = 0, rc = 0;
    bool stopped = false;
    for (;;) {
        while (!stopped && rc == 0 && next < n && nfree > 0) {
            int slot = free_slots[--nfree];
            rc = start(h, slot, &req[next], &resp[next], next);
            if (rc != 0) {
                resp[next].sent = false;
                free_slots[nfree++] = slot;
                break;
            }
            next++;
            active++;
        }
        if (active == 0)
            break;
        if (curl_multi_perform(h->multi, &running) != CURLM_OK) {
            rc = PK_ENOMEM;
            break;
        }
        CURLMsg *m;
        int left;
        bool done = false;
        while ((m = curl_multi_info_read(h->multi, &left)) != NULL) {
            if (m->msg != CURLMSG_DONE)
                continue;
            CURL *e = m->easy_handle;
            void *priv = NULL;
            curl_easy_getinfo(e, CURLINFO_PRIVATE, &priv);
            size_t idx = (size_t)(uintptr_t)priv;
            pk_http_resp *r = &resp[idx];
            r->curl_rc = (int)m->data.result;
            if (m->data.result == CURLE_OK)
                curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &r->status);
            curl_multi_remove_handle(h->multi, e);
            for (int s = 0; s < PK_HTTP_PARALLEL; s++)
                if (h->easy[s] == e)
                    free_slots[nfree++] = s;
            active--;
            done = true;
            if (stop != NULL && !stopped && stop(ctx, idx, r))
                stopped = true;
        }
        if (!done && running > 0 && curl_multi_poll(h->multi, NULL, 0, 1000, NULL) != CURLM_OK) {
            rc = PK_ENOMEM;
            break;
        }
    }
    if (rc != 0) { /* take back what is still attached */
        for (int s = 0; s < PK_HTTP_PARALLEL; s++)
            curl_multi_remove_handle(h->multi, h->easy[s]);
    }
    return rc;
}

void pk_http_resp_free(pk_http_resp *r, size_t n)
{
    for (size_t i = 0; i < n; i++)
        pk_buf_free(&r[i].body);
}

/* ---- a channel's batch (pk_http_batch_send) ---------------------------- */

typedef struct batch_run {
    const pk_http_batch *b;
    pk_send_result *res;
    const size_t *index; /* request i is message index[i] */
    bool config_error;
    char why[sizeof(((pk_send_result *)0)->error)];
} batch_run;

static bool batch_answer(void *ctx, size_t i, const pk_http_resp *r)
{
    batch_run *x = ctx;
    pk_send_result *res = &x->res[x->index[i]];
    res->error[0] = '\0';
    bool config = x->b->answer(x->b->ctx, r, res);
    if (config && !x->config_error) {
        x->config_error = true;
        snprintf(x->why, sizeof x->why, "%s", res->error);
    }
    return config;
}

int pk_http_batch_send(const pk_http_batch *b, const pk_msg *m, size_t n,
                       pk_send_result *res)
{
    pk_http_req *req = calloc(n ? n : 1, sizeof *req);
    pk_http_resp *resp = calloc(n ? n : 1, sizeof *resp);
    size_t *index = calloc(n ? n : 1, sizeof *index);
    pk_buf *bodies = calloc(n ? n : 1, sizeof *bodies);
    int rc = 0;
    size_t nreq = 0;
    if (req == NULL || resp == NULL || index == NULL || bodies == NULL) {
        rc = PK_ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        memset(&res[i], 0, sizeof res[i]);
        pk_buf_init(&bodies[nreq], 64 * 1024);
        int r = b->body(b->ctx, &m[i], &bodies[nreq], &res[i]);
        if (r == 0 && pk_buf_failed(&bodies[nreq]))
            r = PK_ENOMEM;
        if (r != 0) {
            pk_buf_wipe_free(&bodies[nreq]);
            if (r == 1)
                continue;
            rc = PK_ENOMEM;
            goto out;
        }
        req[nreq] = (pk_http_req){.url = b->url, .headers = b->headers,
                                  .body = pk_buf_str(&bodies[nreq]), .len = bodies[nreq].len};
        res[i].outcome = PK_SEND_TEMPORARY; /* until an answer says otherwise */
        snprintf(res[i].error, sizeof res[i].error, "%s: no answer", b->name);
        index[nreq++] = i;
    }
    batch_run x = {.b = b, .res = res, .index = index};
    /* Out of memory half way: each answer read is right, the rest stay
     * TEMPORARY; the batch as a whole is not failed (some may be OK). */
    (void)pk_http_run(b->http, req, resp, nreq, batch_answer, &x);
    size_t ok = 0;
    for (size_t i = 0; i < nreq; i++)
        if (!resp[i].sent && x.config_error)
            snprintf(res[index[i]].error, sizeof res[index[i]].error, "%s", x.why);
    for (size_t i = 0; i < n; i++)
        ok += res[i].outcome == PK_SEND_OK;
    if (x.config_error && ok == 0) { /* the whole batch: the settings are wrong */
        rc = PK_EDENIED;
        for (size_t i = 0; i < n; i++) {
            res[i].outcome = PK_SEND_TEMPORARY;
            snprintf(res[i].error, sizeof res[i].error, "%s", x.why);
        }
    }
out:
    if (rc == PK_ENOMEM)
        for (size_t i = 0; i < n; i++) {
            res[i].outcome = PK_SEND_TEMPORARY;
            snprintf(res[i].error, sizeof res[i].error, "%s: out of memory", b->name);
        }
    for (size_t i = 0; bodies != NULL && i < nreq; i++)
        pk_buf_wipe_free(&bodies[i]);
    if (resp != NULL)
        pk_http_resp_free(resp, nreq);
    free(req);
    free(resp);
    free(index);
    free(bodies);
    return rc;
}

const char *pk_http_strerror(int curl_rc)
{
    switch ((CURLcode)curl_rc) {
    case CURLE_OK: return "no error";
    case CURLE_OPERATION_TIMEDOUT: return "timed out";
    case CURLE_COULDNT_CONNECT: return "connection refused";
    case CURLE_COULDNT_RESOLVE_HOST: return "host not found";
    case CURLE_SSL_CONNECT_ERROR: return "TLS handshake failed";
    case CURLE_PEER_FAILED_VERIFICATION: return "TLS certificate not trusted";
    case CURLE_GOT_NOTHING: return "empty answer";
    case CURLE_SEND_ERROR: return "send failed";
    case CURLE_RECV_ERROR: return "receive failed";
    default: return curl_easy_strerror((CURLcode)curl_rc);
    }
}

json_t *pk_json_path(json_t *root, const char *path)
{
    json_t *cur = root;
    const char *p = path;
    while (cur != NULL && *p != '\0') {
        size_t len = strcspn(p, ".");
        char key[128];
        if (len >= sizeof key)
            return NULL;
        memcpy(key, p, len);
        key[len] = '\0';
        if (json_is_array(cur)) {
            char *end;
            long i = strtol(key, &end, 10);
            cur = (*end == '\0' && len > 0 && i >= 0) ? json_array_get(cur, (size_t)i) : NULL;
        } else {
            cur = json_object_get(cur, key);
        }
        p += len;
        if (*p == '.')
            p++;
    }
    return cur;
}

/* The length of the number written at s (digits, and single separators
 * between them: space, '-', '.', '(' or ')'), 0 when s is not a digit or
 * '(' / '+' before one; *digits receives how many digits it has. */
static size_t number_at(const char *s, size_t *digits)
{
    size_t i = 0, end = 0;
    *digits = 0;
    if (s[0] == '+' || s[0] == '(')
        i = 1;
    for (;;) {
        if (isdigit((unsigned char)s[i])) {
            (*digits)++;
            end = ++i;
            continue;
        }
        if (*digits > 0 && strchr(" -.()", s[i]) != NULL && s[i] != '\0') {
            size_t j = i + 1;
            if (s[i] == ')' && s[j] == ' ')
                j++; /* "(021) 555" */
            if (isdigit((unsigned char)s[j])) {
                i = j;
                continue;
            }
            if (s[i] == ')')
                end = i + 1;
        }
        return end;
    }
}

void pk_chan_safe_text(char *out, size_t cap, const char *in)
{
    size_t o = 0;
    if (cap == 0)
        return;
    for (size_t i = 0; in != NULL && in[i] != '\0' && o + 1 < cap;) {
        size_t d = 0, n = number_at(in + i, &d);
        if (d >= 5) {
            out[o++] = '#';
            i += n;
            continue;
        }
        if (d > 0) { /* a short number as it is: "HTTP 400" */
            for (size_t k = 0; k < n && o + 1 < cap; k++)
                out[o++] = in[i + k];
            i += n;
            continue;
        }
        unsigned char c = (unsigned char)in[i++];
        out[o++] = (c >= 0x20 && c < 0x7f) ? (char)c : ' ';
    }
    out[o] = '\0';
}
