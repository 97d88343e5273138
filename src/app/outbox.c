/* outbox.c -- hands queued reminders to their channels (remind.h,
 * reminders.md "Channel" and `remind run`).
 *
 * Never twice across crashes: a chunk of due messages (CHUNK) is first
 * marked `mengirim` (being handed over) in a committed transaction, then
 * handed to the channels, then each result recorded.  A message found still
 * `mengirim` by the next delivery was being handed over when its process
 * died: through a channel that deduplicates by message id it is asked
 * whether the gateway saw it (and handed over again only if not);
 * otherwise it is marked `tidak_pasti` for staff to see, never resent.
 * Only one process delivers at a time (the caller holds the lease).
 *
 * Failures: a temporary one is retried on the same channel with backoff
 * (or the gateway's Retry-After) up to TRIES times, then the next
 * channel; a permanent one is kept for the person (later messages skip
 * that channel) and the next channel is tried at once.  With no channel
 * left the message is `gagal`.  A permanent failure a receipt reports
 * later (app/webhook.c) takes the same way (pk_outbox_fall_back).
 *
 * A message handed to WhatsApp or SMS keeps the blind index of the number
 * it went to (pk_webhook_number_index), by which a reply STOP that names
 * no message finds the latest one. */
#include "app/remind.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/registry.h"
#include "app/unsubscribe.h"
#include "app/webhook.h"
#include "core/participant.h"
#include "store/store.h"

#define OUT_BATCH 1000 /* due messages read at once */
#define CHUNK 50       /* claimed, handed over and recorded together */
#define TRIES 4
#define BACKOFF_FIRST 60     /* seconds; doubles with each try */

/* One message being delivered: the row and what its text needs. */
typedef struct item {
    pk_outbox_msg m;
    bool send;               /* handed over in this pass */
    pk_participant p;        /* phone, e-mail (opened for the pass, wiped after) */
    bool found;
    char batas[32], saldo[32], gel[24], ke[24], pelatihan[PK_EVENT_TEXT_MAX], portal[32];
    char text[PK_REMIND_TEXT_MAX], subject[PK_REMIND_SUBJECT_MAX];
    char unsub[256];         /* e-mail: the one-click unsubscribe address */
    pk_msg msg;
    pk_send_result res;
    pk_channel failed_on;    /* PERMANENT: the channel that refused the person */
} item;

typedef struct open_ctx {
    const pk_app *app;
    item *it;
} open_ctx;

static int got_row(void *ctx, const pk_prow *row)
{
    open_ctx *o = ctx;
    if (pk_registry_unseal(o->app, row, &o->it->p) != 0)
        return PK_EIO;
    o->it->found = true;
    return 0;
}

static void var_copy(json_t *v, const char *key, char *out, size_t cap)
{
    const char *s = json_string_value(json_object_get(v, key));
    snprintf(out, cap, "%s", s ? s : "");
}

/* The channel message m goes by now: its own while enabled and able to
 * reach the person, else the next in the spec's order. */
static pk_channel next_channel(const pk_outbox_msg *m, unsigned enabled, bool phone, bool email)
{
    pk_channel c = pk_channel_by_name(m->channel);
    unsigned failed = (unsigned)m->failed;
    if (c != PK_CH__COUNT && (enabled >> c & 1u) && !(failed >> c & 1u)) {
        bool ok = c == PK_CH_BERKAS || (c == PK_CH_EMAIL ? email : phone);
        if (ok)
            return c;
    }
    return pk_remind_channel(PK_CH_WHATSAPP, enabled, failed, phone, email);
}

static pk_channel channel_for(const item *it, unsigned enabled)
{
    return next_channel(&it->m, enabled, it->p.no_hp[0] != '\0', it->p.email[0] != '\0');
}

/* Fills it->msg for channel c from the rule's templates; false when the
 * rule is gone from the rules or a text does not render. */
