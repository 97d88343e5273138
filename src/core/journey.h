/* journey.h -- a participant's journey as events (spec:
 * journey-events-csv.md): the event types and what each needs, one event
 * row's fields parsed and checked, and the FOLD of one person's events,
 * in (at, seq) order, into their current state, refusing an event that
 * breaks a rule with its reason code.  Pure: no I/O.
 *
 * Instants are whole seconds since 1970-01-01 UTC (int64): the files
 * carry seconds, and a day's end (23:59:59 WIB) is a second.  0 means
 * "none" in every instant of pk_journey. */
#ifndef PK_JOURNEY_H
#define PK_JOURNEY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/date.h"
#include "core/pk.h"

/* In the spec's table order: a recipient's events start at
 * PK_EV_SALDO_MASUK (each needs an earlier lolos). */
typedef enum pk_event_type {
    PK_EV_GABUNG_GELOMBANG,
    PK_EV_LOLOS,
    PK_EV_TIDAK_LOLOS,
    PK_EV_SALDO_MASUK,
    PK_EV_PEMBELIAN,
    PK_EV_PEMBATALAN,
    PK_EV_SELESAI_PELATIHAN,
    PK_EV_ULASAN,
    PK_EV_REKENING_TERTAUT,
    PK_EV_INSENTIF_DIBAYAR,
    PK_EV_INSENTIF_GAGAL,
    PK_EV_SURVEI_DIBUKA,
    PK_EV_SURVEI_DIISI,
    PK_EV_INSENTIF_SURVEI_DIBAYAR,
    PK_EV_DICABUT,
    PK_EV_SALDO_HANGUS,
    PK_EV__COUNT
} pk_event_type;

/* The columns an event type needs (pk_event_info.needs). */
enum {
    PK_EVN_GELOMBANG = 1 << 0,
    PK_EVN_JUMLAH = 1 << 1,
    PK_EVN_KE = 1 << 2,
    PK_EVN_PELATIHAN = 1 << 3,
    PK_EVN_PLATFORM = 1 << 4,
    PK_EVN_REF_ASAL = 1 << 5,
    PK_EVN_KETERANGAN = 1 << 6,
};

typedef struct pk_event_info {
    const char *name;   /* the file's `peristiwa` */
    unsigned needs;     /* PK_EVN_* */
    const char *label;  /* what happened, for staff ("Lolos seleksi gelombang") */
} pk_event_info;

/* The type's entry; NULL for an unknown type. */
const pk_event_info *pk_event_info_of(pk_event_type t);
/* PK_EV__COUNT when unknown. */
pk_event_type pk_event_type_by_name(const char *name);

#define PK_EVENT_REF_MAX 65      /* 1-64 printable ASCII + NUL */
#define PK_EVENT_TEXT_MAX 257    /* 1-64 characters of UTF-8 + NUL: pelatihan, platform */
#define PK_EVENT_NOTE_MAX 801    /* 200 characters of UTF-8 + NUL */

typedef enum pk_event_source { PK_SRC_PMO, PK_SRC_LOKAL } pk_event_source;
const char *pk_event_source_name(pk_event_source s);  /* "pmo", "lokal" */
/* 0 or PK_EINVAL */
int pk_event_source_parse(const char *name, pk_event_source *out);

typedef struct pk_event {
    int64_t id;              /* the store's; 0 before it is stored */
    int64_t participant_id;
    pk_event_source source;
    char ref[PK_EVENT_REF_MAX];
    pk_event_type type;
    int64_t at;              /* the instant it happened */
    int64_t seq;             /* order among one person's events of the same instant */
    char received_at[32];    /* the store's clock when stored (pk_store_now's form) */
    int64_t wave;            /* 0: none */
    int64_t amount;          /* whole Rupiah; 0: none */
    int64_t k;               /* 0: none */
    char course[PK_EVENT_TEXT_MAX];
    char platform[PK_EVENT_TEXT_MAX];
    char ref_asal[PK_EVENT_REF_MAX];
    char note[PK_EVENT_NOTE_MAX];
} pk_event;

/* One row of an event file as text (NULL or "" for an empty cell). */
typedef struct pk_event_fields {
    const char *ref, *peristiwa, *waktu, *gelombang, *jumlah, *ke, *pelatihan, *platform,
        *ref_asal, *keterangan;
} pk_event_fields;

/* The seq of a file's row: its instant's fraction of a second (in
 * microseconds, pk_instant_parse_us) above its line, so that one person's
 * events of the same second go in the order of their fractions, then of
 * the file (journey-events-csv.md: applied in waktu order; the same
 * instant keeps file order).  Lines below 2^40. */
