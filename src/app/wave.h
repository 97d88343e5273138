/* wave.h -- waves and their draws (spec selection.md), engine mode: the
 * use cases behind `prakerja wave create|open|close|list|show|draw|
 * verify` and `prakerja export selection`.
 *
 * A wave is created open (dibuka); `close` freezes its applicants
 * (ditutup), and a wave whose closing instant has passed counts as
 * closed whatever its stored state.  The draw (core/draw.c does the
 * arithmetic) evaluates the rules again on the closing date (WIB), ranks,
 * walks and records in ONE transaction: the draw row, each applicant's
 * record, the events through pk_journey_append (lolos + saldo_masuk, or
 * tidak_lolos with the reason codes in keterangan), the card numbers,
 * the state diundi and the audit entry are durable together or not at
 * all, so a killed draw is simply run again.
 *
 * Memory: per applicant a 56-byte record plus, for the eligible, a
 * 48-byte entry of core/draw.h; 2.5 million applicants take about
 * 260 MB at the peak (sorting in place). */
#ifndef PK_APP_WAVE_H
#define PK_APP_WAVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "app/app.h"
#include "core/draw.h"
#include "core/journey.h"

#define PK_WAVE_REGION_QUOTAS_MAX 64

/* A wave as the command line gives it (text, validated here). */
typedef struct pk_wave_input {
    const char *number, *scheme, *opens, *closes, *quota, *balance_until;
    const char *region_quotas[PK_WAVE_REGION_QUOTAS_MAX];  /* "CODE=N" each */
    size_t n_region_quotas;
} pk_wave_input;

/* Creates the wave (state dibuka) and audits it.  PK_EINVAL (err says
 * which field and why), PK_ECONFLICT (the number exists), store errors. */
int pk_wave_create(const pk_app *app, const pk_wave_input *in, const char *actor, char *err,
                   size_t errlen);
/* The same, saying in *field which input err is about (the staff page
 * writes its own sentence beside that field): PK_WF_NUMBER also for a
 * number that exists (PK_ECONFLICT).  An actor "user:NAME" is audited
 * with source web, any other with source cli. */
typedef enum pk_wave_field {
    PK_WF_NONE,
    PK_WF_NUMBER,
    PK_WF_SCHEME,
    PK_WF_OPENS,
    PK_WF_CLOSES,
    PK_WF_QUOTA,
    PK_WF_BALANCE_UNTIL,
    PK_WF_REGION_QUOTAS,
} pk_wave_field;
int pk_wave_create_at(const pk_app *app, const pk_wave_input *in, const char *actor,
                      pk_wave_field *field, char *err, size_t errlen);

/* Opens again a closed wave whose closing instant has not passed, or
 * closes an open one.  Doing what is already done changes nothing (0,
 * *changed false).  PK_ENOENT, PK_EDENIED (drawn; or reopening after its
 * closing instant), store errors; err says why. */
int pk_wave_set_open(const pk_app *app, int64_t number, bool open, const char *actor,
                     bool *changed, char *err, size_t errlen);

/* The wave's state now: "belum_dibuka" (open, but its opening instant
 * has not come), "dibuka", "ditutup" (closed, or its closing instant has
 * passed) or "diundi". */
const char *pk_wave_state_now(int64_t opens_at, int64_t closes_at, const char *stored,
                              int64_t now);

/* The join rules of selection.md that need the wave table, for
 * pk_journey_append_checked (ctx unused): a gabung_gelombang of source
 * lokal is refused when the wave is unknown (gelombang_tidak_dikenal),
 * not open at its instant (dibuka, opens <= at < closes:
 * gelombang_tidak_dibuka), dated more than PK_WAVE_CLOCK_LEAD seconds
 * ahead of now (waktu_di_masa_depan), or when the person is, just before it, an
 * applicant of another wave of this deployment still open at that
 * instant (masih_di_gelombang_lain: one open wave at a time).  Events of source pmo join the programme
 * office's waves, which this deployment does not hold: not judged here.
 * pk_wave_join and the event import (source lokal) apply it. */
#define PK_WAVE_CLOCK_LEAD 300
typedef struct pk_tx pk_tx;
int pk_wave_join_rule(void *ctx, pk_tx *tx, const pk_journey *before, const pk_event *e,
                      pk_code *why);
/* Whether only this deployment's draw and daily job write events of the
 * type (lolos, tidak_lolos, dicabut): a lokal file may not carry them. */
bool pk_wave_lokal_only_ours(pk_event_type type);
/* The rules of this deployment's programme over its own (lokal) events,
 * for pk_journey_append_checked (ctx: the pk_app): one of those types
 * refused (kolom_tidak_valid: an event stored already is a duplicate,
 * so a lokal export imported again changes nothing and says so), the
 * join rules above, and a pembelian refused once the wave's balance cut-off has ended
 * (batas_saldo_lewat) or, with no purchase before it, once the first-
 * purchase deadline has (batas_pembelian_lewat): what the daily job
 * would act on (revocation, lapse), not yet run.  The platform API and
 * the event import (source lokal) apply it. */
int pk_wave_lokal_rule(void *ctx, pk_tx *tx, const pk_journey *before, const pk_event *e,
                       pk_code *why);

