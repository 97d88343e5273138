/* timeline.c -- the dates on which a selected participant's benefits fall
 * due (timeline.h, domain.md "Participant lifecycle" 5, 7 and 8).
 *
 * These dates feed the reminders, so they are the latest dates a person
 * may act or the window in which money should arrive, computed from the
 * scheme's configuration alone.  Public holidays are not known, so
 * "working days" are Monday to Friday: an arrival window may in reality
 * stretch a little further. */
#include "core/timeline.h"

#include <string.h>

#include "core/pk.h"

int pk_timeline_compute(const pk_scheme *s, pk_date selected, const pk_date *completed,
                        pk_timeline *out)
{
    memset(out, 0, sizeof *out);
    if (!s || !pk_date_valid(selected))
        return PK_EINVAL;
    if (s->incentive_months < 0 || s->incentive_months > PK_TIMELINE_MAX ||
        s->survey_count < 0 || s->survey_count > PK_TIMELINE_MAX)
        return PK_EINVAL;
    /* Surveys open after the first incentive: none without one. */
    if (s->survey_count > 0 && s->incentive_months == 0)
        return PK_EINVAL;

    out->selected = selected;
    out->purchase_deadline = pk_date_add_days(selected, s->purchase_deadline_days);
    if (completed) {
        if (!pk_date_valid(*completed) || pk_date_cmp(*completed, selected) < 0)
            return PK_EINVAL;
        out->completed = *completed;
    } else {
        out->completed = out->purchase_deadline;
    }

    /* The first payment is scheduled within 1x24 h of completion and
     * arrives 3-5 working days later; later ones follow monthly. */
    pk_date scheduled = pk_date_add_days(out->completed, 1);
    out->n_incentives = s->incentive_months;
    for (int k = 0; k < s->incentive_months; k++) {
        pk_date base = pk_date_add_months(scheduled, k);
        out->incentives[k].due_from = pk_date_add_workdays(base, 3);
        out->incentives[k].due_to = pk_date_add_workdays(base, 5);
        out->incentives[k].amount = s->incentive;
    }

    /* Survey j opens j*N days after the first incentive (counted from the
     * end of its arrival window, so it has surely arrived). */
    out->n_surveys = s->survey_count;
    for (int j = 1; j <= s->survey_count; j++) {
        pk_timeline_survey *sv = &out->surveys[j - 1];
        sv->opens = pk_date_add_days(out->incentives[0].due_to,
                                     (long)j * s->survey_open_days);
        sv->closes = pk_date_add_days(sv->opens, s->survey_fill_days);
        sv->paid_by = pk_date_add_days(sv->closes, s->survey_pay_days);
        sv->amount = s->survey_incentive;
    }

    out->total = pk_scheme_total(s);

    /* Every date must be one the calendar can hold (up to 9999-12-31):
     * a deadline past it would be printed as another day. */
    bool ok = pk_date_valid(out->purchase_deadline) && pk_date_valid(scheduled);
    for (int k = 0; k < out->n_incentives; k++)
        ok = ok && pk_date_valid(out->incentives[k].due_to);
    for (int j = 0; j < out->n_surveys; j++)
        ok = ok && pk_date_valid(out->surveys[j].paid_by);
    if (!ok) {
        memset(out, 0, sizeof *out);
        return PK_ETOOBIG;
    }
    return 0;
}