#define PK_EVENT_SEQ_US_SHIFT 40
static inline int64_t pk_event_seq(int32_t us, uint64_t line)
{
    return (int64_t)(((uint64_t)us << PK_EVENT_SEQ_US_SHIFT) |
                     (line & (((uint64_t)1 << PK_EVENT_SEQ_US_SHIFT) - 1)));
}

/* Parses and checks one row (not the NIK: the caller finds the person)
 * into out (source and participant_id are left for the caller; seq is
 * pk_event_seq(the fraction of waktu, 0): the caller adds the line).
 * Returns 0, or PK_EINVAL with *column set to the first column that is
 * missing or malformed for the event's type (code kolom_tidak_valid). */
int pk_event_parse(const pk_event_fields *f, pk_event *out, const char **column);

/* The ordering of one person's events: by instant, then seq, then id (a
 * stored event before one not stored yet). */
int pk_event_cmp(const pk_event *a, const pk_event *b);

/* ---- the current state ---- */

typedef enum pk_journey_status {
    PK_JS_TERDAFTAR,    /* registered, no wave */
    PK_JS_PENDAFTAR,    /* joined wave `wave` */
    PK_JS_PENERIMA,     /* selected */
    PK_JS_TIDAK_LOLOS,  /* not selected in wave `wave` */
    PK_JS_DICABUT,      /* revoked */
    PK_JS__COUNT
} pk_journey_status;
const char *pk_journey_status_name(pk_journey_status s);
/* PK_JS__COUNT when unknown */
pk_journey_status pk_journey_status_by_name(const char *name);

#define PK_PAYOUT_MAX 16

typedef struct pk_journey {
    int64_t participant_id;
    pk_journey_status status;
    int64_t wave;                 /* the last wave joined, or selected in */
    int64_t joined_at, selected_at, revoked_at;
    int64_t balance, credited, spent, refunded, lapsed;   /* Rupiah */
    int64_t first_purchase_at;    /* the earliest purchase that counts for the first-purchase
                                   * deadline: not cancelled, or cancelled only after
                                   * that deadline (spec: "no pembelian not cancelled
                                   * by then"); 0: none */
    int64_t purchases;            /* not cancelled */
    int64_t completions, reviews;
    int64_t first_completion_at;  /* the first finished training (selesai_pelatihan) */
    int64_t first_review_at;      /* the first review (ulasan) of that training: the
                                   * incentive's condition (spec: "a ulasan of the
                                   * first finished training"); 0: none yet */
    char payout[PK_PAYOUT_MAX];   /* bni, gopay, ...; "" until linked */
    int64_t payout_at;
    int64_t incentives_paid, incentive_total, incentives_failed;
    int64_t first_incentive_at;   /* the first incentive paid (the funnel's last step) */
    int64_t survey_k, survey_opened_at;  /* the latest survey opened */
    int64_t surveys_filled;       /* bit k-1: survey k filled in (k <= 63) */
    int64_t survey_incentives;
    int64_t events, last_at;      /* events applied; the instant of the last */
} pk_journey;

/* A purchase the fold remembers, for the cancellations that follow it. */
typedef struct pk_fold_purchase {
    pk_event_source source;
    char ref[PK_EVENT_REF_MAX];
    int64_t amount, at;
    bool cancelled;
    int64_t cancelled_at;         /* the pembatalan's instant, when cancelled */
} pk_fold_purchase;

/* A review the fold remembers, for the first finished training that may
 * come after it in time. */
typedef struct pk_fold_review {
    char course[PK_EVENT_TEXT_MAX];
    int64_t at;
} pk_fold_review;

/* The first-purchase deadline of a recipient selected at `selected_at` in
 * wave `wave`: *by an instant, 0 when not known; 0 or an error code
 * (PK_EIO), which pk_fold_apply returns.  It depends on the wave's terms
 * (the scheme's days, the cut-off), data the fold does not hold: its
 * caller lends this (app/journey.c, from the store's hook). */
typedef int (*pk_purchase_by_fn)(void *ctx, int64_t wave, int64_t selected_at, int64_t *by);

/* The fold of one person's events: the state plus what later events are
 * checked against.  pk_fold_init before, pk_fold_free after. */
typedef struct pk_fold {
    pk_journey j;
    pk_fold_purchase *p;
    size_t np, cap;
    pk_fold_review *r;            /* every review, in order */
    size_t nr, rcap;
    char first_course[PK_EVENT_TEXT_MAX];  /* the first finished training's course */
    /* Asked only when a purchase has been cancelled, to know whether the
     * cancellation came after the first-purchase deadline (the purchase
     * then still met it).  NULL: not known, a cancelled purchase never
     * counts. */
    pk_purchase_by_fn purchase_by;
    void *purchase_by_ctx;
    /* its last answer, for that wave and selection (once a recipient,
     * the two never change): asked once per fold, not per purchase */
    bool by_known;
    int64_t by_wave, by_selected_at, by;
} pk_fold;