/* A resident joins the wave themselves at `at` (pk_wave_join's event and
 * rules; an audit entry by "warga" with `source`: "portal" for Akun
 * saya, "api" for the API).  0: joined, or joined before (then nothing
 * is written: *before); PK_EDENIED with *why (a rule's code: the wave not
 * open, another wave not drawn yet, a recipient already, ...), PK_ENOENT
 * (no such wave, *why gelombang_tidak_dikenal), store errors.  dry: the
 * same answer, nothing written (what a page may say about a join it was
 * not sent just now). */
int pk_wave_join_self(const pk_app *app, int64_t wave, int64_t participant_id, int64_t at,
                      const char *source, bool dry, pk_code *why, bool *before);

/* The ref of a draw's event for participant pid in `wave` (source lokal):
 * `what` is "lolos", "tidak-lolos" or "saldo" (undian-3-lolos-42).  A
 * lolos of source lokal is written by this deployment's draw alone. */
void pk_wave_draw_ref(char out[PK_EVENT_REF_MAX], int64_t wave, const char *what, int64_t pid);

/* The waves one may join at `now` (open, between their instants), by
 * number: at most max into out, *n of them. */
typedef struct pk_wave_open {
    int64_t number, opens_at, closes_at;
} pk_wave_open;
int pk_wave_joinable(const pk_app *app, int64_t now, pk_wave_open *out, size_t max, size_t *n);

/* Joins the participant with this NIK to the wave at instant `at` (a
 * gabung_gelombang event of source lokal through pk_journey_append).
 * PK_ENOENT (no such participant or wave), PK_EDENIED (a join rule or a
 * rule of the journey refuses it: err says which), store errors. */
int pk_wave_join(const pk_app *app, int64_t wave, const char *nik, int64_t at, char *err,
                 size_t errlen);

/* The waves as JSON objects, by number (one per call of cb). */
typedef int (*pk_wave_json_cb)(void *ctx, json_t *wave);
int pk_wave_list(const pk_app *app, pk_wave_json_cb cb, void *ctx);
/* One wave, with its draw when drawn.  PK_ENOENT. */
int pk_wave_show(const pk_app *app, int64_t number, json_t **out);
/* How many people joined the wave so far (each once). */
int pk_wave_applicants_count(const pk_app *app, int64_t number, int64_t *n);

/* The draw's one-line summary. */
typedef struct pk_draw_summary {
    json_t *json;     /* wave, applicants, eligible, selected, not_selected, reasons,
                       * seed, snapshot_sha256, result_sha256 (caller json_decref) */
    bool repeated;    /* the same seed again: nothing was changed */
} pk_draw_summary;

/* Draws the wave with seed_hex at instant `at` (seconds since 1970 UTC).
 * An applicant who is a recipient already (their journey's lolos, any
 * wave, any source) is not selected (sudah_penerima) and gets no event.
 * The same seed again recomputes the draw from what was stored and
 * answers the same summary, changing nothing.  PK_EINVAL (the seed is
 * not 64 hex digits; `at` before the wave's last join, or at its instant
 * when that join's seq is above the draw's 1), PK_ENOENT (no
 * such wave), PK_EDENIED (the wave is
 * still open), PK_ECONFLICT (drawn with another seed; or the recomputed
 * draw does not match what was stored), store errors; err says why. */
int pk_wave_draw(const pk_app *app, int64_t number, const char *seed_hex, int64_t at,
                 const char *actor, pk_draw_summary *out, char *err, size_t errlen);

/* Recomputes a drawn wave from its stored inputs (the seed, each
 * applicant's tier, rules' reasons, regency, family card and its earlier
 * recipients) and compares the order's outcomes and both digests with
 * what was stored.  *match says whether all agree; *out (when not NULL)
 * receives a JSON object of the recomputed and stored digests.  PK_ENOENT
 * when the wave was not drawn. */
int pk_wave_verify(const pk_app *app, int64_t number, bool *match, json_t **out, char *err,
                   size_t errlen);

/* The selection of a drawn wave as CSV (nik,tier,rank,status,alasan:
 * rank as 64 hex digits, alasan the reason codes separated by ';'),
 * in NIK order, written through fn.  PK_ENOENT when not drawn. */
typedef int (*pk_write_fn)(void *ctx, const char *data, size_t len);
int pk_wave_export_selection(const pk_app *app, int64_t number, pk_write_fn fn, void *ctx,
                             char *err, size_t errlen);

/* `prakerja cards reissue`: every card of the first release, whose
 * number was an affine spread of its serial (computable from the public
 * source), gets a new serial and keyed number in one transaction; the
 * old number is retired (never issued again; a platform naming it is
 * told kartu_diganti), its holder sees the new one in Akun saya.
 * dry_run counts and changes nothing.  Audited when it changed any. */
typedef struct pk_reissue_summary {
    int64_t cards;     /* cards read */
    int64_t legacy;    /* of the first release among them */
    int64_t reissued;  /* given a new number (0 on a dry run) */
} pk_reissue_summary;
int pk_cards_reissue(const pk_app *app, bool dry_run, int64_t at, const char *actor,
                     pk_reissue_summary *out, char *err, size_t errlen);

#endif
