/* resident.c -- residents' one-time codes, sessions and contact
 * preferences (see resident.h). */
#include "app/resident.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/auth_int.h"
#include "app/channel.h"
#include "app/operator.h"
#include "app/registry.h"
#include "core/nik.h"
#include "core/pk.h"
#include "store/store.h"

static const char *purpose_name(pk_rcode_purpose p)
{
    return p == PK_RCODE_TELEPON ? "telepon" : "masuk";
}

/* The keyed hash a code is kept as: bound to the person and the purpose,
 * so a code is worth nothing for anyone or anything else. */
static void code_hash(const pk_app *app, int64_t pid, pk_rcode_purpose p, const char *code,
                      uint8_t out[PK_RCODE_LEN])
{
    char buf[64];
    int n = snprintf(buf, sizeof buf, "%lld:%s:%s", (long long)pid, purpose_name(p), code);
    pk_au_keyed(app, "kode-warga", buf, (size_t)n, out, PK_RCODE_LEN);
    sodium_memzero(buf, sizeof buf);
}

/* The throttling key of a NIK's codes (the same for a NIK no one has). */
static void nik_key(const pk_app *app, const char *nik, uint8_t out[PK_THROTTLE_KEY_LEN])
{
    pk_au_keyed(app, "kode-warga-nik", nik, strlen(nik), out, PK_THROTTLE_KEY_LEN);
}

typedef struct open_ctx {
    const pk_app *app;
    pk_participant *p;
    bool found;
    uint64_t reasons; /* the row's base_reasons */
} open_ctx;

static int got_row(void *ctx, const pk_prow *row)
{
    open_ctx *o = ctx;
    if (pk_registry_unseal(o->app, row, o->p) != 0)
        return PK_EIO;
    o->found = true;
    o->reasons = row->base_reasons;
    return 0;
}

/* A code on its way: where it goes and what it says. */
typedef struct code_job {
    char no_hp[sizeof(((pk_participant *)0)->no_hp)];
    char email[sizeof(((pk_participant *)0)->email)];
    char pref[16];
    pk_rcode_purpose purpose;
    char code[8];
} code_job;

/* Hands the code to a channel: the preferred one, else the reminders'
 * order among those enabled (phone channels only for the phone). */
static int deliver(const pk_app *app, const code_job *job)
{
    const char *pref = job->pref, *code = job->code;
    pk_rcode_purpose purpose = job->purpose;
    pk_chan *chans[PK_CH__COUNT] = {0};
    unsigned enabled = 0;
    char err[256];
    int rc = pk_channels_open(&app->cfg, chans, &enabled, err, sizeof err);
    if (rc != 0) {
        pk_logf(app->log, app->log_ctx, "resident code: channels: %s", err);
        return PK_EIO;
    }
    bool has_phone = job->no_hp[0] != '\0', has_email = job->email[0] != '\0';
    if (purpose == PK_RCODE_TELEPON) {
        enabled &= ~(1u << PK_CH_EMAIL);
        has_email = false;
    }
    pk_channel want = pk_channel_by_name(pref);
    if (want == PK_CH__COUNT || want == PK_CH_BERKAS)
        want = PK_CH_WHATSAPP;
    pk_channel c = pk_remind_channel(want, enabled, 0, has_phone, has_email);
    if (c == PK_CH__COUNT || chans[c] == NULL) {
        pk_channels_close(chans);
        pk_logf(app->log, app->log_ctx, "resident code: no enabled channel reaches the person");
        return PK_EIO;
    }
    char text[200];
    snprintf(text, sizeof text,
             "Kode %s Prakerja Jakarta: %s. Berlaku 5 menit. Jangan berikan kode ini kepada "
             "siapa pun, termasuk petugas.",
             purpose == PK_RCODE_TELEPON ? "verifikasi nomor HP" : "masuk Akun saya", code);
    uint64_t rid;
    randombytes_buf(&rid, sizeof rid);
    pk_msg m = {
        .id = -(int64_t)(rid >> 12) - 1, /* negative: never an outbox message's id */
        .channel = c,
        .to = c == PK_CH_EMAIL ? job->email : job->no_hp,
        .rule = purpose == PK_RCODE_TELEPON ? "kode_telepon" : "kode_masuk",
        .text = text,
        .subject = "Kode Prakerja Jakarta",
        .wa_template = "kode_verifikasi",
        .wa_params = {code},
        .wa_nparams = 1,
    };
    pk_send_result res;
    memset(&res, 0, sizeof res);
    rc = chans[c]->send(chans[c], &m, 1, &res);
    pk_channels_close(chans);
    sodium_memzero(text, sizeof text);
    if (rc != 0 || res.outcome != PK_SEND_OK) {
        pk_logf(app->log, app->log_ctx, "resident code: the %s channel did not take it",
                pk_channel_name(c));
        return PK_EIO;
    }
    return 0;
}

