/* jobs.h -- the daily job (journey-events-csv.md "Deadlines", issue 14):
 * `prakerja jobs run [--date YYYY-MM-DD]`.
 *
 * In engine mode (config `mode = engine`: this deployment runs the
 * programme), for a day D (WIB) it acts on every deadline that ended
 * before D began:
 *  - a recipient past the first-purchase deadline without a purchase not
 *    cancelled by then: `dicabut` (keterangan tidak_membeli_pelatihan) and
 *    `saldo_hangus` of the balance left, both at the instant after the
 *    deadline ended, and the NIK put on the `daftar_hitam` list (then
 *    evaluated again, as a list import does);
 *  - a balance past its wave's cut-off (balance_until): `saldo_hangus`
 *    (keterangan batas_saldo_lewat) at the instant after the cut-off.
 * Every event goes through pk_journey_append with source lokal and a ref
 * made of the day, what and the participant ("job:2021-10-21:dicabut:42"),
 * in transactions of up to JOBS_BATCH people: running a day again, or two
 * runs at once, changes nothing more (the second finds the refs stored,
 * or the journey revoked already).  The last day run is kept in pk_meta
 * (`jobs_last_day`); the days after it up to D are run first, in order.
 *
 * In mirror mode (the default: the programme office runs the programme
 * and its event files are mirrored) nothing is written but the audit
 * entry: it counts what would be due on D.
 *
 * Recipients are found through the partial indexes of migration 14
 * (pk_tx_journey_due): the work follows what is due, not the history. */
#ifndef PK_APP_JOBS_H
#define PK_APP_JOBS_H

#include <stdbool.h>
#include <stdint.h>

#include "app/app.h"
#include "core/date.h"

typedef struct pk_jobs_summary {
    bool engine;            /* the mode it ran in */
    pk_date first, last;    /* the days run (mirror: first == last == the day asked) */
    long days;
    /* engine: what was written */
    int64_t revoked;        /* dicabut (each with daftar_hitam) */
    int64_t lapsed;         /* saldo_hangus written (with a revocation, or at a cut-off) */
    int64_t amount_lapsed;  /* Rupiah */
    int64_t skipped;        /* due, but not acted on: the journey refused the event (a later
                             * event stored), or the programme office selected them */
    /* mirror: what is due on the day */
    int64_t due_revoke, due_lapse, due_amount;
    int64_t unknown_waves;  /* recipients' waves whose scheme is unknown: skipped */
} pk_jobs_summary;

/* Runs the daily job for `day` (not after today in Jakarta: PK_EINVAL).
 * 0, or a store error (what was committed stays: run it again); err says
 * why. */
int pk_jobs_run(const pk_app *app, pk_date day, const char *actor, pk_jobs_summary *out,
                char *err, size_t errlen);

#endif
