/* remind_int.h -- what the files of the day's reminders share (not for
 * callers: they use remind.h).
 *
 *   remind_people.c  a person's reminders: the day's waves, a person read
 *                    from the store, their occurrences, what was recorded
 *                    of them (which fires are settled), a message's
 *                    values; one person at a time (pk_remind_reader: the
 *                    participant page's preview, the outbox's check)
 *   remind_plan.c    the day: people a batch at a time, what was recorded
 *                    of them, the decisions, the run's records and queue */
#ifndef PK_APP_REMIND_INT_H
#define PK_APP_REMIND_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/journey.h"
#include "app/remind.h"
#include "app/wave_terms.h"
#include "core/pk.h"
#include "store/store.h"

#define OCC_MAX 64   /* occurrences of one person considered */

/* ---- one batch of people ---- */

typedef struct subject {
    int64_t id;
    uint64_t reasons;
    bool has_j;
    pk_journey j;
    char scheme[16];
    char region[PK_REGION_CODE_MAX];
    uint8_t nik_bi[PK_BI_LEN];
    size_t pii_off, pii_len;     /* the sealed box in the batch's arena */
} subject;

typedef struct fire_mark {
    int64_t pid, anchor, k, offset_days;
    char rule[PK_REMIND_ID_MAX];
    bool final;
    bool cancelled;   /* dibatalkan: the whole occurrence is settled */
} fire_mark;


typedef struct day_ctx {
    const pk_app *app;
    pk_remind_rules rules;
    pk_date day;
    char day_s[11], since_s[11];
    bool run;
    unsigned enabled;
    int64_t open_wave, open_closes; /* the open wave closing first */
    /* every wave open on the day (one at a time is the rule of a
     * programme, but an admin may open two): a person in any of them is in
     * an open wave, and told to join none (reminders.md gabung_gelombang) */
    int64_t *open, nopen;
    pk_wave_table waves;         /* every wave this deployment holds */
    pk_plan_line_fn line;
    void *line_ctx;
    const char *scope;
    char after_region[PK_REGION_CODE_MAX]; /* a region's walk: the last village read */
    pk_remind_summary *sum;
    const char *actor;
    /* the batch */
    subject *subj;
    size_t nsubj;
    pk_buf arena;
    fire_mark *fires;
    size_t nfires, capfires;
    /* per person, filled from the marks (reset each batch) */
    struct mark_idx {
        size_t first, n;
        unsigned stopped, failed;
        int sent[7];
        pk_channel pref;         /* PK_CH_WHATSAPP unless they chose (Akun saya) */
    } *mi;
    pk_event *ev;
    size_t nev, capev;
    pk_tx *tx;                   /* run: this batch's transaction */
    char err[200];
} day_ctx;

typedef struct var_text {
    char batas[32], saldo[32], gel[24], ke[24];
} var_text;

/* The store's waves into d (pk_store_waves_each): the table, and those
 * open on d's day (gabung_gelombang tells people to join one). */
int pk_rp_got_wave(void *ctx, const pk_wave *w);
/* A person read from the store (pk_store_remind_subjects): appended to
 * d's batch, their sealed box into its arena. */
int pk_rp_got_subject(void *ctx, const pk_prow *row, const pk_journey *j);
/* The occurrences of subject s (at most OCC_MAX) into occ; *nocc. */
int pk_rp_occurrences(day_ctx *d, const subject *s, pk_remind_occ *occ, size_t *nocc);
/* What was recorded of d's batch (pk_store_remind_marks...): each
 * person's fires into d->fires, their stops, messages of the last 7
 * days, failed and preferred channels into d->mi. */
int pk_rp_got_mark(void *ctx, const pk_remind_mark *m);
/* The settled fires of occurrence o (bit i: offset i) among the marks
 * fm[0..nfm): each recorded final, and all of them once one was recorded
 * dibatalkan (*cancelled, when given, says so). */
uint32_t pk_rp_settled(const day_ctx *d, const pk_remind_occ *o, const fire_mark *fm,
                       size_t nfm, bool *cancelled);
/* The values of a message's placeholders (t holds their text). */
pk_remind_vars pk_rp_vars_fill(const day_ctx *d, const subject *s, const pk_remind_occ *o,
                               var_text *t);

#endif
