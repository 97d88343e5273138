/* remind_daemon.c -- serve's reminders (remind.h): a thread that runs the
 * day's reminders once a day at remind_at (WIB), and between runs hands
 * over the messages that came due (retries after a temporary failure,
 * messages whose time came).  It looks every TICK seconds.  Many servers
 * may run it: the day is run by the one that takes the lease first, and
 * the others find the day recorded (pk_meta remind_last_day) and only
 * deliver, under the same lease. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/remind.h"
#include "store/store.h"

#define TICK 30

struct pk_reminder {
    const pk_app *app;
    int at_minute;           /* remind_at: minutes after 00:00 WIB */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool stop;
};

/* The latest day a run recorded; false when none. */
static bool last_day(const pk_app *app, pk_date *out)
{
    uint8_t buf[16];
    size_t len = 0;
    return pk_store_meta_get(app->store, PK_META_REMIND_DAY, buf, sizeof buf, &len) == 0 &&
           len == 10 && pk_date_parse((const char *)buf, 10, out) == 0;
}

static void tick(pk_reminder *r)
{
    const pk_app *app = r->app;
    int64_t now = (int64_t)time(NULL);
    pk_date today = pk_instant_day_wib(now);
    int minute = (int)((now - pk_day_start_wib(today)) / 60);
    pk_date last;
    bool ran = last_day(app, &last) && pk_date_cmp(last, today) >= 0;
    pk_remind_summary sum;
    char err[256] = "";
    int rc;
    if (!ran && minute >= r->at_minute) {
        pk_remind_req q = {.day = today, .run = true, .now = now, .actor = "serve",
                           .source = "serve"};
        rc = pk_remind_day(app, &q, &sum, err, sizeof err);
        if (rc == 0)
            pk_app_log(app, "reminders: day run: %lld people, %lld queued, %lld sent, "
                            "%lld failed, %lld uncertain",
                       (long long)sum.people, (long long)sum.queued, (long long)sum.sent,
                       (long long)sum.failed, (long long)sum.uncertain);
    } else {
        rc = pk_remind_send(app, now, &sum, err, sizeof err);
        if (rc == 0 && sum.sent + sum.failed + sum.uncertain > 0)
            pk_app_log(app, "reminders: %lld sent, %lld failed, %lld uncertain",
                       (long long)sum.sent, (long long)sum.failed, (long long)sum.uncertain);
    }
    if (rc != 0 && rc != PK_EBUSY)
        pk_app_log(app, "reminders: %s", err[0] ? err : "failed");
}

static void *loop(void *arg)
{
    pk_reminder *r = arg;
    pthread_mutex_lock(&r->mu);
    while (!r->stop) {
        pthread_mutex_unlock(&r->mu);
        tick(r);
        pthread_mutex_lock(&r->mu);
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += TICK;
        while (!r->stop && pthread_cond_timedwait(&r->cv, &r->mu, &until) == 0)
            ;
    }
    pthread_mutex_unlock(&r->mu);
    return NULL;
}

int pk_reminder_start(const pk_app *app, pk_reminder **out, char *err, size_t errlen)
{
    *out = NULL;
    const char *at = app->cfg.remind_at;
    int h, m;
    char tail;
    if (at[0] == '\0')
        return 0;
    if (sscanf(at, "%2d:%2d%c", &h, &m, &tail) != 2 || strlen(at) != 5 || h < 0 || h > 23 ||
        m < 0 || m > 59) {
        snprintf(err, errlen, "setting 'remind_at' must be a time of day, HH:MM (WIB)");
        return PK_EINVAL;
    }
    pk_chan *chans[PK_CH__COUNT] = {0};
    unsigned enabled = 0;
    int rc = pk_channels_open(&app->cfg, chans, &enabled, err, errlen);
    pk_channels_close(chans);
    if (rc != 0 || enabled == 0)
        return rc;
    pk_reminder *r = calloc(1, sizeof *r);
    if (r == NULL) {
        snprintf(err, errlen, "out of memory");
        return PK_ENOMEM;
    }
    r->app = app;
    r->at_minute = h * 60 + m;
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->cv, NULL);
    if (pthread_create(&r->thread, NULL, loop, r) != 0) {
        pthread_mutex_destroy(&r->mu);
        pthread_cond_destroy(&r->cv);
        free(r);
        snprintf(err, errlen, "cannot start the reminders' thread");
        return PK_EIO;
    }
    *out = r;
    return 0;
}

void pk_reminder_stop(pk_reminder *r)
{
    if (r == NULL)
        return;
    pthread_mutex_lock(&r->mu);
    r->stop = true;
    pthread_cond_signal(&r->cv);
    pthread_mutex_unlock(&r->mu);
    pthread_join(r->thread, NULL);
    pthread_mutex_destroy(&r->mu);
    pthread_cond_destroy(&r->cv);
    free(r);
}
