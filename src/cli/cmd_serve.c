/* cmd_serve.c -- `prakerja serve` (the portal and the API until SIGINT or
 * SIGTERM) and `prakerja migrate`. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "app/remind.h"
#include "cli/cli.h"
#include "web/http.h"
#include "web/web.h"

int cli_serve(const cli_cmd *c, cli_args *a)
{
    const pk_config *cfg = &a->cfg;
    if (a->npos > 0) {
        fprintf(stderr, "prakerja serve: unexpected argument (see 'prakerja serve --help')\n");
        return 2;
    }
    /* Block the stop signals before any thread starts, so every thread
     * inherits the mask and only sigwait below sees them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    signal(SIGPIPE, SIG_IGN);

    pk_app app;
    if (cli_open_app_creating(&app, cfg) != 0)
        return 1;
    pk_http_opts opts = {
        .listen = cfg->listen,
        .threads = cfg->threads,
        .max_connections = cfg->max_connections,
        .per_ip_connections = pk_config_per_ip(cfg),
        .timeout = cfg->timeout,
        .request_timeout = cfg->request_timeout,
        .max_body = (size_t)cfg->max_body,
        .dispatch = pk_web_dispatch,
        .ctx = &app,
        .observe = pk_web_metrics_observe,
    };
    pk_http *http;
    int port;
    char err[512];
    if (pk_http_start(&opts, &http, &port, err, sizeof(err)) != 0) {
        fprintf(stderr, "prakerja: %s\n", err);
        pk_app_close(&app);
        return 1;
    }
    pk_reminder *reminder = NULL;
    if (pk_reminder_start(&app, &reminder, err, sizeof(err)) != 0) {
        fprintf(stderr, "prakerja: %s\n", err);
        pk_http_stop(http, 1000);
        pk_app_close(&app);
        return 1;
    }
    char host[128];
    snprintf(host, sizeof(host), "%s", cfg->listen);
    char *colon = strrchr(host, ':');
    if (colon)
        *colon = '\0';
    fprintf(stderr, "prakerja: listening on http://%s:%d/ (%zu regions, %zu schemes)\n", host,
            port, pk_regions_count(app.regions), app.schemes.count);
    int sig = 0;
    sigwait(&stop, &sig);
    fprintf(stderr, "prakerja: %s received, finishing requests in flight\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    pk_reminder_stop(reminder);
    pk_http_stop(http, 10000);
    pk_app_close(&app);
    fprintf(stderr, "prakerja: stopped\n");
    return 0;
}

int cli_migrate(const cli_cmd *c, cli_args *a)
{
    if (a->npos > 0) {
        fprintf(stderr, "prakerja migrate: unexpected argument\n");
        return 2;
    }
    char err[1024];
    int from, to;
    if (pk_app_migrate(&a->cfg, cli_log, NULL, &from, &to, err, sizeof(err)) != 0) {
        fprintf(stderr, "prakerja: %s\n", err);
        return 1;
    }
    if (from == to)
        printf("database is up to date (schema version %d)\n", to);
    else
        printf("migrated database from schema version %d to %d\n", from, to);
    return 0;
}
