/* median.h -- the one median rule of every report (the funnel's waits,
 * the effect of reminders): the conventional median of a population
 * given as a tally of values, the middle value, or the mean of the two
 * middle values when the population is even, so a median of whole days
 * may be x.5 days.  Shown the same way everywhere (pk_median_format):
 * "2" or "2,5" on pages, "2" or "2.5" in CSV, JSON and command lines. */
#ifndef PK_MEDIAN_H
#define PK_MEDIAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* n people have value `value` */
typedef struct pk_tally {
    int64_t value, n;
} pk_tally;

/* The median of the population tallied in t[0..len): values in
 * ascending order (repeats allowed), entries with n <= 0 ignored.  False
 * (and *out untouched) when the population is empty.  Pure. */
bool pk_median(const pk_tally *t, size_t len, double *out);

/* A median as written: the whole number, or one decimal after `dec`
 * (',' on pages, '.' in CSV and JSON text): "7", "7,5", "7.5". */
void pk_median_format(double m, char dec, char out[32]);

#endif
