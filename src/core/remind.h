/* remind.h -- reminders (spec: reminders.md) as pure functions: the rules
 * read from data/reminders.ini, a person's OCCURRENCES derived from their
 * journey, and the DECISION for each due fire on a day (condition, expiry,
 * opt-out, quiet hours, caps with the spec's priority order, collapse of
 * one occurrence's fires).  No I/O: the caller (app/) reads the journey
 * and what was recorded of earlier fires, and stores the decisions.
 *
 * Words:
 *  - a RULE has a condition (one of pk_remind_cond: which facts of the
 *    journey it reads is code, chosen by name in the ini), a purpose,
 *    offsets in days from its anchor, a priority, templates;
 *  - an OCCURRENCE is (person, rule, anchor instant, k): the anchor is a
 *    deadline (first purchase, balance cut-off, survey k, a wave's closing)
 *    or an event (a failed incentive, a finished training);
 *  - a FIRE is one offset of an occurrence: the anchor's WIB day plus the
 *    offset, at the delivery hour. */
#ifndef PK_REMIND_H
#define PK_REMIND_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/journey.h"

typedef enum pk_remind_cond {
    PK_RC_BELI_PELATIHAN,       /* recipient, not revoked, no purchase left uncancelled */
    PK_RC_INSENTIF_GAGAL,       /* the last event of incentive k is insentif_gagal */
    PK_RC_SALDO_BELUM_TERPAKAI, /* balance > 0 and the wave has a balance cut-off */
    PK_RC_BERI_ULASAN,          /* a finished training without ulasan */
    PK_RC_TAUTKAN_REKENING,     /* a finished training and no rekening_tertaut */
    PK_RC_ISI_SURVEI,           /* survey k open and not filled */
    PK_RC_GABUNG_GELOMBANG,     /* eligible, never selected, in no open wave, a wave open */
    PK_RC__COUNT
} pk_remind_cond;

/* "beli_pelatihan" ...; NULL / PK_RC__COUNT when unknown. */
const char *pk_remind_cond_name(pk_remind_cond c);
pk_remind_cond pk_remind_cond_by_name(const char *name);
/* What a condition's reminders are about, for staff pages, in Indonesian:
 * "Beli pelatihan pertama" ...; NULL when unknown. */
const char *pk_remind_cond_title(pk_remind_cond c);
/* Whether the condition's anchor is a deadline (a fire after the
 * deadline's day is terlewat) rather than an event (fires wait while the
 * condition holds). */
bool pk_remind_cond_expires(pk_remind_cond c);

typedef enum pk_purpose { PK_PURPOSE_PROGRAM, PK_PURPOSE_INFORMASI, PK_PURPOSE__COUNT } pk_purpose;
const char *pk_purpose_name(pk_purpose p);     /* "program", "informasi" */
pk_purpose pk_purpose_by_name(const char *name); /* PK_PURPOSE__COUNT when unknown */

/* The channels, in the spec's fallback order (berkas last: a file). */
typedef enum pk_channel { PK_CH_WHATSAPP, PK_CH_SMS, PK_CH_EMAIL, PK_CH_BERKAS, PK_CH__COUNT } pk_channel;
const char *pk_channel_name(pk_channel c);     /* "whatsapp", "sms", "email", "berkas" */
pk_channel pk_channel_by_name(const char *name); /* PK_CH__COUNT when unknown */

#define PK_REMIND_RULES_MAX 32
#define PK_REMIND_OFFSETS_MAX 8
#define PK_REMIND_ID_MAX 32
#define PK_REMIND_SMS_MAX 161         /* 160 GSM-7 characters once filled in */
#define PK_REMIND_TEXT_MAX 1024       /* WhatsApp and e-mail bodies, a template */
#define PK_REMIND_SUBJECT_MAX 160

typedef struct pk_remind_rule {
    char id[PK_REMIND_ID_MAX];        /* the section's name: "beli_pelatihan" */
    pk_remind_cond cond;              /* `kondisi`, by default the id */
    pk_purpose purpose;
    int offsets[PK_REMIND_OFFSETS_MAX]; /* days from the anchor, ascending, distinct */
    size_t noffsets;
    int priority;                     /* 1 = most urgent */
    char sms[PK_REMIND_TEXT_MAX];     /* templates: {batas} {saldo} {gelombang} {ke} {pelatihan} {portal} */
    char whatsapp_template[64];       /* the approved template's name at Meta */
    char whatsapp[PK_REMIND_TEXT_MAX];/* its text as approved (for previews and berkas) */
    char email_subject[PK_REMIND_SUBJECT_MAX];
    char email[PK_REMIND_TEXT_MAX];
} pk_remind_rule;

