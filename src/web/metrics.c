/* metrics.c -- GET /metrics: counters of the running process in the
 * Prometheus text format (version 0.0.4).
 *
 * Requests are counted (as their answer is queued) by method, route *pattern* ("/peserta/{id}", or
 * "(not found)") and status, never by path, and timed in a histogram per
 * route; the app's counters (app/service.h) add the group commit's batch
 * sizes and the database pool's waits, and ratelimit.c its refusals.
 * Nothing here is personal data.  Who may read it: a client on the
 * loopback address that came without forwarding headers (a local
 * scraper; a request relayed by a reverse proxy on the same machine
 * carries X-Forwarded-For, so the public never gets in that way), or a
 * staff account (API token or signed-in session); anyone else gets 401. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "app/service.h"
#include "web/session.h"
#include "web/web.h"

#define SERIES_MAX 96  /* (method, route) pairs: the route table and a few special routes */
#define STATUS_MAX 12  /* distinct statuses per pair */
#define LAT_BUCKETS 12

static const double lat_bounds[LAT_BUCKETS] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                               0.1, 0.25, 0.5, 1, 2.5, 10};

typedef struct series {
    const char *method, *route;  /* static strings (http.c, routes.c) */
    int status[STATUS_MAX];
    uint64_t by_status[STATUS_MAX];
    uint64_t le[LAT_BUCKETS];    /* cumulative */
    uint64_t count;
    double sum;
} series;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static series table[SERIES_MAX];
static int nseries;
static uint64_t dropped; /* requests of pairs or statuses past the table's room */

void pk_web_metrics_observe(const char *method, const char *route, int status, double seconds)
{
    pthread_mutex_lock(&mu);
    series *s = NULL;
    for (int i = 0; i < nseries && s == NULL; i++)
        if (strcmp(table[i].route, route) == 0 && strcmp(table[i].method, method) == 0)
            s = &table[i];
    if (s == NULL && nseries < SERIES_MAX) {
        s = &table[nseries++];
        s->method = method;
        s->route = route;
    }
    int k = -1;
    if (s != NULL)
        for (int i = 0; i < STATUS_MAX && k < 0; i++)
            if (s->status[i] == status || s->status[i] == 0) {
                s->status[i] = status;
                k = i;
            }
    if (k < 0) {
        dropped++;
    } else {
        s->by_status[k]++;
        for (int i = 0; i < LAT_BUCKETS; i++)
            if (seconds <= lat_bounds[i])
                s->le[i]++;
        s->count++;
        s->sum += seconds;
    }
    pthread_mutex_unlock(&mu);
}

/* A label value: routes are patterns of the table, but escape anyway. */
static void label(pk_buf *b, const char *v)
{
    for (; *v; v++) {
        if (*v == '\\' || *v == '"')
            pk_buf_addc(b, '\\');
        if (*v == '\n')
            pk_buf_adds(b, "\\n");
        else
            pk_buf_addc(b, *v);
    }
}