/* ---- the codes' queue (resident.h) ---- */

struct pk_code_queue {
    pthread_mutex_t turn;   /* a NIK's count of codes read and added in turn */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    bool started, stop;
    const pk_app *app;      /* of the first code: one app per queue */
    size_t head, len;
    code_job jobs[PK_CODE_QUEUE_MAX];
};

pk_code_queue *pk_code_queue_new(void)
{
    pk_code_queue *q = calloc(1, sizeof *q);
    if (q == NULL)
        return NULL;
    pthread_mutex_init(&q->turn, NULL);
    pthread_mutex_init(&q->mu, NULL);
    pthread_cond_init(&q->cv, NULL);
    return q;
}

/* The thread: each code handed over in order, the queue's lock not held
 * meanwhile; after stop, what still waits, then out. */
static void *hand_over(void *arg)
{
    pk_code_queue *q = arg;
    code_job job;
    pthread_mutex_lock(&q->mu);
    for (;;) {
        while (q->len == 0 && !q->stop)
            pthread_cond_wait(&q->cv, &q->mu);
        if (q->len == 0)
            break;
        job = q->jobs[q->head];
        sodium_memzero(&q->jobs[q->head], sizeof job);
        q->head = (q->head + 1) % PK_CODE_QUEUE_MAX;
        q->len--;
        const pk_app *app = q->app;
        pthread_mutex_unlock(&q->mu);
        (void)deliver(app, &job);
        sodium_memzero(&job, sizeof job);
        pthread_mutex_lock(&q->mu);
    }
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

/* Queues a code for the thread (started by the first); a full queue, or
 * a thread that cannot start, hands it over at once. */
static void enqueue(const pk_app *app, const code_job *job)
{
    pk_code_queue *q = app->codes;
    bool queued = false;
    if (q != NULL) {
        pthread_mutex_lock(&q->mu);
        if (!q->started && !q->stop) {
            q->app = app;
            q->started = pthread_create(&q->thread, NULL, hand_over, q) == 0;
        }
        if (q->started && !q->stop && q->len < PK_CODE_QUEUE_MAX) {
            q->jobs[(q->head + q->len) % PK_CODE_QUEUE_MAX] = *job;
            q->len++;
            queued = true;
            pthread_cond_signal(&q->cv);
        }
        pthread_mutex_unlock(&q->mu);
    }
    if (!queued)
        (void)deliver(app, job);
}

void pk_code_queue_free(pk_code_queue *q)
{
    if (q == NULL)
        return;
    pthread_mutex_lock(&q->mu);
    q->stop = true;
    bool started = q->started;
    pthread_cond_signal(&q->cv);
    pthread_mutex_unlock(&q->mu);
    if (started)
        pthread_join(q->thread, NULL);
    pthread_mutex_destroy(&q->turn);
    pthread_mutex_destroy(&q->mu);
    pthread_cond_destroy(&q->cv);
    sodium_memzero(q->jobs, sizeof q->jobs);
    free(q);
}

/* A code for the NIK of `key` may go out: fewer than PK_RCODE_PER_NIK in
 * the window and PK_RCODE_PER_DAY in the day, this one then counted; else
 * PK_ELIMIT and *retry_after (until the oldest that binds leaves its
 * window: a count never passes its limit, so it is then below it).
 * The count is read and the new one added in turn (the queue's `turn`),
 * so requests at the same time cannot all find room: unserialised, 12 at
 * once sent 6 or 7 codes.  (Several server processes on one PostgreSQL
 * database each take turns of their own.) */
static int take_turn(const pk_app *app, const uint8_t key[PK_THROTTLE_KEY_LEN], int64_t now,
                     int *retry_after)
{
    pk_code_queue *q = app->codes;
    if (q != NULL)
        pthread_mutex_lock(&q->turn);
    static const struct {
        int64_t window, limit;
    } lim[] = {{PK_RCODE_WINDOW, PK_RCODE_PER_NIK}, {PK_RCODE_DAY, PK_RCODE_PER_DAY}};
    int64_t wait = 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < PK_ARRAY_LEN(lim); i++) {
        int64_t n = 0, oldest = 0, newest = 0;
        if (pk_store_login_failures(app->store, key, now - lim[i].window, &n, &oldest,
                                    &newest) != 0)
            rc = PK_EIO;
        else if (n >= lim[i].limit) {
            int64_t w = oldest + lim[i].window - now; /* 0 at the last second */
            if (w < 1)
                w = 1;
            if (w > wait)
                wait = w;
        }
    }
    if (rc == 0 && wait > 0) {
        *retry_after = wait > PK_RCODE_DAY ? PK_RCODE_DAY : (int)wait;
        rc = PK_ELIMIT;
    }
    if (rc == 0 && pk_store_login_failure_add(app->store, key, now, now - PK_THROTTLE_KEEP) != 0)
        rc = PK_EIO;
    if (q != NULL)
        pthread_mutex_unlock(&q->turn);
    return rc;
}