typedef struct pk_remind_settings {
    int delivery_minute;   /* minutes after 00:00 WIB: 9*60 */
    int quiet_start;       /* nothing is sent from quiet_start ... */
    int quiet_end;         /* ... to quiet_end (minutes of the WIB day; may wrap midnight) */
    int cap_day;           /* messages a person a calendar day */
    int cap_week;          /* ... in the day of sending and the 6 before it */
    /* The hold-out (the effect of reminders): this share of the people,
     * in millionths (0: none), chosen by SHA-256(seed || NIK) as the
     * draw ranks applicants, is sent nothing; their fires are `kontrol`. */
    uint32_t control_ppm;  /* `kelompok_kontrol`, a percentage 0..50 in the ini */
    uint8_t control_seed[32]; /* `benih_kontrol`, 64 hex digits (required with a share) */
} pk_remind_settings;

typedef struct pk_remind_rules {
    pk_remind_settings set;
    pk_remind_rule items[PK_REMIND_RULES_MAX];
    size_t count;
} pk_remind_rules;

/* Parses the ini text (NUL-terminated): an `[umum]` section of settings
 * (all optional: jam_kirim = 09:00, jam_tenang = 21:00-08:00,
 * batas_harian = 1, batas_mingguan = 3) and a section per rule (tujuan,
 * kondisi, offset, prioritas, sms, whatsapp_template, whatsapp,
 * email_subjek, email).  Each rule's SMS, filled with the longest values
 * its placeholders take, must fit 160 GSM-7 characters.  On error
 * PK_EINVAL and a one-line English explanation naming the section and key
 * in err. */
int pk_remind_rules_parse(const char *text, pk_remind_rules *out, char *err, size_t errlen);
const pk_remind_rule *pk_remind_rule_find(const pk_remind_rules *r, const char *id);

/* ---- occurrences ---- */

/* What a person's occurrences are computed from.  The caller reads the
 * journey, its deadlines and (when the state says they matter: failed
 * incentives, completions, surveys) the events in order. */
typedef struct pk_remind_facts {
    const pk_journey *j;         /* NULL: registered, no journey yet */
    const pk_deadlines *d;       /* with j */
    const pk_event *ev;          /* the person's events in (at, seq) order */
    size_t nev;
    int survey_fill_days;        /* the scheme's */
    bool eligible;               /* the registry's verdict: no reason */
    bool in_open_wave;           /* applied to a wave that is open now */
    int64_t open_wave;           /* a wave open now (0: none) ... */
    int64_t open_wave_closes;    /* ... and its closing instant */
} pk_remind_facts;

typedef struct pk_remind_occ {
    uint16_t rule;               /* index in pk_remind_rules.items */
    int64_t anchor;              /* instant */
    int64_t k;                   /* incentive or survey number; 0: none */
    int64_t wave;                /* for {gelombang} */
    char course[PK_EVENT_TEXT_MAX]; /* for {pelatihan}: the finished training */
    bool holds;                  /* the condition holds now */
} pk_remind_occ;

/* The person's occurrences under every rule, at most cap of them written
 * to out; returns how many there are (more than cap: the caller gives
 * more room).  An occurrence whose condition no longer holds is still
 * listed (holds false) while its anchor can be computed, so that its
 * unsent fires are cancelled. */
size_t pk_remind_occurrences(const pk_remind_rules *r, const pk_remind_facts *f,
                             pk_remind_occ *out, size_t cap);

/* The instant of fire `i` of occurrence o: the anchor's WIB day plus the
 * rule's offset i, at the delivery time. */
int64_t pk_remind_fire_at(const pk_remind_rules *r, const pk_remind_occ *o, size_t i);

/* The instant itself, or the end of the quiet hours it falls in. */
int64_t pk_remind_unquiet(const pk_remind_settings *s, int64_t at);

