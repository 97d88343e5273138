/* access_log.c -- the access log read back (see access_log.h). */
#include "app/access_log.h"
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