static bool compose(const pk_app *app, item *it, const pk_remind_rules *rules, pk_channel c)
{
    const pk_remind_rule *r = pk_remind_rule_find(rules, it->m.rule);
    if (r == NULL)
        return false;
    json_t *v = json_loads(it->m.vars, 0, NULL);
    if (v == NULL)
        return false;
    var_copy(v, "batas", it->batas, sizeof it->batas);
    var_copy(v, "saldo", it->saldo, sizeof it->saldo);
    var_copy(v, "gelombang", it->gel, sizeof it->gel);
    var_copy(v, "ke", it->ke, sizeof it->ke);
    var_copy(v, "pelatihan", it->pelatihan, sizeof it->pelatihan);
    var_copy(v, "portal", it->portal, sizeof it->portal);
    json_decref(v);
    pk_remind_vars vars = {it->batas, it->saldo, it->gel, it->ke, it->pelatihan, it->portal};
    pk_msg *m = &it->msg;
    memset(m, 0, sizeof *m);
    m->id = it->m.id;
    m->channel = c;
    m->rule = r->id;
    m->to = c == PK_CH_EMAIL ? it->p.email : it->p.no_hp;
    const char *tmpl = c == PK_CH_SMS ? r->sms : c == PK_CH_EMAIL ? r->email : r->whatsapp;
    if (pk_remind_render(tmpl, &vars, it->text, sizeof it->text) != 0)
        return false;
    m->text = it->text;
    if (c == PK_CH_EMAIL || c == PK_CH_BERKAS) {
        if (pk_remind_render(r->email_subject, &vars, it->subject, sizeof it->subject) != 0)
            return false;
        m->subject = it->subject;
    }
    /* every e-mail carries the one-click stop of its purpose (RFC 8058) */
    if (c == PK_CH_EMAIL) {
        if (pk_unsub_url(app, it->m.participant_id, r->purpose, it->unsub, sizeof it->unsub) != 0)
            return false;
        m->unsubscribe = it->unsub;
    }
    if (c == PK_CH_WHATSAPP || c == PK_CH_BERKAS) {
        m->wa_template = r->whatsapp_template;
        size_t n = pk_remind_params(r->whatsapp, &vars, m->wa_params, PK_MSG_PARAMS_MAX);
        m->wa_nparams = n < PK_MSG_PARAMS_MAX ? n : PK_MSG_PARAMS_MAX;
    }
    return true;
}

static void set_state(pk_outbox_msg *m, const char *state)
{
    snprintf(m->state, sizeof m->state, "%s", state);
}

bool pk_outbox_fall_back(pk_outbox_msg *m, pk_channel c, unsigned enabled, bool has_phone,
                         bool has_email, int64_t now)
{
    m->failed |= (int64_t)1 << c;
    pk_channel next = next_channel(m, enabled, has_phone, has_email);
    if (next == PK_CH__COUNT) {
        set_state(m, "gagal");
        return false;
    }
    snprintf(m->channel, sizeof m->channel, "%s", pk_channel_name(next));
    m->attempts = 0;
    m->next_at = now;
    set_state(m, "antri");
    return true;
}

/* After a failure on channel c: the next channel now, or gagal. */
static void fall_back(item *it, pk_channel c, unsigned enabled, int64_t now,
                      pk_remind_summary *sum)
{
    if (!pk_outbox_fall_back(&it->m, c, enabled, it->p.no_hp[0] != '\0',
                             it->p.email[0] != '\0', now))
        sum->failed++;
}

static double mono(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Waits until the channel's rate allows n more messages. */
static void pace(pk_chan *ch, double *next_ok, size_t n)
{
    if (ch->rate <= 0)
        return;
    double now = mono();
    if (*next_ok > now) {
        double w = *next_ok - now;
        struct timespec ts = {(time_t)w, (long)((w - (double)(time_t)w) * 1e9)};
        nanosleep(&ts, NULL);
        now = *next_ok;
    }
    *next_ok = (*next_ok > now ? *next_ok : now) + (double)n / ch->rate;
}

/* Claims items[0..n): each marked mengirim (its attempt counted) in one
 * committed transaction; a message found mengirim already was being
 * handed over when a process died: asked for through a deduplicating
 * channel, else tidak_pasti. */
static int claim(const pk_app *app, pk_chan *const *chans, item *items, size_t n,
                 pk_remind_summary *sum)
{
    pk_tx *tx = NULL;
    int rc = pk_store_begin(app->store, &tx);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        item *it = &items[i];
        it->send = true;
        if (strcmp(it->m.state, "mengirim") == 0) {
            pk_channel c = pk_channel_by_name(it->m.channel);
            pk_chan *ch = c == PK_CH__COUNT ? NULL : chans[c];
            bool seen = false;
            if (ch != NULL && ch->dedup && ch->seen != NULL &&
                (rc = ch->seen(ch, it->m.id, &seen)) != 0)
                break;
            if (ch == NULL || !ch->dedup || seen) {
                it->send = false;
                set_state(&it->m, seen ? "terkirim" : "tidak_pasti");
                if (seen)
                    sum->sent++;
                else
                    sum->uncertain++;
                rc = pk_tx_outbox_set(tx, &it->m);
                continue;
            }
        }
        set_state(&it->m, "mengirim");
        it->m.attempts++;
        rc = pk_tx_outbox_set(tx, &it->m);
    }
    if (rc == 0)
        rc = pk_tx_commit(tx);
    else
        pk_tx_rollback(tx);
    return rc;
}

/* Hands the claimed items[0..n) to their channels and records each
 * result in one transaction. */