static void head(pk_buf *b, const char *name, const char *type, const char *help)
{
    pk_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void requests(pk_buf *b)
{
    pthread_mutex_lock(&mu);
    head(b, "prakerja_http_requests_total", "counter",
         "HTTP requests answered, by method, route pattern and status.");
    for (int i = 0; i < nseries; i++)
        for (int k = 0; k < STATUS_MAX && table[i].status[k] != 0; k++) {
            pk_buf_adds(b, "prakerja_http_requests_total{method=\"");
            label(b, table[i].method);
            pk_buf_adds(b, "\",route=\"");
            label(b, table[i].route);
            pk_buf_printf(b, "\",status=\"%d\"} %llu\n", table[i].status[k],
                        (unsigned long long)table[i].by_status[k]);
        }
    head(b, "prakerja_http_request_duration_seconds", "histogram",
         "Time from a request's first byte to its answer sent, by method and route pattern.");
    for (int i = 0; i < nseries; i++) {
        const series *s = &table[i];
        for (int k = 0; k <= LAT_BUCKETS; k++) {
            pk_buf_adds(b, "prakerja_http_request_duration_seconds_bucket{method=\"");
            label(b, s->method);
            pk_buf_adds(b, "\",route=\"");
            label(b, s->route);
            if (k < LAT_BUCKETS)
                pk_buf_printf(b, "\",le=\"%g\"} %llu\n", lat_bounds[k], (unsigned long long)s->le[k]);
            else
                pk_buf_printf(b, "\",le=\"+Inf\"} %llu\n", (unsigned long long)s->count);
        }
        const char *parts[2] = {"sum", "count"};
        for (int k = 0; k < 2; k++) {
            pk_buf_printf(b, "prakerja_http_request_duration_seconds_%s{method=\"", parts[k]);
            label(b, s->method);
            pk_buf_adds(b, "\",route=\"");
            label(b, s->route);
            if (k == 0)
                pk_buf_printf(b, "\"} %.6f\n", s->sum);
            else
                pk_buf_printf(b, "\"} %llu\n", (unsigned long long)s->count);
        }
    }
    head(b, "prakerja_http_requests_uncounted_total", "counter",
         "Requests not in the counters above (more route and status pairs than they hold).");
    pk_buf_printf(b, "prakerja_http_requests_uncounted_total %llu\n", (unsigned long long)dropped);
    pthread_mutex_unlock(&mu);
}

static void app_counters(const pk_app *app, pk_buf *b)
{
    pk_app_counters c;
    pk_app_counters_get(app, &c);
    head(b, "prakerja_commit_batch_size", "histogram",
         "Registrations per group commit (one transaction, one durable commit).");
    for (int i = 0; i < PK_BATCH_BUCKETS; i++)
        pk_buf_printf(b, "prakerja_commit_batch_size_bucket{le=\"%d\"} %llu\n", pk_batch_bounds[i],
                    (unsigned long long)c.batches.le[i]);
    pk_buf_printf(b, "prakerja_commit_batch_size_bucket{le=\"+Inf\"} %llu\n",
                (unsigned long long)c.batches.count);
    pk_buf_printf(b, "prakerja_commit_batch_size_sum %llu\n", (unsigned long long)c.batches.sum);
    pk_buf_printf(b, "prakerja_commit_batch_size_count %llu\n",
                (unsigned long long)c.batches.count);
    head(b, "prakerja_db_connections_acquired_total", "counter",
         "Database connections taken from the pool for a read or a transaction.");
    pk_buf_printf(b, "prakerja_db_connections_acquired_total %llu\n",
                (unsigned long long)c.pool_acquired);
    head(b, "prakerja_db_connections_opened_total", "counter",
         "Database connections opened because none was idle in the pool.");
    pk_buf_printf(b, "prakerja_db_connections_opened_total %llu\n",
                (unsigned long long)c.pool_opened);
    head(b, "prakerja_db_pool_waits_total", "counter",
         "Takings of a database connection that had to wait (SQLite: for the single writer; "
         "PostgreSQL: for a new connection).");
    pk_buf_printf(b, "prakerja_db_pool_waits_total %llu\n", (unsigned long long)c.pool_waits);
    head(b, "prakerja_db_pool_wait_seconds_total", "counter",
         "Time spent in those waits.");
    pk_buf_printf(b, "prakerja_db_pool_wait_seconds_total %.6f\n", c.pool_wait_seconds);
}

static void refusals(pk_buf *b)
{
    head(b, "prakerja_rate_limit_refusals_total", "counter",
         "Requests refused with 429 by the rate limits per client address, by class.");
    for (int cls = PK_LIMIT_NONE + 1; cls < PK_LIMIT__COUNT; cls++)
        pk_buf_printf(b, "prakerja_rate_limit_refusals_total{class=\"%s\"} %llu\n",
                    pk_limit_name((pk_limit)cls),
                    (unsigned long long)pk_ratelimit_refusals((pk_limit)cls));
}

/* A scraper on this machine, asking directly (not relayed by a proxy). */
static bool local_scraper(const pk_req *req)
{
    char addr[64];
    pk_req_client_addr(req, addr, sizeof(addr));
    bool loopback = strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0 ||
                    strncmp(addr, "::ffff:127.", 11) == 0;
    return loopback && pk_req_header(req, "X-Forwarded-For") == NULL &&
           pk_req_header(req, "Forwarded") == NULL && pk_req_header(req, "X-Real-IP") == NULL;
}

void pk_web_metrics(const pk_app *app, pk_req *req, pk_resp *resp)
{
    if (!local_scraper(req)) {
        pk_principal who;
        bool bearer = pk_req_header(req, "Authorization") != NULL;
        int rc = pk_web_authenticate(app, req, bearer, &who);
        if (rc == PK_EIO) {
            pk_reply_error(resp, 503, "layanan_sibuk", "Layanan sedang sibuk. Coba lagi.", NULL);
            return;
        }
        if (rc != 0 || (who.role & PK_ACCESS_STAFF) == 0) {
            pk_resp_header(resp, "WWW-Authenticate", "Bearer realm=\"prakerja\"");
            pk_reply_error(resp, 401, "perlu_autentikasi",
                           "Metrik hanya untuk petugas: sertakan token API yang berlaku "
                           "(Authorization: Bearer <token>) atau masuk sebagai petugas.",
                           NULL);
            return;
        }
    }
    resp->status = 200;
    resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
    pk_buf *b = &resp->body;
    head(b, "prakerja_build_info", "gauge", "The running version of prakerja.");
    pk_buf_printf(b, "prakerja_build_info{version=\"%s\"} 1\n", PK_VERSION);
    requests(b);
    app_counters(app, b);
    refusals(b);
}
