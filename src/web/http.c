/* http.c -- libmicrohttpd behind the pk_http interface (see http.h). */
#include "web/http.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "core/pk.h"

/* A connection, for the request deadline.  In a list shared with the
 * reaper thread, linked and unlinked under `mu` (once per connection);
 * the deadline itself is one atomic value, so a request takes no lock. */
typedef struct conn_watch {
    struct conn_watch *prev, *next;
    int fd;
    /* the monotonic second by which the request being received must be
     * in whole (from the connection's start, or the end of the previous
     * request on it); 0 while a handler runs or an answer is sent */
    _Atomic int64_t deadline;
    bool cut;       /* already shut down by the reaper (under mu) */
} conn_watch;

static int64_t mono_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec;
}

struct pk_http {
    struct MHD_Daemon *d;
    pk_http_opts opts;
    atomic_int inflight;
    pthread_mutex_t mu;
    pthread_cond_t wake;
    conn_watch conns;     /* list head (circular) */
    bool stopping;
    pthread_t reaper;
    bool reaper_running;
    int listen_fd;        /* the daemon's listening socket (MHD closes it at stop) */
};

/* Scratch memory of one request: a list of blocks, each wiped and freed
 * when the request's answer has been queued (pk_req_scratch). */
struct pk_scratch {
    struct pk_scratch *next;
    void *p;
    size_t n;
};

void *pk_req_scratch(pk_req *req, size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (p == NULL || pk_req_adopt(req, p, n) != 0)
        return NULL;
    return p;
}

int pk_req_adopt(pk_req *req, void *p, size_t n)
{
    if (p == NULL)
        return 0;
    struct pk_scratch *s = malloc(sizeof(*s));
    if (s == NULL) {
        explicit_bzero(p, n);
        free(p);
        return PK_ENOMEM;
    }
    s->p = p;
    s->n = n;
    s->next = req->scratch;
    req->scratch = s;
    return 0;
}

void pk_req_release(pk_req *req)
{
    while (req->scratch != NULL) {
        struct pk_scratch *s = req->scratch;
        req->scratch = s->next;
        explicit_bzero(s->p, s->n);
        free(s->p);
        free(s);
    }
}

static conn_watch *watch_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

/* The request has been received (receiving false) or answered and a new
 * one may come (true: its deadline counts from now). */
static void watch_set(pk_http *h, struct MHD_Connection *conn, bool receiving)
{
    if (h->opts.request_timeout <= 0)
        return; /* no deadline: connections are not watched */
    conn_watch *w = watch_of(conn);
    if (w != NULL)
        atomic_store(&w->deadline, receiving ? mono_seconds() + h->opts.request_timeout : 0);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    pk_http *h = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        conn_watch *w = calloc(1, sizeof(*w));
        if (w == NULL || ci == NULL) {
            free(w);
            return; /* not watched: only the idle timeout applies */
        }
        w->fd = ci->connect_fd;
        atomic_init(&w->deadline, mono_seconds() + h->opts.request_timeout);
        pthread_mutex_lock(&h->mu);
        w->next = h->conns.next;
        w->prev = &h->conns;
        h->conns.next->prev = w;
        h->conns.next = w;
        pthread_mutex_unlock(&h->mu);
        *socket_context = w;
    } else if (*socket_context != NULL) {
        /* MHD tells before it closes the socket, so the reaper never
         * touches a descriptor that has been reused. */
        conn_watch *w = *socket_context;
        pthread_mutex_lock(&h->mu);
        w->prev->next = w->next;
        w->next->prev = w->prev;
        pthread_mutex_unlock(&h->mu);
        free(w);
        *socket_context = NULL;
    }
}

/* Once a second: a connection that has been sending one request for
 * longer than request_timeout (a client trickling bytes keeps the idle
 * timeout from ever firing) is shut down; MHD then closes it. */
static void *reaper(void *arg)
{
    pk_http *h = arg;
    pthread_mutex_lock(&h->mu);
    while (!h->stopping) {
        struct timespec until;
        int64_t now = mono_seconds();
        int cut = 0;
        for (conn_watch *w = h->conns.next; w != &h->conns; w = w->next) {
            int64_t d = atomic_load(&w->deadline);
            if (d != 0 && !w->cut && now >= d) {
                shutdown(w->fd, SHUT_RDWR);
                w->cut = true;
                cut++;
            }
        }
        if (cut > 0) {
            char line[160];
            int n = snprintf(line, sizeof(line),
                             "prakerja: http: closed %d connection(s) that did not send a whole "
                             "request within %d s\n", cut, h->opts.request_timeout);
            ssize_t wr = write(STDERR_FILENO, line, (size_t)n);
            (void)wr;
        }
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        pthread_cond_timedwait(&h->wake, &h->mu, &until);
    }
    pthread_mutex_unlock(&h->mu);
    return NULL;
}