int pk_resident_code_send(const pk_app *app, const char *nik, pk_rcode_purpose purpose,
                          int64_t now, int *retry_after)
{
    *retry_after = 0;
    if (!pk_nik_digits(nik))
        return PK_EINVAL;
    uint8_t key[PK_THROTTLE_KEY_LEN];
    nik_key(app, nik, key);
    int rc = take_turn(app, key, now, retry_after);
    if (rc != 0)
        return rc;
    int64_t pid;
    if (pk_registry_nik_id(app, nik, &pid) != 0)
        return PK_EIO;
    if (pid == 0)
        return 0;   /* the same answer: nothing to send */

    pk_tx *tx = NULL;
    rc = pk_store_begin(app->store, &tx);
    /* A code sent less than PK_RCODE_RESEND ago and still usable stays:
     * a page reloaded (or a tab a phone restores) sends its form again,
     * and a new code would void the one just received (an outside
     * review).  The answer is the one any NIK gets; the NIK's turn was
     * taken above all the same, so the limits count alike.  Asked
     * first: a reload opens no sealed data and draws no code. */
    uint8_t had[PK_RCODE_LEN];
    int64_t expires = 0, attempts = 0;
    int got = rc == 0 ? pk_tx_resident_code_get(tx, pid, purpose_name(purpose), had, &expires,
                                                &attempts)
                      : PK_ENOENT;
    sodium_memzero(had, sizeof had);
    if (got == 0 && now < expires && attempts < PK_RCODE_TRIES &&
        now < expires - PK_RCODE_TTL + PK_RCODE_RESEND) {
        pk_tx_rollback(tx);
        return 0;
    }
    pk_participant p;
    open_ctx o = {app, &p, false, 0};
    if (rc == 0 && ((rc = pk_store_participant_get(app->store, "", pid, got_row, &o)) != 0 ||
                    !o.found)) {
        pk_tx_rollback(tx);
        sodium_memzero(&p, sizeof p);
        return PK_EIO;
    }
    char code[8];
    snprintf(code, sizeof code, "%06u", (unsigned)randombytes_uniform(1000000));
    uint8_t h[PK_RCODE_LEN];
    code_hash(app, pid, purpose, code, h);
    char pref[16] = "";
    int64_t verified = 0;
    if (rc == 0 && got != 0 && got != PK_ENOENT)
        rc = got;
    if (rc == 0)
        rc = pk_tx_contact_pref_get(tx, pid, pref, &verified);
    if (rc == 0)
        rc = pk_tx_resident_code_put(tx, pid, purpose_name(purpose), h, now + PK_RCODE_TTL);
    if (rc == 0) {
        rc = pk_tx_commit(tx);
        tx = NULL;
    }
    pk_tx_rollback(tx);
    if (rc == 0) {
        /* handed over by the queue's thread: the answer neither waits for
         * the gateway nor tells by its time that the NIK is registered (a
         * failure is logged; the answer stays the one any NIK gets) */
        code_job job = {.purpose = purpose};
        snprintf(job.no_hp, sizeof job.no_hp, "%s", p.no_hp);
        snprintf(job.email, sizeof job.email, "%s", p.email);
        snprintf(job.pref, sizeof job.pref, "%s", pref);
        snprintf(job.code, sizeof job.code, "%s", code);
        enqueue(app, &job);
        sodium_memzero(&job, sizeof job);
    }
    sodium_memzero(code, sizeof code);
    sodium_memzero(h, sizeof h);
    sodium_memzero(&p, sizeof p);
    return rc == 0 ? 0 : PK_EIO;
}