static int hand_over(const pk_app *app, const pk_remind_rules *rules, pk_chan *const *chans,
                     unsigned enabled, int64_t now, pk_remind_reader *rd, item *items, size_t n,
                     double *next_ok, pk_remind_summary *sum)
{
    for (size_t i = 0; i < n; i++) {
        item *it = &items[i];
        if (!it->send)
            continue;
        /* the condition again, now that its time came (the person may
         * have bought a training since the day was run) */
        bool holds = false;
        int r = pk_remind_reader_holds(rd, it->m.participant_id, it->m.rule, it->m.anchor,
                                       it->m.k, &holds);
        if (r != 0)
            return r;
        if (!holds) {
            it->send = false;
            set_state(&it->m, "dibatalkan");
            snprintf(it->m.error, sizeof it->m.error, "kondisi tidak berlaku lagi saat dikirim");
            sum->cancelled++;
            continue;
        }
        open_ctx o = {app, it};
        r = pk_store_participant_get(app->store, "", it->m.participant_id, got_row, &o);
        if (r != 0 && r != PK_ENOENT)
            return r;
    }
    for (int c = 0; c < PK_CH__COUNT; c++) {
        pk_msg batch[CHUNK];
        pk_send_result res[CHUNK];
        size_t idx[CHUNK], nb = 0;
        for (size_t i = 0; i < n; i++) {
            item *it = &items[i];
            if (!it->send || !it->found || channel_for(it, enabled) != (pk_channel)c)
                continue;
            if (!compose(app, it, rules, (pk_channel)c))
                continue;
            snprintf(it->m.channel, sizeof it->m.channel, "%s", pk_channel_name((pk_channel)c));
            batch[nb] = it->msg;
            idx[nb++] = i;
        }
        if (nb == 0 || chans[c] == NULL)
            continue;
        pace(chans[c], &next_ok[c], nb);
        (void)chans[c]->send(chans[c], batch, nb, res);
        for (size_t b = 0; b < nb; b++) {
            item *it = &items[idx[b]];
            it->res = res[b];
            it->send = false; /* decided below */
            snprintf(it->m.provider_id, sizeof it->m.provider_id, "%s", res[b].provider_id);
            snprintf(it->m.error, sizeof it->m.error, "%s", res[b].error);
            if (res[b].outcome == PK_SEND_OK) {
                set_state(&it->m, "terkirim");
                /* the number it went to, by which a reply finds it */
                if (c == PK_CH_WHATSAPP || c == PK_CH_SMS) {
                    pk_webhook_number_index(app, it->p.no_hp, it->m.to_bi);
                    it->m.has_to = true;
                }
                sum->sent++;
            } else if (res[b].outcome == PK_SEND_TEMPORARY && it->m.attempts < TRIES) {
                set_state(&it->m, "antri");
                int64_t wait = res[b].retry_after > 0
                                   ? res[b].retry_after
                                   : (int64_t)BACKOFF_FIRST << (it->m.attempts - 1);
                it->m.next_at = now + wait;
                sum->retrying++;
            } else {
                it->failed_on = (pk_channel)c;
                fall_back(it, (pk_channel)c, enabled, now, sum);
            }
        }
    }
    /* record: each message's result, permanent failures kept for the person */
    pk_tx *tx = NULL;
    int rc = pk_store_begin(app->store, &tx);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        item *it = &items[i];
        if (strcmp(it->m.state, "mengirim") == 0) {
            /* not handed over: the person is gone, no channel reaches
             * them, or the rule's text does not render */
            snprintf(it->m.error, sizeof it->m.error, "%s",
                     !it->found ? "peserta tidak ditemukan"
                     : channel_for(it, enabled) == PK_CH__COUNT
                         ? "tidak ada saluran yang menjangkau peserta"
                         : "teks pesan tidak dapat disusun dari aturan");
            set_state(&it->m, "gagal");
            sum->failed++;
        }
        if (it->res.outcome == PK_SEND_PERMANENT)
            rc = pk_tx_contact_failed_put(tx, it->m.participant_id,
                                          pk_channel_name(it->failed_on), it->m.error);
        if (rc == 0)
            rc = pk_tx_outbox_set(tx, &it->m);
        sodium_memzero(&it->p, sizeof it->p);
        sodium_memzero(it->text, sizeof it->text);
    }
    if (rc == 0)
        rc = pk_tx_commit(tx);
    else
        pk_tx_rollback(tx);
    return rc;
}

/* Whether it is in the quiet hours (reminders.md step 4) now, `now` being
 * the instant the hand-over started at `t0` on the monotonic clock: then
 * sum->quiet_until, the hours' end.  Asked before the first message and
 * before each chunk: a run begun at 20:59 must not go on into the night
 * (an outside test saw 1,003 of 1,200 SMS leave after 21:00). */