/* Per-request state, lives from the first access-handler call to the
 * request-completed callback. */
typedef struct reqstate {
    struct timespec start;
    pk_buf body;
    bool too_big;
    const char *route;
    const char *method;
    int status;
} reqstate;

/* A request built in memory (conn NULL): the value of the first (or,
 * last, the last) pair named key in a NULL-terminated name/value array;
 * names compared as MHD does (query keys exactly, headers ignoring case). */
static const char *pairs_lookup(const char *const *kv, const char *key, bool nocase, bool last)
{
    const char *found = NULL;
    for (size_t i = 0; kv != NULL && kv[i] != NULL && kv[i + 1] != NULL; i += 2)
        if ((nocase ? strcasecmp(kv[i], key) : strcmp(kv[i], key)) == 0) {
            found = kv[i + 1];
            if (!last)
                break;
        }
    return found;
}

const char *pk_req_query(const pk_req *req, const char *key)
{
    if (req->conn == NULL)
        return pairs_lookup(req->query, key, false, false);
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *pk_req_header(const pk_req *req, const char *name)
{
    if (req->conn == NULL)
        return pairs_lookup(req->headers, name, true, false);
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

typedef struct last_hdr {
    const char *name, *value;
} last_hdr;

static enum MHD_Result on_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
    last_hdr *l = cls;
    (void)kind;
    if (key != NULL && value != NULL && strcasecmp(key, l->name) == 0)
        l->value = value;
    return MHD_YES;
}

const char *pk_req_header_last(const pk_req *req, const char *name)
{
    if (req->conn == NULL)
        return pairs_lookup(req->headers, name, true, true);
    last_hdr l = {name, NULL};
    MHD_get_connection_values(req->conn, MHD_HEADER_KIND, on_header, &l);
    return l.value;
}

void pk_req_content_type(const pk_req *req, char *out, size_t outlen)
{
    const char *ct = pk_req_header(req, "Content-Type");
    size_t n = 0;
    if (ct != NULL)
        for (; ct[n] && ct[n] != ';' && n + 1 < outlen; n++)
            out[n] = (char)tolower((unsigned char)ct[n]);
    while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\t'))
        n--;
    out[n] = '\0';
}

void pk_req_client_addr(const pk_req *req, char *out, size_t outlen)
{
    out[0] = '\0';
    if (req->conn == NULL) {
        snprintf(out, outlen, "%s", req->client_addr ? req->client_addr : "");
        return;
    }
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci == NULL || ci->client_addr == NULL)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, out,
                  (socklen_t)outlen);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, out,
                  (socklen_t)outlen);
}

int pk_resp_header(pk_resp *resp, const char *name, const char *value)
{
    if (resp->nheaders >= PK_MAX_HEADERS)
        return PK_ENOMEM;
    char *v = strdup(value);
    if (v == NULL)
        return PK_ENOMEM;
    resp->hname[resp->nheaders] = name;
    resp->hvalue[resp->nheaders++] = v;
    return 0;
}

