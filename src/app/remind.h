/* remind.h -- the Jakarta service's reminders (reminders.md, issue #15):
 * a participant's consent per purpose (remind.c), the plan and the run of
 * a day (remind_plan.c: who gets which message and why, the decisions of
 * core/remind.h applied to every journey, recorded by a run), and the
 * outbox that hands messages to their channels (outbox.c). */
#ifndef PK_APP_REMIND_H
#define PK_APP_REMIND_H

#include <stdbool.h>
#include <stddef.h>

#include "app/app.h"
#include "app/channel.h"
#include "core/remind.h"

/* A change of consent: stop (or start again) the messages of `purpose`
 * for the participant with this NIK, asked by `channel` ("staff", "sms",
 * "whatsapp", "email"), as `actor` through the adapter `source` (the
 * audit log's channel: "cli", "portal", "webhook"). */
typedef struct pk_consent_req {
    const char *nik;
    pk_purpose purpose;
    bool stop;
    const char *channel, *source, *actor;
} pk_consent_req;

/* Makes the change, kept with its time and audited (consent.stop /
 * consent.start, the participant's id, never the NIK).  *changed: false
 * when it was so already (nothing is written).  Returns 0; PK_EINVAL (not
 * a NIK: 16 digits; an unknown purpose), PK_ENOENT (no participant has
 * it), or a store error, with a sentence in err (never the NIK). */
int pk_consent_change(const pk_app *app, const pk_consent_req *r, bool *changed,
                      int64_t *participant_id, char *err, size_t errlen);

typedef struct pk_tx pk_tx; /* store/store.h */
/* The same change for a participant found already, inside the caller's
 * transaction: the stop or start, kept with its time, and its audit entry
 * when it changed anything (what every path that changes consent goes
 * through: the CLI, the e-mail's one-click stop, replies by webhook). */
int pk_consent_set_tx(pk_tx *tx, int64_t participant_id, pk_purpose purpose, bool stop,
                      const char *channel, const char *source, const char *actor,
                      bool *changed);

/* ---- a day's plan and run ---- */

/* The rules the settings name (reminders_file, else data_dir's
 * reminders.ini), checked: PK_EINVAL / PK_EIO with a sentence in err. */
int pk_remind_rules_load(const pk_config *cfg, pk_remind_rules *out, char *err, size_t errlen);

/* One line of a plan: a fire considered on the day (what `remind plan`
 * prints as JSON: reminders.md "Commands"). */
typedef struct pk_plan_line {
    int64_t participant_id;
    const char *region;        /* the person's village code */
    const char *nik;
    const char *rule;
    int64_t anchor;
    int64_t k;                 /* 0: none */
    pk_fire_status status;
    const char *channel;       /* kirim: the channel; NULL otherwise */
    int64_t send_at;           /* kirim: when; 0 otherwise */
    const char *reason;        /* Indonesian, for staff */
} pk_plan_line;
typedef int (*pk_plan_line_fn)(void *ctx, const pk_plan_line *l);

typedef struct pk_remind_summary {
    int64_t people;                             /* with a fire considered */
    int64_t status[PK_FS__COUNT];
    int64_t rule_status[PK_REMIND_RULES_MAX][PK_FS__COUNT];
    int64_t queued;                             /* run: messages queued */
    /* run: the outbox afterwards (messages due by `now`) */
    int64_t sent, failed, uncertain, retrying;
    int64_t cancelled;                          /* the condition cleared before its time */
    /* run, send: `now` fell in the quiet hours (reminders.md step 4), so
     * nothing was handed over: the messages due wait for this instant,
     * the hours' end; 0 when not quiet */
    int64_t quiet_until;
} pk_remind_summary;

typedef struct pk_remind_req {
    pk_date day;               /* WIB */
    bool run;                  /* false: the plan, nothing changes */
    int64_t now;               /* the clock: a run hands over what is due by then */
    const char *actor, *source; /* the audit entry's: "cli:USER", "cli" */
    const char *scope;         /* plan: only the people of this region (NULL/"": all) */
    /* The access log's route for a read whose lines carry whole NIKs (a
     * plan or a run shown to someone): when not NULL, recorded first
     * (remind.plan, the actor, the day and the scope), or nothing is done
     * (PK_EIO).  NULL: not recorded (the daemon's run prints nothing). */
    const char *route;
    pk_plan_line_fn line;      /* each fire considered (NULL: none) */
    void *ctx;
} pk_remind_req;