static bool quiet_since(const pk_remind_rules *rules, int64_t now, double t0,
                        pk_remind_summary *sum)
{
    int64_t t = now + (int64_t)(mono() - t0);
    int64_t open = pk_remind_unquiet(&rules->set, t);
    if (open == t)
        return false;
    sum->quiet_until = open;
    return true;
}

/* One pass: the due messages (up to OUT_BATCH), claimed, handed over and
 * recorded a CHUNK at a time, so that a crash leaves at most one chunk
 * uncertain.  *n: how many were due (0 once the quiet hours began). */
static int pass(const pk_app *app, const pk_remind_rules *rules, pk_chan *const *chans,
                unsigned enabled, int64_t now, double t0, pk_remind_reader *rd, item *items,
                double *next_ok, size_t *n, pk_remind_summary *sum)
{
    pk_outbox_msg *rows = malloc(OUT_BATCH * sizeof *rows);
    if (rows == NULL)
        return PK_ENOMEM;
    pk_tx *tx = NULL;
    int rc = pk_store_begin(app->store, &tx);
    if (rc == 0)
        rc = pk_tx_outbox_due(tx, now, OUT_BATCH, rows, n);
    pk_tx_rollback(tx);
    for (size_t at = 0; rc == 0 && at < *n; at += CHUNK) {
        if (quiet_since(rules, now, t0, sum)) {
            *n = 0; /* the rest waits for the hours' end, still queued */
            break;
        }
        size_t k = *n - at < CHUNK ? *n - at : CHUNK;
        for (size_t i = 0; i < k; i++) {
            memset(&items[i], 0, sizeof items[i]);
            items[i].m = rows[at + i];
        }
        if ((rc = claim(app, chans, items, k, sum)) == 0)
            rc = hand_over(app, rules, chans, enabled, now, rd, items, k, next_ok, sum);
    }
    free(rows);
    return rc;
}

int pk_outbox_deliver(const pk_app *app, const pk_remind_rules *rules, pk_chan *const *chans,
                      unsigned enabled, pk_date day, int64_t now, pk_remind_summary *sum,
                      char *err, size_t errlen)
{
    /* Nothing is sent in the quiet hours, whatever made a message due
     * then: a catch-up run in the evening, a retry, a fallback to the next
     * channel, a server started at night.  The plan puts each message's
     * time out of them; this is the one hand-over, so the clock is checked
     * here too, and what is due waits. */
    double t0 = mono();
    if (quiet_since(rules, now, t0, sum))
        return 0;
    item *items = calloc(CHUNK, sizeof *items);
    if (items == NULL) {
        snprintf(err, errlen, "out of memory");
        return PK_ENOMEM;
    }
    double next_ok[PK_CH__COUNT] = {0};
    pk_remind_reader *rd = NULL;
    size_t n;
    int rc = pk_remind_reader_new(app, day, &rd, err, errlen);
    if (rc != 0) {
        free(items);
        return rc;
    }
    do
        rc = pass(app, rules, chans, enabled, now, t0, rd, items, next_ok, &n, sum);
    while (rc == 0 && n > 0);
    pk_remind_reader_free(rd);
    if (rc != 0)
        snprintf(err, errlen, "database error (the outbox)");
    sodium_memzero(items, CHUNK * sizeof *items);
    free(items);
    return rc;
}

int pk_remind_send(const pk_app *app, int64_t now, pk_remind_summary *sum, char *err, size_t errlen)
{
    memset(sum, 0, sizeof *sum);
    pk_remind_rules *rules = malloc(sizeof *rules);
    pk_chan *chans[PK_CH__COUNT] = {0};
    unsigned enabled = 0;
    char holder[96];
    bool leased = false;
    if (rules == NULL) {
        snprintf(err, errlen, "out of memory");
        return PK_ENOMEM;
    }
    int rc = pk_remind_rules_load(&app->cfg, rules, err, errlen);
    if (rc == 0)
        rc = pk_channels_open(&app->cfg, chans, &enabled, err, errlen);
    if (rc == 0 && enabled == 0) {
        snprintf(err, errlen, "no channel is enabled: set remind_file (the berkas channel) or "
                              "a channel's settings");
        rc = PK_EINVAL;
    }
    if (rc == 0) {
        pk_remind_holder(holder, sizeof holder);
        if ((rc = pk_remind_lease(app, holder, now, &leased)) != 0)
            snprintf(err, errlen, "database error (the reminders' lease)");
        else if (!leased) {
            snprintf(err, errlen, "another process is running the reminders now");
            rc = PK_EBUSY;
        }
    }
    if (rc == 0)
        rc = pk_outbox_deliver(app, rules, chans, enabled, pk_instant_day_wib(now), now, sum,
                               err, errlen);
    if (leased)
        (void)pk_store_lease_drop(app->store, "remind", holder);
    pk_channels_close(chans);
    free(rules);
    return rc;
}