static double ms_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* One line, one write(2), so lines from several threads never mix. */
static void access_log(const reqstate *st)
{
    char line[256], ts[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
    int n = snprintf(line, sizeof(line), "%s %s %s %d %.2fms\n", ts,
                     st->method ? st->method : "-", st->route ? st->route : "-", st->status,
                     ms_since(&st->start));
    if (n > 0) {
        ssize_t w = write(STDERR_FILENO, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
        (void)w;
    }
}

static const char *loggable_method(const char *m)
{
    /* Only methods we know are logged verbatim: a hostile method string
     * never reaches the log. */
    static const char *known[] = {"GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
    for (size_t i = 0; i < PK_ARRAY_LEN(known); i++)
        if (strcmp(m, known[i]) == 0)
            return known[i];
    return "OTHER";
}

/* An answer's body, owned by the server until it has been sent; then
 * overwritten (a page may show personal data) and freed. */
typedef struct sent_body {
    char *data;
    size_t len;
} sent_body;

static void sent_body_free(void *cls)
{
    sent_body *sb = cls;
    explicit_bzero(sb->data, sb->len);
    free(sb->data);
    free(sb);
}

/* Replaces an answer whose body failed an append (it would go out with a
 * hole in it) by a 500 of the same kind, without the handler's headers,
 * and says so in the log (the route pattern only). */
static void replace_failed(const pk_req *req, pk_resp *resp)
{
    char line[200];
    int n = snprintf(line, sizeof(line),
                     "prakerja: http: %s: answer not complete (larger than its cap, or out "
                     "of memory), sent 500 instead\n",
                     req->route ? req->route : "-");
    if (n > 0) {
        ssize_t w = write(STDERR_FILENO, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
        (void)w;
    }
    bool json = resp->content_type != NULL && strncmp(resp->content_type, "application/json", 16) == 0;
    pk_buf_reset(&resp->body);
    for (int i = 0; i < resp->nheaders; i++)
        free(resp->hvalue[i]);
    resp->nheaders = 0;
    resp->status = 500;
    resp->cache_control = NULL;
    if (json) {
        pk_buf_adds(&resp->body, "{\"error\":{\"code\":\"kesalahan_server\",\"message\":"
                                 "\"Terjadi kesalahan pada server.\",\"fields\":[]}}\n");
    } else {
        resp->content_type = "text/html; charset=utf-8";
        pk_buf_adds(&resp->body, "<!doctype html>\n<html lang=\"id\"><head><meta charset=\"utf-8\">"
                                 "<title>Kesalahan server</title></head><body><h1>Terjadi "
                                 "kesalahan pada server</h1><p>Silakan coba lagi sebentar lagi."
                                 "</p><p><a href=\"/\">Kembali ke beranda</a></p></body></html>\n");
    }
}

static enum MHD_Result send_response(struct MHD_Connection *conn, reqstate *st, pk_resp *resp)
{
    sent_body *sb = malloc(sizeof(*sb));
    if (sb == NULL)
        return MHD_NO;
    sb->data = pk_buf_steal(&resp->body, &sb->len);
    if (sb->data == NULL) {
        free(sb);
        return MHD_NO;
    }
    struct MHD_Response *r = MHD_create_response_from_buffer_with_free_callback_cls(
        sb->len, sb->data, sent_body_free, sb);
    if (r == NULL) {
        sent_body_free(sb);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type",
                            resp->content_type ? resp->content_type : "text/plain; charset=utf-8");
    MHD_add_response_header(r, "Cache-Control",
                            resp->cache_control ? resp->cache_control : "no-store");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    /* staff pages with a chart run the service's own scripts (never
     * inline ones); every other answer runs none */
    char csp[256];
    snprintf(csp, sizeof(csp),
             "default-src 'none'; style-src 'self'; img-src 'self'; %s%s%s"
             "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
             resp->script_src ? "script-src " : "", resp->script_src ? resp->script_src : "",
             resp->script_src ? "; " : "");
    MHD_add_response_header(r, "Content-Security-Policy", csp);
    for (int i = 0; i < resp->nheaders; i++)
        MHD_add_response_header(r, resp->hname[i], resp->hvalue[i]);
    st->status = resp->status;
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)resp->status, r);
    MHD_destroy_response(r);
    return ret;
}

static void resp_free(pk_resp *resp)
{
    pk_buf_wipe_free(&resp->body);
    for (int i = 0; i < resp->nheaders; i++)
        free(resp->hvalue[i]);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    pk_http *h = cls;
    reqstate *st = *con_cls;
    if (st == NULL) {
        st = calloc(1, sizeof(*st));
        if (st == NULL)
            return MHD_NO;
        clock_gettime(CLOCK_MONOTONIC, &st->start);
        pk_buf_init(&st->body, h->opts.max_body);
        st->method = loggable_method(method);
        *con_cls = st;
        atomic_fetch_add(&h->inflight, 1);
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        if (cl != NULL && strtoull(cl, NULL, 10) > h->opts.max_body)
            st->too_big = true; /* answered below without reading the body */
        else
            return MHD_YES; /* answer on a later call: see engineering notes */
    }
    if (*upload_data_size > 0) {
        /* Past the cap the rest is read and dropped: MHD may not be
         * answered while upload data is pending. */
        if (!st->too_big && pk_buf_add(&st->body, upload_data, *upload_data_size) != 0)
            st->too_big = true;
        *upload_data_size = 0;
        return MHD_YES;
    }

    watch_set(h, conn, false); /* the whole request is in */
    pk_resp resp = {.status = 500};
    pk_buf_init(&resp.body, 4 * 1024 * 1024);
    pk_req req = {.method = method, .path = url, .conn = conn};
    req.body_too_large = st->too_big;
    req.body = st->too_big ? "" : pk_buf_str(&st->body);
    req.body_len = st->too_big ? 0 : st->body.len;
    h->opts.dispatch(h->opts.ctx, &req, &resp);
    pk_req_release(&req);
    if (pk_buf_failed(&resp.body))
        replace_failed(&req, &resp);
    if (st->too_big)
        pk_resp_header(&resp, "Connection", "close");
    st->route = req.route;
    /* Counted before it is sent, so that a client that has its answer
     * finds it counted. */
    if (h->opts.observe != NULL)
        h->opts.observe(st->method, st->route ? st->route : "-", resp.status,
                        ms_since(&st->start) / 1e3);
    enum MHD_Result ret = send_response(conn, st, &resp);
    resp_free(&resp);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    pk_http *h = cls;
    reqstate *st = *con_cls;
    if (st == NULL)
        return;
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && st->status == 0)
        st->route = st->route ? st->route : "(aborted)";
    access_log(st);
    pk_buf_wipe_free(&st->body);
    free(st);
    *con_cls = NULL;
    watch_set(h, conn, true); /* the next request's deadline starts now */
    atomic_fetch_sub(&h->inflight, 1);
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    /* MHD's messages end with a newline already. */
    fprintf(stderr, "prakerja: http: %s", msg);
}

size_t pk_http_unescape(char *s)
{
    char *r = s, *w = s;
    while (*r) {
        int hi, lo;
        if (r[0] == '%' && (hi = pk_hex_digit(r[1])) >= 0 && (lo = pk_hex_digit(r[2])) >= 0 &&
            (hi | lo) != 0) {
            *w++ = (char)(hi * 16 + lo);
            r += 3;
        } else {
            *w++ = *r++;
        }
    }
    *w = '\0';
    return (size_t)(w - s);
}

static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    return pk_http_unescape(s);
}