/* A new session for pid: its id as cookie text in token, hashed in who. */
static int session_open(const pk_app *app, pk_tx *tx, int64_t pid, int64_t now,
                        char token[PK_SECRET_TEXT], pk_resident *who)
{
    uint8_t raw[32];
    randombytes_buf(raw, sizeof raw);
    pk_au_b64(token, PK_SECRET_TEXT, raw, sizeof raw);
    pk_au_keyed(app, "sesi-warga", token, strlen(token), who->sid, sizeof who->sid);
    sodium_memzero(raw, sizeof raw);
    who->participant_id = pid;
    return pk_tx_rsession_put(tx, who->sid, pid, now, now - app->cfg.session_idle,
                              now - app->cfg.session_max);
}

static bool six_digits(const char *s)
{
    if (s == NULL || strlen(s) != 6)
        return false;
    for (int i = 0; i < 6; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

int pk_resident_code_check(const pk_app *app, const char *nik, const char *code,
                           pk_rcode_purpose purpose, int64_t now, char token[PK_SECRET_TEXT],
                           pk_resident *who)
{
    memset(who, 0, sizeof *who);
    token[0] = '\0';
    if (!pk_nik_digits(nik) || !six_digits(code))
        return PK_EINVAL;
    int64_t pid;
    if (pk_registry_nik_id(app, nik, &pid) != 0)
        return PK_EIO;
    if (pid == 0)
        return PK_EDENIED;
    uint8_t want[PK_RCODE_LEN], given[PK_RCODE_LEN];
    int64_t expires = 0, attempts = 0;
    const char *pn = purpose_name(purpose);
    pk_tx *tx = NULL;
    int rc = pk_store_begin(app->store, &tx);
    if (rc == 0)
        rc = pk_tx_resident_code_get(tx, pid, pn, want, &expires, &attempts);
    bool ok = false;
    if (rc == 0) {
        code_hash(app, pid, purpose, code, given);
        ok = sodium_memcmp(want, given, PK_RCODE_LEN) == 0 && now < expires &&
             attempts < PK_RCODE_TRIES;
        if (ok) {
            rc = pk_tx_resident_code_set(tx, pid, pn, -1);
            if (rc == 0)
                rc = session_open(app, tx, pid, now, token, who);
            if (rc == 0 && purpose == PK_RCODE_TELEPON)
                rc = pk_tx_contact_pref_set(tx, pid, NULL, now);
            if (rc == 0)
                rc = pk_tx_audit(tx, PK_ACTOR_RESIDENT, "portal",
                                 purpose == PK_RCODE_TELEPON ? "resident.phone_verified"
                                                             : "resident.login",
                                 pid, "");
        } else {
            /* a wrong entry counts; the last allowed one voids the code */
            bool dead = now >= expires || attempts + 1 >= PK_RCODE_TRIES;
            rc = pk_tx_resident_code_set(tx, pid, pn, dead ? -1 : attempts + 1);
        }
    }
    if (rc == 0) {
        rc = pk_tx_commit(tx);
        tx = NULL;
    }
    pk_tx_rollback(tx);
    sodium_memzero(want, sizeof want);
    sodium_memzero(given, sizeof given);
    if (rc == PK_ENOENT)
        return PK_EDENIED;
    if (rc != 0) {
        token[0] = '\0';
        return PK_EIO;
    }
    if (!ok) {
        token[0] = '\0';
        memset(who, 0, sizeof *who);
        return PK_EDENIED;
    }
    return 0;
}

int pk_resident_session(const pk_app *app, const char *token, int64_t now, pk_resident *who)
{
    memset(who, 0, sizeof *who);
    if (!pk_au_b64_shape(token, B64_32))
        return PK_ENOENT;
    pk_au_keyed(app, "sesi-warga", token, strlen(token), who->sid, sizeof who->sid);
    int64_t pid = 0, created = 0, seen = 0;
    pk_tx *tx = NULL;
    int rc = pk_store_begin(app->store, &tx);
    if (rc == 0)
        rc = pk_tx_rsession_get(tx, who->sid, &pid, &created, &seen);
    bool live = rc == 0 && seen >= now - app->cfg.session_idle &&
                created >= now - app->cfg.session_max;
    if (rc == 0)
        rc = pk_tx_rsession_set(tx, who->sid, live ? now : -1);
    if (rc == 0) {
        rc = pk_tx_commit(tx);
        tx = NULL;
    }
    pk_tx_rollback(tx);
    if (rc == PK_ENOENT || (rc == 0 && !live))
        return PK_ENOENT;
    if (rc != 0)
        return PK_EIO;
    who->participant_id = pid;
    return 0;
}

int pk_resident_logout(const pk_app *app, const pk_resident *who)
{
    pk_tx *tx = NULL;
    int rc = pk_store_begin(app->store, &tx);
    if (rc == 0)
        rc = pk_tx_rsession_set(tx, who->sid, -1);
    if (rc == 0)
        return pk_tx_commit(tx);
    pk_tx_rollback(tx);
    return rc;
}

void pk_resident_csrf(const pk_app *app, const pk_resident *who, char out[PK_SECRET_TEXT])
{
    uint8_t mac[32];
    pk_au_keyed(app, "csrf-warga", who->sid, sizeof who->sid, mac, sizeof mac);
    pk_au_b64(out, PK_SECRET_TEXT, mac, sizeof mac);
}

bool pk_resident_csrf_ok(const pk_app *app, const pk_resident *who, const char *given)
{
    char want[PK_SECRET_TEXT];
    pk_resident_csrf(app, who, want);
    size_t n = strlen(want);
    return given != NULL && strnlen(given, n + 1) == n && sodium_memcmp(want, given, n) == 0;
}

int pk_resident_pref(const pk_app *app, int64_t participant_id, char channel[16],
                     int64_t *phone_verified_at)
{
    pk_tx *tx = NULL;
    int rc = pk_store_begin(app->store, &tx);
    if (rc == 0)
        rc = pk_tx_contact_pref_get(tx, participant_id, channel, phone_verified_at);
    pk_tx_rollback(tx);
    return rc;
}

int pk_resident_pref_set(const pk_app *app, int64_t participant_id, const char *channel)
{
    pk_channel c = pk_channel_by_name(channel);
    if (c != PK_CH_WHATSAPP && c != PK_CH_SMS && c != PK_CH_EMAIL)
        return PK_EINVAL;
    pk_tx *tx = NULL;
    int rc = pk_store_begin(app->store, &tx);
    if (rc == 0)
        rc = pk_tx_contact_pref_set(tx, participant_id, pk_channel_name(c), -1);
    if (rc == 0) {
        char detail[32];
        snprintf(detail, sizeof detail, "channel=%s", pk_channel_name(c));
        rc = pk_tx_audit(tx, PK_ACTOR_RESIDENT, "portal", "resident.channel", participant_id, detail);
    }
    if (rc == 0)
        return pk_tx_commit(tx);
    pk_tx_rollback(tx);
    return rc;
}

int pk_resident_person(const pk_app *app, int64_t participant_id, pk_participant *out,
                       uint64_t *reasons)
{
    open_ctx o = {app, out, false, 0};
    int rc = pk_store_participant_get(app->store, "", participant_id, got_row, &o);
    if (rc != 0)
        return PK_EIO;
    *reasons = o.reasons;
    return o.found ? 0 : PK_ENOENT;
}