/* The fires of the day, decided (reminders.md): r->line gets each.  With
 * run, each decision is recorded and each message queued (one run at a
 * time: a lease; PK_EBUSY when another holds it; a day not begun yet is
 * PK_EINVAL), then the outbox hands over every message due by `now`.
 * Without run nothing changes.  Returns 0 or an error with a sentence in
 * err. */
int pk_remind_day(const pk_app *app, const pk_remind_req *r, pk_remind_summary *sum, char *err,
                  size_t errlen);

/* The plan as staff see it (the page "siapa menerima apa, dan mengapa"):
 * the people of `region` (inside the caller's `scope`; NULL/"": the whole
 * scope), recorded in the access log first (pk_remind_req's route: the
 * day and the region).  PK_EINVAL when the region is not a known code inside the
 * scope; else what pk_remind_day returns. */
int pk_remind_plan_staff(const pk_app *app, const char *scope, const char *region, const char *actor,
                         const char *route, pk_date day, pk_plan_line_fn line, void *ctx,
                         pk_remind_summary *sum, char *err, size_t errlen);

/* One occurrence of a person's reminders as staff preview it: the rule,
 * whether its condition holds, when its fires are, and each channel's
 * text filled in with the person's values. */
typedef struct pk_preview {
    const char *rule, *purpose;
    int64_t anchor, k;
    bool holds;
    bool cancelled;    /* a fire of it was recorded dibatalkan: none goes out any more */
    int64_t fires[PK_REMIND_OFFSETS_MAX];
    size_t nfires;
    const char *wa_template;
    char sms[PK_REMIND_TEXT_MAX], whatsapp[PK_REMIND_TEXT_MAX];
    char email_subject[PK_REMIND_SUBJECT_MAX], email[PK_REMIND_TEXT_MAX];
} pk_preview;
typedef int (*pk_preview_fn)(void *ctx, const pk_preview *p);
/* The occurrences of participant_id (of village `region`) on `day`, each
 * with its texts, through cb (none: cb is not called).  The caller has
 * checked the person is in its scope and recorded the read. */
int pk_remind_preview(const pk_app *app, int64_t participant_id, const char *region,
                      pk_date day, pk_preview_fn cb, void *ctx, char *err, size_t errlen);

/* One person's occurrences at a time, the rules and waves read once: the
 * outbox checks a message's condition again when it hands it over. */
typedef struct pk_remind_reader pk_remind_reader;
int pk_remind_reader_new(const pk_app *app, pk_date day, pk_remind_reader **out, char *err,
                         size_t errlen);
/* Whether the occurrence (rule, anchor, k) of the participant holds now
 * (false when it is no longer one of theirs). */
int pk_remind_reader_holds(pk_remind_reader *r, int64_t participant_id, const char *rule,
                           int64_t anchor, int64_t k, bool *holds);
void pk_remind_reader_free(pk_remind_reader *r);

/* A person's consent (stopped[p]: purpose p stopped) and their latest
 * messages, newest first (the store's pk_outbox_msg). */
int pk_remind_consent_of(const pk_app *app, int64_t participant_id,
                         bool stopped[PK_PURPOSE__COUNT]);
typedef struct pk_message_view {
    char rule[32], day[11], channel[12], state[12], error[160];
    int64_t send_at;
    int64_t delivered_at, read_at; /* receipts (0: none) */
} pk_message_view;
int pk_remind_messages_of(const pk_app *app, int64_t participant_id, size_t limit,
                          pk_message_view *rows, size_t *n);

/* ---- the effect of reminders (issue #15) ---- */

/* Recipients with a recorded fire of a rule fall in one group of it:
 * reminded (a fire was sent), held out (the hold-out of reminders.ini's
 * kelompok_kontrol: nothing sent), or not reminded for another reason
 * (every fire cancelled, too late, opted out, deferred). */
typedef enum pk_effect_group { PK_EFF_DIINGATKAN, PK_EFF_KONTROL, PK_EFF_TIDAK, PK_EFF__COUNT }
    pk_effect_group;