/* Splits "HOST:PORT" ("127.0.0.1:8080", "localhost:8080", "[::1]:8080")
 * into host and port text; false when it has not that shape. */
static bool split_listen(const char *s, char *host, size_t hostlen, char *port, size_t portlen)
{
    const char *colon = strrchr(s, ':');
    if (colon == NULL || colon == s || colon[1] == '\0' || strlen(colon + 1) >= portlen)
        return false;
    for (const char *p = colon + 1; *p; p++)
        if (!isdigit((unsigned char)*p))
            return false;
    long n = strtol(colon + 1, NULL, 10);
    if (n < 0 || n > 65535)
        return false;
    const char *h = s;
    size_t hl = (size_t)(colon - s);
    if (h[0] == '[') { /* an IPv6 address in brackets */
        if (hl < 3 || h[hl - 1] != ']')
            return false;
        h++;
        hl -= 2;
    } else if (memchr(h, ':', hl) != NULL) {
        return false; /* an IPv6 address needs its brackets */
    }
    if (hl == 0 || hl >= hostlen)
        return false;
    memcpy(host, h, hl);
    host[hl] = '\0';
    snprintf(port, portlen, "%s", colon + 1);
    return true;
}

/* Creates the listening socket for opts->listen: the host is an address
 * or a name (getaddrinfo: "localhost" works), the first of its addresses
 * that can be bound is used.  On failure returns -1 with one sentence in
 * err (an address in use is said so, with its port). */
static int open_listener(const char *listen_at, char *err, size_t errlen)
{
    char host[256], port[8];
    if (!split_listen(listen_at, host, sizeof(host), port, sizeof(port))) {
        snprintf(err, errlen,
                 "listen address must be HOST:PORT (e.g. 127.0.0.1:8080, localhost:8080, "
                 "[::1]:8080), not '%.100s'", listen_at);
        return -1;
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    int gai = getaddrinfo(host, port, &hints, &res);
    if (gai != 0) {
        snprintf(err, errlen, "cannot listen on %s: unknown host '%s' (%s)", listen_at, host,
                 gai_strerror(gai));
        return -1;
    }
    int fd = -1, first_errno = 0;
    for (struct addrinfo *ai = res; ai != NULL && fd < 0; ai = ai->ai_next) {
        if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
            continue;
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
                    ai->ai_protocol);
        if (fd < 0) {
            first_errno = first_errno ? first_errno : errno;
            continue;
        }
        int on = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
        if (ai->ai_family == AF_INET6) /* "[::]:8080" means IPv6 only */
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, 1024) != 0) {
            first_errno = first_errno ? first_errno : errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0) {
        if (first_errno == EADDRINUSE)
            snprintf(err, errlen,
                     "cannot listen on %s: port %s is already in use (another prakerja serve, "
                     "or another program, is listening there; stop it or choose another "
                     "--listen)", listen_at, port);
        else if (first_errno == EADDRNOTAVAIL)
            snprintf(err, errlen, "cannot listen on %s: %s is not an address of this machine",
                     listen_at, host);
        else
            snprintf(err, errlen, "cannot listen on %s: %s", listen_at,
                     strerror(first_errno ? first_errno : EINVAL));
    }
    return fd;
}