/* ---- the decision of a day ---- */

typedef enum pk_fire_status {
    PK_FS_KIRIM,               /* will be sent */
    PK_FS_DITUNDA,             /* deferred by a cap to the next day */
    PK_FS_DIBATALKAN,          /* the condition no longer holds */
    PK_FS_TERLEWAT,            /* the deadline's day has passed */
    PK_FS_BERHENTI_LANGGANAN,  /* the person stopped the rule's purpose */
    PK_FS_KONTROL,             /* the person is in the hold-out: never sent (not in
                                * the spec's five: only with kelompok_kontrol > 0) */
    PK_FS__COUNT
} pk_fire_status;
const char *pk_fire_status_name(pk_fire_status s);
/* Whether a recorded fire of this status is settled (never considered
 * again): every status but ditunda. */
bool pk_fire_status_final(pk_fire_status s);

/* One fire considered on the day. */
typedef struct pk_remind_fire {
    size_t occ;                /* index in the occurrences given */
    size_t offset;             /* index in the rule's offsets */
    int64_t at;                /* the fire's instant */
    pk_fire_status status;
    int64_t send_at;           /* kirim: when (the day's delivery time, out of quiet hours) */
    bool merged;               /* kirim: goes out inside the message of a later fire
                                * of the same occurrence (the latest fire's text) */
} pk_remind_fire;

/* What is known of the person for the day. */
typedef struct pk_remind_person {
    const uint32_t *settled;   /* per occurrence: bit i = fire i already recorded as final */
    unsigned stopped;          /* bit per pk_purpose the person opted out of */
    int sent[7];               /* messages sent on day D (0), D-1 (1) ... D-6 (6) */
    bool control;              /* in the hold-out (pk_remind_held_out) */
} pk_remind_person;

/* Every fire of the occurrences due on day `day` (WIB) and not settled,
 * decided in the spec's order: condition, expiry, opt-out, quiet hours,
 * caps (most urgent first: priority, anchor, rule id; one message per
 * occurrence, its fires merged).  Returns how many fires (at most cap
 * written).  Pure. */
size_t pk_remind_decide(const pk_remind_rules *r, pk_date day, const pk_remind_occ *occ,
                        size_t nocc, const pk_remind_person *p, pk_remind_fire *out,
                        size_t cap);

/* Whether the person of this NIK (16 ASCII digits) is in the hold-out of
 * the settings: the first 8 bytes of SHA-256(seed || NIK), big-endian,
 * below share x 2^64.  false when the share is 0. */
bool pk_remind_held_out(const pk_remind_settings *s, const char nik[16]);

/* ---- channels and text ---- */

/* The channel for a person: their preferred one, then the spec's order
 * (WhatsApp -> SMS -> e-mail), skipping channels not enabled
 * (bit per pk_channel), those that failed permanently for the person,
 * SMS/WhatsApp without a phone and e-mail without an address; berkas when
 * it is the only one enabled.  PK_CH__COUNT: no channel reaches them. */
pk_channel pk_remind_channel(pk_channel preferred, unsigned enabled, unsigned failed,
                             bool has_phone, bool has_email);

/* The values a template's placeholders take. */
typedef struct pk_remind_vars {
    const char *batas;         /* "12 Mar 2021" */
    const char *saldo;         /* "Rp3.550.000" */
    const char *gelombang;     /* "12" */
    const char *ke;            /* "2" */
    const char *pelatihan;     /* a course code */
    const char *portal;        /* the portal's address */
} pk_remind_vars;

/* Fills the template into out (NUL-terminated); an unknown placeholder is
 * PK_EINVAL (the parser refuses such templates), PK_ETOOBIG when it does
 * not fit. */
int pk_remind_render(const char *tmpl, const pk_remind_vars *v, char *out, size_t outlen);

/* The values of the template's placeholders in the order they appear
 * (a WhatsApp template's body parameters {{1}}, {{2}}, ...): at most cap
 * written to out; returns how many there are. */
size_t pk_remind_params(const char *tmpl, const pk_remind_vars *v, const char **out, size_t cap);

/* GSM 03.38 septets of a UTF-8 text (extension characters count 2), or
 * -1 when a character is outside the GSM-7 alphabet. */
int pk_gsm7_length(const char *utf8);

#endif