void pk_fold_init(pk_fold *f, int64_t participant_id);
void pk_fold_free(pk_fold *f);
/* Copies src into dst (dst initialised or freed before); 0 or PK_ENOMEM. */
int pk_fold_copy(pk_fold *dst, const pk_fold *src);
/* Applies one event, the next in (at, seq) order.  0: applied; PK_EINVAL:
 * refused, *why says which rule (saldo_tidak_cukup, sudah_penerima,
 * belum_penerima, sudah_dicabut, pembelian_tidak_dikenal,
 * sudah_dibatalkan, jumlah_tidak_sesuai, kolom_tidak_valid for an amount
 * that would overflow), and f is unchanged; PK_ENOMEM, or the error of
 * f->purchase_by (f is then to be dropped). */
int pk_fold_apply(pk_fold *f, const pk_event *e, pk_code *why);

/* Whether pk_journey_apply_last can apply an event of type t to the
 * state j: every type but pembatalan, which needs the purchase it cancels
 * (the fold's list of purchases, which the state alone does not keep);
 * selesai_pelatihan only once one was finished (the first needs the
 * reviews before it), ulasan only when the review the incentive waits
 * for is settled or no training is finished yet (else it needs the first
 * finished course). */
bool pk_journey_applies_alone(const pk_journey *j, pk_event_type t);
/* Applies to the state j (the fold of a person's events, as stored) one
 * event that comes after all of them in (at, seq) order: the same result
 * as folding every event again with it at the end, without them (a
 * card's 75th purchase reads one row, not 75 events).  Only for what
 * pk_journey_applies_alone accepts (else PK_EINVAL with *why
 * kolom_tidak_valid).  0, or PK_EINVAL with *why, j unchanged. */
int pk_journey_apply_last(pk_journey *j, const pk_event *e, pk_code *why);

/* ---- deadlines (the spec's "Deadlines") ---- */

typedef struct pk_deadline {
    bool applies;        /* false: no such deadline for this person now */
    int64_t ends;        /* 23:59:59 WIB of its day (an instant) */
    bool met;            /* what it asks for was done in time */
    bool absolute;       /* the wave's cut-off, not the scheme's relative rule, decided it */
} pk_deadline;

typedef struct pk_deadlines {
    pk_deadline first_purchase;  /* lolos + purchase_deadline_days, or the balance cut-off */
    pk_deadline balance;         /* the wave's balance cut-off: an unused balance lapses */
    pk_deadline survey;          /* the latest survey opened + survey_fill_days */
    bool needs_review;           /* no incentive until a review of the first finished training */
    bool needs_payout;           /* no incentive until a payout account is linked */
} pk_deadlines;

/* A relative deadline: the WIB day of `start` plus `days`, ending
 * 23:59:59 WIB (an instant). */
int64_t pk_deadline_after(int64_t start, int days);
/* The first-purchase deadline of a selection at `selected_at`:
 * min(pk_deadline_after(selected_at, purchase_days), balance_cutoff when
 * not 0).  The one definition (pk_journey_deadlines, the fold). */
int64_t pk_first_purchase_by(int64_t selected_at, int purchase_days, int64_t balance_cutoff);

/* The deadlines of a person in state j: purchase_days and survey_days are
 * the scheme's (data/schemes.ini), balance_cutoff the instant the wave's
 * balance lapses (0: none known; the wave belongs to app/wave.c).  A
 * relative deadline falls on the WIB day of its start plus N days and
 * ends at 23:59:59 WIB; min(relative, absolute).  Pure. */
void pk_journey_deadlines(const pk_journey *j, int purchase_days, int survey_days,
                          int64_t balance_cutoff, pk_deadlines *out);

/* ---- the daily job's arithmetic (app/jobs.c) ---- */

/* On day `day` (WIB) the job acts on every deadline that ended before
 * the day began.  For the recipients of one wave (purchase_days of its
 * scheme, balance_cutoff the instant its balance lapses, 0: none), the
 * first-purchase deadline of a selection at instant s has ended by then
 * exactly when s < the instant returned: the start of day
 * (day - purchase_days) WIB, or INT64_MAX when the cut-off ended before
 * the day (every selection of the wave is then past it).  Pure. */
int64_t pk_purchase_due_before(pk_date day, int purchase_days, int64_t balance_cutoff);

/* Whether a balance cut-off (an instant, 0: none) ended before day began. */
bool pk_cutoff_passed(pk_date day, int64_t balance_cutoff);

#endif