static int bound_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
        return 0;
    if (ss.ss_family == AF_INET6)
        return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    return ntohs(((struct sockaddr_in *)&ss)->sin_port);
}

int pk_http_start(const pk_http_opts *opts, pk_http **out, int *port, char *err, size_t errlen)
{
    int fd = open_listener(opts->listen, err, errlen);
    if (fd < 0)
        return PK_EIO;
    pk_http *h = calloc(1, sizeof(*h));
    if (h == NULL) {
        close(fd);
        return PK_ENOMEM;
    }
    h->opts = *opts;
    h->listen_fd = fd;
    h->conns.next = h->conns.prev = &h->conns;
    pthread_mutex_init(&h->mu, NULL);
    pthread_cond_init(&h->wake, NULL);
    /* Handlers may wait on a durable commit (group commit gathers the
     * writes of waiting threads), so the default is several threads per
     * core, not one. */
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = opts->threads > 0 ? (unsigned)opts->threads
                                         : (unsigned)(8 * (cores > 0 ? cores : 1));
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG |
                     MHD_USE_TURBO;
    h->d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, h,
        MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
        MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
        MHD_OPTION_THREAD_POOL_SIZE, threads,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)opts->max_connections,
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)opts->per_ip_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)opts->timeout,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, h,
        MHD_OPTION_NOTIFY_CONNECTION, opts->request_timeout > 0 ? on_connection : NULL, h,
        MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
        MHD_OPTION_END);
    if (h->d == NULL) {
        close(fd);
        snprintf(err, errlen, "cannot start the HTTP server on %s", opts->listen);
        pthread_mutex_destroy(&h->mu);
        pthread_cond_destroy(&h->wake);
        free(h);
        return PK_EIO;
    }
    if (opts->request_timeout > 0)
        h->reaper_running = pthread_create(&h->reaper, NULL, reaper, h) == 0;
    *port = bound_port(fd);
    *out = h;
    return 0;
}

/* Stop taking new connections while MHD's threads go on serving the open
 * ones.  Not with MHD_quiesce_daemon: with epoll and a thread pool it
 * races its own workers (libmicrohttpd 0.9.75, still open upstream): both
 * remove the listening socket from a worker's epoll set, and the one that
 * loses aborts the process ("Failed to remove listen FD from epoll set",
 * seen once in CI at a SIGTERM after a busy test).  Instead the socket's
 * descriptor is given, in one dup2, another open file: a listening unix
 * socket with an abstract name of the kernel's choosing, which no one
 * connects to and so never wakes a worker.  The TCP socket's last
 * descriptor is gone, so the kernel closes it (new connections are refused
 * at once, as after exit) and drops it from every epoll set, and MHD still
 * holds a valid descriptor, which MHD_stop_daemon closes.  If the
 * placeholder cannot be made, the port stays open until the daemon stops. */
static void stop_listening(pk_http *h)
{
    int ph = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (ph < 0)
        return;
    /* an address of sa_family_t alone: the kernel picks an abstract name */
    struct sockaddr_un un = {.sun_family = AF_UNIX};
    if (bind(ph, (struct sockaddr *)&un, sizeof(sa_family_t)) == 0 && listen(ph, 1) == 0)
        (void)dup3(ph, h->listen_fd, O_CLOEXEC);
    close(ph);
}

void pk_http_stop(pk_http *h, int grace_ms)
{
    if (h == NULL)
        return;
    stop_listening(h);
    for (int waited = 0; atomic_load(&h->inflight) > 0 && waited < grace_ms; waited += 10)
        usleep(10 * 1000);
    if (h->reaper_running) {
        pthread_mutex_lock(&h->mu);
        h->stopping = true;
        pthread_cond_signal(&h->wake);
        pthread_mutex_unlock(&h->mu);
        pthread_join(h->reaper, NULL);
    }
    MHD_stop_daemon(h->d);
    pthread_mutex_destroy(&h->mu);
    pthread_cond_destroy(&h->wake);
    free(h);
}