typedef struct pk_remind_effect_cell {
    int64_t people, revoked, bought; /* bought: a first purchase */
    double median_days;              /* selection -> first purchase, whole days, their
                                      * median (core/median.h, x.5 possible); -1: none */
} pk_remind_effect_cell;
typedef struct pk_remind_effect_rule {
    char rule[PK_REMIND_ID_MAX];
    pk_remind_effect_cell group[PK_EFF__COUNT];
} pk_remind_effect_rule;
typedef struct pk_remind_effect {
    uint32_t control_ppm;            /* the hold-out's share now, millionths */
    char control_seed[65];           /* its seed in hex ("" without a hold-out) */
    pk_remind_effect_rule rules[PK_REMIND_RULES_MAX];
    size_t nrules;
} pk_remind_effect;
/* Per rule that has recorded fires, the groups' people, revocations,
 * first purchases and the median days from selection to the first
 * purchase, for the people of `region` (inside `scope`; NULL/"": the
 * whole scope).  PK_EINVAL when the region is not a known code inside
 * the scope. */
int pk_remind_effect_of(const pk_app *app, const char *scope, const char *region,
                        pk_remind_effect *out, char *err, size_t errlen);

/* The person's latest changes of consent, newest first: the purpose,
 * stopped or started, the channel and actor that asked, when (the store's
 * clock). */
typedef struct pk_consent_view {
    char purpose[16];
    bool stopped;
    char channel[16], actor[64], at[32];
} pk_consent_view;
int pk_remind_consent_changes_of(const pk_app *app, int64_t participant_id, size_t limit,
                                 pk_consent_view *rows, size_t *n);

/* The latest run as pk_meta keeps it ("" when none). */
int pk_remind_last_run(const pk_app *app, char *out, size_t cap);

/* What a run keeps in pk_meta: the latest day run ("YYYY-MM-DD") and the
 * latest run ("<instant> day=... people=... sent=...", the audit entry's
 * detail after the instant it ran). */
#define PK_META_REMIND_DAY "remind_last_day"
#define PK_META_REMIND_LAST "remind_last_run"

/* The reminders' lease, one holder at a time across processes and
 * servers (an hour at most; a holder on this host whose process died is
 * taken over).  holder: "host:pid" of this process. */
void pk_remind_holder(char *out, size_t cap);
int pk_remind_lease(const pk_app *app, const char *holder, int64_t now, bool *got);

/* Hands over every message due by `now` (what `remind send` and serve do
 * between runs): the rules and channels of the settings, under the lease
 * (PK_EBUSY when another process holds it). */
int pk_remind_send(const pk_app *app, int64_t now, pk_remind_summary *sum, char *err, size_t errlen);

/* ---- serve: each day's run at remind_at, due messages every minute ---- */
typedef struct pk_reminder pk_reminder;
/* Starts the thread (NULL *out when no channel is enabled: nothing to
 * do); PK_EINVAL with a sentence when remind_at is not HH:MM. */
int pk_reminder_start(const pk_app *app, pk_reminder **out, char *err, size_t errlen);
void pk_reminder_stop(pk_reminder *r);

/* Hands every queued message due by `now` to its channel (outbox.c),
 * under the lease the caller holds, through the channels open (chans by
 * pk_channel, `enabled` their bits), each message's condition checked
 * again as of `day` first; adds to sum's sent, failed, uncertain,
 * retrying, cancelled.  In the quiet hours it hands over nothing and
 * sets sum->quiet_until. */
int pk_outbox_deliver(const pk_app *app, const pk_remind_rules *rules, pk_chan *const *chans,
                      unsigned enabled, pk_date day, int64_t now, pk_remind_summary *sum,
                      char *err, size_t errlen);

/* After a permanent failure of channel c for message m (said at once by
 * the gateway, or later by a receipt): c is marked failed for the
 * message, which is queued again at once (state antri, attempts 0) on the
 * next channel in the spec's order among `enabled` that reaches the
 * person (has_phone, has_email), or is gagal when none is left (false).
 * The caller records the failure for the person (pk_contact_failed). */
typedef struct pk_outbox_msg pk_outbox_msg; /* store/store.h */
bool pk_outbox_fall_back(pk_outbox_msg *m, pk_channel c, unsigned enabled, bool has_phone,
                         bool has_email, int64_t now);

#endif
