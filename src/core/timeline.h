/* timeline.h -- when each benefit of a scheme falls due for one person. */
#ifndef PK_TIMELINE_H
#define PK_TIMELINE_H

#include "core/date.h"
#include "core/scheme.h"

#define PK_TIMELINE_MAX 16

typedef struct pk_timeline_payment {
    pk_date due_from, due_to;  /* expected arrival window */
    pk_rupiah amount;
} pk_timeline_payment;

typedef struct pk_timeline_survey {
    pk_date opens, closes;     /* fill between these days */
    pk_date paid_by;           /* paid at the latest by (if filled on `closes`) */
    pk_rupiah amount;
} pk_timeline_survey;

typedef struct pk_timeline {
    pk_date selected;
    pk_date purchase_deadline;   /* last day to buy the first training */
    pk_date completed;           /* first training completed (assumed or given) */
    int n_incentives;
    pk_timeline_payment incentives[PK_TIMELINE_MAX];
    int n_surveys;
    pk_timeline_survey surveys[PK_TIMELINE_MAX];
    pk_rupiah total;
} pk_timeline;

/* Computes the timeline.  `completed` is the day the first training was
 * completed and rated; pass NULL to assume the last allowed day
 * (purchase_deadline).  Returns PK_EINVAL when completed is before
 * selected, PK_ETOOBIG when a date of the timeline would fall after
 * 9999-12-31 (the last date pk_date holds). */
int pk_timeline_compute(const pk_scheme *s, pk_date selected, const pk_date *completed,
                        pk_timeline *out);

#endif
