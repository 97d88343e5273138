/* access_log.c -- the access log read back (see access_log.h). */
#include "app/access_log.h"

#include <stdio.h>
#include <string.h>

#include "store/store.h"

typedef struct walk {
    pk_access_log_cb cb;
    void *ctx;
} walk;

static int each_entry(void *ctx, const pk_access_entry *e)
{
    walk *w = ctx;
    pk_access_log_entry a = {.id = e->id, .at = e->at, .actor = e->actor, .action = e->action,
                             .route = e->route, .subject = e->subject, .detail = e->detail};
    return w->cb(w->ctx, &a);
}

int pk_access_log_each(const pk_app *app, const char *since, int64_t limit,
                       pk_access_log_cb cb, void *ctx)
{
    walk w = {.cb = cb, .ctx = ctx};
    return pk_store_access_log_each(app->store, since, limit, each_entry, &w);
}

typedef struct sweeps {
    pk_sweep *all;
    size_t cap, n;
} sweeps;

static int count_notfound(void *ctx, const pk_access_log_entry *e)
{
    sweeps *w = ctx;
    if (strcmp(e->action, "participant.notfound") != 0)
        return 0;
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
    int rc = pk_access_log_each(app, since, 0, count_notfound, &w);
    if (rc != 0)
        return rc;
    for (size_t i = 0; i < w.n; i++)
        if (out[i].notfound >= threshold)
            out[(*n)++] = out[i];
    return 0;
}
