/* access_log.c -- the access log read back (see access_log.h). */
#include "app/access_log.h"

#include <stdio.h>
#include <string.h>

#include "core/date.h"
#include "store/store.h"

typedef struct sweeps {
    pk_sweep *all;
    size_t cap, n;
} sweeps;

static int count_notfound(void *ctx, const pk_log_entry *e)
{
    sweeps *w = ctx;
    size_t i = 0;
    while (i < w->n && strcmp(w->all[i].actor, e->actor) != 0)
        i++;
    if (i == w->n) {
        if (w->n == w->cap)
            return 0; /* more accounts than followed: the first ones are kept */
        pk_sweep *s = &w->all[w->n++];
        memset(s, 0, sizeof(*s));
        snprintf(s->actor, sizeof(s->actor), "%s", e->actor);
        snprintf(s->first, sizeof(s->first), "%s", e->at);
    }
    w->all[i].notfound++;
    snprintf(w->all[i].last, sizeof(w->all[i].last), "%s", e->at);
    return 0;
}

int pk_access_log_sweeps(const pk_app *app, const char *since, int64_t threshold,
                         pk_sweep *out, size_t cap, size_t *n)
{
    sweeps w = {out, cap, 0};
    *n = 0;
    pk_log_filter f = {.reads = true, .kind = "participant.notfound", .since = since};
    int rc = pk_store_logs_find(app->store, &f, count_notfound, &w);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < w.n; i++)
        if (out[i].notfound >= threshold)
            out[(*n)++] = out[i];
    return 0;
}

/* ---- both logs ---- */

typedef struct logs_walk {
    pk_logs_cb cb;
    void *ctx;
} logs_walk;

static int each_log_entry(void *ctx, const pk_log_entry *e)
{
    logs_walk *w = ctx;
    pk_logs_entry a = {.write = e->write, .id = e->id, .at = e->at, .actor = e->actor,
                       .action = e->action, .source = e->write ? e->place : NULL,
                       .route = e->write ? NULL : e->place, .subject = e->subject,
                       .detail = e->detail};
    return w->cb(w->ctx, &a);
}

/* A YYYY-MM-DD date (plus `days`) as text; NULL or "" stays "". */
static int day_text(const char *given, long days, char out[11])
{
    pk_date d;
    out[0] = '\0';
    if (given == NULL || given[0] == '\0')
        return 0;
    if (strlen(given) != 10 || pk_date_parse(given, 10, &d) != 0)
        return PK_EINVAL;
    pk_date_format(pk_date_add_days(d, days), out);
    return 0;
}

int pk_logs_each(const pk_app *app, const pk_logs_query *q, pk_logs_cb cb, void *ctx)
{
    char since[11], before[11], actor[80] = "";
    if (day_text(q->since, 0, since) != 0 || day_text(q->until, 1, before) != 0)
        return PK_EINVAL;
    if (q->user != NULL && q->user[0] != '\0') {
        /* a bare name is a staff account's */
        if (strchr(q->user, ':') == NULL)
            snprintf(actor, sizeof(actor), "user:%s", q->user);
        else
            snprintf(actor, sizeof(actor), "%s", q->user);
    }
    bool both = !q->writes && !q->reads;
    pk_log_filter f = {.writes = both || q->writes, .reads = both || q->reads, .actor = actor,
                       .kind = q->kind ? q->kind : "", .since = since, .before = before,
                       .limit = q->limit};
    logs_walk w = {cb, ctx};
    return pk_store_logs_find(app->store, &f, each_log_entry, &w);
}
